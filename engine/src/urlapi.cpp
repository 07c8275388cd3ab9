// SPDX-License-Identifier: MIT
// urlapi.cpp: the URL handle (ms_url_*, libcurl's curl_url_* semantics for http and https).
//
// How it works: a handle keeps each part as its own optional string, as it would appear
// in the URL (percent-encoding kept). Setting MSUPART_URL parses a whole URL into fresh
// parts, or, when the text has no scheme and the handle already holds a URL, resolves it
// as a relative reference (RFC 3986 section 5.2) against the held parts. Getting
// MSUPART_URL joins the parts again. Dot segments are removed when a path is parsed (not
// with MSU_PATH_AS_IS). Ports and default schemes come from the engine's URL code.
#include <cstdlib>
#include <new>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "http/ascii.hpp"
#include "http/url.hpp"
#include "multisock/multisock.h"

struct ms_url {
  std::optional<std::string> scheme, user, password, options, host, zoneid, port, path, query, fragment;
};

namespace {

using Part = std::optional<std::string>;

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool unreserved(char c) { return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' || c == '~'; }

bool supported(std::string_view scheme) { return scheme == "http" || scheme == "https"; }

// A scheme: a letter, then letters, digits, '+', '-', '.'; at most 40 characters.
bool valid_scheme(std::string_view s) {
  if (s.empty() || s.size() > 40 || !is_alpha(s[0])) return false;
  for (char c : s)
    if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.') return false;
  return true;
}

// A host name or IPv4 address as it may stand in a URL: no blanks, controls or delimiters.
bool valid_host_name(std::string_view h) {
  if (h.empty()) return false;
  for (unsigned char c : h)
    if (c <= ' ' || c >= 0x7f || std::strchr("\"#%/:<>?@[\\]^`{|}", c)) return false;
  return true;
}

bool valid_ipv6(std::string_view a) {
  if (a.size() < 2) return false;
  for (char c : a)
    if (!is_hex(c) && c != ':' && c != '.') return false;
  return a.find(':') != std::string_view::npos;
}

std::string hex_escape(unsigned char c) {
  static const char kHex[] = "0123456789abcdef";
  return std::string{'%', kHex[c >> 4], kHex[c & 15]};
}

// MSU_URLENCODE: percent-encode all but unreserved bytes (and '/' in a path); in a query a
// space becomes '+', and with keep_first_equals the first '=' stays (name=value).
std::string encode(std::string_view in, bool path, bool query, bool keep_first_equals) {
  std::string out;
  bool equals_kept = !keep_first_equals;
  for (unsigned char c : in) {
    if (unreserved(static_cast<char>(c)) || (path && c == '/')) out += static_cast<char>(c);
    else if (query && c == ' ') out += '+';
    else if (c == '=' && !equals_kept) {
      out += '=';
      equals_kept = true;
    } else out += hex_escape(c);
  }
  return out;
}

// MSU_URLDECODE; '+' is a space in a query. nullopt for a bad escape or a NUL byte.
std::optional<std::string> decode(std::string_view in, bool query) {
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return std::nullopt;
      if (!is_hex(in[i + 1]) || !is_hex(in[i + 2])) return std::nullopt;
      c = static_cast<char>(std::strtol(std::string(in.substr(i + 1, 2)).c_str(), nullptr, 16));
      if (c == '\0') return std::nullopt;
      i += 2;
    } else if (query && c == '+') {
      c = ' ';
    }
    out += c;
  }
  return out;
}

// RFC 3986 5.2.4: removes "." and ".." segments of an absolute path.
std::string remove_dots(std::string_view in) {
  std::string out;
  while (!in.empty()) {
    if (in.substr(0, 3) == "../") in.remove_prefix(3);
    else if (in.substr(0, 2) == "./") in.remove_prefix(2);
    else if (in.substr(0, 3) == "/./") in.remove_prefix(2);
    else if (in == "/.") in = "/";
    else if (in.substr(0, 4) == "/../" || in == "/..") {
      in = in.size() == 3 ? std::string_view("/") : in.substr(3);
      const auto cut = out.rfind('/');
      out.erase(cut == std::string::npos ? 0 : cut);
    } else if (in == "." || in == "..") {
      in = {};
    } else {
      const auto next = in.find('/', in[0] == '/' ? 1 : 0);
      out.append(in.substr(0, next));
      in = next == std::string_view::npos ? std::string_view() : in.substr(next);
    }
  }
  return out;
}

bool has_space(std::string_view s) { return s.find(' ') != std::string_view::npos; }
bool has_control(std::string_view s) {
  for (unsigned char c : s)
    if (c < ' ' || c == 0x7f) return true;
  return false;
}

// Path, query and fragment of "rest" (from the first '/', '?' or '#' on) into u.
MSUcode set_tail(ms_url& u, std::string_view rest, unsigned flags) {
  const auto hash = rest.find('#');
  if (hash != std::string_view::npos) {
    u.fragment = std::string(rest.substr(hash + 1));
    rest = rest.substr(0, hash);
  }
  const auto q = rest.find('?');
  if (q != std::string_view::npos) {
    u.query = std::string(rest.substr(q + 1));
    rest = rest.substr(0, q);
  }
  const bool spaces_ok = flags & MSU_ALLOW_SPACE;
  if (has_control(rest) || (!spaces_ok && has_space(rest))) return MSUE_BAD_PATH;
  if (u.query && (has_control(*u.query) || (!spaces_ok && has_space(*u.query)))) return MSUE_BAD_QUERY;
  if (u.fragment && (has_control(*u.fragment) || (!spaces_ok && has_space(*u.fragment)))) return MSUE_BAD_FRAGMENT;
  std::string path(rest);
  if (!(flags & MSU_PATH_AS_IS) && !path.empty()) path = remove_dots(path);
  if (!path.empty()) u.path = path;
  return MSUE_OK;
}

// "[user[:password][;options]@]host[:port]" into u.
MSUcode set_authority(ms_url& u, std::string_view auth, unsigned flags) {
  const auto at = auth.rfind('@');
  if (at != std::string_view::npos) {
    if (flags & MSU_DISALLOW_USER) return MSUE_USER_NOT_ALLOWED;
    std::string_view login = auth.substr(0, at);
    auth = auth.substr(at + 1);
    const auto colon = login.find(':');
    std::string_view user = login.substr(0, colon);
    if (colon != std::string_view::npos) u.password = std::string(login.substr(colon + 1));
    const auto semi = user.find(';');
    if (semi != std::string_view::npos) {
      u.options = std::string(user.substr(semi + 1));
      user = user.substr(0, semi);
    }
    u.user = std::string(user);
  }
  std::string_view host = auth;
  std::string_view port;
  bool has_port = false;
  if (!host.empty() && host[0] == '[') {
    const auto close = host.find(']');
    if (close == std::string_view::npos) return MSUE_BAD_IPV6;
    std::string_view addr = host.substr(1, close - 1);
    std::string_view after = host.substr(close + 1);
    const auto zone = addr.find("%25");
    if (zone != std::string_view::npos) {
      u.zoneid = std::string(addr.substr(zone + 3));
      if (u.zoneid->empty()) return MSUE_BAD_IPV6;
      addr = addr.substr(0, zone);
    }
    if (!valid_ipv6(addr)) return MSUE_BAD_IPV6;
    u.host = "[" + std::string(addr) + "]";
    if (!after.empty()) {
      if (after[0] != ':') return MSUE_BAD_IPV6;
      port = after.substr(1);
      has_port = true;
    }
  } else {
    const auto colon = host.find(':');
    if (colon != std::string_view::npos) {
      port = host.substr(colon + 1);
      has_port = true;
      host = host.substr(0, colon);
    }
    if (host.empty()) return MSUE_NO_HOST;
    if (!valid_host_name(host)) return MSUE_BAD_HOSTNAME;
    u.host = std::string(host);
  }
  if (has_port && !port.empty()) {  // "host:" is the host alone
    const auto n = ms::http::parse_port(port);
    if (!n) return MSUE_BAD_PORT_NUMBER;
    u.port = std::to_string(*n);
  }
  return MSUE_OK;
}

MSUcode parse_absolute(ms_url& out, std::string_view text, unsigned flags) {
  ms_url u;
  std::string_view rest = text;
  const auto sep = text.find("://");
  const bool has_scheme = sep != std::string_view::npos && valid_scheme(text.substr(0, sep));
  if (has_scheme) {
    std::string scheme(text.substr(0, sep));
    for (char& c : scheme) c = ms::http::ascii_lower(c);
    if (!supported(scheme) && !(flags & MSU_NON_SUPPORT_SCHEME)) return MSUE_UNSUPPORTED_SCHEME;
    u.scheme = scheme;
    rest = text.substr(sep + 3);
  } else if (flags & (MSU_DEFAULT_SCHEME | MSU_GUESS_SCHEME)) {
    u.scheme = flags & MSU_GUESS_SCHEME ? "http" : "https";
    if (rest.substr(0, 2) == "//") rest.remove_prefix(2);
  } else {
    return MSUE_BAD_SCHEME;
  }
  if (!rest.empty() && rest[0] == '/') return MSUE_BAD_SLASHES;
  const auto end = rest.find_first_of("/?#");
  const MSUcode rc = set_authority(u, rest.substr(0, end), flags);
  if (rc != MSUE_OK) return rc;
  if (end != std::string_view::npos) {
    const MSUcode tail = set_tail(u, rest.substr(end), flags);
    if (tail != MSUE_OK) return tail;
  }
  out = std::move(u);
  return MSUE_OK;
}

// A reference without scheme, against the URL u holds (RFC 3986 5.2.2).
MSUcode resolve_relative(ms_url& u, std::string_view ref, unsigned flags) {
  if (ref.substr(0, 2) == "//") {
    const std::string scheme = *u.scheme;
    ms_url fresh;
    const MSUcode rc = parse_absolute(fresh, scheme + ":" + std::string(ref), flags | MSU_NON_SUPPORT_SCHEME);
    if (rc != MSUE_OK) return rc;
    u = std::move(fresh);
    return MSUE_OK;
  }
  ms_url next = u;
  next.fragment.reset();
  if (ref.empty() || ref[0] == '#' || ref[0] == '?') {
    if (!ref.empty() && ref[0] == '?') next.query.reset();
    // libcurl keeps the directory of the base for an empty or fragment-only reference.
    if (ref.empty() || ref[0] == '#') {
      next.query.reset();
      std::string dir = next.path.value_or("/");
      dir.erase(dir.rfind('/') + 1);
      next.path = dir;
    }
    const MSUcode rc = set_tail(next, std::string(next.path.value_or("")) + std::string(ref), flags);
    if (rc != MSUE_OK) return rc;
    u = std::move(next);
    return MSUE_OK;
  }
  next.query.reset();
  std::string merged;
  if (ref[0] == '/') {
    merged = std::string(ref);
  } else {
    std::string dir = next.path.value_or("/");
    dir.erase(dir.rfind('/') + 1);
    merged = dir + std::string(ref);
  }
  next.path.reset();
  const MSUcode rc = set_tail(next, merged, flags & ~static_cast<unsigned>(MSU_PATH_AS_IS));
  if (rc != MSUE_OK) return rc;
  u = std::move(next);
  return MSUE_OK;
}

MSUcode hand_out(const std::string& s, char** out) {
  *out = static_cast<char*>(std::malloc(s.size() + 1));
  if (!*out) return MSUE_OUT_OF_MEMORY;
  std::memcpy(*out, s.c_str(), s.size() + 1);
  return MSUE_OK;
}

std::optional<std::string> port_of(const ms_url& u, unsigned flags) {
  const std::uint16_t def = u.scheme ? ms::http::default_port(*u.scheme) : 0;
  if (u.port) {
    if ((flags & MSU_NO_DEFAULT_PORT) && def != 0 && *u.port == std::to_string(def)) return std::nullopt;
    return u.port;
  }
  if ((flags & MSU_DEFAULT_PORT) && def != 0) return std::to_string(def);
  return std::nullopt;
}

MSUcode get_url(const ms_url& u, char** out, unsigned flags) {
  if (!u.host) return MSUE_NO_HOST;
  if (!u.scheme) return MSUE_NO_SCHEME;
  std::string s = *u.scheme + "://";
  if (u.user) {
    s += *u.user;
    if (u.options) s += ";" + *u.options;
    if (u.password) s += ":" + *u.password;
    s += "@";
  }
  s += *u.host;
  if (u.zoneid && s.back() == ']') s.insert(s.size() - 1, "%25" + *u.zoneid);  // IPv6 only
  if (const auto port = port_of(u, flags)) s += ":" + *port;
  const std::string path = u.path.value_or("/");
  if (path.empty() || path[0] != '/') s += "/";
  s += path;
  if (u.query) s += "?" + *u.query;
  if (u.fragment) s += "#" + *u.fragment;
  return hand_out(s, out);
}

Part* part_of(ms_url& u, MSUPart part) {
  switch (part) {
    case MSUPART_SCHEME: return &u.scheme;
    case MSUPART_USER: return &u.user;
    case MSUPART_PASSWORD: return &u.password;
    case MSUPART_OPTIONS: return &u.options;
    case MSUPART_HOST: return &u.host;
    case MSUPART_PORT: return &u.port;
    case MSUPART_PATH: return &u.path;
    case MSUPART_QUERY: return &u.query;
    case MSUPART_FRAGMENT: return &u.fragment;
    case MSUPART_ZONEID: return &u.zoneid;
    case MSUPART_URL: break;
  }
  return nullptr;
}

MSUcode missing_code(MSUPart part) {
  switch (part) {
    case MSUPART_SCHEME: return MSUE_NO_SCHEME;
    case MSUPART_USER: return MSUE_NO_USER;
    case MSUPART_PASSWORD: return MSUE_NO_PASSWORD;
    case MSUPART_OPTIONS: return MSUE_NO_OPTIONS;
    case MSUPART_HOST: return MSUE_NO_HOST;
    case MSUPART_PORT: return MSUE_NO_PORT;
    case MSUPART_QUERY: return MSUE_NO_QUERY;
    case MSUPART_FRAGMENT: return MSUE_NO_FRAGMENT;
    case MSUPART_ZONEID: return MSUE_NO_ZONEID;
    default: return MSUE_UNKNOWN_PART;
  }
}

// Setting one part other than the URL.
MSUcode set_part(ms_url& u, MSUPart part, std::string_view v, unsigned flags) {
  const bool enc = flags & MSU_URLENCODE;
  switch (part) {
    case MSUPART_SCHEME: {
      if (!valid_scheme(v)) return MSUE_BAD_SCHEME;
      std::string scheme(v);
      for (char& c : scheme) c = ms::http::ascii_lower(c);
      if (!supported(scheme) && !(flags & MSU_NON_SUPPORT_SCHEME)) return MSUE_UNSUPPORTED_SCHEME;
      u.scheme = scheme;
      return MSUE_OK;
    }
    case MSUPART_PORT: {
      const auto n = ms::http::parse_port(v);
      if (!n) return MSUE_BAD_PORT_NUMBER;
      u.port = std::to_string(*n);
      return MSUE_OK;
    }
    case MSUPART_HOST: {
      if (v.size() > 2 && v.front() == '[' && v.back() == ']') {
        if (!valid_ipv6(v.substr(1, v.size() - 2))) return MSUE_BAD_IPV6;
      } else if (!valid_host_name(v)) {
        return MSUE_BAD_HOSTNAME;
      }
      u.host = std::string(v);
      return MSUE_OK;
    }
    case MSUPART_PATH:
      u.path = enc ? encode(v, true, false, false) : std::string(v);
      return MSUE_OK;
    case MSUPART_QUERY: {
      std::string q = enc ? encode(v, false, true, flags & MSU_APPENDQUERY) : std::string(v);
      if ((flags & MSU_APPENDQUERY) && u.query && !u.query->empty()) q = *u.query + "&" + q;
      u.query = q;
      return MSUE_OK;
    }
    case MSUPART_USER:
    case MSUPART_PASSWORD:
    case MSUPART_OPTIONS:
      if (flags & MSU_DISALLOW_USER) return MSUE_USER_NOT_ALLOWED;
      [[fallthrough]];
    default: {
      Part* p = part_of(u, part);
      if (!p) return MSUE_UNKNOWN_PART;
      *p = enc ? encode(v, false, false, false) : std::string(v);
      return MSUE_OK;
    }
  }
}

}  // namespace

extern "C" {

ms_url* ms_url_new(void) { return new (std::nothrow) ms_url(); }

void ms_url_cleanup(ms_url* url) { delete url; }

ms_url* ms_url_dup(const ms_url* url) {
  if (!url) return nullptr;
  return new (std::nothrow) ms_url(*url);
}

MSUcode ms_url_set(ms_url* url, MSUPart part, const char* content, unsigned int flags) {
  if (!url) return MSUE_BAD_HANDLE;
  if (part < MSUPART_URL || part > MSUPART_ZONEID) return MSUE_UNKNOWN_PART;
  if (!content) {  // NULL clears the part (the whole URL for MSUPART_URL)
    if (part == MSUPART_URL) *url = ms_url{};
    else part_of(*url, part)->reset();
    return MSUE_OK;
  }
  const std::string_view text(content);
  if (part != MSUPART_URL) return set_part(*url, part, text, flags);
  if (text.size() > 8000000) return MSUE_MALFORMED_INPUT;
  const auto sep = text.find("://");
  const bool absolute = sep != std::string_view::npos && valid_scheme(text.substr(0, sep));
  if (!absolute && url->scheme && url->host) return resolve_relative(*url, text, flags);
  return parse_absolute(*url, text, flags);
}

MSUcode ms_url_get(const ms_url* url, MSUPart part, char** out, unsigned int flags) {
  if (!url) return MSUE_BAD_HANDLE;
  if (!out) return MSUE_BAD_PARTPOINTER;
  *out = nullptr;
  if (part == MSUPART_URL) return get_url(*url, out, flags);
  if (part < MSUPART_URL || part > MSUPART_ZONEID) return MSUE_UNKNOWN_PART;
  ms_url& u = const_cast<ms_url&>(*url);  // read only: part_of names a member
  std::optional<std::string> value = *part_of(u, part);
  if (part == MSUPART_PORT) value = port_of(u, flags);
  if (part == MSUPART_PATH && !value) value = "/";
  if (!value) return missing_code(part);
  if ((flags & MSU_URLDECODE) && part != MSUPART_SCHEME && part != MSUPART_PORT) {
    auto decoded = decode(*value, part == MSUPART_QUERY);
    if (!decoded) return MSUE_URLDECODE;
    value = std::move(decoded);
  }
  return hand_out(*value, out);
}

const char* ms_url_strerror(MSUcode code) {
  switch (code) {
#define MS_X(name, value, text) \
  case name:                    \
    return text;
    MS_UCODES(MS_X)
#undef MS_X
    default:
      return "Unknown URL error";
  }
}

}  // extern "C"

// SPDX-License-Identifier: MIT
// url.cpp: the absolute-URL subset the engine fetches, and Location resolution.
//
// parse_url() normalises as it parses (lower-case scheme and host, default port, "/" for
// an empty path, dot segments removed, fragment dropped), so to_string() of a parsed Url
// parses back to the same Url. resolve_reference() builds an absolute URL string from
// the base and the reference (RFC 3986 section 5.2) and hands it to parse_url(), so every
// result passes the same checks.
#include "http/url.hpp"

#include <algorithm>
#include <charconv>
#include <string>

namespace ms::http {
namespace {

constexpr std::size_t kUrlMax = 64 * 1024;
constexpr std::size_t kHostMax = 255;

bool set_error(UrlError* error, const char* reason) {
  if (error != nullptr) error->reason = reason;
  return false;
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (lower(c) >= 'a' && lower(c) <= 'f'); }

// Space, control bytes, DEL and non-ASCII are refused rather than percent-encoded: the
// engine sends the target as given, and such bytes on a request line are never valid.
bool chars_ok(std::string_view s) {
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}

std::string_view drop_fragment(std::string_view s) { return s.substr(0, s.find('#')); }

// Length of a leading "scheme:" (without the colon), or 0 when there is none.
std::size_t scheme_length(std::string_view s) {
  if (s.empty() || !is_alpha(s[0])) return 0;
  for (std::size_t i = 1; i < s.size(); ++i) {
    char c = s[i];
    if (c == ':') return i;
    if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.') return 0;
  }
  return 0;
}

bool valid_ipv4(std::string_view s) {
  int parts = 0;
  while (true) {
    std::size_t dot = s.find('.');
    std::string_view part = s.substr(0, dot);
    if (part.empty() || part.size() > 3) return false;
    int v = 0;
    for (char c : part) {
      if (!is_digit(c)) return false;
      v = v * 10 + (c - '0');
    }
    if (v > 255) return false;
    ++parts;
    if (dot == std::string_view::npos) break;
    s.remove_prefix(dot + 1);
  }
  return parts == 4;
}

// Counts the 16-bit groups of one side of "::"; a dotted IPv4 tail counts as two.
bool count_groups(std::string_view s, bool allow_ipv4_tail, int* groups) {
  *groups = 0;
  if (s.empty()) return true;
  while (true) {
    std::size_t colon = s.find(':');
    std::string_view group = s.substr(0, colon);
    if (colon == std::string_view::npos && allow_ipv4_tail &&
        group.find('.') != std::string_view::npos) {
      if (!valid_ipv4(group)) return false;
      *groups += 2;
      return true;
    }
    if (group.empty() || group.size() > 4) return false;
    for (char c : group) {
      if (!is_hex(c)) return false;
    }
    ++*groups;
    if (colon == std::string_view::npos) return true;
    s.remove_prefix(colon + 1);
  }
}

bool valid_ipv6(std::string_view s) {
  std::size_t gap = s.find("::");
  if (gap == std::string_view::npos) {
    int groups = 0;
    return count_groups(s, true, &groups) && groups == 8;
  }
  if (s.find("::", gap + 1) != std::string_view::npos) return false;
  int left = 0;
  int right = 0;
  return count_groups(s.substr(0, gap), false, &left) &&
         count_groups(s.substr(gap + 2), true, &right) && left + right <= 7;
}

bool valid_host_name(std::string_view s) {
  if (s.empty() || s.size() > kHostMax) return false;
  for (char c : s) {
    if (!is_alpha(c) && !is_digit(c) && c != '-' && c != '.' && c != '_') return false;
  }
  return true;
}

void drop_last_segment(std::string& out) {
  std::size_t slash = out.rfind('/');
  out.erase(slash == std::string::npos ? 0 : slash);
}

// RFC 3986 section 5.2.4.
std::string remove_dot_segments(std::string_view in) {
  static constexpr std::string_view kSlash = "/";
  std::string out;
  out.reserve(in.size());
  while (!in.empty()) {
    if (in.starts_with("../")) {
      in.remove_prefix(3);
    } else if (in.starts_with("./")) {
      in.remove_prefix(2);
    } else if (in.starts_with("/./")) {
      in.remove_prefix(2);
    } else if (in == "/.") {
      in = kSlash;
    } else if (in.starts_with("/../")) {
      in.remove_prefix(3);
      drop_last_segment(out);
    } else if (in == "/..") {
      in = kSlash;
      drop_last_segment(out);
    } else if (in == "." || in == "..") {
      in = {};
    } else {
      std::size_t end = in.find('/', 1);
      if (end == std::string_view::npos) end = in.size();
      out.append(in.substr(0, end));
      in.remove_prefix(end);
    }
  }
  return out;
}

}  // namespace

std::string Url::host_header() const {
  std::string out = ipv6_literal ? "[" + host + "]" : host;
  if (port != default_port(scheme)) out += ":" + std::to_string(port);
  return out;
}

std::string Url::to_string() const { return scheme + "://" + host_header() + target; }

std::string Url::pool_key() const {
  char digits[8];
  const auto end = std::to_chars(digits, digits + sizeof digits, port).ptr;
  std::string key;
  key.reserve(scheme.size() + 3 + host.size() + 1 + static_cast<std::size_t>(end - digits));
  key.append(scheme).append("://").append(host).append(1, ':').append(digits, end);
  return key;
}

std::uint16_t default_port(std::string_view scheme) {
  return scheme == "https" ? 443 : scheme == "http" ? 80 : 0;
}

std::optional<std::uint16_t> parse_port(std::string_view digits) {
  if (digits.empty() || digits.size() > 5) return std::nullopt;
  unsigned value = 0;
  for (char c : digits) {
    if (!is_digit(c)) return std::nullopt;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value == 0 || value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

std::optional<UrlParts> split_url(std::string_view text) {
  const std::size_t scheme_len = scheme_length(text);
  if (scheme_len == 0 || text.substr(scheme_len, 3) != "://") return std::nullopt;
  UrlParts u;
  u.scheme = text.substr(0, scheme_len);
  std::string_view rest = text.substr(scheme_len + 3);
  const std::size_t auth_end = std::min(rest.find_first_of("/?#"), rest.size());
  std::string_view authority = rest.substr(0, auth_end);
  u.rest = rest.substr(auth_end);
  if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
    u.userinfo = authority.substr(0, at);
    u.has_userinfo = true;
    authority.remove_prefix(at + 1);
  }
  std::string_view after_host;  // ":port" or empty
  if (!authority.empty() && authority[0] == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    u.host = authority.substr(1, close - 1);
    u.bracketed = true;
    after_host = authority.substr(close + 1);
    if (!after_host.empty() && after_host[0] != ':') return std::nullopt;
  } else {
    const std::size_t colon = authority.find(':');
    u.host = authority.substr(0, colon);
    if (colon != std::string_view::npos) after_host = authority.substr(colon);
  }
  if (!after_host.empty()) {
    u.has_port = true;
    u.port = after_host.substr(1);
  }
  return u;
}

std::optional<Url> parse_url(std::string_view text, UrlError* error) {
  if (text.size() > kUrlMax) return set_error(error, "URL too long"), std::nullopt;
  text = drop_fragment(text);
  if (!chars_ok(text)) return set_error(error, "invalid character in URL"), std::nullopt;
  if (scheme_length(text) == 0) return set_error(error, "missing scheme"), std::nullopt;
  Url url;
  for (char c : text.substr(0, scheme_length(text))) url.scheme += lower(c);
  if (url.scheme != "http" && url.scheme != "https") {
    return set_error(error, "unsupported scheme"), std::nullopt;
  }
  const std::optional<UrlParts> parts = split_url(text);
  if (!parts) {
    const bool absolute = text.substr(scheme_length(text), 3) == "://";
    return set_error(error, absolute ? "bad IPv6 literal" : "not an absolute URL"), std::nullopt;
  }
  if (parts->has_userinfo) return set_error(error, "userinfo is not supported"), std::nullopt;
  if (parts->host.empty() && !parts->has_port && !parts->bracketed) {
    return set_error(error, "empty host"), std::nullopt;
  }
  if (parts->bracketed) {
    if (!valid_ipv6(parts->host)) return set_error(error, "bad IPv6 literal"), std::nullopt;
    url.ipv6_literal = true;
  } else if (!valid_host_name(parts->host)) {
    return set_error(error, "bad host name"), std::nullopt;
  }
  for (char c : parts->host) url.host += lower(c);

  url.port = default_port(url.scheme);
  if (!parts->port.empty()) {  // an empty port (":" alone) means the default
    const std::optional<std::uint16_t> port = parse_port(parts->port);
    if (!port) return set_error(error, "bad port"), std::nullopt;
    url.port = *port;
  }

  std::string_view path_query = parts->rest;  // the fragment was dropped above
  std::size_t q = path_query.find('?');
  std::string_view path = path_query.substr(0, q);
  std::string_view query = q == std::string_view::npos ? std::string_view{} : path_query.substr(q);
  url.target = path.empty() ? std::string("/") : remove_dot_segments(path);
  if (url.target.empty()) url.target = "/";
  url.target.append(query);
  return url;
}

std::optional<Url> resolve_reference(const Url& base, std::string_view reference,
                                     UrlError* error) {
  if (reference.size() > kUrlMax) return set_error(error, "URL too long"), std::nullopt;
  reference = drop_fragment(reference);
  if (!chars_ok(reference)) return set_error(error, "invalid character in URL"), std::nullopt;
  if (scheme_length(reference) != 0) return parse_url(reference, error);
  if (reference.starts_with("//")) {
    return parse_url(base.scheme + ":" + std::string(reference), error);
  }
  std::string prefix = base.scheme + "://" + base.host_header();
  std::string_view base_target = base.target;
  std::string_view base_path = base_target.substr(0, base_target.find('?'));
  if (reference.empty()) return parse_url(prefix + base.target, error);
  if (reference[0] == '/') return parse_url(prefix + std::string(reference), error);
  if (reference[0] == '?') {
    return parse_url(prefix + std::string(base_path) + std::string(reference), error);
  }
  // Merge (RFC 3986 5.2.3): the base path up to its last '/', then the reference;
  // parse_url removes the dot segments.
  std::size_t slash = base_path.rfind('/');
  std::string merged =
      slash == std::string_view::npos ? "/" : std::string(base_path.substr(0, slash + 1));
  merged.append(reference);
  return parse_url(prefix + merged, error);
}

}  // namespace ms::http

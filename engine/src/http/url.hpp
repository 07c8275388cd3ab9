// SPDX-License-Identifier: MIT
// url.hpp: the URL subset the engine fetches: http:// and https://, host name, IPv4,
// bracketed IPv6, optional port, path and query. Fragments are dropped; userinfo is refused.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ms::http {

struct Url {
  std::string scheme;   // "http" or "https", lower case
  std::string host;     // lower-cased name, dotted IPv4, or IPv6 without brackets
  std::uint16_t port = 0;  // explicit or the scheme's default
  std::string target;   // path + query, "/" when empty; what goes on the request line
  bool ipv6_literal = false;

  bool is_tls() const { return scheme == "https"; }
  // "host:port" as the Host header wants it (brackets for IPv6, port only if not default).
  std::string host_header() const;
  std::string to_string() const;  // normalised absolute URL
  // "scheme://host:port", the port always written, the host as stored (an IPv6 one without
  // brackets): what names the connections a request may reuse. Made in one allocation.
  std::string pool_key() const;
  bool operator==(const Url&) const = default;
};

struct UrlError {
  std::string reason;  // why it was refused
};

// The pieces of an absolute URL as written: "scheme://[userinfo@]host[:port][/?#rest]",
// views into the text, nothing checked beyond that shape. parse_url() validates them;
// tools that name a URL's host and port or splice a new one in (scenario files, the real
// loopback world) read them here, so there is one reading of a URL's shape.
struct UrlParts {
  std::string_view scheme;    // as written, without "://"
  std::string_view userinfo;  // without its '@'
  bool has_userinfo = false;
  std::string_view host;      // without brackets
  bool bracketed = false;     // an IPv6 literal: "[host]"
  std::string_view port;      // as written, without ':' (maybe empty, maybe not digits)
  bool has_port = false;      // a ':' followed the host
  std::string_view rest;      // from the first '/', '?' or '#' on; empty when none
};
// nullopt when text has no "scheme://" or a '[' without its ']' or a bracketed host
// followed by anything but ':' or the rest.
std::optional<UrlParts> split_url(std::string_view text);

// A port as written in a URL: 1 to 5 decimal digits, 1..65535; nullopt otherwise.
std::optional<std::uint16_t> parse_port(std::string_view digits);
// 443 for "https", 80 for "http" (lower case), 0 for any other scheme.
std::uint16_t default_port(std::string_view scheme);

// Parses an absolute URL. Returns nullopt and fills *error for anything else.
std::optional<Url> parse_url(std::string_view text, UrlError* error = nullptr);

// Resolves a Location header value against a base URL (absolute, scheme-relative,
// absolute-path and relative-path forms).
std::optional<Url> resolve_reference(const Url& base, std::string_view reference,
                                     UrlError* error = nullptr);

}  // namespace ms::http

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
  bool operator==(const Url&) const = default;
};

struct UrlError {
  std::string reason;  // why it was refused
};

// Parses an absolute URL. Returns nullopt and fills *error for anything else.
std::optional<Url> parse_url(std::string_view text, UrlError* error = nullptr);

// Resolves a Location header value against a base URL (absolute, scheme-relative,
// absolute-path and relative-path forms).
std::optional<Url> resolve_reference(const Url& base, std::string_view reference,
                                     UrlError* error = nullptr);

}  // namespace ms::http

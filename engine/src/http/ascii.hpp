// SPDX-License-Identifier: MIT
// ascii.hpp: locale-free ASCII helpers for protocol text (header names are compared
// case-insensitively, whatever the process locale says).
#pragma once

#include <string_view>

namespace ms::http {

constexpr char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// Optional whitespace (RFC 9110 OWS): SP or HTAB.
constexpr bool is_ows(char c) { return c == ' ' || c == '\t'; }

constexpr bool ascii_iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

}  // namespace ms::http

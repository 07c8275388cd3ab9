// SPDX-License-Identifier: MIT
// version.hpp: library versions and version ranges.
//
// A target names itself with a version string ("libcurl/7.88.1 OpenSSL/3.0.15 ...", or
// "8.14.1"); editions, known-deviation files and version-dependent expectations are chosen
// by comparing that version with ranges written as comparators that must all hold:
// ">=7.88.0 <8.2.0", "=7.88.1", "any".
#pragma once

#include <compare>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ms::conf {

struct Version {
  unsigned major = 0, minor = 0, patch = 0;
  // "7.88.1", "8.14", "8.14.1-DEV": numbers, a missing patch is 0, a suffix after the
  // last number is ignored. nullopt when the text does not start with a number.
  static std::optional<Version> parse(std::string_view text);
  std::string to_string() const;  // "7.88.1"
  auto operator<=>(const Version&) const = default;
};

// What a target says of itself: the implementation's name and its version, from the
// first token of a version string ("libcurl/8.14.1 OpenSSL/3.5.1" -> libcurl, 8.14.1;
// "multisock 0.1.0" -> multisock, 0.1.0; "8.14.1" -> "", 8.14.1).
struct ImplementationVersion {
  std::string implementation;  // "" when the string names none
  std::optional<Version> version;
  std::string label() const;  // "libcurl/8.14.1", or "" when no version is known
};
ImplementationVersion parse_implementation_version(std::string_view text);

// A conjunction of comparisons; empty means any version.
class VersionRange {
 public:
  struct Bound {
    enum class Op { lt, le, eq, ge, gt } op;
    Version version;
    bool operator==(const Bound&) const = default;
  };
  // Parses ">=7.88.0 <8.2.0" (space- or comma-separated) or "any"; false with a reason.
  static bool parse(std::string_view text, VersionRange& out, std::string& error);
  bool contains(const Version& v) const;
  bool any() const { return bounds_.empty(); }
  // Whether some version lies in both ranges.
  bool overlaps(const VersionRange& other) const;
  bool operator==(const VersionRange&) const = default;
  std::string to_string() const;  // canonical form, "any" when empty

 private:
  std::vector<Bound> bounds_;
};

}  // namespace ms::conf

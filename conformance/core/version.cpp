// SPDX-License-Identifier: MIT
// version.cpp: parsing and comparing library versions and ranges.
#include "conformance/version.hpp"

#include <cctype>

namespace ms::conf {
namespace {

// Reads a decimal number at text[i]; false when there is none or it is too long.
bool read_number(std::string_view text, std::size_t& i, unsigned& out) {
  const std::size_t start = i;
  unsigned long value = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    value = value * 10 + static_cast<unsigned>(text[i] - '0');
    if (value > 999999) return false;
    ++i;
  }
  out = static_cast<unsigned>(value);
  return i > start;
}

}  // namespace

std::optional<Version> Version::parse(std::string_view text) {
  Version v;
  std::size_t i = 0;
  if (!read_number(text, i, v.major)) return std::nullopt;
  if (i < text.size() && text[i] == '.') {
    ++i;
    if (!read_number(text, i, v.minor)) return std::nullopt;
    if (i < text.size() && text[i] == '.') {
      ++i;
      if (!read_number(text, i, v.patch)) return std::nullopt;
    }
  }
  return v;
}

std::string Version::to_string() const {
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
}

std::string ImplementationVersion::label() const {
  if (!version) return "";
  return implementation.empty() ? version->to_string()
                                : implementation + "/" + version->to_string();
}

ImplementationVersion parse_implementation_version(std::string_view text) {
  ImplementationVersion out;
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  std::string_view first = text.substr(0, text.find_first_of(" \t\n"));
  std::string_view rest = text.size() > first.size() ? text.substr(first.size() + 1) : "";
  const auto slash = first.find('/');
  if (slash != std::string_view::npos) {
    out.implementation = std::string(first.substr(0, slash));
    out.version = Version::parse(first.substr(slash + 1));
  } else if (auto v = Version::parse(first)) {
    out.version = v;
  } else {
    out.implementation = std::string(first);
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    out.version = Version::parse(rest.substr(0, rest.find_first_of(" \t\n")));
  }
  return out;
}

bool VersionRange::parse(std::string_view text, VersionRange& out, std::string& error) {
  VersionRange r;
  std::size_t i = 0;
  auto skip = [&] {
    while (i < text.size() && (text[i] == ' ' || text[i] == ',' || text[i] == '\t')) ++i;
  };
  skip();
  if (text.substr(i) == "any") {
    out = r;
    return true;
  }
  while (skip(), i < text.size()) {
    Bound b{Bound::Op::eq, {}};
    if (text.substr(i, 2) == ">=") b.op = Bound::Op::ge, i += 2;
    else if (text.substr(i, 2) == "<=") b.op = Bound::Op::le, i += 2;
    else if (text[i] == '>') b.op = Bound::Op::gt, ++i;
    else if (text[i] == '<') b.op = Bound::Op::lt, ++i;
    else if (text[i] == '=') b.op = Bound::Op::eq, ++i;
    else {
      error = "version range '" + std::string(text) +
              "': expected a comparison (>=, >, <=, <, =) followed by a version, or 'any'";
      return false;
    }
    const std::size_t start = i;
    while (i < text.size() && text[i] != ' ' && text[i] != ',' && text[i] != '\t') ++i;
    const std::string_view word = text.substr(start, i - start);
    auto v = Version::parse(word);
    if (!v || word.find_first_not_of("0123456789.") != std::string_view::npos) {
      error = "version range '" + std::string(text) + "': '" + std::string(word) +
              "' is not a version like 7.88.1";
      return false;
    }
    b.version = *v;
    r.bounds_.push_back(b);
  }
  if (r.bounds_.empty()) {
    error = "empty version range (write 'any' for every version)";
    return false;
  }
  out = r;
  return true;
}

bool VersionRange::contains(const Version& v) const {
  for (const Bound& b : bounds_) {
    switch (b.op) {
      case Bound::Op::lt: if (!(v < b.version)) return false; break;
      case Bound::Op::le: if (!(v <= b.version)) return false; break;
      case Bound::Op::eq: if (!(v == b.version)) return false; break;
      case Bound::Op::ge: if (!(v >= b.version)) return false; break;
      case Bound::Op::gt: if (!(v > b.version)) return false; break;
    }
  }
  return true;
}

bool VersionRange::overlaps(const VersionRange& other) const {
  // Each range is an interval of the total order of versions, so their intersection is
  // one too: it is not empty exactly when it holds its least candidate, the largest of the
  // lower ends (a strict bound's end is the next patch release).
  Version least{};
  for (const VersionRange* r : {this, &other}) {
    for (const Bound& b : r->bounds_) {
      Version low = b.version;
      if (b.op == Bound::Op::gt) ++low.patch;
      else if (b.op == Bound::Op::lt || b.op == Bound::Op::le) continue;
      if (low > least) least = low;
    }
  }
  return contains(least) && other.contains(least);
}

std::string VersionRange::to_string() const {
  if (bounds_.empty()) return "any";
  std::string s;
  for (const Bound& b : bounds_) {
    if (!s.empty()) s += ' ';
    switch (b.op) {
      case Bound::Op::lt: s += "<"; break;
      case Bound::Op::le: s += "<="; break;
      case Bound::Op::eq: s += "="; break;
      case Bound::Op::ge: s += ">="; break;
      case Bound::Op::gt: s += ">"; break;
    }
    s += b.version.to_string();
  }
  return s;
}

}  // namespace ms::conf

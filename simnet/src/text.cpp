// SPDX-License-Identifier: MIT
// text.cpp: the one lexer of scenario and peer-script lines (see text.hpp).
#include "simnet/text.hpp"

#include <algorithm>

namespace ms::sim {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool fail(TextError& err, std::size_t index, std::string reason) {
  err.column = static_cast<int>(index) + 1;
  err.reason = std::move(reason);
  return false;
}

// Decodes the string whose opening quote is at line[i]; i ends after the closing quote.
bool read_quoted(std::string_view line, std::size_t& i, std::string& out, TextError& err) {
  const std::size_t open = i++;
  while (i < line.size()) {
    const char c = line[i];
    if (c == '"') {
      ++i;
      return true;
    }
    if (c != '\\') {
      out.push_back(c);
      ++i;
      continue;
    }
    const std::size_t escape = i;
    if (i + 1 >= line.size()) return fail(err, escape, "unterminated escape");
    const char e = line[i + 1];
    i += 2;
    switch (e) {
      case 'r': out.push_back('\r'); break;
      case 'n': out.push_back('\n'); break;
      case 't': out.push_back('\t'); break;
      case '0': out.push_back('\0'); break;
      case '\\': out.push_back('\\'); break;
      case '"': out.push_back('"'); break;
      case 'x': {
        const int hi = i < line.size() ? hex_value(line[i]) : -1;
        const int lo = i + 1 < line.size() ? hex_value(line[i + 1]) : -1;
        if (hi < 0 || lo < 0) return fail(err, escape, "\\x needs two hexadecimal digits");
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        break;
      }
      default:
        return fail(err, escape, std::string("unknown escape '\\") + e + "'");
    }
  }
  return fail(err, open, "unterminated string (missing closing quote)");
}

}  // namespace

bool lex_line(std::string_view line, Tabs tabs, std::vector<TextToken>& out, TextError& err) {
  out.clear();
  out.reserve(8);  // most lines have a few words: no regrowth for them
  const auto blank = [tabs](char c) {
    return c == ' ' || (tabs == Tabs::blank && (c == '\t' || c == '\r'));
  };
  std::size_t i = 0;
  while (i < line.size()) {
    if (blank(line[i])) {
      ++i;
      continue;
    }
    if (line[i] == '\t') return fail(err, i, "tab character (use spaces)");
    if (line[i] == '#') break;  // a comment to the end of the line
    TextToken t;
    t.column = static_cast<int>(i) + 1;
    if (line[i] == '"') {
      t.quoted = true;
      if (!read_quoted(line, i, t.text, err)) return false;
      if (i < line.size() && !blank(line[i]) && line[i] != '\t')
        return fail(err, i, "expected a space after the closing quote");
    } else {
      const std::size_t first = i;
      while (i < line.size() && !blank(line[i]) && line[i] != '\t') ++i;
      t.text.assign(line.data() + first, i - first);  // one copy, not one append per byte
    }
    out.push_back(std::move(t));
  }
  return true;
}

std::string quote_text(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\r': out += "\\r"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c > 0x7e) {
          out += "\\x";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string word_or_quoted(std::string_view s) {
  const bool bare = !s.empty() && s[0] != '"' && s[0] != '#' &&
                    std::all_of(s.begin(), s.end(), [](unsigned char c) { return c > 0x20 && c < 0x7f; });
  return bare ? std::string(s) : quote_text(s);
}

bool read_decimal(std::string_view digits, std::uint64_t max, std::uint64_t& out) {
  if (digits.empty()) return false;
  std::uint64_t value = 0;
  for (const char c : digits) {
    if (c < '0' || c > '9') return false;
    const auto d = static_cast<std::uint64_t>(c - '0');
    if (d > max || value > (max - d) / 10) return false;  // value * 10 + d > max, no overflow
    value = value * 10 + d;
  }
  out = value;
  return true;
}

DurationProblem read_duration(std::string_view text, port::Nanos max, port::Nanos& out) {
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0) return DurationProblem::not_a_number;
  const std::string_view unit = text.substr(digits);
  std::uint64_t scale = 0;
  if (unit == "ns") scale = 1;
  else if (unit == "us") scale = 1000;
  else if (unit == "ms") scale = 1000 * 1000;
  else if (unit == "s") scale = 1000 * 1000 * 1000;
  else if (unit.empty() && text.find_first_not_of('0') == std::string_view::npos) scale = 1;
  else if (unit.empty()) return DurationProblem::needs_unit;
  else return DurationProblem::unknown_unit;
  const std::uint64_t max_ns = static_cast<std::uint64_t>(std::max<std::int64_t>(0, max.count()));
  std::uint64_t n = 0;
  if (!read_decimal(text.substr(0, digits), max_ns, n) || n > max_ns / scale) return DurationProblem::too_large;
  out = port::Nanos(static_cast<std::int64_t>(n * scale));
  return DurationProblem::none;
}

}  // namespace ms::sim

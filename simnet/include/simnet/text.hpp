// SPDX-License-Identifier: MIT
// text.hpp: the lexer of scenario and peer-script text, and its inverse.
//
// Both formats are lines of words separated by blanks, where a word may be a "quoted
// string" with escapes (\r \n \t \0 \\ \" \xHH) and '#' at the start of a word begins a
// comment to the end of the line. One lexer reads both, so a string that works in a peer
// block works everywhere, and quote_text() writes what lex_line() reads back byte for byte.
// Durations and decimal numbers of both formats are read here too.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "multisock/port.h"

namespace ms::sim {

struct TextToken {
  std::string text;  // a quoted token decoded, a bare one as written
  int column = 0;    // 1-based column of its first character (the quote for a quoted one)
  bool quoted = false;
};

struct TextError {
  int column = 0;  // 1-based
  std::string reason;
};

// Scenario files refuse tabs (columns in messages would be ambiguous); peer scripts
// written as files of their own take tabs and a trailing '\r' as blanks.
enum class Tabs : std::uint8_t { refused, blank };

// Cuts one line (without its '\n') into tokens; false with err filled on a tab that is
// refused, an unterminated string, a bad escape or text glued to a closing quote.
bool lex_line(std::string_view line, Tabs tabs, std::vector<TextToken>& out, TextError& err);

// The quoted form of any bytes: lex_line() reads it back as one quoted token equal to s.
std::string quote_text(std::string_view s);
// s as a bare word when it lexes back as one unquoted token equal to s, else quote_text(s).
std::string word_or_quoted(std::string_view s);

// A decimal number (digits only: no sign, no spaces, leading zeros allowed), at most max.
bool read_decimal(std::string_view digits, std::uint64_t max, std::uint64_t& out);

// Durations: a decimal integer and a unit (ns, us, ms, s: 10ms, 2s), or 0 alone; at most
// `max`. Says why it refused.
enum class DurationProblem { none, not_a_number, needs_unit, unknown_unit, too_large };
DurationProblem read_duration(std::string_view text, port::Nanos max, port::Nanos& out);

}  // namespace ms::sim

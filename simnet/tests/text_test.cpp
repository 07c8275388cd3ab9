// SPDX-License-Identifier: MIT
// The one lexer of scenario and peer-script lines, its inverse and its number readers.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "simnet/rng.hpp"
#include "simnet/text.hpp"

namespace ms::sim {
namespace {

std::string lexed(std::string_view line, Tabs tabs = Tabs::refused) {
  std::vector<TextToken> toks;
  TextError err;
  if (!lex_line(line, tabs, toks, err)) return std::to_string(err.column) + ": " + err.reason;
  std::string out;
  for (const TextToken& t : toks)
    out += (out.empty() ? "" : " ") + std::to_string(t.column) + (t.quoted ? "q" : "") + "[" + t.text + "]";
  return out;
}

TEST(Text_Lex, WordsStringsAndComments) {
  EXPECT_EQ(lexed("  send \"a b\"  now # the rest"), "3[send] 8q[a b] 15[now]");
  EXPECT_EQ(lexed("a#b #c"), "1[a#b]");
  EXPECT_EQ(lexed("\"\\r\\n\\t\\\\\\\"\\x41\\x7e\""), "1q[\r\n\t\\\"A~]");
  EXPECT_EQ(lexed(""), "");
  EXPECT_EQ(lexed("   # only a comment"), "");
}

TEST(Text_Lex, RefusesWithColumns) {
  EXPECT_EQ(lexed("send \"abc"), "6: unterminated string (missing closing quote)");
  EXPECT_EQ(lexed("send \"a\\qb\""), "8: unknown escape '\\q'");
  EXPECT_EQ(lexed("send \"\\x4g\""), "7: \\x needs two hexadecimal digits");
  EXPECT_EQ(lexed("send \"ab\\"), "9: unterminated escape");
  EXPECT_EQ(lexed("send \"ab\"cd"), "10: expected a space after the closing quote");
  EXPECT_EQ(lexed("a\tb"), "2: tab character (use spaces)");
}

TEST(Text_Lex, TabsAndCarriageReturnsAreBlanksInPeerFiles) {
  EXPECT_EQ(lexed("\tsend\t\"x\"\r", Tabs::blank), "2[send] 7q[x]");
}

// Whatever the bytes, quote_text() lexes back to one quoted token holding exactly them,
// and word_or_quoted() to one token with the same text.
TEST(Text_Quote, RoundTripsAnyBytes) {
  Xoshiro256 rng(7);
  for (int round = 0; round < 2000; ++round) {
    std::string s(rng.next() % 25, '\0');
    for (char& c : s) c = static_cast<char>(rng.next() & 0xff);
    for (const std::string& written : {quote_text(s), word_or_quoted(s)}) {
      std::vector<TextToken> toks;
      TextError err;
      ASSERT_TRUE(lex_line("x " + written + " y", Tabs::refused, toks, err)) << err.reason;
      if (s.empty() && written.empty()) continue;
      ASSERT_EQ(toks.size(), 3u) << written;
      EXPECT_EQ(toks[1].text, s);
    }
  }
  EXPECT_EQ(word_or_quoted("plain"), "plain");
  EXPECT_EQ(word_or_quoted("#x"), "\"#x\"");
  EXPECT_EQ(word_or_quoted(""), "\"\"");
}

TEST(Text_Decimal, BoundsWithoutOverflow) {
  std::uint64_t v = 0;
  EXPECT_TRUE(read_decimal("18446744073709551615", UINT64_MAX, v));
  EXPECT_EQ(v, UINT64_MAX);
  EXPECT_FALSE(read_decimal("18446744073709551616", UINT64_MAX, v));
  EXPECT_FALSE(read_decimal("99999999999999999999999", UINT64_MAX, v));
  EXPECT_TRUE(read_decimal("000255", 255, v));
  EXPECT_EQ(v, 255u);
  EXPECT_FALSE(read_decimal("256", 255, v));
  EXPECT_FALSE(read_decimal("7", 5, v));  // one digit above a small max
  EXPECT_TRUE(read_decimal("0", 0, v));
  EXPECT_FALSE(read_decimal("", 255, v));
  EXPECT_FALSE(read_decimal("-1", 255, v));
  EXPECT_FALSE(read_decimal("1 ", 255, v));
}

TEST(Text_Duration, UnitsAndBounds) {
  port::Nanos d{};
  EXPECT_EQ(read_duration("250ms", port::Nanos(1'000'000'000), d), DurationProblem::none);
  EXPECT_EQ(d.count(), 250'000'000);
  EXPECT_EQ(read_duration("0", port::Nanos(1), d), DurationProblem::none);
  EXPECT_EQ(read_duration("10", port::Nanos(1'000), d), DurationProblem::needs_unit);
  EXPECT_EQ(read_duration("10h", port::Nanos(1'000), d), DurationProblem::unknown_unit);
  EXPECT_EQ(read_duration("2s", port::Nanos(1'000'000'000), d), DurationProblem::too_large);
  EXPECT_EQ(read_duration("ms", port::Nanos(1'000), d), DurationProblem::not_a_number);
}

}  // namespace
}  // namespace ms::sim

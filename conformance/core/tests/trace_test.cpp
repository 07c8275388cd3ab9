// SPDX-License-Identifier: MIT
// trace_test.cpp: JSON lines round trip, exact format, rejection of bad input, hash.
#include "conformance/trace.hpp"

#include <gtest/gtest.h>

#include <string>

namespace ms::conf {
namespace {

Event full_event() {
  Event e;
  e.kind = EventKind::socket_cb;
  e.time_ns = 1234567890123;
  e.easy = 3;
  e.fd = 7;
  e.mask = 5;
  e.action = 4;
  e.socketp = 2;
  e.result = -1;
  e.running = 0;
  e.value = -9000000000L;
  e.code = 28;
  e.text = std::string("q\"b\\ \n\t\x01\x7f\xff\xc3\xa9 ok");
  return e;
}

bool same(const Event& a, const Event& b) {
  return a.kind == b.kind && a.time_ns == b.time_ns && a.easy == b.easy && a.fd == b.fd &&
         a.mask == b.mask && a.action == b.action && a.socketp == b.socketp && a.flags == b.flags &&
         a.result == b.result && a.running == b.running && a.value == b.value &&
         a.code == b.code && a.text == b.text;
}

TEST(Trace_Kinds, NamesRoundTrip) {
  for (int i = 0; i <= static_cast<int>(EventKind::note); ++i) {
    EventKind k = static_cast<EventKind>(i), back = EventKind::note;
    ASSERT_TRUE(event_kind_from_string(to_string(k), back)) << i;
    EXPECT_EQ(back, k);
  }
  EventKind k;
  EXPECT_FALSE(event_kind_from_string("socket_cb2", k));
}

TEST(Trace_Jsonl, DefaultsAreOmittedInFixedOrder) {
  Trace t;
  Event a;
  a.kind = EventKind::add_handle;
  a.time_ns = 5;
  a.easy = 1;
  t.events.push_back(a);
  Event b;
  b.kind = EventKind::socket_action;
  b.fd = -1;
  b.running = 2;
  b.result = 0;
  t.events.push_back(b);
  EXPECT_EQ(t.to_jsonl(),
            "{\"kind\":\"add_handle\",\"t\":5,\"easy\":1}\n"
            "{\"kind\":\"socket_action\",\"t\":0,\"running\":2}\n");
}

TEST(Trace_Jsonl, RoundTripIsExact) {
  Trace t;
  t.events.push_back(full_event());
  t.events.push_back(Event{});
  Event n;
  n.kind = EventKind::note;
  n.text = "seed 42";
  t.events.push_back(n);
  std::string text = t.to_jsonl();
  Trace back;
  std::string err;
  ASSERT_TRUE(Trace::from_jsonl(text, back, &err)) << err;
  ASSERT_EQ(back.events.size(), t.events.size());
  for (std::size_t i = 0; i < t.events.size(); ++i) EXPECT_TRUE(same(t.events[i], back.events[i])) << i;
  EXPECT_EQ(back.to_jsonl(), text);
  EXPECT_EQ(back.hash(), t.hash());
}

TEST(Trace_Flags, AreTheLeadingWordsOfTheTextAndComeBackTyped) {
  Trace t;
  Event cb;
  cb.kind = EventKind::timer_cb;
  cb.flags = EventFlag::outside | EventFlag::bad_userp | EventFlag::bad_multi;
  t.events.push_back(cb);
  Event call;
  call.kind = EventKind::assign;
  call.flags = EventFlag::in_callback;
  call.text = "and a note";
  t.events.push_back(call);
  const std::string text = t.to_jsonl();
  EXPECT_NE(text.find("\"text\":\"outside bad-userp bad-multi\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"text\":\"in-callback and a note\""), std::string::npos) << text;
  Trace back;
  std::string error;
  ASSERT_TRUE(Trace::from_jsonl(text, back, &error)) << error;
  ASSERT_EQ(back.events.size(), 2u);
  EXPECT_TRUE(back.events[0].has(EventFlag::outside));
  EXPECT_TRUE(back.events[0].has(EventFlag::bad_multi));
  EXPECT_FALSE(back.events[0].has(EventFlag::in_callback));
  EXPECT_EQ(back.events[0].text, "");
  EXPECT_EQ(back.events[1].flags, EventFlag::in_callback);
  EXPECT_EQ(back.events[1].text, "and a note");
  EXPECT_EQ(back.to_jsonl(), text);
}

TEST(Trace_Flags, WordsOutOfOrderOrInANoteStayText) {
  // Only leading words in the table's order are flags; anything else is free text, so every
  // text reads back and writes out to the same bytes.
  const std::string text =
      "{\"kind\":\"socket_cb\",\"t\":1,\"text\":\"bad-multi outside x\"}\n"
      "{\"kind\":\"note\",\"t\":2,\"text\":\"outside\"}\n"
      "{\"kind\":\"timer_cb\",\"t\":3,\"text\":\"outside  two spaces\"}\n";
  Trace t;
  std::string error;
  ASSERT_TRUE(Trace::from_jsonl(text, t, &error)) << error;
  EXPECT_EQ(t.events[0].flags, EventFlag::bad_multi);
  EXPECT_EQ(t.events[0].text, "outside x");
  EXPECT_EQ(t.events[1].flags, 0);
  EXPECT_EQ(t.events[1].text, "outside");
  EXPECT_EQ(t.events[2].flags, EventFlag::outside);
  EXPECT_EQ(t.events[2].text, " two spaces");
  EXPECT_EQ(t.to_jsonl(), text);
}

TEST(Trace_Jsonl, AcceptsNoFinalNewlineAndStandardEscapes) {
  Trace t;
  std::string err;
  ASSERT_TRUE(Trace::from_jsonl("{\"kind\":\"note\",\"t\":1,\"text\":\"a\\/b\\r\\u0041\"}", t, &err)) << err;
  ASSERT_EQ(t.events.size(), 1u);
  EXPECT_EQ(t.events[0].text, "a/b\rA");
  EXPECT_TRUE(Trace::from_jsonl("", t, &err));
  EXPECT_TRUE(t.events.empty());
}

struct Bad {
  const char* name;
  const char* text;
  const char* reason;  // a piece of the message, which also names the line
};

class TraceBadInput : public ::testing::TestWithParam<Bad> {};

TEST_P(TraceBadInput, IsRejectedWithLineAndReason) {
  const Bad& b = GetParam();
  Trace t;
  t.events.push_back(Event{});  // must stay untouched on failure
  std::string err;
  EXPECT_FALSE(Trace::from_jsonl(b.text, t, &err));
  EXPECT_NE(err.find(b.reason), std::string::npos) << err;
  EXPECT_EQ(t.events.size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(
    Table, TraceBadInput,
    ::testing::Values(
        Bad{"not_json", "hello\n", "line 1, column 1: expected '{'"},
        Bad{"second_line", "{\"kind\":\"note\",\"t\":0}\n{\"kind\":\"nope\",\"t\":0}\n", "line 2, column 9: unknown kind"},
        Bad{"unknown_key", "{\"kind\":\"note\",\"t\":0,\"x\":1}", "unknown key \"x\""},
        Bad{"duplicate_key", "{\"kind\":\"note\",\"t\":0,\"t\":1}", "duplicate key \"t\""},
        Bad{"order", "{\"kind\":\"note\",\"fd\":1,\"easy\":1}", "out of the fixed order"},
        Bad{"missing_kind", "{\"t\":0}", "missing \"kind\""},
        Bad{"empty_object", "{}", "\"kind\" is required"},
        Bad{"int_overflow", "{\"kind\":\"note\",\"fd\":2147483648}", "out of range"},
        Bad{"huge_time", "{\"kind\":\"note\",\"t\":99999999999999999999}", "out of range"},
        Bad{"float", "{\"kind\":\"note\",\"t\":1.5}", "expected an integer"},
        Bad{"string_for_int", "{\"kind\":\"note\",\"fd\":\"3\"}", "expected a number"},
        Bad{"int_for_string", "{\"kind\":\"note\",\"text\":3}", "expected '\"'"},
        Bad{"unterminated", "{\"kind\":\"note\",\"text\":\"abc", "unterminated string"},
        Bad{"bad_escape", "{\"kind\":\"note\",\"text\":\"\\q\"}", "unknown escape"},
        Bad{"wide_escape", "{\"kind\":\"note\",\"text\":\"\\u0100\"}", "above \\u00ff"},
        Bad{"trailing", "{\"kind\":\"note\"} x", "text after the closing brace"},
        Bad{"truncated", "{\"kind\":\"note\",", "expected '\"'"},
        Bad{"empty_line", "{\"kind\":\"note\"}\n\n{\"kind\":\"note\"}", "line 2: empty line"},
        Bad{"leading_zero", "{\"kind\":\"note\",\"fd\":07}", "leading zero"},
        Bad{"raw_control", "{\"kind\":\"note\",\"text\":\"a\x01\"}", "raw control byte"}),
    [](const ::testing::TestParamInfo<Bad>& i) { return std::string(i.param.name); });

// Bad input never crashes: every prefix and single-byte corruption is decided cleanly.
TEST(Trace_Jsonl, TruncatedAndCorruptedInputFailsCleanly) {
  Trace t;
  t.events.push_back(full_event());
  t.events.push_back(full_event());
  const std::string good = t.to_jsonl();
  for (std::size_t n = 0; n < good.size(); ++n) {
    Trace back;
    std::string err;
    if (!Trace::from_jsonl(good.substr(0, n), back, &err)) {
      EXPECT_EQ(err.rfind("line ", 0), 0u) << err;
    }
  }
  for (std::size_t i = 0; i < good.size(); ++i) {
    for (char b : {'\0', '"', '\\', '}', '-', '9', 'u'}) {
      std::string bad = good;
      bad[i] = b;
      Trace back;
      std::string err;
      if (!Trace::from_jsonl(bad, back, &err)) {
        EXPECT_FALSE(err.empty());
      }
    }
  }
}

TEST(Trace_Hash, IsSha256OfTheJsonLines) {
  Trace empty;
  EXPECT_EQ(empty.hash(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  Trace one;
  one.events.push_back(full_event());
  Trace other = one;
  other.events[0].time_ns += 1;
  EXPECT_EQ(one.hash().size(), 64u);
  EXPECT_NE(one.hash(), other.hash());
  EXPECT_EQ(one.hash(), Trace(one).hash());
}

}  // namespace
}  // namespace ms::conf

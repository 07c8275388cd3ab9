// SPDX-License-Identifier: MIT
// child_run_test.cpp: the answer a run's child writes and its parent reads
// (conformance/driver/child_run.hpp), on what a run really produces.
#include "child_run.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "conformance/runner.hpp"
#include "faulty_world.hpp"

namespace ms::conf {
namespace {

// A chaos run in a world with short reads and writes: a real trace and a real list of the
// world's and the policy's decisions.
ScenarioRun chaos_run() {
  TargetSpec target;
  std::string error;
  EXPECT_TRUE(parse_target("engine-sim", target, error)) << error;
  return run_scenario(fixtures::faulty_world(), target, RunOptions{});
}

TEST(ChildRun_Answer, ATraceChoicesAndTransfersReadBackAsWritten) {
  const ScenarioRun run = chaos_run();
  ASSERT_GT(run.trace.events.size(), 10u);
  ASSERT_FALSE(run.choices.empty());
  ChildRun sent;
  sent.run.trace = run.trace;
  sent.run.api_calls = 42;
  sent.run.end_time_ns = 1'500'000'000;
  sent.run.hit_call_limit = true;
  sent.choices = run.choices;
  sent.choices.push_back(std::numeric_limits<std::uint64_t>::max());
  sent.open_after_cleanup = 0;
  TransferResult t;
  t.id = "t0";
  t.easy_id = 3;
  t.done = true;
  t.result = 28;
  t.body = std::string("a\nb 7\0c", 7);  // record separators and a NUL inside a body
  t.body_bytes = 7;
  sent.run.transfers.push_back(t);

  ChildRun got;
  std::string error;
  ASSERT_TRUE(decode(encode(sent), got, error)) << error;
  EXPECT_EQ(got.run.trace.to_jsonl(), sent.run.trace.to_jsonl());
  EXPECT_EQ(got.choices, sent.choices);
  EXPECT_EQ(got.run.api_calls, 42u);
  EXPECT_EQ(got.run.end_time_ns, 1'500'000'000);
  EXPECT_TRUE(got.run.hit_call_limit);
  EXPECT_FALSE(got.run.hit_time_limit);
  EXPECT_EQ(got.open_after_cleanup, 0);
  ASSERT_EQ(got.run.transfers.size(), 1u);
  EXPECT_EQ(got.run.transfers[0].id, "t0");
  EXPECT_EQ(got.run.transfers[0].easy_id, 3);
  EXPECT_EQ(got.run.transfers[0].result, 28);
  EXPECT_EQ(got.run.transfers[0].body, t.body);
}

// A library's run under the chaos policy makes hundreds of thousands of decisions; the
// list was read from a copy of its rest per number (26 s for this one, 0.13 s now).
TEST(ChildRun_Numbers, ALongListReadsBack) {
  std::vector<std::uint64_t> v;
  std::uint64_t x = 0x9e3779b97f4a7c15ULL;
  for (int i = 0; i < 500'000; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    v.push_back(i % 3 == 0 ? x : x % 7);  // long and short numbers
  }
  v.push_back(0);
  v.push_back(std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(numbers(numbers_text(v)), v);
}

TEST(ChildRun_Numbers, AListThatIsNotOneIsRefused) {
  EXPECT_TRUE(numbers("").empty());
  EXPECT_EQ(numbers("7"), std::vector<std::uint64_t>{7});
  EXPECT_EQ(numbers("1  2"), (std::vector<std::uint64_t>{1, 2}));
  EXPECT_THROW(numbers("1 x"), std::invalid_argument);
  EXPECT_THROW(numbers("12x"), std::invalid_argument);
  EXPECT_THROW(numbers("-1"), std::invalid_argument);  // not wrapped to 2^64-1
  EXPECT_THROW(numbers(" 1"), std::invalid_argument);
  EXPECT_THROW(numbers("18446744073709551616"), std::out_of_range);

  // In an answer: a record the parent cannot read, not a crash.
  std::string answer;
  put(answer, "choices", "3 -4");
  put(answer, "end", "");
  ChildRun got;
  std::string error;
  EXPECT_FALSE(decode(answer, got, error));
  EXPECT_NE(error.find("malformed number"), std::string::npos) << error;
}

// A run killed at its deadline: a call that had begun long before never returned; one that
// had just begun did, as the calls before it did: the run went on.
TEST(ChildRun_Verdict, AHangNamesTheCallOnlyWhenItHadRunMostOfTheLimit) {
  TargetSpec target;
  std::string error;
  ASSERT_TRUE(parse_target("engine-sim", target, error)) << error;
  auto verdict = [&](std::int64_t progress_ms) {
    RunOutcome child;
    child.kind = RunKind::hang;
    child.progress = "curl_multi_socket_action";
    child.progress_ms = progress_ms;
    ScenarioRun out;
    EXPECT_FALSE(child_answered(child, target, std::chrono::milliseconds(5000), out));
    EXPECT_EQ(out.outcome, Outcome::hang);
    EXPECT_EQ(out.violations.size(), 1u);
    return out.violations.empty() ? std::string() : out.violations[0].clause + ": " + out.violations[0].message;
  };
  EXPECT_EQ(verdict(4990), "ER-NO-CRASH: expected a return code, observed no return from curl_multi_socket_action within 5 s");
  EXPECT_EQ(verdict(-1), "ER-NO-CRASH: expected a return code, observed no return from curl_multi_socket_action within 5 s");
  EXPECT_EQ(verdict(3),
            "ER-NO-CRASH: expected a return code, observed the run did not end within 5 s, its calls returning "
            "(curl_multi_socket_action in progress for 3 ms)");
}

// A hang's last words (the encoded run up to the call in progress) become the run's trace,
// and ER-NO-CRASH points at the event after it; a run whose calls kept returning keeps none
// (its trace would end wherever the child was stopped), nor does an answer that is not one.
TEST(ChildRun_Verdict, AHangKeepsTheTraceItsChildToldUpToTheCall) {
  TargetSpec target;
  std::string error;
  ASSERT_TRUE(parse_target("engine-sim", target, error)) << error;
  ChildRun told;
  for (int i = 0; i < 3; ++i) {
    Event e;
    e.kind = EventKind::note;
    e.time_ns = 1000 * i;
    e.text = "step " + std::to_string(i);
    told.run.trace.events.push_back(e);
  }
  auto verdict = [&](std::int64_t progress_ms, std::string payload) {
    RunOutcome child;
    child.kind = RunKind::hang;
    child.progress = "curl_multi_perform";
    child.progress_ms = progress_ms;
    child.payload = std::move(payload);
    ScenarioRun out;
    EXPECT_FALSE(child_answered(child, target, std::chrono::milliseconds(5000), out));
    EXPECT_EQ(out.outcome, Outcome::hang);
    return out;
  };
  const ScenarioRun kept = verdict(4990, encode(told));
  ASSERT_EQ(kept.trace.events.size(), 3u);
  EXPECT_EQ(kept.trace.events[2].text, "step 2");
  ASSERT_EQ(kept.violations.size(), 1u);
  EXPECT_EQ(kept.violations[0].event_index, 3u);
  EXPECT_EQ(kept.violations[0].time_ns, 2000);
  EXPECT_TRUE(verdict(3, encode(told)).trace.events.empty());       // its calls returned
  EXPECT_TRUE(verdict(4990, "not an answer").trace.events.empty());  // unreadable
  EXPECT_EQ(verdict(4990, "not an answer").violations[0].event_index, 0u);
}

}  // namespace
}  // namespace ms::conf

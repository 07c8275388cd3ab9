// SPDX-License-Identifier: MIT
// shrink_test.cpp: a run's decisions recorded, replayed and shrunk, and the scenario file
// the shrinker writes.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "conformance/runner.hpp"
#include "conformance/shrink.hpp"
#include "faulty_world.hpp"
#include "multisock/engine.hpp"

namespace ms::conf {
namespace {

using fixtures::faulty_world;
using fixtures::after_seed_note;

Scenario load(const std::string& name) {
  Scenario sc;
  ScenarioError err;
  EXPECT_TRUE(load_scenario(std::string(MS_SOURCE_DIR) + "/conformance/scenarios/" + name, sc, err))
      << err.to_string();
  return sc;
}

TargetSpec target(const std::string& text) {
  TargetSpec t;
  std::string error;
  EXPECT_TRUE(parse_target(text, t, error)) << error;
  return t;
}


int fault_notes(const Trace& t) {
  int n = 0;
  for (const Event& e : t.events) n += e.text.rfind("fault ", 0) == 0;
  return n;
}

std::size_t deviations(const std::vector<std::uint64_t>& v) {
  return static_cast<std::size_t>(std::count_if(v.begin(), v.end(), [](auto x) { return x != 0; }));
}

TEST(Choices, RecordedRunReplaysToTheSameTrace) {
  int faults = 0;
  for (const char* name : {"faulty", "chaos_swarm_1.scn", "add_remove_churn.scn"}) {
    const Scenario sc = std::string(name) == "faulty" ? faulty_world() : load(name);
    for (std::uint64_t seed : {1u, 2u, 3u}) {
      RunOptions ro;
      ro.seed = seed;
      ro.policy = "chaos";
      const ScenarioRun live = run_scenario(sc, target("engine-sim"), ro);
      EXPECT_FALSE(live.replayed_choices);
      EXPECT_GT(live.choices.size(), 0u) << name;
      faults += fault_notes(live.trace);
      RunOptions again = ro;
      again.choices = live.choices;
      const ScenarioRun replayed = run_scenario(sc, target("engine-sim"), again);
      EXPECT_TRUE(replayed.replayed_choices);
      EXPECT_EQ(replayed.trace_hash, live.trace_hash) << name << " seed " << seed;
      EXPECT_EQ(replayed.choices, live.choices) << name << " seed " << seed;
      // Under another seed the record still decides everything (only the note naming the
      // seed differs).
      again.seed = seed + 1000;
      const ScenarioRun other_seed = run_scenario(sc, target("engine-sim"), again);
      EXPECT_EQ(after_seed_note(other_seed.trace), after_seed_note(live.trace)) << name;
    }
  }
  EXPECT_GT(faults, 0) << "the world's decisions were recorded too";
}

TEST(Choices, EmptyRecordMeansNoFaultAndNoDeviation) {
  const Scenario sc = faulty_world();
  int live_faults = 0;
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    RunOptions ro;
    ro.seed = seed;
    live_faults += fault_notes(run_scenario(sc, target("engine-sim"), ro).trace);
  }
  EXPECT_GT(live_faults, 0) << "the scenario's world injects faults";
  RunOptions ro;
  ro.choices = std::vector<std::uint64_t>{};
  const ScenarioRun quiet = run_scenario(sc, target("engine-sim"), ro);
  EXPECT_EQ(fault_notes(quiet.trace), 0);
  EXPECT_GT(quiet.choices.size(), 0u);  // decisions were made, every one of them 0
  EXPECT_EQ(deviations(quiet.choices), 0u);
  EXPECT_EQ(quiet.outcome, Outcome::pass) << quiet.message;
}

TEST(ShrinkRecord, FindsTheSmallestRecordThePredicateAccepts) {
  // Fails when decision 5 is at least 3 and decision 10 is not 0, whatever else is there.
  const auto fails = [](const std::vector<std::uint64_t>& c, std::vector<std::uint64_t>& read) {
    const auto at = [&](std::size_t i) { return i < c.size() ? c[i] : 0; };
    if (at(5) < 3 || at(10) == 0) return false;
    read = c;
    return true;
  };
  std::vector<std::uint64_t> start(40);
  for (std::size_t i = 0; i < start.size(); ++i) start[i] = 1 + (i * 7) % 13;
  int runs = 0;
  const auto small = shrink_record(start, fails, 1000, runs);
  const std::vector<std::uint64_t> want = {0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 1};
  EXPECT_EQ(small, want);
  EXPECT_LE(runs, 1000);
}

TEST(ShrinkRecord, StopsAtTheBudgetWithAFailingRecord) {
  int calls = 0;
  const auto fails = [&](const std::vector<std::uint64_t>& c, std::vector<std::uint64_t>& read) {
    ++calls;
    if (deviations(c) < 20) return false;
    read = c;
    return true;
  };
  std::vector<std::uint64_t> start(100, 5);
  int runs = 0;
  const auto small = shrink_record(start, fails, 7, runs);
  EXPECT_EQ(runs, 7);
  EXPECT_EQ(calls, 7);
  EXPECT_GE(deviations(small), 20u);  // never a record that does not fail
}

TEST(ShrinkRecord, WithoutZerosPastTheEndTheLengthStays) {
  // The fuzzer's bytes: a trailing 0 is data, not "past the end".
  const auto fails = [](const std::vector<std::uint64_t>& c, std::vector<std::uint64_t>& read) {
    if (c.size() < 4) return false;
    read = c;
    return true;
  };
  int runs = 0;
  const auto small = shrink_record({9, 9, 9, 9, 9, 9}, fails, 200, runs, false);
  EXPECT_EQ(small, (std::vector<std::uint64_t>{0, 0, 0, 0}));
}

// A seed-sweep failure (a mutant under the chaos policy) shrinks to a handful of
// deviations, and the written scenario replays it on its own.
TEST(Shrink, SeedSweepFailure_ShrinksToAReplayableScenario) {
  if (!ms::mutants_compiled_in()) GTEST_SKIP() << "built without MS_MUTANTS";
  const Scenario sc = load("add_remove_churn.scn");
  const TargetSpec mutant = target("engine-sim:mutant=spurious_fails");
  RunOptions ro;
  ro.seed = 1000;
  ro.policy = "chaos";
  const ShrinkResult r = shrink_choices(sc, mutant, ro, 400);
  ASSERT_TRUE(r.failed);
  EXPECT_EQ(r.clause, "SA-SPURIOUS");
  EXPECT_GT(deviations(r.original), 10u);
  EXPECT_LE(deviations(r.choices), 3u);
  EXPECT_LT(r.choices.size(), r.original.size());
  EXPECT_LE(r.runs, 401);

  const Scenario small = shrunk_scenario(sc, mutant, ro, r, "a test");
  Scenario back;
  ScenarioError err;
  ASSERT_TRUE(parse_scenario(format_scenario(small), "shrunk.scn", back, err)) << err.to_string();
  EXPECT_EQ(back.choices, r.choices);
  // No option is needed: the mutant, the policy and the record are in the file.
  const ScenarioRun again = run_scenario(back, target("engine-sim"), RunOptions{});
  ASSERT_FALSE(again.violations.empty());
  EXPECT_TRUE(same_failure(r.final_run, again)) << again.message;
  // The same file without the defect passes: the failure is the mutant's.
  std::erase_if(back.policies, [](const PolicySpec& p) { return p.name == "mutant"; });
  const ScenarioRun fixed = run_scenario(back, target("engine-sim"), RunOptions{});
  EXPECT_EQ(fixed.outcome, Outcome::pass) << fixed.message;
}

TEST(Shrink, SameFailure_IsTheSameClauseAndForExpectTheSameExpectation) {
  const auto run = [](Outcome o, std::vector<std::pair<std::string, std::string>> vs) {
    ScenarioRun r;
    r.outcome = o;
    for (auto& [clause, message] : vs) {
      Violation v;
      v.clause = clause;
      v.message = message;
      r.violations.push_back(v);
    }
    return r;
  };
  const ScenarioRun expect_ok = run(Outcome::fail, {{"EXPECT", "transfer a: expected result OK, observed RECV_ERROR"}});
  EXPECT_TRUE(same_failure(expect_ok, run(Outcome::fail, {{"EXPECT", "transfer a: expected result OK, observed SEND_ERROR"}})));
  EXPECT_FALSE(same_failure(expect_ok, run(Outcome::fail, {{"EXPECT", "transfer b: expected result OK, observed RECV_ERROR"}})));
  const ScenarioRun spurious = run(Outcome::fail, {{"SA-SPURIOUS", "x"}});
  EXPECT_TRUE(same_failure(spurious, run(Outcome::fail, {{"TM-DELETE", "y"}, {"SA-SPURIOUS", "z"}})));
  EXPECT_FALSE(same_failure(spurious, run(Outcome::fail, {{"TM-DELETE", "y"}})));
  EXPECT_FALSE(same_failure(spurious, run(Outcome::pass, {})));
  EXPECT_TRUE(same_failure(run(Outcome::hang, {}), run(Outcome::hang, {})));
  EXPECT_FALSE(same_failure(run(Outcome::hang, {}), run(Outcome::crash, {})));
  // A violation of the clause that a known deviation covers is not the failure.
  ScenarioRun known_zero = run(Outcome::fail, {{"SA-ZERO", "observed MSE_HTTP2"}});
  known_zero.violations[0].known = "libcurl.known:98: the h2c deviation";
  EXPECT_FALSE(same_failure(run(Outcome::fail, {{"SA-ZERO", "observed MSE_OPERATION_TIMEDOUT"}}), known_zero));
  ScenarioRun both = known_zero;
  both.violations.push_back(run(Outcome::fail, {{"SA-ZERO", "observed MSE_OPERATION_TIMEDOUT"}}).violations[0]);
  EXPECT_TRUE(same_failure(run(Outcome::fail, {{"SA-ZERO", "observed MSE_OPERATION_TIMEDOUT"}}), both));
  EXPECT_TRUE(same_failure(known_zero, known_zero));  // a run whose violations are all known
}

TEST(Shrink, PassingRunIsNotShrunk) {
  const ShrinkResult r = shrink_choices(load("head_request.scn"), target("engine-sim"), RunOptions{});
  EXPECT_FALSE(r.failed);
  EXPECT_EQ(r.runs, 0);
}

TEST(FuzzInput, OutOfRangeInputsStandForNoScenario) {
  const std::vector<std::uint8_t> two = {1, 2};
  EXPECT_EQ(fuzz_input_scenario(two.data(), two.size()), "");
  const std::vector<std::uint8_t> huge(kFuzzInputMax + 1, 'a');
  EXPECT_EQ(fuzz_input_scenario(huge.data(), huge.size()), "");
  const std::vector<std::uint8_t> ok = {6, 3, 3, 2, 'a', 'b', 'c'};
  Scenario sc;
  ScenarioError err;
  ASSERT_TRUE(parse_scenario(fuzz_input_scenario(ok.data(), ok.size()), "f.scn", sc, err))
      << err.to_string();
  EXPECT_EQ(sc.client.size(), 5u);  // four adds and the end
  ASSERT_EQ(sc.policies.size(), 1u);
  EXPECT_EQ(sc.policies[0].name, "chaos");
}

// Byte 2's 0x04 makes the peer speak HTTP/2: every input of that kind is a scenario that
// parses (fuzz_input_parse aborts otherwise), and a well-formed one runs clean on the engine
// with its transfers sharing one connection.
TEST(FuzzInput, Http2InputsParse_AndAWellFormedOneRunsClean) {
  std::uint32_t x = 12345;
  for (int n = 0; n < 3000; ++n) {
    std::vector<std::uint8_t> input(3 + n % 60);
    for (auto& b : input) b = static_cast<std::uint8_t>((x = x * 1664525u + 1013904223u) >> 24);
    input[2] |= 0x04;
    Scenario sc;
    std::string text;
    ASSERT_TRUE(fuzz_input_parse(input.data(), input.size(), sc, text));
    ASSERT_EQ(sc.peers.size(), 1u);
    EXPECT_NE(sc.peers[0].script_text.find("h2"), std::string::npos) << text;
  }
  // h2c, three transfers, no limits; expect 3 requests, reply 2, 1 and 3 with 16 bytes each.
  for (std::uint8_t tls : {0, 0x08}) {
    const std::vector<std::uint8_t> input = {0, 0, static_cast<std::uint8_t>(0x06 | tls), 0, 0, 2,
                                             4, 1, 0, 2, 4, 0, 0, 2, 4, 2, 0, 2};
    Scenario sc;
    std::string text;
    ASSERT_TRUE(fuzz_input_parse(input.data(), input.size(), sc, text));
    ASSERT_EQ(sc.client.size(), 4u) << text;
    EXPECT_TRUE(sc.client[0].transfer.pipewait);
    const ScenarioRun r = run_scenario(sc, target("engine-sim"), RunOptions{});
    EXPECT_EQ(r.outcome, Outcome::pass) << r.message << "\n" << text;
    int ok = 0, connects = 0;
    for (const Event& e : r.trace.events) {
      ok += e.kind == EventKind::info_read && e.easy != 0 && e.code == 0;
      connects += e.kind == EventKind::net_connect;
    }
    EXPECT_EQ(ok, 3) << text;
    EXPECT_EQ(connects, 1) << "the three transfers share one connection\n" << text;
  }
}

}  // namespace
}  // namespace ms::conf

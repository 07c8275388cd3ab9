// SPDX-License-Identifier: MIT
// real_targets_test.cpp: the real-time targets (engine-real, the system's libcurl through
// dlopen) run scripted scenarios on loopback peers; the epoll environment on its own.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "conformance/runner.hpp"
#include "real_environment.hpp"

namespace ms::conf {
namespace {



std::string failures(const ScenarioRun& r) {
  std::string s = std::string(to_string(r.outcome)) + ": " + r.message;
  for (const Violation& v : r.violations) s += "\n  " + v.clause + ": " + v.message;
  return s;
}

TEST(RealEnvironment, WaitWithoutDeadlineReturnsAfterIdleBound) {
  RealEnvironment env(nullptr, std::chrono::milliseconds(30));
  ASSERT_TRUE(env.ok());
  const Nanos before = env.now();
  EXPECT_TRUE(env.wait(std::nullopt));
  const Nanos waited = env.now() - before;
  EXPECT_GE(waited, std::chrono::milliseconds(30));
  EXPECT_LT(waited, std::chrono::seconds(5));
}

TEST(RealEnvironment, WatchedReadableDescriptorIsReported) {
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  RealEnvironment env(nullptr);
  env.watch(sv[0], MS_POLL_IN);
  ASSERT_EQ(::write(sv[1], "x", 1), 1);
  EXPECT_TRUE(env.wait(env.now() + std::chrono::seconds(2)));
  std::vector<int> ready;
  env.ready_changes(ready);
  EXPECT_EQ(ready, std::vector<int>{sv[0]});
  EXPECT_EQ(env.readiness(sv[0]) & MS_CSELECT_IN, MS_CSELECT_IN);
  // NONE keeps the registration but reports nothing, however readable the socket is.
  env.watch(sv[0], MS_POLL_NONE);
  EXPECT_EQ(env.watched(), 1u);
  EXPECT_TRUE(env.wait(env.now() + std::chrono::milliseconds(20)));
  env.ready_changes(ready);
  EXPECT_TRUE(ready.empty());
  env.watch(sv[0], MS_POLL_REMOVE);
  EXPECT_EQ(env.watched(), 0u);
  ::close(sv[0]);
  ::close(sv[1]);
}

TEST(RealTargets, WorldFaultsAreSkippedNotRun) {
  Scenario sc;
  ScenarioError err;
  ASSERT_TRUE(parse_scenario("seed 1\nworld reset 0.5\npeer p listen 127.0.0.9:80\n"
                             "  accept\n  expect request\n  close\n"
                             "client\n  add a url http://127.0.0.9/\n  at 1s end\n",
                             "faults.scn", sc, err))
      << err.to_string();
  TargetSpec t;
  std::string error;
  ASSERT_TRUE(parse_target("engine-real", t, error));
  const ScenarioRun r = run_scenario(sc, t, {});
  EXPECT_TRUE(r.skipped);
  EXPECT_EQ(r.outcome, Outcome::pass);
  EXPECT_NE(r.message.find("reset"), std::string::npos) << r.message;
  EXPECT_TRUE(r.trace.events.empty());
}

struct Case {
  const char* target;
  const char* scenario;
};

// Test names and failure messages show the case, never the struct's bytes.
void PrintTo(const Case& c, std::ostream* os) { *os << c.target << " " << c.scenario; }

class RealScenario : public ::testing::TestWithParam<Case> {};

TEST_P(RealScenario, RunsWithoutCrashHangOrErrorAndMeetsItsDoneResults) {
  const Case c = GetParam();
  TargetSpec t;
  std::string error;
  ASSERT_TRUE(parse_target(c.target, t, error)) << error;
  ASSERT_TRUE(apply_world("real", t, error)) << error;  // loopback sockets, real time
  if (t.kind == TargetSpec::Kind::lib && !std::filesystem::exists(t.library))
    GTEST_SKIP() << t.library << " is not installed";
  Scenario sc;
  ScenarioError err;
  ASSERT_TRUE(load_scenario(std::string(MS_SOURCE_DIR) + "/conformance/scenarios/" +
                                c.scenario + ".scn",
                            sc, err))
      << err.to_string();
  const ScenarioRun r = run_scenario(sc, t, {});
  EXPECT_FALSE(r.skipped) << r.message;
  EXPECT_NE(r.outcome, Outcome::crash) << failures(r);
  EXPECT_NE(r.outcome, Outcome::hang) << failures(r);
  EXPECT_NE(r.outcome, Outcome::error) << failures(r);
  // The scenario's `done` lines (and `running 0 at end`) hold on real sockets too;
  // clause verdicts are the report's business (libcurl deviates from some).
  for (const Violation& v : r.violations) {
    if (v.clause != "EXPECT") continue;
    EXPECT_EQ(v.message.find("transfer "), std::string::npos) << v.message;
    EXPECT_EQ(v.message.find("running 0"), std::string::npos) << v.message;
  }
  EXPECT_FALSE(r.trace.events.empty());
  // Every transfer that must end did end: its DONE is in the trace.
  std::size_t dones = 0;
  for (const Event& e : r.trace.events)
    if (e.kind == EventKind::info_read && e.easy != 0 && e.result == MSMSG_DONE) ++dones;
  EXPECT_GE(dones, static_cast<std::size_t>(std::count_if(
                       sc.expect.done.begin(), sc.expect.done.end(),
                       [](const ExpectDone& d) { return !d.condition; })));  // one per transfer
}

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  std::string t = info.param.target;
  t = t == "engine-real" ? "engine_real" : "libcurl";
  return t + "_" + info.param.scenario;
}

INSTANTIATE_TEST_SUITE_P(
    Scripted, RealScenario,
    ::testing::Values(Case{"engine-real", "timeout_on_hang"},
                      Case{"engine-real", "mask_zero_two_peers"},
                      Case{"engine-real", "chunked_spurious_reads"},
                      Case{"engine-real", "refused_and_dns_failure"},
                      Case{"lib:/usr/lib/x86_64-linux-gnu/libcurl.so.4", "timeout_on_hang"},
                      Case{"lib:/usr/lib/x86_64-linux-gnu/libcurl.so.4", "mask_zero_two_peers"},
                      Case{"lib:/usr/lib/x86_64-linux-gnu/libcurl.so.4", "chunked_spurious_reads"},
                      Case{"lib:/usr/lib/x86_64-linux-gnu/libcurl.so.4",
                           "refused_and_dns_failure"}),
    case_name);

}  // namespace
}  // namespace ms::conf

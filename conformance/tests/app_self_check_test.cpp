// SPDX-License-Identifier: MIT
// The application clauses applied to the harness's own simulated application (the driver):
// over the engine in virtual time, every scripted scenario whose policy keeps the rules
// breaks no application clause, and each scenario whose policy breaks one on purpose shows
// exactly that one. The driver's traces have no app_* events (its waits are the simulated
// world's), so AP-WATCH, AP-UNWATCH, AP-MASK and AP-ACT are not exercised here; timers are
// judged with no tolerance (virtual time).
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>

#include "conformance/app_checker.hpp"
#include "conformance/runner.hpp"

namespace ms::conf {
namespace {

namespace fs = std::filesystem;

// Scenarios whose application breaks an application rule on purpose, and the clauses.
const std::map<std::string, std::set<std::string>> kOnPurpose = {
    // `policy chaos`: timers fired at random moments, early ones among them.
    {"chaos_swarm_1", {"AP-TIMER-EARLY"}},
    {"chaos_swarm_2", {"AP-TIMER-EARLY"}},
    {"chaos_swarm_3", {"AP-TIMER-EARLY"}},
    // `policy timeouts`: timers fired early and late on purpose.
    {"early_and_late_timeouts", {"AP-TIMER-EARLY"}},
    // `policy legacy` / `socket-all`: curl_multi_socket_all, which runs every timer, at
    // moments of the application's choosing.
    {"legacy_multi_socket_calls", {"AP-TIMER-EARLY"}},
    {"socket_all_rechecks", {"AP-TIMER-EARLY"}},
    // `policy nested` / `recurse`: multi calls from inside callbacks, to see them refused.
    {"nested_calls_in_callbacks", {"AP-REENTRY"}},
    {"classic_recursive_calls", {"AP-REENTRY"}},
    // curl_multi_cleanup with transfers still added.
    {"cleanup_with_pending_transfers", {"AP-REMOVE-DONE"}},
};

TEST(AppSelfCheck, TheSimulatedApplicationBreaksOnlyTheRulesItsPolicyBreaks) {
  TargetSpec target;
  std::string error;
  ASSERT_TRUE(parse_target("engine-sim", target, error)) << error;
  std::size_t scenarios = 0, exercised = 0;
  std::set<std::string> seen;
  for (const auto& entry : fs::directory_iterator(MS_SCENARIO_DIR)) {
    if (entry.path().extension() != ".scn") continue;
    Scenario sc;
    ScenarioError se;
    ASSERT_TRUE(load_scenario(entry.path().string(), sc, se)) << se.to_string();
    if (sc.canary) continue;
    const ScenarioRun r = run_scenario(sc, target, {});
    const AppCheck c = check_application(r.trace, Edition::e8, AppCheckOptions{.tolerance_ms = 0});
    std::set<std::string> broken;
    std::string first;
    for (const Violation& v : c.violations) {
      if (broken.insert(v.clause).second && first.empty()) first = v.clause + ": " + v.message;
    }
    const auto it = kOnPurpose.find(r.name);
    EXPECT_EQ(broken, it == kOnPurpose.end() ? std::set<std::string>{} : it->second) << r.name << " " << first;
    if (it != kOnPurpose.end()) seen.insert(r.name);
    for (const ClauseResult& res : c.results) exercised += res.exercised;
    ++scenarios;
  }
  EXPECT_GE(scenarios, 80u);
  EXPECT_GT(exercised, 1000u);
  EXPECT_EQ(seen.size(), kOnPurpose.size()) << "a scenario of kOnPurpose is gone";
}

}  // namespace
}  // namespace ms::conf

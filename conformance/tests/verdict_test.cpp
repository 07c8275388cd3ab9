// SPDX-License-Identifier: MIT
// verdict_test.cpp: the verdict rules (conformance/verdict.hpp), one table per rule.
#include "conformance/verdict.hpp"

#include <gtest/gtest.h>

#include <csignal>

namespace ms::conf {
namespace {

Violation viol(const std::string& clause, const std::string& known = "") {
  Violation v;
  v.clause = clause;
  v.message = "expected x, observed y";
  v.known = known;
  return v;
}

ScenarioRun run_of(Outcome outcome, std::vector<Violation> vs, std::string file = "a.scn", std::uint64_t seed = 1) {
  ScenarioRun r;
  r.name = "a";
  r.file = std::move(file);
  r.seed = seed;
  r.outcome = outcome;
  r.violations = std::move(vs);
  return r;
}

// TM-DELETE is a SHOULD, SC-CHANGES a MUST, ER-REMOVE-UNADDED an OBSERVED clause outside
// the documented contract; "EXPECT" is an unmet expect line.
TEST(Verdict, ScenarioFromViolations) {
  struct Case {
    const char* what;
    Outcome outcome;
    std::vector<Violation> violations;
    bool strict;
    Verdict want;
  };
  const std::vector<Case> cases = {
      {"no violation", Outcome::pass, {}, false, Verdict::pass},
      {"MUST", Outcome::fail, {viol("SC-CHANGES")}, false, Verdict::fail},
      {"SHOULD only", Outcome::fail, {viol("TM-DELETE")}, false, Verdict::warn},
      {"SHOULD under strict", Outcome::fail, {viol("TM-DELETE")}, true, Verdict::fail},
      {"unmet expect line", Outcome::fail, {viol("EXPECT")}, false, Verdict::fail},
      {"covered MUST", Outcome::fail, {viol("SC-CHANGES", "known.txt:3: x")}, false, Verdict::known},
      {"covered MUST beside a SHOULD", Outcome::fail, {viol("SC-CHANGES", "k:1"), viol("TM-DELETE")}, false, Verdict::warn},
      {"SHOULD beside a MUST", Outcome::fail, {viol("TM-DELETE"), viol("SC-CHANGES")}, false, Verdict::fail},
      {"outside the contract only", Outcome::fail, {viol("LG-CALL-AGAIN")}, false, Verdict::pass},
      {"crash", Outcome::crash, {viol("ER-NO-CRASH")}, false, Verdict::fail},
      {"hang without violation", Outcome::hang, {}, false, Verdict::fail},
      {"harness error beside a violation", Outcome::error, {viol("SC-CHANGES")}, false, Verdict::error},
      {"nondeterministic", Outcome::nondeterministic, {viol("DT-REPLAY")}, false, Verdict::fail},
  };
  for (const Case& c : cases) {
    const Contract k = contract(Edition::e8, c.strict);
    EXPECT_EQ(verdict_of_run(run_of(c.outcome, c.violations), k).verdict, c.want) << c.what;
  }
}

TEST(Verdict, SkippedAndDetail) {
  const Contract k = contract(Edition::e8, false);
  ScenarioRun r = run_of(Outcome::pass, {});
  r.skipped = true;
  r.message = "skipped: the world injects faults";
  const ScenarioVerdict v = verdict_of_run(r, k);
  EXPECT_EQ(v.verdict, Verdict::skipped);
  EXPECT_EQ(v.detail, "the world injects faults");  // the prefix is the runner's, said once
  ScenarioRun crash = run_of(Outcome::crash, {});
  crash.signal = SIGSEGV;
  EXPECT_EQ(verdict_of_run(crash, k).detail, "crash SIGSEGV");
  crash.violations = {viol("ER-NO-CRASH")};
  crash.violations[0].message = "expected no crash, observed SIGSEGV inside curl_multi_assign(NULL, ...)";
  EXPECT_EQ(verdict_of_run(crash, k).detail, "crash SIGSEGV: inside curl_multi_assign(NULL, ...)");
  ScenarioRun hang = run_of(Outcome::hang, {viol("ER-NO-CRASH")});
  hang.violations[0].message = "expected a return code, observed no return from curl_multi_add_handle within 23 s";
  EXPECT_EQ(verdict_of_run(hang, k).detail, "hang: no return from curl_multi_add_handle within 23 s");
  hang.violations[0].message =
      "expected a return code, observed the run did not end within 5 s, its calls returning "
      "(curl_multi_socket_action in progress for 3 ms)";
  EXPECT_EQ(verdict_of_run(hang, k).detail,
            "hang: the run did not end within 5 s, its calls returning (curl_multi_socket_action in progress for 3 ms)");
  EXPECT_EQ(verdict_of_run(run_of(Outcome::fail, {viol("TM-DELETE")}), k).detail.rfind("TM-DELETE at event 0", 0), 0u);
}

TEST(Verdict, CrashAndHangCarryErNoCrash) {
  ScenarioRun crash = run_of(Outcome::crash, {});
  crash.signal = SIGABRT;
  ensure_crash_violation(crash);
  ASSERT_EQ(crash.violations.size(), 1u);
  EXPECT_EQ(crash.violations[0].clause, "ER-NO-CRASH");
  EXPECT_NE(crash.violations[0].message.find("SIGABRT"), std::string::npos);
  ensure_crash_violation(crash);  // never twice
  EXPECT_EQ(crash.violations.size(), 1u);
  ScenarioRun hang = run_of(Outcome::hang, {});
  hang.message = "did not finish within 100 ms";
  ensure_crash_violation(hang);
  ASSERT_EQ(hang.violations.size(), 1u);
  EXPECT_NE(hang.violations[0].message.find("hang"), std::string::npos);
  ScenarioRun passed = run_of(Outcome::pass, {});
  ensure_crash_violation(passed);
  EXPECT_TRUE(passed.violations.empty());

  // The clause table says ER-NO-CRASH failed, never passed or not exercised.
  std::vector<ScenarioRun> runs = {crash};
  const Contract k = contract(Edition::e8, false);
  const auto groups = group_repeats(runs);
  std::vector<ScenarioVerdict> vs = {verdict_of_repeats(groups[0], k)};
  const auto cl = clause_verdicts(groups, vs, k);
  int found = 0;
  for (std::size_t i = 0; i < k.clauses.size(); ++i)
    if (k.clauses[i].id == "ER-NO-CRASH") {
      ++found;
      EXPECT_EQ(cl[i].verdict, Verdict::fail);
      EXPECT_EQ(cl[i].violations, 1u);
      EXPECT_GE(cl[i].exercised, 1u);
    }
  EXPECT_EQ(found, 1) << "ER-NO-CRASH is not in the edition's table";
}

TEST(Verdict, Canary) {
  const Contract k = contract(Edition::e8, false);
  ScenarioRun fired = run_of(Outcome::pass, {viol("IR-ONCE")});
  fired.expected_violations = {"IR-ONCE"};
  EXPECT_EQ(verdict_of_run(fired, k).verdict, Verdict::fail);
  EXPECT_EQ(verdict_of_run(fired, k).detail, "canary: failed as required");
  ScenarioRun silent = run_of(Outcome::fail, {});
  silent.expected_violations = {"IR-ONCE"};
  EXPECT_EQ(verdict_of_run(silent, k).verdict, Verdict::error);
  EXPECT_NE(verdict_of_run(silent, k).detail.find("IR-ONCE"), std::string::npos);
  EXPECT_EQ(missing_expected_violations({"A", "B"}, {viol("B")}), std::vector<std::string>{"A"});
}

TEST(Verdict, Repeats) {
  const Contract k = contract(Edition::e8, false);
  struct Case {
    std::vector<std::vector<Violation>> runs;
    Verdict want;
    std::size_t kinds;
  };
  const std::vector<Case> cases = {
      {{{}, {}}, Verdict::pass, 1},
      {{{viol("SC-CHANGES")}, {viol("SC-CHANGES")}}, Verdict::fail, 1},
      {{{}, {viol("SC-CHANGES")}, {}}, Verdict::flaky, 2},
      {{{viol("TM-DELETE")}, {}}, Verdict::flaky, 2},
  };
  for (const Case& c : cases) {
    std::vector<ScenarioRun> runs;
    for (std::size_t i = 0; i < c.runs.size(); ++i) {
      runs.push_back(run_of(c.runs[i].empty() ? Outcome::pass : Outcome::fail, c.runs[i]));
      runs.back().repeat = static_cast<int>(i);
    }
    const auto groups = group_repeats(runs);
    ASSERT_EQ(groups.size(), 1u);
    const ScenarioVerdict v = verdict_of_repeats(groups[0], k);
    EXPECT_EQ(v.verdict, c.want);
    EXPECT_EQ(v.repeats.size(), c.kinds);
    int total = 0;
    for (auto& [w, n] : v.repeats) total += n;
    EXPECT_EQ(total, static_cast<int>(c.runs.size()));
  }
  // Another seed or file is another scenario, not a repetition.
  std::vector<ScenarioRun> runs = {run_of(Outcome::pass, {}, "a.scn", 1), run_of(Outcome::pass, {}, "a.scn", 2),
                                   run_of(Outcome::pass, {}, "b.scn", 1)};
  EXPECT_EQ(group_repeats(runs).size(), 3u);
}

Verdict clause_verdict_of(const std::string& id, const std::vector<ScenarioRun>& runs, const Contract& k) {
  const auto groups = group_repeats(runs);
  std::vector<ScenarioVerdict> vs;
  for (const auto& g : groups) vs.push_back(verdict_of_repeats(g, k));
  const auto cl = clause_verdicts(groups, vs, k);
  for (std::size_t i = 0; i < k.clauses.size(); ++i)
    if (k.clauses[i].id == id) return cl[i].verdict;
  return Verdict::error;
}

TEST(Verdict, Clauses) {
  const Contract doc = contract(Edition::e8, false);
  const Contract c788 = contract(Edition::e7_88, false);
  auto exercised = [](ScenarioRun r, const char* id) {
    ClauseResult cr;
    cr.clause = find_clause(id);
    cr.exercised = 3;
    r.clause_results.push_back(cr);
    return r;
  };
  const ScenarioRun clean = exercised(run_of(Outcome::pass, {}), "SC-CHANGES");
  EXPECT_EQ(clause_verdict_of("SC-CHANGES", {clean}, doc), Verdict::pass);
  EXPECT_EQ(clause_verdict_of("TM-AGREE", {clean}, doc), Verdict::skipped);  // not exercised
  EXPECT_EQ(clause_verdict_of("ER-REMOVE-UNADDED", {clean}, doc), Verdict::skipped);  // not in this edition
  EXPECT_EQ(clause_verdict_of("SC-CHANGES", {run_of(Outcome::fail, {viol("SC-CHANGES")})}, doc), Verdict::fail);
  EXPECT_EQ(clause_verdict_of("TM-DELETE", {run_of(Outcome::fail, {viol("TM-DELETE")})}, doc), Verdict::warn);
  EXPECT_EQ(clause_verdict_of("TM-DELETE", {run_of(Outcome::fail, {viol("TM-DELETE")})}, contract(Edition::e8, true)),
            Verdict::fail);
  EXPECT_EQ(clause_verdict_of("SC-CHANGES", {run_of(Outcome::fail, {viol("SC-CHANGES", "k:1")})}, doc), Verdict::known);
  // Violations in a flaky scenario only.
  ScenarioRun a = run_of(Outcome::pass, {}), b = run_of(Outcome::fail, {viol("SC-CHANGES")});
  b.repeat = 1;
  EXPECT_EQ(clause_verdict_of("SC-CHANGES", {a, b}, doc), Verdict::flaky);
  // A skipped or error scenario grades nothing.
  ScenarioRun skipped = run_of(Outcome::pass, {viol("SC-CHANGES")});
  skipped.skipped = true;
  skipped.message = "skipped: why";
  EXPECT_EQ(clause_verdict_of("SC-CHANGES", {skipped}, doc), Verdict::skipped);
  // An excluded clause says why.
  const Contract k = contract(Edition::e7_16, false);
  bool found = false;
  for (const ContractClause& cc : k.clauses)
    if (cc.id == "ER-REMOVE-UNADDED") {
      found = true;
      EXPECT_FALSE(cc.in_contract);
      EXPECT_EQ(cc.skip_detail, "not in edition 7.16");
    }
  for (const ContractClause& cc : c788.clauses)
    if (cc.id == "ER-REMOVE-UNADDED") {
      EXPECT_TRUE(cc.in_contract);
    }
  EXPECT_TRUE(found);
}

TEST(Verdict, RunAndExitCode) {
  auto sv = [](Verdict v) {
    ScenarioVerdict s;
    s.verdict = v;
    return s;
  };
  struct Case {
    std::vector<Verdict> scenarios;
    Verdict want;
    int exit;
  };
  const std::vector<Case> cases = {
      {{}, Verdict::skipped, 0},
      {{Verdict::skipped, Verdict::skipped}, Verdict::skipped, 0},
      {{Verdict::pass, Verdict::skipped}, Verdict::pass, 0},
      {{Verdict::pass, Verdict::known}, Verdict::known, 0},
      {{Verdict::known, Verdict::warn}, Verdict::warn, 0},
      {{Verdict::warn, Verdict::error}, Verdict::error, 3},
      {{Verdict::error, Verdict::flaky}, Verdict::flaky, 4},
      {{Verdict::flaky, Verdict::fail, Verdict::pass}, Verdict::fail, 1},
  };
  for (const Case& c : cases) {
    std::vector<ScenarioVerdict> list;
    for (Verdict v : c.scenarios) list.push_back(sv(v));
    EXPECT_EQ(run_verdict(list), c.want);
    EXPECT_EQ(exit_code(run_verdict(list), false), c.exit);
  }
  EXPECT_EQ(exit_code(Verdict::fail, true), 4);  // a replay that differed
  const Contract k = contract(Edition::e8, false);
  std::vector<ScenarioRun> runs = {run_of(Outcome::nondeterministic, {viol("DT-REPLAY")})};
  const auto groups = group_repeats(runs);
  std::vector<ScenarioVerdict> vs = {verdict_of_repeats(groups[0], k)};
  EXPECT_TRUE(nondeterministic(groups, vs));
  runs = {run_of(Outcome::fail, {viol("SC-CHANGES")})};
  const auto g2 = group_repeats(runs);
  EXPECT_FALSE(nondeterministic(g2, {verdict_of_repeats(g2[0], k)}));
}

TEST(Verdict, FailureOfIsTheFirstUncoveredViolationThatFails) {
  const Contract c = contract(Edition::e8, false);
  // A known deviation first, then a SHOULD (TM-DELETE), then a MUST (SC-CHANGES).
  const ScenarioRun r = run_of(Outcome::fail, {viol("SC-REMOVE", "k.known:3: r"), viol("TM-DELETE"), viol("SC-CHANGES")});
  ASSERT_NE(failure_of(r, &c), nullptr);
  EXPECT_EQ(failure_of(r, &c)->clause, "SC-CHANGES");  // what the verdict fails by
  EXPECT_EQ(failure_of(r)->clause, "TM-DELETE");       // without a contract: not known
  const ScenarioRun known = run_of(Outcome::fail, {viol("SC-REMOVE", "k.known:3: r"), viol("TM-DELETE", "k.known:9: r")});
  EXPECT_EQ(failure_of(known, &c)->clause, "SC-REMOVE");  // all covered: the first
  EXPECT_EQ(failure_of(run_of(Outcome::crash, {}), &c), nullptr);
}

TEST(Verdict, Words) {
  for (Verdict v : {Verdict::pass, Verdict::fail, Verdict::warn, Verdict::known, Verdict::skipped, Verdict::error,
                    Verdict::flaky}) {
    Verdict back;
    ASSERT_TRUE(verdict_from_string(to_string(v), back));
    EXPECT_EQ(back, v);
  }
  Verdict ignored;
  EXPECT_FALSE(verdict_from_string("non-strict", ignored));
  EXPECT_EQ(worse(Verdict::pass, Verdict::known), Verdict::known);
  EXPECT_EQ(worse(Verdict::flaky, Verdict::error), Verdict::flaky);
  EXPECT_EQ(worse(Verdict::skipped, Verdict::pass), Verdict::pass);
}

}  // namespace
}  // namespace ms::conf

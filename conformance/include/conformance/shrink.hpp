// SPDX-License-Identifier: MIT
// shrink.hpp: from a failing simulated run to the smallest record of decisions that still
// fails, written as a scenario file that `multisock replay` reproduces.
//
// Every failure source ends here: a seed sweep (`conform --runs`), a property history and a
// libFuzzer input each name a scenario and the options it ran with. The run's decisions
// (world faults and the policy's draws, in order; see simnet/rng.hpp) are recorded, and
// the record is shrunk: cut from the end, chunks of deviations set to 0 ("no fault, no
// deviation"), single decisions deleted, values lowered. A candidate is kept when the run
// it replays still fails the same way (the same first clause). The result is the scenario
// with a `choices` line and, when the run overrode it, the policy preset written in.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "conformance/runner.hpp"
#include "conformance/scenario.hpp"
#include "conformance/verdict.hpp"

namespace ms::conf {

struct ShrinkResult {
  bool failed = false;          // the original run failed (else nothing was shrunk)
  std::string clause;           // the failure kept: first violated clause ("" = outcome)
  Outcome outcome = Outcome::pass;
  std::vector<std::uint64_t> original;  // the decisions the failing run made
  std::vector<std::uint64_t> choices;   // the smallest failing record (no trailing zeros)
  int runs = 0;                 // runs spent shrinking
  ScenarioRun final_run;        // the run that replays `choices`
};

// Whether `run` fails the way `original` did: the clause of original's failure_of() (the
// violation it fails by, verdict.hpp; for EXPECT, the same expectation: its message up to
// ", observed") in a violation of `run` that no known deviation covers (unless that one was
// covered too), or (no clause) the same outcome.
bool same_failure(const ScenarioRun& original, const ScenarioRun& run, const Contract* contract = nullptr);

// Runs the scenario on a simulated target (engine-sim, with or without a mutant) and, if
// it fails, shrinks the decisions it made within max_runs further runs.
ShrinkResult shrink_choices(const Scenario& scenario, const TargetSpec& target,
                            const RunOptions& options, int max_runs = 400,
                            const Contract* contract = nullptr);

// Shrinks a record under any predicate (the algorithm of shrink_choices; the fuzz input
// shrinker uses it on bytes): `fails` gets a candidate and returns whether it still fails
// and, if it does, the record that run actually read (so unread decisions are dropped).
// With zeros_past_end, trailing zeros are dropped (a tape reads 0 past its end); without
// it the length is part of the meaning and only read records are kept as they are.
using RecordPredicate =
    std::function<bool(const std::vector<std::uint64_t>&, std::vector<std::uint64_t>&)>;
std::vector<std::uint64_t> shrink_record(std::vector<std::uint64_t> record,
                                         const RecordPredicate& fails, int max_runs, int& runs,
                                         bool zeros_past_end = true);

// The scenario that replays the shrunk run on its own: the record as `choices`, the run's
// seed, the --policy preset written in (with the scenario's abort, no-recover lines; its
// clause list dropped, as under the override), the target's mutant as a `policy mutant`
// line, and a description saying where it came from.
Scenario shrunk_scenario(const Scenario& scenario, const TargetSpec& target,
                         const RunOptions& options, const ShrinkResult& result,
                         const std::string& origin);

// Writes format_scenario(s) to dir/name.scn (creating dir); returns the path, or "" with
// error set.
std::string write_scenario(const Scenario& s, const std::string& dir, const std::string& name,
                           std::string& error);

}  // namespace ms::conf

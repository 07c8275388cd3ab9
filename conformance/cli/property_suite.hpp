// SPDX-License-Identifier: MIT
// property_suite.hpp: the `property` suite of `multisock conform` (generated histories,
// conformance/property).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cli/suite.hpp"
#include "conformance/runner.hpp"
#include "conformance/verdict.hpp"

namespace ms::cli {

// `runs` generated histories, seeds first..first+runs-1, in seed order (so --shard I/N,
// which keeps every N-th entry, takes every N-th seed), each made when it runs. Each entry's
// path is FAILURES_DIR/property-SEED.scn, where a failure is written. A real-time target
// (engine-real, lib:...) gets the real-time histories (prop::Realm::real): nothing run_real
// skips, each a fraction of a second long. Without http2_peers the histories have HTTP/1.1
// peers only (conform --peers http1).
Suite property_suite(std::uint64_t first, int runs, const ms::conf::TargetSpec& target,
                     const std::string& failures_dir, bool http2_peers = true);

// After the runs, in place: on a real-time target a history that run_real skipped becomes
// an error (the real-time generator must never produce one). Then, for every run that did
// not pass: shrinks its history while the same clause is still violated under the same
// edition (on simnet, then the decisions of its run too, as shrink_choices does for a seed
// sweep), and writes the minimal scenario to the run's file, which the report's repro line
// points at. Without shrink_failures every failure is written as generated (the file is
// its reproduction). Shrinking re-runs
// histories: on simnet the first 5 failures are shrunk (at most 200 steps each); in real
// time, where every re-run costs wall time and may not repeat the race that failed, the
// first 2 (at most 50 steps and 100 re-runs each). The others are written as generated.
// Only a run whose verdict under `contract` is fail is shrunk (not one whose violations are
// known deviations, or SHOULD clauses only), toward the first violation no known entry
// covers; `judged` gives the re-runs the edition and the known deviations of the suite's.
void property_finish(std::vector<ms::conf::ScenarioRun>& runs, const ms::conf::TargetSpec& target,
                     const ms::conf::RunOptions& judged, const ms::conf::Contract& contract,
                     bool shrink_failures, bool http2_peers = true);

}  // namespace ms::cli

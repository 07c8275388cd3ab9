// SPDX-License-Identifier: MIT
// property_suite.cpp: generated histories as a suite of the `multisock conform` command.
#include "cli/property_suite.hpp"

#include <cstdio>
#include <filesystem>

#include "conformance/shrink.hpp"
#include "property/property.hpp"

namespace ms::cli {

using namespace ms::conf;

Suite property_suite(std::uint64_t first, int runs, const TargetSpec& target,
                     const std::string& failures_dir, bool http2_peers) {
  const prop::Realm realm = prop::realm_of(target);
  return Suite(static_cast<std::size_t>(runs), [first, realm, failures_dir, http2_peers](std::size_t k) {
    const std::uint64_t seed = first + static_cast<std::uint64_t>(k);
    LoadedScenario l;
    l.path = (std::filesystem::path(failures_dir) / ("property-" + std::to_string(seed) + ".scn"))
                 .string();
    l.scenario.seed = seed;  // the run's seed names it; the world seed follows it
    l.scenario.file = l.path;
    l.generate = [seed, realm, http2_peers, path = l.path] {
      Scenario sc = prop::history_for_seed(seed, realm, http2_peers).value().scenario;
      sc.seed = seed;
      sc.file = path;
      return sc;
    };
    return l;
  });
}

void property_finish(std::vector<ScenarioRun>& runs, const TargetSpec& target, const RunOptions& judged,
                     const Contract& contract, bool shrink_failures, bool http2_peers) {
  namespace fs = std::filesystem;
  const prop::Realm realm = prop::realm_of(target);
  const bool real = realm == prop::Realm::real;
  std::vector<bool> was_skipped(runs.size(), false);
  if (real) {
    for (std::size_t i = 0; i < runs.size(); ++i) {
      ScenarioRun& r = runs[i];
      if (!r.skipped) continue;
      was_skipped[i] = true;
      r.skipped = false;
      r.outcome = Outcome::error;
      r.message = "the real-time generator made a history run_real skips (" + r.message + ")";
    }
  }
  const int shrink_max = real ? 2 : 5;
  const int shrink_steps = real ? 50 : 200;
  // A failure's shrinking stops after this many re-runs, wherever it has got to: in real
  // time each costs up to a second of wall time; a library in the simulated world runs each
  // in a child process (10-20 ms), and a long history offers hundreds of smaller ones at
  // each of its steps (seed 4251 on the system libcurl: 23 minutes unbounded, to 58
  // transfers; 1,000 re-runs take 25 s and leave 73).
  // The engine's re-runs, in this process, cost about a millisecond each.
  const int rerun_max = real ? 100 : target.kind == TargetSpec::Kind::lib ? 1000 : 1 << 30;
  int shrunk = 0;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const ScenarioRun& r = runs[i];
    if (r.outcome == Outcome::pass || r.skipped) continue;
    const std::string clause = r.violations.empty() ? "" : failure_of(r, &contract)->clause;
    const auto with_seed = [&](prop::GeneratedHistory h) {
      h.scenario.seed = r.seed;
      h.scenario.file = r.file;
      return h;
    };
    int reruns = 0;
    const auto fails = [&](const prop::GeneratedHistory& h) {
      if (++reruns > rerun_max) return false;
      return same_failure(r, run_scenario(with_seed(h).scenario, target, judged), &contract);
    };
    // A skipped history (a generator defect, reported above) is written as it is.
    // A run that does not fail (its violations known deviations, or of SHOULD clauses only)
    // is written as generated, its file the repro line's: shrinking is for failures (and
    // harness errors).
    const Verdict verdict = verdict_of_run(r, contract).verdict;
    const bool failed = verdict == Verdict::fail || verdict == Verdict::error;
    const bool shrink = shrink_failures && failed && !was_skipped[i] && shrunk < shrink_max;
    shrunk += shrink;
    if (shrink)
      std::fprintf(stderr, "multisock: shrinking the history of seed %llu (%s)%s\n",
                   static_cast<unsigned long long>(r.seed), clause.empty() ? "failure" : clause.c_str(),
                   rerun_max < (1 << 30) ? (", at most " + std::to_string(rerun_max) + " re-runs").c_str() : "");
    prop::GeneratedHistory small =
        shrink ? with_seed(prop::shrink_failure(prop::history_for_seed(r.seed, realm, http2_peers), fails,
                                                shrink_steps))
               : with_seed(prop::history_for_seed(r.seed, realm, http2_peers).value());
    small.scenario.description += std::string(shrink ? " Shrunk from" : " Not shrunk:") +
                                  " the history of seed " + std::to_string(r.seed) + " (" +
                                  (clause.empty() ? "failure" : clause) + ")" +
                                  (reruns > rerun_max ? ", stopped after " + std::to_string(rerun_max) + " re-runs." : ".");
    Scenario written = small.scenario;
    if (shrink && target.is_virtual()) {
      // Then the decisions the smaller history's run makes (world faults, policy draws),
      // as for a seed sweep: the file gets the shortest record that still fails.
      const ShrinkResult tape = shrink_choices(written, target, judged, 200, &contract);
      if (tape.failed && !tape.original.empty() && (clause.empty() || tape.clause == clause))
        written = shrunk_scenario(written, target, judged, tape, "the run of this history");
    }
    std::string error;
    const fs::path file(r.file);
    if (write_scenario(written, file.parent_path().string(), file.stem().string(), error).empty())
      std::fprintf(stderr, "multisock: %s\n", error.c_str());
  }
}

}  // namespace ms::cli

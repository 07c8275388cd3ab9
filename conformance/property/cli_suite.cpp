// cli_suite.cpp: generated histories as a suite of the `multisock conform` command.
#include "property/cli_suite.hpp"

#include <cstdio>
#include <filesystem>

#include "property/property.hpp"

namespace ms::cli {

using namespace ms::conf;

void property_suite(std::uint64_t first, int runs, std::vector<LoadedScenario>& out) {
  for (int k = 0; k < runs; ++k) {
    const std::uint64_t seed = first + static_cast<std::uint64_t>(k);
    LoadedScenario l;
    l.scenario = prop::history_for_seed(seed).value().scenario;
    l.scenario.seed = seed;  // the run's seed names it; the world seed follows it
    l.path = "property-failures/" + std::to_string(seed) + ".scn";
    l.scenario.file = l.path;
    out.push_back(std::move(l));
  }
}

void property_write_failures(const std::vector<ScenarioRun>& runs, const TargetSpec& target) {
  namespace fs = std::filesystem;
  // Shrinking re-runs a history many times: the first few failures are shrunk, the rest
  // are written as generated (each still replays its failure).
  constexpr int kShrinkMax = 5;
  int shrunk = 0;
  for (const ScenarioRun& r : runs) {
    if (r.outcome == Outcome::pass || r.skipped) continue;
    const std::string clause = r.violations.empty() ? "" : r.violations.front().clause;
    const auto with_seed = [&](prop::GeneratedHistory h) {
      h.scenario.seed = r.seed;
      h.scenario.file = r.file;
      return h;
    };
    const auto fails = [&](const prop::GeneratedHistory& h) {
      const ScenarioRun again = run_scenario(with_seed(h).scenario, target, RunOptions{});
      if (clause.empty()) return again.outcome != Outcome::pass;
      for (const Violation& v : again.violations)
        if (v.clause == clause) return true;
      return false;
    };
    const bool shrink = shrunk++ < kShrinkMax;
    prop::GeneratedHistory small =
        shrink ? with_seed(prop::shrink_failure(prop::history_for_seed(r.seed), fails, 200))
               : with_seed(prop::history_for_seed(r.seed).value());
    small.scenario.description += std::string(shrink ? " Shrunk from" : " Not shrunk:") +
                                  " the history of seed " + std::to_string(r.seed) + " (" +
                                  (clause.empty() ? "failure" : clause) + ").";
    std::string error;
    const fs::path file(r.file);
    if (prop::write_failure(small, file.parent_path().string(), file.stem().string(), error)
            .empty())
      std::fprintf(stderr, "multisock: %s\n", error.c_str());
  }
}

}  // namespace ms::cli

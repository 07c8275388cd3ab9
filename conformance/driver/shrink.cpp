// SPDX-License-Identifier: MIT
// shrink.cpp: shrinking a failing run's record of decisions (see shrink.hpp).
#include "conformance/shrink.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace ms::conf {
namespace {

void trim_zeros(std::vector<std::uint64_t>& v) {
  while (!v.empty() && v.back() == 0) v.pop_back();
}

std::vector<std::size_t> nonzero_positions(const std::vector<std::uint64_t>& v) {
  std::vector<std::size_t> at;
  for (std::size_t i = 0; i < v.size(); ++i)
    if (v[i] != 0) at.push_back(i);
  return at;
}

// Smaller is simpler: fewer deviations first, then a shorter record, then lower values.
bool simpler(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b) {
  const auto na = nonzero_positions(a).size(), nb = nonzero_positions(b).size();
  if (na != nb) return na < nb;
  if (a.size() != b.size()) return a.size() < b.size();
  return a < b;
}

}  // namespace

namespace {

// An unmet expectation ("EXPECT") is one clause for every line of the expect block: the
// same failure is the same expectation, its message up to what was observed.
std::string expectation(const std::string& message) {
  return message.substr(0, message.find(", observed"));
}

}  // namespace

bool same_failure(const ScenarioRun& original, const ScenarioRun& run, const Contract* contract) {
  if (run.outcome == Outcome::pass || run.skipped) return false;
  if (original.violations.empty()) return run.outcome == original.outcome;
  const Violation& first = *failure_of(original, contract);  // not a known deviation it also shows
  for (const Violation& v : run.violations) {
    // A known deviation of the same clause is another failure (a known HTTP2 ending where
    // the original's was a timeout): shrinking toward it would lose the one to show.
    if (first.known.empty() && !v.known.empty()) continue;
    if (v.clause == first.clause &&
        (first.clause != kExpectationClause || expectation(v.message) == expectation(first.message)))
      return true;
  }
  return false;
}

std::vector<std::uint64_t> shrink_record(std::vector<std::uint64_t> best,
                                         const RecordPredicate& fails, int max_runs, int& runs,
                                         bool zeros_past_end) {
  if (zeros_past_end) trim_zeros(best);
  // Tries a candidate; keeps what the failing run read when it is simpler.
  const auto attempt = [&](std::vector<std::uint64_t> candidate) {
    if (runs >= max_runs) return false;
    ++runs;
    std::vector<std::uint64_t> read;
    if (!fails(candidate, read)) return false;
    if (zeros_past_end) trim_zeros(read);
    if (!simpler(read, best)) return false;
    best = std::move(read);
    return true;
  };

  bool progress = true;
  while (progress && runs < max_runs) {
    progress = false;
    // 1. Cut from the end: past the record every decision is 0.
    for (std::size_t cut = best.size() / 2; cut > 0 && runs < max_runs; cut /= 2) {
      while (cut <= best.size() &&
             attempt(std::vector<std::uint64_t>(best.begin(), best.end() - static_cast<long>(cut))))
        progress = true;
    }
    // 2. Set chunks of the deviations to 0, halving the chunk (delta debugging).
    for (std::size_t chunk = std::max<std::size_t>(1, nonzero_positions(best).size() / 2);
         runs < max_runs; chunk /= 2) {
      const auto at = nonzero_positions(best);
      for (std::size_t start = 0; start < at.size() && runs < max_runs; start += chunk) {
        std::vector<std::uint64_t> c = best;
        for (std::size_t k = start; k < std::min(at.size(), start + chunk); ++k) c[at[k]] = 0;
        if (attempt(std::move(c))) {
          progress = true;
          break;  // positions changed: recompute them at this chunk size
        }
      }
      if (chunk <= 1) break;
    }
    // 3. Delete single deviations: the decisions after one move up a place, which helps
    // when removing a decision point shifts the rest.
    for (std::size_t i = best.size(); i-- > 0 && runs < max_runs;) {
      if (i >= best.size() || best[i] == 0) continue;
      std::vector<std::uint64_t> c = best;
      c.erase(c.begin() + static_cast<long>(i));
      if (attempt(std::move(c))) progress = true;
    }
    // 4. Shorten the gaps of zeros between deviations (all of a gap, then half): the
    // deviations move to earlier decision points, often where fewer of them suffice.
    for (std::size_t end = best.size(); end-- > 0 && runs < max_runs;) {
      if (end >= best.size() || best[end] == 0) continue;
      std::size_t start = end;
      while (start > 0 && best[start - 1] == 0) --start;
      for (std::size_t len = end - start; len > 0 && runs < max_runs; len /= 2) {
        std::vector<std::uint64_t> c = best;
        c.erase(c.begin() + static_cast<long>(end - len), c.begin() + static_cast<long>(end));
        if (attempt(std::move(c))) {
          progress = true;
          break;
        }
      }
      end = start;  // what lies before the gap is unchanged; go on from there
    }
    // 5. Lower each value: halve it, then one less.
    for (std::size_t i = 0; i < best.size() && runs < max_runs; ++i) {
      while (i < best.size() && best[i] > 1 && runs < max_runs) {
        std::vector<std::uint64_t> c = best;
        c[i] /= 2;
        if (attempt(c)) {
          progress = true;
          continue;
        }
        c[i] = best[i] - 1;
        if (!attempt(std::move(c))) break;
        progress = true;
      }
    }
  }
  return best;
}

ShrinkResult shrink_choices(const Scenario& scenario, const TargetSpec& target,
                            const RunOptions& options, int max_runs, const Contract* contract) {
  ShrinkResult r;
  RunOptions ro = options;
  ro.check_determinism = false;
  ScenarioRun first = run_scenario(scenario, target, ro);
  r.outcome = first.outcome;
  if (!target.is_virtual() || first.outcome == Outcome::pass || first.skipped) {
    r.final_run = std::move(first);
    return r;
  }
  r.failed = true;
  r.clause = first.violations.empty() ? "" : failure_of(first, contract)->clause;
  r.original = first.choices;
  ScenarioRun last = first;
  const auto fails = [&](const std::vector<std::uint64_t>& candidate,
                         std::vector<std::uint64_t>& read) {
    RunOptions again = ro;
    again.choices = candidate;
    ScenarioRun run = run_scenario(scenario, target, again);
    if (!same_failure(first, run, contract)) return false;
    read = run.choices;
    last = std::move(run);
    return true;
  };
  r.choices = shrink_record(first.choices, fails, max_runs, r.runs);
  // The final record, replayed once more so final_run is exactly its run.
  RunOptions again = ro;
  again.choices = r.choices;
  r.final_run = run_scenario(scenario, target, again);
  ++r.runs;
  if (!same_failure(first, r.final_run)) {  // cannot happen for a deterministic target
    r.choices = r.original;
    r.final_run = std::move(first);
  }
  return r;
}

Scenario shrunk_scenario(const Scenario& scenario, const TargetSpec& target,
                         const RunOptions& options, const ShrinkResult& result,
                         const std::string& origin) {
  Scenario s = scenario;
  s.seed = options.seed.value_or(scenario.seed);
  s.replay_choices = true;
  s.choices = result.choices;
  std::vector<PolicySpec> policies;
  if (options.policy) {
    // As resolve_policy: the preset, plus the lines that decide what the scenario expects.
    policies.push_back(PolicySpec{*options.policy, {}, 0});
    for (const PolicySpec& p : scenario.policies)
      if (p.name == "abort-cb" || p.name == "abort_cb" || p.name == "no-recover" || p.name == "loop")
        policies.push_back(p);
    s.expect.clauses.clear();  // not required to be exercised under an override
  } else {
    for (const PolicySpec& p : scenario.policies)
      if (!scenario.is_mutant_line(p)) policies.push_back(p);
  }
  if (options.loop) {  // the override, written last: build_policy applies lines in order
    std::erase_if(policies, [](const PolicySpec& p) { return p.name == "loop"; });
    policies.push_back(PolicySpec{"loop", {*options.loop}, 0});
    s.expect.clauses.clear();
  }
  const std::string mutant = target.mutant.empty() ? scenario.mutant() : target.mutant;
  if (!mutant.empty()) policies.push_back(PolicySpec{"mutant", {mutant}, 0});
  s.policies = std::move(policies);
  const std::size_t deviations = nonzero_positions(result.choices).size();
  std::string what = result.clause.empty() ? to_string(result.outcome) : result.clause;
  s.description += std::string(s.description.empty() ? "" : "\n") + "Shrunk from " + origin +
                   ": fails " + what + " with " + std::to_string(deviations) +
                   " deviation(s) in " + std::to_string(result.choices.size()) +
                   " decision(s) (the failing run made " +
                   std::to_string(result.original.size()) + ").";
  return s;
}

std::string write_scenario(const Scenario& s, const std::string& dir, const std::string& name,
                           std::string& error) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    error = "cannot create " + dir + ": " + ec.message();
    return "";
  }
  const fs::path path = fs::path(dir) / (name + ".scn");
  std::ofstream out(path, std::ios::binary);
  out << format_scenario(s);
  if (!out) {
    error = "cannot write " + path.string();
    return "";
  }
  return path.string();
}

}  // namespace ms::conf

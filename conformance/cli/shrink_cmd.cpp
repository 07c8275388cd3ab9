// SPDX-License-Identifier: MIT
// shrink_cmd.cpp: `multisock shrink`, and the shrinking of failures found by a seed sweep.
//
// A failing simulated run becomes a scenario file that replays it with as few deviations as
// the shrinker finds (conformance/include/conformance/shrink.hpp). The sources: a scenario
// and a seed (what `conform --runs` sweeps), or a crash file of fuzz/engine_sim_fuzzer, whose
// bytes are shrunk first, then the decisions of the scenario they stand for.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>

#include "cli/apps.hpp"
#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "conformance/fuzz_input.hpp"
#include "conformance/shrink.hpp"

namespace fs = std::filesystem;
using namespace ms::conf;

namespace ms::cli {
namespace {


bool read_file(const std::string& path, std::string& out, std::string& error) {
  return read_regular_file(path, kFuzzInputMax + 1, out, error);
}

// The scenario of a fuzzer input; false when it stands for none.
bool fuzz_scenario(const std::vector<std::uint64_t>& bytes, Scenario& out) {
  std::vector<std::uint8_t> data(bytes.begin(), bytes.end());
  const std::string text = fuzz_input_scenario(data.data(), data.size());
  ScenarioError err;
  return !text.empty() && parse_scenario(text, "fuzz.scn", out, err);
}

}  // namespace

std::string shrink_and_write(const Scenario& scenario, const TargetSpec& target,
                             const RunOptions& options, const std::string& dir,
                             const std::string& name, const std::string& origin, int max_runs,
                             std::string& error) {
  const ShrinkResult r = shrink_choices(scenario, target, options, max_runs);
  if (!r.failed) {
    error = "the run passes: nothing to shrink";
    return "";
  }
  const Scenario small = shrunk_scenario(scenario, target, options, r, origin);
  return write_scenario(small, dir, name, error);
}

int cmd_shrink(Args& args) {
  if (args.help()) {
    std::cout << command_help("shrink");
    return 0;
  }
  ShrinkOptions options;
  if (const std::string problem = read_shrink_options(args, options); !problem.empty())
    return usage_error(problem);
  const TargetSpec& target = options.run.target;
  RunOptions ro;
  Contract contract;  // holds the known deviations the runs are marked against
  if (const int rc = settle_run_options(options.run, ro, contract)) return rc;
  int max_runs = options.max_runs;
  const std::string& dir = options.out_dir;
  const auto& fuzz_input = options.fuzz_input;
  const std::vector<std::string> files = {options.file};

  Scenario sc;
  std::string name, origin;
  if (fuzz_input) {
    std::string raw;
    std::string why;
    if (!read_file(*fuzz_input, raw, why)) return usage_error(*fuzz_input + ": " + why);
    std::vector<std::uint64_t> bytes(raw.begin(), raw.end());
    for (auto& b : bytes) b &= 0xff;  // char may be signed
    if (!fuzz_scenario(bytes, sc))
      return usage_error(*fuzz_input + ": not an engine_sim fuzzer input (" +
                         std::to_string(kFuzzInputMin) + " to " +
                         std::to_string(kFuzzInputMax) + " bytes)");
    const ScenarioRun first = run_scenario(sc, target, ro);
    if (first.outcome == Outcome::pass) {
      std::printf("the input passes on %s: nothing to shrink\n", target.text.c_str());
      return 0;
    }
    // The bytes are the fuzzer's record of choices: shrink them first.
    int runs = 0;
    const auto fails = [&](const std::vector<std::uint64_t>& candidate,
                           std::vector<std::uint64_t>& read) {
      Scenario c;
      if (!fuzz_scenario(candidate, c)) return false;
      if (!same_failure(first, run_scenario(c, target, ro))) return false;
      read = candidate;
      return true;
    };
    bytes = shrink_record(bytes, fails, max_runs / 2, runs, /*zeros_past_end=*/false);
    fuzz_scenario(bytes, sc);
    name = "fuzz-" + fs::path(*fuzz_input).filename().string();
    origin = "the engine_sim fuzzer input " + fs::path(*fuzz_input).filename().string() + " (" +
             std::to_string(raw.size()) + " bytes, shrunk to " + std::to_string(bytes.size()) +
             " in " + std::to_string(runs) + " runs)";
    sc.title = "fuzz " + fs::path(*fuzz_input).filename().string();
    max_runs -= runs;
  } else {
    ScenarioError se;
    if (!load_scenario(files[0], sc, se)) {
      std::fprintf(stderr, "multisock: %s\n", se.to_string().c_str());
      return 2;
    }
    const std::uint64_t seed = ro.seed.value_or(sc.seed);
    name = fs::path(files[0]).stem().string() + "-seed" + std::to_string(seed) +
           (ro.policy ? "-" + *ro.policy : "");
    origin = fs::path(files[0]).filename().string() + " with seed " + std::to_string(seed) +
             (ro.policy ? " under policy " + *ro.policy : "");
  }
  std::string error;
  const std::string path =
      shrink_and_write(sc, target, ro, dir, name, origin, std::max(1, max_runs), error);
  if (path.empty()) {
    std::printf("%s on %s\n", error.c_str(), target.text.c_str());
    return error.rfind("the run passes", 0) == 0 ? 0 : 3;
  }
  std::printf("shrunk: %s\nreplay: multisock replay %s%s\n", path.c_str(), path.c_str(),
              target.mutant.empty() ? "" : "   (the mutant is written in the file)");
  return 1;
}

}  // namespace ms::cli

// SPDX-License-Identifier: MIT
// engine_sim_fuzzer: the whole engine over simnet, driven by the input bytes, with the
// contract checker as the oracle.
//
// What the input means: conformance/include/conformance/fuzz_input.hpp. Whatever a hostile
// peer sends and however the application drives the multi, no contract clause may be
// violated: any checker violation (or a stall) aborts, so the fuzzer keeps the input as a
// crash, and `multisock shrink --fuzz-input` turns it into a shrunk scenario file.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "conformance/fuzz_input.hpp"
#include "conformance/runner.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ms::conf::Scenario sc;
  std::string text;
  if (!ms::conf::fuzz_input_parse(data, size, sc, text)) return 0;
  ms::conf::TargetSpec target;
  std::string error;
  ms::conf::parse_target("engine-sim", target, error);
  ms::conf::RunOptions ro;
  ms::conf::ScenarioRun r = ms::conf::run_scenario(sc, target, ro);
  if (r.outcome != ms::conf::Outcome::pass) {
    std::fprintf(stderr,
                 "contract violated (%s): %s\n--- scenario ---\n%s\n"
                 "shrink it to a replayable scenario with: multisock shrink --fuzz-input CRASH_FILE\n",
                 ms::conf::to_string(r.outcome), r.message.c_str(), text.c_str());
    std::abort();
  }
  return 0;
}

// SPDX-License-Identifier: MIT
// scenario_parser_fuzzer: any text given to the scenario parser (which also runs the
// peer-script parser on every peer block) gives a scenario or a positioned error, never a
// crash; and a parsed scenario formats to text that parses back to the same scenario.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "conformance/scenario.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 16384) return 0;
  const std::string text(reinterpret_cast<const char*>(data), size);
  ms::conf::Scenario sc;
  ms::conf::ScenarioError err;
  if (!ms::conf::parse_scenario(text, "fuzz.scn", sc, err)) {
    if (err.line < 1 || err.column < 1 || err.reason.empty()) std::abort();
    return 0;
  }
  const std::string again = ms::conf::format_scenario(sc);
  ms::conf::Scenario sc2;
  if (!ms::conf::parse_scenario(again, "fuzz.scn", sc2, err)) {
    std::fprintf(stderr, "formatted scenario does not parse: %s\n%s\n", err.to_string().c_str(),
                 again.c_str());
    std::abort();
  }
  if (sc2.replay_choices != sc.replay_choices || sc2.choices != sc.choices) {
    std::fprintf(stderr, "the choices do not survive formatting:\n%s\n", again.c_str());
    std::abort();
  }
  return 0;
}

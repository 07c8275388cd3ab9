// SPDX-License-Identifier: MIT
// faulty_world.hpp: for the integration tests, a scenario whose runs make many decisions,
// and a trace's text without the note that names its seed.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "conformance/fuzz_input.hpp"
#include "conformance/scenario.hpp"
#include "conformance/trace.hpp"

namespace ms::conf::fixtures {

// A world with random short reads and writes, under the chaos policy (the fuzzer's input
// format: policy byte, fault-mix byte, transfers byte, then the peer's bytes).
inline Scenario faulty_world() {
  const std::string reply = "\x30HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
  std::vector<std::uint8_t> input = {6, 1, 3};
  input.insert(input.end(), reply.begin(), reply.end());
  Scenario sc;
  ScenarioError err;
  EXPECT_TRUE(parse_scenario(fuzz_input_scenario(input.data(), input.size()), "faulty.scn", sc, err))
      << err.to_string();
  return sc;
}

// The trace's JSON lines without its first event (the note that names the seed): what two
// runs of different seeds must differ in, when the seed changes what happens.
inline std::string after_seed_note(const Trace& t) {
  Trace rest;
  if (!t.events.empty()) rest.events.assign(t.events.begin() + 1, t.events.end());
  return rest.to_jsonl();
}

}  // namespace ms::conf::fixtures

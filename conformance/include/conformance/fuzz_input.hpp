// SPDX-License-Identifier: MIT
// fuzz_input.hpp: the scenario an engine_sim_fuzzer input stands for.
//
// One definition serves the fuzzer (fuzz/engine_sim_fuzzer.cpp), which runs it with the
// checker as the oracle, and `multisock shrink --fuzz-input`, which turns a crash file into
// a shrunk scenario. Byte 0 picks the driver policy (a preset, or pausing), byte 1 the
// world's fault mix, byte 2 the number of transfers (1-4); the rest is what the peer sends
// back to every request, in pieces: a length byte (1-64), then that many bytes (or the
// rest).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "conformance/scenario.hpp"

namespace ms::conf {

inline constexpr std::size_t kFuzzInputMin = 3;
inline constexpr std::size_t kFuzzInputMax = 4096;

// The scenario text, or "" when the input is shorter than kFuzzInputMin or longer than
// kFuzzInputMax (the fuzzer ignores those).
std::string fuzz_input_scenario(const std::uint8_t* data, std::size_t size);

// The same, parsed (text keeps the scenario text for messages); false when the input is
// ignored. A text that does not parse is a fault of fuzz_input_scenario: it aborts saying so.
bool fuzz_input_parse(const std::uint8_t* data, std::size_t size, Scenario& out, std::string& text);

}  // namespace ms::conf

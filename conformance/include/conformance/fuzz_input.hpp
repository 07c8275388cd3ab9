// SPDX-License-Identifier: MIT
// fuzz_input.hpp: the scenario an engine_sim_fuzzer input stands for.
//
// One definition serves the fuzzer (fuzz/engine_sim_fuzzer.cpp), which runs it with the
// checker as the oracle, and `multisock shrink --fuzz-input`, which turns a crash file into
// a shrunk scenario. Byte 0 picks the driver policy (a preset, or pausing), byte 1 the
// world's fault mix, byte 2 the number of transfers (1-4); the rest is what the peer sends
// back to every request, in pieces: a length byte (1-64), then that many bytes (or the
// rest). Byte 2 with 0x04 set makes the peer speak HTTP/2 instead (0x08: ALPN h2 over TLS,
// else h2c with prior knowledge), with 1-8 transfers sharing its connection (bits 0-1, plus
// 4 for bit 4); byte 3 then picks its SETTINGS (bits 0-1 max-streams, 2-3 the window) and
// how its connection ends (bits 4-5: close, reset, hang, shutdown), and the rest is a list of
// its commands: an opcode byte (mod 12), then its argument bytes (fuzz_input.cpp).
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

// The name an input's scenario goes by where known deviations are matched (a known file's
// `scenario` lines): "fuzz_h2" for an HTTP/2 input, else "fuzz".
const char* fuzz_input_name(const std::uint8_t* data, std::size_t size);

// The same, parsed (text keeps the scenario text for messages); false when the input is
// ignored. A text that does not parse is a fault of fuzz_input_scenario: it aborts saying so.
bool fuzz_input_parse(const std::uint8_t* data, std::size_t size, Scenario& out, std::string& text);

}  // namespace ms::conf

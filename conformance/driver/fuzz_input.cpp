// SPDX-License-Identifier: MIT
// fuzz_input.cpp: the scenario of an engine_sim_fuzzer input (see fuzz_input.hpp).
#include "conformance/fuzz_input.hpp"

#include <cstdio>
#include <cstdlib>

#include <algorithm>

#include "simnet/text.hpp"

namespace ms::conf {
namespace {

const char* const kPolicies[] = {"faithful", "mask-zero", "spurious", "timeouts",
                                 "stale",    "legacy",    "chaos",    "pause 0.5"};
const char* const kWorlds[] = {
    "world latency 1ms", "world latency 1ms short_read 0.5 short_write 0.5",
    "world latency 2ms extra_latency 0.5 send_buffer 512",
    "world latency 1ms reset 0.3 half_close_early 0.2"};

}  // namespace

std::string fuzz_input_scenario(const std::uint8_t* data, std::size_t size) {
  if (size < kFuzzInputMin || size > kFuzzInputMax) return "";
  std::string text = "title fuzz\nseed 1\npolicy ";
  text += kPolicies[data[0] & 7];
  text += "\n";
  text += kWorlds[data[1] & 3];
  text += "\npeer p listen 127.0.0.9:80\n  accept\n  expect request\n";
  const int transfers = 1 + (data[2] & 3);
  std::size_t i = 3;
  while (i < size) {
    const std::size_t want = 1 + data[i++] % 64;
    const std::size_t n = std::min(want, size - i);
    if (n == 0) break;
    text += "  send " + ms::sim::quote_text(std::string(reinterpret_cast<const char*>(data + i), n)) + "\n  wait 1ms\n";
    i += n;
  }
  text += "  close\nclient\n";
  for (int t = 0; t < transfers; ++t)
    text += "  add t" + std::to_string(t) + " url http://127.0.0.9/" + std::to_string(t) +
            " timeout_ms 5000\n";
  text += "  at 30s end\n";
  return text;
}

bool fuzz_input_parse(const std::uint8_t* data, std::size_t size, Scenario& out, std::string& text) {
  text = fuzz_input_scenario(data, size);
  if (text.empty()) return false;
  ScenarioError err;
  if (!parse_scenario(text, "fuzz.scn", out, err)) {
    std::fprintf(stderr, "generated scenario does not parse: %s\n%s\n", err.to_string().c_str(), text.c_str());
    std::abort();
  }
  return true;
}

}  // namespace ms::conf

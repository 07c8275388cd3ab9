// engine_sim_fuzzer: the whole engine over simnet, driven by the input bytes, with the
// contract checker as the oracle.
//
// Here's how it works: byte 0 picks the driver policy preset, byte 1 the fault mix, byte 2
// the number of transfers (1-4); the rest is what the peer sends back to every request,
// cut into pieces whose sizes also come from the input. Whatever a hostile peer sends and
// however the application drives the multi, no contract clause may be violated: any
// checker violation (or a stall) aborts, so the fuzzer keeps the input as a crash.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "conformance/runner.hpp"

namespace {

const char* kPolicies[] = {"faithful", "mask-zero", "spurious", "timeouts",
                           "stale",    "legacy",    "chaos",    "faithful"};
const char* kWorlds[] = {"world latency 1ms", "world latency 1ms short_read 0.5 short_write 0.5",
                         "world latency 2ms extra_latency 0.5 send_buffer 512",
                         "world latency 1ms reset 0.3 half_close_early 0.2"};

std::string escape(const std::uint8_t* p, std::size_t n) {
  static const char* hex = "0123456789abcdef";
  std::string s;
  for (std::size_t i = 0; i < n; ++i) {
    s += "\\x";
    s += hex[p[i] >> 4];
    s += hex[p[i] & 15];
  }
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3 || size > 4096) return 0;
  std::string text = "title fuzz\nseed 1\npolicy ";
  text += kPolicies[data[0] & 7];
  text += "\n";
  text += kWorlds[data[1] & 3];
  text += "\npeer p listen 127.0.0.9:80\n  accept\n  expect request\n";
  const int transfers = 1 + (data[2] & 3);
  std::size_t i = 3;
  // Pieces: a length byte, then that many bytes (or the rest).
  while (i < size) {
    const std::size_t want = 1 + data[i++] % 64;
    const std::size_t n = std::min(want, size - i);
    if (n == 0) break;
    text += "  send \"" + escape(data + i, n) + "\"\n  wait 1ms\n";
    i += n;
  }
  text += "  close\nclient\n";
  for (int t = 0; t < transfers; ++t)
    text += "  add t" + std::to_string(t) + " url http://127.0.0.9/" + std::to_string(t) +
            " timeout_ms 5000\n";
  text += "  at 30s end\n";

  ms::conf::Scenario sc;
  ms::conf::ScenarioError err;
  if (!ms::conf::parse_scenario(text, "fuzz.scn", sc, err)) {
    std::fprintf(stderr, "generated scenario does not parse: %s\n%s\n", err.to_string().c_str(),
                 text.c_str());
    std::abort();
  }
  ms::conf::TargetSpec target;
  std::string error;
  ms::conf::parse_target("engine-sim", target, error);
  ms::conf::RunOptions ro;
  ms::conf::ScenarioRun r = ms::conf::run_scenario(sc, target, ro);
  if (r.outcome != ms::conf::Outcome::pass) {
    std::fprintf(stderr, "contract violated (%s): %s\n--- scenario ---\n%s\n",
                 ms::conf::to_string(r.outcome), r.message.c_str(), text.c_str());
    std::abort();
  }
  return 0;
}

// SPDX-License-Identifier: MIT
// h2_client_fuzzer: the engine's HTTP/2 client (its frame path: libnghttp2 under the
// engine's session, streams, sockets and timers) against a server whose bytes are the
// input, over simnet, with the contract checker as the oracle.
//
// Input: byte 0 picks the shape (bit 0: one transfer or three sharing the connection;
// bit 1: the server closes after its bytes, or hangs; bits 2-3: the bytes arrive at once,
// or in pieces of 1, 7 or 100 bytes 1 ms apart); the rest is what the server sends after
// the client's preface. Whatever it sends, every transfer ends once, the socket callback
// keeps the contract and nothing crashes: a violation or a stall aborts.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "conformance/runner.hpp"
#include "conformance/scenario.hpp"
#include "simnet/text.hpp"

namespace {

std::string scenario_text(const std::uint8_t* data, std::size_t size) {
  const unsigned shape = data[0];
  const std::string bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  static const char* const kPieces[] = {"", " in pieces of 1 every 1ms", " in pieces of 7 every 1ms",
                                        " in pieces of 100 every 1ms"};
  std::string t = "title h2 client fuzz\nseed 1\npolicy faithful\n";
  t += "peer h2 listen 127.0.0.40:80\n  accept\n";
  if (!bytes.empty()) t += "  send " + ms::sim::quote_text(bytes) + kPieces[(shape >> 2) & 3] + "\n";
  t += (shape & 2) ? "  hang\n" : "  wait 10ms\n  close\n";
  t += "client\n";
  const int transfers = (shape & 1) ? 3 : 1;
  for (int i = 0; i < transfers; ++i)
    t += "  add t" + std::to_string(i) + " url http://127.0.0.40/" + std::to_string(i) +
         " http_version 2-prior-knowledge pipewait timeout_ms 2000\n";
  t += "  at 3s end\n";
  return t;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1 || size > 16384) return 0;
  const std::string text = scenario_text(data, size);
  ms::conf::Scenario sc;
  ms::conf::ScenarioError err;
  if (!ms::conf::parse_scenario(text, "h2fuzz.scn", sc, err)) {
    std::fprintf(stderr, "the fuzzer's own scenario does not parse: %s\n%s\n", err.to_string().c_str(), text.c_str());
    std::abort();
  }
  ms::conf::TargetSpec target;
  std::string error;
  ms::conf::parse_target("engine-sim", target, error);
  ms::conf::RunOptions ro;
  const ms::conf::ScenarioRun r = ms::conf::run_scenario(sc, target, ro);
  if (r.outcome != ms::conf::Outcome::pass) {
    std::fprintf(stderr, "contract violated (%s): %s\n--- scenario ---\n%s\n", ms::conf::to_string(r.outcome),
                 r.message.c_str(), text.c_str());
    std::abort();
  }
  return 0;
}

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

const char* const kStatuses[] = {"200", "200", "204", "404", "500", "100", "301", "999"};
const char* const kH2Codes[] = {"NO_ERROR",       "PROTOCOL_ERROR", "INTERNAL_ERROR", "FLOW_CONTROL_ERROR",
                                "STREAM_CLOSED",  "REFUSED_STREAM", "CANCEL",         "ENHANCE_YOUR_CALM"};

// The HTTP/2 peer's commands after `h2`, read from data[i..]: an opcode byte, then its
// argument bytes (missing ones read as 0). R is a request number 1..transfers.
std::string h2_commands(const std::uint8_t* data, std::size_t size, std::size_t i, int transfers) {
  auto next = [&]() -> unsigned { return i < size ? data[i++] : 0u; };
  auto req = [&]() { return std::to_string(1 + static_cast<int>(next()) % transfers); };
  std::string o;
  while (i < size) {
    const unsigned op = next() % 12;
    std::string c;
    switch (op) {
      case 0: c = "expect requests " + std::to_string(1 + next() % static_cast<unsigned>(transfers)); break;
      case 1: {
        const std::string r = req();
        const unsigned st = next();
        c = "respond " + r + " " + kStatuses[st & 7] + ((st & 8) ? "" : " length " + std::to_string(next() * 8u));
        break;
      }
      case 2: {
        const std::string r = req();
        const unsigned n = next() * 16u;
        const unsigned piece = next();
        c = "data " + r + " " + std::to_string(n) +
            (piece & 1 ? " in pieces of " + std::to_string(1 + (piece >> 1)) + " every 1ms" : "");
        break;
      }
      case 3: c = "end " + req(); break;
      case 4: {
        const std::string r = req();
        c = "reply " + r + " " + kStatuses[next() & 7] + " body " + std::to_string(next() * 8u);
        break;
      }
      case 5: c = "rst " + req() + " " + kH2Codes[next() & 7]; break;
      case 6: c = "goaway " + std::string(kH2Codes[next() & 7]) + " last " + req(); break;
      case 7: c = "ping"; break;
      case 8: c = "wait " + std::to_string(next() % 50) + "ms"; break;
      case 9: c = "flood " + req() + " " + std::to_string(next() * 256u); break;
      case 10: c = "serve body " + std::to_string(next() * 8u); break;
      default: c = "expect requests 1"; break;
    }
    o += "  " + c + "\n";
  }
  return o;
}

// Byte 2 with 0x04 set: an HTTP/2 peer (h2c with prior knowledge, or with 0x08 ALPN h2
// over TLS); 1 + (bits 0-1) + 4 * (bit 4) transfers share its connection. Byte 3 picks its
// SETTINGS (max-streams 0-3, 0 for none; a window of 1, 100 or 65535 bytes, or none), the
// rest are its commands (h2_commands), and the connection then ends as byte 3's top bits say.
std::string fuzz_h2_scenario(const std::uint8_t* data, std::size_t size, std::string text) {
  const bool tls = (data[2] & 0x08) != 0;
  const int transfers = 1 + (data[2] & 3) + 4 * ((data[2] >> 4) & 1);
  const unsigned settings = size > 3 ? data[3] : 0u;
  std::string h2 = "h2";
  if (settings & 3) h2 += " max-streams " + std::to_string(settings & 3);
  static const char* const kWindows[] = {"", " window 1", " window 100", " window 65535"};
  h2 += kWindows[(settings >> 2) & 3];
  static const char* const kEnds[] = {"close", "reset", "hang", "shutdown"};
  if (tls) text += "dns fuzz.h2.test 127.0.0.9\n";
  text += std::string("peer p listen 127.0.0.9:") + (tls ? "443" : "80") + "\n  accept\n";
  if (tls) text += "  tls fuzz.h2.test\n";
  text += "  " + h2 + "\n" + h2_commands(data, size, 4, transfers) + "  " + kEnds[(settings >> 4) & 3] + "\nclient\n";
  for (int t = 0; t < transfers; ++t)
    text += "  add t" + std::to_string(t) + " url " + (tls ? "https://fuzz.h2.test/" : "http://127.0.0.9/") +
            std::to_string(t) + (tls ? " cainfo test-ca" : " http_version 2-prior-knowledge") +
            " pipewait timeout_ms 5000\n";
  text += "  at 30s end\n";
  return text;
}

}  // namespace

std::string fuzz_input_scenario(const std::uint8_t* data, std::size_t size) {
  if (size < kFuzzInputMin || size > kFuzzInputMax) return "";
  std::string text = "title fuzz\nseed 1\npolicy ";
  text += kPolicies[data[0] & 7];
  text += "\n";
  text += kWorlds[data[1] & 3];
  text += "\n";
  if (data[2] & 0x04) return fuzz_h2_scenario(data, size, std::move(text));
  text += "peer p listen 127.0.0.9:80\n  accept\n  expect request\n";
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

const char* fuzz_input_name(const std::uint8_t* data, std::size_t size) {
  return size > 2 && (data[2] & 0x04) ? "fuzz_h2" : "fuzz";
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

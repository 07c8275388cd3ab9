// SPDX-License-Identifier: MIT
// peer_plan.hpp (private to the generator): what a generated peer's script is and what the
// model allows the transfers it serves to end with. generator.cpp makes the HTTP/1.1 peers,
// h2_peers.cpp the HTTP/2 ones.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "property/property.hpp"

namespace ms::conf::prop {

struct PeerPlan {
  std::string script;          // indented lines
  std::vector<int> allowed;    // result codes
  std::string body;            // when OK
  bool needs_timeout = false;  // would never end without one
  std::int64_t answer_ms = 0;  // how long the peer waits before answering (slow)
  bool h2 = false;             // HTTP/2: its transfers wait for its connection (pipewait)
  bool tls = false;            // https:// with ALPN h2; else h2c with prior knowledge
  bool one_reset = false;      // exactly one of its transfers ends HTTP2_STREAM (h2_reset)
};

// The transfers one peer serves, as far as an HTTP/2 script that counts requests needs to
// know: how many, and whether every one of them surely sends its request (none removed by
// the plan, none with a timeout that may end it first, no world faults).
struct PeerGroup {
  int transfers = 0;
  bool stable = true;
};

inline bool is_h2_kind(PeerKind k) { return k >= PeerKind::h2_serve && k < PeerKind::count; }

// The script and model of an HTTP/2 peer (is_h2_kind(kind)); `index` names its host for TLS.
PeerPlan plan_h2_peer(const PeerChoice& p, int index, PeerKind kind, const PeerGroup& group);

// The DNS name of peer `index` (TLS peers are always reached through it).
std::string peer_host_name(int index);

}  // namespace ms::conf::prop

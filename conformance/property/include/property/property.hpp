// SPDX-License-Identifier: MIT
// property.hpp: generated scenarios, the model that predicts their results, and the
// property every generated history must satisfy.
//
// How it works: RapidCheck generates a HistoryChoice (plain numbers and small vectors, so
// its shrinking removes transfers and peers and lowers numbers); make_history() turns it
// into a Scenario (peers, client plan, policy, world) and, from the same numbers, a
// Prediction per transfer: which result codes may end it and, for a healthy peer, the
// exact body. Predictions that are certain go into the scenario's `expect` block too, so a
// written-out scenario checks them on replay; "one of these" predictions are checked from
// the trace by check_history().
#pragma once

#include <rapidcheck.h>

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "conformance/runner.hpp"
#include "conformance/scenario.hpp"

namespace ms::conf::prop {

// What a generated peer does on every connection. The h2_* peers speak HTTP/2 (h2c with
// prior knowledge, or ALPN h2 over TLS) and the transfers they serve share a connection.
#define MS_PEER_KINDS(X)                                                  \
  X(normal, "Content-Length response")                                    \
  X(chunked, "chunked response")                                          \
  X(trickle, "response in pieces of N bytes every D")                     \
  X(one_byte, "response one byte at a time")                              \
  X(slow, "waits, then answers")                                          \
  X(zero_length, "Content-Length: 0")                                     \
  X(close_delimited, "body ends when the connection closes")              \
  X(reset_at, "sends k bytes of the response, then resets")               \
  X(refused, "refuses connections")                                       \
  X(hang, "reads the request, never answers")                             \
  X(malformed, "malformed status line")                                   \
  X(h2_serve, "HTTP/2: every request answered as it comes")               \
  X(h2_order, "HTTP/2: its transfers' requests answered in any order")    \
  X(h2_reset, "HTTP/2: as h2_order, one stream reset")                    \
  X(h2_goaway, "HTTP/2: GOAWAY after the first request, per connection")  \
  X(h2_dies, "HTTP/2: the connection reset with streams open")

enum class PeerKind : int {
#define MS_X(name, text) name,
  MS_PEER_KINDS(MS_X)
#undef MS_X
  count
};
const char* to_string(PeerKind k);

// The policies a history may run under (driver presets; none of them hurts a transfer).
inline constexpr const char* kPolicies[] = {"faithful", "timeouts", "mask-zero", "spurious",
                                            "stale", "legacy", "chaos"};

struct PeerChoice {
  int kind = 0;          // PeerKind
  int body_len = 0;      // 0..2000
  int param = 0;         // piece size, chunk size, reset byte, malformed variant
  int delay_ms = 0;      // piece interval, wait before answering
  bool keep_alive = false;
  bool use_dns = false;  // reached through a name in the virtual DNS
};

struct TransferChoice {
  int peer = 0;          // index into the peers, modulo their number
  int add_ms = 0;        // when it is added
  int timeout_kind = 0;  // 0 none, 1 generous, 2 equal to a latency multiple, 3 short
  int timeout_mult = 1;  // 1..4 (kind 2), or ms (kind 3)
  int remove_ms = -1;    // -1: never removed by the plan; else ms after its add
  bool post = false;
};

struct HistoryChoice {
  std::uint64_t seed = 1;
  int policy = 0;        // index into kPolicies
  int latency_ms = 1;    // one way, 0..50
  bool faults = false;   // world faults on (then every transfer gets a timeout)
  int fault_permille = 0;
  std::vector<PeerChoice> peers;  // at least one
  std::vector<TransferChoice> transfers;
  // For a real-time target: no faults, no latency, and every wait bounded to a fraction of
  // a second, whatever the numbers above say (make_history clamps them).
  bool real_time = false;
  // The target is not the engine: where the contract names no result code (a malformed
  // reply), the codes other implementations give are allowed too.
  bool foreign = false;
};

// Where a history runs: simnet with the engine (virtual time, everything, the engine's
// exact codes), simnet with a library (the same histories, other implementations' codes
// allowed), or a real-time target (engine-real, lib:... --world real: only what run_real
// runs, short real durations).
enum class Realm : std::uint8_t { sim, library, real };
Realm realm_of(const TargetSpec& target);

struct Prediction {
  std::string id;
  std::vector<int> allowed;  // MSEcode values that may end it
  bool body_known = false;   // when it ends OK, the body is `body` exactly
  std::string body;
  bool may_skip_done = false;  // removed by the plan: at most one DONE
  // An HTTP/2 peer that resets one stream (h2_reset): of the transfers with this group
  // (the peer's index), exactly one ends HTTP2_STREAM. -1: none.
  int reset_group = -1;
  bool exact() const { return allowed.size() == 1 && !may_skip_done; }
};

struct GeneratedHistory {
  HistoryChoice choice;
  Scenario scenario;
  std::vector<Prediction> model;  // one per transfer, in plan order
};

// RapidCheck prints counterexamples with this (the scenario's text).
void showValue(const GeneratedHistory& h, std::ostream& os);

GeneratedHistory make_history(const HistoryChoice& choice);
// Realm::sim is the simulated generator, unchanged per seed (CI's seeds depend on it).
rc::Gen<HistoryChoice> gen_choice(Realm realm = Realm::sim, bool http2_peers = true);
rc::Gen<GeneratedHistory> gen_history(Realm realm = Realm::sim, bool http2_peers = true);
rc::Gen<Scenario> gen_scenario(Realm realm = Realm::sim);

// The history for one seed of the CLI's property suite (no RapidCheck run needed): the
// generator sampled with rc::Random(seed) at a size drawn from the seed.
// Without http2_peers every peer is an HTTP/1.1 one, drawn as before the HTTP/2 kinds came
// (seed N gives the history it gave then): for a library built without HTTP/2.
rc::Shrinkable<GeneratedHistory> history_for_seed(std::uint64_t seed, Realm realm = Realm::sim,
                                                  bool http2_peers = true);

struct HistoryCheck {
  ScenarioRun run;
  std::vector<std::string> problems;  // "CLAUSE: message", checker's first
  std::string first_clause;           // clause of the first problem ("" when none)
  bool ok() const { return problems.empty(); }
};

// Runs the history on the target and checks it: no checker violation, no unmet
// expectation, and every transfer ends as the model predicts (read from the trace).
HistoryCheck check_history(const GeneratedHistory& h, const TargetSpec& target);

// Greedy shrinking outside a RapidCheck run: follows the first shrink that still fails
// until none does (at most max_steps). Returns the smallest failing history found.
GeneratedHistory shrink_failure(const rc::Shrinkable<GeneratedHistory>& failing,
                                const std::function<bool(const GeneratedHistory&)>& fails,
                                int max_steps = 500);

}  // namespace ms::conf::prop

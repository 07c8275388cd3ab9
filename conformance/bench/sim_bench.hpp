// SPDX-License-Identifier: MIT
// sim_bench.hpp: the simulator's speed, measured in this process: small transfers over simnet
// and transfers that time out against a hanging peer, each run on engine-sim with the
// simulated application and the checker on and the trace hashed, as `multisock conform`
// runs them. Used by `multisock bench` and by ms_bench (the bench_scaling CTest).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ms::bench {

// A run of a scenario text on engine-sim: best CPU time of the rounds.
struct SimFigure {
  bool ok = false;
  std::string error;       // why not ok
  double cpu_s = 0;        // best of the rounds
  std::size_t events = 0;  // trace events of one run
  int items = 0;           // transfers (or timeouts) in the scenario
  double per_cpu_second() const { return ok && cpu_s > 0 ? items / cpu_s : 0; }
};

// A scenario to time: its text, how many transfers it makes, and the code each of them
// must end with (a run whose transfers end otherwise measured something else: it fails).
struct SimScenario {
  std::string text;
  int items = 0;
  int done_code = 0;
};

// `transfers` transfers of 512 B from 8 keep-alive peers, all added at once; each ends OK.
SimScenario transfers_scenario(int transfers);
// `transfers` transfers added one every 1.8 s against a peer that never answers, each
// ending with its 1,500 ms timeout (the shape of an_hour_of_timeouts.scn).
SimScenario timeouts_scenario(int transfers);

SimFigure run_sim(const SimScenario& scenario, int rounds);
// The least CPU of each scenario over `rounds` rounds, the scenarios in rotation (one run
// of each per round), so that a busy spell of the machine weighs on no scenario alone;
// stops at the first failed run.
std::vector<SimFigure> sim_rotation(const std::vector<SimScenario>& scenarios, int rounds);

// One TLS handshake's CPU, client and server in this process over a memory pipe, with the
// certificates the simulated TLS peers present (simnet's test CA and a leaf for a name,
// Ed25519) and a client that verifies them as the engine does: what each TLS connection
// of a simulated run costs at the least. The least of `rounds` rounds of `count` each.
struct HandshakeFigure {
  bool ok = false;
  std::string error;  // why not ok
  int handshakes = 0;
  double cpu_us_each = 0;
};
HandshakeFigure tls_handshakes(int count, int rounds);

// The property suite's histories as `multisock conform --target engine-sim --suite property
// --seed SEED --runs N` makes and runs them (history SEED + i, in a world of that seed), run
// again in this process: their trace events, which the caller matches against that
// command's report to know it ran the same histories, and the TLS handshakes their simulated
// peers completed. At the least CPU of one handshake each (tls_handshakes above), those bound
// the suite's rate from below whatever the rest costs. Not ok in a build without the
// property suite.
struct SuiteTls {
  bool ok = false;
  std::string error;  // why not ok
  std::uint64_t events = 0;
  std::uint64_t tls_handshakes = 0;
};
SuiteTls property_suite_tls(std::uint64_t seed, int runs);

// Process CPU time (user + system) and monotonic wall time, in seconds.
double cpu_seconds();
double wall_seconds();

}  // namespace ms::bench

// SPDX-License-Identifier: MIT
// run_end.hpp: the checks every run gets once it has ended, whichever world and process ran
// it (engine-sim here, a library in the simulated world, any target on real sockets).
#pragma once

#include <cstdint>

#include "conformance/runner.hpp"

namespace ms::conf {

// What differs between the worlds at the end of a run.
struct RunEnd {
  std::int64_t timer_tolerance_ms = 0;  // real time: calls are stamped when they return
  long open_after_cleanup = 0;          // descriptors (or sockets) still open; <= 0: none known
  const char* open_what = "descriptor";
  bool simulated = true;  // simnet's peers: they record what they see (needs_simulated_peers)
};

// The checker over the trace, ER-NO-CRASH for invalid calls survived, the scenario's
// expectations, and everything closed after cleanup. Takes the run's trace into out and
// fills it (outcome pass or error, graded later).
void check_run_end(const Scenario& sc, const RunOptions& options, RunResult& run, const RunEnd& end,
                   ScenarioRun& out);

}  // namespace ms::conf

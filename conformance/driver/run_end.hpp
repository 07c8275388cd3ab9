// SPDX-License-Identifier: MIT
// run_end.hpp: the checks every run gets once it has ended, whichever world and process ran
// it (engine-sim here, a library in the simulated world, any target on real sockets).
#pragma once

#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <thread>

#include "conformance/checker.hpp"
#include "conformance/driver.hpp"
#include "conformance/runner.hpp"

namespace ms::conf {

// What differs between the worlds at the end of a run.
struct RunEnd {
  std::int64_t timer_tolerance_ms = 0;  // real time: calls are stamped when they return
  long open_after_cleanup = 0;          // descriptors (or sockets) still open; <= 0: none known
  const char* open_what = "descriptor";
  bool simulated = true;  // simnet's peers: they record what they see (needs_simulated_peers)
};

// A run's trace hash (its JSON lines, each shown to `lines`), made on a thread of its own
// when a run may have one (RunOptions::second_thread) and it pays: for a long finished trace
// while the checker reads it, or for a long run while it runs, from its TraceFeed, where the
// same thread checks the trace too (the checker and the hash only read the trace). Else the
// hash is made in the constructor. The thread costs CPU (events read on another core): it
// buys the run's wall time.
class TraceAside {
 public:
  static constexpr std::size_t kEventsWorthAThread = 8192;

  // The trace must stay where it is until take_hash() (or the destructor) returned. No
  // thread unless `thread_allowed` (RunOptions::second_thread).
  TraceAside(const Trace& finished, const Trace::LineVisitor& lines, bool thread_allowed);
  // From the feed the run appends through (DriverOptions::feed), from before it starts;
  // `checker` is given every event too.
  TraceAside(TraceFeed& feed, const Trace::LineVisitor& lines, Checker checker);
  ~TraceAside();  // closes the feed; waits for the thread
  TraceAside(const TraceAside&) = delete;
  TraceAside& operator=(const TraceAside&) = delete;

  // Once the whole trace was read (the run has ended): the hash; once.
  std::string take_hash();
  // The checker fed from the feed, finished; nullptr from a finished trace's.
  Checker* checker();

 private:
  void join();
  TraceDigest digest_;
  TraceFeed* feed_ = nullptr;
  std::optional<Checker> checker_;
  std::thread thread_;
  std::exception_ptr failure_;
};

// The checker over the trace, ER-NO-CRASH for invalid calls survived, the scenario's
// expectations, and everything closed after cleanup. Takes the run's trace into out and
// fills it (outcome pass or error, graded later). `following`: the hash made as the run went.
void check_run_end(const Scenario& sc, const RunOptions& options, RunResult& run, const RunEnd& end,
                   ScenarioRun& out, TraceAside* following = nullptr);

}  // namespace ms::conf

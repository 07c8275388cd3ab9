// SPDX-License-Identifier: MIT
// child_run.hpp: what a scenario run in a child process sends back to the parent, and how
// a child that crashed or hung becomes the scenario's verdict. Shared by the library
// targets of both worlds (run_real.cpp on loopback, run_virtual.cpp on simnet).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "conformance/driver.hpp"
#include "conformance/isolate.hpp"
#include "conformance/runner.hpp"

namespace ms::conf {

// What the parent needs from a run, whichever process carried it out.
struct ChildRun {
  std::string skipped;      // non-empty: not applicable to this target, and why
  std::string setup_error;  // non-empty: the run could not be set up
  RunResult run;
  // Descriptors still open after cleanup: sockets opened through our callback (real
  // world) or the world's descriptors (virtual world); -1 unknown.
  long open_after_cleanup = -1;
  // Virtual world: a call the world does not model, or a condition that ended the run.
  std::string world_error;
  std::vector<std::uint64_t> choices;  // virtual world: the run's decisions
  bool replayed_choices = false;
};

// A run of the scenario not yet carried out (outcome error until graded), named as every
// target names its runs.
ScenarioRun blank_run(const Scenario& scenario, const RunOptions& options);

// Records "key length\n" followed by length bytes; bodies may hold any byte. The same
// records carry the virtual world's requests to its fork server (run_virtual.cpp).
void put(std::string& out, const std::string& key, const std::string& value);
// Reads the record at pos and moves pos past it; false with a message when the bytes there
// are not a whole record.
bool next_record(const std::string& in, std::size_t& pos, std::string& key, std::string& value,
                 std::string& error);
// Numbers as "1 2 3" and back (std::invalid_argument / out_of_range on a bad one).
std::string numbers_text(const std::vector<std::uint64_t>& v);
std::vector<std::uint64_t> numbers(const std::string& s);
std::string encode(const ChildRun& r);
bool decode(const std::string& in, ChildRun& r, std::string& error);

// In a run's child: a run that reaches DriverOptions::trace_events_max ends the child at
// once with kFloodedStatus, the call in progress named by isolate_progress.
inline constexpr int kFloodedStatus = 71;
void end_child_when_flooded(DriverOptions& options);

// In a run's child, while a Driver runs: a hang's last words (isolate_last_words) are the
// run's trace up to the outermost API call in progress (what that call did depends on when
// the child was stopped; what came before is the same every run). The driver's call hook
// must be call_hook, or call it: it also names the call (isolate_progress).
class LastWords {
 public:
  explicit LastWords(const Driver& driver);
  ~LastWords();
  LastWords(const LastWords&) = delete;
  LastWords& operator=(const LastWords&) = delete;
  static void call_hook(const char* call);
};

// A child that did not answer (crash, hang, error) becomes out's verdict (ER-NO-CRASH for
// a crash, a call that never returned, a run that did not end while its calls returned, or
// one that flooded the run with events, naming the call); true when it answered.
bool child_answered(const RunOutcome& child, const TargetSpec& target,
                    std::chrono::milliseconds limit, ScenarioRun& out);

}  // namespace ms::conf

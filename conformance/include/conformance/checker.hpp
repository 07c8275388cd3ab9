// SPDX-License-Identifier: MIT
// checker.hpp: runs the contract's clauses over a trace, online.
//
// Feed events one by one with on_event() (a fuzzer can stop at the first violation), then
// call finish() for the end-of-run clauses. Events are grouped per API call as trace.hpp
// describes: the callbacks of a call are evaluated when the call's own event arrives, so a
// violation is reported at the index of the event that shows it, possibly a few events
// after it was fed. Clauses outside the chosen edition are neither evaluated nor counted.
// Clauses a trace cannot decide (DT-REPLAY, ER-NO-CRASH) come from the harness through
// record_external().
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "conformance/clauses.hpp"
#include "conformance/trace.hpp"

namespace ms::conf {

struct CheckerOptions {
  bool stop_at_first = false;
  // Real-time targets: slack for TM-AGREE and TM-DEADLINE (0 on the virtual clock).
  long timer_tolerance_ms = 0;
  // SA-PROGRESS: this many consecutive socket calls with no change is a livelock.
  int livelock_calls = 10000;
  // TM-DELETE is checked at the end of the run; with this set, also after every socket
  // call that leaves running 0 and no socket registered.
  bool timer_delete_at_quiescence = false;
};

// Of one clause in one run, the checker keeps this many violations (the first ones) and
// counts the rest (ClauseResult::violations counts them all).
inline constexpr std::size_t kViolationsKeptPerClause = 100;

// The clause of a violation that breaks no clause of the contract but one of the
// scenario's own expectations (its expect block): the report shows it as an expectation
// with severity EXPECT.
inline constexpr const char* kExpectationClause = "EXPECT";

struct Violation {
  std::string clause;            // clause id, e.g. "SC-CHANGES", or kExpectationClause
  std::size_t event_index = 0;   // index of the event (in on_event order) that shows it
  std::int64_t time_ns = 0;      // that event's time
  std::string message;           // "expected ..., observed ..."
  // The known deviation that covers it ("FILE:LINE: reason"), empty when none does; set
  // after the run from the --known file, never by the checker.
  std::string known;
};

enum class ClauseStatus : std::uint8_t { pass, fail, not_exercised };
const char* to_string(ClauseStatus s);  // "pass", "fail", "not exercised"

struct ClauseResult {
  const Clause* clause = nullptr;
  std::size_t exercised = 0;   // how often a check of this clause was evaluated
  std::size_t violations = 0;
  ClauseStatus status = ClauseStatus::not_exercised;  // fail beats pass beats not exercised
};

class Checker {
 public:
  explicit Checker(Edition edition, CheckerOptions options = {});
  ~Checker();
  Checker(Checker&&) noexcept;
  Checker& operator=(Checker&&) noexcept;
  Checker(const Checker&) = delete;
  Checker& operator=(const Checker&) = delete;

  void on_event(const Event& e);
  void finish();  // end-of-run clauses; on_event after finish is ignored
  // The same as on_event() for each of events, then finish(), without copying them: a
  // whole trace checked at once.
  void on_trace(const std::vector<Event>& events);
  // A result the harness decided (DT-REPLAY, ER-NO-CRASH, ...). Unknown ids are ignored.
  void record_external(std::string_view clause_id, bool passed, std::string message);

  const std::vector<Violation>& violations() const;
  bool stopped() const;  // stop_at_first was set and a violation was found
  std::size_t events_seen() const;
  std::size_t exercised(ClauseId id) const;
  std::size_t exercised(std::string_view id) const;  // 0 when unknown
  // Every clause of the edition, in catalogue order.
  std::vector<ClauseResult> results() const;
  Edition edition() const;

  // Convenience: the whole trace, then finish().
  static std::vector<Violation> check(const Trace& trace, Edition edition,
                                      CheckerOptions options = {});

 private:
  struct State;
  std::unique_ptr<State> s_;
};

}  // namespace ms::conf

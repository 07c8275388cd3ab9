// SPDX-License-Identifier: MIT
// app_checker.hpp: the application's half of the contract (clauses of group AP), judged on
// the recorded trace of a real program (conformance/record/).
//
// The library clauses (checker.hpp) ask what a library did for an application that obeys the
// rules; these ask what a program did with the library's requests: its timer, the sockets it
// watches and the masks it passes, reading messages and removing handles, calls from inside
// callbacks. The program's waits for readiness (app_wait, app_ready, app_watch) are seen only
// when the recorder could observe them: a trace without any app_wait leaves AP-WATCH,
// AP-UNWATCH, AP-MASK and AP-ACT not exercised, and AP-INFO-READ is then judged at the
// program's next socket wait it cannot see, that is never.
#pragma once

#include <cstddef>
#include <vector>

#include "conformance/checker.hpp"
#include "conformance/clauses.hpp"
#include "conformance/trace.hpp"

namespace ms::conf {

struct AppCheckOptions {
  // AP-TIMER-FIRE: how late after its expiry a timer may be answered (real time: the
  // program's loop, the machine's load and the recorder all add latency).
  long tolerance_ms = 200;
  // How early a CURL_SOCKET_TIMEOUT call may come and still answer the timer: the
  // callback's value is in whole milliseconds, and event libraries start a timer from the
  // loop's cached time (libevent, libuv), which is older than the callback by the time the
  // loop iteration has taken so far.
  long early_ms = 5;
};

struct AppCheck {
  std::vector<Violation> violations;  // in trace order, at most kViolationsKeptPerClause each
  std::vector<ClauseResult> results;  // the application clauses of the edition, catalogue order
  bool waits_observed = false;        // the trace holds at least one app_wait
};

// The whole trace at once. The run's end is the last event's time (a harness that stops a
// program appends a note at the moment it did, so a timer left standing is judged too).
AppCheck check_application(const Trace& trace, Edition edition, AppCheckOptions options = {});

}  // namespace ms::conf

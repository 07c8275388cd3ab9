// SPDX-License-Identifier: MIT
// checker_classic.cpp: the classic loop of curl_multi_perform(3) (CL-NONBLOCK, CL-WAIT-BOUND,
// CL-WAIT-EMPTY, CL-POLL-WAITS, CL-WAKEUP, CL-FDSET; CL-RUNNING through judge_running).
//
// The calls that wait are judged by the time they took ("took NS" in the event's text,
// trace.hpp) against what the pages promise: perform never waits; wait and poll end by
// timeout_ms or the multi's own shorter timeout (multi_timeout's answer just before);
// with nothing to wait for (no unfinished transfer, no connection the library waited on,
// numfds 0), wait returns at once and poll waits its time out, unless a wakeup came
// first. Virtual time is exact; the 1 ms slack covers the millisecond rounding of
// multi_timeout, and a real-time run adds its timer tolerance.
#include <optional>

#include "checker_state.hpp"

namespace ms::conf {
namespace {

// The number after `key` in a classic-loop event's text ("took NS", "on FD..."); nullopt
// when absent (a trace written by hand, a wait that watched no connection).
std::optional<long> number_after(const Event& e, std::string_view key) {
  const std::vector<std::string_view> w = words(e.text);
  for (std::size_t k = 0; k + 1 < w.size(); ++k) {
    long v = 0;
    if (w[k] == key && parse_long(w[k + 1], v)) return v;
  }
  return std::nullopt;
}

// "took NS"; -1 when absent.
std::int64_t took_ns(const Event& e) { return number_after(e, "took").value_or(-1); }

// "on FD...": the connections the library itself waited on while no transfer ran (the
// driver writes them in a simulated world, where it can see them).
bool waited_on_a_connection(const Event& e) { return number_after(e, "on").has_value(); }

std::string ms_text(std::int64_t ns) {
  return std::to_string(ns / kMs) + "." + std::to_string(ns % kMs / 100000) + " ms";
}

}  // namespace

std::int64_t Checker::State::tolerance_ns() const {
  return std::max<std::int64_t>(1, opt.timer_tolerance_ms) * kMs;
}

void Checker::State::on_perform(std::size_t i, const Event& e) {
  classic.used = true;
  driving.last_time = e.time_ns;
  queue.hi = kUnknown;
  const std::int64_t took = took_ns(e);
  if (took >= 0) {
    check(ClauseId::CL_NONBLOCK, took <= tolerance_ns(), i, e.time_ns, [&] {
      return "expected multi_perform to return without waiting, observed it took " + ms_text(took);
    });
  }
  const bool ok = e.result == MSM_OK ||
                  (e.result == MSM_CALL_MULTI_PERFORM && edition == Edition::e7_16);
  if (!ok) {
    enter_error_state(i);
    return;
  }
  judge_running(i, e, kPerformRunning);
}

void Checker::State::on_wait(std::size_t i, const Event& e) {
  const bool poll = e.kind == EventKind::multi_poll;
  const char* name = poll ? "multi_poll" : "multi_wait";
  const long reported = classic.timeout_reported;
  classic.timeout_reported = kUnknown;
  const bool woken = poll && classic.wakeup_pending;
  if (poll) classic.wakeup_pending = false;
  const std::int64_t took = took_ns(e);
  if (e.result != MSM_OK || took < 0 || e.value < 0) return;
  const std::int64_t t = e.time_ns;
  const std::int64_t tol = tolerance_ns();
  std::int64_t bound = e.value * kMs;
  std::string bound_text = std::to_string(e.value) + " ms (timeout_ms)";
  if (reported != kUnknown && reported >= 0 && reported * kMs < bound) {
    bound = reported * kMs;
    bound_text = std::to_string(reported) + " ms (multi_timeout's answer before the call)";
  }
  check(ClauseId::CL_WAIT_BOUND, took <= bound + tol, i, t, [&] {
    return std::string("expected ") + name + " to return within " + bound_text + ", observed " +
           ms_text(took);
  });
  // No transfer the library could wait for: none added, or every one done and read.
  const bool nothing_to_wait_for = unfinished.empty();
  // Yet it may have had a descriptor to offer: a connection no transfer uses that it
  // waited on all the same (libcurl 8 watches one it is shutting down, until its peer's
  // close), or, where the trace cannot show those (real sockets), numfds counting a ready
  // one. (Extra descriptors count in numfds too; the pages' rule is for calls without.)
  const bool had_one = waited_on_a_connection(e) || e.code > 0;
  if (!poll && nothing_to_wait_for) {
    check(ClauseId::CL_WAIT_EMPTY, took <= tol || had_one, i, t, [&] {
      return "expected multi_wait with no descriptor to wait for to return at once, observed it "
             "waited " + ms_text(took);
    });
  }
  if (poll && woken) {
    check(ClauseId::CL_WAKEUP, took <= tol, i, t, [&] {
      return "expected multi_poll after multi_wakeup to return at once, observed it waited " +
             ms_text(took);
    });
  } else if (poll && nothing_to_wait_for) {
    check(ClauseId::CL_POLL_WAITS, took + tol >= bound || had_one, i, t, [&] {
      return "expected multi_poll with no descriptor to wait for to wait " + bound_text +
             ", observed it returned after " + ms_text(took);
    });
  }
}

void Checker::State::on_fdset(std::size_t i, const Event& e) {
  if (e.result != MSM_OK) return;
  long highest = -1;
  for (const std::string_view w : words(e.text)) {
    long fd = 0;
    if (parse_long(w, fd)) highest = std::max(highest, fd);
  }
  check(ClauseId::CL_FDSET, e.value == highest, i, e.time_ns, [&] {
    return "expected max_fd " + std::to_string(highest) +
           (highest < 0 ? " (no descriptor set)" : " (the highest descriptor set)") +
           ", observed " + std::to_string(e.value);
  });
}

}  // namespace ms::conf

// SPDX-License-Identifier: MIT
// checker_timer.cpp: the timer callback, timeout queries and transfer deadlines (TM-*).
#include "checker_state.hpp"

namespace ms::conf {

void Checker::State::on_timer_cb(std::size_t i, const Event& e, const Event* ctx) {
  callback_common(i, e, ctx);
  group.timer_told = true;
  check(ClauseId::TM_VALUE, e.value >= -1, i, e.time_ns, [&] {
    return "expected -1, 0 or a positive ms value, observed " + std::to_string(e.value);
  });
  if (timer.told) {
    bool same = e.value == timer.value &&
                (e.value < 0 || e.time_ns == timer.time);
    if (e.value >= 0 && timer.value >= 0) {
      same = e.time_ns + e.value * kMs == timer.time + timer.value * kMs;
    }
    bool allowed = ctx != nullptr && (ctx->kind == EventKind::add_handle ||
                                      (ctx->kind == EventKind::socket_action &&
                                       ctx->fd == MS_SOCKET_TIMEOUT));
    check(ClauseId::TM_CHANGES, !same || allowed, i, e.time_ns, [&] {
      return "expected the timer callback only when the deadline changes, observed " +
             std::to_string(e.value) + " ms repeating the deadline told before";
    });
  } else {
    ex(ClauseId::TM_CHANGES);
  }
  timer.told = true;
  timer.value = e.value;
  timer.time = e.time_ns;
  timer.fired = false;
}

// The application's timer is one-shot: a SOCKET_TIMEOUT call at or past its deadline
// uses it up, unless the call told a new one.
void Checker::State::timer_used_by(const Event& e) {
  if (e.kind == EventKind::socket_action && e.fd == MS_SOCKET_TIMEOUT && !group.timer_told &&
      timer.told && timer.value >= 0 &&
      e.time_ns + opt.timer_tolerance_ms * kMs >= timer.time + timer.value * kMs)
    timer.fired = true;
}

// TM-DEADLINE: count the calls at or past each transfer's deadline after which it is still
// running (called once the call's running count is judged). While a
// decrease of running is not yet matched by DONE messages read (the application reads
// late), any of those handles may be the one that already ended: such calls do not
// count, or a transfer that ended on time would be blamed for the late read.
// In real time a call is stamped when it returns, but the implementation read its clock
// on entry: a call that straddles the deadline counts only once it is past the tolerance.
// A removal leaves the baseline unknown, so a decrease right after one is not seen
// above; the last running count still tells that some transfer ended unread when it
// is below the number of added transfers whose DONE was not read.
// (done_read only ever holds added handles.) Only transfers past their deadline are
// visited (timer.deadlines): a call costs what the late transfers cost, not what the
// transfers cost.
void Checker::State::count_calls_past_deadlines(std::int64_t t) {
  const long not_read = static_cast<long>(added.size() - done_read.size());
  const bool unread_done = queue.decrease_since_drain > queue.dones_since_drain ||
                           (queue.last_running >= 0 && queue.last_running < not_read);
  if (unread_done) return;
  const std::int64_t tol = opt.timer_tolerance_ms * kMs;
  for (auto it = timer.deadlines.begin(); it != timer.deadlines.end() && t - tol >= it->first;) {
    const int h = it->second;
    const auto tm = timer.timeout_ms.find(h);
    const auto at = add_time.find(h);
    const bool current = tm != timer.timeout_ms.end() && at != add_time.end() &&
                         at->second + tm->second * kMs == it->first;
    if (!current || !added.count(h) || done_read.count(h)) {
      it = timer.deadlines.erase(it);  // on_add indexes the handle again if it comes back
      continue;
    }
    ++timer.calls_past_deadline[h];
    ++it;
  }
}

// Indexes h's deadline once both its add time and its timeout are known.
void Checker::State::index_deadline(int h) {
  const auto tm = timer.timeout_ms.find(h);
  const auto at = add_time.find(h);
  if (tm == timer.timeout_ms.end() || at == add_time.end()) return;
  timer.deadlines.emplace(at->second + tm->second * kMs, h);
}

void Checker::State::on_timeout_query(std::size_t i, const Event& e) {
  if (e.result == MSM_OK) classic.timeout_reported = e.value;
  if (e.result != MSM_OK || !timer.told) return;
  const long tol = opt.timer_tolerance_ms;
  if (timer.value < 0) {
    check(ClauseId::TM_AGREE, e.value == -1, i, e.time_ns, [&] {
      return "expected -1 (the last timer callback deleted the timer), observed " +
             std::to_string(e.value);
    });
    return;
  }
  std::int64_t elapsed = e.time_ns - timer.time;
  long lo = std::max(0L, timer.value - static_cast<long>((elapsed + kMs - 1) / kMs)) - tol;
  long hi = std::max(0L, timer.value - static_cast<long>(elapsed / kMs)) + tol;
  check(ClauseId::TM_AGREE, e.value >= std::max(0L, lo) && e.value <= hi, i, e.time_ns, [&] {
    return "expected " + std::to_string(std::max(0L, lo)) + ".." + std::to_string(hi) +
           " ms (timer " + std::to_string(timer.value) + " ms told " +
           std::to_string(elapsed / kMs) + " ms ago), observed " + std::to_string(e.value);
  });
}

// TM-DEADLINE: a transfer with MSOPT_TIMEOUT_MS ends in the first call at or after its
// deadline, and times out neither early nor late.
void Checker::State::judge_deadline_at_done(std::size_t i, const Event& e) {
  const int h = e.easy;
  const std::int64_t t = e.time_ns;
  auto tm = timer.timeout_ms.find(h);
  if (tm != timer.timeout_ms.end()) {
    const std::int64_t deadline = add_time[h] + tm->second * kMs;
    const std::int64_t tol = opt.timer_tolerance_ms * kMs;
    // The timer callback speaks in whole milliseconds, rounded up so the application never
    // wakes early: a deadline that falls between two of them is serviced at the next one,
    // up to 1 ms - 1 ns late. Later than that is a violation.
    constexpr std::int64_t kTimerResolution = kMs - 1;
    const std::int64_t at = driving.last_time;
    const int past = timer.calls_past_deadline[h];
    ex(ClauseId::TM_DEADLINE);
    if (past >= 1) {
      fail(ClauseId::TM_DEADLINE, i, t,
           "expected e" + std::to_string(h) + " to end in the first call at or after its " +
               std::to_string(tm->second) + " ms deadline, observed it still running after " +
               std::to_string(past) + " such call(s)");
    } else if (e.code == MSE_OPERATION_TIMEDOUT && at < deadline - tol) {
      fail(ClauseId::TM_DEADLINE, i, t,
           "expected MSE_OPERATION_TIMEDOUT at " + std::to_string(deadline) +
               " ns, observed it early at " + std::to_string(at) + " ns");
    } else if (e.code == MSE_OPERATION_TIMEDOUT && !timer.late &&
               at > deadline + tol + kTimerResolution) {
      fail(ClauseId::TM_DEADLINE, i, t,
           "expected MSE_OPERATION_TIMEDOUT at " + std::to_string(deadline) +
               " ns, observed it late at " + std::to_string(at) + " ns");
    }
  }
}

void Checker::State::quiescence_timer_check(std::size_t i, std::int64_t t) {
  bool idle = added.empty() || queue.last_running == 0;
  if (!idle || !sockets.reg.empty() || !timer.told) return;
  check(ClauseId::TM_DELETE, timer.value == -1, i, t, [&] {
    return "expected the timer deleted (-1) once nothing is pending, observed " +
           std::to_string(timer.value) + " ms as the last timer";
  });
}

void Checker::State::before_cleanup(std::size_t i, const Event& e) {
  if (!cleanup_seen) quiescence_timer_check(i, e.time_ns);
  cleanup_seen = true;
}

}  // namespace ms::conf

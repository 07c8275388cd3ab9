// SPDX-License-Identifier: MIT
// checker_queue.cpp: the running count and the message queue (SA-RUNNING, SA-DECREASE, SA-ZERO-DONE, IR-*;
// CL-RUNNING when multi_perform reported the count).
#include "checker_state.hpp"

namespace ms::conf {

// SA-RUNNING (the bound now, the exact count at the next DONE), the decrease and the
// zero that DONE messages must match, and TM-DELETE at quiescence.
void Checker::State::judge_running(std::size_t i, const Event& e, const RunningClauses& by) {
  const std::int64_t t = e.time_ns;
  const int r = e.running;
  if (r < 0) return;
  long bound = running_bound();
  check(by.running, r <= bound, i, t, [&] {
    return "expected running <= " + std::to_string(bound) + " (added and not done), observed " +
           std::to_string(r);
  });
  queue.run_check = RunCheck{true, r, i, by.running};
  if (queue.baseline >= 0 && r < queue.baseline) {
    if (queue.decrease_since_drain == 0) queue.decrease_index = i;
    queue.decrease_clause = by.decrease;
    queue.decrease_since_drain += queue.baseline - r;
  }
  if (queue.baseline >= 0 && r != queue.baseline) group.change = true;
  queue.baseline = r;
  if (r == 0) {
    // Not every added handle: a run that keeps its finished handles added would pay
    // for all of them at every call that says running 0.
    queue.zero_pending.insert(unfinished.begin(), unfinished.end());
    queue.zero_index = i;
    queue.zero_clause = by.zero_done;
    ex(by.zero_done);
    if (opt.timer_delete_at_quiescence && sockets.reg.empty() && timer.told) {
      check(ClauseId::TM_DELETE, timer.value == -1, i, t, [&] {
        return "expected the timer deleted (-1) when nothing is pending, observed " +
               std::to_string(timer.value) + " ms as the last timer";
      });
    }
  }
  queue.last_running = r;
}

void Checker::State::on_info_read(std::size_t i, const Event& e, bool nested) {
  const std::int64_t t = e.time_ns;
  const long k = e.value;
  if (e.easy == 0) {
    check(ClauseId::IR_QUEUE, k == 0 && queue.lo == 0, i, t, [&] {
      return queue.lo > 0 ? "expected a message (" + std::to_string(queue.lo) +
                                " said to be left), observed NULL"
                          : "expected msgs_in_queue 0 with NULL, observed " + std::to_string(k);
    });
    queue.lo = queue.hi = 0;
    if (!nested) drain(i, t);
    return;
  }
  check(ClauseId::ER_CODES, e.result == MSMSG_DONE && easy_code_known(e.code), i, t, [&] {
    return "expected a DONE message with a result code, observed message kind " +
           std::to_string(e.result) + " with result " + std::to_string(e.code);
  });
  bool k_ok = k >= 0 && k >= queue.lo - 1 && (queue.hi == kUnknown || (queue.hi >= 1 && k <= queue.hi - 1));
  check(ClauseId::IR_QUEUE, k_ok, i, t, [&] {
    return "expected msgs_in_queue to count the messages left (" + std::to_string(queue.lo) +
           " or more queued before), observed " + std::to_string(k);
  });
  queue.lo = queue.hi = std::max(0L, k);

  const int h = e.easy;
  if (removed.count(h) && !added.count(h)) {
    check(ClauseId::IR_REMOVED, false, i, t, [&] {
      return "expected no message for removed e" + std::to_string(h) + ", observed a DONE";
    });
  } else if (!added.count(h)) {
    check(ClauseId::IR_ONCE, false, i, t, [&] {
      return "expected DONE only for added handles, observed one for e" + std::to_string(h);
    });
  } else if (done_read.count(h)) {
    check(ClauseId::IR_ONCE, false, i, t, [&] {
      return "expected one DONE for e" + std::to_string(h) + ", observed a second one";
    });
  } else {
    ex(ClauseId::IR_ONCE);
    ex(ClauseId::IR_REMOVED);
    done_read.insert(h);
    unfinished.erase(h);
    group.change = true;
    ++queue.dones_since_drain;
    queue.zero_pending.erase(h);
    errors.abort_pending.erase(h);
    forget_errors_of(h);
    on_done(i, e);
  }
  if (k == 0 && !nested) drain(i, t);
}

// A DONE message read for an added handle: what it settles.
void Checker::State::on_done(std::size_t i, const Event& e) {
  judge_exact_running(e);
  judge_healthy_end(i, e);
  judge_deadline_at_done(i, e);
}

// SA-RUNNING, exact: after the last socket call, finished = read + still queued.
void Checker::State::judge_exact_running(const Event& e) {
  const std::int64_t t = e.time_ns;
  if (queue.run_check.active) {
    long expect = static_cast<long>(added.size()) -
                  (static_cast<long>(done_read.size()) + std::max(0L, e.value));
    check(queue.run_check.clause, queue.run_check.running == expect, queue.run_check.index, t, [&] {
      return "expected running " + std::to_string(expect) + " (added " +
             std::to_string(added.size()) + ", finished " + std::to_string(added.size() - expect) +
             "), observed " + std::to_string(queue.run_check.running);
    });
    queue.run_check.active = false;
  }
}

// The queue is known empty: settle the obligations that wait for DONE messages.
void Checker::State::drain(std::size_t i, std::int64_t t) {
  if (queue.decrease_since_drain > 0 && !queue.decrease_poisoned) {
    check(queue.decrease_clause, queue.dones_since_drain >= queue.decrease_since_drain, i, t, [&] {
      return "expected " + std::to_string(queue.decrease_since_drain) +
             " DONE message(s) for the running decrease at event " +
             std::to_string(queue.decrease_index) + ", observed " +
             std::to_string(queue.dones_since_drain);
    });
  }
  queue.decrease_since_drain = queue.dones_since_drain = 0;
  queue.decrease_poisoned = false;
  for (int h : queue.zero_pending) {
    check(queue.zero_clause, false, i, t, [&] {
      return "expected a DONE message for e" + std::to_string(h) + " (running was 0 at event " +
             std::to_string(queue.zero_index) + "), observed an empty queue";
    });
  }
  queue.zero_pending.clear();
}

}  // namespace ms::conf

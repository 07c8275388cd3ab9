// SPDX-License-Identifier: MIT
// checker_handles.cpp: adding and removing handles, result codes, error returns and aborts (ER-*, SA-AFTER-ERROR, SA-KICK, LG-CALL-AGAIN).
#include "checker_state.hpp"

namespace ms::conf {

bool Checker::State::code_allowed(EventKind k, int r) const {
  auto in = [r](std::initializer_list<int> l) {
    return std::find(l.begin(), l.end(), r) != l.end();
  };
  if (in({MSM_BAD_HANDLE, MSM_OUT_OF_MEMORY, MSM_INTERNAL_ERROR, MSM_RECURSIVE_API_CALL}))
    return true;
  switch (k) {
    case EventKind::add_handle:
      return in({MSM_OK, MSM_BAD_EASY_HANDLE, MSM_ADDED_ALREADY, MSM_ABORTED_BY_CALLBACK});
    case EventKind::remove_handle:
      return in({MSM_OK, MSM_BAD_EASY_HANDLE, MSM_ABORTED_BY_CALLBACK});
    case EventKind::socket_action:
    case EventKind::socket_legacy:
    case EventKind::socket_all:
      if (r == MSM_CALL_MULTI_PERFORM) return edition == Edition::e7_16;
      return in({MSM_OK, MSM_BAD_SOCKET, MSM_ABORTED_BY_CALLBACK, MSM_UNRECOVERABLE_POLL});
    case EventKind::perform:
      if (r == MSM_CALL_MULTI_PERFORM) return edition == Edition::e7_16;
      return in({MSM_OK, MSM_ABORTED_BY_CALLBACK});
    case EventKind::multi_wait:
    case EventKind::multi_poll:
      return in({MSM_OK, MSM_BAD_FUNCTION_ARGUMENT, MSM_UNRECOVERABLE_POLL});
    case EventKind::wakeup: return in({MSM_OK, MSM_WAKEUP_FAILURE});
    case EventKind::fdset: return in({MSM_OK, MSM_BAD_FUNCTION_ARGUMENT});
    case EventKind::assign: return in({MSM_OK, MSM_BAD_SOCKET});
    case EventKind::setopt:
      return in({MSM_OK, MSM_UNKNOWN_OPTION, MSM_BAD_FUNCTION_ARGUMENT});
    case EventKind::timeout_query:
    case EventKind::cleanup: return r == MSM_OK;
    default: return true;
  }
}

// ER-CODES, for every call that returns an MSMcode: the code a bad multi, a call from
// inside a callback, or the call's own page asks for. False for a probe the target had
// to refuse (a bad multi, a forbidden call inside a callback): it changes nothing else.
bool Checker::State::judge_code(std::size_t i, const Event& e, bool in_cb) {
  const std::int64_t t = e.time_ns;
  const bool bad_multi = e.has(EventFlag::bad_multi);
  // Allowed inside callbacks: multi_assign (its page says so) and info_read (no page
  // forbids it); every other multi call is refused there.
  const bool allowed_in_cb = e.kind == EventKind::assign || e.kind == EventKind::info_read;
  const std::string what = to_string(e.kind);
  if (e.kind != EventKind::info_read) {
    // Named only in a failure's message: made only then (it was a third of this check).
    const auto got = [&] { return mcode(e.result); };
    if (bad_multi) {
      check(ClauseId::ER_CODES, e.result == MSM_BAD_HANDLE, i, t, [&] {
        return "expected MSM_BAD_HANDLE from " + what + " on a bad multi, observed " + got();
      });
    } else if (in_cb && !allowed_in_cb) {
      check(ClauseId::ER_CODES, e.result == MSM_RECURSIVE_API_CALL, i, t, [&] {
        return "expected MSM_RECURSIVE_API_CALL from " + what + " inside a callback, observed " +
               got();
      });
    } else {
      check(ClauseId::ER_CODES, code_allowed(e.kind, e.result), i, t,
            [&] { return "expected a code " + what + " documents, observed " + got(); });
    }
  } else if (bad_multi) {
    check(ClauseId::ER_CODES, e.easy == 0, i, t,
          [&] { return "expected NULL from info_read on a bad multi, observed a message"; });
  }
  return !(bad_multi || (in_cb && !allowed_in_cb));
}

// LG-CALL-AGAIN: MSM_CALL_MULTI_PERFORM only from socket calls and perform, with running.
void Checker::State::judge_call_again(std::size_t i, const Event& e) {
  if (e.result != MSM_CALL_MULTI_PERFORM || !ex(ClauseId::LG_CALL_AGAIN)) return;
  if (!is_socket_call(e.kind) && e.kind != EventKind::perform) {
    fail(ClauseId::LG_CALL_AGAIN, i, e.time_ns,
         "expected MSM_CALL_MULTI_PERFORM only from socket calls and perform, observed it from " +
             std::string(to_string(e.kind)));
  } else if (e.running < 0) {
    fail(ClauseId::LG_CALL_AGAIN, i, e.time_ns,
         "expected running reported with MSM_CALL_MULTI_PERFORM, observed none");
  }
}

// ER-ABORT: a callback of this group returned -1. Judged on the enclosing call: an
// assign made from inside a later callback of the same group returns its own code.
void Checker::State::judge_abort_return(std::size_t i, const Event& e, bool in_cb) {
  if (!group.abort || in_cb) return;
  check(ClauseId::ER_ABORT, e.result == MSM_ABORTED_BY_CALLBACK, i, e.time_ns, [&] {
    return "expected MSM_ABORTED_BY_CALLBACK after a callback returned -1 (event " +
           std::to_string(group.abort_index) + "), observed " + mcode(e.result);
  });
  errors.abort_pending.insert(unfinished.begin(), unfinished.end());
  errors.abort_index = i;
}

void Checker::State::on_add(std::size_t i, const Event& e) {
  const std::int64_t t = e.time_ns;
  if (e.easy == 0) {
    check(ClauseId::ER_CODES, e.result == MSM_BAD_EASY_HANDLE, i, t, [&] {
      return "expected MSM_BAD_EASY_HANDLE for a NULL easy handle, observed " + mcode(e.result);
    });
    return;
  }
  if (added.count(e.easy)) {
    check(ClauseId::ER_CODES, e.result == MSM_ADDED_ALREADY, i, t, [&] {
      return "expected MSM_ADDED_ALREADY for e" + std::to_string(e.easy) +
             " added twice, observed " + mcode(e.result);
    });
    return;
  }
  // ABORTED_BY_CALLBACK: a timer callback's -1 after the handle joined; it may be in the
  // multi (and then ends with a DONE like the others) or not.
  const bool aborted = e.result == MSM_ABORTED_BY_CALLBACK;
  if (e.result != MSM_OK && !aborted) return;
  added.insert(e.easy);
  pause.held.erase(e.easy);
  removed.erase(e.easy);
  done_read.erase(e.easy);
  unfinished.insert(e.easy);
  timer.calls_past_deadline.erase(e.easy);
  add_time[e.easy] = t;
  index_deadline(e.easy);
  if (queue.baseline >= 0) ++queue.baseline;
  queue.run_check.active = false;
  if (aborted) {
    queue.hi = kUnknown;
    queue.baseline = -1;
    return;
  }
  if (classic.no_callbacks) return;  // no timer callback was set: nothing to kick
  bool due = timer.told && timer.value >= 0 && timer.time + timer.value * kMs <= t;
  check(ClauseId::SA_KICK, due, i, t, [&] {
    return "expected a due timer after add_handle (a 0 ms timer callback), observed " +
           (timer.told ? "timer " + std::to_string(timer.value) + " ms told at " +
                             std::to_string(timer.time) + " ns"
                       : std::string("no timer callback"));
  });
}

void Checker::State::on_remove(std::size_t i, const Event& e) {
  const std::int64_t t = e.time_ns;
  if (e.easy != 0 && !added.count(e.easy)) {
    check(ClauseId::ER_REMOVE_UNADDED, e.result == MSM_OK, i, t, [&] {
      return "expected MSM_OK removing e" + std::to_string(e.easy) +
             " which is in no multi, observed " + mcode(e.result);
    });
    return;
  }
  if (e.result != MSM_OK) return;
  ex(ClauseId::IR_REMOVED);
  int h = e.easy;
  // The application drained the queue after the aborted call; removing a transfer that
  // was in progress then, without its DONE having come, loses that DONE for good.
  if (errors.abort_pending.count(h) && !done_read.count(h)) {
    check(ClauseId::ER_ABORT, false, i, t, [&] {
      return "expected a DONE for e" + std::to_string(h) + " after the abort (event " +
             std::to_string(errors.abort_index) + "), observed it removed without one";
    });
  }
  // TM-DEADLINE: still running after a call at or past its deadline, and removed so.
  if (const auto late = timer.calls_past_deadline.find(h);
      late != timer.calls_past_deadline.end() && late->second >= 1 && !done_read.count(h)) {
    const int past = late->second;
    check(ClauseId::TM_DEADLINE, false, i, t, [&] {
      return "expected e" + std::to_string(h) + " to end at its deadline, observed it running after " +
             std::to_string(past) + " call(s) at or past it, until it was removed";
    });
  }
  timer.calls_past_deadline.erase(h);
  added.erase(h);
  removed.insert(h);
  pause.held.erase(h);
  // Removed before any socket call: finished inside easy_pause, or the timer is moot.
  if (auto it = pause.resume_pending.find(h); it != pause.resume_pending.end()) {
    if (done_read.count(h)) ex(ClauseId::PA_RESUME);
    pause.resume_pending.erase(it);
  }
  done_read.erase(h);
  unfinished.erase(h);
  queue.zero_pending.erase(h);
  errors.abort_pending.erase(h);
  forget_errors_of(h);
  // Its unread message (if any) is dropped: the queue may be one shorter.
  queue.lo = std::max(0L, queue.lo - 1);
  queue.baseline = -1;
  queue.decrease_poisoned = true;
  queue.run_check.active = false;
  if (added.empty()) errors.in_error = false;
}

// SA-AFTER-ERROR (application side): no socket call on a multi in error state.
void Checker::State::judge_call_after_error(std::size_t i, const Event& e) {
  if (!errors.in_error) return;
  check(ClauseId::SA_AFTER_ERROR, added.empty(), i, e.time_ns, [&] {
    return "expected every handle removed after the error at event " +
           std::to_string(errors.error_index) + ", observed another socket call with " +
           std::to_string(added.size()) + " handles still added";
  });
}

// An error return: the multi is in error state until every handle is removed.
void Checker::State::enter_error_state(std::size_t i) {
  if (!errors.in_error) errors.error_index = i;
  errors.in_error = true;
  ex(ClauseId::SA_AFTER_ERROR);
  queue.baseline = -1;
  queue.run_check.active = false;
}

}  // namespace ms::conf

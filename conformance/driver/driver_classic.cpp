// SPDX-License-Identifier: MIT
// driver_classic.cpp: the classic loop of curl_multi_perform(3) (Policy::loop other than
// socket). The application sets no socket or timer callback. Each round it carries out the
// plan steps that are due, calls multi_perform and reads the messages, then waits:
//   perform-poll   multi_timeout, an optional multi_wakeup (policy `wakeup`), multi_poll;
//   perform-wait   multi_timeout, multi_wait, and after numfds 0 twice in a row a sleep of
//                  its own (100 ms, as the multi_wait page's example does, or less when
//                  multi_timeout or the plan says something is due sooner);
//   perform-fdset  multi_fdset, multi_timeout, and its own select() over the sets in the
//                  Environment, bounded by multi_timeout (100 ms when that says -1 or
//                  max_fd is -1, as the multi_fdset page suggests).
// Every wait is bounded by 1000 ms (the pages' examples) and by the application's next
// plan step, re-add or unpause. The calls that wait are recorded with the time they took,
// which is what the CL-* clauses judge (checker_classic.cpp).
#include "driver_impl.hpp"

namespace ms::conf {
namespace {

constexpr long kWaitMaxMs = 1000;   // timeout_ms of the pages' example loops
constexpr long kOwnSleepMs = 100;   // the pause the multi_wait and multi_fdset pages suggest

std::string took_text(Nanos took) { return "took " + std::to_string(took.count()); }

}  // namespace

void Driver::Impl::classic_rounds(Loop& loop) {
  while (!loop.ended) {
    if (limit_reached(loop)) break;
    carry_out_due_steps(loop);
    if (loop.ended) break;
    readd_and_unpause_due();
    if (rng.chance(opt.policy.remove_random)) remove_random();
    // Legacy (7.16 pages): CALL_MULTI_PERFORM asks to be called again before waiting.
    if (perform() == MSM_CALL_MULTI_PERFORM) continue;
    if (all_over(loop)) break;
    if (undrained) drain_messages();  // deferred messages are read before the wait
    if (!classic_wait(loop)) break;
  }
}

int Driver::Impl::perform() {
  if (stop_after_error) return MSM_OK;
  ++out.api_calls;
  ++calls_without_change;
  const Nanos before = env.now();
  int now_running = -1;
  Event e;
  e.kind = EventKind::perform;
  const int rc = recorded_call(e, "multi_perform", "", [&] {
    const int code = api.multi_perform(multi, &now_running);
    e.running = now_running;
    e.text = took_text(env.now() - before);
    return code;
  });
  if (rc == MSM_OK || rc == MSM_CALL_MULTI_PERFORM) running = now_running;
  drain_or_defer(rc);
  if (rc != MSM_OK && rc != MSM_CALL_MULTI_PERFORM) recover(rc);
  return rc;
}

int Driver::Impl::wait_call(EventKind kind, int timeout_ms, int& numfds) {
  ++out.api_calls;
  const Nanos before = env.now();
  numfds = -1;
  Event e;
  e.kind = kind;
  e.value = timeout_ms;
  const bool poll = kind == EventKind::multi_poll;
  // scratch is free here (classic_wait only empties the readiness changes into it); no
  // vector of its own, as a larger Impl would move a library's heap and its traces.
  env.waited_on(scratch);  // forget the waits before this call
  return recorded_call(e, poll ? "multi_poll" : "multi_wait", "", [&] {
    const int code = poll ? api.multi_poll(multi, nullptr, 0, timeout_ms, &numfds)
                          : api.multi_wait(multi, nullptr, 0, timeout_ms, &numfds);
    e.code = numfds;
    e.text = took_text(env.now() - before);
    // With no transfer running, the connections the library still waited on say it had
    // a descriptor to offer (CL-WAIT-EMPTY, CL-POLL-WAITS): "on FD...".
    if (running == 0) {
      env.waited_on(scratch);
      if (!scratch.empty()) e.text += " on";
      for (const int fd : scratch) e.text += " " + std::to_string(fd);
    }
    return code;
  });
}

bool Driver::Impl::classic_wait(Loop& loop) {
  if (stop_after_error) return false;
  // The library watches its own descriptors: the Environment's list of changes is only
  // emptied, so that its wait sleeps instead of reporting what the library already saw.
  env.ready_changes(scratch);
  // What the application itself must do next bounds every wait.
  std::optional<Nanos> wake;
  if (loop.plan_left()) wake = loop.start + Nanos(loop.plan[loop.next_step].at_ns);
  for (const auto& r : readd)
    if (!wake || r.first < *wake) wake = r.first;
  for (const auto& u : unpauses)
    if (!wake || u.at < *wake) wake = u.at;
  long timeout_ms = kWaitMaxMs;
  if (wake) {
    const std::int64_t left = (*wake - env.now()).count();
    timeout_ms = std::clamp<long>(left <= 0 ? 0 : (left + 999'999) / 1'000'000, 0, kWaitMaxMs);
  }
  if (++loop.idle_rounds > 1000000) {
    out.hit_call_limit = true;
    note("idle-limit");
    return false;
  }
  if (opt.policy.loop == AppLoop::perform_fdset) return fdset_and_select(wake);
  const Nanos asked_at = env.now();
  const long internal_ms = query_timeout();  // what CL-WAIT-BOUND holds the wait to
  int numfds = 0;
  if (opt.policy.loop == AppLoop::perform_poll) {
    if (rng.chance(opt.policy.wakeup)) {
      Event e;
      e.kind = EventKind::wakeup;
      ++out.api_calls;
      recorded_call(e, "multi_wakeup", "", [&] { return api.multi_wakeup(multi); });
    }
    const int rc = wait_call(EventKind::multi_poll, static_cast<int>(timeout_ms), numfds);
    if (rc != MSM_OK) note("error-return " + std::to_string(rc) + " from multi_poll");
    if (rc == MSM_OK || env.wait(env.now() + std::chrono::milliseconds(timeout_ms))) return true;
    note("wait-failed the environment cannot wait");
    return false;
  }
  const int rc = wait_call(EventKind::multi_wait, static_cast<int>(timeout_ms), numfds);
  if (rc != MSM_OK) note("error-return " + std::to_string(rc) + " from multi_wait");
  // The page's example: numfds 0 means a timeout or nothing to wait for; the first time
  // it is taken for a timeout, from the second time on the application sleeps itself.
  if (rc == MSM_OK && numfds > 0) {
    zero_numfds = 0;
    return true;
  }
  if (rc == MSM_OK && ++zero_numfds <= 1) return true;
  // Never past the multi's own timeout: the sleep must not make a transfer's deadline late.
  Nanos until = env.now() + std::chrono::milliseconds(std::min(kOwnSleepMs, timeout_ms));
  if (internal_ms >= 0) until = std::min(until, asked_at + std::chrono::milliseconds(internal_ms));
  if (wake && *wake < until) until = *wake;
  if (until <= env.now()) return true;
  if (env.wait(until)) return true;
  note("wait-failed the environment cannot wait");
  return false;
}

bool Driver::Impl::fdset_and_select(std::optional<Nanos> wake) {
  fd_set rd, wr, ex;
  FD_ZERO(&rd);
  FD_ZERO(&wr);
  FD_ZERO(&ex);
  int max_fd = -2;
  ++out.api_calls;
  Event e;
  e.kind = EventKind::fdset;
  std::map<int, int> wanted;  // fd -> MS_POLL_* the sets ask for
  const int rc = recorded_call(e, "multi_fdset", "", [&] {
    const int code = api.multi_fdset(multi, &rd, &wr, &ex, &max_fd);
    e.value = max_fd;
    for (int fd = 0; fd < FD_SETSIZE; ++fd) {
      int want = (FD_ISSET(fd, &rd) ? MS_POLL_IN : 0) | (FD_ISSET(fd, &wr) ? MS_POLL_OUT : 0);
      if (FD_ISSET(fd, &ex) && want == 0) want = MS_POLL_IN;  // errors show as readable
      if (want != 0) wanted[fd] = want;
    }
    std::string in = "in", outs = "out";
    for (const auto& [fd, want] : wanted) {
      if (want & MS_POLL_IN) in += " " + std::to_string(fd);
      if (want & MS_POLL_OUT) outs += " " + std::to_string(fd);
    }
    e.text = in + " " + outs;
    return code;
  });
  if (rc != MSM_OK) note("error-return " + std::to_string(rc) + " from multi_fdset");
  // The real Environment waits in epoll: it watches what the sets ask for, nothing else.
  for (int fd : watched)
    if (!wanted.count(fd)) env.watch(fd, MS_POLL_REMOVE);
  watched.clear();
  for (const auto& [fd, want] : wanted) {
    env.watch(fd, want);
    watched.insert(fd);
  }
  long timeout = query_timeout();
  if (timeout < 0 || max_fd < 0) timeout = timeout < 0 ? kOwnSleepMs : std::min(timeout, kOwnSleepMs);
  Nanos until = env.now() + std::chrono::milliseconds(std::min(timeout, kWaitMaxMs));
  if (wake && *wake < until) until = *wake;
  // select(): until a descriptor of the sets is ready for what it was set for, or the time.
  for (;;) {
    env.ready_changes(scratch);
    for (const auto& [fd, want] : wanted) {
      const int ready = env.readiness(fd);
      if ((ready & MS_CSELECT_ERR) || ((want & MS_POLL_IN) && (ready & MS_CSELECT_IN)) ||
          ((want & MS_POLL_OUT) && (ready & MS_CSELECT_OUT)))
        return true;
    }
    if (env.now() >= until) return true;
    if (!env.wait(until)) {
      note("wait-failed the environment cannot wait");
      return false;
    }
  }
}

}  // namespace ms::conf

// SPDX-License-Identifier: MIT
// driver_loop.cpp: Driver::Impl::run and its named phases (the loop of driver_impl.hpp).
#include "driver_impl.hpp"

namespace ms::conf {

RunResult Driver::Impl::run(const std::vector<ClientStep>& plan) {
  Impl* const outer = current;
  current = this;
  struct Restore {
    Impl* outer;
    ~Restore() { current = outer; }
  } restore{outer};
  // A transfer makes a few dozen events: room for them up front spares the copies
  // (and fresh pages) of a trace that doubles its way to 100,000 events.
  out.trace.events.reserve(std::min(opt.trace_events_max, expected_events(plan.size())));
  if (!start_multi()) return std::move(out);
  Loop loop{plan};
  loop.start = env.now();
  if (opt.policy.loop != AppLoop::socket) {
    classic_rounds(loop);  // driver_classic.cpp
    end_run(loop.cleanup_pending);
    return std::move(out);
  }
  while (!loop.ended) {
    if (limit_reached(loop)) break;
    bool acted = carry_out_due_steps(loop);
    if (loop.ended) break;
    acted |= readd_and_unpause_due();
    acted |= policy_moves(loop);
    acted |= act_on_ready_descriptors();
    acted |= events_without_news();
    acted |= fire_timer();
    if (all_over(loop)) break;
    if (acted) {
      loop.idle_rounds = 0;
      continue;
    }
    if (undrained) {  // the deferred messages are read before anything is waited for
      drain_messages();
      continue;
    }
    if (!wait_for_next(loop)) break;
  }
  end_run(loop.cleanup_pending);
  return std::move(out);
}

bool Driver::Impl::start_multi() {
  note("seed " + std::to_string(opt.seed) + " policy " + opt.policy.to_string());
  if (opt.policy.late_timeout > 0) note("late-timers");
  if (opt.policy.loop != AppLoop::socket) note(std::string("classic-loop ") + to_string(opt.policy.loop));
  in_call = true;
  enter("multi_init");
  multi = opt.multi_factory ? opt.multi_factory() : api.multi_init();
  leave();
  in_call = false;
  if (!multi) {
    out.harness_error = "multi_init failed";
    return false;
  }
  {
    Event e;
    e.kind = EventKind::call_end;
    e.text = "multi_init";
    record(e);
  }
  ms_socket_callback sfn = &socket_cb;
  ms_multi_timer_callback tfn = &timer_cb;
  traced("multi_setopt", "", [&] {
    if (opt.policy.loop == AppLoop::socket) {  // a classic loop sets no callback
      api.multi_setopt(multi, MSMOPT_SOCKETFUNCTION, sfn);
      api.multi_setopt(multi, MSMOPT_SOCKETDATA, static_cast<void*>(this));
      api.multi_setopt(multi, MSMOPT_TIMERFUNCTION, tfn);
      api.multi_setopt(multi, MSMOPT_TIMERDATA, static_cast<void*>(this));
    }
    for (const auto& [option, value] : opt.multi_longs) api.multi_setopt(multi, option, value);
  });
  return true;
}

bool Driver::Impl::limit_reached(const Loop& loop) {
  if (stop_after_error) {
    note("stop after the error return (no-recover)");
    return true;
  }
  if (calls_without_change >= kLivelockCalls) {
    out.hit_call_limit = true;
    note("livelock " + std::to_string(calls_without_change) +
         " socket calls without any change");
    return true;
  }
  if (out.api_calls >= opt.call_limit) {
    out.hit_call_limit = true;
    note("call-limit");
    return true;
  }
  if (env.now() - loop.start > opt.time_limit) {
    out.hit_time_limit = true;
    note("time-limit");
    return true;
  }
  return false;
}

bool Driver::Impl::carry_out_due_steps(Loop& loop) {
  bool acted = false;
  while (loop.plan_left() && Nanos(loop.plan[loop.next_step].at_ns) <= env.now() - loop.start) {
    const ClientStep& step = loop.plan[loop.next_step++];
    switch (step.kind) {
      case StepKind::add: {
        Transfer* t = find(loop, step.transfer.id);
        if (!t) {
          auto fresh = std::make_unique<Transfer>();
          fresh->spec = &step.transfer;
          fresh->index = transfers.size();
          fresh->result.id = step.transfer.id;
          t = fresh.get();
          loop.by_id.emplace(step.transfer.id, t);
          transfers.push_back(std::move(fresh));
        }
        std::erase_if(readd, [t](const auto& r) { return r.second == t; });
        if (!t->added || t->removed) add_transfer(*t);
        break;
      }
      case StepKind::remove: {
        Transfer* t = find(loop, step.id);
        std::erase_if(readd, [t](const auto& r) { return r.second == t; });
        if (t && t->added && !t->removed) remove_transfer(*t);
        break;
      }
      case StepKind::end:
        loop.ended = true;
        break;
      case StepKind::cleanup:
        loop.ended = true;
        loop.cleanup_pending = true;
        break;
    }
    acted = true;
  }
  return acted;
}

Driver::Impl::Transfer* Driver::Impl::find(const Loop& loop, const std::string& id) {
  auto it = loop.by_id.find(id);
  return it == loop.by_id.end() ? nullptr : it->second;
}

bool Driver::Impl::readd_and_unpause_due() {
  bool acted = false;
  for (std::size_t k = 0; k < readd.size();) {
    if (readd[k].first > env.now()) {
      ++k;
      continue;
    }
    Transfer* t = readd[k].second;
    readd.erase(readd.begin() + static_cast<std::ptrdiff_t>(k));
    if (t->removed) add_transfer(*t);
    acted = true;
  }
  for (std::size_t k = 0; k < unpauses.size();) {
    if (unpauses[k].at > env.now()) {
      ++k;
      continue;
    }
    const Unpause u = unpauses[k];
    unpauses.erase(unpauses.begin() + static_cast<std::ptrdiff_t>(k));
    unpause(*u.t, u.bit);
    acted = true;
  }
  return acted;
}

bool Driver::Impl::policy_moves(Loop& loop) {
  bool acted = false;
  if (rng.chance(opt.policy.remove_random)) remove_random();
  if (rng.chance(opt.policy.misuse)) misuse();
  if (rng.chance(opt.policy.null_multi)) null_multi_call();
  if (!spares.empty()) drop_spares();
  if (after_add && opt.kick_start && !loop.kicked) {
    loop.kicked = true;
    socket_action(MS_SOCKET_TIMEOUT, 0, "kick-start");
    acted = true;
  }
  after_add = false;
  return acted;
}

bool Driver::Impl::act_on_ready_descriptors() {
  bool acted = false;
  env.ready_changes(scratch);
  candidates.insert(candidates.end(), scratch.begin(), scratch.end());
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  // The round moves into scratch and candidates gets scratch's buffer back: a round
  // allocates nothing (scratch is free again once its changes are in candidates).
  scratch.clear();
  scratch.swap(candidates);
  for (int fd : scratch) {
    const Registration* reg = regs.find(fd);
    if (!reg) continue;
    const int action = reg->action;
    if (action == MS_POLL_NONE) continue;
    const int ready = env.readiness(fd);
    int mask = ready & MS_CSELECT_ERR;
    if (action & MS_POLL_IN) mask |= ready & MS_CSELECT_IN;
    if (action & MS_POLL_OUT) mask |= ready & MS_CSELECT_OUT;
    if (!mask) continue;
    if (rng.chance(opt.policy.legacy_socket) && api.multi_socket) {
      socket_legacy(fd);
    } else {
      const int passed = rng.chance(opt.policy.mask_zero)  ? 0
                         : rng.chance(opt.policy.err_only) ? MS_CSELECT_ERR
                                                           : mask;
      socket_action(fd, passed, nullptr);
    }
    candidates.push_back(fd);  // level-triggered: look again next round
    acted = true;
  }
  return acted;
}

bool Driver::Impl::events_without_news() {
  bool acted = false;
  if (!regs.empty() && rng.chance(opt.policy.spurious_in + opt.policy.spurious_out +
                                  opt.policy.err_healthy)) {
    const int fd = regs.nth(static_cast<std::size_t>(rng.below(regs.size())));
    const double pick = static_cast<double>(rng.below(1000)) / 1000.0 *
                        (opt.policy.spurious_in + opt.policy.spurious_out +
                         opt.policy.err_healthy);
    if (pick < opt.policy.spurious_in) {
      if (!(env.readiness(fd) & MS_CSELECT_IN)) socket_action(fd, MS_CSELECT_IN, "spurious in");
    } else if (pick < opt.policy.spurious_in + opt.policy.spurious_out) {
      if (!(env.readiness(fd) & MS_CSELECT_OUT))
        socket_action(fd, MS_CSELECT_OUT, "spurious out");
    } else {
      socket_action(fd, MS_CSELECT_ERR, "err-healthy");
    }
    acted = true;
  }
  if (rng.chance(opt.policy.stale_fd)) {
    // A descriptor nobody registered right now: stale if it was, unknown if never.
    const int fd = 3 + static_cast<int>(rng.below(64));
    if (!regs.find(fd)) {
      socket_action(fd, static_cast<int>(rng.below(8)) & 7,
                    ever_registered.count(fd) ? "spurious stale-fd" : "spurious unknown-fd");
      acted = true;
    }
  }
  if (api.multi_socket_all && rng.chance(opt.policy.socket_all)) {
    socket_all();
    acted = true;
  }
  if (rng.chance(opt.policy.timeout_query)) query_timeout();
  return acted;
}

bool Driver::Impl::fire_timer() {
  if (deadline && *deadline <= env.now()) {
    deadline.reset();
    socket_action(MS_SOCKET_TIMEOUT, 0, nullptr);
    return true;
  }
  if (deadline && rng.chance(opt.policy.early_timeout)) {
    socket_action(MS_SOCKET_TIMEOUT, 0, "spurious early-timeout");
    return true;
  }
  return false;
}

bool Driver::Impl::all_over(const Loop& loop) const {
  const bool plan_left = loop.plan_left();
  // Real time: when all is over, no timer is pending and only the final `end` is
  // left, waiting for it shows nothing more and costs wall time.
  const bool only_end_left = plan_left &&
                             (loop.plan[loop.next_step].kind == StepKind::end ||
                              loop.plan[loop.next_step].kind == StepKind::cleanup) &&
                             !env.is_virtual() && !deadline && !undrained;
  return (!plan_left || only_end_left) && readd.empty() && all_done() && running == 0;
}

bool Driver::Impl::wait_for_next(Loop& loop) {
  std::optional<Nanos> wake = deadline;
  if (wake && rng.chance(opt.policy.late_timeout))
    *wake += std::chrono::milliseconds(1 + rng.below(50));
  if (loop.plan_left()) {
    const Nanos step_at = loop.start + Nanos(loop.plan[loop.next_step].at_ns);
    if (!wake || step_at < *wake) wake = step_at;
  }
  for (const auto& r : readd)
    if (!wake || r.first < *wake) wake = r.first;
  for (const auto& u : unpauses)
    if (!wake || u.at < *wake) wake = u.at;
  if (!env.wait(wake)) {
    if (!all_done() || running > 0) {
      out.stalled = true;
      note("stall transfers running, no registered interest can fire and no timer");
    }
    return false;
  }
  if (++loop.idle_rounds > 1000000) {
    out.hit_call_limit = true;
    note("idle-limit");
    return false;
  }
  return true;
}

void Driver::Impl::end_run(bool cleanup_pending) {
  if (undrained) drain_messages();
  if (!spares.empty()) drop_spares();
  if (cleanup_pending) {
    // The documented order is the other way round, but multi_cleanup of a multi with
    // handles is a call the contract covers.
    note("cleanup with handles added");
    cleanup_multi(" (with transfers pending)");
    for (auto& t : transfers) {
      if (t->easy) cleanup_easy(*t);
    }
  } else {
    for (auto& t : transfers) {
      if (t->added && !t->removed) remove_transfer(*t);
    }
    for (auto& t : transfers) {
      if (t->easy) cleanup_easy(*t);
    }
    cleanup_multi("");
  }
  out.transfers.reserve(out.transfers.size() + transfers.size());
  for (auto& t : transfers) {
    release(*t);
    out.transfers.push_back(std::move(t->result));  // the run is over: nothing reads it again
  }
  out.end_time_ns = now_ns();
  if (events_dropped > 0 && out.harness_error.empty())
    out.harness_error = "the target made more than " + std::to_string(opt.trace_events_max) +
                        " events in one run (" + std::to_string(events_dropped) +
                        " more were not kept): the trace was cut";
}

void Driver::Impl::cleanup_multi(const char* how) {
  Event e;
  e.kind = EventKind::cleanup;
  recorded_call(e, "multi_cleanup", how, [&] { return api.multi_cleanup(multi); });
  multi = nullptr;
}

}  // namespace ms::conf

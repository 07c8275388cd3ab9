// SPDX-License-Identifier: MIT
// checker.cpp: the online checker: the replay of call groups, the order in which each
// event is judged, the end of the run, and the Checker class. The model and where each
// concern is judged: checker_state.hpp.
#include "checker_state.hpp"

namespace ms::conf {

const char* to_string(ClauseStatus s) {
  switch (s) {
    case ClauseStatus::pass: return "pass";
    case ClauseStatus::fail: return "fail";
    case ClauseStatus::not_exercised: return "not exercised";
  }
  return "?";
}

void Checker::State::feed(std::size_t index, const Event& e) {
  if (stopped || finished) return;
  bool closes = (is_api_call(e.kind) && !e.has(EventFlag::in_callback)) ||
                e.kind == EventKind::call_end;
  if (!closes) {
    buffer.emplace_back(index, &e);
    return;
  }
  group.socket_fds.clear();
  group.timer_told = false;
  group.abort = false;
  group.change = false;
  if (e.kind == EventKind::cleanup) before_cleanup(index, e);
  replaying.swap(buffer);
  for (const auto& [i, ev] : replaying) {
    if (stopped) break;
    replay(i, *ev, &e);
  }
  replaying.clear();
  if (stopped) return;
  replay(index, e, nullptr);
}

// ctx: the call the event was made in (nullptr for the call itself or no call).
void Checker::State::replay(std::size_t i, const Event& e, const Event* ctx) {
  // Time moved on: the application has read the DONE messages of the call that told a
  // REMOVE, and waited with that socket unwatched.
  if (!streams.suspects.empty() && e.time_ns > streams.suspects.front().call_end)
    judge_open_removes(e.time_ns);
  switch (e.kind) {
    case EventKind::socket_cb: on_socket_cb(i, e, ctx); break;
    case EventKind::timer_cb: on_timer_cb(i, e, ctx); break;
    case EventKind::net_open:
      group.change = true;
      if (auto it = sockets.reg.find(e.fd); it != sockets.reg.end() && !it->second.closed) {
        check(ClauseId::SC_REMOVE, false, i, e.time_ns, [&] {
          return "expected REMOVE before descriptor " + std::to_string(e.fd) +
                 " is reused, observed it opened again while registered";
        });
      }
      break;
    case EventKind::net_close: on_net_close(i, e); break;
    case EventKind::net_connect:
    case EventKind::net_bytes: group.change = true; break;
    case EventKind::net_ready: break;
    case EventKind::net_stream:
    case EventKind::net_stream_end: on_net_stream(e); break;
    case EventKind::note: on_note(i, e); break;
    case EventKind::call_end: break;
    case EventKind::write_cb:
    case EventKind::read_cb: on_data_cb(i, e, ctx); break;
    default: on_call(i, e, ctx != nullptr);
  }
}

// Nothing of the multi may call the application once multi_cleanup returned.
void Checker::State::after_cleanup(std::size_t i, const Event& e) {
  if (!cleanup_returned) return;
  check(ClauseId::SC_INSIDE, false, i, e.time_ns, [&] {
    return std::string("expected no callback after multi_cleanup returned, observed a ") +
           to_string(e.kind) +
           (e.kind == EventKind::socket_cb ? " for fd " + std::to_string(e.fd) : "");
  });
}

void Checker::State::callback_common(std::size_t i, const Event& e, const Event* ctx) {
  after_cleanup(i, e);
  bool outside = e.has(EventFlag::outside) || e.has(EventFlag::other_thread);
  check(ClauseId::SC_INSIDE, !outside && ctx != nullptr, i, e.time_ns, [&] {
    return std::string(
               "expected the callback inside an API call on the application's thread, "
               "observed ") +
           (ctx == nullptr ? "no API call after it" : e.flagged_text());
  });
  bool bad = e.has(EventFlag::bad_userp) || e.has(EventFlag::bad_multi);
  check(ClauseId::SC_USERP, !bad, i, e.time_ns, [&] {
    return "expected userp/multi as set by the application, observed " + e.flagged_text();
  });
  if (e.result == -1) {
    group.abort = true;
    group.abort_index = i;
  }
}

void Checker::State::on_note(std::size_t i, const Event& e) {
  // The notes the checker reads, by first word: one table, so the words a note may start
  // with and what each does cannot drift apart. Every other note is free text ("transfer
  // e1 ...", "seed ...") and is not split into words.
  using Words = std::vector<std::string_view>;
  struct NoteWord {
    std::string_view word;
    void (*act)(State& s, std::size_t at, const Event& ev, const Words& w);
  };
  static constexpr NoteWord kNoteWords[] = {
      {"healthy",
       [](State& s, std::size_t, const Event&, const Words& w) {
         int h = 0;
         if (w.size() >= 2 && parse_easy_id(w[1], h)) s.healthy.insert(h);
       }},
      {"timeout",
       [](State& s, std::size_t, const Event&, const Words& w) {
         int h = 0;
         long ms = 0;
         if (w.size() >= 3 && parse_easy_id(w[1], h) && parse_long(w[2], ms)) {
           s.timer.timeout_ms[h] = ms;
           s.index_deadline(h);
         }
       }},
      {"spurious", [](State& s, std::size_t, const Event&, const Words&) { s.driving.spurious_seen = true; }},
      {"classic-loop", [](State& s, std::size_t, const Event&, const Words&) { s.classic.no_callbacks = true; }},
      {"late-timers", [](State& s, std::size_t, const Event&, const Words&) { s.timer.late = true; }},
      {"stall",
       [](State& s, std::size_t at, const Event& ev, const Words&) {
         s.judge_open_removes(ev.time_ns);
         s.fail_liveness(at, ev);
       }},
      {"livelock", [](State& s, std::size_t at, const Event& ev, const Words&) { s.note_livelock(at, ev); }},
  };
  static constexpr const char* kSpaces = " \t\n\v\f\r";
  const std::size_t from = e.text.find_first_not_of(kSpaces);
  if (from == std::string::npos) return;
  const std::string_view first =
      std::string_view(e.text).substr(from, e.text.find_first_of(kSpaces, from) - from);
  for (const NoteWord& n : kNoteWords) {
    if (n.word != first) continue;
    n.act(*this, i, e, words(e.text));
    return;
  }
}

void Checker::State::note_livelock(std::size_t i, const Event& e) {
  // The application gave up on a target that consumed none of its events: an ERR still
  // unanswered then was met with silence.
  for (const auto& pending : sockets.err_pending) {
    const auto fd = pending.first;  // copies: clang 14 lambdas cannot capture bindings
    const auto at = pending.second;
    check(ClauseId::SA_ERR, false, i, e.time_ns, [&] {
      return "expected the transfer on fd " + std::to_string(fd) + " (ERR at event " + std::to_string(at) +
             ") to end or re-register, observed silence until the "
             "application gave up";
    });
  }
  sockets.err_pending.clear();
  sockets.err_easy.clear();
}

void Checker::State::fail_liveness(std::size_t i, const Event& e) {
  check(ClauseId::SC_LIVENESS, false, i, e.time_ns, [&] {
    return "expected something to wait on while " + std::to_string(running_bound()) +
           " handles run, observed a stall (no timer, and no registered interest that can fire)";
  });
  if (driving.mask0_used && !driving.nonzero_mask_used) {
    check(ClauseId::SA_ZERO, false, i, e.time_ns,
          [&] { return "expected transfers driven with mask 0 to complete, observed a stall"; });
  }
  for (const auto& pending : sockets.err_pending) {
    const auto fd = pending.first;  // copies: clang 14 lambdas cannot capture bindings
    const auto at = pending.second;
    check(ClauseId::SA_ERR, false, i, e.time_ns, [&] {
      return "expected the transfer on fd " + std::to_string(fd) + " (ERR at event " +
             std::to_string(at) + ") to end or re-register, observed silence until a stall";
    });
  }
  sockets.err_pending.clear();
}

void Checker::State::on_call(std::size_t i, const Event& e, bool nested) {
  const std::int64_t t = e.time_ns;
  if (e.kind == EventKind::easy_pause) {  // an easy call: its MSEcode is not ER-CODES'
    // Except from inside a callback, where curl_easy_pause(3) "can be used from within
    // callbacks": the driver asks for the state the transfer has, which must succeed.
    if (nested || e.has(EventFlag::in_callback))
      check(ClauseId::ER_CODES, e.result == MSE_OK, i, t, [&] {
        return "expected MSE_OK from easy_pause inside a callback (allowed there), observed " +
               std::string(ename(e.result)) + "(" + std::to_string(e.result) + ")";
      });
    on_easy_pause(i, e);
    return;
  }
  const bool in_cb = nested || e.has(EventFlag::in_callback);
  if (!judge_code(i, e, in_cb)) return;  // a refused probe changes nothing
  judge_call_again(i, e);
  judge_abort_return(i, e, in_cb);
  switch (e.kind) {
    case EventKind::add_handle: on_add(i, e); break;
    case EventKind::remove_handle: on_remove(i, e); break;
    case EventKind::socket_action:
    case EventKind::socket_legacy:
    case EventKind::socket_all: on_socket_call(i, e); break;
    case EventKind::assign: on_assign(i, e); break;
    case EventKind::timeout_query: on_timeout_query(i, e); break;
    case EventKind::info_read:
      if (in_cb) {
        // Read inside a call that is still running: the counts of that call and the
        // one before say nothing exact about this message.
        queue.run_check.active = false;
        queue.decrease_poisoned = true;
        queue.hi = kUnknown;  // the running call may have queued messages already
      }
      on_info_read(i, e, in_cb);
      break;
    case EventKind::cleanup: on_cleanup(i, e); break;
    case EventKind::perform: on_perform(i, e); break;
    case EventKind::multi_wait:
    case EventKind::multi_poll: on_wait(i, e); break;
    case EventKind::wakeup:
      if (e.result == MSM_OK) classic.wakeup_pending = true;
      break;
    case EventKind::fdset: on_fdset(i, e); break;
    default: break;
  }
}

// A socket call (socket_action, multi_socket, multi_socket_all), judged concern by
// concern, in this order.
void Checker::State::on_socket_call(std::size_t i, const Event& e) {
  const bool ok = e.result == MSM_OK ||
                  (e.result == MSM_CALL_MULTI_PERFORM && edition == Edition::e7_16);
  driving.last_time = e.time_ns;
  queue.hi = kUnknown;
  settle_resumes(e.time_ns);
  timer_used_by(e);
  judge_how_driven(i, e, ok);
  judge_call_after_error(i, e);
  judge_unknown_descriptor(i, e);
  if (!ok) {
    enter_error_state(i);
    return;
  }
  owe_answer_to_err(i, e);
  judge_running(i, e);
  // After the running count of this call is known: a transfer still running after a call
  // at or past its deadline is late, even when no call comes after (a deleted timer).
  count_calls_past_deadlines(e.time_ns);
  if (running_bound() > 0) ex(ClauseId::SC_LIVENESS);
  judge_progress(i, e);
}

void Checker::State::finish_run() {
  if (finished) return;
  if (!stopped) {
    // Events not closed by an API call.
    std::vector<std::pair<std::size_t, const Event*>> rest;
    rest.swap(buffer);
    for (const auto& [i, ev] : rest) {
      if (stopped) break;
      replay(i, *ev, nullptr);
    }
  }
  held.clear();
  finished = true;
  if (stopped) return;
  std::size_t i = next_index == 0 ? 0 : next_index - 1;
  std::int64_t t = driving.last_time;
  if (!cleanup_seen) quiescence_timer_check(i, t);
  settle_resumes(t);
  for (const auto& pending : sockets.err_pending) {
    const auto fd = pending.first;  // copies: clang 14 lambdas cannot capture bindings
    const auto at = pending.second;
    check(ClauseId::SA_ERR, false, at, t, [&] {
      return "expected the transfer on fd " + std::to_string(fd) +
             " to end or re-register after CSELECT_ERR, observed silence until the end";
    });
  }
  for (int h : queue.zero_pending) {
    check(queue.zero_clause, false, queue.zero_index, t, [&] {
      return "expected a DONE message for e" + std::to_string(h) +
             " (running was 0), observed none until the end";
    });
  }
  if (queue.last_running == 0) {
    added.for_each([&](int h) {
      if (!done_read.count(h)) {
        check(ClauseId::IR_ONCE, false, i, t, [&] {
          return "expected one DONE for finished e" + std::to_string(h) + ", observed none";
        });
      }
    });
  }
  for (int h : errors.abort_pending) {
    if (added.count(h) && !done_read.count(h)) {
      check(ClauseId::ER_ABORT, false, errors.abort_index, t, [&] {
        return "expected a DONE for e" + std::to_string(h) +
               " after the abort, observed none until the end";
      });
    }
  }
  for (auto& late : timer.calls_past_deadline) {
    const auto h = late.first;  // a copy: clang 14 lambdas cannot capture bindings
    auto& past = late.second;
    if (past >= 1 && added.count(h) && !done_read.count(h)) {
      check(ClauseId::TM_DEADLINE, false, i, t, [&] {
        return "expected e" + std::to_string(h) + " to end at its deadline, observed it running after " +
               std::to_string(past) + " call(s) at or past it, and until the end";
      });
    }
  }
}

Checker::Checker(Edition edition, CheckerOptions options)
    : s_(std::make_unique<State>(edition, options)) {}
Checker::~Checker() = default;
Checker::Checker(Checker&&) noexcept = default;
Checker& Checker::operator=(Checker&&) noexcept = default;

void Checker::on_event(const Event& e) {
  std::size_t index = s_->next_index++;
  if (s_->stopped || s_->finished) return;
  // A copy that lives until its group is replayed; a closing event is replayed at once.
  if (s_->buffer.empty()) s_->held.clear();
  s_->held.push_back(e);
  s_->feed(index, s_->held.back());
}

void Checker::on_trace(const std::vector<Event>& events) {
  for (const Event& e : events) {
    std::size_t index = s_->next_index++;
    s_->feed(index, e);
  }
  s_->finish_run();
}

void Checker::finish() { s_->finish_run(); }

void Checker::record_external(std::string_view clause_id, bool passed, std::string message) {
  const Clause* c = find_clause(clause_id);
  if (c == nullptr) return;
  if (!s_->ex(c->key)) return;
  if (!passed) {
    s_->fail(c->key, s_->next_index, s_->driving.last_time, std::move(message));
  }
}

const std::vector<Violation>& Checker::violations() const { return s_->violations; }
bool Checker::stopped() const { return s_->stopped; }
std::size_t Checker::events_seen() const { return s_->next_index; }
Edition Checker::edition() const { return s_->edition; }

std::size_t Checker::exercised(ClauseId id) const {
  return s_->exercised[static_cast<std::size_t>(id)];
}

std::size_t Checker::exercised(std::string_view id) const {
  const Clause* c = find_clause(id);
  return c == nullptr ? 0 : exercised(c->key);
}

std::vector<ClauseResult> Checker::results() const {
  std::vector<ClauseResult> out;
  for (const Clause& c : all_clauses()) {
    if (!s_->on(c.key)) continue;  // another edition's, or the application's (State)
    ClauseResult r;
    r.clause = &c;
    r.exercised = s_->exercised[static_cast<std::size_t>(c.key)];
    r.violations = s_->violated[static_cast<std::size_t>(c.key)];
    r.status = r.violations > 0  ? ClauseStatus::fail
               : r.exercised > 0 ? ClauseStatus::pass
                                 : ClauseStatus::not_exercised;
    out.push_back(r);
  }
  return out;
}

std::vector<Violation> Checker::check(const Trace& trace, Edition edition,
                                      CheckerOptions options) {
  Checker c(edition, options);
  for (const Event& e : trace.events) {
    c.on_event(e);
    if (c.stopped()) break;
  }
  c.finish();
  return c.violations();
}

}  // namespace ms::conf

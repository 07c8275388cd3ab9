// SPDX-License-Identifier: MIT
// multi.cpp: the multi handle.
//
// How it works:
// - Every entry from the application (add/remove, socket_action, timeout, pause, ...) reads
//   the clock once (enter()) and runs to completion; callbacks are made only from inside
//   such a call, with the recursion guard up (call_app), so a multi call from a callback
//   gets MSM_RECURSIVE_API_CALL (ms_multi_assign and ms_multi_strerror excepted).
// - Descriptors live in the SocketTable (indexed by fd): each transfer states the interest
//   it wants on each of its sockets, the table tells the application only changes, and a
//   socket is dropped from the table (REMOVE told) before it is closed.
// - Each transfer keeps its earliest deadline in the TimerQueue, ordered by (deadline,
//   handle sequence number). An added handle waits for its first timer without a Transfer
//   (the queue holds the handle, due at its add's time), so an idle added handle costs
//   little more than its ms_easy; the Transfer is made when that timer comes, or earlier
//   by transfer_of() when a pause or an abort needs it, which then behaves as if it had
//   been made at the add. At the end of every call update_timer() compares the queue's
//   earliest deadline with the last one told and calls the timer callback only on a change
//   that moves the application's timer (-1 when empty): a new deadline that rounds to the
//   expiry the application already holds is not told again. Two re-arms are made on
//   purpose: after add_handle, unless the application holds a timer that is already due
//   (its SOCKET_TIMEOUT call starts the new handle as well: telling it again would only
//   have it re-arm a timer that fires anyway, a system call or two per handle in an event
//   loop), and after a SOCKET_TIMEOUT call (the application's one-shot timer has been spent).
//   ms_multi_timeout answers from the last told deadline, so it always agrees with the
//   callback.
// - socket_action(fd) hands the event to the users of fd only, then runs expired timers:
//   no per-event work grows with the number of handles.
// - A callback returning -1 sets aborted_; at the end of the call every running transfer
//   ends with MSE_ABORTED_BY_CALLBACK (one DONE each) and the call returns
//   MSM_ABORTED_BY_CALLBACK, so "remove all handles, add new ones" works afterwards.
// - Idle keep-alive connections are told REMOVE when they go idle and re-registered when a
//   transfer reuses them; before reuse the engine asks Net::readiness whether the peer
//   closed (readable or error while idle means dead).
// - Connection limits: each connection holds a ConnLimits slot until it is destroyed. A
//   transfer without a slot waits in queue_ (still counted as running); at the end of
//   every call process_queue() hands freed slots, or idle connections of the right host,
//   to waiting transfers in order, which then start on an immediate timer.
// - The classic loop (perform, wait, poll, fdset) is a second way into the same state
//   machine: multi_classic.cpp.
#include "multi.hpp"

#include <algorithm>

#include "mutant.hpp"
#include "transfer.hpp"

using ms::port::Nanos;

ms_multi::ms_multi(const ms::port::Ports& ports, ms::Mutant mutant)
    : ports_(ports), mutant_(mutant), sockets_(*this, mutant), pool_(*this),
      // Left unfilled: receive calls write it before anything reads it, and zeroing 64 KiB
      // per multi was 2% of the property suite's instructions.
      scratch_(std::make_unique_for_overwrite<std::byte[]>(kScratchBytes)) {}

ms_multi::~ms_multi() {
  if (wakeup_fd_ >= 0 && ports_.waiter) ports_.waiter->close_wakeup(wakeup_fd_);
}

int ms_multi::interest(const ms::SocketTable::Entry& entry) {
  int want = 0;
  for (const auto& u : entry.users) want |= u.want;
  return want & MS_POLL_INOUT;
}

bool ms_multi::refuses_recursion() const {
  if (MS_MUTANT(mutant_, no_recursion_guard)) return false;
  return in_callback();
}

void ms_multi::tell_socket(ms_easy* easy, int fd, int action, void* socketp) {
  if (!socket_fn_) return;
  const int rc = call_app([&] { return socket_fn_(easy, fd, action, socket_data_, socketp); });
  if (rc == -1 && !aborting_) {
    if (MS_MUTANT(mutant_, abort_ignored)) return;
    aborted_ = true;
  }
}

long ms_multi::ms_until(Nanos at) const {
  if (at <= now_) return 0;
  const auto ns = (at - now_).count();
  return static_cast<long>((ns + 999'999) / 1'000'000);
}

void ms_multi::update_timer(bool force) {
  const auto earliest = timers_.earliest();
  long value = 0;
  if (!earliest) {
    if (!timer_told_) return;
    if (MS_MUTANT(mutant_, no_timer_delete)) return;
    timer_told_.reset();
    value = -1;
  } else {
    const bool repeat_anyway = MS_MUTANT(mutant_, timer_repeat);
    value = ms_until(*earliest);
    const Nanos expires = now_ + std::chrono::milliseconds(value);
    if (!force && !repeat_anyway && timer_told_) {
      if (*timer_told_ == *earliest) return;
      // Another deadline, but the application's timer already expires then (rounded to
      // whole milliseconds): telling it again would repeat what it holds.
      if (expires == timer_expires_) {
        timer_told_ = earliest;
        return;
      }
    }
    timer_told_ = earliest;
    timer_expires_ = expires;
  }
  timer_held_ = timer_fn_ != nullptr && value >= 0;
  if (!timer_fn_) return;
  const int rc = call_app([&] { return timer_fn_(this, value, timer_data_); });
  if (rc == -1) timer_held_ = false;  // the application could not set it
  if (rc == -1 && !aborting_) {
    if (MS_MUTANT(mutant_, abort_ignored)) return;
    aborted_ = true;
  }
}

void ms_multi::abort_all() {
  aborting_ = true;
  for (ms_easy* easy = added_.front(); easy; easy = added_.next(easy)) {
    if (easy->done) continue;
    ms::Transfer& t = transfer_of(easy);
    if (!t.done()) t.finish(MSE_ABORTED_BY_CALLBACK, "aborted by an application callback");
  }
  aborting_ = false;
}

ms::Transfer& ms_multi::transfer_of(ms_easy* easy) {
  if (!easy->transfer) {
    easy->transfer = std::make_unique<ms::Transfer>(*this, *easy);
    easy->info_stale = true;
    // Pending, as if made at the add: due at its add's time, which its queue entry holds.
    // Without an entry (run_timers took it out) its start is due, and on_timer serves it.
    if (easy->timer_slot.queued()) easy->transfer->schedule_start(easy->timer_slot.at());
  }
  return *easy->transfer;
}

MSMcode ms_multi::finish_call(bool force_timer) {
  bool was_aborted = false;
  if (aborted_) {
    was_aborted = true;
    abort_all();
  }
  process_queue();
  update_timer(force_timer);
  if (aborted_ && !was_aborted) {
    was_aborted = true;
    abort_all();
    aborting_ = true;
    update_timer(false);
    aborting_ = false;
  }
  aborted_ = false;
  if (!in_callback()) free_finished_transfers();  // in a callback: the enclosing call's end
  return was_aborted ? MSM_ABORTED_BY_CALLBACK : MSM_OK;
}

void ms_multi::free_finished_transfers() {
  for (ms_easy* easy : finished_) {
    easy->in_finished = false;
    if (easy->done) easy->transfer.reset();
  }
  finished_.clear();
}

void ms_multi::forget_finished(ms_easy* easy) {
  if (!easy->in_finished) return;
  easy->in_finished = false;
  finished_.erase(std::find(finished_.begin(), finished_.end(), easy));
}

MSMcode ms_multi::add_handle(ms_easy* easy) {
  if (refuses_recursion()) return MSM_RECURSIVE_API_CALL;
  if (easy->multi) return MSM_ADDED_ALREADY;
  enter();
  if (easy->connected_in) easy->connected_in->release_connected(easy);  // a new transfer
  easy->multi = this;
  easy->seq = ++next_seq_;
  easy->done = false;
  if (easy->info_stale) {  // a handle added again: the last transfer's results go
    easy->info.clear_certinfo();
    easy->info = ms_easy::Info{};
    easy->info_stale = false;
  }
  added_.push_back(easy);
  ++running_;
  // Its start (Transfer::Deadline::start) is due now; the transfer is made when it comes.
  timers_.set(easy->timer_slot, easy->seq, now_, easy);
  if (MS_MUTANT(mutant_, no_kick_on_add)) {
    aborted_ = false;
    return MSM_OK;
  }
  const bool holds_due_timer = timer_held_ && timer_expires_ <= now_;  // held: told, and not -1
  return finish_call(!holds_due_timer);
}

MSMcode ms_multi::remove_handle(ms_easy* easy) {
  if (refuses_recursion()) return MSM_RECURSIVE_API_CALL;
  if (easy->multi != this) return MSM_OK;
  enter();
  // Held here while it lets go of its sockets: a callback that removes the handle again
  // (only a multi without its recursion guard lets one) cannot delete it under our feet.
  const std::unique_ptr<ms::Transfer> transfer = std::move(easy->transfer);
  forget_finished(easy);
  if (easy->done) {
    // Finished: its transfer let go of everything (and may be gone already).
  } else if (!transfer) {  // not started: only its start to drop
    timers_.set(easy->timer_slot, easy->seq, std::nullopt, easy);
    --running_;
  } else if (!transfer->done()) {
    transfer->cancel();
    --running_;
  }
  if (easy->msg_queued) {
    if (!MS_MUTANT(mutant_, keep_removed_msg)) messages_.erase(easy->msg_it);
    easy->msg_queued = false;
  }
  if (last_msg_.easy_handle == easy) last_msg_ = MSMsg{};
  easy->transfer.reset();  // one such callback may have made another (a pause)
  easy->multi = nullptr;
  easy->done = false;
  added_.erase(easy);
  return finish_call(false);
}

MSMcode ms_multi::setopt(MSMoption option, va_list args) {
  if (refuses_recursion()) return MSM_RECURSIVE_API_CALL;
  switch (option) {
    case MSMOPT_SOCKETFUNCTION:
      socket_fn_ = va_arg(args, ms_socket_callback);
      return MSM_OK;
    case MSMOPT_SOCKETDATA:
      socket_data_ = va_arg(args, void*);
      return MSM_OK;
    case MSMOPT_TIMERFUNCTION:
      timer_fn_ = va_arg(args, ms_multi_timer_callback);
      timer_held_ = false;
      return MSM_OK;
    case MSMOPT_TIMERDATA:
      timer_data_ = va_arg(args, void*);
      timer_held_ = false;
      return MSM_OK;
    case MSMOPT_PIPELINING:
      pipelining_ = va_arg(args, long);
      return MSM_OK;
    case MSMOPT_PUSHFUNCTION:
      push_fn_ = va_arg(args, ms_push_callback);
      return MSM_OK;
    case MSMOPT_PUSHDATA:
      push_data_ = va_arg(args, void*);
      return MSM_OK;
    case MSMOPT_MAX_CONCURRENT_STREAMS: {
      const long v = va_arg(args, long);
      max_concurrent_streams_ = v < 1 || v > 0x7fffffffL ? 100 : v;  // as libcurl: out of range is the default
      return MSM_OK;
    }
    case MSMOPT_MAXCONNECTS:
    case MSMOPT_MAX_HOST_CONNECTIONS:
    case MSMOPT_MAX_TOTAL_CONNECTIONS: {
      const long v = va_arg(args, long);
      if (v < 0) return MSM_BAD_FUNCTION_ARGUMENT;
      if (option == MSMOPT_MAXCONNECTS) max_connects_ = v;
      if (option == MSMOPT_MAX_HOST_CONNECTIONS) {
        max_host_connections_ = v;
        pool_.limits().set_max_host(v);
      }
      if (option == MSMOPT_MAX_TOTAL_CONNECTIONS) {
        max_total_connections_ = v;
        pool_.limits().set_max_total(v);
      }
      return MSM_OK;
    }
  }
  return MSM_UNKNOWN_OPTION;
}

void ms_multi::dispatch(int fd, int mask) {
  if (MS_MUTANT(mutant_, mask_zero_ignored) && mask == 0) return;
  const auto* entry = sockets_.find(fd);
  if (!entry) return;  // unknown or stale: tolerated
  if (mask == 0) mask = ports_.net->readiness(fd);
  // Stripping the ERR bit alone changes nothing observable (a failed socket also reads as
  // readable, and the read finds the error), so the defect drops the whole event: the
  // failing socket's error is met with silence, as SA-ERR forbids.
  if (MS_MUTANT(mutant_, ignore_err) && (mask & MS_CSELECT_ERR)) return;
  // Normally one user per descriptor; copy, since handling may change the list.
  ms::SocketUser* users[4];
  std::size_t n = 0;
  for (const auto& u : entry->users)
    if (n < 4) users[n++] = u.user;
  for (std::size_t i = 0; i < n && !aborted_; ++i) {
    const auto* now_entry = sockets_.find(fd);
    if (!now_entry) break;
    const bool still = std::any_of(now_entry->users.begin(), now_entry->users.end(),
                                   [&](const auto& u) { return u.user == users[i]; });
    if (still) users[i]->on_socket_event(fd, mask);
  }
}

void ms_multi::run_timers() {
  // Collect first: a transfer may set a new deadline that is already due; it runs on the
  // next call rather than looping here.
  due_.clear();
  while (ms_easy* easy = timers_.pop_due(now_)) due_.push_back(easy);
  for (ms_easy* easy : due_) {
    if (aborted_) break;
    transfer_of(easy).on_timer();
  }
  due_.clear();
}

MSMcode ms_multi::socket_action(int fd, int mask, int* running) {
  if (refuses_recursion()) return MSM_RECURSIVE_API_CALL;
  if (!running) return MSM_BAD_FUNCTION_ARGUMENT;
  enter();
  if (fd != MS_SOCKET_TIMEOUT) dispatch(fd, mask & (MS_CSELECT_IN | MS_CSELECT_OUT | MS_CSELECT_ERR));
  if (!aborted_) run_timers();
  const MSMcode rc = finish_call(fd == MS_SOCKET_TIMEOUT);
  *running = running_;
  if (MS_MUTANT(mutant_, wrong_running)) *running = running_ + 1;
  return rc;
}

MSMcode ms_multi::socket_all(int* running) {
  if (refuses_recursion()) return MSM_RECURSIVE_API_CALL;
  if (!running) return MSM_BAD_FUNCTION_ARGUMENT;
  enter();
  for (int fd : sockets_.descriptors()) {
    if (aborted_) break;
    dispatch(fd, ports_.net->readiness(fd));
  }
  if (!aborted_) run_timers();
  const MSMcode rc = finish_call(false);
  *running = running_;
  if (MS_MUTANT(mutant_, wrong_running)) *running = running_ + 1;
  return rc;
}

MSMcode ms_multi::assign(int fd, void* socketp) {
  if (sockets_.assign(fd, socketp)) return MSM_OK;
  if (MS_MUTANT(mutant_, assign_unknown_ok)) return MSM_OK;
  return MSM_BAD_SOCKET;
}

MSMcode ms_multi::timeout(long* milliseconds) {
  if (refuses_recursion()) return MSM_RECURSIVE_API_CALL;
  if (!milliseconds) return MSM_BAD_FUNCTION_ARGUMENT;
  enter();
  if (!timer_told_) {
    *milliseconds = -1;
    return MSM_OK;
  }
  *milliseconds = ms_until(*timer_told_);
  if (MS_MUTANT(mutant_, timeout_disagrees)) *milliseconds *= 2;
  return MSM_OK;
}

MSMsg* ms_multi::info_read(int* msgs_in_queue) {
  if (refuses_recursion()) {
    if (msgs_in_queue) *msgs_in_queue = 0;
    return nullptr;
  }
  if (messages_.empty()) {
    if (msgs_in_queue) *msgs_in_queue = 0;
    return nullptr;
  }
  last_msg_ = messages_.front();
  ms_easy* easy = last_msg_.easy_handle;
  // A handle has one queued message, the one its link points at: taking it clears the link
  // in constant time, so reading a burst of messages is linear.
  const bool linked = easy->msg_queued && easy->msg_it == messages_.begin();
  messages_.pop_front();
  if (linked) easy->msg_queued = false;
  // double_done queues a second copy: the link moves to it while one is left.
  if (MS_MUTANT(mutant_, double_done)) {
    auto other = std::find_if(messages_.begin(), messages_.end(),
                              [&](const MSMsg& m) { return m.easy_handle == easy; });
    easy->msg_queued = other != messages_.end();
    if (easy->msg_queued) easy->msg_it = other;
  }
  int left = static_cast<int>(messages_.size());
  if (MS_MUTANT(mutant_, queue_count_off)) ++left;
  if (msgs_in_queue) *msgs_in_queue = left;
  return &last_msg_;
}

MSMcode ms_multi::cleanup() {
  if (refuses_recursion()) return MSM_RECURSIVE_API_CALL;
  enter();
  aborting_ = true;  // the application is leaving: its -1 no longer matters
  while (ms_easy* easy = added_.front()) {
    added_.erase(easy);
    if (easy->transfer && !easy->transfer->done()) easy->transfer->cancel();
    easy->transfer.reset();
    easy->in_finished = false;
    timers_.set(easy->timer_slot, easy->seq, std::nullopt, easy);  // one that had not started
    easy->multi = nullptr;
    easy->msg_queued = false;
    easy->done = false;
  }
  messages_.clear();
  finished_.clear();
  h2_close_all();
  pool_.close_all();
  for (auto& [easy, conn] : connected_) {
    close_raw(conn->fd, conn->close_fn, conn->close_data);
    const_cast<ms_easy*>(easy)->connected_in = nullptr;  // the handle is the caller's, alive
  }
  connected_.clear();
  running_ = 0;
  aborting_ = false;
  return MSM_OK;
}

void ms_multi::pause_changed(ms_easy* easy) {
  if (easy->done) return;
  ms::Transfer& t = transfer_of(easy);
  if (t.done()) return;
  if (in_callback()) {
    t.pause_changed(true);
    return;
  }
  enter();
  t.pause_set_by_app();
  (void)finish_call(false);
}

void ms_multi::set_deadline(ms_easy& easy, std::optional<Nanos> at) {
  timers_.set(easy.timer_slot, easy.seq, at, &easy);
}

void ms_multi::transfer_done(ms_easy* easy, MSEcode result) {
  easy->done = true;
  if (!easy->in_finished) {
    easy->in_finished = true;
    finished_.push_back(easy);
  }
  --running_;
  ++done_count_;
  if (MS_MUTANT(mutant_, lost_done) && done_count_ % 3 == 0) return;
  MSMsg msg{};
  msg.msg = MSMSG_DONE;
  msg.easy_handle = easy;
  msg.data.result = result;
  messages_.push_back(msg);
  easy->msg_it = std::prev(messages_.end());
  easy->msg_queued = true;
  if (MS_MUTANT(mutant_, double_done)) messages_.push_back(msg);
}

void ms_multi::close_raw(int fd, ms_closesocket_callback fn, void* data) {
  if (fn) {
    call_app([&] { return fn(data, fd); });
  } else {
    ports_.net->close(fd);
  }
}

void ms_multi::close_socket(int fd, ms::SocketUser* user, ms_closesocket_callback fn, void* data) {
  if (MS_MUTANT(mutant_, remove_after_close)) {
    close_raw(fd, fn, data);
    sockets_.drop(fd, user);
    return;
  }
  sockets_.drop(fd, user);
  close_raw(fd, fn, data);
}

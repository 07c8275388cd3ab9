// SPDX-License-Identifier: MIT
// multi_classic.cpp: the classic loop of the multi handle: perform, wait, poll, wakeup,
// fdset.
//
// The classic loop (perform, wait, poll, fdset) is a second way into the same state
// machine: perform() asks the Net port what each registered socket is ready for, hands
// that to its users as socket_action(fd, mask) would, and runs due timers; the socket
// and timer callbacks are still told every change, so the two loops can take turns.
// wait()/poll() only wait (through the Waiter port, which in simnet moves the virtual
// clock), never act or call back, and never past the earliest deadline.
#include "multi.hpp"

#include <mutex>

#include "mutant.hpp"

using ms::port::Nanos;

MSMcode ms_multi::perform(int* running) {
  if (refuses_recursion()) return MSM_RECURSIVE_API_CALL;
  if (!running) return MSM_BAD_FUNCTION_ARGUMENT;
  enter();
  if (MS_MUTANT(mutant_, perform_waits) && ports_.waiter)
    ports_.waiter->wait(nullptr, 0, std::chrono::milliseconds(5));
  // Ascending descriptors, each asked once: what a socket is ready for, limited to what
  // its transfer waits for (errors always count), is the mask socket_action would get.
  for (int fd : sockets_.descriptors()) {
    if (aborted_) break;
    const auto* entry = sockets_.find(fd);
    if (!entry) continue;  // closed by an earlier event of this call
    const int mask = ports_.net->readiness(fd) & (interest(*entry) | MS_CSELECT_ERR);
    if (mask != 0) dispatch(fd, mask);
  }
  if (!aborted_) run_timers();
  const MSMcode rc = finish_call(false);
  *running = running_ + (MS_MUTANT(mutant_, perform_running_off) ? 1 : 0);
  return rc;
}

MSMcode ms_multi::wait(ms_waitfd* extra, unsigned extra_count, int timeout_ms, int* numfds, bool poll) {
  if (refuses_recursion()) return MSM_RECURSIVE_API_CALL;
  if (timeout_ms < 0 || (extra_count > 0 && !extra)) return MSM_BAD_FUNCTION_ARGUMENT;
  ms::port::Waiter* waiter = ports_.waiter;
  if (!waiter) return MSM_INTERNAL_ERROR;
  enter();
  auto& fds = wait_fds_;
  fds.clear();
  for (int fd : sockets_.descriptors()) {
    const int want = interest(*sockets_.find(fd));
    if (want != 0) fds.push_back({fd, want, 0});
  }
  const std::size_t engine_count = fds.size();
  for (unsigned i = 0; i < extra_count; ++i) {
    const short ev = extra[i].events;
    int want = 0;
    if (ev & (MS_WAIT_POLLIN | MS_WAIT_POLLPRI)) want |= ms::port::kReadable;
    if (ev & MS_WAIT_POLLOUT) want |= ms::port::kWritable;
    extra[i].revents = 0;
    fds.push_back({extra[i].fd, want, 0});
  }
  int wakeup_fd = -1;
  if (poll) {
    std::lock_guard g(wakeup_mutex_);
    if (wakeup_fd_ < 0 && waiter->open_wakeup(wakeup_fd_) != ms::port::NetError::none) wakeup_fd_ = -1;
    wakeup_fd = wakeup_fd_;
  }
  if (wakeup_fd >= 0) fds.push_back({wakeup_fd, ms::port::kReadable, 0});
  if (poll && MS_MUTANT(mutant_, wakeup_lost) && wakeup_fd >= 0) waiter->drain_wakeup(wakeup_fd);
  const bool nothing = fds.size() == (wakeup_fd >= 0 ? 1u : 0u) && extra_count == 0;
  if (nothing && poll && MS_MUTANT(mutant_, poll_returns_early)) {
    if (numfds) *numfds = 0;
    return MSM_OK;
  }
  if (fds.empty() && !poll && !MS_MUTANT(mutant_, wait_blocks_empty)) {
    // nothing to wait for: wait returns at once, poll waits on
    if (numfds) *numfds = 0;
    return MSM_OK;
  }
  Nanos timeout = std::chrono::milliseconds(timeout_ms);
  if (const auto earliest = timers_.earliest(); earliest && !MS_MUTANT(mutant_, wait_ignores_timer))
    timeout = std::min(timeout, std::max(Nanos{0}, *earliest - now_));
  if (waiter->wait(fds.data(), fds.size(), timeout) < 0) return MSM_UNRECOVERABLE_POLL;
  int count = 0;
  for (std::size_t i = 0; i < engine_count; ++i)
    if (fds[i].ready != 0) ++count;
  for (unsigned i = 0; i < extra_count; ++i) {
    const auto& w = fds[engine_count + i];
    const short ev = extra[i].events;
    short got = 0;
    if (w.ready & (ms::port::kReadable | ms::port::kError)) got |= static_cast<short>(ev & (MS_WAIT_POLLIN | MS_WAIT_POLLPRI));
    if (w.ready & ms::port::kWritable) got |= static_cast<short>(ev & MS_WAIT_POLLOUT);
    extra[i].revents = got;
    if (got != 0) ++count;
  }
  // The wake-up descriptor is emptied and not counted.
  if (wakeup_fd >= 0 && fds.back().ready != 0) waiter->drain_wakeup(wakeup_fd);
  if (numfds) *numfds = count;
  return MSM_OK;
}

MSMcode ms_multi::wakeup() {
  std::lock_guard g(wakeup_mutex_);
  ms::port::Waiter* waiter = ports_.waiter;
  if (!waiter) return MSM_WAKEUP_FAILURE;
  if (wakeup_fd_ < 0 && waiter->open_wakeup(wakeup_fd_) != ms::port::NetError::none) {
    wakeup_fd_ = -1;
    return MSM_WAKEUP_FAILURE;
  }
  return waiter->wake(wakeup_fd_) ? MSM_OK : MSM_WAKEUP_FAILURE;
}

MSMcode ms_multi::fdset(fd_set* read_set, fd_set* write_set, int* max_fd) {
  if (refuses_recursion()) return MSM_RECURSIVE_API_CALL;
  if (!max_fd) return MSM_BAD_FUNCTION_ARGUMENT;
  int top = -1;
  for (int fd : sockets_.descriptors()) {
    if (fd < 0 || fd >= FD_SETSIZE) continue;  // cannot be put in an fd_set
    const int want = interest(*sockets_.find(fd));
    bool set = false;
    if ((want & MS_POLL_IN) && read_set) {
      FD_SET(fd, read_set);
      set = true;
    }
    if ((want & MS_POLL_OUT) && write_set) {
      FD_SET(fd, write_set);
      set = true;
    }
    if (set) top = std::max(top, fd);
  }
  *max_fd = top + (MS_MUTANT(mutant_, fdset_max_off) ? 1 : 0);
  return MSM_OK;
}

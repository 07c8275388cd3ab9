// SPDX-License-Identifier: MIT
// waits.cpp: the program's own waits for readiness, its timerfd and its close().
//
// A wait is recorded only on the loop thread (the one that made the first recorded
// curl_multi call) and only when no curl_* call is in progress there: libcurl's own poll()
// inside curl_multi_wait, or the engine's epoll inside a call, is not the program's. Each
// recorded wait gives: app_watch for every library socket whose watched mask differs from
// the last one recorded for it, app_wait, the real call, then app_ready per library socket
// the call reported. Library sockets are the descriptors the socket callback named, until
// they are closed; epoll registrations are followed from epoll_ctl for those alone.
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/timerfd.h>
#include <time.h>

#include <algorithm>
#include <cerrno>

#include "recorder.hpp"

namespace ms::rec {
namespace {

constexpr int kIn = 1;   // CURL_CSELECT_IN
constexpr int kOut = 2;  // CURL_CSELECT_OUT
constexpr int kErr = 4;  // CURL_CSELECT_ERR

bool wait_recorded() {
  return enabled() && active() && t_state.loop && t_state.lib_depth == 0;
}

long ceil_ms(std::int64_t ns) { return ns <= 0 ? 0 : static_cast<long>((ns + 999'999) / 1'000'000); }

long timespec_ms(const struct timespec* ts) {
  if (ts == nullptr) return -1;
  return ceil_ms(std::int64_t{ts->tv_sec} * 1'000'000'000 + ts->tv_nsec);
}

int epoll_watch(std::uint32_t ev) {
  return ((ev & EPOLLIN) ? kIn : 0) | ((ev & EPOLLOUT) ? kOut : 0);
}
int epoll_ready(std::uint32_t ev) {
  return epoll_watch(ev) | ((ev & (EPOLLERR | EPOLLHUP)) ? kErr : 0);
}

void append_simple(Recorder& r, EventKind kind, int fd, int mask, long value, std::int64_t at,
                   const char* text = nullptr) {
  Event e;
  e.kind = kind;
  e.fd = fd;
  e.mask = mask;
  e.value = value;
  if (text != nullptr) e.text = text;
  r.append_locked(e, at);
}

// Under the lock: app_watch for each library socket whose mask (watch_of) changed, then
// the app_wait itself. epfd is the epoll set waited on (-1 for poll and select): a wait on
// the same set as the last wait needs to look at the sockets marked dirty alone.
template <class WatchOf>
void before_wait(Recorder& r, int epfd, long timeout_ms, const char* name, std::int64_t at, WatchOf&& watch_of) {
  const auto check = [&](int s, std::int8_t& last) {
    const int now = watch_of(s);
    if (now == last) return;
    last = static_cast<std::int8_t>(now);
    append_simple(r, EventKind::app_watch, s, now, 0, at);
  };
  if (epfd >= 0 && epfd == r.last_epfd) {
    std::sort(r.dirty.begin(), r.dirty.end());
    r.dirty.erase(std::unique(r.dirty.begin(), r.dirty.end()), r.dirty.end());
    for (int s : r.dirty)
      if (r.is_lib_locked(s)) check(s, r.watch[s]);
  } else {
    for (std::size_t s = 0; s < r.watch.size(); ++s)
      if (r.watch[s] != kNotLib) check(static_cast<int>(s), r.watch[s]);
  }
  r.dirty.clear();
  r.last_epfd = epfd;
  append_simple(r, EventKind::app_wait, epfd, 0, timeout_ms, at, name);
}

// The registration that an epoll event's data stands for: the usual data.fd first.
EpollReg* reg_of(EpollSet& regs, std::uint64_t data, int& fd) {
  const std::uint32_t low = static_cast<std::uint32_t>(data);
  if (low < regs.size() && regs[low].present && regs[low].data == data) {
    fd = static_cast<int>(low);
    return &regs[low];
  }
  for (std::size_t s = 0; s < regs.size(); ++s)
    if (regs[s].present && regs[s].data == data) {
      fd = static_cast<int>(s);
      return &regs[s];
    }
  return nullptr;
}

template <class Real>
int epoll_common(const char* name, int epfd, struct epoll_event* events, long timeout_ms, Real&& call) {
  if (!wait_recorded()) return call();
  Recorder& r = rec();
  {
    std::lock_guard<std::mutex> lock(r.mu);
    const auto set = r.epolls.find(epfd);
    before_wait(r, epfd, timeout_ms, name, now_ns(), [&](int s) {
      if (set == r.epolls.end() || static_cast<std::size_t>(s) >= set->second.size()) return 0;
      const EpollReg& reg = set->second[s];
      return !reg.present || reg.disabled ? 0 : epoll_watch(reg.events);
    });
  }
  ++t_state.lib_depth;  // an epoll_pwait built on epoll_wait is one wait
  const int n = call();
  --t_state.lib_depth;
  if (n <= 0) return n;
  const int saved = errno;
  const std::int64_t at = now_ns();
  std::lock_guard<std::mutex> lock(r.mu);
  const auto set = r.epolls.find(epfd);
  for (int i = 0; i < n && set != r.epolls.end(); ++i) {
    int fd = -1;
    EpollReg* reg = reg_of(set->second, events[i].data.u64, fd);
    if (reg == nullptr) continue;
    append_simple(r, EventKind::app_ready, fd, epoll_ready(events[i].events), 0, at);
    if (reg->events & EPOLLONESHOT) {
      reg->disabled = true;
      r.mark_dirty_locked(fd);
    }
  }
  errno = saved;
  return n;
}

template <class Real>
int poll_common(const char* name, struct pollfd* fds, nfds_t n, long timeout_ms, Real&& call) {
  if (!wait_recorded()) return call();
  Recorder& r = rec();
  {
    std::lock_guard<std::mutex> lock(r.mu);
    auto& mine = r.scratch;
    mine.clear();
    for (nfds_t i = 0; i < n; ++i) {
      const int fd = fds[i].fd;
      if (!fd_tracked(fd) || !r.is_lib_locked(fd)) continue;
      mine.emplace_back(fd, ((fds[i].events & POLLIN) ? kIn : 0) | ((fds[i].events & POLLOUT) ? kOut : 0));
    }
    std::sort(mine.begin(), mine.end());
    before_wait(r, -1, timeout_ms, name, now_ns(), [&](int s) {
      int mask = 0;
      auto it = std::lower_bound(mine.begin(), mine.end(), std::make_pair(s, 0));
      for (; it != mine.end() && it->first == s; ++it) mask |= it->second;
      return mask;
    });
  }
  ++t_state.lib_depth;
  const int got = call();
  --t_state.lib_depth;
  if (got <= 0) return got;
  const int saved = errno;
  const std::int64_t at = now_ns();
  std::lock_guard<std::mutex> lock(r.mu);
  for (nfds_t i = 0; i < n; ++i) {
    const short ev = fds[i].revents;
    if (ev == 0 || !fd_tracked(fds[i].fd) || !r.is_lib_locked(fds[i].fd)) continue;
    const int mask = ((ev & POLLIN) ? kIn : 0) | ((ev & POLLOUT) ? kOut : 0) |
                     ((ev & (POLLERR | POLLHUP | POLLNVAL)) ? kErr : 0);
    append_simple(r, EventKind::app_ready, fds[i].fd, mask, 0, at);
  }
  errno = saved;
  return got;
}

bool in_set(int fd, int nfds, fd_set* set) {
  return set != nullptr && fd < nfds && fd < FD_SETSIZE && FD_ISSET(fd, set);
}

template <class Real>
int select_common(const char* name, int nfds, fd_set* rd, fd_set* wr, fd_set* ex, long timeout_ms,
                  Real&& call) {
  if (!wait_recorded()) return call();
  Recorder& r = rec();
  {
    std::lock_guard<std::mutex> lock(r.mu);
    before_wait(r, -1, timeout_ms, name, now_ns(), [&](int s) {
      return (in_set(s, nfds, rd) ? kIn : 0) | (in_set(s, nfds, wr) ? kOut : 0);
    });
  }
  ++t_state.lib_depth;
  const int got = call();
  --t_state.lib_depth;
  if (got <= 0) return got;
  const int saved = errno;
  const std::int64_t at = now_ns();
  std::lock_guard<std::mutex> lock(r.mu);
  for (int s = 0; s < static_cast<int>(r.watch.size()); ++s) {
    if (r.watch[s] == kNotLib) continue;
    const int mask = (in_set(s, nfds, rd) ? kIn : 0) | (in_set(s, nfds, wr) ? kOut : 0) |
                     (in_set(s, nfds, ex) ? kErr : 0);
    if (mask != 0) append_simple(r, EventKind::app_ready, s, mask, 0, at);
  }
  errno = saved;
  return got;
}

long timeval_ms(const struct timeval* tv) {
  if (tv == nullptr) return -1;
  return ceil_ms(std::int64_t{tv->tv_sec} * 1'000'000'000 + std::int64_t{tv->tv_usec} * 1000);
}

}  // namespace
}  // namespace ms::rec

using namespace ms::rec;

extern "C" {

int epoll_wait(int epfd, struct epoll_event* events, int max, int timeout) {
  MS_REC_NEXT(epoll_wait);
  return epoll_common("epoll_wait", epfd, events, timeout, [&] { return real(epfd, events, max, timeout); });
}

int epoll_pwait(int epfd, struct epoll_event* events, int max, int timeout, const sigset_t* mask) {
  MS_REC_NEXT(epoll_pwait);
  return epoll_common("epoll_pwait", epfd, events, timeout,
                      [&] { return real(epfd, events, max, timeout, mask); });
}

int epoll_pwait2(int epfd, struct epoll_event* events, int max, const struct timespec* timeout,
                 const sigset_t* mask) {
  MS_REC_NEXT(epoll_pwait2);
  return epoll_common("epoll_pwait2", epfd, events, timespec_ms(timeout),
                      [&] { return real(epfd, events, max, timeout, mask); });
}

int poll(struct pollfd* fds, nfds_t n, int timeout) {
  MS_REC_NEXT(poll);
  return poll_common("poll", fds, n, timeout, [&] { return real(fds, n, timeout); });
}

int __poll_chk(struct pollfd* fds, nfds_t n, int timeout, unsigned long fdslen) {
  static const auto real = next_fn<int (*)(struct pollfd*, nfds_t, int, unsigned long)>("__poll_chk");
  return poll_common("poll", fds, n, timeout, [&] { return real(fds, n, timeout, fdslen); });
}

int ppoll(struct pollfd* fds, nfds_t n, const struct timespec* timeout, const sigset_t* mask) {
  MS_REC_NEXT(ppoll);
  return poll_common("ppoll", fds, n, timespec_ms(timeout), [&] { return real(fds, n, timeout, mask); });
}

int __ppoll_chk(struct pollfd* fds, nfds_t n, const struct timespec* timeout, const sigset_t* mask,
                unsigned long fdslen) {
  static const auto real =
      next_fn<int (*)(struct pollfd*, nfds_t, const struct timespec*, const sigset_t*, unsigned long)>(
          "__ppoll_chk");
  return poll_common("ppoll", fds, n, timespec_ms(timeout),
                     [&] { return real(fds, n, timeout, mask, fdslen); });
}

int select(int nfds, fd_set* rd, fd_set* wr, fd_set* ex, struct timeval* timeout) {
  MS_REC_NEXT(select);
  const long ms = timeval_ms(timeout);
  return select_common("select", nfds, rd, wr, ex, ms, [&] { return real(nfds, rd, wr, ex, timeout); });
}

int pselect(int nfds, fd_set* rd, fd_set* wr, fd_set* ex, const struct timespec* timeout,
            const sigset_t* mask) {
  MS_REC_NEXT(pselect);
  return select_common("pselect", nfds, rd, wr, ex, timespec_ms(timeout),
                       [&] { return real(nfds, rd, wr, ex, timeout, mask); });
}

int epoll_ctl(int epfd, int op, int fd, struct epoll_event* event) {
  MS_REC_NEXT(epoll_ctl);
  const int rc = real(epfd, op, fd, event);
  if (rc != 0 || !enabled() || !active() || !fd_tracked(fd)) return rc;
  Recorder& r = rec();
  std::lock_guard<std::mutex> lock(r.mu);
  if (!r.is_lib_locked(fd)) return rc;
  if (op == EPOLL_CTL_DEL) {
    auto set = r.epolls.find(epfd);
    if (set != r.epolls.end() && static_cast<std::size_t>(fd) < set->second.size()) set->second[fd] = EpollReg{};
  } else if ((op == EPOLL_CTL_ADD || op == EPOLL_CTL_MOD) && event != nullptr) {
    EpollSet& set = r.epolls[epfd];
    if (static_cast<std::size_t>(fd) >= set.size()) set.resize(static_cast<std::size_t>(fd) + 64);
    set[fd] = EpollReg{event->events, event->data.u64, true, false};
    track_fd(epfd);
  }
  r.mark_dirty_locked(fd);
  return rc;
}

int close(int fd) {
  MS_REC_NEXT(close);
  // Forgotten before it is closed: once closed, another thread may get the number again.
  if (enabled() && fd_tracked(fd)) {
    Recorder& r = rec();
    std::lock_guard<std::mutex> lock(r.mu);
    r.forget_fd_locked(fd);
  }
  return real(fd);
}

int timerfd_create(int clockid, int flags) {
  MS_REC_NEXT(timerfd_create);
  const int fd = real(clockid, flags);
  if (fd >= 0 && enabled()) {
    Recorder& r = rec();
    std::lock_guard<std::mutex> lock(r.mu);
    r.timer_clocks[fd] = clockid;
  }
  return fd;
}

int timerfd_settime(int fd, int flags, const struct itimerspec* value, struct itimerspec* old) {
  MS_REC_NEXT(timerfd_settime);
  if (!wait_recorded() || value == nullptr) return real(fd, flags, value, old);
  const std::int64_t at = now_ns();
  const int rc = real(fd, flags, value, old);
  if (rc != 0) return rc;
  const int saved = errno;
  const struct timespec& v = value->it_value;
  const std::int64_t ns = std::int64_t{v.tv_sec} * 1'000'000'000 + v.tv_nsec;
  Recorder& r = rec();
  std::lock_guard<std::mutex> lock(r.mu);
  long ms = -1;
  if (ns != 0 && (flags & TFD_TIMER_ABSTIME)) {
    const auto it = r.timer_clocks.find(fd);
    struct timespec now;
    clock_gettime(it != r.timer_clocks.end() ? it->second : CLOCK_MONOTONIC, &now);
    ms = ceil_ms(ns - (std::int64_t{now.tv_sec} * 1'000'000'000 + now.tv_nsec));
  } else if (ns != 0) {
    ms = ceil_ms(ns);
  }
  Event e;
  e.kind = EventKind::app_timer;
  e.fd = fd;
  e.value = ms;
  e.flags = call_flags();
  r.append_locked(e, at);
  errno = saved;
  return rc;
}

}  // extern "C"

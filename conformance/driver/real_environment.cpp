// SPDX-License-Identifier: MIT
// real_environment.cpp: epoll and CLOCK_MONOTONIC behind the driver's Environment.
#include "real_environment.hpp"

#include <poll.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "simnet/real_peer_host.hpp"

namespace ms::conf {

namespace {

// epoll data for the peer host's descriptor; client descriptors are stored as themselves.
constexpr std::uint64_t kHostTag = ~std::uint64_t{0};

std::int64_t monotonic_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace

RealEnvironment::RealEnvironment(ms::posix::RealPeerHost* host, Nanos idle)
    : host_(host), idle_(idle), epoll_fd_(::epoll_create1(EPOLL_CLOEXEC)),
      start_ns_(monotonic_ns()) {
  if (epoll_fd_ >= 0 && host_) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = kHostTag;
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, host_->fd(), &ev);
  }
}

RealEnvironment::~RealEnvironment() {
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
}

Nanos RealEnvironment::now() { return Nanos(monotonic_ns() - start_ns_); }

void RealEnvironment::set_interest(int fd, unsigned events) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = static_cast<std::uint64_t>(fd);
  // The kernel drops a closed descriptor from the set on its own, and a number can come
  // back as a new socket: try MOD, then ADD, whichever the set's state needs.
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev) == 0) return;
  if (errno == ENOENT) ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
}

void RealEnvironment::watch(int fd, int action) {
  if (epoll_fd_ < 0 || fd < 0) return;
  switch (action) {
    case MS_POLL_IN:
      set_interest(fd, EPOLLIN);
      break;
    case MS_POLL_OUT:
      set_interest(fd, EPOLLOUT);
      break;
    case MS_POLL_INOUT:
      set_interest(fd, EPOLLIN | EPOLLOUT);
      break;
    case MS_POLL_NONE:
    case MS_POLL_REMOVE:
    default:
      ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);  // ENOENT/EBADF are fine
      break;
  }
  if (action == MS_POLL_REMOVE)
    actions_.erase(fd);
  else
    actions_[fd] = action;
}

void RealEnvironment::poll_once(int timeout_ms, bool& client_event) {
  epoll_event events[64];
  const int n = ::epoll_wait(epoll_fd_, events, 64, timeout_ms);
  for (int i = 0; i < n; ++i) {
    if (events[i].data.u64 == kHostTag) {
      if (host_) host_->step();
      continue;
    }
    changed_.push_back(static_cast<int>(events[i].data.u64));
    client_event = true;
  }
}

bool RealEnvironment::wait(std::optional<Nanos> deadline) {
  if (epoll_fd_ < 0) return false;
  if (host_) host_->step();  // work the peers can do now, before sleeping
  const Nanos until = deadline ? std::min(*deadline, now() + idle_) : now() + idle_;
  bool client_event = false;
  for (;;) {
    const Nanos left = until - now();
    // Round up: waking before the deadline would only make the driver wait again.
    const long ms = left.count() <= 0 ? 0 : static_cast<long>((left.count() + 999'999) / 1'000'000);
    poll_once(static_cast<int>(std::min(ms, 1000L)), client_event);
    if (client_event || now() >= until) return true;
  }
}

int RealEnvironment::readiness(int fd) {
  pollfd p{};
  p.fd = fd;
  p.events = POLLIN | POLLOUT;
  if (::poll(&p, 1, 0) <= 0) return 0;
  int mask = 0;
  if (p.revents & POLLNVAL) return 0;
  // A hang-up reads as end of stream: readable, as poll-based applications treat it.
  if (p.revents & (POLLIN | POLLHUP | POLLRDHUP)) mask |= MS_CSELECT_IN;
  if (p.revents & POLLOUT) mask |= MS_CSELECT_OUT;
  if (p.revents & POLLERR) mask |= MS_CSELECT_ERR;
  return mask;
}

void RealEnvironment::ready_changes(std::vector<int>& out) {
  out.clear();
  std::sort(changed_.begin(), changed_.end());
  changed_.erase(std::unique(changed_.begin(), changed_.end()), changed_.end());
  out.swap(changed_);
}

}  // namespace ms::conf

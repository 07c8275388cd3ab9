// SPDX-License-Identifier: MIT
// real_peer_host.cpp: PeerRunner over real non-blocking loopback sockets.
//
// epoll data: 0 is the timerfd, ids with the top bit set are listeners (index in the low
// bits), other ids are connections. Interest follows the script: EPOLLIN only while the
// peer reads (or has finished and drains until the client's EOF), EPOLLOUT only while a
// write is blocked. A closing peer shuts its write side and reads until the client's EOF
// before closing, so unread request bytes never turn the FIN into a RST.
#include "simnet/real_peer_host.hpp"

#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "simnet/posix_ports.hpp"

namespace ms::posix {

namespace {
constexpr std::uint64_t kListenerTag = 1ULL << 63;

port::Nanos monotonic_now() {
  PosixClock c;
  return c.now();
}

struct TimerLater {
  template <class T>
  bool operator()(const T& a, const T& b) const {
    return a.at != b.at ? a.at > b.at : a.seq > b.seq;
  }
};
}  // namespace

struct RealPeerHost::Listener {
  std::string name;
  int fd = -1;
  sim::PeerScript script;
  sim::PeerStats stats;
};

struct RealPeerHost::Conn final : sim::PeerTransport {
  RealPeerHost* host = nullptr;
  std::uint64_t id = 0;
  int fd = -1;
  Listener* listener = nullptr;
  sim::PeerRunner runner;
  bool write_blocked = false;
  bool write_closed = false;
  bool closing = false;  // script closed: drain input until EOF, then close
  bool dead = false;     // reset or failed: destroy
  std::uint32_t interest = 0;

  port::Nanos peer_now() override { return monotonic_now(); }
  std::size_t peer_write(const std::byte* data, std::size_t size) override {
    if (write_closed || dead) return size;
    const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      write_blocked = true;
      return 0;
    }
    dead = true;  // the client is gone: the rest has nowhere to go
    return size;
  }
  void peer_shutdown() override {
    if (!write_closed) ::shutdown(fd, SHUT_WR);
    write_closed = true;
  }
  void peer_close() override {
    peer_shutdown();
    closing = true;
  }
  void peer_reset() override {
    linger l{1, 0};  // close with linger 0 sends RST
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    dead = true;
  }
  void peer_wake_at(port::Nanos t) override { host->schedule(t, id); }
};

RealPeerHost::RealPeerHost() {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  timer_fd_ = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = 0;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, timer_fd_, &ev);
}

RealPeerHost::~RealPeerHost() {
  for (auto& [id, c] : conns_) ::close(c->fd);
  for (auto& l : listeners_) ::close(l->fd);
  ::close(timer_fd_);
  ::close(epoll_fd_);
}

std::optional<port::Address> RealPeerHost::listen(std::string_view name,
                                                  const sim::PeerScript& script,
                                                  std::string& error, std::string_view host) {
  auto at = port::Address::parse_numeric(host, 0);
  if (!at || !at->is_loopback()) {
    error = "peer '" + std::string(name) + "' may only listen on a loopback address (127.0.0.0/8 or ::1), not '" +
            std::string(host) + "'";
    return std::nullopt;
  }
  const int fd = ::socket(at->family == port::Family::v4 ? AF_INET : AF_INET6,
                          SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    error = std::string("socket: ") + port::to_string(net_error_from_errno(errno));
    return std::nullopt;
  }
  sockaddr_storage storage;
  socklen_t len = address_to_sockaddr(*at, storage);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&storage), len) < 0 ||
      (!script.refuses() && ::listen(fd, 128) < 0)) {
    error = "bind/listen on " + at->to_string() + ": " + std::strerror(errno);
    ::close(fd);
    return std::nullopt;
  }
  len = sizeof storage;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &len);
  port::Address bound;
  address_from_sockaddr(storage, bound);
  auto l = std::make_unique<Listener>();
  l->name = std::string(name);
  l->fd = fd;
  l->script = script;
  if (!script.refuses()) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = kListenerTag | listeners_.size();
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
  }
  listeners_.push_back(std::move(l));
  return bound;
}

sim::PeerStats RealPeerHost::stats(std::string_view name) const {
  sim::PeerStats total;
  for (const auto& l : listeners_)
    if (l->name == name) {
      total.connections_accepted += l->stats.connections_accepted;
      total.requests_served += l->stats.requests_served;
    }
  return total;
}

void RealPeerHost::schedule(port::Nanos at, std::uint64_t conn_id) {
  timers_.push_back(Timer{at, timer_seq_++, conn_id});
  std::push_heap(timers_.begin(), timers_.end(), TimerLater{});
  arm_timer();
}

void RealPeerHost::arm_timer() {
  const port::Nanos next = timers_.empty() ? port::Nanos{-1} : timers_.front().at;
  if (next == armed_for_) return;
  armed_for_ = next;
  itimerspec spec{};
  if (next.count() >= 0) {
    // Absolute time; a time already past fires at once (never 0, which would disarm).
    const std::int64_t ns = std::max<std::int64_t>(1, next.count());
    spec.it_value.tv_sec = ns / 1000000000;
    spec.it_value.tv_nsec = ns % 1000000000;
  }
  ::timerfd_settime(timer_fd_, TFD_TIMER_ABSTIME, &spec, nullptr);
}

void RealPeerHost::accept_all(Listener& l) {
  for (;;) {
    const int fd = ::accept4(l.fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;  // EAGAIN, or an error the next step retries
    auto c = std::make_unique<Conn>();
    c->host = this;
    c->id = next_id_++;
    c->fd = fd;
    c->listener = &l;
    ++l.stats.connections_accepted;
    epoll_event ev{};
    ev.events = 0;
    ev.data.u64 = c->id;
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
    Conn& ref = *c;
    conns_.emplace(c->id, std::move(c));
    ref.runner.start(&l.script, &ref);
    run_conn(ref);
  }
}

void RealPeerHost::run_conn(Conn& c) {
  const std::uint64_t before = c.runner.requests_served();
  c.write_blocked = false;
  c.runner.run();
  c.listener->stats.requests_served += c.runner.requests_served() - before;
  if (c.dead) {
    destroy(c.id);
    return;
  }
  update_interest(c);
}

void RealPeerHost::update_interest(Conn& c) {
  std::uint32_t want = 0;
  const auto mode = c.runner.input_mode();
  if (mode == sim::PeerRunner::InputMode::take || c.closing ||
      (c.runner.finished() && mode != sim::PeerRunner::InputMode::take))
    want |= EPOLLIN;  // a hung peer drains too, so a client's close is noticed
  if (c.write_blocked) want |= EPOLLOUT;
  if (want == c.interest) return;
  c.interest = want;
  epoll_event ev{};
  ev.events = want;
  ev.data.u64 = c.id;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c.fd, &ev);
}

void RealPeerHost::destroy(std::uint64_t id) {
  auto it = conns_.find(id);
  if (it == conns_.end()) return;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, it->second->fd, nullptr);
  ::close(it->second->fd);
  conns_.erase(it);
}

void RealPeerHost::service(std::uint64_t id, std::uint32_t events) {
  auto it = conns_.find(id);
  if (it == conns_.end()) return;
  Conn& c = *it->second;
  if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
    std::byte buf[16384];
    for (;;) {
      const ssize_t n = ::recv(c.fd, buf, sizeof buf, MSG_DONTWAIT);
      if (n > 0) {
        if (c.runner.input_mode() == sim::PeerRunner::InputMode::take)
          c.runner.on_input(buf, static_cast<std::size_t>(n));
        continue;
      }
      if (n == 0) {
        c.runner.on_input_eof();
        if (c.closing || c.runner.finished()) {
          destroy(id);
          return;
        }
        break;
      }
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      if (errno == EINTR) continue;
      destroy(id);  // reset by the client
      return;
    }
  }
  run_conn(c);
}

void RealPeerHost::step() {
  epoll_event events[64];
  const int n = ::epoll_wait(epoll_fd_, events, 64, 0);
  for (int i = 0; i < n; ++i) {
    const std::uint64_t id = events[i].data.u64;
    if (id == 0) {
      std::uint64_t expirations;
      [[maybe_unused]] ssize_t r = ::read(timer_fd_, &expirations, sizeof expirations);
      continue;
    }
    if (id & kListenerTag) {
      accept_all(*listeners_[id & ~kListenerTag]);
      continue;
    }
    service(id, events[i].events);
  }
  // Due script timers (checked every step: the timerfd only wakes a sleeping loop).
  const port::Nanos now = monotonic_now();
  while (!timers_.empty() && timers_.front().at <= now) {
    std::pop_heap(timers_.begin(), timers_.end(), TimerLater{});
    const std::uint64_t conn = timers_.back().conn;
    timers_.pop_back();
    auto it = conns_.find(conn);
    if (it != conns_.end()) run_conn(*it->second);
  }
  arm_timer();
}

void RealPeerHost::run_for(port::Nanos budget) {
  const port::Nanos end = monotonic_now() + budget;
  for (;;) {
    step();
    const port::Nanos now = monotonic_now();
    if (now >= end) return;
    const auto left_ms = std::chrono::duration_cast<std::chrono::milliseconds>(end - now).count();
    epoll_event ev;
    ::epoll_wait(epoll_fd_, &ev, 1, static_cast<int>(std::min<std::int64_t>(left_ms + 1, 50)));
  }
}

}  // namespace ms::posix

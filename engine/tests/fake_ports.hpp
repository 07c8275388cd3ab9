// SPDX-License-Identifier: MIT
// fake_ports.hpp: a tiny in-memory stand-in for the ports, for transfer-level unit tests.
//
// Each test names servers by address with a canned reply; a client socket connected to
// one gets that reply each time a full request head arrives. The clock moves only when
// the test moves it. The full virtual network lives in simnet; this is deliberately small.
#pragma once

#include <algorithm>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "multisock/engine.hpp"
#include "multisock/multisock.h"
#include "multisock/port.h"

namespace ms::test {

using port::Address;
using port::IoResult;
using port::NetError;
using port::Nanos;

struct FakeClock : port::Clock {
  Nanos t{1'000'000'000};
  Nanos now() override { return t; }
};

enum class ConnectMode { immediate, pending, refuse, hang };

struct Server {
  ConnectMode mode = ConnectMode::immediate;
  std::string reply;        // sent for each request head
  bool close_after = false;  // close after replying
};

struct FakeNet : port::Net {
  struct Sock {
    bool open = false;
    bool connecting = false;  // pending connect not yet completed
    NetError pending_error = NetError::none;
    Address peer;
    std::string to_client;
    std::string from_client;
    std::size_t heads_served = 0;
    bool peer_closed = false;
  };
  std::map<Address, Server> servers;
  std::vector<Sock> socks;
  std::set<std::size_t> closed;  // closed descriptors, reused lowest first as POSIX does
  std::vector<std::string>* log = nullptr;  // "open 3", "close 3", shared with the app
  bool send_blocked = false;                // every send would block
  std::string sent;  // all that clients sent, every socket in order (a descriptor is reused)

  Sock& at(int fd) { return socks.at(static_cast<std::size_t>(fd)); }
  void note(const char* what, long fd) {
    if (log) log->push_back(what + std::to_string(fd));
  }
  NetError open_stream(port::Family, int& fd_out) override {
    // The lowest free descriptor, in O(log n): the complexity test opens 100,000.
    std::size_t fd = std::max<std::size_t>(3, socks.size());
    if (!closed.empty()) {
      fd = *closed.begin();
      closed.erase(closed.begin());
    }
    if (fd >= socks.size()) socks.resize(fd + 1);
    socks[fd] = Sock{};
    socks[fd].open = true;
    fd_out = static_cast<int>(fd);
    note("open ", static_cast<long>(fd));
    return NetError::none;
  }
  NetError connect(int fd, const Address& to) override {
    auto& s = at(fd);
    s.peer = to;
    auto it = servers.find(to);
    if (it == servers.end() || it->second.mode == ConnectMode::refuse) return NetError::refused;
    if (it->second.mode == ConnectMode::immediate) return NetError::none;
    s.connecting = true;
    return NetError::in_progress;
  }
  // The test completes a pending connect (ok, or with an error to read by take_error).
  void finish_connect(int fd, NetError e = NetError::none) {
    at(fd).connecting = false;
    at(fd).pending_error = e;
  }
  IoResult send(int fd, const std::byte* data, std::size_t size) override {
    if (fd < 0 || static_cast<std::size_t>(fd) >= socks.size() || !at(fd).open) return {0, NetError::bad_descriptor};
    auto& s = at(fd);
    if (s.peer_closed) return {0, NetError::broken_pipe};
    if (send_blocked) return {0, NetError::would_block};
    s.from_client.append(reinterpret_cast<const char*>(data), size);
    sent.append(reinterpret_cast<const char*>(data), size);
    serve(s);
    return {size, NetError::none};
  }
  void serve(Sock& s) {
    auto it = servers.find(s.peer);
    if (it == servers.end()) return;
    std::size_t heads = 0, pos = 0;
    while ((pos = s.from_client.find("\r\n\r\n", pos)) != std::string::npos) {
      ++heads;
      pos += 4;
    }
    while (s.heads_served < heads && !s.peer_closed) {
      ++s.heads_served;
      s.to_client += it->second.reply;
      if (it->second.close_after) s.peer_closed = true;
    }
  }
  IoResult recv(int fd, std::byte* data, std::size_t size) override {
    if (fd < 0 || static_cast<std::size_t>(fd) >= socks.size() || !at(fd).open) return {0, NetError::bad_descriptor};
    auto& s = at(fd);
    if (!s.to_client.empty()) {
      const std::size_t n = std::min(size, s.to_client.size());
      std::memcpy(data, s.to_client.data(), n);
      s.to_client.erase(0, n);
      return {n, NetError::none};
    }
    if (s.peer_closed) return {0, NetError::none};
    return {0, NetError::would_block};
  }
  void close(int fd) override {
    if (fd >= 0 && static_cast<std::size_t>(fd) < socks.size() && at(fd).open) {
      at(fd).open = false;
      closed.insert(static_cast<std::size_t>(fd));
    }
    note("close ", fd);
  }
  NetError take_error(int fd) override {
    if (fd < 0 || static_cast<std::size_t>(fd) >= socks.size()) return NetError::bad_descriptor;
    return std::exchange(at(fd).pending_error, NetError::none);
  }
  int readiness(int fd) override {
    if (fd < 0 || static_cast<std::size_t>(fd) >= socks.size() || !at(fd).open) return port::kError;
    const auto& s = at(fd);
    if (s.connecting) return 0;
    if (s.pending_error != NetError::none) return port::kWritable | port::kError;
    int r = send_blocked ? 0 : port::kWritable;
    if (!s.to_client.empty() || s.peer_closed) r |= port::kReadable;
    return r;
  }
};

// Names resolve at once from `names`, or, when listed in `slow`, through a descriptor the
// test makes readable with answer_slow().
struct FakeResolver : port::Resolver {
  FakeNet* net = nullptr;
  std::map<std::string, port::Resolution> names;
  std::vector<std::string> slow;
  struct Pending {
    std::uint64_t id;
    int fd;
    std::string host;
    bool ready = false;
  };
  std::vector<Pending> pending;
  std::uint64_t ids = 0;
  std::vector<std::string>* log = nullptr;

  port::Resolution lookup(const std::string& host, std::uint16_t p) {
    auto it = names.find(host);
    if (it == names.end()) return port::Resolution{port::Resolution::Status::not_found, {}};
    auto r = it->second;
    for (auto& a : r.addresses) a.port = p;
    return r;
  }
  Started start(std::string_view host, std::uint16_t p) override {
    Started s;
    const std::string h(host);
    if (std::find(slow.begin(), slow.end(), h) == slow.end()) {
      s.answer = lookup(h, p);
      return s;
    }
    int fd = -1;
    net->open_stream(port::Family::v4, fd);
    net->at(fd).connecting = true;  // not readable until answered
    s.id = ++ids;
    s.fd = fd;
    pending.push_back(Pending{s.id, fd, h + ":" + std::to_string(p)});
    return s;
  }
  void answer_slow() {
    for (auto& p : pending) {
      p.ready = true;
      net->at(p.fd).connecting = false;
      net->at(p.fd).peer_closed = true;  // readable
    }
  }
  std::optional<port::Resolution> poll(std::uint64_t id) override {
    for (auto& p : pending) {
      if (p.id != id || !p.ready) continue;
      const auto colon = p.host.rfind(':');
      return lookup(p.host.substr(0, colon), static_cast<std::uint16_t>(std::stoi(p.host.substr(colon + 1))));
    }
    return std::nullopt;
  }
  void release(std::uint64_t id) override {
    for (auto it = pending.begin(); it != pending.end(); ++it) {
      if (it->id != id) continue;
      net->close(it->fd);
      pending.erase(it);
      return;
    }
  }
};

// Waiting without sleeping: wait() answers from FakeNet's readiness and, when nothing is
// ready, moves the fake clock by the whole timeout. The wake-up descriptor is a FakeNet
// socket that wake() makes readable.
struct FakeWaiter : port::Waiter {
  FakeNet* net = nullptr;
  FakeClock* clock = nullptr;
  std::vector<Nanos> timeouts;  // every wait's timeout, in order
  int wakes = 0;
  int wait(port::WaitFd* fds, std::size_t count, Nanos timeout) override {
    timeouts.push_back(timeout);
    auto scan = [&] {
      int n = 0;
      for (std::size_t i = 0; i < count; ++i) {
        const int r = net->readiness(fds[i].fd);
        fds[i].ready = (r & fds[i].want) | (r & port::kError);
        if (fds[i].ready) ++n;
      }
      return n;
    };
    const int n = scan();
    if (n > 0) return n;
    clock->t += timeout;
    return scan();
  }
  NetError open_wakeup(int& fd_out) override {
    const NetError e = net->open_stream(port::Family::v4, fd_out);
    if (e == NetError::none) net->at(fd_out).connecting = true;  // not readable until woken
    return e;
  }
  bool wake(int fd) override {
    ++wakes;
    net->at(fd).connecting = false;
    net->at(fd).peer_closed = true;
    return true;
  }
  void drain_wakeup(int fd) override {
    net->at(fd).peer_closed = false;
    net->at(fd).connecting = true;
  }
  void close_wakeup(int fd) override { net->close(fd); }
};

inline Address addr(const char* ip, std::uint16_t p) { return *Address::parse_numeric(ip, p); }

// The application side: keeps registrations and the timer as the callbacks say, and
// drives the multi faithfully.
struct FakeApp {
  FakeClock clock;
  FakeNet net;
  FakeResolver resolver;
  FakeWaiter waiter;
  std::vector<std::string> log;  // socket callbacks and net open/close, in order
  bool logging = true;           // off where only costs are measured
  std::map<int, int> watched;    // fd -> action
  long timer_ms = -1;
  Nanos timer_set_at{};
  int timer_calls = 0;
  int socket_cb_result = 0;
  int timer_cb_result = 0;
  ms_multi* multi = nullptr;

  explicit FakeApp(Mutant m = Mutant::none) {
    net.log = &log;
    resolver.net = &net;
    resolver.log = &log;
    waiter.net = &net;
    waiter.clock = &clock;
    multi = ms::multi_init(port::Ports{&clock, &net, &resolver, &waiter}, MultiOptions{m});
    if (!multi) return;
    ms_multi_setopt(multi, MSMOPT_SOCKETFUNCTION, &FakeApp::on_socket);
    ms_multi_setopt(multi, MSMOPT_SOCKETDATA, this);
    ms_multi_setopt(multi, MSMOPT_TIMERFUNCTION, &FakeApp::on_timer);
    ms_multi_setopt(multi, MSMOPT_TIMERDATA, this);
  }
  // No log kept: a log grows with every call, and its cost is the test's, not the engine's.
  void stop_logging() {
    logging = false;
    net.log = nullptr;
    resolver.log = nullptr;
  }
  ~FakeApp() {
    if (multi) ms_multi_cleanup(multi);
  }
  static int on_socket(ms_easy*, ms_socket_t s, int what, void* userp, void*) {
    auto* app = static_cast<FakeApp*>(userp);
    static const char* names[] = {"NONE", "IN", "OUT", "INOUT", "REMOVE"};
    if (app->logging)
      app->log.push_back("cb " + std::to_string(s) + " " + (what >= 0 && what <= 4 ? names[what] : "?"));
    if (what == MS_POLL_REMOVE) app->watched.erase(s);
    else app->watched[s] = what;
    return app->socket_cb_result;
  }
  static int on_timer(ms_multi*, long ms, void* userp) {
    auto* app = static_cast<FakeApp*>(userp);
    app->timer_ms = ms;
    app->timer_set_at = app->clock.t;
    ++app->timer_calls;
    return app->timer_cb_result;
  }
  // One faithful step: a ready watched socket, else the timer (moving the clock to it).
  // False when there is nothing left to do.
  bool step(int* running, MSMcode* rc = nullptr) {
    for (auto [fd, what] : watched) {
      const int r = net.readiness(fd);
      int mask = r & port::kError;
      if (what & MS_POLL_IN) mask |= r & port::kReadable;
      if (what & MS_POLL_OUT) mask |= r & port::kWritable;
      if (mask) {
        const MSMcode c = ms_multi_socket_action(multi, fd, mask, running);
        if (rc) *rc = c;
        return true;
      }
    }
    if (timer_ms < 0) return false;
    const Nanos due = timer_set_at + std::chrono::milliseconds(timer_ms);
    if (due > clock.t) clock.t = due;
    timer_ms = -1;
    const MSMcode c = ms_multi_socket_action(multi, MS_SOCKET_TIMEOUT, 0, running);
    if (rc) *rc = c;
    return true;
  }
  // Runs until nothing is running (or nothing can happen); returns the last running count.
  int run(int max_steps = 1000) {
    int running = -1;
    while (max_steps-- > 0 && step(&running)) {
      if (running == 0) break;
    }
    return running;
  }
};

}  // namespace ms::test

// SPDX-License-Identifier: MIT
// sim_test_util.hpp: a tiny raw HTTP client over the Net port, and helpers shared by the
// simnet tests. No engine is involved: the tests drive the world directly.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "simnet/peer_script.hpp"
#include "simnet/world.hpp"

namespace ms::sim::test {

using namespace std::chrono_literals;
using port::Address;
using port::NetError;

inline Address addr(const char* host, std::uint16_t port) {
  auto a = Address::parse_numeric(host, port);
  EXPECT_TRUE(a.has_value()) << host;
  return a.value_or(Address{});
}

inline PeerScript script(std::string_view text) {
  PeerScript s;
  ScriptError e;
  EXPECT_TRUE(parse_peer_script(text, 1, s, e)) << e.to_string();
  return s;
}

inline void serve(World& w, const char* name, const Address& at, std::string_view text) {
  std::string error;
  ASSERT_TRUE(w.listen(name, at, script(text), error)) << error;
}

struct Exchange {
  NetError connect_error = NetError::none;  // how the connect ended
  NetError end_error = NetError::none;      // recv's error that ended the exchange
  bool eof = false;
  std::string received;
  port::Nanos first_byte_at{-1};
  port::Nanos done_at{-1};
  std::size_t max_recv = 0;  // largest single recv
  std::size_t max_send = 0;  // largest single send
};

// Connects fd (already open) to `to`, sends `request`, reads until EOF, an error or the
// world has nothing left to do before `limit`.
inline Exchange run_client(World& w, int fd, const Address& to, const std::string& request,
                           port::Nanos limit = 60s) {
  Exchange ex;
  const NetError c = w.connect(fd, to);
  if (c != NetError::in_progress && c != NetError::none) {
    ex.connect_error = c;
    return ex;
  }
  bool connected = false;
  std::size_t sent = 0;
  std::byte buf[1024];
  for (;;) {
    const int ready = w.readiness(fd);
    bool progress = false;
    if (!connected && ready != 0) {
      const NetError e = w.take_error(fd);
      if (e != NetError::none) {
        ex.connect_error = e;
        return ex;
      }
      connected = true;
      progress = true;
    }
    if (connected && (ready & port::kWritable) && sent < request.size()) {
      auto r = w.send(fd, reinterpret_cast<const std::byte*>(request.data()) + sent,
                      request.size() - sent);
      if (r.error == NetError::none) {
        sent += r.bytes;
        ex.max_send = std::max(ex.max_send, r.bytes);
        progress = r.bytes > 0;
      }
    }
    if (connected && (ready & (port::kReadable | port::kError))) {
      auto r = w.recv(fd, buf, sizeof buf);
      if (r.error == NetError::none && r.bytes > 0) {
        if (ex.first_byte_at.count() < 0) ex.first_byte_at = w.now();
        ex.received.append(reinterpret_cast<const char*>(buf), r.bytes);
        ex.max_recv = std::max(ex.max_recv, r.bytes);
        progress = true;
      } else if (r.error == NetError::none) {
        ex.eof = true;
        ex.done_at = w.now();
        return ex;
      } else if (r.error != NetError::would_block) {
        ex.end_error = r.error;
        ex.done_at = w.now();
        return ex;
      }
    }
    if (progress) continue;
    auto next = w.next_event_time();
    if (!next || *next > limit) return ex;
    w.advance_to(*next);
  }
}

inline Exchange fetch(World& w, const Address& to, const std::string& request,
                      port::Nanos limit = 60s) {
  int fd = -1;
  EXPECT_EQ(w.open_stream(to.family, fd), NetError::none);
  Exchange ex = run_client(w, fd, to, request, limit);
  w.close(fd);
  return ex;
}

inline const std::string kGet = "GET / HTTP/1.1\r\nHost: peer.test\r\n\r\n";

// Records every observer callback as one line of text.
struct LogObserver : NetObserver {
  std::vector<std::string> lines;
  void on_open(port::Nanos at, int fd) override { add(at, "open", fd, ""); }
  void on_connect(port::Nanos at, int fd, const Address& peer) override {
    add(at, "connect", fd, peer.to_string());
  }
  void on_close(port::Nanos at, int fd) override { add(at, "close", fd, ""); }
  void on_deliver(port::Nanos at, int fd, std::size_t bytes) override {
    add(at, "deliver", fd, std::to_string(bytes));
  }
  void on_fault(port::Nanos at, int fd, FaultKind kind) override {
    add(at, "fault", fd, to_string(kind));
  }
  void add(port::Nanos at, const char* what, int fd, const std::string& extra) {
    lines.push_back(std::to_string(at.count()) + " " + what + " " + std::to_string(fd) + " " + extra);
  }
  bool has_line(const std::string& line) const {
    for (const auto& l : lines)
      if (l == line) return true;
    return false;
  }
  std::size_t count(const std::string& needle) const {
    std::size_t n = 0;
    for (const auto& l : lines) n += l.find(needle) != std::string::npos;
    return n;
  }
};

}  // namespace ms::sim::test

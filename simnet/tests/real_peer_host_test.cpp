// SPDX-License-Identifier: MIT
// The same peer scripts on real loopback listeners.
#include <gtest/gtest.h>
#include <poll.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "simnet/posix_ports.hpp"
#include "simnet/real_peer_host.hpp"

namespace ms::posix {
namespace {

using port::NetError;

sim::PeerScript script(std::string_view text) {
  sim::PeerScript s;
  sim::ScriptError e;
  EXPECT_TRUE(sim::parse_peer_script(text, 1, s, e)) << e.to_string();
  return s;
}

struct Result {
  NetError connect_error = NetError::none;
  NetError end_error = NetError::none;
  bool eof = false;
  std::string received;
};

// A raw client over the real Net port, stepping the host between its own moves; stops
// at EOF, an error, or after `expect` bytes when expect > 0 (10 s at most).
Result exchange(RealPeerHost& host, const port::Address& to, const std::string& request,
                std::size_t expect = 0, int fd = -1) {
  PosixNet net;
  Result res;
  const bool own = fd < 0;
  if (own) {
    EXPECT_EQ(net.open_stream(to.family, fd), NetError::none);
    const NetError c = net.connect(fd, to);
    if (c != NetError::in_progress && c != NetError::none) {
      res.connect_error = c;
      net.close(fd);
      return res;
    }
  }
  bool connected = !own;
  std::size_t sent = 0;
  std::byte buf[8192];
  for (int i = 0; i < 1000; ++i) {
    host.step();
    const int r = net.readiness(fd);
    if (!connected && r != 0) {
      const NetError e = net.take_error(fd);
      if (e != NetError::none) {
        res.connect_error = e;
        break;
      }
      connected = true;
    }
    if (connected && (r & port::kWritable) && sent < request.size()) {
      auto s = net.send(fd, reinterpret_cast<const std::byte*>(request.data()) + sent, request.size() - sent);
      sent += s.bytes;
    }
    if (connected && (r & (port::kReadable | port::kError))) {
      auto got = net.recv(fd, buf, sizeof buf);
      if (got.error == NetError::none && got.bytes == 0) {
        res.eof = true;
        break;
      }
      if (got.error != NetError::none && got.error != NetError::would_block) {
        res.end_error = got.error;
        break;
      }
      res.received.append(reinterpret_cast<char*>(buf), got.bytes);
      if (expect != 0 && res.received.size() >= expect) break;
      if (got.bytes > 0) continue;
    }
    pollfd p[2] = {{host.fd(), POLLIN, 0}, {fd, POLLIN, 0}};
    ::poll(p, 2, 10);
  }
  if (own) net.close(fd);
  return res;
}

const std::string kGet = "GET / HTTP/1.1\r\nHost: peer.test\r\n\r\n";

TEST(RealPeerHost, ServesAScript) {
  RealPeerHost host;
  std::string error;
  auto at = host.listen("p", script("accept\nexpect request\nsend \"HTTP/1.1 200 OK\\r\\n\\r\\n\"\nsend body 300000\nclose"), error);
  ASSERT_TRUE(at.has_value()) << error;
  EXPECT_NE(at->port, 0);
  auto r = exchange(host, *at, kGet);
  EXPECT_TRUE(r.eof);
  EXPECT_EQ(r.received, "HTTP/1.1 200 OK\r\n\r\n" + sim::generated_body(300000));
  host.run_for(std::chrono::milliseconds(20));
  EXPECT_EQ(host.stats("p").connections_accepted, 1u);
  EXPECT_EQ(host.stats("p").requests_served, 1u);
  EXPECT_EQ(host.open_connections(), 0u);
}

TEST(RealPeerHost, PiecesAndWaits) {
  RealPeerHost host;
  std::string error;
  auto at = host.listen("p", script("accept\nexpect request\nwait 20ms\nsend \"abc\" in pieces of 1 every 5ms\nclose"), error);
  ASSERT_TRUE(at.has_value()) << error;
  PosixClock clock;
  const auto start = clock.now();
  auto r = exchange(host, *at, kGet);
  EXPECT_TRUE(r.eof);
  EXPECT_EQ(r.received, "abc");
  EXPECT_GE(clock.now() - start, std::chrono::milliseconds(30));
}

TEST(RealPeerHost, KeepAlive) {
  RealPeerHost host;
  std::string error;
  auto at = host.listen("p", script("accept\nexpect request\nsend \"ok\"\nrepeat"), error);
  ASSERT_TRUE(at.has_value()) << error;
  PosixNet net;
  int fd;
  ASSERT_EQ(net.open_stream(port::Family::v4, fd), NetError::none);
  net.connect(fd, *at);
  pollfd p{fd, POLLOUT, 0};
  ::poll(&p, 1, 5000);
  EXPECT_EQ(exchange(host, *at, kGet, 2, fd).received, "ok");
  EXPECT_EQ(exchange(host, *at, kGet, 2, fd).received, "ok");
  net.close(fd);
  EXPECT_EQ(host.stats("p").connections_accepted, 1u);
  EXPECT_EQ(host.stats("p").requests_served, 2u);
}

TEST(RealPeerHost, ResetAndRefuse) {
  RealPeerHost host;
  std::string error;
  auto reset_at = host.listen("r", script("accept\nexpect request\nreset"), error);
  auto refuse_at = host.listen("n", script("refuse"), error);
  ASSERT_TRUE(reset_at && refuse_at) << error;
  EXPECT_EQ(exchange(host, *reset_at, kGet).end_error, NetError::reset);
  EXPECT_EQ(exchange(host, *refuse_at, kGet).connect_error, NetError::refused);
}

// An `h2` peer on real loopback, driven by the system's curl (HTTP/2 with prior knowledge)
// while the host runs on a thread of its own. One URL per curl: curl 7.88 fails the second
// transfer on a reused prior-knowledge connection (its own bug, fixed in 8.0).
TEST(RealPeerHost, Http2PriorKnowledgeWithCurl) {
  if (std::system("curl --version 2>/dev/null | grep -q HTTP2") != 0) GTEST_SKIP() << "no curl with HTTP/2";
  RealPeerHost host;
  std::string error;
  auto at = host.listen("p", script("accept\nh2 max-streams 4\nserve body 70000"), error);
  ASSERT_TRUE(at.has_value()) << error;
  std::atomic<bool> stop{false};
  std::thread runner([&] {
    while (!stop) host.run_for(std::chrono::milliseconds(10));
  });
  const std::string cmd = "curl --http2-prior-knowledge -s --max-time 20 http://" + at->to_string() + "/x";
  std::string out[2];
  int status[2] = {-1, -1};
  for (int i = 0; i < 2; ++i) {
    if (std::FILE* p = ::popen(cmd.c_str(), "r")) {
      char buf[8192];
      std::size_t n;
      while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out[i].append(buf, n);
      status[i] = ::pclose(p);
    }
  }
  stop = true;
  runner.join();
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(status[i], 0) << i;
    EXPECT_EQ(out[i].size(), 70000u) << i;
    EXPECT_TRUE(out[i] == sim::generated_body(70000)) << i;
  }
  EXPECT_EQ(host.stats("p").connections_accepted, 2u);
  EXPECT_EQ(host.stats("p").requests_served, 2u);
}

TEST(RealPeerHost, OnlyLoopback) {
  RealPeerHost host;
  std::string error;
  EXPECT_FALSE(host.listen("x", script("accept\nclose"), error, "0.0.0.0").has_value());
  EXPECT_NE(error.find("loopback"), std::string::npos);
  EXPECT_FALSE(host.listen("x", script("accept\nclose"), error, "example.test").has_value());
}

}  // namespace
}  // namespace ms::posix

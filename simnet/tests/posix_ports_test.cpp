// SPDX-License-Identifier: MIT
// Real ports against loopback listeners (127.0.0.1 and ::1 only).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "simnet/posix_ports.hpp"

namespace ms::posix {
namespace {

using port::NetError;

// A listening socket on loopback at an ephemeral port, owned by the test.
struct TestListener {
  int fd = -1;
  port::Address address;
  explicit TestListener(const char* host) {
    auto a = port::Address::parse_numeric(host, 0);
    fd = ::socket(a->family == port::Family::v4 ? AF_INET : AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return;
    sockaddr_storage s;
    socklen_t len = address_to_sockaddr(*a, s);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&s), len) < 0 || ::listen(fd, 16) < 0) {
      ::close(fd);
      fd = -1;
      return;
    }
    len = sizeof s;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&s), &len);
    address_from_sockaddr(s, address);
  }
  ~TestListener() {
    if (fd >= 0) ::close(fd);
  }
};

// Waits (up to 5 s) until fd shows any of `mask`; returns the readiness seen.
int wait_for(PosixNet& net, int fd, int mask) {
  for (int i = 0; i < 500; ++i) {
    const int r = net.readiness(fd);
    if (r & mask) return r;
    pollfd p{fd, POLLIN | POLLOUT, 0};
    ::poll(&p, 1, 10);
  }
  return 0;
}

void exchange(const char* host) {
  TestListener l(host);
  if (l.fd < 0) GTEST_SKIP() << host << " is not available here";
  PosixNet net;
  int fd = -1;
  ASSERT_EQ(net.open_stream(l.address.family, fd), NetError::none);
  const NetError c = net.connect(fd, l.address);
  ASSERT_TRUE(c == NetError::in_progress || c == NetError::none) << port::to_string(c);
  ASSERT_NE(wait_for(net, fd, port::kWritable) & port::kWritable, 0);
  EXPECT_EQ(net.take_error(fd), NetError::none);
  const int server = ::accept(l.fd, nullptr, nullptr);
  ASSERT_GE(server, 0);
  std::byte buf[64];
  EXPECT_EQ(net.recv(fd, buf, sizeof buf).error, NetError::would_block);
  auto s = net.send(fd, reinterpret_cast<const std::byte*>("ping"), 4);
  EXPECT_EQ(s.bytes, 4u);
  char got[8] = {};
  ASSERT_EQ(::recv(server, got, sizeof got, 0), 4);
  EXPECT_STREQ(got, "ping");
  ASSERT_EQ(::send(server, "pong", 4, 0), 4);
  ::close(server);
  ASSERT_NE(wait_for(net, fd, port::kReadable) & port::kReadable, 0);
  std::string text;
  for (int i = 0; i < 100; ++i) {
    auto r = net.recv(fd, buf, sizeof buf);
    if (r.error == NetError::would_block) {
      wait_for(net, fd, port::kReadable);
      continue;
    }
    ASSERT_EQ(r.error, NetError::none);
    if (r.bytes == 0) break;
    text.append(reinterpret_cast<char*>(buf), r.bytes);
  }
  EXPECT_EQ(text, "pong");
  net.close(fd);
}

TEST(PosixNet, ConnectSendRecvOverIPv4Loopback) { exchange("127.0.0.1"); }
TEST(PosixNet, ConnectSendRecvOverIPv6Loopback) { exchange("::1"); }

TEST(PosixNet, ClosedPortIsRefused) {
  port::Address closed;
  {
    TestListener l("127.0.0.1");
    ASSERT_GE(l.fd, 0);
    closed = l.address;
  }  // closed again: nothing listens there now
  PosixNet net;
  int fd;
  ASSERT_EQ(net.open_stream(port::Family::v4, fd), NetError::none);
  const NetError c = net.connect(fd, closed);
  if (c == NetError::in_progress) {
    EXPECT_NE(wait_for(net, fd, port::kError | port::kWritable), 0);
    EXPECT_EQ(net.take_error(fd), NetError::refused);
  } else {
    EXPECT_EQ(c, NetError::refused);
  }
  net.close(fd);
}

TEST(PosixNet, UnknownDescriptorIsAnError) {
  PosixNet net;
  int fd;
  ASSERT_EQ(net.open_stream(port::Family::v4, fd), NetError::none);
  net.close(fd);
  EXPECT_EQ(net.readiness(fd), port::kError);
  EXPECT_EQ(net.send(fd, nullptr, 0).error, NetError::bad_descriptor);
}

TEST(PosixNet, ErrnoMapping) {
  EXPECT_EQ(net_error_from_errno(EAGAIN), NetError::would_block);
  EXPECT_EQ(net_error_from_errno(EINPROGRESS), NetError::in_progress);
  EXPECT_EQ(net_error_from_errno(ECONNREFUSED), NetError::refused);
  EXPECT_EQ(net_error_from_errno(ECONNRESET), NetError::reset);
  EXPECT_EQ(net_error_from_errno(ETIMEDOUT), NetError::timed_out);
  EXPECT_EQ(net_error_from_errno(EHOSTUNREACH), NetError::unreachable);
  EXPECT_EQ(net_error_from_errno(EPIPE), NetError::broken_pipe);
  EXPECT_EQ(net_error_from_errno(EMFILE), NetError::no_descriptors);
  EXPECT_EQ(net_error_from_errno(EBADF), NetError::bad_descriptor);
  EXPECT_EQ(net_error_from_errno(EAFNOSUPPORT), NetError::address_family);
  EXPECT_EQ(net_error_from_errno(EDOM), NetError::other);
}

TEST(PosixClock, IsMonotonic) {
  PosixClock clock;
  const auto a = clock.now();
  const auto b = clock.now();
  EXPECT_GT(a.count(), 0);
  EXPECT_GE(b, a);
}

TEST(ThreadedResolver, NumericAnswersAtOnce) {
  ThreadedResolver r;
  auto s = r.start("::1", 8443);
  ASSERT_TRUE(s.answer.has_value());
  EXPECT_EQ(s.fd, -1);
  EXPECT_EQ(s.answer->addresses.at(0).to_string(), "[::1]:8443");
}

TEST(ThreadedResolver, LocalhostThroughDescriptor) {
  ThreadedResolver r;
  auto s = r.start("localhost", 80);
  ASSERT_FALSE(s.answer.has_value());
  ASSERT_GE(s.fd, 0);
  pollfd p{s.fd, POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 10000), 1) << "no answer within 10 s";
  auto answer = r.poll(s.id);
  ASSERT_TRUE(answer.has_value());
  ASSERT_EQ(answer->status, port::Resolution::Status::ok);
  ASSERT_FALSE(answer->addresses.empty());
  for (const auto& a : answer->addresses) {
    EXPECT_TRUE(a.is_loopback()) << a.to_string();
    EXPECT_EQ(a.port, 80);
  }
  r.release(s.id);
  EXPECT_FALSE(r.poll(s.id).has_value());
}

TEST(ThreadedResolver, ReleaseBeforeAnswerIsSafe) {
  ThreadedResolver r;
  for (int i = 0; i < 20; ++i) {
    auto s = r.start("localhost", 80);
    r.release(s.id);
  }
  SUCCEED();
}

TEST(SystemPorts, AreComplete) {
  auto p = port::system_ports();
  ASSERT_NE(p.clock, nullptr);
  ASSERT_NE(p.net, nullptr);
  ASSERT_NE(p.resolver, nullptr);
  EXPECT_EQ(p.net, port::system_ports().net);
}

}  // namespace
}  // namespace ms::posix

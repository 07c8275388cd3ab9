// SPDX-License-Identifier: MIT
// virtual_os_test.cpp: the C library calls of this very program, served by a World while a
// VirtualOs is installed (the test binary exports them, as multisock does).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "simnet/virtual_os.hpp"

namespace ms::sim {
namespace {

using namespace std::chrono_literals;

std::int64_t monotonic_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

PeerScript script(const char* text) {
  PeerScript s;
  ScriptError e;
  EXPECT_TRUE(parse_peer_script(text, 1, s, e)) << e.to_string();
  return s;
}

sockaddr_in v4(const char* ip, int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  ::inet_pton(AF_INET, ip, &a.sin_addr);
  return a;
}

// Runs the world until fd shows one of `events` (a poll with no wait at each step).
bool run_until(World& w, int fd, short events) {
  for (int i = 0; i < 1000; ++i) {
    pollfd p{fd, events, 0};
    if (::poll(&p, 1, 0) > 0) return true;
    auto next = w.next_event_time();
    if (!next) return false;
    w.advance_to(*next);
  }
  return false;
}

TEST(VirtualOs, NotInstalled_CallsReachTheCLibrary) {
  ASSERT_EQ(VirtualOs::installed(), nullptr);
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  int type = 0;
  socklen_t len = sizeof type;
  EXPECT_EQ(::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len), 0);
  EXPECT_EQ(type, SOCK_STREAM);
  EXPECT_EQ(::close(fd), 0);
  EXPECT_GT(monotonic_ns(), 0);
}

TEST(VirtualOs, OnlyOneAtATime) {
  World w1, w2;
  VirtualOs a(w1);
  EXPECT_EQ(VirtualOs::installed(), &a);
  EXPECT_THROW(VirtualOs b(w2), std::logic_error);
}

TEST(VirtualOs, HttpExchangeOverTheWorld) {
  World w;
  std::string error;
  ASSERT_TRUE(w.listen("p", *port::Address::parse_numeric("127.0.0.9", 80),
                       script("accept\nexpect request\nsend \"HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nhi\"\nclose\n"),
                       error))
      << error;
  VirtualOs vos(w);
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  ASSERT_GE(fd, 3);
  EXPECT_EQ(w.kind(fd), DescriptorKind::stream);
  // The number is held by a real descriptor: the kernel gives the next file another one.
  const int real = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  EXPECT_NE(real, fd);
  EXPECT_GE(::fcntl(fd, F_GETFD), 0);
  ::close(real);

  const sockaddr_in to = v4("127.0.0.9", 80);
  EXPECT_EQ(::connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to), -1);
  EXPECT_EQ(errno, EINPROGRESS);
  ASSERT_TRUE(run_until(w, fd, POLLOUT));
  int err = -1;
  socklen_t len = sizeof err;
  ASSERT_EQ(::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len), 0);
  EXPECT_EQ(err, 0);
  const std::string req = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  EXPECT_EQ(::send(fd, req.data(), req.size(), MSG_NOSIGNAL), static_cast<ssize_t>(req.size()));
  std::string got;
  char buf[256];
  while (run_until(w, fd, POLLIN)) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    got.append(buf, static_cast<std::size_t>(n));
  }
  EXPECT_NE(got.find("\r\n\r\nhi"), std::string::npos) << got;
  sockaddr_in peer{};
  len = sizeof peer;
  ASSERT_EQ(::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &len), 0);
  EXPECT_EQ(ntohs(peer.sin_port), 80);
  EXPECT_EQ(::close(fd), 0);
  EXPECT_EQ(w.open_descriptors(), 0u);
  EXPECT_EQ(vos.unmodelled(), "");
  EXPECT_GT(vos.calls().at("recv"), 0u);
}

TEST(VirtualOs, ClocksAreVirtual) {
  World w;
  VirtualOs vos(w);
  const std::int64_t t0 = monotonic_ns();
  EXPECT_EQ(t0, std::chrono::nanoseconds(std::chrono::hours(24)).count());
  w.advance_to(std::chrono::milliseconds(1500));
  EXPECT_EQ(monotonic_ns() - t0, 1'500'000'000);
  EXPECT_EQ(::time(nullptr), 1'767'225'600 + 1);
  timeval tv{};
  ASSERT_EQ(::gettimeofday(&tv, nullptr), 0);
  EXPECT_EQ(tv.tv_usec, 500'000);
}

TEST(VirtualOs, ACallThatSpinsOnTheClockLetsTimePass) {
  World w;
  VirtualOsOptions o;
  o.spin_reads = 1000;
  VirtualOs vos(w, o);
  vos.enter_call();
  const std::int64_t t0 = monotonic_ns();
  std::int64_t t = t0;
  for (int i = 0; i < 100'000 && t - t0 < 5'000'000; ++i) t = monotonic_ns();
  EXPECT_GE(t - t0, 5'000'000) << "a busy wait for 5 ms of virtual time must end";
  EXPECT_EQ(vos.spun().count(), t - t0);
  // A call that reads the clock a few times does not move it.
  vos.enter_call();
  const std::int64_t t1 = monotonic_ns();
  for (int i = 0; i < 10; ++i) EXPECT_EQ(monotonic_ns(), t1);
}

TEST(VirtualOs, NamesComeFromTheWorldsDns) {
  World w;
  w.dns_add("peer.test", {*port::Address::parse_numeric("127.0.0.7", 0)});
  w.dns_add("broken.test", {}, 1ms, true);
  VirtualOs vos(w);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  ASSERT_EQ(::getaddrinfo("PEER.test", "8080", &hints, &res), 0);
  ASSERT_NE(res, nullptr);
  auto* sin = reinterpret_cast<sockaddr_in*>(res->ai_addr);
  char text[32];
  EXPECT_STREQ(::inet_ntop(AF_INET, &sin->sin_addr, text, sizeof text), "127.0.0.7");
  EXPECT_EQ(ntohs(sin->sin_port), 8080);
  EXPECT_EQ(res->ai_next, nullptr);
  ::freeaddrinfo(res);
  EXPECT_EQ(::getaddrinfo("nowhere.test", "80", &hints, &res), EAI_NONAME);
  EXPECT_EQ(::getaddrinfo("broken.test", "80", &hints, &res), EAI_FAIL);
  hints.ai_family = AF_INET6;
  EXPECT_NE(::getaddrinfo("peer.test", "80", &hints, &res), 0);  // no v6 address
}

TEST(VirtualOs, UnmodelledCallsFailAndAreNamed) {
  World w;
  VirtualOs vos(w);
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(::shutdown(fd, SHUT_WR), -1);
  EXPECT_EQ(errno, ENOTSUP);
  EXPECT_NE(vos.unmodelled().find("shutdown() on virtual descriptor " + std::to_string(fd)), std::string::npos)
      << vos.unmodelled();
  // Only the first is kept; a Unix socket is not part of the world either.
  EXPECT_EQ(::socket(AF_UNIX, SOCK_STREAM, 0), -1);
  EXPECT_NE(vos.unmodelled().find("shutdown"), std::string::npos);
  EXPECT_EQ(::dup(fd), -1);
  ::close(fd);
}

TEST(VirtualOs, LocalChannelsAndCounters) {
  World w;
  VirtualOs vos(w);
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
  EXPECT_EQ(w.kind(sv[0]), DescriptorKind::channel);
  char c = 'x';
  pollfd p{sv[0], POLLIN, 0};
  EXPECT_EQ(::poll(&p, 1, 0), 0);
  EXPECT_EQ(::read(sv[0], &c, 1), -1);
  EXPECT_EQ(errno, EAGAIN);
  EXPECT_EQ(::write(sv[1], "ab", 2), 2);
  EXPECT_EQ(::poll(&p, 1, 0), 1);
  EXPECT_EQ(::recv(sv[0], &c, 1, MSG_PEEK), 1);
  EXPECT_EQ(c, 'a');
  char two[2];
  EXPECT_EQ(::read(sv[0], two, 2), 2);
  EXPECT_EQ(std::string(two, 2), "ab");
  ::close(sv[1]);
  EXPECT_EQ(::read(sv[0], &c, 1), 0);  // end-of-file once the other end is closed
  ::close(sv[0]);

  const int efd = ::eventfd(0, EFD_NONBLOCK);
  ASSERT_GE(efd, 0);
  std::uint64_t v = 2;
  EXPECT_EQ(::write(efd, &v, sizeof v), 8);
  EXPECT_EQ(::write(efd, &v, sizeof v), 8);
  EXPECT_EQ(::read(efd, &v, sizeof v), 8);
  EXPECT_EQ(v, 4u);
  EXPECT_EQ(::read(efd, &v, sizeof v), -1);
  ::close(efd);
  EXPECT_EQ(w.open_descriptors(), 0u);
}

// The world notes which connections a wait watched: a library's poll() (here) and a
// port::Waiter wait (the engine's), not local channels, nor descriptors asked for nothing.
TEST(VirtualOs, WaitsNoteTheConnectionsTheyWatched) {
  World w;
  VirtualOs vos(w);
  const int a = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  const int b = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
  std::vector<int> watched{99};
  w.drain_waited_on(watched);
  EXPECT_TRUE(watched.empty());
  pollfd p[3] = {{b, POLLIN, 0}, {sv[0], POLLIN, 0}, {a, 0, 0}};
  EXPECT_EQ(::poll(p, 3, 0), 0);
  EXPECT_EQ(::poll(p, 1, 0), 0);  // twice: listed once
  port::WaitFd wf[1] = {{a, port::kReadable, 0}};
  EXPECT_EQ(w.wait(wf, 1, 1ms), 0);
  w.drain_waited_on(watched);
  EXPECT_EQ(watched, (std::vector<int>{a, b}));  // ascending
  w.drain_waited_on(watched);
  EXPECT_TRUE(watched.empty());  // drained
  for (int fd : {a, b, sv[0], sv[1]}) ::close(fd);
}

// A library thread: resolves a name (waiting in virtual time) and signals a socketpair.
struct LookupJob {
  int signal_fd = -1;
  int rc = -1;
};
void* lookup_thread(void* p) {
  auto* job = static_cast<LookupJob*>(p);
  addrinfo* res = nullptr;
  job->rc = ::getaddrinfo("slow.test", "80", nullptr, &res);
  if (res != nullptr) ::freeaddrinfo(res);
  const char one = 1;
  [[maybe_unused]] ssize_t n = ::write(job->signal_fd, &one, 1);
  return nullptr;
}

TEST(VirtualOs, LibraryThreadsRunInLockstepInVirtualTime) {
  World w;
  w.dns_add("slow.test", {*port::Address::parse_numeric("127.0.0.3", 0)}, 50ms);
  VirtualOs vos(w);
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
  LookupJob job;
  job.signal_fd = sv[1];
  pthread_t t;
  ASSERT_EQ(::pthread_create(&t, nullptr, &lookup_thread, &job), 0);
  // Nothing runs before the safe point; at it, the thread waits for the answer.
  EXPECT_TRUE(vos.run_threads());
  pollfd p{sv[0], POLLIN, 0};
  EXPECT_EQ(::poll(&p, 1, 0), 0);
  w.advance_to(49ms);
  EXPECT_FALSE(vos.run_threads());
  EXPECT_EQ(::poll(&p, 1, 0), 0);
  w.advance_to(50ms);
  EXPECT_TRUE(vos.run_threads());
  EXPECT_EQ(::poll(&p, 1, 0), 1);
  EXPECT_EQ(job.rc, 0);
  EXPECT_EQ(::pthread_join(t, nullptr), 0);
  ::close(sv[0]);
  ::close(sv[1]);
}

TEST(VirtualOs, AJoinWaitsInVirtualTime) {
  World w;
  w.dns_add("slow.test", {*port::Address::parse_numeric("127.0.0.3", 0)}, 2s);
  VirtualOs vos(w);
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  LookupJob job;
  job.signal_fd = sv[1];
  pthread_t t;
  ASSERT_EQ(::pthread_create(&t, nullptr, &lookup_thread, &job), 0);
  EXPECT_EQ(::pthread_join(t, nullptr), 0);
  EXPECT_EQ(w.now(), std::chrono::nanoseconds(2s));
  EXPECT_EQ(job.rc, 0);
  ::close(sv[0]);
  ::close(sv[1]);
}

// A thread whose exit is slow: its thread-local object's destructor waits 50 ms of real
// time (a raw system call: the layer serves nanosleep in virtual time).
std::atomic<bool> g_exit_done{false};
struct SlowExit {
  ~SlowExit() {
    timespec pause{0, 50'000'000};
    ::syscall(SYS_nanosleep, &pause, nullptr);
    g_exit_done = true;
  }
};
void* with_slow_exit(void*) {
  thread_local SlowExit slow;
  (void)&slow;  // made, so destroyed at the thread's exit
  return reinterpret_cast<void*>(7);
}

// The program goes on only once a thread that ended has exited: its exit (thread-local
// destructors, glibc giving its malloc cache back) run beside the program made the heap,
// and the order of a library's tables keyed by address, differ from run to run.
TEST(VirtualOs, AThreadThatEndedHasExitedWhenTheProgramGoesOn) {
  World w;
  VirtualOs vos(w);
  g_exit_done = false;
  pthread_t t;
  ASSERT_EQ(::pthread_create(&t, nullptr, &with_slow_exit, nullptr), 0);
  EXPECT_TRUE(vos.run_threads());
  EXPECT_TRUE(g_exit_done.load());
  void* result = nullptr;
  EXPECT_EQ(::pthread_join(t, &result), 0);
  EXPECT_EQ(result, reinterpret_cast<void*>(7));
}

// Detached threads too, made so or detached after: the layer joins them when they end; the
// library cannot join them, and a thread made after them is joined as usual.
TEST(VirtualOs, DetachedThreadsExitBeforeTheProgramGoesOn) {
  World w;
  VirtualOs vos(w);
  pthread_attr_t detached;
  ::pthread_attr_init(&detached);
  ::pthread_attr_setdetachstate(&detached, PTHREAD_CREATE_DETACHED);
  g_exit_done = false;
  pthread_t a;
  ASSERT_EQ(::pthread_create(&a, &detached, &with_slow_exit, nullptr), 0);
  ::pthread_attr_destroy(&detached);
  EXPECT_EQ(::pthread_join(a, nullptr), EINVAL);
  EXPECT_TRUE(vos.run_threads());
  EXPECT_TRUE(g_exit_done.load());

  g_exit_done = false;
  pthread_t b;
  ASSERT_EQ(::pthread_create(&b, nullptr, &with_slow_exit, nullptr), 0);
  EXPECT_EQ(::pthread_detach(b), 0);
  EXPECT_EQ(::pthread_detach(b), EINVAL);
  EXPECT_TRUE(vos.run_threads());
  EXPECT_TRUE(g_exit_done.load());

  g_exit_done = false;
  pthread_t c;
  ASSERT_EQ(::pthread_create(&c, nullptr, &with_slow_exit, nullptr), 0);
  void* result = nullptr;
  EXPECT_EQ(::pthread_join(c, &result), 0);
  EXPECT_EQ(result, reinterpret_cast<void*>(7));
  EXPECT_TRUE(g_exit_done.load());
}

std::atomic<unsigned long> g_spins{0};
void* spin_forever(void*) {
  for (;;) g_spins.fetch_add(1, std::memory_order_relaxed);
  return nullptr;
}

TEST(VirtualOs, AThreadThatNeverYieldsEndsTheRun) {
  World w;
  VirtualOsOptions o;
  o.thread_wall_limit = 200ms;
  VirtualOs vos(w, o);
  pthread_t t;
  ASSERT_EQ(::pthread_create(&t, nullptr, &spin_forever, nullptr), 0);
  vos.run_threads();
  EXPECT_NE(vos.fatal().find("neither ended nor waited"), std::string::npos) << vos.fatal();
  // The thread keeps spinning; this test process ends soon, and it with it.
  ::pthread_detach(t);
}

TEST(VirtualOs, ABlockingWaitWithNothingScheduledIsFatal) {
  World w;
  VirtualOs vos(w);
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  pollfd p{sv[0], POLLIN, 0};
  EXPECT_EQ(::poll(&p, 1, -1), 0);
  EXPECT_NE(vos.fatal().find("waits for ever"), std::string::npos) << vos.fatal();
  ::close(sv[0]);
  ::close(sv[1]);
}

TEST(VirtualOs, ASleepIsVirtual) {
  World w;
  VirtualOs vos(w);
  EXPECT_EQ(::poll(nullptr, 0, 250), 0);
  EXPECT_EQ(w.now(), std::chrono::nanoseconds(250ms));
}

}  // namespace
}  // namespace ms::sim

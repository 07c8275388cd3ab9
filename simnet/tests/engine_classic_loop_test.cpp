// SPDX-License-Identifier: MIT
// The engine's classic loop (ms_multi_perform / ms_multi_poll / ms_multi_wakeup) and
// ms_easy_perform over the virtual world, where waiting moves the virtual clock, and over
// real loopback sockets against scripted peers served from a thread of the test.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/select.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "multisock/engine.hpp"
#include "multisock/multisock.h"
#include "simnet/peer_script.hpp"
#include "simnet/posix_ports.hpp"
#include "simnet/real_peer_host.hpp"
#include "simnet/world.hpp"
#include "test_handle.hpp"

namespace {

using namespace std::chrono_literals;
using ms::port::Nanos;

ms::sim::PeerScript script(const char* text) {
  ms::sim::PeerScript s;
  ms::sim::ScriptError err;
  EXPECT_TRUE(ms::sim::parse_peer_script(text, 1, s, err)) << err.to_string();
  return s;
}

using Easy = ms::test::Handle;  // engine/tests/test_handle.hpp

// perform, then poll, until nothing runs; the DONE results in order.
std::vector<MSEcode> classic_loop(ms_multi* m, int max_rounds = 100000) {
  std::vector<MSEcode> results;
  for (int i = 0; i < max_rounds; ++i) {
    int running = -1;
    EXPECT_EQ(ms_multi_perform(m, &running), MSM_OK);
    int left = 0;
    while (MSMsg* msg = ms_multi_info_read(m, &left)) results.push_back(msg->data.result);
    if (running == 0) return results;
    EXPECT_EQ(ms_multi_poll(m, nullptr, 0, 1000, nullptr), MSM_OK);
  }
  ADD_FAILURE() << "the loop did not end";
  return results;
}

constexpr const char* kSlowPeer =
    "accept\n expect request\n wait 2s\n send \"HTTP/1.1 200 OK\\r\\nContent-Length: 5\\r\\n\\r\\nhello\"\n close\n";

std::string listen_sim(ms::sim::World& world, const char* peer) {
  std::string error;
  EXPECT_TRUE(world.listen("p", *ms::port::Address::parse_numeric("127.0.0.2", 80), script(peer), error)) << error;
  return "http://127.0.0.2/";
}

TEST(ClassicLoop_Sim, PollMovesTheVirtualClockToTheAnswer) {
  ms::sim::World world;
  const std::string url = listen_sim(world, kSlowPeer);
  ms_multi* m = ms::multi_init(world.ports());
  Easy a(url), b(url);
  ASSERT_EQ(ms_multi_add_handle(m, a.e), MSM_OK);
  ASSERT_EQ(ms_multi_add_handle(m, b.e), MSM_OK);
  const auto results = classic_loop(m);
  EXPECT_EQ(results, (std::vector<MSEcode>{MSE_OK, MSE_OK}));
  EXPECT_EQ(a.body, "hello");
  EXPECT_EQ(b.body, "hello");
  // Both wait 2 s at the peer, in parallel: a little over 2 s of virtual time.
  EXPECT_GE(world.time(), 2s);
  EXPECT_LT(world.time(), 3s);
  ms_multi_remove_handle(m, a.e);
  ms_multi_remove_handle(m, b.e);
  ms_multi_cleanup(m);
}

TEST(ClassicLoop_Sim, SameRunTwiceGivesTheSameTimes) {
  auto run = [] {
    ms::sim::World world;
    const std::string url = listen_sim(world, "accept\n expect request\n send \"HTTP/1.1 200 OK\\r\\nContent-Length: 3000\\r\\n\\r\\n\"\n send body 3000 in pieces of 100 every 7ms\n close\n");
    Easy h(url);
    EXPECT_EQ(ms::easy_perform(h.e, world.ports()), MSE_OK);
    EXPECT_EQ(h.body, ms::sim::generated_body(3000));
    return world.time();
  };
  const Nanos first = run();
  EXPECT_GE(first, 29 * 7ms);
  EXPECT_EQ(first, run());
}

TEST(ClassicLoop_Sim, WakeupEndsAPollWithoutTimePassing) {
  ms::sim::World world;
  ms_multi* m = ms::multi_init(world.ports());
  const Nanos t0 = world.time();
  ASSERT_EQ(ms_multi_wakeup(m), MSM_OK);
  ASSERT_EQ(ms_multi_poll(m, nullptr, 0, 60000, nullptr), MSM_OK);
  EXPECT_EQ(world.time(), t0);
  ASSERT_EQ(ms_multi_poll(m, nullptr, 0, 60000, nullptr), MSM_OK);  // spent: waits it out
  EXPECT_EQ(world.time() - t0, 60s);
  ms_multi_cleanup(m);
  EXPECT_EQ(world.open_descriptors(), 0u);  // the wake-up descriptor is closed with the multi
}

TEST(ClassicLoop_Sim, ProgressAbortsAHungTransfer) {
  ms::sim::World world;
  const std::string url = listen_sim(world, "accept\n hang\n");
  Easy h(url);
  int calls = 0;
  ms_easy_setopt(h.e, MSOPT_NOPROGRESS, 0L);
  ms_easy_setopt(h.e, MSOPT_PROGRESSDATA, &calls);
  ms_easy_setopt(h.e, MSOPT_PROGRESSFUNCTION, +[](void* u, double, double, double, double) -> int {
    return ++*static_cast<int*>(u) >= 3 ? 1 : 0;
  });
  EXPECT_EQ(ms::easy_perform(h.e, world.ports()), MSE_ABORTED_BY_CALLBACK);
  EXPECT_EQ(calls, 3);
  EXPECT_GE(world.time(), 2s);
  EXPECT_LT(world.time(), 3s);
}

// ---- real loopback -------------------------------------------------------------------

// Scripted peers on 127.0.0.1, served by a thread of their own, so that the engine may
// block in poll() on the test's thread.
struct PeerThread {
  ms::posix::RealPeerHost host;
  std::atomic<bool> stop{false};
  std::thread thread;
  std::uint16_t port = 0;
  explicit PeerThread(const char* peer) {
    std::string error;
    auto bound = host.listen("p", script(peer), error, "127.0.0.1");
    EXPECT_TRUE(bound.has_value()) << error;
    if (bound) port = bound->port;
    thread = std::thread([this] {
      while (!stop.load()) host.run_for(5ms);
    });
  }
  ~PeerThread() {
    stop.store(true);
    thread.join();
  }
  std::string url(const char* path = "/") const { return "http://127.0.0.1:" + std::to_string(port) + path; }
};

constexpr const char* kRepeatPeer =
    "accept\n expect request\n send \"HTTP/1.1 200 OK\\r\\nContent-Length: 5\\r\\n\\r\\nhello\"\n repeat\n";

TEST(ClassicLoop_Real, EasyPerformOverLoopbackReusesItsConnection) {
  PeerThread peer(kRepeatPeer);
  Easy h(peer.url());
  ms_easy_setopt(h.e, MSOPT_TIMEOUT_MS, 5000L);
  ASSERT_EQ(ms_easy_perform(h.e), MSE_OK);
  EXPECT_EQ(h.body, "hello");
  h.body.clear();
  ASSERT_EQ(ms_easy_perform(h.e), MSE_OK);
  EXPECT_EQ(h.body, "hello");
  long connects = -1;
  ms_easy_getinfo(h.e, MSINFO_NUM_CONNECTS, &connects);
  EXPECT_EQ(connects, 0);
  EXPECT_EQ(peer.host.stats("p").connections_accepted, 1u);
}

TEST(ClassicLoop_Real, PerformPollLoopWithThreeTransfers) {
  PeerThread peer(
      "accept\n expect request\n wait 50ms\n send \"HTTP/1.1 200 OK\\r\\nContent-Length: 3000\\r\\n\\r\\n\"\n"
      " send body 3000 in pieces of 1000 every 10ms\n repeat\n");
  ms_multi* m = ms_multi_init();
  ASSERT_NE(m, nullptr);
  std::vector<std::unique_ptr<Easy>> handles;
  for (int i = 0; i < 3; ++i) {
    handles.push_back(std::make_unique<Easy>(peer.url()));
    ms_easy_setopt(handles.back()->e, MSOPT_TIMEOUT_MS, 10000L);
    ASSERT_EQ(ms_multi_add_handle(m, handles.back()->e), MSM_OK);
  }
  const auto results = classic_loop(m);
  EXPECT_EQ(results, (std::vector<MSEcode>{MSE_OK, MSE_OK, MSE_OK}));
  for (auto& h : handles) {
    EXPECT_EQ(h->body, ms::sim::generated_body(3000));
    ms_multi_remove_handle(m, h->e);
  }
  ms_multi_cleanup(m);
}

// The select() loop of curl_multi_fdset(3): fdset, timeout, select, perform.
TEST(ClassicLoop_Real, FdsetSelectLoop) {
  PeerThread peer(kRepeatPeer);
  ms_multi* m = ms_multi_init();
  Easy a(peer.url()), b(peer.url());
  ms_easy_setopt(a.e, MSOPT_TIMEOUT_MS, 5000L);
  ms_easy_setopt(b.e, MSOPT_TIMEOUT_MS, 5000L);
  ASSERT_EQ(ms_multi_add_handle(m, a.e), MSM_OK);
  ASSERT_EQ(ms_multi_add_handle(m, b.e), MSM_OK);
  int running = 1;
  int rounds = 0;
  bool saw_descriptor = false;
  while (running > 0 && rounds++ < 10000) {
    ASSERT_EQ(ms_multi_perform(m, &running), MSM_OK);
    if (running == 0) break;
    fd_set r, w, x;
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_ZERO(&x);
    int max_fd = -2;
    ASSERT_EQ(ms_multi_fdset(m, &r, &w, &x, &max_fd), MSM_OK);
    ASSERT_GE(max_fd, -1);
    long wait_ms = -1;
    ASSERT_EQ(ms_multi_timeout(m, &wait_ms), MSM_OK);
    if (wait_ms < 0 || wait_ms > 100) wait_ms = 100;
    timeval tv{0, static_cast<suseconds_t>(wait_ms * 1000)};
    if (max_fd >= 0) {
      saw_descriptor = true;
      ASSERT_GE(::select(max_fd + 1, &r, &w, &x, &tv), 0);
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
    }
  }
  EXPECT_EQ(running, 0);
  EXPECT_TRUE(saw_descriptor);
  EXPECT_EQ(a.body, "hello");
  EXPECT_EQ(b.body, "hello");
  ms_multi_remove_handle(m, a.e);
  ms_multi_remove_handle(m, b.e);
  ms_multi_cleanup(m);
}

TEST(ClassicLoop_Real, WakeupFromAnotherThreadEndsALongPoll) {
  ms_multi* m = ms_multi_init();
  ASSERT_NE(m, nullptr);
  const auto t0 = std::chrono::steady_clock::now();
  std::thread waker([m] {
    std::this_thread::sleep_for(50ms);
    EXPECT_EQ(ms_multi_wakeup(m), MSM_OK);
  });
  EXPECT_EQ(ms_multi_poll(m, nullptr, 0, 20000, nullptr), MSM_OK);
  const auto took = std::chrono::steady_clock::now() - t0;
  waker.join();
  EXPECT_LT(took, 10s);
  ms_multi_cleanup(m);
}

TEST(ClassicLoop_Real, WaitReportsAnExtraDescriptor) {
  ms_multi* m = ms_multi_init();
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  ASSERT_EQ(::write(p[1], "x", 1), 1);
  ms_waitfd extra{p[0], MS_WAIT_POLLIN, 0};
  int n = -1;
  ASSERT_EQ(ms_multi_wait(m, &extra, 1, 5000, &n), MSM_OK);
  EXPECT_EQ(n, 1);
  EXPECT_EQ(extra.revents, MS_WAIT_POLLIN);
  char c;
  ASSERT_EQ(::read(p[0], &c, 1), 1);
  ASSERT_EQ(ms_multi_wait(m, &extra, 1, 20, &n), MSM_OK);  // nothing now: times out
  EXPECT_EQ(n, 0);
  EXPECT_EQ(extra.revents, 0);
  ::close(p[0]);
  ::close(p[1]);
  ms_multi_cleanup(m);
}

}  // namespace

namespace {

struct LockLog {
  std::vector<std::string> calls;
};

TEST(Share_Sim, ConnectionCacheSharedBetweenHandlesThatPerformInTurn) {
  ms::sim::World world;
  const std::string url = listen_sim(world,
                                     "accept\n expect request\n send \"HTTP/1.1 200 OK\\r\\nContent-Length: 5\\r\\n\\r\\nhello\"\n"
                                     " expect request\n send \"HTTP/1.1 200 OK\\r\\nContent-Length: 5\\r\\n\\r\\nagain\"\n close\n");
  ms_share* share = ms_share_init();
  ASSERT_NE(share, nullptr);
  LockLog log;
  ASSERT_EQ(ms_share_setopt(share, MSSHOPT_SHARE, static_cast<long>(MS_LOCK_DATA_CONNECT)), MSSHE_OK);
  EXPECT_EQ(ms_share_setopt(share, MSSHOPT_SHARE, static_cast<long>(MS_LOCK_DATA_DNS)), MSSHE_NOT_BUILT_IN);
  EXPECT_EQ(ms_share_setopt(share, MSSHOPT_SHARE, static_cast<long>(MS_LOCK_DATA_COOKIE)), MSSHE_NOT_BUILT_IN);
  EXPECT_EQ(ms_share_setopt(share, MSSHOPT_SHARE, 99L), MSSHE_BAD_OPTION);
  ms_share_setopt(share, MSSHOPT_USERDATA, static_cast<void*>(&log));
  ms_share_setopt(share, MSSHOPT_LOCKFUNC, +[](ms_easy*, ms_lock_data d, ms_lock_access a, void* u) {
    static_cast<LockLog*>(u)->calls.push_back("lock " + std::to_string(d) + " " + std::to_string(a));
  });
  ms_share_setopt(share, MSSHOPT_UNLOCKFUNC, +[](ms_easy*, ms_lock_data d, void* u) {
    static_cast<LockLog*>(u)->calls.push_back("unlock " + std::to_string(d));
  });
  long connects[2] = {-1, -1};
  for (int i = 0; i < 2; ++i) {
    Easy h(url);  // a new handle each time: only the share can hold the connection
    ASSERT_EQ(ms_easy_setopt(h.e, MSOPT_SHARE, share), MSE_OK);
    EXPECT_EQ(ms_share_cleanup(share), MSSHE_IN_USE);
    EXPECT_EQ(ms_share_setopt(share, MSSHOPT_UNSHARE, static_cast<long>(MS_LOCK_DATA_CONNECT)), MSSHE_IN_USE);
    EXPECT_EQ(ms::easy_perform(h.e, world.ports()), MSE_OK);
    EXPECT_EQ(h.body, i == 0 ? "hello" : "again");
    ms_easy_getinfo(h.e, MSINFO_NUM_CONNECTS, &connects[i]);
  }
  EXPECT_EQ(connects[0], 1);
  EXPECT_EQ(connects[1], 0);  // reused from the share's cache
  const std::string lock = "lock " + std::to_string(MS_LOCK_DATA_CONNECT) + " " + std::to_string(MS_LOCK_ACCESS_SINGLE);
  const std::string unlock = "unlock " + std::to_string(MS_LOCK_DATA_CONNECT);
  EXPECT_EQ(log.calls, (std::vector<std::string>{lock, unlock, lock, unlock}));
  EXPECT_EQ(ms_share_cleanup(share), MSSHE_OK);  // no handle names it any more
  EXPECT_EQ(ms_share_cleanup(nullptr), MSSHE_INVALID);
}

TEST(Share_Sim, BadShareRefusedBySetopt) {
  Easy h("http://127.0.0.1:1/");
  int not_a_share = 0;
  EXPECT_EQ(ms_easy_setopt(h.e, MSOPT_SHARE, reinterpret_cast<ms_share*>(&not_a_share)), MSE_BAD_FUNCTION_ARGUMENT);
  EXPECT_EQ(ms_easy_setopt(h.e, MSOPT_SHARE, static_cast<ms_share*>(nullptr)), MSE_OK);
}

}  // namespace

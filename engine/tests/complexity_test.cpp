// SPDX-License-Identifier: MIT
// Complexity guard: the cost of one call must not grow with the number of handles. Each
// operation is timed (process CPU time, best of several repetitions after a warm-up) with
// 100 and with 10,000 handles in the multi, over the in-memory fake ports with the fake
// application's log off; the ratio of the per-call costs must stay under kRatioMax. A cost
// linear in the handles gives a ratio near 100 and a logarithmic one under 2; between them
// are the caches, which hold 100 handles and not 10,000 (remove_handle of a connecting
// transfer measures 1.8-2.5 on a 2-core machine). Absolute times are printed, never
// asserted (label complexity; not built under the sanitizers).
#include <gtest/gtest.h>
#include <malloc.h>
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "fake_ports.hpp"
#include "test_handle.hpp"

namespace {

using ms::test::addr;
using ms::test::ConnectMode;
using ms::test::FakeApp;
using ms::test::Handle;

constexpr int kSmall = 100;
constexpr int kLarge = 10000;
constexpr double kRatioMax = 6.0;
constexpr int kCallsPerSample = 2000;  // calls timed together for the per-call operations

double cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

// A multi holding `handles` transfers that connect to a server that never answers.
struct Loaded {
  FakeApp app;
  std::vector<std::unique_ptr<Handle>> handles;
  explicit Loaded(int n) {
    app.stop_logging();
    app.net.servers[addr("127.0.0.2", 80)] = {ConnectMode::hang, "", false};
    for (int i = 0; i < n; ++i)
      handles.push_back(std::make_unique<Handle>("http://127.0.0.2/f" + std::to_string(i)));
  }
  void add_all() {
    for (auto& h : handles) ms_multi_add_handle(app.multi, h->e);
  }
  void remove_all() {
    for (auto& h : handles) ms_multi_remove_handle(app.multi, h->e);
  }
  void kick() {
    int running = 0;
    ms_multi_socket_action(app.multi, MS_SOCKET_TIMEOUT, 0, &running);
  }
};

// One measurement of op's cost per call, op run on a fresh multi of n handles made by setup
// (not timed); op returns how many calls it made.
double per_call_ns(int n, const std::function<void(Loaded&)>& setup, const std::function<int(Loaded&)>& op) {
  Loaded l(n);
  setup(l);
  const double t0 = cpu_ns();
  const int calls = op(l);
  return (cpu_ns() - t0) / calls;
}

// The cheapest measurement of each size. The sizes are measured in rotation, so that a busy
// spell of the machine (another process sharing the caches) meets both sizes or neither:
// measured one after the other, a spell over the few large samples alone doubled their cost.
void expect_flat(const char* what, const std::function<void(Loaded&)>& setup,
                 const std::function<int(Loaded&)>& op) {
  // The allocator keeps what a sample frees, so the samples after the first (a warm-up,
  // not counted) reuse memory instead of faulting fresh pages in: page faults cost per
  // byte allocated, whatever the number of handles.
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  constexpr int kRounds = 6;
  constexpr int kSmallPerRound = 6;  // the small multi is measured 100 times faster
  per_call_ns(kLarge, setup, op);    // warm-up
  double small = 1e300;
  double large = 1e300;
  for (int r = 0; r < kRounds; ++r) {
    for (int i = 0; i < kSmallPerRound; ++i) small = std::min(small, per_call_ns(kSmall, setup, op));
    large = std::min(large, per_call_ns(kLarge, setup, op));
  }
  std::printf("%-34s %8.0f ns at %5d handles, %8.0f ns at %5d: x%.2f\n", what, small, kSmall, large,
              kLarge, large / small);
  EXPECT_LE(large / small, kRatioMax) << what << ": " << small << " ns per call with " << kSmall
                                     << " handles, " << large << " ns with " << kLarge;
}

TEST(Complexity, AddHandle) {
  expect_flat("add_handle", [](Loaded&) {}, [](Loaded& l) {
    l.add_all();
    return static_cast<int>(l.handles.size());
  });
}

TEST(Complexity, RemoveHandleOfAStartedTransfer) {
  expect_flat("remove_handle (connecting)", [](Loaded& l) { l.add_all(); l.kick(); }, [](Loaded& l) {
    l.remove_all();
    return static_cast<int>(l.handles.size());
  });
}

TEST(Complexity, RemoveHandleOfAQueuedTransfer) {
  expect_flat("remove_handle (queued)",
              [](Loaded& l) {
                ms_multi_setopt(l.app.multi, MSMOPT_MAX_TOTAL_CONNECTIONS, 1L);
                l.add_all();
                l.kick();  // one connects, the others queue
              },
              [](Loaded& l) {
                l.remove_all();
                return static_cast<int>(l.handles.size());
              });
}

TEST(Complexity, SocketTimeoutCallWithNothingDue) {
  expect_flat("socket_action(TIMEOUT), none due", [](Loaded& l) { l.add_all(); l.kick(); }, [](Loaded& l) {
    for (int i = 0; i < kCallsPerSample; ++i) l.kick();
    return kCallsPerSample;
  });
}

TEST(Complexity, InfoReadOnAnEmptyQueue) {
  expect_flat("info_read, empty queue", [](Loaded& l) { l.add_all(); l.kick(); }, [](Loaded& l) {
    int left = 0;
    for (int i = 0; i < kCallsPerSample; ++i) ms_multi_info_read(l.app.multi, &left);
    return kCallsPerSample;
  });
}

TEST(Complexity, MultiTimeout) {
  expect_flat("multi_timeout", [](Loaded& l) { l.add_all(); l.kick(); }, [](Loaded& l) {
    long ms = 0;
    for (int i = 0; i < kCallsPerSample; ++i) ms_multi_timeout(l.app.multi, &ms);
    return kCallsPerSample;
  });
}

// One connection (a total limit of 1) and every other transfer queued for it: each finished
// transfer hands the connection to the next. Counted per finished transfer. The peer answers
// only when the test hands it a reply, so each round finishes one transfer and the next one
// takes the connection (a peer answering at once ran every transfer to its end inside the
// set-up's kick, and the timed part measured nothing).
TEST(Complexity, FinishedTransferWithTheRestQueued) {
  static constexpr int kFinished = 50;
  static const std::string kReply = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  expect_flat("transfer done, the rest queued",
              [](Loaded& l) {
                l.app.net.servers[addr("127.0.0.2", 80)] = {ConnectMode::immediate, "", false};
                ms_multi_setopt(l.app.multi, MSMOPT_MAX_TOTAL_CONNECTIONS, 1L);
                l.add_all();
                l.kick();  // every transfer starts: one connects and sends, the others queue
              },
              [](Loaded& l) {
                const int added = static_cast<int>(l.handles.size());
                int running = added;
                int done = 0;
                for (int i = 0; i < kFinished && l.app.watched.size() == 1; ++i) {
                  const int fd = l.app.watched.begin()->first;
                  l.app.net.at(fd).to_client += kReply;
                  ms_multi_socket_action(l.app.multi, fd, ms::port::kReadable, &running);
                  int left = 0;
                  while (ms_multi_info_read(l.app.multi, &left)) ++done;
                  while (l.app.timer_ms == 0) {  // the next queued transfer starts on the timer
                    l.app.timer_ms = -1;
                    l.kick();
                  }
                }
                // The guard on the measurement: each call finished one transfer, no more.
                EXPECT_EQ(done, kFinished);
                EXPECT_EQ(running, added - kFinished);
                return kFinished;
              });
}

}  // namespace

// SPDX-License-Identifier: MIT
#include <algorithm>

#include "sim_test_util.hpp"

namespace ms::sim::test {
namespace {

// Several concurrent clients against a faulty network; returns the observer's log. Each
// client reads all there is at each readiness change, so every one of them reaches its end
// (the peer's close, or a fault's error): `finished` counts them.
std::vector<std::string> run(std::uint64_t seed, bool faults, int* finished = nullptr) {
  WorldOptions o;
  o.seed = seed;
  o.link.send_buffer_bytes = 4096;
  if (faults) {
    o.faults.connect_refuse_probability = 0.1;
    o.faults.reset_probability = 0.2;
    o.faults.half_close_early_probability = 0.2;
    o.faults.socket_error_probability = 0.05;
    o.faults.short_read_probability = 0.3;
    o.faults.short_write_probability = 0.3;
    o.faults.extra_latency_probability = 0.3;
  }
  World w(o);
  LogObserver log;
  w.set_observer(&log);
  serve(w, "p", addr("127.0.0.1", 80),
        "accept\nexpect request\nwait 3ms\nsend body 9000 in pieces of 700 every 1ms\nclose");
  w.dns_add("p.test", {addr("127.0.0.1", 0)}, 2ms);
  std::vector<int> fds;
  for (int i = 0; i < 8; ++i) {
    int fd;
    w.open_stream(port::Family::v4, fd);
    w.connect(fd, addr("127.0.0.1", 80));
    fds.push_back(fd);
    w.start("p.test", 80);
  }
  std::vector<std::size_t> sent(fds.size(), 0);
  std::vector<bool> done(fds.size(), false);
  std::vector<int> changed;
  std::byte buf[512];
  while (auto t = w.next_event_time()) {
    w.advance_to(*t);
    w.drain_ready_changes(changed);
    for (int fd : changed) {
      const int r = w.readiness(fd);
      log.add(w.now(), "ready", fd, std::to_string(r));
      for (std::size_t i = 0; i < fds.size(); ++i) {
        if (fds[i] != fd || done[i]) continue;
        if ((r & port::kWritable) && sent[i] < kGet.size()) {
          auto s = w.send(fd, reinterpret_cast<const std::byte*>(kGet.data()) + sent[i], kGet.size() - sent[i]);
          sent[i] += s.bytes;
        }
        for (;;) {
          auto got = w.recv(fd, buf, sizeof buf);
          if (got.error == NetError::would_block) break;
          if (got.bytes == 0) {  // the peer's close, or an error
            done[i] = true;
            break;
          }
        }
      }
    }
  }
  if (finished) *finished = static_cast<int>(std::count(done.begin(), done.end(), true));
  return log.lines;
}

TEST(Determinism, SameSeedSameLog) {
  int finished = 0;
  const auto a = run(1234, true, &finished);
  EXPECT_EQ(finished, 8) << "the logs compared would be of runs cut short";
  const auto b = run(1234, true);
  EXPECT_GT(a.size(), 50u);
  EXPECT_EQ(a, b);
}

TEST(Determinism, DifferentSeedsDifferWithFaults) {
  int one = 0, two = 0;
  EXPECT_NE(run(1, true, &one), run(2, true, &two));
  EXPECT_EQ(one, 8);
  EXPECT_EQ(two, 8);
}

TEST(Determinism, SeedIsIrrelevantWithoutFaults) {
  int one = 0, two = 0;
  EXPECT_EQ(run(1, false, &one), run(2, false, &two));
  EXPECT_EQ(one, 8);
  EXPECT_EQ(two, 8);
}

}  // namespace
}  // namespace ms::sim::test

// SPDX-License-Identifier: MIT
// real_environment.hpp: the driver's Environment on real sockets and real time.
//
// How it works: one level-triggered epoll set holds the descriptors the target asked the
// application to watch (watch() follows every socket callback) and the RealPeerHost's own
// epoll descriptor, so the scripted peers run on this thread between the target's calls.
// wait() sleeps in epoll_wait until a watched descriptor reports, the deadline passes, or
// an idle bound passes (so a driver with nothing to wait on still gets control back and
// its time and call limits apply: wait() never blocks for ever). Peer activity alone does
// not end a wait; the host is stepped and the wait goes on.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <vector>

#include "conformance/driver.hpp"

namespace ms::posix {
class RealPeerHost;
}

namespace ms::conf {

class RealEnvironment final : public Environment {
 public:
  // host may be null (no peers). idle bounds a wait without a deadline.
  explicit RealEnvironment(ms::posix::RealPeerHost* host,
                           Nanos idle = std::chrono::milliseconds(100));
  ~RealEnvironment() override;
  RealEnvironment(const RealEnvironment&) = delete;
  RealEnvironment& operator=(const RealEnvironment&) = delete;

  bool ok() const { return epoll_fd_ >= 0; }
  // Elapsed CLOCK_MONOTONIC time since construction.
  Nanos now() override;
  // Always true: on real sockets something may happen at any time (the target's own
  // threads, the peers); the driver's limits end a run that waits in vain.
  bool wait(std::optional<Nanos> deadline) override;
  int readiness(int fd) override;
  void ready_changes(std::vector<int>& out) override;
  // MS_POLL_IN/OUT/INOUT set the epoll interest; NONE keeps the registration but takes
  // the descriptor out of the set (epoll reports ERR/HUP even with no events asked, which
  // level-triggered would turn into a busy loop); REMOVE forgets it.
  void watch(int fd, int action) override;
  bool is_virtual() const override { return false; }

  // Registrations currently watched (action != REMOVE), for tests.
  std::size_t watched() const { return actions_.size(); }

 private:
  void set_interest(int fd, unsigned events);
  void poll_once(int timeout_ms, bool& client_event);

  ms::posix::RealPeerHost* host_;
  Nanos idle_;
  int epoll_fd_ = -1;
  std::int64_t start_ns_ = 0;
  std::map<int, int> actions_;  // fd -> last action told
  std::vector<int> changed_;
};

}  // namespace ms::conf

// SPDX-License-Identifier: MIT
// real_peer_host.hpp: the scripted peers of simnet on real loopback sockets.
//
// Each listen() opens a listener on an ephemeral loopback port and runs the given
// PeerScript (the same interpreter as the virtual world) on every accepted connection.
// Nothing runs on its own thread: the host is one epoll set (listeners, connections and
// a timerfd for script waits). Add fd() to the application's epoll/poll set for reading
// and call step() whenever it is readable, or simply between loop iterations; step()
// never blocks.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "multisock/port.h"
#include "simnet/peer_script.hpp"
#include "simnet/world.hpp"

namespace ms::posix {

class RealPeerHost {
 public:
  RealPeerHost();
  ~RealPeerHost();
  RealPeerHost(const RealPeerHost&) = delete;
  RealPeerHost& operator=(const RealPeerHost&) = delete;

  // Listens on host (loopback only: 127.0.0.0/8 or ::1) at an ephemeral port and returns
  // the bound address; nullopt with a reason in error otherwise. A `refuse` script binds
  // the port without listening, so connects to it are refused by the kernel.
  std::optional<port::Address> listen(std::string_view name, const sim::PeerScript& script,
                                      std::string& error, std::string_view host = "127.0.0.1");

  int fd() const { return epoll_fd_; }
  // Handles everything ready now: accepts, reads, writes, due script timers.
  void step();
  // step() repeatedly, sleeping in epoll up to `budget` in total; for tests and for
  // loops that have nothing else to do.
  void run_for(port::Nanos budget);

  sim::PeerStats stats(std::string_view name) const;
  std::size_t open_connections() const { return conns_.size(); }

  struct Conn;
  struct Listener;

 private:
  void accept_all(Listener& l);
  void service(std::uint64_t id, std::uint32_t events);
  void run_conn(Conn& c);
  void update_interest(Conn& c);
  void destroy(std::uint64_t id);
  void arm_timer();
  void schedule(port::Nanos at, std::uint64_t conn_id);

  int epoll_fd_ = -1;
  int timer_fd_ = -1;
  std::uint64_t next_id_ = 1;
  std::vector<std::unique_ptr<Listener>> listeners_;
  std::map<std::uint64_t, std::unique_ptr<Conn>> conns_;
  struct Timer {
    port::Nanos at;
    std::uint64_t seq;
    std::uint64_t conn;
  };
  std::vector<Timer> timers_;  // min-heap by (at, seq)
  std::uint64_t timer_seq_ = 0;
  port::Nanos armed_for_{-1};
};

}  // namespace ms::posix

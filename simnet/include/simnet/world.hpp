// SPDX-License-Identifier: MIT
// world.hpp: one simulated universe: a virtual clock, a scheduler, virtual sockets,
// virtual DNS, fault injection and scripted peers. How it works: see world.cpp.
//
// No globals: every World is independent, and every random decision comes from the one
// PRNG seeded with WorldOptions::seed, so a seed replays a run exactly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "multisock/port.h"
#include "simnet/peer_script.hpp"
#include "simnet/rng.hpp"

namespace ms::sim {

using port::Address;
using port::NetError;

// Named fault probabilities (all 0 = a perfect network). Connection-level faults are
// drawn once when a connect starts; short reads/writes and extra latency per call or
// per segment.
struct FaultOptions {
  double connect_refuse_probability = 0;     // connect fails: refused
  double connect_drop_probability = 0;       // connect never completes (SYN lost forever)
  double reset_probability = 0;              // the peer's stream is reset after k bytes
  double half_close_early_probability = 0;   // the peer's stream ends (FIN) after k bytes
  std::uint64_t mid_stream_bytes_max = 4096; // k is drawn in [1, this]
  double socket_error_probability = 0;       // a pending socket error after establishing
  double short_read_probability = 0;         // a recv returns fewer bytes than it could
  double short_write_probability = 0;        // a send takes fewer bytes than it could
  std::size_t short_io_bytes_max = 16;       // short reads/writes take [1, this] bytes
  double extra_latency_probability = 0;      // a segment is delayed further
  port::Nanos extra_latency_max = std::chrono::milliseconds(50);
};

struct LinkOptions {
  port::Nanos latency = std::chrono::milliseconds(1);  // one way
  std::uint64_t bandwidth_bytes_per_second = 0;           // 0 = unlimited
  std::size_t send_buffer_bytes = 64 * 1024;              // per direction, in flight + unread
  std::optional<FaultOptions> faults;                     // overrides the world's
};

struct WorldOptions {
  std::uint64_t seed = 1;
  LinkOptions link;     // every link unless set_link() overrides it
  FaultOptions faults;  // every link unless its LinkOptions has faults
  port::Nanos dns_default_delay = std::chrono::milliseconds(1);  // for unknown names
};

#define MS_FAULT_KINDS(X) \
  X(connect_refused)      \
  X(connect_dropped)      \
  X(reset)                \
  X(half_close)           \
  X(socket_error)         \
  X(short_read)           \
  X(short_write)          \
  X(extra_latency)

enum class FaultKind : std::uint8_t {
#define MS_X(name) name,
  MS_FAULT_KINDS(MS_X)
#undef MS_X
};
const char* to_string(FaultKind k);

// What the world tells a trace recorder. Called synchronously, at virtual time `at`.
class NetObserver {
 public:
  virtual ~NetObserver() = default;
  virtual void on_open(port::Nanos at, int fd) { (void)at, (void)fd; }
  virtual void on_connect(port::Nanos at, int fd, const Address& peer) {
    (void)at, (void)fd, (void)peer;
  }
  virtual void on_close(port::Nanos at, int fd) { (void)at, (void)fd; }
  // Bytes that became readable on a client socket.
  virtual void on_deliver(port::Nanos at, int fd, std::size_t bytes) {
    (void)at, (void)fd, (void)bytes;
  }
  virtual void on_fault(port::Nanos at, int fd, FaultKind kind) { (void)at, (void)fd, (void)kind; }
  // The HTTP/2 request streams of the connection of client socket fd: one opened (its peer
  // got the request's headers; its id and :path), and one ended (the peer closed, reset or
  // refused it, the client reset it, or the peer ended the connection), told when the frame,
  // FIN or RST that ended it reaches the client; at once when the client's socket closes or
  // breaks. Every stream opened is ended before fd's on_close.
  virtual void on_stream(port::Nanos at, int fd, std::uint32_t stream_id, const std::string& path) {
    (void)at, (void)fd, (void)stream_id, (void)path;
  }
  virtual void on_stream_end(port::Nanos at, int fd, std::uint32_t stream_id) {
    (void)at, (void)fd, (void)stream_id;
  }
};

// Where descriptor numbers come from when the world is seen by a real process (the
// interposition layer of simnet/interpose): acquire() returns a number the process holds
// open, so a virtual descriptor never shares its number with a real file; release() gives
// it back. Without a source, the world numbers descriptors itself (lowest free, from 3).
class DescriptorSource {
 public:
  virtual ~DescriptorSource() = default;
  virtual int acquire() = 0;  // -1: none left
  virtual void release(int fd) = 0;
};

// What a descriptor of the world is.
enum class DescriptorKind : std::uint8_t {
  none,      // not open in this world
  stream,    // a TCP socket (open_stream)
  lookup,    // a pending name lookup of the Resolver port
  channel,   // one end of a local byte channel (socketpair, pipe)
  counter,   // an event counter (eventfd)
  datagram,  // a UDP socket that is never used for traffic (an address-family probe)
};

struct PeerStats {
  std::uint64_t connections_accepted = 0;
  std::uint64_t requests_served = 0;
};

class World final : public port::Clock, public port::Net, public port::Resolver, public port::Waiter {
 public:
  explicit World(const WorldOptions& options = {});
  ~World() override;
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  // The ports view bound to this world (valid while the world lives).
  port::Ports ports() { return {this, this, this, this}; }
  const WorldOptions& options() const { return options_; }
  Rng& rng() { return rng_; }

  // ---- time
  port::Nanos now() override { return now_; }
  port::Nanos time() const { return now_; }
  // The earliest scheduled event, if any.
  std::optional<port::Nanos> next_event_time() const;
  // Runs every event scheduled up to t in (time, insertion) order, then sets the clock
  // to t. t before now() is a programmer error (throws std::logic_error).
  void advance_to(port::Nanos t);
  // Runs events until none is left or the clock would pass `limit`; returns the count.
  std::uint64_t run_until_idle(port::Nanos limit);
  std::uint64_t events_run() const { return events_run_; }

  // ---- readiness changes
  // Appends (after clearing out) every descriptor whose readiness may have changed since
  // the last call, each once, in the order they changed.
  void drain_ready_changes(std::vector<int>& out);

  // ---- waits observed: which connections a program offered to wait on. wait() notes
  // each stream it watches, a process's poll() through interposition (simnet/interpose)
  // does the same; drain_waited_on() hands out (after clearing out) those noted since the
  // last call, each once, in ascending order.
  void note_waited_on(int fd);
  void drain_waited_on(std::vector<int>& out);

  // ---- configuration
  void set_link(const Address& server, const LinkOptions& link);
  void dns_add(std::string_view name, std::vector<Address> addresses,
               port::Nanos delay = std::chrono::milliseconds(1), bool fail = false);
  // A scripted server. Only loopback addresses (127.0.0.0/8, ::1): anything else, a
  // duplicate address or port 0 returns false with a reason in error.
  bool listen(std::string_view name, const Address& at, PeerScript script, std::string& error);
  void set_observer(NetObserver* observer) { observer_ = observer; }

  // Before any descriptor is opened; nullptr: the world numbers descriptors itself.
  void set_descriptor_source(DescriptorSource* source) { descriptors_ = source; }

  // Direct fault injection for tests: a pending error on a client socket.
  bool inject_socket_error(int fd, NetError error);

  // ---- stats
  std::size_t open_descriptors() const { return open_count_; }
  PeerStats peer_stats(std::string_view name) const;

  // ---- port::Net
  NetError open_stream(port::Family family, int& fd_out) override;
  NetError connect(int fd, const Address& to) override;
  port::IoResult send(int fd, const std::byte* data, std::size_t size) override;
  port::IoResult recv(int fd, std::byte* data, std::size_t size) override;
  void close(int fd) override;
  NetError take_error(int fd) override;
  int readiness(int fd) override;

  // ---- local kernel objects, for a process that sees the world through interposition.
  // A channel's two ends: bytes written to one are readable at the other at once (no
  // link, no faults). A counter holds a 64-bit value: a send adds, a recv takes it all.
  NetError open_channel(int& a_out, int& b_out);
  NetError open_counter(std::uint64_t initial, int& fd_out);
  NetError open_datagram(port::Family family, int& fd_out);
  DescriptorKind kind(int fd) const;
  port::Family family(int fd) const;  // of a stream or datagram; v4 otherwise
  // recv without taking: the bytes stay readable (MSG_PEEK).
  port::IoResult peek(int fd, std::byte* data, std::size_t size);
  bool has_ready_changes() const;

  // Runs fn as an event at time t (not before now()), in order with the world's own.
  void at(port::Nanos t, std::function<void()> fn);
  // The world's DNS answer for host (lower-cased) and how long it takes; numeric hosts
  // answer at once. No descriptor, nothing scheduled.
  struct DnsAnswer {
    port::Resolution resolution;
    port::Nanos delay{0};
  };
  DnsAnswer dns_answer(std::string_view host, std::uint16_t port) const;

  // ---- port::Resolver
  Started start(std::string_view host, std::uint16_t port) override;
  std::optional<port::Resolution> poll(std::uint64_t id) override;
  void release(std::uint64_t id) override;

  // ---- port::Waiter: waiting moves the virtual clock. wait() runs the world's events in
  // order until a descriptor is ready or the timeout's virtual time is reached; it never
  // sleeps. The wake-up descriptor is a counter (eventfd); the world is single-threaded,
  // so wake() is meant for callers on the world's thread (or its callbacks).
  int wait(port::WaitFd* fds, std::size_t count, port::Nanos timeout) override;
  NetError open_wakeup(int& fd_out) override;
  bool wake(int fd) override;
  void drain_wakeup(int fd) override;
  void close_wakeup(int fd) override;

  struct Impl;  // private state (world.cpp); public only so helpers there can name it

 private:
  WorldOptions options_;
  Rng rng_;
  port::Nanos now_{0};
  std::uint64_t events_run_ = 0;
  std::size_t open_count_ = 0;
  NetObserver* observer_ = nullptr;
  DescriptorSource* descriptors_ = nullptr;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ms::sim

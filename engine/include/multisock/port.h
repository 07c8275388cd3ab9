// SPDX-License-Identifier: MIT
// port.h: the engine's only seam to the physical world.
//
// The engine never calls socket(), recv(), getaddrinfo() or a clock itself: it talks to
// these three interfaces. Two implementations exist: the real one (simnet/posix: POSIX
// sockets, CLOCK_MONOTONIC, a resolver thread) and the simulated one (simnet: a virtual
// clock, virtual sockets, virtual DNS). OS errors are translated at the port into
// NetError, so the engine never sees errno. A lint test (engine/tests/seam_test) fails if
// engine/src mentions the OS calls directly.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ms::port {

using Nanos = std::chrono::nanoseconds;

class Clock {
 public:
  virtual ~Clock() = default;
  // Monotonic time. The engine reads it once per entry (socket_action, add_handle, ...).
  virtual Nanos now() = 0;
};

// Socket-level outcomes, translated from errno (POSIX) or injected (simnet).
#define MS_NET_ERRORS(X)                                   \
  X(none, "no error")                                      \
  X(would_block, "operation would block")                  \
  X(in_progress, "connect in progress")                    \
  X(refused, "connection refused")                         \
  X(reset, "connection reset by peer")                     \
  X(timed_out, "connection timed out")                     \
  X(unreachable, "network unreachable")                    \
  X(broken_pipe, "broken pipe")                            \
  X(no_descriptors, "out of descriptors")                  \
  X(bad_descriptor, "bad descriptor")                      \
  X(address_family, "address family not supported")        \
  X(other, "other socket error")

enum class NetError : std::uint8_t {
#define MS_X(name, text) name,
  MS_NET_ERRORS(MS_X)
#undef MS_X
};
const char* to_string(NetError e);

enum class Family : std::uint8_t { v4, v6 };

struct Address {
  Family family = Family::v4;
  std::array<std::uint8_t, 16> bytes{};  // v4 uses the first 4
  std::uint16_t port = 0;

  // "127.0.0.1:80", "[::1]:80".
  std::string to_string() const;
  // Numeric host only ("127.0.0.2", "::1", "[::1]"); nullopt for a name.
  static std::optional<Address> parse_numeric(std::string_view host, std::uint16_t port);
  bool is_loopback() const;
  friend bool operator==(const Address&, const Address&) = default;
  friend auto operator<=>(const Address&, const Address&) = default;
};

struct IoResult {
  std::size_t bytes = 0;
  NetError error = NetError::none;  // recv: bytes == 0 with none means orderly EOF
};

// Readiness bits, the same values as MS_CSELECT_IN/OUT/ERR.
inline constexpr int kReadable = 0x01;
inline constexpr int kWritable = 0x02;
inline constexpr int kError = 0x04;

class Net {
 public:
  virtual ~Net() = default;
  // A new non-blocking TCP socket. Descriptor numbers are small integers; the lowest free
  // number is reused, as a kernel does.
  virtual NetError open_stream(Family family, int& fd_out) = 0;
  // Starts a connect: none (connected at once), in_progress, or a failure.
  virtual NetError connect(int fd, const Address& to) = 0;
  virtual IoResult send(int fd, const std::byte* data, std::size_t size) = 0;
  virtual IoResult recv(int fd, std::byte* data, std::size_t size) = 0;
  virtual void close(int fd) = 0;
  // Reads and clears the socket's pending error (SO_ERROR): how a connect ended.
  virtual NetError take_error(int fd) = 0;
  // kReadable | kWritable | kError as they hold right now (poll with no wait). Used when
  // the application passes mask 0. A descriptor the port does not know gives kError.
  virtual int readiness(int fd) = 0;
};

struct Resolution {
  enum class Status : std::uint8_t { ok, not_found, failed };
  Status status = Status::failed;
  std::vector<Address> addresses;  // in the order to try
};

// Asynchronous name lookup. A pending lookup owns a descriptor that turns readable when
// the answer is there, so the engine reports it with the socket callback like any socket
// (as libcurl's threaded resolver does).
class Resolver {
 public:
  virtual ~Resolver() = default;
  struct Started {
    std::optional<Resolution> answer;  // set when known at once; then no descriptor
    std::uint64_t id = 0;              // pending lookup
    int fd = -1;                       // readable when the answer is in
  };
  virtual Started start(std::string_view host, std::uint16_t port) = 0;
  // The answer if it is in, else nullopt (a spurious wake-up). Does not close anything.
  virtual std::optional<Resolution> poll(std::uint64_t id) = 0;
  // Ends the lookup and closes its descriptor. The engine tells REMOVE before this.
  virtual void release(std::uint64_t id) = 0;
};

// One descriptor to wait for: interest and outcome in kReadable/kWritable/kError bits.
struct WaitFd {
  int fd = -1;
  int want = 0;   // kReadable | kWritable
  int ready = 0;  // set by wait(): what holds of want, plus kError
};

// Waiting, for the calls that block in the engine (ms_multi_wait, ms_multi_poll,
// ms_easy_perform), and the wake-up descriptor of ms_multi_wakeup. The real waiter
// sleeps in poll(); a simulated one advances its virtual clock instead of sleeping.
class Waiter {
 public:
  virtual ~Waiter() = default;
  // Waits until one of fds is ready for what it wants (or in error) or `timeout` has
  // passed; fills each `ready` and returns how many have any bit, or -1 when waiting
  // failed. A descriptor the waiter does not know reads as kError.
  virtual int wait(WaitFd* fds, std::size_t count, Nanos timeout) = 0;
  // A descriptor that wake() turns readable until drain_wakeup() (an eventfd, a pipe).
  virtual NetError open_wakeup(int& fd_out) = 0;
  // Safe from any thread while the descriptor is open; false when the signal failed.
  virtual bool wake(int fd) = 0;
  virtual void drain_wakeup(int fd) = 0;
  virtual void close_wakeup(int fd) = 0;
};

struct Ports {
  Clock* clock = nullptr;
  Net* net = nullptr;
  Resolver* resolver = nullptr;
  Waiter* waiter = nullptr;  // optional: without it the waiting calls are refused
};

// The process's real ports (simnet/posix); used by ms_multi_init().
Ports system_ports();

}  // namespace ms::port

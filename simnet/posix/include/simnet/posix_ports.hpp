// SPDX-License-Identifier: MIT
// posix_ports.hpp: the real ports: non-blocking POSIX TCP sockets (IPv4 and IPv6),
// CLOCK_MONOTONIC, and a threaded resolver. errno never leaves this file's
// implementation: it is translated into port::NetError here.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>

#include "multisock/port.h"

struct sockaddr_storage;

namespace ms::posix {

port::NetError net_error_from_errno(int err);

// Fills storage from an address; returns the length to pass to connect()/bind().
unsigned address_to_sockaddr(const port::Address& a, sockaddr_storage& storage);
bool address_from_sockaddr(const sockaddr_storage& storage, port::Address& out);

class PosixClock final : public port::Clock {
 public:
  port::Nanos now() override;
};

class PosixNet final : public port::Net {
 public:
  port::NetError open_stream(port::Family family, int& fd_out) override;
  port::NetError connect(int fd, const port::Address& to) override;
  port::IoResult send(int fd, const std::byte* data, std::size_t size) override;
  port::IoResult recv(int fd, std::byte* data, std::size_t size) override;
  void close(int fd) override;
  port::NetError take_error(int fd) override;
  int readiness(int fd) override;
};

// poll(2) for the waiting calls; an eventfd as the wake-up descriptor (write() on an
// eventfd is safe from any thread).
class PosixWaiter final : public port::Waiter {
 public:
  int wait(port::WaitFd* fds, std::size_t count, port::Nanos timeout) override;
  port::NetError open_wakeup(int& fd_out) override;
  bool wake(int fd) override;
  void drain_wakeup(int fd) override;
  void close_wakeup(int fd) override;
};

// One detached worker thread per name lookup (getaddrinfo blocks); numeric hosts are
// answered at once. Each pending lookup owns an eventfd that turns readable when the
// answer is in. The lookup's state is shared with its thread, so release() before the
// answer is safe: the descriptor is closed when the last of the two lets go.
class ThreadedResolver final : public port::Resolver {
 public:
  ThreadedResolver();
  ~ThreadedResolver() override;
  Started start(std::string_view host, std::uint16_t port) override;
  std::optional<port::Resolution> poll(std::uint64_t id) override;
  void release(std::uint64_t id) override;

  struct Lookup;

 private:
  std::mutex mutex_;
  std::uint64_t next_id_ = 1;
  std::map<std::uint64_t, std::shared_ptr<Lookup>> lookups_;
};

}  // namespace ms::posix

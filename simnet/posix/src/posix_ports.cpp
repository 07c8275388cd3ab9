// SPDX-License-Identifier: MIT
// posix_ports.cpp: real sockets, clock and resolver behind the port interfaces.
#include "simnet/posix_ports.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdint>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace ms::posix {

using port::NetError;

NetError net_error_from_errno(int err) {
  switch (err) {
    case 0: return NetError::none;
    case EAGAIN:
#if EWOULDBLOCK != EAGAIN
    case EWOULDBLOCK:
#endif
      return NetError::would_block;
    case EINPROGRESS: return NetError::in_progress;
    case ECONNREFUSED: return NetError::refused;
    case ECONNRESET:
    case ECONNABORTED: return NetError::reset;
    case ETIMEDOUT: return NetError::timed_out;
    case ENETUNREACH:
    case EHOSTUNREACH:
    case ENETDOWN: return NetError::unreachable;
    case EPIPE: return NetError::broken_pipe;
    case EMFILE:
    case ENFILE:
    case ENOBUFS: return NetError::no_descriptors;
    case EBADF:
    case ENOTSOCK: return NetError::bad_descriptor;
    case EAFNOSUPPORT: return NetError::address_family;
    default: return NetError::other;
  }
}

unsigned address_to_sockaddr(const port::Address& a, sockaddr_storage& storage) {
  std::memset(&storage, 0, sizeof storage);
  if (a.family == port::Family::v4) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&storage);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(a.port);
    std::memcpy(&sin->sin_addr, a.bytes.data(), 4);
    return sizeof(sockaddr_in);
  }
  auto* sin6 = reinterpret_cast<sockaddr_in6*>(&storage);
  sin6->sin6_family = AF_INET6;
  sin6->sin6_port = htons(a.port);
  std::memcpy(&sin6->sin6_addr, a.bytes.data(), 16);
  return sizeof(sockaddr_in6);
}

bool address_from_sockaddr(const sockaddr_storage& storage, port::Address& out) {
  out = port::Address{};
  if (storage.ss_family == AF_INET) {
    const auto* sin = reinterpret_cast<const sockaddr_in*>(&storage);
    out.family = port::Family::v4;
    out.port = ntohs(sin->sin_port);
    std::memcpy(out.bytes.data(), &sin->sin_addr, 4);
    return true;
  }
  if (storage.ss_family == AF_INET6) {
    const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(&storage);
    out.family = port::Family::v6;
    out.port = ntohs(sin6->sin6_port);
    std::memcpy(out.bytes.data(), &sin6->sin6_addr, 16);
    return true;
  }
  return false;
}

port::Nanos PosixClock::now() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return port::Nanos(static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec);
}

NetError PosixNet::open_stream(port::Family family, int& fd_out) {
  const int domain = family == port::Family::v4 ? AF_INET : AF_INET6;
  const int fd = ::socket(domain, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return net_error_from_errno(errno);
  const int one = 1;
  // Requests are small writes; waiting for Nagle would only add latency.
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  fd_out = fd;
  return NetError::none;
}

NetError PosixNet::connect(int fd, const port::Address& to) {
  sockaddr_storage storage;
  const socklen_t len = address_to_sockaddr(to, storage);
  int rc;
  do {
    rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&storage), len);
  } while (rc < 0 && errno == EINTR);
  return rc == 0 ? NetError::none : net_error_from_errno(errno);
}

port::IoResult PosixNet::send(int fd, const std::byte* data, std::size_t size) {
  ssize_t n;
  do {
    n = ::send(fd, data, size, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return {0, net_error_from_errno(errno)};
  return {static_cast<std::size_t>(n), NetError::none};
}

port::IoResult PosixNet::recv(int fd, std::byte* data, std::size_t size) {
  ssize_t n;
  do {
    n = ::recv(fd, data, size, 0);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return {0, net_error_from_errno(errno)};
  return {static_cast<std::size_t>(n), NetError::none};
}

void PosixNet::close(int fd) { ::close(fd); }

NetError PosixNet::take_error(int fd) {
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) return net_error_from_errno(errno);
  return net_error_from_errno(err);
}

int PosixNet::readiness(int fd) {
  pollfd p{fd, POLLIN | POLLOUT, 0};
  int rc;
  do {
    rc = ::poll(&p, 1, 0);
  } while (rc < 0 && errno == EINTR);
  if (rc < 0) return port::kError;
  int mask = 0;
  if (p.revents & (POLLIN | POLLHUP | POLLRDHUP)) mask |= port::kReadable;
  if (p.revents & POLLOUT) mask |= port::kWritable;
  if (p.revents & (POLLERR | POLLNVAL)) mask |= port::kError;
  return mask;
}

// ---- PosixWaiter ----------------------------------------------------------------------

int PosixWaiter::wait(port::WaitFd* fds, std::size_t count, port::Nanos timeout) {
  std::vector<pollfd> p(count);
  for (std::size_t i = 0; i < count; ++i) {
    p[i].fd = fds[i].fd;
    p[i].events = static_cast<short>(((fds[i].want & port::kReadable) ? POLLIN : 0) |
                                     ((fds[i].want & port::kWritable) ? POLLOUT : 0));
  }
  // Milliseconds, rounded up so that a wait never ends before its deadline; capped at
  // what poll() takes.
  const auto ns = std::max<std::int64_t>(0, timeout.count());
  const std::int64_t ms = std::min<std::int64_t>((ns / 1'000'000) + (ns % 1'000'000 != 0), INT32_MAX);
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  int rc = 0;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
    rc = ::poll(p.data(), static_cast<nfds_t>(count), static_cast<int>(std::max<std::int64_t>(0, left.count())));
    if (rc >= 0 || errno != EINTR) break;
  }
  if (rc < 0) return -1;
  int ready_count = 0;
  for (std::size_t i = 0; i < count; ++i) {
    int mask = 0;
    if (p[i].revents & (POLLIN | POLLHUP | POLLRDHUP)) mask |= port::kReadable;
    if (p[i].revents & POLLOUT) mask |= port::kWritable;
    fds[i].ready = mask & fds[i].want;
    if (p[i].revents & (POLLERR | POLLNVAL)) fds[i].ready |= port::kError;
    if (fds[i].ready) ++ready_count;
  }
  return ready_count;
}

NetError PosixWaiter::open_wakeup(int& fd_out) {
  fd_out = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  return fd_out < 0 ? net_error_from_errno(errno) : NetError::none;
}

bool PosixWaiter::wake(int fd) {
  const std::uint64_t one = 1;
  ssize_t n;
  do {
    n = ::write(fd, &one, sizeof one);
  } while (n < 0 && errno == EINTR);
  return n == sizeof one || (n < 0 && errno == EAGAIN);  // EAGAIN: the counter is full, still signalled
}

void PosixWaiter::drain_wakeup(int fd) {
  std::uint64_t value = 0;
  ssize_t n;
  do {
    n = ::read(fd, &value, sizeof value);
  } while (n < 0 && errno == EINTR);
}

void PosixWaiter::close_wakeup(int fd) { ::close(fd); }

// ---- ThreadedResolver ---------------------------------------------------------------

struct ThreadedResolver::Lookup {
  std::mutex mutex;
  bool done = false;
  port::Resolution resolution;
  int event_fd = -1;
  ~Lookup() {
    if (event_fd >= 0) ::close(event_fd);
  }
};

namespace {

port::Resolution resolve_blocking(const std::string& host, std::uint16_t port_number) {
  port::Resolution r;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  const int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &list);
  if (rc != 0) {
    r.status = rc == EAI_NONAME || rc == EAI_NODATA ? port::Resolution::Status::not_found
                                                    : port::Resolution::Status::failed;
    return r;
  }
  for (addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
    sockaddr_storage storage{};
    std::memcpy(&storage, ai->ai_addr, std::min<std::size_t>(ai->ai_addrlen, sizeof storage));
    port::Address a;
    if (!address_from_sockaddr(storage, a)) continue;
    a.port = port_number;
    bool seen = false;
    for (const auto& b : r.addresses) seen |= b == a;
    if (!seen) r.addresses.push_back(a);
  }
  ::freeaddrinfo(list);
  r.status = r.addresses.empty() ? port::Resolution::Status::not_found
                                 : port::Resolution::Status::ok;
  return r;
}

}  // namespace

ThreadedResolver::ThreadedResolver() = default;
ThreadedResolver::~ThreadedResolver() = default;

port::Resolver::Started ThreadedResolver::start(std::string_view host, std::uint16_t port_number) {
  Started started;
  if (auto numeric = port::Address::parse_numeric(host, port_number)) {
    port::Resolution r;
    r.status = port::Resolution::Status::ok;
    r.addresses.push_back(*numeric);
    started.answer = std::move(r);
    return started;
  }
  auto lookup = std::make_shared<Lookup>();
  lookup->event_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (lookup->event_fd < 0) {
    started.answer = port::Resolution{};  // failed: no descriptor to signal with
    return started;
  }
  std::uint64_t id;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    id = next_id_++;
    lookups_[id] = lookup;
  }
  started.id = id;
  started.fd = lookup->event_fd;
  std::thread([lookup, name = std::string(host), port_number] {
    port::Resolution r = resolve_blocking(name, port_number);
    {
      std::lock_guard<std::mutex> lock(lookup->mutex);
      lookup->resolution = std::move(r);
      lookup->done = true;
    }
    const std::uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(lookup->event_fd, &one, sizeof one);
  }).detach();
  return started;
}

std::optional<port::Resolution> ThreadedResolver::poll(std::uint64_t id) {
  std::shared_ptr<Lookup> lookup;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = lookups_.find(id);
    if (it == lookups_.end()) return std::nullopt;
    lookup = it->second;
  }
  std::lock_guard<std::mutex> lock(lookup->mutex);
  if (!lookup->done) return std::nullopt;
  return lookup->resolution;
}

void ThreadedResolver::release(std::uint64_t id) {
  std::lock_guard<std::mutex> lock(mutex_);
  lookups_.erase(id);
}

}  // namespace ms::posix

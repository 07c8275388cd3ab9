// SPDX-License-Identifier: MIT
// virtual_os.cpp: the VirtualOs and the C library functions it intercepts.
//
// Each intercepted function first asks whether the layer serves this call (a virtual
// descriptor, or any clock, lookup or thread call while installed) and otherwise calls the
// next definition in the process (the C library, or a sanitizer's interceptor), found once
// with dlsym(RTLD_NEXT).
#include "simnet/virtual_os.hpp"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <link.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdarg>
#include <cstring>
#include <functional>
#include <optional>
#include <set>
#include <stdexcept>
#include <vector>

#include "simnet/library_heap.hpp"
#include "simnet/posix_ports.hpp"

namespace ms::sim {

// ---- the next definitions ------------------------------------------------------------

// A sanitizer runtime linked into the program (clang's static ASan) has its interceptors in
// the program itself, where this layer's definitions replace them; RTLD_NEXT would skip them
// (ASan would not know the program's threads: false leaks). They keep their own names.
template <class F>
F* next_fn(const char* name) {
  char interceptor[64] = "__interceptor_";
  void* p = nullptr;
  if (std::strlen(interceptor) + std::strlen(name) < sizeof interceptor)
    p = ::dlsym(RTLD_DEFAULT, std::strcat(interceptor, name));
  if (p == nullptr) p = ::dlsym(RTLD_NEXT, name);
  if (p == nullptr) {
    static const char msg[] = "multisock: interposition: a C library function is missing\n";
    [[maybe_unused]] auto n = ::syscall(SYS_write, 2, msg, sizeof msg - 1);
    ::abort();
  }
  return reinterpret_cast<F*>(p);
}

namespace {

#define MS_REAL(name) (*[]() { static auto* next_ = ::ms::sim::next_fn<decltype(::name)>(#name); return next_; }())

int real_clock_gettime(clockid_t id, timespec* ts) { return MS_REAL(clock_gettime)(id, ts); }

std::int64_t real_monotonic_ns() {
  timespec ts{};
  real_clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

int errno_of(port::NetError e) {
  using port::NetError;
  switch (e) {
    case NetError::none: return 0;
    case NetError::would_block: return EAGAIN;
    case NetError::in_progress: return EINPROGRESS;
    case NetError::refused: return ECONNREFUSED;
    case NetError::reset: return ECONNRESET;
    case NetError::timed_out: return ETIMEDOUT;
    case NetError::unreachable: return ENETUNREACH;
    case NetError::broken_pipe: return EPIPE;
    case NetError::no_descriptors: return EMFILE;
    case NetError::bad_descriptor: return EBADF;
    case NetError::address_family: return EAFNOSUPPORT;
    case NetError::other: return ENOTCONN;
  }
  return EIO;
}

std::atomic<VirtualOs*> g_installed{nullptr};
std::atomic<VirtualOs::Impl*> g_layer{nullptr};

}  // namespace

// ---- the layer's state -----------------------------------------------------------------

struct VirtualOs::Impl : DescriptorSource {
  World& world;
  VirtualOsOptions options;
  std::string unmodelled;
  std::string fatal;
  std::map<std::string, std::uint64_t> calls;
  std::uint64_t clock_reads = 0;  // in the current call of the application
  port::Nanos spun{0};

  struct Fd {
    bool nonblocking = false;
    std::optional<port::Address> peer;  // connect()'s address
  };
  std::map<int, Fd> fds;

  // Library threads in lockstep.
  struct Thread {
    pthread_t id{};
    void* (*start)(void*) = nullptr;
    void* arg = nullptr;
    void* result = nullptr;
    enum class State { created, running, waiting, finished } state = State::created;
    std::function<bool()> can_resume;  // waiting: may it go on now?
    bool detached = false;  // by its attributes or pthread_detach: nobody joins it but the layer
    bool joined = false;    // the layer joined it once it ended (resume)
    sem_t go{};
    Impl* impl = nullptr;
  };
  std::vector<std::unique_ptr<Thread>> threads;  // creation order
  sem_t back{};                                   // a thread hands control back

  Impl(World& w, const VirtualOsOptions& o) : world(w), options(o) { ::sem_init(&back, 0, 0); }
  ~Impl() override { ::sem_destroy(&back); }

  void count(const char* fn) { ++calls[fn]; }
  bool is_virtual(int fd) const { return world.kind(fd) != DescriptorKind::none; }

  int not_modelled(const std::string& what) {
    if (unmodelled.empty()) unmodelled = "library called " + what + " (not modelled by the virtual world)";
    errno = ENOTSUP;
    return -1;
  }
  int fail(int e) {
    errno = e;
    return -1;
  }

  // DescriptorSource: a real O_PATH descriptor holds each virtual number.
  int acquire() override {
    return MS_REAL(open)("/dev/null", O_PATH | O_CLOEXEC);
  }
  void release(int fd) override { MS_REAL(close)(fd); }

  // ---- time
  port::Nanos now() const { return world.now(); }
  // A clock read by the library: a call that spins on the clock lets virtual time pass.
  void clock_read() {
    if (++clock_reads < options.spin_reads || current_thread() != nullptr) return;
    clock_reads -= options.spin_reads / 10 + 1;
    const port::Nanos until = world.now() + options.spin_step;
    spun += options.spin_step;
    ++calls["clock spin"];
    wait_until([] { return false; }, until);
  }

  // ---- waiting in virtual time (a blocking call, or a thread's join)
  // Runs the world (and library threads) until pred() holds or the deadline passes;
  // false when the deadline passed or nothing can ever happen.
  bool wait_until(const std::function<bool()>& pred, std::optional<port::Nanos> deadline) {
    for (;;) {
      if (pred()) return true;
      if (!fatal.empty()) return false;
      if (current_thread() == nullptr && run_threads()) continue;
      std::optional<port::Nanos> next = world.next_event_time();
      if (deadline && (!next || *next > *deadline)) {
        world.advance_to(std::max(*deadline, world.now()));
        if (current_thread() == nullptr) run_threads();
        return pred();
      }
      if (!next) {
        if (fatal.empty()) fatal = "a library call waits for ever in virtual time (nothing is scheduled)";
        return false;
      }
      world.advance_to(std::max(*next, world.now()));
    }
  }

  // ---- threads
  static thread_local Thread* tl_thread;
  Thread* current_thread() const { return tl_thread; }

  static void* thread_main(void* p) {
    auto* t = static_cast<Thread*>(p);
    tl_thread = t;
    ::sem_wait(&t->go);  // until the first safe point runs it
    void* result = nullptr;
    {
      const LibraryCode library;  // a library's thread runs its code
      result = t->start(t->arg);
    }
    Impl* impl = t->impl;
    t->result = result;
    t->state = Thread::State::finished;
    ::sem_post(&impl->back);  // t may be gone after this (joined and forgotten)
    return result;
  }

  // In a library thread: give control back until can_resume() holds at a safe point.
  void thread_wait(std::function<bool()> can_resume) {
    Thread* t = tl_thread;
    t->can_resume = std::move(can_resume);
    t->state = Thread::State::waiting;
    ::sem_post(&back);
    ::sem_wait(&t->go);
    t->state = Thread::State::running;
  }

  // Runs one thread until it waits or ends; false (and fatal) if it does neither in time.
  bool resume(Thread& t) {
    t.state = Thread::State::running;
    ::sem_post(&t.go);
    const std::int64_t until = real_monotonic_ns() + options.thread_wall_limit.count() * 1'000'000;
    timespec deadline{static_cast<time_t>(until / 1'000'000'000), static_cast<long>(until % 1'000'000'000)};
    while (::sem_clockwait(&back, CLOCK_MONOTONIC, &deadline) != 0) {
      if (errno == EINTR) continue;
      fatal = "a thread the library started neither ended nor waited within " +
              std::to_string(options.thread_wall_limit.count()) + " ms of wall time";
      return false;
    }
    if (t.state != Thread::State::finished || t.joined) return true;
    // A thread that ended is joined before anything goes on: its exit (thread-local
    // destructors, its malloc cache given back) would otherwise run beside the program,
    // and the heap, and so the addresses a library orders its tables by, would differ
    // from run to run with the machine's timing.
    if (::pthread_clockjoin_np(t.id, nullptr, CLOCK_MONOTONIC, &deadline) != 0) {
      fatal = "a thread the library started did not finish exiting within " +
              std::to_string(options.thread_wall_limit.count()) + " ms of wall time";
      return false;
    }
    t.joined = true;
    return true;
  }

  bool run_threads() {
    bool ran = false;
    for (bool again = true; again && fatal.empty();) {
      again = false;
      for (std::size_t i = 0; i < threads.size() && fatal.empty(); ++i) {
        Thread& t = *threads[i];
        const bool runnable = t.state == Thread::State::created ||
                              (t.state == Thread::State::waiting && t.can_resume && t.can_resume());
        if (!runnable) continue;
        if (!resume(t)) return ran;
        ran = again = true;
      }
    }
    return ran;
  }

  Thread* find_thread(pthread_t id) {
    for (auto& t : threads)
      if (::pthread_equal(t->id, id) && !(t->detached && t->joined)) return t.get();
    return nullptr;
  }
  void forget(Thread* t) {
    threads.erase(std::remove_if(threads.begin(), threads.end(),
                                 [t](const std::unique_ptr<Thread>& p) { return p.get() == t; }),
                  threads.end());
  }

  // ---- descriptor I/O
  bool blocking(int fd) {
    auto it = fds.find(fd);
    return it != fds.end() && !it->second.nonblocking;
  }
  // Waits for mask on a blocking descriptor; false when it can never come.
  bool wait_ready(int fd, int mask) {
    return wait_until([&] { return !is_virtual(fd) || (world.readiness(fd) & (mask | port::kError)) != 0; },
                      std::nullopt);
  }

  ssize_t send(int fd, const void* data, std::size_t size) {
    for (;;) {
      const port::IoResult r = world.send(fd, static_cast<const std::byte*>(data), size);
      if (r.error == port::NetError::none) return static_cast<ssize_t>(r.bytes);
      if (r.error == port::NetError::would_block && blocking(fd) && wait_ready(fd, port::kWritable)) continue;
      return fail(errno_of(r.error));
    }
  }
  ssize_t recv(int fd, void* data, std::size_t size, bool peek) {
    for (;;) {
      const port::IoResult r = peek ? world.peek(fd, static_cast<std::byte*>(data), size)
                                    : world.recv(fd, static_cast<std::byte*>(data), size);
      if (r.error == port::NetError::none) return static_cast<ssize_t>(r.bytes);
      if (r.error == port::NetError::would_block && blocking(fd) && wait_ready(fd, port::kReadable)) continue;
      return fail(errno_of(r.error));
    }
  }

  short poll_events(int fd, short want) {
    const int r = world.readiness(fd);
    short got = 0;
    if ((r & port::kReadable) && (want & (POLLIN | POLLRDNORM))) got |= static_cast<short>(want & (POLLIN | POLLRDNORM));
    if ((r & port::kWritable) && (want & (POLLOUT | POLLWRNORM))) got |= static_cast<short>(want & (POLLOUT | POLLWRNORM));
    if (r & port::kError) {
      got |= POLLERR;
      const DescriptorKind k = world.kind(fd);
      if (k == DescriptorKind::channel) got = static_cast<short>((got & ~POLLERR) | POLLHUP);
      else if (k == DescriptorKind::stream) got |= POLLHUP;
    }
    return got;
  }
};

thread_local VirtualOs::Impl::Thread* VirtualOs::Impl::tl_thread = nullptr;

VirtualOs::VirtualOs(World& world, const VirtualOsOptions& options)
    : impl_(std::make_unique<Impl>(world, options)) {
  // A library binds to the program's definitions only when the program exports them;
  // otherwise its calls would reach the real network and the real clock.
  if (::dlsym(RTLD_DEFAULT, "connect") != reinterpret_cast<void*>(&::connect) ||
      ::dlsym(RTLD_DEFAULT, "clock_gettime") != reinterpret_cast<void*>(&::clock_gettime))
    throw std::logic_error(
        "VirtualOs: this program does not export its socket and clock functions to the "
        "libraries it loads (link it with ms_export_interposers)");
  VirtualOs* expected = nullptr;
  if (!g_installed.compare_exchange_strong(expected, this))
    throw std::logic_error("VirtualOs: another one is installed in this process");
  world.set_descriptor_source(impl_.get());
  g_layer.store(impl_.get(), std::memory_order_release);
}

VirtualOs::~VirtualOs() {
  g_layer.store(nullptr);
  g_installed.store(nullptr);
  // Threads still waiting stay parked for good: the process ends with the run.
}

World& VirtualOs::world() { return impl_->world; }
void VirtualOs::enter_call() { impl_->clock_reads = 0; }
port::Nanos VirtualOs::spun() const { return impl_->spun; }
bool VirtualOs::run_threads() { return impl_->run_threads(); }
const std::string& VirtualOs::unmodelled() const { return impl_->unmodelled; }
const std::string& VirtualOs::fatal() const { return impl_->fatal; }
std::map<std::string, std::uint64_t> VirtualOs::calls() const { return impl_->calls; }
VirtualOs* VirtualOs::installed() { return g_installed.load(std::memory_order_acquire); }

}  // namespace ms::sim

// ---- the intercepted functions ---------------------------------------------------------

namespace ms::sim {
namespace {

using Impl = VirtualOs::Impl;

// The address ranges of the sanitizer runtimes loaded as shared objects (gcc's libasan,
// libubsan): their own uses of the C library (UBSan's pipe() probe of a memory range) must
// reach the C library, never the world.
struct Range {
  std::uintptr_t begin, end;
};
const std::vector<Range>& runtime_ranges() {
  static const std::vector<Range> ranges = [] {
    std::vector<Range> out;
    ::dl_iterate_phdr(
        [](dl_phdr_info* info, std::size_t, void* data) {
          const char* name = info->dlpi_name != nullptr ? info->dlpi_name : "";
          if (std::strstr(name, "libasan") == nullptr && std::strstr(name, "libubsan") == nullptr &&
              std::strstr(name, "liblsan") == nullptr && std::strstr(name, "libtsan") == nullptr)
            return 0;
          for (int i = 0; i < info->dlpi_phnum; ++i) {
            const ElfW(Phdr)& ph = info->dlpi_phdr[i];
            if (ph.p_type != PT_LOAD || (ph.p_flags & PF_X) == 0) continue;
            const std::uintptr_t begin = info->dlpi_addr + ph.p_vaddr;
            static_cast<std::vector<Range>*>(data)->push_back({begin, begin + ph.p_memsz});
          }
          return 0;
        },
        &out);
    return out;
  }();
  return ranges;
}
bool from_runtime(const void* caller) {
  const auto a = reinterpret_cast<std::uintptr_t>(caller);
  for (const Range& r : runtime_ranges())
    if (a >= r.begin && a < r.end) return true;
  return false;
}

// The layer when it serves a call from `caller`.
Impl* layer_from(const void* caller) {
  Impl* l = g_layer.load(std::memory_order_acquire);
  return l != nullptr && !from_runtime(caller) ? l : nullptr;
}
// The same, when fd is one of its descriptors.
Impl* layer_for_from(int fd, const void* caller) {
  Impl* l = layer_from(caller);
  return l != nullptr && l->is_virtual(fd) ? l : nullptr;
}
// In an intercepted function: the layer, if it serves this call.
#define MS_LAYER() (::ms::sim::layer_from(__builtin_return_address(0)))
#define MS_LAYER_FOR(fd) (::ms::sim::layer_for_from((fd), __builtin_return_address(0)))

bool to_address(const sockaddr* sa, socklen_t len, port::Address& out) {
  if (sa == nullptr || len < sizeof(sa_family_t)) return false;
  sockaddr_storage ss{};
  std::memcpy(&ss, sa, std::min<std::size_t>(len, sizeof ss));
  return posix::address_from_sockaddr(ss, out);
}

int put_address(const port::Address& a, sockaddr* sa, socklen_t* len) {
  if (sa == nullptr || len == nullptr) {
    errno = EFAULT;
    return -1;
  }
  sockaddr_storage ss{};
  const unsigned n = posix::address_to_sockaddr(a, ss);
  std::memcpy(sa, &ss, std::min<std::size_t>(*len, n));
  *len = static_cast<socklen_t>(n);
  return 0;
}

std::string fd_text(int fd) { return "virtual descriptor " + std::to_string(fd); }

// poll() over a mix of virtual and real descriptors; timeout < 0 waits for ever. The
// world notes the connections watched (World::note_waited_on).
int poll_mixed(Impl& l, pollfd* fds, nfds_t n, std::optional<port::Nanos> timeout) {
  for (nfds_t i = 0; i < n; ++i)
    if (fds[i].events != 0 && l.is_virtual(fds[i].fd)) l.world.note_waited_on(fds[i].fd);
  auto scan = [&]() {
    int ready = 0;
    for (nfds_t i = 0; i < n; ++i) {
      pollfd& p = fds[i];
      p.revents = 0;
      if (p.fd < 0) continue;
      if (l.is_virtual(p.fd)) {
        p.revents = l.poll_events(p.fd, p.events);
      } else {
        pollfd one{p.fd, p.events, 0};
        if (MS_REAL(poll)(&one, 1, 0) > 0) p.revents = one.revents;
      }
      if (p.revents != 0) ++ready;
    }
    return ready;
  };
  int ready = scan();
  if (ready > 0 || (timeout && timeout->count() == 0)) return ready;
  std::optional<port::Nanos> deadline;
  if (timeout) deadline = l.now() + *timeout;
  l.wait_until([&] { return (ready = scan()) > 0; }, deadline);
  return ready;
}

bool any_virtual(Impl& l, const pollfd* fds, nfds_t n) {
  for (nfds_t i = 0; i < n; ++i)
    if (l.is_virtual(fds[i].fd)) return true;
  return false;
}

// Copies an iovec array into one buffer (writev, sendmsg).
std::string gather(const iovec* iov, int count) {
  std::string out;
  for (int i = 0; i < count; ++i) out.append(static_cast<const char*>(iov[i].iov_base), iov[i].iov_len);
  return out;
}
void scatter(const char* data, std::size_t n, const iovec* iov, int count) {
  for (int i = 0; i < count && n > 0; ++i) {
    const std::size_t k = std::min(n, iov[i].iov_len);
    std::memcpy(iov[i].iov_base, data, k);
    data += k;
    n -= k;
  }
}
std::size_t iov_total(const iovec* iov, int count) {
  std::size_t total = 0;
  for (int i = 0; i < count; ++i) total += iov[i].iov_len;
  return total;
}

// A send or receive with flags on a virtual descriptor: MSG_DONTWAIT makes this one call
// non-blocking; flags outside `known` and datagram sockets are not modelled.
template <typename Op>
ssize_t io_with_flags(Impl& l, int fd, int flags, int known, const char* fn, Op op) {
  l.count(fn);
  if ((flags & ~known) != 0) return l.not_modelled(std::string(fn) + "() with flags " + std::to_string(flags) + " on " + fd_text(fd));
  const DescriptorKind k = l.world.kind(fd);
  if (k == DescriptorKind::datagram || k == DescriptorKind::lookup)
    return l.not_modelled(std::string(fn) + "() on a datagram socket, " + fd_text(fd));
  auto it = l.fds.find(fd);
  const bool was = it != l.fds.end() && it->second.nonblocking;
  if ((flags & MSG_DONTWAIT) && it != l.fds.end()) it->second.nonblocking = true;
  const ssize_t r = op();
  const int saved = errno;
  if (it != l.fds.end()) it->second.nonblocking = was;
  errno = saved;
  return r;
}

ssize_t send_flags(Impl& l, int fd, const void* data, std::size_t size, int flags, const char* fn) {
  return io_with_flags(l, fd, flags, MSG_NOSIGNAL | MSG_DONTWAIT | MSG_MORE, fn,
                       [&] { return l.send(fd, data, size); });
}

ssize_t recv_flags(Impl& l, int fd, void* data, std::size_t size, int flags, const char* fn) {
  return io_with_flags(l, fd, flags, MSG_PEEK | MSG_DONTWAIT | MSG_NOSIGNAL, fn,
                       [&] { return l.recv(fd, data, size, (flags & MSG_PEEK) != 0); });
}

// Options a library may set or read that change nothing the world models.
bool harmless_option(int level, int name) {
  switch (level) {
    case SOL_SOCKET:
      return name == SO_KEEPALIVE || name == SO_SNDBUF || name == SO_RCVBUF || name == SO_REUSEADDR ||
             name == SO_PRIORITY || name == SO_LINGER || name == SO_RCVTIMEO || name == SO_SNDTIMEO ||
             name == SO_OOBINLINE;
    case IPPROTO_TCP:
      return name == TCP_NODELAY || name == TCP_KEEPIDLE || name == TCP_KEEPINTVL ||
             name == TCP_KEEPCNT || name == TCP_QUICKACK || name == TCP_USER_TIMEOUT;
    case IPPROTO_IP:
      return name == IP_TOS;
    case IPPROTO_IPV6:
      return name == IPV6_V6ONLY || name == IPV6_TCLASS;
    default:
      return false;
  }
}

std::set<addrinfo*>& our_addrinfo() {
  static std::set<addrinfo*> lists;
  return lists;
}

int virtual_getaddrinfo(Impl& l, const char* host, const char* service, const addrinfo* hints,
                        addrinfo** res) {
  l.count("getaddrinfo");
  if (host == nullptr) {
    l.not_modelled("getaddrinfo() without a host name");
    return EAI_SYSTEM;
  }
  long port = 0;
  if (service != nullptr) {
    char* end = nullptr;
    port = std::strtol(service, &end, 10);
    if (end == service || *end != '\0' || port < 0 || port > 65535) {
      if (std::strcmp(service, "http") == 0) port = 80;
      else if (std::strcmp(service, "https") == 0) port = 443;
      else return EAI_SERVICE;
    }
  }
  const int family = hints != nullptr ? hints->ai_family : AF_UNSPEC;
  const int flags = hints != nullptr ? hints->ai_flags : 0;
  World::DnsAnswer answer = l.world.dns_answer(host, static_cast<std::uint16_t>(port));
  const bool numeric = port::Address::parse_numeric(host, 0).has_value();
  if ((flags & AI_NUMERICHOST) && !numeric) return EAI_NONAME;
  // A library thread waits for the answer in virtual time; the main thread cannot wait
  // inside a call, so its lookups answer at once.
  if (!numeric && answer.delay.count() > 0 && l.current_thread() != nullptr) {
    auto arrived = std::make_shared<bool>(false);
    l.world.at(l.now() + answer.delay, [arrived] { *arrived = true; });
    l.thread_wait([arrived] { return *arrived; });
  }
  using Status = port::Resolution::Status;
  if (answer.resolution.status == Status::failed) return EAI_FAIL;
  addrinfo* head = nullptr;
  addrinfo** tail = &head;
  for (const port::Address& a : answer.resolution.addresses) {
    const int f = a.family == port::Family::v4 ? AF_INET : AF_INET6;
    if (family != AF_UNSPEC && family != f) continue;
    auto* node = static_cast<addrinfo*>(std::calloc(1, sizeof(addrinfo) + sizeof(sockaddr_storage)));
    if (node == nullptr) break;
    auto* ss = reinterpret_cast<sockaddr_storage*>(node + 1);
    node->ai_family = f;
    node->ai_socktype = hints != nullptr && hints->ai_socktype != 0 ? hints->ai_socktype : SOCK_STREAM;
    node->ai_protocol = hints != nullptr ? hints->ai_protocol : 0;
    node->ai_addrlen = static_cast<socklen_t>(posix::address_to_sockaddr(a, *ss));
    node->ai_addr = reinterpret_cast<sockaddr*>(ss);
    *tail = node;
    tail = &node->ai_next;
  }
  if (head == nullptr) return answer.resolution.status == Status::ok ? EAI_NODATA : EAI_NONAME;
  our_addrinfo().insert(head);
  *res = head;
  return 0;
}

void time_of(Impl& l, clockid_t id, timespec* ts) {
  l.clock_read();
  std::int64_t ns = l.now().count();
  if (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE || id == CLOCK_TAI)
    ns += l.options.realtime_base_seconds * 1'000'000'000;
  else
    ns += l.options.monotonic_base.count();
  ts->tv_sec = static_cast<time_t>(ns / 1'000'000'000);
  ts->tv_nsec = static_cast<long>(ns % 1'000'000'000);
}

bool virtual_clock(clockid_t id) {
  return id == CLOCK_MONOTONIC || id == CLOCK_MONOTONIC_RAW || id == CLOCK_MONOTONIC_COARSE ||
         id == CLOCK_BOOTTIME || id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE || id == CLOCK_TAI;
}

}  // namespace
}  // namespace ms::sim

using ms::sim::DescriptorKind;
using Impl = ms::sim::VirtualOs::Impl;

extern "C" {

// ---- descriptors

int socket(int domain, int type, int protocol) noexcept {
  auto* l = MS_LAYER();
  const ::ms::sim::HostCode host_code(l != nullptr);
  if (l == nullptr) return MS_REAL(socket)(domain, type, protocol);
  l->count("socket");
  const int base = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (domain != AF_INET && domain != AF_INET6)
    return l->not_modelled("socket() of address family " + std::to_string(domain));
  const auto family = domain == AF_INET ? ms::port::Family::v4 : ms::port::Family::v6;
  int fd = -1;
  ms::port::NetError e;
  if (base == SOCK_STREAM && (protocol == 0 || protocol == IPPROTO_TCP)) {
    e = l->world.open_stream(family, fd);
  } else if (base == SOCK_DGRAM) {
    e = l->world.open_datagram(family, fd);
  } else {
    return l->not_modelled("socket() of type " + std::to_string(base));
  }
  if (e != ms::port::NetError::none) return l->fail(ms::sim::errno_of(e));
  l->fds[fd].nonblocking = (type & SOCK_NONBLOCK) != 0;
  return fd;
}

int socketpair(int domain, int type, int protocol, int sv[2]) noexcept {
  auto* l = MS_LAYER();
  const ::ms::sim::HostCode host_code(l != nullptr);
  if (l == nullptr) return MS_REAL(socketpair)(domain, type, protocol, sv);
  l->count("socketpair");
  if ((type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) != SOCK_STREAM)
    return l->not_modelled("socketpair() of type " + std::to_string(type));
  int a = -1, b = -1;
  if (auto e = l->world.open_channel(a, b); e != ms::port::NetError::none) return l->fail(ms::sim::errno_of(e));
  l->fds[a].nonblocking = l->fds[b].nonblocking = (type & SOCK_NONBLOCK) != 0;
  sv[0] = a;
  sv[1] = b;
  return 0;
}

int pipe2(int fds[2], int flags) noexcept {
  auto* l = MS_LAYER();
  const ::ms::sim::HostCode host_code(l != nullptr);
  if (l == nullptr) return MS_REAL(pipe2)(fds, flags);
  l->count("pipe");
  int a = -1, b = -1;
  if (auto e = l->world.open_channel(a, b); e != ms::port::NetError::none) return l->fail(ms::sim::errno_of(e));
  l->fds[a].nonblocking = l->fds[b].nonblocking = (flags & O_NONBLOCK) != 0;
  fds[0] = a;
  fds[1] = b;
  return 0;
}

int pipe(int fds[2]) noexcept {
  if (MS_LAYER() == nullptr) return MS_REAL(pipe)(fds);
  return pipe2(fds, 0);
}

int eventfd(unsigned int initval, int flags) noexcept {
  auto* l = MS_LAYER();
  const ::ms::sim::HostCode host_code(l != nullptr);
  if (l == nullptr) return MS_REAL(eventfd)(initval, flags);
  l->count("eventfd");
  if (flags & EFD_SEMAPHORE) return l->not_modelled("eventfd() with EFD_SEMAPHORE");
  int fd = -1;
  if (auto e = l->world.open_counter(initval, fd); e != ms::port::NetError::none) return l->fail(ms::sim::errno_of(e));
  l->fds[fd].nonblocking = (flags & EFD_NONBLOCK) != 0;
  return fd;
}

int close(int fd) {
  auto* l = MS_LAYER_FOR(fd);
  const ::ms::sim::HostCode host_code(l != nullptr);
  if (l == nullptr) return MS_REAL(close)(fd);
  l->count("close");
  l->fds.erase(fd);
  l->world.close(fd);  // gives the number back (its placeholder is closed)
  return 0;
}

int connect(int fd, const sockaddr* addr, socklen_t len) {
  auto* l = MS_LAYER_FOR(fd);
  const ::ms::sim::HostCode host_code(l != nullptr);
  if (l == nullptr) return MS_REAL(connect)(fd, addr, len);
  l->count("connect");
  if (l->world.kind(fd) != DescriptorKind::stream) return l->not_modelled("connect() on a datagram socket, " + ms::sim::fd_text(fd));
  ms::port::Address to;
  if (!ms::sim::to_address(addr, len, to)) return l->fail(EAFNOSUPPORT);
  const ms::port::NetError e = l->world.connect(fd, to);
  l->fds[fd].peer = to;
  if (e == ms::port::NetError::none) return 0;
  if (e != ms::port::NetError::in_progress) return l->fail(ms::sim::errno_of(e));
  if (!l->blocking(fd)) return l->fail(EINPROGRESS);
  l->wait_ready(fd, ms::port::kWritable);
  const ms::port::NetError done = l->world.take_error(fd);
  return done == ms::port::NetError::none ? 0 : l->fail(ms::sim::errno_of(done));
}

int getsockopt(int fd, int level, int name, void* value, socklen_t* len) noexcept {
  auto* l = MS_LAYER_FOR(fd);
  const ::ms::sim::HostCode host_code(l != nullptr);
  if (l == nullptr) return MS_REAL(getsockopt)(fd, level, name, value, len);
  l->count("getsockopt");
  auto put_int = [&](int v) {
    if (value == nullptr || len == nullptr || *len < sizeof(int)) return l->fail(EINVAL);
    std::memcpy(value, &v, sizeof v);
    *len = sizeof v;
    return 0;
  };
  if (level == SOL_SOCKET && name == SO_ERROR) return put_int(ms::sim::errno_of(l->world.take_error(fd)));
  if (level == SOL_SOCKET && name == SO_TYPE)
    return put_int(l->world.kind(fd) == DescriptorKind::datagram ? SOCK_DGRAM : SOCK_STREAM);
  if (level == SOL_SOCKET && name == SO_DOMAIN)
    return put_int(l->world.family(fd) == ms::port::Family::v4 ? AF_INET : AF_INET6);
  if (level == SOL_SOCKET && (name == SO_SNDBUF || name == SO_RCVBUF)) return put_int(64 * 1024);
  if (ms::sim::harmless_option(level, name) && name != SO_LINGER && name != SO_RCVTIMEO && name != SO_SNDTIMEO)
    return put_int(0);
  return l->not_modelled("getsockopt(level " + std::to_string(level) + ", option " + std::to_string(name) +
                         ") on " + ms::sim::fd_text(fd));
}

int setsockopt(int fd, int level, int name, const void* value, socklen_t len) noexcept {
  auto* l = MS_LAYER_FOR(fd);
  const ::ms::sim::HostCode host_code(l != nullptr);
  if (l == nullptr) return MS_REAL(setsockopt)(fd, level, name, value, len);
  l->count("setsockopt");
  if (ms::sim::harmless_option(level, name)) return 0;
  return l->not_modelled("setsockopt(level " + std::to_string(level) + ", option " + std::to_string(name) +
                         ") on " + ms::sim::fd_text(fd));
}

int getsockname(int fd, sockaddr* addr, socklen_t* len) noexcept {
  auto* l = MS_LAYER_FOR(fd);
  const ::ms::sim::HostCode host_code(l != nullptr);
  if (l == nullptr) return MS_REAL(getsockname)(fd, addr, len);
  l->count("getsockname");
  const bool v4 = l->world.family(fd) == ms::port::Family::v4;
  auto local = ms::port::Address::parse_numeric(v4 ? "127.0.0.1" : "::1", static_cast<std::uint16_t>(40000 + fd % 20000));
  return ms::sim::put_address(*local, addr, len);
}

int getpeername(int fd, sockaddr* addr, socklen_t* len) noexcept {
  auto* l = MS_LAYER_FOR(fd);
  const ::ms::sim::HostCode host_code(l != nullptr);
  if (l == nullptr) return MS_REAL(getpeername)(fd, addr, len);
  l->count("getpeername");
  auto it = l->fds.find(fd);
  if (it == l->fds.end() || !it->second.peer || l->world.readiness(fd) == 0) return l->fail(ENOTCONN);
  return ms::sim::put_address(*it->second.peer, addr, len);
}

static int fcntl_common(const char* fn, int fd, int cmd, unsigned long arg) {
  auto* l = MS_LAYER_FOR(fd);
  const ::ms::sim::HostCode host_code(l != nullptr);
  if (l == nullptr) return MS_REAL(fcntl)(fd, cmd, arg);
  l->count(fn);
  switch (cmd) {
    case F_GETFL:
      return O_RDWR | (l->fds[fd].nonblocking ? O_NONBLOCK : 0);
    case F_SETFL:
      l->fds[fd].nonblocking = (arg & O_NONBLOCK) != 0;
      return 0;
    case F_GETFD:
    case F_SETFD:
      return MS_REAL(fcntl)(fd, cmd, arg);  // the placeholder keeps the close-on-exec flag
    default:
      return l->not_modelled(std::string(fn) + "(command " + std::to_string(cmd) + ") on " + ms::sim::fd_text(fd));
  }
}

int fcntl(int fd, int cmd, ...) {
  va_list ap;
  va_start(ap, cmd);
  const unsigned long arg = va_arg(ap, unsigned long);
  va_end(ap);
  return fcntl_common("fcntl", fd, cmd, arg);
}

int fcntl64(int fd, int cmd, ...) {
  va_list ap;
  va_start(ap, cmd);
  const unsigned long arg = va_arg(ap, unsigned long);
  va_end(ap);
  auto* l = MS_LAYER_FOR(fd);
  const ::ms::sim::HostCode host_code(l != nullptr);
  if (l == nullptr) return MS_REAL(fcntl64)(fd, cmd, arg);
  return fcntl_common("fcntl", fd, cmd, arg);
}

int ioctl(int fd, unsigned long request, ...) noexcept {
  va_list ap;
  va_start(ap, request);
  void* arg = va_arg(ap, void*);
  va_end(ap);
  auto* l = MS_LAYER_FOR(fd);
  const ::ms::sim::HostCode host_code(l != nullptr);
  if (l == nullptr) return MS_REAL(ioctl)(fd, request, arg);
  l->count("ioctl");
  if (request == FIONBIO) {
    l->fds[fd].nonblocking = *static_cast<int*>(arg) != 0;
    return 0;
  }
  if (request == FIONREAD) {
    static char scratch[1 << 16];
    const ms::port::IoResult r = l->world.peek(fd, reinterpret_cast<std::byte*>(scratch), sizeof scratch);
    *static_cast<int*>(arg) = static_cast<int>(r.bytes);
    return 0;
  }
  return l->not_modelled("ioctl(" + std::to_string(request) + ") on " + ms::sim::fd_text(fd));
}

// ---- bytes

ssize_t send(int fd, const void* buf, size_t n, int flags) {
  auto* l = MS_LAYER_FOR(fd);
  const ::ms::sim::HostCode host_code(l != nullptr);
  if (l == nullptr) return MS_REAL(send)(fd, buf, n, flags);
  return ms::sim::send_flags(*l, fd, buf, n, flags, "send");
}

ssize_t sendto(int fd, const void* buf, size_t n, int flags, const sockaddr* to, socklen_t len) {
  auto* l = MS_LAYER_FOR(fd);
  const ::ms::sim::HostCode host_code(l != nullptr);
  if (l == nullptr) return MS_REAL(sendto)(fd, buf, n, flags, to, len);
  if (to != nullptr) return l->not_modelled("sendto() with an address on " + ms::sim::fd_text(fd));
  return ms::sim::send_flags(*l, fd, buf, n, flags, "sendto");
}

ssize_t sendmsg(int fd, const msghdr* msg, int flags) {
  auto* l = MS_LAYER_FOR(fd);
  const ::ms::sim::HostCode host_code(l != nullptr);
  if (l == nullptr) return MS_REAL(sendmsg)(fd, msg, flags);
  if (msg->msg_name != nullptr || msg->msg_controllen != 0)
    return l->not_modelled("sendmsg() with an address or control data on " + ms::sim::fd_text(fd));
  const std::string data = ms::sim::gather(msg->msg_iov, static_cast<int>(msg->msg_iovlen));
  return ms::sim::send_flags(*l, fd, data.data(), data.size(), flags, "sendmsg");
}

ssize_t write(int fd, const void* buf, size_t n) {
  auto* l = MS_LAYER_FOR(fd);
  const ::ms::sim::HostCode host_code(l != nullptr);
  if (l == nullptr) return MS_REAL(write)(fd, buf, n);
  return ms::sim::send_flags(*l, fd, buf, n, 0, "write");
}

ssize_t writev(int fd, const iovec* iov, int count) {
  auto* l = MS_LAYER_FOR(fd);
  const ::ms::sim::HostCode host_code(l != nullptr);
  if (l == nullptr) return MS_REAL(writev)(fd, iov, count);
  const std::string data = ms::sim::gather(iov, count);
  return ms::sim::send_flags(*l, fd, data.data(), data.size(), 0, "writev");
}

ssize_t recv(int fd, void* buf, size_t n, int flags) {
  auto* l = MS_LAYER_FOR(fd);
  const ::ms::sim::HostCode host_code(l != nullptr);
  if (l == nullptr) return MS_REAL(recv)(fd, buf, n, flags);
  return ms::sim::recv_flags(*l, fd, buf, n, flags, "recv");
}

ssize_t recvfrom(int fd, void* buf, size_t n, int flags, sockaddr* from, socklen_t* len) {
  auto* l = MS_LAYER_FOR(fd);
  const ::ms::sim::HostCode host_code(l != nullptr);
  if (l == nullptr) return MS_REAL(recvfrom)(fd, buf, n, flags, from, len);
  const ssize_t r = ms::sim::recv_flags(*l, fd, buf, n, flags, "recvfrom");
  if (r >= 0 && from != nullptr && len != nullptr) {
    auto it = l->fds.find(fd);
    if (it != l->fds.end() && it->second.peer) ms::sim::put_address(*it->second.peer, from, len);
    else *len = 0;
  }
  return r;
}

ssize_t recvmsg(int fd, msghdr* msg, int flags) {
  auto* l = MS_LAYER_FOR(fd);
  const ::ms::sim::HostCode host_code(l != nullptr);
  if (l == nullptr) return MS_REAL(recvmsg)(fd, msg, flags);
  std::string data(ms::sim::iov_total(msg->msg_iov, static_cast<int>(msg->msg_iovlen)), '\0');
  const ssize_t r = ms::sim::recv_flags(*l, fd, data.data(), data.size(), flags, "recvmsg");
  if (r > 0) ms::sim::scatter(data.data(), static_cast<std::size_t>(r), msg->msg_iov, static_cast<int>(msg->msg_iovlen));
  msg->msg_controllen = 0;
  msg->msg_flags = 0;
  msg->msg_namelen = 0;
  return r;
}

ssize_t read(int fd, void* buf, size_t n) {
  auto* l = MS_LAYER_FOR(fd);
  const ::ms::sim::HostCode host_code(l != nullptr);
  if (l == nullptr) return MS_REAL(read)(fd, buf, n);
  return ms::sim::recv_flags(*l, fd, buf, n, 0, "read");
}

ssize_t readv(int fd, const iovec* iov, int count) {
  auto* l = MS_LAYER_FOR(fd);
  const ::ms::sim::HostCode host_code(l != nullptr);
  if (l == nullptr) return MS_REAL(readv)(fd, iov, count);
  std::string data(ms::sim::iov_total(iov, count), '\0');
  const ssize_t r = ms::sim::recv_flags(*l, fd, data.data(), data.size(), 0, "readv");
  if (r > 0) ms::sim::scatter(data.data(), static_cast<std::size_t>(r), iov, count);
  return r;
}

// ---- waiting

int poll(pollfd* fds, nfds_t n, int timeout) {
  auto* l = MS_LAYER();
  const ::ms::sim::HostCode host_code(l != nullptr);
  if (l == nullptr || (n > 0 && !ms::sim::any_virtual(*l, fds, n))) return MS_REAL(poll)(fds, n, timeout);
  l->count("poll");
  std::optional<ms::port::Nanos> t;
  if (timeout >= 0) t = std::chrono::milliseconds(timeout);
  return ms::sim::poll_mixed(*l, fds, n, t);
}

int ppoll(pollfd* fds, nfds_t n, const timespec* timeout, const sigset_t* mask) {
  auto* l = MS_LAYER();
  const ::ms::sim::HostCode host_code(l != nullptr);
  if (l == nullptr || (n > 0 && !ms::sim::any_virtual(*l, fds, n))) return MS_REAL(ppoll)(fds, n, timeout, mask);
  l->count("ppoll");
  std::optional<ms::port::Nanos> t;
  if (timeout != nullptr) t = std::chrono::seconds(timeout->tv_sec) + std::chrono::nanoseconds(timeout->tv_nsec);
  return ms::sim::poll_mixed(*l, fds, n, t);
}

static int select_common(Impl* l, const char* fn, int nfds, fd_set* r, fd_set* w, fd_set* e,
                         std::optional<ms::port::Nanos> timeout) {
  l->count(fn);
  std::vector<pollfd> p;
  for (int fd = 0; fd < nfds && fd < FD_SETSIZE; ++fd) {
    short ev = 0;
    if (r != nullptr && FD_ISSET(fd, r)) ev |= POLLIN;
    if (w != nullptr && FD_ISSET(fd, w)) ev |= POLLOUT;
    if (e != nullptr && FD_ISSET(fd, e)) ev |= POLLPRI;
    if (ev != 0) p.push_back(pollfd{fd, ev, 0});
  }
  ms::sim::poll_mixed(*l, p.data(), p.size(), timeout);
  if (r != nullptr) FD_ZERO(r);
  if (w != nullptr) FD_ZERO(w);
  if (e != nullptr) FD_ZERO(e);
  int count = 0;
  for (const pollfd& q : p) {
    if (r != nullptr && (q.revents & (POLLIN | POLLHUP | POLLERR))) { FD_SET(q.fd, r); ++count; }
    if (w != nullptr && (q.revents & (POLLOUT | POLLERR))) { FD_SET(q.fd, w); ++count; }
    if (e != nullptr && (q.revents & POLLPRI)) { FD_SET(q.fd, e); ++count; }
  }
  return count;
}

static bool select_has_virtual(Impl* l, int nfds, fd_set* r, fd_set* w, fd_set* e) {
  if (l == nullptr) return false;
  if (nfds == 0) return true;  // a sleep
  for (int fd = 0; fd < nfds && fd < FD_SETSIZE; ++fd)
    if (((r != nullptr && FD_ISSET(fd, r)) || (w != nullptr && FD_ISSET(fd, w)) ||
         (e != nullptr && FD_ISSET(fd, e))) && l->is_virtual(fd))
      return true;
  return false;
}

int select(int nfds, fd_set* r, fd_set* w, fd_set* e, timeval* timeout) {
  auto* l = MS_LAYER();
  const ::ms::sim::HostCode host_code(l != nullptr);
  if (!select_has_virtual(l, nfds, r, w, e)) return MS_REAL(select)(nfds, r, w, e, timeout);
  std::optional<ms::port::Nanos> t;
  if (timeout != nullptr) t = std::chrono::seconds(timeout->tv_sec) + std::chrono::microseconds(timeout->tv_usec);
  return select_common(l, "select", nfds, r, w, e, t);
}

int pselect(int nfds, fd_set* r, fd_set* w, fd_set* e, const timespec* timeout, const sigset_t* mask) {
  auto* l = MS_LAYER();
  const ::ms::sim::HostCode host_code(l != nullptr);
  if (!select_has_virtual(l, nfds, r, w, e)) return MS_REAL(pselect)(nfds, r, w, e, timeout, mask);
  std::optional<ms::port::Nanos> t;
  if (timeout != nullptr) t = std::chrono::seconds(timeout->tv_sec) + std::chrono::nanoseconds(timeout->tv_nsec);
  return select_common(l, "pselect", nfds, r, w, e, t);
}

// ---- calls on virtual descriptors the world does not model

int shutdown(int fd, int how) noexcept {
  auto* l = MS_LAYER_FOR(fd);
  const ::ms::sim::HostCode host_code(l != nullptr);
  if (l == nullptr) return MS_REAL(shutdown)(fd, how);
  return l->not_modelled("shutdown() on " + ms::sim::fd_text(fd));
}
int bind(int fd, const sockaddr* addr, socklen_t len) noexcept {
  auto* l = MS_LAYER_FOR(fd);
  const ::ms::sim::HostCode host_code(l != nullptr);
  if (l == nullptr) return MS_REAL(bind)(fd, addr, len);
  return l->not_modelled("bind() on " + ms::sim::fd_text(fd));
}
int listen(int fd, int backlog) noexcept {
  auto* l = MS_LAYER_FOR(fd);
  const ::ms::sim::HostCode host_code(l != nullptr);
  if (l == nullptr) return MS_REAL(listen)(fd, backlog);
  return l->not_modelled("listen() on " + ms::sim::fd_text(fd));
}
int accept(int fd, sockaddr* addr, socklen_t* len) {
  auto* l = MS_LAYER_FOR(fd);
  const ::ms::sim::HostCode host_code(l != nullptr);
  if (l == nullptr) return MS_REAL(accept)(fd, addr, len);
  return l->not_modelled("accept() on " + ms::sim::fd_text(fd));
}
int accept4(int fd, sockaddr* addr, socklen_t* len, int flags) {
  auto* l = MS_LAYER_FOR(fd);
  const ::ms::sim::HostCode host_code(l != nullptr);
  if (l == nullptr) return MS_REAL(accept4)(fd, addr, len, flags);
  return l->not_modelled("accept4() on " + ms::sim::fd_text(fd));
}
int dup(int fd) noexcept {
  auto* l = MS_LAYER_FOR(fd);
  const ::ms::sim::HostCode host_code(l != nullptr);
  if (l == nullptr) return MS_REAL(dup)(fd);
  return l->not_modelled("dup() of " + ms::sim::fd_text(fd));
}
int dup2(int fd, int to) noexcept {
  auto* l = MS_LAYER_FOR(fd) != nullptr ? MS_LAYER_FOR(fd) : MS_LAYER_FOR(to);
  const ::ms::sim::HostCode host_code(l != nullptr);
  if (l == nullptr) return MS_REAL(dup2)(fd, to);
  return l->not_modelled("dup2() of or onto a virtual descriptor (" + std::to_string(fd) + ", " + std::to_string(to) + ")");
}
int dup3(int fd, int to, int flags) noexcept {
  auto* l = MS_LAYER_FOR(fd) != nullptr ? MS_LAYER_FOR(fd) : MS_LAYER_FOR(to);
  const ::ms::sim::HostCode host_code(l != nullptr);
  if (l == nullptr) return MS_REAL(dup3)(fd, to, flags);
  return l->not_modelled("dup3() of or onto a virtual descriptor (" + std::to_string(fd) + ", " + std::to_string(to) + ")");
}
int epoll_ctl(int epfd, int op, int fd, struct epoll_event* event) noexcept {
  auto* l = MS_LAYER_FOR(fd);
  const ::ms::sim::HostCode host_code(l != nullptr);
  if (l == nullptr) return MS_REAL(epoll_ctl)(epfd, op, fd, event);
  return l->not_modelled("epoll_ctl() on " + ms::sim::fd_text(fd));
}

// ---- clocks

int clock_gettime(clockid_t id, timespec* ts) noexcept {
  auto* l = MS_LAYER();
  const ::ms::sim::HostCode host_code(l != nullptr);
  if (l == nullptr || !ms::sim::virtual_clock(id)) return MS_REAL(clock_gettime)(id, ts);
  l->count("clock_gettime");
  ms::sim::time_of(*l, id, ts);
  return 0;
}

int gettimeofday(timeval* tv, void* tz) noexcept {
  auto* l = MS_LAYER();
  const ::ms::sim::HostCode host_code(l != nullptr);
  if (l == nullptr) return MS_REAL(gettimeofday)(tv, tz);
  l->count("gettimeofday");
  timespec ts{};
  ms::sim::time_of(*l, CLOCK_REALTIME, &ts);
  tv->tv_sec = ts.tv_sec;
  tv->tv_usec = ts.tv_nsec / 1000;
  return 0;
}

time_t time(time_t* out) noexcept {
  auto* l = MS_LAYER();
  const ::ms::sim::HostCode host_code(l != nullptr);
  if (l == nullptr) return MS_REAL(time)(out);
  l->count("time");
  timespec ts{};
  ms::sim::time_of(*l, CLOCK_REALTIME, &ts);
  if (out != nullptr) *out = ts.tv_sec;
  return ts.tv_sec;
}

// ---- names

int getaddrinfo(const char* host, const char* service, const addrinfo* hints, addrinfo** res) {
  auto* l = MS_LAYER();
  const ::ms::sim::HostCode host_code(l != nullptr);
  if (l == nullptr) return MS_REAL(getaddrinfo)(host, service, hints, res);
  return ms::sim::virtual_getaddrinfo(*l, host, service, hints, res);
}

void freeaddrinfo(addrinfo* list) noexcept {
  auto& ours = ms::sim::our_addrinfo();
  if (auto it = ours.find(list); it != ours.end()) {
    ours.erase(it);
    while (list != nullptr) {
      addrinfo* next = list->ai_next;
      std::free(list);
      list = next;
    }
    return;
  }
  MS_REAL(freeaddrinfo)(list);
}

// ---- threads

int pthread_create(pthread_t* id, const pthread_attr_t* attr, void* (*start)(void*), void* arg) noexcept {
  auto* l = MS_LAYER();
  const ::ms::sim::HostCode host_code(l != nullptr);
  if (l == nullptr) return MS_REAL(pthread_create)(id, attr, start, arg);
  l->count("pthread_create");
  auto t = std::make_unique<Impl::Thread>();
  t->start = start;
  t->arg = arg;
  t->impl = l;
  ::sem_init(&t->go, 0, 0);
  // Every thread is made joinable: the layer joins each one when it ends (Impl::resume). One
  // asked for detached keeps its stack's size and guard, and is only marked so.
  int detach_state = PTHREAD_CREATE_JOINABLE;
  pthread_attr_t joinable;
  const bool own_attr = attr != nullptr && ::pthread_attr_getdetachstate(attr, &detach_state) == 0 &&
                        detach_state == PTHREAD_CREATE_DETACHED;
  if (own_attr) {
    ::pthread_attr_init(&joinable);
    std::size_t size = 0;
    if (::pthread_attr_getstacksize(attr, &size) == 0) ::pthread_attr_setstacksize(&joinable, size);
    if (::pthread_attr_getguardsize(attr, &size) == 0) ::pthread_attr_setguardsize(&joinable, size);
  }
  t->detached = own_attr;
  const int rc = MS_REAL(pthread_create)(&t->id, own_attr ? &joinable : attr, &Impl::thread_main, t.get());
  if (own_attr) ::pthread_attr_destroy(&joinable);
  if (rc != 0) return rc;
  *id = t->id;
  // Detached threads the layer joined are let go here, not while run_threads walks the
  // list; a new thread may have the id of one of them.
  l->threads.erase(std::remove_if(l->threads.begin(), l->threads.end(),
                                  [](const auto& old) { return old->detached && old->joined; }),
                   l->threads.end());
  l->threads.push_back(std::move(t));
  return 0;
}

int pthread_join(pthread_t id, void** result) {
  auto* l = MS_LAYER();
  const ::ms::sim::HostCode host_code(l != nullptr);
  Impl::Thread* t = l != nullptr ? l->find_thread(id) : nullptr;
  if (t == nullptr) return MS_REAL(pthread_join)(id, result);
  l->count("pthread_join");
  if (t->detached) return EINVAL;
  // A join is a blocking wait: virtual time runs until the thread has ended (and the layer
  // has joined it).
  if (!l->wait_until([t] { return t->joined; }, std::nullopt)) return EDEADLK;
  if (result != nullptr) *result = t->result;
  l->forget(t);
  return 0;
}

int pthread_detach(pthread_t id) noexcept {
  auto* l = MS_LAYER();
  const ::ms::sim::HostCode host_code(l != nullptr);
  Impl::Thread* t = l != nullptr ? l->find_thread(id) : nullptr;
  if (t == nullptr) return MS_REAL(pthread_detach)(id);
  l->count("pthread_detach");
  if (t->detached) return EINVAL;
  // It still runs in lockstep until it ends, and the layer joins it then (Impl::resume).
  t->detached = true;
  if (t->joined) l->forget(t);
  return 0;
}

}  // extern "C"

// SPDX-License-Identifier: MIT
// recorder.cpp: activation, the output mapping, ids and the tables of descriptors.
#include "recorder.hpp"

#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <new>

namespace ms::rec {

thread_local ThreadState t_state __attribute__((tls_model("initial-exec")));
std::atomic<bool> g_enabled{false};
std::atomic<bool> g_active{false};
std::atomic<void*> g_multi{nullptr};

namespace {

std::atomic<std::uint64_t> g_tracked_bits[kBitmapFds / 64];

// The mapping grows by this much at a time (and by its own size once larger), so a
// run of a few thousand transfers maps its file once or twice.
constexpr std::size_t kChunk = std::size_t{1} << 20;
constexpr std::size_t kChunkMax = std::size_t{64} << 20;

int real_close(int fd) {
  static const auto real = next_fn<int (*)(int)>("close");
  return real(fd);
}

// MULTISOCK_RECORD with each %p replaced by the process id.
std::string expand_path(const char* pattern) {
  std::string out;
  for (const char* p = pattern; *p; ++p) {
    if (p[0] == '%' && p[1] == 'p') {
      out += std::to_string(getpid());
      ++p;
    } else {
      out += *p;
    }
  }
  return out;
}

// A forked child shares the mapping: it must neither write into it nor truncate it. The
// lock is held across fork() so that the child's copy of the state is consistent.
void before_fork() { rec().mu.lock(); }
void after_fork_parent() { rec().mu.unlock(); }
void after_fork_child() {
  Recorder& r = rec();
  g_active.store(false, std::memory_order_relaxed);
  g_multi.store(nullptr, std::memory_order_relaxed);
  r.out.abandon();
  r.mu.unlock();
}

__attribute__((constructor)) void read_environment() {
  const char* path = std::getenv("MULTISOCK_RECORD");
  g_enabled.store(path != nullptr && *path != '\0', std::memory_order_relaxed);
  if (enabled()) pthread_atfork(before_fork, after_fork_parent, after_fork_child);
}

__attribute__((destructor)) void finish_at_exit() {
  if (enabled()) rec().stop();
}

}  // namespace

namespace {

struct LocalSearch {
  const char* name;
  const void* self_base;
  void* found = nullptr;
};

int search_object(dl_phdr_info* info, std::size_t, void* data) {
  auto* s = static_cast<LocalSearch*>(data);
  if (s->found || info->dlpi_name == nullptr || info->dlpi_name[0] == '\0') return 0;
  void* handle = dlopen(info->dlpi_name, RTLD_LAZY | RTLD_NOLOAD);
  if (handle == nullptr) return 0;
  void* f = dlsym(handle, s->name);
  Dl_info where{};
  if (f && dladdr(f, &where) != 0 && where.dli_fbase != s->self_base) s->found = f;
  dlclose(handle);
  return s->found ? 1 : 0;
}

}  // namespace

void* next_definition(const char* name) {
  if (void* f = dlsym(RTLD_NEXT, name)) return f;
  Dl_info self{};
  dladdr(reinterpret_cast<const void*>(&next_definition), &self);
  LocalSearch s{name, self.dli_fbase};
  dl_iterate_phdr(&search_object, &s);
  if (s.found) return s.found;
  std::fprintf(stderr, "multisock-record: no definition of %s after the recorder\n", name);
  std::abort();
}

std::int64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

bool fd_tracked(int fd) {
  if (fd < 0) return false;
  if (fd >= kBitmapFds) return true;
  return (g_tracked_bits[fd / 64].load(std::memory_order_relaxed) >> (fd % 64)) & 1;
}

void track_fd(int fd) {
  if (fd >= 0 && fd < kBitmapFds)
    g_tracked_bits[fd / 64].fetch_or(std::uint64_t{1} << (fd % 64), std::memory_order_relaxed);
}

void untrack_fd(int fd) {
  if (fd >= 0 && fd < kBitmapFds)
    g_tracked_bits[fd / 64].fetch_and(~(std::uint64_t{1} << (fd % 64)), std::memory_order_relaxed);
}

Recorder& rec() {
  // Never destroyed: a call that comes after the exit handlers still finds it.
  alignas(Recorder) static unsigned char storage[sizeof(Recorder)];
  static Recorder* const r = new (storage) Recorder;
  return *r;
}

bool MapWriter::open(const std::string& path, std::string& why) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    why = "cannot open " + path + ": " + std::strerror(errno);
    return false;
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || st.st_size > 0) {
    why = path + " exists and is not empty: this process is not recorded";
    real_close(fd);
    return false;
  }
  fd_ = fd;
  if (!grow(kChunk)) {
    why = "cannot map " + path + ": " + std::strerror(errno);
    finish();
    return false;
  }
  return true;
}

bool MapWriter::grow(std::size_t need) {
  std::size_t cap = cap_ == 0 ? kChunk : cap_;
  while (cap < need) cap += std::min(cap, kChunkMax);
  // Blocks are reserved before they are mapped: a full disk is an error here, never a
  // SIGBUS in the middle of an event.
  if (posix_fallocate(fd_, 0, static_cast<off_t>(cap)) != 0) return false;
  void* p = base_ == nullptr ? mmap(nullptr, cap, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0)
                             : mremap(base_, cap_, cap, MREMAP_MAYMOVE);
  if (p == MAP_FAILED) return false;
  // The new pages are faulted in at once, not one fault per 4 KiB of events (a hint:
  // kernels without it fault them in as they are written).
  const std::size_t old_cap = base_ == nullptr ? 0 : cap_;
  base_ = static_cast<char*>(p);
  cap_ = cap;
#ifdef MADV_POPULATE_WRITE
  madvise(base_ + old_cap, cap_ - old_cap, MADV_POPULATE_WRITE);
#endif
  return true;
}

void MapWriter::append(const char* data, std::size_t n) {
  if (fd_ < 0) return;
  if (len_ + n > cap_ && !grow(len_ + n)) {
    std::fprintf(stderr, "multisock-record: cannot grow the record file; recording stops\n");
    g_active.store(false, std::memory_order_relaxed);
    return;
  }
  std::memcpy(base_ + len_, data, n);
  len_ += n;
}

void MapWriter::abandon() {
  if (fd_ < 0) return;
  if (base_ != nullptr) munmap(base_, cap_);
  real_close(fd_);
  fd_ = -1;
  base_ = nullptr;
  cap_ = len_ = 0;
}

void MapWriter::finish() {
  if (fd_ < 0) return;
  if (base_ != nullptr) munmap(base_, cap_);
  if (ftruncate(fd_, static_cast<off_t>(len_)) != 0) {
    // The file keeps its zero tail: a reader stops at the first NUL anyway.
  }
  real_close(fd_);
  fd_ = -1;
  base_ = nullptr;
  cap_ = len_ = 0;
}

bool Recorder::start_locked() {
  if (started) return active();
  started = true;
  const char* pattern = std::getenv("MULTISOCK_RECORD");
  if (pattern == nullptr || *pattern == '\0') return false;
  std::string why;
  if (!out.open(expand_path(pattern), why)) {
    std::fprintf(stderr, "multisock-record: %s\n", why.c_str());
    return false;
  }
  origin_ns = now_ns();
  line.reserve(512);
  g_active.store(true, std::memory_order_relaxed);
  t_state.loop = true;
  // The origin on CLOCK_MONOTONIC: a harness puts its own moments (when it stopped the
  // program) on the trace's time line with it.
  note_locked("record pid " + std::to_string(getpid()) + " monotonic " + std::to_string(origin_ns));
  return true;
}

void Recorder::append_locked(Event& e, std::int64_t at_abs_ns) {
  if (!active()) return;
  e.time_ns = at_abs_ns > origin_ns ? at_abs_ns - origin_ns : 0;
  line.clear();
  conf::append_jsonl(line, e);
  out.append(line.data(), line.size());
}

void Recorder::note_locked(std::string text) {
  Event e;
  e.kind = EventKind::note;
  e.text = std::move(text);
  append_locked(e, now_ns());
}

int Recorder::easy_id_locked(const void* easy, bool assign) {
  if (easy == nullptr) return 0;
  if (const int id = easy_ids.find(easy); id != 0) return id;
  if (!assign) return -1;
  const int id = next_easy++;
  easy_ids.insert(easy, id);
  return id;
}

int Recorder::socketp_id_locked(const void* p) {
  if (p == nullptr) return 0;
  if (const int id = socketp_ids.find(p); id != 0) return id;
  const int id = next_socketp++;
  socketp_ids.insert(p, id);
  return id;
}

namespace {
const void* const kErased = reinterpret_cast<const void*>(std::uintptr_t{1});
}

std::size_t PointerIds::slot_of(const void* p) const {
  // Fibonacci hashing of the address without its alignment bits; capacity is a power of 2.
  const std::uint64_t h = (reinterpret_cast<std::uintptr_t>(p) >> 4) * 0x9E3779B97F4A7C15ull;
  return static_cast<std::size_t>(h >> 32) & (slots_.size() - 1);
}

int PointerIds::find(const void* p) const {
  if (slots_.empty()) return 0;
  for (std::size_t i = slot_of(p);; i = (i + 1) & (slots_.size() - 1)) {
    if (slots_[i].key == p) return slots_[i].id;
    if (slots_[i].key == nullptr) return 0;
  }
}

void PointerIds::insert(const void* p, int id) {
  if ((used_ + 1) * 2 > slots_.size()) rehash(std::max<std::size_t>(64, count_ * 4));
  std::size_t i = slot_of(p);
  while (slots_[i].key != nullptr && slots_[i].key != kErased) i = (i + 1) & (slots_.size() - 1);
  if (slots_[i].key == nullptr) ++used_;
  slots_[i] = Slot{p, id};
  ++count_;
}

void PointerIds::erase(const void* p) {
  if (slots_.empty()) return;
  for (std::size_t i = slot_of(p);; i = (i + 1) & (slots_.size() - 1)) {
    if (slots_[i].key == nullptr) return;
    if (slots_[i].key == p) {
      slots_[i] = Slot{kErased, 0};
      --count_;
      return;
    }
  }
}

void PointerIds::rehash(std::size_t capacity) {
  std::size_t cap = 64;
  while (cap < capacity) cap *= 2;
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(cap, Slot{});
  count_ = used_ = 0;
  for (const Slot& s : old)
    if (s.key != nullptr && s.key != kErased) insert(s.key, s.id);
}

void Recorder::add_lib_socket_locked(int fd) {
  if (fd < 0 || is_lib_locked(fd)) return;
  if (static_cast<std::size_t>(fd) >= watch.size()) watch.resize(static_cast<std::size_t>(fd) + 64, kNotLib);
  watch[fd] = -1;
  track_fd(fd);
  mark_dirty_locked(fd);
}

void Recorder::mark_dirty_locked(int fd) {
  // A program that never waits on one epoll set twice in a row does full scans: the list
  // is dropped rather than let grow.
  if (dirty.size() >= 4096) {
    dirty.clear();
    last_epfd = -1;
    return;
  }
  dirty.push_back(fd);
}

void Recorder::forget_fd_locked(int fd) {
  if (is_lib_locked(fd)) {
    // The checker forgets what it knew of the socket (asked, watched) with it.
    Event e;
    e.kind = ms::conf::EventKind::net_close;
    e.fd = fd;
    append_locked(e, now_ns());
    watch[fd] = kNotLib;
    for (auto& [epfd, set] : epolls)
      if (static_cast<std::size_t>(fd) < set.size()) set[fd] = EpollReg{};
  }
  epolls.erase(fd);
  if (fd == last_epfd) last_epfd = -1;  // a new set may get the number: look at everything
  timer_clocks.erase(fd);
  untrack_fd(fd);
}

void Recorder::stop() {
  std::lock_guard<std::mutex> lock(mu);
  g_active.store(false, std::memory_order_relaxed);
  g_multi.store(nullptr, std::memory_order_relaxed);
  out.finish();
}

}  // namespace ms::rec

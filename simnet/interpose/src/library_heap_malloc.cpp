// SPDX-License-Identifier: MIT
// library_heap_malloc.cpp: the library heap (library_heap.hpp) and the C library's
// allocation functions that serve it, for the whole program: a program links this object
// (ms_link_library_heap) only where no sanitizer brings an allocator of its own.
//
// The heap: blocks of size classes (16-byte steps up to 1 KiB, then powers of two), each
// after a 16-byte header, cut from a region mapped at a fixed address and grown at its end;
// a freed block goes on its class's list and is the next one of that class handed out. No
// address, clock or thread timing decides anything: the same sequence of requests gets the
// same addresses in any program and any run. Host code's requests go to the C library's
// own allocator (its __libc_ entry points), behind a per-thread cache of freed small blocks
// (below, "host blocks"), so the program is otherwise unaffected.
#include <dlfcn.h>
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <bit>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "library_heap_state.hpp"
#include "simnet/library_heap.hpp"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define MS_LIBRARY_HEAP 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define MS_LIBRARY_HEAP 0
#endif
#endif
#ifndef MS_LIBRARY_HEAP
#define MS_LIBRARY_HEAP 1
#endif

#if !MS_LIBRARY_HEAP
namespace ms::sim {
bool LibraryHeap::holds(const void*) { return false; }
std::size_t LibraryHeap::bytes_in_use() { return 0; }
}  // namespace ms::sim
#else

extern "C" {
void* __libc_malloc(std::size_t);
void __libc_free(void*);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void* __libc_memalign(std::size_t, std::size_t);
void* __libc_valloc(std::size_t);
void* __libc_pvalloc(std::size_t);
const char ms_library_heap_allocator = 1;
}

namespace ms::sim {
namespace {

// 16 TiB: far from the program, its libraries, its heap and its stacks, with or without
// address randomisation. The region grows upwards from here as blocks are cut.
constexpr std::uintptr_t kBase = std::uintptr_t{1} << 44;
constexpr std::size_t kGrowth = std::size_t{64} << 20;
constexpr std::size_t kHeader = 16;
constexpr int kSmallClasses = 64;  // 16, 32, ..., 1024 bytes
constexpr int kClasses = kSmallClasses + 40;
constexpr std::uint32_t kAlignedTag = ~std::uint32_t{0};  // a header before an aligned pointer

// A block's state, in its header: a block freed twice, or a pointer that is no block's,
// ends the process as the C library's allocator does (abort, "double free detected"), so a
// library's bug is still a crash the verdict names.
constexpr std::uint32_t kTaken = 0x7A4E7A4E;
constexpr std::uint32_t kFreed = 0xF4EEF4EE;

struct Header {
  std::uint32_t cls;     // the block's class, or kAlignedTag
  std::uint32_t state;   // kTaken or kFreed (a block's header)
  std::uint64_t offset;  // for kAlignedTag: how far past its block's start the pointer lies
};
static_assert(sizeof(Header) == kHeader);

std::size_t class_size(int cls) {
  return cls < kSmallClasses ? std::size_t{16} * static_cast<std::size_t>(cls + 1)
                             : std::size_t{2048} << (cls - kSmallClasses);
}
int class_of(std::size_t n) {
  if (n <= 1024) return n == 0 ? 0 : static_cast<int>((n - 1) / 16);
  return kSmallClasses + static_cast<int>(std::bit_width(n - 1)) - 11;
}

std::atomic<std::uintptr_t> g_end{kBase};  // end of the mapped region
std::atomic_flag g_lock = ATOMIC_FLAG_INIT;
std::uintptr_t g_top = kBase;              // the first byte never handed out
void* g_free[kClasses] = {};
std::size_t g_in_use = 0;

struct Lock {
  Lock() {
    while (g_lock.test_and_set(std::memory_order_acquire)) {
    }
  }
  ~Lock() { g_lock.clear(std::memory_order_release); }
};

bool ours(const void* p) {
  const auto a = reinterpret_cast<std::uintptr_t>(p);
  return a >= kBase && a < g_end.load(std::memory_order_acquire);
}

// Under the lock: a block of class cls (its payload), or nullptr when no memory is left.
void* take(int cls) {
  if (cls >= kClasses) return nullptr;
  if (void* p = g_free[cls]) {
    std::memcpy(&g_free[cls], p, sizeof(void*));
    const std::uint32_t taken = kTaken;
    std::memcpy(static_cast<char*>(p) - kHeader + offsetof(Header, state), &taken, sizeof taken);
    g_in_use += class_size(cls);
    return p;
  }
  const std::size_t need = kHeader + class_size(cls);
  const std::uintptr_t end = g_end.load(std::memory_order_relaxed);
  if (g_top + need > end) {
    const std::size_t grow = (g_top + need - end + kGrowth - 1) / kGrowth * kGrowth;
    void* m = ::mmap(reinterpret_cast<void*>(end), grow, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
    if (m == MAP_FAILED) return nullptr;
    if (m != reinterpret_cast<void*>(end)) {  // a kernel without MAP_FIXED_NOREPLACE: elsewhere
      ::munmap(m, grow);
      return nullptr;
    }
    g_end.store(end + grow, std::memory_order_release);
  }
  Header h{static_cast<std::uint32_t>(cls), kTaken, 0};
  std::memcpy(reinterpret_cast<void*>(g_top), &h, sizeof h);
  void* p = reinterpret_cast<void*>(g_top + kHeader);
  g_top += need;
  g_in_use += class_size(cls);
  return p;
}

Header header_of(const void* p) {
  Header h;
  std::memcpy(&h, static_cast<const char*>(p) - kHeader, sizeof h);
  return h;
}

[[noreturn]] void misuse(const char* call) {
  static const char text[] = "(): a block of the library heap freed twice, or a pointer that is none (abort)\n";
  [[maybe_unused]] auto n = ::write(2, "multisock: ", 11);
  n = ::write(2, call, std::strlen(call));
  n = ::write(2, text, sizeof text - 1);
  std::abort();
}

bool is_block(std::uintptr_t a) {
  if (a % 16 != 0 || a < kBase + kHeader || !ours(reinterpret_cast<void*>(a))) return false;
  const Header h = header_of(reinterpret_cast<void*>(a));
  return h.cls < static_cast<std::uint32_t>(kClasses) && h.state == kTaken;
}

// The block a pointer of ours belongs to (an aligned pointer lies inside one), checked to be
// one in use; `call` names the function for misuse().
void* block_of(void* p, const char* call) {
  const auto a = reinterpret_cast<std::uintptr_t>(p);
  if (a % 16 != 0 || a < kBase + kHeader) misuse(call);  // no header of ours before it
  const Header h = header_of(p);
  const std::uintptr_t block = h.cls == kAlignedTag && h.offset <= a ? a - h.offset : a;
  if (!is_block(block)) misuse(call);
  return reinterpret_cast<void*>(block);
}

std::size_t usable(void* p, const char* call) {
  void* block = block_of(p, call);
  return class_size(static_cast<int>(header_of(block).cls)) -
         static_cast<std::size_t>(static_cast<char*>(p) - static_cast<char*>(block));
}

void give(void* p) {
  void* block = block_of(p, "free");
  const int cls = static_cast<int>(header_of(block).cls);
  const std::uint32_t freed = kFreed;
  Lock lock;
  std::memcpy(static_cast<char*>(block) - kHeader + offsetof(Header, state), &freed, sizeof freed);
  std::memcpy(block, &g_free[cls], sizeof(void*));
  g_free[cls] = block;
  g_in_use -= class_size(cls);
}

void* heap_malloc(std::size_t n) {
  void* p = nullptr;
  {
    Lock lock;
    p = take(class_of(n));
  }
  if (p == nullptr) errno = ENOMEM;
  return p;
}

// A pointer aligned to `align` (a power of two) with n bytes after it, inside a block.
void* heap_aligned(std::size_t align, std::size_t n) {
  if (align <= 16) return heap_malloc(n);
  if (n > SIZE_MAX - align - kHeader) {
    errno = ENOMEM;
    return nullptr;
  }
  char* block = static_cast<char*>(heap_malloc(n + align + kHeader));
  if (block == nullptr) return nullptr;
  const auto start = reinterpret_cast<std::uintptr_t>(block) + kHeader;
  char* p = reinterpret_cast<char*>((start + align - 1) & ~(std::uintptr_t{align} - 1));
  const Header h{kAlignedTag, 0, static_cast<std::uint64_t>(p - block)};
  std::memcpy(p - kHeader, &h, sizeof h);
  return p;
}

bool library_allocates() { return heap_state::in_library && heap_state::on.load(std::memory_order_relaxed); }

std::size_t (*next_usable_size())(void*) {
  static auto* f = reinterpret_cast<std::size_t (*)(void*)>(::dlsym(RTLD_NEXT, "malloc_usable_size"));
  return f;
}


// ---- host blocks: a per-thread cache in front of the C library's allocator -------------
//
// The harness allocates and frees small blocks by the million (a trace's strings, the
// engine's and the checker's objects); each went through the C library's allocator, whose
// bookkeeping (its small per-thread cache holds 7 blocks a size) was a sixth of a simulated
// run's CPU. A freed host block of at most 1 KiB is kept on its thread, in a list by the C
// library's own size step, and handed out again for a request of that step; past a bound
// per list (32 KiB of blocks) it goes back. The blocks stay the C library's: realloc,
// malloc_usable_size and a free on another thread treat them as any other. A thread's lists
// go back to the C library when it ends. A memory checker must see every free: a thread
// started under MS_LIBRARY_HEAP=0 (the switch for one) or under valgrind (its preload in
// LD_PRELOAD) caches nothing.

constexpr std::size_t kHostSteps = 64;       // chunks of 32, 48, ..., 1,040 bytes
constexpr std::size_t kHostBytesPerStep = 32 << 10;

struct HostCache {
  void* head[kHostSteps];
  std::uint32_t count[kHostSteps];
  bool registered;  // its lists are handed back at the thread's end
  bool busy;        // registering: an allocation meanwhile bypasses the cache
  bool refused;     // a memory checker's run: this thread caches nothing
};
constinit thread_local HostCache t_host{};

// The C library's chunk for a request of n bytes (header and 16-byte steps, 32 at least),
// as a step index; kHostSteps past the cached sizes.
std::size_t host_step_of_request(std::size_t n) {
  if (n > 1024) return kHostSteps;
  const std::size_t chunk = n + 8 <= 32 ? 32 : (n + 8 + 15) & ~std::size_t{15};
  return chunk / 16 - 2;
}

// The step of a block the C library handed out, from its usable size (chunk - 8 for a heap
// block; a block of its own mapping reads otherwise and is never cached).
std::size_t host_step_of_usable(std::size_t usable) {
  if ((usable + 8) % 16 != 0 || usable + 8 < 32) return kHostSteps;
  const std::size_t step = (usable + 8) / 16 - 2;
  return step < kHostSteps ? step : kHostSteps;
}

// The same read from the word before the block, where glibc keeps its chunk's size (low
// three bits: flags; 2: a mapping of its own, which is never cached: the smallest is a
// page): malloc_usable_size through its pointer was a twentieth of a simulated run's CPU.
// Used only once blocks of each cached size were seen to read as malloc_usable_size reads
// them (header_matches_usable_size), and only on a thread that caches: a memory checker's
// blocks are never read this way.
std::size_t host_step_from_header(const void* p) {
  std::size_t word;
  std::memcpy(&word, static_cast<const char*>(p) - sizeof word, sizeof word);
  if ((word & 2) != 0) return kHostSteps;
  return host_step_of_usable((word & ~std::size_t{7}) - 8);
}

bool header_matches_usable_size() {
  auto* usable_size = next_usable_size();
  if (usable_size == nullptr) return false;
  bool same = true;
  for (std::size_t n = 1; n <= 1100 && same; n += 13) {
    void* p = __libc_malloc(n);
    if (p == nullptr) return false;
    same = host_step_from_header(p) == host_step_of_usable(usable_size(p));
    __libc_free(p);
  }
  return same;
}

std::size_t host_step_of_block(void* p) {
  static const bool by_header = header_matches_usable_size();
  if (by_header) return host_step_from_header(p);
  auto* usable_size = next_usable_size();
  return usable_size == nullptr ? kHostSteps : host_step_of_usable(usable_size(p));
}

pthread_key_t host_key;

void hand_back(void* cache) {
  auto* c = static_cast<HostCache*>(cache);
  c->busy = true;  // frees from here on go straight back
  for (std::size_t i = 0; i < kHostSteps; ++i) {
    while (void* p = c->head[i]) {
      std::memcpy(&c->head[i], p, sizeof(void*));
      __libc_free(p);
    }
    c->count[i] = 0;
  }
}

bool memory_checker_run() {
  const char* heap = std::getenv("MS_LIBRARY_HEAP");
  if (heap != nullptr && std::strcmp(heap, "0") == 0) return true;
  const char* preload = std::getenv("LD_PRELOAD");
  return preload != nullptr && std::strstr(preload, "vgpreload") != nullptr;
}

bool host_cache_ready() {
  HostCache& c = t_host;
  if (c.registered) return true;
  if (c.busy || c.refused) return false;
  if (memory_checker_run()) {
    c.refused = true;
    return false;
  }
  c.busy = true;  // pthread_key_create and pthread_setspecific may allocate
  static const bool key_made = pthread_key_create(&host_key, hand_back) == 0;
  c.registered = key_made && pthread_setspecific(host_key, &c) == 0;
  c.busy = false;
  return c.registered;
}

void* host_malloc(std::size_t n) {
  const std::size_t step = host_step_of_request(n);
  if (step < kHostSteps) {
    HostCache& c = t_host;
    if (void* p = c.head[step]) {
      std::memcpy(&c.head[step], p, sizeof(void*));
      --c.count[step];
      return p;
    }
  }
  return __libc_malloc(n);
}

void host_free(void* p) {
  HostCache& c = t_host;
  const std::size_t step = c.busy || c.refused || !host_cache_ready() ? kHostSteps : host_step_of_block(p);
  if (step < kHostSteps && c.count[step] < kHostBytesPerStep / ((step + 2) * 16)) {
    std::memcpy(p, &c.head[step], sizeof(void*));
    c.head[step] = p;
    ++c.count[step];
    return;
  }
  __libc_free(p);
}

}  // namespace

bool LibraryHeap::holds(const void* p) { return ours(p); }
std::size_t LibraryHeap::bytes_in_use() {
  Lock lock;
  return g_in_use;
}

}  // namespace ms::sim

// ---- the C library's allocation functions ---------------------------------------------

using ms::sim::heap_aligned;
using ms::sim::heap_malloc;
using ms::sim::library_allocates;
using ms::sim::ours;

extern "C" {

void* malloc(std::size_t n) noexcept { return library_allocates() ? heap_malloc(n) : ms::sim::host_malloc(n); }

void free(void* p) noexcept {
  if (p == nullptr) return;
  if (ours(p)) ms::sim::give(p);
  else ms::sim::host_free(p);
}

void* calloc(std::size_t count, std::size_t size) noexcept {
  if (!library_allocates()) return __libc_calloc(count, size);
  std::size_t n = 0;
  if (__builtin_mul_overflow(count, size, &n)) {
    errno = ENOMEM;
    return nullptr;
  }
  void* p = heap_malloc(n);
  if (p != nullptr) std::memset(p, 0, n);
  return p;
}

void* realloc(void* p, std::size_t n) noexcept {
  if (p == nullptr) return malloc(n);
  if (!ours(p)) return __libc_realloc(p, n);
  if (n == 0) {  // as the C library: the block is freed
    free(p);
    return nullptr;
  }
  const std::size_t have = ms::sim::usable(p, "realloc");
  if (n <= have) return p;
  void* q = heap_malloc(n);  // a block of ours stays in the library heap, whoever grows it
  if (q == nullptr) return nullptr;
  std::memcpy(q, p, have);
  free(p);
  return q;
}

int posix_memalign(void** out, std::size_t align, std::size_t n) noexcept {
  if (align < sizeof(void*) || !std::has_single_bit(align)) return EINVAL;
  const int saved = errno;
  void* p = library_allocates() ? heap_aligned(align, n) : __libc_memalign(align, n);
  const int rc = p != nullptr ? 0 : ENOMEM;
  errno = saved;
  if (p != nullptr) *out = p;
  return rc;
}

void* aligned_alloc(std::size_t align, std::size_t n) noexcept {
  if (!std::has_single_bit(align)) {
    errno = EINVAL;
    return nullptr;
  }
  return library_allocates() ? heap_aligned(align, n) : __libc_memalign(align, n);
}

void* memalign(std::size_t align, std::size_t n) noexcept {
  if (!library_allocates()) return __libc_memalign(align, n);
  return heap_aligned(std::bit_ceil(align == 0 ? std::size_t{1} : align), n);
}

void* valloc(std::size_t n) noexcept { return library_allocates() ? heap_aligned(4096, n) : __libc_valloc(n); }

void* pvalloc(std::size_t n) noexcept {
  if (!library_allocates()) return __libc_pvalloc(n);
  return heap_aligned(4096, n == 0 ? 4096 : (n + 4095) / 4096 * 4096);
}

std::size_t malloc_usable_size(void* p) noexcept {
  if (p == nullptr) return 0;
  if (ours(p)) return ms::sim::usable(p, "malloc_usable_size");
  auto* next = ms::sim::next_usable_size();
  return next != nullptr ? next(p) : 0;
}

}  // extern "C"
#endif  // MS_LIBRARY_HEAP

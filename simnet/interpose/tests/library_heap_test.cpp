// SPDX-License-Identifier: MIT
// The library heap through the C library's own names, as a library calls them.
#include "simnet/library_heap.hpp"

#include <gtest/gtest.h>
#include <malloc.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

namespace {

using ms::sim::HostCode;
using ms::sim::LibraryCode;
using ms::sim::LibraryHeap;

// Calls through a volatile pointer: the compiler may not pair or drop them.
void* (*volatile c_malloc)(std::size_t) = &std::malloc;
void (*volatile c_free)(void*) = &std::free;
void* (*volatile c_calloc)(std::size_t, std::size_t) = &std::calloc;
void* (*volatile c_realloc)(void*, std::size_t) = &std::realloc;

bool heap_available() {
  LibraryHeap::use();
  return LibraryHeap::in_use();
}

TEST(LibraryHeap, OnlyLibraryCodeAllocatesFromIt) {
  if (!heap_available()) GTEST_SKIP() << "a sanitizer's allocator: no library heap in this build";
  void* host = c_malloc(100);
  EXPECT_FALSE(LibraryHeap::holds(host));
  void* lib = nullptr;
  void* host_inside = nullptr;
  {
    const LibraryCode library;
    lib = c_malloc(100);
    {
      const HostCode back;  // a callback into the program
      host_inside = c_malloc(100);
    }
    c_free(host);  // a block of the program's heap, freed by the library: goes back there
  }
  EXPECT_TRUE(LibraryHeap::holds(lib));
  EXPECT_FALSE(LibraryHeap::holds(host_inside));
  std::thread other([&] { c_free(c_malloc(10)); });  // another thread: host code by default
  other.join();
  c_free(lib);  // by its address, whoever frees it
  c_free(host_inside);
}

TEST(LibraryHeap, FreedBlocksComeBackInTheSameOrderAtTheSameAddresses) {
  if (!heap_available()) GTEST_SKIP() << "a sanitizer's allocator: no library heap in this build";
  constexpr std::size_t sizes[] = {1, 24, 100, 1024, 1025, 5000, 70000};
  constexpr int kBlocks = sizeof sizes / sizeof sizes[0];
  void* first[kBlocks] = {};
  void* second[kBlocks] = {};
  std::size_t before = 0, held = 0, after = 0;
  {
    const LibraryCode library;  // nothing but the blocks in here (no vector, no assertion)
    before = LibraryHeap::bytes_in_use();
    for (int i = 0; i < kBlocks; ++i) first[i] = c_malloc(sizes[i]);
    held = LibraryHeap::bytes_in_use();
    for (void* p : first) c_free(p);
    after = LibraryHeap::bytes_in_use();
    for (int i = 0; i < kBlocks; ++i) second[i] = c_malloc(sizes[i]);
  }
  EXPECT_GT(held, before);
  EXPECT_EQ(after, before);
  // Each class hands back the block it got last: the same sequence of requests meets the
  // same addresses, which is what keeps a library's order of its objects from run to run.
  for (int i = 0; i < kBlocks; ++i) {
    EXPECT_EQ(first[i], second[i]) << sizes[i];
    EXPECT_TRUE(LibraryHeap::holds(second[i]));
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(second[i]) % 16, 0u);
    EXPECT_GE(malloc_usable_size(second[i]), sizes[i]);
    std::memset(second[i], 0xab, sizes[i]);  // all of it writable
  }
  for (void* p : second) c_free(p);
}

TEST(LibraryHeap, CallocReallocAndAlignedBlocksBehaveAsTheCLibrarySays) {
  if (!heap_available()) GTEST_SKIP() << "a sanitizer's allocator: no library heap in this build";
  const LibraryCode library;
  auto* dirty = static_cast<unsigned char*>(c_malloc(64));
  std::memset(dirty, 0xff, 64);
  c_free(dirty);
  auto* zeroed = static_cast<unsigned char*>(c_calloc(8, 8));  // the same block again
  ASSERT_EQ(zeroed, dirty);
  for (int i = 0; i < 64; ++i) EXPECT_EQ(zeroed[i], 0) << i;
  errno = 0;
  EXPECT_EQ(c_calloc(SIZE_MAX / 2, 4), nullptr);  // overflow
  EXPECT_EQ(errno, ENOMEM);

  auto* grown = static_cast<unsigned char*>(c_realloc(zeroed, 10000));
  ASSERT_NE(grown, nullptr);
  EXPECT_TRUE(LibraryHeap::holds(grown));
  for (int i = 0; i < 64; ++i) EXPECT_EQ(grown[i], 0) << i;  // its contents moved with it
  EXPECT_EQ(c_realloc(grown, 100), grown);                    // shrinking keeps the block
  EXPECT_EQ(c_realloc(grown, 0), nullptr);                    // freed
  void* fresh = c_realloc(nullptr, 5);
  EXPECT_TRUE(LibraryHeap::holds(fresh));
  // The C library's own functions allocate through these names too: a block it grows or
  // makes in library code is one of the library heap's.
  auto* more = static_cast<char*>(reallocarray(fresh, 1000, 10));
  ASSERT_NE(more, nullptr);
  EXPECT_TRUE(LibraryHeap::holds(more));
  char* copy = strdup("made by the C library for library code");
  EXPECT_TRUE(LibraryHeap::holds(copy));
  c_free(copy);
  c_free(more);

  for (std::size_t align : {32u, 64u, 4096u}) {
    void* p = nullptr;
    ASSERT_EQ(posix_memalign(&p, align, 3000), 0);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p) % align, 0u);
    EXPECT_TRUE(LibraryHeap::holds(p));
    EXPECT_GE(malloc_usable_size(p), 3000u);
    std::memset(p, 1, 3000);
    c_free(p);
    void* q = aligned_alloc(align, 2 * align);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(q) % align, 0u);
    c_free(q);
  }
  void* p = nullptr;
  EXPECT_EQ(posix_memalign(&p, 24, 10), EINVAL);  // not a power of two
  EXPECT_EQ(p, nullptr);
  errno = 0;
  EXPECT_EQ(c_malloc(SIZE_MAX / 2), nullptr);  // more than the heap's largest class
  EXPECT_EQ(errno, ENOMEM);
}

}  // namespace

namespace {

// As the C library's allocator: a library's double free, or a free of what is no block,
// ends the process (SIGABRT), which the verdict reports as the library's crash.
TEST(LibraryHeapDeathTest, ADoubleFreeOrAPointerThatIsNoBlockAborts) {
  if (!heap_available()) GTEST_SKIP() << "a sanitizer's allocator: no library heap in this build";
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        const LibraryCode library;
        void* p = c_malloc(40);
        c_free(p);
        c_free(p);
      },
      "freed twice");
  EXPECT_DEATH(
      {
        const LibraryCode library;
        char* p = static_cast<char*>(c_malloc(400));
        c_free(p + 32);
      },
      "a pointer that is none");
  EXPECT_DEATH(
      {
        const LibraryCode library;
        c_free(c_malloc(8));  // the heap's region is there
        c_free(reinterpret_cast<void*>(std::uintptr_t{1} << 44));  // its first byte: no header before it
      },
      "multisock: free\\(\\)");
  EXPECT_DEATH(
      {
        const LibraryCode library;
        void* p = c_malloc(40);
        c_free(p);
        static_cast<void>(c_realloc(p, 4000));
      },
      "multisock: realloc\\(\\)");
}

}  // namespace

// ---- host blocks: the per-thread cache in front of the C library (library_heap_malloc.cpp)

namespace {

// Bytes the C library counts as handed out: what a thread's cached blocks still hold.
std::size_t c_library_in_use() { return mallinfo2().uordblks; }

}  // namespace

TEST(HostCache, AFreedSmallBlockIsHandedOutAgainForARequestOfItsSize) {
  if (!heap_available()) GTEST_SKIP() << "a sanitizer's allocator: the C library's own, uncached";
  void* a = c_malloc(100);
  c_free(a);
  void* b = c_malloc(104);  // the same 16-byte step of the C library (a 112-byte chunk)
  EXPECT_EQ(a, b);
  EXPECT_GE(malloc_usable_size(b), 104u);
  std::memset(b, 0x5a, 104);
  void* c = c_realloc(b, 4000);  // still the C library's block: it grows as any other
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(static_cast<unsigned char*>(c)[103], 0x5a);
  c_free(c);
  void* big = c_malloc(5000);  // past 1 KiB: never cached, but freed as usual
  c_free(big);
  void* zeroed = c_calloc(10, 10);  // calloc is the C library's own: zeroed
  for (int i = 0; i < 100; ++i) ASSERT_EQ(static_cast<unsigned char*>(zeroed)[i], 0) << i;
  c_free(zeroed);
}

TEST(HostCache, AThreadsCachedBlocksGoBackWhenItEnds) {
  if (!heap_available()) GTEST_SKIP() << "a sanitizer's allocator: the C library's own, uncached";
  const std::size_t before = c_library_in_use();
  std::size_t held_inside = 0;
  std::thread t([&] {
    std::vector<void*> blocks;
    for (int i = 0; i < 4000; ++i) blocks.push_back(c_malloc(64 + (i % 8) * 16));  // 8 sizes
    for (void* p : blocks) c_free(p);  // kept on this thread, up to the bound per size
    blocks.clear();
    blocks.shrink_to_fit();  // the list itself (32 KiB) is not what is measured
    held_inside = c_library_in_use();
  });
  t.join();
  const std::size_t after = c_library_in_use();
  EXPECT_GT(held_inside, before + 64 * 1024) << "the thread kept none of its freed blocks";
  EXPECT_LT(held_inside, before + 8 * 32 * 1024 + 16 * 1024) << "the bound per size was not kept";
  EXPECT_LT(after, before + 16 * 1024) << "the ended thread's blocks were not handed back";
}

// What a thread keeps of 4,000 freed blocks of 8 sizes (bytes the C library counts in use).
std::size_t held_by_a_thread_freeing_blocks() {
  const std::size_t before = c_library_in_use();
  std::size_t held = 0;
  std::thread t([&] {
    std::vector<void*> blocks;
    for (int i = 0; i < 4000; ++i) blocks.push_back(c_malloc(64 + (i % 8) * 16));
    for (void* p : blocks) c_free(p);
    blocks.clear();
    blocks.shrink_to_fit();
    held = c_library_in_use();
  });
  t.join();
  return held > before ? held - before : 0;
}

TEST(HostCache, AMemoryCheckersRunCachesNothing) {
  if (!heap_available()) GTEST_SKIP() << "a sanitizer's allocator: the C library's own, uncached";
  EXPECT_GT(held_by_a_thread_freeing_blocks(), 64u * 1024) << "the cache is on by default";
  ::setenv("MS_LIBRARY_HEAP", "0", 1);
  const std::size_t switched = held_by_a_thread_freeing_blocks();
  ::unsetenv("MS_LIBRARY_HEAP");
  // What valgrind puts in the environment of the program it runs.
  ::setenv("LD_PRELOAD", "/usr/libexec/valgrind/vgpreload_core-amd64-linux.so", 1);
  const std::size_t under_valgrind = held_by_a_thread_freeing_blocks();
  ::unsetenv("LD_PRELOAD");
  // The C library's own per-thread cache (7 blocks a size) is all that is left.
  EXPECT_LT(switched, 48u * 1024) << "MS_LIBRARY_HEAP=0: the thread cached its freed blocks";
  EXPECT_LT(under_valgrind, 48u * 1024) << "valgrind: the thread cached its freed blocks";
}

TEST(HostCache, ABlockFreedOnAnotherThreadIsServedThere) {
  if (!heap_available()) GTEST_SKIP() << "a sanitizer's allocator: the C library's own, uncached";
  void* p = c_malloc(200);
  void* again = nullptr;
  std::thread t([&] {
    c_free(p);  // another thread's block: cached here, the C library's all the same
    again = c_malloc(200);
    c_free(again);
  });
  t.join();
  EXPECT_EQ(again, p);
}

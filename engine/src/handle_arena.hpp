// SPDX-License-Identifier: MIT
// handle_arena.hpp: where the handles an application holds live, so that any pointer it
// passes can be judged without a search. Slots of one size come from chunks kept until the
// arena goes; a pointer is a live handle when it falls in one of our chunks on a slot's
// boundary and that slot is taken (a bit per slot beside the chunk), all decided without
// reading the pointed-to memory. Its chunk is found through the 64 KiB window of address
// space the pointer is in (a small hashed table, two entries per chunk of ~100 handles), so
// the check costs the same with 100,000 handles as with 100: no search whose steps grow
// with the chunks, no hashed set of pointers whose buckets leave the cache as it grows.
//
// A free slot holds the free list's link in its first 8 bytes. Thread-safe: one mutex.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

namespace ms {

class HandleArena {
 public:
  explicit HandleArena(std::size_t slot_size);
  ~HandleArena();
  HandleArena(const HandleArena&) = delete;
  HandleArena& operator=(const HandleArena&) = delete;

  void* take();           // a slot of slot_size bytes, or nullptr when memory is out
  void give(void* slot);  // back to the free list (the object in it already destroyed)
  // Whether p is a slot of this arena that is taken; p is not dereferenced.
  bool live(const void* p) const;

 private:
  // 64 KiB: below malloc's threshold for mapping a block of its own (which would cost a
  // page table entry per chunk and round it up to pages).
  static constexpr std::size_t kChunkBytes = std::size_t{1} << 16;
  struct Chunk {
    void* block = nullptr;
    std::uintptr_t first = 0;          // its first slot
    std::size_t handed = 0;            // slots handed out so far (all, but in the newest chunk)
    std::vector<std::uint64_t> taken;  // a bit per slot: handed out and not given back
  };
  // The chunks overlapping one window of kChunkBytes of address space (its number: the
  // address shifted by kWindowBits). A block of kChunkBytes overlaps at most two windows and
  // a window at most two blocks (they do not overlap).
  static constexpr int kWindowBits = 16;
  static_assert(kChunkBytes == std::size_t{1} << kWindowBits);
  static constexpr std::uint32_t kNoChunk = ~std::uint32_t{0};
  struct Window {
    std::uintptr_t number = 0;  // 0: an empty entry (no block lies in the first 64 KiB)
    std::uint32_t chunks[2] = {kNoChunk, kNoChunk};
  };
  // Whether `at` is a slot handed out (taken or given back): then its chunk's index in
  // chunks_ and its index in the chunk.
  bool find(std::uintptr_t at, std::size_t& chunk, std::size_t& index) const;
  const Window* window(std::uintptr_t number) const;
  std::size_t probe(std::uintptr_t number) const;  // its entry, or the empty one it would take
  void index_chunk(std::uint32_t chunk);  // enters chunks_[chunk] under the windows it overlaps

  std::size_t slot_size_;
  // ceil(2^32 / slot_size_): (offset * it) >> 32 is offset / slot_size_ for every offset below
  // kChunkBytes (the error, offset * (it - 2^32 / slot_size_) / 2^32, stays below
  // 1 / slot_size_ while offset * slot_size_ < 2^32). Every call checks its handle: a
  // multiply, where a 64-bit division took tens of cycles.
  std::uint64_t slot_reciprocal_;
  std::size_t slots_per_chunk_;
  std::vector<Chunk> chunks_;    // in the order made; the last one hands out fresh slots
  std::vector<Window> windows_;  // open addressing, linear probing; a power of two long
  std::size_t windows_used_ = 0;
  void* free_ = nullptr;       // free slots, linked through their first 8 bytes
  mutable std::mutex mutex_;
};

}  // namespace ms

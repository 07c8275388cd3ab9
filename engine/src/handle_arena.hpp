// SPDX-License-Identifier: MIT
// handle_arena.hpp: where the handles an application holds live, so that any pointer it
// passes can be judged without a search. Slots of one size come from chunks that are never
// given back to the system; a pointer is one of our slots when it falls in one of our chunks
// on a slot's boundary (decided without touching the pointer), and only then is its magic
// number read. The cost of that check does not grow with the number of
// handles (a binary search over the chunks, one per ~100 handles), unlike a hashed set of
// pointers, whose buckets and nodes leave the cache as the set grows.
//
// A free slot holds the free list's link in its first 8 bytes; the rest is left as the
// destroyed object left it (registry.hpp clears a handle's magic number before giving its
// slot back). Thread-safe: one mutex per arena.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

namespace ms {

class HandleArena {
 public:
  explicit HandleArena(std::size_t slot_size);
  HandleArena(const HandleArena&) = delete;
  HandleArena& operator=(const HandleArena&) = delete;

  void* take();             // a slot of slot_size bytes, or nullptr when memory is out
  void give(void* slot);    // back to the free list (the object in it already destroyed)
  // Whether p is one of this arena's slots and check() (which may read *p) says yes. p is
  // read only once it is known to be a slot, with the lock held, so that another thread
  // cannot give it back in between.
  template <class Check>
  bool holds(const void* p, Check&& check) const {
    std::lock_guard g(mutex_);
    return is_slot(reinterpret_cast<std::uintptr_t>(p)) && check();
  }

 private:
  // 64 KiB: below malloc's threshold for mapping a block of its own (which would cost a
  // page table entry per chunk and round it up to pages).
  static constexpr std::size_t kChunkBytes = std::size_t{1} << 16;
  struct Chunk {
    std::uintptr_t first = 0;  // its first slot
    std::size_t handed = 0;    // slots handed out so far (all but for the newest chunk)
  };
  bool is_slot(std::uintptr_t at) const;  // with mutex_ held

  std::size_t slot_size_;
  std::size_t slots_per_chunk_;
  std::vector<Chunk> chunks_;  // by address of the first slot, ascending
  Chunk* newest_ = nullptr;
  void* free_ = nullptr;       // free slots, linked through their first 8 bytes
  mutable std::mutex mutex_;
};

}  // namespace ms

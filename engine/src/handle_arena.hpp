// SPDX-License-Identifier: MIT
// handle_arena.hpp: where the handles an application holds live, so that any pointer it
// passes can be judged without a search. Slots of one size come from chunks kept until the
// arena goes; a pointer is a live handle when it falls in one of our chunks on a slot's
// boundary and that slot is taken (a bit per slot beside the chunk), all decided without
// reading the pointed-to memory. The cost of that check does not grow with the number of
// handles (a binary search over the chunks, one per ~100 handles), unlike a hashed set of
// pointers, whose buckets and nodes leave the cache as the set grows.
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
  // Whether `at` is a slot handed out (taken or given back): then its chunk's index in
  // chunks_ and its index in the chunk.
  bool find(std::uintptr_t at, std::size_t& chunk, std::size_t& index) const;

  std::size_t slot_size_;
  std::size_t slots_per_chunk_;
  std::vector<Chunk> chunks_;  // by address of the first slot, ascending
  std::size_t newest_ = 0;     // index in chunks_ of the chunk handing out fresh slots
  void* free_ = nullptr;       // free slots, linked through their first 8 bytes
  mutable std::mutex mutex_;
};

}  // namespace ms

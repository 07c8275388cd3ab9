// SPDX-License-Identifier: MIT
#include "handle_arena.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <iterator>

namespace ms {
namespace {
constexpr std::size_t kAlign = 64;  // a slot starts a cache line: a handle's hot fields share one
std::size_t round_up(std::size_t n) { return (std::max<std::size_t>(n, 16) + kAlign - 1) / kAlign * kAlign; }
void set_bit(std::vector<std::uint64_t>& bits, std::size_t i, bool on) {
  if (on)
    bits[i / 64] |= std::uint64_t{1} << (i % 64);
  else
    bits[i / 64] &= ~(std::uint64_t{1} << (i % 64));
}
}  // namespace

HandleArena::HandleArena(std::size_t slot_size)
    : slot_size_(round_up(slot_size)), slots_per_chunk_((kChunkBytes - kAlign) / round_up(slot_size)) {}

HandleArena::~HandleArena() {
  for (Chunk& c : chunks_) std::free(c.block);
}

void* HandleArena::take() {
  std::lock_guard g(mutex_);
  void* slot = free_;
  std::size_t chunk = 0, index = 0;
  if (slot) {
    std::memcpy(&free_, slot, sizeof free_);
    find(reinterpret_cast<std::uintptr_t>(slot), chunk, index);  // a slot given back: found
  } else {
    if (chunks_.empty() || chunks_[newest_].handed == slots_per_chunk_) {
      if (slots_per_chunk_ == 0) return nullptr;  // a handle larger than a chunk: never here
      void* block = std::malloc(kChunkBytes);
      if (!block) return nullptr;
      Chunk c;
      c.block = block;
      c.first = (reinterpret_cast<std::uintptr_t>(block) + kAlign - 1) / kAlign * kAlign;
      c.taken.assign((slots_per_chunk_ + 63) / 64, 0);
      auto at = std::upper_bound(chunks_.begin(), chunks_.end(), c.first,
                                 [](std::uintptr_t p, const Chunk& k) { return p < k.first; });
      const auto inserted = chunks_.insert(at, std::move(c));  // (before begin(): it may move)
      newest_ = static_cast<std::size_t>(inserted - chunks_.begin());
    }
    // Handed out in address order: handles made one after another sit side by side.
    chunk = newest_;
    index = chunks_[chunk].handed++;
    slot = reinterpret_cast<void*>(chunks_[chunk].first + index * slot_size_);
  }
  set_bit(chunks_[chunk].taken, index, true);
  return slot;
}

void HandleArena::give(void* slot) {
  std::lock_guard g(mutex_);
  std::size_t chunk = 0, index = 0;
  if (!find(reinterpret_cast<std::uintptr_t>(slot), chunk, index)) return;  // not ours
  set_bit(chunks_[chunk].taken, index, false);
  std::memcpy(slot, &free_, sizeof free_);
  free_ = slot;
}

bool HandleArena::live(const void* p) const {
  std::lock_guard g(mutex_);
  std::size_t chunk = 0, index = 0;
  return find(reinterpret_cast<std::uintptr_t>(p), chunk, index) &&
         (chunks_[chunk].taken[index / 64] >> (index % 64) & 1) != 0;
}

bool HandleArena::find(std::uintptr_t at, std::size_t& chunk, std::size_t& index) const {
  // The last chunk that starts at or before `at`.
  auto after = std::upper_bound(chunks_.begin(), chunks_.end(), at,
                                [](std::uintptr_t p, const Chunk& c) { return p < c.first; });
  if (after == chunks_.begin()) return false;
  const Chunk& c = *std::prev(after);
  const std::uintptr_t offset = at - c.first;
  if (offset % slot_size_ != 0 || offset / slot_size_ >= c.handed) return false;
  chunk = static_cast<std::size_t>(std::prev(after) - chunks_.begin());
  index = offset / slot_size_;
  return true;
}

}  // namespace ms

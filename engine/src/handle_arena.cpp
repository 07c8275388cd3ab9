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
}  // namespace

HandleArena::HandleArena(std::size_t slot_size)
    : slot_size_(round_up(slot_size)), slots_per_chunk_((kChunkBytes - kAlign) / round_up(slot_size)) {}

void* HandleArena::take() {
  std::lock_guard g(mutex_);
  if (free_) {
    void* slot = free_;
    std::memcpy(&free_, slot, sizeof free_);
    return slot;
  }
  if (!newest_ || newest_->handed == slots_per_chunk_) {
    if (slots_per_chunk_ == 0) return nullptr;  // a handle larger than a chunk: never here
    void* block = std::malloc(kChunkBytes);
    if (!block) return nullptr;
    const auto first = (reinterpret_cast<std::uintptr_t>(block) + kAlign - 1) / kAlign * kAlign;
    auto at = std::upper_bound(chunks_.begin(), chunks_.end(), first,
                               [](std::uintptr_t p, const Chunk& c) { return p < c.first; });
    newest_ = &*chunks_.insert(at, Chunk{first, 0});
  }
  // Handed out in address order: handles made one after another sit side by side.
  return reinterpret_cast<void*>(newest_->first + newest_->handed++ * slot_size_);
}

void HandleArena::give(void* slot) {
  if (!slot) return;
  std::lock_guard g(mutex_);
  std::memcpy(slot, &free_, sizeof free_);
  free_ = slot;
}

bool HandleArena::is_slot(std::uintptr_t at) const {
  // The last chunk that starts at or before `at`.
  auto after = std::upper_bound(chunks_.begin(), chunks_.end(), at,
                                [](std::uintptr_t p, const Chunk& c) { return p < c.first; });
  if (after == chunks_.begin()) return false;
  const Chunk& c = *std::prev(after);
  const std::uintptr_t offset = at - c.first;
  return offset % slot_size_ == 0 && offset / slot_size_ < c.handed;
}

}  // namespace ms

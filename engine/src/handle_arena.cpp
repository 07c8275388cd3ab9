// SPDX-License-Identifier: MIT
#include "handle_arena.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>

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
// A window's first entry to probe in a table of mask + 1 (Fibonacci hashing).
std::size_t slot_of(std::uintptr_t number, std::size_t mask) {
  return static_cast<std::size_t>((number * 0x9E3779B97F4A7C15ull) >> 32) & mask;
}
}  // namespace

HandleArena::HandleArena(std::size_t slot_size)
    : slot_size_(round_up(slot_size)),
      slot_reciprocal_(((std::uint64_t{1} << 32) + slot_size_ - 1) / slot_size_),
      slots_per_chunk_((kChunkBytes - kAlign) / slot_size_) {}

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
    if (chunks_.empty() || chunks_.back().handed == slots_per_chunk_) {
      if (slots_per_chunk_ == 0 || chunks_.size() >= kNoChunk) return nullptr;  // never here
      void* block = std::malloc(kChunkBytes);
      if (!block) return nullptr;
      Chunk c;
      c.block = block;
      c.first = (reinterpret_cast<std::uintptr_t>(block) + kAlign - 1) / kAlign * kAlign;
      c.taken.assign((slots_per_chunk_ + 63) / 64, 0);
      chunks_.push_back(std::move(c));
      index_chunk(static_cast<std::uint32_t>(chunks_.size() - 1));
    }
    // Handed out in address order: handles made one after another sit side by side.
    chunk = chunks_.size() - 1;
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
  const Window* w = window(at >> kWindowBits);
  if (!w) return false;
  for (const std::uint32_t i : w->chunks) {
    if (i == kNoChunk) continue;
    const Chunk& c = chunks_[i];
    if (at < c.first) continue;
    const std::uintptr_t offset = at - c.first;
    if (offset >= kChunkBytes) continue;  // past the chunk (and past where the multiply is exact)
    const std::size_t slot = static_cast<std::size_t>((offset * slot_reciprocal_) >> 32);
    if (slot * slot_size_ != offset || slot >= c.handed) continue;
    chunk = i;
    index = slot;
    return true;
  }
  return false;
}

std::size_t HandleArena::probe(std::uintptr_t number) const {
  const std::size_t mask = windows_.size() - 1;
  std::size_t i = slot_of(number, mask);
  while (windows_[i].number != 0 && windows_[i].number != number) i = (i + 1) & mask;
  return i;
}

const HandleArena::Window* HandleArena::window(std::uintptr_t number) const {
  if (number == 0 || windows_.empty()) return nullptr;
  const Window& w = windows_[probe(number)];
  return w.number == number ? &w : nullptr;
}

void HandleArena::index_chunk(std::uint32_t chunk) {
  if ((windows_used_ + 2) * 2 > windows_.size()) {  // at most half full: short probes
    std::vector<Window> old(std::max<std::size_t>(16, windows_.size() * 2));
    old.swap(windows_);
    windows_used_ = 0;
    for (const Window& w : old)
      for (const std::uint32_t i : w.chunks)
        if (i != kNoChunk && w.number == reinterpret_cast<std::uintptr_t>(chunks_[i].block) >> kWindowBits)
          index_chunk(i);  // once a chunk: under its first window
  }
  const std::uintptr_t block = reinterpret_cast<std::uintptr_t>(chunks_[chunk].block);
  for (std::uintptr_t number = block >> kWindowBits; number <= (block + kChunkBytes - 1) >> kWindowBits; ++number) {
    Window& w = windows_[probe(number)];
    if (w.number == 0) {
      w.number = number;
      ++windows_used_;
    }
    (w.chunks[0] == kNoChunk ? w.chunks[0] : w.chunks[1]) = chunk;
  }
}

}  // namespace ms

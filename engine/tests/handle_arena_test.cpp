// SPDX-License-Identifier: MIT
#include "handle_arena.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <set>
#include <vector>

namespace {

TEST(HandleArena, HoldsItsSlotsAcrossChunksAndNothingElse) {
  ms::HandleArena arena(1000);  // 1,024 bytes a slot: 64 a chunk
  std::vector<void*> slots;
  for (int i = 0; i < 3000; ++i) slots.push_back(arena.take());
  std::set<void*> distinct(slots.begin(), slots.end());
  EXPECT_EQ(distinct.size(), slots.size());
  for (void* s : slots) {
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(s) % 64, 0u);
    EXPECT_TRUE(arena.live(s));
    EXPECT_FALSE(arena.live(static_cast<char*>(s) + 8));  // inside a slot
  }
  int on_stack = 0;
  std::vector<char> on_heap(4096);
  EXPECT_FALSE(arena.live(&on_stack));
  EXPECT_FALSE(arena.live(on_heap.data()));
  EXPECT_FALSE(arena.live(nullptr));
  // The newest chunk's slots not handed out yet are not handles.
  EXPECT_FALSE(arena.live(static_cast<char*>(slots.back()) + 1024));
  ms::HandleArena other(1000);
  EXPECT_FALSE(other.live(slots.front()));
}

TEST(HandleArena, NeighboursOfEverySlotAreHandlesOnlyWhenHandedOut) {
  // A slot's neighbours may lie in another chunk, in the gap between chunks or past the
  // newest chunk's last slot handed out: only those handed out and not given back are live.
  ms::HandleArena arena(1000);
  std::vector<char*> slots;
  for (int i = 0; i < 1000; ++i) slots.push_back(static_cast<char*>(arena.take()));
  for (int i = 0; i < 1000; i += 3) arena.give(slots[static_cast<std::size_t>(i)]);
  std::set<char*> live;
  for (int i = 0; i < 1000; ++i)
    if (i % 3 != 0) live.insert(slots[static_cast<std::size_t>(i)]);
  for (char* s : slots)
    for (const long delta : {-2048L, -1024L, -64L, 0L, 64L, 1024L, 2048L}) {
      char* p = s + delta;
      EXPECT_EQ(arena.live(p), live.count(p) == 1) << "slot " << static_cast<void*>(s) << " " << delta;
    }
}

TEST(HandleArena, EveryByteAroundASlotIsJudgedAsItsOffsetDividedWouldBe) {
  // A pointer is a slot when its offset in a chunk divides by the slot size; the arena
  // divides by a multiply. Every byte from a slot before to a slot after each slot, for
  // sizes from one cache line to most of a chunk (a chunk's last slot's neighbours are in
  // another chunk or in none).
  for (const std::size_t size : {1u, 64u, 100u, 1000u, 1744u, 4096u, 5000u, 20000u, 40000u}) {
    ms::HandleArena arena(size);
    std::vector<char*> slots;
    for (int i = 0; i < 24; ++i) slots.push_back(static_cast<char*>(arena.take()));
    for (std::size_t i = 0; i < slots.size(); i += 5) arena.give(slots[i]);
    std::set<char*> live;
    for (std::size_t i = 0; i < slots.size(); ++i)
      if (i % 5 != 0) live.insert(slots[i]);
    const long span = static_cast<long>((std::max<std::size_t>(size, 16) + 63) / 64 * 64);
    int wrong = 0;
    for (char* s : slots)
      for (long delta = -span; delta <= span; ++delta)
        if (arena.live(s + delta) != (live.count(s + delta) == 1) && ++wrong <= 5)
          ADD_FAILURE() << "slot size " << size << ", " << delta << " bytes from a slot";
    EXPECT_EQ(wrong, 0) << "slot size " << size;
  }
}

TEST(HandleArena, GivenBackIsDeadAndFreedSlotsComeBackFirst) {
  ms::HandleArena arena(64);
  void* a = arena.take();
  void* b = arena.take();
  arena.give(a);
  EXPECT_FALSE(arena.live(a));
  EXPECT_TRUE(arena.live(b));
  arena.give(b);
  EXPECT_FALSE(arena.live(b));
  EXPECT_EQ(arena.take(), b);  // last freed, first reused
  EXPECT_TRUE(arena.live(b));
  EXPECT_EQ(arena.take(), a);
  void* c = arena.take();
  EXPECT_NE(c, a);
  EXPECT_TRUE(arena.live(c));
  int outside = 0;
  arena.give(&outside);  // not a slot: ignored
  EXPECT_NE(arena.take(), static_cast<void*>(&outside));
}

}  // namespace

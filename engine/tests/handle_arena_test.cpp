// SPDX-License-Identifier: MIT
#include "handle_arena.hpp"

#include <gtest/gtest.h>

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
    EXPECT_TRUE(arena.holds(s, [] { return true; }));
    EXPECT_FALSE(arena.holds(static_cast<char*>(s) + 8, [] { return true; }));  // inside a slot
  }
  int on_stack = 0;
  std::vector<char> on_heap(4096);
  EXPECT_FALSE(arena.holds(&on_stack, [] { return true; }));
  EXPECT_FALSE(arena.holds(on_heap.data(), [] { return true; }));
  EXPECT_FALSE(arena.holds(nullptr, [] { return true; }));
  // The newest chunk's slots not handed out yet are not handles.
  EXPECT_FALSE(arena.holds(static_cast<char*>(slots.back()) + 1024, [] { return true; }));
  ms::HandleArena other(1000);
  EXPECT_FALSE(other.holds(slots.front(), [] { return true; }));
}

TEST(HandleArena, CheckDecidesAndFreedSlotsComeBackFirst) {
  ms::HandleArena arena(64);
  void* a = arena.take();
  void* b = arena.take();
  std::memset(b, 0x5a, 64);
  EXPECT_FALSE(arena.holds(b, [b] { return static_cast<unsigned char*>(b)[20] == 0; }));
  EXPECT_TRUE(arena.holds(b, [b] { return static_cast<unsigned char*>(b)[20] == 0x5a; }));
  arena.give(a);
  arena.give(b);
  EXPECT_EQ(arena.take(), b);  // last freed, first reused
  EXPECT_EQ(arena.take(), a);
  EXPECT_NE(arena.take(), a);
}

}  // namespace

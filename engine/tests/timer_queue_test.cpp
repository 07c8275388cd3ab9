// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include "timer_queue.hpp"

namespace {
using ms::port::Nanos;
struct Owner {
  std::optional<ms::TimerQueue<Owner>::Slot> slot;
  int id = 0;
};

TEST(TimerQueue_Order, EqualDeadlinesBySequence) {
  ms::TimerQueue<Owner> q;
  Owner a{{}, 1}, b{{}, 2}, c{{}, 3};
  q.set(c.slot, 30, Nanos(100), &c);
  q.set(b.slot, 20, Nanos(100), &b);
  q.set(a.slot, 10, Nanos(200), &a);
  EXPECT_EQ(q.earliest(), Nanos(100));
  EXPECT_EQ(q.pop_due(Nanos(150))->id, 2);
  EXPECT_EQ(q.pop_due(Nanos(150))->id, 3);
  EXPECT_EQ(q.pop_due(Nanos(150)), nullptr);
  EXPECT_EQ(q.pop_due(Nanos(200))->id, 1);
  EXPECT_TRUE(q.empty());
}

TEST(TimerQueue_Set, ReplacesAndClears) {
  ms::TimerQueue<Owner> q;
  Owner a{{}, 1};
  q.set(a.slot, 1, Nanos(500), &a);
  q.set(a.slot, 1, Nanos(50), &a);
  EXPECT_EQ(q.size(), 1u);
  EXPECT_EQ(q.earliest(), Nanos(50));
  q.set(a.slot, 1, std::nullopt, &a);
  EXPECT_TRUE(q.empty());
  EXPECT_FALSE(a.slot.has_value());
  EXPECT_EQ(q.earliest(), std::nullopt);
}
}  // namespace

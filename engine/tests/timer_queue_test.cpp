// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include "timer_queue.hpp"

namespace {
using ms::port::Nanos;
struct Owner {
  explicit Owner(int i) : id(i) {}
  ms::TimerQueue<Owner>::Slot slot;
  int id = 0;
};

TEST(TimerQueue_Order, EqualDeadlinesBySequence) {
  ms::TimerQueue<Owner> q;
  Owner a(1), b(2), c(3);
  q.set(c.slot, 30, Nanos(100), &c);
  q.set(b.slot, 20, Nanos(100), &b);
  q.set(a.slot, 10, Nanos(200), &a);
  EXPECT_EQ(q.earliest(), Nanos(100));
  EXPECT_EQ(q.pop_due(Nanos(150))->id, 2);
  EXPECT_EQ(q.pop_due(Nanos(150))->id, 3);
  EXPECT_EQ(q.pop_due(Nanos(150)), nullptr);
  EXPECT_FALSE(c.slot.queued());  // popped: out of the queue
  EXPECT_TRUE(a.slot.queued());
  EXPECT_EQ(q.pop_due(Nanos(200))->id, 1);
  EXPECT_TRUE(q.empty());
}

TEST(TimerQueue_Set, ReplacesAndClears) {
  ms::TimerQueue<Owner> q;
  Owner a(1);
  q.set(a.slot, 1, Nanos(500), &a);
  q.set(a.slot, 1, Nanos(50), &a);
  EXPECT_EQ(q.size(), 1u);
  EXPECT_EQ(q.earliest(), Nanos(50));
  q.set(a.slot, 1, std::nullopt, &a);
  EXPECT_TRUE(q.empty());
  EXPECT_FALSE(a.slot.queued());
  EXPECT_EQ(q.earliest(), std::nullopt);
}

// A slot keeps its node out of the queue: taken out and queued again (by pop or by clearing),
// in another order, it still sorts by (deadline, sequence).
TEST(TimerQueue_Set, NodesAreReusedAcrossPopsAndQueues) {
  ms::TimerQueue<Owner> q;
  ms::TimerQueue<Owner> other;  // a slot's node may move to another queue (a handle to another multi)
  Owner a(1), b(2);
  for (int round = 0; round < 3; ++round) {
    q.set(a.slot, 1, Nanos(100 + round), &a);
    q.set(b.slot, 2, Nanos(100 + round), &b);
    EXPECT_EQ(a.slot.at(), Nanos(100 + round));
    EXPECT_EQ(q.pop_due(Nanos(1000))->id, 1);
    q.set(b.slot, 2, std::nullopt, &b);
    EXPECT_TRUE(q.empty());
    other.set(b.slot, 2, Nanos(7), &b);
    other.set(a.slot, 1, Nanos(7), &a);
    EXPECT_EQ(other.pop_due(Nanos(7))->id, 1);
    EXPECT_EQ(other.pop_due(Nanos(7))->id, 2);
    EXPECT_EQ(other.pop_due(Nanos(7)), nullptr);
  }
}
}  // namespace

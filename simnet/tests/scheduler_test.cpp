// SPDX-License-Identifier: MIT
#include <stdexcept>

#include "sim_test_util.hpp"

namespace ms::sim::test {
namespace {

TEST(Clock, MovesOnlyWithAdvance) {
  World w;
  EXPECT_EQ(w.now(), 0ns);
  EXPECT_FALSE(w.next_event_time().has_value());
  w.advance_to(5ms);
  EXPECT_EQ(w.now(), 5ms);
  w.advance_to(5ms);
  EXPECT_EQ(w.now(), 5ms);
  EXPECT_THROW(w.advance_to(4ms), std::logic_error);
}

TEST(Scheduler, RunsEventsByTimeThenInsertion) {
  World w;
  w.dns_add("slow.test", {addr("127.0.0.1", 0)}, 5ms);
  w.dns_add("fast.test", {addr("127.0.0.2", 0)}, 1ms);
  auto a = w.start("slow.test", 80);
  auto b = w.start("fast.test", 80);
  auto c = w.start("fast.test", 81);
  ASSERT_EQ(a.fd, 3);
  ASSERT_EQ(b.fd, 4);
  ASSERT_EQ(c.fd, 5);
  EXPECT_EQ(w.next_event_time(), 1ms);
  std::vector<int> changed;
  w.advance_to(10ms);
  w.drain_ready_changes(changed);
  EXPECT_EQ(changed, (std::vector<int>{4, 5, 3}));
  EXPECT_EQ(w.now(), 10ms);
  EXPECT_EQ(w.events_run(), 3u);
}

TEST(Scheduler, AdvanceStopsBeforeLaterEvents) {
  World w;
  w.dns_add("x.test", {addr("127.0.0.1", 0)}, 2ms);
  auto s = w.start("x.test", 80);
  w.advance_to(2ms - 1ns);
  EXPECT_EQ(w.readiness(s.fd), 0);
  EXPECT_FALSE(w.poll(s.id).has_value());
  EXPECT_EQ(w.next_event_time(), 2ms);
  w.advance_to(2ms);
  EXPECT_EQ(w.readiness(s.fd), port::kReadable);
  EXPECT_FALSE(w.next_event_time().has_value());
}

TEST(Scheduler, DrainReportsEachDescriptorOnce) {
  World w;
  w.dns_add("x.test", {addr("127.0.0.1", 0)}, 1ms);
  auto s = w.start("x.test", 80);
  std::vector<int> changed{99};
  w.drain_ready_changes(changed);
  EXPECT_TRUE(changed.empty());
  w.advance_to(1ms);
  EXPECT_TRUE(w.inject_socket_error(s.fd, NetError::reset) == false);  // not a stream
  w.drain_ready_changes(changed);
  EXPECT_EQ(changed, std::vector<int>{s.fd});
  w.drain_ready_changes(changed);
  EXPECT_TRUE(changed.empty());
}

TEST(Scheduler, RunUntilIdleStopsAtLimit) {
  World w;
  w.dns_add("a.test", {addr("127.0.0.1", 0)}, 1ms);
  w.dns_add("b.test", {addr("127.0.0.1", 0)}, 3s);
  w.start("a.test", 1);
  w.start("b.test", 1);
  EXPECT_EQ(w.run_until_idle(1s), 1u);
  EXPECT_EQ(w.next_event_time(), 3s);
}

}  // namespace
}  // namespace ms::sim::test

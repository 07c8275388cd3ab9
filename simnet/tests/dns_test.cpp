// SPDX-License-Identifier: MIT
#include "sim_test_util.hpp"

namespace ms::sim::test {
namespace {

using Status = port::Resolution::Status;

TEST(Dns, NumericHostsAnswerAtOnce) {
  World w;
  auto a = w.start("127.0.0.2", 8080);
  ASSERT_TRUE(a.answer.has_value());
  EXPECT_EQ(a.fd, -1);
  EXPECT_EQ(a.answer->status, Status::ok);
  EXPECT_EQ(a.answer->addresses.at(0).to_string(), "127.0.0.2:8080");
  auto b = w.start("[::1]", 443);
  ASSERT_TRUE(b.answer.has_value());
  EXPECT_EQ(b.answer->addresses.at(0).to_string(), "[::1]:443");
  EXPECT_EQ(w.open_descriptors(), 0u);
}

TEST(Dns, NameAnswersAfterDelayThroughDescriptor) {
  World w;
  w.dns_add("Peer.Test", {addr("127.0.0.5", 0), addr("::1", 0)}, 20ms);
  auto s = w.start("peer.test", 80);
  EXPECT_FALSE(s.answer.has_value());
  EXPECT_EQ(s.fd, 3);
  EXPECT_EQ(w.readiness(s.fd), 0);
  EXPECT_FALSE(w.poll(s.id).has_value());
  w.advance_to(20ms);
  EXPECT_EQ(w.readiness(s.fd), port::kReadable);
  auto r = w.poll(s.id);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, Status::ok);
  ASSERT_EQ(r->addresses.size(), 2u);
  EXPECT_EQ(r->addresses[0].to_string(), "127.0.0.5:80");
  EXPECT_EQ(r->addresses[1].to_string(), "[::1]:80");
  EXPECT_EQ(w.open_descriptors(), 1u);
  w.release(s.id);
  EXPECT_EQ(w.open_descriptors(), 0u);
  EXPECT_EQ(w.readiness(s.fd), port::kError);
  int fd;
  w.open_stream(port::Family::v4, fd);
  EXPECT_EQ(fd, s.fd);  // the number is free again at once
}

TEST(Dns, UnknownNameIsNotFoundAfterDefaultDelay) {
  WorldOptions o;
  o.dns_default_delay = 5ms;
  World w(o);
  auto s = w.start("nowhere.test", 80);
  w.advance_to(5ms - 1ns);
  EXPECT_FALSE(w.poll(s.id).has_value());
  w.advance_to(5ms);
  auto r = w.poll(s.id);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, Status::not_found);
  EXPECT_TRUE(r->addresses.empty());
}

TEST(Dns, FailingName) {
  World w;
  w.dns_add("broken.test", {}, 2ms, true);
  auto s = w.start("broken.test", 80);
  w.advance_to(2ms);
  auto r = w.poll(s.id);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, Status::failed);
}

TEST(Dns, ReleaseBeforeAnswerCancelsIt) {
  World w;
  w.dns_add("x.test", {addr("127.0.0.1", 0)}, 2ms);
  auto s = w.start("x.test", 80);
  w.release(s.id);
  w.release(s.id);  // twice: harmless
  std::vector<int> changed;
  w.advance_to(5ms);
  w.drain_ready_changes(changed);
  EXPECT_TRUE(changed.empty());
  EXPECT_FALSE(w.poll(s.id).has_value());
  EXPECT_EQ(w.open_descriptors(), 0u);
}

}  // namespace
}  // namespace ms::sim::test

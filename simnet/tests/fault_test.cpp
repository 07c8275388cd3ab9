// SPDX-License-Identifier: MIT
#include "sim_test_util.hpp"

namespace ms::sim::test {
namespace {

const char* kBodyScript = "accept\nexpect request\nsend \"HTTP/1.1 200 OK\\r\\n\\r\\n\"\nsend body 20000\nclose";
const std::string kHead = "HTTP/1.1 200 OK\r\n\r\n";

TEST(Faults, RefuseConnect) {
  FaultOptions f;
  f.connect_refuse_probability = 1;
  World w(WorldOptions{.seed = 1, .link = {}, .faults = f});
  LogObserver log;
  w.set_observer(&log);
  serve(w, "p", addr("127.0.0.1", 80), kBodyScript);
  auto ex = fetch(w, addr("127.0.0.1", 80), kGet);
  EXPECT_EQ(ex.connect_error, NetError::refused);
  EXPECT_EQ(log.count("fault 3 connect_refused"), 1u);
  EXPECT_EQ(w.peer_stats("p").connections_accepted, 0u);
}

TEST(Faults, DropConnectNeverCompletes) {
  FaultOptions f;
  f.connect_drop_probability = 1;
  World w(WorldOptions{.seed = 1, .link = {}, .faults = f});
  serve(w, "p", addr("127.0.0.1", 80), kBodyScript);
  int fd;
  w.open_stream(port::Family::v4, fd);
  EXPECT_EQ(w.connect(fd, addr("127.0.0.1", 80)), NetError::in_progress);
  EXPECT_FALSE(w.next_event_time().has_value());
  w.advance_to(3600s);
  EXPECT_EQ(w.readiness(fd), 0);
  EXPECT_EQ(w.take_error(fd), NetError::none);
}

TEST(Faults, ResetMidStreamAfterKBytes) {
  FaultOptions f;
  f.reset_probability = 1;
  f.mid_stream_bytes_max = 500;
  World w(WorldOptions{.seed = 3, .link = {}, .faults = f});
  LogObserver log;
  w.set_observer(&log);
  serve(w, "p", addr("127.0.0.1", 80), kBodyScript);
  auto ex = fetch(w, addr("127.0.0.1", 80), kGet);
  EXPECT_EQ(ex.end_error, NetError::reset);
  EXPECT_LE(ex.received.size(), 500u);
  EXPECT_EQ(log.count("fault 3 reset"), 1u);
}

TEST(Faults, HalfCloseEarlyEndsStreamAfterKBytes) {
  FaultOptions f;
  f.half_close_early_probability = 1;
  f.mid_stream_bytes_max = 500;
  World w(WorldOptions{.seed = 4, .link = {}, .faults = f});
  serve(w, "p", addr("127.0.0.1", 80), kBodyScript);
  auto ex = fetch(w, addr("127.0.0.1", 80), kGet);
  EXPECT_TRUE(ex.eof);
  ASSERT_GE(ex.received.size(), 1u);
  EXPECT_LE(ex.received.size(), 500u);
  const std::string expected = kHead + generated_body(20000);
  EXPECT_EQ(ex.received, expected.substr(0, ex.received.size()));
}

TEST(Faults, PendingSocketError) {
  FaultOptions f;
  f.socket_error_probability = 1;
  World w(WorldOptions{.seed = 5, .link = {}, .faults = f});
  serve(w, "p", addr("127.0.0.1", 80), "accept\nhang");
  int fd;
  w.open_stream(port::Family::v4, fd);
  w.connect(fd, addr("127.0.0.1", 80));
  w.run_until_idle(1s);
  EXPECT_NE(w.readiness(fd) & port::kError, 0);
  const NetError e = w.take_error(fd);
  EXPECT_TRUE(e == NetError::timed_out || e == NetError::unreachable || e == NetError::reset)
      << port::to_string(e);
  std::byte b[1];
  EXPECT_EQ(w.recv(fd, b, 1).error, e);
}

TEST(Faults, InjectedSocketError) {
  World w;
  serve(w, "p", addr("127.0.0.1", 80), "accept\nhang");
  int fd;
  w.open_stream(port::Family::v4, fd);
  w.connect(fd, addr("127.0.0.1", 80));
  w.advance_to(1ms);
  ASSERT_TRUE(w.inject_socket_error(fd, NetError::timed_out));
  EXPECT_EQ(w.readiness(fd), port::kReadable | port::kWritable | port::kError);
  EXPECT_EQ(w.take_error(fd), NetError::timed_out);
}

TEST(Faults, ShortReadsAndWritesKeepBytesExact) {
  FaultOptions f;
  f.short_read_probability = 1;
  f.short_write_probability = 1;
  f.short_io_bytes_max = 4;
  World w(WorldOptions{.seed = 6, .link = {}, .faults = f});
  LogObserver log;
  w.set_observer(&log);
  serve(w, "p", addr("127.0.0.1", 80), kBodyScript);
  auto ex = fetch(w, addr("127.0.0.1", 80), kGet);
  EXPECT_TRUE(ex.eof);
  EXPECT_EQ(ex.received, kHead + generated_body(20000));
  EXPECT_LE(ex.max_recv, 4u);
  EXPECT_LE(ex.max_send, 4u);
  EXPECT_GT(log.count("short_read"), 100u);
  EXPECT_GT(log.count("short_write"), 5u);
}

TEST(Faults, ExtraLatencyDelaysDelivery) {
  FaultOptions f;
  f.extra_latency_probability = 1;
  f.extra_latency_max = 50ms;
  World slow(WorldOptions{.seed = 7, .link = {}, .faults = f});
  World fast;
  for (World* w : {&slow, &fast}) serve(*w, "p", addr("127.0.0.1", 80), kBodyScript);
  auto a = fetch(slow, addr("127.0.0.1", 80), kGet);
  auto b = fetch(fast, addr("127.0.0.1", 80), kGet);
  EXPECT_EQ(a.received, b.received);
  EXPECT_EQ(b.first_byte_at, 3ms);  // connect 1ms, request 1ms, answer 1ms
  EXPECT_GT(a.first_byte_at, b.first_byte_at);
}

TEST(Faults, PerLinkOverride) {
  FaultOptions f;
  f.connect_refuse_probability = 1;
  World w(WorldOptions{.seed = 1, .link = {}, .faults = f});
  LinkOptions healthy;
  healthy.faults = FaultOptions{};
  w.set_link(addr("127.0.0.2", 80), healthy);
  serve(w, "bad", addr("127.0.0.1", 80), kBodyScript);
  serve(w, "good", addr("127.0.0.2", 80), kBodyScript);
  EXPECT_EQ(fetch(w, addr("127.0.0.1", 80), kGet).connect_error, NetError::refused);
  auto ok = fetch(w, addr("127.0.0.2", 80), kGet);
  EXPECT_EQ(ok.connect_error, NetError::none);
  EXPECT_TRUE(ok.eof);
}

TEST(Faults, ProbabilitiesAreHonouredOverManyConnections) {
  FaultOptions f;
  f.connect_refuse_probability = 0.5;
  World w(WorldOptions{.seed = 8, .link = {}, .faults = f});
  serve(w, "p", addr("127.0.0.1", 80), "accept\nclose");
  int refused = 0;
  for (int i = 0; i < 200; ++i)
    refused += fetch(w, addr("127.0.0.1", 80), kGet).connect_error == NetError::refused;
  EXPECT_GT(refused, 60);
  EXPECT_LT(refused, 140);
  EXPECT_EQ(w.open_descriptors(), 0u);
}

}  // namespace
}  // namespace ms::sim::test

// SPDX-License-Identifier: MIT
#include "sim_test_util.hpp"

namespace ms::sim::test {
namespace {

TEST(PeerEndToEnd, SimpleResponse) {
  World w;
  serve(w, "p", addr("127.0.0.2", 80),
        "accept\nexpect request\nsend \"HTTP/1.1 200 OK\\r\\nContent-Length: 5\\r\\n\\r\\nhello\"\nclose");
  auto ex = fetch(w, addr("127.0.0.2", 80), kGet);
  EXPECT_EQ(ex.received, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
  EXPECT_TRUE(ex.eof);
  EXPECT_EQ(w.peer_stats("p").connections_accepted, 1u);
  EXPECT_EQ(w.peer_stats("p").requests_served, 1u);
  EXPECT_EQ(w.open_descriptors(), 0u);
}

TEST(PeerEndToEnd, GeneratedBodyIsByteExact) {
  World w;
  serve(w, "p", addr("::1", 8080), "accept\nexpect request\nsend-file 100k\nclose");
  auto ex = fetch(w, addr("::1", 8080), kGet);
  EXPECT_TRUE(ex.eof);
  EXPECT_EQ(ex.received, generated_body(100 * 1024));
}

TEST(PeerEndToEnd, PiecesArriveOnSchedule) {
  World w;
  serve(w, "p", addr("127.0.0.1", 80),
        "accept\nexpect request\nsend \"abcde\" in pieces of 2 every 10ms\nclose");
  LogObserver log;
  w.set_observer(&log);
  auto ex = fetch(w, addr("127.0.0.1", 80), kGet);
  EXPECT_EQ(ex.received, "abcde");
  // request at 1ms arrives 2ms; pieces leave at 2, 12, 22ms and arrive 1ms later.
  EXPECT_TRUE(log.has_line("3000000 deliver 3 2"));
  EXPECT_TRUE(log.has_line("13000000 deliver 3 2"));
  EXPECT_TRUE(log.has_line("23000000 deliver 3 1"));
  EXPECT_EQ(log.count(" deliver "), 3u);
  EXPECT_EQ(ex.done_at, 23ms);
}

TEST(PeerEndToEnd, WaitDelaysExactly) {
  World w;
  serve(w, "p", addr("127.0.0.1", 80), "accept\nexpect request\nwait 2s\nsend \"x\"\nclose");
  auto ex = fetch(w, addr("127.0.0.1", 80), kGet);
  EXPECT_EQ(ex.first_byte_at, 2s + 3ms);
}

TEST(PeerEndToEnd, ExpectRequestWaitsForTheBody) {
  World w;
  serve(w, "p", addr("127.0.0.1", 80), "accept\nexpect request\nsend \"ok\"\nclose");
  int fd;
  w.open_stream(port::Family::v4, fd);
  w.connect(fd, addr("127.0.0.1", 80));
  w.advance_to(1ms);
  const std::string head = "POST / HTTP/1.1\r\nContent-Length: 4\r\n\r\nab";
  w.send(fd, reinterpret_cast<const std::byte*>(head.data()), head.size());
  w.run_until_idle(1s);
  EXPECT_EQ(w.readiness(fd) & port::kReadable, 0);
  EXPECT_EQ(w.peer_stats("p").requests_served, 0u);
  w.send(fd, reinterpret_cast<const std::byte*>("cd"), 2);
  w.run_until_idle(2s);
  EXPECT_NE(w.readiness(fd) & port::kReadable, 0);
  EXPECT_EQ(w.peer_stats("p").requests_served, 1u);
  w.close(fd);
}

TEST(PeerEndToEnd, KeepAliveServesSeveralRequestsOnOneConnection) {
  World w;
  serve(w, "p", addr("127.0.0.1", 80),
        "accept\nexpect request\nsend \"HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nok\"\nrepeat");
  int fd;
  w.open_stream(port::Family::v4, fd);
  // two pipelined requests, then a third after the answers
  auto ex = run_client(w, fd, addr("127.0.0.1", 80), kGet + kGet, 1s);
  const std::string one = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  EXPECT_EQ(ex.received, one + one);
  EXPECT_FALSE(ex.eof);
  w.send(fd, reinterpret_cast<const std::byte*>(kGet.data()), kGet.size());
  w.run_until_idle(2s);
  std::byte buf[256];
  EXPECT_EQ(w.recv(fd, buf, sizeof buf).bytes, one.size());
  EXPECT_EQ(w.peer_stats("p").connections_accepted, 1u);
  EXPECT_EQ(w.peer_stats("p").requests_served, 3u);
  w.close(fd);
}

TEST(PeerEndToEnd, HangNeverAnswers) {
  World w;
  serve(w, "p", addr("127.0.0.1", 80), "accept\nhang");
  int fd;
  w.open_stream(port::Family::v4, fd);
  auto ex = run_client(w, fd, addr("127.0.0.1", 80), kGet, 1h);
  EXPECT_TRUE(ex.received.empty());
  EXPECT_FALSE(ex.eof);
  EXPECT_EQ(ex.end_error, NetError::none);
  EXPECT_EQ(w.readiness(fd), port::kWritable);
  w.close(fd);
}

TEST(PeerEndToEnd, ClientClosingMidRequestEndsThePeer) {
  World w;
  serve(w, "p", addr("127.0.0.1", 80), "accept\nexpect request\nsend \"x\"\nclose");
  auto ex = fetch(w, addr("127.0.0.1", 80), "GET / HT", 1s);
  EXPECT_FALSE(ex.eof);
  w.run_until_idle(10s);
  EXPECT_EQ(w.peer_stats("p").requests_served, 0u);
  EXPECT_FALSE(w.next_event_time().has_value());
}

// Speed is the simulator bench's (bench_scaling); this checks each one is served and closed.
TEST(PeerEndToEnd, ManyConnectionsOneAfterAnotherAllServedAndClosed) {
  World w;
  serve(w, "p", addr("127.0.0.1", 80), "accept\nexpect request\nsend body 2000\nclose");
  for (int i = 0; i < 2000; ++i) {
    auto ex = fetch(w, addr("127.0.0.1", 80), kGet);
    ASSERT_EQ(ex.received.size(), 2000u);
  }
  EXPECT_EQ(w.peer_stats("p").requests_served, 2000u);
  EXPECT_EQ(w.open_descriptors(), 0u);
}

}  // namespace
}  // namespace ms::sim::test

// SPDX-License-Identifier: MIT
// `h2` peers end to end in the simulated world, against nghttp2's client session.
#include <map>

#include "h2_test_client.hpp"

namespace ms::sim::test {
namespace {

// The HEADERS and DATA frames of streams (not the connection's own frames), in order.
std::vector<std::string> stream_frames(const H2Client& c) {
  std::vector<std::string> out;
  for (const auto& f : c.frames)
    if (f.rfind("HEADERS ", 0) == 0 || f.rfind("DATA ", 0) == 0 || f.rfind("RST_STREAM ", 0) == 0)
      out.push_back(f);
  return out;
}

TEST(PeerH2, TwoRequestsAnsweredInReverseOrderWithInterleavedData) {
  World w;
  serve(w, "p", addr("127.0.0.2", 80),
        "accept\nh2\nexpect requests 2\nrespond 2 200 length 10\nrespond 1 200 length 10\n"
        "data 2 5\ndata 1 5\ndata 2 5\ndata 1 5\nend 2\nend 1\nclose");
  H2Client c(w, addr("127.0.0.2", 80));
  ASSERT_EQ(c.get("/a"), 1);
  ASSERT_EQ(c.get("/b"), 3);
  ASSERT_TRUE(c.run_until([&] { return c.all_closed(2); }));
  const std::vector<std::string> want = {"HEADERS 3", "HEADERS 1", "DATA 3 5", "DATA 1 5", "DATA 3 5",
                                         "DATA 1 5", "DATA 3 0 END", "DATA 1 0 END"};
  EXPECT_EQ(stream_frames(c), want);
  for (std::int32_t id : {1, 3}) {
    EXPECT_EQ(c.replies[id].status, 200);
    EXPECT_EQ(c.replies[id].content_length, "10");
    EXPECT_EQ(c.replies[id].body, generated_body(10));
    EXPECT_EQ(c.replies[id].close_code, 0u);
  }
  c.run_until([&] { return c.eof; });
  EXPECT_TRUE(c.eof);
  EXPECT_EQ(c.session_error, 0);
  EXPECT_EQ(w.peer_stats("p").requests_served, 2u);
}

// What the world tells its observer of streams and closes: "open FD ID PATH", "end FD ID",
// "close FD" (the client's descriptor is 3, the first a world hands out).
struct StreamLog final : NetObserver {
  std::vector<std::string> log;
  std::map<std::uint32_t, port::Nanos> opened_at, ended_at;
  void on_stream(port::Nanos at, int fd, std::uint32_t id, const std::string& path) override {
    log.push_back("open " + std::to_string(fd) + " " + std::to_string(id) + " " + path);
    opened_at[id] = at;
  }
  void on_stream_end(port::Nanos at, int fd, std::uint32_t id) override {
    log.push_back("end " + std::to_string(fd) + " " + std::to_string(id));
    ended_at[id] = at;
  }
  void on_close(port::Nanos, int fd) override { log.push_back("close " + std::to_string(fd)); }
};

// A world that logs its streams and closes, with one peer at 127.0.0.2.
struct LoggedWorld {
  explicit LoggedWorld(std::string_view script, const WorldOptions& o = {}, int port = 80) : w(o) {
    w.set_observer(&obs);
    serve(w, "p", addr("127.0.0.2", port), script);
  }
  StreamLog obs;  // outlives the world, which may tell it of closes as it goes
  World w;
};

TEST(PeerH2, StreamsAreToldOpenedAndEndedInTheServersOrder) {
  LoggedWorld lw(
      "accept\nh2\nexpect requests 2\nrespond 2 200 length 10\nrespond 1 200 length 10\n"
      "data 2 10\nend 2\nwait 10ms\ndata 1 10\nend 1\nwait 1s\nclose");
  StreamLog& obs = lw.obs;
  H2Client c(lw.w, addr("127.0.0.2", 80));
  c.get("/a?x=1");
  c.get("/b");
  ASSERT_TRUE(c.run_until([&] { return c.all_closed(2); }));
  c.close();
  const std::vector<std::string> want = {"open 3 1 /a?x=1", "open 3 3 /b", "end 3 3", "end 3 1", "close 3"};
  EXPECT_EQ(obs.log, want);
}

// A GOAWAY ends the streams above its last id at once; closing the connection ends the
// rest, before the client's descriptor is told closed.
TEST(PeerH2, GoawayAndTheConnectionsEndEndItsStreams) {
  LoggedWorld lw("accept\nh2\nexpect requests 3\ngoaway last 1\nhang");
  StreamLog& obs = lw.obs;
  H2Client c(lw.w, addr("127.0.0.2", 80));
  for (const char* path : {"/a", "/b", "/c"}) c.get(path);
  ASSERT_TRUE(c.run_until([&] { return c.goaway; }));
  c.run_until([] { return false; }, lw.w.now() + 1s);
  std::vector<std::string> want = {"open 3 1 /a", "open 3 3 /b", "open 3 5 /c", "end 3 3", "end 3 5"};
  EXPECT_EQ(obs.log, want);  // stream 1 stays open: the peer hangs
  c.close();
  want.insert(want.end(), {"end 3 1", "close 3"});
  EXPECT_EQ(obs.log, want);
}

// A stream ends for the client when the frame that ends it arrives, not when the server
// sends it: one way takes 10 ms here, over TLS too.
TEST(PeerH2, AStreamEndsWhenItsLastFrameArrives) {
  for (const bool tls : {false, true}) {
    WorldOptions o;
    o.link.latency = 10ms;
    LoggedWorld lw(std::string("accept\n") + (tls ? "tls peer.test\n" : "") +
                       "h2\nexpect requests 1\nreply 1 200 body 10\nwait 1s",
                   o, tls ? 443 : 80);
    StreamLog& obs = lw.obs;
    H2Client c(lw.w, addr("127.0.0.2", tls ? 443 : 80), tls);
    c.get("/a");
    ASSERT_TRUE(c.run_until([&] { return c.all_closed(1); })) << tls;
    ASSERT_EQ(obs.ended_at.count(1), 1u) << tls;
    EXPECT_EQ(obs.ended_at[1] - obs.opened_at[1], 10ms) << tls;
  }
}

TEST(PeerH2, APeerThatClosesEndsTheStreamsItLeftOpen) {
  LoggedWorld lw("accept\nh2\nexpect requests 2\nrespond 1 200 length 10\nclose");
  StreamLog& obs = lw.obs;
  H2Client c(lw.w, addr("127.0.0.2", 80));
  c.get("/a");
  c.get("/b");
  ASSERT_TRUE(c.run_until([&] { return c.eof; }));
  const std::vector<std::string> want = {"open 3 1 /a", "open 3 3 /b", "end 3 1", "end 3 3"};
  EXPECT_EQ(obs.log, want);
}

TEST(PeerH2, DataInPiecesOnSchedule) {
  World w;
  serve(w, "p", addr("127.0.0.2", 80),
        "accept\nh2\nexpect requests 1\nrespond 1 200 length 6\ndata 1 6 in pieces of 2 every 10ms\nend 1");
  H2Client c(w, addr("127.0.0.2", 80));
  c.get("/a");
  ASSERT_TRUE(c.run_until([&] { return c.replies[1].status == 200; }));
  const port::Nanos headers_at = w.now();
  ASSERT_TRUE(c.run_until([&] { return c.all_closed(1); }));
  const std::vector<std::string> want = {"HEADERS 1", "DATA 1 2", "DATA 1 2", "DATA 1 2", "DATA 1 0 END"};
  EXPECT_EQ(stream_frames(c), want);
  EXPECT_EQ(c.replies[1].body, generated_body(6));
  EXPECT_EQ(w.now() - headers_at, 20ms);  // the first piece with the HEADERS, two pauses
}

TEST(PeerH2, RstOneStreamAnswerTheOtherAndPing) {
  World w;
  serve(w, "p", addr("127.0.0.2", 80),
        "accept\nh2\nexpect requests 2\nrst 1 REFUSED_STREAM\nping\nreply 2 201 body 100\nwait 1s");
  H2Client c(w, addr("127.0.0.2", 80));
  c.get("/a");
  c.get("/b");
  ASSERT_TRUE(c.run_until([&] { return c.all_closed(2); }));
  EXPECT_TRUE(c.replies[1].reset_received);
  EXPECT_EQ(c.replies[1].close_code, 7u);  // REFUSED_STREAM
  EXPECT_EQ(c.replies[1].status, 0);
  EXPECT_EQ(c.replies[3].status, 201);
  EXPECT_EQ(c.replies[3].body, generated_body(100));
  const auto ping = std::find(c.frames.begin(), c.frames.end(), "PING 0");
  EXPECT_NE(ping, c.frames.end());  // the server's own PING (not an ACK)
  EXPECT_EQ(c.session_error, 0);
}

TEST(PeerH2, GoawayWithStreamsInFlight) {
  World w;
  serve(w, "p", addr("127.0.0.2", 80),
        "accept\nh2\nexpect requests 2\ngoaway last 1\nreply 1 200 body 10\nwait 10ms\nclose");
  H2Client c(w, addr("127.0.0.2", 80));
  c.get("/a");
  c.get("/b");
  ASSERT_TRUE(c.run_until([&] { return c.all_closed(2) && c.eof; }));
  EXPECT_TRUE(c.goaway);
  EXPECT_EQ(c.goaway_code, 0u);
  EXPECT_EQ(c.goaway_last, 1);
  EXPECT_EQ(c.replies[1].body, generated_body(10));
  EXPECT_EQ(c.replies[1].close_code, 0u);
  EXPECT_EQ(c.replies[3].status, 0);  // above last-stream-id: never answered
}

TEST(PeerH2, GoawayDefaultsToTheLastStreamReceived) {
  World w;
  serve(w, "p", addr("127.0.0.2", 80), "accept\nh2\nexpect requests 3\ngoaway ENHANCE_YOUR_CALM\nwait 10ms");
  H2Client c(w, addr("127.0.0.2", 80));
  for (const char* path : {"/a", "/b", "/c"}) c.get(path);
  ASSERT_TRUE(c.run_until([&] { return c.goaway; }));
  EXPECT_EQ(c.goaway_code, 11u);
  EXPECT_EQ(c.goaway_last, 5);
}

TEST(PeerH2, MaxStreamsOneIsAnnouncedAndEnforced) {
  World w;
  serve(w, "p", addr("127.0.0.2", 80),
        "accept\nh2 max-streams 1\nexpect requests 1\nwait 100ms\nreply 1 200 body 10\n"
        "expect requests 1\nreply 2 200 body 20\nwait 1s");
  H2Client c(w, addr("127.0.0.2", 80));
  ASSERT_TRUE(c.run_until([&] { return c.settings_at.count() >= 0; }));
  EXPECT_EQ(c.remote_setting(NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS), 1u);
  c.get("/a");
  c.get("/b");  // the client holds it back until /a is done
  ASSERT_TRUE(c.run_until([&] { return c.all_closed(2); }));
  EXPECT_EQ(c.replies[1].body, generated_body(10));
  EXPECT_EQ(c.replies[3].body, generated_body(20));
  EXPECT_GE(w.now(), 100ms);
  const std::vector<std::string> want = {"HEADERS 1", "DATA 1 10 END", "HEADERS 3", "DATA 3 20 END"};
  EXPECT_EQ(stream_frames(c), want);
}

TEST(PeerH2, MaxStreamsRefusesAStreamSentBeforeTheSettings) {
  World w;
  serve(w, "p", addr("127.0.0.2", 80), "accept\nh2 max-streams 1\nexpect requests 1\nreply 1 200 body 10\nwait 1s");
  H2Client c(w, addr("127.0.0.2", 80));
  c.get("/a");
  c.get("/b");  // both leave with the preface, before the server's SETTINGS arrive
  ASSERT_TRUE(c.run_until([&] { return c.all_closed(2); }));
  EXPECT_EQ(c.replies[1].body, generated_body(10));
  EXPECT_TRUE(c.replies[3].reset_received);
  EXPECT_EQ(c.replies[3].close_code, 7u);  // REFUSED_STREAM
}

TEST(PeerH2, DataWaitsForTheClientsWindow) {
  World w;
  serve(w, "p", addr("127.0.0.2", 80), "accept\nh2\nexpect requests 1\nreply 1 200 body 100k\nwait 1s");
  H2Client c(w, addr("127.0.0.2", 80), false, true, 1000);
  c.get("/a");
  ASSERT_TRUE(c.run_until([&] { return c.all_closed(1); }));
  EXPECT_EQ(c.session_error, 0);
  EXPECT_EQ(c.replies[1].body, generated_body(100 * 1024));
  std::size_t data_frames = 0;
  for (const auto& f : stream_frames(c)) {
    if (f.rfind("DATA ", 0) != 0) continue;
    ++data_frames;
    EXPECT_LE(std::stoul(f.substr(7)), 1000u) << f;
  }
  EXPECT_GE(data_frames, 103u);
}

TEST(PeerH2, FloodIgnoresFlowControl) {
  World w;
  serve(w, "p", addr("127.0.0.2", 80), "accept\nh2\nexpect requests 1\nrespond 1 200\nflood 1 20k\nwait 1s");
  H2Client c(w, addr("127.0.0.2", 80), false, true, 1000);
  c.get("/a");
  c.run_until([&] { return !c.sent.empty(); }, 2s);
  // a 16 KiB DATA frame against a window of 1000: the client calls it a flow-control error
  ASSERT_EQ(c.sent.size(), 1u);
  EXPECT_TRUE(c.sent[0] == "RST_STREAM 1 3" || c.sent[0] == "GOAWAY 3") << c.sent[0];
  EXPECT_EQ(c.replies[1].status, 200);
  EXPECT_EQ(c.replies[1].body, generated_body(c.replies[1].body.size()));  // bytes 0.. of the body
}

TEST(PeerH2, ServeAnswersEveryRequestUntilTheClientCloses) {
  World w;
  serve(w, "p", addr("127.0.0.2", 80), "accept\nh2\nserve body 3000");
  H2Client c(w, addr("127.0.0.2", 80));
  for (int i = 0; i < 20; ++i) c.get("/f" + std::to_string(i));
  ASSERT_TRUE(c.run_until([&] { return c.all_closed(20); }));
  EXPECT_EQ(c.replies.size(), 20u);
  for (const auto& [id, r] : c.replies) {
    EXPECT_EQ(r.status, 200) << id;
    EXPECT_EQ(r.content_length, "3000") << id;
    EXPECT_EQ(r.body, generated_body(3000)) << id;
  }
  c.run_until([] { return false; }, w.now() + 1s);  // an idle while: serving goes on
  const std::int32_t late = c.get("/late");
  ASSERT_TRUE(c.run_until([&] { return c.all_closed(21); }));
  EXPECT_EQ(c.replies[late].body, generated_body(3000));
  EXPECT_FALSE(c.eof);
  EXPECT_EQ(w.peer_stats("p").requests_served, 21u);
  c.close();  // ends `serve`, then the script
  w.run_until_idle(w.now() + 1s);
  EXPECT_FALSE(w.next_event_time().has_value());
}

TEST(PeerH2, OverTlsWithAlpnH2) {
  World w;
  serve(w, "p", addr("127.0.0.2", 443),
        "accept\ntls peer.test\nh2\nexpect requests 1\nreply 1 200 body 5000\nwait 1s");
  H2Client c(w, addr("127.0.0.2", 443), true);
  c.get("/secure");
  ASSERT_TRUE(c.run_until([&] { return c.all_closed(1); }));
  EXPECT_EQ(c.alpn(), "h2");
  EXPECT_EQ(c.replies[1].body, generated_body(5000));
}

TEST(PeerH2, TlsClientWithoutH2IsClosed) {
  World w;
  serve(w, "p", addr("127.0.0.2", 443), "accept\ntls peer.test\nh2\nserve body 10");
  H2Client c(w, addr("127.0.0.2", 443), true, false);
  c.get("/secure");
  c.run_until([&] { return c.eof; });
  EXPECT_TRUE(c.eof);
  EXPECT_EQ(c.alpn(), "");
  EXPECT_TRUE(c.replies.empty() || c.replies.begin()->second.status == 0);
}

TEST(PeerH2, SameBytesEveryRun) {
  auto run = [] {
    World w;
    serve(w, "p", addr("127.0.0.2", 80), "accept\nh2 window 5000\nserve body 20k");
    H2Client c(w, addr("127.0.0.2", 80));
    for (int i = 0; i < 5; ++i) c.get("/x");
    c.run_until([&] { return c.all_closed(5); });
    std::string all;
    for (const auto& f : c.frames) all += f + "\n";
    return all + std::to_string(w.now().count());
  };
  const std::string first = run();
  EXPECT_NE(first.find("DATA 9 "), std::string::npos);
  EXPECT_EQ(run(), first);
}

}  // namespace
}  // namespace ms::sim::test

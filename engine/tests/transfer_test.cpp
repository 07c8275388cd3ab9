// SPDX-License-Identifier: MIT
// Transfers over the in-memory fake ports: happy paths, reuse, peer faults, timeouts,
// socket errors, callbacks that abort, pause.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "easy.hpp"
#include "fake_ports.hpp"
#include "test_handle.hpp"
#include "transfer.hpp"

namespace {
using namespace std::chrono_literals;
using ms::test::addr;
using ms::test::ConnectMode;
using ms::test::FakeApp;

using ms::test::collect;
using ms::test::drain;
using ms::test::Handle;

const char* kOk = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";

TEST(Transfer_Get, ContentLengthBody) {
  FakeApp app;
  app.net.servers[addr("127.0.0.2", 80)] = {ConnectMode::pending, kOk, false};
  Handle h("http://127.0.0.2/x");
  ASSERT_EQ(ms_multi_add_handle(app.multi, h.e), MSM_OK);
  int running = -1;
  ms_multi_socket_action(app.multi, MS_SOCKET_TIMEOUT, 0, &running);
  EXPECT_EQ(running, 1);
  ASSERT_EQ(app.watched.size(), 1u);
  const int fd = app.watched.begin()->first;
  EXPECT_EQ(app.watched[fd], MS_POLL_OUT);
  app.net.finish_connect(fd);
  EXPECT_EQ(app.run(), 0);
  auto msgs = drain(app.multi);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].second, MSE_OK);
  EXPECT_EQ(h.body, "hello");
  EXPECT_EQ(h.headers, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
  EXPECT_EQ(h.info_long(MSINFO_RESPONSE_CODE), 200);
  EXPECT_EQ(h.info_long(MSINFO_NUM_CONNECTS), 1);
  EXPECT_EQ(h.info_long(MSINFO_PRIMARY_PORT), 80);
  const std::string& req = app.net.at(fd).from_client;
  EXPECT_EQ(req.rfind("GET /x HTTP/1.1\r\nHost: 127.0.0.2\r\n", 0), 0u) << req;
  EXPECT_TRUE(app.watched.empty());  // kept alive in the pool: REMOVE told
  EXPECT_EQ(app.timer_ms, -1);
}

// A server that has answered by the time the request is sent: the answer is read in the
// same call, and the application is never asked to watch the socket.
TEST(Transfer_Get, AnswerAlreadyThereIsReadWithoutWatchingTheSocket) {
  FakeApp app;
  app.net.servers[addr("127.0.0.2", 80)] = {ConnectMode::immediate, kOk, false};
  Handle h("http://127.0.0.2/x");
  ASSERT_EQ(ms_multi_add_handle(app.multi, h.e), MSM_OK);
  int running = -1;
  ms_multi_socket_action(app.multi, MS_SOCKET_TIMEOUT, 0, &running);
  EXPECT_EQ(running, 0);
  EXPECT_EQ(h.body, "hello");
  const auto msgs = drain(app.multi);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].second, MSE_OK);
  EXPECT_EQ(std::count_if(app.log.begin(), app.log.end(), [](const std::string& l) { return l.rfind("cb ", 0) == 0; }),
            0);
}

// Nothing there yet after the request: the socket is watched for the answer (IN), which is
// read when it comes.
TEST(Transfer_Get, AnswerNotThereYetIsWaitedFor) {
  FakeApp app;
  app.net.servers[addr("127.0.0.2", 80)] = {ConnectMode::immediate, "", false};
  Handle h("http://127.0.0.2/x");
  ASSERT_EQ(ms_multi_add_handle(app.multi, h.e), MSM_OK);
  int running = -1;
  ms_multi_socket_action(app.multi, MS_SOCKET_TIMEOUT, 0, &running);
  EXPECT_EQ(running, 1);
  ASSERT_EQ(app.watched.size(), 1u);
  const int fd = app.watched.begin()->first;
  EXPECT_EQ(app.watched[fd], MS_POLL_IN);
  app.net.at(fd).to_client = kOk;
  EXPECT_EQ(app.run(), 0);
  EXPECT_EQ(h.body, "hello");
  EXPECT_TRUE(app.watched.empty());
}

TEST(Transfer_Reuse, SecondHandleUsesPooledConnection) {
  FakeApp app;
  app.net.servers[addr("127.0.0.2", 80)] = {ConnectMode::immediate, kOk, false};
  Handle a("http://127.0.0.2/a");
  Handle b("http://127.0.0.2/b");
  ms_multi_add_handle(app.multi, a.e);
  app.run();
  ms_multi_add_handle(app.multi, b.e);
  app.run();
  auto msgs = drain(app.multi);
  ASSERT_EQ(msgs.size(), 2u);
  EXPECT_EQ(msgs[1].second, MSE_OK);
  EXPECT_EQ(b.body, "hello");
  EXPECT_EQ(a.info_long(MSINFO_NUM_CONNECTS), 1);
  EXPECT_EQ(b.info_long(MSINFO_NUM_CONNECTS), 0);
  EXPECT_EQ(std::count(app.log.begin(), app.log.end(), "open 3"), 1);
}

TEST(Transfer_Reuse, DeadPooledConnectionNotReused) {
  FakeApp app;
  app.net.servers[addr("127.0.0.2", 80)] = {ConnectMode::immediate, kOk, false};
  Handle a("http://127.0.0.2/a");
  Handle b("http://127.0.0.2/b");
  ms_multi_add_handle(app.multi, a.e);
  app.run();
  app.net.at(3).peer_closed = true;  // the server closed the idle connection
  ms_multi_add_handle(app.multi, b.e);
  app.run();
  auto msgs = drain(app.multi);
  ASSERT_EQ(msgs.size(), 2u);
  EXPECT_EQ(msgs[1].second, MSE_OK);
  EXPECT_EQ(b.info_long(MSINFO_NUM_CONNECTS), 1);
}

TEST(Transfer_Chunked, BodyDecoded) {
  FakeApp app;
  app.net.servers[addr("127.0.0.2", 80)] = {
      ConnectMode::immediate, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", false};
  Handle h("http://127.0.0.2/");
  ms_multi_add_handle(app.multi, h.e);
  EXPECT_EQ(app.run(), 0);
  auto msgs = drain(app.multi);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].second, MSE_OK);
  EXPECT_EQ(h.body, "hello");
}

TEST(Transfer_PeerFaults, MalformedAndCutAndEmpty) {
  struct Case {
    const char* reply;
    MSEcode want;
  } cases[] = {
      {"HTTX/1.1 200 OK\r\n\r\n", MSE_WEIRD_SERVER_REPLY},
      {"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", MSE_PARTIAL_FILE},
      {"", MSE_GOT_NOTHING},
      // A chunk size that is no number: a receive error, as libcurl reports bad chunking.
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", MSE_RECV_ERROR},
  };
  for (const auto& c : cases) {
    FakeApp app;
    app.net.servers[addr("127.0.0.2", 80)] = {ConnectMode::immediate, c.reply, true};
    Handle bad("http://127.0.0.2/");
    ms_multi_add_handle(app.multi, bad.e);
    EXPECT_EQ(app.run(), 0) << c.reply;
    auto msgs = drain(app.multi);
    ASSERT_EQ(msgs.size(), 1u) << c.reply;
    EXPECT_EQ(msgs[0].second, c.want) << c.reply;
    EXPECT_TRUE(app.watched.empty()) << c.reply;
    EXPECT_NE(bad.error[0], '\0');
  }
}

TEST(Transfer_Connect, RefusedTriesNextAddress) {
  FakeApp app;
  app.net.servers[addr("127.0.0.3", 80)] = {ConnectMode::immediate, kOk, false};
  ms_slist* resolve = ms_slist_append(nullptr, "two.test:80:127.0.0.9,127.0.0.3");
  Handle h("http://two.test/");
  ms_easy_setopt(h.e, MSOPT_RESOLVE, resolve);
  ms_multi_add_handle(app.multi, h.e);
  app.run();
  auto msgs = drain(app.multi);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].second, MSE_OK);
  // The refused address was tried first, in the order given: two sockets were opened.
  EXPECT_EQ(std::count_if(app.log.begin(), app.log.end(), [](const std::string& l) { return l.rfind("open ", 0) == 0; }),
            2);
  ms_slist_free_all(resolve);
}

TEST(Transfer_Connect, AllRefusedCouldntConnect) {
  FakeApp app;
  Handle h("http://127.0.0.9/");
  ms_multi_add_handle(app.multi, h.e);
  app.run();
  auto msgs = drain(app.multi);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].second, MSE_COULDNT_CONNECT);
}

TEST(Transfer_Resolve, PendingLookupReportedThenRemovedBeforeRelease) {
  FakeApp app;
  app.resolver.names["slow.test"] = {ms::port::Resolution::Status::ok, {addr("127.0.0.2", 0)}};
  app.resolver.slow.push_back("slow.test");
  app.net.servers[addr("127.0.0.2", 80)] = {ConnectMode::immediate, kOk, false};
  Handle h("http://slow.test/");
  ms_multi_add_handle(app.multi, h.e);
  int running = 0;
  ms_multi_socket_action(app.multi, MS_SOCKET_TIMEOUT, 0, &running);
  ASSERT_EQ(app.watched.size(), 1u);
  const int fd = app.watched.begin()->first;
  EXPECT_EQ(app.watched[fd], MS_POLL_IN);
  ms_multi_socket_action(app.multi, fd, MS_CSELECT_IN, &running);  // spurious: no answer yet
  EXPECT_EQ(running, 1);
  app.resolver.answer_slow();
  app.run();
  auto remove = std::find(app.log.begin(), app.log.end(), "cb " + std::to_string(fd) + " REMOVE");
  auto close = std::find(app.log.begin(), app.log.end(), "close " + std::to_string(fd));
  ASSERT_NE(remove, app.log.end());
  ASSERT_NE(close, app.log.end());
  EXPECT_LT(remove - app.log.begin(), close - app.log.begin());
  auto msgs = drain(app.multi);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].second, MSE_OK);
}

TEST(Transfer_Resolve, UnknownNameFails) {
  FakeApp app;
  Handle h("http://nowhere.test/");
  ms_multi_add_handle(app.multi, h.e);
  app.run();
  auto msgs = drain(app.multi);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].second, MSE_COULDNT_RESOLVE_HOST);
}

TEST(Transfer_Timeout, ConnectTimeoutExactOnVirtualClock) {
  FakeApp app;
  app.net.servers[addr("127.0.0.2", 80)] = {ConnectMode::hang, kOk, false};
  Handle h("http://127.0.0.2/");
  ms_easy_setopt(h.e, MSOPT_CONNECTTIMEOUT_MS, 1500L);
  ms_multi_add_handle(app.multi, h.e);
  const auto t0 = app.clock.t;
  app.run();
  auto msgs = drain(app.multi);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].second, MSE_OPERATION_TIMEDOUT);
  EXPECT_EQ(app.clock.t - t0, 1500ms);
  EXPECT_TRUE(app.watched.empty());
}

TEST(Transfer_Timeout, TotalTimeoutWhileWaitingForReply) {
  FakeApp app;
  app.net.servers[addr("127.0.0.2", 80)] = {ConnectMode::immediate, "", false};
  Handle h("http://127.0.0.2/");
  ms_easy_setopt(h.e, MSOPT_TIMEOUT_MS, 250L);
  ms_multi_add_handle(app.multi, h.e);
  const auto t0 = app.clock.t;
  app.run();
  auto msgs = drain(app.multi);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].second, MSE_OPERATION_TIMEDOUT);
  EXPECT_EQ(app.clock.t - t0, 250ms);
  EXPECT_EQ(h.info_long(MSINFO_RESPONSE_CODE), 0);  // no reply came
  ms_off_t total_us = 0;
  ms_easy_getinfo(h.e, MSINFO_TOTAL_TIME_T, &total_us);
  EXPECT_EQ(total_us, 250000);
}

TEST(Transfer_Timeout, LowSpeedLimit) {
  FakeApp app;
  app.net.servers[addr("127.0.0.2", 80)] = {ConnectMode::immediate, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nab", false};
  Handle h("http://127.0.0.2/");
  ms_easy_setopt(h.e, MSOPT_LOW_SPEED_LIMIT, 10L);
  ms_easy_setopt(h.e, MSOPT_LOW_SPEED_TIME, 3L);
  ms_multi_add_handle(app.multi, h.e);
  const auto t0 = app.clock.t;
  app.run();
  auto msgs = drain(app.multi);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].second, MSE_OPERATION_TIMEDOUT);
  EXPECT_EQ(app.clock.t - t0, 3s);
}

TEST(Transfer_Error, CselectErrDuringConnect) {
  FakeApp app;
  app.net.servers[addr("127.0.0.2", 80)] = {ConnectMode::pending, kOk, false};
  Handle h("http://127.0.0.2/");
  ms_multi_add_handle(app.multi, h.e);
  int running = 0;
  ms_multi_socket_action(app.multi, MS_SOCKET_TIMEOUT, 0, &running);
  const int fd = app.watched.begin()->first;
  // No error pending: a spurious ERR is ignored.
  ms_multi_socket_action(app.multi, fd, MS_CSELECT_ERR, &running);
  EXPECT_EQ(running, 1);
  app.net.at(fd).pending_error = ms::port::NetError::refused;
  ms_multi_socket_action(app.multi, fd, MS_CSELECT_ERR, &running);
  EXPECT_EQ(running, 0);
  auto msgs = drain(app.multi);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].second, MSE_COULDNT_CONNECT);
}

TEST(Transfer_Error, CselectErrWhileReceiving) {
  FakeApp app;
  app.net.servers[addr("127.0.0.2", 80)] = {ConnectMode::immediate, "", false};
  Handle h("http://127.0.0.2/");
  ms_multi_add_handle(app.multi, h.e);
  int running = 0;
  ms_multi_socket_action(app.multi, MS_SOCKET_TIMEOUT, 0, &running);
  const int fd = app.watched.begin()->first;
  EXPECT_EQ(app.watched[fd], MS_POLL_IN);
  app.net.at(fd).pending_error = ms::port::NetError::reset;
  ms_multi_socket_action(app.multi, fd, MS_CSELECT_ERR, &running);
  auto msgs = drain(app.multi);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].second, MSE_RECV_ERROR);
}

TEST(Transfer_MaskZero, EngineTestsTheDescriptor) {
  FakeApp app;
  app.net.servers[addr("127.0.0.2", 80)] = {ConnectMode::pending, kOk, false};
  Handle h("http://127.0.0.2/");
  ms_multi_add_handle(app.multi, h.e);
  int running = 0;
  ms_multi_socket_action(app.multi, MS_SOCKET_TIMEOUT, 0, &running);
  const int fd = app.watched.begin()->first;
  ms_multi_socket_action(app.multi, fd, 0, &running);  // still connecting: nothing happens
  EXPECT_EQ(running, 1);
  app.net.finish_connect(fd);
  for (int i = 0; i < 5 && running; ++i) ms_multi_socket(app.multi, fd, &running);
  EXPECT_EQ(running, 0);
  EXPECT_EQ(h.body, "hello");
}

TEST(Transfer_Abort, SocketCallbackMinusOneEndsEverything) {
  FakeApp app;
  app.net.servers[addr("127.0.0.2", 80)] = {ConnectMode::pending, kOk, false};
  Handle a("http://127.0.0.2/a");
  Handle b("http://127.0.0.2/b");
  ms_multi_add_handle(app.multi, a.e);
  ms_multi_add_handle(app.multi, b.e);
  app.socket_cb_result = -1;
  int running = -1;
  EXPECT_EQ(ms_multi_socket_action(app.multi, MS_SOCKET_TIMEOUT, 0, &running), MSM_ABORTED_BY_CALLBACK);
  EXPECT_EQ(running, 0);
  auto msgs = drain(app.multi);
  ASSERT_EQ(msgs.size(), 2u);
  EXPECT_EQ(msgs[0].second, MSE_ABORTED_BY_CALLBACK);
  EXPECT_EQ(msgs[1].second, MSE_ABORTED_BY_CALLBACK);
  EXPECT_TRUE(app.watched.empty());
  // Remove all, add new ones: works again.
  app.socket_cb_result = 0;
  ms_multi_remove_handle(app.multi, a.e);
  ms_multi_remove_handle(app.multi, b.e);
  app.net.servers[addr("127.0.0.2", 80)].mode = ConnectMode::immediate;
  Handle c("http://127.0.0.2/c");
  ms_multi_add_handle(app.multi, c.e);
  EXPECT_EQ(app.run(), 0);
  msgs = drain(app.multi);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].second, MSE_OK);
}

size_t short_write(char*, size_t, size_t, void*) { return 1; }

TEST(Transfer_Write, ShortCountIsWriteError) {
  FakeApp app;
  app.net.servers[addr("127.0.0.2", 80)] = {ConnectMode::immediate, kOk, false};
  Handle h("http://127.0.0.2/");
  ms_easy_setopt(h.e, MSOPT_WRITEFUNCTION, &short_write);
  ms_multi_add_handle(app.multi, h.e);
  app.run();
  auto msgs = drain(app.multi);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].second, MSE_WRITE_ERROR);
}

struct PauseOnce {
  std::string got;
  int calls = 0;
};
size_t pause_first(char* p, size_t size, size_t n, void* userp) {
  auto* s = static_cast<PauseOnce*>(userp);
  if (s->calls++ == 0) return MS_WRITEFUNC_PAUSE;
  s->got.append(p, size * n);
  return size * n;
}

TEST(Transfer_Pause, WritePauseThenResume) {
  FakeApp app;
  app.net.servers[addr("127.0.0.2", 80)] = {ConnectMode::immediate, kOk, false};
  Handle h("http://127.0.0.2/");
  PauseOnce p;
  ms_easy_setopt(h.e, MSOPT_WRITEFUNCTION, &pause_first);
  ms_easy_setopt(h.e, MSOPT_WRITEDATA, &p);
  ms_multi_add_handle(app.multi, h.e);
  int running = app.run();
  EXPECT_EQ(running, 1);  // paused: nothing can happen
  ASSERT_EQ(app.watched.size(), 1u);
  EXPECT_EQ(app.watched.begin()->second, MS_POLL_NONE);
  EXPECT_EQ(ms_easy_pause(h.e, MSPAUSE_CONT), MSE_OK);
  EXPECT_EQ(p.got, "hello");
  auto msgs = drain(app.multi);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].second, MSE_OK);
}

TEST(Transfer_Methods, HeadAndPost) {
  FakeApp app;
  app.net.servers[addr("127.0.0.2", 80)] = {ConnectMode::immediate, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", true};
  Handle head("http://127.0.0.2/h");
  ms_easy_setopt(head.e, MSOPT_NOBODY, 1L);
  ms_multi_add_handle(app.multi, head.e);
  app.run();
  auto msgs = drain(app.multi);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].second, MSE_OK);
  EXPECT_EQ(app.net.at(3).from_client.rfind("HEAD /h HTTP/1.1\r\n", 0), 0u);
  ms_off_t cl = 0;
  ms_easy_getinfo(head.e, MSINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
  EXPECT_EQ(cl, 5);

  FakeApp app2;
  app2.net.servers[addr("127.0.0.2", 80)] = {ConnectMode::immediate, kOk, false};
  Handle post("http://127.0.0.2/p");
  ms_easy_setopt(post.e, MSOPT_POSTFIELDS, "k=v");
  ms_multi_add_handle(app2.multi, post.e);
  app2.run();
  const std::string& req = app2.net.at(3).from_client;
  EXPECT_EQ(req.rfind("POST /p HTTP/1.1\r\n", 0), 0u);
  EXPECT_NE(req.find("Content-Length: 3\r\n"), std::string::npos);
  EXPECT_EQ(req.substr(req.size() - 3), "k=v");
  ms_off_t up = 0;
  ms_easy_getinfo(post.e, MSINFO_SIZE_UPLOAD_T, &up);
  EXPECT_EQ(up, 3);
}

TEST(Transfer_Redirect, FollowsLocation) {
  FakeApp app;
  app.net.servers[addr("127.0.0.2", 80)] = {ConnectMode::immediate,
                                           "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.3/next\r\nContent-Length: 3\r\n\r\nxyz", false};
  app.net.servers[addr("127.0.0.3", 80)] = {ConnectMode::immediate, kOk, false};
  Handle h("http://127.0.0.2/");
  ms_easy_setopt(h.e, MSOPT_FOLLOWLOCATION, 1L);
  ms_multi_add_handle(app.multi, h.e);
  app.run();
  auto msgs = drain(app.multi);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].second, MSE_OK);
  EXPECT_EQ(h.body, "hello");
  EXPECT_EQ(h.info_long(MSINFO_REDIRECT_COUNT), 1);
  const char* eff = nullptr;
  ms_easy_getinfo(h.e, MSINFO_EFFECTIVE_URL, &eff);
  ASSERT_NE(eff, nullptr);
  EXPECT_NE(std::string(eff).find("127.0.0.3/next"), std::string::npos);
}

int count_progress(void* p, ms_off_t, ms_off_t, ms_off_t, ms_off_t) {
  return ++*static_cast<int*>(p) >= 1 ? 1 : 0;
}

TEST(Transfer_Progress, NonZeroAborts) {
  FakeApp app;
  app.net.servers[addr("127.0.0.2", 80)] = {ConnectMode::immediate, kOk, false};
  Handle h("http://127.0.0.2/");
  int calls = 0;
  ms_easy_setopt(h.e, MSOPT_NOPROGRESS, 0L);
  ms_easy_setopt(h.e, MSOPT_XFERINFOFUNCTION, &count_progress);
  ms_easy_setopt(h.e, MSOPT_XFERINFODATA, &calls);
  ms_multi_add_handle(app.multi, h.e);
  app.run();
  auto msgs = drain(app.multi);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].second, MSE_ABORTED_BY_CALLBACK);
  EXPECT_GE(calls, 1);
}

TEST(Transfer_Memory, IdleHandleIsSmall) {
  // What an added, not yet started handle costs: the easy handle and its transfer state
  // (no buffer: receive scratch belongs to the multi, requests are freed once sent).
  EXPECT_LT(sizeof(ms_easy) + sizeof(ms::Transfer), 2800u);
}

}  // namespace

namespace {
size_t slow_sink(char* p, size_t s, size_t n, void* u) {
  static_cast<std::string*>(u)->append(p, s * n);
  return s * n;
}

TEST(Transfer_Send, WatchesInoutWhileSendingAndTakesEarlyReply) {
  FakeApp app;
  app.net.servers[ms::test::addr("127.0.0.2", 80)] = {ConnectMode::immediate, "", false};
  app.net.send_blocked = true;  // the request cannot go out
  Handle h("http://127.0.0.2/");
  std::string body;
  ms_easy_setopt(h.e, MSOPT_WRITEFUNCTION, &slow_sink);
  ms_easy_setopt(h.e, MSOPT_WRITEDATA, &body);
  ms_multi_add_handle(app.multi, h.e);
  int running = 0;
  ms_multi_socket_action(app.multi, MS_SOCKET_TIMEOUT, 0, &running);
  ASSERT_EQ(app.watched.size(), 1u);
  const int fd = app.watched.begin()->first;
  EXPECT_EQ(app.watched[fd], MS_POLL_INOUT);
  ms_multi_socket_action(app.multi, fd, MS_CSELECT_IN, &running);  // spurious IN: goes on
  EXPECT_EQ(running, 1);
  app.net.at(fd).to_client = "HTTP/1.1 413 Too Large\r\nContent-Length: 2\r\n\r\nno";
  app.net.at(fd).peer_closed = true;
  ms_multi_socket_action(app.multi, fd, MS_CSELECT_IN, &running);
  EXPECT_EQ(running, 0);
  auto msgs = drain(app.multi);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].second, MSE_OK);
  EXPECT_EQ(h.info_long(MSINFO_RESPONSE_CODE), 413);
  EXPECT_EQ(body, "no");
  EXPECT_TRUE(app.watched.empty());
}
}  // namespace

// SPDX-License-Identifier: MIT
// Added handles that have not started: what they cost (heap bytes, measured with
// mallinfo2) and that they behave as started ones do when removed, paused or aborted
// before their first timer (the engine makes their transfer only then); what a started
// transfer queued for a connection slot adds; and the rarely set options, which a handle
// holds only once one of them is set.
#include <gtest/gtest.h>
#include <malloc.h>

#include <memory>
#include <string>
#include <vector>

#include "fake_ports.hpp"
#include "test_handle.hpp"

namespace {

using ms::test::addr;
using ms::test::ConnectMode;
using ms::test::drain;
using ms::test::FakeApp;
using ms::test::Handle;

const char* kOk = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";

// Heap in use: malloc's arenas and the blocks it mmapped (the handles' arena takes aligned
// chunks, which malloc may map).
std::size_t heap_in_use() {
  const struct mallinfo2 m = mallinfo2();
  return m.uordblks + m.hblkhd;
}

// Heap bytes per handle made with a URL and added, none started (the first, a warm-up,
// not counted: it pays for what a multi allocates once).
[[maybe_unused]] double heap_per_idle_added_handle(int handles) {  // unused under ASan
  FakeApp app;
  auto add_one = [&] {
    ms_easy* e = ms_easy_init();
    ms_easy_setopt(e, MSOPT_URL, "http://127.0.0.1:9/");
    ms_multi_add_handle(app.multi, e);
    return e;
  };
  ms_easy* warm = add_one();
  std::vector<ms_easy*> easies;
  easies.reserve(static_cast<std::size_t>(handles));
  const std::size_t before = heap_in_use();
  for (int i = 0; i < handles; ++i) easies.push_back(add_one());
  const std::size_t after = heap_in_use();
  for (ms_easy* e : easies) {
    ms_multi_remove_handle(app.multi, e);
    ms_easy_cleanup(e);
  }
  ms_multi_remove_handle(app.multi, warm);
  ms_easy_cleanup(warm);
  return (static_cast<double>(after) - static_cast<double>(before)) / handles;
}

// libcurl 7.88 holds about 5,600 bytes per such handle; the engine held 2,160 while it
// made each handle's transfer at the add and kept every option in the handle (about 640
// now: its arena slot, its timer-queue node, its URL).
TEST(IdleHandle, HeapPerIdleAddedHandleWithinBound) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "mallinfo2 does not see the sanitizer's heap";
#else
  const double per_handle = heap_per_idle_added_handle(1000);
  std::printf("heap per idle added handle: %.0f bytes\n", per_handle);
  EXPECT_GT(per_handle, 0.0);
  EXPECT_LE(per_handle, 1200.0) << "heap bytes per idle added handle";
#endif
}

// Heap bytes each transfer adds when it starts and queues for the one connection slot
// (MSMOPT_MAX_TOTAL_CONNECTIONS 1) behind a first transfer that connects and hangs.
[[maybe_unused]] double heap_per_queued_transfer(int handles) {  // unused under ASan
  FakeApp app;
  app.stop_logging();
  app.net.servers[addr("127.0.0.2", 80)] = {ConnectMode::hang, "", false};
  ms_multi_setopt(app.multi, MSMOPT_MAX_TOTAL_CONNECTIONS, 1L);
  std::vector<std::unique_ptr<Handle>> hs;
  for (int i = 0; i <= handles; ++i) {
    hs.push_back(std::make_unique<Handle>("http://127.0.0.2/f" + std::to_string(i)));
    ms_multi_add_handle(app.multi, hs.back()->e);
  }
  const std::size_t before = heap_in_use();
  int running = 0;
  ms_multi_socket_action(app.multi, MS_SOCKET_TIMEOUT, 0, &running);  // one connects, the rest queue
  const std::size_t after = heap_in_use();
  EXPECT_EQ(running, handles + 1);
  for (auto& h : hs) ms_multi_remove_handle(app.multi, h->e);
  return (static_cast<double>(after) - static_cast<double>(before)) / handles;
}

// A queued transfer holds its URL, its pool key and its place in the queue, not the parts
// of an exchange (connector, parser, delivery, upload: about 620 bytes more), which are
// made when it leaves the queue. It measured 1,226 bytes while it held them all (602 now).
TEST(IdleHandle, HeapPerQueuedTransferWithinBound) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "mallinfo2 does not see the sanitizer's heap";
#else
  const double per_transfer = heap_per_queued_transfer(1000);
  std::printf("heap per queued transfer: %.0f bytes\n", per_transfer);
  EXPECT_GT(per_transfer, 0.0);
  EXPECT_LE(per_transfer, 800.0) << "heap bytes a queued transfer adds";
#endif
}

// Heap bytes per handle whose transfer finished (a 200 from a server that closes) and which
// the application leaves added, its DONE message read: what stays is its results.
[[maybe_unused]] double heap_per_finished_added_handle(int handles) {  // unused under ASan
  FakeApp app;
  app.stop_logging();
  app.net.servers[addr("127.0.0.2", 80)] = {ConnectMode::immediate, kOk, true};
  std::vector<std::unique_ptr<Handle>> hs;
  for (int i = 0; i <= handles; ++i) hs.push_back(std::make_unique<Handle>("http://127.0.0.2/f" + std::to_string(i)));
  ms_multi_add_handle(app.multi, hs[0]->e);  // the warm-up: what a multi allocates once
  app.run();
  EXPECT_EQ(drain(app.multi).size(), 1u);
  const std::size_t before = heap_in_use();
  for (int i = 1; i <= handles; ++i) {
    ms_multi_add_handle(app.multi, hs[static_cast<std::size_t>(i)]->e);
    app.run();
    const auto msgs = drain(app.multi);
    EXPECT_TRUE(msgs.size() == 1 && msgs[0].second == MSE_OK);
  }
  const std::size_t after = heap_in_use();
  for (auto& h : hs) {
    EXPECT_EQ(h->body, "hello");
    EXPECT_EQ(h->info_long(MSINFO_RESPONSE_CODE), 200);  // the results stay
    ms_multi_remove_handle(app.multi, h->e);
  }
  return (static_cast<double>(after) - static_cast<double>(before)) / handles;
}

// A finished handle left added holds its results, not its transfer: the transfer (with its
// exchange: connector, parser, delivery) goes at the end of the call in which it finished.
// It measured 1,736 bytes while the handle kept the transfer until its removal (392 now:
// its DONE results, its timer-queue node, the body and headers the test collects).
TEST(IdleHandle, HeapPerFinishedAddedHandleWithinBound) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "mallinfo2 does not see the sanitizer's heap";
#else
  const double per_handle = heap_per_finished_added_handle(1000);
  std::printf("heap per finished added handle: %.0f bytes\n", per_handle);
  EXPECT_GT(per_handle, 0.0);
  EXPECT_LE(per_handle, 800.0) << "heap bytes per finished, still added handle";
#endif
}

// A finished handle whose transfer is gone still behaves as one that finished: pausing it
// changes nothing, removing it leaves the running count alone, and added again it runs anew.
TEST(IdleHandle, FinishedHandleLeftAddedStaysFinished) {
  FakeApp app;
  app.net.servers[addr("127.0.0.2", 80)] = {ConnectMode::immediate, kOk, true};
  app.net.servers[addr("127.0.0.3", 80)] = {ConnectMode::hang, "", false};
  Handle a("http://127.0.0.2/a");
  Handle b("http://127.0.0.3/b");
  ASSERT_EQ(ms_multi_add_handle(app.multi, a.e), MSM_OK);
  EXPECT_EQ(app.run(), 0);
  ASSERT_EQ(drain(app.multi).size(), 1u);
  ASSERT_EQ(ms_multi_add_handle(app.multi, b.e), MSM_OK);
  int running = -1;
  ASSERT_EQ(ms_multi_socket_action(app.multi, MS_SOCKET_TIMEOUT, 0, &running), MSM_OK);
  EXPECT_EQ(running, 1);  // b, which waits on its peer
  ASSERT_EQ(ms_easy_pause(a.e, MSPAUSE_ALL), MSE_OK);  // finished: nothing to pause
  ASSERT_EQ(ms_easy_pause(a.e, MSPAUSE_CONT), MSE_OK);
  ASSERT_EQ(ms_multi_remove_handle(app.multi, a.e), MSM_OK);
  ASSERT_EQ(ms_multi_socket_action(app.multi, MS_SOCKET_TIMEOUT, 0, &running), MSM_OK);
  EXPECT_EQ(running, 1);  // still b
  EXPECT_TRUE(drain(app.multi).empty());
  EXPECT_EQ(a.info_long(MSINFO_RESPONSE_CODE), 200);
  a.body.clear();
  ASSERT_EQ(ms_multi_add_handle(app.multi, a.e), MSM_OK);
  ASSERT_EQ(ms_multi_socket_action(app.multi, MS_SOCKET_TIMEOUT, 0, &running), MSM_OK);
  EXPECT_EQ(running, 1);  // a ran again and finished; b still waits
  const auto msgs = drain(app.multi);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].first, a.e);
  EXPECT_EQ(msgs[0].second, MSE_OK);
  EXPECT_EQ(a.body, "hello");
  ASSERT_EQ(ms_multi_remove_handle(app.multi, b.e), MSM_OK);
}

TEST(IdleHandle, RemovedBeforeStartLeavesNothingToRun) {
  FakeApp app;
  app.net.servers[addr("127.0.0.2", 80)] = {ConnectMode::immediate, kOk, false};
  Handle a("http://127.0.0.2/a");
  Handle b("http://127.0.0.2/b");
  ASSERT_EQ(ms_multi_add_handle(app.multi, a.e), MSM_OK);
  ASSERT_EQ(ms_multi_add_handle(app.multi, b.e), MSM_OK);
  EXPECT_EQ(app.timer_ms, 0);
  ASSERT_EQ(ms_multi_remove_handle(app.multi, a.e), MSM_OK);
  EXPECT_EQ(app.timer_ms, 0);  // b's start is still due
  ASSERT_EQ(ms_multi_remove_handle(app.multi, b.e), MSM_OK);
  EXPECT_EQ(app.timer_ms, -1);  // no start left: the timer is deleted
  int running = -1;
  ASSERT_EQ(ms_multi_socket_action(app.multi, MS_SOCKET_TIMEOUT, 0, &running), MSM_OK);
  EXPECT_EQ(running, 0);
  EXPECT_TRUE(drain(app.multi).empty());
  EXPECT_TRUE(app.log.empty());  // no socket opened
  // Added again, it runs as a fresh handle.
  ASSERT_EQ(ms_multi_add_handle(app.multi, a.e), MSM_OK);
  EXPECT_EQ(app.run(), 0);
  const auto msgs = drain(app.multi);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].first, a.e);
  EXPECT_EQ(msgs[0].second, MSE_OK);
  EXPECT_EQ(a.body, "hello");
}

TEST(IdleHandle, PausedBeforeStartStartsAndResumes) {
  FakeApp app;
  app.net.servers[addr("127.0.0.2", 80)] = {ConnectMode::immediate, kOk, false};
  Handle h("http://127.0.0.2/");
  ASSERT_EQ(ms_multi_add_handle(app.multi, h.e), MSM_OK);
  ASSERT_EQ(ms_easy_pause(h.e, MSPAUSE_ALL), MSE_OK);
  EXPECT_EQ(app.timer_ms, 0);  // its start is still due
  EXPECT_EQ(app.run(), 1);     // started, the response held back
  EXPECT_EQ(h.body, "");
  EXPECT_FALSE(app.log.empty());
  ASSERT_EQ(ms_easy_pause(h.e, MSPAUSE_CONT), MSE_OK);
  app.run();
  const auto msgs = drain(app.multi);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].second, MSE_OK);
  EXPECT_EQ(h.body, "hello");
}

TEST(IdleHandle, AbortBeforeStartEndsEachHandleOnce) {
  FakeApp app;
  Handle a("http://127.0.0.2/a");
  Handle b("http://127.0.0.2/b");
  ASSERT_EQ(ms_multi_add_handle(app.multi, a.e), MSM_OK);
  // The callback set again holds no timer, so b's add tells it; it fails.
  ms_multi_setopt(app.multi, MSMOPT_TIMERFUNCTION, &FakeApp::on_timer);
  app.timer_cb_result = -1;
  EXPECT_EQ(ms_multi_add_handle(app.multi, b.e), MSM_ABORTED_BY_CALLBACK);
  const auto msgs = drain(app.multi);
  ASSERT_EQ(msgs.size(), 2u);
  EXPECT_EQ(msgs[0].first, a.e);
  EXPECT_EQ(msgs[1].first, b.e);
  EXPECT_EQ(msgs[0].second, MSE_ABORTED_BY_CALLBACK);
  EXPECT_EQ(msgs[1].second, MSE_ABORTED_BY_CALLBACK);
  EXPECT_STREQ(a.error, "aborted by an application callback");
  EXPECT_EQ(app.timer_ms, -1);
  EXPECT_TRUE(app.log.empty());  // nothing was opened
}

TEST(IdleHandle, RareOptionsAreEachHandlesOwn) {
  FakeApp app;
  app.net.servers[addr("127.0.0.2", 80)] = {ConnectMode::immediate, kOk, true};
  Handle plain("http://127.0.0.2/p");
  Handle dressed("http://127.0.0.2/d");
  ASSERT_EQ(ms_easy_setopt(dressed.e, MSOPT_USERAGENT, "agent/1"), MSE_OK);
  ASSERT_EQ(ms_easy_setopt(dressed.e, MSOPT_REFERER, "http://from/"), MSE_OK);
  ASSERT_EQ(ms_multi_add_handle(app.multi, plain.e), MSM_OK);
  ASSERT_EQ(ms_multi_add_handle(app.multi, dressed.e), MSM_OK);
  EXPECT_EQ(app.run(), 0);
  // The request heads, wherever they went (a descriptor is reused once its transfer is done).
  const auto head_of = [&app](const char* start) {
    const auto at = app.net.sent.find(start);
    if (at == std::string::npos) return std::string();
    return app.net.sent.substr(at, app.net.sent.find("\r\n\r\n", at) + 4 - at);
  };
  const std::string plain_request = head_of("GET /p ");
  const std::string dressed_request = head_of("GET /d ");
  EXPECT_NE(dressed_request.find("\r\nUser-Agent: agent/1\r\n"), std::string::npos) << dressed_request;
  EXPECT_NE(dressed_request.find("\r\nReferer: http://from/\r\n"), std::string::npos) << dressed_request;
  ASSERT_FALSE(plain_request.empty());
  EXPECT_EQ(plain_request.find("User-Agent:"), std::string::npos) << plain_request;
  EXPECT_EQ(plain_request.find("Referer:"), std::string::npos) << plain_request;
  const char* referer = "unset";
  ASSERT_EQ(ms_easy_getinfo(plain.e, MSINFO_REFERER, &referer), MSE_OK);
  EXPECT_EQ(referer, nullptr);
  ASSERT_EQ(ms_easy_getinfo(dressed.e, MSINFO_REFERER, &referer), MSE_OK);
  EXPECT_STREQ(referer, "http://from/");
}

}  // namespace

// SPDX-License-Identifier: MIT
// The classic loop over the fake ports: ms_multi_perform, wait, poll, wakeup, fdset and
// ms::easy_perform, their argument checks, how they mix with socket_action, and the
// progress cadence, FAILONERROR and VERBOSE-to-stderr behaviour the loop relies on.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "easy.hpp"
#include "fake_ports.hpp"
#include "test_handle.hpp"

namespace {
using namespace std::chrono_literals;
using ms::port::Nanos;
using ms::test::addr;
using ms::test::ConnectMode;
using ms::test::FakeApp;

using ms::test::collect;
using ms::test::drain;
using ms::test::Handle;

const char* kOk = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";

// perform, then poll, until nothing runs; returns the number of rounds.
int classic_loop(ms_multi* m, int max_rounds = 100) {
  int rounds = 0;
  for (; rounds < max_rounds; ++rounds) {
    int running = -1;
    EXPECT_EQ(ms_multi_perform(m, &running), MSM_OK);
    if (running == 0) break;
    EXPECT_EQ(ms_multi_poll(m, nullptr, 0, 1000, nullptr), MSM_OK);
  }
  return rounds;
}

TEST(ClassicLoop_Perform, GetDeliversBodyAndOneDone) {
  FakeApp app;
  app.net.servers[addr("127.0.0.2", 80)] = {ConnectMode::pending, kOk, false};
  Handle h("http://127.0.0.2/x");
  ASSERT_EQ(ms_multi_add_handle(app.multi, h.e), MSM_OK);
  int running = -1;
  ASSERT_EQ(ms_multi_perform(app.multi, &running), MSM_OK);
  EXPECT_EQ(running, 1);
  app.net.finish_connect(3);  // the connect completes while the loop waits
  EXPECT_LT(classic_loop(app.multi), 100);
  const auto msgs = drain(app.multi);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].second, MSE_OK);
  EXPECT_EQ(h.body, "hello");
}

TEST(ClassicLoop_Perform, NullRunningIsBadArgumentAndBadHandleIsRefused) {
  FakeApp app;
  EXPECT_EQ(ms_multi_perform(app.multi, nullptr), MSM_BAD_FUNCTION_ARGUMENT);
  int running = -1;
  EXPECT_EQ(ms_multi_perform(nullptr, &running), MSM_BAD_HANDLE);
  EXPECT_EQ(ms_multi_wait(nullptr, nullptr, 0, 0, nullptr), MSM_BAD_HANDLE);
  EXPECT_EQ(ms_multi_poll(nullptr, nullptr, 0, 0, nullptr), MSM_BAD_HANDLE);
  EXPECT_EQ(ms_multi_wakeup(nullptr), MSM_BAD_HANDLE);
  int max_fd = 0;
  EXPECT_EQ(ms_multi_fdset(nullptr, nullptr, nullptr, nullptr, &max_fd), MSM_BAD_HANDLE);
  const ms::port::Ports ports{&app.clock, &app.net, &app.resolver, &app.waiter};
  EXPECT_EQ(ms::easy_perform(nullptr, ports), MSE_BAD_FUNCTION_ARGUMENT);
}

TEST(ClassicLoop_Wait, BadArgumentsAreRefused) {
  FakeApp app;
  EXPECT_EQ(ms_multi_wait(app.multi, nullptr, 0, -1, nullptr), MSM_BAD_FUNCTION_ARGUMENT);
  EXPECT_EQ(ms_multi_poll(app.multi, nullptr, 0, -5, nullptr), MSM_BAD_FUNCTION_ARGUMENT);
  EXPECT_EQ(ms_multi_wait(app.multi, nullptr, 3, 10, nullptr), MSM_BAD_FUNCTION_ARGUMENT);
  EXPECT_EQ(ms_multi_poll(app.multi, nullptr, 1, 10, nullptr), MSM_BAD_FUNCTION_ARGUMENT);
  EXPECT_TRUE(app.waiter.timeouts.empty());  // nothing waited for
}

TEST(ClassicLoop_Wait, NothingToWaitForReturnsAtOncePollWaitsOut) {
  FakeApp app;
  const Nanos t0 = app.clock.t;
  int n = -1;
  EXPECT_EQ(ms_multi_wait(app.multi, nullptr, 0, 1500, &n), MSM_OK);
  EXPECT_EQ(n, 0);
  EXPECT_EQ(app.clock.t, t0);
  EXPECT_EQ(ms_multi_poll(app.multi, nullptr, 0, 1500, &n), MSM_OK);
  EXPECT_EQ(n, 0);
  EXPECT_EQ(app.clock.t - t0, 1500ms);
}

TEST(ClassicLoop_Wait, NeverPastTheNextTimeout) {
  FakeApp app;
  app.net.servers[addr("127.0.0.2", 80)] = {ConnectMode::hang, kOk, false};
  Handle h("http://127.0.0.2/x");
  ms_easy_setopt(h.e, MSOPT_CONNECTTIMEOUT_MS, 300L);
  ASSERT_EQ(ms_multi_add_handle(app.multi, h.e), MSM_OK);
  int running = -1;
  ASSERT_EQ(ms_multi_perform(app.multi, &running), MSM_OK);
  ASSERT_EQ(running, 1);
  const Nanos t0 = app.clock.t;
  int n = -1;
  ASSERT_EQ(ms_multi_wait(app.multi, nullptr, 0, 10000, &n), MSM_OK);
  EXPECT_EQ(n, 0);
  ASSERT_FALSE(app.waiter.timeouts.empty());
  EXPECT_EQ(app.waiter.timeouts.back(), 300ms);
  EXPECT_EQ(app.clock.t - t0, 300ms);
  ASSERT_EQ(ms_multi_perform(app.multi, &running), MSM_OK);
  EXPECT_EQ(running, 0);
  const auto msgs = drain(app.multi);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].second, MSE_OPERATION_TIMEDOUT);
}

TEST(ClassicLoop_Wait, ExtraDescriptorReportedInRevents) {
  FakeApp app;
  int fd = -1;
  ASSERT_EQ(app.net.open_stream(ms::port::Family::v4, fd), ms::port::NetError::none);
  app.net.at(fd).to_client = "x";  // readable
  ms_waitfd extra[2] = {{fd, MS_WAIT_POLLIN | MS_WAIT_POLLPRI, 77}, {fd, 0, 5}};
  int n = -1;
  const Nanos t0 = app.clock.t;
  ASSERT_EQ(ms_multi_wait(app.multi, extra, 2, 1000, &n), MSM_OK);
  EXPECT_EQ(n, 1);
  EXPECT_EQ(extra[0].revents, MS_WAIT_POLLIN | MS_WAIT_POLLPRI);
  EXPECT_EQ(extra[1].revents, 0);
  EXPECT_EQ(app.clock.t, t0);
  app.net.at(fd).to_client.clear();
  ASSERT_EQ(ms_multi_wait(app.multi, extra, 1, 250, &n), MSM_OK);
  EXPECT_EQ(n, 0);
  EXPECT_EQ(extra[0].revents, 0);
  EXPECT_EQ(app.clock.t - t0, 250ms);
}

TEST(ClassicLoop_Wakeup, WakesOnePollThenIsSpent) {
  FakeApp app;
  const Nanos t0 = app.clock.t;
  ASSERT_EQ(ms_multi_wakeup(app.multi), MSM_OK);
  int n = -1;
  ASSERT_EQ(ms_multi_poll(app.multi, nullptr, 0, 5000, &n), MSM_OK);
  EXPECT_EQ(n, 0);  // the wake-up descriptor is not counted
  EXPECT_EQ(app.clock.t, t0);
  ASSERT_EQ(ms_multi_poll(app.multi, nullptr, 0, 5000, &n), MSM_OK);
  EXPECT_EQ(app.clock.t - t0, 5000ms);
  EXPECT_EQ(app.waiter.wakes, 1);
}

TEST(ClassicLoop_Wakeup, WaitIgnoresTheWakeup) {
  FakeApp app;
  ASSERT_EQ(ms_multi_wakeup(app.multi), MSM_OK);
  const Nanos t0 = app.clock.t;
  app.net.servers[addr("127.0.0.2", 80)] = {ConnectMode::hang, kOk, false};
  Handle h("http://127.0.0.2/x");
  ASSERT_EQ(ms_multi_add_handle(app.multi, h.e), MSM_OK);
  int running = 0;
  ASSERT_EQ(ms_multi_perform(app.multi, &running), MSM_OK);
  ASSERT_EQ(ms_multi_wait(app.multi, nullptr, 0, 700, nullptr), MSM_OK);
  EXPECT_EQ(app.clock.t - t0, 700ms);
}

TEST(ClassicLoop_Wakeup, PortsWithoutWaiterRefuseWaitingCalls) {
  ms::test::FakeClock clock;
  ms::test::FakeNet net;
  ms::test::FakeResolver resolver;
  resolver.net = &net;
  ms_multi* m = ms::multi_init(ms::port::Ports{&clock, &net, &resolver});
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(ms_multi_wakeup(m), MSM_WAKEUP_FAILURE);
  EXPECT_EQ(ms_multi_poll(m, nullptr, 0, 10, nullptr), MSM_INTERNAL_ERROR);
  EXPECT_EQ(ms_multi_wait(m, nullptr, 0, 10, nullptr), MSM_INTERNAL_ERROR);
  int running = -1;
  EXPECT_EQ(ms_multi_perform(m, &running), MSM_OK);  // perform needs no waiting
  EXPECT_EQ(running, 0);
  Handle h("http://127.0.0.2/x");
  EXPECT_EQ(ms::easy_perform(h.e, ms::port::Ports{&clock, &net, &resolver}), MSE_FAILED_INIT);
  ms_multi_cleanup(m);
}

TEST(ClassicLoop_Fdset, FollowsWhatTheTransferWaitsFor) {
  FakeApp app;
  app.net.servers[addr("127.0.0.2", 80)] = {ConnectMode::pending, kOk, false};
  Handle h("http://127.0.0.2/x");
  fd_set r, w, x;
  FD_ZERO(&r);
  FD_ZERO(&w);
  FD_ZERO(&x);
  int max_fd = 99;
  ASSERT_EQ(ms_multi_fdset(app.multi, &r, &w, &x, &max_fd), MSM_OK);
  EXPECT_EQ(max_fd, -1);
  EXPECT_EQ(ms_multi_fdset(app.multi, &r, &w, &x, nullptr), MSM_BAD_FUNCTION_ARGUMENT);
  ASSERT_EQ(ms_multi_add_handle(app.multi, h.e), MSM_OK);
  int running = 0;
  ASSERT_EQ(ms_multi_perform(app.multi, &running), MSM_OK);
  ASSERT_EQ(ms_multi_fdset(app.multi, &r, &w, &x, &max_fd), MSM_OK);
  EXPECT_EQ(max_fd, 3);
  EXPECT_TRUE(FD_ISSET(3, &w));  // connecting: waits for writable
  EXPECT_FALSE(FD_ISSET(3, &r));
  EXPECT_FALSE(FD_ISSET(3, &x));
  app.net.servers[addr("127.0.0.2", 80)].reply = "";  // no answer yet: the request waits for one
  app.net.finish_connect(3);
  ASSERT_EQ(ms_multi_perform(app.multi, &running), MSM_OK);
  FD_ZERO(&r);
  FD_ZERO(&w);
  ASSERT_EQ(ms_multi_fdset(app.multi, &r, nullptr, nullptr, &max_fd), MSM_OK);  // NULL sets skipped
  EXPECT_EQ(max_fd, 3);
  EXPECT_TRUE(FD_ISSET(3, &r));  // request sent: waits for the answer
}

// Callbacks may not drive the multi they run in; the wake-up is allowed anywhere.
TEST(ClassicLoop_Recursion, CallsFromACallbackAreRefused) {
  FakeApp app;
  app.net.servers[addr("127.0.0.2", 80)] = {ConnectMode::immediate, kOk, false};
  Handle h("http://127.0.0.2/x");
  struct Seen {
    ms_multi* m;
    std::vector<int> codes;
  } seen{app.multi, {}};
  ms_easy_setopt(h.e, MSOPT_WRITEDATA, &seen);
  ms_easy_setopt(h.e, MSOPT_WRITEFUNCTION, +[](char*, size_t s, size_t n, void* u) -> size_t {
    auto* z = static_cast<Seen*>(u);
    int running = 0, max_fd = 0;
    z->codes.push_back(ms_multi_perform(z->m, &running));
    z->codes.push_back(ms_multi_wait(z->m, nullptr, 0, 0, nullptr));
    z->codes.push_back(ms_multi_poll(z->m, nullptr, 0, 0, nullptr));
    z->codes.push_back(ms_multi_fdset(z->m, nullptr, nullptr, nullptr, &max_fd));
    z->codes.push_back(ms_multi_wakeup(z->m));
    return s * n;
  });
  ASSERT_EQ(ms_multi_add_handle(app.multi, h.e), MSM_OK);
  classic_loop(app.multi);
  EXPECT_EQ(seen.codes, (std::vector<int>{MSM_RECURSIVE_API_CALL, MSM_RECURSIVE_API_CALL, MSM_RECURSIVE_API_CALL,
                                          MSM_RECURSIVE_API_CALL, MSM_OK}));
}

// socket_action and perform take turns on one multi: the callbacks keep telling changes.
TEST(ClassicLoop_Mixing, SocketActionThenPerformShareOneStateMachine) {
  FakeApp app;
  app.net.servers[addr("127.0.0.2", 80)] = {ConnectMode::pending, "", false};  // answers later
  Handle h("http://127.0.0.2/x");
  ASSERT_EQ(ms_multi_add_handle(app.multi, h.e), MSM_OK);
  int running = -1;
  ASSERT_EQ(ms_multi_socket_action(app.multi, MS_SOCKET_TIMEOUT, 0, &running), MSM_OK);
  ASSERT_EQ(app.watched.count(3), 1u);
  EXPECT_EQ(app.watched[3], MS_POLL_OUT);
  app.net.finish_connect(3);
  ASSERT_EQ(ms_multi_perform(app.multi, &running), MSM_OK);  // the connect is seen by perform
  EXPECT_EQ(app.watched[3], MS_POLL_IN);                      // and the socket callback is told
  app.net.at(3).to_client = kOk;
  EXPECT_EQ(app.run(), 0);                                    // socket_action finishes it
  const auto msgs = drain(app.multi);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].second, MSE_OK);
  EXPECT_EQ(h.body, "hello");
  EXPECT_TRUE(app.watched.empty());
}

TEST(ClassicLoop_EasyPerform, RunsToTheEndAndReusesTheConnection) {
  FakeApp app;  // for its ports only
  app.net.servers[addr("127.0.0.2", 80)] = {ConnectMode::immediate, kOk, false};
  const ms::port::Ports ports{&app.clock, &app.net, &app.resolver, &app.waiter};
  Handle h("http://127.0.0.2/x");
  ASSERT_EQ(ms::easy_perform(h.e, ports), MSE_OK);
  EXPECT_EQ(h.body, "hello");
  long connects = -1;
  ms_easy_getinfo(h.e, MSINFO_NUM_CONNECTS, &connects);
  EXPECT_EQ(connects, 1);
  h.body.clear();
  ASSERT_EQ(ms::easy_perform(h.e, ports), MSE_OK);
  EXPECT_EQ(h.body, "hello");
  ms_easy_getinfo(h.e, MSINFO_NUM_CONNECTS, &connects);
  EXPECT_EQ(connects, 0);  // the private multi kept the connection
  // Afterwards the handle is free to join a multi.
  EXPECT_EQ(ms_multi_add_handle(app.multi, h.e), MSM_OK);
  EXPECT_EQ(ms::easy_perform(h.e, ports), MSE_FAILED_INIT);
  EXPECT_EQ(ms_multi_remove_handle(app.multi, h.e), MSM_OK);
}

TEST(ClassicLoop_EasyPerform, ErrorsComeBackAsTheTransferResult) {
  FakeApp app;
  const ms::port::Ports ports{&app.clock, &app.net, &app.resolver, &app.waiter};
  app.net.servers[addr("127.0.0.2", 80)] = {ConnectMode::refuse, "", false};
  Handle h("http://127.0.0.2/x");
  EXPECT_EQ(ms::easy_perform(h.e, ports), MSE_COULDNT_CONNECT);
  EXPECT_STRNE(h.error, "");
  Handle bad("nota url");
  EXPECT_EQ(ms::easy_perform(bad.e, ports), MSE_URL_MALFORMAT);
}

TEST(ClassicLoop_EasyPerform, FromItsOwnCallbackIsRefused) {
  FakeApp app;
  const ms::port::Ports ports{&app.clock, &app.net, &app.resolver, &app.waiter};
  app.net.servers[addr("127.0.0.2", 80)] = {ConnectMode::immediate, kOk, false};
  Handle h("http://127.0.0.2/x");
  struct Ctx {
    ms_easy* e;
    ms::port::Ports ports;
    int inner = -1;
  } ctx{h.e, ports};
  ms_easy_setopt(h.e, MSOPT_WRITEDATA, &ctx);
  ms_easy_setopt(h.e, MSOPT_WRITEFUNCTION, +[](char*, size_t s, size_t n, void* u) -> size_t {
    auto* c = static_cast<Ctx*>(u);
    c->inner = ms::easy_perform(c->e, c->ports);
    ms_easy_cleanup(c->e);  // refused from inside: the handle stays valid
    return s * n;
  });
  EXPECT_EQ(ms::easy_perform(h.e, ports), MSE_OK);
  EXPECT_EQ(ctx.inner, MSE_FAILED_INIT);
  long code = 0;  // the cleanup was refused: the handle still answers
  EXPECT_EQ(ms_easy_getinfo(h.e, MSINFO_RESPONSE_CODE, &code), MSE_OK);
  EXPECT_EQ(code, 200);
}

// libcurl's cadence: the progress callback at least once a second, also while a connect
// hangs; a non-zero return ends the transfer with ABORTED_BY_CALLBACK.
TEST(ClassicLoop_Progress, CalledEverySecondWhileConnectingAndAbortEndsTheTransfer) {
  FakeApp app;
  app.net.servers[addr("127.0.0.2", 80)] = {ConnectMode::hang, kOk, false};
  Handle h("http://127.0.0.2/x");
  struct Calls {
    ms::test::FakeClock* clock;
    std::vector<Nanos> at;
  } calls{&app.clock, {}};
  ms_easy_setopt(h.e, MSOPT_NOPROGRESS, 0L);
  ms_easy_setopt(h.e, MSOPT_PROGRESSDATA, &calls);
  ms_easy_setopt(h.e, MSOPT_XFERINFOFUNCTION, +[](void* u, ms_off_t, ms_off_t, ms_off_t, ms_off_t) -> int {
    auto* c = static_cast<Calls*>(u);
    c->at.push_back(c->clock->t);
    return c->at.size() >= 4 ? 1 : 0;
  });
  const Nanos t0 = app.clock.t;
  const ms::port::Ports ports{&app.clock, &app.net, &app.resolver, &app.waiter};
  EXPECT_EQ(ms::easy_perform(h.e, ports), MSE_ABORTED_BY_CALLBACK);
  ASSERT_EQ(calls.at.size(), 4u);
  EXPECT_EQ(calls.at[0], t0);
  for (std::size_t i = 1; i < calls.at.size(); ++i) EXPECT_EQ(calls.at[i] - calls.at[i - 1], 1s) << i;
  EXPECT_STREQ(h.error, "Callback aborted");
}

TEST(ClassicLoop_Progress, NoProgressKeepsItSilent) {
  FakeApp app;
  app.net.servers[addr("127.0.0.2", 80)] = {ConnectMode::hang, kOk, false};
  Handle h("http://127.0.0.2/x");
  int calls = 0;
  ms_easy_setopt(h.e, MSOPT_PROGRESSDATA, &calls);
  ms_easy_setopt(h.e, MSOPT_XFERINFOFUNCTION, +[](void* u, ms_off_t, ms_off_t, ms_off_t, ms_off_t) -> int {
    ++*static_cast<int*>(u);
    return 0;
  });
  ms_easy_setopt(h.e, MSOPT_CONNECTTIMEOUT_MS, 3500L);
  const ms::port::Ports ports{&app.clock, &app.net, &app.resolver, &app.waiter};
  EXPECT_EQ(ms::easy_perform(h.e, ports), MSE_OPERATION_TIMEDOUT);
  EXPECT_EQ(calls, 0);
}

TEST(ClassicLoop_FailOnError, ErrorStatusEndsTheTransferWithoutTheBody) {
  const char* not_found = "HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n\r\nnope";
  for (const bool fail : {false, true}) {
    FakeApp app;
    app.net.servers[addr("127.0.0.2", 80)] = {ConnectMode::immediate, not_found, false};
    Handle h("http://127.0.0.2/x");
    if (fail) ms_easy_setopt(h.e, MSOPT_FAILONERROR, 1L);
    const ms::port::Ports ports{&app.clock, &app.net, &app.resolver, &app.waiter};
    const MSEcode rc = ms::easy_perform(h.e, ports);
    long code = 0;
    ms_easy_getinfo(h.e, MSINFO_RESPONSE_CODE, &code);
    EXPECT_EQ(code, 404);
    if (fail) {
      EXPECT_EQ(rc, MSE_HTTP_RETURNED_ERROR);
      EXPECT_EQ(h.body, "");
      EXPECT_STREQ(h.error, "The requested URL returned error: 404");
    } else {
      EXPECT_EQ(rc, MSE_OK);
      EXPECT_EQ(h.body, "nope");
    }
  }
}

TEST(ClassicLoop_Verbose, WithoutDebugCallbackGoesToStderr) {
  FakeApp app;
  app.net.servers[addr("127.0.0.2", 80)] = {ConnectMode::immediate, kOk, false};
  Handle h("http://127.0.0.2/x");
  ms_easy_setopt(h.e, MSOPT_VERBOSE, 1L);
  const ms::port::Ports ports{&app.clock, &app.net, &app.resolver, &app.waiter};
  testing::internal::CaptureStderr();
  const MSEcode rc = ms::easy_perform(h.e, ports);
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(rc, MSE_OK);
  EXPECT_NE(err.find("* Connected to 127.0.0.2"), std::string::npos) << err;
  EXPECT_NE(err.find("> GET /x HTTP/1.1\r\n"), std::string::npos) << err;
  EXPECT_NE(err.find("< HTTP/1.1 200 OK\r\n"), std::string::npos) << err;
  EXPECT_EQ(err.find("hello"), std::string::npos) << "body data is not shown";
  ms_easy_setopt(h.e, MSOPT_VERBOSE, 0L);
  testing::internal::CaptureStderr();
  EXPECT_EQ(ms::easy_perform(h.e, ports), MSE_OK);
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
}

TEST(ClassicLoop_Options, HeaderPutsTheHeadBeforeTheBodyAndContentTypeIsKept) {
  FakeApp app;
  app.net.servers[addr("127.0.0.2", 80)] = {
      ConnectMode::immediate, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi", false};
  const ms::port::Ports ports{&app.clock, &app.net, &app.resolver, &app.waiter};
  Handle h("http://127.0.0.2/x");
  const char* type = "unset";
  ms_easy_getinfo(h.e, MSINFO_CONTENT_TYPE, &type);
  EXPECT_EQ(type, nullptr);  // no response yet
  ASSERT_EQ(ms::easy_perform(h.e, ports), MSE_OK);
  EXPECT_EQ(h.body, "hi");
  ASSERT_EQ(ms_easy_getinfo(h.e, MSINFO_CONTENT_TYPE, &type), MSE_OK);
  ASSERT_NE(type, nullptr);
  EXPECT_STREQ(type, "text/plain");
  ASSERT_EQ(ms_easy_setopt(h.e, MSOPT_HEADER, 1L), MSE_OK);
  h.body.clear();
  ASSERT_EQ(ms::easy_perform(h.e, ports), MSE_OK);
  EXPECT_EQ(h.body, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi");
  ms_off_t size = 0;
  ms_easy_getinfo(h.e, MSINFO_SIZE_DOWNLOAD_T, &size);
  EXPECT_EQ(size, 2);  // the head is not body
}

TEST(ClassicLoop_Options, UnsupportedOptionIsUnknown) {
  Handle h("http://127.0.0.2/x");
  EXPECT_EQ(ms_easy_setopt(h.e, static_cast<MSoption>(MSOPTTYPE_OBJECTPOINT + 4), "http://proxy:3128"),
            MSE_UNKNOWN_OPTION);  // CURLOPT_PROXY
  EXPECT_EQ(ms_easy_setopt(h.e, static_cast<MSoption>(MSOPTTYPE_LONG + 105), 1L), MSE_UNKNOWN_OPTION);  // UNRESTRICTED_AUTH
  const char* s = nullptr;
  EXPECT_EQ(ms_easy_getinfo(h.e, static_cast<MSINFO>(MSINFO_STRING + 32), &s), MSE_UNKNOWN_OPTION);  // FTP_ENTRY_PATH
  EXPECT_EQ(ms_easy_setopt(h.e, MSOPT_FAILONERROR, 1L), MSE_OK);
}

}  // namespace

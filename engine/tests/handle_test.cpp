// SPDX-License-Identifier: MIT
// Handle validation, recursion from callbacks, codes tables, timer/queue bookkeeping.
#include <gtest/gtest.h>

#include <cstring>

#include "fake_ports.hpp"

namespace {
using ms::test::FakeApp;

TEST(Handles_Multi, NullAndGarbageRefused) {
  int running = 0;
  long ms = 0;
  alignas(16) unsigned char garbage[256];
  std::memset(garbage, 0xab, sizeof garbage);
  auto* bad = reinterpret_cast<ms_multi*>(garbage);
  for (ms_multi* m : {static_cast<ms_multi*>(nullptr), bad}) {
    EXPECT_EQ(ms_multi_cleanup(m), MSM_BAD_HANDLE);
    EXPECT_EQ(ms_multi_socket_action(m, MS_SOCKET_TIMEOUT, 0, &running), MSM_BAD_HANDLE);
    EXPECT_EQ(ms_multi_socket(m, 3, &running), MSM_BAD_HANDLE);
    EXPECT_EQ(ms_multi_socket_all(m, &running), MSM_BAD_HANDLE);
    EXPECT_EQ(ms_multi_timeout(m, &ms), MSM_BAD_HANDLE);
    EXPECT_EQ(ms_multi_assign(m, 3, nullptr), MSM_BAD_HANDLE);
    EXPECT_EQ(ms_multi_setopt(m, MSMOPT_MAXCONNECTS, 1L), MSM_BAD_HANDLE);
    int n = 7;
    EXPECT_EQ(ms_multi_info_read(m, &n), nullptr);
    EXPECT_EQ(n, 0);
  }
}

TEST(Handles_Easy, FreedAndNullRefused) {
  FakeApp app;
  ms_easy* e = ms_easy_init();
  ms_easy_cleanup(e);  // e is now a dangling pointer: must be refused unread
  EXPECT_EQ(ms_multi_add_handle(app.multi, e), MSM_BAD_EASY_HANDLE);
  EXPECT_EQ(ms_multi_add_handle(app.multi, nullptr), MSM_BAD_EASY_HANDLE);
  EXPECT_EQ(ms_multi_remove_handle(app.multi, nullptr), MSM_BAD_EASY_HANDLE);
  EXPECT_EQ(ms_easy_setopt(nullptr, MSOPT_URL, "http://x.test/"), MSE_BAD_FUNCTION_ARGUMENT);
  long code = 0;
  EXPECT_EQ(ms_easy_getinfo(nullptr, MSINFO_RESPONSE_CODE, &code), MSE_BAD_FUNCTION_ARGUMENT);
  EXPECT_EQ(ms_easy_pause(nullptr, MSPAUSE_ALL), MSE_BAD_FUNCTION_ARGUMENT);
  ms_easy_cleanup(nullptr);
}

// A multi's magic number is not its first member (it has bases): a freed one is refused too.
TEST(Handles_Multi, FreedRefusedAndHandlesOfTheOtherKind) {
  FakeApp app;
  ms_multi* m = app.multi;
  app.multi = nullptr;  // freed here
  ms_easy* e = ms_easy_init();
  ASSERT_NE(e, nullptr);
  int running = 0;
  // An easy handle where a multi is wanted, and the other way round; a pointer into a handle.
  EXPECT_EQ(ms_multi_socket_action(reinterpret_cast<ms_multi*>(e), MS_SOCKET_TIMEOUT, 0, &running), MSM_BAD_HANDLE);
  EXPECT_EQ(ms_multi_add_handle(m, reinterpret_cast<ms_easy*>(m)), MSM_BAD_EASY_HANDLE);
  EXPECT_EQ(ms_multi_add_handle(m, reinterpret_cast<ms_easy*>(reinterpret_cast<char*>(e) + 64)), MSM_BAD_EASY_HANDLE);
  EXPECT_EQ(ms_multi_add_handle(m, e), MSM_OK);
  EXPECT_EQ(ms_multi_remove_handle(m, e), MSM_OK);
  EXPECT_EQ(ms_multi_cleanup(m), MSM_OK);
  EXPECT_EQ(ms_multi_cleanup(m), MSM_BAD_HANDLE);  // freed: refused
  EXPECT_EQ(ms_multi_add_handle(m, e), MSM_BAD_HANDLE);
  ms_easy_cleanup(e);
  // A slot freed and handed out again is the new handle's: valid once more.
  ms_easy* again = ms_easy_init();
  EXPECT_EQ(again, e);
  EXPECT_EQ(ms_easy_setopt(again, MSOPT_URL, "http://x.test/"), MSE_OK);
  ms_easy_cleanup(again);
}

// A share handle is judged as the others are: a freed one, another kind of handle or
// garbage is refused without being read.
TEST(Handles_Share, FreedOtherKindAndGarbageRefused) {
  ms_share* sh = ms_share_init();
  ASSERT_NE(sh, nullptr);
  ms_easy* e = ms_easy_init();
  EXPECT_EQ(ms_easy_setopt(e, MSOPT_SHARE, sh), MSE_OK);
  EXPECT_EQ(ms_share_cleanup(sh), MSSHE_IN_USE);
  EXPECT_EQ(ms_easy_setopt(e, MSOPT_SHARE, static_cast<ms_share*>(nullptr)), MSE_OK);
  EXPECT_EQ(ms_share_cleanup(sh), MSSHE_OK);
  EXPECT_EQ(ms_share_cleanup(sh), MSSHE_INVALID);  // freed
  EXPECT_EQ(ms_share_setopt(sh, MSSHOPT_SHARE, static_cast<long>(MS_LOCK_DATA_CONNECT)), MSSHE_INVALID);
  EXPECT_EQ(ms_easy_setopt(e, MSOPT_SHARE, sh), MSE_BAD_FUNCTION_ARGUMENT);
  EXPECT_EQ(ms_easy_setopt(e, MSOPT_SHARE, reinterpret_cast<ms_share*>(e)), MSE_BAD_FUNCTION_ARGUMENT);
  alignas(16) unsigned char garbage[64];
  std::memset(garbage, 0x68, sizeof garbage);
  EXPECT_EQ(ms_share_cleanup(reinterpret_cast<ms_share*>(garbage)), MSSHE_INVALID);
  EXPECT_EQ(ms_share_cleanup(nullptr), MSSHE_INVALID);
  ms_easy_cleanup(e);
}

TEST(Handles_Multi, BadArgumentsAndOptions) {
  FakeApp app;
  EXPECT_EQ(ms_multi_socket_action(app.multi, MS_SOCKET_TIMEOUT, 0, nullptr), MSM_BAD_FUNCTION_ARGUMENT);
  EXPECT_EQ(ms_multi_timeout(app.multi, nullptr), MSM_BAD_FUNCTION_ARGUMENT);
  EXPECT_EQ(ms_multi_setopt(app.multi, static_cast<MSMoption>(99999), 0L), MSM_UNKNOWN_OPTION);
  EXPECT_EQ(ms_multi_assign(app.multi, 42, nullptr), MSM_BAD_SOCKET);
  ms_easy* e = ms_easy_init();
  EXPECT_EQ(ms_easy_setopt(e, static_cast<MSoption>(12345), 0L), MSE_UNKNOWN_OPTION);
  EXPECT_EQ(ms_multi_remove_handle(app.multi, e), MSM_OK);  // not added: OK
  ms_easy_cleanup(e);
}

TEST(Handles_Add, TwiceIsAddedAlready) {
  FakeApp app;
  FakeApp other;
  ms_easy* e = ms_easy_init();
  EXPECT_EQ(ms_multi_add_handle(app.multi, e), MSM_OK);
  EXPECT_EQ(ms_multi_add_handle(app.multi, e), MSM_ADDED_ALREADY);
  EXPECT_EQ(ms_multi_add_handle(other.multi, e), MSM_ADDED_ALREADY);
  ms_easy_cleanup(e);  // removes it first
  int running = -1;
  EXPECT_EQ(ms_multi_socket_action(app.multi, MS_SOCKET_TIMEOUT, 0, &running), MSM_OK);
  EXPECT_EQ(running, 0);
}

TEST(Timer_Add, ADueTimerIsNotToldAgain) {
  FakeApp app;
  ms_easy* a = ms_easy_init();
  ms_easy* b = ms_easy_init();
  ms_easy* c = ms_easy_init();
  ms_multi_add_handle(app.multi, a);
  EXPECT_EQ(app.timer_calls, 1);
  EXPECT_EQ(app.timer_ms, 0);
  // The application holds a timer that is due: its SOCKET_TIMEOUT call starts b and c too.
  ms_multi_add_handle(app.multi, b);
  app.clock.t += std::chrono::milliseconds(5);
  ms_multi_add_handle(app.multi, c);
  EXPECT_EQ(app.timer_calls, 1);
  long ms = -5;
  EXPECT_EQ(ms_multi_timeout(app.multi, &ms), MSM_OK);
  EXPECT_EQ(ms, 0);
  int running = 0;
  EXPECT_EQ(ms_multi_socket_action(app.multi, MS_SOCKET_TIMEOUT, 0, &running), MSM_OK);
  EXPECT_EQ(running, 0);  // no URL: each failed at its start
  EXPECT_EQ(app.timer_ms, -1);  // nothing pending any more: delete
  const int told = app.timer_calls;
  ms_multi_remove_handle(app.multi, a);
  ms_multi_add_handle(app.multi, a);  // the application holds no timer: told 0
  EXPECT_EQ(app.timer_calls, told + 1);
  EXPECT_EQ(app.timer_ms, 0);
  ms_multi_remove_handle(app.multi, a);
  EXPECT_EQ(app.timer_ms, -1);
  EXPECT_EQ(ms_multi_timeout(app.multi, &ms), MSM_OK);
  EXPECT_EQ(ms, -1);
  for (ms_easy* e : {a, b, c}) ms_easy_cleanup(e);
}

// A timer callback (or its data) set anew has been told nothing: the next add tells it,
// although the deadline is the one told before.
TEST(Timer_Add, ACallbackSetAgainIsToldAtTheNextAdd) {
  FakeApp app;
  ms_easy* a = ms_easy_init();
  ms_easy* b = ms_easy_init();
  ms_easy* c = ms_easy_init();
  ms_multi_add_handle(app.multi, a);
  EXPECT_EQ(app.timer_calls, 1);
  ms_multi_setopt(app.multi, MSMOPT_TIMERFUNCTION, &FakeApp::on_timer);
  ms_multi_add_handle(app.multi, b);
  EXPECT_EQ(app.timer_calls, 2);
  EXPECT_EQ(app.timer_ms, 0);
  ms_multi_setopt(app.multi, MSMOPT_TIMERDATA, &app);
  ms_multi_add_handle(app.multi, c);
  EXPECT_EQ(app.timer_calls, 3);
  EXPECT_EQ(app.timer_ms, 0);
  for (ms_easy* e : {a, b, c}) ms_easy_cleanup(e);
}

// A timer that is not due yet (a transfer's deadline) does not start a new handle: the add
// tells 0.
TEST(Timer_Add, ATimerNotDueYetIsToldZero) {
  FakeApp app;
  app.net.servers[ms::test::addr("127.0.0.2", 80)] = {ms::test::ConnectMode::hang, "", false};
  ms_easy* a = ms_easy_init();
  ms_easy_setopt(a, MSOPT_URL, "http://127.0.0.2/");
  ms_easy_setopt(a, MSOPT_CONNECTTIMEOUT_MS, 3000L);
  ms_multi_add_handle(app.multi, a);
  int running = 0;
  ms_multi_socket_action(app.multi, MS_SOCKET_TIMEOUT, 0, &running);
  EXPECT_EQ(running, 1);
  EXPECT_EQ(app.timer_ms, 3000);  // the connect's deadline
  const int told = app.timer_calls;
  ms_easy* b = ms_easy_init();
  ms_multi_add_handle(app.multi, b);
  EXPECT_EQ(app.timer_calls, told + 1);
  EXPECT_EQ(app.timer_ms, 0);
  ms_easy_cleanup(b);
  ms_easy_cleanup(a);
}

TEST(Running_Count, QueuedHandlesCountAndNoUrlFails) {
  FakeApp app;
  ms_easy* e = ms_easy_init();  // no URL: fails at start with URL_MALFORMAT
  char err[MS_ERROR_SIZE] = {};
  ms_easy_setopt(e, MSOPT_ERRORBUFFER, err);
  ms_multi_add_handle(app.multi, e);
  int running = -1;
  ms_multi_socket_action(app.multi, 77, MS_CSELECT_IN, &running);  // unknown fd: tolerated; timers run
  EXPECT_EQ(running, 0);
  int left = -1;
  MSMsg* m = ms_multi_info_read(app.multi, &left);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->msg, MSMSG_DONE);
  EXPECT_EQ(m->easy_handle, e);
  EXPECT_EQ(m->data.result, MSE_URL_MALFORMAT);
  EXPECT_EQ(left, 0);
  EXPECT_NE(err[0], '\0');
  EXPECT_EQ(ms_multi_info_read(app.multi, &left), nullptr);
  ms_easy_cleanup(e);
}

TEST(Messages_Remove, DropsUnreadMessage) {
  FakeApp app;
  ms_easy* e = ms_easy_init();
  ms_multi_add_handle(app.multi, e);
  int running = -1;
  ms_multi_socket_action(app.multi, MS_SOCKET_TIMEOUT, 0, &running);
  ms_multi_remove_handle(app.multi, e);
  int left = -1;
  EXPECT_EQ(ms_multi_info_read(app.multi, &left), nullptr);
  EXPECT_EQ(left, 0);
  ms_easy_cleanup(e);
}

struct Reentry {
  ms_easy* other = nullptr;
  MSMcode add = MSM_OK, action = MSM_OK, timeout = MSM_OK, cleanup = MSM_OK, assign = MSM_OK;
  const char* text = nullptr;
  bool called = false;
};

int reentering_timer(ms_multi* multi, long, void* userp) {
  auto* r = static_cast<Reentry*>(userp);
  if (r->called) return 0;
  r->called = true;
  int running = 0;
  long ms = 0;
  r->add = ms_multi_add_handle(multi, r->other);
  r->action = ms_multi_socket_action(multi, MS_SOCKET_TIMEOUT, 0, &running);
  r->timeout = ms_multi_timeout(multi, &ms);
  r->cleanup = ms_multi_cleanup(multi);
  r->assign = ms_multi_assign(multi, 99, nullptr);  // allowed; 99 is unknown
  r->text = ms_multi_strerror(MSM_OK);
  return 0;
}

TEST(Recursion_Timer, MultiCallsRefusedInsideCallback) {
  FakeApp app;
  Reentry r;
  r.other = ms_easy_init();
  ms_multi_setopt(app.multi, MSMOPT_TIMERFUNCTION, &reentering_timer);
  ms_multi_setopt(app.multi, MSMOPT_TIMERDATA, &r);
  ms_easy* e = ms_easy_init();
  EXPECT_EQ(ms_multi_add_handle(app.multi, e), MSM_OK);
  ASSERT_TRUE(r.called);
  EXPECT_EQ(r.add, MSM_RECURSIVE_API_CALL);
  EXPECT_EQ(r.action, MSM_RECURSIVE_API_CALL);
  EXPECT_EQ(r.timeout, MSM_RECURSIVE_API_CALL);
  EXPECT_EQ(r.cleanup, MSM_RECURSIVE_API_CALL);
  EXPECT_EQ(r.assign, MSM_BAD_SOCKET);
  EXPECT_STREQ(r.text, "No error");
  ms_multi_remove_handle(app.multi, e);
  ms_easy_cleanup(e);
  ms_easy_cleanup(r.other);
}

TEST(Codes_Tables, EveryCodeHasNameAndText) {
#define MS_X(name, value, text)                                         \
  EXPECT_STREQ(ms_multi_code_name(name), #name);                        \
  EXPECT_STREQ(ms_multi_strerror(name), text);
  MS_MCODES(MS_X)
#undef MS_X
#define MS_X(name, value, text)                                         \
  EXPECT_STREQ(ms_easy_code_name(name), #name);                         \
  EXPECT_STREQ(ms_easy_strerror(name), text);
  MS_ECODES(MS_X)
#undef MS_X
  EXPECT_STREQ(ms_multi_code_name(static_cast<MSMcode>(555)), "MSM_?");
  EXPECT_STREQ(ms_easy_code_name(static_cast<MSEcode>(555)), "MSE_?");
  EXPECT_NE(ms_multi_strerror(static_cast<MSMcode>(-77)), nullptr);
  EXPECT_NE(ms_easy_strerror(static_cast<MSEcode>(-77)), nullptr);
}

TEST(Mutants_Table, NamesRoundTrip) {
  ms::Mutant m = ms::Mutant::none;
  EXPECT_TRUE(ms::mutant_from_name("lost_done", m));
  EXPECT_EQ(m, ms::Mutant::lost_done);
  EXPECT_STREQ(ms::mutant_name(m), "lost_done");
  EXPECT_STREQ(ms::mutant_clause(m), "IR-ONCE");
  EXPECT_FALSE(ms::mutant_from_name("no_such_mutant", m));
}

TEST(Mutants_Init, RefusedUnlessCompiledIn) {
  ms::test::FakeClock clock;
  ms::test::FakeNet net;
  ms::test::FakeResolver resolver;
  ms_multi* m = ms::multi_init({&clock, &net, &resolver}, {ms::Mutant::wrong_running});
  EXPECT_EQ(m != nullptr, ms::mutants_compiled_in());
  if (m) ms_multi_cleanup(m);
  EXPECT_EQ(ms::multi_init({&clock, nullptr, &resolver}), nullptr);
}

}  // namespace

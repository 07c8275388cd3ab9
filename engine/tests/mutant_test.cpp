// SPDX-License-Identifier: MIT
// Each compiled-in mutant visibly breaks its clause in a minimal run (the conformance
// suite does this thoroughly; here we prove the switches are wired).
#include <gtest/gtest.h>

#include "fake_ports.hpp"

namespace {
using ms::Mutant;
using ms::test::addr;
using ms::test::ConnectMode;
using ms::test::FakeApp;

class MutantTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!ms::mutants_compiled_in()) {
      GTEST_SKIP() << "built without MS_MUTANTS";
    }
  }
};

size_t sink(char*, size_t s, size_t n, void*) { return s * n; }

ms_easy* handle(const char* url) {
  ms_easy* e = ms_easy_init();
  ms_easy_setopt(e, MSOPT_URL, url);
  ms_easy_setopt(e, MSOPT_WRITEFUNCTION, &sink);
  return e;
}

TEST_F(MutantTest, WrongRunningReportsOneTooMany) {
  for (Mutant m : {Mutant::none, Mutant::wrong_running}) {
    FakeApp app(m);
    int running = -1;
    ms_multi_socket_action(app.multi, MS_SOCKET_TIMEOUT, 0, &running);
    EXPECT_EQ(running, m == Mutant::none ? 0 : 1);
  }
}

TEST_F(MutantTest, NoKickOnAddTellsNoTimer) {
  for (Mutant m : {Mutant::none, Mutant::no_kick_on_add}) {
    FakeApp app(m);
    ms_easy* e = handle("http://127.0.0.2/");
    ms_multi_add_handle(app.multi, e);
    EXPECT_EQ(app.timer_calls, m == Mutant::none ? 1 : 0);
    ms_multi_remove_handle(app.multi, e);
    ms_easy_cleanup(e);
  }
}

TEST_F(MutantTest, QueueCountAndDoubleDone) {
  for (Mutant m : {Mutant::none, Mutant::queue_count_off, Mutant::double_done}) {
    FakeApp app(m);
    ms_easy* e = ms_easy_init();  // no URL: done at once
    ms_multi_add_handle(app.multi, e);
    app.run();
    int left = -1, messages = 0;
    while (ms_multi_info_read(app.multi, &left)) {
      ++messages;
      if (messages == 1) {
        EXPECT_EQ(left, m == Mutant::none ? 0 : 1);
      }
    }
    EXPECT_EQ(messages, m == Mutant::double_done ? 2 : 1);
    ms_easy_cleanup(e);
  }
}

TEST_F(MutantTest, TimeoutDisagreesAndAssignUnknown) {
  for (Mutant m : {Mutant::none, Mutant::timeout_disagrees, Mutant::assign_unknown_ok}) {
    FakeApp app(m);
    app.net.servers[addr("127.0.0.2", 80)] = {ConnectMode::hang, "", false};
    ms_easy* e = handle("http://127.0.0.2/");
    ms_easy_setopt(e, MSOPT_CONNECTTIMEOUT_MS, 1000L);
    ms_multi_add_handle(app.multi, e);
    int running = 0;
    ms_multi_socket_action(app.multi, MS_SOCKET_TIMEOUT, 0, &running);
    long ms = 0;
    ms_multi_timeout(app.multi, &ms);
    EXPECT_EQ(app.timer_ms, 1000);
    EXPECT_EQ(ms, m == Mutant::timeout_disagrees ? 2000 : 1000);
    EXPECT_EQ(ms_multi_assign(app.multi, 99, nullptr), m == Mutant::assign_unknown_ok ? MSM_OK : MSM_BAD_SOCKET);
    ms_easy_cleanup(e);
  }
}

TEST_F(MutantTest, RemoveAfterCloseOrder) {
  for (Mutant m : {Mutant::none, Mutant::remove_after_close}) {
    FakeApp app(m);
    app.net.servers[addr("127.0.0.2", 80)] = {ConnectMode::hang, "", false};
    ms_easy* e = handle("http://127.0.0.2/");
    ms_multi_add_handle(app.multi, e);
    int running = 0;
    ms_multi_socket_action(app.multi, MS_SOCKET_TIMEOUT, 0, &running);
    ms_multi_remove_handle(app.multi, e);
    auto remove = std::find(app.log.begin(), app.log.end(), "cb 3 REMOVE");
    auto close = std::find(app.log.begin(), app.log.end(), "close 3");
    ASSERT_NE(remove, app.log.end());
    ASSERT_NE(close, app.log.end());
    EXPECT_EQ(remove < close, m == Mutant::none);
    ms_easy_cleanup(e);
  }
}

TEST_F(MutantTest, IgnoreErrHangs) {
  for (Mutant m : {Mutant::none, Mutant::ignore_err}) {
    FakeApp app(m);
    app.net.servers[addr("127.0.0.2", 80)] = {ConnectMode::hang, "", false};
    ms_easy* e = handle("http://127.0.0.2/");
    ms_multi_add_handle(app.multi, e);
    int running = 0;
    ms_multi_socket_action(app.multi, MS_SOCKET_TIMEOUT, 0, &running);
    app.net.at(3).pending_error = ms::port::NetError::refused;
    app.net.at(3).connecting = true;  // the port does not call it ready: only ERR tells
    ms_multi_socket_action(app.multi, 3, MS_CSELECT_ERR, &running);
    EXPECT_EQ(running, m == Mutant::none ? 0 : 1);
    ms_easy_cleanup(e);
  }
}

TEST_F(MutantTest, BadActionTellsSeven) {
  for (Mutant m : {Mutant::none, Mutant::bad_action}) {
    FakeApp app(m);
    app.net.servers[addr("127.0.0.2", 80)] = {ConnectMode::immediate, "", false};
    app.net.send_blocked = true;  // sending: INOUT is wanted
    ms_easy* e = handle("http://127.0.0.2/");
    ms_multi_add_handle(app.multi, e);
    int running = 0;
    ms_multi_socket_action(app.multi, MS_SOCKET_TIMEOUT, 0, &running);
    ASSERT_EQ(app.watched.size(), 1u);
    EXPECT_EQ(app.watched.begin()->second, m == Mutant::none ? MS_POLL_INOUT : 7);
    ms_easy_cleanup(e);
  }
}

}  // namespace

// SPDX-License-Identifier: MIT
// MSOPT_SOCKOPTFUNCTION: told every new socket before it connects; OK connects, ERROR
// ends the transfer, ALREADY_CONNECTED makes the engine use the socket as it is.
#include <gtest/gtest.h>

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

struct Told {
  FakeApp* app = nullptr;
  int answer = MS_SOCKOPT_OK;
  std::vector<int> fds;
  std::vector<int> purposes;
};

int sockopt_cb(void* clientp, ms_socket_t fd, mssocktype purpose) {
  auto* t = static_cast<Told*>(clientp);
  t->fds.push_back(fd);
  t->purposes.push_back(purpose);
  // "The application connected it": the fake socket's peer is the served address.
  if (t->answer == MS_SOCKOPT_ALREADY_CONNECTED) t->app->net.at(fd).peer = addr("127.0.0.2", 80);
  return t->answer;
}

MSEcode run(FakeApp& app, Handle& h) { return ms::test::add_and_run(app, h); }

TEST(Sockopt_Callback, OkConnectsAsUsual) {
  FakeApp app;
  app.net.servers[addr("127.0.0.2", 80)] = {ConnectMode::immediate, kOk, false};
  Told told{&app, MS_SOCKOPT_OK, {}, {}};
  Handle h("http://127.0.0.2/");
  ASSERT_EQ(ms_easy_setopt(h.e, MSOPT_SOCKOPTFUNCTION, sockopt_cb), MSE_OK);
  ASSERT_EQ(ms_easy_setopt(h.e, MSOPT_SOCKOPTDATA, static_cast<void*>(&told)), MSE_OK);
  EXPECT_EQ(run(app, h), MSE_OK);
  EXPECT_EQ(h.body, "hello");
  ASSERT_EQ(told.fds.size(), 1u);
  EXPECT_EQ(told.purposes[0], MSSOCKTYPE_IPCXN);
}

TEST(Sockopt_Callback, ErrorClosesTheSocketAndAborts) {
  FakeApp app;
  app.net.servers[addr("127.0.0.2", 80)] = {ConnectMode::immediate, kOk, false};
  std::vector<std::string> log;
  app.net.log = &log;
  Told told{&app, MS_SOCKOPT_ERROR, {}, {}};
  Handle h("http://127.0.0.2/");
  ms_easy_setopt(h.e, MSOPT_SOCKOPTFUNCTION, sockopt_cb);
  ms_easy_setopt(h.e, MSOPT_SOCKOPTDATA, static_cast<void*>(&told));
  EXPECT_EQ(run(app, h), MSE_ABORTED_BY_CALLBACK);
  ASSERT_EQ(told.fds.size(), 1u);
  const std::string fd = std::to_string(told.fds[0]);
  EXPECT_EQ(log, (std::vector<std::string>{"open " + fd, "close " + fd}));
  EXPECT_EQ(app.net.at(told.fds[0]).from_client, "");  // nothing was sent
}

TEST(Sockopt_Callback, AlreadyConnectedSkipsTheConnect) {
  FakeApp app;
  // Nothing listens at the URL's address: a connect there would be refused.
  app.net.servers[addr("127.0.0.2", 80)] = {ConnectMode::immediate, kOk, false};
  Told told{&app, MS_SOCKOPT_ALREADY_CONNECTED, {}, {}};
  Handle h("http://127.0.0.9/x");
  ms_easy_setopt(h.e, MSOPT_SOCKOPTFUNCTION, sockopt_cb);
  ms_easy_setopt(h.e, MSOPT_SOCKOPTDATA, static_cast<void*>(&told));
  EXPECT_EQ(run(app, h), MSE_OK);
  EXPECT_EQ(h.body, "hello");
  ASSERT_EQ(told.fds.size(), 1u);
  EXPECT_EQ(app.net.at(told.fds[0]).from_client.rfind("GET /x HTTP/1.1\r\nHost: 127.0.0.9\r\n", 0), 0u);
}

}  // namespace

// SPDX-License-Identifier: MIT
// MSOPT_CONNECT_ONLY: the transfer connects and ends; the connection stays with the
// handle, where ms_easy_send/recv move bytes without blocking and MSINFO_ACTIVESOCKET
// names its descriptor, until ms_easy_cleanup or the handle's next transfer closes it.
#include <gtest/gtest.h>

#include <algorithm>
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
const std::string kRequest = "GET / HTTP/1.0\r\nHost: a\r\n\r\n";

MSEcode connect_only(FakeApp& app, Handle& h) {
  EXPECT_EQ(ms_easy_setopt(h.e, MSOPT_CONNECT_ONLY, 1L), MSE_OK);
  return ms::test::add_and_run(app, h);
}

TEST(ConnectOnly, ConnectsSendsNothingAndHandsTheSocketOver) {
  FakeApp app;
  app.net.servers[addr("127.0.0.2", 80)] = {ConnectMode::immediate, kOk, false};
  Handle h("http://127.0.0.2/");
  ASSERT_EQ(connect_only(app, h), MSE_OK);
  ms_socket_t fd = MS_SOCKET_BAD;
  ASSERT_EQ(ms_easy_getinfo(h.e, MSINFO_ACTIVESOCKET, &fd), MSE_OK);
  ASSERT_NE(fd, MS_SOCKET_BAD);
  EXPECT_EQ(app.net.at(fd).from_client, "");  // no request of its own
  EXPECT_EQ(h.body, "");

  std::size_t n = 99;
  char buf[64];
  EXPECT_EQ(ms_easy_recv(h.e, buf, sizeof buf, &n), MSE_AGAIN);  // nothing asked yet
  EXPECT_EQ(n, 0u);
  ASSERT_EQ(ms_easy_send(h.e, kRequest.data(), kRequest.size(), &n), MSE_OK);
  EXPECT_EQ(n, kRequest.size());
  EXPECT_EQ(app.net.at(fd).from_client, kRequest);
  std::string got;
  while (ms_easy_recv(h.e, buf, 7, &n) == MSE_OK && n > 0) got.append(buf, n);
  EXPECT_EQ(got, kOk);
}

TEST(ConnectOnly, SendAndRecvWithoutSuchAConnectionAreRefused) {
  FakeApp app;
  app.net.servers[addr("127.0.0.2", 80)] = {ConnectMode::immediate, kOk, false};
  Handle h("http://127.0.0.2/");
  std::size_t n = 5;
  char buf[8];
  EXPECT_EQ(ms_easy_send(h.e, "x", 1, &n), MSE_UNSUPPORTED_PROTOCOL);  // never connected
  EXPECT_EQ(n, 0u);
  ASSERT_EQ(ms_multi_add_handle(app.multi, h.e), MSM_OK);  // an ordinary transfer
  app.run();
  drain(app.multi);
  EXPECT_EQ(h.body, "hello");
  EXPECT_EQ(ms_easy_recv(h.e, buf, sizeof buf, &n), MSE_UNSUPPORTED_PROTOCOL);
  ms_socket_t fd = 0;
  EXPECT_EQ(ms_easy_getinfo(h.e, MSINFO_ACTIVESOCKET, &fd), MSE_OK);
  EXPECT_EQ(fd, MS_SOCKET_BAD);
  EXPECT_EQ(ms_easy_send(nullptr, "x", 1, &n), MSE_BAD_FUNCTION_ARGUMENT);
  EXPECT_EQ(ms_easy_send(h.e, "x", 1, nullptr), MSE_BAD_FUNCTION_ARGUMENT);
  EXPECT_EQ(ms_easy_setopt(h.e, MSOPT_CONNECT_ONLY, 2L), MSE_BAD_FUNCTION_ARGUMENT);  // WebSocket
}

TEST(ConnectOnly, TheNextTransferAndTheMultiCleanupCloseTheConnection) {
  FakeApp app;
  app.net.servers[addr("127.0.0.2", 80)] = {ConnectMode::immediate, kOk, false};
  std::vector<std::string> log;
  app.net.log = &log;
  Handle h("http://127.0.0.2/");
  ASSERT_EQ(connect_only(app, h), MSE_OK);
  ms_socket_t first = MS_SOCKET_BAD;
  ms_easy_getinfo(h.e, MSINFO_ACTIVESOCKET, &first);
  ASSERT_EQ(ms_multi_remove_handle(app.multi, h.e), MSM_OK);
  std::size_t n = 0;
  EXPECT_EQ(ms_easy_send(h.e, "x", 1, &n), MSE_OK);  // removed, the connection stays
  ASSERT_EQ(connect_only(app, h), MSE_OK);           // the next transfer closes it first
  EXPECT_NE(std::find(log.begin(), log.end(), "close " + std::to_string(first)), log.end());
  ms_socket_t second = MS_SOCKET_BAD;
  ms_easy_getinfo(h.e, MSINFO_ACTIVESOCKET, &second);
  ASSERT_NE(second, MS_SOCKET_BAD);
  ASSERT_EQ(ms_multi_remove_handle(app.multi, h.e), MSM_OK);
  ASSERT_EQ(ms_multi_cleanup(app.multi), MSM_OK);
  app.multi = nullptr;
  EXPECT_NE(std::find(log.begin(), log.end(), "close " + std::to_string(second)), log.end());
  EXPECT_EQ(ms_easy_recv(h.e, &n, 1, &n), MSE_UNSUPPORTED_PROTOCOL);  // gone with its multi
}

}  // namespace

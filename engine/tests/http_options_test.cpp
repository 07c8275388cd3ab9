// SPDX-License-Identifier: MIT
// MSOPT_HTTP_VERSION, MSOPT_REFERER (and MSINFO_REFERER), MSOPT_PIPEWAIT and the multi's
// MSMOPT_PIPELINING / PUSHFUNCTION / PUSHDATA: what is accepted, what is refused with
// which code, and the bytes that reach the server.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "fake_ports.hpp"
#include "test_handle.hpp"

namespace {
using ms::test::addr;
using ms::test::ConnectMode;
using ms::test::drain;
using ms::test::FakeApp;
using ms::test::Handle;

const char* kOk = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";

// Runs h to its end against 127.0.0.2:80 and returns what the server received.
std::string request_of(FakeApp& app, Handle& h, MSEcode expected = MSE_OK) {
  app.net.servers[addr("127.0.0.2", 80)] = {ConnectMode::immediate, kOk, false};
  EXPECT_EQ(ms_multi_add_handle(app.multi, h.e), MSM_OK);
  app.run();
  const auto msgs = drain(app.multi);
  EXPECT_EQ(msgs.size(), 1u);
  if (!msgs.empty()) {
    EXPECT_EQ(msgs[0].second, expected);
  }
  return app.net.sent;
}

TEST(HttpVersion_Setopt, SpokenAndAttemptValuesAcceptedOthersRefused) {
  Handle h("http://127.0.0.2/");
  for (long v : {MS_HTTP_VERSION_NONE, MS_HTTP_VERSION_1_0, MS_HTTP_VERSION_1_1, MS_HTTP_VERSION_2_0,
                 MS_HTTP_VERSION_2TLS, MS_HTTP_VERSION_2_PRIOR_KNOWLEDGE})
    EXPECT_EQ(ms_easy_setopt(h.e, MSOPT_HTTP_VERSION, v), MSE_OK) << v;
  for (long v : {MS_HTTP_VERSION_3, MS_HTTP_VERSION_3ONLY, 6L, 99L})
    EXPECT_EQ(ms_easy_setopt(h.e, MSOPT_HTTP_VERSION, v), MSE_UNSUPPORTED_PROTOCOL) << v;
  EXPECT_EQ(ms_easy_setopt(h.e, MSOPT_HTTP_VERSION, -1L), MSE_BAD_FUNCTION_ARGUMENT);
}

TEST(HttpVersion_Request, OneZeroSaysSoAndRefusedValueChangesNothing) {
  FakeApp app;
  Handle h("http://127.0.0.2/v");
  ms_easy_setopt(h.e, MSOPT_HTTP_VERSION, MS_HTTP_VERSION_1_0);
  ms_easy_setopt(h.e, MSOPT_HTTP_VERSION, MS_HTTP_VERSION_3ONLY);  // refused: 1.0 stays
  const std::string req = request_of(app, h);
  EXPECT_EQ(req.rfind("GET /v HTTP/1.0\r\n", 0), 0u) << req;
}

TEST(HttpVersion_Request, TwoZeroFallsBackToOneOne) {
  FakeApp app;
  Handle h("http://127.0.0.2/v");
  ASSERT_EQ(ms_easy_setopt(h.e, MSOPT_HTTP_VERSION, MS_HTTP_VERSION_2_0), MSE_OK);
  const std::string req = request_of(app, h);
  EXPECT_EQ(req.rfind("GET /v HTTP/1.1\r\n", 0), 0u) << req;
  EXPECT_EQ(h.body, "hello");
}

TEST(HttpVersion_Upload, OneZeroHasNoChunkedUploadNorExpect) {
  {
    FakeApp app;
    Handle h("http://127.0.0.2/up");
    ms_easy_setopt(h.e, MSOPT_HTTP_VERSION, MS_HTTP_VERSION_1_0);
    ms_easy_setopt(h.e, MSOPT_UPLOAD, 1L);  // size unknown: would be chunked
    EXPECT_EQ(request_of(app, h, MSE_UPLOAD_FAILED), "");
  }
  {
    FakeApp app;
    Handle h("http://127.0.0.2/up");
    ms_easy_setopt(h.e, MSOPT_HTTP_VERSION, MS_HTTP_VERSION_1_0);
    ms_easy_setopt(h.e, MSOPT_UPLOAD, 1L);
    ms_easy_setopt(h.e, MSOPT_INFILESIZE_LARGE, static_cast<ms_off_t>(0));
    const std::string req = request_of(app, h);
    EXPECT_EQ(req.rfind("PUT /up HTTP/1.0\r\n", 0), 0u) << req;
    EXPECT_EQ(req.find("Expect:"), std::string::npos) << req;
  }
}

TEST(Referer_Request, SentReadBackAndClearedByNull) {
  FakeApp app;
  Handle h("http://127.0.0.2/r");
  const char* got = "unset";
  ASSERT_EQ(ms_easy_getinfo(h.e, MSINFO_REFERER, &got), MSE_OK);
  EXPECT_EQ(got, nullptr);
  ASSERT_EQ(ms_easy_setopt(h.e, MSOPT_REFERER, "https://example.org/from"), MSE_OK);
  const std::string req = request_of(app, h);
  EXPECT_NE(req.find("\r\nReferer: https://example.org/from\r\n"), std::string::npos) << req;
  ASSERT_EQ(ms_easy_getinfo(h.e, MSINFO_REFERER, &got), MSE_OK);
  EXPECT_STREQ(got, "https://example.org/from");
  ASSERT_EQ(ms_easy_setopt(h.e, MSOPT_REFERER, static_cast<const char*>(nullptr)), MSE_OK);
  ASSERT_EQ(ms_easy_getinfo(h.e, MSINFO_REFERER, &got), MSE_OK);
  EXPECT_EQ(got, nullptr);
}

TEST(Referer_Request, LineBreaksNeverReachTheServer) {
  FakeApp app;
  Handle h("http://127.0.0.2/r");
  ms_easy_setopt(h.e, MSOPT_REFERER, "x\r\nInjected: 1");
  const std::string req = request_of(app, h);
  EXPECT_EQ(req.find("Injected"), std::string::npos) << req;
}

TEST(Curlu_Transfer, TheUrlHandleWinsOverUrlAndABadOneFails) {
  FakeApp app;
  Handle h("http://127.0.0.2/from-url-option");
  ms_url* u = ms_url_new();
  ASSERT_EQ(ms_url_set(u, MSUPART_URL, "http://127.0.0.2/from-curlu?x=1", 0), MSUE_OK);
  ASSERT_EQ(ms_easy_setopt(h.e, MSOPT_CURLU, u), MSE_OK);
  const std::string req = request_of(app, h);
  EXPECT_EQ(req.rfind("GET /from-curlu?x=1 HTTP/1.1\r\n", 0), 0u) << req;
  const char* effective = nullptr;
  ms_easy_getinfo(h.e, MSINFO_EFFECTIVE_URL, &effective);
  EXPECT_STREQ(effective, "http://127.0.0.2/from-curlu?x=1");
  ms_multi_remove_handle(app.multi, h.e);
  ms_url_set(u, MSUPART_URL, nullptr, 0);  // no URL left in the handle
  ms_multi_add_handle(app.multi, h.e);
  app.run();
  const auto msgs = drain(app.multi);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].second, MSE_URL_MALFORMAT);
  ms_multi_remove_handle(app.multi, h.e);
  ms_url_cleanup(u);
}

int never_called_push(ms_easy*, ms_easy*, size_t, struct ms_pushheaders*, void* userp) {
  ++*static_cast<int*>(userp);
  return MS_PUSH_DENY;
}

TEST(Multiplex_Options, AcceptedAndTransfersStillOneConnectionEach) {
  FakeApp app;
  int pushes = 0;
  EXPECT_EQ(ms_multi_setopt(app.multi, MSMOPT_PIPELINING, MSPIPE_MULTIPLEX), MSM_OK);
  EXPECT_EQ(ms_multi_setopt(app.multi, MSMOPT_PUSHFUNCTION, never_called_push), MSM_OK);
  EXPECT_EQ(ms_multi_setopt(app.multi, MSMOPT_PUSHDATA, static_cast<void*>(&pushes)), MSM_OK);
  app.net.servers[addr("127.0.0.2", 80)] = {ConnectMode::pending, kOk, false};
  Handle a("http://127.0.0.2/a");
  Handle b("http://127.0.0.2/b");
  EXPECT_EQ(ms_easy_setopt(a.e, MSOPT_PIPEWAIT, 1L), MSE_OK);
  EXPECT_EQ(ms_easy_setopt(b.e, MSOPT_PIPEWAIT, 1L), MSE_OK);
  ms_multi_add_handle(app.multi, a.e);
  ms_multi_add_handle(app.multi, b.e);
  int running = -1;
  ms_multi_socket_action(app.multi, MS_SOCKET_TIMEOUT, 0, &running);
  // PIPEWAIT does not hold b back: nothing can multiplex, so both connect at once.
  EXPECT_EQ(app.watched.size(), 2u);
  for (const auto& [fd, what] : std::map<int, int>(app.watched)) app.net.finish_connect(fd);
  app.run();
  EXPECT_EQ(drain(app.multi).size(), 2u);
  EXPECT_EQ(a.body, "hello");
  EXPECT_EQ(b.body, "hello");
  EXPECT_EQ(pushes, 0);
}

}  // namespace

// SPDX-License-Identifier: MIT
// ms_easy_header / ms_easy_nextheader over the fake ports: by name and index, in order,
// per request of a redirect chain, 1xx blocks apart, and every error code.
#include <gtest/gtest.h>

#include <string>

#include "fake_ports.hpp"
#include "test_handle.hpp"

namespace {
using ms::test::addr;
using ms::test::ConnectMode;
using ms::test::drain;
using ms::test::FakeApp;
using ms::test::Handle;

void run(FakeApp& app, Handle& h) {
  ASSERT_EQ(ms_multi_add_handle(app.multi, h.e), MSM_OK);
  app.run();
  const auto msgs = drain(app.multi);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].second, MSE_OK);
}

TEST(HeadersApi_Header, ByNameAnyCaseWithAmountAndIndex) {
  FakeApp app;
  app.net.servers[addr("127.0.0.2", 80)] = {
      ConnectMode::immediate,
      "HTTP/1.1 200 OK\r\nSet-Thing:  a  \r\nContent-Type: text/plain\r\nset-thing: b\r\nContent-Length: 2\r\n\r\nhi",
      false};
  Handle h("http://127.0.0.2/");
  ms_header* out = nullptr;
  EXPECT_EQ(ms_easy_header(h.e, "Content-Type", 0, MSH_HEADER, -1, &out), MSHE_NOHEADERS);
  run(app, h);
  ASSERT_EQ(ms_easy_header(h.e, "content-type", 0, MSH_HEADER, -1, &out), MSHE_OK);
  EXPECT_STREQ(out->name, "Content-Type");
  EXPECT_STREQ(out->value, "text/plain");
  EXPECT_EQ(out->amount, 1u);
  ASSERT_EQ(ms_easy_header(h.e, "SET-THING", 1, MSH_HEADER, 0, &out), MSHE_OK);
  EXPECT_STREQ(out->name, "set-thing");
  EXPECT_STREQ(out->value, "b");
  EXPECT_EQ(out->amount, 2u);
  EXPECT_EQ(out->index, 1u);
  EXPECT_EQ(out->origin, static_cast<unsigned>(MSH_HEADER));
  ASSERT_EQ(ms_easy_header(h.e, "Set-Thing", 0, MSH_HEADER, 0, &out), MSHE_OK);
  EXPECT_STREQ(out->value, "a");  // surrounding blanks stripped
  EXPECT_EQ(ms_easy_header(h.e, "Set-Thing", 2, MSH_HEADER, 0, &out), MSHE_BADINDEX);
  EXPECT_EQ(ms_easy_header(h.e, "X-None", 0, MSH_HEADER, 0, &out), MSHE_MISSING);
  EXPECT_EQ(ms_easy_header(h.e, "Set-Thing", 0, MSH_HEADER, 1, &out), MSHE_NOREQUEST);
  EXPECT_EQ(ms_easy_header(h.e, "Set-Thing", 0, MSH_TRAILER, 0, &out), MSHE_MISSING);
  EXPECT_EQ(ms_easy_header(h.e, nullptr, 0, MSH_HEADER, 0, &out), MSHE_BAD_ARGUMENT);
  EXPECT_EQ(ms_easy_header(h.e, "Set-Thing", 0, 0, 0, &out), MSHE_BAD_ARGUMENT);
  EXPECT_EQ(ms_easy_header(h.e, "Set-Thing", 0, 1u << 9, 0, &out), MSHE_BAD_ARGUMENT);
  EXPECT_EQ(ms_easy_header(h.e, "Set-Thing", 0, MSH_HEADER, -2, &out), MSHE_BAD_ARGUMENT);
  EXPECT_EQ(ms_easy_header(h.e, "Set-Thing", 0, MSH_HEADER, 0, nullptr), MSHE_BAD_ARGUMENT);
  EXPECT_EQ(ms_easy_header(nullptr, "Set-Thing", 0, MSH_HEADER, 0, &out), MSHE_BAD_ARGUMENT);
}

TEST(HeadersApi_Next, InOrderPerRequestAnd1xxApart) {
  FakeApp app;
  app.net.servers[addr("127.0.0.2", 80)] = {
      ConnectMode::immediate, "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.3/b\r\nContent-Length: 0\r\n\r\n", false};
  app.net.servers[addr("127.0.0.3", 80)] = {
      ConnectMode::immediate,
      "HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\nHTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nContent-Length: 0\r\n\r\n",
      false};
  Handle h("http://127.0.0.2/a");
  ms_easy_setopt(h.e, MSOPT_FOLLOWLOCATION, 1L);
  run(app, h);
  auto list = [&](unsigned origin, int request) {
    std::string text;
    for (ms_header* p = ms_easy_nextheader(h.e, origin, request, nullptr); p;
         p = ms_easy_nextheader(h.e, origin, request, p))
      text += std::string(p->name) + "=" + p->value + ";";
    return text;
  };
  EXPECT_EQ(list(MSH_HEADER, -1), "A=1;B=2;Content-Length=0;");
  EXPECT_EQ(list(MSH_HEADER, 1), "A=1;B=2;Content-Length=0;");
  EXPECT_EQ(list(MSH_HEADER, 0), "Location=http://127.0.0.3/b;Content-Length=0;");
  EXPECT_EQ(list(MSH_1XX, -1), "Link=</s.css>;");
  EXPECT_EQ(list(MSH_1XX | MSH_HEADER, 1), "Link=</s.css>;A=1;B=2;Content-Length=0;");
  EXPECT_EQ(list(MSH_HEADER, 2), "");
  ms_header forged{};
  EXPECT_EQ(ms_easy_nextheader(h.e, MSH_HEADER, -1, &forged), nullptr);  // not one it handed out
}

TEST(HeadersApi_Next, ANewTransferForgetsTheOldHeaders) {
  FakeApp app;
  app.net.servers[addr("127.0.0.2", 80)] = {
      ConnectMode::immediate, "HTTP/1.1 200 OK\r\nX-Once: 1\r\nContent-Length: 0\r\n\r\n", false};
  Handle h("http://127.0.0.2/");
  run(app, h);
  ms_multi_remove_handle(app.multi, h.e);
  ms_header* out = nullptr;
  ASSERT_EQ(ms_easy_header(h.e, "X-Once", 0, MSH_HEADER, -1, &out), MSHE_OK);
  run(app, h);
  ASSERT_EQ(ms_easy_header(h.e, "X-Once", 0, MSH_HEADER, -1, &out), MSHE_OK);
  EXPECT_EQ(out->amount, 1u);  // not 2: the first transfer's line is gone
}

}  // namespace

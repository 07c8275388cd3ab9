// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include "request_writer.hpp"

namespace {

ms::http::Url url(const char* text) { return *ms::http::parse_url(text); }

struct List {
  ms_slist* head = nullptr;
  ~List() { ms_slist_free_all(head); }
  List& add(const char* s) {
    head = ms_slist_append(head, s);
    return *this;
  }
};

TEST(RequestWriter_Get, BuiltInHeaders) {
  auto u = url("http://example.test:8080/a?b=1");
  ms::RequestSpec spec;
  spec.url = &u;
  std::string out;
  ms::write_request(spec, out);
  EXPECT_EQ(out, "GET /a?b=1 HTTP/1.1\r\nHost: example.test:8080\r\nAccept: */*\r\n\r\n");
}

TEST(RequestWriter_Headers, OverrideRemoveAndEmpty) {
  auto u = url("http://h.test/");
  List l;
  l.add("Host: other").add("Accept:").add("X-Empty;").add("X-A: 1").add("Bad: x\r\nInjected: y");
  ms::RequestSpec spec;
  spec.url = &u;
  spec.user_agent = "ua/1";
  spec.extra_headers = l.head;
  std::string out;
  ms::write_request(spec, out);
  EXPECT_EQ(out, "GET / HTTP/1.1\r\nUser-Agent: ua/1\r\nHost: other\r\nX-Empty:\r\nX-A: 1\r\n\r\n");
}

TEST(RequestWriter_Post, ContentLengthAndBody) {
  auto u = url("http://h.test/p");
  ms::RequestSpec spec;
  spec.method = "POST";
  spec.url = &u;
  spec.body = std::string_view("a=1&b=2");
  std::string out;
  ms::write_request(spec, out);
  EXPECT_EQ(out,
            "POST /p HTTP/1.1\r\nHost: h.test\r\nAccept: */*\r\nContent-Length: 7\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n\r\na=1&b=2");
}

TEST(Slist_Append, CopiesAndRefusesNull) {
  char text[] = "one";
  ms_slist* l = ms_slist_append(nullptr, text);
  text[0] = 'X';
  l = ms_slist_append(l, "two");
  ASSERT_NE(l, nullptr);
  EXPECT_STREQ(l->data, "one");
  EXPECT_STREQ(l->next->data, "two");
  EXPECT_EQ(ms_slist_append(l, nullptr), nullptr);
  ms_slist_free_all(l);
  ms_slist_free_all(nullptr);
}

}  // namespace

// SPDX-License-Identifier: MIT
// One labelled table of responses; each case is delivered three ways (whole, byte by
// byte, at seeded random split points), every piece copied into its own exact-size heap
// buffer so that a read past `data` is caught by AddressSanitizer.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "http/response_parser.hpp"

namespace ms::http {
namespace {

constexpr std::size_t kAll = static_cast<std::size_t>(-1);

// Records callbacks as a canonical string; the body is collected apart because the
// number of on_body calls depends on how the bytes were split.
class Recorder : public ResponseSink {
 public:
  explicit Recorder(char abort_on) : abort_on_(abort_on) {}
  bool on_status(int major, int minor, int code, std::string_view line) override {
    events += "S" + std::to_string(major) + "." + std::to_string(minor) + " " +
              std::to_string(code) + "|";
    EXPECT_EQ(line.substr(0, 5), "HTTP/");
    return abort_on_ != 'S';
  }
  bool on_header(std::string_view name, std::string_view value, std::string_view raw) override {
    events += "H" + std::string(name) + "=" + std::string(value) + "|";
    EXPECT_EQ(raw.substr(0, name.size()), name);
    return abort_on_ != 'H';
  }
  bool on_headers_end(int code) override {
    events += "E" + std::to_string(code) + "|";
    return abort_on_ != 'E';
  }
  bool on_body(std::string_view bytes) override {
    EXPECT_FALSE(bytes.empty());
    body.append(bytes);
    return abort_on_ != 'B';
  }
  bool on_trailer(std::string_view name, std::string_view value, std::string_view) override {
    events += "T" + std::string(name) + "=" + std::string(value) + "|";
    return abort_on_ != 'T';
  }
  std::string events;
  std::string body;

 private:
  char abort_on_;
};

struct Case {
  std::string label;
  std::string input;
  ParseStatus status;  // after all input (and on_eof when `eof`)
  MSEcode error = MSE_OK;
  std::string body = "";
  std::size_t consumed = kAll;  // kAll: the whole input
  bool eof = false;
  bool head = false;
  int keep_alive = -1;  // -1: not checked
  std::optional<BodyKind> kind = std::nullopt;
  std::string events = "";  // empty: not checked (still equal across deliveries)
  ParserLimits limits = {};
  char abort_on = 0;
  std::string error_text = "";  // empty: not checked
  std::int64_t content_length = -2;  // -2: not checked
};

struct Outcome {
  ParseStatus status = ParseStatus::need_more;
  std::size_t consumed = 0;
  MSEcode error = MSE_OK;
  std::string error_text;
  std::string events;
  std::string body;
  bool keep_alive = false;
  BodyKind kind = BodyKind::none;
  std::int64_t content_length = 0;
  std::int64_t body_received = 0;
};

Outcome deliver(const Case& c, const std::vector<std::size_t>& cuts) {
  ResponseParser parser(c.limits);
  parser.reset(c.head);
  Recorder sink(c.abort_on);
  Outcome out;
  std::size_t start = 0;
  std::vector<std::size_t> ends = cuts;
  ends.push_back(c.input.size());
  for (std::size_t end : ends) {
    std::size_t len = end - start;
    // Exact-size copy per piece: reading one byte past the piece is a heap overflow.
    std::unique_ptr<char[]> piece(new char[len]);
    std::copy_n(c.input.data() + start, len, piece.get());
    std::size_t consumed = kAll;
    out.status = parser.feed(std::string_view(piece.get(), len), sink, &consumed);
    EXPECT_LE(consumed, len);
    if (out.status != ParseStatus::need_more) {
      out.consumed = start + consumed;
      break;
    }
    EXPECT_EQ(consumed, len) << "need_more must consume everything";
    out.consumed = end;
    start = end;
  }
  if (out.status == ParseStatus::need_more && c.eof) out.status = parser.on_eof(sink);
  out.error = parser.error();
  out.error_text = parser.error_text();
  out.events = sink.events;
  out.body = sink.body;
  out.keep_alive = parser.keep_alive();
  out.kind = parser.body_kind();
  out.content_length = parser.content_length();
  out.body_received = parser.body_received();
  return out;
}

void check(const Case& c, const Outcome& got, const Outcome& whole, const std::string& how) {
  SCOPED_TRACE(c.label + " delivered " + how);
  EXPECT_EQ(got.status, c.status);
  EXPECT_EQ(got.error, c.error) << got.error_text;
  if (!c.error_text.empty()) {
    EXPECT_EQ(got.error_text, c.error_text);
  }
  if (c.status == ParseStatus::aborted) return;  // how far it got depends on the split
  EXPECT_EQ(got.body, c.body);
  EXPECT_EQ(got.body_received, static_cast<std::int64_t>(got.body.size()));
  if (c.status == ParseStatus::complete) {
    EXPECT_EQ(got.consumed, c.consumed == kAll ? c.input.size() : c.consumed);
  }
  if (c.keep_alive >= 0) {
    EXPECT_EQ(got.keep_alive, c.keep_alive == 1);
  }
  if (c.kind) {
    EXPECT_EQ(got.kind, *c.kind);
  }
  if (c.content_length != -2) {
    EXPECT_EQ(got.content_length, c.content_length);
  }
  if (!c.events.empty()) {
    EXPECT_EQ(got.events, c.events);
  }
  EXPECT_EQ(got.events, whole.events);
  EXPECT_EQ(got.error_text, whole.error_text);
}

std::string rep(std::size_t n, char ch = 'a') { return std::string(n, ch); }

const std::string kOk = "HTTP/1.1 200 OK\r\n";

std::vector<Case> cases() {
  using PS = ParseStatus;
  std::vector<Case> v;
  // --- Content-Length bodies and keep-alive
  v.push_back({.label = "cl_basic",
               .input = kOk + "Content-Length: 5\r\n\r\nhello",
               .status = PS::complete,
               .body = "hello",
               .keep_alive = 1,
               .kind = BodyKind::content_length,
               .events = "S1.1 200|HContent-Length=5|E200|",
               .content_length = 5});
  v.push_back({.label = "cl_zero",
               .input = kOk + "Content-Length: 0\r\n\r\n",
               .status = PS::complete,
               .keep_alive = 1,
               .kind = BodyKind::content_length});
  v.push_back({.label = "cl_http10_closes",
               .input = "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok",
               .status = PS::complete,
               .body = "ok",
               .keep_alive = 0,
               .events = "S1.0 200|HContent-Length=2|E200|"});
  v.push_back({.label = "cl_http10_keep_alive",
               .input = "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 2\r\n\r\nok",
               .status = PS::complete,
               .body = "ok",
               .keep_alive = 1});
  v.push_back({.label = "cl_connection_close",
               .input = kOk + "Connection: upgrade, close\r\nContent-Length: 2\r\n\r\nok",
               .status = PS::complete,
               .body = "ok",
               .keep_alive = 0});
  v.push_back({.label = "cl_ows_trimmed",
               .input = kOk + "Content-Length:\t 3 \t\r\nX-Empty:\r\n\r\nabc",
               .status = PS::complete,
               .body = "abc",
               .events = "S1.1 200|HContent-Length=3|HX-Empty=|E200|"});
  v.push_back({.label = "cl_same_list_ok",
               .input = kOk + "Content-Length: 3, 3\r\nContent-Length: 3\r\n\r\nabc",
               .status = PS::complete,
               .body = "abc"});
  v.push_back({.label = "cl_int64_max_accepted",
               .input = kOk + "Content-Length: 9223372036854775807\r\n\r\nab",
               .status = PS::need_more,
               .body = "ab",
               .kind = BodyKind::content_length,
               .content_length = 9223372036854775807});
  v.push_back({.label = "cl_conflicting",
               .input = kOk + "Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
               .status = PS::error,
               .error = MSE_WEIRD_SERVER_REPLY,
               .error_text = "conflicting Content-Length"});
  v.push_back({.label = "cl_conflicting_list",
               .input = kOk + "Content-Length: 3, 4\r\n\r\nabcd",
               .status = PS::error,
               .error = MSE_WEIRD_SERVER_REPLY,
               .error_text = "invalid Content-Length"});
  for (const char* bad : {"-1", "abc", "", "1 2", "+5", "0x10"}) {
    v.push_back({.label = std::string("cl_invalid_") + bad,
                 .input = kOk + "Content-Length: " + bad + "\r\n\r\n",
                 .status = PS::error,
                 .error = MSE_WEIRD_SERVER_REPLY,
                 .error_text = "invalid Content-Length"});
  }
  v.push_back({.label = "cl_overflow",
               .input = kOk + "Content-Length: 9223372036854775808\r\n\r\n",
               .status = PS::error,
               .error = MSE_WEIRD_SERVER_REPLY,
               .error_text = "Content-Length too large"});
  // --- chunked
  v.push_back({.label = "chunked_basic",
               .input = kOk + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
               .status = PS::complete,
               .body = "hello world",
               .keep_alive = 1,
               .kind = BodyKind::chunked});
  v.push_back({.label = "chunked_extensions_trailers",
               .input = kOk + "Transfer-Encoding: gzip, Chunked\r\n\r\n"
                              "5;name=\"v;al\"\r\nhello\r\n3 ; x\r\nabc\r\n0;last\r\n"
                              "Expires: never\r\nX-T:  1 \r\n\r\n",
               .status = PS::complete,
               .body = "helloabc",
               .events = "S1.1 200|HTransfer-Encoding=gzip, Chunked|E200|TExpires=never|TX-T=1|"});
  v.push_back({.label = "chunked_hex_case_leading_zeros",
               .input = kOk + "Transfer-Encoding: chunked\r\n\r\n000A\r\n0123456789\r\nb\r\n"
                              "0123456789a\r\n00\r\n\r\n",
               .status = PS::complete,
               .body = "01234567890123456789a"});
  v.push_back({.label = "chunked_bare_lf",
               .input = kOk + "Transfer-Encoding: chunked\r\n\r\n2\nok\n0\n\n",
               .status = PS::complete,
               .body = "ok"});
  v.push_back({.label = "chunked_wins_over_content_length",
               .input = kOk + "Content-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
               .status = PS::complete,
               .body = "ok",
               .keep_alive = 0,
               .kind = BodyKind::chunked});
  v.push_back({.label = "chunked_not_last_reads_to_close",
               .input = kOk + "Transfer-Encoding: chunked, gzip\r\n\r\nraw",
               .status = PS::complete,
               .body = "raw",
               .eof = true,
               .keep_alive = 0,
               .kind = BodyKind::until_close});
  v.push_back({.label = "chunked_size_overflow_17_digits",
               .input = kOk + "Transfer-Encoding: chunked\r\n\r\n10000000000000000\r\n",
               .status = PS::error,
               .error = MSE_RECV_ERROR,
               .error_text = "chunk size too large"});
  v.push_back({.label = "chunked_size_overflow_2p63",
               .input = kOk + "Transfer-Encoding: chunked\r\n\r\n8000000000000000\r\n",
               .status = PS::error,
               .error = MSE_RECV_ERROR,
               .error_text = "chunk size too large"});
  v.push_back({.label = "chunked_size_max_then_eof",
               .input = kOk + "Transfer-Encoding: chunked\r\n\r\n7fffffffffffffff\r\nxy",
               .status = PS::error,
               .error = MSE_PARTIAL_FILE,
               .body = "xy",
               .eof = true});
  v.push_back({.label = "chunked_size_not_hex",
               .input = kOk + "Transfer-Encoding: chunked\r\n\r\nzz\r\n",
               .status = PS::error,
               .error = MSE_RECV_ERROR,
               .error_text = "invalid chunk size"});
  v.push_back({.label = "chunked_size_empty",
               .input = kOk + "Transfer-Encoding: chunked\r\n\r\n\r\n",
               .status = PS::error,
               .error = MSE_RECV_ERROR,
               .error_text = "invalid chunk size"});
  v.push_back({.label = "chunked_digit_after_space",
               .input = kOk + "Transfer-Encoding: chunked\r\n\r\n1 2\r\n",
               .status = PS::error,
               .error = MSE_RECV_ERROR,
               .error_text = "invalid chunk size"});
  v.push_back({.label = "chunked_cr_without_lf",
               .input = kOk + "Transfer-Encoding: chunked\r\n\r\n1\rx",
               .status = PS::error,
               .error = MSE_RECV_ERROR,
               .error_text = "bad chunk framing"});
  v.push_back({.label = "chunked_missing_crlf_after_data",
               .input = kOk + "Transfer-Encoding: chunked\r\n\r\n5\r\nhelloX",
               .status = PS::error,
               .error = MSE_RECV_ERROR,
               .body = "hello",
               .error_text = "missing CRLF after chunk data"});
  v.push_back({.label = "chunked_cr_then_garbage_after_data",
               .input = kOk + "Transfer-Encoding: chunked\r\n\r\n1\r\nh\rX",
               .status = PS::error,
               .error = MSE_RECV_ERROR,
               .body = "h",
               .error_text = "missing CRLF after chunk data"});
  // --- close-delimited
  v.push_back({.label = "close_delimited",
               .input = kOk + "Content-Type: text/plain\r\n\r\nuntil the end",
               .status = PS::complete,
               .body = "until the end",
               .eof = true,
               .keep_alive = 0,
               .kind = BodyKind::until_close});
  v.push_back({.label = "close_delimited_waits_for_eof",
               .input = kOk + "\r\nsome",
               .status = PS::need_more,
               .body = "some",
               .kind = BodyKind::until_close});
  v.push_back({.label = "close_delimited_empty",
               .input = "HTTP/1.0 200 OK\r\n\r\n",
               .status = PS::complete,
               .eof = true,
               .keep_alive = 0});
  // --- interim responses, HEAD, 204, 304
  v.push_back({.label = "interim_100_then_200",
               .input = "HTTP/1.1 100 Continue\r\n\r\n" + kOk + "Content-Length: 2\r\n\r\nok",
               .status = PS::complete,
               .body = "ok",
               .events = "S1.1 100|E100|S1.1 200|HContent-Length=2|E200|"});
  v.push_back({.label = "interim_103_with_headers_ignored",
               .input = "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\nContent-Length: 9\r\n\r\n"
                        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
               .status = PS::complete,
               .kind = BodyKind::none,
               .events = "S1.1 103|HLink=</a>|HContent-Length=9|E103|S1.1 100|E100|S1.1 204|E204|",
               .content_length = -1});
  v.push_back({.label = "status_101_refused",
               .input = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n",
               .status = PS::error,
               .error = MSE_WEIRD_SERVER_REPLY});
  v.push_back({.label = "head_ignores_content_length",
               .input = kOk + "Content-Length: 100\r\n\r\n",
               .status = PS::complete,
               .head = true,
               .keep_alive = 1,
               .kind = BodyKind::none,
               .content_length = 100});
  v.push_back({.label = "head_ignores_chunked",
               .input = kOk + "Transfer-Encoding: chunked\r\n\r\nHTTP/1.1",
               .status = PS::complete,
               .consumed = kOk.size() + 30,
               .head = true,
               .keep_alive = 1});
  v.push_back({.label = "status_204_no_body",
               .input = "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nhello",
               .status = PS::complete,
               .consumed = 46,
               .kind = BodyKind::none});
  v.push_back({.label = "status_304_no_body",
               .input = "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n",
               .status = PS::complete,
               .keep_alive = 1,
               .kind = BodyKind::none});
  // --- pipelining: the next response stays unconsumed
  {
    std::string first = kOk + "Content-Length: 2\r\n\r\nok";
    v.push_back({.label = "pipelined_content_length",
                 .input = first + kOk + "Content-Length: 1\r\n\r\nx",
                 .status = PS::complete,
                 .body = "ok",
                 .consumed = first.size()});
    std::string chunked = kOk + "Transfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\nT: v\r\n\r\n";
    v.push_back({.label = "pipelined_chunked",
                 .input = chunked + "HTTP/1.1 204 No Content\r\n\r\n",
                 .status = PS::complete,
                 .body = "ok",
                 .consumed = chunked.size()});
    std::string nobody = "HTTP/1.1 204 No Content\r\n\r\n";
    v.push_back({.label = "pipelined_204",
                 .input = nobody + nobody,
                 .status = PS::complete,
                 .consumed = nobody.size()});
  }
  // --- header syntax
  v.push_back({.label = "obs_fold_joined",
               .input = kOk + "X-Long: a\r\n  b\r\n\tc \r\nContent-Length: 0\r\n\r\n",
               .status = PS::complete,
               .events = "S1.1 200|HX-Long=a b c|HContent-Length=0|E200|"});
  v.push_back({.label = "obs_fold_first_line_refused",
               .input = kOk + " folded: x\r\n\r\n",
               .status = PS::error,
               .error = MSE_WEIRD_SERVER_REPLY,
               .error_text = "folded line without a header"});
  v.push_back({.label = "bare_lf_line_endings",
               .input = "HTTP/1.1 200 OK\nContent-Length: 1\n\nx",
               .status = PS::complete,
               .body = "x"});
  v.push_back({.label = "status_without_reason",
               .input = "HTTP/1.1 404\r\nContent-Length: 0\r\n\r\n",
               .status = PS::complete,
               .events = "S1.1 404|HContent-Length=0|E404|"});
  v.push_back({.label = "header_without_colon",
               .input = kOk + "NoColon\r\n\r\n",
               .status = PS::error,
               .error = MSE_WEIRD_SERVER_REPLY,
               .error_text = "malformed header line"});
  v.push_back({.label = "header_space_before_colon",
               .input = kOk + "Bad Name : v\r\n\r\n",
               .status = PS::error,
               .error = MSE_WEIRD_SERVER_REPLY,
               .error_text = "malformed header line"});
  v.push_back({.label = "header_empty_name",
               .input = kOk + ": v\r\n\r\n",
               .status = PS::error,
               .error = MSE_WEIRD_SERVER_REPLY,
               .error_text = "malformed header line"});
  v.push_back({.label = "header_nul_byte",
               .input = kOk + std::string("X: a\0b\r\n\r\n", 10),
               .status = PS::error,
               .error = MSE_WEIRD_SERVER_REPLY,
               .error_text = "NUL byte in header"});
  // --- status lines
  for (const char* bad : {"HTTP/1.1 20 OK", "HTTP/1.1 2000 OK", "HTTP/1.1 abc OK",
                          "HTTP/1.1 099 Low", "HTTP/1.1  200 OK", "HTTP/1.1 200\tOK"}) {
    v.push_back({.label = std::string("status_code_bad: ") + bad,
                 .input = std::string(bad) + "\r\n\r\n",
                 .status = PS::error,
                 .error = MSE_WEIRD_SERVER_REPLY});
  }
  for (const char* bad : {"HTTP/2 200 OK", "HTTP/1.2 200 OK", "HTTP/0.9 200 OK", "HTTP/2.0 200 OK"}) {
    v.push_back({.label = std::string("status_version_bad: ") + bad,
                 .input = std::string(bad) + "\r\n\r\n",
                 .status = PS::error,
                 .error = MSE_WEIRD_SERVER_REPLY});
  }
  for (const char* bad : {"http/1.1 200 OK\r\n\r\n", "ICY 200 OK\r\n\r\n", "<html>",
                          "\r\nHTTP/1.1 200 OK\r\n\r\n", "HTTP/1.1\r\n\r\n"}) {
    v.push_back({.label = std::string("status_not_http: ") + bad,
                 .input = bad,
                 .status = PS::error,
                 .error = MSE_WEIRD_SERVER_REPLY,
                 .eof = true});
  }
  // --- limits (small ones, so each boundary is exact)
  ParserLimits small{.status_line_max = 20, .header_line_max = 20, .header_count_max = 3,
                     .header_total_max = 200};
  v.push_back({.label = "limit_status_line_exact",
               .input = "HTTP/1.1 200 OK" + rep(5) + "\r\nContent-Length: 0\r\n\r\n",
               .status = PS::complete,
               .limits = small});
  v.push_back({.label = "limit_status_line_over",
               .input = "HTTP/1.1 200 OK" + rep(6) + "\r\n\r\n",
               .status = PS::error,
               .error = MSE_RECV_ERROR,
               .limits = small,
               .error_text = "status line too large"});
  v.push_back({.label = "limit_status_line_over_without_lf",
               .input = "HTTP/1.1 200 OK" + rep(200),
               .status = PS::error,
               .error = MSE_RECV_ERROR,
               .limits = small,
               .error_text = "status line too large"});
  v.push_back({.label = "limit_header_line_exact",
               .input = kOk + "X-A: " + rep(15) + "\r\nContent-Length: 0\r\n\r\n",
               .status = PS::complete,
               .limits = small});
  v.push_back({.label = "limit_header_line_over",
               .input = kOk + "X-A: " + rep(16) + "\r\n\r\n",
               .status = PS::error,
               .error = MSE_RECV_ERROR,
               .limits = small,
               .error_text = "header line too large"});
  v.push_back({.label = "limit_folded_line_over",
               .input = kOk + "X-A: " + rep(10) + "\r\n " + rep(5) + "\r\n\r\n",
               .status = PS::error,
               .error = MSE_RECV_ERROR,
               .limits = small,
               .error_text = "header line too large"});
  v.push_back({.label = "limit_header_count_exact",
               .input = kOk + "A: 1\r\nB: 2\r\nContent-Length: 0\r\n\r\n",
               .status = PS::complete,
               .limits = small});
  v.push_back({.label = "limit_header_count_over",
               .input = kOk + "A: 1\r\nB: 2\r\nC: 3\r\nContent-Length: 0\r\n\r\n",
               .status = PS::error,
               .error = MSE_RECV_ERROR,
               .limits = small,
               .error_text = "too many header fields"});
  v.push_back({.label = "limit_trailer_count_over",
               .input = kOk + "Transfer-Encoding: chunked\r\n\r\n0\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n",
               .status = PS::error,
               .error = MSE_RECV_ERROR,
               .limits = {.header_count_max = 3},
               .error_text = "too many header fields"});
  {
    std::string block = kOk + "A: " + rep(15) + "\r\nB: " + rep(15) + "\r\nContent-Length: 1\r\n\r\n";
    ParserLimits exact = small;
    exact.header_total_max = block.size();
    v.push_back({.label = "limit_header_total_exact",
                 .input = block + "x",
                 .status = PS::complete,
                 .body = "x",
                 .limits = exact});
    exact.header_total_max = block.size() - 1;
    v.push_back({.label = "limit_header_total_over",
                 .input = block + "x",
                 .status = PS::error,
                 .error = MSE_RECV_ERROR,
                 .limits = exact,
                 .error_text = "header too large"});
    // Interim responses count too, so endless 1xx blocks are bounded.
    std::string interim = "HTTP/1.1 100 Continue\r\n\r\n";
    std::string many;
    for (int i = 0; i < 9; ++i) many += interim;
    v.push_back({.label = "limit_header_total_over_by_interims",
                 .input = many,
                 .status = PS::error,
                 .error = MSE_RECV_ERROR,
                 .limits = {.header_total_max = 200},
                 .error_text = "header too large"});
  }
  v.push_back({.label = "limit_chunk_line_over",
               .input = kOk + "Transfer-Encoding: chunked\r\n\r\n5;" + rep(30) + "\r\nhello\r\n0\r\n\r\n",
               .status = PS::error,
               .error = MSE_RECV_ERROR,
               .limits = {.header_line_max = 30},
               .error_text = "chunk-size line too long"});
  v.push_back({.label = "limit_chunk_leading_zeros_over",
               .input = kOk + "Transfer-Encoding: chunked\r\n\r\n" + rep(40, '0') + "5\r\n",
               .status = PS::error,
               .error = MSE_RECV_ERROR,
               .limits = {.header_line_max = 30},
               .error_text = "chunk-size line too long"});
  // --- early EOF in each state
  v.push_back({.label = "eof_nothing",
               .input = "",
               .status = PS::error,
               .error = MSE_GOT_NOTHING,
               .eof = true});
  v.push_back({.label = "eof_in_status_line",
               .input = "HTTP/1.1 20",
               .status = PS::error,
               .error = MSE_RECV_ERROR,
               .eof = true});
  v.push_back({.label = "eof_in_headers",
               .input = kOk + "Content-Length: 5\r\nX-",
               .status = PS::error,
               .error = MSE_RECV_ERROR,
               .eof = true});
  v.push_back({.label = "eof_after_interim",
               .input = "HTTP/1.1 100 Continue\r\n\r\n",
               .status = PS::error,
               .error = MSE_RECV_ERROR,
               .eof = true});
  v.push_back({.label = "eof_in_content_length_body",
               .input = kOk + "Content-Length: 5\r\n\r\nhel",
               .status = PS::error,
               .error = MSE_PARTIAL_FILE,
               .body = "hel",
               .eof = true});
  v.push_back({.label = "eof_before_content_length_body",
               .input = kOk + "Content-Length: 5\r\n\r\n",
               .status = PS::error,
               .error = MSE_PARTIAL_FILE,
               .eof = true});
  const std::pair<const char*, const char*> chunked_cuts[] = {
      {"", ""}, {"5", ""}, {"5;ext", ""}, {"5\r", ""}, {"5\r\nhe", "he"},
      {"5\r\nhello", "hello"}, {"5\r\nhello\r", "hello"}, {"0\r\n", ""},
      {"0\r\nTrailer: x", ""}, {"0\r\nTrailer: x\r\n", ""}};
  for (auto [tail, body] : chunked_cuts) {
    v.push_back({.label = std::string("eof_in_chunked: ") + tail,
                 .input = kOk + "Transfer-Encoding: chunked\r\n\r\n" + tail,
                 .status = PS::error,
                 .error = MSE_PARTIAL_FILE,
                 .body = body,
                 .eof = true});
  }
  // --- sink stops
  for (char at : {'S', 'H', 'E', 'B', 'T'}) {
    v.push_back({.label = std::string("sink_aborts_on_") + at,
                 .input = kOk + "Transfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\nT: 1\r\n\r\n",
                 .status = PS::aborted,
                 .abort_on = at});
  }
  return v;
}

TEST(ResponseParser_Table, EveryCaseWholeByteByByteAndRandomSplits) {
  for (const Case& c : cases()) {
    Outcome whole = deliver(c, {});
    check(c, whole, whole, "whole");

    std::vector<std::size_t> every;
    for (std::size_t i = 1; i < c.input.size(); ++i) every.push_back(i);
    check(c, deliver(c, every), whole, "byte by byte");

    for (std::uint32_t seed = 1; seed <= 8; ++seed) {
      std::mt19937 rng(seed);
      std::vector<std::size_t> cuts;
      std::size_t count = 1 + rng() % 6;
      for (std::size_t i = 0; i < count; ++i) cuts.push_back(rng() % (c.input.size() + 1));
      std::sort(cuts.begin(), cuts.end());  // duplicates make empty pieces, on purpose
      check(c, deliver(c, cuts), whole, "random split seed=" + std::to_string(seed));
    }
  }
}

TEST(ResponseParser_Reset, ReusedParserReadsPipelinedResponses) {
  std::string stream = kOk + "Content-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                             "1\r\nx\r\n0\r\n\r\nHTTP/1.0 200 OK\r\n\r\nrest";
  ResponseParser parser;
  Recorder sink(0);
  std::string_view left = stream;
  std::vector<std::string> bodies;
  for (int i = 0; i < 2; ++i) {
    parser.reset(false);
    sink.body.clear();
    std::size_t used = 0;
    ASSERT_EQ(parser.feed(left, sink, &used), ParseStatus::complete);
    EXPECT_TRUE(parser.keep_alive());
    left.remove_prefix(used);
    bodies.push_back(sink.body);
  }
  parser.reset(false);
  sink.body.clear();
  std::size_t used = 0;
  EXPECT_EQ(parser.feed(left, sink, &used), ParseStatus::need_more);
  EXPECT_EQ(used, left.size());
  EXPECT_EQ(parser.on_eof(sink), ParseStatus::complete);
  EXPECT_FALSE(parser.keep_alive());
  EXPECT_EQ(bodies, (std::vector<std::string>{"ok", "x"}));
  EXPECT_EQ(sink.body, "rest");
}

TEST(ResponseParser_Done, FeedAfterCompleteConsumesNothing) {
  ResponseParser parser;
  Recorder sink(0);
  std::size_t used = 99;
  std::string first = "HTTP/1.1 204 No Content\r\n\r\n";
  ASSERT_EQ(parser.feed(first, sink, &used), ParseStatus::complete);
  EXPECT_EQ(parser.feed("more", sink, &used), ParseStatus::complete);
  EXPECT_EQ(used, 0u);
  EXPECT_EQ(parser.header_bytes(), first.size());
}

TEST(ResponseParser_Error, StaysInErrorAndRefusesReuse) {
  ResponseParser parser;
  Recorder sink(0);
  std::size_t used = 0;
  ASSERT_EQ(parser.feed("XTTP/1.1 200 OK\r\n", sink, &used), ParseStatus::error);
  EXPECT_FALSE(parser.keep_alive());
  EXPECT_EQ(parser.feed("HTTP/1.1 200 OK\r\n", sink, &used), ParseStatus::error);
  EXPECT_EQ(used, 0u);
  EXPECT_EQ(parser.on_eof(sink), ParseStatus::error);
  EXPECT_EQ(parser.error(), MSE_WEIRD_SERVER_REPLY);
  EXPECT_TRUE(parser.bytes_seen());
}

}  // namespace
}  // namespace ms::http

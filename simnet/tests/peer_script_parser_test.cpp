// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include "simnet/peer_script.hpp"

namespace ms::sim {
namespace {

using namespace std::chrono_literals;

// A one-line summary per command, so each good case states its whole meaning.
std::string summary(const PeerScript& s) {
  std::string out;
  for (const auto& c : s.commands) {
    if (!out.empty()) out += "; ";
    out += to_string(c.op);
    if (c.op == PeerOp::send) {
      out += " [";
      for (unsigned char ch : c.bytes) {
        if (ch >= 0x20 && ch < 0x7f) out += static_cast<char>(ch);
        else out += "<" + std::to_string(ch) + ">";
      }
      out += "]";
    }
    if (c.op == PeerOp::send_body) out += " " + std::to_string(c.body_bytes);
    if (c.piece_bytes != 0)
      out += " pieces " + std::to_string(c.piece_bytes) + "/" + std::to_string(c.piece_every.count());
    if (c.op == PeerOp::wait) out += " " + std::to_string(c.duration.count());
    if (c.op == PeerOp::tls) out += " " + c.tls_name + " kind" + std::to_string(c.tls_kind);
    if (c.no_continue) out += " no-continue";
    if (c.request != 0) out += " R" + std::to_string(c.request);
    if (c.status != 0) out += " S" + std::to_string(c.status);
    if (c.has_length || c.op == PeerOp::data || c.op == PeerOp::flood || c.op == PeerOp::serve)
      out += " N" + std::to_string(c.body_bytes);
    if (c.op == PeerOp::rst || c.op == PeerOp::goaway) out += " code" + std::to_string(c.h2_code);
    if (c.count != 0) out += " count" + std::to_string(c.count);
    if (c.h2_max_streams >= 0) out += " max-streams" + std::to_string(c.h2_max_streams);
    if (c.h2_window >= 0) out += " window" + std::to_string(c.h2_window);
    out += " @" + std::to_string(c.line);
  }
  return out;
}

struct Good {
  const char* label;
  const char* text;
  const char* expected;
};

const Good kGood[] = {
    {"minimal", "accept\nclose", "accept @1; close @2"},
    {"indented with comments and blanks",
     "  # a comment\n\n  accept   \n  expect request  # trailing\n  close\n",
     "accept @3; expect request @4; close @5"},
    {"escapes", R"(send "a\r\n\t\\\"\x41\x7e")", "send [a<13><10><9>\\\"A~] @1"},
    {"pieces", "send \"hello\" in pieces of 1 every 10ms",
     "send [hello] pieces 1/10000000 @1"},
    {"body and file sizes", "send body 10\nsend-file 2k in pieces of 1K every 2s\nclose",
     "send body 10 @1; send body 2048 pieces 1024/2000000000 @2; close @3"},
    {"durations", "wait 5ns\nwait 3us\nwait 0\nwait 2s\nhang",
     "wait 5 @1; wait 3000 @2; wait 0 @3; wait 2000000000 @4; hang @5"},
    {"keep-alive", "accept\nexpect request\nsend \"x\"\nkeep-alive",
     "accept @1; expect request @2; send [x] @3; repeat @4"},
    {"half close then more", "accept\nshutdown\nexpect request\nreset",
     "accept @1; shutdown @2; expect request @3; reset @4"},
    {"refuse", "# nobody home\nrefuse", "refuse @2"},
    {"empty string", "send \"\"\nclose", "send [] @1; close @2"},
    {"tls kinds", "accept\ntls a.test\nexpect request\nrepeat",
     "accept @1; tls a.test kind0 @2; expect request @3; repeat @4"},
    {"tls expired", "accept\ntls 127.0.0.1 expired", "accept @1; tls 127.0.0.1 kind1 @2"},
    {"tls self-signed", "accept\ntls x self-signed", "accept @1; tls x kind2 @2"},
    {"no-continue", "accept\nexpect request no-continue", "accept @1; expect request no-continue @2"},
    {"h2 plain", "accept\nh2\nexpect requests 2\nrespond 2 200 length 10\nrespond 1 404\n"
     "data 2 10 in pieces of 4 every 1ms\nend 2\nreply 1 404 body 1k",
     "accept @1; h2 @2; expect requests count2 @3; respond R2 S200 N10 @4; respond R1 S404 @5; "
     "data pieces 4/1000000 R2 N10 @6; end R2 @7; reply R1 S404 N1024 @8"},
    {"h2 settings", "accept\nh2 window 1000 max-streams 0", "accept @1; h2 max-streams0 window1000 @2"},
    {"h2 after tls", "accept\ntls a.test\nh2 max-streams 1\nserve body 2k",
     "accept @1; tls a.test kind0 @2; h2 max-streams1 @3; serve N2048 @4"},
    {"h2 rst codes", "accept\nh2\nrst 1\nrst 2 REFUSED_STREAM\nrst 3 2\nrst 4 4294967295",
     "accept @1; h2 @2; rst R1 code8 @3; rst R2 code7 @4; rst R3 code2 @5; rst R4 code4294967295 @6"},
    {"h2 goaway", "accept\nh2\ngoaway\ngoaway ENHANCE_YOUR_CALM\ngoaway last 2\ngoaway 1 last 3",
     "accept @1; h2 @2; goaway code0 @3; goaway code11 @4; goaway R2 code0 @5; goaway R3 code1 @6"},
    {"h2 ping flood and the rest", "accept\nh2\nping\nflood 1 100k\nwait 1ms\nshutdown\nhang",
     "accept @1; h2 @2; ping @3; flood R1 N102400 @4; wait 1000000 @5; shutdown @6; hang @7"},
};

TEST(PeerScriptParser, GoodScripts) {
  for (const auto& g : kGood) {
    PeerScript s;
    ScriptError e;
    ASSERT_TRUE(parse_peer_script(g.text, 1, s, e)) << g.label << ": " << e.to_string();
    EXPECT_EQ(summary(s), g.expected) << g.label;
  }
}

struct Bad {
  const char* label;
  const char* text;
  const char* expected;  // "line:col: " prefix and a word of the reason
};

const Bad kBad[] = {
    {"unknown command", "accept\n  jump", "2:3: unknown command 'jump'"},
    {"expect what", "expect response", "1:8: expected 'request'"},
    {"unterminated string", "send \"abc", "1:6: unterminated string"},
    {"bad escape", "send \"a\\qb\"", "1:8: unknown escape"},
    {"bad hex escape", "send \"\\x4g\"", "1:7: \\x needs two hexadecimal digits"},
    {"garbage after string", "send \"a\" now", "1:10: unexpected text after send"},
    {"bad duration unit", "wait 10 ms", "1:6: bad duration '10'"},
    {"bad duration", "wait 5h", "1:6: bad duration '5h'"},
    {"missing duration", "wait", "1:5: missing duration"},
    {"bad piece duration", "send \"ab\" in pieces of 1 every soon", "1:32: bad duration 'soon'"},
    {"zero pieces", "send \"ab\" in pieces of 0 every 1ms", "1:24: piece size must be at least 1"},
    {"missing every", "send \"ab\" in pieces of 1", "1:25: expected 'every D'"},
    {"bad size", "send body lots", "1:11: bad body size"},
    {"send nothing", "send", "1:5: expected a quoted string"},
    {"text after close", "close now", "1:7: unexpected text after 'close'"},
    {"unreachable", "accept\nclose\nsend \"x\"", "3:1: unreachable: comes after 'close'"},
    {"refuse not alone", "accept\nrefuse", "2:1: 'refuse' must be the only command"},
    {"repeat without expect", "accept\nsend \"x\"\nrepeat", "3:1: 'repeat' needs an 'expect request'"},
    {"empty", "  \n# only a comment\n", "1:1: empty peer script"},
    {"tls without name", "accept\ntls", "2:4: expected the certificate's host name"},
    {"tls unknown kind", "accept\ntls a.test revoked", "2:12: unknown certificate kind 'revoked'"},
    {"tls not after accept", "accept\nwait 1ms\ntls a.test", "3:1: 'tls' must come right after 'accept'"},
    {"tls first", "tls a.test", "1:1: 'tls' must come right after 'accept'"},
    {"expect request extra", "expect request later", "1:16: unexpected text after 'expect request'"},
    {"h2 first", "h2", "1:1: 'h2' must come right after 'accept' or 'tls'"},
    {"h2 late", "accept\nwait 1ms\nh2", "3:1: 'h2' must come right after 'accept' or 'tls'"},
    {"h2 bad setting", "accept\nh2 streams 3", "2:4: unexpected text after 'h2'"},
    {"h2 bad window", "accept\nh2 window 2147483648", "2:11: bad window"},
    {"h2 missing max-streams", "accept\nh2 max-streams", "2:15: missing max-streams"},
    {"h2 command without h2", "accept\nexpect requests 1", "2:1: 'expect requests' needs 'h2' before it"},
    {"reply without h2", "accept\nreply 1 200 body 1", "2:1: 'reply' needs 'h2' before it"},
    {"repeat in h2", "accept\nh2\nexpect requests 1\nrepeat", "4:1: 'repeat' is not allowed in h2 mode"},
    {"send in h2", "accept\nh2\nsend \"x\"", "3:1: 'send' is not allowed in h2 mode"},
    {"expect request in h2", "accept\nh2\nexpect request", "3:1: 'expect request' is not allowed in h2 mode"},
    {"expect zero requests", "accept\nh2\nexpect requests 0", "3:17: bad request count '0'"},
    {"expect requests missing", "accept\nh2\nexpect requests", "3:16: missing request count"},
    {"request zero", "accept\nh2\nrespond 0 200", "3:9: bad request number '0'"},
    {"request not a number", "accept\nh2\ndata x 10", "3:6: bad request number 'x'"},
    {"bad status", "accept\nh2\nrespond 1 20", "3:11: bad status '20'"},
    {"respond extra", "accept\nh2\nrespond 1 200 size 3", "3:15: expected 'length N'"},
    {"reply needs body", "accept\nh2\nreply 1 200", "3:12: expected 'body N'"},
    {"bad data size", "accept\nh2\ndata 1 lots", "3:8: bad size"},
    {"data zero pieces", "accept\nh2\ndata 1 10 in pieces of 0 every 1ms", "3:24: piece size must be at least 1"},
    {"flood pieces", "accept\nh2\nflood 1 10 in", "3:12: unexpected text after 'flood'"},
    {"end extra", "accept\nh2\nend 1 now", "3:7: unexpected text after 'end'"},
    {"bad rst code", "accept\nh2\nrst 1 OOPS", "3:7: bad HTTP/2 error code 'OOPS'"},
    {"rst code too big", "accept\nh2\nrst 1 4294967296", "3:7: bad HTTP/2 error code"},
    {"goaway bad code", "accept\nh2\ngoaway later", "3:8: bad HTTP/2 error code 'later'"},
    {"goaway last missing", "accept\nh2\ngoaway CANCEL last", "3:19: missing request number"},
    {"goaway extra", "accept\nh2\ngoaway 0 3", "3:10: expected 'last N'"},
    {"ping extra", "accept\nh2\nping 1", "3:6: unexpected text after 'ping'"},
    {"serve without body", "accept\nh2\nserve 10", "3:7: expected 'body N'"},
    {"serve bad size", "accept\nh2\nserve body 2G", "3:12: bad body size"},
};

TEST(PeerScriptParser, BadScriptsReportLineAndColumn) {
  for (const auto& b : kBad) {
    PeerScript s;
    ScriptError e;
    EXPECT_FALSE(parse_peer_script(b.text, 1, s, e)) << b.label;
    EXPECT_EQ(e.to_string().rfind(b.expected, 0), 0u)
        << b.label << ": got '" << e.to_string() << "', want prefix '" << b.expected << "'";
  }
}

TEST(PeerScriptParser, FirstLineOffsetsLineNumbers) {
  PeerScript s;
  ScriptError e;
  ASSERT_FALSE(parse_peer_script("  accept\n  bogus", 41, s, e));
  EXPECT_EQ(e.line, 42);
  EXPECT_EQ(e.column, 3);
  ASSERT_TRUE(parse_peer_script("\n  accept\n  close", 10, s, e));
  EXPECT_EQ(s.commands.at(0).line, 11);
}

TEST(PeerScriptParser, Durations) {
  Nanos d{};
  EXPECT_TRUE(parse_duration("10ms", d));
  EXPECT_EQ(d, 10ms);
  EXPECT_TRUE(parse_duration("2s", d));
  EXPECT_EQ(d, 2s);
  EXPECT_FALSE(parse_duration("ms", d));
  EXPECT_FALSE(parse_duration("-1s", d));
  EXPECT_FALSE(parse_duration("99999999999999999999s", d));
  EXPECT_FALSE(parse_duration("", d));
}

TEST(PeerScriptParser, ArbitraryBytesNeverCrash) {
  std::string text;
  std::uint64_t state = 1;
  for (int round = 0; round < 2000; ++round) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    const char* pieces[] = {"send ", "\"", "\\x", "wait ", "1", "ms", "\n", " ", "in pieces of ",
                            "every ", "accept", "close", "#", "\\", "body ", "k", "repeat"};
    text += pieces[(state >> 33) % 17];
    if (text.size() > 200) text.clear();
    PeerScript s;
    ScriptError e;
    if (!parse_peer_script(text, 1, s, e)) {
      EXPECT_GE(e.line, 1);
      EXPECT_GE(e.column, 1);
      EXPECT_FALSE(e.reason.empty());
    }
  }
}

TEST(GeneratedBody, DeterministicAndPrintable) {
  const std::string a = generated_body(1000);
  EXPECT_EQ(a, generated_body(1000));
  EXPECT_EQ(generated_body(10), a.substr(0, 10));
  for (char c : a) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)));
  EXPECT_NE(a.substr(0, 100), a.substr(100, 100));
}

// The copy from the table of the first 16 KiB and the bytes computed one by one after it
// are the same body, on both sides of the table's end and across it.
TEST(GeneratedBody, CopyAgreesWithEachByteAcrossTheTableEnd) {
  const std::uint64_t table_end = 16 * 1024;
  for (const std::uint64_t first : {std::uint64_t{0}, std::uint64_t{7}, table_end - 5, table_end,
                                    table_end + 3, std::uint64_t{1} << 40}) {
    std::string got(40, '\0');
    copy_generated_body(first, got.data(), got.size());
    for (std::size_t k = 0; k < got.size(); ++k)
      ASSERT_EQ(got[k], generated_body_byte(first + k)) << "byte " << first + k;
  }
  const std::string whole = generated_body(table_end + 100);
  for (std::size_t k = 0; k < whole.size(); ++k)
    ASSERT_EQ(whole[k], generated_body_byte(k)) << "byte " << k;
}

TEST(CompleteHttpRequest, HeadAndContentLength) {
  std::size_t n = 0;
  EXPECT_FALSE(complete_http_request("GET / HTTP/1.1\r\nHost: x\r\n", n));
  EXPECT_TRUE(complete_http_request("GET / HTTP/1.1\r\nHost: x\r\n\r\nGET", n));
  EXPECT_EQ(n, 27u);
  EXPECT_FALSE(complete_http_request("POST / HTTP/1.1\r\ncontent-LENGTH: 3\r\n\r\nab", n));
  EXPECT_TRUE(complete_http_request("POST / HTTP/1.1\r\ncontent-LENGTH: 3\r\n\r\nabcd", n));
  EXPECT_EQ(n, 41u);
}

TEST(CompleteHttpRequest, ChunkedBodyAndExpectContinue) {
  const std::string head = "PUT / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n";
  std::size_t n = 0;
  EXPECT_FALSE(complete_http_request(head, n));
  EXPECT_TRUE(awaits_continue(head));
  EXPECT_FALSE(awaits_continue(head + "3"));  // body bytes arrived: no 100 any more
  EXPECT_FALSE(complete_http_request(head + "3\r\nabc\r\n", n));
  EXPECT_FALSE(complete_http_request(head + "3\r\nabc\r\n0\r\n", n));
  const std::string whole = head + "3\r\nabc\r\nA\r\n0123456789\r\n0\r\n\r\n";
  EXPECT_TRUE(complete_http_request(whole + "GET", n));
  EXPECT_EQ(n, whole.size());
  EXPECT_FALSE(complete_http_request(head + "zz\r\n", n));  // not hex: never complete
  EXPECT_FALSE(awaits_continue("GET / HTTP/1.1\r\nExpect: 100-continue\r\n\r\n"));  // no body
}

}  // namespace
}  // namespace ms::sim

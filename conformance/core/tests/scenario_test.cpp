// SPDX-License-Identifier: MIT
// scenario_test.cpp: scenario files, good and bad, and the writer's round trip.
#include "conformance/scenario.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>

namespace ms::conf {
namespace {

const char* const kGood = R"(# first line of the description
# second line
title a "quoted" title
seed 18446744073709551615
policy spurious-in 0.3
policy late-timers 10ms
world latency 5ms bandwidth 1000 reset 0.25
world dns_delay 2ms
multi max_host_connections 2 max_total_connections 5
multi maxconnects 3
dns a.test 127.0.0.2 ::1 delay 20ms
dns gone.test fail

peer p1 listen 127.0.0.2:80
  accept
  expect request

  # a comment inside the block
  send "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"
  close
peer p6 listen [::1]:8080 latency 1s
  refuse

client
  add a url http://a.test/x timeout_ms 500 connecttimeout_ms 100 low_speed 10 2 post "k=v \"q\"" nobody header "X-A: 1" header "X-B: 2" follow maxredirs 3
  add b url http://b.test:8080/ resolve b.test:8080:[::1]
  add g url http://gone.test/ cainfo test-ca verifypeer 0 verifyhost 0 upload-chunked 10
  at 250ms add c url http://127.0.0.2/
  at 1s remove a
  at 5s end

expect
  clause SA-SPURIOUS IR-ONCE
  clause TM-DEADLINE
  done a result OPERATION_TIMEDOUT
  done b result MSE_COULDNT_CONNECT
  done c result OK body "hi"
  done g result COULDNT_RESOLVE_HOST body-sha256 E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855
  running 0 at end
  violation SC-REMOVE
)";

TEST(Scenario_Parse, ReadsEverySection) {
  Scenario s;
  ScenarioError err;
  ASSERT_TRUE(parse_scenario(kGood, "good.scn", s, err)) << err.to_string();
  EXPECT_EQ(s.multi.max_host_connections, 2);
  EXPECT_EQ(s.multi.max_total_connections, 5);
  EXPECT_EQ(s.multi.maxconnects, 3);
  ASSERT_EQ(s.peers.size(), 2u);
  EXPECT_EQ(s.peers[0].latency_ns, -1);
  EXPECT_EQ(s.peers[1].latency_ns, 1'000'000'000);
  {
    const TransferSpec& g = s.client[2].transfer;
    EXPECT_EQ(g.id, "g");
    EXPECT_EQ(g.cainfo, "test-ca");
    EXPECT_EQ(g.verifypeer, 0);
    EXPECT_EQ(g.verifyhost, 0);
    EXPECT_EQ(g.upload_bytes, 10);
    EXPECT_TRUE(g.upload_chunked);
    EXPECT_EQ(s.client[0].transfer.upload_bytes, -1);
    EXPECT_EQ(s.client[0].transfer.verifypeer, -1);
  }
  EXPECT_EQ(s.description, "first line of the description\nsecond line");
  EXPECT_EQ(s.title, "a \"quoted\" title");
  EXPECT_EQ(s.seed, 18446744073709551615ull);
  ASSERT_EQ(s.policies.size(), 2u);
  EXPECT_EQ(s.policies[0].name, "spurious-in");
  EXPECT_EQ(s.policies[0].args, std::vector<std::string>{"0.3"});
  EXPECT_EQ(s.world.latency_ns, 5000000);
  EXPECT_EQ(s.world.bandwidth_bytes_per_second, 1000);
  EXPECT_EQ(s.world.reset, 0.25);
  EXPECT_EQ(s.world.dns_default_delay_ns, 2000000);
  ASSERT_EQ(s.dns.size(), 2u);
  EXPECT_EQ(s.dns[0].addresses, (std::vector<std::string>{"127.0.0.2", "::1"}));
  EXPECT_EQ(s.dns[0].delay_ns, 20000000);
  EXPECT_TRUE(s.dns[1].fail);
  ASSERT_EQ(s.peers.size(), 2u);
  EXPECT_EQ(s.peers[0].address, "127.0.0.2");
  EXPECT_EQ(s.peers[0].port, 80);
  EXPECT_EQ(s.peers[0].script_first_line, 15);  // after the two `multi` lines
  EXPECT_EQ(s.peers[0].script_text.substr(0, 9), "  accept\n");
  // Parsed once, here: the worlds run the commands, with lines numbered in the file.
  ASSERT_FALSE(s.peers[0].script.commands.empty());
  EXPECT_EQ(s.peers[0].script.commands[0].op, ms::sim::PeerOp::accept);
  EXPECT_EQ(s.peers[0].script.commands[0].line, 15);
  EXPECT_EQ(s.peers[1].address, "::1");
  ASSERT_EQ(s.client.size(), 6u);
  const TransferSpec& a = s.client[0].transfer;
  EXPECT_EQ(a.id, "a");
  EXPECT_EQ(a.timeout_ms, 500);
  EXPECT_EQ(a.connecttimeout_ms, 100);
  EXPECT_EQ(a.low_speed_limit, 10);
  EXPECT_EQ(a.low_speed_time, 2);
  EXPECT_TRUE(a.has_post);
  EXPECT_EQ(a.post, "k=v \"q\"");
  EXPECT_TRUE(a.nobody);
  EXPECT_EQ(a.headers, (std::vector<std::string>{"X-A: 1", "X-B: 2"}));
  EXPECT_TRUE(a.follow);
  EXPECT_EQ(a.maxredirs, 3);
  ASSERT_EQ(s.client[1].transfer.resolve.size(), 1u);
  EXPECT_EQ(s.client[1].transfer.resolve[0].address, "::1");
  EXPECT_EQ(s.client[3].at_ns, 250000000);
  EXPECT_EQ(s.client[4].kind, StepKind::remove);
  EXPECT_EQ(s.client[4].id, "a");
  EXPECT_EQ(s.client[5].kind, StepKind::end);
  EXPECT_EQ(s.client[5].at_ns, 5000000000);
  EXPECT_EQ(s.expect.clauses, (std::vector<std::string>{"SA-SPURIOUS", "IR-ONCE", "TM-DEADLINE"}));
  ASSERT_EQ(s.expect.done.size(), 4u);
  EXPECT_EQ(s.expect.done[0].result, 28);
  EXPECT_EQ(s.expect.done[1].result, 7);
  EXPECT_EQ(s.expect.done[2].body_check, BodyCheck::text);
  EXPECT_EQ(s.expect.done[2].body, "hi");
  EXPECT_EQ(s.expect.done[3].body_sha256.substr(0, 8), "e3b0c442");
  EXPECT_TRUE(s.expect.running_zero_at_end);
  EXPECT_EQ(s.expect.violations, std::vector<std::string>{"SC-REMOVE"});
}

TEST(Scenario_Format, RoundTripsThroughTheParser) {
  Scenario s, back;
  ScenarioError err;
  ASSERT_TRUE(parse_scenario(kGood, "good.scn", s, err)) << err.to_string();
  std::string text = format_scenario(s);
  ASSERT_TRUE(parse_scenario(text, "formatted.scn", back, err)) << err.to_string() << "\n" << text;
  EXPECT_EQ(back.description, s.description);
  EXPECT_EQ(back.title, s.title);
  EXPECT_EQ(back.seed, s.seed);
  EXPECT_EQ(back.world, s.world);
  EXPECT_EQ(back.multi, s.multi);
  ASSERT_EQ(back.policies.size(), s.policies.size());
  for (std::size_t i = 0; i < s.policies.size(); ++i) EXPECT_EQ(back.policies[i].args, s.policies[i].args);
  ASSERT_EQ(back.client.size(), s.client.size());
  for (std::size_t i = 0; i < s.client.size(); ++i) {
    EXPECT_EQ(back.client[i].transfer, s.client[i].transfer) << i;
    EXPECT_EQ(back.client[i].at_ns, s.client[i].at_ns) << i;
    EXPECT_EQ(back.client[i].kind, s.client[i].kind) << i;
  }
  ASSERT_EQ(back.expect.done.size(), s.expect.done.size());
  for (std::size_t i = 0; i < s.expect.done.size(); ++i) {
    ExpectDone x = back.expect.done[i];
    x.line = s.expect.done[i].line;
    EXPECT_EQ(x, s.expect.done[i]);
  }
  EXPECT_EQ(back.expect.clauses, s.expect.clauses);
  ASSERT_EQ(back.peers.size(), s.peers.size());
  EXPECT_EQ(back.peers[0].address, s.peers[0].address);
  EXPECT_EQ(back.peers[1].latency_ns, s.peers[1].latency_ns);
  EXPECT_EQ(format_scenario(back), text);  // the canonical form is a fixed point
}

TEST(Scenario_Choices, ParseRunsAndRoundTrip) {
  Scenario s, back;
  ScenarioError err;
  ASSERT_TRUE(parse_scenario("seed 3\nchoices 0*4 7 1*3\nchoices 18446744073709551615\nclient\n  at 1s end\n",
                             "c.scn", s, err))
      << err.to_string();
  EXPECT_TRUE(s.replay_choices);
  const std::vector<std::uint64_t> want = {0, 0, 0, 0, 7, 1, 1, 1, 18446744073709551615ull};
  EXPECT_EQ(s.choices, want);
  const std::string text = format_scenario(s);
  EXPECT_NE(text.find("choices 0*4 7 1*3 18446744073709551615\n"), std::string::npos) << text;
  ASSERT_TRUE(parse_scenario(text, "again.scn", back, err)) << err.to_string();
  EXPECT_EQ(back.choices, want);
  // An empty record still means "replay": every decision 0.
  ASSERT_TRUE(parse_scenario("choices\nclient\n  at 1s end\n", "e.scn", back, err)) << err.to_string();
  EXPECT_TRUE(back.replay_choices);
  EXPECT_TRUE(back.choices.empty());
  EXPECT_NE(format_scenario(back).find("choices\n"), std::string::npos);
  // Without the line nothing is replayed, and none is written.
  ASSERT_TRUE(parse_scenario("seed 3\nclient\n  at 1s end\n", "n.scn", back, err));
  EXPECT_FALSE(back.replay_choices);
  EXPECT_EQ(format_scenario(back).find("choices"), std::string::npos);
}

TEST(Scenario_Parse, RefusesWhatWouldRunNothingOrHideBytes) {
  Scenario s;
  ScenarioError err;
  EXPECT_FALSE(parse_scenario("", "empty.scn", s, err));
  EXPECT_NE(err.to_string().find("no \"client\" block"), std::string::npos) << err.to_string();
  EXPECT_FALSE(parse_scenario("# only a comment\n", "c.scn", s, err));
  EXPECT_NE(err.to_string().find("no \"client\" block"), std::string::npos) << err.to_string();
  EXPECT_FALSE(parse_scenario("seed 1\npolicy spurious-in 1e308\nclient\n  at 1s end\n", "p.scn", s, err));
  EXPECT_EQ(err.to_string(), "p.scn:2:20: policy spurious-in: probability must be a number in [0, 1], not \"1e308\"");
  EXPECT_FALSE(parse_scenario("seed 1\npolicy spurious-in nan\nclient\n  at 1s end\n", "n.scn", s, err));
  EXPECT_NE(err.to_string().find("not \"nan\""), std::string::npos) << err.to_string();
  EXPECT_FALSE(parse_scenario("seed 1\nclient\n\tat 1s end\n", "t.scn", s, err));
  EXPECT_EQ(err.to_string(), "t.scn:3:1: a tab in the indentation (indent with spaces)");
  EXPECT_FALSE(parse_scenario(std::string("seed 1\n\0client\nclient\n  at 1s end\n", 34), "z.scn", s, err));
  EXPECT_EQ(err.to_string(), "z.scn:2:1: a NUL byte");
}

TEST(Scenario_Load, RefusesDirectoriesDevicesAndHugeFiles) {
  Scenario s;
  ScenarioError err;
  EXPECT_FALSE(load_scenario("/tmp", s, err));
  EXPECT_NE(err.to_string().find("a directory, not a file"), std::string::npos) << err.to_string();
  EXPECT_FALSE(load_scenario("/dev/zero", s, err));
  EXPECT_NE(err.to_string().find("not a regular file"), std::string::npos) << err.to_string();
  EXPECT_FALSE(load_scenario("/nonexistent/x.scn", s, err));
  EXPECT_NE(err.to_string().find("cannot open"), std::string::npos) << err.to_string();
}

TEST(Scenario_Choices, LongRecordsWrapAt16Items) {
  Scenario s;
  s.replay_choices = true;
  for (std::uint64_t i = 0; i < 40; ++i) s.choices.push_back(i);
  const std::string text = format_scenario(s);
  Scenario back;
  ScenarioError err;
  ASSERT_TRUE(parse_scenario(text, "w.scn", back, err)) << err.to_string();
  EXPECT_EQ(back.choices, s.choices);
  std::size_t lines = 0;
  for (std::size_t at = text.find("choices"); at != std::string::npos;
       at = text.find("choices", at + 1))
    ++lines;
  EXPECT_EQ(lines, 3u);
}

struct BadCase {
  const char* name;
  const char* text;
  int line;
  int column;
  const char* reason;  // a piece of the reason
};

// A valid peer and client to which each case adds one fault.
#define PEER "peer p listen 127.0.0.1:80\n  refuse\n"
#define CLIENT "client\n  add a url http://127.0.0.1/\n"

class ScenarioBad : public ::testing::TestWithParam<BadCase> {};

TEST_P(ScenarioBad, IsRejectedAtTheFaultyToken) {
  const BadCase& b = GetParam();
  Scenario s;
  ScenarioError err;
  EXPECT_FALSE(parse_scenario(b.text, "bad.scn", s, err));
  EXPECT_EQ(err.file, "bad.scn");
  EXPECT_EQ(err.line, b.line) << err.to_string();
  EXPECT_EQ(err.column, b.column) << err.to_string();
  EXPECT_NE(err.reason.find(b.reason), std::string::npos) << err.to_string();
  EXPECT_EQ(err.to_string().rfind("bad.scn:" + std::to_string(b.line) + ":", 0), 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Table, ScenarioBad,
    ::testing::Values(
        BadCase{"unknown_keyword", "seed 1\nfrobnicate 2\n", 2, 1, "unknown keyword \"frobnicate\""},
        BadCase{"bad_seed", "seed 12x\n", 1, 6, "bad seed"},
        BadCase{"seed_overflow", "seed 18446744073709551616\n", 1, 6, "above 2^64"},
        BadCase{"second_seed", "seed 1\nseed 2\n", 2, 1, "second seed"},
        BadCase{"mutant_without_name", "seed 1\npolicy mutant\n", 2, 8, "policy mutant takes one mutant name"},
        BadCase{"mutant_two_names", "seed 1\npolicy mutant a b\n", 2, 8, "policy mutant takes one mutant name"},
        BadCase{"seed_extra", "seed 1 2\n", 1, 8, "unexpected \"2\""},
        BadCase{"indented_outside", "  accept\nseed 1\n", 1, 1, "outside a block"},
        BadCase{"indented_after_header", "canary\n  accept\n", 2, 1, "opens no block"},
        BadCase{"tab", "seed\t1\n", 1, 5, "tab"},
        BadCase{"bad_probability", "world reset 1.5\n", 1, 13, "above 1"},
        BadCase{"bad_world_key", "world jitter 5ms\n", 1, 7, "unknown world setting"},
        BadCase{"world_missing_value", "world latency\n", 1, 14, "missing world setting and value"},
        BadCase{"duration_no_unit", "world latency 5\n", 1, 15, "needs a unit"},
        BadCase{"duration_bad_unit", "world latency 5min\n", 1, 16, "unknown time unit"},
        BadCase{"dns_outside_loopback", "dns x.test 10.0.0.1\n", 1, 12, "outside loopback"},
        BadCase{"dns_duplicate", "dns x.test 127.0.0.1\ndns x.test 127.0.0.2\n", 2, 5, "duplicate dns"},
        BadCase{"dns_no_address", "dns x.test\n", 1, 5, "without an address"},
        BadCase{"peer_outside_loopback", "peer p listen 192.168.1.1:80\n  refuse\n", 1, 15, "outside loopback"},
        BadCase{"peer_bad_port", "peer p listen 127.0.0.1:99999\n  refuse\n", 1, 25, "bad port"},
        BadCase{"peer_no_listen", "peer p on 127.0.0.1:80\n  refuse\n", 1, 8, "expected \"listen\""},
        BadCase{"peer_no_block", "peer p listen 127.0.0.1:80\nseed 1\n", 1, 1, "no script block"},
        BadCase{"peer_duplicate", PEER "peer p listen 127.0.0.2:80\n  refuse\n", 3, 6, "duplicate peer"},
        BadCase{"peer_same_port", PEER "peer q listen 127.0.0.1:80\n  refuse\n", 3, 15, "already listens"},
        BadCase{"client_unknown_verb", PEER "client\n  fetch a\n", 4, 3, "unknown client keyword"},
        BadCase{"client_duplicate_id", PEER CLIENT "  add a url http://127.0.0.1/2\n", 5, 7, "duplicate transfer id"},
        BadCase{"client_remove_unknown", PEER CLIENT "  at 1s remove zz\n", 5, 16, "unknown transfer"},
        BadCase{"client_bad_number", PEER "client\n  add a url http://127.0.0.1/ timeout_ms 5x\n", 4, 42, "bad number"},
        BadCase{"client_missing_value", PEER "client\n  add a url http://127.0.0.1/ maxredirs\n", 4, 40, "missing maxredirs"},
        BadCase{"client_unknown_option", PEER "client\n  add a url http://127.0.0.1/ verbose\n", 4, 31, "unknown transfer option"},
        BadCase{"client_bad_scheme", PEER "client\n  add a url ftp://127.0.0.1/\n", 4, 13, "http:// or https://"},
        BadCase{"client_url_outside_loopback", PEER "client\n  add a url http://8.8.8.8/\n", 4, 13, "outside loopback"},
        BadCase{"client_unknown_host", PEER "client\n  add a url http://x.test/\n", 4, 13, "unknown host"},
        BadCase{"client_missing_peer", PEER "client\n  add a url http://127.0.0.1:81/\n", 4, 13, "missing peer"},
        BadCase{"client_resolve_outside", PEER "client\n  add a url http://x.test/ resolve x.test:80:1.2.3.4\n", 4, 46, "outside loopback"},
        BadCase{"client_time_backwards", PEER "client\n  at 2s add a url http://127.0.0.1/\n  at 1s add b url http://127.0.0.1/\n", 5, 6, "backwards"},
        BadCase{"client_end_twice", PEER CLIENT "  at 1s end\n  at 2s end\n", 6, 9, "second end"},
        BadCase{"client_end_without_time", PEER CLIENT "  end\n", 5, 3, "needs a time"},
        BadCase{"client_twice", PEER CLIENT "client\n", 5, 1, "second \"client\" block"},
        BadCase{"unterminated_string", PEER "client\n  add a url http://127.0.0.1/ post \"abc\n", 4, 36, "unterminated string"},
        BadCase{"bad_escape", PEER "client\n  add a url http://127.0.0.1/ post \"a\\qb\"\n", 4, 38, "unknown escape"},
        BadCase{"expect_unknown_clause", PEER CLIENT "expect\n  clause SA-MASK XX-NOPE\n", 6, 18, "unknown clause"},
        BadCase{"expect_unknown_result", PEER CLIENT "expect\n  done a result FINE\n", 6, 17, "unknown result code"},
        BadCase{"expect_unknown_id", PEER CLIENT "expect\n  done zz result OK\n", 6, 8, "unknown transfer"},
        BadCase{"expect_body_unquoted", PEER CLIENT "expect\n  done a result OK body hi\n", 6, 25, "must be quoted"},
        BadCase{"expect_bad_sha", PEER CLIENT "expect\n  done a result OK body-sha256 abc\n", 6, 32, "64 hex"},
        BadCase{"expect_running", PEER CLIENT "expect\n  running 1 at end\n", 6, 11, "running 0 at end"},
        BadCase{"expect_unknown_keyword", PEER CLIENT "expect\n  finish a\n", 6, 3, "unknown expect keyword"},
        BadCase{"if_no_implementation", PEER CLIENT "expect\n  done a result OK\n  done a result OK if\n", 7, 22, "missing implementation name"},
        BadCase{"if_range_as_implementation", PEER CLIENT "expect\n  done a result OK\n  done a result OK if >=8.0.0\n", 7, 23, "expected an implementation name"},
        BadCase{"if_no_range", PEER CLIENT "expect\n  done a result OK\n  done a result OK if libcurl\n", 7, 30, "missing version range"},
        BadCase{"if_bad_version", PEER CLIENT "expect\n  done a result OK\n  done a result OK if libcurl >=8.x\n", 7, 31, "not a version"},
        BadCase{"if_no_comparison", PEER CLIENT "expect\n  done a result OK\n  done a result OK if libcurl >=7.0.0 8.0.0\n", 7, 39, "expected a comparison"},
        BadCase{"if_quoted_range", PEER CLIENT "expect\n  done a result OK\n  done a result OK if libcurl \">=8.0.0\"\n", 7, 31, "not quoted"},
        BadCase{"if_any_and_bound", PEER CLIENT "expect\n  done a result OK\n  done a result OK if libcurl any >=8.0.0\n", 7, 31, "expected a comparison"},
        BadCase{"if_overlap", PEER CLIENT "expect\n  done a result OK\n  done a result OK if libcurl >=8.0.0\n  done a result GOT_NOTHING if libcurl >7.88.1 <8.0.1\n", 8, 40, "overlaps line 7"},
        BadCase{"if_without_plain_line", PEER CLIENT "expect\n  done a result OK if libcurl >=8.0.0\n", 6, 20, "none without"},
        BadCase{"if_two_plain_lines", PEER CLIENT "expect\n  done a result OK\n  done a result OK\n", 7, 8, "without \"if\" (first at line 6)"},
        BadCase{"if_after_extra_word", PEER CLIENT "expect\n  done a result OK body \"x\" when libcurl\n", 6, 29, "a condition starts with \"if\""},
        BadCase{"client_cainfo_path", PEER "client\n  add a url http://127.0.0.1/ cainfo /etc/ca.pem\n", 4, 38, "test-ca"},
        BadCase{"client_upload_size", PEER "client\n  add a url http://127.0.0.1/ upload 4M\n", 4, 38, "bad number"},
        BadCase{"multi_unknown", "multi pipelines 1\n", 1, 7, "unknown multi option"},
        BadCase{"multi_missing_value", "multi maxconnects\n", 1, 18, "missing"},
        BadCase{"peer_bad_latency", "peer p listen 127.0.0.1:80 latency 5\n  refuse\n", 1, 36, "needs a unit"},
        BadCase{"choices_word", "choices 0 1 x\n", 1, 13, "bad choice"},
        BadCase{"choices_negative", "choices -1\n", 1, 9, "bad choice"},
        BadCase{"choices_zero_count", "choices 0 3*0\n", 1, 11, "repeated 0 times"},
        BadCase{"choices_bad_count", "choices 3*\n", 1, 9, "bad choice"},
        BadCase{"choices_overflow", "choices 18446744073709551616\n", 1, 9, "above 2^64"},
        BadCase{"choices_too_many", "choices 0*999999\nchoices 1*2\n", 2, 9, "more than 1000000"}),
    [](const ::testing::TestParamInfo<BadCase>& i) { return std::string(i.param.name); });

TEST(Scenario_PeerScript, ErrorsPointIntoTheScenarioFile) {
  Scenario s;
  ScenarioError err;
  EXPECT_FALSE(parse_scenario("seed 1\npeer p listen 127.0.0.1:80\n  accept\n  dance\n", "p.scn", s, err));
  EXPECT_EQ(err.line, 4) << err.to_string();
  EXPECT_EQ(err.column, 3) << err.to_string();
  EXPECT_NE(err.reason.find("peer \"p\""), std::string::npos) << err.to_string();
}

// Bad input never crashes: every prefix and every single-byte corruption of a good file
// either parses or fails with a position inside the text.
TEST(Scenario_Robustness, TruncatedAndCorruptedFilesFailCleanly) {
  const std::string good = kGood;
  auto lines = static_cast<int>(std::count(good.begin(), good.end(), '\n')) + 1;
  for (std::size_t n = 0; n <= good.size(); ++n) {
    Scenario s;
    ScenarioError err;
    if (!parse_scenario(good.substr(0, n), "cut.scn", s, err)) {
      EXPECT_GE(err.line, 1) << n << " " << err.to_string();
      EXPECT_LE(err.line, lines) << n << " " << err.to_string();
    }
  }
  const char kBytes[] = {'\0', '"', '\\', ' ', '\t', '#', ':', '9', '\xff'};
  for (std::size_t i = 0; i < good.size(); i += 3) {
    for (char b : kBytes) {
      std::string bad = good;
      bad[i] = b;
      Scenario s;
      ScenarioError err;
      if (!parse_scenario(bad, "bad.scn", s, err)) {
        EXPECT_GE(err.line, 1) << i << " " << err.to_string();
      }
    }
  }
  Scenario s;
  ScenarioError err;
  EXPECT_FALSE(parse_scenario("world latency 99999999999s\n", "big.scn", s, err));
  EXPECT_NE(err.reason.find("too large"), std::string::npos) << err.to_string();
}

TEST(Scenario_Codes, NamesWithAndWithoutPrefix) {
  int c = -1;
  EXPECT_TRUE(easy_code_from_name("OK", c));
  EXPECT_EQ(c, 0);
  EXPECT_TRUE(easy_code_from_name("MSE_RECV_ERROR", c));
  EXPECT_EQ(c, 56);
  EXPECT_FALSE(easy_code_from_name("MSE_", c));
  EXPECT_FALSE(easy_code_from_name("", c));
  EXPECT_EQ(easy_code_short_name(28), "OPERATION_TIMEDOUT");
  EXPECT_EQ(easy_code_short_name(999), "999");
  // Codes of libcurl releases after 7.88, beyond the engine's table.
  EXPECT_TRUE(easy_code_from_name("TOO_LARGE", c));
  EXPECT_EQ(c, 100);
  EXPECT_TRUE(easy_code_from_name("MSE_ECH_REQUIRED", c));
  EXPECT_EQ(c, 101);
  EXPECT_EQ(easy_code_short_name(100), "TOO_LARGE");
  EXPECT_EQ(easy_code_short_name(101), "ECH_REQUIRED");
  EXPECT_EQ(easy_code_short_name(102), "102");
}

const char* const kByVersion = R"(title expectations by version
peer p listen 127.0.0.1:80
  accept
  expect request
  send "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"
  close

client
  add a url http://127.0.0.1/
  add b url http://127.0.0.1/

expect
  done a result RECV_ERROR|OUT_OF_MEMORY body-bytes 0
  done a result TOO_LARGE if libcurl >=8.6.0  # comment
  done a result MSE_OUT_OF_MEMORY if libcurl >=7.0.0,<7.50.0
  done a result ECH_REQUIRED if multisock >=9.0.0
  done b result OK body "hi"
)";

TEST(Scenario_ByVersion, ConditionsParseAndRoundTrip) {
  Scenario s;
  ScenarioError err;
  ASSERT_TRUE(parse_scenario(kByVersion, "v.scn", s, err)) << err.to_string();
  ASSERT_EQ(s.expect.done.size(), 5u);
  EXPECT_FALSE(s.expect.done[0].condition.has_value());
  ASSERT_TRUE(s.expect.done[1].condition.has_value());
  EXPECT_EQ(s.expect.done[1].condition->implementation, "libcurl");
  EXPECT_EQ(s.expect.done[1].condition->range.to_string(), ">=8.6.0");
  EXPECT_EQ(s.expect.done[1].result, 100);
  EXPECT_EQ(s.expect.done[2].condition->range.to_string(), ">=7.0.0 <7.50.0");
  EXPECT_EQ(s.expect.done[3].result, 101);
  const std::string text = format_scenario(s);
  EXPECT_NE(text.find("done a result TOO_LARGE if libcurl >=8.6.0\n"), std::string::npos) << text;
  Scenario back;
  ASSERT_TRUE(parse_scenario(text, "back.scn", back, err)) << err.to_string() << "\n" << text;
  ASSERT_EQ(back.expect.done.size(), s.expect.done.size());
  for (std::size_t i = 0; i < s.expect.done.size(); ++i) {
    ExpectDone x = back.expect.done[i];
    x.line = s.expect.done[i].line;
    EXPECT_EQ(x, s.expect.done[i]) << i;
  }
}

std::vector<int> results_for(const Scenario& s, const char* id, ImplementationVersion target) {
  std::vector<int> out;
  for (const ExpectDone* d : applicable_done(s.expect, id, target)) out.push_back(d->result);
  return out;
}

TEST(Scenario_ByVersion, OneLineAppliesToAKnownTargetEveryCandidateToAnUnknownOne) {
  Scenario s;
  ScenarioError err;
  ASSERT_TRUE(parse_scenario(kByVersion, "v.scn", s, err)) << err.to_string();
  const int plain = 56, large = 100, oom = 27, ech = 101;
  EXPECT_EQ(results_for(s, "a", parse_implementation_version("libcurl/8.14.1 OpenSSL/3.5.1")),
            std::vector<int>{large});
  EXPECT_EQ(results_for(s, "a", parse_implementation_version("libcurl/8.6.0")), std::vector<int>{large});
  EXPECT_EQ(results_for(s, "a", parse_implementation_version("libcurl/8.5.0")), std::vector<int>{plain});
  EXPECT_EQ(results_for(s, "a", parse_implementation_version("libcurl/7.49.9")), std::vector<int>{oom});
  // Another implementation never meets a libcurl line, whatever its version.
  EXPECT_EQ(results_for(s, "a", parse_implementation_version("multisock 0.1.0")), std::vector<int>{plain});
  EXPECT_EQ(results_for(s, "a", parse_implementation_version("multisock 9.1.0")), std::vector<int>{ech});
  // Unknown version: the plain line and every line of that implementation.
  EXPECT_EQ(results_for(s, "a", ImplementationVersion{"libcurl", std::nullopt}),
            (std::vector<int>{plain, large, oom}));
  // Unknown implementation: every line whose range holds the version.
  EXPECT_EQ(results_for(s, "a", parse_implementation_version("8.14.1")), (std::vector<int>{plain, large}));
  EXPECT_EQ(results_for(s, "a", ImplementationVersion{}), (std::vector<int>{plain, large, oom, ech}));
  EXPECT_EQ(results_for(s, "b", parse_implementation_version("libcurl/8.14.1")), std::vector<int>{0});
  EXPECT_TRUE(results_for(s, "zz", ImplementationVersion{}).empty());
}

TEST(Scenario_Files, ExamplesParse) {
  int n = 0;
  for (const auto& entry : std::filesystem::directory_iterator(MS_SCENARIO_DIR)) {
    if (entry.path().extension() != ".scn") continue;
    ++n;
    Scenario s;
    ScenarioError err;
    EXPECT_TRUE(load_scenario(entry.path().string(), s, err)) << err.to_string();
    EXPECT_FALSE(s.title.empty()) << entry.path();
    Scenario again;
    EXPECT_TRUE(parse_scenario(format_scenario(s), "again", again, err)) << err.to_string();
  }
  EXPECT_GE(n, 5);
}

TEST(Scenario_Files, MissingFileIsAnError) {
  Scenario s;
  ScenarioError err;
  EXPECT_FALSE(load_scenario("/nonexistent/x.scn", s, err));
  EXPECT_NE(err.reason.find("cannot open"), std::string::npos);
}

}  // namespace
}  // namespace ms::conf

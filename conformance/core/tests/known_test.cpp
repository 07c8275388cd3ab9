// SPDX-License-Identifier: MIT
#include "conformance/known.hpp"

#include <gtest/gtest.h>

using namespace ms::conf;

namespace {

const char* kGood = R"(# libcurl 7.88: measured deviations
implementation libcurl
versions >=7.88.0 <8.0.0
edition 7.88
title libcurl 7.88.x

deviation SC-REMOVE
  scenario abort_from_socket_callback recovery_after_error
  reason "closes a socket still connecting before REMOVE"
  evidence abort_from_socket_callback

deviation expect
  scenario upload_expect_timeout
  match "done short"
  reason waits for 100-continue differently
  evidence upload_expect_timeout
)";

Violation v(const std::string& clause, const std::string& msg = "m") {
  Violation x;
  x.clause = clause;
  x.message = msg;
  return x;
}

}  // namespace

TEST(Known, ParsesAFile) {
  KnownDeviations k;
  std::string err;
  ASSERT_TRUE(KnownDeviations::parse(kGood, "a.known", k, err)) << err;
  EXPECT_EQ(k.implementation, "libcurl");
  EXPECT_EQ(k.versions.to_string(), ">=7.88.0 <8.0.0");
  ASSERT_TRUE(k.edition);
  EXPECT_EQ(*k.edition, Edition::e7_88);
  ASSERT_EQ(k.entries.size(), 2u);
  EXPECT_EQ(k.entries[0].clause, "SC-REMOVE");
  EXPECT_EQ(k.entries[0].line, 7u);
  EXPECT_EQ(k.entries[0].scenarios.size(), 2u);
  EXPECT_EQ(k.entries[0].reason, "closes a socket still connecting before REMOVE");
  EXPECT_EQ(k.entries[1].match, "done short");
}

TEST(Known, CoversOnlyWhatAnEntryNames) {
  KnownDeviations k;
  std::string err;
  ASSERT_TRUE(KnownDeviations::parse(kGood, "a.known", k, err)) << err;
  std::vector<Violation> vs = {v("SC-REMOVE"), v("SC-CHANGES"), v("EXPECT", "done short: x"),
                               v("EXPECT", "done long: x")};
  k.cover("recovery_after_error", "libcurl/7.88.1", vs);
  EXPECT_EQ(vs[0].known, "a.known:7: closes a socket still connecting before REMOVE");
  EXPECT_EQ(vs[1].known, "");
  EXPECT_EQ(vs[2].known, "");  // wrong scenario for the expect entry
  std::vector<Violation> ws = {v("SC-REMOVE"), v("EXPECT", "done short: x"),
                               v("EXPECT", "done long: x")};
  k.cover("upload_expect_timeout", "libcurl/7.88.1", ws);
  EXPECT_EQ(ws[0].known, "");  // SC-REMOVE is limited to two other scenarios
  EXPECT_NE(ws[1].known, "");
  EXPECT_EQ(ws[2].known, "");  // match text absent
  EXPECT_EQ(k.entries[0].matched, 1u);
  EXPECT_EQ(k.entries[1].matched, 1u);
}

TEST(Known, BuildLimitsAnEntryToOneBuild) {
  KnownDeviations k;
  std::string err;
  ASSERT_TRUE(KnownDeviations::parse("implementation libcurl\nversions any\n"
                                     "deviation expect\n  build NSS/\n  reason r\n  evidence e\n",
                                     "b.known", k, err))
      << err;
  EXPECT_EQ(k.entries[0].build, "NSS/");
  std::vector<Violation> openssl = {v("EXPECT")}, nss = {v("EXPECT")};
  k.cover("e", "libcurl/7.88.1 OpenSSL/3.0.19", openssl);
  k.cover("e", "libcurl/7.88.1 NSS/3.87", nss);
  EXPECT_EQ(openssl[0].known, "");
  EXPECT_EQ(nss[0].known, "b.known:3: r");
}

TEST(Known, AppliesToItsImplementationAndRangeOnly) {
  KnownDeviations k;
  std::string err, why;
  ASSERT_TRUE(KnownDeviations::parse(kGood, "a.known", k, err)) << err;
  EXPECT_TRUE(k.applies_to(parse_implementation_version("libcurl/7.88.1 OpenSSL/3"), why));
  EXPECT_FALSE(k.applies_to(parse_implementation_version("libcurl/8.14.1"), why));
  EXPECT_NE(why.find("libcurl/8.14.1"), std::string::npos);
  EXPECT_FALSE(k.applies_to(parse_implementation_version("multisock 0.1.0"), why));
  EXPECT_NE(why.find("multisock"), std::string::npos);
}

TEST(Known, BadFilesSayWhereAndWhy) {
  struct Case {
    std::string text;
    const char* error;
  } cases[] = {
      {"versions any\n", "x.known:1:1: no `implementation` line"},
      {"implementation libcurl\n", "x.known:1:1: no `versions` line"},
      {"implementation libcurl\nversions ~7\n", "x.known:2:10: version range '~7'"},
      {"implementation libcurl\nversions any\ndeviation SC-NOPE\n",
       "x.known:3:11: unknown clause 'SC-NOPE'"},
      {"implementation libcurl\nversions any\ndeviation SC-REMOVE\n  evidence x\n",
       "x.known:3:1: deviation SC-REMOVE has no `reason` line"},
      {"implementation libcurl\nversions any\ndeviation SC-REMOVE\n  reason r\n",
       "x.known:3:1: deviation SC-REMOVE has no `evidence` line"},
      {"implementation libcurl\nversions any\n  reason r\n",
       "x.known:3:3: indented line outside a deviation"},
      {"implementation libcurl\nversions any\ndeviation SC-REMOVE\n\treason r\n",
       "x.known:4:1: tab character"},
      {"implementation libcurl\nversions any\ndeviation SC-REMOVE\n  reason \"r\n",
       "x.known:4:10: unterminated string (missing closing quote)"},
      {"implementation libcurl\nversions any\nedition 9\n", "x.known:3:9: unknown edition '9'"},
      {"implementation libcurl\nversions any\nfrobnicate\n", "x.known:3:1: unknown line"},
      {"implementation libcurl\nversions any\ndeviation SC-REMOVE\n  colour red\n",
       "x.known:4:3: unknown entry line 'colour'"},
      {std::string("implementation libcurl\n\0x\n", 26), "x.known:2:1: NUL byte"},
  };
  for (auto& c : cases) {
    KnownDeviations k;
    std::string err;
    EXPECT_FALSE(KnownDeviations::parse(c.text, "x.known", k, err)) << c.text;
    EXPECT_EQ(err.rfind(c.error, 0), 0u) << "got: " << err;
  }
  KnownDeviations k;
  std::string err;
  EXPECT_FALSE(KnownDeviations::load("/nonexistent/x.known", k, err));
  EXPECT_NE(err.find("cannot read"), std::string::npos);
  EXPECT_FALSE(KnownDeviations::load("/", k, err));  // a directory is not a file
}

TEST(Known, AGeneratedHistoryIsNamedByItsKind) {
  // The property suite's histories are `property`, or `property_h2` with an HTTP/2 peer, in
  // the suite and in the file written from them (its description says where it comes from).
  Scenario sc;
  sc.description = std::string(Scenario::kGeneratedHistory) + " (conformance/property): 2 transfers";
  PeerSpec h1, h2;
  ms::sim::ScriptError err;
  ASSERT_TRUE(h1.set_script("accept\nexpect request\nsend body 5\nclose", 1, err)) << err.reason;
  ASSERT_TRUE(h2.set_script("accept\nh2\nserve body 5", 1, err)) << err.reason;
  sc.peers = {h1};
  EXPECT_EQ(known_run_name(sc, "property-17"), "property");
  sc.peers = {h1, h2};
  EXPECT_EQ(known_run_name(sc, "property-17"), "property_h2");
  sc.description = "A scenario written by hand, which mentions the property suite";
  EXPECT_EQ(known_run_name(sc, "h2_tls_alpn"), "h2_tls_alpn");

  // An entry names the kind: a history is covered whatever its seed.
  KnownDeviations k;
  std::string error;
  ASSERT_TRUE(KnownDeviations::parse("implementation libcurl\nversions any\ndeviation SC-CHANGES\n"
                                     "  scenario property_h2\n  reason r\n  evidence property-17\n",
                                     "k.known", k, error))
      << error;
  std::vector<Violation> seen = {v("SC-CHANGES")};
  sc.description = std::string(Scenario::kGeneratedHistory) + ": 2 transfers";
  k.cover(known_run_name(sc, "property-17"), "libcurl/7.88.1", seen);
  EXPECT_FALSE(seen[0].known.empty());
  std::vector<Violation> plain = {v("SC-CHANGES")};
  sc.peers = {h1};
  k.cover(known_run_name(sc, "property-18"), "libcurl/7.88.1", plain);
  EXPECT_TRUE(plain[0].known.empty());
}

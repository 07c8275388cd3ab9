// clauses_test.cpp: the catalogue is complete, unique, sourced, and profiles are right.
#include "conformance/clauses.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace ms::conf {
namespace {

TEST(Clauses_Catalogue, IdsAreUniqueAndPrefixedByTheirGroup) {
  std::set<std::string_view> ids;
  ASSERT_EQ(all_clauses().size(), kClauseCount);
  for (const Clause& c : all_clauses()) {
    EXPECT_TRUE(ids.insert(c.id).second) << "duplicate " << c.id;
    std::string prefix = std::string(to_string(c.group)) + "-";
    EXPECT_EQ(c.id.substr(0, prefix.size()), prefix) << c.id;
    EXPECT_FALSE(c.statement.empty()) << c.id;
    EXPECT_FALSE(c.source.empty()) << c.id;
    EXPECT_FALSE(c.quote.empty()) << c.id;
    EXPECT_EQ(&clause(c.key), &c) << c.id;
  }
}

TEST(Clauses_Catalogue, HoldsDesignStartingList) {
  for (const char* id :
       {"SA-MASK", "SA-ZERO", "SA-KICK", "SA-RUNNING", "SA-ZERO-DONE", "SA-DECREASE",
        "SA-SPURIOUS", "SA-ERR", "SA-AFTER-ERROR", "SC-ACTION", "SC-CHANGES", "SC-REMOVE",
        "SC-SOCKETP", "SC-USERP", "SC-INSIDE", "SC-LIVENESS", "TM-VALUE", "TM-CHANGES",
        "TM-DELETE", "TM-AGREE", "TM-DEADLINE", "IR-ONCE", "IR-QUEUE", "IR-REMOVED",
        "AS-UNKNOWN", "ER-CODES", "ER-NO-CRASH", "ER-ABORT", "DP-SOCKET", "LG-CALL-AGAIN",
        "DT-REPLAY"}) {
    EXPECT_NE(find_clause(id), nullptr) << id;
  }
  EXPECT_EQ(find_clause("XX-NOPE"), nullptr);
  EXPECT_EQ(find_clause(""), nullptr);
}

TEST(Clauses_Catalogue, SeedSourcesNameExistingSeedFiles) {
  const std::set<std::string_view> seeds = {"000_62fc22cb647ed7af.txt", "001_7726f890f53e2c0f.txt",
                                            "002_cdb8062b33739ee6.txt", "003_b22503bc22418a88.txt",
                                            "004_91a3e48bf52918ff.txt"};
  for (const Clause& c : all_clauses()) {
    if (c.source.ends_with(".txt")) {
      EXPECT_TRUE(seeds.count(c.source)) << c.id << " " << c.source;
    }
  }
}

TEST(Clauses_Profiles, MembershipFollowsSeverityAndLegacy) {
  for (const Clause& c : all_clauses()) {
    bool documented = in_profile(c, Profile::documented);
    bool curl = in_profile(c, Profile::libcurl_7_88);
    bool legacy = in_profile(c, Profile::legacy_7_16);
    if (c.severity == Severity::observed) {
      EXPECT_FALSE(documented) << c.id;
      EXPECT_FALSE(legacy) << c.id;
      EXPECT_TRUE(curl) << c.id;
    } else if (c.id == "LG-CALL-AGAIN") {
      EXPECT_FALSE(documented);
      EXPECT_FALSE(curl);
      EXPECT_TRUE(legacy);
    } else {
      EXPECT_TRUE(documented) << c.id;
      EXPECT_TRUE(legacy) << c.id;
      bool excluded = false;
      for (const ProfileExclusion& x : profile_exclusions())
        excluded = excluded || (x.profile == Profile::libcurl_7_88 && x.clause_id == c.id);
      EXPECT_EQ(curl, !excluded) << c.id;
    }
  }
  // Every exclusion names a real clause of the documented profile and gives its reason.
  for (const ProfileExclusion& x : profile_exclusions()) {
    const Clause* c = find_clause(x.clause_id);
    ASSERT_NE(c, nullptr) << x.clause_id;
    EXPECT_TRUE(in_profile(*c, Profile::documented)) << x.clause_id;
    EXPECT_FALSE(in_profile(*c, x.profile)) << x.clause_id;
    EXPECT_GT(x.reason.size(), 20u) << x.clause_id;
  }
}

TEST(Clauses_Profiles, NamesRoundTrip) {
  for (Profile p : {Profile::documented, Profile::libcurl_7_88, Profile::legacy_7_16}) {
    Profile q = Profile::documented;
    ASSERT_TRUE(profile_from_string(to_string(p), q));
    EXPECT_EQ(p, q);
  }
  Profile q;
  EXPECT_FALSE(profile_from_string("libcurl-8", q));
  EXPECT_STREQ(to_string(Severity::observed), "OBSERVED");
}

}  // namespace
}  // namespace ms::conf

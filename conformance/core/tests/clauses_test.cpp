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

TEST(Clauses_Editions, EveryClauseIsStatedSomewhereAndLegacyOnlyIn716) {
  for (const Clause& c : all_clauses()) {
    bool somewhere = false;
    for (Edition e : kEditions) somewhere = somewhere || in_edition(c, e);
    EXPECT_TRUE(somewhere) << c.id;
  }
  const Clause* legacy = find_clause("LG-CALL-AGAIN");
  ASSERT_NE(legacy, nullptr);
  EXPECT_TRUE(in_edition(*legacy, Edition::e7_16));
  EXPECT_FALSE(in_edition(*legacy, Edition::e7_88));
  EXPECT_FALSE(in_edition(*legacy, Edition::e8));
  // Pausing came after 7.16.0.
  EXPECT_FALSE(in_edition(*find_clause("PA-SILENT"), Edition::e7_16));
  EXPECT_TRUE(in_edition(*find_clause("PA-SILENT"), Edition::e8));
}

TEST(Clauses_Editions, TextFallsBackToTheCatalogue) {
  for (const Clause& c : all_clauses())
    for (Edition e : kEditions)
      if (auto t = clause_in(c, e)) {
        EXPECT_FALSE(t->statement.empty()) << c.id;
        EXPECT_FALSE(t->source.empty()) << c.id;
        EXPECT_FALSE(t->quote.empty()) << c.id;
      }
}

TEST(Clauses_Editions, NamesRoundTripAndVersionsChooseAnEdition) {
  for (Edition e : kEditions) {
    Edition back = Edition::e8;
    ASSERT_TRUE(edition_from_string(to_string(e), back));
    EXPECT_EQ(e, back);
  }
  Edition e;
  EXPECT_TRUE(edition_from_string("7.88.1", e));
  EXPECT_EQ(e, Edition::e7_88);
  EXPECT_FALSE(edition_from_string("documented", e));
  EXPECT_EQ(edition_for("libcurl", Version{7, 16, 4}), Edition::e7_16);
  EXPECT_EQ(edition_for("libcurl", Version{7, 20, 0}), Edition::e7_88);
  EXPECT_EQ(edition_for("libcurl", Version{7, 88, 1}), Edition::e7_88);
  EXPECT_EQ(edition_for("libcurl", Version{8, 0, 0}), Edition::e8);
  EXPECT_EQ(edition_for("libcurl", Version{8, 14, 1}), Edition::e8);
  EXPECT_EQ(edition_for("libcurl", std::nullopt), kNewestEdition);
  EXPECT_EQ(edition_for("multisock", Version{0, 1, 0}), kNewestEdition);
  EXPECT_STREQ(to_string(Severity::observed), "OBSERVED");
}

}  // namespace
}  // namespace ms::conf

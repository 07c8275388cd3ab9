// SPDX-License-Identifier: MIT
// clauses_test.cpp: the catalogue is complete, unique, sourced, and profiles are right.
#include "conformance/clauses.hpp"
#include "conformance/editions_table.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>
#include <utility>
#include <vector>

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
  // The 1 ms timer after an unpause is a later sentence of curl_easy_pause(3).
  EXPECT_FALSE(in_edition(*find_clause("PA-RESUME"), Edition::e7_16));
  EXPECT_TRUE(in_edition(*find_clause("PA-RESUME"), Edition::e8));
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
  EXPECT_EQ(edition_for("libcurl", Version{8, 9, 1}), Edition::e7_88);
  EXPECT_EQ(edition_for("libcurl", Version{8, 10, 0}), Edition::e8);
  EXPECT_EQ(edition_for("libcurl", Version{8, 14, 1}), Edition::e8);
  EXPECT_EQ(edition_for("libcurl", std::nullopt), kNewestEdition);
  EXPECT_EQ(edition_for("multisock", Version{0, 1, 0}), kNewestEdition);
  EXPECT_STREQ(to_string(Severity::observed), "OBSERVED");
}


// The editions table as plain rows; a clause or edition the table names must exist, or the
// file does not compile (the enum and the edition/severity columns are checked here).
enum class TestEdition : std::uint8_t { e7_16, e7_88, e8 };
struct EditionRow {
  ClauseId clause;
  TestEdition edition;
  Severity severity;
  std::string_view statement, source, quote;
};
const std::vector<EditionRow>& edition_rows() {
  static const std::vector<EditionRow> rows = {
#define MS_X(c, e, sev, stmt, src, q) \
  {ClauseId::c, TestEdition::e, Severity::sev, stmt, src, q},
      MS_CLAUSE_EDITIONS(MS_X)
#undef MS_X
  };
  return rows;
}

// Markup that a quote must not carry half of: man font escapes, markdown emphasis and code.
bool balanced_markup(std::string_view q) {
  if (q.find("\\f") != std::string_view::npos) return false;  // a man font escape
  int parens = 0, brackets = 0, backticks = 0, stars = 0;
  for (char ch : q) {
    parens += ch == '(' ? 1 : ch == ')' ? -1 : 0;
    brackets += ch == '[' ? 1 : ch == ']' ? -1 : 0;
    backticks += ch == '`';
    stars += ch == '*';
    if (parens < 0 || brackets < 0) return false;
  }
  return parens == 0 && brackets == 0 && backticks % 2 == 0 && stars % 2 == 0;
}

TEST(Clauses_Editions, RowsAreUniqueSourcedAndQuoted) {
  ASSERT_FALSE(edition_rows().empty());
  const std::regex page_source(R"(^[A-Za-z0-9_-]+\(3\), libcurl [0-9]+\.[0-9]+\.[0-9]+$)");
  const std::regex project_file(R"(^(conformance|engine|simnet|reports|fuzz|pytest)/[A-Za-z0-9_./-]+\.md$)");
  std::set<std::pair<ClauseId, TestEdition>> seen;
  for (const EditionRow& r : edition_rows()) {
    const std::string id(clause(r.clause).id);
    EXPECT_TRUE(seen.insert({r.clause, r.edition}).second)
        << "duplicate row " << id << " edition " << static_cast<int>(r.edition);
    const std::string src(r.source);
    EXPECT_TRUE(std::regex_match(src, page_source) || std::regex_match(src, project_file))
        << id << ": source " << src;
    EXPECT_GE(r.quote.size(), 15u) << id << ": quote too short";
    EXPECT_EQ(r.quote.find("  "), std::string_view::npos) << id << ": uncollapsed whitespace";
    EXPECT_EQ(r.quote.find('\n'), std::string_view::npos) << id;
    EXPECT_TRUE(balanced_markup(r.quote)) << id << ": " << r.quote;
    // A statement of its own is a full sentence, like the catalogue's.
    if (!r.statement.empty()) {
      EXPECT_GT(r.statement.size(), 20u) << id;
      EXPECT_EQ(r.statement.back(), '.') << id;
    }
    // A harness property is the project's own: its source is the same in every edition.
    if (r.clause == ClauseId::DT_REPLAY) {
      EXPECT_EQ(r.source, clause(r.clause).source) << id;
    }
  }
}

TEST(Clauses_Editions, EveryClauseHasAnEdition) {
  std::set<ClauseId> covered;
  for (const EditionRow& r : edition_rows()) covered.insert(r.clause);
  for (const Clause& c : all_clauses()) {
    EXPECT_TRUE(covered.count(c.key)) << c.id << " is in no edition";
  }
  // The legacy return is only in the oldest edition; the error rule only in later ones.
  for (const EditionRow& r : edition_rows()) {
    if (r.clause == ClauseId::LG_CALL_AGAIN) {
      EXPECT_EQ(r.edition, TestEdition::e7_16);
    }
    if (r.clause == ClauseId::SA_AFTER_ERROR) {
      EXPECT_NE(r.edition, TestEdition::e7_16);
    }
  }
}

TEST(Clauses_Editions, MarkupCheckRejectsHalfMarkup) {
  EXPECT_TRUE(balanced_markup("calls curl_multi_info_read(3) once"));
  EXPECT_FALSE(balanced_markup("calls curl_multi_info_read(3 once"));
  EXPECT_FALSE(balanced_markup("the \\fIeasy\\fP argument"));
  EXPECT_FALSE(balanced_markup("a `code span"));
  EXPECT_FALSE(balanced_markup("**bold* text"));
}

}  // namespace
}  // namespace ms::conf

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

// SPDX-License-Identifier: MIT
// checker_sets_test.cpp: the checker's compact containers (IdSet, FlatIntSet) behave as
// the std::set<int> they replace, operation by operation, in the same iteration order;
// words() splits as before; in_edition agrees with clause_in for every clause and edition.
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <vector>

#include "../checker_state.hpp"

namespace ms::conf {
namespace {

using checker_detail::FlatIntSet;
using checker_detail::IdSet;
using checker_detail::words;

// Ids as a trace may hold them: mostly small, some negative or past the dense range.
int draw_id(std::mt19937& rng) {
  switch (rng() % 8) {
    case 0: return -static_cast<int>(rng() % 3);
    case 1: return IdSet::kDenseMax + static_cast<int>(rng() % 3) - 1;
    default: return static_cast<int>(rng() % 200);
  }
}

TEST(IdSet, MatchesStdSetOverSeededOperations) {
  for (unsigned seed = 1; seed <= 20; ++seed) {
    std::mt19937 rng(seed);
    IdSet ids;
    std::set<int> model;
    for (int step = 0; step < 2000; ++step) {
      const int id = draw_id(rng);
      switch (rng() % 3) {
        case 0:
          ids.insert(id);
          model.insert(id);
          break;
        case 1:
          ASSERT_EQ(ids.erase(id), model.erase(id)) << "seed " << seed << " id " << id;
          break;
        default:
          ASSERT_EQ(ids.count(id), model.count(id)) << "seed " << seed << " id " << id;
      }
      ASSERT_EQ(ids.size(), model.size());
      ASSERT_EQ(ids.empty(), model.empty());
    }
    std::vector<int> visited;
    ids.for_each([&](int h) { visited.push_back(h); });
    EXPECT_EQ(visited, std::vector<int>(model.begin(), model.end())) << "seed " << seed;
  }
}

TEST(FlatIntSet, MatchesStdSetAcrossClears) {
  std::mt19937 rng(7);
  FlatIntSet fds;
  std::set<int> model;
  for (int step = 0; step < 5000; ++step) {
    if (rng() % 50 == 0) {
      fds.clear();
      model.clear();
    }
    // Ascending runs (descriptors as opened) and arbitrary values, negatives included.
    const int v = rng() % 2 ? static_cast<int>(model.empty() ? 3 : *model.rbegin() + 1)
                            : static_cast<int>(rng() % 64) - 2;
    if (rng() % 2) {
      fds.insert(v);
      model.insert(v);
    }
    ASSERT_EQ(fds.count(v), model.count(v)) << "step " << step << " value " << v;
    const int probe = static_cast<int>(rng() % 70) - 3;
    ASSERT_EQ(fds.count(probe), model.count(probe)) << "step " << step << " probe " << probe;
  }
}

TEST(Words, SplitsOnEveryCLocaleSpace) {
  const std::string text = " timeout\te12 \n 1500\v\f\r";
  const auto w = words(text);
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[0], "timeout");
  EXPECT_EQ(w[1], "e12");
  EXPECT_EQ(w[2], "1500");
  EXPECT_TRUE(words("").empty());
  EXPECT_TRUE(words(" \t ").empty());
  int id = 0;
  long ms = 0;
  EXPECT_TRUE(checker_detail::parse_easy_id(w[1], id));
  EXPECT_EQ(id, 12);
  EXPECT_TRUE(checker_detail::parse_long(w[2], ms));
  EXPECT_EQ(ms, 1500);
  EXPECT_FALSE(checker_detail::parse_easy_id(w[0], id));
}

TEST(InEdition, AgreesWithClauseIn) {
  for (const Clause& c : all_clauses())
    for (Edition e : kEditions)
      EXPECT_EQ(in_edition(c, e), clause_in(c, e).has_value()) << c.id << " " << to_string(e);
}

}  // namespace
}  // namespace ms::conf

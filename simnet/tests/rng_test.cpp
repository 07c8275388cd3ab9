#include <gtest/gtest.h>

#include <set>

#include "simnet/rng.hpp"

namespace ms::sim {
namespace {

TEST(Rng, SameSeedSameSequence) {
  Rng a(42), b(42), c(43);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    const auto x = a.next();
    EXPECT_EQ(x, b.next());
    differs |= x != c.next();
  }
  EXPECT_TRUE(differs);
}

TEST(Rng, BelowStaysInBoundAndCoversIt) {
  Rng r(7);
  std::set<std::uint64_t> seen;
  for (int i = 0; i < 2000; ++i) {
    const auto v = r.below(10);
    ASSERT_LT(v, 10u);
    seen.insert(v);
  }
  EXPECT_EQ(seen.size(), 10u);
  EXPECT_EQ(r.below(0), 0u);
  EXPECT_EQ(r.between(5, 5), 5u);
  for (int i = 0; i < 100; ++i) {
    const auto v = r.between(3, 6);
    EXPECT_GE(v, 3u);
    EXPECT_LE(v, 6u);
  }
}

TEST(Rng, ChanceAtZeroOrOneDrawsNothing) {
  Rng a(9), b(9);
  EXPECT_FALSE(a.chance(0.0));
  EXPECT_TRUE(a.chance(1.0));
  EXPECT_EQ(a.next(), b.next());
}

TEST(Rng, ChanceFollowsProbability) {
  Rng r(11);
  int hits = 0;
  for (int i = 0; i < 10000; ++i) hits += r.chance(0.25);
  EXPECT_GT(hits, 2200);
  EXPECT_LT(hits, 2800);
}

}  // namespace
}  // namespace ms::sim

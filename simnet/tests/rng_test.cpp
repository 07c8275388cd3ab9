// SPDX-License-Identifier: MIT
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

TEST(ChoiceTape, RecordThenReplay_GivesTheSameDecisions) {
  ChoiceTape tape;
  Rng live(5);
  live.attach(&tape);
  std::vector<std::uint64_t> decisions;
  for (int i = 0; i < 200; ++i) {
    decisions.push_back(live.below(7));
    decisions.push_back(live.chance(0.3) ? 1 : 0);
    decisions.push_back(live.between(10, 20));
    live.chance(0.0);  // no decision: not recorded
  }
  EXPECT_EQ(tape.values().size(), 600u);
  // Another generator (and another seed) replaying the tape makes the same decisions.
  ChoiceTape replay(tape.values());
  SplitMixRng other(99);
  other.attach(&replay);
  for (std::size_t i = 0; i < decisions.size(); i += 3) {
    EXPECT_EQ(other.below(7), decisions[i]);
    EXPECT_EQ(other.chance(0.3) ? 1u : 0u, decisions[i + 1]);
    EXPECT_EQ(other.between(10, 20), decisions[i + 2]);
  }
  EXPECT_EQ(replay.decisions(), 600u);
}

TEST(ChoiceTape, ReplayClampsToTheBoundAndAnswersZeroPastTheEnd) {
  ChoiceTape tape(std::vector<std::uint64_t>{9, 1, 5});
  Rng r(1);
  r.attach(&tape);
  EXPECT_EQ(r.below(4), 3u);      // 9 clamped to the bound
  EXPECT_TRUE(r.chance(0.001));   // replayed, whatever the probability
  EXPECT_EQ(r.between(2, 4), 4u); // 2 + min(5, 2)
  EXPECT_EQ(r.below(1000), 0u);   // past the end: the simplest decision
  EXPECT_FALSE(r.chance(0.999));
  EXPECT_EQ(tape.decisions(), 5u);
  EXPECT_EQ(tape.values().size(), 3u);
}

}  // namespace
}  // namespace ms::sim

// SPDX-License-Identifier: MIT
// ConnLimits: slots per host key and in total, given back by destruction.
#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "conn_limits.hpp"

namespace {

using ms::ConnLimits;

TEST(ConnLimits_Host, FullAtTheLimitAndFreedByDestruction) {
  ConnLimits l;
  l.set_max_host(2);
  EXPECT_TRUE(l.fits("http://a:80"));
  auto s1 = l.take("http://a:80");
  std::optional<ConnLimits::Slot> s2 = l.take("http://a:80");
  EXPECT_FALSE(l.fits("http://a:80"));
  EXPECT_TRUE(l.fits("http://b:80"));  // another host has its own count
  EXPECT_FALSE(l.take_freed());
  s2.reset();
  EXPECT_TRUE(l.take_freed());
  EXPECT_FALSE(l.take_freed());  // told once
  EXPECT_TRUE(l.fits("http://a:80"));
  EXPECT_EQ(l.total(), 1);
}

TEST(ConnLimits_Total, CountsEveryHostAndMovesWithTheSlot) {
  ConnLimits l;
  l.set_max_total(2);
  std::vector<ConnLimits::Slot> held;
  held.push_back(l.take("http://a:80"));
  held.push_back(l.take("https://b:443"));
  EXPECT_TRUE(l.total_full());
  EXPECT_FALSE(l.fits("http://c:80"));
  ConnLimits::Slot moved = std::move(held[0]);  // a move is not a release
  EXPECT_FALSE(l.take_freed());
  EXPECT_EQ(l.total(), 2);
  moved.release();
  moved.release();  // twice is harmless
  EXPECT_EQ(l.total(), 1);
  EXPECT_TRUE(l.fits("http://c:80"));
}

TEST(ConnLimits_None, ZeroMeansUnlimited) {
  ConnLimits l;
  l.set_max_host(0);
  l.set_max_total(-5);
  EXPECT_FALSE(l.limited());
  std::vector<ConnLimits::Slot> held;
  for (int i = 0; i < 100; ++i) held.push_back(l.take("http://a:80"));
  EXPECT_TRUE(l.fits("http://a:80"));
  EXPECT_EQ(l.total(), 100);
}

TEST(ConnLimits_Lifetime, SlotOutlivesTheLimits) {
  std::optional<ConnLimits::Slot> s;
  {
    ConnLimits l;
    l.set_max_total(1);
    s = l.take("http://a:80");
  }
  s.reset();  // shared bookkeeping: no use after free
  SUCCEED();
}

}  // namespace

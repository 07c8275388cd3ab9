// SPDX-License-Identifier: MIT
// huge_pages_test.cpp: the decisions of cli/huge_pages.hpp (the restart itself is seen
// from outside in pytest/test_huge_pages.py).
#include "cli/huge_pages.hpp"

#include <gtest/gtest.h>

using ms::cli::huge_pages_on_request;
using ms::cli::tunables_with_huge_pages;

TEST(HugePages, TheTunableIsAddedToWhatIsSet) {
  EXPECT_EQ(tunables_with_huge_pages(nullptr), "glibc.malloc.hugetlb=1");
  EXPECT_EQ(tunables_with_huge_pages(""), "glibc.malloc.hugetlb=1");
  EXPECT_EQ(tunables_with_huge_pages("glibc.malloc.arena_max=2"), "glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1");
  // A longer name that starts like it is another tunable.
  EXPECT_EQ(tunables_with_huge_pages("glibc.malloc.hugetlbx=3"), "glibc.malloc.hugetlbx=3:glibc.malloc.hugetlb=1");
}

TEST(HugePages, ATunableSetAlreadyIsLeftAlone) {
  EXPECT_EQ(tunables_with_huge_pages("glibc.malloc.hugetlb=0"), std::nullopt);
  EXPECT_EQ(tunables_with_huge_pages("glibc.malloc.arena_max=2:glibc.malloc.hugetlb=2"), std::nullopt);
}

TEST(HugePages, OnlyAKernelThatGivesThemOnRequestIsAsked) {
  EXPECT_TRUE(huge_pages_on_request("always [madvise] never"));
  EXPECT_FALSE(huge_pages_on_request("[always] madvise never"));
  EXPECT_FALSE(huge_pages_on_request("always madvise [never]"));
  EXPECT_FALSE(huge_pages_on_request(""));
}

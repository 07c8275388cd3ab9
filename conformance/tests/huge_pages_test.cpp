// SPDX-License-Identifier: MIT
// huge_pages_test.cpp: the decisions of cli/huge_pages.hpp (its effect on a run's page
// faults is measured from outside in pytest/test_huge_pages.py).
#include "cli/huge_pages.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <string>

using ms::cli::huge_pages_on_request;
using ms::cli::sets_huge_page_tunable;

TEST(HugePages, ATunableSetByTheUserIsSeen) {
  EXPECT_TRUE(sets_huge_page_tunable("glibc.malloc.hugetlb=0"));
  EXPECT_TRUE(sets_huge_page_tunable("glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1"));
  EXPECT_TRUE(sets_huge_page_tunable("glibc.malloc.hugetlb"));
  EXPECT_FALSE(sets_huge_page_tunable(nullptr));
  EXPECT_FALSE(sets_huge_page_tunable(""));
  EXPECT_FALSE(sets_huge_page_tunable("glibc.malloc.arena_max=2"));
  // A name that starts like it is another tunable.
  EXPECT_FALSE(sets_huge_page_tunable("glibc.malloc.hugetlbx=3"));
}

TEST(HugePages, OnlyAKernelThatGivesThemOnRequestIsAsked) {
  EXPECT_TRUE(huge_pages_on_request("always [madvise] never"));
  EXPECT_FALSE(huge_pages_on_request("[always] madvise never"));
  EXPECT_FALSE(huge_pages_on_request("always madvise [never]"));
  EXPECT_FALSE(huge_pages_on_request(""));
}

TEST(HugePages, CommandsThatDoNotSimulateAreLeftAlone) {
  char report[] = "report";
  char* report_argv[] = {report, nullptr};
  EXPECT_FALSE(ms::cli::reserve_huge_page_heap("report", report_argv));
  char bench[] = "bench", worker[] = "--worker", loop[] = "loop";
  char* worker_argv[] = {bench, worker, loop, nullptr};
  EXPECT_FALSE(ms::cli::reserve_huge_page_heap("bench", worker_argv));
  // A library runs in children under an address-space limit.
  char conform[] = "conform", target[] = "--target", lib[] = "lib:/usr/lib/x86_64-linux-gnu/libcurl.so.4";
  char* lib_argv[] = {conform, target, lib, nullptr};
  EXPECT_FALSE(ms::cli::reserve_huge_page_heap("conform", lib_argv));
  char joined[] = "--target=lib:/usr/lib/x86_64-linux-gnu/libcurl.so.4";
  char* joined_argv[] = {conform, joined, nullptr};
  EXPECT_FALSE(ms::cli::reserve_huge_page_heap("conform", joined_argv));
}

TEST(HugePages, ASimulatingCommandGetsItsReserve) {
  std::ifstream enabled("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string text;
  if (!std::getline(enabled, text) || !huge_pages_on_request(text) || sets_huge_page_tunable(std::getenv("GLIBC_TUNABLES")))
    GTEST_SKIP() << "the kernel does not give huge pages on request only, or the tunable is set";
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "the sanitizer's allocator is not glibc's";
#endif
  char replay[] = "replay";
  char* argv[] = {replay, nullptr};
  EXPECT_TRUE(ms::cli::reserve_huge_page_heap("replay", argv));
}

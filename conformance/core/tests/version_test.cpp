// SPDX-License-Identifier: MIT
#include "conformance/version.hpp"

#include <gtest/gtest.h>

using namespace ms::conf;

TEST(Version, ParsesAndOrders) {
  ASSERT_TRUE(Version::parse("7.88.1"));
  EXPECT_EQ(Version::parse("7.88.1")->to_string(), "7.88.1");
  EXPECT_EQ(Version::parse("8.14")->to_string(), "8.14.0");
  EXPECT_EQ(Version::parse("8.14.1-DEV")->to_string(), "8.14.1");
  EXPECT_FALSE(Version::parse("v8"));
  EXPECT_FALSE(Version::parse(""));
  EXPECT_FALSE(Version::parse("99999999.1"));
  EXPECT_LT(*Version::parse("7.88.1"), *Version::parse("8.2.0"));
  EXPECT_LT(*Version::parse("8.2.0"), *Version::parse("8.14.1"));
}

TEST(Version, ImplementationFromVersionString) {
  auto a = parse_implementation_version("libcurl/8.14.1 OpenSSL/3.5.1 zlib/1.3");
  EXPECT_EQ(a.implementation, "libcurl");
  ASSERT_TRUE(a.version);
  EXPECT_EQ(a.label(), "libcurl/8.14.1");
  auto b = parse_implementation_version("multisock 0.1.0");
  EXPECT_EQ(b.label(), "multisock/0.1.0");
  auto c = parse_implementation_version("libfetch/1.2.3-beta");
  EXPECT_EQ(c.label(), "libfetch/1.2.3");
  auto d = parse_implementation_version("garbage");
  EXPECT_FALSE(d.version);
  EXPECT_EQ(d.label(), "");
}

TEST(VersionRange, ParsesAndContains) {
  VersionRange r;
  std::string err;
  ASSERT_TRUE(VersionRange::parse(">=7.88.0 <8.2.0", r, err)) << err;
  EXPECT_TRUE(r.contains(*Version::parse("7.88.1")));
  EXPECT_TRUE(r.contains(*Version::parse("8.1.2")));
  EXPECT_FALSE(r.contains(*Version::parse("8.2.0")));
  EXPECT_FALSE(r.contains(*Version::parse("7.87.0")));
  EXPECT_EQ(r.to_string(), ">=7.88.0 <8.2.0");
  ASSERT_TRUE(VersionRange::parse("any", r, err));
  EXPECT_TRUE(r.any());
  EXPECT_TRUE(r.contains(*Version::parse("1.0")));
  EXPECT_FALSE(VersionRange::parse("", r, err));
  EXPECT_FALSE(VersionRange::parse("~7.88", r, err));
  EXPECT_NE(err.find("comparison"), std::string::npos);
  EXPECT_FALSE(VersionRange::parse(">=7.x", r, err));
  EXPECT_NE(err.find("not a version"), std::string::npos);
}

TEST(VersionRange, Overlaps) {
  auto range = [](const char* text) {
    VersionRange r;
    std::string err;
    EXPECT_TRUE(VersionRange::parse(text, r, err)) << err;
    return r;
  };
  EXPECT_TRUE(range(">=8.0.0").overlaps(range(">7.88.1 <8.0.1")));
  EXPECT_FALSE(range(">=8.0.0").overlaps(range("<8.0.0")));
  EXPECT_FALSE(range(">7.88.1").overlaps(range("<=7.88.1")));
  EXPECT_TRUE(range(">7.88.1").overlaps(range("<=7.88.2")));
  EXPECT_TRUE(range("any").overlaps(range("=1.2.3")));
  EXPECT_FALSE(range("=1.2.3").overlaps(range("=1.2.4")));
  EXPECT_FALSE(range(">=7.0.0 <7.50.0").overlaps(range(">=8.6.0")));
  EXPECT_TRUE(range("<=9.0.0").overlaps(range("<1.0.0")));
}

// SPDX-License-Identifier: MIT
// Address::to_string: "a.b.c.d:port" and "[v6]:port", the text inet_ntop gives, for edge
// values and a spread of others.
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "multisock/port.h"

namespace {

using ms::port::Address;
using ms::port::Family;

std::string reference(const Address& a) {
  char ip[INET6_ADDRSTRLEN] = {};
  inet_ntop(a.family == Family::v4 ? AF_INET : AF_INET6, a.bytes.data(), ip, sizeof ip);
  char out[INET6_ADDRSTRLEN + 16] = {};
  std::snprintf(out, sizeof out, a.family == Family::v4 ? "%s:%u" : "[%s]:%u", ip, static_cast<unsigned>(a.port));
  return out;
}

TEST(AddressText, V4EdgesAndSpread) {
  EXPECT_EQ(Address::parse_numeric("127.0.0.1", 80)->to_string(), "127.0.0.1:80");
  EXPECT_EQ(Address::parse_numeric("0.0.0.0", 0)->to_string(), "0.0.0.0:0");
  EXPECT_EQ(Address::parse_numeric("255.255.255.255", 65535)->to_string(), "255.255.255.255:65535");
  Address a;
  a.family = Family::v4;
  for (unsigned v = 0; v < 256; v += 7) {
    a.bytes[0] = static_cast<std::uint8_t>(v);
    a.bytes[1] = static_cast<std::uint8_t>(255 - v);
    a.bytes[2] = static_cast<std::uint8_t>(v / 10);
    a.bytes[3] = static_cast<std::uint8_t>(v * 3);
    a.port = static_cast<std::uint16_t>(v * 257);
    EXPECT_EQ(a.to_string(), reference(a));
  }
}

TEST(AddressText, V6InBrackets) {
  for (const char* ip : {"::1", "::", "fe80::1:2", "2001:db8::ff00:42:8329", "::ffff:127.0.0.1",
                         "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"}) {
    const auto a = Address::parse_numeric(ip, 8443);
    ASSERT_TRUE(a) << ip;
    EXPECT_EQ(a->to_string(), reference(*a));
  }
  EXPECT_EQ(Address::parse_numeric("::1", 443)->to_string(), "[::1]:443");
}

}  // namespace

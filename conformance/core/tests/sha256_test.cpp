// SPDX-License-Identifier: MIT
// sha256_test.cpp: the digest against published test vectors and against OpenSSL's EVP
// interface over the same bytes fed in pieces of every size.
#include "conformance/sha256.hpp"
#include "conformance/trace.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <cstdint>
#include <string>

namespace ms::conf {
namespace {

std::string evp_hex(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EXPECT_EQ(EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr), 1);
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 15];
  }
  return out;
}

TEST(Sha256, PublishedVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256, PiecesOfEverySizeGiveTheWholeDigest) {
  std::string data;
  std::uint32_t x = 12345;
  for (int i = 0; i < 5000; ++i) {
    x = x * 1103515245u + 12345u;
    data += static_cast<char>(x >> 24);
  }
  const std::string whole = evp_hex(data);
  EXPECT_EQ(sha256_hex(data), whole);
  for (std::size_t piece : {1u, 3u, 55u, 56u, 63u, 64u, 65u, 127u, 1000u, 4999u}) {
    Sha256 s;
    for (std::size_t at = 0; at < data.size(); at += piece) s.update(std::string_view(data).substr(at, piece));
    EXPECT_EQ(s.finish_hex(), whole) << "pieces of " << piece;
  }
}

TEST(Sha256, FinishingStartsAfresh) {
  Sha256 s;
  s.update("some bytes");
  s.finish_hex();
  s.update("abc");
  EXPECT_EQ(s.finish_hex(), evp_hex("abc"));
}

TEST(Sha256, TraceHashIsTheDigestOfItsJsonLines) {
  Trace t;
  for (int i = 0; i < 3000; ++i) {  // several of the hash's 64 KiB blocks
    Event e;
    e.kind = i % 2 ? EventKind::socket_cb : EventKind::note;
    e.time_ns = i * 1000;
    e.fd = i % 7;
    e.text = "event " + std::to_string(i);
    t.events.push_back(e);
  }
  EXPECT_EQ(t.hash(), evp_hex(t.to_jsonl()));
  // The lines shown while hashing are the JSON form's, in order, each with its index.
  std::string text;
  std::size_t next = 0;
  bool in_order = true;
  const auto collect = [&](std::size_t index, std::string_view line) {
    in_order = in_order && index == next++;
    text.append(line);
  };
  EXPECT_EQ(t.hash(collect), t.hash());
  EXPECT_TRUE(in_order);
  EXPECT_EQ(next, t.events.size());
  EXPECT_EQ(text, t.to_jsonl());
  Trace empty;
  text.clear();
  next = 0;
  EXPECT_EQ(empty.hash(collect), sha256_hex(""));
  EXPECT_EQ(next, 0u);
}

}  // namespace
}  // namespace ms::conf

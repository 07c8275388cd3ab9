// SPDX-License-Identifier: MIT
// sha256.cpp: see sha256.hpp. OpenSSL 3 marks these functions deprecated in favour of EVP,
// whose set-up cost is the reason they are used here.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "conformance/sha256.hpp"

namespace ms::conf {

Sha256::Sha256() { SHA256_Init(&ctx_); }

void Sha256::update(const void* data, std::size_t size) { SHA256_Update(&ctx_, data, size); }

std::string Sha256::finish_hex() {
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256_Final(md, &ctx_);
  SHA256_Init(&ctx_);
  static const char kHex[] = "0123456789abcdef";
  std::string hex(2 * sizeof md, '0');
  for (std::size_t i = 0; i < sizeof md; ++i) {
    hex[2 * i] = kHex[md[i] >> 4];
    hex[2 * i + 1] = kHex[md[i] & 15];
  }
  return hex;
}

std::string sha256_hex(std::string_view text) {
  Sha256 s;
  s.update(text);
  return s.finish_hex();
}

}  // namespace ms::conf

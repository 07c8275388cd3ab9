// SPDX-License-Identifier: MIT
// sha256.hpp: a SHA-256 digest fed in pieces, finished as lower-case hex: a trace's hash and
// a transfer's body digest.
//
// It calls OpenSSL's SHA-256 directly (SHA256_Init and the rest) rather than through EVP:
// the first EVP fetch sets up OpenSSL's default provider, about 3 ms, which a process that
// hashes one trace (`multisock replay`) paid before anything else; these functions use the
// same code (SHA extensions where the processor has them) without it.
#pragma once

#include <openssl/sha.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace ms::conf {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, std::size_t size);
  void update(std::string_view text) { update(text.data(), text.size()); }
  // The digest of everything fed, as 64 hex digits; the digest starts afresh.
  std::string finish_hex();

 private:
  SHA256_CTX ctx_;
};

// The digest of one text.
std::string sha256_hex(std::string_view text);

}  // namespace ms::conf

// SPDX-License-Identifier: MIT
// test_pki.cpp: the test CA and server certificates (see test_pki.hpp for why they are
// deterministic).
#include "simnet/test_pki.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <array>
#include <cstdio>
#include <ctime>
#include <map>
#include <memory>
#include <mutex>
#include <utility>

#include <unistd.h>

#include "multisock/port.h"

namespace ms::sim {

namespace {

// Fixed dates (seconds since 1970): valid certificates span 2020-01-01 .. 2099-12-31,
// the expired one 2000-01-01 .. 2001-01-01.
constexpr std::time_t kValidFrom = 1577836800;
constexpr std::time_t kValidUntil = 4102358400;
constexpr std::time_t kExpiredFrom = 946684800;
constexpr std::time_t kExpiredUntil = 978307200;

struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CertFree {
  void operator()(X509* x) const { X509_free(x); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using Cert = std::unique_ptr<X509, CertFree>;

Key key_from_seed(unsigned char tag) {
  std::array<unsigned char, 32> seed{};
  for (std::size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<unsigned char>(tag * 37 + i * 11 + 5);
  return Key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()));
}

std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 1469598103934665603ULL;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

bool add_ext(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (!ext) return false;
  const bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

struct CertSpec {
  std::string common_name;
  std::string alt_name;  // "DNS:x" or "IP:x"; empty for the CA
  bool ca = false;
  std::time_t from = kValidFrom;
  std::time_t until = kValidUntil;
  std::uint64_t serial = 1;
};

// issuer == nullptr: self-signed with subject_key.
Cert make_cert(const CertSpec& spec, EVP_PKEY* subject_key, X509* issuer, EVP_PKEY* issuer_key) {
  Cert cert(X509_new());
  if (!cert) return nullptr;
  X509* x = cert.get();
  if (X509_set_version(x, 2) != 1) return nullptr;
  ASN1_INTEGER_set_uint64(X509_get_serialNumber(x), spec.serial & 0x7fffffffffffffffULL);
  if (!ASN1_TIME_set(X509_getm_notBefore(x), spec.from)) return nullptr;
  if (!ASN1_TIME_set(X509_getm_notAfter(x), spec.until)) return nullptr;
  if (X509_set_pubkey(x, subject_key) != 1) return nullptr;
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("multisock test"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(spec.common_name.c_str()), -1, -1, 0);
  if (X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name) != 1) return nullptr;
  X509* issuer_cert = issuer ? issuer : x;
  bool ok = true;
  if (spec.ca) {
    ok = ok && add_ext(x, issuer_cert, NID_basic_constraints, "critical,CA:TRUE");
    ok = ok && add_ext(x, issuer_cert, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    ok = ok && add_ext(x, issuer_cert, NID_basic_constraints, "critical,CA:FALSE");
    ok = ok && add_ext(x, issuer_cert, NID_key_usage, "critical,digitalSignature");
    ok = ok && add_ext(x, issuer_cert, NID_ext_key_usage, "serverAuth");
    ok = ok && add_ext(x, issuer_cert, NID_subject_alt_name, spec.alt_name);
  }
  ok = ok && add_ext(x, issuer_cert, NID_subject_key_identifier, "hash");
  if (issuer) ok = ok && add_ext(x, issuer_cert, NID_authority_key_identifier, "keyid:always");
  if (!ok) return nullptr;
  // Ed25519 signs without a separate digest; the signature is deterministic.
  if (X509_sign(x, issuer ? issuer_key : subject_key, nullptr) <= 0) return nullptr;
  return cert;
}

struct Pki {
  Key ca_key;
  Key leaf_key;
  Key self_key;
  Cert ca;
  std::string ca_pem;
  std::map<std::pair<std::string, CertKind>, SSL_CTX*> contexts;  // process lifetime
  std::mutex mutex;

  Pki(const Pki&) = delete;
  Pki& operator=(const Pki&) = delete;
  ~Pki() {
    for (auto& [key, ctx] : contexts) SSL_CTX_free(ctx);  // SSL_CTX is reference counted
  }

  Pki() {
    ca_key = key_from_seed(1);
    leaf_key = key_from_seed(2);
    self_key = key_from_seed(3);
    if (!ca_key || !leaf_key || !self_key) return;
    CertSpec spec;
    spec.common_name = "multisock test CA";
    spec.ca = true;
    spec.serial = 1;
    ca = make_cert(spec, ca_key.get(), nullptr, nullptr);
    if (!ca) return;
    BIO* bio = BIO_new(BIO_s_mem());
    if (bio && PEM_write_bio_X509(bio, ca.get()) == 1) {
      char* data = nullptr;
      const long n = BIO_get_mem_data(bio, &data);
      if (n > 0) ca_pem.assign(data, static_cast<std::size_t>(n));
    }
    BIO_free(bio);
  }
};

Pki& pki() {
  static Pki instance;
  return instance;
}

// The SSL ex_data slot that marks a session of an `h2` peer.
int h2_mark_index() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

int select_alpn(SSL* ssl, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                  unsigned int inlen, void*) {
  static const unsigned char kHttp11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  static const unsigned char kH2[] = {2, 'h', '2'};
  const bool h2 = SSL_get_ex_data(ssl, h2_mark_index()) != nullptr;
  const unsigned char* wanted = h2 ? kH2 : kHttp11;
  const unsigned int wanted_size = h2 ? sizeof kH2 : sizeof kHttp11;
  unsigned char* chosen = nullptr;
  if (SSL_select_next_proto(&chosen, outlen, wanted, wanted_size, in, inlen) != OPENSSL_NPN_NEGOTIATED)
    return SSL_TLSEXT_ERR_NOACK;
  *out = chosen;
  return SSL_TLSEXT_ERR_OK;
}

SSL_CTX* build_context(Pki& p, const std::string& name, CertKind kind) {
  if (!p.ca) return nullptr;
  CertSpec spec;
  spec.common_name = name;
  const bool numeric = port::Address::parse_numeric(name, 0).has_value();
  std::string bare = name;
  if (bare.size() > 2 && bare.front() == '[' && bare.back() == ']') bare = bare.substr(1, bare.size() - 2);
  spec.alt_name = (numeric ? "IP:" : "DNS:") + bare;
  spec.serial = fnv1a(name + "/" + to_string(kind)) | 2;
  if (kind == CertKind::expired) {
    spec.from = kExpiredFrom;
    spec.until = kExpiredUntil;
  }
  EVP_PKEY* key = kind == CertKind::self_signed ? p.self_key.get() : p.leaf_key.get();
  Cert cert = kind == CertKind::self_signed ? make_cert(spec, key, nullptr, nullptr)
                                            : make_cert(spec, key, p.ca.get(), p.ca_key.get());
  if (!cert) return nullptr;
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (!ctx) return nullptr;
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  // No tickets: an unread ticket would make an idle client connection look readable.
  SSL_CTX_set_num_tickets(ctx, 0);
  SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
  SSL_CTX_set_alpn_select_cb(ctx, select_alpn, nullptr);
  if (SSL_CTX_use_certificate(ctx, cert.get()) != 1 || SSL_CTX_use_PrivateKey(ctx, key) != 1) {
    SSL_CTX_free(ctx);
    return nullptr;
  }
  return ctx;
}

}  // namespace

bool parse_cert_kind(std::string_view text, CertKind& out) {
  if (text == "good") out = CertKind::good;
  else if (text == "expired") out = CertKind::expired;
  else if (text == "self-signed") out = CertKind::self_signed;
  else return false;
  return true;
}

const char* to_string(CertKind kind) {
  switch (kind) {
    case CertKind::good: return "good";
    case CertKind::expired: return "expired";
    case CertKind::self_signed: return "self-signed";
  }
  return "?";
}

const std::string& test_ca_pem() { return pki().ca_pem; }

bool write_test_ca_file(const std::string& path) {
  const std::string& pem = test_ca_pem();
  if (pem.empty()) return false;
  // A name of its own per process: several test processes may write the same file.
  const std::string tmp = path + ".tmp" + std::to_string(static_cast<long>(::getpid()));
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) return false;
  const bool wrote = std::fwrite(pem.data(), 1, pem.size(), f) == pem.size();
  const bool closed = std::fclose(f) == 0;
  if (!wrote || !closed || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return false;
  }
  return true;
}

ssl_ctx_st* test_server_context(const std::string& name, CertKind kind) {
  Pki& p = pki();
  std::lock_guard<std::mutex> lock(p.mutex);
  auto key = std::make_pair(name, kind);
  auto it = p.contexts.find(key);
  if (it != p.contexts.end()) return it->second;
  SSL_CTX* ctx = build_context(p, name, kind);
  if (ctx) p.contexts.emplace(std::move(key), ctx);
  return ctx;
}

void test_server_select_h2(ssl_st* ssl) {
  static int mark = 1;  // any non-null pointer
  SSL_set_ex_data(ssl, h2_mark_index(), &mark);
}

}  // namespace ms::sim

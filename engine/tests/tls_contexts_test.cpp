// SPDX-License-Identifier: MIT
// The multi's TLS contexts (tls_contexts.hpp): one per trust setting, read again when the
// CA file changes or goes away.
#include "tls_contexts.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

namespace {

// A self-signed CA certificate in PEM, made here (EC P-256), with the given common name.
std::string ca_pem(const char* name) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"),
                                                          &EVP_PKEY_free);
  std::unique_ptr<X509, decltype(&X509_free)> x(X509_new(), &X509_free);
  if (!key || !x) return "";
  X509_set_version(x.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x.get()), 7);
  X509_gmtime_adj(X509_getm_notBefore(x.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(x.get()), 3600);
  X509_set_pubkey(x.get(), key.get());
  X509_NAME* subject = X509_get_subject_name(x.get());
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(name), -1, -1, 0);
  X509_set_issuer_name(x.get(), subject);
  if (X509_sign(x.get(), key.get(), EVP_sha256()) == 0) return "";
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  PEM_write_bio_X509(bio.get(), x.get());
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

struct TempFile {
  std::string path = ::testing::TempDir() + "tls_contexts_" + std::to_string(getpid()) + ".pem";
  void write(const std::string& text) const { std::ofstream(path, std::ios::binary | std::ios::trunc) << text; }
  ~TempFile() { std::remove(path.c_str()); }
};

// Acquires and releases at once: the context's address (kept alive by the cache).
const void* context_of(ms::TlsContexts& c, bool verify, const std::string& file, MSEcode& code) {
  std::string text;
  code = MSE_OK;
  ssl_ctx_st* ctx = c.acquire(verify, file, code, text);
  SSL_CTX_free(ctx);
  return ctx;
}

TEST(TlsContexts, OneContextPerCaFileUntilTheFileChanges) {
  TempFile file;
  file.write(ca_pem("first test CA"));
  ms::TlsContexts contexts;
  MSEcode code = MSE_OK;
  const void* first = context_of(contexts, true, file.path, code);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(context_of(contexts, true, file.path, code), first) << "the same file read twice";
  EXPECT_EQ(contexts.size(), 1u);
  // A reference held, as a connection would: the first context's address stays taken, so a
  // context made anew cannot be told from it by its address alone.
  std::string text;
  ssl_ctx_st* held = contexts.acquire(true, file.path, code, text);
  ASSERT_EQ(held, first);
  // Rewritten with another CA (and another size): read again, the old context dropped.
  file.write(ca_pem("second test CA, a longer name"));
  const void* second = context_of(contexts, true, file.path, code);
  ASSERT_NE(second, nullptr);
  EXPECT_NE(second, first) << "the rewritten file was not read again";
  EXPECT_EQ(contexts.size(), 1u);
  EXPECT_EQ(context_of(contexts, true, file.path, code), second);
  SSL_CTX_free(held);
}

TEST(TlsContexts, MultisShareTheContextOfAFileUntilItChanges) {
  TempFile file;
  file.write(ca_pem("shared test CA"));
  ms::TlsContexts one, other;  // the caches of two multis
  MSEcode code = MSE_OK;
  const void* first = context_of(one, true, file.path, code);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(context_of(other, true, file.path, code), first) << "the file is read once in the process";
  file.write(ca_pem("shared test CA, rewritten with a longer name"));
  const void* second = context_of(other, true, file.path, code);
  ASSERT_NE(second, nullptr);
  EXPECT_NE(second, first) << "the first is still held by the first multi's cache";
  EXPECT_EQ(context_of(one, true, file.path, code), second);
}

TEST(TlsContexts, AFileThatGoesAwayIsAnError) {
  TempFile file;
  file.write(ca_pem("test CA"));
  ms::TlsContexts contexts;
  MSEcode code = MSE_OK;
  ASSERT_NE(context_of(contexts, true, file.path, code), nullptr);
  std::remove(file.path.c_str());
  std::string text;
  EXPECT_EQ(contexts.acquire(true, file.path, code, text), nullptr);
  EXPECT_EQ(code, MSE_SSL_CACERT_BADFILE);
  EXPECT_NE(text.find(file.path), std::string::npos) << text;
  file.write("not a certificate\n");  // there, but nothing in it to trust
  EXPECT_EQ(contexts.acquire(true, file.path, code, text), nullptr);
  EXPECT_EQ(code, MSE_SSL_CACERT_BADFILE);
}

TEST(TlsContexts, WithoutVerificationTheFileIsNeverRead) {
  ms::TlsContexts contexts;
  MSEcode code = MSE_OK;
  const void* a = context_of(contexts, false, "/nonexistent/a.pem", code);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(code, MSE_OK);
  EXPECT_EQ(context_of(contexts, false, "/nonexistent/b.pem", code), a);
  EXPECT_EQ(contexts.size(), 1u);
}

TEST(TlsContexts, AReferenceOutlivesItsReplacement) {
  TempFile file;
  file.write(ca_pem("test CA"));
  ms::TlsContexts contexts;
  MSEcode code = MSE_OK;
  std::string text;
  ssl_ctx_st* held = contexts.acquire(true, file.path, code, text);
  ASSERT_NE(held, nullptr);
  file.write(ca_pem("replacing test CA"));
  ssl_ctx_st* fresh = contexts.acquire(true, file.path, code, text);
  ASSERT_NE(fresh, nullptr);
  EXPECT_NE(fresh, held);
  // The connection that holds the old one can still make sessions from it.
  SSL* ssl = SSL_new(held);
  EXPECT_NE(ssl, nullptr);
  SSL_free(ssl);
  SSL_CTX_free(held);
  SSL_CTX_free(fresh);
}

}  // namespace

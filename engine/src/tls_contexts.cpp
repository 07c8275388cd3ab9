// SPDX-License-Identifier: MIT
// tls_contexts.cpp: see tls_contexts.hpp.
#include "tls_contexts.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/stat.h>

#include <mutex>

namespace ms {

namespace {

// The CA file as stat() sees it, "" when it cannot be seen (then it is read every time,
// and the read reports the error).
std::string file_identity(const std::string& path) {
  if (path.empty()) return "default";
  struct stat st{};
  if (stat(path.c_str(), &st) != 0) return "";
  return std::to_string(st.st_dev) + ':' + std::to_string(st.st_ino) + ':' + std::to_string(st.st_size) + ':' +
         std::to_string(st.st_mtim.tv_sec) + '.' + std::to_string(st.st_mtim.tv_nsec);
}

ssl_ctx_st* make_context(bool verify_peer, const std::string& ca_file, MSEcode& code, std::string& text) {
  ERR_clear_error();
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == nullptr) {
    code = MSE_OUT_OF_MEMORY;
    text = "cannot make a TLS context";
    ERR_clear_error();
    return nullptr;
  }
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  // A server that closes without close_notify ends a body the HTTP framing still judges.
  SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
  if (!verify_peer) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
    return ctx;
  }
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  const bool loaded = ca_file.empty() ? SSL_CTX_set_default_verify_paths(ctx) == 1
                                      : SSL_CTX_load_verify_locations(ctx, ca_file.c_str(), nullptr) == 1;
  if (!loaded) {
    SSL_CTX_free(ctx);
    code = MSE_SSL_CACERT_BADFILE;
    text = "error setting certificate file: " + ca_file;
    ERR_clear_error();
    return nullptr;
  }
  return ctx;
}

// The contexts of every multi in the process, behind a lock: a program that makes a multi
// per batch of transfers (or a test suite that makes thousands) reads a CA file once, not
// once per multi. A context is never changed once made, and OpenSSL lets threads make
// connections from one context at once. Held until the process ends.
struct SharedContexts {
  std::mutex mutex;
  TlsContextCache cache;
};

SharedContexts& shared_contexts() {
  // OpenSSL is set up first, so its own clean-up at exit runs after this cache is freed.
  [[maybe_unused]] static const int ready = OPENSSL_init_ssl(0, nullptr);
  static SharedContexts contexts;
  return contexts;
}

}  // namespace

TlsContextCache::~TlsContextCache() {
  for (auto& [key, entry] : contexts_) SSL_CTX_free(entry.ctx);
}

ssl_ctx_st* TlsContextCache::acquire(bool verify_peer, const std::string& ca_file, const std::string& file_id,
                                     const std::function<ssl_ctx_st*()>& make) {
  const Key key{verify_peer, ca_file};
  auto it = contexts_.find(key);
  if (it != contexts_.end() && !file_id.empty() && it->second.file_id == file_id) {
    SSL_CTX_up_ref(it->second.ctx);
    return it->second.ctx;
  }
  SSL_CTX* ctx = make();
  if (ctx == nullptr) return nullptr;
  if (it != contexts_.end()) {
    SSL_CTX_free(it->second.ctx);  // connections still using it hold their own references
    contexts_.erase(it);
  }
  if (!file_id.empty()) {
    SSL_CTX_up_ref(ctx);
    contexts_.emplace(key, Entry{ctx, file_id});
  }
  return ctx;
}

ssl_ctx_st* TlsContexts::acquire(bool verify_peer, const std::string& ca_file, MSEcode& code, std::string& text) {
  // Without verification the CA file is never read: one context serves every file name.
  const std::string file = verify_peer ? ca_file : std::string();
  const std::string id = verify_peer ? file_identity(ca_file) : "none";
  return cache_.acquire(verify_peer, file, id, [&] {
    SharedContexts& shared = shared_contexts();
    std::lock_guard<std::mutex> lock(shared.mutex);
    return shared.cache.acquire(verify_peer, file, id, [&] { return make_context(verify_peer, file, code, text); });
  });
}

}  // namespace ms

// SPDX-License-Identifier: MIT
// tls_contexts.cpp: see tls_contexts.hpp.
#include "tls_contexts.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/stat.h>

#include <map>
#include <mutex>
#include <utility>

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

// The contexts of every multi in the process, one per setting, behind a lock: a program
// that makes a multi per batch of transfers (or a test suite that makes thousands) reads
// a CA file once, not once per multi. A context is never changed once made, and OpenSSL
// lets threads make connections from one context at once. Held until the process ends.
class SharedContexts {
 public:
  ~SharedContexts() {
    for (auto& [key, entry] : contexts_) SSL_CTX_free(entry.second);
  }
  // A reference the caller owns, made now unless one was made from the file as `id` says
  // it is now; `id` empty (the file cannot be seen) is never kept.
  SSL_CTX* acquire(bool verify_peer, const std::string& ca_file, const std::string& id, MSEcode& code,
                   std::string& text) {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto key = std::make_pair(verify_peer, ca_file);
    auto it = contexts_.find(key);
    if (it != contexts_.end() && !id.empty() && it->second.first == id) {
      SSL_CTX_up_ref(it->second.second);
      return it->second.second;
    }
    SSL_CTX* ctx = make_context(verify_peer, ca_file, code, text);
    if (ctx == nullptr) return nullptr;
    if (it != contexts_.end()) {
      SSL_CTX_free(it->second.second);
      contexts_.erase(it);
    }
    if (!id.empty()) {
      SSL_CTX_up_ref(ctx);
      contexts_.emplace(key, std::make_pair(id, ctx));
    }
    return ctx;
  }

 private:
  std::mutex mutex_;
  // (verify_peer, CA file) -> (the file's identity, one reference); lookups only.
  std::map<std::pair<bool, std::string>, std::pair<std::string, SSL_CTX*>> contexts_;
};

SharedContexts& shared_contexts() {
  // OpenSSL is set up first, so its own clean-up at exit runs after this cache is freed.
  [[maybe_unused]] static const int ready = OPENSSL_init_ssl(0, nullptr);
  static SharedContexts contexts;
  return contexts;
}

}  // namespace

TlsContexts::~TlsContexts() {
  for (auto& [key, entry] : contexts_) SSL_CTX_free(entry.ctx);
}

ssl_ctx_st* TlsContexts::acquire(bool verify_peer, const std::string& ca_file, MSEcode& code, std::string& text) {
  // Without verification the CA file is never read: one context serves every file name.
  const Key key{verify_peer, verify_peer ? ca_file : std::string()};
  const std::string id = verify_peer ? file_identity(ca_file) : "none";
  auto it = contexts_.find(key);
  if (it != contexts_.end() && !id.empty() && it->second.file_id == id) {
    SSL_CTX_up_ref(it->second.ctx);
    return it->second.ctx;
  }
  SSL_CTX* ctx = shared_contexts().acquire(verify_peer, key.ca_file, id, code, text);
  if (ctx == nullptr) return nullptr;
  if (it != contexts_.end()) {
    SSL_CTX_free(it->second.ctx);  // connections still using it hold their own references
    contexts_.erase(it);
  }
  if (!id.empty()) {
    SSL_CTX_up_ref(ctx);
    contexts_.emplace(key, Entry{ctx, id});
  }
  return ctx;
}

}  // namespace ms

// SPDX-License-Identifier: MIT
// tls_contexts.hpp: the client TLS contexts of one multi, one per trust setting, shared by
// its connections.
//
// Reading a CA file costs more than a TLS handshake (every certificate in it is parsed:
// the system bundle holds well over a hundred), so a context is made once per setting and
// each connection takes a reference to it. A CA file is known by what stat() says of it
// (device, inode, size, modification time): a file replaced or rewritten between two
// connections is read again, so a cached context never trusts what the file no longer
// says. Everything per connection (SNI, ALPN, the name to check) is set on the connection's
// own SSL object, never on the shared context. One multi is used by one thread at a time,
// as the API requires, so the multi's cache has no lock; behind it, a process-wide one
// (with a lock) serves a new multi the contexts its predecessors made.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <tuple>

#include "multisock/multisock.h"

struct ssl_ctx_st;

namespace ms {

// Contexts by trust setting, each kept while its CA file is what stat() said when it was
// read: a multi's cache, and the process's behind it (tls_contexts.cpp).
class TlsContextCache {
 public:
  TlsContextCache() = default;
  TlsContextCache(const TlsContextCache&) = delete;
  TlsContextCache& operator=(const TlsContextCache&) = delete;
  ~TlsContextCache();

  // A reference the caller owns to the context kept for (verify_peer, ca_file) if the file
  // is still `file_id`; else make() (a reference, or nullptr) is kept in its place. An
  // empty file_id (the file cannot be seen) is never kept.
  ssl_ctx_st* acquire(bool verify_peer, const std::string& ca_file, const std::string& file_id,
                      const std::function<ssl_ctx_st*()>& make);
  std::size_t size() const { return contexts_.size(); }

 private:
  struct Key {
    bool verify_peer = true;
    std::string ca_file;  // empty: the system's default store
    auto tie() const { return std::tie(verify_peer, ca_file); }
    bool operator<(const Key& o) const { return tie() < o.tie(); }
  };
  struct Entry {
    ssl_ctx_st* ctx = nullptr;  // one reference held here
    std::string file_id;        // what stat() said of the CA file when it was read
  };
  std::map<Key, Entry> contexts_;  // lookups only: its order reaches no output
};

class TlsContexts {
 public:
  // A reference the caller owns (SSL_CTX_free it) to the context for this setting, made
  // now if there is none yet or the CA file changed; nullptr with code and text set when
  // it cannot be made (an unreadable CA file: MSE_SSL_CACERT_BADFILE).
  ssl_ctx_st* acquire(bool verify_peer, const std::string& ca_file, MSEcode& code, std::string& text);

  std::size_t size() const { return cache_.size(); }

 private:
  TlsContextCache cache_;
};

}  // namespace ms

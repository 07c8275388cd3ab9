// SPDX-License-Identifier: MIT
// tls_transport.hpp: HTTPS's TLS layer, OpenSSL over memory buffers on top of the Net port.
//
// OpenSSL never touches the socket: ciphertext moves between its memory BIOs and the
// Net port here, so the engine stays on its one seam and the same code runs over simnet
// and real sockets. What the socket callback must watch follows what TLS needs, not what
// HTTP wants: a handshake that waits for the server wants IN even while the request is
// unsent; ciphertext that did not fit in the socket buffer wants OUT even while the
// transfer only reads (wanted_interest()). Decrypted bytes that the transfer has not read
// yet are invisible to the socket: buffered() says so, and the transfer then wakes itself
// instead of waiting for a readable event that will never come.
#pragma once

#include <memory>
#include <vector>
#include <string>

#include "connection.hpp"
#include "tls_contexts.hpp"

struct ssl_st;
struct ssl_ctx_st;
struct bio_st;

namespace ms {

struct TlsConfig {
  std::string host;          // for SNI and the name check (IPv6 without brackets)
  bool verify_peer = true;   // MSOPT_SSL_VERIFYPEER
  bool verify_host = true;   // MSOPT_SSL_VERIFYHOST (1 and 2 both check, as libcurl 7.66+)
  std::string ca_file;       // MSOPT_CAINFO; empty: the system's default store
  bool offer_h2 = false;     // ALPN offers "h2" before "http/1.1"
};

class TlsTransport final : public Transport {
 public:
  enum class Step : std::uint8_t { done, in_progress, failed };

  // nullptr with code/text set when the setup fails (e.g. an unreadable CA file). The
  // context for the config's trust setting comes from contexts (the multi's).
  static std::unique_ptr<TlsTransport> create(port::Net& net, int fd, const TlsConfig& config,
                                              TlsContexts& contexts, MSEcode& code, std::string& text);
  ~TlsTransport() override;

  // Advances the handshake as far as the socket allows. On failed, code and text say why:
  // MSE_PEER_FAILED_VERIFICATION for a certificate that does not verify, otherwise
  // MSE_SSL_CONNECT_ERROR.
  Step handshake(MSEcode& code, std::string& text);
  bool handshake_done() const { return handshake_done_; }
  // The server chose "h2" by ALPN (after the handshake).
  bool alpn_h2() const;
  // MSOPT_CERTINFO: per certificate the server sent (its own first), "Name:value" lines:
  // Subject, Issuer, Version, Serial Number, Signature Algorithm, Start date, Expire date,
  // Cert (PEM). Empty before the handshake is done.
  std::vector<std::vector<std::string>> peer_chain_info() const;

  port::IoResult send(const std::byte* data, std::size_t size) override;
  port::IoResult recv(std::byte* data, std::size_t size) override;
  port::IoResult flush() override;
  int wanted_interest() const override;
  bool buffered() const override;

 private:
  TlsTransport(port::Net& net, int fd) : net_(net), fd_(fd) {}
  port::IoResult pull();  // one read from the socket into the input BIO
  port::IoResult push();  // the output BIO and the outbox to the socket, as far as it takes

  port::Net& net_;
  int fd_;
  ssl_ctx_st* ctx_ = nullptr;  // a reference to the multi's shared context
  ssl_st* ssl_ = nullptr;
  bio_st* in_ = nullptr;   // owned by ssl_
  bio_st* out_ = nullptr;  // owned by ssl_
  std::string outbox_;     // ciphertext the socket did not take yet
  bool handshake_done_ = false;
  bool wants_read_ = false;   // the handshake waits for the server
  bool drained_ = true;       // the last recv found no complete record left
};

}  // namespace ms

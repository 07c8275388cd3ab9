// SPDX-License-Identifier: MIT
// tls_transport.cpp: see tls_transport.hpp for how ciphertext moves and why.
#include "tls_transport.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <algorithm>

namespace ms {

namespace {

constexpr std::size_t kRecordMax = 16 * 1024;

bool numeric_host(const std::string& host) {
  return port::Address::parse_numeric(host, 0).has_value();
}

std::string openssl_reason(const char* fallback) {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return fallback;
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return std::string(fallback) + ": " + buf;
}

}  // namespace

std::unique_ptr<TlsTransport> TlsTransport::create(port::Net& net, int fd, const TlsConfig& config,
                                                   TlsContexts& contexts, MSEcode& code, std::string& text) {
  ERR_clear_error();
  std::unique_ptr<TlsTransport> t(new TlsTransport(net, fd));
  t->ctx_ = contexts.acquire(config.verify_peer, config.ca_file, code, text);
  if (t->ctx_ == nullptr) return nullptr;
  t->ssl_ = SSL_new(t->ctx_);
  t->in_ = BIO_new(BIO_s_mem());
  t->out_ = BIO_new(BIO_s_mem());
  if (t->ssl_ == nullptr || t->in_ == nullptr || t->out_ == nullptr) {
    BIO_free(t->in_);
    BIO_free(t->out_);
    t->in_ = t->out_ = nullptr;
    code = MSE_OUT_OF_MEMORY;
    text = openssl_reason("TLS session");
    return nullptr;
  }
  BIO_set_mem_eof_return(t->in_, -1);  // an empty input BIO means "wait for the socket"
  SSL_set_bio(t->ssl_, t->in_, t->out_);
  SSL_set_connect_state(t->ssl_);
  const bool numeric = numeric_host(config.host);
  if (!numeric) SSL_set_tlsext_host_name(t->ssl_, config.host.c_str());  // SNI is for names only
  static const unsigned char kAlpn[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  static const unsigned char kAlpnH2[] = {2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  if (config.offer_h2) SSL_set_alpn_protos(t->ssl_, kAlpnH2, sizeof kAlpnH2);
  else SSL_set_alpn_protos(t->ssl_, kAlpn, sizeof kAlpn);
  if (config.verify_peer && config.verify_host) {
    X509_VERIFY_PARAM* param = SSL_get0_param(t->ssl_);
    const int ok = numeric ? X509_VERIFY_PARAM_set1_ip_asc(param, config.host.c_str())
                           : X509_VERIFY_PARAM_set1_host(param, config.host.c_str(), config.host.size());
    if (ok != 1) {
      code = MSE_SSL_CONNECT_ERROR;
      text = "cannot check the certificate against host " + config.host;
      ERR_clear_error();
      return nullptr;
    }
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  }
  return t;
}

TlsTransport::~TlsTransport() {
  SSL_free(ssl_);  // frees the BIOs too
  SSL_CTX_free(ctx_);
}

port::IoResult TlsTransport::pull() {
  std::byte buf[kRecordMax];
  const auto r = net_.recv(fd_, buf, sizeof buf);
  if (r.error == port::NetError::none && r.bytes > 0) BIO_write(in_, buf, static_cast<int>(r.bytes));
  return r;
}

port::IoResult TlsTransport::push() {
  char buf[4096];
  for (;;) {
    const int n = BIO_read(out_, buf, sizeof buf);
    if (n <= 0) break;
    outbox_.append(buf, static_cast<std::size_t>(n));
  }
  std::size_t total = 0;
  while (!outbox_.empty()) {
    const auto r = net_.send(fd_, reinterpret_cast<const std::byte*>(outbox_.data()), outbox_.size());
    if (r.error == port::NetError::would_block || (r.error == port::NetError::none && r.bytes == 0)) break;
    if (r.error != port::NetError::none) return port::IoResult{total, r.error};
    outbox_.erase(0, r.bytes);
    total += r.bytes;
  }
  return port::IoResult{total, port::NetError::none};
}

namespace {
// Everything a memory BIO holds, as text.
std::string drain_bio(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  std::string out = n > 0 && data ? std::string(data, static_cast<std::size_t>(n)) : std::string();
  BIO_free(bio);
  return out;
}

std::vector<std::string> describe(X509* cert) {
  std::vector<std::string> lines;
  auto name_line = [&](const char* label, const X509_NAME* name) {
    BIO* bio = BIO_new(BIO_s_mem());
    if (!bio) return;
    X509_NAME_print_ex(bio, name, 0, XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB);
    lines.push_back(std::string(label) + ":" + drain_bio(bio));
  };
  name_line("Subject", X509_get_subject_name(cert));
  name_line("Issuer", X509_get_issuer_name(cert));
  lines.push_back("Version:" + std::to_string(X509_get_version(cert)));
  if (BIGNUM* serial = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr)) {
    if (char* hex = BN_bn2hex(serial)) {
      lines.push_back(std::string("Serial Number:") + hex);
      OPENSSL_free(hex);
    }
    BN_free(serial);
  }
  lines.push_back(std::string("Signature Algorithm:") + OBJ_nid2ln(X509_get_signature_nid(cert)));
  auto time_line = [&](const char* label, const ASN1_TIME* t) {
    BIO* bio = BIO_new(BIO_s_mem());
    if (!bio) return;
    ASN1_TIME_print(bio, t);
    lines.push_back(std::string(label) + ":" + drain_bio(bio));
  };
  time_line("Start date", X509_get0_notBefore(cert));
  time_line("Expire date", X509_get0_notAfter(cert));
  if (BIO* bio = BIO_new(BIO_s_mem())) {
    PEM_write_bio_X509(bio, cert);
    lines.push_back("Cert:" + drain_bio(bio));
  }
  return lines;
}
}  // namespace

std::vector<std::vector<std::string>> TlsTransport::peer_chain_info() const {
  std::vector<std::vector<std::string>> out;
  if (!handshake_done_ || !ssl_) return out;
  // As sent by the server (the client side's chain includes the server's own certificate).
  STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl_);
  for (int i = 0; chain && i < sk_X509_num(chain); ++i) out.push_back(describe(sk_X509_value(chain, i)));
  return out;
}

TlsTransport::Step TlsTransport::handshake(MSEcode& code, std::string& text) {
  if (handshake_done_) return Step::done;
  ERR_clear_error();
  for (;;) {
    const int rc = SSL_do_handshake(ssl_);
    const auto pushed = push();
    if (pushed.error != port::NetError::none) {
      code = MSE_SSL_CONNECT_ERROR;
      text = std::string("TLS handshake: send failed: ") + port::to_string(pushed.error);
      return Step::failed;
    }
    if (rc == 1) {
      handshake_done_ = true;
      wants_read_ = false;
      return Step::done;
    }
    const int e = SSL_get_error(ssl_, rc);
    if (e == SSL_ERROR_WANT_READ) {
      const auto r = pull();
      if (r.error == port::NetError::none && r.bytes > 0) continue;
      if (r.error == port::NetError::would_block) {
        wants_read_ = true;
        return Step::in_progress;
      }
      code = MSE_SSL_CONNECT_ERROR;
      text = r.error == port::NetError::none
                 ? std::string("TLS handshake: connection closed by the server")
                 : std::string("TLS handshake: ") + port::to_string(r.error);
      return Step::failed;
    }
    if (e == SSL_ERROR_WANT_WRITE) {
      wants_read_ = false;
      return Step::in_progress;
    }
    const long verify = SSL_get_verify_result(ssl_);
    if (verify != X509_V_OK) {
      code = MSE_PEER_FAILED_VERIFICATION;
      text = std::string("SSL certificate problem: ") + X509_verify_cert_error_string(verify);
      ERR_clear_error();
    } else {
      code = MSE_SSL_CONNECT_ERROR;
      text = openssl_reason("TLS handshake failed");
    }
    return Step::failed;
  }
}

port::IoResult TlsTransport::send(const std::byte* data, std::size_t size) {
  if (!outbox_.empty()) {
    const auto r = push();
    if (r.error != port::NetError::none) return port::IoResult{0, r.error};
    if (!outbox_.empty()) return port::IoResult{0, port::NetError::would_block};
  }
  const int n = SSL_write(ssl_, data, static_cast<int>(std::min(size, kRecordMax)));
  if (n <= 0) {
    ERR_clear_error();
    return port::IoResult{0, port::NetError::other};
  }
  // The plaintext is taken even if some ciphertext waits in the outbox: OUT interest
  // (wanted_interest) and flush() finish the job.
  const auto r = push();
  if (r.error != port::NetError::none) return port::IoResult{0, r.error};
  return port::IoResult{static_cast<std::size_t>(n), port::NetError::none};
}

port::IoResult TlsTransport::recv(std::byte* data, std::size_t size) {
  const int want = static_cast<int>(std::min(size, kRecordMax));
  for (;;) {
    const int n = SSL_read(ssl_, data, want);
    if (n > 0) {
      drained_ = false;
      return port::IoResult{static_cast<std::size_t>(n), port::NetError::none};
    }
    const int e = SSL_get_error(ssl_, n);
    if (e == SSL_ERROR_ZERO_RETURN) return port::IoResult{};  // close_notify: orderly end
    if (e == SSL_ERROR_WANT_READ) {
      push();  // a post-handshake message may want an answer
      const auto r = pull();
      if (r.error == port::NetError::none && r.bytes > 0) continue;
      drained_ = true;
      if (r.error == port::NetError::none) return port::IoResult{};  // EOF without close_notify
      return port::IoResult{0, r.error};
    }
    if (e == SSL_ERROR_WANT_WRITE) {
      push();
      drained_ = true;
      return port::IoResult{0, port::NetError::would_block};
    }
    ERR_clear_error();
    drained_ = true;
    return port::IoResult{0, port::NetError::other};
  }
}

port::IoResult TlsTransport::flush() { return push(); }

int TlsTransport::wanted_interest() const {
  int want = 0;
  if (!outbox_.empty()) want |= MS_POLL_OUT;
  if (!handshake_done_ && wants_read_) want |= MS_POLL_IN;
  return want;
}

bool TlsTransport::buffered() const {
  if (drained_) return false;
  return SSL_pending(ssl_) > 0 || BIO_ctrl_pending(in_) > 0;
}

bool TlsTransport::alpn_h2() const {
  const unsigned char* proto = nullptr;
  unsigned int len = 0;
  SSL_get0_alpn_selected(ssl_, &proto, &len);
  return len == 2 && proto[0] == 'h' && proto[1] == '2';
}

}  // namespace ms

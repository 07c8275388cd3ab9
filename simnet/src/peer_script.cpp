// SPDX-License-Identifier: MIT
// peer_script.cpp: the peer script interpreter (PeerRunner), its HTTP/1.1 request reader and
// TLS layer, and the generated body bytes. The parser is in peer_script_parser.cpp, HTTP/2 in
// peer_h2.cpp.
#include "simnet/peer_script.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstring>

#include <openssl/bio.h>
#include <openssl/ssl.h>

#include "simnet/rng.hpp"
#include "simnet/test_pki.hpp"

namespace ms::sim {

namespace {

constexpr std::uint64_t kSizeMax = 1ULL << 30;  // 1 GiB: the largest Content-Length read

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

char generated_body_byte(std::uint64_t index) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::uint64_t state = index ^ 0x6d756c7469736f63ULL;  // a fixed salt: "multisoc"
  return kAlphabet[splitmix64(state) % 62];
}

namespace {

// A splitmix64 per byte was a tenth of a simulated run's instructions (every `send body`
// byte): the bodies peers send are mostly small, so their bytes are copied from here.
constexpr std::size_t kBodyTableSize = 16 * 1024;

const char* body_table() {
  static const std::string table = [] {
    std::string t(kBodyTableSize, '\0');
    for (std::size_t i = 0; i < kBodyTableSize; ++i) t[i] = generated_body_byte(i);
    return t;
  }();
  return table.data();
}

}  // namespace

void copy_generated_body(std::uint64_t first, char* out, std::size_t n) {
  std::size_t k = 0;
  if (first < kBodyTableSize) {
    k = std::min<std::size_t>(n, kBodyTableSize - static_cast<std::size_t>(first));
    std::memcpy(out, body_table() + first, k);
  }
  for (; k < n; ++k) out[k] = generated_body_byte(first + k);
}

std::string generated_body(std::uint64_t size) {
  std::string body(size, '\0');
  copy_generated_body(0, body.data(), body.size());
  return body;
}

namespace {

struct RequestHead {
  std::size_t size = 0;  // head bytes, with the empty line
  std::uint64_t content_length = 0;
  bool chunked = false;
  bool expect_continue = false;
};

bool header_is(std::string_view line, std::string_view lower_name, std::string_view& value) {
  if (line.size() <= lower_name.size()) return false;
  for (std::size_t i = 0; i < lower_name.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(line[i])) != lower_name[i]) return false;
  value = line.substr(lower_name.size());
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  return true;
}

bool contains_lower(std::string_view text, std::string_view lower_word) {
  std::string l(text);
  for (char& c : l) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return l.find(lower_word) != std::string::npos;
}

bool parse_request_head(std::string_view buffer, RequestHead& head) {
  const std::size_t head_end = buffer.find("\r\n\r\n");
  if (head_end == std::string_view::npos) return false;
  head.size = head_end + 4;
  std::size_t line_start = buffer.find("\r\n") + 2;  // skip the request line
  while (line_start < head_end) {
    const std::size_t line_end = buffer.find("\r\n", line_start);
    const std::string_view line = buffer.substr(line_start, line_end - line_start);
    std::string_view v;
    if (header_is(line, "content-length:", v)) {
      std::size_t q = 0;
      while (q < v.size() && v[q] >= '0' && v[q] <= '9') ++q;
      std::uint64_t n = 0;
      if (read_decimal(v.substr(0, q), kSizeMax, n)) head.content_length = n;
    } else if (header_is(line, "transfer-encoding:", v)) {
      head.chunked = contains_lower(v, "chunked");
    } else if (header_is(line, "expect:", v)) {
      head.expect_continue = contains_lower(v, "100-continue");
    }
    line_start = line_end + 2;
  }
  return true;
}

// Length of a complete chunked body at the start of body, or 0 if it is not all there.
std::size_t chunked_body_size(std::string_view body) {
  std::size_t pos = 0;
  for (;;) {
    const std::size_t eol = body.find("\r\n", pos);
    if (eol == std::string_view::npos) return 0;
    std::uint64_t n = 0;
    std::size_t i = pos;
    int digits = 0;
    for (; i < eol && hex_value(body[i]) >= 0 && digits < 12; ++i, ++digits)
      n = n * 16 + static_cast<std::uint64_t>(hex_value(body[i]));
    if (digits == 0) return 0;  // malformed: never complete (the client's fault shows as a hang)
    pos = eol + 2;
    if (n == 0) {
      // trailer lines up to an empty line
      for (;;) {
        const std::size_t t = body.find("\r\n", pos);
        if (t == std::string_view::npos) return 0;
        const bool empty = t == pos;
        pos = t + 2;
        if (empty) return pos;
      }
    }
    if (body.size() < pos + n + 2) return 0;
    pos += static_cast<std::size_t>(n) + 2;
  }
}

}  // namespace

bool complete_http_request(std::string_view buffer, std::size_t& size) {
  RequestHead head;
  if (!parse_request_head(buffer, head)) return false;
  if (head.chunked) {
    const std::size_t body = chunked_body_size(buffer.substr(head.size));
    if (body == 0) return false;
    size = head.size + body;
    return true;
  }
  if (buffer.size() - head.size < head.content_length) return false;
  size = head.size + static_cast<std::size_t>(head.content_length);
  return true;
}

bool awaits_continue(std::string_view buffer) {
  RequestHead head;
  return parse_request_head(buffer, head) && head.expect_continue && buffer.size() == head.size &&
         (head.chunked || head.content_length > 0);
}

// ---- PeerRunner ---------------------------------------------------------------------

void PeerRunner::start(const PeerScript* script, PeerTransport* transport) {
  script_ = script;
  transport_ = transport;
  pc_ = 0;
  sent_ = 0;
  piece_left_ = 0;
  waiting_ = false;
  input_eof_ = false;
  finished_ = false;
  reading_ = true;
  hung_ = false;
  requests_served_ = 0;
  continue_sent_ = false;
  inbox_.clear();
  h2_.reset();
  tls_.reset();
}

PeerRunner::InputMode PeerRunner::input_mode() const {
  if (script_ == nullptr) return InputMode::discard;
  if (finished_) return hung_ ? InputMode::hold : InputMode::discard;
  if (h2_) return InputMode::take;  // HTTP/2's flow control holds the client back instead
  if (pc_ < script_->commands.size() && script_->commands[pc_].op == PeerOp::expect_request)
    return InputMode::take;
  if (tls_handshaking()) return InputMode::take;  // the handshake reads whatever the script does
  return InputMode::hold;
}

void PeerRunner::on_input(const std::byte* data, std::size_t size) {
  if (!reading_ || finished_) return;  // a finished peer discards what arrives
  if (tls_) {
    tls_input(data, size);  // decrypted by tls_pump() in run()
    return;
  }
  inbox_.append(reinterpret_cast<const char*>(data), size);
}

void PeerRunner::on_input_eof() { input_eof_ = true; }

void PeerRunner::finish() {
  finished_ = true;
  reading_ = false;
  inbox_.clear();
}

bool PeerRunner::pause_over(Nanos every) {
  if (!waiting_) {
    waiting_ = true;
    wait_until_ = transport_->peer_now() + every;
    transport_->peer_wake_at(wait_until_);
  }
  if (transport_->peer_now() < wait_until_) return false;
  waiting_ = false;
  return true;
}

bool PeerRunner::step_send(const PeerCommand& cmd) {
  const std::uint64_t total =
      cmd.op == PeerOp::send ? cmd.bytes.size() : cmd.body_bytes;
  std::byte chunk[4096];
  while (sent_ < total) {
    std::uint64_t want = total - sent_;
    if (cmd.piece_bytes != 0) {
      if (piece_left_ == 0) {
        // A pause between pieces, none before the first.
        if (sent_ > 0 && !pause_over(cmd.piece_every)) return false;
        piece_left_ = std::min(cmd.piece_bytes, total - sent_);
      }
      want = piece_left_;
    }
    std::size_t taken = 0;
    if (cmd.op == PeerOp::send) {
      taken = write_out(
          reinterpret_cast<const std::byte*>(cmd.bytes.data()) + sent_,
          static_cast<std::size_t>(want));
    } else {
      const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(want, sizeof chunk));
      copy_generated_body(sent_, reinterpret_cast<char*>(chunk), n);
      taken = write_out(chunk, n);
    }
    if (taken == 0) return false;  // buffer full: run() again when space frees
    sent_ += taken;
    if (cmd.piece_bytes != 0) piece_left_ -= taken;
  }
  sent_ = 0;
  piece_left_ = 0;
  return true;
}

void PeerRunner::run() {
  if (script_ == nullptr) return;
  while (!finished_) {
    if (tls_ && !tls_pump()) return;
    if (h2_ && !h2_pump()) return;
    if (pc_ >= script_->commands.size()) {
      if (!h2_drain() || !tls_close_notify()) return;
      finish();
      transport_->peer_close();
      return;
    }
    const PeerCommand& cmd = script_->commands[pc_];
    switch (cmd.op) {
      case PeerOp::accept:
        ++pc_;
        break;
      case PeerOp::expect_request: {
        std::size_t size = 0;
        if (complete_http_request(inbox_, size)) {
          inbox_.erase(0, size);
          ++requests_served_;
          continue_sent_ = false;
          ++pc_;
        } else if (!cmd.no_continue && !continue_sent_ && !input_eof_ && awaits_continue(inbox_)) {
          // As HTTP servers do: invite the body the client holds back.
          static constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
          if (write_out(reinterpret_cast<const std::byte*>(kContinue), sizeof kContinue - 1) != sizeof kContinue - 1)
            return;  // the buffer is full: try again when it drains
          continue_sent_ = true;
          return;
        } else if (input_eof_) {
          finish();  // the client went away before a full request
          transport_->peer_close();
          return;
        } else {
          return;
        }
        break;
      }
      case PeerOp::send:
      case PeerOp::send_body:
        if (!step_send(cmd)) return;
        ++pc_;
        break;
      case PeerOp::wait:
        if (!waiting_) {
          waiting_ = true;
          wait_until_ = transport_->peer_now() + cmd.duration;
          transport_->peer_wake_at(wait_until_);
        }
        if (transport_->peer_now() < wait_until_) return;
        waiting_ = false;
        ++pc_;
        break;
      case PeerOp::close:
        if (!h2_drain() || !tls_close_notify()) return;
        finish();
        transport_->peer_close();
        return;
      case PeerOp::shutdown:
        if (!h2_drain() || !tls_close_notify()) return;
        transport_->peer_shutdown();
        ++pc_;
        break;
      case PeerOp::reset:
      case PeerOp::refuse:
        finish();
        transport_->peer_reset();
        return;
      case PeerOp::hang:
        hung_ = true;
        finish();  // the connection stays open; nothing is ever sent again
        return;
      case PeerOp::repeat: {
        std::size_t target = 0;
        for (std::size_t i = 0; i < script_->commands.size(); ++i)
          if (script_->commands[i].op == PeerOp::accept) {
            target = i + 1;
            // the session stays up: the handshake is not repeated
            if (target < script_->commands.size() && script_->commands[target].op == PeerOp::tls) ++target;
            break;
          }
        pc_ = target;
        break;
      }
      case PeerOp::tls:
        if (!tls_start(cmd)) {
          finish();
          transport_->peer_reset();
          return;
        }
        ++pc_;
        break;
      case PeerOp::h2:
        if (!h2_start(cmd)) {
          tls_close_notify();
          finish();
          transport_->peer_close();
          return;
        }
        ++pc_;
        break;
      default:  // the other HTTP/2 commands (peer_h2.cpp)
        if (!h2_step(cmd)) return;
        ++pc_;
        break;
    }
  }
}

// ---- TLS server side -------------------------------------------------------------------
// The session reads ciphertext from a memory BIO fed by on_input and writes ciphertext to
// a memory BIO that tls_flush() drains into the transport. The script itself only ever
// sees plaintext: `expect request` reads decrypted bytes, `send` encrypts.

struct PeerRunner::Tls {
  SSL* ssl = nullptr;
  BIO* in = nullptr;   // owned by ssl
  BIO* out = nullptr;  // owned by ssl
  std::string outbox;  // ciphertext the transport has not taken yet
  bool handshake_done = false;
  bool notify_sent = false;
  ~Tls() { SSL_free(ssl); }
};

namespace {
std::atomic<std::uint64_t> g_tls_handshakes_completed{0};
}  // namespace

std::uint64_t tls_handshakes_completed() { return g_tls_handshakes_completed.load(std::memory_order_relaxed); }

bool PeerRunner::tls_start(const PeerCommand& cmd) {
  SSL_CTX* ctx = test_server_context(cmd.tls_name, static_cast<CertKind>(cmd.tls_kind));
  if (ctx == nullptr) return false;
  auto t = std::make_shared<Tls>();
  t->ssl = SSL_new(ctx);
  if (t->ssl == nullptr) return false;
  t->in = BIO_new(BIO_s_mem());
  t->out = BIO_new(BIO_s_mem());
  if (t->in == nullptr || t->out == nullptr) {
    BIO_free(t->in);
    BIO_free(t->out);
    return false;
  }
  BIO_set_mem_eof_return(t->in, -1);  // empty input means "wait", not end of stream
  SSL_set_bio(t->ssl, t->in, t->out);
  SSL_set_accept_state(t->ssl);
  if (pc_ + 1 < script_->commands.size() && script_->commands[pc_ + 1].op == PeerOp::h2)
    test_server_select_h2(t->ssl);
  tls_ = std::move(t);
  // Bytes that arrived before the command ran are the start of the handshake.
  if (!inbox_.empty()) {
    std::string early;
    early.swap(inbox_);
    tls_input(reinterpret_cast<const std::byte*>(early.data()), early.size());
  }
  return true;
}

bool PeerRunner::tls_handshaking() const { return tls_ && !tls_->handshake_done; }

bool PeerRunner::tls_selected_h2() const {
  const unsigned char* proto = nullptr;
  unsigned int size = 0;
  SSL_get0_alpn_selected(tls_->ssl, &proto, &size);
  return size == 2 && proto[0] == 'h' && proto[1] == '2';
}

void PeerRunner::tls_input(const std::byte* data, std::size_t size) {
  if (size > 0) BIO_write(tls_->in, data, static_cast<int>(size));
}

std::size_t PeerRunner::tls_buffered() const {
  return tls_->outbox.size() + BIO_ctrl_pending(tls_->out);
}

bool PeerRunner::tls_flush() {
  Tls& t = *tls_;
  char buf[4096];
  for (;;) {
    const int n = BIO_read(t.out, buf, sizeof buf);
    if (n <= 0) break;
    t.outbox.append(buf, static_cast<std::size_t>(n));
  }
  while (!t.outbox.empty()) {
    const std::size_t taken =
        transport_->peer_write(reinterpret_cast<const std::byte*>(t.outbox.data()), t.outbox.size());
    if (taken == 0) return false;
    t.outbox.erase(0, taken);
  }
  return true;
}

bool PeerRunner::tls_pump() {
  Tls& t = *tls_;
  if (!t.handshake_done) {
    const int rc = SSL_do_handshake(t.ssl);
    tls_flush();  // the server's flight (or its alert) goes out either way
    if (rc != 1) {
      const int e = SSL_get_error(t.ssl, rc);
      if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
        if (input_eof_) {
          finish();
          transport_->peer_close();
        }
        return false;
      }
      // The client gave up (a certificate it rejects, or it does not speak TLS).
      finish();
      transport_->peer_close();
      return false;
    }
    t.handshake_done = true;
    g_tls_handshakes_completed.fetch_add(1, std::memory_order_relaxed);
  }
  char buf[16384];
  for (;;) {
    const int n = SSL_read(t.ssl, buf, sizeof buf);
    if (n > 0) {
      inbox_.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    const int e = SSL_get_error(t.ssl, n);
    if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) input_eof_ = true;  // close_notify or a broken record
    break;
  }
  tls_flush();
  return true;
}

bool PeerRunner::tls_close_notify() {
  if (!tls_ || !tls_->handshake_done) return true;
  if (!tls_->notify_sent) {
    tls_->notify_sent = true;
    SSL_shutdown(tls_->ssl);
  }
  return tls_flush();
}

std::size_t PeerRunner::write_out(const std::byte* data, std::size_t size) {
  if (!tls_) return transport_->peer_write(data, size);
  // Encrypt only when earlier ciphertext is gone, so a full buffer holds the script back
  // as it does for plaintext.
  if (!tls_flush()) return 0;
  const std::size_t n = std::min<std::size_t>(size, 16384);
  const int rc = SSL_write(tls_->ssl, data, static_cast<int>(n));
  if (rc <= 0) return size;  // a broken session: the bytes have nowhere to go
  tls_flush();
  return static_cast<std::size_t>(rc);
}

}  // namespace ms::sim

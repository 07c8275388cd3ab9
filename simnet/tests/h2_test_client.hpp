// SPDX-License-Identifier: MIT
// h2_test_client.hpp: an HTTP/2 client (nghttp2's client session) over a World's virtual
// sockets, optionally over TLS with ALPN, for the tests of `h2` peers. It logs every frame
// it receives as a line of text, so tests check the order of frames on the wire.
#pragma once

#include <nghttp2/nghttp2.h>
#include <openssl/ssl.h>

#include <cstring>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "sim_test_util.hpp"

namespace ms::sim::test {

struct H2Reply {
  int status = 0;
  std::string content_length;  // the header's value, empty when absent
  std::string body;
  bool closed = false;
  std::uint32_t close_code = 0;  // the error code the stream closed with
  bool reset_received = false;
};

class H2Client {
 public:
  // tls: a TLS client offering ALPN h2 and http/1.1 (only http/1.1 when !offer_h2);
  // window >= 0: the client's SETTINGS_INITIAL_WINDOW_SIZE.
  H2Client(World& w, const Address& to, bool tls = false, bool offer_h2 = true, std::int64_t window = -1)
      : w_(w), tls_(tls), offer_h2_(offer_h2) {
    nghttp2_session_callbacks* cbs = nullptr;
    nghttp2_session_callbacks_new(&cbs);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, on_frame_recv);
    nghttp2_session_callbacks_set_on_header_callback(cbs, on_header);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, on_data);
    nghttp2_session_callbacks_set_on_stream_close_callback(cbs, on_close);
    nghttp2_session_callbacks_set_on_frame_send_callback(cbs, on_frame_send);
    nghttp2_session_client_new(&session_, cbs, this);
    nghttp2_session_callbacks_del(cbs);
    nghttp2_settings_entry window_setting{NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE,
                                          static_cast<std::uint32_t>(window)};
    nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, &window_setting, window >= 0 ? 1 : 0);
    EXPECT_EQ(w_.open_stream(to.family, fd_), NetError::none);
    const NetError c = w_.connect(fd_, to);
    EXPECT_TRUE(c == NetError::in_progress || c == NetError::none);
    if (tls_) start_tls();
  }
  ~H2Client() {
    nghttp2_session_del(session_);
    if (ssl_) SSL_free(ssl_);
    if (ctx_) SSL_CTX_free(ctx_);
    if (fd_ >= 0) w_.close(fd_);
  }
  H2Client(const H2Client&) = delete;
  H2Client& operator=(const H2Client&) = delete;

  std::int32_t get(const std::string& path) {
    const nghttp2_nv nv[] = {header(":method", "GET"), header(":scheme", tls_ ? "https" : "http"),
                             header(":authority", "peer.test"), header(":path", path)};
    return nghttp2_submit_request(session_, nullptr, nv, 4, nullptr, nullptr);
  }
  void ping() { nghttp2_submit_ping(session_, NGHTTP2_FLAG_NONE, nullptr); }

  // Drives the client and the world until done() or nothing is left to do before limit.
  bool run_until(const std::function<bool()>& done, port::Nanos limit = 60s) {
    for (;;) {
      if (done()) return true;
      if (step()) continue;
      auto next = w_.next_event_time();
      if (!next || *next > limit) return done();
      w_.advance_to(*next);
    }
  }
  bool all_closed(std::size_t streams) const {
    if (replies.size() < streams) return false;
    for (const auto& [id, r] : replies)
      if (!r.closed) return false;
    return true;
  }
  void close() {
    w_.close(fd_);
    fd_ = -1;
  }
  std::string alpn() const {
    const unsigned char* p = nullptr;
    unsigned int n = 0;
    if (ssl_) SSL_get0_alpn_selected(ssl_, &p, &n);
    return std::string(reinterpret_cast<const char*>(p), n);
  }
  std::uint32_t remote_setting(nghttp2_settings_id id) const {
    return nghttp2_session_get_remote_settings(session_, id);
  }

  std::map<std::int32_t, H2Reply> replies;
  std::vector<std::string> frames;  // "HEADERS 1", "DATA 1 5 END", "RST_STREAM 3 8", ...
  bool eof = false;                 // the server closed the connection
  int session_error = 0;            // nghttp2's error from mem_recv (the server broke HTTP/2)
  bool goaway = false;
  std::uint32_t goaway_code = 0;
  std::int32_t goaway_last = -1;
  port::Nanos settings_at{-1};      // when the server's first SETTINGS arrived
  std::vector<std::string> sent;   // the client's own GOAWAY and RST_STREAM frames: "GOAWAY 3"

 private:
  // value must outlive the submit call (a literal, or the caller's string)
  static nghttp2_nv header(const char* name, std::string_view value) {
    return {reinterpret_cast<std::uint8_t*>(const_cast<char*>(name)),
            reinterpret_cast<std::uint8_t*>(const_cast<char*>(value.data())), std::strlen(name),
            value.size(), NGHTTP2_NV_FLAG_NONE};
  }
  static H2Client& self(void* p) { return *static_cast<H2Client*>(p); }
  static int on_frame_recv(nghttp2_session*, const nghttp2_frame* f, void* p) {
    H2Client& c = self(p);
    const char* names[] = {"DATA", "HEADERS", "PRIORITY", "RST_STREAM", "SETTINGS",
                           "PUSH_PROMISE", "PING", "GOAWAY", "WINDOW_UPDATE", "CONTINUATION"};
    std::string line = f->hd.type < 10 ? names[f->hd.type] : "?";
    line += " " + std::to_string(f->hd.stream_id);
    if (f->hd.type == NGHTTP2_DATA) line += " " + std::to_string(f->hd.length);
    if (f->hd.type == NGHTTP2_RST_STREAM) {
      line += " " + std::to_string(f->rst_stream.error_code);
      c.replies[f->hd.stream_id].reset_received = true;
    }
    if (f->hd.type == NGHTTP2_GOAWAY) {
      c.goaway = true;
      c.goaway_code = f->goaway.error_code;
      c.goaway_last = f->goaway.last_stream_id;
      line += " " + std::to_string(f->goaway.error_code) + " " + std::to_string(f->goaway.last_stream_id);
    }
    if (f->hd.type == NGHTTP2_SETTINGS && (f->hd.flags & NGHTTP2_FLAG_ACK) == 0 && c.settings_at.count() < 0)
      c.settings_at = c.w_.now();
    if ((f->hd.type == NGHTTP2_SETTINGS || f->hd.type == NGHTTP2_PING) && (f->hd.flags & NGHTTP2_FLAG_ACK))
      line += " ACK";
    if ((f->hd.type == NGHTTP2_DATA || f->hd.type == NGHTTP2_HEADERS) && (f->hd.flags & NGHTTP2_FLAG_END_STREAM))
      line += " END";
    c.frames.push_back(line);
    return 0;
  }
  static int on_frame_send(nghttp2_session*, const nghttp2_frame* f, void* p) {
    H2Client& c = self(p);
    if (f->hd.type == NGHTTP2_GOAWAY) c.sent.push_back("GOAWAY " + std::to_string(f->goaway.error_code));
    if (f->hd.type == NGHTTP2_RST_STREAM)
      c.sent.push_back("RST_STREAM " + std::to_string(f->hd.stream_id) + " " +
                       std::to_string(f->rst_stream.error_code));
    return 0;
  }
  static int on_header(nghttp2_session*, const nghttp2_frame* f, const std::uint8_t* name, std::size_t nlen,
                       const std::uint8_t* value, std::size_t vlen, std::uint8_t, void* p) {
    const std::string n(reinterpret_cast<const char*>(name), nlen);
    const std::string v(reinterpret_cast<const char*>(value), vlen);
    H2Reply& r = self(p).replies[f->hd.stream_id];
    if (n == ":status") r.status = std::stoi(v);
    if (n == "content-length") r.content_length = v;
    return 0;
  }
  static int on_data(nghttp2_session*, std::uint8_t, std::int32_t id, const std::uint8_t* data,
                     std::size_t len, void* p) {
    self(p).replies[id].body.append(reinterpret_cast<const char*>(data), len);
    return 0;
  }
  static int on_close(nghttp2_session*, std::int32_t id, std::uint32_t code, void* p) {
    H2Reply& r = self(p).replies[id];
    r.closed = true;
    r.close_code = code;
    return 0;
  }

  void start_tls() {
    ctx_ = SSL_CTX_new(TLS_client_method());
    static const unsigned char kAlpn[] = {2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
    const std::size_t skip = offer_h2_ ? 0 : 3;
    SSL_CTX_set_alpn_protos(ctx_, kAlpn + skip, static_cast<unsigned int>(sizeof kAlpn - skip));
    ssl_ = SSL_new(ctx_);
    BIO* in = BIO_new(BIO_s_mem());
    BIO* out = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(in, -1);
    SSL_set_bio(ssl_, in, out);
    SSL_set_connect_state(ssl_);
    in_ = in;
    out_ = out;
  }

  // One round of moves; true when anything happened.
  bool step() {
    bool progress = false;
    const int ready = w_.readiness(fd_);
    if (!connected_) {
      if (ready == 0) return false;
      EXPECT_EQ(w_.take_error(fd_), NetError::none);
      connected_ = true;
      progress = true;
    }
    // plaintext toward the server: the session's frames, through TLS when there is TLS
    if (!tls_ || SSL_is_init_finished(ssl_)) {
      for (;;) {
        const std::uint8_t* data = nullptr;
        const ssize_t n = nghttp2_session_mem_send(session_, &data);
        if (n <= 0) break;
        if (tls_) SSL_write(ssl_, data, static_cast<int>(n));
        else wire_out_.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
      }
    } else {
      SSL_do_handshake(ssl_);
    }
    if (tls_) {
      char buf[16384];
      int n;
      while ((n = BIO_read(out_, buf, sizeof buf)) > 0) wire_out_.append(buf, static_cast<std::size_t>(n));
    }
    if (!wire_out_.empty() && (ready & port::kWritable)) {
      auto r = w_.send(fd_, reinterpret_cast<const std::byte*>(wire_out_.data()), wire_out_.size());
      if (r.error == NetError::none && r.bytes > 0) {
        wire_out_.erase(0, r.bytes);
        progress = true;
      }
    }
    if (!eof && (ready & (port::kReadable | port::kError))) {
      std::byte buf[16384];
      auto r = w_.recv(fd_, buf, sizeof buf);
      if (r.error == NetError::none && r.bytes == 0) {
        eof = true;
        progress = true;
      } else if (r.error == NetError::none) {
        take(reinterpret_cast<const std::uint8_t*>(buf), r.bytes);
        progress = true;
      } else if (r.error != NetError::would_block) {
        eof = true;
        progress = true;
      }
    }
    return progress;
  }

  void take(const std::uint8_t* data, std::size_t size) {
    if (!tls_) return feed(data, size);
    BIO_write(in_, data, static_cast<int>(size));
    if (!SSL_is_init_finished(ssl_) && SSL_do_handshake(ssl_) != 1) return;
    std::uint8_t plain[16384];
    int n;
    while ((n = SSL_read(ssl_, plain, sizeof plain)) > 0) feed(plain, static_cast<std::size_t>(n));
  }
  void feed(const std::uint8_t* data, std::size_t size) {
    if (session_error != 0) return;
    const ssize_t rv = nghttp2_session_mem_recv(session_, data, size);
    if (rv < 0) session_error = static_cast<int>(rv);
  }

  World& w_;
  bool tls_;
  bool offer_h2_;
  int fd_ = -1;
  bool connected_ = false;
  nghttp2_session* session_ = nullptr;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  BIO* in_ = nullptr;
  BIO* out_ = nullptr;
  std::string wire_out_;
};

}  // namespace ms::sim::test

// SPDX-License-Identifier: MIT
// h2_session.cpp: see h2_session.hpp for who owns what.
//
// Flow: every outside entry (a socket event, a stream opened or let go, a resume) runs
// nghttp2 as far as it goes, sends what it queued, states the interest it needs, and at
// the end (settle) hands an idle session back to the multi, which pools or closes it.
// Callbacks into owners happen only inside nghttp2_session_mem_recv, and an owner that
// ends inside one only marks its stream (detach), so no session is deleted under itself.
#include "h2_session.hpp"

#include <nghttp2/nghttp2.h>

#include <cstring>

#include "mutant.hpp"
#include "transfer_host.hpp"

namespace ms {

namespace {

constexpr std::size_t kMaxReadsPerEvent = 64;       // bursts, then the next event's turn
constexpr std::int32_t kStreamWindow = 1 << 20;     // per stream
constexpr std::int32_t kConnectionWindow = 16 << 20;

nghttp2_nv make_nv(const std::string& name, const std::string& value) {
  return {reinterpret_cast<std::uint8_t*>(const_cast<char*>(name.data())),
          reinterpret_cast<std::uint8_t*>(const_cast<char*>(value.data())), name.size(), value.size(),
          NGHTTP2_NV_FLAG_NONE};
}

std::string close_text(std::int32_t stream, std::uint32_t code) {
  return "HTTP/2 stream " + std::to_string(stream) + " was not closed cleanly: " +
         nghttp2_http2_strerror(code) + " (err " + std::to_string(code) + ")";
}

}  // namespace

void H2Deleter::operator()(H2Session* s) const { delete s; }

// nghttp2's callbacks, with the session as user data.
struct H2Session::Callbacks {
  static H2Session& self(void* user) { return *static_cast<H2Session*>(user); }

  static int on_header(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name, std::size_t namelen,
                       const std::uint8_t* value, std::size_t valuelen, std::uint8_t, void* user) {
    if (frame->hd.type != NGHTTP2_HEADERS) return 0;
    H2Session& s = self(user);
    const std::int32_t id = frame->hd.stream_id;
    Stream* st = s.find(id);
    if (!st) return 0;
    Owner* owner = st->owner;
    const std::string_view n(reinterpret_cast<const char*>(name), namelen);
    const std::string_view v(reinterpret_cast<const char*>(value), valuelen);
    bool ok = true;
    if (n == ":status") {
      int code = 0;
      for (char c : v) code = c >= '0' && c <= '9' && code < 1000 ? code * 10 + (c - '0') : 1000;
      if (code < 100 || code > 999) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;  // resets the stream
      st->status = code;
      ok = owner->on_status(2, 0, code, "HTTP/2 " + std::string(v) + " ");
    } else if (!n.empty() && n.front() != ':') {
      std::string line;
      line.reserve(n.size() + v.size() + 2);
      line.append(n).append(": ").append(v);
      ok = st->final_headers ? owner->on_trailer(n, v, line) : owner->on_header(n, v, line);
    }
    if (!ok) s.owner_refused(id);
    return 0;
  }

  static int on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* user) {
    H2Session& s = self(user);
    if (frame->hd.type == NGHTTP2_GOAWAY) s.goaway_ = true;
    if (frame->hd.type == NGHTTP2_SETTINGS && !(frame->hd.flags & NGHTTP2_FLAG_ACK) && !s.settings_seen_) {
      s.settings_seen_ = true;  // the server's limits are known: waiting transfers may come
      s.release_pending();
    }
    if (frame->hd.type != NGHTTP2_HEADERS) return 0;
    const std::int32_t id = frame->hd.stream_id;
    Stream* st = s.find(id);
    if (!st || st->final_headers) return 0;  // trailers: nothing more to say
    if (st->status >= 200) st->final_headers = true;  // what follows on this stream is trailers
    if (!st->owner->on_headers_end(st->status)) s.owner_refused(id);
    return 0;
  }

  // Windows open as the application takes the bytes: a paused stream's stay shut once its
  // owner holds a window's worth, so a paused transfer holds at most that much.
  static int on_data(nghttp2_session*, std::uint8_t, std::int32_t id, const std::uint8_t* data, std::size_t len,
                     void* user) {
    H2Session& s = self(user);
    Stream* st = s.find(id);
    if (!st) {
      s.consume(id, len);
      return 0;
    }
    Owner* owner = st->owner;
    if (!owner->on_body(std::string_view(reinterpret_cast<const char*>(data), len))) {
      s.owner_refused(id);
      s.consume(id, len);
    } else if (owner->holds_body()) {
      st->held += len;
    } else {
      s.consume(id, len);
    }
    return 0;
  }

  static int on_stream_close(nghttp2_session* session, std::int32_t id, std::uint32_t code, void* user) {
    H2Session& s = self(user);
    Owner* owner = s.owner_of(id);
    if (!owner) return 0;
    s.forget(id);
    if (MS_MUTANT(s.host_.mutant(), h2_remove_early) && !s.streams_.empty()) s.removed_early_ = true;
    const bool refused = code == NGHTTP2_REFUSED_STREAM ||
                         (s.goaway_ && id > nghttp2_session_get_last_proc_stream_id(session) && code != 0);
    if (code == NGHTTP2_NO_ERROR) owner->on_stream_closed(Owner::Close::complete, MSE_OK, {});
    else owner->on_stream_closed(refused ? Owner::Close::refused : Owner::Close::failed, MSE_HTTP2_STREAM,
                                 close_text(id, code));
    return 0;
  }

  static ssize_t read_body(nghttp2_session*, std::int32_t id, std::uint8_t* buf, std::size_t length,
                           std::uint32_t* flags, nghttp2_data_source*, void* user) {
    H2Session& s = self(user);
    Stream* st = s.find(id);
    if (!st) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    if (st->body) {  // a fixed body
      const std::size_t n = std::min(length, st->body->size());
      std::memcpy(buf, st->body->data(), n);
      st->body->remove_prefix(n);
      if (st->body->empty()) *flags |= NGHTTP2_DATA_FLAG_EOF;
      return static_cast<ssize_t>(n);
    }
    Owner* owner = st->owner;
    bool eof = false;
    const long n = owner->read_body(reinterpret_cast<char*>(buf), length, eof);
    if (n < 0) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    if (eof) *flags |= NGHTTP2_DATA_FLAG_EOF;
    if (n == 0 && !eof) return NGHTTP2_ERR_DEFERRED;
    return n;
  }
};

std::unique_ptr<H2Session> H2Session::create(TransferHost& host, Connection& conn, long max_streams) {
  std::unique_ptr<H2Session> s(new H2Session(host, conn, max_streams));
  nghttp2_session_callbacks* cbs = nullptr;
  if (nghttp2_session_callbacks_new(&cbs) != 0) return nullptr;
  nghttp2_session_callbacks_set_on_header_callback(cbs, &Callbacks::on_header);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, &Callbacks::on_frame_recv);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, &Callbacks::on_data);
  nghttp2_session_callbacks_set_on_stream_close_callback(cbs, &Callbacks::on_stream_close);
  nghttp2_option* opt = nullptr;
  if (nghttp2_option_new(&opt) != 0) {
    nghttp2_session_callbacks_del(cbs);
    return nullptr;
  }
  nghttp2_option_set_no_auto_window_update(opt, 1);  // consume() opens the windows
  const int rc = nghttp2_session_client_new2(&s->session_, cbs, s.get(), opt);
  nghttp2_option_del(opt);
  nghttp2_session_callbacks_del(cbs);
  if (rc != 0) return nullptr;
  // No server push (MSMOPT_PUSHFUNCTION is never called), larger windows than the
  // protocol's 64 KiB so one stream is not held to a window per round trip.
  const nghttp2_settings_entry settings[] = {
      {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 100},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, kStreamWindow},
  };
  if (nghttp2_submit_settings(s->session_, NGHTTP2_FLAG_NONE, settings, std::size(settings)) != 0 ||
      nghttp2_session_set_local_window_size(s->session_, NGHTTP2_FLAG_NONE, 0, kConnectionWindow) != 0)
    return nullptr;
  return s;
}

H2Session::H2Session(TransferHost& host, Connection& conn, long max_streams)
    : host_(host), conn_(conn), max_streams_(max_streams) {}

H2Session::~H2Session() { nghttp2_session_del(session_); }

H2Session::Stream* H2Session::find(std::int32_t stream) {
  const auto it = streams_.find(stream);
  return it == streams_.end() ? nullptr : &it->second;
}

H2Session::Owner* H2Session::owner_of(std::int32_t stream) {
  const Stream* st = find(stream);
  return st ? st->owner : nullptr;
}

void H2Session::release_pending() {
  if (!holds_pending_) return;
  holds_pending_ = false;
  host_.h2_pending(conn_.pool_key, false);
}

bool H2Session::reusable() const {
  // nghttp2 stops reading once it has sent GOAWAY itself (a protocol error of the server).
  return !dead_ && !goaway_ && nghttp2_session_want_read(session_);
}

bool H2Session::can_take() const {
  if (dead_ || goaway_ || !nghttp2_session_want_read(session_)) return false;
  if (!streams_.empty() && !settings_seen_) return false;  // its stream limit is not known yet
  const auto open = static_cast<long>(streams_.size());
  const auto peer_max = static_cast<long>(
      nghttp2_session_get_remote_settings(session_, NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS));
  return open < max_streams_ && open < peer_max;
}

void H2Session::take_socket(ms_easy* easy) {
  told_easy_ = easy;
  host_.watch(conn_.fd, this, easy, MS_POLL_IN | conn_.transport->wanted_interest());
}

std::int32_t H2Session::submit(Owner* owner, ms_easy* easy, const std::vector<H2Field>& fields,
                               std::optional<std::string_view> body, bool streamed) {
  std::vector<nghttp2_nv> nva;
  nva.reserve(fields.size());
  for (const auto& f : fields) nva.push_back(make_nv(f.name, f.value));
  nghttp2_data_provider provider{};
  provider.read_callback = &Callbacks::read_body;
  const bool has_body = streamed || (body && !body->empty());
  const std::int32_t id =
      nghttp2_submit_request(session_, nullptr, nva.data(), nva.size(), has_body ? &provider : nullptr, nullptr);
  if (id < 0) return -1;
  Stream& st = streams_[id];
  st.owner = owner;
  st.easy = easy;
  if (has_body && !streamed) st.body = *body;
  told_easy_ = easy;  // the stream that causes the next change is this one
  if (depth_ == 0) {   // inside an entry (a callback of this session), the entry sends
    ++depth_;
    flush();
    --depth_;
    settle();  // a send that failed ended every stream: the multi takes the connection back
  }
  return id;  // (this session may be gone now: nothing of it is touched)
}

void H2Session::consume(std::int32_t stream, std::size_t bytes) {
  if (bytes > 0) nghttp2_session_consume(session_, stream, bytes);
}

void H2Session::forget(std::int32_t stream) {
  const auto it = streams_.find(stream);
  if (it == streams_.end()) return;
  if (it->second.held > 0) nghttp2_session_consume_connection(session_, it->second.held);
  const bool was_told = it->second.easy == told_easy_;
  streams_.erase(it);
  // (The defect h2_stale_easy keeps the ended stream's easy, which its application may
  // have removed and freed by the next change it is told with.)
  if (was_told && !streams_.empty() && !MS_MUTANT(host_.mutant(), h2_stale_easy))
    told_easy_ = streams_.begin()->second.easy;
}

void H2Session::owner_refused(std::int32_t stream) {
  Owner* owner = owner_of(stream);
  if (!owner) return;
  forget(stream);
  nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream, NGHTTP2_CANCEL);
  owner->on_stream_closed(Owner::Close::by_owner, MSE_OK, {});
}

void H2Session::detach(std::int32_t stream) {
  if (owner_of(stream)) {
    forget(stream);
    if (!dead_ && nghttp2_session_find_stream(session_, stream) != nullptr)
      nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream, NGHTTP2_CANCEL);
  }
  if (depth_ > 0) return;  // the entry running now sends and settles
  ++depth_;
  flush();
  --depth_;
  settle();
}

void H2Session::resume_stream(std::int32_t stream) {
  if (dead_ || !owner_of(stream)) return;
  nghttp2_session_resume_data(session_, stream);
  if (depth_ > 0) return;
  ++depth_;
  flush();
  --depth_;
  settle();
}

void H2Session::release_window(std::int32_t stream) {
  Stream* st = find(stream);
  if (dead_ || !st || st->held == 0) return;
  consume(stream, st->held);
  st->held = 0;
  if (depth_ > 0) return;
  ++depth_;
  flush();
  --depth_;
  settle();
}

void H2Session::flush() {
  if (!dead_ && send_pending()) update_interest();
}

bool H2Session::send_pending() {
  for (;;) {
    while (!outbox_.empty()) {
      const auto r = conn_.transport->send(reinterpret_cast<const std::byte*>(outbox_.data()), outbox_.size());
      if (r.error == port::NetError::would_block || (r.error == port::NetError::none && r.bytes == 0)) return true;
      if (r.error != port::NetError::none) {
        fail_all(MSE_SEND_ERROR, std::string("Failed sending data to the peer: ") + port::to_string(r.error));
        return false;
      }
      outbox_.erase(0, r.bytes);
    }
    const std::uint8_t* data = nullptr;
    const ssize_t n = nghttp2_session_mem_send(session_, &data);
    if (n < 0) {
      fail_all(MSE_HTTP2, std::string("Error in the HTTP2 framing layer: ") + nghttp2_strerror(static_cast<int>(n)));
      return false;
    }
    if (n == 0) break;
    outbox_.assign(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
  }
  const auto r = conn_.transport->flush();  // TLS records that did not fit yet
  if (r.error != port::NetError::none && r.error != port::NetError::would_block) {
    fail_all(MSE_SEND_ERROR, std::string("Failed sending data to the peer: ") + port::to_string(r.error));
    return false;
  }
  return true;
}

void H2Session::update_interest() {
  if (dead_ || streams_.empty()) return;  // idle: the multi takes it back (settle)
  if (removed_early_) {  // the defect h2_remove_early: REMOVE, and never watched again
    host_.drop(conn_.fd, this);
    return;
  }
  int want = MS_POLL_IN;
  if (!outbox_.empty()) want |= MS_POLL_OUT;
  want |= conn_.transport->wanted_interest();
  host_.watch(conn_.fd, this, told_easy_, want);
}

void H2Session::receive() {
  // Past the burst's bound, only what TLS already holds is read: no readable event would
  // announce it (each TLS record can be one small response, so one event may bring more
  // records than the bound). Bytes still in the socket wait for the next event.
  for (std::size_t i = 0; (i < kMaxReadsPerEvent || conn_.transport->buffered()) && !dead_; ++i) {
    const auto r = conn_.transport->recv(host_.scratch(), host_.scratch_size());
    if (r.error == port::NetError::would_block) {
      if (conn_.transport->buffered()) continue;  // TLS holds more: no event would announce it
      return;
    }
    if (r.error != port::NetError::none) {
      fail_all(MSE_RECV_ERROR, std::string("Failure when receiving data from the peer: ") + port::to_string(r.error));
      return;
    }
    if (r.bytes == 0) {
      fail_all(MSE_HTTP2_STREAM, "HTTP/2 connection closed with streams open");
      return;
    }
    const auto used = nghttp2_session_mem_recv(session_, reinterpret_cast<const std::uint8_t*>(host_.scratch()), r.bytes);
    if (used < 0) {
      fail_all(MSE_HTTP2, std::string("Error in the HTTP2 framing layer: ") + nghttp2_strerror(static_cast<int>(used)));
      return;
    }
  }
}

void H2Session::on_socket_event(int fd, int mask) {
  if (dead_ || fd != conn_.fd) return;
  ++depth_;
  if (mask & MS_CSELECT_ERR) {
    const auto err = host_.net().take_error(fd);
    if (err != port::NetError::none) fail_all(MSE_RECV_ERROR, std::string("socket error: ") + port::to_string(err));
  }
  if (!dead_ && (mask & MS_CSELECT_IN)) receive();
  flush();
  --depth_;
  settle();
}

void H2Session::fail_all(MSEcode code, const std::string& text) {
  dead_ = true;
  release_pending();
  outbox_.clear();
  ++depth_;
  while (!streams_.empty()) {
    const std::int32_t id = streams_.begin()->first;
    Owner* owner = streams_.begin()->second.owner;
    forget(id);
    const bool unprocessed = goaway_ && id > nghttp2_session_get_last_proc_stream_id(session_);
    owner->on_stream_closed(unprocessed ? Owner::Close::refused : Owner::Close::failed, code, text);
  }
  --depth_;
}

void H2Session::settle() {
  if (depth_ > 0 || !streams_.empty()) return;
  host_.h2_idle(conn_);  // may delete this session
}

}  // namespace ms

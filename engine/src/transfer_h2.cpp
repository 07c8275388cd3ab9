// SPDX-License-Identifier: MIT
// transfer_h2.cpp: a transfer as one stream of an HTTP/2 connection. The session
// (h2_session.hpp) reads and writes; the transfer hears its response through the same
// ResponseSink calls as on HTTP/1.1, and its end through on_stream_closed.
#include <cstring>

#include "request_writer.hpp"
#include "transfer.hpp"

namespace ms {

bool Transfer::h2_offer() const {
  const long v = easy_.opt.http_version;
  return url_.is_tls() && !easy_.opt.connect_only &&
         (v == MS_HTTP_VERSION_NONE || v == MS_HTTP_VERSION_2_0 || v == MS_HTTP_VERSION_2TLS ||
          v == MS_HTTP_VERSION_2_PRIOR_KNOWLEDGE);
}

bool Transfer::h2_prior() const {
  return !url_.is_tls() && !easy_.opt.connect_only && easy_.opt.http_version == MS_HTTP_VERSION_2_PRIOR_KNOWLEDGE;
}

bool Transfer::join_h2() {
  if (!h2_possible() || !host_.h2_multiplex()) return false;
  Connection* shared = host_.h2_find(key_);
  if (!shared) return false;
  easy_.info.primary_port = shared->peer.port;
  h2_conn_ = shared;
  begin_request();
  return true;
}

void Transfer::reuse_h2(std::unique_ptr<Connection> conn) {
  if (!h2_possible()) {  // HTTP/1.x asked for: this one cannot serve it
    host_.pool_put(std::move(conn), this);
    open_fresh();
    return;
  }
  conn->reused = true;
  easy_.info.primary_port = conn->peer.port;
  h2_conn_ = host_.h2_adopt(std::move(conn));
  begin_request();
}

bool Transfer::pipewait() {
  if (!easy_.opt.pipewait || !h2_possible() || !host_.h2_multiplex() || !host_.h2_pending_to(key_)) return false;
  // MSOPT_PIPEWAIT: a connection to key being made may multiplex; wait for it.
  pipewaiting_ = true;
  phase_ = Phase::queued;
  host_.enqueue(this);
  update_deadline();
  return true;
}

void Transfer::release_h2() {
  if (!h2_conn_) return;
  Connection* c = h2_conn_;
  h2_conn_ = nullptr;
  const std::int32_t stream = stream_;
  stream_ = -1;
  c->h2->detach(stream);  // may hand the connection back to the multi
}

void Transfer::end_h2_pending() {
  if (!h2_pending_) return;
  h2_pending_ = false;
  host_.h2_pending(key_, false);
}

void Transfer::start_h2() {
  conn_->h2.reset(H2Session::create(host_, *conn_, host_.h2_max_streams()).release());
  if (!conn_->h2) {
    finish(MSE_OUT_OF_MEMORY, "cannot make an HTTP/2 session");
    return;
  }
  Connection* c = host_.h2_adopt(std::move(conn_));
  if (h2_pending_) {  // the session holds it until the server's SETTINGS confirm the stream limit
    h2_pending_ = false;
    c->h2->hold_pending();
  }
  // The session watches the socket before this transfer lets go of it: the application
  // sees the socket's interest change, never a REMOVE and a new registration.
  c->h2->take_socket(&easy_);
  host_.drop(c->fd, this);
  h2_conn_ = c;
  if (easy_.opt.verbose) delivery().debug(MSINFOTYPE_TEXT, "Using HTTP/2\n");
  begin_request();
}

void Transfer::submit_h2(Connection* c, const RequestSpec& spec) {
  const auto head_end = request_.find("\r\n\r\n");
  const auto fields = h2_fields(std::string_view(request_).substr(0, head_end), url_.scheme);
  std::string().swap(request_);
  easy_.info.size_upload += static_cast<std::int64_t>(body_size_);
  h2_content_length_ = -1;
  phase_ = Phase::receiving;
  const std::int32_t id = c->h2->submit(this, &easy_, fields, spec.body, upload().active());
  if (phase_ == Phase::done) return;  // the connection failed at once: on_stream_closed ended it
  if (id < 0) {
    finish(MSE_HTTP2, "cannot open an HTTP/2 stream");
    return;
  }
  stream_ = id;
  update_deadline();
}

void Transfer::on_stream_closed(Close how, MSEcode code, const std::string& text) {
  stream_ = -1;  // the session has forgotten this stream
  h2_conn_ = nullptr;
  switch (how) {
    case Close::complete:
      on_response_complete(true);
      return;
    case Close::by_owner:
      finish_refused();
      return;
    case Close::refused:
      // Never processed by the server: once more, on another connection.
      if (!retried_) {
        retried_ = true;
        begin(true);
        return;
      }
      finish(code, text.c_str());
      return;
    case Close::failed:
      finish(code, text.c_str());
      return;
  }
}

long Transfer::read_body(char* out, std::size_t size, bool& eof) {
  for (;;) {
    const std::string_view unsent = upload().unsent();
    if (!unsent.empty()) {
      const std::size_t n = std::min(size, unsent.size());
      std::memcpy(out, unsent.data(), n);
      upload().sent(n);
      return static_cast<long>(n);
    }
    if (upload().eof()) {
      upload().done();
      eof = true;
      return 0;
    }
    if (send_paused()) return 0;
    switch (upload().fill(host_, easy_)) {
      case Upload::Fill::ready: continue;
      case Upload::Fill::paused: return 0;
      case Upload::Fill::aborted: finish(MSE_ABORTED_BY_CALLBACK, "operation aborted by callback"); return -1;
      case Upload::Fill::too_much: finish(MSE_READ_ERROR, "read function returned funny value"); return -1;
      case Upload::Fill::too_short:
        finish(MSE_READ_ERROR, "the read callback ended the upload before its size");
        return -1;
    }
  }
}

}  // namespace ms

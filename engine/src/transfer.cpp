// SPDX-License-Identifier: MIT
// transfer.cpp: the phases of a transfer, its request, and its end. The deadlines are in
// transfer_deadlines.cpp, the response in transfer_response.cpp.
#include "transfer.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "headers.hpp"
#include "mutant.hpp"
#include "request_writer.hpp"

namespace ms {

using port::Nanos;
using namespace std::chrono_literals;

namespace {
constexpr Nanos kDefaultConnectTimeout = 300s;
constexpr Nanos kExpectContinueWait = 1s;  // libcurl's CURLOPT_EXPECT_100_TIMEOUT_MS default
}  // namespace

Transfer::Transfer(TransferHost& host, ms_easy& easy)
    : host_(host), easy_(easy) {}

Transfer::~Transfer() = default;

void Transfer::schedule_start(Nanos at) {
  phase_ = Phase::pending;
  start_at_ = at;
  update_deadline();
}

void Transfer::start() {
  const Nanos now = host_.now();
  started_at_ = now;
  Nanos late{0};
  if (MS_MUTANT(host_.mutant(), timeout_early)) late = 1ms;
  connect_deadline_ = now + (easy_.opt.connect_timeout_ms > 0
                                 ? Nanos(std::chrono::milliseconds(easy_.opt.connect_timeout_ms))
                                 : kDefaultConnectTimeout) + late;
  if (easy_.opt.timeout_ms > 0)
    total_deadline_ = now + std::chrono::milliseconds(easy_.opt.timeout_ms) + late;
  easy_.info.effective_url = easy_.opt.url;
  if (easy_.opt.rare().curlu) {
    // MSOPT_CURLU wins over MSOPT_URL; a handle that cannot make a URL leaves none.
    char* text = nullptr;
    easy_.info.effective_url.clear();
    if (ms_url_get(easy_.opt.rare().curlu, MSUPART_URL, &text, 0) == MSUE_OK) easy_.info.effective_url = text;
    std::free(text);
  }
  if (easy_.headers) easy_.headers->clear();
  easy_.info.clear_certinfo();
  progress_next_.reset();
  if (progress_wanted()) progress_next_ = now;  // a first call right after the start
  if (easy_.info.effective_url.empty()) {
    phase_ = Phase::resolving;
    finish(MSE_URL_MALFORMAT, "No URL set");
    return;
  }
  begin(!easy_.opt.fresh_connect);
}

void Transfer::begin(bool allow_reuse) {
  phase_ = Phase::resolving;
  http::UrlError err;
  auto url = http::parse_url(easy_.info.effective_url, &err);
  if (!url) {
    finish(MSE_URL_MALFORMAT, err.reason.empty() ? nullptr : err.reason.c_str());
    return;
  }
  url_ = std::move(*url);
  key_ = url_.pool_key();
  easy_.info.primary_port = url_.port;
  if (allow_reuse) {
    if (join_h2()) return;
    if (auto conn = host_.pool_take(key_)) {
      if (conn->h2) {
        reuse_h2(std::move(conn));
        return;
      }
      conn_ = std::move(conn);
      conn_->reused = true;
      easy_.info.primary_port = conn_->peer.port;
      begin_request();
      return;
    }
  }
  if (allow_reuse && pipewait()) return;
  open_fresh();
}

void Transfer::open_fresh() {
  if (!slot_) slot_ = host_.acquire_slot(key_);
  if (!slot_) {
    phase_ = Phase::queued;
    host_.enqueue(this);
    update_deadline();
    return;
  }
  phase_ = Phase::resolving;
  if (h2_possible() && host_.h2_multiplex() && !h2_pending_) {
    h2_pending_ = true;
    host_.h2_pending(key_, true);
  }
  connector().start(url_.host, url_.port);
}

void Transfer::leave_queue(ConnLimits::Slot slot) {
  pipewaiting_ = false;
  slot_ = std::move(slot);
  leave_queue_ = true;
  update_deadline();
}

void Transfer::on_connecting() { phase_ = Phase::connecting; }

void Transfer::on_connect_failed(MSEcode code, const std::string& text) { finish(code, text.c_str()); }

void Transfer::on_deadline_changed() { update_deadline(); }

void Transfer::begin_request() {
  end_h2_pending();  // the connection is made: HTTP/2 or not is known
  if (easy_.opt.connect_only) {
    // The connection is the result: it goes to the handle for ms_easy_send/recv.
    host_.keep_connected(std::move(conn_), this, &easy_);
    finish(MSE_OK, nullptr);
    return;
  }
  phase_ = Phase::sending;
  const auto& o = easy_.opt;
  std::optional<std::string_view> body;
  std::string_view method = "GET";
  if (o.postfields || o.post) {
    method = "POST";
    if (o.postfields) {
      const std::size_t n = o.postfield_size >= 0 ? static_cast<std::size_t>(o.postfield_size) : std::strlen(o.postfields);
      body = std::string_view(o.postfields, n);
    } else {
      body = std::string_view();
    }
  }
  if (o.nobody) {
    method = "HEAD";
    body.reset();
  }
  const bool uploading = o.upload && !o.nobody;
  if (uploading && !h2_conn_ && o.http_version == MS_HTTP_VERSION_1_0 && o.infile_size < 0 &&
      !header_overridden(o.http_headers, "Transfer-Encoding")) {
    finish(MSE_UPLOAD_FAILED, "Chunked upload is not possible over HTTP/1.0");  // 1.0 has no chunks
    return;
  }
  if (uploading) {
    method = "PUT";
    body.reset();
  }
  if (!o.rare().custom_request.empty()) method = o.rare().custom_request;
  RequestSpec spec;
  spec.method = method;
  spec.url = &url_;
  spec.user_agent = o.rare().user_agent;
  spec.extra_headers = o.http_headers;
  spec.body = body;
  if (o.rare().has_referer) spec.referer = o.rare().referer;
  spec.http10 = o.http_version == MS_HTTP_VERSION_1_0 && !h2_conn_;
  if (uploading) {
    spec.upload_size = o.infile_size;
    // HTTP/1.0 has no 100 (Continue); the body follows the head at once. HTTP/2 sends
    // the body at once too (a stream can be reset if the server does not want it).
    spec.expect_continue = !spec.http10 && !h2_conn_ && !header_overridden(o.http_headers, "Expect");
  }
  // HTTP/2 frames the body itself: never chunked.
  upload().begin(uploading, o.infile_size,
                uploading && !h2_conn_ && o.infile_size < 0 &&
                    !header_overridden(o.http_headers, "Transfer-Encoding"));
  request_.clear();
  write_request(spec, request_);
  if (o.verbose) {
    const auto head_end = request_.find("\r\n\r\n");
    delivery().debug(MSINFOTYPE_HEADER_OUT,
                    std::string_view(request_).substr(0, head_end == std::string::npos ? request_.size() : head_end + 4));
  }
  body_size_ = body ? body->size() : 0;
  sent_ = 0;
  early_reply_ = false;
  location_.clear();
  follow_this_ = false;
  const Nanos now = host_.now();
  if (o.rare().low_speed_limit > 0 && o.rare().low_speed_time > 0) {
    low_speed_prev_ = now;
    low_speed_bytes_ = easy_.info.size_download + easy_.info.size_upload;
    low_speed_since_.reset();
    low_speed_next_ = now + 1s;
  }
  if (h2_conn_) {
    submit_h2(h2_conn_, spec);
    return;
  }
  do_send();
}

bool Transfer::retry_fresh() {
  // An upload's bytes came from the read callback and cannot be read again.
  const bool can = conn_ && conn_->reused && !retried_ && !parser().bytes_seen() &&
                   !(easy_.opt.upload && easy_.info.size_upload > 0);
  if (!can) return false;
  retried_ = true;
  host_.close_socket(conn_->fd, this, conn_->close_fn, conn_->close_data);
  conn_.reset();
  open_fresh();
  return true;
}

void Transfer::retry_or_finish(MSEcode code, const std::string& text) {
  if (!retry_fresh()) finish(code, text.c_str());
}

void Transfer::do_send() {
  if (request_.empty() && upload().active()) {
    send_body();
    return;
  }
  while (sent_ < request_.size()) {
    const auto r = conn_->transport->send(reinterpret_cast<const std::byte*>(request_.data()) + sent_,
                                          request_.size() - sent_);
    if (r.error == port::NetError::would_block || (r.error == port::NetError::none && r.bytes == 0)) {
      update_interest();
      update_deadline();
      return;
    }
    if (r.error != port::NetError::none) {
      retry_or_finish(MSE_SEND_ERROR, std::string("Failed sending data to the peer: ") + port::to_string(r.error));
      return;
    }
    sent_ += r.bytes;
  }
  easy_.info.size_upload += static_cast<std::int64_t>(body_size_);
  std::string().swap(request_);  // the request is gone: free its memory
  sent_ = 0;
  parser().reset(easy_.opt.nobody);
  if (upload().active()) {
    if (header_overridden(easy_.opt.http_headers, "Expect")) {
      send_body();
      return;
    }
    // Listen for the 100 (or an early final answer) before the body.
    phase_ = Phase::receiving;
    upload().expect(host_.now() + kExpectContinueWait);
    update_interest();
    update_deadline();
    return;
  }
  phase_ = Phase::receiving;
  // A near server may have answered by now: reading at once then saves the application
  // registering the socket for an event that is due already (and, when the answer
  // completes the transfer, unregistering it). One recv when nothing is there yet.
  if (!paused() && !delivery().completion_held()) {
    do_recv(false);
    return;
  }
  update_interest();
  update_deadline();
}

void Transfer::end_expect_wait() {
  upload().end_expect();
  phase_ = Phase::sending;
  send_body();
}

void Transfer::send_body() {
  phase_ = Phase::sending;
  while (!send_paused()) {
    const std::string_view unsent = upload().unsent();
    if (unsent.empty()) {
      if (upload().eof()) {
        upload().done();
        phase_ = Phase::receiving;
        update_interest();
        update_deadline();
        return;
      }
      switch (upload().fill(host_, easy_)) {
        case Upload::Fill::ready: continue;
        case Upload::Fill::paused:
          update_interest();
          update_deadline();
          return;
        case Upload::Fill::aborted: finish(MSE_ABORTED_BY_CALLBACK, "operation aborted by callback"); return;
        case Upload::Fill::too_much: finish(MSE_READ_ERROR, "read function returned funny value"); return;
        case Upload::Fill::too_short:
          finish(MSE_READ_ERROR, "the read callback ended the upload before its size");
          return;
      }
    }
    const auto r = conn_->transport->send(reinterpret_cast<const std::byte*>(unsent.data()), unsent.size());
    if (r.error == port::NetError::would_block || (r.error == port::NetError::none && r.bytes == 0)) break;
    if (r.error != port::NetError::none) {
      std::string text = std::string("Failed sending data to the peer: ") + port::to_string(r.error);
      finish(MSE_SEND_ERROR, text.c_str());
      return;
    }
    upload().sent(r.bytes);
  }
  update_interest();
  update_deadline();
}

void Transfer::update_interest() {
  if (!conn_) return;  // HTTP/2: the session watches the socket
  int want = MS_POLL_NONE;
  // Handshaking: exactly what TLS waits for (a read that needs a write, or the reverse).
  // While sending, IN too: a server may answer (and close) before reading all we send.
  if (phase_ == Phase::sending) want = send_paused() ? MS_POLL_IN : MS_POLL_INOUT;
  if (phase_ == Phase::receiving && !paused() && !delivery().completion_held()) want = MS_POLL_IN;
  want |= conn_->transport->wanted_interest();
  host_.watch(conn_->fd, this, &easy_, want);
}

void Transfer::on_socket_event(int fd, int mask) {
  if (phase_ == Phase::done) return;
  if (fd == connector().resolve_fd() && phase_ == Phase::resolving) {
    connector().on_resolve_event();
    return;
  }
  if (phase_ == Phase::connecting) {
    connector().on_socket_event(fd, mask);
    return;
  }
  if (!conn_ || conn_->fd != fd) return;
  if (mask & MS_CSELECT_ERR) {
    const auto err = host_.net().take_error(fd);
    if (err != port::NetError::none) {
      retry_or_finish(phase_ == Phase::handshaking ? MSE_SSL_CONNECT_ERROR
                      : phase_ == Phase::sending   ? MSE_SEND_ERROR
                                                   : MSE_RECV_ERROR,
                      std::string("socket error: ") + port::to_string(err));
      return;
    }
  }
  if (phase_ == Phase::handshaking) {
    do_handshake();
    return;
  }
  if ((mask & MS_CSELECT_OUT) && phase_ == Phase::receiving &&
      (conn_->transport->wanted_interest() & MS_POLL_OUT)) {
    // TLS ciphertext of the request that the socket did not take at once.
    const auto r = conn_->transport->flush();
    if (r.error != port::NetError::none) {
      std::string text = std::string("Failed sending data to the peer: ") + port::to_string(r.error);
      finish(MSE_SEND_ERROR, text.c_str());
      return;
    }
    update_interest();
  }
  if (phase_ == Phase::sending) {
    if (mask & MS_CSELECT_OUT) do_send();
    if (phase_ == Phase::sending && (mask & MS_CSELECT_IN) &&
        (host_.net().readiness(fd) & port::kReadable))
      early_response();
    return;
  }
  if (phase_ == Phase::receiving && (mask & MS_CSELECT_IN) && !paused()) do_recv();
}

void Transfer::early_response() {
  // The rest of the request is abandoned, so the connection cannot carry another one.
  std::string().swap(request_);
  sent_ = 0;
  early_reply_ = true;
  upload().abandon();
  phase_ = Phase::receiving;
  parser().reset(easy_.opt.nobody);  // a 100 seen before is complete: nothing is lost
  do_recv();
}

void Transfer::pause_changed(bool inside_callback) {
  if (phase_ == Phase::done) return;
  if (inside_callback) {
    // Whoever runs now adjusts interest on return; a resume is done on the next timer.
    if (!paused()) {
      wake_ = true;
      update_deadline();
    }
    return;
  }
  if (!paused() && delivery().stashed()) {
    if (!delivery().flush()) {
      finish(MSE_WRITE_ERROR, "Failure writing output to destination");
      return;
    }
    // Taken by the application: an HTTP/2 stream's window opens again.
    if (!delivery().stashed() && h2_conn_ && stream_ >= 0) h2_conn_->h2->release_window(stream_);
    if (phase_ == Phase::done) return;
  }
  if (!paused() && delivery().completion_held() && !delivery().stashed()) {
    complete(delivery().held_reusable());
    return;
  }
  if (!send_paused() && phase_ == Phase::sending && upload().active() && request_.empty() && !h2_conn_) {
    send_body();
    return;
  }
  if (!send_paused() && h2_conn_ && stream_ >= 0 && upload().active()) {
    h2_conn_->h2->resume_stream(stream_);  // the session asks read_body() again
    if (phase_ == Phase::done) return;
  }
  update_interest();
  update_deadline();
}

void Transfer::pause_set_by_app() {
  pause_changed(false);
  if (phase_ == Phase::done || (paused() && send_paused())) return;
  if (MS_MUTANT(host_.mutant(), no_unpause_timer)) return;
  wake_ = true;  // on_timer clears it and re-checks: one wake-up, never a loop
  update_deadline();
}

void Transfer::release_all(bool keep_connection) {
  if (phase_ == Phase::queued) host_.dequeue(this);
  pipewaiting_ = false;
  end_h2_pending();
  leave_queue_ = false;
  slot_.release();
  if (exchange_) exchange_->connector.release();
  release_h2();
  if (conn_) {
    if (keep_connection) host_.pool_put(std::move(conn_), this);
    else host_.close_socket(conn_->fd, this, conn_->close_fn, conn_->close_data);
    conn_.reset();
  }
  if (exchange_) exchange_->delivery.clear();
  std::string().swap(request_);
}

void Transfer::finish(MSEcode result, const char* text) {
  if (phase_ == Phase::done) return;
  const bool had_started = phase_ != Phase::pending;
  // A connection still held here after success is reusable (complete() closed the others).
  release_all(result == MSE_OK && conn_ != nullptr);
  phase_ = Phase::done;
  wake_ = false;
  drain_ = false;
  host_.set_deadline(easy_, std::nullopt);
  if (had_started) easy_.info.total_time_us = (host_.now() - started_at_) / 1us;
  if (result != MSE_OK && easy_.opt.error_buffer) {
    std::snprintf(easy_.opt.error_buffer, MS_ERROR_SIZE, "%s", text ? text : ms_easy_strerror(result));
  }
  host_.transfer_done(&easy_, result);
}

void Transfer::cancel() {
  if (phase_ == Phase::done) return;
  release_all(false);
  phase_ = Phase::done;
  host_.set_deadline(easy_, std::nullopt);
}

}  // namespace ms

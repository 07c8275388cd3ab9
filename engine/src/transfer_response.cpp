// SPDX-License-Identifier: MIT
// transfer_response.cpp: the response side of a transfer: reading the socket in bounded
// bursts, feeding the parser, the parser's callbacks (status, headers, body), and the end
// of a response (done, or the next hop of a redirect).
#include <charconv>
#include <cstdio>

#include "headers.hpp"
#include "http/ascii.hpp"
#include "mutant.hpp"
#include "transfer.hpp"

namespace ms {

namespace {

constexpr int kReadsPerEvent = 8;  // bounded work per event: others get their turn

bool is_redirect(int code) { return code == 301 || code == 302 || code == 303 || code == 307 || code == 308; }

}  // namespace

void Transfer::finish_refused() {
  finish(delivery().error() != MSE_OK ? delivery().error() : MSE_WRITE_ERROR,
         delivery().error_text().empty() ? nullptr : delivery().error_text().c_str());
}

void Transfer::finish_parse_error(MSEcode fallback) {
  finish(parser().error() != MSE_OK ? parser().error() : fallback,
         parser().error_text() && *parser().error_text() ? parser().error_text() : nullptr);
}

void Transfer::do_recv(bool announced) {
  for (int i = 0; i < kReadsPerEvent && phase_ == Phase::receiving && !paused() && !delivery().completion_held(); ++i) {
    const auto r = conn_->transport->recv(host_.scratch(), host_.scratch_size());
    if (r.error == port::NetError::would_block) {
      if (i == 0 && !announced) {  // nothing yet: wait for it as before, no progress to tell
        update_interest();
        update_deadline();
        return;
      }
      if (i == 0 && MS_MUTANT(host_.mutant(), spurious_fails)) {
        finish(MSE_RECV_ERROR, "nothing to read");
        return;
      }
      break;
    }
    if (r.error != port::NetError::none) {
      retry_or_finish(MSE_RECV_ERROR,
                      std::string("Failure when receiving data from the peer: ") + port::to_string(r.error));
      return;
    }
    if (r.bytes == 0) {  // orderly close
      if (retry_fresh()) return;
      const auto st = parser().on_eof(*this);
      if (st == http::ParseStatus::complete) on_response_complete(false);
      else if (st == http::ParseStatus::aborted) finish_refused();
      else finish_parse_error(MSE_PARTIAL_FILE);
      return;
    }
    feed(std::string_view(reinterpret_cast<const char*>(host_.scratch()), r.bytes));
    if (upload().continued() && phase_ == Phase::receiving) {
      end_expect_wait();  // 100 Continue: the body goes now
      return;
    }
  }
  if (phase_ == Phase::done) return;
  if (!progress()) return;
  // Decrypted bytes left inside TLS: no readable event will announce them.
  drain_ = phase_ == Phase::receiving && conn_ && conn_->transport->buffered();
  update_interest();
  update_deadline();
}

void Transfer::feed(std::string_view bytes) {
  std::size_t consumed = 0;
  const auto st = parser().feed(bytes, *this, &consumed);
  switch (st) {
    case http::ParseStatus::need_more:
      return;
    case http::ParseStatus::complete:
      on_response_complete(consumed == bytes.size());
      return;
    case http::ParseStatus::error:
      finish_parse_error(MSE_WEIRD_SERVER_REPLY);
      return;
    case http::ParseStatus::aborted:
      finish_refused();
      return;
  }
}

void Transfer::on_response_complete(bool reusable) {
  reusable = reusable && parser().keep_alive() && !easy_.opt.forbid_reuse && !early_reply_;
  if (delivery().stashed()) {
    delivery().hold_completion(reusable);
    update_interest();
    return;
  }
  complete(reusable);
}

void Transfer::complete(bool reusable) {
  delivery().release_completion();
  if (follow_this_) {
    if (easy_.opt.max_redirs >= 0 && easy_.info.redirect_count >= easy_.opt.max_redirs) {
      char text[64];
      std::snprintf(text, sizeof text, "Maximum (%ld) redirects followed", easy_.opt.max_redirs);
      finish(MSE_TOO_MANY_REDIRECTS, text);
      return;
    }
    ++easy_.info.redirect_count;
    std::string next = easy_.info.redirect_url;
    easy_.info.redirect_url.clear();
    if (conn_) {
      if (reusable) {
        host_.pool_put(std::move(conn_), this);
      } else {
        host_.close_socket(conn_->fd, this, conn_->close_fn, conn_->close_data);
        conn_.reset();
      }
    }
    easy_.info.effective_url = std::move(next);
    retried_ = false;
    begin(true);
    return;
  }
  if (!progress()) return;
  if (conn_ && !reusable) {
    host_.close_socket(conn_->fd, this, conn_->close_fn, conn_->close_data);
    conn_.reset();
  }
  finish(MSE_OK);
}

void Transfer::keep_header(std::string_view name, std::string_view value, unsigned origin) {
  if (!easy_.headers) easy_.headers = std::make_unique<HeaderStore>();
  // Request n of the transfer: the first, then one more per followed redirect.
  easy_.headers->add(name, value, origin, static_cast<int>(easy_.info.redirect_count));
}

bool Transfer::on_status(int major, int minor, int code, std::string_view line) {
  header_origin_ = code < 200 ? MSH_1XX : MSH_HEADER;
  easy_.info.http_version = major >= 2 ? MS_HTTP_VERSION_2_0 : minor == 0 ? MS_HTTP_VERSION_1_0 : MS_HTTP_VERSION_1_1;
  easy_.info.response_code = code;
  easy_.info.content_type.clear();
  easy_.info.has_content_type = false;
  location_.clear();
  return delivery().header(line);
}

bool Transfer::on_header(std::string_view name, std::string_view value, std::string_view raw_line) {
  keep_header(name, value, header_origin_);
  if (http::ascii_iequals(name, "Location")) location_.assign(value);
  if (h2_conn_ && http::ascii_iequals(name, "content-length")) {
    // HTTP/2 frames the body itself; nghttp2 has checked the value against the DATA.
    std::int64_t n = -1;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    h2_content_length_ = ec == std::errc() && end == value.data() + value.size() ? n : -1;
  }
  if (http::ascii_iequals(name, "Content-Type")) {
    easy_.info.content_type.assign(value);
    easy_.info.has_content_type = true;
  }
  return delivery().header(raw_line);
}

bool Transfer::on_trailer(std::string_view name, std::string_view value, std::string_view) {
  keep_header(name, value, MSH_TRAILER);  // kept for ms_easy_header only, as before
  return true;
}

bool Transfer::on_headers_end(int code) {
  if (!delivery().header({})) return false;
  if (code == 100) upload().on_continue();
  if (code < 200) return true;
  if (easy_.opt.fail_on_error && code >= 400) {
    // MSOPT_FAILONERROR: the error page is not delivered; the transfer fails here.
    delivery().refuse(MSE_HTTP_RETURNED_ERROR, "The requested URL returned error: " + std::to_string(code));
    return false;
  }
  if (upload().expecting() || upload().active()) {
    // A final answer before the body was sent: the body is abandoned, and the
    // connection with it.
    upload().stop();
    early_reply_ = true;
  }
  easy_.info.content_length = h2_conn_ ? h2_content_length_ : parser().content_length();
  easy_.info.redirect_url.clear();
  follow_this_ = false;
  if (is_redirect(code) && !location_.empty()) {
    if (auto next = http::resolve_reference(url_, location_)) {
      easy_.info.redirect_url = next->to_string();
      follow_this_ = easy_.opt.follow_location;
    }
  }
  return true;
}

bool Transfer::on_body(std::string_view bytes) {
  easy_.info.size_download += static_cast<std::int64_t>(bytes.size());
  if (follow_this_) return true;  // a followed redirect's body is not the application's
  return delivery().body(bytes);
}

}  // namespace ms

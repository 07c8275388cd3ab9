// SPDX-License-Identifier: MIT
// response_parser.cpp: incremental HTTP/1.x response parser.
//
// How it works: one state machine, driven byte range by byte range. The header path
// (status line, header fields, chunk-size lines, trailers) copies bytes into `line_`
// until a LF, bounded by ParserLimits before anything is appended. A complete header
// field waits in `pending_` until the first byte of the next line shows whether an
// obsolete fold (a line starting with SP or HT) continues it; folds are joined with one
// SP. The body path never copies: it hands slices of the caller's buffer to the sink,
// and never looks past `data.size()`.
//
// Error codes follow libcurl (7.88 and later) where it has a clear answer:
//   not "HTTP/1.x", bad status code, malformed field, bad Content-Length -> WEIRD_SERVER_REPLY
//   a limit exceeded (line, field count, total header bytes)        -> RECV_ERROR
//   bad chunked framing (size, CRLF, overflow)                       -> RECV_ERROR
//   EOF before any byte                                              -> GOT_NOTHING
//   EOF inside the header block (also after a 1xx)                   -> RECV_ERROR
//   EOF inside a body of known length or a chunked body              -> PARTIAL_FILE
#include "http/response_parser.hpp"
#include "http/ascii.hpp"

#include <algorithm>
#include <cstring>
#include <limits>

namespace ms::http {
namespace {

constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();

bool is_tchar(unsigned char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return std::strchr("!#$%&'*+-.^_`|~", c) != nullptr && c != 0;
}

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}


// Calls f(token) for each OWS-trimmed, non-empty element of a comma-separated list.
template <class F>
void for_each_token(std::string_view list, F f) {
  while (!list.empty()) {
    std::size_t comma = list.find(',');
    std::string_view item = trim_ows(list.substr(0, comma));
    if (!item.empty()) f(item);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
}


bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

ResponseParser::ResponseParser(ParserLimits limits) : limits_(limits) { reset(false); }

void ResponseParser::reset(bool is_head_request) {
  error_ = MSE_OK;
  error_text_ = "";
  code_ = 0;
  body_kind_ = BodyKind::none;
  content_length_ = -1;
  body_received_ = 0;
  header_bytes_ = 0;
  keep_alive_ = true;
  bytes_seen_ = false;
  is_head_ = is_head_request;
  state_ = State::status_line;
  line_.clear();  // keeps capacity: a reused parser does not allocate again
  pending_.clear();
  have_pending_ = false;
  in_trailers_ = false;
  header_count_ = 0;
  major_ = minor_ = 0;
  te_seen_ = te_chunked_ = conn_close_ = conn_keep_alive_ = false;
  chunk_size_ = chunk_remaining_ = 0;
  chunk_line_len_ = 0;
  chunk_digits_ = 0;
  chunk_size_ended_ = false;
}

bool ResponseParser::fail(MSEcode code, const char* text) {
  error_ = code;
  error_text_ = text;
  keep_alive_ = false;
  state_ = State::failed;
  return false;
}

ParseStatus ResponseParser::stop_aborted() {
  keep_alive_ = false;
  state_ = State::aborted;
  return ParseStatus::aborted;
}

ParseStatus ResponseParser::feed(std::string_view data, ResponseSink& sink,
                                 std::size_t* consumed) {
  std::size_t pos = 0;
  ParseStatus status = run(data, sink, pos);
  if (consumed != nullptr) *consumed = pos;
  return status;
}

ResponseParser::Line ResponseParser::take_line(std::string_view data, std::size_t& pos,
                                               std::size_t line_max,
                                               const char* too_long_text) {
  const char* start = data.data() + pos;
  std::size_t avail = data.size() - pos;
  const void* lf = std::memchr(start, '\n', avail);
  std::size_t seg = lf != nullptr ? static_cast<std::size_t>(static_cast<const char*>(lf) - start)
                                  : avail;
  std::size_t used = seg + (lf != nullptr ? 1 : 0);
  // One byte of slack: the last byte may still turn out to be the CR of CRLF.
  if (line_.size() + seg > line_max + 1) {
    fail(MSE_RECV_ERROR, too_long_text);
    return Line::failed;
  }
  if (header_bytes_ + used > limits_.header_total_max) {
    fail(MSE_RECV_ERROR, "header too large");
    return Line::failed;
  }
  header_bytes_ += used;
  line_.append(start, seg);
  pos += used;
  if (lf == nullptr) return Line::need_more;
  if (!line_.empty() && line_.back() == '\r') line_.pop_back();
  if (line_.size() > line_max) {
    fail(MSE_RECV_ERROR, too_long_text);
    return Line::failed;
  }
  if (line_.find('\0') != std::string::npos) {
    fail(MSE_WEIRD_SERVER_REPLY, "NUL byte in header");
    return Line::failed;
  }
  return Line::ready;
}

bool ResponseParser::status_line_done(ResponseSink& sink) {
  // "HTTP/" DIGIT "." DIGIT SP 3DIGIT [ SP reason ]
  std::string_view s = line_;
  // Same text as the early check in run(), whatever the split of the bytes.
  if (!s.starts_with("HTTP/")) return fail(MSE_WEIRD_SERVER_REPLY, "not an HTTP/1.x response");
  if (s.size() < 12 || !is_digit(s[5]) || s[6] != '.' ||
      !is_digit(s[7]) || s[8] != ' ') {
    return fail(MSE_WEIRD_SERVER_REPLY, "invalid status line");
  }
  int major = s[5] - '0';
  int minor = s[7] - '0';
  if (major != 1 || minor > 1) return fail(MSE_WEIRD_SERVER_REPLY, "unsupported HTTP version");
  if (!is_digit(s[9]) || !is_digit(s[10]) || !is_digit(s[11]) || s[9] == '0' ||
      (s.size() > 12 && s[12] != ' ')) {
    return fail(MSE_WEIRD_SERVER_REPLY, "invalid status code");
  }
  int code = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
  if (code == 101) {
    return fail(MSE_WEIRD_SERVER_REPLY, "101 Switching Protocols is not supported");
  }
  major_ = major;
  minor_ = minor;
  code_ = code;
  header_count_ = 0;
  have_pending_ = false;
  state_ = State::header_line;
  if (!sink.on_status(major, minor, code, s)) {
    stop_aborted();
    return false;
  }
  return true;
}

bool ResponseParser::interpret_header(std::string_view name, std::string_view value) {
  if (ascii_iequals(name, "Content-Length")) {
    // A list of identical values ("5, 5") is one length (RFC 9110 8.6); anything else is
    // a framing ambiguity that response smuggling relies on, so it is refused.
    bool any = false;
    bool bad = false;
    bool too_big = false;
    std::int64_t result = -1;
    for_each_token(value, [&](std::string_view token) {
      any = true;
      std::int64_t v = 0;
      for (char c : token) {
        if (!is_digit(c)) {
          bad = true;
          return;
        }
        int d = c - '0';
        if (v > (kInt64Max - d) / 10) {
          too_big = true;
          return;
        }
        v = v * 10 + d;
      }
      if (result >= 0 && v != result) bad = true;
      result = v;
    });
    if (too_big) return fail(MSE_WEIRD_SERVER_REPLY, "Content-Length too large");
    if (bad || !any) return fail(MSE_WEIRD_SERVER_REPLY, "invalid Content-Length");
    if (content_length_ >= 0 && content_length_ != result) {
      return fail(MSE_WEIRD_SERVER_REPLY, "conflicting Content-Length");
    }
    content_length_ = result;
  } else if (ascii_iequals(name, "Transfer-Encoding")) {
    // Several fields form one list: only the last coding decides whether it is chunked.
    for_each_token(value, [&](std::string_view token) {
      te_seen_ = true;
      te_chunked_ = ascii_iequals(token, "chunked");
    });
  } else if (ascii_iequals(name, "Connection")) {
    for_each_token(value, [&](std::string_view token) {
      if (ascii_iequals(token, "close")) conn_close_ = true;
      if (ascii_iequals(token, "keep-alive")) conn_keep_alive_ = true;
    });
  }
  return true;
}

bool ResponseParser::flush_pending(ResponseSink& sink) {
  if (!have_pending_) return true;
  have_pending_ = false;
  std::string_view raw = pending_;
  std::size_t colon = raw.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    return fail(MSE_WEIRD_SERVER_REPLY, "malformed header line");
  }
  std::string_view name = raw.substr(0, colon);
  for (char c : name) {
    if (!is_tchar(static_cast<unsigned char>(c))) {
      return fail(MSE_WEIRD_SERVER_REPLY, "malformed header line");
    }
  }
  std::string_view value = trim_ows(raw.substr(colon + 1));
  if (++header_count_ > limits_.header_count_max) {
    return fail(MSE_RECV_ERROR, "too many header fields");
  }
  bool keep_going;
  if (in_trailers_) {
    // Trailers never change framing: a Content-Length here is only information.
    keep_going = sink.on_trailer(name, value, raw);
  } else {
    if (code_ >= 200 && !interpret_header(name, value)) return false;
    keep_going = sink.on_header(name, value, raw);
  }
  if (!keep_going) {
    stop_aborted();
    return false;
  }
  return true;
}

bool ResponseParser::header_line_done(ResponseSink& sink) {
  if (line_.empty()) {
    if (!flush_pending(sink)) return false;
    if (in_trailers_) {
      state_ = State::done;
      return true;
    }
    return headers_done(sink);
  }
  if (is_ows(line_.front())) {
    // obs-fold (RFC 9110 5.5): joined to the previous field with one SP.
    if (!have_pending_) return fail(MSE_WEIRD_SERVER_REPLY, "folded line without a header");
    std::string_view more = trim_ows(line_);
    if (pending_.size() + 1 + more.size() > limits_.header_line_max) {
      return fail(MSE_RECV_ERROR, "header line too large");
    }
    if (!more.empty()) {
      pending_ += ' ';
      pending_.append(more);
    }
    line_.clear();
    return true;
  }
  if (!flush_pending(sink)) return false;
  pending_.swap(line_);
  have_pending_ = true;
  line_.clear();
  return true;
}

bool ResponseParser::headers_done(ResponseSink& sink) {
  if (!sink.on_headers_end(code_)) {
    stop_aborted();
    return false;
  }
  if (code_ < 200) {
    // Interim response: its block is over, the real one follows.
    state_ = State::status_line;
    return true;
  }
  bool http11 = minor_ == 1;
  keep_alive_ = http11 ? !conn_close_ : (conn_keep_alive_ && !conn_close_);
  if (is_head_ || code_ == 204 || code_ == 304) {
    body_kind_ = BodyKind::none;
    state_ = State::done;
  } else if (te_seen_) {
    if (content_length_ >= 0) keep_alive_ = false;  // both framings: never reuse
    if (te_chunked_) {
      body_kind_ = BodyKind::chunked;
      enter_chunk_size();
    } else {
      body_kind_ = BodyKind::until_close;  // RFC 9112 6.3: not chunked last -> read to close
      keep_alive_ = false;
      state_ = State::body_close;
    }
  } else if (content_length_ >= 0) {
    body_kind_ = BodyKind::content_length;
    state_ = content_length_ == 0 ? State::done : State::body_length;
  } else {
    body_kind_ = BodyKind::until_close;
    keep_alive_ = false;
    state_ = State::body_close;
  }
  return true;
}

// The header path: the status line, header fields and trailers, a line at a time.
void ResponseParser::step_head(std::string_view data, ResponseSink& sink, std::size_t& pos) {
  switch (state_) {
    case State::status_line: {
      Line r = take_line(data, pos, limits_.status_line_max, "status line too large");
      if (r == Line::failed) return;
      // Refuse a non-HTTP reply at once instead of waiting for a LF that may never come.
      std::size_t n = std::min<std::size_t>(line_.size(), 5);
      if (line_.compare(0, n, std::string_view("HTTP/").substr(0, n)) != 0) {
        fail(MSE_WEIRD_SERVER_REPLY, "not an HTTP/1.x response");
        return;
      }
      if (r == Line::ready) {
        status_line_done(sink);
        line_.clear();
      }
      return;
    }
    case State::header_line:
    case State::trailer_line: {
      Line r = take_line(data, pos, limits_.header_line_max, "header line too large");
      if (r == Line::ready) header_line_done(sink);
      return;
    }
    default:
      return;
  }
}

// The body path: slices of the caller's buffer to the sink. False: the sink refused.
bool ResponseParser::step_body(std::string_view data, ResponseSink& sink, std::size_t& pos) {
  const std::size_t avail = data.size() - pos;
  switch (state_) {
    case State::body_length: {
      std::int64_t left = content_length_ - body_received_;
      std::size_t n = static_cast<std::uint64_t>(left) < avail ? static_cast<std::size_t>(left)
                                                               : avail;
      std::string_view piece = data.substr(pos, n);
      pos += n;
      body_received_ += static_cast<std::int64_t>(n);
      if (body_received_ == content_length_) state_ = State::done;
      return sink.on_body(piece);
    }
    case State::body_close: {
      std::string_view piece = data.substr(pos);
      pos = data.size();
      body_received_ += static_cast<std::int64_t>(piece.size());
      return sink.on_body(piece);
    }
    case State::chunk_data: {
      std::size_t n = static_cast<std::uint64_t>(chunk_remaining_) < avail
                          ? static_cast<std::size_t>(chunk_remaining_)
                          : avail;
      std::string_view piece = data.substr(pos, n);
      pos += n;
      chunk_remaining_ -= static_cast<std::int64_t>(n);
      body_received_ += static_cast<std::int64_t>(n);
      if (chunk_remaining_ == 0) state_ = State::chunk_data_cr;
      return sink.on_body(piece);
    }
    default:
      return true;
  }
}

ParseStatus ResponseParser::run(std::string_view data, ResponseSink& sink, std::size_t& pos) {
  if (!data.empty() && state_ != State::done && state_ != State::failed &&
      state_ != State::aborted) {
    bytes_seen_ = true;
  }
  for (;;) {
    switch (state_) {
      case State::done:
        return ParseStatus::complete;
      case State::failed:
        return ParseStatus::error;
      case State::aborted:
        return ParseStatus::aborted;
      default:
        break;
    }
    if (pos == data.size()) return ParseStatus::need_more;
    switch (state_) {
      case State::status_line:
      case State::header_line:
      case State::trailer_line:
        step_head(data, sink, pos);
        continue;
      case State::body_length:
      case State::body_close:
      case State::chunk_data:
        if (!step_body(data, sink, pos)) return stop_aborted();
        continue;
      case State::chunk_size:
      case State::chunk_ext:
      case State::chunk_size_lf:
      case State::chunk_data_cr:
      case State::chunk_data_lf:
        step_chunk_framing(data, pos);
        continue;
      case State::done:
      case State::failed:
      case State::aborted:
        break;
    }
  }
}

ParseStatus ResponseParser::on_eof(ResponseSink& sink) {
  (void)sink;  // nothing is delivered at EOF; kept for symmetry with feed()
  switch (state_) {
    case State::done:
      keep_alive_ = false;  // the peer closed: nothing more on this connection
      return ParseStatus::complete;
    case State::failed:
      return ParseStatus::error;
    case State::aborted:
      return ParseStatus::aborted;
    case State::body_close:
      keep_alive_ = false;
      state_ = State::done;
      return ParseStatus::complete;
    case State::status_line:
    case State::header_line:
      if (!bytes_seen_) {
        fail(MSE_GOT_NOTHING, "empty reply from server");
      } else {
        fail(MSE_RECV_ERROR, "connection closed inside the response headers");
      }
      return ParseStatus::error;
    case State::body_length:
    case State::chunk_size:
    case State::chunk_size_lf:
    case State::chunk_ext:
    case State::chunk_data:
    case State::chunk_data_cr:
    case State::chunk_data_lf:
    case State::trailer_line:
      fail(MSE_PARTIAL_FILE, "transfer closed with outstanding read data remaining");
      return ParseStatus::error;
  }
  return ParseStatus::error;
}

}  // namespace ms::http

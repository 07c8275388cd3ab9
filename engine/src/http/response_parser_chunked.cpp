// SPDX-License-Identifier: MIT
// response_parser_chunked.cpp: the chunked transfer coding of ResponseParser (RFC 9112
// section 7.1): chunk-size lines, bounded like header lines, and the CRLF after each
// chunk. The chunk data itself takes the body path (response_parser.cpp).
#include <cstring>
#include <limits>

#include "http/ascii.hpp"
#include "http/response_parser.hpp"

namespace ms::http {
namespace {

constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

void ResponseParser::enter_chunk_size() {
  state_ = State::chunk_size;
  chunk_size_ = 0;
  chunk_digits_ = 0;
  chunk_line_len_ = 0;
  chunk_size_ended_ = false;
}

bool ResponseParser::chunk_size_byte(char c) {
  if (++chunk_line_len_ > limits_.header_line_max) {
    return fail(MSE_RECV_ERROR, "chunk-size line too long");
  }
  int v = hex_value(c);
  if (v >= 0 && !chunk_size_ended_) {
    if (chunk_size_ > (kInt64Max >> 4)) return fail(MSE_RECV_ERROR, "chunk size too large");
    chunk_size_ = chunk_size_ * 16 + v;
    ++chunk_digits_;
    return true;
  }
  if (chunk_digits_ == 0) return fail(MSE_RECV_ERROR, "invalid chunk size");
  if (is_ows(c)) {
    chunk_size_ended_ = true;
  } else if (c == ';') {
    state_ = State::chunk_ext;
  } else if (c == '\r') {
    state_ = State::chunk_size_lf;
  } else if (c == '\n') {
    state_ = State::chunk_size_lf;  // bare LF: treated as CRLF; finished by the caller
  } else {
    return fail(MSE_RECV_ERROR, "invalid chunk size");
  }
  return true;
}

bool ResponseParser::take_lf(std::string_view data, std::size_t& pos, const char* error_text) {
  if (data[pos] != '\n') return fail(MSE_RECV_ERROR, error_text);
  ++pos;
  return true;
}

// The framing of a chunked body: chunk-size lines (extensions skipped), the CRLF after
// each chunk's data.
void ResponseParser::step_chunk_framing(std::string_view data, std::size_t& pos) {
  const std::size_t avail = data.size() - pos;
  switch (state_) {
    case State::chunk_size: {
      char c = data[pos];
      if (!chunk_size_byte(c)) return;
      if (c != '\n') ++pos;  // a bare LF is left for chunk_size_lf to take
      return;
    }
    case State::chunk_ext: {
      // Extensions are ignored, but their bytes count against the line limit.
      const void* lf = std::memchr(data.data() + pos, '\n', avail);
      std::size_t seg = lf != nullptr
                            ? static_cast<std::size_t>(static_cast<const char*>(lf) -
                                                       (data.data() + pos))
                            : avail;
      if (chunk_line_len_ + seg > limits_.header_line_max) {
        fail(MSE_RECV_ERROR, "chunk-size line too long");
        return;
      }
      chunk_line_len_ += seg;
      pos += seg;
      if (lf != nullptr) state_ = State::chunk_size_lf;
      return;
    }
    case State::chunk_size_lf: {
      if (!take_lf(data, pos, "bad chunk framing")) return;
      if (chunk_size_ == 0) {
        state_ = State::trailer_line;
        in_trailers_ = true;
        header_count_ = 0;
        have_pending_ = false;
        line_.clear();
      } else {
        chunk_remaining_ = chunk_size_;
        state_ = State::chunk_data;
      }
      return;
    }
    case State::chunk_data_cr: {
      char c = data[pos];
      if (c == '\r') {
        ++pos;
        state_ = State::chunk_data_lf;
      } else if (c == '\n') {
        ++pos;
        enter_chunk_size();
      } else {
        fail(MSE_RECV_ERROR, "missing CRLF after chunk data");
      }
      return;
    }
    case State::chunk_data_lf: {
      if (take_lf(data, pos, "missing CRLF after chunk data")) enter_chunk_size();
      return;
    }
    default:
      return;
  }
}

}  // namespace ms::http

// SPDX-License-Identifier: MIT
// response_parser.hpp: incremental, bounded HTTP/1.1 response parser.
//
// Bytes arrive in pieces of any size (down to one byte); feed() consumes what it can and
// reports headers and body bytes through a sink, without ever buffering a body. Limits
// bound every piece a hostile peer controls (status line, header line, header count,
// total header size, chunk-size digits), so memory per transfer stays bounded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "multisock/multisock.h"

namespace ms::http {

struct ParserLimits {
  std::size_t status_line_max = 8 * 1024;
  std::size_t header_line_max = 16 * 1024;
  std::size_t header_count_max = 200;
  std::size_t header_total_max = 100 * 1024;
};

// What the parser hands out. Any callback may return false to stop parsing at once
// (feed() then returns ParseStatus::aborted).
class ResponseSink {
 public:
  virtual ~ResponseSink() = default;
  // One status line, e.g. "HTTP/1.1 200 OK" (without CRLF). Also for each 1xx response.
  virtual bool on_status(int major, int minor, int code, std::string_view line) = 0;
  // One header line as received, without CRLF ("Name: value"); folded lines are joined.
  virtual bool on_header(std::string_view name, std::string_view value,
                         std::string_view raw_line) = 0;
  // The blank line that ends a header block (also after a 1xx block).
  virtual bool on_headers_end(int code) = 0;
  // Decoded body bytes (chunk framing removed).
  virtual bool on_body(std::string_view bytes) = 0;
  // One trailer field after a chunked body (same shape as on_header). Optional: libcurl
  // hands trailers to the header callback, a sink that wants them overrides this.
  virtual bool on_trailer(std::string_view name, std::string_view value,
                          std::string_view raw_line) {
    (void)name, (void)value, (void)raw_line;
    return true;
  }
};

enum class ParseStatus : std::uint8_t {
  need_more,  // all input consumed, the response is not complete
  complete,   // the response ended; `consumed` tells where (the rest belongs to the next)
  error,      // malformed or over a limit: see error()
  aborted,    // a sink callback returned false
};

enum class BodyKind : std::uint8_t { none, content_length, chunked, until_close };

class ResponseParser {
 public:
  explicit ResponseParser(ParserLimits limits = {});
  // is_head_request: a response to HEAD has no body whatever its headers say.
  void reset(bool is_head_request);
  // Consumes bytes from data; *consumed tells how many (all of them unless complete,
  // error or aborted).
  ParseStatus feed(std::string_view data, ResponseSink& sink, std::size_t* consumed);
  // The peer closed the connection: complete for a close-delimited body, else an error
  // (MSE_PARTIAL_FILE for a cut body, MSE_GOT_NOTHING when no byte came at all).
  ParseStatus on_eof(ResponseSink& sink);

  MSEcode error() const { return error_; }          // MSE_WEIRD_SERVER_REPLY, ...
  const char* error_text() const { return error_text_; }
  int status_code() const { return code_; }
  BodyKind body_kind() const { return body_kind_; }
  std::int64_t content_length() const { return content_length_; }  // -1 when unknown
  bool keep_alive() const { return keep_alive_; }  // the connection may be reused
  bool bytes_seen() const { return bytes_seen_; }
  std::int64_t body_received() const { return body_received_; }
  std::size_t header_bytes() const { return header_bytes_; }

 private:
  // Implementation state; see response_parser.cpp.
  ParserLimits limits_;
  MSEcode error_ = MSE_OK;
  const char* error_text_ = "";
  int code_ = 0;
  BodyKind body_kind_ = BodyKind::none;
  std::int64_t content_length_ = -1;
  std::int64_t body_received_ = 0;
  std::size_t header_bytes_ = 0;
  bool keep_alive_ = true;
  bool bytes_seen_ = false;
  bool is_head_ = false;
  // Further private members belong to the implementation (response_parser.cpp).
  enum class State : std::uint8_t {
    status_line, header_line, body_length, body_close, chunk_size, chunk_size_lf,
    chunk_ext, chunk_data, chunk_data_cr, chunk_data_lf, trailer_line, done, failed,
    aborted,
  };
  enum class Line : std::uint8_t { need_more, ready, failed };
  Line take_line(std::string_view data, std::size_t& pos, std::size_t line_max,
                 const char* too_long_text);
  bool status_line_done(ResponseSink& sink);
  bool header_line_done(ResponseSink& sink);
  bool flush_pending(ResponseSink& sink);
  bool interpret_header(std::string_view name, std::string_view value);
  bool headers_done(ResponseSink& sink);
  void enter_chunk_size();
  bool chunk_size_byte(char c);
  bool fail(MSEcode code, const char* text);
  ParseStatus stop_aborted();
  ParseStatus run(std::string_view data, ResponseSink& sink, std::size_t& pos);
  void step_head(std::string_view data, ResponseSink& sink, std::size_t& pos);
  bool step_body(std::string_view data, ResponseSink& sink, std::size_t& pos);  // false: aborted
  void step_chunk_framing(std::string_view data, std::size_t& pos);  // response_parser_chunked.cpp
  // The LF that ends a framing line; false (failed with error_text) when another byte stands there.
  bool take_lf(std::string_view data, std::size_t& pos, const char* error_text);

  State state_ = State::status_line;
  std::string line_;     // the line being received (header path only)
  std::string pending_;  // the last complete header line, kept until no fold follows
  bool have_pending_ = false;
  bool in_trailers_ = false;
  std::size_t header_count_ = 0;  // fields in the current block
  int major_ = 0;
  int minor_ = 0;
  bool te_seen_ = false;       // final response carried Transfer-Encoding
  bool te_chunked_ = false;    // ... and its last coding is chunked
  bool conn_close_ = false;    // Connection: close
  bool conn_keep_alive_ = false;  // Connection: keep-alive
  std::int64_t chunk_size_ = 0;
  std::int64_t chunk_remaining_ = 0;
  std::size_t chunk_line_len_ = 0;
  int chunk_digits_ = 0;
  bool chunk_size_ended_ = false;  // whitespace after the digits: no more digits
};

}  // namespace ms::http

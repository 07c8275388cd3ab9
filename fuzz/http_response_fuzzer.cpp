// SPDX-License-Identifier: MIT
// http_response_fuzzer: feeds bytes to ms::http::ResponseParser split at points the input
// chooses, and aborts when an invariant breaks.
//
// Input layout: byte 0 = flags (bit 0: response to HEAD; bit 1: small limits; bits 2-4:
// stop the sink at callback number 3*k, 0 = never); byte 1 & 7 = number of cut points;
// then two bytes per cut point (little endian, taken modulo the stream length); the rest
// is the byte stream from the server. Complete responses are followed by the next one on
// the same stream (pipelining), until an error or the end; then EOF is signalled.
//
// Invariants: consumed <= size and == size when more is needed; body bytes always lie
// inside the piece just fed; body bytes never exceed Content-Length and equal it when
// complete; status codes are 100..999 (never 101) from HTTP/1.0 or 1.1; no body for HEAD,
// 204 or 304; header bytes stay within the limit; an error always has a code and a text.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>
#include <algorithm>

#include "http/response_parser.hpp"

namespace {

using ms::http::BodyKind;
using ms::http::ParseStatus;
using ms::http::ResponseParser;

#define FUZZ_CHECK(cond) \
  do {                   \
    if (!(cond)) std::abort(); \
  } while (0)

class CheckingSink : public ms::http::ResponseSink {
 public:
  CheckingSink(const ResponseParser& parser, unsigned stop_at) : parser_(parser), stop_at_(stop_at) {}

  void new_piece(const char* begin, std::size_t size) {
    piece_begin_ = begin;
    piece_end_ = begin + size;
  }
  void new_response() {
    body_ = 0;
    final_seen_ = false;
  }
  std::int64_t body() const { return body_; }

  bool on_status(int major, int minor, int code, std::string_view line) override {
    FUZZ_CHECK(major == 1 && (minor == 0 || minor == 1));
    FUZZ_CHECK(code >= 100 && code <= 999 && code != 101);
    FUZZ_CHECK(line.size() >= 12 && line.substr(0, 5) == "HTTP/");
    FUZZ_CHECK(!final_seen_);
    return next();
  }
  bool on_header(std::string_view name, std::string_view value, std::string_view raw) override {
    FUZZ_CHECK(!name.empty());
    FUZZ_CHECK(raw.size() >= name.size() + 1 + value.size());
    return next();
  }
  bool on_headers_end(int code) override {
    if (code >= 200) final_seen_ = true;
    return next();
  }
  bool on_body(std::string_view bytes) override {
    FUZZ_CHECK(final_seen_);
    FUZZ_CHECK(!bytes.empty());
    FUZZ_CHECK(bytes.data() >= piece_begin_ && bytes.data() + bytes.size() <= piece_end_);
    body_ += static_cast<std::int64_t>(bytes.size());
    FUZZ_CHECK(parser_.body_kind() != BodyKind::none);
    if (parser_.body_kind() == BodyKind::content_length) {
      FUZZ_CHECK(body_ <= parser_.content_length());
    }
    FUZZ_CHECK(body_ == parser_.body_received());
    return next();
  }
  bool on_trailer(std::string_view name, std::string_view, std::string_view) override {
    FUZZ_CHECK(!name.empty());
    FUZZ_CHECK(parser_.body_kind() == BodyKind::chunked);
    return next();
  }

 private:
  bool next() { return stop_at_ == 0 || ++calls_ != stop_at_; }

  const ResponseParser& parser_;
  unsigned stop_at_;
  unsigned calls_ = 0;
  const char* piece_begin_ = nullptr;
  const char* piece_end_ = nullptr;
  std::int64_t body_ = 0;
  bool final_seen_ = false;
};

void check_settled(const ResponseParser& parser, ParseStatus status, const CheckingSink& sink,
                   const ms::http::ParserLimits& limits) {
  FUZZ_CHECK(parser.header_bytes() <= limits.header_total_max);
  FUZZ_CHECK(parser.body_received() == sink.body());
  if (status == ParseStatus::error) {
    FUZZ_CHECK(parser.error() != MSE_OK);
    FUZZ_CHECK(parser.error_text() != nullptr && parser.error_text()[0] != '\0');
    FUZZ_CHECK(!parser.keep_alive());
  } else {
    FUZZ_CHECK(parser.error() == MSE_OK);
  }
  if (status == ParseStatus::complete) {
    int code = parser.status_code();
    FUZZ_CHECK(code >= 200 && code <= 999);
    if (code == 204 || code == 304) FUZZ_CHECK(parser.body_kind() == BodyKind::none);
    if (parser.body_kind() == BodyKind::none) FUZZ_CHECK(sink.body() == 0);
    if (parser.body_kind() == BodyKind::content_length) {
      FUZZ_CHECK(sink.body() == parser.content_length());
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::uint8_t flags = data[0];
  const std::size_t cut_count = data[1] & 7;
  std::size_t header = 2 + 2 * cut_count;
  if (size < header) return 0;
  const bool head = (flags & 1) != 0;
  ms::http::ParserLimits limits;
  if ((flags & 2) != 0) limits = {.status_line_max = 40, .header_line_max = 40,
                                  .header_count_max = 4, .header_total_max = 200};
  const unsigned stop_at = 3u * ((flags >> 2) & 7);

  const char* stream = reinterpret_cast<const char*>(data + header);
  const std::size_t stream_size = size - header;
  std::vector<std::size_t> cuts;
  for (std::size_t i = 0; i < cut_count; ++i) {
    std::size_t raw = data[2 + 2 * i] | (static_cast<std::size_t>(data[3 + 2 * i]) << 8);
    cuts.push_back(raw % (stream_size + 1));
  }
  std::sort(cuts.begin(), cuts.end());
  cuts.push_back(stream_size);

  ResponseParser parser(limits);
  parser.reset(head);
  CheckingSink sink(parser, stop_at);
  sink.new_response();
  std::size_t start = 0;
  for (std::size_t end : cuts) {
    // Each piece in its own exact-size buffer: reading past it is a heap overflow.
    std::size_t len = end - start;
    std::unique_ptr<char[]> piece(new char[len]);
    if (len != 0) std::memcpy(piece.get(), stream + start, len);
    std::string_view rest(piece.get(), len);
    start = end;
    for (;;) {
      sink.new_piece(rest.data(), rest.size());
      std::size_t consumed = static_cast<std::size_t>(-1);
      ParseStatus status = parser.feed(rest, sink, &consumed);
      FUZZ_CHECK(consumed <= rest.size());
      if (status == ParseStatus::aborted) return 0;
      check_settled(parser, status, sink, limits);
      if (status == ParseStatus::error) return 0;
      if (status == ParseStatus::need_more) {
        FUZZ_CHECK(consumed == rest.size());
        break;
      }
      // complete: a fresh response needs at least a status line, so progress was made
      FUZZ_CHECK(consumed > 0 || rest.empty());
      rest.remove_prefix(consumed);
      if (consumed == 0) break;
      parser.reset(head);
      sink.new_response();
      if (rest.empty()) break;
    }
  }
  ParseStatus status = parser.on_eof(sink);
  FUZZ_CHECK(status != ParseStatus::need_more);
  if (status == ParseStatus::aborted) return 0;
  check_settled(parser, status, sink, limits);
  if (status == ParseStatus::error && parser.error() == MSE_PARTIAL_FILE) {
    FUZZ_CHECK(parser.body_kind() == BodyKind::content_length ||
               parser.body_kind() == BodyKind::chunked);
  }
  return 0;
}

// SPDX-License-Identifier: MIT
#include "upload.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "easy.hpp"

namespace ms {

namespace {
constexpr std::size_t kUploadChunk = 16 * 1024;  // bytes asked of the read callback at once
}

void Upload::begin(bool active, ms_off_t size, bool chunked) {
  active_ = active;
  chunked_ = chunked;
  left_ = active ? size : -1;
  eof_ = false;
  std::string().swap(buf_);
  off_ = 0;
  expect_wait_ = false;
  continue_ = false;
}

void Upload::done() {
  active_ = false;
  std::string().swap(buf_);
  off_ = 0;
}

void Upload::abandon() {
  active_ = false;
  std::string().swap(buf_);
}

void Upload::stop() {
  expect_wait_ = false;
  continue_ = false;
  active_ = false;
}

void Upload::expect(port::Nanos deadline) {
  expect_wait_ = true;
  expect_deadline_ = deadline;
}

Upload::Fill Upload::fill(TransferHost& host, ms_easy& easy) {
  const RareOptions& o = easy.opt.rare();
  buf_.clear();
  off_ = 0;
  if (eof_) return Fill::ready;
  std::size_t want = kUploadChunk;
  if (left_ >= 0) want = static_cast<std::size_t>(std::min<std::int64_t>(left_, kUploadChunk));
  if (left_ == 0) {
    eof_ = true;
    return Fill::ready;
  }
  const std::size_t head = chunked_ ? 10 : 0;  // room for "hhhh\r\n" in front
  buf_.resize(head + want + (chunked_ ? 2 : 0));
  char* dst = buf_.data() + head;
  std::size_t n = 0;
  if (o.read_fn) {
    n = host.call_app([&] { return o.read_fn(dst, 1, want, o.read_data); });
  } else {
    n = std::fread(dst, 1, want, o.read_data ? static_cast<std::FILE*>(o.read_data) : stdin);
  }
  if (n == MS_READFUNC_ABORT) return Fill::aborted;
  if (n == MS_READFUNC_PAUSE) {
    easy.pause_bits |= MSPAUSE_SEND;
    buf_.clear();
    return Fill::paused;
  }
  if (n > want) return Fill::too_much;
  if (n == 0) {
    eof_ = true;
    if (left_ > 0) return Fill::too_short;
    buf_.assign(chunked_ ? "0\r\n\r\n" : "");
    return Fill::ready;
  }
  easy.info.size_upload += static_cast<std::int64_t>(n);
  if (left_ > 0) left_ -= static_cast<std::int64_t>(n);
  if (chunked_) {
    char size_line[12];
    const int len = std::snprintf(size_line, sizeof size_line, "%zx\r\n", n);
    off_ = head - static_cast<std::size_t>(len);
    std::memcpy(buf_.data() + off_, size_line, static_cast<std::size_t>(len));
    buf_.resize(head + n);
    buf_.append("\r\n");
  } else {
    buf_.resize(n);
  }
  return Fill::ready;
}

}  // namespace ms

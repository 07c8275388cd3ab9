// SPDX-License-Identifier: MIT
#include "delivery.hpp"

#include <cstdio>

#include "easy.hpp"

namespace ms {

namespace {
constexpr std::size_t kWriteMax = 16 * 1024;  // largest piece handed to the write callback
}

bool Delivery::paused() const { return (easy_.pause_bits & MSPAUSE_RECV) != 0; }

void Delivery::debug(ms_infotype type, std::string_view text) {
  if (!easy_.opt.verbose || text.empty()) return;
  const RareOptions& o = easy_.opt.rare();
  if (!o.debug_fn) {
    // libcurl's default: the record to stderr behind its type's two-character tag; body
    // data is not shown.
    static constexpr const char* kTags[] = {"* ", "< ", "> "};
    if (type > MSINFOTYPE_HEADER_OUT) return;
    std::fwrite(kTags[type], 1, 2, stderr);
    std::fwrite(text.data(), 1, text.size(), stderr);
    return;
  }
  std::string& buf = host_.line_scratch();
  buf.assign(text);
  host_.call_app([&] { return o.debug_fn(&easy_, type, buf.data(), buf.size(), o.debug_data); });
}

bool Delivery::header(std::string_view line) {
  if (easy_.opt.verbose) debug(MSINFOTYPE_HEADER_IN, std::string(line) + "\r\n");
  std::string& buf = host_.line_scratch();
  buf.assign(line);
  buf.append("\r\n");
  easy_.info.header_size += static_cast<long>(buf.size());
  const auto& o = easy_.opt;
  // MSOPT_HEADER: the head also goes to the write callback, before the body (body()
  // keeps it in order while paused).
  if (o.include_header && !body(buf)) return false;
  ms_write_callback fn = o.header_fn;
  void* data = o.header_data;
  if (!fn) {
    if (!data) return true;  // headers go nowhere unless asked for
    fn = o.write_fn;
  }
  std::size_t n = 0;
  if (fn) {
    n = host_.call_app([&] { return fn(buf.data(), 1, buf.size(), data); });
  } else {
    n = std::fwrite(buf.data(), 1, buf.size(), static_cast<std::FILE*>(data));
  }
  if (n != buf.size()) {
    error_ = MSE_WRITE_ERROR;
    return false;
  }
  return true;
}

bool Delivery::body(std::string_view bytes) {
  if (paused() || !stash_.empty()) {
    stash_.append(bytes);
    return true;
  }
  while (!bytes.empty()) {
    const auto piece = bytes.substr(0, kWriteMax);
    char* p = const_cast<char*>(piece.data());
    std::size_t n = 0;
    const auto& o = easy_.opt;
    if (o.write_fn) {
      n = host_.call_app([&] { return o.write_fn(p, 1, piece.size(), o.write_data); });
    } else {
      n = std::fwrite(p, 1, piece.size(), o.write_data ? static_cast<std::FILE*>(o.write_data) : stdout);
    }
    if (n == MS_WRITEFUNC_PAUSE) {
      easy_.pause_bits |= MSPAUSE_RECV;
      stash_.append(bytes);  // the refused piece is delivered again on resume
      return true;
    }
    if (n != piece.size()) {
      error_ = MSE_WRITE_ERROR;
      return false;
    }
    bytes.remove_prefix(piece.size());
  }
  return true;
}

bool Delivery::flush() {
  std::string pending;
  pending.swap(stash_);
  return body(pending);
}

}  // namespace ms

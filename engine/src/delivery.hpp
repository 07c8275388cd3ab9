// SPDX-License-Identifier: MIT
// delivery.hpp: what a transfer hands the application as the response arrives: header
// lines to the header callback (and with MSOPT_HEADER to the write callback), body bytes
// to the write callback in pieces of at most 16 KiB, and MSOPT_VERBOSE records to the
// debug callback. While the transfer is paused (MSPAUSE_RECV, or a write callback that
// returned MS_WRITEFUNC_PAUSE) bytes wait in a stash, in order, until flush().
#pragma once

#include <string>
#include <string_view>

#include "multisock/multisock.h"
#include "transfer_host.hpp"

struct ms_easy;

namespace ms {

class Delivery {
 public:
  Delivery(TransferHost& host, ms_easy& easy) : host_(host), easy_(easy) {}

  // MSOPT_VERBOSE: tells the debug callback, or without one writes the record to stderr
  // as libcurl does ("* " text, "< " header in, "> " header out).
  void debug(ms_infotype type, std::string_view text);
  // One header line (without its CRLF; empty: the end of the head). False: refused.
  bool header(std::string_view line);
  // Body bytes to the write callback (or the stash). False: refused.
  bool body(std::string_view bytes);
  // Hands the stash over (after a resume). False: refused.
  bool flush();
  bool stashed() const { return !stash_.empty(); }
  // The transfer ends: the stash goes.
  void clear() { std::string().swap(stash_); }

  // Why the application refused (or the transfer stopped) a delivery: an error code and
  // text for the end of the transfer.
  void refuse(MSEcode code, std::string text) {
    error_ = code;
    error_text_ = std::move(text);
  }
  MSEcode error() const { return error_; }
  const std::string& error_text() const { return error_text_; }

  // A response that is complete while bytes still wait in the stash: its end waits too.
  void hold_completion(bool reusable) {
    completion_held_ = true;
    held_reusable_ = reusable;
  }
  bool completion_held() const { return completion_held_; }
  bool held_reusable() const { return held_reusable_; }
  void release_completion() { completion_held_ = false; }

 private:
  bool paused() const;

  TransferHost& host_;
  ms_easy& easy_;
  std::string stash_;  // body bytes held while paused
  MSEcode error_ = MSE_OK;
  std::string error_text_;  // the text that goes with error_, if any
  bool completion_held_ = false;
  bool held_reusable_ = false;
};

}  // namespace ms

// SPDX-License-Identifier: MIT
// upload.hpp: the body of an upload (MSOPT_UPLOAD, PUT): it comes from the read callback
// after the request head, a piece at a time, chunked when its size is unknown. With
// "Expect: 100-continue" the body waits for the 100 (at most 1 s, libcurl's default)
// before its first byte; a final answer instead of the 100 abandons it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "multisock/multisock.h"
#include "multisock/port.h"
#include "transfer_host.hpp"

struct ms_easy;

namespace ms {

class Upload {
 public:
  enum class Fill : std::uint8_t {
    ready,      // bytes to send (or none left: eof())
    paused,     // the read callback paused: MSPAUSE_SEND is set
    aborted,    // the read callback aborted
    too_much,   // the read callback returned more than asked
    too_short,  // the read callback ended before the announced size
  };

  // A new request: uploading or not, with its size (-1: unknown) and chunked or not.
  void begin(bool active, ms_off_t size, bool chunked);
  // The body is still to come from the read callback.
  bool active() const { return active_; }
  // Reads the next piece from the read callback (or READDATA as a FILE*) into the
  // buffer, framed as a chunk when chunked.
  Fill fill(TransferHost& host, ms_easy& easy);
  // What is read and not yet sent, and how much of it the socket took.
  std::string_view unsent() const { return off_ >= buf_.size() ? std::string_view() : std::string_view(buf_).substr(off_); }
  void sent(std::size_t bytes) { off_ += bytes; }
  bool eof() const { return eof_; }
  // All sent: the buffer is freed.
  void done();
  // The request is abandoned (the server answered early): the buffer is freed.
  void abandon();
  // A final answer came before the body: no body, no waiting.
  void stop();

  // Expect: 100-continue: the head is sent, the body waits until `deadline`.
  void expect(port::Nanos deadline);
  bool expecting() const { return expect_wait_; }
  port::Nanos expect_deadline() const { return expect_deadline_; }
  // The 100 arrived (told from inside the parser); continued() says so afterwards.
  void on_continue() { if (expect_wait_) continue_ = true; }
  bool continued() const { return continue_; }
  // The wait is over (the 100, or the deadline): the body goes now.
  void end_expect() {
    expect_wait_ = false;
    continue_ = false;
  }

 private:
  bool active_ = false;
  bool chunked_ = false;
  bool eof_ = false;         // the read callback said "no more"
  std::int64_t left_ = -1;   // bytes still due when the size is known
  std::string buf_;          // wire bytes read and not yet sent
  std::size_t off_ = 0;
  bool expect_wait_ = false;  // head sent with Expect: 100-continue, body held back
  bool continue_ = false;     // the 100 arrived
  port::Nanos expect_deadline_{};
};

}  // namespace ms

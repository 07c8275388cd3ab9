// SPDX-License-Identifier: MIT
// easy.hpp: the easy handle: options as set by ms_easy_setopt, results for getinfo, and
// the link to its multi and running transfer. Small on purpose: a handle that is only
// configured (or added and waiting) holds no buffer and no Transfer, and the options few
// applications set live in a block made on the first of them (RareOptions). An idle
// added handle with a URL costs about 640-690 heap bytes (`multisock bench --only memory`;
// engine/tests/idle_handle_test.cpp holds it to at most 1,200).
#pragma once

#include <cstdarg>
#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "linked_list.hpp"
#include "multisock/multisock.h"
#include "timer_queue.hpp"

namespace ms {
class Transfer;
class HeaderStore;
}

struct ms_multi;
struct ms_share;

namespace ms {
// The options few applications set: a handle holds them only once one is set
// (ms_easy::Options::set_rare), so a plain GET costs no room for them.
struct RareOptions {
  std::string user_agent;
  std::string custom_request;
  std::string referer;          // MSOPT_REFERER; sent as Referer: when set
  bool has_referer = false;
  const ms_url* curlu = nullptr;  // MSOPT_CURLU: borrowed; read when a transfer starts
  const ms_slist* resolve = nullptr;
  long low_speed_limit = 0;
  long low_speed_time = 0;
  ms_progress_callback progress_fn = nullptr;
  ms_xferinfo_callback xferinfo_fn = nullptr;
  void* progress_data = nullptr;
  ms_opensocket_callback opensocket_fn = nullptr;
  void* opensocket_data = nullptr;
  ms_sockopt_callback sockopt_fn = nullptr;
  void* sockopt_data = nullptr;
  ms_closesocket_callback closesocket_fn = nullptr;
  void* closesocket_data = nullptr;
  ms_debug_callback debug_fn = nullptr;
  void* debug_data = nullptr;
  ms_read_callback read_fn = nullptr;
  void* read_data = nullptr;
  // TLS (https://)
  std::string ca_file;          // MSOPT_CAINFO; empty: the system store
  bool ssl_verify_peer = true;  // MSOPT_SSL_VERIFYPEER
  long ssl_verify_host = 2;     // MSOPT_SSL_VERIFYHOST: 0 off, 1 and 2 check the name
};
}  // namespace ms

struct ms_easy {
  // What its multi keeps of it, first: adding and removing a handle touch these (two cache
  // lines: a handle starts one, handle_arena.hpp), not the options and results below.
  bool done = false;        // added and finished
  bool msg_queued = false;
  bool info_stale = false;  // `info` holds a transfer's results (cleared at the next add)
  bool in_finished = false;  // in its multi's finished_ (its transfer goes at the call's end)
  ms_multi* multi = nullptr;                // the multi it is added to
  std::uint64_t seq = 0;                    // order of addition: ties in the timer queue
  ms::Links<ms_easy> added;                 // its neighbours in the multi's added list
  ms_multi* connected_in = nullptr;         // holds its CONNECT_ONLY connection
  // While added: made when its first timer comes (or when a pause or an abort needs it),
  // so a handle added and not yet started holds none (ms_multi::transfer_of); freed at the
  // end of the call in which it finished (`done`), so a finished one holds none either.
  std::unique_ptr<ms::Transfer> transfer;
  std::list<MSMsg>::iterator msg_it;        // its unread DONE message when msg_queued
  ms::TimerQueue<ms_easy>::Slot timer_slot;  // its entry in the multi's timers

  // Options. Strings are copied (as libcurl does); lists and POSTFIELDS are borrowed.
  struct Options {
    std::string url;
    long http_version = MS_HTTP_VERSION_NONE;  // MSOPT_HTTP_VERSION (NONE: HTTP/2 by ALPN on https)
    bool pipewait = false;         // MSOPT_PIPEWAIT: wait for a connection that may multiplex
    bool certinfo = false;         // MSOPT_CERTINFO: keep the server's chain as text
    bool connect_only = false;     // MSOPT_CONNECT_ONLY: connect, then hand the connection over
    ms_write_callback write_fn = nullptr;
    void* write_data = nullptr;
    ms_write_callback header_fn = nullptr;
    void* header_data = nullptr;
    char* error_buffer = nullptr;
    const char* postfields = nullptr;
    ms_off_t postfield_size = -1;  // -1: strlen(postfields)
    const ms_slist* http_headers = nullptr;
    long timeout_ms = 0;
    long connect_timeout_ms = 0;  // 0: the default (300 s)
    long max_redirs = -1;
    void* private_data = nullptr;
    bool nobody = false;
    bool post = false;
    bool noprogress = true;
    bool follow_location = false;
    bool fresh_connect = false;
    bool forbid_reuse = false;
    bool verbose = false;
    bool include_header = false;  // MSOPT_HEADER: headers also go to the write callback
    bool fail_on_error = false;   // MSOPT_FAILONERROR: a status >= 400 ends the transfer
    // Uploads (MSOPT_UPLOAD: PUT from the read callback)
    bool upload = false;
    ms_off_t infile_size = -1;    // MSOPT_INFILESIZE_LARGE; -1: unknown (chunked)

    // The rarely set ones: the defaults until one is set, then the handle's own.
    const ms::RareOptions& rare() const { return rare_ ? *rare_ : kRareDefaults; }
    ms::RareOptions& set_rare() {
      if (!rare_) rare_ = std::make_unique<ms::RareOptions>();
      return *rare_;
    }

   private:
    inline static const ms::RareOptions kRareDefaults{};
    std::unique_ptr<ms::RareOptions> rare_;
  } opt;

  // Results, kept after the transfer ends (and after remove_handle) for getinfo.
  struct Info {
    std::string effective_url;
    std::string redirect_url;
    std::string content_type;
    bool has_content_type = false;
    long response_code = 0;
    std::int64_t total_time_us = 0;
    std::int64_t size_upload = 0;
    std::int64_t size_download = 0;
    long header_size = 0;
    std::int64_t content_length = -1;
    long redirect_count = 0;
    long num_connects = 0;
    long primary_port = 0;
    long http_version = 0;  // MSINFO_HTTP_VERSION: of the latest response
    // MSINFO_CERTINFO: the lists behind `certinfo_out` (owned; freed by clear_certinfo).
    std::vector<ms_slist*> certinfo_lists;
    ms_certinfo certinfo_out{0, nullptr};
    void set_certinfo(const std::vector<std::vector<std::string>>& chain);
    void clear_certinfo();
    ~Info() { clear_certinfo(); }
    Info() = default;
    Info(const Info&) = delete;
    Info& operator=(const Info&) = delete;
    // Moving keeps the lists' owner unique; assign over a cleared Info only (no leak).
    Info& operator=(Info&&) = default;
  } info;

  int pause_bits = 0;
  ms_multi* own_multi = nullptr;            // ms_easy_perform's private multi, once used
  ms_share* share = nullptr;                // MSOPT_SHARE
  // Response headers of the latest transfer (ms_easy_header); made on the first header.
  std::unique_ptr<ms::HeaderStore> headers;

  ms_easy();
  ~ms_easy();
};

namespace ms {
// ms_easy_setopt once the handle is known to be live: MSE_UNKNOWN_OPTION for an option
// this engine does not have (nothing changes then).
MSEcode easy_setopt(ms_easy::Options& opt, MSoption option, va_list args);
// ms_easy_getinfo once the handle is live and `out` is not NULL.
MSEcode easy_getinfo(const ms_easy& easy, MSINFO info, void* out);
}  // namespace ms

// transfer.hpp: one HTTP/1.1 exchange of an easy handle, as a state machine driven by
// socket events and timers. Phases: pending (added, waiting for the first timer) ->
// resolving -> connecting -> sending -> receiving -> done. A reused pooled connection
// skips straight to sending; a reused connection that turns out dead before any response
// byte is retried once on a fresh connection.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "connection.hpp"
#include "easy.hpp"
#include "http/response_parser.hpp"
#include "http/url.hpp"
#include "socket_table.hpp"
#include "timer_queue.hpp"
#include "transfer_host.hpp"

namespace ms {

class Transfer final : public SocketUser, public http::ResponseSink {
 public:
  Transfer(TransferHost& host, ms_easy& easy);
  ~Transfer() override;

  void schedule_start();
  void on_socket_event(int fd, int mask) override;
  void on_timer();
  // Ends the transfer with `result` (and one DONE message).
  void finish(MSEcode result, const char* text = nullptr);
  // Removed while running: let go of everything, no message.
  void cancel();
  // Pause bits changed (ms_easy_pause).
  void pause_changed(bool inside_callback);
  // easy_pause from outside any callback: as pause_changed(false), and when a direction is
  // free, a timer due now so a SOCKET_TIMEOUT call gets the transfer going (curl_easy_pause(3)).
  void pause_set_by_app();
  bool done() const { return phase_ == Phase::done; }
  // The connection pool key ("scheme://host:port") of the current request.
  const std::string& pool_key() const { return key_; }
  // The multi hands a queued transfer a slot (or an idle connection to reuse: no slot).
  void leave_queue(ConnLimits::Slot slot);

  std::optional<TimerQueue<Transfer>::Key> timer_slot;

  // ResponseSink
  bool on_status(int major, int minor, int code, std::string_view line) override;
  bool on_header(std::string_view name, std::string_view value, std::string_view raw_line) override;
  bool on_headers_end(int code) override;
  bool on_body(std::string_view bytes) override;

 private:
  // queued: waiting for a connection slot (MAX_HOST/MAX_TOTAL_CONNECTIONS).
  enum class Phase : std::uint8_t { pending, queued, resolving, connecting, handshaking, sending, receiving, done };
  // A socket being connected. Happy Eyeballs (RFC 8305, as libcurl does it) races the
  // first address family against the other, which starts 200 ms later or as soon as the
  // first family has no address left; each attempt has its own registration.
  struct Attempt {
    int fd = -1;
    port::Address address;
    int family = 0;  // 0: the family of the first address, 1: the other
  };

  void start();
  void begin(bool allow_reuse);
  void open_fresh();  // resolve and connect under a connection slot, or queue for one
  void resolve();
  void on_resolved(const port::Resolution& answer);
  void start_connecting();
  // Starts a connect to the next address of family f; false when f has none left.
  bool start_attempt(int f);
  void connect_failed();
  void attempt_failed(std::size_t index, port::NetError error);
  void connected(std::size_t index);
  void begin_request();
  void do_handshake();  // TLS: advance the handshake (tls_transport.hpp)
  void do_send();
  // Uploads (MSOPT_UPLOAD): the body comes from the read callback after the head, chunked
  // when its size is unknown; with "Expect: 100-continue" it waits for the 100 (at most
  // 1 s, libcurl's default) before the first body byte.
  void send_body();
  bool fill_upload();  // false when the transfer ended or the read callback paused
  void end_expect_wait();
  bool send_paused() const { return (easy_.pause_bits & MSPAUSE_SEND) != 0; }
  void do_recv();
  void early_response();
  void feed(std::string_view bytes);
  void on_response_complete(bool reusable);
  void complete(bool reusable);
  void retry_fresh();
  bool can_retry() const;
  void update_interest();
  void update_deadline();
  void release_all(bool keep_connection);
  bool paused() const { return (easy_.pause_bits & MSPAUSE_RECV) != 0; }
  bool deliver(std::string_view bytes);  // body to the write callback (or the stash)
  bool header_out(std::string_view line_without_crlf);
  // MSOPT_VERBOSE: tells the debug callback what happens, or without one writes it to
  // stderr as libcurl does ("* " text, "< " header in, "> " header out).
  void debug(ms_infotype type, std::string_view text);
  // The progress callback (XFERINFO or PROGRESS) unless NOPROGRESS; false when it aborted
  // the transfer. Each call sets the next one at most 1 s later.
  bool progress();
  bool progress_wanted() const;
  void low_speed_check();
  bool flush_stash();

  TransferHost& host_;
  ms_easy& easy_;
  Phase phase_ = Phase::pending;
  http::Url url_;
  std::string key_;
  ConnLimits::Slot slot_;  // reserved for the connection this transfer is opening
  bool leave_queue_ = false;
  std::vector<port::Address> addresses_;
  std::size_t address_next_ = 0;
  std::vector<port::Address> family_addresses_[2];
  std::size_t family_next_[2] = {0, 0};
  std::optional<port::Nanos> second_family_at_;  // when the other family starts
  port::NetError last_error_ = port::NetError::none;
  std::uint64_t resolve_id_ = 0;
  int resolve_fd_ = -1;
  std::vector<Attempt> attempts_;
  std::unique_ptr<Connection> conn_;
  std::string request_;  // freed once sent
  std::size_t sent_ = 0;
  std::size_t body_size_ = 0;
  http::ResponseParser parser_;
  std::string location_;
  std::string stash_;  // body bytes held while paused
  MSEcode sink_error_ = MSE_OK;
  std::string sink_text_;  // the error text that goes with sink_error_, if any
  std::optional<port::Nanos> progress_next_;  // when the progress callback is due
  port::Nanos started_at_{};
  port::Nanos start_at_{};
  port::Nanos connect_deadline_{};
  std::optional<port::Nanos> total_deadline_;
  std::optional<port::Nanos> low_speed_next_;
  std::optional<port::Nanos> low_speed_since_;
  port::Nanos low_speed_prev_{};
  std::int64_t low_speed_bytes_ = 0;
  bool wake_ = false;              // run on the next timer (resume requested in a callback)
  bool drain_ = false;             // TLS holds decrypted bytes: read them on the next timer
  bool uploading_ = false;         // the body is still to come from the read callback
  bool upload_chunked_ = false;
  bool upload_eof_ = false;        // the read callback said "no more"
  std::int64_t upload_left_ = -1;  // bytes still due when the size is known
  std::string upload_buf_;         // wire bytes read and not yet sent
  std::size_t upload_off_ = 0;
  bool expect_wait_ = false;       // head sent with Expect: 100-continue, body held back
  bool resume_upload_ = false;     // the 100 arrived (set inside the parser)
  port::Nanos expect_deadline_{};
  bool retried_ = false;
  bool complete_pending_ = false;  // response complete while paused with data stashed
  bool reusable_pending_ = false;
  bool follow_this_ = false;
  bool early_reply_ = false;       // the server answered before the request was all sent       // this response is a redirect we follow: drop its body
};

}  // namespace ms

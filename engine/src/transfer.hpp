// SPDX-License-Identifier: MIT
// transfer.hpp: one HTTP exchange of an easy handle, as a state machine driven by
// socket events and timers. On HTTP/1.1 it owns its connection; on HTTP/2 it is one
// stream of a connection the multi keeps (h2_session.hpp), which reads and writes for it. Phases: pending (added, waiting for the first timer) ->
// resolving -> connecting -> sending -> receiving -> done. A reused pooled connection
// skips straight to sending; a reused connection that turns out dead before any response
// byte is retried once on a fresh connection.
//
// The rooms: the transfer itself (transfer.cpp: phases, the request, the end), its fresh
// connection (transfer_connect.cpp: transport, TLS handshake), its HTTP/2 stream
// (transfer_h2.cpp), its deadlines (transfer_deadlines.cpp: one table), the response
// (transfer_response.cpp: reading and parsing), and the parts that own their state: Connector (resolve and Happy
// Eyeballs), Upload (the body from the read callback), Delivery (bytes to the
// application). It reaches its multi only through TransferHost.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "connection.hpp"
#include "connector.hpp"
#include "delivery.hpp"
#include "easy.hpp"
#include "h2_session.hpp"
#include "http/response_parser.hpp"
#include "http/url.hpp"
#include "linked_list.hpp"
#include "socket_table.hpp"
#include "timer_queue.hpp"
#include "transfer_host.hpp"
#include "upload.hpp"

namespace ms {

struct RequestSpec;

class Transfer final : public SocketUser, public H2Session::Owner, private Connector::Owner {
 public:
  Transfer(TransferHost& host, ms_easy& easy);
  ~Transfer() override;

  // A transfer is made pending, its start due at once (its handle's first timer came). One
  // made before that timer (ms_multi::transfer_of) is due at `at`, the time of its add.
  void schedule_start(port::Nanos at);
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
  // Queued by MSOPT_PIPEWAIT: waiting for a connection being made that may multiplex.
  bool pipewaiting() const { return phase_ == Phase::queued && pipewaiting_; }
  Links<Transfer> queue_links;  // its neighbours in the multi's queue while queued

  // ResponseSink
  bool on_status(int major, int minor, int code, std::string_view line) override;
  bool on_header(std::string_view name, std::string_view value, std::string_view raw_line) override;
  bool on_headers_end(int code) override;
  bool on_trailer(std::string_view name, std::string_view value, std::string_view raw_line) override;
  // Records one received header line for ms_easy_header (origin: MSH_HEADER, _1XX, _TRAILER).
  void keep_header(std::string_view name, std::string_view value, unsigned origin);
  bool on_body(std::string_view bytes) override;
  // H2Session::Owner
  void on_stream_closed(Close how, MSEcode code, const std::string& text) override;
  long read_body(char* out, std::size_t size, bool& eof) override;
  bool holds_body() const override { return exchange_ && exchange_->delivery.stashed(); }

 private:
  // queued: waiting for a connection slot (MAX_HOST/MAX_TOTAL_CONNECTIONS).
  enum class Phase : std::uint8_t { pending, queued, resolving, connecting, handshaking, sending, receiving, done };
  // The deadlines of a transfer, in the order on_timer serves those that are due
  // (transfer_deadlines.cpp). `wake`, `leave_queue` and `drain` are due at once.
  enum class Deadline : std::uint8_t {
    start,          // pending: the first timer after add_handle
    wake,           // a resume asked for inside a callback
    total,          // MSOPT_TIMEOUT
    leave_queue,    // queued: a slot (or an idle connection) was handed over
    connect,        // MSOPT_CONNECTTIMEOUT, through the TLS handshake
    second_family,  // Happy Eyeballs: the other address family starts
    progress,       // the progress callback, at least once a second
    low_speed,      // MSOPT_LOW_SPEED_*: checked once a second
    expect,         // no 100 Continue in time: the upload body goes anyway
    drain,          // TLS holds decrypted bytes: read them
  };
  static constexpr Deadline kDeadlines[] = {Deadline::start,   Deadline::wake,          Deadline::total,
                                            Deadline::leave_queue, Deadline::connect, Deadline::second_family,
                                            Deadline::progress, Deadline::low_speed,  Deadline::expect,
                                            Deadline::drain};
  enum class Step : std::uint8_t { next, stop };

  // transfer.cpp
  void start();
  void begin(bool allow_reuse);
  void open_fresh();  // resolve and connect under a connection slot, or queue for one
  void do_handshake();  // TLS: advance the handshake (tls_transport.hpp)
  // HTTP/2: offered by ALPN (https), spoken at once (prior knowledge on http), either.
  bool h2_offer() const;
  bool h2_prior() const;
  bool h2_possible() const { return h2_offer() || h2_prior(); }
  // The fresh connection speaks HTTP/2: the multi keeps it, this transfer is its first stream.
  void start_h2();
  // Opens this transfer's stream on c (the request as begin_request made it).
  void submit_h2(Connection* c, const RequestSpec& spec);
  // The connection this transfer makes is no longer one that may speak HTTP/2 later.
  void end_h2_pending();
  // begin()'s HTTP/2 ways: a stream on a live connection with room (true when taken); a
  // pooled HTTP/2 connection taken again (or put back when HTTP/1.x is asked for); the
  // wait of MSOPT_PIPEWAIT for a connection being made (true when queued).
  bool join_h2();
  void reuse_h2(std::unique_ptr<Connection> conn);
  bool pipewait();
  // Lets go of the stream and of the shared connection (release_all).
  void release_h2();
  void begin_request();
  void do_send();
  void send_body();
  void end_expect_wait();
  bool send_paused() const { return (easy_.pause_bits & MSPAUSE_SEND) != 0; }
  bool paused() const { return (easy_.pause_bits & MSPAUSE_RECV) != 0; }
  void early_response();
  void update_interest();
  // The one way out of a failed exchange: a reused connection that fails before any
  // response byte is retried once on a fresh one (true), else nothing happens (false).
  bool retry_fresh();
  // retry_fresh(), or the end with `code` and `text`.
  void retry_or_finish(MSEcode code, const std::string& text);
  void release_all(bool keep_connection);
  // Connector::Owner
  void on_connecting() override;
  void on_connected(int fd, const port::Address& peer) override;
  void on_connect_failed(MSEcode code, const std::string& text) override;
  void on_deadline_changed() override;

  // The parts of an exchange under way, made at their first use: a transfer queued for a
  // connection slot (there may be 100,000 of them) has none, so it is a small block, and
  // dropping it touches a few cache lines, not the whole exchange's.
  struct Exchange {
    Exchange(TransferHost& host, ms_easy& easy, Transfer& t) : connector(host, easy, t, t), delivery(host, easy) {}
    Connector connector;
    Upload upload;
    http::ResponseParser parser;
    Delivery delivery;
  };
  Exchange& exchange() {
    if (!exchange_) exchange_ = std::make_unique<Exchange>(host_, easy_, *this);
    return *exchange_;
  }
  Connector& connector() { return exchange().connector; }
  Upload& upload() { return exchange().upload; }
  http::ResponseParser& parser() { return exchange().parser; }
  Delivery& delivery() { return exchange().delivery; }
  // Deadlines read without making the exchange.
  std::optional<port::Nanos> second_family_at() const {
    return exchange_ ? exchange_->connector.second_family_at() : std::nullopt;
  }
  std::optional<port::Nanos> expect_at() const {
    if (exchange_ && exchange_->upload.expecting()) return exchange_->upload.expect_deadline();
    return std::nullopt;
  }

  // transfer_deadlines.cpp
  std::optional<port::Nanos> due_at(Deadline k, bool serving) const;
  std::optional<port::Nanos> due_at(Deadline k, bool serving, port::Nanos now) const;
  void update_deadline();
  Step serve(Deadline k);
  void low_speed_check();
  // MSE_OPERATION_TIMEDOUT with "<what> timed out after N milliseconds".
  void finish_timed_out(const char* what);
  // The progress callback (XFERINFO or PROGRESS) unless NOPROGRESS; false when it aborted
  // the transfer. Each call sets the next one at most 1 s later.
  bool progress();
  bool progress_wanted() const;

  // transfer_response.cpp
  // Reads what the socket has. announced: a readable event (or buffered data) said there is
  // something; unannounced (right after the request went), an empty socket is no event.
  void do_recv(bool announced = true);
  void feed(std::string_view bytes);
  void on_response_complete(bool reusable);
  void complete(bool reusable);
  // The application refused a delivery (Delivery's error, else a write error).
  void finish_refused();
  // The parser's error, else `fallback`.
  void finish_parse_error(MSEcode fallback);

  TransferHost& host_;
  ms_easy& easy_;
  Phase phase_ = Phase::pending;
  http::Url url_;
  std::string key_;
  ConnLimits::Slot slot_;  // reserved for the connection this transfer is opening
  bool leave_queue_ = false;
  std::unique_ptr<Connection> conn_;
  // HTTP/2: the connection the multi keeps, and this transfer's stream on it (while open).
  Connection* h2_conn_ = nullptr;
  std::int32_t stream_ = -1;
  std::int64_t h2_content_length_ = -1;
  bool h2_pending_ = false;   // counted in the multi's h2_pending (this connection may be HTTP/2)
  bool pipewaiting_ = false;  // queued for another transfer's connection (MSOPT_PIPEWAIT)
  std::string request_;  // freed once sent
  std::size_t sent_ = 0;
  std::size_t body_size_ = 0;
  std::string location_;
  std::unique_ptr<Exchange> exchange_;
  std::optional<port::Nanos> progress_next_;  // when the progress callback is due
  port::Nanos started_at_{};
  port::Nanos start_at_{};  // pending: when the start is due (schedule_start)
  port::Nanos connect_deadline_{};
  std::optional<port::Nanos> total_deadline_;
  std::optional<port::Nanos> low_speed_next_;
  std::optional<port::Nanos> low_speed_since_;
  port::Nanos low_speed_prev_{};
  std::int64_t low_speed_bytes_ = 0;
  bool wake_ = false;          // run on the next timer (resume requested in a callback)
  bool drain_ = false;         // TLS holds decrypted bytes: read them on the next timer
  bool retried_ = false;
  unsigned header_origin_ = MSH_HEADER;  // MSH_1XX while a 1xx block is read
  bool follow_this_ = false;   // this response is a redirect we follow: drop its body
  bool early_reply_ = false;   // the server answered before the request was all sent
};

}  // namespace ms

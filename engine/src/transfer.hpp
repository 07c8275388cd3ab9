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

struct ms_multi;

namespace ms {

class Transfer final : public SocketUser, public http::ResponseSink {
 public:
  Transfer(ms_multi& multi, ms_easy& easy);
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
  bool done() const { return phase_ == Phase::done; }

  std::optional<TimerQueue<Transfer>::Key> timer_slot;

  // ResponseSink
  bool on_status(int major, int minor, int code, std::string_view line) override;
  bool on_header(std::string_view name, std::string_view value, std::string_view raw_line) override;
  bool on_headers_end(int code) override;
  bool on_body(std::string_view bytes) override;

 private:
  enum class Phase : std::uint8_t { pending, resolving, connecting, sending, receiving, done };
  // A socket being connected. A list, so that Happy Eyeballs can later race several.
  struct Attempt {
    int fd = -1;
    port::Address address;
  };

  void start();
  void begin(bool allow_reuse);
  void resolve();
  void on_resolved(const port::Resolution& answer);
  void connect_next();
  void attempt_failed(std::size_t index, port::NetError error);
  void connected(std::size_t index);
  void begin_request();
  void do_send();
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
  bool progress();
  void low_speed_check();
  bool flush_stash();

  ms_multi& multi_;
  ms_easy& easy_;
  Phase phase_ = Phase::pending;
  http::Url url_;
  std::vector<port::Address> addresses_;
  std::size_t address_next_ = 0;
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
  port::Nanos started_at_{};
  port::Nanos start_at_{};
  port::Nanos connect_deadline_{};
  std::optional<port::Nanos> total_deadline_;
  std::optional<port::Nanos> low_speed_next_;
  std::optional<port::Nanos> low_speed_since_;
  port::Nanos low_speed_prev_{};
  std::int64_t low_speed_bytes_ = 0;
  bool wake_ = false;              // run on the next timer (resume requested in a callback)
  bool retried_ = false;
  bool complete_pending_ = false;  // response complete while paused with data stashed
  bool reusable_pending_ = false;
  bool follow_this_ = false;
  bool early_reply_ = false;       // the server answered before the request was all sent       // this response is a redirect we follow: drop its body
};

}  // namespace ms

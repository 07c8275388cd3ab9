// SPDX-License-Identifier: MIT
// h2_session.hpp: one HTTP/2 connection shared by several transfers, one stream each.
//
// libnghttp2 does the framing, HPACK, flow control and stream states; the session owns
// none of the world: bytes move through the connection's Transport (plain or TLS) on the
// Net port, and the socket is watched through the TransferHost like any other. The session
// is the one SocketUser of its descriptor, so the application is told about the socket once
// however many streams use it, and REMOVE only when the session lets go of it (its last
// stream ended and it went idle or was closed). The `easy` told with a change is that of
// the stream whose step caused it; when that stream ends, another live stream's.
//
// A stream's owner (a transfer) hears its response through the ResponseSink calls it
// already implements for HTTP/1.1 (status, headers, body, trailers) and its end through
// Owner::on_stream_closed. Owners are kept by stream id in a std::map, so a connection
// failure tells them in stream order: deterministic.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connection.hpp"
#include "http/response_parser.hpp"
#include "multisock/multisock.h"
#include "request_writer.hpp"
#include "socket_table.hpp"

struct nghttp2_session;

namespace ms {

class TransferHost;

class H2Session final : public SocketUser {
 public:
  // What a stream's owner (a transfer) is told beyond the ResponseSink calls.
  class Owner : public http::ResponseSink {
   public:
    enum class Close : std::uint8_t {
      complete,   // the whole response arrived
      by_owner,   // a ResponseSink call returned false (the owner knows why)
      refused,    // the server did not process the request (REFUSED_STREAM, or above a
                  // GOAWAY's last stream id): it may be sent again on another connection
      failed,     // reset, protocol error, or the connection died: code and text say
    };
    // The stream ended; the session forgets the owner before this call.
    virtual void on_stream_closed(Close how, MSEcode code, const std::string& text) = 0;
    // Request body bytes for the stream (an upload): up to `size` into `out`; sets eof at
    // the end. 0 bytes without eof: paused (resume_stream() later). -1: fail the stream.
    virtual long read_body(char* out, std::size_t size, bool& eof) = 0;
    // Whether body bytes now wait with the owner instead of reaching the application (a
    // paused transfer's stash): they do not open the stream's window until release_window.
    virtual bool holds_body() const = 0;
  };

  // nullptr when nghttp2 cannot make a session (out of memory).
  static std::unique_ptr<H2Session> create(TransferHost& host, Connection& conn, long max_streams);
  ~H2Session() override;
  H2Session(const H2Session&) = delete;
  H2Session& operator=(const H2Session&) = delete;

  // The connection just became HTTP/2: the session watches its socket from now on (the
  // opening transfer lets go of it afterwards, so the application sees no REMOVE).
  void take_socket(ms_easy* easy);
  // Opens a stream for owner: the request's pseudo-headers and headers, and a body (a
  // fixed one, or from Owner::read_body when `streamed`). Returns the stream id, or -1.
  std::int32_t submit(Owner* owner, ms_easy* easy, const std::vector<H2Field>& fields,
                      std::optional<std::string_view> body, bool streamed);
  // The owner lets go of its stream (finished, removed, timed out): RST_STREAM(CANCEL)
  // when the stream is still open. Goes idle (TransferHost::h2_idle) after the last one;
  // detach(-1): a transfer that took the connection and opened no stream lets go of it.
  void detach(std::int32_t stream);
  // An upload's body may go on (after a pause).
  void resume_stream(std::int32_t stream);
  // The owner handed what it held to the application: the stream's window opens again.
  void release_window(std::int32_t stream);

  // MSOPT_PIPEWAIT: the session holds the multi's count of connections to its origin that
  // may multiplex, until the server's SETTINGS confirm it (or the connection is gone).
  void hold_pending() { holds_pending_ = true; }
  void release_pending();
  // Whether a new stream may start here: alive, no GOAWAY, below both stream limits, and
  // beyond the first stream only once the server's SETTINGS (its limit) arrived.
  bool can_take() const;
  // Whether the connection can serve later transfers once idle (no GOAWAY, no error).
  bool reusable() const;
  std::size_t streams() const { return streams_.size(); }

  // Sends what nghttp2 has queued and states the interest it needs now.
  void flush();
  void on_socket_event(int fd, int mask) override;

 private:
  H2Session(TransferHost& host, Connection& conn, long max_streams);
  struct Callbacks;
  friend struct Callbacks;

  bool send_pending();   // false: the connection failed (everything ended)
  void receive();
  void update_interest();
  // The connection is gone: every stream ends with code/text; then idle.
  void fail_all(MSEcode code, const std::string& text);
  // Forgets a stream's owner (and moves the told easy to another stream's if it was its);
  // the bytes it held give the connection's window back.
  void forget(std::int32_t stream);
  // Received bytes the application took (or that no one will take): they may be sent
  // again, through WINDOW_UPDATE.
  void consume(std::int32_t stream, std::size_t bytes);
  // A ResponseSink call returned false: the stream is reset and its owner told.
  void owner_refused(std::int32_t stream);
  // After every outside entry: the host takes an idle session back (may delete this).
  void settle();
  struct Stream;
  Stream* find(std::int32_t stream);
  Owner* owner_of(std::int32_t stream);

  TransferHost& host_;
  Connection& conn_;
  nghttp2_session* session_ = nullptr;
  long max_streams_;  // MSMOPT_MAX_CONCURRENT_STREAMS
  // One open stream: its owner, the easy told with socket changes it causes, and the
  // response head being read.
  struct Stream {
    Owner* owner = nullptr;
    ms_easy* easy = nullptr;
    std::optional<std::string_view> body;  // a fixed request body: what is not sent yet
    int status = 0;                        // :status of the header block being read
    bool final_headers = false;            // the final head is in: later fields are trailers
    std::size_t held = 0;                  // received bytes the owner holds, not consumed
  };
  std::map<std::int32_t, Stream> streams_;  // by stream id: failures told in stream order
  ms_easy* told_easy_ = nullptr;  // the easy the socket table has for this session
  std::string outbox_;            // frames the socket did not take yet
  int depth_ = 0;                 // inside an entry: no settle until the outermost ends
  bool dead_ = false;
  bool goaway_ = false;
  bool removed_early_ = false;  // the defect h2_remove_early is on and has struck
  bool settings_seen_ = false;  // the server's first SETTINGS arrived
  bool holds_pending_ = false;  // see hold_pending()
};

}  // namespace ms

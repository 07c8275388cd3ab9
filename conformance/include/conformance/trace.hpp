// SPDX-License-Identifier: MIT
// trace.hpp: the ordered record of one run, the checker's input.
//
// Every API call the application made (with arguments and result), every socket and
// timer callback (with arguments), every info_read result, and the network events the
// world saw, each stamped with the time (virtual ns over simnet, elapsed real ns on real
// targets). Handles and socketp values are recorded as stable small ids ("e1", "s1"),
// never as addresses, so a simulated trace is byte-identical run to run.
//
// Conventions the checker relies on (checker.hpp):
//  * Call groups. An API call's event is recorded when the call returns; everything the
//    implementation did during the call (socket_cb, timer_cb, net_* events) is recorded
//    before it, in the order it happened. So the events between two API call events belong
//    to the second one. Calls that have no kind of their own (multi_init, easy_cleanup of
//    an added handle, ...) are closed by a call_end event whose text names the call; a
//    call_end right after an API call event closes nothing and is harmless.
//  * How a call or callback was made is in Event::flags (MS_EVENT_FLAGS): a multi call made
//    from inside a callback is in_callback and belongs to the enclosing group (it does not
//    close it); a call made on purpose with an invalid multi handle is bad_multi; a
//    callback is outside (no API call was in progress), other_thread, bad_userp (userp is
//    not SOCKETDATA or TIMERDATA) or bad_multi (the timer callback's multi is not this one).
//    In the JSON form the flags are the leading words of "text", in the table's order.
//  * Notes the checker reads (text, words separated by spaces; other notes are free):
//      "healthy e<N>"         transfer N meets a healthy peer on a fault-free path
//      "timeout e<N> <ms>"    transfer N has MSOPT_TIMEOUT_MS <ms>, counted from its add
//      "spurious <what>"      the next event the driver passes carries no news
//      "late-timers"          the driver may fire timers late (relaxes TM-DEADLINE)
//      "classic-loop <kind>"  the driver set no socket or timer callback (no SA-KICK)
//      "stall"                the driver has nothing to wait on while handles run
//      "livelock ..."         the driver stopped: its events changed nothing for too long
//  * info_read: easy 0 means NULL was returned; value is msgs_in_queue; code is the
//    DONE message's MSEcode.
//  * The classic loop (perform, multi_wait, multi_poll, wakeup, fdset) is recorded only
//    by a classic-loop policy; "took NS" is the time the call took, in the trace's clock.
//  * easy_pause is an API call like the multi calls: the write callbacks (and socket and
//    timer callbacks) it makes come before it. write_cb and read_cb are recorded only when
//    the policy pauses transfers (so other traces keep their identity); a return of
//    MS_WRITEFUNC_PAUSE / MS_READFUNC_PAUSE (0x10000001) pauses that direction.
//  * net_stream and net_stream_end come only from simnet's HTTP/2 peers: the streams open
//    on a client socket (SC-LAST-STREAM). Every stream opened on a socket
//    is ended before that socket's net_close.
//  * app_* events come only from a recorded program (conformance/record/): its own waits
//    for readiness and its timerfd, seen from outside. They name library sockets only (a
//    descriptor the socket callback named and nobody closed since). An app_watch is
//    recorded just before an app_wait whose watched set for that socket differs from the
//    last one recorded; app_ready events follow the app_wait they answer; a library socket
//    the program or the library closes is a net_close, after which it is forgotten. Times of a
//    recorded trace are CLOCK_MONOTONIC nanoseconds since the recording started; an API
//    call's event carries the time the call was made.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ms::conf {

#define MS_EVENT_KINDS(X)                                                                \
  X(add_handle)      /* easy, result */                                                  \
  X(remove_handle)   /* easy, result */                                                  \
  X(socket_action)   /* fd, mask, result, running (after) */                             \
  X(socket_legacy)   /* multi_socket(fd): fd, result, running */                         \
  X(socket_all)      /* result, running */                                               \
  X(assign)          /* fd, socketp, result */                                           \
  X(timeout_query)   /* result, value (ms) */                                            \
  X(info_read)       /* easy (0 = NULL returned), value = msgs_in_queue, code = result */ \
  X(setopt)          /* value = option, result */                                        \
  X(cleanup)         /* result */                                                        \
  X(call_end)        /* closes the callbacks made inside the last API call */            \
  X(socket_cb)       /* easy, fd, action, socketp; result = callback's return */         \
  X(timer_cb)        /* value = timeout_ms; result = callback's return */                \
  X(net_open)        /* fd */                                                            \
  X(net_connect)     /* fd, text = peer address */                                       \
  X(net_close)       /* fd */                                                            \
  X(net_bytes)       /* fd, value = bytes delivered toward the client */                 \
  X(net_ready)       /* fd, mask = readiness the world reports now */                    \
  X(note)            /* text: driver decisions, policy, seed */                         \
  X(easy_pause)      /* easy, value = MSPAUSE_* bits asked, result = MSEcode */          \
  X(write_cb)        /* easy, value = bytes offered, result = the callback's return */    \
  X(read_cb)         /* easy, value = buffer size, result = the callback's return */    \
  X(perform)         /* result, running (after), text "took NS" (time inside the call) */ \
  X(multi_wait)      /* value = timeout_ms, result, code = numfds, text "took NS", and \
                        " on FD..." (simulated, no transfer running): the connections   \
                        the library itself waited on */                                  \
  X(multi_poll)      /* value = timeout_ms, result, code = numfds, text as multi_wait */ \
  X(wakeup)          /* result */                                                        \
  X(fdset)           /* result, value = max_fd, text "in FD... out FD..." (the sets) */ \
  X(app_wait)        /* recorded program waits: fd = epoll fd or -1, value = timeout_ms, \
                        text = the call ("epoll_wait", "poll", "select", ...) */          \
  X(app_ready)       /* fd, mask = CSELECT bits that wait reported for a library socket */ \
  X(app_watch)       /* fd, mask = CSELECT IN|OUT the program now waits for (0 = none) */  \
  X(app_timer)       /* fd = timerfd, value = ms until it fires (-1 = disarmed) */      \
  X(net_stream)      /* an HTTP/2 peer got a request stream on client socket fd:         \
                        value = stream id, text = :path, easy = the running transfer     \
                        whose URL has that path (0: none, or not one for certain) */     \
  X(net_stream_end)  /* that stream ended (the peer closed, reset or refused it, or the    \
                        connection ended) and the frame or FIN/RST that ended it reached \
                        the client (at once when the client's socket closed or broke):  \
                        fd, value = stream id */

enum class EventKind : std::uint8_t {
#define MS_X(name) name,
  MS_EVENT_KINDS(MS_X)
#undef MS_X
};
const char* to_string(EventKind k);
bool event_kind_from_string(const std::string& s, EventKind& out);

// The flags of an event: its bit, and its word in the JSON form's text.
#define MS_EVENT_FLAGS(X)          \
  X(outside, 1, "outside")          \
  X(other_thread, 2, "other-thread") \
  X(in_callback, 4, "in-callback")  \
  X(bad_userp, 8, "bad-userp")      \
  X(bad_multi, 16, "bad-multi")

enum EventFlag : std::uint8_t {
#define MS_X(name, bit, word) name = bit,
  MS_EVENT_FLAGS(MS_X)
#undef MS_X
};

// The members are ordered to pack (88 bytes, not 96): a long run holds 100,000 of them.
struct Event {
  EventKind kind = EventKind::note;
  std::uint8_t flags = 0;  // EventFlag bits
  int easy = 0;       // stable id of the easy handle, 0 = none/NULL
  std::int64_t time_ns = 0;
  int fd = -1;        // descriptor (-1 = MS_SOCKET_TIMEOUT / none)
  int mask = 0;       // ev_bitmask, or readiness
  int action = 0;     // socket callback action
  int socketp = 0;    // stable id of the socketp pointer, 0 = NULL
  int result = 0;     // MSMcode / MSEcode / callback return
  int running = -1;   // running_handles after the call, -1 when not reported
  int code = 0;       // info_read: the transfer's MSEcode
  long value = 0;     // timeout ms, msgs_in_queue, option, byte count
  std::string text;   // free text (note, address)

  bool has(EventFlag f) const { return (flags & f) != 0; }
  // The text as the JSON form holds it: the flags' words, then the free text.
  std::string flagged_text() const;
};

// One event as its line of the JSON form ("{...}\n"), appended to out: what to_jsonl()
// writes for it, for writers that stream events (the recorder).
void append_jsonl(std::string& out, const Event& e);

struct Trace {
  std::vector<Event> events;
  // One JSON object per line, keys in a fixed order, fields at default values omitted.
  std::string to_jsonl() const;
  static bool from_jsonl(const std::string& text, Trace& out, std::string* error);
  // Shown each event's line of the JSON form ("{...}\n") with its index, in order.
  using LineVisitor = std::function<void(std::size_t index, std::string_view line)>;
  // SHA-256 of to_jsonl(), lower-case hex: the run's identity, made a block at a time (the
  // whole text is never held). With `each_line`, every line is shown to it as it is
  // hashed: one serialization for a caller that also prints the trace (replay).
  std::string hash(const LineVisitor& each_line = {}) const;
};

// Trace::hash made an event at a time, for a reader that hashes a trace while it is being
// written: add() the events in order, then finish() gives what Trace::hash gives.
class TraceDigest {
 public:
  explicit TraceDigest(Trace::LineVisitor each_line = {});
  ~TraceDigest();
  TraceDigest(const TraceDigest&) = delete;
  TraceDigest& operator=(const TraceDigest&) = delete;
  void add(const Event& e);
  std::string finish();  // lower-case hex; once

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace ms::conf

// trace.hpp: the ordered record of one run, the checker's input.
//
// Every API call the application made (with arguments and result), every socket and
// timer callback (with arguments), every info_read result, and the network events the
// world saw, each stamped with the time (virtual ns over simnet, elapsed real ns on real
// targets). Handles and socketp values are recorded as stable small ids ("e1", "s1"),
// never as addresses, so a simulated trace is byte-identical run to run.
#pragma once

#include <cstdint>
#include <string>
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
  X(note)            /* text: driver decisions, policy, seed */

enum class EventKind : std::uint8_t {
#define MS_X(name) name,
  MS_EVENT_KINDS(MS_X)
#undef MS_X
};
const char* to_string(EventKind k);
bool event_kind_from_string(const std::string& s, EventKind& out);

struct Event {
  EventKind kind = EventKind::note;
  std::int64_t time_ns = 0;
  int easy = 0;       // stable id of the easy handle, 0 = none/NULL
  int fd = -1;        // descriptor (-1 = MS_SOCKET_TIMEOUT / none)
  int mask = 0;       // ev_bitmask, or readiness
  int action = 0;     // socket callback action
  int socketp = 0;    // stable id of the socketp pointer, 0 = NULL
  int result = 0;     // MSMcode / MSEcode / callback return
  int running = -1;   // running_handles after the call, -1 when not reported
  long value = 0;     // timeout ms, msgs_in_queue, option, byte count
  int code = 0;       // info_read: the transfer's MSEcode
  std::string text;   // free text (note, address)
};

struct Trace {
  std::vector<Event> events;
  // One JSON object per line, keys in a fixed order, fields at default values omitted.
  std::string to_jsonl() const;
  static bool from_jsonl(const std::string& text, Trace& out, std::string* error);
  // SHA-256 of to_jsonl(), lower-case hex: the run's identity.
  std::string hash() const;
};

}  // namespace ms::conf

// SPDX-License-Identifier: MIT
// driver.hpp: the simulated application.
//
// It plays the application of the seeds' "typical usage": keeps the registrations the
// socket callback tells and the deadline the timer callback tells, waits for readiness or
// the deadline in an Environment (virtual or real time), and calls socket_action. A
// Policy decides, from a seeded random source, how faithful it is: mask 0, spurious
// masks, ERR on healthy sockets, early and late timeouts, events on stale and unknown
// descriptors, legacy entry points, handles added and removed at any moment. Every call
// and callback goes into a Trace, with handles and socketp values as stable small ids.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "conformance/api.hpp"
#include "conformance/scenario.hpp"
#include "conformance/trace.hpp"
#include "simnet/rng.hpp"

namespace ms::conf {

using Nanos = std::chrono::nanoseconds;

// The application's random source: a splitmix64 stream, so the same seed gives the same
// choices on every standard library. Its decisions go through the same code as the
// world's, so a run's choices can be recorded, replayed and shrunk (DriverOptions::choices).
using Rng = ms::sim::SplitMixRng;

// How the application behaves. Probabilities are per decision point.
#define MS_POLICY_FIELDS(X)                                                                  \
  X(mask_zero, "pass mask 0 instead of the real readiness")                                  \
  X(spurious_in, "call socket_action(fd, IN) on a registered socket that is not readable")   \
  X(spurious_out, "call socket_action(fd, OUT) on a registered socket that is not writable") \
  X(err_healthy, "call socket_action(fd, ERR) on a healthy registered socket")               \
  X(early_timeout, "call socket_action(SOCKET_TIMEOUT) before the deadline")                 \
  X(late_timeout, "wake up to 50 ms after the deadline")                                     \
  X(stale_fd, "call socket_action on a descriptor that was removed or never registered")     \
  X(legacy_socket, "use the deprecated multi_socket(fd) instead of socket_action(fd, 0)")    \
  X(socket_all, "call the deprecated multi_socket_all now and then")                         \
  X(timeout_query, "call multi_timeout and compare it with the timer")                       \
  X(assign, "attach a socketp with multi_assign from inside the socket callback")            \
  X(remove_random, "remove a running handle at a random moment (and re-add it later)")      \
  X(recurse, "call multi_timeout from inside a callback (it must be refused)")               \
  X(abort_cb, "return -1 from one socket callback inside socket_action (once per run)")     \
  X(misuse, "invalid calls: assign unknown fd, add NULL/added easy, bad multi, remove unadded") \
  X(defer_info_read, "leave DONE messages queued after a call, read them a round later")     \
  X(pause, "return MS_WRITEFUNC_PAUSE from a write callback; unpause later from the loop")   \
  X(pause_upload, "return MS_READFUNC_PAUSE from a read callback; unpause later from the loop") \
  X(null_multi, "call socket_action, multi_socket, socket_all, assign, add, remove, info_read, timeout on NULL") \
  X(nested, "from inside a callback call info_read, timeout, assign, add, remove, socket_action, easy_pause") \
  X(abort_timer, "return -1 from the timer callback, once inside each kind of call (add, remove, socket calls)") \
  X(err_only, "pass exactly CSELECT_ERR instead of the readiness of a ready socket")       \
  X(wakeup, "classic loop: call multi_wakeup before a multi_poll (which must then not wait)")

// The application's loop: the event-driven one of the seeds (socket_action, told by the
// socket and timer callbacks), or a classic one of curl_multi_perform(3), which sets no
// callback: perform, then wait in multi_poll, in multi_wait, or in the application's own
// select() on the descriptors multi_fdset gives (with multi_timeout as its timeout).
enum class AppLoop : std::uint8_t { socket, perform_poll, perform_wait, perform_fdset };
const char* to_string(AppLoop loop);  // "socket", "perform-poll", "perform-wait", "perform-fdset"
bool app_loop_from_string(const std::string& name, AppLoop& out);

struct Policy {
#define MS_X(name, text) double name = 0.0;
  MS_POLICY_FIELDS(MS_X)
#undef MS_X
  bool recover_after_error = true;  // after an error return: remove all, add new, go on
  AppLoop loop = AppLoop::socket;
  static const char* describe(const std::string& field);
  // Sets a field by name ("spurious-in" or "spurious_in"); false if unknown.
  bool set(const std::string& name, double value);
  // "faithful", "mask-zero", "spurious", "err", "timeouts", "stale", "legacy", "chaos".
  static bool preset(const std::string& name, Policy& out);
  std::string to_string() const;
};

// What the application waits in: virtual time over simnet, or real time with epoll.
class Environment {
 public:
  virtual ~Environment() = default;
  virtual Nanos now() = 0;
  // Blocks (or advances virtual time) until something may have happened on the network
  // or until deadline. Returns false when nothing can ever happen before the deadline
  // and no deadline is given (the caller would wait for ever: a stall).
  virtual bool wait(std::optional<Nanos> deadline) = 0;
  // Current readiness (MS_CSELECT_* bits) of a descriptor.
  virtual int readiness(int fd) = 0;
  // Descriptors whose readiness may have changed since the last call.
  virtual void ready_changes(std::vector<int>& out) = 0;
  // Told of every registration change, so a real environment can update epoll.
  virtual void watch(int fd, int action) = 0;
  virtual bool is_virtual() const = 0;
  // The client connections the target itself waited on (inside multi_wait or multi_poll)
  // since the last call, ascending; empty where that cannot be seen (real sockets).
  virtual void waited_on(std::vector<int>& out) { out.clear(); }
};

// Events one run keeps (DriverOptions::trace_events_max): a flood past it is stopped.
inline constexpr std::size_t kTraceEventsMax = 2'000'000;

// The events a run of `steps` client steps is expected to make (a transfer makes a few
// dozen): what its trace reserves, and what tells a long run from a short one.
constexpr std::size_t expected_events(std::size_t steps) { return 64 + steps * 24; }

// A run's trace read by another thread while the run writes it (the runner hashes a long
// trace as the run goes). The driver appends every event it keeps through append(); the
// reader takes the events appended so far, a batch at a time. The trace's storage moves only
// when it outgrows what was reserved: the driver holds `moving_` then, and the reader holds it
// while it reads, so what it reads never moves under it. Events are never changed once kept.
class TraceFeed {
 public:
  // The driver's side: events.push_back(e), published; then close() when the run ends.
  void append(std::vector<Event>& events, Event&& e);
  void close();
  // The reader's side: waits for a batch or the end, then shows each event appended and not
  // yet read to `each`, in order. False once the feed is closed and every event was read.
  bool read(const std::function<void(const Event&)>& each);

 private:
  static constexpr std::size_t kBatch = 1024;  // the reader is woken a batch at a time
  std::mutex moving_;
  std::mutex signal_;
  std::condition_variable more_;
  std::atomic<const Event*> data_{nullptr};
  std::atomic<std::size_t> size_{0};
  std::atomic<bool> closed_{false};
  std::size_t read_ = 0;  // the reader's own
};

struct DriverOptions {
  std::uint64_t seed = 1;
  Policy policy;
  Nanos time_limit = std::chrono::seconds(600);   // virtual (or real) time bound of the run
  std::uint64_t call_limit = 2'000'000;           // API calls bound (livelock guard)
  bool kick_start = true;                         // call SOCKET_TIMEOUT after the first add
  std::size_t body_keep_max = 1 << 20;            // bytes of each body kept for checks
  // Each transfer's body digested (TransferResult::body_sha256). A run whose expectations
  // check no digest leaves it off (checks_body_digest): a SHA-256 over every body, set up
  // and finished per transfer, is work no other check reads.
  bool digest_bodies = true;
  std::size_t trace_events_max = kTraceEventsMax;  // events kept; a run past it is an error
  TraceFeed* feed = nullptr;  // set: every event kept is appended through it (read meanwhile)
  // Called once when the run reaches trace_events_max. A run in a disposable child ends
  // the child here (flooded_exit), so a call that floods callbacks without end is judged
  // as a call that does not return; unset, later events are counted and dropped.
  std::function<void()> on_event_cap;
  // Creates the multi handle (default: api.multi_init); the engine-sim target binds the
  // simulated world here.
  std::function<void*()> multi_factory;
  // Transfers whose peer is healthy on a fault-free path: they must end OK whatever the
  // policy does (SA-SPURIOUS). Recorded as "healthy e<N>" notes.
  std::vector<std::string> healthy;
  // The scenario's `multi` lines: MSMOPT_* long options set right after the multi is made.
  std::vector<std::pair<int, long>> multi_longs;
  // Records the policy's decisions, or replays them instead of drawing from the seed. On
  // the simulated target the world shares the tape, so one record holds the whole run.
  ms::sim::ChoiceTape* choices = nullptr;
  // Told the API call about to be made ("curl_multi_socket_action(NULL, ...)"), and the
  // enclosing one (or nullptr) once it returns: a crash or hang verdict names it.
  void (*call_hook)(const char* call) = nullptr;
  std::string call_prefix = "ms_";  // how the target's functions are spelled
};

// Pausing: each transfer is paused at most kPausesPerTransfer times per direction (so
// every transfer finishes), and unpaused by the loop 1..kUnpauseDelayMaxMs ms later.
inline constexpr int kPausesPerTransfer = 3;
inline constexpr std::uint64_t kUnpauseDelayMaxMs = 40;

// Why a target cannot run under this policy ("" when it can): pausing needs easy_pause,
// a classic loop the calls it makes.
std::string policy_unsupported(const Policy& policy, const Api& api);

// A scenario's `multi` lines as (MSMOPT_*, value) pairs for DriverOptions::multi_longs.
std::vector<std::pair<int, long>> multi_options(const MultiSpec& m);

// Per-transfer outcome as the application saw it.
struct TransferResult {
  std::string id;
  int easy_id = 0;
  bool done = false;
  int result = -1;          // MSEcode from the DONE message
  long response_code = 0;
  std::string body;         // kept up to body_keep_max bytes
  std::uint64_t body_bytes = 0;
  std::string body_sha256;  // hex, over all bytes
  std::int64_t done_at_ns = -1;
};

struct RunResult {
  Trace trace;
  std::vector<TransferResult> transfers;  // in the order they were first added
  bool stalled = false;
  bool hit_time_limit = false;
  bool hit_call_limit = false;
  std::string harness_error;  // non-empty: the run could not be carried out
  std::uint64_t api_calls = 0;
  std::int64_t end_time_ns = 0;
};

class Driver {
 public:
  Driver(const Api& api, Environment& env, DriverOptions options);
  ~Driver();
  Driver(const Driver&) = delete;
  Driver& operator=(const Driver&) = delete;

  // Runs the client plan to its end (all transfers done and the plan exhausted, an `end`
  // step, a stall, or a limit), then removes every handle and cleans the multi up.
  RunResult run(const std::vector<ClientStep>& plan);

  // Extra events from outside (network observer, notes).
  void record(Event e);
  // The events recorded so far (a run's child tells them when it is stopped as a hang).
  const Trace& trace_so_far() const;
  // An HTTP/2 request stream opened on client socket fd (the world's observer): recorded
  // as net_stream, with the running transfer whose URL has that path when there is one.
  void record_stream(int fd, std::uint32_t stream_id, const std::string& path);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ms::conf

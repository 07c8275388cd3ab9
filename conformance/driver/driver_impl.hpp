// SPDX-License-Identifier: MIT
// driver_impl.hpp: the simulated application's state and its member functions, shared by
// the files that define them (private to conformance/driver):
//   driver.cpp            recording, handle ids, message draining, transfers, socket calls
//   driver_callbacks.cpp  the callbacks the target calls (socket, timer, read, write) and
//                         the nested calls some policies make from inside them
//   driver_misuse.cpp     the deliberate misuse policies (misuse, null_multi, spares, churn)
//   driver_loop.cpp       Driver::Impl::run and its named phases
//   driver_classic.cpp    the classic loop (perform, then poll / wait / fdset and select)
//
// How it works: the loop alternates between (1) carrying out plan steps that are due,
// (2) acting on descriptors that are ready for what their registration asks, in
// ascending descriptor order, (3) firing the timer when its deadline has passed, and
// (4) waiting in the Environment until the next deadline or plan step. Readiness is
// level-triggered, as with poll/epoll: a descriptor acted on is looked at again in the
// next round. Policy draws happen at fixed points of the loop, so one seed gives one
// sequence of calls. After every API call the message queue is drained with info_read.
#pragma once


#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "conformance/driver.hpp"
#include "conformance/sha256.hpp"
#include "simnet/library_heap.hpp"
#include "simnet/peer_script.hpp"
#include "simnet/test_pki.hpp"

namespace ms::conf {

// A message's fields as the integers the target stored: a library may store any value, and
// reading one outside the enumeration as the enum type is undefined (ER-CODES judges it).
inline int msg_kind(const MSMsg* m) {
  int v = 0;
  static_assert(sizeof(m->msg) == sizeof v);
  std::memcpy(&v, &m->msg, sizeof v);
  return v;
}
inline int msg_result(const MSMsg* m) {
  int v = 0;
  static_assert(sizeof(m->data.result) == sizeof v);
  std::memcpy(&v, &m->data.result, sizeof v);
  return v;
}

struct Driver::Impl {
  struct Registration {
    int action = MS_POLL_NONE;
    void* socketp = nullptr;
  };
  struct Transfer {
    const TransferSpec* spec = nullptr;  // in the plan, which outlives the run: not copied
    std::size_t index = 0;
    void* easy = nullptr;
    int easy_id = 0;
    bool added = false;
    bool removed = false;
    bool churned = false;  // remove_random took it out once already
    ms_slist* headers = nullptr;
    ms_slist* resolve = nullptr;
    std::optional<Sha256> sha;  // while the body is digested (DriverOptions::digest_bodies)
    TransferResult result;
    Impl* owner = nullptr;
    std::uint64_t upload_sent = 0;  // bytes handed to the read callback
    int pause_bits = 0;             // MSPAUSE_* the application holds for this handle
    int pauses_recv = 0, pauses_send = 0;  // over the transfer's life, capped
  };
  // An unpause the loop owes: clear `bit` of the transfer's pause bits at `at`.
  struct Unpause {
    Nanos at;
    Transfer* t = nullptr;
    int bit = 0;
  };

  const Api& api;
  Environment& env;
  DriverOptions opt;
  Rng rng;
  RunResult out;
  void* multi = nullptr;
  int running = 0;
  bool in_call = false;
  std::optional<Nanos> deadline;  // from the timer callback
  // Descriptors below this are kept in a vector indexed by number (targets use small ones);
  // any other value a target reports goes to a tree.
  static constexpr int kSmallFd = 1 << 16;
  static bool small_fd(int fd) { return fd >= 0 && fd < kSmallFd; }
  // The registered descriptors: in order (the first, or the n-th, is picked by number), and
  // found in one step for the small numbers targets use: a lookup on every ready descriptor
  // walking a tree of 10,000 sockets would miss the cache at each level.
  class Registrations {
   public:
    Registration* find(int fd) {
      const auto i = static_cast<std::size_t>(fd);
      if (small_fd(fd)) return i < small_.size() ? small_[i] : nullptr;
      auto it = ordered_.find(fd);
      return it == ordered_.end() ? nullptr : &it->second;
    }
    Registration& operator[](int fd) {
      if (Registration* r = find(fd)) return *r;
      Registration& r = ordered_[fd];  // a map's node stays where it is: small_ may point at it
      if (small_fd(fd)) {
        const auto i = static_cast<std::size_t>(fd);
        if (i >= small_.size()) small_.resize(i * 2 + 64, nullptr);
        small_[i] = &r;
      }
      return r;
    }
    void erase(int fd) {
      if (small_fd(fd) && static_cast<std::size_t>(fd) < small_.size()) small_[static_cast<std::size_t>(fd)] = nullptr;
      ordered_.erase(fd);
    }
    bool empty() const { return ordered_.empty(); }
    std::size_t size() const { return ordered_.size(); }
    int nth(std::size_t n) const { return std::next(ordered_.begin(), static_cast<long>(n))->first; }  // n < size()

   private:
    std::map<int, Registration> ordered_;
    std::vector<Registration*> small_;
  } regs;
  // Descriptors registered at some point: a flag per small descriptor number, a set for any
  // other value a target reports.
  struct FdsSeen {
    std::vector<bool> small;
    std::set<int> other;
    void insert(int fd) {
      if (!small_fd(fd)) {
        other.insert(fd);
        return;
      }
      if (static_cast<std::size_t>(fd) >= small.size()) small.resize(static_cast<std::size_t>(fd) * 2 + 64);
      small[static_cast<std::size_t>(fd)] = true;
    }
    bool count(int fd) const {
      if (!small_fd(fd)) return other.count(fd) != 0;
      return static_cast<std::size_t>(fd) < small.size() && small[static_cast<std::size_t>(fd)];
    }
  } ever_registered;
  // Keyed by address, hashed: looked up, never iterated, so no address order reaches a
  // trace (ids come from creation order), and a lookup costs the same with 10,000 handles.
  std::unordered_map<const void*, int> easy_ids;
  int next_easy_id = 1;
  std::unordered_map<const void*, int> socketp_ids;
  std::unordered_map<const void*, Transfer*> transfer_of;
  int next_socketp_id = 1;
  std::vector<std::unique_ptr<Transfer>> transfers;
  std::vector<int> candidates;
  std::vector<int> scratch;
  bool after_add = false;
  // Socket calls since the target last showed a change. A level-triggered application
  // whose target never consumes an event spins; past kLivelockCalls (twice the checker's
  // SA-PROGRESS window, so the checker has reported it) the run stops instead of
  // filling memory up to call_limit.
  static constexpr std::uint64_t kLivelockCalls = 20000;
  std::uint64_t calls_without_change = 0;
  bool stop_after_error = false;  // no-recover: an error return ends the run
  bool in_socket_call = false;   // inside socket_action: where an abort may be returned
  bool aborted_once = false;     // abort_cb fires at most once per run
  bool undrained = false;        // defer_info_read left messages in the queue
  bool recovering = false;       // inside recover(): its adds do not recover again
  std::vector<std::pair<Nanos, Transfer*>> readd;  // remove_random: re-add at that time
  std::vector<Unpause> unpauses;                   // in the order scheduled
  // The API calls in progress, innermost last (names without the target's prefix), and
  // their full text for DriverOptions::call_hook.
  std::vector<const char*> calls;
  std::vector<std::string> call_text;
  bool socket_call_timeout = false;     // the socket call in progress is SOCKET_TIMEOUT
  std::set<std::string> timer_aborted;  // abort_timer: the kinds of call it aborted in
  int nested_socket = 0, nested_timer = 0;  // nested: the next call of each rotation
  int null_next = 0;                        // null_multi: the next call of the rotation
  std::vector<void*> spares;  // handles a nested add_handle wrongly accepted

  Impl(const Api& a, Environment& e, DriverOptions o)
      : api(a), env(e), opt(std::move(o)), rng(opt.seed) {
    rng.attach(opt.choices);
  }

  ~Impl() {
    for (auto& t : transfers) release(*t);
  }

  std::int64_t now_ns() { return env.now().count(); }

  void enter(const char* name, const char* how = "");
  void leave();
  template <typename F>
  auto traced(const char* name, const char* how, F&& f) {
    enter(name, how);
    if constexpr (std::is_void_v<decltype(f())>) {
      f();
      leave();
    } else {
      auto r = f();
      leave();
      return r;
    }
  }

  // One API call from the loop (not from a callback), recorded when it returns: `e` is the
  // event without its result, `call` returns the code.
  template <typename F>
  int recorded_call(Event& e, const char* name, const char* how, F&& call) {
    in_call = true;
    const int rc = traced(name, how, std::forward<F>(call));
    in_call = false;
    e.result = rc;
    record(e);
    return rc;
  }

  void release(Transfer& t);

  void flags(Event& e, bool bad_userp);

  void record(Event e);

  std::uint64_t events_dropped = 0;  // past DriverOptions::trace_events_max

  void note(std::string text);

  // A new easy handle the trace names by the next id (spares for probes, transfers); null
  // when easy_init fails.
  void* new_easy(int& id);

  int easy_id(const void* easy);

  int socketp_id(const void* p);

  Transfer* by_easy(const void* easy);

  // ---- callbacks -------------------------------------------------------------------------

  // The driver running on this thread. Callbacks find it here rather than through userp,
  // so a wrong userp from a target is recorded ("bad-userp") instead of dereferenced.
  static thread_local Impl* current;

  // Declared with the engine's callback types, so the engine calls them through a pointer
  // of their own type; a curl-style library calls them with its own handle type, which has
  // the same representation.
  static int socket_cb(ms_easy* easy, ms_socket_t fd, int what, void* userp, void* socketp);

  int on_socket(void* easy, int fd, int what, void* socketp, bool bad_userp);

  // A multi call from inside a callback: it must be refused with RECURSIVE_API_CALL.
  void probe_recursion();
  // In a classic loop (no socket or timer callback), from inside a write callback: the
  // next of multi_perform, multi_wait, multi_poll, multi_fdset, each to be refused.
  void probe_classic_recursion();
  int nested_classic = 0;

  static int timer_cb(ms_multi* multi_handle, long timeout_ms, void* userp);

  int on_timer(void* multi_handle, long timeout_ms, bool bad_userp);

  // One API call from inside a callback, the next of a rotation per callback kind. The
  // documents allow info_read (no restriction), multi_assign ("acceptable to call this
  // function from your multi callback functions") and easy_pause ("can be used from within
  // callbacks"); the others must be refused with RECURSIVE_API_CALL. easy is the socket
  // callback's handle, fd its socket (-1 on REMOVE or in the timer callback).
  void nested_call(bool socket_cb, void* easy, int fd);

  // info_read from inside a callback (allowed): a DONE it returns finishes its transfer.
  void nested_info_read(Event& e, const char* where);

  // Uploads send generated bytes (the same ones a peer's `send body N` sends).
  static std::size_t read_cb(char* buffer, std::size_t size, std::size_t nitems, void* userdata);

  // ---- pausing ---------------------------------------------------------------------------

  // Write and read callbacks are recorded only when the policy pauses: other runs keep
  // their traces (and their hashes) as they were.
  bool traces_data() const { return opt.policy.pause > 0 || opt.policy.pause_upload > 0; }

  // Draws whether this callback pauses its direction. Never without the means to unpause,
  // never twice before the unpause, and at most kPausesPerTransfer times.
  bool may_pause(Transfer& t, int bit, int& count, double p);

  void data_callback(EventKind kind, Transfer& t, std::size_t offered, long result);

  // The application lets the transfer go on: easy_pause with the bit cleared, from the
  // loop, never from a callback. The write callback may run inside (delivering what was
  // refused); a transfer may even finish there, so the queue is read right after.
  void unpause(Transfer& t, int bit);

  static char upload_byte(std::uint64_t i) { return ms::sim::generated_body_byte(i); }

  // The scripted peers' CA, written once per process into the temporary folder.
  static const std::string& test_ca_file();

  static std::size_t write_cb(char* ptr, std::size_t size, std::size_t nmemb, void* userdata);

  // ---- API calls, each recorded after it returns --------------------------------------

  void drain_or_defer(int rc);

  void drain_messages();

  void finish_transfer(Transfer& t, int code);

  bool all_done() const;

  // The three socket entry points (socket_action, the deprecated multi_socket and
  // multi_socket_all) share everything but the call itself: counting, recording, reading
  // messages, and the recovery rule after an error return.
  template <typename Call>
  int socket_call(EventKind kind, int fd, int mask, const char* why, Call&& call) {
    if (stop_after_error) return MSM_OK;  // nothing more is asked of the multi
    ++out.api_calls;
    ++calls_without_change;
    if (why) note(why);
    int now_running = -1;
    in_call = true;
    in_socket_call = kind == EventKind::socket_action;
    socket_call_timeout = fd == MS_SOCKET_TIMEOUT && kind == EventKind::socket_action;
    enter(kind == EventKind::socket_action ? "multi_socket_action"
          : kind == EventKind::socket_legacy ? "multi_socket" : "multi_socket_all");
    const int rc = call(&now_running);
    leave();
    socket_call_timeout = false;
    in_socket_call = false;
    in_call = false;
    Event e;
    e.kind = kind;
    e.fd = fd;
    e.mask = mask;
    e.result = rc;
    e.running = now_running;
    record(e);
    if (rc == MSM_OK || rc == MSM_CALL_MULTI_PERFORM) running = now_running;
    drain_or_defer(rc);
    if (rc != MSM_OK && rc != MSM_CALL_MULTI_PERFORM) recover(rc);
    return rc;
  }

  int socket_action(int fd, int mask, const char* why);

  int socket_legacy(int fd);

  void socket_all();

  long query_timeout();  // the answer in ms, -2 when the call failed

  // The libfetch rule: after an error return, remove every handle and add new ones.
  void recover(int rc);

  void cleanup_easy(Transfer& t);

  void remove_transfer(Transfer& t);

  // The transfer's options on its easy handle (URL, callbacks, timeouts, TLS, upload,
  // headers, resolve entries): the OR of the setopt results, 0 when all were accepted.
  int set_transfer_options(Transfer& t, void* easy);

  // Creates a fresh easy handle for the transfer (also after a recovery) and adds it.
  bool add_transfer(Transfer& t);

  // ---- misuse and churn ----------------------------------------------------------------------

  // One invalid call; each has a documented error code and must never crash.
  void misuse();

  // null_multi: the next call of a rotation over every multi call, with a NULL multi. Each
  // must return BAD_HANDLE (info_read: NULL), never crash.
  void null_multi_call();

  // Handles a nested add_handle wrongly accepted: removed and cleaned up from the loop.
  void drop_spares();

  // remove_random: takes a running transfer out and schedules it back.
  void remove_random();

  // ---- the loop ----------------------------------------------------------------------------
  //
  // run() is the loop in named phases: start, then rounds of (limits, due plan steps, due
  // re-adds and unpauses, the policy's own moves, ready descriptors, events with no news,
  // the timer, the end test, the wait), then the end. Each phase draws from the policy's
  // random stream at the same point as before it was a phase, so a seed gives the same run.

  // Where the loop is in the plan, kept between rounds.
  struct Loop {
    const std::vector<ClientStep>& plan;
    std::size_t next_step = 0;
    bool ended = false;
    bool cleanup_pending = false;  // a `cleanup` step: multi_cleanup with handles still added
    bool kicked = false;
    Nanos start{0};
    int idle_rounds = 0;
    std::map<std::string, Transfer*> by_id;  // a plan of many transfers finds each in log n

    bool plan_left() const { return next_step < plan.size(); }
  };

  RunResult run(const std::vector<ClientStep>& plan);

  // multi_init and the callbacks. False when there is no multi to drive.
  bool start_multi();

  // ---- the classic loop (driver_classic.cpp), for Policy::loop other than socket ---------

  // Rounds of (limits, due plan steps, re-adds and unpauses, churn, perform and the
  // messages, the end test, the wait the loop's kind makes) until the plan's end.
  void classic_rounds(Loop& loop);
  // multi_perform, recorded with the time it took; reads the messages, recovers after an
  // error return as the socket calls do.
  int perform();
  // The wait of one round, bounded by the next thing the application itself must do.
  bool classic_wait(Loop& loop);
  // multi_wait or multi_poll (kind), recorded with numfds and the time it took.
  int wait_call(EventKind kind, int timeout_ms, int& numfds);
  // multi_fdset, then the application's own select() over the sets in the Environment.
  bool fdset_and_select(std::optional<Nanos> wake);
  std::set<int> watched;  // descriptors the fdset loop asked the Environment to watch
  int zero_numfds = 0;    // multi_wait returns with numfds 0 in a row

  // The run's bounds: after an error with no-recover, a livelock, the call and time limits.
  bool limit_reached(const Loop& loop);

  // (1) The plan steps that are due: add, remove, end, cleanup.
  bool carry_out_due_steps(Loop& loop);

  static Transfer* find(const Loop& loop, const std::string& id);

  // Re-adds of randomly removed transfers and unpauses that are due, each in the order
  // scheduled.
  bool readd_and_unpause_due();

  // The policy's moves of the application itself: churn, misuse, NULL-multi calls, the
  // spares a nested add left, and the kick-start after the first add.
  bool policy_moves(Loop& loop);

  // (2) Ready descriptors, in ascending order, with the mask their registration asks for.
  bool act_on_ready_descriptors();

  // Policy: events that carry no news, or wrong news, and the calls that ask for nothing.
  bool events_without_news();

  // (3) The timer: SOCKET_TIMEOUT once it has expired (or early, by policy).
  bool fire_timer();

  // Every transfer is over and nothing the plan still holds would show more.
  bool all_over(const Loop& loop) const;

  // (4) Wait for the network, the timer or the next plan step. False: the run ends (a
  // stall, or the idle bound).
  bool wait_for_next(Loop& loop);

  // The end: the last messages, then either the `cleanup` step (multi_cleanup with the
  // transfers still in it) or the documented order (remove, easy_cleanup, multi_cleanup).
  void end_run(bool cleanup_pending);

  void cleanup_multi(const char* how);
};

}  // namespace ms::conf

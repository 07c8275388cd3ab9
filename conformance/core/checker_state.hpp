// SPDX-License-Identifier: MIT
// checker_state.hpp: the checker's model of what the application can know, one part per
// concern (private to ms_conformance_core).
//
// How it works: events are buffered until the API call event that closes their group
// (trace.hpp), then replayed in order with that call as context, then the call itself is
// checked. Clauses that need the future (a running decrease must be matched by DONE
// messages read later) keep small obligations that are settled at a "drain" (an info_read
// that leaves the queue empty) or at finish(). All containers are ordered (std::map/std::set)
// so reports never depend on hash order.
//
// Where each concern is judged: checker.cpp (the replay of call groups, notes, the order in
// which a call is judged, the end of the run), checker_sockets.cpp (SC-*, AS-UNKNOWN,
// SA-ERR, SA-SPURIOUS), checker_timer.cpp (TM-*), checker_queue.cpp (SA-RUNNING,
// SA-DECREASE, SA-ZERO-DONE, IR-*; CL-RUNNING for multi_perform's counts), checker_classic.cpp
// (the other CL-* clauses: perform, wait, poll, wakeup, fdset), checker_handles.cpp (add and remove, ER-*,
// SA-AFTER-ERROR, LG-CALL-AGAIN), checker_driving.cpp (SA-MASK, SA-ZERO, DP-SOCKET,
// SA-PROGRESS), checker_pause.cpp (PA-*).
#pragma once

#include <algorithm>
#include <array>
#include <deque>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "conformance/checker.hpp"
#include "conformance/codes.hpp"
#include "conformance/scenario.hpp"
#include "multisock/multisock.h"

namespace ms::conf {
namespace checker_detail {
inline constexpr std::int64_t kMs = 1000000;
inline constexpr long kUnknown = std::numeric_limits<long>::max();

inline bool is_api_call(EventKind k) {
  switch (k) {
    case EventKind::add_handle:
    case EventKind::remove_handle:
    case EventKind::socket_action:
    case EventKind::socket_legacy:
    case EventKind::socket_all:
    case EventKind::assign:
    case EventKind::timeout_query:
    case EventKind::info_read:
    case EventKind::setopt:
    case EventKind::cleanup:
    case EventKind::easy_pause:
    case EventKind::perform:
    case EventKind::multi_wait:
    case EventKind::multi_poll:
    case EventKind::wakeup:
    case EventKind::fdset: return true;
    default: return false;
  }
}

// A small ordered set of ints in one vector that keeps its storage when cleared: a set
// emptied for every call group allocates nothing once it has reached its working size.
// Ascending inserts (descriptors as they are opened) go at the end.
class FlatIntSet {
 public:
  void insert(int v) {
    if (!v_.empty() && v_.back() < v) {
      v_.push_back(v);
      return;
    }
    const auto it = std::lower_bound(v_.begin(), v_.end(), v);
    if (it == v_.end() || *it != v) v_.insert(it, v);
  }
  std::size_t count(int v) const { return std::binary_search(v_.begin(), v_.end(), v) ? 1 : 0; }
  void clear() { v_.clear(); }

 private:
  std::vector<int> v_;
};

// A set of handle ids (the trace's small positive "e1", "e2", ...): a flag per id, so
// adding and finding one allocates nothing once the flags reach the run's largest id. Ids
// outside that range (a target's -1, one past kDenseMax) live in an ordered set beside it.
// for_each visits them in ascending order, as iterating a std::set<int> would.
class IdSet {
 public:
  static constexpr int kDenseMax = 1 << 20;
  void insert(int id) {
    if (id < 0 || id >= kDenseMax) {
      size_ += other_.insert(id).second ? 1 : 0;
      return;
    }
    const auto k = static_cast<std::size_t>(id);
    if (k >= dense_.size()) dense_.resize(std::max<std::size_t>(64, k * 2));
    if (!dense_[k]) ++size_;
    dense_[k] = true;
  }
  std::size_t erase(int id) {
    if (id < 0 || id >= kDenseMax) {
      const std::size_t n = other_.erase(id);
      size_ -= n;
      return n;
    }
    const auto k = static_cast<std::size_t>(id);
    if (k >= dense_.size() || !dense_[k]) return 0;
    dense_[k] = false;
    --size_;
    return 1;
  }
  std::size_t count(int id) const {
    if (id < 0 || id >= kDenseMax) return other_.count(id);
    const auto k = static_cast<std::size_t>(id);
    return k < dense_.size() && dense_[k] ? 1 : 0;
  }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  template <class F>
  void for_each(F&& f) const {
    auto it = other_.begin();
    for (; it != other_.end() && *it < 0; ++it) f(*it);
    for (std::size_t k = 0; k < dense_.size(); ++k)
      if (dense_[k]) f(static_cast<int>(k));
    for (; it != other_.end(); ++it) f(*it);
  }

 private:
  std::vector<bool> dense_;
  std::set<int> other_;
  std::size_t size_ = 0;
};

inline bool is_socket_call(EventKind k) {
  return k == EventKind::socket_action || k == EventKind::socket_legacy ||
         k == EventKind::socket_all;
}

// The whitespace-separated words of text (as `>>` reads them in the C locale), as views
// into it: the notes the checker reads are split for every transfer, without copying.
inline std::vector<std::string_view> words(const std::string& text) {
  std::vector<std::string_view> out;
  out.reserve(8);  // the notes read have two or three words: one allocation
  const auto space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
  };
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && space(text[i])) ++i;
    std::size_t j = i;
    while (j < text.size() && !space(text[j])) ++j;
    if (j > i) out.emplace_back(text.data() + i, j - i);
    i = j;
  }
  return out;
}

// "e12" or "12" -> 12; false when not a positive id.
inline bool parse_easy_id(std::string_view w, int& out) {
  std::size_t i = (!w.empty() && w[0] == 'e') ? 1 : 0;
  if (i >= w.size() || w.size() - i > 9) return false;
  int v = 0;
  for (; i < w.size(); ++i) {
    if (w[i] < '0' || w[i] > '9') return false;
    v = v * 10 + (w[i] - '0');
  }
  if (v <= 0) return false;
  out = v;
  return true;
}

inline bool parse_long(std::string_view w, long& out) {
  if (w.empty() || w.size() > 15) return false;
  long v = 0;
  for (char c : w) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

// Names from multisock.h's tables; local so the checker does not link the engine.
inline const char* mname(int c) {
  switch (c) {
#define MS_X(name, value, text) \
  case value: return #name;
    MS_MCODES(MS_X)
#undef MS_X
    default: return "MSM_?";
  }
}
inline const char* ename(int c) {
  switch (c) {
#define MS_X(name, value, text) \
  case value: return #name;
    MS_ECODES(MS_X)
#undef MS_X
#define MS_X(name, value, text, since) \
  case value: return #name;
    MS_CONF_LATER_ECODES(MS_X)
#undef MS_X
    default: return "MSE_?";
  }
}
inline std::string mcode(int c) { return std::string(mname(c)) + "(" + std::to_string(c) + ")"; }

}  // namespace checker_detail
using namespace checker_detail;

struct Checker::State {
  Edition edition;
  CheckerOptions opt;
  std::array<bool, kClauseCount> enabled{};
  std::array<std::size_t, kClauseCount> exercised{};
  std::array<std::size_t, kClauseCount> violated{};
  std::vector<Violation> violations;
  bool stopped = false;
  bool finished = false;
  std::size_t next_index = 0;

  // Current group: buffered events with their indexes. The events are the caller's
  // (on_trace) or copies in `held` (on_event), which lives until the group is replayed.
  std::vector<std::pair<std::size_t, const Event*>> buffer;
  std::vector<std::pair<std::size_t, const Event*>> replaying;  // capacity kept between groups
  std::deque<Event> held;

  // The application's view of its handles, shared by every concern.
  IdSet added, done_read, removed, healthy;
  std::set<int> unfinished;  // added and not in done_read, kept in step with both
  std::map<int, std::int64_t> add_time;
  bool cleanup_seen = false;
  bool cleanup_returned = false;  // the multi is gone: no callback may come any more

  // Facts about the call group being replayed.
  struct Group {
    FlatIntSet socket_fds;  // fds told by socket_cb in this group
    bool timer_told = false;
    bool abort = false;        // a callback returned -1
    std::size_t abort_index = 0;
    bool change = false;       // anything that counts as progress (SA-PROGRESS)
  } group;

  // Sockets (SC-*, AS-UNKNOWN, SA-ERR): the registered ones (last action not REMOVE), and
  // the ERR events still owed an answer.
  struct Reg {
    int action = 0;
    int easy = 0;
    int socketp = 0;
    bool closed = false;
  };
  struct Sockets {
    std::map<int, Reg> reg;
    std::map<int, std::size_t> err_pending;  // fd -> index of the ERR call
    std::map<int, int> err_easy;
  } sockets;

  // HTTP/2 streams (SC-LAST-STREAM): the streams open on each client socket (net_stream,
  // net_stream_end: from the server's headers until what ended it reached the client) with
  // the transfer each carries (0: unknown),
  // and the REMOVEs told while one was open for a running transfer. Those are judged when
  // the application has read the call's DONE messages, that is once time moves on (or a
  // stall is noted): a transfer still running then was left without its socket.
  struct OpenRemove {
    std::size_t index = 0;
    std::int64_t time = 0;
    // When the call that told it returned (its own time outside a call): it is judged
    // once time has moved past that, so the DONE messages of that call have been read.
    // A library that blocks inside the call (a resolver thread joined) moves the
    // virtual clock there, and the transfers that call ends end after the REMOVE's time.
    std::int64_t call_end = 0;
    int fd = -1;
    long stream = 0;
    int easy = 0;
  };
  struct Streams {
    std::map<int, std::map<long, int>> open;  // fd -> stream id -> easy
    std::vector<OpenRemove> suspects;
  } streams;

  // The timer (TM-*): the last value told and when, and the transfers' deadlines.
  struct Timer {
    bool told = false;
    long value = -1;
    std::int64_t time = 0;
    bool fired = false;  // a SOCKET_TIMEOUT call consumed the last timer told
    std::map<int, long> timeout_ms;  // from "timeout eN MS" notes
    std::map<int, int> calls_past_deadline;
    // (add time + timeout, handle) of transfers that may be running with a timeout, in
    // deadline order, so a call visits only the transfers already past their deadline.
    // An entry whose handle ended or was added again since is dropped when met.
    std::set<std::pair<std::int64_t, int>> deadlines;
    bool late = false;  // "late-timers": the driver may fire timers late
  } timer;

  // The running count and the message queue (SA-RUNNING, SA-DECREASE, SA-ZERO-DONE, IR-*).
  struct RunCheck {
    bool active = false;
    int running = 0;
    std::size_t index = 0;
    ClauseId clause = ClauseId::SA_RUNNING;
  };
  // The clauses a running count is judged by: socket_action's pages, or multi_perform's.
  struct RunningClauses {
    ClauseId running, decrease, zero_done;
  };
  static constexpr RunningClauses kSocketRunning{ClauseId::SA_RUNNING, ClauseId::SA_DECREASE,
                                                 ClauseId::SA_ZERO_DONE};
  static constexpr RunningClauses kPerformRunning{ClauseId::CL_RUNNING, ClauseId::CL_RUNNING,
                                                  ClauseId::CL_RUNNING};
  struct Queue {
    int last_running = -1;
    RunCheck run_check;
    long lo = 0, hi = 0;  // bounds on queued messages; hi kUnknown when unknown
    long decrease_since_drain = 0, dones_since_drain = 0;
    bool decrease_poisoned = false;
    std::size_t decrease_index = 0;
    int baseline = -1;
    std::set<int> zero_pending;
    std::size_t zero_index = 0;
    // Which call's pages the pending decrease and zero are judged by.
    ClauseId decrease_clause = ClauseId::SA_DECREASE, zero_clause = ClauseId::SA_ZERO_DONE;
  } queue;

  // The classic loop (CL-*): whether multi_perform drives the multi, multi_timeout's answer
  // since the last wait (the internal timeout a wait may shorten to), and a wakeup that no
  // multi_poll has consumed yet.
  struct Classic {
    bool no_callbacks = false;  // "classic-loop" note: no socket or timer callback was set
    bool used = false;
    long timeout_reported = kUnknown;
    bool wakeup_pending = false;
  } classic;

  // Error returns and aborts (ER-ABORT, SA-AFTER-ERROR).
  struct Errors {
    std::set<int> abort_pending;
    std::size_t abort_index = 0;
    bool in_error = false;
    std::size_t error_index = 0;
  } errors;

  // How the application drives the multi (SA-ZERO, SA-SPURIOUS, DP-SOCKET, SA-PROGRESS).
  struct Driving {
    bool spurious_seen = false, mask0_used = false, nonzero_mask_used = false, legacy_used = false;
    int idle_calls = 0;
    std::int64_t last_time = 0;  // of the last socket call
  } driving;

  // Pausing (PA-*): the MSPAUSE_* bits each transfer is known to hold, PAUSE returns made
  // inside the easy_pause call being replayed (they take effect after its own bits), and
  // unpauses whose PA-RESUME verdict waits for the transfer's fate.
  struct Resume {
    std::size_t index = 0;
    bool timer_due = false;  // the application's timer was due within 1 ms of the unpause
    std::string timer;       // what the timer was, for the message
  };
  struct Pause {
    std::map<int, int> held;
    std::map<int, int> in_group;
    std::map<int, Resume> resume_pending;
  } pause;

  State(Edition ed, CheckerOptions o) : edition(ed), opt(o) {
    for (const Clause& c : all_clauses()) {
      // Application clauses are judged on recorded programs (check_application), not here.
      enabled[static_cast<std::size_t>(c.key)] =
          in_edition(c, ed) && party_of(c) == Party::library;
    }
  }

  bool on(ClauseId id) const { return enabled[static_cast<std::size_t>(id)]; }
  // Counts one evaluation; returns whether the clause is in the edition.
  bool ex(ClauseId id) {
    if (!on(id)) return false;
    ++exercised[static_cast<std::size_t>(id)];
    return true;
  }
  void fail(ClauseId id, std::size_t index, std::int64_t t, std::string msg) {
    if (!on(id) || stopped) return;
    // Every violation is counted; the first kViolationsKeptPerClause of a clause are kept,
    // so a target that repeats one fault a million times cannot exhaust the harness.
    if (++violated[static_cast<std::size_t>(id)] > kViolationsKeptPerClause) return;
    violations.push_back(Violation{std::string(clause(id).id), index, t, std::move(msg)});
    if (opt.stop_at_first) stopped = true;
  }
  // Evaluate: counts the check, reports when bad. The message is made (message()) only
  // for a violation: most checks pass, and building their text was most of their cost.
  template <class Message>
  void check(ClauseId id, bool good, std::size_t index, std::int64_t t, Message&& message) {
    if (!ex(id)) return;
    if (!good) fail(id, index, t, std::string(message()));
  }

  bool paused(int h) const {  // holds a pause bit in either direction
    const auto it = pause.held.find(h);
    return it != pause.held.end() && it->second != 0;
  }
  long running_bound() const {  // added and not known done
    return static_cast<long>(added.size()) - static_cast<long>(done_read.size());
  }

  static constexpr int kPauseReturn = MS_WRITEFUNC_PAUSE;  // == MS_READFUNC_PAUSE
  static_assert(MS_WRITEFUNC_PAUSE == MS_READFUNC_PAUSE);

  // checker.cpp: the replay of call groups and the order of judgement
  // e stays alive until the group it belongs to has been replayed.
  void feed(std::size_t index, const Event& e);
  void replay(std::size_t i, const Event& e, const Event* ctx);
  void after_cleanup(std::size_t i, const Event& e);
  void callback_common(std::size_t i, const Event& e, const Event* ctx);
  void on_note(std::size_t i, const Event& e);
  void note_livelock(std::size_t i, const Event& e);
  void fail_liveness(std::size_t i, const Event& e);
  void on_call(std::size_t i, const Event& e, bool nested);
  void on_socket_call(std::size_t i, const Event& e);
  void finish_run();

  // checker_sockets.cpp
  void on_socket_cb(std::size_t i, const Event& e, const Event* ctx);
  void on_net_close(std::size_t i, const Event& e);
  void on_assign(std::size_t i, const Event& e);
  void on_cleanup(std::size_t i, const Event& e);
  void judge_unknown_descriptor(std::size_t i, const Event& e);
  void owe_answer_to_err(std::size_t i, const Event& e);
  void forget_errors_of(int h);
  void on_net_stream(const Event& e);
  void remove_with_open_streams(std::size_t i, const Event& e, const Event* ctx);
  void judge_open_removes(std::int64_t t);
  bool moved_off(int h, int fd) const;

  // checker_timer.cpp
  void on_timer_cb(std::size_t i, const Event& e, const Event* ctx);
  void on_timeout_query(std::size_t i, const Event& e);
  void timer_used_by(const Event& e);
  void count_calls_past_deadlines(std::int64_t t);
  void index_deadline(int h);
  void judge_deadline_at_done(std::size_t i, const Event& e);
  void quiescence_timer_check(std::size_t i, std::int64_t t);
  void before_cleanup(std::size_t i, const Event& e);

  // checker_queue.cpp
  void on_info_read(std::size_t i, const Event& e, bool nested = false);
  void on_done(std::size_t i, const Event& e);
  void judge_exact_running(const Event& e);
  void judge_running(std::size_t i, const Event& e, const RunningClauses& by = kSocketRunning);
  void drain(std::size_t i, std::int64_t t);

  // checker_handles.cpp
  void on_add(std::size_t i, const Event& e);
  void on_remove(std::size_t i, const Event& e);
  bool code_allowed(EventKind k, int r) const;
  bool judge_code(std::size_t i, const Event& e, bool in_cb);
  void judge_call_again(std::size_t i, const Event& e);
  void judge_abort_return(std::size_t i, const Event& e, bool in_cb);
  void judge_call_after_error(std::size_t i, const Event& e);
  void enter_error_state(std::size_t i);

  // checker_classic.cpp
  void on_perform(std::size_t i, const Event& e);
  void on_wait(std::size_t i, const Event& e);
  void on_fdset(std::size_t i, const Event& e);
  std::int64_t tolerance_ns() const;

  // checker_driving.cpp
  void judge_how_driven(std::size_t i, const Event& e, bool ok);
  void judge_progress(std::size_t i, const Event& e);
  void judge_healthy_end(std::size_t i, const Event& e);

  // checker_pause.cpp
  void on_data_cb(std::size_t i, const Event& e, const Event* ctx);
  void on_easy_pause(std::size_t i, const Event& e);
  void settle_resumes(std::int64_t t);
};

}  // namespace ms::conf

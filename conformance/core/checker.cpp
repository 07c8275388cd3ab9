// checker.cpp: the clause checks over a stream of trace events.
//
// How it works: events are buffered until the API call event that closes their group
// (trace.hpp), then replayed in order with that call as context, then the call itself is
// checked. The state is a model of what the application can know: which handles are
// added, which DONE messages were read, which sockets are registered (with socketp), the
// last timer told, bounds on the message queue. Clauses that need the future (a running
// decrease must be matched by DONE messages read later) keep small obligations that are
// settled at a "drain" (an info_read that leaves the queue empty) or at finish().
// All containers are ordered (std::map/std::set) so reports never depend on hash order.
#include "conformance/checker.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include "conformance/codes.hpp"
#include "conformance/scenario.hpp"
#include "multisock/multisock.h"

namespace ms::conf {
namespace {

constexpr std::int64_t kMs = 1000000;
constexpr long kUnknown = std::numeric_limits<long>::max();

bool is_api_call(EventKind k) {
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
    case EventKind::easy_pause: return true;
    default: return false;
  }
}

bool is_socket_call(EventKind k) {
  return k == EventKind::socket_action || k == EventKind::socket_legacy ||
         k == EventKind::socket_all;
}

std::vector<std::string> words(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

// "e12" or "12" -> 12; false when not a positive id.
bool parse_easy_id(const std::string& w, int& out) {
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

bool parse_long(const std::string& w, long& out) {
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
const char* mname(int c) {
  switch (c) {
#define MS_X(name, value, text) \
  case value: return #name;
    MS_MCODES(MS_X)
#undef MS_X
    default: return "MSM_?";
  }
}
const char* ename(int c) {
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
std::string mcode(int c) { return std::string(mname(c)) + "(" + std::to_string(c) + ")"; }

}  // namespace

const char* to_string(ClauseStatus s) {
  switch (s) {
    case ClauseStatus::pass: return "pass";
    case ClauseStatus::fail: return "fail";
    case ClauseStatus::not_exercised: return "not exercised";
  }
  return "?";
}

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

  // Current group: buffered events with their indexes.
  std::vector<std::pair<std::size_t, Event>> buffer;

  // The application's view of its handles, shared by every concern.
  std::set<int> added, done_read, removed, ever_added, healthy;
  std::map<int, std::int64_t> add_time;
  bool cleanup_seen = false;
  bool cleanup_returned = false;  // the multi is gone: no callback may come any more

  // Facts about the call group being replayed.
  struct Group {
    std::set<int> socket_fds;  // fds told by socket_cb in this group
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

  // The timer (TM-*): the last value told and when, and the transfers' deadlines.
  struct Timer {
    bool told = false;
    long value = -1;
    std::int64_t time = 0;
    bool fired = false;  // a SOCKET_TIMEOUT call consumed the last timer told
    std::map<int, long> timeout_ms;  // from "timeout eN MS" notes
    std::map<int, int> calls_past_deadline;
    bool late = false;  // "late-timers": the driver may fire timers late
  } timer;

  // The running count and the message queue (SA-RUNNING, SA-DECREASE, SA-ZERO-DONE, IR-*).
  struct RunCheck {
    bool active = false;
    int running = 0;
    std::size_t index = 0;
  };
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
  } queue;

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
      enabled[static_cast<std::size_t>(c.key)] = in_edition(c, ed);
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
  // Evaluate: counts the check, reports when bad.
  void check(ClauseId id, bool good, std::size_t index, std::int64_t t,
             const std::string& msg) {
    if (!ex(id)) return;
    if (!good) fail(id, index, t, msg);
  }

  long running_bound() const {  // added and not known done
    return static_cast<long>(added.size()) - static_cast<long>(done_read.size());
  }

  // ---- event replay -----------------------------------------------------------------

  void feed(std::size_t index, const Event& e) {
    if (stopped || finished) return;
    bool closes = (is_api_call(e.kind) && !e.has(EventFlag::in_callback)) ||
                  e.kind == EventKind::call_end;
    if (!closes) {
      buffer.emplace_back(index, e);
      return;
    }
    group.socket_fds.clear();
    group.timer_told = false;
    group.abort = false;
    group.change = false;
    if (e.kind == EventKind::cleanup) before_cleanup(index, e);
    std::vector<std::pair<std::size_t, Event>> group;
    group.swap(buffer);
    for (auto& [i, ev] : group) {
      if (stopped) return;
      replay(i, ev, &e);
    }
    if (stopped) return;
    replay(index, e, nullptr);
  }

  // ctx: the call the event was made in (nullptr for the call itself or no call).
  void replay(std::size_t i, const Event& e, const Event* ctx) {
    switch (e.kind) {
      case EventKind::socket_cb: on_socket_cb(i, e, ctx); break;
      case EventKind::timer_cb: on_timer_cb(i, e, ctx); break;
      case EventKind::net_open:
        group.change = true;
        if (auto it = sockets.reg.find(e.fd); it != sockets.reg.end() && !it->second.closed) {
          check(ClauseId::SC_REMOVE, false, i, e.time_ns,
                "expected REMOVE before descriptor " + std::to_string(e.fd) +
                    " is reused, observed it opened again while registered");
        }
        break;
      case EventKind::net_close: on_net_close(i, e); break;
      case EventKind::net_connect:
      case EventKind::net_bytes: group.change = true; break;
      case EventKind::net_ready: break;
      case EventKind::note: on_note(i, e); break;
      case EventKind::call_end: break;
      case EventKind::write_cb:
      case EventKind::read_cb: on_data_cb(i, e, ctx); break;
      default: on_call(i, e, ctx != nullptr);
    }
  }

  // Nothing of the multi may call the application once multi_cleanup returned.
  void after_cleanup(std::size_t i, const Event& e) {
    if (!cleanup_returned) return;
    check(ClauseId::SC_INSIDE, false, i, e.time_ns,
          std::string("expected no callback after multi_cleanup returned, observed a ") +
              to_string(e.kind) + (e.kind == EventKind::socket_cb ? " for fd " + std::to_string(e.fd) : ""));
  }

  void callback_common(std::size_t i, const Event& e, const Event* ctx) {
    after_cleanup(i, e);
    bool outside = e.has(EventFlag::outside) || e.has(EventFlag::other_thread);
    check(ClauseId::SC_INSIDE, !outside && ctx != nullptr, i, e.time_ns,
          std::string("expected the callback inside an API call on the application's thread, "
                      "observed ") +
              (ctx == nullptr ? "no API call after it" : e.flagged_text()));
    bool bad = e.has(EventFlag::bad_userp) || e.has(EventFlag::bad_multi);
    check(ClauseId::SC_USERP, !bad, i, e.time_ns,
          "expected userp/multi as set by the application, observed " + e.flagged_text());
    if (e.result == -1) {
      group.abort = true;
      group.abort_index = i;
    }
  }

  void on_socket_cb(std::size_t i, const Event& e, const Event* ctx) {
    callback_common(i, e, ctx);
    group.change = true;
    group.socket_fds.insert(e.fd);
    if (auto it = sockets.err_pending.find(e.fd); it != sockets.err_pending.end()) {
      sockets.err_pending.erase(it);
      sockets.err_easy.erase(e.fd);
    }
    bool valid = e.action >= MS_POLL_NONE && e.action <= MS_POLL_REMOVE;
    check(ClauseId::SC_ACTION, valid, i, e.time_ns,
          "expected action 0..4, observed " + std::to_string(e.action));
    // Edition 8 (curl 8.10 on): easy "might even be an internal easy handle", so an easy
    // the application never added (the trace's -1) is allowed; NULL never is.
    const bool internal_ok = edition == Edition::e8 && e.easy == -1;
    bool known_easy = e.easy != 0 && (added.count(e.easy) != 0 || internal_ok);
    check(ClauseId::SC_USERP, known_easy, i, e.time_ns,
          std::string(internal_ok ? "expected easy to be an added or internal handle"
                                  : "expected easy to be a handle added to this multi") +
              ", observed e" + std::to_string(e.easy));
    auto it = sockets.reg.find(e.fd);
    int expect_sp = it == sockets.reg.end() ? 0 : it->second.socketp;
    check(ClauseId::SC_SOCKETP, e.socketp == expect_sp, i, e.time_ns,
          "expected socketp " + std::to_string(expect_sp) + " for fd " +
              std::to_string(e.fd) + ", observed " + std::to_string(e.socketp));
    if (!valid) return;
    if (e.action == MS_POLL_REMOVE) {
      check(ClauseId::SC_REMOVE, it != sockets.reg.end(), i, e.time_ns,
            "expected REMOVE only for a registered socket, observed REMOVE for fd " +
                std::to_string(e.fd) + " which is not registered");
      if (it != sockets.reg.end()) sockets.reg.erase(it);
      return;
    }
    if (it != sockets.reg.end()) {
      check(ClauseId::SC_CHANGES, it->second.action != e.action, i, e.time_ns,
            "expected a change of action for fd " + std::to_string(e.fd) +
                ", observed action " + std::to_string(e.action) + " told twice in a row");
      it->second.action = e.action;
      it->second.easy = e.easy;
    } else {
      ex(ClauseId::SC_CHANGES);
      sockets.reg[e.fd] = Reg{e.action, e.easy, 0, false};
    }
  }

  void on_timer_cb(std::size_t i, const Event& e, const Event* ctx) {
    callback_common(i, e, ctx);
    group.timer_told = true;
    check(ClauseId::TM_VALUE, e.value >= -1, i, e.time_ns,
          "expected -1, 0 or a positive ms value, observed " + std::to_string(e.value));
    if (timer.told) {
      bool same = e.value == timer.value &&
                  (e.value < 0 || e.time_ns == timer.time);
      if (e.value >= 0 && timer.value >= 0) {
        same = e.time_ns + e.value * kMs == timer.time + timer.value * kMs;
      }
      bool allowed = ctx != nullptr && (ctx->kind == EventKind::add_handle ||
                                        (ctx->kind == EventKind::socket_action &&
                                         ctx->fd == MS_SOCKET_TIMEOUT));
      check(ClauseId::TM_CHANGES, !same || allowed, i, e.time_ns,
            "expected the timer callback only when the deadline changes, observed " +
                std::to_string(e.value) + " ms repeating the deadline told before");
    } else {
      ex(ClauseId::TM_CHANGES);
    }
    timer.told = true;
    timer.value = e.value;
    timer.time = e.time_ns;
    timer.fired = false;
  }

  // ---- pausing -------------------------------------------------------------------------

  static constexpr int kPauseReturn = MS_WRITEFUNC_PAUSE;  // == MS_READFUNC_PAUSE
  static_assert(MS_WRITEFUNC_PAUSE == MS_READFUNC_PAUSE);

  void on_data_cb(std::size_t i, const Event& e, const Event* ctx) {
    after_cleanup(i, e);
    const bool outside = e.has(EventFlag::outside);
    check(ClauseId::SC_INSIDE, !outside && ctx != nullptr, i, e.time_ns,
          std::string("expected the ") + to_string(e.kind) +
              " inside an API call, observed " + (ctx == nullptr ? "no API call after it" : e.flagged_text()));
    group.change = true;
    const bool write = e.kind == EventKind::write_cb;
    const int bit = write ? MSPAUSE_RECV : MSPAUSE_SEND;
    // Inside the easy_pause that clears the bit, the callback is the promised redelivery.
    const bool in_unpause = ctx != nullptr && ctx->kind == EventKind::easy_pause &&
                            ctx->easy == e.easy && (ctx->value & bit) == 0;
    const int held = in_unpause ? pause.in_group[e.easy] : pause.held[e.easy];
    check(ClauseId::PA_SILENT, (held & bit) == 0, i, e.time_ns,
          "expected no " + std::string(write ? "write" : "read") + " callback for e" +
              std::to_string(e.easy) + " while its " + (write ? "receiving" : "sending") +
              " is paused, observed one offering " + std::to_string(e.value) + " bytes");
    if (e.result != kPauseReturn) return;
    if (ctx != nullptr && ctx->kind == EventKind::easy_pause && ctx->easy == e.easy) {
      pause.in_group[e.easy] |= bit;
    } else {
      pause.held[e.easy] |= bit;
    }
  }

  void on_easy_pause(std::size_t i, const Event& e) {
    const int h = e.easy;
    const int before = pause.held[h];
    // The state is set even when the call then fails ("something wrong occurred after the
    // new state was set"); a PAUSE returned by the redelivery inside it comes on top.
    const int now = static_cast<int>(e.value) | pause.in_group[h];
    pause.in_group.clear();
    pause.held[h] = now;
    // Transfers may move inside easy_pause (data delivered, even finished): the running
    // count the next socket call reports is no decrease to match against DONE messages.
    queue.baseline = -1;
    queue.run_check.active = false;
    queue.hi = kUnknown;
    if (e.result != MSE_OK || (before & ~now) == 0 || !added.count(h) || done_read.count(h)) return;
    const std::int64_t tol = opt.timer_tolerance_ms * kMs;
    Resume r;
    r.index = i;
    r.timer_due = timer.told && timer.value >= 0 && !timer.fired &&
                  timer.time + timer.value * kMs <= e.time_ns + kMs + tol;
    r.timer = !timer.told         ? std::string("no timer told")
              : timer.value < 0   ? std::string("the timer deleted (-1)")
              : timer.fired       ? "the last timer (" + std::to_string(timer.value) +
                                      " ms) already fired and none told since"
                                  : "a timer due in " +
                                      std::to_string((timer.time + timer.value * kMs - e.time_ns) / kMs) +
                                      " ms";
    pause.resume_pending[h] = r;
  }

  // The transfer's fate is known (a socket call came, or the run ended): one that finished
  // inside easy_pause needed no timer; any other must have had one due.
  void settle_resumes(std::int64_t t) {
    for (auto& [h, r] : pause.resume_pending) {
      if (!ex(ClauseId::PA_RESUME)) continue;
      if (done_read.count(h) || !added.count(h)) continue;
      if (!r.timer_due)
        fail(ClauseId::PA_RESUME, r.index, t,
             "expected a timer due within 1 ms after easy_pause unpaused e" + std::to_string(h) +
                 ", observed " + r.timer);
    }
    pause.resume_pending.clear();
  }

  void on_net_close(std::size_t i, const Event& e) {
    group.change = true;
    auto it = sockets.reg.find(e.fd);
    bool registered = it != sockets.reg.end() && !it->second.closed;
    check(ClauseId::SC_REMOVE, !registered, i, e.time_ns,
          "expected REMOVE before fd " + std::to_string(e.fd) +
              " is closed, observed the close while it is registered");
    // Forget it: the REMOVE that may follow is the same fault, not a second one.
    if (it != sockets.reg.end()) sockets.reg.erase(it);
  }

  void on_note(std::size_t i, const Event& e) {
    std::vector<std::string> w = words(e.text);
    if (w.empty()) return;
    int h = 0;
    if (w[0] == "healthy" && w.size() >= 2 && parse_easy_id(w[1], h)) {
      healthy.insert(h);
    } else if (w[0] == "timeout" && w.size() >= 3 && parse_easy_id(w[1], h)) {
      long ms = 0;
      if (parse_long(w[2], ms)) timer.timeout_ms[h] = ms;
    } else if (w[0] == "spurious") {
      driving.spurious_seen = true;
    } else if (w[0] == "late-timers") {
      timer.late = true;
    } else if (w[0] == "stall") {
      fail_liveness(i, e);
    } else if (w[0] == "livelock") {
      // The application gave up on a target that consumed none of its events: an ERR
      // still unanswered then was met with silence.
      for (auto& [fd, at] : sockets.err_pending) {
        check(ClauseId::SA_ERR, false, i, e.time_ns,
              "expected the transfer on fd " + std::to_string(fd) + " (ERR at event " +
                  std::to_string(at) + ") to end or re-register, observed silence until the "
                  "application gave up");
      }
      sockets.err_pending.clear();
      sockets.err_easy.clear();
    }
  }

  void fail_liveness(std::size_t i, const Event& e) {
    check(ClauseId::SC_LIVENESS, false, i, e.time_ns,
          "expected something to wait on while " + std::to_string(running_bound()) +
              " handles run, observed a stall (no registered interest, no timer)");
    if (driving.mask0_used && !driving.nonzero_mask_used) {
      check(ClauseId::SA_ZERO, false, i, e.time_ns,
            "expected transfers driven with mask 0 to complete, observed a stall");
    }
    for (auto& [fd, at] : sockets.err_pending) {
      check(ClauseId::SA_ERR, false, i, e.time_ns,
            "expected the transfer on fd " + std::to_string(fd) + " (ERR at event " +
                std::to_string(at) + ") to end or re-register, observed silence until a stall");
    }
    sockets.err_pending.clear();
  }

  // ---- API calls ---------------------------------------------------------------------

  bool code_allowed(EventKind k, int r) const {
    auto in = [r](std::initializer_list<int> l) {
      return std::find(l.begin(), l.end(), r) != l.end();
    };
    if (in({MSM_BAD_HANDLE, MSM_OUT_OF_MEMORY, MSM_INTERNAL_ERROR, MSM_RECURSIVE_API_CALL}))
      return true;
    switch (k) {
      case EventKind::add_handle:
        return in({MSM_OK, MSM_BAD_EASY_HANDLE, MSM_ADDED_ALREADY, MSM_ABORTED_BY_CALLBACK});
      case EventKind::remove_handle:
        return in({MSM_OK, MSM_BAD_EASY_HANDLE, MSM_ABORTED_BY_CALLBACK});
      case EventKind::socket_action:
      case EventKind::socket_legacy:
      case EventKind::socket_all:
        if (r == MSM_CALL_MULTI_PERFORM) return edition == Edition::e7_16;
        return in({MSM_OK, MSM_BAD_SOCKET, MSM_ABORTED_BY_CALLBACK, MSM_UNRECOVERABLE_POLL});
      case EventKind::assign: return in({MSM_OK, MSM_BAD_SOCKET});
      case EventKind::setopt:
        return in({MSM_OK, MSM_UNKNOWN_OPTION, MSM_BAD_FUNCTION_ARGUMENT});
      case EventKind::timeout_query:
      case EventKind::cleanup: return r == MSM_OK;
      default: return true;
    }
  }

  void on_call(std::size_t i, const Event& e, bool nested) {
    const std::int64_t t = e.time_ns;
    if (e.kind == EventKind::easy_pause) {  // an easy call: its MSEcode is not ER-CODES'
      // Except from inside a callback, where curl_easy_pause(3) "can be used from within
      // callbacks": the driver asks for the state the transfer has, which must succeed.
      if (nested || e.has(EventFlag::in_callback))
        check(ClauseId::ER_CODES, e.result == MSE_OK, i, t,
              "expected MSE_OK from easy_pause inside a callback (allowed there), observed " +
                  std::string(ename(e.result)) + "(" + std::to_string(e.result) + ")");
      on_easy_pause(i, e);
      return;
    }
    const bool in_cb = nested || e.has(EventFlag::in_callback);
    if (!judge_code(i, e, in_cb)) return;  // a refused probe changes nothing
    judge_call_again(i, e);
    judge_abort_return(i, e, in_cb);
    switch (e.kind) {
      case EventKind::add_handle: on_add(i, e); break;
      case EventKind::remove_handle: on_remove(i, e); break;
      case EventKind::socket_action:
      case EventKind::socket_legacy:
      case EventKind::socket_all: on_socket_call(i, e); break;
      case EventKind::assign: on_assign(i, e); break;
      case EventKind::timeout_query: on_timeout_query(i, e); break;
      case EventKind::info_read:
        if (in_cb) {
          // Read inside a call that is still running: the counts of that call and the
          // one before say nothing exact about this message.
          queue.run_check.active = false;
          queue.decrease_poisoned = true;
          queue.hi = kUnknown;  // the running call may have queued messages already
        }
        on_info_read(i, e, in_cb);
        break;
      case EventKind::cleanup: on_cleanup(i, e); break;
      default: break;
    }
  }

  // ER-CODES, for every call that returns an MSMcode: the code a bad multi, a call from
  // inside a callback, or the call's own page asks for. False for a probe the target had
  // to refuse (a bad multi, a forbidden call inside a callback): it changes nothing else.
  bool judge_code(std::size_t i, const Event& e, bool in_cb) {
    const std::int64_t t = e.time_ns;
    const bool bad_multi = e.has(EventFlag::bad_multi);
    // Allowed inside callbacks: multi_assign (its page says so) and info_read (no page
    // forbids it); every other multi call is refused there.
    const bool allowed_in_cb = e.kind == EventKind::assign || e.kind == EventKind::info_read;
    const std::string what = to_string(e.kind);
    if (e.kind != EventKind::info_read) {
      std::string got = mcode(e.result);
      if (bad_multi) {
        check(ClauseId::ER_CODES, e.result == MSM_BAD_HANDLE, i, t,
              "expected MSM_BAD_HANDLE from " + what + " on a bad multi, observed " + got);
      } else if (in_cb && !allowed_in_cb) {
        check(ClauseId::ER_CODES, e.result == MSM_RECURSIVE_API_CALL, i, t,
              "expected MSM_RECURSIVE_API_CALL from " + what +
                  " inside a callback, observed " + got);
      } else {
        check(ClauseId::ER_CODES, code_allowed(e.kind, e.result), i, t,
              "expected a code " + what + " documents, observed " + got);
      }
    } else if (bad_multi) {
      check(ClauseId::ER_CODES, e.easy == 0, i, t,
            "expected NULL from info_read on a bad multi, observed a message");
    }
    return !(bad_multi || (in_cb && !allowed_in_cb));
  }

  // LG-CALL-AGAIN: MSM_CALL_MULTI_PERFORM only from socket calls, with running.
  void judge_call_again(std::size_t i, const Event& e) {
    if (e.result != MSM_CALL_MULTI_PERFORM || !ex(ClauseId::LG_CALL_AGAIN)) return;
    if (!is_socket_call(e.kind)) {
      fail(ClauseId::LG_CALL_AGAIN, i, e.time_ns,
           "expected MSM_CALL_MULTI_PERFORM only from socket calls, observed it from " +
               std::string(to_string(e.kind)));
    } else if (e.running < 0) {
      fail(ClauseId::LG_CALL_AGAIN, i, e.time_ns,
           "expected running reported with MSM_CALL_MULTI_PERFORM, observed none");
    }
  }

  // ER-ABORT: a callback of this group returned -1. Judged on the enclosing call: an
  // assign made from inside a later callback of the same group returns its own code.
  void judge_abort_return(std::size_t i, const Event& e, bool in_cb) {
    if (!group.abort || in_cb) return;
    check(ClauseId::ER_ABORT, e.result == MSM_ABORTED_BY_CALLBACK, i, e.time_ns,
          "expected MSM_ABORTED_BY_CALLBACK after a callback returned -1 (event " +
              std::to_string(group.abort_index) + "), observed " + mcode(e.result));
    for (int h : added) {
      if (!done_read.count(h)) errors.abort_pending.insert(h);
    }
    errors.abort_index = i;
  }

  void on_add(std::size_t i, const Event& e) {
    const std::int64_t t = e.time_ns;
    if (e.easy == 0) {
      check(ClauseId::ER_CODES, e.result == MSM_BAD_EASY_HANDLE, i, t,
            "expected MSM_BAD_EASY_HANDLE for a NULL easy handle, observed " + mcode(e.result));
      return;
    }
    if (added.count(e.easy)) {
      check(ClauseId::ER_CODES, e.result == MSM_ADDED_ALREADY, i, t,
            "expected MSM_ADDED_ALREADY for e" + std::to_string(e.easy) +
                " added twice, observed " + mcode(e.result));
      return;
    }
    // ABORTED_BY_CALLBACK: a timer callback's -1 after the handle joined; it may be in the
    // multi (and then ends with a DONE like the others) or not.
    const bool aborted = e.result == MSM_ABORTED_BY_CALLBACK;
    if (e.result != MSM_OK && !aborted) return;
    added.insert(e.easy);
    ever_added.insert(e.easy);
    pause.held.erase(e.easy);
    removed.erase(e.easy);
    done_read.erase(e.easy);
    timer.calls_past_deadline.erase(e.easy);
    add_time[e.easy] = t;
    if (queue.baseline >= 0) ++queue.baseline;
    queue.run_check.active = false;
    if (aborted) {
      queue.hi = kUnknown;
      queue.baseline = -1;
      return;
    }
    bool due = timer.told && timer.value >= 0 && timer.time + timer.value * kMs <= t;
    check(ClauseId::SA_KICK, due, i, t,
          "expected a due timer after add_handle (a 0 ms timer callback), observed " +
              (timer.told ? "timer " + std::to_string(timer.value) + " ms told at " +
                                std::to_string(timer.time) + " ns"
                          : std::string("no timer callback")));
  }

  // A transfer that ended or left the multi no longer owes an answer to an ERR event.
  void forget_errors_of(int h) {
    for (auto it = sockets.err_easy.begin(); it != sockets.err_easy.end();) {
      if (it->second == h) {
        sockets.err_pending.erase(it->first);
        it = sockets.err_easy.erase(it);
      } else {
        ++it;
      }
    }
  }

  void on_remove(std::size_t i, const Event& e) {
    const std::int64_t t = e.time_ns;
    if (e.easy != 0 && !added.count(e.easy)) {
      check(ClauseId::ER_REMOVE_UNADDED, e.result == MSM_OK, i, t,
            "expected MSM_OK removing e" + std::to_string(e.easy) +
                " which is in no multi, observed " + mcode(e.result));
      return;
    }
    if (e.result != MSM_OK) return;
    ex(ClauseId::IR_REMOVED);
    int h = e.easy;
    // The application drained the queue after the aborted call; removing a transfer that
    // was in progress then, without its DONE having come, loses that DONE for good.
    if (errors.abort_pending.count(h) && !done_read.count(h)) {
      check(ClauseId::ER_ABORT, false, i, t,
            "expected a DONE for e" + std::to_string(h) + " after the abort (event " +
                std::to_string(errors.abort_index) + "), observed it removed without one");
    }
    added.erase(h);
    removed.insert(h);
    pause.held.erase(h);
    // Removed before any socket call: finished inside easy_pause, or the timer is moot.
    if (auto it = pause.resume_pending.find(h); it != pause.resume_pending.end()) {
      if (done_read.count(h)) ex(ClauseId::PA_RESUME);
      pause.resume_pending.erase(it);
    }
    done_read.erase(h);
    queue.zero_pending.erase(h);
    errors.abort_pending.erase(h);
    forget_errors_of(h);
    // Its unread message (if any) is dropped: the queue may be one shorter.
    queue.lo = std::max(0L, queue.lo - 1);
    queue.baseline = -1;
    queue.decrease_poisoned = true;
    queue.run_check.active = false;
    if (added.empty()) errors.in_error = false;
  }

  // A socket call (socket_action, multi_socket, multi_socket_all), judged concern by
  // concern, in this order.
  void on_socket_call(std::size_t i, const Event& e) {
    const bool ok = e.result == MSM_OK ||
                    (e.result == MSM_CALL_MULTI_PERFORM && edition == Edition::e7_16);
    driving.last_time = e.time_ns;
    queue.hi = kUnknown;
    settle_resumes(e.time_ns);
    timer_used_by(e);
    judge_how_driven(i, e, ok);
    judge_call_after_error(i, e);
    judge_unknown_descriptor(i, e);
    if (!ok) {
      enter_error_state(i);
      return;
    }
    owe_answer_to_err(i, e);
    count_calls_past_deadlines(e.time_ns);
    judge_running(i, e);
    if (running_bound() > 0) ex(ClauseId::SC_LIVENESS);
    judge_progress(i, e);
  }

  // The application's timer is one-shot: a SOCKET_TIMEOUT call at or past its deadline
  // uses it up, unless the call told a new one.
  void timer_used_by(const Event& e) {
    if (e.kind == EventKind::socket_action && e.fd == MS_SOCKET_TIMEOUT && !group.timer_told &&
        timer.told && timer.value >= 0 &&
        e.time_ns + opt.timer_tolerance_ms * kMs >= timer.time + timer.value * kMs)
      timer.fired = true;
  }

  // SA-MASK, DP-SOCKET, and how the application drives (mask 0, the deprecated calls).
  void judge_how_driven(std::size_t i, const Event& e, bool ok) {
    const std::int64_t t = e.time_ns;
    if (e.kind == EventKind::socket_action) {
      check(ClauseId::SA_MASK, (e.mask & ~(MS_CSELECT_IN | MS_CSELECT_OUT | MS_CSELECT_ERR)) == 0,
            i, t, "expected a mask of CSELECT bits, observed " + std::to_string(e.mask));
      if (e.fd != MS_SOCKET_TIMEOUT) {
        if (e.mask == 0) {
          driving.mask0_used = true;
        } else {
          driving.nonzero_mask_used = true;
        }
      }
    } else {
      driving.legacy_used = true;
      driving.mask0_used = true;
      check(ClauseId::DP_SOCKET, !ok || e.running >= 0, i, t,
            "expected " + std::string(to_string(e.kind)) +
                " to report running like socket_action, observed none");
    }
  }

  // SA-AFTER-ERROR (application side): no socket call on a multi in error state.
  void judge_call_after_error(std::size_t i, const Event& e) {
    if (!errors.in_error) return;
    check(ClauseId::SA_AFTER_ERROR, added.empty(), i, e.time_ns,
          "expected every handle removed after the error at event " +
              std::to_string(errors.error_index) + ", observed another socket call with " +
              std::to_string(added.size()) + " handles still added");
  }

  // SA-SPURIOUS: unknown or stale descriptors are tolerated.
  void judge_unknown_descriptor(std::size_t i, const Event& e) {
    if (e.fd == MS_SOCKET_TIMEOUT || e.kind == EventKind::socket_all ||
        sockets.reg.find(e.fd) != sockets.reg.end())
      return;
    // A callback's -1 during the call (timers run there too) rightly turns it into
    // ABORTED_BY_CALLBACK: that is ER-ABORT's business, not a rejected descriptor.
    const bool aborted = group.abort && e.result == MSM_ABORTED_BY_CALLBACK;
    check(ClauseId::SA_SPURIOUS, e.result == MSM_OK || aborted, i, e.time_ns,
          "expected MSM_OK for unknown or stale fd " + std::to_string(e.fd) + ", observed " +
              mcode(e.result));
  }

  // An error return: the multi is in error state until every handle is removed.
  void enter_error_state(std::size_t i) {
    if (!errors.in_error) errors.error_index = i;
    errors.in_error = true;
    ex(ClauseId::SA_AFTER_ERROR);
    queue.baseline = -1;
    queue.run_check.active = false;
  }

  // SA-ERR: an ERR on a registered socket must lead somewhere.
  void owe_answer_to_err(std::size_t i, const Event& e) {
    if (e.kind != EventKind::socket_action || (e.mask & MS_CSELECT_ERR) == 0) return;
    // A socket callback for fd inside this call already answered the ERR.
    auto it = sockets.reg.find(e.fd);
    if (group.socket_fds.count(e.fd)) {
      ex(ClauseId::SA_ERR);
    } else if (it != sockets.reg.end() && ex(ClauseId::SA_ERR)) {
      sockets.err_pending[e.fd] = i;
      sockets.err_easy[e.fd] = it->second.easy;
    }
  }

  // TM-DEADLINE: count calls at or past each running transfer's deadline. While a
  // decrease of running is not yet matched by DONE messages read (the application reads
  // late), any of those handles may be the one that already ended: such calls do not
  // count, or a transfer that ended on time would be blamed for the late read.
  // In real time a call is stamped when it returns, but the implementation read its clock
  // on entry: a call that straddles the deadline counts only once it is past the tolerance.
  // A removal leaves the baseline unknown, so a decrease right after one is not seen
  // above; the last running count still tells that some transfer ended unread when it
  // is below the number of added transfers whose DONE was not read.
  // (done_read only ever holds added handles.) Only transfers with a timeout are visited:
  // a call costs what the timeouts cost, not what the transfers cost.
  void count_calls_past_deadlines(std::int64_t t) {
    const long not_read = static_cast<long>(added.size() - done_read.size());
    const bool unread_done = queue.decrease_since_drain > queue.dones_since_drain ||
                             (queue.last_running >= 0 && queue.last_running < not_read);
    for (const auto& [h, ms] : timer.timeout_ms) {
      if (unread_done) break;
      if (!added.count(h) || done_read.count(h)) continue;
      if (t >= add_time[h] + (ms + opt.timer_tolerance_ms) * kMs) ++timer.calls_past_deadline[h];
    }
  }

  // SA-RUNNING (the bound now, the exact count at the next DONE), the decrease and the
  // zero that DONE messages must match, and TM-DELETE at quiescence.
  void judge_running(std::size_t i, const Event& e) {
    const std::int64_t t = e.time_ns;
    const int r = e.running;
    if (r < 0) return;
    long bound = running_bound();
    check(ClauseId::SA_RUNNING, r <= bound, i, t,
          "expected running <= " + std::to_string(bound) +
              " (added and not done), observed " + std::to_string(r));
    queue.run_check = RunCheck{true, r, i};
    if (queue.baseline >= 0 && r < queue.baseline) {
      if (queue.decrease_since_drain == 0) queue.decrease_index = i;
      queue.decrease_since_drain += queue.baseline - r;
    }
    if (queue.baseline >= 0 && r != queue.baseline) group.change = true;
    queue.baseline = r;
    if (r == 0) {
      for (int h : added) {
        if (!done_read.count(h)) queue.zero_pending.insert(h);
      }
      queue.zero_index = i;
      ex(ClauseId::SA_ZERO_DONE);
      if (opt.timer_delete_at_quiescence && sockets.reg.empty() && timer.told) {
        check(ClauseId::TM_DELETE, timer.value == -1, i, t,
              "expected the timer deleted (-1) when nothing is pending, observed " +
                  std::to_string(timer.value) + " ms as the last timer");
      }
    }
    queue.last_running = r;
  }

  // SA-PROGRESS: consecutive calls where nothing changes.
  void judge_progress(std::size_t i, const Event& e) {
    if (group.change || group.abort) {
      driving.idle_calls = 0;
    } else if (++driving.idle_calls >= opt.livelock_calls && opt.livelock_calls > 0) {
      check(ClauseId::SA_PROGRESS, false, i, e.time_ns,
            "expected progress, observed " + std::to_string(driving.idle_calls) +
                " consecutive socket calls with no change");
      driving.idle_calls = 0;
    } else {
      if (driving.idle_calls == 1) ex(ClauseId::SA_PROGRESS);
    }
  }

  void on_assign(std::size_t i, const Event& e) {
    auto it = sockets.reg.find(e.fd);
    if (it == sockets.reg.end()) {
      check(ClauseId::AS_UNKNOWN, e.result == MSM_BAD_SOCKET, i, e.time_ns,
            "expected MSM_BAD_SOCKET assigning unknown fd " + std::to_string(e.fd) +
                ", observed " + mcode(e.result));
      return;
    }
    check(ClauseId::AS_UNKNOWN, e.result == MSM_OK, i, e.time_ns,
          "expected MSM_OK assigning registered fd " + std::to_string(e.fd) + ", observed " +
              mcode(e.result));
    if (e.result == MSM_OK) it->second.socketp = e.socketp;
  }

  void on_timeout_query(std::size_t i, const Event& e) {
    if (e.result != MSM_OK || !timer.told) return;
    const long tol = opt.timer_tolerance_ms;
    if (timer.value < 0) {
      check(ClauseId::TM_AGREE, e.value == -1, i, e.time_ns,
            "expected -1 (the last timer callback deleted the timer), observed " +
                std::to_string(e.value));
      return;
    }
    std::int64_t elapsed = e.time_ns - timer.time;
    long lo = std::max(0L, timer.value - static_cast<long>((elapsed + kMs - 1) / kMs)) - tol;
    long hi = std::max(0L, timer.value - static_cast<long>(elapsed / kMs)) + tol;
    check(ClauseId::TM_AGREE, e.value >= std::max(0L, lo) && e.value <= hi, i, e.time_ns,
          "expected " + std::to_string(std::max(0L, lo)) + ".." + std::to_string(hi) +
              " ms (timer " + std::to_string(timer.value) + " ms told " +
              std::to_string(elapsed / kMs) + " ms ago), observed " + std::to_string(e.value));
  }

  void on_info_read(std::size_t i, const Event& e, bool nested = false) {
    const std::int64_t t = e.time_ns;
    const long k = e.value;
    if (e.easy == 0) {
      check(ClauseId::IR_QUEUE, k == 0 && queue.lo == 0, i, t,
            queue.lo > 0 ? "expected a message (" + std::to_string(queue.lo) +
                           " said to be left), observed NULL"
                     : "expected msgs_in_queue 0 with NULL, observed " + std::to_string(k));
      queue.lo = queue.hi = 0;
      if (!nested) drain(i, t);
      return;
    }
    check(ClauseId::ER_CODES, e.result == MSMSG_DONE && easy_code_known(e.code), i, t,
          "expected a DONE message with a result code, observed message kind " +
              std::to_string(e.result) + " with result " + std::to_string(e.code));
    bool k_ok = k >= 0 && k >= queue.lo - 1 && (queue.hi == kUnknown || (queue.hi >= 1 && k <= queue.hi - 1));
    check(ClauseId::IR_QUEUE, k_ok, i, t,
          "expected msgs_in_queue to count the messages left (" + std::to_string(queue.lo) +
              " or more queued before), observed " + std::to_string(k));
    queue.lo = queue.hi = std::max(0L, k);

    const int h = e.easy;
    if (removed.count(h) && !added.count(h)) {
      check(ClauseId::IR_REMOVED, false, i, t,
            "expected no message for removed e" + std::to_string(h) + ", observed a DONE");
    } else if (!added.count(h)) {
      check(ClauseId::IR_ONCE, false, i, t,
            "expected DONE only for added handles, observed one for e" + std::to_string(h));
    } else if (done_read.count(h)) {
      check(ClauseId::IR_ONCE, false, i, t,
            "expected one DONE for e" + std::to_string(h) + ", observed a second one");
    } else {
      ex(ClauseId::IR_ONCE);
      ex(ClauseId::IR_REMOVED);
      done_read.insert(h);
      group.change = true;
      ++queue.dones_since_drain;
      queue.zero_pending.erase(h);
      errors.abort_pending.erase(h);
      forget_errors_of(h);
      on_done(i, e);
    }
    if (k == 0 && !nested) drain(i, t);
  }

  // A DONE message read for an added handle: what it settles.
  void on_done(std::size_t i, const Event& e) {
    judge_exact_running(e);
    judge_healthy_end(i, e);
    judge_deadline_at_done(i, e);
  }

  // SA-RUNNING, exact: after the last socket call, finished = read + still queued.
  void judge_exact_running(const Event& e) {
    const std::int64_t t = e.time_ns;
    if (queue.run_check.active) {
      long expect = static_cast<long>(added.size()) -
                    (static_cast<long>(done_read.size()) + std::max(0L, e.value));
      check(ClauseId::SA_RUNNING, queue.run_check.running == expect, queue.run_check.index, t,
            "expected running " + std::to_string(expect) + " (added " +
                std::to_string(added.size()) + ", finished " +
                std::to_string(added.size() - expect) + "), observed " +
                std::to_string(queue.run_check.running));
      queue.run_check.active = false;
    }
  }

  // A transfer with a healthy peer on a fault-free path ends MSE_OK however it was driven
  // (spurious events, the deprecated calls, mask 0).
  void judge_healthy_end(std::size_t i, const Event& e) {
    const int h = e.easy;
    const std::int64_t t = e.time_ns;
    if (healthy.count(h) && e.code != MSE_OK) {
      std::string msg = "expected e" + std::to_string(h) +
                        " (healthy peer) to end MSE_OK, observed " + ename(e.code);
      if (driving.spurious_seen) {
        check(ClauseId::SA_SPURIOUS, false, i, t, msg + " after spurious events");
      } else if (driving.legacy_used) {
        check(ClauseId::DP_SOCKET, false, i, t, msg + " when driven by the deprecated calls");
      } else if (driving.mask0_used) {
        check(ClauseId::SA_ZERO, false, i, t, msg + " when driven with mask 0");
      }
    } else if (healthy.count(h)) {
      if (driving.spurious_seen) ex(ClauseId::SA_SPURIOUS);
      if (driving.legacy_used) ex(ClauseId::DP_SOCKET);
      if (driving.mask0_used) ex(ClauseId::SA_ZERO);
    }
  }

  // TM-DEADLINE: a transfer with MSOPT_TIMEOUT_MS ends in the first call at or after its
  // deadline, and times out neither early nor late.
  void judge_deadline_at_done(std::size_t i, const Event& e) {
    const int h = e.easy;
    const std::int64_t t = e.time_ns;
    auto tm = timer.timeout_ms.find(h);
    if (tm != timer.timeout_ms.end()) {
      const std::int64_t deadline = add_time[h] + tm->second * kMs;
      const std::int64_t tol = opt.timer_tolerance_ms * kMs;
      // The timer callback speaks in whole milliseconds, rounded up so the application never
      // wakes early: a deadline that falls between two of them is serviced at the next one,
      // up to 1 ms - 1 ns late. Later than that is a violation.
      constexpr std::int64_t kTimerResolution = kMs - 1;
      const std::int64_t at = driving.last_time;
      const int past = timer.calls_past_deadline[h];
      ex(ClauseId::TM_DEADLINE);
      if (past > 1) {
        fail(ClauseId::TM_DEADLINE, i, t,
             "expected e" + std::to_string(h) + " to end in the first call at or after its " +
                 std::to_string(tm->second) + " ms deadline, observed it still running for " +
                 std::to_string(past - 1) + " more call(s)");
      } else if (e.code == MSE_OPERATION_TIMEDOUT && at < deadline - tol) {
        fail(ClauseId::TM_DEADLINE, i, t,
             "expected MSE_OPERATION_TIMEDOUT at " + std::to_string(deadline) +
                 " ns, observed it early at " + std::to_string(at) + " ns");
      } else if (e.code == MSE_OPERATION_TIMEDOUT && !timer.late &&
                 at > deadline + tol + kTimerResolution) {
        fail(ClauseId::TM_DEADLINE, i, t,
             "expected MSE_OPERATION_TIMEDOUT at " + std::to_string(deadline) +
                 " ns, observed it late at " + std::to_string(at) + " ns");
      }
    }
  }

  // The queue is known empty: settle the obligations that wait for DONE messages.
  void drain(std::size_t i, std::int64_t t) {
    if (queue.decrease_since_drain > 0 && !queue.decrease_poisoned) {
      check(ClauseId::SA_DECREASE, queue.dones_since_drain >= queue.decrease_since_drain, i, t,
            "expected " + std::to_string(queue.decrease_since_drain) +
                " DONE message(s) for the running decrease at event " +
                std::to_string(queue.decrease_index) + ", observed " +
                std::to_string(queue.dones_since_drain));
    }
    queue.decrease_since_drain = queue.dones_since_drain = 0;
    queue.decrease_poisoned = false;
    for (int h : queue.zero_pending) {
      check(ClauseId::SA_ZERO_DONE, false, i, t,
            "expected a DONE message for e" + std::to_string(h) + " (running was 0 at event " +
                std::to_string(queue.zero_index) + "), observed an empty queue");
    }
    queue.zero_pending.clear();
  }

  void quiescence_timer_check(std::size_t i, std::int64_t t) {
    bool idle = added.empty() || queue.last_running == 0;
    if (!idle || !sockets.reg.empty() || !timer.told) return;
    check(ClauseId::TM_DELETE, timer.value == -1, i, t,
          "expected the timer deleted (-1) once nothing is pending, observed " +
              std::to_string(timer.value) + " ms as the last timer");
  }

  void before_cleanup(std::size_t i, const Event& e) {
    if (!cleanup_seen) quiescence_timer_check(i, e.time_ns);
    cleanup_seen = true;
  }

  void on_cleanup(std::size_t i, const Event& e) {
    cleanup_returned = true;
    if (e.result != MSM_OK) return;
    if (!ex(ClauseId::SC_REMOVE)) return;
    for (auto& [fd, r] : sockets.reg) {
      fail(ClauseId::SC_REMOVE, i, e.time_ns,
           "expected every socket removed at cleanup, observed fd " + std::to_string(fd) +
               " still registered");
    }
  }

  void finish_run() {
    if (finished) return;
    if (!stopped) {
      // Events not closed by an API call.
      std::vector<std::pair<std::size_t, Event>> rest;
      rest.swap(buffer);
      for (auto& [i, ev] : rest) {
        if (stopped) break;
        replay(i, ev, nullptr);
      }
    }
    finished = true;
    if (stopped) return;
    std::size_t i = next_index == 0 ? 0 : next_index - 1;
    std::int64_t t = driving.last_time;
    if (!cleanup_seen) quiescence_timer_check(i, t);
    settle_resumes(t);
    for (auto& [fd, at] : sockets.err_pending) {
      check(ClauseId::SA_ERR, false, at, t,
            "expected the transfer on fd " + std::to_string(fd) +
                " to end or re-register after CSELECT_ERR, observed silence until the end");
    }
    for (int h : queue.zero_pending) {
      check(ClauseId::SA_ZERO_DONE, false, queue.zero_index, t,
            "expected a DONE message for e" + std::to_string(h) +
                " (running was 0), observed none until the end");
    }
    if (queue.last_running == 0) {
      for (int h : added) {
        if (!done_read.count(h)) {
          check(ClauseId::IR_ONCE, false, i, t,
                "expected one DONE for finished e" + std::to_string(h) + ", observed none");
        }
      }
    }
    for (int h : errors.abort_pending) {
      if (added.count(h) && !done_read.count(h)) {
        check(ClauseId::ER_ABORT, false, errors.abort_index, t,
              "expected a DONE for e" + std::to_string(h) +
                  " after the abort, observed none until the end");
      }
    }
    for (auto& [h, past] : timer.calls_past_deadline) {
      if (past > 1 && added.count(h) && !done_read.count(h)) {
        check(ClauseId::TM_DEADLINE, false, i, t,
              "expected e" + std::to_string(h) + " to end at its deadline, observed it running " +
                  std::to_string(past) + " calls past it");
      }
    }
  }
};

Checker::Checker(Edition edition, CheckerOptions options)
    : s_(std::make_unique<State>(edition, options)) {}
Checker::~Checker() = default;
Checker::Checker(Checker&&) noexcept = default;
Checker& Checker::operator=(Checker&&) noexcept = default;

void Checker::on_event(const Event& e) {
  std::size_t index = s_->next_index++;
  s_->feed(index, e);
}

void Checker::finish() { s_->finish_run(); }

void Checker::record_external(std::string_view clause_id, bool passed, std::string message) {
  const Clause* c = find_clause(clause_id);
  if (c == nullptr) return;
  if (!s_->ex(c->key)) return;
  if (!passed) {
    s_->fail(c->key, s_->next_index, s_->driving.last_time, std::move(message));
  }
}

const std::vector<Violation>& Checker::violations() const { return s_->violations; }
bool Checker::stopped() const { return s_->stopped; }
std::size_t Checker::events_seen() const { return s_->next_index; }
Edition Checker::edition() const { return s_->edition; }

std::size_t Checker::exercised(ClauseId id) const {
  return s_->exercised[static_cast<std::size_t>(id)];
}

std::size_t Checker::exercised(std::string_view id) const {
  const Clause* c = find_clause(id);
  return c == nullptr ? 0 : exercised(c->key);
}

std::vector<ClauseResult> Checker::results() const {
  std::vector<ClauseResult> out;
  for (const Clause& c : all_clauses()) {
    if (!in_edition(c, s_->edition)) continue;
    ClauseResult r;
    r.clause = &c;
    r.exercised = s_->exercised[static_cast<std::size_t>(c.key)];
    r.violations = s_->violated[static_cast<std::size_t>(c.key)];
    r.status = r.violations > 0  ? ClauseStatus::fail
               : r.exercised > 0 ? ClauseStatus::pass
                                 : ClauseStatus::not_exercised;
    out.push_back(r);
  }
  return out;
}

std::vector<Violation> Checker::check(const Trace& trace, Edition edition,
                                      CheckerOptions options) {
  Checker c(edition, options);
  for (const Event& e : trace.events) {
    c.on_event(e);
    if (c.stopped()) break;
  }
  c.finish();
  return c.violations();
}

}  // namespace ms::conf

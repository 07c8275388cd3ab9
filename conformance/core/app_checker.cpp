// SPDX-License-Identifier: MIT
// app_checker.cpp: the application clauses (group AP) over a recorded trace.
//
// One pass in trace order. Times of a recorded trace are not monotone in event order (an
// API call's event carries the time the call was made and comes after the callbacks it
// made), so "now" is the largest time seen, and a timer set inside a call can only be
// answered by a later call: calls are numbered, and a timer remembers the number of the
// call it was set in.
#include "conformance/app_checker.hpp"

#include "checker_state.hpp"  // is_api_call, kMs: what a call group is, as the checker reads it

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <string>

namespace ms::conf {
namespace {

using checker_detail::is_api_call;
using checker_detail::kMs;
constexpr int kIn = 1, kOut = 2, kErr = 4;   // CURL_CSELECT_* bits, and CURL_POLL_IN/OUT
constexpr int kPollRemove = 4;               // CURL_POLL_REMOVE

std::string mask_text(int m) {
  if (m == 0) return "nothing";
  std::string s;
  for (auto [bit, word] : {std::pair{kIn, "IN"}, std::pair{kOut, "OUT"}, std::pair{kErr, "ERR"}})
    if (m & bit) s += std::string(s.empty() ? "" : "|") + word;
  return s;
}

std::string ms_text(std::int64_t ns) { return std::to_string(ns / kMs) + " ms"; }

// An API call made by the application itself: it closes a call group (trace.hpp).
bool is_top_level_call(const Event& e) {
  return !e.has(in_callback) && (is_api_call(e.kind) || e.kind == EventKind::call_end);
}

// Calls the pages forbid from inside a callback.
bool drives_the_multi(EventKind k) {
  return k == EventKind::socket_action || k == EventKind::socket_legacy ||
         k == EventKind::socket_all || k == EventKind::perform || k == EventKind::add_handle ||
         k == EventKind::remove_handle;
}

struct Sock {
  int asked = 0;           // CURL_POLL_IN/OUT bits the socket callback asked last
  bool removed = false;    // the last callback was CURL_POLL_REMOVE
  std::size_t asked_at = 0;
  int watched = 0;         // app_watch: what the program waits for
  bool reported = false;   // the current (asked, watched) mismatch was reported
  int ready = 0;           // what the last wait reported (0: not reported)
  bool act_owed = false;   // reported ready by the last wait, not acted on yet
  std::size_t ready_at = 0;
};

struct Timer {
  bool standing = false;
  std::int64_t set_ns = 0, deadline_ns = 0;
  std::size_t set_in_call = 0, set_at = 0;
  std::int64_t early_call_ns = -1;  // a TIMEOUT call that came before the expiry
};

class AppChecker {
 public:
  AppChecker(Edition ed, AppCheckOptions o) : opt_(o) {
    for (const Clause& c : all_clauses())
      on_[static_cast<std::size_t>(c.key)] = party_of(c) == Party::application && in_edition(c, ed);
  }

  void run(const std::vector<Event>& events) {
    for (const Event& e : events) waits_ |= e.kind == EventKind::app_wait;
    for (std::size_t i = 0; i < events.size(); ++i) on_event(i, events[i]);
    if (!events.empty()) timer_overdue(events.size() - 1, now_, true);
  }

  AppCheck result() && {
    AppCheck out;
    out.waits_observed = waits_;
    out.violations = std::move(violations_);
    for (const Clause& c : all_clauses()) {
      const auto k = static_cast<std::size_t>(c.key);
      if (!on_[k]) continue;
      ClauseResult r;
      r.clause = &c;
      r.exercised = exercised_[k];
      r.violations = violated_[k];
      r.status = r.violations ? ClauseStatus::fail
                 : r.exercised ? ClauseStatus::pass : ClauseStatus::not_exercised;
      out.results.push_back(r);
    }
    return out;
  }

 private:
  bool ex(ClauseId id) {
    const auto k = static_cast<std::size_t>(id);
    if (!on_[k]) return false;
    ++exercised_[k];
    return true;
  }
  void fail(ClauseId id, std::size_t i, std::int64_t t, std::string msg) {
    const auto k = static_cast<std::size_t>(id);
    if (!on_[k] || ++violated_[k] > kViolationsKeptPerClause) return;
    violations_.push_back(Violation{std::string(clause(id).id), i, t, std::move(msg)});
  }

  void on_event(std::size_t i, const Event& e) {
    now_ = std::max(now_, e.time_ns);
    timer_overdue(i, now_, false);
    if (e.has(in_callback) && drives_the_multi(e.kind)) {
      fail(ClauseId::AP_REENTRY, i, e.time_ns,
           std::string(to_string(e.kind)) + " called from inside a socket or timer callback" +
               (e.result != 0 ? " (the library answered " + std::to_string(e.result) + ")" : ""));
    }
    if (drives_the_multi(e.kind)) ex(ClauseId::AP_REENTRY);
    const bool top = is_top_level_call(e);
    switch (e.kind) {
      case EventKind::socket_cb: on_socket_cb(i, e); break;
      case EventKind::timer_cb: on_timer_cb(i, e); break;
      case EventKind::net_close: socks_.erase(e.fd); break;
      case EventKind::app_watch: {
        Sock& s = socks_[e.fd];
        if (s.watched != e.mask) s.reported = false;
        s.watched = e.mask;
        break;
      }
      case EventKind::app_timer: on_app_timer(e); break;
      case EventKind::app_wait: on_wait(i, e); break;
      case EventKind::app_ready: {
        Sock& s = socks_[e.fd];
        s.ready = e.mask;
        s.act_owed = e.mask != 0 && s.asked != 0;
        s.ready_at = i;
        break;
      }
      case EventKind::socket_action: case EventKind::socket_legacy:
      case EventKind::socket_all: case EventKind::perform:
        if (!e.has(in_callback)) on_drive(i, e);
        break;
      case EventKind::info_read: info_owed_ = false; if (e.easy) done_.insert(e.easy); break;
      case EventKind::add_handle:
        if (e.result == 0) { added_.insert(e.easy); ++adds_; }
        break;
      case EventKind::remove_handle:
        if (e.result == 0 && added_.erase(e.easy) && !done_.count(e.easy)) ++removes_;
        break;
      case EventKind::call_end:
        if (e.easy && e.text == "easy_cleanup") on_easy_cleanup(i, e);
        break;
      case EventKind::cleanup: on_multi_cleanup(i, e); break;
      default: break;
    }
    if (top) ++calls_;
  }

  void on_socket_cb(std::size_t i, const Event& e) {
    Sock& s = socks_[e.fd];
    const int asked = e.action == kPollRemove ? 0 : (e.action & (kIn | kOut));
    if (asked != s.asked || s.removed != (e.action == kPollRemove)) s.reported = false;
    s.asked = asked;
    s.removed = e.action == kPollRemove;
    s.asked_at = i;
    s.act_owed = false;  // the library changed its mind since the wait
  }

  void on_timer_cb(std::size_t i, const Event& e) {
    // A timer replaced inside a call that is still running: if that call turns out to be
    // the CURL_SOCKET_TIMEOUT call that answered it, it counts as answered (on_drive).
    if (timer_.standing && timer_.set_in_call < calls_) replaced_ = timer_, replaced_in_call_ = calls_;
    if (e.value >= 0) {
      timer_ = Timer{true, e.time_ns, e.time_ns + e.value * kMs, calls_, i, -1};
      return;
    }
    if (timer_.standing && timer_.deadline_ns > e.time_ns) {
      deleted_deadline_ns_ = timer_.deadline_ns;
      deleted_at_ = i;
    }
    timer_.standing = false;
    if (lib_timerfd_ >= 0 && lib_timerfd_armed_until_ > e.time_ns) {
      disarm_owed_ = true;
      disarm_owed_at_ = i;
    }
    if (lib_timerfd_ >= 0 || deleted_deadline_ns_ >= 0) ex(ClauseId::AP_TIMER_DELETE);
  }

  void on_app_timer(const Event& e) {
    // The timerfd armed from inside a callback is the one the program keeps for the library.
    if (e.has(in_callback)) lib_timerfd_ = e.fd;
    if (e.fd != lib_timerfd_) return;
    // A one-shot timerfd disarms itself when it fires.
    lib_timerfd_armed_until_ = e.value >= 0 ? e.time_ns + (e.value == 0 ? 1 : e.value * kMs) : -1;
    disarm_owed_ = false;  // disarmed, or armed anew for a later timer
  }

  void timer_overdue(std::size_t i, std::int64_t now, bool at_end) {
    if (!timer_.standing || now <= timer_.deadline_ns + opt_.tolerance_ms * kMs) return;
    ex(ClauseId::AP_TIMER_FIRE);
    std::string msg = "the timer set at " + ms_text(timer_.set_ns) + " for " +
                      ms_text(timer_.deadline_ns - timer_.set_ns) + " (event " +
                      std::to_string(timer_.set_at) + ") expired at " + ms_text(timer_.deadline_ns) +
                      " and was not answered by a CURL_SOCKET_TIMEOUT call within " +
                      std::to_string(opt_.tolerance_ms) + " ms";
    if (timer_.early_call_ns >= 0)
      msg += "; a TIMEOUT call came early, at " + ms_text(timer_.early_call_ns) +
             ", and the library set no new timer";
    if (at_end) msg += " (still unanswered when the run ended at " + ms_text(now) + ")";
    fail(ClauseId::AP_TIMER_FIRE, i, now, std::move(msg));
    timer_.standing = false;
  }

  void on_drive(std::size_t i, const Event& e) {
    // What answers a timer: socket_action or multi_socket on CURL_SOCKET_TIMEOUT, and
    // the calls that run every timer (socket_all, perform).
    const bool timeout_call = (e.kind != EventKind::socket_action && e.kind != EventKind::socket_legacy) || e.fd < 0;
    // The timer this call answers: one it replaced while running, or the standing one.
    if (timeout_call && replaced_.standing && replaced_in_call_ == calls_) answer(i, e, replaced_);
    replaced_.standing = false;
    if (timeout_call) {
      if (timer_.standing && calls_ > timer_.set_in_call) {
        answer(i, e, timer_);
      } else if (!timer_.standing && deleted_deadline_ns_ >= 0 &&
                 e.time_ns >= deleted_deadline_ns_ - opt_.early_ms * kMs &&
                 e.time_ns <= deleted_deadline_ns_ + opt_.tolerance_ms * kMs) {
        fail(ClauseId::AP_TIMER_DELETE, i, e.time_ns,
             "CURL_SOCKET_TIMEOUT call at " + ms_text(e.time_ns) + ", the expiry of the timer "
             "the library deleted with -1 (event " + std::to_string(deleted_at_) + ")");
        deleted_deadline_ns_ = -1;
      }
    } else if (e.kind == EventKind::socket_action) {
      on_socket_action(i, e);
    }
    if (e.running >= 0) {
      const long expected = last_running_ + adds_ - removes_;
      if (last_running_ >= 0 && e.running < expected) {
        info_owed_ = true;
        info_owed_at_ = i;
        ex(ClauseId::AP_INFO_READ);
      }
      last_running_ = e.running;
      adds_ = removes_ = 0;
    }
  }

  // A CURL_SOCKET_TIMEOUT call while `t` stands: on time answers it, early is AP-TIMER-EARLY
  // (once per timer) and leaves it standing.
  void answer(std::size_t i, const Event& e, Timer& t) {
    ex(ClauseId::AP_TIMER_EARLY);
    if (e.time_ns >= t.deadline_ns - opt_.early_ms * kMs) {
      ex(ClauseId::AP_TIMER_FIRE);
      t.standing = false;
      return;
    }
    if (t.early_call_ns < 0)
      fail(ClauseId::AP_TIMER_EARLY, i, e.time_ns,
           "CURL_SOCKET_TIMEOUT call at " + ms_text(e.time_ns) + ", " + ms_text(t.deadline_ns - e.time_ns) +
               " before the expiry of the timer set at " + ms_text(t.set_ns) + " for " +
               ms_text(t.deadline_ns - t.set_ns) + " (event " + std::to_string(t.set_at) + ")");
    t.early_call_ns = e.time_ns;
  }

  void on_socket_action(std::size_t i, const Event& e) {
    auto it = socks_.find(e.fd);
    if (it == socks_.end()) return;
    Sock& s = it->second;
    s.act_owed = false;
    if (!waits_ || e.mask == 0) return;
    ex(ClauseId::AP_MASK);
    int allowed = 0;
    if (s.ready & (kIn | kErr)) allowed |= kIn;
    if (s.ready & (kOut | kErr)) allowed |= kOut;
    if (s.ready & kErr) allowed |= kErr;
    if ((e.mask & ~allowed) != 0)
      fail(ClauseId::AP_MASK, i, e.time_ns,
           "socket_action on fd " + std::to_string(e.fd) + " with mask " + mask_text(e.mask) +
               ", but its last wait reported " +
               (s.ready ? mask_text(s.ready) + " (event " + std::to_string(s.ready_at) + ")"
                        : std::string("nothing for that socket")));
  }

  void on_wait(std::size_t i, const Event& e) {
    if (info_owed_) {
      fail(ClauseId::AP_INFO_READ, i, e.time_ns,
           "the running count dropped at event " + std::to_string(info_owed_at_) +
               " and the program waits again without calling info_read");
      info_owed_ = false;
    }
    if (disarm_owed_ && lib_timerfd_armed_until_ > e.time_ns) {
      fail(ClauseId::AP_TIMER_DELETE, i, e.time_ns,
           "the timer callback passed -1 at event " + std::to_string(disarm_owed_at_) +
               " and the program waits with its timerfd " + std::to_string(lib_timerfd_) +
               " still armed");
    }
    disarm_owed_ = false;
    for (auto& [fd, s] : socks_) judge_socket_at_wait(i, e, fd, s);
  }

  void judge_socket_at_wait(std::size_t i, const Event& e, int fd, Sock& s) {
    if (s.act_owed) {
      ex(ClauseId::AP_ACT);
      fail(ClauseId::AP_ACT, i, e.time_ns,
           "fd " + std::to_string(fd) + " was reported " + mask_text(s.ready) + " at event " +
               std::to_string(s.ready_at) + " and the program waits again without socket_action on it");
    } else if (s.ready) {
      ex(ClauseId::AP_ACT);
    }
    s.act_owed = false;
    s.ready = 0;
    if (s.asked != 0) {
      if (!ex(ClauseId::AP_WATCH) || s.watched == s.asked || s.reported) return;
      s.reported = true;
      fail(ClauseId::AP_WATCH, i, e.time_ns,
           "fd " + std::to_string(fd) + ": the socket callback asked " + mask_text(s.asked) +
               " (event " + std::to_string(s.asked_at) + "), the program waits for " +
               mask_text(s.watched) +
               (s.watched & ~s.asked ? (s.asked & ~s.watched ? " (other activity: a hang and a busy loop)"
                                                             : " (more: a busy loop)")
                                     : " (less: a hang)"));
    } else if (s.removed) {
      if (!ex(ClauseId::AP_UNWATCH) || s.watched == 0 || s.reported) return;
      s.reported = true;
      fail(ClauseId::AP_UNWATCH, i, e.time_ns,
           "fd " + std::to_string(fd) + " was removed (CURL_POLL_REMOVE, event " +
               std::to_string(s.asked_at) + ") and the program still waits for " + mask_text(s.watched) + " on it");
    }
  }

  void on_easy_cleanup(std::size_t i, const Event& e) {
    ex(ClauseId::AP_REMOVE_DONE);
    if (added_.count(e.easy))
      fail(ClauseId::AP_REMOVE_DONE, i, e.time_ns,
           "curl_easy_cleanup on e" + std::to_string(e.easy) + ", still added to the multi" +
               (done_.count(e.easy) ? " (its DONE message was read)" : ""));
  }

  void on_multi_cleanup(std::size_t i, const Event& e) {
    ex(ClauseId::AP_REMOVE_DONE);
    if (added_.empty()) return;
    std::string ids;
    for (int id : added_) ids += " e" + std::to_string(id);
    fail(ClauseId::AP_REMOVE_DONE, i, e.time_ns, "curl_multi_cleanup with handles still added:" + ids);
  }

  AppCheckOptions opt_;
  std::array<bool, kClauseCount> on_{};
  std::array<std::size_t, kClauseCount> exercised_{}, violated_{};
  std::vector<Violation> violations_;
  bool waits_ = false;
  std::int64_t now_ = 0;
  std::size_t calls_ = 0;  // top-level API calls so far
  std::map<int, Sock> socks_;
  Timer timer_, replaced_;
  std::size_t replaced_in_call_ = 0;
  std::int64_t deleted_deadline_ns_ = -1;
  std::size_t deleted_at_ = 0;
  int lib_timerfd_ = -1;
  std::int64_t lib_timerfd_armed_until_ = -1;
  bool disarm_owed_ = false;
  std::size_t disarm_owed_at_ = 0;
  long last_running_ = -1, adds_ = 0, removes_ = 0;
  bool info_owed_ = false;
  std::size_t info_owed_at_ = 0;
  std::set<int> added_, done_;
};

}  // namespace

AppCheck check_application(const Trace& trace, Edition edition, AppCheckOptions options) {
  AppChecker c(edition, options);
  c.run(trace.events);
  return std::move(c).result();
}

}  // namespace ms::conf

// SPDX-License-Identifier: MIT
// transfer_deadlines.cpp: the deadlines of a transfer, from one table.
//
// How it works: Transfer::Deadline lists every kind, in the order on_timer serves them.
// due_at(k) says when kind k is due in the current phase; with serving == false it is
// what the transfer asks of the timer queue (update_deadline keeps the earliest), with
// serving == true what on_timer acts on. The two differ on purpose in a few places: a
// queued transfer only waits for its slot and its total timeout, and the low-speed,
// expect and drain checks are armed only while bytes move but served whenever they are
// due. serve(k) does what kind k's time calls for and says whether on_timer goes on.
#include <algorithm>
#include <cassert>
#include <cstdio>

#include "transfer.hpp"

namespace ms {

using port::Nanos;
using namespace std::chrono_literals;

std::optional<Nanos> Transfer::due_at(Deadline k, bool serving) const {
  return due_at(k, serving, host_.now());
}

std::optional<Nanos> Transfer::due_at(Deadline k, bool serving, Nanos now) const {
  const bool started = phase_ != Phase::done && phase_ != Phase::pending;
  // What is served after the queue gate (a queued transfer stops there).
  const bool past_queue = started && phase_ != Phase::queued;
  const bool moving = phase_ == Phase::sending || phase_ == Phase::receiving;
  const bool connecting = phase_ == Phase::resolving || phase_ == Phase::connecting ||
                          phase_ == Phase::handshaking;  // the connect timeout covers TLS, as libcurl's
  auto when = [](bool active, std::optional<Nanos> at) { return active ? at : std::nullopt; };
  switch (k) {
    case Deadline::start: return when(phase_ == Phase::pending, start_at_);
    case Deadline::wake: return when(started && wake_, now);
    case Deadline::total: return when(started, total_deadline_);
    case Deadline::leave_queue: return when(phase_ == Phase::queued && leave_queue_, now);
    case Deadline::connect: return when(connecting, connect_deadline_);
    case Deadline::second_family: return when(phase_ == Phase::connecting, second_family_at());
    case Deadline::progress: return when(serving ? past_queue : started, progress_next_);
    case Deadline::low_speed: return when(serving ? past_queue : moving, low_speed_next_);
    case Deadline::expect: return when(serving ? past_queue : moving, expect_at());
    case Deadline::drain: return when((serving ? past_queue : started) && drain_, now);
  }
  return std::nullopt;
}

void Transfer::update_deadline() {
  // The earliest of due_at(k, false) over every kind, written out: this runs after every
  // step of every transfer, and a loop over the kinds' switch cost more than the rest of
  // the step. "now" is read once. The sanitizer build (-DMS_SANITIZE=ON) keeps
  // assertions: there it is checked against the table.
  const Nanos now = host_.now();
  const bool started = phase_ != Phase::done && phase_ != Phase::pending;
  const bool moving = phase_ == Phase::sending || phase_ == Phase::receiving;
  const bool connecting = phase_ == Phase::resolving || phase_ == Phase::connecting ||
                          phase_ == Phase::handshaking;
  std::optional<Nanos> at;
  const auto consider = [&at](bool active, const std::optional<Nanos>& t) {
    if (active && t && (!at || *t < *at)) at = t;
  };
  consider(phase_ == Phase::pending, start_at_);
  if ((started && (wake_ || drain_)) || (phase_ == Phase::queued && leave_queue_)) consider(true, now);
  consider(started, total_deadline_);
  consider(connecting, connect_deadline_);
  consider(phase_ == Phase::connecting, second_family_at());
  consider(started, progress_next_);
  consider(moving, low_speed_next_);
  consider(moving, expect_at());
#ifndef NDEBUG
  std::optional<Nanos> by_table;
  for (const Deadline k : kDeadlines) {
    const auto t = due_at(k, false, now);
    if (t && (!by_table || *t < *by_table)) by_table = t;
  }
  assert(by_table == at);
#endif
  host_.set_deadline(easy_, at);
}

void Transfer::on_timer() {
  const Nanos now = host_.now();
  for (const Deadline k : kDeadlines) {
    if (phase_ == Phase::done) return;
    const auto at = due_at(k, true, now);  // "now" as read on entry
    if (at && now >= *at && serve(k) == Step::stop) return;
    if (phase_ == Phase::pending) return;  // only the start is served before the start
  }
  update_deadline();
}

void Transfer::finish_timed_out(const char* what) {
  char text[96];
  std::snprintf(text, sizeof text, "%s timed out after %lld milliseconds", what,
                static_cast<long long>((host_.now() - started_at_) / 1ms));
  finish(MSE_OPERATION_TIMEDOUT, text);
}

Transfer::Step Transfer::serve(Deadline k) {
  switch (k) {
    case Deadline::start:
      start();
      return Step::stop;
    case Deadline::wake:
      wake_ = false;
      pause_changed(false);
      return Step::next;
    case Deadline::total:
      finish_timed_out("Operation");
      return Step::stop;
    case Deadline::leave_queue:
      leave_queue_ = false;
      begin(!easy_.opt.fresh_connect);
      return Step::stop;
    case Deadline::connect:
      finish_timed_out("Connection");
      return Step::stop;
    case Deadline::second_family:
      connector().start_second_family();
      return phase_ == Phase::connecting ? Step::next : Step::stop;
    case Deadline::progress:
      // The progress callback's own cadence: at least once a second, also while nothing
      // moves (resolving, connecting, a silent server), so that it can abort.
      if (!progress()) return Step::stop;
      update_deadline();
      return Step::next;
    case Deadline::low_speed:
      low_speed_check();
      return Step::next;
    case Deadline::expect:
      end_expect_wait();  // no 100 in time: send the body anyway
      return Step::stop;
    case Deadline::drain:
      drain_ = false;
      if (phase_ == Phase::receiving && !paused()) {
        do_recv();
        return Step::stop;
      }
      return Step::next;
  }
  return Step::next;
}

void Transfer::low_speed_check() {
  const Nanos now = host_.now();
  const std::int64_t bytes = easy_.info.size_download + easy_.info.size_upload;
  const std::int64_t delta = bytes - low_speed_bytes_;
  const auto window = now - low_speed_prev_;
  low_speed_bytes_ = bytes;
  // bytes per second over the window, compared without floating point
  const bool slow = delta * 1'000'000'000LL < easy_.opt.rare().low_speed_limit * window.count();
  if (slow) {
    if (!low_speed_since_) low_speed_since_ = low_speed_prev_;
    if (now - *low_speed_since_ >= std::chrono::seconds(easy_.opt.rare().low_speed_time)) {
      char text[128];
      std::snprintf(text, sizeof text,
                    "Operation too slow. Less than %ld bytes/sec transferred the last %ld seconds",
                    easy_.opt.rare().low_speed_limit, easy_.opt.rare().low_speed_time);
      finish(MSE_OPERATION_TIMEDOUT, text);
      return;
    }
  } else {
    low_speed_since_.reset();
  }
  low_speed_prev_ = now;
  low_speed_next_ = now + 1s;
}

bool Transfer::progress_wanted() const {
  const auto& o = easy_.opt;
  return !o.noprogress && (o.rare().xferinfo_fn || o.rare().progress_fn);
}

bool Transfer::progress() {
  const RareOptions& o = easy_.opt.rare();
  if (!progress_wanted()) return true;
  progress_next_ = host_.now() + 1s;
  const std::int64_t dltotal = std::max<std::int64_t>(0, easy_.info.content_length);
  int rc = 0;
  if (o.xferinfo_fn) {
    rc = host_.call_app([&] {
      return o.xferinfo_fn(o.progress_data, dltotal, easy_.info.size_download,
                           static_cast<ms_off_t>(body_size_), easy_.info.size_upload);
    });
  } else {
    rc = host_.call_app([&] {
      return o.progress_fn(o.progress_data, static_cast<double>(dltotal),
                           static_cast<double>(easy_.info.size_download),
                           static_cast<double>(body_size_), static_cast<double>(easy_.info.size_upload));
    });
  }
  if (rc != 0) {
    finish(MSE_ABORTED_BY_CALLBACK, "Callback aborted");
    return false;
  }
  return true;
}

}  // namespace ms

// SPDX-License-Identifier: MIT
// checker_pause.cpp: pausing and unpausing transfers (PA-*).
#include "checker_state.hpp"

namespace ms::conf {

void Checker::State::on_data_cb(std::size_t i, const Event& e, const Event* ctx) {
  after_cleanup(i, e);
  const bool outside = e.has(EventFlag::outside);
  check(ClauseId::SC_INSIDE, !outside && ctx != nullptr, i, e.time_ns, [&] {
    return std::string("expected the ") + to_string(e.kind) + " inside an API call, observed " +
           (ctx == nullptr ? "no API call after it" : e.flagged_text());
  });
  group.change = true;
  const bool write = e.kind == EventKind::write_cb;
  const int bit = write ? MSPAUSE_RECV : MSPAUSE_SEND;
  // Inside the easy_pause that clears the bit, the callback is the promised redelivery.
  const bool in_unpause = ctx != nullptr && ctx->kind == EventKind::easy_pause &&
                          ctx->easy == e.easy && (ctx->value & bit) == 0;
  const int held = in_unpause ? pause.in_group[e.easy] : pause.held[e.easy];
  check(ClauseId::PA_SILENT, (held & bit) == 0, i, e.time_ns, [&] {
    return "expected no " + std::string(write ? "write" : "read") + " callback for e" +
           std::to_string(e.easy) + " while its " + (write ? "receiving" : "sending") +
           " is paused, observed one offering " + std::to_string(e.value) + " bytes";
  });
  if (e.result != kPauseReturn) return;
  if (ctx != nullptr && ctx->kind == EventKind::easy_pause && ctx->easy == e.easy) {
    pause.in_group[e.easy] |= bit;
  } else {
    pause.held[e.easy] |= bit;
  }
}

void Checker::State::on_easy_pause(std::size_t i, const Event& e) {
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
void Checker::State::settle_resumes(std::int64_t t) {
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

}  // namespace ms::conf

// SPDX-License-Identifier: MIT
// checker_driving.cpp: how the application drives the multi: masks, the deprecated calls, progress (SA-MASK, SA-ZERO, DP-SOCKET, SA-PROGRESS).
#include "checker_state.hpp"

namespace ms::conf {

// SA-MASK, DP-SOCKET, and how the application drives (mask 0, the deprecated calls).
void Checker::State::judge_how_driven(std::size_t i, const Event& e, bool ok) {
  const std::int64_t t = e.time_ns;
  if (e.kind == EventKind::socket_action) {
    check(ClauseId::SA_MASK, (e.mask & ~(MS_CSELECT_IN | MS_CSELECT_OUT | MS_CSELECT_ERR)) == 0, i,
          t, [&] { return "expected a mask of CSELECT bits, observed " + std::to_string(e.mask); });
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
    check(ClauseId::DP_SOCKET, !ok || e.running >= 0, i, t, [&] {
      return "expected " + std::string(to_string(e.kind)) +
             " to report running like socket_action, observed none";
    });
  }
}

// SA-PROGRESS: consecutive calls where nothing changes.
void Checker::State::judge_progress(std::size_t i, const Event& e) {
  if (group.change || group.abort) {
    driving.idle_calls = 0;
  } else if (++driving.idle_calls >= opt.livelock_calls && opt.livelock_calls > 0) {
    check(ClauseId::SA_PROGRESS, false, i, e.time_ns, [&] {
      return "expected progress, observed " + std::to_string(driving.idle_calls) +
             " consecutive socket calls with no change";
    });
    driving.idle_calls = 0;
  } else {
    if (driving.idle_calls == 1) ex(ClauseId::SA_PROGRESS);
  }
}

// A transfer with a healthy peer on a fault-free path ends MSE_OK however it was driven
// (spurious events, the deprecated calls, mask 0).
void Checker::State::judge_healthy_end(std::size_t i, const Event& e) {
  const int h = e.easy;
  const std::int64_t t = e.time_ns;
  if (healthy.count(h) && e.code != MSE_OK) {
    std::string msg = "expected e" + std::to_string(h) +
                      " (healthy peer) to end MSE_OK, observed " + ename(e.code);
    if (driving.spurious_seen) {
      check(ClauseId::SA_SPURIOUS, false, i, t, [&] { return msg + " after spurious events"; });
    } else if (driving.legacy_used) {
      check(ClauseId::DP_SOCKET, false, i, t,
            [&] { return msg + " when driven by the deprecated calls"; });
    } else if (driving.mask0_used) {
      check(ClauseId::SA_ZERO, false, i, t, [&] { return msg + " when driven with mask 0"; });
    } else if (classic.used) {
      check(ClauseId::CL_PROGRESS, false, i, t, [&] { return msg + " when driven by multi_perform"; });
    }
  } else if (healthy.count(h)) {
    if (driving.spurious_seen) ex(ClauseId::SA_SPURIOUS);
    if (driving.legacy_used) ex(ClauseId::DP_SOCKET);
    if (driving.mask0_used) ex(ClauseId::SA_ZERO);
    if (classic.used) ex(ClauseId::CL_PROGRESS);
  }
}

}  // namespace ms::conf

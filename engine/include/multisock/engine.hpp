// SPDX-License-Identifier: MIT
// engine.hpp: C++ entry points beside the C contract of multisock.h.
//
// ms_multi_init() binds a multi handle to the real ports; ms::multi_init() binds it to any
// ports, such as a simulated world, and optionally switches on one compiled-in defect
// (a mutant) so the conformance suite can prove it detects it.
#pragma once

#include <string_view>

#include "multisock/multisock.h"
#include "multisock/port.h"

namespace ms {

// Deliberate defects, each breaking one clause. Compiled in only with -DMS_MUTANTS=ON;
// otherwise mutant names are accepted by name lookup but multi_init refuses them.
// X(name, clause id it breaks, what it does)
#define MS_MUTANTS(X)                                                                   \
  X(none, "", "the engine as it is")                                                    \
  X(duplicate_socket_cb, "SC-CHANGES", "tells the same socket action twice in a row")   \
  X(remove_after_close, "SC-REMOVE", "closes a socket before telling REMOVE")           \
  X(stale_socketp, "SC-SOCKETP", "keeps a socketp after REMOVE and hands it out again") \
  X(timer_repeat, "TM-CHANGES", "repeats the timer callback with an unchanged value")   \
  X(no_timer_delete, "TM-DELETE", "never tells -1 when nothing is pending")             \
  X(wrong_running, "SA-RUNNING", "reports one running handle too many")                 \
  X(lost_done, "IR-ONCE", "drops the DONE message of every third transfer")             \
  X(double_done, "IR-ONCE", "queues the DONE message twice")                            \
  X(ignore_err, "SA-ERR", "ignores MS_CSELECT_ERR")                                     \
  X(no_recursion_guard, "ER-CODES", "allows multi calls from inside callbacks")         \
  X(timeout_disagrees, "TM-AGREE", "ms_multi_timeout answers twice the timer value")    \
  X(no_kick_on_add, "SA-KICK", "does not arm the timer on add_handle")                  \
  X(mask_zero_ignored, "SA-ZERO", "does nothing when the mask is 0")                    \
  X(keep_removed_msg, "IR-REMOVED", "keeps a removed handle's DONE message")            \
  X(queue_count_off, "IR-QUEUE", "msgs_in_queue counts the returned message too")       \
  X(spurious_fails, "SA-SPURIOUS", "fails a transfer on a readable event with no data") \
  X(abort_ignored, "ER-ABORT", "ignores a callback's -1")                               \
  X(assign_unknown_ok, "AS-UNKNOWN", "accepts ms_multi_assign on an unknown socket")    \
  X(bad_action, "SC-ACTION", "tells action 7 instead of INOUT")                         \
  X(timeout_early, "TM-DEADLINE", "ends timed-out transfers 1 ms late")                 \
  X(no_unpause_timer, "PA-RESUME", "arms no timer when easy_pause lets a transfer go on") \
  X(perform_waits, "CL-NONBLOCK", "ms_multi_perform sleeps 5 ms before it acts")          \
  X(perform_running_off, "CL-RUNNING", "ms_multi_perform reports one running too many")   \
  X(wait_ignores_timer, "CL-WAIT-BOUND", "wait and poll wait out timeout_ms past a due timer") \
  X(wait_blocks_empty, "CL-WAIT-EMPTY", "ms_multi_wait with nothing to wait for waits too") \
  X(poll_returns_early, "CL-POLL-WAITS", "ms_multi_poll with nothing to wait for returns at once") \
  X(wakeup_lost, "CL-WAKEUP", "a wakeup made while no poll waits is dropped")           \
  X(fdset_max_off, "CL-FDSET", "ms_multi_fdset gives max_fd one too high")             \
  X(h2_remove_early, "SC-LAST-STREAM", "tells REMOVE for a shared HTTP/2 socket when one of its streams ends, though others still use it") \
  X(h2_repeat_in, "SC-CHANGES", "tells a shared HTTP/2 socket's action again when another stream starts on it") \
  X(h2_stale_easy, "SC-USERP", "keeps telling a shared HTTP/2 socket's changes with the easy of a stream that has ended")

enum class Mutant {
#define MS_X(name, clause, what) name,
  MS_MUTANTS(MS_X)
#undef MS_X
};
// nullptr-free lookups over the table above.
bool mutant_from_name(std::string_view name, Mutant& out);
const char* mutant_name(Mutant m);
const char* mutant_clause(Mutant m);
bool mutants_compiled_in();

struct MultiOptions {
  Mutant mutant = Mutant::none;
};

// A multi handle over the given ports (they must outlive it). nullptr if the ports are
// incomplete or a mutant is asked for in a build without them.
ms_multi* multi_init(const port::Ports& ports, const MultiOptions& options = {});

// ms_easy_perform over the given ports (they need a Waiter, else MSE_FAILED_INIT). The
// handle's private multi is made on the first call with these ports and kept.
MSEcode easy_perform(ms_easy* easy, const port::Ports& ports);

}  // namespace ms

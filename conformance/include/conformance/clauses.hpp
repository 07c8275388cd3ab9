// SPDX-License-Identifier: MIT
// clauses.hpp: the contract of the multi-socket API as data.
//
// One X-macro table (MS_CLAUSES) is the only list of clauses: the enum, the catalogue,
// lookups and the profile membership are generated from it. Each clause has a stable id,
// one testable sentence, the document it comes from (seed file or man page) with a short
// quote, a severity, the profiles it belongs to, and whether a trace can decide it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <optional>
#include <string_view>

#include "conformance/version.hpp"

namespace ms::conf {

enum class Severity : std::uint8_t { must, should, observed };
enum class ClauseGroup : std::uint8_t { SA, SC, TM, IR, AS, ER, DP, LG, DT, PA, CL, AP };
// Who can decide a clause: the checker from a trace, or the harness (replays, crashes).
enum class DecidedBy : std::uint8_t { trace, harness };

// An edition is the contract as the documents stated it at one point in time: the
// libcurl 7.16.0 pages, the 7.88.1 pages, the current 8.x pages (conformance/EDITIONS.md).
// A clause belongs to the editions that state it, each with its own sentence and severity
// (editions_table.hpp). A target is judged by the edition of the version it reports.
enum class Edition : std::uint8_t { e7_16, e7_88, e8 };
inline constexpr Edition kEditions[] = {Edition::e7_16, Edition::e7_88, Edition::e8};
inline constexpr Edition kNewestEdition = Edition::e8;
inline constexpr unsigned P_DOC = 1u, P_788 = 2u, P_716 = 4u, P_ALL = 7u;
const char* to_string(Edition e);      // "7.16", "7.88", "8"
const char* edition_title(Edition e);  // "libcurl 7.16.0 man pages", ...
// "7.16", "7.16.0", "7.88", "7.88.1", "8", "8.x"; false when unknown.
bool edition_from_string(std::string_view s, Edition& out);
// The edition a library of that implementation and version is judged by: libcurl by its
// version (before 7.20.0: 7.16; before 8.10.0: 7.88; else 8); any other implementation, or
// an unknown version, by the newest edition.
Edition edition_for(std::string_view implementation, const std::optional<Version>& version);
const char* to_string(Severity s);  // "MUST", "SHOULD", "OBSERVED"
const char* to_string(ClauseGroup g);

// Seeds are named by file (see /shared/seeds/README.md); man pages by their page name.
#define MS_SEED_BINDING "000_62fc22cb647ed7af.txt"
#define MS_SEED_DEPRECATED "001_7726f890f53e2c0f.txt"
#define MS_SEED_716 "002_cdb8062b33739ee6.txt"
#define MS_SEED_FETCH "004_91a3e48bf52918ff.txt"

// X(enum name, id, group, severity, profiles, decided by, statement, source, quote)
// (the profiles column is historical: membership per edition is in editions_table.hpp;
// statement, source and quote are the default text an edition row may replace)
#define MS_CLAUSES(X)                                                                          \
  X(SA_MASK, "SA-MASK", SA, must, P_ALL, trace,                                                \
    "The application passes socket_action a mask of 0 or an OR of CSELECT_IN, OUT and ERR.",  \
    MS_SEED_716,                                                                               \
    "adding using bitwise OR (|) any combination of events to be chosen from CURL_CSELECT_IN, " \
    "CURL_CSELECT_OUT or CURL_CSELECT_ERR")                                                    \
  X(SA_ZERO, "SA-ZERO", SA, must, P_ALL, trace,                                                \
    "With mask 0 the implementation tests the descriptor itself: transfers driven only with " \
    "mask 0 complete and never stall.",                                                        \
    MS_SEED_716, "When the events on a socket are unknown, pass 0 instead, and libcurl will "  \
                 "test the descriptor internally.")                                           \
  X(SA_KICK, "SA-KICK", SA, must, P_ALL, trace,                                                \
    "After a successful add_handle the timer the application holds is due now, so a "        \
    "SOCKET_TIMEOUT call starts the work.",                                                    \
    "curl_multi_add_handle(3)",                                                                \
    "that callback is called from within this function to ask for an updated timer")          \
  X(SA_RUNNING, "SA-RUNNING", SA, must, P_ALL, trace,                                          \
    "On return, running equals the number of added easy handles whose transfer is not done.", \
    MS_SEED_716, "At return, running_handles points to the number of running easy handles "   \
                 "within the multi handle.")                                                   \
  X(SA_ZERO_DONE, "SA-ZERO-DONE", SA, must, P_ALL, trace,                                      \
    "Running reaches 0 only when every added transfer is done and has its DONE message.",     \
    MS_SEED_716, "When this number reaches zero, all transfers are complete/done.")            \
  X(SA_DECREASE, "SA-DECREASE", SA, must, P_ALL, trace,                                        \
    "Every decrease of running is matched by as many DONE messages readable afterwards.",     \
    MS_SEED_716, "Use curl_multi_info_read(3) to figure out which easy handle that completed.") \
  X(SA_SPURIOUS, "SA-SPURIOUS", SA, should, P_ALL, trace,                                      \
    "Events that carry no news (readable with nothing to read, early timeouts, unknown or "   \
    "stale descriptors) are accepted with MSM_OK and fail no transfer.",                       \
    MS_SEED_716, "When the application has detected action on a socket handled by libcurl, "  \
                 "it should call curl_multi_socket_action(3)")                                 \
  X(SA_ERR, "SA-ERR", SA, must, P_ALL, trace,                                                  \
    "CSELECT_ERR on a transfer's socket ends that transfer or changes its registration; it "  \
    "is never met with silence.",                                                              \
    MS_SEED_716, "any combination of events to be chosen from CURL_CSELECT_IN, "               \
                 "CURL_CSELECT_OUT or CURL_CSELECT_ERR")                                       \
  X(SA_AFTER_ERROR, "SA-AFTER-ERROR", SA, must, P_ALL, trace,                                  \
    "After an error return the application removes all handles before calling socket_action " \
    "again, and new transfers then work.",                                                     \
    "curl_multi_socket_action(3), libcurl 7.81.0",                                            \
    "should not be called again on the same multi handle after an error has been returned, "  \
    "unless first removing all the handles and adding new ones")                               \
  X(SA_PROGRESS, "SA-PROGRESS", SA, should, P_ALL, trace,                                      \
    "The engine does not livelock: thousands of consecutive calls with no callback, no "      \
    "network event and no change of running do not happen.",                                  \
    "curl_multi_socket_action(3)",                                                             \
    "how long to wait for socket actions at most before doing the timeout action")             \
  X(SC_ACTION, "SC-ACTION", SC, must, P_ALL, trace,                                            \
    "The socket callback's action is one of NONE, IN, OUT, INOUT, REMOVE.",                   \
    MS_SEED_716, "The action argument to the callback has one of five values")                 \
  X(SC_CHANGES, "SC-CHANGES", SC, must, P_ALL, trace,                                          \
    "The socket callback reports changes only: never the same action twice in a row for one " \
    "socket.",                                                                                 \
    MS_SEED_716, "They update the status with changes since the previous time the callback "   \
                 "was called.")                                                                \
  X(SC_REMOVE, "SC-REMOVE", SC, must, P_ALL, trace,                                            \
    "REMOVE is told only for a registered socket, before that socket is closed, and no "      \
    "socket is left registered at cleanup.",                                                   \
    "CURLMOPT_SOCKETFUNCTION(3)",                                                              \
    "When a socket is given a CURL_POLL_REMOVE value, it might be because libcurl is going "  \
    "to close it")                                                                             \
  X(SC_LAST_STREAM, "SC-LAST-STREAM", SC, must, P_788 | P_DOC, trace,                          \
    "REMOVE is told for a socket HTTP/2 streams share only after its last stream ended or "   \
    "with the connection's end: never while the stream of a running, unpaused transfer is "  \
    "still open on it, or the frame that ended it has not reached the client yet.",          \
    "CURLMOPT_SOCKETFUNCTION(3)",                                                              \
    "The specified socket/file descriptor is no longer used by libcurl for any active "       \
    "transfer.")                                                                               \
  X(SC_SOCKETP, "SC-SOCKETP", SC, must, P_ALL, trace,                                          \
    "socketp is the pointer multi_assign last set for that socket, NULL if none, and is "     \
    "forgotten after REMOVE.",                                                                 \
    MS_SEED_716, "If no pointer has been set, socketp will be NULL.")                          \
  X(SC_USERP, "SC-USERP", SC, must, P_ALL, trace,                                              \
    "Callbacks get the userp set with SOCKETDATA/TIMERDATA, and easy is a handle added to "   \
    "this multi.",                                                                             \
    MS_SEED_716, "The easy argument is a pointer to the easy handle that deals with this "     \
                 "particular socket.")                                                         \
  X(SC_INSIDE, "SC-INSIDE", SC, must, P_ALL, trace,                                            \
    "Callbacks happen only inside a call the application made into the multi, on its "        \
    "thread.",                                                                                 \
    "CURLMOPT_SOCKETFUNCTION(3)",                                                              \
    "This callback may get invoked at any time when interacting with libcurl.")               \
  X(SC_LIVENESS, "SC-LIVENESS", SC, must, P_ALL, trace,                                        \
    "With a faithful application no transfer stalls: while handles run, a registered "        \
    "interest or a timer always gives the application something to wait on.",                 \
    MS_SEED_716, "Wait for activity on any of libcurl's sockets, use the timeout value your "  \
                 "callback has been told.")                                                    \
  X(TM_VALUE, "TM-VALUE", TM, must, P_ALL, trace,                                              \
    "The timer callback value is -1 (delete), 0 (now) or a positive number of ms.",           \
    "CURLMOPT_TIMERFUNCTION(3)",                                                               \
    "A timeout_ms value of -1 passed to this callback means you should delete the timer.")    \
  X(TM_CHANGES, "TM-CHANGES", TM, should, P_ALL, trace,                                        \
    "The timer callback is called when the deadline changes; the same deadline is told "      \
    "again only inside add_handle or a SOCKET_TIMEOUT call.",                                  \
    "CURLMOPT_TIMERFUNCTION(3)",                                                               \
    "The timer_callback is called when the timeout expire time is changed.")                  \
  X(TM_DELETE, "TM-DELETE", TM, should, P_ALL, trace,                                          \
    "When nothing is pending any more the application is told -1 (delete the timer).",        \
    "CURLMOPT_TIMERFUNCTION(3)",                                                               \
    "A timeout_ms value of -1 passed to this callback means you should delete the timer.")    \
  X(TM_AGREE, "TM-AGREE", TM, must, P_ALL, trace,                                              \
    "multi_timeout answers the last timer callback's deadline, less the time elapsed since.", \
    MS_SEED_716, "You can also use the curl_multi_timeout(3) function to poll the value at "   \
                 "any given time")                                                             \
  X(TM_DEADLINE, "TM-DEADLINE", TM, must, P_ALL, trace,                                        \
    "A transfer with a timeout ends with MSE_OPERATION_TIMEDOUT at that time, and the timer " \
    "told never lets the deadline pass unserviced.",                                           \
    "CURLMOPT_TIMERFUNCTION(3)",                                                               \
    "Certain features, such as timeouts and retries, require you to call libcurl even when "   \
    "there is no activity on the file descriptors.")                                          \
  X(IR_ONCE, "IR-ONCE", IR, must, P_ALL, trace,                                                \
    "Exactly one DONE message per finished transfer, none for a transfer not added.",         \
    "curl_multi_info_read(3)",                                                                 \
    "it is removed from the internal queue so calling this function again does not return "   \
    "the same message again")                                                                  \
  X(IR_QUEUE, "IR-QUEUE", IR, must, P_ALL, trace,                                              \
    "msgs_in_queue counts the messages left after the one returned; NULL means empty.",       \
    "curl_multi_info_read(3)",                                                                 \
    "The integer pointed to with msgs_in_queue contains the number of remaining messages "     \
    "after this function was called.")                                                         \
  X(IR_REMOVED, "IR-REMOVED", IR, must, P_ALL, trace,                                          \
    "Removing a handle drops its unread DONE message.",                                        \
    "curl_multi_info_read(3)",                                                                 \
    "The data the returned pointer points to does not survive calling "                       \
    "curl_multi_cleanup(3), curl_multi_remove_handle(3)")                                     \
  X(AS_UNKNOWN, "AS-UNKNOWN", AS, must, P_ALL, trace,                                          \
    "multi_assign fails with MSM_BAD_SOCKET for a socket not in use and succeeds for one in " \
    "use.",                                                                                    \
    "curl_multi_assign(3)",                                                                    \
    "If the given sockfd is not already in use by libcurl, this function returns an error.")  \
  X(ER_CODES, "ER-CODES", ER, must, P_ALL, trace,                                              \
    "Each call returns a code its documents name: ADDED_ALREADY for a second add, "           \
    "RECURSIVE_API_CALL from inside a callback, BAD_HANDLE for a bad multi.",                  \
    "libcurl-errors(3)",                                                                       \
    "CURLM_RECURSIVE_API_CALL: An API function was called from inside a callback.")           \
  X(ER_NO_CRASH, "ER-NO-CRASH", ER, must, P_ALL, harness,                                      \
    "Invalid handles, NULL pointers and calls in the wrong state get an error code, never a " \
    "crash.",                                                                                  \
    "curl_multi_cleanup(3)", "Passing in a NULL pointer in multi_handle makes this function "  \
                             "return CURLM_BAD_HANDLE immediately with no other action.")      \
  X(ER_ABORT, "ER-ABORT", ER, must, P_ALL, trace,                                              \
    "A callback returning -1 ends the call with MSM_ABORTED_BY_CALLBACK and every transfer "  \
    "in progress still ends with one DONE.",                                                   \
    "CURLMOPT_TIMERFUNCTION(3)",                                                               \
    "If this callback returns error, all transfers currently in progress in this multi "       \
    "handle are aborted and made to fail.")                                                    \
  X(ER_REMOVE_UNADDED, "ER-REMOVE-UNADDED", ER, observed, P_788, trace,                        \
    "remove_handle of a handle that is in no multi returns MSM_OK.",                          \
    "libcurl 7.88.1 (observed behaviour, not documented)",                                     \
    "observed: a handle that is in no multi is reported removed with CURLM_OK")               \
  X(DP_SOCKET, "DP-SOCKET", DP, must, P_ALL, trace,                                            \
    "multi_socket(fd) behaves as socket_action(fd, 0) and multi_socket_all re-checks every "  \
    "socket: transfers driven by them complete.",                                              \
    MS_SEED_DEPRECATED, "the function is equivalent to curl_multi_socket_action(3) with "      \
                        "ev_bitmask set to 0.")                                                \
  X(LG_CALL_AGAIN, "LG-CALL-AGAIN", LG, must, P_716, trace,                                    \
    "Legacy: MSM_CALL_MULTI_PERFORM comes only from the socket calls and multi_perform, "    \
    "reports running, and means call again, not an error.",                                                         \
    MS_SEED_716, "If you receive CURLM_CALL_MULTI_PERFORM, this basically means that you "     \
                 "should call curl_multi_socket_action(3) again")                             \
  X(DT_REPLAY, "DT-REPLAY", DT, must, P_ALL, harness,                                          \
    "Over simnet, the same scenario and seed give a byte-identical trace.",                   \
    "conformance/README.md",                                                                   \
    "Over simnet, the same scenario and the same seed give a byte-identical trace.")           \
  X(PA_SILENT, "PA-SILENT", PA, must, P_ALL, trace,                                            \
    "While a direction of a transfer is paused (its callback returned PAUSE, or easy_pause "  \
    "set the bit), that direction's callback is not called until easy_pause clears the bit.", \
    "curl_easy_pause(3)",                                                                      \
    "There will be no data received on this connection until this function is called again " \
    "without this bit set. Thus, the write callback (CURLOPT_WRITEFUNCTION(3)) won't be "      \
    "called.")                                                                                 \
  X(PA_RESUME, "PA-RESUME", PA, must, P_ALL, trace,                                            \
    "After easy_pause unpauses a paused transfer that is not done, the timer the application " \
    "holds is due within 1 ms, so a SOCKET_TIMEOUT call gets it going without socket activity.", \
    "curl_easy_pause(3), libcurl 7.32.0 to 7.74.0",                                            \
    "unpausing a transfer will schedule a timeout trigger for that handle 1 millisecond into " \
    "the future, so that a curl_multi_socket_action( ... CURL_SOCKET_TIMEOUT) can be used "    \
    "immediately afterwards")                                                                  \
  X(CL_NONBLOCK, "CL-NONBLOCK", CL, must, P_ALL, trace,                                        \
    "multi_perform does not wait: it returns once the reads and writes that can be done now " \
    "are done, with no more time passing inside it than the timer tolerance.",                 \
    "curl_multi_perform(3)",                                                                   \
    "This function performs transfers on all the added handles that need attention in a "     \
    "non-blocking fashion.")                                                                   \
  X(CL_RUNNING, "CL-RUNNING", CL, must, P_ALL, trace,                                          \
    "On return of multi_perform, running counts the added transfers not done: every decrease " \
    "is matched by DONE messages, and 0 comes only when every transfer is done.",             \
    "curl_multi_perform(3)",                                                                   \
    "When running_handles is set to zero (0) on the return of this function, there is no "    \
    "longer any transfers in progress.")                                                       \
  X(CL_PROGRESS, "CL-PROGRESS", CL, must, P_ALL, trace,                                        \
    "Transfers driven only by a perform loop that waits as the pages say (multi_poll, "       \
    "multi_wait, or select on multi_fdset's sets bounded by multi_timeout) complete: a "       \
    "transfer with a healthy peer ends OK.",                                                   \
    "curl_multi_perform(3)",                                                                   \
    "the application should call this function to read/write whatever there is to read or "   \
    "write right now etc.")                                                                    \
  X(CL_WAIT_BOUND, "CL-WAIT-BOUND", CL, must, P_ALL, trace,                                    \
    "multi_wait and multi_poll return by timeout_ms, or sooner when the multi's own timeout " \
    "(as multi_timeout reports it just before the call) is shorter.",                          \
    "curl_multi_wait(3)",                                                                      \
    "that shorter time will be used instead to make sure timeout accuracy is reasonably kept") \
  X(CL_WAIT_EMPTY, "CL-WAIT-EMPTY", CL, must, P_ALL, trace,                                    \
    "multi_wait with no extra descriptor returns at once while the library has no descriptor " \
    "to wait for (no transfer running).",                                                      \
    "curl_multi_wait(3)",                                                                      \
    "If no extra file descriptors are provided and libcurl has no file descriptor to offer "   \
    "to wait for, this function will return immediately.")                                    \
  X(CL_POLL_WAITS, "CL-POLL-WAITS", CL, must, P_ALL, trace,                                    \
    "multi_poll with no extra descriptor, while the library has no descriptor to wait for, "  \
    "waits timeout_ms (or the shorter time multi_timeout reports), unless it was woken up.",   \
    "curl_multi_poll(3)",                                                                      \
    "this function will instead wait during timeout_ms milliseconds (or shorter if an "       \
    "internal timer indicates so)")                                                            \
  X(CL_WAKEUP, "CL-WAKEUP", CL, must, P_ALL, trace,                                            \
    "After multi_wakeup, the next multi_poll returns at once.",                                \
    "curl_multi_wakeup(3)",                                                                    \
    "If the function is called when there is no curl_multi_poll(3) call, it will cause the "  \
    "next call to return immediately.")                                                        \
  X(CL_FDSET, "CL-FDSET", CL, must, P_ALL, trace,                                              \
    "multi_fdset's max_fd is the highest descriptor it set, or -1 when it set none.",          \
    "curl_multi_fdset(3)",                                                                     \
    "If no file descriptors are set by libcurl, max_fd will contain -1 when this function "   \
    "returns.")                                                                                \
  /* The application's half, judged on a recorded program (Party::application). */            \
  X(AP_TIMER_FIRE, "AP-TIMER-FIRE", AP, must, P_ALL, trace,                                    \
    "A timer the library set (timeout_ms >= 0) and did not replace is answered by "           \
    "socket_action(CURL_SOCKET_TIMEOUT) made at or after its expiry, within the tolerance.",   \
    "CURLMOPT_TIMERFUNCTION(3)",                                                               \
    "When that timer fires, call either curl_multi_socket_action(3) or curl_multi_perform(3), " \
    "depending on which interface you use.")                                                   \
  X(AP_TIMER_EARLY, "AP-TIMER-EARLY", AP, should, P_788, trace,                               \
    "A CURL_SOCKET_TIMEOUT call the application makes while the library's timer stands comes " \
    "at or after that timer's expiry, not before it (less the millisecond of rounding).",     \
    "CURLMOPT_TIMERFUNCTION(3)",                                                               \
    "Your callback function timer_callback should install a non-repeating timer with an "      \
    "expire time of timeout_ms milliseconds.")                                                 \
  X(AP_TIMER_DELETE, "AP-TIMER-DELETE", AP, must, P_788, trace,                                \
    "After the timer callback passes -1 the application deletes its timer: a timerfd it armed " \
    "for the library is disarmed before it waits again, and no CURL_SOCKET_TIMEOUT call comes " \
    "at the deleted timer's expiry.",                                                          \
    "CURLMOPT_TIMERFUNCTION(3)",                                                               \
    "A timeout_ms value of -1 passed to this callback means you should delete the timer.")     \
  X(AP_WATCH, "AP-WATCH", AP, must, P_ALL, trace,                                              \
    "When it waits, the application watches each library socket for exactly the activity the " \
    "last socket callback asked (IN, OUT or both): no less (a hang), no more (a busy loop).",  \
    "CURLMOPT_SOCKETFUNCTION(3)",                                                              \
    "libcurl then expects the application to monitor the sockets for the specific activities " \
    "and tell libcurl again when something happens on one of them.")                           \
  X(AP_UNWATCH, "AP-UNWATCH", AP, must, P_ALL, trace,                                          \
    "After CURL_POLL_REMOVE the application no longer watches the socket while it stays open, " \
    "until a socket callback asks for it again.",                                              \
    "CURLMOPT_SOCKETFUNCTION(3)",                                                              \
    "The specified socket/file descriptor is no longer used by libcurl for any active "        \
    "transfer.")                                                                               \
  X(AP_MASK, "AP-MASK", AP, must, P_ALL, trace,                                                \
    "A mask the application passes to socket_action for a socket names only activity its "    \
    "last wait reported for that socket (0, events unknown, is always allowed).",             \
    "curl_multi_socket_action(3)",                                                             \
    "When the events on a socket are known, they can be passed as an events bitmask "          \
    "ev_bitmask")                                                                              \
  X(AP_ACT, "AP-ACT", AP, must, P_ALL, trace,                                                  \
    "When its wait reports a library socket ready, the application calls socket_action for "  \
    "that socket before it waits again, unless the socket was removed or closed meanwhile.",   \
    "curl_multi_socket_action(3)",                                                             \
    "When activity is detected, call curl_multi_socket_action() for the socket(s) that got "   \
    "action.")                                                                                 \
  X(AP_INFO_READ, "AP-INFO-READ", AP, must, P_ALL, trace,                                      \
    "After a call that lowers the number of running handles, the application calls info_read " \
    "before it waits again.",                                                                  \
    "curl_multi_socket_action(3)",                                                             \
    "Use curl_multi_info_read(3) to figure out which easy handle that completed.")             \
  X(AP_REMOVE_DONE, "AP-REMOVE-DONE", AP, must, P_788, trace,                                  \
    "The application removes an easy handle from the multi (curl_multi_remove_handle) before " \
    "curl_easy_cleanup on it and before curl_multi_cleanup.",                                  \
    "curl_easy_cleanup(3)",                                                                    \
    "To close an easy handle that has been used with the multi interface, make sure to call "  \
    "curl_multi_remove_handle(3) first to remove it from the multi handle before it is "       \
    "closed.")                                                                                 \
  X(AP_REENTRY, "AP-REENTRY", AP, must, P_788, trace,                                          \
    "From inside a socket or timer callback the application calls none of socket_action, "     \
    "perform, add_handle and remove_handle.",                                                  \
    "curl_multi_remove_handle(3)",                                                             \
    "It is fine to remove a handle at any time during a transfer, just not from within any "   \
    "libcurl callback function.")

enum class ClauseId : std::uint8_t {
#define MS_X(e, id, g, s, p, d, stmt, src, quote) e,
  MS_CLAUSES(MS_X)
#undef MS_X
};
#define MS_X(e, id, g, s, p, d, stmt, src, quote) +1
inline constexpr std::size_t kClauseCount = 0 MS_CLAUSES(MS_X);
#undef MS_X

struct Clause {
  ClauseId key;
  std::string_view id;
  ClauseGroup group;
  Severity severity;
  unsigned profiles;  // P_* bits as written in the table (historical, see above)
  DecidedBy decided_by;
  std::string_view statement;
  std::string_view source;  // seed file name or man page name
  std::string_view quote;   // a short quote of the source
};

// Which side of the contract a clause binds. Library clauses are judged on a target driven by
// the harness's own application (Checker); application clauses (group AP) on the recorded
// trace of a real program driving a library (check_application, app_checker.hpp). A report
// grades one party.
enum class Party : std::uint8_t { library, application };
inline Party party_of(const Clause& c) {
  return c.group == ClauseGroup::AP ? Party::application : Party::library;
}
const char* to_string(Party p);  // "library", "application"

// Whether only the simulated world can exercise a clause: SC-LAST-STREAM is decided from
// what the server saw of each HTTP/2 stream (net_stream events), which simnet's peers
// record and real sockets do not.
inline bool needs_simulated_peers(const Clause& c) { return c.key == ClauseId::SC_LAST_STREAM; }

// All clauses in table order (stable: reports and counts use it).
std::span<const Clause> all_clauses();
const Clause& clause(ClauseId id);
const Clause* find_clause(std::string_view id);  // nullptr when unknown

// A clause as one edition states it.
struct ClauseText {
  Severity severity;
  std::string_view statement;
  std::string_view source;  // "PAGE(3), libcurl X.Y.Z" or a file of this project
  std::string_view quote;
};
// nullopt when the edition does not contain the clause.
std::optional<ClauseText> clause_in(const Clause& c, Edition e);
bool in_edition(const Clause& c, Edition e);

}  // namespace ms::conf

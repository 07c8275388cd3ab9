// SPDX-License-Identifier: MIT
// editions_table.hpp: the contract per edition of the libcurl documents, as data.
//
// One row per (clause, edition) where that edition's pages support the clause; a clause
// with no support in an edition has no row for it. Editions and how a version picks one
// are described in conformance/EDITIONS.md. The statement is "" when the catalogue's
// statement (clauses.hpp) holds unchanged, else the edition's own testable sentence.
// The source is "PAGE(3), libcurl X.Y.Z" (the page at release tag curl-X_Y_Z) or a file
// of this project; the quote is the page's exact sentence with markup removed and
// whitespace collapsed. conformance/tools/check_quotes.py verifies every quote against a
// curl git copy and the seeds. This header holds only the table: no includes, no code.
#pragma once

// X(clause enum, edition, severity, statement, source, quote)
#define MS_CLAUSE_EDITIONS(X) \
  X(SA_MASK, e7_16, must,                                                               \
    "",                                                                                 \
    "curl_multi_socket_action(3), libcurl 7.19.7",                                      \
    "by first setting ev_bitmask to 0, and then adding using bitwise OR (|) any "       \
    "combination of events to be chosen from CURL_CSELECT_IN, CURL_CSELECT_OUT or "     \
    "CURL_CSELECT_ERR.")                                                                \
  X(SA_MASK, e7_88, must,                                                               \
    "",                                                                                 \
    "curl_multi_socket_action(3), libcurl 7.88.1",                                      \
    "by first setting ev_bitmask to 0, and then adding using bitwise OR (|) any "       \
    "combination of events to be chosen from CURL_CSELECT_IN, CURL_CSELECT_OUT or "     \
    "CURL_CSELECT_ERR.")                                                                \
  X(SA_MASK, e8, must,                                                                  \
    "",                                                                                 \
    "curl_multi_socket_action(3), libcurl 8.21.0",                                      \
    "by first setting ev_bitmask to 0, and then adding using bitwise OR (|) any "       \
    "combination of events to be chosen from CURL_CSELECT_IN, CURL_CSELECT_OUT or "     \
    "CURL_CSELECT_ERR.")                                                                \
  X(SA_ZERO, e7_16, must,                                                               \
    "",                                                                                 \
    "curl_multi_socket_action(3), libcurl 7.19.7",                                      \
    "When the events on a socket are unknown, pass 0 instead, and libcurl will test "   \
    "the descriptor internally.")                                                       \
  X(SA_ZERO, e7_88, must,                                                               \
    "",                                                                                 \
    "curl_multi_socket_action(3), libcurl 7.88.1",                                      \
    "When the events on a socket are unknown, pass 0 instead, and libcurl will test "   \
    "the descriptor internally.")                                                       \
  X(SA_ZERO, e8, must,                                                                  \
    "",                                                                                 \
    "curl_multi_socket_action(3), libcurl 8.21.0",                                      \
    "When the events on a socket are unknown, pass 0 instead, and libcurl tests the "   \
    "descriptor internally.")                                                           \
  X(SA_KICK, e7_88, must,                                                               \
    "",                                                                                 \
    "curl_multi_add_handle(3), libcurl 7.88.1",                                         \
    "that callback will be called from within this function to ask for an updated "     \
    "timer so that your main event loop will get the activity on this handle to get "   \
    "started.")                                                                         \
  X(SA_KICK, e8, must,                                                                  \
    "",                                                                                 \
    "curl_multi_add_handle(3), libcurl 8.21.0",                                         \
    "that callback is called from within this function to ask for an updated timer "    \
    "so that your main event loop gets the activity on this handle to get started.")    \
  X(SA_RUNNING, e7_16, must,                                                            \
    "",                                                                                 \
    "curl_multi_socket(3), libcurl 7.19.7",                                             \
    "At return, the integer running_handles points to will contain the number of "      \
    "still running easy handles within the multi handle.")                              \
  X(SA_RUNNING, e7_88, must,                                                            \
    "",                                                                                 \
    "curl_multi_socket_action(3), libcurl 7.88.1",                                      \
    "At return, running_handles points to the number of running easy handles within "   \
    "the multi handle.")                                                                \
  X(SA_RUNNING, e8, must,                                                               \
    "",                                                                                 \
    "curl_multi_socket_action(3), libcurl 8.21.0",                                      \
    "At return, running_handles points to the number of running easy handles within "   \
    "the multi handle.")                                                                \
  X(SA_ZERO_DONE, e7_16, must,                                                          \
    "",                                                                                 \
    "curl_multi_socket_action(3), libcurl 7.19.7",                                      \
    "When this number reaches zero, all transfers are complete/done.")                  \
  X(SA_ZERO_DONE, e7_88, must,                                                          \
    "",                                                                                 \
    "curl_multi_socket_action(3), libcurl 7.88.1",                                      \
    "When this number reaches zero, all transfers are complete/done.")                  \
  X(SA_ZERO_DONE, e8, must,                                                             \
    "",                                                                                 \
    "curl_multi_socket_action(3), libcurl 8.21.0",                                      \
    "When this number reaches zero, all transfers are complete/done.")                  \
  X(SA_DECREASE, e7_16, must,                                                           \
    "",                                                                                 \
    "curl_multi_socket_action(3), libcurl 7.19.7",                                      \
    "Use curl_multi_info_read(3) to figure out which easy handle that completed.")      \
  X(SA_DECREASE, e7_88, must,                                                           \
    "",                                                                                 \
    "curl_multi_socket_action(3), libcurl 7.88.1",                                      \
    "Use curl_multi_info_read(3) to figure out which easy handle that completed.")      \
  X(SA_DECREASE, e8, must,                                                              \
    "",                                                                                 \
    "curl_multi_socket_action(3), libcurl 8.21.0",                                      \
    "Use curl_multi_info_read(3) to figure out which easy handle that completed.")      \
  X(SA_SPURIOUS, e7_16, should,                                                         \
    "",                                                                                 \
    "curl_multi_socket_action(3), libcurl 7.19.7",                                      \
    "When the application has detected action on a socket handled by libcurl, it "      \
    "should call curl_multi_socket_action(3) with the sockfd argument set to the "      \
    "socket with the action.")                                                          \
  X(SA_SPURIOUS, e7_88, should,                                                         \
    "",                                                                                 \
    "curl_multi_socket_action(3), libcurl 7.88.1",                                      \
    "When the application has detected action on a socket handled by libcurl, it "      \
    "should call curl_multi_socket_action(3) with the sockfd argument set to the "      \
    "socket with the action.")                                                          \
  X(SA_SPURIOUS, e8, should,                                                            \
    "",                                                                                 \
    "curl_multi_socket_action(3), libcurl 8.21.0",                                      \
    "When the application has detected action on a socket handled by libcurl, it "      \
    "should call curl_multi_socket_action(3) with the sockfd argument set to the "      \
    "socket with the action.")                                                          \
  X(SA_ERR, e7_16, must,                                                                \
    "",                                                                                 \
    "curl_multi_socket_action(3), libcurl 7.19.7",                                      \
    "any combination of events to be chosen from CURL_CSELECT_IN, CURL_CSELECT_OUT "    \
    "or CURL_CSELECT_ERR.")                                                             \
  X(SA_ERR, e7_88, must,                                                                \
    "",                                                                                 \
    "curl_multi_socket_action(3), libcurl 7.88.1",                                      \
    "any combination of events to be chosen from CURL_CSELECT_IN, CURL_CSELECT_OUT "    \
    "or CURL_CSELECT_ERR.")                                                             \
  X(SA_ERR, e8, must,                                                                   \
    "",                                                                                 \
    "curl_multi_socket_action(3), libcurl 8.21.0",                                      \
    "any combination of events to be chosen from CURL_CSELECT_IN, CURL_CSELECT_OUT "    \
    "or CURL_CSELECT_ERR.")                                                             \
  X(SA_AFTER_ERROR, e7_88, must,                                                        \
    "",                                                                                 \
    "curl_multi_socket_action(3), libcurl 7.88.1",                                      \
    "curl_multi_socket_action(3) should not be called again on the same multi handle "  \
    "after an error has been returned, unless first removing all the handles and "      \
    "adding new ones.")                                                                 \
  X(SA_AFTER_ERROR, e8, must,                                                           \
    "",                                                                                 \
    "curl_multi_socket_action(3), libcurl 8.21.0",                                      \
    "curl_multi_socket_action(3) should not be called again on the same multi handle "  \
    "after an error has been returned, unless first removing all the handles and "      \
    "adding new ones.")                                                                 \
  X(SA_PROGRESS, e7_16, should,                                                         \
    "",                                                                                 \
    "curl_multi_socket_action(3), libcurl 7.19.7",                                      \
    "Your application will then get called with information on how long to wait for "   \
    "socket actions at most before doing the timeout action")                           \
  X(SA_PROGRESS, e7_88, should,                                                         \
    "",                                                                                 \
    "curl_multi_socket_action(3), libcurl 7.88.1",                                      \
    "Your application will then get called with information on how long to wait for "   \
    "socket actions at most before doing the timeout action")                           \
  X(SA_PROGRESS, e8, should,                                                            \
    "",                                                                                 \
    "curl_multi_socket_action(3), libcurl 8.21.0",                                      \
    "Your application then gets called with information on how long to wait for "       \
    "socket actions at most before doing the timeout action")                           \
  X(SC_ACTION, e7_16, must,                                                             \
    "",                                                                                 \
    "curl_multi_socket_action(3), libcurl 7.19.7",                                      \
    "The action argument to the callback has one of five values")                       \
  X(SC_ACTION, e7_88, must,                                                             \
    "",                                                                                 \
    "CURLMOPT_SOCKETFUNCTION(3), libcurl 7.88.1",                                       \
    "The what parameter informs the callback on the status of the given socket.")       \
  X(SC_ACTION, e8, must,                                                                \
    "",                                                                                 \
    "CURLMOPT_SOCKETFUNCTION(3), libcurl 8.21.0",                                       \
    "The what parameter informs the callback on the status of the given socket.")       \
  X(SC_CHANGES, e7_16, must,                                                            \
    "",                                                                                 \
    "curl_multi_socket_action(3), libcurl 7.19.7",                                      \
    "They update the status with changes since the previous time the callback was "     \
    "called.")                                                                          \
  X(SC_CHANGES, e7_88, must,                                                            \
    "",                                                                                 \
    "CURLMOPT_SOCKETFUNCTION(3), libcurl 7.88.1",                                       \
    "The callback function gets status updates with changes since the previous time "   \
    "the callback was called.")                                                         \
  X(SC_CHANGES, e8, must,                                                               \
    "",                                                                                 \
    "CURLMOPT_SOCKETFUNCTION(3), libcurl 8.21.0",                                       \
    "The callback function gets status updates with changes since the previous time "   \
    "the callback was called.")                                                         \
  X(SC_REMOVE, e7_16, must,                                                             \
    "",                                                                                 \
    "curl_multi_socket(3), libcurl 7.16.0",                                             \
    "CURL_POLL_REMOVE (4) deregister")                                                  \
  X(SC_REMOVE, e7_88, must,                                                             \
    "",                                                                                 \
    "CURLMOPT_SOCKETFUNCTION(3), libcurl 7.88.1",                                       \
    "CURL_POLL_REMOVE The specified socket/file descriptor is no longer used by "       \
    "libcurl for any active transfer.")                                                 \
  X(SC_REMOVE, e8, must,                                                                \
    "",                                                                                 \
    "CURLMOPT_SOCKETFUNCTION(3), libcurl 8.21.0",                                       \
    "When a socket is given a CURL_POLL_REMOVE value, it might be because libcurl is "  \
    "going to close it, but it might also mean that it does not need any more "         \
    "monitoring for the moment.")                                                       \
  X(SC_LAST_STREAM, e7_88, must,                                                        \
    "",                                                                                 \
    "CURLMOPT_SOCKETFUNCTION(3), libcurl 7.88.1",                                       \
    "The specified socket/file descriptor is no longer used by libcurl for any "        \
    "active transfer. It might soon be added again.")                                   \
  X(SC_LAST_STREAM, e8, must,                                                           \
    "",                                                                                 \
    "CURLMOPT_SOCKETFUNCTION(3), libcurl 8.21.0",                                       \
    "The specified socket/file descriptor is no longer used by libcurl for any "        \
    "active transfer. It might soon be added again.")                                   \
  X(SC_SOCKETP, e7_16, must,                                                            \
    "socketp is the pointer multi_assign last set for that socket, NULL if none.",      \
    "curl_multi_socket_action(3), libcurl 7.19.7",                                      \
    "If no pointer has been set, socketp will be NULL.")                                \
  X(SC_SOCKETP, e7_88, must,                                                            \
    "socketp is the pointer multi_assign last set for that socket, NULL if none.",      \
    "CURLMOPT_SOCKETFUNCTION(3), libcurl 7.88.1",                                       \
    "socketp is set with curl_multi_assign(3) or will be NULL.")                        \
  X(SC_SOCKETP, e8, must,                                                               \
    "",                                                                                 \
    "CURLMOPT_SOCKETFUNCTION(3), libcurl 8.21.0",                                       \
    "A socket that is removed like this loses its assigned pointer as set with "        \
    "curl_multi_assign(3).")                                                            \
  X(SC_USERP, e7_16, must,                                                              \
    "",                                                                                 \
    "curl_multi_socket_action(3), libcurl 7.19.7",                                      \
    "The easy argument is a pointer to the easy handle that deals with this "           \
    "particular socket.")                                                               \
  X(SC_USERP, e7_88, must,                                                              \
    "",                                                                                 \
    "CURLMOPT_SOCKETFUNCTION(3), libcurl 7.88.1",                                       \
    "easy identifies the specific transfer for which this update is related.")          \
  X(SC_USERP, e8, must,                                                                 \
    "Callbacks get the userp set with SOCKETDATA/TIMERDATA; the socket callback's "     \
    "easy is a handle added to this multi or an internal handle the application "       \
    "never added.",                                                                     \
    "CURLMOPT_SOCKETFUNCTION(3), libcurl 8.21.0",                                       \
    "It might even be an internal easy handle that the application did not add "        \
    "itself.")                                                                          \
  X(SC_INSIDE, e7_16, must,                                                             \
    "",                                                                                 \
    "curl_multi_socket_action(3), libcurl 7.19.7",                                      \
    "The curl_multi_socket_action(3) functions inform the application about updates "   \
    "in the socket (file descriptor) status by doing none, one, or multiple calls to "  \
    "the socket callback function")                                                     \
  X(SC_INSIDE, e7_88, must,                                                             \
    "",                                                                                 \
    "CURLMOPT_SOCKETFUNCTION(3), libcurl 7.88.1",                                       \
    "When the curl_multi_socket_action(3) function is called, it uses this callback "   \
    "to inform the application about updates in the socket (file descriptor) status "   \
    "by doing none, one, or multiple calls to the socket_callback.")                    \
  X(SC_INSIDE, e8, must,                                                                \
    "",                                                                                 \
    "CURLMOPT_SOCKETFUNCTION(3), libcurl 8.21.0",                                       \
    "This callback may get invoked at any time when interacting with libcurl.")         \
  X(SC_LIVENESS, e7_16, must,                                                           \
    "",                                                                                 \
    "curl_multi_socket_action(3), libcurl 7.19.7",                                      \
    "Wait for activity on any of libcurl's sockets, use the timeout value your "        \
    "callback has been told")                                                           \
  X(SC_LIVENESS, e7_88, must,                                                           \
    "",                                                                                 \
    "curl_multi_socket_action(3), libcurl 7.88.1",                                      \
    "Wait for activity on any of libcurl's sockets, use the timeout value your "        \
    "callback has been told")                                                           \
  X(SC_LIVENESS, e8, must,                                                              \
    "",                                                                                 \
    "curl_multi_socket_action(3), libcurl 8.21.0",                                      \
    "Wait for activity on any of libcurl's sockets, use the timeout value your "        \
    "callback has been told")                                                           \
  X(TM_VALUE, e7_16, must,                                                              \
    "",                                                                                 \
    "curl_multi_setopt(3), libcurl 7.19.7",                                             \
    "A timeout value of -1 means that there is no timeout at all, and 0 means that "    \
    "the timeout is already reached.")                                                  \
  X(TM_VALUE, e7_88, must,                                                              \
    "",                                                                                 \
    "CURLMOPT_TIMERFUNCTION(3), libcurl 7.88.1",                                        \
    "A timeout_ms value of -1 passed to this callback means you should delete the "     \
    "timer. All other values are valid expire times in number of milliseconds.")        \
  X(TM_VALUE, e8, must,                                                                 \
    "",                                                                                 \
    "CURLMOPT_TIMERFUNCTION(3), libcurl 8.21.0",                                        \
    "A timeout_ms value of -1 passed to this callback means you should delete the "     \
    "timer. All other values are valid expire times in number of milliseconds - "       \
    "including zero milliseconds.")                                                     \
  X(TM_CHANGES, e7_16, should,                                                          \
    "",                                                                                 \
    "curl_multi_setopt(3), libcurl 7.19.7",                                             \
    "Libcurl attempts to limit calling this only when the fixed future timeout time "   \
    "actually changes.")                                                                \
  X(TM_CHANGES, e7_88, should,                                                          \
    "",                                                                                 \
    "CURLMOPT_TIMERFUNCTION(3), libcurl 7.88.1",                                        \
    "The timer_callback will only be called when the timeout expire time is changed.")  \
  X(TM_CHANGES, e8, should,                                                             \
    "",                                                                                 \
    "CURLMOPT_TIMERFUNCTION(3), libcurl 8.21.0",                                        \
    "If this callback is called when a timer is already running, this new expire "      \
    "time replaces the former timeout.")                                                \
  X(TM_DELETE, e7_16, should,                                                           \
    "",                                                                                 \
    "curl_multi_setopt(3), libcurl 7.19.7",                                             \
    "A timeout value of -1 means that there is no timeout at all")                      \
  X(TM_DELETE, e7_88, should,                                                           \
    "",                                                                                 \
    "CURLMOPT_TIMERFUNCTION(3), libcurl 7.88.1",                                        \
    "A timeout_ms value of -1 passed to this callback means you should delete the "     \
    "timer.")                                                                           \
  X(TM_DELETE, e8, should,                                                              \
    "",                                                                                 \
    "CURLMOPT_TIMERFUNCTION(3), libcurl 8.21.0",                                        \
    "A timeout_ms value of -1 passed to this callback means you should delete the "     \
    "timer.")                                                                           \
  X(TM_AGREE, e7_16, must,                                                              \
    "",                                                                                 \
    "curl_multi_socket_action(3), libcurl 7.19.7",                                      \
    "You can also use the curl_multi_timeout(3) function to poll the value at any "     \
    "given time")                                                                       \
  X(TM_AGREE, e7_88, must,                                                              \
    "",                                                                                 \
    "curl_multi_socket_action(3), libcurl 7.88.1",                                      \
    "You can also use the curl_multi_timeout(3) function to poll the value at any "     \
    "given time")                                                                       \
  X(TM_AGREE, e8, must,                                                                 \
    "",                                                                                 \
    "curl_multi_socket_action(3), libcurl 8.21.0",                                      \
    "You can also use the curl_multi_timeout(3) function to poll the value at any "     \
    "given time")                                                                       \
  X(TM_DEADLINE, e7_16, must,                                                           \
    "",                                                                                 \
    "curl_multi_setopt(3), libcurl 7.19.7",                                             \
    "The timeout value is at what latest time the application should call one of the "  \
    "\"performing\" functions of the multi interface (curl_multi_socket_action(3) "     \
    "and curl_multi_perform(3)) - to allow libcurl to keep timeouts and retries etc "   \
    "to work.")                                                                         \
  X(TM_DEADLINE, e7_88, must,                                                           \
    "",                                                                                 \
    "CURLMOPT_TIMERFUNCTION(3), libcurl 7.88.1",                                        \
    "Certain features, such as timeouts and retries, require you to call libcurl "      \
    "even when there is no activity on the file descriptors.")                          \
  X(TM_DEADLINE, e8, must,                                                              \
    "",                                                                                 \
    "CURLMOPT_TIMERFUNCTION(3), libcurl 8.21.0",                                        \
    "Certain features, such as timeouts and retries, require you to call libcurl "      \
    "even when there is no activity on the file descriptors.")                          \
  X(IR_ONCE, e7_16, must,                                                               \
    "",                                                                                 \
    "curl_multi_info_read(3), libcurl 7.19.7",                                          \
    "When you fetch a message using this function, it is removed from the internal "    \
    "queue so calling this function again will not return the same message again.")     \
  X(IR_QUEUE, e7_16, must,                                                              \
    "",                                                                                 \
    "curl_multi_info_read(3), libcurl 7.19.7",                                          \
    "The integer pointed to with msgs_in_queue will contain the number of remaining "   \
    "messages after this function was called.")                                         \
  X(IR_REMOVED, e7_16, must,                                                            \
    "",                                                                                 \
    "curl_multi_info_read(3), libcurl 7.19.7",                                          \
    "The data the returned pointer points to will not survive calling "                 \
    "curl_multi_cleanup(3), curl_multi_remove_handle(3) or curl_easy_cleanup(3).")      \
  X(IR_ONCE, e7_88, must,                                                               \
    "",                                                                                 \
    "curl_multi_info_read(3), libcurl 7.88.1",                                          \
    "When you fetch a message using this function, it is removed from the internal "    \
    "queue so calling this function again will not return the same message again.")     \
  X(IR_QUEUE, e7_88, must,                                                              \
    "",                                                                                 \
    "curl_multi_info_read(3), libcurl 7.88.1",                                          \
    "The integer pointed to with msgs_in_queue will contain the number of remaining "   \
    "messages after this function was called.")                                         \
  X(IR_REMOVED, e7_88, must,                                                            \
    "",                                                                                 \
    "curl_multi_info_read(3), libcurl 7.88.1",                                          \
    "The data the returned pointer points to will not survive calling "                 \
    "curl_multi_cleanup(3), curl_multi_remove_handle(3) or curl_easy_cleanup(3).")      \
  X(IR_ONCE, e8, must,                                                                  \
    "",                                                                                 \
    "curl_multi_info_read(3), libcurl 8.21.0",                                          \
    "When you fetch a message using this function, it is removed from the internal "    \
    "queue so calling this function again does not return the same message again.")     \
  X(IR_QUEUE, e8, must,                                                                 \
    "",                                                                                 \
    "curl_multi_info_read(3), libcurl 8.21.0",                                          \
    "The integer pointed to with msgs_in_queue contains the number of remaining "       \
    "messages after this function was called.")                                         \
  X(IR_REMOVED, e8, must,                                                               \
    "",                                                                                 \
    "curl_multi_info_read(3), libcurl 8.21.0",                                          \
    "The data the returned pointer points to does not survive calling "                 \
    "curl_multi_cleanup(3), curl_multi_remove_handle(3) or curl_easy_cleanup(3).")      \
  X(AS_UNKNOWN, e7_16, must,                                                            \
    "",                                                                                 \
    "curl_multi_assign(3), libcurl 7.19.7",                                             \
    "If the given sockfd isn't already in use by libcurl, this function will return "   \
    "an error.")                                                                        \
  X(AS_UNKNOWN, e7_88, must,                                                            \
    "",                                                                                 \
    "curl_multi_assign(3), libcurl 7.88.1",                                             \
    "If the given sockfd is not already in use by libcurl, this function will return "  \
    "an error.")                                                                        \
  X(AS_UNKNOWN, e8, must,                                                               \
    "",                                                                                 \
    "curl_multi_assign(3), libcurl 8.21.0",                                             \
    "If the given sockfd is not already in use by libcurl, this function returns an "   \
    "error.")                                                                           \
  X(ER_CODES, e7_16, must,                                                              \
    "Each call returns a code its documents name: BAD_HANDLE for a bad multi.",         \
    "libcurl-errors(3), libcurl 7.19.7",                                                \
    "CURLM_BAD_HANDLE (1) The passed-in handle is not a valid CURLM handle.")           \
  X(ER_CODES, e7_88, must,                                                              \
    "",                                                                                 \
    "libcurl-errors(3), libcurl 7.88.1",                                                \
    "CURLM_RECURSIVE_API_CALL (8) An API function was called from inside a callback.")  \
  X(ER_CODES, e8, must,                                                                 \
    "",                                                                                 \
    "libcurl-errors(3), libcurl 8.21.0",                                                \
    "CURLM_RECURSIVE_API_CALL (8) An API function was called from inside a callback.")  \
  X(ER_NO_CRASH, e7_16, must,                                                           \
    "",                                                                                 \
    "libcurl-errors(3), libcurl 7.19.7",                                                \
    "CURLM_BAD_HANDLE (1) The passed-in handle is not a valid CURLM handle.")           \
  X(ER_NO_CRASH, e7_88, must,                                                           \
    "",                                                                                 \
    "curl_multi_cleanup(3), libcurl 7.88.1",                                            \
    "Passing in a NULL pointer in multi_handle will make this function return "         \
    "CURLM_BAD_HANDLE immediately with no other action.")                               \
  X(ER_NO_CRASH, e8, must,                                                              \
    "",                                                                                 \
    "curl_multi_cleanup(3), libcurl 8.21.0",                                            \
    "Passing in a NULL pointer in multi_handle makes this function return "             \
    "CURLM_BAD_HANDLE immediately with no other action.")                               \
  X(ER_ABORT, e7_88, must,                                                              \
    "",                                                                                 \
    "CURLMOPT_TIMERFUNCTION(3), libcurl 7.88.1",                                        \
    "If this callback returns error, all transfers currently in progress in this "      \
    "multi handle will be aborted and fail.")                                           \
  X(ER_ABORT, e8, must,                                                                 \
    "",                                                                                 \
    "CURLMOPT_TIMERFUNCTION(3), libcurl 8.21.0",                                        \
    "If this callback returns error, all transfers currently in progress in this "      \
    "multi handle are aborted and made to fail.")                                       \
  X(ER_REMOVE_UNADDED, e7_88, observed,                                                 \
    "",                                                                                 \
    "conformance/EDITIONS.md",                                                          \
    "curl_multi_remove_handle of an easy handle that is in no multi handle returns "    \
    "CURLM_OK; no edition of the pages says so.")                                       \
  X(ER_REMOVE_UNADDED, e8, observed,                                                    \
    "",                                                                                 \
    "conformance/EDITIONS.md",                                                          \
    "curl_multi_remove_handle of an easy handle that is in no multi handle returns "    \
    "CURLM_OK; no edition of the pages says so.")                                       \
  X(DP_SOCKET, e7_16, must,                                                             \
    "",                                                                                 \
    "curl_multi_socket(3), libcurl 7.19.7",                                             \
    "the function is equivalent to curl_multi_socket_action(3) with ev_bitmask set "    \
    "to 0.")                                                                            \
  X(DP_SOCKET, e7_88, must,                                                             \
    "",                                                                                 \
    "curl_multi_socket(3), libcurl 7.88.1",                                             \
    "the function is equivalent to curl_multi_socket_action(3) with ev_bitmask set "    \
    "to 0.")                                                                            \
  X(DP_SOCKET, e8, must,                                                                \
    "",                                                                                 \
    "curl_multi_socket(3), libcurl 8.21.0",                                             \
    "Use curl_multi_socket_action(3) instead with ev_bitmask set to 0.")                \
  X(LG_CALL_AGAIN, e7_16, must,                                                         \
    "",                                                                                 \
    "curl_multi_socket_action(3), libcurl 7.19.7",                                      \
    "If you receive CURLM_CALL_MULTI_PERFORM, this basically means that you should "    \
    "call curl_multi_socket_action(3) again")                                           \
  X(DT_REPLAY, e7_16, must,                                                             \
    "",                                                                                 \
    "conformance/README.md",                                                            \
    "Over simnet, the same scenario and the same seed give a byte-identical trace, "    \
    "for the engine and for a library alike.")                                          \
  X(DT_REPLAY, e7_88, must,                                                             \
    "",                                                                                 \
    "conformance/README.md",                                                            \
    "Over simnet, the same scenario and the same seed give a byte-identical trace, "    \
    "for the engine and for a library alike.")                                          \
  X(DT_REPLAY, e8, must,                                                                \
    "",                                                                                 \
    "conformance/README.md",                                                            \
    "Over simnet, the same scenario and the same seed give a byte-identical trace, "    \
    "for the engine and for a library alike.")                                          \
  X(PA_SILENT, e7_16, must,                                                             \
    "",                                                                                 \
    "curl_easy_pause(3), libcurl 7.19.7",                                               \
    "There will be no data received on this connection until this function is called "  \
    "again without this bit set.")                                                      \
  X(PA_SILENT, e7_88, must,                                                             \
    "",                                                                                 \
    "curl_easy_pause(3), libcurl 7.88.1",                                               \
    "There will be no data received on this connection until this function is called "  \
    "again without this bit set.")                                                      \
  X(PA_SILENT, e8, must,                                                                \
    "",                                                                                 \
    "curl_easy_pause(3), libcurl 8.21.0",                                               \
    "There is no data received on this connection until this function is called "       \
    "again without this bit set.")                                                      \
  X(PA_RESUME, e7_88, observed,                                                         \
    "",                                                                                 \
    "curl_easy_pause(3), libcurl 7.74.0",                                               \
    "unpausing a transfer will schedule a timeout trigger for that handle 1 "           \
    "millisecond into the future, so that a curl_multi_socket_action( ... "             \
    "CURL_SOCKET_TIMEOUT) can be used immediately afterwards to get the transfer "      \
    "going again as desired.")                                                          \
  X(PA_RESUME, e8, observed,                                                            \
    "",                                                                                 \
    "curl_easy_pause(3), libcurl 7.74.0",                                               \
    "unpausing a transfer will schedule a timeout trigger for that handle 1 "           \
    "millisecond into the future, so that a curl_multi_socket_action( ... "             \
    "CURL_SOCKET_TIMEOUT) can be used immediately afterwards to get the transfer "      \
    "going again as desired.")                                                          \
  X(CL_NONBLOCK, e7_16, must,                                                           \
    "",                                                                                 \
    "curl_multi_perform(3), libcurl 7.19.7",                                            \
    "curl_multi_perform() returns as soon as the reads/writes are done.")               \
  X(CL_NONBLOCK, e7_88, must,                                                           \
    "",                                                                                 \
    "curl_multi_perform(3), libcurl 7.88.1",                                            \
    "This function performs transfers on all the added handles that need "              \
    "attention in a non-blocking fashion.")                                             \
  X(CL_NONBLOCK, e8, must,                                                              \
    "",                                                                                 \
    "curl_multi_perform(3), libcurl 8.21.0",                                            \
    "This function performs transfers on all the added handles that need "              \
    "attention in a non-blocking fashion.")                                             \
  X(CL_RUNNING, e7_16, must,                                                            \
    "",                                                                                 \
    "curl_multi_perform(3), libcurl 7.19.7",                                            \
    "When running_handles is set to zero (0) on the return of this function, "          \
    "there is no longer any transfers in progress.")                                    \
  X(CL_RUNNING, e7_88, must,                                                            \
    "",                                                                                 \
    "curl_multi_perform(3), libcurl 7.88.1",                                            \
    "When running_handles is set to zero (0) on the return of this function, "          \
    "there is no longer any transfers in progress.")                                    \
  X(CL_RUNNING, e8, must,                                                               \
    "",                                                                                 \
    "curl_multi_perform(3), libcurl 8.21.0",                                            \
    "When running_handles is set to zero (0) on the return of this function, "          \
    "there is no longer any transfers in progress.")                                    \
  X(CL_PROGRESS, e7_16, must,                                                           \
    "",                                                                                 \
    "curl_multi_perform(3), libcurl 7.19.7",                                            \
    "When the app thinks there's data available for the multi_handle, it "              \
    "should call this function to read/write whatever there is to read or "             \
    "write right now.")                                                                 \
  X(CL_PROGRESS, e7_88, must,                                                           \
    "",                                                                                 \
    "curl_multi_perform(3), libcurl 7.88.1",                                            \
    "When an application has found out there's data available for the "                 \
    "multi_handle or a timeout has elapsed, the application should call this "          \
    "function to read/write whatever there is to read or write right now etc.")         \
  X(CL_PROGRESS, e8, must,                                                              \
    "",                                                                                 \
    "curl_multi_perform(3), libcurl 8.21.0",                                            \
    "When an application has found out there is data available for the "                \
    "multi_handle or a timeout has elapsed, the application should call this "          \
    "function to read/write whatever there is to read or write right now etc.")         \
  X(CL_WAIT_BOUND, e7_88, must,                                                         \
    "",                                                                                 \
    "curl_multi_wait(3), libcurl 7.88.1",                                               \
    "Alternatively, if the multi handle has a pending internal timeout that "           \
    "has a shorter expiry time than timeout_ms, that shorter time will be "             \
    "used instead to make sure timeout accuracy is reasonably kept.")                   \
  X(CL_WAIT_BOUND, e8, must,                                                            \
    "",                                                                                 \
    "curl_multi_wait(3), libcurl 8.21.0",                                               \
    "Alternatively, if the multi handle has a pending internal timeout that "           \
    "has a shorter expiry time than timeout_ms, that shorter time is being "            \
    "used instead to make sure timeout accuracy is reasonably kept.")                   \
  X(CL_WAIT_EMPTY, e7_88, must,                                                         \
    "",                                                                                 \
    "curl_multi_wait(3), libcurl 7.88.1",                                               \
    "If no extra file descriptors are provided and libcurl has no file "                \
    "descriptor to offer to wait for, this function will return immediately.")          \
  X(CL_WAIT_EMPTY, e8, must,                                                            \
    "",                                                                                 \
    "curl_multi_wait(3), libcurl 8.21.0",                                               \
    "If no extra file descriptors are provided and libcurl has no file "                \
    "descriptor to offer to wait for, this function returns immediately.")              \
  X(CL_POLL_WAITS, e7_88, must,                                                         \
    "",                                                                                 \
    "curl_multi_poll(3), libcurl 7.88.1",                                               \
    "If no extra file descriptors are provided and libcurl has no file "                \
    "descriptor to offer to wait for, this function will instead wait during "          \
    "timeout_ms milliseconds (or shorter if an internal timer indicates so).")          \
  X(CL_POLL_WAITS, e8, must,                                                            \
    "",                                                                                 \
    "curl_multi_poll(3), libcurl 8.21.0",                                               \
    "If no extra file descriptors are provided and libcurl has no file "                \
    "descriptor to offer to wait for, this function instead waits during "              \
    "timeout_ms milliseconds (or shorter if an internal timer indicates so).")          \
  X(CL_WAKEUP, e7_88, must,                                                             \
    "",                                                                                 \
    "curl_multi_wakeup(3), libcurl 7.88.1",                                             \
    "If the function is called when there is no curl_multi_poll(3) call, it "           \
    "will cause the next call to return immediately.")                                  \
  X(CL_WAKEUP, e8, must,                                                                \
    "",                                                                                 \
    "curl_multi_wakeup(3), libcurl 8.21.0",                                             \
    "If the function is called when there is no curl_multi_poll(3) call, it "           \
    "causes the next call to return immediately.")                                      \
  X(CL_FDSET, e7_16, must,                                                              \
    "",                                                                                 \
    "curl_multi_fdset(3), libcurl 7.19.7",                                              \
    "If no file descriptors are set by libcurl, max_fd will contain -1 when "           \
    "this function returns.")                                                           \
  X(CL_FDSET, e7_88, must,                                                              \
    "",                                                                                 \
    "curl_multi_fdset(3), libcurl 7.88.1",                                              \
    "If no file descriptors are set by libcurl, max_fd will contain -1 when "           \
    "this function returns.")                                                           \
  X(CL_FDSET, e8, must,                                                                 \
    "",                                                                                 \
    "curl_multi_fdset(3), libcurl 8.21.0",                                              \
    "If no file descriptors are set by libcurl, max_fd contain -1 when this "           \
    "function returns.")                                                                \
  X(AP_TIMER_FIRE, e7_16, must,                                                         \
    "",                                                                                 \
    "curl_multi_socket_action(3), libcurl 7.19.7",                                      \
    "If no activity is detected and the timeout expires, call "                         \
    "curl_multi_socket_action(3) with CURL_SOCKET_TIMEOUT")                             \
  X(AP_TIMER_FIRE, e7_88, must,                                                         \
    "",                                                                                 \
    "CURLMOPT_TIMERFUNCTION(3), libcurl 7.88.1",                                        \
    "When that timer fires, call either curl_multi_socket_action(3) or "                \
    "curl_multi_perform(3), depending on which interface you use.")                     \
  X(AP_TIMER_FIRE, e8, must,                                                            \
    "",                                                                                 \
    "CURLMOPT_TIMERFUNCTION(3), libcurl 8.21.0",                                        \
    "When that timer fires, call either curl_multi_socket_action(3) or "                \
    "curl_multi_perform(3), depending on which interface you use.")                     \
  X(AP_TIMER_EARLY, e7_88, should,                                                      \
    "",                                                                                 \
    "CURLMOPT_TIMERFUNCTION(3), libcurl 7.88.1",                                        \
    "Your callback function timer_callback should install a non-repeating timer "       \
    "with an expire time of timeout_ms milliseconds.")                                  \
  X(AP_TIMER_EARLY, e8, should,                                                         \
    "",                                                                                 \
    "CURLMOPT_TIMERFUNCTION(3), libcurl 8.21.0",                                        \
    "Your callback function timer_callback should install a single non-repeating "      \
    "timer with an expire time of timeout_ms milliseconds.")                            \
  X(AP_TIMER_DELETE, e7_88, must,                                                       \
    "",                                                                                 \
    "CURLMOPT_TIMERFUNCTION(3), libcurl 7.88.1",                                        \
    "A timeout_ms value of -1 passed to this callback means you should delete the"      \
    " timer.")                                                                          \
  X(AP_TIMER_DELETE, e8, must,                                                          \
    "",                                                                                 \
    "CURLMOPT_TIMERFUNCTION(3), libcurl 8.21.0",                                        \
    "A timeout_ms value of -1 passed to this callback means you should delete the"      \
    " timer.")                                                                          \
  X(AP_WATCH, e7_16, must,                                                              \
    "",                                                                                 \
    "curl_multi_socket_action(3), libcurl 7.19.7",                                      \
    "Provide some means to manage the sockets libcurl is using, so you can check "      \
    "them for activity.")                                                               \
  X(AP_WATCH, e7_88, must,                                                              \
    "",                                                                                 \
    "CURLMOPT_SOCKETFUNCTION(3), libcurl 7.88.1",                                       \
    "libcurl then expects the application to monitor the sockets for the specific"      \
    " activities and tell libcurl again when something happens on one of them.")        \
  X(AP_WATCH, e8, must,                                                                 \
    "",                                                                                 \
    "CURLMOPT_SOCKETFUNCTION(3), libcurl 8.21.0",                                       \
    "libcurl then expects the application to monitor the sockets for the specific"      \
    " activities and tell libcurl again when something happens on one of them.")        \
  X(AP_UNWATCH, e7_16, must,                                                            \
    "",                                                                                 \
    "curl_multi_socket(3), libcurl 7.16.0",                                             \
    "CURL_POLL_REMOVE (4) deregister")                                                  \
  X(AP_UNWATCH, e7_88, must,                                                            \
    "",                                                                                 \
    "CURLMOPT_SOCKETFUNCTION(3), libcurl 7.88.1",                                       \
    "The specified socket/file descriptor is no longer used by libcurl for any "        \
    "active transfer.")                                                                 \
  X(AP_UNWATCH, e8, must,                                                               \
    "",                                                                                 \
    "CURLMOPT_SOCKETFUNCTION(3), libcurl 8.21.0",                                       \
    "The specified socket/file descriptor is no longer used by libcurl for any "        \
    "active transfer.")                                                                 \
  X(AP_MASK, e7_16, must,                                                               \
    "",                                                                                 \
    "curl_multi_socket_action(3), libcurl 7.19.7",                                      \
    "When the events on a socket are known, they can be passed as an events "           \
    "bitmask ev_bitmask")                                                               \
  X(AP_MASK, e7_88, must,                                                               \
    "",                                                                                 \
    "curl_multi_socket_action(3), libcurl 7.88.1",                                      \
    "When the events on a socket are known, they can be passed as an events "           \
    "bitmask ev_bitmask")                                                               \
  X(AP_MASK, e8, must,                                                                  \
    "",                                                                                 \
    "curl_multi_socket_action(3), libcurl 8.21.0",                                      \
    "When the events on a socket are known, they can be passed as an events "           \
    "bitmask ev_bitmask")                                                               \
  X(AP_ACT, e7_16, must,                                                                \
    "",                                                                                 \
    "curl_multi_socket_action(3), libcurl 7.19.7",                                      \
    "When activity is detected, call curl_multi_socket_action() for the socket(s)"      \
    " that got action.")                                                                \
  X(AP_ACT, e7_88, must,                                                                \
    "",                                                                                 \
    "curl_multi_socket_action(3), libcurl 7.88.1",                                      \
    "When activity is detected, call curl_multi_socket_action() for the socket(s)"      \
    " that got action.")                                                                \
  X(AP_ACT, e8, must,                                                                   \
    "",                                                                                 \
    "curl_multi_socket_action(3), libcurl 8.21.0",                                      \
    "When activity is detected, call curl_multi_socket_action() for the socket(s)"      \
    " that got action.")                                                                \
  X(AP_INFO_READ, e7_16, must,                                                          \
    "",                                                                                 \
    "curl_multi_socket_action(3), libcurl 7.19.7",                                      \
    "Use curl_multi_info_read(3) to figure out which easy handle that completed.")      \
  X(AP_INFO_READ, e7_88, must,                                                          \
    "",                                                                                 \
    "curl_multi_socket_action(3), libcurl 7.88.1",                                      \
    "Use curl_multi_info_read(3) to figure out which easy handle that completed.")      \
  X(AP_INFO_READ, e8, must,                                                             \
    "",                                                                                 \
    "curl_multi_socket_action(3), libcurl 8.21.0",                                      \
    "Use curl_multi_info_read(3) to figure out which easy handle that completed.")      \
  X(AP_REMOVE_DONE, e7_88, must,                                                        \
    "",                                                                                 \
    "curl_easy_cleanup(3), libcurl 7.88.1",                                             \
    "To close an easy handle that has been used with the multi interface, make "        \
    "sure to call curl_multi_remove_handle(3) first to remove it from the multi "       \
    "handle before it is closed.")                                                      \
  X(AP_REMOVE_DONE, e8, must,                                                           \
    "",                                                                                 \
    "curl_easy_cleanup(3), libcurl 8.21.0",                                             \
    "To close an easy handle that has been used with the multi interface, make "        \
    "sure to first call curl_multi_remove_handle(3) to remove it from the multi "       \
    "handle before it is closed.")                                                      \
  X(AP_REENTRY, e7_88, must,                                                            \
    "",                                                                                 \
    "curl_multi_remove_handle(3), libcurl 7.88.1",                                      \
    "It is fine to remove a handle at any time during a transfer, just not from "       \
    "within any libcurl callback function.")                                            \
  X(AP_REENTRY, e8, must,                                                               \
    "",                                                                                 \
    "curl_multi_remove_handle(3), libcurl 8.21.0",                                      \
    "It is fine to remove a handle at any time during a transfer, but not from "        \
    "within any libcurl callback function.")


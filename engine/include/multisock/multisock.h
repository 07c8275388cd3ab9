// SPDX-License-Identifier: MIT
/*
 * multisock.h: the public contract of the multisock engine.
 *
 * An event-driven "multi socket" API with the shape and the numeric constants of
 * libcurl 7.88's curl_multi_socket_action(3) family, under the ms_ prefix so it can live
 * in one process beside the real libcurl. Every constant has libcurl's value (checked
 * by engine/tests/abi_values_test.cpp against <curl/curl.h>), so a compatibility layer
 * is only a renaming.
 *
 * The application owns the event loop (typical usage, steps 1-8 of the man page):
 *   1. create a multi handle, set MSMOPT_SOCKETFUNCTION and MSMOPT_TIMERFUNCTION;
 *   2. add easy handles with ms_multi_add_handle(); each add arms the timer (0 ms);
 *   3. when the timer callback's time has passed (or to kick-start), call
 *      ms_multi_socket_action(m, MS_SOCKET_TIMEOUT, 0, &running);
 *   4. watch the descriptors the socket callback names, for the events it names;
 *   5. on activity call ms_multi_socket_action(m, fd, mask, &running), where mask is an
 *      OR of MS_CSELECT_IN/OUT/ERR, or 0 to have the engine test the descriptor;
 *   6. read finished transfers with ms_multi_info_read();
 *   7. repeat until running is 0 and nothing more is to be added;
 *   8. remove handles, clean them up, clean up the multi.
 *
 * Callbacks are only ever made from inside a call the application made into the multi,
 * on the thread of that call. From inside a callback every multi function returns
 * MSM_RECURSIVE_API_CALL except ms_multi_assign() and ms_multi_strerror().
 */
#ifndef MULTISOCK_MULTISOCK_H
#define MULTISOCK_MULTISOCK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/select.h>
#include <sys/socket.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ms_multi ms_multi; /* opaque multi handle */
typedef struct ms_easy ms_easy;   /* opaque easy handle: one transfer */
typedef int ms_socket_t;          /* a descriptor as the application sees it */
typedef int64_t ms_off_t;         /* sizes and microsecond times (curl_off_t) */

#define MS_SOCKET_BAD (-1)
/* Passed as sockfd to ms_multi_socket_action() to start the work or on timeout. */
#define MS_SOCKET_TIMEOUT MS_SOCKET_BAD

/* ev_bitmask bits for ms_multi_socket_action(); 0 means "unknown: test it yourself". */
#define MS_CSELECT_IN 0x01
#define MS_CSELECT_OUT 0x02
#define MS_CSELECT_ERR 0x04

/* Socket callback actions: what the application is asked to watch from now on. */
#define MS_POLL_NONE 0
#define MS_POLL_IN 1
#define MS_POLL_OUT 2
#define MS_POLL_INOUT 3
#define MS_POLL_REMOVE 4

/*
 * Codes are defined once, in X-macro tables, so that enum, name and text never drift.
 * MS_MCODES(X): X(name, value, text) for MSMcode.
 */
#define MS_MCODES(X)                                                                       \
  X(MSM_CALL_MULTI_PERFORM, -1, "Please call the multi function again (legacy)")          \
  X(MSM_OK, 0, "No error")                                                                 \
  X(MSM_BAD_HANDLE, 1, "Invalid multi handle")                                             \
  X(MSM_BAD_EASY_HANDLE, 2, "Invalid easy handle")                                         \
  X(MSM_OUT_OF_MEMORY, 3, "Out of memory")                                                 \
  X(MSM_INTERNAL_ERROR, 4, "Internal error")                                               \
  X(MSM_BAD_SOCKET, 5, "Invalid socket argument")                                          \
  X(MSM_UNKNOWN_OPTION, 6, "Unknown option")                                               \
  X(MSM_ADDED_ALREADY, 7, "The easy handle is already added to a multi handle")            \
  X(MSM_RECURSIVE_API_CALL, 8, "API function called from within callback")                 \
  X(MSM_WAKEUP_FAILURE, 9, "Wakeup is unavailable or failed")                              \
  X(MSM_BAD_FUNCTION_ARGUMENT, 10, "A libcurl-style function was given a bad argument")    \
  X(MSM_ABORTED_BY_CALLBACK, 11, "Operation was aborted by an application callback")       \
  X(MSM_UNRECOVERABLE_POLL, 12, "Unrecoverable error in select/poll")

/* MS_ECODES(X): X(name, value, text) for MSEcode; values are libcurl's CURLcode. */
#define MS_ECODES(X)                                                                       \
  X(MSE_OK, 0, "No error")                                                                 \
  X(MSE_UNSUPPORTED_PROTOCOL, 1, "Unsupported protocol")                                   \
  X(MSE_FAILED_INIT, 2, "Failed initialization")                                           \
  X(MSE_URL_MALFORMAT, 3, "URL using bad/illegal format or missing URL")                   \
  X(MSE_NOT_BUILT_IN, 4, "A requested feature, protocol or option was not found built-in") \
  X(MSE_COULDNT_RESOLVE_HOST, 6, "Could not resolve host name")                            \
  X(MSE_COULDNT_CONNECT, 7, "Could not connect to server")                                 \
  X(MSE_WEIRD_SERVER_REPLY, 8, "Weird server reply")                                       \
  X(MSE_HTTP2, 16, "Error in the HTTP2 framing layer")                                     \
  X(MSE_PARTIAL_FILE, 18, "Transferred a partial file")                                    \
  X(MSE_HTTP_RETURNED_ERROR, 22, "HTTP response code said error")                          \
  X(MSE_WRITE_ERROR, 23, "Failed writing received data to disk/application")               \
  X(MSE_UPLOAD_FAILED, 25, "Upload failed")                                                \
  X(MSE_READ_ERROR, 26, "Failed to open/read local data from file/application")            \
  X(MSE_OUT_OF_MEMORY, 27, "Out of memory")                                                \
  X(MSE_OPERATION_TIMEDOUT, 28, "Timeout was reached")                                     \
  X(MSE_RANGE_ERROR, 33, "Requested range was not delivered by the server")                \
  X(MSE_SSL_CONNECT_ERROR, 35, "SSL connect error")                                        \
  X(MSE_ABORTED_BY_CALLBACK, 42, "Operation was aborted by an application callback")       \
  X(MSE_BAD_FUNCTION_ARGUMENT, 43, "A libcurl function was given a bad argument")          \
  X(MSE_INTERFACE_FAILED, 45, "Failed binding local connection end")                       \
  X(MSE_TOO_MANY_REDIRECTS, 47, "Number of redirects hit maximum amount")                  \
  X(MSE_UNKNOWN_OPTION, 48, "An unknown option was passed in to libcurl")                  \
  X(MSE_GOT_NOTHING, 52, "Server returned nothing (no headers, no data)")                  \
  X(MSE_SEND_ERROR, 55, "Failed sending data to the peer")                                 \
  X(MSE_RECV_ERROR, 56, "Failure when receiving data from the peer")                       \
  X(MSE_SSL_CERTPROBLEM, 58, "Problem with the local SSL certificate")                     \
  X(MSE_PEER_FAILED_VERIFICATION, 60, "SSL peer certificate or SSH remote key was not OK") \
  X(MSE_BAD_CONTENT_ENCODING, 61, "Unrecognized or bad HTTP Content or Transfer-Encoding") \
  X(MSE_FILESIZE_EXCEEDED, 63, "Maximum file size exceeded")                               \
  X(MSE_SEND_FAIL_REWIND, 65, "Send failed since rewinding of the data stream failed")     \
  X(MSE_SSL_CACERT_BADFILE, 77, "Problem with the SSL CA cert (path? access rights?)")      \
  X(MSE_AGAIN, 81, "Socket not ready for send/recv")                                       \
  X(MSE_NO_CONNECTION_AVAILABLE, 89, "The max connection limit is reached")                \
  X(MSE_HTTP2_STREAM, 92, "Stream error in the HTTP/2 framing layer")                      \
  X(MSE_RECURSIVE_API_CALL, 93, "API function called from within callback")

#define MS_X_ENUM(name, value, text) name = value,
typedef enum { MS_MCODES(MS_X_ENUM) MSM_LAST } MSMcode;
typedef enum { MS_ECODES(MS_X_ENUM) MSE_LAST = 100 } MSEcode;
#undef MS_X_ENUM

/* Option type bases, as libcurl's CURLOPTTYPE_* (long, pointer, function, off_t). */
#define MSOPTTYPE_LONG 0
#define MSOPTTYPE_OBJECTPOINT 10000
#define MSOPTTYPE_FUNCTIONPOINT 20000
#define MSOPTTYPE_OFF_T 30000

typedef enum {
  MSMOPT_SOCKETFUNCTION = MSOPTTYPE_FUNCTIONPOINT + 1,
  MSMOPT_SOCKETDATA = MSOPTTYPE_OBJECTPOINT + 2,
  MSMOPT_TIMERFUNCTION = MSOPTTYPE_FUNCTIONPOINT + 4,
  MSMOPT_TIMERDATA = MSOPTTYPE_OBJECTPOINT + 5,
  MSMOPT_MAXCONNECTS = MSOPTTYPE_LONG + 6,
  MSMOPT_MAX_HOST_CONNECTIONS = MSOPTTYPE_LONG + 7,
  MSMOPT_MAX_TOTAL_CONNECTIONS = MSOPTTYPE_LONG + 13,
  MSMOPT_PIPELINING = MSOPTTYPE_LONG + 3,         /* MSPIPE_* bits; see below */
  MSMOPT_PUSHFUNCTION = MSOPTTYPE_FUNCTIONPOINT + 14,
  MSMOPT_PUSHDATA = MSOPTTYPE_OBJECTPOINT + 15,
  MSMOPT_MAX_CONCURRENT_STREAMS = MSOPTTYPE_LONG + 16 /* streams per HTTP/2 connection; 1..2^31-1, default 100 */
} MSMoption;

/* MSMOPT_PIPELINING: MSPIPE_MULTIPLEX (the default) lets transfers to the same origin
 * share one HTTP/2 connection, one stream each; without it every transfer has a
 * connection of its own. HTTP/1 pipelining (bit 1) is gone from libcurl and ignored here;
 * any value is accepted, as libcurl does. */
#define MSPIPE_NOTHING 0L
#define MSPIPE_HTTP1 1L
#define MSPIPE_MULTIPLEX 2L

/* MSMOPT_PUSHFUNCTION: called when a server pushes a stream. This engine tells every
 * HTTP/2 server that it takes no pushes (SETTINGS_ENABLE_PUSH 0), so it is accepted and
 * never called. */
struct ms_pushheaders;
typedef int (*ms_push_callback)(ms_easy *parent, ms_easy *easy, size_t num_headers,
                                struct ms_pushheaders *headers, void *userp);
#define MS_PUSH_OK 0
#define MS_PUSH_DENY 1
#define MS_PUSH_ERROROUT 2

/* MSOPT_HTTP_VERSION values, as CURL_HTTP_VERSION_*. 1_0 and 1_1 are spoken as asked.
 * 2_0 offers HTTP/2 by ALPN on https:// and falls back to 1.1 when the server does not
 * choose it; 2TLS and NONE (the default, as libcurl's) do the same. 2_PRIOR_KNOWLEDGE
 * speaks HTTP/2 at once on http:// too (h2c, no upgrade). 3 and 3ONLY would need HTTP/3
 * and are refused with MSE_UNSUPPORTED_PROTOCOL (as libcurl without it). */
#define MS_HTTP_VERSION_NONE 0L
#define MS_HTTP_VERSION_1_0 1L
#define MS_HTTP_VERSION_1_1 2L
#define MS_HTTP_VERSION_2_0 3L
#define MS_HTTP_VERSION_2TLS 4L
#define MS_HTTP_VERSION_2_PRIOR_KNOWLEDGE 5L
#define MS_HTTP_VERSION_3 30L
#define MS_HTTP_VERSION_3ONLY 31L

/* Easy options. Long options take a long, _LARGE ones an ms_off_t, the rest a pointer. */
#define MS_EASY_OPTIONS(X)                                 \
  X(MSOPT_WRITEDATA, MSOPTTYPE_OBJECTPOINT + 1)            \
  X(MSOPT_URL, MSOPTTYPE_OBJECTPOINT + 2)                  \
  X(MSOPT_READDATA, MSOPTTYPE_OBJECTPOINT + 9)             \
  X(MSOPT_ERRORBUFFER, MSOPTTYPE_OBJECTPOINT + 10)         \
  X(MSOPT_WRITEFUNCTION, MSOPTTYPE_FUNCTIONPOINT + 11)     \
  X(MSOPT_READFUNCTION, MSOPTTYPE_FUNCTIONPOINT + 12)      \
  X(MSOPT_TIMEOUT, MSOPTTYPE_LONG + 13)                    \
  X(MSOPT_POSTFIELDS, MSOPTTYPE_OBJECTPOINT + 15)          \
  X(MSOPT_REFERER, MSOPTTYPE_OBJECTPOINT + 16)             \
  X(MSOPT_USERAGENT, MSOPTTYPE_OBJECTPOINT + 18)           \
  X(MSOPT_LOW_SPEED_LIMIT, MSOPTTYPE_LONG + 19)            \
  X(MSOPT_LOW_SPEED_TIME, MSOPTTYPE_LONG + 20)             \
  X(MSOPT_HTTPHEADER, MSOPTTYPE_OBJECTPOINT + 23)          \
  X(MSOPT_HEADERDATA, MSOPTTYPE_OBJECTPOINT + 29)          \
  X(MSOPT_CUSTOMREQUEST, MSOPTTYPE_OBJECTPOINT + 36)       \
  X(MSOPT_VERBOSE, MSOPTTYPE_LONG + 41)                    \
  X(MSOPT_HEADER, MSOPTTYPE_LONG + 42)                     \
  X(MSOPT_NOPROGRESS, MSOPTTYPE_LONG + 43)                 \
  X(MSOPT_NOBODY, MSOPTTYPE_LONG + 44)                     \
  X(MSOPT_FAILONERROR, MSOPTTYPE_LONG + 45)                \
  X(MSOPT_UPLOAD, MSOPTTYPE_LONG + 46)                     \
  X(MSOPT_POST, MSOPTTYPE_LONG + 47)                       \
  X(MSOPT_FOLLOWLOCATION, MSOPTTYPE_LONG + 52)             \
  X(MSOPT_PROGRESSFUNCTION, MSOPTTYPE_FUNCTIONPOINT + 56)  \
  X(MSOPT_PROGRESSDATA, MSOPTTYPE_OBJECTPOINT + 57)        \
  X(MSOPT_POSTFIELDSIZE, MSOPTTYPE_LONG + 60)              \
  X(MSOPT_SSL_VERIFYPEER, MSOPTTYPE_LONG + 64)             \
  X(MSOPT_CAINFO, MSOPTTYPE_OBJECTPOINT + 65)              \
  X(MSOPT_MAXREDIRS, MSOPTTYPE_LONG + 68)                  \
  X(MSOPT_FRESH_CONNECT, MSOPTTYPE_LONG + 74)              \
  X(MSOPT_FORBID_REUSE, MSOPTTYPE_LONG + 75)               \
  X(MSOPT_CONNECTTIMEOUT, MSOPTTYPE_LONG + 78)             \
  X(MSOPT_HEADERFUNCTION, MSOPTTYPE_FUNCTIONPOINT + 79)    \
  X(MSOPT_HTTPGET, MSOPTTYPE_LONG + 80)                    \
  X(MSOPT_SSL_VERIFYHOST, MSOPTTYPE_LONG + 81)             \
  X(MSOPT_HTTP_VERSION, MSOPTTYPE_LONG + 84)               \
  X(MSOPT_DEBUGFUNCTION, MSOPTTYPE_FUNCTIONPOINT + 94)     \
  X(MSOPT_DEBUGDATA, MSOPTTYPE_OBJECTPOINT + 95)           \
  X(MSOPT_NOSIGNAL, MSOPTTYPE_LONG + 99)                   \
  X(MSOPT_SHARE, MSOPTTYPE_OBJECTPOINT + 100)              \
  X(MSOPT_PRIVATE, MSOPTTYPE_OBJECTPOINT + 103)            \
  X(MSOPT_SOCKOPTFUNCTION, MSOPTTYPE_FUNCTIONPOINT + 148)  \
  X(MSOPT_SOCKOPTDATA, MSOPTTYPE_OBJECTPOINT + 149)        \
  X(MSOPT_INFILESIZE_LARGE, MSOPTTYPE_OFF_T + 115)         \
  X(MSOPT_POSTFIELDSIZE_LARGE, MSOPTTYPE_OFF_T + 120)      \
  X(MSOPT_TIMEOUT_MS, MSOPTTYPE_LONG + 155)                \
  X(MSOPT_CONNECTTIMEOUT_MS, MSOPTTYPE_LONG + 156)         \
  X(MSOPT_OPENSOCKETFUNCTION, MSOPTTYPE_FUNCTIONPOINT + 163) \
  X(MSOPT_CERTINFO, MSOPTTYPE_LONG + 172)                  \
  X(MSOPT_CONNECT_ONLY, MSOPTTYPE_LONG + 141)              \
  X(MSOPT_OPENSOCKETDATA, MSOPTTYPE_OBJECTPOINT + 164)     \
  X(MSOPT_RESOLVE, MSOPTTYPE_OBJECTPOINT + 203)            \
  X(MSOPT_CLOSESOCKETFUNCTION, MSOPTTYPE_FUNCTIONPOINT + 208) \
  X(MSOPT_CLOSESOCKETDATA, MSOPTTYPE_OBJECTPOINT + 209)    \
  X(MSOPT_XFERINFOFUNCTION, MSOPTTYPE_FUNCTIONPOINT + 219) \
  X(MSOPT_PIPEWAIT, MSOPTTYPE_LONG + 237)                  \
  X(MSOPT_CURLU, MSOPTTYPE_OBJECTPOINT + 282)

#define MS_X_OPT(name, value) name = value,
typedef enum { MS_EASY_OPTIONS(MS_X_OPT) MSOPT_LASTENTRY } MSoption;
#undef MS_X_OPT
#define MSOPT_XFERINFODATA MSOPT_PROGRESSDATA

/* getinfo kinds, as libcurl's CURLINFO_* bases. */
#define MSINFO_STRING 0x100000
#define MSINFO_LONG 0x200000
#define MSINFO_DOUBLE 0x300000
#define MSINFO_OFF_T 0x600000
#define MSINFO_PTR 0x400000
#define MSINFO_SOCKET 0x500000
typedef enum {
  MSINFO_EFFECTIVE_URL = MSINFO_STRING + 1,       /* char ** */
  MSINFO_RESPONSE_CODE = MSINFO_LONG + 2,         /* long * */
  MSINFO_TOTAL_TIME = MSINFO_DOUBLE + 3,          /* double *, seconds */
  MSINFO_SIZE_UPLOAD_T = MSINFO_OFF_T + 7,        /* ms_off_t * */
  MSINFO_SIZE_DOWNLOAD_T = MSINFO_OFF_T + 8,      /* ms_off_t *, body bytes */
  MSINFO_HEADER_SIZE = MSINFO_LONG + 11,          /* long * */
  MSINFO_CONTENT_LENGTH_DOWNLOAD_T = MSINFO_OFF_T + 15, /* ms_off_t *, -1 unknown */
  MSINFO_CONTENT_TYPE = MSINFO_STRING + 18,       /* char **, NULL when the response had none */
  MSINFO_REDIRECT_COUNT = MSINFO_LONG + 20,       /* long * */
  MSINFO_PRIVATE = MSINFO_STRING + 21,            /* char ** (the MSOPT_PRIVATE pointer) */
  MSINFO_NUM_CONNECTS = MSINFO_LONG + 26,         /* long *, new connections made */
  MSINFO_REDIRECT_URL = MSINFO_STRING + 31,       /* char ** */
  MSINFO_PRIMARY_PORT = MSINFO_LONG + 40,         /* long * */
  MSINFO_HTTP_VERSION = MSINFO_LONG + 46,         /* long *, MS_HTTP_VERSION_1_0/1_1/2_0, 0 before a response */
  MSINFO_TOTAL_TIME_T = MSINFO_OFF_T + 50,        /* ms_off_t *, microseconds */
  MSINFO_REFERER = MSINFO_STRING + 60,           /* char **, MSOPT_REFERER or NULL */
  MSINFO_CERTINFO = MSINFO_PTR + 34,              /* struct ms_certinfo **, never NULL */
  MSINFO_ACTIVESOCKET = MSINFO_SOCKET + 44        /* ms_socket_t *, MS_SOCKET_BAD without one */
} MSINFO;

typedef enum { MSMSG_NONE = 0, MSMSG_DONE = 1, MSMSG_LAST } MSMSG;

/* One message from ms_multi_info_read(). Valid until the next info_read, remove_handle
 * of that easy handle, or ms_multi_cleanup(). */
typedef struct MSMsg {
  MSMSG msg;
  ms_easy *easy_handle;
  union {
    void *whatever;
    MSEcode result; /* for MSMSG_DONE: the transfer's result */
  } data;
} MSMsg;

/* A singly linked list of strings, for MSOPT_HTTPHEADER and MSOPT_RESOLVE. */
typedef struct ms_slist {
  char *data;
  struct ms_slist *next;
} ms_slist;
ms_slist *ms_slist_append(ms_slist *list, const char *string); /* NULL on failure */
/* MSINFO_CERTINFO: with MSOPT_CERTINFO set, one list of "Name:value" lines per
 * certificate of the last TLS handshake (the server's own first); num_of_certs is 0
 * without TLS or without the option. Valid until the handle's next transfer. */
struct ms_certinfo {
  int num_of_certs;
  struct ms_slist **certinfo;
};
void ms_slist_free_all(ms_slist *list);

/*
 * Socket callback (MSMOPT_SOCKETFUNCTION). Tells the application what to watch on s
 * from now on: MS_POLL_IN, OUT, INOUT, NONE (keep the socket, watch nothing) or REMOVE
 * (stop watching; s is about to be closed or handed back). Only changes are reported:
 * the same action is never told twice in a row for one socket. userp is
 * MSMOPT_SOCKETDATA; socketp is what ms_multi_assign() set for s (NULL if nothing) and is
 * forgotten after REMOVE. Return 0; returning -1 aborts: the running call returns
 * MSM_ABORTED_BY_CALLBACK.
 */
typedef int (*ms_socket_callback)(ms_easy *easy, ms_socket_t s, int what, void *userp,
                                  void *socketp);
/*
 * Timer callback (MSMOPT_TIMERFUNCTION). Called when the earliest deadline changes:
 * timeout_ms > 0 means call ms_multi_socket_action(MS_SOCKET_TIMEOUT) after that many
 * ms; 0 means as soon as possible; -1 means delete the timer. Each call replaces the
 * previous one. Return 0; -1 aborts like the socket callback.
 */
typedef int (*ms_multi_timer_callback)(ms_multi *multi, long timeout_ms, void *userp);

typedef size_t (*ms_write_callback)(char *ptr, size_t size, size_t nmemb, void *userdata);
typedef size_t (*ms_read_callback)(char *buffer, size_t size, size_t nitems, void *userdata);
typedef int (*ms_progress_callback)(void *clientp, double dltotal, double dlnow,
                                    double ultotal, double ulnow);
typedef int (*ms_xferinfo_callback)(void *clientp, ms_off_t dltotal, ms_off_t dlnow,
                                    ms_off_t ultotal, ms_off_t ulnow);
#define MS_WRITEFUNC_PAUSE 0x10000001
#define MS_READFUNC_ABORT 0x10000000
#define MS_READFUNC_PAUSE 0x10000001

typedef enum { MSSOCKTYPE_IPCXN, MSSOCKTYPE_ACCEPT, MSSOCKTYPE_LAST } mssocktype;
/* Same layout as libcurl's struct curl_sockaddr. */
struct ms_sockaddr {
  int family;
  int socktype;
  int protocol;
  unsigned int addrlen;
  struct sockaddr addr; /* followed by the rest of the address (sockaddr_in6) */
};
typedef ms_socket_t (*ms_opensocket_callback)(void *clientp, mssocktype purpose,
                                              struct ms_sockaddr *address);
typedef int (*ms_closesocket_callback)(void *clientp, ms_socket_t item);
/* MSOPT_SOCKOPTFUNCTION: called with each new socket (opened by the engine or by the
 * open-socket callback) before it connects. MS_SOCKOPT_OK: connect it; MS_SOCKOPT_ERROR:
 * the socket is closed and the transfer ends with MSE_ABORTED_BY_CALLBACK;
 * MS_SOCKOPT_ALREADY_CONNECTED: the application connected it, the engine uses it as is. */
typedef int (*ms_sockopt_callback)(void *clientp, ms_socket_t curlfd, mssocktype purpose);
#define MS_SOCKOPT_OK 0
#define MS_SOCKOPT_ERROR 1
#define MS_SOCKOPT_ALREADY_CONNECTED 2

typedef enum {
  MSINFOTYPE_TEXT = 0,
  MSINFOTYPE_HEADER_IN,
  MSINFOTYPE_HEADER_OUT,
  MSINFOTYPE_DATA_IN,
  MSINFOTYPE_DATA_OUT
} ms_infotype;
typedef int (*ms_debug_callback)(ms_easy *handle, ms_infotype type, char *data, size_t size,
                                 void *userptr);

#define MS_ERROR_SIZE 256

/* ---- multi interface ---------------------------------------------------------------- */

/* A new multi handle bound to the real ports (POSIX sockets, monotonic clock, threaded
 * resolver). NULL on failure. C++ code binds a simulated world with ms::multi_init(). */
ms_multi *ms_multi_init(void);

/* Frees the multi. Handles still added are detached (not freed) and every socket still
 * registered is told REMOVE first. MSM_BAD_HANDLE for a bad handle; RECURSIVE_API_CALL
 * from a callback. */
MSMcode ms_multi_cleanup(ms_multi *multi);

/* Adds a transfer. Arms the timer (a 0 ms timer callback) so that an application that
 * never kick-starts still runs. MSM_BAD_HANDLE, MSM_BAD_EASY_HANDLE, MSM_ADDED_ALREADY
 * (the easy handle is in a multi), MSM_RECURSIVE_API_CALL. */
MSMcode ms_multi_add_handle(ms_multi *multi, ms_easy *easy);

/* Removes a transfer, finished or not. Its sockets are told REMOVE if no other transfer
 * uses them, its unread DONE message is dropped, and running decreases if it was running.
 * Removing a handle that is not in this multi returns MSM_OK (as libcurl does). */
MSMcode ms_multi_remove_handle(ms_multi *multi, ms_easy *easy);

/* Sets a multi option: function pointers, data pointers, or long values. */
MSMcode ms_multi_setopt(ms_multi *multi, MSMoption option, ...);

/*
 * Reads/writes available data given an action. sockfd is the socket with activity and
 * ev_bitmask an OR of MS_CSELECT_IN/OUT/ERR, or 0 ("unknown: the engine tests the
 * descriptor itself"); sockfd MS_SOCKET_TIMEOUT starts the whole process or handles a
 * timeout. At return *running_handles is the number of added transfers not yet done;
 * when it reaches zero all transfers are done. A decrease does not mean that the
 * socket acted on is the one that finished: read ms_multi_info_read(). An unknown or
 * stale sockfd is tolerated (MSM_OK, nothing fails). MS_CSELECT_ERR tells a socket error on
 * the transfers using sockfd. After an error return the state of the transfers is
 * uncertain: remove all handles and add new ones before calling again.
 */
MSMcode ms_multi_socket_action(ms_multi *multi, ms_socket_t sockfd, int ev_bitmask,
                               int *running_handles);
/* Deprecated: equals ms_multi_socket_action(multi, sockfd, 0, running_handles). */
MSMcode ms_multi_socket(ms_multi *multi, ms_socket_t sockfd, int *running_handles);
/* Deprecated: re-checks every socket and every transfer. */
MSMcode ms_multi_socket_all(ms_multi *multi, int *running_handles);

/* Associates sockp with sockfd; handed back as socketp in the socket callback. Allowed
 * from inside the socket callback. MSM_BAD_SOCKET when sockfd is not in use. */
MSMcode ms_multi_assign(ms_multi *multi, ms_socket_t sockfd, void *sockp);

/* The same deadline the last timer callback told: -1 none, 0 now, else ms to wait. */
MSMcode ms_multi_timeout(ms_multi *multi, long *milliseconds);

/* The next DONE message, or NULL when none; *msgs_in_queue is how many remain after it.
 * Each finished transfer yields exactly one message. */
MSMsg *ms_multi_info_read(ms_multi *multi, int *msgs_in_queue);

/* Text for a code; never NULL, also for unknown values. Allowed everywhere. */
const char *ms_multi_strerror(MSMcode code);

/* ---- the classic loop: perform, wait/poll, wakeup, fdset ------------------------------
 * The same transfers, state machine, socket and timer callbacks as socket_action: one
 * multi may be driven by either loop, or both in turn (engine/README.md, "Mixing"). */

/* Event bits of ms_waitfd, as CURL_WAIT_POLL*. */
#define MS_WAIT_POLLIN 0x0001
#define MS_WAIT_POLLPRI 0x0002
#define MS_WAIT_POLLOUT 0x0004
/* Same layout as libcurl's struct curl_waitfd: an extra descriptor to wait for. */
struct ms_waitfd {
  ms_socket_t fd;
  short events;
  short revents; /* set by ms_multi_wait/poll: which of events happened */
};

/* Does what can be done now without waiting: acts on every socket of the multi that is
 * ready for what its transfer waits for, runs due timers. *running_handles as
 * socket_action. MSM_BAD_FUNCTION_ARGUMENT when running_handles is NULL. */
MSMcode ms_multi_perform(ms_multi *multi, int *running_handles);
/* Waits until a socket of the multi or one of extra_fds is ready, at most timeout_ms and
 * never past the multi's next timeout. Returns at once when there is nothing to wait
 * for. *numfds (if not NULL): descriptors with events. MSM_BAD_FUNCTION_ARGUMENT for a
 * negative timeout or extra_nfds > 0 with extra_fds NULL; MSM_INTERNAL_ERROR when the
 * multi's ports cannot wait; MSM_UNRECOVERABLE_POLL when waiting failed. */
MSMcode ms_multi_wait(ms_multi *multi, struct ms_waitfd extra_fds[], unsigned int extra_nfds,
                      int timeout_ms, int *numfds);
/* As ms_multi_wait, but waits out timeout_ms (or the next timeout) also when there is no
 * descriptor to wait for, and returns early when ms_multi_wakeup() was called. */
MSMcode ms_multi_poll(ms_multi *multi, struct ms_waitfd extra_fds[], unsigned int extra_nfds,
                      int timeout_ms, int *numfds);
/* Makes a running (or the next) ms_multi_poll return at once. Safe from any thread and
 * from callbacks. MSM_WAKEUP_FAILURE when the ports have no wake-up descriptor. */
MSMcode ms_multi_wakeup(ms_multi *multi);
/* Adds the multi's sockets to the sets (read: waits for input, write: for output; the
 * exception set is left alone; a NULL set is skipped). Descriptors >= FD_SETSIZE are left
 * out, as libcurl does. *max_fd: the highest descriptor set, -1 when none. The sets are
 * not cleared first. MSM_BAD_FUNCTION_ARGUMENT when max_fd is NULL. */
MSMcode ms_multi_fdset(ms_multi *multi, fd_set *read_fd_set, fd_set *write_fd_set,
                       fd_set *exc_fd_set, int *max_fd);

/* ---- easy handles --------------------------------------------------------------------- */

ms_easy *ms_easy_init(void);
/* Frees the handle; if still added to a multi it is removed first. */
void ms_easy_cleanup(ms_easy *easy);
/* MSE_OK, MSE_UNKNOWN_OPTION, MSE_BAD_FUNCTION_ARGUMENT (bad value or NULL handle). */
MSEcode ms_easy_setopt(ms_easy *easy, MSoption option, ...);
MSEcode ms_easy_getinfo(ms_easy *easy, MSINFO info, ...);
const char *ms_easy_strerror(MSEcode code);

/* Runs one transfer to its end, blocking, on a multi private to the handle (kept for
 * connection reuse by the next call, freed by ms_easy_cleanup). Returns the transfer's
 * result. MSE_FAILED_INIT when the handle is added to a multi (also from its own
 * callbacks), MSE_BAD_FUNCTION_ARGUMENT for a bad handle. Bound to the real ports, like
 * ms_multi_init(); C++ code passes other ports to ms::easy_perform(). */
MSEcode ms_easy_perform(ms_easy *easy);

/* ---- response headers of the last transfer (as curl_easy_header) ----------------------
 * Every header line of every response of the handle's latest transfer is kept until the
 * next transfer of the handle starts or the handle is freed: name as received, value
 * without surrounding blanks. `request` 0 is the first request of the transfer, each
 * followed redirect adds one, -1 means the last. The struct handed out belongs to the
 * handle and is overwritten by the next call. */
struct ms_header {
  char *name;
  char *value;
  size_t amount;       /* headers of this name in this request and origin */
  size_t index;        /* this one's position among them, from 0 */
  unsigned int origin; /* one MSH_* bit */
  void *anchor;        /* the engine's position, for ms_easy_nextheader */
};
#define MSH_HEADER (1 << 0)  /* a header of a final response */
#define MSH_TRAILER (1 << 1) /* a trailer after a chunked body */
#define MSH_CONNECT (1 << 2) /* a proxy's CONNECT answer (never: no proxies) */
#define MSH_1XX (1 << 3)     /* a header of an informational (1xx) response */
#define MSH_PSEUDO (1 << 4)  /* HTTP/2 pseudo-header (never: HTTP/1.1 only) */
typedef enum {
  MSHE_OK,
  MSHE_BADINDEX,    /* the header exists, but not with this index */
  MSHE_MISSING,     /* no such header */
  MSHE_NOHEADERS,   /* no headers at all (yet) */
  MSHE_NOREQUEST,   /* no request with this number */
  MSHE_OUT_OF_MEMORY,
  MSHE_BAD_ARGUMENT,
  MSHE_NOT_BUILT_IN
} MSHcode;
MSHcode ms_easy_header(ms_easy *easy, const char *name, size_t index, unsigned int origin,
                       int request, struct ms_header **hout);
/* The header after prev (the first when prev is NULL) among those of origin and request,
 * in the order received; NULL at the end or on a bad argument. */
struct ms_header *ms_easy_nextheader(ms_easy *easy, unsigned int origin, int request,
                                     struct ms_header *prev);

/* ---- the URL API (as curl_url_*) --------------------------------------------------------
 * A URL handle holds the parts of one URL; setting MSUPART_URL parses a whole URL, or
 * resolves a relative reference against the URL the handle already holds. Schemes other
 * than http and https are refused (MSUE_UNSUPPORTED_SCHEME) unless
 * MSU_NON_SUPPORT_SCHEME. Strings handed out are the caller's, freed with free(). */
typedef struct ms_url ms_url;
#define MS_UCODES(X)                                                              \
  X(MSUE_OK, 0, "No error")                                                       \
  X(MSUE_BAD_HANDLE, 1, "Not a URL handle")                                       \
  X(MSUE_BAD_PARTPOINTER, 2, "No place to put the part was given")                \
  X(MSUE_MALFORMED_INPUT, 3, "Malformed input to a URL function")                 \
  X(MSUE_BAD_PORT_NUMBER, 4, "Port number not a decimal number in 1..65535")      \
  X(MSUE_UNSUPPORTED_SCHEME, 5, "Unsupported URL scheme")                         \
  X(MSUE_URLDECODE, 6, "Percent-decoding failed")                                 \
  X(MSUE_OUT_OF_MEMORY, 7, "Out of memory")                                       \
  X(MSUE_USER_NOT_ALLOWED, 8, "Credentials in the URL are not allowed")           \
  X(MSUE_UNKNOWN_PART, 9, "Unknown URL part")                                     \
  X(MSUE_NO_SCHEME, 10, "The URL has no scheme")                                  \
  X(MSUE_NO_USER, 11, "The URL has no user")                                      \
  X(MSUE_NO_PASSWORD, 12, "The URL has no password")                              \
  X(MSUE_NO_OPTIONS, 13, "The URL has no options")                                \
  X(MSUE_NO_HOST, 14, "The URL has no host")                                      \
  X(MSUE_NO_PORT, 15, "The URL has no port")                                      \
  X(MSUE_NO_QUERY, 16, "The URL has no query")                                    \
  X(MSUE_NO_FRAGMENT, 17, "The URL has no fragment")                              \
  X(MSUE_NO_ZONEID, 18, "The URL has no zone id")                                 \
  X(MSUE_BAD_FILE_URL, 19, "Bad file:// URL")                                     \
  X(MSUE_BAD_FRAGMENT, 20, "Bad fragment")                                        \
  X(MSUE_BAD_HOSTNAME, 21, "Bad host name")                                       \
  X(MSUE_BAD_IPV6, 22, "Bad IPv6 address")                                        \
  X(MSUE_BAD_LOGIN, 23, "Bad login part")                                         \
  X(MSUE_BAD_PASSWORD, 24, "Bad password")                                        \
  X(MSUE_BAD_PATH, 25, "Bad path")                                                \
  X(MSUE_BAD_QUERY, 26, "Bad query")                                              \
  X(MSUE_BAD_SCHEME, 27, "Bad or missing scheme")                                 \
  X(MSUE_BAD_SLASHES, 28, "Unsupported number of slashes after the scheme")       \
  X(MSUE_BAD_USER, 29, "Bad user")                                                \
  X(MSUE_LACKS_IDN, 30, "International domain names are not supported")
#define MS_X_ENUM(name, value, text) name = value,
typedef enum { MS_UCODES(MS_X_ENUM) MSUE_LAST } MSUcode;
#undef MS_X_ENUM
typedef enum {
  MSUPART_URL,
  MSUPART_SCHEME,
  MSUPART_USER,
  MSUPART_PASSWORD,
  MSUPART_OPTIONS,
  MSUPART_HOST,
  MSUPART_PORT,
  MSUPART_PATH,
  MSUPART_QUERY,
  MSUPART_FRAGMENT,
  MSUPART_ZONEID
} MSUPart;
#define MSU_DEFAULT_PORT (1 << 0)       /* get: the scheme's port when none is set */
#define MSU_NO_DEFAULT_PORT (1 << 1)    /* get: no port when it is the scheme's */
#define MSU_DEFAULT_SCHEME (1 << 2)     /* set: a URL without scheme is https */
#define MSU_NON_SUPPORT_SCHEME (1 << 3) /* set: any syntactically valid scheme */
#define MSU_PATH_AS_IS (1 << 4)         /* set: keep "." and ".." segments */
#define MSU_DISALLOW_USER (1 << 5)      /* set: refuse user and password */
#define MSU_URLDECODE (1 << 6)          /* get: percent-decode the part */
#define MSU_URLENCODE (1 << 7)          /* set: percent-encode the part */
#define MSU_APPENDQUERY (1 << 8)        /* set query: append with '&' */
#define MSU_GUESS_SCHEME (1 << 9)       /* set: a URL without scheme is http */
#define MSU_NO_AUTHORITY (1 << 10)      /* (accepted, no effect for http/https) */
#define MSU_ALLOW_SPACE (1 << 11)       /* set: spaces allowed in path and query */
#define MSU_PUNYCODE (1 << 12)          /* (accepted; names are ASCII only here) */
ms_url *ms_url_new(void);
void ms_url_cleanup(ms_url *url);
ms_url *ms_url_dup(const ms_url *url);
MSUcode ms_url_get(const ms_url *url, MSUPart part, char **out, unsigned int flags);
MSUcode ms_url_set(ms_url *url, MSUPart part, const char *content, unsigned int flags);
const char *ms_url_strerror(MSUcode code);

/* ---- share handles (as curl_share_*) ----------------------------------------------------
 * A share lends data to the easy handles that name it with MSOPT_SHARE. This engine can
 * share one thing, the connection cache (MS_LOCK_DATA_CONNECT): ms_easy_perform of such
 * a handle runs on a multi owned by the share, so handles that perform one after the
 * other reuse each other's connections; the share's lock function is called (DATA_CONNECT,
 * ACCESS_SINGLE) before and the unlock function after each such perform, so that threads
 * take turns. A handle added to an application's multi uses that multi's connections.
 * The engine keeps no DNS cache, cookies, TLS sessions, PSL or HSTS data: sharing those
 * answers MSSHE_NOT_BUILT_IN, as libcurl built without them. */
typedef struct ms_share ms_share;
typedef enum {
  MS_LOCK_DATA_NONE = 0,
  MS_LOCK_DATA_SHARE,
  MS_LOCK_DATA_COOKIE,
  MS_LOCK_DATA_DNS,
  MS_LOCK_DATA_SSL_SESSION,
  MS_LOCK_DATA_CONNECT,
  MS_LOCK_DATA_PSL,
  MS_LOCK_DATA_HSTS,
  MS_LOCK_DATA_LAST
} ms_lock_data;
typedef enum {
  MS_LOCK_ACCESS_NONE = 0,
  MS_LOCK_ACCESS_SHARED = 1,
  MS_LOCK_ACCESS_SINGLE = 2,
  MS_LOCK_ACCESS_LAST
} ms_lock_access;
typedef void (*ms_lock_function)(ms_easy *handle, ms_lock_data data, ms_lock_access locktype,
                                 void *userptr);
typedef void (*ms_unlock_function)(ms_easy *handle, ms_lock_data data, void *userptr);
typedef enum {
  MSSHE_OK,
  MSSHE_BAD_OPTION,
  MSSHE_IN_USE,       /* handles still use the share */
  MSSHE_INVALID,      /* not a share handle */
  MSSHE_NOMEM,
  MSSHE_NOT_BUILT_IN, /* nothing of that kind to share */
  MSSHE_LAST
} MSSHcode;
typedef enum {
  MSSHOPT_NONE,
  MSSHOPT_SHARE,      /* long: an ms_lock_data to share */
  MSSHOPT_UNSHARE,    /* long: an ms_lock_data to stop sharing */
  MSSHOPT_LOCKFUNC,
  MSSHOPT_UNLOCKFUNC,
  MSSHOPT_USERDATA,
  MSSHOPT_LAST
} MSSHoption;
ms_share *ms_share_init(void);
MSSHcode ms_share_setopt(ms_share *share, MSSHoption option, ...);
/* MSSHE_IN_USE while an easy handle still names the share. */
MSSHcode ms_share_cleanup(ms_share *share);
const char *ms_share_strerror(MSSHcode code);

/* Pause bits for ms_easy_pause(), as CURLPAUSE_*. */
#define MSPAUSE_RECV (1 << 0)
#define MSPAUSE_SEND (1 << 2)
#define MSPAUSE_ALL (MSPAUSE_RECV | MSPAUSE_SEND)
#define MSPAUSE_CONT 0
MSEcode ms_easy_pause(ms_easy *easy, int bitmask);

/* MSOPT_CONNECT_ONLY 1: a transfer connects (and does its TLS handshake), ends with its
 * DONE message, and leaves the connection with the handle instead of sending a request.
 * These two move bytes over it without blocking, as curl_easy_send/recv: MSE_AGAIN when
 * nothing can move now (wait for the MSINFO_ACTIVESOCKET descriptor), *n the bytes moved;
 * recv with *n 0 and MSE_OK is the peer's end of stream. MSE_UNSUPPORTED_PROTOCOL when
 * the handle holds no such connection, MSE_SEND_ERROR / MSE_RECV_ERROR when the connection
 * failed. The connection is closed by ms_easy_cleanup, by the next transfer of the handle,
 * or by the cleanup of the multi it was made in. */
MSEcode ms_easy_send(ms_easy *easy, const void *buffer, size_t length, size_t *n);
MSEcode ms_easy_recv(ms_easy *easy, void *buffer, size_t length, size_t *n);

/* Names of codes ("MSM_OK", "MSE_RECV_ERROR"); "MSM_?" / "MSE_?" when unknown. */
const char *ms_multi_code_name(MSMcode code);
const char *ms_easy_code_name(MSEcode code);

#ifdef __cplusplus
} /* extern "C" */
#endif
#endif /* MULTISOCK_MULTISOCK_H */

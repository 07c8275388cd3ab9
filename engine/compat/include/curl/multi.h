// SPDX-License-Identifier: MIT
/* curl/multi.h (multisock compatibility header): the multi-socket interface. */
#ifndef MULTISOCK_COMPAT_CURL_MULTI_H
#define MULTISOCK_COMPAT_CURL_MULTI_H

#include "curl.h"

#ifdef __cplusplus
extern "C" {
#endif

/* CURLMOPT_PIPELINING bits. Multiplexing needs HTTP/2, which this library does not
 * speak: the value is accepted and no connection is shared by two transfers at once. */
#define CURLPIPE_NOTHING 0L
#define CURLPIPE_HTTP1 1L
#define CURLPIPE_MULTIPLEX 2L

/* Server push (CURLMOPT_PUSHFUNCTION) exists only in HTTP/2: the callback is accepted and
 * never called, and the header accessors answer NULL, as libcurl without HTTP/2 does. */
#define CURL_PUSH_OK 0
#define CURL_PUSH_DENY 1
#define CURL_PUSH_ERROROUT 2
struct curl_pushheaders;
CURL_EXTERN char *curl_pushheader_bynum(struct curl_pushheaders *h, size_t num);
CURL_EXTERN char *curl_pushheader_byname(struct curl_pushheaders *h, const char *name);
typedef int (*curl_push_callback)(CURL *parent, CURL *easy, size_t num_headers,
                                  struct curl_pushheaders *headers, void *userp);

CURL_EXTERN CURLM *curl_multi_init(void);
CURL_EXTERN CURLMcode curl_multi_cleanup(CURLM *multi_handle);
CURL_EXTERN CURLMcode curl_multi_add_handle(CURLM *multi_handle, CURL *curl_handle);
CURL_EXTERN CURLMcode curl_multi_remove_handle(CURLM *multi_handle, CURL *curl_handle);
/* The third argument's type follows the option: long, pointer or function. */
CURL_EXTERN CURLMcode curl_multi_setopt(CURLM *multi_handle, CURLMoption option, ...);
CURL_EXTERN CURLMcode curl_multi_socket_action(CURLM *multi_handle, curl_socket_t s,
                                               int ev_bitmask, int *running_handles);
/* Deprecated forms: socket_action with mask 0, and a re-check of every socket. */
CURL_EXTERN CURLMcode curl_multi_socket(CURLM *multi_handle, curl_socket_t s,
                                        int *running_handles);
CURL_EXTERN CURLMcode curl_multi_socket_all(CURLM *multi_handle, int *running_handles);
CURL_EXTERN CURLMcode curl_multi_assign(CURLM *multi_handle, curl_socket_t sockfd,
                                        void *sockp);
CURL_EXTERN CURLMcode curl_multi_timeout(CURLM *multi_handle, long *milliseconds);
CURL_EXTERN CURLMsg *curl_multi_info_read(CURLM *multi_handle, int *msgs_in_queue);
CURL_EXTERN const char *curl_multi_strerror(CURLMcode code);
/* The classic loop: do what can be done now, wait for activity, wake a poll. */
CURL_EXTERN CURLMcode curl_multi_perform(CURLM *multi_handle, int *running_handles);
CURL_EXTERN CURLMcode curl_multi_wait(CURLM *multi_handle, struct curl_waitfd extra_fds[],
                                      unsigned int extra_nfds, int timeout_ms, int *ret);
CURL_EXTERN CURLMcode curl_multi_poll(CURLM *multi_handle, struct curl_waitfd extra_fds[],
                                      unsigned int extra_nfds, int timeout_ms, int *ret);
CURL_EXTERN CURLMcode curl_multi_wakeup(CURLM *multi_handle);
CURL_EXTERN CURLMcode curl_multi_fdset(CURLM *multi_handle, fd_set *read_fd_set,
                                       fd_set *write_fd_set, fd_set *exc_fd_set, int *max_fd);

#ifdef __cplusplus
} /* extern "C" */
#endif
#endif /* MULTISOCK_COMPAT_CURL_MULTI_H */

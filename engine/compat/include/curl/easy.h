// SPDX-License-Identifier: MIT
/* curl/easy.h (multisock compatibility header): easy-handle functions. */
#ifndef MULTISOCK_COMPAT_CURL_EASY_H
#define MULTISOCK_COMPAT_CURL_EASY_H

#include "curl.h"

#ifdef __cplusplus
extern "C" {
#endif

CURL_EXTERN CURL *curl_easy_init(void);
/* The third argument's type follows the option: long, pointer, function or curl_off_t. */
CURL_EXTERN CURLcode curl_easy_setopt(CURL *curl, CURLoption option, ...);
/* The third argument is a pointer to a variable of the info's type. */
CURL_EXTERN CURLcode curl_easy_getinfo(CURL *curl, CURLINFO info, ...);
CURL_EXTERN void curl_easy_cleanup(CURL *curl);
CURL_EXTERN const char *curl_easy_strerror(CURLcode code);
CURL_EXTERN CURLcode curl_easy_pause(CURL *handle, int bitmask);
/* One blocking transfer, on a multi private to the handle. */
CURL_EXTERN CURLcode curl_easy_perform(CURL *curl);
/* Bytes over the connection a CURLOPT_CONNECT_ONLY transfer left with the handle, without
   blocking: CURLE_AGAIN when nothing can move now. */
CURL_EXTERN CURLcode curl_easy_send(CURL *curl, const void *buffer, size_t buflen, size_t *n);
CURL_EXTERN CURLcode curl_easy_recv(CURL *curl, void *buffer, size_t buflen, size_t *n);

#ifdef __cplusplus
} /* extern "C" */
#endif
#endif /* MULTISOCK_COMPAT_CURL_EASY_H */

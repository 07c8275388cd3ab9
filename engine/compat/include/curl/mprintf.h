// SPDX-License-Identifier: MIT
/* curl/mprintf.h (multisock compatibility header): libcurl's printf family. The formats
 * are the C library's (libmultisock-curl.so formats through vsnprintf); curl_maprintf and
 * curl_mvaprintf return a string to release with curl_free(), or NULL on failure. */
#ifndef MULTISOCK_COMPAT_CURL_MPRINTF_H
#define MULTISOCK_COMPAT_CURL_MPRINTF_H

#include <stdarg.h>
#include <stdio.h>

#include "curl.h"

#ifdef __cplusplus
extern "C" {
#endif

CURL_EXTERN int curl_mprintf(const char *format, ...);
CURL_EXTERN int curl_mfprintf(FILE *fd, const char *format, ...);
CURL_EXTERN int curl_msprintf(char *buffer, const char *format, ...);
CURL_EXTERN int curl_msnprintf(char *buffer, size_t maxlength, const char *format, ...);
CURL_EXTERN int curl_mvprintf(const char *format, va_list args);
CURL_EXTERN int curl_mvfprintf(FILE *fd, const char *format, va_list args);
CURL_EXTERN int curl_mvsprintf(char *buffer, const char *format, va_list args);
CURL_EXTERN int curl_mvsnprintf(char *buffer, size_t maxlength, const char *format,
                                va_list args);
CURL_EXTERN char *curl_maprintf(const char *format, ...);
CURL_EXTERN char *curl_mvaprintf(const char *format, va_list args);

#ifdef __cplusplus
} /* extern "C" */
#endif
#endif /* MULTISOCK_COMPAT_CURL_MPRINTF_H */

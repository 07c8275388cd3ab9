// SPDX-License-Identifier: MIT
/*
 * curl/curl.h (multisock compatibility header)
 *
 * The names, types and numeric values of libcurl 7.88's public header, for the subset
 * of the API that event-driven programs use (easy handles, the multi-socket interface,
 * string lists). Programs written for libcurl compile against it unchanged and run on
 * the multisock engine by linking libmultisock-curl.so, which implements these
 * functions. Every value equals libcurl's and the engine's (multisock/multisock.h):
 * engine/compat/tests/abi_test checks both, name by name.
 *
 * Options and infos the engine does not implement are still named here, so that such
 * programs build; setting one answers CURLE_UNKNOWN_OPTION at run time.
 */
#ifndef MULTISOCK_COMPAT_CURL_CURL_H
#define MULTISOCK_COMPAT_CURL_CURL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>

#define MULTISOCK_COMPAT 1 /* lets a program tell this header from libcurl's */

#define LIBCURL_COPYRIGHT "multisock compatibility header"
#define LIBCURL_VERSION "7.88.1"
#define LIBCURL_VERSION_MAJOR 7
#define LIBCURL_VERSION_MINOR 88
#define LIBCURL_VERSION_PATCH 1
#define LIBCURL_VERSION_NUM 0x075801
#define CURL_VERSION_BITS(x, y, z) ((x) << 16 | (y) << 8 | (z))
#define CURL_AT_LEAST_VERSION(x, y, z) (LIBCURL_VERSION_NUM >= CURL_VERSION_BITS(x, y, z))

#ifndef CURL_EXTERN
#define CURL_EXTERN __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Handles are opaque; as in libcurl they are plain void. */
typedef void CURL;
typedef void CURLM;

typedef int curl_socket_t;
#define CURL_SOCKET_BAD (-1)

typedef long curl_off_t; /* 64 bits on the LP64 targets this header is for */
#define CURL_FORMAT_CURL_OFF_T "ld"
#define CURL_FORMAT_CURL_OFF_TU "lu"
#define CURL_OFF_T_C(v) v##L

/* ---- result codes of easy functions and transfers --------------------------------- */
typedef enum {
  CURLE_OK = 0,
  CURLE_UNSUPPORTED_PROTOCOL = 1,
  CURLE_FAILED_INIT = 2,
  CURLE_URL_MALFORMAT = 3,
  CURLE_NOT_BUILT_IN = 4,
  CURLE_COULDNT_RESOLVE_PROXY = 5,
  CURLE_COULDNT_RESOLVE_HOST = 6,
  CURLE_COULDNT_CONNECT = 7,
  CURLE_WEIRD_SERVER_REPLY = 8,
  CURLE_REMOTE_ACCESS_DENIED = 9,
  CURLE_FTP_ACCEPT_FAILED = 10,
  CURLE_FTP_WEIRD_PASS_REPLY = 11,
  CURLE_FTP_ACCEPT_TIMEOUT = 12,
  CURLE_FTP_WEIRD_PASV_REPLY = 13,
  CURLE_FTP_WEIRD_227_FORMAT = 14,
  CURLE_FTP_CANT_GET_HOST = 15,
  CURLE_HTTP2 = 16,
  CURLE_FTP_COULDNT_SET_TYPE = 17,
  CURLE_PARTIAL_FILE = 18,
  CURLE_FTP_COULDNT_RETR_FILE = 19,
  CURLE_OBSOLETE20 = 20,
  CURLE_QUOTE_ERROR = 21,
  CURLE_HTTP_RETURNED_ERROR = 22,
  CURLE_WRITE_ERROR = 23,
  CURLE_OBSOLETE24 = 24,
  CURLE_UPLOAD_FAILED = 25,
  CURLE_READ_ERROR = 26,
  CURLE_OUT_OF_MEMORY = 27,
  CURLE_OPERATION_TIMEDOUT = 28,
  CURLE_OBSOLETE29 = 29,
  CURLE_FTP_PORT_FAILED = 30,
  CURLE_FTP_COULDNT_USE_REST = 31,
  CURLE_OBSOLETE32 = 32,
  CURLE_RANGE_ERROR = 33,
  CURLE_HTTP_POST_ERROR = 34,
  CURLE_SSL_CONNECT_ERROR = 35,
  CURLE_BAD_DOWNLOAD_RESUME = 36,
  CURLE_FILE_COULDNT_READ_FILE = 37,
  CURLE_LDAP_CANNOT_BIND = 38,
  CURLE_LDAP_SEARCH_FAILED = 39,
  CURLE_OBSOLETE40 = 40,
  CURLE_FUNCTION_NOT_FOUND = 41,
  CURLE_ABORTED_BY_CALLBACK = 42,
  CURLE_BAD_FUNCTION_ARGUMENT = 43,
  CURLE_OBSOLETE44 = 44,
  CURLE_INTERFACE_FAILED = 45,
  CURLE_OBSOLETE46 = 46,
  CURLE_TOO_MANY_REDIRECTS = 47,
  CURLE_UNKNOWN_OPTION = 48,
  CURLE_SETOPT_OPTION_SYNTAX = 49,
  CURLE_OBSOLETE50 = 50,
  CURLE_OBSOLETE51 = 51,
  CURLE_GOT_NOTHING = 52,
  CURLE_SSL_ENGINE_NOTFOUND = 53,
  CURLE_SSL_ENGINE_SETFAILED = 54,
  CURLE_SEND_ERROR = 55,
  CURLE_RECV_ERROR = 56,
  CURLE_OBSOLETE57 = 57,
  CURLE_SSL_CERTPROBLEM = 58,
  CURLE_SSL_CIPHER = 59,
  CURLE_PEER_FAILED_VERIFICATION = 60,
  CURLE_BAD_CONTENT_ENCODING = 61,
  CURLE_OBSOLETE62 = 62,
  CURLE_FILESIZE_EXCEEDED = 63,
  CURLE_USE_SSL_FAILED = 64,
  CURLE_SEND_FAIL_REWIND = 65,
  CURLE_SSL_ENGINE_INITFAILED = 66,
  CURLE_LOGIN_DENIED = 67,
  CURLE_TFTP_NOTFOUND = 68,
  CURLE_TFTP_PERM = 69,
  CURLE_REMOTE_DISK_FULL = 70,
  CURLE_TFTP_ILLEGAL = 71,
  CURLE_TFTP_UNKNOWNID = 72,
  CURLE_REMOTE_FILE_EXISTS = 73,
  CURLE_TFTP_NOSUCHUSER = 74,
  CURLE_OBSOLETE75 = 75,
  CURLE_OBSOLETE76 = 76,
  CURLE_SSL_CACERT_BADFILE = 77,
  CURLE_REMOTE_FILE_NOT_FOUND = 78,
  CURLE_SSH = 79,
  CURLE_SSL_SHUTDOWN_FAILED = 80,
  CURLE_AGAIN = 81,
  CURLE_SSL_CRL_BADFILE = 82,
  CURLE_SSL_ISSUER_ERROR = 83,
  CURLE_FTP_PRET_FAILED = 84,
  CURLE_RTSP_CSEQ_ERROR = 85,
  CURLE_RTSP_SESSION_ERROR = 86,
  CURLE_FTP_BAD_FILE_LIST = 87,
  CURLE_CHUNK_FAILED = 88,
  CURLE_NO_CONNECTION_AVAILABLE = 89,
  CURLE_SSL_PINNEDPUBKEYNOTMATCH = 90,
  CURLE_SSL_INVALIDCERTSTATUS = 91,
  CURLE_HTTP2_STREAM = 92,
  CURLE_RECURSIVE_API_CALL = 93,
  CURLE_AUTH_ERROR = 94,
  CURLE_HTTP3 = 95,
  CURLE_QUIC_CONNECT_ERROR = 96,
  CURLE_PROXY = 97,
  CURLE_SSL_CLIENTCERT = 98,
  CURLE_UNRECOVERABLE_POLL = 99,
  CURL_LAST
} CURLcode;

/* ---- result codes of multi functions ------------------------------------------------ */
typedef enum {
  CURLM_CALL_MULTI_PERFORM = -1,
  CURLM_OK = 0,
  CURLM_BAD_HANDLE = 1,
  CURLM_BAD_EASY_HANDLE = 2,
  CURLM_OUT_OF_MEMORY = 3,
  CURLM_INTERNAL_ERROR = 4,
  CURLM_BAD_SOCKET = 5,
  CURLM_UNKNOWN_OPTION = 6,
  CURLM_ADDED_ALREADY = 7,
  CURLM_RECURSIVE_API_CALL = 8,
  CURLM_WAKEUP_FAILURE = 9,
  CURLM_BAD_FUNCTION_ARGUMENT = 10,
  CURLM_ABORTED_BY_CALLBACK = 11,
  CURLM_UNRECOVERABLE_POLL = 12,
  CURLM_LAST
} CURLMcode;
#define CURLM_CALL_MULTI_SOCKET CURLM_CALL_MULTI_PERFORM

/* ---- multi-socket event bits and socket callback actions ------------------------- */
#define CURL_POLL_NONE 0
#define CURL_POLL_IN 1
#define CURL_POLL_OUT 2
#define CURL_POLL_INOUT 3
#define CURL_POLL_REMOVE 4
#define CURL_SOCKET_TIMEOUT CURL_SOCKET_BAD
#define CURL_CSELECT_IN 0x01
#define CURL_CSELECT_OUT 0x02
#define CURL_CSELECT_ERR 0x04

/* curl_multi_wait / curl_multi_poll: an extra descriptor to wait for. */
#define CURL_WAIT_POLLIN 0x0001
#define CURL_WAIT_POLLPRI 0x0002
#define CURL_WAIT_POLLOUT 0x0004
struct curl_waitfd {
  curl_socket_t fd;
  short events;
  short revents;
};

/* ---- option type bases ----------------------------------------------------------- */
#define CURLOPTTYPE_LONG 0
#define CURLOPTTYPE_OBJECTPOINT 10000
#define CURLOPTTYPE_FUNCTIONPOINT 20000
#define CURLOPTTYPE_OFF_T 30000
#define CURLOPTTYPE_BLOB 40000
#define CURLOPTTYPE_STRINGPOINT CURLOPTTYPE_OBJECTPOINT
#define CURLOPTTYPE_SLISTPOINT CURLOPTTYPE_OBJECTPOINT
#define CURLOPTTYPE_CBPOINT CURLOPTTYPE_OBJECTPOINT
#define CURLOPTTYPE_VALUES CURLOPTTYPE_LONG

/* ---- easy options ----------------------------------------------------------------- */
typedef enum {
  CURLOPT_WRITEDATA = CURLOPTTYPE_OBJECTPOINT + 1,
  CURLOPT_URL = CURLOPTTYPE_OBJECTPOINT + 2,
  CURLOPT_PORT = CURLOPTTYPE_LONG + 3,
  CURLOPT_PROXY = CURLOPTTYPE_OBJECTPOINT + 4,
  CURLOPT_USERPWD = CURLOPTTYPE_OBJECTPOINT + 5,
  CURLOPT_RANGE = CURLOPTTYPE_OBJECTPOINT + 7,
  CURLOPT_READDATA = CURLOPTTYPE_OBJECTPOINT + 9,
  CURLOPT_ERRORBUFFER = CURLOPTTYPE_OBJECTPOINT + 10,
  CURLOPT_WRITEFUNCTION = CURLOPTTYPE_FUNCTIONPOINT + 11,
  CURLOPT_READFUNCTION = CURLOPTTYPE_FUNCTIONPOINT + 12,
  CURLOPT_TIMEOUT = CURLOPTTYPE_LONG + 13,
  CURLOPT_INFILESIZE = CURLOPTTYPE_LONG + 14,
  CURLOPT_POSTFIELDS = CURLOPTTYPE_OBJECTPOINT + 15,
  CURLOPT_REFERER = CURLOPTTYPE_OBJECTPOINT + 16,
  CURLOPT_USERAGENT = CURLOPTTYPE_OBJECTPOINT + 18,
  CURLOPT_LOW_SPEED_LIMIT = CURLOPTTYPE_LONG + 19,
  CURLOPT_LOW_SPEED_TIME = CURLOPTTYPE_LONG + 20,
  CURLOPT_RESUME_FROM = CURLOPTTYPE_LONG + 21,
  CURLOPT_COOKIE = CURLOPTTYPE_OBJECTPOINT + 22,
  CURLOPT_HTTPHEADER = CURLOPTTYPE_OBJECTPOINT + 23,
  CURLOPT_SSLCERT = CURLOPTTYPE_OBJECTPOINT + 25,
  CURLOPT_KEYPASSWD = CURLOPTTYPE_OBJECTPOINT + 26,
  CURLOPT_HEADERDATA = CURLOPTTYPE_OBJECTPOINT + 29,
  CURLOPT_CUSTOMREQUEST = CURLOPTTYPE_OBJECTPOINT + 36,
  CURLOPT_VERBOSE = CURLOPTTYPE_LONG + 41,
  CURLOPT_HEADER = CURLOPTTYPE_LONG + 42,
  CURLOPT_NOPROGRESS = CURLOPTTYPE_LONG + 43,
  CURLOPT_NOBODY = CURLOPTTYPE_LONG + 44,
  CURLOPT_FAILONERROR = CURLOPTTYPE_LONG + 45,
  CURLOPT_UPLOAD = CURLOPTTYPE_LONG + 46,
  CURLOPT_POST = CURLOPTTYPE_LONG + 47,
  CURLOPT_FOLLOWLOCATION = CURLOPTTYPE_LONG + 52,
  CURLOPT_PROGRESSFUNCTION = CURLOPTTYPE_FUNCTIONPOINT + 56,
  CURLOPT_PROGRESSDATA = CURLOPTTYPE_OBJECTPOINT + 57,
  CURLOPT_AUTOREFERER = CURLOPTTYPE_LONG + 58,
  CURLOPT_POSTFIELDSIZE = CURLOPTTYPE_LONG + 60,
  CURLOPT_SSL_VERIFYPEER = CURLOPTTYPE_LONG + 64,
  CURLOPT_CAINFO = CURLOPTTYPE_OBJECTPOINT + 65,
  CURLOPT_MAXREDIRS = CURLOPTTYPE_LONG + 68,
  CURLOPT_MAXCONNECTS = CURLOPTTYPE_LONG + 71,
  CURLOPT_FRESH_CONNECT = CURLOPTTYPE_LONG + 74,
  CURLOPT_FORBID_REUSE = CURLOPTTYPE_LONG + 75,
  CURLOPT_CONNECTTIMEOUT = CURLOPTTYPE_LONG + 78,
  CURLOPT_HEADERFUNCTION = CURLOPTTYPE_FUNCTIONPOINT + 79,
  CURLOPT_HTTPGET = CURLOPTTYPE_LONG + 80,
  CURLOPT_SSL_VERIFYHOST = CURLOPTTYPE_LONG + 81,
  CURLOPT_HTTP_VERSION = CURLOPTTYPE_LONG + 84,
  CURLOPT_SSLCERTTYPE = CURLOPTTYPE_OBJECTPOINT + 86,
  CURLOPT_SSLKEY = CURLOPTTYPE_OBJECTPOINT + 87,
  CURLOPT_SSLKEYTYPE = CURLOPTTYPE_OBJECTPOINT + 88,
  CURLOPT_SSLENGINE = CURLOPTTYPE_OBJECTPOINT + 89,
  CURLOPT_SSLENGINE_DEFAULT = CURLOPTTYPE_LONG + 90,
  CURLOPT_DEBUGFUNCTION = CURLOPTTYPE_FUNCTIONPOINT + 94,
  CURLOPT_DEBUGDATA = CURLOPTTYPE_OBJECTPOINT + 95,
  CURLOPT_CAPATH = CURLOPTTYPE_OBJECTPOINT + 97,
  CURLOPT_BUFFERSIZE = CURLOPTTYPE_LONG + 98,
  CURLOPT_NOSIGNAL = CURLOPTTYPE_LONG + 99,
  CURLOPT_ACCEPT_ENCODING = CURLOPTTYPE_OBJECTPOINT + 102,
  CURLOPT_SHARE = CURLOPTTYPE_OBJECTPOINT + 100,
  CURLOPT_PRIVATE = CURLOPTTYPE_OBJECTPOINT + 103,
  CURLOPT_HTTPAUTH = CURLOPTTYPE_LONG + 107,
  CURLOPT_IPRESOLVE = CURLOPTTYPE_LONG + 113,
  CURLOPT_MAXFILESIZE = CURLOPTTYPE_LONG + 114,
  CURLOPT_INFILESIZE_LARGE = CURLOPTTYPE_OFF_T + 115,
  CURLOPT_RESUME_FROM_LARGE = CURLOPTTYPE_OFF_T + 116,
  CURLOPT_MAXFILESIZE_LARGE = CURLOPTTYPE_OFF_T + 117,
  CURLOPT_POSTFIELDSIZE_LARGE = CURLOPTTYPE_OFF_T + 120,
  CURLOPT_TCP_NODELAY = CURLOPTTYPE_LONG + 121,
  CURLOPT_SOCKOPTFUNCTION = CURLOPTTYPE_FUNCTIONPOINT + 148,
  CURLOPT_SOCKOPTDATA = CURLOPTTYPE_OBJECTPOINT + 149,
  CURLOPT_TIMEOUT_MS = CURLOPTTYPE_LONG + 155,
  CURLOPT_CONNECTTIMEOUT_MS = CURLOPTTYPE_LONG + 156,
  CURLOPT_OPENSOCKETFUNCTION = CURLOPTTYPE_FUNCTIONPOINT + 163,
  CURLOPT_OPENSOCKETDATA = CURLOPTTYPE_OBJECTPOINT + 164,
  CURLOPT_SEEKFUNCTION = CURLOPTTYPE_FUNCTIONPOINT + 167,
  CURLOPT_SEEKDATA = CURLOPTTYPE_OBJECTPOINT + 168,
  CURLOPT_CERTINFO = CURLOPTTYPE_LONG + 172,
  CURLOPT_CONNECT_ONLY = CURLOPTTYPE_LONG + 141,
  CURLOPT_RESOLVE = CURLOPTTYPE_OBJECTPOINT + 203,
  CURLOPT_CLOSESOCKETFUNCTION = CURLOPTTYPE_FUNCTIONPOINT + 208,
  CURLOPT_CLOSESOCKETDATA = CURLOPTTYPE_OBJECTPOINT + 209,
  CURLOPT_TCP_KEEPALIVE = CURLOPTTYPE_LONG + 213,
  CURLOPT_XFERINFOFUNCTION = CURLOPTTYPE_FUNCTIONPOINT + 219,
  CURLOPT_PIPEWAIT = CURLOPTTYPE_LONG + 237,
  CURLOPT_CURLU = CURLOPTTYPE_OBJECTPOINT + 282,
  CURLOPT_LASTENTRY
} CURLoption;
/* Older names libcurl keeps as aliases. */
#define CURLOPT_XFERINFODATA CURLOPT_PROGRESSDATA
#define CURLOPT_FILE CURLOPT_WRITEDATA
#define CURLOPT_INFILE CURLOPT_READDATA
#define CURLOPT_WRITEHEADER CURLOPT_HEADERDATA
#define CURLOPT_ENCODING CURLOPT_ACCEPT_ENCODING

/* CURLOPT_HTTP_VERSION values. This library speaks HTTP/1.1 (and 1.0 when asked); the
 * HTTP/2 "attempt" values fall back to 1.1; 2_PRIOR_KNOWLEDGE, 3 and 3ONLY are refused
 * with CURLE_UNSUPPORTED_PROTOCOL. */
enum {
  CURL_HTTP_VERSION_NONE,
  CURL_HTTP_VERSION_1_0,
  CURL_HTTP_VERSION_1_1,
  CURL_HTTP_VERSION_2_0,
  CURL_HTTP_VERSION_2TLS,
  CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE,
  CURL_HTTP_VERSION_3 = 30,
  CURL_HTTP_VERSION_3ONLY = 31,
  CURL_HTTP_VERSION_LAST
};
#define CURL_HTTP_VERSION_2 CURL_HTTP_VERSION_2_0

/* ---- multi options ---------------------------------------------------------------- */
typedef enum {
  CURLMOPT_SOCKETFUNCTION = CURLOPTTYPE_FUNCTIONPOINT + 1,
  CURLMOPT_SOCKETDATA = CURLOPTTYPE_OBJECTPOINT + 2,
  CURLMOPT_PIPELINING = CURLOPTTYPE_LONG + 3,
  CURLMOPT_TIMERFUNCTION = CURLOPTTYPE_FUNCTIONPOINT + 4,
  CURLMOPT_TIMERDATA = CURLOPTTYPE_OBJECTPOINT + 5,
  CURLMOPT_MAXCONNECTS = CURLOPTTYPE_LONG + 6,
  CURLMOPT_MAX_HOST_CONNECTIONS = CURLOPTTYPE_LONG + 7,
  CURLMOPT_MAX_TOTAL_CONNECTIONS = CURLOPTTYPE_LONG + 13,
  CURLMOPT_PUSHFUNCTION = CURLOPTTYPE_FUNCTIONPOINT + 14,
  CURLMOPT_PUSHDATA = CURLOPTTYPE_OBJECTPOINT + 15,
  CURLMOPT_MAX_CONCURRENT_STREAMS = CURLOPTTYPE_LONG + 16,
  CURLMOPT_LASTENTRY
} CURLMoption;

/* ---- getinfo ---------------------------------------------------------------------- */
#define CURLINFO_STRING 0x100000
#define CURLINFO_LONG 0x200000
#define CURLINFO_DOUBLE 0x300000
#define CURLINFO_SLIST 0x400000
#define CURLINFO_PTR 0x400000
#define CURLINFO_SOCKET 0x500000
#define CURLINFO_OFF_T 0x600000
#define CURLINFO_MASK 0x0fffff
#define CURLINFO_TYPEMASK 0xf00000
typedef enum {
  CURLINFO_NONE = 0,
  CURLINFO_EFFECTIVE_URL = CURLINFO_STRING + 1,
  CURLINFO_RESPONSE_CODE = CURLINFO_LONG + 2,
  CURLINFO_TOTAL_TIME = CURLINFO_DOUBLE + 3,
  CURLINFO_NAMELOOKUP_TIME = CURLINFO_DOUBLE + 4,
  CURLINFO_CONNECT_TIME = CURLINFO_DOUBLE + 5,
  CURLINFO_PRETRANSFER_TIME = CURLINFO_DOUBLE + 6,
  CURLINFO_SIZE_UPLOAD_T = CURLINFO_OFF_T + 7,
  CURLINFO_SIZE_DOWNLOAD_T = CURLINFO_OFF_T + 8,
  CURLINFO_SPEED_DOWNLOAD_T = CURLINFO_OFF_T + 9,
  CURLINFO_HEADER_SIZE = CURLINFO_LONG + 11,
  CURLINFO_CONTENT_LENGTH_DOWNLOAD_T = CURLINFO_OFF_T + 15,
  CURLINFO_STARTTRANSFER_TIME = CURLINFO_DOUBLE + 17,
  CURLINFO_CONTENT_TYPE = CURLINFO_STRING + 18,
  CURLINFO_REDIRECT_COUNT = CURLINFO_LONG + 20,
  CURLINFO_PRIVATE = CURLINFO_STRING + 21,
  CURLINFO_OS_ERRNO = CURLINFO_LONG + 25,
  CURLINFO_NUM_CONNECTS = CURLINFO_LONG + 26,
  CURLINFO_REDIRECT_URL = CURLINFO_STRING + 31,
  CURLINFO_PRIMARY_IP = CURLINFO_STRING + 32,
  CURLINFO_PRIMARY_PORT = CURLINFO_LONG + 40,
  CURLINFO_HTTP_VERSION = CURLINFO_LONG + 46,
  CURLINFO_TOTAL_TIME_T = CURLINFO_OFF_T + 50,
  CURLINFO_REFERER = CURLINFO_STRING + 60,
  CURLINFO_CERTINFO = CURLINFO_PTR + 34,
  CURLINFO_ACTIVESOCKET = CURLINFO_SOCKET + 44,
  CURLINFO_LASTONE = 62
} CURLINFO;
#define CURLINFO_HTTP_CODE CURLINFO_RESPONSE_CODE

/* CURLINFO_CERTINFO: one list of "Name:value" lines per certificate (libcurl's layout). */
struct curl_certinfo {
  int num_of_certs;
  struct curl_slist **certinfo;
};

/* ---- messages from curl_multi_info_read ------------------------------------------ */
typedef enum { CURLMSG_NONE, CURLMSG_DONE, CURLMSG_LAST } CURLMSG;
struct CURLMsg {
  CURLMSG msg;
  CURL *easy_handle;
  union {
    void *whatever;
    CURLcode result; /* for CURLMSG_DONE */
  } data;
};
typedef struct CURLMsg CURLMsg;

/* ---- string lists ------------------------------------------------------------------- */
struct curl_slist {
  char *data;
  struct curl_slist *next;
};

/* ---- callbacks -------------------------------------------------------------------- */
typedef size_t (*curl_write_callback)(char *buffer, size_t size, size_t nitems, void *outstream);
typedef size_t (*curl_read_callback)(char *buffer, size_t size, size_t nitems, void *instream);
typedef int (*curl_progress_callback)(void *clientp, double dltotal, double dlnow, double ultotal,
                                      double ulnow);
typedef int (*curl_xferinfo_callback)(void *clientp, curl_off_t dltotal, curl_off_t dlnow,
                                      curl_off_t ultotal, curl_off_t ulnow);
typedef int (*curl_socket_callback)(CURL *easy, curl_socket_t s, int what, void *userp,
                                    void *socketp);
typedef int (*curl_multi_timer_callback)(CURLM *multi, long timeout_ms, void *userp);

#define CURL_WRITEFUNC_PAUSE 0x10000001
#define CURL_WRITEFUNC_ERROR 0xFFFFFFFF
#define CURL_READFUNC_ABORT 0x10000000
#define CURL_READFUNC_PAUSE 0x10000001
#define CURL_PROGRESSFUNC_CONTINUE 0x10000001

/* CURLOPT_SEEKFUNCTION (named so that programs build; not accepted: see curl.h's top). */
#define CURL_SEEKFUNC_OK 0
#define CURL_SEEKFUNC_FAIL 1
#define CURL_SEEKFUNC_CANTSEEK 2
typedef int (*curl_seek_callback)(void *instream, curl_off_t offset, int origin);

/* CURLOPT_HTTPAUTH bits (named only: authentication is not built in). */
#define CURLAUTH_NONE ((unsigned long)0)
#define CURLAUTH_BASIC (((unsigned long)1) << 0)
#define CURLAUTH_DIGEST (((unsigned long)1) << 1)
#define CURLAUTH_NEGOTIATE (((unsigned long)1) << 2)
#define CURLAUTH_NTLM (((unsigned long)1) << 3)
#define CURLAUTH_DIGEST_IE (((unsigned long)1) << 4)
#define CURLAUTH_NTLM_WB (((unsigned long)1) << 5)
#define CURLAUTH_BEARER (((unsigned long)1) << 6)
#define CURLAUTH_AWS_SIGV4 (((unsigned long)1) << 7)
#define CURLAUTH_ONLY (((unsigned long)1) << 31)
#define CURLAUTH_ANY (~CURLAUTH_DIGEST_IE)
#define CURLAUTH_ANYSAFE (~(CURLAUTH_BASIC | CURLAUTH_DIGEST_IE))

typedef enum { CURLSOCKTYPE_IPCXN, CURLSOCKTYPE_ACCEPT, CURLSOCKTYPE_LAST } curlsocktype;
struct curl_sockaddr {
  int family;
  int socktype;
  int protocol;
  unsigned int addrlen;
  struct sockaddr addr;
};
typedef curl_socket_t (*curl_opensocket_callback)(void *clientp, curlsocktype purpose,
                                                  struct curl_sockaddr *address);
typedef int (*curl_closesocket_callback)(void *clientp, curl_socket_t item);
/* CURLOPT_SOCKOPTFUNCTION: told each new socket before it connects. */
typedef int (*curl_sockopt_callback)(void *clientp, curl_socket_t curlfd, curlsocktype purpose);
#define CURL_SOCKOPT_OK 0
#define CURL_SOCKOPT_ERROR 1
#define CURL_SOCKOPT_ALREADY_CONNECTED 2

typedef enum {
  CURLINFO_TEXT = 0,
  CURLINFO_HEADER_IN,
  CURLINFO_HEADER_OUT,
  CURLINFO_DATA_IN,
  CURLINFO_DATA_OUT,
  CURLINFO_SSL_DATA_IN,
  CURLINFO_SSL_DATA_OUT,
  CURLINFO_END
} curl_infotype;
typedef int (*curl_debug_callback)(CURL *handle, curl_infotype type, char *data, size_t size,
                                   void *userptr);

/* ---- misc constants --------------------------------------------------------------- */
#define CURL_ERROR_SIZE 256
#define CURL_GLOBAL_SSL (1 << 0)
#define CURL_GLOBAL_WIN32 (1 << 1)
#define CURL_GLOBAL_ALL (CURL_GLOBAL_SSL | CURL_GLOBAL_WIN32)
#define CURL_GLOBAL_NOTHING 0
#define CURL_GLOBAL_DEFAULT CURL_GLOBAL_ALL
#define CURLPAUSE_RECV (1 << 0)
#define CURLPAUSE_RECV_CONT 0
#define CURLPAUSE_SEND (1 << 2)
#define CURLPAUSE_SEND_CONT 0
#define CURLPAUSE_ALL (CURLPAUSE_RECV | CURLPAUSE_SEND)
#define CURLPAUSE_CONT (CURLPAUSE_RECV_CONT | CURLPAUSE_SEND_CONT)

/* ---- what the library is: curl_version_info ---------------------------------------- */
typedef enum {
  CURLVERSION_FIRST,
  CURLVERSION_SECOND,
  CURLVERSION_THIRD,
  CURLVERSION_FOURTH,
  CURLVERSION_FIFTH,
  CURLVERSION_SIXTH,
  CURLVERSION_SEVENTH,
  CURLVERSION_EIGHTH,
  CURLVERSION_NINTH,
  CURLVERSION_TENTH,
  CURLVERSION_ELEVENTH,
  CURLVERSION_LAST
} CURLversion;
#define CURLVERSION_NOW CURLVERSION_ELEVENTH
/* libcurl's layout, field by field (abi_test); unused fields are NULL or 0. */
struct curl_version_info_data {
  CURLversion age;
  const char *version;
  unsigned int version_num;
  const char *host;
  int features; /* CURL_VERSION_* bits */
  const char *ssl_version;
  long ssl_version_num;
  const char *libz_version;
  const char *const *protocols; /* ends with NULL */
  const char *ares;
  int ares_num;
  const char *libidn;
  int iconv_ver_num;
  const char *libssh_version;
  unsigned int brotli_ver_num;
  const char *brotli_version;
  unsigned int nghttp2_ver_num;
  const char *nghttp2_version;
  const char *quic_version;
  const char *cainfo;
  const char *capath;
  unsigned int zstd_ver_num;
  const char *zstd_version;
  const char *hyper_version;
  const char *gsasl_version;
  const char *const *feature_names; /* ends with NULL */
};
typedef struct curl_version_info_data curl_version_info_data;
#define CURL_VERSION_IPV6 (1 << 0)
#define CURL_VERSION_KERBEROS4 (1 << 1)
#define CURL_VERSION_SSL (1 << 2)
#define CURL_VERSION_LIBZ (1 << 3)
#define CURL_VERSION_NTLM (1 << 4)
#define CURL_VERSION_GSSNEGOTIATE (1 << 5)
#define CURL_VERSION_DEBUG (1 << 6)
#define CURL_VERSION_ASYNCHDNS (1 << 7)
#define CURL_VERSION_SPNEGO (1 << 8)
#define CURL_VERSION_LARGEFILE (1 << 9)
#define CURL_VERSION_IDN (1 << 10)
#define CURL_VERSION_SSPI (1 << 11)
#define CURL_VERSION_CONV (1 << 12)
#define CURL_VERSION_CURLDEBUG (1 << 13)
#define CURL_VERSION_TLSAUTH_SRP (1 << 14)
#define CURL_VERSION_NTLM_WB (1 << 15)
#define CURL_VERSION_HTTP2 (1 << 16)
#define CURL_VERSION_GSSAPI (1 << 17)
#define CURL_VERSION_KERBEROS5 (1 << 18)
#define CURL_VERSION_UNIX_SOCKETS (1 << 19)
#define CURL_VERSION_PSL (1 << 20)
#define CURL_VERSION_HTTPS_PROXY (1 << 21)
#define CURL_VERSION_MULTI_SSL (1 << 22)
#define CURL_VERSION_BROTLI (1 << 23)
#define CURL_VERSION_ALTSVC (1 << 24)
#define CURL_VERSION_HTTP3 (1 << 25)
#define CURL_VERSION_ZSTD (1 << 26)
#define CURL_VERSION_UNICODE (1 << 27)
#define CURL_VERSION_HSTS (1 << 28)
#define CURL_VERSION_GSASL (1 << 29)
#define CURL_VERSION_THREADSAFE (1 << 30)

/* ---- TLS backends: curl_global_sslset ------------------------------------------------ */
typedef enum {
  CURLSSLBACKEND_NONE = 0,
  CURLSSLBACKEND_OPENSSL = 1,
  CURLSSLBACKEND_GNUTLS = 2,
  CURLSSLBACKEND_NSS = 3,
  CURLSSLBACKEND_OBSOLETE4 = 4,
  CURLSSLBACKEND_GSKIT = 5,
  CURLSSLBACKEND_POLARSSL = 6,
  CURLSSLBACKEND_WOLFSSL = 7,
  CURLSSLBACKEND_SCHANNEL = 8,
  CURLSSLBACKEND_SECURETRANSPORT = 9,
  CURLSSLBACKEND_AXTLS = 10,
  CURLSSLBACKEND_MBEDTLS = 11,
  CURLSSLBACKEND_MESALINK = 12,
  CURLSSLBACKEND_BEARSSL = 13,
  CURLSSLBACKEND_RUSTLS = 14
} curl_sslbackend;
typedef struct {
  curl_sslbackend id;
  const char *name;
} curl_ssl_backend;
typedef enum {
  CURLSSLSET_OK = 0,
  CURLSSLSET_UNKNOWN_BACKEND,
  CURLSSLSET_TOO_LATE,
  CURLSSLSET_NO_BACKENDS
} CURLsslset;

/* ---- share handles ----------------------------------------------------------------
 * Only the connection cache can be shared (CURL_LOCK_DATA_CONNECT): curl_easy_perform
 * of the handles that name the share reuses their connections, the lock function called
 * around each such perform. Sharing DNS, cookies, TLS sessions, PSL or HSTS answers
 * CURLSHE_NOT_BUILT_IN: the library keeps none of them. */
typedef void CURLSH;
typedef enum {
  CURL_LOCK_DATA_NONE = 0,
  CURL_LOCK_DATA_SHARE,
  CURL_LOCK_DATA_COOKIE,
  CURL_LOCK_DATA_DNS,
  CURL_LOCK_DATA_SSL_SESSION,
  CURL_LOCK_DATA_CONNECT,
  CURL_LOCK_DATA_PSL,
  CURL_LOCK_DATA_HSTS,
  CURL_LOCK_DATA_LAST
} curl_lock_data;
typedef enum {
  CURL_LOCK_ACCESS_NONE = 0,
  CURL_LOCK_ACCESS_SHARED = 1,
  CURL_LOCK_ACCESS_SINGLE = 2,
  CURL_LOCK_ACCESS_LAST
} curl_lock_access;
typedef void (*curl_lock_function)(CURL *handle, curl_lock_data data, curl_lock_access locktype,
                                   void *userptr);
typedef void (*curl_unlock_function)(CURL *handle, curl_lock_data data, void *userptr);
typedef enum {
  CURLSHE_OK,
  CURLSHE_BAD_OPTION,
  CURLSHE_IN_USE,
  CURLSHE_INVALID,
  CURLSHE_NOMEM,
  CURLSHE_NOT_BUILT_IN,
  CURLSHE_LAST
} CURLSHcode;
typedef enum {
  CURLSHOPT_NONE,
  CURLSHOPT_SHARE,
  CURLSHOPT_UNSHARE,
  CURLSHOPT_LOCKFUNC,
  CURLSHOPT_UNLOCKFUNC,
  CURLSHOPT_USERDATA,
  CURLSHOPT_LAST
} CURLSHoption;

/* ---- functions (implemented by libmultisock-curl.so) ----------------------------- */
CURL_EXTERN CURLcode curl_global_init(long flags);
CURL_EXTERN void curl_global_cleanup(void);
CURL_EXTERN char *curl_version(void);
/* A static description of the library (any age is answered with the newest layout). */
CURL_EXTERN curl_version_info_data *curl_version_info(CURLversion age);
/* The library has one TLS backend, OpenSSL: selecting it (by id or by name, any case)
 * is CURLSSLSET_OK, anything else CURLSSLSET_UNKNOWN_BACKEND with *avail set (if given)
 * to the NULL-terminated list of backends. */
CURL_EXTERN CURLsslset curl_global_sslset(curl_sslbackend id, const char *name,
                                          const curl_ssl_backend ***avail);
/* Frees memory the library handed out (curl_maprintf, curl_url_get, ...). */
CURL_EXTERN void curl_free(void *p);

CURL_EXTERN CURLSH *curl_share_init(void);
/* The third argument: a long (SHARE, UNSHARE), a function (LOCKFUNC, UNLOCKFUNC) or a
 * pointer (USERDATA). */
CURL_EXTERN CURLSHcode curl_share_setopt(CURLSH *share, CURLSHoption option, ...);
CURL_EXTERN CURLSHcode curl_share_cleanup(CURLSH *share);
CURL_EXTERN const char *curl_share_strerror(CURLSHcode code);

CURL_EXTERN struct curl_slist *curl_slist_append(struct curl_slist *list, const char *string);
CURL_EXTERN void curl_slist_free_all(struct curl_slist *list);

#ifdef __cplusplus
} /* extern "C" */
#endif

#include "easy.h"
#include "multi.h"
#include "urlapi.h"
#include "header.h"

#endif /* MULTISOCK_COMPAT_CURL_CURL_H */

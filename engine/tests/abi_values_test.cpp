// SPDX-License-Identifier: MIT
// abi_values_test.cpp: every public constant equals its libcurl 7.88 counterpart, and the
// shared structs have libcurl's layout, so a compatibility header is only a renaming.
// Checked at compile time; the test body only proves the file was built.
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"  // PROGRESSFUNCTION is checked too
#include <curl/curl.h>
#include <gtest/gtest.h>

#include <cstddef>

#include "multisock/multisock.h"

static_assert(static_cast<long>(MSM_CALL_MULTI_PERFORM) == static_cast<long>(CURLM_CALL_MULTI_PERFORM), "MSM_CALL_MULTI_PERFORM");
static_assert(static_cast<long>(MSM_OK) == static_cast<long>(CURLM_OK), "MSM_OK");
static_assert(static_cast<long>(MSM_BAD_HANDLE) == static_cast<long>(CURLM_BAD_HANDLE), "MSM_BAD_HANDLE");
static_assert(static_cast<long>(MSM_BAD_EASY_HANDLE) == static_cast<long>(CURLM_BAD_EASY_HANDLE), "MSM_BAD_EASY_HANDLE");
static_assert(static_cast<long>(MSM_OUT_OF_MEMORY) == static_cast<long>(CURLM_OUT_OF_MEMORY), "MSM_OUT_OF_MEMORY");
static_assert(static_cast<long>(MSM_INTERNAL_ERROR) == static_cast<long>(CURLM_INTERNAL_ERROR), "MSM_INTERNAL_ERROR");
static_assert(static_cast<long>(MSM_BAD_SOCKET) == static_cast<long>(CURLM_BAD_SOCKET), "MSM_BAD_SOCKET");
static_assert(static_cast<long>(MSM_UNKNOWN_OPTION) == static_cast<long>(CURLM_UNKNOWN_OPTION), "MSM_UNKNOWN_OPTION");
static_assert(static_cast<long>(MSM_ADDED_ALREADY) == static_cast<long>(CURLM_ADDED_ALREADY), "MSM_ADDED_ALREADY");
static_assert(static_cast<long>(MSM_RECURSIVE_API_CALL) == static_cast<long>(CURLM_RECURSIVE_API_CALL), "MSM_RECURSIVE_API_CALL");
static_assert(static_cast<long>(MSM_WAKEUP_FAILURE) == static_cast<long>(CURLM_WAKEUP_FAILURE), "MSM_WAKEUP_FAILURE");
static_assert(static_cast<long>(MSM_BAD_FUNCTION_ARGUMENT) == static_cast<long>(CURLM_BAD_FUNCTION_ARGUMENT), "MSM_BAD_FUNCTION_ARGUMENT");
static_assert(static_cast<long>(MSM_ABORTED_BY_CALLBACK) == static_cast<long>(CURLM_ABORTED_BY_CALLBACK), "MSM_ABORTED_BY_CALLBACK");
static_assert(static_cast<long>(MSM_UNRECOVERABLE_POLL) == static_cast<long>(CURLM_UNRECOVERABLE_POLL), "MSM_UNRECOVERABLE_POLL");
static_assert(static_cast<long>(MSE_OK) == static_cast<long>(CURLE_OK), "MSE_OK");
static_assert(static_cast<long>(MSE_UNSUPPORTED_PROTOCOL) == static_cast<long>(CURLE_UNSUPPORTED_PROTOCOL), "MSE_UNSUPPORTED_PROTOCOL");
static_assert(static_cast<long>(MSE_FAILED_INIT) == static_cast<long>(CURLE_FAILED_INIT), "MSE_FAILED_INIT");
static_assert(static_cast<long>(MSE_URL_MALFORMAT) == static_cast<long>(CURLE_URL_MALFORMAT), "MSE_URL_MALFORMAT");
static_assert(static_cast<long>(MSE_NOT_BUILT_IN) == static_cast<long>(CURLE_NOT_BUILT_IN), "MSE_NOT_BUILT_IN");
static_assert(static_cast<long>(MSE_COULDNT_RESOLVE_HOST) == static_cast<long>(CURLE_COULDNT_RESOLVE_HOST), "MSE_COULDNT_RESOLVE_HOST");
static_assert(static_cast<long>(MSE_COULDNT_CONNECT) == static_cast<long>(CURLE_COULDNT_CONNECT), "MSE_COULDNT_CONNECT");
static_assert(static_cast<long>(MSE_WEIRD_SERVER_REPLY) == static_cast<long>(CURLE_WEIRD_SERVER_REPLY), "MSE_WEIRD_SERVER_REPLY");
static_assert(static_cast<long>(MSE_PARTIAL_FILE) == static_cast<long>(CURLE_PARTIAL_FILE), "MSE_PARTIAL_FILE");
static_assert(static_cast<long>(MSE_HTTP_RETURNED_ERROR) == static_cast<long>(CURLE_HTTP_RETURNED_ERROR), "MSE_HTTP_RETURNED_ERROR");
static_assert(static_cast<long>(MSE_WRITE_ERROR) == static_cast<long>(CURLE_WRITE_ERROR), "MSE_WRITE_ERROR");
static_assert(static_cast<long>(MSE_UPLOAD_FAILED) == static_cast<long>(CURLE_UPLOAD_FAILED), "MSE_UPLOAD_FAILED");
static_assert(static_cast<long>(MSE_READ_ERROR) == static_cast<long>(CURLE_READ_ERROR), "MSE_READ_ERROR");
static_assert(static_cast<long>(MSE_OUT_OF_MEMORY) == static_cast<long>(CURLE_OUT_OF_MEMORY), "MSE_OUT_OF_MEMORY");
static_assert(static_cast<long>(MSE_OPERATION_TIMEDOUT) == static_cast<long>(CURLE_OPERATION_TIMEDOUT), "MSE_OPERATION_TIMEDOUT");
static_assert(static_cast<long>(MSE_RANGE_ERROR) == static_cast<long>(CURLE_RANGE_ERROR), "MSE_RANGE_ERROR");
static_assert(static_cast<long>(MSE_SSL_CONNECT_ERROR) == static_cast<long>(CURLE_SSL_CONNECT_ERROR), "MSE_SSL_CONNECT_ERROR");
static_assert(static_cast<long>(MSE_ABORTED_BY_CALLBACK) == static_cast<long>(CURLE_ABORTED_BY_CALLBACK), "MSE_ABORTED_BY_CALLBACK");
static_assert(static_cast<long>(MSE_BAD_FUNCTION_ARGUMENT) == static_cast<long>(CURLE_BAD_FUNCTION_ARGUMENT), "MSE_BAD_FUNCTION_ARGUMENT");
static_assert(static_cast<long>(MSE_INTERFACE_FAILED) == static_cast<long>(CURLE_INTERFACE_FAILED), "MSE_INTERFACE_FAILED");
static_assert(static_cast<long>(MSE_TOO_MANY_REDIRECTS) == static_cast<long>(CURLE_TOO_MANY_REDIRECTS), "MSE_TOO_MANY_REDIRECTS");
static_assert(static_cast<long>(MSE_UNKNOWN_OPTION) == static_cast<long>(CURLE_UNKNOWN_OPTION), "MSE_UNKNOWN_OPTION");
static_assert(static_cast<long>(MSE_GOT_NOTHING) == static_cast<long>(CURLE_GOT_NOTHING), "MSE_GOT_NOTHING");
static_assert(static_cast<long>(MSE_SEND_ERROR) == static_cast<long>(CURLE_SEND_ERROR), "MSE_SEND_ERROR");
static_assert(static_cast<long>(MSE_RECV_ERROR) == static_cast<long>(CURLE_RECV_ERROR), "MSE_RECV_ERROR");
static_assert(static_cast<long>(MSE_SSL_CERTPROBLEM) == static_cast<long>(CURLE_SSL_CERTPROBLEM), "MSE_SSL_CERTPROBLEM");
static_assert(static_cast<long>(MSE_PEER_FAILED_VERIFICATION) == static_cast<long>(CURLE_PEER_FAILED_VERIFICATION), "MSE_PEER_FAILED_VERIFICATION");
static_assert(static_cast<long>(MSE_BAD_CONTENT_ENCODING) == static_cast<long>(CURLE_BAD_CONTENT_ENCODING), "MSE_BAD_CONTENT_ENCODING");
static_assert(static_cast<long>(MSE_FILESIZE_EXCEEDED) == static_cast<long>(CURLE_FILESIZE_EXCEEDED), "MSE_FILESIZE_EXCEEDED");
static_assert(static_cast<long>(MSE_SEND_FAIL_REWIND) == static_cast<long>(CURLE_SEND_FAIL_REWIND), "MSE_SEND_FAIL_REWIND");
static_assert(static_cast<long>(MSE_SSL_CACERT_BADFILE) == static_cast<long>(CURLE_SSL_CACERT_BADFILE), "MSE_SSL_CACERT_BADFILE");
static_assert(static_cast<long>(MSE_AGAIN) == static_cast<long>(CURLE_AGAIN), "MSE_AGAIN");
static_assert(static_cast<long>(MSE_NO_CONNECTION_AVAILABLE) == static_cast<long>(CURLE_NO_CONNECTION_AVAILABLE), "MSE_NO_CONNECTION_AVAILABLE");
static_assert(static_cast<long>(MSE_RECURSIVE_API_CALL) == static_cast<long>(CURLE_RECURSIVE_API_CALL), "MSE_RECURSIVE_API_CALL");
static_assert(static_cast<long>(MSE_HTTP2) == static_cast<long>(CURLE_HTTP2), "MSE_HTTP2");
static_assert(static_cast<long>(MSE_HTTP2_STREAM) == static_cast<long>(CURLE_HTTP2_STREAM), "MSE_HTTP2_STREAM");
static_assert(static_cast<long>(MSOPT_WRITEDATA) == static_cast<long>(CURLOPT_WRITEDATA), "MSOPT_WRITEDATA");
static_assert(static_cast<long>(MSOPT_URL) == static_cast<long>(CURLOPT_URL), "MSOPT_URL");
static_assert(static_cast<long>(MSOPT_READDATA) == static_cast<long>(CURLOPT_READDATA), "MSOPT_READDATA");
static_assert(static_cast<long>(MSOPT_ERRORBUFFER) == static_cast<long>(CURLOPT_ERRORBUFFER), "MSOPT_ERRORBUFFER");
static_assert(static_cast<long>(MSOPT_WRITEFUNCTION) == static_cast<long>(CURLOPT_WRITEFUNCTION), "MSOPT_WRITEFUNCTION");
static_assert(static_cast<long>(MSOPT_READFUNCTION) == static_cast<long>(CURLOPT_READFUNCTION), "MSOPT_READFUNCTION");
static_assert(static_cast<long>(MSOPT_TIMEOUT) == static_cast<long>(CURLOPT_TIMEOUT), "MSOPT_TIMEOUT");
static_assert(static_cast<long>(MSOPT_POSTFIELDS) == static_cast<long>(CURLOPT_POSTFIELDS), "MSOPT_POSTFIELDS");
static_assert(static_cast<long>(MSOPT_USERAGENT) == static_cast<long>(CURLOPT_USERAGENT), "MSOPT_USERAGENT");
static_assert(static_cast<long>(MSOPT_LOW_SPEED_LIMIT) == static_cast<long>(CURLOPT_LOW_SPEED_LIMIT), "MSOPT_LOW_SPEED_LIMIT");
static_assert(static_cast<long>(MSOPT_LOW_SPEED_TIME) == static_cast<long>(CURLOPT_LOW_SPEED_TIME), "MSOPT_LOW_SPEED_TIME");
static_assert(static_cast<long>(MSOPT_HTTPHEADER) == static_cast<long>(CURLOPT_HTTPHEADER), "MSOPT_HTTPHEADER");
static_assert(static_cast<long>(MSOPT_HEADERDATA) == static_cast<long>(CURLOPT_HEADERDATA), "MSOPT_HEADERDATA");
static_assert(static_cast<long>(MSOPT_CUSTOMREQUEST) == static_cast<long>(CURLOPT_CUSTOMREQUEST), "MSOPT_CUSTOMREQUEST");
static_assert(static_cast<long>(MSOPT_VERBOSE) == static_cast<long>(CURLOPT_VERBOSE), "MSOPT_VERBOSE");
static_assert(static_cast<long>(MSOPT_NOPROGRESS) == static_cast<long>(CURLOPT_NOPROGRESS), "MSOPT_NOPROGRESS");
static_assert(static_cast<long>(MSOPT_NOBODY) == static_cast<long>(CURLOPT_NOBODY), "MSOPT_NOBODY");
static_assert(static_cast<long>(MSOPT_FAILONERROR) == static_cast<long>(CURLOPT_FAILONERROR), "MSOPT_FAILONERROR");
static_assert(static_cast<long>(MSOPT_HEADER) == static_cast<long>(CURLOPT_HEADER), "MSOPT_HEADER");
static_assert(static_cast<long>(MSOPT_UPLOAD) == static_cast<long>(CURLOPT_UPLOAD), "MSOPT_UPLOAD");
static_assert(static_cast<long>(MSOPT_POST) == static_cast<long>(CURLOPT_POST), "MSOPT_POST");
static_assert(static_cast<long>(MSOPT_FOLLOWLOCATION) == static_cast<long>(CURLOPT_FOLLOWLOCATION), "MSOPT_FOLLOWLOCATION");
static_assert(static_cast<long>(MSOPT_PROGRESSFUNCTION) == static_cast<long>(CURLOPT_PROGRESSFUNCTION), "MSOPT_PROGRESSFUNCTION");
static_assert(static_cast<long>(MSOPT_PROGRESSDATA) == static_cast<long>(CURLOPT_PROGRESSDATA), "MSOPT_PROGRESSDATA");
static_assert(static_cast<long>(MSOPT_POSTFIELDSIZE) == static_cast<long>(CURLOPT_POSTFIELDSIZE), "MSOPT_POSTFIELDSIZE");
static_assert(static_cast<long>(MSOPT_SSL_VERIFYPEER) == static_cast<long>(CURLOPT_SSL_VERIFYPEER), "MSOPT_SSL_VERIFYPEER");
static_assert(static_cast<long>(MSOPT_CAINFO) == static_cast<long>(CURLOPT_CAINFO), "MSOPT_CAINFO");
static_assert(static_cast<long>(MSOPT_MAXREDIRS) == static_cast<long>(CURLOPT_MAXREDIRS), "MSOPT_MAXREDIRS");
static_assert(static_cast<long>(MSOPT_FRESH_CONNECT) == static_cast<long>(CURLOPT_FRESH_CONNECT), "MSOPT_FRESH_CONNECT");
static_assert(static_cast<long>(MSOPT_FORBID_REUSE) == static_cast<long>(CURLOPT_FORBID_REUSE), "MSOPT_FORBID_REUSE");
static_assert(static_cast<long>(MSOPT_CONNECTTIMEOUT) == static_cast<long>(CURLOPT_CONNECTTIMEOUT), "MSOPT_CONNECTTIMEOUT");
static_assert(static_cast<long>(MSOPT_HEADERFUNCTION) == static_cast<long>(CURLOPT_HEADERFUNCTION), "MSOPT_HEADERFUNCTION");
static_assert(static_cast<long>(MSOPT_HTTPGET) == static_cast<long>(CURLOPT_HTTPGET), "MSOPT_HTTPGET");
static_assert(static_cast<long>(MSOPT_SSL_VERIFYHOST) == static_cast<long>(CURLOPT_SSL_VERIFYHOST), "MSOPT_SSL_VERIFYHOST");
static_assert(static_cast<long>(MSOPT_DEBUGFUNCTION) == static_cast<long>(CURLOPT_DEBUGFUNCTION), "MSOPT_DEBUGFUNCTION");
static_assert(static_cast<long>(MSOPT_DEBUGDATA) == static_cast<long>(CURLOPT_DEBUGDATA), "MSOPT_DEBUGDATA");
static_assert(static_cast<long>(MSOPT_NOSIGNAL) == static_cast<long>(CURLOPT_NOSIGNAL), "MSOPT_NOSIGNAL");
static_assert(static_cast<long>(MSOPT_PRIVATE) == static_cast<long>(CURLOPT_PRIVATE), "MSOPT_PRIVATE");
static_assert(static_cast<long>(MSOPT_INFILESIZE_LARGE) == static_cast<long>(CURLOPT_INFILESIZE_LARGE), "MSOPT_INFILESIZE_LARGE");
static_assert(static_cast<long>(MSOPT_POSTFIELDSIZE_LARGE) == static_cast<long>(CURLOPT_POSTFIELDSIZE_LARGE), "MSOPT_POSTFIELDSIZE_LARGE");
static_assert(static_cast<long>(MSOPT_TIMEOUT_MS) == static_cast<long>(CURLOPT_TIMEOUT_MS), "MSOPT_TIMEOUT_MS");
static_assert(static_cast<long>(MSOPT_CONNECTTIMEOUT_MS) == static_cast<long>(CURLOPT_CONNECTTIMEOUT_MS), "MSOPT_CONNECTTIMEOUT_MS");
static_assert(static_cast<long>(MSOPT_OPENSOCKETFUNCTION) == static_cast<long>(CURLOPT_OPENSOCKETFUNCTION), "MSOPT_OPENSOCKETFUNCTION");
static_assert(static_cast<long>(MSOPT_OPENSOCKETDATA) == static_cast<long>(CURLOPT_OPENSOCKETDATA), "MSOPT_OPENSOCKETDATA");
static_assert(static_cast<long>(MSOPT_RESOLVE) == static_cast<long>(CURLOPT_RESOLVE), "MSOPT_RESOLVE");
static_assert(static_cast<long>(MSOPT_CLOSESOCKETFUNCTION) == static_cast<long>(CURLOPT_CLOSESOCKETFUNCTION), "MSOPT_CLOSESOCKETFUNCTION");
static_assert(static_cast<long>(MSOPT_CLOSESOCKETDATA) == static_cast<long>(CURLOPT_CLOSESOCKETDATA), "MSOPT_CLOSESOCKETDATA");
static_assert(static_cast<long>(MSOPT_XFERINFOFUNCTION) == static_cast<long>(CURLOPT_XFERINFOFUNCTION), "MSOPT_XFERINFOFUNCTION");
static_assert(static_cast<long>(MSOPT_XFERINFODATA) == static_cast<long>(CURLOPT_XFERINFODATA), "MSOPT_XFERINFODATA");
static_assert(static_cast<long>(MSMOPT_SOCKETFUNCTION) == static_cast<long>(CURLMOPT_SOCKETFUNCTION), "MSMOPT_SOCKETFUNCTION");
static_assert(static_cast<long>(MSMOPT_SOCKETDATA) == static_cast<long>(CURLMOPT_SOCKETDATA), "MSMOPT_SOCKETDATA");
static_assert(static_cast<long>(MSMOPT_TIMERFUNCTION) == static_cast<long>(CURLMOPT_TIMERFUNCTION), "MSMOPT_TIMERFUNCTION");
static_assert(static_cast<long>(MSMOPT_TIMERDATA) == static_cast<long>(CURLMOPT_TIMERDATA), "MSMOPT_TIMERDATA");
static_assert(static_cast<long>(MSMOPT_MAXCONNECTS) == static_cast<long>(CURLMOPT_MAXCONNECTS), "MSMOPT_MAXCONNECTS");
static_assert(static_cast<long>(MSMOPT_MAX_HOST_CONNECTIONS) == static_cast<long>(CURLMOPT_MAX_HOST_CONNECTIONS), "MSMOPT_MAX_HOST_CONNECTIONS");
static_assert(static_cast<long>(MSMOPT_MAX_TOTAL_CONNECTIONS) == static_cast<long>(CURLMOPT_MAX_TOTAL_CONNECTIONS), "MSMOPT_MAX_TOTAL_CONNECTIONS");
static_assert(static_cast<long>(MSINFO_EFFECTIVE_URL) == static_cast<long>(CURLINFO_EFFECTIVE_URL), "MSINFO_EFFECTIVE_URL");
static_assert(static_cast<long>(MSINFO_RESPONSE_CODE) == static_cast<long>(CURLINFO_RESPONSE_CODE), "MSINFO_RESPONSE_CODE");
static_assert(static_cast<long>(MSINFO_TOTAL_TIME) == static_cast<long>(CURLINFO_TOTAL_TIME), "MSINFO_TOTAL_TIME");
static_assert(static_cast<long>(MSINFO_SIZE_UPLOAD_T) == static_cast<long>(CURLINFO_SIZE_UPLOAD_T), "MSINFO_SIZE_UPLOAD_T");
static_assert(static_cast<long>(MSINFO_SIZE_DOWNLOAD_T) == static_cast<long>(CURLINFO_SIZE_DOWNLOAD_T), "MSINFO_SIZE_DOWNLOAD_T");
static_assert(static_cast<long>(MSINFO_HEADER_SIZE) == static_cast<long>(CURLINFO_HEADER_SIZE), "MSINFO_HEADER_SIZE");
static_assert(static_cast<long>(MSINFO_CONTENT_LENGTH_DOWNLOAD_T) == static_cast<long>(CURLINFO_CONTENT_LENGTH_DOWNLOAD_T), "MSINFO_CONTENT_LENGTH_DOWNLOAD_T");
static_assert(static_cast<long>(MSINFO_REDIRECT_COUNT) == static_cast<long>(CURLINFO_REDIRECT_COUNT), "MSINFO_REDIRECT_COUNT");
static_assert(static_cast<long>(MSINFO_PRIVATE) == static_cast<long>(CURLINFO_PRIVATE), "MSINFO_PRIVATE");
static_assert(static_cast<long>(MSINFO_CONTENT_TYPE) == static_cast<long>(CURLINFO_CONTENT_TYPE), "MSINFO_CONTENT_TYPE");
static_assert(MS_WAIT_POLLIN == CURL_WAIT_POLLIN && MS_WAIT_POLLPRI == CURL_WAIT_POLLPRI && MS_WAIT_POLLOUT == CURL_WAIT_POLLOUT, "MS_WAIT_POLL*");
static_assert(sizeof(struct ms_waitfd) == sizeof(struct curl_waitfd) && offsetof(struct ms_waitfd, revents) == offsetof(struct curl_waitfd, revents), "ms_waitfd layout");
static_assert(static_cast<long>(MSINFO_NUM_CONNECTS) == static_cast<long>(CURLINFO_NUM_CONNECTS), "MSINFO_NUM_CONNECTS");
static_assert(static_cast<long>(MSINFO_REDIRECT_URL) == static_cast<long>(CURLINFO_REDIRECT_URL), "MSINFO_REDIRECT_URL");
static_assert(static_cast<long>(MSINFO_PRIMARY_PORT) == static_cast<long>(CURLINFO_PRIMARY_PORT), "MSINFO_PRIMARY_PORT");
static_assert(static_cast<long>(MSINFO_HTTP_VERSION) == static_cast<long>(CURLINFO_HTTP_VERSION), "MSINFO_HTTP_VERSION");
static_assert(static_cast<long>(MSINFO_TOTAL_TIME_T) == static_cast<long>(CURLINFO_TOTAL_TIME_T), "MSINFO_TOTAL_TIME_T");
static_assert(static_cast<long>(MSINFO_STRING) == static_cast<long>(CURLINFO_STRING), "MSINFO_STRING");
static_assert(static_cast<long>(MSINFO_LONG) == static_cast<long>(CURLINFO_LONG), "MSINFO_LONG");
static_assert(static_cast<long>(MSINFO_DOUBLE) == static_cast<long>(CURLINFO_DOUBLE), "MSINFO_DOUBLE");
static_assert(static_cast<long>(MSINFO_OFF_T) == static_cast<long>(CURLINFO_OFF_T), "MSINFO_OFF_T");
static_assert(static_cast<long>(MS_POLL_NONE) == static_cast<long>(CURL_POLL_NONE), "MS_POLL_NONE");
static_assert(static_cast<long>(MS_POLL_IN) == static_cast<long>(CURL_POLL_IN), "MS_POLL_IN");
static_assert(static_cast<long>(MS_POLL_OUT) == static_cast<long>(CURL_POLL_OUT), "MS_POLL_OUT");
static_assert(static_cast<long>(MS_POLL_INOUT) == static_cast<long>(CURL_POLL_INOUT), "MS_POLL_INOUT");
static_assert(static_cast<long>(MS_POLL_REMOVE) == static_cast<long>(CURL_POLL_REMOVE), "MS_POLL_REMOVE");
static_assert(static_cast<long>(MS_CSELECT_IN) == static_cast<long>(CURL_CSELECT_IN), "MS_CSELECT_IN");
static_assert(static_cast<long>(MS_CSELECT_OUT) == static_cast<long>(CURL_CSELECT_OUT), "MS_CSELECT_OUT");
static_assert(static_cast<long>(MS_CSELECT_ERR) == static_cast<long>(CURL_CSELECT_ERR), "MS_CSELECT_ERR");
static_assert(static_cast<long>(MSPAUSE_RECV) == static_cast<long>(CURLPAUSE_RECV), "MSPAUSE_RECV");
static_assert(static_cast<long>(MSPAUSE_SEND) == static_cast<long>(CURLPAUSE_SEND), "MSPAUSE_SEND");
static_assert(static_cast<long>(MSPAUSE_ALL) == static_cast<long>(CURLPAUSE_ALL), "MSPAUSE_ALL");
static_assert(static_cast<long>(MSPAUSE_CONT) == static_cast<long>(CURLPAUSE_CONT), "MSPAUSE_CONT");
static_assert(static_cast<long>(MSMSG_DONE) == static_cast<long>(CURLMSG_DONE), "MSMSG_DONE");
static_assert(static_cast<long>(MS_WRITEFUNC_PAUSE) == static_cast<long>(CURL_WRITEFUNC_PAUSE), "MS_WRITEFUNC_PAUSE");
static_assert(static_cast<long>(MS_READFUNC_ABORT) == static_cast<long>(CURL_READFUNC_ABORT), "MS_READFUNC_ABORT");
static_assert(static_cast<long>(MS_READFUNC_PAUSE) == static_cast<long>(CURL_READFUNC_PAUSE), "MS_READFUNC_PAUSE");
static_assert(static_cast<long>(MS_SOCKET_TIMEOUT) == static_cast<long>(CURL_SOCKET_TIMEOUT), "MS_SOCKET_TIMEOUT");
static_assert(static_cast<long>(MS_SOCKET_BAD) == static_cast<long>(CURL_SOCKET_BAD), "MS_SOCKET_BAD");
static_assert(static_cast<long>(MS_ERROR_SIZE) == static_cast<long>(CURL_ERROR_SIZE), "MS_ERROR_SIZE");
static_assert(static_cast<long>(MSSOCKTYPE_IPCXN) == static_cast<long>(CURLSOCKTYPE_IPCXN), "MSSOCKTYPE_IPCXN");
static_assert(static_cast<long>(MSINFOTYPE_TEXT) == static_cast<long>(CURLINFO_TEXT), "MSINFOTYPE_TEXT");
static_assert(static_cast<long>(MSINFOTYPE_HEADER_IN) == static_cast<long>(CURLINFO_HEADER_IN), "MSINFOTYPE_HEADER_IN");
static_assert(static_cast<long>(MSINFOTYPE_HEADER_OUT) == static_cast<long>(CURLINFO_HEADER_OUT), "MSINFOTYPE_HEADER_OUT");
static_assert(static_cast<long>(MSINFOTYPE_DATA_IN) == static_cast<long>(CURLINFO_DATA_IN), "MSINFOTYPE_DATA_IN");
static_assert(static_cast<long>(MSINFOTYPE_DATA_OUT) == static_cast<long>(CURLINFO_DATA_OUT), "MSINFOTYPE_DATA_OUT");
static_assert(static_cast<long>(MSOPTTYPE_LONG) == static_cast<long>(CURLOPTTYPE_LONG), "MSOPTTYPE_LONG");
static_assert(static_cast<long>(MSOPTTYPE_OBJECTPOINT) == static_cast<long>(CURLOPTTYPE_OBJECTPOINT), "MSOPTTYPE_OBJECTPOINT");
static_assert(static_cast<long>(MSOPTTYPE_FUNCTIONPOINT) == static_cast<long>(CURLOPTTYPE_FUNCTIONPOINT), "MSOPTTYPE_FUNCTIONPOINT");
static_assert(static_cast<long>(MSOPTTYPE_OFF_T) == static_cast<long>(CURLOPTTYPE_OFF_T), "MSOPTTYPE_OFF_T");

static_assert(sizeof(MSMsg) == sizeof(CURLMsg));
static_assert(offsetof(MSMsg, msg) == offsetof(CURLMsg, msg));
static_assert(offsetof(MSMsg, easy_handle) == offsetof(CURLMsg, easy_handle));
static_assert(offsetof(MSMsg, data) == offsetof(CURLMsg, data));
static_assert(sizeof(ms_sockaddr) == sizeof(curl_sockaddr));
static_assert(offsetof(ms_sockaddr, family) == offsetof(curl_sockaddr, family));
static_assert(offsetof(ms_sockaddr, socktype) == offsetof(curl_sockaddr, socktype));
static_assert(offsetof(ms_sockaddr, protocol) == offsetof(curl_sockaddr, protocol));
static_assert(offsetof(ms_sockaddr, addrlen) == offsetof(curl_sockaddr, addrlen));
static_assert(offsetof(ms_sockaddr, addr) == offsetof(curl_sockaddr, addr));
static_assert(sizeof(ms_slist) == sizeof(curl_slist));
static_assert(offsetof(ms_slist, next) == offsetof(curl_slist, next));
static_assert(sizeof(ms_off_t) == sizeof(curl_off_t));

TEST(Abi_Values, MatchLibcurl) {
  // A run-time echo of one compile-time check, so the test can be seen to run.
  EXPECT_EQ(static_cast<long>(MSOPT_URL), static_cast<long>(CURLOPT_URL));
  EXPECT_EQ(static_cast<long>(MSM_RECURSIVE_API_CALL), static_cast<long>(CURLM_RECURSIVE_API_CALL));
}

// Added with the HTTP version, referer, pipelining and push options.
#define MS_SAME_AS_CURL(ms, curl) static_assert(static_cast<long>(ms) == static_cast<long>(curl), #ms);
MS_SAME_AS_CURL(MSOPT_REFERER, CURLOPT_REFERER)
MS_SAME_AS_CURL(MSOPT_HTTP_VERSION, CURLOPT_HTTP_VERSION)
MS_SAME_AS_CURL(MSOPT_PIPEWAIT, CURLOPT_PIPEWAIT)
MS_SAME_AS_CURL(MSINFO_REFERER, CURLINFO_REFERER)
MS_SAME_AS_CURL(MSMOPT_PIPELINING, CURLMOPT_PIPELINING)
MS_SAME_AS_CURL(MSMOPT_PUSHFUNCTION, CURLMOPT_PUSHFUNCTION)
MS_SAME_AS_CURL(MSMOPT_PUSHDATA, CURLMOPT_PUSHDATA)
MS_SAME_AS_CURL(MSMOPT_MAX_CONCURRENT_STREAMS, CURLMOPT_MAX_CONCURRENT_STREAMS)
MS_SAME_AS_CURL(MSPIPE_NOTHING, CURLPIPE_NOTHING)
MS_SAME_AS_CURL(MSPIPE_HTTP1, CURLPIPE_HTTP1)
MS_SAME_AS_CURL(MSPIPE_MULTIPLEX, CURLPIPE_MULTIPLEX)
MS_SAME_AS_CURL(MS_PUSH_OK, CURL_PUSH_OK)
MS_SAME_AS_CURL(MS_PUSH_DENY, CURL_PUSH_DENY)
MS_SAME_AS_CURL(MS_PUSH_ERROROUT, CURL_PUSH_ERROROUT)
MS_SAME_AS_CURL(MS_HTTP_VERSION_NONE, CURL_HTTP_VERSION_NONE)
MS_SAME_AS_CURL(MS_HTTP_VERSION_1_0, CURL_HTTP_VERSION_1_0)
MS_SAME_AS_CURL(MS_HTTP_VERSION_1_1, CURL_HTTP_VERSION_1_1)
MS_SAME_AS_CURL(MS_HTTP_VERSION_2_0, CURL_HTTP_VERSION_2_0)
MS_SAME_AS_CURL(MS_HTTP_VERSION_2TLS, CURL_HTTP_VERSION_2TLS)
MS_SAME_AS_CURL(MS_HTTP_VERSION_2_PRIOR_KNOWLEDGE, CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE)
MS_SAME_AS_CURL(MS_HTTP_VERSION_3, CURL_HTTP_VERSION_3)
MS_SAME_AS_CURL(MS_HTTP_VERSION_3ONLY, CURL_HTTP_VERSION_3ONLY)
MS_SAME_AS_CURL(MSOPT_SOCKOPTFUNCTION, CURLOPT_SOCKOPTFUNCTION)
MS_SAME_AS_CURL(MSOPT_SOCKOPTDATA, CURLOPT_SOCKOPTDATA)
MS_SAME_AS_CURL(MS_SOCKOPT_OK, CURL_SOCKOPT_OK)
MS_SAME_AS_CURL(MS_SOCKOPT_ERROR, CURL_SOCKOPT_ERROR)
MS_SAME_AS_CURL(MS_SOCKOPT_ALREADY_CONNECTED, CURL_SOCKOPT_ALREADY_CONNECTED)
MS_SAME_AS_CURL(MSH_HEADER, CURLH_HEADER)
MS_SAME_AS_CURL(MSH_TRAILER, CURLH_TRAILER)
MS_SAME_AS_CURL(MSH_CONNECT, CURLH_CONNECT)
MS_SAME_AS_CURL(MSH_1XX, CURLH_1XX)
MS_SAME_AS_CURL(MSH_PSEUDO, CURLH_PSEUDO)
MS_SAME_AS_CURL(MSHE_OK, CURLHE_OK)
MS_SAME_AS_CURL(MSHE_BADINDEX, CURLHE_BADINDEX)
MS_SAME_AS_CURL(MSHE_MISSING, CURLHE_MISSING)
MS_SAME_AS_CURL(MSHE_NOHEADERS, CURLHE_NOHEADERS)
MS_SAME_AS_CURL(MSHE_NOREQUEST, CURLHE_NOREQUEST)
MS_SAME_AS_CURL(MSHE_BAD_ARGUMENT, CURLHE_BAD_ARGUMENT)
MS_SAME_AS_CURL(MSHE_NOT_BUILT_IN, CURLHE_NOT_BUILT_IN)
static_assert(sizeof(struct ms_header) == sizeof(struct curl_header), "curl_header layout");
static_assert(offsetof(struct ms_header, anchor) == offsetof(struct curl_header, anchor), "curl_header layout");
MS_SAME_AS_CURL(MSOPT_CURLU, CURLOPT_CURLU)
MS_SAME_AS_CURL(MSUE_OK, CURLUE_OK)
MS_SAME_AS_CURL(MSUE_BAD_HANDLE, CURLUE_BAD_HANDLE)
MS_SAME_AS_CURL(MSUE_BAD_PARTPOINTER, CURLUE_BAD_PARTPOINTER)
MS_SAME_AS_CURL(MSUE_MALFORMED_INPUT, CURLUE_MALFORMED_INPUT)
MS_SAME_AS_CURL(MSUE_BAD_PORT_NUMBER, CURLUE_BAD_PORT_NUMBER)
MS_SAME_AS_CURL(MSUE_UNSUPPORTED_SCHEME, CURLUE_UNSUPPORTED_SCHEME)
MS_SAME_AS_CURL(MSUE_URLDECODE, CURLUE_URLDECODE)
MS_SAME_AS_CURL(MSUE_OUT_OF_MEMORY, CURLUE_OUT_OF_MEMORY)
MS_SAME_AS_CURL(MSUE_USER_NOT_ALLOWED, CURLUE_USER_NOT_ALLOWED)
MS_SAME_AS_CURL(MSUE_UNKNOWN_PART, CURLUE_UNKNOWN_PART)
MS_SAME_AS_CURL(MSUE_NO_SCHEME, CURLUE_NO_SCHEME)
MS_SAME_AS_CURL(MSUE_NO_USER, CURLUE_NO_USER)
MS_SAME_AS_CURL(MSUE_NO_PASSWORD, CURLUE_NO_PASSWORD)
MS_SAME_AS_CURL(MSUE_NO_OPTIONS, CURLUE_NO_OPTIONS)
MS_SAME_AS_CURL(MSUE_NO_HOST, CURLUE_NO_HOST)
MS_SAME_AS_CURL(MSUE_NO_PORT, CURLUE_NO_PORT)
MS_SAME_AS_CURL(MSUE_NO_QUERY, CURLUE_NO_QUERY)
MS_SAME_AS_CURL(MSUE_NO_FRAGMENT, CURLUE_NO_FRAGMENT)
MS_SAME_AS_CURL(MSUE_NO_ZONEID, CURLUE_NO_ZONEID)
MS_SAME_AS_CURL(MSUE_BAD_FILE_URL, CURLUE_BAD_FILE_URL)
MS_SAME_AS_CURL(MSUE_BAD_FRAGMENT, CURLUE_BAD_FRAGMENT)
MS_SAME_AS_CURL(MSUE_BAD_HOSTNAME, CURLUE_BAD_HOSTNAME)
MS_SAME_AS_CURL(MSUE_BAD_IPV6, CURLUE_BAD_IPV6)
MS_SAME_AS_CURL(MSUE_BAD_LOGIN, CURLUE_BAD_LOGIN)
MS_SAME_AS_CURL(MSUE_BAD_PASSWORD, CURLUE_BAD_PASSWORD)
MS_SAME_AS_CURL(MSUE_BAD_PATH, CURLUE_BAD_PATH)
MS_SAME_AS_CURL(MSUE_BAD_QUERY, CURLUE_BAD_QUERY)
MS_SAME_AS_CURL(MSUE_BAD_SCHEME, CURLUE_BAD_SCHEME)
MS_SAME_AS_CURL(MSUE_BAD_SLASHES, CURLUE_BAD_SLASHES)
MS_SAME_AS_CURL(MSUE_BAD_USER, CURLUE_BAD_USER)
MS_SAME_AS_CURL(MSUE_LACKS_IDN, CURLUE_LACKS_IDN)
MS_SAME_AS_CURL(MSUPART_URL, CURLUPART_URL)
MS_SAME_AS_CURL(MSUPART_SCHEME, CURLUPART_SCHEME)
MS_SAME_AS_CURL(MSUPART_USER, CURLUPART_USER)
MS_SAME_AS_CURL(MSUPART_PASSWORD, CURLUPART_PASSWORD)
MS_SAME_AS_CURL(MSUPART_OPTIONS, CURLUPART_OPTIONS)
MS_SAME_AS_CURL(MSUPART_HOST, CURLUPART_HOST)
MS_SAME_AS_CURL(MSUPART_PORT, CURLUPART_PORT)
MS_SAME_AS_CURL(MSUPART_PATH, CURLUPART_PATH)
MS_SAME_AS_CURL(MSUPART_QUERY, CURLUPART_QUERY)
MS_SAME_AS_CURL(MSUPART_FRAGMENT, CURLUPART_FRAGMENT)
MS_SAME_AS_CURL(MSUPART_ZONEID, CURLUPART_ZONEID)
MS_SAME_AS_CURL(MSU_DEFAULT_PORT, CURLU_DEFAULT_PORT)
MS_SAME_AS_CURL(MSU_NO_DEFAULT_PORT, CURLU_NO_DEFAULT_PORT)
MS_SAME_AS_CURL(MSU_DEFAULT_SCHEME, CURLU_DEFAULT_SCHEME)
MS_SAME_AS_CURL(MSU_NON_SUPPORT_SCHEME, CURLU_NON_SUPPORT_SCHEME)
MS_SAME_AS_CURL(MSU_PATH_AS_IS, CURLU_PATH_AS_IS)
MS_SAME_AS_CURL(MSU_DISALLOW_USER, CURLU_DISALLOW_USER)
MS_SAME_AS_CURL(MSU_URLDECODE, CURLU_URLDECODE)
MS_SAME_AS_CURL(MSU_URLENCODE, CURLU_URLENCODE)
MS_SAME_AS_CURL(MSU_APPENDQUERY, CURLU_APPENDQUERY)
MS_SAME_AS_CURL(MSU_GUESS_SCHEME, CURLU_GUESS_SCHEME)
MS_SAME_AS_CURL(MSU_NO_AUTHORITY, CURLU_NO_AUTHORITY)
MS_SAME_AS_CURL(MSU_ALLOW_SPACE, CURLU_ALLOW_SPACE)
MS_SAME_AS_CURL(MSU_PUNYCODE, CURLU_PUNYCODE)
MS_SAME_AS_CURL(MSOPT_CERTINFO, CURLOPT_CERTINFO)
MS_SAME_AS_CURL(MSINFO_CERTINFO, CURLINFO_CERTINFO)
static_assert(sizeof(struct ms_certinfo) == sizeof(struct curl_certinfo), "curl_certinfo layout");
MS_SAME_AS_CURL(MSOPT_SHARE, CURLOPT_SHARE)
MS_SAME_AS_CURL(MS_LOCK_DATA_NONE, CURL_LOCK_DATA_NONE)
MS_SAME_AS_CURL(MS_LOCK_DATA_SHARE, CURL_LOCK_DATA_SHARE)
MS_SAME_AS_CURL(MS_LOCK_DATA_COOKIE, CURL_LOCK_DATA_COOKIE)
MS_SAME_AS_CURL(MS_LOCK_DATA_DNS, CURL_LOCK_DATA_DNS)
MS_SAME_AS_CURL(MS_LOCK_DATA_SSL_SESSION, CURL_LOCK_DATA_SSL_SESSION)
MS_SAME_AS_CURL(MS_LOCK_DATA_CONNECT, CURL_LOCK_DATA_CONNECT)
MS_SAME_AS_CURL(MS_LOCK_DATA_PSL, CURL_LOCK_DATA_PSL)
MS_SAME_AS_CURL(MS_LOCK_DATA_HSTS, CURL_LOCK_DATA_HSTS)
MS_SAME_AS_CURL(MS_LOCK_ACCESS_NONE, CURL_LOCK_ACCESS_NONE)
MS_SAME_AS_CURL(MS_LOCK_ACCESS_SHARED, CURL_LOCK_ACCESS_SHARED)
MS_SAME_AS_CURL(MS_LOCK_ACCESS_SINGLE, CURL_LOCK_ACCESS_SINGLE)
MS_SAME_AS_CURL(MSSHE_OK, CURLSHE_OK)
MS_SAME_AS_CURL(MSSHE_BAD_OPTION, CURLSHE_BAD_OPTION)
MS_SAME_AS_CURL(MSSHE_IN_USE, CURLSHE_IN_USE)
MS_SAME_AS_CURL(MSSHE_INVALID, CURLSHE_INVALID)
MS_SAME_AS_CURL(MSSHE_NOMEM, CURLSHE_NOMEM)
MS_SAME_AS_CURL(MSSHE_NOT_BUILT_IN, CURLSHE_NOT_BUILT_IN)
MS_SAME_AS_CURL(MSSHOPT_NONE, CURLSHOPT_NONE)
MS_SAME_AS_CURL(MSSHOPT_SHARE, CURLSHOPT_SHARE)
MS_SAME_AS_CURL(MSSHOPT_UNSHARE, CURLSHOPT_UNSHARE)
MS_SAME_AS_CURL(MSSHOPT_LOCKFUNC, CURLSHOPT_LOCKFUNC)
MS_SAME_AS_CURL(MSSHOPT_UNLOCKFUNC, CURLSHOPT_UNLOCKFUNC)
MS_SAME_AS_CURL(MSSHOPT_USERDATA, CURLSHOPT_USERDATA)

// SPDX-License-Identifier: MIT
// shim.cpp: libcurl's function names over the multisock engine.
//
// Every curl_* function forwards to its ms_* twin: handles are the engine's own pointers,
// and codes, options and message layouts are numerically identical (abi_test), so the
// only real work is re-reading the variadic argument of the setopt/getinfo functions
// with the type libcurl's ABI gives it (long, pointer, function pointer or curl_off_t,
// chosen by the option number's range) and passing it on with that same type.
#include <cstdarg>

#include "curl/curl.h"
#include "multisock/multisock.h"

namespace {

using AnyFunction = void (*)();

// What a libcurl-ABI variadic option argument is, by option number.
enum class ArgKind { long_value, pointer, function, off_t_value };
ArgKind kind_of(int option) {
  if (option < CURLOPTTYPE_OBJECTPOINT) return ArgKind::long_value;
  if (option < CURLOPTTYPE_FUNCTIONPOINT) return ArgKind::pointer;
  if (option < CURLOPTTYPE_OFF_T) return ArgKind::function;
  return ArgKind::off_t_value;
}

// MS_VERSION is the project's version (CMake), so the package and the string agree.
const char kVersion[] = "multisock/" MS_VERSION " (libcurl/7.88.1 API)";

ms_easy* easy_of(CURL* handle) { return static_cast<ms_easy*>(handle); }
ms_multi* multi_of(CURLM* handle) { return static_cast<ms_multi*>(handle); }

}  // namespace

extern "C" {

CURLcode curl_global_init(long /*flags*/) {
  // The engine has no process-wide state to set up: OpenSSL 3 initialises itself.
  return CURLE_OK;
}

void curl_global_cleanup(void) {}

char* curl_version(void) {
  // libcurl returns a non-const char* to static storage; callers must not write to it.
  return const_cast<char*>(kVersion);
}

struct curl_slist* curl_slist_append(struct curl_slist* list, const char* string) {
  return reinterpret_cast<struct curl_slist*>(
      ms_slist_append(reinterpret_cast<ms_slist*>(list), string));
}

void curl_slist_free_all(struct curl_slist* list) {
  ms_slist_free_all(reinterpret_cast<ms_slist*>(list));
}

CURL* curl_easy_init(void) { return ms_easy_init(); }

void curl_easy_cleanup(CURL* curl) { ms_easy_cleanup(easy_of(curl)); }

CURLcode curl_easy_setopt(CURL* curl, CURLoption option, ...) {
  va_list args;
  va_start(args, option);
  MSEcode code = MSE_OK;
  const auto ms_option = static_cast<MSoption>(option);
  switch (kind_of(option)) {
    case ArgKind::long_value:
      code = ms_easy_setopt(easy_of(curl), ms_option, va_arg(args, long));
      break;
    case ArgKind::pointer:
      code = ms_easy_setopt(easy_of(curl), ms_option, va_arg(args, void*));
      break;
    case ArgKind::function:
      code = ms_easy_setopt(easy_of(curl), ms_option, va_arg(args, AnyFunction));
      break;
    case ArgKind::off_t_value:
      code = ms_easy_setopt(easy_of(curl), ms_option, static_cast<ms_off_t>(va_arg(args, curl_off_t)));
      break;
  }
  va_end(args);
  return static_cast<CURLcode>(code);
}

CURLcode curl_easy_getinfo(CURL* curl, CURLINFO info, ...) {
  va_list args;
  va_start(args, info);
  void* out = va_arg(args, void*);  // always a pointer to the info's type
  va_end(args);
  return static_cast<CURLcode>(ms_easy_getinfo(easy_of(curl), static_cast<MSINFO>(info), out));
}

const char* curl_easy_strerror(CURLcode code) {
  return ms_easy_strerror(static_cast<MSEcode>(code));
}

// struct curl_header and struct ms_header have one layout (abi_test).
CURLHcode curl_easy_header(CURL* easy, const char* name, size_t index, unsigned int origin, int request,
                           struct curl_header** hout) {
  return static_cast<CURLHcode>(
      ms_easy_header(easy_of(easy), name, index, origin, request, reinterpret_cast<ms_header**>(hout)));
}

struct curl_header* curl_easy_nextheader(CURL* easy, unsigned int origin, int request, struct curl_header* prev) {
  return reinterpret_cast<curl_header*>(
      ms_easy_nextheader(easy_of(easy), origin, request, reinterpret_cast<ms_header*>(prev)));
}

CURLcode curl_easy_send(CURL* curl, const void* buffer, size_t buflen, size_t* n) {
  return static_cast<CURLcode>(ms_easy_send(easy_of(curl), buffer, buflen, n));
}

CURLcode curl_easy_recv(CURL* curl, void* buffer, size_t buflen, size_t* n) {
  return static_cast<CURLcode>(ms_easy_recv(easy_of(curl), buffer, buflen, n));
}

CURLcode curl_easy_pause(CURL* handle, int bitmask) {
  return static_cast<CURLcode>(ms_easy_pause(easy_of(handle), bitmask));
}

CURLM* curl_multi_init(void) { return ms_multi_init(); }

CURLMcode curl_multi_cleanup(CURLM* multi) {
  return static_cast<CURLMcode>(ms_multi_cleanup(multi_of(multi)));
}

CURLMcode curl_multi_add_handle(CURLM* multi, CURL* easy) {
  return static_cast<CURLMcode>(ms_multi_add_handle(multi_of(multi), easy_of(easy)));
}

CURLMcode curl_multi_remove_handle(CURLM* multi, CURL* easy) {
  return static_cast<CURLMcode>(ms_multi_remove_handle(multi_of(multi), easy_of(easy)));
}

CURLMcode curl_multi_setopt(CURLM* multi, CURLMoption option, ...) {
  va_list args;
  va_start(args, option);
  MSMcode code = MSM_OK;
  const auto ms_option = static_cast<MSMoption>(option);
  switch (kind_of(option)) {
    case ArgKind::long_value:
      code = ms_multi_setopt(multi_of(multi), ms_option, va_arg(args, long));
      break;
    case ArgKind::pointer:
      code = ms_multi_setopt(multi_of(multi), ms_option, va_arg(args, void*));
      break;
    case ArgKind::function:
      code = ms_multi_setopt(multi_of(multi), ms_option, va_arg(args, AnyFunction));
      break;
    case ArgKind::off_t_value:
      code = ms_multi_setopt(multi_of(multi), ms_option, static_cast<ms_off_t>(va_arg(args, curl_off_t)));
      break;
  }
  va_end(args);
  return static_cast<CURLMcode>(code);
}

CURLMcode curl_multi_socket_action(CURLM* multi, curl_socket_t s, int ev_bitmask,
                                   int* running_handles) {
  return static_cast<CURLMcode>(
      ms_multi_socket_action(multi_of(multi), s, ev_bitmask, running_handles));
}

CURLMcode curl_multi_socket(CURLM* multi, curl_socket_t s, int* running_handles) {
  return static_cast<CURLMcode>(ms_multi_socket(multi_of(multi), s, running_handles));
}

CURLMcode curl_multi_socket_all(CURLM* multi, int* running_handles) {
  return static_cast<CURLMcode>(ms_multi_socket_all(multi_of(multi), running_handles));
}

CURLMcode curl_multi_assign(CURLM* multi, curl_socket_t sockfd, void* sockp) {
  return static_cast<CURLMcode>(ms_multi_assign(multi_of(multi), sockfd, sockp));
}

CURLMcode curl_multi_timeout(CURLM* multi, long* milliseconds) {
  return static_cast<CURLMcode>(ms_multi_timeout(multi_of(multi), milliseconds));
}

CURLMsg* curl_multi_info_read(CURLM* multi, int* msgs_in_queue) {
  // MSMsg and CURLMsg have one layout (abi_test), so the engine's message is handed out.
  return reinterpret_cast<CURLMsg*>(ms_multi_info_read(multi_of(multi), msgs_in_queue));
}

CURLMcode curl_multi_perform(CURLM* multi, int* running_handles) {
  return static_cast<CURLMcode>(ms_multi_perform(multi_of(multi), running_handles));
}

// struct curl_waitfd and struct ms_waitfd have one layout (abi_test).
CURLMcode curl_multi_wait(CURLM* multi, struct curl_waitfd extra_fds[], unsigned int extra_nfds,
                          int timeout_ms, int* ret) {
  return static_cast<CURLMcode>(ms_multi_wait(multi_of(multi), reinterpret_cast<ms_waitfd*>(extra_fds),
                                              extra_nfds, timeout_ms, ret));
}

CURLMcode curl_multi_poll(CURLM* multi, struct curl_waitfd extra_fds[], unsigned int extra_nfds,
                          int timeout_ms, int* ret) {
  return static_cast<CURLMcode>(ms_multi_poll(multi_of(multi), reinterpret_cast<ms_waitfd*>(extra_fds),
                                              extra_nfds, timeout_ms, ret));
}

CURLMcode curl_multi_wakeup(CURLM* multi) { return static_cast<CURLMcode>(ms_multi_wakeup(multi_of(multi))); }

CURLMcode curl_multi_fdset(CURLM* multi, fd_set* read_fd_set, fd_set* write_fd_set, fd_set* exc_fd_set,
                           int* max_fd) {
  return static_cast<CURLMcode>(ms_multi_fdset(multi_of(multi), read_fd_set, write_fd_set, exc_fd_set, max_fd));
}

CURLcode curl_easy_perform(CURL* curl) { return static_cast<CURLcode>(ms_easy_perform(easy_of(curl))); }

// CURLU is the engine's ms_url under libcurl's name; parts, flags and codes are equal (abi_test).
CURLU* curl_url(void) { return reinterpret_cast<CURLU*>(ms_url_new()); }
void curl_url_cleanup(CURLU* handle) { ms_url_cleanup(reinterpret_cast<ms_url*>(handle)); }
CURLU* curl_url_dup(const CURLU* in) {
  return reinterpret_cast<CURLU*>(ms_url_dup(reinterpret_cast<const ms_url*>(in)));
}
CURLUcode curl_url_get(const CURLU* handle, CURLUPart what, char** part, unsigned int flags) {
  return static_cast<CURLUcode>(
      ms_url_get(reinterpret_cast<const ms_url*>(handle), static_cast<MSUPart>(what), part, flags));
}
CURLUcode curl_url_set(CURLU* handle, CURLUPart what, const char* part, unsigned int flags) {
  return static_cast<CURLUcode>(
      ms_url_set(reinterpret_cast<ms_url*>(handle), static_cast<MSUPart>(what), part, flags));
}
const char* curl_url_strerror(CURLUcode code) { return ms_url_strerror(static_cast<MSUcode>(code)); }

CURLSH* curl_share_init(void) { return ms_share_init(); }

CURLSHcode curl_share_setopt(CURLSH* share, CURLSHoption option, ...) {
  va_list args;
  va_start(args, option);
  auto* s = static_cast<ms_share*>(share);
  const auto o = static_cast<MSSHoption>(option);
  MSSHcode code = MSSHE_BAD_OPTION;
  switch (option) {
    case CURLSHOPT_SHARE:
    case CURLSHOPT_UNSHARE: code = ms_share_setopt(s, o, va_arg(args, long)); break;
    case CURLSHOPT_LOCKFUNC: code = ms_share_setopt(s, o, va_arg(args, ms_lock_function)); break;
    case CURLSHOPT_UNLOCKFUNC: code = ms_share_setopt(s, o, va_arg(args, ms_unlock_function)); break;
    case CURLSHOPT_USERDATA: code = ms_share_setopt(s, o, va_arg(args, void*)); break;
    default: code = ms_share_setopt(s, o, 0L); break;
  }
  va_end(args);
  return static_cast<CURLSHcode>(code);
}

CURLSHcode curl_share_cleanup(CURLSH* share) {
  return static_cast<CURLSHcode>(ms_share_cleanup(static_cast<ms_share*>(share)));
}

const char* curl_share_strerror(CURLSHcode code) { return ms_share_strerror(static_cast<MSSHcode>(code)); }

// Only an HTTP/2 push has push headers; none ever reaches a callback here.
char* curl_pushheader_bynum(struct curl_pushheaders* /*h*/, size_t /*num*/) { return nullptr; }
char* curl_pushheader_byname(struct curl_pushheaders* /*h*/, const char* /*name*/) { return nullptr; }

const char* curl_multi_strerror(CURLMcode code) {
  return ms_multi_strerror(static_cast<MSMcode>(code));
}

}  // extern "C"

// SPDX-License-Identifier: MIT
// engine_api.cpp: the engine's ms_* functions as an Api table.
//
// The table's signatures use void* handles and int codes so that any curl-style library
// fits it; the engine's functions take opaque struct pointers and enums. Rather than call
// them through a pointer of another type (undefined behaviour, and caught by clang's
// -fsanitize=function), each entry is a small adapter with the table's exact type.
#include <cstdarg>

#include "conformance/api.hpp"

namespace ms::conf {

namespace {

ms_multi* M(void* p) { return static_cast<ms_multi*>(p); }
ms_easy* E(void* p) { return static_cast<ms_easy*>(p); }

void* multi_init() { return ms_multi_init(); }
int multi_cleanup(void* m) { return ms_multi_cleanup(M(m)); }
int multi_add_handle(void* m, void* e) { return ms_multi_add_handle(M(m), E(e)); }
int multi_remove_handle(void* m, void* e) { return ms_multi_remove_handle(M(m), E(e)); }

// Option numbers tell the argument's type, as in libcurl: below 10000 a long, below 20000
// a pointer, below 30000 a function pointer, from 30000 an ms_off_t.
int multi_setopt(void* m, int option, ...) {
  va_list ap;
  va_start(ap, option);
  MSMcode rc;
  const auto o = static_cast<MSMoption>(option);
  if (option < MSOPTTYPE_OBJECTPOINT)
    rc = ms_multi_setopt(M(m), o, va_arg(ap, long));
  else if (option < MSOPTTYPE_FUNCTIONPOINT)
    rc = ms_multi_setopt(M(m), o, va_arg(ap, void*));
  else if (option < MSOPTTYPE_OFF_T)
    rc = ms_multi_setopt(M(m), o, va_arg(ap, void (*)()));
  else
    rc = ms_multi_setopt(M(m), o, va_arg(ap, ms_off_t));
  va_end(ap);
  return rc;
}

int easy_setopt(void* e, int option, ...) {
  va_list ap;
  va_start(ap, option);
  MSEcode rc;
  const auto o = static_cast<MSoption>(option);
  if (option < MSOPTTYPE_OBJECTPOINT)
    rc = ms_easy_setopt(E(e), o, va_arg(ap, long));
  else if (option < MSOPTTYPE_FUNCTIONPOINT)
    rc = ms_easy_setopt(E(e), o, va_arg(ap, void*));
  else if (option < MSOPTTYPE_OFF_T)
    rc = ms_easy_setopt(E(e), o, va_arg(ap, void (*)()));
  else
    rc = ms_easy_setopt(E(e), o, va_arg(ap, ms_off_t));
  va_end(ap);
  return rc;
}

int easy_getinfo(void* e, int info, ...) {
  va_list ap;
  va_start(ap, info);
  void* out = va_arg(ap, void*);  // every info is returned through a pointer
  va_end(ap);
  return ms_easy_getinfo(E(e), static_cast<MSINFO>(info), out);
}

int multi_socket_action(void* m, int fd, int mask, int* running) {
  return ms_multi_socket_action(M(m), fd, mask, running);
}
int multi_socket(void* m, int fd, int* running) { return ms_multi_socket(M(m), fd, running); }
int multi_socket_all(void* m, int* running) { return ms_multi_socket_all(M(m), running); }
int multi_assign(void* m, int fd, void* p) { return ms_multi_assign(M(m), fd, p); }
int multi_timeout(void* m, long* ms) { return ms_multi_timeout(M(m), ms); }
MSMsg* multi_info_read(void* m, int* left) { return ms_multi_info_read(M(m), left); }
const char* multi_strerror(int code) { return ms_multi_strerror(static_cast<MSMcode>(code)); }
void* easy_init() { return ms_easy_init(); }
void easy_cleanup(void* e) { ms_easy_cleanup(E(e)); }
const char* easy_strerror(int code) { return ms_easy_strerror(static_cast<MSEcode>(code)); }
int easy_pause(void* e, int bitmask) { return ms_easy_pause(E(e), bitmask); }
int multi_perform(void* m, int* running) { return ms_multi_perform(M(m), running); }
int multi_wait(void* m, ms_waitfd* extra, unsigned n, int timeout_ms, int* numfds) {
  return ms_multi_wait(M(m), extra, n, timeout_ms, numfds);
}
int multi_poll(void* m, ms_waitfd* extra, unsigned n, int timeout_ms, int* numfds) {
  return ms_multi_poll(M(m), extra, n, timeout_ms, numfds);
}
int multi_wakeup(void* m) { return ms_multi_wakeup(M(m)); }
int multi_fdset(void* m, fd_set* r, fd_set* w, fd_set* x, int* max_fd) {
  return ms_multi_fdset(M(m), r, w, x, max_fd);
}

}  // namespace

Api engine_api() {
  Api a;
  a.name = "engine";
  a.multi_init = &multi_init;
  a.multi_cleanup = &multi_cleanup;
  a.multi_add_handle = &multi_add_handle;
  a.multi_remove_handle = &multi_remove_handle;
  a.multi_setopt = &multi_setopt;
  a.multi_socket_action = &multi_socket_action;
  a.multi_socket = &multi_socket;
  a.multi_socket_all = &multi_socket_all;
  a.multi_assign = &multi_assign;
  a.multi_timeout = &multi_timeout;
  a.multi_info_read = &multi_info_read;
  a.multi_strerror = &multi_strerror;
  a.easy_init = &easy_init;
  a.easy_cleanup = &easy_cleanup;
  a.easy_setopt = &easy_setopt;
  a.easy_getinfo = &easy_getinfo;
  a.easy_strerror = &easy_strerror;
  a.easy_pause = &easy_pause;
  a.multi_perform = &multi_perform;
  a.multi_wait = &multi_wait;
  a.multi_poll = &multi_poll;
  a.multi_wakeup = &multi_wakeup;
  a.multi_fdset = &multi_fdset;
  a.slist_append = &ms_slist_append;
  a.slist_free_all = &ms_slist_free_all;
  a.version = "multisock 0.1.0";
  return a;
}

}  // namespace ms::conf

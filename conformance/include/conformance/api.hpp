// SPDX-License-Identifier: MIT
// api.hpp: an implementation of the multi-socket contract as a table of C functions.
//
// The engine (ms_* symbols) and any curl-style shared library (curl_*, fetch_*, loaded
// with dlopen) fill the same table; constants are numerically identical, so the driver
// and the checker work on every target alike. Handles are opaque pointers.
#pragma once

#include <cstdarg>
#include <cstddef>
#include <string>

#include "multisock/multisock.h"

namespace ms::conf {

struct Api {
  std::string name;  // "engine", "libcurl.so.4", ...
  void* (*multi_init)() = nullptr;
  int (*multi_cleanup)(void* multi) = nullptr;
  int (*multi_add_handle)(void* multi, void* easy) = nullptr;
  int (*multi_remove_handle)(void* multi, void* easy) = nullptr;
  int (*multi_setopt)(void* multi, int option, ...) = nullptr;
  int (*multi_socket_action)(void* multi, int fd, int mask, int* running) = nullptr;
  int (*multi_socket)(void* multi, int fd, int* running) = nullptr;        // may be null
  int (*multi_socket_all)(void* multi, int* running) = nullptr;            // may be null
  int (*multi_assign)(void* multi, int fd, void* socketp) = nullptr;
  int (*multi_timeout)(void* multi, long* ms) = nullptr;
  MSMsg* (*multi_info_read)(void* multi, int* msgs_in_queue) = nullptr;  // same layout
  const char* (*multi_strerror)(int code) = nullptr;
  void* (*easy_init)() = nullptr;
  void (*easy_cleanup)(void* easy) = nullptr;
  int (*easy_setopt)(void* easy, int option, ...) = nullptr;
  int (*easy_getinfo)(void* easy, int info, ...) = nullptr;
  const char* (*easy_strerror)(int code) = nullptr;
  // MSPAUSE_* bits, as curl_easy_pause. May be null: a target without it cannot run
  // scenarios whose policy pauses transfers (they are skipped, saying so).
  int (*easy_pause)(void* easy, int bitmask) = nullptr;
  // The classic loop (curl_multi_perform(3) and the calls that wait for it). May be null:
  // a target without them cannot run the scenarios of a classic-loop policy (skipped).
  int (*multi_perform)(void* multi, int* running) = nullptr;
  int (*multi_wait)(void* multi, ms_waitfd* extra, unsigned n, int timeout_ms, int* numfds) = nullptr;
  int (*multi_poll)(void* multi, ms_waitfd* extra, unsigned n, int timeout_ms, int* numfds) = nullptr;
  int (*multi_wakeup)(void* multi) = nullptr;
  int (*multi_fdset)(void* multi, fd_set* read, fd_set* write, fd_set* exc, int* max_fd) = nullptr;
  ms_slist* (*slist_append)(ms_slist* list, const char* s) = nullptr;    // same layout
  void (*slist_free_all)(ms_slist* list) = nullptr;
  const char* version = "";  // what the implementation says of itself
};

// The engine's own functions.
Api engine_api();

}  // namespace ms::conf

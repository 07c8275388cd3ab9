// SPDX-License-Identifier: MIT
// api.cpp: every C entry point (multi handles, easy handles, string lists) and the handle
// registry. Every entry validates its handles before touching them; see registry.hpp.
#include <cstdarg>
#include <cstdlib>
#include <cstring>

#include "easy.hpp"
#include "handle_arena.hpp"
#include "headers.hpp"
#include "multi.hpp"
#include "multisock/engine.hpp"
#include "registry.hpp"
#include "share.hpp"
#include "transfer.hpp"

namespace ms::registry {
namespace {
// Never destroyed: a handle may be freed by a static destructor that runs after ours would.
HandleArena& multis() {
  static HandleArena& a = *new HandleArena(sizeof(ms_multi));
  return a;
}
HandleArena& easies() {
  static HandleArena& a = *new HandleArena(sizeof(ms_easy));
  return a;
}
HandleArena& shares() {
  static HandleArena& a = *new HandleArena(sizeof(ms_share));
  return a;
}
}  // namespace

void* allocate_multi() { return multis().take(); }
void* allocate_easy() { return easies().take(); }
void* allocate_share() { return shares().take(); }
void destroy(ms_multi* m) {
  m->~ms_multi();
  multis().give(m);
}
void destroy(ms_easy* e) {
  e->~ms_easy();
  easies().give(e);
}
void destroy(ms_share* s) {
  s->~ms_share();
  shares().give(s);
}
bool live(const ms_multi* m) { return multis().live(m); }
bool live(const ms_easy* e) { return easies().live(e); }
bool live(const ms_share* s) { return shares().live(s); }

}  // namespace ms::registry

namespace ms {

ms_multi* multi_init(const port::Ports& ports, const MultiOptions& options) {
  if (!ports.clock || !ports.net || !ports.resolver) return nullptr;
  if (options.mutant != Mutant::none && !mutants_compiled_in()) return nullptr;
  return registry::make<ms_multi>(registry::allocate_multi(), ports, options.mutant);
}

}  // namespace ms

extern "C" {

MSMcode ms_multi_cleanup(ms_multi* multi) {
  if (!ms::registry::live(multi)) return MSM_BAD_HANDLE;
  const MSMcode rc = multi->cleanup();
  if (rc != MSM_OK) return rc;
  ms::registry::destroy(multi);
  return MSM_OK;
}

MSMcode ms_multi_add_handle(ms_multi* multi, ms_easy* easy) {
  if (!ms::registry::live(multi)) return MSM_BAD_HANDLE;
  if (!ms::registry::live(easy)) return MSM_BAD_EASY_HANDLE;
  return multi->add_handle(easy);
}

MSMcode ms_multi_remove_handle(ms_multi* multi, ms_easy* easy) {
  if (!ms::registry::live(multi)) return MSM_BAD_HANDLE;
  if (!ms::registry::live(easy)) return MSM_BAD_EASY_HANDLE;
  return multi->remove_handle(easy);
}

MSMcode ms_multi_setopt(ms_multi* multi, MSMoption option, ...) {
  if (!ms::registry::live(multi)) return MSM_BAD_HANDLE;
  va_list args;
  va_start(args, option);
  const MSMcode rc = multi->setopt(option, args);
  va_end(args);
  return rc;
}

MSMcode ms_multi_socket_action(ms_multi* multi, ms_socket_t sockfd, int ev_bitmask, int* running_handles) {
  if (!ms::registry::live(multi)) return MSM_BAD_HANDLE;
  return multi->socket_action(sockfd, ev_bitmask, running_handles);
}

MSMcode ms_multi_socket(ms_multi* multi, ms_socket_t sockfd, int* running_handles) {
  return ms_multi_socket_action(multi, sockfd, 0, running_handles);
}

MSMcode ms_multi_socket_all(ms_multi* multi, int* running_handles) {
  if (!ms::registry::live(multi)) return MSM_BAD_HANDLE;
  return multi->socket_all(running_handles);
}

MSMcode ms_multi_perform(ms_multi* multi, int* running_handles) {
  if (!ms::registry::live(multi)) return MSM_BAD_HANDLE;
  return multi->perform(running_handles);
}

MSMcode ms_multi_wait(ms_multi* multi, ms_waitfd extra_fds[], unsigned int extra_nfds, int timeout_ms, int* numfds) {
  if (!ms::registry::live(multi)) return MSM_BAD_HANDLE;
  return multi->wait(extra_fds, extra_nfds, timeout_ms, numfds, false);
}

MSMcode ms_multi_poll(ms_multi* multi, ms_waitfd extra_fds[], unsigned int extra_nfds, int timeout_ms, int* numfds) {
  if (!ms::registry::live(multi)) return MSM_BAD_HANDLE;
  return multi->wait(extra_fds, extra_nfds, timeout_ms, numfds, true);
}

MSMcode ms_multi_wakeup(ms_multi* multi) {
  if (!ms::registry::live(multi)) return MSM_BAD_HANDLE;
  return multi->wakeup();
}

MSMcode ms_multi_fdset(ms_multi* multi, fd_set* read_fd_set, fd_set* write_fd_set, fd_set* exc_fd_set,
                       int* max_fd) {
  (void)exc_fd_set;  // nothing is waited for as an exception, as in libcurl
  if (!ms::registry::live(multi)) return MSM_BAD_HANDLE;
  return multi->fdset(read_fd_set, write_fd_set, max_fd);
}

MSMcode ms_multi_assign(ms_multi* multi, ms_socket_t sockfd, void* sockp) {
  if (!ms::registry::live(multi)) return MSM_BAD_HANDLE;
  return multi->assign(sockfd, sockp);
}

MSMcode ms_multi_timeout(ms_multi* multi, long* milliseconds) {
  if (!ms::registry::live(multi)) return MSM_BAD_HANDLE;
  return multi->timeout(milliseconds);
}

MSMsg* ms_multi_info_read(ms_multi* multi, int* msgs_in_queue) {
  if (!ms::registry::live(multi)) {
    if (msgs_in_queue) *msgs_in_queue = 0;
    return nullptr;
  }
  return multi->info_read(msgs_in_queue);
}

}  // extern "C"

ms_easy::ms_easy() = default;  // (HeaderStore complete here: headers.hpp)
ms_easy::~ms_easy() = default;  // (HeaderStore complete here)

extern "C" {

ms_easy* ms_easy_init(void) {
  return ms::registry::make<ms_easy>(ms::registry::allocate_easy());
}

void ms_easy_cleanup(ms_easy* easy) {
  if (!ms::registry::live(easy)) return;
  if (easy->multi) {
    // Freeing a handle from inside one of its multi's callbacks would pull the ground
    // from under the running call: refused (the handle stays valid).
    if (easy->multi->in_callback()) return;
    ms_multi_remove_handle(easy->multi, easy);
  }
  if (easy->connected_in) easy->connected_in->release_connected(easy);
  if (easy->own_multi) ms_multi_cleanup(easy->own_multi);
  ms::share_attach(*easy, nullptr);
  ms::registry::destroy(easy);
}

MSEcode ms_easy_setopt(ms_easy* easy, MSoption option, ...) {
  if (!ms::registry::live(easy)) return MSE_BAD_FUNCTION_ARGUMENT;
  va_list args;
  va_start(args, option);
  const MSEcode rc = option == MSOPT_SHARE ? ms::share_attach(*easy, va_arg(args, ms_share*))
                                           : ms::easy_setopt(easy->opt, option, args);
  va_end(args);
  return rc;
}

MSEcode ms_easy_getinfo(ms_easy* easy, MSINFO info, ...) {
  if (!ms::registry::live(easy)) return MSE_BAD_FUNCTION_ARGUMENT;
  va_list args;
  va_start(args, info);
  void* out = va_arg(args, void*);
  va_end(args);
  if (!out) return MSE_BAD_FUNCTION_ARGUMENT;
  return ms::easy_getinfo(*easy, info, out);
}

namespace {

// The handle's CONNECT_ONLY connection, or nullptr (with *n zeroed either way).
ms::Connection* connect_only_connection(ms_easy* easy, std::size_t* n) {
  if (n) *n = 0;
  return easy->connected_in ? easy->connected_in->connected(easy) : nullptr;
}

}  // namespace

MSEcode ms_easy_send(ms_easy* easy, const void* buffer, size_t length, size_t* n) {
  if (!ms::registry::live(easy) || !n || (!buffer && length > 0)) return MSE_BAD_FUNCTION_ARGUMENT;
  ms::Connection* c = connect_only_connection(easy, n);
  if (!c) return MSE_UNSUPPORTED_PROTOCOL;
  const ms::port::IoResult r = c->transport->send(static_cast<const std::byte*>(buffer), length);
  if (r.error == ms::port::NetError::none || r.error == ms::port::NetError::would_block) {
    // TLS: the records just made go out now, or when the socket takes them next time.
    const ms::port::IoResult f = c->transport->flush();
    if (f.error != ms::port::NetError::none && f.error != ms::port::NetError::would_block) return MSE_SEND_ERROR;
  }
  if (r.error == ms::port::NetError::would_block) return MSE_AGAIN;
  if (r.error != ms::port::NetError::none) return MSE_SEND_ERROR;
  *n = r.bytes;
  return MSE_OK;
}

MSEcode ms_easy_recv(ms_easy* easy, void* buffer, size_t length, size_t* n) {
  if (!ms::registry::live(easy) || !n || (!buffer && length > 0)) return MSE_BAD_FUNCTION_ARGUMENT;
  ms::Connection* c = connect_only_connection(easy, n);
  if (!c) return MSE_UNSUPPORTED_PROTOCOL;
  const ms::port::IoResult r = c->transport->recv(static_cast<std::byte*>(buffer), length);
  if (r.error == ms::port::NetError::would_block) return MSE_AGAIN;
  if (r.error != ms::port::NetError::none) return MSE_RECV_ERROR;
  *n = r.bytes;  // 0 with MSE_OK: the peer closed its side
  return MSE_OK;
}

MSEcode ms_easy_pause(ms_easy* easy, int bitmask) {
  if (!ms::registry::live(easy)) return MSE_BAD_FUNCTION_ARGUMENT;
  if (bitmask & ~MSPAUSE_ALL) return MSE_BAD_FUNCTION_ARGUMENT;
  const int before = easy->pause_bits;
  easy->pause_bits = bitmask;
  if (before != bitmask && easy->multi) easy->multi->pause_changed(easy);
  return MSE_OK;
}

ms_slist* ms_slist_append(ms_slist* list, const char* string) {
  if (!string) return nullptr;
  const std::size_t n = std::strlen(string);
  char* copy = static_cast<char*>(std::malloc(n + 1));
  if (!copy) return nullptr;
  std::memcpy(copy, string, n + 1);
  auto* item = static_cast<ms_slist*>(std::malloc(sizeof(ms_slist)));
  if (!item) {
    std::free(copy);
    return nullptr;
  }
  item->data = copy;
  item->next = nullptr;
  if (!list) return item;
  ms_slist* last = list;
  while (last->next) last = last->next;
  last->next = item;
  return list;
}

void ms_slist_free_all(ms_slist* list) {
  while (list) {
    ms_slist* next = list->next;
    std::free(list->data);
    std::free(list);
    list = next;
  }
}

}  // extern "C"

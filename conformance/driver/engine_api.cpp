// engine_api.cpp: the engine's ms_* functions as an Api table.
#include "conformance/api.hpp"

namespace ms::conf {

namespace {
// The table's signatures use void* handles and int codes; the ms_* functions use opaque
// struct pointers and enums of the same representation.
template <typename To, typename From>
To as(From f) {
  return reinterpret_cast<To>(reinterpret_cast<void (*)()>(f));
}
}  // namespace

Api engine_api() {
  Api a;
  a.name = "engine";
  a.multi_init = as<decltype(a.multi_init)>(&ms_multi_init);
  a.multi_cleanup = as<decltype(a.multi_cleanup)>(&ms_multi_cleanup);
  a.multi_add_handle = as<decltype(a.multi_add_handle)>(&ms_multi_add_handle);
  a.multi_remove_handle = as<decltype(a.multi_remove_handle)>(&ms_multi_remove_handle);
  a.multi_setopt = as<decltype(a.multi_setopt)>(&ms_multi_setopt);
  a.multi_socket_action = as<decltype(a.multi_socket_action)>(&ms_multi_socket_action);
  a.multi_socket = as<decltype(a.multi_socket)>(&ms_multi_socket);
  a.multi_socket_all = as<decltype(a.multi_socket_all)>(&ms_multi_socket_all);
  a.multi_assign = as<decltype(a.multi_assign)>(&ms_multi_assign);
  a.multi_timeout = as<decltype(a.multi_timeout)>(&ms_multi_timeout);
  a.multi_info_read = as<decltype(a.multi_info_read)>(&ms_multi_info_read);
  a.multi_strerror = as<decltype(a.multi_strerror)>(&ms_multi_strerror);
  a.easy_init = as<decltype(a.easy_init)>(&ms_easy_init);
  a.easy_cleanup = as<decltype(a.easy_cleanup)>(&ms_easy_cleanup);
  a.easy_setopt = as<decltype(a.easy_setopt)>(&ms_easy_setopt);
  a.easy_getinfo = as<decltype(a.easy_getinfo)>(&ms_easy_getinfo);
  a.easy_strerror = as<decltype(a.easy_strerror)>(&ms_easy_strerror);
  a.slist_append = as<decltype(a.slist_append)>(&ms_slist_append);
  a.slist_free_all = as<decltype(a.slist_free_all)>(&ms_slist_free_all);
  a.version = "multisock 0.1.0";
  return a;
}

}  // namespace ms::conf

// SPDX-License-Identifier: MIT
// load.cpp: dlopen a curl-style library and fill the Api table from its symbols.
#include <dlfcn.h>

#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "conformance/thirdparty.hpp"

namespace ms::conf {
namespace {

// libcurl's CURL_GLOBAL_DEFAULT (CURL_GLOBAL_SSL | CURL_GLOBAL_WIN32).
constexpr long kGlobalDefault = 3;

// Libraries whose global_init already ran, by dlopen handle: a second load of the same
// library (dlopen hands back the same handle) must not initialise it again.
std::mutex g_mutex;
std::set<void*>& initialised() {
  static std::set<void*> handles;
  return handles;
}

std::string file_name(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

template <typename Fn>
void take(void* lib, const std::string& prefix, const char* name, Fn& slot, bool required,
          std::vector<std::string>& missing) {
  const std::string symbol = prefix + name;
  void* address = dlsym(lib, symbol.c_str());
  if (address == nullptr && required) missing.push_back(symbol);
  slot = reinterpret_cast<Fn>(address);
}

}  // namespace

bool load_library_api(const std::string& path, const std::string& prefix, Api& out,
                      std::string* error) {
  auto fail = [&](std::string why) {
    if (error != nullptr) *error = std::move(why);
    return false;
  };
  if (path.empty()) return fail("no library path given");
  void* lib = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (lib == nullptr) {
    const char* why = dlerror();
    return fail("cannot load '" + path + "': " + (why != nullptr ? why : "unknown dlopen error"));
  }
  // The handle is never closed: the table's pointers must stay valid for the process.

  Api api;
  api.name = file_name(path);
  std::vector<std::string> missing;
  const char* (*version)() = nullptr;
  take(lib, prefix, "multi_init", api.multi_init, true, missing);
  take(lib, prefix, "multi_cleanup", api.multi_cleanup, true, missing);
  take(lib, prefix, "multi_add_handle", api.multi_add_handle, true, missing);
  take(lib, prefix, "multi_remove_handle", api.multi_remove_handle, true, missing);
  take(lib, prefix, "multi_setopt", api.multi_setopt, true, missing);
  take(lib, prefix, "multi_socket_action", api.multi_socket_action, true, missing);
  // Deprecated entry points: a rewrite may leave them out, the table allows null.
  take(lib, prefix, "multi_socket", api.multi_socket, false, missing);
  take(lib, prefix, "multi_socket_all", api.multi_socket_all, false, missing);
  take(lib, prefix, "multi_assign", api.multi_assign, true, missing);
  take(lib, prefix, "multi_timeout", api.multi_timeout, true, missing);
  take(lib, prefix, "multi_info_read", api.multi_info_read, true, missing);
  take(lib, prefix, "multi_strerror", api.multi_strerror, true, missing);
  take(lib, prefix, "easy_init", api.easy_init, true, missing);
  take(lib, prefix, "easy_cleanup", api.easy_cleanup, true, missing);
  take(lib, prefix, "easy_setopt", api.easy_setopt, true, missing);
  take(lib, prefix, "easy_getinfo", api.easy_getinfo, true, missing);
  take(lib, prefix, "easy_strerror", api.easy_strerror, true, missing);
  // Optional: without it the pause scenarios are skipped, the rest still run.
  take(lib, prefix, "easy_pause", api.easy_pause, false, missing);
  // Optional too: the classic loop (without them its scenarios are skipped).
  take(lib, prefix, "multi_perform", api.multi_perform, false, missing);
  take(lib, prefix, "multi_wait", api.multi_wait, false, missing);
  take(lib, prefix, "multi_poll", api.multi_poll, false, missing);
  take(lib, prefix, "multi_wakeup", api.multi_wakeup, false, missing);
  take(lib, prefix, "multi_fdset", api.multi_fdset, false, missing);
  take(lib, prefix, "slist_append", api.slist_append, true, missing);
  take(lib, prefix, "slist_free_all", api.slist_free_all, true, missing);
  take(lib, prefix, "version", version, true, missing);
  if (!missing.empty()) {
    std::string why = "'" + path + "' lacks " + std::to_string(missing.size()) +
                      " required symbol" + (missing.size() == 1 ? "" : "s") + ":";
    for (const auto& name : missing) why += " " + name;
    return fail(why);
  }

  int (*global_init)(long) = nullptr;
  std::vector<std::string> unused;
  take(lib, prefix, "global_init", global_init, false, unused);
  if (global_init != nullptr) {
    std::lock_guard lock(g_mutex);
    if (initialised().insert(lib).second) {
      const int code = global_init(kGlobalDefault);
      if (code != 0) {
        initialised().erase(lib);
        return fail("'" + path + "': " + prefix + "global_init failed with code " +
                    std::to_string(code));
      }
    }
  }
  const char* text = version();
  api.version = text != nullptr ? text : "";
  out = std::move(api);
  return true;
}

}  // namespace ms::conf

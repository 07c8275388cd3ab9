// SPDX-License-Identifier: MIT
// module.cpp: the Lua 5.4 module `multisock` (require "multisock").
//
// The document's shapes:
//   local multi = multisock.Multi()              -- or multisock.Multi("/path/libcurl.so.4")
//   multi:SetOpt(multisock.MOPT_SOCKETFUNCTION, function(easy, fd, what, socketp) ... end)
//   multi:SetOpt(multisock.MOPT_TIMERFUNCTION, function(timeout_ms) ... end)
//   local easy = multisock.Easy()                 -- same library argument as the Multi
//   easy:SetOpt(multisock.OPT_URL, url); multi:AddHandle(easy)
//   running = multi:SocketAction(socket, mask)
//   msg, easy, result, left = multi:InfoRead()    -- nil when no message waits
//   multi:Timeout(), multi:Assign(fd, value), easy:GetInfo(info), easy:Body()
//   ready = multisock.poll({[fd] = POLL_IN|POLL_OUT|POLL_INOUT, ...}, timeout_ms)
//           -- {[fd] = CSELECT_* mask} for the descriptors with events (a tiny poll(2))
//   multisock.monotonic_ms()                      -- CLOCK_MONOTONIC, for the loop's timer
//
// The same loop over a simulated world (bindings/common/sim_world.hpp) instead of real
// sockets and time:
//   local world = multisock.sim_world("peers.scn")    -- or {file = ..., text = ..., seed = n}
//   local multi = multisock.Multi(world)              -- the engine over the world's ports
//   local easy = multisock.Easy(world)                -- (the engine's handles)
//   ready = world:Poll({[fd] = POLL_*}, timeout_ms)   -- as multisock.poll, in virtual time
//   world:Now()                                       -- virtual ms, for the loop's timer
//   world:Advance(ms), world:InjectError(fd, "reset"), world:OpenDescriptors(), world:Seed()
// A Multi keeps its world alive (a user value); a world's poll with no timeout and nothing
// left to happen raises an error rather than waiting for ever.
//
// How it works (as the Python binding, bindings/python/module.cpp): the binding's C
// trampolines are installed once per handle with the userdata as their data pointer; the
// Lua functions and objects they need live in the registry. A callback runs under
// lua_pcall, so a Lua error never unwinds through the engine; the first error of a call is
// kept and raised when the engine call returns. Errors of the contract are raised as a
// table {code = 5, name = "MSM_BAD_SOCKET", message = "..."} whose tostring is
// "MSM_BAD_SOCKET: Invalid socket argument".
//
// Lua errors are longjmps: no function here holds an object with a destructor across a
// call that may raise (luaL_check*, lua_error), and engine calls never run a Lua function
// outside lua_pcall.
extern "C" {
#include <lauxlib.h>
#include <lua.h>
}

#include <poll.h>
#include <time.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backend.hpp"
#include "conformance/scenario.hpp"
#include "sim_world.hpp"

namespace {

using ms::conf::Api;

constexpr const char* kMultiMeta = "multisock.Multi";
constexpr const char* kEasyMeta = "multisock.Easy";
constexpr const char* kErrorMeta = "multisock.Error";
constexpr const char* kWorldMeta = "multisock.World";

// A simulated world's userdata: the pointer only (the world is made in C++, outside Lua's
// allocator; __gc deletes it).
struct World {
  ms::bind::SimWorld* world;
};

struct Easy;

struct Multi {
  const Api* api;
  void* multi;
  lua_State* L;      // the state of the call in progress (callbacks run on it)
  bool closing;
  int socket_ref;    // LUA_NOREF when unset
  int timer_ref;
  int error_ref;     // the first error a callback raised during the current call
  std::map<void*, std::pair<Easy*, int>>* easies;  // added handles: userdata and its ref
  std::map<int, int>* socketps;                     // fd -> ref of the Assign()ed value
};

struct Easy {
  const Api* api;
  void* easy;
  Multi* multi;  // while added
  lua_State* L;
  int write_ref;
  std::string* body;
  std::map<int, std::string>* strings;
  std::map<int, ms_slist*>* lists;
};

// ---- errors ----------------------------------------------------------------------------------

int error_tostring(lua_State* L) {
  lua_getfield(L, 1, "name");
  lua_pushstring(L, ": ");
  lua_getfield(L, 1, "message");
  lua_concat(L, 3);
  return 1;
}

// Pushes the error table for a code; the caller raises it with lua_error.
void push_code_error(lua_State* L, int code, const char* name, const char* text) {
  lua_createtable(L, 0, 3);
  lua_pushinteger(L, code);
  lua_setfield(L, -2, "code");
  lua_pushstring(L, name);
  lua_setfield(L, -2, "name");
  lua_pushstring(L, text != nullptr ? text : "");
  lua_setfield(L, -2, "message");
  luaL_setmetatable(L, kErrorMeta);
}

int raise_multi(lua_State* L, const Api* api, int code) {
  push_code_error(L, code, ms::bind::multi_code_name(code), api->multi_strerror(code));
  return lua_error(L);
}

int raise_easy(lua_State* L, const Api* api, int code) {
  push_code_error(L, code, ms::bind::easy_code_name(code), api->easy_strerror(code));
  return lua_error(L);
}

// Runs the function and arguments on the stack under lua_pcall; keeps the first error.
void protected_call(lua_State* L, Multi* multi, int nargs) {
  if (lua_pcall(L, nargs, 0, 0) != LUA_OK) {
    if (multi != nullptr && multi->error_ref == LUA_NOREF) {
      multi->error_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    } else {
      lua_pop(L, 1);
    }
  }
}

// ---- trampolines -------------------------------------------------------------------------------

void push_ref(lua_State* L, int ref) {
  if (ref == LUA_NOREF || ref == LUA_REFNIL) {
    lua_pushnil(L);
  } else {
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
  }
}

int socket_trampoline(void* easy, int fd, int what, void* userp, void* /*socketp*/) {
  auto* self = static_cast<Multi*>(userp);
  if (self->closing) return 0;
  lua_State* L = self->L;
  if (self->socket_ref != LUA_NOREF) {
    push_ref(L, self->socket_ref);
    auto it = self->easies->find(easy);
    push_ref(L, it != self->easies->end() ? it->second.second : LUA_NOREF);
    lua_pushinteger(L, fd);
    lua_pushinteger(L, what);
    auto sp = self->socketps->find(fd);
    push_ref(L, sp != self->socketps->end() ? sp->second : LUA_NOREF);
    protected_call(L, self, 4);
  }
  if (what == MS_POLL_REMOVE) {  // the engine forgets the socket's value now
    if (auto sp = self->socketps->find(fd); sp != self->socketps->end()) {
      luaL_unref(L, LUA_REGISTRYINDEX, sp->second);
      self->socketps->erase(sp);
    }
  }
  return 0;
}

int timer_trampoline(void* /*multi*/, long timeout_ms, void* userp) {
  auto* self = static_cast<Multi*>(userp);
  if (self->closing || self->timer_ref == LUA_NOREF) return 0;
  lua_State* L = self->L;
  push_ref(L, self->timer_ref);
  lua_pushinteger(L, timeout_ms);
  protected_call(L, self, 1);
  return 0;
}

size_t write_trampoline(char* ptr, size_t size, size_t nmemb, void* userdata) {
  auto* self = static_cast<Easy*>(userdata);
  const size_t n = size * nmemb;
  if (self->write_ref == LUA_NOREF || self->multi == nullptr) {
    self->body->append(ptr, n);
    return n;
  }
  lua_State* L = self->multi->L;
  const int before = self->multi->error_ref;
  push_ref(L, self->write_ref);
  lua_pushlstring(L, ptr, n);
  protected_call(L, self->multi, 1);
  // A write function that raised takes nothing: the transfer ends with a write error.
  return (before == LUA_NOREF && self->multi->error_ref != LUA_NOREF) ? 0 : n;
}

// ---- backend ---------------------------------------------------------------------------------

// Opens the backend named by the optional string arguments at idx, idx+1 (a world there
// names the engine); raises on failure.
const Api* check_backend(lua_State* L, int idx) {
  if (luaL_testudata(L, idx, kWorldMeta) != nullptr) {
    std::string unused;
    return ms::bind::open_backend("", "", &unused);  // the engine's table: never fails
  }
  const char* lib = luaL_optstring(L, idx, "");
  const char* prefix = luaL_optstring(L, idx + 1, "curl_");
  const Api* api = nullptr;
  {
    std::string error;
    api = ms::bind::open_backend(lib, prefix, &error);
    if (api == nullptr) lua_pushstring(L, error.c_str());
  }
  if (api == nullptr) lua_error(L);
  return api;
}

// ---- Easy --------------------------------------------------------------------------------------

Easy* check_easy(lua_State* L, int idx) {
  auto* self = static_cast<Easy*>(luaL_checkudata(L, idx, kEasyMeta));
  if (self->easy == nullptr) luaL_error(L, "the easy handle is closed");
  return self;
}

int easy_new(lua_State* L) {
  const Api* api = check_backend(L, 1);
  auto* self = static_cast<Easy*>(lua_newuserdatauv(L, sizeof(Easy), 0));
  std::memset(static_cast<void*>(self), 0, sizeof(Easy));
  self->write_ref = LUA_NOREF;
  luaL_setmetatable(L, kEasyMeta);
  self->api = api;
  self->easy = api->easy_init();
  if (self->easy == nullptr) return luaL_error(L, "%s: easy_init failed", api->name.c_str());
  self->body = new std::string();
  self->strings = new std::map<int, std::string>();
  self->lists = new std::map<int, ms_slist*>();
  api->easy_setopt(self->easy, MSOPT_WRITEFUNCTION, &write_trampoline);
  api->easy_setopt(self->easy, MSOPT_WRITEDATA, static_cast<void*>(self));
  api->easy_setopt(self->easy, MSOPT_NOSIGNAL, 1L);
  return 1;
}

void easy_release(lua_State* L, Easy* self) {
  if (self->easy != nullptr) {
    self->api->easy_cleanup(self->easy);
    self->easy = nullptr;
  }
  if (self->lists != nullptr) {
    for (auto& [option, list] : *self->lists) self->api->slist_free_all(list);
  }
  delete self->lists;
  self->lists = nullptr;
  delete self->strings;
  self->strings = nullptr;
  delete self->body;
  self->body = nullptr;
  if (self->write_ref != LUA_NOREF) luaL_unref(L, LUA_REGISTRYINDEX, self->write_ref);
  self->write_ref = LUA_NOREF;
}

int easy_gc(lua_State* L) {
  auto* self = static_cast<Easy*>(luaL_checkudata(L, 1, kEasyMeta));
  // An added handle is referenced by its Multi, so it is collected while added only when
  // the state closes, in any order: detach it without calling back into Lua.
  if (Multi* multi = self->multi; multi != nullptr && multi->multi != nullptr) {
    const bool closing = multi->closing;
    multi->closing = true;
    multi->api->multi_remove_handle(multi->multi, self->easy);
    multi->closing = closing;
    if (auto it = multi->easies->find(self->easy); it != multi->easies->end()) {
      luaL_unref(L, LUA_REGISTRYINDEX, it->second.second);
      multi->easies->erase(it);
    }
    self->multi = nullptr;
  }
  easy_release(L, self);
  return 0;
}

// easy:SetOpt(option, value): integer, string, table of strings (HTTPHEADER, RESOLVE) or a
// function (WRITEFUNCTION: f(data)).
int easy_setopt(lua_State* L) {
  Easy* self = check_easy(L, 1);
  const int option = static_cast<int>(luaL_checkinteger(L, 2));
  const Api* api = self->api;
  int rc = MSE_OK;
  if (option == MSOPT_WRITEFUNCTION) {
    if (!lua_isnil(L, 3)) luaL_checktype(L, 3, LUA_TFUNCTION);
    if (self->write_ref != LUA_NOREF) luaL_unref(L, LUA_REGISTRYINDEX, self->write_ref);
    self->write_ref = LUA_NOREF;
    if (!lua_isnil(L, 3)) {
      lua_pushvalue(L, 3);
      self->write_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    }
    return 0;
  }
  if (option == MSOPT_HTTPHEADER || option == MSOPT_RESOLVE) {
    luaL_checktype(L, 3, LUA_TTABLE);
    const lua_Integer n = luaL_len(L, 3);
    for (lua_Integer i = 1; i <= n; ++i) {  // check every entry before building the list
      lua_geti(L, 3, i);
      if (lua_type(L, -1) != LUA_TSTRING) return luaL_error(L, "option %d: entry %d is not a string", option, (int)i);
      lua_pop(L, 1);
    }
    ms_slist* list = nullptr;
    for (lua_Integer i = 1; i <= n; ++i) {
      lua_geti(L, 3, i);
      ms_slist* next = api->slist_append(list, lua_tostring(L, -1));
      lua_pop(L, 1);
      if (next == nullptr) {
        if (list != nullptr) api->slist_free_all(list);
        return luaL_error(L, "out of memory");
      }
      list = next;
    }
    rc = api->easy_setopt(self->easy, option, static_cast<void*>(list));
    if (rc != MSE_OK) {
      if (list != nullptr) api->slist_free_all(list);
      return raise_easy(L, api, rc);
    }
    ms_slist*& slot = (*self->lists)[option];
    if (slot != nullptr) api->slist_free_all(slot);
    slot = list;
    return 0;
  }
  switch (ms::bind::option_kind(option)) {
    case ms::bind::OptionKind::Long:
      rc = api->easy_setopt(self->easy, option, static_cast<long>(luaL_checkinteger(L, 3)));
      break;
    case ms::bind::OptionKind::OffT:
      rc = api->easy_setopt(self->easy, option, static_cast<int64_t>(luaL_checkinteger(L, 3)));
      break;
    case ms::bind::OptionKind::Pointer: {
      if (option == MSOPT_WRITEDATA || option == MSOPT_HEADERDATA || option == MSOPT_PRIVATE ||
          option == MSOPT_READDATA || option == MSOPT_ERRORBUFFER)
        return luaL_error(L, "option %d is not available from Lua", option);
      size_t size = 0;
      const char* text = luaL_checklstring(L, 3, &size);
      std::string& slot = (*self->strings)[option];
      const std::string previous = slot;
      slot.assign(text, size);
      rc = api->easy_setopt(self->easy, option, static_cast<const void*>(slot.c_str()));
      if (rc == MSE_OK && option == MSOPT_POSTFIELDS)
        api->easy_setopt(self->easy, MSOPT_POSTFIELDSIZE_LARGE, static_cast<int64_t>(size));
      if (rc != MSE_OK) {  // give the handle its previous string back before raising
        slot = previous;
        if (!slot.empty()) api->easy_setopt(self->easy, option, static_cast<const void*>(slot.c_str()));
      }
      break;
    }
    case ms::bind::OptionKind::Function:
      return luaL_error(L, "function option %d is not available from Lua", option);
  }
  if (rc != MSE_OK) return raise_easy(L, api, rc);
  return 0;
}

int easy_getinfo(lua_State* L) {
  Easy* self = check_easy(L, 1);
  const int info = static_cast<int>(luaL_checkinteger(L, 2));
  const Api* api = self->api;
  int rc = MSE_UNKNOWN_OPTION;
  switch (ms::bind::info_kind(info)) {
    case ms::bind::InfoKind::String: {
      if (info == MSINFO_PRIVATE) break;
      const char* text = nullptr;
      rc = api->easy_getinfo(self->easy, info, &text);
      if (rc != MSE_OK) break;
      if (text == nullptr) {
        lua_pushnil(L);
      } else {
        lua_pushstring(L, text);
      }
      return 1;
    }
    case ms::bind::InfoKind::Long: {
      long v = 0;
      rc = api->easy_getinfo(self->easy, info, &v);
      if (rc != MSE_OK) break;
      lua_pushinteger(L, v);
      return 1;
    }
    case ms::bind::InfoKind::Double: {
      double v = 0;
      rc = api->easy_getinfo(self->easy, info, &v);
      if (rc != MSE_OK) break;
      lua_pushnumber(L, v);
      return 1;
    }
    case ms::bind::InfoKind::OffT: {
      int64_t v = 0;
      rc = api->easy_getinfo(self->easy, info, &v);
      if (rc != MSE_OK) break;
      lua_pushinteger(L, v);
      return 1;
    }
    case ms::bind::InfoKind::Unknown:
      break;
  }
  return raise_easy(L, api, rc);
}

int easy_body(lua_State* L) {
  Easy* self = check_easy(L, 1);
  lua_pushlstring(L, self->body->data(), self->body->size());
  return 1;
}

int multi_remove_easy(lua_State* L, Multi* multi, Easy* easy);

int easy_close(lua_State* L) {
  auto* self = static_cast<Easy*>(luaL_checkudata(L, 1, kEasyMeta));
  if (self->multi != nullptr) multi_remove_easy(L, self->multi, self);
  easy_release(L, self);
  return 0;
}

// ---- Multi ---------------------------------------------------------------------------------------

Multi* check_multi(lua_State* L, int idx) {
  auto* self = static_cast<Multi*>(luaL_checkudata(L, idx, kMultiMeta));
  if (self->multi == nullptr) luaL_error(L, "the multi handle is closed");
  self->L = L;
  return self;
}

int multi_new(lua_State* L) {
  auto* world = static_cast<World*>(luaL_testudata(L, 1, kWorldMeta));
  if (world != nullptr && world->world == nullptr) return luaL_error(L, "the world is closed");
  const Api* api = check_backend(L, 1);
  auto* self = static_cast<Multi*>(lua_newuserdatauv(L, sizeof(Multi), 1));
  std::memset(static_cast<void*>(self), 0, sizeof(Multi));
  self->socket_ref = self->timer_ref = self->error_ref = LUA_NOREF;
  luaL_setmetatable(L, kMultiMeta);
  self->api = api;
  self->L = L;
  if (world != nullptr) {
    // The engine over the world's ports (the engine-sim target's way); the world lives as
    // long as the Multi does.
    lua_pushvalue(L, 1);
    lua_setiuservalue(L, -2, 1);
    self->multi = world->world->multi_init();
  } else {
    self->multi = api->multi_init();
  }
  if (self->multi == nullptr) return luaL_error(L, "%s: multi_init failed", api->name.c_str());
  self->easies = new std::map<void*, std::pair<Easy*, int>>();
  self->socketps = new std::map<int, int>();
  api->multi_setopt(self->multi, MSMOPT_SOCKETFUNCTION, &socket_trampoline);
  api->multi_setopt(self->multi, MSMOPT_SOCKETDATA, static_cast<void*>(self));
  api->multi_setopt(self->multi, MSMOPT_TIMERFUNCTION, &timer_trampoline);
  api->multi_setopt(self->multi, MSMOPT_TIMERDATA, static_cast<void*>(self));
  return 1;
}

void multi_release(lua_State* L, Multi* self) {
  if (self->multi != nullptr) {
    self->closing = true;
    self->api->multi_cleanup(self->multi);
    self->multi = nullptr;
  }
  if (self->easies != nullptr) {
    for (auto& [ptr, entry] : *self->easies) {
      entry.first->multi = nullptr;
      luaL_unref(L, LUA_REGISTRYINDEX, entry.second);
    }
    delete self->easies;
    self->easies = nullptr;
  }
  if (self->socketps != nullptr) {
    for (auto& [fd, ref] : *self->socketps) luaL_unref(L, LUA_REGISTRYINDEX, ref);
    delete self->socketps;
    self->socketps = nullptr;
  }
  for (int* ref : {&self->socket_ref, &self->timer_ref, &self->error_ref}) {
    if (*ref != LUA_NOREF) luaL_unref(L, LUA_REGISTRYINDEX, *ref);
    *ref = LUA_NOREF;
  }
}

int multi_gc(lua_State* L) {
  auto* self = static_cast<Multi*>(luaL_checkudata(L, 1, kMultiMeta));
  multi_release(L, self);
  return 0;
}

int multi_close(lua_State* L) { return multi_gc(L); }

// After an engine call: raises a callback's error first, then a code.
int finish(lua_State* L, Multi* self, int rc) {
  if (self->error_ref != LUA_NOREF) {
    lua_rawgeti(L, LUA_REGISTRYINDEX, self->error_ref);
    luaL_unref(L, LUA_REGISTRYINDEX, self->error_ref);
    self->error_ref = LUA_NOREF;
    return lua_error(L);
  }
  if (rc != MSM_OK) return raise_multi(L, self->api, rc);
  return 0;
}

int multi_setopt(lua_State* L) {
  Multi* self = check_multi(L, 1);
  const int option = static_cast<int>(luaL_checkinteger(L, 2));
  if (option == MSMOPT_SOCKETFUNCTION || option == MSMOPT_TIMERFUNCTION) {
    if (!lua_isnil(L, 3)) luaL_checktype(L, 3, LUA_TFUNCTION);
    int& ref = option == MSMOPT_SOCKETFUNCTION ? self->socket_ref : self->timer_ref;
    if (ref != LUA_NOREF) luaL_unref(L, LUA_REGISTRYINDEX, ref);
    ref = LUA_NOREF;
    if (!lua_isnil(L, 3)) {
      lua_pushvalue(L, 3);
      ref = luaL_ref(L, LUA_REGISTRYINDEX);
    }
    return 0;
  }
  if (option == MSMOPT_SOCKETDATA || option == MSMOPT_TIMERDATA)
    return luaL_error(L, "option %d is the binding's own: let the function keep its data (a closure)", option);
  int rc = MSM_OK;
  switch (ms::bind::option_kind(option)) {
    case ms::bind::OptionKind::Long:
      rc = self->api->multi_setopt(self->multi, option, static_cast<long>(luaL_checkinteger(L, 3)));
      break;
    case ms::bind::OptionKind::OffT:
      rc = self->api->multi_setopt(self->multi, option, static_cast<int64_t>(luaL_checkinteger(L, 3)));
      break;
    default:
      luaL_checktype(L, 3, LUA_TNIL);
      rc = self->api->multi_setopt(self->multi, option, static_cast<void*>(nullptr));
      break;
  }
  return finish(L, self, rc);
}

int multi_add(lua_State* L) {
  Multi* self = check_multi(L, 1);
  Easy* easy = check_easy(L, 2);
  if (easy->api != self->api)
    return luaL_error(L, "the easy handle belongs to %s, the multi to %s", easy->api->name.c_str(),
                      self->api->name.c_str());
  const bool was_added = self->easies->count(easy->easy) != 0;
  if (!was_added) {
    lua_pushvalue(L, 2);
    self->easies->emplace(easy->easy, std::make_pair(easy, luaL_ref(L, LUA_REGISTRYINDEX)));
  }
  const int rc = self->api->multi_add_handle(self->multi, easy->easy);
  if (!was_added) {
    if (rc == MSM_OK) {
      easy->multi = self;
    } else {
      auto it = self->easies->find(easy->easy);
      luaL_unref(L, LUA_REGISTRYINDEX, it->second.second);
      self->easies->erase(it);
    }
  }
  return finish(L, self, rc);
}

int multi_remove_easy(lua_State* L, Multi* self, Easy* easy) {
  self->L = L;
  const int rc = self->api->multi_remove_handle(self->multi, easy->easy);
  if (rc == MSM_OK) {
    if (auto it = self->easies->find(easy->easy); it != self->easies->end()) {
      luaL_unref(L, LUA_REGISTRYINDEX, it->second.second);
      self->easies->erase(it);
      easy->multi = nullptr;
    }
  }
  return finish(L, self, rc);
}

int multi_remove(lua_State* L) {
  Multi* self = check_multi(L, 1);
  Easy* easy = check_easy(L, 2);
  if (easy->api != self->api) return luaL_error(L, "the easy handle belongs to another implementation");
  return multi_remove_easy(L, self, easy);
}

// running = multi:SocketAction(socket, mask)
int multi_socket_action(lua_State* L) {
  Multi* self = check_multi(L, 1);
  const int fd = static_cast<int>(luaL_checkinteger(L, 2));
  const int mask = static_cast<int>(luaL_optinteger(L, 3, 0));
  int running = 0;
  const int rc = self->api->multi_socket_action(self->multi, fd, mask, &running);
  finish(L, self, rc);
  lua_pushinteger(L, running);
  return 1;
}

int multi_timeout(lua_State* L) {
  Multi* self = check_multi(L, 1);
  long ms = -1;
  const int rc = self->api->multi_timeout(self->multi, &ms);
  finish(L, self, rc);
  lua_pushinteger(L, ms);
  return 1;
}

int multi_assign(lua_State* L) {
  Multi* self = check_multi(L, 1);
  const int fd = static_cast<int>(luaL_checkinteger(L, 2));
  const bool clear = lua_isnoneornil(L, 3);
  int ref = LUA_NOREF;
  if (!clear) {
    lua_pushvalue(L, 3);
    ref = luaL_ref(L, LUA_REGISTRYINDEX);
  }
  // The pointer handed over is only a token: callbacks look the value up by descriptor.
  const int rc = self->api->multi_assign(self->multi, fd, clear ? nullptr : static_cast<void*>(self));
  if (rc != MSM_OK) {
    if (ref != LUA_NOREF) luaL_unref(L, LUA_REGISTRYINDEX, ref);
    return finish(L, self, rc);
  }
  if (auto it = self->socketps->find(fd); it != self->socketps->end()) {
    luaL_unref(L, LUA_REGISTRYINDEX, it->second);
    self->socketps->erase(it);
  }
  if (ref != LUA_NOREF) self->socketps->emplace(fd, ref);
  return 0;
}

// msg, easy, result, msgs_in_queue = multi:InfoRead(); nil when no message waits.
int multi_info_read(lua_State* L) {
  Multi* self = check_multi(L, 1);
  int left = 0;
  MSMsg* msg = self->api->multi_info_read(self->multi, &left);
  if (msg == nullptr) {
    lua_pushnil(L);
    return 1;
  }
  lua_pushinteger(L, msg->msg);
  auto it = self->easies->find(msg->easy_handle);
  push_ref(L, it != self->easies->end() ? it->second.second : LUA_NOREF);
  lua_pushinteger(L, msg->msg == MSMSG_DONE ? static_cast<int>(msg->data.result) : 0);
  lua_pushinteger(L, left);
  return 4;
}

// ---- simulated world ---------------------------------------------------------------------------

World* check_world(lua_State* L, int idx) {
  auto* self = static_cast<World*>(luaL_checkudata(L, idx, kWorldMeta));
  if (self->world == nullptr) luaL_error(L, "the world is closed");
  return self;
}

// multisock.sim_world(path) or multisock.sim_world{file = path | text = scenario, seed = n}
int sim_world(lua_State* L) {
  const char* file = nullptr;  // strings stay on the stack (or in the table) while used
  const char* text = nullptr;
  size_t text_size = 0;
  bool has_seed = false;
  lua_Integer seed = 0;
  if (lua_type(L, 1) == LUA_TSTRING) {
    file = lua_tostring(L, 1);
  } else if (lua_type(L, 1) == LUA_TTABLE) {
    if (lua_getfield(L, 1, "file") == LUA_TSTRING) file = lua_tostring(L, -1);
    if (lua_getfield(L, 1, "text") == LUA_TSTRING) text = lua_tolstring(L, -1, &text_size);
    if (lua_getfield(L, 1, "seed") != LUA_TNIL) {
      int isnum = 0;
      seed = lua_tointegerx(L, -1, &isnum);
      if (!isnum || seed < 0) return luaL_error(L, "sim_world: seed must be an integer >= 0");
      has_seed = true;
    }
  } else {
    return luaL_error(L, "sim_world: a scenario file name or {file = ..., text = ..., seed = n} expected");
  }
  if ((file == nullptr) == (text == nullptr))
    return luaL_error(L, "sim_world: give the scenario's file or its text (one of them)");
  auto* self = static_cast<World*>(lua_newuserdatauv(L, sizeof(World), 0));
  self->world = nullptr;
  luaL_setmetatable(L, kWorldMeta);
  {  // C++ objects only in here: a Lua error is raised after they are gone
    std::string error;
    std::string content;
    bool ok = true;
    if (text != nullptr) {
      content.assign(text, text_size);
    } else if (!ms::conf::read_regular_file(file, ms::conf::kScenarioFileMax, content, error)) {
      error = std::string(file) + ": " + error;
      ok = false;
    }
    if (ok) {
      std::optional<std::uint64_t> s;
      if (has_seed) s = static_cast<std::uint64_t>(seed);
      self->world = ms::bind::SimWorld::load(content, file != nullptr ? file : "<text>", s, &error).release();
    }
    if (self->world == nullptr) lua_pushlstring(L, error.data(), error.size());
  }
  if (self->world == nullptr) return lua_error(L);
  return 1;
}

int world_gc(lua_State* L) {
  auto* self = static_cast<World*>(luaL_checkudata(L, 1, kWorldMeta));
  delete self->world;  // its Multis are gone: each kept it alive
  self->world = nullptr;
  return 0;
}

// ready = world:Poll({[fd] = POLL_IN|POLL_OUT|POLL_INOUT}, timeout_ms)
int world_poll(lua_State* L) {
  World* self = check_world(L, 1);
  luaL_checktype(L, 2, LUA_TTABLE);
  const lua_Integer timeout_ms = luaL_optinteger(L, 3, -1);
  int count = 0;
  lua_pushnil(L);
  while (lua_next(L, 2) != 0) {
    if (!lua_isinteger(L, -2) || !lua_isinteger(L, -1)) return luaL_error(L, "Poll: {[fd] = POLL_*} expected");
    lua_pop(L, 1);
    ++count;
  }
  // Plain arrays in a userdata: nothing with a destructor lives across a Lua error.
  auto* fds = static_cast<ms::bind::SimWorld::Interest*>(
      lua_newuserdatauv(L, sizeof(ms::bind::SimWorld::Interest) * (count > 0 ? count : 1), 0));
  int i = 0;
  lua_pushnil(L);
  while (lua_next(L, 2) != 0) {
    fds[i].fd = static_cast<int>(lua_tointeger(L, -2));
    fds[i].what = static_cast<int>(lua_tointeger(L, -1));
    ++i;
    lua_pop(L, 1);
  }
  bool ok = false;
  int ready_count = 0;
  auto* out = static_cast<int*>(lua_newuserdatauv(L, sizeof(int) * 2 * (count > 0 ? count : 1), 0));
  {
    std::vector<ms::bind::SimWorld::Interest> interest(fds, fds + count);
    std::vector<std::pair<int, int>> ready;
    std::string error;
    ok = self->world->poll(interest, static_cast<long>(timeout_ms), ready, &error);
    if (!ok) {
      lua_pushlstring(L, error.data(), error.size());
    } else {
      for (const auto& [fd, mask] : ready) {
        out[2 * ready_count] = fd;
        out[2 * ready_count + 1] = mask;
        ++ready_count;
      }
    }
  }
  if (!ok) return lua_error(L);
  lua_createtable(L, 0, ready_count);
  for (i = 0; i < ready_count; ++i) {
    lua_pushinteger(L, out[2 * i + 1]);
    lua_rawseti(L, -2, out[2 * i]);
  }
  return 1;
}

int world_now(lua_State* L) {
  lua_pushinteger(L, static_cast<lua_Integer>(check_world(L, 1)->world->now_ms()));
  return 1;
}

int world_advance(lua_State* L) {
  World* self = check_world(L, 1);
  const lua_Integer ms = luaL_checkinteger(L, 2);
  if (ms < 0) return luaL_error(L, "Advance: ms >= 0 expected");
  self->world->advance(static_cast<long>(ms));
  return 0;
}

int world_inject_error(lua_State* L) {
  World* self = check_world(L, 1);
  const int fd = static_cast<int>(luaL_checkinteger(L, 2));
  const char* name = luaL_checkstring(L, 3);
  bool ok = false;
  {
    std::string why;
    ok = self->world->inject_error(fd, name, &why);
    if (!ok) lua_pushlstring(L, why.data(), why.size());
  }
  if (!ok) return lua_error(L);
  return 0;
}

int world_open_descriptors(lua_State* L) {
  lua_pushinteger(L, static_cast<lua_Integer>(check_world(L, 1)->world->open_descriptors()));
  return 1;
}

int world_seed(lua_State* L) {
  lua_pushinteger(L, static_cast<lua_Integer>(check_world(L, 1)->world->seed()));
  return 1;
}

// ---- poll helper -------------------------------------------------------------------------------

// ready = multisock.poll({[fd] = POLL_IN|POLL_OUT|POLL_INOUT}, timeout_ms)
int poll_fds(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  const int timeout_ms = static_cast<int>(luaL_checkinteger(L, 2));
  int count = 0;
  lua_pushnil(L);
  while (lua_next(L, 1) != 0) {
    if (!lua_isinteger(L, -2) || !lua_isinteger(L, -1)) return luaL_error(L, "poll: {[fd] = POLL_*} expected");
    lua_pop(L, 1);
    ++count;
  }
  auto* fds = static_cast<pollfd*>(lua_newuserdatauv(L, sizeof(pollfd) * (count > 0 ? count : 1), 0));
  int i = 0;
  lua_pushnil(L);
  while (lua_next(L, 1) != 0) {
    const lua_Integer what = lua_tointeger(L, -1);
    fds[i].fd = static_cast<int>(lua_tointeger(L, -2));
    fds[i].events = static_cast<short>(((what & MS_POLL_IN) ? POLLIN : 0) | ((what & MS_POLL_OUT) ? POLLOUT : 0));
    fds[i].revents = 0;
    ++i;
    lua_pop(L, 1);
  }
  const int n = poll(fds, static_cast<nfds_t>(count), timeout_ms);
  if (n < 0) return luaL_error(L, "poll: %s", std::strerror(errno));
  lua_createtable(L, 0, n);
  for (i = 0; i < count; ++i) {
    if (fds[i].revents == 0) continue;
    int mask = 0;
    if (fds[i].revents & (POLLIN | POLLHUP)) mask |= MS_CSELECT_IN;
    if (fds[i].revents & POLLOUT) mask |= MS_CSELECT_OUT;
    if (fds[i].revents & (POLLERR | POLLNVAL)) mask |= MS_CSELECT_ERR;
    lua_pushinteger(L, mask);
    lua_rawseti(L, -2, fds[i].fd);
  }
  return 1;
}

// multisock.monotonic_ms(): CLOCK_MONOTONIC in milliseconds, for an event loop's timer.
int monotonic_ms(lua_State* L) {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  lua_pushinteger(L, static_cast<lua_Integer>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000);
  return 1;
}

int code_name(lua_State* L) {
  const char* kind = luaL_checkstring(L, 1);
  const int code = static_cast<int>(luaL_checkinteger(L, 2));
  if (std::strcmp(kind, "multi") == 0) {
    lua_pushstring(L, ms::bind::multi_code_name(code));
  } else if (std::strcmp(kind, "easy") == 0) {
    lua_pushstring(L, ms::bind::easy_code_name(code));
  } else {
    return luaL_error(L, "kind is 'multi' or 'easy'");
  }
  return 1;
}

const luaL_Reg kMultiMethods[] = {
    {"SetOpt", multi_setopt},         {"AddHandle", multi_add},  {"RemoveHandle", multi_remove},
    {"SocketAction", multi_socket_action}, {"Timeout", multi_timeout}, {"Assign", multi_assign},
    {"InfoRead", multi_info_read},    {"Close", multi_close},    {nullptr, nullptr}};

const luaL_Reg kEasyMethods[] = {{"SetOpt", easy_setopt}, {"GetInfo", easy_getinfo},
                                 {"Body", easy_body},     {"Close", easy_close},
                                 {nullptr, nullptr}};

const luaL_Reg kWorldMethods[] = {{"Poll", world_poll},
                                  {"Now", world_now},
                                  {"Advance", world_advance},
                                  {"InjectError", world_inject_error},
                                  {"OpenDescriptors", world_open_descriptors},
                                  {"Seed", world_seed},
                                  {nullptr, nullptr}};

const luaL_Reg kFunctions[] = {{"Multi", multi_new}, {"Easy", easy_new}, {"poll", poll_fds},
                               {"sim_world", sim_world},
                               {"code_name", code_name}, {"monotonic_ms", monotonic_ms},
                               {nullptr, nullptr}};

void make_meta(lua_State* L, const char* name, const luaL_Reg* methods, lua_CFunction gc) {
  luaL_newmetatable(L, name);
  lua_newtable(L);
  luaL_setfuncs(L, methods, 0);
  lua_setfield(L, -2, "__index");
  if (gc != nullptr) {
    lua_pushcfunction(L, gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_pop(L, 1);
}

}  // namespace

extern "C" __attribute__((visibility("default"))) int luaopen_multisock(lua_State* L) {
  make_meta(L, kMultiMeta, kMultiMethods, multi_gc);
  make_meta(L, kEasyMeta, kEasyMethods, easy_gc);
  make_meta(L, kWorldMeta, kWorldMethods, world_gc);
  luaL_newmetatable(L, kErrorMeta);
  lua_pushcfunction(L, error_tostring);
  lua_setfield(L, -2, "__tostring");
  lua_pop(L, 1);
  luaL_newlib(L, kFunctions);
  std::size_t count = 0;
  const ms::bind::Constant* table = ms::bind::constants(&count);
  for (std::size_t i = 0; i < count; ++i) {
    lua_pushinteger(L, table[i].value);
    lua_setfield(L, -2, table[i].name);
  }
  return 1;
}

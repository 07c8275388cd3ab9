// SPDX-License-Identifier: MIT
// recorder.hpp: the state of libmultisock-record.so, shared by its interposed functions.
//
// How it works. Every interposed function first asks enabled() (one relaxed load): when
// MULTISOCK_RECORD is unset it forwards at once to the next definition (dlsym RTLD_NEXT,
// resolved once). Otherwise a per-thread depth says whether a curl_* call is in progress
// on this thread (then the call is the library talking to itself, or the library's own
// poll(), and is only forwarded) and whether a socket or timer callback is running (then an
// API call is flagged in_callback). Recording state (ids, library sockets, epoll
// registrations, the output mapping) is behind one mutex; a bitmap of tracked descriptors
// lets close() and epoll_ctl() skip the mutex for descriptors nobody tracks.
#pragma once

#include <dlfcn.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "conformance/trace.hpp"

namespace ms::rec {

using conf::Event;
using conf::EventKind;

// Per thread: lib_depth counts curl_* calls in progress (a callback resets it to 0 while
// the program's function runs), cb_depth the program's callbacks in progress, loop marks
// the thread that made the first recorded curl_multi call.
struct ThreadState {
  int lib_depth = 0;
  int cb_depth = 0;
  bool loop = false;
};
extern thread_local ThreadState t_state __attribute__((tls_model("initial-exec")));

// True when MULTISOCK_RECORD was set at load time (read once by the constructor).
extern std::atomic<bool> g_enabled;
inline bool enabled() { return g_enabled.load(std::memory_order_relaxed); }
// True while a recording runs (the file is open and mapped).
extern std::atomic<bool> g_active;
inline bool active() { return g_active.load(std::memory_order_relaxed); }
// The recorded multi handle (nullptr until the first multi_init of a recording).
extern std::atomic<void*> g_multi;

// The next definition of name after this library, resolved by the caller once: the global
// scope after this library first; else a library loaded with RTLD_LOCAL (Python loads an
// extension module, and the libcurl it links, that way: its calls still reach this
// library, first in the global scope, but RTLD_NEXT cannot see the libcurl behind it).
// Aborts with a message when nothing defines it.
void* next_definition(const char* name);
template <class F>
F next_fn(const char* name) {
  return reinterpret_cast<F>(next_definition(name));
}
#define MS_REC_NEXT(fn) static const auto real = ::ms::rec::next_fn<decltype(&::fn)>(#fn)

std::int64_t now_ns();  // CLOCK_MONOTONIC, absolute

// Descriptors some table holds (library sockets, epoll sets holding one): one bit each
// below kBitmapFds, and every descriptor at or above it counts as tracked.
constexpr int kBitmapFds = 1 << 16;
bool fd_tracked(int fd);

struct EpollReg {
  std::uint32_t events = 0;  // EPOLLIN | EPOLLOUT | EPOLLONESHOT ... as registered
  std::uint64_t data = 0;    // what the kernel hands back for it
  bool present = false;      // registered now
  bool disabled = false;     // EPOLLONESHOT that fired, until the next MOD
};
// One epoll set's registrations of library sockets, indexed by descriptor.
using EpollSet = std::vector<EpollReg>;

// Per descriptor: not a library socket, or the mask of its last app_watch (-1: none yet).
constexpr std::int8_t kNotLib = -2;

// The output file: JSON lines written into a MAP_SHARED mapping grown in chunks, so
// that what was appended is in the file even when the process is killed.
class MapWriter {
 public:
  bool open(const std::string& path, std::string& why);
  void append(const char* data, std::size_t n);
  void finish();   // truncate to the length written, unmap, close
  void abandon();  // unmap and close, leaving the file to the process that writes it
  bool is_open() const { return fd_ >= 0; }

 private:
  bool grow(std::size_t need);
  int fd_ = -1;
  char* base_ = nullptr;
  std::size_t cap_ = 0;
  std::size_t len_ = 0;
};

// Pointer -> small id, open addressing in one array: looked up on most events, where a
// node-based map costs a cache miss per lookup.
class PointerIds {
 public:
  int find(const void* p) const;  // 0 when absent
  void insert(const void* p, int id);
  void erase(const void* p);
  bool empty() const { return count_ == 0; }

 private:
  std::size_t slot_of(const void* p) const;
  void rehash(std::size_t capacity);
  struct Slot {
    const void* key = nullptr;  // nullptr: empty; kErased: erased
    int id = 0;
  };
  std::vector<Slot> slots_;
  std::size_t count_ = 0;  // live keys
  std::size_t used_ = 0;   // live and erased slots
};

struct Recorder {
  std::mutex mu;
  // Everything below is guarded by mu.
  bool started = false;  // the activation decision was made (recording or not)
  std::int64_t origin_ns = 0;
  MapWriter out;
  std::string line;  // one event's text, reused
  PointerIds easy_ids;
  int next_easy = 1;
  PointerIds socketp_ids;
  int next_socketp = 1;
  // Tables indexed by descriptor (descriptors are small and dense): a flat array is
  // cheaper per event than a tree, and a full scan of it per wait is still short.
  std::vector<std::int8_t> watch;          // kNotLib, or the last app_watch mask
  std::map<int, EpollSet> epolls;          // epoll fd -> registrations of library sockets
  std::vector<std::pair<int, int>> scratch;       // a poll's library sockets and their masks
  // Library sockets whose watched mask may have changed since the last wait (new, epoll_ctl,
  // a one-shot that fired): a wait on the same epoll set as the last wait looks at these
  // alone; any other wait looks at every library socket.
  std::vector<int> dirty;
  int last_epfd = -1;
  std::unordered_map<int, int> timer_clocks;      // timerfd -> clock id
  // The program's callbacks and their data, called by the trampolines.
  void* socket_fn = nullptr;
  void* socket_data = nullptr;
  bool socket_data_set = false;
  void* timer_fn = nullptr;
  void* timer_data = nullptr;
  bool timer_data_set = false;

  // Under mu. Starts the recording at the first recorded curl_multi call: creates the
  // file, writes the first note. False when this process does not record.
  bool start_locked();
  // Under mu: formats e (time made relative) and appends it to the file.
  void append_locked(Event& e, std::int64_t at_abs_ns);
  void note_locked(std::string text);
  int easy_id_locked(const void* easy, bool assign);
  int socketp_id_locked(const void* p);
  bool is_lib_locked(int fd) const {
    return fd >= 0 && static_cast<std::size_t>(fd) < watch.size() && watch[fd] != kNotLib;
  }
  void add_lib_socket_locked(int fd);
  void mark_dirty_locked(int fd);  // its watched mask may have changed
  void forget_fd_locked(int fd);  // close(): a library socket or an epoll set
  void stop();                    // at exit
};

Recorder& rec();
void track_fd(int fd);
void untrack_fd(int fd);

// The flags an API call made now carries.
inline std::uint8_t call_flags() {
  return t_state.cb_depth > 0 ? static_cast<std::uint8_t>(conf::EventFlag::in_callback) : 0;
}

}  // namespace ms::rec

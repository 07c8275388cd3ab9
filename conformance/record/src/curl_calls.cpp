// SPDX-License-Identifier: MIT
// curl_calls.cpp: the program's curl_multi_* (and two curl_easy_*) calls, and the
// trampolines that stand between the library and the program's socket and timer
// callbacks. Field conventions follow the driver's (conformance/driver/driver.cpp), so the
// checker and the report read a recorded trace as they read a driven one.
#include <curl/curl.h>

#include <cstdarg>
#include <string>

#include "recorder.hpp"

namespace ms::rec {
namespace {

using conf::EventFlag;

// After curl_multi_cleanup of the recorded multi: matches no handle, and stops a later
// multi_init from being taken for the first one.
void* const kCleanedUp = reinterpret_cast<void*>(std::uintptr_t{1});

// What the library gets as SOCKETDATA and TIMERDATA: the trampolines pass the program's
// own data on, and a userp other than these shows the library mixed them up.
char g_socket_token;
char g_timer_token;

// One curl_* call: while it runs, waits on this thread are the library's own.
struct Call {
  explicit Call(bool record) : record(record) {
    ++t_state.lib_depth;
    if (record) {
      at = now_ns();
      flags = call_flags();
    }
  }
  ~Call() { --t_state.lib_depth; }
  Call(const Call&) = delete;
  Call& operator=(const Call&) = delete;
  bool record;
  std::int64_t at = 0;
  std::uint8_t flags = 0;
};

bool ours(const void* multi) {
  return t_state.lib_depth == 0 && multi != nullptr && active() &&
         multi == g_multi.load(std::memory_order_relaxed);
}

// Appends e (kind and flags set by the caller) after fill() completed it under the lock.
template <class Fill>
void emit(Event& e, std::int64_t at, Fill&& fill) {
  Recorder& r = rec();
  std::lock_guard<std::mutex> lock(r.mu);
  fill(r, e);
  r.append_locked(e, at);
}

// The common shape: forward, and for the recorded multi append one event of kind, made
// complete by fill(recorder, event, result).
template <class Call_, class Fill>
auto recorded(const void* multi, EventKind kind, Call_&& call, Fill&& fill) {
  if (!enabled()) return call();
  const bool record = ours(multi);
  Call c(record);
  auto rc = call();
  if (record) {
    Event e;
    e.kind = kind;
    e.flags = c.flags;
    emit(e, c.at, [&](Recorder& r, Event& ev) { fill(r, ev, rc); });
  }
  return rc;
}

std::string took(std::int64_t since) { return "took " + std::to_string(now_ns() - since); }

int socket_trampoline(CURL* easy, curl_socket_t s, int what, void* userp, void* socketp) {
  Recorder& r = rec();
  curl_socket_callback fn = nullptr;
  void* data = nullptr;
  std::uint8_t flags = 0;
  {
    std::lock_guard<std::mutex> lock(r.mu);
    // Known before the program's function runs, since that function registers it.
    if (!fd_tracked(s) || s >= kBitmapFds) r.add_lib_socket_locked(s);
    fn = reinterpret_cast<curl_socket_callback>(r.socket_fn);
    data = r.socket_data;
    if (r.socket_data_set && userp != &g_socket_token) flags |= EventFlag::bad_userp;
  }
  if (!t_state.loop) flags |= EventFlag::other_thread;
  else if (t_state.lib_depth == 0) flags |= EventFlag::outside;
  const std::int64_t at = now_ns();
  const int saved = t_state.lib_depth;
  t_state.lib_depth = 0;
  ++t_state.cb_depth;
  const int ret = fn != nullptr ? fn(easy, s, what, data, socketp) : 0;
  --t_state.cb_depth;
  t_state.lib_depth = saved;
  Event e;
  e.kind = EventKind::socket_cb;
  e.fd = s;
  e.action = what;
  e.result = ret;
  e.flags = flags;
  emit(e, at, [&](Recorder& rr, Event& ev) {
    ev.easy = rr.easy_id_locked(easy, false);
    ev.socketp = rr.socketp_id_locked(socketp);
  });
  return ret;
}

int timer_trampoline(CURLM* multi, long timeout_ms, void* userp) {
  Recorder& r = rec();
  curl_multi_timer_callback fn = nullptr;
  void* data = nullptr;
  std::uint8_t flags = 0;
  {
    std::lock_guard<std::mutex> lock(r.mu);
    fn = reinterpret_cast<curl_multi_timer_callback>(r.timer_fn);
    data = r.timer_data;
    if (r.timer_data_set && userp != &g_timer_token) flags |= EventFlag::bad_userp;
  }
  if (multi != g_multi.load(std::memory_order_relaxed)) flags |= EventFlag::bad_multi;
  if (!t_state.loop) flags |= EventFlag::other_thread;
  else if (t_state.lib_depth == 0) flags |= EventFlag::outside;
  const std::int64_t at = now_ns();
  const int saved = t_state.lib_depth;
  t_state.lib_depth = 0;
  ++t_state.cb_depth;
  const int ret = fn != nullptr ? fn(multi, timeout_ms, data) : 0;
  --t_state.cb_depth;
  t_state.lib_depth = saved;
  Event e;
  e.kind = EventKind::timer_cb;
  e.value = timeout_ms;
  e.result = ret;
  e.flags = flags;
  emit(e, at, [](Recorder&, Event&) {});
  return ret;
}

// The third argument of curl_multi_setopt, read by the option's type range.
struct OptArg {
  enum Type { long_, pointer, function, off_t_ } type;
  long l = 0;
  void* p = nullptr;
  void (*f)(void) = nullptr;
  curl_off_t o = 0;
};

CURLMcode forward_setopt(CURLM* m, CURLMoption option, const OptArg& a) {
  MS_REC_NEXT(curl_multi_setopt);
  switch (a.type) {
    case OptArg::long_: return real(m, option, a.l);
    case OptArg::pointer: return real(m, option, a.p);
    case OptArg::function: return real(m, option, a.f);
    case OptArg::off_t_: return real(m, option, a.o);
  }
  return real(m, option, a.p);
}

// For the recorded multi: the program's callbacks and data are kept, the library gets the
// trampolines and the tokens instead.
OptArg substitute(CURLMoption option, const OptArg& a) {
  OptArg out = a;
  Recorder& r = rec();
  std::lock_guard<std::mutex> lock(r.mu);
  switch (option) {
    case CURLMOPT_SOCKETFUNCTION:
      r.socket_fn = reinterpret_cast<void*>(a.f);
      if (a.f != nullptr) out.f = reinterpret_cast<void (*)(void)>(&socket_trampoline);
      break;
    case CURLMOPT_SOCKETDATA:
      r.socket_data = a.p;
      r.socket_data_set = true;
      out.p = &g_socket_token;
      break;
    case CURLMOPT_TIMERFUNCTION:
      r.timer_fn = reinterpret_cast<void*>(a.f);
      if (a.f != nullptr) out.f = reinterpret_cast<void (*)(void)>(&timer_trampoline);
      break;
    case CURLMOPT_TIMERDATA:
      r.timer_data = a.p;
      r.timer_data_set = true;
      out.p = &g_timer_token;
      break;
    default:
      break;
  }
  return out;
}

// curl_multi_wait and curl_multi_poll: the same arguments, the same event.
template <class Real>
CURLMcode recorded_wait(Real real, EventKind kind, CURLM* m, struct curl_waitfd extra[], unsigned n,
                        int timeout_ms, int* ret) {
  const std::int64_t before = enabled() ? now_ns() : 0;
  return recorded(m, kind, [&] { return real(m, extra, n, timeout_ms, ret); },
                  [&](Recorder&, Event& e, CURLMcode rc) {
                    e.value = timeout_ms;
                    e.result = rc;
                    e.code = ret != nullptr ? *ret : 0;
                    e.text = took(before);
                  });
}

}  // namespace
}  // namespace ms::rec

using namespace ms::rec;

extern "C" {

CURLM* curl_multi_init(void) {
  MS_REC_NEXT(curl_multi_init);
  if (!enabled()) return real();
  bool record = false;
  if (t_state.lib_depth == 0 && g_multi.load(std::memory_order_relaxed) == nullptr) {
    Recorder& r = rec();
    std::lock_guard<std::mutex> lock(r.mu);
    record = r.started ? active() && g_multi.load(std::memory_order_relaxed) == nullptr : r.start_locked();
    if (record) {  // the library under the program: the next curl_version
      static const auto version = next_fn<char* (*)(void)>("curl_version");
      const char* v = version != nullptr ? version() : nullptr;
      r.note_locked(std::string("library ") + (v != nullptr ? v : "(unknown)"));
    }
  }
  Call c(record);
  CURLM* m = real();
  if (record && m != nullptr) {
    g_multi.store(m, std::memory_order_relaxed);
    Event e;
    e.kind = EventKind::call_end;
    e.text = "multi_init";
    e.flags = c.flags;
    emit(e, c.at, [](Recorder&, Event&) {});
  }
  return m;
}

CURLMcode curl_multi_setopt(CURLM* m, CURLMoption option, ...) {
  OptArg a{OptArg::long_};
  va_list ap;
  va_start(ap, option);
  const int o = static_cast<int>(option);
  if (o < CURLOPTTYPE_OBJECTPOINT) {
    a.l = va_arg(ap, long);
  } else if (o < CURLOPTTYPE_FUNCTIONPOINT) {
    a.type = OptArg::pointer;
    a.p = va_arg(ap, void*);
  } else if (o < CURLOPTTYPE_OFF_T) {
    a.type = OptArg::function;
    a.f = va_arg(ap, void (*)(void));
  } else if (o < CURLOPTTYPE_BLOB) {
    a.type = OptArg::off_t_;
    a.o = va_arg(ap, curl_off_t);
  } else {
    a.type = OptArg::pointer;
    a.p = va_arg(ap, void*);
  }
  va_end(ap);
  if (!enabled()) return forward_setopt(m, option, a);
  const bool record = ours(m);
  const OptArg given = record ? substitute(option, a) : a;
  return recorded(m, EventKind::setopt, [&] { return forward_setopt(m, option, given); },
                  [&](Recorder&, Event& e, CURLMcode rc) {
                    e.value = o;
                    e.result = rc;
                  });
}

CURLMcode curl_multi_add_handle(CURLM* m, CURL* easy) {
  MS_REC_NEXT(curl_multi_add_handle);
  return recorded(m, EventKind::add_handle, [&] { return real(m, easy); },
                  [&](Recorder& r, Event& e, CURLMcode rc) {
                    e.easy = r.easy_id_locked(easy, true);
                    e.result = rc;
                  });
}

CURLMcode curl_multi_remove_handle(CURLM* m, CURL* easy) {
  MS_REC_NEXT(curl_multi_remove_handle);
  return recorded(m, EventKind::remove_handle, [&] { return real(m, easy); },
                  [&](Recorder& r, Event& e, CURLMcode rc) {
                    e.easy = r.easy_id_locked(easy, false);
                    e.result = rc;
                  });
}

CURLMcode curl_multi_socket_action(CURLM* m, curl_socket_t s, int mask, int* running) {
  MS_REC_NEXT(curl_multi_socket_action);
  return recorded(m, EventKind::socket_action, [&] { return real(m, s, mask, running); },
                  [&](Recorder&, Event& e, CURLMcode rc) {
                    e.fd = s;
                    e.mask = mask;
                    e.result = rc;
                    e.running = running != nullptr ? *running : -1;
                  });
}

CURLMcode curl_multi_socket(CURLM* m, curl_socket_t s, int* running) {
  MS_REC_NEXT(curl_multi_socket);
  return recorded(m, EventKind::socket_legacy, [&] { return real(m, s, running); },
                  [&](Recorder&, Event& e, CURLMcode rc) {
                    e.fd = s;
                    e.result = rc;
                    e.running = running != nullptr ? *running : -1;
                  });
}

CURLMcode curl_multi_socket_all(CURLM* m, int* running) {
  MS_REC_NEXT(curl_multi_socket_all);
  return recorded(m, EventKind::socket_all, [&] { return real(m, running); },
                  [&](Recorder&, Event& e, CURLMcode rc) {
                    e.result = rc;
                    e.running = running != nullptr ? *running : -1;
                  });
}

CURLMcode curl_multi_assign(CURLM* m, curl_socket_t s, void* socketp) {
  MS_REC_NEXT(curl_multi_assign);
  return recorded(m, EventKind::assign, [&] { return real(m, s, socketp); },
                  [&](Recorder& r, Event& e, CURLMcode rc) {
                    e.fd = s;
                    e.socketp = r.socketp_id_locked(socketp);
                    e.result = rc;
                  });
}

CURLMcode curl_multi_timeout(CURLM* m, long* ms) {
  MS_REC_NEXT(curl_multi_timeout);
  return recorded(m, EventKind::timeout_query, [&] { return real(m, ms); },
                  [&](Recorder&, Event& e, CURLMcode rc) {
                    e.result = rc;
                    e.value = ms != nullptr ? *ms : 0;
                  });
}

CURLMsg* curl_multi_info_read(CURLM* m, int* msgs_in_queue) {
  MS_REC_NEXT(curl_multi_info_read);
  int left = -1;
  int* where = msgs_in_queue != nullptr ? msgs_in_queue : &left;
  return recorded(m, EventKind::info_read, [&] { return real(m, where); },
                  [&](Recorder& r, Event& e, CURLMsg* msg) {
                    e.value = *where;
                    if (msg == nullptr) return;
                    e.easy = r.easy_id_locked(msg->easy_handle, false);
                    e.result = msg->msg;
                    e.code = msg->msg == CURLMSG_DONE ? msg->data.result : 0;
                  });
}

CURLMcode curl_multi_cleanup(CURLM* m) {
  MS_REC_NEXT(curl_multi_cleanup);
  const bool record = enabled() && ours(m);
  const CURLMcode rc = recorded(m, EventKind::cleanup, [&] { return real(m); },
                                [&](Recorder&, Event& e, CURLMcode code) { e.result = code; });
  if (record) g_multi.store(kCleanedUp, std::memory_order_relaxed);
  return rc;
}

CURLMcode curl_multi_perform(CURLM* m, int* running) {
  MS_REC_NEXT(curl_multi_perform);
  const std::int64_t before = enabled() ? now_ns() : 0;
  return recorded(m, EventKind::perform, [&] { return real(m, running); },
                  [&](Recorder&, Event& e, CURLMcode rc) {
                    e.result = rc;
                    e.running = running != nullptr ? *running : -1;
                    e.text = took(before);
                  });
}

CURLMcode curl_multi_wait(CURLM* m, struct curl_waitfd extra[], unsigned n, int timeout_ms, int* ret) {
  MS_REC_NEXT(curl_multi_wait);
  return recorded_wait(real, EventKind::multi_wait, m, extra, n, timeout_ms, ret);
}

CURLMcode curl_multi_poll(CURLM* m, struct curl_waitfd extra[], unsigned n, int timeout_ms, int* ret) {
  MS_REC_NEXT(curl_multi_poll);
  return recorded_wait(real, EventKind::multi_poll, m, extra, n, timeout_ms, ret);
}

CURLMcode curl_multi_wakeup(CURLM* m) {
  MS_REC_NEXT(curl_multi_wakeup);
  return recorded(m, EventKind::wakeup, [&] { return real(m); },
                  [&](Recorder&, Event& e, CURLMcode rc) { e.result = rc; });
}

CURLMcode curl_multi_fdset(CURLM* m, fd_set* rd, fd_set* wr, fd_set* ex, int* max_fd) {
  MS_REC_NEXT(curl_multi_fdset);
  return recorded(m, EventKind::fdset, [&] { return real(m, rd, wr, ex, max_fd); },
                  [&](Recorder&, Event& e, CURLMcode rc) {
                    e.result = rc;
                    e.value = max_fd != nullptr ? *max_fd : -1;
                    std::string in = "in", out = "out";
                    for (int fd = 0; fd <= e.value && fd < FD_SETSIZE; ++fd) {
                      const bool r = rd != nullptr && FD_ISSET(fd, rd);
                      const bool w = wr != nullptr && FD_ISSET(fd, wr);
                      const bool x = ex != nullptr && FD_ISSET(fd, ex);
                      if (r || (x && !w)) in += " " + std::to_string(fd);
                      if (w) out += " " + std::to_string(fd);
                    }
                    e.text = in + " " + out;
                  });
}

void curl_easy_cleanup(CURL* easy) {
  MS_REC_NEXT(curl_easy_cleanup);
  if (!enabled()) return real(easy);
  const bool record = t_state.lib_depth == 0 && active() && easy != nullptr;
  Call c(record);
  real(easy);
  if (!record) return;
  Recorder& r = rec();
  std::lock_guard<std::mutex> lock(r.mu);
  const int id = r.easy_ids.find(easy);
  if (id == 0) return;
  Event e;
  e.kind = EventKind::call_end;
  e.easy = id;
  e.text = "easy_cleanup";
  e.flags = c.flags;
  r.easy_ids.erase(easy);
  r.append_locked(e, c.at);
}

CURLcode curl_easy_pause(CURL* easy, int bits) {
  MS_REC_NEXT(curl_easy_pause);
  if (!enabled()) return real(easy, bits);
  const bool record = t_state.lib_depth == 0 && active() && easy != nullptr;
  Call c(record);
  const CURLcode rc = real(easy, bits);
  if (!record) return rc;
  Recorder& r = rec();
  std::lock_guard<std::mutex> lock(r.mu);
  const int id = r.easy_id_locked(easy, false);
  if (id <= 0) return rc;
  Event e;
  e.kind = EventKind::easy_pause;
  e.easy = id;
  e.value = bits;
  e.result = rc;
  e.flags = c.flags;
  r.append_locked(e, c.at);
  return rc;
}

}  // extern "C"

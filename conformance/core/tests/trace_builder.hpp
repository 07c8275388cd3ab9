// SPDX-License-Identifier: MIT
// trace_builder.hpp: a tiny DSL to write traces by hand in tests.
//
// Callbacks go before the call they are made in (trace.hpp's call groups):
//   T().at(0).timer(0).add(1)                 add_handle(e1) told a 0 ms timer
//      .sock(1, 5, MS_POLL_OUT).act(-1, 0, 1) the kick registered fd 5; running 1
#pragma once

#include <string>
#include <utility>

#include "conformance/trace.hpp"
#include "multisock/multisock.h"

namespace ms::conf::testing {

class T {
 public:
  T& at(std::int64_t ms) {
    now_ = ms * 1000000;
    return *this;
  }
  T& add(int easy, int result = MSM_OK) { return push(EventKind::add_handle, [&](Event& e) { e.easy = easy, e.result = result; }); }
  T& remove(int easy, int result = MSM_OK) { return push(EventKind::remove_handle, [&](Event& e) { e.easy = easy, e.result = result; }); }
  T& act(int fd, int mask, int running, int result = MSM_OK) {
    return push(EventKind::socket_action, [&](Event& e) { e.fd = fd, e.mask = mask, e.running = running, e.result = result; });
  }
  T& legacy(int fd, int running, int result = MSM_OK) {
    return push(EventKind::socket_legacy, [&](Event& e) { e.fd = fd, e.running = running, e.result = result; });
  }
  T& all(int running, int result = MSM_OK) {
    return push(EventKind::socket_all, [&](Event& e) { e.running = running, e.result = result; });
  }
  T& assign(int fd, int socketp, int result) {
    return push(EventKind::assign, [&](Event& e) { e.fd = fd, e.socketp = socketp, e.result = result; });
  }
  T& tq(long value, int result = MSM_OK) { return push(EventKind::timeout_query, [&](Event& e) { e.value = value, e.result = result; }); }
  // info_read returning easy's DONE (or another message kind) with `left` messages left.
  T& read(int easy, long left, int code = MSE_OK, int kind = MSMSG_DONE) {
    return push(EventKind::info_read, [&](Event& e) { e.easy = easy, e.value = left, e.code = code, e.result = kind; });
  }
  T& none() { return push(EventKind::info_read, [](Event&) {}); }
  T& cleanup(int result = MSM_OK) { return push(EventKind::cleanup, [&](Event& e) { e.result = result; }); }
  T& sock(int easy, int fd, int action, int socketp = 0) {
    return push(EventKind::socket_cb, [&](Event& e) { e.easy = easy, e.fd = fd, e.action = action, e.socketp = socketp; });
  }
  T& timer(long ms) { return push(EventKind::timer_cb, [&](Event& e) { e.value = ms; }); }
  T& open(int fd) { return push(EventKind::net_open, [&](Event& e) { e.fd = fd; }); }
  T& close(int fd) { return push(EventKind::net_close, [&](Event& e) { e.fd = fd; }); }
  T& bytes(int fd, long n) { return push(EventKind::net_bytes, [&](Event& e) { e.fd = fd, e.value = n; }); }
  // An HTTP/2 server's stream on client socket fd: opened for easy (0: unknown), ended.
  T& stream(int fd, long id, int easy, std::string path = "/") {
    return push(EventKind::net_stream, [&](Event& e) { e.fd = fd, e.value = id, e.easy = easy, e.text = std::move(path); });
  }
  T& stream_end(int fd, long id) { return push(EventKind::net_stream_end, [&](Event& e) { e.fd = fd, e.value = id; }); }
  T& pause(int easy, int bits, int result = MSE_OK) {
    return push(EventKind::easy_pause, [&](Event& e) { e.easy = easy, e.value = bits, e.result = result; });
  }
  // A write (read) callback offered n bytes (n the buffer size) and returned ret.
  T& wcb(int easy, long n, int ret) { return push(EventKind::write_cb, [&](Event& e) { e.easy = easy, e.value = n, e.result = ret; }); }
  T& rcb(int easy, long n, int ret) { return push(EventKind::read_cb, [&](Event& e) { e.easy = easy, e.value = n, e.result = ret; }); }
  // The classic loop; `took_ms` is the time the call took (its "took NS" text).
  T& perform(int running, std::int64_t took_ms = 0, int result = MSM_OK) {
    return push(EventKind::perform, [&](Event& e) { e.running = running, e.result = result, e.text = took(took_ms); });
  }
  T& wait(long timeout_ms, std::int64_t took_ms, int numfds = 0) {
    return push(EventKind::multi_wait, [&](Event& e) { e.value = timeout_ms, e.code = numfds, e.text = took(took_ms); });
  }
  T& poll(long timeout_ms, std::int64_t took_ms, int numfds = 0) {
    return push(EventKind::multi_poll, [&](Event& e) { e.value = timeout_ms, e.code = numfds, e.text = took(took_ms); });
  }
  T& wakeup(int result = MSM_OK) { return push(EventKind::wakeup, [&](Event& e) { e.result = result; }); }
  // multi_fdset's max_fd and its sets as the driver writes them ("in 5 7 out 6").
  T& fdset(long max_fd, std::string sets) {
    return push(EventKind::fdset, [&](Event& e) { e.value = max_fd, e.text = std::move(sets); });
  }
  // A recorded program's own waits (app_checker.hpp).
  T& app_wait(long timeout_ms = -1, std::string call = "epoll_wait") {
    return push(EventKind::app_wait, [&](Event& e) { e.value = timeout_ms, e.text = std::move(call); });
  }
  T& ready(int fd, int mask) { return push(EventKind::app_ready, [&](Event& e) { e.fd = fd, e.mask = mask; }); }
  T& watch(int fd, int mask) { return push(EventKind::app_watch, [&](Event& e) { e.fd = fd, e.mask = mask; }); }
  T& app_timer(int fd, long ms) { return push(EventKind::app_timer, [&](Event& e) { e.fd = fd, e.value = ms; }); }
  T& easy_cleanup(int easy) {
    return push(EventKind::call_end, [&](Event& e) { e.easy = easy, e.text = "easy_cleanup"; });
  }
  T& note(std::string text) { return push(EventKind::note, [&](Event& e) { e.text = std::move(text); }); }
  T& call_end(std::string text = "") { return push(EventKind::call_end, [&](Event& e) { e.text = std::move(text); }); }
  // Modifiers of the last event.
  T& text(std::string s) {
    trace_.events.back().text = std::move(s);
    return *this;
  }
  T& flag(EventFlag f) {
    trace_.events.back().flags |= f;
    return *this;
  }
  T& ret(int r) {
    trace_.events.back().result = r;
    return *this;
  }
  const Trace& trace() const { return trace_; }

 private:
  template <class F>
  T& push(EventKind k, F&& fill) {
    Event e;
    e.kind = k;
    e.time_ns = now_;
    fill(e);
    trace_.events.push_back(std::move(e));
    return *this;
  }
  static std::string took(std::int64_t ms) { return "took " + std::to_string(ms * 1000000); }
  Trace trace_;
  std::int64_t now_ = 0;
};

}  // namespace ms::conf::testing

// SPDX-License-Identifier: MIT
// driver_callbacks.cpp: the callbacks the target calls (socket, timer, read, write) and the calls
// some policies make from inside them.
#include "driver_impl.hpp"

namespace ms::conf {

int Driver::Impl::socket_cb(ms_easy* easy, ms_socket_t fd, int what, void* userp, void* socketp) {
  const sim::HostCode host;  // the driver's own code, called by the library
  if (!current) return 0;
  return current->on_socket(easy, fd, what, socketp, userp != current);
}

int Driver::Impl::on_socket(void* easy, int fd, int what, void* socketp, bool bad_userp) {
  Event e;
  e.kind = EventKind::socket_cb;
  e.easy = easy_id(easy);
  e.fd = fd;
  e.action = what;
  e.socketp = socketp_id(socketp);
  flags(e, bad_userp);
  // The application gives up from inside the callback: once, during socket_action, so
  // the error return and the recovery after it are what the scenario shows.
  if (in_socket_call && !aborted_once && what != MS_POLL_REMOVE &&
      rng.chance(opt.policy.abort_cb)) {
    aborted_once = true;
    e.result = -1;
  }
  record(e);
  if (rng.chance(opt.policy.recurse)) probe_recursion();
  if (rng.chance(opt.policy.nested)) nested_call(true, easy, what == MS_POLL_REMOVE ? -1 : fd);
  if (what == MS_POLL_REMOVE) {
    regs.erase(fd);
  } else {
    auto& r = regs[fd];
    r.action = what;
    ever_registered.insert(fd);
    candidates.push_back(fd);
    if (!r.socketp && rng.chance(opt.policy.assign)) {
      // A token, never dereferenced by anyone: the id makes it stable in the trace.
      const int id = next_socketp_id++;
      void* token = reinterpret_cast<void*>(static_cast<std::uintptr_t>(0x10000 + 16 * id));
      socketp_ids[token] = id;
      const int rc = traced("multi_assign", " (inside the socket callback)",
                            [&] { return api.multi_assign(multi, fd, token); });
      Event a;
      a.kind = EventKind::assign;
      a.fd = fd;
      a.socketp = id;
      a.result = rc;
      a.flags = EventFlag::in_callback;
      record(a);
      if (rc == MSM_OK) r.socketp = token;
    }
  }
  env.watch(fd, what);
  return e.result;
}

void Driver::Impl::probe_recursion() {
  long ms = -2;
  const int rc = traced("multi_timeout", " (inside a callback)",
                        [&] { return api.multi_timeout(multi, &ms); });
  Event q;
  q.kind = EventKind::timeout_query;
  q.result = rc;
  q.value = ms;
  q.flags = EventFlag::in_callback;
  record(q);
}

void Driver::Impl::probe_classic_recursion() {
  Event e;
  e.flags = EventFlag::in_callback;
  int out_int = -1;
  const int which = nested_classic++ % 4;
  const int rc = [&] {
    switch (which) {
      case 0:
        e.kind = EventKind::perform;
        return traced("multi_perform", " (inside a callback)", [&] { return api.multi_perform(multi, &out_int); });
      case 1:
        e.kind = EventKind::multi_wait;
        return traced("multi_wait", " (inside a callback)",
                      [&] { return api.multi_wait(multi, nullptr, 0, 0, &out_int); });
      case 2:
        e.kind = EventKind::multi_poll;
        return traced("multi_poll", " (inside a callback)",
                      [&] { return api.multi_poll(multi, nullptr, 0, 0, &out_int); });
      default: {
        e.kind = EventKind::fdset;
        fd_set rd, wr, ex;
        FD_ZERO(&rd);
        FD_ZERO(&wr);
        FD_ZERO(&ex);
        return traced("multi_fdset", " (inside a callback)",
                      [&] { return api.multi_fdset(multi, &rd, &wr, &ex, &out_int); });
      }
    }
  }();
  e.result = rc;
  if (e.kind == EventKind::perform) e.running = out_int;
  record(e);
}

int Driver::Impl::timer_cb(ms_multi* multi_handle, long timeout_ms, void* userp) {
  const sim::HostCode host;  // the driver's own code, called by the library
  if (!current) return 0;
  return current->on_timer(multi_handle, timeout_ms, userp != current);
}

int Driver::Impl::on_timer(void* multi_handle, long timeout_ms, bool bad_userp) {
  Event e;
  e.kind = EventKind::timer_cb;
  e.value = timeout_ms;
  flags(e, bad_userp);
  if (multi_handle != multi) e.flags |= EventFlag::bad_multi;
  // abort_timer: -1 once inside each kind of call that can run the timer callback.
  if (opt.policy.abort_timer > 0 && !calls.empty()) {
    const std::string kind = std::string(calls.back()) + (socket_call_timeout ? " timeout" : "");
    const bool may = calls.size() == 1 && !timer_aborted.count(kind) &&
                     (kind.starts_with("multi_socket") || kind == "multi_add_handle" ||
                      kind == "multi_remove_handle");
    if (may && rng.chance(opt.policy.abort_timer)) {
      timer_aborted.insert(kind);
      e.result = -1;
    }
  }
  record(e);
  if (rng.chance(opt.policy.recurse)) probe_recursion();
  if (rng.chance(opt.policy.nested)) nested_call(false, nullptr, -1);
  if (timeout_ms < 0)
    deadline.reset();
  else
    deadline = env.now() + std::chrono::milliseconds(timeout_ms);
  return e.result;
}

void Driver::Impl::nested_call(bool socket_cb, void* easy, int fd) {
  const char* where = socket_cb ? " (inside the socket callback)" : " (inside the timer callback)";
  int& next = socket_cb ? nested_socket : nested_timer;
  const int which = next;
  next = (next + 1) % 7;
  Transfer* t = easy ? by_easy(easy) : nullptr;
  if (!t) {  // the timer callback: any transfer that runs
    for (auto& x : transfers)
      if (x->easy && x->added && !x->removed && !x->result.done) {
        t = x.get();
        break;
      }
  }
  if (!socket_cb && !regs.empty()) fd = regs.nth(0);
  ++out.api_calls;
  Event e;
  e.flags = EventFlag::in_callback;
  switch (which) {
    case 0:
      nested_info_read(e, where);
      return;
    case 1: {
      long ms = -2;
      e.kind = EventKind::timeout_query;
      e.result = traced("multi_timeout", where, [&] { return api.multi_timeout(multi, &ms); });
      e.value = ms;
      break;
    }
    case 2: {
      if (fd < 0) return;
      const Registration* r = regs.find(fd);
      void* keep = r ? r->socketp : nullptr;  // socketp unchanged
      e.kind = EventKind::assign;
      e.fd = fd;
      e.socketp = socketp_id(keep);
      e.result = traced("multi_assign", where, [&] { return api.multi_assign(multi, fd, keep); });
      break;
    }
    case 3: {
      int id = 0;
      void* spare = new_easy(id);
      if (!spare) return;
      e.kind = EventKind::add_handle;
      e.easy = id;
      e.result = traced("multi_add_handle", where, [&] { return api.multi_add_handle(multi, spare); });
      if (e.result == MSM_OK) {
        spares.push_back(spare);  // taken out again from the loop
      } else {
        traced("easy_cleanup", "", [&] { api.easy_cleanup(spare); });
        easy_ids.erase(spare);
      }
      break;
    }
    case 4: {
      if (!t) return;
      e.kind = EventKind::remove_handle;
      e.easy = t->easy_id;
      e.result = traced("multi_remove_handle", where, [&] { return api.multi_remove_handle(multi, t->easy); });
      if (e.result == MSM_OK) {
        if (!t->result.done && running > 0) --running;
        t->removed = true;
      }
      break;
    }
    case 5: {
      int r = -1;
      e.kind = EventKind::socket_action;
      e.fd = MS_SOCKET_TIMEOUT;
      e.result = traced("multi_socket_action", where, [&] {
        return api.multi_socket_action(multi, MS_SOCKET_TIMEOUT, 0, &r);
      });
      e.running = r;
      break;
    }
    default: {
      if (!t || !api.easy_pause) return;
      e.kind = EventKind::easy_pause;
      e.easy = t->easy_id;
      e.value = t->pause_bits;  // the state it has: no change asked
      const int bits = t->pause_bits;
      e.result = traced("easy_pause", where, [&] { return api.easy_pause(t->easy, bits); });
      break;
    }
  }
  record(e);
}

void Driver::Impl::nested_info_read(Event& e, const char* where) {
  int left = -1;
  MSMsg* m = traced("multi_info_read", where, [&] { return api.multi_info_read(multi, &left); });
  e.kind = EventKind::info_read;
  e.value = left;
  if (m) {
    e.easy = easy_id(m->easy_handle);
    e.result = msg_kind(m);
    e.code = e.result == MSMSG_DONE ? msg_result(m) : 0;
  }
  record(e);
  if (m && msg_kind(m) == MSMSG_DONE)
    if (Transfer* done = by_easy(m->easy_handle)) finish_transfer(*done, e.code);
}

std::size_t Driver::Impl::read_cb(char* buffer, std::size_t size, std::size_t nitems, void* userdata) {
  const sim::HostCode host;  // the driver's own code, called by the library
  auto* t = static_cast<Transfer*>(userdata);
  Impl& d = *t->owner;
  if (d.traces_data() && d.may_pause(*t, MSPAUSE_SEND, t->pauses_send, d.opt.policy.pause_upload)) {
    d.data_callback(EventKind::read_cb, *t, size * nitems, MS_READFUNC_PAUSE);
    return MS_READFUNC_PAUSE;  // nothing taken: the same bytes are asked for again
  }
  const std::uint64_t total = static_cast<std::uint64_t>(std::max(0L, t->spec->upload_bytes));
  const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(size * nitems, total - t->upload_sent));
  for (std::size_t i = 0; i < n; ++i) buffer[i] = upload_byte(t->upload_sent + i);
  t->upload_sent += n;
  if (d.traces_data()) d.data_callback(EventKind::read_cb, *t, size * nitems, static_cast<long>(n));
  return n;
}

bool Driver::Impl::may_pause(Transfer& t, int bit, int& count, double p) {
  if (!api.easy_pause || (t.pause_bits & bit) || count >= kPausesPerTransfer) return false;
  if (!rng.chance(p)) return false;
  ++count;
  t.pause_bits |= bit;
  const auto delay = std::chrono::milliseconds(1 + rng.below(kUnpauseDelayMaxMs));
  unpauses.push_back(Unpause{env.now() + delay, &t, bit});
  return true;
}

void Driver::Impl::data_callback(EventKind kind, Transfer& t, std::size_t offered, long result) {
  Event e;
  e.kind = kind;
  e.easy = t.easy_id;
  e.value = static_cast<long>(offered);
  e.result = static_cast<int>(result);
  if (!in_call) e.flags |= EventFlag::outside;
  record(std::move(e));
}

void Driver::Impl::unpause(Transfer& t, int bit) {
  if (!(t.pause_bits & bit)) return;
  t.pause_bits &= ~bit;
  if (!t.easy || !t.added || t.removed || t.result.done) return;
  if (undrained) drain_messages();
  ++out.api_calls;
  const int bits = t.pause_bits;  // the redelivery inside may pause again: record the ask
  Event e;
  e.kind = EventKind::easy_pause;
  e.easy = t.easy_id;
  e.value = bits;
  const int rc = recorded_call(e, "easy_pause", "", [&] { return api.easy_pause(t.easy, bits); });
  if (rc != MSE_OK) note("easy_pause failed for " + t.spec->id);
  int finished = 0;
  for (auto& x : transfers) finished -= x->result.done ? 1 : 0;
  drain_messages();
  for (auto& x : transfers) finished += x->result.done ? 1 : 0;
  // A transfer that ended inside easy_pause is not running any more, as the next socket
  // call would report.
  running = std::max(0, running - finished);
}

const std::string& Driver::Impl::test_ca_file() {
  static const std::string path = [] {
    std::error_code ec;
    const auto dir = std::filesystem::temp_directory_path(ec);
    const std::string p = (ec ? std::filesystem::path("/tmp") : dir) / "multisock-test-ca.pem";
    return ms::sim::write_test_ca_file(p) ? p : std::string();
  }();
  return path;
}

std::size_t Driver::Impl::write_cb(char* ptr, std::size_t size, std::size_t nmemb, void* userdata) {
  const sim::HostCode host;  // the driver's own code, called by the library
  auto* t = static_cast<Transfer*>(userdata);
  const std::size_t n = size * nmemb;
  if (t->owner->traces_data()) {
    Impl& d = *t->owner;
    // A paused transfer refuses nothing: the data it still gets is kept (and the checker
    // reports that it came while paused).
    const bool pause = d.may_pause(*t, MSPAUSE_RECV, t->pauses_recv, d.opt.policy.pause);
    d.data_callback(EventKind::write_cb, *t, n, pause ? MS_WRITEFUNC_PAUSE : static_cast<long>(n));
    if (pause) return MS_WRITEFUNC_PAUSE;  // the same bytes come again after the unpause
  }
  if (Impl& d = *t->owner; d.opt.policy.loop != AppLoop::socket && d.rng.chance(d.opt.policy.recurse))
    d.probe_classic_recursion();
  auto& r = t->result;
  const std::size_t keep = std::min(n, t->owner->opt.body_keep_max - std::min(
      t->owner->opt.body_keep_max, r.body.size()));
  r.body.append(ptr, keep);
  r.body_bytes += n;
  if (t->sha) t->sha->update(ptr, n);
  return n;
}

}  // namespace ms::conf

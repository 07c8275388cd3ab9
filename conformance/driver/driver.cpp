// SPDX-License-Identifier: MIT
// driver.cpp: the simulated application.
//
// How it works: the loop alternates between (1) carrying out plan steps that are due,
// (2) acting on descriptors that are ready for what their registration asks, in
// ascending descriptor order, (3) firing the timer when its deadline has passed, and
// (4) waiting in the Environment until the next deadline or plan step. Readiness is
// level-triggered, as with poll/epoll: a descriptor acted on is looked at again in the
// next round. Policy draws happen at fixed points of the loop, so one seed gives one
// sequence of calls. After every API call the message queue is drained with info_read.
#include "conformance/driver.hpp"

#include <openssl/evp.h>

#include <filesystem>

#include "simnet/peer_script.hpp"
#include "simnet/test_pki.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <set>
#include <type_traits>

namespace ms::conf {

namespace {

// A message's fields as the integers the target stored: a library may store any value, and
// reading one outside the enumeration as the enum type is undefined (ER-CODES judges it).
int msg_kind(const MSMsg* m) {
  int v = 0;
  static_assert(sizeof(m->msg) == sizeof v);
  std::memcpy(&v, &m->msg, sizeof v);
  return v;
}
int msg_result(const MSMsg* m) {
  int v = 0;
  static_assert(sizeof(m->data.result) == sizeof v);
  std::memcpy(&v, &m->data.result, sizeof v);
  return v;
}


std::string canonical(std::string name) {
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
}

std::string hex(const unsigned char* p, std::size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (std::size_t i = 0; i < n; ++i) {
    out[2 * i] = digits[p[i] >> 4];
    out[2 * i + 1] = digits[p[i] & 15];
  }
  return out;
}

}  // namespace

const char* Policy::describe(const std::string& field) {
#define MS_X(name, text) \
  if (canonical(field) == #name) return text;
  MS_POLICY_FIELDS(MS_X)
#undef MS_X
  return nullptr;
}

bool Policy::set(const std::string& name, double value) {
#define MS_X(field, text)          \
  if (canonical(name) == #field) { \
    field = value;                 \
    return true;                   \
  }
  MS_POLICY_FIELDS(MS_X)
#undef MS_X
  return false;
}

bool Policy::preset(const std::string& name, Policy& out) {
  Policy p;
  if (name == "faithful") {
  } else if (name == "mask-zero") {
    p.mask_zero = 1.0;
  } else if (name == "spurious") {
    p.spurious_in = 0.3;
    p.spurious_out = 0.1;
  } else if (name == "err") {
    p.err_healthy = 0.05;
  } else if (name == "timeouts") {
    p.early_timeout = 0.3;
    p.late_timeout = 0.3;
  } else if (name == "stale") {
    p.stale_fd = 0.2;
  } else if (name == "legacy") {
    p.legacy_socket = 0.5;
    p.socket_all = 0.1;
  } else if (name == "chaos") {
    p.mask_zero = 0.2;
    p.spurious_in = 0.2;
    p.spurious_out = 0.1;
    p.early_timeout = 0.2;
    p.late_timeout = 0.2;
    p.stale_fd = 0.1;
    p.legacy_socket = 0.1;
    p.socket_all = 0.05;
    p.timeout_query = 0.2;
    p.assign = 0.5;
    p.recurse = 0.05;
    p.misuse = 0.05;
    p.defer_info_read = 0.2;
  } else {
    return false;
  }
  out = p;
  return true;
}

std::string Policy::to_string() const {
  std::string s;
  char buf[64];
#define MS_X(name, text)                                  \
  if (name != 0.0) {                                      \
    std::snprintf(buf, sizeof buf, "%s=%g ", #name, name); \
    s += buf;                                             \
  }
  MS_POLICY_FIELDS(MS_X)
#undef MS_X
  if (s.empty()) return "faithful";
  s.pop_back();
  return s;
}

struct Driver::Impl {
  struct Registration {
    int action = MS_POLL_NONE;
    void* socketp = nullptr;
  };
  struct Transfer {
    TransferSpec spec;
    std::size_t index = 0;
    void* easy = nullptr;
    int easy_id = 0;
    bool added = false;
    bool removed = false;
    bool churned = false;  // remove_random took it out once already
    ms_slist* headers = nullptr;
    ms_slist* resolve = nullptr;
    EVP_MD_CTX* sha = nullptr;
    TransferResult result;
    Impl* owner = nullptr;
    std::uint64_t upload_sent = 0;  // bytes handed to the read callback
    int pause_bits = 0;             // MSPAUSE_* the application holds for this handle
    int pauses_recv = 0, pauses_send = 0;  // over the transfer's life, capped
  };
  // An unpause the loop owes: clear `bit` of the transfer's pause bits at `at`.
  struct Unpause {
    Nanos at;
    Transfer* t = nullptr;
    int bit = 0;
  };

  const Api& api;
  Environment& env;
  DriverOptions opt;
  Rng rng;
  RunResult out;
  void* multi = nullptr;
  int running = 0;
  bool in_call = false;
  std::optional<Nanos> deadline;  // from the timer callback
  std::map<int, Registration> regs;  // ordered: rounds visit descriptors in order
  std::set<int> ever_registered;
  std::map<const void*, int> easy_ids;  // lookups only; ids come from creation order
  int next_easy_id = 1;
  std::map<const void*, int> socketp_ids;
  std::map<const void*, Transfer*> transfer_of;  // lookups only
  int next_socketp_id = 1;
  std::vector<std::unique_ptr<Transfer>> transfers;
  std::vector<int> candidates;
  std::vector<int> scratch;
  bool after_add = false;
  // Socket calls since the target last showed a change. A level-triggered application
  // whose target never consumes an event spins; past kLivelockCalls (twice the checker's
  // SA-PROGRESS window, so the checker has reported it) the run stops instead of
  // filling memory up to call_limit.
  static constexpr std::uint64_t kLivelockCalls = 20000;
  std::uint64_t calls_without_change = 0;
  bool stop_after_error = false;  // no-recover: an error return ends the run
  bool in_socket_call = false;   // inside socket_action: where an abort may be returned
  bool aborted_once = false;     // abort_cb fires at most once per run
  bool undrained = false;        // defer_info_read left messages in the queue
  bool recovering = false;       // inside recover(): its adds do not recover again
  std::vector<std::pair<Nanos, Transfer*>> readd;  // remove_random: re-add at that time
  std::vector<Unpause> unpauses;                   // in the order scheduled
  // The API calls in progress, innermost last (names without the target's prefix), and
  // their full text for DriverOptions::call_hook.
  std::vector<const char*> calls;
  std::vector<std::string> call_text;
  bool socket_call_timeout = false;     // the socket call in progress is SOCKET_TIMEOUT
  std::set<std::string> timer_aborted;  // abort_timer: the kinds of call it aborted in
  int nested_socket = 0, nested_timer = 0;  // nested: the next call of each rotation
  int null_next = 0;                        // null_multi: the next call of the rotation
  std::vector<void*> spares;  // handles a nested add_handle wrongly accepted

  Impl(const Api& a, Environment& e, DriverOptions o)
      : api(a), env(e), opt(std::move(o)), rng(opt.seed) {
    rng.attach(opt.choices);
  }

  ~Impl() {
    for (auto& t : transfers) release(*t);
  }

  std::int64_t now_ns() { return env.now().count(); }

  void enter(const char* name, const char* how = "") {
    calls.push_back(name);
    if (!opt.call_hook) return;
    call_text.push_back(opt.call_prefix + name + how);
    opt.call_hook(call_text.back().c_str());
  }
  void leave() {
    calls.pop_back();
    if (!opt.call_hook) return;
    call_text.pop_back();
    opt.call_hook(call_text.empty() ? nullptr : call_text.back().c_str());
  }
  template <typename F>
  auto traced(const char* name, const char* how, F&& f) {
    enter(name, how);
    if constexpr (std::is_void_v<decltype(f())>) {
      f();
      leave();
    } else {
      auto r = f();
      leave();
      return r;
    }
  }

  // One API call from the loop (not from a callback), recorded when it returns: `e` is the
  // event without its result, `call` returns the code.
  template <typename F>
  int recorded_call(Event& e, const char* name, const char* how, F&& call) {
    in_call = true;
    const int rc = traced(name, how, std::forward<F>(call));
    in_call = false;
    e.result = rc;
    record(e);
    return rc;
  }

  void release(Transfer& t) {
    if (t.sha) EVP_MD_CTX_free(t.sha);
    t.sha = nullptr;
    if (t.headers) traced("slist_free_all", "", [&] { api.slist_free_all(t.headers); });
    if (t.resolve) traced("slist_free_all", "", [&] { api.slist_free_all(t.resolve); });
    t.headers = t.resolve = nullptr;
  }

  void flags(Event& e, bool bad_userp) {
    if (!in_call) e.flags |= EventFlag::outside;
    if (bad_userp) e.flags |= EventFlag::bad_userp;
  }

  void record(Event e) {
    switch (e.kind) {  // anything that shows the target moved on ends a livelock run
      case EventKind::socket_cb:
      case EventKind::timer_cb:
      case EventKind::net_open:
      case EventKind::net_connect:
      case EventKind::net_close:
      case EventKind::net_bytes:
      case EventKind::write_cb:
      case EventKind::read_cb:
        calls_without_change = 0;
        break;
      case EventKind::info_read:
        if (e.easy != 0) calls_without_change = 0;
        break;
      default: break;
    }
    e.time_ns = now_ns();
    // A target that floods callbacks inside one call is stopped from exhausting the
    // harness: past the cap events are counted, not kept, and the run is an error.
    if (out.trace.events.size() >= opt.trace_events_max) {
      if (events_dropped++ == 0 && opt.on_event_cap) opt.on_event_cap();
      return;
    }
    out.trace.events.push_back(std::move(e));
  }

  std::uint64_t events_dropped = 0;  // past DriverOptions::trace_events_max

  void note(std::string text) {
    Event e;
    e.kind = EventKind::note;
    e.text = std::move(text);
    record(std::move(e));
  }

  // A new easy handle the trace names by the next id (spares for probes, transfers); null
  // when easy_init fails.
  void* new_easy(int& id) {
    void* easy = traced("easy_init", "", [&] { return api.easy_init(); });
    if (!easy) return nullptr;
    id = next_easy_id++;
    easy_ids[easy] = id;
    return easy;
  }

  int easy_id(const void* easy) {
    if (!easy) return 0;
    auto it = easy_ids.find(easy);
    return it == easy_ids.end() ? -1 : it->second;
  }

  int socketp_id(const void* p) {
    if (!p) return 0;
    auto it = socketp_ids.find(p);
    return it == socketp_ids.end() ? -1 : it->second;
  }

  Transfer* by_easy(const void* easy) {
    auto it = transfer_of.find(easy);
    return it == transfer_of.end() ? nullptr : it->second;
  }

  // ---- callbacks -------------------------------------------------------------------------

  // The driver running on this thread. Callbacks find it here rather than through userp,
  // so a wrong userp from a target is recorded ("bad-userp") instead of dereferenced.
  static thread_local Impl* current;

  // Declared with the engine's callback types, so the engine calls them through a pointer
  // of their own type; a curl-style library calls them with its own handle type, which has
  // the same representation.
  static int socket_cb(ms_easy* easy, ms_socket_t fd, int what, void* userp, void* socketp) {
    if (!current) return 0;
    return current->on_socket(easy, fd, what, socketp, userp != current);
  }

  int on_socket(void* easy, int fd, int what, void* socketp, bool bad_userp) {
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

  // A multi call from inside a callback: it must be refused with RECURSIVE_API_CALL.
  void probe_recursion() {
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

  static int timer_cb(ms_multi* multi_handle, long timeout_ms, void* userp) {
    if (!current) return 0;
    return current->on_timer(multi_handle, timeout_ms, userp != current);
  }

  int on_timer(void* multi_handle, long timeout_ms, bool bad_userp) {
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

  // One API call from inside a callback, the next of a rotation per callback kind. The
  // documents allow info_read (no restriction), multi_assign ("acceptable to call this
  // function from your multi callback functions") and easy_pause ("can be used from within
  // callbacks"); the others must be refused with RECURSIVE_API_CALL. easy is the socket
  // callback's handle, fd its socket (-1 on REMOVE or in the timer callback).
  void nested_call(bool socket_cb, void* easy, int fd) {
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
    if (!socket_cb && !regs.empty()) fd = regs.begin()->first;
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
        auto it = regs.find(fd);
        void* keep = it == regs.end() ? nullptr : it->second.socketp;  // socketp unchanged
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

  // info_read from inside a callback (allowed): a DONE it returns finishes its transfer.
  void nested_info_read(Event& e, const char* where) {
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

  // Uploads send generated bytes (the same ones a peer's `send body N` sends).
  static std::size_t read_cb(char* buffer, std::size_t size, std::size_t nitems, void* userdata) {
    auto* t = static_cast<Transfer*>(userdata);
    Impl& d = *t->owner;
    if (d.traces_data() && d.may_pause(*t, MSPAUSE_SEND, t->pauses_send, d.opt.policy.pause_upload)) {
      d.data_callback(EventKind::read_cb, *t, size * nitems, MS_READFUNC_PAUSE);
      return MS_READFUNC_PAUSE;  // nothing taken: the same bytes are asked for again
    }
    const std::uint64_t total = static_cast<std::uint64_t>(std::max(0L, t->spec.upload_bytes));
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(size * nitems, total - t->upload_sent));
    for (std::size_t i = 0; i < n; ++i) buffer[i] = upload_byte(t->upload_sent + i);
    t->upload_sent += n;
    if (d.traces_data()) d.data_callback(EventKind::read_cb, *t, size * nitems, static_cast<long>(n));
    return n;
  }

  // ---- pausing ---------------------------------------------------------------------------

  // Write and read callbacks are recorded only when the policy pauses: other runs keep
  // their traces (and their hashes) as they were.
  bool traces_data() const { return opt.policy.pause > 0 || opt.policy.pause_upload > 0; }

  // Draws whether this callback pauses its direction. Never without the means to unpause,
  // never twice before the unpause, and at most kPausesPerTransfer times.
  bool may_pause(Transfer& t, int bit, int& count, double p) {
    if (!api.easy_pause || (t.pause_bits & bit) || count >= kPausesPerTransfer) return false;
    if (!rng.chance(p)) return false;
    ++count;
    t.pause_bits |= bit;
    const auto delay = std::chrono::milliseconds(1 + rng.below(kUnpauseDelayMaxMs));
    unpauses.push_back(Unpause{env.now() + delay, &t, bit});
    return true;
  }

  void data_callback(EventKind kind, Transfer& t, std::size_t offered, long result) {
    Event e;
    e.kind = kind;
    e.easy = t.easy_id;
    e.value = static_cast<long>(offered);
    e.result = static_cast<int>(result);
    if (!in_call) e.flags |= EventFlag::outside;
    record(std::move(e));
  }

  // The application lets the transfer go on: easy_pause with the bit cleared, from the
  // loop, never from a callback. The write callback may run inside (delivering what was
  // refused); a transfer may even finish there, so the queue is read right after.
  void unpause(Transfer& t, int bit) {
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
    if (rc != MSE_OK) note("easy_pause failed for " + t.spec.id);
    int finished = 0;
    for (auto& x : transfers) finished -= x->result.done ? 1 : 0;
    drain_messages();
    for (auto& x : transfers) finished += x->result.done ? 1 : 0;
    // A transfer that ended inside easy_pause is not running any more, as the next socket
    // call would report.
    running = std::max(0, running - finished);
  }

  static char upload_byte(std::uint64_t i) { return ms::sim::generated_body_byte(i); }

  // The scripted peers' CA, written once per process into the temporary folder.
  static const std::string& test_ca_file() {
    static const std::string path = [] {
      std::error_code ec;
      const auto dir = std::filesystem::temp_directory_path(ec);
      const std::string p = (ec ? std::filesystem::path("/tmp") : dir) / "multisock-test-ca.pem";
      return ms::sim::write_test_ca_file(p) ? p : std::string();
    }();
    return path;
  }

  static std::size_t write_cb(char* ptr, std::size_t size, std::size_t nmemb, void* userdata) {
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
    auto& r = t->result;
    const std::size_t keep = std::min(n, t->owner->opt.body_keep_max - std::min(
        t->owner->opt.body_keep_max, r.body.size()));
    r.body.append(ptr, keep);
    r.body_bytes += n;
    if (t->sha) EVP_DigestUpdate(t->sha, ptr, n);
    return n;
  }

  // ---- API calls, each recorded after it returns --------------------------------------

  void drain_or_defer(int rc) {
    if ((rc == MSM_OK || rc == MSM_CALL_MULTI_PERFORM) && rng.chance(opt.policy.defer_info_read)) {
      undrained = true;
      return;
    }
    drain_messages();
  }

  void drain_messages() {
    undrained = false;
    // The queue holds at most one message per added transfer: a target whose info_read
    // never returns NULL is read that far (and a little more), not for ever.
    const std::size_t most = transfers.size() + 100;
    for (std::size_t read = 0;; ++read) {
      if (read > most) {
        note("multi_info_read gave " + std::to_string(read) +
             " messages in a row without NULL (at most one per transfer can be queued): stopped reading");
        return;
      }
      int left = -1;
      in_call = true;
      MSMsg* m = traced("multi_info_read", "", [&] { return api.multi_info_read(multi, &left); });
      in_call = false;
      Event e;
      e.kind = EventKind::info_read;
      e.value = left;
      if (!m) {
        record(e);
        return;
      }
      e.easy = easy_id(m->easy_handle);
      e.result = msg_kind(m);
      e.code = e.result == MSMSG_DONE ? msg_result(m) : 0;
      record(e);
      if (e.result != MSMSG_DONE) continue;
      if (Transfer* t = by_easy(m->easy_handle)) finish_transfer(*t, e.code);
    }
  }

  void finish_transfer(Transfer& t, int code) {
    auto& r = t.result;
    if (r.done) return;  // a second DONE is the checker's business (IR-ONCE)
    r.done = true;
    r.result = code;
    r.done_at_ns = now_ns();
    long http = 0;
    if (traced("easy_getinfo", "", [&] { return api.easy_getinfo(t.easy, MSINFO_RESPONSE_CODE, &http); }) == MSE_OK)
      r.response_code = http;
    if (t.sha) {
      unsigned char md[EVP_MAX_MD_SIZE];
      unsigned int len = 0;
      EVP_DigestFinal_ex(t.sha, md, &len);
      r.body_sha256 = hex(md, len);
      EVP_MD_CTX_free(t.sha);
      t.sha = nullptr;
    }
  }

  bool all_done() const {
    for (auto& t : transfers)
      if (t->added && !t->removed && !t->result.done) return false;
    return true;
  }

  // The three socket entry points (socket_action, the deprecated multi_socket and
  // multi_socket_all) share everything but the call itself: counting, recording, reading
  // messages, and the recovery rule after an error return.
  template <typename Call>
  int socket_call(EventKind kind, int fd, int mask, const char* why, Call&& call) {
    if (stop_after_error) return MSM_OK;  // nothing more is asked of the multi
    ++out.api_calls;
    ++calls_without_change;
    if (why) note(why);
    int now_running = -1;
    in_call = true;
    in_socket_call = kind == EventKind::socket_action;
    socket_call_timeout = fd == MS_SOCKET_TIMEOUT && kind == EventKind::socket_action;
    enter(kind == EventKind::socket_action ? "multi_socket_action"
          : kind == EventKind::socket_legacy ? "multi_socket" : "multi_socket_all");
    const int rc = call(&now_running);
    leave();
    socket_call_timeout = false;
    in_socket_call = false;
    in_call = false;
    Event e;
    e.kind = kind;
    e.fd = fd;
    e.mask = mask;
    e.result = rc;
    e.running = now_running;
    record(e);
    if (rc == MSM_OK || rc == MSM_CALL_MULTI_PERFORM) running = now_running;
    drain_or_defer(rc);
    if (rc != MSM_OK && rc != MSM_CALL_MULTI_PERFORM) recover(rc);
    return rc;
  }

  int socket_action(int fd, int mask, const char* why) {
    return socket_call(EventKind::socket_action, fd, mask, why, [&](int* running_out) {
      return api.multi_socket_action(multi, fd, mask, running_out);
    });
  }

  int socket_legacy(int fd) {
    return socket_call(EventKind::socket_legacy, fd, 0, nullptr, [&](int* running_out) {
      return api.multi_socket(multi, fd, running_out);
    });
  }

  void socket_all() {
    socket_call(EventKind::socket_all, -1, 0, nullptr, [&](int* running_out) {
      return api.multi_socket_all(multi, running_out);
    });
  }

  void query_timeout() {
    long ms = -2;
    Event e;
    e.kind = EventKind::timeout_query;
    recorded_call(e, "multi_timeout", "", [&] {
      const int rc = api.multi_timeout(multi, &ms);
      e.value = ms;
      return rc;
    });
  }

  // The libfetch rule: after an error return, remove every handle and add new ones.
  void recover(int rc) {
    note("error-return " + std::to_string(rc));
    if (!opt.policy.recover_after_error) {
      // The documents say not to call the multi again after an error: stop driving.
      stop_after_error = true;
      return;
    }
    note("recover: remove all handles, add new ones");
    recovering = true;
    struct Done {
      bool& flag;
      ~Done() { flag = false; }
    } done{recovering};
    std::vector<Transfer*> again;
    for (auto& t : transfers) {
      if (!t->added || t->removed) continue;
      remove_transfer(*t);
      if (!t->result.done) again.push_back(t.get());
    }
    for (Transfer* t : again) add_transfer(*t);
  }

  void cleanup_easy(Transfer& t) {
    in_call = true;
    enter("easy_cleanup");
    traced("easy_cleanup", "", [&] { api.easy_cleanup(t.easy); });
    leave();
    in_call = false;
    transfer_of.erase(t.easy);
    easy_ids.erase(t.easy);
    t.easy = nullptr;
    Event e;
    e.kind = EventKind::call_end;
    e.text = "easy_cleanup";
    record(e);
  }

  void remove_transfer(Transfer& t) {
    ++out.api_calls;
    Event e;
    e.kind = EventKind::remove_handle;
    e.easy = t.easy_id;
    const int rc = recorded_call(e, "multi_remove_handle", "", [&] { return api.multi_remove_handle(multi, t.easy); });
    // A timer callback's -1 inside the call made the transfers fail: read their DONE
    // messages before anything else is removed.
    if (rc == MSM_ABORTED_BY_CALLBACK) drain_messages();
    // A removed transfer that had not finished no longer runs: the count the application
    // holds drops with it, as it would on the next socket call's report.
    if (rc == MSM_OK && t.added && !t.removed && !t.result.done && running > 0) --running;
    t.removed = true;
  }

  // The transfer's options on its easy handle (URL, callbacks, timeouts, TLS, upload,
  // headers, resolve entries): the OR of the setopt results, 0 when all were accepted.
  int set_transfer_options(Transfer& t, void* easy) {
    const TransferSpec& s = t.spec;
    int bad = 0;
    auto set_long = [&](int option, long v) {
      bad |= traced("easy_setopt", "", [&] { return api.easy_setopt(easy, option, v); });
    };
    auto set_ptr = [&](int option, const void* p) {
      bad |= traced("easy_setopt", "", [&] { return api.easy_setopt(easy, option, p); });
    };
    set_ptr(MSOPT_URL, s.url.c_str());
    set_ptr(MSOPT_WRITEFUNCTION, reinterpret_cast<const void*>(&write_cb));
    set_ptr(MSOPT_WRITEDATA, &t);
    set_long(MSOPT_NOSIGNAL, 1L);
    if (s.timeout_ms >= 0) set_long(MSOPT_TIMEOUT_MS, s.timeout_ms);
    if (s.connecttimeout_ms >= 0) set_long(MSOPT_CONNECTTIMEOUT_MS, s.connecttimeout_ms);
    if (s.low_speed_time >= 0) set_long(MSOPT_LOW_SPEED_TIME, s.low_speed_time);
    if (s.low_speed_limit >= 0) set_long(MSOPT_LOW_SPEED_LIMIT, s.low_speed_limit);
    if (s.nobody) set_long(MSOPT_NOBODY, 1L);
    if (s.follow) set_long(MSOPT_FOLLOWLOCATION, 1L);
    if (s.maxredirs >= 0) set_long(MSOPT_MAXREDIRS, s.maxredirs);
    if (!s.cainfo.empty()) {
      if (test_ca_file().empty()) note("cannot write the test CA file");
      set_ptr(MSOPT_CAINFO, test_ca_file().c_str());
    }
    if (s.verifypeer >= 0) set_long(MSOPT_SSL_VERIFYPEER, s.verifypeer);
    if (s.verifyhost >= 0) set_long(MSOPT_SSL_VERIFYHOST, s.verifyhost);
    if (s.upload_bytes >= 0) {
      t.upload_sent = 0;
      set_long(MSOPT_UPLOAD, 1L);
      set_ptr(MSOPT_READFUNCTION, reinterpret_cast<const void*>(&read_cb));
      set_ptr(MSOPT_READDATA, &t);
      if (!s.upload_chunked)
        bad |= traced("easy_setopt", "", [&] {
          return api.easy_setopt(easy, MSOPT_INFILESIZE_LARGE, static_cast<ms_off_t>(s.upload_bytes));
        });
    }
    if (s.has_post) {
      set_long(MSOPT_POSTFIELDSIZE, static_cast<long>(s.post.size()));
      set_ptr(MSOPT_POSTFIELDS, s.post.c_str());
    }
    for (auto& h : s.headers)
      t.headers = traced("slist_append", "", [&] { return api.slist_append(t.headers, h.c_str()); });
    if (t.headers) set_ptr(MSOPT_HTTPHEADER, t.headers);
    for (auto& r : s.resolve) {
      const std::string entry = r.host + ":" + std::to_string(r.port) + ":" + r.address;
      t.resolve = traced("slist_append", "", [&] { return api.slist_append(t.resolve, entry.c_str()); });
    }
    if (t.resolve) set_ptr(MSOPT_RESOLVE, t.resolve);
    return bad;
  }

  // Creates a fresh easy handle for the transfer (also after a recovery) and adds it.
  bool add_transfer(Transfer& t) {
    const TransferSpec& s = t.spec;
    if (t.easy) {
      cleanup_easy(t);
    }
    release(t);
    void* easy = new_easy(t.easy_id);
    if (!easy) {
      out.harness_error = "easy_init failed";
      return false;
    }
    t.easy = easy;
    transfer_of[easy] = &t;
    t.added = false;
    t.removed = false;
    t.pause_bits = 0;  // a fresh handle starts unpaused; unpauses owed to the old one lapse
    std::erase_if(unpauses, [&t](const Unpause& u) { return u.t == &t; });
    t.result = TransferResult{};
    t.result.id = s.id;
    t.result.easy_id = t.easy_id;
    t.sha = EVP_MD_CTX_new();
    EVP_DigestInit_ex(t.sha, EVP_sha256(), nullptr);
    t.owner = this;

    const int bad = set_transfer_options(t, easy);
    if (bad) note("setopt failed for " + s.id);
    if (s.timeout_ms > 0) note("timeout e" + std::to_string(t.easy_id) + " " +
                               std::to_string(s.timeout_ms));
    note("transfer e" + std::to_string(t.easy_id) + " " + s.id + " " + s.url);
    if (std::find(opt.healthy.begin(), opt.healthy.end(), s.id) != opt.healthy.end())
      note("healthy e" + std::to_string(t.easy_id));

    ++out.api_calls;
    Event e;
    e.kind = EventKind::add_handle;
    e.easy = t.easy_id;
    const int rc = recorded_call(e, "multi_add_handle", "", [&] { return api.multi_add_handle(multi, easy); });
    if (rc == MSM_ABORTED_BY_CALLBACK) {
      // The timer callback's -1 inside add_handle: the handle may be in the multi (and
      // failed with the others), so it is treated as added: the DONE messages are read and
      // the error rule removes it with the rest.
      t.added = true;
      after_add = true;
      drain_messages();
      // Once: a target that keeps refusing the fresh handles of a recovery is not retried.
      if (!recovering) recover(rc);
      return false;
    }
    if (rc != MSM_OK) return false;
    t.added = true;
    after_add = true;
    return true;
  }

  // ---- misuse and churn ----------------------------------------------------------------------

  // One invalid call; each has a documented error code and must never crash.
  void misuse() {
    note("misuse");
    Event e;
    switch (rng.below(5)) {
      case 0: {  // assign on a descriptor that is not registered
        const int fd = 3 + static_cast<int>(rng.below(64));
        if (regs.count(fd)) return;
        e.kind = EventKind::assign;
        e.fd = fd;
        in_call = true;
        e.result = traced("multi_assign", "", [&] { return api.multi_assign(multi, fd, nullptr); });
        in_call = false;
        break;
      }
      case 1:  // add NULL
        e.kind = EventKind::add_handle;
        in_call = true;
        e.result = traced("multi_add_handle", "(multi, NULL)", [&] { return api.multi_add_handle(multi, nullptr); });
        in_call = false;
        break;
      case 2: {  // add a handle that is already added
        std::vector<Transfer*> live;
        for (auto& t : transfers)
          if (t->added && !t->removed) live.push_back(t.get());
        if (live.empty()) return;
        Transfer* t = live[rng.below(live.size())];
        e.kind = EventKind::add_handle;
        e.easy = t->easy_id;
        in_call = true;
        e.result = traced("multi_add_handle", "", [&] { return api.multi_add_handle(multi, t->easy); });
        in_call = false;
        break;
      }
      case 3: {  // a call on a NULL multi handle
        long ms = -2;
        e.kind = EventKind::timeout_query;
        e.flags = EventFlag::bad_multi;
        in_call = true;
        e.result = traced("multi_timeout", "(NULL, ...)", [&] { return api.multi_timeout(nullptr, &ms); });
        in_call = false;
        e.value = ms;
        break;
      }
      default: {  // remove a handle that was never added
        int id = 0;
        void* spare = new_easy(id);
        if (!spare) return;
        e.kind = EventKind::remove_handle;
        e.easy = id;
        in_call = true;
        e.result = traced("multi_remove_handle", "", [&] { return api.multi_remove_handle(multi, spare); });
        traced("easy_cleanup", "", [&] { api.easy_cleanup(spare); });
        in_call = false;
        easy_ids.erase(spare);
        break;
      }
    }
    ++out.api_calls;
    record(e);
  }

  // null_multi: the next call of a rotation over every multi call, with a NULL multi. Each
  // must return BAD_HANDLE (info_read: NULL), never crash.
  void null_multi_call() {
    Event e;
    e.flags = EventFlag::bad_multi;
    int r = -1;
    // The socket calls come last: where one crashes, the calls before it were graded.
    static constexpr int kOrder[8] = {7, 4, 5, 6, 3, 2, 0, 1};
    const int which = kOrder[null_next];
    null_next = (null_next + 1) % 8;
    Transfer* live = nullptr;
    for (auto& t : transfers)
      if (t->easy && t->added && !t->removed) {
        live = t.get();
        break;
      }
    const int fd = regs.empty() ? MS_SOCKET_TIMEOUT : regs.begin()->first;
    in_call = true;
    switch (which) {
      case 0:
        e.kind = EventKind::socket_action;
        e.fd = MS_SOCKET_TIMEOUT;
        e.result = traced("multi_socket_action", "(NULL, CURL_SOCKET_TIMEOUT, 0, ...)",
                          [&] { return api.multi_socket_action(nullptr, MS_SOCKET_TIMEOUT, 0, &r); });
        break;
      case 1:
        e.kind = EventKind::socket_action;
        e.fd = fd;
        e.mask = MS_CSELECT_IN;
        e.result = traced("multi_socket_action", "(NULL, fd, CSELECT_IN, ...)",
                          [&] { return api.multi_socket_action(nullptr, fd, MS_CSELECT_IN, &r); });
        break;
      case 2:
        if (!api.multi_socket) break;
        e.kind = EventKind::socket_legacy;
        e.fd = fd;
        e.result = traced("multi_socket", "(NULL, ...)", [&] { return api.multi_socket(nullptr, fd, &r); });
        break;
      case 3:
        if (!api.multi_socket_all) break;
        e.kind = EventKind::socket_all;
        e.result = traced("multi_socket_all", "(NULL, ...)", [&] { return api.multi_socket_all(nullptr, &r); });
        break;
      case 4:
        e.kind = EventKind::assign;
        e.fd = fd;
        e.result = traced("multi_assign", "(NULL, ...)", [&] { return api.multi_assign(nullptr, fd, nullptr); });
        break;
      case 5: {
        int id = 0;
        void* spare = new_easy(id);
        if (!spare) break;
        e.kind = EventKind::add_handle;
        e.easy = id;
        e.result = traced("multi_add_handle", "(NULL, ...)", [&] { return api.multi_add_handle(nullptr, spare); });
        traced("easy_cleanup", "", [&] { api.easy_cleanup(spare); });
        easy_ids.erase(spare);
        break;
      }
      case 6:
        if (!live) break;
        e.kind = EventKind::remove_handle;
        e.easy = live->easy_id;
        e.result = traced("multi_remove_handle", "(NULL, ...)",
                          [&] { return api.multi_remove_handle(nullptr, live->easy); });
        break;
      default: {
        int left = -1;
        e.kind = EventKind::info_read;
        MSMsg* m = traced("multi_info_read", "(NULL, ...)", [&] { return api.multi_info_read(nullptr, &left); });
        e.value = left;
        e.easy = m ? -1 : 0;  // a message from no multi: never read through
        break;
      }
    }
    in_call = false;
    if (e.kind == EventKind::note) return;  // the target lacks that call
    e.running = r;
    ++out.api_calls;
    record(e);
  }

  // Handles a nested add_handle wrongly accepted: removed and cleaned up from the loop.
  void drop_spares() {
    for (void* spare : spares) {
      const int id = easy_id(spare);
      ++out.api_calls;
      in_call = true;
      Event e;
      e.kind = EventKind::remove_handle;
      e.easy = id;
      e.result = traced("multi_remove_handle", "", [&] { return api.multi_remove_handle(multi, spare); });
      record(e);
      enter("easy_cleanup");
      traced("easy_cleanup", "", [&] { api.easy_cleanup(spare); });
      leave();
      in_call = false;
      easy_ids.erase(spare);
    }
    spares.clear();
  }

  // remove_random: takes a running transfer out and schedules it back.
  void remove_random() {
    std::vector<Transfer*> live;
    for (auto& t : transfers)
      if (t->added && !t->removed && !t->result.done && !t->churned) live.push_back(t.get());
    if (live.empty()) return;
    Transfer* t = live[rng.below(live.size())];
    t->churned = true;  // once each, so that every transfer can still finish
    note("remove-random " + t->spec.id);
    remove_transfer(*t);
    readd.emplace_back(env.now() + std::chrono::milliseconds(1 + rng.below(500)), t);
  }

  // ---- the loop ----------------------------------------------------------------------------
  //
  // run() is the loop in named phases: start, then rounds of (limits, due plan steps, due
  // re-adds and unpauses, the policy's own moves, ready descriptors, events with no news,
  // the timer, the end test, the wait), then the end. Each phase draws from the policy's
  // random stream at the same point as before it was a phase, so a seed gives the same run.

  // Where the loop is in the plan, kept between rounds.
  struct Loop {
    const std::vector<ClientStep>& plan;
    std::size_t next_step = 0;
    bool ended = false;
    bool cleanup_pending = false;  // a `cleanup` step: multi_cleanup with handles still added
    bool kicked = false;
    Nanos start{0};
    int idle_rounds = 0;
    std::map<std::string, Transfer*> by_id;  // a plan of many transfers finds each in log n

    bool plan_left() const { return next_step < plan.size(); }
  };

  RunResult run(const std::vector<ClientStep>& plan) {
    Impl* const outer = current;
    current = this;
    struct Restore {
      Impl* outer;
      ~Restore() { current = outer; }
    } restore{outer};
    // A transfer makes a few dozen events: room for them up front spares the copies
    // (and fresh pages) of a trace that doubles its way to 100,000 events.
    out.trace.events.reserve(std::min(opt.trace_events_max, 64 + plan.size() * 24));
    if (!start_multi()) return std::move(out);
    Loop loop{plan};
    loop.start = env.now();
    while (!loop.ended) {
      if (limit_reached(loop)) break;
      bool acted = carry_out_due_steps(loop);
      if (loop.ended) break;
      acted |= readd_and_unpause_due();
      acted |= policy_moves(loop);
      acted |= act_on_ready_descriptors();
      acted |= events_without_news();
      acted |= fire_timer();
      if (all_over(loop)) break;
      if (acted) {
        loop.idle_rounds = 0;
        continue;
      }
      if (undrained) {  // the deferred messages are read before anything is waited for
        drain_messages();
        continue;
      }
      if (!wait_for_next(loop)) break;
    }
    end_run(loop.cleanup_pending);
    return std::move(out);
  }

  // multi_init and the callbacks. False when there is no multi to drive.
  bool start_multi() {
    note("seed " + std::to_string(opt.seed) + " policy " + opt.policy.to_string());
    if (opt.policy.late_timeout > 0) note("late-timers");
    in_call = true;
    enter("multi_init");
    multi = opt.multi_factory ? opt.multi_factory() : api.multi_init();
    leave();
    in_call = false;
    if (!multi) {
      out.harness_error = "multi_init failed";
      return false;
    }
    {
      Event e;
      e.kind = EventKind::call_end;
      e.text = "multi_init";
      record(e);
    }
    ms_socket_callback sfn = &socket_cb;
    ms_multi_timer_callback tfn = &timer_cb;
    traced("multi_setopt", "", [&] {
      api.multi_setopt(multi, MSMOPT_SOCKETFUNCTION, sfn);
      api.multi_setopt(multi, MSMOPT_SOCKETDATA, static_cast<void*>(this));
      api.multi_setopt(multi, MSMOPT_TIMERFUNCTION, tfn);
      api.multi_setopt(multi, MSMOPT_TIMERDATA, static_cast<void*>(this));
      for (const auto& [option, value] : opt.multi_longs) api.multi_setopt(multi, option, value);
    });
    return true;
  }

  // The run's bounds: after an error with no-recover, a livelock, the call and time limits.
  bool limit_reached(const Loop& loop) {
    if (stop_after_error) {
      note("stop after the error return (no-recover)");
      return true;
    }
    if (calls_without_change >= kLivelockCalls) {
      out.hit_call_limit = true;
      note("livelock " + std::to_string(calls_without_change) +
           " socket calls without any change");
      return true;
    }
    if (out.api_calls >= opt.call_limit) {
      out.hit_call_limit = true;
      note("call-limit");
      return true;
    }
    if (env.now() - loop.start > opt.time_limit) {
      out.hit_time_limit = true;
      note("time-limit");
      return true;
    }
    return false;
  }

  // (1) The plan steps that are due: add, remove, end, cleanup.
  bool carry_out_due_steps(Loop& loop) {
    bool acted = false;
    while (loop.plan_left() && Nanos(loop.plan[loop.next_step].at_ns) <= env.now() - loop.start) {
      const ClientStep& step = loop.plan[loop.next_step++];
      switch (step.kind) {
        case StepKind::add: {
          Transfer* t = find(loop, step.transfer.id);
          if (!t) {
            auto fresh = std::make_unique<Transfer>();
            fresh->spec = step.transfer;
            fresh->index = transfers.size();
            fresh->result.id = step.transfer.id;
            t = fresh.get();
            loop.by_id.emplace(step.transfer.id, t);
            transfers.push_back(std::move(fresh));
          }
          std::erase_if(readd, [t](const auto& r) { return r.second == t; });
          if (!t->added || t->removed) add_transfer(*t);
          break;
        }
        case StepKind::remove: {
          Transfer* t = find(loop, step.id);
          std::erase_if(readd, [t](const auto& r) { return r.second == t; });
          if (t && t->added && !t->removed) remove_transfer(*t);
          break;
        }
        case StepKind::end:
          loop.ended = true;
          break;
        case StepKind::cleanup:
          loop.ended = true;
          loop.cleanup_pending = true;
          break;
      }
      acted = true;
    }
    return acted;
  }

  static Transfer* find(const Loop& loop, const std::string& id) {
    auto it = loop.by_id.find(id);
    return it == loop.by_id.end() ? nullptr : it->second;
  }

  // Re-adds of randomly removed transfers and unpauses that are due, each in the order
  // scheduled.
  bool readd_and_unpause_due() {
    bool acted = false;
    for (std::size_t k = 0; k < readd.size();) {
      if (readd[k].first > env.now()) {
        ++k;
        continue;
      }
      Transfer* t = readd[k].second;
      readd.erase(readd.begin() + static_cast<std::ptrdiff_t>(k));
      if (t->removed) add_transfer(*t);
      acted = true;
    }
    for (std::size_t k = 0; k < unpauses.size();) {
      if (unpauses[k].at > env.now()) {
        ++k;
        continue;
      }
      const Unpause u = unpauses[k];
      unpauses.erase(unpauses.begin() + static_cast<std::ptrdiff_t>(k));
      unpause(*u.t, u.bit);
      acted = true;
    }
    return acted;
  }

  // The policy's moves of the application itself: churn, misuse, NULL-multi calls, the
  // spares a nested add left, and the kick-start after the first add.
  bool policy_moves(Loop& loop) {
    bool acted = false;
    if (rng.chance(opt.policy.remove_random)) remove_random();
    if (rng.chance(opt.policy.misuse)) misuse();
    if (rng.chance(opt.policy.null_multi)) null_multi_call();
    if (!spares.empty()) drop_spares();
    if (after_add && opt.kick_start && !loop.kicked) {
      loop.kicked = true;
      socket_action(MS_SOCKET_TIMEOUT, 0, "kick-start");
      acted = true;
    }
    after_add = false;
    return acted;
  }

  // (2) Ready descriptors, in ascending order, with the mask their registration asks for.
  bool act_on_ready_descriptors() {
    bool acted = false;
    env.ready_changes(scratch);
    candidates.insert(candidates.end(), scratch.begin(), scratch.end());
    std::sort(candidates.begin(), candidates.end());
    candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
    std::vector<int> round;
    round.swap(candidates);
    for (int fd : round) {
      auto it = regs.find(fd);
      if (it == regs.end()) continue;
      const int action = it->second.action;
      if (action == MS_POLL_NONE) continue;
      const int ready = env.readiness(fd);
      int mask = ready & MS_CSELECT_ERR;
      if (action & MS_POLL_IN) mask |= ready & MS_CSELECT_IN;
      if (action & MS_POLL_OUT) mask |= ready & MS_CSELECT_OUT;
      if (!mask) continue;
      if (rng.chance(opt.policy.legacy_socket) && api.multi_socket) {
        socket_legacy(fd);
      } else {
        const int passed = rng.chance(opt.policy.mask_zero)  ? 0
                           : rng.chance(opt.policy.err_only) ? MS_CSELECT_ERR
                                                             : mask;
        socket_action(fd, passed, nullptr);
      }
      candidates.push_back(fd);  // level-triggered: look again next round
      acted = true;
    }
    return acted;
  }

  // Policy: events that carry no news, or wrong news, and the calls that ask for nothing.
  bool events_without_news() {
    bool acted = false;
    if (!regs.empty() && rng.chance(opt.policy.spurious_in + opt.policy.spurious_out +
                                    opt.policy.err_healthy)) {
      auto it = regs.begin();
      std::advance(it, static_cast<long>(rng.below(regs.size())));
      const int fd = it->first;
      const double pick = static_cast<double>(rng.below(1000)) / 1000.0 *
                          (opt.policy.spurious_in + opt.policy.spurious_out +
                           opt.policy.err_healthy);
      if (pick < opt.policy.spurious_in) {
        if (!(env.readiness(fd) & MS_CSELECT_IN)) socket_action(fd, MS_CSELECT_IN, "spurious in");
      } else if (pick < opt.policy.spurious_in + opt.policy.spurious_out) {
        if (!(env.readiness(fd) & MS_CSELECT_OUT))
          socket_action(fd, MS_CSELECT_OUT, "spurious out");
      } else {
        socket_action(fd, MS_CSELECT_ERR, "err-healthy");
      }
      acted = true;
    }
    if (rng.chance(opt.policy.stale_fd)) {
      // A descriptor nobody registered right now: stale if it was, unknown if never.
      const int fd = 3 + static_cast<int>(rng.below(64));
      if (!regs.count(fd)) {
        socket_action(fd, static_cast<int>(rng.below(8)) & 7,
                      ever_registered.count(fd) ? "spurious stale-fd" : "spurious unknown-fd");
        acted = true;
      }
    }
    if (api.multi_socket_all && rng.chance(opt.policy.socket_all)) {
      socket_all();
      acted = true;
    }
    if (rng.chance(opt.policy.timeout_query)) query_timeout();
    return acted;
  }

  // (3) The timer: SOCKET_TIMEOUT once it has expired (or early, by policy).
  bool fire_timer() {
    if (deadline && *deadline <= env.now()) {
      deadline.reset();
      socket_action(MS_SOCKET_TIMEOUT, 0, nullptr);
      return true;
    }
    if (deadline && rng.chance(opt.policy.early_timeout)) {
      socket_action(MS_SOCKET_TIMEOUT, 0, "spurious early-timeout");
      return true;
    }
    return false;
  }

  // Every transfer is over and nothing the plan still holds would show more.
  bool all_over(const Loop& loop) const {
    const bool plan_left = loop.plan_left();
    // Real time: when all is over, no timer is pending and only the final `end` is
    // left, waiting for it shows nothing more and costs wall time.
    const bool only_end_left = plan_left &&
                               (loop.plan[loop.next_step].kind == StepKind::end ||
                                loop.plan[loop.next_step].kind == StepKind::cleanup) &&
                               !env.is_virtual() && !deadline && !undrained;
    return (!plan_left || only_end_left) && readd.empty() && all_done() && running == 0;
  }

  // (4) Wait for the network, the timer or the next plan step. False: the run ends (a
  // stall, or the idle bound).
  bool wait_for_next(Loop& loop) {
    std::optional<Nanos> wake = deadline;
    if (wake && rng.chance(opt.policy.late_timeout))
      *wake += std::chrono::milliseconds(1 + rng.below(50));
    if (loop.plan_left()) {
      const Nanos step_at = loop.start + Nanos(loop.plan[loop.next_step].at_ns);
      if (!wake || step_at < *wake) wake = step_at;
    }
    for (const auto& r : readd)
      if (!wake || r.first < *wake) wake = r.first;
    for (const auto& u : unpauses)
      if (!wake || u.at < *wake) wake = u.at;
    if (!env.wait(wake)) {
      if (!all_done() || running > 0) {
        out.stalled = true;
        note("stall transfers running, no registered interest can fire and no timer");
      }
      return false;
    }
    if (++loop.idle_rounds > 1000000) {
      out.hit_call_limit = true;
      note("idle-limit");
      return false;
    }
    return true;
  }

  // The end: the last messages, then either the `cleanup` step (multi_cleanup with the
  // transfers still in it) or the documented order (remove, easy_cleanup, multi_cleanup).
  void end_run(bool cleanup_pending) {
    if (undrained) drain_messages();
    if (!spares.empty()) drop_spares();
    if (cleanup_pending) {
      // The documented order is the other way round, but multi_cleanup of a multi with
      // handles is a call the contract covers.
      note("cleanup with handles added");
      cleanup_multi(" (with transfers pending)");
      for (auto& t : transfers) {
        if (t->easy) cleanup_easy(*t);
      }
    } else {
      for (auto& t : transfers) {
        if (t->added && !t->removed) remove_transfer(*t);
      }
      for (auto& t : transfers) {
        if (t->easy) cleanup_easy(*t);
      }
      cleanup_multi("");
    }
    for (auto& t : transfers) {
      release(*t);
      out.transfers.push_back(t->result);
    }
    out.end_time_ns = now_ns();
    if (events_dropped > 0 && out.harness_error.empty())
      out.harness_error = "the target made more than " + std::to_string(opt.trace_events_max) +
                          " events in one run (" + std::to_string(events_dropped) +
                          " more were not kept): the trace was cut";
  }

  void cleanup_multi(const char* how) {
    Event e;
    e.kind = EventKind::cleanup;
    recorded_call(e, "multi_cleanup", how, [&] { return api.multi_cleanup(multi); });
    multi = nullptr;
  }
};

thread_local Driver::Impl* Driver::Impl::current = nullptr;

Driver::Driver(const Api& api, Environment& env, DriverOptions options)
    : impl_(std::make_unique<Impl>(api, env, std::move(options))) {}
Driver::~Driver() = default;

RunResult Driver::run(const std::vector<ClientStep>& plan) { return impl_->run(plan); }

void Driver::record(Event e) { impl_->record(std::move(e)); }

std::string pause_unsupported(const Policy& policy, const Api& api) {
  if ((policy.pause > 0 || policy.pause_upload > 0) && !api.easy_pause)
    return "skipped: " + api.name + " exports no easy_pause, and the policy pauses transfers";
  return {};
}

std::vector<std::pair<int, long>> multi_options(const MultiSpec& m) {
  std::vector<std::pair<int, long>> out;
  if (m.max_host_connections >= 0) out.emplace_back(MSMOPT_MAX_HOST_CONNECTIONS, m.max_host_connections);
  if (m.max_total_connections >= 0) out.emplace_back(MSMOPT_MAX_TOTAL_CONNECTIONS, m.max_total_connections);
  if (m.maxconnects >= 0) out.emplace_back(MSMOPT_MAXCONNECTS, m.maxconnects);
  return out;
}

}  // namespace ms::conf

// SPDX-License-Identifier: MIT
// driver.cpp: the simulated application: its policies, recording, handle ids, message
// draining, transfers and socket calls (see driver_impl.hpp for the other files).
#include "driver_impl.hpp"
#include "http/url.hpp"

namespace ms::conf {

namespace {

std::string canonical(std::string name) {
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
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
  if (loop != AppLoop::socket) s += std::string("loop=") + ms::conf::to_string(loop) + " ";
  if (s.empty()) return "faithful";
  s.pop_back();
  return s;
}

// The driver's code is always host code (the library enters it through callbacks, each a
// sim::HostCode scope): a call into the library enters library code and its return leaves it.
void Driver::Impl::enter(const char* name, const char* how) {
  calls.push_back(name);
  if (opt.call_hook) {
    call_text.push_back(opt.call_prefix + name + how);
    opt.call_hook(call_text.back().c_str());
  }
  sim::enter_library_code();  // last: what the driver allocated above is its own
}

void Driver::Impl::leave() {
  sim::restore_code(false);
  calls.pop_back();
  if (!opt.call_hook) return;
  call_text.pop_back();
  opt.call_hook(call_text.empty() ? nullptr : call_text.back().c_str());
}

void Driver::Impl::release(Transfer& t) {
  t.sha.reset();
  if (t.headers) traced("slist_free_all", "", [&] { api.slist_free_all(t.headers); });
  if (t.resolve) traced("slist_free_all", "", [&] { api.slist_free_all(t.resolve); });
  t.headers = t.resolve = nullptr;
}

void Driver::Impl::flags(Event& e, bool bad_userp) {
  if (!in_call) e.flags |= EventFlag::outside;
  if (bad_userp) e.flags |= EventFlag::bad_userp;
}

void Driver::Impl::record(Event e) {
  // Anything that shows the target moved on ends a livelock run: what the checker's
  // SA-PROGRESS counts as a change. A timer callback alone is not one: a library spinning
  // at one instant may set its timer again at every call (found by library_sim_fuzzer).
  switch (e.kind) {
    case EventKind::socket_cb:
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
  if (opt.feed)
    opt.feed->append(out.trace.events, std::move(e));
  else
    out.trace.events.push_back(std::move(e));
}

void TraceFeed::append(std::vector<Event>& events, Event&& e) {
  {
    std::unique_lock moving(moving_, std::defer_lock);
    if (events.size() == events.capacity()) moving.lock();  // the storage moves: not while it is read
    events.push_back(std::move(e));
    data_.store(events.data(), std::memory_order_relaxed);
    size_.store(events.size(), std::memory_order_release);
  }
  if (events.size() % kBatch == 0) {
    std::lock_guard g(signal_);
    more_.notify_one();
  }
}

void TraceFeed::close() {
  {
    std::lock_guard g(signal_);
    closed_.store(true, std::memory_order_release);
  }
  more_.notify_one();
}

bool TraceFeed::read(const std::function<void(const Event&)>& each) {
  {
    std::unique_lock lk(signal_);
    more_.wait(lk, [this] {
      return closed_.load(std::memory_order_acquire) || size_.load(std::memory_order_acquire) >= read_ + kBatch;
    });
  }
  const bool closed = closed_.load(std::memory_order_acquire);  // then the size read next is the last
  std::lock_guard g(moving_);
  const std::size_t size = size_.load(std::memory_order_acquire);
  const Event* data = data_.load(std::memory_order_relaxed);
  for (; read_ < size; ++read_) each(data[read_]);
  return !closed;
}

void Driver::Impl::note(std::string text) {
  Event e;
  e.kind = EventKind::note;
  e.text = std::move(text);
  record(std::move(e));
}

void* Driver::Impl::new_easy(int& id) {
  void* easy = traced("easy_init", "", [&] { return api.easy_init(); });
  if (!easy) return nullptr;
  id = next_easy_id++;
  easy_ids[easy] = id;
  return easy;
}

int Driver::Impl::easy_id(const void* easy) {
  if (!easy) return 0;
  auto it = easy_ids.find(easy);
  return it == easy_ids.end() ? -1 : it->second;
}

int Driver::Impl::socketp_id(const void* p) {
  if (!p) return 0;
  auto it = socketp_ids.find(p);
  return it == socketp_ids.end() ? -1 : it->second;
}

Driver::Impl::Transfer* Driver::Impl::by_easy(const void* easy) {
  auto it = transfer_of.find(easy);
  return it == transfer_of.end() ? nullptr : it->second;
}

void Driver::Impl::drain_or_defer(int rc) {
  if ((rc == MSM_OK || rc == MSM_CALL_MULTI_PERFORM) && rng.chance(opt.policy.defer_info_read)) {
    undrained = true;
    return;
  }
  drain_messages();
}

void Driver::Impl::drain_messages() {
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

void Driver::Impl::finish_transfer(Transfer& t, int code) {
  auto& r = t.result;
  if (r.done) return;  // a second DONE is the checker's business (IR-ONCE)
  r.done = true;
  r.result = code;
  r.done_at_ns = now_ns();
  long http = 0;
  if (traced("easy_getinfo", "", [&] { return api.easy_getinfo(t.easy, MSINFO_RESPONSE_CODE, &http); }) == MSE_OK)
    r.response_code = http;
  if (t.sha) {
    r.body_sha256 = t.sha->finish_hex();
    t.sha.reset();
  }
}

bool Driver::Impl::all_done() const {
  for (auto& t : transfers)
    if (t->added && !t->removed && !t->result.done) return false;
  return true;
}

int Driver::Impl::socket_action(int fd, int mask, const char* why) {
  return socket_call(EventKind::socket_action, fd, mask, why, [&](int* running_out) {
    return api.multi_socket_action(multi, fd, mask, running_out);
  });
}

int Driver::Impl::socket_legacy(int fd) {
  return socket_call(EventKind::socket_legacy, fd, 0, nullptr, [&](int* running_out) {
    return api.multi_socket(multi, fd, running_out);
  });
}

void Driver::Impl::socket_all() {
  socket_call(EventKind::socket_all, -1, 0, nullptr, [&](int* running_out) {
    return api.multi_socket_all(multi, running_out);
  });
}

long Driver::Impl::query_timeout() {
  long ms = -2;
  Event e;
  e.kind = EventKind::timeout_query;
  const int rc = recorded_call(e, "multi_timeout", "", [&] {
    const int code = api.multi_timeout(multi, &ms);
    e.value = ms;
    return code;
  });
  return rc == MSM_OK ? ms : -2;
}

void Driver::Impl::recover(int rc) {
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

void Driver::Impl::cleanup_easy(Transfer& t) {
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

void Driver::Impl::remove_transfer(Transfer& t) {
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

int Driver::Impl::set_transfer_options(Transfer& t, void* easy) {
  const TransferSpec& s = *t.spec;
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
  if (s.http_version >= 0) set_long(MSOPT_HTTP_VERSION, s.http_version);
  if (s.pipewait) set_long(MSOPT_PIPEWAIT, 1L);
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

bool Driver::Impl::add_transfer(Transfer& t) {
  const TransferSpec& s = *t.spec;
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
  if (opt.digest_bodies) t.sha.emplace();
  t.owner = this;

  const int bad = set_transfer_options(t, easy);
  if (bad) note("setopt failed for " + s.id);
  if (s.timeout_ms > 0) note("timeout e" + std::to_string(t.easy_id) + " " +
                             std::to_string(s.timeout_ms));
  {
    std::string text;  // "transfer e<N> <id> <url>", made in one buffer
    const std::string n = std::to_string(t.easy_id);
    text.reserve(12 + n.size() + s.id.size() + s.url.size());
    text.append("transfer e").append(n).append(" ").append(s.id).append(" ").append(s.url);
    note(std::move(text));
  }
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

thread_local Driver::Impl* Driver::Impl::current = nullptr;

Driver::Driver(const Api& api, Environment& env, DriverOptions options)
    : impl_(std::make_unique<Impl>(api, env, std::move(options))) {}
Driver::~Driver() = default;

RunResult Driver::run(const std::vector<ClientStep>& plan) { return impl_->run(plan); }

void Driver::record(Event e) { impl_->record(std::move(e)); }

const Trace& Driver::trace_so_far() const { return impl_->out.trace; }

namespace {
// What a request for the URL sends as :path (path and query, "/" when empty), read by the
// engine's URL parser; "" for a URL it refuses (no request is made for it).
std::string request_path(const std::string& url) {
  const std::optional<http::Url> u = http::parse_url(url);
  return u ? u->target : std::string();
}
}  // namespace

void Driver::record_stream(int fd, std::uint32_t stream_id, const std::string& path) {
  Event e;
  e.kind = EventKind::net_stream;
  e.fd = fd;
  e.value = static_cast<long>(stream_id);
  e.text = path;
  // Only a running transfer alone with that path is named, and only while no other running
  // transfer follows redirects (its requests may have any path): the checker then knows
  // which transfer the stream carries.
  int found = 0;
  bool ambiguous = false;
  for (const auto& t : impl_->transfers) {
    if (!t->added || t->removed || t->result.done) continue;
    if (request_path(t->spec->url) == path) {
      ambiguous = ambiguous || found != 0;
      found = t->easy_id;
    } else if (t->spec->follow) {
      ambiguous = true;
    }
  }
  e.easy = ambiguous ? 0 : found;
  impl_->record(std::move(e));
}

std::string policy_unsupported(const Policy& policy, const Api& api) {
  if ((policy.pause > 0 || policy.pause_upload > 0) && !api.easy_pause)
    return "skipped: " + api.name + " exports no easy_pause, and the policy pauses transfers";
  const char* missing = nullptr;
  switch (policy.loop) {
    case AppLoop::socket: break;
    case AppLoop::perform_poll:
      if (!api.multi_poll) missing = "multi_poll";
      if (policy.wakeup > 0 && !api.multi_wakeup) missing = "multi_wakeup";
      break;
    case AppLoop::perform_wait:
      if (!api.multi_wait) missing = "multi_wait";
      break;
    case AppLoop::perform_fdset:
      if (!api.multi_fdset) missing = "multi_fdset";
      break;
  }
  if (policy.loop != AppLoop::socket && !api.multi_perform) missing = "multi_perform";
  // What these policies do happens inside the socket and timer callbacks, which a classic
  // loop does not set: the outcome their scenarios expect cannot come about.
  if (policy.loop != AppLoop::socket &&
      (policy.abort_cb > 0 || policy.abort_timer > 0 || policy.nested > 0 || policy.err_only > 0))
    return "skipped: the policy acts inside socket or timer callbacks (abort-cb, abort-timer, "
           "nested) or on their registrations (err-only), which the classic loop (" +
           std::string(to_string(policy.loop)) + ") does not have";
  if (missing != nullptr)
    return "skipped: " + api.name + " exports no " + missing + ", and the policy's loop (" +
           to_string(policy.loop) + ") calls it";
  return {};
}

namespace {
constexpr std::pair<AppLoop, const char*> kLoopNames[] = {
    {AppLoop::socket, "socket"},
    {AppLoop::perform_poll, "perform-poll"},
    {AppLoop::perform_wait, "perform-wait"},
    {AppLoop::perform_fdset, "perform-fdset"},
};
}  // namespace

const char* to_string(AppLoop loop) {
  for (const auto& [l, name] : kLoopNames)
    if (l == loop) return name;
  return "?";
}

bool app_loop_from_string(const std::string& name, AppLoop& out) {
  for (const auto& [l, n] : kLoopNames) {
    if (name == n) {
      out = l;
      return true;
    }
  }
  return false;
}

std::vector<std::pair<int, long>> multi_options(const MultiSpec& m) {
  std::vector<std::pair<int, long>> out;
  if (m.max_host_connections >= 0) out.emplace_back(MSMOPT_MAX_HOST_CONNECTIONS, m.max_host_connections);
  if (m.max_total_connections >= 0) out.emplace_back(MSMOPT_MAX_TOTAL_CONNECTIONS, m.max_total_connections);
  if (m.maxconnects >= 0) out.emplace_back(MSMOPT_MAXCONNECTS, m.maxconnects);
  if (m.pipelining >= 0) out.emplace_back(MSMOPT_PIPELINING, m.pipelining);
  if (m.max_concurrent_streams >= 0) out.emplace_back(MSMOPT_MAX_CONCURRENT_STREAMS, m.max_concurrent_streams);
  return out;
}

}  // namespace ms::conf

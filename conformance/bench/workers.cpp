// SPDX-License-Identifier: MIT
// workers.cpp: see workers.hpp.
#include "workers.hpp"

#include <arpa/inet.h>
#include <malloc.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>

#include "sim_bench.hpp"

namespace ms::bench {

using ms::conf::Api;

namespace {

double seconds(const timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6; }

// User and system CPU time of this process so far.
struct Cpu {
  double user = 0, sys = 0;
  static Cpu now() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return {seconds(ru.ru_utime), seconds(ru.ru_stime)};
  }
};

// ---- The event loop: epoll for the sockets, a timerfd for the library's timer. ----

struct Slot {
  void* easy = nullptr;
  long long bytes = 0;
};

struct Loop {
  const Api* api = nullptr;
  void* multi = nullptr;
  int ep = -1;
  int tfd = -1;
  bool direct_zero = false;
  bool due_now = false;  // a 0 ms timer, in direct mode
  long long socket_calls = 0, timer_calls = 0, actions = 0, waits = 0;
};

std::size_t on_write(char*, std::size_t size, std::size_t n, void* userp) {
  static_cast<Slot*>(userp)->bytes += static_cast<long long>(size * n);
  return size * n;
}

int on_socket(void*, int s, int what, void* userp, void* socketp) {
  Loop& l = *static_cast<Loop*>(userp);
  ++l.socket_calls;
  if (what == MS_POLL_REMOVE) {
    epoll_ctl(l.ep, EPOLL_CTL_DEL, s, nullptr);  // fails harmlessly when already closed
    return 0;
  }
  epoll_event ev{};
  ev.events = ((what & MS_POLL_IN) ? EPOLLIN : 0u) | ((what & MS_POLL_OUT) ? EPOLLOUT : 0u);
  ev.data.fd = s;
  if (socketp) {
    epoll_ctl(l.ep, EPOLL_CTL_MOD, s, &ev);
  } else {
    if (epoll_ctl(l.ep, EPOLL_CTL_ADD, s, &ev) != 0) epoll_ctl(l.ep, EPOLL_CTL_MOD, s, &ev);
    l.api->multi_assign(l.multi, s, &l);
  }
  return 0;
}

int on_timer(void*, long timeout_ms, void* userp) {
  Loop& l = *static_cast<Loop*>(userp);
  ++l.timer_calls;
  itimerspec its{};
  if (timeout_ms == 0 && l.direct_zero) {
    l.due_now = true;
  } else if (timeout_ms >= 0) {
    its.it_value.tv_sec = timeout_ms / 1000;
    its.it_value.tv_nsec = (timeout_ms % 1000) * 1000000L;
    if (timeout_ms == 0) its.it_value.tv_nsec = 1;  // as soon as possible, as curl's example
  }
  timerfd_settime(l.tfd, 0, &its, nullptr);
  return 0;
}

void action(Loop& l, int fd, int mask) {
  int running = 0;
  ++l.actions;
  l.api->multi_socket_action(l.multi, fd, mask, &running);
}

struct Run {
  Loop loop;
  std::vector<Slot> slots;
  int issued = 0, done = 0;
  std::string error;
};

void start(Run& r, Slot& s, const LoopJob& job) {
  const Api& api = *r.loop.api;
  api.easy_setopt(s.easy, MSOPT_URL, job.urls[static_cast<std::size_t>(r.issued) % job.urls.size()].c_str());
  s.bytes = 0;
  ++r.issued;
  api.multi_add_handle(r.loop.multi, s.easy);
}

// Reads the DONE messages: checks each answer and starts the slot's next transfer.
void read_done(Run& r, const LoopJob& job) {
  const Api& api = *r.loop.api;
  int left = 0;
  while (MSMsg* m = api.multi_info_read(r.loop.multi, &left)) {
    if (m->msg != MSMSG_DONE) continue;
    void* easy = m->easy_handle;
    const int result = m->data.result;
    auto it = std::find_if(r.slots.begin(), r.slots.end(), [&](const Slot& s) { return s.easy == easy; });
    if (it == r.slots.end()) continue;
    long code = 0;
    api.easy_getinfo(easy, MSINFO_RESPONSE_CODE, &code);
    if (result != 0 || code != 200 || it->bytes != job.size) {
      if (r.error.empty())
        r.error = "transfer " + std::to_string(r.done) + ": result " + std::to_string(result) + ", HTTP " +
                  std::to_string(code) + ", " + std::to_string(it->bytes) + " of " +
                  std::to_string(job.size) + " bytes";
    }
    ++r.done;
    api.multi_remove_handle(r.loop.multi, easy);
    if (r.issued < job.gets) start(r, *it, job);
  }
}

void drive(Run& r, const LoopJob& job) {
  Loop& l = r.loop;
  const double deadline = wall_seconds() + 120;
  epoll_event evs[64];
  while (r.done < job.gets && r.error.empty()) {
    if (l.due_now) {
      l.due_now = false;
      action(l, MS_SOCKET_TIMEOUT, 0);
      read_done(r, job);
      continue;
    }
    ++l.waits;
    const int n = epoll_wait(l.ep, evs, 64, 1000);
    for (int i = 0; i < n; ++i) {
      if (evs[i].data.fd == l.tfd) {
        std::uint64_t ticks = 0;
        if (read(l.tfd, &ticks, sizeof ticks) < 0) {}  // a timer disarmed meanwhile: nothing
        action(l, MS_SOCKET_TIMEOUT, 0);
      } else {
        const std::uint32_t e = evs[i].events;
        const int mask = ((e & (EPOLLIN | EPOLLHUP)) ? MS_CSELECT_IN : 0) | ((e & EPOLLOUT) ? MS_CSELECT_OUT : 0) |
                         ((e & EPOLLERR) ? MS_CSELECT_ERR : 0);
        action(l, evs[i].data.fd, mask);
      }
    }
    read_done(r, job);
    if (wall_seconds() > deadline) r.error = "no end after 120 s";
  }
}

}  // namespace

json run_loop(const Api& api, const LoopJob& job) {
  if (job.urls.empty() || job.gets <= 0 || job.slots <= 0) return json{{"error", "nothing to fetch"}};
  Run r;
  Loop& l = r.loop;
  l.api = &api;
  l.direct_zero = job.direct_zero_timers;
  l.ep = epoll_create1(EPOLL_CLOEXEC);
  l.tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  epoll_event tev{};
  tev.events = EPOLLIN;
  tev.data.fd = l.tfd;
  epoll_ctl(l.ep, EPOLL_CTL_ADD, l.tfd, &tev);
  l.multi = api.multi_init();
  api.multi_setopt(l.multi, MSMOPT_SOCKETFUNCTION, &on_socket);
  api.multi_setopt(l.multi, MSMOPT_SOCKETDATA, &l);
  api.multi_setopt(l.multi, MSMOPT_TIMERFUNCTION, &on_timer);
  api.multi_setopt(l.multi, MSMOPT_TIMERDATA, &l);
  r.slots.resize(static_cast<std::size_t>(std::min(job.slots, job.gets)));
  for (Slot& s : r.slots) {
    s.easy = api.easy_init();
    api.easy_setopt(s.easy, MSOPT_WRITEFUNCTION, &on_write);
    api.easy_setopt(s.easy, MSOPT_WRITEDATA, &s);
    api.easy_setopt(s.easy, MSOPT_NOSIGNAL, 1L);
  }
  const Cpu c0 = Cpu::now();
  const double w0 = wall_seconds();
  for (Slot& s : r.slots) start(r, s, job);
  drive(r, job);
  const double wall = wall_seconds() - w0;
  const Cpu c1 = Cpu::now();
  for (Slot& s : r.slots) {
    api.multi_remove_handle(l.multi, s.easy);
    api.easy_cleanup(s.easy);
  }
  api.multi_cleanup(l.multi);
  close(l.tfd);
  close(l.ep);
  if (!r.error.empty()) return json{{"error", r.error}};
  return json{{"transfers", r.done},          {"wall_s", wall},
              {"user_s", c1.user - c0.user},  {"sys_s", c1.sys - c0.sys},
              {"cpu_s", (c1.user - c0.user) + (c1.sys - c0.sys)},
              {"socket_callbacks", l.socket_calls}, {"timer_callbacks", l.timer_calls},
              {"socket_action_calls", l.actions},   {"waits", l.waits}};
}

// ---- Memory per idle added handle ----

// Heap in use: malloc's arenas and the blocks it mmapped (large or aligned ones).
std::size_t heap_in_use() {
  const struct mallinfo2 m = mallinfo2();
  return m.uordblks + m.hblkhd;
}

json idle_handle_memory(const Api& api, int handles) {
  void* multi = api.multi_init();
  if (!multi) return json{{"error", "multi_init failed"}};
  // Warm up whatever the library allocates once per multi.
  void* warm = api.easy_init();
  api.easy_setopt(warm, MSOPT_URL, "http://127.0.0.1:9/");
  api.multi_add_handle(multi, warm);
  std::vector<void*> easies;
  easies.reserve(static_cast<std::size_t>(handles));
  const std::size_t start = heap_in_use();
  for (int i = 0; i < handles; ++i) {
    void* e = api.easy_init();
    api.easy_setopt(e, MSOPT_URL, "http://127.0.0.1:9/");
    api.multi_add_handle(multi, e);
    easies.push_back(e);
  }
  const double per = static_cast<double>(heap_in_use() - start) / handles;
  for (void* e : easies) {
    api.multi_remove_handle(multi, e);
    api.easy_cleanup(e);
  }
  api.multi_remove_handle(multi, warm);
  api.easy_cleanup(warm);
  api.multi_cleanup(multi);
  return json{{"handles", handles}, {"bytes_per_handle", per}};
}

// ---- The cost of one call with N handles ----

namespace {

struct Costs {
  int fd = -1;    // the one connection's socket
  int what = 0;   // what the library asked to watch on it
};

int costs_socket(void*, int s, int what, void* userp, void*) {
  Costs& c = *static_cast<Costs*>(userp);
  if (what == MS_POLL_REMOVE) {
    if (c.fd == s) c.fd = -1;
  } else {
    c.fd = s;
    c.what = what;
  }
  return 0;
}

int costs_timer(void*, long, void*) { return 0; }

double thread_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

// Nanoseconds per call of `calls` calls of f.
double per_call(int calls, const std::function<void(int)>& f) {
  const double t0 = thread_ns();
  for (int i = 0; i < calls; ++i) f(i);
  return (thread_ns() - t0) / calls;
}

// A listener on 127.0.0.1 that does not accept while a cycle runs: connections complete in
// its backlog and their requests wait there, unanswered. Between cycles the connections of
// the last one are accepted and closed, so the backlog never fills.
int silent_listener(std::string& url) {
  const int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (s < 0 || bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(s, 8) != 0 ||
      getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    if (s >= 0) close(s);
    return -1;
  }
  url = "http://127.0.0.1:" + std::to_string(ntohs(a.sin_port)) + "/";
  return s;
}

// Drives the one started connection until the library waits to read its answer (within 60 s:
// with many handles waiting, one call can take long).
bool until_waiting_to_read(const Api& api, void* multi, Costs& c) {
  int running = 0;
  const double deadline = wall_seconds() + 60;
  while (wall_seconds() < deadline) {
    long ms = -1;
    api.multi_timeout(multi, &ms);
    if (ms == 0) api.multi_socket_action(multi, MS_SOCKET_TIMEOUT, 0, &running);
    if (c.fd < 0) continue;
    if (c.what == MS_POLL_IN) return true;  // connected, the request sent (at once or on OUT)
    pollfd p{c.fd, static_cast<short>(((c.what & MS_POLL_IN) ? POLLIN : 0) | ((c.what & MS_POLL_OUT) ? POLLOUT : 0)), 0};
    if (poll(&p, 1, 10) == 1) {
      const int mask = ((p.revents & POLLIN) ? MS_CSELECT_IN : 0) | ((p.revents & POLLOUT) ? MS_CSELECT_OUT : 0);
      api.multi_socket_action(multi, c.fd, mask, &running);
    }
  }
  return false;
}

constexpr int kCalls = 2000;  // calls timed together for the per-call operations

// The least of 5 timings of kCalls calls: an operation that leaves the state as it found it
// can be timed again, and the least is the one least disturbed by the rest of the machine.
double per_call_least(const std::function<void(int)>& f) {
  double least = per_call(kCalls, f);
  for (int i = 1; i < 5; ++i) least = std::min(least, per_call(kCalls, f));
  return least;
}

constexpr int kChurnHandles = 99;  // the most the smallest multi (100 handles) has waiting

// Add and remove with the multi's other handles left alone: the newest kChurnHandles waiting
// handles are removed (timed), added back (timed) and started again (they wait as before),
// 5 times, the least kept. Their memory stays in the cache at every size, so what grows
// with the handles is what the calls do, not where the handles lie.
void churn(const Api& api, void* multi, const std::vector<void*>& easies, json& out) {
  const int n = static_cast<int>(easies.size());
  const int k = std::min(kChurnHandles, n - 1);
  if (k < 1) return;
  double add = std::numeric_limits<double>::infinity(), remove = add;
  for (int round = 0; round < 5; ++round) {
    const double r = per_call(k, [&](int i) { api.multi_remove_handle(multi, easies[static_cast<std::size_t>(n - 1 - i)]); });
    const double a = per_call(k, [&](int i) { api.multi_add_handle(multi, easies[static_cast<std::size_t>(n - k + i)]); });
    int running = 0;
    api.multi_socket_action(multi, MS_SOCKET_TIMEOUT, 0, &running);
    remove = std::min(remove, r);
    add = std::min(add, a);
  }
  out["add"] = add;
  out["remove"] = remove;
}

// One multi of `handles` handles through every operation; ns per call of each.
json one_cycle(const Api& api, int handles, const std::string& url) {
  Costs c;
  void* multi = api.multi_init();
  api.multi_setopt(multi, MSMOPT_SOCKETFUNCTION, &costs_socket);
  api.multi_setopt(multi, MSMOPT_SOCKETDATA, &c);
  api.multi_setopt(multi, MSMOPT_TIMERFUNCTION, &costs_timer);
  api.multi_setopt(multi, MSMOPT_MAX_TOTAL_CONNECTIONS, 1L);
  std::vector<void*> easies(static_cast<std::size_t>(handles));
  for (void*& e : easies) {
    e = api.easy_init();
    api.easy_setopt(e, MSOPT_URL, url.c_str());
    api.easy_setopt(e, MSOPT_NOSIGNAL, 1L);
  }
  json out;
  out["add_pass"] =
      per_call(handles, [&](int i) { api.multi_add_handle(multi, easies[static_cast<std::size_t>(i)]); });
  long ms = 0;
  out["multi_timeout"] = per_call_least([&](int) { api.multi_timeout(multi, &ms); });
  int left = 0;
  out["info_read"] = per_call_least([&](int) { api.multi_info_read(multi, &left); });
  int running = 0;
  api.multi_socket_action(multi, MS_SOCKET_TIMEOUT, 0, &running);  // one connects, the rest wait
  if (until_waiting_to_read(api, multi, c)) {
    out["socket_timeout"] =
        per_call_least([&](int) { api.multi_socket_action(multi, MS_SOCKET_TIMEOUT, 0, &running); });
    out["ready_socket"] =
        per_call_least([&](int) { api.multi_socket_action(multi, c.fd, MS_CSELECT_IN, &running); });
    churn(api, multi, easies, out);
  } else {
    out["error"] = "the one connection never waited to read its answer (socket " + std::to_string(c.fd) +
                   ", watching " + std::to_string(c.what) + ")";
  }
  // The waiting ones (last added first), timed; then the connected one, the first added, not
  // timed: closing its socket is a cost per connection, which at 100 handles would weigh
  // on each of the hundred calls.
  if (handles > 1)
    out["remove_pass"] = per_call(handles - 1, [&](int i) {
      api.multi_remove_handle(multi, easies[static_cast<std::size_t>(handles - 1 - i)]);
    });
  api.multi_remove_handle(multi, easies.front());
  for (void* e : easies) api.easy_cleanup(e);
  api.multi_cleanup(multi);
  return out;
}

}  // namespace

const std::vector<std::string>& scaling_operations() {
  static const std::vector<std::string> ops = {"add",           "remove",        "ready_socket", "socket_timeout",
                                               "multi_timeout", "info_read",     "add_pass",     "remove_pass"};
  return ops;
}

bool cold_pass(const std::string& operation) { return operation == "add_pass" || operation == "remove_pass"; }

json call_costs(const Api& api, int handles, int samples) {
  std::string url;
  const int listener = silent_listener(url);
  if (listener < 0) return json{{"error", "no loopback listener"}};
  json best = json::object();
  for (int s = 0; s < std::max(1, samples); ++s) {
    json one = one_cycle(api, handles, url);
    for (int c; (c = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC)) >= 0;) close(c);
    if (one.contains("error")) {
      close(listener);
      return json{{"error", one["error"]}};
    }
    for (const std::string& op : scaling_operations())
      if (one.contains(op) && (!best.contains(op) || one[op].get<double>() < best[op].get<double>()))
        best[op] = one[op];
  }
  close(listener);
  best["handles"] = handles;
  return best;
}

}  // namespace ms::bench

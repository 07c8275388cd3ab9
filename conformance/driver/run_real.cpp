// SPDX-License-Identifier: MIT
// run_real.cpp: scenarios on real loopback sockets and real time.
//
// How a scenario is mapped onto real sockets: real_peers.hpp (peers on RealPeerHost, URLs
// rewritten to their real ports, names that fail made unresolvable locally).
//  * Not reproduced: link latency, bandwidth, buffer sizes and DNS delays (loopback is as
//    fast as it is). Redirects to absolute URLs keep the scenario's port (not remapped).
//  * Not applicable, reported as skipped (outcome pass, ScenarioRun::skipped, the message
//    says why): scenarios whose world sets fault probabilities (simnet injects faults;
//    real sockets do not have them), and scenarios that compile a mutant in when the
//    target is a library. engine-real honours a scenario's mutant (the engine is built
//    with the same mutants on real ports).
//
// Targets: engine-real runs in this process (ms::multi_init over the real ports); a
// lib:PATH[:prefix] target is loaded once per process and each scenario runs in a child
// process (run_isolated): the child runs the driver and sends back the trace, the
// transfer results and the run's flags; the parent checks and grades them. A child that
// dies from a signal is a crash (ER-NO-CRASH, with the signal), one still running at the
// limit is a hang.
//
// Sockets are observed through MSOPT_OPENSOCKETFUNCTION / CLOSESOCKETFUNCTION (set on each
// easy handle when the target accepts them): they give the trace its net_open, net_connect
// and net_close events and the end-of-run count of descriptors left open.
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "conformance/isolate.hpp"
#include "conformance/runner.hpp"
#include "conformance/thirdparty.hpp"
#include "multisock/engine.hpp"
#include "child_run.hpp"
#include "http/url.hpp"
#include "real_environment.hpp"
#include "real_peers.hpp"
#include "run_end.hpp"
#include "simnet/posix_ports.hpp"
#include "simnet/real_peer_host.hpp"

namespace ms::conf {

namespace {

using Clock = std::chrono::steady_clock;

// Bounds of one real run: the plan's last step plus this slack, never more than the cap.
constexpr Nanos kRunSlack = std::chrono::seconds(10);
constexpr Nanos kRunCap = std::chrono::seconds(30);
// A child gets this much longer than its driver's own limit before it counts as hung.
constexpr std::chrono::milliseconds kChildGrace{10'000};
constexpr long kTimerToleranceMs = 50;

// ---- socket observation ------------------------------------------------------------------

// The run in progress on this thread: the wrapped easy_init below finds it here, since the
// Api table holds plain function pointers.
struct Observer {
  Api inner;
  Driver* driver = nullptr;
  std::map<int, ino_t> open;  // fd -> the socket's inode, to tell it from a reused number
  bool hooked = false;
  std::string setopt_call;  // "<prefix>easy_setopt": the progress while our hooks are set
};
thread_local Observer* g_observer = nullptr;

void record_net(EventKind kind, int fd, std::string text) {
  if (!g_observer || !g_observer->driver) return;
  Event e;
  e.kind = kind;
  e.fd = fd;
  e.text = std::move(text);
  g_observer->driver->record(std::move(e));
}

// Non-blocking from the start: libcurl sets it again itself, but an implementation that
// trusts the callback's descriptor as it is must not block the event loop in recv().
ms_socket_t open_socket_cb(void*, mssocktype, ms_sockaddr* address) {
  const int fd = ::socket(address->family, address->socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
                          address->protocol);
  if (fd < 0) return MS_SOCKET_BAD;
  struct stat st {};
  if (g_observer && ::fstat(fd, &st) == 0) g_observer->open[fd] = st.st_ino;
  record_net(EventKind::net_open, fd, {});
  // The target connects right after it gets the descriptor; the address is known now.
  sockaddr_storage ss{};
  std::memcpy(&ss, &address->addr, std::min<std::size_t>(address->addrlen, sizeof ss));
  port::Address peer;
  if (posix::address_from_sockaddr(ss, peer)) record_net(EventKind::net_connect, fd, peer.to_string());
  return fd;
}

int close_socket_cb(void*, ms_socket_t fd) {
  record_net(EventKind::net_close, fd, {});
  if (g_observer) g_observer->open.erase(fd);
  return ::close(fd);
}

void* observed_easy_init() {
  if (!g_observer) return nullptr;
  void* easy = g_observer->inner.easy_init();
  if (!easy) return easy;
  const Api& a = g_observer->inner;
  // A crash in these calls is the library's setopt's, not its easy_init's.
  isolate_progress(g_observer->setopt_call.c_str());
  using OpenFn = ms_socket_t (*)(void*, mssocktype, ms_sockaddr*);
  using CloseFn = int (*)(void*, ms_socket_t);
  OpenFn open = &open_socket_cb;
  CloseFn close = &close_socket_cb;
  // Both or neither: a socket opened by the target and closed by us (or the reverse)
  // would make the open count wrong.
  if (a.easy_setopt(easy, MSOPT_OPENSOCKETFUNCTION, open) == MSE_OK) {
    if (a.easy_setopt(easy, MSOPT_CLOSESOCKETFUNCTION, close) == MSE_OK) {
      g_observer->hooked = true;
    } else {
      a.easy_setopt(easy, MSOPT_OPENSOCKETFUNCTION, static_cast<OpenFn>(nullptr));
    }
  }
  isolate_progress(nullptr);  // the driver names its next call itself
  return easy;
}

// ---- one run, in this process ------------------------------------------------------------

Nanos run_limit(const Scenario& sc) {
  std::int64_t last = 0;
  for (const ClientStep& s : sc.client) last = std::max(last, s.at_ns);
  return std::min(kRunCap, Nanos(last) + kRunSlack);
}

std::string not_applicable(const Scenario& sc, const TargetSpec& target) {
  std::string faults;
#define MS_X(name) \
  if (sc.world.name > 0) faults += std::string(faults.empty() ? "" : ", ") + #name;
  MS_WORLD_PROBABILITIES(MS_X)
#undef MS_X
  if (!faults.empty())
    return "skipped: the world injects faults (" + faults +
           ") that exist only on simnet, not on real sockets";
  // A name with several addresses needs one port on all of them (the URL has one), and
  // RealPeerHost gives every listener its own ephemeral port.
  for (const DnsSpec& d : sc.dns) {
    int with_peer = 0;
    for (const std::string& a : d.addresses)
      for (const PeerSpec& p : sc.peers)
        if (p.address == a) {
          ++with_peer;
          break;
        }
    if (with_peer > 1)
      return "skipped: " + d.name + " has several addresses with peers; real listeners " +
             "cannot share one port across them";
  }
  // An absolute redirect names the scenario's port, which no real peer listens on.
  for (const PeerSpec& p : sc.peers) {
    const bool absolute_redirect = std::any_of(p.script.commands.begin(), p.script.commands.end(),
                                               [](const sim::PeerCommand& c) {
      const std::string text = lower(c.bytes);
      return text.find("location: http://") != std::string::npos ||
             text.find("location: https://") != std::string::npos;
    });
    if (absolute_redirect)
      return "skipped: peer " + p.name +
             " redirects to an absolute URL with the scenario's port; real peers listen on "
             "ephemeral ports";
  }
  if (target.kind == TargetSpec::Kind::lib) {
    if (!sc.mutant().empty())
      return "skipped: the scenario compiles an engine mutant in; a library has none";
  }
  return {};
}

ChildRun run_here(const Scenario& sc, const TargetSpec& target, const RunOptions& options,
                 const Api& api, std::uint64_t seed) {
  ChildRun r;
  Policy policy;
  std::string error;
  if (!resolve_policy(sc, options, policy, error)) {
    r.setup_error = error;
    return r;
  }

  ms::MultiOptions mo;
  if (target.kind == TargetSpec::Kind::engine_real) {
    const std::string mutant = sc.mutant();
    if (!mutant.empty() && !ms::mutant_from_name(mutant, mo.mutant)) {
      r.setup_error = sc.file + ": unknown mutant '" + mutant + "'";
      return r;
    }
  }

  posix::RealPeerHost host;
  PeerMap peers(host);
  if (!peers.start(sc, error)) {
    r.setup_error = error;
    return r;
  }
  std::vector<ClientStep> plan = sc.client;
  for (ClientStep& step : plan) {
    if (step.kind != StepKind::add) continue;
    if (!map_transfer(sc, peers, step.transfer, error)) {
      r.setup_error = sc.file + ":" + std::to_string(step.line) + ": " + error;
      return r;
    }
  }

  DriverOptions dopt;
  dopt.seed = seed;
  dopt.policy = policy;
  dopt.time_limit = run_limit(sc);
  dopt.digest_bodies = checks_body_digest(sc);
  end_child_when_flooded(dopt);
  if (mo.mutant != ms::Mutant::none) {
    dopt.multi_factory = [mo]() -> void* { return ms::multi_init(ms::port::system_ports(), mo); };
  }
  dopt.multi_longs = multi_options(sc.multi);
  // Faulty worlds are skipped on real sockets.
  dopt.healthy = healthy_transfers(sc, policy, options.target());
  // A scenario's `choices` replay the policy's decisions here too (the world's are moot).
  ms::sim::ChoiceTape tape = sc.replay_choices ? ms::sim::ChoiceTape(sc.choices) : ms::sim::ChoiceTape();
  dopt.choices = &tape;
  // In a library's child process a crash or hang then names the call in progress, and a
  // hang keeps the trace up to it (LastWords).
  dopt.call_hook = &LastWords::call_hook;
  dopt.call_prefix = target.kind == TargetSpec::Kind::lib ? target.prefix : "ms_";

  // A classic loop waits inside the library (multi_poll, multi_wait), where the peers of
  // this thread would never be served: they run on a thread of their own then.
  const bool peers_on_thread = policy.loop != AppLoop::socket;
  RealEnvironment env(peers_on_thread ? nullptr : &host);
  if (!env.ok()) {
    r.setup_error = "epoll_create1 failed";
    return r;
  }
  Observer observer;
  observer.inner = api;
  observer.setopt_call = target.prefix + "easy_setopt";
  Api observed = api;
  observed.easy_init = &observed_easy_init;
  Driver driver(observed, env, dopt);
  observer.driver = &driver;
  Observer* const outer = g_observer;
  g_observer = &observer;
  {
    std::atomic<bool> stop{false};
    std::thread peers_thread;
    if (peers_on_thread)
      peers_thread = std::thread([&] {
        while (!stop.load()) host.run_for(std::chrono::milliseconds(5));
      });
    {
      LastWords hang_trace(driver);
      r.run = driver.run(plan);
    }
    stop = true;
    if (peers_thread.joinable()) peers_thread.join();
  }
  g_observer = outer;
  if (observer.hooked) {
    // A socket the target closed with close() instead of the close callback is gone, or
    // its number now names another file: only the same inode still open is a leak.
    r.open_after_cleanup = 0;
    for (const auto& [fd, inode] : observer.open) {
      struct stat st {};
      if (::fstat(fd, &st) == 0 && st.st_ino == inode) {
        ++r.open_after_cleanup;
      } else {
        Event e;
        e.kind = EventKind::note;
        e.fd = fd;
        e.time_ns = r.run.end_time_ns;
        e.text = "closed-without-callback fd " + std::to_string(fd);
        r.run.trace.events.push_back(e);
      }
    }
    for (const auto& [fd, inode] : observer.open)
      if (struct stat st {}; ::fstat(fd, &st) == 0 && st.st_ino == inode) ::close(fd);
  }
  return r;
}

// ---- targets -------------------------------------------------------------------------------

}  // namespace

TargetProbe probe_target(const TargetSpec& target) {
  TargetProbe p;
  if (target.kind != TargetSpec::Kind::lib) {
    p.version_text = engine_api().version;
    p.identity = parse_implementation_version(p.version_text);
    return p;
  }
  static std::mutex mutex;
  static std::map<std::string, TargetProbe> probed;
  std::lock_guard<std::mutex> lock(mutex);
  const std::string key = target.library + "\n" + target.prefix;
  if (auto it = probed.find(key); it != probed.end()) return it->second;
  // A child loads the library and answers its version string: loading runs the library's
  // constructors and global init, which must not take this process down or hang it.
  const RunOutcome child = run_isolated(
      [&]() -> std::string {
        Api api;
        std::string error;
        if (!load_library_api(target.library, target.prefix, api, &error)) return "E" + error;
        return std::string("V") + (api.version ? api.version : "");
      },
      std::chrono::milliseconds(10'000));
  if (child.kind == RunKind::ok && !child.payload.empty() && child.payload[0] == 'V') {
    p.version_text = child.payload.substr(1, 4096);
    p.identity = parse_implementation_version(p.version_text);
  } else if (child.kind == RunKind::ok) {
    p.error = child.payload.empty() ? "no answer" : child.payload.substr(1, 4096);
  } else if (child.kind == RunKind::crash) {
    p.error = "crashed (" + child.signal_name + ") while loading";
  } else if (child.kind == RunKind::hang) {
    p.error = "did not finish loading within 10 s";
  } else {
    p.error = child.error.empty() ? "could not be loaded" : child.error;
  }
  probed[key] = p;
  return p;
}

ImplementationVersion describe_target(const TargetSpec& target) {
  return probe_target(target).identity;
}

std::string real_not_applicable(const Scenario& scenario, const TargetSpec& target) {
  return not_applicable(scenario, target);
}

namespace {

// Why api cannot run the scenario's policy (pausing needs the optional easy_pause, a
// classic loop its calls); empty when it can. The engine and a library's child ask alike.
std::string unsupported_by(const Scenario& scenario, const RunOptions& options, const Api& api) {
  std::string error;
  Policy policy;
  if (!resolve_policy(scenario, options, policy, error)) return {};
  return policy_unsupported(policy, api);
}

// A scenario not applicable to the target: it passes, skipped, saying why.
ScenarioRun& skipped_run(ScenarioRun& out, const std::string& why) {
  out.outcome = Outcome::pass;
  out.skipped = true;
  out.message = why;
  return out;
}

}  // namespace

ScenarioRun run_real(const Scenario& scenario, const TargetSpec& target,
                     const RunOptions& options) {
  ScenarioRun out = blank_run(scenario, options);

  if (std::string why = not_applicable(scenario, target); !why.empty()) return skipped_run(out, why);

  ChildRun r;
  if (target.kind == TargetSpec::Kind::engine_real) {
    if (std::string why = unsupported_by(scenario, options, engine_api()); !why.empty())
      return skipped_run(out, why);
    r = run_here(scenario, target, options, engine_api(), out.seed);
  } else if (target.kind == TargetSpec::Kind::lib) {
    // Loading is the library's code too: the child loads it (constructors, global init)
    // and runs the scenario, so nothing of the library ever runs in this process.
    const auto limit = std::chrono::duration_cast<std::chrono::milliseconds>(
                           run_limit(scenario)) + kChildGrace;
    const RunOutcome child = run_isolated(
        [&]() {
          ChildRun loaded;
          Api api;
          std::string error;
          if (!load_library_api(target.library, target.prefix, api, &error)) {
            loaded.setup_error = "cannot load " + target.library + ": " + error;
            return encode(loaded);
          }
          loaded.skipped = unsupported_by(scenario, options, api);
          if (!loaded.skipped.empty()) return encode(loaded);
          return encode(run_here(scenario, target, options, api, out.seed));
        },
        limit);
    if (!child_answered(child, target, limit, out)) return out;
    std::string error;
    if (!decode(child.payload, r, error)) {
      out.message = "the child's answer cannot be read: " + error;
      return out;
    }
    if (!r.skipped.empty()) return skipped_run(out, r.skipped);
  } else {
    out.message = "target " + target.text + " is not a real-time target";
    return out;
  }

  if (!r.setup_error.empty()) {
    out.message = r.setup_error;
    return out;
  }
  RunEnd end;
  end.timer_tolerance_ms = kTimerToleranceMs;
  end.open_after_cleanup = r.open_after_cleanup;
  end.open_what = "socket";
  end.simulated = false;
  check_run_end(scenario, options, r.run, end, out);
  return out;
}

}  // namespace ms::conf

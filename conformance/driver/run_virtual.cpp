// SPDX-License-Identifier: MIT
// run_virtual.cpp: a library target in the simulated world.
//
// Each scenario runs in a child process (run_isolated with tidy descriptors, so the
// numbers the world hands out are the same every run). The child loads the library, builds
// the scenario's world exactly as for engine-sim (make_world), installs the interposition
// layer (simnet/interpose: the library's socket, clock, name and thread calls are served
// by the world) and drives the library through its API table. The parent checks the trace
// with the same code as engine-sim (check_run_end): no timer tolerance, every fault of
// the world, the decisions recorded for replay and shrinking.
//
// A library that crashes is ER-NO-CRASH with the signal and the call; one that loops or
// waits for ever inside a call is stopped by the wall-clock limit (a hang, naming the
// call); one that waits for ever in virtual time stops the run (an error saying so). A call
// the world does not model ends the run with an error naming it.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "child_run.hpp"
#include "run_end.hpp"
#include "conformance/thirdparty.hpp"
#include "sim_environment.hpp"
#include "simnet/library_heap.hpp"
#include "simnet/virtual_os.hpp"

namespace ms::conf {

namespace {

// A library thread that waits this share of the run's wall limit (TargetSpec::hang_after)
// is reported before the whole run is killed.
constexpr int kThreadWallShareTenths = 4;

bool g_serves = false;  // this program answers kVirtualServerCommand
void* volatile g_host_block = nullptr;  // MS_HOST_ALLOCATIONS's last block (run_in_child)

// Every call into the library: the child's progress slot names it (and LastWords keeps
// where the call began), and the layer counts the clock reads of each call.
void enter_call(const char* call) {
  LastWords::call_hook(call);
  if (sim::VirtualOs* vos = sim::VirtualOs::installed(); vos != nullptr && call != nullptr) vos->enter_call();
}

ChildRun run_in_child(const Api& api, const Scenario& sc, const TargetSpec& target,
                      const RunOptions& options, const Policy& policy, std::uint64_t seed,
                      std::chrono::milliseconds thread_wall_limit) {
  ChildRun r;
  // This child's library allocates at addresses of its own allocations alone, whatever
  // this program allocated before (simnet/library_heap.hpp). MS_LIBRARY_HEAP=0 leaves it
  // the program's heap (for a memory checker such as valgrind, which watches only that
  // one); its trace may then move with the program's build.
  if (const char* v = std::getenv("MS_LIBRARY_HEAP"); v == nullptr || std::string(v) != "0") sim::LibraryHeap::use();
  // MS_HOST_ALLOCATIONS=N: N blocks of the program's own first, and one more whenever the
  // driver or the world runs during the run (all kept), as a program built otherwise would
  // make; with the library heap the library's trace does not change (pytest/test_library_heap.py).
  if (const char* v = std::getenv("MS_HOST_ALLOCATIONS")) {
    for (long i = 0, n = std::strtol(v, nullptr, 10); i < n && i < 100'000; ++i)
      g_host_block = std::malloc(static_cast<std::size_t>(16 + i % 200));  // kept: not elided
    sim::LibraryHeap::add_host_noise();
  }
  std::string error;
  if (std::string why = policy_unsupported(policy, api); !why.empty()) {
    r.skipped = why;
    return r;
  }
  const std::vector<std::uint64_t>* replay =
      options.choices ? &*options.choices : sc.replay_choices ? &sc.choices : nullptr;
  sim::ChoiceTape tape = replay ? sim::ChoiceTape(*replay) : sim::ChoiceTape();
  std::unique_ptr<sim::World> world = make_world(sc, seed, tape, error);
  if (!world) {
    r.setup_error = error;
    return r;
  }
  sim::VirtualOsOptions vo;
  vo.thread_wall_limit = thread_wall_limit;
  sim::VirtualOs vos(*world, vo);

  DriverOptions dopt;
  dopt.seed = seed;
  dopt.time_limit = simulated_time_limit(sc);
  dopt.policy = policy;
  dopt.multi_longs = multi_options(sc.multi);
  dopt.healthy = healthy_transfers(sc, policy, options.target());
  dopt.digest_bodies = checks_body_digest(sc);
  dopt.choices = &tape;
  dopt.call_hook = &enter_call;
  dopt.call_prefix = target.prefix;
  end_child_when_flooded(dopt);

  SimEnvironment env(*world, &vos);
  Driver driver(api, env, dopt);
  TraceObserver observer(driver);
  world->set_observer(&observer);
  {
    LastWords hang_trace(driver);
    r.run = driver.run(sc.client);
  }
  world->set_observer(nullptr);
  r.open_after_cleanup = static_cast<long>(world->open_descriptors());
  if (!vos.unmodelled().empty()) r.world_error = target.name() + ": " + vos.unmodelled();
  else if (!vos.fatal().empty()) r.world_error = target.name() + ": " + vos.fatal();
  // MS_VIRTUAL_CALLS=FILE: the calls the layer served, appended one line per scenario (how
  // simnet/interpose/README.md lists what a library really calls).
  if (const char* path = std::getenv("MS_VIRTUAL_CALLS"); path != nullptr && *path != '\0') {
    std::string line = sc.file;
    for (const auto& [fn, n] : vos.calls()) line += " " + fn + "=" + std::to_string(n);
    if (FILE* f = std::fopen(path, "a")) {
      std::fprintf(f, "%s\n", line.c_str());
      std::fclose(f);
    }
  }
  world->rng().attach(nullptr);
  r.choices = tape.values();
  r.choices.resize(tape.decisions());
  r.replayed_choices = replay != nullptr;
  return r;
}

// ---- the child program's request -------------------------------------------------------
// "key length\n" + bytes, as the answer (child_run.hpp).

std::map<std::string, std::string> records(const std::string& in) {
  std::map<std::string, std::string> r;
  std::size_t pos = 0;
  std::string key, value, error;
  while (pos < in.size() && next_record(in, pos, key, value, error)) r[key] = value;
  return r;
}

std::string program_path() {
  static const std::string path = [] {
    std::error_code ec;
    auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
    return ec ? std::string("/proc/self/exe") : p.string();
  }();
  return path;
}

}  // namespace

void serve_virtual_world() { g_serves = true; }

int run_virtual_server(const std::string& library, const std::string& prefix) {
  static Api api;
  TargetSpec target;
  target.kind = TargetSpec::Kind::lib;
  target.library = library;
  target.prefix = prefix;
  return serve_forks(
      [&]() -> std::string {
        std::string error;
        if (!load_library_api(library, prefix, api, &error)) return "cannot load " + library + ": " + error;
        return "";
      },
      [&]() -> std::string {
        std::string in;
        char buffer[65536];
        for (;;) {
          const ssize_t n = ::read(0, buffer, sizeof buffer);
          if (n < 0 && errno == EINTR) continue;
          if (n <= 0) break;
          in.append(buffer, static_cast<std::size_t>(n));
        }
        ChildRun r;
        auto req = records(in);
        Scenario sc;
        ScenarioError se;
        RunOptions options;
        if (!parse_scenario(req["scenario_text"], req["scenario_file"], sc, se)) {
          r.setup_error = se.to_string();
          return encode(r);
        }
        if (req.count("policy")) options.policy = req["policy"];
        if (req.count("loop")) options.loop = req["loop"];
        if (req.count("choices")) options.choices = numbers(req["choices"]);
        options.target_implementation = req["implementation"];
        if (!req["version"].empty()) options.target_version = Version::parse(req["version"]);
        Policy policy;
        std::string error;
        if (!resolve_policy(sc, options, policy, error)) {
          r.setup_error = error;
          return encode(r);
        }
        const std::chrono::milliseconds thread_wall_limit(std::stoll(req["thread_wall_ms"]));
        return encode(run_in_child(api, sc, target, options, policy, std::stoull(req["seed"]), thread_wall_limit));
      });
}

namespace {

// One fork server per library and prefix, for the life of this process.
ForkServer& server_for(const TargetSpec& target) {
  static std::map<std::string, std::unique_ptr<ForkServer>> servers;
  auto& s = servers[target.library + "\n" + target.prefix];
  if (!s || !s->ok())
    s = std::make_unique<ForkServer>(
        std::vector<std::string>{program_path(), kVirtualServerCommand, target.library, target.prefix},
        std::chrono::milliseconds(20'000));
  return *s;
}

}  // namespace

ScenarioRun run_virtual(const Scenario& scenario, const TargetSpec& target,
                        const RunOptions& options) {
  ScenarioRun out = blank_run(scenario, options);

  if (!scenario.mutant().empty()) {
    out.outcome = Outcome::pass;
    out.skipped = true;
    out.message = "skipped: the scenario compiles an engine mutant in; a library has none";
    return out;
  }
  Policy policy;
  std::string error;
  if (!resolve_policy(scenario, options, policy, error)) {
    out.message = error;
    return out;
  }

  if (!g_serves) {
    out.message = "this program cannot run a library in the simulated world (it does not "
                  "serve " + std::string(kVirtualServerCommand) + "); use --world real";
    return out;
  }
  // A fork of a prepared copy of this program (the library loaded, no address
  // randomisation): the library's heap is the same every run, whatever this process did.
  ForkServer& server = server_for(target);
  if (!server.ok()) {
    out.message = target.name() + ": " + server.error();
    return out;
  }
  // The request is the child's first allocations, and the library's heap is laid out after
  // them (libcurl orders simultaneous steps by heap address): one run is asked for in the
  // same bytes whatever its file is called, whatever its comments and title say, and however
  // its choices came, a `choices` line of the file (a replay) or the shrinker's. The file's
  // name goes along only for MS_VIRTUAL_CALLS, whose lines name the scenario.
  Scenario asked = scenario;
  std::optional<std::vector<std::uint64_t>> choices = options.choices;
  if (!choices && asked.replay_choices) choices = asked.choices;
  asked.replay_choices = false;
  asked.choices.clear();
  asked.description.clear();
  asked.title.clear();
  const char* calls_file = std::getenv("MS_VIRTUAL_CALLS");
  std::string request;
  put(request, "scenario_file", calls_file != nullptr && *calls_file != '\0' ? scenario.file : "scenario");
  put(request, "scenario_text", format_scenario(asked));
  put(request, "seed", std::to_string(out.seed));
  put(request, "thread_wall_ms", std::to_string((target.hang_after * kThreadWallShareTenths / 10).count()));
  if (options.policy) put(request, "policy", *options.policy);
  if (options.loop) put(request, "loop", *options.loop);
  if (choices) put(request, "choices", numbers_text(*choices));
  put(request, "implementation", options.target_implementation);
  put(request, "version", options.target_version ? options.target_version->to_string() : "");
  const RunOutcome child = server.run(request, target.hang_after);
  if (!child_answered(child, target, target.hang_after, out)) return out;
  ChildRun r;
  if (!decode(child.payload, r, error)) {
    out.message = "the child's answer cannot be read: " + error;
    return out;
  }
  if (!r.skipped.empty()) {
    out.outcome = Outcome::pass;
    out.skipped = true;
    out.message = r.skipped;
    return out;
  }
  if (!r.setup_error.empty()) {
    out.message = r.setup_error;
    return out;
  }
  if (!r.world_error.empty() && r.run.harness_error.empty()) r.run.harness_error = r.world_error;
  RunEnd end;
  end.open_after_cleanup = r.open_after_cleanup;
  check_run_end(scenario, options, r.run, end, out);
  out.choices = std::move(r.choices);
  out.replayed_choices = r.replayed_choices;
  return out;
}

}  // namespace ms::conf

// SPDX-License-Identifier: MIT
// bench.cpp: speed and memory figures, the engine beside libcurl in the same run.
//
//   ms_bench [--transfers N] [--timeouts N] [--libcurl PATH] [--sim-only] [--memory-only]
//            [--check-scaling]
//
// 1. Simulated throughput: small transfers over simnet (engine + simulated application +
//    checker, the trace hashed), in transfers per CPU-second, at 1,000 and 10,000
//    transfers (or N), and the ratio of the two: a run must cost what its transfers cost.
// 2. An hour of virtual time: an_hour_of_timeouts.scn (2,000 transfers that time out
//    against a hanging peer, one every 1.8 s), its wall time in this process; and timeouts
//    per CPU-second at 200 and 2,000 such transfers.
// 3. Memory per idle added handle: heap bytes (mallinfo2) held per easy handle that has a
//    URL and is added to a multi but has not started, for the engine and for libcurl
//    loaded with dlopen; the ratio engine / libcurl. --memory-only: these figures alone.
// Figures are printed. --check-scaling (a CTest) asserts only ratios, never absolute times:
// the 10,000-transfer run may be at most kScalingRatioMax times slower per transfer than
// the 1,000-transfer run, and the same for timeouts at 2,000 and 200 transfers; so a cost
// that grows with the number of transfers (a loop over every handle per call) fails it on
// any machine.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "conformance/runner.hpp"
#include "conformance/thirdparty.hpp"
#include "sim_bench.hpp"
#include "workers.hpp"

using namespace ms::conf;

namespace {

using namespace ms::bench;

// Transfers per CPU-second of a figure, printed; 0 when the run failed.
double report_transfers(const SimFigure& f, int rounds) {
  if (!f.ok) {
    std::fprintf(stderr, "bench: %s\n", f.error.c_str());
    return 0;
  }
  std::printf("simnet: %d transfers of 512 B (8 keep-alive peers), engine + simulated app + "
              "checker: best of %d = %.1f ms CPU -> %.0f transfers per CPU-second (%zu trace "
              "events, %.0f events/s)\n",
              f.items, rounds, f.cpu_s * 1e3, f.items / f.cpu_s, f.events, f.events / f.cpu_s);
  return f.items / f.cpu_s;
}

double report_timeouts(const SimFigure& f, int rounds) {
  if (!f.ok) {
    std::fprintf(stderr, "bench: %s\n", f.error.c_str());
    return 0;
  }
  std::printf("simnet: %d timeouts over %.0f virtual s: best of %d = %.1f ms CPU -> %.0f "
              "timeouts per CPU-second (%zu trace events)\n",
              f.items, f.items * 1.8, rounds, f.cpu_s * 1e3, f.items / f.cpu_s, f.events);
  return f.items / f.cpu_s;
}

// The two sizes of one kind, their runs in rotation; their rates (0 for a failed run).
std::pair<double, double> transfer_rates(int small, int large, int rounds) {
  const auto f = sim_rotation({transfers_scenario(small), transfers_scenario(large)}, rounds);
  return {report_transfers(f[0], rounds), report_transfers(f[1], rounds)};
}
std::pair<double, double> timeout_rates(int small, int large, int rounds) {
  const auto f = sim_rotation({timeouts_scenario(small), timeouts_scenario(large)}, rounds);
  return {report_timeouts(f[0], rounds), report_timeouts(f[1], rounds)};
}

// The scenario file as `multisock replay` runs it (parse, run, check, hash), in wall time.
void bench_hour_file() {
  const std::string path = std::string(MS_SOURCE_DIR) + "/conformance/bench/an_hour_of_timeouts.scn";
  const double t0 = wall_seconds();
  Scenario sc;
  ScenarioError err;
  if (!load_scenario(path, sc, err)) {
    std::fprintf(stderr, "bench: %s\n", err.to_string().c_str());
    return;
  }
  TargetSpec target;
  std::string error;
  parse_target("engine-sim", target, error);
  RunOptions ro;
  const ScenarioRun r = run_scenario(sc, target, ro);
  const double dt = wall_seconds() - t0;
  std::printf("an_hour_of_timeouts.scn: %s, %.0f virtual s, %zu events, %.1f ms wall "
              "(load, run, check, hash)\n",
              r.outcome == Outcome::pass ? "pass" : "NOT pass", static_cast<double>(r.virtual_ns) / 1e9,
              r.trace.events.size(), dt * 1e3);
}

// Per-transfer cost at the larger size over that at the smaller one, as a slowdown factor.
constexpr double kScalingRatioMax = 3.0;

bool scaling_ok(const char* what, double small, double large) {
  if (small <= 0 || large <= 0) {
    std::printf("scaling: %s: a run failed\n", what);
    return false;
  }
  const double slowdown = small / large;
  const bool ok = slowdown <= kScalingRatioMax;
  std::printf("scaling: %s: %.2fx slower per item at 10x the items (bound %.1fx): %s\n", what,
              slowdown, kScalingRatioMax, ok ? "ok" : "FAIL");
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  int transfers = 0, timeouts = 0;
  bool sim_only = false, check_scaling = false, memory_only = false;
  std::string libcurl = "/usr/lib/x86_64-linux-gnu/libcurl.so.4";
  for (int i = 1; i < argc; ++i) {
    const bool has_value = i + 1 < argc;
    if (!std::strcmp(argv[i], "--transfers") && has_value) {
      transfers = std::atoi(argv[++i]);
    } else if (!std::strcmp(argv[i], "--timeouts") && has_value) {
      timeouts = std::atoi(argv[++i]);
    } else if (!std::strcmp(argv[i], "--libcurl") && has_value) {
      libcurl = argv[++i];
    } else if (!std::strcmp(argv[i], "--sim-only")) {
      sim_only = true;
    } else if (!std::strcmp(argv[i], "--memory-only")) {
      memory_only = true;
    } else if (!std::strcmp(argv[i], "--check-scaling")) {
      check_scaling = sim_only = true;
    } else {
      std::fprintf(stderr, "usage: ms_bench [--transfers N] [--timeouts N] [--libcurl PATH] [--sim-only] "
                           "[--memory-only] [--check-scaling]\n");
      return 2;
    }
  }
  if (memory_only) {
    // straight to the memory figures
  } else if (transfers > 0 || timeouts > 0) {  // one figure only (for a profiler)
    if (transfers > 0) report_transfers(run_sim(transfers_scenario(transfers), 5), 5);
    if (timeouts > 0) report_timeouts(run_sim(timeouts_scenario(timeouts), 5), 5);
  } else {
    // The two sizes in rotation: a busy spell of the machine (a CTest running beside) would
    // otherwise weigh on one size alone and make the ratio say what the code does not.
    constexpr int rounds = 5;
    const auto [small, large] = transfer_rates(1000, 10000, rounds);
    const auto [t_small, t_large] = timeout_rates(200, 2000, rounds);
    bool ok = scaling_ok("transfers 1,000 -> 10,000", small, large);
    ok = scaling_ok("timeouts 200 -> 2,000", t_small, t_large) && ok;
    if (check_scaling) return ok ? 0 : 1;
    bench_hour_file();
  }
  if (sim_only) return 0;

  const int handles = 10000;
  const double engine = idle_handle_memory(engine_api(), handles)["bytes_per_handle"].get<double>();
  Api curl;
  std::string error;
  if (!load_library_api(libcurl, "curl_", curl, &error)) {
    std::printf("memory: engine %.0f bytes per idle added handle; libcurl not loaded: %s\n",
                engine, error.c_str());
    return 0;
  }
  const double lib = idle_handle_memory(curl, handles)["bytes_per_handle"].get<double>();
  std::printf("memory per idle added handle (%d handles, mallinfo2): engine %.0f B, %s %.0f B, "
              "ratio engine/libcurl %.2f\n",
              handles, engine, libcurl.c_str(), lib, lib > 0 ? engine / lib : 0.0);
  return 0;
}

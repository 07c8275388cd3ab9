// SPDX-License-Identifier: MIT
// bench.cpp: speed and memory figures, the engine beside libcurl in the same run.
//
//   ms_bench [--transfers N] [--libcurl PATH]
//
// 1. Simulated throughput: N small transfers over simnet (engine + simulated application,
//    then the same with the checker), in transfers per CPU-second.
// 2. Memory per idle added handle: heap bytes (mallinfo2) held per easy handle that has a
//    URL and is added to a multi but has not started, for the engine and for libcurl
//    loaded with dlopen; the ratio engine / libcurl.
// Figures are printed, never asserted: targets are checked by reading them, not by timed tests.
#include <malloc.h>
#include <time.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "conformance/runner.hpp"
#include "conformance/thirdparty.hpp"

using namespace ms::conf;

namespace {

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

std::string scenario_text(int transfers) {
  std::string s = "title bench\nseed 1\nworld latency 1ms\n";
  for (int p = 0; p < 8; ++p) {
    s += "peer p" + std::to_string(p) + " listen 127.0.2." + std::to_string(p + 1) + ":80\n";
    s += "  accept\n  expect request\n";
    s += "  send \"HTTP/1.1 200 OK\\r\\nContent-Length: 512\\r\\n\\r\\n\"\n  send body 512\n  keep-alive\n";
  }
  s += "client\n";
  for (int t = 0; t < transfers; ++t)
    s += "  add t" + std::to_string(t) + " url http://127.0.2." + std::to_string(t % 8 + 1) + "/\n";
  return s;
}

void bench_sim(int transfers) {
  Scenario sc;
  ScenarioError err;
  if (!parse_scenario(scenario_text(transfers), "bench.scn", sc, err)) {
    std::fprintf(stderr, "bench: %s\n", err.to_string().c_str());
    return;
  }
  TargetSpec target;
  std::string error;
  parse_target("engine-sim", target, error);
  const int rounds = 5;
  double best = 1e9;
  std::size_t events = 0;
  for (int i = 0; i < rounds; ++i) {
    RunOptions ro;
    const double t0 = cpu_seconds();
    ScenarioRun r = run_scenario(sc, target, ro);
    const double dt = cpu_seconds() - t0;
    if (r.outcome != Outcome::pass) {
      std::fprintf(stderr, "bench: run failed: %s\n", r.message.c_str());
      return;
    }
    events = r.trace.events.size();
    best = std::min(best, dt);
  }
  std::printf("simnet: %d transfers of 512 B (8 keep-alive peers), engine + simulated app + "
              "checker: best of %d = %.1f ms CPU -> %.0f transfers per CPU-second (%zu trace "
              "events, %.0f events/s)\n",
              transfers, rounds, best * 1e3, transfers / best, events, events / best);
}

struct HeapProbe {
  std::size_t start = mallinfo2().uordblks;
  std::size_t used() const { return mallinfo2().uordblks - start; }
};

// Heap bytes per idle added handle through an Api table.
double idle_handle_bytes(const Api& api, int handles) {
  void* multi = api.multi_init();
  if (!multi) return -1;
  // Warm up whatever the library allocates once per multi.
  void* warm = api.easy_init();
  api.easy_setopt(warm, MSOPT_URL, "http://127.0.0.1:9/");
  api.multi_add_handle(multi, warm);
  HeapProbe probe;
  std::vector<void*> easies;
  easies.reserve(static_cast<std::size_t>(handles));
  const std::size_t vec_bytes = mallinfo2().uordblks - probe.start;
  for (int i = 0; i < handles; ++i) {
    void* e = api.easy_init();
    api.easy_setopt(e, MSOPT_URL, "http://127.0.0.1:9/");
    api.multi_add_handle(multi, e);
    easies.push_back(e);
  }
  const double per = static_cast<double>(probe.used() - vec_bytes) / handles;
  for (void* e : easies) {
    api.multi_remove_handle(multi, e);
    api.easy_cleanup(e);
  }
  api.multi_remove_handle(multi, warm);
  api.easy_cleanup(warm);
  api.multi_cleanup(multi);
  return per;
}

}  // namespace

int main(int argc, char** argv) {
  int transfers = 1000;
  std::string libcurl = "/usr/lib/x86_64-linux-gnu/libcurl.so.4";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--transfers")) transfers = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--libcurl")) libcurl = argv[i + 1];
  }
  bench_sim(transfers);

  const int handles = 10000;
  const double engine = idle_handle_bytes(engine_api(), handles);
  Api curl;
  std::string error;
  if (!load_library_api(libcurl, "curl_", curl, &error)) {
    std::printf("memory: engine %.0f bytes per idle added handle; libcurl not loaded: %s\n",
                engine, error.c_str());
    return 0;
  }
  const double lib = idle_handle_bytes(curl, handles);
  std::printf("memory per idle added handle (%d handles, mallinfo2): engine %.0f B, %s %.0f B, "
              "ratio engine/libcurl %.2f\n",
              handles, engine, libcurl.c_str(), lib, lib > 0 ? engine / lib : 0.0);
  return 0;
}

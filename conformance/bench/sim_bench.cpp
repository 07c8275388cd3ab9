// SPDX-License-Identifier: MIT
// sim_bench.cpp: see sim_bench.hpp.
#include "sim_bench.hpp"

#include <time.h>

#include <algorithm>

#include "conformance/runner.hpp"
#include "multisock/multisock.h"

namespace ms::bench {

using namespace ms::conf;

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

double wall_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

SimScenario transfers_scenario(int transfers) {
  std::string s = "title bench\nseed 1\nworld latency 1ms\n";
  for (int p = 0; p < 8; ++p) {
    s += "peer p" + std::to_string(p) + " listen 127.0.2." + std::to_string(p + 1) + ":80\n";
    s += "  accept\n  expect request\n";
    s += "  send \"HTTP/1.1 200 OK\\r\\nContent-Length: 512\\r\\n\\r\\n\"\n  send body 512\n  keep-alive\n";
  }
  s += "client\n";
  for (int t = 0; t < transfers; ++t)
    s += "  add t" + std::to_string(t) + " url http://127.0.2." + std::to_string(t % 8 + 1) + "/\n";
  return {s, transfers, MSE_OK};
}

SimScenario timeouts_scenario(int transfers) {
  std::string s = "title timeouts\nseed 7\npolicy faithful\n";
  s += "peer sleeper listen 127.0.0.3:8080\n  accept\n  expect request\n  hang\nclient\n";
  for (int t = 0; t < transfers; ++t)
    s += "  at " + std::to_string(t * 1800) + "ms add t" + std::to_string(t) +
         " url http://127.0.0.3:8080/ timeout_ms 1500\n";
  s += "  at " + std::to_string(transfers * 1800) + "ms end\n";
  return {s, transfers, MSE_OPERATION_TIMEDOUT};
}

SimFigure run_sim(const SimScenario& scenario, int rounds) {
  SimFigure f;
  f.items = scenario.items;
  Scenario sc;
  ScenarioError err;
  if (!parse_scenario(scenario.text, "bench.scn", sc, err)) {
    f.error = err.to_string();
    return f;
  }
  TargetSpec target;
  std::string error;
  parse_target("engine-sim", target, error);
  double best = 1e9;
  for (int i = 0; i < rounds; ++i) {
    RunOptions ro;
    const double t0 = cpu_seconds();
    ScenarioRun r = run_scenario(sc, target, ro);
    const double dt = cpu_seconds() - t0;
    if (r.outcome != Outcome::pass) {
      f.error = "run failed: " + r.message;
      return f;
    }
    int ended_as_meant = 0, done = 0;
    for (const Event& e : r.trace.events)
      if (e.kind == EventKind::info_read && e.easy != 0) {
        ++done;
        ended_as_meant += e.code == scenario.done_code;
      }
    if (done != scenario.items || ended_as_meant != done) {
      f.error = std::to_string(done) + " of " + std::to_string(scenario.items) + " transfers ended, " +
                std::to_string(ended_as_meant) + " with code " + std::to_string(scenario.done_code);
      return f;
    }
    f.events = r.trace.events.size();
    best = std::min(best, dt);
  }
  f.ok = true;
  f.cpu_s = best;
  return f;
}

std::vector<SimFigure> sim_rotation(const std::vector<SimScenario>& scenarios, int rounds) {
  std::vector<SimFigure> best(scenarios.size());
  for (int r = 0; r < rounds; ++r)
    for (std::size_t i = 0; i < scenarios.size(); ++i) {
      const SimFigure f = run_sim(scenarios[i], 1);
      if (r == 0 || !f.ok || (best[i].ok && f.cpu_s < best[i].cpu_s)) best[i] = f;
      if (!f.ok) return best;
    }
  return best;
}

}  // namespace ms::bench

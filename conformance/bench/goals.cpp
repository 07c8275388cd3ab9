// SPDX-License-Identifier: MIT
// goals.cpp: see goals.hpp.
#include "goals.hpp"

#include <string>

#include "workers.hpp"

namespace ms::bench {

using ms::reports::json;

namespace {

enum class Bound { at_most, below, at_least };

void goal(json& out, const std::string& id, const std::string& text, double measured, double bound, Bound how,
          const std::string& unit) {
  const bool met = how == Bound::at_most ? measured <= bound : how == Bound::below ? measured < bound : measured >= bound;
  const char* word = how == Bound::at_most ? "at most" : how == Bound::below ? "below" : "at least";
  out.push_back({{"id", id}, {"goal", text}, {"measured", measured}, {"bound", bound},
                 {"comparison", word}, {"unit", unit}, {"met", met}});
}

void real_socket_goals(const json& r, json& out) {
  if (r.contains("keepalive"))
    for (const json& m : r["keepalive"]["modes"]) {
      if (m["name"] != "example") continue;
      goal(out, "keepalive-cpu", "CPU per keep-alive GET, curl's example loop: at most 0.6x the library's",
           m["ratio_cpu"].get<double>(), 0.6, Bound::at_most, "ratio");
      if (m.contains("syscalls"))
        goal(out, "keepalive-syscalls", "system calls per keep-alive GET: fewer than the library's",
             m["syscalls"]["engine"]["per_get"].get<double>() / m["syscalls"]["library"]["per_get"].get<double>(),
             1.0, Bound::below, "ratio");
    }
  if (r.contains("bulk"))
    goal(out, "bulk-cpu", "bulk download, CPU per MB: at most 0.8x the library's", r["bulk"]["ratio_cpu"].get<double>(),
         0.8, Bound::at_most, "ratio");
  if (r.contains("fetch") && r["fetch"].contains("ratio_wall")) {
    goal(out, "fetch-wall", "multisock fetch of small files: wall time at most curl --parallel's",
         r["fetch"]["ratio_wall"].get<double>(), 1.0, Bound::at_most, "ratio");
    goal(out, "fetch-cpu", "multisock fetch of small files: CPU at most curl --parallel's",
         r["fetch"]["ratio_cpu"].get<double>(), 1.0, Bound::at_most, "ratio");
  }
}

void engine_goals(const json& r, json& out) {
  if (r.contains("memory"))
    goal(out, "memory-idle-handle", "heap per idle added handle: at most 1.2 KiB", r["memory"]["engine"].get<double>(),
         1.2 * 1024, Bound::at_most, "bytes");
  if (r.contains("scaling")) {
    const json& s = r["scaling"];
    const std::string range = std::to_string(s["handles"].back().get<int>()) + " handles against " +
                              std::to_string(s["handles"].front().get<int>());
    for (const auto& [op, v] : s["operations"].items())
      if (!cold_pass(op))
        goal(out, "flat-" + op, "cost of " + op + " with " + range + ": within 1.1x", v["ratio_engine"].get<double>(),
             1.1, Bound::at_most, "ratio");
  }
}

void simulator_goals(const json& r, json& out) {
  if (!r.contains("simulator")) return;
  const json& s = r["simulator"];
  for (const json& t : s["transfers"])
    goal(out, "sim-transfers-" + std::to_string(t["transfers"].get<int>()),
         "simulated small transfers per CPU-second, checker on, at " + std::to_string(t["transfers"].get<int>()) +
             " transfers: at least 100,000",
         t["per_cpu_second"].get<double>(), 100000, Bound::at_least, "per CPU-second");
  goal(out, "sim-hour", "multisock replay of an hour of virtual time with 2,000 timeouts: under 10 ms of wall time",
       s["hour"]["wall_ms_median"].get<double>(), 10, Bound::at_most, "ms");
  goal(out, "property-rate", "property suite: at least 5,000 histories per CPU-second",
       s["property"]["per_cpu_second"].get<double>(), 5000, Bound::at_least, "per CPU-second");
}

}  // namespace

json evaluate_goals(const json& r) {
  json out = json::array();
  real_socket_goals(r, out);
  engine_goals(r, out);
  simulator_goals(r, out);
  return out;
}

}  // namespace ms::bench

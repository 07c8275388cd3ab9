// SPDX-License-Identifier: MIT
// run_bench.hpp: `multisock bench`: the engine (the shipped libmultisock-curl.so) and a
// library with libcurl's names, measured side by side in one run, interleaved, with paired
// medians, against a private nginx; the simulator's speed; the figures against the goals.
#pragma once

#include <string>
#include <vector>

#include "reports/reports.hpp"

namespace ms::bench {

using ms::reports::json;

struct BenchOptions {
  std::string self;          // this program, to start workers and the commands measured
  std::string engine_path;   // libmultisock-curl.so
  std::string library_path;  // the library to compare with (curl_ names)
  std::string work_dir;      // nginx, files and downloads (removed afterwards)
  std::string hour_file;     // an_hour_of_timeouts.scn
  std::string command_line;  // as given, for the report
  int rounds = 7;
  int gets = 2000;           // keep-alive GETs per run
  int slots = 8;             // keep-alive transfers at once
  int bulk_mb = 100;
  int files = 1000;          // multisock fetch against curl --parallel
  std::vector<int> handles = {100, 1000, 10000, 100000};
  int sim_small = 1000, sim_large = 10000;
  int property_runs = 2000;
  bool strace = false;       // system calls per keep-alive GET, one more run under strace -f -c
  std::vector<std::string> sections = {"keepalive", "bulk", "fetch", "tls", "memory", "scaling", "simulator"};
  bool quiet = false;        // no progress lines on stderr
};

// Runs the sections; the report (see reports/README.md, "bench.json"). Throws
// std::runtime_error when nothing can be measured (no nginx for a real-socket section, a
// library that does not load).
json run_bench(const BenchOptions& options);

// The measurement of one worker process (`multisock bench --worker KIND`): the JSON it prints.
json run_worker(const std::string& kind, const std::string& library_path, const json& params);

}  // namespace ms::bench

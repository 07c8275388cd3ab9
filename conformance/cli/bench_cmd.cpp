// SPDX-License-Identifier: MIT
// bench_cmd.cpp: `multisock bench` (conformance/bench/run_bench.hpp): finds the engine's
// library, measures, writes the report and prints the goals; `--worker` is one measurement
// in this process, `--render` makes the pages of a bench.json again.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "bench/bench_report.hpp"
#include "bench/run_bench.hpp"
#include "cli/apps.hpp"
#include "cli/options.hpp"

namespace ms::cli {

namespace fs = std::filesystem;
using ms::reports::json;

namespace {

std::string self_path() {
  std::error_code ec;
  const fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : p.string();
}

// libmultisock-curl.so: the installed one next to this binary's LIBDIR, else this build's.
std::string default_engine(const std::string& self) {
  std::vector<std::string> candidates;
#ifdef MS_SHIM_FROM_BINDIR
  candidates.push_back((fs::path(self).parent_path() / MS_SHIM_FROM_BINDIR).lexically_normal().string());
#endif
#ifdef MS_SHIM_BUILD_PATH
  candidates.push_back(MS_SHIM_BUILD_PATH);
#endif
  for (const std::string& c : candidates)
    if (access(c.c_str(), R_OK) == 0) return c;
  return "";
}

std::string hour_file() {
  const char* env = std::getenv("MULTISOCK_BENCH_HOUR");
  return env && *env ? env : std::string(MS_SOURCE_DIR) + "/conformance/bench/an_hour_of_timeouts.scn";
}

int render(const std::string& from, const std::string& dir) {
  json report;
  try {
    std::ifstream in(from);
    if (!in) throw std::runtime_error("cannot read it");
    report = json::parse(in);
    if (report.value("format", std::string()) != "multisock-bench/1") throw std::runtime_error("not a bench report");
    ms::bench::write_bench(report, dir, true);
  } catch (const json::exception& e) {
    std::fprintf(stderr, "multisock: %s: not a bench report this version can read (%s)\n", quoted_word(from).c_str(),
                 e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "multisock: %s: %s\n", quoted_word(from).c_str(), e.what());
    return 2;
  }
  return 0;
}

void print_goals(const json& report, const std::string& dir) {
  int met = 0;
  for (const json& g : report["goals"]) {
    met += g["met"].get<bool>();
    std::printf("%-4s %s: %.3g %s (%s %.3g)\n", g["met"].get<bool>() ? "met" : "MISS", g["goal"].get<std::string>().c_str(),
                g["measured"].get<double>(), g["unit"].get<std::string>().c_str(),
                g["comparison"].get<std::string>().c_str(), g["bound"].get<double>());
  }
  std::printf("%d of %zu goals met; %s/bench.md, bench.json, bench.html\n", met, report["goals"].size(), dir.c_str());
}

}  // namespace

int cmd_bench(Args& args) {
  if (args.help()) {
    std::cout << command_help("bench");
    return 0;
  }
  BenchWords words;
  if (const std::string problem = read_bench_options(args, words); !problem.empty()) return usage_error(problem);
  ms::bench::BenchOptions& o = words.run;
  if (o.library_path.empty()) o.library_path = "/usr/lib/x86_64-linux-gnu/libcurl.so.4";
  if (words.worker) {
    json params;
    try {
      params = json::parse(words.params);
    } catch (const json::exception&) {
      return usage_error("--params needs a JSON object");
    }
    const json out = ms::bench::run_worker(*words.worker, o.library_path, params);
    std::printf("%s\n", out.dump().c_str());
    return out.contains("error") ? 3 : 0;
  }
  if (words.render) return render(*words.render, words.report_dir);
  o.self = self_path();
  if (!words.engine_given) o.engine_path = default_engine(o.self);
  if (o.engine_path.empty()) return usage_error("no libmultisock-curl.so found: give --engine PATH");
  o.hour_file = hour_file();
  o.command_line = "multisock bench";
  for (const std::string& w : args.words()) o.command_line += " " + w;
  char tmpl[] = "/tmp/multisock-bench-XXXXXX";
  if (!mkdtemp(tmpl)) {
    std::perror("multisock: mkdtemp");
    return 3;
  }
  o.work_dir = tmpl;
  int code = 0;
  try {
    const json report = ms::bench::run_bench(o);
    ms::bench::write_bench(report, words.report_dir);
    print_goals(report, words.report_dir);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "multisock: bench: %s\n", e.what());
    code = 3;
  }
  std::error_code ec;
  fs::remove_all(o.work_dir, ec);
  return code;
}

}  // namespace ms::cli

// SPDX-License-Identifier: MIT
// render.cpp: ms_reports_render, a small driver of the report library for tests and for
// looking at the page without running a suite:
//   ms_reports_render sample DIR [--hostile] [--skipped] [--target NAME]  hand-made report.json, junit.xml, report.html
//   ms_reports_render html OUT.html IN.json...
//   ms_reports_render junit OUT.xml IN.json
//   ms_reports_render validate IN.json...
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "reports/reports.hpp"
#include "sample.hpp"

namespace {

int usage() {
  std::fprintf(stderr,
               "usage: ms_reports_render sample DIR [--hostile] [--skipped] [--target NAME]\n"
               "       ms_reports_render html OUT.html IN.json...\n"
               "       ms_reports_render junit OUT.xml IN.json\n"
               "       ms_reports_render validate IN.json...\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace ms::reports;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help") return args.empty() ? usage() : (usage(), 0);
  try {
    const std::string cmd = args[0];
    if (cmd == "sample" && args.size() >= 2) {
      testing::SampleOptions o;
      for (std::size_t i = 2; i < args.size(); ++i) {
        if (args[i] == "--hostile")
          o.hostile = true;
        else if (args[i] == "--skipped")
          o.with_skipped = true;
        else if (args[i] == "--target" && i + 1 < args.size())
          o.target = args[++i];
        else
          return usage();
      }
      json r = testing::sample_report(o);
      const std::string dir = args[1];
      write_report_files(r, dir);
      std::printf("%s/report.html\n", dir.c_str());
      return 0;
    }
    if (cmd == "html" && args.size() >= 3) {
      std::vector<json> in;
      for (std::size_t i = 2; i < args.size(); ++i) in.push_back(load(args[i]));
      write_html(std::move(in), args[1]);
      return 0;
    }
    if (cmd == "junit" && args.size() == 3) {
      write_junit(load(args[2]), args[1]);
      return 0;
    }
    if (cmd == "validate" && args.size() >= 2) {
      for (std::size_t i = 1; i < args.size(); ++i) load(args[i]);
      return 0;
    }
    return usage();
  } catch (const ReportError& e) {
    std::fprintf(stderr, "ms_reports_render: %s\n", e.what());
    return 2;
  }
}

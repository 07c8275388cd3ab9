// SPDX-License-Identifier: MIT
// report_build.hpp: the report of a conform run (schema multisock-report/2), made from the
// verdicts of conformance/verdict.hpp, and the console lines printed from that report.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "conformance/runner.hpp"
#include "conformance/verdict.hpp"
#include "reports/reports.hpp"

namespace ms::cli {

struct ReportContext {
  ms::conf::TargetSpec target;
  ms::conf::Edition edition_id = ms::conf::kNewestEdition;
  std::string known_file;    // for the repro command; "" when none
  std::string version_text;  // what the target says of itself (curl_version())
  std::string suite;
  bool strict = false;
  std::vector<std::uint64_t> seeds;
  int shard_i = 0, shard_n = 1;
  double wall_seconds = 0;
  // Stored verbatim: {"id", "title", "chosen_by"} and null or the known-deviations file.
  ms::reports::json edition;
  ms::reports::json known;
  // conform --app: the application's clauses are graded, the target's "app" member says
  // which program and how it was run, and every run's repro line is this command.
  ms::conf::Party party = ms::conf::Party::library;
  ms::reports::json app;  // null for a library run
  std::string app_repro;
};


// `runs` are the listed runs; `folded` the passing groups counted without them (the report's
// `folded` member, written when there are any).
ms::reports::json build_report(const std::vector<ms::conf::ScenarioRun>& runs,
                               const ms::conf::FoldedRuns& folded, const ReportContext& ctx);

// Where scenario files of a suite are named from: conformance/scenarios for scripted and
// canary, the folder given, or the folder of the file given.
std::string scenario_root(const std::string& suite);
std::string scenarios_dir();
// A path relative to the current folder when below it, else as given (for commands to paste).
std::string relative(const std::string& path);
std::string repro(const ms::conf::ScenarioRun& r, const ms::conf::TargetSpec& t,
                  ms::conf::Edition edition, const std::string& known_file);

// DIR/report.json, DIR/junit.xml and DIR/report.html, and a line saying so.
void write_reports(const ms::reports::json& report, const std::string& dir);

// One line per scenario whose verdict is not pass (with its repro and, when written, the
// shrunk file keyed by (name, seed)).
void print_scenario_lines(const ms::reports::json& report,
                          const std::map<std::pair<std::string, std::uint64_t>, std::string>& shrunk);
// The clause table, the speed line and last `verdict: WORD (exit N) ...`.
void print_summary(const ms::reports::json& report);

}  // namespace ms::cli

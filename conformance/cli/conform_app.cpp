// SPDX-License-Identifier: MIT
// conform_app.cpp: `multisock conform --app CMD`: a real program's half of the contract,
// recorded and graded by the application clauses (conformance/include/conformance/app_run.hpp).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "cli/commands.hpp"
#include "cli/data_dir.hpp"
#include "cli/options.hpp"
#include "cli/report_build.hpp"
#include "conformance/app_run.hpp"
#include "conformance/verdict.hpp"

namespace ms::cli {
namespace {

namespace fs = std::filesystem;
using ms::reports::json;
using namespace ms::conf;

std::string apps_dir() {
  return data_dir("MULTISOCK_APPS", "apps", MS_SOURCE_DIR "/conformance/apps");
}

// $MULTISOCK_RECORDER, else the recorder installed with this binary, else the one built
// beside it.
std::string recorder_path() {
  if (const char* env = std::getenv("MULTISOCK_RECORDER"); env && *env) return env;
#ifdef MS_RECORDER_FROM_BINDIR
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec && !self.empty()) {
    const fs::path installed = (self.parent_path() / MS_RECORDER_FROM_BINDIR).lexically_normal();
    if (fs::is_regular_file(installed, ec)) return installed.string();
  }
#endif
#ifdef MS_RECORDER_PATH
  return MS_RECORDER_PATH;
#else
  return "";
#endif
}

std::string shell_quote(const std::string& s) {
  if (s.find_first_of(" \t\n'\"\\$`!*?{}[]();&|<>#~") == std::string::npos && !s.empty()) return s;
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string repro_line(const AppOptions& a, const std::string& scenario) {
  std::string s = "multisock conform --app " + shell_quote(a.command);
  if (a.library) s += " --lib " + relative(*a.library);
  if (a.feed != "args") s += " --feed " + a.feed;
  s += " --scenario " + relative(scenario);
  if (a.tolerance_ms != 200) s += " --tolerance-ms " + std::to_string(a.tolerance_ms);
  return s;
}

}  // namespace

int conform_app(const ConformOptions& o) {
  const AppOptions& a = *o.app;
  AppSpec spec;
  std::string error;
  if (!split_command(a.command, spec.command, error)) return usage_error("--app: " + error);  // read_app_options checked it
  spec.name = a.name.value_or(fs::path(spec.command.front()).filename().string());
  spec.recorder = recorder_path();
  std::error_code ec;
  if (spec.recorder.empty() || !fs::is_regular_file(spec.recorder, ec)) {
    std::fprintf(stderr, "multisock: the recorder (libmultisock-record.so) is not found%s%s; set MULTISOCK_RECORDER\n",
                 spec.recorder.empty() ? "" : " at ", spec.recorder.c_str());
    return 3;
  }
  spec.recorder = fs::absolute(spec.recorder).string();
  if (a.library) {
    if (!fs::is_regular_file(*a.library, ec)) return usage_error("--lib " + quoted_word(*a.library) + ": no such file");
    spec.library = fs::absolute(*a.library).string();
  }
  if (a.feed == "stdin") spec.feed = AppSpec::Feed::stdin_lines;
  if (a.feed.rfind("fifo:", 0) == 0) {
    spec.feed = AppSpec::Feed::fifo;
    spec.fifo = a.feed.substr(5);
  }
  spec.limit = std::chrono::seconds(a.timeout_s);
  if (o.report_dir)
    if (std::string why = writable_folder(*o.report_dir); !why.empty())
      return usage_error("--report " + *o.report_dir + ": " + why);

  const std::string scenario_file = a.scenario.value_or(apps_dir() + "/fetch.scn");
  Scenario sc;
  ScenarioError se;
  if (!load_scenario(scenario_file, sc, se)) {
    std::fprintf(stderr, "multisock: %s\n", se.to_string().c_str());
    return 2;
  }
  std::printf("app %s  library %s  scenario %s  feed %s\n", a.command.c_str(),
              spec.library.empty() ? "(the program's own)" : spec.library.c_str(),
              relative(scenario_file).c_str(), a.feed.c_str());
  std::fflush(stdout);
  const auto wall_start = std::chrono::steady_clock::now();
  AppRun run = run_app(sc, spec, o.contract_options.edition,
                       AppCheckOptions{.tolerance_ms = a.tolerance_ms}, a.keep);
  if (a.keep) std::printf("kept: %s (trace.jsonl, stdout, stderr, work/)\n", run.folder.c_str());
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  if (run.run.outcome == Outcome::error && run.run.trace.events.empty()) {
    std::fprintf(stderr, "multisock: %s\n", run.run.message.c_str());
    return 3;
  }

  ReportContext ctx;
  ctx.target.kind = TargetSpec::Kind::lib;
  ctx.target.virtual_world = false;
  ctx.target.library = spec.library.empty() ? "(the program's own)" : spec.library;
  ctx.target.text = "lib:" + ctx.target.library;
  ctx.version_text = run.library_version;
  ctx.edition_id = run.edition;
  ctx.edition = {{"id", to_string(run.edition)},
                 {"title", edition_title(run.edition)},
                 {"chosen_by", o.contract_options.edition ? "option" : "version"}};
  ctx.known = nullptr;
  ctx.suite = scenario_file;
  ctx.strict = o.strict;
  ctx.seeds = {sc.seed};
  ctx.wall_seconds = wall;
  ctx.party = Party::application;
  const std::string exit_text = run.stopped ? "stopped by the harness"
                                : run.signal ? "signal " + signal_name(run.signal)
                                             : "exit " + std::to_string(run.exit_status);
  ctx.app = {{"name", spec.name},
             {"command", a.command},
             {"feed", a.feed},
             {"library", a.library ? relative(*a.library) : std::string()},
             {"scenario", relative(scenario_file)},
             {"urls", run.urls.size()},
             {"done_read", run.done_read},
             {"done_ok", run.done_ok},
             {"exit", exit_text},
             {"waits_observed", run.check.waits_observed},
             {"tolerance_ms", a.tolerance_ms},
             {"stderr_tail", run.stderr_tail}};
  ctx.app_repro = repro_line(a, scenario_file);
  std::printf("%s\n", run.run.message.c_str());
  const json rep = build_report({run.run}, FoldedRuns{}, ctx);
  print_scenario_lines(rep, {});
  if (o.report_dir) write_reports(rep, *o.report_dir);
  print_summary(rep);
  return rep["summary"]["exit_code"].get<int>();
}

}  // namespace ms::cli

// SPDX-License-Identifier: MIT
// conform.cpp: `multisock conform` and `multisock replay`.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "cli/apps.hpp"
#include "cli/commands.hpp"
#include "cli/conform_jobs.hpp"
#include "cli/contract.hpp"
#include "cli/options.hpp"
#include "cli/report_build.hpp"
#include "cli/suite.hpp"
#include "conformance/clauses.hpp"
#include "conformance/runner.hpp"
#include "conformance/verdict.hpp"
#include "multisock/engine.hpp"
#include "reports/reports.hpp"
#include "cli/property_suite.hpp"

namespace fs = std::filesystem;
using ms::reports::json;
using namespace ms::conf;

namespace ms::cli {
namespace {


}  // namespace

bool load_suite(const std::string& suite, std::vector<LoadedScenario>& out, std::string& error) {
  std::vector<std::string> files;
  bool want_canary = false;
  bool filter = false;
  auto add_folder = [&](const fs::path& dir) {
    for (auto& entry : fs::directory_iterator(dir))
      if (entry.is_regular_file() && entry.path().extension() == ".scn")
        files.push_back(entry.path().string());
  };
  if (suite == "scripted" || suite == "canary") {
    filter = true;
    want_canary = suite == "canary";
    std::error_code ec;
    if (!fs::is_directory(scenarios_dir(), ec)) {
      error = "scenario folder " + scenarios_dir() + " not found";
      return false;
    }
    add_folder(scenarios_dir());
  } else if (fs::is_directory(suite)) {
    add_folder(suite);
  } else if (fs::is_regular_file(suite)) {
    files.push_back(suite);
  } else {
    error = "unknown suite '" + suite + "' (scripted, canary, or a scenario file or folder)";
    return false;
  }
  std::sort(files.begin(), files.end());
  for (auto& f : files) {
    LoadedScenario l;
    l.path = f;
    ScenarioError se;
    if (!load_scenario(f, l.scenario, se)) {
      error = se.to_string();
      return false;
    }
    if (filter && l.scenario.canary != want_canary) continue;
    out.push_back(std::move(l));
  }
  if (out.empty()) {
    error = "suite '" + suite + "' has no scenarios";
    return false;
  }
  return true;
}

// "" when dir is a folder that can be written, or could be made: its nearest existing
// ancestor is a folder that can be written. Nothing is created (a later usage error must
// leave no folder behind); else why not.
std::string writable_folder(const std::string& dir) {
  std::error_code ec;
  const fs::path wanted = fs::absolute(dir, ec);
  fs::path at = wanted;
  while (!at.empty() && !fs::exists(at, ec)) {
    if (at == at.parent_path()) break;
    at = at.parent_path();
  }
  if (!fs::is_directory(at, ec))
    return at == wanted ? "not a folder" : at.string() + " is not a folder";
  if (::access(at.c_str(), W_OK | X_OK) != 0)
    return "cannot write in " + at.string() + ": " + std::strerror(errno);
  return "";
}

namespace {

// What run_all gives back.
struct SuiteRuns {
  std::vector<ScenarioRun> runs;         // the listed runs, in order
  std::vector<std::size_t> scenario_of;  // runs[i] came from suite.at(scenario_of[i])
  FoldedRuns folded;                     // passing groups counted, not listed
  std::vector<std::uint64_t> seeds;      // every seed run, sorted, unique
};

// Failing runs of a seed sweep on the simulated target, shrunk and written as scenario
// files (the property suite writes its own). Returns run index -> written path.
std::map<std::size_t, std::string> write_shrunk_failures(const Suite& suite, const SuiteRuns& done,
                                                         const ConformOptions& o, const RunOptions& judged) {
  const ms::conf::Contract contract = ms::conf::contract(o.contract.edition, o.strict);
  const std::vector<ScenarioRun>& runs = done.runs;
  std::map<std::size_t, std::string> written;
  if (!o.shrink || !o.target.is_virtual()) return written;
  constexpr int kShrinkMax = 5;  // each shrink re-runs the scenario up to 400 times
  int shrunk = 0;
  for (std::size_t i = 0; i < runs.size() && shrunk < kShrinkMax; ++i) {
    const ScenarioRun& r = runs[i];
    if (r.outcome == Outcome::pass || r.outcome == Outcome::error || r.skipped) continue;
    if (verdict_of_run(r, contract).verdict != Verdict::fail) continue;  // known deviations, SHOULDs
    const LoadedScenario l = suite.at(done.scenario_of[i]);
    if (l.scenario.canary) continue;  // a canary is meant to fail
    ++shrunk;
    RunOptions ro = judged;
    ro.seed = r.seed;
    ro.policy = o.policy;
    ro.loop = o.loop;
    std::string error;
    const std::string name = r.name + "-seed" + std::to_string(r.seed) +
                             (o.policy ? "-" + *o.policy : "") + (o.loop ? "-" + *o.loop : "");
    const std::string origin = fs::path(l.path).filename().string() + " with seed " +
                               std::to_string(r.seed) +
                               (o.policy ? " under policy " + *o.policy : "") +
                               (o.loop ? " with loop " + *o.loop : "");
    const std::string path =
        shrink_and_write(l.scenario, o.target, ro, o.failures_dir, name, origin, 400, error);
    if (path.empty())
      std::fprintf(stderr, "multisock: %s: %s\n", r.name.c_str(), error.c_str());
    else
      written[i] = path;
  }
  return written;
}

// Progress on stderr: a live line on a terminal; otherwise a line every few seconds, so a
// long CI run is not silent.
class Progress {
 public:
  explicit Progress(bool enabled) : enabled_(enabled), tty_(isatty(STDERR_FILENO)) {}
  void step(std::size_t index, std::size_t total, const std::string& name, std::uint64_t seed) {
    if (!enabled_) return;
    if (tty_) {
      std::fprintf(stderr, "\r\033[K[%zu/%zu] %s seed %llu", index, total, name.c_str(),
                   static_cast<unsigned long long>(seed));
      return;
    }
    const auto now = std::chrono::steady_clock::now();
    if (index > 1 && now - last_ < std::chrono::seconds(5)) return;
    last_ = now;
    std::fprintf(stderr, "multisock: [%zu/%zu] %s seed %llu\n", index, total, name.c_str(),
                 static_cast<unsigned long long>(seed));
  }
  void done() {
    if (enabled_ && tty_) std::fprintf(stderr, "\r\033[K");
  }

 private:
  bool enabled_, tty_;
  std::chrono::steady_clock::time_point last_{};
};


// After this many groups with violations, a listed run lets its trace go too: its
// violations stay listed with their excerpts and timelines empty (the repro command gives
// the trace), so a sweep where thousands of runs fail does not keep thousands of traces.
constexpr std::size_t kTracesKeptMax = 100;

void let_trace_go(ScenarioRun& r) {
  r.trace_length = r.event_count();
  std::vector<Event>().swap(r.trace.events);
  std::vector<std::uint64_t>().swap(r.choices);
}

// Runs the suite. Each (scenario, seed) is run --repeat times and its group is then kept or
// folded: memory follows the failures, not the number of runs. A group that passed without
// any violation is listed without its trace up to kListedPassingMax, then only counted
// (FoldedRuns); any other group is listed, with its traces for the first kTracesKeptMax.
// Progress on stderr: a live line on a terminal; otherwise a line every few seconds.
SuiteRuns run_all(const Suite& suite, ConformOptions& o, bool show_progress) {
  Progress progress(show_progress);
  const ms::conf::Contract contract = ms::conf::contract(o.contract.edition, o.strict);
  SuiteRuns out;
  std::size_t listed_passing = 0, traces_kept = 0;
  std::size_t index = 0;
  const std::size_t total = suite.size() * static_cast<std::size_t>(o.runs);
  for (std::size_t si = 0; si < suite.size(); ++si) {
    const LoadedScenario l = suite.at(si);
    for (int k = 0; k < o.runs; ++k) {
      ++index;
      RunOptions ro = o.contract.run_options();
      const std::uint64_t base = o.seed.value_or(l.scenario.seed);
      ro.seed = base + static_cast<std::uint64_t>(k);
      ro.policy = o.policy;
      ro.loop = o.loop;
      ro.check_determinism = o.determinism;
      progress.step(index, total, fs::path(l.path).stem().string(), *ro.seed);
      out.seeds.push_back(*ro.seed);
      const Scenario generated = l.generate ? l.generate() : Scenario{};
      const Scenario& scenario = l.generate ? generated : l.scenario;
      const std::size_t first = out.runs.size();
      for (int rep = 0; rep < o.repeat; ++rep) {
        out.runs.push_back(run_scenario(scenario, o.target, ro));
        out.scenario_of.push_back(si);
        ScenarioRun& r = out.runs.back();
        r.repeat = rep;
      }
      std::vector<const ScenarioRun*> group;
      bool clean = true;
      for (std::size_t i = first; i < out.runs.size(); ++i) {
        group.push_back(&out.runs[i]);
        clean = clean && out.runs[i].violations.empty();
      }
      clean = clean && verdict_of_repeats(group, contract).verdict == Verdict::pass;
      if (clean && listed_passing >= kListedPassingMax) {
        out.folded.add(group);
        out.runs.resize(first);
        out.scenario_of.resize(first);
        continue;
      }
      listed_passing += clean;
      const bool keep_traces = !clean && traces_kept < kTracesKeptMax;
      traces_kept += keep_traces;
      if (!keep_traces)
        for (std::size_t i = first; i < out.runs.size(); ++i) let_trace_go(out.runs[i]);
    }
  }
  progress.done();
  std::sort(out.seeds.begin(), out.seeds.end());
  out.seeds.erase(std::unique(out.seeds.begin(), out.seeds.end()), out.seeds.end());
  return out;
}

// The first scenario that fails against the mutant (empty: the mutant survived).
std::string first_killer(const Suite& suite, ConformOptions o, const std::string& mutant) {
  o.target.kind = TargetSpec::Kind::engine_sim;
  o.target.mutant = mutant;
  o.target.text = "engine-sim:mutant=" + mutant;
  for (const ScenarioRun& r : run_all(suite, o, false).runs)
    if (r.outcome != Outcome::pass)
      return r.name + (r.violations.empty() ? "" : " (" + r.violations[0].clause + ")");
  return "";
}

int run_mutants(const Suite& suite, const ConformOptions& o) {
  if (!ms::mutants_compiled_in()) {
    std::fprintf(stderr, "multisock: this build has no mutants (configure with -DMS_MUTANTS=ON)\n");
    return 3;
  }
  std::printf("%-22s %-14s %-8s %s\n", "mutant", "breaks", "verdict", "first killing scenario");
  int survivors = 0, total = 0;
#define MS_X(mname, clause, what)                                                          \
  if (std::string(#mname) != "none") {                                                   \
    ++total;                                                                             \
    const std::string killer = first_killer(suite, o, #mname);                           \
    if (killer.empty()) ++survivors;                                                     \
    std::printf("%-22s %-14s %-8s %s\n", #mname, clause,                                 \
                killer.empty() ? "SURVIVED" : "killed", killer.c_str());                 \
  }
  MS_MUTANTS(MS_X)
#undef MS_X
  std::printf("\n%d of %d mutants killed (%.0f%%)\n", total - survivors, total,
              total ? 100.0 * (total - survivors) / total : 0.0);
  return survivors ? 1 : 0;
}

// The suite `conform` runs: generated histories, or scenario files (a seed sweep checked
// against them). 0, or the exit status of a usage or load error.
int conform_suite(ConformOptions& o, Suite& suite) {
  if (o.suite == "property") {
    suite = property_suite(o.seed.value_or(1), o.runs, o.target, o.failures_dir, o.http2_peers);
  } else {
    std::vector<LoadedScenario> files;
    std::string error;
    if (!load_suite(o.suite, files, error)) {
      std::fprintf(stderr, "multisock: %s\n", error.c_str());
      return 2;
    }
    if (const std::string e = sweep_problem(files, o); !e.empty()) return usage_error(e);
    suite = Suite(std::move(files));
  }
  if (o.shard_n > 1) suite.keep_shard(static_cast<std::size_t>(o.shard_i), static_cast<std::size_t>(o.shard_n));
  return 0;
}

// The first line of every run's log: the seed comes first, so any log of a run starts with
// what reproduces it.
void print_run_header(const ConformOptions& o) {
  std::printf("seed %s  target %s (%s)  world %s  suite %s  edition %s%s%s  shard %d/%d\n",
              o.seed ? std::to_string(*o.seed).c_str() : "per-scenario", o.target.text.c_str(),
              o.contract.target.identity.label().c_str(), o.target.is_virtual() ? "sim" : "real",
              o.suite.c_str(),
              to_string(o.contract.edition), o.contract.known ? "  known " : "",
              o.contract.known ? relative(o.contract.known->file).c_str() : "",
              o.shard_i, o.shard_n);
}

// --list: the scenarios and seeds the run would use, and the known deviations in force.
int list_suite(const Suite& suite, const ConformOptions& o) {
  for (std::size_t i = 0; i < suite.size(); ++i) {
    const LoadedScenario l = suite.at(i);
    std::printf("%s  seed %llu%s\n", relative(l.path).c_str(),
                static_cast<unsigned long long>(o.seed.value_or(l.scenario.seed)),
                l.scenario.canary ? "  (canary: must fail)" : "");
  }
  if (o.contract.known)
    for (const KnownDeviation& d : o.contract.known->entries)
      std::printf("known %s:%zu: %s (%s)\n", relative(o.contract.known->file).c_str(), d.line,
                  d.clause.c_str(), d.reason.c_str());
  return 0;
}

// A known deviation of this build that no run showed, though one it names was judged:
// perhaps fixed. (An entry for generated histories says nothing of a scripted suite.)
void print_unseen_known(const ConformOptions& o) {
  if (!o.contract.known) return;
  for (const KnownDeviation& d : o.contract.known->entries)
    if (d.matched == 0 && d.reached && o.contract.target.version_text.find(d.build) != std::string::npos)
      std::printf("unseen %s:%zu: known deviation %s was not seen in this run (fixed?)\n",
                  relative(o.contract.known->file).c_str(), d.line, d.clause.c_str());
}

ReportContext report_context(const ConformOptions& o, SuiteRuns& done, double wall_seconds) {
  ReportContext ctx;
  ctx.target = o.target;
  ctx.edition_id = o.contract.edition;
  ctx.version_text = o.contract.target.version_text;
  ctx.known_file = o.contract.known ? o.contract.known->file : "";
  ctx.suite = o.suite;
  ctx.strict = o.strict;
  ctx.seeds = std::move(done.seeds);
  ctx.shard_i = o.shard_i;
  ctx.shard_n = o.shard_n;
  ctx.wall_seconds = wall_seconds;
  ctx.edition = o.contract.edition_json();
  ctx.known = o.contract.known_json();
  return ctx;
}

// The suite run in this process: its report, and the shrunk files it wrote. A child of
// conform --jobs shows no progress and leaves its parent what the report does not carry.
json run_here(const Suite& suite, ConformOptions& o, ShrunkFiles& shrunk_by_run) {
  const std::optional<std::string> parent_folder = job_folder();
  const bool property = o.suite == "property";
  const auto wall_start = std::chrono::steady_clock::now();
  SuiteRuns done = run_all(suite, o, /*progress=*/!parent_folder);
  std::vector<ScenarioRun>& runs = done.runs;
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  // Shrinking's re-runs are judged as the suite's were, against a copy of the contract: the
  // report's count of each known entry's matches is the suite's.
  Contract shrinking = o.contract;
  const RunOptions judged = shrinking.run_options();
  if (property)
    property_finish(runs, o.target, judged, ms::conf::contract(o.contract.edition, o.strict), o.shrink,
                    o.http2_peers);

  const std::map<std::size_t, std::string> shrunk =
      property ? std::map<std::size_t, std::string>{} : write_shrunk_failures(suite, done, o, judged);
  for (auto& [i, path] : shrunk) shrunk_by_run[{runs[i].name, runs[i].seed}] = path;
  json rep = build_report(runs, done.folded, report_context(o, done, wall));
  if (parent_folder) {
    std::vector<bool> reached;
    if (o.contract.known)
      for (const KnownDeviation& d : o.contract.known->entries) reached.push_back(d.reached);
    leave_for_parent(*parent_folder, shrunk_by_run, reached);
  }
  return rep;
}

}  // namespace

int cmd_conform(Args& args) {
  if (args.help()) {
    std::cout << command_help("conform");
    return 0;
  }
  ConformOptions o;
  if (const std::string problem = read_conform_options(args, o); !problem.empty()) return usage_error(problem);
  if (o.app) return conform_app(o);
  if (o.list_mutants) {
#define MS_X(name, clause, what) \
  if (std::string(#name) != "none") std::printf("%-22s %-14s %s\n", #name, clause, what);
    MS_MUTANTS(MS_X)
#undef MS_X
    return 0;
  }

  Suite suite;
  if (const int rc = conform_suite(o, suite)) return rc;
  // A report folder that cannot be written is found now, not after the whole suite ran.
  if (o.report_dir && !o.list && !o.mutants)
    if (std::string why = writable_folder(*o.report_dir); !why.empty())
      return usage_error("--report " + *o.report_dir + ": " + why);
  // Probed once, before any scenario: a target that cannot load is one error, not one
  // per scenario; its version chooses the edition.
  if (const int rc = settle_contract(o.target, o.contract_options, o.contract)) return rc;
  print_run_header(o);
  const bool property = o.suite == "property";
  if (property) {  // one run per generated history, each with its own seed
    o.runs = 1;
    o.seed.reset();
  }
  if (o.list) return list_suite(suite, o);
  if (o.mutants) return run_mutants(suite, o);

  ShrunkFiles shrunk_by_run;
  const json rep =
      o.jobs > 1 ? run_jobs(o, args.words(), shrunk_by_run).value_or(json()) : run_here(suite, o, shrunk_by_run);
  if (rep.is_null()) return 3;  // a job wrote no report (said on stderr)
  print_unseen_known(o);
  print_scenario_lines(rep, shrunk_by_run);
  if (o.report_dir) write_reports(rep, *o.report_dir);
  print_summary(rep);
  return rep["summary"]["exit_code"].get<int>();
}


namespace {

// Prints each of the first `shown` lines of a trace's JSON form after its index, a slice at
// a time: a printf per event cost more than the run of a long scenario.
class TraceLinePrinter {
 public:
  explicit TraceLinePrinter(std::size_t shown) : shown_(shown) { out_.reserve(kSlice + 4096); }
  void line(std::size_t index, std::string_view text) {
    ++seen_;
    if (index >= shown_) return;
    char number[24];
    char* p = std::to_chars(number, number + sizeof number, index).ptr;
    *p++ = ' ';
    out_.append(number, p);
    out_.append(text);
    if (out_.size() >= kSlice) flush();
  }
  void flush() {
    std::fwrite(out_.data(), 1, out_.size(), stdout);
    out_.clear();
  }
  std::size_t lines_seen() const { return seen_; }

 private:
  static constexpr std::size_t kSlice = 1 << 16;
  std::size_t shown_;
  std::size_t seen_ = 0;
  std::string out_;
};

}  // namespace

int cmd_replay(Args& args) {
  if (args.help()) {
    std::cout << command_help("replay");
    return 0;
  }
  ReplayOptions options;
  if (const std::string problem = read_replay_options(args, options); !problem.empty()) return usage_error(problem);
  const TargetSpec& target = options.run.target;
  RunOptions ro;
  Contract contract;
  if (const int rc = settle_run_options(options.run, ro, contract)) return rc;
  const std::optional<long> stop = options.stop_at_event;
  const std::vector<std::string> files = {options.file};
  Scenario sc;
  ScenarioError se;
  if (!load_scenario(files[0], sc, se)) {
    std::fprintf(stderr, "multisock: %s\n", se.to_string().c_str());
    return 2;
  }
  // The run's seed, as every target's run takes it.
  std::printf("# seed %llu target %s scenario %s\n",
              static_cast<unsigned long long>(ro.seed.value_or(sc.seed)), target.text.c_str(), files[0].c_str());
  std::fflush(stdout);  // a library's run forks: a child that ends with exit() prints no copy
  TraceLinePrinter printer(stop ? (*stop < 0 ? 0 : static_cast<std::size_t>(*stop) + 1) : SIZE_MAX);
  ro.trace_lines = [&printer](std::size_t index, std::string_view line) { printer.line(index, line); };
  ro.second_thread = true;  // one run, shown as soon as may be
  ScenarioRun r = run_scenario(sc, target, ro);
  // A run that ended before its trace was judged (a harness error) showed no line yet.
  if (printer.lines_seen() == 0 && !r.trace.events.empty()) r.trace.hash(ro.trace_lines);
  printer.flush();
  for (auto& v : r.violations)
    if (!stop || static_cast<long>(v.event_index) <= *stop)
      std::printf("# violation %s at event %zu (t=%lld ns): %s%s%s\n", v.clause.c_str(),
                  v.event_index, static_cast<long long>(v.time_ns), v.message.c_str(),
                  v.known.empty() ? "" : "  [known: ", v.known.empty() ? "" : (v.known + "]").c_str());
  std::printf("# outcome %s%s%s  trace %s\n", to_string(r.outcome),
              r.message.empty() ? "" : ": ", r.message.c_str(), r.trace_hash.c_str());
  switch (r.outcome) {
    case Outcome::pass: return 0;
    case Outcome::nondeterministic: return 4;
    case Outcome::error: return 3;
    default: return 1;
  }
}

}  // namespace ms::cli

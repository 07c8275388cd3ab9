// conform.cpp: `multisock conform` and `multisock replay`.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "cli/commands.hpp"
#include "cli/contract.hpp"
#include "cli/suite.hpp"
#include "conformance/clauses.hpp"
#include "conformance/runner.hpp"
#include "conformance/thirdparty.hpp"
#include "multisock/engine.hpp"
#include "reports/reports.hpp"
#ifdef MS_HAVE_PROPERTY
#include "property/cli_suite.hpp"
#endif

namespace fs = std::filesystem;
using ms::reports::json;
using namespace ms::conf;

namespace ms::cli {
namespace {

const char* kConformHelp = R"(usage: multisock conform [options]

Runs a suite of scenarios against a target and grades every clause of the profile.

  --target T       (required) engine-sim, engine-sim:mutant=NAME, engine-real,
                   lib:PATH[:prefix_]  (e.g. lib:/usr/lib/x86_64-linux-gnu/libcurl.so.4)
  --suite S        scripted (default: every scenario in conformance/scenarios that is not a
                   canary), canary (the scenarios that must fail), property (--runs generated
                   histories from --seed, shrunk to FAILURES/property-SEED.scn when they
                   fail), or a scenario file or folder
  --edition E      the edition of the documents to judge by: 7.16, 7.88, 8 (default: the
                   one of the version the target reports; conformance/EDITIONS.md)
  --known FILE     known deviations of the target (conformance/known/*.known): the
                   violations an entry covers are reported `known`, not `fail`
  --profile P      older spelling: documented (the default edition), libcurl-7.88
                   (--edition 7.88 --known conformance/known/libcurl-7.88.known),
                   legacy-7.16 (--edition 7.16)
  --repeat N       run every scenario N times with the same seed; scenarios whose verdicts
                   disagree are `flaky` (real-time targets)
  --seed N         run every scenario with seed N instead of its own
  --runs N         run every scenario N times, with seeds seed, seed+1, ...
  --policy NAME    replace every scenario's driver policy with a preset (its abort-cb,
                   no-recover and mutant lines stay; clause lists are not required to be
                   exercised under the preset): faithful, mask-zero,
                   spurious, err, timeouts, stale, legacy, chaos)
  --report DIR     write DIR/report.json, DIR/junit.xml and DIR/report.html
  --strict         SHOULD clauses that are not met fail the run too
  --shard I/N      run only the I-th of N shares of the scenarios (0 <= I < N)
  --determinism    run every virtual-time scenario twice and compare the traces
  --failures DIR   FAILURES: where failing simulated runs and property histories are
                   written, shrunk, as scenario files (default: failures; the first 5
                   are shrunk, see multisock shrink)
  --no-shrink      do not shrink; a seed sweep writes nothing, a property history is
                   written as generated (it is its only reproduction)
  --mutants        run the suite against every compiled-in mutant and print the kill matrix
  --list           print what would run, run nothing
  --list-mutants   print the mutants and the clause each one breaks

exit codes: 0 pass, 1 contract violation, 2 usage or scenario-file error,
            3 harness error, 4 nondeterminism
)";

std::string scenarios_dir() {
  if (const char* env = std::getenv("MULTISOCK_SCENARIOS")) return env;
  return MS_SOURCE_DIR "/conformance/scenarios";
}

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

namespace {

std::string relative(const std::string& path) {
  std::error_code ec;
  auto rel = fs::relative(path, fs::current_path(), ec);
  if (ec || rel.empty() || rel.string().rfind("..", 0) == 0) return path;
  return rel.string();
}

std::string repro(const ScenarioRun& r, const TargetSpec& t, const Contract& c) {
  std::string known;
  if (c.known) known = " --known " + relative(c.known->file);
  return "multisock replay " + relative(r.file) + " --target " + t.text + " --seed " +
         std::to_string(r.seed) + " --edition " + to_string(c.edition) + known;
}

json event_json(const Event& e) {
  Trace t;
  t.events = {e};
  std::string line = t.to_jsonl();
  while (!line.empty() && line.back() == '\n') line.pop_back();
  return json::parse(line);
}

struct Totals {
  std::map<std::string, std::size_t> exercised, violations;
};

int exit_code_for(const std::vector<ScenarioRun>& runs, const json& clauses, bool strict) {
  bool nondet = false, harness = false, violated = false;
  for (auto& r : runs) {
    if (r.outcome == Outcome::nondeterministic) nondet = true;
    if (r.outcome == Outcome::error) harness = true;
    if (r.outcome == Outcome::fail || r.outcome == Outcome::crash || r.outcome == Outcome::hang) {
      // A run that fails only on SHOULD clauses fails the command only under --strict.
      bool hard = false;
      for (auto& v : r.violations) {
        if (!v.known.empty()) continue;  // a known deviation changes no exit code
        const Clause* c = find_clause(v.clause);
        if (!c || c->severity == Severity::must || strict) hard = true;
      }
      if (r.violations.empty() || hard ||
          (!r.message.empty() && r.message.rfind("expected a violation", 0) == 0))
        violated = true;
    }
  }
  for (auto& c : clauses)
    if (c["status"] == "fail") violated = true;
  if (nondet) return 4;
  if (violated) return 1;
  if (harness) return 3;
  return 0;
}

json build_report(const std::vector<ScenarioRun>& runs, const TargetSpec& target,
                  const Contract& contract, const std::string& suite, bool strict,
                  const std::vector<std::uint64_t>& seeds, int shard_i, int shard_n,
                  double wall_seconds) {
  json rep;
  rep["schema"] = ms::reports::kSchema;
  rep["tool"] = {{"name", "multisock"}, {"version", "0.1.0"}};
  {
    char buf[32];
    std::time_t now = std::time(nullptr);
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    rep["generated_at"] = buf;
  }
  std::string kind = target.kind == TargetSpec::Kind::lib ? "lib"
                     : target.kind == TargetSpec::Kind::engine_real ? "engine-real"
                                                                    : "engine-sim";
  rep["target"] = {{"name", target.name()},
                   {"kind", kind},
                   {"library", target.library},
                   {"version", contract.target.version_text}};
  rep["profile"] = "documented";
  rep["edition"] = contract.edition_json();
  rep["known"] = contract.known_json();
  rep["suite"] = suite;
  rep["strict"] = strict;
  rep["seeds"] = seeds;
  rep["shard"] = {{"index", shard_i}, {"count", shard_n}};

  Totals totals;
  std::map<std::string, std::string> known_reason;  // clause -> one covering deviation
  std::int64_t virtual_ns = 0;
  std::uint64_t events = 0;
  json scenarios = json::array();
  json violations = json::array();
  for (const ScenarioRun& r : runs) {
    virtual_ns += r.virtual_ns;
    events += r.trace.events.size();
    // A skipped scenario (not applicable to this target) ran nothing: it is reported as
    // skipped, never as passed, and adds nothing to the clause totals.
    for (auto& cr : r.clause_results) {
      if (r.skipped) break;
      totals.exercised[std::string(cr.clause->id)] += cr.exercised;
    }
    for (const Violation& v : r.violations) {
      if (r.skipped) break;
      if (v.known.empty()) totals.violations[v.clause] += 1;
      else known_reason[v.clause] = v.known;
    }
    json clause_ids = json::array();
    for (auto& cr : r.clause_results)
      if (cr.exercised && !r.skipped) clause_ids.push_back(std::string(cr.clause->id));
    // Failed `expect` lines (clause "EXPECT") are no catalogue clause, so the report schema
    // has no violation entry for them: they go into the scenario's message instead.
    std::string message = r.message;
    for (const Violation& v : r.violations) {
      if (find_clause(v.clause)) continue;
      const std::string line = v.clause + " at event " + std::to_string(v.event_index) + ": " +
                               v.message;
      if (message.find(line) == std::string::npos)
        message += (message.empty() ? "" : "; ") + line;
    }
    scenarios.push_back({{"name", r.name},
                         {"file", relative(r.file)},
                         {"seed", r.seed},
                         {"outcome", r.skipped ? "skipped" : to_string(r.outcome)},
                         {"signal", r.signal ? std::to_string(r.signal) : ""},
                         {"message", message},
                         {"trace_hash", r.trace_hash},
                         {"events", r.trace.events.size()},
                         {"virtual_ns", r.virtual_ns},
                         {"clauses", clause_ids},
                         {"repro", repro(r, target, contract)}});
    for (const Violation& v : r.violations) {
      const Clause* c = find_clause(v.clause);
      if (!c || r.skipped) continue;  // an `expect` line (in the message above), or skipped
      json excerpt = json::array(), timeline = json::array();
      const std::size_t n = r.trace.events.size();
      const std::size_t first = v.event_index > 12 ? v.event_index - 12 : 0;
      for (std::size_t i = first; i < n && i <= v.event_index + 3; ++i)
        excerpt.push_back(event_json(r.trace.events[i]));
      const std::size_t tl_first = v.event_index > 300 ? v.event_index - 300 : 0;
      for (std::size_t i = tl_first; i < n && i < tl_first + 400; ++i)
        timeline.push_back(event_json(r.trace.events[i]));
      violations.push_back({{"clause", v.clause},
                            {"scenario", r.name},
                            {"seed", r.seed},
                            {"event_index", v.event_index},
                            {"time_ns", v.time_ns},
                            {"message", v.message},
                            {"quote", std::string(c->quote)},
                            {"repro", repro(r, target, contract)},
                            {"trace_excerpt", excerpt},
                            {"excerpt_first_index", first},
                            {"timeline", timeline},
                            {"timeline_first_index", tl_first}});
    }
  }
  rep["scenarios"] = scenarios;
  rep["violations"] = violations;

  json clauses = json::array();
  for (const Clause& c : all_clauses()) {
    std::string status;
    std::string id(c.id);
    const auto text = clause_in(c, contract.edition);
    if (!text) continue;  // not part of this edition
    const Severity severity = text->severity;
    if (totals.violations[id] > 0) {
      status = severity == Severity::must       ? "fail"
               : severity == Severity::should   ? (strict ? "fail" : "non-strict")
                                                : "informational";
    } else if (known_reason.count(id)) {
      status = "excluded";
    } else if (totals.exercised[id] > 0) {
      status = "pass";
    } else {
      status = "not-exercised";
    }
    json entry = {{"id", id},
                  {"group", to_string(c.group)},
                  {"severity", to_string(severity)},
                  {"statement", std::string(text->statement)},
                  {"source", {{"document", std::string(text->source)}, {"quote", std::string(text->quote)}}},
                  {"status", status},
                  {"exercised", totals.exercised[id]},
                  {"violations", totals.violations[id]}};
    if (status == "excluded") entry["exclusion"] = "known: " + known_reason[id];
    clauses.push_back(entry);
  }
  rep["clauses"] = clauses;
  rep["speed"] = {{"wall_seconds", wall_seconds},
                  {"simulated_seconds", static_cast<double>(virtual_ns) / 1e9},
                  {"histories", runs.size()},
                  {"events", events}};
  rep["summary"] = {{"exit_code", exit_code_for(runs, clauses, strict)}};
  ms::reports::recompute_summary(rep);
  ms::reports::canonicalize(rep);
  return rep;
}

void print_summary(const json& rep) {
  std::printf("\n%-18s %-9s %-14s %9s %10s\n", "clause", "severity", "verdict", "exercised",
              "violations");
  for (auto& c : rep["clauses"]) {
    std::printf("%-18s %-9s %-14s %9zu %10zu%s\n", c["id"].get<std::string>().c_str(),
                c["severity"].get<std::string>().c_str(),
                c["status"].get<std::string>().c_str(), c["exercised"].get<std::size_t>(),
                c["violations"].get<std::size_t>(),
                c.contains("exclusion")
                    ? ("  (excluded: " + c["exclusion"].get<std::string>() + ")").c_str()
                    : "");
  }
  auto& s = rep["summary"];
  std::printf("\nscenarios: %d run, %d failed, %d skipped; clauses: %d pass, %d fail, "
              "%d non-strict, %d informational, %d not exercised, %d excluded\n",
              s.value("scenarios", 0), s.value("scenarios_failed", 0),
              s.value("scenarios_skipped", 0), s.value("pass", 0),
              s.value("fail", 0), s.value("non_strict", 0), s.value("informational", 0),
              s.value("not_exercised", 0), s.value("excluded", 0));
  auto& sp = rep["speed"];
  const double wall = sp["wall_seconds"].get<double>();
  std::printf("speed: %.3f s wall, %.1f simulated s (%.0fx), %.1f histories/s\n", wall,
              sp["simulated_seconds"].get<double>(),
              wall > 0 ? sp["simulated_seconds"].get<double>() / wall : 0.0,
              wall > 0 ? sp["histories"].get<double>() / wall : 0.0);
}

struct ConformOptions {
  TargetSpec target;
  std::string suite = "scripted";
  ContractOptions contract_options;
  Contract contract;
  int repeat = 1;
  std::optional<std::uint64_t> seed;
  int runs = 1;
  std::optional<std::string> policy;
  std::optional<std::string> report_dir;
  bool strict = false;
  int shard_i = 0, shard_n = 1;
  bool determinism = false;
  bool quiet = false;
  std::string failures_dir = "failures";
  bool shrink = true;
};

// Failing runs of a seed sweep on the simulated target, shrunk and written as scenario
// files (the property suite writes its own). Returns run index -> written path.
std::map<std::size_t, std::string> write_shrunk_failures(const std::vector<LoadedScenario>& suite,
                                                         const std::vector<ScenarioRun>& runs,
                                                         const ConformOptions& o) {
  std::map<std::size_t, std::string> written;
  if (!o.shrink || !o.target.is_virtual()) return written;
  constexpr int kShrinkMax = 5;  // each shrink re-runs the scenario up to 400 times
  int shrunk = 0;
  for (std::size_t i = 0; i < runs.size() && shrunk < kShrinkMax; ++i) {
    const ScenarioRun& r = runs[i];
    const LoadedScenario& l = suite[i / static_cast<std::size_t>(o.runs)];
    if (r.outcome == Outcome::pass || r.outcome == Outcome::error || r.skipped ||
        l.scenario.canary)
      continue;
    ++shrunk;
    RunOptions ro;
    ro.edition = o.contract.edition;
    ro.describe(o.contract.target.identity);  // expectations by version
    ro.seed = r.seed;
    ro.policy = o.policy;
    std::string error;
    const std::string name = r.name + "-seed" + std::to_string(r.seed) +
                             (o.policy ? "-" + *o.policy : "");
    const std::string origin = fs::path(l.path).filename().string() + " with seed " +
                               std::to_string(r.seed) +
                               (o.policy ? " under policy " + *o.policy : "");
    const std::string path =
        shrink_and_write(l.scenario, o.target, ro, o.failures_dir, name, origin, 400, error);
    if (path.empty())
      std::fprintf(stderr, "multisock: %s: %s\n", r.name.c_str(), error.c_str());
    else
      written[i] = path;
  }
  return written;
}

// Runs the loaded scenarios; returns the runs in order.
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

std::vector<ScenarioRun> run_all(const std::vector<LoadedScenario>& suite, ConformOptions& o,
                                 std::vector<std::uint64_t>& seeds, bool show_progress) {
  Progress progress(show_progress);
  std::vector<ScenarioRun> runs;
  std::size_t index = 0;
  const std::size_t total = suite.size() * static_cast<std::size_t>(o.runs);
  for (const LoadedScenario& l : suite) {
    for (int k = 0; k < o.runs; ++k) {
      ++index;
      RunOptions ro;
      ro.edition = o.contract.edition;
    ro.describe(o.contract.target.identity);  // expectations by version
      const std::uint64_t base = o.seed.value_or(l.scenario.seed);
      ro.seed = base + static_cast<std::uint64_t>(k);
      ro.policy = o.policy;
      ro.check_determinism = o.determinism;
      progress.step(index, total, fs::path(l.path).stem().string(), *ro.seed);
      seeds.push_back(*ro.seed);
      for (int rep = 0; rep < o.repeat; ++rep) {
        runs.push_back(run_scenario(l.scenario, o.target, ro));
        if (o.contract.known) o.contract.known->cover(runs.back().name, runs.back().violations);
      }
    }
  }
  progress.done();
  std::sort(seeds.begin(), seeds.end());
  seeds.erase(std::unique(seeds.begin(), seeds.end()), seeds.end());
  return runs;
}

// The first scenario that fails against the mutant (empty: the mutant survived).
std::string first_killer(const std::vector<LoadedScenario>& suite, ConformOptions o,
                         const std::string& mutant) {
  o.target.kind = TargetSpec::Kind::engine_sim;
  o.target.mutant = mutant;
  o.target.text = "engine-sim:mutant=" + mutant;
  std::vector<std::uint64_t> seeds;
  for (const ScenarioRun& r : run_all(suite, o, seeds, false))
    if (r.outcome != Outcome::pass)
      return r.name + (r.violations.empty() ? "" : " (" + r.violations[0].clause + ")");
  return "";
}

int run_mutants(const std::vector<LoadedScenario>& suite, const ConformOptions& o) {
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

}  // namespace

int cmd_conform(Args& args) {
  if (args.help()) {
    std::cout << kConformHelp;
    return 0;
  }
  ConformOptions o;
  std::string error;
  const auto target_text = args.value("--target");
  const bool list_mutants_only = args.flag("--list-mutants");
  const bool mutants_run = args.flag("--mutants");
  if (!target_text && !list_mutants_only && !mutants_run)
    return usage_error("conform needs --target (engine-sim, engine-sim:mutant=NAME, engine-real, "
                       "lib:PATH[:prefix_])");
  if (!parse_target(target_text.value_or("engine-sim"), o.target, error)) return usage_error(error);
  o.suite = args.value("--suite").value_or("scripted");
  if (const int rc = read_contract_options(args, o.contract_options)) return rc;
  auto parse_u64 = [&](const std::string& s, std::uint64_t& out) {
    char* end = nullptr;
    errno = 0;
    out = std::strtoull(s.c_str(), &end, 10);
    return !s.empty() && *end == 0 && errno == 0 && s[0] != '-';
  };
  if (auto s = args.value("--seed")) {
    std::uint64_t v;
    if (!parse_u64(*s, v)) return usage_error("--seed needs a non-negative integer, not '" + *s + "'");
    o.seed = v;
  }
  if (auto s = args.value("--runs")) {
    std::uint64_t v;
    if (!parse_u64(*s, v) || v == 0 || v > 1000000)
      return usage_error("--runs needs an integer in [1, 1000000], not '" + *s + "'");
    o.runs = static_cast<int>(v);
  }
  if (auto s = args.value("--policy")) {
    Policy p;
    if (!Policy::preset(*s, p)) return usage_error("unknown policy preset '" + *s + "'");
    o.policy = *s;
  }
  if (auto s = args.value("--repeat")) {
    std::uint64_t v;
    if (!parse_u64(*s, v) || v == 0 || v > 1000)
      return usage_error("--repeat needs an integer in [1, 1000], not '" + *s + "'");
    o.repeat = static_cast<int>(v);
  }
  o.report_dir = args.value("--report");
  o.strict = args.flag("--strict");
  o.determinism = args.flag("--determinism");
  if (auto d = args.value("--failures")) o.failures_dir = *d;
  o.shrink = !args.flag("--no-shrink");
  const bool list = args.flag("--list");
  const bool mutants = mutants_run;
  const bool list_mutants = list_mutants_only;
  if (auto s = args.value("--shard")) {
    std::uint64_t i = 0, n = 0;
    const auto slash = s->find('/');
    if (slash == std::string::npos || !parse_u64(s->substr(0, slash), i) ||
        !parse_u64(s->substr(slash + 1), n) || n == 0 || i >= n || n > 100000)
      return usage_error("--shard needs I/N with 0 <= I < N, not '" + *s + "'");
    o.shard_i = static_cast<int>(i);
    o.shard_n = static_cast<int>(n);
  }
  if (!args.finish()) return 2;

  if (list_mutants) {
#define MS_X(name, clause, what) \
  if (std::string(#name) != "none") std::printf("%-22s %-14s %s\n", #name, clause, what);
    MS_MUTANTS(MS_X)
#undef MS_X
    return 0;
  }

  std::vector<LoadedScenario> suite;
  const bool property = o.suite == "property";
#ifdef MS_HAVE_PROPERTY
  if (property) {
    property_suite(o.seed.value_or(1), o.runs, o.target, o.failures_dir, suite);
  } else
#endif
  if (!load_suite(o.suite, suite, error)) {
    std::fprintf(stderr, "multisock: %s\n", error.c_str());
    return 2;
  }
  if (o.shard_n > 1) {
    std::vector<LoadedScenario> mine;
    for (std::size_t i = 0; i < suite.size(); ++i)
      if (static_cast<int>(i % static_cast<std::size_t>(o.shard_n)) == o.shard_i)
        mine.push_back(std::move(suite[i]));
    suite = std::move(mine);
  }

  // Probed once, before any scenario: a target that cannot load is one error, not one
  // per scenario; its version chooses the edition.
  if (const int rc = settle_contract(o.target, o.contract_options, o.contract)) return rc;
  // The seed comes first, so any log of a run starts with what reproduces it.
  std::printf("seed %s  target %s (%s)  suite %s  edition %s%s%s  shard %d/%d\n",
              o.seed ? std::to_string(*o.seed).c_str() : "per-scenario", o.target.text.c_str(),
              o.contract.target.identity.label().c_str(), o.suite.c_str(),
              to_string(o.contract.edition), o.contract.known ? "  known " : "",
              o.contract.known ? relative(o.contract.known->file).c_str() : "",
              o.shard_i, o.shard_n);
  if (property) {  // one run per generated history, each with its own seed
    o.runs = 1;
    o.seed.reset();
  }

  if (list) {
    for (auto& l : suite)
      std::printf("%s  seed %llu%s\n", relative(l.path).c_str(),
                  static_cast<unsigned long long>(o.seed.value_or(l.scenario.seed)),
                  l.scenario.canary ? "  (canary: must fail)" : "");
    if (o.contract.known)
      for (const KnownDeviation& d : o.contract.known->entries)
        std::printf("known %s:%zu: %s (%s)\n", relative(o.contract.known->file).c_str(), d.line,
                    d.clause.c_str(), d.reason.c_str());
    return 0;
  }
  if (mutants) return run_mutants(suite, o);

  const bool progress = true;
  const auto wall_start = std::chrono::steady_clock::now();
  std::vector<std::uint64_t> seeds;
  std::vector<ScenarioRun> runs = run_all(suite, o, seeds, progress);
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
#ifdef MS_HAVE_PROPERTY
  if (property) property_finish(runs, o.target, o.contract.edition, o.shrink);
#endif

  const std::map<std::size_t, std::string> shrunk =
      property ? std::map<std::size_t, std::string>{} : write_shrunk_failures(suite, runs, o);
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const ScenarioRun& r = runs[i];
    if (r.skipped) {  // not applicable to this target: the message says why
      const std::string why =
          r.message.rfind("skipped: ", 0) == 0 ? r.message.substr(9) : r.message;
      std::printf("skip   %s (seed %llu): %s\n", r.name.c_str(),
                  static_cast<unsigned long long>(r.seed), why.c_str());
      continue;
    }
    if (r.outcome == Outcome::pass) continue;
    std::printf("%-6s %s (seed %llu): %s\n       reproduce: %s\n", to_string(r.outcome),
                r.name.c_str(), static_cast<unsigned long long>(r.seed), r.message.c_str(),
                repro(r, o.target, o.contract).c_str());
    if (auto it = shrunk.find(i); it != shrunk.end())
      std::printf("       shrunk:    multisock replay %s\n", it->second.c_str());
  }
  if (o.contract.known)
    for (const KnownDeviation& d : o.contract.known->entries)
      if (d.matched == 0)
        std::printf("unseen %s:%zu: known deviation %s was not seen in this run (fixed?)\n",
                    relative(o.contract.known->file).c_str(), d.line, d.clause.c_str());
  json rep = build_report(runs, o.target, o.contract, o.suite, o.strict, seeds, o.shard_i,
                          o.shard_n, wall);
  print_summary(rep);
  if (o.report_dir) {
    const fs::path dir = *o.report_dir;
    ms::reports::write_json(rep, dir / "report.json");
    ms::reports::write_junit(rep, dir / "junit.xml");
    ms::reports::write_html({rep}, dir / "report.html");
    std::printf("reports: %s/report.json, junit.xml, report.html\n", dir.c_str());
  }
  return rep["summary"]["exit_code"].get<int>();
}

int read_run_options(Args& args, TargetSpec& target, RunOptions& ro, Contract* settled) {
  std::string error;
  if (!parse_target(args.value("--target").value_or("engine-sim"), target, error))
    return usage_error(error);
  ContractOptions co;
  if (const int rc = read_contract_options(args, co)) return rc;
  Contract contract;
  if (const int rc = settle_contract(target, co, contract)) return rc;
  ro.edition = contract.edition;
  ro.describe(contract.target.identity);  // expectations by version
  if (settled) *settled = std::move(contract);
  if (auto s = args.value("--seed")) {
    char* end = nullptr;
    errno = 0;
    ro.seed = std::strtoull(s->c_str(), &end, 10);
    if (s->empty() || *end || (*s)[0] == '-' || errno == ERANGE)
      return usage_error("--seed needs a non-negative integer, not '" + *s + "'");
  }
  if (auto s = args.value("--policy")) {
    Policy p;
    if (!Policy::preset(*s, p)) return usage_error("unknown policy preset '" + *s + "'");
    ro.policy = *s;
  }
  return 0;
}

int cmd_replay(Args& args) {
  if (args.help()) {
    std::cout << "usage: multisock replay FILE [--target T] [--seed N] [--edition E] [--known F]\n"
                 "                        [--stop-at-event N] [--policy NAME]\n"
                 "Re-runs one scenario and prints its trace as JSON lines, then the\n"
                 "violations. --stop-at-event N prints events 0..N only (stepping back is\n"
                 "replaying to N-1).\n";
    return 0;
  }
  TargetSpec target;
  RunOptions ro;
  Contract contract;
  if (const int rc = read_run_options(args, target, ro, &contract)) return rc;
  std::optional<long> stop;
  if (auto s = args.value("--stop-at-event")) {
    char* end = nullptr;
    const long v = std::strtol(s->c_str(), &end, 10);
    if (s->empty() || *end || v < 0) return usage_error("--stop-at-event needs an integer >= 0");
    stop = v;
  }
  auto files = args.positionals();
  if (!args.finish()) return 2;
  if (files.size() != 1) return usage_error("replay takes one scenario file");
  Scenario sc;
  ScenarioError se;
  if (!load_scenario(files[0], sc, se)) {
    std::fprintf(stderr, "multisock: %s\n", se.to_string().c_str());
    return 2;
  }
  ScenarioRun r = run_scenario(sc, target, ro);
  if (contract.known) contract.known->cover(r.name, r.violations);
  std::printf("# seed %llu target %s scenario %s\n", static_cast<unsigned long long>(r.seed),
              target.text.c_str(), files[0].c_str());
  const auto& ev = r.trace.events;
  for (std::size_t i = 0; i < ev.size(); ++i) {
    if (stop && static_cast<long>(i) > *stop) break;
    Trace one;
    one.events = {ev[i]};
    std::printf("%zu %s", i, one.to_jsonl().c_str());
  }
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

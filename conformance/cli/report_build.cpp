// SPDX-License-Identifier: MIT
// report_build.cpp: `multisock conform`'s report (schema multisock-report/2) and console
// summary, both made from the verdicts (conformance/verdict.hpp) and nothing else.
#include "cli/report_build.hpp"

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <set>

#include "cli/data_dir.hpp"
#include "conformance/clauses.hpp"
#include "conformance/verdict.hpp"
#include "conformance/version.hpp"
#include "reports/words.hpp"

namespace fs = std::filesystem;
using ms::reports::json;
using namespace ms::conf;

namespace ms::cli {

std::string scenarios_dir() {
  return data_dir("MULTISOCK_SCENARIOS", "scenarios", MS_SOURCE_DIR "/conformance/scenarios");
}

std::string scenario_root(const std::string& suite) {
  if (suite == "scripted" || suite == "canary") return scenarios_dir();
  std::error_code ec;
  if (fs::is_directory(suite, ec)) return suite;
  if (fs::is_regular_file(suite, ec)) return fs::path(suite).parent_path().string();
  return "";
}

std::string relative(const std::string& path) {
  std::error_code ec;
  auto rel = fs::relative(path, fs::current_path(), ec);
  if (ec || rel.empty() || rel.string().rfind("..", 0) == 0) return path;
  return rel.string();
}

std::string repro(const ScenarioRun& r, const TargetSpec& t, Edition edition,
                  const std::string& known_file) {
  // A generated history's file is written only when it failed in this run (a file of that
  // name another run left is not this history's); any other is remade from its seed by the
  // property suite itself.
  std::error_code ec;
  const bool written = r.outcome != Outcome::pass && !r.skipped && fs::exists(r.file, ec);
  if (r.name.rfind("property-", 0) == 0 && !written)
    return "multisock conform --suite property --runs 1 --seed " + std::to_string(r.seed) +
           " --target " + t.text + " --edition " + to_string(edition) +
           (known_file.empty() ? "" : " --known " + relative(known_file));
  return "multisock replay " + relative(r.file) + " --target " + t.text + " --seed " +
         std::to_string(r.seed) + " --edition " + to_string(edition) +
         (known_file.empty() ? "" : " --known " + relative(known_file));
}

namespace {

// The file below the scenario root, so reports made from different folders compare.
std::string file_in_root(const std::string& file, const std::string& root) {
  if (root.empty()) return fs::path(file).filename().string();
  std::error_code ec;
  const fs::path a = fs::weakly_canonical(file, ec);
  const fs::path b = fs::weakly_canonical(root.empty() ? "." : root, ec);
  const fs::path rel = a.lexically_relative(b);
  if (rel.empty() || rel.string().rfind("..", 0) == 0) return fs::path(file).filename().string();
  return rel.generic_string();
}


json event_json(const Event& e) {
  Trace t;
  t.events = {e};
  std::string line = t.to_jsonl();
  while (!line.empty() && line.back() == '\n') line.pop_back();
  return json::parse(line);
}

std::string utc_now() {
  char buf[32];
  const std::time_t now = std::time(nullptr);
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return buf;
}

// The report's target: "libcurl/7.88.1", and the TLS library after it when the version
// string names one ("libcurl/7.88.1 GnuTLS/3.7.9"), so builds of one release stay apart in
// a diff.
json target_json(const ReportContext& ctx) {
  const TargetSpec& target = ctx.target;
  const std::string kind = target.kind == TargetSpec::Kind::lib           ? "lib"
                           : target.kind == TargetSpec::Kind::engine_real ? "engine-real"
                                                                          : "engine-sim";
  const std::string& version = ctx.version_text;
  std::string name = target.name();
  if (target.kind == TargetSpec::Kind::lib) {
    const std::string label = parse_implementation_version(version).label();
    if (!label.empty()) {
      name = label;
      const auto sp = version.find(' ');
      const std::string second =
          sp == std::string::npos ? "" : version.substr(sp + 1, version.find(' ', sp + 1) - sp - 1);
      if (second.find('/') != std::string::npos) name += " " + second;
    }
  }
  json out = {{"name", name}, {"kind", kind}, {"library", target.library}, {"version", version},
              {"world", target.is_virtual() ? "sim" : "real"}};
  if (!ctx.app.is_null()) {
    out["name"] = ctx.app.value("name", std::string("program")) + " on " + name;
    out["party"] = to_string(ctx.party);
    out["app"] = ctx.app;
  }
  return out;
}

// One scenario's line: the run that stands for its repeats (sv.representative).
json scenario_json(const std::vector<const ScenarioRun*>& group, const ScenarioVerdict& sv,
                   const std::string& root, const std::string& repro_line) {
  const ScenarioRun& r = *group[sv.representative];
  json clause_ids = json::array();
  if (sv.verdict != Verdict::skipped)
    for (auto& cr : r.clause_results)
      if (cr.exercised) clause_ids.push_back(std::string(cr.clause->id));
  json s = {{"name", r.name},
            {"file", file_in_root(r.file, root)},
            {"seed", r.seed},
            {"verdict", to_string(sv.verdict)},
            {"detail", sv.detail},
            {"signal", r.outcome == Outcome::crash && r.signal ? signal_name(r.signal) : ""},
            {"message", r.message},
            {"trace_hash", r.trace_hash},
            {"events", r.event_count()},
            {"virtual_ns", r.virtual_ns},
            {"clauses", clause_ids},
            {"repro", repro_line}};
  if (group.size() > 1) {
    json rep_counts = json::object();
    for (auto& [v, n] : sv.repeats) rep_counts[to_string(v)] = n;
    s["repeats"] = rep_counts;
  }
  return s;
}

// The violations of one run that the contract counts. One timeline per clause and run:
// later violations of the same clause keep their excerpt only, so a run that breaks a
// clause many times stays a small report.
void add_violations(const ScenarioRun& r, const Contract& contract, const std::string& repro_line,
                    json& violations) {
  std::set<std::string> timeline_given;
  for (const Violation& v : r.violations) {
    const ContractClause* k = contract.find(v.clause);
    if (k && !k->in_contract) continue;  // outside the contract: decides nothing
    json excerpt = json::array(), timeline = json::array();
    const std::size_t n = r.trace.events.size();
    const std::size_t first = v.event_index > 12 ? v.event_index - 12 : 0;
    for (std::size_t i = first; i < n && i <= v.event_index + 3; ++i)
      excerpt.push_back(event_json(r.trace.events[i]));
    const std::size_t before = ms::reports::kTimelineMax * 3 / 4;
    const std::size_t tl_first = v.event_index > before ? v.event_index - before : 0;
    if (timeline_given.insert(v.clause).second)
      for (std::size_t i = tl_first; i < n && i < tl_first + ms::reports::kTimelineMax; ++i)
        timeline.push_back(event_json(r.trace.events[i]));
    json j = {{"clause", k ? v.clause : ""},
              {"scenario", r.name},
              {"seed", r.seed},
              {"event_index", v.event_index},
              {"time_ns", v.time_ns},
              {"message", v.message},
              {"quote", k ? k->quote : ""},
              {"repro", repro_line},
              {"known", v.known},
              {"severity", violation_severity(v, contract)},
              {"trace_excerpt", excerpt},
              {"excerpt_first_index", first},
              {"timeline", timeline},
              {"timeline_first_index", tl_first}};
    if (!k) j["expectation"] = v.message;
    violations.push_back(std::move(j));
  }
}

json clauses_json(const Contract& contract, const std::vector<ClauseVerdict>& clause_v) {
  json clauses = json::array();
  for (std::size_t i = 0; i < contract.clauses.size(); ++i) {
    const ContractClause& k = contract.clauses[i];
    const ClauseVerdict& cv = clause_v[i];
    clauses.push_back({{"id", k.id},
                       {"group", k.group},
                       {"severity", k.severity},
                       {"statement", k.statement},
                       {"source", {{"document", k.document}, {"quote", k.quote}}},
                       {"verdict", to_string(cv.verdict)},
                       {"detail", cv.detail},
                       {"exercised", cv.exercised},
                       {"violations", cv.violations},
                       {"known", cv.known}});
  }
  return clauses;
}

}  // namespace

json build_report(const std::vector<ScenarioRun>& input, const FoldedRuns& folded, const ReportContext& ctx) {
  // A crash or hang always carries its ER-NO-CRASH violation.
  std::vector<ScenarioRun> runs = input;
  for (ScenarioRun& r : runs) ensure_crash_violation(r);
  const Contract contract = ms::conf::contract(ctx.edition_id, ctx.strict, ctx.party);
  const auto groups = group_repeats(runs);
  std::vector<ScenarioVerdict> verdicts;
  for (const auto& g : groups) verdicts.push_back(verdict_of_repeats(g, contract));
  const std::vector<ClauseVerdict> clause_v = clause_verdicts(groups, verdicts, contract, &folded);
  const Verdict run_v = run_verdict(verdicts, &folded);
  const int code = exit_code(run_v, nondeterministic(groups, verdicts));

  json rep;
  rep["schema"] = ms::reports::kSchema;
  rep["tool"] = {{"name", "multisock"}, {"version", "0.1.0"}};
  rep["generated_at"] = utc_now();
  rep["target"] = target_json(ctx);
  rep["suite"] = ctx.suite;
  rep["strict"] = ctx.strict;
  rep["seeds"] = ctx.seeds;
  rep["shard"] = {{"index", ctx.shard_i}, {"count", ctx.shard_n}};
  rep["edition"] = ctx.edition;
  rep["known"] = ctx.known;
  rep["verdict"] = to_string(run_v);

  const std::string root = scenario_root(ctx.suite);
  std::int64_t virtual_ns = folded.virtual_ns;
  std::uint64_t events = folded.events;
  for (const ScenarioRun& r : runs) {
    virtual_ns += r.virtual_ns;
    events += r.event_count();
  }
  json scenarios = json::array(), violations = json::array();
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const ScenarioRun& r = *groups[g][verdicts[g].representative];
    const std::string rp =
        ctx.app_repro.empty() ? repro(r, ctx.target, ctx.edition_id, ctx.known_file) : ctx.app_repro;
    scenarios.push_back(scenario_json(groups[g], verdicts[g], root, rp));
    if (verdicts[g].verdict != Verdict::skipped) add_violations(r, contract, rp, violations);
  }
  rep["scenarios"] = std::move(scenarios);
  rep["violations"] = std::move(violations);
  if (folded.scenarios > 0)
    rep["folded"] = {{"scenarios", folded.scenarios},
                     {"runs", folded.runs},
                     {"events", folded.events},
                     {"virtual_ns", folded.virtual_ns},
                     {"trace_digest", ms::reports::digest_hex(folded.trace_digest)}};
  rep["clauses"] = clauses_json(contract, clause_v);
  rep["speed"] = {{"wall_seconds", ctx.wall_seconds},
                  {"simulated_seconds", static_cast<double>(virtual_ns) / 1e9},
                  {"histories", runs.size() + folded.runs},
                  {"events", events}};
  rep["summary"] = {{"exit_code", code}};
  ms::reports::recompute_summary(rep);
  ms::reports::canonicalize(rep);
  return rep;
}

void write_reports(const json& rep, const std::string& dir) {
  ms::reports::write_report_files(rep, dir);
  std::printf("reports: %s/report.json, junit.xml, report.html\n", dir.c_str());
}

void print_scenario_lines(const json& rep,
                          const std::map<std::pair<std::string, std::uint64_t>, std::string>& shrunk) {
  for (const json& s : rep["scenarios"]) {
    const std::string v = s["verdict"];
    if (v == "pass") continue;
    const std::string name = s["name"];
    const auto seed = s["seed"].get<std::uint64_t>();
    std::printf("%-7s %s (seed %llu): %s\n", v.c_str(), name.c_str(),
                static_cast<unsigned long long>(seed), s["detail"].get<std::string>().c_str());
    if (v == "skipped") continue;
    std::printf("        reproduce: %s\n", s["repro"].get<std::string>().c_str());
    if (auto it = shrunk.find({name, seed}); it != shrunk.end())
      std::printf("        shrunk:    multisock replay %s\n", it->second.c_str());
  }
}

namespace {

std::string counts_text(const json& counts) {
  std::string out;
  for (const char* w : ms::reports::kVerdictPrecedence) {
    const long long n = counts.value(w, 0LL);
    if (n == 0) continue;
    out += (out.empty() ? "" : ", ") + std::to_string(n) + " " + w;
  }
  return out.empty() ? "none" : out;
}

}  // namespace

void print_summary(const json& rep) {
  std::printf("\n%-18s %-9s %-8s %9s %10s %6s  %s\n", "clause", "severity", "verdict", "exercised",
              "violations", "known", "detail");
  for (auto& c : rep["clauses"])
    std::printf("%-18s %-9s %-8s %9zu %10zu %6zu  %s\n", c["id"].get<std::string>().c_str(),
                c["severity"].get<std::string>().c_str(), c["verdict"].get<std::string>().c_str(),
                c["exercised"].get<std::size_t>(), c["violations"].get<std::size_t>(),
                c["known"].get<std::size_t>(), c["detail"].get<std::string>().c_str());
  auto& sp = rep["speed"];
  const double wall = sp["wall_seconds"].get<double>();
  std::printf("\nspeed: %.3f s wall, %.1f simulated s (%.0fx), %.1f histories/s\n", wall,
              sp["simulated_seconds"].get<double>(),
              wall > 0 ? sp["simulated_seconds"].get<double>() / wall : 0.0,
              wall > 0 ? sp["histories"].get<double>() / wall : 0.0);
  const json& s = rep["summary"];
  std::printf("verdict: %s (exit %d); scenarios: %s of %lld; clauses: %s of %lld\n",
              rep["verdict"].get<std::string>().c_str(), s["exit_code"].get<int>(),
              counts_text(s["scenarios"]).c_str(), s["scenarios"].value("total", 0LL),
              counts_text(s["clauses"]).c_str(), s["clauses"].value("total", 0LL));
}

}  // namespace ms::cli

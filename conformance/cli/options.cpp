// SPDX-License-Identifier: MIT
// options.cpp: the option readers of the commands (options.hpp), apart from what the
// commands then do.
#include "cli/options.hpp"

#include <algorithm>
#include <climits>
#include <limits>
#include <sstream>

#include "conformance/app_run.hpp"
#include "conformance/clauses.hpp"
#include "multisock/multisock.h"
#include "conformance/driver.hpp"
#include "reports/reports.hpp"
#include "simnet/text.hpp"

using namespace ms::conf;
using ms::reports::printable;

namespace ms::cli {

namespace {

constexpr std::uint64_t kSeedMax = std::numeric_limits<std::uint64_t>::max();

// A seed of the user, or the usage error.
std::string read_seed(Args& args, std::optional<std::uint64_t>& out) {
  if (auto s = args.value("--seed")) {
    std::uint64_t v = 0;
    if (!parse_number(*s, kSeedMax, v)) return "--seed needs an integer in [0, 2^64-1], not " + quoted_word(*s);
    out = v;
  }
  return "";
}

std::string read_policy(Args& args, std::optional<std::string>& out) {
  if (auto s = args.value("--policy")) {
    Policy p;
    if (!Policy::preset(*s, p)) return "unknown policy preset " + quoted_word(*s);
    out = *s;
  }
  return "";
}

std::string read_loop(Args& args, std::optional<std::string>& out) {
  if (auto s = args.value("--loop")) {
    AppLoop loop;
    if (!app_loop_from_string(*s, loop))
      return "--loop needs socket, perform-poll, perform-wait or perform-fdset, not " + quoted_word(*s);
    out = *s;
  }
  return "";
}

// A folder or file named by an option: not empty (an empty path would mean the current
// folder without saying so).
std::string read_path(Args& args, const char* option, std::optional<std::string>& out) {
  out = args.value(option);
  if (out && out->empty()) return std::string(option) + " needs a path, not ''";
  return "";
}

}  // namespace

bool parse_number(std::string_view text, std::uint64_t max, std::uint64_t& out) {
  return ms::sim::read_decimal(text, max, out);  // the one decimal reader (simnet/text.hpp)
}

bool seeds_fit(std::uint64_t seed, std::uint64_t runs) { return runs == 0 || runs - 1 <= kSeedMax - seed; }

namespace {

// The words of conform --app. The contract words (--edition, --strict) and --report apply
// too; the words of a library run (--target, --suite, seeds, policies) do not.
std::string read_app_options(Args& args, const std::string& command, ConformOptions& o) {
  for (const char* word : {"--target", "--suite", "--seed", "--runs", "--peers", "--policy", "--loop", "--repeat",
                           "--shard", "--jobs", "--world", "--hang-after", "--known"})
    if (args.value(word)) return std::string(word) + " does not apply to conform --app";
  for (const char* word : {"--mutants", "--list-mutants", "--determinism", "--list"})
    if (args.flag(word)) return std::string(word) + " does not apply to conform --app";
  AppOptions a;
  a.command = command;
  if (command.find_first_not_of(" \t") == std::string::npos) return "--app needs a command";
  std::vector<std::string> words;
  std::string why;
  if (!ms::conf::split_command(command, words, why)) return "--app: " + why;
  if (std::string e = read_path(args, "--lib", a.library); !e.empty()) return e;
  if (std::string e = read_path(args, "--scenario", a.scenario); !e.empty()) return e;
  if (auto f = args.value("--feed")) {
    if (*f != "args" && *f != "stdin" && (f->rfind("fifo:", 0) != 0 || f->size() == 5 ||
                                          f->find('/') != std::string::npos))
      return "--feed needs args, stdin or fifo:NAME (a name in the program's folder), not " + quoted_word(*f);
    a.feed = *f;
  }
  std::uint64_t v = 0;
  if (auto s = args.value("--tolerance-ms")) {
    if (!parse_number(*s, kToleranceMsMax, v))
      return "--tolerance-ms needs an integer in [0, " + std::to_string(kToleranceMsMax) + "], not " + quoted_word(*s);
    a.tolerance_ms = static_cast<long>(v);
  }
  if (auto s = args.value("--app-timeout")) {
    if (!parse_number(*s, kAppTimeoutMax, v) || v == 0)
      return "--app-timeout needs seconds in [1, " + std::to_string(kAppTimeoutMax) + "], not " + quoted_word(*s);
    a.timeout_s = static_cast<long>(v);
  }
  if (auto s = args.value("--name")) a.name = *s;
  a.keep = args.flag("--keep");
  if (std::string e = read_contract_options(args, o.contract_options); !e.empty()) return e;
  if (std::string e = read_path(args, "--report", o.report_dir); !e.empty()) return e;
  o.strict = args.flag("--strict");
  o.app = std::move(a);
  return "";
}

}  // namespace

std::string read_conform_options(Args& args, ConformOptions& o) {
  if (!args.parse("conform")) return args.problem();
  std::string error;
  const auto target_text = args.value("--target");
  o.list_mutants = args.flag("--list-mutants");
  o.mutants = args.flag("--mutants");
  if (auto app = args.value("--app")) {
    if (std::string e = read_app_options(args, *app, o); !e.empty()) return e;
    return args.problem();
  }
  for (const char* word : {"--lib", "--feed", "--scenario", "--tolerance-ms", "--app-timeout", "--name"})
    if (args.value(word)) return std::string(word) + " is a word of conform --app";
  if (!target_text && !o.list_mutants && !o.mutants)
    return "conform needs --target (engine-sim, engine-sim:mutant=NAME, engine-real, lib:PATH[:prefix_])";
  if (!parse_target(target_text.value_or("engine-sim"), o.target, error)) return printable(error);
  if (auto w = args.value("--world"); w && !apply_world(*w, o.target, error)) return printable(error);
  if (auto h = args.value("--hang-after"); h && !apply_hang_after(*h, o.target, error)) return printable(error);
  o.suite = args.value("--suite").value_or("scripted");
  if (std::string e = read_contract_options(args, o.contract_options); !e.empty()) return e;
  if (std::string e = read_seed(args, o.seed); !e.empty()) return e;
  if (auto s = args.value("--runs")) {
    std::uint64_t v = 0;
    if (!parse_number(*s, kRunsMax, v) || v == 0)
      return "--runs needs an integer in [1, " + std::to_string(kRunsMax) + "], not " + quoted_word(*s);
    o.runs = static_cast<int>(v);
  }
  if (o.seed && !seeds_fit(*o.seed, static_cast<std::uint64_t>(o.runs)))
    return "--seed " + std::to_string(*o.seed) + " with --runs " + std::to_string(o.runs) +
           " would pass seed 2^64-1 (the largest --seed for --runs N is 2^64-N)";
  if (auto p = args.value("--peers")) {
    if (*p != "all" && *p != "http1") return "--peers needs all or http1, not " + quoted_word(*p);
    if (o.suite != "property") return "--peers applies to --suite property";
    o.http2_peers = *p == "all";
  }
  if (std::string e = read_policy(args, o.policy); !e.empty()) return e;
  if (std::string e = read_loop(args, o.loop); !e.empty()) return e;
  if (auto s = args.value("--repeat")) {
    std::uint64_t v = 0;
    if (!parse_number(*s, kRepeatMax, v) || v == 0)
      return "--repeat needs an integer in [1, " + std::to_string(kRepeatMax) + "], not " + quoted_word(*s);
    o.repeat = static_cast<int>(v);
  }
  if (std::string e = read_path(args, "--report", o.report_dir); !e.empty()) return e;
  o.strict = args.flag("--strict");
  o.determinism = args.flag("--determinism");
  std::optional<std::string> failures;
  if (std::string e = read_path(args, "--failures", failures); !e.empty()) return e;
  if (failures) o.failures_dir = *failures;
  o.shrink = !args.flag("--no-shrink");
  o.list = args.flag("--list");
  if (auto s = args.value("--shard")) {
    std::uint64_t i = 0, n = 0;
    const auto slash = s->find('/');
    if (slash == std::string::npos || !parse_number(std::string_view(*s).substr(0, slash), kShardsMax, i) ||
        !parse_number(std::string_view(*s).substr(slash + 1), kShardsMax, n) || n == 0 || i >= n)
      return "--shard needs I/N with 0 <= I < N <= " + std::to_string(kShardsMax) + ", not " + quoted_word(*s);
    o.shard_i = static_cast<int>(i);
    o.shard_n = static_cast<int>(n);
  }
  if (auto s = args.value("--jobs")) {
    std::uint64_t v = 0;
    if (!parse_number(*s, kJobsMax, v) || v == 0)
      return "--jobs needs an integer in [1, " + std::to_string(kJobsMax) + "], not " + quoted_word(*s);
    o.jobs = static_cast<int>(v);
  }
  if (o.jobs > 1) {
    if (!o.target.is_virtual())
      return "--jobs runs simulated targets only: runs on real sockets would share loopback ports and "
             "the machine's time (--world sim, or engine-sim)";
    if (o.list || o.mutants || o.list_mutants) return "--jobs does not apply to --list, --mutants or --list-mutants";
    if (static_cast<std::uint64_t>(o.shard_n) * static_cast<std::uint64_t>(o.jobs) > kShardsMax)
      return "--shard " + std::to_string(o.shard_i) + "/" + std::to_string(o.shard_n) + " with --jobs " +
             std::to_string(o.jobs) + " would make more than " + std::to_string(kShardsMax) + " shards";
  }
  return args.problem();
}

std::string sweep_problem(const std::vector<LoadedScenario>& suite, const ConformOptions& o) {
  if (o.seed) return "";  // checked with the options
  for (const LoadedScenario& l : suite)
    if (!seeds_fit(l.scenario.seed, static_cast<std::uint64_t>(o.runs)))
      return "--runs " + std::to_string(o.runs) + " from the seed of " + quoted_word(l.path) + " (" +
             std::to_string(l.scenario.seed) + ") would pass seed 2^64-1; give --seed";
  return "";
}

// Reads the run words of replay and shrink, whose Apps have them all (apps.cpp run_words).
std::string read_run_words(Args& args, RunWords& out) {
  std::string error;
  if (!parse_target(args.value("--target").value_or("engine-sim"), out.target, error)) return printable(error);
  if (auto w = args.value("--world"); w && !apply_world(*w, out.target, error)) return printable(error);
  if (auto h = args.value("--hang-after"); h && !apply_hang_after(*h, out.target, error)) return printable(error);
  if (std::string e = read_contract_options(args, out.contract); !e.empty()) return e;
  if (std::string e = read_seed(args, out.seed); !e.empty()) return e;
  if (std::string e = read_loop(args, out.loop); !e.empty()) return e;
  return read_policy(args, out.policy);
}

// Not a reader: it probes the target, once the words are known to be right.
int settle_run_options(const RunWords& words, RunOptions& ro, Contract& settled) {
  if (const int rc = settle_contract(words.target, words.contract, settled)) return rc;
  ro = settled.run_options();
  ro.seed = words.seed;
  ro.policy = words.policy;
  ro.loop = words.loop;
  return 0;
}

std::string read_replay_options(Args& args, ReplayOptions& out) {
  if (!args.parse("replay")) return args.problem();
  if (std::string e = read_run_words(args, out.run); !e.empty()) return e;
  if (auto s = args.value("--stop-at-event")) {
    std::uint64_t v = 0;
    if (!parse_number(*s, static_cast<std::uint64_t>(LONG_MAX), v))
      return "--stop-at-event needs an integer in [0, " + std::to_string(LONG_MAX) + "], not " + quoted_word(*s);
    out.stop_at_event = static_cast<long>(v);
  }
  const auto files = args.positionals();
  if (const std::string& p = args.problem(); !p.empty()) return p;
  if (files.size() != 1) return "replay takes one scenario file";
  out.file = files[0];
  return "";
}

std::string read_shrink_options(Args& args, ShrinkOptions& out) {
  if (!args.parse("shrink")) return args.problem();
  if (std::string e = read_run_words(args, out.run); !e.empty()) return e;
  if (!out.run.target.is_virtual())
    return "shrink replays decisions on a simulated target (engine-sim), not " + quoted_word(out.run.target.text);
  if (auto s = args.value("--max-runs")) {
    std::uint64_t v = 0;
    if (!parse_number(*s, kShrinkRunsMax, v) || v == 0)
      return "--max-runs needs an integer in [1, " + std::to_string(kShrinkRunsMax) + "], not " + quoted_word(*s);
    out.max_runs = static_cast<int>(v);
  }
  std::optional<std::string> dir;
  if (std::string e = read_path(args, "--out", dir); !e.empty()) return e;
  if (dir) out.out_dir = *dir;
  if (std::string e = read_path(args, "--fuzz-input", out.fuzz_input); !e.empty()) return e;
  const auto files = args.positionals();
  if (const std::string& p = args.problem(); !p.empty()) return p;
  if (out.fuzz_input ? !files.empty() : files.size() != 1)
    return "shrink takes one scenario file, or --fuzz-input FILE";
  if (!files.empty()) out.file = files[0];
  return "";
}

std::string read_diff_options(Args& args, DiffOptions& out) {
  if (!args.parse("diff")) return args.problem();
  const auto targets = args.values("--target");
  const auto world = args.value("--world");
  out.suite = args.value("--suite").value_or("scripted");
  if (std::string e = read_contract_options(args, out.contract); !e.empty()) return e;
  if (std::string e = read_seed(args, out.seed); !e.empty()) return e;
  if (const std::string& p = args.problem(); !p.empty()) return p;
  if (targets.size() != 2) return "diff needs exactly two --target options";
  std::string error;
  if (!parse_target(targets[0], out.a, error) || !parse_target(targets[1], out.b, error)) return printable(error);
  if (world && (!apply_world(*world, out.a, error) || !apply_world(*world, out.b, error))) return printable(error);
  if (auto h = args.value("--hang-after")) {  // for whichever of the two is a library in the simulated world
    std::string error_b;
    const bool a = apply_hang_after(*h, out.a, error), b = apply_hang_after(*h, out.b, error_b);
    if (!a && !b) return printable(error);
  }
  return "";
}

std::string read_report_options(Args& args, ReportOptions& out) {
  if (!args.parse("report")) return args.problem();
  if (std::string e = read_path(args, "--out", out.out); !e.empty()) return e;
  const auto words = args.positionals();
  if (const std::string& p = args.problem(); !p.empty()) return p;
  if (words.empty()) return "report needs a subcommand: merge, diff, html, matrix";
  out.sub = words[0];
  out.files.assign(words.begin() + 1, words.end());
  const bool some = !out.files.empty();
  if (out.sub == "merge") return out.out && some ? "" : "report merge --out DIR SHARD.json...";
  if (out.sub == "diff") return out.files.size() == 2 && !out.out ? "" : "report diff OLD.json NEW.json";
  if (out.sub == "html") return out.out && some ? "" : "report html --out FILE REPORT.json...";
  if (out.sub == "matrix") return some && !out.out ? "" : "report matrix REPORT.json...";
  return "unknown report subcommand " + quoted_word(out.sub) + " (merge, diff, html, matrix)";
}

std::string read_clauses_options(Args& args, ClausesOptions& out) {
  if (!args.parse("clauses")) return args.problem();
  if (auto e = args.value("--edition")) {
    Edition ed;
    if (!edition_from_string(*e, ed)) return "unknown edition " + quoted_word(*e) + " (7.16, 7.88, 8)";
    out.edition = ed;
  }
  return args.problem();
}

std::string read_explain_options(Args& args, ExplainOptions& out) {
  if (!args.parse("explain")) return args.problem();
  const auto ids = args.positionals();
  if (const std::string& p = args.problem(); !p.empty()) return p;
  if (ids.size() != 1) return "explain takes one clause id";
  if (!find_clause(ids[0])) return "unknown clause " + quoted_word(ids[0]) + " (see: multisock clauses)";
  out.clause_id = ids[0];
  return "";
}

std::string read_fetch_options(Args& args, FetchOptions& out) {
  if (!args.parse("fetch")) return args.problem();
  out.dir = args.value("--output");
  if (out.dir && out.dir->empty()) return "--output needs a path, not ''";
  struct Bounded {
    const char* name;
    std::uint64_t min, max;
    const char* meaning;
    long& value;
  };
  const Bounded bounded[] = {
      {"--timeout-ms", 0, kFetchValueMax, "a whole number of milliseconds from 0 (no limit) to 2147483647",
       out.timeout_ms},
      {"--connect-timeout-ms", 1, kFetchValueMax, "a whole number of milliseconds from 1 to 2147483647",
       out.connect_timeout_ms},
      {"--max-redirs", 0, kFetchValueMax, "a whole number from 0 to 2147483647", out.max_redirs},
      {"--parallel", 1, kFetchParallelMax, "a whole number from 1 to 10000", out.parallel},
  };
  for (const Bounded& b : bounded) {
    if (auto text = args.value(b.name)) {
      std::uint64_t v = 0;
      if (!parse_number(*text, b.max, v) || v < b.min)
        return std::string(b.name) + " needs " + b.meaning + ", not " + quoted_word(*text);
      b.value = static_cast<long>(v);
    }
  }
  out.cacert = args.value("--cacert");
  if (auto http = args.value("--http")) {
    static constexpr std::pair<std::string_view, long> kVersions[] = {
        {"2", MS_HTTP_VERSION_NONE}, {"2-prior-knowledge", MS_HTTP_VERSION_2_PRIOR_KNOWLEDGE}, {"1.1", MS_HTTP_VERSION_1_1}};
    const auto* v = std::find_if(std::begin(kVersions), std::end(kVersions), [&](const auto& e) { return e.first == *http; });
    if (v == std::end(kVersions)) return "--http needs 2, 2-prior-knowledge or 1.1, not " + quoted_word(*http);
    out.http_version = v->second;
  }
  out.quiet = args.flag("--quiet");
  if (auto loop = args.value("--loop")) {
    if (*loop != "socket" && *loop != "perform")
      return "--loop needs socket or perform, not " + quoted_word(*loop);
    out.loop = *loop;
  }
  out.urls = args.positionals();
  if (const std::string& p = args.problem(); !p.empty()) return p;
  if (out.urls.empty()) return "fetch needs at least one URL";
  return "";
}

namespace {

// A comma-separated list of whole numbers from 1 to max, ascending.
bool parse_number_list(const std::string& text, std::uint64_t max, std::vector<int>& out) {
  out.clear();
  std::size_t at = 0;
  while (at <= text.size()) {
    const std::size_t comma = std::min(text.find(',', at), text.size());
    std::uint64_t v = 0;
    if (!parse_number(std::string_view(text).substr(at, comma - at), max, v) || v == 0) return false;
    if (!out.empty() && static_cast<int>(v) <= out.back()) return false;
    out.push_back(static_cast<int>(v));
    at = comma + 1;
  }
  return !out.empty();
}

void quick_sizes(ms::bench::BenchOptions& o) {
  o.rounds = 2;
  o.gets = 200;
  o.bulk_mb = 5;
  o.files = 50;
  o.handles = {100, 1000};
  o.sim_small = 200;
  o.sim_large = 1000;
  o.property_runs = 100;
}

}  // namespace

std::string read_bench_options(Args& args, BenchWords& out) {
  if (!args.parse("bench")) return args.problem();
  ms::bench::BenchOptions& o = out.run;
  if (args.flag("--quick")) quick_sizes(o);
  struct Bounded {
    const char* name;
    std::uint64_t max;
    int& value;
  };
  const Bounded bounded[] = {{"--rounds", 100, o.rounds},   {"--gets", 1000000, o.gets}, {"--slots", 1000, o.slots},
                             {"--bulk-mb", 10000, o.bulk_mb}, {"--files", 10000, o.files}};
  for (const Bounded& b : bounded)
    if (auto text = args.value(b.name)) {
      std::uint64_t v = 0;
      if (!parse_number(*text, b.max, v) || v == 0)
        return std::string(b.name) + " needs a whole number from 1 to " + std::to_string(b.max) + ", not " +
               quoted_word(*text);
      b.value = static_cast<int>(v);
    }
  if (auto text = args.value("--handles"); text && !parse_number_list(*text, 1000000, o.handles))
    return "--handles needs ascending whole numbers from 1 to 1000000, comma-separated, not " + quoted_word(*text);
  if (auto text = args.value("--only")) {
    static const std::vector<std::string> kSections = o.sections;
    o.sections.clear();
    std::istringstream in(*text);
    for (std::string word; std::getline(in, word, ',');) {
      if (std::find(kSections.begin(), kSections.end(), word) == kSections.end())
        return "--only needs sections among keepalive, bulk, fetch, tls, memory, scaling, simulator, not " + quoted_word(word);
      o.sections.push_back(word);
    }
    if (o.sections.empty()) return "--only needs at least one section";
  }
  for (const char* name : {"--lib", "--engine", "--report", "--render"})
    if (auto text = args.value(name); text && text->empty()) return std::string(name) + " needs a path, not ''";
  if (auto lib = args.value("--lib")) o.library_path = *lib;
  if (auto engine = args.value("--engine")) {
    o.engine_path = *engine;
    out.engine_given = true;
  }
  if (auto dir = args.value("--report")) out.report_dir = *dir;
  out.render = args.value("--render");
  out.worker = args.value("--worker");
  if (auto params = args.value("--params")) out.params = *params;
  o.strace = args.flag("--strace");
  o.quiet = args.flag("--quiet");
  return args.problem();
}

std::string read_completion_options(Args& args, std::string& shell) {
  if (!args.parse("completion")) return args.problem();
  const auto words = args.positionals();
  if (const std::string& p = args.problem(); !p.empty()) return p;
  if (words.size() != 1 || words[0] != "bash")
    return "completion takes one shell: bash" + (words.empty() ? std::string() : ", not " + quoted_word(words[0]));
  shell = words[0];
  return "";
}

}  // namespace ms::cli

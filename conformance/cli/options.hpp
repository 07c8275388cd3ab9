// SPDX-License-Identifier: MIT
// options.hpp: what each command reads from its words, apart from what it then does.
//
// A reader takes the command's Args (after the command has answered --help), parses them
// with the command's App (apps.hpp: the one list of its options, from which its help is
// printed too), fills its options and returns "" or the usage error: one line, the user's words quoted with
// control characters escaped; the command prints it (usage_error, exit 2). Readers run
// nothing, read no file and probe no target, so fuzz/cli_args_fuzzer runs them on any
// words. Numbers are decimal digits only (no sign, space, exponent or trailing junk) and
// within the option's range.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bench/run_bench.hpp"
#include "cli/commands.hpp"
#include "cli/contract.hpp"
#include "cli/suite.hpp"
#include "conformance/runner.hpp"

namespace ms::cli {

// A number the user typed: decimal digits only, at most `max`. False for "", "-1", "+1",
// " 1", "1e3", "0x10", "1 " and anything past `max` (99999999999999999999 included).
bool parse_number(std::string_view text, std::uint64_t max, std::uint64_t& out);

// Bounds of the numeric options (each command's help names them).
inline constexpr std::uint64_t kRunsMax = 1000000;       // conform --runs
inline constexpr std::uint64_t kRepeatMax = 1000;        // conform --repeat
inline constexpr std::uint64_t kShardsMax = 100000;      // conform --shard I/N
inline constexpr std::uint64_t kJobsMax = 64;            // conform --jobs
inline constexpr std::uint64_t kShrinkRunsMax = 100000;  // shrink --max-runs
inline constexpr std::uint64_t kFetchValueMax = 0x7fffffff;  // fetch's times and redirects (2^31-1 ms)
inline constexpr std::uint64_t kFetchParallelMax = 10000;  // fetch --parallel

// Whether a sweep of `runs` seeds from `seed` (seed, seed+1, ..., seed+runs-1) stays
// within 2^64-1: past it the seeds would wrap to 0 and repeat runs under other numbers.
bool seeds_fit(std::uint64_t seed, std::uint64_t runs);

// conform --app: a real program's half of the contract (conformance/include/conformance/app_run.hpp).
struct AppOptions {
  std::string command;                 // --app, as typed
  std::optional<std::string> library;  // --lib PATH
  std::string feed = "args";           // --feed args|stdin|fifo:NAME
  std::optional<std::string> scenario; // --scenario FILE (default: the apps folder's fetch.scn)
  long tolerance_ms = 200;             // --tolerance-ms
  long timeout_s = 20;                 // --app-timeout
  std::optional<std::string> name;     // --name
  bool keep = false;                   // --keep: the program's folder and trace stay
};
inline constexpr std::uint64_t kToleranceMsMax = 60000;
inline constexpr std::uint64_t kAppTimeoutMax = 3600;

struct ConformOptions {
  std::optional<AppOptions> app;  // --app: grade a program, not a library
  ms::conf::TargetSpec target;
  std::string suite = "scripted";
  ContractOptions contract_options;
  Contract contract;  // settled later, from the target's probe
  int repeat = 1;
  std::optional<std::uint64_t> seed;
  int runs = 1;
  bool http2_peers = true;  // --peers: the property suite's HTTP/2 peers (http1: none)
  std::optional<std::string> policy;
  std::optional<std::string> loop;  // --loop: the application's loop for every scenario
  std::optional<std::string> report_dir;
  bool strict = false;
  int shard_i = 0, shard_n = 1;
  int jobs = 1;  // --jobs: shards run at once in child processes (cli/conform_jobs.hpp)
  bool determinism = false;
  bool quiet = false;
  std::string failures_dir = "failures";
  bool shrink = true;
  bool list = false;          // --list
  bool mutants = false;       // --mutants
  bool list_mutants = false;  // --list-mutants
};
std::string read_conform_options(Args& args, ConformOptions& out);

// Each scenario's own seed swept `runs` times (conform --runs without --seed) stays within
// 2^64-1: "" or the usage error naming the first scenario whose seeds would wrap.
std::string sweep_problem(const std::vector<LoadedScenario>& suite, const ConformOptions& options);

// The words of the commands that run one scenario (replay, shrink): --target (default
// engine-sim), --world, --edition, --known, --profile, --seed, --policy (a preset), --loop.
struct RunWords {
  ms::conf::TargetSpec target;
  ContractOptions contract;
  std::optional<std::uint64_t> seed;
  std::optional<std::string> policy;
  std::optional<std::string> loop;
};
std::string read_run_words(Args& args, RunWords& out);

// Probes the target, settles the contract into `settled` (settle_contract) and fills `ro`
// from both (Contract::run_options: ro.known points into `settled`, which must outlive the
// runs). Returns 0, or 2 or 3 after printing why.
int settle_run_options(const RunWords& words, ms::conf::RunOptions& ro, Contract& settled);

struct ReplayOptions {
  RunWords run;
  std::optional<long> stop_at_event;
  std::string file;
};
std::string read_replay_options(Args& args, ReplayOptions& out);

struct ShrinkOptions {
  RunWords run;
  int max_runs = 400;
  std::string out_dir = "failures";
  std::optional<std::string> fuzz_input;
  std::string file;  // "" with --fuzz-input
};
std::string read_shrink_options(Args& args, ShrinkOptions& out);

struct DiffOptions {
  ms::conf::TargetSpec a, b;
  std::string suite = "scripted";
  ContractOptions contract;
  std::optional<std::uint64_t> seed;
};
std::string read_diff_options(Args& args, DiffOptions& out);

struct ReportOptions {
  std::string sub;  // merge, diff, html, matrix
  std::vector<std::string> files;
  std::optional<std::string> out;
};
std::string read_report_options(Args& args, ReportOptions& out);

struct ClausesOptions {
  std::optional<ms::conf::Edition> edition;
};
std::string read_clauses_options(Args& args, ClausesOptions& out);

struct ExplainOptions {
  std::string clause_id;  // a clause of the catalogue
};
std::string read_explain_options(Args& args, ExplainOptions& out);

struct FetchOptions {
  std::optional<std::string> dir;  // -o, --output
  long timeout_ms = 300000;
  long connect_timeout_ms = 30000;
  long max_redirs = 10;
  long parallel = 0;  // 0: not given (the default depends on the open-file limit)
  std::optional<std::string> cacert;
  long http_version = 0;  // --http: MS_HTTP_VERSION_NONE (2 by ALPN), _2_PRIOR_KNOWLEDGE or _1_1
  bool quiet = false;
  std::string loop = "socket";    // --loop: socket (socket_action over epoll) or perform
  std::vector<std::string> urls;  // at least one
};
std::string read_fetch_options(Args& args, FetchOptions& out);

// `bench`: what to measure (conformance/bench/run_bench.hpp); --quick first sets small sizes,
// which the options given override. The engine's path and this program's are the command's.
struct BenchWords {
  ms::bench::BenchOptions run;
  bool engine_given = false;
  std::string report_dir = "bench";
  std::optional<std::string> render;  // a bench.json to render again
  std::optional<std::string> worker;  // internal: one measurement, with its --params
  std::string params = "{}";
};
std::string read_bench_options(Args& args, BenchWords& out);

// `completion SHELL`: the shell (only bash).
std::string read_completion_options(Args& args, std::string& shell);

}  // namespace ms::cli

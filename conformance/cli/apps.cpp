// SPDX-License-Identifier: MIT
// apps.cpp: the App of each command (apps.hpp) and what is printed from it.
//
// Options are added without a variable: Args (args.cpp) reads their raw words and the
// readers check them. Every single-valued option keeps its last value when given twice
// (as it always did); `diff --target` keeps them all. The help is laid out here rather than
// by CLI11's formatter so that it reads like the rest of the tool's output.
#include "cli/apps.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <set>
#include <sstream>

namespace ms::cli {

namespace {

constexpr const char* kExitCodes =
    "exit codes: 0 pass, 1 contract violation, 2 usage or scenario-file error,\n"
    "            3 harness error, 4 nondeterminism\n";

// A command as the help shows it: the synopsis after "usage: multisock ", what it does
// (before the options) and what follows them.
struct CommandText {
  const char* name;
  const char* summary;
  const char* synopsis;
  const char* description;
  const char* footer;
};

const CommandText kCommands[] = {
    {"conform", "run a suite of scenarios against a target and grade it clause by clause",
     "conform --target T [options]",
     "Runs a suite of scenarios against a target and grades every clause of the edition.",
     kExitCodes},
    {"replay", "re-run one scenario (or a saved failing case) and print its trace", "replay FILE [options]",
     "Re-runs one scenario and prints its trace as JSON lines, then the violations.",
     "exit codes: 0 no violation, 1 contract violation, 2 usage or scenario-file error,\n"
     "            3 harness error\n"},
    {"shrink",
     "turn a failing run (scenario and seed, or a fuzzer crash file) into the\n"
     "              smallest scenario file that still fails",
     "shrink SCENARIO [options]\n       multisock shrink --fuzz-input FILE [options]",
     "Runs a scenario (or the scenario an engine_sim fuzzer input stands for) on a simulated\n"
     "target. If it fails, the decisions the run made (world faults, the policy's draws) are\n"
     "recorded and shrunk while the run still fails with the same clause; a fuzzer input's bytes\n"
     "are shrunk first. The result is written as a scenario file with a `choices` line, which\n"
     "`multisock replay FILE` reproduces and which can join conformance/scenarios/ as a\n"
     "regression case.",
     "exit codes: 1 the run failed and the shrunk scenario was written, 0 the run passed\n"
     "            (nothing to shrink), 2 usage or scenario-file error, 3 harness error\n"},
    {"clauses", "list the contract's clauses", "clauses [options]",
     "Lists every clause: id, severity, the editions that state it, statement.", nullptr},
    {"explain", "print one clause with its source text", "explain CLAUSE-ID",
     "Prints the clause and, for each edition of the documents (7.16, 7.88, 8), its severity,\n"
     "statement and the sentence it comes from, saying what changed from the edition before.",
     nullptr},
    {"report", "merge, diff, render (html) or tabulate (matrix) JSON reports", "report SUBCOMMAND FILE... [options]",
     "  report merge --out DIR SHARD.json...   join the reports of shards into DIR/report.json,\n"
     "                                         DIR/junit.xml and DIR/report.html\n"
     "  report diff OLD.json NEW.json          clauses that changed status; exit 1 on a new\n"
     "                                         violation or a clause that regressed\n"
     "  report html --out FILE REPORT.json...  one HTML page for one or more reports\n"
     "  report matrix REPORT.json...           a Markdown table of clauses by target",
     nullptr},
    {"fetch", "download URLs in parallel with the engine over real sockets", "fetch [options] URL...",
     "Downloads the URLs with the engine over real sockets, several at once, and prints one\n"
     "line per transfer on stderr: ok or FAIL, the result, HTTP code, body bytes, time and,\n"
     "after a failure, why.",
     "A transfer succeeds when it completes and the final answer is HTTP 2xx; an answer of 3xx\n"
     "that is not followed (no usable Location), 4xx or 5xx is a failure and its body is not\n"
     "kept. SIGINT, SIGTERM or SIGHUP stop the run: the temporary files of the unfinished\n"
     "transfers are removed and the process ends by that signal.\n"
     "\n"
     "exit codes: 0 every transfer succeeded, 1 some failed, 2 usage error, 3 cannot start\n"},
    {"diff", "run one suite against two targets and compare their traces event by event",
     "diff --target A --target B [options]",
     "Runs the same scenarios, seeds and policies against two targets and compares their\n"
     "normalised traces event by event; prints the first divergence of each scenario. Two\n"
     "simulated targets (engine-sim, a library in --world sim, the default) meet the same\n"
     "world, fault for fault.",
     "exit codes: 0 the traces agree everywhere, 1 some scenario diverges, 2 usage error,\n"
     "            3 harness error\n"},
    {"bench", "measure the engine beside a library with libcurl's names, and the simulator",
     "bench [options]",
     "Measures the engine (the shipped libmultisock-curl.so) and a library with libcurl's names\n"
     "side by side in one run: keep-alive GETs and a bulk download from a private nginx on\n"
     "127.0.0.1, multisock fetch against curl in parallel mode (also over HTTPS, a connection\n"
     "per file, with certificates made for the run), memory per idle handle, the cost of\n"
     "each call with 100 to 100,000 handles; then the simulator's speed. Every real-socket\n"
     "figure comes from a fresh process per implementation, the two in alternating order per\n"
     "round; ratios are medians of the rounds' ratios. Writes DIR/bench.json, bench.md and\n"
     "bench.html (with the call-cost curves) and prints the goals met and missed.",
     "exit codes: 0 measured (whether or not every goal is met), 2 usage error, 3 cannot\n"
     "            measure (no nginx, a library that does not load, a failed transfer)\n"},
    {"completion", "print a shell completion script (bash)", "completion bash",
     "Prints a completion script for the shell: the commands, each command's options, and file\n"
     "names where a value is a file or folder. Installed as\n"
     "share/bash-completion/completions/multisock; by hand: source <(multisock completion bash)",
     nullptr},
};

const CommandText* find_text(std::string_view command) {
  for (const CommandText& c : kCommands)
    if (command == c.name) return &c;
  return nullptr;
}

CLI::Option* value(CLI::App& app, const char* names, const char* type, const char* description) {
  return app.add_option(names, CLI::callback_t{}, description)->type_name(type);
}

CLI::Option* flag(CLI::App& app, const char* name, const char* description) {
  return app.add_flag(name)->description(description);
}

CLI::Option* argument(CLI::App& app, const char* name, const char* description) {
  // expected(-1): any number of words; the reader says how many it takes.
  return app.add_option(name, CLI::callback_t{}, description)->expected(-1)->type_name("");
}

// The options of the commands that judge a target by a contract (contract.hpp).
void contract_options(CLI::App& app) {
  value(app, "--edition", "E",
        "the edition of the documents to judge by: 7.16, 7.88, 8 or auto (default: the\n"
        "one of the version the target reports; conformance/EDITIONS.md)");
  value(app, "--known", "FILE",
        "known deviations of the target (conformance/known/*.known): the\n"
        "violations an entry covers are reported `known`, not `fail`");
  value(app, "--profile", "P",
        "older spelling: documented (the default edition), libcurl-7.88\n"
        "(--edition 7.88 --known conformance/known/libcurl-7.88.known),\n"
        "legacy-7.16 (--edition 7.16)");
}

void world_option(CLI::App& app) {
  value(app, "--world", "W",
        "sim (default): a library reaches the simulated network and the\n"
        "virtual clock through its C library calls, as the engine does\n"
        "(deterministic, every fault of the world); real: real loopback\n"
        "sockets and real time. For the engine: engine-sim or engine-real.");
  value(app, "--hang-after", "SECONDS",
        "a library's run in the simulated world that has not ended after\n"
        "this much wall time is a hang (default 5; 1 to 3600), not counting\n"
        "what it waited for a CPU on a busy machine: more for a library\n"
        "built with sanitizers or run under valgrind");
}

constexpr const char* kPolicies = "faithful, mask-zero, spurious, err, timeouts, stale, legacy, chaos";

void add_conform(CLI::App& app) {
  value(app, "--target", "T",
        "(required) engine-sim, engine-sim:mutant=NAME, engine-real,\n"
        "lib:PATH[:prefix_]  (e.g. lib:/usr/lib/x86_64-linux-gnu/libcurl.so.4)");
  world_option(app);
  value(app, "--suite", "S",
        "scripted (default: every scenario of the scenario library that is not\n"
        "a canary; the library is conformance/scenarios, share/multisock/scenarios\n"
        "when installed, or $MULTISOCK_SCENARIOS), canary (the scenarios that\n"
        "must fail), property (--runs generated histories from --seed, shrunk to\n"
        "FAILURES/property-SEED.scn when they fail), or a scenario file or folder");
  contract_options(app);
  value(app, "--repeat", "N",
        "run every scenario N times with the same seed; scenarios whose verdicts\n"
        "disagree are `flaky` (real-time targets); N from 1 to 1000");
  value(app, "--seed", "N", "run every scenario with seed N (0 to 2^64-1) instead of its own");
  value(app, "--runs", "N",
        "run every scenario N times (1 to 1000000), with seeds seed, seed+1, ...\n"
        "(refused when they would pass 2^64-1)");
  value(app, "--peers", "P",
        "the property suite's peers: all (default), or http1 (no HTTP/2 peers,\n"
        "for a library built without HTTP/2)");
  value(app, "--policy", "NAME",
        "replace every scenario's driver policy with a preset (its abort-cb,\n"
        "no-recover and mutant lines stay; clause lists are not required to be\n"
        "exercised under the preset): faithful, mask-zero,\n"
        "spurious, err, timeouts, stale, legacy, chaos");
  value(app, "--loop", "KIND",
        "drive every scenario with this application loop instead of its own:\n"
        "socket (socket_action and the callbacks), or a classic loop of\n"
        "multi_perform with perform-poll, perform-wait or perform-fdset\n"
        "(clause lists are not required to be exercised; scenarios whose policy\n"
        "acts inside socket or timer callbacks are skipped under a classic loop)");
  value(app, "--report", "DIR", "write DIR/report.json, DIR/junit.xml and DIR/report.html");
  flag(app, "--strict", "SHOULD clauses that are not met fail the run too");
  value(app, "--shard", "I/N", "run only the I-th of N shares of the scenarios (0 <= I < N <= 100000)");
  value(app, "--jobs", "N",
        "run the suite as N shards at once, each in a process of its own (1 to 64;\n"
        "simulated targets only); the report and the output are those of one run");
  flag(app, "--determinism", "run every virtual-time scenario twice and compare the traces");
  value(app, "--failures", "DIR",
        "FAILURES: where failing simulated runs and property histories are\n"
        "written, shrunk, as scenario files (default: failures; the first 5\n"
        "are shrunk, see multisock shrink)");
  flag(app, "--no-shrink",
               "do not shrink; a seed sweep writes nothing, a property history is\n"
               "written as generated (it is its only reproduction)");
  flag(app, "--mutants", "run the suite against every compiled-in mutant and print the kill matrix");
  flag(app, "--list", "print what would run, run nothing");
  flag(app, "--list-mutants", "print the mutants and the clause each one breaks");
  value(app, "--app", "CMD",
        "grade a real program's half of the contract instead of a library's:\n"
        "CMD runs unchanged, recorded (conformance/record), against the peers of\n"
        "--scenario on loopback; {urls} in CMD becomes its URLs, {url} the first;\n"
        "the application clauses (group AP) judge the trace (conformance/apps)");
  value(app, "--lib", "PATH",
        "--app: the curl-style library the program's curl_* calls reach (preloaded\n"
        "after the recorder; default: the one the program links)");
  value(app, "--feed", "HOW",
        "--app: how the program gets its URLs: args (default, {urls}), stdin (one\n"
        "per line), fifo:NAME (one per line into the FIFO the program makes)");
  value(app, "--scenario", "FILE",
        "--app: the scenario whose peers serve and whose transfers are the URLs\n"
        "(default: fetch.scn of the apps folder)");
  value(app, "--tolerance-ms", "N", "--app: how late a timer may be answered (default 200)");
  value(app, "--app-timeout", "S", "--app: stop the program after S seconds (default 20)");
  value(app, "--name", "NAME", "--app: the report's name for the run (default: the program's)");
  flag(app, "--keep", "--app: keep the program's temporary folder (trace.jsonl, stdout, stderr, work/)");
}

// The words of the commands that run one scenario (replay, shrink).
void run_words(CLI::App& app, const char* target) {
  value(app, "--target", "T", target);
  world_option(app);
  contract_options(app);
  value(app, "--seed", "N", "the seed of the run, 0 to 2^64-1 (default: the scenario's)");
  value(app, "--policy", "NAME", "a driver policy preset (conform --policy)");
  value(app, "--loop", "KIND", "the application's loop (conform --loop)");
}

void add_replay(CLI::App& app) {
  argument(app, "FILE", "the scenario file (a saved failing case is one too)");
  run_words(app, "engine-sim (default), engine-sim:mutant=NAME, engine-real, lib:PATH[:prefix_]");
  value(app, "--stop-at-event", "N",
        "print events 0..N only (stepping back is replaying to N-1)");
}

void add_shrink(CLI::App& app) {
  argument(app, "SCENARIO", "the scenario file of the failing run");
  run_words(app, "engine-sim (default) or engine-sim:mutant=NAME: a simulated target");
  value(app, "--out", "DIR", "where to write NAME.scn (default: failures)");
  value(app, "--max-runs", "N", "runs the shrinker may spend, 1 to 100000 (default 400)");
  value(app, "--fuzz-input", "FILE", "an engine_sim fuzzer input (a crash file) instead of SCENARIO");
}

void add_clauses(CLI::App& app) {
  value(app, "--edition", "E", "only the clauses of that edition (7.16, 7.88, 8), in its words");
}

void add_explain(CLI::App& app) { argument(app, "CLAUSE-ID", "a clause id, as multisock clauses lists them"); }

void add_report(CLI::App& app) {
  argument(app, "SUBCOMMAND", "merge, diff, html or matrix, then its report files");
  value(app, "--out", "DIR", "merge: the folder of the joined report; html: the page (a FILE)");
}

void add_fetch(CLI::App& app) {
  argument(app, "URL", "the URLs to download (http:// or https://)");
  value(app, "-o,--output", "DIR",
        "write each body to DIR/<last path segment> (\"index-N\" when the\n"
        "URL has none). Two URLs that would get the same name are a\n"
        "usage error, found before any transfer starts. A body is written\n"
        "to DIR/.<name>.part-<pid>-<N> and renamed to its name only when\n"
        "its transfer succeeded: a name in DIR always holds a whole body.\n"
        "Without -o the bodies go to stdout one after the other, in the\n"
        "order of the URLs, one transfer at a time.");
  value(app, "--parallel", "N",
        "at most N transfers at once, with -o (default: 50, fewer when\n"
        "the open-file limit is low; each needs up to 5 descriptors); 1 to 10000");
  value(app, "--max-redirs", "N",
        "follow at most N redirects per transfer (default: 10; 0: a\n"
        "redirect is a failure); one more is \"Number of redirects hit\n"
        "maximum amount\"");
  value(app, "--timeout-ms", "N",
        "total time limit per transfer, 1 to 2147483647 ms, or 0 for\n"
        "none (default: 300000)");
  value(app, "--connect-timeout-ms", "N",
        "time limit to connect, TLS handshake included, 1 to\n"
        "2147483647 ms (default: 30000)");
  value(app, "--cacert", "FILE", "trust the CA certificates in FILE for https:// (PEM)");
  value(app, "--http", "VERSION",
        "the HTTP version: 2 (default: HTTP/2 when the https:// server\n"
        "chooses it by ALPN, else 1.1; transfers to one server share one\n"
        "connection, and with --parallel above 1 each waits for a connection\n"
        "being made rather than open its own), 2-prior-knowledge (HTTP/2 on\n"
        "http:// too, without asking), or 1.1");
  value(app, "--loop", "KIND",
        "how the transfers are driven: socket (default: socket_action from\n"
        "an epoll loop fed by the socket and timer callbacks) or perform\n"
        "(the classic loop: multi_perform, then multi_poll)");
  flag(app, "--quiet", "no progress line on a terminal");
}

void add_diff(CLI::App& app) {
  value(app, "--target", "T", "a target, as conform --target takes it; given twice (A, then B)")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  world_option(app);
  value(app, "--suite", "S", "scripted (default), canary, or a scenario file or folder");
  // The contract words conform takes, with what they do to a comparison of traces.
  value(app, "--edition", "E", "the edition both runs are made under: 7.16, 7.88 or 8 (default: 8, the\n"
        "newest; auto is the default too)");
  value(app, "--known", "FILE",
        "accepted as conform takes it; a comparison of traces forgives nothing,\n"
        "so it changes no result");
  value(app, "--profile", "P",
        "older spelling of --edition: documented, libcurl-7.88 (7.88) or\n"
        "legacy-7.16 (7.16)");
  value(app, "--seed", "N", "run every scenario with seed N (0 to 2^64-1) instead of its own");
}

void add_bench(CLI::App& app) {
  value(app, "--lib", "PATH",
        "the library to compare with (curl_ names; default: the system's\n"
        "libcurl.so.4)");
  value(app, "--engine", "PATH",
        "the engine's library (default: libmultisock-curl.so of this build,\n"
        "or the installed one)");
  value(app, "--report", "DIR", "where bench.json, bench.md and bench.html go (default: bench)");
  value(app, "--rounds", "N", "paired rounds of each real-socket figure, 1 to 100 (default: 7)");
  value(app, "--gets", "N", "keep-alive GETs per run, 1 to 1000000 (default: 2000)");
  value(app, "--slots", "N", "keep-alive transfers at once, 1 to 1000 (default: 8)");
  value(app, "--bulk-mb", "N", "the bulk download's size in MB, 1 to 10000 (default: 100)");
  value(app, "--files", "N", "files for multisock fetch and curl in parallel mode, 1 to 10000\n"
        "(default: 1000; over HTTPS, a connection each, at most 200)");
  value(app, "--handles", "LIST",
        "numbers of handles for the call costs, ascending, comma-separated,\n"
        "each 1 to 1000000 (default: 100,1000,10000,100000)");
  value(app, "--only", "LIST",
        "the sections to run, comma-separated: keepalive, bulk, fetch,\n"
        "tls, memory, scaling, simulator (default: all)");
  flag(app, "--strace", "count system calls per keep-alive GET (one more run of each under\n"
       "strace -f -c)");
  flag(app, "--quick", "small sizes and 2 rounds: a check that everything runs, not figures");
  flag(app, "--quiet", "no progress lines");
  value(app, "--render", "FILE", "write bench.md and bench.html again from a bench.json, measuring nothing");
  value(app, "--worker", "KIND", "(internal) one measurement in this process: loop, memory, scaling, version");
  value(app, "--params", "JSON", "(internal) the worker's parameters");
}

void add_completion(CLI::App& app) { argument(app, "SHELL", "bash"); }

// The help's left column for an option: "--name TYPE" or "-o, --output DIR".
std::string option_label(const CLI::Option& o) {
  std::string names;
  for (const std::string& s : o.get_snames()) names += (names.empty() ? "-" : ", -") + s;
  for (const std::string& l : o.get_lnames()) names += (names.empty() ? "--" : ", --") + l;
  if (o.get_expected_max() > 0 && !o.get_type_name().empty()) names += " " + o.get_type_name();
  return names;
}

void put_entry(std::ostringstream& out, const std::string& label, const std::string& text) {
  constexpr std::size_t kColumn = 22;
  out << "  " << label;
  if (label.size() + 2 >= kColumn) out << "\n" << std::string(kColumn, ' ');
  else out << std::string(kColumn - 2 - label.size(), ' ');
  for (char c : text) {
    out << c;
    if (c == '\n') out << std::string(kColumn, ' ');
  }
  out << "\n";
}

}  // namespace

const std::vector<CommandSummary>& command_summaries() {
  static const std::vector<CommandSummary> all = [] {
    std::vector<CommandSummary> out;
    for (const CommandText& c : kCommands) out.push_back({c.name, c.summary});
    return out;
  }();
  return all;
}

std::unique_ptr<CLI::App> command_app(std::string_view command) {
  const CommandText* text = find_text(command);
  if (!text) return nullptr;
  auto app = std::make_unique<CLI::App>(text->description, text->name);
  app->set_help_flag("-h,--help", "print this help and exit");
  app->allow_extras();  // words no option takes: Args words the error itself
  app->option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  const std::string_view name = text->name;
  if (name == "conform") add_conform(*app);
  else if (name == "replay") add_replay(*app);
  else if (name == "shrink") add_shrink(*app);
  else if (name == "clauses") add_clauses(*app);
  else if (name == "explain") add_explain(*app);
  else if (name == "report") add_report(*app);
  else if (name == "fetch") add_fetch(*app);
  else if (name == "diff") add_diff(*app);
  else if (name == "bench") add_bench(*app);
  else if (name == "completion") add_completion(*app);
  return app;
}

std::string command_help(std::string_view command) {
  const CommandText* text = find_text(command);
  const auto app = command_app(command);
  if (!text || !app) return "";
  std::ostringstream out;
  out << "usage: multisock " << text->synopsis << "\n\n" << app->get_description() << "\n";
  const auto positionals = app->get_options([](const CLI::Option* o) { return o->get_positional(); });
  if (!positionals.empty()) {
    out << "\narguments:\n";
    for (const CLI::Option* o : positionals) put_entry(out, o->get_name(true), o->get_description());
  }
  out << "\noptions:\n";
  for (const CLI::Option* o : app->get_options([](const CLI::Option* o) { return !o->get_positional(); }))
    put_entry(out, option_label(*o), o->get_description());
  if (text->footer) out << "\n" << text->footer;
  return out.str();
}

std::string top_help() {
  std::ostringstream out;
  out << "usage: multisock <command> [options]\n\ncommands:\n";
  for (const CommandSummary& c : command_summaries()) {
    std::string name = c.name;
    constexpr std::size_t kColumn = 12;  // "completion" and two spaces
    out << "  " << name << std::string(name.size() < kColumn ? kColumn - name.size() : 1, ' ') << c.summary << "\n";
  }
  out << "\n" << kExitCodes
      << "\nenvironment:\n"
         "  MULTISOCK_SCENARIOS  the scenario library of the scripted and canary suites (default:\n"
         "                       ../share/multisock/scenarios from an installed binary's folder when\n"
         "                       it exists, else the source tree's conformance/scenarios)\n"
         "  MULTISOCK_KNOWN      the folder of the known-deviation files --profile reads (default:\n"
         "                       ../share/multisock/known likewise, else conformance/known)\n"
         "'multisock <command> --help' tells more.\n";
  return out.str();
}

std::string bash_completion() {
  // A value or argument named like a path completes file names; other values complete
  // nothing (the help lists their words).
  static const std::set<std::string> kPathTypes = {"FILE", "DIR", "S", "SCENARIO", "URL"};
  std::ostringstream cmds, cases, path_options, value_options;
  std::set<std::string> paths, values;
  for (const CommandSummary& c : command_summaries()) {
    cmds << (cmds.tellp() > 0 ? " " : "") << c.name;
    const auto app = command_app(c.name);
    std::string words;
    bool file_argument = false;
    for (const CLI::Option* o : app->get_options()) {
      if (o->get_positional()) {
        file_argument = file_argument || o->get_name(true) == "FILE" || o->get_name(true) == "SCENARIO";
        continue;
      }
      for (const std::string& l : o->get_lnames()) {
        words += (words.empty() ? "--" : " --") + l;
        if (o->get_expected_max() > 0) (kPathTypes.count(o->get_type_name()) ? paths : values).insert("--" + l);
      }
      for (const std::string& s : o->get_snames()) {
        words += " -" + s;
        if (o->get_expected_max() > 0) (kPathTypes.count(o->get_type_name()) ? paths : values).insert("-" + s);
      }
    }
    cases << "    " << c.name << ") opts='" << words << "'; files=" << (file_argument ? 1 : 0) << " ;;\n";
  }
  for (const std::string& p : paths) path_options << (path_options.tellp() > 0 ? "|" : "") << p;
  for (const std::string& v : values) value_options << (value_options.tellp() > 0 ? "|" : "") << v;
  std::ostringstream out;
  out << "# bash completion of multisock (made by `multisock completion bash`)\n"
         "_multisock() {\n"
         "  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
         "  if (( COMP_CWORD == 1 )); then\n"
         "    COMPREPLY=( $(compgen -W '"
      << cmds.str()
      << " --help --version' -- \"$cur\") )\n"
         "    return\n"
         "  fi\n"
         "  local opts='' files=0\n"
         "  case ${COMP_WORDS[1]} in\n"
      << cases.str()
      << "    *) return ;;\n"
         "  esac\n"
         "  case $prev in\n"
         "    "
      << path_options.str()
      << ")\n"
         "      compopt -o filenames 2>/dev/null\n"
         "      COMPREPLY=( $(compgen -f -- \"$cur\") ); return ;;\n"
         "    "
      << value_options.str()
      << ")\n"
         "      return ;;  # a value: its words are in the command's --help\n"
         "  esac\n"
         "  if [[ $cur == -* || $files == 0 ]]; then\n"
         "    COMPREPLY=( $(compgen -W \"$opts\" -- \"$cur\") )\n"
         "  else\n"
         "    compopt -o filenames 2>/dev/null\n"
         "    COMPREPLY=( $(compgen -f -- \"$cur\") )\n"
         "  fi\n"
         "}\n"
         "complete -F _multisock multisock\n";
  return out.str();
}

}  // namespace ms::cli

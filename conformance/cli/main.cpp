// SPDX-License-Identifier: MIT
// main.cpp: the `multisock` command line.
//
// Subcommands: conform (run a suite against a target and grade it), replay (re-run one
// scenario and print its trace), shrink (a failing run -> the smallest failing
// scenario file), clauses / explain (the catalogue), report (merge, diff,
// html, matrix of JSON reports), fetch, diff, completion; each command's words are
// described once, by its App (apps.hpp). Exit codes are part of the interface:
//   0 pass, 1 contract violation, 2 usage or scenario-file error, 3 harness error,
//   4 nondeterminism.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cli/apps.hpp"
#include "cli/commands.hpp"
#include "cli/huge_pages.hpp"
#include "cli/options.hpp"
#include "conformance/clauses.hpp"
#include "conformance/isolate.hpp"

namespace fs = std::filesystem;
using namespace ms::conf;
using namespace ms::cli;

namespace {


int cmd_clauses(Args& args) {
  if (args.help()) {
    std::cout << command_help("clauses");
    return 0;
  }
  ClausesOptions options;
  if (const std::string problem = read_clauses_options(args, options); !problem.empty()) return usage_error(problem);
  const std::optional<Edition> only = options.edition;
  for (const Clause& c : all_clauses()) {
    if (only && !in_edition(c, *only)) continue;
    std::string editions;
    for (Edition e : kEditions)
      if (in_edition(c, e)) editions += std::string(editions.empty() ? "" : ",") + to_string(e);
    const auto text = clause_in(c, only.value_or(kNewestEdition));
    const Severity sev = text ? text->severity : c.severity;
    const std::string_view stmt = text ? text->statement : c.statement;
    std::printf("%-18s %-8s %-12s %.*s\n", std::string(c.id).c_str(), to_string(sev),
                editions.c_str(), static_cast<int>(stmt.size()), stmt.data());
  }
  return 0;
}

int cmd_explain(Args& args) {
  if (args.help()) {
    std::cout << command_help("explain");
    return 0;
  }
  ExplainOptions options;
  if (const std::string problem = read_explain_options(args, options); !problem.empty()) return usage_error(problem);
  const Clause* c = find_clause(options.clause_id);
  std::cout << c->id << " (group " << to_string(c->group) << ", decided by "
            << (c->decided_by == DecidedBy::trace ? "the trace checker" : "the harness")
            << ")\n";
  std::optional<ClauseText> before;
  for (Edition e : kEditions) {
    const auto text = clause_in(*c, e);
    std::cout << "\nedition " << to_string(e) << " (" << edition_title(e) << "): ";
    if (!text) {
      std::cout << (before ? "no longer stated" : "not stated") << "\n";
      before.reset();
      continue;
    }
    if (before && before->severity == text->severity && before->statement == text->statement &&
        before->source == text->source && before->quote == text->quote) {
      std::cout << "unchanged\n";
      continue;
    }
    std::cout << to_string(text->severity);
    if (before) {
      std::string what;
      if (before->severity != text->severity) what += " severity";
      if (before->statement != text->statement) what += " statement";
      if (before->quote != text->quote) what += " wording";
      else if (before->source != text->source) what += " source";
      std::cout << " (changed:" << what << ")";
    } else {
      std::cout << (e == kEditions[0] ? "" : " (new in this edition)");
    }
    std::cout << "\n  " << text->statement << "\n  source: " << text->source << "\n  \""
              << text->quote << "\"\n";
    before = text;
  }
  return 0;
}

int cmd_completion(Args& args) {
  if (args.help()) {
    std::cout << command_help("completion");
    return 0;
  }
  std::string shell;
  if (const std::string problem = read_completion_options(args, shell); !problem.empty()) return usage_error(problem);
  std::cout << bash_completion();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // A library scenario in the virtual world, run by this program for itself (run_virtual).
  if (argc == 4 && std::string(argv[1]) == ms::conf::kVirtualServerCommand)
    return ms::conf::run_virtual_server(argv[2], argv[3]);
  if (argc > 1) reserve_huge_page_heap(argv[1], argv);  // before any thread
  ms::conf::serve_virtual_world();
  ms::conf::adopt_what_runs_start();  // a process a library starts ends with its run
  std::vector<std::string> words(argv + 1, argv + argc);
  if (words.empty()) {
    std::fprintf(stderr, "multisock: a command is needed\n%s", top_help().c_str());
    return 2;
  }
  if (words[0] == "--help" || words[0] == "-h" || words[0] == "help") {
    std::cout << top_help();
    return 0;
  }
  if (words[0] == "--version") {
    std::cout << "multisock 0.1.0\n";
    return 0;
  }
  const std::string command = words[0];
  Args args(std::vector<std::string>(words.begin() + 1, words.end()));
  try {
    if (command == "conform") return cmd_conform(args);
    if (command == "replay") return cmd_replay(args);
    if (command == "shrink") return cmd_shrink(args);
    if (command == "clauses") return cmd_clauses(args);
    if (command == "explain") return cmd_explain(args);
    if (command == "report") return cmd_report(args);
    if (command == "fetch") return cmd_fetch(args);
    if (command == "diff") return cmd_diff(args);
    if (command == "bench") return cmd_bench(args);
    if (command == "completion") return cmd_completion(args);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "multisock: harness error: %s\n", e.what());
    return 3;
  }
  std::fprintf(stderr, "multisock: unknown command %s\n%s", quoted_word(command).c_str(), top_help().c_str());
  return 2;
}

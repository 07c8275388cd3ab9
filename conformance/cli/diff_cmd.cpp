// SPDX-License-Identifier: MIT
// diff_cmd.cpp: `multisock diff --target A --target B --suite S`: lockstep comparison.
//
// Both targets run the same scenarios with the same seeds and policies; their traces are
// normalised (descriptors named by order of first appearance, socketp and handle ids as
// recorded, network events and notes dropped, timer values bucketed into delete / now /
// later) and compared event by event. The first divergence of each scenario is printed with
// the events on both sides, so it can be sorted into an implementation bug, a finding about
// the other side, or a freedom the contract leaves.
#include <cstdio>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "cli/apps.hpp"
#include "cli/commands.hpp"
#include "cli/contract.hpp"
#include "cli/options.hpp"
#include "cli/suite.hpp"
#include "conformance/runner.hpp"

using namespace ms::conf;

namespace ms::cli {
namespace {


// One normalised event as text; empty for events the comparison ignores.
class Normaliser {
 public:
  std::string line(const Event& e) {
    auto fd_name = [&](int fd) -> std::string {
      if (fd < 0) return "TIMEOUT";
      auto [it, fresh] = fds_.try_emplace(fd, static_cast<int>(fds_.size()) + 1);
      (void)fresh;
      return "s" + std::to_string(it->second);
    };
    auto bucket = [](long ms) -> std::string {
      return ms < 0 ? "delete" : ms == 0 ? "now" : "later";
    };
    const std::string e_id = "e" + std::to_string(e.easy);
    switch (e.kind) {
      case EventKind::add_handle:
      case EventKind::remove_handle:
        return std::string(to_string(e.kind)) + " " + e_id + " -> " + std::to_string(e.result);
      case EventKind::socket_action:
        return "socket_action " + fd_name(e.fd) + " mask " + std::to_string(e.mask) + " -> " +
               std::to_string(e.result) + " running " + std::to_string(e.running);
      case EventKind::socket_legacy:
        return "multi_socket " + fd_name(e.fd) + " -> " + std::to_string(e.result) + " running " +
               std::to_string(e.running);
      case EventKind::socket_all:
        return "socket_all -> " + std::to_string(e.result) + " running " +
               std::to_string(e.running);
      case EventKind::perform:
        return "perform -> " + std::to_string(e.result) + " running " + std::to_string(e.running);
      case EventKind::multi_wait:
      case EventKind::multi_poll:
        return std::string(to_string(e.kind)) + " -> " + std::to_string(e.result) + " numfds " +
               std::to_string(e.code);
      case EventKind::wakeup:
        return "wakeup -> " + std::to_string(e.result);
      case EventKind::fdset:
        return "fdset -> " + std::to_string(e.result) + " max_fd " + std::to_string(e.value);
      case EventKind::assign:
        return "assign " + fd_name(e.fd) + " -> " + std::to_string(e.result);
      case EventKind::timeout_query:
        return "multi_timeout -> " + bucket(e.value);
      case EventKind::info_read:
        return e.easy ? "info_read " + e_id + " result " + std::to_string(e.code) + " left " +
                            std::to_string(e.value)
                      : "info_read NULL";
      case EventKind::socket_cb:
        return "socket_cb " + e_id + " " + fd_name(e.fd) + " action " +
               std::to_string(e.action) + (e.socketp ? " socketp" : "");
      case EventKind::timer_cb:
        return "timer_cb " + bucket(e.value);
      case EventKind::cleanup:
        return "multi_cleanup -> " + std::to_string(e.result);
      default:
        return {};
    }
  }

 private:
  std::map<int, int> fds_;
};

std::vector<std::string> normalise(const Trace& t) {
  Normaliser n;
  std::vector<std::string> out;
  for (const Event& e : t.events) {
    std::string l = n.line(e);
    if (!l.empty()) out.push_back(std::move(l));
  }
  return out;
}

}  // namespace

int cmd_diff(Args& args) {
  if (args.help()) {
    std::cout << command_help("diff");
    return 0;
  }
  DiffOptions options;
  if (const std::string problem = read_diff_options(args, options); !problem.empty()) return usage_error(problem);
  const TargetSpec& a = options.a;
  const TargetSpec& b = options.b;
  const std::string& suite_name = options.suite;
  const std::optional<std::uint64_t> seed = options.seed;
  RunOptions ro;
  if (options.contract.edition) ro.edition = *options.contract.edition;
  std::string error;
  std::vector<LoadedScenario> suite;
  if (!load_suite(suite_name, suite, error)) return usage_error(error);

  std::printf("seed %s  diff %s vs %s  suite %s\n",
              seed ? std::to_string(*seed).c_str() : "per-scenario", a.text.c_str(),
              b.text.c_str(), suite_name.c_str());
  int same = 0, diverged = 0, errors = 0, skipped = 0;
  for (const LoadedScenario& l : suite) {
    RunOptions o = ro;
    o.seed = seed.value_or(l.scenario.seed);
    ScenarioRun ra = run_scenario(l.scenario, a, o);
    ScenarioRun rb = run_scenario(l.scenario, b, o);
    if (ra.outcome == Outcome::error || rb.outcome == Outcome::error) {
      ++errors;
      std::printf("error    %s: %s\n", ra.name.c_str(),
                  (ra.outcome == Outcome::error ? ra.message : rb.message).c_str());
      continue;
    }
    if (ra.skipped || rb.skipped) {  // nothing ran on one side: nothing to compare
      ++skipped;
      std::printf("skipped  %s: %s\n", ra.name.c_str(), (ra.skipped ? ra.message : rb.message).c_str());
      continue;
    }
    const auto na = normalise(ra.trace), nb = normalise(rb.trace);
    std::size_t i = 0;
    while (i < na.size() && i < nb.size() && na[i] == nb[i]) ++i;
    if (i == na.size() && i == nb.size()) {
      ++same;
      std::printf("same     %s (%zu events)\n", ra.name.c_str(), na.size());
      continue;
    }
    ++diverged;
    std::printf("diverges %s at normalised event %zu (outcomes %s / %s)\n", ra.name.c_str(), i,
                to_string(ra.outcome), to_string(rb.outcome));
    const std::size_t from = i >= 2 ? i - 2 : 0;
    for (std::size_t k = from; k < i; ++k) std::printf("           both: %s\n", na[k].c_str());
    std::printf("  %-8s %s\n", (a.name() + ":").c_str(), i < na.size() ? na[i].c_str() : "(end)");
    std::printf("  %-8s %s\n", (b.name() + ":").c_str(), i < nb.size() ? nb[i].c_str() : "(end)");
  }
  std::printf("\n%d scenarios: %d same, %d diverge, %d skipped, %d errors\n",
              same + diverged + skipped + errors, same, diverged, skipped, errors);
  if (errors) return 3;
  return diverged ? 1 : 0;
}

}  // namespace ms::cli

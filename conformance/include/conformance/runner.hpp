// SPDX-License-Identifier: MIT
// runner.hpp: one scenario against one target, checked.
//
// A target is named as on the command line: "engine-sim" (the engine over simnet, virtual
// time), "engine-sim:mutant=NAME" (the same with one compiled-in defect), "engine-real"
// (the engine over real loopback sockets), "lib:PATH[:prefix]" (a curl-style shared
// library through dlopen, each scenario in a child process: in the simulated world and
// virtual time by default, on real loopback sockets in real time with --world real).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "conformance/checker.hpp"
#include "conformance/driver.hpp"
#include "conformance/known.hpp"
#include "conformance/scenario.hpp"
#include "conformance/version.hpp"

namespace ms::conf {

struct TargetSpec {
  enum class Kind : std::uint8_t { engine_sim, engine_real, lib } kind = Kind::engine_sim;
  std::string text;     // as given
  std::string mutant;   // engine-sim only; empty = none
  std::string library;  // lib only
  std::string prefix = "curl_";
  // lib only: the library reaches the simulated world and the virtual clock through its C
  // library calls (interposed), each scenario in a child process; false: real loopback
  // sockets and real time (`--world real`).
  bool virtual_world = true;
  // lib in the simulated world only: a run (a child process) that has not ended after this
  // much wall time is a hang, the time it waited for a CPU not counted (isolate.cpp).
  // Virtual time is compressed, so a run takes milliseconds; a library built with
  // sanitizers, or run under valgrind or a fuzzer's instrumentation, may need more
  // (`--hang-after`).
  std::chrono::milliseconds hang_after{kDefaultHangAfter};
  static constexpr std::chrono::milliseconds kDefaultHangAfter{5'000};
  bool is_virtual() const { return kind == Kind::engine_sim || (kind == Kind::lib && virtual_world); }
  std::string name() const;  // "engine-sim", "libcurl.so.4", ...
};
bool parse_target(const std::string& text, TargetSpec& out, std::string& error);
// `--world sim|real`: a library in the simulated world (the default) or on real loopback
// sockets; the engine as engine-sim or engine-real. A mutant exists only in the simulated
// world.
bool apply_world(const std::string& world, TargetSpec& target, std::string& error);
// `--hang-after SECONDS` (1 to kHangAfterMaxSeconds): TargetSpec::hang_after of a library in
// the simulated world; any other target refuses it.
inline constexpr std::uint64_t kHangAfterMaxSeconds = 3600;
bool apply_hang_after(std::string_view seconds, TargetSpec& target, std::string& error);

enum class Outcome : std::uint8_t { pass, fail, crash, hang, error, nondeterministic };
const char* to_string(Outcome o);

struct RunOptions {
  Edition edition = kNewestEdition;
  std::optional<std::uint64_t> seed;  // overrides the scenario's seed
  std::optional<std::string> policy;  // overrides the scenario's policies (a preset name)
  // Overrides the application's loop (`policy loop KIND`: socket, perform-poll, ...).
  std::optional<std::string> loop;
  // A preset or a loop replaced what the scenario asks of its application: its `clause`
  // lines are then not required to be exercised.
  bool overrides_policy() const { return policy.has_value() || loop.has_value(); }
  bool check_determinism = false;     // run twice and compare the traces (virtual only)
  // Shown the trace's JSON lines as the run's hash is made, for a caller that prints the
  // whole trace (replay): one serialization for both, and no copy of the text held.
  Trace::LineVisitor trace_lines;
  // One run as soon as may be, a second thread spent on it (replay): a long trace is checked
  // and hashed on that thread, in the simulated world while the run goes on. Off, a run is
  // one thread's work, the least CPU (a suite of runs gets its parallelism from --jobs).
  bool second_thread = false;
  bool stop_at_first = false;
  // The target's known deviations (conform --known): every run's violations an entry covers
  // are marked (Violation::known) as the run ends, under known_run_name(), so a failure is
  // told from a known deviation wherever runs are judged (the suite, shrinking, replay).
  // The file counts its matches (KnownDeviation::matched). version_text: the target's.
  KnownDeviations* known = nullptr;
  std::string known_version_text;
  // Replays these decisions instead of the scenario's own `choices` or its seed (the
  // shrinker's candidates; simulated target).
  std::optional<std::vector<std::uint64_t>> choices;
  // What the target says of itself (curl_version() of a library, the engine's own
  // version), for expectations that differ by version (`done ... if libcurl >=8.0.0`).
  // Unknown: every alternative the target may match holds (applicable_done).
  std::optional<Version> target_version;
  // The implementation's name from the same string: "libcurl", "multisock"; empty:
  // unknown. When neither this nor target_version is set, run_scenario asks
  // describe_target().
  std::string target_implementation;
  ImplementationVersion target() const { return {target_implementation, target_version}; }
  void describe(const ImplementationVersion& d) {
    target_implementation = d.implementation;
    target_version = d.version;
  }
};

// What a target says of itself: the engine's "multisock 0.1.0", or curl_version() of a
// library, asked of a child process once per library and process (the harness does not
// load the library for it). Unknown fields when the library cannot be asked.
ImplementationVersion describe_target(const TargetSpec& target);

// The same probe with what it saw: the whole version string, or why the library could not
// be loaded (error non-empty). Asked once per library and process.
struct TargetProbe {
  ImplementationVersion identity;
  std::string version_text;
  std::string error;
};
TargetProbe probe_target(const TargetSpec& target);

struct ScenarioRun {
  std::string name;  // file stem
  std::string file;
  std::uint64_t seed = 0;
  Outcome outcome = Outcome::error;
  int signal = 0;             // crash: the signal
  std::string message;        // why it failed, in one line
  std::vector<Violation> violations;        // checker and expectations (clause ids)
  std::vector<ClauseResult> clause_results; // the edition's clauses for this run
  std::vector<std::string> expected_clauses;
  std::vector<std::string> expected_violations;  // clauses a canary must violate
  int repeat = 0;  // 0-based repetition of this (file, seed), filled by the caller
  Trace trace;
  std::string trace_hash;
  // The trace's length when its events were let go (conform keeps only the traces of runs
  // with violations); event_count() is the length either way.
  std::size_t trace_length = 0;
  std::size_t event_count() const { return trace.events.empty() ? trace_length : trace.events.size(); }
  std::uint64_t api_calls = 0;
  std::int64_t virtual_ns = 0;
  bool canary = false;
  bool skipped = false;  // not applicable to this target (message says why); outcome pass
  // Simulated target: the decisions the run made (world faults and policy draws), in
  // order; replayed runs list the values they read (0 past the record's end).
  std::vector<std::uint64_t> choices;
  bool replayed_choices = false;
  // Its trace was checked and hashed on a second thread while it ran (a long simulated
  // run with RunOptions::second_thread); else after the run.
  bool judged_as_it_ran = false;
};

ScenarioRun run_scenario(const Scenario& scenario, const TargetSpec& target,
                         const RunOptions& options);

// The real-time targets (engine-real, lib:...): real loopback peers, an epoll loop,
// each scenario of a third-party library in a child process (conformance/driver/run_real.cpp).
ScenarioRun run_real(const Scenario& scenario, const TargetSpec& target,
                     const RunOptions& options);

// A library target in the virtual world runs each scenario in a fork of a copy of the
// running program started as `PROGRAM __virtual-server LIBRARY PREFIX` (a ForkServer,
// conformance/isolate.hpp): a program that runs such targets calls run_virtual_server()
// for that command and exits with what it returns.
inline constexpr const char* kVirtualServerCommand = "__virtual-server";
int run_virtual_server(const std::string& library, const std::string& prefix);
// Such a program says so once, at start; in any other program a library target in the
// simulated world is an error that says to use --world real (the copy it would start
// could not serve).
void serve_virtual_world();

// Why run_real would skip the scenario on that target ("skipped: ..."), or "" when it runs
// it. No sockets: a generator can check its real-time output against it.
std::string real_not_applicable(const Scenario& scenario, const TargetSpec& target);

// Adds a violation (clause "EXPECT" or the clause named) for every expectation of the
// scenario's `expect` block that the run does not meet. Shared by every target. With
// policy_overridden (a --policy preset replaced the scenario's own), `clause` lines are
// not required to be exercised, nor, on real sockets (simulated false), the clauses only the
// simulated world exercises (needs_simulated_peers).
// The done lines checked are those for `target` (applicable_done).
void check_expectations(const Scenario& sc, const RunResult& run, const Checker& checker,
                        ScenarioRun& out, bool policy_overridden = false,
                        const ImplementationVersion& target = {}, bool simulated = true);

// The policy a run uses: the scenario's own, or the preset of RunOptions::policy with the
// scenario's abort, no-recover and loop lines kept (they decide what the scenario
// expects); RunOptions::loop then replaces the loop.
bool resolve_policy(const Scenario& scenario, const RunOptions& options, Policy& out,
                    std::string& error);

// Transfers that must end OK whatever the policy does (SA-SPURIOUS): expected OK with no
// alternative, on a fault-free world, under a policy that fails nothing on purpose.
// The done lines of the scenario for `target` decide it (applicable_done).
std::vector<std::string> healthy_transfers(const Scenario& scenario, const Policy& policy,
                                           const ImplementationVersion& target = {});

// Whether one of the scenario's done lines checks a body's SHA-256 (DriverOptions::digest_bodies).
bool checks_body_digest(const Scenario& scenario);

// Applies the scenario's policy lines to a driver Policy; false with a message when a
// policy name or argument is unknown.
bool build_policy(const Scenario& scenario, Policy& out, std::string& error);

}  // namespace ms::conf

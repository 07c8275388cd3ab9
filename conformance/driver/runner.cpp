// SPDX-License-Identifier: MIT
// runner.cpp: builds the world a scenario describes, drives the target through it,
// checks the trace and the scenario's expectations, and grades the run.
#include "conformance/runner.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <optional>
#include <thread>

#include "conformance/verdict.hpp"
#include "run_end.hpp"
#include "sim_environment.hpp"
#include "multisock/engine.hpp"

namespace ms::conf {

std::string TargetSpec::name() const {
  switch (kind) {
    case Kind::engine_sim:
      return mutant.empty() ? "engine-sim" : "engine-sim:mutant=" + mutant;
    case Kind::engine_real:
      return "engine-real";
    case Kind::lib:
      return std::filesystem::path(library).filename().string();
  }
  return text;
}

bool parse_target(const std::string& text, TargetSpec& out, std::string& error) {
  TargetSpec t;
  t.text = text;
  if (text == "engine-sim" || text == "engine") {
    t.kind = TargetSpec::Kind::engine_sim;
  } else if (text.rfind("engine-sim:mutant=", 0) == 0) {
    t.kind = TargetSpec::Kind::engine_sim;
    t.mutant = text.substr(std::string("engine-sim:mutant=").size());
    ms::Mutant m;
    if (!ms::mutant_from_name(t.mutant, m)) {
      error = "unknown mutant '" + t.mutant + "' (multisock conform --list-mutants lists them)";
      return false;
    }
  } else if (text == "engine-real") {
    t.kind = TargetSpec::Kind::engine_real;
  } else if (text.rfind("lib:", 0) == 0) {
    t.kind = TargetSpec::Kind::lib;
    std::string rest = text.substr(4);
    const auto colon = rest.rfind(':');
    if (colon != std::string::npos && rest.find('/', colon) == std::string::npos &&
        colon + 1 < rest.size() && rest.back() == '_') {
      t.prefix = rest.substr(colon + 1);
      rest = rest.substr(0, colon);
    }
    if (rest.empty()) {
      error = "lib: needs a library path, e.g. lib:/usr/lib/x86_64-linux-gnu/libcurl.so.4";
      return false;
    }
    t.library = rest;
  } else {
    error = "unknown target '" + text +
            "' (engine-sim, engine-sim:mutant=NAME, engine-real, lib:PATH[:prefix_])";
    return false;
  }
  out = t;
  return true;
}

bool apply_hang_after(std::string_view seconds, TargetSpec& target, std::string& error) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(seconds.data(), seconds.data() + seconds.size(), value);
  if (seconds.empty() || ec != std::errc() || end != seconds.data() + seconds.size() || value == 0 ||
      value > kHangAfterMaxSeconds) {
    error = "--hang-after needs whole seconds in [1, " + std::to_string(kHangAfterMaxSeconds) + "], not '" +
            std::string(seconds) + "'";
    return false;
  }
  if (target.kind != TargetSpec::Kind::lib || !target.virtual_world) {
    error = "--hang-after applies to a library in the simulated world (lib:PATH, --world sim), not " +
            target.text;
    return false;
  }
  target.hang_after = std::chrono::seconds(value);
  return true;
}

bool apply_world(const std::string& world, TargetSpec& target, std::string& error) {
  if (world != "sim" && world != "real") {
    error = "--world takes sim or real, not '" + world + "'";
    return false;
  }
  const bool sim = world == "sim";
  switch (target.kind) {
    case TargetSpec::Kind::lib:
      target.virtual_world = sim;
      return true;
    case TargetSpec::Kind::engine_sim:
      if (sim) return true;
      if (!target.mutant.empty()) {
        error = "a mutant exists only in the simulated world (--world sim)";
        return false;
      }
      target.kind = TargetSpec::Kind::engine_real;
      return true;
    case TargetSpec::Kind::engine_real:
      if (sim) target.kind = TargetSpec::Kind::engine_sim;
      return true;
  }
  return true;
}

const char* to_string(Outcome o) {
  switch (o) {
    case Outcome::pass: return "pass";
    case Outcome::fail: return "fail";
    case Outcome::crash: return "crash";
    case Outcome::hang: return "hang";
    case Outcome::error: return "error";
    case Outcome::nondeterministic: return "nondeterministic";
  }
  return "?";
}

bool build_policy(const Scenario& scenario, Policy& out, std::string& error) {
  Policy p;
  for (const PolicySpec& spec : scenario.policies) {
    Policy preset;
    if (spec.args.empty() && Policy::preset(spec.name, preset)) {
      // Presets combine: each field takes the larger probability.
#define MS_X(name, text) p.name = std::max(p.name, preset.name);
      MS_POLICY_FIELDS(MS_X)
#undef MS_X
      continue;
    }
    if (scenario.is_mutant_line(spec)) continue;  // a target setting, read by run_sim
    if (spec.name == "no-recover") {
      p.recover_after_error = false;
      continue;
    }
    if (spec.name == "loop") {
      if (spec.args.size() != 1 || !app_loop_from_string(spec.args[0], p.loop)) {
        error = scenario.file + ":" + std::to_string(spec.line) +
                ": policy loop: expected one of socket, perform-poll, perform-wait, "
                "perform-fdset" + (spec.args.empty() ? std::string() : ", not '" + spec.args[0] + "'");
        return false;
      }
      continue;
    }
    double value = 1.0;
    if (!spec.args.empty()) {
      char* end = nullptr;
      value = std::strtod(spec.args[0].c_str(), &end);
      if (!end || *end || !(value >= 0 && value <= 1)) {  // NaN fails too
        error = scenario.file + ":" + std::to_string(spec.line) + ": policy " + spec.name +
                ": probability must be a number in [0, 1], not '" + spec.args[0] + "'";
        return false;
      }
    }
    if (!p.set(spec.name, value)) {
      error = scenario.file + ":" + std::to_string(spec.line) + ": unknown policy '" +
              spec.name + "'";
      return false;
    }
  }
  out = p;
  return true;
}

namespace {

bool world_has_faults(const WorldSpec& w) {
  return w.connect_refuse > 0 || w.connect_drop > 0 || w.reset > 0 || w.half_close_early > 0 ||
         w.socket_error > 0;
}

std::string stem(const std::string& file) {
  return std::filesystem::path(file).stem().string();
}

}  // namespace

// The scenario's own policy, or the preset of RunOptions::policy with the lines kept.
static bool resolve_preset(const Scenario& sc, const RunOptions& options, Policy& out,
                           std::string& error);

bool resolve_policy(const Scenario& sc, const RunOptions& options, Policy& out,
                    std::string& error) {
  if (!resolve_preset(sc, options, out, error)) return false;
  if (options.loop && !app_loop_from_string(*options.loop, out.loop)) {
    error = "unknown loop '" + *options.loop + "' (socket, perform-poll, perform-wait, perform-fdset)";
    return false;
  }
  return true;
}

static bool resolve_preset(const Scenario& sc, const RunOptions& options, Policy& out,
                           std::string& error) {
  if (!options.policy) return build_policy(sc, out, error);
  Policy policy;
  if (!Policy::preset(*options.policy, policy)) {
    error = "unknown policy preset '" + *options.policy + "'";
    return false;
  }
  // What the scenario is about stays: its own abort and no-recover lines decide the outcome
  // it expects, as its mutant line does (presets never set these).
  Policy own;
  std::string ignored;
  if (build_policy(sc, own, ignored)) {
    policy.abort_cb = own.abort_cb;
    policy.recover_after_error = own.recover_after_error;
    policy.loop = own.loop;  // the application's shape is the scenario's subject too
  }
  out = policy;
  return true;
}

namespace {

// The transfer ids of the done lines, each once, in file order.
std::vector<std::string> expected_ids(const ExpectSpec& e) {
  std::vector<std::string> ids;
  for (const ExpectDone& d : e.done)
    if (std::find(ids.begin(), ids.end(), d.id) == ids.end()) ids.push_back(d.id);
  return ids;
}

std::string results_text(const std::vector<const ExpectDone*>& lines) {
  std::string o;
  for (const ExpectDone* d : lines) {
    o += (o.empty() ? "" : "|") + easy_code_short_name(d->result);
    for (int alt : d->also) o += "|" + easy_code_short_name(alt);
  }
  return o;
}

// " (the line for libcurl >=8.0.0)" when a version's own line decided.
std::string condition_text(const std::vector<const ExpectDone*>& lines) {
  if (lines.size() != 1 || !lines.front()->condition) return "";
  const ExpectCondition& c = *lines.front()->condition;
  return " (line " + std::to_string(lines.front()->line) + ", for " + c.implementation + " " +
         c.range.to_string() + ")";
}

}  // namespace

bool checks_body_digest(const Scenario& sc) {
  return std::any_of(sc.expect.done.begin(), sc.expect.done.end(),
                     [](const ExpectDone& d) { return d.body_check == BodyCheck::sha256; });
}

std::vector<std::string> healthy_transfers(const Scenario& sc, const Policy& policy,
                                           const ImplementationVersion& target) {
  std::vector<std::string> ids;
  if (world_has_faults(sc.world) || policy.err_healthy > 0 || policy.remove_random > 0 ||
      policy.abort_cb > 0)
    return ids;
  for (const std::string& id : expected_ids(sc.expect)) {
    const auto lines = applicable_done(sc.expect, id, target);
    if (std::all_of(lines.begin(), lines.end(),
                    [](const ExpectDone* d) { return d->result == MSE_OK && d->also.empty(); }))
      ids.push_back(id);
  }
  return ids;
}

// Checks the scenario's `expect` block against what the application saw.
void check_expectations(const Scenario& sc, const RunResult& run, const Checker& checker,
                        ScenarioRun& out, bool policy_overridden,
                        const ImplementationVersion& target, bool simulated) {
  auto fail = [&](const std::string& clause, const std::string& message) {
    Violation v;
    v.clause = clause;
    v.event_index = run.trace.events.empty() ? 0 : run.trace.events.size() - 1;
    v.time_ns = run.end_time_ns;
    v.message = message;
    out.violations.push_back(v);
  };
  for (const std::string& id : expected_ids(sc.expect)) {
    const auto lines = applicable_done(sc.expect, id, target);
    const TransferResult* got = nullptr;
    for (auto& t : run.transfers)
      if (t.id == id) got = &t;
    if (!got || !got->done) {
      fail(kExpectationClause, "transfer " + id + ": expected DONE with " + results_text(lines) +
                         condition_text(lines) + ", observed no DONE message");
      continue;
    }
    // The line whose first result was observed checks the body; an allowed alternative
    // (an error) has none.
    const ExpectDone* want = nullptr;
    bool allowed = false;
    for (const ExpectDone* d : lines) {
      if (d->result == got->result && !want) want = d;
      allowed = allowed || d->result == got->result ||
                std::find(d->also.begin(), d->also.end(), got->result) != d->also.end();
    }
    if (!allowed) {
      fail(kExpectationClause, "transfer " + id + ": expected result " + results_text(lines) +
                         condition_text(lines) + ", observed " + easy_code_short_name(got->result));
    }
    switch (want ? want->body_check : BodyCheck::none) {
      case BodyCheck::none:
        break;
      case BodyCheck::text:
        if (got->body != want->body)
          fail(kExpectationClause, "transfer " + id + ": body differs (expected " +
                             std::to_string(want->body.size()) + " bytes, observed " +
                             std::to_string(got->body_bytes) + ")");
        break;
      case BodyCheck::bytes:
        if (got->body_bytes != want->body_bytes)
          fail(kExpectationClause, "transfer " + id + ": expected " +
                             std::to_string(want->body_bytes) + " body bytes, observed " +
                             std::to_string(got->body_bytes));
        break;
      case BodyCheck::sha256:
        if (got->body_sha256 != want->body_sha256)
          fail(kExpectationClause, "transfer " + id + ": body sha256 " + got->body_sha256 +
                             " differs from the expected " + want->body_sha256);
        break;
    }
  }
  if (sc.expect.running_zero_at_end && (run.stalled || run.hit_time_limit || run.hit_call_limit))
    fail(kExpectationClause, std::string("expected running 0 at end, the run ended by ") +
                       (run.stalled ? "a stall" : run.hit_time_limit ? "the time limit"
                                                                     : "the call limit"));
  // A `clause` line promises that the scenario's own policy reaches the clause; under a
  // preset that replaces that policy the promise does not apply (violations still count).
  if (policy_overridden) return;
  for (const std::string& id : sc.expect.clauses) {
    const Clause* c = find_clause(id);
    if (!c) continue;  // the parser already refused unknown ids
    if (!in_edition(*c, checker.edition())) continue;  // not in this edition: not graded
    if (!simulated && needs_simulated_peers(*c)) continue;  // real sockets cannot show it
    // Harness-decided clauses are counted in the run's results, not by the checker.
    std::size_t harness = 0;
    for (const ClauseResult& r : out.clause_results)
      if (r.clause && r.clause->id == id) harness = r.exercised;
    if (checker.exercised(id) == 0 && harness == 0)
      fail(kExpectationClause, "clause " + id + " was expected to be exercised, it was not");
  }
}

namespace {

CheckerOptions checker_options(const RunOptions& options, const RunEnd& end) {
  CheckerOptions co;
  co.stop_at_first = options.stop_at_first;
  co.timer_tolerance_ms = end.timer_tolerance_ms;
  return co;
}

void mark_harness_clause(ScenarioRun& out, std::string_view id, bool passed);

ScenarioRun run_sim(const Scenario& sc, const TargetSpec& target, const RunOptions& options) {
  ScenarioRun out;
  out.name = stem(sc.file);
  out.file = sc.file;
  out.canary = sc.canary;
  out.seed = options.seed.value_or(sc.seed);
  out.expected_clauses = sc.expect.clauses;
  out.expected_violations = sc.expect.violations;

  Policy policy;
  std::string error;
  if (!resolve_policy(sc, options, policy, error)) {
    out.outcome = Outcome::error;
    out.message = error;
    return out;
  }
  if (std::string why = policy_unsupported(policy, engine_api()); !why.empty()) {
    out.outcome = Outcome::pass;
    out.skipped = true;
    out.message = why;
    return out;
  }

  // One record for the world's and the application's decisions, in the order they happen.
  const std::vector<std::uint64_t>* replay =
      options.choices ? &*options.choices : sc.replay_choices ? &sc.choices : nullptr;
  sim::ChoiceTape tape = replay ? sim::ChoiceTape(*replay) : sim::ChoiceTape();
  std::unique_ptr<sim::World> made = make_world(sc, out.seed, tape, error);
  if (!made) {
    out.outcome = Outcome::error;
    out.message = error;
    return out;
  }
  sim::World& world = *made;

  // A scenario may compile a defect in itself ("policy mutant NAME": canaries do); the
  // target's own mutant wins.
  const std::string mutant = target.mutant.empty() ? sc.mutant() : target.mutant;
  ms::MultiOptions mo;
  if (!mutant.empty() && !ms::mutant_from_name(mutant, mo.mutant)) {
    out.outcome = Outcome::error;
    out.message = sc.file + ": unknown mutant '" + mutant + "'";
    return out;
  }

  DriverOptions dopt;
  dopt.seed = out.seed;
  dopt.time_limit = simulated_time_limit(sc);
  dopt.policy = policy;
  const port::Ports ports = world.ports();
  dopt.multi_factory = [ports, mo]() -> void* { return ms::multi_init(ports, mo); };
  dopt.multi_longs = multi_options(sc.multi);
  dopt.healthy = healthy_transfers(sc, policy, options.target());
  dopt.digest_bodies = checks_body_digest(sc);
  dopt.choices = &tape;

  // A long run's trace is checked and hashed as it is written, on a thread of its own, when
  // the run may have one (a transfer makes a few dozen events); else after the run.
  TraceFeed feed;
  const bool long_run = options.second_thread && expected_events(sc.client.size()) >= TraceAside::kEventsWorthAThread;
  if (long_run) dopt.feed = &feed;
  RunEnd end;

  SimEnvironment env(world);
  const Api api = engine_api();
  Driver driver(api, env, dopt);
  TraceObserver observer(driver);
  world.set_observer(&observer);
  // Declared before the hash that reads its trace, and so gone after it.
  RunResult run;
  std::optional<TraceAside> following;
  if (long_run) following.emplace(feed, options.trace_lines, Checker(options.edition, checker_options(options, end)));
  run = driver.run(sc.client);  // the trace moves, its storage stays where the feed read it
  world.set_observer(nullptr);

  end.open_after_cleanup = static_cast<long>(world.open_descriptors());
  check_run_end(sc, options, run, end, out, following ? &*following : nullptr);
  out.judged_as_it_ran = long_run;
  world.rng().attach(nullptr);
  out.choices = tape.values();
  out.choices.resize(tape.decisions());  // replayed: what was read, 0 past the end
  out.replayed_choices = replay != nullptr;
  return out;
}

// Counts one evaluation of a harness-decided clause in the run's clause results.
void mark_harness_clause(ScenarioRun& out, std::string_view id, bool passed) {
  for (ClauseResult& r : out.clause_results) {
    if (r.clause == nullptr || r.clause->id != id) continue;
    ++r.exercised;
    if (!passed) ++r.violations;
    r.status = r.violations > 0 ? ClauseStatus::fail : ClauseStatus::pass;
  }
}

}  // namespace

TraceAside::TraceAside(const Trace& finished, const Trace::LineVisitor& lines, bool thread_allowed)
    : digest_(lines) {
  const auto hash_all = [this, &finished] {
    for (const Event& e : finished.events) digest_.add(e);
  };
  if (!thread_allowed || finished.events.size() < kEventsWorthAThread) {
    hash_all();
    return;
  }
  thread_ = std::thread([this, hash_all] {
    try {
      hash_all();
    } catch (...) {
      failure_ = std::current_exception();
    }
  });
}

TraceAside::TraceAside(TraceFeed& feed, const Trace::LineVisitor& lines, Checker checker)
    : digest_(lines), feed_(&feed), checker_(std::move(checker)) {
  thread_ = std::thread([this] {
    try {
      while (feed_->read([this](const Event& e) {
        checker_->on_event(e);
        digest_.add(e);
      })) {
      }
      checker_->finish();
    } catch (...) {
      failure_ = std::current_exception();
    }
  });
}

TraceAside::~TraceAside() { join(); }

void TraceAside::join() {
  if (feed_) feed_->close();  // the run has ended (or never will): nothing more comes
  if (thread_.joinable()) thread_.join();
}

std::string TraceAside::take_hash() {
  join();
  if (failure_) std::rethrow_exception(failure_);
  return digest_.finish();
}

Checker* TraceAside::checker() {
  if (!checker_) return nullptr;
  join();
  if (failure_) std::rethrow_exception(failure_);
  return &*checker_;
}

void check_run_end(const Scenario& sc, const RunOptions& options, RunResult& run, const RunEnd& end,
                   ScenarioRun& out, TraceAside* following) {
  out.outcome = Outcome::pass;  // graded later
  // Hashed beside the checker (a long trace), or hashed and checked as the run went.
  std::optional<TraceAside> made;
  TraceAside& aside = following ? *following : made.emplace(run.trace, options.trace_lines, options.second_thread);
  std::optional<Checker> here;
  Checker* checked = aside.checker();
  if (checked == nullptr) {
    checked = &here.emplace(options.edition, checker_options(options, end));
    checked->on_trace(run.trace.events);
  }
  Checker& checker = *checked;
  out.violations = checker.violations();
  if (!run.harness_error.empty()) {
    out.outcome = Outcome::error;
    out.message = run.harness_error;
  }
  out.clause_results = checker.results();
  // ER-NO-CRASH is the harness's to decide: invalid calls were made and the target is
  // still here to grade them (a crash never reaches this line).
  for (const Event& e : run.trace.events) {
    const bool null_add = e.kind == EventKind::add_handle && e.easy == 0;
    const bool bad_multi = e.kind != EventKind::note && e.kind != EventKind::socket_cb &&
                           e.kind != EventKind::timer_cb && e.has(EventFlag::bad_multi);
    if (null_add || bad_multi) {
      mark_harness_clause(out, "ER-NO-CRASH", true);
      break;
    }
  }
  check_expectations(sc, run, checker, out, options.overrides_policy(), options.target(),
                     end.simulated);
  if (end.open_after_cleanup > 0 && out.message.empty()) {
    Violation v;
    v.clause = "SC-REMOVE";
    v.event_index = run.trace.events.empty() ? 0 : run.trace.events.size() - 1;
    v.time_ns = run.end_time_ns;
    v.message = std::string("expected every ") + end.open_what + " closed after cleanup, observed " +
                std::to_string(end.open_after_cleanup) + " still open";
    out.violations.push_back(v);
  }

  out.api_calls = run.api_calls;
  out.virtual_ns = run.end_time_ns;
  out.trace_hash = aside.take_hash();
  out.trace = std::move(run.trace);
}

namespace {

// Expected violations (canaries, mutant tests) turn the verdict around: the run passes
// when every listed clause is violated.
void grade(const Scenario& sc, ScenarioRun& out) {
  if (out.outcome == Outcome::error || out.outcome == Outcome::crash ||
      out.outcome == Outcome::hang || out.skipped)
    return;
  if (!sc.expect.violations.empty()) {
    const std::vector<std::string> missing =
        missing_expected_violations(sc.expect.violations, out.violations);
    out.outcome = missing.empty() ? Outcome::pass : Outcome::fail;
    if (!missing.empty()) out.message = "expected a violation of " + missing.front();
    return;
  }
  if (out.violations.empty()) {
    out.outcome = Outcome::pass;
  } else {
    out.outcome = Outcome::fail;
    const Violation& v = out.violations.front();
    out.message = v.clause + " at event " + std::to_string(v.event_index) + ": " + v.message;
  }
}

}  // namespace

ScenarioRun run_scenario(const Scenario& scenario, const TargetSpec& target,
                         const RunOptions& given) {
  // Expectations by version need to know the target: ask it when the caller did not.
  RunOptions described;
  const bool ask = given.target_implementation.empty() && !given.target_version;
  if (ask) {
    described = given;
    described.describe(describe_target(target));
  }
  const RunOptions& options = ask ? described : given;
  ScenarioRun out;
  switch (target.kind) {
    case TargetSpec::Kind::engine_sim:
      out = run_sim(scenario, target, options);
      break;
    case TargetSpec::Kind::engine_real:
      out = run_real(scenario, target, options);
      break;
    case TargetSpec::Kind::lib:
      out = target.virtual_world ? run_virtual(scenario, target, options)
                                 : run_real(scenario, target, options);
      break;
  }
  grade(scenario, out);
  if (options.check_determinism && target.is_virtual() && out.outcome != Outcome::error) {
    RunOptions again = options;
    again.check_determinism = false;
    again.trace_lines = {};  // the first run's lines were shown
    ScenarioRun second = target.kind == TargetSpec::Kind::lib ? run_virtual(scenario, target, again)
                                                              : run_sim(scenario, target, again);
    mark_harness_clause(out, "DT-REPLAY", second.trace_hash == out.trace_hash);
    if (second.trace_hash != out.trace_hash) {
      std::size_t i = 0;
      const auto& a = out.trace.events;
      const auto& b = second.trace.events;
      while (i < a.size() && i < b.size()) {
        Trace ta, tb;
        ta.events = {a[i]};
        tb.events = {b[i]};
        if (ta.to_jsonl() != tb.to_jsonl()) break;
        ++i;
      }
      out.outcome = Outcome::nondeterministic;
      out.message = "DT-REPLAY: the second run differs first at event " + std::to_string(i) +
                    (i < a.size() ? " (time " + std::to_string(a[i].time_ns) + " ns)" : "");
      Violation v;
      v.clause = "DT-REPLAY";
      v.event_index = i;
      v.time_ns = i < a.size() ? a[i].time_ns : 0;
      v.message = out.message;
      out.violations.push_back(v);
    }
  }
  if (options.known) options.known->cover(known_run_name(scenario, out.name), options.known_version_text, out.violations);
  return out;
}

}  // namespace ms::conf

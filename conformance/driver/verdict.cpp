// SPDX-License-Identifier: MIT
// verdict.cpp: the verdict rules (conformance/verdict.hpp). Pure functions of the runs.
#include "conformance/verdict.hpp"

#include <algorithm>
#include <csignal>
#include <tuple>

#include "reports/words.hpp"

namespace ms::conf {

static_assert(ms::reports::kVerdictCount == 7, "Verdict and reports::kVerdicts must match");

const char* to_string(Verdict v) { return ms::reports::kVerdicts[static_cast<std::size_t>(v)]; }

bool verdict_from_string(std::string_view word, Verdict& out) {
  for (std::size_t i = 0; i < ms::reports::kVerdictCount; ++i)
    if (word == ms::reports::kVerdicts[i]) {
      out = static_cast<Verdict>(i);
      return true;
    }
  return false;
}

Verdict worse(Verdict a, Verdict b) {
  return ms::reports::verdict_rank(to_string(b)) < ms::reports::verdict_rank(to_string(a)) ? b : a;
}

const ContractClause* Contract::find(std::string_view id) const {
  for (const ContractClause& c : clauses)
    if (c.id == id) return &c;
  return nullptr;
}

Contract contract(Edition edition, bool strict, Party party) {
  Contract out;
  out.strict = strict;
  for (const Clause& c : all_clauses()) {
    if (party_of(c) != party) continue;
    ContractClause k;
    k.id = std::string(c.id);
    k.group = to_string(c.group);
    const auto text = clause_in(c, edition);
    k.severity = to_string(text ? text->severity : c.severity);
    k.statement = std::string(text ? text->statement : c.statement);
    k.document = std::string(text ? text->source : c.source);
    k.quote = std::string(text ? text->quote : c.quote);
    if (!text) {
      k.in_contract = false;
      k.skip_detail = std::string("not in edition ") + to_string(edition);
    }
    out.clauses.push_back(std::move(k));
  }
  return out;
}

namespace {

enum class Weight { hard, soft, none };

// none: a clause outside the contract being checked, which decides nothing.
Weight weight(const Violation& v, const Contract& c) {
  const ContractClause* k = c.find(v.clause);
  if (!k) return Weight::hard;  // an unmet expect line
  if (!k->in_contract) return Weight::none;
  if (k->severity == "MUST") return Weight::hard;
  if (k->severity == "SHOULD") return c.strict ? Weight::hard : Weight::soft;
  return Weight::soft;
}

// "crash SIGSEGV", "hang", followed by the call it happened in when the ER-NO-CRASH
// violation names it ("... inside curl_multi_assign(NULL, ...)"), or by a run that went on
// while its calls returned.
std::string crash_detail(const ScenarioRun& run) {
  std::string d = run.outcome == Outcome::crash ? "crash " + signal_name(run.signal) : "hang";
  for (const Violation& v : run.violations) {
    if (v.clause != "ER-NO-CRASH") continue;
    for (const char* word : {"inside ", "no return from ", "the run did not end within "})
      if (auto at = v.message.find(word); at != std::string::npos)
        return d + ": " + v.message.substr(at);
  }
  return d;
}

std::string describe(const Violation& v) {
  return (v.clause.empty() || v.clause == kExpectationClause ? std::string("expect") : v.clause) + " at event " +
         std::to_string(v.event_index) + ": " + v.message;
}

std::string strip_skipped(const std::string& message) {
  return message.rfind("skipped: ", 0) == 0 ? message.substr(9) : message;
}

}  // namespace

std::string violation_severity(const Violation& v, const Contract& c) {
  const ContractClause* k = c.find(v.clause);
  return k ? k->severity : kExpectationClause;
}

bool is_hard(const Violation& v, const Contract& c) { return weight(v, c) == Weight::hard; }

const Violation* failure_of(const ScenarioRun& run, const Contract* contract) {
  if (contract)
    for (const Violation& v : run.violations)
      if (v.known.empty() && is_hard(v, *contract)) return &v;
  for (const Violation& v : run.violations)
    if (v.known.empty()) return &v;
  return run.violations.empty() ? nullptr : &run.violations.front();
}

std::vector<std::string> missing_expected_violations(const std::vector<std::string>& expected,
                                                     const std::vector<Violation>& seen) {
  std::vector<std::string> missing;
  for (const std::string& want : expected) {
    const bool found = std::any_of(seen.begin(), seen.end(),
                                   [&](const Violation& v) { return v.clause == want; });
    if (!found) missing.push_back(want);
  }
  return missing;
}

std::string signal_name(int signal) {
  switch (signal) {
    case SIGSEGV: return "SIGSEGV";
    case SIGABRT: return "SIGABRT";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGILL: return "SIGILL";
    case SIGKILL: return "SIGKILL";
    case SIGPIPE: return "SIGPIPE";
    case SIGTERM: return "SIGTERM";
    case SIGTRAP: return "SIGTRAP";
    case SIGSYS: return "SIGSYS";
    default: return "signal " + std::to_string(signal);
  }
}

void ensure_crash_violation(ScenarioRun& run) {
  if (run.skipped || (run.outcome != Outcome::crash && run.outcome != Outcome::hang)) return;
  for (const Violation& v : run.violations)
    if (v.clause == "ER-NO-CRASH") return;
  Violation v;
  v.clause = "ER-NO-CRASH";
  v.event_index = run.trace.events.empty() ? 0 : run.trace.events.size() - 1;
  v.time_ns = run.trace.events.empty() ? 0 : run.trace.events.back().time_ns;
  v.message = run.outcome == Outcome::crash
                  ? "expected no crash, observed " + signal_name(run.signal)
                  : "expected every call to return, observed a hang" +
                        (run.message.empty() ? std::string() : " (" + run.message + ")");
  run.violations.push_back(v);
}

ScenarioVerdict verdict_of_run(const ScenarioRun& run, const Contract& c) {
  ScenarioVerdict out;
  if (run.skipped) {
    out.verdict = Verdict::skipped;
    out.detail = strip_skipped(run.message);
    return out;
  }
  if (run.outcome == Outcome::error) {
    out.verdict = Verdict::error;
    out.detail = run.message.empty() ? "harness error" : run.message;
    return out;
  }
  if (!run.expected_violations.empty()) {
    const auto missing = missing_expected_violations(run.expected_violations, run.violations);
    if (missing.empty()) {
      out.verdict = Verdict::fail;
      out.detail = "canary: failed as required";
    } else {
      out.verdict = Verdict::error;
      out.detail = "canary: expected a violation of " + missing.front() + ", none observed";
    }
    return out;
  }
  const Violation *hard = nullptr, *soft = nullptr, *covered = nullptr;
  for (const Violation& v : run.violations) {
    const Weight w = weight(v, c);
    if (w == Weight::none) continue;
    if (is_covered(v)) {
      if (!covered) covered = &v;
    } else if (w == Weight::hard) {
      if (!hard) hard = &v;
    } else if (!soft) {
      soft = &v;
    }
  }
  const bool crashed = run.outcome == Outcome::crash || run.outcome == Outcome::hang;
  if (hard || (crashed && !covered)) {
    out.verdict = Verdict::fail;
    if (crashed)
      out.detail = crash_detail(run);
    else if (run.outcome == Outcome::nondeterministic)
      out.detail = "nondeterministic: " + run.message;
    else
      out.detail = describe(*hard);
  } else if (soft) {
    out.verdict = Verdict::warn;
    out.detail = describe(*soft);
  } else if (covered) {
    out.verdict = Verdict::known;
    out.detail = "known: " + covered->clause + " (" + covered->known + ")";
  }
  return out;
}

ScenarioVerdict verdict_of_repeats(const std::vector<const ScenarioRun*>& runs, const Contract& c) {
  ScenarioVerdict out;
  if (runs.empty()) {
    out.verdict = Verdict::skipped;
    out.detail = "not run";
    return out;
  }
  std::vector<ScenarioVerdict> each;
  for (const ScenarioRun* r : runs) each.push_back(verdict_of_run(*r, c));
  std::size_t worst = 0;
  std::map<Verdict, int> counts;
  for (std::size_t i = 0; i < each.size(); ++i) {
    ++counts[each[i].verdict];
    if (worse(each[worst].verdict, each[i].verdict) != each[worst].verdict) worst = i;
  }
  out = each[worst];
  out.representative = worst;
  if (runs.size() > 1) out.repeats = counts;
  if (counts.size() > 1) {
    std::string tally;
    for (auto& [v, n] : counts) tally += (tally.empty() ? "" : ", ") + std::to_string(n) + " " + to_string(v);
    out.verdict = Verdict::flaky;
    out.detail = "flaky over " + std::to_string(runs.size()) + " runs (" + tally + ")" +
                 (each[worst].detail.empty() ? "" : "; worst: " + each[worst].detail);
  }
  return out;
}

std::vector<std::vector<const ScenarioRun*>> group_repeats(const std::vector<ScenarioRun>& runs) {
  std::vector<std::vector<const ScenarioRun*>> groups;
  std::map<std::pair<std::string, std::uint64_t>, std::size_t> index;
  for (const ScenarioRun& r : runs) {
    auto [it, fresh] = index.emplace(std::make_pair(r.file, r.seed), groups.size());
    if (fresh) groups.emplace_back();
    groups[it->second].push_back(&r);
  }
  for (auto& g : groups)
    std::stable_sort(g.begin(), g.end(), [](const ScenarioRun* a, const ScenarioRun* b) { return a->repeat < b->repeat; });
  return groups;
}

std::uint64_t trace_digest_term(const ScenarioRun& run) {
  // FNV-1a over the three fields, each ended by a zero byte so no two splits collide.
  std::uint64_t h = 1469598103934665603ull;
  const auto mix = [&h](std::string_view s) {
    for (unsigned char ch : s) h = (h ^ ch) * 1099511628211ull;
    h = (h ^ 0u) * 1099511628211ull;
  };
  mix(run.name);
  mix(std::to_string(run.seed));
  mix(run.trace_hash);
  return h;
}

void FoldedRuns::add(const std::vector<const ScenarioRun*>& group) {
  ++scenarios;
  for (const ScenarioRun* r : group) {
    ++runs;
    events += r->event_count();
    virtual_ns += r->virtual_ns;
    for (const ClauseResult& cr : r->clause_results)
      if (cr.clause && cr.exercised) {
        if (auto it = exercised.find(cr.clause->id); it != exercised.end())
          it->second += cr.exercised;
        else
          exercised.emplace(std::string(cr.clause->id), cr.exercised);
      }
    trace_digest += trace_digest_term(*r);
  }
}

std::vector<ClauseVerdict> clause_verdicts(const std::vector<std::vector<const ScenarioRun*>>& groups,
                                           const std::vector<ScenarioVerdict>& verdicts,
                                           const Contract& c, const FoldedRuns* folded) {
  std::vector<ClauseVerdict> out;
  for (const ContractClause& k : c.clauses) {
    ClauseVerdict cv;
    if (folded)
      if (auto it = folded->exercised.find(k.id); it != folded->exercised.end()) cv.exercised = it->second;
    bool hard = false, soft = false, flaky = false;
    for (std::size_t g = 0; g < groups.size(); ++g) {
      const Verdict gv = g < verdicts.size() ? verdicts[g].verdict : Verdict::pass;
      if (gv == Verdict::skipped || gv == Verdict::error) continue;  // nothing was graded
      for (const ScenarioRun* r : groups[g]) {
        std::size_t exercised = 0, violated = 0;
        for (const ClauseResult& cr : r->clause_results)
          if (cr.clause && cr.clause->id == k.id) exercised += cr.exercised;
        for (const Violation& v : r->violations) {
          if (v.clause != k.id || !k.in_contract) continue;
          ++violated;
          if (is_covered(v)) {
            ++cv.known;
          } else if (gv == Verdict::flaky) {
            flaky = true;
          } else if (!r->expected_violations.empty() || weight(v, c) == Weight::hard) {
            hard = true;  // a canary's required violation fails like any other
          } else {
            soft = true;
          }
        }
        // Harness-decided violations (a crash, descriptors left open) are evaluations too.
        cv.exercised += std::max(exercised, violated);
        cv.violations += violated;
      }
    }
    if (!k.in_contract) {
      cv.verdict = Verdict::skipped;
      cv.detail = k.skip_detail;
    } else if (hard) {
      cv.verdict = Verdict::fail;
    } else if (soft) {
      cv.verdict = Verdict::warn;
    } else if (flaky) {
      cv.verdict = Verdict::flaky;
    } else if (cv.known > 0) {
      cv.verdict = Verdict::known;
    } else if (cv.exercised > 0) {
      cv.verdict = Verdict::pass;
    } else {
      cv.verdict = Verdict::skipped;
      cv.detail = "not exercised";
    }
    out.push_back(std::move(cv));
  }
  return out;
}

Verdict run_verdict(const std::vector<ScenarioVerdict>& scenarios, const FoldedRuns* folded) {
  Verdict v = folded && folded->scenarios > 0 ? Verdict::pass : Verdict::skipped;
  for (const ScenarioVerdict& s : scenarios) v = worse(v, s.verdict);
  return v;
}

bool nondeterministic(const std::vector<std::vector<const ScenarioRun*>>& groups,
                      const std::vector<ScenarioVerdict>& verdicts) {
  for (std::size_t g = 0; g < groups.size() && g < verdicts.size(); ++g) {
    if (verdicts[g].verdict != Verdict::fail) continue;
    for (const ScenarioRun* r : groups[g])
      for (const Violation& v : r->violations)
        if (v.clause == "DT-REPLAY" && !is_covered(v)) return true;
  }
  return false;
}

int exit_code(Verdict run, bool nondet) {
  return ms::reports::exit_code_for_verdict(to_string(run), nondet);
}

}  // namespace ms::conf

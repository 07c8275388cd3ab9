// SPDX-License-Identifier: MIT
// verdict.hpp: one typed verdict per scenario, clause and run, computed once; every output
// (console, JSON, JUnit, HTML, matrix, merge, diff, exit code) is made from these.
//
// Lives beside the runner (library ms_driver) because it reads ScenarioRun; the words come
// from reports/words.hpp, which the report readers use too.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "conformance/clauses.hpp"
#include "conformance/runner.hpp"

namespace ms::conf {

// Order matches ms::reports::kVerdicts.
enum class Verdict : std::uint8_t { pass, fail, warn, known, skipped, error, flaky };
const char* to_string(Verdict v);
bool verdict_from_string(std::string_view word, Verdict& out);
Verdict worse(Verdict a, Verdict b);  // precedence fail, flaky, error, warn, known, pass, skipped

// One clause of the contract being checked, as the report lists it. contract() is the only
// place that decides which clauses, with which severity, statement, source and quote.
struct ContractClause {
  std::string id, group, severity, statement, document, quote;
  bool in_contract = true;
  std::string skip_detail;  // why not in the contract: "not in edition 7.16"
};
struct Contract {
  std::vector<ContractClause> clauses;  // catalogue order
  bool strict = false;                  // SHOULD violations are hard
  const ContractClause* find(std::string_view id) const;
};
// The clauses of one party (clauses.hpp: Party): a report grades either a library or an
// application, never both.
Contract contract(Edition edition, bool strict, Party party = Party::library);

// "MUST", "SHOULD", "OBSERVED" (the catalogue's), or "EXPECT" for a violation that names no
// catalogue clause (an unmet `expect` line of the scenario).
std::string violation_severity(const Violation& v, const Contract& c);
// Hard: a MUST clause of the contract, an unmet expect line, a crash or hang (ER-NO-CRASH),
// or a SHOULD under --strict. Soft: the rest (SHOULD, OBSERVED, clauses outside the contract).
bool is_hard(const Violation& v, const Contract& c);
// The violation a failed run is shrunk toward and named by: its first that no known entry
// covers and, with a contract, that fails the run (is_hard); else its first not covered,
// else its first; nullptr without any.
const Violation* failure_of(const ScenarioRun& run, const Contract* contract = nullptr);
inline bool is_covered(const Violation& v) { return !v.known.empty(); }

// The clauses a run was required to violate (canaries) that it did not. Shared with grade().
std::vector<std::string> missing_expected_violations(const std::vector<std::string>& expected,
                                                     const std::vector<Violation>& seen);

// A crash or hang carries an ER-NO-CRASH violation naming what is known (the signal, the
// limit); adds it when the run has none.
void ensure_crash_violation(ScenarioRun& run);
std::string signal_name(int signal);  // "SIGSEGV", "signal 77"

struct ScenarioVerdict {
  Verdict verdict = Verdict::pass;
  std::string detail;                // why, in one line ("" for a plain pass)
  std::map<Verdict, int> repeats;    // verdict -> runs, when run more than once
  std::size_t representative = 0;    // index into the group: the run the report shows
};

// One run. A canary (a run that lists expected violations) fails when they all show ("canary:
// failed as required": the command must turn red) and is an error when one does not (the
// harness can no longer see that violation).
ScenarioVerdict verdict_of_run(const ScenarioRun& run, const Contract& c);
// Repetitions of one scenario (same file and seed): flaky when their verdicts differ.
ScenarioVerdict verdict_of_repeats(const std::vector<const ScenarioRun*>& runs, const Contract& c);

// Runs grouped into repetitions (same file and seed), in order of first appearance.
std::vector<std::vector<const ScenarioRun*>> group_repeats(const std::vector<ScenarioRun>& runs);

struct ClauseVerdict {
  Verdict verdict = Verdict::skipped;
  std::string detail;  // why skipped; "" otherwise
  std::size_t exercised = 0, violations = 0, known = 0;
};
// Passing groups a report counts without listing them: a sweep of a million runs keeps
// these numbers, not a million runs. Only a group whose verdict is pass and whose runs have
// no violation at all is folded (conform lists the first kListedPassingMax of them).
inline constexpr std::size_t kListedPassingMax = 1000;
struct FoldedRuns {
  std::size_t scenarios = 0;  // groups (file, seed)
  std::size_t runs = 0;       // runs of those groups, repeats included
  std::uint64_t events = 0;
  std::int64_t virtual_ns = 0;
  std::map<std::string, std::size_t, std::less<>> exercised;  // clause id -> evaluations
  // Sum (mod 2^64) of one number per run made from its name, seed and trace hash: two
  // sweeps whose folded runs had the same traces have the same digest, in any order, and
  // the digests of shards add up to the digest of the whole.
  std::uint64_t trace_digest = 0;
  void add(const std::vector<const ScenarioRun*>& group);
};
// The digest's term for one run.
std::uint64_t trace_digest_term(const ScenarioRun& run);
// Every clause of the contract over all groups (verdicts[i] is group i's verdict) and, when
// given, the folded passing groups.
std::vector<ClauseVerdict> clause_verdicts(const std::vector<std::vector<const ScenarioRun*>>& groups,
                                           const std::vector<ScenarioVerdict>& verdicts,
                                           const Contract& c, const FoldedRuns* folded = nullptr);

// Worst of the scenario verdicts (pass too when groups were folded); skipped when nothing ran.
Verdict run_verdict(const std::vector<ScenarioVerdict>& scenarios, const FoldedRuns* folded = nullptr);
// True when a failing scenario failed DT-REPLAY (its replay differed) without cover.
bool nondeterministic(const std::vector<std::vector<const ScenarioRun*>>& groups,
                      const std::vector<ScenarioVerdict>& verdicts);
int exit_code(Verdict run, bool nondeterministic);

}  // namespace ms::conf

// SPDX-License-Identifier: MIT
// words.hpp: the words a report is made of, shared by the writer (conformance/) and every
// reader (reports/). No dependencies, so the trace codec can use it too.
#pragma once

#include <cstddef>
#include <string_view>

namespace ms::reports {

// Verdict words, in the order of ms::conf::Verdict (conformance/verdict.hpp).
inline constexpr const char* kVerdicts[] = {"pass", "fail", "warn", "known", "skipped", "error", "flaky"};
inline constexpr std::size_t kVerdictCount = std::size(kVerdicts);

// Worst first: a run, a merged scenario or a clause takes the first of these it has.
inline constexpr const char* kVerdictPrecedence[] = {"fail", "flaky", "error", "warn", "known", "pass", "skipped"};

// Rank in kVerdictPrecedence (0 = worst), or -1 for a word that is no verdict.
constexpr int verdict_rank(std::string_view word) {
  for (std::size_t i = 0; i < kVerdictCount; ++i)
    if (word == kVerdictPrecedence[i]) return static_cast<int>(i);
  return -1;
}

constexpr bool is_verdict(std::string_view word) { return verdict_rank(word) >= 0; }

// The worse of two verdict words (an unknown word counts as the worst).
constexpr std::string_view worse_verdict(std::string_view a, std::string_view b) {
  const int ra = verdict_rank(a), rb = verdict_rank(b);
  if (ra < 0) return a;
  if (rb < 0) return b;
  return rb < ra ? b : a;
}

// The exit code of a run from its verdict: fail 1 (4 when a scenario was nondeterministic
// under replay), flaky 4 (nondeterminism in real time), error 3, anything else 0.
constexpr int exit_code_for_verdict(std::string_view run_verdict, bool nondeterministic) {
  if (run_verdict == "fail") return nondeterministic ? 4 : 1;
  if (run_verdict == "flaky") return 4;
  if (run_verdict == "error") return 3;
  return 0;
}

// Violation severities: the clause's, or EXPECT for an unmet `expect` line of a scenario.
inline constexpr const char* kSeverities[] = {"MUST", "SHOULD", "OBSERVED", "EXPECT"};

// Keys of a trace event object (conformance/core/trace.cpp writes them, in this order; the
// order is the file format). kEventTime is the event's time in nanoseconds.
inline constexpr const char* kEventKeys[] = {"kind",    "t",      "easy",    "fd",
                                             "mask",    "action", "socketp", "result",
                                             "running", "value",  "code",    "text"};
inline constexpr const char* kEventKind = kEventKeys[0];
inline constexpr const char* kEventTime = kEventKeys[1];

}  // namespace ms::reports

// SPDX-License-Identifier: MIT
// reports.hpp: the conformance report ("multisock-report/2") and what is made from it.
//
// A report is plain JSON (nlohmann::json); reports/README.md documents every field.
// Everything here is a pure function of its input reports: no clock, no environment, so
// the same reports always give byte-identical JSON, JUnit XML, HTML and Markdown.
// Functions that take a report check it with validate() first and throw ReportError
// listing the problems, so bad input gives a clear message, never a crash.
#pragma once

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "reports/words.hpp"

namespace ms::reports {

using json = nlohmann::json;

inline constexpr const char* kSchema = "multisock-report/2";

// At most this many trace events in a violation's timeline (a window around the event:
// reports stay small enough to keep and to open, the repro command gives the whole trace).
inline constexpr std::size_t kTimelineMax = 160;

// The HTML page draws the timelines of the first this many violations of each clause (and
// of expect lines) per report; later ones of the same clause keep their excerpt, so a page
// with hundreds of violations stays small enough to open (the JSON keeps every timeline).
inline constexpr std::size_t kTimelinesDrawnPerClause = 4;

// The clause groups, in the order reports list them.
inline constexpr const char* kGroups[] = {"SA", "SC", "TM", "IR", "AS", "ER", "DP", "LG", "DT", "PA", "CL"};


struct ReportError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Text for a terminal or one line of a message: control characters, DEL and invalid UTF-8
// become visible \xNN escapes (so a string cannot start a line of its own or drive the
// terminal), and text past `max` bytes is cut, ending "...".
std::string printable(std::string_view s, std::size_t max = std::string_view::npos);

// Schema check. Returns one line per problem ("/clauses/3/status: expected one of ...,
// got \"passed\""); empty means the report is well formed.
std::vector<std::string> validate(const json& report);

// Throws ReportError naming `what` (a file name, "shard 2", ...) and every problem.
void require_valid(const json& report, std::string_view what);

// What a report reader accepts. A real report is far inside every bound (about 5 levels
// deep, strings of a few hundred bytes, counts in the thousands); the bounds keep a hostile
// or damaged file from exhausting the stack, the memory or the time of a reader.
inline constexpr std::uintmax_t kReportFileMax = 256u << 20;  // bytes of a report file
inline constexpr int kReportDepthMax = 64;                   // nested arrays and objects
inline constexpr std::size_t kReportStringMax = 1u << 20;    // bytes of one string as written
inline constexpr std::size_t kReportValuesMax = 1u << 24;    // JSON values in one report
// Counts (events, exercised, violations, repeats, summary figures, ...) are integers in
// [0, kCountMax]: exact in a double, so any JSON reader sees the same number, and a sum
// of two never overflows a 64-bit integer. Seeds are integers in [0, 2^64-1].
inline constexpr std::int64_t kCountMax = (std::int64_t{1} << 53) - 1;

// Parses report text and validates it, in time linear in its size and with recursion no
// deeper than kReportDepthMax. `what` names the text in messages (its file name):
// "what:LINE:COLUMN: reason" for text that is no JSON, nests too deep or holds a string
// too long; "what: /path: reason" for a duplicate key or a number no double can hold;
// then validate()'s problems. ReportError on any of them.
json parse_report(std::string_view text, std::string_view what);

// Reads a report file (a regular file of at most kReportFileMax bytes) and parse_report()s
// it; ReportError ("path: reason") on any problem.
json load(const std::filesystem::path& path);

// Sorts scenarios by (file, name, seed) and violations by (scenario, seed, event_index,
// clause), so equal runs serialise identically. Clauses keep their catalogue order.
void canonicalize(json& report);

// Recomputes the summary (verdict counts of scenarios and clauses), the run's verdict (the
// worst scenario verdict) and summary.exit_code from it (exit_code_for_verdict, with the
// nondeterminism of an uncovered DT-REPLAY violation).
void recompute_summary(json& report);
// The passing scenarios a report counts without listing (its `folded` member; 0 when none).
long long folded_scenarios(const json& report);
// A folded trace digest as the report writes it: 16 lowercase hexadecimal digits.
std::string digest_hex(std::uint64_t digest);

// Writes `content` to a temporary file beside `path` and renames it into place, so a
// reader never sees half a file. Creates missing parent folders. ReportError on failure.
void write_atomic(const std::filesystem::path& path, std::string_view content);

// Canonical JSON text of a report: sorted keys, two-space indent, trailing newline.
std::string to_json_text(const json& report);
void write_json(const json& report, const std::filesystem::path& path);

// JUnit XML (reports/junit.xsd): one <testsuites>, one <testsuite> per report, one
// <testcase> per scenario. Valid XML 1.0 whatever the strings hold.
std::string to_junit(const json& report);
std::string to_junit(const std::vector<json>& reports);
void write_junit(const json& report, const std::filesystem::path& path);

// One self-contained HTML page (inline CSS, JS and SVG; no network) for one or more reports.
// The overloads that take the reports sort them in place rather than copy them.
std::string to_html(const std::vector<json>& reports);
std::string to_html(std::vector<json>&& reports);
void write_html(const std::vector<json>& reports, const std::filesystem::path& path);
void write_html(std::vector<json>&& reports, const std::filesystem::path& path);

// DIR/report.json, DIR/junit.xml and DIR/report.html of one report, as write_json,
// write_junit and write_html write them, the report checked once for the three.
void write_report_files(const json& report, const std::filesystem::path& dir);

// Shards of one run -> the report of the whole run. ReportError when the shards do not
// belong to one run (different target, world, edition, known-deviations file, suite or
// strictness), are malformed, put one scenario name and seed in two different files, or
// when a count adds up past kCountMax. `names` name the shards in messages (file names;
// "report N" when not given).
json merge(const std::vector<json>& shards, const std::vector<std::string>& names = {});

struct ClauseChange {
  std::string id;
  std::string old_verdict;  // "absent" when the clause is not in that report
  std::string new_verdict;
};

// A scenario whose verdict differs between the two reports (key: file, name, seed).
struct ScenarioChange {
  std::string name;
  std::string file;
  std::uint64_t seed = 0;
  std::string old_verdict;  // "absent" when the scenario is not in that report
  std::string new_verdict;
};

struct Diff {
  std::vector<ClauseChange> changed;   // clauses whose verdict differs, catalogue order
  std::vector<json> new_violations;    // in new, not in old (key: clause or expectation, scenario, seed)
  std::vector<json> fixed_violations;  // in old, not in new
  std::vector<std::string> notes;      // e.g. the two reports are of different targets
  // Listed, never a regression by itself (pass -> skipped is news, not a failure).
  std::vector<ScenarioChange> scenarios_changed;  // sorted by file, name, seed
  // A clause went pass/skipped/absent -> fail, or a new violation no known deviation covers.
  bool regressed = false;
  // Strings from the reports appear with control characters and invalid UTF-8 as \xNN,
  // so a name cannot forge a line of the output.
  std::string to_text() const;
  json to_json() const;
};

Diff diff(const json& old_report, const json& new_report);

// Markdown table: one row per clause, one column per report, cells are verdict words; one
// footer line per report with its verdict and scenario counts.
std::string matrix_markdown(const std::vector<json>& reports);

}  // namespace ms::reports

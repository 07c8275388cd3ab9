// SPDX-License-Identifier: MIT
// cli_args_fuzzer: the option readers of the `multisock` commands (conform, replay,
// shrink, diff, report, clauses, explain, fetch, completion, bench; conformance/cli/options.hpp)
// on any words. Each reader parses with its command's CLI11 App (cli/apps.hpp); a reader
// that asked for an option its App lacks would throw, which is a crash here.
//
// Here's how it works. The input is split into argv words: at NUL bytes when it holds
// one (so a word may hold a newline), else at newlines (seed files are readable command
// lines). When the first word names a command, its reader gets the other words; otherwise
// every reader gets all of them. Readers run nothing. Oracles:
//   - no crash and no exception (one escaping is a crash);
//   - a usage error is one line: no newline, no control character;
//   - an accepted command read every word, and its numbers are in range (runs, repeat,
//     shard, a seed sweep that does not pass 2^64-1, stop-at-event, max-runs, fetch's
//     limits, bench's sizes and its ascending --handles);
//   - parse_number agrees with std::from_chars on every word (digits only, within max).
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "cli/options.hpp"
#include "conformance/clauses.hpp"

namespace {

using namespace ms::cli;

#define FUZZ_CHECK(cond)                                            \
  do {                                                              \
    if (!(cond)) {                                                  \
      std::fprintf(stderr, "cli_args_fuzzer: %s failed\n", #cond);  \
      std::abort();                                                 \
    }                                                               \
  } while (0)

std::vector<std::string> split(std::string_view input) {
  const char separator = input.find('\0') != std::string_view::npos ? '\0' : '\n';
  std::vector<std::string> words;
  std::size_t start = 0;
  while (start <= input.size()) {
    const std::size_t end = std::min(input.find(separator, start), input.size());
    if (end > start || separator == '\0') words.emplace_back(input.substr(start, end - start));
    start = end + 1;
  }
  return words;
}

void check_one_line(const std::string& problem) {
  for (char ch : problem) {
    const auto c = static_cast<unsigned char>(ch);
    FUZZ_CHECK(c >= 0x20 && c != 0x7F);
  }
}

// Runs one reader on fresh Args; true when it accepted the words.
template <typename Options, typename Reader>
bool read(const std::vector<std::string>& words, Reader reader, Options& options) {
  Args args(words);
  const std::string problem = reader(args, options);
  if (!problem.empty()) {
    check_one_line(problem);
    return false;
  }
  FUZZ_CHECK(args.problem().empty());  // every word was read
  return true;
}

void conform(const std::vector<std::string>& words) {
  ConformOptions o;
  if (!read(words, read_conform_options, o)) return;
  FUZZ_CHECK(o.runs >= 1 && static_cast<std::uint64_t>(o.runs) <= kRunsMax);
  FUZZ_CHECK(o.repeat >= 1 && static_cast<std::uint64_t>(o.repeat) <= kRepeatMax);
  FUZZ_CHECK(o.shard_i >= 0 && o.shard_i < o.shard_n && static_cast<std::uint64_t>(o.shard_n) <= kShardsMax);
  if (o.seed) FUZZ_CHECK(*o.seed + static_cast<std::uint64_t>(o.runs - 1) >= *o.seed);  // no wrap
  FUZZ_CHECK(!o.report_dir || !o.report_dir->empty());
  FUZZ_CHECK(!o.failures_dir.empty());
}

void replay(const std::vector<std::string>& words) {
  ReplayOptions o;
  if (!read(words, read_replay_options, o)) return;
  FUZZ_CHECK(!o.stop_at_event || *o.stop_at_event >= 0);
}

void shrink(const std::vector<std::string>& words) {
  ShrinkOptions o;
  if (!read(words, read_shrink_options, o)) return;
  FUZZ_CHECK(o.max_runs >= 1 && static_cast<std::uint64_t>(o.max_runs) <= kShrinkRunsMax);
  FUZZ_CHECK(o.run.target.is_virtual());
  FUZZ_CHECK(!o.out_dir.empty());
  FUZZ_CHECK(!o.fuzz_input || o.file.empty());
}

void diff(const std::vector<std::string>& words) {
  DiffOptions o;
  read(words, read_diff_options, o);
}

void report(const std::vector<std::string>& words) {
  ReportOptions o;
  if (!read(words, read_report_options, o)) return;
  const bool out = o.out.has_value();
  if (o.sub == "merge" || o.sub == "html") {
    FUZZ_CHECK(out && !o.out->empty() && !o.files.empty());
  } else if (o.sub == "diff") {
    FUZZ_CHECK(!out && o.files.size() == 2);
  } else {
    FUZZ_CHECK(o.sub == "matrix" && !out && !o.files.empty());
  }
}

void clauses(const std::vector<std::string>& words) {
  ClausesOptions o;
  read(words, read_clauses_options, o);
}

void explain(const std::vector<std::string>& words) {
  ExplainOptions o;
  if (!read(words, read_explain_options, o)) return;
  FUZZ_CHECK(ms::conf::find_clause(o.clause_id) != nullptr);
}

void fetch(const std::vector<std::string>& words) {
  FetchOptions o;
  if (!read(words, read_fetch_options, o)) return;
  FUZZ_CHECK(!o.urls.empty());
  FUZZ_CHECK(o.timeout_ms >= 0 && static_cast<std::uint64_t>(o.timeout_ms) <= kFetchValueMax);
  FUZZ_CHECK(o.connect_timeout_ms >= 1 && static_cast<std::uint64_t>(o.connect_timeout_ms) <= kFetchValueMax);
  FUZZ_CHECK(o.max_redirs >= 0 && static_cast<std::uint64_t>(o.max_redirs) <= kFetchValueMax);
  FUZZ_CHECK(o.parallel >= 0 && static_cast<std::uint64_t>(o.parallel) <= kFetchParallelMax);
  FUZZ_CHECK(!o.dir || !o.dir->empty());
}

void bench(const std::vector<std::string>& words) {
  BenchWords o;
  if (!read(words, read_bench_options, o)) return;
  const ms::bench::BenchOptions& r = o.run;
  FUZZ_CHECK(r.rounds >= 1 && r.rounds <= 100 && r.gets >= 1 && r.gets <= 1000000);
  FUZZ_CHECK(r.slots >= 1 && r.slots <= 1000 && r.bulk_mb >= 1 && r.files >= 1);
  FUZZ_CHECK(!r.handles.empty() && !r.sections.empty());
  for (std::size_t i = 0; i < r.handles.size(); ++i)
    FUZZ_CHECK(r.handles[i] >= 1 && r.handles[i] <= 1000000 && (i == 0 || r.handles[i] > r.handles[i - 1]));
  FUZZ_CHECK(!o.report_dir.empty() && (!o.render || !o.render->empty()));
}

void completion(const std::vector<std::string>& words) {
  std::string shell;
  if (read(words, read_completion_options, shell)) FUZZ_CHECK(shell == "bash");
}

// parse_number against std::from_chars, which reads the same digits-only form.
void numbers(const std::string& word) {
  for (const std::uint64_t max : {std::uint64_t{0}, std::uint64_t{5}, std::uint64_t{1000}, std::uint64_t{1} << 53,
                                  ~std::uint64_t{0}}) {
    std::uint64_t mine = 0, theirs = 0;
    const bool accepted = parse_number(word, max, mine);
    const auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), theirs);
    const bool digits_only = !word.empty() && word.find_first_not_of("0123456789") == std::string::npos;
    const bool expected = digits_only && ec == std::errc() && end == word.data() + word.size() && theirs <= max;
    FUZZ_CHECK(accepted == expected);
    if (accepted) FUZZ_CHECK(mine == theirs);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 4096) return 0;  // argv words, not files
  const std::vector<std::string> words = split(std::string_view(reinterpret_cast<const char*>(data), size));
  for (const auto& w : words) numbers(w);
  using Reader = void (*)(const std::vector<std::string>&);
  struct Command {
    const char* name;
    Reader run;
  };
  static const Command commands[] = {{"conform", conform}, {"replay", replay},   {"shrink", shrink},
                                     {"diff", diff},       {"report", report},   {"clauses", clauses},
                                     {"explain", explain}, {"fetch", fetch},       {"completion", completion},
                                     {"bench", bench}};
  if (!words.empty())
    for (const Command& c : commands)
      if (words[0] == c.name) {
        c.run(std::vector<std::string>(words.begin() + 1, words.end()));
        return 0;
      }
  for (const Command& c : commands) c.run(words);
  return 0;
}

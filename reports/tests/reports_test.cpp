// SPDX-License-Identifier: MIT
// reports_test.cpp: the report library on hand-made reports.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <regex>
#include <sstream>

#include "reports/reports.hpp"
#include "sample.hpp"

namespace {

using ms::reports::json;
namespace rep = ms::reports;
namespace fs = std::filesystem;
using rep::testing::SampleOptions;
using rep::testing::sample_report;

std::size_t count(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = hay.find(needle); pos != std::string::npos; pos = hay.find(needle, pos + needle.size())) ++n;
  return n;
}

bool has_problem(const json& r, const std::string& fragment) {
  for (const auto& p : rep::validate(r))
    if (p.find(fragment) != std::string::npos) return true;
  return false;
}

fs::path temp_dir(const std::string& name) {
  fs::path d = fs::path(::testing::TempDir()) / ("ms_reports_" + name);
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

json clause(const json& r, const std::string& id) {
  for (const auto& k : r["clauses"])
    if (k["id"] == id) return k;
  return json();
}

TEST(Validate, AcceptsSampleReports) {
  EXPECT_EQ(rep::validate(sample_report()), std::vector<std::string>{});
  SampleOptions hostile;
  hostile.hostile = true;
  EXPECT_EQ(rep::validate(sample_report(hostile)), std::vector<std::string>{});
}

TEST(Validate, RejectsBrokenInput) {
  EXPECT_TRUE(has_problem(json::array(), "a report is a JSON object"));
  json r = sample_report();
  r["schema"] = "multisock-report/0";
  EXPECT_TRUE(has_problem(r, "/schema: expected \"multisock-report/2\""));

  r = sample_report();
  r["clauses"][2]["verdict"] = "passed";
  EXPECT_TRUE(has_problem(r, "/clauses/2/verdict: expected one of pass|fail|warn|known|skipped|error|flaky"));

  r = sample_report();
  r["verdict"] = "pass";  // the sample has a failing scenario
  EXPECT_TRUE(has_problem(r, "/verdict: says \"pass\" but the worst scenario verdict is \"fail\""));

  r = sample_report();
  r["summary"]["exit_code"] = 0;
  EXPECT_TRUE(has_problem(r, "/summary/exit_code: says 0 but verdict \"fail\" means exit 1"));

  r = sample_report();
  r["violations"][0]["timeline"] = json::array();
  for (std::size_t i = 0; i <= ms::reports::kTimelineMax; ++i) r["violations"][0]["timeline"].push_back({{"kind", "note"}});
  EXPECT_TRUE(has_problem(r, "/violations/0/timeline: at most " + std::to_string(ms::reports::kTimelineMax) + " events"));

  r = sample_report();
  r["violations"][0]["clause"] = "";
  EXPECT_TRUE(has_problem(r, "/violations/0/expectation: missing"));

  r = sample_report();
  r.erase("target");
  EXPECT_TRUE(has_problem(r, "/target: missing"));

  r = sample_report();
  r["violations"][0]["clause"] = "XX-NOPE";
  EXPECT_TRUE(has_problem(r, "/violations/0/clause: unknown clause"));

  r = sample_report();
  r["violations"][0]["timeline"][3] = "not an event";
  EXPECT_TRUE(has_problem(r, "/violations/0/timeline/3: expected a trace event object"));

  r = sample_report();
  r["summary"]["clauses"]["pass"] = 99;
  EXPECT_TRUE(has_problem(r, "/summary/clauses/pass: says 99"));
  r = sample_report();
  r["summary"]["scenarios"]["fail"] = 0;
  EXPECT_TRUE(has_problem(r, "/summary/scenarios/fail: says 0 but 1 scenarios have verdict fail"));

  r = sample_report();
  r["generated_at"] = "yesterday";
  EXPECT_TRUE(has_problem(r, "/generated_at"));

  r = sample_report();
  r["shard"] = {{"index", 2}, {"count", 2}};
  EXPECT_TRUE(has_problem(r, "/shard: index must be in [0, count)"));
}

// Every field replaced by every wrong kind of value: a clear problem, and every writer
// refuses with ReportError instead of crashing.
TEST(Validate, EveryWrongTypeIsReportedNeverCrashes) {
  const json base = sample_report();
  const json wrong[] = {nullptr, 7, -3, "text", json::array(), json::object(), true, 1.5};
  std::vector<std::vector<std::string>> paths;
  for (const auto& [k, v] : base.items()) {
    paths.push_back({k});
    if (v.is_object())
      for (const auto& [k2, v2] : v.items()) paths.push_back({k, k2});
  }
  for (const char* list : {"clauses", "scenarios", "violations"})
    for (const auto& [k, v] : base[list][0].items()) paths.push_back({list, "0", k});
  std::size_t checked = 0;
  for (const auto& path : paths) {
    for (const json& w : wrong) {
      json r = base;
      json* slot = &r;
      for (const auto& part : path) slot = part == "0" ? &(*slot)[0] : &(*slot)[part];
      if (*slot == w || (slot->is_number() && w.is_number() && !w.is_number_float() && !(w.get<long long>() < 0)))
        continue;  // same value, or a fine number
      if (slot->is_number_float() && w.is_number()) continue;
      *slot = w;
      auto problems = rep::validate(r);
      if (problems.empty()) continue;  // e.g. an empty list where one is allowed
      if (checked++ % 4 != 0) continue;  // the writers share one check: a sample of cases is enough
      EXPECT_THROW(rep::to_junit(r), rep::ReportError);
      EXPECT_THROW(rep::to_html({r}), rep::ReportError);
      EXPECT_THROW(rep::merge({r, base}), rep::ReportError);
      EXPECT_THROW(rep::diff(base, r), rep::ReportError);
      EXPECT_THROW(rep::matrix_markdown({r}), rep::ReportError);
    }
  }
  EXPECT_GT(checked, 300u);
  // Strings with markup, quotes and control characters are fine everywhere.
  json odd = base;
  // ("\x01" "b": split so the hex escape does not swallow the b.)
  odd["target"]["version"] = std::string("a\x01" "b<\"'&>\n");
  EXPECT_EQ(rep::validate(odd), std::vector<std::string>{});
  EXPECT_NO_THROW(rep::to_junit(odd));
  EXPECT_NO_THROW(rep::to_html({odd}));
}

TEST(Load, GivesClearErrorsForBadFiles) {
  fs::path d = temp_dir("load");
  std::ofstream(d / "broken.json") << "{\"schema\": ";
  try {
    rep::load(d / "broken.json");
    FAIL() << "no error";
  } catch (const rep::ReportError& e) {
    EXPECT_NE(std::string(e.what()).find("broken.json:1:12: not JSON: "), std::string::npos) << e.what();
  }
  std::ofstream(d / "wrong.json") << "{\"schema\": \"x\"}";
  try {
    rep::load(d / "wrong.json");
    FAIL() << "no error";
  } catch (const rep::ReportError& e) {
    EXPECT_NE(std::string(e.what()).find("wrong.json: not a valid multisock-report/2 report"), std::string::npos);
  }
  EXPECT_THROW(rep::load(d / "absent.json"), rep::ReportError);
}

// The message of the ReportError `f` throws ("" when it throws none).
template <typename F>
std::string report_error(F&& f) {
  try {
    f();
  } catch (const rep::ReportError& e) {
    return e.what();
  }
  return "";
}

std::string write_text(const fs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
  return p.string();
}

TEST(Load, RefusesDeepNestingBeforeParsing) {
  fs::path d = temp_dir("deep");
  const std::string report = rep::to_json_text(sample_report());
  // 100,000 levels crashed the recursive reader; the refusal names where depth 65 starts
  // (the report's own object is the first level).
  for (const std::size_t levels : {65u, 100000u}) {
    std::string text = report;
    text.insert(1, "\"extra\": " + std::string(levels, '[') + std::string(levels, ']') + ",\n");
    const std::string file = write_text(d / "deep.json", text);
    const std::string msg = report_error([&] { rep::load(file); });
    EXPECT_NE(msg.find(file + ":1:74: nested deeper than 64 levels"), std::string::npos) << msg.substr(0, 200);
  }
  // 64 levels are fine, and brackets inside strings are no nesting.
  std::string text = report;
  text.insert(1, "\"extra\": " + std::string(63, '[') + std::string(63, ']') + ", \"more\": \"" +
                     std::string(1000, '[') + "\",\n");
  EXPECT_EQ(rep::load(write_text(d / "fine.json", text)), rep::parse_report(text, "fine"));
}

// This thread's CPU time for one call of f, in seconds: other processes do not count.
template <typename F>
double thread_cpu_seconds(F&& f) {
  const auto now = [] {
    timespec ts{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
  };
  const double start = now();
  f();
  return now() - start;
}

TEST(Load, ReadsInLinearTime) {
  // 30,000 levels of nesting took half a minute to refuse, and nlohmann's callback reader
  // made reading grow with the square of the scenarios. A text 8 times as long must read in
  // less than 13 times the CPU time (7-9 measured; 16-20 with that reader): each size read
  // three times in rotation, the cheapest kept, so a busy spell of the machine meets both
  // sizes or neither. No absolute time is asserted (a sanitizer's build reads slower).
  const auto nested = [](int levels) {
    return "{\"x\": " + std::string(levels, '[') + std::string(levels, ']') + "}";
  };
  EXPECT_NE(report_error([&] { rep::parse_report(nested(30000), "deep"); }).find("deep:1:70: nested deeper"),
            std::string::npos);
  const auto report_text = [](int scenarios) {
    json r = sample_report({.with_violation = false});
    const json one = r["scenarios"][0];
    r["scenarios"] = json::array();
    for (int i = 0; i < scenarios; ++i) {
      json s = one;
      s["seed"] = i;
      r["scenarios"].push_back(std::move(s));
    }
    rep::recompute_summary(r);
    return rep::to_json_text(r);
  };
  const std::string deep[2] = {nested(4000), nested(32000)};
  const std::string wide[2] = {report_text(1000), report_text(8000)};
  EXPECT_EQ(rep::parse_report(wide[1], "wide")["scenarios"].size(), 8000u);
  double deep_s[2] = {1e9, 1e9};
  double wide_s[2] = {1e9, 1e9};
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 2; ++i) {
      deep_s[i] = std::min(deep_s[i], thread_cpu_seconds([&] { report_error([&] { rep::parse_report(deep[i], "deep"); }); }));
      wide_s[i] = std::min(wide_s[i], thread_cpu_seconds([&] { rep::parse_report(wide[i], "wide"); }));
    }
  }
  std::printf("reading: 4,000 and 32,000 levels %.6f s, %.6f s; 1,000 and 8,000 scenarios %.4f s, %.4f s\n",
              deep_s[0], deep_s[1], wide_s[0], wide_s[1]);
  // 2 ms of slack for the clock's granularity on the short reads.
  EXPECT_LT(deep_s[1], 13 * deep_s[0] + 0.002) << "4,000 levels: " << deep_s[0] << " s, 32,000: " << deep_s[1] << " s";
  EXPECT_LT(wide_s[1], 13 * wide_s[0] + 0.002) << "1,000 scenarios: " << wide_s[0] << " s, 8,000: " << wide_s[1] << " s";
}

TEST(Load, RefusesWhatIsNoRegularFileOrTooLarge) {
  fs::path d = temp_dir("files");
  EXPECT_EQ(report_error([&] { rep::load(d); }), d.string() + ": a directory, not a report file");
  EXPECT_EQ(report_error([&] { rep::load("/dev/zero"); }), "/dev/zero: not a regular file");
  const fs::path fifo = d / "fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(report_error([&] { rep::load(fifo); }), fifo.string() + ": not a regular file");  // no blocking open
  const fs::path huge = d / "huge.json";
  std::ofstream(huge) << "{}";
  fs::resize_file(huge, rep::kReportFileMax + 1);  // sparse: no disk used
  EXPECT_EQ(report_error([&] { rep::load(huge); }),
            huge.string() + ": larger than " + std::to_string(rep::kReportFileMax) + " bytes");
}

TEST(Load, RefusesLongStringsDuplicateKeysAndEndlessNumbers) {
  const std::string report = rep::to_json_text(sample_report());
  std::string text = report;
  text.insert(1, "\"extra\": \"" + std::string(rep::kReportStringMax + 1, 'x') + "\",");
  EXPECT_EQ(report_error([&] { rep::parse_report(text, "r.json"); }),
            "r.json:1:11: a string longer than " + std::to_string(rep::kReportStringMax) + " bytes");
  // Two "verdict" keys: readers differ on which one counts.
  text = report;
  const auto at = text.find("\n  \"verdict\": \"fail\"");
  ASSERT_NE(at, std::string::npos);
  text.insert(at + 1, "\"verdict\": \"pass\", ");
  EXPECT_EQ(report_error([&] { rep::parse_report(text, "r.json"); }),
            "r.json: /verdict: duplicate key (a reader would keep one of the values)");
  text = report;
  text.insert(text.find("\"clauses\": [") + 12, "{\"id\": \"X\", \"id\": \"Y\"},");
  EXPECT_EQ(report_error([&] { rep::parse_report(text, "r.json"); }),
            "r.json: /clauses/0/id: duplicate key (a reader would keep one of the values)");
  // 1e999 has no double (infinity would be written back as null).
  text = report;
  text.insert(1, "\"extra\": [1, {\"a\": 1e999}],");
  EXPECT_EQ(report_error([&] { rep::parse_report(text, "r.json"); }),
            "r.json: not JSON: number overflow parsing '1e999'");
  // A syntax error names its line and column, with the text read shown escaped and cut.
  const std::string msg =
      report_error([&] { rep::parse_report("{\n  \"a\": \x01" + std::string(500, 'z'), "r.json"); });
  EXPECT_EQ(msg.rfind("r.json:2:8: not JSON: ", 0), 0u) << msg;
  EXPECT_EQ(msg.find('\x01'), std::string::npos) << msg;
  EXPECT_LT(msg.size(), 300u) << msg;
}

TEST(Validate, NumbersAreRangeCheckedWhereTheyEnter) {
  const json base = sample_report();
  const std::uint64_t max64 = std::numeric_limits<std::uint64_t>::max();
  json r = base;
  r["clauses"][0]["exercised"] = max64;  // wrapped to -1 in merge
  EXPECT_TRUE(has_problem(r, "/clauses/0/exercised: expected an integer in [0, 2^53), got 18446744073709551615"));
  r = base;
  r["clauses"][0]["violations"] = 1.5;
  EXPECT_TRUE(has_problem(r, "/clauses/0/violations: expected an integer in [0, 2^53), got 1.5"));
  r = base;
  r["speed"]["events"] = std::uint64_t{1} << 53;
  EXPECT_TRUE(has_problem(r, "/speed/events: expected an integer in [0, 2^53), got 9007199254740992"));
  r = base;
  r["speed"]["wall_seconds"] = -1;
  EXPECT_TRUE(has_problem(r, "/speed/wall_seconds: expected a finite number >= 0, got -1"));
  r = base;
  r["scenarios"][0]["seed"] = -1;
  EXPECT_TRUE(has_problem(r, "/scenarios/0/seed: expected an integer in [0, 2^64), got -1"));
  r = base;
  r["scenarios"][0]["repeats"] = {{"pass", max64}};
  EXPECT_TRUE(has_problem(r, "/scenarios/0/repeats/pass: expected a count in [1, 2^53), got 18446744073709551615"));
  r = base;
  r["shard"]["count"] = max64;
  EXPECT_TRUE(has_problem(r, "/shard/count: expected an integer in [1, 2^53)"));
  r = base;
  r["violations"][0]["timeline"][0]["fd"] = std::int64_t{1} << 40;
  EXPECT_TRUE(has_problem(r, "/violations/0/timeline/0/fd: expected an integer in [-2^31, 2^31), got 1099511627776"));
  r = base;
  r["violations"][0]["timeline"][0]["t"] = max64;
  EXPECT_TRUE(has_problem(r, "/violations/0/timeline/0/t: expected an integer in [-2^63, 2^63)"));
  r = base;
  r["summary"]["clauses"]["pass"] = max64;
  EXPECT_TRUE(has_problem(r, "/summary/clauses/pass: expected an integer in [0, 2^53)"));
  // The extremes a run can write are fine: seed 2^64-1, times and timer values of 64 bits.
  r = base;
  const std::string name = r["violations"][0]["scenario"];
  for (auto& s : r["scenarios"])
    if (s["name"] == name) s["seed"] = max64;
  for (auto& v : r["violations"])
    if (v["scenario"] == name) v["seed"] = max64;
  r["seeds"] = {max64};
  r["violations"][0]["timeline"][0]["t"] = std::numeric_limits<std::int64_t>::min();
  r["violations"][0]["timeline"][1]["t"] = std::numeric_limits<std::int64_t>::max();
  r["violations"][0]["timeline"][1]["kind"] = "timer_cb";
  r["violations"][0]["timeline"][1]["value"] = std::numeric_limits<std::int64_t>::max();
  r["violations"][0]["time_ns"] = std::numeric_limits<std::int64_t>::min();
  EXPECT_EQ(rep::validate(r), std::vector<std::string>{});
  EXPECT_NO_THROW(rep::to_html({r}));
  EXPECT_NE(rep::to_junit(r).find("[seed 18446744073709551615]"), std::string::npos);
  EXPECT_NE(rep::to_junit(r).find("name=\"seeds\" value=\"18446744073709551615\""), std::string::npos);
  EXPECT_EQ(rep::merge({r, r})["scenarios"].size(), r["scenarios"].size());
  // Consecutive seeds read as ranges, in JUnit and HTML alike; the largest seed ends one.
  r["seeds"] = json::array();
  for (std::uint64_t seed : {std::uint64_t{1}, std::uint64_t{2}, std::uint64_t{3}, std::uint64_t{7},
                             std::uint64_t{9}, std::uint64_t{10}, max64 - 1, max64})
    r["seeds"].push_back(seed);
  const std::string ranges = "1-3, 7, 9-10, 18446744073709551614-18446744073709551615";
  EXPECT_NE(rep::to_junit(r).find("name=\"seeds\" value=\"" + ranges + "\""), std::string::npos);
  EXPECT_NE(rep::to_html({r}).find("<dt>seeds</dt><dd>" + ranges + "</dd>"), std::string::npos);
}

TEST(Validate, ProblemsStayFewAndShort) {
  json r = sample_report();
  r["seeds"] = json::array();
  for (int i = 0; i < 100000; ++i) r["seeds"].push_back("x");
  r["generated_at"] = std::string(100000, '7');
  const auto problems = rep::validate(r);
  ASSERT_EQ(problems.size(), 101u);
  EXPECT_EQ(problems.back(), "... and 99901 more problems");
  for (const auto& p : problems) EXPECT_LT(p.size(), 200u) << p;
  // A timestamp with a fraction of 300,000 digits exhausted std::regex's stack.
  r = sample_report();
  r["generated_at"] = "2026-11-23T12:00:00." + std::string(300000, '1') + "Z";
  EXPECT_EQ(rep::validate(r), std::vector<std::string>{});
  r["generated_at"] = "2026-11-23T12:00:00." + std::string(300000, '1') + "X";
  EXPECT_TRUE(has_problem(r, "/generated_at: expected UTC time"));
}

TEST(Validate, OneScenarioNameAndSeedIsListedOnce) {
  json r = sample_report({.with_violation = false});
  json twin = r["scenarios"][0];
  twin["file"] = "other/" + twin["file"].get<std::string>();  // two files of one name
  r["scenarios"].push_back(twin);
  rep::recompute_summary(r);
  EXPECT_TRUE(has_problem(r, "/scenarios/" + std::to_string(r["scenarios"].size() - 1) + ": duplicate scenario \"" +
                                 twin["name"].get<std::string>() + "\" with seed 42 (also /scenarios/0)"));
}

TEST(Merge, CountsThatAddUpPastTheCapAreRefused) {
  json a = sample_report();
  a["clauses"][0]["exercised"] = rep::kCountMax;
  ASSERT_EQ(rep::validate(a), std::vector<std::string>{});
  const std::string id = a["clauses"][0]["id"];
  EXPECT_EQ(report_error([&] { rep::merge({a, a}, {"a.json", "b.json"}); }),
            "merge: b.json: clause " + id + ": exercised adds up past 9007199254740991");
  json b = sample_report();
  b["speed"]["histories"] = rep::kCountMax;
  EXPECT_NE(report_error([&] { rep::merge({b, b}); }).find("merge: report 2: /speed/histories adds up past"),
            std::string::npos);
  json c = sample_report();
  c["scenarios"][0]["repeats"] = {{c["scenarios"][0]["verdict"].get<std::string>(), rep::kCountMax}};
  ASSERT_EQ(rep::validate(c), std::vector<std::string>{});
  EXPECT_NE(report_error([&] { rep::merge({c, c}); }).find(": repeats adds up past"), std::string::npos);
  json d = sample_report();
  d["speed"]["wall_seconds"] = std::numeric_limits<double>::max();
  EXPECT_NE(report_error([&] { rep::merge({d, d}); }).find("merge: /speed: the seconds"), std::string::npos);
}

TEST(Merge, RefusesOneScenarioInTwoFilesAndShardsOfAnotherWorldOrKnownFile) {
  json a = sample_report({.with_violation = false});
  json b = a;
  b["scenarios"][0]["file"] = "elsewhere.scn";
  EXPECT_EQ(report_error([&] { rep::merge({a, b}, {"a.json", "b.json"}); }),
            "merge: b.json: scenario \"" + b["scenarios"][0]["name"].get<std::string>() +
                "\" (seed 42) is from file \"elsewhere.scn\" here and from \"" +
                a["scenarios"][0]["file"].get<std::string>() + "\" in a.json");
  json sim = a, real = a;
  sim["target"]["world"] = "sim";
  real["target"]["world"] = "real";
  EXPECT_EQ(report_error([&] { rep::merge({sim, real}, {"sim.json", "real.json"}); }),
            "merge: real.json is of another run than sim.json: world \"real\" vs \"sim\"");
  json known = a;
  known["known"] = {{"file", "k.known"}, {"implementation", "multisock"}, {"versions", "any"},
                    {"title", ""}, {"entries", json::array()}};
  EXPECT_EQ(report_error([&] { rep::merge({a, known}); }),
            "merge: report 2 is of another run than report 1: known deviations \"k.known\" vs null");
}

// Shards judged with one known file: each entry's count of matches is the sum of the
// shards' (the first shard's alone told a reader an entry matched in another was unseen).
TEST(Merge, KnownEntryMatchesAddUp) {
  const auto with_known = [](json r, long long first, long long second) {
    const auto entry = [](const char* clause, long long line, long long matched) {
      return json{{"clause", clause}, {"scenario", ""}, {"match", ""}, {"reason", "why"},
                  {"evidence", "head_request"}, {"line", line}, {"matched", matched}};
    };
    r["known"] = {{"file", "k.known"}, {"implementation", "multisock"}, {"versions", "any"}, {"title", ""},
                  {"entries", json::array({entry("TM-DELETE", 10, first), entry("SC-CHANGES", 14, second)})}};
    return r;
  };
  const json s0 = with_known(sample_report({.shard_index = 0, .shard_count = 2}), 3, 0);
  const json s1 = with_known(sample_report({.shard_index = 1, .shard_count = 2}), 4, 2);
  const json m = rep::merge({s0, s1});
  EXPECT_EQ(rep::validate(m), std::vector<std::string>{});
  EXPECT_EQ(m["known"]["entries"][0]["matched"], 7);
  EXPECT_EQ(m["known"]["entries"][1]["matched"], 2);
  EXPECT_EQ(rep::merge({s1, s0})["known"], m["known"]);
  // One file's path, other entries: not one run.
  json edited = s1;
  edited["known"]["entries"][1]["clause"] = "SC-REMOVE";
  EXPECT_NE(report_error([&] { rep::merge({s0, edited}); })
                .find("merge: report 2 is of another run than report 1: known deviation entries"),
            std::string::npos);
}

TEST(Diff, TextShowsControlCharactersEscaped) {
  json before = sample_report({.with_violation = false});
  json after = before;
  // A name that would print a line of its own saying the opposite of the verdict.
  after["scenarios"][0]["name"] = "x\nnot regressed\n\x1b[2J";
  rep::recompute_summary(after);
  const std::string text = rep::diff(before, after).to_text();
  EXPECT_NE(text.find("scenario x\\x0anot regressed\\x0a\\x1b[2J (seed 42): absent -> pass\n"), std::string::npos)
      << text;
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
  EXPECT_EQ(rep::printable("a\xc2\x9b" "b\xe2\x80\xae" "c\xff"), "a\\xc2\\x9bb\\xe2\\x80\\xaec\\xff");
  EXPECT_EQ(rep::printable("h\xc3\xa9llo", 3), "h\xc3\xa9...");
}

TEST(WriteJson, IsCanonicalAtomicAndRoundTrips) {
  fs::path d = temp_dir("json");
  json r = sample_report();
  // Shuffle the lists: the file must come out in canonical order anyway.
  std::reverse(r["scenarios"].begin(), r["scenarios"].end());
  rep::write_json(r, d / "out" / "report.json");
  std::size_t files = 0;
  for (const auto& e : fs::directory_iterator(d / "out")) files += e.is_regular_file();
  EXPECT_EQ(files, 1u) << "a temporary file was left behind";
  std::string text = read(d / "out" / "report.json");
  EXPECT_EQ(text, rep::to_json_text(sample_report()));
  EXPECT_EQ(rep::load(d / "out" / "report.json"), sample_report());
}

// The writers read a report in canonical order as it is and sort a copy of any other: the
// two paths must give the same text.
TEST(Canonical, EveryWriterGivesAShuffledReportItsCanonicalForm) {
  json shuffled = sample_report();
  std::reverse(shuffled["scenarios"].begin(), shuffled["scenarios"].end());
  shuffled["violations"].push_back(shuffled["violations"].front());  // at the end: out of order
  shuffled["violations"].erase(shuffled["violations"].begin());
  json seeds = shuffled["seeds"];
  seeds.push_back(seeds.front());  // twice, and last
  shuffled["seeds"] = seeds;
  json canonical = shuffled;
  rep::canonicalize(canonical);
  ASSERT_NE(canonical, shuffled);
  ASSERT_EQ(canonical["seeds"].size(), seeds.size() - 1);
  ASSERT_TRUE(rep::validate(shuffled).empty());
  EXPECT_EQ(rep::to_junit(shuffled), rep::to_junit(canonical));
  EXPECT_EQ(rep::to_html({shuffled}), rep::to_html({canonical}));
  EXPECT_EQ(rep::to_html(std::vector<json>{shuffled}), rep::to_html(std::vector<json>{canonical}));
  const std::vector<json> kept = {shuffled};
  EXPECT_EQ(rep::to_html(kept), rep::to_html({canonical}));
  EXPECT_EQ(kept.front(), shuffled) << "the const overload sorted its input";
  fs::path d = temp_dir("canonical");
  rep::write_json(shuffled, d / "shuffled.json");
  rep::write_json(canonical, d / "canonical.json");
  EXPECT_EQ(read(d / "shuffled.json"), read(d / "canonical.json"));
  EXPECT_EQ(read(d / "canonical.json"), rep::to_json_text(canonical));
  // Sorting is stable, as before: canonicalize of a canonical report changes nothing.
  json again = canonical;
  rep::canonicalize(again);
  EXPECT_EQ(again, canonical);
  // Each list checked on its own: only the seeds out of order.
  json seeds_only = canonical;
  seeds_only["seeds"].push_back(seeds_only["seeds"].front());
  rep::write_json(seeds_only, d / "seeds_only.json");
  EXPECT_EQ(read(d / "seeds_only.json"), read(d / "canonical.json"));
  json violations_only = canonical;
  ASSERT_GE(violations_only["violations"].size(), 2u);
  std::reverse(violations_only["violations"].begin(), violations_only["violations"].end());
  ASSERT_NE(violations_only, canonical);
  rep::write_json(violations_only, d / "violations_only.json");
  EXPECT_EQ(read(d / "violations_only.json"), read(d / "canonical.json"));
  EXPECT_EQ(rep::to_junit(violations_only), rep::to_junit(canonical));
}

TEST(WriteReportFiles, WritesWhatEachWriterWritesAndNothingForABadReport) {
  json r = sample_report();
  std::reverse(r["scenarios"].begin(), r["scenarios"].end());  // the sorted copy's path too
  const fs::path d = temp_dir("report_files");
  rep::write_report_files(r, d / "all");
  rep::write_json(r, d / "one" / "report.json");
  rep::write_junit(r, d / "one" / "junit.xml");
  rep::write_html(std::vector<json>{r}, d / "one" / "report.html");
  for (const char* f : {"report.json", "junit.xml", "report.html"}) {
    EXPECT_FALSE(read(d / "all" / f).empty()) << f;
    EXPECT_EQ(read(d / "all" / f), read(d / "one" / f)) << f;
  }
  json bad = r;
  bad["scenarios"][0]["verdict"] = "maybe";
  try {
    rep::write_report_files(bad, d / "bad");
    ADD_FAILURE() << "a report with a verdict 'maybe' was written";
  } catch (const rep::ReportError& e) {
    EXPECT_NE(std::string(e.what()).find("not a valid"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(d / "bad" / "report.json"));
  EXPECT_FALSE(fs::exists(d / "bad" / "junit.xml"));
  EXPECT_FALSE(fs::exists(d / "bad" / "report.html"));
}

TEST(WriteAtomic, FailsClearlyWhereItCannotWrite) {
  fs::path d = temp_dir("atomic");
  std::ofstream(d / "file") << "x";
  EXPECT_THROW(rep::write_atomic(d / "file" / "below" / "report.json", "{}"), rep::ReportError);
  rep::write_atomic(d / "ok.txt", "first");
  rep::write_atomic(d / "ok.txt", "second");
  EXPECT_EQ(read(d / "ok.txt"), "second");
}

TEST(Junit, CountsMatchTheReport) {
  json r = sample_report();
  std::string x = rep::to_junit(r);
  const std::size_t scenarios = r["scenarios"].size();
  EXPECT_EQ(count(x, "<testsuites "), 1u);
  EXPECT_EQ(count(x, "<testsuite "), 1u);
  EXPECT_EQ(count(x, "<testcase "), scenarios);  // one per scenario
  // One failing scenario (SC-CHANGES, a MUST); TM-AGREE's scenario only warns.
  EXPECT_EQ(count(x, "<failure "), 1u);
  EXPECT_NE(x.find("tests=\"" + std::to_string(scenarios) + "\" failures=\"1\" errors=\"0\" skipped=\"0\""),
            std::string::npos) << x;
  EXPECT_NE(x.find("SC-CHANGES (MUST) at event 17"), std::string::npos);
  EXPECT_NE(x.find("repro: multisock replay conformance/scenarios/chunked_trickle.scn"), std::string::npos);
  EXPECT_NE(x.find("name=\"chunked_trickle [seed 42]\" classname=\"engine-sim\""), std::string::npos) << x;
  // No attribute the common JUnit form does not have.
  EXPECT_EQ(x.find("<testsuites name=\"multisock conform\" tests=\"" + std::to_string(scenarios) + "\" failures=\"1\" errors=\"0\" skipped"),
            std::string::npos);
  json clean = sample_report({.with_violation = false});
  EXPECT_EQ(count(rep::to_junit(clean), "<failure "), 0u);
  // Several reports: one testsuite each, totals added up.
  std::string two = rep::to_junit(std::vector<json>{r, sample_report({.target = "libcurl.so.4"})});
  EXPECT_EQ(count(two, "<testsuite "), 2u);
  EXPECT_NE(two.find("<testsuites name=\"multisock conform\" tests=\"" + std::to_string(2 * scenarios) + "\" failures=\"2\""),
            std::string::npos) << two;
}

TEST(Junit, EachVerdictHasItsElement) {
  json r = sample_report({.hostile = true, .with_violation = false, .with_skipped = true});
  ASSERT_GE(r["scenarios"].size(), 6u);
  const char* words[] = {"fail", "flaky", "error", "skipped", "known", "warn"};
  for (std::size_t i = 0; i < std::size(words) && i < r["scenarios"].size(); ++i) {
    r["scenarios"][i]["verdict"] = words[i];
    r["scenarios"][i]["detail"] = std::string("why ") + words[i];
    if (std::string(words[i]) == "skipped") r["scenarios"][i]["clauses"] = json::array();
  }
  rep::recompute_summary(r);
  ASSERT_EQ(rep::validate(r), std::vector<std::string>{});
  std::string x = rep::to_junit(r);
  EXPECT_EQ(count(x, "<failure "), 2u) << x;  // fail and flaky
  EXPECT_EQ(count(x, "<error "), 1u);
  EXPECT_EQ(count(x, "<skipped "), 2u);       // skipped and known
  EXPECT_NE(x.find("<skipped message=\"known: why known\"/>"), std::string::npos) << x;
  EXPECT_NE(x.find("<system-out>warn: why warn"), std::string::npos) << x;
  EXPECT_NE(x.find("failures=\"2\" errors=\"1\" skipped=\"2\""), std::string::npos) << x;
}

TEST(Junit, ReportsACrashWithoutViolation) {
  json r = sample_report({.with_violation = false});
  r["scenarios"][0]["verdict"] = "fail";
  r["scenarios"][0]["detail"] = "crash SIGSEGV";
  r["scenarios"][0]["signal"] = "SIGSEGV";
  rep::recompute_summary(r);
  std::string x = rep::to_junit(r);
  EXPECT_NE(x.find("<failure message=\"fail: crash SIGSEGV\" type=\"fail\">"), std::string::npos) << x;
}

TEST(Junit, InvalidUtf8AndForbiddenCharactersStayValidXml) {
  json r = sample_report();
  r["scenarios"][0]["name"] = std::string("bad\xff\xfe name\x01\x0b");
  r["scenarios"][0]["file"] = std::string("dir/\xc3(.scn");
  r["target"]["name"] = std::string("t\xed\xa0\x80");  // an encoded surrogate
  rep::recompute_summary(r);
  std::string x = rep::to_junit(r);
  EXPECT_NE(x.find("bad\\xff\\xfe name\\x01\\x0b"), std::string::npos) << x;
  EXPECT_EQ(x.find('\x01'), std::string::npos);
  EXPECT_EQ(x.find('\xff'), std::string::npos);
  EXPECT_NE(x.find("t\\xed\\xa0\\x80"), std::string::npos);
}

TEST(Junit, EscapesHostileStrings) {
  SampleOptions o;
  o.hostile = true;
  std::string x = rep::to_junit(sample_report(o));
  EXPECT_EQ(x.find("<script>"), std::string::npos);
  EXPECT_NE(x.find("name=\"&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; [seed 42]\""), std::string::npos) << x;
  EXPECT_EQ(x.find("<img"), std::string::npos);
}

TEST(Html, ContainsMatrixTimelineAndMarkedEvent) {
  json a = sample_report();
  json b = sample_report({.target = "libcurl.so.4"});
  std::string h = rep::to_html({a, b});
  EXPECT_EQ(h.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(h.find("<table class=\"matrix\""), std::string::npos);
  EXPECT_EQ(count(h, "<tr class=\"clause\""), a["clauses"].size());
  EXPECT_NE(h.find("<th>engine-sim</th><th>libcurl.so.4</th>"), std::string::npos);
  EXPECT_EQ(count(h, "<svg class=\"timeline\""), a["violations"].size() + b["violations"].size());
  EXPECT_NE(h.find("<g class=\"ev cb violating\" data-i=\"17\""), std::string::npos);
  EXPECT_NE(h.find("class=\"viol-line\""), std::string::npos);
  EXPECT_NE(h.find("SC-CHANGES at event 17"), std::string::npos);
  EXPECT_NE(h.find("<tr class=\"marked\"><td>17</td>"), std::string::npos);
  EXPECT_TRUE(std::regex_search(h, std::regex("class=\"lane-label\" x=\"6\" y=\"[0-9.]+\">fd 5</text>")))
      << "no lane for fd 5";
  // Self-contained: no external resource of any kind.
  EXPECT_EQ(h.find("src=\"http"), std::string::npos);
  EXPECT_EQ(h.find("href=\"http"), std::string::npos);
  EXPECT_EQ(h.find("<link"), std::string::npos);
  EXPECT_EQ(h, rep::to_html({a, b})) << "not deterministic";
}

// A clause broken in many runs: the first kTimelinesDrawnPerClause violations get their SVG,
// the rest a line saying why not (their excerpt stays); another clause counts on its own.
TEST(Html, DrawsAFewTimelinesPerClause) {
  json r = sample_report();
  ASSERT_FALSE(r["violations"].empty());
  const json one = r["violations"][0];
  r["violations"] = json::array();
  for (int i = 0; i < 10; ++i) r["violations"].push_back(one);
  json other = one;
  other["clause"] = "TM-DELETE";
  r["violations"].push_back(other);
  const std::string h = rep::to_html({r});
  EXPECT_EQ(count(h, "<svg class=\"timeline\""), rep::kTimelinesDrawnPerClause + 1);
  EXPECT_EQ(count(h, "Timeline not drawn: "), 10 - rep::kTimelinesDrawnPerClause);
  EXPECT_EQ(count(h, "<summary>Trace excerpt ("), 11u) << "every violation keeps its excerpt";
}

TEST(Html, EscapesHostileStrings) {
  SampleOptions o;
  o.hostile = true;
  std::string h = rep::to_html({sample_report(o)});
  EXPECT_EQ(count(h, "<script"), 1u) << "only the page's own script";
  EXPECT_EQ(h.find("<img"), std::string::npos);
  EXPECT_EQ(h.find("<b>"), std::string::npos);
  EXPECT_NE(h.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(h.find("&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot;"), std::string::npos);
}

TEST(Merge, TwoShardsEqualTheWholeRun) {
  json whole = sample_report();
  json s0 = sample_report({.shard_index = 0, .shard_count = 2});
  json s1 = sample_report({.shard_index = 1, .shard_count = 2});
  ASSERT_NE(s0["scenarios"], whole["scenarios"]);
  json merged = rep::merge({s0, s1});
  EXPECT_EQ(rep::validate(merged), std::vector<std::string>{});
  EXPECT_EQ(merged, whole) << merged.dump(1);
  EXPECT_EQ(rep::merge({s1, s0}), whole);
  EXPECT_EQ(rep::merge({whole}), whole);
}

TEST(Merge, WorstClauseVerdictWinsSkippedIsWeakest) {
  json a = sample_report({.with_violation = false});
  json b = a;
  b["generated_at"] = "2026-11-23T12:05:00Z";
  auto set = [](json& r, const std::string& id, const std::string& v) {
    for (auto& k : r["clauses"])
      if (k["id"] == id) {
        k["verdict"] = v;
        k["detail"] = v == "skipped" ? "not exercised" : "";
      }
    rep::recompute_summary(r);
  };
  set(a, "SA-KICK", "pass"), set(b, "SA-KICK", "fail");
  set(a, "SA-RUNNING", "warn"), set(b, "SA-RUNNING", "pass");
  set(a, "DP-SOCKET", "skipped"), set(b, "DP-SOCKET", "pass");
  set(a, "TM-AGREE", "flaky"), set(b, "TM-AGREE", "warn");
  set(a, "IR-ONCE", "known"), set(b, "IR-ONCE", "pass");
  json m = rep::merge({a, b});
  EXPECT_EQ(clause(m, "SA-KICK")["verdict"], "fail");
  EXPECT_EQ(clause(m, "SA-RUNNING")["verdict"], "warn");
  EXPECT_EQ(clause(m, "DP-SOCKET")["verdict"], "pass");
  EXPECT_EQ(clause(m, "DP-SOCKET")["detail"], "");
  EXPECT_EQ(clause(m, "TM-AGREE")["verdict"], "flaky");
  EXPECT_EQ(clause(m, "IR-ONCE")["verdict"], "known");
  EXPECT_EQ(clause(m, "LG-CALL-AGAIN")["verdict"], "skipped");
  EXPECT_EQ(clause(m, "SA-KICK")["exercised"], 2 * clause(a, "SA-KICK")["exercised"].get<long long>());
  EXPECT_EQ(m["summary"]["clauses"]["fail"], 1);
  EXPECT_EQ(m["generated_at"], "2026-11-23T12:05:00Z");
}

TEST(Merge, VerdictAndExitCodeFollowTheScenarios) {
  auto with = [](const char* verdict, bool violation = false, int shard = 0, int shards = 1) {
    json r = sample_report({.with_violation = violation, .shard_index = shard, .shard_count = shards});
    if (std::string(verdict) != "pass") {
      r["scenarios"][0]["verdict"] = verdict;
      r["scenarios"][0]["detail"] = "why";
    }
    rep::recompute_summary(r);
    return r;
  };
  // Shards of one run (disjoint scenarios): the worst verdict, its exit code, either order.
  const json harness = with("error", false, 0, 2), violated = with("pass", true, 1, 2), clean1 = with("pass", false, 1, 2);
  ASSERT_EQ(violated["verdict"], "fail");
  EXPECT_EQ(rep::merge({harness, violated})["summary"]["exit_code"], 1);
  EXPECT_EQ(rep::merge({violated, harness})["verdict"], "fail");
  EXPECT_EQ(rep::merge({harness, clean1})["summary"]["exit_code"], 3);
  EXPECT_EQ(rep::merge({clean1, harness})["verdict"], "error");
  const json clean = sample_report({.with_violation = false});
  // Shards that disagree on one scenario: flaky, which beats pass (exit 4).
  json m = rep::merge({clean, with("fail")});
  EXPECT_EQ(m["verdict"], "flaky");
  EXPECT_EQ(m["scenarios"][0]["verdict"], "flaky");
  EXPECT_EQ(m["scenarios"][0]["repeats"], (json{{"fail", 1}, {"pass", 1}}));
  EXPECT_EQ(m["summary"]["exit_code"], 4);
  EXPECT_EQ(rep::validate(m), std::vector<std::string>{});
  EXPECT_EQ(rep::merge({clean, clean})["verdict"], "pass");
}

TEST(Merge, RejectsReportsOfDifferentRuns) {
  json a = sample_report();
  json b = sample_report({.target = "libcurl.so.4"});
  EXPECT_THROW(rep::merge({a, b}), rep::ReportError);
  json c = sample_report();
  c["edition"]["id"] = "legacy-7.16";
  EXPECT_THROW(rep::merge({a, c}), rep::ReportError);
  json broken = sample_report();
  broken.erase("clauses");
  EXPECT_THROW(rep::merge({a, broken}), rep::ReportError);
  EXPECT_THROW(rep::merge({}), rep::ReportError);
}

TEST(Diff, DetectsAnInjectedRegression) {
  json before = sample_report({.with_violation = false});
  json after = sample_report();
  rep::Diff d = rep::diff(before, after);
  EXPECT_TRUE(d.regressed);
  ASSERT_EQ(d.new_violations.size(), 2u);
  bool sc = false;
  for (const auto& c : d.changed)
    if (c.id == "SC-CHANGES") sc = c.old_verdict == "pass" && c.new_verdict == "fail";
  EXPECT_TRUE(sc) << d.to_text();
  EXPECT_NE(d.to_text().find("clause SC-CHANGES: pass -> fail"), std::string::npos);
  EXPECT_EQ(d.to_json()["regressed"], true);
}

TEST(Diff, SameOrBetterIsNotARegression) {
  json before = sample_report();
  EXPECT_FALSE(rep::diff(before, before).regressed);
  EXPECT_TRUE(rep::diff(before, before).changed.empty());
  rep::Diff d = rep::diff(before, sample_report({.with_violation = false}));
  EXPECT_FALSE(d.regressed);
  EXPECT_EQ(d.fixed_violations.size(), 2u);
}

TEST(Diff, SkippedToFailRegressesAKnownViolationDoesNot) {
  json before = sample_report({.with_violation = false});
  json after = before;
  for (auto& k : after["clauses"])
    if (k["id"] == "DP-SOCKET") k["verdict"] = "fail", k["detail"] = "";
  rep::recompute_summary(after);
  rep::Diff d = rep::diff(before, after);
  EXPECT_TRUE(d.regressed);
  EXPECT_TRUE(d.new_violations.empty());
  // A new violation that a known deviation covers is listed, not a regression.
  json covered = sample_report();
  for (auto& v : covered["violations"]) v["known"] = "known.txt:3: libcurl keeps the timer";
  for (auto& k : covered["clauses"])
    if (k["verdict"] == "fail" || k["verdict"] == "warn") k["verdict"] = "known";
  for (auto& s : covered["scenarios"])
    if (s["verdict"] == "fail" || s["verdict"] == "warn") s["verdict"] = "known";
  rep::recompute_summary(covered);
  ASSERT_EQ(rep::validate(covered), std::vector<std::string>{});
  rep::Diff k = rep::diff(before, covered);
  EXPECT_FALSE(k.regressed) << k.to_text();
  EXPECT_EQ(k.new_violations.size(), 2u);
}

TEST(Matrix, OneRowPerClauseOneColumnPerTarget) {
  json a = sample_report();
  json b = sample_report({.with_violation = false, .shard_index = 0, .shard_count = 1});
  b["target"]["name"] = "lib|curl";
  std::string m = rep::matrix_markdown({a, b});
  EXPECT_EQ(m.rfind("| clause | severity | engine-sim | lib\\|curl |\n|---|---|---|---|\n", 0), 0u) << m;
  EXPECT_NE(m.find("| SC-CHANGES | MUST | **fail** (1) | pass |"), std::string::npos) << m;
  EXPECT_NE(m.find("| LG-CALL-AGAIN | MUST | skipped | skipped |"), std::string::npos) << m;
  EXPECT_EQ(count(m, "\n| "), a["clauses"].size());  // one row per clause after the header
  EXPECT_NE(m.find("- engine-sim: verdict fail (exit 1);"), std::string::npos) << m;
  EXPECT_NE(m.find("- lib\\|curl: verdict pass (exit 0);"), std::string::npos) << m;
  EXPECT_EQ(m, rep::matrix_markdown({a, b}));
}

TEST(Matrix, SameTargetWithAndWithoutKnownFileHaveTheirOwnColumns) {
  json a = sample_report();
  json b = sample_report();
  b["known"] = {{"file", "k.known"}, {"implementation", "multisock"}, {"versions", "any"},
                {"title", ""}, {"entries", json::array()}};
  ASSERT_EQ(rep::validate(b), std::vector<std::string>{});
  const std::string edition = a["edition"]["id"].get<std::string>();
  std::string m = rep::matrix_markdown({a, b});
  EXPECT_NE(m.find("| engine-sim (" + edition + ") | engine-sim (" + edition + ", known) |"),
            std::string::npos) << m;
  EXPECT_EQ(m.find("#2"), std::string::npos) << m;
}

// ---------------------------------------------------------------------------- skipped

// A report with socket_error_fault skipped (not applicable to the target).
json skipped_report() { return sample_report({.with_violation = false, .with_skipped = true}); }

json scenario(const json& r, const std::string& name) {
  for (const auto& s : r["scenarios"])
    if (s["name"] == name) return s;
  return json();
}

TEST(Skipped, IsAVerdictOfItsOwnNeverAPassOrAFail) {
  json r = skipped_report();
  EXPECT_EQ(rep::validate(r), std::vector<std::string>{});
  EXPECT_EQ(scenario(r, "socket_error_fault")["verdict"], "skipped");
  EXPECT_EQ(r["summary"]["scenarios"]["total"], r["scenarios"].size());
  EXPECT_EQ(r["summary"]["scenarios"]["skipped"], 1);
  EXPECT_EQ(r["summary"]["scenarios"]["fail"], 0);
  EXPECT_EQ(r["summary"]["exit_code"], 0);
  EXPECT_EQ(r["verdict"], "pass");
  // Beside a real failure it still counts apart.
  json both = sample_report({.with_skipped = true});
  EXPECT_EQ(both["summary"]["scenarios"]["fail"], 1);
  EXPECT_EQ(both["summary"]["scenarios"]["skipped"], 1);
  // A run of skipped scenarios only is skipped, exit 0.
  for (auto& s : r["scenarios"]) {
    s["verdict"] = "skipped";
    s["detail"] = "not here";
    s["clauses"] = json::array();
  }
  rep::recompute_summary(r);
  EXPECT_EQ(r["verdict"], "skipped");
  EXPECT_EQ(r["summary"]["exit_code"], 0);
}

TEST(Skipped, ValidateChecksReasonClausesViolationsAndCount) {
  json r = skipped_report();
  const std::size_t i = [&] {
    for (std::size_t k = 0; k < r["scenarios"].size(); ++k)
      if (r["scenarios"][k]["verdict"] == "skipped") return k;
    return std::size_t{0};
  }();
  const std::string p = "/scenarios/" + std::to_string(i);
  json bad = r;
  bad["scenarios"][i]["detail"] = "";
  EXPECT_TRUE(has_problem(bad, p + "/detail: a skipped scenario must say why"));
  bad = r;
  bad["scenarios"][i]["clauses"] = {"SA-KICK"};
  EXPECT_TRUE(has_problem(bad, p + "/clauses: a skipped scenario exercised nothing"));
  bad = r;
  bad["summary"]["scenarios"]["skipped"] = 0;
  EXPECT_TRUE(has_problem(bad, "/summary/scenarios/skipped: says 0 but 1"));
  bad = r;
  bad["summary"]["scenarios"].erase("skipped");
  EXPECT_TRUE(has_problem(bad, "/summary/scenarios/skipped: missing"));
  bad = r;
  bad["summary"]["scenarios"]["fail"] = 1;  // skipped counted as failed
  EXPECT_TRUE(has_problem(bad, "/summary/scenarios/fail: says 1 but 0"));
  bad = sample_report({.with_skipped = true});
  bad["violations"][0]["scenario"] = "socket_error_fault";
  EXPECT_TRUE(has_problem(bad, "/violations/0/scenario: names a skipped scenario"));
  // Schema 1 is not read any more.
  json old = sample_report();
  old["schema"] = "multisock-report/1";
  EXPECT_TRUE(has_problem(old, "/schema"));
}

TEST(Skipped, JunitHasOneSkippedTestcaseWithTheReason) {
  json r = skipped_report();
  std::string x = rep::to_junit(r);
  EXPECT_EQ(count(x, "name=\"socket_error_fault [seed 42]\""), 1u) << x;
  EXPECT_NE(x.find("<testcase name=\"socket_error_fault [seed 42]\" classname=\"engine-sim\" time=\"0\">\n"
                   "      <skipped message=\"skipped: the world injects faults (socket_error) that exist only on "
                   "simnet\"/>\n    </testcase>"),
            std::string::npos)
      << x;
  EXPECT_EQ(count(x, "<testcase "), r["scenarios"].size());
  EXPECT_EQ(count(x, "<failure "), 0u);
  EXPECT_EQ(count(x, "<error "), 0u);
  EXPECT_NE(x.find("failures=\"0\" errors=\"0\" skipped=\"1\""), std::string::npos);
}

TEST(Skipped, HtmlShowsABadgeAndACount) {
  json r = skipped_report();
  std::string h = rep::to_html({r});
  EXPECT_NE(h.find(".st-skipped{"), std::string::npos) << "no colour of its own";
  EXPECT_NE(h.find("<div class=\"banner st-pass\" data-verdict=\"pass\" data-exit-code=\"0\""), std::string::npos);
  EXPECT_NE(h.find("data-verdict=\"skipped\" data-count=\"1\">skipped 1</span>"), std::string::npos);
  EXPECT_NE(h.find("data-verdict=\"pass\" data-count=\"" + std::to_string(r["scenarios"].size() - 1) + "\">pass "),
            std::string::npos);
  EXPECT_EQ(count(h, "<tr class=\"scenario\" data-verdict=\"skipped\">"), 1u);
  // The reason is shown once, after the badge word.
  EXPECT_NE(h.find("data-verdict=\"skipped\">skipped: the world injects faults (socket_error)"), std::string::npos);
  EXPECT_EQ(h.find("skipped: skipped:"), std::string::npos);
  EXPECT_EQ(count(h, "<tr class=\"scenario\" data-verdict=\"pass\">"), r["scenarios"].size() - 1);
  for (const char* w : rep::kVerdicts)
    EXPECT_NE(h.find("data-filter=\"verdict\" value=\"" + std::string(w) + "\""), std::string::npos) << w;
}

TEST(Skipped, MergeKeepsItAndPrefersARunThatHappened) {
  json whole = skipped_report();
  json s0 = sample_report({.with_violation = false, .with_skipped = true, .shard_index = 0, .shard_count = 2});
  json s1 = sample_report({.with_violation = false, .with_skipped = true, .shard_index = 1, .shard_count = 2});
  EXPECT_EQ(rep::merge({s0, s1}), whole);
  // The same scenario passed in one report and was skipped in another: the run wins.
  json ran = whole;
  for (auto& s : ran["scenarios"])
    if (s["verdict"] == "skipped") {
      s["verdict"] = "pass";
      s["detail"] = "";
    }
  rep::recompute_summary(ran);
  for (const auto& order : {std::vector<json>{whole, ran}, std::vector<json>{ran, whole}}) {
    json m = rep::merge(order);
    EXPECT_EQ(scenario(m, "socket_error_fault")["verdict"], "pass");
    EXPECT_EQ(m["summary"]["scenarios"]["skipped"], 0);
  }
}

TEST(Skipped, DiffListsTheChangeButNeverRegresses) {
  json before = skipped_report();
  for (auto& s : before["scenarios"])
    if (s["verdict"] == "skipped") s["verdict"] = "pass", s["detail"] = "";
  rep::recompute_summary(before);
  json after = skipped_report();
  rep::Diff d = rep::diff(before, after);
  EXPECT_FALSE(d.regressed) << d.to_text();
  ASSERT_EQ(d.scenarios_changed.size(), 1u);
  EXPECT_EQ(d.scenarios_changed[0].name, "socket_error_fault");
  EXPECT_EQ(d.scenarios_changed[0].old_verdict, "pass");
  EXPECT_EQ(d.scenarios_changed[0].new_verdict, "skipped");
  EXPECT_NE(d.to_text().find("scenario socket_error_fault (seed 42): pass -> skipped\nnot regressed\n"),
            std::string::npos)
      << d.to_text();
  EXPECT_EQ(d.to_json()["scenarios_changed"][0]["new"], "skipped");
  rep::Diff back = rep::diff(after, before);
  EXPECT_FALSE(back.regressed);
  ASSERT_EQ(back.scenarios_changed.size(), 1u);
  EXPECT_EQ(back.scenarios_changed[0].new_verdict, "pass");
  // A scenario that appears only skipped is listed as absent -> skipped.
  rep::Diff added = rep::diff(sample_report({.with_violation = false}), after);
  EXPECT_FALSE(added.regressed);
  ASSERT_EQ(added.scenarios_changed.size(), 1u);
  EXPECT_EQ(added.scenarios_changed[0].old_verdict, "absent");
  EXPECT_TRUE(rep::diff(after, after).scenarios_changed.empty());
}

TEST(Skipped, MatrixCountsScenariosApart) {
  json r = skipped_report();
  std::string m = rep::matrix_markdown({r, sample_report({.target = "libcurl.so.4"})});
  const std::string n = std::to_string(r["scenarios"].size());
  EXPECT_NE(m.find("; " + n + " scenarios: " + std::to_string(r["scenarios"].size() - 1) + " pass, 1 skipped\n"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("; 4 scenarios: 1 fail, 3 pass\n"), std::string::npos) << m;
}

}  // namespace

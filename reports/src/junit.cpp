// SPDX-License-Identifier: MIT
// junit.cpp: JUnit XML for CI dashboards (the form reports/junit.xsd describes).
//
// One <testsuites>; one <testsuite> per report; one <testcase> per scenario (name =
// "scenario [seed N]", classname = target name), decided by the scenario's verdict alone:
// fail and flaky -> <failure> (every violation and the repro in the body); error -> <error>;
// skipped and known -> <skipped message="..."/>; warn -> a passing testcase with its
// violations in <system-out>; pass -> an empty testcase; folded passing scenarios -> one
// empty testcase that counts them. Counts agree with the testcases.
#include <cstdio>
#include <map>
#include <sstream>

#include "internal.hpp"
#include "reports/reports.hpp"

namespace ms::reports {

using namespace detail;

namespace {

struct Counts {
  std::size_t tests = 0, failures = 0, errors = 0, skipped = 0;
};

std::string violation_text(const json& v) {
  std::ostringstream t;
  const std::string clause = str_or(v, "clause");
  t << (clause.empty() ? "expect \"" + str_or(v, "expectation") + "\"" : clause) << " (" << str_or(v, "severity")
    << ") at event " << int_or(v, "event_index") << " (" << format_ns(int_or(v, "time_ns")) << "): " << str_or(v, "message")
    << "\n";
  if (!str_or(v, "quote").empty()) t << "  document: " << str_or(v, "quote") << "\n";
  if (!str_or(v, "known").empty()) t << "  known deviation: " << str_or(v, "known") << "\n";
  return t.str();
}

void write_suite(std::ostringstream& o, const json& report, Counts& total) {
  std::optional<json> copy;
  const json& r = canonical(report, copy);
  const std::string target = r["target"]["name"];
  Counts c;
  // The violations' text by (scenario, seed), gathered in one pass over them.
  std::map<std::pair<std::string, std::uint64_t>, std::string> violations;
  for (const auto& v : r["violations"])
    violations[{v["scenario"].get<std::string>(), seed_or(v, "seed")}] += violation_text(v);
  std::ostringstream cases;
  for (const auto& s : r["scenarios"]) {
    const std::string name = s["name"];
    const std::uint64_t seed = seed_or(s, "seed");
    const std::string verdict = s["verdict"], detail = s["detail"];
    const auto found = violations.find({name, seed});
    const std::string vtext = found == violations.end() ? "" : found->second;
    ++c.tests;
    cases << "    <testcase name=\"" << escape_markup(name + " [seed " + std::to_string(seed) + "]") << "\" classname=\""
          << escape_markup(target) << "\" time=\"0\"";
    std::string body;
    const std::string headline = verdict + (detail.empty() ? "" : ": " + detail);
    if (verdict == "fail" || verdict == "flaky") {
      ++c.failures;
      std::string text = headline + "\n" + vtext;
      if (!str_or(s, "message").empty()) text += "message: " + str_or(s, "message") + "\n";
      text += "repro: " + str_or(s, "repro") + "\n";
      body = "      <failure message=\"" + escape_markup(headline) + "\" type=\"" + verdict + "\">" + escape_markup(text) +
             "</failure>\n";
    } else if (verdict == "error") {
      ++c.errors;
      const std::string text = headline + "\nrepro: " + str_or(s, "repro") + "\n";
      body = "      <error message=\"" + escape_markup(headline) + "\" type=\"error\">" + escape_markup(text) + "</error>\n";
    } else if (verdict == "skipped" || verdict == "known") {
      ++c.skipped;
      body = "      <skipped message=\"" + escape_markup(headline) + "\"/>\n";
      if (!vtext.empty()) body += "      <system-out>" + escape_markup(vtext) + "</system-out>\n";
    } else if (verdict == "warn") {
      body = "      <system-out>" + escape_markup(headline + "\n" + vtext) + "</system-out>\n";
    }
    if (body.empty())
      cases << "/>\n";
    else
      cases << ">\n" << body << "    </testcase>\n";
  }
  // Passing groups the report counts without naming them: one passing testcase says how
  // many, so the suite's test count is not short by thousands of silent passes.
  if (const long long folded = folded_scenarios(r); folded > 0) {
    ++c.tests;
    cases << "    <testcase name=\"" << escape_markup(std::to_string(folded) + " passing scenarios (counted, not listed)")
          << "\" classname=\"" << escape_markup(target) << "\" time=\"0\"/>\n";
  }
  char wall[32];
  std::snprintf(wall, sizeof wall, "%.3f", r["speed"]["wall_seconds"].get<double>());
  o << "  <testsuite name=\"" << escape_markup("multisock." + target + "." + r["suite"].get<std::string>())
    << "\" tests=\"" << c.tests << "\" failures=\"" << c.failures << "\" errors=\"" << c.errors << "\" skipped=\""
    << c.skipped << "\" time=\"" << wall << "\" timestamp=\"" << escape_markup(r["generated_at"].get<std::string>())
    << "\">\n";
  o << "    <properties>\n";
  auto prop = [&](const std::string& k, const std::string& v) {
    o << "      <property name=\"" << escape_markup(k) << "\" value=\"" << escape_markup(v) << "\"/>\n";
  };
  prop("schema", r["schema"]);
  prop("tool", r["tool"]["name"].get<std::string>() + " " + r["tool"]["version"].get<std::string>());
  prop("target", target);
  prop("target.kind", r["target"]["kind"]);
  prop("target.library", r["target"]["library"]);
  prop("target.version", r["target"]["version"]);
  prop("edition", r["edition"]["id"]);
  prop("suite", r["suite"]);
  prop("strict", r["strict"].get<bool>() ? "true" : "false");
  prop("seeds", seeds_text(r["seeds"]));
  prop("shard", std::to_string(r["shard"]["index"].get<long long>()) + "/" +
                    std::to_string(r["shard"]["count"].get<long long>()));
  prop("verdict", r["verdict"]);
  prop("exit_code", std::to_string(r["summary"]["exit_code"].get<long long>()));
  o << "    </properties>\n" << cases.str() << "  </testsuite>\n";
  total.tests += c.tests;
  total.failures += c.failures;
  total.errors += c.errors;
  total.skipped += c.skipped;
}

}  // namespace

std::string to_junit(const std::vector<json>& reports) {
  std::vector<const json*> checked;
  for (std::size_t i = 0; i < reports.size(); ++i) {
    require_valid(reports[i], "junit: report " + std::to_string(i + 1));
    checked.push_back(&reports[i]);
  }
  return junit_text_checked(checked);
}

std::string detail::junit_text_checked(const std::vector<const json*>& reports) {
  std::ostringstream suites;
  Counts total;
  double wall = 0;
  for (const json* r : reports) {
    write_suite(suites, *r, total);
    wall += (*r)["speed"]["wall_seconds"].get<double>();
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", wall);
  std::ostringstream o;
  o << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  o << "<testsuites name=\"multisock conform\" tests=\"" << total.tests << "\" failures=\"" << total.failures
    << "\" errors=\"" << total.errors << "\" time=\"" << buf << "\">\n"
    << suites.str() << "</testsuites>\n";
  return o.str();
}

std::string to_junit(const json& report) { return to_junit(std::vector<json>{report}); }

void write_junit(const json& report, const std::filesystem::path& path) { write_atomic(path, to_junit(report)); }

}  // namespace ms::reports

// junit.cpp: JUnit XML for CI dashboards.
//
// One <testsuite> per report; per scenario one <testcase> for each clause group
// (classname = scenario name, name = group). A group the scenario did not exercise is
// <skipped/>; a group with violations of a failing clause carries one <failure> holding
// every such violation (message and repro). Violations of clauses that the report
// tolerates (non-strict, informational) go to <system-out>, so JUnit failures agree with
// the exit code. A crash, hang, harness error or nondeterminism that no violation
// explains gets one more testcase named "outcome". A scenario that was skipped (not
// applicable to the target) ran nothing: it is that one "outcome" testcase alone, marked
// <skipped message="why"/>, so a dashboard never counts it as passed.
#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

#include "internal.hpp"
#include "reports/reports.hpp"

namespace ms::reports {

using namespace detail;

std::string to_junit(const json& report) {
  require_valid(report, "junit");
  json r = report;
  canonicalize(r);

  std::map<std::string, json> clause_by_id;
  std::vector<std::string> groups(std::begin(kGroups), std::end(kGroups));
  for (const auto& k : r["clauses"]) {
    clause_by_id[k["id"]] = k;
    std::string g = k["group"];
    if (group_rank(g) == static_cast<int>(std::size(kGroups)) &&
        std::find(groups.begin(), groups.end(), g) == groups.end())
      groups.push_back(g);
  }
  auto group_of = [&](const std::string& id) {
    auto it = clause_by_id.find(id);
    return it == clause_by_id.end() ? id.substr(0, id.find('-')) : it->second["group"].get<std::string>();
  };

  struct Case {
    std::string classname, name, body;
    bool failure = false, error = false, skipped = false;
  };
  std::map<std::string, int> name_count;
  for (const auto& s : r["scenarios"]) ++name_count[s["name"].get<std::string>()];
  std::vector<Case> cases;
  for (const auto& s : r["scenarios"]) {
    const std::string name = s["name"];
    // One scenario run under several seeds: the seed tells the test cases apart.
    const std::string classname =
        name_count[name] > 1 ? name + " [seed " + std::to_string(s["seed"].get<long long>()) + "]" : name;
    const long long seed = s["seed"];
    if (s["outcome"] == "skipped") {
      Case c{classname, "outcome", "", false, false, true};
      c.body = "      <skipped message=\"" + escape_markup(s["message"].get<std::string>()) + "\"/>\n";
      cases.push_back(std::move(c));
      continue;
    }
    std::set<std::string> exercised;
    for (const auto& id : s["clauses"]) exercised.insert(group_of(id));
    std::map<std::string, std::vector<json>> failing, tolerated;
    for (const auto& v : r["violations"]) {
      if (v["scenario"] != name || v["seed"] != seed) continue;
      std::string id = v["clause"];
      auto it = clause_by_id.find(id);
      bool fails = it == clause_by_id.end() || it->second["status"] == "fail";
      (fails ? failing : tolerated)[group_of(id)].push_back(v);
    }
    for (const auto& g : groups) {
      Case c{classname, g, "", false, false, false};
      std::ostringstream body;
      if (auto it = failing.find(g); it != failing.end()) {
        c.failure = true;
        std::ostringstream text;
        for (const auto& v : it->second) {
          text << v["clause"].get<std::string>() << " at event " << v["event_index"] << " ("
               << format_ns(v["time_ns"].get<long long>()) << "): " << v["message"].get<std::string>() << "\n"
               << "  document: " << v["quote"].get<std::string>() << "\n"
               << "  repro: " << v["repro"].get<std::string>() << "\n";
        }
        const json& v0 = it->second.front();
        std::string msg = v0["clause"].get<std::string>() + ": " + v0["message"].get<std::string>();
        if (it->second.size() > 1) msg += " (+" + std::to_string(it->second.size() - 1) + " more)";
        body << "      <failure type=\"contract-violation\" message=\"" << escape_markup(msg) << "\">"
             << escape_markup(text.str()) << "</failure>\n";
      } else if (!exercised.count(g) && !tolerated.count(g)) {
        c.skipped = true;
        body << "      <skipped message=\"no clause of group " << escape_markup(g) << " exercised\"/>\n";
      }
      if (auto it = tolerated.find(g); it != tolerated.end()) {
        std::ostringstream text;
        for (const auto& v : it->second)
          text << "tolerated (" << clause_by_id[v["clause"]]["status"].get<std::string>() << "): "
               << v["clause"].get<std::string>() << ": " << v["message"].get<std::string>() << "\n";
        body << "      <system-out>" << escape_markup(text.str()) << "</system-out>\n";
      }
      c.body = body.str();
      cases.push_back(std::move(c));
    }
    const std::string outcome = s["outcome"];
    if (outcome != "pass" && outcome != "fail" && failing.empty()) {
      Case c{classname, "outcome", "", false, false, false};
      std::string msg = outcome;
      if (!s["signal"].get<std::string>().empty()) msg += " (signal " + s["signal"].get<std::string>() + ")";
      if (!s["message"].get<std::string>().empty()) msg += ": " + s["message"].get<std::string>();
      std::string text = msg + "\n  repro: " + s["repro"].get<std::string>() + "\n";
      const char* tag = outcome == "error" ? "error" : "failure";
      (outcome == "error" ? c.error : c.failure) = true;
      c.body = std::string("      <") + tag + " type=\"" + escape_markup(outcome) + "\" message=\"" +
               escape_markup(msg) + "\">" + escape_markup(text) + "</" + tag + ">\n";
      cases.push_back(std::move(c));
    }
  }

  std::size_t failures = 0, errors = 0, skipped = 0;
  for (const auto& c : cases) {
    failures += c.failure;
    errors += c.error;
    skipped += c.skipped;
  }
  const json& t = r["target"];
  std::ostringstream o;
  char wall[32];
  std::snprintf(wall, sizeof wall, "%.3f", r["speed"]["wall_seconds"].get<double>());
  std::string suite_name = "multisock." + t["name"].get<std::string>() + "." + r["suite"].get<std::string>();
  o << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  o << "<testsuites name=\"multisock conform\" tests=\"" << cases.size() << "\" failures=\"" << failures
    << "\" errors=\"" << errors << "\" skipped=\"" << skipped << "\" time=\"" << wall << "\">\n";
  o << "  <testsuite name=\"" << escape_markup(suite_name) << "\" tests=\"" << cases.size() << "\" failures=\""
    << failures << "\" errors=\"" << errors << "\" skipped=\"" << skipped << "\" time=\"" << wall
    << "\" timestamp=\"" << escape_markup(r["generated_at"].get<std::string>()) << "\">\n";
  o << "    <properties>\n";
  auto prop = [&](const std::string& k, const std::string& v) {
    o << "      <property name=\"" << escape_markup(k) << "\" value=\"" << escape_markup(v) << "\"/>\n";
  };
  prop("schema", r["schema"]);
  prop("tool", r["tool"]["name"].get<std::string>() + " " + r["tool"]["version"].get<std::string>());
  prop("target", t["name"]);
  prop("target.kind", t["kind"]);
  prop("target.library", t["library"]);
  prop("target.version", t["version"]);
  prop("profile", r["profile"]);
  prop("suite", r["suite"]);
  prop("strict", r["strict"].get<bool>() ? "true" : "false");
  prop("seeds", r["seeds"].dump());
  prop("shard", std::to_string(r["shard"]["index"].get<long long>()) + "/" +
                    std::to_string(r["shard"]["count"].get<long long>()));
  prop("exit_code", std::to_string(r["summary"]["exit_code"].get<long long>()));
  o << "    </properties>\n";
  for (const auto& c : cases) {
    o << "    <testcase classname=\"" << escape_markup(c.classname) << "\" name=\"" << escape_markup(c.name)
      << "\" time=\"0\"";
    if (c.body.empty())
      o << "/>\n";
    else
      o << ">\n" << c.body << "    </testcase>\n";
  }
  o << "  </testsuite>\n</testsuites>\n";
  return o.str();
}

void write_junit(const json& report, const std::filesystem::path& path) { write_atomic(path, to_junit(report)); }

}  // namespace ms::reports

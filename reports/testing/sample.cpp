// SPDX-License-Identifier: MIT
// sample.cpp: see sample.hpp.
#include "sample.hpp"

#include <cstdio>
#include <map>

namespace ms::reports::testing {

namespace {

struct ClauseDef {
  const char* id;
  const char* severity;
  const char* statement;
};

const ClauseDef kClauses[] = {
    {"SA-KICK", "MUST", "socket_action(SOCKET_TIMEOUT) after adding handles starts the work"},
    {"SA-RUNNING", "MUST", "on return, running equals the number of added, unfinished easy handles"},
    {"SA-SPURIOUS", "MUST", "events that carry no news fail no transfer"},
    {"SC-CHANGES", "MUST", "the socket callback reports changes only"},
    {"SC-REMOVE", "MUST", "REMOVE only for a registered socket"},
    {"TM-VALUE", "MUST", "timer callback value is -1, 0 or a positive number of ms"},
    {"TM-AGREE", "SHOULD", "multi_timeout agrees with the last timer callback"},
    {"TM-DELETE", "OBSERVED", "when nothing is pending the application is told -1"},
    {"IR-ONCE", "MUST", "exactly one DONE message per finished transfer"},
    {"AS-UNKNOWN", "MUST", "multi_assign on an unknown socket fails with BAD_SOCKET"},
    {"ER-CODES", "MUST", "error codes where the documents name them"},
    {"DP-SOCKET", "MUST", "multi_socket(fd) behaves as socket_action(fd, 0)"},
    {"LG-CALL-AGAIN", "MUST", "legacy profile: CALL_MULTI_PERFORM means call again"},
    {"DT-REPLAY", "MUST", "the same scenario and seed give a byte-identical trace"},
};

struct ViolationDef {
  const char* clause;
  int event_index;
  std::string message;
};

struct ScenarioDef {
  std::string name;
  std::string file;
  long long seed;
  std::vector<std::string> clauses;
  std::vector<ViolationDef> violations;
  std::string skipped = "";  // non-empty: not applicable to the target, and why
};

std::vector<ScenarioDef> scenarios(const SampleOptions& o) {
  std::vector<ScenarioDef> s = {
      {"basic_get", "conformance/scenarios/basic_get.scn", 42,
       {"SA-KICK", "SA-RUNNING", "SC-CHANGES", "SC-REMOVE", "TM-VALUE", "IR-ONCE", "DT-REPLAY"}, {}},
      {"chunked_trickle", "conformance/scenarios/chunked_trickle.scn", 42,
       {"SA-RUNNING", "SA-SPURIOUS", "SC-CHANGES", "TM-AGREE", "TM-DELETE", "IR-ONCE"}, {}},
      {"stale_fd", "conformance/scenarios/stale_fd.scn", 43, {"SA-SPURIOUS", "AS-UNKNOWN", "TM-VALUE"}, {}},
      {"error_codes", "conformance/scenarios/error_codes.scn", 42, {"ER-CODES"}, {}},
  };
  if (o.with_violation) {
    s[1].violations.push_back({"SC-CHANGES", 17, "expected a change of action for fd 5, observed IN twice in a row"});
    s[1].violations.push_back({"TM-AGREE", 9, "timer callback said 200 ms, multi_timeout said 198 ms"});
  }
  if (o.with_skipped) {
    s.push_back({"socket_error_fault", "conformance/scenarios/socket_error_fault.scn", 42, {}, {},
                 "skipped: the world injects faults (socket_error) that exist only on simnet"});
  }
  if (o.hostile) {
    s.push_back({"<script>alert('x')</script>", "conformance/scenarios/<b>evil</b>.scn", 42, {"SA-RUNNING", "TM-AGREE"},
                 {{"TM-AGREE", 12, "observed <img src=x onerror=alert(1)> & \"quotes\""}}});
  }
  return s;
}

json event(const char* kind, long long t, std::initializer_list<std::pair<const char*, json>> fields) {
  json e = {{"kind", kind}};
  if (t != 0) e[kEventTime] = t;  // the trace's own key
  for (const auto& [k, v] : fields) e[k] = v;
  return e;
}

}  // namespace

json sample_timeline(int n, int marked) {
  const long long ms = 1000000;
  json prefix = json::array({
      event("note", 0, {{"text", "seed 42"}}),
      event("add_handle", 0, {{"easy", 1}}),
      event("timer_cb", 0, {}),
      event("call_end", 0, {}),
      event("socket_action", 0, {{"running", 1}}),
      event("net_open", 0, {{"fd", 5}}),
      event("net_connect", 0, {{"fd", 5}, {"text", "127.0.0.2:80"}}),
      event("socket_cb", 0, {{"fd", 5}, {"action", 2}, {"easy", 1}}),
      event("timer_cb", 0, {{"value", 200}}),
      event("call_end", 0, {}),
      event("net_ready", ms, {{"fd", 5}, {"mask", 2}}),
      event("socket_action", ms, {{"fd", 5}, {"mask", 2}, {"running", 1}}),
      event("socket_cb", ms, {{"fd", 5}, {"action", 1}, {"easy", 1}}),
      event("call_end", ms, {}),
  });
  json out = json::array();
  for (int i = 0; i < n; ++i) {
    if (i < static_cast<int>(prefix.size())) {
      out.push_back(prefix[i]);
      continue;
    }
    long long t = ms * (1 + 10 * ((i - 14) / 4 + 1));
    switch ((i - 14) % 4) {
      case 0: out.push_back(event("net_bytes", t, {{"fd", 5}, {"value", 1}})); break;
      case 1: out.push_back(event("socket_action", t, {{"fd", 5}, {"mask", 1}, {"running", 1}})); break;
      case 2: out.push_back(event("timer_cb", t, {{"value", 200}})); break;
      default: out.push_back(event("call_end", t, {})); break;
    }
  }
  if (marked >= 0 && marked < n) {
    long long t = out[marked].value(kEventTime, 0LL);
    out[marked] = event("socket_cb", t, {{"fd", 5}, {"action", 1}, {"easy", 1}});
  }
  return out;
}

json sample_report(const SampleOptions& o) {
  auto all = scenarios(o);
  const bool lib = o.target.rfind("lib", 0) == 0;
  json r = {
      {"schema", kSchema},
      {"tool", {{"name", "multisock"}, {"version", "0.1.0"}}},
      {"generated_at", o.generated_at},
      {"target",
       {{"name", o.target},
        {"kind", lib ? "lib" : "engine-sim"},
        {"library", lib ? "/usr/lib/x86_64-linux-gnu/libcurl.so.4" : ""},
        {"version", lib ? "libcurl/7.88.1" : "multisock/0.1.0"}}},
      {"edition", {{"id", "documented"}, {"title", ""}, {"chosen_by", "option"}}},
      {"known", nullptr},
      {"suite", "scripted"},
      {"strict", false},
      {"shard", {{"index", o.shard_index}, {"count", o.shard_count}}},
  };
  std::map<std::string, long long> exercised, violated;
  json scen = json::array(), viol = json::array(), seeds = json::array();
  long long events_total = 0;
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (static_cast<int>(i % static_cast<std::size_t>(o.shard_count)) != o.shard_index) continue;
    const auto& s = all[i];
    const long long weight = 2 + static_cast<long long>(s.name.size() % 3);
    for (const auto& c : s.clauses) exercised[c] += weight;
    bool must_failed = false, should_failed = false;
    std::string repro = "multisock replay " + s.file + " --target " + o.target + " --seed " + std::to_string(s.seed);
    for (const auto& v : s.violations) {
      ++violated[v.clause];
      for (const auto& d : kClauses)
        if (v.clause == std::string(d.id)) {
          if (std::string(d.severity) == "MUST") must_failed = true;
          else should_failed = true;
        }
      json timeline = sample_timeline(30, v.event_index);
      json excerpt = json::array();
      int from = std::max(0, v.event_index - 5);
      for (int k = from; k <= std::min(29, v.event_index + 5); ++k) excerpt.push_back(timeline[k]);
      viol.push_back({{"clause", v.clause},
                      {"scenario", s.name},
                      {"seed", s.seed},
                      {"event_index", v.event_index},
                      {"time_ns", timeline[v.event_index].value(kEventTime, 0LL)},
                      {"known", ""},
                      {"severity", [&] {
                         for (const auto& d : kClauses)
                           if (v.clause == std::string(d.id)) return std::string(d.severity);
                         return std::string("MUST");
                       }()},
                      {"message", v.message},
                      {"quote", o.hostile ? "the <b>callback</b> & \"quote\"" : "the callback reports changes only"},
                      {"repro", repro + " --stop-at-event " + std::to_string(v.event_index)},
                      {"trace_excerpt", excerpt},
                      {"excerpt_first_index", from},
                      {"timeline", timeline},
                      {"timeline_first_index", 0}});
    }
    // A skipped scenario ran nothing: no events, no trace, no time.
    const bool skipped = !s.skipped.empty();
    const long long n_events = skipped ? 0 : 20 + 3 * static_cast<long long>(i);
    events_total += n_events;
    char hash[65];
    std::snprintf(hash, sizeof hash, "%064zx", i + 1);
    scen.push_back({{"name", s.name},
                    {"file", s.file},
                    {"seed", s.seed},
                    {"verdict", skipped ? "skipped" : must_failed ? "fail" : should_failed ? "warn" : "pass"},
                    {"detail", skipped ? s.skipped.substr(9)
                               : must_failed || should_failed ? std::string(s.violations.front().clause) + " at event " +
                                                                    std::to_string(s.violations.front().event_index) +
                                                                    ": " + s.violations.front().message
                                                              : ""},
                    {"signal", ""},
                    {"message", skipped ? s.skipped : must_failed ? "contract violated" : ""},
                    {"trace_hash", skipped ? "" : hash},
                    {"events", n_events},
                    {"virtual_ns", skipped ? 0 : 1000000000LL * static_cast<long long>(i + 1)},
                    {"clauses", s.clauses},
                    {"repro", repro}});
    seeds.push_back(s.seed);
  }
  r["scenarios"] = scen;
  r["violations"] = viol;
  r["seeds"] = seeds;
  json clauses = json::array();
  for (const auto& d : kClauses) {
    std::string id = d.id, sev = d.severity, verdict, detail;
    if (id == "LG-CALL-AGAIN") {
      verdict = "skipped";
      detail = "not in this edition";
    } else if (violated[id] > 0) {
      verdict = sev == "MUST" ? "fail" : "warn";
    } else if (exercised[id] > 0) {
      verdict = "pass";
    } else {
      verdict = "skipped";
      detail = "not exercised";
    }
    clauses.push_back({{"id", id},
                       {"group", id.substr(0, 2)},
                       {"severity", sev},
                       {"statement", d.statement},
                       {"source", {{"document", "002_cdb8062b33739ee6.txt"}, {"quote", d.statement}}},
                       {"verdict", verdict},
                       {"detail", detail},
                       {"exercised", exercised[id]},
                       {"violations", violated[id]},
                       {"known", 0}});
  }
  r["clauses"] = clauses;
  const double n = static_cast<double>(scen.size());
  r["speed"] = {{"wall_seconds", 0.5 * n}, {"simulated_seconds", 100.0 * n},
                {"histories", static_cast<long long>(scen.size())}, {"events", events_total}};
  r["summary"] = json::object();
  recompute_summary(r);
  canonicalize(r);
  return r;
}

}  // namespace ms::reports::testing

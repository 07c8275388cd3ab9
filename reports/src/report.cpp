// report.cpp: schema check, canonical order, atomic writes, merge, diff, Markdown matrix.
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <tuple>

#include "internal.hpp"
#include "reports/reports.hpp"

namespace ms::reports {
namespace detail {

std::string escape_markup(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        // Control characters are not allowed in XML 1.0; show them as a visible escape.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r') {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(static_cast<unsigned char>(c)));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out;
}

int status_rank(std::string_view status) {
  int i = 0;
  for (const char* s : kStatuses) {
    if (status == s) return i;
    ++i;
  }
  return -1;
}

int group_rank(std::string_view group) {
  int i = 0;
  for (const char* g : kGroups) {
    if (group == g) return i;
    ++i;
  }
  return i;
}

std::string str_or(const json& j, const char* key, std::string fallback) {
  if (!j.is_object()) return fallback;
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return fallback;
  return it->get<std::string>();
}

long long int_or(const json& j, const char* key, long long fallback) {
  if (!j.is_object()) return fallback;
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return fallback;
  if (it->is_number_unsigned()) return static_cast<long long>(it->get<unsigned long long>());
  if (it->is_number_integer()) return it->get<long long>();
  return static_cast<long long>(it->get<double>());
}

static std::string id_field(const json& j, const char* key, const char* prefix) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  if (it == j.end()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) {
    long long v = it->get<long long>();
    return v == 0 ? "" : prefix + std::to_string(v);
  }
  return "";
}

Event read_event(const json& j) {
  Event e;
  e.kind = str_or(j, "kind", "?");
  e.time_ns = int_or(j, "time_ns", 0);
  e.easy = id_field(j, "easy", "e");
  e.fd = static_cast<int>(int_or(j, "fd", -1));
  e.mask = static_cast<int>(int_or(j, "mask", 0));
  e.action = static_cast<int>(int_or(j, "action", 0));
  e.socketp = id_field(j, "socketp", "s");
  e.result = static_cast<int>(int_or(j, "result", 0));
  e.running = static_cast<int>(int_or(j, "running", -1));
  e.value = int_or(j, "value", 0);
  e.code = static_cast<int>(int_or(j, "code", 0));
  e.text = str_or(j, "text", "");
  return e;
}

std::string mask_name(int mask) {
  if (mask == 0) return "0";
  std::string out;
  const char* names[] = {"IN", "OUT", "ERR"};
  for (int bit = 0; bit < 3; ++bit) {
    if (mask & (1 << bit)) {
      if (!out.empty()) out += "|";
      out += names[bit];
    }
  }
  if (mask & ~7) out += (out.empty() ? "" : "|") + std::string("0x") + std::to_string(mask & ~7);
  return out;
}

std::string action_name(int action) {
  switch (action) {
    case 0: return "NONE";
    case 1: return "IN";
    case 2: return "OUT";
    case 3: return "INOUT";
    case 4: return "REMOVE";
    default: return "action " + std::to_string(action);
  }
}

bool is_api_call(std::string_view kind) {
  static const char* calls[] = {"add_handle", "remove_handle", "socket_action", "socket_legacy",
                                "socket_all", "assign",        "timeout_query", "info_read",
                                "setopt",     "cleanup"};
  for (const char* c : calls)
    if (kind == c) return true;
  return false;
}

std::string describe(const Event& e) {
  std::ostringstream o;
  o << e.kind;
  auto fd = [&] { return e.fd < 0 ? std::string("TIMEOUT") : std::to_string(e.fd); };
  if (e.kind == "socket_action") {
    o << " fd=" << fd() << " mask=" << mask_name(e.mask) << " -> " << e.result;
    if (e.running >= 0) o << " running=" << e.running;
  } else if (e.kind == "socket_legacy") {
    o << " fd=" << fd() << " -> " << e.result;
    if (e.running >= 0) o << " running=" << e.running;
  } else if (e.kind == "socket_all") {
    o << " -> " << e.result;
    if (e.running >= 0) o << " running=" << e.running;
  } else if (e.kind == "socket_cb") {
    o << " fd=" << e.fd << " " << action_name(e.action);
    if (!e.easy.empty()) o << " " << e.easy;
    if (!e.socketp.empty()) o << " socketp=" << e.socketp;
    if (e.result != 0) o << " returned " << e.result;
  } else if (e.kind == "timer_cb") {
    o << " " << (e.value < 0 ? std::string("-1 (delete)") : std::to_string(e.value) + " ms");
    if (e.result != 0) o << " returned " << e.result;
  } else if (e.kind == "add_handle" || e.kind == "remove_handle") {
    o << " " << (e.easy.empty() ? "NULL" : e.easy) << " -> " << e.result;
  } else if (e.kind == "assign") {
    o << " fd=" << e.fd << " socketp=" << (e.socketp.empty() ? "NULL" : e.socketp) << " -> "
      << e.result;
  } else if (e.kind == "timeout_query") {
    o << " " << e.value << " ms -> " << e.result;
  } else if (e.kind == "info_read") {
    if (e.easy.empty())
      o << " NULL";
    else
      o << " DONE " << e.easy << " code=" << e.code;
    o << " left=" << e.value;
  } else if (e.kind == "setopt") {
    o << " option=" << e.value << " -> " << e.result;
  } else if (e.kind == "cleanup") {
    o << " -> " << e.result;
  } else if (e.kind == "net_bytes") {
    o << " fd=" << e.fd << " " << e.value << " bytes";
  } else if (e.kind == "net_ready") {
    o << " fd=" << e.fd << " " << mask_name(e.mask);
  } else if (e.kind.rfind("net_", 0) == 0) {
    o << " fd=" << e.fd;
  }
  if (!e.text.empty()) o << " " << e.text;
  return o.str();
}

std::string format_ns(std::int64_t ns) {
  char buf[64];
  std::int64_t a = ns < 0 ? -ns : ns;
  if (a >= 1000000000)
    std::snprintf(buf, sizeof buf, "%.3f s", static_cast<double>(ns) / 1e9);
  else if (a >= 1000000)
    std::snprintf(buf, sizeof buf, "%.3g ms", static_cast<double>(ns) / 1e6);
  else if (a >= 1000)
    std::snprintf(buf, sizeof buf, "%.3g us", static_cast<double>(ns) / 1e3);
  else
    std::snprintf(buf, sizeof buf, "%lld ns", static_cast<long long>(ns));
  return buf;
}

std::vector<std::string> target_labels(const std::vector<json>& reports) {
  std::vector<std::string> labels;
  std::map<std::string, int> count;
  for (const auto& r : reports) ++count[str_or(r.value("target", json::object()), "name", "?")];
  std::map<std::string, int> seen;
  for (const auto& r : reports) {
    std::string name = str_or(r.value("target", json::object()), "name", "?");
    std::string label = name;
    if (count[name] > 1) label += " (" + str_or(r, "profile", "?") + ")";
    int n = ++seen[label];
    if (n > 1) label += " #" + std::to_string(n);
    labels.push_back(label);
  }
  return labels;
}

}  // namespace detail

using namespace detail;

// ---------------------------------------------------------------------------- validate

namespace {

struct Checker {
  std::vector<std::string> problems;

  void add(const std::string& where, const std::string& what) {
    problems.push_back((where.empty() ? "/" : where) + ": " + what);
  }
  static std::string type_name(const json& j) { return j.type_name(); }

  // Returns the member when present with the right type, else records a problem.
  const json* member(const json& obj, const std::string& where, const char* key, json::value_t type) {
    auto it = obj.find(key);
    std::string path = where + "/" + key;
    if (it == obj.end()) {
      add(path, "missing");
      return nullptr;
    }
    bool ok = false;
    switch (type) {
      case json::value_t::number_integer: ok = it->is_number_integer(); break;
      case json::value_t::number_float: ok = it->is_number(); break;
      default: ok = it->type() == type; break;
    }
    if (!ok) {
      const char* want = type == json::value_t::number_integer ? "integer"
                         : type == json::value_t::number_float ? "number"
                                                               : json(type).type_name();
      add(path, std::string("expected ") + want + ", got " + type_name(*it));
      return nullptr;
    }
    return &*it;
  }

  void one_of(const json& obj, const std::string& where, const char* key,
              std::initializer_list<const char*> allowed) {
    const json* v = member(obj, where, key, json::value_t::string);
    if (!v) return;
    std::string s = v->get<std::string>();
    std::string list;
    for (const char* a : allowed) {
      if (s == a) return;
      list += (list.empty() ? "" : "|") + std::string(a);
    }
    add(where + "/" + key, "expected one of " + list + ", got " + json(s).dump());
  }

  void non_negative(const json& obj, const std::string& where, const char* key) {
    const json* v = member(obj, where, key, json::value_t::number_integer);
    if (v && v->is_number_integer() && !v->is_number_unsigned() && v->get<long long>() < 0)
      add(where + "/" + key, "must not be negative");
  }

  void events(const json& obj, const std::string& where, const char* key) {
    const json* list = member(obj, where, key, json::value_t::array);
    if (!list) return;
    for (std::size_t i = 0; i < list->size(); ++i) {
      const json& e = (*list)[i];
      std::string p = where + "/" + key + "/" + std::to_string(i);
      if (!e.is_object()) {
        add(p, "expected a trace event object, got " + type_name(e));
        continue;
      }
      member(e, p, "kind", json::value_t::string);
      for (const char* k : {"time_ns", "fd", "mask", "action", "result", "running", "value", "code"}) {
        auto it = e.find(k);
        if (it != e.end() && !it->is_number_integer()) add(p + "/" + k, "expected integer, got " + type_name(*it));
      }
      for (const char* k : {"easy", "socketp"}) {
        auto it = e.find(k);
        if (it != e.end() && !it->is_number_integer() && !it->is_string())
          add(p + "/" + k, "expected integer or string id, got " + type_name(*it));
      }
      auto t = e.find("text");
      if (t != e.end() && !t->is_string()) add(p + "/text", "expected string, got " + type_name(*t));
    }
  }
};

const std::regex& timestamp_re() {
  static const std::regex re(R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$)");
  return re;
}

}  // namespace

std::vector<std::string> validate(const json& r) {
  Checker c;
  if (!r.is_object()) {
    c.add("", "a report is a JSON object, got " + std::string(r.type_name()));
    return c.problems;
  }
  if (const json* s = c.member(r, "", "schema", json::value_t::string); s && *s != kSchema)
    c.add("/schema", std::string("expected \"") + kSchema + "\", got " + s->dump());
  if (const json* t = c.member(r, "", "tool", json::value_t::object)) {
    c.member(*t, "/tool", "name", json::value_t::string);
    c.member(*t, "/tool", "version", json::value_t::string);
  }
  if (const json* g = c.member(r, "", "generated_at", json::value_t::string);
      g && !std::regex_match(g->get<std::string>(), timestamp_re()))
    c.add("/generated_at", "expected UTC time like 2026-11-23T12:00:00Z, got " + g->dump());
  if (const json* t = c.member(r, "", "target", json::value_t::object)) {
    c.member(*t, "/target", "name", json::value_t::string);
    c.one_of(*t, "/target", "kind", {"engine-sim", "engine-real", "lib"});
    c.member(*t, "/target", "library", json::value_t::string);
    c.member(*t, "/target", "version", json::value_t::string);
  }
  c.member(r, "", "profile", json::value_t::string);
  c.member(r, "", "suite", json::value_t::string);
  c.member(r, "", "strict", json::value_t::boolean);
  if (const json* seeds = c.member(r, "", "seeds", json::value_t::array)) {
    for (std::size_t i = 0; i < seeds->size(); ++i)
      if (!(*seeds)[i].is_number_integer())
        c.add("/seeds/" + std::to_string(i), std::string("expected integer, got ") + (*seeds)[i].type_name());
  }
  if (const json* sh = c.member(r, "", "shard", json::value_t::object)) {
    const json* idx = c.member(*sh, "/shard", "index", json::value_t::number_integer);
    const json* cnt = c.member(*sh, "/shard", "count", json::value_t::number_integer);
    if (idx && cnt && !(idx->get<long long>() >= 0 && idx->get<long long>() < cnt->get<long long>()))
      c.add("/shard", "index must be in [0, count), got " + idx->dump() + "/" + cnt->dump());
  }
  if (const json* sp = c.member(r, "", "speed", json::value_t::object)) {
    c.member(*sp, "/speed", "wall_seconds", json::value_t::number_float);
    c.member(*sp, "/speed", "simulated_seconds", json::value_t::number_float);
    c.non_negative(*sp, "/speed", "histories");
    c.non_negative(*sp, "/speed", "events");
  }

  std::set<std::string> clause_ids;
  std::map<std::string, long long> status_count;
  if (const json* cl = c.member(r, "", "clauses", json::value_t::array)) {
    for (std::size_t i = 0; i < cl->size(); ++i) {
      const json& k = (*cl)[i];
      std::string p = "/clauses/" + std::to_string(i);
      if (!k.is_object()) {
        c.add(p, std::string("expected object, got ") + k.type_name());
        continue;
      }
      if (const json* id = c.member(k, p, "id", json::value_t::string)) {
        if (!clause_ids.insert(id->get<std::string>()).second) c.add(p + "/id", "duplicate clause " + id->dump());
      }
      c.member(k, p, "group", json::value_t::string);
      c.one_of(k, p, "severity", {"MUST", "SHOULD", "OBSERVED"});
      c.member(k, p, "statement", json::value_t::string);
      if (const json* src = c.member(k, p, "source", json::value_t::object)) {
        c.member(*src, p + "/source", "document", json::value_t::string);
        c.member(*src, p + "/source", "quote", json::value_t::string);
      }
      c.one_of(k, p, "status", {"pass", "fail", "non-strict", "informational", "not-exercised", "excluded"});
      if (k.contains("status") && k["status"].is_string()) ++status_count[k["status"].get<std::string>()];
      c.non_negative(k, p, "exercised");
      c.non_negative(k, p, "violations");
    }
  }

  std::set<std::string> scenario_names;
  std::set<std::pair<std::string, long long>> skipped_runs;  // (name, seed)
  long long scenarios_failed = 0, scenarios_skipped = 0;
  std::size_t scenario_total = 0;
  if (const json* sc = c.member(r, "", "scenarios", json::value_t::array)) {
    scenario_total = sc->size();
    for (std::size_t i = 0; i < sc->size(); ++i) {
      const json& s = (*sc)[i];
      std::string p = "/scenarios/" + std::to_string(i);
      if (!s.is_object()) {
        c.add(p, std::string("expected object, got ") + s.type_name());
        continue;
      }
      if (const json* n = c.member(s, p, "name", json::value_t::string)) scenario_names.insert(n->get<std::string>());
      c.member(s, p, "file", json::value_t::string);
      c.member(s, p, "seed", json::value_t::number_integer);
      c.one_of(s, p, "outcome", {"pass", "fail", "crash", "hang", "error", "nondeterministic", "skipped"});
      const bool skipped = s.contains("outcome") && s["outcome"] == "skipped";
      if (skipped)
        ++scenarios_skipped;
      else if (s.contains("outcome") && s["outcome"] != "pass")
        ++scenarios_failed;
      c.member(s, p, "signal", json::value_t::string);
      c.member(s, p, "message", json::value_t::string);
      c.member(s, p, "trace_hash", json::value_t::string);
      c.non_negative(s, p, "events");
      c.non_negative(s, p, "virtual_ns");
      if (const json* ids = c.member(s, p, "clauses", json::value_t::array)) {
        for (std::size_t j = 0; j < ids->size(); ++j) {
          const json& id = (*ids)[j];
          if (!id.is_string())
            c.add(p + "/clauses/" + std::to_string(j), std::string("expected string, got ") + id.type_name());
          else if (!clause_ids.empty() && !clause_ids.count(id.get<std::string>()))
            c.add(p + "/clauses/" + std::to_string(j), "unknown clause " + id.dump());
        }
      }
      c.member(s, p, "repro", json::value_t::string);
      // A skipped scenario did not run: it says why, and exercised nothing.
      if (skipped) {
        if (s.contains("message") && s["message"].is_string() && s["message"].get<std::string>().empty())
          c.add(p + "/message", "a skipped scenario must say why it was skipped");
        if (s.contains("clauses") && s["clauses"].is_array() && !s["clauses"].empty())
          c.add(p + "/clauses", "a skipped scenario exercised nothing, got " + std::to_string(s["clauses"].size()) +
                                    " clauses");
        if (s.contains("name") && s["name"].is_string() && s.contains("seed") && s["seed"].is_number_integer())
          skipped_runs.emplace(s["name"].get<std::string>(), s["seed"].get<long long>());
      }
    }
  }

  if (const json* vs = c.member(r, "", "violations", json::value_t::array)) {
    for (std::size_t i = 0; i < vs->size(); ++i) {
      const json& v = (*vs)[i];
      std::string p = "/violations/" + std::to_string(i);
      if (!v.is_object()) {
        c.add(p, std::string("expected object, got ") + v.type_name());
        continue;
      }
      if (const json* id = c.member(v, p, "clause", json::value_t::string);
          id && !clause_ids.empty() && !clause_ids.count(id->get<std::string>()))
        c.add(p + "/clause", "unknown clause " + id->dump());
      if (const json* n = c.member(v, p, "scenario", json::value_t::string);
          n && !scenario_names.count(n->get<std::string>()))
        c.add(p + "/scenario", "no scenario named " + n->dump());
      if (const json* sd = c.member(v, p, "seed", json::value_t::number_integer);
          sd && v.contains("scenario") && v["scenario"].is_string() &&
          skipped_runs.count({v["scenario"].get<std::string>(), sd->get<long long>()}))
        c.add(p + "/scenario", "names a skipped scenario " + v["scenario"].dump() + " (seed " + sd->dump() + ")");
      c.non_negative(v, p, "event_index");
      c.member(v, p, "time_ns", json::value_t::number_integer);
      c.member(v, p, "message", json::value_t::string);
      c.member(v, p, "quote", json::value_t::string);
      c.member(v, p, "repro", json::value_t::string);
      c.events(v, p, "trace_excerpt");
      c.non_negative(v, p, "excerpt_first_index");
      c.events(v, p, "timeline");
      if (v.contains("timeline_first_index")) c.non_negative(v, p, "timeline_first_index");
    }
  }

  if (const json* sm = c.member(r, "", "summary", json::value_t::object)) {
    struct Pair {
      const char* key;
      const char* status;
    };
    for (Pair pr : {Pair{"pass", "pass"}, Pair{"fail", "fail"}, Pair{"non_strict", "non-strict"},
                    Pair{"informational", "informational"}, Pair{"not_exercised", "not-exercised"},
                    Pair{"excluded", "excluded"}}) {
      c.non_negative(*sm, "/summary", pr.key);
      auto it = sm->find(pr.key);
      if (it != sm->end() && it->is_number_integer() && r.contains("clauses") && r["clauses"].is_array() &&
          it->get<long long>() != status_count[pr.status])
        c.add(std::string("/summary/") + pr.key, "says " + it->dump() + " but " +
                                                     std::to_string(status_count[pr.status]) +
                                                     " clauses have status " + pr.status);
    }
    if (const json* n = c.member(*sm, "/summary", "scenarios", json::value_t::number_integer);
        n && r.contains("scenarios") && r["scenarios"].is_array() && n->get<long long>() != static_cast<long long>(scenario_total))
      c.add("/summary/scenarios", "says " + n->dump() + " but the report lists " + std::to_string(scenario_total));
    if (const json* n = c.member(*sm, "/summary", "scenarios_failed", json::value_t::number_integer);
        n && r.contains("scenarios") && r["scenarios"].is_array() && n->get<long long>() != scenarios_failed)
      c.add("/summary/scenarios_failed", "says " + n->dump() + " but " + std::to_string(scenarios_failed) +
                                             " scenarios neither passed nor were skipped");
    // Reports written before "skipped" existed have no scenarios_skipped; they stay valid
    // as long as no scenario is skipped.
    if (sm->contains("scenarios_skipped")) {
      if (const json* n = c.member(*sm, "/summary", "scenarios_skipped", json::value_t::number_integer);
          n && r.contains("scenarios") && r["scenarios"].is_array() && n->get<long long>() != scenarios_skipped)
        c.add("/summary/scenarios_skipped",
              "says " + n->dump() + " but " + std::to_string(scenarios_skipped) + " scenarios were skipped");
    } else if (scenarios_skipped > 0) {
      c.add("/summary/scenarios_skipped", "missing (" + std::to_string(scenarios_skipped) + " scenarios were skipped)");
    }
    if (const json* e = c.member(*sm, "/summary", "exit_code", json::value_t::number_integer);
        e && (e->get<long long>() < 0 || e->get<long long>() > 4))
      c.add("/summary/exit_code", "expected 0..4, got " + e->dump());
  }
  return c.problems;
}

void require_valid(const json& report, std::string_view what) {
  auto problems = validate(report);
  if (problems.empty()) return;
  std::string msg = std::string(what) + ": not a valid " + kSchema + " report:";
  std::size_t shown = 0;
  for (const auto& p : problems) {
    if (++shown > 20) {
      msg += "\n  ... and " + std::to_string(problems.size() - 20) + " more";
      break;
    }
    msg += "\n  " + p;
  }
  throw ReportError(msg);
}

json load(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ReportError(path.string() + ": cannot open: " + std::strerror(errno));
  std::stringstream buf;
  buf << in.rdbuf();
  json j;
  try {
    j = json::parse(buf.str());
  } catch (const json::parse_error& e) {
    throw ReportError(path.string() + ": not JSON: " + e.what());
  }
  require_valid(j, path.string());
  return j;
}

// ---------------------------------------------------------------------------- order

namespace {

auto scenario_key(const json& s) {
  return std::make_tuple(str_or(s, "file"), str_or(s, "name"), int_or(s, "seed"));
}
auto violation_key(const json& v) {
  return std::make_tuple(str_or(v, "scenario"), int_or(v, "seed"), int_or(v, "event_index"),
                         str_or(v, "clause"), str_or(v, "message"));
}

}  // namespace

void canonicalize(json& report) {
  if (!report.is_object()) return;
  if (report.contains("scenarios") && report["scenarios"].is_array()) {
    auto& a = report["scenarios"];
    std::stable_sort(a.begin(), a.end(), [](const json& x, const json& y) { return scenario_key(x) < scenario_key(y); });
  }
  if (report.contains("violations") && report["violations"].is_array()) {
    auto& a = report["violations"];
    std::stable_sort(a.begin(), a.end(), [](const json& x, const json& y) { return violation_key(x) < violation_key(y); });
  }
  if (report.contains("seeds") && report["seeds"].is_array()) {
    auto& a = report["seeds"];
    std::stable_sort(a.begin(), a.end());
    a.erase(std::unique(a.begin(), a.end()), a.end());
  }
}

void recompute_summary(json& r) {
  json& s = r["summary"];
  if (!s.is_object()) s = json::object();
  std::map<std::string, long long> n;
  for (const auto& k : r.value("clauses", json::array())) ++n[str_or(k, "status")];
  s["pass"] = n["pass"];
  s["fail"] = n["fail"];
  s["non_strict"] = n["non-strict"];
  s["informational"] = n["informational"];
  s["not_exercised"] = n["not-exercised"];
  s["excluded"] = n["excluded"];
  long long failed = 0, skipped = 0;
  const json scenarios = r.value("scenarios", json::array());
  for (const auto& sc : scenarios) {
    const std::string outcome = str_or(sc, "outcome");
    if (outcome == "skipped")
      ++skipped;
    else if (outcome != "pass")
      ++failed;
  }
  s["scenarios"] = static_cast<long long>(scenarios.size());
  s["scenarios_failed"] = failed;
  s["scenarios_skipped"] = skipped;
  long long code = int_or(s, "exit_code", 0);
  // A failing clause means exit 1 unless nondeterminism (4) outranks it.
  if (n["fail"] > 0 && code != 1 && code != 4) code = 1;
  s["exit_code"] = code;
}

// ---------------------------------------------------------------------------- writing

void write_atomic(const std::filesystem::path& path, std::string_view content) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path parent = path.parent_path();
  if (!parent.empty()) {
    fs::create_directories(parent, ec);
    if (ec) throw ReportError(path.string() + ": cannot create folder " + parent.string() + ": " + ec.message());
  }
  // The temporary name carries the process id so two writers never share one.
  fs::path tmp = path;
  tmp += ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw ReportError(path.string() + ": cannot write " + tmp.string() + ": " + std::strerror(errno));
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.flush();
    if (!out) {
      out.close();
      fs::remove(tmp, ec);
      throw ReportError(path.string() + ": write failed");
    }
  }
  fs::rename(tmp, path, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw ReportError(path.string() + ": cannot rename into place: " + ec.message());
  }
}

std::string to_json_text(const json& report) {
  // nlohmann's object type is a std::map: keys come out sorted.
  return report.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

void write_json(const json& report, const std::filesystem::path& path) {
  require_valid(report, path.string());
  json copy = report;
  canonicalize(copy);
  write_atomic(path, to_json_text(copy));
}

// ---------------------------------------------------------------------------- merge

json merge(const std::vector<json>& shards) {
  if (shards.empty()) throw ReportError("merge: no reports given");
  for (std::size_t i = 0; i < shards.size(); ++i) require_valid(shards[i], "report " + std::to_string(i + 1));
  const json& first = shards.front();
  for (std::size_t i = 1; i < shards.size(); ++i) {
    const json& r = shards[i];
    for (const char* key : {"profile", "suite", "strict"}) {
      if (r[key] != first[key])
        throw ReportError("merge: report " + std::to_string(i + 1) + " is of another run: " + key + " " +
                          r[key].dump() + " vs " + first[key].dump());
    }
    if (r["target"]["name"] != first["target"]["name"] || r["target"]["kind"] != first["target"]["kind"])
      throw ReportError("merge: report " + std::to_string(i + 1) + " is of another target: " +
                        r["target"]["name"].dump() + " vs " + first["target"]["name"].dump());
  }

  json out = first;
  std::string generated = first["generated_at"];
  double wall = 0, simulated = 0;
  long long histories = 0, events = 0, exit_code = 0;
  std::vector<json> seeds;
  for (const auto& r : shards) {
    generated = std::max(generated, r["generated_at"].get<std::string>());
    wall += r["speed"]["wall_seconds"].get<double>();
    simulated += r["speed"]["simulated_seconds"].get<double>();
    histories += r["speed"]["histories"].get<long long>();
    events += r["speed"]["events"].get<long long>();
    // Precedence of the CLI: nondeterminism (4), violation (1), harness error (3), pass (0).
    auto rank = [](long long c) { return c == 4 ? 3 : c == 1 ? 2 : c == 3 ? 1 : c == 0 ? 0 : 1; };
    long long c = r["summary"]["exit_code"].get<long long>();
    if (rank(c) > rank(exit_code)) exit_code = c;
    for (const auto& s : r["seeds"]) seeds.push_back(s);
  }
  out["generated_at"] = generated;
  out["seeds"] = seeds;
  out["shard"] = {{"index", 0}, {"count", 1}};
  // wall_seconds adds up machine time across shards, not the elapsed time of the matrix.
  out["speed"] = {{"wall_seconds", wall}, {"simulated_seconds", simulated}, {"histories", histories}, {"events", events}};

  // Clauses: catalogue order of the first report, then any new ones in order of appearance.
  std::vector<std::string> order;
  std::map<std::string, json> clauses;
  for (const auto& r : shards) {
    for (const auto& k : r["clauses"]) {
      std::string id = k["id"];
      auto it = clauses.find(id);
      if (it == clauses.end()) {
        order.push_back(id);
        clauses.emplace(id, k);
        continue;
      }
      json& m = it->second;
      m["exercised"] = m["exercised"].get<long long>() + k["exercised"].get<long long>();
      m["violations"] = m["violations"].get<long long>() + k["violations"].get<long long>();
      // Excluded is the weakest word: it stays only if every shard excluded the clause.
      std::string a = m["status"], b = k["status"];
      if (a == "excluded")
        m["status"] = b;
      else if (b != "excluded" && status_rank(b) < status_rank(a))
        m["status"] = b;
    }
  }
  out["clauses"] = json::array();
  for (const auto& id : order) out["clauses"].push_back(clauses[id]);

  // Scenarios keyed by (file, name, seed); a duplicate keeps the worse outcome. A run that
  // happened says more than one that was skipped, so skipped comes last.
  static const std::vector<std::string> outcome_order = {"nondeterministic", "crash", "hang", "error",
                                                         "fail",             "pass",  "skipped"};
  auto outcome_rank = [&](const json& s) {
    auto it = std::find(outcome_order.begin(), outcome_order.end(), str_or(s, "outcome"));
    return it - outcome_order.begin();
  };
  std::map<std::tuple<std::string, std::string, long long>, json> scenarios;
  for (const auto& r : shards) {
    for (const auto& s : r["scenarios"]) {
      auto key = scenario_key(s);
      auto it = scenarios.find(key);
      if (it == scenarios.end())
        scenarios.emplace(key, s);
      else if (outcome_rank(s) < outcome_rank(it->second))
        it->second = s;
    }
  }
  out["scenarios"] = json::array();
  for (auto& [k, s] : scenarios) out["scenarios"].push_back(s);

  std::map<std::tuple<std::string, long long, long long, std::string, std::string>, json> violations;
  for (const auto& r : shards)
    for (const auto& v : r["violations"]) violations.emplace(violation_key(v), v);
  out["violations"] = json::array();
  for (auto& [k, v] : violations) out["violations"].push_back(v);

  out["summary"]["exit_code"] = exit_code;
  recompute_summary(out);
  canonicalize(out);
  return out;
}

// ---------------------------------------------------------------------------- diff

Diff diff(const json& old_report, const json& new_report) {
  require_valid(old_report, "old report");
  require_valid(new_report, "new report");
  Diff d;
  if (old_report["target"]["name"] != new_report["target"]["name"])
    d.notes.push_back("the reports are of different targets: " + old_report["target"]["name"].get<std::string>() +
                      " and " + new_report["target"]["name"].get<std::string>());
  for (const char* key : {"profile", "suite"})
    if (old_report[key] != new_report[key])
      d.notes.push_back(std::string(key) + " changed: " + old_report[key].get<std::string>() + " -> " +
                        new_report[key].get<std::string>());
  if (old_report["strict"] != new_report["strict"]) d.notes.push_back("strict mode changed");

  std::map<std::string, std::string> old_status;
  for (const auto& k : old_report["clauses"]) old_status[k["id"]] = k["status"];
  std::set<std::string> seen;
  auto note_change = [&](const std::string& id, const std::string& a, const std::string& b) {
    if (a == b) return;
    d.changed.push_back({id, a, b});
    if (b == "fail" && (a == "pass" || a == "not-exercised" || a == "absent")) d.regressed = true;
  };
  for (const auto& k : new_report["clauses"]) {
    std::string id = k["id"];
    seen.insert(id);
    auto it = old_status.find(id);
    note_change(id, it == old_status.end() ? "absent" : it->second, k["status"]);
  }
  for (const auto& k : old_report["clauses"])
    if (!seen.count(k["id"])) note_change(k["id"], k["status"], "absent");

  auto key = [](const json& v) { return std::make_tuple(str_or(v, "clause"), str_or(v, "scenario"), int_or(v, "seed")); };
  std::set<std::tuple<std::string, std::string, long long>> old_keys, new_keys;
  for (const auto& v : old_report["violations"]) old_keys.insert(key(v));
  for (const auto& v : new_report["violations"]) new_keys.insert(key(v));
  std::set<std::tuple<std::string, std::string, long long>> reported;
  for (const auto& v : new_report["violations"])
    if (!old_keys.count(key(v)) && reported.insert(key(v)).second) d.new_violations.push_back(v);
  reported.clear();
  for (const auto& v : old_report["violations"])
    if (!new_keys.count(key(v)) && reported.insert(key(v)).second) d.fixed_violations.push_back(v);
  if (!d.new_violations.empty()) d.regressed = true;

  // Scenario outcomes, keyed by (file, name, seed). A change is listed, never a regression
  // by itself: a scenario that newly fails shows as a failing clause or a new violation
  // above, and one that is newly skipped (or no longer skipped) is news, not a failure.
  std::map<std::tuple<std::string, std::string, long long>, std::string> old_outcome, new_outcome;
  for (const auto& s : old_report["scenarios"]) old_outcome[scenario_key(s)] = s["outcome"];
  for (const auto& s : new_report["scenarios"]) new_outcome[scenario_key(s)] = s["outcome"];
  auto note_scenario = [&](const std::tuple<std::string, std::string, long long>& k, const std::string& a,
                           const std::string& b) {
    if (a != b) d.scenarios_changed.push_back({std::get<1>(k), std::get<0>(k), std::get<2>(k), a, b});
  };
  for (const auto& [k, o] : old_outcome) {
    auto it = new_outcome.find(k);
    note_scenario(k, o, it == new_outcome.end() ? "absent" : it->second);
  }
  for (const auto& [k, n] : new_outcome)
    if (!old_outcome.count(k)) note_scenario(k, "absent", n);
  std::sort(d.scenarios_changed.begin(), d.scenarios_changed.end(), [](const ScenarioChange& a, const ScenarioChange& b) {
    return std::tie(a.file, a.name, a.seed) < std::tie(b.file, b.name, b.seed);
  });
  return d;
}

std::string Diff::to_text() const {
  std::ostringstream o;
  for (const auto& n : notes) o << "note: " << n << "\n";
  for (const auto& c : changed) o << "clause " << c.id << ": " << c.old_status << " -> " << c.new_status << "\n";
  for (const auto& v : new_violations)
    o << "new violation: " << str_or(v, "clause") << " in " << str_or(v, "scenario") << " (seed "
      << int_or(v, "seed") << ", event " << int_or(v, "event_index") << "): " << str_or(v, "message") << "\n"
      << "  repro: " << str_or(v, "repro") << "\n";
  for (const auto& v : fixed_violations)
    o << "fixed: " << str_or(v, "clause") << " in " << str_or(v, "scenario") << " (seed " << int_or(v, "seed") << ")\n";
  for (const auto& s : scenarios_changed)
    o << "scenario " << s.name << " (seed " << s.seed << "): " << s.old_outcome << " -> " << s.new_outcome << "\n";
  if (changed.empty() && new_violations.empty() && fixed_violations.empty() && scenarios_changed.empty())
    o << "no change in clause statuses, violations or scenario outcomes\n";
  o << (regressed ? "REGRESSED\n" : "not regressed\n");
  return o.str();
}

json Diff::to_json() const {
  json j = {{"regressed", regressed}, {"notes", notes}, {"changed", json::array()}};
  for (const auto& c : changed) j["changed"].push_back({{"id", c.id}, {"old", c.old_status}, {"new", c.new_status}});
  j["new_violations"] = new_violations;
  j["fixed_violations"] = fixed_violations;
  j["scenarios_changed"] = json::array();
  for (const auto& s : scenarios_changed)
    j["scenarios_changed"].push_back(
        {{"name", s.name}, {"file", s.file}, {"seed", s.seed}, {"old", s.old_outcome}, {"new", s.new_outcome}});
  return j;
}

// ---------------------------------------------------------------------------- matrix

std::string matrix_markdown(const std::vector<json>& reports) {
  if (reports.empty()) throw ReportError("matrix: no reports given");
  for (std::size_t i = 0; i < reports.size(); ++i) require_valid(reports[i], "report " + std::to_string(i + 1));
  auto labels = target_labels(reports);
  std::vector<std::string> order;
  std::map<std::string, json> info;
  for (const auto& r : reports)
    for (const auto& k : r["clauses"])
      if (info.emplace(k["id"].get<std::string>(), k).second) order.push_back(k["id"]);
  // Group order of kGroups, catalogue order inside a group.
  std::stable_sort(order.begin(), order.end(), [&](const std::string& a, const std::string& b) {
    return group_rank(str_or(info[a], "group")) < group_rank(str_or(info[b], "group"));
  });

  auto cell_text = [](std::string s) {
    std::string out;
    for (char c : s) {
      if (c == '|') out += "\\|";
      else if (c == '\n' || c == '\r') out += ' ';
      else out += c;
    }
    return out;
  };
  std::ostringstream o;
  o << "| clause | severity |";
  for (const auto& l : labels) o << " " << cell_text(l) << " |";
  o << "\n|---|---|";
  for (std::size_t i = 0; i < labels.size(); ++i) o << "---|";
  o << "\n";
  for (const auto& id : order) {
    o << "| " << cell_text(id) << " | " << cell_text(str_or(info[id], "severity")) << " |";
    for (const auto& r : reports) {
      std::string cell = "n/a";
      for (const auto& k : r["clauses"]) {
        if (k["id"] != id) continue;
        std::string st = k["status"];
        long long v = k["violations"].get<long long>();
        cell = st == "fail" ? "**fail**" : st;
        if (v > 0) cell += " (" + std::to_string(v) + ")";
        break;
      }
      o << " " << cell << " |";
    }
    o << "\n";
  }
  o << "\n";
  for (std::size_t i = 0; i < reports.size(); ++i) {
    const json& r = reports[i];
    o << "- " << cell_text(labels[i]) << ": " << cell_text(str_or(r["target"], "library"))
      << (str_or(r["target"], "library").empty() ? "" : ", ") << "version " << cell_text(str_or(r["target"], "version"))
      << ", profile " << cell_text(str_or(r, "profile")) << ", suite " << cell_text(str_or(r, "suite"))
      << (r["strict"].get<bool>() ? ", strict" : "");
    // Skipped scenarios did not run: counted apart, neither passed nor failed.
    long long passed = 0, skipped = 0, failed = 0;
    for (const auto& s : r["scenarios"]) {
      const std::string outcome = str_or(s, "outcome");
      if (outcome == "pass")
        ++passed;
      else if (outcome == "skipped")
        ++skipped;
      else
        ++failed;
    }
    o << "; " << r["scenarios"].size() << " scenarios: " << passed << " passed, " << failed << " failed, " << skipped
      << " skipped\n";
  }
  return o.str();
}

}  // namespace ms::reports

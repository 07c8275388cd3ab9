// SPDX-License-Identifier: MIT
// report.cpp: schema check, canonical order, atomic writes, merge, diff, Markdown matrix.
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include "internal.hpp"
#include "reports/reports.hpp"

namespace ms::reports {
namespace detail {

namespace {

// Length of the valid UTF-8 sequence at s[i] and its code point, or 0 when invalid.
std::size_t utf8_at(std::string_view s, std::size_t i, char32_t& cp) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char c = b(0);
  std::size_t n = 0;
  if (c < 0x80) {
    cp = c;
    return 1;
  } else if ((c & 0xE0) == 0xC0) {
    n = 2;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((b(k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(k) & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
  if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
      (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return n;
}

bool xml_char(char32_t cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD) ||
         (cp >= 0x10000 && cp <= 0x10FFFF);
}

}  // namespace

std::string escape_markup(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    char32_t cp = 0;
    const std::size_t n = utf8_at(s, i, cp);
    if (n == 0 || !xml_char(cp)) {
      // Invalid UTF-8 or a character XML 1.0 forbids: a visible escape of the byte(s).
      const std::size_t len = n == 0 ? 1 : n;
      for (std::size_t k = 0; k < len; ++k) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(static_cast<unsigned char>(s[i + k])));
        out += buf;
      }
      i += len;
      continue;
    }
    switch (s[i]) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.append(s.substr(i, n));
    }
    i += n;
  }
  return out;
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
  if (it->is_number_unsigned()) {
    const auto u = it->get<std::uint64_t>();
    return u > static_cast<std::uint64_t>(std::numeric_limits<long long>::max()) ? fallback : static_cast<long long>(u);
  }
  if (it->is_number_integer()) return it->get<long long>();
  // A double outside the range of long long has no integer value (and converting it is
  // undefined behaviour).
  const double d = it->get<double>();
  if (!(d > -9.2e18 && d < 9.2e18)) return fallback;
  return static_cast<long long>(d);
}

std::uint64_t seed_or(const json& j, const char* key, std::uint64_t fallback) {
  if (!j.is_object()) return fallback;
  auto it = j.find(key);
  if (it == j.end()) return fallback;
  if (it->is_number_unsigned()) return it->get<std::uint64_t>();
  if (it->is_number_integer() && it->get<long long>() >= 0) return static_cast<std::uint64_t>(it->get<long long>());
  return fallback;
}

std::string seeds_text(const json& seeds) {
  std::string out;
  if (!seeds.is_array()) return out;
  auto value = [](const json& s, std::uint64_t& v) {
    if (s.is_number_unsigned()) v = s.get<std::uint64_t>();
    else if (s.is_number_integer() && s.get<long long>() >= 0) v = static_cast<std::uint64_t>(s.get<long long>());
    else return false;
    return true;
  };
  auto flush = [&](std::uint64_t first, std::uint64_t last) {
    if (!out.empty()) out += ", ";
    out += std::to_string(first);
    if (last != first) out += "-" + std::to_string(last);
  };
  bool open = false;
  std::uint64_t first = 0, last = 0;
  for (const json& s : seeds) {
    std::uint64_t v = 0;
    if (!value(s, v)) continue;  // the validator reports it; the text shows the seeds it can
    if (open && last != UINT64_MAX && v == last + 1) {
      last = v;
      continue;
    }
    if (open) flush(first, last);
    first = last = v;
    open = true;
  }
  if (open) flush(first, last);
  return out;
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
  e.time_ns = int_or(j, kEventTime, 0);  // the trace's own key ("t")
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
                                "setopt",     "cleanup",       "perform",       "multi_wait",
                                "multi_poll", "wakeup",        "fdset"};
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
  } else if (e.kind == "socket_all" || e.kind == "perform") {
    o << " -> " << e.result;
    if (e.running >= 0) o << " running=" << e.running;
  } else if (e.kind == "multi_wait" || e.kind == "multi_poll") {
    o << " " << e.value << " ms -> " << e.result << " numfds=" << e.code;
  } else if (e.kind == "wakeup") {
    o << " -> " << e.result;
  } else if (e.kind == "fdset") {
    o << " -> " << e.result << " max_fd=" << e.value;
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
  } else if (e.kind == "app_watch") {  // a recorded program's own waits and timer
    o << " fd=" << e.fd << " " << (e.mask == 0 ? std::string("nothing") : mask_name(e.mask));
  } else if (e.kind == "app_ready") {
    o << " fd=" << e.fd << " " << mask_name(e.mask);
  } else if (e.kind == "app_wait") {
    o << " " << (e.value < 0 ? std::string("no timeout") : std::to_string(e.value) + " ms");
    if (e.fd >= 0) o << " epoll fd=" << e.fd;
  } else if (e.kind == "app_timer") {
    o << " fd=" << e.fd << " " << (e.value < 0 ? std::string("disarmed") : std::to_string(e.value) + " ms");
  } else if (e.kind == "net_stream") {
    o << " fd=" << e.fd << " stream " << e.value << " " << e.text << " for "
      << (e.easy.empty() ? "no one transfer" : e.easy);
  } else if (e.kind == "net_stream_end") {
    o << " fd=" << e.fd << " stream " << e.value;
  } else if (e.kind.rfind("net_", 0) == 0) {
    o << " fd=" << e.fd;
  }
  if (!e.text.empty()) o << " " << e.text;
  return o.str();
}

std::string format_ns(std::int64_t ns) {
  char buf[64];
  // The magnitude as unsigned: -INT64_MIN does not fit an int64_t.
  const std::uint64_t a = ns < 0 ? 0 - static_cast<std::uint64_t>(ns) : static_cast<std::uint64_t>(ns);
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
    if (count[name] > 1)
      label += " (" + str_or(r.value("edition", json::object()), "id", "?") +
               (r.value("known", json(nullptr)).is_object() ? ", known" : "") + ")";
    int n = ++seen[label];
    if (n > 1) label += " #" + std::to_string(n);
    labels.push_back(label);
  }
  return labels;
}

}  // namespace detail

using namespace detail;

std::string printable(std::string_view s, std::size_t max) {
  std::string out;
  const std::size_t end = std::min(s.size(), max);
  for (std::size_t i = 0; i < end;) {
    char32_t cp = 0;
    const std::size_t n = detail::utf8_at(s, i, cp);
    if (n > 0 && i + n > end) break;  // a character cut by the limit
    // C0 and C1 controls and DEL drive terminals; the bidirectional overrides and
    // isolates make text read in another order than it is.
    const bool hidden = n == 0 || cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || (cp >= 0x202A && cp <= 0x202E) ||
                        (cp >= 0x2066 && cp <= 0x2069);
    if (!hidden) {
      out.append(s.substr(i, n));
      i += n;
      continue;
    }
    for (std::size_t k = 0; k < std::max<std::size_t>(n, 1); ++k) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(static_cast<unsigned char>(s[i + k])));
      out += buf;
    }
    i += std::max<std::size_t>(n, 1);
  }
  if (end < s.size()) out += "...";
  return out;
}

// ---------------------------------------------------------------------------- validate

namespace {

// The integers a field may hold; `text` says so in a problem.
struct IntRange {
  std::int64_t lo;
  std::uint64_t hi;
  const char* text;
};
constexpr IntRange kCounts{0, static_cast<std::uint64_t>(kCountMax), "[0, 2^53)"};
constexpr IntRange kPositiveCounts{1, static_cast<std::uint64_t>(kCountMax), "[1, 2^53)"};
constexpr IntRange kSeeds{0, std::numeric_limits<std::uint64_t>::max(), "[0, 2^64)"};
constexpr IntRange kInt64{std::numeric_limits<std::int64_t>::min(),
                          static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()), "[-2^63, 2^63)"};
constexpr IntRange kNonNegativeInt64{0, static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()),
                                     "[0, 2^63)"};
constexpr IntRange kInt32{std::numeric_limits<std::int32_t>::min(),
                          static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max()), "[-2^31, 2^31)"};

bool in_range(const json& v, const IntRange& r) {
  if (v.is_number_unsigned()) {
    const auto u = v.get<std::uint64_t>();
    return u <= r.hi && (r.lo <= 0 || u >= static_cast<std::uint64_t>(r.lo));
  }
  if (!v.is_number_integer()) return false;
  const auto i = v.get<std::int64_t>();
  return i >= r.lo && (i < 0 || static_cast<std::uint64_t>(i) <= r.hi);
}

// A value as a problem shows it: numbers and short strings whole (as JSON), long strings
// cut, arrays and objects by their type only, so a problem stays one short line.
std::string shown(const json& v) {
  constexpr std::size_t kShownMax = 64;
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    if (s.size() <= kShownMax) return v.dump(-1, ' ', false, json::error_handler_t::replace);
    return json(s.substr(0, kShownMax)).dump(-1, ' ', false, json::error_handler_t::replace) + "...";
  }
  if (v.is_structured()) return v.type_name();
  return v.dump();
}

// A key of the report as part of a path in a problem.
std::string key_text(const std::string& key) { return printable(key, 64); }

// At most this many problems are listed (and the rest counted): a report of millions of
// broken elements gives a short answer, not gigabytes of text.
constexpr std::size_t kProblemsMax = 100;

struct Checker {
  std::vector<std::string> problems;
  std::size_t unlisted = 0;

  std::size_t total() const { return problems.size() + unlisted; }
  void add(const std::string& where, const std::string& what) {
    if (problems.size() >= kProblemsMax) {
      ++unlisted;
      return;
    }
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

  // An integer within `range`; a number outside it (a float, 2^64-1 where a count belongs,
  // a negative seed) is named with its value.
  const json* integer(const json& obj, const std::string& where, const char* key, const IntRange& range) {
    auto it = obj.find(key);
    if (it == obj.end()) {
      add(where + "/" + key, "missing");
      return nullptr;
    }
    return in_range_or_problem(*it, where + "/" + key, range);
  }
  const json* in_range_or_problem(const json& v, const std::string& path, const IntRange& range) {
    if (!v.is_number()) {
      add(path, "expected integer, got " + type_name(v));
      return nullptr;
    }
    if (in_range(v, range)) return &v;
    add(path, std::string("expected an integer in ") + range.text + ", got " + shown(v));
    return nullptr;
  }

  // A number of seconds: finite and not negative.
  void seconds(const json& obj, const std::string& where, const char* key) {
    const json* v = member(obj, where, key, json::value_t::number_float);
    if (v && !(std::isfinite(v->get<double>()) && v->get<double>() >= 0))
      add(where + "/" + key, "expected a finite number >= 0, got " + shown(*v));
  }

  void one_of(const json& obj, const std::string& where, const char* key,
              std::initializer_list<const char*> allowed) {
    const json* v = member(obj, where, key, json::value_t::string);
    if (!v) return;
    const auto& s = v->get_ref<const std::string&>();
    std::string list;
    for (const char* a : allowed) {
      if (s == a) return;
      list += (list.empty() ? "" : "|") + std::string(a);
    }
    add(where + "/" + key, "expected one of " + list + ", got " + shown(*v));
  }

  // A verdict word (kVerdicts); returns the member when it is one.
  const json* verdict(const json& obj, const std::string& where, const char* key) {
    const json* v = member(obj, where, key, json::value_t::string);
    if (!v) return nullptr;
    if (is_verdict(v->get_ref<const std::string&>())) return v;
    std::string list;
    for (const char* w : kVerdicts) list += (list.empty() ? "" : "|") + std::string(w);
    add(where + "/" + key, "expected one of " + list + ", got " + shown(*v));
    return nullptr;
  }

  void count(const json& obj, const std::string& where, const char* key) { integer(obj, where, key, kCounts); }

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
      // The ranges of the trace codec (conformance/core/trace.cpp): the time and `value`
      // are 64-bit, every other number a C int.
      for (std::size_t ki = 1; ki + 1 < std::size(kEventKeys); ++ki) {
        const char* k = kEventKeys[ki];
        auto it = e.find(k);
        if (it == e.end()) continue;
        const std::string_view name = k;
        if ((name == "easy" || name == "socketp") && it->is_string()) continue;  // an id by name
        if (!it->is_number_integer()) {
          add(p + "/" + k, std::string(name == "easy" || name == "socketp" ? "expected integer or string id"
                                                                            : "expected integer") +
                               ", got " + type_name(*it));
          continue;
        }
        in_range_or_problem(*it, p + "/" + k, name == kEventTime || name == "value" ? kInt64 : kInt32);
      }
      auto t = e.find("text");
      if (t != e.end() && !t->is_string()) add(p + "/text", "expected string, got " + type_name(*t));
    }
  }
};

// A folded trace digest: 16 lowercase hexadecimal digits.
bool hex_digest(const json& d) {
  const std::string& s = d.get_ref<const std::string&>();
  return s.size() == 16 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// "2026-11-23T12:00:00Z", optionally with a fraction of a second. By hand: std::regex
// recurses once per character and a long string would exhaust the stack.
bool utc_timestamp(std::string_view s) {
  const std::string_view shape = "dddd-dd-ddTdd:dd:dd";
  if (s.size() < shape.size() + 1 || s.back() != 'Z') return false;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    const bool digit = std::isdigit(static_cast<unsigned char>(s[i])) != 0;
    if (shape[i] == 'd' ? !digit : s[i] != shape[i]) return false;
  }
  std::string_view rest = s.substr(shape.size(), s.size() - shape.size() - 1);
  if (rest.empty()) return true;
  if (rest.size() < 2 || rest[0] != '.') return false;
  for (char c : rest.substr(1))
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

Checker check(const json& r) {
  Checker c;
  if (!r.is_object()) {
    c.add("", "a report is a JSON object, got " + std::string(r.type_name()));
    return c;
  }
  if (const json* s = c.member(r, "", "schema", json::value_t::string); s && *s != kSchema)
    c.add("/schema", std::string("expected \"") + kSchema + "\", got " + shown(*s));
  if (const json* t = c.member(r, "", "tool", json::value_t::object)) {
    c.member(*t, "/tool", "name", json::value_t::string);
    c.member(*t, "/tool", "version", json::value_t::string);
  }
  if (const json* g = c.member(r, "", "generated_at", json::value_t::string);
      g && !utc_timestamp(g->get_ref<const std::string&>()))
    c.add("/generated_at", "expected UTC time like 2026-11-23T12:00:00Z, got " + shown(*g));
  if (const json* t = c.member(r, "", "target", json::value_t::object)) {
    c.member(*t, "/target", "name", json::value_t::string);
    c.one_of(*t, "/target", "kind", {"engine-sim", "engine-real", "lib"});
    c.member(*t, "/target", "library", json::value_t::string);
    c.member(*t, "/target", "version", json::value_t::string);
    if (t->contains("world")) c.one_of(*t, "/target", "world", {"sim", "real"});
  }
  c.member(r, "", "suite", json::value_t::string);
  c.member(r, "", "strict", json::value_t::boolean);
  if (const json* e = c.member(r, "", "edition", json::value_t::object)) {
    c.member(*e, "/edition", "id", json::value_t::string);
    c.member(*e, "/edition", "title", json::value_t::string);
    c.one_of(*e, "/edition", "chosen_by", {"version", "option"});
  }
  if (auto k = r.find("known"); k == r.end()) {
    c.add("/known", "missing (null when no known deviations were given)");
  } else if (!k->is_null()) {
    if (!k->is_object()) {
      c.add("/known", std::string("expected null or object, got ") + k->type_name());
    } else {
      c.member(*k, "/known", "file", json::value_t::string);
      c.member(*k, "/known", "implementation", json::value_t::string);
      if (auto v = k->find("versions"); v == k->end()) c.add("/known/versions", "missing");
      if (const json* es = c.member(*k, "/known", "entries", json::value_t::array))
        for (std::size_t i = 0; i < es->size(); ++i) {
          const std::string p = "/known/entries/" + std::to_string(i);
          const json& e = (*es)[i];
          if (!e.is_object()) {
            c.add(p, std::string("expected object, got ") + e.type_name());
            continue;
          }
          for (const char* key : {"clause", "scenario", "reason", "evidence"}) c.member(e, p, key, json::value_t::string);
          c.count(e, p, "line");
          c.count(e, p, "matched");
        }
    }
  }
  const json* run_verdict = c.verdict(r, "", "verdict");
  if (const json* seeds = c.member(r, "", "seeds", json::value_t::array)) {
    for (std::size_t i = 0; i < seeds->size(); ++i)
      c.in_range_or_problem((*seeds)[i], "/seeds/" + std::to_string(i), kSeeds);
  }
  if (const json* sh = c.member(r, "", "shard", json::value_t::object)) {
    const json* idx = c.integer(*sh, "/shard", "index", kCounts);
    const json* cnt = c.integer(*sh, "/shard", "count", kPositiveCounts);
    if (idx && cnt && !(idx->get<long long>() < cnt->get<long long>()))
      c.add("/shard", "index must be in [0, count), got " + idx->dump() + "/" + cnt->dump());
  }
  if (const json* sp = c.member(r, "", "speed", json::value_t::object)) {
    c.seconds(*sp, "/speed", "wall_seconds");
    c.seconds(*sp, "/speed", "simulated_seconds");
    c.count(*sp, "/speed", "histories");
    c.count(*sp, "/speed", "events");
  }

  std::set<std::string> clause_ids;
  std::map<std::string, long long> clause_count;
  if (const json* cl = c.member(r, "", "clauses", json::value_t::array)) {
    for (std::size_t i = 0; i < cl->size(); ++i) {
      const json& k = (*cl)[i];
      std::string p = "/clauses/" + std::to_string(i);
      if (!k.is_object()) {
        c.add(p, std::string("expected object, got ") + k.type_name());
        continue;
      }
      if (const json* id = c.member(k, p, "id", json::value_t::string)) {
        if (!clause_ids.insert(id->get<std::string>()).second) c.add(p + "/id", "duplicate clause " + shown(*id));
      }
      c.member(k, p, "group", json::value_t::string);
      c.one_of(k, p, "severity", {"MUST", "SHOULD", "OBSERVED"});
      c.member(k, p, "statement", json::value_t::string);
      if (const json* src = c.member(k, p, "source", json::value_t::object)) {
        c.member(*src, p + "/source", "document", json::value_t::string);
        c.member(*src, p + "/source", "quote", json::value_t::string);
      }
      if (const json* v = c.verdict(k, p, "verdict")) {
        ++clause_count[v->get<std::string>()];
        const json* d = c.member(k, p, "detail", json::value_t::string);
        if (d && *v == "skipped" && d->get_ref<const std::string&>().empty())
          c.add(p + "/detail", "a skipped clause must say why");
      }
      c.count(k, p, "exercised");
      c.count(k, p, "violations");
      c.count(k, p, "known");
    }
  }

  // A scenario is one (name, seed): violations name it so, and two entries of one name
  // and seed (one run listed twice, or two files of one name) would make that ambiguous.
  std::map<std::pair<std::string, std::uint64_t>, std::size_t> runs;  // (name, seed) -> index
  std::set<std::pair<std::string, std::uint64_t>> skipped_runs;
  std::map<std::string, long long> scenario_count;
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
      const json* n = c.member(s, p, "name", json::value_t::string);
      c.member(s, p, "file", json::value_t::string);
      const json* sd = c.integer(s, p, "seed", kSeeds);
      if (n && sd) {
        auto [it, fresh] = runs.emplace(std::make_pair(n->get<std::string>(), sd->get<std::uint64_t>()), i);
        if (!fresh)
          c.add(p, "duplicate scenario " + shown(*n) + " with seed " + sd->dump() + " (also /scenarios/" +
                       std::to_string(it->second) + ")");
      }
      const json* v = c.verdict(s, p, "verdict");
      if (v) ++scenario_count[v->get<std::string>()];
      const bool skipped = v && *v == "skipped";
      const json* detail = c.member(s, p, "detail", json::value_t::string);
      c.member(s, p, "signal", json::value_t::string);
      c.member(s, p, "message", json::value_t::string);
      c.member(s, p, "trace_hash", json::value_t::string);
      c.count(s, p, "events");
      c.integer(s, p, "virtual_ns", kNonNegativeInt64);
      if (const json* ids = c.member(s, p, "clauses", json::value_t::array)) {
        for (std::size_t j = 0; j < ids->size(); ++j) {
          const json& id = (*ids)[j];
          if (!id.is_string())
            c.add(p + "/clauses/" + std::to_string(j), std::string("expected string, got ") + id.type_name());
          else if (!clause_ids.empty() && !clause_ids.count(id.get<std::string>()))
            c.add(p + "/clauses/" + std::to_string(j), "unknown clause " + shown(id));
        }
      }
      c.member(s, p, "repro", json::value_t::string);
      if (auto rp = s.find("repeats"); rp != s.end()) {
        if (!rp->is_object()) {
          c.add(p + "/repeats", std::string("expected object, got ") + rp->type_name());
        } else {
          std::size_t kinds = 0;
          for (auto it = rp->begin(); it != rp->end(); ++it) {
            const std::string rp_path = p + "/repeats/" + key_text(it.key());
            if (!is_verdict(it.key())) c.add(rp_path, "not a verdict word");
            if (!it->is_number_integer() || !in_range(*it, kPositiveCounts))
              c.add(rp_path, std::string("expected a count in ") + kPositiveCounts.text + ", got " + shown(*it));
            ++kinds;
          }
          if (v && kinds > 1 && *v != "flaky")
            c.add(p + "/verdict", "repeats disagree, so the verdict must be flaky, got " + shown(*v));
        }
      }
      // A skipped scenario did not run: it says why, and exercised nothing.
      if (skipped) {
        if (detail && detail->get_ref<const std::string&>().empty())
          c.add(p + "/detail", "a skipped scenario must say why it was skipped");
        if (s.contains("clauses") && s["clauses"].is_array() && !s["clauses"].empty())
          c.add(p + "/clauses", "a skipped scenario exercised nothing, got " + std::to_string(s["clauses"].size()) +
                                    " clauses");
        if (n && sd) skipped_runs.emplace(n->get<std::string>(), sd->get<std::uint64_t>());
      }
    }
  }

  // Passing groups counted, not listed (a sweep past kListedPassingMax passing groups).
  if (auto f = r.find("folded"); f != r.end()) {
    if (!f->is_object()) {
      c.add("/folded", std::string("expected object, got ") + f->type_name());
    } else {
      const json* n = c.integer(*f, "/folded", "scenarios", kPositiveCounts);
      const json* runs_n = c.integer(*f, "/folded", "runs", kPositiveCounts);
      if (n && runs_n && runs_n->get<long long>() < n->get<long long>())
        c.add("/folded/runs", "fewer runs (" + runs_n->dump() + ") than scenarios (" + n->dump() + ")");
      c.count(*f, "/folded", "events");
      c.integer(*f, "/folded", "virtual_ns", kNonNegativeInt64);
      if (const json* d = c.member(*f, "/folded", "trace_digest", json::value_t::string); d && !hex_digest(*d))
        c.add("/folded/trace_digest", "expected 16 hexadecimal digits, got " + shown(*d));
      if (n) {
        scenario_count["pass"] += n->get<long long>();
        scenario_total += n->get<std::size_t>();
      }
    }
  }

  bool nondeterministic = false;
  if (const json* vs = c.member(r, "", "violations", json::value_t::array)) {
    for (std::size_t i = 0; i < vs->size(); ++i) {
      const json& v = (*vs)[i];
      std::string p = "/violations/" + std::to_string(i);
      if (!v.is_object()) {
        c.add(p, std::string("expected object, got ") + v.type_name());
        continue;
      }
      const json* id = c.member(v, p, "clause", json::value_t::string);
      const json* sev = v.contains("severity") ? &v["severity"] : nullptr;
      c.one_of(v, p, "severity", {"MUST", "SHOULD", "OBSERVED", "EXPECT"});
      if (id && id->get_ref<const std::string&>().empty()) {
        // An unmet expect line: no catalogue clause, the line itself instead.
        c.member(v, p, "expectation", json::value_t::string);
        if (sev && sev->is_string() && *sev != "EXPECT") c.add(p + "/severity", "an expectation has severity EXPECT");
      } else if (id && !clause_ids.empty() && !clause_ids.count(id->get<std::string>())) {
        c.add(p + "/clause", "unknown clause " + shown(*id));
      }
      const json* n = c.member(v, p, "scenario", json::value_t::string);
      const json* sd = c.integer(v, p, "seed", kSeeds);
      if (n && sd) {
        const auto key = std::make_pair(n->get<std::string>(), sd->get<std::uint64_t>());
        if (!runs.count(key))
          c.add(p + "/scenario", "no scenario " + shown(*n) + " with seed " + sd->dump());
        if (skipped_runs.count(key))
          c.add(p + "/scenario", "names a skipped scenario " + shown(*n) + " (seed " + sd->dump() + ")");
      }
      c.count(v, p, "event_index");
      c.integer(v, p, "time_ns", kInt64);
      c.member(v, p, "message", json::value_t::string);
      c.member(v, p, "quote", json::value_t::string);
      c.member(v, p, "repro", json::value_t::string);
      const json* known = c.member(v, p, "known", json::value_t::string);
      if (id && known && *id == "DT-REPLAY" && known->get_ref<const std::string&>().empty()) nondeterministic = true;
      c.events(v, p, "trace_excerpt");
      c.count(v, p, "excerpt_first_index");
      c.events(v, p, "timeline");
      if (v.contains("timeline") && v["timeline"].is_array() && v["timeline"].size() > kTimelineMax)
        c.add(p + "/timeline", "at most " + std::to_string(kTimelineMax) + " events, got " +
                                   std::to_string(v["timeline"].size()));
      c.count(v, p, "timeline_first_index");
    }
  }

  if (const json* sm = c.member(r, "", "summary", json::value_t::object)) {
    auto counts = [&](const char* key, std::map<std::string, long long>& want, std::size_t total,
                      const char* what) {
      const json* o = c.member(*sm, "/summary", key, json::value_t::object);
      if (!o) return;
      const std::string p = std::string("/summary/") + key;
      for (const char* w : kVerdicts) {
        const json* n = c.integer(*o, p, w, kCounts);
        if (n && n->get<long long>() != want[w])
          c.add(p + "/" + w,
                "says " + n->dump() + " but " + std::to_string(want[w]) + " " + what + " have verdict " + w);
      }
      if (const json* t = c.integer(*o, p, "total", kCounts); t && t->get<long long>() != static_cast<long long>(total))
        c.add(p + "/total", "says " + t->dump() + " but the report has " + std::to_string(total));
    };
    counts("scenarios", scenario_count, scenario_total, "scenarios");
    counts("clauses", clause_count, clause_ids.size(), "clauses");
    // The run's verdict is the worst scenario verdict (skipped when nothing ran).
    std::string worst = "skipped";
    for (auto& [w, n] : scenario_count)
      if (n > 0) worst = std::string(worse_verdict(worst, w));
    if (run_verdict && r.contains("scenarios") && r["scenarios"].is_array() && *run_verdict != worst)
      c.add("/verdict", "says " + shown(*run_verdict) + " but the worst scenario verdict is " + json(worst).dump());
    if (const json* e = c.integer(*sm, "/summary", "exit_code", kInt32); e && run_verdict) {
      const int want = exit_code_for_verdict(run_verdict->get_ref<const std::string&>(), nondeterministic);
      if (e->get<long long>() != want)
        c.add("/summary/exit_code", "says " + e->dump() + " but verdict " + shown(*run_verdict) + " means exit " +
                                        std::to_string(want));
    }
  }
  return c;
}

}  // namespace

std::vector<std::string> validate(const json& r) {
  Checker c = check(r);
  if (c.unlisted > 0) c.problems.push_back("... and " + std::to_string(c.unlisted) + " more problems");
  return std::move(c.problems);
}

void require_valid(const json& report, std::string_view what) {
  const Checker c = check(report);
  if (c.total() == 0) return;
  std::string msg = std::string(what) + ": not a valid " + kSchema + " report:";
  constexpr std::size_t kShownProblems = 20;
  for (std::size_t i = 0; i < c.problems.size() && i < kShownProblems; ++i) msg += "\n  " + c.problems[i];
  if (c.total() > kShownProblems) msg += "\n  ... and " + std::to_string(c.total() - kShownProblems) + " more";
  throw ReportError(msg);
}

// ---------------------------------------------------------------------------- reading

namespace {

// 1-based line and column of byte `offset` of `text` ("LINE:COLUMN").
std::string line_column(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  std::size_t line = 1, line_start = 0;
  for (std::size_t i = 0; i < offset; ++i)
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  return std::to_string(line) + ":" + std::to_string(offset - line_start + 1);
}

// One pass over the text before any parsing: nesting deeper than kReportDepthMax (which
// would make a recursive reader exhaust the stack), a string longer than kReportStringMax
// or more than kReportValuesMax values. Brackets inside strings do not count. Syntax is
// left to the parser; this only has to be right for text that is JSON.
void prescan(std::string_view text, std::string_view what) {
  int depth = 0;
  std::size_t values = 1;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char ch = text[i];
    if (ch == '"') {
      const std::size_t start = i;
      for (++i; i < text.size() && text[i] != '"'; ++i)
        if (text[i] == '\\') ++i;
      if (i - start - 1 > kReportStringMax)
        throw ReportError(std::string(what) + ":" + line_column(text, start) + ": a string longer than " +
                          std::to_string(kReportStringMax) + " bytes");
      continue;
    }
    if (ch == '[' || ch == '{') {
      if (++depth > kReportDepthMax)
        throw ReportError(std::string(what) + ":" + line_column(text, i) + ": nested deeper than " +
                          std::to_string(kReportDepthMax) + " levels");
    } else if (ch == ']' || ch == '}') {
      --depth;
    } else if (ch == ',' && ++values > kReportValuesMax) {
      throw ReportError(std::string(what) + ":" + line_column(text, i) + ": more than " +
                        std::to_string(kReportValuesMax) + " values");
    }
  }
}

// The parser's reader of a report (nlohmann's SAX interface): builds the document as
// json::parse does and refuses a duplicate key, named by its JSON pointer. json::parse's
// own callback reader scans an object's parent for a discarded value each time the object
// ends (nlohmann 3.11.2): quadratic in a report's scenarios, 8,000 of them took 16 to 18
// times as long to read as 1,000.
class Reader {
 public:
  explicit Reader(std::string_view what) : what_(what) {}
  json take() { return std::move(root_); }

  bool null() { return put(nullptr); }
  bool boolean(bool v) { return put(v); }
  bool number_integer(json::number_integer_t v) { return put(v); }
  bool number_unsigned(json::number_unsigned_t v) { return put(v); }
  bool number_float(json::number_float_t v, const std::string& /*text*/) { return put(v); }
  bool string(std::string& v) { return put(std::move(v)); }
  bool binary(json::binary_t& v) { return put(json::binary(std::move(v))); }  // not in JSON text
  bool start_object(std::size_t /*elements*/) { return open(json::object()); }
  bool start_array(std::size_t /*elements*/) { return open(json::array()); }
  bool key(std::string& k) {
    Frame& f = frames_.back();
    f.key = k;
    if (!f.keys.insert(std::move(k)).second) fail("duplicate key (a reader would keep one of the values)");
    return true;
  }
  bool end_object() { return close(); }
  bool end_array() { return close(); }
  template <class Exception>
  bool parse_error(std::size_t /*byte*/, const std::string& /*token*/, const Exception& e) {
    throw e;  // its own type: parse_report tells a syntax error from a number out of range
  }

 private:
  struct Frame {
    json* value;          // the object or array being read
    std::string segment;  // how its parent reaches it: "/key" or "/index"
    std::set<std::string> keys;
    std::string key;      // an object's key being read
  };

  // Where the value that starts now goes: the root, a new element at the end of the array
  // being read, or the member of the object's key; with its path segment.
  json& slot(std::string* segment) {
    if (frames_.empty()) return root_;
    Frame& f = frames_.back();
    if (f.value->is_array()) {
      if (segment != nullptr) *segment = "/" + std::to_string(f.value->size());
      f.value->push_back(nullptr);
      return f.value->back();
    }
    if (segment != nullptr) *segment = "/" + key_text(f.key);
    return (*f.value)[f.key];
  }
  template <class V>
  bool put(V&& v) {
    slot(nullptr) = json(std::forward<V>(v));
    return true;
  }
  // An element of a parent being read is not moved while it is open: the parent grows
  // only after it ends.
  bool open(json empty) {
    std::string segment;
    json& s = slot(&segment);
    s = std::move(empty);
    frames_.push_back({&s, std::move(segment), {}, {}});
    return true;
  }
  bool close() {
    frames_.pop_back();
    return true;
  }

  [[noreturn]] void fail(const std::string& why) const {
    std::string path;
    for (const Frame& f : frames_) path += f.segment;
    if (!frames_.empty() && frames_.back().value->is_object() && !frames_.back().key.empty())
      path += "/" + key_text(frames_.back().key);
    throw ReportError(std::string(what_) + ": " + (path.empty() ? "/" : path) + ": " + why);
  }

  std::string_view what_;
  json root_;
  std::vector<Frame> frames_;
};

}  // namespace

json parse_report(std::string_view text, std::string_view what) {
  prescan(text, what);
  json j;
  try {
    Reader reader(what);
    json::sax_parse(text.begin(), text.end(), &reader);
    j = reader.take();
  } catch (const json::parse_error& e) {
    // nlohmann's text starts "[json.exception.parse_error.101] parse error at line 1,
    // column 2: "; the reason follows, with the token read so far (cut: it may be long).
    std::string reason = e.what();
    if (const auto at = reason.find(": ", reason.find("column")); at != std::string::npos)
      reason = reason.substr(at + 2);
    const std::size_t offset = e.byte > 0 ? e.byte - 1 : 0;
    throw ReportError(std::string(what) + ":" + line_column(text, offset) + ": not JSON: " + printable(reason, 200));
  } catch (const json::exception& e) {
    // A number past what a double holds (1e999): "[json.exception.out_of_range.406] ...".
    std::string reason = e.what();
    if (const auto at = reason.find("] "); at != std::string::npos) reason = reason.substr(at + 2);
    throw ReportError(std::string(what) + ": not JSON: " + printable(reason, 200));
  }
  require_valid(j, what);
  return j;
}

json load(const std::filesystem::path& path) {
  namespace fs = std::filesystem;
  const std::string name = path.string();
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (ec || !fs::exists(status))
    throw ReportError(name + ": cannot open: " + (ec ? ec.message() : std::string("no such file")));
  // A FIFO or a device could block or never end; a directory has no text.
  if (fs::is_directory(status)) throw ReportError(name + ": a directory, not a report file");
  if (!fs::is_regular_file(status)) throw ReportError(name + ": not a regular file");
  const auto too_large = [&] {
    return ReportError(name + ": larger than " + std::to_string(kReportFileMax) + " bytes");
  };
  if (const auto size = fs::file_size(path, ec); !ec && size > kReportFileMax) throw too_large();
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ReportError(name + ": cannot open: " + std::strerror(errno));
  std::string text;
  char buffer[65536];
  // The size is checked while reading: the file may grow after status() was asked.
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kReportFileMax) throw too_large();
  }
  if (in.bad()) throw ReportError(name + ": read failed");
  return parse_report(text, name);
}

// ---------------------------------------------------------------------------- order

namespace {

auto scenario_key(const json& s) {
  return std::make_tuple(str_or(s, "file"), str_or(s, "name"), seed_or(s, "seed"));
}
auto violation_key(const json& v) {
  return std::make_tuple(str_or(v, "scenario"), seed_or(v, "seed"), int_or(v, "event_index"),
                         str_or(v, "clause"), str_or(v, "message"));
}

// The keys of array a's elements, each made once, beside their places (a comparison that
// made both keys copied their strings, twice per comparison of an n log n sort).
template <class KeyOf>
auto keyed(const json& a, KeyOf key_of) {
  std::vector<std::pair<decltype(key_of(a.front())), std::size_t>> out;
  out.reserve(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) out.emplace_back(key_of(a[i]), i);
  return out;
}

constexpr auto kByKey = [](const auto& x, const auto& y) { return x.first < y.first; };

template <class KeyOf>
bool sorted_by_key(const json& a, KeyOf key_of) {
  const auto keys = keyed(a, key_of);
  return std::is_sorted(keys.begin(), keys.end(), kByKey);
}

// Stable-sorts array a by key_of(element); an array already in order is left as it is.
template <class KeyOf>
void sort_by_key(json& a, KeyOf key_of) {
  auto keys = keyed(a, key_of);
  if (std::is_sorted(keys.begin(), keys.end(), kByKey)) return;
  std::stable_sort(keys.begin(), keys.end(), kByKey);
  json sorted = json::array();
  sorted.get_ref<json::array_t&>().reserve(a.size());
  for (auto& k : keys) sorted.push_back(std::move(a[k.second]));
  a = std::move(sorted);
}

const json* array_at(const json& report, const char* key) {
  const auto it = report.find(key);
  return it != report.end() && it->is_array() && !it->empty() ? &*it : nullptr;
}

// What canonicalize() would leave unchanged.
bool in_canonical_order(const json& report) {
  if (!report.is_object()) return true;
  if (const json* a = array_at(report, "scenarios"); a && !sorted_by_key(*a, scenario_key)) return false;
  if (const json* a = array_at(report, "violations"); a && !sorted_by_key(*a, violation_key)) return false;
  if (const json* a = array_at(report, "seeds"))  // ascending, each once
    return std::adjacent_find(a->begin(), a->end(), [](const json& x, const json& y) { return !(x < y); }) == a->end();
  return true;
}

}  // namespace

void canonicalize(json& report) {
  if (!report.is_object()) return;
  if (array_at(report, "scenarios")) sort_by_key(report["scenarios"], scenario_key);
  if (array_at(report, "violations")) sort_by_key(report["violations"], violation_key);
  if (report.contains("seeds") && report["seeds"].is_array()) {
    auto& a = report["seeds"];
    std::stable_sort(a.begin(), a.end());
    a.erase(std::unique(a.begin(), a.end()), a.end());
  }
}

namespace detail {

const json& canonical(const json& report, std::optional<json>& copy) {
  if (in_canonical_order(report)) return report;
  canonicalize(copy.emplace(report));
  return *copy;
}

}  // namespace detail

long long folded_scenarios(const json& report) {
  if (!report.is_object()) return 0;
  const auto f = report.find("folded");
  if (f == report.end() || !f->is_object()) return 0;
  return int_or(*f, "scenarios", 0);
}

std::string digest_hex(std::uint64_t d) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(d));
  return buf;
}

namespace {

// r[key] where r has it, else an empty array: what r.value(key, json::array()) gives, read
// in place (value() copies; a report's scenarios are thousands of objects).
const json& list_or_empty(const json& r, const char* key) {
  static const json empty = json::array();
  const auto it = r.find(key);
  return it == r.end() ? empty : *it;
}

}  // namespace

void recompute_summary(json& r) {
  json& s = r["summary"];
  if (!s.is_object()) s = json::object();
  auto counts = [](const json& list) {
    json c = json::object();
    for (const char* w : kVerdicts) c[w] = 0;
    long long total = 0;
    for (const auto& x : list) {
      const std::string v = str_or(x, "verdict");
      if (is_verdict(v)) c[v] = c[v].get<long long>() + 1;
      ++total;
    }
    c["total"] = total;
    return c;
  };
  const json& scenarios = list_or_empty(r, "scenarios");
  s["scenarios"] = counts(scenarios);
  const long long folded = folded_scenarios(r);
  if (folded > 0) {
    s["scenarios"]["pass"] = s["scenarios"]["pass"].get<long long>() + folded;
    s["scenarios"]["total"] = s["scenarios"]["total"].get<long long>() + folded;
  }
  s["clauses"] = counts(list_or_empty(r, "clauses"));
  std::string verdict = folded > 0 ? "pass" : "skipped";
  for (const auto& sc : scenarios) {
    const std::string v = str_or(sc, "verdict");
    if (is_verdict(v)) verdict = std::string(worse_verdict(verdict, v));
  }
  bool nondeterministic = false;
  for (const auto& v : list_or_empty(r, "violations"))
    if (str_or(v, "clause") == "DT-REPLAY" && str_or(v, "known").empty()) nondeterministic = true;
  r["verdict"] = verdict;
  s["exit_code"] = exit_code_for_verdict(verdict, nondeterministic);
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

std::string detail::json_text_checked(const json& report) {
  std::optional<json> copy;
  return to_json_text(canonical(report, copy));
}

void write_json(const json& report, const std::filesystem::path& path) {
  require_valid(report, path.string());
  write_atomic(path, json_text_checked(report));
}

void write_report_files(const json& report, const std::filesystem::path& dir) {
  require_valid(report, (dir / "report.json").string());
  write_atomic(dir / "report.json", json_text_checked(report));
  write_atomic(dir / "junit.xml", junit_text_checked({&report}));
  write_atomic(dir / "report.html", html_text_checked({report}));
}

// ---------------------------------------------------------------------------- merge

namespace {

// a + b for counts of the reports being merged; ReportError past kCountMax (a count that
// wrapped would turn a failing run into a passing one).
long long add_counts(long long a, long long b, const std::string& what) {
  if (a < 0 || b < 0 || b > kCountMax - a)
    throw ReportError("merge: " + what + " adds up past " + std::to_string(kCountMax));
  return a + b;
}

// The known-deviations file a report was judged with (null when none).
json known_file(const json& r) {
  const json& k = r["known"];
  return k.is_object() ? k.value("file", json()) : json();
}

// A known file's entries as a report lists them, without the count of the run's matches:
// what shards judged with one file have in common.
json known_entries_unmatched(const json& r) {
  const json& k = r["known"];
  json entries = k.is_object() ? k.value("entries", json::array()) : json::array();
  for (auto& e : entries)
    if (e.is_object()) e.erase("matched");
  return entries;
}

}  // namespace

json merge(const std::vector<json>& shards, const std::vector<std::string>& names) {
  if (shards.empty()) throw ReportError("merge: no reports given");
  const auto name = [&](std::size_t i) { return i < names.size() ? names[i] : "report " + std::to_string(i + 1); };
  for (std::size_t i = 0; i < shards.size(); ++i) require_valid(shards[i], name(i));
  const json& first = shards.front();
  for (std::size_t i = 1; i < shards.size(); ++i) {
    const json& r = shards[i];
    const auto differs = [&](const char* what, const json& mine, const json& theirs) {
      if (mine != theirs)
        throw ReportError("merge: " + name(i) + " is of another run than " + name(0) + ": " + what + " " + shown(mine) +
                          " vs " + shown(theirs));
    };
    differs("suite", r["suite"], first["suite"]);
    differs("strict", r["strict"], first["strict"]);
    differs("edition", r["edition"]["id"], first["edition"]["id"]);
    differs("target", r["target"]["name"], first["target"]["name"]);
    differs("target kind", r["target"]["kind"], first["target"]["kind"]);
    differs("world", r["target"].value("world", json()), first["target"].value("world", json()));
    differs("known deviations", known_file(r), known_file(first));
    differs("known deviation entries", known_entries_unmatched(r), known_entries_unmatched(first));
  }

  json out = first;
  std::string generated = first["generated_at"];
  double wall = 0, simulated = 0;
  long long histories = 0, events = 0;
  std::vector<json> seeds;
  for (std::size_t i = 0; i < shards.size(); ++i) {
    const json& r = shards[i];
    generated = std::max(generated, r["generated_at"].get<std::string>());
    wall += r["speed"]["wall_seconds"].get<double>();
    simulated += r["speed"]["simulated_seconds"].get<double>();
    histories = add_counts(histories, r["speed"]["histories"].get<long long>(), name(i) + ": /speed/histories");
    events = add_counts(events, r["speed"]["events"].get<long long>(), name(i) + ": /speed/events");
    for (const auto& s : r["seeds"]) seeds.push_back(s);
  }
  if (!std::isfinite(wall) || !std::isfinite(simulated))
    throw ReportError("merge: /speed: the seconds of the reports add up past what a number holds");
  // Each known entry matched in some shards' runs: the whole run's count is their sum.
  if (out["known"].is_object() && out["known"].contains("entries")) {
    json& entries = out["known"]["entries"];
    for (std::size_t e = 0; e < entries.size(); ++e) {
      long long matched = 0;
      for (std::size_t i = 0; i < shards.size(); ++i)
        matched = add_counts(matched, shards[i]["known"]["entries"][e]["matched"].get<long long>(),
                             name(i) + ": /known/entries/" + std::to_string(e) + "/matched");
      entries[e]["matched"] = matched;
    }
  }
  out["generated_at"] = generated;
  out["seeds"] = seeds;
  out["shard"] = {{"index", 0}, {"count", 1}};
  // wall_seconds adds up machine time across shards, not the elapsed time of the matrix.
  out["speed"] = {{"wall_seconds", wall}, {"simulated_seconds", simulated}, {"histories", histories}, {"events", events}};

  // Clauses: catalogue order of the first report, then any new ones in order of appearance.
  // The worst verdict wins; skipped is the weakest word (a shard that did not exercise it).
  std::vector<std::string> order;
  std::map<std::string, json> clauses;
  for (std::size_t i = 0; i < shards.size(); ++i) {
    for (const auto& k : shards[i]["clauses"]) {
      std::string id = k["id"];
      auto it = clauses.find(id);
      if (it == clauses.end()) {
        order.push_back(id);
        clauses.emplace(id, k);
        continue;
      }
      json& m = it->second;
      for (const char* n : {"exercised", "violations", "known"})
        m[n] = add_counts(m[n].get<long long>(), k[n].get<long long>(),
                          name(i) + ": clause " + printable(id, 64) + ": " + n);
      const std::string a = m["verdict"], b = k["verdict"];
      if (worse_verdict(a, b) != a) {
        m["verdict"] = b;
        m["detail"] = k["detail"];
      }
    }
  }
  out["clauses"] = json::array();
  for (const auto& id : order) {
    json& k = clauses[id];
    // "not exercised" in one shard, exercised in another: no longer skipped for that reason.
    if (k["verdict"] != "skipped") k["detail"] = "";
    out["clauses"].push_back(k);
  }

  // Scenarios keyed by (file, name, seed). A run that happened says more than a skipped
  // one; runs that disagree make the scenario flaky, with the repeats added up. One name
  // and seed in two files would leave their violations (which name the scenario by name
  // and seed) with two owners: refused.
  std::map<std::tuple<std::string, std::string, std::uint64_t>, std::vector<json>> by_key;
  std::map<std::pair<std::string, std::uint64_t>, std::pair<std::string, std::size_t>> file_of;  // -> (file, shard)
  for (std::size_t i = 0; i < shards.size(); ++i)
    for (const auto& s : shards[i]["scenarios"]) {
      const auto key = scenario_key(s);
      const auto [it, fresh] = file_of.emplace(std::make_pair(std::get<1>(key), std::get<2>(key)),
                                               std::make_pair(std::get<0>(key), i));
      if (!fresh && it->second.first != std::get<0>(key))
        throw ReportError("merge: " + name(i) + ": scenario " + shown(s["name"]) + " (seed " + s["seed"].dump() +
                          ") is from file " + shown(s["file"]) + " here and from " + shown(json(it->second.first)) +
                          " in " + name(it->second.second));
      by_key[key].push_back(s);
    }
  // Folded passing groups add up; a shard's folded runs cannot make another shard's listed
  // scenario flaky (they are not named).
  json folded = {{"scenarios", 0}, {"runs", 0}, {"events", 0}, {"virtual_ns", 0}};
  std::uint64_t digest = 0;
  for (std::size_t i = 0; i < shards.size(); ++i) {
    const auto f = shards[i].find("folded");
    if (f == shards[i].end()) continue;
    for (const char* n : {"scenarios", "runs", "events", "virtual_ns"})
      folded[n] = add_counts(folded[n].get<long long>(), (*f)[n].get<long long>(), name(i) + ": /folded/" + n);
    digest += std::stoull((*f)["trace_digest"].get<std::string>(), nullptr, 16);
  }
  out.erase("folded");
  if (folded["scenarios"].get<long long>() > 0) {
    folded["trace_digest"] = digest_hex(digest);
    out["folded"] = folded;
  }

  out["scenarios"] = json::array();
  for (auto& [key, list] : by_key) {
    std::vector<json> ran;
    for (const auto& s : list)
      if (s["verdict"] != "skipped") ran.push_back(s);
    if (ran.empty()) {
      out["scenarios"].push_back(list.front());
      continue;
    }
    json best = ran.front();
    json repeats = json::object();
    std::set<std::string> words;
    const std::string what = "scenario " + printable(std::get<1>(key), 64) + " (seed " +
                             std::to_string(std::get<2>(key)) + "): repeats";
    for (const auto& s : ran) {
      if (s.contains("repeats")) {
        for (auto it = s["repeats"].begin(); it != s["repeats"].end(); ++it) {
          repeats[it.key()] = add_counts(repeats.value(it.key(), 0LL), it->get<long long>(), what);
          words.insert(it.key());
        }
      } else {
        const std::string v = s["verdict"];
        repeats[v] = add_counts(repeats.value(v, 0LL), 1, what);
        words.insert(v);
      }
      if (worse_verdict(best["verdict"].get<std::string>(), s["verdict"].get<std::string>()) != best["verdict"])
        best = s;
    }
    if (ran.size() > 1) best["repeats"] = repeats;
    if (words.size() > 1 && best["verdict"] != "flaky") {
      const std::string worst = "flaky across shards; worst: " + best["verdict"].get<std::string>();
      const std::string detail = best["detail"];
      // The shard's own detail when it fits: a merged report must read back.
      const json longer = worst + " (" + detail + ")";
      best["detail"] = !detail.empty() && longer.dump(-1, ' ', false, json::error_handler_t::replace).size() <=
                                              kReportStringMax
                           ? longer
                           : json(worst);
      best["verdict"] = "flaky";
    }
    out["scenarios"].push_back(best);
  }

  std::map<std::tuple<std::string, std::uint64_t, long long, std::string, std::string>, json> violations;
  for (const auto& r : shards)
    for (const auto& v : r["violations"]) violations.emplace(violation_key(v), v);
  out["violations"] = json::array();
  for (auto& [k, v] : violations) out["violations"].push_back(v);

  recompute_summary(out);
  canonicalize(out);
  return out;
}

// ---------------------------------------------------------------------------- diff

namespace {

// A violation's identity across runs: the clause (or, for an unmet expect line, the line),
// the scenario and the seed.
auto diff_key(const json& v) {
  std::string what = str_or(v, "clause");
  if (what.empty()) what = "expect: " + str_or(v, "expectation");
  return std::make_tuple(what, str_or(v, "scenario"), seed_or(v, "seed"));
}

}  // namespace

Diff diff(const json& old_report, const json& new_report) {
  require_valid(old_report, "old report");
  require_valid(new_report, "new report");
  Diff d;
  const auto text = [](const json& s) { return printable(s.get<std::string>()); };
  if (old_report["target"]["name"] != new_report["target"]["name"])
    d.notes.push_back("the reports are of different targets: " + text(old_report["target"]["name"]) + " and " +
                      text(new_report["target"]["name"]));
  if (old_report["edition"]["id"] != new_report["edition"]["id"])
    d.notes.push_back("edition changed: " + text(old_report["edition"]["id"]) + " -> " +
                      text(new_report["edition"]["id"]));
  if (old_report["suite"] != new_report["suite"])
    d.notes.push_back("suite changed: " + text(old_report["suite"]) + " -> " + text(new_report["suite"]));
  if (old_report["strict"] != new_report["strict"]) d.notes.push_back("strict mode changed");

  std::map<std::string, std::string> old_verdict;
  for (const auto& k : old_report["clauses"]) old_verdict[k["id"]] = k["verdict"];
  std::set<std::string> seen;
  auto note_change = [&](const std::string& id, const std::string& a, const std::string& b) {
    if (a == b) return;
    d.changed.push_back({id, a, b});
    if (b == "fail" && (a == "pass" || a == "skipped" || a == "absent")) d.regressed = true;
  };
  for (const auto& k : new_report["clauses"]) {
    std::string id = k["id"];
    seen.insert(id);
    auto it = old_verdict.find(id);
    note_change(id, it == old_verdict.end() ? "absent" : it->second, k["verdict"]);
  }
  for (const auto& k : old_report["clauses"])
    if (!seen.count(k["id"])) note_change(k["id"], k["verdict"], "absent");

  std::set<std::tuple<std::string, std::string, std::uint64_t>> old_keys, new_keys, reported;
  for (const auto& v : old_report["violations"]) old_keys.insert(diff_key(v));
  for (const auto& v : new_report["violations"]) new_keys.insert(diff_key(v));
  for (const auto& v : new_report["violations"])
    if (!old_keys.count(diff_key(v)) && reported.insert(diff_key(v)).second) {
      d.new_violations.push_back(v);
      if (str_or(v, "known").empty()) d.regressed = true;  // a known deviation is news, not a regression
    }
  reported.clear();
  for (const auto& v : old_report["violations"])
    if (!new_keys.count(diff_key(v)) && reported.insert(diff_key(v)).second) d.fixed_violations.push_back(v);

  // Scenario verdicts, keyed by (file, name, seed). A change is listed, never a regression by
  // itself: one that newly fails shows as a failing clause or a new violation above.
  std::map<std::tuple<std::string, std::string, std::uint64_t>, std::string> old_v, new_v;
  for (const auto& s : old_report["scenarios"]) old_v[scenario_key(s)] = s["verdict"];
  for (const auto& s : new_report["scenarios"]) new_v[scenario_key(s)] = s["verdict"];
  auto note_scenario = [&](const std::tuple<std::string, std::string, std::uint64_t>& k, const std::string& a,
                           const std::string& b) {
    if (a != b) d.scenarios_changed.push_back({std::get<1>(k), std::get<0>(k), std::get<2>(k), a, b});
  };
  // A report that folds passing groups does not name them: a scenario missing from it may
  // have passed there, so it is not listed as a change (its violations, if any, are above).
  const long long old_folded = folded_scenarios(old_report), new_folded = folded_scenarios(new_report);
  for (const auto& [which, n] : {std::make_pair("old", old_folded), std::make_pair("new", new_folded)})
    if (n > 0)
      d.notes.push_back(std::string("the ") + which + " report counts " + std::to_string(n) +
                        " passing scenarios without listing them: a scenario listed in one report only "
                        "is compared only when the other lists everything");
  if (old_folded > 0 && new_folded > 0 && old_report["seeds"] == new_report["seeds"] &&
      old_report["folded"]["scenarios"] == new_report["folded"]["scenarios"] &&
      old_report["folded"]["trace_digest"] != new_report["folded"]["trace_digest"])
    d.notes.push_back("the traces of the folded passing runs differ (trace digest " +
                      text(old_report["folded"]["trace_digest"]) + " -> " +
                      text(new_report["folded"]["trace_digest"]) + ")");
  for (const auto& [k, o] : old_v) {
    auto it = new_v.find(k);
    if (it == new_v.end() && new_folded > 0) continue;
    note_scenario(k, o, it == new_v.end() ? "absent" : it->second);
  }
  for (const auto& [k, n] : new_v)
    if (!old_v.count(k) && old_folded == 0) note_scenario(k, "absent", n);
  std::sort(d.scenarios_changed.begin(), d.scenarios_changed.end(), [](const ScenarioChange& a, const ScenarioChange& b) {
    return std::tie(a.file, a.name, a.seed) < std::tie(b.file, b.name, b.seed);
  });
  return d;
}

std::string Diff::to_text() const {
  std::ostringstream o;
  // Notes are made of printable() strings already.
  for (const auto& n : notes) o << "note: " << n << "\n";
  for (const auto& c : changed)
    o << "clause " << printable(c.id) << ": " << c.old_verdict << " -> " << c.new_verdict << "\n";
  const auto text = [](const json& v, const char* key) { return printable(str_or(v, key)); };
  for (const auto& v : new_violations) {
    const std::string what =
        str_or(v, "clause").empty() ? "expect \"" + text(v, "expectation") + "\"" : text(v, "clause");
    o << "new violation: " << what << " in " << text(v, "scenario") << " (seed " << seed_or(v, "seed") << ", event "
      << int_or(v, "event_index") << "): " << text(v, "message")
      << (str_or(v, "known").empty() ? "" : " [known: " + text(v, "known") + "]") << "\n"
      << "  repro: " << text(v, "repro") << "\n";
  }
  for (const auto& v : fixed_violations)
    o << "fixed: " << (str_or(v, "clause").empty() ? "expect" : text(v, "clause")) << " in " << text(v, "scenario")
      << " (seed " << seed_or(v, "seed") << ")\n";
  for (const auto& s : scenarios_changed)
    o << "scenario " << printable(s.name) << " (seed " << s.seed << "): " << s.old_verdict << " -> " << s.new_verdict
      << "\n";
  if (changed.empty() && new_violations.empty() && fixed_violations.empty() && scenarios_changed.empty())
    o << "no change in clause verdicts, violations or scenario verdicts\n";
  o << (regressed ? "REGRESSED\n" : "not regressed\n");
  return o.str();
}

json Diff::to_json() const {
  json j = {{"regressed", regressed}, {"notes", notes}, {"changed", json::array()}};
  for (const auto& c : changed) j["changed"].push_back({{"id", c.id}, {"old", c.old_verdict}, {"new", c.new_verdict}});
  j["new_violations"] = new_violations;
  j["fixed_violations"] = fixed_violations;
  j["scenarios_changed"] = json::array();
  for (const auto& s : scenarios_changed)
    j["scenarios_changed"].push_back(
        {{"name", s.name}, {"file", s.file}, {"seed", s.seed}, {"old", s.old_verdict}, {"new", s.new_verdict}});
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
    return printable(out);
  };
  // Each report's clauses by id: a lookup per cell, not a scan of the list.
  std::vector<std::map<std::string, const json*>> by_id(reports.size());
  for (std::size_t i = 0; i < reports.size(); ++i)
    for (const auto& k : reports[i]["clauses"]) by_id[i].emplace(k["id"].get<std::string>(), &k);
  std::ostringstream o;
  o << "| clause | severity |";
  for (const auto& l : labels) o << " " << cell_text(l) << " |";
  o << "\n|---|---|";
  for (std::size_t i = 0; i < labels.size(); ++i) o << "---|";
  o << "\n";
  for (const auto& id : order) {
    o << "| " << cell_text(id) << " | " << cell_text(str_or(info[id], "severity")) << " |";
    for (std::size_t i = 0; i < reports.size(); ++i) {
      std::string cell = "n/a";
      if (const auto it = by_id[i].find(id); it != by_id[i].end()) {
        const json& k = *it->second;
        const std::string v = k["verdict"];
        const long long n = k["violations"].get<long long>();
        cell = v == "fail" ? "**fail**" : v;
        if (n > 0) cell += " (" + std::to_string(n) + ")";
      }
      o << " " << cell << " |";
    }
    o << "\n";
  }
  o << "\n";
  for (std::size_t i = 0; i < reports.size(); ++i) {
    const json& r = reports[i];
    o << "- " << cell_text(labels[i]) << ": verdict " << cell_text(str_or(r, "verdict")) << " (exit "
      << r["summary"]["exit_code"].get<long long>() << "); " << cell_text(str_or(r["target"], "library"))
      << (str_or(r["target"], "library").empty() ? "" : ", ") << "version " << cell_text(str_or(r["target"], "version"))
      << ", edition " << cell_text(str_or(r["edition"], "id")) << ", suite " << cell_text(str_or(r, "suite"))
      << (r["strict"].get<bool>() ? ", strict" : "");
    const json& counts = r["summary"]["scenarios"];
    o << "; " << counts["total"].get<long long>() << " scenarios:";
    bool any = false;
    for (const char* w : kVerdictPrecedence) {
      const long long n = counts.value(w, 0LL);
      if (n == 0) continue;
      o << (any ? ", " : " ") << n << " " << w;
      any = true;
    }
    if (!any) o << " none";
    o << "\n";
  }
  return o.str();
}

}  // namespace ms::reports

// SPDX-License-Identifier: MIT
// known.cpp: the known-deviations file format and matching.
#include "conformance/known.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <vector>

#include "simnet/text.hpp"

namespace ms::conf {
namespace {

std::string trim(const std::string& s) {
  const auto a = s.find_first_not_of(" \t\r");
  if (a == std::string::npos) return "";
  const auto b = s.find_last_not_of(" \t\r");
  return s.substr(a, b - a + 1);
}

// A quoted value (one string of simnet's lexer, text.hpp, with its escapes) or the rest of
// the line as written.
bool read_value(const std::string& rest, std::string& out, std::string& why) {
  if (rest.empty() || rest[0] != '"') {
    out = rest;
    return true;
  }
  std::vector<ms::sim::TextToken> toks;
  ms::sim::TextError err;
  if (!ms::sim::lex_line(rest, ms::sim::Tabs::blank, toks, err)) {
    why = err.reason;
    return false;
  }
  if (toks.size() != 1) {
    why = "text after the closing quote";
    return false;
  }
  out = toks[0].text;
  return true;
}

}  // namespace

bool KnownDeviations::parse(const std::string& text, const std::string& name,
                            KnownDeviations& out, std::string& error) {
  KnownDeviations k;
  k.file = name;
  bool have_versions = false;
  std::istringstream in(text);
  std::string raw;
  std::size_t lineno = 0;
  auto fail = [&](std::size_t col, const std::string& why) {
    error = name + ":" + std::to_string(lineno) + ":" + std::to_string(col) + ": " + why;
    return false;
  };
  auto finish_entry = [&]() -> bool {
    if (k.entries.empty()) return true;
    const KnownDeviation& d = k.entries.back();
    const std::size_t at = lineno;
    lineno = d.line;
    if (d.reason.empty()) return fail(1, "deviation " + d.clause + " has no `reason` line");
    if (d.evidence.empty()) return fail(1, "deviation " + d.clause + " has no `evidence` line");
    lineno = at;
    return true;
  };
  while (std::getline(in, raw)) {
    ++lineno;
    if (raw.find('\0') != std::string::npos) return fail(1, "NUL byte in the file");
    if (raw.find('\t') != std::string::npos)
      return fail(raw.find('\t') + 1, "tab character (indent with spaces)");
    const std::string line = trim(raw);
    if (line.empty() || line[0] == '#') continue;
    const bool indented = raw[0] == ' ';
    const std::size_t col = raw.find_first_not_of(' ') + 1;
    const auto sp = line.find(' ');
    const std::string key = line.substr(0, sp);
    const std::string rest = sp == std::string::npos ? "" : trim(line.substr(sp + 1));
    std::string value, why;
    if (!read_value(rest, value, why)) return fail(col + key.size() + 1, why);
    if (!indented) {
      if (!finish_entry()) return false;
      if (key == "implementation") {
        if (value.empty() || value.find(' ') != std::string::npos)
          return fail(col, "implementation needs one name, e.g. libcurl");
        k.implementation = value;
      } else if (key == "versions") {
        if (!VersionRange::parse(value, k.versions, why)) return fail(col + key.size() + 1, why);
        have_versions = true;
      } else if (key == "edition") {
        Edition e;
        if (!edition_from_string(value, e))
          return fail(col + key.size() + 1, "unknown edition '" + value + "' (7.16, 7.88, 8)");
        k.edition = e;
      } else if (key == "title") {
        k.title = value;
      } else if (key == "deviation") {
        if (value != "expect" && !find_clause(value))
          return fail(col + key.size() + 1,
                      "unknown clause '" + value + "' (a clause id or `expect`)");
        KnownDeviation d;
        d.line = lineno;
        d.clause = value;
        k.entries.push_back(d);
      } else {
        return fail(col, "unknown line '" + key +
                             "' (implementation, versions, edition, title, deviation)");
      }
      continue;
    }
    if (k.entries.empty()) return fail(col, "indented line outside a deviation");
    KnownDeviation& d = k.entries.back();
    if (value.empty()) return fail(col + key.size(), "`" + key + "` needs a value");
    if (key == "scenario") {
      std::istringstream words(value);
      for (std::string w; words >> w;) d.scenarios.push_back(w);
    } else if (key == "match") {
      d.match = value;
    } else if (key == "build") {
      d.build = value;
    } else if (key == "reason") {
      d.reason = value;
    } else if (key == "evidence") {
      d.evidence = value;
    } else {
      return fail(col, "unknown entry line '" + key + "' (scenario, match, build, reason, evidence)");
    }
  }
  ++lineno;
  if (!finish_entry()) return false;
  lineno = 1;
  if (k.implementation.empty()) return fail(1, "no `implementation` line");
  if (!have_versions) return fail(1, "no `versions` line (write `versions any` for all)");
  out = std::move(k);
  return true;
}

bool KnownDeviations::load(const std::string& path, KnownDeviations& out, std::string& error) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    error = path + ": cannot read the known-deviations file";
    return false;
  }
  std::string text;
  char buf[4096];
  while (f.read(buf, sizeof buf) || f.gcount() > 0) {
    text.append(buf, static_cast<std::size_t>(f.gcount()));
    if (text.size() > (1u << 20)) {
      error = path + ": larger than 1 MiB, not a known-deviations file";
      return false;
    }
  }
  if (f.bad()) {
    error = path + ": cannot read the known-deviations file";
    return false;
  }
  return parse(text, path, out, error);
}

bool KnownDeviations::applies_to(const ImplementationVersion& target, std::string& why) const {
  if (target.implementation != implementation) {
    why = file + " lists deviations of " + implementation + ", the target is " +
          (target.implementation.empty() ? std::string("unnamed") : target.implementation);
    return false;
  }
  if (!target.version) {
    why = file + " applies to " + implementation + " " + versions.to_string() +
          ", the target reports no version";
    return false;
  }
  if (!versions.contains(*target.version)) {
    why = file + " applies to " + implementation + " " + versions.to_string() +
          ", the target is " + target.label();
    return false;
  }
  return true;
}

void KnownDeviations::cover(const std::string& scenario, const std::string& version_text,
                            std::vector<Violation>& violations) {
  const auto names = [&](const KnownDeviation& d) {
    return d.scenarios.empty() || std::find(d.scenarios.begin(), d.scenarios.end(), scenario) != d.scenarios.end();
  };
  for (KnownDeviation& d : entries) d.reached = d.reached || names(d);
  for (Violation& v : violations) {
    if (!v.known.empty()) continue;
    for (KnownDeviation& d : entries) {
      const bool clause_ok = d.clause == "expect" ? v.clause == kExpectationClause : v.clause == d.clause;
      if (!clause_ok) continue;
      if (!names(d)) continue;
      if (!d.match.empty() && v.message.find(d.match) == std::string::npos) continue;
      if (!d.build.empty() && version_text.find(d.build) == std::string::npos) continue;
      v.known = file + ":" + std::to_string(d.line) + ": " + d.reason;
      ++d.matched;
      break;
    }
  }
}

std::string known_run_name(const Scenario& scenario, const std::string& stem) {
  if (!scenario.generated_history()) return stem;
  for (const PeerSpec& peer : scenario.peers)
    for (const ms::sim::PeerCommand& command : peer.script.commands)
      if (command.op == ms::sim::PeerOp::h2) return "property_h2";
  return "property";
}

}  // namespace ms::conf

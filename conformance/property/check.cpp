// SPDX-License-Identifier: MIT
// check.cpp: runs a generated history and compares it with the model; shrinking and
// writing a failing history out as a scenario file.
#include <algorithm>
#include <map>
#include <sstream>

#include "multisock/multisock.h"
#include "property/property.hpp"

namespace ms::conf::prop {

namespace {

std::string codes_text(const std::vector<int>& codes) {
  std::string o;
  for (int c : codes) o += (o.empty() ? "" : " | ") + easy_code_short_name(c);
  return o;
}

}  // namespace

HistoryCheck check_history(const GeneratedHistory& h, const TargetSpec& target) {
  HistoryCheck out;
  RunOptions ro;
  out.run = run_scenario(h.scenario, target, ro);
  auto problem = [&](const std::string& clause, const std::string& message) {
    if (out.first_clause.empty()) out.first_clause = clause;
    out.problems.push_back(clause + ": " + message);
  };
  if (out.run.outcome == Outcome::error) problem("HARNESS", out.run.message);
  for (const Violation& v : out.run.violations)
    problem(v.clause, "event " + std::to_string(v.event_index) + ": " + v.message);

  // The trace names each easy handle's transfer ("transfer e<N> <id> <url>") and records
  // every DONE as an info_read with a non-NULL easy.
  std::map<int, std::string> transfer_of;
  std::map<std::string, std::vector<int>> done_codes;
  for (const Event& e : out.run.trace.events) {
    if (e.kind == EventKind::note && e.text.rfind("transfer e", 0) == 0) {
      std::istringstream in(e.text.substr(10));
      int easy = 0;
      std::string id;
      if (in >> easy >> id) transfer_of[easy] = id;
    } else if (e.kind == EventKind::info_read && e.easy != 0) {
      auto it = transfer_of.find(e.easy);
      done_codes[it == transfer_of.end() ? "?" : it->second].push_back(e.code);
    }
  }
  for (const Prediction& p : h.model) {
    const auto& codes = done_codes[p.id];
    if (codes.size() > 1 || (codes.empty() && !p.may_skip_done)) {
      problem("MODEL-DONE", "transfer " + p.id + ": expected " +
                                std::string(p.may_skip_done ? "at most" : "exactly") +
                                " one DONE, observed " + std::to_string(codes.size()));
    }
    for (int c : codes)
      if (std::find(p.allowed.begin(), p.allowed.end(), c) == p.allowed.end())
        problem("MODEL-RESULT", "transfer " + p.id + ": expected " + codes_text(p.allowed) +
                                    ", observed " + easy_code_short_name(c));
  }
  // An HTTP/2 peer that resets one stream: exactly one of its transfers ends HTTP2_STREAM
  // (which one depends on the order the streams opened).
  std::map<int, int> resets;
  for (const Prediction& p : h.model)
    if (p.reset_group >= 0) {
      resets[p.reset_group] += 0;
      for (int c : done_codes[p.id]) resets[p.reset_group] += c == MSE_HTTP2_STREAM;
    }
  for (const auto& [group, n] : resets)
    if (n != 1)
      problem("MODEL-RESULT", "peer p" + std::to_string(group) + " resets one stream, but " + std::to_string(n) +
                                  " of its transfers ended HTTP2_STREAM");
  if (done_codes.count("?"))
    problem("MODEL-DONE", "a DONE message for a handle no transfer owns");
  return out;
}

GeneratedHistory shrink_failure(const rc::Shrinkable<GeneratedHistory>& failing,
                                const std::function<bool(const GeneratedHistory&)>& fails,
                                int max_steps) {
  rc::Shrinkable<GeneratedHistory> current = failing;
  for (int step = 0; step < max_steps; ++step) {
    bool moved = false;
    auto shrinks = current.shrinks();
    while (auto next = shrinks.next()) {
      if (fails(next->value())) {
        current = *next;
        moved = true;
        break;
      }
    }
    if (!moved) break;
  }
  return current.value();
}

}  // namespace ms::conf::prop

// SPDX-License-Identifier: MIT
// html.cpp: one self-contained HTML page for one or more reports.
//
// Everything the page shows is written here as static HTML and SVG, every string from a
// report passed through escape_markup(); the inline script only reads the DOM (filters,
// event details on click) and never receives report data as code, so a hostile scenario
// name cannot inject anything. When the script has run it sets data-rendered="true" on
// <body>: a headless browser check looks for it.
//
// Timelines: x is event order, stretched where (virtual) time passes, so many events at
// one instant stay readable while gaps in time still show. Lanes: API calls, the timer,
// one lane per descriptor (registered interest drawn as a bar between socket callbacks),
// and driver notes. The violating event is red, with a red line across every lane.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

#include "internal.hpp"
#include "reports/reports.hpp"

namespace ms::reports {

using namespace detail;

namespace {

std::string esc(std::string_view s) { return escape_markup(s); }

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

const char* kCss = R"CSS(
:root{--pass:#c8e6c9;--fail:#ffcdd2;--warn:#ffe0b2;--known:#bbdefb;--error:#f8bbd0;--flaky:#fff59d;--skip:#e1d8f1;}
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;padding:0 24px 48px;color:#1b1b1b;background:#fafafa}
header{padding:16px 0 4px}h1{font-size:22px;margin:0}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd}
h3{font-size:16px;margin:18px 0 6px}h4{font-size:14px;margin:0 0 6px}
.muted{color:#666}.cards{display:flex;flex-wrap:wrap;gap:12px}
.card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:10px 14px;min-width:280px}
.card dl{display:grid;grid-template-columns:auto 1fr;gap:2px 10px;margin:6px 0 0}.card dt{color:#666}.card dd{margin:0}
.counts span{display:inline-block;margin:2px 6px 2px 0;padding:1px 6px;border-radius:3px}
.filters{position:sticky;top:0;background:#fafafa;padding:8px 0;border-bottom:1px solid #ddd;z-index:2}
.filters label{margin-right:10px;white-space:nowrap}.filters select,.filters input[type=search]{margin-right:12px}
table{border-collapse:collapse;background:#fff}th,td{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f0f0f0;position:sticky;top:44px}
.matrix td.stmt{max-width:520px}.matrix td.st{text-align:center;white-space:nowrap;font-weight:600}
.st-pass{background:var(--pass)}.st-fail{background:var(--fail);color:#b71c1c}.st-warn{background:var(--warn)}
.st-known{background:var(--known)}.st-error{background:var(--error);color:#880e4f}.st-flaky{background:var(--flaky)}
.st-absent{color:#bbb}.st-skipped{background:var(--skip);color:#4527a0}
.banner{border-radius:6px;padding:10px 14px;margin:8px 0;border:2px solid #999}.banner .word{font-size:22px;font-weight:700;text-transform:uppercase;margin-right:12px}
.badge{font-weight:600;white-space:nowrap}
.st a{color:inherit}
.violation{background:#fff;border:1px solid #e0b4b4;border-left:4px solid #c62828;border-radius:4px;padding:10px 14px;margin:12px 0}
.violation blockquote{margin:6px 0;padding:4px 10px;border-left:3px solid #999;background:#f7f7f7}
pre.repro{background:#263238;color:#eceff1;padding:6px 10px;border-radius:4px;overflow-x:auto;white-space:pre-wrap}
.tl-wrap{overflow-x:auto;border:1px solid #ddd;background:#fff;margin:8px 0}
svg.timeline text{font:10px monospace;fill:#333}svg.timeline .lane-label{font:11px sans-serif;fill:#444;font-weight:600}
svg.timeline .lane-bg{fill:#fbfbfb}svg.timeline .lane-bg.alt{fill:#f1f4f8}
svg.timeline .axis{stroke:#999}svg.timeline .tick{stroke:#ccc}
svg.timeline .api rect{fill:#455a64}svg.timeline .cb circle{fill:#1565c0}svg.timeline .timer circle{fill:#6a1b9a}
svg.timeline .net path{fill:#2e7d32}svg.timeline .note circle{fill:#9e9e9e}svg.timeline path.fdcall{fill:#90a4ae}
svg.timeline .callend{stroke:#455a64}svg.timeline .link{stroke:#b0bec5;stroke-dasharray:2 2}
svg.timeline .reg-in{fill:#90caf9}svg.timeline .reg-out{fill:#a5d6a7}svg.timeline .reg-inout{fill:#ce93d8}svg.timeline .reg-none{fill:#e0e0e0}
svg.timeline .pending{stroke:#6a1b9a;stroke-dasharray:4 3;stroke-width:2}
svg.timeline g.ev{cursor:pointer}svg.timeline g.ev:hover *{opacity:.75}
svg.timeline .violating rect,svg.timeline .violating circle,svg.timeline .violating path{fill:#d50000;stroke:#7f0000;stroke-width:1.5}
svg.timeline .viol-line{stroke:#d50000;stroke-width:1.5;stroke-dasharray:5 3}svg.timeline text.viol-label{fill:#d50000;font-weight:700}
.ev-info{font-family:monospace;min-height:1.4em;color:#333}
table.trace td{font-family:monospace;font-size:12px}table.trace tr.marked td{background:#ffcdd2;font-weight:700}
.legend span{display:inline-block;margin-right:10px}.legend i{display:inline-block;width:12px;height:12px;vertical-align:middle;margin-right:3px;border:1px solid #aaa}
)CSS";

const char* kScript = R"JS(
(function () {
  'use strict';
  var doc = document;
  function byId(id) { return doc.getElementById(id); }
  function wanted() {
    var st = {};
    doc.querySelectorAll('input[data-filter="verdict"]').forEach(function (b) { st[b.value] = b.checked; });
    return { verdict: st, group: byId('f-group').value, severity: byId('f-severity').value,
             text: byId('f-text').value.toLowerCase() };
  }
  function matches(el, w) {
    if (w.group && el.getAttribute('data-group') !== w.group) return false;
    if (w.severity && el.getAttribute('data-severity') !== w.severity) return false;
    var any = false;
    (el.getAttribute('data-verdicts') || '').split(' ').forEach(function (s) { if (w.verdict[s]) any = true; });
    if (!any) return false;
    return !w.text || el.textContent.toLowerCase().indexOf(w.text) >= 0;
  }
  function apply() {
    var w = wanted(), shown = 0, total = 0, vshown = 0, vtotal = 0;
    doc.querySelectorAll('tr.clause').forEach(function (row) {
      total++; var ok = matches(row, w); row.hidden = !ok; if (ok) shown++;
    });
    doc.querySelectorAll('article.violation').forEach(function (a) {
      vtotal++; var ok = matches(a, w); a.hidden = !ok; if (ok) vshown++;
    });
    doc.querySelectorAll('tr.scenario').forEach(function (row) {
      row.hidden = !w.verdict[row.getAttribute('data-verdict')];
    });
    byId('shown').textContent = shown + ' of ' + total + ' clauses, ' + vshown + ' of ' + vtotal + ' violations shown';
    doc.body.setAttribute('data-clauses-shown', String(shown));
  }
  doc.querySelectorAll('[data-filter]').forEach(function (el) {
    el.addEventListener('change', apply); el.addEventListener('input', apply);
  });
  byId('f-reset').addEventListener('click', function () {
    doc.querySelectorAll('input[data-filter="verdict"]').forEach(function (b) { b.checked = true; });
    byId('f-group').value = ''; byId('f-severity').value = ''; byId('f-text').value = ''; apply();
  });
  doc.querySelectorAll('svg.timeline').forEach(function (svg) {
    var info = byId(svg.getAttribute('data-info'));
    svg.querySelectorAll('g.ev').forEach(function (g) {
      g.addEventListener('click', function () { if (info) info.textContent = g.getAttribute('data-desc'); });
    });
    var v = svg.querySelector('g.ev.violating');
    if (v && info) info.textContent = v.getAttribute('data-desc');
  });
  apply();
  doc.body.setAttribute('data-timelines', String(doc.querySelectorAll('svg.timeline').length));
  doc.body.setAttribute('data-rendered', 'true');
})();
)JS";

// ----------------------------------------------------------------- timeline SVG

struct Lanes {
  std::vector<std::string> names;
  std::map<int, int> fd_lane;
  int api = 0, timer = 1, notes = -1;
};

std::string short_api(const std::string& kind) {
  static const std::map<std::string, std::string> m = {
      {"add_handle", "add"},  {"remove_handle", "rm"}, {"socket_action", "act"}, {"socket_legacy", "sock"},
      {"socket_all", "all"},  {"assign", "asg"},       {"timeout_query", "tmo"}, {"info_read", "info"},
      {"setopt", "opt"},      {"cleanup", "clean"},    {"perform", "perf"},      {"multi_wait", "wait"},
      {"multi_poll", "poll"}, {"wakeup", "wake"},      {"fdset", "fds"}};
  auto it = m.find(kind);
  return it == m.end() ? kind : it->second;
}

std::string timeline_svg(const std::vector<Event>& ev, long long first_index, long long marked, const std::string& clause,
                         const std::string& svg_id, const std::string& info_id) {
  Lanes lanes;
  lanes.names = {"API calls", "timer"};
  std::set<int> fds;
  bool notes = false;
  for (const auto& e : ev) {
    if (e.fd >= 0 && (e.kind == "socket_cb" || e.kind.rfind("net_", 0) == 0 || e.kind == "socket_action" ||
                      e.kind == "socket_legacy" || e.kind == "assign"))
      fds.insert(e.fd);
    if (!is_api_call(e.kind) && e.kind != "call_end" && e.kind != "socket_cb" && e.kind != "timer_cb" &&
        e.kind.rfind("net_", 0) != 0)
      notes = true;
  }
  for (int fd : fds) {
    lanes.fd_lane[fd] = static_cast<int>(lanes.names.size());
    lanes.names.push_back("fd " + std::to_string(fd));
  }
  if (notes) {
    lanes.notes = static_cast<int>(lanes.names.size());
    lanes.names.push_back("driver");
  }

  const double left = 96, top = 34, lane_h = 30, step = 11;
  std::vector<double> xs(ev.size());
  double x = left + 14;
  for (std::size_t i = 0; i < ev.size(); ++i) {
    if (i > 0) {
      // In double: the difference of two 64-bit times may not fit 64 bits.
      const double dt_ms =
          std::max(0.0, static_cast<double>(ev[i].time_ns) - static_cast<double>(ev[i - 1].time_ns)) / 1e6;
      x += step + (dt_ms > 0 ? std::min(60.0, 6.0 + 10.0 * std::log10(1.0 + dt_ms)) : 0.0);
    }
    xs[i] = x;
  }
  const double width = x + 60;
  const double height = top + lane_h * static_cast<double>(lanes.names.size()) + 10;
  auto lane_y = [&](int lane) { return top + lane_h * lane + lane_h / 2; };
  auto x_at_time = [&](double t) {
    for (std::size_t i = 0; i < ev.size(); ++i)
      if (static_cast<double>(ev[i].time_ns) >= t) return xs[i];
    return width - 20;
  };

  std::ostringstream o;
  o << "<svg class=\"timeline\" id=\"" << svg_id << "\" data-info=\"" << info_id << "\" xmlns=\"http://www.w3.org/2000/svg\" width=\""
    << num(width) << "\" height=\"" << num(height) << "\" viewBox=\"0 0 " << num(width) << " " << num(height)
    << "\" role=\"img\" aria-label=\"timeline of " << ev.size() << " events\">\n";
  for (std::size_t l = 0; l < lanes.names.size(); ++l) {
    o << "<rect class=\"lane-bg" << (l % 2 ? " alt" : "") << "\" x=\"0\" y=\"" << num(top + lane_h * static_cast<double>(l))
      << "\" width=\"" << num(width) << "\" height=\"" << num(lane_h) << "\"/>";
    o << "<text class=\"lane-label\" x=\"6\" y=\"" << num(lane_y(static_cast<int>(l)) + 4) << "\">" << esc(lanes.names[l])
      << "</text>\n";
  }
  // Time axis: a tick wherever time moves, a label where there is room.
  o << "<line class=\"axis\" x1=\"" << num(left) << "\" y1=\"" << num(top - 2) << "\" x2=\"" << num(width) << "\" y2=\""
    << num(top - 2) << "\"/>\n";
  double last_label = -1e9;
  for (std::size_t i = 0; i < ev.size(); ++i) {
    if (i > 0 && ev[i].time_ns == ev[i - 1].time_ns) continue;
    o << "<line class=\"tick\" x1=\"" << num(xs[i]) << "\" y1=\"" << num(top - 6) << "\" x2=\"" << num(xs[i]) << "\" y2=\""
      << num(height - 10) << "\"/>";
    if (xs[i] - last_label >= 70) {
      o << "<text x=\"" << num(xs[i] + 2) << "\" y=\"" << num(top - 10) << "\">" << esc(format_ns(ev[i].time_ns)) << "</text>";
      last_label = xs[i];
    }
    o << "\n";
  }

  // Registered interest per descriptor, from one socket callback to the next.
  std::map<int, std::pair<int, double>> reg;  // fd -> (action, start x)
  auto close_bar = [&](int fd, double x_end) {
    auto it = reg.find(fd);
    if (it == reg.end()) return;
    auto [action, x0] = it->second;
    const char* cls = action == 1 ? "reg-in" : action == 2 ? "reg-out" : action == 3 ? "reg-inout" : "reg-none";
    o << "<rect class=\"" << cls << "\" x=\"" << num(x0) << "\" y=\"" << num(lane_y(lanes.fd_lane[fd]) - 4) << "\" width=\""
      << num(std::max(1.0, x_end - x0)) << "\" height=\"8\"><title>" << esc("fd " + std::to_string(fd) + " watched for " +
                                                                             action_name(action))
      << "</title></rect>\n";
    reg.erase(it);
  };
  for (std::size_t i = 0; i < ev.size(); ++i) {
    const Event& e = ev[i];
    if (e.kind != "socket_cb" || e.fd < 0) continue;
    close_bar(e.fd, xs[i]);
    if (e.action != 4) reg[e.fd] = {e.action, xs[i]};
  }
  std::vector<int> open_fds;
  for (auto& [fd, st] : reg) open_fds.push_back(fd);
  for (int fd : open_fds) close_bar(fd, width - 20);

  // Pending timer: from a timer callback to its deadline or the next timer callback.
  for (std::size_t i = 0; i < ev.size(); ++i) {
    if (ev[i].kind != "timer_cb" || ev[i].value < 0) continue;
    // The deadline in double: a timeout of years in ns overflows 64 bits.
    double x_end = x_at_time(static_cast<double>(ev[i].time_ns) + static_cast<double>(ev[i].value) * 1e6);
    for (std::size_t j = i + 1; j < ev.size(); ++j)
      if (ev[j].kind == "timer_cb") {
        x_end = std::min(x_end, xs[j]);
        break;
      }
    if (x_end > xs[i])
      o << "<line class=\"pending\" x1=\"" << num(xs[i]) << "\" y1=\"" << num(lane_y(lanes.timer) + 8) << "\" x2=\""
        << num(x_end) << "\" y2=\"" << num(lane_y(lanes.timer) + 8) << "\"/>\n";
  }

  std::map<int, double> last_label_x;
  auto label = [&](int lane, double lx, double ly, const std::string& text, bool force) {
    if (!force && last_label_x.count(lane) && lx - last_label_x[lane] < 28) return;
    last_label_x[lane] = lx;
    o << "<text x=\"" << num(lx - 6) << "\" y=\"" << num(ly) << "\">" << esc(text) << "</text>";
  };
  double marked_x = -1;
  for (std::size_t i = 0; i < ev.size(); ++i) {
    const Event& e = ev[i];
    const long long index = first_index + static_cast<long long>(i);
    const bool bad = index == marked;
    const std::string desc = "#" + std::to_string(index) + " at " + format_ns(e.time_ns) + ": " + describe(e);
    const double cx = xs[i];
    if (bad) marked_x = cx;
    std::string cls;
    std::ostringstream shape;
    if (is_api_call(e.kind)) {
      cls = "api";
      double y = lane_y(lanes.api);
      shape << "<rect x=\"" << num(cx - 4) << "\" y=\"" << num(y - 7) << "\" width=\"8\" height=\"14\"/>";
      if (e.fd >= 0 && lanes.fd_lane.count(e.fd)) {
        double fy = lane_y(lanes.fd_lane[e.fd]);
        shape << "<line class=\"link\" x1=\"" << num(cx) << "\" y1=\"" << num(y + 7) << "\" x2=\"" << num(cx) << "\" y2=\""
              << num(fy - 5) << "\"/>";
        shape << "<path class=\"fdcall\" d=\"M" << num(cx) << " " << num(fy - 5) << " l5 5 l-5 5 l-5 -5 z\"/>";
      }
    } else if (e.kind == "call_end") {
      cls = "end";
      double y = lane_y(lanes.api);
      shape << "<line class=\"callend\" x1=\"" << num(cx) << "\" y1=\"" << num(y - 4) << "\" x2=\"" << num(cx) << "\" y2=\""
            << num(y + 4) << "\"/>";
    } else if (e.kind == "socket_cb" && lanes.fd_lane.count(e.fd)) {
      cls = "cb";
      shape << "<circle cx=\"" << num(cx) << "\" cy=\"" << num(lane_y(lanes.fd_lane[e.fd])) << "\" r=\"5\"/>";
    } else if (e.kind == "timer_cb") {
      cls = "timer";
      shape << "<circle cx=\"" << num(cx) << "\" cy=\"" << num(lane_y(lanes.timer)) << "\" r=\"5\"/>";
    } else if (e.kind.rfind("net_", 0) == 0 && lanes.fd_lane.count(e.fd)) {
      cls = "net";
      double y = lane_y(lanes.fd_lane[e.fd]);
      shape << "<path d=\"M" << num(cx - 4) << " " << num(y + 6) << " l4 -8 l4 8 z\"/>";
    } else {
      cls = "note";
      int lane = lanes.notes >= 0 ? lanes.notes : lanes.api;
      shape << "<circle cx=\"" << num(cx) << "\" cy=\"" << num(lane_y(lane)) << "\" r=\"3\"/>";
    }
    o << "<g class=\"ev " << cls << (bad ? " violating" : "") << "\" data-i=\"" << index << "\" data-kind=\"" << esc(e.kind)
      << "\" data-desc=\"" << esc(desc) << "\"" << (bad ? " data-violation=\"true\"" : "") << "><title>" << esc(desc)
      << "</title>" << shape.str() << "</g>";
    // Short labels above the markers, skipped where they would overlap.
    if (cls == "api") {
      std::string t = short_api(e.kind);
      if (e.kind == "socket_action") t = e.fd < 0 ? "T/O" : mask_name(e.mask);
      label(lanes.api, cx, lane_y(lanes.api) - 9, t, bad);
    } else if (cls == "cb") {
      label(lanes.fd_lane[e.fd], cx, lane_y(lanes.fd_lane[e.fd]) - 8, action_name(e.action), true);
    } else if (cls == "timer") {
      label(lanes.timer, cx, lane_y(lanes.timer) - 8, e.value < 0 ? "-1" : std::to_string(e.value) + "ms", bad);
    } else if (cls == "net") {
      std::string t = e.kind.substr(4);
      if (e.kind == "net_bytes") t = std::to_string(e.value) + "B";
      if (e.kind == "net_ready") t = mask_name(e.mask);
      if (e.kind == "net_stream") t = "s" + std::to_string(e.value);
      if (e.kind == "net_stream_end") t = "s" + std::to_string(e.value) + " end";
      label(lanes.fd_lane[e.fd], cx, lane_y(lanes.fd_lane[e.fd]) + 14, t, bad);
    }
    o << "\n";
  }
  if (marked_x >= 0) {
    o << "<line class=\"viol-line\" x1=\"" << num(marked_x) << "\" y1=\"" << num(top - 4) << "\" x2=\"" << num(marked_x)
      << "\" y2=\"" << num(height - 4) << "\"/>";
    o << "<text class=\"viol-label\" x=\"" << num(marked_x + 4) << "\" y=\"" << num(top - 22) << "\">"
      << esc(clause + " at event " + std::to_string(marked)) << "</text>\n";
  }
  o << "</svg>";
  return o.str();
}

std::string verdict_cell(const json* clause, const std::string& anchor) {
  if (!clause) return "<td class=\"st st-absent\" data-verdict=\"absent\">n/a</td>";
  const std::string v = clause->at("verdict");
  const long long n = clause->at("violations");
  const std::string text = v + (n > 0 ? " (" + std::to_string(n) + ")" : "");
  std::string title = "exercised " + std::to_string(clause->at("exercised").get<long long>()) + " times, " +
                      std::to_string(n) + " violations, " + std::to_string(clause->at("known").get<long long>()) + " known";
  if (!clause->at("detail").get<std::string>().empty()) title += "; " + clause->at("detail").get<std::string>();
  const std::string inner = anchor.empty() ? esc(text) : "<a href=\"#" + anchor + "\">" + esc(text) + "</a>";
  return "<td class=\"st st-" + esc(v) + "\" data-verdict=\"" + esc(v) + "\" title=\"" + esc(title) + "\">" + inner + "</td>";
}

// Counts per verdict word as badges (data-verdict, data-count for tests and scripts).
std::string verdict_counts(const json& counts) {
  std::string o = "<p class=\"counts\">";
  for (const char* w : kVerdictPrecedence)
    o += "<span class=\"badge st-" + std::string(w) + "\" data-verdict=\"" + w + "\" data-count=\"" +
         std::to_string(counts.value(w, 0LL)) + "\">" + w + " " + std::to_string(counts.value(w, 0LL)) + "</span>";
  return o + "</p>";
}

}  // namespace

std::string to_html(const std::vector<json>& input) { return to_html(std::vector<json>(input)); }

std::string to_html(std::vector<json>&& reports) {
  for (std::size_t i = 0; i < reports.size(); ++i) require_valid(reports[i], "report " + std::to_string(i + 1));
  return html_text_checked(std::move(reports));
}

std::string detail::html_text_checked(std::vector<json>&& reports) {
  if (reports.empty()) throw ReportError("html: no reports given");
  for (json& r : reports) canonicalize(r);
  const auto labels = target_labels(reports);

  // Clause rows: group order, catalogue order within a group, union over reports.
  std::vector<std::string> order;
  std::map<std::string, json> info;
  for (const auto& r : reports)
    for (const auto& k : r["clauses"])
      if (info.emplace(k["id"].get<std::string>(), k).second) order.push_back(k["id"]);
  std::stable_sort(order.begin(), order.end(), [&](const std::string& a, const std::string& b) {
    return group_rank(info[a]["group"].get<std::string>()) < group_rank(info[b]["group"].get<std::string>());
  });
  std::set<std::string> groups_present;
  for (const auto& [id, k] : info) groups_present.insert(k["group"]);
  std::vector<std::string> group_list;
  for (const char* g : kGroups)
    if (groups_present.count(g)) group_list.push_back(g);
  for (const auto& g : groups_present)
    if (group_rank(g) == static_cast<int>(std::size(kGroups))) group_list.push_back(g);

  // First violation of each (report, clause): the matrix cell links to it.
  std::map<std::pair<std::size_t, std::string>, std::string> first_violation;
  for (std::size_t r = 0; r < reports.size(); ++r) {
    const auto& vs = reports[r]["violations"];
    for (std::size_t n = 0; n < vs.size(); ++n)
      first_violation.emplace(std::make_pair(r, vs[n]["clause"].get<std::string>()),
                              "v-" + std::to_string(r) + "-" + std::to_string(n));
  }

  std::ostringstream o;
  o << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    << "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
       "script-src 'unsafe-inline'; img-src data:\">\n"
    << "<title>multisock conformance report</title>\n<style>" << kCss << "</style>\n</head>\n<body>\n";
  o << "<header><h1>multisock conformance report</h1><p class=\"muted\">" << reports.size() << " report"
    << (reports.size() == 1 ? "" : "s") << ", schema " << esc(kSchema) << "; "
    << esc(reports[0]["tool"]["name"].get<std::string>() + " " + reports[0]["tool"]["version"].get<std::string>())
    << "</p></header>\n";

  // Verdict banner: each report's verdict, its counts, exit code and edition.
  o << "<section id=\"verdict\">\n";
  for (std::size_t r = 0; r < reports.size(); ++r) {
    const json& rep = reports[r];
    const json& s = rep["summary"];
    const std::string v = rep["verdict"];
    o << "<div class=\"banner st-" << esc(v) << "\" data-verdict=\"" << esc(v) << "\" data-exit-code=\""
      << s["exit_code"].get<long long>() << "\" data-edition=\"" << esc(rep["edition"]["id"].get<std::string>())
      << "\"><span class=\"word\">" << esc(v) << "</span>" << esc(labels[r]) << ": exit code "
      << s["exit_code"].get<long long>() << ", edition " << esc(rep["edition"]["id"].get<std::string>())
      << (rep["edition"]["title"].get<std::string>().empty() ? "" : " (" + esc(rep["edition"]["title"].get<std::string>()) + ")")
      << (rep["strict"].get<bool>() ? ", strict" : "") << "<div class=\"scenario-counts\">scenarios ("
      << s["scenarios"]["total"].get<long long>() << "): " << verdict_counts(s["scenarios"]) << "</div>"
      << "<div class=\"clause-counts\">clauses (" << s["clauses"]["total"].get<long long>()
      << "): " << verdict_counts(s["clauses"]) << "</div></div>\n";
  }
  o << "</section>\n";

  // Target cards.
  o << "<section id=\"targets\"><h2>Targets</h2><div class=\"cards\">\n";
  for (std::size_t r = 0; r < reports.size(); ++r) {
    const json& rep = reports[r];
    const json& t = rep["target"];
    const json& s = rep["summary"];
    const json& sp = rep["speed"];
    double wall = sp["wall_seconds"].get<double>(), sim = sp["simulated_seconds"].get<double>();
    const std::string seeds = seeds_text(rep["seeds"]);
    std::string known = "none";
    if (rep["known"].is_object())
      known = str_or(rep["known"], "file") + " (" + std::to_string(rep["known"].value("entries", json::array()).size()) +
              " entries)";
    o << "<div class=\"card\" data-verdict=\"" << esc(rep["verdict"].get<std::string>()) << "\" data-exit-code=\""
      << s["exit_code"].get<long long>() << "\"><h3>" << esc(labels[r]) << "</h3><dl>"
      << "<dt>verdict</dt><dd class=\"st-" << esc(rep["verdict"].get<std::string>()) << "\">"
      << esc(rep["verdict"].get<std::string>()) << "</dd>"
      << "<dt>kind</dt><dd>" << esc(t["kind"].get<std::string>()) << "</dd>"
      << "<dt>library</dt><dd>" << esc(t["library"].get<std::string>().empty() ? "-" : t["library"].get<std::string>())
      << "</dd><dt>version</dt><dd>" << esc(t["version"].get<std::string>()) << "</dd>"
      << "<dt>edition</dt><dd>" << esc(rep["edition"]["id"].get<std::string>()) << " (chosen by "
      << esc(rep["edition"]["chosen_by"].get<std::string>()) << ")" << (rep["strict"].get<bool>() ? ", strict" : "")
      << "</dd><dt>known deviations</dt><dd>" << esc(known) << "</dd>"
      << "<dt>suite</dt><dd>" << esc(rep["suite"].get<std::string>()) << "</dd>"
      << "<dt>seeds</dt><dd>" << esc(seeds) << "</dd>"
      << "<dt>generated</dt><dd>" << esc(rep["generated_at"].get<std::string>()) << "</dd>"
      << "<dt>speed</dt><dd>" << num(sim) << " s simulated in " << num(wall) << " s"
      << (wall > 0 ? " (" + num(sim / wall) + "x)" : "") << ", " << sp["histories"].get<long long>() << " histories, "
      << sp["events"].get<long long>() << " events</dd>"
      << "<dt>exit code</dt><dd>" << s["exit_code"].get<long long>() << "</dd></dl></div>\n";
  }
  o << "</div></section>\n";

  // Filters.
  o << "<section class=\"filters\" id=\"filters\"><strong>Show:</strong> ";
  for (const char* st : kVerdictPrecedence)
    o << "<label class=\"st-" << st << "\"><input type=\"checkbox\" data-filter=\"verdict\" value=\"" << st << "\" checked> "
      << st << "</label>";
  o << " <label>group <select id=\"f-group\" data-filter=\"group\"><option value=\"\">all</option>";
  for (const auto& g : group_list) o << "<option value=\"" << esc(g) << "\">" << esc(g) << "</option>";
  o << "</select></label><label>severity <select id=\"f-severity\" data-filter=\"severity\"><option value=\"\">all</option>"
    << "<option>MUST</option><option>SHOULD</option><option>OBSERVED</option></select></label>"
    << "<input type=\"search\" id=\"f-text\" data-filter=\"text\" placeholder=\"search\">"
    << "<button type=\"button\" id=\"f-reset\">reset</button> <span id=\"shown\" class=\"muted\"></span></section>\n";

  // Matrix.
  o << "<section id=\"matrix\"><h2>Clauses by target</h2>\n<table class=\"matrix\" id=\"matrix-table\"><thead><tr>"
    << "<th>clause</th><th>group</th><th>severity</th><th>statement</th>";
  for (const auto& l : labels) o << "<th>" << esc(l) << "</th>";
  o << "</tr></thead>\n<tbody>\n";
  // Each report's clauses by id: a lookup per cell, not a scan of the list.
  std::vector<std::map<std::string, const json*>> by_id(reports.size());
  for (std::size_t r = 0; r < reports.size(); ++r)
    for (const auto& k : reports[r]["clauses"]) by_id[r].emplace(k["id"].get<std::string>(), &k);
  for (std::size_t c = 0; c < order.size(); ++c) {
    const json& k = info[order[c]];
    std::set<std::string> statuses;
    std::ostringstream cells;
    for (std::size_t r = 0; r < reports.size(); ++r) {
      const auto it = by_id[r].find(order[c]);
      const json* found = it == by_id[r].end() ? nullptr : it->second;
      if (found) statuses.insert(found->at("verdict").get<std::string>());
      auto fv = first_violation.find({r, order[c]});
      cells << verdict_cell(found, fv == first_violation.end() ? "" : fv->second);
    }
    std::string st_attr;
    for (const auto& s : statuses) st_attr += (st_attr.empty() ? "" : " ") + s;
    const json& src = k["source"];
    o << "<tr class=\"clause\" id=\"c-" << c << "\" data-group=\"" << esc(k["group"].get<std::string>()) << "\" data-severity=\""
      << esc(k["severity"].get<std::string>()) << "\" data-verdicts=\"" << esc(st_attr) << "\"><td><strong>"
      << esc(order[c]) << "</strong></td><td>" << esc(k["group"].get<std::string>()) << "</td><td>"
      << esc(k["severity"].get<std::string>()) << "</td><td class=\"stmt\" title=\""
      << esc(src["document"].get<std::string>() + ": " + src["quote"].get<std::string>()) << "\">"
      << esc(k["statement"].get<std::string>()) << "</td>" << cells.str() << "</tr>\n";
  }
  o << "</tbody></table>\n<p class=\"legend\">";
  for (const char* st : kVerdictPrecedence) o << "<span><i class=\"st-" << st << "\"></i>" << st << "</span>";
  o << "</p></section>\n";

  // Violations.
  o << "<section id=\"violations\"><h2>Violations</h2>\n";
  std::size_t total_violations = 0;
  for (std::size_t r = 0; r < reports.size(); ++r) {
    const json& rep = reports[r];
    const auto& vs = rep["violations"];
    total_violations += vs.size();
    if (vs.empty()) continue;
    std::map<std::string, json> clauses;
    for (const auto& k : rep["clauses"]) clauses[k["id"]] = k;
    std::map<std::string, std::size_t> drawn;  // timelines drawn per clause ("" = expect lines)
    o << "<h3>" << esc(labels[r]) << ": " << vs.size() << " violation" << (vs.size() == 1 ? "" : "s") << "</h3>\n";
    for (std::size_t n = 0; n < vs.size(); ++n) {
      const json& v = vs[n];
      const std::string cid = v["clause"];
      const json k = cid.empty() ? json::object() : clauses[cid];
      // An unmet expect line has no clause: it fails the scenario like a MUST.
      const std::string verdict_word = cid.empty() ? (str_or(v, "known").empty() ? "fail" : "known") : str_or(k, "verdict");
      const std::string title = cid.empty() ? "expect \"" + str_or(v, "expectation") + "\"" : cid;
      const std::string id = "v-" + std::to_string(r) + "-" + std::to_string(n);
      const long long marked = v["event_index"];
      o << "<article class=\"violation\" id=\"" << id << "\" data-group=\"" << esc(str_or(k, "group"))
        << "\" data-severity=\"" << esc(str_or(v, "severity")) << "\" data-verdicts=\"" << esc(verdict_word)
        << "\" data-clause=\"" << esc(cid) << "\">\n<h4>" << esc(title) << " in scenario " << esc(v["scenario"].get<std::string>())
        << " (seed " << v["seed"].dump() << ")</h4>\n"
        << "<p>" << esc(v["message"].get<std::string>()) << "</p>\n"
        << "<p class=\"muted\">event " << marked << " at " << esc(format_ns(v["time_ns"].get<long long>())) << "; clause "
        << esc(str_or(v, "severity")) << ", verdict " << esc(verdict_word)
        << (str_or(v, "known").empty() ? "" : "; known deviation: " + esc(str_or(v, "known"))) << "</p>\n"
        << "<blockquote><p>" << esc(v["quote"].get<std::string>()) << "</p><footer class=\"muted\">"
        << esc(str_or(k.value("source", json::object()), "document")) << "</footer></blockquote>\n"
        << "<p>Reproduce:</p><pre class=\"repro\"><code>" << esc(v["repro"].get<std::string>()) << "</code></pre>\n";

      std::vector<Event> tl;
      for (const auto& e : v["timeline"]) tl.push_back(read_event(e));
      const long long tl_first = int_or(v, "timeline_first_index", 0);
      if (!tl.empty() && drawn[cid] >= kTimelinesDrawnPerClause) {
        o << "<p class=\"muted\">Timeline not drawn: " << kTimelinesDrawnPerClause << " violations of "
          << esc(cid.empty() ? std::string("an expect line") : cid)
          << " above have theirs; this one's events are in the excerpt below and in the JSON report.</p>\n";
      } else if (!tl.empty()) {
        ++drawn[cid];
        o << "<p>Timeline (events " << tl_first << " to " << tl_first + static_cast<long long>(tl.size()) - 1
          << "; x is event order, stretched where time passes; click an event for details):</p>\n"
          << "<div class=\"tl-wrap\">" << timeline_svg(tl, tl_first, marked, cid, "tl-" + id, "info-" + id) << "</div>\n"
          << "<p class=\"ev-info\" id=\"info-" << id << "\"></p>\n";
      } else {
        o << "<p class=\"muted\">No timeline recorded.</p>\n";
      }
      const auto& ex = v["trace_excerpt"];
      if (!ex.empty()) {
        long long first = v["excerpt_first_index"];
        o << "<details open><summary>Trace excerpt (" << ex.size() << " events)</summary><table class=\"trace\"><thead><tr>"
          << "<th>#</th><th>time</th><th>event</th></tr></thead><tbody>\n";
        for (std::size_t i = 0; i < ex.size(); ++i) {
          Event e = read_event(ex[i]);
          long long idx = first + static_cast<long long>(i);
          o << "<tr" << (idx == marked ? " class=\"marked\"" : "") << "><td>" << idx << "</td><td>" << esc(format_ns(e.time_ns))
            << "</td><td>" << esc(describe(e)) << "</td></tr>\n";
        }
        o << "</tbody></table></details>\n";
      }
      o << "</article>\n";
    }
  }
  if (total_violations == 0) o << "<p>No violations.</p>\n";
  o << "</section>\n";

  // Scenarios.
  o << "<section id=\"scenarios\"><h2>Scenarios</h2>\n";
  for (std::size_t r = 0; r < reports.size(); ++r) {
    o << "<h3>" << esc(labels[r]) << "</h3>\n<table class=\"scenarios\"><thead><tr><th>scenario</th><th>seed</th>"
      << "<th>verdict</th><th>events</th><th>virtual time</th><th>trace hash</th><th>repro</th></tr></thead><tbody>\n";
    for (const auto& s : reports[r]["scenarios"]) {
      const std::string verdict = s["verdict"];
      std::string text = verdict;
      if (!s["detail"].get<std::string>().empty()) text += ": " + s["detail"].get<std::string>();
      if (s.contains("repeats")) {
        std::string tally;
        for (auto it = s["repeats"].begin(); it != s["repeats"].end(); ++it)
          tally += (tally.empty() ? "" : ", ") + it->dump() + " " + it.key();
        text += " [repeats: " + tally + "]";
      }
      o << "<tr class=\"scenario\" data-verdict=\"" << esc(verdict) << "\"><td title=\"" << esc(s["file"].get<std::string>())
        << "\">" << esc(s["name"].get<std::string>()) << "</td><td>" << s["seed"].dump() << "</td><td class=\"st badge st-"
        << esc(verdict) << "\" data-verdict=\"" << esc(verdict) << "\">" << esc(text)
        << "</td><td>" << s["events"].dump() << "</td><td>" << esc(format_ns(s["virtual_ns"].get<long long>())) << "</td><td><code>"
        << esc(s["trace_hash"].get<std::string>().substr(0, 16)) << "</code></td><td><code>" << esc(s["repro"].get<std::string>())
        << "</code></td></tr>\n";
    }
    o << "</tbody></table>\n";
    if (const long long folded = folded_scenarios(reports[r]); folded > 0)
      o << "<p class=\"folded\">And " << folded << " passing scenarios ("
        << reports[r]["folded"]["runs"].dump() << " runs, " << reports[r]["folded"]["events"].dump()
        << " events, trace digest <code>" << esc(reports[r]["folded"]["trace_digest"].get<std::string>())
        << "</code>), counted but not listed.</p>\n";
  }
  o << "</section>\n<script>" << kScript << "</script>\n</body>\n</html>\n";
  return o.str();
}

void write_html(const std::vector<json>& reports, const std::filesystem::path& path) {
  write_atomic(path, to_html(reports));
}

void write_html(std::vector<json>&& reports, const std::filesystem::path& path) {
  write_atomic(path, to_html(std::move(reports)));
}

}  // namespace ms::reports

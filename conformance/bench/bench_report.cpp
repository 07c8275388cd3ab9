// SPDX-License-Identifier: MIT
// bench_report.cpp: see bench_report.hpp. The pages are a list of sections (a title, a few
// sentences, a table), made once from the JSON and written out twice: as Markdown and as HTML.
#include "bench_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace ms::bench {

using ms::reports::json;

namespace {

struct Section {
  std::string title;
  std::string text;  // sentences before the table; `code` in backquotes
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::string svg;   // HTML only
};

std::string num(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  const std::string s = buf;
  // Thousands separators in the integer part.
  const std::size_t sign = s[0] == '-' ? 1 : 0;
  const std::size_t dot = std::min(s.find('.'), s.size());
  std::string out = s.substr(0, sign);
  for (std::size_t i = sign; i < dot; ++i) {
    if (i > sign && (dot - i) % 3 == 0) out += ',';
    out += s[i];
  }
  return out + s.substr(dot);
}

std::string get_num(const json& j, const char* key, int decimals) {
  return j.contains(key) && j[key].is_number() ? num(j[key].get<double>(), decimals) : "";
}

const char* const kSides[2] = {"engine", "library"};

// The first word of what the implementation says of itself ("libcurl/7.88.1").
std::string side_name(const json& r, int side) {
  const std::string v = r.at("implementations").at(kSides[side]).value("version", std::string(kSides[side]));
  return v.substr(0, v.find(' '));
}

Section overview(const json& r) {
  Section s{"Machine and versions", "", {"", ""}, {}, ""};
  const json& m = r.at("machine");
  s.text = "Written by `multisock bench` at " + r.value("generated_at", std::string()) +
           "; one run on one machine, not a test: re-run the command for your own figures.\n\nCommand: `" +
           r.value("command", std::string()) + "`";
  s.rows.push_back({"CPU", m.value("cpu_model", std::string("?")) + ", " + std::to_string(m.value("cpus", 0)) + " online"});
  s.rows.push_back({"system", m.value("os", std::string()) + ", " + m.value("kernel", std::string())});
  s.rows.push_back({"load average", get_num(m, "load_average_at_start", 2) + " at the start, " +
                                        get_num(m, "load_average_at_end", 2) + " at the end"});
  for (int side = 0; side < 2; ++side)
    s.rows.push_back({kSides[side], r.at("implementations").at(kSides[side]).value("version", std::string()) + " (`" +
                                        r.at("implementations").at(kSides[side]).value("path", std::string()) + "`)"});
  if (r.contains("nginx")) s.rows.push_back({"server", r.at("nginx").get<std::string>() + " on 127.0.0.1"});
  s.rows.push_back({"rounds", std::to_string(r.value("rounds", 0))});
  return s;
}

// The property suite's TLS handshakes at the least cost of one: a floor under the suite's
// CPU, whatever the rest costs. Absent from runs written before the count.
struct TlsFloor {
  double handshakes = 0;
  double seconds = 0;    // handshakes x the least CPU of one
  double histories = 0;  // of the suite
  double max_rate() const { return seconds > 0 ? histories / seconds : 0; }
};
std::optional<TlsFloor> tls_floor(const json& sim) {
  if (!sim.contains("tls_handshake") || !sim.contains("property") || !sim.at("property").contains("tls_handshakes"))
    return std::nullopt;
  const json& p = sim.at("property");
  TlsFloor f;
  f.handshakes = p.at("tls_handshakes").get<double>();
  f.seconds = f.handshakes * sim.at("tls_handshake").at("cpu_us_each").get<double>() / 1e6;
  f.histories = p.at("histories").get<double>();
  return f;
}

// For the simulator's goals a run missed, what the same run measured under them: the hour
// replay's process doing nothing, and the property suite's TLS floor (runs written before
// those figures have none to say).
std::string bounds_of_missed(const json& r, const json& missed) {
  if (!r.contains("simulator")) return "";
  const json& sim = r.at("simulator");
  std::string out;
  if (missed.contains("sim-hour") && sim.at("hour").contains("process_start_wall_ms_median"))
    out += " Of the hour replay's " + num(sim.at("hour").at("wall_ms_median").get<double>(), 1) +
           " ms, the same process doing nothing but start and end (`multisock replay --help`) took " +
           num(sim.at("hour").at("process_start_wall_ms_median").get<double>(), 1) + " ms.";
  const std::optional<TlsFloor> tls = tls_floor(sim);
  if (missed.contains("property-rate") && tls && tls->seconds > 0)
    out += " The property suite's " + num(tls->handshakes, 0) + " TLS handshakes alone, at the least cost of one, " +
           "allow at most " + num(tls->max_rate(), 0) + " histories per CPU-second (the simulator section).";
  return out;
}

Section goals(const json& r) {
  Section s{"Goals", "", {"goal", "measured", "bound", "met"}, {}, ""};
  int met = 0;
  json missed = json::object();
  for (const json& g : r.at("goals")) {
    if (!g.at("met").get<bool>()) missed[g.at("id").get<std::string>()] = true;
    const double v = g.at("measured").get<double>();
    const int decimals = std::fabs(v) >= 100 ? 0 : 2;
    s.rows.push_back({g.at("goal").get<std::string>(), num(v, decimals) + " " + g.at("unit").get<std::string>(),
                      g.at("comparison").get<std::string>() + " " + num(g.at("bound").get<double>(), decimals == 0 ? 0 : 2),
                      g.at("met").get<bool>() ? "yes" : "**no**"});
    met += g.at("met").get<bool>();
  }
  s.text = std::to_string(met) + " of " + std::to_string(r.at("goals").size()) + " goals met in this run." +
           bounds_of_missed(r, missed);
  return s;
}

void loop_rows(const json& r, const json& fig, const std::string& label, const std::string& per, Section& s) {
  for (int side = 0; side < 2; ++side) {
    const json& f = fig.at(kSides[side]);
    std::vector<std::string> row = {label, side_name(r, side), get_num(f, ("cpu_us_per_" + per).c_str(), 1),
                                    get_num(f, ("user_us_per_" + per).c_str(), 1),
                                    get_num(f, ("sys_us_per_" + per).c_str(), 1), get_num(f, "wall_ms", 1),
                                    get_num(f, ("socket_callbacks_per_" + per).c_str(), 2),
                                    get_num(f, ("timer_callbacks_per_" + per).c_str(), 2)};
    if (s.header.size() > row.size())
      row.push_back(fig.contains("syscalls") ? num(fig.at("syscalls").at(kSides[side]).at("per_get").get<double>(), 1) : "");
    s.rows.push_back(row);
  }
  std::vector<std::string> ratio = {label, "ratio engine / library", num(fig.at("ratio_cpu").get<double>(), 2), "", "",
                                    num(fig.at("ratio_wall").get<double>(), 2), "", ""};
  if (s.header.size() > ratio.size())
    ratio.push_back(fig.contains("syscalls") ? num(fig.at("syscalls").at("engine").at("per_get").get<double>() /
                                                       fig.at("syscalls").at("library").at("per_get").get<double>(), 2)
                                             : "");
  s.rows.push_back(ratio);
}

Section keepalive(const json& r) {
  const json& k = r.at("keepalive");
  Section s{"Keep-alive GETs over real sockets", "", {"loop", "implementation", "CPU µs per GET", "user µs", "system µs",
                                                      "wall ms", "socket callbacks per GET", "timer callbacks per GET",
                                                      "system calls per GET"}, {}, ""};
  s.text = std::to_string(k.at("gets").get<int>()) + " GETs of " + std::to_string(k.at("size").get<int>()) +
           " bytes from nginx, " + std::to_string(k.at("slots").get<int>()) +
           " at once, each slot reusing its easy handle (and so its connection) for the next file. One "
           "epoll + timerfd application drives either implementation through the same code; CPU is the loop's "
           "alone (no process start, no library load); medians of the rounds, each round a fresh process per "
           "implementation, in alternating order; the ratio is the median of the rounds' ratios. System calls: "
           "three more runs of each under `strace -f -c`, the median.";
  for (const json& m : k.at("modes")) loop_rows(r, m, m.at("name").get<std::string>(), "get", s);
  for (const json& m : k.at("modes")) s.text += "\n\n- `" + m.at("name").get<std::string>() + "`: " + m.at("title").get<std::string>() + ".";
  return s;
}

// The system calls of the example loop's strace runs, by name (those made at least once
// per 20 GETs by either side).
Section syscall_names(const json& r) {
  Section s{"System calls per keep-alive GET, by name", "", {"system call", side_name(r, 0), side_name(r, 1)}, {}, ""};
  for (const json& m : r.at("keepalive").at("modes")) {
    if (!m.contains("syscalls")) continue;
    const json& sc = m.at("syscalls");
    s.text = "The `" + m.at("name").get<std::string>() +
             "` loop under `strace -f -c`, the run with the median total of three per implementation; the totals of "
             "the three runs per GET: " + side_name(r, 0) + " ";
    for (int side = 0; side < 2; ++side) {
      if (side) s.text += ", " + side_name(r, 1) + " ";
      std::string list;
      for (const json& t : sc.at(kSides[side]).at("runs_per_get")) list += (list.empty() ? "" : " / ") + num(t.get<double>(), 2);
      s.text += list;
    }
    s.text += ".";
    std::map<std::string, std::pair<double, double>> by_name;
    for (int side = 0; side < 2; ++side)
      for (const auto& [name, v] : sc.at(kSides[side]).at("by_call").items())
        (side ? by_name[name].second : by_name[name].first) = v.get<double>();
    for (const auto& [name, v] : by_name)
      if (std::max(v.first, v.second) >= 0.05) s.rows.push_back({name, num(v.first, 2), num(v.second, 2)});
    s.rows.push_back({"all", num(sc.at("engine").at("per_get").get<double>(), 2), num(sc.at("library").at("per_get").get<double>(), 2)});
  }
  return s;
}

Section bulk(const json& r) {
  const json& b = r.at("bulk");
  Section s{"Bulk download", "", {"", "implementation", "CPU µs per MB", "user µs", "system µs", "wall ms",
                                  "socket callbacks per MB", "timer callbacks per MB"}, {}, ""};
  s.text = "One file of " + std::to_string(b.at("megabytes").get<int>()) +
           " MB (10^6 bytes) from nginx, written to no file, through the example loop; medians and paired ratio as above.";
  loop_rows(r, b, "bulk", "mb", s);
  return s;
}

// The rows of a fetch comparison (fetch_pair in run_bench.cpp), or why it was skipped.
void fetch_rows(const json& f, Section& s) {
  if (f.contains("skipped")) {
    s.text = "Not measured: " + f.at("skipped").get<std::string>() + ".";
    s.header.clear();
    return;
  }
  s.rows.push_back({"multisock fetch", get_num(f.at("multisock_fetch"), "wall_ms", 1), get_num(f.at("multisock_fetch"), "cpu_ms", 1)});
  s.rows.push_back({"curl --parallel", get_num(f.at("curl"), "wall_ms", 1), get_num(f.at("curl"), "cpu_ms", 1)});
  s.rows.push_back({"ratio", num(f.at("ratio_wall").get<double>(), 2), num(f.at("ratio_cpu").get<double>(), 2)});
}

Section fetch(const json& r) {
  const json& f = r.at("fetch");
  Section s{"multisock fetch against curl --parallel", "", {"client", "wall ms", "CPU ms"}, {}, ""};
  if (!f.contains("skipped"))
    s.text = std::to_string(f.at("files").get<int>()) + " files of " + std::to_string(f.at("size").get<int>()) +
             " bytes from nginx into a folder, at most " + std::to_string(f.at("parallel").get<int>()) +
             " at once: `multisock fetch --parallel N -o DIR URL...` against `curl --parallel --parallel-max N "
             "--output-dir DIR --remote-name-all URL...` (" + f.at("curl_version").get<std::string>() +
             "), written into " + f.value("into", std::string("a folder")) +
             ". Whole processes: wall and CPU from their rusage; every file checked for its size.";
  fetch_rows(f, s);
  return s;
}

Section tls_fetch(const json& r) {
  const json& f = r.at("tls");
  Section s{"multisock fetch against curl --parallel over HTTPS", "", {"client", "wall ms", "CPU ms"}, {}, ""};
  if (!f.contains("skipped"))
    s.text = std::to_string(f.at("files").get<int>()) + " files of " + std::to_string(f.at("size").get<int>()) +
             " bytes over HTTPS (HTTP/1.1), each on a connection of its own (nginx takes one request per "
             "connection), at most " + std::to_string(f.at("parallel").get<int>()) +
             " at once, into " + f.value("into", std::string("a folder")) +
             ". The certificates are made for the run (EC P-256, a CA and the server's for 127.0.0.1); both "
             "clients trust a CA file of " + std::to_string(f.at("ca_certificates").get<int>()) +
             " certificates, the system's bundle with that CA added: `multisock fetch --http 1.1 --cacert FILE` "
             "against `curl --http1.1 --cacert FILE` in parallel mode, as above.";
  fetch_rows(f, s);
  return s;
}

Section memory(const json& r) {
  const json& m = r.at("memory");
  Section s{"Memory per idle added handle", "", {"implementation", "heap bytes per handle"}, {}, ""};
  s.text = "Heap bytes (mallinfo2: in use, mmapped blocks included) held per easy handle that has a URL and is added to a multi but not started, over " +
           std::to_string(m.at("handles").get<int>()) + " handles.";
  for (int side = 0; side < 2; ++side) s.rows.push_back({side_name(r, side), num(m.at(kSides[side]).get<double>(), 0)});
  s.rows.push_back({"ratio engine / library", num(m.at("ratio").get<double>(), 2)});
  return s;
}

// One small chart per operation: ns per call against the number of handles (log scale).
std::string scaling_svg(const json& r) {
  const json& sc = r.at("scaling");
  const json& hs = sc.at("handles");
  if (!hs.is_array() || hs.empty()) throw std::runtime_error("scaling without handle counts");
  constexpr int kW = 300, kH = 190, kLeft = 56, kBottom = 30, kTop = 22;
  std::ostringstream o;
  const double lx0 = std::log10(hs.front().get<double>()), lx1 = std::log10(hs.back().get<double>());
  const char* colours[2] = {"#1f77b4", "#d62728"};
  for (const auto& [op, v] : sc.at("operations").items()) {
    double top = 0;
    for (int side = 0; side < 2; ++side)
      for (const json& y : v.at(kSides[side])) top = std::max(top, y.get<double>());
    top = top > 0 ? top * 1.15 : 1;
    auto x = [&](double h) { return kLeft + (lx1 > lx0 ? (std::log10(h) - lx0) / (lx1 - lx0) : 0.5) * (kW - kLeft - 30); };
    auto y = [&](double ns) { return kTop + (1 - ns / top) * (kH - kTop - kBottom); };
    o << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << kW << "\" height=\"" << kH
      << "\" role=\"img\" aria-label=\"" << op << "\"><text x=\"" << kLeft << "\" y=\"14\" font-size=\"12\">" << op
      << " (ns per call)</text>";
    o << "<line x1=\"" << kLeft << "\" y1=\"" << y(0) << "\" x2=\"" << kW - 8 << "\" y2=\"" << y(0) << "\" stroke=\"#888\"/>";
    o << "<text x=\"" << kLeft - 4 << "\" y=\"" << y(top / 1.15) + 4 << "\" font-size=\"10\" text-anchor=\"end\">"
      << num(top / 1.15, 0) << "</text><text x=\"" << kLeft - 4 << "\" y=\"" << y(0) + 4
      << "\" font-size=\"10\" text-anchor=\"end\">0</text>";
    for (const json& h : hs)
      o << "<text x=\"" << x(h.get<double>()) << "\" y=\"" << kH - 10 << "\" font-size=\"10\" text-anchor=\"middle\">"
        << num(h.get<double>(), 0) << "</text>";
    for (int side = 0; side < 2; ++side) {
      o << "<polyline fill=\"none\" stroke=\"" << colours[side] << "\" stroke-width=\"2\" points=\"";
      for (std::size_t i = 0; i < hs.size(); ++i)
        o << x(hs.at(i).get<double>()) << "," << y(v.at(kSides[side]).at(i).get<double>()) << " ";
      o << "\"/>";
      for (std::size_t i = 0; i < hs.size(); ++i)
        o << "<circle r=\"3\" fill=\"" << colours[side] << "\" cx=\"" << x(hs.at(i).get<double>()) << "\" cy=\""
          << y(v.at(kSides[side]).at(i).get<double>()) << "\"/>";
      o << "<text x=\"" << kW - 8 << "\" y=\"" << 14 + side * 12 << "\" font-size=\"10\" text-anchor=\"end\" fill=\""
        << colours[side] << "\">" << (side == 0 ? "engine" : "library") << "</text>";
    }
    o << "</svg>\n";
  }
  return o.str();
}

Section scaling(const json& r) {
  const json& sc = r.at("scaling");
  Section s{"Call costs by number of handles", "", {"operation", "implementation"}, {}, ""};
  for (const json& h : sc.at("handles")) s.header.push_back(num(h.get<double>(), 0) + " handles");
  s.header.push_back("largest / smallest");
  s.text = "CPU nanoseconds per call (the best of 3 worker processes, the sizes in rotation, each process the best of "
           "its samples), with that many "
           "easy handles added to one multi: at most one connection (MAX_TOTAL_CONNECTIONS 1) to a loopback "
           "listener that never accepts, the rest waiting for it. `add` and `remove`: the newest 99 waiting "
           "handles removed, added back and started again, 5 times, the least kept: the other handles stay as "
           "they are and out of the way, so the figure grows only with what the calls themselves do. "
           "`add_pass` and `remove_pass`: one pass over every handle, adding them at the start and removing "
           "the waiting ones (the connected one after, untimed: closing its socket is a cost per connection) "
           "at the end; at 100,000 handles each call meets a handle out of the cache, a cost of the machine's "
           "memory for any implementation, shown and not judged. The other operations leave the multi as "
           "they found it and are timed 5 times over 2,000 calls, the least kept. `ready_socket`: "
           "socket_action on that connection's socket, told readable (nothing to read); `socket_timeout`: a "
           "SOCKET_TIMEOUT call with nothing due.";
  for (const auto& [op, v] : sc.at("operations").items())
    for (int side = 0; side < 2; ++side) {
      std::vector<std::string> row = {op, side_name(r, side)};
      for (const json& ns : v.at(kSides[side])) row.push_back(num(ns.get<double>(), 0));
      row.push_back(num(v.at("ratio_" + std::string(kSides[side])).get<double>(), 2));
      s.rows.push_back(row);
    }
  s.svg = scaling_svg(r);
  return s;
}

Section simulator(const json& r) {
  const json& sim = r.at("simulator");
  Section s{"The simulator, with the checker on", "", {"workload", "CPU ms", "rate"}, {}, ""};
  const bool start_measured = sim.at("hour").contains("process_start_wall_ms_median");
  s.text = std::string("The engine, the simulated application and the checker together over simnet, the trace hashed (best of "
           "twice the rounds, at most 15, the two sizes in rotation, in the bench's own process); the hour file through a whole `multisock replay` process ") +
           (start_measured ? "(wall time and CPU, medians), and beside it the same process printing only its help; "
                           : "(wall time, median); ") +
           "the property suite as `multisock conform --target engine-sim --suite property "
           "--runs N --seed 7 --no-shrink` (whole process).";
  for (const json& t : sim.at("transfers"))
    s.rows.push_back({num(t.at("transfers").get<double>(), 0) + " transfers of 512 B, 8 keep-alive peers",
                      num(t.at("cpu_ms").get<double>(), 1), num(t.at("per_cpu_second").get<double>(), 0) + " transfers per CPU-second"});
  for (const json& t : sim.at("timeouts"))
    s.rows.push_back({num(t.at("timeouts").get<double>(), 0) + " timeouts, one every 1.8 virtual s",
                      num(t.at("cpu_ms").get<double>(), 1), num(t.at("per_cpu_second").get<double>(), 0) + " timeouts per CPU-second"});
  const json& h = sim.at("hour");
  s.rows.push_back({"`multisock replay " + h.at("file").get<std::string>() + "`",
                    h.contains("cpu_ms_median") ? num(h.at("cpu_ms_median").get<double>(), 1) : "",
                    num(h.at("wall_ms_median").get<double>(), 1) + " ms wall (best " + num(h.at("wall_ms_best").get<double>(), 1) + ")"});
  if (h.contains("process_start_wall_ms_median"))  // runs written before it have no such figure
    s.rows.push_back({"`multisock replay --help`: the process alone (start, libraries, exit)", "",
                      num(h.at("process_start_wall_ms_median").get<double>(), 1) + " ms wall"});
  for (const char* key : {"property", "property_http1", "property_jobs"}) {
    if (!sim.contains(key)) continue;
    const json& p = sim.at(key);
    const bool http1 = p.value("peers", std::string("all")) == "http1";
    const int jobs = p.value("jobs", 1);
    s.rows.push_back({"property suite, " + num(p.at("histories").get<double>(), 0) + " histories" +
                          (http1 ? ", HTTP/1.1 peers only (`--peers http1`)" : "") +
                          (jobs > 1 ? ", `--jobs " + std::to_string(jobs) + "` (the CPU of every process)" : ""),
                      num(p.at("cpu_s").get<double>() * 1e3, 0),
                      num(p.at("per_cpu_second").get<double>(), 0) + " per CPU-second, " +
                          num(p.at("per_wall_second").get<double>(), 0) + " per wall second"});
  }
  if (sim.contains("tls_handshake")) {  // runs written before it have no such figure
    const json& t = sim.at("tls_handshake");
    s.rows.push_back({"one TLS handshake, client and server in this process over memory, with the simulated peers' "
                      "certificates (the test CA's Ed25519 leaf, verified): the least any simulated TLS connection costs",
                      "", num(t.at("cpu_us_each").get<double>(), 0) + " µs of CPU each (least of " +
                              num(t.at("rounds").get<double>(), 0) + " rounds of " +
                              num(t.at("handshakes").get<double>(), 0) + ")"});
    if (const std::optional<TlsFloor> tls = tls_floor(sim)) {
      std::string rate = num(tls->handshakes, 0) + " handshakes completed; " +
                         num(100 * tls->seconds / sim.at("property").at("cpu_s").get<double>(), 0) + "% of the suite's CPU";
      if (tls->seconds > 0) rate += ": alone they allow at most " + num(tls->max_rate(), 0) + " histories per CPU-second";
      s.rows.push_back({"the TLS handshakes of the property suite's " + num(tls->histories, 0) +
                            " histories (the same histories again in this process, their events matched with the "
                            "suite's report), each at the least cost above",
                        num(tls->seconds * 1e3, 0), rate});
    }
  }
  return s;
}

std::vector<Section> sections(const json& r) {
  std::vector<Section> out = {overview(r), goals(r)};
  if (r.contains("keepalive")) out.push_back(keepalive(r));
  if (r.contains("keepalive") && !r.at("keepalive").at("modes").empty() && r.at("keepalive").at("modes")[0].contains("syscalls"))
    out.push_back(syscall_names(r));
  if (r.contains("bulk")) out.push_back(bulk(r));
  if (r.contains("fetch")) out.push_back(fetch(r));
  if (r.contains("tls")) out.push_back(tls_fetch(r));
  if (r.contains("memory")) out.push_back(memory(r));
  if (r.contains("scaling")) out.push_back(scaling(r));
  if (r.contains("simulator")) out.push_back(simulator(r));
  return out;
}

std::string html_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '<') o += "&lt;";
    else if (c == '>') o += "&gt;";
    else if (c == '&') o += "&amp;";
    else if (c == '"') o += "&quot;";
    else o += c;
  }
  return o;
}

// `code` spans and blank-line paragraphs of a section's text, as HTML.
std::string html_text(const std::string& text) {
  std::string o = "<p>";
  bool code = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '`') {
      o += code ? "</code>" : "<code>";
      code = !code;
    } else if (text.compare(i, 2, "\n\n") == 0) {
      o += "</p>\n<p>";
      ++i;
    } else {
      o += html_escape(std::string(1, text[i]));
    }
  }
  return o + "</p>\n";
}

}  // namespace

std::string bench_markdown(const json& r) {
  std::ostringstream o;
  o << "# Benchmarks\n";
  for (const Section& s : sections(r)) {
    o << "\n## " << s.title << "\n\n" << s.text << "\n";
    if (s.header.empty()) continue;
    o << "\n|";
    for (const std::string& h : s.header) o << " " << h << " |";
    o << "\n|";
    for (std::size_t i = 0; i < s.header.size(); ++i) o << "---|";
    o << "\n";
    for (const auto& row : s.rows) {
      o << "|";
      for (const std::string& c : row) o << " " << c << " |";
      o << "\n";
    }
  }
  return o.str();
}

std::string bench_html(const json& r) {
  std::ostringstream o;
  o << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>multisock bench</title>\n"
       "<style>body{font-family:sans-serif;max-width:72em;margin:1em auto;padding:0 1em}table{border-collapse:"
       "collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left}svg{margin:.3em;"
       "border:1px solid #eee}</style></head><body>\n<h1>Benchmarks</h1>\n";
  for (const Section& s : sections(r)) {
    o << "<h2>" << html_escape(s.title) << "</h2>\n" << html_text(s.text);
    if (!s.svg.empty()) o << "<div>" << s.svg << "</div>\n";
    if (s.header.empty()) continue;
    o << "<table><tr>";
    for (const std::string& h : s.header) o << "<th>" << html_escape(h) << "</th>";
    o << "</tr>\n";
    for (const auto& row : s.rows) {
      o << "<tr>";
      for (const std::string& c : row) o << "<td>" << html_text(c).substr(3, html_text(c).size() - 8) << "</td>";
      o << "</tr>\n";
    }
    o << "</table>\n";
  }
  o << "</body></html>\n";
  return o.str();
}

void write_bench(const json& report, const std::filesystem::path& dir, bool only_pages) {
  std::filesystem::create_directories(dir);
  if (!only_pages) std::ofstream(dir / "bench.json") << report.dump(2) << "\n";
  std::ofstream(dir / "bench.md") << bench_markdown(report);
  std::ofstream(dir / "bench.html") << bench_html(report);
}

}  // namespace ms::bench

// SPDX-License-Identifier: MIT
// run_bench.cpp: see run_bench.hpp. Every real-socket figure comes from a fresh worker process
// (`multisock bench --worker ...`); the two implementations run back to back in each round,
// in alternating order, and a ratio is the median of the rounds' ratios (paired, so a slow
// moment of the machine weighs on both sides).
#include "run_bench.hpp"

#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <ctime>
#include <cctype>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "conformance/thirdparty.hpp"
#include "goals.hpp"
#include "processes.hpp"
#include "sim_bench.hpp"
#include "workers.hpp"

namespace ms::bench {

namespace fs = std::filesystem;

namespace {

const char* const kSides[2] = {"engine", "library"};

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void progress(const BenchOptions& o, const std::string& line) {
  if (!o.quiet) std::fprintf(stderr, "bench: %s\n", line.c_str());
}

const std::string& path_of(const BenchOptions& o, int side) { return side == 0 ? o.engine_path : o.library_path; }

// One worker process; its JSON, or throws with what went wrong.
json worker(const BenchOptions& o, const std::string& kind, int side, const json& params,
            const std::vector<std::string>& prefix = {}) {
  std::vector<std::string> argv = prefix;
  for (const std::string& w : {o.self, std::string("bench"), std::string("--worker"), kind, std::string("--lib"),
                               path_of(o, side), std::string("--params"), params.dump()})
    argv.push_back(w);
  const Finished f = run_program(argv, true, 600);
  json out;
  try {
    out = json::parse(f.out);
  } catch (const std::exception&) {
    throw std::runtime_error("worker " + kind + " on " + path_of(o, side) + " exited " + std::to_string(f.code) +
                             " without figures: " + f.err_tail);
  }
  if (out.contains("error"))
    throw std::runtime_error("worker " + kind + " on " + path_of(o, side) + ": " + out["error"].get<std::string>());
  return out;
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

json machine() {
  json m;
  m["cpus"] = sysconf(_SC_NPROCESSORS_ONLN);
  const std::string cpuinfo = read_text("/proc/cpuinfo");
  if (auto at = cpuinfo.find("model name"); at != std::string::npos) {
    const auto colon = cpuinfo.find(':', at), end = cpuinfo.find('\n', at);
    if (colon < end) m["cpu_model"] = cpuinfo.substr(colon + 2, end - colon - 2);
  }
  utsname u{};
  if (uname(&u) == 0) m["kernel"] = std::string(u.sysname) + " " + u.release;
  const std::string os = read_text("/etc/os-release");
  if (auto at = os.find("PRETTY_NAME=\""); at != std::string::npos)
    m["os"] = os.substr(at + 13, os.find('"', at + 13) - at - 13);
  double load[1] = {0};
  if (getloadavg(load, 1) == 1) m["load_average_at_start"] = load[0];
  return m;
}

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Files of `size` bytes named f00000.bin ... under root/dir; a recognisable pattern.
void make_files(const fs::path& folder, int count, long long size) {
  fs::create_directories(folder);
  for (int i = 0; i < count; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "f%05d.bin", i);
    std::string body;
    body.reserve(static_cast<std::size_t>(size));
    const std::string line = std::string("file ") + name + " ";
    while (body.size() < static_cast<std::size_t>(size)) body += line;
    body.resize(static_cast<std::size_t>(size));
    std::ofstream(folder / name, std::ios::binary) << body;
  }
}

std::vector<std::string> file_urls(const Nginx& n, const std::string& dir, int count) {
  std::vector<std::string> urls;
  for (int i = 0; i < count; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "f%05d.bin", i);
    urls.push_back(n.url(dir + "/" + name));
  }
  return urls;
}

// ---- keep-alive GETs and the bulk download ----

// The per-side figures of loop runs: medians per GET (or per MB) and the paired ratio.
json loop_figures(const std::vector<json> runs[2], double units, const std::string& per) {
  json out;
  std::vector<double> ratios, wall_ratios;
  for (std::size_t r = 0; r < runs[0].size(); ++r) {
    ratios.push_back(runs[0][r]["cpu_s"].get<double>() / runs[1][r]["cpu_s"].get<double>());
    wall_ratios.push_back(runs[0][r]["wall_s"].get<double>() / runs[1][r]["wall_s"].get<double>());
  }
  for (int side = 0; side < 2; ++side) {
    auto med = [&](const char* key) {
      std::vector<double> v;
      for (const json& j : runs[side]) v.push_back(j[key].get<double>());
      return median(v);
    };
    json s;
    s["cpu_us_per_" + per] = med("cpu_s") / units * 1e6;
    s["user_us_per_" + per] = med("user_s") / units * 1e6;
    s["sys_us_per_" + per] = med("sys_s") / units * 1e6;
    s["wall_ms"] = med("wall_s") * 1e3;
    s["socket_callbacks_per_" + per] = med("socket_callbacks") / units;
    s["timer_callbacks_per_" + per] = med("timer_callbacks") / units;
    out[kSides[side]] = s;
  }
  out["ratio_cpu"] = median(ratios);
  out["ratio_wall"] = median(wall_ratios);
  return out;
}

void pair_runs(const BenchOptions& o, const std::string& kind, const json& params, int rounds,
               std::vector<json> (&runs)[2]) {
  for (int r = 0; r <= rounds; ++r) {  // round 0 warms the caches and nginx up, not counted
    for (int k = 0; k < 2; ++k) {
      const int side = (r % 2 == 0) ? k : 1 - k;
      json j = worker(o, kind, side, params);
      if (r > 0) runs[side].push_back(std::move(j));
    }
  }
}

// One run under strace -f -c: the count of each system call, and "total".
std::map<std::string, long long> strace_counts(const BenchOptions& o, int side, const json& params) {
  const fs::path file = fs::path(o.work_dir) / (std::string("strace-") + kSides[side]);
  worker(o, "loop", side, params, {"/usr/bin/strace", "-f", "-c", "-o", file.string()});
  std::map<std::string, long long> counts;
  std::istringstream in(read_text(file));
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    std::vector<std::string> w{std::istream_iterator<std::string>(words), std::istream_iterator<std::string>()};
    // "% time, seconds, usecs/call, calls, [errors,] name", the last line's name "total".
    if (w.size() < 5 || !std::isdigit(static_cast<unsigned char>(w[0][0]))) continue;
    counts[w.back()] = std::stoll(w[3]);
  }
  return counts;
}

// System calls per GET of three more runs of each side under strace (alternating): the run
// with the median total, and its calls by name. (How often a library tells its socket
// callback about a reused connection can vary from run to run, and each change costs the
// application an epoll_ctl.)
json syscalls(const BenchOptions& o, const json& params, int gets) {
  constexpr int kRuns = 3;
  std::vector<std::map<std::string, long long>> runs[2];
  for (int r = 0; r < kRuns; ++r)
    for (int k = 0; k < 2; ++k) {
      const int side = (r % 2 == 0) ? k : 1 - k;
      runs[side].push_back(strace_counts(o, side, params));
    }
  json out;
  for (int side = 0; side < 2; ++side) {
    auto& v = runs[side];
    std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.at("total") < b.at("total"); });
    const auto& mid = v[v.size() / 2];
    json calls = json::object();
    for (const auto& [name, n] : mid)
      if (name != "total") calls[name] = static_cast<double>(n) / gets;
    json totals = json::array();
    for (const auto& run : v) totals.push_back(static_cast<double>(run.at("total")) / gets);
    out[kSides[side]] = {{"per_get", static_cast<double>(mid.at("total")) / gets}, {"by_call", calls},
                         {"runs_per_get", totals}};
  }
  return out;
}

json keepalive(const BenchOptions& o, const Nginx& n) {
  constexpr long long kSize = 1024;
  constexpr int kFiles = 100;
  make_files(fs::path(o.work_dir) / "www" / "ka", kFiles, kSize);
  json base = {{"urls", file_urls(n, "ka", kFiles)}, {"size", kSize}, {"gets", o.gets}, {"slots", o.slots}};
  json out = {{"gets", o.gets}, {"slots", o.slots}, {"size", kSize}, {"files", kFiles}, {"modes", json::array()}};
  const struct {
    const char* name;
    const char* title;
    bool direct;
  } modes[] = {{"example", "curl's example loop: every timer through the timerfd", false},
               {"direct", "0 ms timers run at once, after the call that set them", true}};
  for (const auto& m : modes) {
    progress(o, std::string("keep-alive GETs, ") + m.name + " loop");
    json params = base;
    params["direct"] = m.direct;
    std::vector<json> runs[2];
    pair_runs(o, "loop", params, o.rounds, runs);
    json fig = loop_figures(runs, o.gets, "get");
    fig["name"] = m.name;
    fig["title"] = m.title;
    if (o.strace && !m.direct) fig["syscalls"] = syscalls(o, params, o.gets);
    out["modes"].push_back(fig);
  }
  return out;
}

json bulk(const BenchOptions& o, const Nginx& n) {
  progress(o, "bulk download of " + std::to_string(o.bulk_mb) + " MB");
  const long long size = static_cast<long long>(o.bulk_mb) * 1000 * 1000;
  const fs::path dir = fs::path(o.work_dir) / "www" / "bulk";
  fs::create_directories(dir);
  {
    std::ofstream f(dir / "f00000.bin", std::ios::binary);
    std::string block(1 << 20, '\0');
    for (std::size_t i = 0; i < block.size(); ++i) block[i] = static_cast<char>('a' + i % 26);
    for (long long left = size; left > 0; left -= static_cast<long long>(block.size()))
      f.write(block.data(), static_cast<std::streamsize>(std::min<long long>(left, static_cast<long long>(block.size()))));
  }
  const json params = {{"urls", file_urls(n, "bulk", 1)}, {"size", size}, {"gets", 1}, {"slots", 1}, {"direct", false}};
  std::vector<json> runs[2];
  pair_runs(o, "loop", params, o.rounds, runs);
  json out = loop_figures(runs, o.bulk_mb, "mb");
  out["megabytes"] = o.bulk_mb;
  fs::remove(dir / "f00000.bin");
  return out;
}

// A download of every file into a fresh folder by `argv + urls`; its figures, checked.
json one_download(const std::vector<std::string>& argv, const fs::path& out, int files, long long size) {
  fs::remove_all(out);
  fs::create_directories(out);
  const Finished f = run_program(argv, false, 300);
  if (f.code != 0) throw std::runtime_error(argv[0] + " exited " + std::to_string(f.code) + ": " + f.err_tail);
  int good = 0;
  for (const auto& e : fs::directory_iterator(out))
    if (e.is_regular_file() && static_cast<long long>(e.file_size()) == size) ++good;
  if (good != files)
    throw std::runtime_error(argv[0] + " left " + std::to_string(good) + " of " + std::to_string(files) + " files");
  return json{{"wall_s", f.wall_s}, {"cpu_s", f.user_s + f.sys_s}, {"user_s", f.user_s}, {"sys_s", f.sys_s}};
}

std::string curl_version() {
  const Finished f = run_program({"/usr/bin/curl", "--version"}, true, 10);
  return f.out.substr(0, f.out.find('\n'));
}

// `multisock fetch` and `curl --parallel` on the same URLs, alternating, whole processes;
// `ours_extra` and `curl_extra` go before the URLs. The figures of both, and paired ratios.
json fetch_pair(const BenchOptions& o, const std::vector<std::string>& urls, long long size, int parallel,
                const std::vector<std::string>& ours_extra, const std::vector<std::string>& curl_extra) {
  const int files = static_cast<int>(urls.size());
  // Into memory (/dev/shm) when there is one: creating a thousand files on a disk's file
  // system costs both clients more than their transfers do, and measures the disk.
  const bool shm = access("/dev/shm", W_OK) == 0;
  const fs::path out = shm ? fs::path("/dev/shm") / ("multisock-bench-" + std::to_string(getpid()))
                           : fs::path(o.work_dir) / "downloads";
  struct Removed {  // also when a run throws
    fs::path p;
    ~Removed() {
      std::error_code ec;
      fs::remove_all(p, ec);
    }
  } removed{out};
  std::vector<std::string> ours = {o.self, "fetch", "--quiet", "--parallel", std::to_string(parallel), "-o", out.string()};
  std::vector<std::string> curl = {"/usr/bin/curl", "-s", "-S", "--parallel", "--parallel-max", std::to_string(parallel),
                                   "--output-dir", out.string(), "--remote-name-all"};
  ours.insert(ours.end(), ours_extra.begin(), ours_extra.end());
  curl.insert(curl.end(), curl_extra.begin(), curl_extra.end());
  ours.insert(ours.end(), urls.begin(), urls.end());
  curl.insert(curl.end(), urls.begin(), urls.end());
  std::vector<json> runs[2];
  for (int r = 0; r <= o.rounds; ++r)
    for (int k = 0; k < 2; ++k) {
      const int side = (r % 2 == 0) ? k : 1 - k;
      json j = one_download(side == 0 ? ours : curl, out, files, size);
      if (r > 0) runs[side].push_back(std::move(j));
    }
  json res = {{"files", files}, {"size", size}, {"parallel", parallel}, {"curl_version", curl_version()},
              {"into", shm ? "memory (/dev/shm)" : "the work folder"}};
  std::vector<double> cpu_ratio, wall_ratio;
  for (std::size_t r = 0; r < runs[0].size(); ++r) {
    cpu_ratio.push_back(runs[0][r]["cpu_s"].get<double>() / runs[1][r]["cpu_s"].get<double>());
    wall_ratio.push_back(runs[0][r]["wall_s"].get<double>() / runs[1][r]["wall_s"].get<double>());
  }
  const char* names[2] = {"multisock_fetch", "curl"};
  for (int side = 0; side < 2; ++side) {
    std::vector<double> wall, cpu;
    for (const json& j : runs[side]) {
      wall.push_back(j["wall_s"].get<double>());
      cpu.push_back(j["cpu_s"].get<double>());
    }
    res[names[side]] = {{"wall_ms", median(wall) * 1e3}, {"cpu_ms", median(cpu) * 1e3}};
  }
  res["ratio_wall"] = median(wall_ratio);
  res["ratio_cpu"] = median(cpu_ratio);
  return res;
}

json fetch_against_curl(const BenchOptions& o, const Nginx& n) {
  constexpr long long kSize = 1024;
  if (access("/usr/bin/curl", X_OK) != 0) return json{{"skipped", "/usr/bin/curl is not installed"}};
  progress(o, "multisock fetch against curl --parallel, " + std::to_string(o.files) + " files");
  make_files(fs::path(o.work_dir) / "www" / "many", o.files, kSize);
  return fetch_pair(o, file_urls(n, "many", o.files), kSize, 50, {}, {});
}

// Certificates made now: a CA and a server certificate for 127.0.0.1 (EC P-256), and the
// CA file the clients trust: the system's bundle (when there is one) with the CA added, as
// a user's would be. Throws with openssl's words when a step fails.
struct BenchPki {
  fs::path cert, key, ca_file;
  int ca_certificates = 0;
};

BenchPki make_pki(const fs::path& dir) {
  fs::create_directories(dir);
  const std::string d = dir.string();
  const std::vector<std::vector<std::string>> steps = {
      {"/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
       "-keyout", d + "/ca.key", "-out", d + "/ca.pem", "-days", "2", "-subj", "/CN=multisock bench CA"},
      {"/usr/bin/openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
       d + "/server.key", "-out", d + "/server.csr", "-subj", "/CN=127.0.0.1"},
      {"/usr/bin/openssl", "x509", "-req", "-in", d + "/server.csr", "-CA", d + "/ca.pem", "-CAkey", d + "/ca.key",
       "-CAcreateserial", "-out", d + "/server.pem", "-days", "2", "-extfile", d + "/san.ext"}};
  std::ofstream(dir / "san.ext") << "subjectAltName=IP:127.0.0.1\n";
  for (const auto& argv : steps) {
    const Finished f = run_program(argv, true, 60);
    if (f.code != 0) throw std::runtime_error("openssl " + argv[1] + " exited " + std::to_string(f.code) + ": " + f.err_tail);
  }
  BenchPki pki{dir / "server.pem", dir / "server.key", dir / "trusted.pem", 0};
  std::string bundle;
  for (const fs::path& part : {fs::path("/etc/ssl/certs/ca-certificates.crt"), dir / "ca.pem"}) {
    std::ifstream in(part, std::ios::binary);
    bundle.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (!bundle.empty() && bundle.back() != '\n') bundle += '\n';
  }
  for (std::size_t at = 0; (at = bundle.find("-----BEGIN CERTIFICATE-----", at)) != std::string::npos; ++at)
    ++pki.ca_certificates;
  std::ofstream(pki.ca_file, std::ios::binary) << bundle;
  return pki;
}

// Small files over HTTPS, each on a fresh connection (nginx takes one request per
// connection): what a client pays per TLS connection, the CA file's certificates included.
json tls_fetch_against_curl(const BenchOptions& o) {
  constexpr long long kSize = 1024;
  const int files = std::min(o.files, 200);  // a connection each: 200 make the point
  for (const char* tool : {"/usr/bin/curl", "/usr/bin/openssl"})
    if (access(tool, X_OK) != 0) return json{{"skipped", std::string(tool) + " is not installed"}};
  progress(o, "multisock fetch against curl --parallel over HTTPS, " + std::to_string(files) + " connections");
  const BenchPki pki = make_pki(fs::path(o.work_dir) / "pki");
  make_files(fs::path(o.work_dir) / "www" / "tls", files, kSize);
  Nginx nginx;
  const Nginx::Tls tls{pki.cert, pki.key};
  std::string error;
  if (!nginx.start(fs::path(o.work_dir) / "nginx-tls", fs::path(o.work_dir) / "www", error, &tls))
    throw std::runtime_error(error);
  json res = fetch_pair(o, file_urls(nginx, "tls", files), kSize, 10, {"--http", "1.1", "--cacert", pki.ca_file.string()},
                        {"--http1.1", "--cacert", pki.ca_file.string()});
  res["ca_certificates"] = pki.ca_certificates;
  return res;
}

json memory(const BenchOptions& o) {
  progress(o, "memory per idle added handle");
  json out = {{"handles", 10000}};
  for (int side = 0; side < 2; ++side)
    out[kSides[side]] = worker(o, "memory", side, {{"handles", 10000}})["bytes_per_handle"];
  out["ratio"] = out["engine"].get<double>() / out["library"].get<double>();
  return out;
}

// Per operation and side, ns per call at each size (best of the rounds' worker processes),
// and the ratio of the largest size to the smallest.
json scaling(const BenchOptions& o) {
  json out = {{"handles", o.handles}, {"operations", json::object()}};
  const int procs = std::max(1, std::min(o.rounds, 3));
  // Sizes in rotation, a process of each size and side per round: each size's best comes
  // from the whole section's time, so a busy spell of the machine weighs on no size alone.
  std::vector<std::array<json, 2>> best(o.handles.size());
  for (int p = 0; p < procs; ++p)
    for (std::size_t h = 0; h < o.handles.size(); ++h) {
      const int n = o.handles[h];
      progress(o, "call costs with " + std::to_string(n) + " handles (round " + std::to_string(p + 1) + ")");
      const int samples = std::max(1, std::min(20, 20000 / n));
      for (int k = 0; k < 2; ++k) {
        const int side = (p % 2 == 0) ? k : 1 - k;
        const json j = worker(o, "scaling", side, {{"handles", n}, {"samples", samples}});
        for (const std::string& op : scaling_operations())
          if (j.contains(op) && (!best[h][side].contains(op) || j[op].get<double>() < best[h][side][op].get<double>()))
            best[h][side][op] = j[op];
      }
    }
  for (std::size_t h = 0; h < o.handles.size(); ++h)
    for (const std::string& op : scaling_operations())
      for (int side = 0; side < 2; ++side)
        out["operations"][op][kSides[side]].push_back(best[h][side].value(op, 0.0));
  for (const std::string& op : scaling_operations())
    for (int side = 0; side < 2; ++side) {
      const json& v = out["operations"][op][kSides[side]];
      const double first = v.front().get<double>(), last = v.back().get<double>();
      out["operations"][op]["ratio_" + std::string(kSides[side])] = first > 0 ? last / first : 0.0;
    }
  return out;
}

json sim_figure(const SimFigure& f, const char* items) {
  if (!f.ok) throw std::runtime_error("simulated run failed: " + f.error);
  return json{{items, f.items}, {"cpu_ms", f.cpu_s * 1e3}, {"per_cpu_second", f.per_cpu_second()}, {"events", f.events}};
}

constexpr std::uint64_t kPropertySeed = 7;

// The events `multisock conform --report DIR` counted over its runs (speed.events).
std::uint64_t reported_events(const std::string& report_dir) {
  std::ifstream in(fs::path(report_dir) / "report.json");
  const json rep = json::parse(in, nullptr, false);
  if (rep.is_discarded() || !rep.contains("speed") || !rep["speed"].contains("events"))
    throw std::runtime_error("the property suite wrote no event count in " + report_dir + "/report.json");
  return rep["speed"]["events"].get<std::uint64_t>();
}

// The property suite as a user runs it (whole process; with jobs > 1, conform --jobs and its
// children): histories per CPU- and wall second. With every kind of peer, also the TLS
// handshakes its histories make: the same histories run again here, and their events
// matched against the report's, so the count is the measured suite's.
json property_rate(const BenchOptions& o, int rounds, const std::string& peers, int jobs = 1) {
  progress(o, "property suite, " + std::to_string(o.property_runs) + " histories, peers " + peers +
                  (jobs > 1 ? ", " + std::to_string(jobs) + " jobs" : ""));
  std::vector<double> cpu, wall;
  for (int r = 0; r < std::min(rounds, 3); ++r) {
    const std::string report = (fs::path(o.work_dir) / "property").string();
    std::vector<std::string> argv = {o.self, "conform", "--target", "engine-sim", "--suite", "property", "--runs",
                                     std::to_string(o.property_runs), "--seed", std::to_string(kPropertySeed),
                                     "--no-shrink", "--peers", peers, "--report", report};
    if (jobs > 1) argv.insert(argv.end(), {"--jobs", std::to_string(jobs)});
    const Finished f = run_program(argv, false, 600);
    if (f.code != 0) throw std::runtime_error("the property suite exited " + std::to_string(f.code) + ": " + f.err_tail);
    cpu.push_back(f.user_s + f.sys_s);
    wall.push_back(f.wall_s);
  }
  json out{{"histories", o.property_runs}, {"peers", peers}, {"jobs", jobs},
           {"cpu_s", median(cpu)},          {"wall_s", median(wall)},
           {"per_cpu_second", o.property_runs / median(cpu)},
           {"per_wall_second", o.property_runs / median(wall)}};
  if (peers == "all" && jobs == 1) {
    progress(o, "the property suite's histories again, their TLS handshakes counted");
    const SuiteTls tls = property_suite_tls(kPropertySeed, o.property_runs);
    if (!tls.ok) throw std::runtime_error("counting the property suite's TLS handshakes: " + tls.error);
    const std::uint64_t reported = reported_events((fs::path(o.work_dir) / "property").string());
    if (tls.events != reported)
      throw std::runtime_error("the property suite's histories run again made " + std::to_string(tls.events) +
                               " events, the suite's report " + std::to_string(reported) + ": not the same histories");
    out["tls_handshakes"] = tls.tls_handshakes;
  }
  return out;
}

json simulator(const BenchOptions& o) {
  // Twice the rounds of a real-socket figure (at most 15): a round is short, and the least
  // of more of them is less likely to have met a busy moment of the machine.
  const int rounds = std::max(1, std::min(2 * o.rounds, 15));
  json out;
  progress(o, "simulated transfers: " + std::to_string(o.sim_small) + " and " + std::to_string(o.sim_large));
  for (const SimFigure& f : sim_rotation({transfers_scenario(o.sim_small), transfers_scenario(o.sim_large)}, rounds))
    out["transfers"].push_back(sim_figure(f, "transfers"));
  progress(o, "simulated timeouts: " + std::to_string(o.sim_small / 5) + " and " + std::to_string(o.sim_large / 5));
  for (const SimFigure& f : sim_rotation({timeouts_scenario(o.sim_small / 5), timeouts_scenario(o.sim_large / 5)},
                                         rounds))
    out["timeouts"].push_back(sim_figure(f, "timeouts"));
  progress(o, "multisock replay of an hour of timeouts");
  // Beside it, in rotation, the same process that only prints its help: what starting
  // the program (its libraries, their relocations) and ending it cost, whatever it runs.
  std::vector<double> walls, cpus, start_walls;
  for (int r = 0; r < rounds; ++r) {
    const Finished f = run_program({o.self, "replay", o.hour_file}, false, 120);
    if (f.code != 0) throw std::runtime_error("multisock replay " + o.hour_file + " exited " + std::to_string(f.code));
    walls.push_back(f.wall_s);
    cpus.push_back(f.user_s + f.sys_s);
    const Finished start = run_program({o.self, "replay", "--help"}, false, 120);
    if (start.code != 0) throw std::runtime_error("multisock replay --help exited " + std::to_string(start.code));
    start_walls.push_back(start.wall_s);
  }
  out["hour"] = {{"file", fs::path(o.hour_file).filename().string()},
                 {"wall_ms_median", median(walls) * 1e3},
                 {"wall_ms_best", *std::min_element(walls.begin(), walls.end()) * 1e3},
                 {"cpu_ms_median", median(cpus) * 1e3},
                 {"process_start_wall_ms_median", median(start_walls) * 1e3}};
  // What each TLS connection of a simulated run costs at the least: the floor under the
  // property suite's rate with its HTTPS peers.
  progress(o, "TLS handshakes in memory");
  const HandshakeFigure hs = tls_handshakes(200, 3);
  if (!hs.ok) throw std::runtime_error("TLS handshakes: " + hs.error);
  out["tls_handshake"] = {{"handshakes", hs.handshakes}, {"rounds", 3}, {"cpu_us_each", hs.cpu_us_each}};
  out["property"] = property_rate(o, rounds, "all");
  out["property_http1"] = property_rate(o, rounds, "http1");
  // On every core: what a user's CI gets from conform --jobs (CPU time of all processes).
  out["property_jobs"] = property_rate(o, rounds, "all", std::max(2, static_cast<int>(std::thread::hardware_concurrency())));
  return out;
}

bool wants(const BenchOptions& o, const char* section) {
  return std::find(o.sections.begin(), o.sections.end(), section) != o.sections.end();
}

// What the implementation says of itself, asked in a worker (this process loads neither).
json implementation(const BenchOptions& o, int side) {
  return json{{"path", path_of(o, side)}, {"version", worker(o, "version", side, json::object())["version"]}};
}

}  // namespace

json run_bench(const BenchOptions& o) {
  json rep;
  rep["format"] = "multisock-bench/1";
  rep["tool"] = {{"name", "multisock"}, {"version", "0.1.0"}};
  rep["generated_at"] = utc_now();
  rep["machine"] = machine();
  rep["command"] = o.command_line;
  rep["rounds"] = o.rounds;
  rep["implementations"] = {{"engine", implementation(o, 0)}, {"library", implementation(o, 1)}};
  const bool real = wants(o, "keepalive") || wants(o, "bulk") || wants(o, "fetch");
  Nginx nginx;
  if (real) {
    std::string error;
    if (!nginx.start(fs::path(o.work_dir) / "nginx", fs::path(o.work_dir) / "www", error))
      throw std::runtime_error(error);
    rep["nginx"] = Nginx::version();
  }
  if (wants(o, "keepalive")) rep["keepalive"] = keepalive(o, nginx);
  if (wants(o, "bulk")) rep["bulk"] = bulk(o, nginx);
  if (wants(o, "fetch")) rep["fetch"] = fetch_against_curl(o, nginx);
  nginx.stop();
  if (wants(o, "tls")) rep["tls"] = tls_fetch_against_curl(o);
  if (wants(o, "memory")) rep["memory"] = memory(o);
  if (wants(o, "scaling")) rep["scaling"] = scaling(o);
  if (wants(o, "simulator")) rep["simulator"] = simulator(o);
  double load[1] = {0};
  if (getloadavg(load, 1) == 1) rep["machine"]["load_average_at_end"] = load[0];
  rep["goals"] = evaluate_goals(rep);
  return rep;
}

json run_worker(const std::string& kind, const std::string& library_path, const json& params) {
  ms::conf::Api api;
  std::string error;
  if (!ms::conf::load_library_api(library_path, "curl_", api, &error)) return json{{"error", error}};
  try {
    if (kind == "loop") {
      LoopJob job;
      job.urls = params.at("urls").get<std::vector<std::string>>();
      job.size = params.at("size").get<long long>();
      job.gets = params.at("gets").get<int>();
      job.slots = params.at("slots").get<int>();
      job.direct_zero_timers = params.value("direct", false);
      return run_loop(api, job);
    }
    if (kind == "version") return json{{"version", api.version}};
    if (kind == "memory") return idle_handle_memory(api, params.at("handles").get<int>());
    if (kind == "scaling") return call_costs(api, params.at("handles").get<int>(), params.at("samples").get<int>());
  } catch (const json::exception& e) {
    return json{{"error", std::string("bad parameters: ") + e.what()}};
  }
  return json{{"error", "unknown worker " + kind}};
}

}  // namespace ms::bench

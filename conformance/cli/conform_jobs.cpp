// SPDX-License-Identifier: MIT
// conform_jobs.cpp: see conform_jobs.hpp.
#include "cli/conform_jobs.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

extern char** environ;

namespace ms::cli {

namespace fs = std::filesystem;
namespace rep = ms::reports;
using rep::json;

namespace {

// The environment variable that makes a conform process a child of conform --jobs.
constexpr const char* kJobFolderVariable = "MULTISOCK_JOB_FOLDER";
// In a child's folder: its report folder, its output, and what it leaves for the parent.
constexpr const char* kReportFolder = "report";
constexpr const char* kOut = "stdout";
constexpr const char* kErr = "stderr";
constexpr const char* kShrunkFile = "shrunk.tsv";    // name TAB seed TAB path, a line each
constexpr const char* kReachedFile = "reached.txt";  // 0 or 1 per known entry, a line each

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The last `lines` lines of a text (a last line without its newline counts).
std::string tail(const std::string& text, int lines) {
  std::size_t at = text.size();
  if (at > 0 && text[at - 1] == '\n') --at;  // the last line's own newline
  for (int n = 0; n < lines && at > 0; ++n) {
    const std::size_t nl = text.rfind('\n', at - 1);
    if (nl == std::string::npos) return text;
    at = nl;
  }
  return at == 0 ? text : text.substr(at + 1);
}

std::string self_path() {
  std::error_code ec;
  const fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("/proc/self/exe") : p.string();
}

std::string status_text(int status) {
  if (WIFEXITED(status)) return "exit code " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("signal ") + strsignal(WTERMSIG(status));
  return "status " + std::to_string(status);
}

struct Child {
  fs::path folder;
  std::uint64_t shard_i = 0, shard_n = 1;
  pid_t pid = -1;
  int status = 0;
  bool ended = false;  // reaped (status holds how)
};

// Starts `argv` with its output in the child's folder and the job variable set; false with
// `why` when it cannot be started.
bool start(Child& c, const std::vector<std::string>& argv, std::string& why) {
  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  posix_spawn_file_actions_addopen(&files, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  const std::string out = (c.folder / kOut).string(), err = (c.folder / kErr).string();
  posix_spawn_file_actions_addopen(&files, STDOUT_FILENO, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&files, STDERR_FILENO, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<std::string> env;
  const std::string prefix = std::string(kJobFolderVariable) + "=";
  for (char** e = environ; *e; ++e)
    if (std::strncmp(*e, prefix.c_str(), prefix.size()) != 0) env.emplace_back(*e);
  env.push_back(prefix + c.folder.string());
  std::vector<char*> args, envp;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  for (const std::string& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  // This very program, even if its file was replaced or removed since it started.
  const int rc = posix_spawn(&c.pid, "/proc/self/exe", &files, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&files);
  if (rc != 0) why = std::strerror(rc);
  return rc == 0;
}

// Waits for every child; once one is killed by a signal (it writes no report, so the run
// has no verdict), the others are stopped rather than waited for.
void wait_for_all(std::vector<Child>& children) {
  const auto running = [&] {
    return std::any_of(children.begin(), children.end(), [](const Child& c) { return c.pid > 0 && !c.ended; });
  };
  bool stopping = false;
  while (running()) {
    bool reaped = false;
    for (Child& c : children) {
      if (c.pid <= 0 || c.ended) continue;
      const pid_t r = waitpid(c.pid, &c.status, WNOHANG);
      if (r != c.pid && !(r < 0 && errno == ECHILD)) continue;
      c.ended = reaped = true;
      if (WIFSIGNALED(c.status) && !stopping) {
        stopping = true;
        for (const Child& other : children)
          if (other.pid > 0 && !other.ended) ::kill(other.pid, SIGTERM);
      }
    }
    if (!reaped) ::usleep(20'000);
  }
}

// The folder of the run's children, removed with everything in it when the run ends.
class TempFolder {
 public:
  TempFolder() {
    std::error_code ec;
    fs::path base = fs::temp_directory_path(ec);
    if (ec) base = "/tmp";
    std::string name = (base / "multisock-jobs-XXXXXX").string();
    if (mkdtemp(name.data()) != nullptr) path_ = name;
  }
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;
  ~TempFolder() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Reads what a child left: its shrunk files into `shrunk`, its reached flags ORed into `reached`.
void take_left(const fs::path& folder, ShrunkFiles& shrunk, std::vector<bool>& reached) {
  std::istringstream lines(read_text(folder / kShrunkFile));
  for (std::string line; std::getline(lines, line);) {
    const auto a = line.find('\t'), b = a == std::string::npos ? a : line.find('\t', a + 1);
    if (b == std::string::npos) continue;
    shrunk[{line.substr(0, a), std::strtoull(line.substr(a + 1, b - a - 1).c_str(), nullptr, 10)}] = line.substr(b + 1);
  }
  std::istringstream flags(read_text(folder / kReachedFile));
  std::size_t i = 0;
  for (std::string line; std::getline(flags, line) && i < reached.size(); ++i)
    if (line == "1") reached[i] = true;
}

}  // namespace

std::optional<std::string> job_folder() {
  const char* f = std::getenv(kJobFolderVariable);
  if (f == nullptr || *f == '\0') return std::nullopt;
  return std::string(f);
}

std::vector<std::string> job_words(const std::vector<std::string>& words, std::uint64_t shard_i,
                                   std::uint64_t shard_n, const std::string& report_dir) {
  std::vector<std::string> out;
  for (std::size_t k = 0; k < words.size(); ++k) {
    const std::string& w = words[k];
    bool dropped = false;
    for (const char* name : {"--jobs", "--shard", "--report"}) {
      const std::string n = name;
      if (w == n) {
        ++k;  // and its value
        dropped = true;
      } else if (w.rfind(n + "=", 0) == 0) {
        dropped = true;
      }
      if (dropped) break;
    }
    if (!dropped) out.push_back(w);
  }
  out.push_back("--shard");
  out.push_back(std::to_string(shard_i) + "/" + std::to_string(shard_n));
  out.push_back("--report");
  out.push_back(report_dir);
  return out;
}

void leave_for_parent(const std::string& folder, const ShrunkFiles& shrunk, const std::vector<bool>& reached) {
  std::ofstream s(fs::path(folder) / kShrunkFile);
  for (const auto& [key, path] : shrunk) s << key.first << '\t' << key.second << '\t' << path << '\n';
  std::ofstream r(fs::path(folder) / kReachedFile);
  for (bool b : reached) r << (b ? "1\n" : "0\n");
}

std::optional<json> run_jobs(ConformOptions& o, const std::vector<std::string>& words, ShrunkFiles& shrunk) {
  const auto wall_start = std::chrono::steady_clock::now();
  TempFolder temp;
  if (temp.path().empty()) {
    std::fprintf(stderr, "multisock: --jobs: cannot make a temporary folder: %s\n", std::strerror(errno));
    return std::nullopt;
  }
  const std::string self = self_path();
  const auto n = static_cast<std::uint64_t>(o.jobs);
  std::vector<Child> children(n);
  bool started = true;
  for (std::uint64_t j = 0; j < n && started; ++j) {
    Child& c = children[j];
    c.folder = temp.path() / std::to_string(j);
    c.shard_i = static_cast<std::uint64_t>(o.shard_i) + static_cast<std::uint64_t>(o.shard_n) * j;
    c.shard_n = static_cast<std::uint64_t>(o.shard_n) * n;
    std::error_code ec;
    fs::create_directory(c.folder, ec);
    std::vector<std::string> argv = {self, "conform"};
    for (std::string& w : job_words(words, c.shard_i, c.shard_n, (c.folder / kReportFolder).string()))
      argv.push_back(std::move(w));
    std::string why;
    if (ec || !start(c, argv, why)) {
      std::fprintf(stderr, "multisock: --jobs: cannot start job %llu: %s\n", static_cast<unsigned long long>(j),
                   ec ? ec.message().c_str() : why.c_str());
      started = false;
    }
  }
  if (!started)
    for (const Child& c : children)
      if (c.pid > 0) ::kill(c.pid, SIGTERM);
  wait_for_all(children);
  if (!started) return std::nullopt;

  // What the children said on stderr (shrinking, warnings), in shard order.
  for (const Child& c : children) {
    const std::string err = read_text(c.folder / kErr);
    std::fwrite(err.data(), 1, err.size(), stderr);
  }
  std::vector<json> reports;
  std::vector<std::string> names;
  bool all = true;
  for (std::size_t j = 0; j < children.size(); ++j) {
    const Child& c = children[j];
    const fs::path file = c.folder / kReportFolder / "report.json";
    const std::string what = "job " + std::to_string(j) + " (--shard " + std::to_string(c.shard_i) + "/" +
                             std::to_string(c.shard_n) + ", " + status_text(c.status) + ")";
    try {
      if (!fs::exists(file)) throw rep::ReportError("it wrote no report");
      reports.push_back(rep::load(file));
      names.push_back(what);
    } catch (const std::exception& e) {
      all = false;
      const std::string out = tail(read_text(c.folder / kOut), 20);
      std::fprintf(stderr, "multisock: --jobs: %s: %s%s%s\n", what.c_str(), e.what(), out.empty() ? "" : "; its last output:\n",
                   out.c_str());
    }
  }
  if (!all) return std::nullopt;
  json merged;
  try {
    merged = rep::merge(reports, names);
  } catch (const rep::ReportError& e) {
    std::fprintf(stderr, "multisock: --jobs: %s\n", e.what());
    return std::nullopt;
  }
  // One run of the user's shard, as long as its children took.
  merged["shard"] = {{"index", o.shard_i}, {"count", o.shard_n}};
  merged["speed"]["wall_seconds"] =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();

  std::vector<bool> reached(o.contract.known ? o.contract.known->entries.size() : 0, false);
  for (const Child& c : children) take_left(c.folder, shrunk, reached);
  if (o.contract.known) {
    const json& entries = merged["known"]["entries"];
    for (std::size_t i = 0; i < o.contract.known->entries.size() && i < entries.size(); ++i) {
      o.contract.known->entries[i].matched = entries[i]["matched"].get<std::size_t>();
      o.contract.known->entries[i].reached = reached[i];
    }
  }
  return merged;
}

}  // namespace ms::cli

// SPDX-License-Identifier: MIT
// run_app.cpp: a recorded program against a scenario's peers (app_run.hpp).
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string_view>
#include <sstream>
#include <thread>

#include "conformance/app_run.hpp"
#include "real_peers.hpp"
#include "simnet/real_peer_host.hpp"

namespace ms::conf {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::int64_t monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// The recorded text up to the first NUL (the rest of the recorder's mapping, when the
// program did not end normally), complete lines only.
std::string read_recorded(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (const auto nul = text.find('\0'); nul != std::string::npos) text.resize(nul);
  if (const auto nl = text.rfind('\n'); nl != std::string::npos) text.resize(nl + 1);
  else text.clear();
  return text;
}

// DONE messages the program has read so far (info_read events that name a handle),
// counted as the recorder writes them: each look reads only what was added since the last
// (a busy program writes megabytes a second).
class DoneCounter {
 public:
  explicit DoneCounter(const std::string& path) : path_(path) {}
  std::size_t count() {
    if (fd_ < 0) fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) return 0;
    char buf[1 << 16];
    for (;;) {
      const ssize_t n = ::pread(fd_, buf, sizeof buf, static_cast<off_t>(offset_));
      if (n <= 0) break;
      const std::size_t used = take(std::string_view(buf, static_cast<std::size_t>(n)));
      offset_ += used;
      if (used < static_cast<std::size_t>(n)) break;  // a NUL: the recorder's unwritten tail
    }
    return done_;
  }
  ~DoneCounter() {
    if (fd_ >= 0) ::close(fd_);
  }

 private:
  // Complete lines into the count; returns the bytes consumed (up to a NUL, if any).
  std::size_t take(std::string_view chunk) {
    const std::size_t nul = chunk.find('\0');
    if (nul != std::string_view::npos) chunk = chunk.substr(0, nul);
    for (char c : chunk) {
      if (c != '\n') {
        if (line_.size() < 256) line_ += c;  // the kind and the easy id come first
        continue;
      }
      if (line_.rfind("{\"kind\":\"info_read\"", 0) == 0 && line_.find("\"easy\":") != std::string::npos) ++done_;
      line_.clear();
    }
    return chunk.size();
  }
  std::string path_, line_;
  int fd_ = -1;
  std::size_t offset_ = 0, done_ = 0;
};

// The last `lines` lines of a file.
std::string tail_of(const std::string& path, std::size_t lines) {
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::size_t start = text.size();
  if (start > 0 && text[start - 1] == '\n') --start;  // the last line's own newline
  for (std::size_t n = 0; n < lines && start > 0; ++n) {
    const std::size_t nl = text.rfind('\n', start - 1);
    start = nl == std::string::npos ? 0 : nl;
    if (nl == std::string::npos) break;
  }
  return text.substr(start == 0 ? 0 : start + 1);
}

// The recorder's clock at its start ("record pid N monotonic T" note): the harness's own
// moments are put on the trace's time line with it.
std::int64_t recorder_origin(const Trace& t) {
  for (const Event& e : t.events) {
    if (e.kind != EventKind::note) continue;
    const auto at = e.text.find(" monotonic ");
    if (e.text.rfind("record ", 0) == 0 && at != std::string::npos)
      return std::strtoll(e.text.c_str() + at + 11, nullptr, 10);
  }
  return -1;
}

struct Child {
  pid_t pid = -1;
  int stdin_fd = -1;
};

Child launch(const AppSpec& app, const std::vector<std::string>& argv, const std::string& work,
             const std::string& folder, const std::string& trace_path) {
  int in_pipe[2] = {-1, -1};
  if (app.feed == AppSpec::Feed::stdin_lines && ::pipe2(in_pipe, O_CLOEXEC) != 0) return {};
  std::string preload = app.recorder;
  if (!app.library.empty()) preload += ":" + app.library;
  if (const char* old = std::getenv("LD_PRELOAD"); old && *old) preload += std::string(":") + old;
  const std::string out = folder + "/stdout", err = folder + "/stderr";
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);
    const int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int i = in_pipe[0] >= 0 ? in_pipe[0] : ::open("/dev/null", O_RDONLY);
    if (o < 0 || e < 0 || i < 0 || ::dup2(i, 0) < 0 || ::dup2(o, 1) < 0 || ::dup2(e, 2) < 0) ::_exit(126);
    if (::chdir(work.c_str()) != 0) ::_exit(126);
    ::setenv("LD_PRELOAD", preload.c_str(), 1);
    ::setenv("MULTISOCK_RECORD", trace_path.c_str(), 1);
    ::execvp(args[0], args.data());
    const std::string msg = std::string("multisock: cannot run ") + args[0] + ": " + std::strerror(errno) + "\n";
    (void)!::write(2, msg.data(), msg.size());
    ::_exit(127);
  }
  if (in_pipe[0] >= 0) ::close(in_pipe[0]);
  return Child{pid, in_pipe[1]};
}

std::string url_lines(const std::vector<std::string>& urls) {
  std::string s;
  for (const std::string& u : urls) s += u + "\n";
  return s;
}

void write_all(int fd, const std::string& s) {
  for (std::size_t at = 0; at < s.size();) {
    const ssize_t n = ::write(fd, s.data() + at, s.size() - at);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    at += static_cast<std::size_t>(n);
  }
}

// Opens the program's FIFO for writing once it exists and has a reader; -1 until then.
int open_fifo(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISFIFO(st.st_mode)) return -1;
  const int fd = ::open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return -1;  // ENXIO: no reader yet
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  return fd;
}

// Waits for the program; stops it when every URL was read DONE (after app.settle) or at
// the limit. Returns the moment it was stopped (CLOCK_MONOTONIC), or -1 if it ended alone.
std::int64_t supervise(const AppSpec& app, Child& child, const std::string& fifo_path,
                       const std::string& trace_path, std::size_t urls, const std::string& lines,
                       AppRun& out, std::string& why) {
  const auto start = Clock::now();
  int fifo_fd = -1;
  DoneCounter done(trace_path);
  std::optional<Clock::time_point> all_done;
  int status = 0;
  for (;;) {
    const pid_t r = ::waitpid(child.pid, &status, WNOHANG);
    if (r == child.pid) break;
    if (app.feed == AppSpec::Feed::fifo && fifo_fd < 0 && (fifo_fd = open_fifo(fifo_path)) >= 0)
      write_all(fifo_fd, lines);  // kept open until the end: EOF would end some programs early
    if (!all_done && done.count() >= urls) all_done = Clock::now();
    const auto now = Clock::now();
    const bool settled = all_done && now - *all_done >= app.settle;
    if (settled || now - start >= app.limit) {
      why = settled ? "stopped by the harness after every URL was read DONE"
                    : "stopped by the harness at the time limit (" +
                          std::to_string(app.limit.count() / 1000) + " s)";
      const std::int64_t stopped_at = monotonic_ns();
      ::kill(-child.pid, SIGTERM);
      const auto term = Clock::now();
      while (::waitpid(child.pid, &status, WNOHANG) == 0) {
        if (Clock::now() - term > std::chrono::seconds(2)) {
          ::kill(-child.pid, SIGKILL);
          ::waitpid(child.pid, &status, 0);
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      if (fifo_fd >= 0) ::close(fifo_fd);
      out.stopped = true;
      return stopped_at;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (fifo_fd >= 0) ::close(fifo_fd);
  if (WIFEXITED(status)) {
    out.exit_status = WEXITSTATUS(status);
    why = "the program exited with status " + std::to_string(out.exit_status);
  } else if (WIFSIGNALED(status)) {
    out.signal = WTERMSIG(status);
    why = "the program was killed by signal " + std::to_string(out.signal);
  }
  return -1;
}

}  // namespace

bool split_command(const std::string& text, std::vector<std::string>& out, std::string& error) {
  out.clear();
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quote) {
      if (c == quote) quote = 0;
      else if (c == '\\' && quote == '"' && i + 1 < text.size()) word += text[++i];
      else word += c;
    } else if (c == '"' || c == '\'') {
      quote = c;
      in_word = true;
    } else if (c == '\\' && i + 1 < text.size()) {
      word += text[++i];
      in_word = true;
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) out.push_back(word);
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (quote) {
    error = std::string("the command has an unclosed ") + quote + " quote";
    return false;
  }
  if (in_word) out.push_back(word);
  if (out.empty()) {
    error = "the command is empty";
    return false;
  }
  return true;
}

std::vector<std::string> expand_command(const std::vector<std::string>& words,
                                        const std::vector<std::string>& urls) {
  std::vector<std::string> out;
  for (const std::string& w : words) {
    if (w == "{urls}") {
      out.insert(out.end(), urls.begin(), urls.end());
      continue;
    }
    std::string s = w;
    for (std::size_t at; (at = s.find("{url}")) != std::string::npos;)
      s.replace(at, 5, urls.empty() ? "" : urls.front());
    out.push_back(s);
  }
  return out;
}

AppRun run_app(const Scenario& sc, const AppSpec& app, std::optional<Edition> edition,
               const AppCheckOptions& options, bool keep_folder) {
  AppRun out;
  ScenarioRun& run = out.run;
  run.name = app.name;
  run.file = sc.file;
  run.seed = sc.seed;
  run.outcome = Outcome::error;

  posix::RealPeerHost host;
  PeerMap peers(host);
  std::string error;
  if (!peers.start(sc, error)) {
    run.message = error;
    return out;
  }
  for (const ClientStep& step : sc.client) {
    if (step.kind != StepKind::add) continue;
    TransferSpec t = step.transfer;
    if (!map_transfer(sc, peers, t, error)) {
      run.message = error;
      return out;
    }
    if (!t.resolve.empty()) {
      run.message = sc.file + ":" + std::to_string(step.line) + ": transfer " + t.id +
                    " names a host by name; a program is given URLs only, so use numeric loopback hosts";
      return out;
    }
    out.urls.push_back(t.url);
  }

  char tmpl[] = "/tmp/multisock-app-XXXXXX";
  if (!::mkdtemp(tmpl)) {
    run.message = std::string("cannot make a temporary folder: ") + std::strerror(errno);
    return out;
  }
  out.folder = tmpl;
  const std::string work = out.folder + "/work", trace_path = out.folder + "/trace.jsonl";
  fs::create_directory(work);

  std::vector<std::string> argv =
      app.feed == AppSpec::Feed::args ? expand_command(app.command, out.urls) : app.command;
  // The program runs in its own folder: a relative path the user gave (the program, a
  // script) is made absolute while it still names something from here.
  for (std::string& w : argv) {
    std::error_code ec;
    if (w.find('/') != std::string::npos && w.front() != '/' && fs::exists(w, ec)) w = fs::absolute(w).string();
  }
  // Forked while this process has one thread (the peers' comes next): the child sets its
  // environment before exec. The peers already listen: early connects wait in the backlog.
  Child child = launch(app, argv, work, out.folder, trace_path);
  std::atomic<bool> stop{false};
  std::thread peers_thread([&] {
    while (!stop.load()) host.run_for(std::chrono::milliseconds(5));
  });
  std::string why;
  std::int64_t stopped_at = -1;
  if (child.pid < 0) {
    why = std::string("cannot start the program: ") + std::strerror(errno);
  } else {
    if (child.stdin_fd >= 0) {
      write_all(child.stdin_fd, url_lines(out.urls));
      ::close(child.stdin_fd);
    }
    stopped_at = supervise(app, child, work + "/" + app.fifo, trace_path, out.urls.size(),
                           url_lines(out.urls), out, why);
  }
  stop = true;
  peers_thread.join();
  out.stdout_tail = tail_of(out.folder + "/stdout", 20);
  out.stderr_tail = tail_of(out.folder + "/stderr", 20);

  const std::string text = read_recorded(trace_path);
  if (!Trace::from_jsonl(text, run.trace, &error)) {
    run.message = "the recorded trace cannot be read: " + error;
  } else if (run.trace.events.empty()) {
    run.message = "nothing was recorded (" + why + "): the program made no curl_multi call "
                  "through the recorder" + (out.stderr_tail.empty() ? "" : "; stderr: " + out.stderr_tail);
  } else {
    Event end;
    end.kind = EventKind::note;
    end.text = "end: " + why;
    const std::int64_t origin = recorder_origin(run.trace);
    end.time_ns = stopped_at >= 0 && origin >= 0 ? stopped_at - origin : run.trace.events.back().time_ns;
    run.trace.events.push_back(end);
    for (const Event& e : run.trace.events) {
      if (e.kind == EventKind::info_read && e.easy) ++out.done_read, out.done_ok += e.code == 0;
      if (e.kind == EventKind::note && e.text.rfind("library ", 0) == 0 && out.library_version.empty())
        out.library_version = e.text.substr(8);
    }
    const ImplementationVersion used = parse_implementation_version(out.library_version);
    out.edition = edition.value_or(edition_for(used.implementation, used.version));
    out.check = check_application(run.trace, out.edition, options);
    run.violations = out.check.violations;
    run.clause_results = out.check.results;
    run.trace_hash = run.trace.hash();
    run.trace_length = run.trace.events.size();
    run.outcome = run.violations.empty() ? Outcome::pass : Outcome::fail;
    if (out.signal != 0 && !out.stopped) {
      run.outcome = Outcome::crash;
      run.signal = out.signal;
    }
    run.message = std::to_string(out.urls.size()) + " URLs, " + std::to_string(out.done_read) +
                  " DONE read (" + std::to_string(out.done_ok) + " OK); " + why +
                  (out.check.waits_observed ? "" : "; its waits were not observed");
  }
  if (!keep_folder) {
    std::error_code ec;
    fs::remove_all(out.folder, ec);
  }
  return out;
}

}  // namespace ms::conf

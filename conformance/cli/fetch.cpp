// SPDX-License-Identifier: MIT
// fetch.cpp: `multisock fetch URL...`: a small parallel downloader on the engine over
// real sockets, driven by an epoll loop in the shape of the seeds' typical usage. It is the
// engine's main job done by hand: try it against a local nginx.
//
// How it keeps what is on disk honest:
// - A body is written to a temporary `.NAME.part-PID-N` beside its final name, opened at
//   the first byte worth keeping, closed when its transfer ends, and renamed to NAME only
//   when the transfer succeeded (no fsync: a crash of the machine is not guarded against,
//   a killed or failing run is). A failed transfer's temporary is removed, and so are those
//   of the running transfers when SIGINT, SIGTERM or SIGHUP stops the run.
// - At most --parallel transfers run at once, so the descriptors in use stay within the
//   open-file limit whatever the number of URLs: each running transfer holds up to two
//   sockets while it connects, a resolver descriptor and its file, and the connection pool
//   keeps at most one idle connection per running slot.
// - Two URLs that would be saved under one name are refused before anything starts.
// - Only a 2xx answer is a success; the body of any other answer is not kept.
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cli/apps.hpp"
#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "multisock/multisock.h"

namespace fs = std::filesystem;

namespace ms::cli {
namespace {

// Bounds of the numeric options are in options.hpp (kFetchValueMax: 2^31-1, the engine's
// own cap on timeouts in ms; kFetchParallelMax).
constexpr long kParallelDefault = 50;
// Descriptors a running transfer may hold: two sockets while connecting to both address
// families, the resolver's eventfd and its file; plus one idle pooled connection per slot.
constexpr long kDescriptorsPerTransfer = 5;
// Descriptors beyond the transfers': standard streams, epoll, signalfd, a CA file being read.
constexpr long kDescriptorsReserved = 32;

// How many transfers the open-file limit leaves room for (at least 1); nullopt: no limit.
std::optional<long> parallel_room() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur == RLIM_INFINITY) return std::nullopt;
  const long cur = static_cast<long>(std::min<rlim_t>(lim.rlim_cur, rlim_t{1} << 20));
  return std::max((cur - kDescriptorsReserved) / kDescriptorsPerTransfer, 1L);
}

struct Loop {
  int epfd = -1;
  std::optional<std::chrono::steady_clock::time_point> deadline;
};

int on_socket(ms_easy*, ms_socket_t s, int what, void* userp, void*) {
  auto* loop = static_cast<Loop*>(userp);
  if (what == MS_POLL_REMOVE) {
    epoll_ctl(loop->epfd, EPOLL_CTL_DEL, s, nullptr);
    return 0;
  }
  epoll_event ev{};
  ev.data.fd = s;
  ev.events = (what & MS_POLL_IN ? EPOLLIN : 0u) | (what & MS_POLL_OUT ? EPOLLOUT : 0u);
  if (epoll_ctl(loop->epfd, EPOLL_CTL_MOD, s, &ev) != 0)
    epoll_ctl(loop->epfd, EPOLL_CTL_ADD, s, &ev);
  return 0;
}

int on_timer(ms_multi*, long timeout_ms, void* userp) {
  auto* loop = static_cast<Loop*>(userp);
  if (timeout_ms < 0)
    loop->deadline.reset();
  else
    loop->deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  return 0;
}

struct Job {
  std::string url;
  std::string path;       // the final name under -o; empty: stdout
  std::string part_path;  // the temporary name while the body is being written
  int fd = -1;            // open on part_path (or STDOUT_FILENO) once the body starts
  ms_easy* easy = nullptr;
  char error[MS_ERROR_SIZE] = {};
  std::string write_error;  // why the body could not be kept, with the system's reason
  long long body_bytes = 0;
  std::chrono::steady_clock::time_point start;
};

bool success_code(long code) { return code >= 200 && code < 300; }

std::string file_name_for(const std::string& url, std::size_t index) {
  std::string tail = url;
  if (auto q = tail.find_first_of("?#"); q != std::string::npos) tail.resize(q);
  if (auto slash = tail.rfind('/'); slash != std::string::npos) tail = tail.substr(slash + 1);
  if (tail.empty() || tail == "." || tail == "..") tail = "index-" + std::to_string(index);
  return tail;
}

std::string part_path_for(const fs::path& dir, const std::string& name, std::size_t index) {
  // The name is cut so that the temporary fits NAME_MAX (255) even for a 255-byte name;
  // the pid and index keep it unique.
  return (dir / ("." + name.substr(0, 200) + ".part-" + std::to_string(getpid()) + "-" +
                 std::to_string(index)))
      .string();
}

bool open_output(Job& j) {
  if (j.fd >= 0) return true;
  if (j.path.empty()) {
    j.fd = STDOUT_FILENO;
    return true;
  }
  j.fd = ::open(j.part_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (j.fd < 0) {
    j.write_error = "cannot create " + j.part_path + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

bool write_all(Job& j, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(j.fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const char* where = j.path.empty() ? "standard output" : j.part_path.c_str();
      j.write_error = std::string("cannot write ") + where + ": " + std::strerror(errno);
      return false;
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

size_t on_body(char* data, size_t size, size_t nmemb, void* userp) {
  Job& j = *static_cast<Job*>(userp);
  const std::size_t bytes = size * nmemb;
  j.body_bytes += static_cast<long long>(bytes);
  long code = 0;
  ms_easy_getinfo(j.easy, MSINFO_RESPONSE_CODE, &code);
  if (!success_code(code)) return bytes;  // an error page is not the file asked for
  if (!open_output(j) || !write_all(j, data, bytes)) return 0;  // the engine ends it: write error
  return bytes;
}

// Ends a job's output: on success the temporary becomes the final name; otherwise it is
// removed. Returns false (with write_error set) when the body could not be kept.
bool settle_output(Job& j, bool success) {
  if (j.path.empty()) return success;
  if (success && j.fd < 0) success = open_output(j);  // an empty body is still a file
  if (j.fd >= 0) {
    if (::close(j.fd) != 0 && success) {
      j.write_error = "cannot write " + j.part_path + ": " + std::strerror(errno);
      success = false;
    }
    j.fd = -1;
    if (success && ::rename(j.part_path.c_str(), j.path.c_str()) != 0) {
      j.write_error = "cannot rename " + j.part_path + " to " + j.path + ": " + std::strerror(errno);
      success = false;
    }
    if (!success) ::unlink(j.part_path.c_str());
  }
  return success;
}

bool start_job(Job& j, ms_multi* multi, const std::optional<std::string>& cacert, long timeout_ms,
               long connect_timeout_ms, long max_redirs) {
  j.easy = ms_easy_init();
  if (!j.easy) return false;
  ms_easy_setopt(j.easy, MSOPT_URL, j.url.c_str());
  ms_easy_setopt(j.easy, MSOPT_WRITEFUNCTION, &on_body);
  ms_easy_setopt(j.easy, MSOPT_WRITEDATA, &j);
  ms_easy_setopt(j.easy, MSOPT_ERRORBUFFER, j.error);
  ms_easy_setopt(j.easy, MSOPT_FOLLOWLOCATION, 1L);
  ms_easy_setopt(j.easy, MSOPT_MAXREDIRS, max_redirs);
  if (timeout_ms > 0) ms_easy_setopt(j.easy, MSOPT_TIMEOUT_MS, timeout_ms);
  ms_easy_setopt(j.easy, MSOPT_CONNECTTIMEOUT_MS, connect_timeout_ms);
  if (cacert) ms_easy_setopt(j.easy, MSOPT_CAINFO, cacert->c_str());
  j.start = std::chrono::steady_clock::now();
  return ms_multi_add_handle(multi, j.easy) == MSM_OK;
}

}  // namespace

int cmd_fetch(Args& args) {
  if (args.help()) {
    std::cout << command_help("fetch");
    return 0;
  }
  FetchOptions options;
  if (const std::string problem = read_fetch_options(args, options); !problem.empty()) return usage_error(problem);
  const std::optional<std::string>& dir = options.dir;
  const long timeout_ms = options.timeout_ms;
  const long connect_timeout_ms = options.connect_timeout_ms;
  const long max_redirs = options.max_redirs;
  long parallel = options.parallel;
  const std::optional<std::string>& cacert = options.cacert;
  const bool quiet = options.quiet;
  const std::vector<std::string>& urls = options.urls;
  if (!dir && parallel > 1)
    return usage_error("--parallel needs -o DIR (bodies on stdout come one after the other)");
  if (!dir) parallel = 1;
  const auto room = parallel_room();
  if (parallel == 0) parallel = std::min(room.value_or(kParallelDefault), kParallelDefault);
  if (room && std::min(parallel, static_cast<long>(urls.size())) > *room)
    std::fprintf(stderr,
                 "multisock: note: --parallel %ld is more than the open-file limit leaves room for "
                 "(%ld transfers at %ld descriptors each): some may fail for want of one\n",
                 parallel, *room, kDescriptorsPerTransfer);

  std::vector<Job> jobs(urls.size());
  for (std::size_t i = 0; i < urls.size(); ++i) jobs[i].url = urls[i];
  if (dir) {
    // Two bodies in one file would interleave: refuse before any byte moves.
    std::map<std::string, std::size_t> first_with_name;
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      const std::string name = file_name_for(jobs[i].url, i);
      auto [it, fresh] = first_with_name.emplace(name, i);
      if (!fresh)
        return usage_error(jobs[it->second].url + " and " + jobs[i].url + " would both be saved as " +
                           (fs::path(*dir) / name).string() +
                           " (fetch them in separate runs or into separate folders)");
      jobs[i].path = (fs::path(*dir) / name).string();
      jobs[i].part_path = part_path_for(*dir, name, i);
    }
    std::error_code ec;
    fs::create_directories(*dir, ec);
    if (ec) return usage_error("cannot create " + *dir + ": " + ec.message());
  }

  // The stop signals are read from a signalfd in the loop, so that the temporaries of the
  // running transfers can be removed before the process ends. Blocked before the engine
  // starts resolver threads, which inherit the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  for (int s : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&stop_signals, s);
  sigset_t old_mask;
  sigprocmask(SIG_BLOCK, &stop_signals, &old_mask);
  const int sigfd = signalfd(-1, &stop_signals, SFD_CLOEXEC | SFD_NONBLOCK);

  Loop loop;
  loop.epfd = epoll_create1(EPOLL_CLOEXEC);
  ms_multi* multi = ms_multi_init();
  epoll_event sig_ev{};
  sig_ev.events = EPOLLIN;
  sig_ev.data.fd = sigfd;
  if (sigfd < 0 || loop.epfd < 0 || !multi || epoll_ctl(loop.epfd, EPOLL_CTL_ADD, sigfd, &sig_ev) != 0) {
    std::fprintf(stderr, "multisock: cannot create the event loop: %s\n", std::strerror(errno));
    return 3;
  }
  ms_multi_setopt(multi, MSMOPT_SOCKETFUNCTION, &on_socket);
  ms_multi_setopt(multi, MSMOPT_SOCKETDATA, &loop);
  ms_multi_setopt(multi, MSMOPT_TIMERFUNCTION, &on_timer);
  ms_multi_setopt(multi, MSMOPT_TIMERDATA, &loop);
  ms_multi_setopt(multi, MSMOPT_MAXCONNECTS, parallel);

  std::map<ms_easy*, Job*> by_easy;
  std::size_t next = 0;
  auto start_more = [&]() -> bool {
    while (by_easy.size() < static_cast<std::size_t>(parallel) && next < jobs.size()) {
      Job& j = jobs[next++];
      if (!start_job(j, multi, cacert, timeout_ms, connect_timeout_ms, max_redirs)) return false;
      by_easy[j.easy] = &j;
    }
    return true;
  };

  const bool progress = !quiet && isatty(STDERR_FILENO);
  int running = 0;
  int failures = 0;
  std::size_t finished = 0;
  int stop_signal = 0;
  bool started = start_more();
  ms_multi_socket_action(multi, MS_SOCKET_TIMEOUT, 0, &running);
  epoll_event events[64];
  while (started && !stop_signal) {
    int msgs = 0;
    while (MSMsg* m = ms_multi_info_read(multi, &msgs)) {
      if (m->msg != MSMSG_DONE) continue;
      ms_easy* easy = m->easy_handle;
      const MSEcode result = m->data.result;
      Job* j = by_easy[easy];
      by_easy.erase(easy);
      long code = 0;
      ms_easy_getinfo(easy, MSINFO_RESPONSE_CODE, &code);
      const double secs =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - j->start).count();
      ms_multi_remove_handle(multi, easy);
      ms_easy_cleanup(easy);
      j->easy = nullptr;
      const bool ok = settle_output(*j, result == MSE_OK && success_code(code));
      failures += !ok;
      ++finished;
      // Say what went wrong in the transfer's own words: our file error, the engine's
      // detail, or the HTTP answer that is not a success.
      const char* summary = ms_easy_strerror(result);
      std::string detail = j->write_error.empty() ? j->error : j->write_error;
      if (result == MSE_OK && !success_code(code)) {
        summary = ms_easy_strerror(MSE_HTTP_RETURNED_ERROR);
        if (code >= 300 && code < 400 && detail.empty()) detail = "a redirect without a usable Location";
      }
      if (progress) std::fprintf(stderr, "\r\033[K");
      std::fprintf(stderr, "%s %s: %s, HTTP %ld, %lld bytes, %.3f s%s%s\n", ok ? "ok  " : "FAIL",
                   j->url.c_str(), summary, code, j->body_bytes, secs, detail.empty() ? "" : ": ",
                   detail.c_str());
    }
    if (by_easy.empty() && next == jobs.size()) break;
    if (!start_more()) {
      started = false;
      break;
    }
    if (progress) std::fprintf(stderr, "\r\033[K%zu/%zu done", finished, jobs.size());
    int wait_ms = -1;
    if (loop.deadline) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          *loop.deadline - std::chrono::steady_clock::now());
      wait_ms = left.count() < 0 ? 0 : static_cast<int>(left.count()) + 1;
    }
    const int n = epoll_wait(loop.epfd, events, 64, wait_ms);
    if (n <= 0) {
      loop.deadline.reset();
      ms_multi_socket_action(multi, MS_SOCKET_TIMEOUT, 0, &running);
      continue;
    }
    for (int k = 0; k < n; ++k) {
      if (events[k].data.fd == sigfd) {
        signalfd_siginfo info{};
        if (::read(sigfd, &info, sizeof info) == static_cast<ssize_t>(sizeof info))
          stop_signal = static_cast<int>(info.ssi_signo);
        continue;
      }
      int mask = 0;
      if (events[k].events & EPOLLIN) mask |= MS_CSELECT_IN;
      if (events[k].events & EPOLLOUT) mask |= MS_CSELECT_OUT;
      if (events[k].events & (EPOLLERR | EPOLLHUP)) mask |= MS_CSELECT_ERR;
      ms_multi_socket_action(multi, events[k].data.fd, mask, &running);
    }
    if (loop.deadline && *loop.deadline <= std::chrono::steady_clock::now()) {
      loop.deadline.reset();
      ms_multi_socket_action(multi, MS_SOCKET_TIMEOUT, 0, &running);
    }
  }
  if (progress) std::fprintf(stderr, "\r\033[K");
  // Whatever is still running is abandoned: its temporary goes, no final name is made.
  const std::size_t unfinished = by_easy.size() + (jobs.size() - next);
  for (auto& [easy, j] : by_easy) {
    ms_multi_remove_handle(multi, easy);
    ms_easy_cleanup(easy);
    settle_output(*j, false);
  }
  ms_multi_cleanup(multi);
  close(loop.epfd);
  close(sigfd);
  if (!started) {
    std::fprintf(stderr, "multisock: cannot start a transfer (out of memory)\n");
    return 3;
  }
  if (stop_signal) {
    std::fprintf(stderr, "multisock: stopped by %s: %zu transfers done, %zu not (no file kept of those)\n",
                 strsignal(stop_signal), finished, unfinished);
    // End by the signal itself, so that the caller sees how the run ended.
    std::signal(stop_signal, SIG_DFL);
    sigprocmask(SIG_SETMASK, &old_mask, nullptr);
    raise(stop_signal);
    return 128 + stop_signal;
  }
  sigprocmask(SIG_SETMASK, &old_mask, nullptr);
  std::fprintf(stderr, "%zu transfers, %d failed\n", jobs.size(), failures);
  return failures ? 1 : 0;
}

}  // namespace ms::cli

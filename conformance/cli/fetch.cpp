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
  ms_multi* multi = nullptr;
  int epfd = -1;
  std::optional<std::chrono::steady_clock::time_point> deadline;
};

// A socket in the epoll set carries the loop as its socketp (ms_multi_assign), which the
// engine forgets at REMOVE: so each change is one epoll_ctl, ADD or MOD, never a failed try.
int on_socket(ms_easy*, ms_socket_t s, int what, void* userp, void* socketp) {
  auto* loop = static_cast<Loop*>(userp);
  if (what == MS_POLL_REMOVE) {
    epoll_ctl(loop->epfd, EPOLL_CTL_DEL, s, nullptr);
    return 0;
  }
  epoll_event ev{};
  ev.data.fd = s;
  ev.events = (what & MS_POLL_IN ? EPOLLIN : 0u) | (what & MS_POLL_OUT ? EPOLLOUT : 0u);
  if (socketp) {
    epoll_ctl(loop->epfd, EPOLL_CTL_MOD, s, &ev);
  } else {
    epoll_ctl(loop->epfd, EPOLL_CTL_ADD, s, &ev);
    ms_multi_assign(loop->multi, s, loop);
  }
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
  static const pid_t pid = getpid();  // one process: asked once, not per file
  return (dir / ("." + name.substr(0, 200) + ".part-" + std::to_string(pid) + "-" +
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

bool start_job(Job& j, ms_multi* multi, const FetchOptions& o, bool pipewait) {
  j.easy = ms_easy_init();
  if (!j.easy) return false;
  ms_easy_setopt(j.easy, MSOPT_URL, j.url.c_str());
  ms_easy_setopt(j.easy, MSOPT_WRITEFUNCTION, &on_body);
  ms_easy_setopt(j.easy, MSOPT_WRITEDATA, &j);
  ms_easy_setopt(j.easy, MSOPT_ERRORBUFFER, j.error);
  ms_easy_setopt(j.easy, MSOPT_FOLLOWLOCATION, 1L);
  ms_easy_setopt(j.easy, MSOPT_MAXREDIRS, o.max_redirs);
  if (o.timeout_ms > 0) ms_easy_setopt(j.easy, MSOPT_TIMEOUT_MS, o.timeout_ms);
  ms_easy_setopt(j.easy, MSOPT_CONNECTTIMEOUT_MS, o.connect_timeout_ms);
  if (o.cacert) ms_easy_setopt(j.easy, MSOPT_CAINFO, o.cacert->c_str());
  ms_easy_setopt(j.easy, MSOPT_HTTP_VERSION, o.http_version);
  // Parallel transfers to one server wait for its first connection when it may multiplex,
  // as curl --parallel does, instead of each opening one of their own.
  if (pipewait) ms_easy_setopt(j.easy, MSOPT_PIPEWAIT, 1L);
  j.start = std::chrono::steady_clock::now();
  return ms_multi_add_handle(multi, j.easy) == MSM_OK;
}

// One run of `fetch`: the jobs, the multi, and the loop that drives it. Both loops share
// everything but how they wait: `socket` (the default) is an epoll loop fed by the socket
// and timer callbacks, the shape the seeds describe; `perform` is the classic loop,
// ms_multi_perform then ms_multi_poll, with the signal descriptor as an extra descriptor.
class Fetch {
 public:
  explicit Fetch(const FetchOptions& o) : o_(o) {}
  ~Fetch() {
    if (multi_) ms_multi_cleanup(multi_);
    if (loop_.epfd >= 0) ::close(loop_.epfd);
    if (sigfd_ >= 0) ::close(sigfd_);
    if (signals_blocked_) sigprocmask(SIG_SETMASK, &old_mask_, nullptr);
  }

  // Names the outputs and creates -o DIR; a usage problem, or "".
  std::string plan(long parallel) {
    parallel_ = parallel;
    jobs_.resize(o_.urls.size());
    for (std::size_t i = 0; i < o_.urls.size(); ++i) jobs_[i].url = o_.urls[i];
    if (!o_.dir) return "";
    // Two bodies in one file would interleave: refuse before any byte moves.
    std::map<std::string, std::size_t> first_with_name;
    for (std::size_t i = 0; i < jobs_.size(); ++i) {
      const std::string name = file_name_for(jobs_[i].url, i);
      auto [it, fresh] = first_with_name.emplace(name, i);
      if (!fresh)
        return jobs_[it->second].url + " and " + jobs_[i].url + " would both be saved as " +
               (fs::path(*o_.dir) / name).string() +
               " (fetch them in separate runs or into separate folders)";
      jobs_[i].path = (fs::path(*o_.dir) / name).string();
      jobs_[i].part_path = part_path_for(*o_.dir, name, i);
    }
    std::error_code ec;
    fs::create_directories(*o_.dir, ec);
    return ec ? "cannot create " + *o_.dir + ": " + ec.message() : "";
  }

  // The signal descriptor, the multi and, for the socket loop, epoll. False: say why.
  bool open() {
    // The stop signals are read from a signalfd in the loop, so that the temporaries of the
    // running transfers can be removed before the process ends. Blocked before the engine
    // starts resolver threads, which inherit the mask.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&stop_signals, sig);
    sigprocmask(SIG_BLOCK, &stop_signals, &old_mask_);
    signals_blocked_ = true;
    sigfd_ = signalfd(-1, &stop_signals, SFD_CLOEXEC | SFD_NONBLOCK);
    multi_ = ms_multi_init();
    loop_.multi = multi_;
    if (sigfd_ < 0 || !multi_) return false;
    ms_multi_setopt(multi_, MSMOPT_MAXCONNECTS, parallel_);
    if (o_.loop == "perform") return true;
    loop_.epfd = epoll_create1(EPOLL_CLOEXEC);
    epoll_event sig_ev{};
    sig_ev.events = EPOLLIN;
    sig_ev.data.fd = sigfd_;
    if (loop_.epfd < 0 || epoll_ctl(loop_.epfd, EPOLL_CTL_ADD, sigfd_, &sig_ev) != 0) return false;
    ms_multi_setopt(multi_, MSMOPT_SOCKETFUNCTION, &on_socket);
    ms_multi_setopt(multi_, MSMOPT_SOCKETDATA, &loop_);
    ms_multi_setopt(multi_, MSMOPT_TIMERFUNCTION, &on_timer);
    ms_multi_setopt(multi_, MSMOPT_TIMERDATA, &loop_);
    return true;
  }

  // Runs until every job ended, a transfer could not start or a stop signal came.
  void run() {
    progress_ = !o_.quiet && isatty(STDERR_FILENO);
    started_ = start_more();
    if (o_.loop == "perform")
      perform_loop();
    else
      socket_loop();
    if (progress_) std::fprintf(stderr, "\r\033[K");
  }

  // Abandons what still runs (its temporary goes, no final name is made) and gives the
  // exit status; a stop signal ends the process by that signal.
  int finish() {
    const std::size_t unfinished = by_easy_.size() + (jobs_.size() - next_);
    for (auto& [easy, j] : by_easy_) {
      ms_multi_remove_handle(multi_, easy);
      ms_easy_cleanup(easy);
      settle_output(*j, false);
    }
    by_easy_.clear();
    if (!started_) {
      std::fprintf(stderr, "multisock: cannot start a transfer (out of memory)\n");
      return 3;
    }
    if (stop_signal_) {
      std::fprintf(stderr, "multisock: stopped by %s: %zu transfers done, %zu not (no file kept of those)\n",
                   strsignal(stop_signal_), finished_, unfinished);
      // End by the signal itself, so that the caller sees how the run ended.
      std::signal(stop_signal_, SIG_DFL);
      sigprocmask(SIG_SETMASK, &old_mask_, nullptr);
      raise(stop_signal_);
      return 128 + stop_signal_;
    }
    std::fprintf(stderr, "%zu transfers, %d failed\n", jobs_.size(), failures_);
    return failures_ ? 1 : 0;
  }

 private:
  bool start_more() {
    while (by_easy_.size() < static_cast<std::size_t>(parallel_) && next_ < jobs_.size()) {
      Job& j = jobs_[next_++];
      if (!start_job(j, multi_, o_, parallel_ > 1)) return false;
      by_easy_[j.easy] = &j;
    }
    return true;
  }

  // Reads the finished transfers, settles their files and starts the next ones. False when
  // the run is over (everything done, or a transfer could not start).
  bool collect_and_refill() {
    int msgs = 0;
    while (MSMsg* m = ms_multi_info_read(multi_, &msgs))
      if (m->msg == MSMSG_DONE) done(m->easy_handle, m->data.result);
    if (by_easy_.empty() && next_ == jobs_.size()) return false;
    if (!start_more()) {
      started_ = false;
      return false;
    }
    if (progress_) std::fprintf(stderr, "\r\033[K%zu/%zu done", finished_, jobs_.size());
    return true;
  }

  void done(ms_easy* easy, MSEcode result) {
    Job* j = by_easy_[easy];
    by_easy_.erase(easy);
    long code = 0;
    ms_easy_getinfo(easy, MSINFO_RESPONSE_CODE, &code);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - j->start).count();
    ms_multi_remove_handle(multi_, easy);
    ms_easy_cleanup(easy);
    j->easy = nullptr;
    const bool ok = settle_output(*j, result == MSE_OK && success_code(code));
    failures_ += !ok;
    ++finished_;
    // Say what went wrong in the transfer's own words: our file error, the engine's
    // detail, or the HTTP answer that is not a success.
    const char* summary = ms_easy_strerror(result);
    std::string detail = j->write_error.empty() ? j->error : j->write_error;
    if (result == MSE_OK && !success_code(code)) {
      summary = ms_easy_strerror(MSE_HTTP_RETURNED_ERROR);
      if (code >= 300 && code < 400 && detail.empty()) detail = "a redirect without a usable Location";
    }
    if (progress_) std::fprintf(stderr, "\r\033[K");
    std::fprintf(stderr, "%s %s: %s, HTTP %ld, %lld bytes, %.3f s%s%s\n", ok ? "ok  " : "FAIL",
                 j->url.c_str(), summary, code, j->body_bytes, secs, detail.empty() ? "" : ": ",
                 detail.c_str());
  }

  void read_stop_signal() {
    signalfd_siginfo info{};
    if (::read(sigfd_, &info, sizeof info) == static_cast<ssize_t>(sizeof info))
      stop_signal_ = static_cast<int>(info.ssi_signo);
  }

  void timeout_due() {
    loop_.deadline.reset();
    ms_multi_socket_action(multi_, MS_SOCKET_TIMEOUT, 0, &running_);
  }

  void socket_loop() {
    ms_multi_socket_action(multi_, MS_SOCKET_TIMEOUT, 0, &running_);
    epoll_event events[64];
    while (started_ && !stop_signal_ && collect_and_refill()) {
      int wait_ms = -1;
      if (loop_.deadline) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            *loop_.deadline - std::chrono::steady_clock::now());
        wait_ms = left.count() < 0 ? 0 : static_cast<int>(left.count()) + 1;
      }
      const int n = epoll_wait(loop_.epfd, events, 64, wait_ms);
      if (n <= 0) {
        timeout_due();
        continue;
      }
      for (int k = 0; k < n; ++k) {
        if (events[k].data.fd == sigfd_) {
          read_stop_signal();
          continue;
        }
        int mask = 0;
        if (events[k].events & EPOLLIN) mask |= MS_CSELECT_IN;
        if (events[k].events & EPOLLOUT) mask |= MS_CSELECT_OUT;
        if (events[k].events & (EPOLLERR | EPOLLHUP)) mask |= MS_CSELECT_ERR;
        ms_multi_socket_action(multi_, events[k].data.fd, mask, &running_);
      }
      if (loop_.deadline && *loop_.deadline <= std::chrono::steady_clock::now()) timeout_due();
    }
  }

  void perform_loop() {
    while (started_ && !stop_signal_) {
      ms_multi_perform(multi_, &running_);
      if (!collect_and_refill()) break;
      ms_waitfd sig{};
      sig.fd = sigfd_;
      sig.events = MS_WAIT_POLLIN;
      int numfds = 0;
      ms_multi_poll(multi_, &sig, 1, 1000, &numfds);
      if (sig.revents & MS_WAIT_POLLIN) read_stop_signal();
    }
  }

  const FetchOptions& o_;
  long parallel_ = 1;
  std::vector<Job> jobs_;
  std::map<ms_easy*, Job*> by_easy_;
  std::size_t next_ = 0;
  ms_multi* multi_ = nullptr;
  Loop loop_;
  int sigfd_ = -1;
  sigset_t old_mask_{};
  bool signals_blocked_ = false;
  bool progress_ = false;
  bool started_ = true;
  int running_ = 0;
  int failures_ = 0;
  std::size_t finished_ = 0;
  int stop_signal_ = 0;
};

}  // namespace

int cmd_fetch(Args& args) {
  if (args.help()) {
    std::cout << command_help("fetch");
    return 0;
  }
  FetchOptions options;
  if (const std::string problem = read_fetch_options(args, options); !problem.empty()) return usage_error(problem);
  long parallel = options.parallel;
  if (!options.dir && parallel > 1)
    return usage_error("--parallel needs -o DIR (bodies on stdout come one after the other)");
  if (!options.dir) parallel = 1;
  const auto room = parallel_room();
  if (parallel == 0) parallel = std::min(room.value_or(kParallelDefault), kParallelDefault);
  if (room && std::min(parallel, static_cast<long>(options.urls.size())) > *room)
    std::fprintf(stderr,
                 "multisock: note: --parallel %ld is more than the open-file limit leaves room for "
                 "(%ld transfers at %ld descriptors each): some may fail for want of one\n",
                 parallel, *room, kDescriptorsPerTransfer);
  Fetch fetch(options);
  if (const std::string problem = fetch.plan(parallel); !problem.empty()) return usage_error(problem);
  if (!fetch.open()) {
    std::fprintf(stderr, "multisock: cannot create the event loop: %s\n", std::strerror(errno));
    return 3;
  }
  fetch.run();
  return fetch.finish();
}

}  // namespace ms::cli

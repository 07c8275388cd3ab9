// fetch.cpp: `multisock fetch URL...`: a small parallel downloader on the engine over
// real sockets, driven by an epoll loop in the shape of the seeds' typical usage. It is the
// engine's main job done by hand: try it against a local nginx.
#include <sys/epoll.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "multisock/multisock.h"

namespace fs = std::filesystem;

namespace ms::cli {
namespace {

const char* kFetchHelp = R"(usage: multisock fetch [options] URL...

Downloads every URL at once with the engine over real sockets and prints one line per
transfer (result, HTTP code, bytes, time).

  -o DIR, --output DIR   write each body to DIR/<last path segment> (default: stdout)
  --timeout-ms N         total time limit per transfer (default: none)
  --cacert FILE          trust the CA certificates in FILE for https:// (PEM)
  --quiet                no progress line on a terminal

exit codes: 0 every transfer succeeded with HTTP < 400, 1 some failed, 2 usage error
)";

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
  std::string path;
  FILE* out = nullptr;
  ms_easy* easy = nullptr;
  char error[MS_ERROR_SIZE] = {};
  std::chrono::steady_clock::time_point start;
};

std::string file_name_for(const std::string& url, std::size_t index) {
  std::string tail = url;
  if (auto q = tail.find_first_of("?#"); q != std::string::npos) tail.resize(q);
  if (auto slash = tail.rfind('/'); slash != std::string::npos) tail = tail.substr(slash + 1);
  if (tail.empty() || tail == "." || tail == "..") tail = "index-" + std::to_string(index);
  return tail;
}

}  // namespace

int cmd_fetch(Args& args) {
  if (args.help()) {
    std::cout << kFetchHelp;
    return 0;
  }
  auto dir = args.value("--output");
  if (auto o = args.value("-o")) dir = o;
  long timeout_ms = 0;
  if (auto t = args.value("--timeout-ms")) {
    char* end = nullptr;
    timeout_ms = std::strtol(t->c_str(), &end, 10);
    if (t->empty() || *end || timeout_ms < 0) return usage_error("--timeout-ms needs an integer >= 0");
  }
  const auto cacert = args.value("--cacert");
  const bool quiet = args.flag("--quiet");
  auto urls = args.positionals();
  if (!args.finish()) return 2;
  if (urls.empty()) return usage_error("fetch needs at least one URL");
  if (dir) {
    std::error_code ec;
    fs::create_directories(*dir, ec);
    if (ec) return usage_error("cannot create " + *dir + ": " + ec.message());
  }

  Loop loop;
  loop.epfd = epoll_create1(EPOLL_CLOEXEC);
  ms_multi* multi = ms_multi_init();
  if (loop.epfd < 0 || !multi) {
    std::fprintf(stderr, "multisock: cannot create the event loop\n");
    return 3;
  }
  ms_multi_setopt(multi, MSMOPT_SOCKETFUNCTION, &on_socket);
  ms_multi_setopt(multi, MSMOPT_SOCKETDATA, &loop);
  ms_multi_setopt(multi, MSMOPT_TIMERFUNCTION, &on_timer);
  ms_multi_setopt(multi, MSMOPT_TIMERDATA, &loop);

  std::vector<Job> jobs(urls.size());
  std::map<ms_easy*, Job*> by_easy;
  for (std::size_t i = 0; i < urls.size(); ++i) {
    Job& j = jobs[i];
    j.url = urls[i];
    j.easy = ms_easy_init();
    if (dir) {
      j.path = (fs::path(*dir) / file_name_for(j.url, i)).string();
      j.out = std::fopen(j.path.c_str(), "wb");
      if (!j.out) {
        std::fprintf(stderr, "multisock: cannot write %s\n", j.path.c_str());
        return 3;
      }
    }
    ms_easy_setopt(j.easy, MSOPT_URL, j.url.c_str());
    ms_easy_setopt(j.easy, MSOPT_WRITEDATA, j.out ? j.out : stdout);
    ms_easy_setopt(j.easy, MSOPT_ERRORBUFFER, j.error);
    if (timeout_ms > 0) ms_easy_setopt(j.easy, MSOPT_TIMEOUT_MS, timeout_ms);
    if (cacert) ms_easy_setopt(j.easy, MSOPT_CAINFO, cacert->c_str());
    j.start = std::chrono::steady_clock::now();
    by_easy[j.easy] = &j;
    ms_multi_add_handle(multi, j.easy);
  }

  const bool progress = !quiet && isatty(STDERR_FILENO);
  int running = static_cast<int>(jobs.size());
  int failures = 0;
  std::size_t finished = 0;
  ms_multi_socket_action(multi, MS_SOCKET_TIMEOUT, 0, &running);
  epoll_event events[64];
  for (;;) {
    int msgs = 0;
    while (MSMsg* m = ms_multi_info_read(multi, &msgs)) {
      if (m->msg != MSMSG_DONE) continue;
      Job* j = by_easy[m->easy_handle];
      long code = 0;
      ms_off_t bytes = 0;
      ms_easy_getinfo(j->easy, MSINFO_RESPONSE_CODE, &code);
      ms_easy_getinfo(j->easy, MSINFO_SIZE_DOWNLOAD_T, &bytes);
      const double secs =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - j->start).count();
      const bool ok = m->data.result == MSE_OK && code < 400;
      failures += !ok;
      ++finished;
      if (progress) std::fprintf(stderr, "\r\033[K");
      std::fprintf(stderr, "%s %s: %s, HTTP %ld, %lld bytes, %.3f s%s%s\n", ok ? "ok  " : "FAIL",
                   j->url.c_str(), ms_easy_strerror(m->data.result), code,
                   static_cast<long long>(bytes), secs, j->error[0] ? ": " : "", j->error);
    }
    if (running == 0) break;
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
  for (Job& j : jobs) {
    ms_multi_remove_handle(multi, j.easy);
    ms_easy_cleanup(j.easy);
    if (j.out) std::fclose(j.out);
  }
  ms_multi_cleanup(multi);
  close(loop.epfd);
  std::fprintf(stderr, "%zu transfers, %d failed\n", jobs.size(), failures);
  return failures ? 1 : 0;
}

}  // namespace ms::cli

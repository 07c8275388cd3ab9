// SPDX-License-Identifier: MIT
// processes.cpp: see processes.hpp.
#include "processes.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>

#include "sim_bench.hpp"

namespace ms::bench {

namespace fs = std::filesystem;

namespace {

constexpr const char* kNginx = "/usr/sbin/nginx";

double secs(const timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6; }

// vfork + exec with stdin from /dev/null, stdout to out_fd (or /dev/null), stderr to err_fd.
// vfork, not fork: the child borrows this process's memory until exec instead of copying its
// page tables, and this process is large by the time it measures a child (the simulator's
// runs keep their heap): a fork added 1.7 ms to every child's wall time (`multisock replay
// --help`: 9.4 -> 7.7 ms on a 2-core VM). Before exec the child only makes system calls.
pid_t spawn(const std::vector<std::string>& argv, int out_fd, int err_fd) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t parent = getpid();
  const pid_t pid = vfork();
  if (pid != 0) return pid;
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(127);
  const int null_fd = open("/dev/null", O_RDWR);
  dup2(null_fd, 0);
  dup2(out_fd >= 0 ? out_fd : null_fd, 1);
  dup2(err_fd >= 0 ? err_fd : null_fd, 2);
  execv(args[0], args.data());
  _exit(127);
}

// Reads both pipes until the child closes them or the time is up (then kills it).
void drain(pid_t pid, int out, int err, double limit_s, Finished& f) {
  const double deadline = wall_seconds() + limit_s;
  std::string err_text;
  char buf[65536];
  int open_fds = (out >= 0) + (err >= 0);
  while (open_fds > 0) {
    pollfd p[2] = {{out, POLLIN, 0}, {err, POLLIN, 0}};
    const int left_ms = static_cast<int>((deadline - wall_seconds()) * 1000);
    if (left_ms <= 0) {
      kill(pid, SIGKILL);
      err_text += "\n(killed after " + std::to_string(static_cast<int>(limit_s)) + " s)";
      break;
    }
    if (poll(p, 2, left_ms) < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t n = read(p[i].fd, buf, sizeof buf);
      if (n <= 0) {
        close(p[i].fd);
        (i == 0 ? out : err) = -1;
        --open_fds;
      } else if (i == 0) {
        f.out.append(buf, static_cast<std::size_t>(n));
      } else {
        err_text.append(buf, static_cast<std::size_t>(n));
        if (err_text.size() > 8192) err_text.erase(0, err_text.size() - 4096);
      }
    }
  }
  if (out >= 0) close(out);
  if (err >= 0) close(err);
  f.err_tail = err_text.size() > 2000 ? err_text.substr(err_text.size() - 2000) : err_text;
}

}  // namespace

Finished run_program(const std::vector<std::string>& argv, bool capture_out, double limit_s) {
  Finished f;
  int out[2] = {-1, -1}, err[2] = {-1, -1};
  if ((capture_out && pipe2(out, O_CLOEXEC) != 0) || pipe2(err, O_CLOEXEC) != 0) {
    f.err_tail = "pipe failed";
    return f;
  }
  const double w0 = wall_seconds();
  const pid_t pid = spawn(argv, out[1], err[1]);
  if (out[1] >= 0) close(out[1]);
  close(err[1]);
  if (pid < 0) {
    f.err_tail = "fork failed";
    if (out[0] >= 0) close(out[0]);
    close(err[0]);
    return f;
  }
  drain(pid, out[0], err[0], limit_s, f);
  int status = 0;
  rusage ru{};
  while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR) {
  }
  f.wall_s = wall_seconds() - w0;
  f.user_s = secs(ru.ru_utime);
  f.sys_s = secs(ru.ru_stime);
  f.code = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  return f;
}

// ---- nginx ----

namespace {

int free_port() {
  const int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  int port = 0;
  if (s >= 0 && bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  if (s >= 0) close(s);
  return port;
}

bool accepts(int port) {
  const int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = s >= 0 && connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  if (s >= 0) close(s);
  return ok;
}

std::string conf_text(const fs::path& d, const fs::path& root, int port, const Nginx::Tls* tls) {
  const std::string ds = d.string();
  const std::string listen_tls =
      tls ? " ssl;\n    ssl_certificate " + tls->cert.string() + ";\n    ssl_certificate_key " + tls->key.string() + ";\n"
          : ";\n";
  return "daemon off;\nmaster_process off;\nworker_processes 1;\npid " + ds + "/nginx.pid;\n"
         "error_log " + ds + "/error.log warn;\nevents { worker_connections 4096; }\nhttp {\n"
         "  access_log off;\n  client_body_temp_path " + ds + "/client_body_temp;\n"
         "  proxy_temp_path " + ds + "/proxy_temp;\n  fastcgi_temp_path " + ds + "/fastcgi_temp;\n"
         "  uwsgi_temp_path " + ds + "/uwsgi_temp;\n  scgi_temp_path " + ds + "/scgi_temp;\n"
         "  default_type application/octet-stream;\n  sendfile on;\n  keepalive_timeout 60s;\n"
         "  keepalive_requests " + std::string(tls ? "1" : "10000000") + ";\n"
         "  server {\n    listen 127.0.0.1:" + std::to_string(port) + " backlog=4096" + listen_tls +
         "    server_name localhost;\n    root " + root.string() + ";\n  }\n}\n";
}

}  // namespace

bool Nginx::start(const fs::path& folder, const fs::path& root, std::string& error, const Tls* tls) {
  tls_ = tls != nullptr;
  if (access(kNginx, X_OK) != 0) {
    error = std::string(kNginx) + " is not installed (apt-get install nginx)";
    return false;
  }
  fs::create_directories(folder);
  for (int attempt = 0; attempt < 3; ++attempt) {  // a free port can be taken before nginx binds it
    port_ = free_port();
    std::ofstream(folder / "nginx.conf") << conf_text(folder, root, port_, tls);
    const int log = open((folder / "nginx.stderr").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    pid_ = spawn({kNginx, "-p", folder.string(), "-e", (folder / "error.log").string(), "-c",
                  (folder / "nginx.conf").string()},
                 log, log);
    if (log >= 0) close(log);
    for (int i = 0; i < 300 && pid_ > 0; ++i) {  // 15 s at most
      if (accepts(port_)) return true;
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        break;
      }
      usleep(50000);
    }
    stop();
  }
  std::ifstream in(folder / "error.log");
  error = "nginx did not start in " + folder.string() + ": " +
          std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return false;
}

void Nginx::stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  for (int i = 0; i < 100; ++i) {
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    usleep(50000);
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

Nginx::~Nginx() { stop(); }

std::string Nginx::url(const std::string& path) const {
  return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) + "/" + path;
}

std::string Nginx::version() {
  if (access(kNginx, X_OK) != 0) return "";
  const Finished f = run_program({kNginx, "-v"}, false, 10);
  const std::size_t at = f.err_tail.find("nginx/");
  if (at == std::string::npos) return "nginx";
  std::string v = f.err_tail.substr(at);
  while (!v.empty() && (v.back() == '\n' || v.back() == '\r')) v.pop_back();
  return v;
}

}  // namespace ms::bench

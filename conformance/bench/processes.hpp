// SPDX-License-Identifier: MIT
// processes.hpp: what `multisock bench` starts: its own measurement workers, `curl`, and a
// private nginx on 127.0.0.1, each a child that dies with the bench (PR_SET_PDEATHSIG).
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace ms::bench {

// A finished child: exit code (-signal when a signal ended it), wall time, CPU from its
// rusage (its own children included), standard output when asked for.
struct Finished {
  int code = -1;
  double wall_s = 0, user_s = 0, sys_s = 0;
  std::string out;
  std::string err_tail;  // the last lines of its standard error
};

// Runs argv[0] (a path) with argv; standard output captured when capture_out, else
// discarded; killed after limit_s seconds of wall time.
Finished run_program(const std::vector<std::string>& argv, bool capture_out, double limit_s);

// nginx serving `root` over plain HTTP on 127.0.0.1, with keep-alive connections that last
// (keepalive_requests high), no access log, sendfile on.
class Nginx {
 public:
  Nginx() = default;
  Nginx(const Nginx&) = delete;
  Nginx& operator=(const Nginx&) = delete;
  ~Nginx();
  // HTTPS: its certificate and key (PEM files), and one request per connection, so that
  // every file costs a connection and a handshake, as from as many servers.
  struct Tls {
    std::filesystem::path cert, key;
  };
  // Starts it in `folder` (its conf, logs and temp folders); false and `error` on failure.
  bool start(const std::filesystem::path& folder, const std::filesystem::path& root, std::string& error,
             const Tls* tls = nullptr);
  void stop();
  int port() const { return port_; }
  std::string url(const std::string& path) const;  // http:// or https://
  static std::string version();  // "nginx/1.22.1", or "" when not installed

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  bool tls_ = false;
};

}  // namespace ms::bench

// SPDX-License-Identifier: MIT
// record_run.hpp: running a real program under libmultisock-record.so for the tests:
// scripted peers on loopback served from a thread, the child process, the trace it left.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "conformance/trace.hpp"
#include "simnet/real_peer_host.hpp"

namespace ms::rec::test {

// A RealPeerHost stepped on its own thread until destroyed.
class PeerThread {
 public:
  // Listens with script on 127.0.0.1; base_url() is "http://127.0.0.1:PORT".
  explicit PeerThread(const std::string& script);
  ~PeerThread();
  const std::string& base_url() const { return base_url_; }

 private:
  posix::RealPeerHost host_;
  std::string base_url_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

struct Child {
  int pid = -1;
  std::string stdout_path;
  std::string stderr_path;
};

// Starts argv with the environment of this process plus `env` ("NAME=VALUE"), stdout and
// stderr to files in dir.
Child spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env, const std::string& dir);
// Waits for it; the exit code, or 128 + signal.
int wait_exit(const Child& c);
int run(const std::vector<std::string>& argv, const std::vector<std::string>& env, const std::string& dir);

std::string read_file(const std::string& path);
bool file_exists(const std::string& path);
std::string make_temp_dir();
// The file as a reader takes it: up to the first NUL, without an unfinished last line.
std::string trimmed(const std::string& raw);
// Reads a record file; fails the calling test on a parse error.
conf::Trace load_trace(const std::string& path);

}  // namespace ms::rec::test

// SPDX-License-Identifier: MIT
#include "record_run.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "simnet/peer_script.hpp"

extern char** environ;

namespace ms::rec::test {

PeerThread::PeerThread(const std::string& script) {
  sim::PeerScript s;
  sim::ScriptError e;
  EXPECT_TRUE(sim::parse_peer_script(script, 1, s, e)) << e.to_string();
  std::string error;
  auto at = host_.listen("peer", s, error);
  EXPECT_TRUE(at.has_value()) << error;
  if (at) base_url_ = "http://127.0.0.1:" + std::to_string(at->port);
  thread_ = std::thread([this] {
    while (!stop_.load()) host_.run_for(std::chrono::milliseconds(20));
  });
}

PeerThread::~PeerThread() {
  stop_.store(true);
  thread_.join();
}

Child spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env, const std::string& dir) {
  Child c;
  c.stdout_path = dir + "/stdout.txt";
  c.stderr_path = dir + "/stderr.txt";
  std::vector<std::string> envs;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string kv = *e;
    // The test's own settings of these two never reach the child.
    if (kv.rfind("MULTISOCK_RECORD=", 0) == 0 || kv.rfind("LD_PRELOAD=", 0) == 0) continue;
    envs.push_back(kv);
  }
  envs.insert(envs.end(), env.begin(), env.end());
  std::vector<char*> av, ev;
  for (const auto& a : argv) av.push_back(const_cast<char*>(a.c_str()));
  av.push_back(nullptr);
  for (const auto& e : envs) ev.push_back(const_cast<char*>(e.c_str()));
  ev.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, c.stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, c.stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, av[0], &fa, nullptr, av.data(), ev.data());
  posix_spawn_file_actions_destroy(&fa);
  EXPECT_EQ(rc, 0) << "cannot start " << argv[0];
  c.pid = rc == 0 ? pid : -1;
  return c;
}

int wait_exit(const Child& c) {
  if (c.pid < 0) return -1;
  int status = 0;
  if (waitpid(c.pid, &status, 0) != c.pid) return -1;
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

int run(const std::vector<std::string>& argv, const std::vector<std::string>& env, const std::string& dir) {
  return wait_exit(spawn(argv, env, dir));
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool file_exists(const std::string& path) { return access(path.c_str(), F_OK) == 0; }

std::string make_temp_dir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base != nullptr && *base ? base : "/tmp") + "/ms-record-XXXXXX";
  char* made = mkdtemp(tmpl.data());
  EXPECT_NE(made, nullptr);
  return tmpl;
}

std::string trimmed(const std::string& raw) {
  std::string s = raw.substr(0, raw.find('\0'));
  const auto last_nl = s.rfind('\n');
  s.resize(last_nl == std::string::npos ? 0 : last_nl + 1);
  return s;
}

conf::Trace load_trace(const std::string& path) {
  conf::Trace t;
  std::string error;
  EXPECT_TRUE(conf::Trace::from_jsonl(trimmed(read_file(path)), t, &error)) << path << ": " << error;
  return t;
}

}  // namespace ms::rec::test

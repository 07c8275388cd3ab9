// isolate.cpp: fork, run, drain, reap. See isolate.hpp for the protocol.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>

#include "conformance/isolate.hpp"

namespace ms::conf {
namespace {

using SteadyClock = std::chrono::steady_clock;

// The child's progress slot: a page shared with the parent, set in the child only.
char* g_progress = nullptr;

std::string read_progress(const char* slot) {
  if (slot == nullptr) return {};
  std::size_t n = 0;
  while (n < kProgressMax && slot[n] != '\0') ++n;
  return std::string(slot, n);
}

void write_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // the parent is gone or stopped reading: nothing left to tell
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
}

[[noreturn]] void child_main(int out_fd, const std::function<std::string()>& body) {
  for (int sig : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGPIPE}) ::signal(sig, SIG_DFL);
  const rlimit no_core{0, 0};
  ::setrlimit(RLIMIT_CORE, &no_core);
  int status = 0;
  std::string result;
  try {
    result = body();
  } catch (const std::exception& e) {
    result = e.what();
    status = kBodyThrewStatus;
  } catch (...) {
    result = "unknown exception";
    status = kBodyThrewStatus;
  }
  write_all(out_fd, result.data(), result.size());
  ::close(out_fd);
  ::_exit(status);
}

std::string signal_name(int sig) {
  const char* abbrev = ::sigabbrev_np(sig);
  return abbrev != nullptr ? std::string("SIG") + abbrev : "signal " + std::to_string(sig);
}

int millis_left(SteadyClock::time_point deadline) {
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - SteadyClock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

}  // namespace

void isolate_progress(const char* text) {
  if (g_progress == nullptr) return;
  std::size_t n = 0;
  if (text != nullptr) {
    while (n + 1 < kProgressMax && text[n] != '\0') ++n;
    std::memcpy(g_progress, text, n);
  }
  g_progress[n] = '\0';
}

const char* to_string(RunKind kind) {
  switch (kind) {
    case RunKind::ok: return "ok";
    case RunKind::crash: return "crash";
    case RunKind::hang: return "hang";
    case RunKind::error: return "error";
  }
  return "?";
}

RunOutcome run_isolated(std::function<std::string()> body, std::chrono::milliseconds limit) {
  RunOutcome outcome;
  outcome.exit_status = -1;
  int fds[2];
  // O_CLOEXEC: a fork made by another thread at the same time must not inherit the write
  // end, or our read would never see end-of-file.
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    outcome.error = std::string("pipe2 failed: ") + std::strerror(errno);
    return outcome;
  }
  const auto deadline = SteadyClock::now() + limit;
  void* shared = ::mmap(nullptr, kProgressMax, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  char* slot = shared == MAP_FAILED ? nullptr : static_cast<char*>(shared);
  if (slot != nullptr) slot[0] = '\0';
  struct Unmap {
    char* slot;
    ~Unmap() {
      if (slot != nullptr) ::munmap(slot, kProgressMax);
    }
  } unmap{slot};
  const pid_t pid = ::fork();
  if (pid < 0) {
    outcome.error = std::string("fork failed: ") + std::strerror(errno);
    ::close(fds[0]);
    ::close(fds[1]);
    return outcome;
  }
  if (pid == 0) {
    ::close(fds[0]);
    g_progress = slot;
    child_main(fds[1], body);
  }
  ::close(fds[1]);

  // Drain until end-of-file (the child closed its end or died) or the deadline.
  bool timed_out = false;
  char buffer[65536];
  for (;;) {
    pollfd p{fds[0], POLLIN, 0};
    const int ready = ::poll(&p, 1, millis_left(deadline));
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) {
      timed_out = true;
      break;
    }
    if (ready < 0) break;
    const ssize_t n = ::read(fds[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    outcome.payload.append(buffer, static_cast<size_t>(n));
  }
  ::close(fds[0]);

  // Reap. A child that closed the pipe may still be finishing: wait for it until the
  // deadline, polling, since waitpid has no timeout.
  int status = 0;
  pid_t reaped = 0;
  while (!timed_out) {
    reaped = ::waitpid(pid, &status, WNOHANG);
    if (reaped == pid) break;
    if (reaped < 0 && errno != EINTR) break;
    if (millis_left(deadline) == 0) {
      timed_out = true;
      break;
    }
    const timespec pause{0, 1'000'000};
    ::nanosleep(&pause, nullptr);
  }
  if (timed_out) {
    ::kill(pid, SIGKILL);
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    outcome.kind = RunKind::hang;
    outcome.progress = read_progress(slot);
    outcome.payload.clear();
    outcome.error = "still running after " + std::to_string(limit.count()) + " ms: killed";
    return outcome;
  }
  if (reaped != pid) {
    outcome.error = std::string("waitpid failed: ") + std::strerror(errno);
    return outcome;
  }
  if (WIFSIGNALED(status)) {
    outcome.kind = RunKind::crash;
    outcome.signal = WTERMSIG(status);
    outcome.signal_name = signal_name(outcome.signal);
    outcome.error = "killed by " + outcome.signal_name;
    outcome.progress = read_progress(slot);
    outcome.payload.clear();
    return outcome;
  }
  outcome.exit_status = WEXITSTATUS(status);
  if (outcome.exit_status == 0) {
    outcome.kind = RunKind::ok;
    return outcome;
  }
  outcome.kind = RunKind::error;
  outcome.error = outcome.exit_status == kBodyThrewStatus
                      ? "the body threw: " + outcome.payload
                      : "exited with status " + std::to_string(outcome.exit_status);
  return outcome;
}

}  // namespace ms::conf

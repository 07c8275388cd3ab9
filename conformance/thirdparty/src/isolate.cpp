// SPDX-License-Identifier: MIT
// isolate.cpp: fork, run, drain, reap. See isolate.hpp for the protocol.
#include <dlfcn.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <dirent.h>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>

#include "conformance/isolate.hpp"

namespace ms::conf {
namespace {

using SteadyClock = std::chrono::steady_clock;

// The child's progress slot: a page shared with the parent, set in the child only: the
// text of the call in progress, then (at kProgressMax) when the outermost call in progress
// began, CLOCK_MONOTONIC nanoseconds (0: no call), so a run killed at its deadline tells a
// call that never returned from one that had just begun.
char* g_progress = nullptr;
constexpr std::size_t kProgressPageBytes = kProgressMax + sizeof(std::int64_t);

// The system call itself: in a child of the virtual world, clock_gettime is the world's
// clock (simnet/interpose). Async-signal-safe.
std::int64_t monotonic_ns() {
  timespec ts{};
  ::syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

bool g_adopts = false;  // this process is the subreaper of what its runs start (and ends it)

// A run's last words (isolate_last_words), and the answer descriptor they go to: set in a
// run's child. The parent asks for them with kStopSignal sent to the child's main thread;
// the child writes them and ends with kStoppedStatus.
std::string (*g_last_words)() = nullptr;
int g_answer_fd = -1;
constexpr int kStopSignal = SIGUSR1;
constexpr int kStoppedStatus = 72;
constexpr auto kStopGrace = std::chrono::seconds(1);

std::string read_progress(const char* slot) {
  if (slot == nullptr) return {};
  std::size_t n = 0;
  while (n < kProgressMax && slot[n] != '\0') ++n;
  return std::string(slot, n);
}

// How long the call the slot names has been running, in ms; -1 when none or unknown.
std::int64_t progress_age_ms(const char* slot) {
  if (slot == nullptr || slot[0] == '\0') return -1;
  std::int64_t since = 0;
  std::memcpy(&since, slot + kProgressMax, sizeof since);
  if (since <= 0) return -1;
  return std::max<std::int64_t>(0, (monotonic_ns() - since) / 1'000'000);
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

// A sanitizer runtime in the process (this file may be built without one while the program
// or a library it loaded has it): its address space is mostly shadow reservation.
bool sanitizer_present() {
  for (const char* name : {"__asan_init", "__tsan_init", "__msan_init", "__hwasan_init"})
    if (::dlsym(RTLD_DEFAULT, name) != nullptr) return true;
  return false;
}

// Lowers a limit (soft and hard, so the code under it cannot raise it again); a tighter
// limit the user set stays. RLIM_INFINITY is the largest value, so min() is right.
void set_limit(int resource, rlim_t value, rlim_t hard_extra = 0) {
  rlimit now{};
  if (::getrlimit(resource, &now) != 0) return;
  const rlimit wanted{std::min(value, now.rlim_cur), std::min(value + hard_extra, now.rlim_max)};
  ::setrlimit(resource, &wanted);
}

// The limits every process that runs third-party code gets (isolate.hpp: ChildLimits).
// cpu: only in a run's child; the fork server lives for a whole suite.
void apply_limits(bool cpu) {
  const ChildLimits l = child_limits();
  set_limit(RLIMIT_CORE, 0);
  if (l.memory_bytes > 0 && !sanitizer_present()) set_limit(RLIMIT_AS, l.memory_bytes);
  if (l.open_files > 0) set_limit(RLIMIT_NOFILE, l.open_files);
  if (l.file_bytes > 0) set_limit(RLIMIT_FSIZE, l.file_bytes);
  // CPU: SIGXCPU at the soft limit (reported as that signal), SIGKILL a second later.
  if (cpu && l.cpu_seconds > 0) set_limit(RLIMIT_CPU, l.cpu_seconds, 1);
  // A child outlives no parent: when the harness dies, its runs die with it.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  // What a library prints must not mix into the harness's standard output (a trace, a
  // report path): it goes to standard error.
  ::dup2(STDERR_FILENO, STDOUT_FILENO);
}

// Writes the run's last words, if it has any, as its answer; false when making them threw.
bool give_last_words() {
  if (g_last_words == nullptr || g_answer_fd < 0) return true;
  try {
    const std::string words = g_last_words();
    write_all(g_answer_fd, words.data(), words.size());
    return true;
  } catch (...) {
    return false;
  }
}

// kStopSignal's handler: the run is a hang; its last words, if any, then the end. Not
// async-signal-safe (it allocates): the parent kills a child that does not end in time.
[[noreturn]] void on_stop(int) { ::_exit(give_last_words() ? kStoppedStatus : kBodyThrewStatus); }

// A crash's signal, for on_crash_stuck.
volatile sig_atomic_t g_crash_signal = 0;
constexpr unsigned kCrashWordsSeconds = 1;  // what a crashed child may take for its last words

// Ends the process by `sig` with its default action, as if no handler had been there.
[[noreturn]] void die_by(int sig) {
  ::signal(sig, SIG_DFL);
  sigset_t only;
  ::sigemptyset(&only);
  ::sigaddset(&only, sig);
  ::pthread_sigmask(SIG_UNBLOCK, &only, nullptr);
  ::syscall(SYS_tgkill, ::getpid(), ::syscall(SYS_gettid), sig);
  ::_exit(128 + sig);  // a signal whose default is not to end (never here)
}

// Last words that take too long (a lock the crashed code held, say): the crash as it was.
void on_crash_stuck(int) { die_by(g_crash_signal); }

// A crash's handler (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT): the run's last words, as for
// a hang, within kCrashWordsSeconds, then the end by the same signal, which the parent
// reports. A second fault in here ends the process at once (SA_RESETHAND).
void on_crash(int sig) {
  g_crash_signal = sig;
  ::signal(SIGALRM, on_crash_stuck);
  ::alarm(kCrashWordsSeconds);
  give_last_words();  // or none: the crash is reported either way
  die_by(sig);
}

// The crash handler runs on a stack of its own: a library that overflowed its stack still
// gets its last words.
alignas(16) char g_crash_stack[256 * 1024];

[[noreturn]] void child_main(int out_fd, const std::function<std::string()>& body) {
  for (int sig : {SIGPIPE, SIGXCPU, SIGXFSZ}) ::signal(sig, SIG_DFL);
  stack_t alt{};
  alt.ss_sp = g_crash_stack;
  alt.ss_size = sizeof g_crash_stack;
  const bool alt_stack = ::sigaltstack(&alt, nullptr) == 0;
  struct sigaction crash {};
  crash.sa_handler = on_crash;
  crash.sa_flags = SA_RESETHAND | (alt_stack ? SA_ONSTACK : 0);
  ::sigemptyset(&crash.sa_mask);
  for (int sig : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT}) ::sigaction(sig, &crash, nullptr);
  g_answer_fd = out_fd;
  struct sigaction stop {};
  stop.sa_handler = on_stop;
  ::sigemptyset(&stop.sa_mask);
  ::sigaction(kStopSignal, &stop, nullptr);
  sigset_t unblock;
  ::sigemptyset(&unblock);
  ::sigaddset(&unblock, kStopSignal);
  ::pthread_sigmask(SIG_UNBLOCK, &unblock, nullptr);
  // A process group of its own, so that whatever it starts is ended with it.
  ::setpgid(0, 0);
  apply_limits(true);
  int status = 0;
  std::string result;
  try {
    result = body();
  } catch (const std::bad_alloc&) {
    result = "out of memory: the run passed its address-space limit of " +
             std::to_string(child_limits().memory_bytes >> 20) + " MiB (MULTISOCK_CHILD_MEMORY_MB)";
    status = kBodyThrewStatus;
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

// A small /proc file's text ("" when it cannot be read).
std::string proc_text(pid_t pid, const char* name) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/%s", static_cast<int>(pid), name);
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  char text[512];
  const ssize_t n = ::read(fd, text, sizeof text - 1);
  ::close(fd);
  return n > 0 ? std::string(text, static_cast<std::size_t>(n)) : "";
}

// What the scheduler says of a process's main thread at one moment.
struct SchedLook {
  SteadyClock::time_point at;
  std::uint64_t on_cpu_ns = 0;  // /proc/PID/schedstat: time it ran
  std::uint64_t waited_ns = 0;  // and time it waited for a CPU, counted when it got one
  bool runnable = false;        // /proc/PID/stat: state R (running, or waiting for a CPU)
};

SchedLook look_at(pid_t pid) {
  SchedLook s;
  s.at = SteadyClock::now();
  unsigned long long on_cpu = 0, waited = 0;
  if (std::sscanf(proc_text(pid, "schedstat").c_str(), "%llu %llu", &on_cpu, &waited) == 2) {
    s.on_cpu_ns = on_cpu;
    s.waited_ns = waited;
  }
  const std::string stat = proc_text(pid, "stat");
  const std::size_t close = stat.rfind(')');  // the name, in parentheses, may hold anything
  s.runnable = close != std::string::npos && close + 2 < stat.size() && stat[close + 2] == 'R';
  return s;
}

// The time the thread waited for a CPU between two looks: what the kernel counted (at the
// end of each wait), or, when it is runnable now, the part of the interval it did not run
// (a wait still under way is counted only when it ends). A thread that sleeps or is blocked
// waits for no CPU.
std::chrono::nanoseconds waited_between(const SchedLook& a, const SchedLook& b) {
  const auto counted = std::chrono::nanoseconds(b.waited_ns > a.waited_ns ? b.waited_ns - a.waited_ns : 0);
  if (!b.runnable) return counted;
  const auto ran = std::chrono::nanoseconds(b.on_cpu_ns > a.on_cpu_ns ? b.on_cpu_ns - a.on_cpu_ns : 0);
  const auto idle = std::chrono::duration_cast<std::chrono::nanoseconds>(b.at - a.at) - ran;
  return std::max(counted, idle);
}

// The time limit of a run is its own time: on a busy machine (a CI job beside others, a
// fuzzer at a low priority) a run may wait for a CPU longer than it runs, and would be
// called a hang. When the deadline comes, the time the child waited for a CPU since the last
// look is added to it, up to this many times the limit in all, so a run that spins is still
// stopped however busy the machine is; a call blocked for ever waits for no CPU and is
// stopped at the limit.
constexpr int kStarvedCreditMaxLimits = 10;

}  // namespace

void adopt_what_runs_start() {
  g_adopts = ::prctl(PR_SET_CHILD_SUBREAPER, 1) == 0;
}

void isolate_last_words(std::string (*fn)()) { g_last_words = fn; }

void isolate_progress(const char* text) {
  if (g_progress == nullptr) return;
  const bool in_call = g_progress[0] != '\0';
  std::size_t n = 0;
  if (text != nullptr)
    while (n + 1 < kProgressMax && text[n] != '\0') ++n;
  // The time of the outermost call: a call made inside another (from a callback), and the
  // outer one named again when it ends, leave it as it was. Written before a call's text
  // and after a clearing, so that a child killed in between shows no call, never a call
  // without its time.
  auto set_since = [](std::int64_t since) {
    std::memcpy(g_progress + kProgressMax, &since, sizeof since);
    std::atomic_signal_fence(std::memory_order_seq_cst);
  };
  if (n > 0 && !in_call) set_since(monotonic_ns());
  if (n > 0) std::memcpy(g_progress, text, n);
  g_progress[n] = '\0';
  std::atomic_signal_fence(std::memory_order_seq_cst);
  if (n == 0) set_since(0);
}

namespace {
std::uint64_t env_number(const char* name, std::uint64_t fallback) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  char* end = nullptr;
  errno = 0;
  const unsigned long long v = std::strtoull(text, &end, 10);
  return errno != 0 || *end != '\0' ? fallback : v;
}
}  // namespace

ChildLimits child_limits() {
  ChildLimits l;
  l.memory_bytes = env_number("MULTISOCK_CHILD_MEMORY_MB", l.memory_bytes >> 20) << 20;
  l.cpu_seconds = env_number("MULTISOCK_CHILD_CPU_SECONDS", l.cpu_seconds);
  return l;
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

namespace {

// In a child of a fork server: descriptor fd is the progress page.
void adopt_progress(int fd) {
  void* shared = ::mmap(nullptr, kProgressPageBytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (shared != MAP_FAILED) g_progress = static_cast<char*>(shared);
  ::close(fd);
}

// The children of this process (every thread's), from /proc.
// A set of pids of fixed size: a fork server allocates nothing between runs (so every run
// starts from the same heap), and the sweep after each run must not either.
struct Pids {
  static constexpr int kMax = 1024;
  pid_t at[kMax];
  int count = 0;
  void add(pid_t p) {
    if (count < kMax) at[count++] = p;
  }
  bool has(pid_t p) const {
    for (int k = 0; k < count; ++k)
      if (at[k] == p) return true;
    return false;
  }
};

// Reads the numbers of one /proc/self/task/<tid>/children file into out.
void read_children_file(const char* path, Pids& out) {
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  char text[4096];
  std::size_t used = 0;
  for (;;) {
    const ssize_t n = ::read(fd, text + used, sizeof text - 1 - used);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    used += static_cast<std::size_t>(n);
    if (used == sizeof text - 1) break;
  }
  ::close(fd);
  long pid = 0;
  bool in_number = false;
  for (std::size_t k = 0; k < used; ++k) {
    if (text[k] >= '0' && text[k] <= '9') {
      pid = pid * 10 + (text[k] - '0');
      in_number = true;
    } else if (in_number) {
      out.add(static_cast<pid_t>(pid));
      pid = 0;
      in_number = false;
    }
  }
  if (in_number) out.add(static_cast<pid_t>(pid));
}

// The children of this process (every thread's), from /proc, without allocating.
void own_children(Pids& out) {
  out.count = 0;
  const int dir = ::open("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return;
  alignas(8) char entries[4096];
  for (;;) {
    const long n = ::syscall(SYS_getdents64, dir, entries, sizeof entries);
    if (n <= 0) break;
    for (long at = 0; at < n;) {
      const auto* d = reinterpret_cast<const struct dirent64*>(entries + at);
      at += d->d_reclen;
      if (d->d_name[0] == '.') continue;
      char path[sizeof "/proc/self/task//children" + sizeof d->d_name];
      std::snprintf(path, sizeof path, "/proc/self/task/%s/children", d->d_name);
      read_children_file(path, out);
    }
  }
  ::close(dir);
}

// Ends and reaps every child of this process that is not in `keep`: the processes a run
// started that left its process group (setsid) and were handed to this subreaper when
// their parent ended. Ending one hands its own children here too, so again while any is
// left (bounded: a process that forks faster than it is killed is not waited for forever).
void end_adopted(const Pids& keep) {
  static Pids now;  // static: see serve_forks
  for (int round = 0; round < 64; ++round) {
    own_children(now);
    bool any = false;
    for (int k = 0; k < now.count; ++k) {
      const pid_t pid = now.at[k];
      if (keep.has(pid)) continue;
      any = true;
      ::kill(pid, SIGKILL);
      int status = 0;
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
    }
    if (!any) return;
  }
}

// How a child was started: its pid, and how to learn its wait status.
struct Launch {
  pid_t pid = -1;
  std::string error;  // non-empty: no child
  // The child's wait status once it has ended; false when it did not end by the deadline
  // (or its status cannot be had).
  std::function<bool(SteadyClock::time_point deadline, int& status)> wait;
  // Readable once the child has ended (a pidfd, or the fork server's control socket), so
  // the answer is not waited for when a process the child started keeps the pipe open.
  int ended_fd = -1;
  bool close_ended = false;  // ended_fd belongs to the launch (a pidfd): close it after
};

// Starts a child with launch(answer_fd, progress_fd), drains its answer until the deadline,
// kills it when late, and turns its end into an outcome.
RunOutcome run_child(const std::function<Launch(int out_fd, int progress_fd, char* slot)>& launch,
                     std::chrono::milliseconds limit) {
  RunOutcome outcome;
  outcome.exit_status = -1;
  int fds[2];
  // O_CLOEXEC: a fork made by another thread at the same time must not inherit the write
  // end, or our read would never see end-of-file.
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    outcome.error = std::string("pipe2 failed: ") + std::strerror(errno);
    return outcome;
  }
  auto deadline = SteadyClock::now() + limit;
  // The progress page is a memory file, so it can be handed to a child that another
  // process starts (a fork server).
  int progress_fd = ::memfd_create("multisock-progress", MFD_CLOEXEC);
  if (progress_fd >= 0 && ::ftruncate(progress_fd, kProgressPageBytes) != 0) {
    ::close(progress_fd);
    progress_fd = -1;
  }
  void* shared = progress_fd >= 0
                     ? ::mmap(nullptr, kProgressPageBytes, PROT_READ | PROT_WRITE, MAP_SHARED, progress_fd, 0)
                     : MAP_FAILED;
  char* slot = shared == MAP_FAILED ? nullptr : static_cast<char*>(shared);
  if (slot != nullptr) slot[0] = '\0';
  struct Unmap {
    char* slot;
    ~Unmap() {
      if (slot != nullptr) ::munmap(slot, kProgressPageBytes);
    }
  } unmap{slot};
  // What this process had started before the run is not the run's to end.
  Pids keep;
  if (g_adopts) own_children(keep);
  Launch child = launch(fds[1], slot != nullptr ? progress_fd : -1, slot);
  keep.add(child.pid);  // reaped by its own wait
  ::close(fds[1]);
  if (progress_fd >= 0) ::close(progress_fd);
  if (child.pid <= 0) {
    ::close(fds[0]);
    outcome.error = child.error.empty() ? "the child could not be started" : child.error;
    return outcome;
  }

  // The pidfd a launch opened is closed whatever happens below.
  struct CloseEnded {
    int fd;
    ~CloseEnded() {
      if (fd >= 0) ::close(fd);
    }
  } close_ended{child.close_ended ? child.ended_fd : -1};

  // Drain until end-of-file, the child's end or the deadline.
  SchedLook last_look = look_at(child.pid);
  std::chrono::nanoseconds credit{0};
  const auto credit_max = std::chrono::nanoseconds(limit) * kStarvedCreditMaxLimits;
  bool timed_out = false;
  bool too_long = false;
  char buffer[65536];
  // One read: true while there may be more (data came), false at end-of-file, on error,
  // when nothing is there (non-blocking) or when the answer is too long.
  auto read_some = [&] {
    for (;;) {
      const ssize_t n = ::read(fds[0], buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      outcome.payload.append(buffer, static_cast<size_t>(n));
      too_long = outcome.payload.size() > kAnswerMax;
      return !too_long;
    }
  };
  for (;;) {
    pollfd p[2] = {{fds[0], POLLIN, 0}, {child.ended_fd, POLLIN, 0}};
    const int ready = ::poll(p, child.ended_fd >= 0 ? 2 : 1, millis_left(deadline));
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) {
      const SchedLook now = look_at(child.pid);
      const auto more = std::min(waited_between(last_look, now), credit_max - credit);
      last_look = now;
      if (more >= std::chrono::milliseconds(1)) {
        credit += more;
        deadline += std::chrono::duration_cast<SteadyClock::duration>(more);
        continue;
      }
      timed_out = true;
      break;
    }
    if (ready < 0) break;
    if (p[0].revents != 0) {
      if (!read_some()) break;
      continue;
    }
    if (p[1].revents != 0) {
      // Ended, yet the pipe is open elsewhere (a process it started): take what is in it.
      ::fcntl(fds[0], F_SETFL, O_NONBLOCK);
      while (read_some()) {
      }
      break;
    }
  }
  // A child past its limit is asked for its last words (isolate_last_words) before it is
  // killed: they are whole once the pipe ends within the grace (the child's exit status,
  // learnt below, says they were given).
  bool last_words = false;
  if (timed_out && !too_long && ::syscall(SYS_tgkill, child.pid, child.pid, kStopSignal) == 0) {
    const auto until = SteadyClock::now() + kStopGrace;
    for (;;) {
      pollfd p{fds[0], POLLIN, 0};
      const int ready = ::poll(&p, 1, millis_left(until));
      if (ready < 0 && errno == EINTR) continue;
      if (ready <= 0) break;
      if (!read_some()) {
        last_words = !too_long;
        break;
      }
    }
  }
  ::close(fds[0]);

  // A child that closed the pipe may still be finishing: wait for it until the deadline.
  int status = 0;
  bool ended = !timed_out && !too_long && child.wait(deadline, status);
  // Whatever the child started dies with it: its process group, and (in a subreaper) what
  // left the group.
  auto end_group = [&] {
    ::kill(-child.pid, SIGKILL);
    if (g_adopts) end_adopted(keep);
  };
  if (!ended) {
    ::kill(child.pid, SIGKILL);
    end_group();
    if (!child.wait(SteadyClock::now() + std::chrono::seconds(5), status)) {
      outcome.error = "the child's end cannot be learnt";
      return outcome;
    }
    if (too_long) {
      outcome.kind = RunKind::error;
      outcome.payload.clear();
      outcome.error = "the child's answer passed " + std::to_string(kAnswerMax >> 20) + " MiB: killed";
      return outcome;
    }
    outcome.kind = RunKind::hang;
    outcome.progress = read_progress(slot);
    outcome.progress_ms = progress_age_ms(slot);
    if (!last_words || !WIFEXITED(status) || WEXITSTATUS(status) != kStoppedStatus) outcome.payload.clear();
    outcome.error = "still running after " + std::to_string(limit.count()) + " ms: killed";
    return outcome;
  }
  end_group();
  if (WIFSIGNALED(status)) {
    outcome.kind = RunKind::crash;
    outcome.signal = WTERMSIG(status);
    outcome.signal_name = signal_name(outcome.signal);
    outcome.error = "killed by " + outcome.signal_name;
    outcome.progress = read_progress(slot);
    // Kept: what the child wrote before it died (its last words, if its handler got them
    // out), whole or cut short; the reader decodes it or leaves it.
    return outcome;
  }
  outcome.exit_status = WEXITSTATUS(status);
  if (outcome.exit_status == 0) {
    outcome.kind = RunKind::ok;
    return outcome;
  }
  outcome.kind = RunKind::error;
  outcome.progress = read_progress(slot);  // a child may end itself inside a call
  outcome.error = outcome.exit_status == kBodyThrewStatus
                      ? "the body threw: " + outcome.payload
                      : "exited with status " + std::to_string(outcome.exit_status);
  return outcome;
}

// A descriptor number near the top of what the process may open (at most 1000).
int high_descriptor() {
  rlimit files{};
  if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur != RLIM_INFINITY && files.rlim_cur < 1001)
    return static_cast<int>(files.rlim_cur) - 1;
  return 1000;
}

// Waits for our own child, polling (waitpid has no timeout).
bool wait_own(pid_t pid, SteadyClock::time_point deadline, int& status) {
  for (;;) {
    const pid_t reaped = ::waitpid(pid, &status, WNOHANG);
    if (reaped == pid) return true;
    if (reaped < 0 && errno != EINTR) return false;
    if (millis_left(deadline) == 0) return false;
    const timespec pause{0, 1'000'000};
    ::nanosleep(&pause, nullptr);
  }
}

// ---- the fork server's wire: one line per message on a stream socket, descriptors with
// the run request ("run\n" + SCM_RIGHTS: input, answer, progress).

bool send_line(int fd, const char* text, const int* fds, int count) {
  iovec iov{const_cast<char*>(text), std::strlen(text)};
  msghdr m{};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 3)] = {};
  if (count > 0) {
    m.msg_control = control;
    m.msg_controllen = CMSG_SPACE(sizeof(int) * static_cast<unsigned>(count));
    cmsghdr* c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * static_cast<unsigned>(count));
    std::memcpy(CMSG_DATA(c), fds, sizeof(int) * static_cast<unsigned>(count));
  }
  for (;;) {
    const ssize_t n = ::sendmsg(fd, &m, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    return n == static_cast<ssize_t>(iov.iov_len);
  }
}

// Reads one line (up to '\n', at most size - 1 bytes) and any descriptors sent with it;
// false at end-of-file, on error or at the deadline (deadline: none when max()).
bool recv_line(int fd, char* out, std::size_t size, int* fds, int* count,
               SteadyClock::time_point deadline = SteadyClock::time_point::max()) {
  std::size_t used = 0;
  if (count != nullptr) *count = 0;
  while (used + 1 < size) {
    if (deadline != SteadyClock::time_point::max()) {
      pollfd p{fd, POLLIN, 0};
      const int ready = ::poll(&p, 1, millis_left(deadline));
      if (ready < 0 && errno == EINTR) continue;
      if (ready <= 0) return false;
    }
    char c;
    iovec iov{&c, 1};
    msghdr m{};
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 3)];
    m.msg_control = control;
    m.msg_controllen = sizeof control;
    const ssize_t n = ::recvmsg(fd, &m, MSG_CMSG_CLOEXEC);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    for (cmsghdr* h = CMSG_FIRSTHDR(&m); h != nullptr; h = CMSG_NXTHDR(&m, h)) {
      if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS || fds == nullptr) continue;
      const int k = static_cast<int>((h->cmsg_len - CMSG_LEN(0)) / sizeof(int));
      std::memcpy(fds + *count, CMSG_DATA(h), sizeof(int) * static_cast<unsigned>(std::min(k, 3 - *count)));
      *count += std::min(k, 3 - *count);
    }
    if (c == '\n') break;
    out[used++] = c;
  }
  out[used] = '\0';
  return true;
}

}  // namespace

RunOutcome run_isolated(std::function<std::string()> body, std::chrono::milliseconds limit) {
  return run_child(
      [&](int out_fd, int, char* slot) {
        Launch l;
        l.pid = ::fork();
        if (l.pid < 0) {
          l.error = std::string("fork failed: ") + std::strerror(errno);
          return l;
        }
        if (l.pid == 0) {
          g_progress = slot;  // the page mapped before the fork is shared with the parent
          child_main(out_fd, body);
        }
        ::setpgid(l.pid, l.pid);  // also here: the group exists before either side goes on
        l.ended_fd = static_cast<int>(::syscall(SYS_pidfd_open, l.pid, 0));
        l.close_ended = l.ended_fd >= 0;
        l.wait = [pid = l.pid](SteadyClock::time_point deadline, int& status) {
          return wait_own(pid, deadline, status);
        };
        return l;
      },
      limit);
}

// ---- ForkServer ---------------------------------------------------------------------------

ForkServer::ForkServer(const std::vector<std::string>& argv, std::chrono::milliseconds start_limit) {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
    error_ = std::string("socketpair failed: ") + std::strerror(errno);
    return;
  }
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_ = ::fork();
  if (pid_ < 0) {
    error_ = std::string("fork failed: ") + std::strerror(errno);
    ::close(sv[0]);
    ::close(sv[1]);
    return;
  }
  if (pid_ == 0) {
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    ::personality(ADDR_NO_RANDOMIZE);
    ::dup2(sv[1], 0);  // the control socket; stdout and stderr stay
    ::close_range(3, ~0U, 0);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(sv[1]);
  control_ = sv[0];
  char line[4096];
  if (!recv_line(control_, line, sizeof line, nullptr, nullptr, SteadyClock::now() + start_limit)) {
    error_ = argv.front() + " did not start as a fork server";
    stop();
    return;
  }
  if (std::strncmp(line, "ready", 5) != 0) {
    error_ = std::strncmp(line, "error ", 6) == 0 ? std::string(line + 6) : std::string(line);
    stop();
  }
}

ForkServer::~ForkServer() { stop(); }

void ForkServer::stop() {
  if (control_ >= 0) ::close(control_);  // the server ends at end-of-file
  control_ = -1;
  if (pid_ > 0) {
    int status = 0;
    if (!wait_own(pid_, SteadyClock::now() + std::chrono::seconds(2), status)) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
    }
    ::kill(-pid_, SIGKILL);  // anything the library started at load time
  }
  pid_ = -1;
}

RunOutcome ForkServer::run(const std::string& input, std::chrono::milliseconds limit) {
  if (control_ < 0) {
    RunOutcome o;
    o.exit_status = -1;
    o.error = error_.empty() ? "the fork server is not running" : error_;
    return o;
  }
  const int in_fd = ::memfd_create("multisock-input", MFD_CLOEXEC);
  if (in_fd < 0) {
    RunOutcome o;
    o.exit_status = -1;
    o.error = std::string("memfd_create failed: ") + std::strerror(errno);
    return o;
  }
  write_all(in_fd, input.data(), input.size());
  ::lseek(in_fd, 0, SEEK_SET);
  RunOutcome o = run_child(
      [&](int out_fd, int progress_fd, char*) {
        Launch l;
        const int fds[3] = {in_fd, out_fd, progress_fd >= 0 ? progress_fd : in_fd};
        char line[64];
        if (!send_line(control_, "run\n", fds, 3) || !recv_line(control_, line, sizeof line, nullptr, nullptr) ||
            std::strncmp(line, "pid ", 4) != 0) {
          l.error = "the fork server stopped answering";
          return l;
        }
        l.pid = static_cast<pid_t>(std::strtol(line + 4, nullptr, 10));
        l.ended_fd = control_;  // the server tells the child's status when it ends
        l.wait = [this](SteadyClock::time_point deadline, int& status) {
          char reply[64];
          if (!recv_line(control_, reply, sizeof reply, nullptr, nullptr, deadline)) return false;
          if (std::strncmp(reply, "status ", 7) != 0) return false;
          status = static_cast<int>(std::strtol(reply + 7, nullptr, 10));
          return true;
        };
        return l;
      },
      limit);
  ::close(in_fd);
  if (!o.error.empty() && o.kind == RunKind::error && o.exit_status == -1) {
    // The server itself is gone or out of step: later runs must not trust it.
    stop();
    error_ = o.error;
  }
  return o;
}

int serve_forks(const std::function<std::string()>& prepare, const std::function<std::string()>& body) {
  const int control = 0;
  apply_limits(false);  // loading the library is third-party code too
  adopt_what_runs_start();
  const std::string error = prepare();
  if (!error.empty()) {
    const std::string line = "error " + error + "\n";
    send_line(control, line.c_str(), nullptr, 0);
    return 1;
  }
  send_line(control, "ready\n", nullptr, 0);
  // What loading the library started lives as long as this server; at its end it is ended.
  // Static, not on the stack: a run's child starts with the stack depth it always had, so a
  // library whose behaviour follows its addresses behaves as before.
  static Pids loaded, keep;
  own_children(loaded);
  struct EndAll {
    ~EndAll() {
      static const Pids none{};
      end_adopted(none);
    }
  } end_all;
  // From here on nothing is allocated between runs: every child starts from the same state.
  for (;;) {
    char line[64];
    int fds[3] = {-1, -1, -1};
    int count = 0;
    if (!recv_line(control, line, sizeof line, fds, &count)) return 0;
    if (std::strcmp(line, "run") != 0 || count != 3) {
      for (int i = 0; i < count; ++i) ::close(fds[i]);
      return 1;
    }
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::dup2(fds[0], 0);  // the request (the control socket is not the child's)
      // The answer far above the numbers a run's own files and sockets take.
      const int out = ::fcntl(fds[1], F_DUPFD_CLOEXEC, high_descriptor());
      const int progress = ::fcntl(fds[2], F_DUPFD_CLOEXEC, 10);
      for (int fd : fds) ::close(fd);
      adopt_progress(progress);
      child_main(out, body);
    }
    if (pid > 0) ::setpgid(pid, pid);
    for (int fd : fds) ::close(fd);
    keep = loaded;
    keep.add(pid);
    char reply[64];
    std::snprintf(reply, sizeof reply, "pid %d\n", static_cast<int>(pid));
    if (!send_line(control, reply, nullptr, 0)) return 1;
    int status = 0;
    if (pid > 0) {
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      ::kill(-pid, SIGKILL);  // its group, and what left the group (this is their subreaper)
      end_adopted(keep);
    } else {
      status = 127 << 8;
    }
    std::snprintf(reply, sizeof reply, "status %d\n", status);
    if (!send_line(control, reply, nullptr, 0)) return 1;
  }
}

}  // namespace ms::conf

// SPDX-License-Identifier: MIT
// Child-process isolation: every outcome kind, pipe draining, and no leftovers.
#include <dirent.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <ctime>
#include <cstdlib>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

#include "conformance/isolate.hpp"

namespace ms::conf {
namespace {

using std::chrono::milliseconds;

int open_descriptor_count() {
  int count = 0;
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  while (const dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] != '.') ++count;
  }
  ::closedir(dir);
  return count;
}

// True when this process has no child left, reaped or not.
bool no_children() {
  errno = 0;
  return ::waitpid(-1, nullptr, WNOHANG) == -1 && errno == ECHILD;
}

std::string pattern(size_t size) {
  std::string bytes(size, '\0');
  for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<char>((i * 131 + i / 7) & 0xff);
  return bytes;
}

TEST(RunIsolated_Ok, ReturnsLargePayloadIntact) {
  const std::string expected = pattern((3u << 20) + 17);  // far beyond a pipe's capacity
  const int fds_before = open_descriptor_count();
  const RunOutcome out = run_isolated([&] { return pattern(expected.size()); }, milliseconds(20000));
  EXPECT_EQ(out.kind, RunKind::ok) << out.error;
  EXPECT_EQ(out.exit_status, 0);
  EXPECT_EQ(out.payload.size(), expected.size());
  EXPECT_TRUE(out.payload == expected);
  EXPECT_EQ(open_descriptor_count(), fds_before);
  EXPECT_TRUE(no_children());
}

TEST(RunIsolated_Ok, EmptyPayload) {
  const RunOutcome out = run_isolated([] { return std::string(); }, milliseconds(20000));
  EXPECT_EQ(out.kind, RunKind::ok) << out.error;
  EXPECT_TRUE(out.payload.empty());
}

TEST(RunIsolated_Crash, ReportsSegfaultSignal) {
  const int fds_before = open_descriptor_count();
  const RunOutcome out = run_isolated(
      [] {
        ::raise(SIGSEGV);
        return std::string("not reached");
      },
      milliseconds(20000));
  EXPECT_EQ(out.kind, RunKind::crash);
  EXPECT_EQ(out.signal, SIGSEGV);
  EXPECT_EQ(out.signal_name, "SIGSEGV");
  EXPECT_TRUE(out.payload.empty());
  EXPECT_EQ(open_descriptor_count(), fds_before);
  EXPECT_TRUE(no_children());
}

TEST(RunIsolated_Crash, ReportsAbort) {
  const RunOutcome out = run_isolated(
      []() -> std::string {
        std::abort();
      },
      milliseconds(20000));
  EXPECT_EQ(out.kind, RunKind::crash);
  EXPECT_EQ(out.signal_name, "SIGABRT");
}

// A crash's last words (isolate_last_words) come back in the payload, and the crash is the
// signal's as before; words that never end cost at most a second; a stack overflowed by
// runaway recursion still gives them (the handler has a stack of its own).
std::string crash_words() { return "up to the call that crashed"; }
std::string stuck_words() {
  for (;;) ::pause();
}
volatile int g_depth_limit = 1 << 30;  // never reached: the stack ends first
int recurse(int n) {
  volatile char frame[512];
  frame[0] = static_cast<char>(n);
  if (n >= g_depth_limit) return frame[0];
  return recurse(n + 1) + frame[0];
}

TEST(RunIsolated_Crash, ACrashGivesItsLastWordsAndStaysACrash) {
  const RunOutcome segv = run_isolated(
      [] {
        isolate_last_words(&crash_words);
        ::raise(SIGSEGV);
        return std::string("not reached");
      },
      milliseconds(20000));
  EXPECT_EQ(segv.kind, RunKind::crash);
  EXPECT_EQ(segv.signal_name, "SIGSEGV");
  EXPECT_EQ(segv.payload, crash_words());
  const RunOutcome abort = run_isolated(
      []() -> std::string {
        isolate_last_words(&crash_words);
        std::abort();
      },
      milliseconds(20000));
  EXPECT_EQ(abort.kind, RunKind::crash);
  EXPECT_EQ(abort.signal_name, "SIGABRT");
  EXPECT_EQ(abort.payload, crash_words());
  const RunOutcome overflow = run_isolated(
      [] {
        isolate_last_words(&crash_words);
        return std::to_string(recurse(0));
      },
      milliseconds(20000));
  EXPECT_EQ(overflow.kind, RunKind::crash);
  EXPECT_EQ(overflow.signal_name, "SIGSEGV");
  EXPECT_EQ(overflow.payload, crash_words());
  EXPECT_TRUE(no_children());
}

TEST(RunIsolated_Crash, LastWordsThatNeverEndLeaveTheCrashWithinASecond) {
  const auto start = std::chrono::steady_clock::now();
  const RunOutcome out = run_isolated(
      [] {
        isolate_last_words(&stuck_words);
        ::raise(SIGBUS);
        return std::string("not reached");
      },
      milliseconds(20000));
  EXPECT_EQ(out.kind, RunKind::crash);
  EXPECT_EQ(out.signal_name, "SIGBUS");
  EXPECT_EQ(out.payload, "");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(4));
  EXPECT_TRUE(no_children());
}

TEST(RunIsolated_Hang, KillsAndReapsChildAtDeadline) {
  const int fds_before = open_descriptor_count();
  const RunOutcome out = run_isolated(
      [] {
        for (;;) ::pause();
        return std::string();
      },
      milliseconds(200));
  EXPECT_EQ(out.kind, RunKind::hang);
  EXPECT_NE(out.error.find("200 ms"), std::string::npos) << out.error;
  EXPECT_EQ(open_descriptor_count(), fds_before);
  EXPECT_TRUE(no_children());
}

// A hang's last words (isolate_last_words) come back in the payload; a child that has none,
// or whose last words never end, is a hang without them, stopped within the grace.
std::string spoken() { return "up to the call in progress"; }
std::string never_spoken() {
  for (;;) ::pause();
}

TEST(RunIsolated_Hang, AHangGivesItsLastWords) {
  const RunOutcome out = run_isolated(
      [] {
        isolate_last_words(&spoken);
        for (;;) ::pause();
        return std::string();
      },
      milliseconds(200));
  EXPECT_EQ(out.kind, RunKind::hang);
  EXPECT_EQ(out.payload, spoken());
  EXPECT_TRUE(no_children());
}

TEST(RunIsolated_Hang, WithoutLastWordsOrWhenTheyNeverEndTheHangHasNone) {
  for (std::string (*fn)() : {static_cast<std::string (*)()>(nullptr), &never_spoken}) {
    const auto start = std::chrono::steady_clock::now();
    const RunOutcome out = run_isolated(
        [fn] {
          isolate_last_words(fn);
          for (;;) ::pause();
          return std::string();
        },
        milliseconds(200));
    EXPECT_EQ(out.kind, RunKind::hang);
    EXPECT_EQ(out.payload, "");
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(4));
    EXPECT_TRUE(no_children());
  }
}

// Spends `cpu` of the calling thread's CPU time.
void burn(std::chrono::nanoseconds cpu) {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  const std::int64_t until = ts.tv_sec * 1'000'000'000LL + ts.tv_nsec + cpu.count();
  do ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  while (ts.tv_sec * 1'000'000'000LL + ts.tv_nsec < until);
}

// Keeps one CPU busy at normal priority while it lives; a child pinned to that CPU at the
// lowest priority (starve_here) gets about 1.5% of it, so it waits for the CPU far longer
// than it runs, as a run on a busy machine does.
class BusyCpu {
 public:
  BusyCpu() {
    CPU_ZERO(&cpu_);
    CPU_SET(::sched_getcpu(), &cpu_);
    thread_ = std::thread([this] {
      ::sched_setaffinity(0, sizeof cpu_, &cpu_);
      while (!stop_.load(std::memory_order_relaxed)) {
      }
    });
  }
  ~BusyCpu() {
    stop_ = true;
    thread_.join();
  }
  void starve_here() const {
    ::sched_setaffinity(0, sizeof cpu_, &cpu_);
    ::setpriority(PRIO_PROCESS, 0, 19);
  }

 private:
  cpu_set_t cpu_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST(RunIsolated_Hang, TimeSpentWaitingForACpuIsNotTheRunsOwn) {
  // 10 ms of work with a 300 ms limit, on a CPU this process keeps busy: the child waits
  // for the CPU for half a second or more, and is not called a hang for it. (About 0.65 s
  // here when idle; under four more spinning processes up to 2.3 s, past the 2.2 s
  // ceiling, 11 limits, that a 200 ms limit gave: now 3.3 s.)
#if defined(__SANITIZE_ADDRESS__)
  // Under ASan with leak detection the starved child sometimes spends its limit not
  // runnable, which no scheduler figure counts as waiting for a CPU: 3 runs in 120 failed
  // with the other CPU busy, none in 80 with ASAN_OPTIONS=detect_leaks=0, none in 60 of
  // the plain build, which runs it.
  GTEST_SKIP() << "ASan's leak detection changes how the starved child waits";
#endif
  //
  // Up to three attempts, one of which must show it: on a machine that other jobs load, the
  // starved child was once killed at 594 ms in a clean CI run (854 tests, two at a time),
  // having spent its limit in a state no scheduler figure counts as waiting for a CPU. A run
  // whose waits were charged to it would be killed in every attempt.
  const BusyCpu busy;
  std::string failures;
  bool shown = false;
  for (int attempt = 1; attempt <= 3 && !shown; ++attempt) {
    const auto start = std::chrono::steady_clock::now();
    const RunOutcome out = run_isolated(
        [&busy] {
          busy.starve_here();
          burn(milliseconds(10));
          return std::string("done");
        },
        milliseconds(300));
    const auto wall = std::chrono::steady_clock::now() - start;
    EXPECT_TRUE(no_children());
    // Otherwise the child did not wait, and the attempt showed nothing.
    shown = out.kind == RunKind::ok && out.payload == "done" && wall > milliseconds(300);
    if (!shown)
      failures += "attempt " + std::to_string(attempt) + ": " + to_string(out.kind) + " after " +
                  std::to_string(std::chrono::duration_cast<milliseconds>(wall).count()) + " ms (" + out.error + ")\n";
  }
  EXPECT_TRUE(shown) << failures;
}

TEST(RunIsolated_Hang, ASpinningChildIsStoppedHoweverLongItWaitsForACpu) {
  // The time it waited for a CPU is added to its limit ten times over at most: a run that
  // never ends is stopped within 11 limits, on the busiest machine.
  const BusyCpu busy;
  const auto start = std::chrono::steady_clock::now();
  const RunOutcome out = run_isolated(
      [&busy] {
        busy.starve_here();
        for (;;) burn(milliseconds(1));
        return std::string();
      },
      milliseconds(100));
  const auto wall = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(out.kind, RunKind::hang);
  EXPECT_LT(wall, milliseconds(100) * 11 + milliseconds(1000));
  EXPECT_TRUE(no_children());
}

TEST(RunIsolated_Hang, ChildThatClosedItsPipeButLingersIsStillKilled) {
  const RunOutcome out = run_isolated(
      [] {
        // Close every descriptor the parent could be reading, then hang.
        for (int fd = 3; fd < 1024; ++fd) ::close(fd);
        for (;;) ::pause();
        return std::string();
      },
      milliseconds(200));
  EXPECT_EQ(out.kind, RunKind::hang);
  EXPECT_TRUE(no_children());
}

// ---- what a child may not do to the harness ------------------------------------------------

TEST(RunIsolated_Processes, AGrandchildHoldingThePipeNeitherDelaysNorOutlivesTheRun) {
  int report[2];
  ASSERT_EQ(::pipe(report), 0);
  const auto start = std::chrono::steady_clock::now();
  const RunOutcome out = run_isolated(
      [&] {
        const pid_t grandchild = ::fork();
        if (grandchild == 0) {
          for (;;) ::pause();  // keeps every descriptor, the answer pipe included
        }
        const std::string pid = std::to_string(grandchild);
        (void)!::write(report[1], pid.data(), pid.size());
        return std::string("answer");
      },
      milliseconds(5000));
  ::close(report[1]);
  char text[32] = {};
  ASSERT_GT(::read(report[0], text, sizeof text - 1), 0);
  ::close(report[0]);
  EXPECT_EQ(out.kind, RunKind::ok) << out.error;
  EXPECT_EQ(out.payload, "answer");
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(3000)) << "waited for the grandchild";
  const pid_t grandchild = static_cast<pid_t>(std::atoi(text));
  // Killed with the child's process group (a zombie until its parent, init, reaps it).
  bool gone = false;
  for (int i = 0; i < 200 && !gone; ++i) {
    const std::string stat_path = "/proc/" + std::to_string(grandchild) + "/stat";
    FILE* f = std::fopen(stat_path.c_str(), "r");
    char state = 'X';
    if (f != nullptr) {
      if (std::fscanf(f, "%*d %*s %c", &state) != 1) state = 'X';
      std::fclose(f);
    }
    gone = state == 'X' || state == 'Z';
    if (!gone) std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_TRUE(gone) << "grandchild " << grandchild << " outlived the run";
  if (!gone) ::kill(grandchild, SIGKILL);
}

// The state of a process ('X' when there is none).
char process_state(pid_t pid) {
  const std::string stat_path = "/proc/" + std::to_string(pid) + "/stat";
  FILE* f = std::fopen(stat_path.c_str(), "r");
  char state = 'X';
  if (f != nullptr) {
    if (std::fscanf(f, "%*d %*s %c", &state) != 1) state = 'X';
    std::fclose(f);
  }
  return state;
}

TEST(RunIsolated_Processes, AnOrphanThatLeftTheGroupIsEndedAndReapedBySubreaper) {
  adopt_what_runs_start();
  // A child this process started before the run is not the run's: it must survive.
  const pid_t bystander = ::fork();
  if (bystander == 0) {
    for (;;) ::pause();
  }
  int report[2];
  ASSERT_EQ(::pipe(report), 0);
  const RunOutcome out = run_isolated(
      [&] {
        const pid_t daemon = ::fork();
        if (daemon == 0) {
          ::setsid();  // out of the run's process group
          const pid_t orphan = ::fork();
          if (orphan == 0) {
            for (;;) ::pause();
          }
          const std::string pid = std::to_string(orphan);
          (void)!::write(report[1], pid.data(), pid.size());
          ::_exit(0);
        }
        ::waitpid(daemon, nullptr, 0);
        return std::string("answer");
      },
      milliseconds(5000));
  ::close(report[1]);
  char text[32] = {};
  ASSERT_GT(::read(report[0], text, sizeof text - 1), 0);
  ::close(report[0]);
  EXPECT_EQ(out.kind, RunKind::ok) << out.error;
  const pid_t orphan = static_cast<pid_t>(std::atoi(text));
  // Reaped at once by this process (its subreaper): no process at all, not even a zombie.
  EXPECT_EQ(process_state(orphan), 'X') << "orphan " << orphan << " outlived the run";
  if (process_state(orphan) != 'X') ::kill(orphan, SIGKILL);
  EXPECT_NE(process_state(bystander), 'X') << "a child from before the run was ended";
  ::kill(bystander, SIGKILL);
  ::waitpid(bystander, nullptr, 0);
  EXPECT_TRUE(no_children());
}

TEST(RunIsolated_Limits, TheChildRunsUnderLimitsAndWritesNothingToStandardOutput) {
  const RunOutcome out = run_isolated(
      [] {
        rlimit files{}, cpu{}, fsize{};
        ::getrlimit(RLIMIT_NOFILE, &files);
        ::getrlimit(RLIMIT_CPU, &cpu);
        ::getrlimit(RLIMIT_FSIZE, &fsize);
        const bool stdout_is_stderr = [] {
          struct stat a{}, b{};
          return ::fstat(1, &a) == 0 && ::fstat(2, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev;
        }();
        return std::to_string(files.rlim_cur) + " " + std::to_string(cpu.rlim_cur) + " " +
               std::to_string(fsize.rlim_cur) + " " + (stdout_is_stderr ? "1" : "0") + " " +
               std::to_string(::getpgid(0) == ::getpid());
      },
      milliseconds(5000));
  ASSERT_EQ(out.kind, RunKind::ok) << out.error;
  const ChildLimits l = child_limits();
  rlimit ours{};
  ::getrlimit(RLIMIT_NOFILE, &ours);  // a tighter limit of the parent's stays
  EXPECT_EQ(out.payload, std::to_string(std::min<std::uint64_t>(l.open_files, ours.rlim_cur)) + " " +
                             std::to_string(l.cpu_seconds) + " " + std::to_string(l.file_bytes) + " 1 1")
      << "open files, CPU seconds, file size, stdout sent to stderr, own process group";
}

TEST(RunIsolated_Progress, CrashNamesTheLastProgress) {
  const RunOutcome out = run_isolated(
      [] {
        isolate_progress("first call");
        isolate_progress("curl_multi_socket_action(NULL, ...)");
        ::raise(SIGSEGV);
        return std::string("not reached");
      },
      milliseconds(20000));
  EXPECT_EQ(out.kind, RunKind::crash);
  EXPECT_EQ(out.progress, "curl_multi_socket_action(NULL, ...)");
}

TEST(RunIsolated_Progress, HangNamesTheLastProgressAndClearedMeansEmpty) {
  const RunOutcome hung = run_isolated(
      [] {
        isolate_progress("curl_multi_cleanup");
        for (;;) ::pause();
        return std::string();
      },
      milliseconds(200));
  EXPECT_EQ(hung.kind, RunKind::hang);
  EXPECT_EQ(hung.progress, "curl_multi_cleanup");
  const RunOutcome cleared = run_isolated(
      [] {
        isolate_progress("a call");
        isolate_progress(nullptr);
        ::raise(SIGSEGV);
        return std::string();
      },
      milliseconds(20000));
  EXPECT_EQ(cleared.kind, RunKind::crash);
  EXPECT_EQ(cleared.progress, "");
}

// At the deadline, how long the outermost call in progress had run: about the whole run
// for one that never returned (whatever calls its callbacks made inside it), next to
// nothing for calls that keep returning.
TEST(RunIsolated_Progress, AHangTellsHowLongTheCallInProgressHadRun) {
  const RunOutcome stuck = run_isolated(
      [] {
        isolate_progress("curl_multi_socket_action");
        for (;;) {  // a callback's call inside it, then the outer call named again
          isolate_progress("curl_multi_timeout (in a callback)");
          isolate_progress("curl_multi_socket_action");
        }
        return std::string();
      },
      milliseconds(1000));
  EXPECT_EQ(stuck.kind, RunKind::hang);
  EXPECT_NE(stuck.progress.find("curl_multi_"), std::string::npos);
  EXPECT_GE(stuck.progress_ms, 500);
  const RunOutcome busy = run_isolated(
      [] {
        for (;;) {
          isolate_progress("curl_multi_socket_action");
          isolate_progress(nullptr);
        }
        return std::string();
      },
      milliseconds(1000));
  EXPECT_EQ(busy.kind, RunKind::hang);
  if (busy.progress.empty()) {
    EXPECT_EQ(busy.progress_ms, -1);
  } else {
    EXPECT_GE(busy.progress_ms, 0);
    EXPECT_LT(busy.progress_ms, 250);
  }
  // Cleared: no call, so no age.
  const RunOutcome idle = run_isolated(
      [] {
        isolate_progress("a call");
        isolate_progress(nullptr);
        for (;;) ::pause();
        return std::string();
      },
      milliseconds(300));
  EXPECT_EQ(idle.kind, RunKind::hang);
  EXPECT_EQ(idle.progress, "");
  EXPECT_EQ(idle.progress_ms, -1);
}

TEST(RunIsolated_Progress, LongTextIsCutAndParentIsUntouched) {
  isolate_progress("in the parent: ignored");  // no slot here: must not crash
  const std::string long_text(kProgressMax * 2, 'x');
  const RunOutcome out = run_isolated(
      [&] {
        isolate_progress(long_text.c_str());
        std::abort();
        return std::string();
      },
      milliseconds(20000));
  EXPECT_EQ(out.kind, RunKind::crash);
  EXPECT_EQ(out.progress, std::string(kProgressMax - 1, 'x'));
}

TEST(RunIsolated_Error, ReportsNonZeroExit) {
  const RunOutcome out = run_isolated(
      []() -> std::string {
        ::_exit(3);
      },
      milliseconds(20000));
  EXPECT_EQ(out.kind, RunKind::error);
  EXPECT_EQ(out.exit_status, 3);
  EXPECT_NE(out.error.find("status 3"), std::string::npos) << out.error;
  EXPECT_TRUE(no_children());
}

TEST(RunIsolated_Error, ReportsExceptionText) {
  const RunOutcome out = run_isolated(
      []() -> std::string { throw std::runtime_error("target refused"); }, milliseconds(20000));
  EXPECT_EQ(out.kind, RunKind::error);
  EXPECT_EQ(out.exit_status, kBodyThrewStatus);
  EXPECT_EQ(out.payload, "target refused");
  EXPECT_NE(out.error.find("target refused"), std::string::npos);
}

TEST(RunKind_ToString, NamesEveryKind) {
  EXPECT_STREQ(to_string(RunKind::ok), "ok");
  EXPECT_STREQ(to_string(RunKind::crash), "crash");
  EXPECT_STREQ(to_string(RunKind::hang), "hang");
  EXPECT_STREQ(to_string(RunKind::error), "error");
}

}  // namespace
}  // namespace ms::conf

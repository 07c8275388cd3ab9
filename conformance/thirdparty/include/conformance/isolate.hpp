// SPDX-License-Identifier: MIT
// isolate.hpp: run a piece of work in a child process, so that a crash or a hang of
// third-party code becomes a finding instead of taking the harness down with it.
//
// How it works: fork(); the child runs the body, writes the returned bytes into a pipe
// and leaves with _exit(0) (no atexit handlers, no flushing of the parent's stdio
// buffers). The parent drains the pipe while waiting, so a child writing more than the
// pipe's capacity never blocks, and stops at a deadline: a child still running then is
// killed with SIGKILL and reaped. The child gets the default action for the crash
// signals (SEGV, BUS, ILL, FPE, ABRT) and no core file, so a crash is reported as the
// signal it was, quickly, even in a process whose own handlers would catch it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace ms::conf {

enum class RunKind {
  ok,     // the body returned and the child exited 0
  crash,  // the child died from a signal
  hang,   // still running at the deadline (the limit, plus the time it waited for a CPU,
          // up to ten limits more): killed
  error,  // the child exited non-zero (the body threw, or called exit), or fork/pipe failed
};
const char* to_string(RunKind kind);

struct RunOutcome {
  RunKind kind = RunKind::error;
  int signal = 0;           // crash: the signal's number
  std::string signal_name;  // crash: "SIGSEGV"
  int exit_status = 0;      // error: the child's exit status (-1 when there was no child)
  std::string payload;      // ok: the body's result; error: what the child wrote, if any;
                            // hang: its last words (isolate_last_words), or empty;
                            // crash: what it wrote before it died (its last words, whole
                            // or cut short), or empty
  std::string error;        // error: a sentence saying what went wrong
  // crash, hang, error: the last text the child gave isolate_progress() ("" when none), so the
  // verdict can name the call that was in progress.
  std::string progress;
  // hang: how long that call had been running when the child was killed, in ms (-1: no
  // call, or not known). Much less than the limit: the calls return, the run goes on.
  std::int64_t progress_ms = -1;
};

// The limits of every process that runs third-party code (a run's child, a fork server
// and its children; loading a library included), so a library that allocates, spins,
// opens or writes without bound ends as a crash of its run (SIGSEGV or SIGABRT when an
// allocation fails, SIGXCPU, SIGXFSZ) instead of taking the machine. Each process also
// gets a process group of its own (whatever it starts is killed with it), dies with its
// parent, and has its standard output sent to standard error. A limit the user set
// that is tighter stays. Environment: MULTISOCK_CHILD_MEMORY_MB,
// MULTISOCK_CHILD_CPU_SECONDS (0: no limit). No address-space limit in a process with a
// sanitizer runtime (its shadow memory is reserved address space).
struct ChildLimits {
  std::uint64_t memory_bytes = std::uint64_t{4} << 30;  // address space
  std::uint64_t cpu_seconds = 300;                       // per run, not for a fork server
  std::uint64_t open_files = 4096;
  std::uint64_t file_bytes = std::uint64_t{1} << 30;     // largest file it may write
};
ChildLimits child_limits();

// The largest answer a child may give; past it the child is killed and the run is an error.
inline constexpr std::size_t kAnswerMax = std::size_t{512} << 20;

// In a child of run_isolated: what it is doing now (at most kProgressMax - 1 bytes are
// kept; nullptr or "" clears it), and when the outermost call began (RunOutcome::progress_ms).
// Elsewhere: does nothing. Async-signal-safe, no allocation.
inline constexpr std::size_t kProgressMax = 256;
void isolate_progress(const char* text);

// Exit status of a child whose body threw; the payload is then the exception's text.
inline constexpr int kBodyThrewStatus = 70;

// In a run's child: what to answer when the run is stopped as a hang (what the run had
// done before the call that never returned, say); nullptr: nothing. A child past its
// limit is first asked to stop (SIGUSR1 to its main thread, which writes fn's answer and
// ends), and killed when it has not within a second: fn runs inside a signal handler,
// interrupting whatever the library was doing, so it may fail (a lock the library held)
// and then the hang is reported without it. A child that crashes (SIGSEGV, SIGBUS, SIGILL,
// SIGFPE, SIGABRT) gives them too, from its signal handler on a stack of its own, within a
// second, and then dies by the same signal. Elsewhere: does nothing.
void isolate_last_words(std::string (*fn)());

// A program that prepares itself once (loads a library, say) and then forks a fresh copy
// of itself for every run: the runs cost a fork, not a start, and each begins from the
// same state. The program runs without address-space randomisation and allocates nothing
// between runs, so a run makes the same allocations at the same addresses every time (a
// library that orders things by address behaves the same way run after run, in this
// process or the next).
class ForkServer {
 public:
  // Starts argv (argv[0]: the program's path) and waits for it to be ready; error()
  // says why when it is not (the program's own message when its preparation failed).
  ForkServer(const std::vector<std::string>& argv, std::chrono::milliseconds start_limit);
  ~ForkServer();
  ForkServer(const ForkServer&) = delete;
  ForkServer& operator=(const ForkServer&) = delete;
  bool ok() const { return control_ >= 0; }
  const std::string& error() const { return error_; }
  // One run: the program's body reads `input` on its standard input and returns the answer;
  // the outcome as run_isolated gives it.
  RunOutcome run(const std::string& input, std::chrono::milliseconds limit);

 private:
  void stop();
  int pid_ = -1;
  int control_ = -1;
  std::string error_;
};

// The program's side (its main calls it when started as a fork server): prepare() runs
// once and returns "" or why it failed; then every run is a child that calls body() with
// the request on descriptor 0 and isolate_progress() working, as in run_isolated.
int serve_forks(const std::function<std::string()>& prepare, const std::function<std::string()>& body);

// Makes this process the subreaper of the processes its runs start (PR_SET_CHILD_SUBREAPER):
// one that leaves its run's process group (setsid) and outlives its parent is handed to
// this process instead of init, and is ended and reaped when its run ends. Children this
// process had before a run are left alone. A fork server does it for itself. A program
// calls it once, early (the multisock CLI does).
void adopt_what_runs_start();

// Runs `body` in a child process with a wall-clock limit, to which the time the child waits
// for a CPU (a busy machine) is added, up to ten times the limit. Leaves no child and no
// descriptor behind, whatever the outcome (nor, after adopt_what_runs_start(), any
// process the child started).
RunOutcome run_isolated(std::function<std::string()> body, std::chrono::milliseconds limit);

}  // namespace ms::conf

// SPDX-License-Identifier: MIT
// app_run.hpp: a real, unmodified program run against a scenario's peers on loopback, its
// half of the contract recorded (conformance/record/) and judged (app_checker.hpp).
//
// The program gets the scenario's transfer URLs, rewritten to the real ports of the peers
// (real_peers.hpp): as arguments ({urls} in the command, or {url} for the first), one per
// line on its standard input, or one per line into a FIFO the program makes in its working
// folder (a word of the command that is a relative path to an existing file is made
// absolute first). It runs in an empty temporary folder with the recorder preloaded (and the library
// given, after it, so that the program's curl_* calls reach that library), until it ends,
// or until every URL's DONE message was read and a short settling time passed, or until the
// time limit; then it is stopped (SIGTERM to its process group, SIGKILL 2 s later). The
// moment it was stopped is appended to the trace as a note, so a timer left standing is
// judged against it.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "conformance/app_checker.hpp"
#include "conformance/runner.hpp"
#include "conformance/scenario.hpp"

namespace ms::conf {

struct AppSpec {
  std::vector<std::string> command;  // words; "{urls}" and "{url}" are replaced
  std::string name;                  // the report's name for the run
  std::string recorder;              // path of libmultisock-record.so
  std::string library;               // preloaded after the recorder; "" = the program's own
  enum class Feed : std::uint8_t { args, stdin_lines, fifo } feed = Feed::args;
  std::string fifo;                  // Feed::fifo: its name in the working folder
  std::chrono::milliseconds limit{20000};
  std::chrono::milliseconds settle{300};
};

struct AppRun {
  ScenarioRun run;  // the trace, the application clauses' violations and results
  AppCheck check;
  std::vector<std::string> urls;
  std::size_t done_read = 0, done_ok = 0;  // DONE messages the program read, with code 0
  int exit_status = -1;   // when it ended by itself
  int signal = 0;         // when a signal ended it (not the harness's stop)
  bool stopped = false;   // the harness stopped it
  std::string stdout_tail, stderr_tail;  // the last lines of each
  std::string folder;                    // the temporary folder (removed unless kept)
  std::string library_version;           // curl_version() of the library, as recorded
  Edition edition = kNewestEdition;      // the edition the trace was judged by
};

// Splits a command line into words: blanks separate, "double" and 'single' quotes group,
// a backslash escapes the next byte outside single quotes. False with a message when a
// quote is not closed or nothing is left.
bool split_command(const std::string& text, std::vector<std::string>& out, std::string& error);
// The command with "{urls}" words replaced by every URL and "{url}" replaced by the first.
std::vector<std::string> expand_command(const std::vector<std::string>& words,
                                        const std::vector<std::string>& urls);

// With no edition given, the trace is judged by the edition of the library the program
// used: the version the recorder asked of it (its "library ..." note).
AppRun run_app(const Scenario& scenario, const AppSpec& app, std::optional<Edition> edition,
               const AppCheckOptions& options, bool keep_folder = false);

}  // namespace ms::conf

// SPDX-License-Identifier: MIT
// commands.hpp: the CLI's subcommands and its small argument reader.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "conformance/runner.hpp"

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace ms::cli {

// The words of one command, parsed by the command's App (apps.hpp): "--name value",
// "--name=value", flags, and the command's arguments. Whatever no option or argument
// takes is a usage error, so a mistyped option never passes silently. Asking for an option
// the App does not have is a programming error (std::logic_error), which
// fuzz/cli_args_fuzzer would meet on its first input.
class Args {
 public:
  explicit Args(std::vector<std::string> words);
  ~Args();
  Args(const Args&) = delete;
  Args& operator=(const Args&) = delete;
  // Whether the words ask for help (--help or -h anywhere): checked before parse().
  bool help() const;
  // Parses the words with `command`'s App; false (and problem() says why, one line) when
  // an option lacks its value, a flag was given a value, or --help came too late.
  bool parse(std::string_view command);
  const std::vector<std::string>& words() const { return words_; }  // as given, after the command
  bool flag(const std::string& name) const;
  std::optional<std::string> value(const std::string& name) const;  // the last one given
  std::vector<std::string> values(const std::string& name) const;
  std::vector<std::string> positionals() const;  // the command's arguments, in order
  // The first usage problem, as one line: one parse() found, else the words nothing took.
  // "" when there is none.
  const std::string& problem();
  // Prints problem() as a usage error (exit code 2 for the caller); true when none.
  bool finish();
  bool failed() const { return !problem_.empty(); }

 private:
  const CLI::Option& option(const std::string& name) const;
  void note(const std::string& problem);  // keeps the first
  std::vector<std::string> words_;
  std::unique_ptr<CLI::App> app_;
  std::vector<std::string> left_;  // words no option or argument took
  std::string problem_;
};

// A word of the user inside a message: in quotes, with control characters and invalid
// UTF-8 as \xNN and a long word cut, so the message stays one line.
std::string quoted_word(std::string_view word);

int usage_error(const std::string& message);  // prints one line, returns 2

int cmd_conform(Args& args);
struct ConformOptions;
int conform_app(const ConformOptions& options);  // conform --app (conform_app.cpp)
// "" when dir can be made or written; else why not (nothing is created).
std::string writable_folder(const std::string& dir);
int cmd_replay(Args& args);
int cmd_report(Args& args);
int cmd_fetch(Args& args);
int cmd_diff(Args& args);
int cmd_bench(Args& args);
int cmd_shrink(Args& args);

// Shrinks a failing simulated run (shrink_choices) and writes the scenario that replays it
// to dir/name.scn; returns the path, or "" with error set (also when the run passes).
// `origin` says in the file where the failure came from.
std::string shrink_and_write(const ms::conf::Scenario& scenario, const ms::conf::TargetSpec& target,
                             const ms::conf::RunOptions& options, const std::string& dir,
                             const std::string& name, const std::string& origin, int max_runs,
                             std::string& error);

}  // namespace ms::cli

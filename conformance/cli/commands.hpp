// commands.hpp: the CLI's subcommands and its small argument reader.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "conformance/runner.hpp"

namespace ms::cli {

// Reads "--name value", "--name=value" and flags; whatever is left over at the end is a
// usage error, so a mistyped option never passes silently.
class Args {
 public:
  explicit Args(std::vector<std::string> words);
  bool help();
  bool flag(const std::string& name);
  std::optional<std::string> value(const std::string& name);
  std::vector<std::string> values(const std::string& name);
  std::vector<std::string> positionals();  // words not starting with "-"
  // The first usage problem, as one line: an option given last without its value, else
  // the words nothing has read (checked by this call). "" when there is none.
  const std::string& problem();
  // Prints problem() as a usage error (exit code 2 for the caller); true when none.
  bool finish();
  bool failed() const { return !problem_.empty(); }

 private:
  void note(const std::string& problem);  // keeps the first
  std::vector<std::string> words_;
  std::vector<bool> used_;
  std::string problem_;
};

// A word of the user inside a message: in quotes, with control characters and invalid
// UTF-8 as \xNN and a long word cut, so the message stays one line.
std::string quoted_word(std::string_view word);

int usage_error(const std::string& message);  // prints one line, returns 2

int cmd_conform(Args& args);
int cmd_replay(Args& args);
int cmd_report(Args& args);
int cmd_fetch(Args& args);
int cmd_diff(Args& args);
int cmd_shrink(Args& args);

// Shrinks a failing simulated run (shrink_choices) and writes the scenario that replays it
// to dir/name.scn; returns the path, or "" with error set (also when the run passes).
// `origin` says in the file where the failure came from.
std::string shrink_and_write(const ms::conf::Scenario& scenario, const ms::conf::TargetSpec& target,
                             const ms::conf::RunOptions& options, const std::string& dir,
                             const std::string& name, const std::string& origin, int max_runs,
                             std::string& error);

}  // namespace ms::cli

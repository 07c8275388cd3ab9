// commands.hpp: the CLI's subcommands and its small argument reader.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "conformance/runner.hpp"

namespace ms::cli {

// Reads "--name value", "--name=value" and flags; whatever is left over at finish() is a
// usage error, so a mistyped option never passes silently.
class Args {
 public:
  explicit Args(std::vector<std::string> words);
  bool help();
  bool flag(const std::string& name);
  std::optional<std::string> value(const std::string& name);
  std::vector<std::string> values(const std::string& name);
  std::vector<std::string> positionals();  // words not starting with "--"
  // Reports unknown options (exit code 2 for the caller); true when none is left.
  bool finish();
  bool failed() const { return failed_; }

 private:
  std::vector<std::string> words_;
  std::vector<bool> used_;
  bool failed_ = false;
};

int usage_error(const std::string& message);  // prints, returns 2

// The options of the commands that run one scenario (replay, shrink), read the same way:
// --target (default engine-sim), --edition, --known, --profile, --seed, --policy (a
// preset); probes the target. Returns 0, or 2 or 3 after printing the error.
struct Contract;
int read_run_options(Args& args, ms::conf::TargetSpec& target, ms::conf::RunOptions& ro,
                     Contract* settled = nullptr);

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

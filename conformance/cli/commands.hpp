// commands.hpp: the CLI's subcommands and its small argument reader.
#pragma once

#include <optional>
#include <string>
#include <vector>

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

int cmd_conform(Args& args);
int cmd_replay(Args& args);
int cmd_report(Args& args);
int cmd_fetch(Args& args);
int cmd_diff(Args& args);

}  // namespace ms::cli

// SPDX-License-Identifier: MIT
// apps.hpp: each command's words, described once as a CLI11 App.
//
// The App of a command is the one list of its options and arguments. Its reader
// (options.cpp, through Args::parse) parses with it; its --help, the top-level help, the
// bash completion script and the man page's test are all made from it, so what a command
// accepts and what its help says cannot drift apart. An App only describes words: what a
// value means (a number within range, a known target) is checked by the reader, which
// words its errors itself (one line, the user's words quoted).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace CLI {
class App;
}

namespace ms::cli {

struct CommandSummary {
  const char* name;
  const char* summary;  // one line of the top-level help
};

// The commands, in the order the top-level help lists them.
const std::vector<CommandSummary>& command_summaries();

// A fresh App for `command`; nullptr when there is no such command.
std::unique_ptr<CLI::App> command_app(std::string_view command);

// What `multisock COMMAND --help` prints: usage, what it does, its options, exit codes.
std::string command_help(std::string_view command);

// What `multisock --help` prints.
std::string top_help();

// A bash completion script: the commands, then each command's options (and a file name
// where an option's value or an argument is a file or folder).
std::string bash_completion();

}  // namespace ms::cli

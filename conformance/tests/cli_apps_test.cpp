// SPDX-License-Identifier: MIT
// cli_apps_test: each command's help and parser come from one App (cli/apps.hpp).
//
// Both directions are derived from the App itself, never from a list kept here: every
// option and argument of a command's App is named in its --help, and every --option the
// help names is one the App has and the parser takes.
#include <CLI/CLI.hpp>
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/apps.hpp"
#include "cli/commands.hpp"
#include "cli/options.hpp"

namespace {

using namespace ms::cli;

bool names_word(const std::string& text, const std::string& word) {
  const std::regex re("(^|[^-A-Za-z0-9_])" + std::regex_replace(word, std::regex("[-.]"), "\\$&") +
                      "([^-A-Za-z0-9_]|$)");
  return std::regex_search(text, re);
}

std::set<std::string> long_options_named(const std::string& text) {
  std::set<std::string> out;
  const std::regex re("(^|[^-A-Za-z0-9_])(--[a-z][a-z0-9-]*)");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator(); ++it)
    out.insert((*it)[2].str());
  return out;
}

TEST(CliApps, EveryOptionOfTheAppIsInTheHelp) {
  ASSERT_FALSE(command_summaries().empty());
  for (const CommandSummary& c : command_summaries()) {
    const auto app = command_app(c.name);
    ASSERT_TRUE(app) << c.name;
    const std::string help = command_help(c.name);
    EXPECT_EQ(help.rfind(std::string("usage: multisock ") + c.name, 0), 0u) << help;
    EXPECT_GE(app->get_options().size(), 2u) << c.name;  // --help and at least one more
    for (const CLI::Option* o : app->get_options()) {
      if (o->get_positional()) {
        EXPECT_TRUE(names_word(help, o->get_name(true))) << c.name << " " << o->get_name(true) << "\n" << help;
        continue;
      }
      for (const std::string& l : o->get_lnames()) EXPECT_TRUE(names_word(help, "--" + l)) << c.name << " --" << l;
      for (const std::string& s : o->get_snames()) EXPECT_TRUE(names_word(help, "-" + s)) << c.name << " -" << s;
      EXPECT_FALSE(o->get_description().empty()) << c.name << " " << o->get_name();
    }
  }
}

TEST(CliApps, EveryOptionTheHelpNamesIsParsed) {
  for (const CommandSummary& c : command_summaries()) {
    const auto app = command_app(c.name);
    const std::string help = command_help(c.name);
    const auto named = long_options_named(help);
    EXPECT_FALSE(named.empty()) << c.name;
    for (const std::string& option : named) {
      const CLI::Option* o = app->get_option_no_throw(option);
      ASSERT_NE(o, nullptr) << c.name << " --help names " << option << ", which its App does not have";
      if (option == "--help") continue;  // answered before parsing
      std::vector<std::string> words = {option};
      if (o->get_expected_max() > 0) words.push_back("x");
      Args args(words);
      ASSERT_TRUE(args.parse(c.name)) << c.name << " " << option << ": " << args.problem();
      EXPECT_EQ(args.problem(), "") << c.name << " " << option;
      if (o->get_expected_max() > 0) EXPECT_EQ(args.value(option), "x") << c.name << " " << option;
      else EXPECT_TRUE(args.flag(option)) << c.name << " " << option;
    }
  }
}

TEST(CliApps, TopHelpListsEveryCommand) {
  const std::string help = top_help();
  for (const CommandSummary& c : command_summaries()) EXPECT_TRUE(names_word(help, c.name)) << c.name;
}

TEST(CliArgs, AnOptionOutsideTheAppIsAProgrammingError) {
  Args args({"--seed", "1"});
  ASSERT_TRUE(args.parse("conform"));
  EXPECT_EQ(args.value("--seed"), "1");
  EXPECT_THROW(args.value("--stop-at-event"), std::logic_error);  // replay's, not conform's
  EXPECT_THROW(Args({}).parse("no-such-command"), std::logic_error);
}

TEST(CliArgs, EqualsFormEmptyValueLastValueAndMissingValue) {
  {
    Args args({"--seed=", "--report", "out"});
    ASSERT_TRUE(args.parse("conform"));
    EXPECT_EQ(args.value("--seed"), "");  // not "--report"
    EXPECT_EQ(args.value("--report"), "out");
  }
  {
    Args args({"--seed", "1", "--seed=2"});
    ASSERT_TRUE(args.parse("conform"));
    EXPECT_EQ(args.value("--seed"), "2");
  }
  {
    Args args({"--suite", "scripted", "--seed"});
    EXPECT_FALSE(args.parse("conform"));
    EXPECT_EQ(args.problem(), "--seed needs a value");
  }
  {
    Args args({"--strict=false"});
    EXPECT_FALSE(args.parse("conform"));
    EXPECT_EQ(args.problem(), "--strict takes no value, not '--strict=false'");
  }
  {
    Args args({"--target", "a", "--target=b"});
    ASSERT_TRUE(args.parse("diff"));
    EXPECT_EQ(args.values("--target"), (std::vector<std::string>{"a", "b"}));
  }
}

TEST(CliArgs, WordsNoOptionTakesAreOneLine) {
  Args args({"--frob", "x\ny", "--seed", "1", "--a", "--b"});
  ASSERT_TRUE(args.parse("conform"));
  EXPECT_EQ(args.problem(), "unknown options or arguments '--frob', 'x\\x0ay', '--a' and 1 more (try --help)");
  Args one({"file.scn", "extra"});
  ASSERT_TRUE(one.parse("replay"));
  EXPECT_EQ(one.positionals(), (std::vector<std::string>{"file.scn", "extra"}));
  EXPECT_EQ(one.problem(), "");
}

TEST(CliReaders, FetchAndCompletion) {
  {
    Args args({"-o", "d", "--parallel", "3", "http://a/", "--quiet", "http://b/"});
    FetchOptions o;
    ASSERT_EQ(read_fetch_options(args, o), "");
    EXPECT_EQ(o.dir, "d");
    EXPECT_EQ(o.parallel, 3);
    EXPECT_TRUE(o.quiet);
    EXPECT_EQ(o.urls.size(), 2u);
  }
  {
    Args args({"--timeout-ms", "2147483648", "http://a/"});
    FetchOptions o;
    EXPECT_EQ(read_fetch_options(args, o),
              "--timeout-ms needs a whole number of milliseconds from 0 (no limit) to 2147483647, not '2147483648'");
  }
  {
    Args args({"--output=d", "--parallel", "0", "http://a/"});
    FetchOptions o;
    EXPECT_NE(read_fetch_options(args, o).find("--parallel needs"), std::string::npos);
  }
  std::string shell;
  Args bash({"bash"});
  EXPECT_EQ(read_completion_options(bash, shell), "");
  Args zsh({"zsh"});
  EXPECT_EQ(read_completion_options(zsh, shell), "completion takes one shell: bash, not 'zsh'");
}

}  // namespace

// SPDX-License-Identifier: MIT
// args.cpp: Args, the words of one command read through its CLI11 App (apps.hpp).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <stdexcept>

#include "cli/apps.hpp"
#include "cli/commands.hpp"
#include "reports/reports.hpp"

namespace ms::cli {

Args::Args(std::vector<std::string> words) : words_(std::move(words)) {}
Args::~Args() = default;

bool Args::help() const {
  for (const std::string& w : words_)
    if (w == "--help" || w == "-h") return true;
  return false;
}

bool Args::parse(std::string_view command) {
  app_ = command_app(command);
  if (!app_) throw std::logic_error("no App for command " + std::string(command));
  // "--name=value" of an option of the App is split here, so that an empty value stays a
  // value ("--seed=" is a seed of '', not --seed taking the next word) and a flag given a
  // value is refused rather than read as true or false.
  std::vector<std::string> words;
  for (const std::string& w : words_) {
    const auto eq = w.find('=');
    const CLI::Option* o = nullptr;
    if (w.rfind("--", 0) == 0 && eq != std::string::npos && eq > 2)
      o = app_->get_option_no_throw(w.substr(0, eq));
    if (!o || o->get_positional()) {
      words.push_back(w);
    } else if (o->get_expected_max() == 0) {
      note(w.substr(0, eq) + " takes no value, not " + quoted_word(w));
      return false;
    } else {
      words.push_back(w.substr(0, eq));
      words.push_back(w.substr(eq + 1));
    }
  }
  std::vector<std::string> reversed(words.rbegin(), words.rend());  // CLI11 reads from the back
  try {
    app_->parse(reversed);
  } catch (const CLI::CallForHelp&) {
    note("--help (or -h) comes first: multisock " + std::string(command) + " --help");
    return false;
  } catch (const CLI::ArgumentMismatch& e) {
    // The one mismatch words can make: an option given last without its value.
    const std::string what = e.what();
    const auto colon = what.find(':');
    note(colon != std::string::npos && app_->get_option_no_throw(what.substr(0, colon))
             ? what.substr(0, colon) + " needs a value"
             : ms::reports::printable(what));
    return false;
  } catch (const CLI::Error& e) {
    note(ms::reports::printable(e.what()));
    return false;
  }
  left_ = app_->remaining();
  return true;
}

const CLI::Option& Args::option(const std::string& name) const {
  const CLI::Option* o = app_ ? app_->get_option_no_throw(name) : nullptr;
  if (!o) throw std::logic_error("option " + name + " is not in the App of its command");
  return *o;
}

bool Args::flag(const std::string& name) const { return option(name).count() > 0; }

std::optional<std::string> Args::value(const std::string& name) const {
  const auto& results = option(name).results();
  if (results.empty()) return std::nullopt;
  return results.back();
}

std::vector<std::string> Args::values(const std::string& name) const { return option(name).results(); }

std::vector<std::string> Args::positionals() const {
  std::vector<std::string> out;
  if (!app_) throw std::logic_error("positionals() before parse()");
  for (const CLI::Option* o : app_->get_options([](const CLI::Option* o) { return o->get_positional(); }))
    out.insert(out.end(), o->results().begin(), o->results().end());
  return out;
}

const std::string& Args::problem() {
  if (!problem_.empty()) return problem_;
  const std::vector<std::string>& left = app_ ? left_ : words_;
  if (left.empty()) return problem_;
  // One line whatever was typed: the first few words, quoted, and how many more.
  constexpr std::size_t kListed = 3;
  std::string list;
  for (std::size_t i = 0; i < left.size() && i < kListed; ++i) list += (i ? ", " : "") + quoted_word(left[i]);
  if (left.size() > kListed) list += " and " + std::to_string(left.size() - kListed) + " more";
  note((left.size() == 1 ? "unknown option or argument " : "unknown options or arguments ") + list +
       " (try --help)");
  return problem_;
}

bool Args::finish() {
  if (problem().empty()) return true;
  usage_error(problem_);
  return false;
}

void Args::note(const std::string& problem) {
  if (problem_.empty()) problem_ = problem;
}

std::string quoted_word(std::string_view word) {
  constexpr std::size_t kShownMax = 200;  // a path or a value is rarely longer
  return "'" + ms::reports::printable(word, kShownMax) + "'";
}

int usage_error(const std::string& message) {
  // printable() once more: a message made elsewhere may hold a word of the user unquoted.
  std::fprintf(stderr, "multisock: %s\n", ms::reports::printable(message).c_str());
  return 2;
}

}  // namespace ms::cli

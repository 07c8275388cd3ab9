#include <cstdio>

#include "cli/commands.hpp"
#include "reports/reports.hpp"

namespace ms::cli {

Args::Args(std::vector<std::string> words) : words_(std::move(words)), used_(words_.size()) {}

bool Args::help() { return flag("--help") || flag("-h"); }

bool Args::flag(const std::string& name) {
  bool found = false;
  for (std::size_t i = 0; i < words_.size(); ++i)
    if (!used_[i] && words_[i] == name) used_[i] = found = true;
  return found;
}

std::optional<std::string> Args::value(const std::string& name) {
  auto all = values(name);
  if (all.empty()) return std::nullopt;
  return all.back();
}

std::vector<std::string> Args::values(const std::string& name) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < words_.size(); ++i) {
    if (used_[i]) continue;
    if (words_[i] == name) {
      used_[i] = true;
      if (i + 1 < words_.size()) {
        used_[i + 1] = true;
        out.push_back(words_[++i]);
      } else {
        note(name + " needs a value");
      }
    } else if (words_[i].rfind(name + "=", 0) == 0) {
      used_[i] = true;
      out.push_back(words_[i].substr(name.size() + 1));
    }
  }
  return out;
}

std::vector<std::string> Args::positionals() {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < words_.size(); ++i) {
    if (used_[i] || words_[i].rfind("-", 0) == 0) continue;
    used_[i] = true;
    out.push_back(words_[i]);
  }
  return out;
}

const std::string& Args::problem() {
  std::vector<std::string> left;
  for (std::size_t i = 0; i < words_.size(); ++i)
    if (!used_[i]) left.push_back(words_[i]);
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

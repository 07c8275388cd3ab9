#include <cstdio>

#include "cli/commands.hpp"

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
        std::fprintf(stderr, "multisock: %s needs a value\n", name.c_str());
        failed_ = true;
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

bool Args::finish() {
  for (std::size_t i = 0; i < words_.size(); ++i) {
    if (used_[i]) continue;
    std::fprintf(stderr, "multisock: unknown option or argument '%s' (try --help)\n",
                 words_[i].c_str());
    failed_ = true;
  }
  return !failed_;
}

int usage_error(const std::string& message) {
  std::fprintf(stderr, "multisock: %s\n", message.c_str());
  return 2;
}

}  // namespace ms::cli

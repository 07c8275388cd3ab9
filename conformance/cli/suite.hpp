// SPDX-License-Identifier: MIT
// suite.hpp: a suite name ("scripted", "canary", a file or a folder) -> parsed scenarios.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "conformance/scenario.hpp"

namespace ms::cli {

struct LoadedScenario {
  std::string path;
  ms::conf::Scenario scenario;
  // Set for a generated history: the scenario is made when it runs and let go after, so a
  // suite of a million histories does not hold a million scenarios.
  std::function<ms::conf::Scenario()> generate;
};

// The scenarios a command runs: files loaded at start, or histories made one at a time when
// they run (a suite of a million histories holds a count, not a million entries).
class Suite {
 public:
  Suite() = default;
  explicit Suite(std::vector<LoadedScenario> files) : files_(std::move(files)), count_(files_.size()) {}
  Suite(std::size_t count, std::function<LoadedScenario(std::size_t)> make)
      : count_(count), make_(std::move(make)) {}

  std::size_t size() const {
    return count_ > shard_i_ ? (count_ - shard_i_ + shard_n_ - 1) / shard_n_ : 0;
  }
  // The i-th entry of this shard (a copy: a generated one is made now).
  LoadedScenario at(std::size_t i) const {
    const std::size_t k = shard_i_ + i * shard_n_;
    return make_ ? make_(k) : files_[k];
  }
  // Keeps the entries i, i+n, i+2n, ... (--shard I/N).
  void keep_shard(std::size_t i, std::size_t n) {
    shard_i_ = i;
    shard_n_ = n;
  }
  // Loaded files (empty for a generated suite), whatever the shard.
  const std::vector<LoadedScenario>& files() const { return files_; }

 private:
  std::vector<LoadedScenario> files_;
  std::size_t count_ = 0;
  std::function<LoadedScenario(std::size_t)> make_;
  std::size_t shard_i_ = 0, shard_n_ = 1;
};

// Any scenario-file error makes the whole suite fail to load (a usage error, exit 2), with
// the message in `error` ("file:line:column: reason"), so nothing runs half-checked.
bool load_suite(const std::string& suite, std::vector<LoadedScenario>& out, std::string& error);

}  // namespace ms::cli

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

// Any scenario-file error makes the whole suite fail to load (a usage error, exit 2), with
// the message in `error` ("file:line:column: reason"), so nothing runs half-checked.
bool load_suite(const std::string& suite, std::vector<LoadedScenario>& out, std::string& error);

}  // namespace ms::cli

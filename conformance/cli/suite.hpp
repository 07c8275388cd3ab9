// suite.hpp: a suite name ("scripted", "canary", a file or a folder) -> parsed scenarios.
#pragma once

#include <string>
#include <vector>

#include "conformance/scenario.hpp"

namespace ms::cli {

struct LoadedScenario {
  std::string path;
  ms::conf::Scenario scenario;
};

// Any scenario-file error makes the whole suite fail to load (a usage error, exit 2), with
// the message in `error` ("file:line:column: reason"), so nothing runs half-checked.
bool load_suite(const std::string& suite, std::vector<LoadedScenario>& out, std::string& error);

}  // namespace ms::cli

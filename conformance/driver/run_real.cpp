// run_real.cpp: scenarios on real loopback sockets and real time.
#include "conformance/runner.hpp"

namespace ms::conf {

ScenarioRun run_real(const Scenario& scenario, const TargetSpec& target,
                     const RunOptions& options) {
  ScenarioRun out;
  out.file = scenario.file;
  out.seed = options.seed.value_or(scenario.seed);
  out.outcome = Outcome::error;
  out.message = "target " + target.text + " is not available in this build yet";
  return out;
}

}  // namespace ms::conf

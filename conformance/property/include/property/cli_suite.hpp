// cli_suite.hpp: the `property` suite of `multisock conform` (compiled into the CLI when
// RapidCheck is present; conform.cpp calls these under MS_HAVE_PROPERTY).
#pragma once

#include <cstdint>
#include <vector>

#include "cli/suite.hpp"
#include "conformance/runner.hpp"

namespace ms::cli {

// Appends `runs` generated histories, seeds first..first+runs-1, in seed order (so
// --shard I/N, which keeps every N-th entry, takes every N-th seed). Each entry's path is
// property-failures/SEED.scn, where a failure is written.
void property_suite(std::uint64_t first, int runs, std::vector<LoadedScenario>& out);

// For every run that did not pass: shrinks its history while the same clause is still
// violated, and writes the minimal scenario to the run's file (property-failures/SEED.scn
// under the current folder), which the report's repro line points at.
void property_write_failures(const std::vector<ms::conf::ScenarioRun>& runs,
                             const ms::conf::TargetSpec& target);

}  // namespace ms::cli

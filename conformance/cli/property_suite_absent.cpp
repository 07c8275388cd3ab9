// SPDX-License-Identifier: MIT
// property_suite_absent.cpp: the `property` suite of a build configured with
// MS_PROPERTY_SUITE=OFF (no RapidCheck): asking for it is a usage error that says so.
#include <cstdio>
#include <cstdlib>

#include "cli/property_suite.hpp"

namespace ms::cli {

Suite property_suite(std::uint64_t, int, const ms::conf::TargetSpec&, const std::string&, bool) {
  std::fprintf(stderr,
               "multisock: this build has no property suite (configured with "
               "-DMS_PROPERTY_SUITE=OFF; it needs RapidCheck)\n");
  std::exit(2);
}

void property_finish(std::vector<ms::conf::ScenarioRun>&, const ms::conf::TargetSpec&,
                     const ms::conf::RunOptions&, const ms::conf::Contract&, bool, bool) {}

}  // namespace ms::cli

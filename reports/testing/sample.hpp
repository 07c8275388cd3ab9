// SPDX-License-Identifier: MIT
// sample.hpp: hand-made reports for tests (unit tests and the pytest browser check).
//
// A small model of one run (clauses, scenarios, which clauses each scenario exercises,
// violations) is turned into a report the way a run would write it; build(shard) keeps
// only the scenarios of one shard, so merging the shards must give build() of the whole.
#pragma once

#include <string>
#include <vector>

#include "reports/reports.hpp"

namespace ms::reports::testing {

struct SampleOptions {
  std::string target = "engine-sim";
  bool hostile = false;        // adds a scenario named <script>... and quotes with markup
  bool with_violation = true;  // SC-CHANGES fails in chunked_trickle
  bool with_skipped = false;   // adds socket_error_fault, skipped (not applicable to the target)
  int shard_index = 0;
  int shard_count = 1;
  std::string generated_at = "2026-11-23T12:00:00Z";
};

json sample_report(const SampleOptions& options = {});

// A timeline of n events with a socket callback repeating an action at `marked`.
json sample_timeline(int n, int marked);

}  // namespace ms::reports::testing

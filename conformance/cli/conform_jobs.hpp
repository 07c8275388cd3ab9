// SPDX-License-Identifier: MIT
// conform_jobs.hpp: `conform --jobs N`, a suite run as N shards at once.
//
// The parent starts N child processes of this program with its own words, each with one
// shard (`--shard`; a --shard I/M of the user's is divided further) and a folder of its own
// for the report, and joins their reports as `report merge` does (reports/report.hpp). It
// then prints and writes what a run in one process prints and writes: the merged report
// has the same scenarios, verdicts, clause counts, known-entry matches and trace hashes. A
// child also leaves in its folder what the report does not carry: the shrunk files it
// wrote and which known entries a run of it could have matched. Real-socket runs are not
// split (the shards would share loopback ports and the machine's time).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cli/options.hpp"
#include "reports/reports.hpp"

namespace ms::cli {

// Shrunk scenario files by (scenario name, seed), as conform prints them.
using ShrunkFiles = std::map<std::pair<std::string, std::uint64_t>, std::string>;

// The folder this process writes its part into, when it is a child of conform --jobs
// (nullopt otherwise): a child shows no progress and leaves what its parent reads.
std::optional<std::string> job_folder();

// A child's words: `words` (the parent's, after the command) without --jobs, --shard and
// --report, then --shard shard_i/shard_n and --report report_dir.
std::vector<std::string> job_words(const std::vector<std::string>& words, std::uint64_t shard_i,
                                   std::uint64_t shard_n, const std::string& report_dir);

// In a child: the shrunk files it wrote, and per known entry (in file order) whether a run
// it names was judged.
void leave_for_parent(const std::string& folder, const ShrunkFiles& shrunk, const std::vector<bool>& reached);

// Runs o.jobs children and returns their joined report (speed: the wall time of them all);
// fills `shrunk` and sets the known entries' matched and reached in o.contract. nullopt
// when a child wrote no report: what it printed and why are on stderr.
std::optional<ms::reports::json> run_jobs(ConformOptions& o, const std::vector<std::string>& words,
                                          ShrunkFiles& shrunk);

}  // namespace ms::cli

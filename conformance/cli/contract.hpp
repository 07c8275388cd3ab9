// SPDX-License-Identifier: MIT
// contract.hpp: which contract a command judges a target by, and what the target is.
//
// Read once per command, before any scenario runs: the target is probed (a library is
// loaded in a child process, so a library that cannot load, crashes or hangs while
// loading is one clear error, exit 3, never one error per scenario), its version chooses
// the edition unless --edition names one, and a --known file is read and checked against
// the target's implementation and version.
#pragma once

#include <optional>
#include <string>

#include "cli/commands.hpp"
#include "conformance/known.hpp"
#include "conformance/runner.hpp"
#include "reports/reports.hpp"

namespace ms::cli {

struct ContractOptions {
  std::optional<ms::conf::Edition> edition;  // --edition; nullopt = from the version
  std::optional<std::string> known_file;     // --known
};

// Reads --edition, --known and the older --profile (documented = the edition of the
// version; libcurl-7.88 = edition 7.88 with conformance/known/libcurl-7.88.known;
// legacy-7.16 = edition 7.16). Returns "" or the usage error (one line).
std::string read_contract_options(Args& args, ContractOptions& out);

struct TargetDescription {
  ms::conf::ImplementationVersion identity;  // "libcurl", 8.14.1
  std::string version_text;                  // what the target says of itself, whole
};

// Probes the target (a library in a child process, 10 s limit). Returns 0, or 3 after
// printing one line on stderr (with a hint when the prefix is the likely cause).
int describe_target(const ms::conf::TargetSpec& target, TargetDescription& out);

struct Contract {
  ms::conf::Edition edition = ms::conf::kNewestEdition;
  bool edition_given = false;
  std::optional<ms::conf::KnownDeviations> known;
  TargetDescription target;
  ms::reports::json edition_json() const;  // {"id", "title", "chosen_by"}
  ms::reports::json known_json() const;    // null, or the file with its entries
  // How a run is judged under this contract: the edition, the target's version
  // (expectations by version) and its known deviations, which point into this contract.
  ms::conf::RunOptions run_options();
};

// Probes the target and settles the contract; returns 0, 2 (bad --known file, or one that
// does not apply to this target) or 3 (the target cannot be loaded), after printing why.
int settle_contract(const ms::conf::TargetSpec& target, const ContractOptions& options,
                    Contract& out);

// The folder of the shipped known-deviation files (MULTISOCK_KNOWN overrides it).
std::string known_dir();

}  // namespace ms::cli

// SPDX-License-Identifier: MIT
// contract.cpp: --edition, --known, --profile, and probing the target once.
#include "cli/contract.hpp"
#include "cli/data_dir.hpp"

#include <cstdio>
#include <filesystem>


namespace fs = std::filesystem;
using namespace ms::conf;
using ms::reports::json;

namespace ms::cli {

std::string known_dir() {
  return data_dir("MULTISOCK_KNOWN", "known", MS_SOURCE_DIR "/conformance/known");
}

std::string read_contract_options(Args& args, ContractOptions& out) {
  if (auto e = args.value("--edition")) {
    if (*e != "auto") {
      Edition ed;
      if (!edition_from_string(*e, ed)) return "unknown edition " + quoted_word(*e) + " (7.16, 7.88, 8, auto)";
      out.edition = ed;
    }
  }
  out.known_file = args.value("--known");
  if (auto p = args.value("--profile")) {
    if (*p == "libcurl-7.88") {
      if (!out.edition) out.edition = Edition::e7_88;
      if (!out.known_file) out.known_file = known_dir() + "/libcurl-7.88.known";
    } else if (*p == "legacy-7.16") {
      if (!out.edition) out.edition = Edition::e7_16;
    } else if (*p != "documented") {
      return "unknown profile " + quoted_word(*p) + " (documented, libcurl-7.88, legacy-7.16)";
    }
  }
  return "";
}

namespace {

// Why a library failed to load, with what a user most likely got wrong.
std::string load_hint(const TargetSpec& target, const std::string& error) {
  std::error_code ec;
  const std::string& path = target.library;
  if (!fs::exists(path, ec)) {
    const auto colon = path.rfind(':');
    if (colon != std::string::npos && fs::exists(path.substr(0, colon), ec))
      return " (a symbol prefix ends in '_': lib:" + path.substr(0, colon) + ":" +
             path.substr(colon + 1) + "_)";
    return " (no such file)";
  }
  if (error.find("missing") != std::string::npos || error.find("symbol") != std::string::npos)
    return " (if the library is a renamed fork, give its symbol prefix: lib:" + path +
           ":PREFIX_, e.g. :fetch_)";
  return "";
}

}  // namespace

int describe_target(const TargetSpec& target, TargetDescription& out) {
  const TargetProbe probe = probe_target(target);
  if (probe.error.empty()) {
    out.version_text = probe.version_text;
    out.identity = probe.identity;
    return 0;
  }
  std::fprintf(stderr, "multisock: target %s: %s%s\n", target.text.c_str(), probe.error.c_str(),
               load_hint(target, probe.error).c_str());
  return 3;
}

int settle_contract(const TargetSpec& target, const ContractOptions& options, Contract& out) {
  if (const int rc = describe_target(target, out.target)) return rc;
  out.edition_given = options.edition.has_value();
  out.edition = options.edition.value_or(
      edition_for(out.target.identity.implementation, out.target.identity.version));
  if (options.known_file) {
    KnownDeviations k;
    std::string error;
    if (!KnownDeviations::load(*options.known_file, k, error)) {
      std::fprintf(stderr, "multisock: %s\n", error.c_str());
      return 2;
    }
    if (!k.applies_to(out.target.identity, error)) {
      std::fprintf(stderr, "multisock: %s\n", error.c_str());
      return 2;
    }
    out.known = std::move(k);
  }
  return 0;
}

json Contract::edition_json() const {
  return {{"id", to_string(edition)},
          {"title", edition_title(edition)},
          {"chosen_by", edition_given ? "option" : "version"}};
}

ms::conf::RunOptions Contract::run_options() {
  ms::conf::RunOptions ro;
  ro.edition = edition;
  ro.describe(target.identity);  // expectations by version
  if (known) {
    ro.known = &*known;
    ro.known_version_text = target.version_text;
  }
  return ro;
}

json Contract::known_json() const {
  if (!known) return nullptr;
  json entries = json::array();
  for (const KnownDeviation& d : known->entries) {
    std::string scenarios;
    for (const std::string& s : d.scenarios) scenarios += (scenarios.empty() ? "" : " ") + s;
    entries.push_back({{"clause", d.clause},
                       {"scenario", scenarios},
                       {"match", d.match},
                       {"reason", d.reason},
                       {"evidence", d.evidence},
                       {"line", static_cast<long long>(d.line)},
                       {"matched", static_cast<long long>(d.matched)}});
  }
  std::error_code ec;
  fs::path file = known->file;
  const auto rel = fs::relative(file, MS_SOURCE_DIR, ec);
  if (!ec && !rel.empty() && rel.string().rfind("..", 0) != 0) file = rel;
  return {{"file", file.string()},
          {"implementation", known->implementation},
          {"versions", known->versions.to_string()},
          {"title", known->title},
          {"entries", entries}};
}

}  // namespace ms::cli

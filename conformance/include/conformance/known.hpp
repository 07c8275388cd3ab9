// SPDX-License-Identifier: MIT
// known.hpp: known deviations of an implementation, as data.
//
// A known-deviations file (conformance/known/*.known, format in conformance/KNOWN.md) names
// one implementation and a version range, and lists the places where that implementation
// is known to break the contract: a clause, or an expectation of a scenario, each with the
// reason and the scenario that shows it. A violation an entry covers is reported `known`,
// never `pass`; an entry that covers nothing in a run is reported as not seen (fixed?).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "conformance/clauses.hpp"
#include "conformance/checker.hpp"
#include "conformance/scenario.hpp"
#include "conformance/version.hpp"

namespace ms::conf {

struct KnownDeviation {
  std::size_t line = 0;                // where the entry starts in its file
  std::string clause;                  // a catalogue id, or "expect" for an expect line
  std::vector<std::string> scenarios;  // covered only in these scenarios (file stems); empty: any
  std::string match;                   // covered only when the violation's message contains it
  std::string build;                   // covered only when the target's version string contains it
                                       // ("NSS/": one TLS build of a library)
  std::string reason;                  // why: the measured cause
  std::string evidence;                // the scenario that shows it
  std::size_t matched = 0;             // violations covered in this run
  bool reached = false;                // a run it may cover was judged (one of `scenarios`)
};

struct KnownDeviations {
  std::string file;            // as given
  std::string implementation;  // "libcurl"
  VersionRange versions;
  std::optional<Edition> edition;  // the edition the entries were measured against
  std::string title;               // one line describing the file
  std::vector<KnownDeviation> entries;

  // Reads and validates a file; false with "FILE:LINE:COL: reason" on any problem.
  static bool load(const std::string& path, KnownDeviations& out, std::string& error);
  // Parses text as if read from `name`.
  static bool parse(const std::string& text, const std::string& name, KnownDeviations& out,
                    std::string& error);

  // Whether the file applies to a target that reports this implementation and version;
  // false with the reason.
  bool applies_to(const ImplementationVersion& target, std::string& why) const;

  // Marks the violations of one run of `scenario` (file stem) on a target that reports
  // `version_text` that an entry covers (Violation::known = "FILE:LINE: reason") and counts
  // the entry's matches; notes the entries such a run could have matched (`reached`).
  void cover(const std::string& scenario, const std::string& version_text,
             std::vector<Violation>& violations);
};

// The name a file's `scenario` lines know a run by: the file stem, except for a history the
// property suite generated, `property` (`property_h2` when a peer of it speaks HTTP/2), as
// a fuzzer's input is `fuzz` or `fuzz_h2`: its seed is no name an entry could list.
std::string known_run_name(const Scenario& scenario, const std::string& stem);

}  // namespace ms::conf

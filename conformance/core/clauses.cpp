// SPDX-License-Identifier: MIT
// clauses.cpp: the catalogue generated from MS_CLAUSES, and each edition's view of it.
#include "conformance/clauses.hpp"

#include "conformance/editions_table.hpp"

#include <array>

namespace ms::conf {
namespace {

constexpr std::array<Clause, kClauseCount> kClauses = {{
#define MS_X(e, id, g, s, p, d, stmt, src, quote) \
  {ClauseId::e, id, ClauseGroup::g, Severity::s, p, DecidedBy::d, stmt, src, quote},
    MS_CLAUSES(MS_X)
#undef MS_X
}};

struct EditionRow {
  ClauseId clause;
  Edition edition;
  Severity severity;
  std::string_view statement, source, quote;  // "" = the catalogue's own text
};

constexpr EditionRow kEditionRows[] = {
#define MS_X(cl, ed, sev, stmt, src, quote) \
  {ClauseId::cl, Edition::ed, Severity::sev, stmt, src, quote},
    MS_CLAUSE_EDITIONS(MS_X)
#undef MS_X
};

}  // namespace

const char* to_string(Edition e) {
  switch (e) {
    case Edition::e7_16: return "7.16";
    case Edition::e7_88: return "7.88";
    case Edition::e8: return "8";
  }
  return "?";
}

const char* edition_title(Edition e) {
  switch (e) {
    case Edition::e7_16: return "libcurl 7.16.0 man pages";
    case Edition::e7_88: return "libcurl 7.88.1 man pages";
    case Edition::e8: return "libcurl 8.x man pages";
  }
  return "?";
}

bool edition_from_string(std::string_view s, Edition& out) {
  if (s == "7.16" || s == "7.16.0") out = Edition::e7_16;
  else if (s == "7.88" || s == "7.88.1") out = Edition::e7_88;
  else if (s == "8" || s == "8.x") out = Edition::e8;
  else return false;
  return true;
}

Edition edition_for(std::string_view implementation, const std::optional<Version>& version) {
  if (implementation != "libcurl" || !version) return kNewestEdition;
  if (*version < Version{7, 20, 0}) return Edition::e7_16;
  if (*version < Version{8, 10, 0}) return Edition::e7_88;
  return Edition::e8;
}

const char* to_string(Severity s) {
  switch (s) {
    case Severity::must: return "MUST";
    case Severity::should: return "SHOULD";
    case Severity::observed: return "OBSERVED";
  }
  return "?";
}

const char* to_string(ClauseGroup g) {
  switch (g) {
    case ClauseGroup::SA: return "SA";
    case ClauseGroup::SC: return "SC";
    case ClauseGroup::TM: return "TM";
    case ClauseGroup::IR: return "IR";
    case ClauseGroup::AS: return "AS";
    case ClauseGroup::ER: return "ER";
    case ClauseGroup::DP: return "DP";
    case ClauseGroup::LG: return "LG";
    case ClauseGroup::DT: return "DT";
    case ClauseGroup::PA: return "PA";
    case ClauseGroup::CL: return "CL";
    case ClauseGroup::AP: return "AP";
  }
  return "?";
}

const char* to_string(Party p) { return p == Party::application ? "application" : "library"; }

std::span<const Clause> all_clauses() { return kClauses; }
const Clause& clause(ClauseId id) { return kClauses[static_cast<std::size_t>(id)]; }

const Clause* find_clause(std::string_view id) {
  for (const Clause& c : kClauses) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

std::optional<ClauseText> clause_in(const Clause& c, Edition e) {
  for (const EditionRow& r : kEditionRows) {
    if (r.clause != c.key || r.edition != e) continue;
    return ClauseText{r.severity, r.statement.empty() ? c.statement : r.statement,
                      r.source.empty() ? c.source : r.source,
                      r.quote.empty() ? c.quote : r.quote};
  }
  return std::nullopt;
}

bool in_edition(const Clause& c, Edition e) {
  // Asked for every clause by every checker (once per run): the table is read once.
  static const auto kIn = [] {
    std::array<std::array<bool, kClauseCount>, std::size(kEditions)> in{};
    for (const EditionRow& r : kEditionRows)
      in[static_cast<std::size_t>(r.edition)][static_cast<std::size_t>(r.clause)] = true;
    return in;
  }();
  const auto edition = static_cast<std::size_t>(e);
  const auto key = static_cast<std::size_t>(c.key);
  return edition < kIn.size() && key < kClauseCount && kIn[edition][key];
}

}  // namespace ms::conf

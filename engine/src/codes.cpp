// SPDX-License-Identifier: MIT
// codes.cpp: names and texts of MSMcode / MSEcode, and the mutant table, all generated
// from the X-macro tables of the public headers (one list, never two kept in step).
#include "multisock/engine.hpp"
#include "multisock/multisock.h"

extern "C" {

const char* ms_multi_strerror(MSMcode code) {
  switch (code) {
#define MS_X(name, value, text) \
  case name:                    \
    return text;
    MS_MCODES(MS_X)
#undef MS_X
    default:
      return "Unknown error";
  }
}

const char* ms_easy_strerror(MSEcode code) {
  switch (code) {
#define MS_X(name, value, text) \
  case name:                    \
    return text;
    MS_ECODES(MS_X)
#undef MS_X
    default:
      return "Unknown error";
  }
}

const char* ms_multi_code_name(MSMcode code) {
  switch (code) {
#define MS_X(name, value, text) \
  case name:                    \
    return #name;
    MS_MCODES(MS_X)
#undef MS_X
    default:
      return "MSM_?";
  }
}

const char* ms_easy_code_name(MSEcode code) {
  switch (code) {
#define MS_X(name, value, text) \
  case name:                    \
    return #name;
    MS_ECODES(MS_X)
#undef MS_X
    default:
      return "MSE_?";
  }
}

}  // extern "C"

namespace ms {

namespace {
struct MutantRow {
  const char* name;
  const char* clause;
};
constexpr MutantRow kMutants[] = {
#define MS_X(name, clause, what) {#name, clause},
    MS_MUTANTS(MS_X)
#undef MS_X
};
constexpr int kMutantCount = static_cast<int>(sizeof(kMutants) / sizeof(kMutants[0]));
}  // namespace

bool mutant_from_name(std::string_view name, Mutant& out) {
  for (int i = 0; i < kMutantCount; ++i) {
    if (name == kMutants[i].name) {
      out = static_cast<Mutant>(i);
      return true;
    }
  }
  return false;
}

const char* mutant_name(Mutant m) {
  const int i = static_cast<int>(m);
  return i >= 0 && i < kMutantCount ? kMutants[i].name : "?";
}

const char* mutant_clause(Mutant m) {
  const int i = static_cast<int>(m);
  return i >= 0 && i < kMutantCount ? kMutants[i].clause : "";
}

bool mutants_compiled_in() { return MS_ENABLE_MUTANTS != 0; }

}  // namespace ms

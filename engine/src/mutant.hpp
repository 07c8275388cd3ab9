// SPDX-License-Identifier: MIT
// mutant.hpp: the one hook for the engine's deliberate defects (the MS_MUTANTS table in
// multisock/engine.hpp). Every defect is one line, as FoundationDB's BUGGIFY:
//
//   if (MS_MUTANT(mutant_, timeout_early)) late = 1ms;
//
// In a build without -DMS_MUTANTS=ON (MS_ENABLE_MUTANTS=0) the condition is a constant
// false, so the defect's branch is compiled but never taken; multi_init refuses a mutant
// there anyway.
#pragma once

#include "multisock/engine.hpp"

#ifndef MS_ENABLE_MUTANTS
#error "MS_ENABLE_MUTANTS must be 0 or 1 (set by engine/CMakeLists.txt)"
#endif

// True when `active` (the multi's chosen ms::Mutant) is the defect `name` and defects are
// compiled in.
#define MS_MUTANT(active, name) (MS_ENABLE_MUTANTS != 0 && (active) == ::ms::Mutant::name)

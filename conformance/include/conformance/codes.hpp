// SPDX-License-Identifier: MIT
// codes.hpp: result codes the harness names beyond the engine's table.
//
// The engine's MS_ECODES (multisock.h) mirrors libcurl 7.88 and is part of its ABI, so it
// does not grow. Libraries released later return codes it lacks; the harness reads and
// prints them by these names (scenario files, checker messages), never as bare numbers.
#pragma once

// X(name, value, text, since): since = the first libcurl release that returns the code.
#define MS_CONF_LATER_ECODES(X)                                                 \
  X(MSE_TOO_LARGE, 100, "A value or a piece of data is over its limit", "8.6.0") \
  X(MSE_ECH_REQUIRED, 101, "Encrypted Client Hello was required and failed", "8.8.0")

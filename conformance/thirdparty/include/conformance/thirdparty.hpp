// SPDX-License-Identifier: MIT
// thirdparty.hpp: curl-style shared libraries as conformance targets.
//
// A library that exports the multi-socket API under a symbol prefix ("curl_" for libcurl,
// "fetch_" for a renamed fork) is opened with dlopen and its functions are put into the
// Api table that the driver and the checker use for every target. Handles stay open for
// the life of the process: the table's function and string pointers point into them.
#pragma once

#include <string>

#include "conformance/api.hpp"

namespace ms::conf {

// Opens `path` (RTLD_NOW | RTLD_LOCAL) and fills `out` from `<prefix>multi_init`, ...,
// `<prefix>version`. Calls `<prefix>global_init(CURL_GLOBAL_DEFAULT)` once per library
// if it is exported. On failure returns false, leaves `out` untouched and, if `error` is
// not null, says why: the loader's message, or every missing symbol by name.
// Calls through the table skip curl's compile-time type checks: pass long options as
// long and off_t options as int64_t.
bool load_library_api(const std::string& path, const std::string& prefix, Api& out,
                      std::string* error);

}  // namespace ms::conf

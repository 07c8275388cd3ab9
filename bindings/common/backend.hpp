// SPDX-License-Identifier: MIT
// backend.hpp: what the Python and Lua bindings share.
//
// A binding drives one implementation of the multi-socket contract through the Api table
// (conformance/include/conformance/api.hpp): the engine on the real POSIX ports by default,
// or any curl-style shared library loaded by the same code as the harness's `lib:` target
// (conformance/thirdparty). Tables are opened once per (path, prefix) and kept for the life
// of the process, as the loader keeps its libraries.
//
// Constant names follow the documents with the leading CURL / CURL_ dropped
// (CURL_CSELECT_IN -> CSELECT_IN, CURLOPT_URL -> OPT_URL, CURLMOPT_SOCKETFUNCTION ->
// MOPT_SOCKETFUNCTION, CURLINFO_RESPONSE_CODE -> INFO_RESPONSE_CODE, CURLMSG_DONE ->
// MSG_DONE); codes keep the engine's names (MSM_BAD_SOCKET, MSE_OK), which are also the
// names an error carries.
#pragma once

#include <cstddef>
#include <string>

#include "conformance/api.hpp"

namespace ms::bind {

// The engine (lib empty) or the library at `lib` whose symbols carry `prefix`. Null on
// failure, with the reason in *error.
const ms::conf::Api* open_backend(const std::string& lib, const std::string& prefix,
                                  std::string* error);

struct Constant {
  const char* name;
  long value;
};
// Every constant both bindings publish, from the engine header's tables.
const Constant* constants(std::size_t* count);

// What an option number's value is, from its range (as libcurl's CURLOPTTYPE_*).
enum class OptionKind { Long, Pointer, Function, OffT };
OptionKind option_kind(int option);

// What an info number returns, from its type bits (as libcurl's CURLINFO_* bases).
enum class InfoKind { String, Long, Double, OffT, Unknown };
InfoKind info_kind(int info);

// "MSM_BAD_SOCKET", "MSE_RECV_ERROR"; "MSM_?" / "MSE_?" for values the engine lacks.
const char* multi_code_name(int code);
const char* easy_code_name(int code);

}  // namespace ms::bind

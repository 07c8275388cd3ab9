// SPDX-License-Identifier: MIT
// peer_h2.hpp (private to ms_simnet): the HTTP/2 error codes peer scripts name, shared by
// the parser (peer_script_parser.cpp) and the interpreter (peer_h2.cpp).
#pragma once

#include <cstdint>
#include <string_view>

namespace ms::sim {

// RFC 9113 section 7: the name a script may write and the code on the wire.
#define MS_H2_ERROR_CODES(X)       \
  X(NO_ERROR, 0x0)                 \
  X(PROTOCOL_ERROR, 0x1)           \
  X(INTERNAL_ERROR, 0x2)           \
  X(FLOW_CONTROL_ERROR, 0x3)       \
  X(SETTINGS_TIMEOUT, 0x4)         \
  X(STREAM_CLOSED, 0x5)            \
  X(FRAME_SIZE_ERROR, 0x6)         \
  X(REFUSED_STREAM, 0x7)           \
  X(CANCEL, 0x8)                   \
  X(COMPRESSION_ERROR, 0x9)        \
  X(CONNECT_ERROR, 0xa)            \
  X(ENHANCE_YOUR_CALM, 0xb)        \
  X(INADEQUATE_SECURITY, 0xc)      \
  X(HTTP_1_1_REQUIRED, 0xd)

inline constexpr std::uint32_t kH2Cancel = 0x8;
inline constexpr std::uint32_t kH2NoError = 0x0;

// A code by name (above) or as a decimal number up to 2^32-1; false for anything else.
bool parse_h2_error_code(std::string_view text, std::uint32_t& out);

}  // namespace ms::sim

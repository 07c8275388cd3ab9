// SPDX-License-Identifier: MIT
// port.cpp: the value helpers declared in port.h (address text, NetError names). They are
// pure functions, so they live with the engine that needs them; the ports themselves
// (POSIX, simulated) live in simnet.
#include <arpa/inet.h>

#include <charconv>
#include <cstring>

#include "multisock/port.h"

namespace ms::port {

const char* to_string(NetError e) {
  switch (e) {
#define MS_X(name, text) \
  case NetError::name:   \
    return text;
    MS_NET_ERRORS(MS_X)
#undef MS_X
  }
  return "?";
}

std::string Address::to_string() const {
  if (family != Family::v4) {
    char text[INET6_ADDRSTRLEN] = {};
    inet_ntop(AF_INET6, bytes.data(), text, sizeof text);
    return "[" + std::string(text) + "]:" + std::to_string(port);
  }
  // IPv4 is written by hand: inet_ntop and snprintf cost about 2,500 instructions a call,
  // and the simulated runs name an address at every connection.
  char out[sizeof "255.255.255.255:65535"];
  char* p = out;
  char* const end = out + sizeof out;
  for (std::size_t i = 0; i < 4; ++i) {
    p = std::to_chars(p, end, static_cast<unsigned>(bytes[i])).ptr;
    *p++ = i < 3 ? '.' : ':';
  }
  p = std::to_chars(p, end, static_cast<unsigned>(port)).ptr;
  return std::string(out, p);
}

std::optional<Address> Address::parse_numeric(std::string_view host, std::uint16_t port_number) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty() || host.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  char text[INET6_ADDRSTRLEN] = {};
  std::memcpy(text, host.data(), host.size());
  Address a;
  a.port = port_number;
  if (inet_pton(AF_INET, text, a.bytes.data()) == 1) {
    a.family = Family::v4;
    return a;
  }
  if (inet_pton(AF_INET6, text, a.bytes.data()) == 1) {
    a.family = Family::v6;
    return a;
  }
  return std::nullopt;
}

bool Address::is_loopback() const {
  if (family == Family::v4) return bytes[0] == 127;
  for (int i = 0; i < 15; ++i)
    if (bytes[static_cast<std::size_t>(i)] != 0) return false;
  return bytes[15] == 1;
}

}  // namespace ms::port

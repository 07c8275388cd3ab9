// port_support.cpp: the out-of-line helpers declared in multisock/port.h.
//
// Both ports need them and simnet must not depend on the engine library, so they live
// here. They are weak definitions: if the engine library defines the same functions,
// a program that links both gets exactly one copy and no duplicate-symbol error.
#include <arpa/inet.h>

#include <cstring>
#include <string>

#include "multisock/port.h"

namespace ms::port {

#define MS_WEAK __attribute__((weak))

MS_WEAK const char* to_string(NetError e) {
  switch (e) {
#define MS_X(name, text) \
  case NetError::name:   \
    return text;
    MS_NET_ERRORS(MS_X)
#undef MS_X
  }
  return "unknown socket error";
}

MS_WEAK std::string Address::to_string() const {
  char text[INET6_ADDRSTRLEN] = {};
  if (family == Family::v4) {
    inet_ntop(AF_INET, bytes.data(), text, sizeof text);
    return std::string(text) + ":" + std::to_string(port);
  }
  inet_ntop(AF_INET6, bytes.data(), text, sizeof text);
  return "[" + std::string(text) + "]:" + std::to_string(port);
}

MS_WEAK std::optional<Address> Address::parse_numeric(std::string_view host, std::uint16_t port) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  if (host.empty() || host.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  const std::string text(host);
  Address a;
  a.port = port;
  if (inet_pton(AF_INET, text.c_str(), a.bytes.data()) == 1) {
    a.family = Family::v4;
    return a;
  }
  if (inet_pton(AF_INET6, text.c_str(), a.bytes.data()) == 1) {
    a.family = Family::v6;
    return a;
  }
  return std::nullopt;
}

MS_WEAK bool Address::is_loopback() const {
  if (family == Family::v4) return bytes[0] == 127;
  for (std::size_t i = 0; i < 15; ++i)
    if (bytes[i] != 0) return false;
  return bytes[15] == 1;
}

}  // namespace ms::port

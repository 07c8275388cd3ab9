// SPDX-License-Identifier: MIT
// connection.hpp: one TCP connection and the transport on top of it.
//
// Transport is the seam for TLS: a plain transport passes bytes to the Net port; a TLS
// transport (OpenSSL over memory BIOs, tls_transport.hpp) sits behind the same interface
// and may want to read while the transfer wants to write (wanted_interest()).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "conn_limits.hpp"
#include "multisock/multisock.h"
#include "multisock/port.h"

namespace ms {

class H2Session;
// Deletes an H2Session where its type is complete (h2_session.cpp).
struct H2Deleter {
  void operator()(H2Session* s) const;
};

class Transport {
 public:
  virtual ~Transport() = default;
  virtual port::IoResult send(const std::byte* data, std::size_t size) = 0;
  virtual port::IoResult recv(std::byte* data, std::size_t size) = 0;
  // Interest the transport itself needs beyond the transfer's (TLS handshakes); plain: 0.
  virtual int wanted_interest() const { return 0; }
  // Pushes bytes the transport holds for the socket (TLS ciphertext); plain: nothing.
  virtual port::IoResult flush() { return {}; }
  // Bytes already read from the socket that recv() would return: the socket will not
  // turn readable for them, so the reader must come back by itself. Plain: never.
  virtual bool buffered() const { return false; }
};

class PlainTransport final : public Transport {
 public:
  PlainTransport(port::Net& net, int fd) : net_(net), fd_(fd) {}
  port::IoResult send(const std::byte* data, std::size_t size) override { return net_.send(fd_, data, size); }
  port::IoResult recv(std::byte* data, std::size_t size) override { return net_.recv(fd_, data, size); }

 private:
  port::Net& net_;
  int fd_;
};

struct Connection {
  int fd = -1;
  std::unique_ptr<Transport> transport;
  std::string pool_key;  // "scheme://host:port"
  port::Address peer;
  std::uint64_t id = 0;  // order of creation: pool eviction order
  // Who closes the descriptor: the application's CLOSESOCKETFUNCTION if the handle that
  // opened it set one, else the Net port.
  ms_closesocket_callback close_fn = nullptr;
  void* close_data = nullptr;
  bool reused = false;   // taken from the pool by the current transfer
  ConnLimits::Slot slot;  // counts it against the connection limits until it is gone
  // HTTP/2 (negotiated by ALPN, or prior knowledge): the session its streams share.
  std::unique_ptr<H2Session, H2Deleter> h2;
};

}  // namespace ms

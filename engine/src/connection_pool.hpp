// SPDX-License-Identifier: MIT
// connection_pool.hpp: the connections of one multi that outlive their transfers: idle
// keep-alive connections (oldest first, not registered with the application) and the
// MAX_HOST/MAX_TOTAL_CONNECTIONS slots every connection holds (conn_limits.hpp).
//
// An idle connection has nothing to say: before reuse the pool asks Net::readiness, and a
// connection that is readable (the peer closed or sent garbage) or in error is closed
// instead. At most `idle_max` connections stay idle; the oldest goes first. When the
// limits leave no slot for a new connection, idle connections in the way are closed, as
// libcurl does.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "conn_limits.hpp"
#include "connection.hpp"
#include "multisock/port.h"

namespace ms {

class ConnectionPool {
 public:
  // Who closes an idle connection's descriptor (the multi: the application's
  // CLOSESOCKETFUNCTION inside its recursion guard, or the Net port).
  class Closer {
   public:
    virtual void close_idle(Connection& conn) = 0;

   protected:
    ~Closer() = default;
  };

  explicit ConnectionPool(Closer& closer) : closer_(closer) {}

  ConnLimits& limits() { return limits_; }
  // The newest idle connection to key that is still good; nullptr when none.
  std::unique_ptr<Connection> take(const std::string& key, port::Net& net);
  // Keeps conn (already told REMOVE) idle; closes the oldest beyond idle_max.
  void put(std::unique_ptr<Connection> conn, std::size_t idle_max);
  // A slot for a new connection to key, closing idle connections if that makes room;
  // empty when the limits say wait.
  ConnLimits::Slot acquire_slot(const std::string& key);
  // How many idle connections to key wait.
  std::size_t idle_count(const std::string& key) const;
  // Whether a connection went idle since the last call (a queued transfer may reuse it).
  bool take_grew();
  // Closes every idle connection.
  void close_all();

 private:
  Closer& closer_;
  ConnLimits limits_;
  bool grew_ = false;
  std::vector<std::unique_ptr<Connection>> idle_;  // oldest first
};

}  // namespace ms

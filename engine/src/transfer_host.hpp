// SPDX-License-Identifier: MIT
// transfer_host.hpp: what a transfer needs of its multi, and nothing more. The multi
// implements it; a transfer sees only this, so the arrows point one way (multi ->
// transfer), never back.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "conn_limits.hpp"
#include "connection.hpp"
#include "multisock/engine.hpp"
#include "multisock/multisock.h"
#include "multisock/port.h"
#include "socket_table.hpp"

namespace ms {

class TlsContexts;
class Transfer;

class TransferHost {
 public:
  // The clock as read once on entry to the multi, and the ports.
  virtual port::Nanos now() const = 0;
  virtual port::Net& net() = 0;
  virtual port::Resolver& resolver() = 0;
  virtual Mutant mutant() const = 0;

  // Sockets: interest in fd (MS_POLL_*), dropping it (REMOVE told if registered), and
  // closing it (REMOVE first, then through fn or the Net port).
  virtual void watch(int fd, SocketUser* user, ms_easy* easy, int want) = 0;
  virtual void drop(int fd, SocketUser* user) = 0;
  virtual void close_socket(int fd, SocketUser* user, ms_closesocket_callback fn, void* data) = 0;

  // The transfer's earliest deadline (nullopt: none), and its end (one DONE message).
  virtual void set_deadline(ms_easy& easy, std::optional<port::Nanos> at) = 0;
  virtual void transfer_done(ms_easy* easy, MSEcode result) = 0;

  // Connections: the idle pool, the limits, and the wait for a slot.
  virtual std::unique_ptr<Connection> pool_take(const std::string& key) = 0;
  virtual void pool_put(std::unique_ptr<Connection> conn, SocketUser* user) = 0;
  // CONNECT_ONLY: the connection leaves the transfer for its handle (no longer watched).
  virtual void keep_connected(std::unique_ptr<Connection> conn, SocketUser* user, ms_easy* easy) = 0;
  virtual std::uint64_t next_connection_id() = 0;
  // HTTP/2: whether the multi lets transfers share a connection (MSMOPT_PIPELINING has
  // MSPIPE_MULTIPLEX), the stream limit per connection (MSMOPT_MAX_CONCURRENT_STREAMS),
  // a live HTTP/2 connection to key with room for one more stream (nullptr: none), taking
  // a connection that speaks HTTP/2 into the multi's keeping (the transfers on it hold a
  // plain pointer), and taking back one whose last stream ended (pooled when it can serve
  // again, else closed; `session` is the socket's user; may delete the connection).
  virtual bool h2_multiplex() const = 0;
  virtual long h2_max_streams() const = 0;
  virtual Connection* h2_find(const std::string& key) = 0;
  virtual Connection* h2_adopt(std::unique_ptr<Connection> conn) = 0;
  virtual void h2_idle(Connection& conn) = 0;
  // MSOPT_PIPEWAIT: a connection that may turn out to speak HTTP/2 is being made to key
  // (on) or no longer (off: it does, or it does not); whether one is.
  virtual void h2_pending(const std::string& key, bool on) = 0;
  virtual bool h2_pending_to(const std::string& key) const = 0;
  virtual ConnLimits::Slot acquire_slot(const std::string& key) = 0;
  virtual void enqueue(Transfer* t) = 0;
  virtual void dequeue(Transfer* t) = 0;

  // The multi's TLS contexts, one per trust setting (tls_contexts.hpp).
  virtual TlsContexts& tls_contexts() = 0;

  // Buffers shared by all transfers (one event is handled at a time).
  virtual std::byte* scratch() = 0;
  virtual std::size_t scratch_size() const = 0;
  virtual std::string& line_scratch() = 0;

  // Runs an application callback with the multi's recursion guard up.
  template <class F>
  auto call_app(F&& f) {
    ++callback_depth_;
    struct Down {
      int& depth;
      ~Down() { --depth; }
    } down{callback_depth_};
    return f();
  }
  // Whether an application callback of this multi is running.
  bool in_callback() const { return callback_depth_ > 0; }

 protected:
  TransferHost() = default;
  ~TransferHost() = default;
  TransferHost(const TransferHost&) = delete;
  TransferHost& operator=(const TransferHost&) = delete;

 private:
  int callback_depth_ = 0;
};

}  // namespace ms

// SPDX-License-Identifier: MIT
// connector.hpp: the way from a host name to one connected socket: the name is resolved
// (MSOPT_RESOLVE entries, a numeric address, or the Resolver port), then connects race
// as Happy Eyeballs does it (RFC 8305, as libcurl): the family of the first address
// starts, the other family starts 200 ms later or as soon as the first has no address
// left, and within a family the next address is tried when one fails. Each attempt has
// its own registration; the winner goes to the owner, the losers are told REMOVE and
// closed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "multisock/multisock.h"
#include "multisock/port.h"
#include "socket_table.hpp"
#include "transfer_host.hpp"

struct ms_easy;

namespace ms {

class Connector {
 public:
  // What the connector tells the transfer that owns it.
  class Owner {
   public:
    // Resolved: the connects begin.
    virtual void on_connecting() = 0;
    // The race is won: fd (registered by the winner's attempt) is connected to peer.
    virtual void on_connected(int fd, const port::Address& peer) = 0;
    // No address, or none that connects: the transfer ends with code and text.
    virtual void on_connect_failed(MSEcode code, const std::string& text) = 0;
    // A deadline of the connector changed (second_family_at()).
    virtual void on_deadline_changed() = 0;

   protected:
    ~Owner() = default;
  };

  // `user` is who the sockets are registered for (the owning transfer).
  Connector(TransferHost& host, ms_easy& easy, SocketUser& user, Owner& owner)
      : host_(host), easy_(easy), user_(user), owner_(owner) {}

  // Resolves host:port and connects.
  void start(const std::string& host, std::uint16_t port);
  // The resolver's descriptor while a lookup runs (-1: none).
  int resolve_fd() const { return resolve_fd_; }
  // The resolver's descriptor turned ready.
  void on_resolve_event();
  // An event on one of the attempts' sockets (others are ignored).
  void on_socket_event(int fd, int mask);
  // When the other family starts, while it waits.
  std::optional<port::Nanos> second_family_at() const { return second_family_at_; }
  // Its time has come: starts the other family (or gives up when nothing is left).
  void start_second_family();
  // Lets go of the lookup and every attempt (REMOVE, close).
  void release();

 private:
  struct Attempt {
    int fd = -1;
    port::Address address;
    int family = 0;  // 0: the family of the first address, 1: the other
  };

  void on_resolved(const port::Resolution& answer);
  void start_connecting();
  // Starts a connect to the next address of family f; false when f has none left.
  bool start_attempt(int f);
  // Opens a socket for addr (the application's OPENSOCKETFUNCTION or the Net port).
  int open_socket(const port::Address& addr);
  // MSOPT_SOCKOPTFUNCTION's answer for a new socket (MS_SOCKOPT_OK without one).
  int sockopt(int fd);
  // REMOVE, then closed through MSOPT_CLOSESOCKETFUNCTION or the Net port.
  void close_attempt_socket(int fd);
  // The socket option callback said MS_SOCKOPT_ERROR: the transfer ends.
  void aborted();
  void attempt_failed(std::size_t index, port::NetError error);
  void won(std::size_t index);
  void failed();

  TransferHost& host_;
  ms_easy& easy_;
  SocketUser& user_;
  Owner& owner_;
  std::string host_name_;
  std::uint16_t port_ = 0;
  std::vector<port::Address> addresses_;
  std::vector<port::Address> family_addresses_[2];
  std::size_t family_next_[2] = {0, 0};
  std::optional<port::Nanos> second_family_at_;
  port::NetError last_error_ = port::NetError::none;
  std::uint64_t resolve_id_ = 0;
  int resolve_fd_ = -1;
  std::vector<Attempt> attempts_;
  std::size_t wins_ = 0;  // races won: tells start_connecting that a connect ended at once
  bool refused_ = false;  // the socket option callback ended the transfer
};

}  // namespace ms

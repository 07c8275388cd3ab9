// SPDX-License-Identifier: MIT
// real_peers.hpp: a scenario's peers on real loopback sockets, and its URLs mapped to them.
//
// Shared by the real-time targets (run_real.cpp) and recorded programs (run_app.cpp):
//  * Each peer listens through RealPeerHost on its scenario address (any 127.0.0.0/8
//    address, or ::1) at an ephemeral port; 127.0.0.1 when that address cannot be bound.
//  * A URL keeps its scheme, userinfo, host and path; its port becomes the real one. A
//    numeric host becomes the address the peer really listens on; a name gets a resolve
//    entry "name:<real port>:<real address>" (from the transfer's own `resolve` entry or
//    the scenario's `dns` line), so no scenario name is ever looked up on the machine.
//  * A name that fails in the scenario becomes "<name>-…x.invalid" with a first label
//    longer than DNS allows: the C library refuses to build a query for it, so the lookup
//    fails locally and no packet leaves the machine.
//  * A URL address with no peer gets a `refuse` listener there.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "conformance/scenario.hpp"
#include "multisock/port.h"
#include "simnet/real_peer_host.hpp"

namespace ms::conf {

std::string lower(std::string s);

// The peers on real sockets and the addresses URLs are mapped to.
class PeerMap {
 public:
  explicit PeerMap(posix::RealPeerHost& host) : host_(host) {}
  // Starts every peer of the scenario; false with a message on the first failure.
  bool start(const Scenario& sc, std::string& error);
  // Where a connection to the scenario address really goes; a refusing listener is made
  // for an address no peer listens on. nullopt: the address is not loopback.
  std::optional<port::Address> real_for(const port::Address& scenario_addr);

 private:
  std::optional<port::Address> listen(const std::string& name, const sim::PeerScript& script,
                                      const port::Address& at, std::string& error);
  posix::RealPeerHost& host_;
  std::map<port::Address, port::Address> real_;
};

// Rewrites one transfer so that it reaches the real peers (its url and resolve entries);
// false with a message when the scenario names an address that is not loopback.
bool map_transfer(const Scenario& sc, PeerMap& peers, TransferSpec& t, std::string& error);

}  // namespace ms::conf

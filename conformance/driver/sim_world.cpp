// SPDX-License-Identifier: MIT
// sim_world.cpp: a scenario's world (make_world) and waiting in it (advance_world).
#include "conformance/sim_world.hpp"

#include <algorithm>
#include <utility>
#include <vector>

namespace ms::conf {

namespace {

using Nanos = port::Nanos;

sim::FaultOptions faults_of(const WorldSpec& w) {
  sim::FaultOptions f;
  f.connect_refuse_probability = w.connect_refuse;
  f.connect_drop_probability = w.connect_drop;
  f.reset_probability = w.reset;
  f.half_close_early_probability = w.half_close_early;
  f.socket_error_probability = w.socket_error;
  f.short_read_probability = w.short_read;
  f.short_write_probability = w.short_write;
  f.extra_latency_probability = w.extra_latency;
  if (w.extra_latency_max_ns >= 0) f.extra_latency_max = Nanos(w.extra_latency_max_ns);
  return f;
}

}  // namespace

std::unique_ptr<sim::World> make_world(const Scenario& sc, std::uint64_t seed,
                                       sim::ChoiceTape& tape, std::string& error) {
  sim::WorldOptions wo;
  wo.seed = seed;
  if (sc.world.latency_ns >= 0) wo.link.latency = Nanos(sc.world.latency_ns);
  if (sc.world.bandwidth_bytes_per_second >= 0)
    wo.link.bandwidth_bytes_per_second =
        static_cast<std::uint64_t>(sc.world.bandwidth_bytes_per_second);
  if (sc.world.send_buffer_bytes > 0)
    wo.link.send_buffer_bytes = static_cast<std::size_t>(sc.world.send_buffer_bytes);
  if (sc.world.dns_default_delay_ns >= 0) wo.dns_default_delay = Nanos(sc.world.dns_default_delay_ns);
  wo.faults = faults_of(sc.world);
  auto world = std::make_unique<sim::World>(wo);
  world->rng().attach(&tape);

  for (const DnsSpec& d : sc.dns) {
    std::vector<sim::Address> addrs;
    for (auto& a : d.addresses) {
      auto parsed = sim::Address::parse_numeric(a, 0);
      if (parsed) addrs.push_back(*parsed);
    }
    world->dns_add(d.name, addrs,
                  d.delay_ns >= 0 ? Nanos(d.delay_ns) : wo.dns_default_delay, d.fail);
  }
  for (const PeerSpec& p : sc.peers) {
    if (p.script.commands.empty()) {
      error = sc.file + ":" + std::to_string(p.line) + ": peer " + p.name + " has no parsed script";
      return nullptr;
    }
    auto at = sim::Address::parse_numeric(p.address, static_cast<std::uint16_t>(p.port));
    if (at && p.latency_ns >= 0) {
      sim::LinkOptions link = wo.link;
      link.latency = Nanos(p.latency_ns);
      world->set_link(*at, link);
    }
    if (!at || !world->listen(p.name, *at, p.script, error)) {
      error = sc.file + ":" + std::to_string(p.line) + ": peer " + p.name + ": " +
              (at ? error : "bad address " + p.address);
      return nullptr;
    }
  }

  return world;
}

bool advance_world(sim::World& world, std::optional<Nanos> deadline) {
  std::optional<Nanos> next = world.next_event_time();
  if (deadline && (!next || *deadline < *next)) next = deadline;
  if (!next) return false;  // nothing scheduled and no deadline: nothing can happen
  world.advance_to(std::max(*next, world.now()));
  return true;
}

}  // namespace ms::conf

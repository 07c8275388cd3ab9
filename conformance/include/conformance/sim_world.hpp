// SPDX-License-Identifier: MIT
// sim_world.hpp: the simnet World a scenario describes, and waiting in it.
//
// One copy of both, shared by every program that runs over a scenario's world: the
// engine-sim and lib: targets (through SimEnvironment, sim_environment.hpp) and the
// scripting bindings' worlds (bindings/common/sim_world.hpp). A library of its own
// (ms_sim_world: the scenario parser and simnet, nothing of the driver), so that a
// Python or Lua module can build a world without linking the interposition layer.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "conformance/scenario.hpp"
#include "simnet/rng.hpp"
#include "simnet/world.hpp"

namespace ms::conf {

// The world a scenario describes (links, faults, DNS, peers), its PRNG recording into
// `tape`; nullptr with a message when the scenario's peers or addresses are wrong.
std::unique_ptr<sim::World> make_world(const Scenario& sc, std::uint64_t seed,
                                       sim::ChoiceTape& tape, std::string& error);

// Runs the world's events up to the earlier of `deadline` and its next scheduled event
// (virtual time moves there, never backwards). False, and nothing runs, when no event is
// scheduled and no deadline is given: waiting would last for ever.
bool advance_world(sim::World& world, std::optional<port::Nanos> deadline);

}  // namespace ms::conf

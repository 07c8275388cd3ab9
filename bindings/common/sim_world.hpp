// SPDX-License-Identifier: MIT
// sim_world.hpp: a simulated world for the bindings (Python multisock.sim.World, Lua
// multisock.sim_world).
//
// How it works: the world is the one a scenario file describes (its `world`, `dns` and
// `peer` lines), built by the harness's own make_world (conformance/sim_world.hpp), so a
// binding meets exactly the peers, links and faults the engine-sim target meets. A Multi
// made over it (multi_init) is the engine bound to the world's ports, as the engine-sim
// target makes it. The binding's event loop waits through poll(): it answers which of the
// descriptors the socket callback asked about are ready, running the world's events in
// virtual time (advance_world, the same waiting as the harness) until one is or the
// timeout passes. Nothing reads the wall clock; the same scenario and seed give the same
// events, so the same callbacks in the same order.
//
// Not thread-safe: a world and its multis are used by one thread (the bindings keep their
// interpreter's lock around every call on a world-bound multi).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "conformance/sim_world.hpp"
#include "multisock/multisock.h"

namespace ms::bind {

class SimWorld {
 public:
  // The world of the scenario `text` (its name `file` for messages), seeded with `seed`
  // or the scenario's own seed line. Null with the reason in *error.
  static std::unique_ptr<SimWorld> load(const std::string& text, const std::string& file,
                                        std::optional<std::uint64_t> seed, std::string* error);
  ~SimWorld();

  // A multi handle of the engine over this world's ports (null when out of memory). The
  // world must outlive it.
  ms_multi* multi_init();

  std::uint64_t seed() const { return seed_; }
  std::int64_t now_ns() const { return world_->time().count(); }
  // Virtual milliseconds since the world began, rounded down (a loop's clock).
  std::int64_t now_ms() const { return now_ns() / 1'000'000; }

  struct Interest {
    int fd;
    int what;  // MS_POLL_IN, MS_POLL_OUT or MS_POLL_INOUT
  };
  // Ready descriptors among `interest`, as (fd, MS_CSELECT_* mask) in ascending fd order;
  // waits in virtual time up to timeout_ms (negative: until something is ready). Returns
  // immediately when one is ready now (level-triggered, as poll(2)). False, and *error
  // set, when nothing is ready and nothing can ever happen (no timeout, no event left).
  bool poll(const std::vector<Interest>& interest, long timeout_ms,
            std::vector<std::pair<int, int>>& ready, std::string* error);
  // Runs the world's events for `ms` virtual milliseconds (ms >= 0).
  void advance(long ms);
  // Descriptors of the world still open.
  std::size_t open_descriptors() const { return world_->open_descriptors(); }
  // Fails the stream `fd` with the NetError named `error` ("reset", "refused",
  // "timed_out", ...): its next call returns it. False with *why when the name or the
  // descriptor is not known.
  bool inject_error(int fd, const std::string& error, std::string* why);

 private:
  SimWorld() = default;
  sim::ChoiceTape tape_;  // the world's decisions (recorded; outlives the world)
  std::unique_ptr<sim::World> world_;
  std::uint64_t seed_ = 0;
};

}  // namespace ms::bind

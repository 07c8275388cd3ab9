// sim_environment.hpp: the driver's Environment over a simnet World (virtual time).
#pragma once

#include "conformance/driver.hpp"
#include "simnet/world.hpp"

namespace ms::conf {

class SimEnvironment final : public Environment {
 public:
  explicit SimEnvironment(sim::World& world) : world_(world) {}
  Nanos now() override { return world_.now(); }
  bool wait(std::optional<Nanos> deadline) override {
    std::optional<Nanos> next = world_.next_event_time();
    if (deadline && (!next || *deadline < *next)) next = deadline;
    if (!next) return false;  // nothing scheduled and no deadline: nothing can happen
    world_.advance_to(std::max(*next, world_.now()));
    return true;
  }
  int readiness(int fd) override { return world_.readiness(fd); }
  void ready_changes(std::vector<int>& out) override { world_.drain_ready_changes(out); }
  void watch(int, int) override {}
  bool is_virtual() const override { return true; }

 private:
  sim::World& world_;
};

}  // namespace ms::conf

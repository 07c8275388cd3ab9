// SPDX-License-Identifier: MIT
// sim_environment.hpp: the driver's Environment over a simnet World (virtual time), and
// the observer that writes the world's network events into the trace. The world itself
// (make_world, advance_world) comes from conformance/sim_world.hpp.
#pragma once

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>

#include "conformance/driver.hpp"
#include "conformance/runner.hpp"
#include "conformance/sim_world.hpp"
#include "simnet/virtual_os.hpp"
#include "simnet/world.hpp"

namespace ms::conf {

class SimEnvironment final : public Environment {
 public:
  // vos: the interposition layer when the target is a library that reaches the world
  // through its C library calls; its threads run at the environment's safe points.
  explicit SimEnvironment(sim::World& world, sim::VirtualOs* vos = nullptr)
      : world_(world), vos_(vos) {}
  Nanos now() override { return world_.now(); }
  bool wait(std::optional<Nanos> deadline) override {
    if (vos_ != nullptr) {
      vos_->run_threads();
      if (!vos_->fatal().empty()) return false;
      if (world_.has_ready_changes()) return true;  // a thread made something ready now
    }
    if (!advance_world(world_, deadline)) return false;
    if (vos_ != nullptr) vos_->run_threads();
    return true;
  }
  int readiness(int fd) override { return world_.readiness(fd); }
  void ready_changes(std::vector<int>& out) override { world_.drain_ready_changes(out); }
  void watch(int, int) override {}
  bool is_virtual() const override { return true; }
  void waited_on(std::vector<int>& out) override { world_.drain_waited_on(out); }

 private:
  sim::World& world_;
  sim::VirtualOs* vos_;
};

// Forwards the world's network events into the trace.
class TraceObserver final : public sim::NetObserver {
 public:
  explicit TraceObserver(Driver& d) : driver_(d) {}
  void on_open(Nanos, int fd) override { emit(EventKind::net_open, fd, 0, {}); }
  void on_connect(Nanos, int fd, const sim::Address& peer) override {
    emit(EventKind::net_connect, fd, 0, peer.to_string());
  }
  void on_close(Nanos, int fd) override { emit(EventKind::net_close, fd, 0, {}); }
  void on_deliver(Nanos, int fd, std::size_t bytes) override {
    emit(EventKind::net_bytes, fd, static_cast<long>(bytes), {});
  }
  void on_fault(Nanos, int fd, sim::FaultKind kind) override {
    emit(EventKind::note, fd, 0, std::string("fault ") + sim::to_string(kind));
  }
  void on_stream(Nanos, int fd, std::uint32_t stream_id, const std::string& path) override {
    driver_.record_stream(fd, stream_id, path);
  }
  void on_stream_end(Nanos, int fd, std::uint32_t stream_id) override {
    emit(EventKind::net_stream_end, fd, static_cast<long>(stream_id), {});
  }

 private:
  void emit(EventKind k, int fd, long value, std::string text) {
    Event e;
    e.kind = k;
    e.fd = fd;
    e.value = value;
    e.text = std::move(text);
    driver_.record(std::move(e));
  }
  Driver& driver_;
};

// How long a simulated run may last: 600 s of virtual time, or the plan's last step plus
// 60 s when that is later, so a scenario of an hour runs and a stall still ends.
inline Nanos simulated_time_limit(const Scenario& sc) {
  std::int64_t last = 0;
  for (const ClientStep& s : sc.client) last = std::max(last, s.at_ns);
  return std::max<Nanos>(std::chrono::seconds(600), Nanos(last) + std::chrono::seconds(60));
}

// A library target in the virtual world: each scenario in a child process that loads the
// library, installs the interposition layer over the scenario's world and drives it
// (conformance/driver/run_virtual.cpp).
ScenarioRun run_virtual(const Scenario& scenario, const TargetSpec& target,
                        const RunOptions& options);

}  // namespace ms::conf

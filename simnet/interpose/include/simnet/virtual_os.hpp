// SPDX-License-Identifier: MIT
// virtual_os.hpp: a World seen by a real process through its C library calls.
//
// A program that links ms_simnet_interpose (and exports its symbols: CMake's
// ENABLE_EXPORTS) defines socket(), connect(), recv(), poll(), clock_gettime(),
// getaddrinfo(), pthread_create() and the rest of the calls listed in interpose/README.md.
// A shared library it loads with dlopen binds those calls to the program's definitions.
// While a VirtualOs is installed, the calls that name a virtual descriptor, the clocks,
// name lookups and new threads are served by the World; everything else (files, the
// process's own pipes) goes to the C library as before. With no VirtualOs installed every
// call goes to the C library unchanged.
//
// Descriptor numbers: each virtual descriptor holds a real O_PATH descriptor of the same
// number, so the kernel never hands that number to a real file, and a call the layer does
// not intercept fails with EBADF instead of reaching anything real.
//
// Threads a library starts while the layer is installed run in lockstep: one thread at a
// time, switching only where the layer decides (a new thread first runs at the next safe
// point; a thread waiting for a name waits in virtual time), so their effects land at
// deterministic virtual times.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "simnet/world.hpp"

namespace ms::sim {

struct VirtualOsOptions {
  // What CLOCK_MONOTONIC reads at world time 0 (a library may take 0 for "unset").
  port::Nanos monotonic_base = std::chrono::hours(24);
  // What CLOCK_REALTIME / time() read at world time 0: 2026-01-01T00:00:00Z.
  std::int64_t realtime_base_seconds = 1'767'225'600;
  // A library thread that neither ends nor waits within this much wall time stops the run.
  std::chrono::milliseconds thread_wall_limit{5'000};
  // A call that reads the clock this often without returning is spinning until time
  // passes (as a busy loop does in real time): from then on, every spin_reads further
  // reads move virtual time on by spin_step, inside the call.
  std::uint64_t spin_reads = 100'000;
  port::Nanos spin_step = std::chrono::milliseconds(1);
};

class VirtualOs {
 public:
  // Installs the layer for this process; only one may be installed (std::logic_error).
  explicit VirtualOs(World& world, const VirtualOsOptions& options = {});
  ~VirtualOs();
  VirtualOs(const VirtualOs&) = delete;
  VirtualOs& operator=(const VirtualOs&) = delete;

  World& world();

  // The application is about to call into the library (counts clock reads per call).
  void enter_call();
  // Virtual time that passed inside calls because a library spun on the clock.
  port::Nanos spun() const;

  // A safe point (no library code on the stack): runs every library thread that can run
  // now, in creation order, each until it waits or ends. True when one ran.
  bool run_threads();

  // The first call the layer does not model, e.g. "library called shutdown() on virtual
  // descriptor 5 (not modelled)"; "" when none. Such a call fails (ENOTSUP) in the library.
  const std::string& unmodelled() const;
  // A condition that ends the run (a thread that does not yield, a wait that can never
  // end); "" when none.
  const std::string& fatal() const;

  // How often each intercepted function served a virtual descriptor, a clock or a lookup.
  std::map<std::string, std::uint64_t> calls() const;

  static VirtualOs* installed();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace ms::sim

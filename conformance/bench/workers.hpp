// SPDX-License-Identifier: MIT
// workers.hpp: the measurements `multisock bench` makes in a fresh process of their own
// (`multisock bench --worker KIND`), each over one implementation's Api table, so that the
// engine and a library run the very same application code and neither sees the other's heap.
//
// - loop: GETs over keep-alive connections (or one bulk download) from an HTTP server,
//   driven by an epoll + timerfd application in the shape of libcurl's event-loop examples;
//   CPU (user, system) of the loop alone, without process start and library load.
// - memory: heap bytes (mallinfo2) per idle added handle.
// - scaling: the cost of one call with N handles in the multi (add, remove, socket_action on
//   one ready socket, a SOCKET_TIMEOUT call with nothing due, multi_timeout, info_read),
//   against a loopback listener that never accepts, with at most one connection.
// Each returns its figures as a JSON object, or {"error": "..."}.
#pragma once

#include <string>
#include <vector>

#include "conformance/api.hpp"
#include "reports/reports.hpp"

namespace ms::bench {

using ms::reports::json;

struct LoopJob {
  std::vector<std::string> urls;  // cycled through; each answer must be `size` bytes
  long long size = 0;
  int gets = 0;                   // transfers in all
  int slots = 1;                  // transfers at once; each slot reuses its easy handle
  bool direct_zero_timers = false;  // 0 ms timers run at once, not through the timerfd
};

json run_loop(const ms::conf::Api& api, const LoopJob& job);
json idle_handle_memory(const ms::conf::Api& api, int handles);
json call_costs(const ms::conf::Api& api, int handles, int samples);

// The operations call_costs measures, in the order it reports them.
const std::vector<std::string>& scaling_operations();
// Those of them that are one pass over every handle: each call meets memory out of the
// cache, a cost of the machine's memory that grows with the handles for any implementation.
// Reported beside the others, not judged flat.
bool cold_pass(const std::string& operation);

}  // namespace ms::bench

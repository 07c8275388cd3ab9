// SPDX-License-Identifier: MIT
// sim_world.cpp: the bindings' simulated world (see sim_world.hpp).
#include "sim_world.hpp"

#include <algorithm>
#include <chrono>

#include "multisock/engine.hpp"

namespace ms::bind {

std::unique_ptr<SimWorld> SimWorld::load(const std::string& text, const std::string& file,
                                         std::optional<std::uint64_t> seed, std::string* error) {
  conf::Scenario sc;
  conf::ScenarioError se;
  if (!conf::parse_scenario(text, file, sc, se)) {
    *error = se.to_string();
    return nullptr;
  }
  std::unique_ptr<SimWorld> w(new SimWorld());
  w->seed_ = seed.value_or(sc.seed);
  w->world_ = conf::make_world(sc, w->seed_, w->tape_, *error);
  if (!w->world_) return nullptr;
  return w;
}

SimWorld::~SimWorld() {
  if (world_) world_->rng().attach(nullptr);
}

ms_multi* SimWorld::multi_init() { return ms::multi_init(world_->ports()); }

bool SimWorld::poll(const std::vector<Interest>& interest, long timeout_ms,
                    std::vector<std::pair<int, int>>& ready, std::string* error) {
  std::vector<Interest> sorted = interest;
  std::sort(sorted.begin(), sorted.end(), [](const Interest& a, const Interest& b) { return a.fd < b.fd; });
  std::optional<port::Nanos> deadline;
  if (timeout_ms >= 0) deadline = world_->now() + std::chrono::milliseconds(timeout_ms);
  std::vector<int> changed;
  for (;;) {
    ready.clear();
    for (const Interest& i : sorted) {
      const int now = world_->readiness(i.fd);
      int mask = now & MS_CSELECT_ERR;
      if (i.what & MS_POLL_IN) mask |= now & MS_CSELECT_IN;
      if (i.what & MS_POLL_OUT) mask |= now & MS_CSELECT_OUT;
      if (mask != 0) ready.emplace_back(i.fd, mask);
    }
    world_->drain_ready_changes(changed);  // levels are read above; the changes are not needed
    if (!ready.empty() || (deadline && world_->now() >= *deadline)) return true;
    if (!conf::advance_world(*world_, deadline)) {
      *error = "nothing is ready and nothing can happen in the world any more (no event is "
               "scheduled and no timeout was given)";
      return false;
    }
  }
}

void SimWorld::advance(long ms) {
  const port::Nanos until = world_->now() + std::chrono::milliseconds(std::max(0L, ms));
  while (world_->now() < until) conf::advance_world(*world_, until);
  std::vector<int> changed;
  world_->drain_ready_changes(changed);
}

bool SimWorld::inject_error(int fd, const std::string& error, std::string* why) {
#define MS_BIND_NET(name, text) if (error == #name) code = port::NetError::name;
  std::optional<port::NetError> code;
  MS_NET_ERRORS(MS_BIND_NET)
#undef MS_BIND_NET
  if (!code || *code == port::NetError::none || *code == port::NetError::would_block ||
      *code == port::NetError::in_progress) {
    *why = "unknown socket error '" + error + "' (reset, refused, timed_out, unreachable, "
           "broken_pipe, ...)";
    return false;
  }
  if (!world_->inject_socket_error(fd, *code)) {
    *why = "descriptor " + std::to_string(fd) + " is not an open stream of the world";
    return false;
  }
  return true;
}

}  // namespace ms::bind

// SPDX-License-Identifier: MIT
#include "connection_pool.hpp"

#include <algorithm>
#include <utility>

namespace ms {

std::unique_ptr<Connection> ConnectionPool::take(const std::string& key, port::Net& net) {
  for (std::size_t i = idle_.size(); i-- > 0;) {
    if (idle_[i]->pool_key != key) continue;
    std::unique_ptr<Connection> conn = std::move(idle_[i]);
    idle_.erase(idle_.begin() + static_cast<std::ptrdiff_t>(i));
    // An idle connection has nothing to say: readable means the peer closed or sent
    // garbage, error means it broke. Either way it is not reused.
    if (net.readiness(conn->fd) & (port::kReadable | port::kError)) {
      closer_.close_idle(*conn);
      continue;
    }
    return conn;
  }
  return nullptr;
}

void ConnectionPool::put(std::unique_ptr<Connection> conn, std::size_t idle_max) {
  conn->reused = false;
  idle_.push_back(std::move(conn));
  grew_ = true;
  while (idle_.size() > idle_max) {
    closer_.close_idle(*idle_.front());
    idle_.erase(idle_.begin());
  }
}

ConnLimits::Slot ConnectionPool::acquire_slot(const std::string& key) {
  for (;;) {
    if (limits_.fits(key)) return limits_.take(key);
    // Idle connections hold slots too: close the oldest one in the way, as libcurl does.
    const bool host_full = limits_.host_full(key);
    auto it = std::find_if(idle_.begin(), idle_.end(),
                           [&](const auto& c) { return !host_full || c->pool_key == key; });
    if (it == idle_.end()) return {};
    closer_.close_idle(**it);
    idle_.erase(it);
  }
}

std::size_t ConnectionPool::idle_count(const std::string& key) const {
  return static_cast<std::size_t>(
      std::count_if(idle_.begin(), idle_.end(), [&](const auto& c) { return c->pool_key == key; }));
}

bool ConnectionPool::take_grew() { return std::exchange(grew_, false); }

void ConnectionPool::close_all() {
  for (auto& conn : idle_) closer_.close_idle(*conn);
  idle_.clear();
}

}  // namespace ms

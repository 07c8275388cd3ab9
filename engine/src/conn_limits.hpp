// SPDX-License-Identifier: MIT
// conn_limits.hpp: MSMOPT_MAX_HOST_CONNECTIONS and MSMOPT_MAX_TOTAL_CONNECTIONS.
//
// Every connection the multi holds (connecting, in use, or idle in the pool) owns one
// Slot for its "scheme://host:port" key; the Slot gives itself back when it is destroyed,
// so no path that closes a connection can forget to. A transfer that finds no free slot
// waits in the multi's queue; freed() tells the multi that the queue may move.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>

namespace ms {

class ConnLimits {
  struct State {
    std::map<std::string, long> by_key;
    long total = 0;
    long max_host = 0;   // 0: no limit
    long max_total = 0;  // 0: no limit
    bool freed = false;  // a slot was given back since the last take_freed()
  };

 public:
  class Slot {
   public:
    Slot() = default;
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    Slot(Slot&& o) noexcept : state_(std::move(o.state_)), entry_(o.entry_) {}
    Slot& operator=(Slot&& o) noexcept {
      if (this != &o) {
        release();
        state_ = std::move(o.state_);
        entry_ = o.entry_;
      }
      return *this;
    }
    ~Slot() { release(); }
    explicit operator bool() const { return state_ != nullptr; }
    void release() {
      if (!state_) return;
      if (--entry_->second <= 0) state_->by_key.erase(entry_);
      --state_->total;
      state_->freed = true;
      state_.reset();
    }

   private:
    friend class ConnLimits;
    using Entry = std::map<std::string, long>::iterator;
    Slot(std::shared_ptr<State> s, Entry entry) : state_(std::move(s)), entry_(entry) {}
    std::shared_ptr<State> state_;  // shared: a slot may outlive the multi's bookkeeping
    // Its key's count: the entry lives while any slot counts in it (no key copy, no find).
    Entry entry_{};
  };

  ConnLimits() : state_(std::make_shared<State>()) {}

  void set_max_host(long v) { state_->max_host = v > 0 ? v : 0; }
  void set_max_total(long v) { state_->max_total = v > 0 ? v : 0; }
  bool limited() const { return state_->max_host > 0 || state_->max_total > 0; }
  bool host_full(const std::string& key) const {
    if (state_->max_host == 0) return false;
    auto it = state_->by_key.find(key);
    return it != state_->by_key.end() && it->second >= state_->max_host;
  }
  bool total_full() const { return state_->max_total > 0 && state_->total >= state_->max_total; }
  bool fits(const std::string& key) const { return !host_full(key) && !total_full(); }
  // A slot for key; the caller checked fits().
  Slot take(const std::string& key) {
    const auto entry = state_->by_key.try_emplace(key, 0).first;
    ++entry->second;
    ++state_->total;
    return Slot(state_, entry);
  }
  bool take_freed() { return std::exchange(state_->freed, false); }
  long total() const { return state_->total; }

 private:
  std::shared_ptr<State> state_;
};

}  // namespace ms

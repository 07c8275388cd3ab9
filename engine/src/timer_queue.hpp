// SPDX-License-Identifier: MIT
// timer_queue.hpp: one deadline per transfer, ordered by (deadline, sequence number).
//
// Each transfer keeps only its earliest deadline here (it recomputes it when its own
// timers change). The key's second part is the handle's sequence number, never a pointer,
// so equal deadlines expire in a fixed order run after run.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <utility>

#include "multisock/port.h"

namespace ms {

template <class Owner>
class TimerQueue {
 public:
  struct Key {
    port::Nanos at{};
    std::uint64_t seq = 0;
    friend auto operator<=>(const Key&, const Key&) = default;
  };
  class Slot;
  struct Entry {
    Owner* owner = nullptr;
    Slot* slot = nullptr;
  };
  using Map = std::map<Key, Entry>;

  // What an owner has in the queue: its deadline and where it sits (so that taking it out
  // costs no search). Out of the queue it keeps the node it had: queuing it again allocates
  // nothing, and the first node is made with the owner, so adding a handle to a multi of
  // 100,000 touches no fresh memory.
  class Slot {
   public:
    Slot() : spare_(fresh_node()) {}
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    bool queued() const { return queued_; }
    port::Nanos at() const { return at_; }

   private:
    friend class TimerQueue;
    static typename Map::node_type fresh_node() {
      Map m;
      return m.extract(m.emplace(Key{}, Entry{}).first);
    }
    bool queued_ = false;
    port::Nanos at_{};
    typename Map::iterator where_{};
    typename Map::node_type spare_;
  };

  // Sets (or with nullopt clears) the deadline of owner `seq`; `slot` is the owner's.
  void set(Slot& slot, std::uint64_t seq, std::optional<port::Nanos> at, Owner* owner) {
    if (slot.queued_ && at && slot.at_ == *at) return;
    take_out(slot);
    if (!at) return;
    typename Map::node_type node = std::move(slot.spare_);
    node.key() = Key{*at, seq};
    node.mapped() = Entry{owner, &slot};
    // Most new keys are the largest (due now, the newest handle): hinted at the end, such an
    // insert walks no path from the root.
    slot.where_ = map_.insert(map_.end(), std::move(node));
    slot.at_ = *at;
    slot.queued_ = true;
  }
  std::optional<port::Nanos> earliest() const {
    if (map_.empty()) return std::nullopt;
    return map_.begin()->first.at;
  }
  // The first owner due at `now`, taken out of the queue; nullptr when none is due.
  Owner* pop_due(port::Nanos now) {
    if (map_.empty() || map_.begin()->first.at > now) return nullptr;
    const Entry e = map_.begin()->second;
    take_out(*e.slot);
    return e.owner;
  }
  bool empty() const { return map_.empty(); }
  std::size_t size() const { return map_.size(); }

 private:
  void take_out(Slot& slot) {
    if (!slot.queued_) return;
    slot.spare_ = map_.extract(slot.where_);
    slot.queued_ = false;
  }
  Map map_;
};

}  // namespace ms

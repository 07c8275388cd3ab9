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
  using Map = std::map<Key, Owner*>;
  // What an owner has in the queue: its deadline, and where it sits (so taking it out
  // costs no search).
  struct Slot {
    port::Nanos at{};
    typename Map::iterator where;
  };

  // Sets (or with nullopt clears) the deadline of owner `seq`. `slot` is the owner's
  // record of what it has in the queue.
  void set(std::optional<Slot>& slot, std::uint64_t seq, std::optional<port::Nanos> at, Owner* owner) {
    if (slot && at && slot->at == *at) return;
    if (slot && at) {  // moved: the node is re-keyed, not freed and allocated again
      auto node = map_.extract(slot->where);
      node.key() = Key{*at, seq};
      node.mapped() = owner;
      slot = Slot{*at, map_.insert(map_.end(), std::move(node))};
      return;
    }
    if (slot) {
      map_.erase(slot->where);
      slot.reset();
    }
    if (at) {
      // Most new keys are the largest (due now, the newest handle): hinted at the end,
      // such an insert walks no path from the root.
      slot = Slot{*at, map_.emplace_hint(map_.end(), Key{*at, seq}, owner)};
    }
  }
  std::optional<port::Nanos> earliest() const {
    if (map_.empty()) return std::nullopt;
    return map_.begin()->first.at;
  }
  // The first owner due at `now`, removed from the queue; the caller clears the owner's
  // slot. nullptr when none is due.
  Owner* pop_due(port::Nanos now) {
    if (map_.empty() || map_.begin()->first.at > now) return nullptr;
    auto it = map_.begin();
    Owner* owner = it->second;
    map_.erase(it);
    return owner;
  }
  bool empty() const { return map_.empty(); }
  std::size_t size() const { return map_.size(); }

 private:
  Map map_;
};

}  // namespace ms

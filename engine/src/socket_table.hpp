// SPDX-License-Identifier: MIT
// socket_table.hpp: descriptor -> {last action told, socketp, users}.
//
// Every socket the engine uses (connections, connecting sockets, pending resolver
// lookups) is entered here with the interest its user wants. The table tells the
// application only changes (SC-CHANGES), tells REMOVE when the last user lets go (the
// caller closes the descriptor afterwards: SC-REMOVE), and forgets socketp on REMOVE
// (SC-SOCKETP). Indexed by descriptor, so one event costs O(users of that descriptor).
#pragma once

#include <cstddef>
#include <vector>

#include "multisock/engine.hpp"
#include "multisock/multisock.h"

namespace ms {

// Something that reacts to events on a descriptor (a transfer).
class SocketUser {
 public:
  virtual ~SocketUser() = default;
  virtual void on_socket_event(int fd, int mask) = 0;
};

// Where the table's news goes: the multi's socket callback.
class SocketNotifier {
 public:
  virtual ~SocketNotifier() = default;
  virtual void tell_socket(ms_easy* easy, int fd, int action, void* socketp) = 0;
};

class SocketTable {
 public:
  static constexpr int kNotTold = -1;

  struct User {
    SocketUser* user = nullptr;
    ms_easy* easy = nullptr;
    int want = MS_POLL_NONE;  // MS_POLL_NONE, IN, OUT or INOUT
  };
  struct Entry {
    int told = kNotTold;  // last action told; kNotTold when not registered
    void* socketp = nullptr;
    std::vector<User> users;
  };

  SocketTable(SocketNotifier& notifier, Mutant mutant) : notifier_(notifier), mutant_(mutant) {}

  // Adds user to fd (or updates its interest) and tells the application if the combined
  // interest changed.
  void watch(int fd, SocketUser* user, ms_easy* easy, int want);
  // Removes user from fd; when no user is left, tells REMOVE (if anything was told) and
  // forgets socketp. The caller closes the descriptor only after this.
  void drop(int fd, SocketUser* user);
  // For ms_multi_assign: false when fd is not in use.
  bool assign(int fd, void* socketp);
  // nullptr when fd is unknown (never registered, or already removed).
  const Entry* find(int fd) const;
  bool in_use(int fd) const { return find(fd) != nullptr; }
  // Descriptors in use, ascending (for ms_multi_socket_all and cleanup).
  std::vector<int> descriptors() const;
  std::size_t size() const { return used_; }

 private:
  void sync(int fd, Entry& entry);

  SocketNotifier& notifier_;
  Mutant mutant_;
  std::vector<Entry> entries_;  // index = descriptor
  std::size_t used_ = 0;
};

}  // namespace ms

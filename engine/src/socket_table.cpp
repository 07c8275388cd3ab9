// SPDX-License-Identifier: MIT
#include "socket_table.hpp"

#include <algorithm>

#include "mutant.hpp"

namespace ms {

void SocketTable::watch(int fd, SocketUser* user, ms_easy* easy, int want) {
  if (fd < 0) return;
  if (static_cast<std::size_t>(fd) >= entries_.size()) entries_.resize(static_cast<std::size_t>(fd) + 1);
  Entry& entry = entries_[static_cast<std::size_t>(fd)];
  if (entry.users.empty()) ++used_;
  auto it = std::find_if(entry.users.begin(), entry.users.end(),
                         [&](const User& u) { return u.user == user; });
  if (it == entry.users.end()) {
    entry.users.push_back(User{user, easy, want});
  } else {
    // The defect h2_repeat_in: another stream starting on a shared socket (its user, the
    // session, now names that stream's easy) has the unchanged action told again.
    if (MS_MUTANT(mutant_, h2_repeat_in) && it->easy != easy && it->want == want && entry.told != kNotTold)
      entry.told = kNotTold;  // sync tells it again
    it->want = want;
    it->easy = easy;
  }
  sync(fd, entry);
}

void SocketTable::drop(int fd, SocketUser* user) {
  if (fd < 0 || static_cast<std::size_t>(fd) >= entries_.size()) return;
  Entry& entry = entries_[static_cast<std::size_t>(fd)];
  auto it = std::find_if(entry.users.begin(), entry.users.end(),
                         [&](const User& u) { return u.user == user; });
  if (it == entry.users.end()) return;
  ms_easy* easy = it->easy;
  entry.users.erase(it);
  if (!entry.users.empty()) {
    sync(fd, entry);
    return;
  }
  --used_;
  const bool told = entry.told != kNotTold;
  void* socketp = entry.socketp;
  entry.told = kNotTold;
  if (!MS_MUTANT(mutant_, stale_socketp)) entry.socketp = nullptr;
  // Tell after the entry is reset, so that an assign from inside the callback on this
  // (now unused) descriptor is refused.
  if (told) notifier_.tell_socket(easy, fd, MS_POLL_REMOVE, socketp);
}

void SocketTable::sync(int fd, Entry& entry) {
  int action = MS_POLL_NONE;
  for (const User& u : entry.users) action |= u.want;
  if (action == entry.told) {
    if (MS_MUTANT(mutant_, duplicate_socket_cb) && action != MS_POLL_NONE)
      notifier_.tell_socket(entry.users.front().easy, fd, action, entry.socketp);
    return;
  }
  entry.told = action;
  int told_action = action;
  if (MS_MUTANT(mutant_, bad_action) && action == MS_POLL_INOUT) told_action = 7;
  // The callback may call ms_multi_assign, which writes entry.socketp: read it first and
  // do not touch `entry` afterwards.
  notifier_.tell_socket(entry.users.front().easy, fd, told_action, entry.socketp);
}

bool SocketTable::assign(int fd, void* socketp) {
  if (fd < 0 || static_cast<std::size_t>(fd) >= entries_.size()) return false;
  Entry& entry = entries_[static_cast<std::size_t>(fd)];
  if (entry.users.empty()) return false;
  entry.socketp = socketp;
  return true;
}

const SocketTable::Entry* SocketTable::find(int fd) const {
  if (fd < 0 || static_cast<std::size_t>(fd) >= entries_.size()) return nullptr;
  const Entry& entry = entries_[static_cast<std::size_t>(fd)];
  return entry.users.empty() ? nullptr : &entry;
}

std::vector<int> SocketTable::descriptors() const {
  std::vector<int> out;
  for (std::size_t i = 0; i < entries_.size(); ++i)
    if (!entries_[i].users.empty()) out.push_back(static_cast<int>(i));
  return out;
}

}  // namespace ms

// SPDX-License-Identifier: MIT
// linked_list.hpp: a list linked through its members' own fields.
//
// The multi keeps its added handles and its queued transfers in order, and a member leaves
// from anywhere: linked through the members themselves, joining allocates nothing and
// leaving costs the same however long the list is (no node, no index by address).
#pragma once

#include <cstddef>

namespace ms {

template <class T>
struct Links {
  T* prev = nullptr;
  T* next = nullptr;
};

// Field names which Links of T this list uses: `template <class U> static Links<U>& of(U&)`
// (a template, so that T may be incomplete where the list is declared).
template <class T, class Field>
class LinkedList {
 public:
  T* front() const { return head_; }
  static T* next(T* member) { return Field::of(*member).next; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  bool contains(T* member) const { return Field::of(*member).prev != nullptr || head_ == member; }

  void push_back(T* member) {
    Links<T>& l = Field::of(*member);
    l.prev = tail_;
    l.next = nullptr;
    (tail_ ? Field::of(*tail_).next : head_) = member;
    tail_ = member;
    ++size_;
  }
  // Nothing when member is not in the list.
  void erase(T* member) {
    if (!contains(member)) return;
    Links<T>& l = Field::of(*member);
    (l.prev ? Field::of(*l.prev).next : head_) = l.next;
    (l.next ? Field::of(*l.next).prev : tail_) = l.prev;
    l.prev = l.next = nullptr;
    --size_;
  }

 private:
  T* head_ = nullptr;
  T* tail_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace ms

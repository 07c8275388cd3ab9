// SPDX-License-Identifier: MIT
// LinkedList: order kept, members leave from anywhere, leaving twice or never having
// joined changes nothing, and a member may be in two lists through two fields.
#include <gtest/gtest.h>

#include <vector>

#include "linked_list.hpp"

namespace {

struct Item {
  int id = 0;
  ms::Links<Item> a;
  ms::Links<Item> b;
};
struct FieldA {
  template <class T>
  static ms::Links<T>& of(T& t) { return t.a; }
};
struct FieldB {
  template <class T>
  static ms::Links<T>& of(T& t) { return t.b; }
};

template <class List>
std::vector<int> ids(const List& list) {
  std::vector<int> out;
  for (Item* i = list.front(); i; i = List::next(i)) out.push_back(i->id);
  return out;
}

TEST(LinkedList, KeepsOrderAndLeavesFromAnywhere) {
  Item items[5];
  ms::LinkedList<Item, FieldA> list;
  EXPECT_TRUE(list.empty());
  for (int i = 0; i < 5; ++i) {
    items[i].id = i;
    list.push_back(&items[i]);
  }
  EXPECT_EQ(ids(list), (std::vector<int>{0, 1, 2, 3, 4}));
  list.erase(&items[2]);  // middle
  list.erase(&items[0]);  // head
  list.erase(&items[4]);  // tail
  EXPECT_EQ(ids(list), (std::vector<int>{1, 3}));
  EXPECT_EQ(list.size(), 2u);
  EXPECT_FALSE(list.contains(&items[0]));
  EXPECT_TRUE(list.contains(&items[1]));  // the head: no predecessor, still a member
  EXPECT_TRUE(list.contains(&items[3]));
  list.push_back(&items[0]);  // joins again, at the end
  EXPECT_EQ(ids(list), (std::vector<int>{1, 3, 0}));
}

TEST(LinkedList, ErasingANonMemberChangesNothing) {
  Item items[3];
  ms::LinkedList<Item, FieldA> list;
  list.erase(&items[0]);  // never joined, list empty
  EXPECT_TRUE(list.empty());
  list.push_back(&items[0]);
  list.push_back(&items[1]);
  list.erase(&items[2]);  // never joined
  list.erase(&items[1]);
  list.erase(&items[1]);  // left already
  EXPECT_EQ(list.size(), 1u);
  EXPECT_EQ(list.front(), &items[0]);
  EXPECT_EQ(decltype(list)::next(&items[0]), nullptr);
  list.erase(&items[0]);
  EXPECT_TRUE(list.empty());
  EXPECT_EQ(list.front(), nullptr);
}

TEST(LinkedList, TwoFieldsTwoLists) {
  Item items[3];
  for (int i = 0; i < 3; ++i) items[i].id = i;
  ms::LinkedList<Item, FieldA> forward;
  ms::LinkedList<Item, FieldB> backward;
  for (int i = 0; i < 3; ++i) {
    forward.push_back(&items[i]);
    backward.push_back(&items[2 - i]);
  }
  forward.erase(&items[1]);
  EXPECT_EQ(ids(forward), (std::vector<int>{0, 2}));
  EXPECT_EQ(ids(backward), (std::vector<int>{2, 1, 0}));
}

}  // namespace

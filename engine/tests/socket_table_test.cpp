// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "socket_table.hpp"

namespace {

struct Recorder : ms::SocketNotifier {
  std::vector<std::string> told;
  ms::SocketTable* table = nullptr;
  void tell_socket(ms_easy*, int fd, int action, void* socketp) override {
    told.push_back(std::to_string(fd) + ":" + std::to_string(action) + (socketp ? ":p" : ""));
  }
};
struct NoUser : ms::SocketUser {
  void on_socket_event(int, int) override {}
};

TEST(SocketTable_Watch, TellsOnlyChanges) {
  Recorder r;
  ms::SocketTable t(r, ms::Mutant::none);
  NoUser u;
  t.watch(5, &u, nullptr, MS_POLL_OUT);
  t.watch(5, &u, nullptr, MS_POLL_OUT);
  t.watch(5, &u, nullptr, MS_POLL_IN);
  t.watch(5, &u, nullptr, MS_POLL_IN);
  EXPECT_EQ(r.told, (std::vector<std::string>{"5:2", "5:1"}));
}

TEST(SocketTable_Drop, TellsRemoveAndForgetsSocketp) {
  Recorder r;
  ms::SocketTable t(r, ms::Mutant::none);
  NoUser u;
  int tag = 0;
  t.watch(7, &u, nullptr, MS_POLL_IN);
  EXPECT_TRUE(t.assign(7, &tag));
  t.drop(7, &u);
  EXPECT_FALSE(t.in_use(7));
  EXPECT_FALSE(t.assign(7, &tag));
  t.watch(7, &u, nullptr, MS_POLL_IN);
  EXPECT_EQ(r.told, (std::vector<std::string>{"7:1", "7:4:p", "7:1"}));
}

TEST(SocketTable_Drop, UnregisteredUserTellsNothing) {
  Recorder r;
  ms::SocketTable t(r, ms::Mutant::none);
  NoUser u;
  t.drop(9, &u);
  t.drop(-1, &u);
  EXPECT_TRUE(r.told.empty());
  EXPECT_EQ(t.find(100), nullptr);
  EXPECT_EQ(t.find(-4), nullptr);
}

TEST(SocketTable_Users, InterestIsTheUnion) {
  Recorder r;
  ms::SocketTable t(r, ms::Mutant::none);
  NoUser a, b;
  t.watch(4, &a, nullptr, MS_POLL_IN);
  t.watch(4, &b, nullptr, MS_POLL_OUT);
  t.drop(4, &a);
  t.drop(4, &b);
  EXPECT_EQ(r.told, (std::vector<std::string>{"4:1", "4:3", "4:2", "4:4"}));
  EXPECT_EQ(t.size(), 0u);
}

TEST(SocketTable_Descriptors, AscendingInUse) {
  Recorder r;
  ms::SocketTable t(r, ms::Mutant::none);
  NoUser u;
  t.watch(8, &u, nullptr, MS_POLL_IN);
  t.watch(3, &u, nullptr, MS_POLL_NONE);
  EXPECT_EQ(t.descriptors(), (std::vector<int>{3, 8}));
  // POLL_NONE is a registration too: told once, as a change from "not registered".
  EXPECT_EQ(r.told, (std::vector<std::string>{"8:1", "3:0"}));
}

}  // namespace

// SPDX-License-Identifier: MIT
// The application clauses on hand-written traces: a program that keeps every rule passes,
// and each broken rule is reported by its clause and no other. (The same clauses on real
// programs, recorded, are tested by conformance/apps.)
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "conformance/app_checker.hpp"
#include "trace_builder.hpp"

namespace ms::conf {
namespace {

using testing::T;
constexpr int IN = 1, OUT = 2, REMOVE = 4;

std::set<std::string> failed(const T& t, AppCheckOptions o = {}) {
  std::set<std::string> out;
  for (const Violation& v : check_application(t.trace(), Edition::e8, o).violations) out.insert(v.clause);
  return out;
}

// One transfer on fd 5 by an epoll + timerfd program (timerfd 3): the kick timer, connect
// (OUT), request sent (IN), response, DONE.
T good_run() {
  T t;
  t.at(0).app_timer(3, 0).flag(in_callback).timer(0).add(1);
  t.at(1).watch(5, 0).app_wait().ready(3, 0);
  t.at(1).sock(1, 5, OUT).app_timer(3, 200).flag(in_callback).timer(200).act(-1, 0, 1);
  t.at(1).watch(5, OUT).app_wait().ready(5, OUT);
  t.at(2).sock(1, 5, IN).act(5, OUT, 1);
  t.at(2).watch(5, IN).app_wait().ready(5, IN);
  t.at(3).sock(1, 5, REMOVE).app_timer(3, -1).flag(in_callback).timer(-1).act(5, IN, 0);
  t.at(3).read(1, 0).none().remove(1).easy_cleanup(1);

  return t;
}

TEST(AppChecker, AProgramThatKeepsEveryRulePasses) {
  T t = good_run();
  t.at(3).watch(5, 0).app_wait();
  const AppCheck c = check_application(t.trace(), Edition::e8);
  EXPECT_TRUE(c.violations.empty()) << c.violations.front().clause << ": " << c.violations.front().message;
  EXPECT_TRUE(c.waits_observed);
  std::set<std::string> exercised;
  for (const ClauseResult& r : c.results) {
    EXPECT_EQ(r.clause->group, ClauseGroup::AP);
    if (r.exercised) exercised.insert(std::string(r.clause->id));
  }
  for (const char* id : {"AP-TIMER-FIRE", "AP-TIMER-EARLY", "AP-TIMER-DELETE", "AP-WATCH", "AP-UNWATCH", "AP-MASK", "AP-ACT",
                         "AP-INFO-READ", "AP-REMOVE-DONE", "AP-REENTRY"})
    EXPECT_TRUE(exercised.count(id)) << id;
}

TEST(AppChecker, LibraryClausesAreNotJudgedHereNorApplicationOnesByTheChecker) {
  for (const ClauseResult& r : check_application(good_run().trace(), Edition::e7_88).results)
    EXPECT_EQ(party_of(*r.clause), Party::application);
  Checker lib(Edition::e8);
  lib.on_trace(good_run().trace().events);
  for (const ClauseResult& r : lib.results()) EXPECT_EQ(party_of(*r.clause), Party::library) << r.clause->id;
}

TEST(AppChecker, AnIgnoredTimerIsReportedAtTheEndOfTheRun) {
  T t;
  t.at(0).timer(0).add(1);
  t.at(1).app_wait();
  t.at(900).note("end: stopped by the harness");
  EXPECT_EQ(failed(t), std::set<std::string>{"AP-TIMER-FIRE"});
}

TEST(AppChecker, ALateTimerIsReportedAnOnTimeOneIsNot) {
  T late;
  late.at(0).timer(500).add(1).at(1).app_wait().at(1800).act(-1, 0, 1);
  EXPECT_EQ(failed(late), std::set<std::string>{"AP-TIMER-FIRE"});
  T on_time;
  on_time.at(0).timer(500).add(1).at(1).app_wait().at(560).act(-1, 0, 1);
  EXPECT_TRUE(failed(on_time).empty());
  EXPECT_EQ(failed(late, AppCheckOptions{.tolerance_ms = 2000}), std::set<std::string>{});
}

TEST(AppChecker, AnEarlyTimeoutCallDoesNotAnswerTheTimer) {
  T t;
  t.at(0).timer(500).add(1).at(1).app_wait().at(250).act(-1, 0, 1).at(260).app_wait().at(1000).note("end");
  const AppCheck c = check_application(t.trace(), Edition::e8);
  ASSERT_EQ(c.violations.size(), 2u);
  EXPECT_EQ(c.violations[0].clause, "AP-TIMER-EARLY");
  EXPECT_NE(c.violations[0].message.find("250 ms before the expiry"), std::string::npos) << c.violations[0].message;
  EXPECT_EQ(c.violations[1].clause, "AP-TIMER-FIRE");
  EXPECT_NE(c.violations[1].message.find("came early, at 250 ms"), std::string::npos) << c.violations[1].message;
}

TEST(AppChecker, AnEarlyCallTheLibraryAnswersWithANewTimerIsStillEarly) {
  // libcurl 7.88 gives the rest of the time again after an early call: the program's rule
  // is broken all the same (a library that does not would leave it waiting).
  T t;
  t.at(0).timer(400).add(1).at(1).app_wait().at(200).timer(200).act(-1, 0, 1).at(201).app_wait().at(400).act(-1, 0, 1);
  EXPECT_EQ(failed(t), std::set<std::string>{"AP-TIMER-EARLY"});
}

TEST(AppChecker, ATimerfdThatAlreadyFiredOwesNoDisarm) {
  T t;  // armed for 1 ms, fired; then -1: nothing left to disarm
  t.at(0).app_timer(3, 1).flag(in_callback).timer(1).add(1).at(1).app_wait().at(2).act(-1, 0, 1);
  t.at(5).timer(-1).act(-1, 0, 1).at(6).app_wait();
  EXPECT_TRUE(failed(t).empty());
}

TEST(AppChecker, TheCallThatSetATimerDoesNotAnswerIt) {
  // timer_cb(0) inside the kick: the kick itself (made before) is no answer.
  T t;
  t.at(0).add(1).timer(0).act(-1, 0, 1).at(1).app_wait().at(400).note("end");
  EXPECT_EQ(failed(t), std::set<std::string>{"AP-TIMER-FIRE"});
}

TEST(AppChecker, ATimerfdLeftArmedAfterMinusOneIsReported) {
  T t = good_run();
  T kept;
  kept.at(0).app_timer(3, 0).flag(in_callback).timer(0).add(1);
  kept.at(1).app_wait().act(-1, 0, 1);
  kept.at(2).app_timer(3, 300).flag(in_callback).timer(300).add(2);
  kept.at(3).timer(-1).remove(2).at(4).app_wait();
  EXPECT_EQ(failed(kept), std::set<std::string>{"AP-TIMER-DELETE"});
}

TEST(AppChecker, AStaleTimeoutCallAtADeletedTimersExpiryIsReported) {
  T t;
  t.at(0).timer(0).add(1).at(1).act(-1, 0, 1);
  t.at(2).timer(300).add(2).at(3).timer(-1).remove(2);
  t.at(302).act(-1, 0, 1);
  EXPECT_EQ(failed(t), std::set<std::string>{"AP-TIMER-DELETE"});
}

TEST(AppChecker, WatchingMoreOrLessThanAskedIsReportedOncePerEpisode) {
  T more;
  more.at(0).timer(0).add(1).at(1).sock(1, 5, IN).act(-1, 0, 1);
  more.watch(5, IN | OUT).app_wait().ready(5, OUT).act(5, OUT, 1).app_wait().ready(5, OUT).act(5, OUT, 1).app_wait();
  const AppCheck c = check_application(more.trace(), Edition::e8);
  EXPECT_EQ(failed(more), std::set<std::string>{"AP-WATCH"});
  std::size_t watch = 0;
  for (const Violation& v : c.violations) watch += v.clause == "AP-WATCH";
  EXPECT_EQ(watch, 1u);
  T less;
  less.at(0).timer(0).add(1).at(1).sock(1, 5, OUT).act(-1, 0, 1).watch(5, IN).app_wait(1000);
  EXPECT_EQ(failed(less), std::set<std::string>{"AP-WATCH"});
}

TEST(AppChecker, WatchingARemovedSocketIsReportedUntilItCloses) {
  T t;
  t.at(0).timer(0).add(1).at(1).sock(1, 5, IN).act(-1, 0, 1).watch(5, IN).app_wait().ready(5, IN);
  t.at(2).sock(1, 5, REMOVE).act(5, IN, 0).read(1, 0).remove(1).app_wait();
  EXPECT_EQ(failed(t), std::set<std::string>{"AP-UNWATCH"});
  T closed;
  closed.at(0).timer(0).add(1).at(1).sock(1, 5, IN).act(-1, 0, 1).watch(5, IN).app_wait().ready(5, IN);
  closed.at(2).sock(1, 5, REMOVE).close(5).act(5, IN, 0).read(1, 0).remove(1).app_wait();
  EXPECT_TRUE(failed(closed).empty());
}

TEST(AppChecker, AMaskNamingUnreportedActivityIsReported) {
  T t;
  t.at(0).timer(0).add(1).at(1).sock(1, 5, IN).act(-1, 0, 1).watch(5, IN).app_wait().ready(5, IN);
  t.at(2).act(5, OUT, 1);
  EXPECT_EQ(failed(t), std::set<std::string>{"AP-MASK"});
  T zero;  // 0: the program does not know; always allowed
  zero.at(0).timer(0).add(1).at(1).sock(1, 5, IN).act(-1, 0, 1).watch(5, IN).app_wait().ready(5, IN).at(2).act(5, 0, 1);
  EXPECT_TRUE(failed(zero).empty());
  T err;  // an error or hang-up allows IN and OUT
  err.at(0).timer(0).add(1).at(1).sock(1, 5, IN).act(-1, 0, 1).watch(5, IN).app_wait().ready(5, 4).at(2).act(5, IN | 4, 1);
  EXPECT_TRUE(failed(err).empty());
}

TEST(AppChecker, AReadySocketLeftWithoutSocketActionIsReported) {
  T t;
  t.at(0).timer(0).add(1).at(1).sock(1, 5, IN).act(-1, 0, 1).watch(5, IN).app_wait().ready(5, IN).at(2).app_wait();
  EXPECT_EQ(failed(t), std::set<std::string>{"AP-ACT"});
  T changed;  // the library asked something else meanwhile (another socket's action): no debt
  changed.at(0).timer(0).add(1).add(2).at(1).sock(1, 5, IN).sock(2, 6, IN).act(-1, 0, 2).watch(5, IN).watch(6, IN);
  changed.app_wait().ready(5, IN).ready(6, IN).at(2).sock(1, 5, OUT).act(6, IN, 2).watch(5, OUT).app_wait();
  EXPECT_TRUE(failed(changed).empty());
}

TEST(AppChecker, ADropInTheRunningCountOwesAnInfoRead) {
  T t;
  t.at(0).timer(0).add(1).add(2).at(1).sock(1, 5, IN).sock(2, 6, IN).act(-1, 0, 2).watch(5, IN).watch(6, IN);
  t.app_wait().ready(5, IN).at(2).act(5, IN, 1).app_wait();
  EXPECT_EQ(failed(t), std::set<std::string>{"AP-INFO-READ"});
  T added;  // 1 running, one more added: 2 is no drop
  added.at(0).timer(0).add(1).at(1).act(-1, 0, 1).app_wait().at(2).add(2).timer(0).at(3).act(-1, 0, 2).app_wait();
  EXPECT_TRUE(failed(added).empty());
}

TEST(AppChecker, CleaningUpAnAddedHandleIsReported) {
  T t;
  t.at(0).timer(0).add(1).at(1).act(-1, 0, 0).read(1, 0).easy_cleanup(1);

  EXPECT_EQ(failed(t), std::set<std::string>{"AP-REMOVE-DONE"});
  T multi;
  multi.at(0).timer(0).add(1).at(1).act(-1, 0, 0).read(1, 0).cleanup();
  EXPECT_EQ(failed(multi), std::set<std::string>{"AP-REMOVE-DONE"});
}

TEST(AppChecker, DrivingTheMultiFromACallbackIsReported) {
  T t;
  t.at(0).act(-1, 0, 0).flag(in_callback).ret(8).timer(0).add(1).at(1).act(-1, 0, 1);
  EXPECT_EQ(failed(t), std::set<std::string>{"AP-REENTRY"});
}

TEST(AppChecker, WithoutObservedWaitsTheWaitClausesAreNotExercised) {
  T t;
  t.at(0).timer(0).add(1).at(1).sock(1, 5, IN).act(-1, 0, 1).at(2).act(5, OUT, 0).read(1, 0).remove(1);
  const AppCheck c = check_application(t.trace(), Edition::e8);
  EXPECT_FALSE(c.waits_observed);
  EXPECT_TRUE(c.violations.empty());
  for (const ClauseResult& r : c.results) {
    const std::string id(r.clause->id);
    if (id == "AP-WATCH" || id == "AP-MASK" || id == "AP-ACT" || id == "AP-UNWATCH") {
      EXPECT_EQ(r.status, ClauseStatus::not_exercised) << id;
    }
  }
}

}  // namespace
}  // namespace ms::conf

// property_test.cpp: generated histories against the engine, and the proof that a failing
// property ends in a small scenario file that replays the failure.
//
// Budget: ctest sets RC_PARAMS (fixed seed, bounded runs); by hand, e.g.
//   RC_PARAMS="max_success=2000 seed=7" build/conformance/property/property_tests
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <set>

#include "multisock/engine.hpp"
#include "property/property.hpp"

using namespace ms::conf;
using namespace ms::conf::prop;

namespace {

std::string failure_dir() {
  if (const char* env = std::getenv("MULTISOCK_PROPERTY_FAILURES")) return env;
  return MS_PROPERTY_FAILURE_DIR;
}

TargetSpec target(const std::string& text) {
  TargetSpec t;
  std::string error;
  EXPECT_TRUE(parse_target(text, t, error)) << error;
  return t;
}

std::size_t transfers_in(const Scenario& s) {
  std::set<std::string> ids;
  for (auto& c : s.client)
    if (c.kind == StepKind::add) ids.insert(c.id);
  return ids.size();
}

}  // namespace

RC_GTEST_PROP(PropertyEngineSim, GeneratedHistory_MeetsContractAndModel, ()) {
  const GeneratedHistory h = *gen_history();
  RC_TAG(h.choice.transfers.empty() ? "0 transfers"
         : h.choice.transfers.size() == 1 ? "1 transfer"
         : h.choice.transfers.size() > 40 ? "many transfers"
                                           : "some transfers");
  const HistoryCheck r = check_history(h, target("engine-sim"));
  if (!r.ok()) {
    // Shrinking calls this again with smaller histories; the last failing call is the
    // minimal one, so the file ends up holding it.
    std::string error;
    const auto seed = rc::detail::configuration().testParams.seed;
    const std::string path = write_failure(h, failure_dir(), std::to_string(seed), error);
    RC_FAIL(r.problems.front() + (path.empty() ? "\n(" + error + ")"
                                               : "\nreproduce: multisock replay " + path));
  }
}

TEST(PropertyGenerator, RoundTrip_FormatParseGivesSameScenario) {
  // Every generated scenario is a valid file: format, parse, format again.
  for (std::uint64_t seed = 1; seed <= 60; ++seed) {
    const GeneratedHistory h = history_for_seed(seed).value();
    const std::string text = format_scenario(h.scenario);
    Scenario back;
    ScenarioError err;
    ASSERT_TRUE(parse_scenario(text, "gen.scn", back, err)) << err.to_string() << "\n" << text;
    EXPECT_EQ(format_scenario(back), text);
    EXPECT_EQ(back.client.size(), h.scenario.client.size());
  }
}

TEST(PropertyGenerator, Seeds_CoverBoundariesAndPeerKinds) {
  std::set<std::string> kinds;
  bool zero = false, one = false, many = false, faults = false;
  for (std::uint64_t seed = 1; seed <= 400; ++seed) {
    const GeneratedHistory h = history_for_seed(seed).value();
    const std::size_t n = h.choice.transfers.size();
    zero = zero || n == 0;
    one = one || n == 1;
    many = many || n >= 100;
    faults = faults || h.choice.faults;
    for (auto& p : h.choice.peers) kinds.insert(to_string(static_cast<PeerKind>(p.kind)));
    // Same seed, same history.
    EXPECT_EQ(format_scenario(history_for_seed(seed).value().scenario), format_scenario(h.scenario));
  }
  EXPECT_TRUE(zero && one && many && faults);
  EXPECT_EQ(kinds.size(), static_cast<std::size_t>(PeerKind::count));
}

TEST(PropertyModel, HealthyPeer_PredictsExactBody) {
  HistoryChoice c;
  c.peers = {PeerChoice{static_cast<int>(PeerKind::chunked), 12, 5, 0, true, false},
             PeerChoice{static_cast<int>(PeerKind::refused), 0, 0, 0, false, false}};
  c.transfers = {TransferChoice{0, 0, 0, 1, -1, false}, TransferChoice{1, 0, 0, 1, -1, false}};
  const GeneratedHistory h = make_history(c);
  ASSERT_EQ(h.model.size(), 2u);
  EXPECT_TRUE(h.model[0].exact());
  EXPECT_EQ(h.model[0].body.size(), 12u);
  ASSERT_EQ(h.scenario.expect.done.size(), 2u);
  EXPECT_EQ(h.scenario.expect.done[1].result, MSE_COULDNT_CONNECT);
  const HistoryCheck r = check_history(h, target("engine-sim"));
  EXPECT_TRUE(r.ok()) << (r.problems.empty() ? "" : r.problems.front());
}

TEST(PropertyModel, WrongPrediction_IsReported) {
  // The model must be able to fail: claim a refused peer answers OK.
  HistoryChoice c;
  c.peers = {PeerChoice{static_cast<int>(PeerKind::refused), 0, 0, 0, false, false}};
  c.transfers = {TransferChoice{0, 0, 0, 1, -1, false}};
  GeneratedHistory h = make_history(c);
  h.model[0].allowed = {MSE_OK};
  h.scenario.expect.done.clear();
  const HistoryCheck r = check_history(h, target("engine-sim"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.first_clause, "MODEL-RESULT");
}

// End to end: the property run against a mutant fails, the shrunk history is written out
// and small, and replaying the file against the same mutant shows the same clause.
class PropertyMutant : public ::testing::TestWithParam<const char*> {};

TEST_P(PropertyMutant, ShrunkFailure_IsSmallAndReplays) {
  if (!ms::mutants_compiled_in()) GTEST_SKIP() << "built without MS_MUTANTS";
  const std::string mutant = GetParam();
  const TargetSpec t = target("engine-sim:mutant=" + mutant);
  const std::string name = "mutant-" + mutant;
  std::string written, first_clause;
  const auto property = [&](const GeneratedHistory& h) {
    const HistoryCheck r = check_history(h, t);
    if (!r.ok()) {
      std::string error;
      written = write_failure(h, failure_dir(), name, error);
      first_clause = r.first_clause;
      RC_FAIL(r.problems.front());
    }
  };
  rc::detail::TestParams params;
  params.seed = 20240601;
  params.maxSuccess = 200;
  rc::detail::TestMetadata meta;
  meta.id = "PropertyMutant/" + mutant;
  const auto result = rc::detail::checkTestable(
      [&] { property(*gen_history()); }, meta, params);
  ASSERT_TRUE(result.template is<rc::detail::FailureResult>())
      << "the property never failed against mutant " << mutant;
  ASSERT_FALSE(written.empty());
  std::cout << "shrunk failure (" << first_clause << "): multisock replay " << written
            << " --target " << t.text << "\n";

  Scenario replayed;
  ScenarioError err;
  ASSERT_TRUE(load_scenario(written, replayed, err)) << err.to_string();
  EXPECT_LE(transfers_in(replayed), 3u) << format_scenario(replayed);
  EXPECT_LE(replayed.peers.size(), 3u);
  const ScenarioRun run = run_scenario(replayed, t, RunOptions{});
  bool same = false;
  for (auto& v : run.violations) same = same || v.clause == first_clause;
  EXPECT_TRUE(same) << "replay of " << written << " did not violate " << first_clause;
  // And the same file passes on the engine as it is: the defect, not the scenario, fails.
  EXPECT_EQ(run_scenario(replayed, target("engine-sim"), RunOptions{}).outcome, Outcome::pass);
}

INSTANTIATE_TEST_SUITE_P(Mutants, PropertyMutant, ::testing::Values("lost_done", "double_done"));

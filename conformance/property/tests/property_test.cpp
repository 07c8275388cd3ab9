// SPDX-License-Identifier: MIT
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

#include "conformance/shrink.hpp"
#include "multisock/engine.hpp"
#include "multisock/multisock.h"
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
    const std::string path = write_scenario(h.scenario, failure_dir(), std::to_string(seed), error);
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

TEST(PropertyGenerator, Http1Only_HasNoHttp2Peer) {
  int h2_histories = 0;
  std::set<std::string> kinds;
  for (std::uint64_t seed = 1; seed <= 300; ++seed) {
    const GeneratedHistory all = history_for_seed(seed).value();
    const GeneratedHistory h1 = history_for_seed(seed, Realm::library, false).value();
    EXPECT_TRUE(h1.choice.foreign);
    for (const PeerChoice& p : h1.choice.peers) {
      EXPECT_LT(p.kind, static_cast<int>(PeerKind::h2_serve)) << "seed " << seed;
      kinds.insert(to_string(static_cast<PeerKind>(p.kind)));
    }
    for (const PeerSpec& p : h1.scenario.peers) EXPECT_EQ(p.script_text.find("h2"), std::string::npos);
    bool had_h2 = false;
    for (const PeerChoice& p : all.choice.peers) had_h2 = had_h2 || p.kind >= static_cast<int>(PeerKind::h2_serve);
    h2_histories += had_h2;
    EXPECT_EQ(format_scenario(history_for_seed(seed, Realm::library, false).value().scenario),
              format_scenario(h1.scenario));
  }
  EXPECT_EQ(kinds.size(), static_cast<std::size_t>(PeerKind::h2_serve));
  EXPECT_GT(h2_histories, 50);
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

// HTTP/2 peers: the transfers of one peer share its connection (h2c with prior knowledge,
// or ALPN h2 over TLS when param is odd), and each kind ends its transfers as modelled.
TEST(PropertyModel, H2Peers_ShareAConnectionAndEndAsModelled) {
  auto peer = [](PeerKind k, int body, int param) {
    return PeerChoice{static_cast<int>(k), body, param, 7, false, false};
  };
  HistoryChoice c;
  c.peers = {peer(PeerKind::h2_order, 300, 2 * 5 + 1), peer(PeerKind::h2_reset, 40, 2 * 4 + 1),
             peer(PeerKind::h2_goaway, 20, 0), peer(PeerKind::h2_dies, 100, 1),
             peer(PeerKind::h2_serve, 50, 1 + 2 * 4)};  // TLS, max-streams 1
  for (int i = 0; i < 15; ++i) c.transfers.push_back(TransferChoice{i % 5, 0, 0, 1, -1, i % 3 == 0});
  const GeneratedHistory h = make_history(c);
  ASSERT_EQ(h.model.size(), 15u);
  const auto& peers = h.scenario.peers;
  EXPECT_NE(peers[0].script_text.find("expect requests 3"), std::string::npos) << peers[0].script_text;
  EXPECT_NE(peers[1].script_text.find("tls p1.test"), std::string::npos) << peers[1].script_text;
  EXPECT_NE(peers[1].script_text.find(" INTERNAL_ERROR"), std::string::npos) << peers[1].script_text;
  EXPECT_NE(peers[4].script_text.find("h2 max-streams 1"), std::string::npos) << peers[4].script_text;
  for (const ClientStep& step : h.scenario.client) {
    EXPECT_TRUE(step.transfer.pipewait);
    const bool tls = step.transfer.url.rfind("https://", 0) == 0;
    EXPECT_EQ(step.transfer.http_version, tls ? -1 : MS_HTTP_VERSION_2_PRIOR_KNOWLEDGE) << step.transfer.url;
  }
  EXPECT_TRUE(h.model[0].exact());           // h2_order: OK with the generated body
  EXPECT_EQ(h.model[1].reset_group, 1);      // h2_reset: one of three fails
  EXPECT_FALSE(h.model[2].exact());          // h2_goaway: OK or refused twice
  const HistoryCheck r = check_history(h, target("engine-sim"));
  EXPECT_TRUE(r.ok()) << (r.problems.empty() ? "" : r.problems.front()) << "\n"
                      << format_scenario(h.scenario);

  // The reset count can fail: claim the ordered peer resets one of its streams too.
  GeneratedHistory wrong = h;
  for (Prediction& p : wrong.model)
    if (p.id == "t0" || p.id == "t5" || p.id == "t10") p.reset_group = 0;
  const HistoryCheck w = check_history(wrong, target("engine-sim"));
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.problems.front().find("peer p0 resets one stream, but 0"), std::string::npos) << w.problems.front();

  // A request that may never come (a removed transfer): the peer answers as they come.
  HistoryChoice unstable = c;
  unstable.transfers[6].remove_ms = 10;  // one of p1's
  const GeneratedHistory u = make_history(unstable);
  EXPECT_EQ(u.scenario.peers[1].script_text.find("expect requests"), std::string::npos);
  EXPECT_NE(u.scenario.peers[1].script_text.find("serve body 40"), std::string::npos);
  EXPECT_EQ(u.model[1].reset_group, -1);
  EXPECT_NE(u.scenario.peers[0].script_text.find("expect requests 3"), std::string::npos);

  // On h2c a counting kind is served as the requests come: a library may open one stream
  // at a time there.
  HistoryChoice h2c = c;
  h2c.peers[0].param = 2 * 5;
  const GeneratedHistory plain = make_history(h2c);
  EXPECT_EQ(plain.scenario.peers[0].script_text.find("expect requests"), std::string::npos)
      << plain.scenario.peers[0].script_text;
  EXPECT_EQ(plain.scenario.peers[0].script_text.find("tls "), std::string::npos);
  EXPECT_NE(plain.scenario.peers[0].script_text.find("serve body 300"), std::string::npos);
  const HistoryCheck pr = check_history(plain, target("engine-sim"));
  EXPECT_TRUE(pr.ok()) << (pr.problems.empty() ? "" : pr.problems.front());

  // More requests than a counting peer waits for: served as they come, and all end OK.
  HistoryChoice many;
  many.peers = {peer(PeerKind::h2_order, 30, 1)};
  for (int i = 0; i < 17; ++i) many.transfers.push_back(TransferChoice{0, 0, 0, 1, -1, false});
  const GeneratedHistory m = make_history(many);
  EXPECT_EQ(m.scenario.peers[0].script_text.find("expect requests"), std::string::npos);
  many.transfers.pop_back();
  const GeneratedHistory sixteen = make_history(many);
  EXPECT_NE(sixteen.scenario.peers[0].script_text.find("expect requests 16"), std::string::npos);
  for (const GeneratedHistory* g : {&m, &sixteen}) {
    const HistoryCheck mr = check_history(*g, target("engine-sim"));
    EXPECT_TRUE(mr.ok()) << (mr.problems.empty() ? "" : mr.problems.front());
  }
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
  // Shrinking keeps the failure that was found (its first clause), as `conform` does: a
  // smaller history failing some other way is not the same defect's smallest witness.
  const auto property = [&](const GeneratedHistory& h) {
    const HistoryCheck r = check_history(h, t);
    if (!r.ok() && (first_clause.empty() || r.first_clause == first_clause)) {
      std::string error;
      written = write_scenario(h.scenario, failure_dir(), name, error);
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

INSTANTIATE_TEST_SUITE_P(Mutants, PropertyMutant, ::testing::Values("lost_done", "double_done", "h2_remove_early"));

// ---- the real-time mode (engine-real, lib:...) ---------------------------------------------

namespace {

// Longest wall time a peer script can spend waiting: "wait Nms" plus pieces x interval.
std::int64_t script_wait_ms(const std::string& script) {
  std::int64_t total = 0;
  std::size_t at = 0;
  while ((at = script.find("  wait ", at)) != std::string::npos) {
    at += 7;
    total += std::stoll(script.substr(at));
  }
  at = 0;
  while ((at = script.find("\" in pieces of ", at)) != std::string::npos) {
    const std::size_t quote = script.rfind("send \"", at);
    const std::size_t every = script.find(" every ", at);
    const std::int64_t piece = std::stoll(script.substr(at + 15));
    const std::int64_t interval = std::stoll(script.substr(every + 7));
    std::int64_t bytes = 0;  // of the quoted text, escapes counted as the byte they stand for
    for (std::size_t k = quote + 6; k < at; ++k, ++bytes)
      if (script[k] == '\\') k += script[k + 1] == 'x' ? 3 : 1;
    total += (bytes + piece - 1) / piece * interval;
    at = every;
  }
  return total;
}

}  // namespace

TEST(PropertyRealGenerator, Seeds_NeverMakeWhatRunRealSkips) {
  // Everything the real mode generates runs on both kinds of real target; the same check
  // does report a simulated history with world faults, so it can fail.
  const TargetSpec engine = target("engine-real");
  const TargetSpec lib = target("lib:/nonexistent/libcurl.so.4");
  bool sim_skipped = false;
  for (std::uint64_t seed = 1; seed <= 500; ++seed) {
    const GeneratedHistory h = history_for_seed(seed, Realm::real).value();
    EXPECT_EQ(real_not_applicable(h.scenario, engine), "") << "seed " << seed;
    EXPECT_EQ(real_not_applicable(h.scenario, lib), "") << "seed " << seed;
    const GeneratedHistory sim = history_for_seed(seed).value();
    sim_skipped = sim_skipped || !real_not_applicable(sim.scenario, engine).empty();
  }
  EXPECT_TRUE(sim_skipped) << "no simulated history was ever skipped: the check proves nothing";
}

TEST(PropertyRealGenerator, Seeds_AreShortInRealTime) {
  std::set<std::string> kinds;
  std::size_t transfers_max = 0;
  for (std::uint64_t seed = 1; seed <= 500; ++seed) {
    const GeneratedHistory h = history_for_seed(seed, Realm::real).value();
    EXPECT_TRUE(h.choice.real_time);
    EXPECT_FALSE(h.choice.faults);
    EXPECT_EQ(h.scenario.world.latency_ns, 0);
    std::int64_t plan_ms = 0;
    for (const ClientStep& s : h.scenario.client) plan_ms = std::max(plan_ms, s.at_ns / 1'000'000);
    EXPECT_LE(plan_ms, 600) << "seed " << seed;  // an add, then a remove after it
    for (const PeerSpec& p : h.scenario.peers)
      EXPECT_LE(script_wait_ms(p.script_text), 150) << "seed " << seed << "\n" << p.script_text;
    for (const ClientStep& s : h.scenario.client) {
      // A short timeout is short; a generous one is never reached (the peer answers).
      const long t = s.transfer.timeout_ms;
      EXPECT_TRUE(t <= 301 || t == 30000) << "seed " << seed << ": timeout " << t;
    }
    transfers_max = std::max(transfers_max, h.choice.transfers.size());
    for (auto& p : h.choice.peers) kinds.insert(to_string(static_cast<PeerKind>(p.kind)));
    // Same seed, same history; and a valid scenario file.
    const std::string text = format_scenario(h.scenario);
    EXPECT_EQ(format_scenario(history_for_seed(seed, Realm::real).value().scenario), text);
    Scenario back;
    ScenarioError err;
    ASSERT_TRUE(parse_scenario(text, "gen.scn", back, err)) << err.to_string() << "\n" << text;
  }
  // HTTP/1.1 peers only: the real mode leaves the HTTP/2 kinds out.
  EXPECT_EQ(kinds.size(), static_cast<std::size_t>(PeerKind::h2_serve));
  EXPECT_EQ(kinds.count("h2_serve"), 0u);
  EXPECT_GE(transfers_max, 8u);
  EXPECT_LE(transfers_max, 24u);
}

TEST(PropertyRealGenerator, ExtremeChoice_IsClampedToRealBounds) {
  // make_history bounds a real-time history whatever the numbers say (shrinking and hand
  // edits included); the same numbers on simnet keep their long durations.
  HistoryChoice c;
  c.latency_ms = 50;
  c.faults = true;
  c.fault_permille = 200;
  c.peers = {PeerChoice{static_cast<int>(PeerKind::one_byte), 2000, 0, 49, false, false},
             PeerChoice{static_cast<int>(PeerKind::slow), 10, 0, 1999, false, false}};
  c.transfers = {TransferChoice{0, 3000, 0, 1, 5000, false},
                 TransferChoice{1, 0, 3, 2000, -1, false}};
  const GeneratedHistory sim = make_history(c);
  c.real_time = true;
  const GeneratedHistory real = make_history(c);
  EXPECT_FALSE(real_not_applicable(sim.scenario, target("engine-real")).empty());
  EXPECT_EQ(real_not_applicable(real.scenario, target("engine-real")), "");
  EXPECT_GT(script_wait_ms(sim.scenario.peers[0].script_text), 1000);
  EXPECT_LE(script_wait_ms(real.scenario.peers[0].script_text), 150);
  EXPECT_LE(script_wait_ms(real.scenario.peers[1].script_text), 150);
  for (const ClientStep& s : real.scenario.client) {
    EXPECT_LE(s.at_ns, 600'000'000);
    EXPECT_LE(s.transfer.timeout_ms, 301);
  }
  EXPECT_EQ(real.scenario.world.latency_ns, 0);
}

TEST(PropertyRealGenerator, MalformedReply_PredictsWhatTheContractLeavesOpen) {
  // On simnet the engine's own code is exact; a real-time target may be another
  // implementation, and the contract names no code for a malformed reply.
  HistoryChoice c;
  c.peers = {PeerChoice{static_cast<int>(PeerKind::malformed), 5, 1, 0, false, false}};
  c.transfers = {TransferChoice{0, 0, 0, 1, -1, false}};
  const GeneratedHistory sim = make_history(c);
  ASSERT_EQ(sim.model.size(), 1u);
  EXPECT_TRUE(sim.model[0].exact());
  ASSERT_EQ(sim.scenario.expect.done.size(), 1u);
  EXPECT_EQ(sim.scenario.expect.done[0].result, MSE_WEIRD_SERVER_REPLY);
  c.real_time = true;
  const GeneratedHistory real = make_history(c);
  ASSERT_EQ(real.model.size(), 1u);
  EXPECT_FALSE(real.model[0].exact());
  EXPECT_TRUE(real.scenario.expect.done.empty());
  const std::set<int> allowed(real.model[0].allowed.begin(), real.model[0].allowed.end());
  EXPECT_EQ(allowed, (std::set<int>{MSE_OK, MSE_UNSUPPORTED_PROTOCOL, MSE_WEIRD_SERVER_REPLY}));
  EXPECT_EQ(real.model[0].body, "");  // "HTTP/2 200" taken as a success has no body
}

TEST(PropertyRealGenerator, RealmOfTarget_FollowsVirtualTime) {
  EXPECT_EQ(realm_of(target("engine-sim")), Realm::sim);
  EXPECT_EQ(realm_of(target("engine-real")), Realm::real);
  // A library runs in the simulated world unless --world real says otherwise.
  TargetSpec lib = target("lib:/usr/lib/x86_64-linux-gnu/libcurl.so.4");
  EXPECT_EQ(realm_of(lib), Realm::library);
  std::string error;
  ASSERT_TRUE(apply_world("real", lib, error)) << error;
  EXPECT_EQ(realm_of(lib), Realm::real);
  ASSERT_TRUE(apply_world("sim", lib, error)) << error;
  EXPECT_EQ(realm_of(lib), Realm::library);
}

TEST(PropertyRealGenerator, LibraryRealm_SameHistoriesAsTheEngineWithOpenCodes) {
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    const GeneratedHistory sim = history_for_seed(seed, Realm::sim).value();
    const GeneratedHistory lib = history_for_seed(seed, Realm::library).value();
    EXPECT_EQ(sim.choice.peers.size(), lib.choice.peers.size());
    EXPECT_EQ(sim.choice.transfers.size(), lib.choice.transfers.size());
    EXPECT_EQ(sim.choice.faults, lib.choice.faults);
    EXPECT_FALSE(sim.choice.foreign);
    EXPECT_TRUE(lib.choice.foreign);
  }
}

TEST(PropertyRealGenerator, ApplyWorld_MovesTheEngineAndRefusesNonsense) {
  std::string error;
  TargetSpec engine = target("engine-sim");
  ASSERT_TRUE(apply_world("real", engine, error));
  EXPECT_EQ(engine.kind, TargetSpec::Kind::engine_real);
  ASSERT_TRUE(apply_world("sim", engine, error));
  EXPECT_EQ(engine.kind, TargetSpec::Kind::engine_sim);
  EXPECT_FALSE(apply_world("moon", engine, error));
  EXPECT_NE(error.find("sim or real"), std::string::npos) << error;
  TargetSpec mutant = target("engine-sim:mutant=no_unpause_timer");
  EXPECT_FALSE(apply_world("real", mutant, error));
  EXPECT_NE(error.find("mutant"), std::string::npos) << error;
}

// SPDX-License-Identifier: MIT
// generator.cpp: HistoryChoice -> Scenario + Prediction, and the RapidCheck generators.
//
// The model is deliberately simple and conservative: each peer kind has a set of result
// codes it can cause; a timeout that is not generous adds OPERATION_TIMEDOUT; a faulty
// world widens every set to what a broken network can cause. A prediction with one code is
// exact (written into the scenario's `expect` block, with the body when it is OK).
#include <algorithm>
#include <cstdio>
#include <ostream>

#include "multisock/multisock.h"
#include "peer_plan.hpp"
#include "property/property.hpp"
#include "simnet/text.hpp"

namespace ms::conf::prop {

const char* to_string(PeerKind k) {
  switch (k) {
#define MS_X(name, text) \
  case PeerKind::name:   \
    return #name;
    MS_PEER_KINDS(MS_X)
#undef MS_X
    case PeerKind::count:
      break;
  }
  return "?";
}

namespace {

constexpr int kGenerousTimeoutMs = 30000;
constexpr int kMaxPieces = 200;  // bounds a trickle peer's virtual duration

// Real time: every wait is spent on the wall clock, so a whole history stays well under a
// second (pieces x interval, a slow peer's wait, add, remove and short-timeout times).
constexpr int kRealMaxPieces = 30;
constexpr int kRealPieceIntervalMs = 5;
constexpr int kRealSlowMs = 150;
constexpr int kRealPlanMs = 300;  // add times, remove delays and short timeouts

// Letters and digits only, so bodies quote without escapes; differs per peer.
std::string body_of(int peer_index, int len) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::string b(static_cast<std::size_t>(len), 'a');
  for (int i = 0; i < len; ++i)
    b[static_cast<std::size_t>(i)] = kAlphabet[(i * 7 + peer_index * 13) % 62];
  return b;
}

std::string head(int status, const std::string& fields, bool keep_alive) {
  return "HTTP/1.1 " + std::to_string(status) + " OK\r\n" + fields +
         (keep_alive ? "" : "Connection: close\r\n") + "\r\n";
}

std::string length_response(const std::string& body, bool keep_alive) {
  return head(200, "Content-Length: " + std::to_string(body.size()) + "\r\n", keep_alive) + body;
}

std::string chunked_body(const std::string& body, int chunk) {
  std::string o;
  const std::size_t step = static_cast<std::size_t>(std::max(1, chunk));
  for (std::size_t i = 0; i < body.size(); i += step) {
    const std::string part = body.substr(i, step);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%zx\r\n", part.size());
    o += buf + part + "\r\n";
  }
  return o + "0\r\n\r\n";
}

const char* const kMalformed[] = {"HTTP/1.1 abc OK\r\n\r\n", "HTTP/2 200 OK\r\n\r\n",
                                  "FOO 200 OK\r\n\r\n", "HTTP/1.1 99 Low\r\n\r\n",
                                  "HTTP/1.1 200 OK\r\nbad header line\r\n\r\n"};

PeerPlan plan_peer(const PeerChoice& p, int index, const PeerGroup& group, bool real_time, bool foreign) {
  const auto kind = static_cast<PeerKind>(std::clamp(p.kind, 0, static_cast<int>(PeerKind::count) - 1));
  if (is_h2_kind(kind)) return plan_h2_peer(p, index, kind, group);
  PeerPlan out;
  const std::string body = body_of(index, p.body_len);
  const std::string end = p.keep_alive ? "  keep-alive\n" : "  close\n";
  auto script = [&](const std::string& middle, bool may_keep_alive = true) {
    return "  accept\n  expect request\n" + middle + (may_keep_alive ? end : "  close\n");
  };
  out.allowed = {MSE_OK};
  out.body = body;
  switch (kind) {
    case PeerKind::normal:
      out.script = script("  send " + ms::sim::quote_text(length_response(body, p.keep_alive)) + "\n");
      break;
    case PeerKind::chunked:
      out.script = script("  send " + ms::sim::quote_text(head(200, "Transfer-Encoding: chunked\r\n",
                                                        p.keep_alive)) +
                          "\n  send " + ms::sim::quote_text(chunked_body(body, 1 + p.param % 64)) + "\n");
      break;
    case PeerKind::trickle:
    case PeerKind::one_byte: {
      const std::string all = length_response(body, p.keep_alive);
      const int max_pieces = real_time ? kRealMaxPieces : kMaxPieces;
      int piece = kind == PeerKind::one_byte ? 1 : 1 + p.param % 32;
      piece = std::max<int>(piece, static_cast<int>((all.size() + max_pieces - 1) / max_pieces));
      const int every_ms = 1 + p.delay_ms % (real_time ? kRealPieceIntervalMs : 50);
      out.script = script("  send " + ms::sim::quote_text(all) + " in pieces of " + std::to_string(piece) +
                          " every " + std::to_string(every_ms) + "ms\n");
      break;
    }
    case PeerKind::slow:
      out.answer_ms = 1 + p.delay_ms % (real_time ? kRealSlowMs : 2000);
      out.script = script("  wait " + std::to_string(out.answer_ms) + "ms\n  send " +
                          ms::sim::quote_text(length_response(body, p.keep_alive)) + "\n");
      break;
    case PeerKind::zero_length:
      out.body.clear();
      out.script = script("  send " + ms::sim::quote_text(length_response("", p.keep_alive)) + "\n");
      break;
    case PeerKind::close_delimited:
      out.script = script("  send " + ms::sim::quote_text(head(200, "", false) + body) + "\n", false);
      break;
    case PeerKind::reset_at: {
      // At least one body byte, and k short of the whole response, so it can never be OK.
      const std::string all = length_response(body.empty() ? "x" : body, false);
      const std::size_t k = static_cast<std::size_t>(p.param) % all.size();
      out.script = "  accept\n  expect request\n" +
                   (k ? "  send " + ms::sim::quote_text(all.substr(0, k)) + "\n" : std::string()) +
                   "  reset\n";
      out.allowed = {MSE_GOT_NOTHING, MSE_PARTIAL_FILE, MSE_SEND_ERROR, MSE_RECV_ERROR};
      break;
    }
    case PeerKind::refused:
      out.script = "  refuse\n";
      out.allowed = {MSE_COULDNT_CONNECT};
      break;
    case PeerKind::hang:
      out.script = "  accept\n  expect request\n  hang\n";
      out.allowed = {MSE_OPERATION_TIMEDOUT};
      out.needs_timeout = true;
      break;
    case PeerKind::malformed:
      out.script = script("  send " + ms::sim::quote_text(kMalformed[p.param % 5]) + "\n", false);
      out.allowed = {MSE_WEIRD_SERVER_REPLY};
      if (real_time || foreign) {
        // The contract names no code for a malformed reply, and the real-time targets
        // include other implementations: libcurl 7.88.1 says UNSUPPORTED_PROTOCOL for a
        // status line it cannot read, and takes "HTTP/2 200" on an HTTP/1.1 connection as
        // a success with an empty body. The engine's exact code is checked on simnet.
        out.allowed.push_back(MSE_UNSUPPORTED_PROTOCOL);
        if (p.param % 5 == 1) out.allowed.push_back(MSE_OK);
        out.body.clear();
      }
      break;
    default:  // PeerKind::count; the HTTP/2 kinds are planned above
      break;
  }
  return out;
}

void add_code(std::vector<int>& v, int code) {
  if (std::find(v.begin(), v.end(), code) == v.end()) v.push_back(code);
}

}  // namespace

namespace {

// What a history's world is like, and the choices the transfers' plans depend on.
struct WorldPlan {
  bool faults = false;
  int latency_ms = 0;
  int plan_max_ms = 0;
};

// The title, policy and world of the history's scenario.
WorldPlan describe_world(const HistoryChoice& c, Scenario& s) {
  WorldPlan w;
  const char* policy = kPolicies[std::clamp(c.policy, 0, 6)];
  // Real sockets have no injected faults and no simulated latency (run_real reproduces
  // neither): a real-time history has neither, whatever the choice says.
  w.faults = c.faults && !c.real_time;
  w.plan_max_ms = c.real_time ? kRealPlanMs : 3000;
  s.description = std::string(Scenario::kGeneratedHistory) + " (conformance/property): " +
                  std::to_string(c.transfers.size()) + " transfers, " +
                  std::to_string(c.peers.size()) + " peers, policy " + policy +
                  (w.faults ? ", world faults" : "") + (c.real_time ? ", real time" : "") + ".";
  s.policies.push_back(PolicySpec{policy, {}, 0});
  w.latency_ms = c.real_time ? 0 : std::clamp(c.latency_ms, 0, 50);
  s.world.latency_ns = static_cast<std::int64_t>(w.latency_ms) * 1'000'000;
  if (w.faults) {
    const double p = std::clamp(c.fault_permille, 0, 200) / 1000.0;
    s.world.connect_refuse = p;
    s.world.connect_drop = p / 2;
    s.world.reset = p / 2;
    s.world.half_close_early = p / 4;
    s.world.socket_error = p / 4;
    s.world.short_read = p;
    s.world.short_write = p;
    s.world.extra_latency = p;
  }
  return w;
}

// The peers (and their DNS names): each one's plan, and the host its URLs name.
void add_peers(const HistoryChoice& c, const std::vector<PeerChoice>& peers, const std::vector<PeerGroup>& groups,
               Scenario& s, std::vector<PeerPlan>& plans, std::vector<std::string>& hosts) {
  for (std::size_t i = 0; i < peers.size(); ++i) {
    const int index = static_cast<int>(i);
    plans.push_back(plan_peer(peers[i], index, groups[i], c.real_time, c.foreign));
    PeerSpec ps;
    ps.name = "p" + std::to_string(i);
    ps.address = "127.0.0." + std::to_string(10 + i);
    ps.port = plans.back().tls ? 443 : 80;
    std::string script = plans.back().script;
    if (!script.empty() && script.back() == '\n') script.pop_back();
    // A plan the script parser refuses is a generator bug: the run reports it as a setup
    // error (the spec's script stays empty).
    ms::sim::ScriptError refused;
    ps.set_script(std::move(script), 1, refused);
    s.peers.push_back(ps);
    if (peers[i].use_dns || plans.back().tls) {  // a certificate names the host
      DnsSpec d;
      d.name = peer_host_name(index);
      d.addresses = {ps.address};
      d.delay_ns = static_cast<std::int64_t>(peers[i].delay_ms % 20) * 1'000'000;
      s.dns.push_back(d);
      hosts.push_back(d.name);
    } else {
      hosts.push_back(ps.address);
    }
  }
}

// The timeout a transfer gets: its choice, unless the peer or the world needs one.
int effective_timeout_kind(const TransferChoice& t, bool needs_timeout, bool faults) {
  int kind = std::clamp(t.timeout_kind, 0, 3);
  if (kind == 0 && (needs_timeout || faults)) kind = faults ? 1 : 3;
  if (kind == 1 && needs_timeout) kind = 3;  // a hang would cost 30 s of events
  return kind;
}

// Transfer j: its add (and remove) steps, its timeout, and what the model allows it to end
// with; an exact prediction becomes a done line of the expect block.
void add_transfer(const HistoryChoice& c, std::size_t j, const PeerPlan& plan, int peer, const std::string& host,
                  const WorldPlan& w, GeneratedHistory& h) {
  Scenario& s = h.scenario;
  const TransferChoice& t = c.transfers[j];
  Prediction pred;
  pred.id = "t" + std::to_string(j);
  pred.allowed = plan.allowed;
  ClientStep add;
  add.kind = StepKind::add;
  add.at_ns = static_cast<std::int64_t>(std::clamp(t.add_ms, 0, w.plan_max_ms)) * 1'000'000;
  add.id = pred.id;
  TransferSpec& x = add.transfer;
  x.id = pred.id;
  x.url = (plan.tls ? "https://" : "http://") + host + "/" + pred.id;
  if (plan.h2) {
    x.pipewait = true;
    if (plan.tls) x.cainfo = "test-ca";
    else x.http_version = MS_HTTP_VERSION_2_PRIOR_KNOWLEDGE;
  }
  if (plan.one_reset) pred.reset_group = peer;
  if (t.post) {
    x.has_post = true;
    x.post = "n=" + std::to_string(j);
  }
  const int kind = effective_timeout_kind(t, plan.needs_timeout, w.faults);
  switch (kind) {
    case 0:
      break;
    case 1:
      x.timeout_ms = kGenerousTimeoutMs;
      break;
    case 2:  // exactly a multiple of the one-way latency (after the peer's own wait)
      x.timeout_ms = std::max<long>(
          1, static_cast<long>(plan.answer_ms) + w.latency_ms * std::clamp(t.timeout_mult, 1, 4));
      add_code(pred.allowed, MSE_OPERATION_TIMEDOUT);
      break;
    default:
      x.timeout_ms = 1 + std::clamp(t.timeout_mult, 0, c.real_time ? kRealPlanMs : 2000);
      add_code(pred.allowed, MSE_OPERATION_TIMEDOUT);
      break;
  }
  if (w.faults) {
    for (int code : {MSE_OK, MSE_COULDNT_CONNECT, MSE_GOT_NOTHING, MSE_PARTIAL_FILE,
                     MSE_SEND_ERROR, MSE_RECV_ERROR, MSE_OPERATION_TIMEDOUT})
      add_code(pred.allowed, code);
    if (plan.h2) {  // a connection broken under its streams, or a TLS handshake cut short
      add_code(pred.allowed, MSE_HTTP2);
      add_code(pred.allowed, MSE_HTTP2_STREAM);
      if (plan.tls) add_code(pred.allowed, MSE_SSL_CONNECT_ERROR);
    }
  }
  std::sort(pred.allowed.begin(), pred.allowed.end());
  pred.body_known = std::find(pred.allowed.begin(), pred.allowed.end(), MSE_OK) !=
                    pred.allowed.end();
  if (pred.body_known) pred.body = plan.body;
  s.client.push_back(add);
  if (t.remove_ms >= 0) {
    pred.may_skip_done = true;
    ClientStep rm;
    rm.kind = StepKind::remove;
    rm.id = pred.id;
    rm.at_ns = add.at_ns + static_cast<std::int64_t>(
                               std::clamp(t.remove_ms, 0, c.real_time ? kRealPlanMs : 5000)) *
                               1'000'000;
    s.client.push_back(rm);
  }
  if (pred.exact()) {
    ExpectDone d;
    d.id = pred.id;
    d.result = pred.allowed.front();
    if (d.result == MSE_OK) {
      d.body_check = BodyCheck::text;
      d.body = pred.body;
    }
    s.expect.done.push_back(d);
  }
  h.model.push_back(std::move(pred));
}

}  // namespace

GeneratedHistory make_history(const HistoryChoice& c) {
  GeneratedHistory h;
  h.choice = c;
  Scenario& s = h.scenario;
  s.seed = c.seed;
  s.title = "generated history";
  s.file = "property-" + std::to_string(c.seed) + ".scn";
  const WorldPlan w = describe_world(c, s);
  std::vector<PeerChoice> peers = c.peers;
  if (peers.empty()) peers.push_back(PeerChoice{});
  auto peer_of = [&](const TransferChoice& t) {
    return static_cast<std::size_t>(std::max(0, t.peer)) % peers.size();
  };
  // What each peer's transfers are like (an HTTP/2 peer may count their requests). The
  // kinds that count requests need no timeout, so none is forced here.
  std::vector<PeerGroup> groups(peers.size());
  for (const TransferChoice& t : c.transfers) {
    PeerGroup& g = groups[peer_of(t)];
    ++g.transfers;
    if (t.remove_ms >= 0 || effective_timeout_kind(t, false, w.faults) >= 2 || w.faults) g.stable = false;
  }
  std::vector<PeerPlan> plans;
  std::vector<std::string> hosts;
  add_peers(c, peers, groups, s, plans, hosts);
  for (std::size_t j = 0; j < c.transfers.size(); ++j) {
    const std::size_t pi = peer_of(c.transfers[j]);
    add_transfer(c, j, plans[pi], static_cast<int>(pi), hosts[pi], w, h);
  }
  // The format wants steps in time order; plan order breaks ties.
  std::stable_sort(s.client.begin(), s.client.end(),
                   [](const ClientStep& a, const ClientStep& b) { return a.at_ns < b.at_ns; });
  s.expect.running_zero_at_end = true;
  return h;
}

void showValue(const GeneratedHistory& h, std::ostream& os) { os << "\n" << format_scenario(h.scenario); }

namespace {
// This RapidCheck's inRange scales with the size; kinds and parameters must not.
template <typename T>
rc::Gen<T> uniform(T lo, T hi) {
  return rc::gen::resize(rc::kNominalSize, rc::gen::inRange<T>(lo, hi));
}
}  // namespace

namespace {

// The real-time mode: only what run_real runs (no world faults, no latency, one address per
// name), with every duration bounded so a history takes a fraction of a second of wall
// time, and a few transfers rather than hundreds.
rc::Gen<HistoryChoice> gen_real_choice() {
  namespace g = rc::gen;
  const auto peer = g::build<PeerChoice>(
      g::set(&PeerChoice::kind, uniform(0, static_cast<int>(PeerKind::h2_serve))),  // HTTP/1.1 peers
      g::set(&PeerChoice::body_len,
             g::weightedOneOf<int>({{1, g::just(0)}, {1, g::just(1)}, {6, uniform(0, 200)},
                                    {1, uniform(200, 2001)}})),
      g::set(&PeerChoice::param, uniform(0, 10000)),
      g::set(&PeerChoice::delay_ms, uniform(0, kRealSlowMs)),
      g::set(&PeerChoice::keep_alive, g::arbitrary<bool>()),
      g::set(&PeerChoice::use_dns, g::weightedOneOf<bool>({{4, g::just(false)}, {1, g::just(true)}})));
  const auto transfer = g::build<TransferChoice>(
      g::set(&TransferChoice::peer, uniform(0, 8)),
      g::set(&TransferChoice::add_ms,
             g::weightedOneOf<int>({{3, g::just(0)}, {2, uniform(0, kRealPlanMs + 1)}})),
      g::set(&TransferChoice::timeout_kind, uniform(0, 4)),
      g::set(&TransferChoice::timeout_mult, uniform(0, kRealPlanMs + 1)),
      g::set(&TransferChoice::remove_ms,
             g::weightedOneOf<int>({{6, g::just(-1)}, {1, uniform(0, kRealPlanMs + 1)}})),
      g::set(&TransferChoice::post, g::weightedOneOf<bool>({{4, g::just(false)}, {1, g::just(true)}})));
  using Transfers = std::vector<TransferChoice>;
  const auto transfers = g::weightedOneOf<Transfers>(
      {{1, g::just(Transfers{})},
       {2, g::container<Transfers>(1, transfer)},
       {12, g::resize(8, g::container<Transfers>(transfer))},
       {1, g::resize(24, g::container<Transfers>(transfer))}});
  return g::build<HistoryChoice>(
      g::set(&HistoryChoice::seed, uniform<std::uint64_t>(1, 1u << 20)),
      g::set(&HistoryChoice::policy, uniform(0, 7)),
      g::set(&HistoryChoice::latency_ms, g::just(0)),
      g::set(&HistoryChoice::faults, g::just(false)),
      g::set(&HistoryChoice::fault_permille, g::just(0)),
      g::set(&HistoryChoice::peers,
             g::resize(4, g::nonEmpty(g::container<std::vector<PeerChoice>>(peer)))),
      g::set(&HistoryChoice::transfers, transfers),
      g::set(&HistoryChoice::real_time, g::just(true)));
}

}  // namespace

rc::Gen<HistoryChoice> gen_choice(Realm realm, bool http2_peers) {
  if (realm == Realm::real) return gen_real_choice();
  if (realm == Realm::library)  // the simulated histories, drawn the same way
    return rc::gen::map(gen_choice(Realm::sim, http2_peers), [](HistoryChoice c) {
      c.foreign = true;
      return c;
    });
  // The simulated mode: what seed N generates here is part of CI; leave it as it is. Without
  // HTTP/2 peers it draws the kinds as it did before they came, so a seed gives the
  // history it gave then.
  namespace g = rc::gen;
  const auto kinds = static_cast<int>(http2_peers ? PeerKind::count : PeerKind::h2_serve);
  const auto peer = g::build<PeerChoice>(
      g::set(&PeerChoice::kind, uniform(0, kinds)),
      g::set(&PeerChoice::body_len,
             g::weightedOneOf<int>({{1, g::just(0)}, {1, g::just(1)}, {6, uniform(0, 200)},
                                    {1, uniform(200, 2001)}})),
      g::set(&PeerChoice::param, uniform(0, 10000)),
      g::set(&PeerChoice::delay_ms, uniform(0, 2000)),
      g::set(&PeerChoice::keep_alive, g::arbitrary<bool>()),
      g::set(&PeerChoice::use_dns, g::weightedOneOf<bool>({{4, g::just(false)}, {1, g::just(true)}})));
  const auto transfer = g::build<TransferChoice>(
      g::set(&TransferChoice::peer, uniform(0, 8)),
      g::set(&TransferChoice::add_ms,
             g::weightedOneOf<int>({{3, g::just(0)}, {2, uniform(0, 3001)}})),
      g::set(&TransferChoice::timeout_kind, uniform(0, 4)),
      g::set(&TransferChoice::timeout_mult, uniform(0, 2001)),
      g::set(&TransferChoice::remove_ms,
             g::weightedOneOf<int>({{6, g::just(-1)}, {1, uniform(0, 3001)}})),
      g::set(&TransferChoice::post, g::weightedOneOf<bool>({{4, g::just(false)}, {1, g::just(true)}})));
  using Transfers = std::vector<TransferChoice>;
  // 0, 1, a handful (grows with size), and now and then a few hundred.
  const auto transfers = g::weightedOneOf<Transfers>(
      {{1, g::just(Transfers{})},
       {2, g::container<Transfers>(1, transfer)},
       {12, g::resize(12, g::container<Transfers>(transfer))},
       {1, g::scale(3.0, g::container<Transfers>(transfer))}});
  return g::build<HistoryChoice>(
      g::set(&HistoryChoice::seed, uniform<std::uint64_t>(1, 1u << 20)),
      g::set(&HistoryChoice::policy, uniform(0, 7)),
      g::set(&HistoryChoice::latency_ms,
             g::weightedOneOf<int>({{1, g::just(0)}, {2, g::just(1)}, {3, uniform(0, 51)}})),
      g::set(&HistoryChoice::faults, g::weightedOneOf<bool>({{5, g::just(false)}, {1, g::just(true)}})),
      g::set(&HistoryChoice::fault_permille, uniform(0, 201)),
      g::set(&HistoryChoice::peers,
             g::resize(6, g::nonEmpty(g::container<std::vector<PeerChoice>>(peer)))),
      g::set(&HistoryChoice::transfers, transfers));
}

rc::Gen<GeneratedHistory> gen_history(Realm realm, bool http2_peers) {
  return rc::gen::map(gen_choice(realm, http2_peers), &make_history);
}

rc::Gen<Scenario> gen_scenario(Realm realm) {
  return rc::gen::map(gen_history(realm), [](const GeneratedHistory& h) { return h.scenario; });
}

rc::Shrinkable<GeneratedHistory> history_for_seed(std::uint64_t seed, Realm realm, bool http2_peers) {
  // Sizes sweep 0..100 with the seed, so a run of consecutive seeds covers small and
  // large histories alike.
  const int size = static_cast<int>((seed * 37) % 101);
  // The generators are built once per realm and peer set (a history costs only its drawing).
  static const rc::Gen<GeneratedHistory> kGens[3][2] = {
      {gen_history(Realm::sim, false), gen_history(Realm::sim, true)},
      {gen_history(Realm::library, false), gen_history(Realm::library, true)},
      {gen_history(Realm::real, false), gen_history(Realm::real, true)}};
  return kGens[static_cast<int>(realm)][http2_peers ? 1 : 0](rc::Random(seed), size);
}

Realm realm_of(const TargetSpec& target) {
  if (!target.is_virtual()) return Realm::real;
  return target.kind == TargetSpec::Kind::lib ? Realm::library : Realm::sim;
}

}  // namespace ms::conf::prop

// SPDX-License-Identifier: MIT
// sim_bench.cpp: see sim_bench.hpp.
#include "sim_bench.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <time.h>

#include <algorithm>
#include <memory>

#include "conformance/runner.hpp"
#include "multisock/multisock.h"
#include "simnet/peer_script.hpp"
#include "simnet/test_pki.hpp"
#if MS_BENCH_PROPERTY
#include "property/property.hpp"
#endif

namespace ms::bench {

using namespace ms::conf;

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

double wall_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

SimScenario transfers_scenario(int transfers) {
  std::string s = "title bench\nseed 1\nworld latency 1ms\n";
  for (int p = 0; p < 8; ++p) {
    s += "peer p" + std::to_string(p) + " listen 127.0.2." + std::to_string(p + 1) + ":80\n";
    s += "  accept\n  expect request\n";
    s += "  send \"HTTP/1.1 200 OK\\r\\nContent-Length: 512\\r\\n\\r\\n\"\n  send body 512\n  keep-alive\n";
  }
  s += "client\n";
  for (int t = 0; t < transfers; ++t)
    s += "  add t" + std::to_string(t) + " url http://127.0.2." + std::to_string(t % 8 + 1) + "/\n";
  return {s, transfers, MSE_OK};
}

SimScenario timeouts_scenario(int transfers) {
  std::string s = "title timeouts\nseed 7\npolicy faithful\n";
  s += "peer sleeper listen 127.0.0.3:8080\n  accept\n  expect request\n  hang\nclient\n";
  for (int t = 0; t < transfers; ++t)
    s += "  at " + std::to_string(t * 1800) + "ms add t" + std::to_string(t) +
         " url http://127.0.0.3:8080/ timeout_ms 1500\n";
  s += "  at " + std::to_string(transfers * 1800) + "ms end\n";
  return {s, transfers, MSE_OPERATION_TIMEDOUT};
}

SimFigure run_sim(const SimScenario& scenario, int rounds) {
  SimFigure f;
  f.items = scenario.items;
  Scenario sc;
  ScenarioError err;
  if (!parse_scenario(scenario.text, "bench.scn", sc, err)) {
    f.error = err.to_string();
    return f;
  }
  TargetSpec target;
  std::string error;
  parse_target("engine-sim", target, error);
  double best = 1e9;
  for (int i = 0; i < rounds; ++i) {
    RunOptions ro;
    const double t0 = cpu_seconds();
    ScenarioRun r = run_scenario(sc, target, ro);
    const double dt = cpu_seconds() - t0;
    if (r.outcome != Outcome::pass) {
      f.error = "run failed: " + r.message;
      return f;
    }
    int ended_as_meant = 0, done = 0;
    for (const Event& e : r.trace.events)
      if (e.kind == EventKind::info_read && e.easy != 0) {
        ++done;
        ended_as_meant += e.code == scenario.done_code;
      }
    if (done != scenario.items || ended_as_meant != done) {
      f.error = std::to_string(done) + " of " + std::to_string(scenario.items) + " transfers ended, " +
                std::to_string(ended_as_meant) + " with code " + std::to_string(scenario.done_code);
      return f;
    }
    f.events = r.trace.events.size();
    best = std::min(best, dt);
  }
  f.ok = true;
  f.cpu_s = best;
  return f;
}

std::vector<SimFigure> sim_rotation(const std::vector<SimScenario>& scenarios, int rounds) {
  std::vector<SimFigure> best(scenarios.size());
  for (int r = 0; r < rounds; ++r)
    for (std::size_t i = 0; i < scenarios.size(); ++i) {
      const SimFigure f = run_sim(scenarios[i], 1);
      if (r == 0 || !f.ok || (best[i].ok && f.cpu_s < best[i].cpu_s)) best[i] = f;
      if (!f.ok) return best;
    }
  return best;
}

namespace {

struct CtxFree {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};

// A client context that trusts simnet's test CA only and checks the peer.
std::unique_ptr<SSL_CTX, CtxFree> test_client_context() {
  std::unique_ptr<SSL_CTX, CtxFree> ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) return nullptr;
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  const std::string& pem = ms::sim::test_ca_pem();
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* ca = bio ? PEM_read_bio_X509(bio, nullptr, nullptr, nullptr) : nullptr;
  BIO_free(bio);
  const bool added = ca && X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx.get()), ca) == 1;
  X509_free(ca);
  if (!added) return nullptr;
  return ctx;
}

// One handshake over a BIO pair; true when both ends finished and the client verified.
bool handshake_once(SSL_CTX* client_ctx, SSL_CTX* server_ctx, const char* name) {
  SSL* client = SSL_new(client_ctx);
  SSL* server = SSL_new(server_ctx);
  BIO *client_end = nullptr, *server_end = nullptr;
  bool ok = client && server && BIO_new_bio_pair(&client_end, 0, &server_end, 0) == 1;
  if (ok) {
    SSL_set_bio(client, client_end, client_end);
    SSL_set_bio(server, server_end, server_end);
    SSL_set_tlsext_host_name(client, name);
    SSL_set1_host(client, name);
    SSL_set_connect_state(client);
    SSL_set_accept_state(server);
    ok = false;
    for (int turn = 0; turn < 16 && !ok; ++turn) {
      const int c = SSL_do_handshake(client);
      const int sv = SSL_do_handshake(server);
      ok = c == 1 && sv == 1;
    }
    ok = ok && SSL_get_verify_result(client) == X509_V_OK;
  }
  SSL_free(client);
  SSL_free(server);
  ERR_clear_error();
  return ok;
}

}  // namespace

HandshakeFigure tls_handshakes(int count, int rounds) {
  HandshakeFigure f;
  f.handshakes = count;
  const char* name = "bench.test";
  SSL_CTX* server_ctx = ms::sim::test_server_context(name, ms::sim::CertKind::good);  // kept by simnet
  const auto client_ctx = test_client_context();
  if (!server_ctx || !client_ctx) {
    f.error = "cannot make the test TLS contexts";
    return f;
  }
  double best = 1e300;
  for (int r = 0; r < rounds; ++r) {
    const double t0 = cpu_seconds();
    for (int i = 0; i < count; ++i)
      if (!handshake_once(client_ctx.get(), server_ctx, name)) {
        f.error = "a test TLS handshake failed";
        return f;
      }
    best = std::min(best, cpu_seconds() - t0);
  }
  f.ok = count > 0;
  f.cpu_us_each = count > 0 ? best / count * 1e6 : 0;
  return f;
}

SuiteTls property_suite_tls(std::uint64_t seed, int runs) {
  SuiteTls f;
#if MS_BENCH_PROPERTY
  TargetSpec target;
  parse_target("engine-sim", target, f.error);
  const std::uint64_t before = ms::sim::tls_handshakes_completed();
  for (int i = 0; i < runs; ++i) {
    const std::uint64_t history = seed + static_cast<std::uint64_t>(i);
    Scenario sc = prop::history_for_seed(history, prop::Realm::sim, true).value().scenario;
    sc.seed = history;
    RunOptions ro;
    ro.seed = history;
    const ScenarioRun r = run_scenario(sc, target, ro);
    if (r.outcome == Outcome::error) {
      f.error = "the history of seed " + std::to_string(history) + " ended in a harness error: " + r.message;
      return f;
    }
    f.events += r.event_count();
  }
  f.tls_handshakes = ms::sim::tls_handshakes_completed() - before;
  f.ok = true;
#else
  (void)seed;
  (void)runs;
  f.error = "this build has no property suite";
#endif
  return f;
}

}  // namespace ms::bench

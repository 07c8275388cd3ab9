// SPDX-License-Identifier: MIT
// The engine's TLS, pause, upload and debug features over the virtual world, and TLS over
// real loopback sockets (RealPeerHost): the same `tls` peer command on both networks.
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "multisock/engine.hpp"
#include "multisock/multisock.h"
#include "simnet/peer_script.hpp"
#include "simnet/real_peer_host.hpp"
#include "simnet/test_pki.hpp"
#include "simnet/world.hpp"

namespace {

using namespace std::chrono_literals;
using ms::port::Nanos;

std::string ca_file() {
  static const std::string path = [] {
    const auto p = std::filesystem::temp_directory_path() / "multisock-engine-features-ca.pem";
    return ms::sim::write_test_ca_file(p.string()) ? p.string() : std::string();
  }();
  return path;
}

ms::sim::PeerScript script(const char* text) {
  ms::sim::PeerScript s;
  ms::sim::ScriptError err;
  EXPECT_TRUE(ms::sim::parse_peer_script(text, 1, s, err)) << err.to_string();
  return s;
}

// The application of the documents' "typical usage", over any ports: it keeps the
// registrations and the timer and reports readiness faithfully.
struct App {
  ms_multi* multi = nullptr;
  std::map<int, int> regs;                 // fd -> last action told
  std::vector<std::pair<int, int>> calls;  // every socket callback (fd, action)
  std::optional<Nanos> deadline;
  ms::port::Clock* clock = nullptr;
  ms::port::Net* net = nullptr;
  int running = 0;

  explicit App(const ms::port::Ports& ports) : clock(ports.clock), net(ports.net) {
    multi = ms::multi_init(ports);
    ms_multi_setopt(multi, MSMOPT_SOCKETFUNCTION, &App::on_socket);
    ms_multi_setopt(multi, MSMOPT_SOCKETDATA, this);
    ms_multi_setopt(multi, MSMOPT_TIMERFUNCTION, &App::on_timer);
    ms_multi_setopt(multi, MSMOPT_TIMERDATA, this);
  }
  ~App() { ms_multi_cleanup(multi); }

  static int on_socket(ms_easy*, int fd, int action, void* userp, void*) {
    auto* a = static_cast<App*>(userp);
    a->calls.emplace_back(fd, action);
    if (action == MS_POLL_REMOVE) a->regs.erase(fd);
    else a->regs[fd] = action;
    return 0;
  }
  static int on_timer(ms_multi*, long ms, void* userp) {
    auto* a = static_cast<App*>(userp);
    if (ms < 0) a->deadline.reset();
    else a->deadline = a->clock->now() + std::chrono::milliseconds(ms);
    return 0;
  }
  // Acts on every registered socket that is ready for what it is registered for;
  // returns whether anything was ready.
  bool service_sockets() {
    bool any = false;
    const auto snapshot = regs;
    for (const auto& [fd, action] : snapshot) {
      const int ready = net->readiness(fd);
      int mask = 0;
      if ((action & MS_POLL_IN) && (ready & ms::port::kReadable)) mask |= MS_CSELECT_IN;
      if ((action & MS_POLL_OUT) && (ready & ms::port::kWritable)) mask |= MS_CSELECT_OUT;
      if (action != MS_POLL_NONE && (ready & ms::port::kError)) mask |= MS_CSELECT_ERR;
      if (mask == 0) continue;
      any = true;
      ms_multi_socket_action(multi, fd, mask, &running);
    }
    return any;
  }
  bool timer_due() {
    if (!deadline || clock->now() < *deadline) return false;
    deadline.reset();
    ms_multi_socket_action(multi, MS_SOCKET_TIMEOUT, 0, &running);
    return true;
  }
  std::vector<std::pair<ms_easy*, MSEcode>> messages() {
    std::vector<std::pair<ms_easy*, MSEcode>> out;
    int left = 0;
    while (MSMsg* m = ms_multi_info_read(multi, &left)) out.emplace_back(m->easy_handle, m->data.result);
    return out;
  }
};

// Runs the virtual world and the app until nothing is running (or `limit`); fails the
// test when a registered, ready socket keeps getting events that change nothing.
void run_sim(ms::sim::World& world, App& app, Nanos limit = 30s) {
  int spins = 0;
  while (world.time() < limit) {
    if (app.service_sockets() || app.timer_due()) {
      ASSERT_LT(++spins, 100000) << "livelock";
      if (app.running == 0) return;
      continue;
    }
    if (app.running == 0 && !app.deadline) return;
    std::optional<Nanos> next = world.next_event_time();
    if (app.deadline && (!next || *app.deadline < *next)) next = app.deadline;
    if (!next) return;
    world.advance_to(std::max(*next, world.time()));
  }
}

struct Easy {
  ms_easy* e = ms_easy_init();
  std::string body;
  explicit Easy(const std::string& url) {
    ms_easy_setopt(e, MSOPT_URL, url.c_str());
    ms_easy_setopt(e, MSOPT_WRITEFUNCTION, &Easy::collect);
    ms_easy_setopt(e, MSOPT_WRITEDATA, this);
  }
  ~Easy() { ms_easy_cleanup(e); }
  static size_t collect(char* p, size_t size, size_t n, void* userp) {
    static_cast<Easy*>(userp)->body.append(p, size * n);
    return size * n;
  }
};

ms::port::Address at(const char* host, std::uint16_t port) {
  return *ms::port::Address::parse_numeric(host, port);
}

MSEcode run_one(const char* peer_script, const char* url, const std::function<void(ms_easy*)>& setup,
                std::string* body = nullptr) {
  ms::sim::World world;
  std::string error;
  EXPECT_TRUE(world.listen("p", at("127.0.0.9", 443), script(peer_script), error)) << error;
  world.dns_add("secure.test", {at("127.0.0.9", 0)});
  App app(world.ports());
  Easy h(url);
  setup(h.e);
  EXPECT_EQ(ms_multi_add_handle(app.multi, h.e), MSM_OK);
  run_sim(world, app);
  const auto msgs = app.messages();
  EXPECT_EQ(msgs.size(), 1u);
  EXPECT_TRUE(app.regs.empty()) << "a socket is still registered";
  if (body) *body = h.body;
  ms_multi_remove_handle(app.multi, h.e);
  return msgs.empty() ? static_cast<MSEcode>(-1) : msgs[0].second;
}

constexpr const char* kGoodPeer =
    "accept\n tls secure.test\n expect request\n send \"HTTP/1.1 200 OK\\r\\nContent-Length: 5\\r\\n\\r\\nhello\"\n close\n";

TEST(Tls_Sim, VerifiedGetDeliversBody) {
  ASSERT_FALSE(ca_file().empty());
  std::string body;
  EXPECT_EQ(run_one(kGoodPeer, "https://secure.test/",
                    [](ms_easy* e) { ms_easy_setopt(e, MSOPT_CAINFO, ca_file().c_str()); }, &body),
            MSE_OK);
  EXPECT_EQ(body, "hello");
}

// MSOPT_CERTINFO: the server's certificate as "Name:value" lines after the handshake;
// none without the option, and none for the next transfer until its own handshake.
TEST(Tls_Sim, CertinfoDescribesTheServersChain) {
  for (const bool wanted : {true, false}) {
    ms::sim::World world;
    std::string error;
    ASSERT_TRUE(world.listen("p", at("127.0.0.9", 443), script(kGoodPeer), error)) << error;
    world.dns_add("secure.test", {at("127.0.0.9", 0)});
    App app(world.ports());
    Easy h("https://secure.test/");
    ms_easy_setopt(h.e, MSOPT_CAINFO, ca_file().c_str());
    ASSERT_EQ(ms_easy_setopt(h.e, MSOPT_CERTINFO, wanted ? 1L : 0L), MSE_OK);
    ASSERT_EQ(ms_multi_add_handle(app.multi, h.e), MSM_OK);
    run_sim(world, app);
    ASSERT_EQ(app.messages().size(), 1u);
    const ms_certinfo* info = nullptr;
    ASSERT_EQ(ms_easy_getinfo(h.e, MSINFO_CERTINFO, &info), MSE_OK);
    ASSERT_NE(info, nullptr);
    if (!wanted) {
      EXPECT_EQ(info->num_of_certs, 0);
      continue;
    }
    ASSERT_GE(info->num_of_certs, 1);
    std::string lines;
    for (const ms_slist* l = info->certinfo[0]; l; l = l->next) lines += std::string(l->data) + "\n";
    EXPECT_NE(lines.find("Subject:"), std::string::npos) << lines;
    EXPECT_NE(lines.find("secure.test"), std::string::npos) << lines;
    EXPECT_NE(lines.find("Issuer:"), std::string::npos) << lines;
    EXPECT_NE(lines.find("Expire date:"), std::string::npos) << lines;
    EXPECT_NE(lines.find("Cert:-----BEGIN CERTIFICATE-----"), std::string::npos) << lines;
    ms_multi_remove_handle(app.multi, h.e);
    ms_multi_add_handle(app.multi, h.e);  // a new transfer forgets the old chain
    ASSERT_EQ(ms_easy_getinfo(h.e, MSINFO_CERTINFO, &info), MSE_OK);
    EXPECT_EQ(info->num_of_certs, 0);
    ms_multi_remove_handle(app.multi, h.e);
  }
}

TEST(Timeouts_Sim, HugeTimeoutsDoNotOverflowTheDeadline) {
  // now + LONG_MAX milliseconds overflows nanoseconds: the engine caps timeouts at 2^31-1 ms,
  // so the transfer runs as if it had no limit instead of failing at once.
  for (MSoption option : {MSOPT_TIMEOUT_MS, MSOPT_CONNECTTIMEOUT_MS, MSOPT_TIMEOUT, MSOPT_CONNECTTIMEOUT}) {
    std::string body;
    EXPECT_EQ(run_one(kGoodPeer, "https://secure.test/",
                      [option](ms_easy* e) {
                        ms_easy_setopt(e, MSOPT_CAINFO, ca_file().c_str());
                        EXPECT_EQ(ms_easy_setopt(e, option, std::numeric_limits<long>::max()), MSE_OK);
                      },
                      &body),
              MSE_OK)
        << "option " << option;
    EXPECT_EQ(body, "hello");
  }
}

TEST(Tls_Sim, BadCertificatesFailVerification) {
  const auto with_ca = [](ms_easy* e) { ms_easy_setopt(e, MSOPT_CAINFO, ca_file().c_str()); };
  const char* self_signed =
      "accept\n tls secure.test self-signed\n expect request\n send \"HTTP/1.1 200 OK\\r\\nContent-Length: 0\\r\\n\\r\\n\"\n close\n";
  const char* expired =
      "accept\n tls secure.test expired\n expect request\n send \"HTTP/1.1 200 OK\\r\\nContent-Length: 0\\r\\n\\r\\n\"\n close\n";
  const char* wrong_name =
      "accept\n tls other.test\n expect request\n send \"HTTP/1.1 200 OK\\r\\nContent-Length: 0\\r\\n\\r\\n\"\n close\n";
  EXPECT_EQ(run_one(self_signed, "https://secure.test/", with_ca), MSE_PEER_FAILED_VERIFICATION);
  EXPECT_EQ(run_one(expired, "https://secure.test/", with_ca), MSE_PEER_FAILED_VERIFICATION);
  EXPECT_EQ(run_one(wrong_name, "https://secure.test/", with_ca), MSE_PEER_FAILED_VERIFICATION);
  // Verification off: the same peers are accepted.
  EXPECT_EQ(run_one(self_signed, "https://secure.test/",
                    [](ms_easy* e) { ms_easy_setopt(e, MSOPT_SSL_VERIFYPEER, 0L); }),
            MSE_OK);
  EXPECT_EQ(run_one(wrong_name, "https://secure.test/",
                    [&](ms_easy* e) {
                      with_ca(e);
                      ms_easy_setopt(e, MSOPT_SSL_VERIFYHOST, 0L);
                    }),
            MSE_OK);
  // Without our CA the system store does not know the test CA either.
  EXPECT_EQ(run_one(kGoodPeer, "https://secure.test/", [](ms_easy*) {}), MSE_PEER_FAILED_VERIFICATION);
}

// The count the bench reads: one per handshake a peer completed, none for one the client
// broke off (a certificate it rejects) or for a peer that never spoke TLS.
TEST(Tls_Sim, CompletedHandshakesAreCounted) {
  const auto with_ca = [](ms_easy* e) { ms_easy_setopt(e, MSOPT_CAINFO, ca_file().c_str()); };
  const char* self_signed =
      "accept\n tls secure.test self-signed\n expect request\n send \"HTTP/1.1 200 OK\\r\\nContent-Length: 0\\r\\n\\r\\n\"\n close\n";
  std::uint64_t before = ms::sim::tls_handshakes_completed();
  EXPECT_EQ(run_one(kGoodPeer, "https://secure.test/", with_ca), MSE_OK);
  EXPECT_EQ(ms::sim::tls_handshakes_completed(), before + 1);
  before = ms::sim::tls_handshakes_completed();
  EXPECT_EQ(run_one(self_signed, "https://secure.test/", with_ca), MSE_PEER_FAILED_VERIFICATION);
  EXPECT_EQ(ms::sim::tls_handshakes_completed(), before);
  EXPECT_EQ(run_one("accept\n reset\n", "https://secure.test/", with_ca), MSE_SSL_CONNECT_ERROR);
  EXPECT_EQ(ms::sim::tls_handshakes_completed(), before);
  EXPECT_EQ(run_one(self_signed, "https://secure.test/", [](ms_easy* e) { ms_easy_setopt(e, MSOPT_SSL_VERIFYPEER, 0L); }),
            MSE_OK);
  EXPECT_EQ(ms::sim::tls_handshakes_completed(), before + 1);
}

TEST(Tls_Sim, BrokenHandshakeIsConnectError) {
  EXPECT_EQ(run_one("accept\n send \"HTTP/1.1 400 Bad\\r\\n\\r\\n\"\n close\n", "https://secure.test/",
                    [](ms_easy* e) { ms_easy_setopt(e, MSOPT_CAINFO, ca_file().c_str()); }),
            MSE_SSL_CONNECT_ERROR);
  EXPECT_EQ(run_one("accept\n reset\n", "https://secure.test/",
                    [](ms_easy* e) { ms_easy_setopt(e, MSOPT_CAINFO, ca_file().c_str()); }),
            MSE_SSL_CONNECT_ERROR);
}

TEST(Tls_Sim, MissingCaFileIsCacertBadfile) {
  EXPECT_EQ(run_one(kGoodPeer, "https://secure.test/",
                    [](ms_easy* e) { ms_easy_setopt(e, MSOPT_CAINFO, "/nonexistent/ca.pem"); }),
            MSE_SSL_CACERT_BADFILE);
}

// One multi reads a CA file once for all its connections (engine/src/tls_contexts.hpp), and
// again when the file changes: rewritten with nothing to trust, or gone, the next
// connection fails with CACERT_BADFILE as a first one would; written back, it works again.
TEST(Tls_Sim, OneMultiReadsTheCaFileAgainWhenItChanges) {
  const std::string path =
      (std::filesystem::temp_directory_path() / ("multisock-ca-change-" + std::to_string(getpid()) + ".pem")).string();
  ASSERT_TRUE(ms::sim::write_test_ca_file(path));
  ms::sim::World world;
  std::string error;
  ASSERT_TRUE(world.listen("p", at("127.0.0.9", 443), script(kGoodPeer), error)) << error;
  world.dns_add("secure.test", {at("127.0.0.9", 0)});
  App app(world.ports());
  const auto fetch = [&] {
    Easy h("https://secure.test/");
    ms_easy_setopt(h.e, MSOPT_CAINFO, path.c_str());
    EXPECT_EQ(ms_multi_add_handle(app.multi, h.e), MSM_OK);
    run_sim(world, app);
    const auto msgs = app.messages();
    ms_multi_remove_handle(app.multi, h.e);
    return msgs.size() == 1 ? msgs[0].second : static_cast<MSEcode>(-1);
  };
  EXPECT_EQ(fetch(), MSE_OK);
  EXPECT_EQ(fetch(), MSE_OK);
  std::ofstream(path, std::ios::trunc) << "no certificate here\n";
  EXPECT_EQ(fetch(), MSE_SSL_CACERT_BADFILE);
  ASSERT_TRUE(ms::sim::write_test_ca_file(path));
  EXPECT_EQ(fetch(), MSE_OK);
  std::remove(path.c_str());
  EXPECT_EQ(fetch(), MSE_SSL_CACERT_BADFILE);
}

// Pause from the write callback over TLS: the registration drops IN while paused, and
// ms_easy_pause(CONT) brings the rest.
TEST(Pause_Sim, WritePauseDropsInterestThenResumes) {
  ms::sim::World world;
  std::string error;
  ASSERT_TRUE(world.listen("p", at("127.0.0.9", 443),
                           script("accept\n tls secure.test\n expect request\n"
                                  " send \"HTTP/1.1 200 OK\\r\\nContent-Length: 10\\r\\n\\r\\n\"\n"
                                  " send \"abcdefghij\" in pieces of 5 every 10ms\n close\n"),
                           error));
  world.dns_add("secure.test", {at("127.0.0.9", 0)});
  App app(world.ports());
  struct State {
    std::string body;
    bool paused_once = false;
  } st;
  ms_easy* e = ms_easy_init();
  ms_easy_setopt(e, MSOPT_URL, "https://secure.test/");
  ms_easy_setopt(e, MSOPT_CAINFO, ca_file().c_str());
  ms_easy_setopt(e, MSOPT_WRITEDATA, &st);
  ms_easy_setopt(e, MSOPT_WRITEFUNCTION, +[](char* p, size_t size, size_t n, void* u) -> size_t {
    auto* s = static_cast<State*>(u);
    if (!s->paused_once) {
      s->paused_once = true;
      return MS_WRITEFUNC_PAUSE;
    }
    s->body.append(p, size * n);
    return size * n;
  });
  ASSERT_EQ(ms_multi_add_handle(app.multi, e), MSM_OK);
  // Run until the pause happened and the world went quiet for a while.
  while (!st.paused_once && world.time() < 5s) {
    if (!app.service_sockets() && !app.timer_due()) {
      auto next = world.next_event_time();
      if (app.deadline && (!next || *app.deadline < *next)) next = app.deadline;
      ASSERT_TRUE(next.has_value());
      world.advance_to(std::max(*next, world.time()));
    }
  }
  ASSERT_TRUE(st.paused_once);
  world.advance_to(world.time() + 100ms);
  app.service_sockets();
  for (const auto& [fd, action] : app.regs) EXPECT_FALSE(action & MS_POLL_IN) << "fd " << fd << " still watched for IN";
  EXPECT_EQ(st.body, "");
  ASSERT_EQ(ms_easy_pause(e, MSPAUSE_CONT), MSE_OK);
  run_sim(world, app);
  const auto msgs = app.messages();
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].second, MSE_OK);
  EXPECT_EQ(st.body, "abcdefghij");
  ms_multi_remove_handle(app.multi, e);
  ms_easy_cleanup(e);
}

// A paused HTTP/2 stream holds its window shut: the server cannot send it more than one
// window (the engine's 1 MiB stream window) while the application does not take the bytes,
// so a paused transfer's stash is bounded; the rest comes after the resume.
TEST(Pause_Sim, PausedHttp2StreamHoldsItsWindowShut) {
  constexpr long long kBody = 4 << 20;
  constexpr long long kWindow = 1 << 20;
  ms::sim::World world;
  std::string error;
  ASSERT_TRUE(world.listen("p", at("127.0.0.9", 80), script("accept\n h2\n serve body 4194304\n"), error)) << error;
  App app(world.ports());
  struct State {
    long long bytes = 0;
    bool paused_once = false;
  } st;
  ms_easy* e = ms_easy_init();
  ms_easy_setopt(e, MSOPT_URL, "http://127.0.0.9/big");
  ms_easy_setopt(e, MSOPT_HTTP_VERSION, static_cast<long>(MS_HTTP_VERSION_2_PRIOR_KNOWLEDGE));
  ms_easy_setopt(e, MSOPT_WRITEDATA, &st);
  ms_easy_setopt(e, MSOPT_WRITEFUNCTION, +[](char*, size_t size, size_t n, void* u) -> size_t {
    auto* s = static_cast<State*>(u);
    if (!s->paused_once) {
      s->paused_once = true;
      return MS_WRITEFUNC_PAUSE;
    }
    s->bytes += static_cast<long long>(size * n);
    return size * n;
  });
  ASSERT_EQ(ms_multi_add_handle(app.multi, e), MSM_OK);
  // Paused from the first piece on; then a virtual second of the world going on.
  const auto step = [&] {
    if (app.service_sockets() || app.timer_due()) return;
    auto next = world.next_event_time();
    if (app.deadline && (!next || *app.deadline < *next)) next = app.deadline;
    world.advance_to(next ? std::max(*next, world.time()) : world.time() + 10ms);
  };
  while (!st.paused_once && world.time() < 5s) step();
  ASSERT_TRUE(st.paused_once);
  const Nanos paused_at = world.time();
  while (world.time() < paused_at + 1s) step();
  ms_off_t received = 0;
  ASSERT_EQ(ms_easy_getinfo(e, MSINFO_SIZE_DOWNLOAD_T, &received), MSE_OK);
  EXPECT_GT(received, 0);
  EXPECT_LE(received, kWindow) << "a paused stream kept receiving";
  EXPECT_EQ(st.bytes, 0);
  ASSERT_EQ(ms_easy_pause(e, MSPAUSE_CONT), MSE_OK);
  run_sim(world, app);
  const auto msgs = app.messages();
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].second, MSE_OK);
  EXPECT_EQ(st.bytes, kBody);
  ms_multi_remove_handle(app.multi, e);
  ms_easy_cleanup(e);
}

// What a paused stream held goes back to the connection's window when its transfer is
// removed: seventeen removed streams that each held a full stream window (17 MiB, more than
// the 16 MiB connection window) leave the connection able to serve the next transfer.
TEST(Pause_Sim, RemovedPausedHttp2StreamsGiveTheConnectionWindowBack) {
  constexpr long long kWindow = 1 << 20;
  ms::sim::World world;
  std::string error;
  ASSERT_TRUE(world.listen("p", at("127.0.0.9", 80), script("accept\n h2\n serve body 2097152\n"), error)) << error;
  App app(world.ports());
  const auto step = [&] {
    if (app.service_sockets() || app.timer_due()) return;
    auto next = world.next_event_time();
    if (app.deadline && (!next || *app.deadline < *next)) next = app.deadline;
    world.advance_to(next ? std::max(*next, world.time()) : world.time() + 10ms);
  };
  const auto pause_always = +[](char*, size_t, size_t, void*) -> size_t { return MS_WRITEFUNC_PAUSE; };
  for (int i = 0; i < 17; ++i) {
    ms_easy* e = ms_easy_init();
    ms_easy_setopt(e, MSOPT_URL, "http://127.0.0.9/big");
    ms_easy_setopt(e, MSOPT_HTTP_VERSION, static_cast<long>(MS_HTTP_VERSION_2_PRIOR_KNOWLEDGE));
    ms_easy_setopt(e, MSOPT_WRITEFUNCTION, pause_always);
    ASSERT_EQ(ms_multi_add_handle(app.multi, e), MSM_OK);
    ms_off_t received = 0;
    const Nanos until = world.time() + 2s;
    while (received < kWindow && world.time() < until) {
      step();
      ms_easy_getinfo(e, MSINFO_SIZE_DOWNLOAD_T, &received);
    }
    ASSERT_EQ(received, kWindow) << "stream " << i;
    ASSERT_EQ(ms_multi_remove_handle(app.multi, e), MSM_OK);
    ms_easy_cleanup(e);
  }
  Easy last("http://127.0.0.9/big");
  ms_easy_setopt(last.e, MSOPT_HTTP_VERSION, static_cast<long>(MS_HTTP_VERSION_2_PRIOR_KNOWLEDGE));
  ms_easy_setopt(last.e, MSOPT_TIMEOUT_MS, 5000L);
  ASSERT_EQ(ms_multi_add_handle(app.multi, last.e), MSM_OK);
  run_sim(world, app);
  const auto msgs = app.messages();
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].second, MSE_OK);
  EXPECT_EQ(last.body.size(), 2u << 20);
  ms_multi_remove_handle(app.multi, last.e);
}

// An upload whose read callback pauses: the socket is watched for IN only (a server may
// still answer), and resuming sends the rest.
TEST(Upload_Sim, ReadPauseWatchesInOnlyThenResumes) {
  ms::sim::World world;
  std::string error;
  ASSERT_TRUE(world.listen("p", at("127.0.0.9", 80),
                           script("accept\n expect request\n send \"HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nok\"\n close\n"),
                           error));
  App app(world.ports());
  struct Src {
    int calls = 0;
    std::string data = std::string(3000, 'u');
    std::size_t off = 0;
  } src;
  Easy h("http://127.0.0.9/up");
  ms_easy_setopt(h.e, MSOPT_UPLOAD, 1L);
  ms_easy_setopt(h.e, MSOPT_INFILESIZE_LARGE, static_cast<ms_off_t>(src.data.size()));
  ms_easy_setopt(h.e, MSOPT_READDATA, &src);
  ms_easy_setopt(h.e, MSOPT_READFUNCTION, +[](char* buf, size_t size, size_t n, void* u) -> size_t {
    auto* s = static_cast<Src*>(u);
    if (s->calls++ == 0) return MS_READFUNC_PAUSE;
    const size_t k = std::min(size * n, s->data.size() - s->off);
    s->data.copy(buf, k, s->off);
    s->off += k;
    return k;
  });
  ASSERT_EQ(ms_multi_add_handle(app.multi, h.e), MSM_OK);
  while (src.calls == 0 && world.time() < 5s) {
    if (!app.service_sockets() && !app.timer_due()) {
      auto next = world.next_event_time();
      if (app.deadline && (!next || *app.deadline < *next)) next = app.deadline;
      ASSERT_TRUE(next.has_value());
      world.advance_to(std::max(*next, world.time()));
    }
  }
  ASSERT_EQ(src.calls, 1);
  ASSERT_EQ(app.regs.size(), 1u);
  EXPECT_EQ(app.regs.begin()->second, MS_POLL_IN);
  ASSERT_EQ(ms_easy_pause(h.e, MSPAUSE_CONT), MSE_OK);
  run_sim(world, app);
  const auto msgs = app.messages();
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].second, MSE_OK);
  EXPECT_EQ(h.body, "ok");
  ms_off_t up = 0;
  ms_easy_getinfo(h.e, MSINFO_SIZE_UPLOAD_T, &up);
  EXPECT_EQ(up, 3000);
}

TEST(Verbose_Sim, DebugCallbackSeesHeadersBothWays) {
  std::string log;
  const MSEcode rc = run_one(kGoodPeer, "https://secure.test/", [&](ms_easy* e) {
    ms_easy_setopt(e, MSOPT_CAINFO, ca_file().c_str());
    ms_easy_setopt(e, MSOPT_VERBOSE, 1L);
    ms_easy_setopt(e, MSOPT_DEBUGDATA, &log);
    ms_easy_setopt(e, MSOPT_DEBUGFUNCTION, +[](ms_easy*, ms_infotype type, char* data, size_t size, void* u) -> int {
      static const char* const kTags[] = {"* ", "< ", "> ", "<d ", ">d "};
      static_cast<std::string*>(u)->append(kTags[type]).append(data, size);
      return 0;
    });
  });
  EXPECT_EQ(rc, MSE_OK);
  EXPECT_NE(log.find("> GET / HTTP/1.1\r\n"), std::string::npos) << log;
  EXPECT_NE(log.find("< HTTP/1.1 200 OK\r\n"), std::string::npos) << log;
  EXPECT_NE(log.find("* TLS handshake done"), std::string::npos) << log;
}

// The same `tls` command on real loopback sockets; the application drives the engine
// with mask 0 (the engine tests each descriptor itself).
TEST(Tls_Real, LoopbackGetWithTestCa) {
  ms::posix::RealPeerHost host;
  std::string error;
  auto bound = host.listen("p", script(kGoodPeer), error, "127.0.0.1");
  ASSERT_TRUE(bound.has_value()) << error;
  // The certificate is for secure.test: resolve that name to the listener.
  const std::string resolve = "secure.test:" + std::to_string(bound->port) + ":127.0.0.1";
  ms_slist* list = ms_slist_append(nullptr, resolve.c_str());
  App app(ms::port::system_ports());
  Easy h("https://secure.test:" + std::to_string(bound->port) + "/");
  ms_easy_setopt(h.e, MSOPT_RESOLVE, list);
  ms_easy_setopt(h.e, MSOPT_CAINFO, ca_file().c_str());
  ms_easy_setopt(h.e, MSOPT_TIMEOUT_MS, 5000L);
  ASSERT_EQ(ms_multi_add_handle(app.multi, h.e), MSM_OK);
  std::vector<std::pair<ms_easy*, MSEcode>> msgs;
  for (int i = 0; i < 20000 && msgs.empty(); ++i) {
    host.run_for(1ms);
    app.service_sockets();
    app.timer_due();
    auto m = app.messages();
    msgs.insert(msgs.end(), m.begin(), m.end());
  }
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].second, MSE_OK);
  EXPECT_EQ(h.body, "hello");
  ms_multi_remove_handle(app.multi, h.e);
  ms_slist_free_all(list);
}

}  // namespace

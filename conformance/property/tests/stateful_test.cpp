// SPDX-License-Identifier: MIT
// stateful_test.cpp: a model-based test of the C API driven command by command.
//
// RapidCheck generates a sequence of application actions (add, remove, deliver ready
// events under a mask policy, fire the timer on time or early, let time pass, poke a stale
// or unknown descriptor, run the event loop for a while, or run it without reading the
// queue and then remove handles before reading, inject a socket error on a registered
// descriptor) and runs it against the engine over a simulated world, with no driver in
// between. Peers answer with a length, chunked or close-delimited body, after a wait
// (slow), with a reply the parser refuses (malformed), part of a body then a reset, a
// refusal, or nothing. The model holds what is certain before running (which transfers
// were added and removed, what each peer does, each timeout, and whether the application
// only ever passes mask 0); the system under test records what the calls and callbacks
// told, and when in virtual time, and which transfer owned a descriptor that got an
// injected error (only that transfer's allowed results widen). After every command the
// observations must agree with the model: running, one DONE per transfer with an allowed
// result and body, none for a removed handle, msgs_in_queue, the five socket actions,
// SC-CHANGES, the timer against multi_timeout, a timeout exactly at its deadline, and a
// final drive (with the application's own mask policy) that ends every transfer.
//
// Budget: ctest sets RC_PARAMS (fixed seed, bounded runs); by hand, e.g.
//   RC_PARAMS="max_success=2000" property_tests --gtest_filter='StatefulEngine*'
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>
#include <rapidcheck/state.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "multisock/engine.hpp"
#include "multisock/multisock.h"
#include "simnet/peer_script.hpp"
#include "simnet/world.hpp"

namespace {

using ms::port::Nanos;
constexpr std::int64_t kMs = 1000000;

// What the peer behind one transfer does.
#define MS_STATE_PEERS(X)                                         \
  X(length, "Content-Length body")                                \
  X(chunked, "chunked body")                                      \
  X(close_delimited, "body ends when the connection closes")      \
  X(refused, "refuses the connection")                            \
  X(reset_mid_body, "sends part of the body, then resets")        \
  X(silent, "reads the request, never answers (timeout option)") \
  X(slow, "waits, then answers (timeout option or none)")         \
  X(malformed, "answers with a reply the parser refuses")              \
  X(h2_shared, "an HTTP/2 stream on the connection all h2_shared share") \
  X(h2_reset, "HTTP/2 on its own connection: the stream is reset")

enum class Peer : int {
#define MS_X(name, text) name,
  MS_STATE_PEERS(MS_X)
#undef MS_X
  count
};

const char* peer_name(Peer p) {
  switch (p) {
#define MS_X(name, text) \
  case Peer::name: return #name;
    MS_STATE_PEERS(MS_X)
#undef MS_X
    case Peer::count: break;
  }
  return "?";
}

struct HandleSpec {
  Peer peer = Peer::length;
  int body_len = 0;    // 0..2000
  int param = 0;       // piece size, chunk size, reset point, which malformed reply
  int timeout_ms = 0;  // silent peers: always set; slow peers: 0 for none
  // The link's send buffer in bytes (0: the default, 64 KiB). A few bytes make the request
  // leave in pieces, so the engine watches IN and OUT at once while it sends.
  int send_buffer = 0;
  int wait_ms = 0;  // slow peers: from the whole request to the answer
};

// The h2_shared peer: one listener (h2c, prior knowledge, numeric address: no lookup)
// whose every connection serves each request the same body, at most kH2SharedStreams
// streams at a time, so twelve handles can queue beyond the server's limit.
constexpr std::uint16_t kH2SharedPort = 19999;
constexpr int kH2SharedBody = 20000;
constexpr int kH2SharedStreams = 3;
bool is_h2(Peer p) { return p == Peer::h2_shared || p == Peer::h2_reset; }

// RST_STREAM codes an h2_reset peer sends; REFUSED_STREAM makes the engine send the
// request once more on a new connection, where it is reset again.
const char* const kResetCodes[] = {"INTERNAL_ERROR", "CANCEL", "PROTOCOL_ERROR", "REFUSED_STREAM"};

bool has_timeout(const HandleSpec& h) {
  return h.peer == Peer::silent || (h.peer == Peer::slow && h.timeout_ms > 0);
}

// Replies the engine's parser refuses, as peer script text. Each one is
// MSE_WEIRD_SERVER_REPLY by the table in engine/src/http/README.md; none of them is a
// size limit (those give RECV_ERROR) and each is refused before the peer's close arrives.
const char* const kMalformedReplies[] = {
    "HTTP/1.1 abc OK\\r\\n\\r\\n",                      // status code not digits
    "FOO 200 OK\\r\\n\\r\\n",                           // not HTTP at all
    "HTTP/2 200 OK\\r\\n\\r\\n",                        // not HTTP/1.x
    "HTTP/1.1 99 Low\\r\\n\\r\\n",                      // two-digit status code
    "HTTP/1.1 101 Switching Protocols\\r\\n\\r\\n",     // an upgrade it does not support
    "HTTP/1.1 200 OK\\r\\nno colon here\\r\\n\\r\\n",    // header line without a colon
    "HTTP/1.1 200 OK\\r\\nContent-Length: 12x\\r\\n\\r\\n",  // length not digits
    "HTTP/1.1 200 OK\\r\\nContent-Length: 3\\r\\nContent-Length: 4\\r\\n\\r\\nabcd",  // conflict
};
constexpr int kMalformedCount = static_cast<int>(std::size(kMalformedReplies));

// What a pending socket error ends a transfer with (engine/src/transfer.cpp): while it
// connects, the attempt fails and, with one address, so does the connect
// (COULDNT_CONNECT); once connected, SEND_ERROR while the request goes out and RECV_ERROR
// after it (a fresh connection is never retried).
constexpr int kSocketErrorResults[] = {MSE_COULDNT_CONNECT, MSE_SEND_ERROR, MSE_RECV_ERROR};

// The results a transfer may end with (a removed one may end with none). `faulted`: the
// application saw a socket error injected on one of its descriptors.
std::vector<int> allowed_results(const HandleSpec& h, bool faulted) {
  std::vector<int> out;
  switch (h.peer) {
    case Peer::length:
    case Peer::chunked:
    case Peer::close_delimited: out = {MSE_OK}; break;
    case Peer::refused: out = {MSE_COULDNT_CONNECT}; break;
    case Peer::reset_mid_body:
      out = {MSE_GOT_NOTHING, MSE_PARTIAL_FILE, MSE_SEND_ERROR, MSE_RECV_ERROR};
      break;
    case Peer::silent: out = {MSE_OPERATION_TIMEDOUT}; break;
    case Peer::slow:
      // The wait starts only once the whole request is at the peer, at least 3 ms (DNS,
      // connect, request: 1 ms each) after the add, and the answer takes 1 ms more: a
      // timeout no longer than the wait, equal included, always comes first (measured by
      // SlowPeer_TimeoutNoLaterThanWait_TimesOutAtDeadline). A longer one races the
      // application, which may hold back the events that send the request.
      if (h.timeout_ms <= 0) out = {MSE_OK};
      else if (h.timeout_ms <= h.wait_ms) out = {MSE_OPERATION_TIMEDOUT};
      else out = {MSE_OK, MSE_OPERATION_TIMEDOUT};
      break;
    case Peer::malformed: out = {MSE_WEIRD_SERVER_REPLY}; break;
    case Peer::h2_shared: out = {MSE_OK}; break;
    case Peer::h2_reset: out = {MSE_HTTP2_STREAM}; break;
    case Peer::count: break;
  }
  if (faulted) {
    for (int code : kSocketErrorResults)
      if (std::find(out.begin(), out.end(), code) == out.end()) out.push_back(code);
    // An error on a connection that streams share ends every one of them, each as its
    // stream stood (engine/src/h2_session.cpp).
    if (is_h2(h.peer))
      for (int code : {MSE_HTTP2, MSE_HTTP2_STREAM})
        if (std::find(out.begin(), out.end(), code) == out.end()) out.push_back(code);
  }
  return out;
}

std::string show_spec(const HandleSpec& h) {
  std::ostringstream os;
  os << peer_name(h.peer) << " body=" << h.body_len << " param=" << h.param;
  if (h.peer == Peer::slow) os << " wait=" << h.wait_ms << "ms";
  if (has_timeout(h)) os << " timeout=" << h.timeout_ms << "ms";
  if (h.send_buffer > 0) os << " sndbuf=" << h.send_buffer;
  return os.str();
}

// A generated body is letters and digits only, so it goes into a quoted send as is.
std::string peer_script(const HandleSpec& h) {
  const std::string n = std::to_string(h.body_len);
  const std::string close = "Connection: close\\r\\n";
  std::string s = "accept\nexpect request\n";
  switch (h.peer) {
    case Peer::length: {
      s += "send \"HTTP/1.1 200 OK\\r\\nContent-Length: " + n + "\\r\\n" + close + "\\r\\n\"\n";
      if (h.body_len > 0) {
        // Up to 40 pieces a millisecond apart, so the body arrives over several events.
        const int piece = std::max(1 + h.param % 64, (h.body_len + 39) / 40);
        s += "send body " + n + (h.param % 2 ? " in pieces of " + std::to_string(piece) +
                                                   " every 1ms"
                                             : std::string()) +
             "\n";
      }
      return s + "close\n";
    }
    case Peer::chunked: {
      s += "send \"HTTP/1.1 200 OK\\r\\nTransfer-Encoding: chunked\\r\\n" + close + "\\r\\n\"\n";
      const std::string body = ms::sim::generated_body(static_cast<std::uint64_t>(h.body_len));
      const std::size_t step = 1 + static_cast<std::size_t>(h.param % 300);
      std::string chunks;
      for (std::size_t i = 0; i < body.size(); i += step) {
        const std::string part = body.substr(i, step);
        char size[32];
        std::snprintf(size, sizeof size, "%zx", part.size());
        chunks += std::string(size) + "\\r\\n" + part + "\\r\\n";
      }
      return s + "send \"" + chunks + "0\\r\\n\\r\\n\"\nclose\n";
    }
    case Peer::close_delimited:
      s += "send \"HTTP/1.1 200 OK\\r\\n" + close + "\\r\\n\"\n";
      if (h.body_len > 0) s += "send body " + n + "\n";
      return s + "close\n";
    case Peer::refused: return "refuse\n";
    case Peer::reset_mid_body: {
      const int len = std::max(1, h.body_len);
      const int k = h.param % len;  // short of the whole body: never OK
      s += "send \"HTTP/1.1 200 OK\\r\\nContent-Length: " + std::to_string(len) + "\\r\\n" +
           close + "\\r\\n\"\n";
      if (k > 0) s += "send body " + std::to_string(k) + "\n";
      return s + "reset\n";
    }
    case Peer::silent: return s + "hang\n";
    case Peer::slow:
      s += "wait " + std::to_string(h.wait_ms) + "ms\n";
      s += "send \"HTTP/1.1 200 OK\\r\\nContent-Length: " + n + "\\r\\n" + close + "\\r\\n\"\n";
      if (h.body_len > 0) s += "send body " + n + "\n";
      return s + "close\n";
    case Peer::malformed:
      return s + "send \"" + kMalformedReplies[h.param % kMalformedCount] + "\"\nclose\n";
    case Peer::h2_shared:
      return "accept\nh2 max-streams " + std::to_string(kH2SharedStreams) + "\nserve body " +
             std::to_string(kH2SharedBody) + "\n";
    case Peer::h2_reset: {
      // The head and part of the body (never all of it), then the reset.
      std::string r = "accept\nh2\nexpect requests 1\nrespond 1 200 length " + std::to_string(h.body_len + 1) + "\n";
      if (const int k = h.param % (h.body_len + 1); k > 0) r += "data 1 " + std::to_string(k) + "\n";
      return r + "rst 1 " + kResetCodes[h.param % 4] + "\nwait 5ms\nclose\n";
    }
    case Peer::count: break;
  }
  return "refuse\n";
}

// ---- the model: what is certain before running

struct ModelHandle {
  HandleSpec spec;
  bool removed = false;
};

struct Model {
  // The application passes mask 0 for every socket event, in the commands and in the final
  // drive (SA-ZERO: transfers driven only with mask 0 complete).
  bool mask_zero_app = false;
  std::vector<ModelHandle> handles;
  std::size_t active() const {
    return static_cast<std::size_t>(std::count_if(
        handles.begin(), handles.end(), [](const ModelHandle& h) { return !h.removed; }));
  }
};

// ---- the system under test: the world, the multi, and what the callbacks told

struct SutHandle {
  HandleSpec spec;
  ms_easy* easy = nullptr;
  Nanos added_at{0};  // virtual time of add_handle: a timeout counts from here
  std::string body;
  std::uint64_t* progress = nullptr;  // the Sut's sign-of-life counter
  int done = 0;  // DONE messages read
  int result = -1;
  Nanos done_at{-1};     // when its DONE was read
  bool removed = false;
  bool faulted = false;  // a socket error was injected on one of its descriptors
};

class Sut {
 public:
  Sut(ms::Mutant mutant, bool mask_zero_app) : mask_zero_app_(mask_zero_app) {
    multi_ = ms::multi_init(world_.ports(), ms::MultiOptions{mutant});
    if (!multi_) {
      problem("multi_init returned NULL");
      return;
    }
    ms_multi_setopt(multi_, MSMOPT_SOCKETFUNCTION, &Sut::socket_cb);
    ms_multi_setopt(multi_, MSMOPT_SOCKETDATA, this);
    ms_multi_setopt(multi_, MSMOPT_TIMERFUNCTION, &Sut::timer_cb);
    ms_multi_setopt(multi_, MSMOPT_TIMERDATA, this);
  }
  ~Sut() {
    // A failed run still frees everything (the assertion already threw).
    for (auto& h : handles_) {
      if (multi_ && !h->removed) ms_multi_remove_handle(multi_, h->easy);
      ms_easy_cleanup(h->easy);
    }
    if (multi_) ms_multi_cleanup(multi_);
  }
  Sut(const Sut&) = delete;
  Sut& operator=(const Sut&) = delete;

  // How much a run did, for RC_TAG: commands, handles, DONE messages read during the
  // commands (not in the final drive).
  int commands_ = 0;
  int done_during_commands_ = 0;
  int removed_with_done_queued_ = 0;  // removals that dropped a DONE message not read yet
  int timeouts_on_time_ = 0;          // timed-out DONE messages checked against the deadline
  int inout_told_ = 0;                // socket callbacks telling INOUT
  int faults_injected_ = 0;           // socket errors injected on a registered descriptor
  int fault_results_ = 0;             // faulted transfers that ended with a socket error code
  int slow_timed_out_ = 0;            // slow peers' transfers timed out no later than the wait

  // ---- commands

  void add(const HandleSpec& spec) {
    const std::size_t index = handles_.size();
    const bool shared = spec.peer == Peer::h2_shared;
    const std::uint16_t port = shared ? kH2SharedPort : static_cast<std::uint16_t>(20000 + index);
    const std::string name = "h" + std::to_string(index) + ".test";
    // Every h2_shared handle names the one listener by its address; the first one opens it.
    if (!shared || !h2_listening_) {
      if (!listen(shared ? "h2-shared" : name, port, spec)) return;
      h2_listening_ = h2_listening_ || shared;
    }

    auto h = std::make_unique<SutHandle>();
    h->spec = spec;
    h->easy = ms_easy_init();
    const std::string url = "http://" + (shared ? std::string("127.0.0.1") : name) + ":" + std::to_string(port) + "/";
    ms_easy_setopt(h->easy, MSOPT_URL, url.c_str());  // the engine keeps a copy
    if (is_h2(spec.peer)) {  // prior knowledge; wait for a connection that can multiplex
      ms_easy_setopt(h->easy, MSOPT_HTTP_VERSION, MS_HTTP_VERSION_2_PRIOR_KNOWLEDGE);
      ms_easy_setopt(h->easy, MSOPT_PIPEWAIT, 1L);
    }
    // A handle that joins a connection an injected error is about to end ends with it.
    if (shared && h2_shared_faulted_) h->faulted = true;
    ms_easy_setopt(h->easy, MSOPT_WRITEFUNCTION, &Sut::write_cb);
    ms_easy_setopt(h->easy, MSOPT_WRITEDATA, h.get());
    if (has_timeout(spec))
      ms_easy_setopt(h->easy, MSOPT_TIMEOUT_MS, static_cast<long>(spec.timeout_ms));
    index_of_[h->easy] = static_cast<int>(index);
    h->added_at = world_.now();
    h->progress = &progress_;
    ms_easy* easy = h->easy;
    handles_.push_back(std::move(h));
    const MSMcode rc = ms_multi_add_handle(multi_, easy);
    if (rc != MSM_OK) problem("add_handle returned " + std::string(ms_multi_code_name(rc)));
  }

  // The peer of a handle on 127.0.0.1:port, named `name` in the virtual DNS.
  bool listen(const std::string& name, std::uint16_t port, const HandleSpec& spec) {
    const auto at = ms::port::Address::parse_numeric("127.0.0.1", port);
    ms::sim::PeerScript script;
    ms::sim::ScriptError serr;
    if (!at || !ms::sim::parse_peer_script(peer_script(spec), 1, script, serr)) {
      problem("harness: bad peer script: " + serr.to_string());
      return false;
    }
    std::string error;
    if (!world_.listen(name, *at, std::move(script), error)) {
      problem("harness: listen: " + error);
      return false;
    }
    world_.dns_add(name, {*at});
    if (spec.send_buffer > 0) {
      ms::sim::LinkOptions link;
      link.send_buffer_bytes = static_cast<std::size_t>(spec.send_buffer);
      world_.set_link(*at, link);
    }
    return true;
  }

  void remove(std::size_t index) {
    SutHandle& h = *handles_.at(index);
    const MSMcode rc = ms_multi_remove_handle(multi_, h.easy);
    if (rc != MSM_OK) problem("remove_handle returned " + std::string(ms_multi_code_name(rc)));
    h.removed = true;
  }

  // policy 0: the readiness the world reports (restricted to what is watched, plus
  // errors); 1: mask 0 (the engine tests the socket); 2: IN|OUT added to every
  // registered socket, ready or not.
  void deliver(int policy) {
    std::vector<std::pair<int, int>> todo;  // fd, mask
    for (const auto& [fd, action] : reg_) {
      const int watched = action & (MS_CSELECT_IN | MS_CSELECT_OUT);
      const int ready = world_.readiness(fd) & (watched | MS_CSELECT_ERR);
      if (policy == 2) {
        todo.emplace_back(fd, ready | MS_CSELECT_IN | MS_CSELECT_OUT);
      } else if (ready) {
        todo.emplace_back(fd, policy == 1 ? 0 : ready);
      }
    }
    for (const auto& [fd, mask] : todo) act(fd, mask);
  }

  // One round of the application's event loop: the ready sockets, the timer if due, then
  // sleep to the next event.
  void loop_round(int policy) {
    deliver(policy);
    fire_timer(false);
    advance();
  }

  // The application runs its loop for some rounds without reading the message queue, then
  // removes some handles, then reads. A removed handle whose DONE was waiting must take it
  // along (IR-REMOVED), and msgs_in_queue counts only what is left. running tells how many
  // transfers ended in between and when, not which: a removed one may have been among them.
  void remove_before_reading(int rounds, int policy, const std::vector<std::size_t>& indices) {
    holding_ = true;
    ended_held_ = 0;  // every earlier command read the queue empty
    held_end_times_.clear();
    for (int i = 0; i < rounds; ++i) loop_round(policy);
    holding_ = false;
    const int ended = ended_held_;
    int removed_unread = 0;  // removed while added and no DONE read
    for (std::size_t i : indices) {
      const SutHandle& h = *handles_.at(i);
      if (!h.removed && h.done == 0) ++removed_unread;
      remove(i);
    }
    reading_held_ = true;
    const int read = drain_messages();
    reading_held_ = false;
    const int dropped = ended - read;
    if (dropped < 0 || dropped > removed_unread)
      problem("running told " + std::to_string(ended) + " transfers ended; after removing " +
              std::to_string(removed_unread) + " unfinished or unread handles the queue held " +
              std::to_string(read) + " DONE messages");
    else if (dropped > 0)
      ++removed_with_done_queued_;
  }

  void fire_timer(bool early) {
    if (!early && !timer_due()) return;
    act(MS_SOCKET_TIMEOUT, 0);
  }

  // To the next world event or the timer's deadline, whichever is first. An event loop
  // does not sleep over a ready socket, so the timer's deadline is not reached while one
  // is ready (the transfers have no timeout of their own to meet otherwise).
  void advance() {
    std::optional<Nanos> target = world_.next_event_time();
    if (timer_value_ >= 0) {
      const Nanos deadline = timer_deadline();
      if (!target || deadline < *target) {
        if (any_ready()) return;
        target = deadline;
      }
    }
    if (!target) return;
    world_.advance_to(std::max(*target, world_.now()));
  }

  void spurious(bool stale, int pick, int mask) {
    if (stale) {
      std::vector<int> fds;
      for (int fd : removed_fds_)
        if (!reg_.count(fd)) fds.push_back(fd);
      if (fds.empty()) return;
      // A stale descriptor may already be reused by a socket not told yet: no ERR bit.
      act(fds[static_cast<std::size_t>(pick) % fds.size()], mask & ~MS_CSELECT_ERR);
    } else {
      act(100000 + pick % 1000, mask);
    }
  }

  // A pending socket error on one registered descriptor, as a kernel reports after a
  // reset or a lost route. The model cannot name the descriptor before the run, so the
  // widening of that transfer's allowed results is kept here, with the descriptor's owner
  // as the socket callback told it; every other transfer keeps its prediction.
  void inject(int pick, ms::port::NetError error) {
    if (reg_.empty()) return;
    auto it = reg_.begin();
    std::advance(it, static_cast<std::ptrdiff_t>(static_cast<std::size_t>(pick) % reg_.size()));
    const int fd = it->first;
    const auto owner = owner_.find(fd);
    if (owner == owner_.end()) return;  // told with an unknown easy: already a problem
    // A name lookup's descriptor is no stream: nothing is injected.
    if (!world_.inject_socket_error(fd, error)) return;
    SutHandle& faulted = *handles_.at(static_cast<std::size_t>(owner->second));
    faulted.faulted = true;
    ++faults_injected_;
    // The socket callback named one of the streams that share the descriptor: the error
    // may end any h2_shared transfer, those added later included (a connection that died
    // unseen may still be joined).
    if (faulted.spec.peer == Peer::h2_shared) {
      h2_shared_faulted_ = true;
      for (auto& h : handles_)
        if (h->spec.peer == Peer::h2_shared) h->faulted = true;
    }
  }

  // ---- checks after each command

  // Problems the callbacks or calls saw, then the timer's agreement with multi_timeout.
  void check(const char* after) {
    ++commands_;
    if (!multi_) RC_FAIL("multi_init returned NULL");
    check_actions();
    check_timeout();
    if (!problems_.empty()) RC_FAIL(std::string(after) + ": " + problems_.front());
  }

  // Drives until nothing runs (bounded), then takes everything down.
  void finish() {
    if (!multi_) RC_FAIL("multi_init returned NULL");
    finishing_ = true;
    act(MS_SOCKET_TIMEOUT, 0);
    int idle_rounds = 0;  // rounds in which nothing at all changed
    for (int i = 0; i < 20000 && running_ != 0 && problems_.empty(); ++i) {
      const std::int64_t before = world_.now().count();
      const std::uint64_t progress_before = progress_;
      // A mask-0 application keeps to mask 0 here too: only the engine's own test of the
      // descriptor can move its transfers to their end.
      deliver(mask_zero_app_ ? 1 : 0);
      if (timer_due()) act(MS_SOCKET_TIMEOUT, 0);
      if (running_ == 0) break;
      if (!any_ready()) {
        const auto next = world_.next_event_time();
        Nanos target = timer_value_ >= 0 ? timer_deadline() : Nanos::max();
        if (next && *next < target) target = *next;
        if (target == Nanos::max()) {
          problem("stall: transfers run, but no event and no timer is pending (timer " + std::to_string(timer_value_) + ", " + std::to_string(reg_.size()) + " sockets, t=" + std::to_string(world_.now().count()) + ")");
          break;
        }
        world_.advance_to(std::max(target, world_.now()));
      }
      if (world_.now().count() - before > 0 && world_.now().count() > 120000 * kMs) {
        problem("not done after 120 s of virtual time");
        break;
      }
      // Ready sockets delivered over and over with no callback, no data, no DONE and no
      // passing time: the transfers are stuck (a livelock; with mask 0 it breaks SA-ZERO).
      if (world_.now().count() != before || progress_ != progress_before) {
        idle_rounds = 0;
      } else if (++idle_rounds >= 50) {
        problem("stuck: ready sockets delivered " + std::to_string(idle_rounds) +
                " times with " + (mask_zero_app_ ? "mask 0" : "their readiness") +
                ", and nothing changed (running " + std::to_string(running_) + ", t=" +
                ms_text(world_.now()) + ")");
        break;
      }
    }
    check("finish");
    --commands_;
    if (running_ != 0) RC_FAIL("running is " + std::to_string(running_) + " after the drive");
    for (std::size_t i = 0; i < handles_.size(); ++i) {
      const SutHandle& h = *handles_[i];
      if (!h.removed && h.done != 1)
        RC_FAIL("handle " + std::to_string(i) + " (" + show_spec(h.spec) + ") got " +
                std::to_string(h.done) + " DONE messages, expected 1");
    }
    for (std::size_t i = 0; i < handles_.size(); ++i)
      if (!handles_[i]->removed) remove(i);
    for (auto& h : handles_) ms_easy_cleanup(h->easy);
    handles_.clear();
    const MSMcode rc = ms_multi_cleanup(multi_);
    multi_ = nullptr;
    if (rc != MSM_OK) problem("multi_cleanup returned " + std::string(ms_multi_code_name(rc)));
    check_actions();
    if (!reg_.empty()) problem(std::to_string(reg_.size()) + " sockets never told REMOVE");
    if (!problems_.empty()) RC_FAIL("cleanup: " + problems_.front());
    RC_ASSERT(world_.open_descriptors() == 0u);
  }

  std::size_t handle_count() const { return handles_.size(); }
  // Descriptors the socket callback registered, ever (a shared one counts once).
  std::size_t sockets_registered() const { return fds_registered_.size(); }
  std::size_t count_peers(Peer p) const {
    return static_cast<std::size_t>(std::count_if(
        handles_.begin(), handles_.end(), [p](const auto& h) { return h->spec.peer == p; }));
  }
  const SutHandle& handle(std::size_t i) const { return *handles_.at(i); }
  const std::vector<std::string>& problems() const { return problems_; }
  bool multi_alive() const { return multi_ != nullptr; }

 private:
  void problem(const std::string& what) { problems_.push_back(what); }

  // "12 ms", or "12.000500 ms" off the millisecond grid.
  static std::string ms_text(Nanos t) {
    const std::int64_t ns = t.count();
    if (ns % kMs == 0) return std::to_string(ns / kMs) + " ms";
    char text[48];
    std::snprintf(text, sizeof text, "%lld.%06lld ms", static_cast<long long>(ns / kMs),
                  static_cast<long long>(ns % kMs));
    return text;
  }

  int unread_candidates() const {
    int n = 0;
    for (const auto& h : handles_) n += (!h->removed && h->done == 0) ? 1 : 0;
    return n;
  }

  bool timer_due() {
    return timer_value_ >= 0 && world_.now() >= timer_deadline();
  }
  Nanos timer_deadline() const {
    return timer_told_at_ + Nanos(static_cast<std::int64_t>(timer_value_) * kMs);
  }
  bool any_ready() {
    for (const auto& [fd, action] : reg_) {
      const int watched = action & (MS_CSELECT_IN | MS_CSELECT_OUT);
      if (world_.readiness(fd) & (watched | MS_CSELECT_ERR)) return true;
    }
    return false;
  }

  // One socket_action, then every DONE message, then running against the count of
  // transfers added, not removed and not done. While the application holds the queue,
  // running may fall below that count by the transfers that ended, never rise again.
  void act(int fd, int mask) {
    int running = -1;
    const std::string call =
        "socket_action(" + std::to_string(fd) + ", " + std::to_string(mask) + ")";
    const MSMcode rc = ms_multi_socket_action(multi_, fd, mask, &running);
    if (rc != MSM_OK) {
      problem(call + " returned " + ms_multi_code_name(rc));
      return;
    }
    if (!holding_) drain_messages();
    running_ = running;
    const int expected = unread_candidates();
    if (!holding_) {
      if (running != expected)
        problem(call + " reported running " + std::to_string(running) + ", the model counts " +
                std::to_string(expected));
      return;
    }
    if (running < 0 || running > expected - ended_held_) {
      problem(call + " reported running " + std::to_string(running) + ", the model counts " +
              std::to_string(expected) + " of which " + std::to_string(ended_held_) +
              " already ended");
      return;
    }
    for (int k = ended_held_; k < expected - running; ++k) held_end_times_.push_back(world_.now());
    ended_held_ = expected - running;
  }

  // Reads the queue empty; returns how many messages it held.
  int drain_messages() {
    int read = 0;
    int said_left = -1;  // msgs_in_queue of the previous message
    for (int guard = 0; guard < 10000; ++guard) {
      int left = -1;
      MSMsg* m = ms_multi_info_read(multi_, &left);
      if (!m) {
        if (left != 0) problem("info_read returned NULL with " + std::to_string(left) + " left");
        if (said_left > 0)
          problem("info_read returned NULL after saying " + std::to_string(said_left) + " remain");
        return read;
      }
      ++read;
      ++progress_;
      if (said_left == 0) problem("info_read returned a message after saying none remain");
      else if (said_left > 0 && left != said_left - 1)
        problem("info_read said " + std::to_string(said_left) + " remain, then " +
                std::to_string(left) + " after taking one");
      said_left = left;
      if (m->msg != MSMSG_DONE) {
        problem("info_read returned message kind " + std::to_string(m->msg));
        continue;
      }
      auto it = index_of_.find(m->easy_handle);
      if (it == index_of_.end()) {
        problem("DONE for an easy handle never added");
        continue;
      }
      SutHandle& h = *handles_[static_cast<std::size_t>(it->second)];
      const std::string who = "handle " + std::to_string(it->second) + " (" + show_spec(h.spec) + ")";
      const int code = m->data.result;
      if (h.removed) problem("DONE for removed " + who);
      if (commands_ > 0 && !finishing_) ++done_during_commands_;
      if (++h.done > 1) problem("second DONE for " + who);
      h.result = code;
      h.done_at = world_.now();
      const auto allowed = allowed_results(h.spec, h.faulted);
      if (std::find(allowed.begin(), allowed.end(), code) == allowed.end())
        problem(who + " ended with " + ms_easy_code_name(static_cast<MSEcode>(code)));
      if (code == MSE_OK &&
          h.body != ms::sim::generated_body(static_cast<std::uint64_t>(h.spec.body_len)))
        problem(who + " ended OK with a body of " + std::to_string(h.body.size()) +
                " bytes that differs from the generated one");
      if (has_timeout(h.spec) && code == MSE_OPERATION_TIMEDOUT) check_deadline(h, who);
      if (h.spec.peer == Peer::slow && code == MSE_OPERATION_TIMEDOUT &&
          h.spec.timeout_ms <= h.spec.wait_ms)
        ++slow_timed_out_;
      const auto unfaulted = allowed_results(h.spec, false);
      if (h.faulted &&
          std::find(unfaulted.begin(), unfaulted.end(), code) == unfaulted.end())
        ++fault_results_;
    }
    problem("info_read never returned NULL");
    return read;
  }

  // TM-DEADLINE. The application here never lets virtual time pass the timer it was told
  // (time stops at the timer's deadline until it calls in), so a timeout must end its
  // transfer exactly at add time + timeout_ms: the virtual world runs on a millisecond
  // grid, so the timer's rounding up to whole milliseconds adds nothing (measured: no run
  // off the grid). Read at once, the DONE is seen at that time; read after a hold, running
  // must have fallen at that time (each fall accounts for one transfer).
  void check_deadline(const SutHandle& h, const std::string& who) {
    ++timeouts_on_time_;
    const Nanos deadline = h.added_at + Nanos(static_cast<std::int64_t>(h.spec.timeout_ms) * kMs);
    const std::string expected = ", added at " + ms_text(h.added_at) + " its deadline is " +
                                 ms_text(deadline);
    if (!reading_held_) {
      if (world_.now() != deadline)
        problem(who + " timed out at " + ms_text(world_.now()) + expected);
      return;
    }
    auto it = std::find(held_end_times_.begin(), held_end_times_.end(), deadline);
    if (it != held_end_times_.end()) {
      held_end_times_.erase(it);
      return;
    }
    std::string falls;
    for (Nanos t : held_end_times_) falls += " " + ms_text(t);
    problem(who + " timed out while the queue was held, but running fell only at" +
            (falls.empty() ? std::string(" no time") : falls) + expected);
  }

  // SC-ACTION: every action told since the last check is one of the five.
  void check_actions() {
    for (const auto& [fd, what] : told_) {
      if (what == MS_POLL_INOUT) ++inout_told_;
      if (what < MS_POLL_NONE || what > MS_POLL_REMOVE)
        problem("socket callback action " + std::to_string(what) + " for fd " +
                std::to_string(fd) + ": not NONE, IN, OUT, INOUT or REMOVE");
    }
    told_.clear();
  }

  void check_timeout() {
    if (!multi_ || !timer_told_) return;
    long value = -2;
    const MSMcode rc = ms_multi_timeout(multi_, &value);
    if (rc != MSM_OK) {
      problem("multi_timeout returned " + std::string(ms_multi_code_name(rc)));
      return;
    }
    if (timer_value_ < 0) {
      if (value != -1) problem("multi_timeout " + std::to_string(value) + ", the timer is deleted");
      return;
    }
    const std::int64_t elapsed = (world_.now() - timer_told_at_).count();
    const long lo = std::max(0L, timer_value_ - static_cast<long>((elapsed + kMs - 1) / kMs));
    const long hi = std::max(0L, timer_value_ - static_cast<long>(elapsed / kMs));
    if (value < lo || value > hi)
      problem("multi_timeout " + std::to_string(value) + " ms, the timer told " +
              std::to_string(timer_value_) + " ms " + std::to_string(elapsed / kMs) +
              " ms ago");
  }

  static int socket_cb(ms_easy* easy, ms_socket_t s, int what, void* userp, void*) {
    Sut& self = *static_cast<Sut*>(userp);
    const std::string fd = "fd " + std::to_string(s);
    ++self.progress_;
    self.told_.emplace_back(s, what);
    // An action outside the five tells nothing to watch; check_actions() reports it.
    if (what < MS_POLL_NONE || what > MS_POLL_REMOVE) return 0;
    // SC-USERP: the easy is one of this multi's added handles (a handle is marked removed
    // once remove_handle returned: a callback inside that call may still name it).
    if (const auto known = self.index_of_.find(easy); known == self.index_of_.end())
      self.problem("socket callback with an unknown easy, " + fd);
    else if (self.handles_[static_cast<std::size_t>(known->second)]->removed)
      self.problem("socket callback names a removed easy, " + fd);
    auto it = self.reg_.find(s);
    if (what == MS_POLL_REMOVE) {
      if (it == self.reg_.end()) self.problem("REMOVE for unregistered " + fd);
      else self.reg_.erase(it);
      self.owner_.erase(s);
      self.removed_fds_.push_back(s);
      return 0;
    }
    if (it != self.reg_.end() && it->second == what)
      self.problem("action " + std::to_string(what) + " told twice in a row for " + fd);
    self.reg_[s] = what;
    self.fds_registered_.insert(s);
    if (auto owner = self.index_of_.find(easy); owner != self.index_of_.end())
      self.owner_[s] = owner->second;
    return 0;
  }

  static int timer_cb(ms_multi*, long timeout_ms, void* userp) {
    Sut& self = *static_cast<Sut*>(userp);
    ++self.progress_;
    if (timeout_ms < -1) self.problem("timer callback " + std::to_string(timeout_ms));
    self.timer_told_ = true;
    self.timer_value_ = timeout_ms;
    self.timer_told_at_ = self.world_.now();
    return 0;
  }

  static size_t write_cb(char* ptr, size_t size, size_t nmemb, void* userdata) {
    auto& h = *static_cast<SutHandle*>(userdata);
    h.body.append(ptr, size * nmemb);
    ++*h.progress;
    return size * nmemb;
  }

  ms::sim::World world_;
  ms_multi* multi_ = nullptr;
  std::vector<std::unique_ptr<SutHandle>> handles_;
  std::map<ms_easy*, int> index_of_;  // lookups only: pointer order never reaches output
  std::map<int, int> reg_;            // fd -> the action last told (REMOVE erases)
  std::map<int, int> owner_;          // fd -> index of the handle the callback named
  std::vector<int> removed_fds_;
  std::set<int> fds_registered_;
  bool h2_listening_ = false;       // the h2_shared listener is open
  bool h2_shared_faulted_ = false;  // an error was injected on an h2_shared descriptor
  std::vector<std::pair<int, int>> told_;  // socket callbacks since the last check: fd, action
  std::vector<std::string> problems_;
  const bool mask_zero_app_;
  std::uint64_t progress_ = 0;  // callbacks and messages seen: the finish drive's sign of life
  bool holding_ = false;        // the application leaves DONE messages in the queue for now
  int ended_held_ = 0;          // transfers that ended while it did, as running told
  std::vector<Nanos> held_end_times_;  // when running fell meanwhile, once per transfer
  bool reading_held_ = false;          // reading what was held
  int running_ = -1;
  bool finishing_ = false;
  bool timer_told_ = false;
  long timer_value_ = -1;
  Nanos timer_told_at_{0};
};

// ---- commands

using Cmd = rc::state::Command<Model, Sut>;

struct AddHandle : Cmd {
  HandleSpec spec;
  AddHandle() {
    // Every kind of peer equally often (inRange alone favours the first at small sizes).
    spec.peer = static_cast<Peer>(
        *rc::gen::resize(100, rc::gen::inRange(0, static_cast<int>(Peer::count))));
    spec.body_len = *rc::gen::inRange(0, 2001);
    spec.param = *rc::gen::inRange(0, 1 << 16);
    spec.timeout_ms = *rc::gen::inRange(20, 400);
    // One link in three sends the request in pieces of a few bytes (resize: inRange leans
    // towards its minimum at small sizes; this odds should not).
    if (*rc::gen::resize(100, rc::gen::inRange(0, 3)) == 2)
      spec.send_buffer = *rc::gen::inRange(4, 48);
    if (spec.peer == Peer::h2_shared) spec.body_len = kH2SharedBody;  // the listener's one body
    if (spec.peer == Peer::slow) {
      spec.wait_ms = *rc::gen::inRange(1, 300);
      // No timeout, or one a little before, at, or a little after the wait: the edges are
      // where a wrong deadline or a wrong prediction shows.
      const int delta = *rc::gen::inRange(1, 30);
      switch (*rc::gen::resize(100, rc::gen::inRange(0, 4))) {
        case 0: spec.timeout_ms = 0; break;
        case 1: spec.timeout_ms = std::max(1, spec.wait_ms - delta); break;
        case 2: spec.timeout_ms = spec.wait_ms; break;
        default: spec.timeout_ms = spec.wait_ms + delta; break;
      }
    }
  }
  void checkPreconditions(const Model& m) const override { RC_PRE(m.handles.size() < 12u); }
  void apply(Model& m) const override { m.handles.push_back(ModelHandle{spec, false}); }
  void run(const Model& m, Sut& sut) const override {
    RC_ASSERT(sut.handle_count() == m.handles.size());
    sut.add(spec);
    sut.check("AddHandle");
  }
  void show(std::ostream& os) const override { os << "AddHandle(" << show_spec(spec) << ")"; }
};

struct RemoveHandle : Cmd {
  std::size_t index = 0;
  explicit RemoveHandle(const Model& m) {
    std::vector<std::size_t> active;
    for (std::size_t i = 0; i < m.handles.size(); ++i)
      if (!m.handles[i].removed) active.push_back(i);
    RC_PRE(!active.empty());
    index = *rc::gen::elementOf(active);
  }
  void checkPreconditions(const Model& m) const override {
    // RC_PRE's expression capture evaluates both sides of &&: decide first.
    const bool active = index < m.handles.size() && !m.handles[index].removed;
    RC_PRE(active);
  }
  void apply(Model& m) const override { m.handles[index].removed = true; }
  void run(const Model&, Sut& sut) const override {
    sut.remove(index);
    sut.check("RemoveHandle");
  }
  void show(std::ostream& os) const override { os << "RemoveHandle(" << index << ")"; }
};

// How the application reports a ready socket: 0 its readiness, 1 mask 0 (the engine tests
// the descriptor), 2 IN|OUT on every registered socket. A mask-0 application only uses 1.
int gen_policy(const Model& m) { return m.mask_zero_app ? 1 : *rc::gen::inRange(0, 3); }
const char* policy_name(int policy) {
  static const char* const names[] = {"readiness", "mask 0", "extra IN|OUT"};
  return policy >= 0 && policy < 3 ? names[policy] : "?";
}

struct DeliverReadyEvents : Cmd {
  int policy = 0;
  explicit DeliverReadyEvents(const Model& m) { policy = gen_policy(m); }
  void run(const Model&, Sut& sut) const override {
    sut.deliver(policy);
    sut.check("DeliverReadyEvents");
  }
  void show(std::ostream& os) const override {
    os << "DeliverReadyEvents(" << policy_name(policy) << ")";
  }
};

// Acts on an event, then removes handles before reading the queue (one handle, or every
// added one so that any transfer that ended in that call is certainly among them).
struct RemoveBeforeReading : Cmd {
  int rounds = 1;  // of the event loop, not reading the queue
  int policy = 0;
  std::vector<std::size_t> indices;
  explicit RemoveBeforeReading(const Model& m) {
    std::vector<std::size_t> active;
    for (std::size_t i = 0; i < m.handles.size(); ++i)
      if (!m.handles[i].removed) active.push_back(i);
    RC_PRE(!active.empty());
    rounds = *rc::gen::inRange(1, 40);
    policy = gen_policy(m);
    if (*rc::gen::arbitrary<bool>()) indices = active;
    else indices = {*rc::gen::elementOf(active)};
  }
  void checkPreconditions(const Model& m) const override {
    bool active = !indices.empty();
    for (std::size_t i : indices) active = active && i < m.handles.size() && !m.handles[i].removed;
    RC_PRE(active);
  }
  void apply(Model& m) const override {
    for (std::size_t i : indices) m.handles[i].removed = true;
  }
  void run(const Model&, Sut& sut) const override {
    sut.remove_before_reading(rounds, policy, indices);
    sut.check("RemoveBeforeReading");
  }
  void show(std::ostream& os) const override {
    os << "RemoveBeforeReading(" << rounds << " rounds, " << policy_name(policy) << ", remove";
    for (std::size_t i : indices) os << " " << i;
    os << ")";
  }
};

struct FireTimer : Cmd {
  void run(const Model&, Sut& sut) const override {
    sut.fire_timer(false);
    sut.check("FireTimer");
  }
  void show(std::ostream& os) const override { os << "FireTimer"; }
};

struct FireTimerEarly : Cmd {
  void run(const Model&, Sut& sut) const override {
    sut.fire_timer(true);
    sut.check("FireTimerEarly");
  }
  void show(std::ostream& os) const override { os << "FireTimerEarly"; }
};

struct AdvanceTime : Cmd {
  void run(const Model&, Sut& sut) const override {
    sut.advance();
    sut.check("AdvanceTime");
  }
  void show(std::ostream& os) const override { os << "AdvanceTime"; }
};

// The application's event loop for a while: each round delivers the ready sockets, fires
// the timer if due and sleeps to the next event. The single-step commands above reach the
// end of a transfer rarely; this brings DONE messages (and timeouts) into the sequence.
struct RunEventLoop : Cmd {
  int rounds = 1;
  int policy = 0;
  explicit RunEventLoop(const Model& m) {
    rounds = *rc::gen::inRange(1, 40);
    policy = gen_policy(m);
  }
  void run(const Model&, Sut& sut) const override {
    for (int i = 0; i < rounds; ++i) sut.loop_round(policy);
    sut.check("RunEventLoop");
  }
  void show(std::ostream& os) const override {
    os << "RunEventLoop(" << rounds << " rounds, " << policy_name(policy) << ")";
  }
};

struct Spurious : Cmd {
  bool stale = false;
  int pick = 0;
  int mask = 0;
  Spurious() {
    stale = *rc::gen::arbitrary<bool>();
    pick = *rc::gen::inRange(0, 1000);
    mask = *rc::gen::inRange(0, 8);
  }
  void run(const Model&, Sut& sut) const override {
    sut.spurious(stale, pick, mask);
    sut.check("Spurious");
  }
  void show(std::ostream& os) const override {
    os << "Spurious(" << (stale ? "stale" : "unknown") << " pick=" << pick << " mask=" << mask
       << ")";
  }
};

// A socket error on a descriptor the socket callback registered (any of the kinds a
// kernel reports on an established or connecting TCP socket).
constexpr ms::port::NetError kInjectedErrors[] = {
    ms::port::NetError::reset,       ms::port::NetError::timed_out,
    ms::port::NetError::unreachable, ms::port::NetError::broken_pipe,
    ms::port::NetError::refused,     ms::port::NetError::other};

struct InjectFault : Cmd {
  int pick = 0;  // which registered descriptor, in descriptor order
  ms::port::NetError error = ms::port::NetError::reset;
  InjectFault() {
    pick = *rc::gen::inRange(0, 1000);
    error = kInjectedErrors[*rc::gen::resize(
        100, rc::gen::inRange(0, static_cast<int>(std::size(kInjectedErrors))))];
  }
  void run(const Model&, Sut& sut) const override {
    sut.inject(pick, error);
    sut.check("InjectFault");
  }
  void show(std::ostream& os) const override {
    os << "InjectFault(pick=" << pick << ", " << ms::port::to_string(error) << ")";
  }
};

void run_stateful(ms::Mutant mutant) {
  Model initial;
  initial.mask_zero_app = *rc::gen::resize(100, rc::gen::inRange(0, 4)) == 3;  // one in four
  Sut sut(mutant, initial.mask_zero_app);
  // Repeated types weigh the choice: a transfer needs several rounds of time and events
  // to end, so those come more often than adds and removes.
  rc::state::check(
      initial, sut,
      rc::state::gen::execOneOfWithArgs<AddHandle, RemoveHandle, DeliverReadyEvents,
                                        DeliverReadyEvents, DeliverReadyEvents, FireTimer,
                                        FireTimer, FireTimerEarly, AdvanceTime, AdvanceTime,
                                        AdvanceTime, Spurious, RemoveBeforeReading,
                                        RunEventLoop, InjectFault>());
  RC_TAG(sut.commands_ < 10 ? "<10 commands" : sut.commands_ < 40 ? "10-39 commands" : "40+ commands");
  RC_TAG(sut.handle_count() == 0 ? "0 handles" : sut.handle_count() < 4 ? "1-3 handles" : "4+ handles");
  RC_TAG(sut.done_during_commands_ == 0 ? "no DONE before the drive" : "DONE during commands");
  if (initial.mask_zero_app) RC_TAG("mask-0 application");
  if (sut.removed_with_done_queued_ > 0) RC_TAG("removed with its DONE queued");
  if (sut.count_peers(Peer::slow) > 0) RC_TAG("slow peer");
  if (sut.count_peers(Peer::malformed) > 0) RC_TAG("malformed peer");
  if (sut.count_peers(Peer::h2_shared) > 1) RC_TAG("HTTP/2 streams sharing a connection");
  if (sut.count_peers(Peer::h2_shared) > static_cast<std::size_t>(kH2SharedStreams))
    RC_TAG("more HTTP/2 transfers than the server's stream limit");
  if (sut.count_peers(Peer::h2_reset) > 0) RC_TAG("HTTP/2 stream reset");
  if (sut.faults_injected_ > 0) RC_TAG("socket error injected");
  sut.finish();
  if (sut.fault_results_ > 0) RC_TAG("injected error ended its transfer");
  if (sut.slow_timed_out_ > 0) RC_TAG("slow peer timed out no later than its wait");
  if (sut.inout_told_ > 0) RC_TAG("INOUT told");
  if (sut.timeouts_on_time_ > 0) RC_TAG("timeout checked against its deadline");
}

}  // namespace

RC_GTEST_PROP(StatefulEngineSim, CommandSequence_AgreesWithModel, ()) {
  run_stateful(ms::Mutant::none);
}

TEST(StatefulEngineSim, PeerScripts_Parse) {
  // Every kind of peer, at the edges of its numbers, is a valid script.
  for (int k = 0; k < static_cast<int>(Peer::count); ++k) {
    for (int len : {0, 1, 2000}) {
      // 0..7: every malformed reply.
      for (int param : {0, 1, 2, 3, 4, 5, 6, 7, 65535}) {
        const HandleSpec h{static_cast<Peer>(k), len, param, 20, 0, 1 + param % 300};
        ms::sim::PeerScript script;
        ms::sim::ScriptError err;
        EXPECT_TRUE(ms::sim::parse_peer_script(peer_script(h), 1, script, err))
            << show_spec(h) << ": " << err.to_string() << "\n" << peer_script(h);
      }
    }
  }
}

// The slow peer's prediction, measured with the most eager application (every ready
// socket delivered at once, the timer fired when due). Over the default 1 ms link the
// answer is read at add + wait + 4 ms, so a timeout no later than the wait ends the
// transfer exactly at its deadline, with 4 ms to spare; one of wait + 4 ms ties with the
// answer (this application reads it first: OK); with more room it ends OK.
TEST(StatefulEngineSim, SlowPeer_TimeoutNoLaterThanWait_TimesOutAtDeadline) {
  for (int wait_ms : {1, 7, 120}) {
    for (int slack_ms = -3; slack_ms <= 8; ++slack_ms) {
      if (wait_ms + slack_ms < 1) continue;
      HandleSpec spec;
      spec.peer = Peer::slow;
      spec.body_len = 10;
      spec.wait_ms = wait_ms;
      spec.timeout_ms = wait_ms + slack_ms;
      Sut sut(ms::Mutant::none, false);
      sut.add(spec);
      for (int i = 0; i < 1000 && sut.handle(0).done == 0; ++i) sut.loop_round(0);
      const SutHandle& h = sut.handle(0);
      ASSERT_EQ(h.done, 1) << show_spec(spec);
      EXPECT_TRUE(sut.problems().empty()) << show_spec(spec) << ": " << sut.problems().front();
      if (spec.timeout_ms <= wait_ms) {
        EXPECT_EQ(h.result, MSE_OPERATION_TIMEDOUT) << show_spec(spec);
        EXPECT_EQ(h.done_at, Nanos(static_cast<std::int64_t>(spec.timeout_ms) * kMs))
            << show_spec(spec);
      }
      if (slack_ms >= 4) {  // the tie at wait + 4 ms, and more room
        EXPECT_EQ(h.result, MSE_OK) << show_spec(spec);
      }
    }
  }
}

// HTTP/2 peers, measured with the eager application: handles within the server's stream
// limit share one descriptor (told to the socket callback once; that it is not told
// REMOVE while streams remain is H2Peers_RemoveEarlyMutant_LeavesStreamsUnfinished's),
// more than the limit all end OK too, and a reset stream ends HTTP2_STREAM while its
// neighbours on another connection are unharmed.
TEST(StatefulEngineSim, H2Peers_ShareOneSocket_AndEndAsModelled) {
  for (int count : {1, kH2SharedStreams, kH2SharedStreams + 2}) {
    Sut sut(ms::Mutant::none, false);
    auto drive = [&] {
      auto all_done = [&] {
        for (std::size_t i = 0; i < sut.handle_count(); ++i)
          if (sut.handle(i).done == 0) return false;
        return true;
      };
      for (int i = 0; i < 2000 && !all_done(); ++i) sut.loop_round(0);
      return all_done();
    };
    HandleSpec spec;
    spec.peer = Peer::h2_shared;
    spec.body_len = kH2SharedBody;
    for (int i = 0; i < count; ++i) sut.add(spec);
    ASSERT_TRUE(drive()) << count << " shared";
    EXPECT_TRUE(sut.problems().empty()) << sut.problems().front();
    for (int i = 0; i < count; ++i) {
      EXPECT_EQ(sut.handle(static_cast<std::size_t>(i)).result, MSE_OK) << i;
      EXPECT_EQ(sut.handle(static_cast<std::size_t>(i)).body, ms::sim::generated_body(kH2SharedBody)) << i;
    }
    if (count <= kH2SharedStreams) {
      EXPECT_EQ(sut.sockets_registered(), 1u) << count << " shared";
    }
    HandleSpec reset;
    reset.peer = Peer::h2_reset;
    reset.body_len = 300;
    reset.param = 3 * 4 + 1;  // CANCEL after 13 bytes
    sut.add(reset);
    sut.add(spec);  // the shared connection is still there to join
    ASSERT_TRUE(drive()) << count << " shared, then a reset";
    EXPECT_TRUE(sut.problems().empty()) << sut.problems().front();
    EXPECT_EQ(sut.handle(static_cast<std::size_t>(count)).result, MSE_HTTP2_STREAM);
    EXPECT_EQ(sut.handle(static_cast<std::size_t>(count) + 1).result, MSE_OK);
  }
}

// The shared h2c connection under the defect that tells REMOVE when the first of its
// streams ends: the application stops watching a socket the other streams still need, and
// they never end (what the final drive reports as a stall). The same handles end on the
// engine as it is (H2Peers_ShareOneSocket_AndEndAsModelled).
TEST(StatefulEngineSim, H2Peers_RemoveEarlyMutant_LeavesStreamsUnfinished) {
  if (!ms::mutants_compiled_in()) GTEST_SKIP() << "built without MS_MUTANTS";
  ms::Mutant mutant = ms::Mutant::none;
  ASSERT_TRUE(ms::mutant_from_name("h2_remove_early", mutant));
  Sut sut(mutant, false);
  HandleSpec spec;
  spec.peer = Peer::h2_shared;
  spec.body_len = kH2SharedBody;
  for (int i = 0; i < 3; ++i) sut.add(spec);
  int done = 0;
  for (int i = 0; i < 2000 && done < 3; ++i) {
    sut.loop_round(0);
    done = 0;
    for (std::size_t k = 0; k < 3; ++k) done += sut.handle(k).done;
  }
  EXPECT_EQ(done, 1);  // the first stream to end
  EXPECT_EQ(sut.sockets_registered(), 1u);
}

// The property must be able to fail: against a mutant it does, and shrinks to a short
// command sequence.
class StatefulMutant : public ::testing::TestWithParam<const char*> {};

TEST_P(StatefulMutant, PropertyFails_AndShrinks) {
  if (!ms::mutants_compiled_in()) GTEST_SKIP() << "built without MS_MUTANTS";
  ms::Mutant mutant = ms::Mutant::none;
  ASSERT_TRUE(ms::mutant_from_name(GetParam(), mutant)) << GetParam();
  rc::detail::TestParams params;
  params.seed = 20240601;
  params.maxSuccess = 200;
  rc::detail::TestMetadata meta;
  meta.id = std::string("StatefulMutant/") + ms::mutant_name(mutant);
  const auto result = rc::detail::checkTestable([&] { run_stateful(mutant); }, meta, params);
  rc::detail::FailureResult failure;
  ASSERT_TRUE(result.match(failure))
      << "the stateful property never failed against mutant " << ms::mutant_name(mutant);
  std::cout << "mutant " << ms::mutant_name(mutant) << ": failed after " << failure.numSuccess
            << " passing cases: " << failure.description << "\n";
  std::size_t lines = 0;  // the commands, one a line, and the values before them
  for (const auto& [type, value] : failure.counterExample) {
    std::cout << value << "\n";
    lines += 1 + static_cast<std::size_t>(std::count(value.begin(), value.end(), '\n'));
  }
  EXPECT_FALSE(failure.counterExample.empty());
  // Shrunk: a few commands (1 to 4 for these mutants; unshrunk, 25 to 75).
  EXPECT_LE(lines, 10u) << "the counterexample was not shrunk";
}

INSTANTIATE_TEST_SUITE_P(Mutants, StatefulMutant,
                         ::testing::Values("double_done", "wrong_running", "duplicate_socket_cb",
                                           "lost_done", "queue_count_off", "spurious_fails",
                                           "timeout_disagrees", "ignore_err", "keep_removed_msg",
                                           "mask_zero_ignored", "bad_action", "timeout_early",
                                           "h2_repeat_in"),
                         [](const auto& p) { return std::string(p.param); });

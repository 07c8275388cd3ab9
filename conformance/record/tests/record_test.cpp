// SPDX-License-Identifier: MIT
// The project's example programs, unmodified, under libmultisock-record.so against
// scripted peers on loopback: the traces they leave must show the program's half of the
// contract as it happened.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "record_run.hpp"

namespace ms::rec::test {
namespace {

using conf::Event;
using conf::EventFlag;
using conf::EventKind;
using conf::Trace;

constexpr int kUrls = 5;
const char* const kOkScript =
    "accept\nexpect request\nsend \"HTTP/1.1 200 OK\\r\\nContent-Length: 6\\r\\n\\r\\nhello\\n\"\nclose\n";

std::string preload(bool shim) {
  return std::string("LD_PRELOAD=") + MS_RECORD_LIB + (shim ? std::string(":") + MS_SHIM_LIB : "");
}

std::vector<std::string> program_argv(const std::string& program, const std::string& dir, const std::string& base) {
  std::vector<std::string> argv{std::string(MS_COMPAT_BIN_DIR) + "/" + program, "-o", dir, "-t", "60"};
  for (int i = 0; i < kUrls; ++i) argv.push_back(base + "/f" + std::to_string(i));
  return argv;
}

bool is_top_level_call(const Event& e) {
  if (e.has(EventFlag::in_callback)) return false;
  switch (e.kind) {
    case EventKind::add_handle:
    case EventKind::remove_handle:
    case EventKind::socket_action:
    case EventKind::info_read:
    case EventKind::setopt:
    case EventKind::cleanup:
    case EventKind::call_end:
    case EventKind::timeout_query:
    case EventKind::app_wait:
      return true;
    default:
      return false;
  }
}

// What every recorded socket_action loop must show, whatever its event library.
void check_loop_trace(const Trace& t, const std::set<std::string>& wait_names, bool timerfd) {
  ASSERT_GT(t.events.size(), 3u);
  EXPECT_EQ(t.events[0].kind, EventKind::note);
  EXPECT_EQ(t.events[0].text.rfind("record pid ", 0), 0u) << t.events[0].text;
  bool library_note = false;
  std::set<int> named;                 // descriptors a socket callback named
  std::map<int, int> watched;          // library socket -> last app_watch mask
  std::set<int> waited_on;             // library sockets that were in a wait's watch set
  std::map<int, int> done;             // easy id -> DONE messages
  std::set<std::string> waits_seen;
  int app_timers = 0;
  std::int64_t last_call_ns = -1;
  for (std::size_t i = 0; i < t.events.size(); ++i) {
    const Event& e = t.events[i];
    SCOPED_TRACE("event " + std::to_string(i) + " (" + conf::to_string(e.kind) + ")");
    if (e.kind == EventKind::note && e.text.rfind("library ", 0) == 0) library_note = true;
    if (is_top_level_call(e)) {
      EXPECT_GE(e.time_ns, last_call_ns);
      last_call_ns = e.time_ns;
    }
    switch (e.kind) {
      case EventKind::socket_cb:
        named.insert(e.fd);
        break;
      case EventKind::socket_action:
        if (e.fd != -1) {
          EXPECT_TRUE(named.count(e.fd)) << "socket_action on fd " << e.fd << " no socket callback named";
          EXPECT_TRUE(watched.count(e.fd)) << "socket_action on fd " << e.fd << " never watched";
        }
        break;
      case EventKind::app_watch:
        EXPECT_TRUE(named.count(e.fd)) << "app_watch of fd " << e.fd << ", not a library socket";
        EXPECT_EQ(e.mask & ~3, 0);
        watched[e.fd] = e.mask;
        break;
      case EventKind::app_wait:
        waits_seen.insert(e.text);
        for (const auto& [fd, mask] : watched)
          if (mask != 0) waited_on.insert(fd);
        break;
      case EventKind::app_ready: {
        EXPECT_TRUE(named.count(e.fd)) << "app_ready of fd " << e.fd << ", not a library socket";
        ASSERT_TRUE(watched.count(e.fd)) << "app_ready of fd " << e.fd << " before its app_watch";
        EXPECT_EQ(e.mask & 3 & ~watched[e.fd], 0) << "fd " << e.fd << " ready " << e.mask
                                                   << " but watched " << watched[e.fd];
        EXPECT_NE(e.mask, 0);
        break;
      }
      case EventKind::app_timer:
        ++app_timers;
        EXPECT_FALSE(named.count(e.fd)) << "the timerfd is no library socket";
        break;
      case EventKind::info_read:
        if (e.easy != 0 && e.result == 1) {
          ++done[e.easy];
          EXPECT_EQ(e.code, 0) << "transfer e" << e.easy;
        }
        break;
      default:
        break;
    }
  }
  EXPECT_TRUE(library_note);
  EXPECT_FALSE(named.empty());
  EXPECT_FALSE(waited_on.empty());
  for (const auto& name : wait_names) EXPECT_TRUE(waits_seen.count(name)) << "no app_wait " << name;
  for (const auto& name : waits_seen) EXPECT_TRUE(wait_names.count(name)) << "unexpected app_wait " << name;
  if (timerfd) {
    EXPECT_GT(app_timers, 0);
  }
  EXPECT_EQ(done.size(), static_cast<std::size_t>(kUrls));
  for (const auto& [easy, n] : done) EXPECT_EQ(n, 1) << "DONE messages of e" << easy;
}

struct Recorded {
  int exit_code = -1;
  Trace trace;
  std::string dir;
};

Recorded record_program(const std::string& program, bool shim) {
  PeerThread peer(kOkScript);
  Recorded r;
  r.dir = make_temp_dir();
  const std::string file = r.dir + "/trace.jsonl";
  r.exit_code = run(program_argv(program, r.dir, peer.base_url()), {preload(shim), "MULTISOCK_RECORD=" + file}, r.dir);
  r.trace = load_trace(file);
  return r;
}

TEST(Record, EpollTimerfdOnLibcurl) {
  Recorded r = record_program("compat-epoll-libcurl", false);
  EXPECT_EQ(r.exit_code, 0) << read_file(r.dir + "/stderr.txt");
  check_loop_trace(r.trace, {"epoll_wait"}, true);
}

TEST(Record, LibeventOnLibcurl) {
  Recorded r = record_program("compat-libevent-libcurl", false);
  EXPECT_EQ(r.exit_code, 0) << read_file(r.dir + "/stderr.txt");
  check_loop_trace(r.trace, {"epoll_wait"}, false);
}

TEST(Record, LibuvOnLibcurl) {
  Recorded r = record_program("compat-libuv-libcurl", false);
  EXPECT_EQ(r.exit_code, 0) << read_file(r.dir + "/stderr.txt");
  check_loop_trace(r.trace, {"epoll_wait"}, false);
}

TEST(Record, EpollTimerfdOnTheShim) {
  Recorded r = record_program("compat-epoll-libcurl", true);
  EXPECT_EQ(r.exit_code, 0) << read_file(r.dir + "/stderr.txt");
  check_loop_trace(r.trace, {"epoll_wait"}, true);
  // The library under the program is the shim, not the libcurl the program links.
  bool shim_named = false;
  for (const Event& e : r.trace.events)
    if (e.kind == EventKind::note && e.text.rfind("library ", 0) == 0)
      shim_named = e.text.rfind("library multisock/", 0) == 0;
  EXPECT_TRUE(shim_named);
}

// The classic loop: the library's own poll() inside curl_multi_poll is not the program's
// wait; the program's select() after curl_multi_fdset is.
TEST(Record, ClassicLoopsOnLibcurl) {
  PeerThread peer(kOkScript);
  for (const std::string mode : {"poll", "select"}) {
    SCOPED_TRACE(mode);
    const std::string dir = make_temp_dir();
    const std::string file = dir + "/trace.jsonl";
    std::vector<std::string> argv{std::string(MS_COMPAT_BIN_DIR) + "/compat-classic-libcurl", "-m", mode, "-o", dir};
    for (int i = 0; i < kUrls; ++i) argv.push_back(peer.base_url() + "/f" + std::to_string(i));
    EXPECT_EQ(run(argv, {preload(false), "MULTISOCK_RECORD=" + file}, dir), 0) << read_file(dir + "/stderr.txt");
    const Trace t = load_trace(file);
    std::map<EventKind, int> count;
    std::set<std::string> waits;
    for (const Event& e : t.events) {
      ++count[e.kind];
      if (e.kind == EventKind::app_wait) waits.insert(e.text);
      EXPECT_NE(e.kind, EventKind::socket_cb);
      EXPECT_NE(e.kind, EventKind::app_watch);  // no socket callback: no library socket
    }
    EXPECT_GT(count[EventKind::perform], 0);
    if (mode == "poll") {
      EXPECT_GT(count[EventKind::multi_poll], 0);
      EXPECT_EQ(count[EventKind::app_wait], 0);
    } else {
      EXPECT_GT(count[EventKind::fdset], 0);
      EXPECT_EQ(waits, std::set<std::string>{"select"});
    }
  }
}

TEST(Record, UnsetWritesNothing) {
  PeerThread peer(kOkScript);
  const std::string dir = make_temp_dir();
  const int rc = run(program_argv("compat-epoll-libcurl", dir, peer.base_url()), {preload(false)}, dir);
  EXPECT_EQ(rc, 0) << read_file(dir + "/stderr.txt");
  // Only the bodies and the two output files: no record anywhere in the folder.
  for (int i = 0; i < kUrls; ++i) EXPECT_EQ(read_file(dir + "/f" + std::to_string(i)), "hello\n");
  EXPECT_FALSE(file_exists(dir + "/trace.jsonl"));
  EXPECT_EQ(read_file(dir + "/stderr.txt"), "");
}

TEST(Record, ExistingFileIsNotOverwritten) {
  PeerThread peer(kOkScript);
  const std::string dir = make_temp_dir();
  const std::string file = dir + "/trace.jsonl";
  std::ofstream(file) << "{\"kind\":\"note\",\"text\":\"earlier\"}\n";
  const int rc = run(program_argv("compat-epoll-libcurl", dir, peer.base_url()),
                     {preload(false), "MULTISOCK_RECORD=" + file}, dir);
  EXPECT_EQ(rc, 0);
  EXPECT_EQ(read_file(file), "{\"kind\":\"note\",\"text\":\"earlier\"}\n");
  const std::string err = read_file(dir + "/stderr.txt");
  EXPECT_NE(err.find("not empty"), std::string::npos) << err;
}

TEST(Record, PidInThePath) {
  PeerThread peer(kOkScript);
  const std::string dir = make_temp_dir();
  Child c = spawn(program_argv("compat-epoll-libcurl", dir, peer.base_url()),
                  {preload(false), "MULTISOCK_RECORD=" + dir + "/trace-%p.jsonl"}, dir);
  EXPECT_EQ(wait_exit(c), 0);
  const std::string file = dir + "/trace-" + std::to_string(c.pid) + ".jsonl";
  ASSERT_TRUE(file_exists(file));
  const Trace t = load_trace(file);
  ASSERT_FALSE(t.events.empty());
  EXPECT_EQ(t.events[0].text.rfind("record pid " + std::to_string(c.pid) + " monotonic ", 0), 0u) << t.events[0].text;
}

TEST(Record, KilledRunLeavesAReadablePrefix) {
  // The peer accepts and never answers: the program waits until it is killed.
  PeerThread peer("accept\nexpect request\nhang\n");
  const std::string dir = make_temp_dir();
  const std::string file = dir + "/trace.jsonl";
  Child c = spawn(program_argv("compat-epoll-libcurl", dir, peer.base_url()),
                  {preload(false), "MULTISOCK_RECORD=" + file}, dir);
  bool waiting = false;
  for (int i = 0; i < 500 && !waiting; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    // Five sockets named and watched: the program sits in epoll_wait.
    const std::string text = trimmed(read_file(file));
    std::size_t watches = 0;
    for (std::size_t at = text.find("\"app_watch\""); at != std::string::npos; at = text.find("\"app_watch\"", at + 1))
      ++watches;
    waiting = watches >= kUrls;
  }
  kill(c.pid, SIGKILL);
  EXPECT_EQ(wait_exit(c), 128 + SIGKILL);
  ASSERT_TRUE(waiting) << "the program never reached its wait";
  const std::string raw = read_file(file);
  EXPECT_NE(raw.find('\0'), std::string::npos) << "a killed run leaves the mapping's zero tail";
  const Trace t = load_trace(file);
  int adds = 0, waits = 0;
  for (const Event& e : t.events) {
    adds += e.kind == EventKind::add_handle;
    waits += e.kind == EventKind::app_wait;
  }
  EXPECT_EQ(adds, kUrls);
  EXPECT_GT(waits, 0);
}

TEST(Record, CallFromInsideACallbackIsFlagged) {
  const std::string dir = make_temp_dir();
  const std::string file = dir + "/trace.jsonl";
  const int rc = run({MS_NESTED_PROGRAM, "http://127.0.0.1:9/"}, {preload(false), "MULTISOCK_RECORD=" + file}, dir);
  EXPECT_EQ(rc, 0) << read_file(dir + "/stderr.txt");
  const Trace t = load_trace(file);
  int nested = 0, plain = 0;
  for (const Event& e : t.events) {
    if (e.kind == EventKind::socket_action) (e.has(EventFlag::in_callback) ? nested : plain) += 1;
    if (e.kind == EventKind::add_handle) {
      EXPECT_FALSE(e.has(EventFlag::in_callback));
    }
  }
  EXPECT_EQ(nested, 1);
  EXPECT_EQ(plain, 0);
  // The nested call closes before the timer callback that made it, which closes before
  // the add_handle that ran it.
  std::vector<EventKind> order;
  for (const Event& e : t.events)
    if (e.kind == EventKind::socket_action || e.kind == EventKind::timer_cb || e.kind == EventKind::add_handle)
      order.push_back(e.kind);
  ASSERT_GE(order.size(), 3u);
  EXPECT_EQ(order[0], EventKind::socket_action);
  EXPECT_EQ(order[1], EventKind::timer_cb);
}

}  // namespace
}  // namespace ms::rec::test

"""Libraries in the simulated world (`--world sim`, the default for lib: targets).

- the engine loaded as a library (libmultisock-curl.so, through the interposition layer)
  gives the same traces as engine-sim, scenario by scenario;
- the system libcurl runs every scripted scenario, none skipped, and twice gives the same
  traces (also across two processes);
- a hostile library, built here around the system libcurl, is reported per scenario: a call
  the world does not model, a loop that never returns, a wait for ever in virtual time, a
  thread that never yields, a DONE message with no result code; a library that busy-waits
  on the clock does not hang;
- `--world` is checked.
"""
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import REPO_ROOT, describe

CURL788 = Path("/usr/lib/x86_64-linux-gnu/libcurl.so.4")
ONE = "conformance/scenarios/zero_length_body.scn"

# Scenarios whose traces differ between the engine as engine-sim and the engine loaded as a
# library, and why: the library build uses the real ports, whose threaded resolver closes a
# lookup's eventfd when the lookup thread ends rather than when the lookup is released, so
# the descriptor numbers and close times of later sockets (and the policy draws that depend
# on which numbers are registered) differ from the simulated resolver's.
RESOLVER_LIFETIME = {"remove_before_done", "chaos_swarm_1", "chaos_swarm_2", "chaos_swarm_3"}


def hashes(report_dir: Path) -> dict:
    report = json.loads((report_dir / "report.json").read_text())
    return {s["name"]: s.get("trace_hash") for s in report["scenarios"]}


def shim_path() -> Path:
    value = os.environ.get("MULTISOCK_COMPAT_BIN_DIR")
    if not value:
        pytest.skip("MULTISOCK_COMPAT_BIN_DIR is not set (run through ctest)")
    path = Path(value) / "libmultisock-curl.so"
    if not path.exists():
        pytest.skip("libmultisock-curl.so not built")
    return path


def test_engine_as_a_library_traces_equal_engine_sim(cli, tmp_path):
    shim = shim_path()
    a = cli.run("conform", "--target", f"lib:{shim}", "--suite", "scripted", "--no-shrink",
                "--report", tmp_path / "shim")
    assert a.returncode == 0, describe(a)
    b = cli.run("conform", "--target", "engine-sim", "--suite", "scripted", "--report", tmp_path / "sim")
    assert b.returncode == 0, describe(b)
    shim_h, sim_h = hashes(tmp_path / "shim"), hashes(tmp_path / "sim")
    assert set(shim_h) == set(sim_h)
    differ = {name for name in sim_h if shim_h[name] != sim_h[name]}
    assert differ <= RESOLVER_LIFETIME, f"traces differ beyond the resolver's: {sorted(differ - RESOLVER_LIFETIME)}"
    assert len(sim_h) - len(differ) >= 70


@pytest.mark.skipif(not CURL788.exists(), reason="the system libcurl is not installed")
def test_system_libcurl_runs_every_scenario_and_replays(cli, tmp_path):
    runs = []
    for i in range(2):
        proc = cli.run("conform", "--target", f"lib:{CURL788}", "--suite", "scripted", "--no-shrink",
                       "--determinism", "--report", tmp_path / f"r{i}")
        assert proc.returncode in (0, 1), describe(proc)  # its deviations are findings
        assert "world sim" in proc.stdout
        report = json.loads((tmp_path / f"r{i}" / "report.json").read_text())
        assert report["target"]["world"] == "sim"
        skipped = [s["name"] for s in report["scenarios"] if s["verdict"] == "skipped"]
        assert skipped == [], skipped
        replay = [c for c in report["clauses"] if c["id"] == "DT-REPLAY"][0]
        assert replay["verdict"] == "pass" and replay["exercised"] >= 70, replay
        runs.append(hashes(tmp_path / f"r{i}"))
    assert runs[0] == runs[1]
    assert len(runs[0]) >= 70


@pytest.mark.skipif(not CURL788.exists(), reason="the system libcurl is not installed")
def test_world_real_still_skips_what_loopback_cannot_do(cli, tmp_path):
    proc = cli.run("conform", "--target", f"lib:{CURL788}", "--world", "real", "--suite",
                   "conformance/scenarios/connect_timeout_on_drop.scn", "--report", tmp_path)
    assert proc.returncode == 0, describe(proc)
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["target"]["world"] == "real"
    assert report["scenarios"][0]["verdict"] == "skipped"


def test_world_option_is_checked(cli):
    proc = cli.run("conform", "--target", "engine-sim", "--suite", ONE, "--world", "moon")
    assert proc.returncode == 2, describe(proc)
    assert "--world takes sim or real, not 'moon'" in proc.stderr
    proc = cli.run("conform", "--target", "engine-sim:mutant=no_unpause_timer", "--suite", ONE,
                   "--world", "real")
    assert proc.returncode == 2, describe(proc)
    assert "mutant exists only in the simulated world" in proc.stderr


# ---- a hostile library: the system libcurl behind a `hostile_` prefix, misbehaving in
# hostile_multi_socket_action as HOSTILE_MODE says.
HOSTILE_C = r"""
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define FWD(ret, name, params, args) \
  extern ret curl_##name params; ret hostile_##name params { return curl_##name args; }
typedef void CURL;
typedef void CURLM;
FWD(void*, multi_init, (void), ())
FWD(int, multi_cleanup, (CURLM* m), (m))
FWD(int, multi_remove_handle, (CURLM* m, CURL* e), (m, e))
FWD(int, multi_assign, (CURLM* m, int s, void* p), (m, s, p))
FWD(int, multi_timeout, (CURLM* m, long* t), (m, t))
FWD(const char*, multi_strerror, (int c), (c))
FWD(void*, easy_init, (void), ())
FWD(void, easy_cleanup, (CURL* e), (e))
FWD(const char*, easy_strerror, (int c), (c))
FWD(int, easy_pause, (CURL* e, int b), (e, b))
FWD(void*, slist_append, (void* l, const char* s), (l, s))
FWD(void, slist_free_all, (void* l), (l))
FWD(const char*, version, (void), ())
FWD(int, global_init, (long f), (f))
extern int curl_multi_setopt(CURLM*, int, ...);
int hostile_multi_setopt(CURLM* m, int o, void* v) { return curl_multi_setopt(m, o, v); }
extern int curl_easy_setopt(CURL*, int, ...);
int hostile_easy_setopt(CURL* e, int o, void* v) { return curl_easy_setopt(e, o, v); }
extern int curl_easy_getinfo(CURL*, int, ...);
int hostile_easy_getinfo(CURL* e, int i, void* v) { return curl_easy_getinfo(e, i, v); }

static CURL* last_added;
extern int curl_multi_add_handle(CURLM*, CURL*);
int hostile_multi_add_handle(CURLM* m, CURL* e) { last_added = e; return curl_multi_add_handle(m, e); }

/* "garbage": one DONE message whose result is no result code at all. */
struct message { int msg; void* easy; union { void* whatever; int result; } data; };
extern void* curl_multi_info_read(CURLM*, int*);
void* hostile_multi_info_read(CURLM* m, int* left) {
  static struct message fake;
  static int told;
  const char* mode = getenv("HOSTILE_MODE");
  if (mode && !strcmp(mode, "garbage") && last_added && !told) {
    told = 1;
    fake.msg = 1;
    fake.easy = last_added;
    fake.data.result = 12345;
    *left = 0;
    return &fake;
  }
  return curl_multi_info_read(m, left);
}

static void* spin(void* arg) { for (;;) __atomic_add_fetch((long*)arg, 1, __ATOMIC_RELAXED); return 0; }
static long counter;

extern int curl_multi_socket_action(CURLM*, int, int, int*);
int hostile_multi_socket_action(CURLM* m, int s, int mask, int* running) {
  const char* mode = getenv("HOSTILE_MODE");
  static int done;
  if (mode && !done) {
    done = 1;
    if (!strcmp(mode, "unix")) socket(AF_UNIX, SOCK_STREAM, 0);
    if (!strcmp(mode, "loop")) for (;;) __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED);
    if (!strcmp(mode, "forever")) poll(0, 0, -1);
    if (!strcmp(mode, "thread")) { pthread_t t; pthread_create(&t, 0, spin, &counter); }
    if (!strcmp(mode, "clock")) {  /* a busy wait of 2 s */
      struct timespec a, b;
      clock_gettime(CLOCK_MONOTONIC, &a);
      do clock_gettime(CLOCK_MONOTONIC, &b); while (b.tv_sec - a.tv_sec < 2);
    }
  }
  return curl_multi_socket_action(m, s, mask, running);
}
"""


@pytest.fixture(scope="module")
def hostile_lib(tmp_path_factory):
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None or not CURL788.exists():
        pytest.skip("needs a C compiler and the system libcurl")
    folder = tmp_path_factory.mktemp("hostile")
    src = folder / "hostile.c"
    src.write_text(HOSTILE_C)
    lib = folder / "libhostile.so"
    subprocess.run([cc, "-shared", "-fPIC", "-O1", "-o", str(lib), str(src), "-l:libcurl.so.4",
                    "-lpthread"], check=True, capture_output=True, text=True)
    return lib


@pytest.mark.parametrize("mode,verdict,text", [
    ("unix", "error", "library called socket() of address family 1 (not modelled by the virtual world)"),
    ("loop", "fail", "no return from hostile_multi_socket_action"),
    ("forever", "error", "waits for ever in virtual time"),
    ("thread", "error", "neither ended nor waited"),
    ("clock", None, ""),
    ("garbage", "fail", "expected a DONE message with a result code, observed message kind 1 with result 12345"),
])
def test_hostile_library_is_reported_per_scenario(cli, tmp_path, monkeypatch, hostile_lib, mode, verdict, text):
    monkeypatch.setenv("HOSTILE_MODE", mode)
    proc = cli.run("conform", "--target", f"lib:{hostile_lib}:hostile_", "--suite", ONE,
                   "--report", tmp_path, timeout=120)
    report = json.loads((tmp_path / "report.json").read_text())
    scenario = report["scenarios"][0]
    if verdict is None:  # a busy wait on the clock ends: virtual time passes while it spins
        assert scenario["verdict"] in ("pass", "warn", "fail"), describe(proc)
        assert "no return" not in json.dumps(scenario), describe(proc)
        return
    assert scenario["verdict"] == verdict, describe(proc)
    assert text in json.dumps(scenario), describe(proc)


@pytest.mark.skipif(not CURL788.exists(), reason="the system libcurl is not installed")
def test_a_library_failure_shrinks_to_a_file_that_replays(cli, tmp_path):
    """libcurl 7.88.1 closes a socket whose connect timed out before telling REMOVE: only the
    simulated world can drop a SYN. The failure is shrunk to a scenario file with its
    recorded choices, and replaying that file on the library shows the same clause."""
    proc = cli.run("conform", "--target", f"lib:{CURL788}", "--suite",
                   "conformance/scenarios/connect_timeout_on_drop.scn", "--failures", tmp_path)
    assert proc.returncode == 1, describe(proc)
    assert "SC-REMOVE" in proc.stdout
    shrunk = sorted(tmp_path.glob("connect_timeout_on_drop-seed*.scn"))
    assert len(shrunk) == 1, describe(proc)
    assert "\nchoices" in shrunk[0].read_text()
    replay = cli.run("replay", shrunk[0], "--target", f"lib:{CURL788}")
    assert "# violation SC-REMOVE" in replay.stdout, describe(replay)
    assert "# outcome fail: SC-REMOVE" in replay.stdout, describe(replay)


LOOPBACK_SKIPS = ["connect_timeout_on_drop", "happy_eyeballs_v4_wins", "happy_eyeballs_v6_refused",
                  "happy_eyeballs_v6_wins", "multi_address_fallback", "one_byte_reads", "redirect_follow",
                  "redirect_to_https", "socket_error_fault"]
CURL814 = Path("/opt/ms-libcurl/8.14.1/usr/lib/x86_64-linux-gnu/libcurl.so.4")


@pytest.mark.parametrize("library,expected", [
    (CURL788, {"connect_timeout_on_drop": "fail", "happy_eyeballs_v4_wins": "fail", "redirect_to_https": "warn"}),
    (CURL814, {}),
])
def test_what_the_scenarios_loopback_skips_show(cli, tmp_path, library, expected):
    """The verdicts reports/README.md states for the scenarios the real world skips."""
    if not library.exists():
        pytest.skip(f"{library} is not installed")
    suite = tmp_path / "suite"
    suite.mkdir()
    for name in LOOPBACK_SKIPS:
        shutil.copy(REPO_ROOT / "conformance" / "scenarios" / f"{name}.scn", suite)
    proc = cli.run("conform", "--target", f"lib:{library}", "--suite", suite, "--no-shrink",
                   "--report", tmp_path / "sim")
    verdicts = {s["name"]: s["verdict"] for s in json.loads((tmp_path / "sim" / "report.json").read_text())["scenarios"]}
    assert verdicts == {name: expected.get(name, "pass") for name in LOOPBACK_SKIPS}, describe(proc)
    real = cli.run("conform", "--target", f"lib:{library}", "--world", "real", "--suite", suite,
                   "--report", tmp_path / "real")
    assert real.returncode == 0, describe(real)
    report = json.loads((tmp_path / "real" / "report.json").read_text())
    assert {s["verdict"] for s in report["scenarios"]} == {"skipped"}

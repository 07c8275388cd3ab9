# SPDX-License-Identifier: MIT
"""Libraries in the simulated world (`--world sim`, the default for lib: targets).

- the engine loaded as a library (libmultisock-curl.so, through the interposition layer)
  gives the same traces as engine-sim, scenario by scenario;
- the system libcurl runs every scripted scenario, none skipped, and twice gives the same
  traces (also across two processes);
- (hostile libraries: test_hostile_library.py)
- `--world` is checked.
"""
import hashlib
import json
import os
import re
import shutil
import time
from pathlib import Path

import pytest

from conftest import REPO_ROOT, describe

CURL788 = Path("/usr/lib/x86_64-linux-gnu/libcurl.so.4")
CURL814 = Path("/opt/ms-libcurl/8.14.1/usr/lib/x86_64-linux-gnu/libcurl.so.4")
CURL788_NSS = Path("/usr/lib/x86_64-linux-gnu/libcurl-nss.so.4")
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
def test_replay_of_a_library_prints_the_lines_its_hash_is_made_of(cli):
    # The library runs in child processes, the trace is printed as the parent hashes it: the
    # header once, each event's line once and in order, and those lines are what was hashed.
    proc = cli.run("replay", ONE, "--target", f"lib:{CURL788}")
    assert proc.returncode in (0, 1), describe(proc)
    lines = proc.stdout.splitlines()
    assert [l for l in lines if l.startswith("# seed ")] == [lines[0]], describe(proc)
    trace = [l for l in lines if l and not l.startswith("#")]
    assert [int(l.split(" ", 1)[0]) for l in trace] == list(range(len(trace))), describe(proc)
    assert len(trace) > 10, describe(proc)
    printed = "".join(l.split(" ", 1)[1] + "\n" for l in trace)
    reported = re.search(r"^# outcome .* trace ([0-9a-f]{64})$", proc.stdout, re.M)
    assert reported, describe(proc)
    assert hashlib.sha256(printed.encode()).hexdigest() == reported.group(1)


@pytest.mark.skipif(not CURL788.exists(), reason="the system libcurl is not installed")
def test_a_library_failure_is_shrunk_within_a_bounded_number_of_runs(cli, tmp_path):
    # The history of this seed (dozens of transfers, world faults) fails on the system
    # libcurl, and the failure rests on one fault the world draws: almost every smaller
    # history loses it, so its shrinking once ran 10 minutes and more, each re-run a child
    # process. It stops after 1,000 re-runs, says so, and the file still fails alike.
    start = time.monotonic()
    proc = cli.run("conform", "--target", f"lib:{CURL788}", "--suite", "property", "--runs", "1",
                   "--seed", "4251", "--failures", tmp_path, timeout=600)
    seconds = time.monotonic() - start
    if proc.returncode == 0:
        pytest.skip("the history of seed 4251 passes on this build of libcurl")
    assert proc.returncode == 1, describe(proc)
    assert "multisock: shrinking the history of seed 4251" in proc.stderr, describe(proc)
    assert "at most 1000 re-runs" in proc.stderr, describe(proc)
    assert seconds < 180, describe(proc)
    written = tmp_path / "property-4251.scn"
    text = written.read_text()
    shrunk = re.search(r"Shrunk from the history of seed 4251 \((\S+)\)(, stopped after 1000 re-runs)?\.", text)
    assert shrunk, text[:600]
    replay = cli.run("replay", written, "--target", f"lib:{CURL788}")
    assert replay.returncode == 1, describe(replay)
    assert f"# violation {shrunk.group(1)} " in replay.stdout, describe(replay)


@pytest.mark.parametrize("library,known_file,seed", [
    # 7.88.1: 9026, an HTTP/2 history whose h2c transfer fails with HTTP2 (entries for
    # `property_h2`); 9677, REMOVE after the close, its socketp judged too (an entry for any
    # scenario); 9700, an upload against an HTTP/2 window of 1 byte spins to the call limit;
    # 9552, transfers end late inside a call that waits for a resolver thread, one of them
    # after its HTTP/2 socket's REMOVE in that call (no SC-LAST-STREAM: its DONE is the
    # call's).
    (CURL788, "libcurl-7.88.known", 9026),
    (CURL788, "libcurl-7.88.known", 9677),
    (CURL788, "libcurl-7.88.known", 9700),
    (CURL788, "libcurl-7.88.known", 9552),
    # 7.88.1: 42070, TLS HTTP/2 waiters that never start once the first transfer timed out
    # (a stall); 43760, an HTTP/1.1 connection taken for a multiplexed one after a status
    # line "HTTP/2 200", IN told twice; on the NSS build, 43909, the timer deleted just
    # before a running transfer's deadline (a stall).
    (CURL788, "libcurl-7.88.known", 42070),
    (CURL788, "libcurl-7.88.known", 43760),
    (CURL788_NSS, "libcurl-7.88.known", 43909),
    # 8.14.1: 9866, h2c waiters that never start once the first transfer timed out (a
    # stall); 9601, an add_handle that tells no timer while the application's is not due.
    (CURL814, "libcurl-8.14.known", 9866),
    (CURL814, "libcurl-8.14.known", 9601),
    # 8.14.1: 40335, the same waiter under the mask-0 policy (SA-ZERO: a stall); 46290, a
    # waiter that ends only by its own timeout (the first transfer on the h2c connection
    # was removed before the connection was ready).
    (CURL814, "libcurl-8.14.known", 40335),
    (CURL814, "libcurl-8.14.known", 46290),
])
def test_known_deviations_cover_generated_histories(cli, tmp_path, library, known_file, seed):
    # Each fails without the known file and is known with it, in the suite and in the
    # replay of the file the suite wrote (which names the history's kind the same way).
    if not library.exists():
        pytest.skip(f"{library} is not installed")
    seed = str(seed)
    known = REPO_ROOT / "conformance" / "known" / known_file
    common = ["conform", "--target", f"lib:{library}", "--suite", "property", "--runs", "1", "--seed", seed,
              "--no-shrink"]
    plain = cli.run(*common, "--failures", tmp_path / "plain")
    if plain.returncode == 0:
        pytest.skip(f"the history of seed {seed} passes on this build of libcurl")
    assert plain.returncode == 1, describe(plain)
    judged = cli.run(*common, "--known", known, "--failures", tmp_path / "known")
    assert judged.returncode == 0, describe(judged)
    assert re.search(rf"^known\s+property-{seed} ", judged.stdout, re.M), describe(judged)
    replay = cli.run("replay", tmp_path / "known" / f"property-{seed}.scn", "--target", f"lib:{library}",
                     "--known", known)
    violations = re.findall(r"^# violation .*$", replay.stdout, re.M)
    assert violations, describe(replay)
    assert all("[known: " in v for v in violations), describe(replay)


@pytest.mark.parametrize("library,known_file,seed,shows", [
    # 7.88.1: the h2c HTTP2 ending (and the NSS build's TLS failure) as CL-PROGRESS.
    (CURL788, "libcurl-7.88.known", 60004, "CL-PROGRESS"),
    (CURL788_NSS, "libcurl-7.88.known", 60005, "CL-PROGRESS"),
    # 8.14.1: the h2c waiters as CL-PROGRESS and as a run that reaches its time limit, and
    # perform's loop over expired timers that never ends (a timer node in the tree twice).
    (CURL814, "libcurl-8.14.known", 62361, "CL-PROGRESS"),
    (CURL814, "libcurl-8.14.known", 62321, "the run ended by the time limit"),
    (CURL814, "libcurl-8.14.known", 61659, "no return from curl_multi_perform"),
])
def test_known_deviations_cover_generated_histories_under_a_classic_loop(cli, tmp_path, library, known_file, seed,
                                                                         shows):
    # Under `--loop perform-poll`: failing without the known file, known with it.
    if not library.exists():
        pytest.skip(f"{library} is not installed")
    known = REPO_ROOT / "conformance" / "known" / known_file
    common = ["conform", "--target", f"lib:{library}", "--suite", "property", "--runs", "1", "--seed", str(seed),
              "--loop", "perform-poll", "--no-shrink"]
    plain = cli.run(*common, "--failures", tmp_path / "plain")
    assert plain.returncode == 1 and shows in plain.stdout, describe(plain)
    judged = cli.run(*common, "--known", known, "--failures", tmp_path / "known")
    assert judged.returncode == 0, describe(judged)
    assert re.search(rf"^known\s+property-{seed} ", judged.stdout, re.M), describe(judged)


@pytest.mark.skipif(not CURL814.exists(), reason="libcurl 8.14.1 is not installed")
@pytest.mark.parametrize("loop,call,clause", [("perform-poll", "multi_poll", "CL-POLL-WAITS"),
                                              ("perform-wait", "multi_wait", "CL-WAIT-EMPTY")])
def test_a_connection_the_library_waits_on_is_a_descriptor_to_offer(cli, tmp_path, loop, call, clause):
    # libcurl 8 keeps waiting on an HTTP/2 connection it is shutting down once no transfer
    # runs: its poll ends when the peer closes (not after timeout_ms), its wait does not
    # return at once. The pages ask either only of a library with no descriptor to offer;
    # the trace lists the connection ("on FD") and the clause passes. (The history also
    # shows a known TM-DEADLINE deviation, so its file is written.)
    seed = "60130"
    known = REPO_ROOT / "conformance" / "known" / "libcurl-8.14.known"
    proc = cli.run("conform", "--target", f"lib:{CURL814}", "--known", known, "--suite", "property", "--runs", "1",
                   "--seed", seed, "--loop", loop, "--no-shrink", "--failures", tmp_path)
    assert proc.returncode == 0, describe(proc)
    assert re.search(rf"^{clause}\s+MUST\s+pass ", proc.stdout, re.M), describe(proc)
    replay = cli.run("replay", tmp_path / f"property-{seed}.scn", "--target", f"lib:{CURL814}", "--loop", loop,
                     "--known", known)
    waits = [json.loads(line.split(" ", 1)[1]) for line in replay.stdout.splitlines() if f'"kind":"{call}"' in line]
    assert any(re.fullmatch(r"took \d+ on \d+( \d+)*", w.get("text", "")) for w in waits), describe(replay)


@pytest.mark.skipif(not CURL788.exists(), reason="the system libcurl is not installed")
def test_a_library_with_threads_replays_the_same_trace(cli, tmp_path):
    # Three HTTP/2 streams of one connection end at one instant; the library orders their
    # DONE messages by a table keyed by address. Its resolver threads' exits, run beside
    # the library's own code, left the heap different from run to run (about one run in
    # three gave the other order); now each exit ends before anything goes on.
    for attempt in range(4):
        proc = cli.run("conform", "--target", f"lib:{CURL788}", "--suite", "property", "--runs", "1", "--seed",
                       "42413", "--no-shrink", "--determinism", "--failures", tmp_path / str(attempt))
        assert proc.returncode in (0, 1), describe(proc)
        assert "nondeterministic" not in proc.stdout, describe(proc)  # exit 4 too


@pytest.mark.skipif(not CURL788.exists(), reason="the system libcurl is not installed")
def test_world_real_still_skips_what_loopback_cannot_do(cli, tmp_path):
    proc = cli.run("conform", "--target", f"lib:{CURL788}", "--world", "real", "--suite",
                   "conformance/scenarios/connect_timeout_on_drop.scn", "--report", tmp_path)
    assert proc.returncode == 0, describe(proc)
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["target"]["world"] == "real"
    assert report["scenarios"][0]["verdict"] == "skipped"


@pytest.mark.parametrize("words,message", [
    (["--hang-after", "0"], "--hang-after needs whole seconds in [1, 3600], not '0'"),
    (["--hang-after", "3601"], "--hang-after needs whole seconds in [1, 3600], not '3601'"),
    (["--hang-after", "2.5"], "--hang-after needs whole seconds in [1, 3600], not '2.5'"),
    (["--hang-after", "-1"], "--hang-after needs whole seconds in [1, 3600], not '-1'"),
    (["--hang-after", "5"], "--hang-after applies to a library in the simulated world"),
    (["--world", "real", "--target", f"lib:{CURL788}", "--hang-after", "5"],
     "--hang-after applies to a library in the simulated world"),
])
def test_hang_after_option_is_checked(cli, words, message):
    for command in (["conform", "--suite", ONE], ["replay", ONE], ["shrink", ONE]):
        target = [] if "--target" in words else ["--target", "engine-sim"]
        proc = cli.run(*command, *target, *words)
        assert proc.returncode == 2, describe(proc)
        assert message in proc.stderr, describe(proc)


def test_diff_takes_hang_after_for_the_library_of_the_two(cli):
    proc = cli.run("diff", "--target", "engine-sim", "--target", "engine-real", "--suite", ONE, "--hang-after", "5")
    assert proc.returncode == 2, describe(proc)
    assert "--hang-after applies to a library in the simulated world" in proc.stderr, describe(proc)
    if CURL788.exists():
        proc = cli.run("diff", "--target", "engine-sim", "--target", f"lib:{CURL788}", "--suite", ONE,
                       "--hang-after", "5")
        assert proc.returncode in (0, 1), describe(proc)
        assert "1 scenarios:" in proc.stdout, describe(proc)


def test_world_option_is_checked(cli):
    proc = cli.run("conform", "--target", "engine-sim", "--suite", ONE, "--world", "moon")
    assert proc.returncode == 2, describe(proc)
    assert "--world takes sim or real, not 'moon'" in proc.stderr
    proc = cli.run("conform", "--target", "engine-sim:mutant=no_unpause_timer", "--suite", ONE,
                   "--world", "real")
    assert proc.returncode == 2, describe(proc)
    assert "mutant exists only in the simulated world" in proc.stderr


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


H2_SHARED = ["h2_connection_dies", "h2_max_streams_one", "h2_multiplex_reverse_order", "h2_prior_knowledge_reuse",
             "h2_removed_stream_not_named", "h2_stream_reset", "h2_tls_alpn", "h2_tls_many_small"]


@pytest.mark.parametrize("library", [CURL788, CURL814])
def test_both_libcurls_remove_a_shared_socket_after_its_last_stream(cli, tmp_path, library):
    """reports/README.md: in the simulated world, 7.88.1 (OpenSSL build) and 8.14.1 pass
    SC-LAST-STREAM in the eight HTTP/2 scenarios that reach it; on real sockets it is skipped."""
    if not library.exists():
        pytest.skip(f"{library} is not installed")
    suite = tmp_path / "suite"
    suite.mkdir()
    for path in (REPO_ROOT / "conformance" / "scenarios").glob("h2_*.scn"):
        shutil.copy(path, suite)
    proc = cli.run("conform", "--target", f"lib:{library}", "--suite", suite, "--no-shrink",
                   "--report", tmp_path / "sim")
    report = json.loads((tmp_path / "sim" / "report.json").read_text())
    reached = sorted(s["name"] for s in report["scenarios"] if "SC-LAST-STREAM" in s.get("clauses", []))
    assert reached == H2_SHARED, describe(proc)
    clause = next(c for c in report["clauses"] if c["id"] == "SC-LAST-STREAM")
    assert (clause["verdict"], clause["violations"]) == ("pass", 0), describe(proc)
    real = cli.run("conform", "--target", f"lib:{library}", "--world", "real", "--suite",
                   suite / "h2_multiplex_reverse_order.scn", "--report", tmp_path / "real")
    clause = next(c for c in json.loads((tmp_path / "real" / "report.json").read_text())["clauses"]
                  if c["id"] == "SC-LAST-STREAM")
    assert clause["verdict"] == "skipped", describe(real)

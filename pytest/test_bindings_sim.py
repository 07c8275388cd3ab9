# SPDX-License-Identifier: MIT
"""The bindings over the simulated world (bindings/common/sim_world.hpp): multisock.Multi over a
multisock.sim.World with the document's loop waiting in virtual time, the same seed giving the
same callbacks, a Hypothesis state machine of the contract's invariants under the world's
faults, the Lua event loop example over simnet, and multisock.sim.run_suite's Report read from
the report.json the CLI writes. No real socket and no wall-clock wait: this file needs no
nginx.

The package comes from env MS_BINDINGS_PYTHONPATH (default build/bindings/python).
"""

import json
import os
import subprocess
import sys

import pytest

from conftest import REPO_ROOT

sys.path.insert(0, os.environ.get("MS_BINDINGS_PYTHONPATH", str(REPO_ROOT / "build" / "bindings" / "python")))
import multisock  # noqa: E402
from multisock import sim  # noqa: E402

# Peers the loops talk to. The client block is not used by a World (the test is the client).
WORLD = """\
title a small world for the bindings' own loops
seed 5

world latency 2ms {faults}

dns hello.test 127.0.0.20
dns slow.test 127.0.0.21 delay 30ms

peer hello listen 127.0.0.20:80
  accept
  expect request
  send "HTTP/1.1 200 OK\\r\\nContent-Length: 5\\r\\n\\r\\nhello"
  repeat

peer big listen 127.0.0.20:81
  accept
  expect request
  send "HTTP/1.1 200 OK\\r\\nContent-Length: 3000\\r\\n\\r\\n"
  send body 3000 in pieces of 700 every 3ms
  close

peer resetter listen 127.0.0.20:82
  accept
  expect request
  reset

peer sleeper listen 127.0.0.21:80
  accept
  expect request
  hang

client
  at 1s end
"""

FAULTS = "short_read 0.3 short_write 0.3 extra_latency 0.5 extra_latency_max 20ms"
URLS = {
    "hello": "http://hello.test/a",
    "big": "http://hello.test:81/big",
    "reset": "http://hello.test:82/r",
    "refused": "http://127.0.0.20:9/nobody",
    "slow": "http://slow.test/never",
}


class SimLoop:
    """The document's loop over a World: watches what the socket callback asks, keeps the timer
    callback's deadline in virtual ns, waits with world.poll, and logs every callback and call
    with its virtual time."""

    def __init__(self, world, multi, names):
        self.world, self.multi, self.names = world, multi, names
        self.watched = {}
        self.deadline_ns = None
        self.running = 0
        self.done = {}
        self.log = []
        self.on_done = None  # f(easy, result) for every DONE read
        multi.setopt(multisock.MOPT_SOCKETFUNCTION, self.on_socket)
        multi.setopt(multisock.MOPT_TIMERFUNCTION, self.on_timer)

    def on_socket(self, easy, fd, what, socketp):
        self.log.append(("socket", self.names.get(easy), fd, what, self.world.now_ns))
        if what in (multisock.POLL_REMOVE, multisock.POLL_NONE):
            self.watched.pop(fd, None)
        else:
            self.watched[fd] = what

    def on_timer(self, timeout_ms):
        self.log.append(("timer", timeout_ms, self.world.now_ns))
        self.deadline_ns = None if timeout_ms < 0 else self.world.now_ns + timeout_ms * 1_000_000

    def step(self, limit_ms=1000):
        wait = limit_ms
        if self.deadline_ns is not None:
            wait = max(0, min(limit_ms, -(-(self.deadline_ns - self.world.now_ns) // 1_000_000)))
        acted = False
        for fd, mask in self.world.poll(dict(self.watched), wait).items():
            self.running = self.multi.socket_action(fd, mask)
            self.log.append(("action", fd, mask, self.running, self.world.now_ns))
            acted = True
        if self.deadline_ns is not None and self.world.now_ns >= self.deadline_ns:
            self.deadline_ns = None
            self.running = self.multi.socket_action(multisock.SOCKET_TIMEOUT, 0)
            self.log.append(("action", "timeout", self.running, self.world.now_ns))
            acted = True
        self.reap()
        return acted

    def reap(self):
        while (message := self.multi.info_read()) is not None:
            msg, easy, result, left = message
            assert msg == multisock.MSG_DONE and left >= 0
            self.log.append(("done", self.names.get(easy), result, self.world.now_ns))
            if self.on_done is not None:
                self.on_done(easy, result)
            self.done[easy] = (result, self.world.now_ns)

    def run(self, count, limit_ms=60_000):
        while len(self.done) < count:
            assert self.world.now_ms < limit_ms, f"not done in {limit_ms} virtual ms: {self.log[-5:]}"
            self.step()


def run_transfers(seed, faults="", timeout_ms=300):
    """Every URL once over a fresh world; returns (loop, {name: easy}, world)."""
    world = sim.World(text=WORLD.format(faults=faults), seed=seed)
    multi = multisock.Multi(world=world)
    easies = {}
    for name, url in URLS.items():
        easy = multisock.Easy()
        easy.setopt(multisock.OPT_URL, url)
        if name == "slow":
            easy.setopt(multisock.OPT_TIMEOUT_MS, timeout_ms)
        easies[name] = easy
    loop = SimLoop(world, multi, {e: n for n, e in easies.items()})
    for easy in easies.values():
        multi.add_handle(easy)
    loop.run(len(easies))
    return loop, easies, world


def code_name(result):
    return multisock.code_name("easy", result)


# --------------------------------------------------------------------------- the loop over a World

def test_world_loop_runs_every_transfer_in_virtual_time():
    loop, easies, world = run_transfers(seed=5)
    results = {name: code_name(loop.done[e][0]) for name, e in easies.items()}
    assert results["hello"] == "MSE_OK" and easies["hello"].body() == b"hello"
    assert easies["hello"].getinfo(multisock.INFO_RESPONSE_CODE) == 200
    assert results["big"] == "MSE_OK" and len(easies["big"].body()) == 3000
    assert easies["big"].body().isalnum()  # the peer's generated bytes: letters and digits
    assert results["refused"] == "MSE_COULDNT_CONNECT"
    assert results["reset"] in ("MSE_RECV_ERROR", "MSE_GOT_NOTHING")
    # The timeout fires in virtual time: 300 ms after the add, not a wall-clock wait.
    assert results["slow"] == "MSE_OPERATION_TIMEDOUT"
    assert 300_000_000 <= loop.done[easies["slow"]][1] <= 302_000_000
    assert any(entry[0] == "timer" and entry[1] == 0 for entry in loop.log)  # add arms a 0 ms timer
    assert loop.running == 0 and not loop.watched  # every socket was told REMOVE
    multi = loop.multi
    assert multi.world is world
    for easy in easies.values():
        multi.remove_handle(easy)
    multi.close()
    assert world.open_descriptors == 0


def test_world_same_seed_gives_the_same_callbacks_and_another_seed_other_ones():
    first, _, _ = run_transfers(seed=11, faults=FAULTS)
    second, _, _ = run_transfers(seed=11, faults=FAULTS)
    other, _, _ = run_transfers(seed=12, faults=FAULTS)
    assert len(first.log) > 30
    assert first.log == second.log
    assert first.log != other.log  # the faults are drawn from the seed


def test_world_seed_defaults_to_the_scenario_and_a_file_gives_its_peers():
    path = REPO_ROOT / "conformance" / "scenarios" / "keepalive_reuse_two_handles.scn"
    world = sim.World(path)
    assert world.seed == 11 and world.now_ms == 0
    multi = multisock.Multi(world=world)
    loop = SimLoop(world, multi, {})
    easies = []
    for url in ("http://127.0.0.10/one", "http://127.0.0.10/two"):
        easy = multisock.Easy()
        easy.setopt(multisock.OPT_URL, url)
        easies.append(easy)
        multi.add_handle(easy)
        loop.run(len(easies))
    assert [e.body() for e in easies] == [b"first", b"second"]
    # The second transfer reused the idle connection: one connect in all.
    assert easies[1].getinfo(multisock.INFO_NUM_CONNECTS) == 0


def test_world_advance_moves_virtual_time_and_inject_error_fails_a_socket():
    world = sim.World(text=WORLD.format(faults=""))
    world.advance(1500)
    assert world.now_ms == 1500
    multi = multisock.Multi(world=world)
    easy = multisock.Easy()
    easy.setopt(multisock.OPT_URL, URLS["slow"])
    loop = SimLoop(world, multi, {easy: "slow"})
    multi.add_handle(easy)
    while not loop.watched or world.now_ms < 1600:  # connected, request sent, waiting
        loop.step(10)
    fd = next(iter(loop.watched))
    world.inject_error(fd, "reset")
    loop.run(1, limit_ms=5000)
    assert code_name(loop.done[easy][0]) in ("MSE_RECV_ERROR", "MSE_SEND_ERROR")
    with pytest.raises(ValueError, match="unknown socket error"):
        world.inject_error(fd, "no_such_error")
    with pytest.raises(ValueError, match="not an open stream"):
        world.inject_error(9999, "reset")


def test_world_bad_input_is_a_clear_error():
    with pytest.raises(ValueError, match="client"):
        sim.World(text="title nothing\n")
    with pytest.raises(ValueError, match="outside loopback"):
        sim.World(text="peer p listen 10.1.2.3:80\n  accept\n  close\nclient\n  at 1s end\n")
    with pytest.raises(TypeError):
        sim.World()
    world = sim.World(text=WORLD.format(faults=""))
    with pytest.raises(TypeError, match="World"):
        multisock.Multi(world=42)
    with pytest.raises(ValueError, match="lib"):
        multisock.Multi(world=world, lib="/usr/lib/x86_64-linux-gnu/libcurl.so.4")
    with pytest.raises(ValueError, match="POLL"):
        world.poll({3: 99}, 0)
    with pytest.raises(ValueError):
        world.advance(-1)
    # Nothing scheduled and no timeout: an error, not a wait for ever.
    with pytest.raises(RuntimeError, match="nothing can happen"):
        world.poll({}, -1)
    assert world.poll({}, 250) == {} and world.now_ms == 250


def test_world_outlives_the_name_that_made_it_and_an_exception_in_a_callback_comes_out():
    multi = multisock.Multi(world=sim.World(text=WORLD.format(faults="")))
    calls = []

    def on_timer(timeout_ms):
        calls.append(timeout_ms)
        raise KeyError("from the timer")

    multi.setopt(multisock.MOPT_TIMERFUNCTION, on_timer)
    easy = multisock.Easy()
    easy.setopt(multisock.OPT_URL, URLS["hello"])
    with pytest.raises(KeyError, match="from the timer"):
        multi.add_handle(easy)
    assert calls == [0] and multi.handles == [easy]  # the engine carried on
    loop = SimLoop(multi.world, multi, {easy: "hello"})  # the loop's own callbacks from here
    loop.running = multi.socket_action(multisock.SOCKET_TIMEOUT, 0)  # the timer the raise hid
    loop.run(1)
    assert easy.body() == b"hello"


# --------------------------------------------------------------------------- Hypothesis over simnet

def test_hypothesis_state_machine_over_simnet_with_faults():
    from hypothesis import HealthCheck, settings
    from hypothesis import strategies as st
    from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

    timeout_ms = 400
    urls = list(URLS.values())

    class MultiContract(RuleBasedStateMachine):
        """Model: which handles are added (and when), which of them finished (DONE read).
        Every handle has a 400 ms timeout, so the world's hanging peer and faults end too."""

        def __init__(self):
            super().__init__()
            self.world = sim.World(text=WORLD.format(faults=FAULTS + " reset 0.05 connect_refuse 0.1"), seed=3)
            self.multi = multisock.Multi(world=self.world)
            self.loop = SimLoop(self.world, self.multi, {})
            self.loop.on_done = self.check_message
            self.easies = []
            self.added = {}         # easy -> virtual ns of its add
            self.finished = set()   # added now and DONE already read

        def teardown(self):
            self.multi.close()
            assert self.world.open_descriptors == 0

        @rule(url=st.sampled_from(urls))
        def make(self, url):
            easy = multisock.Easy()
            easy.setopt(multisock.OPT_URL, url)
            easy.setopt(multisock.OPT_TIMEOUT_MS, timeout_ms)
            self.easies.append(easy)

        @precondition(lambda self: any(e not in self.added for e in self.easies))
        @rule(data=st.data())
        def add(self, data):
            easy = data.draw(st.sampled_from([e for e in self.easies if e not in self.added]))
            easy.clear_buffers()
            self.multi.add_handle(easy)
            self.added[easy] = self.world.now_ns
            self.finished.discard(easy)
            self.loop.done.pop(easy, None)  # a DONE of an earlier add is not this add's
            self.after_call(None)

        @precondition(lambda self: self.added)
        @rule(data=st.data())
        def remove(self, data):
            easy = data.draw(st.sampled_from(sorted(self.added, key=self.easies.index)))
            self.multi.remove_handle(easy)
            del self.added[easy]
            self.finished.discard(easy)
            self.after_call(None)

        @precondition(lambda self: self.added)
        @rule(data=st.data())
        def add_twice_is_refused(self, data):
            easy = data.draw(st.sampled_from(sorted(self.added, key=self.easies.index)))
            with pytest.raises(multisock.MultiError) as error:
                self.multi.add_handle(easy)
            assert error.value.name == "MSM_ADDED_ALREADY"

        @rule(limit=st.sampled_from([0, 1, 20, 200]))
        def act(self, limit):
            acted = self.loop.step(limit)
            self.after_call(self.loop.running if acted else None)

        @rule()
        def timeout_call(self):
            self.after_call(self.multi.socket_action(multisock.SOCKET_TIMEOUT, 0))

        @rule()
        def stale_descriptor_is_tolerated(self):
            self.after_call(self.multi.socket_action(987654, multisock.CSELECT_IN))

        @rule(ms=st.sampled_from([5, 100, 1000]))
        def time_passes_without_the_application(self, ms):
            self.world.advance(ms)

        @precondition(lambda self: self.loop.watched)
        @rule(data=st.data(), error=st.sampled_from(["reset", "timed_out", "unreachable"]))
        def world_fails_a_socket(self, data, error):
            fd = data.draw(st.sampled_from(sorted(self.loop.watched)))
            try:
                self.world.inject_error(fd, error)
            except ValueError as refused:  # the resolver's descriptor, not a connection
                assert "not an open stream" in str(refused)

        @rule()
        def drain(self):
            """The loop runs until every added handle is done; each is done by its timeout
            (plus a connect/teardown margin) after its add or after this drain began."""
            start = self.world.now_ns
            while len(self.finished) < len(self.added):
                acted = self.loop.step()
                self.after_call(self.loop.running if acted else None)
                assert self.world.now_ns - start <= (timeout_ms + 100) * 1_000_000, \
                    f"handles not done {timeout_ms} ms after the drain began"
            for easy, added_at in self.added.items():
                if self.loop.done.get(easy, (0, 0))[0] == multisock.MSE_OPERATION_TIMEDOUT:
                    assert self.loop.done[easy][1] - added_at >= timeout_ms * 1_000_000, "timed out early"

        def after_call(self, running):
            """Reads every message, then: running is the number of added handles whose DONE has
            not come yet (never negative, never more than added)."""
            self.loop.reap()
            if running is not None:
                assert 0 <= running <= len(self.added)
                assert running == len(set(self.added) - self.finished)

        def check_message(self, easy, result):
            assert easy in self.added, "DONE for a handle that is not added"
            assert easy not in self.finished, "two DONE messages for one add"
            self.finished.add(easy)
            if result == multisock.MSE_OK:
                assert easy.getinfo(multisock.INFO_RESPONSE_CODE) == 200

        @invariant()
        def timeout_is_minus_one_or_more(self):
            assert self.multi.timeout() >= -1

        @invariant()
        def handles_are_the_added_ones(self):
            assert set(self.multi.handles) == set(self.added)

    MultiContract.TestCase.settings = settings(
        max_examples=30, stateful_step_count=30, deadline=None, derandomize=True,
        suppress_health_check=list(HealthCheck))
    MultiContract.TestCase().runTest()


# --------------------------------------------------------------------------- the Lua loop over simnet

def lua_loop(tmp_path, seed, *urls):
    scenario = tmp_path / "world.scn"
    scenario.write_text(WORLD.format(faults=FAULTS))
    env = dict(os.environ, LUA_CPATH=os.environ.get("MS_LUA_CPATH", str(REPO_ROOT / "build/bindings/lua/?.so")))
    lua = os.environ.get("MS_LUA", "lua5.4")
    example = REPO_ROOT / "bindings" / "lua" / "examples" / "event_loop.lua"
    return subprocess.run([lua, str(example), "--world", str(scenario), "--seed", str(seed), "--trace", *urls],
                          capture_output=True, text=True, env=env, timeout=60)


def test_lua_event_loop_example_runs_over_simnet_deterministically(tmp_path):
    urls = [URLS["hello"], URLS["big"], URLS["refused"], URLS["reset"]]
    first = lua_loop(tmp_path, 21, *urls)
    lines = first.stdout.splitlines()
    results = [line for line in lines if not line.startswith(("socket ", "timer ", "action "))]
    assert results[:2] == [f"200 5 {URLS['hello']}", f"200 3000 {URLS['big']}"], first.stdout + first.stderr
    assert results[2] == f"0 MSE_COULDNT_CONNECT {URLS['refused']}"
    assert results[3].startswith("0 MSE_") and results[3].endswith(URLS["reset"])
    assert first.returncode == 1  # two transfers failed, as the example says
    callbacks = [line for line in lines if line.startswith(("socket ", "timer "))]
    assert len(callbacks) > 10 and any(line.startswith("timer 0 ") for line in callbacks)
    again = lua_loop(tmp_path, 21, *urls)
    assert again.stdout == first.stdout  # the same seed: the same callbacks, the same virtual times
    other = lua_loop(tmp_path, 22, *urls)
    assert other.stdout != first.stdout  # the world's faults come from the seed


def test_lua_world_bad_input_is_an_error(tmp_path):
    env = dict(os.environ, LUA_CPATH=os.environ.get("MS_LUA_CPATH", str(REPO_ROOT / "build/bindings/lua/?.so")))
    lua = os.environ.get("MS_LUA", "lua5.4")
    script = """
local multisock = require "multisock"
local ok, err = pcall(multisock.sim_world, "/nonexistent.scn")
print(ok, err)
ok, err = pcall(multisock.sim_world, {text = "title x\\n"})
print(ok, err)
ok, err = pcall(multisock.sim_world, {text = "x", file = "y"})
print(ok, err)
local w = multisock.sim_world{text = "peer p listen 127.0.0.2:80\\n  accept\\n  close\\nclient\\n  at 1s end\\n", seed = 4}
print(w:Seed(), w:Now())
ok, err = pcall(w.Poll, w, {}, -1)
print(ok, err)
print(next(w:Poll({}, 70)), w:Now())
local m = multisock.Multi(w)
local e = multisock.Easy(w)
e:SetOpt(multisock.OPT_URL, "http://127.0.0.2/")
m:AddHandle(e)
print(m:SocketAction(multisock.SOCKET_TIMEOUT, 0))
ok, err = pcall(w.InjectError, w, 3, "bogus")
print(ok, err)
"""
    proc = subprocess.run([lua, "-"], input=script, capture_output=True, text=True, env=env, timeout=30)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.splitlines()
    assert out[0].startswith("false") and "/nonexistent.scn" in out[0]
    assert out[1].startswith("false") and "client" in out[1]
    assert out[2].startswith("false") and "one of them" in out[2]
    assert out[3] == "4\t0"
    assert out[4].startswith("false") and "nothing can happen" in out[4]
    assert out[5] == "nil\t70"
    assert out[6] == "1"
    assert out[7].startswith("false") and "unknown socket error" in out[7]


# --------------------------------------------------------------------------- suites as a Report

def test_run_suite_of_files_reads_the_report_the_cli_wrote(tmp_path):
    scenarios = REPO_ROOT / "conformance" / "scenarios"
    files = [scenarios / "timeout_on_hang.scn", scenarios / "keepalive_reuse_two_handles.scn"]
    report = sim.run_suite(files, report_dir=tmp_path / "out")
    written = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report.data == written and report.passed and report.verdict == "pass"
    assert report.target == "engine-sim" and report.edition == written["edition"]["id"]
    assert sorted(s.name for s in report.scenarios) == ["keepalive_reuse_two_handles", "timeout_on_hang"]
    assert report.summary["scenarios"]["pass"] == 2 and report.violations == []
    published = json.loads((REPO_ROOT / "reports" / "published" / "engine-sim" / "report.json").read_text())
    hashes = {s["name"]: s["trace_hash"] for s in published["scenarios"]}
    for s in report.scenarios:
        assert s.passed and s.trace_hash == hashes[s.name]
    assert report.clauses["TM-DELETE"] == "pass"


def test_run_suite_of_libcurl_gives_violations_with_clause_ids():
    scenarios = REPO_ROOT / "conformance" / "scenarios"
    report = sim.run_suite([scenarios / "abort_from_socket_callback.scn", scenarios / "timeout_on_hang.scn"],
                           target="lib:/usr/lib/x86_64-linux-gnu/libcurl.so.4")
    assert not report.passed and report.exit_code == 1 and report.verdict == "fail"
    assert report.edition == "7.88" and report.target.startswith("libcurl/7.88")
    failed = report.scenario("abort_from_socket_callback")
    assert failed.verdict == "fail" and {"SC-REMOVE", "ER-ABORT"} <= {v.clause for v in failed.violations}
    v = [v for v in failed.violations if v.clause == "SC-REMOVE"][0]
    assert v.scenario == failed.name and v.severity == "MUST" and 0 <= v.event < failed.events
    assert v.repro.startswith("multisock replay") and "--seed" in v.repro
    # TM-DELETE is a SHOULD in the 7.88 edition: a warning, not a failure.
    warned = report.scenario("timeout_on_hang")
    assert warned.verdict == "warn" and [v.severity for v in warned.violations] == ["SHOULD"]
    assert report.clauses["SC-REMOVE"] == "fail" and report.clauses["TM-DELETE"] == "warn"
    with pytest.raises(KeyError):
        report.scenario("no_such_scenario")


def test_run_suite_errors_are_SimError(tmp_path):
    with pytest.raises(sim.SimError) as info:
        sim.run_suite(tmp_path / "missing")
    assert info.value.code == 2
    bad = tmp_path / "bad.scn"
    bad.write_text("this is not a scenario\n")
    with pytest.raises(sim.SimError):
        sim.run_suite([bad])
    with pytest.raises(sim.SimError, match="not a multisock report"):
        (tmp_path / "r.json").write_text('{"schema": "other"}')
        sim.read_report(tmp_path / "r.json")

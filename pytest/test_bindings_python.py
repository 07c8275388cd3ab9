# SPDX-License-Identifier: MIT
"""The Python binding (bindings/python): multisock.Multi / Easy over the engine and over the
system's libcurl (lib=), callbacks, errors, exceptions raised in callbacks, and asyncio
downloads from the nginx fixture. The Hypothesis state machine of the contract's invariants
runs over the simulated world, with its faults (test_bindings_sim.py).

The package comes from env MS_BINDINGS_PYTHONPATH (default build/bindings/python).
"""

import asyncio
import gc
import os
import selectors
import sys
import threading
import time
import weakref
from pathlib import Path

import pytest

from conftest import REPO_ROOT

sys.path.insert(0, os.environ.get("MS_BINDINGS_PYTHONPATH", str(REPO_ROOT / "build" / "bindings" / "python")))
import multisock  # noqa: E402
import multisock.aio  # noqa: E402

LIBCURL = "/usr/lib/x86_64-linux-gnu/libcurl.so.4"
BACKENDS = [pytest.param(None, id="engine"), pytest.param(LIBCURL, id="libcurl")]


class Loop:
    """The document's loop on a selector: watches what the socket callback asks, keeps the
    timer callback's deadline, and records every callback."""

    def __init__(self, multi):
        self.multi = multi
        self.sel = selectors.DefaultSelector()
        self.watched = {}
        self.deadline = None
        self.socket_calls = []
        self.timer_calls = []
        self.running = 0
        self.done = {}
        multi.setopt(multisock.MOPT_SOCKETFUNCTION, self.on_socket)
        multi.setopt(multisock.MOPT_TIMERFUNCTION, self.on_timer)

    def on_socket(self, easy, fd, what, socketp):
        self.socket_calls.append((easy, fd, what, socketp))
        if fd in self.watched:
            self.sel.unregister(fd)
            del self.watched[fd]
        events = {multisock.POLL_IN: selectors.EVENT_READ, multisock.POLL_OUT: selectors.EVENT_WRITE,
                  multisock.POLL_INOUT: selectors.EVENT_READ | selectors.EVENT_WRITE}.get(what)
        if events:
            self.sel.register(fd, events)
            self.watched[fd] = what

    def on_timer(self, timeout_ms):
        self.timer_calls.append(timeout_ms)
        self.deadline = None if timeout_ms < 0 else time.monotonic() + timeout_ms / 1000

    def step(self, limit_s=1.0):
        wait = limit_s if self.deadline is None else max(0.0, min(limit_s, self.deadline - time.monotonic()))
        ready = self.sel.select(wait) if self.watched else (time.sleep(wait) or [])
        called = bool(ready)
        for key, events in ready:
            mask = (multisock.CSELECT_IN if events & selectors.EVENT_READ else 0) | \
                   (multisock.CSELECT_OUT if events & selectors.EVENT_WRITE else 0)
            self.running = self.multi.socket_action(key.fd, mask)
        if self.deadline is not None and time.monotonic() >= self.deadline:
            self.deadline = None
            self.running = self.multi.socket_action(multisock.SOCKET_TIMEOUT, 0)
            called = True
        self.reap()
        return called

    def reap(self):
        while (message := self.multi.info_read()) is not None:
            msg, easy, result, _left = message
            assert msg == multisock.MSG_DONE
            self.done[easy] = result

    def run(self, count, limit_s=20.0):
        end = time.monotonic() + limit_s
        while len(self.done) < count:
            assert time.monotonic() < end, f"transfers not done in {limit_s}s: {len(self.done)}/{count}"
            self.step(0.2)


def make_easy(lib, url):
    easy = multisock.Easy(lib=lib)
    easy.setopt(multisock.OPT_URL, url)
    return easy


# --------------------------------------------------------------------------- constants

def test_constants_have_the_documented_names_and_values():
    assert (multisock.CSELECT_IN, multisock.CSELECT_OUT, multisock.CSELECT_ERR) == (1, 2, 4)
    assert multisock.SOCKET_TIMEOUT == -1
    assert (multisock.POLL_NONE, multisock.POLL_IN, multisock.POLL_OUT, multisock.POLL_INOUT,
            multisock.POLL_REMOVE) == (0, 1, 2, 3, 4)
    assert multisock.MSG_DONE == 1
    assert multisock.MOPT_SOCKETFUNCTION == 20001 and multisock.MOPT_TIMERFUNCTION == 20004
    assert multisock.OPT_URL == 10002 and multisock.OPT_TIMEOUT_MS == 155
    assert multisock.INFO_RESPONSE_CODE == 0x200002
    assert multisock.MSM_BAD_SOCKET == 5 and multisock.MSE_WRITE_ERROR == 23
    assert multisock.code_name("multi", 8) == "MSM_RECURSIVE_API_CALL"


# --------------------------------------------------------------------------- the loop

@pytest.mark.parametrize("lib", BACKENDS)
def test_Multi_loop_downloads_with_socket_and_timer_callbacks(nginx, lib):
    multi = multisock.Multi(lib=lib)
    loop = Loop(multi)
    easies = [make_easy(lib, nginx.url(p)) for p in ("hello.txt", "big.bin", "dir/nested.txt")]
    for easy in easies:
        multi.add_handle(easy)
    assert loop.timer_calls and loop.timer_calls[0] == 0  # each add arms a 0 ms timer
    assert multi.timeout() == 0
    loop.run(len(easies))
    assert loop.running == 0
    for easy, path in zip(easies, ("hello.txt", "big.bin", "dir/nested.txt")):
        assert loop.done[easy] == multisock.MSE_OK
        assert easy.getinfo(multisock.INFO_RESPONSE_CODE) == 200
        assert easy.body() == (nginx.root / path).read_bytes()
        assert easy.getinfo(multisock.INFO_SIZE_DOWNLOAD_T) == len(easy.body())
        assert easy.getinfo(multisock.INFO_EFFECTIVE_URL) == nginx.url(path)
        assert b"200 OK" in easy.header_bytes()
    # every descriptor that was watched was told REMOVE or NONE at the end, never twice the same in a row
    last = {}
    for easy, fd, what, _sp in loop.socket_calls:
        assert last.get(fd) != what, f"fd {fd} told {what} twice in a row"
        last[fd] = what
        assert easy is None or easy in easies
    assert last, "no socket callback at all"
    assert all(what in (multisock.POLL_REMOVE, multisock.POLL_NONE) for what in last.values()), last
    assert not loop.watched, loop.watched
    assert multi.backend == ("engine" if lib is None else "libcurl.so.4")
    for easy in easies:
        multi.remove_handle(easy)
    assert multi.handles == []
    multi.close()


@pytest.mark.parametrize("lib", BACKENDS)
def test_Multi_assign_hands_the_object_back_and_forgets_it_after_remove(nginx, lib):
    class Tag:
        pass

    multi = multisock.Multi(lib=lib)
    loop = Loop(multi)
    seen = []
    tags = []

    def on_socket(easy, fd, what, socketp):
        seen.append((fd, what, socketp))
        if socketp is None and what != multisock.POLL_REMOVE:
            tag = Tag()
            tags.append(weakref.ref(tag))
            multi.assign(fd, tag)  # allowed from inside the socket callback
        loop.on_socket(easy, fd, what, socketp)

    multi.setopt(multisock.MOPT_SOCKETFUNCTION, on_socket)
    easy = make_easy(lib, nginx.url("big.bin"))
    easy.setopt(multisock.OPT_FORBID_REUSE, 1)  # the connection closes: its socket is told REMOVE
    multi.add_handle(easy)
    loop.run(1)
    assert tags, "no socket was registered"
    handed_back = [type(sp).__name__ for _fd, _what, sp in seen[1:] if sp is not None]
    removed = [what == multisock.POLL_REMOVE for _fd, what, _sp in seen]
    del seen[:], loop.socket_calls[:]
    assert handed_back and set(handed_back) == {"Tag"}
    assert any(removed)
    gc.collect()
    assert all(ref() is None for ref in tags), "an assigned object outlived its socket's REMOVE"
    multi.close()


# --------------------------------------------------------------------------- errors

@pytest.mark.parametrize("lib", BACKENDS)
def test_errors_carry_code_and_name(lib):
    multi = multisock.Multi(lib=lib)
    with pytest.raises(multisock.MultiError) as info:
        multi.setopt(99, 1)  # no such multi option
    assert info.value.code == multisock.MSM_UNKNOWN_OPTION and info.value.name == "MSM_UNKNOWN_OPTION"
    assert isinstance(info.value, multisock.Error)
    with pytest.raises(multisock.MultiError) as info:
        multi.assign(987654, "x")  # a descriptor the multi does not know
    assert info.value.name == "MSM_BAD_SOCKET" and info.value.code == 5
    easy = multisock.Easy(lib=lib)
    with pytest.raises(multisock.EasyError) as info:
        easy.setopt(9999, 1)
    assert info.value.name == "MSE_UNKNOWN_OPTION" and info.value.code == 48
    with pytest.raises(multisock.EasyError) as info:
        easy.getinfo(0x200000 + 999)
    assert info.value.code != 0
    # A stale or unknown descriptor is tolerated by socket_action (the contract): no error.
    assert multi.socket_action(987654, multisock.CSELECT_IN) == 0
    with pytest.raises(TypeError):
        multi.socket_action("3", 0)
    with pytest.raises(TypeError):
        multi.setopt(multisock.MOPT_SOCKETFUNCTION, 42)
    with pytest.raises(TypeError):
        easy.setopt(multisock.OPT_URL, 42)
    with pytest.raises(ValueError):
        multi.setopt(multisock.MOPT_SOCKETDATA, None)
    with pytest.raises(TypeError):
        multi.add_handle("not an easy")
    multi.close()
    with pytest.raises(ValueError):
        multi.socket_action(multisock.SOCKET_TIMEOUT, 0)
    easy.close()
    with pytest.raises(ValueError):
        easy.setopt(multisock.OPT_URL, "http://127.0.0.1/")


def test_backend_that_cannot_load_is_an_OSError_naming_it(tmp_path):
    with pytest.raises(OSError, match="no-such-lib"):
        multisock.Multi(lib=str(tmp_path / "no-such-lib.so"))
    with pytest.raises(OSError, match="lacks"):
        multisock.Multi(lib=LIBCURL, prefix="nothere_")


def test_easy_of_another_backend_is_refused():
    multi = multisock.Multi()
    with pytest.raises(ValueError, match="libcurl"):
        multi.add_handle(multisock.Easy(lib=LIBCURL))
    multi.close()


@pytest.mark.parametrize("lib", BACKENDS)
def test_exception_in_timer_callback_reaches_add_handle_and_the_engine_carries_on(nginx, lib):
    multi = multisock.Multi(lib=lib)
    loop = Loop(multi)
    calls = []

    def timer(ms):
        calls.append(ms)
        loop.on_timer(ms)
        if len(calls) == 1:
            raise KeyError("from the timer callback")

    multi.setopt(multisock.MOPT_TIMERFUNCTION, timer)
    easy = make_easy(lib, nginx.url("hello.txt"))
    with pytest.raises(KeyError, match="from the timer callback"):
        multi.add_handle(easy)
    assert multi.handles == [easy]  # the handle was added: only the callback failed
    loop.run(1)
    assert loop.done[easy] == multisock.MSE_OK
    assert easy.body() == b"hello\n"
    multi.close()


@pytest.mark.parametrize("lib", BACKENDS)
def test_exception_in_socket_callback_reaches_socket_action_and_the_engine_carries_on(nginx, lib):
    multi = multisock.Multi(lib=lib)
    loop = Loop(multi)
    raised = []

    def on_socket(easy, fd, what, socketp):
        loop.on_socket(easy, fd, what, socketp)  # the application's state is updated first
        if not raised:
            raised.append(fd)
            raise RuntimeError("from the socket callback")

    multi.setopt(multisock.MOPT_SOCKETFUNCTION, on_socket)
    easies = [make_easy(lib, nginx.url("hello.txt")) for _ in range(3)]
    for easy in easies:
        multi.add_handle(easy)
    with pytest.raises(RuntimeError, match="from the socket callback"):
        for _ in range(100):
            loop.step(0.2)
    assert raised
    loop.run(3)
    assert all(loop.done[e] == multisock.MSE_OK and e.body() == b"hello\n" for e in easies)
    multi.close()


@pytest.mark.parametrize("lib", BACKENDS)
def test_exception_in_write_function_fails_that_transfer_only(nginx, lib):
    multi = multisock.Multi(lib=lib)
    loop = Loop(multi)
    bad = make_easy(lib, nginx.url("big.bin"))
    good = make_easy(lib, nginx.url("big.bin"))

    def explode(data):
        raise ZeroDivisionError("from the write function")

    bad.setopt(multisock.OPT_WRITEFUNCTION, explode)
    chunks = []
    good.setopt(multisock.OPT_WRITEFUNCTION, lambda data: chunks.append(data))
    multi.add_handle(bad)
    multi.add_handle(good)
    errors = []
    end = time.monotonic() + 20
    while len(loop.done) < 2 and time.monotonic() < end:
        try:
            loop.step(0.2)
        except ZeroDivisionError as error:
            errors.append(error)
    assert len(errors) == 1
    assert loop.done[bad] == multisock.MSE_WRITE_ERROR
    assert loop.done[good] == multisock.MSE_OK
    assert b"".join(chunks) == (nginx.root / "big.bin").read_bytes()
    multi.close()


def test_call_from_a_callback_is_MSM_RECURSIVE_API_CALL(nginx):
    multi = multisock.Multi()
    loop = Loop(multi)
    inner = []

    def timer(ms):
        loop.on_timer(ms)
        try:
            multi.socket_action(multisock.SOCKET_TIMEOUT, 0)
        except multisock.MultiError as error:
            inner.append(error.name)

    multi.setopt(multisock.MOPT_TIMERFUNCTION, timer)
    easy = make_easy(None, nginx.url("hello.txt"))
    multi.add_handle(easy)
    assert inner == ["MSM_RECURSIVE_API_CALL"]
    loop.run(1)
    assert easy.body() == b"hello\n"
    multi.close()


def test_Multi_used_by_a_second_thread_during_a_call_raises(nginx):
    multi = multisock.Multi()
    loop = Loop(multi)
    outcome = []

    def other_thread():
        try:
            multi.socket_action(multisock.SOCKET_TIMEOUT, 0)
            outcome.append("called")
        except RuntimeError as error:
            outcome.append(str(error))

    def timer(ms):
        loop.on_timer(ms)
        if not outcome:
            t = threading.Thread(target=other_thread)
            t.start()
            t.join(10)  # the callback holds the GIL only while it runs: the thread gets it

    multi.setopt(multisock.MOPT_TIMERFUNCTION, timer)
    multi.add_handle(make_easy(None, nginx.url("hello.txt")))
    assert outcome == ["the Multi is in use by another thread"]
    loop.run(1)
    multi.close()


def hostile_lib():
    path = os.environ.get("MS_HOSTILE_LIB", str(REPO_ROOT / "build" / "conformance" / "libms_hostile_curl.so"))
    assert Path(path).is_file(), f"hostile library not found at {path} (env MS_HOSTILE_LIB)"
    return path


def test_gil_is_released_while_the_engine_works(monkeypatch):
    """The hostile library's socket_action spins 1-2 s in C (MS_HOSTILE=socket_action:clock):
    a Python thread must run during that call, which it cannot while the GIL is held. The
    thread notes the time every 10 ms; notes well inside the call's window prove it ran."""
    monkeypatch.setenv("MS_HOSTILE", "socket_action:clock")
    multi = multisock.Multi(lib=hostile_lib(), prefix="hostile_")
    stamps = []
    stop = threading.Event()
    started = threading.Event()

    def note():
        started.set()
        last = 0.0
        while not stop.is_set():
            now = time.monotonic()
            if now - last >= 0.01:
                stamps.append(now)
                last = now

    t = threading.Thread(target=note)
    t.start()
    started.wait(10)
    try:
        begun = time.monotonic()
        multi.socket_action(multisock.SOCKET_TIMEOUT, 0)
        ended = time.monotonic()
    finally:
        stop.set()
        t.join()
    assert ended - begun >= 0.9, "the library did not spin: the test proves nothing"
    inside = [s for s in stamps if begun + 0.2 <= s <= ended - 0.2]
    assert len(inside) >= 10, f"the thread ran {len(inside)} times in {ended - begun:.1f}s inside socket_action"
    multi.close()


def test_code_the_engine_does_not_know_is_named_MSM_unknown(monkeypatch):
    monkeypatch.setenv("MS_HOSTILE", "timeout:code")  # timeout() returns 987654
    multi = multisock.Multi(lib=hostile_lib(), prefix="hostile_")
    with pytest.raises(multisock.MultiError) as info:
        multi.timeout()
    assert info.value.code == 987654 and info.value.name == "MSM_?"
    assert multi.timeout() == -1  # once only: the library behaves again
    multi.close()


def test_no_reference_leak_over_many_handles(nginx):
    multi = multisock.Multi()
    loop = Loop(multi)
    refs = []
    for _ in range(20):
        easy = make_easy(None, nginx.url("hello.txt"))
        easy.setopt(multisock.OPT_PRIVATE, object())
        refs.append(weakref.ref(easy))
        multi.add_handle(easy)
    loop.run(20)
    del easy
    for finished in list(loop.done):
        assert finished.getinfo(multisock.INFO_PRIVATE) is not None
        multi.remove_handle(finished)
    del finished
    loop.done.clear()
    loop.socket_calls.clear()
    assert multi.handles == []
    gc.collect()
    assert all(r() is None for r in refs)
    multi.close()


# --------------------------------------------------------------------------- asyncio

def make_many(nginx, count=1000):
    folder = nginx.root / "many"
    folder.mkdir(exist_ok=True)
    paths = []
    for i in range(count):
        p = folder / f"f{i:04d}.txt"
        if not p.exists():
            p.write_bytes(f"file {i} ".encode() * (1 + i % 37) + bytes([i % 256]))
        paths.append(p)
    return paths


@pytest.mark.parametrize("lib", BACKENDS)
def test_aio_downloads_1000_files_byte_exact(nginx, lib):
    paths = make_many(nginx)
    urls = [nginx.url(f"many/{p.name}") for p in paths]

    async def main():
        async with multisock.aio.Client(lib=lib, max_total_connections=50) as client:
            responses = await asyncio.gather(*(client.get(u) for u in urls))
            return responses, client.events

    started = time.monotonic()
    responses, events = asyncio.run(main())
    assert time.monotonic() - started < 60
    assert len(responses) == 1000 and events > 0
    for response, path, url in zip(responses, paths, urls):
        assert response.status == 200, url
        assert response.body == path.read_bytes(), url
        assert response.url == url


@pytest.mark.parametrize("lib", BACKENDS)
def test_aio_failed_transfer_raises_EasyError(lib):
    from conftest import free_port

    async def main():
        async with multisock.aio.Client(lib=lib) as client:
            return await client.get(f"http://127.0.0.1:{free_port()}/nothing")

    with pytest.raises(multisock.EasyError) as info:
        asyncio.run(main())
    assert info.value.name == "MSE_COULDNT_CONNECT"


# --------------------------------------------------------------------------- multisock.sim

HANG_SCENARIO = """\
title timeout_ms {timeout} against a hanging peer, built in Python
seed 7
policy faithful

dns slow.test 127.0.0.3

peer sleeper listen 127.0.0.3:8080
  accept
  expect request
  hang

client
  add t url http://slow.test:8080/never timeout_ms {timeout}
  at 2s end

expect
  clause TM-DEADLINE TM-DELETE TM-VALUE
  done t result OPERATION_TIMEDOUT
  running 0 at end
"""


def published_trace_hash(name):
    import json
    report = json.loads((REPO_ROOT / "reports" / "published" / "engine-sim" / "report.json").read_text())
    found = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("name") == name and "trace_hash" in node:
                found.append(node["trace_hash"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(report)
    assert found, f"{name} not in the published report"
    return found[0]


def test_sim_run_gives_the_trace_and_verdict_as_objects():
    from multisock import sim
    run = sim.run(REPO_ROOT / "conformance" / "scenarios" / "timeout_on_hang.scn")
    assert run.passed and run.outcome == "pass" and run.violations == [] and run.exit_code == 0
    assert run.target == "engine-sim" and run.seed == 7
    assert run.trace_hash == published_trace_hash("timeout_on_hang")
    assert [e.index for e in run.events] == list(range(len(run.events)))
    sockets = [e for e in run.events if e.kind == "socket_cb"]
    assert sockets and all(e.action in (multisock.POLL_IN, multisock.POLL_OUT, multisock.POLL_INOUT,
                                        multisock.POLL_REMOVE) for e in sockets)
    last = {e.fd: e.action for e in sockets}
    assert set(last.values()) == {multisock.POLL_REMOVE}  # every socket is told REMOVE at the end
    assert any(e.kind == "timer_cb" and e.fields.get("value") == 500 for e in run.events)
    done = [e for e in run.events if e.kind == "info_read" and "code" in e.fields]
    assert len(done) == 1 and done[0].code == multisock.MSE_OPERATION_TIMEDOUT and done[0].t == 500_000_000


def test_sim_run_of_libcurl_reports_its_violation():
    from multisock import sim
    run = sim.run(REPO_ROOT / "conformance" / "scenarios" / "timeout_on_hang.scn", target=f"lib:{LIBCURL}")
    assert not run.passed and run.exit_code == 1
    assert "TM-DELETE" in run.clauses()
    v = [v for v in run.violations if v.clause == "TM-DELETE"][0]
    assert 0 <= v.event < len(run.events) and v.t == run.events[v.event].t and "timer" in v.message


def test_sim_run_text_of_a_scenario_built_in_python():
    from multisock import sim
    run = sim.run_text(HANG_SCENARIO.format(timeout=300))
    assert run.passed, run.violations
    done = [e for e in run.events if e.kind == "info_read" and "code" in e.fields]
    assert done[0].t == 300_000_000  # the deadline the Python text asked for, in virtual time
    again = sim.run_text(HANG_SCENARIO.format(timeout=300))
    assert again.trace_hash == run.trace_hash  # deterministic
    with pytest.raises(sim.SimError) as info:
        sim.run_text("this is not a scenario\n")
    assert info.value.code == 2

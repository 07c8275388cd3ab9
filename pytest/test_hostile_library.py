# SPDX-License-Identifier: MIT
"""The hostile-library suite: the harness against a library that misbehaves on purpose.

`libms_hostile_curl.so` (conformance/tests/hostile_curl.c, built by CMake) forwards every
call to the system libcurl except the one MS_HOSTILE=ENTRY:ACTION names, which crashes,
aborts, hangs, spins, floods, allocates without end, forks, prints, returns garbage. For each
case the test states the verdict (or exit code and message, for start-up), and bounds the
wall time and the peak memory of the whole process tree (the harness and every child).
Whatever the library does, the harness ends, reports, and leaves no process behind.
"""
import json
import os
import signal
import time
from pathlib import Path

import pytest

from conftest import REPO_ROOT, cli_path

CURL788 = Path("/usr/lib/x86_64-linux-gnu/libcurl.so.4")
ONE = "conformance/scenarios/zero_length_body.scn"
MiB = 1024  # ru_maxrss is in KiB


@pytest.fixture(scope="module")
def hostile_lib():
    path = Path(os.environ.get("MS_HOSTILE_LIB", REPO_ROOT / "build" / "conformance" / "libms_hostile_curl.so"))
    if not path.exists() or not CURL788.exists():
        pytest.skip(f"{path} is not built (needs the system libcurl)")
    return path


class Run:
    """One `multisock` process, started at once so several can run side by side."""

    def __init__(self, args, folder: Path, env=None, limit=60):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.out_path, self.err_path = folder / "stdout", folder / "stderr"
        full_env = dict(os.environ)
        full_env.update(env or {})
        self.limit = limit
        self.start = time.monotonic()
        with open(self.out_path, "wb") as out, open(self.err_path, "wb") as err:
            self.pid = os.posix_spawn(str(cli_path()), [str(cli_path()), *map(str, args)], full_env,
                                      file_actions=[(os.POSIX_SPAWN_DUP2, out.fileno(), 1),
                                                    (os.POSIX_SPAWN_DUP2, err.fileno(), 2),
                                                    (os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0)])
        self.args = args
        self.code = None

    def wait(self):
        """Waits (killing it past its limit); sets code, seconds, peak_mib of the tree."""
        while True:
            pid, status, usage = os.wait4(self.pid, os.WNOHANG)
            if pid == self.pid:
                break
            if time.monotonic() - self.start > self.limit:
                os.kill(self.pid, signal.SIGKILL)
            time.sleep(0.02)
        self.seconds = time.monotonic() - self.start
        self.code = os.waitstatus_to_exitcode(status)
        self.peak_mib = usage.ru_maxrss / MiB  # the largest of the process and its children
        self.stdout = self.out_path.read_text(errors="replace")
        self.stderr = self.err_path.read_text(errors="replace")
        return self

    def scenario(self) -> dict:
        report = json.loads((self.folder / "report" / "report.json").read_text())
        return report["scenarios"][0]

    def describe(self) -> str:
        return (f"$ multisock {' '.join(map(str, self.args))}\nexit {self.code} after {self.seconds:.1f} s, "
                f"peak {self.peak_mib:.0f} MiB\n--- stdout\n{self.stdout[-3000:]}\n--- stderr\n{self.stderr[-3000:]}")


def conform(lib, spec, folder, world="sim", env=None, limit=60, suite=ONE, more=()):
    environment = {"MS_HOSTILE": spec, "MULTISOCK_CHILD_MEMORY_MB": "512"}
    environment.update(env or {})
    return Run(["conform", "--target", f"lib:{lib}:hostile_", "--world", world, "--suite", suite,
                "--no-shrink", "--report", folder / "report", *more], folder, environment, limit)


def run_all(runs):
    return [r.wait() for r in runs]


def bounded(run, seconds, mib=900):
    assert run.seconds < seconds, run.describe()
    assert run.peak_mib < mib, run.describe()


# ---- start-up: the library's constructor, global_init and version run in children ----------

@pytest.mark.parametrize("spec,message", [
    ("load:abort", "crashed (SIGABRT) while loading"),
    ("load:segv", "crashed (SIGSEGV) while loading"),
    ("global_init:abort", "crashed (SIGABRT) while loading"),
    ("version:segv", "crashed (SIGSEGV) while loading"),
    ("load:hang", "did not finish loading within 10 s"),
    ("version:spin", "did not finish loading within 10 s"),
    ("global_init:memory", "crashed (SIGSEGV) while loading"),
])
def test_startup_failure_is_a_target_that_cannot_be_loaded(hostile_lib, tmp_path, spec, message):
    run = conform(hostile_lib, spec, tmp_path).wait()
    assert run.code == 3, run.describe()
    assert message in run.stderr, run.describe()
    bounded(run, 15)


# ---- each entry point crashes, aborts, hangs, spins ---------------------------------------

ENTRIES = ["multi_init", "easy_init", "multi_setopt", "easy_setopt", "add_handle", "socket_action",
           "info_read", "remove_handle", "multi_cleanup", "easy_cleanup"]
# the library's function for an entry of MS_HOSTILE
FUNCTION = {e: ("multi_" + e if e in ("add_handle", "remove_handle", "socket_action", "info_read") else e)
            for e in ENTRIES}


@pytest.mark.parametrize("world", ["sim", "real"])
@pytest.mark.parametrize("action,signal_name", [("segv", "SIGSEGV"), ("abort", "SIGABRT")])
def test_a_crash_in_any_entry_point_names_the_call(hostile_lib, tmp_path, world, action, signal_name):
    runs = run_all([conform(hostile_lib, f"{entry}:{action}", tmp_path / entry, world) for entry in ENTRIES])
    for entry, run in zip(ENTRIES, runs):
        assert run.code == 1, run.describe()
        scenario = run.scenario()
        assert scenario["verdict"] == "fail", run.describe()
        assert f"crashed with {signal_name} inside hostile_{FUNCTION[entry]}" in json.dumps(scenario), run.describe()
        bounded(run, 30)


@pytest.mark.parametrize("action", ["hang", "spin"])
def test_a_call_that_never_returns_is_named(hostile_lib, tmp_path, action):
    entries = ENTRIES if action == "hang" else ["add_handle", "socket_action", "info_read"]
    runs = run_all([conform(hostile_lib, f"{entry}:{action}", tmp_path / entry) for entry in entries])
    for entry, run in zip(entries, runs):
        assert run.code == 1, run.describe()
        scenario = run.scenario()
        assert scenario["verdict"] == "fail", run.describe()
        assert f"no return from hostile_{FUNCTION[entry]}" in json.dumps(scenario), run.describe()
        bounded(run, 40)


@pytest.mark.parametrize("seconds", [1, 8])
def test_a_hang_is_judged_after_the_wall_time_asked_for(hostile_lib, tmp_path, seconds):
    # --hang-after: the call that never returns is named after that much wall time, not the
    # default 5 s (a library built with sanitizers may need more; less ends a hang sooner).
    run = conform(hostile_lib, "socket_action:hang", tmp_path, more=("--hang-after", seconds)).wait()
    assert run.code == 1, run.describe()
    text = json.dumps(run.scenario())
    assert f"no return from hostile_multi_socket_action within {seconds} s" in text, run.describe()
    assert seconds <= run.seconds < seconds + 3, run.describe()


def assert_trace_up_to_the_call(hostile_lib, tmp_path, hostile, said, sim_options=()):
    """Replay of ONE with MS_HOSTILE=`hostile`, twice in the simulated world and once on real
    sockets: each prints what the run did before the call that crashed or never returned (in
    the simulated world the same each time), and ER-NO-CRASH, saying `said`, names the event
    that call's own would have been."""
    def replay(folder, *more):
        return Run(["replay", REPO_ROOT / ONE, "--target", f"lib:{hostile_lib}:hostile_", *more], folder,
                   {"MS_HOSTILE": hostile}, limit=90)
    runs = run_all([replay(tmp_path / "a", *sim_options), replay(tmp_path / "b", *sim_options),
                    replay(tmp_path / "real", "--world", "real")])
    for run in runs:
        assert run.code == 1, run.describe()
        bounded(run, 60)
        events = [line for line in run.stdout.splitlines() if line[:1].isdigit()]
        assert any('"kind":"add_handle"' in line for line in events), run.describe()
        assert f"# violation ER-NO-CRASH at event {len(events)} " in run.stdout, run.describe()
        assert said in run.stdout, run.describe()
    assert runs[0].stdout == runs[1].stdout, runs[1].describe()


def test_a_hang_shows_the_trace_up_to_the_call(hostile_lib, tmp_path):
    # The stopped child's last words.
    assert_trace_up_to_the_call(hostile_lib, tmp_path, "socket_action:hang",
                                "no return from hostile_multi_socket_action", ("--hang-after", "1"))


@pytest.mark.parametrize("action,signal_name", [("segv", "SIGSEGV"), ("abort", "SIGABRT")])
def test_a_crash_shows_the_trace_up_to_the_call(hostile_lib, tmp_path, action, signal_name):
    # The crashed child's signal handler gives them, and the child still dies by that signal.
    assert_trace_up_to_the_call(hostile_lib, tmp_path, f"socket_action:{action}",
                                f"observed {signal_name} inside hostile_multi_socket_action")


# ---- floods, garbage, memory, processes, output -------------------------------------------

def test_a_callback_flood_is_stopped_and_judged(hostile_lib, tmp_path):
    run = conform(hostile_lib, "socket_action:flood", tmp_path).wait()
    assert run.code == 1, run.describe()
    scenario = run.scenario()
    text = json.dumps(scenario)
    assert scenario["verdict"] == "fail", run.describe()
    assert "more than 2000000 events in one run, the last inside hostile_multi_socket_action" in text, run.describe()
    assert scenario["signal"] == "" and "hang" in scenario["detail"], run.describe()
    bounded(run, 60)


def test_an_info_read_that_never_ends_is_read_a_bounded_number_of_times(hostile_lib, tmp_path):
    run = conform(hostile_lib, "info_read:flood", tmp_path).wait()
    assert run.code == 1, run.describe()
    scenario = run.scenario()
    assert scenario["verdict"] == "fail", run.describe()
    replay = Run(["replay", ONE, "--target", f"lib:{hostile_lib}:hostile_"], tmp_path / "replay",
                 {"MS_HOSTILE": "info_read:flood"}).wait()
    assert "messages in a row without NULL" in replay.stdout, replay.describe()
    assert "IR-ONCE" in replay.stdout, replay.describe()
    bounded(run, 20)


@pytest.mark.parametrize("spec,text", [
    ("info_read:garbage", "expected a DONE message with a result code, observed message kind 1 with result 12345"),
    ("socket_action:code", "MSM_?(987654)"),
    ("add_handle:code", "987654"),
])
def test_garbage_codes_are_contract_violations(hostile_lib, tmp_path, spec, text):
    run = conform(hostile_lib, spec, tmp_path).wait()
    assert run.code == 1, run.describe()
    scenario = run.scenario()
    assert scenario["verdict"] == "fail", run.describe()
    assert "ER-CODES" in json.dumps(scenario) and text in json.dumps(scenario), run.describe()
    bounded(run, 20)


@pytest.mark.parametrize("world", ["sim", "real"])
def test_unbounded_memory_ends_at_the_child_limit(hostile_lib, tmp_path, world):
    run = conform(hostile_lib, "socket_action:memory", tmp_path, world,
                  env={"MULTISOCK_CHILD_MEMORY_MB": "256"}).wait()
    assert run.code == 1, run.describe()
    scenario = run.scenario()
    assert scenario["verdict"] == "fail", run.describe()
    assert "inside hostile_multi_socket_action" in json.dumps(scenario), run.describe()
    bounded(run, 30, mib=400)


def test_cpu_time_is_limited(hostile_lib, tmp_path):
    run = conform(hostile_lib, "socket_action:spin", tmp_path, "real",
                  env={"MULTISOCK_CHILD_CPU_SECONDS": "1"}).wait()
    assert run.code == 1, run.describe()
    assert "crashed with SIGXCPU inside hostile_multi_socket_action" in json.dumps(run.scenario()), run.describe()
    bounded(run, 15)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/stat").read_text().split()[2] if Path(f"/proc/{pid}/stat").exists() else "X"
    return status not in ("Z", "X")


@pytest.mark.parametrize("spec,world", [("socket_action:fork", "sim"), ("socket_action:fork", "real"),
                                        ("load:fork", "sim"), ("socket_action:escape", "sim"),
                                        ("socket_action:escape", "real"), ("load:escape", "sim"),
                                        ("load:escape", "real")])
def test_processes_a_library_starts_end_with_its_run(hostile_lib, tmp_path, spec, world):
    pids = tmp_path / "pids"
    run = conform(hostile_lib, spec, tmp_path, world, env={"MS_HOSTILE_PIDFILE": str(pids)}).wait()
    assert run.scenario()["verdict"] != "hang" and "no return" not in json.dumps(run.scenario()), run.describe()
    started = [int(p) for p in pids.read_text().split()]
    assert started, run.describe()
    assert not [p for p in started if alive(p)], run.describe()
    bounded(run, 15)


@pytest.mark.parametrize("spec", ["load:print", "socket_action:print"])
def test_what_a_library_prints_stays_out_of_standard_output(hostile_lib, tmp_path, spec):
    run = conform(hostile_lib, spec, tmp_path).wait()
    assert "HOSTILE-STDOUT" not in run.stdout, run.describe()
    assert "HOSTILE-STDOUT" in run.stderr, run.describe()
    # replay's standard output is the trace, "INDEX {json}" a line: nothing else gets in
    replay = Run(["replay", ONE, "--target", f"lib:{hostile_lib}:hostile_"], tmp_path / "replay",
                 {"MS_HOSTILE": spec}).wait()
    assert replay.code in (0, 1), replay.describe()
    for line in replay.stdout.splitlines():
        if line and not line.startswith("#"):
            index, event = line.split(" ", 1)
            assert index.isdigit(), replay.describe()
            json.loads(event)
    assert "HOSTILE-STDOUT" in replay.stderr, replay.describe()


# ---- what the simulated world does not model, or waits for ever on ------------------------

@pytest.mark.parametrize("action,verdict,text", [
    ("unix", "error", "library called socket() of address family 1 (not modelled by the virtual world)"),
    ("forever", "error", "waits for ever in virtual time"),
    ("thread", "error", "neither ended nor waited"),
    ("clock", None, ""),
])
def test_the_simulated_world_reports_what_it_cannot_serve(hostile_lib, tmp_path, action, verdict, text):
    run = conform(hostile_lib, f"socket_action:{action}", tmp_path).wait()
    scenario = run.scenario()
    bounded(run, 30)
    if verdict is None:  # a busy wait on the clock ends: virtual time passes while it spins
        assert scenario["verdict"] in ("pass", "warn", "fail"), run.describe()
        assert "no return" not in json.dumps(scenario), run.describe()
        return
    assert scenario["verdict"] == verdict, run.describe()
    assert text in json.dumps(scenario), run.describe()


def test_the_library_with_no_misbehaviour_passes(hostile_lib, tmp_path):
    """The control: the wrapper itself is faithful, so every verdict above is the misbehaviour's."""
    run = conform(hostile_lib, "", tmp_path).wait()
    assert run.code == 0, run.describe()
    assert run.scenario()["verdict"] in ("pass", "warn"), run.describe()

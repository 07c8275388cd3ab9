# SPDX-License-Identifier: MIT
"""multisock.sim: scenarios on the simulated network (simnet) from Python.

    from multisock import sim
    run = sim.run("conformance/scenarios/timeout_on_hang.scn")          # the engine on simnet
    run = sim.run(path, target="lib:/usr/lib/x86_64-linux-gnu/libcurl.so.4", seed=3)
    run = sim.run_text(scenario_text)                                  # a scenario built in Python
    run.outcome, run.passed, run.trace_hash, run.violations, run.events
    [e for e in run.events if e.kind == "socket_cb"]                   # e.fd, e.action, e.t (ns)

A run is the `multisock` CLI's `replay` in a child process (so a library that crashes cannot
take Python with it): its trace (one JSON object per event), the contract violations the
checker found and the run's verdict, as Python objects. The CLI is found from env
MULTISOCK_CLI, then the build folder this package was built in, then PATH.
"""

import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

try:
    from ._paths import BUILD_CLI
except ImportError:  # an installed package: the CLI is on PATH
    BUILD_CLI = ""


class SimError(Exception):
    """The run could not be made (no CLI, a scenario-file error, a harness error): .code is the
    CLI's exit code, .stderr what it said."""

    def __init__(self, message, code=None, stderr=""):
        super().__init__(message)
        self.code = code
        self.stderr = stderr


@dataclass
class Event:
    index: int
    kind: str           # "socket_cb", "timer_cb", "socket_action", "info_read", "note", ...
    t: int              # virtual time, ns
    fields: dict        # the event's JSON object

    def __getattr__(self, name):  # e.fd, e.action, e.running, e.easy, e.value, ...
        try:
            return self.__dict__["fields"][name]
        except KeyError:
            raise AttributeError(name) from None


@dataclass
class Violation:
    clause: str         # "TM-DELETE"
    event: int          # index of the event where it was seen
    t: int              # ns
    message: str
    known: str = ""     # the known-deviation note, when --known covered it


@dataclass
class Run:
    outcome: str        # pass, fail, warn, known, skipped, error, flaky, nondeterministic
    message: str
    trace_hash: str
    seed: int
    target: str
    events: list = field(default_factory=list)
    violations: list = field(default_factory=list)
    exit_code: int = 0

    @property
    def passed(self):
        return self.outcome == "pass"

    def clauses(self):
        return sorted({v.clause for v in self.violations})


def cli_path():
    for candidate in (os.environ.get("MULTISOCK_CLI"), BUILD_CLI, shutil.which("multisock")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise SimError("the multisock CLI was not found (set MULTISOCK_CLI)")


_VIOLATION = re.compile(r"^# violation (\S+) at event (\d+) \(t=(-?\d+) ns\): (.*?)(?:  \[known: (.*)\])?$")
_OUTCOME = re.compile(r"^# outcome (\S+?)(?:: (.*?))?  trace (\S*)$")
_HEADER = re.compile(r"^# seed (\d+) target (\S+) scenario ")


def parse(text, exit_code=0):
    """Builds a Run from the lines `multisock replay` printed."""
    run = Run(outcome="", message="", trace_hash="", seed=0, target="", exit_code=exit_code)
    for line in text.splitlines():
        if m := _HEADER.match(line):
            run.seed, run.target = int(m.group(1)), m.group(2)
        elif m := _VIOLATION.match(line):
            run.violations.append(Violation(m.group(1), int(m.group(2)), int(m.group(3)), m.group(4),
                                            m.group(5) or ""))
        elif m := _OUTCOME.match(line):
            run.outcome, run.message, run.trace_hash = m.group(1), m.group(2) or "", m.group(3)
        elif line and line[0].isdigit():
            index, _, payload = line.partition(" ")
            obj = json.loads(payload)
            run.events.append(Event(int(index), obj.get("kind", ""), int(obj.get("t", 0)), obj))
    if not run.outcome:
        raise SimError("the run printed no outcome", exit_code, text[-2000:])
    return run


def run(scenario, target="engine-sim", seed=None, world=None, edition=None, known=None, policy=None,
        timeout=300):
    """Runs one scenario file; returns its Run. A contract violation is a Run with violations
    (not an exception); SimError when the run could not be made."""
    argv = [cli_path(), "replay", str(scenario), "--target", target]
    for flag, value in (("--seed", seed), ("--world", world), ("--edition", edition), ("--known", known),
                        ("--policy", policy)):
        if value is not None:
            argv += [flag, str(value)]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    if proc.returncode in (2, 3) and "# outcome" not in proc.stdout:
        raise SimError(proc.stderr.strip() or f"multisock replay exited {proc.returncode}", proc.returncode,
                       proc.stderr)
    return parse(proc.stdout, proc.returncode)


def run_text(text, **options):
    """Runs a scenario given as text (the .scn format, conformance/SCENARIOS.md)."""
    with tempfile.TemporaryDirectory(prefix="multisock-sim-") as folder:
        path = Path(folder) / "scenario.scn"
        path.write_text(text)
        return run(path, **options)

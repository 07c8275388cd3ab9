# SPDX-License-Identifier: MIT
"""multisock.sim: the simulated network (simnet) from Python.

A world to run your own loop in (the engine over simnet's ports, in virtual time):

    w = sim.World("conformance/scenarios/keepalive_reuse_two_handles.scn", seed=3)   # or text=...
    m = multisock.Multi(world=w)              # callbacks as usual; Easy() handles as usual
    ready = w.poll({fd: multisock.POLL_IN}, timeout_ms)   # {fd: CSELECT_* mask}, virtual time
    w.now_ms, w.advance(ms), w.inject_error(fd, "reset"), w.open_descriptors

The world is the one the scenario's `world`, `dns` and `peer` lines describe (its client and
expect blocks are not used: your program is the client). The same scenario and seed give the
same callbacks in the same order.

Scenarios and suites run by the harness:

    from multisock import sim
    run = sim.run("conformance/scenarios/timeout_on_hang.scn")          # the engine on simnet
    run = sim.run(path, target="lib:/usr/lib/x86_64-linux-gnu/libcurl.so.4", seed=3)
    run = sim.run_text(scenario_text)                                  # a scenario built in Python
    run.outcome, run.passed, run.trace_hash, run.violations, run.events
    [e for e in run.events if e.kind == "socket_cb"]                   # e.fd, e.action, e.t (ns)
    report = sim.run_suite("conformance/scenarios")                   # a folder, a file, a list of
    report = sim.run_suite([a, b], target="lib:...", seed=5)           # files, or "scripted"
    report.verdict, report.exit_code, report.summary, report.scenario("timeout_on_hang").verdict
    [(v.scenario, v.clause, v.event) for v in report.violations]

A run is the `multisock` CLI's `replay` in a child process (so a library that crashes cannot
take Python with it): its trace (one JSON object per event), the contract violations the
checker found and the run's verdict, as Python objects. A suite is `multisock conform` in a
child process; its Report is read from the report.json it writes (reports/README.md). The
CLI is found from env MULTISOCK_CLI, then the build folder this package was built in, then
PATH.
"""

import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from . import _multisock

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


def World(path=None, *, text=None, seed=None):
    """The simulated world of a scenario file (or its text): a multisock.World. seed replaces
    the scenario's own seed line. ValueError names the scenario's error."""
    if (path is None) == (text is None):
        raise TypeError("World: give a scenario file or text= (one of them)")
    name = "<text>"
    if path is not None:
        name = str(path)
        text = Path(path).read_text()
    return _multisock.World(text, name, seed)


# --------------------------------------------------------------------------- suites

@dataclass
class SuiteViolation:
    scenario: str       # the scenario's name
    clause: str         # "TM-DELETE"
    severity: str       # MUST, SHOULD, EXPECT, ...
    event: int          # index of the event where it was seen
    t: int              # ns
    seed: int
    message: str
    known: str          # the known-deviation note, when --known covered it
    repro: str          # the command that replays it


@dataclass
class ScenarioResult:
    name: str
    file: str
    verdict: str        # pass, fail, warn, known, skipped, error, flaky, nondeterministic
    seed: int
    message: str
    trace_hash: str
    clauses: list       # the clause ids it exercised
    events: int
    virtual_ns: int
    repro: str
    violations: list = field(default_factory=list)

    @property
    def passed(self):
        return self.verdict == "pass"


@dataclass
class Report:
    """A report.json of `multisock conform`, as objects (the whole JSON in .data)."""
    verdict: str
    exit_code: int
    target: str         # "engine-sim", "libcurl.so.4", ...
    edition: str        # "8", "7.88", ...
    summary: dict       # {"scenarios": {"pass": n, ...}, "clauses": {...}, "exit_code": n}
    scenarios: list     # ScenarioResult, in the report's order
    clauses: dict       # clause id -> its verdict over the suite
    violations: list    # SuiteViolation
    path: str
    data: dict

    @property
    def passed(self):
        return self.exit_code == 0

    def scenario(self, name, seed=None):
        """The result of the scenario called name (and seed, when it ran with several)."""
        for s in self.scenarios:
            if s.name == name and (seed is None or s.seed == seed):
                return s
        raise KeyError(name)


def read_report(path):
    """Reads a report.json the CLI wrote (a file, or the folder holding it)."""
    path = Path(path)
    if path.is_dir():
        path = path / "report.json"
    data = json.loads(path.read_text())
    if not str(data.get("schema", "")).startswith("multisock-report/"):
        raise SimError(f"{path}: not a multisock report (schema {data.get('schema')!r})")
    violations = [SuiteViolation(v.get("scenario", ""), v.get("clause", ""), v.get("severity", ""),
                                 int(v.get("event_index", 0)), int(v.get("time_ns", 0)), int(v.get("seed", 0)),
                                 v.get("message", ""), v.get("known", ""), v.get("repro", ""))
                  for v in data.get("violations") or []]
    scenarios = []
    for s in data.get("scenarios") or []:
        result = ScenarioResult(s.get("name", ""), s.get("file", ""), s.get("verdict", ""), int(s.get("seed", 0)),
                                s.get("message", ""), s.get("trace_hash", ""), list(s.get("clauses") or []),
                                int(s.get("events", 0)), int(s.get("virtual_ns", 0)), s.get("repro", ""))
        result.violations = [v for v in violations if v.scenario == result.name and v.seed == result.seed]
        scenarios.append(result)
    summary = data.get("summary") or {}
    return Report(verdict=data.get("verdict", ""), exit_code=int(summary.get("exit_code", 0)),
                  target=(data.get("target") or {}).get("name", ""), edition=(data.get("edition") or {}).get("id", ""),
                  summary=summary, scenarios=scenarios,
                  clauses={c["id"]: c.get("verdict", "") for c in data.get("clauses") or []},
                  violations=violations, path=str(path), data=data)


def run_suite(suite="scripted", target="engine-sim", *, seed=None, runs=None, world=None, edition=None, known=None,
              policy=None, strict=False, shrink=False, report_dir=None, timeout=900):
    """Runs a suite with `multisock conform` and returns its Report (read from the report.json
    it wrote). suite: a scenario file or folder, a list of scenario files, or a suite name
    (scripted, canary). Violations are in the Report (not an exception); SimError when no report
    was written (a usage, scenario-file or harness error). report_dir keeps the report files
    (report.json, junit.xml, report.html, and failing runs in failures/); without it they go to a
    temporary folder."""
    with tempfile.TemporaryDirectory(prefix="multisock-suite-") as scratch:
        if isinstance(suite, (list, tuple)):
            folder = Path(scratch) / "scenarios"
            folder.mkdir()
            for file in suite:
                file = Path(file)
                if (folder / file.name).exists():
                    raise SimError(f"two scenario files are called {file.name}")
                shutil.copyfile(file, folder / file.name)
            suite = folder
        out = Path(report_dir) if report_dir is not None else Path(scratch) / "report"
        argv = [cli_path(), "conform", "--target", target, "--suite", str(suite), "--report", str(out),
                "--failures", str(out / "failures")]
        for flag, value in (("--seed", seed), ("--runs", runs), ("--world", world), ("--edition", edition),
                            ("--known", known), ("--policy", policy)):
            if value is not None:
                argv += [flag, str(value)]
        if strict:
            argv.append("--strict")
        if not shrink:
            argv.append("--no-shrink")
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
        if not (out / "report.json").is_file():
            raise SimError(proc.stderr.strip() or f"multisock conform exited {proc.returncode}", proc.returncode,
                           proc.stderr)
        report = read_report(out)
        if report.exit_code != proc.returncode:
            raise SimError(f"the report says exit code {report.exit_code}, the CLI exited {proc.returncode}",
                           proc.returncode, proc.stderr)
        return report

# SPDX-License-Identifier: MIT
"""The shipped JSON Schema of the report (reports/schema/multisock-report-2.schema.json),
checked by Debian's python3-jsonschema against reports the CLI has just written: a passing
run, a failing run (the canary suite, with violations, trace excerpts and timelines), and
damaged copies of them, each of which the schema must reject."""

import copy
import json
from pathlib import Path

import pytest

from conftest import REPO_ROOT, describe

jsonschema = pytest.importorskip("jsonschema")  # python3-jsonschema (.ci/setup installs it)

SCHEMA_PATH = REPO_ROOT / "reports" / "schema" / "multisock-report-2.schema.json"


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(SCHEMA_PATH.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def written_report(cli, tmp_path: Path, suite: str, expected_exit: int) -> dict:
    out = tmp_path / suite
    proc = cli.run("conform", "--target", "engine-sim", "--suite", suite, "--report", out)
    assert proc.returncode == expected_exit, describe(proc)
    return json.loads((out / "report.json").read_text())


@pytest.fixture(scope="module")
def passing_report(cli, tmp_path_factory):
    return written_report(cli, tmp_path_factory.mktemp("schema"), "scripted", 0)


@pytest.fixture(scope="module")
def failing_report(cli, tmp_path_factory):
    return written_report(cli, tmp_path_factory.mktemp("schema"), "canary", 1)


def problems(validator, report) -> list:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(report)]


def test_ReportSchema_AcceptsPassingRun(validator, passing_report):
    assert passing_report["verdict"] == "pass"
    assert len(passing_report["scenarios"]) > 20
    assert problems(validator, passing_report) == []


def test_ReportSchema_AcceptsFailingRun(validator, failing_report):
    assert failing_report["verdict"] == "fail"
    assert failing_report["violations"], "the canary run has no violations to check"
    assert any(v["trace_excerpt"] for v in failing_report["violations"])
    assert any(v["timeline"] for v in failing_report["violations"])
    assert problems(validator, failing_report) == []


def _set(path, value):
    def damage(r):
        node = r
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return damage


def _delete(path):
    def damage(r):
        node = r
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]
    return damage


# (label, damage): every one breaks a rule the schema states.
DAMAGE = [
    ("schema version", _set(["schema"], "multisock-report/1")),
    ("verdict word", _set(["verdict"], "passed")),
    ("summary missing", _delete(["summary"])),
    ("count as text", _set(["summary", "scenarios", "pass"], "3")),
    ("negative count", _set(["clauses", 0, "exercised"], -1)),
    ("count past 2^53", _set(["clauses", 0, "violations"], 2**53)),
    ("seed past 2^64", _set(["scenarios", 0, "seed"], 2**64)),
    ("severity word", _set(["clauses", 0, "severity"], "MAY")),
    ("target kind", _set(["target", "kind"], "library")),
    ("timestamp shape", _set(["generated_at"], "yesterday")),
    ("scenario without file", _delete(["scenarios", 0, "file"])),
    ("event time as text", _set(["violations", 0, "trace_excerpt", 0, "t"], "12 ms")),
    ("violation clause as number", _set(["violations", 0, "clause"], 7)),
    ("known as a list", _set(["known"], [])),
]


@pytest.mark.parametrize("label,damage", DAMAGE, ids=[d[0] for d in DAMAGE])
def test_ReportSchema_RejectsDamagedCopy(validator, failing_report, label, damage):
    broken = copy.deepcopy(failing_report)
    damage(broken)
    assert broken != failing_report
    assert problems(validator, broken), f"the schema accepted a report with a broken {label}"



def test_ReportSchema_AcceptsFoldedSweep(validator, cli, tmp_path):
    """A property sweep past 1,000 passing groups writes `folded`; the schema knows it and
    refuses a digest that is not 16 hexadecimal digits."""
    out = tmp_path / "sweep"
    proc = cli.run("conform", "--target", "engine-sim", "--suite", "property", "--runs", "1100", "--seed", "3",
                   "--failures", tmp_path / "f", "--report", out)
    assert proc.returncode == 0, describe(proc)
    report = json.loads((out / "report.json").read_text())
    assert report["folded"]["scenarios"] == 100
    assert problems(validator, report) == []
    broken = copy.deepcopy(report)
    broken["folded"]["trace_digest"] = "not hex"
    assert problems(validator, broken) != []

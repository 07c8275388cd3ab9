# SPDX-License-Identifier: MIT
"""A scenario that does not apply to a target (world faults that exist only on simnet, run
on real sockets) is reported as skipped, with its reason, in the console, the JSON report,
JUnit and HTML; it is never a pass nor a failure, and it leaves the exit code at 0."""

import copy
import json
import re
import xml.etree.ElementTree as ET

import pytest

from conftest import REPO_ROOT, describe, load_json

SCENARIOS = REPO_ROOT / "conformance" / "scenarios"
# Scenarios whose world injects a fault that real sockets cannot: (file stem, fault name).
FAULTY = [("socket_error_fault", "socket_error"), ("connect_timeout_on_drop", "connect_drop")]


def run_one(cli, out, stem, target):
    path = SCENARIOS / f"{stem}.scn"
    return cli.run("conform", "--target", target, "--suite", path.relative_to(REPO_ROOT), "--report", out,
                   timeout=300)


@pytest.mark.parametrize("stem,fault", FAULTY)
def test_skipped_EngineRealWorldFaultIsSkippedEverywhere(cli, tmp_path, stem, fault):
    text = (SCENARIOS / f"{stem}.scn").read_text()
    assert re.search(rf"^\s*world\b.*\b{fault}\b", text, re.M), f"{stem}.scn no longer injects {fault}"
    out = tmp_path / "out"
    proc = run_one(cli, out, stem, "engine-real")
    assert proc.returncode == 0, describe(proc)
    assert proc.stdout.splitlines()[-1].startswith("verdict: skipped (exit 0); scenarios: 1 skipped of 1;"), describe(proc)
    assert re.search(rf"^skipped +{stem} \(seed \d+\): .*{fault}", proc.stdout, re.M), describe(proc)
    assert "skipped: skipped:" not in proc.stdout

    report = load_json(out / "report.json")
    (s,) = report["scenarios"]
    assert s["verdict"] == "skipped", s
    assert s["message"].startswith("skipped: ") and fault in s["detail"] and not s["detail"].startswith("skipped"), s
    assert s["clauses"] == [] and s["events"] == 0, s
    assert not report["violations"]
    summary = report["summary"]
    assert (summary["scenarios"]["total"], summary["scenarios"]["fail"], summary["scenarios"]["skipped"]) == (1, 0, 1)
    assert summary["exit_code"] == 0 and report["verdict"] == "skipped"
    assert all(c["exercised"] == 0 for c in report["clauses"]), "a skipped scenario exercised a clause"

    suite = ET.parse(out / "junit.xml").getroot().find("testsuite")
    cases = [c for c in suite.findall("testcase") if c.get("name") == f'{stem} [seed {s["seed"]}]']
    assert len(cases) == 1, [c.attrib for c in cases]
    skipped = cases[0].find("skipped")
    assert skipped is not None and skipped.get("message") == "skipped: " + s["detail"]
    assert cases[0].find("failure") is None and cases[0].find("error") is None
    assert (suite.get("tests"), suite.get("skipped"), suite.get("failures"), suite.get("errors")) == ("1", "1", "0", "0")

    html = (out / "report.html").read_text()
    row = re.search(r'<tr class="scenario" data-verdict="([a-z]+)">.*?</tr>', html)
    assert row and row.group(1) == "skipped", "no skipped scenario row in the page"
    assert 'class="st badge st-skipped" data-verdict="skipped">skipped: ' in row.group(0) and fault in row.group(0), row.group(0)
    assert 'st-pass' not in row.group(0)
    assert '<div class="banner st-skipped" data-verdict="skipped" data-exit-code="0"' in html
    assert 'data-verdict="skipped" data-count="1">skipped 1</span>' in html

    matrix = cli.run("report", "matrix", out / "report.json")
    assert matrix.returncode == 0, describe(matrix)
    assert "; 1 scenarios: 1 skipped" in matrix.stdout, matrix.stdout


def test_skipped_SameScenarioRunsOnSimnet(cli, tmp_path):
    """Skipping is about the target: over simnet the fault scenario runs and passes."""
    stem = FAULTY[0][0]
    proc = run_one(cli, tmp_path / "out", stem, "engine-sim")
    assert proc.returncode == 0, describe(proc)
    report = load_json(tmp_path / "out" / "report.json")
    (s,) = report["scenarios"]
    assert s["verdict"] == "pass" and s["clauses"], s
    assert report["summary"]["scenarios"]["skipped"] == 0
    assert "verdict: pass (exit 0); scenarios: 1 pass of 1;" in proc.stdout \
        and not re.search(rf"^skipped +{stem} ", proc.stdout, re.M), describe(proc)


def test_skipped_DiffCallsNewlySkippedAChangeNotARegression(cli, tmp_path):
    stem = FAULTY[0][0]
    proc = run_one(cli, tmp_path / "out", stem, "engine-real")
    assert proc.returncode == 0, describe(proc)
    new = tmp_path / "out" / "report.json"
    # The same scenario as a run that happened and passed.
    old_report = copy.deepcopy(load_json(new))
    old_report["scenarios"][0]["verdict"] = "pass"
    old_report["scenarios"][0]["detail"] = ""
    old_report["summary"]["scenarios"]["skipped"] = 0
    old_report["summary"]["scenarios"]["pass"] = 1
    old_report["verdict"] = "pass"
    old = tmp_path / "old.json"
    old.write_text(json.dumps(old_report, indent=2))
    for a, b, change in ((old, new, "pass -> skipped"), (new, old, "skipped -> pass")):
        d = cli.run("report", "diff", a, b)
        assert d.returncode == 0, "a change of skipped was called a regression: " + describe(d)
        assert re.search(rf"^scenario {stem} \(seed \d+\): {change}$", d.stdout, re.M), describe(d)
        assert "not regressed" in d.stdout
    # A report that says skipped but counts it nowhere is refused with a clear message.
    broken = copy.deepcopy(load_json(new))
    del broken["summary"]["scenarios"]["skipped"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(broken))
    proc = cli.run("report", "matrix", bad)
    assert proc.returncode == 2 and "/summary/scenarios/skipped: missing" in proc.stderr, describe(proc)

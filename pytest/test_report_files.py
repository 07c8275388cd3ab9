# SPDX-License-Identifier: MIT
"""The report library's files as other tools read them: hand-made reports rendered by
ms_reports_render, parsed with Python's own JSON and XML parsers."""

import json
import xml.etree.ElementTree as ET

from conftest import describe, load_json

def test_sample_JunitParsesAndCountsMatchJson(render, tmp_path):
    proc = render.run("sample", tmp_path, "--hostile")
    assert proc.returncode == 0, describe(proc)
    report = load_json(tmp_path / "report.json")
    root = ET.parse(tmp_path / "junit.xml").getroot()
    suite = root.find("testsuite")
    cases = suite.findall("testcase")
    assert len(cases) == int(suite.get("tests")) == len(report["scenarios"])  # one per scenario
    names = {c.get("name") for c in cases}
    assert names == {f'{s["name"]} [seed {s["seed"]}]' for s in report["scenarios"]}
    assert "<script>alert('x')</script> [seed 42]" in names  # escaped in the file, intact once parsed
    assert {c.get("classname") for c in cases} == {report["target"]["name"]}
    failing = {f'{s["name"]} [seed {s["seed"]}]' for s in report["scenarios"] if s["verdict"] in ("fail", "flaky")}
    got = {c.get("name") for c in cases if c.find("failure") is not None}
    assert got == failing and int(suite.get("failures")) == len(failing)
    props = {p.get("name"): p.get("value") for p in suite.find("properties")}
    assert props["target"] == report["target"]["name"]
    assert props["exit_code"] == str(report["summary"]["exit_code"])


def test_sample_JsonIsCanonical(render, tmp_path):
    proc = render.run("sample", tmp_path)
    assert proc.returncode == 0, describe(proc)
    text = (tmp_path / "report.json").read_text()
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_validate_RejectsBrokenReportWithClearMessage(render, tmp_path):
    render.run("sample", tmp_path, check_code=0)
    report = load_json(tmp_path / "report.json")
    report["clauses"][0]["verdict"] = "passed"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(report))
    proc = render.run("validate", bad)
    assert proc.returncode == 2, describe(proc)
    assert "bad.json" in proc.stderr and "/clauses/0/verdict" in proc.stderr, describe(proc)
    assert render.run("validate", tmp_path / "report.json").returncode == 0


def test_sample_SkippedScenarioIsNeitherPassNorFail(render, tmp_path):
    """A skipped scenario, as Python's parsers read the files: its own outcome and count in
    JSON, one <skipped message="why"/> testcase in JUnit, and no failure anywhere."""
    proc = render.run("sample", tmp_path, "--skipped")
    assert proc.returncode == 0, describe(proc)
    report = load_json(tmp_path / "report.json")
    skipped = [s for s in report["scenarios"] if s["verdict"] == "skipped"]
    assert len(skipped) == 1 and skipped[0]["detail"] and skipped[0]["message"].startswith("skipped: "), report["scenarios"]
    summary = report["summary"]
    assert summary["scenarios"]["skipped"] == 1
    assert summary["scenarios"]["fail"] == sum(1 for s in report["scenarios"] if s["verdict"] == "fail")
    suite = ET.parse(tmp_path / "junit.xml").getroot().find("testsuite")
    name = f'{skipped[0]["name"]} [seed {skipped[0]["seed"]}]'
    cases = [c for c in suite.findall("testcase") if c.get("name") == name]
    assert len(cases) == 1
    assert cases[0].find("skipped").get("message") == "skipped: " + skipped[0]["detail"]
    assert int(suite.get("tests")) == len(report["scenarios"])
    all_skipped = [c for c in suite.findall("testcase") if c.find("skipped") is not None]
    assert int(suite.get("skipped")) == len(all_skipped)
    assert render.run("validate", tmp_path / "report.json").returncode == 0

"""The report library's files as other tools read them: hand-made reports rendered by
ms_reports_render, parsed with Python's own JSON and XML parsers."""

import json
import xml.etree.ElementTree as ET

from conftest import describe, load_json

GROUPS = ["SA", "SC", "TM", "IR", "AS", "ER", "DP", "LG", "DT", "PA"]


def test_sample_JunitParsesAndCountsMatchJson(render, tmp_path):
    proc = render.run("sample", tmp_path, "--hostile")
    assert proc.returncode == 0, describe(proc)
    report = load_json(tmp_path / "report.json")
    root = ET.parse(tmp_path / "junit.xml").getroot()
    suite = root.find("testsuite")
    cases = suite.findall("testcase")
    assert len(cases) == int(suite.get("tests")) == len(report["scenarios"]) * len(GROUPS)
    names = {c.get("classname") for c in cases}
    assert names == {s["name"] for s in report["scenarios"]}
    assert "<script>alert('x')</script>" in names  # escaped in the file, intact once parsed
    status = {c["id"]: c["status"] for c in report["clauses"]}
    failing = {(v["scenario"], v["clause"][:2]) for v in report["violations"] if status[v["clause"]] == "fail"}
    got = {(c.get("classname"), c.get("name")) for c in cases if c.find("failure") is not None}
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
    report["clauses"][0]["status"] = "passed"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(report))
    proc = render.run("validate", bad)
    assert proc.returncode == 2, describe(proc)
    assert "bad.json" in proc.stderr and "/clauses/0/status" in proc.stderr, describe(proc)
    assert render.run("validate", tmp_path / "report.json").returncode == 0


def test_sample_SkippedScenarioIsNeitherPassNorFail(render, tmp_path):
    """A skipped scenario, as Python's parsers read the files: its own outcome and count in
    JSON, one <skipped message="why"/> testcase in JUnit, and no failure anywhere."""
    proc = render.run("sample", tmp_path, "--skipped")
    assert proc.returncode == 0, describe(proc)
    report = load_json(tmp_path / "report.json")
    skipped = [s for s in report["scenarios"] if s["outcome"] == "skipped"]
    assert len(skipped) == 1 and skipped[0]["message"].startswith("skipped: "), report["scenarios"]
    summary = report["summary"]
    assert summary["scenarios_skipped"] == 1
    assert summary["scenarios_failed"] == sum(1 for s in report["scenarios"] if s["outcome"] not in ("pass", "skipped"))
    suite = ET.parse(tmp_path / "junit.xml").getroot().find("testsuite")
    cases = [c for c in suite.findall("testcase") if c.get("classname") == skipped[0]["name"]]
    assert [c.get("name") for c in cases] == ["outcome"]
    assert cases[0].find("skipped").get("message") == skipped[0]["message"]
    ran = len(report["scenarios"]) - 1
    assert int(suite.get("tests")) == ran * len(GROUPS) + 1
    all_skipped = [c for c in suite.findall("testcase") if c.find("skipped") is not None]
    assert int(suite.get("skipped")) == len(all_skipped)
    assert render.run("validate", tmp_path / "report.json").returncode == 0

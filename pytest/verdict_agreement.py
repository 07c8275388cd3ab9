# SPDX-License-Identifier: MIT
"""Checks that every output of one conform run tells the same verdicts.

check_report_dir(DIR) reads DIR/report.json, DIR/junit.xml and DIR/report.html (and, when
given, the console text and exit code of the run) and asserts they agree: the run's verdict,
the counts per verdict word, each scenario's verdict and the exit code. It takes any report
folder, so it applies to published reports as well as to a run a test just made.
"""
import html as htmllib
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import json

REPO_ROOT = Path(__file__).resolve().parent.parent
JUNIT_XSD = REPO_ROOT / "reports" / "junit.xsd"
VERDICTS = ("pass", "fail", "warn", "known", "skipped", "error", "flaky")
PRECEDENCE = ("fail", "flaky", "error", "warn", "known", "pass", "skipped")


def exit_code_for(verdict: str, nondeterministic: bool) -> int:
    return {"fail": 4 if nondeterministic else 1, "flaky": 4, "error": 3}.get(verdict, 0)


def junit_result(case) -> str:
    """What a JUnit reader makes of a testcase: failure, error, skipped or passed."""
    for tag in ("failure", "error", "skipped"):
        if case.find(tag) is not None:
            return tag
    return "passed"


JUNIT_OF_VERDICT = {"fail": "failure", "flaky": "failure", "error": "error", "skipped": "skipped",
                    "known": "skipped", "warn": "passed", "pass": "passed"}


def check_report_dir(folder, console: str = None, exit_code: int = None, xmllint: bool = True):
    folder = Path(folder)
    report = json.loads((folder / "report.json").read_text())
    assert report["schema"] == "multisock-report/2"
    scenarios, clauses = report["scenarios"], report["clauses"]
    for s in scenarios:
        assert s["verdict"] in VERDICTS, s
    for c in clauses:
        assert c["verdict"] in VERDICTS, c

    # report.json against itself: counts, run verdict, exit code.
    summary = report["summary"]
    for key, items in (("scenarios", scenarios), ("clauses", clauses)):
        counts = Counter(x["verdict"] for x in items)
        assert {w: summary[key][w] for w in VERDICTS} == {w: counts.get(w, 0) for w in VERDICTS}, key
        assert summary[key]["total"] == len(items)
    ran = [s["verdict"] for s in scenarios]
    worst = next((w for w in PRECEDENCE if w in ran), "skipped")
    assert report["verdict"] == worst
    nondet = any(v["clause"] == "DT-REPLAY" and not v["known"] for v in report["violations"])
    assert summary["exit_code"] == exit_code_for(report["verdict"], nondet)
    if exit_code is not None:
        assert exit_code == summary["exit_code"]
    # A scenario that fails has a hard violation or says why (crash, canary, replay).
    for s in scenarios:
        mine = [v for v in report["violations"] if v["scenario"] == s["name"] and v["seed"] == s["seed"]]
        if s["verdict"] == "pass":
            assert all(v["known"] or v["severity"] not in ("MUST", "EXPECT") for v in mine), s
        if s["verdict"] == "warn":
            assert mine and not any(v["severity"] in ("MUST", "EXPECT") and not v["known"] for v in mine), s
    # A clause that fails has violations; one that passes has none uncovered.
    for c in clauses:
        if c["verdict"] in ("fail", "warn", "known"):
            assert c["violations"] > 0, c
        if c["verdict"] == "pass":
            assert c["violations"] == 0, c

    # junit.xml: one testcase per scenario, its element from the verdict, counts agree.
    tree = ET.parse(folder / "junit.xml")
    root = tree.getroot()
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert len(suites) == 1
    cases = suites[0].findall("testcase")
    assert len(cases) == len(scenarios)
    by_name = {c.get("name"): junit_result(c) for c in cases}
    for s in scenarios:
        name = f'{s["name"]} [seed {s["seed"]}]'
        assert by_name.get(name) == JUNIT_OF_VERDICT[s["verdict"]], (name, s["verdict"], by_name.get(name))
    results = Counter(by_name.values())
    suite = suites[0]
    assert int(suite.get("tests")) == len(cases)
    assert int(suite.get("failures")) == results["failure"] == summary["scenarios"]["fail"] + summary["scenarios"]["flaky"]
    assert int(suite.get("errors")) == results["error"] == summary["scenarios"]["error"]
    assert int(suite.get("skipped")) == results["skipped"] == summary["scenarios"]["skipped"] + summary["scenarios"]["known"]
    assert int(root.get("failures")) == results["failure"] and int(root.get("errors")) == results["error"]
    assert root.get("skipped") is None
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert props["verdict"] == report["verdict"] and props["exit_code"] == str(summary["exit_code"])
    if xmllint and shutil.which("xmllint"):
        proc = subprocess.run(["xmllint", "--noout", "--schema", str(JUNIT_XSD), str(folder / "junit.xml")],
                              capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr

    # report.html: the banner and the badges say the same.
    page = (folder / "report.html").read_text()
    banner = re.search(r'<div class="banner st-([a-z]+)" data-verdict="([a-z]+)" data-exit-code="(\d+)" '
                       r'data-edition="([^"]*)"><span class="word">([a-z]+)</span>', page)
    assert banner, "no verdict banner"
    assert banner.group(1) == banner.group(2) == banner.group(5) == report["verdict"]
    assert int(banner.group(3)) == summary["exit_code"]
    assert htmllib.unescape(banner.group(4)) == report["edition"]["id"]
    counts_html = page[banner.end():page.index("</div></div>", banner.end())]
    for w in VERDICTS:
        m = re.search(rf'data-verdict="{w}" data-count="(\d+)"', counts_html)
        assert m and int(m.group(1)) == summary["scenarios"][w], w
    badges = Counter(re.findall(r'<tr class="scenario" data-verdict="([a-z]+)">', page))
    assert dict(badges) == dict(Counter(s["verdict"] for s in scenarios))

    # The console: one line per scenario that did not pass, and the last line.
    if console is not None:
        lines = [l for l in console.splitlines() if l.strip()]
        last = lines[-1]
        m = re.match(r"verdict: ([a-z]+) \(exit (\d+)\); scenarios: (.*) of (\d+); clauses: (.*) of (\d+)$", last)
        assert m, last
        assert m.group(1) == report["verdict"] and int(m.group(2)) == summary["exit_code"]
        assert int(m.group(4)) == len(scenarios) and int(m.group(6)) == len(clauses)
        said = dict((w, int(n)) for n, w in re.findall(r"(\d+) ([a-z]+)", m.group(3)))
        assert said == {w: summary["scenarios"][w] for w in VERDICTS if summary["scenarios"][w]}
        for s in scenarios:
            if s["verdict"] == "pass":
                continue
            line = f'{s["verdict"]:<7} {s["name"]} (seed {s["seed"]}): '
            assert any(l.startswith(line) for l in lines), line
        for l in lines:
            if re.match(r"^fail +(\S+) \(seed", l):
                name = l.split()[1]
                assert any(s["name"] == name and s["verdict"] == "fail" for s in scenarios), l
    return report


def timeline_times(folder):
    """The times the HTML timelines of a report show, in nanoseconds of the trace."""
    report = json.loads((Path(folder) / "report.json").read_text())
    times = []
    for v in report["violations"]:
        times.extend(e.get("t", 0) for e in v["timeline"])
    return report, times

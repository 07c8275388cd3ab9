# SPDX-License-Identifier: MIT
"""`multisock conform --app`: real programs recorded (conformance/record) and graded by the
application clauses (group AP), end to end through the report the command writes.

- Every mutant of app-loop (conformance/apps/mutant_loop.c, its names from MS_APP_MUTANTS)
  is caught by the clause of the rule it breaks, while app-loop itself, run the same way,
  breaks none: each mutant's row of MUTANTS says the clause, the program's words and the
  scenario whose peers serve it.
- app-loop on the shim (--lib libmultisock-curl.so) and pycurl under asyncio pass.
- The report is valid against the report schema and says which program ran and how.
- Bad words and a program that cannot start end with a message and exit 2 or 3.
Timers are judged with 500 ms of tolerance here, so a loaded machine does not turn a late
wake-up into a finding; timer_late is 1000 ms late.
"""
import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ROOT / "conformance" / "apps"
TOLERANCE_MS = "500"

# mutant -> (the clause it must fail, the program's words, the scenario of conformance/apps)
MUTANTS = {
    "timer_ignored": ("AP-TIMER-FIRE", "-t 1", "mutants"),
    "timer_late": ("AP-TIMER-FIRE", "-t 1", "mutants"),
    "timer_early": ("AP-TIMER-EARLY", "-t 1", "mutants"),
    "timer_not_deleted": ("AP-TIMER-DELETE", "-T -t 10", "fetch"),
    "watch_both": ("AP-WATCH", "-t 1", "mutants"),
    "watch_in_only": ("AP-WATCH", "-t 1", "mutants"),
    "no_unwatch": ("AP-UNWATCH", "-t 1", "mutants"),
    "mask_swapped": ("AP-MASK", "-t 1", "mutants"),
    "ignore_ready": ("AP-ACT", "-t 1", "mutants"),
    "no_info_read": ("AP-INFO-READ", "-t 1", "mutants"),
    "cleanup_without_remove": ("AP-REMOVE-DONE", "-t 1", "mutants"),
    "reentry": ("AP-REENTRY", "-t 1", "mutants"),
}


def _cli():
    cli = os.environ.get("MULTISOCK_CLI")
    if not cli:
        pytest.skip("MULTISOCK_CLI is not set (run through ctest)")
    return cli


def _bin(name):
    value = os.environ.get("MULTISOCK_APPS_BIN_DIR")
    if not value:
        pytest.skip("MULTISOCK_APPS_BIN_DIR is not set (run through ctest)")
    return str(Path(value) / name)


def conform_app(tmp_path, command, scenario="fetch", extra=(), timeout_s="8"):
    report = tmp_path / "report"
    proc = subprocess.run(
        [_cli(), "conform", "--app", command, "--scenario", str(APPS / f"{scenario}.scn"),
         "--app-timeout", timeout_s, "--tolerance-ms", TOLERANCE_MS, "--report", str(report), *extra],
        capture_output=True, text=True, timeout=120, cwd=ROOT)
    rep = json.loads((report / "report.json").read_text()) if (report / "report.json").exists() else None
    return proc, rep


def violated(rep):
    return {c["id"] for c in rep["clauses"] if c["violations"] > 0}


def test_every_mutant_has_its_clause():
    names = [n for n in os.environ.get("MS_APP_MUTANTS", "").split(",") if n]
    if not names:
        pytest.skip("MS_APP_MUTANTS is not set (run through ctest)")
    assert sorted(names) == sorted(MUTANTS)


@pytest.mark.parametrize("words,scenario", sorted({(w, s) for _, w, s in MUTANTS.values()}))
def test_app_loop_keeps_every_rule(tmp_path, words, scenario):
    proc, rep = conform_app(tmp_path, f"{_bin('app-loop')} {words} {{urls}}", scenario)
    assert rep is not None, proc.stdout + proc.stderr
    assert violated(rep) == set(), proc.stdout
    assert rep["verdict"] == "pass" and proc.returncode == 0, proc.stdout
    exercised = {c["id"] for c in rep["clauses"] if c["exercised"] > 0}
    for clause in ("AP-TIMER-FIRE", "AP-WATCH", "AP-MASK", "AP-ACT", "AP-INFO-READ", "AP-REMOVE-DONE", "AP-REENTRY"):
        assert clause in exercised, clause


@pytest.mark.parametrize("mutant", sorted(MUTANTS))
def test_each_mutant_is_caught_by_its_clause(tmp_path, mutant):
    clause, words, scenario = MUTANTS[mutant]
    proc, rep = conform_app(tmp_path, f"{_bin('app-mutant-' + mutant)} {words} {{urls}}", scenario)
    assert rep is not None, proc.stdout + proc.stderr
    assert clause in violated(rep), proc.stdout
    row = next(c for c in rep["clauses"] if c["id"] == clause)
    assert row["verdict"] == ("fail" if row["severity"] == "MUST" else "warn")
    # The finding carries its evidence: the event and what was seen.
    found = [v for v in rep["violations"] if v["clause"] == clause]
    assert found and found[0]["message"] and found[0]["event_index"] >= 0
    assert proc.returncode == (1 if row["severity"] == "MUST" else 0), proc.stdout


def test_app_loop_on_the_shim_passes(tmp_path):
    shim = Path(os.environ.get("MULTISOCK_COMPAT_BIN_DIR", "")) / "libmultisock-curl.so"
    if not shim.exists():
        pytest.skip("libmultisock-curl.so not built")
    proc, rep = conform_app(tmp_path, f"{_bin('app-loop')} -t 30 {{urls}}", "fetch", ["--lib", str(shim)])
    assert rep is not None, proc.stdout + proc.stderr
    assert rep["target"]["version"].startswith("multisock/"), rep["target"]
    assert rep["target"]["app"]["done_ok"] == 20
    assert violated(rep) == set(), proc.stdout


def test_pycurl_under_asyncio_passes(tmp_path):
    proc, rep = conform_app(tmp_path, f"/usr/bin/python3 {APPS / 'pycurl_asyncio.py'} -t 30 {{urls}}", "fetch",
                            timeout_s="30")
    assert rep is not None, proc.stdout + proc.stderr
    assert rep["target"]["app"]["done_ok"] == 20, rep["target"]["app"]
    assert rep["target"]["app"]["waits_observed"] is True
    assert violated(rep) == set(), proc.stdout


def test_report_is_valid_and_names_the_program(tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    proc, rep = conform_app(tmp_path, f"{_bin('app-loop')} -t 30 {{urls}}", "fetch", ["--name", "loop"])
    schema = json.loads((ROOT / "reports" / "schema" / "multisock-report-2.schema.json").read_text())
    jsonschema.validate(rep, schema)
    app = rep["target"]["app"]
    assert app["name"] == "loop" and app["urls"] == 20 and app["feed"] == "args"
    assert rep["target"]["party"] == "application"
    assert rep["target"]["name"].startswith("loop on libcurl")
    assert {c["id"][:3] for c in rep["clauses"]} == {"AP-"}
    assert rep["scenarios"][0]["repro"].startswith("multisock conform --app ")


@pytest.mark.parametrize("words,needle", [
    (["--app", ""], "--app needs a command"),
    (["--app", "x 'y"], "unclosed"),
    (["--app", "x", "--feed", "pipe"], "--feed needs args, stdin or fifo:NAME"),
    (["--app", "x", "--feed", "fifo:a/b"], "--feed needs"),
    (["--app", "x", "--tolerance-ms", "-1"], "--tolerance-ms needs"),
    (["--app", "x", "--target", "engine-sim"], "--target does not apply to conform --app"),
    (["--lib", "x"], "--lib is a word of conform --app"),
])
def test_bad_words_are_usage_errors(words, needle):
    proc = subprocess.run([_cli(), "conform", *words], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert needle in proc.stderr


def test_a_program_that_cannot_start_is_an_error(tmp_path):
    proc, rep = conform_app(tmp_path, "/nonexistent/program {urls}")
    assert proc.returncode == 3 and rep is None
    assert "cannot run /nonexistent/program" in proc.stderr


def _published():
    return sorted((ROOT / "reports" / "published" / "apps").glob("*/report.json"))


@pytest.mark.parametrize("path", _published(), ids=lambda p: p.parent.name)
def test_published_findings_reproduce(tmp_path, path):
    """Each published application report, run again the same way, fails the same MUST
    clauses (a SHOULD about a few milliseconds of timer may come and go with the load)."""
    published = json.loads(path.read_text())
    app = published["target"]["app"]
    command = app["command"].replace("build/conformance/apps/bin", os.path.dirname(_bin("x")))
    extra = ["--feed", app["feed"], "--name", app["name"]]
    if app["library"]:
        shim = Path(os.environ.get("MULTISOCK_COMPAT_BIN_DIR", "")) / "libmultisock-curl.so"
        if not shim.exists():
            pytest.skip("libmultisock-curl.so not built")
        extra += ["--lib", str(shim)]
    proc, rep = conform_app(tmp_path, command, Path(app["scenario"]).stem, extra, timeout_s="30")
    assert rep is not None, proc.stdout + proc.stderr

    def failing(r):
        return {c["id"] for c in r["clauses"] if c["verdict"] == "fail"}

    assert failing(rep) == failing(published), proc.stdout
    assert rep["target"]["app"]["done_ok"] == app["done_ok"]


def test_the_evidence_shows_the_programs_waits(tmp_path):
    # The page's excerpt around a violation names what the program watched and waited for.
    proc, rep = conform_app(tmp_path, f"{_bin('app-mutant-no_unwatch')} -t 1 {{urls}}", "mutants")
    assert rep is not None, proc.stdout + proc.stderr
    html = (tmp_path / "report" / "report.html").read_text()
    assert "app_watch fd=" in html and "app_wait " in html, "no described app events in the page"
    assert any(e["kind"] == "app_watch" for v in rep["violations"] for e in v["timeline"])

# SPDX-License-Identifier: MIT
"""Real `multisock conform` runs: console, report.json, junit.xml, report.html and the exit
code tell the same verdicts (pytest/verdict_agreement.py), on the simulated engine, a
mutant that fails, and the system libcurl (a warn, a fail and a pass)."""
import os
import re
from pathlib import Path

import pytest

from conftest import REPO_ROOT, describe
from verdict_agreement import check_report_dir, timeline_times

LIBCURL = "/usr/lib/x86_64-linux-gnu/libcurl.so.4"
SCN = REPO_ROOT / "conformance" / "scenarios"


def run(cli, out, target, *suite_files, extra=()):
    suite = str(SCN / suite_files[0]) if len(suite_files) == 1 else None
    if suite is None:  # several files: a folder holding copies of them
        folder = out.parent / (out.name + "-suite")
        folder.mkdir(parents=True, exist_ok=True)
        for f in suite_files:
            (folder / f).write_text((SCN / f).read_text())
        suite = str(folder)
    proc = cli.run("conform", "--target", target, "--suite", suite, "--report", out,
                   "--failures", out.parent / (out.name + "-failures"), *extra, timeout=600)
    assert proc.returncode in (0, 1, 3, 4), describe(proc)
    return proc


CASES = [
    ("engine-sim", ("post_body.scn", "head_request.scn", "chunked_trickle.scn"), "pass"),
    ("engine-sim:mutant=wrong_running", ("post_body.scn", "head_request.scn", "keepalive_reuse_two_handles.scn"), "fail"),
    ("engine-sim:mutant=no_timer_delete", ("post_body.scn", "head_request.scn"), "warn"),
    ("engine-sim", ("canary_lost_done.scn",), "fail"),
]


@pytest.mark.parametrize("target,files,want", CASES, ids=["sim", "mutant-fail", "mutant-warn", "canary"])
def test_agreement_simulated(cli, tmp_path, target, files, want):
    out = tmp_path / "r"
    proc = run(cli, out, target, *files)
    report = check_report_dir(out, console=proc.stdout, exit_code=proc.returncode)
    assert report["verdict"] == want, describe(proc)


def test_agreement_mutant_list_is_current(cli):
    names = cli.run("conform", "--list-mutants").stdout
    assert re.search(r"^wrong_running ", names, re.M), names


@pytest.mark.skipif(not os.path.exists(LIBCURL), reason="no system libcurl")
@pytest.mark.parametrize("scenario,want", [("head_request.scn", "warn"),
                                           ("abort_from_socket_callback.scn", "fail"),
                                           ("ipv6_loopback.scn", "pass")])
def test_agreement_libcurl(cli, tmp_path, scenario, want):
    out = tmp_path / "r"
    proc = run(cli, out, "lib:" + LIBCURL, scenario)
    report = check_report_dir(out, console=proc.stdout, exit_code=proc.returncode)
    assert report["verdict"] == want, describe(proc)
    # The name carries the version, so two builds are told apart.
    assert report["target"]["name"].startswith("libcurl/"), report["target"]
    if want == "warn":
        assert proc.returncode == 0
        assert not re.search(r"^fail ", proc.stdout, re.M), proc.stdout


def test_html_timeline_has_real_times(cli, tmp_path):
    """The timeline reads the trace's own time key: a real run's events are not all at 0."""
    out = tmp_path / "r"
    proc = run(cli, out, "engine-sim:mutant=wrong_running", "post_body.scn", "keepalive_reuse_two_handles.scn")
    report, times = timeline_times(out)
    assert report["violations"], describe(proc)
    assert any(t > 0 for t in times), "every timeline event at 0 ns"
    page = (out / "report.html").read_text()
    labels = re.findall(r'<text x="[0-9.]+" y="[0-9.]+">([0-9.]+ (?:ms|us|s))</text>', page)
    assert labels, "no time label on the timeline"
    assert any(float(l.split()[0]) > 0 for l in labels), labels


# The library reports and the application reports (published/apps/).
PUBLISHED = sorted(p for d in (REPO_ROOT / "reports" / "published", REPO_ROOT / "reports" / "published" / "apps")
                   if d.is_dir() for p in d.iterdir() if (p / "report.json").exists())


@pytest.mark.parametrize("folder", PUBLISHED, ids=lambda p: p.name)
def test_agreement_published(cli, tmp_path, folder):
    """Every published report: its console text, JSON, JUnit, HTML and exit code agree, and
    the published HTML is what the renderer makes of the published JSON today."""
    console = (folder.parent / f"{folder.name}.txt").read_text()
    # The console ends with the verdict line; `reports: PATHS` and `unseen` notes may follow.
    lines = [l for l in console.splitlines() if l.strip() and not l.startswith("reports: ")]
    check_report_dir(folder, console="\n".join(lines))
    page = tmp_path / "page.html"
    proc = cli.run("report", "html", "--out", page, folder / "report.json")
    assert proc.returncode == 0, describe(proc)
    assert page.read_bytes() == (folder / "report.html").read_bytes(), "published HTML is stale"

# SPDX-License-Identifier: MIT
"""Editions, known-deviation files and target probing, through the CLI."""
import json
from pathlib import Path

import pytest

from conftest import REPO_ROOT, describe

CURL788 = Path("/usr/lib/x86_64-linux-gnu/libcurl.so.4")
ONE = "conformance/scenarios/head_request.scn"


def test_edition_bad_name_is_usage_error(cli):
    proc = cli.run("conform", "--target", "engine-sim", "--suite", ONE, "--edition", "9.9")
    assert proc.returncode == 2, describe(proc)
    assert "unknown edition '9.9'" in proc.stderr


@pytest.mark.parametrize("edition", ["7.16", "7.88", "8"])
def test_report_names_the_edition_given(cli, tmp_path, edition):
    proc = cli.run("conform", "--target", "engine-sim", "--suite", ONE, "--edition", edition,
                   "--report", tmp_path)
    assert proc.returncode == 0, describe(proc)
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["edition"]["id"] == edition
    assert report["edition"]["chosen_by"] == "option"
    assert f"edition {edition}" in proc.stdout


def test_engine_is_judged_by_the_newest_edition(cli, tmp_path):
    proc = cli.run("conform", "--target", "engine-sim", "--suite", ONE, "--report", tmp_path)
    assert proc.returncode == 0, describe(proc)
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["edition"] == {"id": "8", "title": "libcurl 8.x man pages", "chosen_by": "version"}


def test_explain_shows_every_edition(cli):
    proc = cli.run("explain", "PA-RESUME")
    assert proc.returncode == 0, describe(proc)
    assert "edition 7.16" in proc.stdout and "not stated" in proc.stdout
    assert "edition 7.88" in proc.stdout and "edition 8" in proc.stdout
    legacy = cli.run("explain", "LG-CALL-AGAIN")
    assert "no longer stated" in legacy.stdout, describe(legacy)


def test_clauses_of_one_edition(cli):
    all_ = cli.run("clauses", check_code=0).stdout
    old = cli.run("clauses", "--edition", "7.16", check_code=0).stdout
    assert "LG-CALL-AGAIN" in old and "PA-RESUME" not in old
    assert "PA-RESUME" in all_


@pytest.mark.parametrize("text,where", [
    ("implementation libcurl\nversions ~7\n", "x.known:2:10:"),
    ("implementation libcurl\nversions any\ndeviation SC-NOPE\n", "x.known:3:11:"),
    ("", "x.known:1:1: no `implementation` line"),
])
def test_bad_known_file_is_an_error_with_its_place(cli, tmp_path, text, where):
    known = tmp_path / "x.known"
    known.write_text(text)
    proc = cli.run("conform", "--target", "engine-sim", "--suite", ONE, "--known", known,
                   "--report", tmp_path / "out")
    assert proc.returncode == 2, describe(proc)
    assert where in proc.stderr, describe(proc)
    assert not (tmp_path / "out").exists()


def test_known_file_of_another_implementation_is_refused(cli):
    proc = cli.run("conform", "--target", "engine-sim", "--suite", ONE,
                   "--known", REPO_ROOT / "conformance/known/libcurl-7.88.known")
    assert proc.returncode == 2, describe(proc)
    assert "the target is multisock" in proc.stderr


def test_unseen_known_deviation_is_printed(cli, tmp_path):
    known = tmp_path / "engine.known"
    known.write_text("implementation multisock\nversions any\n"
                     "deviation TM-DELETE\n  reason never seen\n  evidence head_request\n")
    proc = cli.run("conform", "--target", "engine-sim", "--suite", ONE, "--known", known,
                   "--report", tmp_path / "out")
    assert proc.returncode == 0, describe(proc)
    assert "known deviation TM-DELETE was not seen" in proc.stdout
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["known"]["entries"][0]["matched"] == 0


def test_an_entry_for_runs_not_made_is_not_unseen(cli, tmp_path):
    # An entry for generated histories (or another scenario) says nothing of this run: no
    # "fixed?" note; the one for a scenario that ran and did not show it still gets one.
    known = tmp_path / "engine.known"
    known.write_text("implementation multisock\nversions any\n"
                     "deviation TM-DELETE\n  scenario property property_h2\n  reason generated only\n"
                     "  evidence property-1\n"
                     "deviation SC-CHANGES\n  scenario head_request\n  reason never seen\n"
                     "  evidence head_request\n")
    proc = cli.run("conform", "--target", "engine-sim", "--suite", ONE, "--known", known,
                   "--report", tmp_path / "out")
    assert proc.returncode == 0, describe(proc)
    assert "known deviation TM-DELETE was not seen" not in proc.stdout, describe(proc)
    assert "known deviation SC-CHANGES was not seen" in proc.stdout, describe(proc)


def test_known_deviation_covers_a_mutant_failure(cli, tmp_path):
    # The mutant breaks SC-CHANGES: without the file the run fails, with it the same
    # violations are known and the exit code is 0.
    target = "engine-sim:mutant=duplicate_socket_cb"
    suite = "conformance/scenarios/1xx_continue.scn"
    plain = cli.run("conform", "--target", target, "--suite", suite, "--failures", tmp_path / "failures")
    assert plain.returncode == 1, describe(plain)
    known = tmp_path / "m.known"
    known.write_text("implementation multisock\nversions any\n"
                     "deviation SC-CHANGES\n  reason the mutant repeats an action\n"
                     "  evidence 1xx_continue\n")
    proc = cli.run("conform", "--target", target, "--suite", suite, "--known", known,
                   "--report", tmp_path / "out")
    assert proc.returncode == 0, describe(proc)
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["known"]["entries"][0]["matched"] > 0


def test_library_that_cannot_load_is_one_error_with_a_hint(cli, tmp_path):
    proc = cli.run("conform", "--target", "lib:/nonexistent/libx.so", "--suite", "scripted",
                   "--report", tmp_path / "out")
    assert proc.returncode == 3, describe(proc)
    assert proc.stderr.count("multisock: target") == 1, describe(proc)
    assert "no such file" in proc.stderr
    assert proc.stdout == "", "load errors go to stderr once, before the suite"


@pytest.mark.skipif(not CURL788.exists(), reason="no system libcurl")
def test_prefix_without_underscore_gets_a_hint(cli):
    proc = cli.run("conform", "--target", f"lib:{CURL788}:curl", "--suite", ONE)
    assert proc.returncode == 3, describe(proc)
    assert f"lib:{CURL788}:curl_" in proc.stderr, describe(proc)


@pytest.mark.skipif(not CURL788.exists(), reason="no system libcurl")
def test_missing_symbols_hint_at_the_prefix(cli):
    proc = cli.run("conform", "--target", f"lib:{CURL788}:fetch_", "--suite", ONE)
    assert proc.returncode == 3, describe(proc)
    assert "symbol prefix" in proc.stderr, describe(proc)


@pytest.mark.skipif(not CURL788.exists(), reason="no system libcurl")
def test_libcurl_788_edition_chosen_by_version(cli, tmp_path):
    proc = cli.run("conform", "--target", f"lib:{CURL788}", "--suite", ONE, "--report", tmp_path)
    assert proc.returncode in (0, 1), describe(proc)
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["edition"]["id"] == "7.88" and report["edition"]["chosen_by"] == "version"
    assert "(libcurl/7.88." in proc.stdout
    # The TLS build is part of the name, so two builds of one release differ in a diff.
    assert report["target"]["name"].startswith("libcurl/7.88.1 OpenSSL/"), report["target"]


def test_progress_lines_without_a_terminal(cli):
    proc = cli.run("conform", "--target", "engine-sim", "--suite", "scripted")
    assert proc.returncode == 0, describe(proc)
    assert "multisock: [1/" in proc.stderr, describe(proc)


@pytest.mark.parametrize("target", ["engine-sim", "engine-real"])
def test_repeat_counts_each_verdict(cli, tmp_path, target):
    proc = cli.run("conform", "--target", target, "--suite", ONE, "--repeat", "3", "--report", tmp_path)
    assert proc.returncode == 0, describe(proc)
    report = json.loads((tmp_path / "report.json").read_text())
    (scenario,) = report["scenarios"]
    assert scenario["repeats"] == {"pass": 3}, scenario
    assert scenario["verdict"] == "pass"


def test_repeat_out_of_range_is_usage_error(cli):
    proc = cli.run("conform", "--target", "engine-sim", "--suite", ONE, "--repeat", "0")
    assert proc.returncode == 2, describe(proc)
    assert "--repeat" in proc.stderr

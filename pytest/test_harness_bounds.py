# SPDX-License-Identifier: MIT
"""What `multisock conform` holds and refuses up front, so a long run cannot fail late.

- a `--report` folder that cannot be written is a usage error before any scenario runs;
- the repro command of every history of the property suite runs, passing ones included (their
  files are never written: the command remakes the history from its seed);
- memory follows the failures, not the number of runs: a passing run keeps no trace, and the
  report still counts its events and hash as before.
"""
import json
import os
import shlex
import subprocess
import time

from conftest import REPO_ROOT, cli_path, describe

ONE = "conformance/scenarios/zero_length_body.scn"


def test_an_unwritable_report_folder_is_refused_before_running(cli, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    for target in (blocker / "report", "/proc/version/report"):
        start = time.monotonic()
        proc = cli.run("conform", "--target", "engine-sim", "--suite", "scripted", "--report", target)
        assert proc.returncode == 2, describe(proc)
        assert proc.stderr.count("\n") == 1 and f"--report {target}: " in proc.stderr, describe(proc)
        assert "zero_length_body" not in proc.stdout, describe(proc)  # nothing ran
        assert time.monotonic() - start < 5, describe(proc)


def test_every_property_repro_command_runs(cli, tmp_path):
    proc = cli.run("conform", "--target", "engine-sim", "--suite", "property", "--runs", "4", "--seed", "40",
                   "--failures", tmp_path / "failures", "--report", tmp_path / "report")
    report = json.loads((tmp_path / "report" / "report.json").read_text())
    assert len(report["scenarios"]) == 4, describe(proc)
    for scenario in report["scenarios"]:
        words = shlex.split(scenario["repro"])
        assert words[0] == "multisock", scenario["repro"]
        again = cli.run(*words[1:], "--failures", tmp_path / "again")
        assert again.returncode in (0, 1), describe(again)
        assert again.stdout.startswith(f"seed {scenario['seed']} "), describe(again)  # its first line
        if scenario["verdict"] == "pass":
            assert "--suite property" in scenario["repro"], scenario["repro"]
            assert again.returncode == 0, describe(again)


def test_a_passing_history_does_not_point_at_a_file_another_run_left(cli, tmp_path):
    """The failures folder may hold a history of the same seed that failed on another target;
    a history that passed here is reproduced from its seed, not by that file."""
    failures = tmp_path / "failures"
    failures.mkdir()
    (failures / "property-40.scn").write_text("title left by another run\nseed 40\nclient\n  at 1s end\n")
    proc = cli.run("conform", "--target", "engine-sim", "--suite", "property", "--runs", "2", "--seed", "40",
                   "--failures", failures, "--report", tmp_path / "report")
    assert proc.returncode == 0, describe(proc)
    report = json.loads((tmp_path / "report" / "report.json").read_text())
    forty = [s for s in report["scenarios"] if s["seed"] == 40]
    assert len(forty) == 1 and forty[0]["verdict"] == "pass", describe(proc)
    assert forty[0]["repro"].startswith("multisock conform --suite property --runs 1 --seed 40 "), forty[0]["repro"]


def peak_mib(args):
    start = time.monotonic()
    proc = subprocess.Popen([str(cli_path()), *map(str, args)], cwd=REPO_ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    return os.waitstatus_to_exitcode(status), usage.ru_maxrss / 1024, time.monotonic() - start


def test_passing_runs_keep_no_trace(cli, tmp_path):
    """Peak memory of 200 and of 1,000 generated histories: five times the runs may not cost
    anywhere near five times the memory (each kept trace was about 175 KB)."""
    code_small, small, _ = peak_mib(["conform", "--target", "engine-sim", "--suite", "property", "--runs", "200", "--seed", "1",
                                     "--report", tmp_path / "small"])
    code_big, big, _ = peak_mib(["conform", "--target", "engine-sim", "--suite", "property", "--runs", "1000", "--seed", "1",
                                 "--report", tmp_path / "big"])
    assert code_small == 0 and code_big == 0
    assert big < small + 60, f"200 runs: {small:.0f} MiB, 1000 runs: {big:.0f} MiB"
    report = json.loads((tmp_path / "big" / "report.json").read_text())
    assert all(s["events"] > 0 and len(s["trace_hash"]) == 64 for s in report["scenarios"])
    assert report["speed"]["events"] == sum(s["events"] for s in report["scenarios"])


def test_an_hour_of_virtual_time_runs(cli, tmp_path):
    """A simulated run lasts as long as its plan (and 60 s more), not a fixed 600 s: a transfer
    with a 50-minute timeout against a silent peer ends OPERATION_TIMEDOUT at 3,000 s, on the
    engine and on the system libcurl in the simulated world."""
    text = (REPO_ROOT / "conformance" / "scenarios" / "timeout_on_hang.scn").read_text()
    hour = tmp_path / "hour.scn"
    hour.write_text(text.replace("timeout_ms 500", "timeout_ms 3000000").replace("at 2s end", "at 3600s end"))
    targets = ["engine-sim"]
    if os.path.exists("/usr/lib/x86_64-linux-gnu/libcurl.so.4"):
        targets.append("lib:/usr/lib/x86_64-linux-gnu/libcurl.so.4")
    for target in targets:
        proc = cli.run("replay", hour, "--target", target, timeout=60)
        # every expectation met (libcurl 7.88.1 also keeps its known TM-DELETE warning)
        assert "# violation EXPECT" not in proc.stdout and "time limit" not in proc.stdout, describe(proc)
        if target == "engine-sim":
            assert proc.returncode == 0 and "# outcome pass" in proc.stdout, describe(proc)
        done = [line for line in proc.stdout.splitlines() if '"code":28' in line]
        assert done and '"t":3000000000000' in done[0], describe(proc)


def test_a_long_sweep_folds_its_passing_runs(cli, tmp_path):
    """Past 1,000 listed passing groups, a passing group is counted (the report's `folded`),
    not listed: the summary, the clause table and the speed line still count it; shards
    merge to the whole; JUnit and HTML say how many; diff compares what both list."""
    runs = 2400
    common = ["conform", "--target", "engine-sim", "--suite", "property", "--runs", str(runs), "--seed", "7",
              "--failures", tmp_path / "failures"]
    whole = cli.run(*common, "--report", tmp_path / "whole")
    assert whole.returncode == 0, describe(whole)
    report = json.loads((tmp_path / "whole" / "report.json").read_text())
    folded = report["folded"]
    assert len(report["scenarios"]) == 1000 and folded["scenarios"] == runs - 1000 == folded["runs"]
    assert report["summary"]["scenarios"]["pass"] == runs == report["summary"]["scenarios"]["total"]
    assert report["speed"]["histories"] == runs
    assert report["speed"]["events"] == folded["events"] + sum(s["events"] for s in report["scenarios"])
    assert len(folded["trace_digest"]) == 16
    junit = (tmp_path / "whole" / "junit.xml").read_text()
    assert f'tests="1001"' in junit and f"{runs - 1000} passing scenarios (counted, not listed)" in junit
    assert f"And {runs - 1000} passing scenarios" in (tmp_path / "whole" / "report.html").read_text()
    # The seeds of the sweep, as one range in both (not 2,400 numbers).
    assert f'<property name="seeds" value="7-{7 + runs - 1}"/>' in junit
    assert f"<dt>seeds</dt><dd>7-{7 + runs - 1}</dd>" in (tmp_path / "whole" / "report.html").read_text()

    # The same sweep again: the same digest (deterministic); then two shards, merged.
    again = cli.run(*common, "--report", tmp_path / "again")
    assert json.loads((tmp_path / "again" / "report.json").read_text())["folded"] == folded, describe(again)
    for i in range(2):
        shard = cli.run(*common, "--shard", f"{i}/2", "--report", tmp_path / f"shard{i}")
        assert shard.returncode == 0, describe(shard)
    merged = cli.run("report", "merge", "--out", tmp_path / "merged",
                     tmp_path / "shard0" / "report.json", tmp_path / "shard1" / "report.json")
    assert merged.returncode == 0, describe(merged)
    m = json.loads((tmp_path / "merged" / "report.json").read_text())
    # Each shard lists its first 1,000 passing groups, so the split differs; the totals do not.
    assert m["summary"]["scenarios"] == report["summary"]["scenarios"]
    assert m["folded"]["scenarios"] == 2 * (runs // 2 - 1000) and len(m["scenarios"]) == 2000
    assert m["speed"]["events"] == report["speed"]["events"]
    assert [c["exercised"] for c in m["clauses"]] == [c["exercised"] for c in report["clauses"]]

    # A listed scenario the other report folded is not a change; the note says why.
    d = cli.run("report", "diff", tmp_path / "whole" / "report.json", tmp_path / "merged" / "report.json")
    assert d.returncode == 0, describe(d)
    assert "without listing them" in d.stdout and "absent" not in d.stdout, describe(d)

    # A hand-broken folded member is refused with its path.
    bad = dict(report, folded=dict(folded, trace_digest="xyz"))
    (tmp_path / "bad.json").write_text(json.dumps(bad))
    refused = cli.run("report", "html", "--out", tmp_path / "bad.html", tmp_path / "bad.json")
    assert refused.returncode != 0 and "/folded/trace_digest" in refused.stderr, describe(refused)


def test_memory_does_not_follow_passing_runs(cli, tmp_path):
    """1,000 and 6,000 passing histories with a report: the peak may not grow by more than
    a few MiB (folded groups keep counts, not runs)."""
    peaks = []
    for runs in (1000, 6000):
        code, peak, _ = peak_mib(["conform", "--target", "engine-sim", "--suite", "property", "--runs", str(runs),
                                  "--seed", "1", "--failures", tmp_path / "f", "--report", tmp_path / f"r{runs}"])
        assert code == 0
        peaks.append(peak)
    assert peaks[1] < peaks[0] + 10, f"1000 runs: {peaks[0]:.1f} MiB, 6000 runs: {peaks[1]:.1f} MiB"

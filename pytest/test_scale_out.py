# SPDX-License-Identifier: MIT
"""Scale-out as docs/scale-out/ describes it: the shard commands of the GitHub Actions
matrix and of the Kubernetes Indexed Job, taken from those files and run here for each of
their N = 4 shards (a scripted suite through the workflow, a property sweep through the
Job), then joined with their own merge command.

"Equals the unsharded run" compares, between the merged report and one `conform` of the
whole suite with the same options: the run's verdict and exit code, the whole `summary`
object (scenario and clause counts by verdict), each clause's verdict, and for every
scenario (by file, name and seed) its verdict and its trace_hash. Timings, the shard
member and the run's own metadata are not compared."""

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from conftest import REPO_ROOT, cli_path, describe, load_json

SCALE_OUT = REPO_ROOT / "docs" / "scale-out"


def _bin_dir(tmp_path: Path) -> Path:
    """A folder whose `multisock` is the binary under test, for PATH."""
    d = tmp_path / "bin"
    d.mkdir()
    (d / "multisock").symlink_to(cli_path())
    return d


def _run(script, env, cwd, shell):
    proc = subprocess.run([*shell, script], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=600, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, describe(proc)
    return proc


def _whole(cli, tmp_path, conform_args):
    out = tmp_path / "whole"
    proc = cli.run("conform", "--target", "engine-sim", *conform_args.split(), "--report", out, timeout=600)
    assert proc.returncode in (0, 1), describe(proc)
    return load_json(out / "report.json")


def _assert_merge_equals_whole(merged, whole, shards):
    key = lambda s: (s["file"], s["name"], s["seed"])
    assert len(merged["scenarios"]) == len(whole["scenarios"]) > shards
    assert merged["verdict"] == whole["verdict"]
    assert merged["summary"] == whole["summary"]
    assert {c["id"]: c["verdict"] for c in merged["clauses"]} == {c["id"]: c["verdict"] for c in whole["clauses"]}
    assert {key(s): s["verdict"] for s in merged["scenarios"]} == {key(s): s["verdict"] for s in whole["scenarios"]}
    assert {key(s): s["trace_hash"] for s in merged["scenarios"]} == \
        {key(s): s["trace_hash"] for s in whole["scenarios"]}


def test_scaleOut_GithubMatrixShardsMergeToTheWholeScriptedRun(cli, tmp_path):
    flow = yaml.safe_load((SCALE_OUT / "github-actions.yml").read_text())
    shards = int(flow["env"]["SHARDS"])
    job = flow["jobs"]["shard"]
    assert shards == 4 and job["strategy"]["matrix"]["shard"] == list(range(shards))
    run = next(s["run"] for s in job["steps"] if s.get("name") == "conform, one shard")
    merge = next(s["run"] for s in flow["jobs"]["merge"]["steps"] if s.get("name") == "merge")
    conform_args = flow["env"]["CONFORM_ARGS"]
    assert conform_args == "--suite scripted"
    env = dict(os.environ, PATH=f"{_bin_dir(tmp_path)}:{os.environ['PATH']}", SHARDS=str(shards),
               CONFORM_ARGS=conform_args, TARGET="engine-sim")
    work = tmp_path / "work"
    work.mkdir()
    for i in range(shards):
        _run(run, dict(env, SHARD=str(i)), work, ["bash", "-e", "-c"])
        assert load_json(work / "reports" / f"shard-{i}" / "report.json")["shard"] == {"index": i, "count": shards}
    _run(merge, env, work, ["bash", "-e", "-c"])
    _assert_merge_equals_whole(load_json(work / "reports" / "merged" / "report.json"),
                               _whole(cli, tmp_path, conform_args), shards)


def test_scaleOut_KubernetesIndexedJobShardsMergeToTheWholePropertySweep(cli, tmp_path):
    shard_job, merge_job = yaml.safe_load_all((SCALE_OUT / "k8s-indexed-job.yaml").read_text())
    spec = shard_job["spec"]
    container = spec["template"]["spec"]["containers"][0]
    job_env = {e["name"]: e["value"] for e in container["env"]}
    shards = int(job_env["SHARDS"])
    assert spec["completionMode"] == "Indexed" and spec["completions"] == spec["parallelism"] == shards == 4
    merge_container = merge_job["spec"]["template"]["spec"]["containers"][0]
    assert {e["name"]: e["value"] for e in merge_container["env"]}["SHARDS"] == str(shards)
    # The manifest's sweep, made small enough for a test: fewer runs, the same form.
    assert job_env["CONFORM_ARGS"].startswith("--suite property --runs ")
    conform_args = "--suite property --runs 400 --seed 5"
    reports = tmp_path / "reports"
    env = dict(os.environ, **job_env)
    env.update(PATH=f"{_bin_dir(tmp_path)}:{os.environ['PATH']}", CONFORM_ARGS=conform_args, TARGET="engine-sim",
               REPORTS=str(reports))
    for i in range(shards):
        _run(container["args"][0], dict(env, JOB_COMPLETION_INDEX=str(i)), tmp_path, container["command"])
    # The merge Job's command, with the shard Job's environment (it reads REPORTS and SHARDS).
    proc = _run(merge_container["args"][0], env, tmp_path, merge_container["command"])
    assert "report merge: exit code" in proc.stdout, describe(proc)
    _assert_merge_equals_whole(load_json(reports / "merged" / "report.json"),
                               _whole(cli, tmp_path, conform_args), shards)


CURL788 = Path("/usr/lib/x86_64-linux-gnu/libcurl.so.4")
KNOWN788 = REPO_ROOT / "conformance" / "known" / "libcurl-7.88.known"


def _known_sweep_args(tmp_path):
    # One failures folder for every run of a test: a known deviation's history is written
    # there, under the test's folder (not ./failures, the source tree's).
    return ["--target", f"lib:{CURL788}", "--known", KNOWN788, "--suite", "property", "--runs", "300",
            "--seed", "9000", "--no-shrink", "--failures", tmp_path / "failures"]


def _assert_same_run(merged, whole, shards):
    _assert_merge_equals_whole(merged, whole, shards)
    assert merged["known"] == whole["known"]  # each entry's count of matches included
    assert len(merged["violations"]) == len(whole["violations"])
    assert merged["seeds"] == whole["seeds"]


@pytest.mark.skipif(not CURL788.exists(), reason="the system libcurl is not installed")
def test_scaleOut_ShardsJudgedWithAKnownFileMergeToItsMatchesInTheWholeRun(cli, tmp_path):
    # A library's sweep with its known file, in three shards joined by `report merge`: each
    # entry's count of matches is the whole run's, not the first shard's.
    args = _known_sweep_args(tmp_path)
    proc = cli.run("conform", *args, "--report", tmp_path / "whole", timeout=600)
    assert proc.returncode == 0, describe(proc)
    whole = load_json(tmp_path / "whole" / "report.json")
    shards = []
    for i in range(3):
        proc = cli.run("conform", *args, "--shard", f"{i}/3", "--report", tmp_path / f"shard-{i}", timeout=600)
        assert proc.returncode == 0, describe(proc)
        shards.append(tmp_path / f"shard-{i}" / "report.json")
    first = load_json(shards[0])
    # The sweep tells them apart: some entry matched outside the first shard.
    assert any(e["matched"] != f["matched"] for e, f in zip(whole["known"]["entries"], first["known"]["entries"]))
    proc = cli.run("report", "merge", "--out", tmp_path / "merged", *shards)
    assert proc.returncode == 0, describe(proc)
    _assert_same_run(load_json(tmp_path / "merged" / "report.json"), whole, 3)


@pytest.mark.skipif(not CURL788.exists(), reason="the system libcurl is not installed")
def test_scaleOut_JobsRunTheShardsAtOnceAndPrintTheWholeRun(cli, tmp_path):
    # conform --jobs 3: three children of one command, their reports joined; what it prints
    # and writes is the run of one process, but for the timings and the report's folder.
    args = _known_sweep_args(tmp_path)
    one = cli.run("conform", *args, "--report", tmp_path / "one", timeout=600)
    three = cli.run("conform", *args, "--jobs", "3", "--report", tmp_path / "three", timeout=600)
    assert one.returncode == three.returncode == 0, describe(three)

    def lines(proc, folder):
        return [l.replace(str(tmp_path / folder), "DIR") for l in proc.stdout.splitlines()
                if not l.startswith("speed:")]
    assert lines(three, "three") == lines(one, "one")
    assert "multisock: [" not in three.stderr, "a job showed its progress"
    _assert_same_run(load_json(tmp_path / "three" / "report.json"), load_json(tmp_path / "one" / "report.json"), 3)


def test_scaleOut_JobsRefuseWhatTheyCannotSplit(cli, tmp_path):
    for words, message in [
        (["--jobs", "0"], "--jobs needs an integer in [1, 64], not '0'"),
        (["--jobs", "65"], "--jobs needs an integer in [1, 64], not '65'"),
        (["--target", "engine-real", "--jobs", "2"], "--jobs runs simulated targets only"),
        (["--jobs", "2", "--list"], "--jobs does not apply to --list"),
        (["--shard", "0/50000", "--jobs", "3"], "would make more than 100000 shards"),
    ]:
        argv = words if "--target" in words else ["--target", "engine-sim", *words]
        proc = cli.run("conform", *argv, "--report", tmp_path / "never")
        assert proc.returncode == 2, describe(proc)
        assert message in proc.stderr, describe(proc)
        assert not (tmp_path / "never").exists()


def test_scaleOut_AJobThatDiesIsAnErrorThatSaysWhich(cli, tmp_path):
    # One child killed mid-run (as the OOM killer would): no merged verdict, exit 3, the job
    # and how it ended named; the children's folder is gone with the parent.
    proc = subprocess.Popen([str(cli_path()), "conform", "--target", "engine-sim", "--suite", "property", "--runs",
                             "200000", "--seed", "1", "--no-shrink", "--jobs", "2", "--report", str(tmp_path / "r")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
    killed = None
    deadline = time.monotonic() + 60
    while killed is None and time.monotonic() < deadline and proc.poll() is None:
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                env = (Path("/proc") / pid / "environ").read_bytes()
                ppid = int((Path("/proc") / pid / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            folder = re.search(rb"(?:^|\0)MULTISOCK_JOB_FOLDER=([^\0]+)", env)
            if ppid == proc.pid and folder:
                os.kill(int(pid), signal.SIGKILL)
                killed = Path(folder.group(1).decode())
                break
        time.sleep(0.05)
    out, err = proc.communicate(timeout=600)
    assert killed is not None, err
    assert proc.returncode == 3, err
    assert "multisock: --jobs: job " in err and "signal Killed" in err and "it wrote no report" in err, err
    assert not (tmp_path / "r" / "report.json").exists()
    assert killed.parent.name.startswith("multisock-jobs-") and not killed.parent.exists()

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
import subprocess
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

# SPDX-License-Identifier: MIT
"""The engine's published trace hashes are what this build makes: a change to the engine,
the simulated world or the harness that moves any trace of the scripted suite shows here
(reports/published/engine-sim is then to be republished, with the change named). A
library's hashes follow the library installed on the machine as well (a patched build with
the same version string could move them), so they are not held to the published ones here;
the `conform_<target>_known` CTests hold the libraries' verdicts to theirs."""
import json

from conftest import REPO_ROOT, describe


def test_the_engines_published_trace_hashes_reproduce(cli, tmp_path):
    proc = cli.run("conform", "--target", "engine-sim", "--suite", "scripted", "--report", tmp_path)
    assert proc.returncode == 0, describe(proc)
    made = json.loads((tmp_path / "report.json").read_text())
    published = json.loads((REPO_ROOT / "reports" / "published" / "engine-sim" / "report.json").read_text())
    want = {s["name"]: s["trace_hash"] for s in published["scenarios"]}
    got = {s["name"]: s["trace_hash"] for s in made["scenarios"]}
    assert len(want) >= 90 and all(len(h) == 64 for h in want.values())
    assert got.keys() == want.keys()
    moved = sorted(name for name in want if got[name] != want[name])
    assert not moved, f"trace hashes moved: {moved}"

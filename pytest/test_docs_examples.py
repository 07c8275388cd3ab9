# SPDX-License-Identifier: MIT
"""docs/writing-scenarios.md cannot rot: every scenario block in it is a file of
docs/examples/ shown whole, every file there is shown, and each one runs as the guide says
(the canary makes conform fail, the others pass, and replay runs each)."""

import re

import pytest

from conftest import REPO_ROOT, describe

GUIDE = REPO_ROOT / "docs" / "writing-scenarios.md"
EXAMPLES = sorted((REPO_ROOT / "docs" / "examples").glob("*.scn"))


def test_guide_ShowsEveryExampleWholeAndNothingElse():
    blocks = re.findall(r"^```scn\n(.*?)^```$", GUIDE.read_text(), flags=re.S | re.M)
    files = {p.read_text(): p.name for p in EXAMPLES}
    assert len(EXAMPLES) >= 5
    assert len(files) == len(EXAMPLES), "two example files with the same text"
    assert sorted(files.get(b, "a block that is no example file") for b in blocks) == sorted(p.name for p in EXAMPLES), \
        "each ```scn block of the guide must be one whole file of docs/examples/, each file shown once"


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_guide_ExampleRunsAsDocumented(cli, tmp_path, example):
    canary = re.search(r"^canary$", example.read_text(), flags=re.M) is not None
    proc = cli.run("conform", "--target", "engine-sim", "--suite", example, "--report", tmp_path / "r",
                   "--failures", tmp_path / "failures", "--determinism")
    assert proc.returncode == (1 if canary else 0), describe(proc)
    # replay grades a canary as conform does its scenario: failing as required is its pass
    replay = cli.run("replay", example)
    assert replay.returncode == 0 and "# outcome pass" in replay.stdout, describe(replay)
    assert ("# violation " in replay.stdout) == canary, describe(replay)

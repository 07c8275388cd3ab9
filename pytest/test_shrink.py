# SPDX-License-Identifier: MIT
"""Failures from a seed sweep and from the fuzzer end as shrunk scenario files that
`multisock replay` reproduces on their own."""
import re

from conftest import REPO_ROOT, describe

SCENARIOS = REPO_ROOT / "conformance" / "scenarios"


def deviations(text):
    """Non-zero decisions in a scenario's `choices` lines (VALUE*COUNT counts COUNT)."""
    total = 0
    for line in text.splitlines():
        if not line.startswith("choices"):
            continue
        for item in line.split()[1:]:
            value, _, count = item.partition("*")
            if int(value):
                total += int(count or 1)
    return total


def test_conform_SeedSweepFailures_AreWrittenShrunkAndReplay(cli, tmp_path):
    failures = tmp_path / "failures"
    proc = cli.run("conform", "--target", "engine-sim:mutant=spurious_fails", "--suite",
                   SCENARIOS / "add_remove_churn.scn", "--policy", "chaos", "--runs", "3",
                   "--seed", "1000", "--failures", failures)
    assert proc.returncode == 1, describe(proc)
    failed = re.findall(r"^fail\s+add_remove_churn \(seed (\d+)\)", proc.stdout, re.M)
    assert failed, describe(proc)
    written = sorted(failures.glob("*.scn"))
    assert [p.name for p in written] == sorted(f"add_remove_churn-seed{s}-chaos.scn" for s in failed)
    assert proc.stdout.count("shrunk:    multisock replay") == len(failed)
    for path in written:
        text = path.read_text()
        assert "policy chaos" in text and "policy mutant spurious_fails" in text, text
        assert 1 <= deviations(text) <= 3, text
        replay = cli.run("replay", path)  # no option: everything is in the file
        assert replay.returncode == 1, describe(replay)
        assert "# violation SA-SPURIOUS" in replay.stdout, describe(replay)
        # Without the defect the same decisions pass: the failure is the mutant's.
        fixed = tmp_path / ("fixed-" + path.name)
        fixed.write_text(text.replace("policy mutant spurious_fails\n", ""))
        assert cli.run("replay", fixed).returncode == 0


def test_conform_NoShrink_WritesNothing(cli, tmp_path):
    proc = cli.run("conform", "--target", "engine-sim:mutant=spurious_fails", "--suite",
                   SCENARIOS / "add_remove_churn.scn", "--policy", "chaos", "--seed", "1000",
                   "--failures", tmp_path / "f", "--no-shrink")
    assert proc.returncode == 1, describe(proc)
    assert not (tmp_path / "f").exists()
    assert "shrunk:" not in proc.stdout


def test_shrink_FuzzerCrashFile_BecomesAReplayableScenario(cli, tmp_path):
    # An engine_sim fuzzer input: policy byte, fault-mix byte, transfers byte, then pieces of
    # the peer's reply (length byte, bytes). The double_done mutant fails on any of them.
    reply = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Pad: aaaaaaaaaaaaaaaaaaaa\r\n\r\nhello"
    crash = tmp_path / "crash-0123abcd"
    crash.write_bytes(bytes([0, 1, 3, len(reply) - 1]) + reply)
    proc = cli.run("shrink", "--fuzz-input", crash, "--target", "engine-sim:mutant=double_done",
                   "--out", tmp_path / "out")
    assert proc.returncode == 1, describe(proc)
    path = tmp_path / "out" / "fuzz-crash-0123abcd.scn"
    assert f"shrunk: {path}" in proc.stdout
    text = path.read_text()
    # The bytes were shrunk too: the reply is gone, one transfer is left.
    m = re.search(r"\((\d+) bytes, shrunk to (\d+) in \d+ runs\)", text)
    assert m and int(m.group(2)) < int(m.group(1)), text
    assert text.count("  add ") == 1, text
    replay = cli.run("replay", path)
    assert replay.returncode == 1, describe(replay)
    assert "# violation" in replay.stdout


def test_shrink_PassingRun_ExitsZeroAndWritesNothing(cli, tmp_path):
    proc = cli.run("shrink", SCENARIOS / "head_request.scn", "--out", tmp_path / "out")
    assert proc.returncode == 0, describe(proc)
    assert "nothing to shrink" in proc.stdout
    assert not (tmp_path / "out").exists()


def test_shrink_BadArguments_AreUsageErrors(cli, tmp_path):
    tiny = tmp_path / "tiny"
    tiny.write_bytes(b"\x01")
    cases = {
        "real target": ["shrink", SCENARIOS / "head_request.scn", "--target", "engine-real"],
        "no scenario": ["shrink"],
        "two sources": ["shrink", SCENARIOS / "head_request.scn", "--fuzz-input", tiny],
        "missing file": ["shrink", tmp_path / "nope.scn"],
        "too short input": ["shrink", "--fuzz-input", tiny],
        "unreadable input": ["shrink", "--fuzz-input", tmp_path / "absent"],
        "bad budget": ["shrink", SCENARIOS / "head_request.scn", "--max-runs", "0"],
        "bad seed": ["shrink", SCENARIOS / "head_request.scn", "--seed", "-3"],
        "bad policy": ["shrink", SCENARIOS / "head_request.scn", "--policy", "reckless"],
    }
    for name, argv in cases.items():
        proc = cli.run(*argv, "--out", tmp_path / "out")
        assert proc.returncode == 2, f"{name}\n" + describe(proc)
        assert proc.stderr.strip(), f"{name}: no message\n" + describe(proc)
    assert not (tmp_path / "out").exists()


def test_conform_PropertyFailures_EndInTheSameFolder_ShrunkTwice(cli, tmp_path):
    """A property history that fails is shrunk (the history, then its run's decisions) and
    written beside the seed sweep's failures; the file replays the failure on its own."""
    failures = tmp_path / "failures"
    proc = cli.run("conform", "--target", "engine-sim:mutant=spurious_fails", "--suite", "property",
                   "--runs", "40", "--seed", "1", "--failures", failures)
    assert proc.returncode == 1, describe(proc)
    failed = re.findall(r"^fail\s+property-(\d+) \(seed \d+\)", proc.stdout, re.M)
    assert failed, describe(proc)
    assert sorted(p.name for p in failures.glob("*.scn")) == sorted(f"property-{s}.scn" for s in failed)
    with_choices = 0
    for seed in sorted(failed, key=int)[:5]:  # the first five run (the console lists them by file name)
        path = failures / f"property-{seed}.scn"
        text = path.read_text()
        assert "Shrunk from the history of seed" in text, text
        with_choices += "\nchoices" in text
        replay = cli.run("replay", path, "--target", "engine-sim:mutant=spurious_fails")
        assert replay.returncode == 1 and "# violation SA-SPURIOUS" in replay.stdout, describe(replay)
    assert with_choices > 0

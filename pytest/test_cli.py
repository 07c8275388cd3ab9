# SPDX-License-Identifier: MIT
"""End-to-end tests of the `multisock` CLI: exit codes, messages, reports, determinism,
sharding, report merge/diff/html/matrix. Exit codes: 0 pass, 1 contract violation,
2 usage or scenario-file error, 3 harness error, 4 nondeterminism."""

import copy
import hashlib
import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import REPO_ROOT, cli_path, describe, load_json

# While the CLI is being written the whole module is skipped; every test here fails once
# the binary exists and misbehaves.

GROUPS = ["SA", "SC", "TM", "IR", "AS", "ER", "DP", "LG", "DT", "PA", "CL"]
VERDICTS = {"pass", "fail", "warn", "known", "skipped", "error", "flaky"}
SCENARIO_DIR = REPO_ROOT / "conformance" / "scenarios"
SEED = 42


def scenario_files():
    return sorted(SCENARIO_DIR.glob("*.scn"))


def is_canary(path) -> bool:
    """A canary scenario has a line that is just `canary`: it must fail, and only
    `--suite canary` runs it."""
    return any(line.strip() == "canary" for line in Path(path).read_text().splitlines())


def scripted_files():
    return [f for f in scenario_files() if not is_canary(f)]


def canary_files():
    return [f for f in scenario_files() if is_canary(f)]


def mutants():
    header = (REPO_ROOT / "engine" / "include" / "multisock" / "engine.hpp").read_text()
    return [(name, clause) for name, clause in re.findall(r'X\((\w+),\s*"([A-Z0-9-]*)"', header) if name != "none"]


def conform(cli, out_dir, *extra, target="engine-sim", suite="scripted", seed=SEED):
    args = ["conform", "--target", target, "--suite", suite, "--seed", seed]
    if out_dir is not None:
        args += ["--report", out_dir]
    return cli.run(*args, *extra, timeout=900)


def check_report_shape(report):
    """The parts of the schema these tests rely on (the library validates the rest)."""
    assert report["schema"] == "multisock-report/2"
    for key in ("tool", "generated_at", "target", "edition", "known", "verdict", "suite", "strict", "seeds",
                "shard", "speed", "summary", "clauses", "scenarios", "violations"):
        assert key in report, f"report lacks {key}"
    assert report["clauses"], "no clauses in the report"
    for c in report["clauses"]:
        assert c["verdict"] in VERDICTS, c
        assert c["group"] in GROUPS, c
    for s in report["scenarios"]:
        assert s["verdict"] in VERDICTS, s
    summary = report["summary"]
    for word in VERDICTS:
        assert summary["clauses"][word] == sum(1 for c in report["clauses"] if c["verdict"] == word), word
        assert summary["scenarios"][word] == sum(1 for s in report["scenarios"] if s["verdict"] == word), word
    assert summary["scenarios"]["total"] == len(report["scenarios"])
    assert summary["clauses"]["total"] == len(report["clauses"])


def without_run_noise(report):
    r = copy.deepcopy(report)
    r.pop("generated_at", None)
    r.pop("speed", None)
    return r


@pytest.fixture(scope="module")
def scripted_run(cli, tmp_path_factory):
    """One scripted run against the engine over simnet, shared by the tests that only read it."""
    out = tmp_path_factory.mktemp("scripted") / "out"
    proc = conform(cli, out)
    assert proc.returncode in (0, 1), describe(proc)
    return proc, out


# --------------------------------------------------------------------------- help and usage

HELP_COMMANDS = [[], ["conform"], ["replay"], ["clauses"], ["explain"], ["report"], ["report", "merge"],
                 ["report", "diff"], ["report", "html"], ["report", "matrix"]]


@pytest.mark.parametrize("command", HELP_COMMANDS, ids=lambda c: " ".join(c) or "top")
def test_help_EveryCommandHasHelp(cli, command):
    proc = cli.run(*command, "--help")
    assert proc.returncode == 0, describe(proc)
    # Its own help, not the top level's (which names every command too).
    first = proc.stdout.splitlines()[0] if proc.stdout else ""
    if not command:
        assert first == "usage: multisock <command> [options]", describe(proc)
    else:
        assert first.startswith(f"usage: multisock {command[0]} "), describe(proc)
    if len(command) == 2:  # a report subcommand: the shared help has a line of its own for it
        assert any(line.lstrip().startswith(f"report {command[1]} ") for line in proc.stdout.splitlines()), \
            describe(proc)


def test_help_TopLevelListsSubcommands(cli):
    text = cli.run("--help").stdout
    for sub in ("conform", "replay", "clauses", "explain", "report"):
        assert sub in text, text


def test_usage_NoArgumentsIsUsageError(cli):
    proc = cli.run()
    assert proc.returncode == 2, describe(proc)
    assert proc.stderr.strip(), "no message on stderr"


def test_usage_UnknownCommandIsUsageError(cli):
    proc = cli.run("frobnicate")
    assert proc.returncode == 2, describe(proc)
    assert "frobnicate" in proc.stderr, describe(proc)


BAD_CONFORM = {
    "missing target": ["conform", "--suite", "scripted"],
    "unknown target": ["conform", "--target", "no-such-target", "--suite", "scripted"],
    "unknown mutant": ["conform", "--target", "engine-sim:mutant=no_such_mutant", "--suite", "scripted"],
    "missing suite file": ["conform", "--target", "engine-sim", "--suite", "conformance/scenarios/absent.scn"],
    "bad seed": ["conform", "--target", "engine-sim", "--suite", "scripted", "--seed", "forty-two"],
    "bad shard": ["conform", "--target", "engine-sim", "--suite", "scripted", "--shard", "2/2"],
    "shard syntax": ["conform", "--target", "engine-sim", "--suite", "scripted", "--shard", "half"],
    "bad profile": ["conform", "--target", "engine-sim", "--suite", "scripted", "--profile", "libcurl-0.1"],
    "bad runs": ["conform", "--target", "engine-sim", "--suite", "scripted", "--runs", "0"],
    "bad loop": ["conform", "--target", "engine-sim", "--suite", "scripted", "--loop", "select"],
    "bad peers": ["conform", "--target", "engine-sim", "--suite", "property", "--peers", "http2"],
    "peers outside property": ["conform", "--target", "engine-sim", "--suite", "scripted", "--peers", "http1"],
    "unknown option": ["conform", "--target", "engine-sim", "--suite", "scripted", "--frobnicate"],
}


@pytest.mark.parametrize("case", sorted(BAD_CONFORM))
def test_conform_BadArgumentsAreUsageErrors(cli, tmp_path, case):
    out = tmp_path / "out"
    proc = cli.run(*BAD_CONFORM[case], "--report", out)
    assert proc.returncode == 2, describe(proc)
    assert proc.stderr.strip(), f"no message for {case}: " + describe(proc)
    assert not out.exists(), "a report folder was written for a usage error"


# Every numeric option of every command: out of range, negative, past 2^64-1, empty, with
# a sign, space or trailing junk. Each is one line on stderr and exit 2, before anything runs.
SCENARIO = "conformance/scenarios/timeout_on_hang.scn"
NUMERIC_OPTIONS = {"--seed", "--runs", "--repeat", "--shard", "--stop-at-event", "--max-runs"}
CONFORM = ["conform", "--target", "engine-sim", "--suite", SCENARIO]
BAD_NUMBERS = {
    "seed past 2^64-1": [*CONFORM, "--seed", "18446744073709551616"],
    "seed of 20 nines": [*CONFORM, "--seed", "99999999999999999999"],
    "seed with a space and a sign": [*CONFORM, "--seed", " -1"],
    "seed with a plus": [*CONFORM, "--seed", "+5"],
    "seed empty": [*CONFORM, "--seed="],
    "seed sweep that wraps": [*CONFORM, "--seed", "18446744073709551615", "--runs", "2"],
    "runs with junk": [*CONFORM, "--runs", "5x"],
    "runs with a space": [*CONFORM, "--runs", " 5"],
    "runs negative": [*CONFORM, "--runs", "-1"],
    "repeat in hex": [*CONFORM, "--repeat", "0x10"],
    "repeat past its cap": [*CONFORM, "--repeat", "1001"],
    "shard with a space": [*CONFORM, "--shard", " 0/2"],
    "shard of three parts": [*CONFORM, "--shard", "0/2/3"],
    "shard count past 2^64": [*CONFORM, "--shard", "0/18446744073709551617"],
    "replay seed negative": ["replay", SCENARIO, "--seed", "-1"],
    "replay stop past 2^63": ["replay", SCENARIO, "--stop-at-event", "99999999999999999999"],
    "replay stop with a space": ["replay", SCENARIO, "--stop-at-event", " 3"],
    "shrink seed past 2^64-1": ["shrink", SCENARIO, "--seed", "18446744073709551616", "--out", "OUT"],
    "shrink runs with a space": ["shrink", SCENARIO, "--max-runs", " 5", "--out", "OUT"],
    "shrink runs zero": ["shrink", SCENARIO, "--max-runs", "0", "--out", "OUT"],
    "diff seed negative": ["diff", "--target", "engine-sim", "--target", "engine-sim", "--suite", SCENARIO,
                           "--seed", "-1"],
    "diff seed of 20 nines": ["diff", "--target", "engine-sim", "--target", "engine-sim", "--suite", SCENARIO,
                              "--seed", "99999999999999999999"],
    "diff seed with junk": ["diff", "--target", "engine-sim", "--target", "engine-sim", "--suite", SCENARIO,
                            "--seed", "7 "],
}


@pytest.mark.parametrize("case", sorted(BAD_NUMBERS))
def test_numbers_BadValuesAreOneLineUsageErrors(cli, tmp_path, case):
    out = tmp_path / "out"
    argv = [str(out) if a == "OUT" else a for a in BAD_NUMBERS[case]]
    if argv[0] == "conform":
        argv += ["--report", out]
    proc = cli.run(*argv, timeout=60)
    assert proc.returncode == 2, describe(proc)
    assert len(proc.stderr.splitlines()) == 1 and proc.stderr.startswith("multisock: "), describe(proc)
    # The message names the option that was wrong and quotes its value.
    numeric = []  # (option, value), given as `--opt value` or `--opt=value`
    for i, word in enumerate(map(str, argv)):
        option, eq, value = word.partition("=")
        if option in NUMERIC_OPTIONS:
            numeric.append((option, value if eq else str(argv[i + 1])))
    if len(numeric) == 1:
        option, value = numeric[0]
        line = proc.stderr.rstrip("\n")
        assert line.startswith(f"multisock: {option} needs ") and line.endswith(f", not '{value}'"), describe(proc)
    else:  # a seed and a run count, each fine alone: their sweep would pass 2^64-1
        assert "--seed 18446744073709551615 with --runs 2 would pass seed 2^64-1" in proc.stderr, describe(proc)
    assert not proc.stdout, "something ran: " + describe(proc)
    assert not out.exists(), "a report or scenario was written for a usage error"


def test_numbers_LargestSeedsOfASweepAreAccepted(cli, tmp_path):
    """--runs N from --seed 2^64-N ends at 2^64-1 exactly: accepted, no seed wraps to 0."""
    proc = cli.run(*CONFORM, "--seed", str(2**64 - 2), "--runs", "2", "--report", tmp_path / "r", "--no-shrink")
    assert proc.returncode in (0, 1), describe(proc)
    assert load_json(tmp_path / "r" / "report.json")["seeds"] == [2**64 - 2, 2**64 - 1]


def test_numbers_ScenarioSeedSweepThatWrapsIsRefused(cli, tmp_path):
    """Without --seed, --runs counts from each scenario's own seed: 2^64-1 and one more run
    would wrap to seed 0."""
    text = (REPO_ROOT / SCENARIO).read_text().replace("\nseed 7\n", "\nseed 18446744073709551615\n")
    assert "seed 18446744073709551615" in text
    scenario = tmp_path / "top_seed.scn"
    scenario.write_text(text)
    proc = cli.run("conform", "--target", "engine-sim", "--suite", scenario, "--runs", "2",
                   "--report", tmp_path / "r")
    assert proc.returncode == 2, describe(proc)
    assert proc.stderr.endswith("(18446744073709551615) would pass seed 2^64-1; give --seed\n"), describe(proc)
    assert not (tmp_path / "r").exists()
    proc = cli.run("conform", "--target", "engine-sim", "--suite", scenario, "--report", tmp_path / "r")
    assert proc.returncode in (0, 1), describe(proc)


def test_usage_ErrorsAreOneLineWhateverTheWords(cli):
    """Several unknown words, or words with control characters, still make one line."""
    proc = cli.run(*CONFORM, "--frob", "--nicate", "--a", "--b", "--c")
    assert proc.returncode == 2, describe(proc)
    assert proc.stderr == ("multisock: unknown options or arguments '--frob', '--nicate', '--a' and 2 more "
                           "(try --help)\n"), describe(proc)
    proc = cli.run("conform", "--target", "lib\nx\x1b[2J")
    assert proc.returncode == 2, describe(proc)
    assert proc.stderr == "multisock: unknown target 'lib\\x0ax\\x1b[2J' (engine-sim, engine-sim:mutant=NAME, " \
                          "engine-real, lib:PATH[:prefix_])\n", describe(proc)
    proc = cli.run("explain", "SC\nCHANGES")
    assert proc.returncode == 2 and len(proc.stderr.splitlines()) == 1, describe(proc)


# --------------------------------------------------------------------------- clauses, explain

def test_clauses_ListsTheCatalogue(cli):
    proc = cli.run("clauses")
    assert proc.returncode == 0, describe(proc)
    for cid in ("SA-MASK", "SA-RUNNING", "SC-CHANGES", "SC-REMOVE", "TM-VALUE", "TM-AGREE", "IR-ONCE",
                "AS-UNKNOWN", "ER-CODES", "DP-SOCKET", "LG-CALL-AGAIN", "DT-REPLAY"):
        assert cid in proc.stdout, cid


def test_explain_KnownClauseShowsItsSource(cli):
    proc = cli.run("explain", "SC-CHANGES")
    assert proc.returncode == 0, describe(proc)
    assert "SC-CHANGES" in proc.stdout
    assert re.search(r"\(3\), libcurl \d+\.\d+\.\d+|\.md", proc.stdout), "no source document named: " + proc.stdout


def test_explain_UnknownClauseIsUsageError(cli):
    proc = cli.run("explain", "XX-NOPE")
    assert proc.returncode == 2, describe(proc)
    assert "XX-NOPE" in proc.stderr, describe(proc)


# --------------------------------------------------------------------------- conform

def test_conform_PrintsSeedFirstAndWritesThreeFiles(scripted_run):
    proc, out = scripted_run
    first = proc.stdout.splitlines()[0] if proc.stdout else ""
    assert "seed" in first.lower() and str(SEED) in first, describe(proc)
    for name in ("report.json", "junit.xml", "report.html"):
        assert (out / name).is_file(), name
    leftovers = [p.name for p in out.iterdir() if ".tmp" in p.name]
    assert not leftovers, leftovers


def test_conform_ReportMatchesExitCode(scripted_run):
    proc, out = scripted_run
    report = load_json(out / "report.json")
    check_report_shape(report)
    assert report["summary"]["exit_code"] == proc.returncode
    assert SEED in report["seeds"]
    assert report["target"]["kind"] == "engine-sim"
    assert report["shard"] == {"index": 0, "count": 1}
    # Files are named below the scenario folder, whatever the current folder.
    scripted = {str(f.relative_to(SCENARIO_DIR)) for f in scripted_files()}
    assert scripted, f"no scripted (non-canary) scenario files under {SCENARIO_DIR}"
    assert {s["file"] for s in report["scenarios"]} == scripted, "the scripted suite is every non-canary file"
    assert len(report["scenarios"]) == len(scripted)
    if proc.returncode == 0:
        assert report["summary"]["clauses"]["fail"] == 0 and report["summary"]["scenarios"]["fail"] == 0
    else:
        assert report["summary"]["clauses"]["fail"] > 0 and report["violations"]


def test_conform_ViolationsCarryReproAndTimeline(cli, tmp_path):
    # The canaries: a suite that has violations (the scripted one passes on the engine).
    out = tmp_path / "canary"
    proc = conform(cli, out, suite="canary")
    assert proc.returncode == 1, describe(proc)
    report = load_json(out / "report.json")
    clause_ids = {c["id"] for c in report["clauses"]}
    names = {s["name"] for s in report["scenarios"]}
    assert report["violations"], describe(proc)
    for v in report["violations"]:
        assert (v["clause"] in clause_ids or (v["clause"] == "" and v["expectation"])) and v["scenario"] in names
        assert v["repro"].startswith("multisock replay "), v["repro"]
        assert v["timeline"], "violation without timeline"


def test_conform_ScenarioReproCommandsReplay(cli, scripted_run):
    _, out = scripted_run
    report = load_json(out / "report.json")
    s = report["scenarios"][0]
    argv = s["repro"].split()
    assert argv[:2] == ["multisock", "replay"], s["repro"]
    proc = cli.run(*argv[1:])
    assert proc.returncode == 0, describe(proc)
    assert proc.stdout.strip()


def test_conform_JunitParsesAndCountsMatchJson(scripted_run):
    _, out = scripted_run
    report = load_json(out / "report.json")
    root = ET.parse(out / "junit.xml").getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    assert len(suites) == 1
    suite = suites[0]
    cases = suite.findall("testcase")
    assert int(suite.get("tests")) == len(cases)
    failures = [c for c in cases if c.find("failure") is not None]
    errors = [c for c in cases if c.find("error") is not None]
    skipped = [c for c in cases if c.find("skipped") is not None]
    assert int(suite.get("failures")) == len(failures)
    assert int(suite.get("errors")) == len(errors)
    assert int(suite.get("skipped")) == len(skipped)
    # One testcase per scenario; its result is the scenario's verdict.
    assert len(cases) == len(report["scenarios"])
    counts = report["summary"]["scenarios"]
    assert len(failures) == counts["fail"] + counts["flaky"]
    assert len(errors) == counts["error"]
    assert len(skipped) == counts["skipped"] + counts["known"]
    if report["summary"]["exit_code"] == 0:
        assert not failures and not errors


def test_conform_HtmlIsSelfContained(scripted_run):
    _, out = scripted_run
    html = (out / "report.html").read_text()
    assert html.startswith("<!DOCTYPE html>")
    assert 'class="matrix"' in html
    assert not re.search(r'(src|href)="(https?:)?//', html), "the page loads something from the network"


def listed_files(proc):
    """The scenario files named by `conform --list` (one per line, first word)."""
    return {line.split()[0] for line in proc.stdout.splitlines()[1:] if line.split() and line.split()[0].endswith(".scn")}


@pytest.mark.parametrize("suite", ["scripted", "canary"])
def test_conform_ListWritesNothing(cli, tmp_path, suite):
    out = tmp_path / "out"
    proc = conform(cli, out, "--list", suite=suite)
    assert proc.returncode == 0, describe(proc)
    first = proc.stdout.splitlines()[0] if proc.stdout else ""
    assert "seed" in first.lower() and str(SEED) in first, describe(proc)
    expected = scripted_files() if suite == "scripted" else canary_files()
    assert expected, f"no {suite} scenario files under {SCENARIO_DIR}"
    assert listed_files(proc) == {str(f.relative_to(REPO_ROOT)) for f in expected}, describe(proc)
    assert not out.exists()


def test_conform_CanarySuiteMustFail(cli, tmp_path):
    """The canaries prove the harness can go red: `--suite canary` exits 1 with failing clauses."""
    out = tmp_path / "canary"
    proc = conform(cli, out, suite="canary")
    assert proc.returncode == 1, describe(proc)
    report = load_json(out / "report.json")
    check_report_shape(report)
    assert report["summary"]["exit_code"] == 1
    assert report["summary"]["clauses"]["fail"] > 0 and report["violations"], describe(proc)
    # Every canary fired ("failed as required"): a silent one would be an error (exit 3).
    assert {s["verdict"] for s in report["scenarios"]} == {"fail"}, describe(proc)
    assert all(s["detail"] == "canary: failed as required" for s in report["scenarios"])
    assert {s["file"] for s in report["scenarios"]} == {str(f.relative_to(SCENARIO_DIR)) for f in canary_files()}


def test_conform_SameSeedSameReport(cli, tmp_path, scripted_run):
    _, first = scripted_run
    proc = conform(cli, tmp_path / "again")
    assert proc.returncode in (0, 1), describe(proc)
    a = load_json(first / "report.json")
    b = load_json(tmp_path / "again" / "report.json")
    assert without_run_noise(a) == without_run_noise(b)
    junit_a = re.sub(r'(time|timestamp)="[^"]*"', "", (first / "junit.xml").read_text())
    junit_b = re.sub(r'(time|timestamp)="[^"]*"', "", (tmp_path / "again" / "junit.xml").read_text())
    assert junit_a == junit_b


def test_conform_ShardsMergeToTheWholeRun(cli, tmp_path, scripted_run):
    _, whole_dir = scripted_run
    shards = []
    for i in range(2):
        d = tmp_path / f"shard{i}"
        proc = conform(cli, d, "--shard", f"{i}/2")
        assert proc.returncode in (0, 1), describe(proc)
        report = load_json(d / "report.json")
        assert report["shard"] == {"index": i, "count": 2}
        shards.append(d / "report.json")
    assert load_json(shards[0])["scenarios"] != load_json(whole_dir / "report.json")["scenarios"], \
        "shard 0 ran everything"
    proc = cli.run("report", "merge", "--out", tmp_path / "merged", *shards)
    assert proc.returncode in (0, 1), describe(proc)
    merged = load_json(tmp_path / "merged" / "report.json")
    whole = load_json(whole_dir / "report.json")
    # merge exits 0 when the merged run passed, 1 otherwise.
    assert proc.returncode == (0 if merged["summary"]["exit_code"] == 0 else 1), describe(proc)
    assert {c["id"]: c["verdict"] for c in merged["clauses"]} == {c["id"]: c["verdict"] for c in whole["clauses"]}
    key = lambda s: (s["file"], s["name"], s["seed"])
    assert {key(s): s["verdict"] for s in merged["scenarios"]} == {key(s): s["verdict"] for s in whole["scenarios"]}
    assert merged["verdict"] == whole["verdict"]
    assert {key(s): s["trace_hash"] for s in merged["scenarios"]} == \
        {key(s): s["trace_hash"] for s in whole["scenarios"]}
    assert merged["summary"]["exit_code"] == whole["summary"]["exit_code"]
    assert (tmp_path / "merged" / "junit.xml").is_file() and (tmp_path / "merged" / "report.html").is_file()


def test_conform_BadScenarioFileNamesLineAndColumn(cli, tmp_path):
    bad = tmp_path / "bad.scn"
    bad.write_text("# a scenario with a typo on line 3\nseed 42\nfrobnicate the peer\n")
    out = tmp_path / "out"
    proc = conform(cli, out, suite=bad)
    assert proc.returncode == 2, describe(proc)
    assert re.search(r"bad\.scn:3:\d+", proc.stderr), describe(proc)
    assert not out.exists(), "a report folder was written for a bad scenario file"


def test_conform_ClassicLoopOverDrivesEveryScenario(cli, tmp_path):
    """--loop drives every scenario with a classic loop: the scenarios about socket and timer
    callbacks are skipped, saying why, the rest pass on the engine, and the trace shows
    multi_perform and multi_poll calls and no socket_action."""
    proc = cli.run("conform", "--target", "engine-sim", "--suite", "scripted", "--loop", "perform-poll",
                   "--no-shrink", "--report", tmp_path / "r")
    assert proc.returncode == 0, describe(proc)
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    verdicts = {s["name"]: s["verdict"] for s in report["scenarios"]}
    skipped = sorted(n for n, v in verdicts.items() if v == "skipped")
    assert "abort_from_socket_callback" in skipped and "nested_calls_in_callbacks" in skipped, skipped
    assert "keepalive_reuse_two_handles" not in skipped and len(skipped) < len(verdicts) // 4, skipped
    replay = cli.run("replay", REPO_ROOT / "conformance" / "scenarios" / "keepalive_reuse_two_handles.scn",
                     "--loop", "perform-poll")
    assert replay.returncode == 0 and "# outcome pass" in replay.stdout, describe(replay)
    assert '"kind":"perform"' in replay.stdout and '"kind":"multi_poll"' in replay.stdout, describe(replay)
    assert '"kind":"socket_action"' not in replay.stdout and '"kind":"socket_cb"' not in replay.stdout


def test_conform_OneScenarioFileAsSuite(cli, tmp_path):
    files = scripted_files()
    assert files, f"no scripted scenario files under {SCENARIO_DIR}"
    proc = conform(cli, tmp_path / "one", suite=files[0].relative_to(REPO_ROOT))
    assert proc.returncode in (0, 1), describe(proc)
    report = load_json(tmp_path / "one" / "report.json")
    # Named below the folder of the file given as the suite.
    assert {s["file"] for s in report["scenarios"]} == {files[0].name}


MATRIX_ROW = re.compile(r"^(\w+)\s+([A-Z0-9-]+)\s+(killed|SURVIVED)\s*(.*)$")


@pytest.fixture(scope="module")
def kill_matrix(cli, tmp_path_factory):
    """`conform --mutants`: the scripted suite against every mutant. Returns (proc, rows) with
    rows {mutant: (clause, verdict, first killing scenario)}."""
    out = tmp_path_factory.mktemp("mutants") / "out"
    proc = conform(cli, out, "--mutants")
    assert proc.returncode in (0, 1), describe(proc)
    lines = proc.stdout.splitlines()
    assert "seed" in lines[0].lower() and str(SEED) in lines[0], describe(proc)
    assert lines[1].split() == ["mutant", "breaks", "verdict", "first", "killing", "scenario"], describe(proc)
    rows = {}
    for line in lines[2:]:
        m = MATRIX_ROW.match(line)
        if m:
            rows[m.group(1)] = (m.group(2), m.group(3), m.group(4).strip())
    assert not out.exists(), "--mutants wrote a report folder"
    return proc, rows


def test_mutants_KillMatrixListsEveryMutant(kill_matrix, scripted_run):
    proc, rows = kill_matrix
    expected = mutants()
    assert expected, "no mutants found in engine/include/multisock/engine.hpp"
    assert {name: clause for name, (clause, _, _) in rows.items()} == dict(expected), describe(proc)
    scripted = {s["name"] for s in load_json(scripted_run[1] / "report.json")["scenarios"]}
    killed = [name for name, (_, verdict, _) in rows.items() if verdict == "killed"]
    for name in killed:
        killer = rows[name][2]
        assert killer, f"{name} killed by no named scenario"
        assert killer.split()[0] in scripted, f"{name}: killer {killer!r} is not a scripted scenario"
    for name, (_, verdict, killer) in rows.items():
        if verdict == "SURVIVED":
            assert not killer, f"{name} survived yet names a killer: {killer!r}"
    total = len(rows)
    assert re.search(rf"^{len(killed)} of {total} mutants killed \(\d+%\)$", proc.stdout, re.M), describe(proc)
    # Exit 1 exactly when a mutant survives.
    assert proc.returncode == (0 if len(killed) == total else 1), describe(proc)


def test_mutants_MostAreKilled(kill_matrix):
    proc, rows = kill_matrix
    killed = sum(1 for _, verdict, _ in rows.values() if verdict == "killed")
    assert rows and 2 * killed > len(rows), describe(proc)


def test_mutants_EveryMutantIsKilled(kill_matrix):
    proc, rows = kill_matrix
    survivors = sorted(f"{name} ({clause})" for name, (clause, verdict, _) in rows.items() if verdict != "killed")
    assert rows and not survivors, "mutants that the scripted suite does not kill: " + ", ".join(survivors)
    assert proc.returncode == 0, describe(proc)


@pytest.mark.parametrize("mutant,clause", mutants() or [("none-listed", "")])
def test_conform_MutantTargetAgreesWithKillMatrix(cli, tmp_path, kill_matrix, mutant, clause):
    """A strict conform run against one mutant fails exactly when the kill matrix says the
    mutant is killed, and then the killing scenario is among the failed ones."""
    assert mutant != "none-listed", "no mutants found in engine/include/multisock/engine.hpp"
    _, rows = kill_matrix
    assert mutant in rows, f"{mutant} missing from the kill matrix"
    _, verdict, killer = rows[mutant]
    proc = conform(cli, tmp_path / "m", "--strict", "--no-shrink", target=f"engine-sim:mutant={mutant}")
    report = load_json(tmp_path / "m" / "report.json")
    assert report["target"]["name"].endswith(mutant) or mutant in json.dumps(report["target"]), report["target"]
    failed = {s["name"] for s in report["scenarios"] if s["verdict"] == "fail"}
    severity = {c["id"]: c["severity"] for c in report["clauses"]}.get(clause)
    if verdict == "killed" and severity == "OBSERVED":
        # The edition only observes the clause (PA-RESUME since curl 7.75): a warning.
        warned = {s["name"] for s in report["scenarios"] if s["verdict"] == "warn"}
        assert proc.returncode == 0 and killer.split()[0] in warned, describe(proc)
    elif verdict == "killed":
        assert proc.returncode == 1, describe(proc)
        assert killer.split()[0] in failed, f"{mutant}: killer {killer!r} not among failed {sorted(failed)}"
    else:
        assert proc.returncode == 0 and not failed, describe(proc)


# --------------------------------------------------------------------------- replay

def replay_events(proc):
    """Replay prints `# ...` comment lines and one `INDEX {json}` line per trace event; the
    indices must count up from 0. Any other line is an error."""
    events = []
    for line in proc.stdout.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        m = re.fullmatch(r"(\d+) (\{.*\})", line)
        assert m, f"not an event line: {line!r}\n" + describe(proc)
        assert int(m.group(1)) == len(events), f"event index out of order: {line!r}"
        events.append(json.loads(m.group(2)))
    return events


# A run this long is checked and hashed on a thread of its own as it runs (TraceAside in
# conformance/driver/runner.cpp, from an estimated 8,192 events); a shorter one after it.
EVENTS_HASHED_ASIDE = 8192
HOUR_FILE = REPO_ROOT / "conformance" / "bench" / "an_hour_of_timeouts.scn"


@pytest.mark.parametrize("length", ["short", "long"])
def test_replay_PrintsTheTraceAsJsonLines(cli, length):
    files = scripted_files()
    assert files, f"no scripted scenario files under {SCENARIO_DIR}"
    file = files[0] if length == "short" else HOUR_FILE
    proc = cli.run("replay", file, "--target", "engine-sim", "--seed", SEED)
    assert proc.returncode in (0, 1), describe(proc)
    events = replay_events(proc)
    assert events and all("kind" in e for e in events), describe(proc)
    assert (len(events) >= EVENTS_HASHED_ASIDE) == (length == "long"), len(events)
    assert re.search(r"^# outcome ", proc.stdout, re.M), describe(proc)
    # The lines printed are the trace the run hashed: their digest is the hash it reports.
    printed = "".join(line.split(" ", 1)[1] + "\n" for line in proc.stdout.splitlines()
                      if line and not line.startswith("#"))
    reported = re.search(r"^# outcome .* trace ([0-9a-f]{64})$", proc.stdout, re.M)
    assert reported, describe(proc)
    assert hashlib.sha256(printed.encode()).hexdigest() == reported.group(1)
    again = cli.run("replay", file, "--target", "engine-sim", "--seed", SEED)
    assert again.stdout == proc.stdout, "replay is not deterministic"
    stop = min(5, len(events) - 1)
    cut = cli.run("replay", file, "--target", "engine-sim", "--seed", SEED, "--stop-at-event", stop)
    cut_events = replay_events(cut)
    assert len(cut_events) == stop + 1, describe(cut)
    assert cut_events == events[:len(cut_events)]


def test_replay_CanaryShowsItsViolations(cli):
    files = canary_files()
    assert files, f"no canary scenario files under {SCENARIO_DIR}"
    proc = cli.run("replay", files[0], "--target", "engine-sim")
    assert replay_events(proc), describe(proc)
    assert re.search(r"^# violation [A-Z]+-[A-Z0-9-]+ at event \d+", proc.stdout, re.M), describe(proc)


def test_replay_MissingFileIsUsageError(cli, tmp_path):
    proc = cli.run("replay", tmp_path / "absent.scn")
    assert proc.returncode == 2, describe(proc)
    assert "absent.scn" in proc.stderr


# --------------------------------------------------------------------------- report subcommands

def inject_regression(report):
    """A copy of a report in which one passing clause now fails with a new violation."""
    r = copy.deepcopy(report)
    victim = next(c for c in r["clauses"] if c["verdict"] == "pass")
    victim["verdict"] = "fail"
    victim["violations"] += 1
    scenario = r["scenarios"][0]
    r["violations"].append({
        "clause": victim["id"], "scenario": scenario["name"], "seed": scenario["seed"], "event_index": 0,
        "time_ns": 0, "message": "injected by the test", "quote": victim["source"]["quote"],
        "repro": scenario["repro"], "known": "", "severity": victim["severity"],
        "trace_excerpt": [{"kind": "note", "text": "injected"}], "excerpt_first_index": 0,
        "timeline": [{"kind": "note", "text": "injected"}], "timeline_first_index": 0})
    s = r["summary"]
    s["clauses"]["pass"] -= 1
    s["clauses"]["fail"] += 1
    s["scenarios"][scenario["verdict"]] -= 1
    s["scenarios"]["fail"] += 1
    scenario["verdict"] = "fail"
    scenario["detail"] = "injected"
    r["verdict"] = "fail"
    s["exit_code"] = 1
    return r, victim["id"]


def test_reportDiff_CatchesAnInjectedRegression(cli, tmp_path, scripted_run):
    _, out = scripted_run
    old = out / "report.json"
    same = cli.run("report", "diff", old, old)
    assert same.returncode == 0, describe(same)
    worse, clause_id = inject_regression(load_json(old))
    new = tmp_path / "new.json"
    new.write_text(json.dumps(worse, indent=2))
    proc = cli.run("report", "diff", old, new)
    assert proc.returncode == 1, describe(proc)
    assert clause_id in proc.stdout + proc.stderr
    back = cli.run("report", "diff", new, old)
    assert back.returncode == 0, "a fix was reported as a regression: " + describe(back)


def test_reportCommands_RejectBrokenReports(cli, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"schema": "multisock-report/1", "clauses": 3}')
    notjson = tmp_path / "notjson.json"
    notjson.write_text("{")
    for args in (["matrix", broken], ["diff", broken, broken], ["html", "--out", tmp_path / "x.html", notjson],
                 ["merge", "--out", tmp_path / "m", broken]):
        proc = cli.run("report", *args)
        assert proc.returncode == 2, describe(proc)
        assert "broken.json" in proc.stderr or "notjson.json" in proc.stderr, describe(proc)
    assert not (tmp_path / "x.html").exists() and not (tmp_path / "m").exists()


def test_reportMatrix_PrintsMarkdownTable(cli, scripted_run):
    _, out = scripted_run
    proc = cli.run("report", "matrix", out / "report.json")
    assert proc.returncode == 0, describe(proc)
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("| clause |") and "engine-sim" in lines[0], proc.stdout
    assert lines[1].startswith("|---")
    report = load_json(out / "report.json")
    rows = [l for l in lines[2:] if l.startswith("| ")]
    assert len(rows) == len(report["clauses"])


def test_reportHtml_CombinesReports(cli, tmp_path, scripted_run):
    _, out = scripted_run
    other = load_json(out / "report.json")
    other["target"]["name"] = "second-target"
    (tmp_path / "other.json").write_text(json.dumps(other))
    page = tmp_path / "page" / "combined.html"
    proc = cli.run("report", "html", "--out", page, out / "report.json", tmp_path / "other.json")
    assert proc.returncode == 0, describe(proc)
    html = page.read_text()
    assert "<th>engine-sim</th><th>second-target</th>" in html


def test_replay_ReproducesEveryViolationAtTheSameEventIndex(cli, tmp_path):
    """A failing case from a report, replayed with its reproduction command, shows the same
    violation at the same event index (the canaries and a mutant provide failing cases)."""
    out = tmp_path / "canary"
    proc = cli.run("conform", "--target", "engine-sim", "--suite", "canary", "--report", out)
    assert proc.returncode == 1, describe(proc)
    report = load_json(out / "report.json")
    checked = 0
    for v in report["violations"]:
        scenario = next(s for s in report["scenarios"] if s["name"] == v["scenario"])
        argv = scenario["repro"].split()[1:]  # drop the program name
        replay = cli.run(*argv)
        # The replay prints the runner's outcome (a canary passes when its expected violation
        # shows), so the exit code is not the point here: the violation line is.
        assert replay.returncode in (0, 1), describe(replay)
        wanted = f"# violation {v['clause']} at event {v['event_index']} "
        assert wanted in replay.stdout, f"{wanted!r} not in replay output\n" + describe(replay)
        checked += 1
    assert checked > 0


def test_files_that_would_run_nothing_are_refused(cli, tmp_path):
    """An empty or comment-only scenario, a folder or a device given as a scenario file, a
    probability that is no probability, a tab in the indentation: one line and exit 2."""
    cases = {
        "empty.scn": ("", 'empty.scn:1:1: no "client" block'),
        "comment.scn": ("# just a comment\n", 'comment.scn:1:1: no "client" block'),
        "huge.scn": ("seed 1\npolicy spurious-in 1e308\nclient\n  at 1s end\n",
                     'huge.scn:2:20: policy spurious-in: probability must be a number in [0, 1], not "1e308"'),
        "tab.scn": ("seed 1\nclient\n\tat 1s end\n", "tab.scn:3:1: a tab in the indentation"),
    }
    for name, (text, message) in cases.items():
        path = tmp_path / name
        path.write_text(text)
        proc = cli.run("replay", path)
        assert proc.returncode == 2, describe(proc)
        assert message in proc.stderr, describe(proc)
    proc = cli.run("replay", tmp_path)
    assert proc.returncode == 2 and "a directory, not a file" in proc.stderr, describe(proc)
    proc = cli.run("replay", "/dev/zero", timeout=20)
    assert proc.returncode == 2 and "not a regular file" in proc.stderr, describe(proc)
    proc = cli.run("shrink", "--fuzz-input", tmp_path)
    assert proc.returncode == 2 and "a directory, not a file" in proc.stderr, describe(proc)


# --------------------------------------------------------------------------- hostile report files

def mutated(tmp_path, scripted_run, name, change=None, text=None):
    """A copy of the report the scripted run wrote, changed by `change(report)` or replaced by
    `text(original_text)`, at tmp_path/name."""
    _, out = scripted_run
    original = (out / "report.json").read_text()
    path = tmp_path / name
    if text is not None:
        data = text(original)
        path.write_bytes(data if isinstance(data, bytes) else data.encode())
    else:
        report = json.loads(original)
        change(report)
        path.write_text(json.dumps(report, indent=2))
    return path


def nested(levels):
    return lambda original: '{"extra": ' + "[" * levels + "]" * levels + "," + original.lstrip()[1:]


@pytest.mark.parametrize("levels", [100_000, 30_000])
def test_reportCommands_RefuseDeepNestingQuickly(cli, tmp_path, scripted_run, levels):
    """100,000 levels crashed merge and html (stack overflow), 30,000 took half a minute."""
    deep = mutated(tmp_path, scripted_run, "deep.json", text=nested(levels))
    for args in (["merge", "--out", tmp_path / "m", deep], ["html", "--out", tmp_path / "p.html", deep],
                 ["diff", deep, deep], ["matrix", deep]):
        proc = cli.run("report", *args, timeout=20)
        assert proc.returncode == 2, describe(proc)
        assert proc.stderr == f"multisock: {deep}:1:74: nested deeper than 64 levels\n", describe(proc)
    assert not (tmp_path / "m").exists() and not (tmp_path / "p.html").exists()


def test_reportMerge_RefusesACounterThatWouldWrap(cli, tmp_path, scripted_run):
    """A counter of 2^64-1 was accepted and wrapped to a small number in the merged report."""
    def huge(report):
        report["clauses"][0]["exercised"] = 18446744073709551615
    bad = mutated(tmp_path, scripted_run, "huge.json", huge)
    _, out = scripted_run
    proc = cli.run("report", "merge", "--out", tmp_path / "m", bad, out / "report.json")
    assert proc.returncode == 2, describe(proc)
    assert f"{bad}: not a valid multisock-report/2 report" in proc.stderr, describe(proc)
    assert ("/clauses/0/exercised: expected an integer in [0, 2^53), got 18446744073709551615"
            in proc.stderr), describe(proc)
    assert not (tmp_path / "m").exists()

    def at_cap(report):
        report["clauses"][0]["exercised"] = 2**53 - 1
    a = mutated(tmp_path, scripted_run, "a.json", at_cap)
    b = mutated(tmp_path, scripted_run, "b.json", at_cap)
    proc = cli.run("report", "merge", "--out", tmp_path / "m", a, b)
    assert proc.returncode == 2, describe(proc)
    clause = load_json(a)["clauses"][0]["id"]
    assert proc.stderr == f"multisock: merge: {b}: clause {clause}: exercised adds up past 9007199254740991\n", \
        describe(proc)


def test_reportCommands_RefuseWhatIsNoRegularFile(cli, tmp_path):
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    for path, reason in ((tmp_path, "a directory, not a report file"), (Path("/dev/zero"), "not a regular file"),
                         (fifo, "not a regular file")):
        proc = cli.run("report", "matrix", path, timeout=20)
        assert proc.returncode == 2, describe(proc)
        assert proc.stderr == f"multisock: {path}: {reason}\n", describe(proc)


def test_reportMerge_RefusesOneScenarioFromTwoFiles(cli, tmp_path, scripted_run):
    """Shards listing one scenario name and seed from different files would leave its
    violations with two owners (and made an invalid merged report)."""
    def moved(report):
        report["scenarios"][0]["file"] = "elsewhere/" + report["scenarios"][0]["file"]
    _, out = scripted_run
    other = mutated(tmp_path, scripted_run, "other.json", moved)
    proc = cli.run("report", "merge", "--out", tmp_path / "m", out / "report.json", other)
    assert proc.returncode == 2, describe(proc)
    assert f"multisock: merge: {other}: scenario " in proc.stderr and " in " + str(out / "report.json") in proc.stderr, \
        describe(proc)


def test_reportCommands_NameWhereTheTextIsBroken(cli, tmp_path, scripted_run):
    def dup_key(original):
        return original.replace('\n  "verdict": ', '\n  "verdict": "pass",\n  "verdict": ', 1)
    cases = {
        "dup.json": (dup_key, "/verdict: duplicate key"),
        "utf8.json": (lambda o: o.encode().replace(b'"suite": "scripted"', b'"suite": "scri\xffpted"', 1),
                      "not JSON: syntax error while parsing value - invalid string: ill-formed UTF-8 byte"),
        "long.json": (lambda o: '{"x": "' + "y" * ((1 << 20) + 1) + '",' + o.lstrip()[1:], "1:7: a string longer than"),
    }
    for name, (change, message) in cases.items():
        path = mutated(tmp_path, scripted_run, name, text=change)
        proc = cli.run("report", "matrix", path)
        assert proc.returncode == 2, describe(proc)
        assert message in proc.stderr and proc.stderr.startswith(f"multisock: {path}"), describe(proc)
        assert len(proc.stderr.splitlines()) == 1, describe(proc)


def test_reportCommands_SurviveAHugeTimestampFraction(cli, tmp_path, scripted_run):
    """std::regex exhausted the stack on a timestamp with a fraction of 300,000 digits."""
    def long_fraction(report):
        report["generated_at"] = "2026-11-23T12:00:00." + "1" * 300_000 + "Z"
    path = mutated(tmp_path, scripted_run, "ts.json", long_fraction)
    proc = cli.run("report", "matrix", path)
    assert proc.returncode == 0, describe(proc)


def test_reportDiff_NamesCannotForgeLines(cli, tmp_path, scripted_run):
    def forged(report):
        name = report["scenarios"][0]["name"]
        report["scenarios"][0]["name"] = name + "\nnot regressed\n\x1b[2J"
        for v in report["violations"]:
            if v["scenario"] == name:
                v["scenario"] = report["scenarios"][0]["name"]
    _, out = scripted_run
    path = mutated(tmp_path, scripted_run, "forged.json", forged)
    proc = cli.run("report", "diff", out / "report.json", path)
    assert proc.returncode == 0, describe(proc)
    assert "\x1b" not in proc.stdout and proc.stdout.count("not regressed") == 2, describe(proc)
    assert "\\x0anot regressed\\x0a\\x1b[2J (seed" in proc.stdout, describe(proc)

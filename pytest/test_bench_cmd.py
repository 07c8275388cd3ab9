# SPDX-License-Identifier: MIT
"""`multisock bench`: one quick run against the system libcurl (its own nginx, its own
workers), then checks of what it wrote: the goals agree with the figures beside them, the
pages are what `--render` makes of the JSON, the scaling plot has one curve per side and
operation; and bad options or libraries get a clear error, never a crash. Figures are not
judged: a quick run on a busy machine measures nothing worth asserting."""

import json
import re

import pytest

from conftest import describe

LIBCURL = "/usr/lib/x86_64-linux-gnu/libcurl.so.4"


@pytest.fixture(scope="module")
def quick_run(cli, tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    proc = cli.run("bench", "--quick", "--quiet", "--lib", LIBCURL, "--report", out, timeout=600)
    assert proc.returncode == 0, describe(proc)
    return out, proc


def _load(out):
    return json.loads((out / "bench.json").read_text())


def test_bench_WritesEverySectionWithBothSides(quick_run):
    out, _ = quick_run
    rep = _load(out)
    assert rep["format"] == "multisock-bench/1"
    assert rep["implementations"]["library"]["version"].startswith("libcurl/")
    assert rep["implementations"]["engine"]["version"].startswith("multisock/")
    for mode in rep["keepalive"]["modes"]:
        for side in ("engine", "library"):
            assert mode[side]["cpu_us_per_get"] > 0
            # Every GET ends with a DONE the loop read: at least one socket callback per
            # connection, so never zero callbacks.
            assert mode[side]["socket_callbacks_per_get"] > 0
    assert rep["bulk"]["megabytes"] == 5
    assert rep["fetch"]["files"] == 50
    # Over HTTPS: a connection per file, both clients trusting the CA file made for the run
    # (the system's bundle and the run's CA), every file checked for its size.
    assert rep["tls"]["files"] == 50
    assert rep["tls"]["ca_certificates"] >= 1
    for client in ("multisock_fetch", "curl"):
        assert rep["tls"][client]["wall_ms"] > 0 and rep["tls"][client]["cpu_ms"] > 0
    assert rep["memory"]["engine"] > 0 and rep["memory"]["library"] > 0
    assert rep["scaling"]["handles"] == [100, 1000]
    for op, v in rep["scaling"]["operations"].items():
        assert len(v["engine"]) == 2 and len(v["library"]) == 2, op
        assert all(x > 0 for x in v["engine"] + v["library"]), op
    assert [t["transfers"] for t in rep["simulator"]["transfers"]] == [200, 1000]
    assert rep["simulator"]["property"]["histories"] == 100
    # The same sweep through conform --jobs, on every core (at least two jobs).
    jobs = rep["simulator"]["property_jobs"]
    assert jobs["histories"] == 100 and jobs["jobs"] >= 2 and jobs["per_wall_second"] > 0
    assert f"`--jobs {jobs['jobs']}`" in (out / "bench.md").read_text()
    # The hour file's process, and beside it the same program doing nothing but start and end.
    hour = rep["simulator"]["hour"]
    assert hour["cpu_ms_median"] > 0 and hour["process_start_wall_ms_median"] > 0
    assert hour["wall_ms_best"] <= hour["wall_ms_median"]
    # A TLS handshake's cost, every one of them verified (a failed one fails the bench).
    hs = rep["simulator"]["tls_handshake"]
    assert hs["handshakes"] == 200 and hs["cpu_us_each"] > 0
    assert "µs of CPU each (least of 3 rounds of 200)" in (out / "bench.md").read_text()
    # The suite's histories run again in the bench to count their TLS handshakes (the bench
    # fails when their events differ from the suite's report): some of the first 100 seeds'
    # HTTP/2 peers speak TLS, and the floor they set is printed beside the handshake's cost.
    prop = rep["simulator"]["property"]
    assert isinstance(prop["tls_handshakes"], int) and 0 < prop["tls_handshakes"] <= 2 * prop["histories"]
    assert f"{prop['tls_handshakes']:,} handshakes completed" in (out / "bench.md").read_text()


def test_bench_GoalsAgreeWithTheirFigures(quick_run):
    out, proc = quick_run
    rep = _load(out)
    compare = {"at most": lambda m, b: m <= b, "below": lambda m, b: m < b, "at least": lambda m, b: m >= b}
    ids = [g["id"] for g in rep["goals"]]
    assert "keepalive-cpu" in ids and "memory-idle-handle" in ids and "property-rate" in ids
    for g in rep["goals"]:
        assert g["met"] == compare[g["comparison"]](g["measured"], g["bound"]), g
    # The figures the goals quote are the ones in their sections.
    by_id = {g["id"]: g for g in rep["goals"]}
    example = next(m for m in rep["keepalive"]["modes"] if m["name"] == "example")
    assert by_id["keepalive-cpu"]["measured"] == example["ratio_cpu"]
    assert by_id["memory-idle-handle"]["measured"] == rep["memory"]["engine"]
    assert by_id["flat-add"]["measured"] == rep["scaling"]["operations"]["add"]["ratio_engine"]
    met = sum(g["met"] for g in rep["goals"])
    assert f"{met} of {len(rep['goals'])} goals met" in proc.stdout
    # Under a simulator goal the run missed, the page says what the same run measured
    # beneath it; under one it met, nothing.
    md = (out / "bench.md").read_text()
    goals_text = md.split("## Goals", 1)[1].split("|", 1)[0]
    assert ("(`multisock replay --help`) took" in goals_text) == (not by_id["sim-hour"]["met"])
    assert ("TLS handshakes alone" in goals_text) == (not by_id["property-rate"]["met"])


def test_bench_PagesAreWhatRenderMakesOfTheJson(cli, quick_run, tmp_path):
    out, _ = quick_run
    cli.run("bench", "--render", out / "bench.json", "--report", tmp_path, check_code=0)
    assert (tmp_path / "bench.md").read_text() == (out / "bench.md").read_text()
    assert (tmp_path / "bench.html").read_text() == (out / "bench.html").read_text()
    assert not (tmp_path / "bench.json").exists()  # render writes the pages only
    md = (out / "bench.md").read_text()
    for g in _load(out)["goals"]:
        assert g["goal"] in md


def test_bench_HtmlDrawsOneCurvePerSideAndOperation(quick_run):
    out, _ = quick_run
    rep = _load(out)
    page = (out / "bench.html").read_text()
    svgs = re.findall(r"<svg .*?</svg>", page, re.S)
    assert len(svgs) == len(rep["scaling"]["operations"])
    for svg in svgs:
        curves = re.findall(r'<polyline [^>]*points="([^"]*)"', svg)
        assert len(curves) == 2
        for pts in curves:
            assert len(pts.split()) == len(rep["scaling"]["handles"])


@pytest.mark.parametrize("words,code,message", [
    (["--rounds", "0"], 2, "--rounds needs a whole number from 1 to 100"),
    (["--handles", "1000,100"], 2, "--handles needs ascending whole numbers"),
    (["--only", "keepalive,warp"], 2, "--only needs sections among"),
    (["--lib", "/nonexistent/libcurl.so"], 3, "/nonexistent/libcurl.so"),
    (["--engine", "/nonexistent/libmultisock-curl.so"], 3, "/nonexistent/libmultisock-curl.so"),
    (["surplus"], 2, "surplus"),
])
def test_bench_BadWordsGetAClearError(cli, tmp_path, words, code, message):
    proc = cli.run("bench", "--quick", "--quiet", "--only", "memory", "--report", tmp_path, *words)
    assert proc.returncode == code, describe(proc)
    assert message in proc.stderr, describe(proc)
    assert not (tmp_path / "bench.json").exists()


def test_bench_RenderRefusesWhatIsNotABenchReport(cli, tmp_path):
    other = tmp_path / "report.json"
    other.write_text('{"format": "something else"}')
    proc = cli.run("bench", "--render", other, "--report", tmp_path)
    assert proc.returncode == 2 and "not a bench report" in proc.stderr, describe(proc)
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": ')
    proc = cli.run("bench", "--render", broken, "--report", tmp_path)
    assert proc.returncode == 2 and "broken.json" in proc.stderr, describe(proc)


def test_bench_WorkerWithBadParametersSaysSo(cli):
    proc = cli.run("bench", "--worker", "loop", "--lib", LIBCURL, "--params", '{"urls": 3}')
    assert proc.returncode == 3, describe(proc)
    assert "bad parameters" in json.loads(proc.stdout)["error"]
    proc = cli.run("bench", "--worker", "loop", "--lib", LIBCURL, "--params", "[")
    assert proc.returncode == 2 and "--params needs a JSON object" in proc.stderr, describe(proc)


def test_bench_StraceCountsTheSystemCallsOfBothSides(cli, tmp_path):
    proc = cli.run("bench", "--only", "keepalive", "--strace", "--rounds", "1", "--gets", "100", "--quiet",
                   "--lib", LIBCURL, "--report", tmp_path, timeout=600)
    assert proc.returncode == 0, describe(proc)
    rep = _load(tmp_path)
    example = next(m for m in rep["keepalive"]["modes"] if m["name"] == "example")
    for side in ("engine", "library"):
        sc = example["syscalls"][side]
        assert len(sc["runs_per_get"]) == 3
        assert sc["per_get"] == sorted(sc["runs_per_get"])[1]
        # Every GET sends its request and reads its answer at least once.
        assert sc["by_call"]["sendto"] >= 1 and sc["by_call"]["recvfrom"] >= 1, sc
    goal = next(g for g in rep["goals"] if g["id"] == "keepalive-syscalls")
    assert goal["measured"] == example["syscalls"]["engine"]["per_get"] / example["syscalls"]["library"]["per_get"]
    assert "System calls per keep-alive GET, by name" in (tmp_path / "bench.md").read_text()


@pytest.mark.parametrize("mangle", ["drop_library_side", "short_curve", "goal_text_number"])
def test_bench_RenderOfAMangledReportIsAClearError(cli, quick_run, tmp_path, mangle):
    out, _ = quick_run
    rep = _load(out)
    if mangle == "drop_library_side":
        del rep["keepalive"]["modes"][0]["library"]
    elif mangle == "short_curve":
        rep["scaling"]["operations"]["add"]["engine"] = [1.0]
    else:
        rep["goals"][0]["goal"] = 7
    bad = tmp_path / "bench.json"
    bad.write_text(json.dumps(rep))
    proc = cli.run("bench", "--render", bad, "--report", tmp_path / "pages")
    assert proc.returncode == 2, describe(proc)
    assert "not a bench report this version can read" in proc.stderr, describe(proc)


def test_bench_PublishedPagesAndTheirSummaryAgreeWithThePublishedJson(cli, tmp_path):
    """reports/published/bench.* are one run's output: its pages are what --render makes of
    its JSON, and reports/README.md's count of the goals met is the JSON's."""
    from conftest import REPO_ROOT
    published = REPO_ROOT / "reports" / "published"
    cli.run("bench", "--render", published / "bench.json", "--report", tmp_path, check_code=0)
    assert (tmp_path / "bench.md").read_text() == (published / "bench.md").read_text()
    assert (tmp_path / "bench.html").read_text() == (published / "bench.html").read_text()
    rep = json.loads((published / "bench.json").read_text())
    met = sum(g["met"] for g in rep["goals"])
    summary = (REPO_ROOT / "reports" / "README.md").read_text()
    said = re.search(r"The published run meets (\d+) of its\s+(\d+)\s+goals", summary)
    assert said, "reports/README.md no longer says how many goals the published run meets"
    assert (int(said.group(1)), int(said.group(2))) == (met, len(rep["goals"]))

# SPDX-License-Identifier: MIT
"""The HTML report in a real browser (headless Chromium): the page's script runs without
console errors, the matrix and an SVG timeline are in the rendered DOM, hostile names stay
text. A screenshot is kept under the build folder for CI to show."""

import os
import re
import shutil
import subprocess
from pathlib import Path

from conftest import describe

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def chromium(profile: Path, *args, timeout=120):
    assert Path(CHROMIUM).exists(), "chromium is not installed (apt-get install chromium; see .ci/setup)"
    argv = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
            f"--user-data-dir={profile}", *map(str, args)]
    env = dict(os.environ, HOME=str(profile))
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=env,
                          stdin=subprocess.DEVNULL)


def console_errors(stderr: str):
    # Chromium logs page console messages as 'CONSOLE(line)] "text"' / ':CONSOLE:'; script
    # errors as 'Uncaught ...'. Its own dbus/gpu chatter is not about the page.
    return [l for l in stderr.splitlines()
            if re.search(r"CONSOLE|Uncaught|SyntaxError|ReferenceError|TypeError", l)]


def test_htmlReport_RendersInChromium(render, tmp_path, artifact_dir):
    out = tmp_path / "report"
    render.run("sample", out, "--hostile", check_code=0)
    page = (out / "report.html").resolve().as_uri()

    dom = chromium(tmp_path / "profile-dom", "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000",
                   "--dump-dom", page)
    assert dom.returncode == 0, describe(dom)
    html = dom.stdout
    assert re.search(r'<body[^>]*data-rendered="true"', html), "the page's script did not finish"
    assert re.search(r'<body[^>]*data-timelines="[1-9]', html), "no SVG timeline in the rendered page"
    assert 'id="matrix-table"' in html and html.count('<tr class="clause"') >= 10
    assert re.search(r'<svg class="timeline"', html)
    assert re.search(r'<g class="ev [a-z]+ violating"[^>]*data-violation="true"', html)
    # The script filled in the event details of the marked event and the filter count.
    assert re.search(r'<p class="ev-info" id="info-v-0-0">#\d+ at ', html), "event details not shown"
    assert re.search(r'<span id="shown" class="muted">\d+ of \d+ clauses', html)
    # A scenario named <script>... stays text: the only script element is the page's own.
    assert html.count("<script") == 1, "a hostile string became markup"
    assert "&lt;script&gt;alert('x')&lt;/script&gt;" in html
    assert not console_errors(dom.stderr), "\n".join(console_errors(dom.stderr))

    shot = artifact_dir / "report.png"
    if shot.exists():
        shot.unlink()
    proc = chromium(tmp_path / "profile-shot", f"--screenshot={shot}", "--window-size=1400,1000",
                    "--virtual-time-budget=5000", page)
    assert proc.returncode == 0, describe(proc)
    assert shot.is_file() and shot.stat().st_size > 10000, "no screenshot"
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    print(f"screenshot of the report page: {shot}")
    (artifact_dir / "report.html").write_bytes((out / "report.html").read_bytes())


def test_htmlReport_FiltersWorkInChromium(render, tmp_path):
    """The verdict filter hides rows: a copy of the page starts with 'pass' unticked, and the
    script applies the filters when the page loads."""
    out = tmp_path / "report"
    render.run("sample", out, check_code=0)
    html = (out / "report.html").read_text()
    # Untick the 'pass' checkbox in a copy: the script applies filters on load.
    patched = html.replace('data-filter="verdict" value="pass" checked', 'data-filter="verdict" value="pass"')
    assert patched != html
    copy = out / "filtered.html"
    copy.write_text(patched)
    dom = chromium(tmp_path / "profile", "--virtual-time-budget=5000", "--dump-dom", copy.resolve().as_uri())
    assert dom.returncode == 0, describe(dom)
    rows = re.findall(r'<tr class="clause"[^>]*data-verdicts="([^"]*)"([^>]*)>', dom.stdout)
    assert rows
    for statuses, rest in rows:
        hidden = "hidden" in rest
        assert hidden == (statuses == "pass"), (statuses, rest)
    shown = re.search(r'data-clauses-shown="(\d+)"', dom.stdout)
    assert shown and int(shown.group(1)) == sum(1 for s, _ in rows if s != "pass")
    # Scenario rows follow the same filter.
    scen = re.findall(r'<tr class="scenario" data-verdict="([a-z]+)"([^>]*)>', dom.stdout)
    assert scen and all(("hidden" in rest) == (v == "pass") for v, rest in scen), scen


def test_htmlReport_SkippedBadgeHasItsOwnColour(render, tmp_path):
    """In the rendered page a skipped scenario has a badge and a colour of its own, neither
    the pass green nor the fail red. A copy of the page carries a probe script that reads
    the computed colours into <body> attributes."""
    out = tmp_path / "report"
    render.run("sample", out, "--skipped", check_code=0)
    html = (out / "report.html").read_text()
    probe = ("<script>(function(){var d=document;function bg(s){var e=d.querySelector(s);"
             "return e?getComputedStyle(e).backgroundColor:'none';}"
             "d.body.setAttribute('data-bg-pass',bg('tr.scenario[data-verdict=\"pass\"] td.st'));"
             "d.body.setAttribute('data-bg-fail',bg('tr.scenario[data-verdict=\"fail\"] td.st'));"
             "d.body.setAttribute('data-bg-skipped',bg('tr.scenario[data-verdict=\"skipped\"] td.st'));"
             "d.body.setAttribute('data-bg-badge',bg('span.st-skipped[data-verdict=\"skipped\"]'));})();</script>")
    patched = html.replace("</body>", probe + "</body>")
    assert patched != html
    page = out / "probed.html"
    page.write_text(patched)
    dom = chromium(tmp_path / "profile", "--virtual-time-budget=5000", "--dump-dom", page.resolve().as_uri())
    assert dom.returncode == 0, describe(dom)
    body = re.search(r"<body([^>]*)>", dom.stdout)
    assert body, dom.stdout[:2000]
    attrs = dict(re.findall(r'(data-bg-[a-z]+)="([^"]*)"', body.group(1)))
    assert set(attrs) == {"data-bg-pass", "data-bg-fail", "data-bg-skipped", "data-bg-badge"}, body.group(1)
    assert all(v.startswith("rgb") for v in attrs.values()), attrs
    assert attrs["data-bg-skipped"] == attrs["data-bg-badge"], attrs
    assert attrs["data-bg-skipped"] not in (attrs["data-bg-pass"], attrs["data-bg-fail"]), attrs
    assert attrs["data-bg-pass"] != attrs["data-bg-fail"], attrs
    assert re.search(r'<tr class="scenario" data-verdict="skipped">.*?skipped: the world injects faults', dom.stdout)
    assert 'data-verdict="skipped" data-count="1">skipped 1</span>' in dom.stdout

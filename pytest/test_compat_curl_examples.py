# SPDX-License-Identifier: MIT
"""curl 7.88.1's own examples (docs/examples, shipped by Debian's libcurl4-doc) against
libmultisock-curl.so: how many of the HTTP(S)-only ones build and link with the shim, and
how many of those print and write the same as with the system libcurl, against a local nginx.

- HTTP(S)-only: a C example none of whose string literals names a scheme other than http://
  or https://. Of those, the ones that build with the system libcurl (some need libraries
  that are not installed) are the set measured.
- Each program is compiled twice from one copy whose URL literals are rewritten to the local
  nginx (scheme and host replaced by http://127.0.0.1:PORT, the path kept; https becomes http
  so that both libraries see the same server without a CA option), and run with that nginx's
  /hello.txt as its first argument, in an empty folder, stdin closed, for at most 10 s.
- Same output: the same exit status, stdout and files left in the folder, once what differs
  between two correct runs is set aside: the value of a Date header (a run may cross a
  second: persistent prints the response headers) and how many pieces a response arrived in
  (sendrecv prints a "Received N bytes." line per curl_easy_recv; the lines of a row count as
  their total). A program whose two runs against libcurl still differ (times, sizes of a
  live page) is counted apart as nondeterministic, and one that does not end in time with
  libcurl (it waits for input) as timed out; neither counts as the same nor as a difference.

The numbers go to stdout (`-s`) and to MS_ARTIFACT_DIR/curl_examples.txt. The floors below are
what the shim reached when they were written: falling under one is a regression.

Of the 47 that build with libcurl here, the ones not counted as the same, and why:
- http3-present: the shim's curl_version_info says truthfully that it has no HTTP/2 and
  no Alt-Svc, where Debian's libcurl has both, so it prints less.
- ephiperfifo: waits on a FIFO for URLs; it does not end with libcurl either.
- do not link: altsvc (Alt-Svc cache), cookie_interface (no cookie engine), multi-post and
  postit2 (mime API), multi-formadd and postit2-formadd (curl_formadd), chkspeed (the
  *_TIME_T timing infos; its output holds times, so it could only count as linked).
"""
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

EXAMPLES = Path("/usr/share/doc/libcurl4/examples")
COMPAT_INCLUDE = Path(__file__).resolve().parent.parent / "engine" / "compat" / "include"
RUN_TIMEOUT_S = 10
OTHER_SCHEME = re.compile(r'"(?!https?://)[a-z0-9]+://')
URL = re.compile(r'https?://[^"\s/]*')
# Floors (see the module text).
MIN_LINKED = 40
MIN_SAME = 37  # 38 reached: every linked one but http3-present and ephiperfifo; one of margin
DATE_HEADER = re.compile(rb"^([Dd]ate): [^\r\n]*", re.M)
RECEIVED_ROW = re.compile(rb"(?:Received \d+ bytes\.\n)+")


def _comparable(data):
    """The output with what two correct runs may differ in set aside (module text)."""
    data = DATE_HEADER.sub(rb"\1: (any)", data)
    return RECEIVED_ROW.sub(
        lambda m: b"Received %d bytes.\n" % sum(int(n) for n in re.findall(rb"\d+", m.group(0))), data)


def _bin_dir():
    value = os.environ.get("MULTISOCK_COMPAT_BIN_DIR")
    if not value:
        pytest.skip("MULTISOCK_COMPAT_BIN_DIR is not set (run through ctest)")
    bin_dir = Path(value)
    if not (bin_dir / "libmultisock-curl.so").exists():
        pytest.skip("libmultisock-curl.so not built: the engine (ms_engine, ms_posix) did not link")
    return bin_dir


def _http_only():
    if not EXAMPLES.is_dir():
        pytest.skip(f"{EXAMPLES} missing (apt-get install libcurl4-doc)")
    out = []
    for src in sorted(EXAMPLES.glob("*.c")):
        if not OTHER_SCHEME.search(src.read_text(errors="replace")):
            out.append(src)
    return out


def _compile(src, out, flavour, bin_dir):
    cmd = ["cc", "-w", "-o", str(out), str(src)]
    if flavour == "shim":
        cmd += ["-I", str(COMPAT_INCLUDE), "-L", str(bin_dir), "-lmultisock-curl", f"-Wl,-rpath,{bin_dir}"]
    else:
        cmd += ["-lcurl"]
    cmd += ["-lpthread"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    return proc.returncode == 0, proc.stderr


def _run(binary, folder, arg):
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    try:
        proc = subprocess.run([str(binary), arg], cwd=folder, capture_output=True, timeout=RUN_TIMEOUT_S,
                              stdin=subprocess.DEVNULL)
        status, stdout = proc.returncode, proc.stdout
    except subprocess.TimeoutExpired as e:
        status, stdout = "timeout", e.stdout or b""
    files = {p.name: _comparable(p.read_bytes()) for p in sorted(folder.iterdir()) if p.is_file()}
    return status, _comparable(stdout), files


def test_curl_examples_against_the_shim(tmp_path, nginx):
    bin_dir = _bin_dir()
    sources = _http_only()
    base = f"http://127.0.0.1:{nginx.port}"
    built, linked, same, nondeterministic, differ, unlinked = [], [], [], [], [], {}
    timed_out = []
    same_exit_zero = 0
    for src in sources:
        name = src.stem
        text = URL.sub(base, src.read_text(errors="replace"))
        copy = tmp_path / "src" / f"{name}.c"
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_text(text)
        ref_bin = tmp_path / "bin" / f"{name}-libcurl"
        shim_bin = tmp_path / "bin" / f"{name}-shim"
        ref_bin.parent.mkdir(parents=True, exist_ok=True)
        ok, _ = _compile(copy, ref_bin, "libcurl", bin_dir)
        if not ok:
            continue  # does not build with libcurl here: not measured
        built.append(name)
        ok, err = _compile(copy, shim_bin, "shim", bin_dir)
        if not ok:
            first = next((l for l in err.splitlines() if "error" in l), err.strip()[:200])
            unlinked[name] = first
            continue
        linked.append(name)
        arg = nginx.url("/hello.txt")
        ref1 = _run(ref_bin, tmp_path / "run" / name / "libcurl1", arg)
        ref2 = _run(ref_bin, tmp_path / "run" / name / "libcurl2", arg)
        shim = _run(shim_bin, tmp_path / "run" / name / "shim", arg)
        if ref1[0] == "timeout":
            timed_out.append(name)  # waits for input it never gets, also with libcurl
        elif ref1 != ref2:
            nondeterministic.append(name)
        elif shim == ref1:
            same.append(name)
            same_exit_zero += ref1[0] == 0
        else:
            differ.append(f"{name} (status {ref1[0]} vs {shim[0]})")
    lines = [
        f"HTTP(S)-only examples: {len(sources)}; build with libcurl: {len(built)}",
        f"link with the shim: {len(linked)} of {len(built)}",
        f"same output as libcurl: {len(same)} of {len(linked)} linked"
        f" ({len(timed_out)} do not end within {RUN_TIMEOUT_S} s under libcurl either,"
        f" {len(nondeterministic)} nondeterministic under libcurl itself, {len(differ)} differ)",
        f"same: {' '.join(same)} ({same_exit_zero} of them exit 0)",
        "timed out: " + " ".join(timed_out),
        "nondeterministic: " + " ".join(nondeterministic),
        "differ: " + "; ".join(differ),
        "do not link:",
    ] + [f"  {n}: {why}" for n, why in unlinked.items()]
    report = "\n".join(lines) + "\n"
    print(report)
    artifacts = os.environ.get("MS_ARTIFACT_DIR")
    if artifacts:
        Path(artifacts).mkdir(parents=True, exist_ok=True)
        (Path(artifacts) / "curl_examples.txt").write_text(report)
    assert built, "no example built with the system libcurl" + report
    assert len(linked) >= MIN_LINKED, report
    assert len(same) >= MIN_SAME, report
    assert "simple" in same, report

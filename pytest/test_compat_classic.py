# SPDX-License-Identifier: MIT
"""The classic loops (curl_multi_perform with curl_multi_poll, curl_multi_wait, or
curl_multi_fdset + select) and curl_easy_perform, through engine/compat/examples/classic.c
built against the system libcurl and against libmultisock-curl.so: both fetch the same URLs
from a local nginx and must print the same lines and write the same files.

Binaries: compat-classic-libcurl and compat-classic-shim in MULTISOCK_COMPAT_BIN_DIR (set by
pytest/CMakeLists.txt). A missing shim build is a skip that says so, never a pass.
"""
import hashlib
import os
import socket
import subprocess
from pathlib import Path

import pytest

MODES = ("poll", "wait", "select", "easy")
RUN_TIMEOUT_S = 120


def _binary(flavour):
    value = os.environ.get("MULTISOCK_COMPAT_BIN_DIR")
    if not value:
        pytest.skip("MULTISOCK_COMPAT_BIN_DIR is not set (run through ctest)")
    path = Path(value) / f"compat-classic-{flavour}"
    if not path.exists():
        if flavour == "shim":
            pytest.skip(f"{path.name} not built: the engine (ms_engine, ms_posix) did not link")
        pytest.fail(f"{path} is missing")
    return path


def _closed_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def urls(nginx):
    """URLs of every kind: bodies of several sizes, empty, 204, a redirect not followed,
    404, HTTPS, and a refused connection."""
    folder = Path(nginx.root) / "classic"
    folder.mkdir(parents=True, exist_ok=True)
    for i, size in enumerate((1, 1000, 70 * 1024, 3 * 1024 * 1024)):
        data = b"".join(hashlib.sha256(f"classic-{i}-{k}".encode()).digest() for k in range(size // 32 + 1))
        (folder / f"f{i}.bin").write_bytes(data[:size])
    return [
        nginx.url("/hello.txt"),
        nginx.url("/classic/f0.bin"),
        nginx.url("/classic/f1.bin"),
        nginx.url("/classic/f2.bin"),
        nginx.url("/classic/f3.bin"),
        nginx.url("/empty.txt"),
        nginx.url("/status/204"),
        nginx.url("/redirect"),
        nginx.url("/no/such/file"),
        nginx.https_url("/hello.txt", host="127.0.0.1"),
        f"http://127.0.0.1:{_closed_port()}/",
    ]


def _run(flavour, out_dir, args, urls):
    out_dir.mkdir(parents=True, exist_ok=True)
    binary = _binary(flavour)
    proc = subprocess.run([str(binary), *args, "-t", "30", "-o", str(out_dir), *urls],
                          capture_output=True, text=True, timeout=RUN_TIMEOUT_S, stdin=subprocess.DEVNULL)
    log = f"\n--- {binary.name} {' '.join(args)}: exit {proc.returncode}\n{proc.stdout}\n--- stderr:\n{proc.stderr[-3000:]}"
    return proc, log


def _files(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("fail_on_error", [False, True], ids=["plain", "failonerror"])
@pytest.mark.parametrize("mode", MODES)
def test_classic_loop_matches_libcurl(tmp_path, nginx, urls, mode, fail_on_error):
    args = ["-m", mode, "-c", str(nginx.ca_file)] + (["-F"] if fail_on_error else [])
    ref, ref_log = _run("libcurl", tmp_path / "libcurl", args, urls)
    shim, shim_log = _run("shim", tmp_path / "shim", args, urls)
    logs = ref_log + shim_log
    # Some transfers fail on purpose (a refused port; a 404 with -F): exit 1 for both.
    assert ref.returncode == 1, logs
    assert shim.returncode == ref.returncode, logs
    assert shim.stdout == ref.stdout, logs
    lines = ref.stdout.splitlines()
    if mode != "easy":
        assert lines[0] == "wakeup ok", logs
    results = {int(l.split()[0]): l for l in lines if l[0].isdigit()}
    assert len(results) == len(urls), logs
    assert results[0].startswith("0 result=0 status=200 bytes=6"), logs
    assert f"result={22 if fail_on_error else 0} status=404" in results[8], logs
    assert "result=7 status=0" in results[10], logs
    ref_files = _files(tmp_path / "libcurl")
    shim_files = _files(tmp_path / "shim")
    assert sorted(shim_files) == sorted(ref_files)
    for name, data in ref_files.items():
        assert shim_files[name] == data, f"{name} differs{logs}"
    assert ref_files["4.body"] == (Path(nginx.root) / "classic" / "f3.bin").read_bytes()


def test_classic_easy_verbose_goes_to_stderr(tmp_path, nginx):
    """CURLOPT_VERBOSE without a debug callback: libcurl's kind of log on stderr."""
    binary = _binary("shim")
    src = Path(__file__).resolve().parent.parent / "engine" / "compat" / "examples" / "classic.c"
    assert src.exists()
    env = dict(os.environ, MS_CLASSIC_VERBOSE="1")
    proc = subprocess.run([str(binary), "-m", "easy", "-o", str(tmp_path), nginx.url("/hello.txt")],
                          capture_output=True, text=True, timeout=RUN_TIMEOUT_S, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "> GET /hello.txt HTTP/1.1" in proc.stderr, proc.stderr
    assert "< HTTP/1.1 200 OK" in proc.stderr, proc.stderr
    assert "hello" not in proc.stderr.replace("/hello.txt", ""), "body bytes are not part of the log"

# SPDX-License-Identifier: MIT
"""The event-loop examples of engine/compat, each built against the real libcurl and
against libmultisock-curl.so from one source, fetch files from a local nginx in parallel.

Binaries come from MULTISOCK_COMPAT_BIN_DIR (set by pytest/CMakeLists.txt): compat-<loop>-<flavour>
with loop in epoll, libevent, libuv and flavour in libcurl, shim. The shim builds exist
only when the engine links; their absence is a skip that says so, not a pass.
"""
import hashlib
import os
import re
import socket
import subprocess
from pathlib import Path

import pytest

LOOPS = ("epoll", "libevent", "libuv")
FLAVOURS = ("libcurl", "shim")
SIZES = (0, 1, 100 * 1024, 1024 * 1024)
FILE_COUNT = 20
RUN_TIMEOUT_S = 120


def _bin_dir():
    value = os.environ.get("MULTISOCK_COMPAT_BIN_DIR")
    return Path(value) if value else None


def _binary(loop, flavour):
    bin_dir = _bin_dir()
    if bin_dir is None:
        pytest.skip("MULTISOCK_COMPAT_BIN_DIR is not set (run through ctest)")
    path = bin_dir / f"compat-{loop}-{flavour}"
    if not path.exists():
        if flavour == "shim":
            pytest.skip(f"{path.name} not built: the engine (ms_engine, ms_posix) did not link")
        pytest.fail(f"{path} is missing")
    return path


def _content(index, size):
    """Deterministic bytes: SHA-256 blocks of a counter, seeded by the file's index."""
    out = bytearray()
    block = 0
    while len(out) < size:
        out += hashlib.sha256(f"compat-{index}-{block}".encode()).digest()
        block += 1
    return bytes(out[:size])


@pytest.fixture
def served_files(nginx):
    """20 files of varied sizes in the docroot: {name: bytes}."""
    folder = Path(nginx.root) / "compat"
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for i in range(FILE_COUNT):
        name = f"f{i:02d}-{SIZES[i % len(SIZES)]}.bin"
        data = _content(i, SIZES[i % len(SIZES)])
        (folder / name).write_bytes(data)
        files[name] = data
    return files


def _run(binary, out_dir, urls):
    out_dir.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        [str(binary), "-o", str(out_dir), "-t", "60", *urls],
        capture_output=True, text=True, timeout=RUN_TIMEOUT_S, stdin=subprocess.DEVNULL)
    log = f"\n--- {binary.name} exit {proc.returncode}\n--- stdout:\n{proc.stdout}\n--- stderr:\n{proc.stderr}"
    return proc, log


def _closed_port():
    """A loopback port with nothing listening: bound, then released."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("loop", LOOPS)
def test_compat_example_fetches_all_files_byte_exact(nginx, served_files, tmp_path, loop, flavour):
    binary = _binary(loop, flavour)
    urls = [nginx.url(f"/compat/{name}") for name in sorted(served_files)]
    proc, log = _run(binary, tmp_path / "out", urls)
    assert proc.returncode == 0, log
    assert f"{FILE_COUNT} ok, 0 failed" in proc.stdout, log
    assert proc.stdout.count("\nok ") + proc.stdout.startswith("ok ") == FILE_COUNT, log
    for name, data in served_files.items():
        got = (tmp_path / "out" / name).read_bytes()
        assert len(got) == len(data), f"{name}: {len(got)} bytes, expected {len(data)}{log}"
        assert got == data, f"{name}: content differs{log}"


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("loop", LOOPS)
def test_compat_example_closed_port_fails_with_curl_error(nginx, served_files, tmp_path, loop, flavour):
    binary = _binary(loop, flavour)
    good = sorted(served_files)[2]
    bad_url = f"http://127.0.0.1:{_closed_port()}/nothing-here.bin"
    proc, log = _run(binary, tmp_path / "out", [nginx.url(f"/compat/{good}"), bad_url])
    assert proc.returncode == 1, log
    assert re.search(r"FAILED .*nothing-here\.bin: [Cc]ould(n't| not) connect to server \(curl error 7\)",
                     proc.stderr), log
    assert "1 ok, 1 failed" in proc.stdout, log
    # The good transfer still completed, and the failed one left no file behind.
    assert (tmp_path / "out" / good).read_bytes() == served_files[good], log
    assert not (tmp_path / "out" / "nothing-here.bin").exists(), log


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("loop", LOOPS)
def test_compat_example_bad_url_fails_with_curl_error(tmp_path, loop, flavour):
    binary = _binary(loop, flavour)
    proc, log = _run(binary, tmp_path / "out", ["htp://127.0.0.1/x.bin"])
    assert proc.returncode == 1, log
    # libcurl says "Unsupported protocol" (1); "URL using bad/illegal format" (3) is also a
    # faithful answer for a scheme the engine does not know.
    assert re.search(r"FAILED htp://127\.0\.0\.1/x\.bin: .+ \(curl error (1|3)\)", proc.stderr), log


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("loop", LOOPS)
def test_compat_example_http_error_status_is_a_failure(nginx, tmp_path, loop, flavour):
    binary = _binary(loop, flavour)
    proc, log = _run(binary, tmp_path / "out", [nginx.url("/compat/missing-file.bin")])
    assert proc.returncode == 1, log
    assert "HTTP status 404" in proc.stderr, log


@pytest.mark.parametrize("loop", LOOPS)
def test_compat_example_usage_error_exits_2(tmp_path, loop):
    binary = _binary(loop, "libcurl")
    proc = subprocess.run([str(binary)], capture_output=True, text=True, timeout=30,
                          stdin=subprocess.DEVNULL)
    assert proc.returncode == 2
    assert "usage:" in proc.stderr

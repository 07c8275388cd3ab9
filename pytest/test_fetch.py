# SPDX-License-Identifier: MIT
"""`multisock fetch`: the engine's downloader over real sockets against a local nginx."""
import hashlib
import subprocess

import pytest


def _body(i: int) -> bytes:
    # Deterministic, varied sizes: 0 B, small, around one receive buffer, up to 300 KiB.
    size = [0, 1, 100, 16383, 16384, 16385, 65536, 300 * 1024][i % 8] + i
    seed = hashlib.sha256(str(i).encode()).digest()
    return (seed * (size // len(seed) + 1))[:size]


def _run(cli, *args, timeout=120):
    return subprocess.run([str(cli.path), "fetch", *map(str, args)], capture_output=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


def test_fetch_HundredFilesConcurrentlyByteExact(cli, nginx, tmp_path):
    names = []
    for i in range(100):
        name = f"f{i:03d}.bin"
        (nginx.root / name).write_bytes(_body(i))
        names.append(name)
    out = tmp_path / "out"
    proc = _run(cli, "--quiet", "-o", str(out), *[nginx.url(n) for n in names])
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-3000:]
    for i, name in enumerate(names):
        got = (out / name).read_bytes()
        assert got == _body(i), f"{name}: {len(got)} bytes differ from {len(_body(i))}"
    assert b"100 transfers, 0 failed" in proc.stderr


def test_fetch_PerformLoopGivesTheSameFilesAsTheSocketLoop(cli, nginx, tmp_path):
    # The classic loop (multi_perform, then multi_poll) and the socket_action loop: the same
    # bytes on disk and the same outcome, 404 included.
    names = []
    for i in range(40):
        name = f"p{i:03d}.bin"
        (nginx.root / name).write_bytes(_body(i))
        names.append(name)
    urls = [nginx.url(n) for n in names] + [nginx.url("missing-p.bin")]
    for loop in ("socket", "perform"):
        out = tmp_path / loop
        proc = _run(cli, "--quiet", "--loop", loop, "--parallel", "8", "-o", str(out), *urls)
        assert proc.returncode == 1, proc.stderr.decode(errors="replace")[-3000:]
        assert b"41 transfers, 1 failed" in proc.stderr, proc.stderr[-2000:]
        for i, name in enumerate(names):
            assert (out / name).read_bytes() == _body(i), f"--loop {loop}: {name} differs"
        assert not (out / "missing-p.bin").exists()
        assert sorted(p.name for p in out.iterdir()) == sorted(names), f"--loop {loop}: stray files"


def test_fetch_ClosedPortFailsWithCurlStyleMessage(cli, tmp_path):
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    proc = _run(cli, "--quiet", "-o", str(tmp_path), f"http://127.0.0.1:{port}/x")
    assert proc.returncode == 1
    assert b"Could not connect to server" in proc.stderr


def test_fetch_NotFoundIsAFailure(cli, nginx, tmp_path):
    proc = _run(cli, "--quiet", "-o", str(tmp_path), nginx.url("missing.bin"))
    assert proc.returncode == 1
    assert b"HTTP 404" in proc.stderr


def test_fetch_UsageErrors(cli):
    assert _run(cli).returncode == 2
    assert _run(cli, "--timeout-ms", "x", "http://127.0.0.1/").returncode == 2
    proc = _run(cli, "--loop", "select", "http://127.0.0.1/")
    assert proc.returncode == 2 and b"--loop needs socket or perform, not 'select'" in proc.stderr
    proc = _run(cli, "--help")
    assert proc.returncode == 0 and b"usage: multisock fetch" in proc.stdout


def test_fetch_HttpsFromNginxByteExactWithTheTestCa(cli, nginx, tmp_path):
    names = []
    for i in range(20):
        name = f"s{i:02d}.bin"
        (nginx.root / name).write_bytes(_body(i))
        names.append(name)
    out = tmp_path / "tls"
    proc = _run(cli, "--quiet", "--cacert", nginx.ca_file, "-o", str(out),
                *[nginx.url(n, https=True) for n in names])
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-3000:]
    for i, name in enumerate(names):
        assert (out / name).read_bytes() == _body(i), name


def test_fetch_HttpsWithoutTheCaFailsVerification(cli, nginx, tmp_path):
    (nginx.root / "v.bin").write_bytes(b"x")
    proc = _run(cli, "--quiet", "-o", str(tmp_path), nginx.url("v.bin", https=True))
    assert proc.returncode == 1
    assert b"SSL peer certificate" in proc.stderr, proc.stderr

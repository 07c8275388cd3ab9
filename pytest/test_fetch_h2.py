# SPDX-License-Identifier: MIT
"""`multisock fetch` over HTTP/2 against a local nginx: many transfers on one connection
(ALPN h2 over TLS, and h2c with prior knowledge), bodies byte-exact, nginx's own log
saying which connection served each request."""
import hashlib
import subprocess

import pytest


def _body(i: int) -> bytes:
    # Varied sizes, some above the 64 KiB window HTTP/2 starts with.
    size = [0, 1, 100, 16383, 16384, 16385, 65536, 70000, 200 * 1024][i % 9] + i
    seed = hashlib.sha256(b"h2-" + str(i).encode()).digest()
    return (seed * (size // len(seed) + 1))[:size]


def _files(nginx, folder: str, count: int) -> list:
    (nginx.root / folder).mkdir(exist_ok=True)
    names = []
    for i in range(count):
        name = f"{folder}-{i:03d}.bin"
        (nginx.root / folder / name).write_bytes(_body(i))
        names.append(name)
    return names


def _fetch(cli, *args, timeout=120):
    return subprocess.run([str(cli.path), "fetch", "--quiet", *map(str, args)], capture_output=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


def _served(nginx, folder: str, tls: bool) -> list:
    return [entry for entry in nginx.h2_log(tls) if entry[3].startswith(f"/{folder}/")]


def _check_bodies(out, names):
    for i, name in enumerate(names):
        got = (out / name).read_bytes()
        assert got == _body(i), f"{name}: {len(got)} bytes differ from the {len(_body(i))} served"


def test_fetch_h2_HundredFilesOverOneTlsConnection(cli, nginx, tmp_path):
    names = _files(nginx, "tls100", 100)
    out = tmp_path / "out"
    urls = [f"https://localhost:{nginx.h2_port}/tls100/{n}" for n in names]
    proc = _fetch(cli, "--parallel", "100", "--cacert", nginx.ca_file, "-o", out, *urls)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-3000:]
    assert b"100 transfers, 0 failed" in proc.stderr
    _check_bodies(out, names)
    served = _served(nginx, "tls100", tls=True)
    assert len(served) == 100
    assert {s[1] for s in served} == {"HTTP/2.0"}
    assert len({s[0] for s in served}) == 1, f"connections used: {sorted({s[0] for s in served})}"


def test_fetch_h2_PriorKnowledgeOnPlainHttp(cli, nginx, tmp_path):
    names = _files(nginx, "h2c", 40)
    out = tmp_path / "out"
    urls = [f"http://127.0.0.1:{nginx.h2c_port}/h2c/{n}" for n in names]
    proc = _fetch(cli, "--http", "2-prior-knowledge", "--parallel", "40", "-o", out, *urls)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-3000:]
    _check_bodies(out, names)
    served = _served(nginx, "h2c", tls=False)
    assert len(served) == 40 and {s[1] for s in served} == {"HTTP/2.0"}
    assert len({s[0] for s in served}) == 1


def test_fetch_h2_OneAtATimeReusesTheConnection(cli, nginx, tmp_path):
    # --parallel 1: each transfer starts after the one before ended; the idle HTTP/2
    # connection goes to the pool and is taken again.
    names = _files(nginx, "seq", 6)
    out = tmp_path / "out"
    urls = [f"https://localhost:{nginx.h2_port}/seq/{n}" for n in names]
    proc = _fetch(cli, "--parallel", "1", "--cacert", nginx.ca_file, "-o", out, *urls)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-3000:]
    _check_bodies(out, names)
    served = _served(nginx, "seq", tls=True)
    assert len(served) == 6 and len({s[0] for s in served}) == 1


def test_fetch_h2_Http11AskedForGetsHttp11(cli, nginx, tmp_path):
    names = _files(nginx, "h11", 5)
    out = tmp_path / "out"
    urls = [f"https://localhost:{nginx.h2_port}/h11/{n}" for n in names]
    proc = _fetch(cli, "--http", "1.1", "--parallel", "5", "--cacert", nginx.ca_file, "-o", out, *urls)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-3000:]
    _check_bodies(out, names)
    served = _served(nginx, "h11", tls=True)
    assert len(served) == 5 and {s[1] for s in served} == {"HTTP/1.1"}


def test_fetch_h2_LargeBodyNeedsWindowUpdates(cli, nginx, tmp_path):
    # 5 MiB on one stream: more than the stream window the client announces (1 MiB), so
    # the download only ends if the client keeps opening it.
    (nginx.root / "large").mkdir(exist_ok=True)
    data = hashlib.sha256(b"large").digest() * (5 * 1024 * 1024 // 32)
    (nginx.root / "large" / "large.bin").write_bytes(data)
    out = tmp_path / "out"
    proc = _fetch(cli, "--cacert", nginx.ca_file, "-o", out, f"https://localhost:{nginx.h2_port}/large/large.bin")
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-3000:]
    assert (out / "large.bin").read_bytes() == data
    assert [s[1] for s in _served(nginx, "large", tls=True)] == ["HTTP/2.0"]


def test_fetch_h2_MissingFileIsA404OnItsStreamOnly(cli, nginx, tmp_path):
    names = _files(nginx, "mix", 10)
    out = tmp_path / "out"
    urls = [f"https://localhost:{nginx.h2_port}/mix/{n}" for n in names]
    urls.insert(5, f"https://localhost:{nginx.h2_port}/mix/missing.bin")
    proc = _fetch(cli, "--parallel", "11", "--cacert", nginx.ca_file, "-o", out, *urls)
    assert proc.returncode == 1, proc.stderr.decode(errors="replace")[-3000:]
    assert b"11 transfers, 1 failed" in proc.stderr, proc.stderr[-2000:]
    _check_bodies(out, names)
    served = _served(nginx, "mix", tls=True)
    assert sorted(s[2] for s in served) == ["200"] * 10 + ["404"]
    assert len({s[0] for s in served}) == 1

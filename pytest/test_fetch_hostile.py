# SPDX-License-Identifier: MIT
"""`multisock fetch` against servers that misbehave, and against its own limits.

Here's how it works: `HostileServer` is a small threaded server on 127.0.0.1 (a free port
picked by the kernel) whose every path is one misbehaviour: a garbage status line, headers
that never end, silence, a body cut short, a trickle, more bytes than Content-Length, bad
chunk sizes, a redirect loop, TLS with a self-signed certificate. Every socket has a
timeout, at most 64 connections are served at once and every handler stops at a size or
time cap, so a wrong client cannot hang the suite. Each case checks the verdict line, the
exit code, what is on disk (never a partial file under its final name, never a temporary
left behind) and a bound on the time taken.
"""
import hashlib
import re
import resource
import signal
import socket
import ssl
import subprocess
import threading
import time
from pathlib import Path

import pytest

from conftest import OPENSSL, describe

BIND = "127.0.0.1"
SOCKET_TIMEOUT_S = 5.0
HANDLERS_MAX = 64
HANDLER_TIME_MAX_S = 20.0
PART_NAME = re.compile(r"^\..*\.part-\d+-\d+$")

TRICKLE_BODY = bytes((i * 37 + 11) & 0xFF for i in range(4000))
CUT_BODY = b"c" * 1000
EXACT_BODY = b"0123456789"


def _pattern(size: int, seed: str) -> bytes:
    block = hashlib.sha256(seed.encode()).digest()
    return (block * (size // len(block) + 1))[:size]


class HostileServer:
    """Serves one request per connection; the path picks the misbehaviour. `.requests`
    lists the paths asked for, in order."""

    def __init__(self, tls_context=None):
        self.tls_context = tls_context
        self.requests = []
        self.stop = threading.Event()
        self.slots = threading.BoundedSemaphore(HANDLERS_MAX)
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind((BIND, 0))
        self.listener.listen(128)
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self.threads = []
        self.acceptor = threading.Thread(target=self._accept_loop, daemon=True)
        self.acceptor.start()

    def url(self, path: str) -> str:
        scheme = "https" if self.tls_context else "http"
        return f"{scheme}://{BIND}:{self.port}{path}"

    def close(self):
        self.stop.set()
        self.acceptor.join(timeout=5)
        self.listener.close()
        for t in self.threads:
            t.join(timeout=5)

    def _accept_loop(self):
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            if not self.slots.acquire(blocking=False):
                conn.close()  # bounded: past HANDLERS_MAX a connection is refused
                continue
            t = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self.threads = [x for x in self.threads if x.is_alive()] + [t]
            t.start()

    def _serve(self, conn):
        try:
            conn.settimeout(SOCKET_TIMEOUT_S)
            if self.tls_context:
                conn = self.tls_context.wrap_socket(conn, server_side=True)
            path = self._read_request(conn)
            if path is None:
                return
            self.requests.append(path)
            handler = getattr(self, "_path_" + path.strip("/").replace("-", "_").split("?")[0], None)
            if handler is None:
                conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            else:
                handler(conn)
        except (OSError, ssl.SSLError):
            pass  # the client gave up or broke the connection: that is its right
        finally:
            try:
                conn.close()
            finally:
                self.slots.release()

    @staticmethod
    def _read_request(conn):
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(4096)
            if not chunk or len(data) > 64 * 1024:
                return None
            data += chunk
        parts = data.split(b"\r\n", 1)[0].split()
        return parts[1].decode("latin-1") if len(parts) >= 2 else None

    def _sleep(self, seconds: float) -> bool:
        """Waits; False when the server is stopping."""
        return not self.stop.wait(seconds)

    # --- one method per path

    def _path_garbage(self, conn):
        conn.sendall(b"SSH-2.0-OpenSSH_9.2 hello\r\nnot http at all\r\n\r\n")

    def _path_endless_headers(self, conn):
        conn.sendall(b"HTTP/1.1 200 OK\r\n")
        line = b"X-Filler: " + b"h" * 1000 + b"\r\n"
        started = time.monotonic()
        for _ in range(8192):  # 8 MiB at most
            if self.stop.is_set() or time.monotonic() - started > HANDLER_TIME_MAX_S:
                return
            conn.sendall(line)

    def _path_silence(self, conn):
        self._sleep(HANDLER_TIME_MAX_S)

    def _path_cut(self, conn):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + CUT_BODY)

    def _path_trickle(self, conn):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(TRICKLE_BODY))
        for i in range(0, len(TRICKLE_BODY), 100):  # 40 pieces, 20 ms apart
            if not self._sleep(0.02):
                return
            conn.sendall(TRICKLE_BODY[i:i + 100])

    def _path_excess(self, conn):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(EXACT_BODY) + EXACT_BODY +
                     b"THESE BYTES ARE NOT PART OF ANY BODY")

    def _path_excess_late(self, conn):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(EXACT_BODY) + EXACT_BODY)
        self._sleep(0.1)  # the extra bytes come after the body looked complete
        conn.sendall(b"THESE BYTES ARE NOT PART OF ANY BODY")

    def _chunked(self, conn, size_line: bytes):
        conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                     b"5\r\nhello\r\n" + size_line + b"\r\nworld\r\n0\r\n\r\n")

    def _path_chunk_not_hex(self, conn):
        self._chunked(conn, b"zz")

    def _path_chunk_negative(self, conn):
        self._chunked(conn, b"-5")

    def _path_chunk_overflow(self, conn):
        self._chunked(conn, b"1" + b"0" * 40)

    def _path_loop(self, conn):
        conn.sendall(b"HTTP/1.1 302 Found\r\nLocation: /loop\r\nContent-Length: 5\r\n\r\nloop!")

    def _path_bounce(self, conn):
        conn.sendall(b"HTTP/1.1 301 Moved\r\nLocation: /trickle\r\nContent-Length: 0\r\n\r\n")

    def _path_nowhere(self, conn):
        conn.sendall(b"HTTP/1.1 302 Found\r\nContent-Length: 7\r\n\r\nnowhere")

    def _path_small(self, conn):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(EXACT_BODY) + EXACT_BODY)

    def _path_endless_body(self, conn):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000000\r\n\r\n")
        started = time.monotonic()
        while time.monotonic() - started < HANDLER_TIME_MAX_S and self._sleep(0.02):
            conn.sendall(b"s" * 1024)


@pytest.fixture(scope="module")
def hostile():
    server = HostileServer()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory):
    """An HTTPS HostileServer whose certificate (for 127.0.0.1) signs itself; `.cert_file`."""
    folder = tmp_path_factory.mktemp("selfsigned")
    proc = subprocess.run(
        [OPENSSL, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", "key.pem", "-out", "cert.pem", "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        cwd=str(folder), capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, describe(proc)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    server = HostileServer(tls_context=context)
    server.cert_file = folder / "cert.pem"
    try:
        yield server
    finally:
        server.close()


def _fetch(cli, *args, timeout=20, preexec_fn=None):
    started = time.monotonic()
    proc = subprocess.run([str(cli.path), "fetch", "--quiet", *map(str, args)], capture_output=True,
                          text=True, errors="replace", timeout=timeout, stdin=subprocess.DEVNULL,
                          preexec_fn=preexec_fn)
    proc.elapsed = time.monotonic() - started
    return proc


def _verdicts(proc) -> dict:
    """URL -> its verdict line (lines starting 'ok' or 'FAIL')."""
    lines = {}
    for line in proc.stderr.splitlines():
        m = re.match(r"^(ok  |FAIL) (\S+): ", line)
        if m:
            assert m.group(2) not in lines, f"two verdicts for {m.group(2)}\n{describe(proc)}"
            lines[m.group(2)] = line
    return lines


def _assert_disk(folder: Path, expected: dict):
    """The folder holds exactly `expected` (name -> bytes): nothing partial, no temporary."""
    present = sorted(p.name for p in folder.iterdir()) if folder.exists() else []
    leftovers = [n for n in present if PART_NAME.match(n)]
    assert not leftovers, f"temporary files left behind: {leftovers}"
    assert present == sorted(expected), f"on disk {present}, expected {sorted(expected)}"
    for name, body in expected.items():
        got = (folder / name).read_bytes()
        assert got == body, f"{name}: {len(got)} bytes on disk, expected {len(body)}"


def _fails_alone(cli, url, folder, *extra, must_say, time_max_s=10.0):
    proc = _fetch(cli, "-o", folder, *extra, url)
    line = _verdicts(proc).get(url, "")
    assert proc.returncode == 1, describe(proc)
    assert line.startswith("FAIL "), describe(proc)
    assert re.search(must_say, line), f"{line!r} does not say {must_say!r}\n{describe(proc)}"
    assert "1 transfers, 1 failed" in proc.stderr, describe(proc)
    assert proc.elapsed < time_max_s, f"took {proc.elapsed:.1f} s\n{describe(proc)}"
    _assert_disk(folder, {})
    return proc


# --------------------------------------------------------------------------- malformed answers

def test_fetch_GarbageStatusLineFails(cli, hostile, tmp_path):
    _fails_alone(cli, hostile.url("/garbage"), tmp_path / "out", must_say="Weird server reply")


def test_fetch_EndlessHeadersHitTheHeaderLimit(cli, hostile, tmp_path):
    _fails_alone(cli, hostile.url("/endless-headers"), tmp_path / "out", must_say="HTTP 200, 0 bytes.*header too large")


@pytest.mark.parametrize("path", ["/chunk-not-hex", "/chunk-negative", "/chunk-overflow"])
def test_fetch_BadChunkSizeFails(cli, hostile, tmp_path, path):
    _fails_alone(cli, hostile.url(path), tmp_path / "out", must_say="Failure when receiving data from the peer, HTTP 200, 5 bytes.*chunk size")


def test_fetch_BodyCutShortFailsAndLeavesNoFile(cli, hostile, tmp_path):
    _fails_alone(cli, hostile.url("/cut"), tmp_path / "out", must_say="partial file")


def test_fetch_BytesPastContentLengthAreNotKept(cli, hostile, tmp_path):
    # One at a time, so the second transfer could be offered the first one's connection,
    # whose extra bytes must not become its answer: arriving with the body, they make the
    # connection unfit for reuse.
    out = tmp_path / "out"
    urls = [hostile.url("/excess"), hostile.url("/small")]
    proc = _fetch(cli, "-o", out, "--parallel", "1", *urls)
    assert proc.returncode == 0, describe(proc)
    verdicts = _verdicts(proc)
    assert all(verdicts[u].startswith("ok   ") for u in urls), describe(proc)
    assert "HTTP 200, 10 bytes" in verdicts[urls[0]], describe(proc)
    _assert_disk(out, {"excess": EXACT_BODY, "small": EXACT_BODY})


def test_fetch_BytesPastContentLengthArrivingLateNeverPassAsABody(cli, hostile, tmp_path):
    # Extra bytes that come after the response looked complete can meet the next request
    # on the reused connection (HTTP/1.1 cannot tell them from its answer). That transfer
    # may fail, but must never be `ok` with those bytes, nor leave a file.
    out = tmp_path / "out"
    first, second = hostile.url("/excess-late"), hostile.url("/small")
    proc = _fetch(cli, "-o", out, "--parallel", "1", first, second)
    verdicts = _verdicts(proc)
    assert verdicts[first].startswith("ok   ") and "HTTP 200, 10 bytes" in verdicts[first], describe(proc)
    if verdicts[second].startswith("ok   "):
        assert proc.returncode == 0, describe(proc)
        _assert_disk(out, {"excess-late": EXACT_BODY, "small": EXACT_BODY})
    else:
        assert proc.returncode == 1 and "Weird server reply" in verdicts[second], describe(proc)
        _assert_disk(out, {"excess-late": EXACT_BODY})


# --------------------------------------------------------------------------- time

def test_fetch_SilentServerTimesOut(cli, hostile, tmp_path):
    proc = _fails_alone(cli, hostile.url("/silence"), tmp_path / "out", "--timeout-ms", "1500",
                        must_say="Timeout was reached", time_max_s=5.0)
    assert proc.elapsed >= 1.4, f"gave up after {proc.elapsed:.2f} s, before its limit"


def test_fetch_ConnectTimeoutBoundsAConnectNobodyAccepts(cli, tmp_path):
    # A listener with a full accept queue: Linux drops further SYNs, so a connect waits.
    with socket.socket() as listener:
        listener.bind((BIND, 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        queued = []
        try:
            for _ in range(3):
                s = socket.socket()
                s.setblocking(False)
                queued.append(s)
                try:
                    s.connect((BIND, port))
                except BlockingIOError:
                    pass
            time.sleep(0.1)
            proc = _fails_alone(cli, f"http://{BIND}:{port}/x", tmp_path / "out", "--connect-timeout-ms", "1000",
                                must_say=r"Timeout was reached, HTTP 0, 0 bytes.*Connection timed out after",
                                time_max_s=4.0)
        finally:
            for s in queued:
                s.close()
    assert proc.elapsed >= 0.9, f"gave up after {proc.elapsed:.2f} s, before its limit"


def test_fetch_TrickleCompletesByteExact(cli, hostile, tmp_path):
    out = tmp_path / "out"
    url = hostile.url("/trickle")
    proc = _fetch(cli, "-o", out, "--timeout-ms", "10000", url)
    assert proc.returncode == 0, describe(proc)
    assert _verdicts(proc)[url].startswith(f"ok   {url}: No error, HTTP 200, {len(TRICKLE_BODY)} bytes")
    _assert_disk(out, {"trickle": TRICKLE_BODY})


@pytest.mark.parametrize("value", ["9.3e12", "99999999999999999999", "2147483648", "-1", "", "10ms", " 5"])
def test_fetch_TimeoutOutOfRangeIsAUsageError(cli, tmp_path, value):
    proc = _fetch(cli, "-o", tmp_path / "out", "--timeout-ms", value, "http://127.0.0.1:9/x", timeout=5)
    assert proc.returncode == 2, describe(proc)
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and "--timeout-ms" in lines[0], describe(proc)
    assert not (tmp_path / "out").exists()


def test_fetch_DefaultLimitsAreDocumented(cli):
    proc = _fetch(cli, "--help", timeout=5)
    assert proc.returncode == 0
    assert "default: 300000" in proc.stdout and "default: 30000)" in proc.stdout
    assert "default: 10;" in proc.stdout and "--parallel N" in proc.stdout


# --------------------------------------------------------------------------- redirects

def test_fetch_RedirectLoopFails(cli, hostile, tmp_path):
    before = hostile.requests.count("/loop")
    _fails_alone(cli, hostile.url("/loop"), tmp_path / "out",
                 must_say=r"redirects hit maximum amount, HTTP 302.*Maximum \(10\) redirects followed")
    assert hostile.requests.count("/loop") - before == 11, "the first request and 10 redirects"


def test_fetch_MaxRedirsZeroMakesARedirectAFailure(cli, hostile, tmp_path):
    _fails_alone(cli, hostile.url("/bounce"), tmp_path / "out", "--max-redirs", "0",
                 must_say=r"Maximum \(0\) redirects followed")


def test_fetch_RedirectIsFollowedAndSavedUnderTheAskedName(cli, hostile, tmp_path):
    out = tmp_path / "out"
    url = hostile.url("/bounce")
    proc = _fetch(cli, "-o", out, url)
    assert proc.returncode == 0, describe(proc)
    assert _verdicts(proc)[url].startswith(f"ok   {url}: No error, HTTP 200, {len(TRICKLE_BODY)} bytes")
    _assert_disk(out, {"bounce": TRICKLE_BODY})


def test_fetch_RedirectWithoutLocationIsAFailure(cli, hostile, tmp_path):
    _fails_alone(cli, hostile.url("/nowhere"), tmp_path / "out",
                 must_say="HTTP response code said error, HTTP 302, 7 bytes.*without a usable Location")


# --------------------------------------------------------------------------- TLS

def test_fetch_SelfSignedCertificateFailsVerification(cli, self_signed, tmp_path):
    _fails_alone(cli, self_signed.url("/small"), tmp_path / "out", must_say="SSL peer certificate")


def test_fetch_SelfSignedCertificateTrustedWithCacert(cli, self_signed, tmp_path):
    # The same server is fine once its certificate is trusted: the failure above is the
    # verification's, not a broken server's.
    out = tmp_path / "out"
    proc = _fetch(cli, "-o", out, "--cacert", self_signed.cert_file, self_signed.url("/small"))
    assert proc.returncode == 0, describe(proc)
    _assert_disk(out, {"small": EXACT_BODY})


# --------------------------------------------------------------------------- names and disk

def test_fetch_DuplicateNamesAreRefusedBeforeAnyTransfer(cli, hostile, tmp_path):
    out = tmp_path / "out"
    before = len(hostile.requests)
    first, second = hostile.url("/trickle"), hostile.url("/other/trickle?x=1")
    proc = _fetch(cli, "-o", out, hostile.url("/small"), first, second, timeout=5)
    assert proc.returncode == 2, describe(proc)
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and first in lines[0] and second in lines[0], describe(proc)
    assert str(out / "trickle") in lines[0], describe(proc)
    assert len(hostile.requests) == before, "a transfer started"
    assert not out.exists()


def test_fetch_FinalNameThatCannotBeReplacedSaysWhy(cli, hostile, tmp_path):
    out = tmp_path / "out"
    (out / "small").mkdir(parents=True)  # a folder where the file should go
    proc = _fetch(cli, "-o", out, hostile.url("/small"))
    assert proc.returncode == 1, describe(proc)
    line = _verdicts(proc)[hostile.url("/small")]
    assert re.search(r"FAIL .*: cannot rename .* to .*small: Is a directory$", line), describe(proc)
    assert [p.name for p in out.iterdir()] == ["small"] and (out / "small").is_dir()


def _limit_open_files(n):
    def apply():
        resource.setrlimit(resource.RLIMIT_NOFILE, (n, n))
    return apply


def test_fetch_TwoThousandUrlsUnderAnOpenFileLimitOf256(cli, nginx, tmp_path):
    folder = nginx.root / "many"
    folder.mkdir(exist_ok=True)
    bodies = {}
    for i in range(2000):
        name = f"m{i:04d}.bin"
        bodies[name] = _pattern(1 + (i * 97) % 3000, name)
        (folder / name).write_bytes(bodies[name])
    out = tmp_path / "out"
    proc = _fetch(cli, "-o", out, *[nginx.url(f"many/{n}") for n in bodies], timeout=50,
                  preexec_fn=_limit_open_files(256))
    assert proc.returncode == 0, describe(proc)
    assert "2000 transfers, 0 failed" in proc.stderr, describe(proc)
    _assert_disk(out, bodies)


@pytest.mark.parametrize("loop", ["socket", "perform"])
def test_fetch_SigtermKeepsOnlyWholeFiles(cli, hostile, tmp_path, loop):
    out = tmp_path / "out"
    small, endless = hostile.url("/small"), hostile.url("/endless-body")
    proc = subprocess.Popen([str(cli.path), "fetch", "--quiet", "--loop", loop, "-o", str(out), small, endless],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # until the small one is done and the endless one writes
            names = [p.name for p in out.iterdir()] if out.exists() else []
            if "small" in names and (("endless-body" in names) or any(PART_NAME.match(n) for n in names)):
                break
            time.sleep(0.02)
        time.sleep(0.2)
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGTERM, f"exit {proc.returncode}\n{stderr}"
    _assert_disk(out, {"small": EXACT_BODY})
    assert re.search(r"^ok   .*/small: ", stderr, re.M), stderr
    assert "stopped by Terminated: 1 transfers done, 1 not" in stderr, stderr


def test_fetch_StdoutHoldsTheBodiesInUrlOrder(cli, nginx, hostile):
    # Without -o, a big body first and a small one second: the second must not be mixed
    # into the first.
    big = (nginx.root / "big.bin").read_bytes()
    started = time.monotonic()
    proc = subprocess.run([str(cli.path), "fetch", "--quiet", nginx.url("big.bin"), hostile.url("/small"),
                           nginx.url("missing.bin"), nginx.url("hello.txt")],
                          capture_output=True, timeout=20, stdin=subprocess.DEVNULL)
    assert time.monotonic() - started < 15
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout == big + EXACT_BODY + b"hello\n", "stdout is not the bodies in order (404 page excluded)"
    assert b"4 transfers, 1 failed" in proc.stderr

# SPDX-License-Identifier: MIT
"""Shared fixtures for the multisock pytest suite.

- `cli`: runs the `multisock` binary (env MULTISOCK_CLI, default build/conformance/multisock
  under the repository root). A test that asks for it fails when the binary is missing.
- `render`: runs `ms_reports_render` (env MS_REPORTS_RENDER, default
  build/reports/ms_reports_render), the report library's own small driver.
- `nginx`: a private nginx on loopback (HTTP and HTTPS with a CA made at test time).
- `artifact_dir`: where a test keeps files for CI to show (env MS_ARTIFACT_DIR).

Everything binds to 127.0.0.1 only. Temporary folders come from pytest's tmp_path; CTest
passes --basetemp under the build folder, so a killed run leaves nothing outside it.
"""

import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
NGINX = "/usr/sbin/nginx"
OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"


def cli_path() -> Path:
    return Path(os.environ.get("MULTISOCK_CLI", REPO_ROOT / "build" / "conformance" / "multisock"))


def render_path() -> Path:
    return Path(os.environ.get("MS_REPORTS_RENDER", REPO_ROOT / "build" / "reports" / "ms_reports_render"))


class Tool:
    """Runs one binary; every call returns the CompletedProcess (text mode)."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def run(self, *args, cwd=None, timeout=300, check_code=None):
        argv = [str(self.path), *map(str, args)]
        proc = subprocess.run(argv, cwd=str(cwd or REPO_ROOT), capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)
        if check_code is not None:
            assert proc.returncode == check_code, describe(proc)
        return proc


def describe(proc) -> str:
    """The command, exit code and both outputs, for assertion messages."""
    out = proc.stdout if len(proc.stdout) < 4000 else proc.stdout[:4000] + "\n...(cut)"
    err = proc.stderr if len(proc.stderr) < 4000 else proc.stderr[:4000] + "\n...(cut)"
    return f"$ {' '.join(proc.args)}\nexit {proc.returncode}\n--- stdout\n{out}\n--- stderr\n{err}"


@pytest.fixture(scope="session")
def cli() -> Tool:
    path = cli_path()
    assert path.is_file() and os.access(path, os.X_OK), (
        f"multisock CLI not found at {path} (build it, or set MULTISOCK_CLI)")
    return Tool(path)


@pytest.fixture(scope="session")
def render() -> Tool:
    path = render_path()
    assert path.is_file() and os.access(path, os.X_OK), (
        f"ms_reports_render not found at {path} (build target ms_reports_render, or set MS_REPORTS_RENDER)")
    return Tool(path)


@pytest.fixture(scope="session")
def artifact_dir() -> Path:
    d = Path(os.environ.get("MS_ARTIFACT_DIR", REPO_ROOT / "build" / "pytest-artifacts"))
    d.mkdir(parents=True, exist_ok=True)
    return d


def load_json(path) -> dict:
    with open(path, encoding="utf-8") as f:
        return json.load(f)


# --------------------------------------------------------------------------- nginx

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent():
    # PR_SET_PDEATHSIG: if the test process dies, the kernel kills nginx too.
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    PR_SET_PDEATHSIG = 1
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _openssl(*args, cwd):
    proc = subprocess.run([OPENSSL, *args], cwd=str(cwd), capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, describe(proc)


def make_certificates(folder: Path):
    """A CA and a server certificate for localhost and 127.0.0.1, signed by it."""
    folder.mkdir(parents=True, exist_ok=True)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    _openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
             "-subj", "/CN=multisock test CA",
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=folder)
    _openssl("req", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost", cwd=folder)
    (folder / "server.ext").write_text(
        "basicConstraints=CA:FALSE\n"
        "keyUsage=critical,digitalSignature,keyEncipherment\n"
        "extendedKeyUsage=serverAuth\n"
        "subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    _openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
             "-out", "server.pem", "-days", "2", "-extfile", "server.ext", cwd=folder)
    return folder / "ca.pem", folder / "server.pem", folder / "server.key"


def make_docroot(root: Path):
    """Generated files: small text, an empty file, a 1 MiB deterministic binary, a folder."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "index.html").write_text("<!DOCTYPE html><title>multisock</title><p>index</p>\n")
    (root / "hello.txt").write_text("hello\n")
    (root / "empty.txt").write_bytes(b"")
    (root / "big.bin").write_bytes(bytes((i * 131 + 7) & 0xFF for i in range(1 << 20)))
    (root / "dir").mkdir(exist_ok=True)
    (root / "dir" / "nested.txt").write_text("nested\n")


NGINX_CONF = """\
daemon off;
master_process off;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log info;
events {{ worker_connections 1024; }}
http {{
    access_log {d}/access.log;
    client_body_temp_path {d}/client_body_temp;
    proxy_temp_path {d}/proxy_temp;
    fastcgi_temp_path {d}/fastcgi_temp;
    uwsgi_temp_path {d}/uwsgi_temp;
    scgi_temp_path {d}/scgi_temp;
    types {{ text/html html; text/plain txt; application/octet-stream bin; }}
    default_type application/octet-stream;
    sendfile on;
    keepalive_timeout 30s;
    server {{
        listen 127.0.0.1:{port} backlog=1024;
        server_name localhost;
        root {root};
        location = /status/204 {{ return 204; }}
        location = /redirect {{ return 302 /hello.txt; }}
    }}
    server {{
        listen 127.0.0.1:{https_port} ssl backlog=1024;
        server_name localhost;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        root {root};
        location = /status/204 {{ return 204; }}
    }}
    # HTTP/2: over TLS (ALPN h2), and h2c with prior knowledge. Each request's connection
    # number goes to its own log, so a test counts the TCP connections a client used.
    log_format h2conn '$connection $server_protocol $status $request_uri';
    server {{
        listen 127.0.0.1:{h2_port} ssl http2 backlog=1024;
        server_name localhost;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        root {root};
        access_log {d}/h2.log h2conn;
    }}
    server {{
        listen 127.0.0.1:{h2c_port} http2 backlog=1024;
        server_name localhost;
        root {root};
        access_log {d}/h2c.log h2conn;
    }}
}}
"""


class Nginx:
    def __init__(self, folder: Path, ports: dict, root: Path, ca_file: Path, proc):
        self.folder = folder
        self.port = ports["port"]
        self.https_port = ports["https_port"]
        self.h2_port = ports["h2_port"]    # HTTP/2 over TLS (ALPN h2)
        self.h2c_port = ports["h2c_port"]  # HTTP/2 with prior knowledge, no TLS
        self.root = root
        self.ca_file = ca_file
        self.proc = proc
        self.host = "127.0.0.1"

    def url(self, path: str = "/", https: bool = False, host: str = "127.0.0.1") -> str:
        if not path.startswith("/"):
            path = "/" + path
        if https:
            return f"https://{host}:{self.https_port}{path}"
        return f"http://{host}:{self.port}{path}"

    def https_url(self, path: str = "/", host: str = "localhost") -> str:
        return self.url(path, https=True, host=host)

    def h2_log(self, tls: bool = True) -> list:
        """The requests served over HTTP/2 so far: (connection number, protocol, status, uri)."""
        p = self.folder / ("h2.log" if tls else "h2c.log")
        if not p.exists():
            return []
        return [tuple(line.split(" ", 3)) for line in p.read_text().splitlines() if line]

    def error_log(self) -> str:
        p = self.folder / "error.log"
        return p.read_text(errors="replace") if p.exists() else ""


def _wait_accepts(port: int, proc, deadline: float) -> bool:
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False


def start_nginx(folder: Path) -> Nginx:
    assert Path(NGINX).exists(), f"{NGINX} is not installed (apt-get install nginx)"
    folder.mkdir(parents=True, exist_ok=True)
    root = folder / "www"
    make_docroot(root)
    ca, cert, key = make_certificates(folder / "tls")
    last_error = ""
    for _attempt in range(3):  # a port picked as free can be taken before nginx binds it
        ports = {name: free_port() for name in ("port", "https_port", "h2_port", "h2c_port")}
        if len(set(ports.values())) != len(ports):
            continue
        conf = folder / "nginx.conf"
        conf.write_text(NGINX_CONF.format(d=folder, root=root, cert=cert, key=key, **ports))
        out = open(folder / "nginx.stdout", "wb")
        proc = subprocess.Popen([NGINX, "-p", str(folder), "-e", str(folder / "error.log"), "-c", str(conf)],
                                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                preexec_fn=_die_with_parent, cwd=str(folder))
        out.close()
        deadline = time.monotonic() + 15
        if all(_wait_accepts(p, proc, deadline) for p in ports.values()):
            return Nginx(folder, ports, root, ca, proc)
        stop_nginx(proc)
        last_error = (folder / "nginx.stdout").read_text(errors="replace")
        if (folder / "error.log").exists():
            last_error += (folder / "error.log").read_text(errors="replace")
    raise AssertionError(f"nginx did not start in {folder}:\n{last_error}")


def stop_nginx(proc):
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


@pytest.fixture(scope="module")
def nginx(tmp_path_factory):
    """A private nginx on 127.0.0.1: .port (HTTP), .https_port, .root (docroot, tests may add
    files), .ca_file (PEM of the CA that signed the localhost/127.0.0.1 certificate), .url(path),
    .https_url(path); HTTP/2: .h2_port (TLS, ALPN h2), .h2c_port (prior knowledge), .h2_log(tls).
    Shared by the tests of one module; stopped by its process id afterwards."""
    folder = tmp_path_factory.mktemp("nginx")
    server = start_nginx(folder)
    try:
        yield server
    finally:
        stop_nginx(server.proc)

# SPDX-License-Identifier: MIT
"""The nginx fixture itself: both listeners answer, files are served, TLS verifies with the CA."""

import hashlib
import ssl
import urllib.error
import urllib.request


def fetch(url, context=None):
    with urllib.request.urlopen(url, timeout=10, context=context) as resp:
        return resp.status, resp.read()


def test_nginx_ServesGeneratedFilesOverHttp(nginx):
    status, body = fetch(nginx.url("/hello.txt"))
    assert status == 200 and body == b"hello\n"
    status, body = fetch(nginx.url("big.bin"))
    assert status == 200
    assert hashlib.sha256(body).digest() == hashlib.sha256((nginx.root / "big.bin").read_bytes()).digest()
    assert len(body) == 1 << 20


def test_nginx_ServesFilesAddedByATest(nginx):
    (nginx.root / "added.txt").write_text("added\n")
    assert fetch(nginx.url("/added.txt")) == (200, b"added\n")


def test_nginx_MissingFileIs404(nginx):
    try:
        fetch(nginx.url("/no-such-file"))
    except urllib.error.HTTPError as e:
        assert e.code == 404
    else:
        raise AssertionError("expected 404")


def test_nginx_HttpsVerifiesWithTheTestCa(nginx):
    ctx = ssl.create_default_context(cafile=str(nginx.ca_file))
    assert fetch(nginx.https_url("/hello.txt"), context=ctx) == (200, b"hello\n")
    assert fetch(nginx.url("/hello.txt", https=True), context=ctx) == (200, b"hello\n")


def test_nginx_HttpsRejectedWithoutTheCa(nginx):
    try:
        fetch(nginx.https_url("/hello.txt"), context=ssl.create_default_context())
    except (urllib.error.URLError, ssl.SSLError) as e:
        assert "CERTIFICATE_VERIFY_FAILED" in str(e) or "certificate" in str(e).lower()
    else:
        raise AssertionError("a certificate from the test CA verified without the CA")


def test_nginx_KeepsEverythingInItsFolder(nginx):
    conf = (nginx.folder / "nginx.conf").read_text()
    for line in conf.splitlines():
        line = line.strip()
        if line.startswith(("pid ", "error_log ", "access_log ")) or "_temp_path " in line:
            assert str(nginx.folder) in line, line
    assert conf.count("_temp_path ") == 5
    assert "listen 127.0.0.1:" in conf
    assert (nginx.folder / "access.log").exists()

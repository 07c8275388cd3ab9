# SPDX-License-Identifier: MIT
"""The programs of conformance/apps, built against the system libcurl, do their job on
loopback: app-loop and pycurl_asyncio.py fetch ten files byte-exact from a local nginx,
every mutant named by CMake's list was built as its own program, the mutants that still
finish fetch the same bytes, and curl's argument-taking examples (multi-uv, multi-event)
save every body.

Found through MULTISOCK_APPS_BIN_DIR and MS_APP_MUTANTS (comma-separated), which
pytest/CMakeLists.txt sets; without them (pytest run by hand) the tests skip.
"""
import hashlib
import os
import subprocess
from pathlib import Path

import pytest

FILE_COUNT = 10
SIZES = (1, 1000, 64 * 1024, 300 * 1024, 0)
RUN_TIMEOUT_S = 20
PYCURL_APP = Path(__file__).resolve().parent.parent / "conformance" / "apps" / "pycurl_asyncio.py"
# Mutants whose broken rule does not stop a fast loopback run from finishing.
FINISHING_MUTANTS = ("no_info_read", "cleanup_without_remove", "reentry", "watch_both")


def _bin_dir():
    value = os.environ.get("MULTISOCK_APPS_BIN_DIR")
    if not value:
        pytest.skip("MULTISOCK_APPS_BIN_DIR is not set (run through ctest)")
    return Path(value)


def _mutant_names():
    value = os.environ.get("MS_APP_MUTANTS")
    if not value:
        pytest.skip("MS_APP_MUTANTS is not set (run through ctest)")
    return value.split(",")


def _content(index, size):
    out = bytearray()
    block = 0
    while len(out) < size:
        out += hashlib.sha256(f"apps-{index}-{block}".encode()).digest()
        block += 1
    return bytes(out[:size])


@pytest.fixture(scope="module")
def served(nginx):
    """Ten files of varied sizes in the docroot: (urls, {name: bytes}) in URL order."""
    folder = Path(nginx.root) / "apps"
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for i in range(FILE_COUNT):
        name = f"a{i:02d}.bin"
        files[name] = _content(i, SIZES[i % len(SIZES)])
        (folder / name).write_bytes(files[name])
    return [nginx.url(f"/apps/{name}") for name in files], files


def _run(argv, cwd):
    cwd.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(argv, cwd=str(cwd), capture_output=True, text=True,
                          timeout=RUN_TIMEOUT_S, stdin=subprocess.DEVNULL)
    log = f"\n--- {' '.join(argv[:2])} ... exit {proc.returncode}\n--- stdout:\n{proc.stdout}\n--- stderr:\n{proc.stderr}"
    return proc, log


def _assert_fetched_all(proc, log, out_dir, files):
    assert proc.returncode == 0, log
    assert f"{FILE_COUNT} ok, 0 failed" in proc.stdout, log
    for name, data in files.items():
        got = (out_dir / name).read_bytes()
        assert got == data, f"{name}: {len(got)} bytes, expected {len(data)}{log}"


def test_app_loop_fetches_ten_files_byte_exact(served, tmp_path):
    urls, files = served
    proc, log = _run([str(_bin_dir() / "app-loop"), "-t", "15", *urls], tmp_path)
    _assert_fetched_all(proc, log, tmp_path, files)


def test_app_loop_http_error_status_is_a_failure(nginx, served, tmp_path):
    urls, _ = served
    proc, log = _run([str(_bin_dir() / "app-loop"), urls[0], nginx.url("/apps/missing.bin")], tmp_path)
    assert proc.returncode == 1, log
    assert "HTTP status 404" in proc.stderr, log
    assert "1 ok, 1 failed" in proc.stdout, log
    assert not (tmp_path / "missing.bin").exists(), log


def test_pycurl_asyncio_fetches_ten_files_byte_exact(served, tmp_path):
    urls, files = served
    proc, log = _run(["/usr/bin/python3", str(PYCURL_APP), "-t", "15", *urls], tmp_path)
    _assert_fetched_all(proc, log, tmp_path, files)
    assert proc.stdout.count("ok http://") == FILE_COUNT, log


def test_pycurl_asyncio_http_error_status_is_a_failure(nginx, served, tmp_path):
    urls, _ = served
    proc, log = _run(["/usr/bin/python3", str(PYCURL_APP), urls[1], nginx.url("/apps/missing.bin")], tmp_path)
    assert proc.returncode == 1, log
    assert "HTTP status 404" in proc.stderr, log
    assert "1 ok, 1 failed" in proc.stdout, log


def test_every_mutant_is_its_own_program():
    bin_dir = _bin_dir()
    names = _mutant_names()
    assert len(names) == len(set(names)) and len(names) >= 12, names
    loop_bytes = (bin_dir / "app-loop").read_bytes()
    seen = {loop_bytes}
    for name in names:
        path = bin_dir / f"app-mutant-{name}"
        assert path.is_file() and os.access(path, os.X_OK), f"{path} is missing"
        data = path.read_bytes()
        assert data not in seen, f"{path.name} is byte-identical to another variant"
        seen.add(data)


@pytest.mark.parametrize("mutant", FINISHING_MUTANTS)
def test_finishing_mutant_still_fetches_every_file(served, tmp_path, mutant):
    if mutant not in _mutant_names():
        pytest.fail(f"{mutant} is not in MS_APP_MUTANTS")
    urls, files = served
    proc, log = _run([str(_bin_dir() / f"app-mutant-{mutant}"), "-t", "15", *urls], tmp_path)
    _assert_fetched_all(proc, log, tmp_path, files)
    if mutant == "reentry":  # the call from inside the timer callback was made, and refused
        assert "socket_action from the timer callback" in proc.stderr, log


@pytest.mark.parametrize("example", ("multi-uv", "multi-event"))
def test_curl_example_with_url_arguments_saves_every_body(served, tmp_path, example):
    path = _bin_dir() / f"curl-{example}"
    if not path.exists():
        pytest.skip(f"{path.name} was not built (its event library is missing)")
    urls, files = served
    proc, log = _run([str(path), *urls], tmp_path)
    assert proc.returncode == 0, log
    assert proc.stdout.count(" DONE") == FILE_COUNT, log
    # N.download holds the body of the URL in argument N.
    for number, name in enumerate(files, start=1):
        got = (tmp_path / f"{number}.download").read_bytes()
        assert got == files[name], f"{number}.download: {len(got)} bytes, expected {len(files[name])}{log}"


def _syscalls(argv, cwd):
    """The epoll_ctl and timerfd_settime calls of a run, as strace prints them."""
    strace = Path("/usr/bin/strace")
    if not strace.exists():
        pytest.skip("strace is not installed")
    trace = cwd / "strace.txt"
    proc, log = _run([str(strace), "-f", "-qq", "-o", str(trace), "-e", "trace=epoll_ctl,timerfd_settime",
                      *argv], cwd)
    return proc, log, trace.read_text().splitlines()


def _watches(lines):
    """epoll_ctl ADD/MOD lines, but not the timerfd's own (EPOLLIN only, added first)."""
    calls = [line for line in lines if "EPOLL_CTL_ADD" in line or "EPOLL_CTL_MOD" in line]
    return calls[1:]


# What each mutant's system calls show, beside app-loop's, for three loopback transfers.
@pytest.mark.parametrize("mutant", ("no_unwatch", "timer_not_deleted", "watch_both", "timer_late"))
def test_mutant_breaks_its_rule_in_its_system_calls(served, tmp_path, mutant):
    urls, _ = served
    base, base_log, good = _syscalls([str(_bin_dir() / "app-loop"), *urls[:3]], tmp_path / "loop")
    proc, log, bad = _syscalls([str(_bin_dir() / f"app-mutant-{mutant}"), *urls[:3]], tmp_path / "mutant")
    assert base.returncode == 0, base_log
    assert proc.returncode == 0, log
    disarm = "it_value={tv_sec=0, tv_nsec=0}"
    settimes = [line for line in bad if "timerfd_settime" in line]
    if mutant == "no_unwatch":
        assert any("EPOLL_CTL_DEL" in line for line in good), good
        assert not any("EPOLL_CTL_DEL" in line for line in bad), bad
    elif mutant == "timer_not_deleted":
        assert any(disarm in line for line in good), good
        assert settimes and not any(disarm in line for line in settimes), bad
    elif mutant == "watch_both":
        assert _watches(bad) and all("EPOLLIN|EPOLLOUT" in line for line in _watches(bad)), bad
        assert not all("EPOLLIN|EPOLLOUT" in line for line in _watches(good)), good
    else:  # timer_late: every armed timer is at least a second away
        armed = [line for line in settimes if disarm not in line]
        assert armed and all("it_value={tv_sec=0," not in line for line in armed), bad
        assert any("it_value={tv_sec=0," in line for line in good if disarm not in line), good

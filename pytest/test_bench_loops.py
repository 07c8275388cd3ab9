# SPDX-License-Identifier: MIT
"""engine/compat/bench_loops.py, the side-by-side benchmark of one C program on two
libraries, run small: it must check every body, print one row per build and the paired
ratios. (It asserts nothing about speed; neither does this.)"""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_bench_loops_PrintsBothBuildsAndTheirRatios(tmp_path):
    bin_dir = os.environ.get("MULTISOCK_COMPAT_BIN_DIR")
    if not bin_dir:
        pytest.skip("MULTISOCK_COMPAT_BIN_DIR is not set (run through ctest)")
    proc = subprocess.run([sys.executable, str(ROOT / "engine" / "compat" / "bench_loops.py"), "--files", "6",
                           "--size", "3000", "--rounds", "1", "--loops", "epoll", "--strace", "--bin", bin_dir],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = {m.group(1): m.group(0) for m in re.finditer(r"^epoll\s+(libcurl|shim|ratio)\b.*$", proc.stdout, re.M)}
    assert set(rows) == {"libcurl", "shim", "ratio"}, proc.stdout
    for build in ("libcurl", "shim"):
        # wall, CPU, CPU per GET, RSS, system calls per GET: five positive numbers.
        numbers = [float(x) for x in rows[build].split()[2:]]
        assert len(numbers) == 5 and all(n > 0 for n in numbers), rows[build]
    assert "6 files of 3000 bytes" in proc.stdout

# SPDX-License-Identifier: MIT
"""The simulating commands keep their heap in transparent huge pages where the kernel gives
them on request (conformance/cli/huge_pages.hpp), seen from outside: a run of 3,000
simulated transfers faults far fewer pages than with the tunable glibc.malloc.hugetlb=0
(which turns it off), and prints the same trace."""
import os
import re
import subprocess
from pathlib import Path

import pytest

CLI = os.environ.get("MULTISOCK_CLI", "build/conformance/multisock")
THP = Path("/sys/kernel/mm/transparent_hugepage/enabled")

pytestmark = pytest.mark.skipif(not (THP.exists() and "[madvise]" in THP.read_text()),
                                reason="the kernel does not give transparent huge pages on request only")


def scenario(tmp_path, transfers):
    lines = ["title many small transfers", "seed 1", "world latency 1ms"]
    for p in range(8):
        lines += [f"peer p{p} listen 127.0.2.{p + 1}:80", "  accept", "  expect request",
                  '  send "HTTP/1.1 200 OK\\r\\nContent-Length: 512\\r\\n\\r\\n"', "  send body 512",
                  "  keep-alive"]
    lines.append("client")
    lines += [f"  add t{t} url http://127.0.2.{t % 8 + 1}/" for t in range(transfers)]
    path = tmp_path / "many.scn"
    path.write_text("\n".join(lines) + "\n")
    return path


def replay(path, tunables):
    """stdout and minor page faults of one `multisock replay`."""
    env = {k: v for k, v in os.environ.items() if k != "GLIBC_TUNABLES"}
    if tunables is not None:
        env["GLIBC_TUNABLES"] = tunables
    out = (path.parent / "out.txt").open("w+")
    proc = subprocess.Popen([CLI, "replay", str(path)], stdout=out, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    assert proc.returncode == 0
    out.seek(0)
    return out.read(), usage.ru_minflt


def test_a_large_run_faults_far_fewer_pages_with_the_same_trace(tmp_path):
    path = scenario(tmp_path, 3000)
    plain, plain_faults = replay(path, "glibc.malloc.hugetlb=0")
    huge, huge_faults = replay(path, None)
    assert re.search(r"^# outcome pass .*trace [0-9a-f]{64}$", plain, re.M)
    assert huge == plain
    # 4 KiB pages: several thousand faults; huge pages: a few hundred.
    assert huge_faults * 2 < plain_faults, (huge_faults, plain_faults)

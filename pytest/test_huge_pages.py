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


def test_page_faults_do_not_depend_on_where_the_heap_starts(tmp_path):
    # The heap starts at a random place in a huge page; the part of that huge page before
    # the reserve's first boundary would be faulted in 4 KiB pages (0 to 1,024 faults, so a
    # spread of hundreds over a few runs). The reserve begins its blocks at that boundary.
    path = scenario(tmp_path, 300)
    runs = [replay(path, None) for _ in range(5)]
    assert len({out for out, _ in runs}) == 1
    faults = sorted(f for _, f in runs)
    # The four fewest: a huge page the kernel could not give at once (fragmented memory)
    # adds 511 faults to a run, and says nothing of where the heap started.
    assert faults[3] - faults[0] <= 32, faults

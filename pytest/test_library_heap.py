# SPDX-License-Identifier: MIT
"""A library's trace in the simulated world does not depend on what the program itself
allocates (simnet/library_heap.hpp): libcurl 7.88.1 orders the HTTP/2 transfers of a shared
socket by their easy handles' addresses, so in the program's heap a build of multisock that
allocates a little more or less would move its trace. MS_HOST_ALLOCATIONS=N makes the
program allocate N blocks of its own before the run and one more whenever the driver or the
world runs, as such a build would; MS_LIBRARY_HEAP=0 turns the library heap off, which shows
that the check can fail."""
import os
import re
import subprocess
from pathlib import Path

import pytest

from conftest import REPO_ROOT, describe

LIBCURL = Path("/usr/lib/x86_64-linux-gnu/libcurl.so.4")
SCENARIOS = ["h2_tls_many_small", "h2_multiplex_reverse_order", "recovery_after_error"]


def trace_hash(cli, scenario, **env):
    proc = subprocess.run(
        [str(cli.path), "replay", str(REPO_ROOT / "conformance" / "scenarios" / f"{scenario}.scn"),
         "--target", f"lib:{LIBCURL}"],
        cwd=str(REPO_ROOT), capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
        env={**os.environ, **{k: str(v) for k, v in env.items()}})
    m = re.search(r"^# outcome .*trace ([0-9a-f]{64})$", proc.stdout, re.M)
    assert m, describe(proc)
    return m.group(1)


@pytest.mark.skipif(not LIBCURL.exists(), reason="no system libcurl")
def test_the_programs_own_allocations_do_not_move_a_librarys_trace(cli):
    moved_without = []
    for scenario in SCENARIOS:
        plain = trace_hash(cli, scenario)
        for n in (1, 7, 500):
            assert trace_hash(cli, scenario, MS_HOST_ALLOCATIONS=n) == plain, (scenario, n)
        without = trace_hash(cli, scenario, MS_LIBRARY_HEAP=0)
        if any(trace_hash(cli, scenario, MS_LIBRARY_HEAP=0, MS_HOST_ALLOCATIONS=n) != without for n in (1, 7)):
            moved_without.append(scenario)
    # In the program's heap the same allocations move these traces (with a sanitizer's
    # allocator there is no library heap; pytest runs on the plain build).
    assert moved_without, "MS_HOST_ALLOCATIONS moved no trace without the library heap: the check is blind"

# SPDX-License-Identifier: MIT
"""The simulating commands start themselves once more with glibc's huge-page tunable
(conformance/cli/huge_pages.hpp), seen from outside under strace: a second execve of the
same program where the kernel gives huge pages on request only, none where the tunable is
set already; the same output either way; and the processes such a command starts get
GLIBC_TUNABLES as it was."""
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

CLI = os.environ.get("MULTISOCK_CLI", "build/conformance/multisock")
SCENARIO = "conformance/scenarios/1xx_continue.scn"
THP = Path("/sys/kernel/mm/transparent_hugepage/enabled")

pytestmark = pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed")


def on_request():
    return THP.exists() and "[madvise]" in THP.read_text()


def traced(tmp_path, argv, env):
    """Runs argv under strace; its output and each execve's (program, environment)."""
    log = tmp_path / "strace.log"
    run = subprocess.run(["strace", "-f", "-v", "-s", "4096", "-qq", "-e", "trace=execve", "-o", str(log)] + argv,
                         env=env, capture_output=True, text=True, timeout=120)
    execs = []
    for line in log.read_text().splitlines():
        m = re.search(r'execve\("([^"]*)", \[.*?\], \[(.*)\]\) = 0', line)
        if m:
            execs.append((m.group(1), re.findall(r'"([^"]*)"', m.group(2))))
    return run, execs


def environment(**extra):
    env = {k: v for k, v in os.environ.items() if k not in ("GLIBC_TUNABLES", "MULTISOCK_TUNABLES_BEFORE")}
    env.update(extra)
    return env


def test_replay_starts_again_with_the_tunable_where_pages_come_on_request(tmp_path):
    run, execs = traced(tmp_path, [CLI, "replay", SCENARIO], environment())
    assert run.returncode == 0, run.stderr
    if not on_request():
        assert len(execs) == 1, execs
        return
    assert len(execs) == 2, execs
    assert execs[1][0] == "/proc/self/exe"
    assert "GLIBC_TUNABLES=glibc.malloc.hugetlb=1" in execs[1][1]
    assert "MULTISOCK_TUNABLES_BEFORE=" in execs[1][1]  # was unset


def test_a_tunable_already_set_is_left_alone_and_the_output_is_the_same(tmp_path):
    again, execs = traced(tmp_path, [CLI, "replay", SCENARIO], environment(GLIBC_TUNABLES="glibc.malloc.hugetlb=0"))
    assert again.returncode == 0, again.stderr
    assert len(execs) == 1, execs
    default = subprocess.run([CLI, "replay", SCENARIO], env=environment(), capture_output=True, text=True,
                             timeout=120)
    assert default.returncode == 0
    assert default.stdout == again.stdout
    assert re.search(r"^# outcome pass .*trace [0-9a-f]{64}$", default.stdout, re.M)


def test_the_processes_a_command_starts_get_the_tunables_as_they_were(tmp_path):
    # bench's memory section starts a worker per library: they must not inherit the tunable.
    before = "glibc.malloc.arena_max=4"
    run, execs = traced(tmp_path, [CLI, "bench", "--only", "memory", "--quick", "--quiet",
                                   "--report", str(tmp_path / "bench")],
                        environment(GLIBC_TUNABLES=before))
    assert run.returncode == 0, run.stderr
    restarted = 1 if on_request() else 0
    workers = execs[1 + restarted:]
    assert workers, execs
    if restarted:
        assert f"GLIBC_TUNABLES={before}:glibc.malloc.hugetlb=1" in execs[1][1]
        assert f"MULTISOCK_TUNABLES_BEFORE=={before}" in execs[1][1]
    for program, env in workers:
        assert f"GLIBC_TUNABLES={before}" in env, program
        assert not any(v.startswith("MULTISOCK_TUNABLES_BEFORE=") for v in env), program

#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""bench_loops.py: one C program, two libraries: the event-loop examples of examples/, each
built against the system libcurl (compat-LOOP-libcurl) and against libmultisock-curl.so
(compat-LOOP-shim), downloading the same small files from a private nginx on 127.0.0.1.

Each round runs every program once, the two builds of a loop back to back, in alternating
order; the figures are medians over the rounds of each build's wall time, CPU time (user +
system, from the child's rusage) and peak RSS, and the median of the per-round ratios
shim / libcurl (paired, so a slow moment of the machine hits both). Every file is checked
byte for byte. With --strace, one more run of each build under `strace -f -c` counts its
system calls. Not a test: it prints figures and asserts nothing about speed.

  /usr/bin/python3 engine/compat/bench_loops.py [--files 500] [--size 1024] [--rounds 7]
      [--loops epoll,libevent,libuv] [--strace] [--bin build/engine/compat/bin]
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT / "pytest"))  # the nginx fixture's helpers
from conftest import start_nginx, stop_nginx  # noqa: E402


def body(i, size):
    line = f"file {i:06d} ".encode()
    return (line * (size // len(line) + 1))[:size]


def run_once(program, urls, out, extra=()):
    """Runs program on urls into out; (wall s, CPU s, peak RSS KiB).

    The program runs under /usr/bin/time, which reports its peak RSS: the rusage of a child
    forked from this Python process would count the Python image it was forked from. CPU
    is the rusage of time's process, which includes the program it waited for."""
    out.mkdir(parents=True, exist_ok=True)
    rss_file = out.parent / (out.name + ".rss")
    wall0 = time.perf_counter()
    proc = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", str(rss_file), str(program), "-o", str(out),
                             "-t", "120", *extra, *urls],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stderr = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - wall0
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"{program.name} exited {code}: {stderr.decode(errors='replace')[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, int(rss_file.read_text().split()[-1])


def check(out, expected):
    for name, data in expected.items():
        got = (out / name).read_bytes()
        if got != data:
            raise SystemExit(f"{out / name}: {len(got)} bytes, not the {len(data)} served")


def syscalls(program, urls, out, extra=()):
    """Total system calls of one run under strace -f -c."""
    out.mkdir(parents=True, exist_ok=True)
    summary = out.parent / (out.name + ".strace")
    subprocess.run(["strace", "-f", "-c", "-o", str(summary), str(program), "-o", str(out), "-t", "120", *extra, *urls],
                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    for line in summary.read_text().splitlines():
        parts = line.split()
        if parts and parts[-1] == "total":
            return int(parts[3]) if len(parts) >= 5 else int(parts[2])
    raise SystemExit(f"no total in {summary}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=500)  # nginx takes 1,024 connections at once
    parser.add_argument("--size", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--loops", default="epoll,libevent,libuv")
    parser.add_argument("--strace", action="store_true")
    parser.add_argument("--bin", type=Path, default=ROOT / "build" / "engine" / "compat" / "bin")
    # HTTP/2 over TLS (ALPN h2): every transfer waits for the first connection (-w,
    # CURLOPT_PIPEWAIT), so all of them are streams of one connection.
    parser.add_argument("--h2", action="store_true")
    args = parser.parse_args()
    loops = [x for x in args.loops.split(",") if x]
    with tempfile.TemporaryDirectory(prefix="ms-bench-loops-") as tmp:
        tmp = Path(tmp)
        server = start_nginx(tmp / "nginx")
        try:
            folder = server.root / "bench"
            folder.mkdir()
            expected = {}
            for i in range(args.files):
                name = f"b{i:06d}.bin"
                expected[name] = body(i, args.size)
                (folder / name).write_bytes(expected[name])
            urls = [server.url(f"bench/{n}") for n in expected]
            extra = []
            if args.h2:
                urls = [f"https://localhost:{server.h2_port}/bench/{n}" for n in expected]
                extra = ["-c", str(server.ca_file), "-w"]
            print(f"{args.files} files of {args.size} bytes from nginx on 127.0.0.1"
                  + (" over HTTP/2 (TLS, ALPN h2, PIPEWAIT: one connection)" if args.h2 else "")
                  + ", one transfer per URL, "
                  f"all added at once; median of {args.rounds} rounds, the two builds of a loop back to back "
                  f"in alternating order")
            print(f"{'loop':<9} {'library':<8} {'wall ms':>9} {'CPU ms':>9} {'CPU/GET us':>11} {'RSS MiB':>8} "
                  f"{'syscalls/GET':>13}")
            for loop in loops:
                builds = {f: args.bin / f"compat-{loop}-{f}" for f in ("libcurl", "shim")}
                figures = {f: [] for f in builds}
                for r in range(args.rounds + 1):  # round 0 warms up
                    order = list(builds) if r % 2 == 0 else list(reversed(builds))
                    for flavour in order:
                        out = tmp / f"out-{loop}-{flavour}-{r}"
                        result = run_once(builds[flavour], urls, out, extra)
                        check(out, expected)
                        if r > 0:
                            figures[flavour].append(result)
                calls = {f: syscalls(builds[f], urls, tmp / f"strace-{loop}-{f}", extra) if args.strace else None
                         for f in builds}
                for flavour, rows in figures.items():
                    wall = statistics.median(x[0] for x in rows)
                    cpu = statistics.median(x[1] for x in rows)
                    rss = statistics.median(x[2] for x in rows) / 1024
                    per_get = "" if calls[flavour] is None else f"{calls[flavour] / args.files:.1f}"
                    print(f"{loop:<9} {flavour:<8} {wall * 1000:>9.1f} {cpu * 1000:>9.1f} "
                          f"{cpu / args.files * 1e6:>11.1f} {rss:>8.1f} {per_get:>13}")
                ratio = lambda k: statistics.median(s[k] / c[k] for s, c in zip(figures["shim"], figures["libcurl"]))
                print(f"{loop:<9} {'ratio':<8} {ratio(0):>9.2f} {ratio(1):>9.2f} {'':>11} {ratio(2):>8.2f}"
                      + (f" {calls['shim'] / calls['libcurl']:>13.2f}" if args.strace else ""))
        finally:
            stop_nginx(server.proc)


if __name__ == "__main__":
    main()

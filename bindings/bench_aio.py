# SPDX-License-Identifier: MIT
"""bench_aio.py: asyncio downloads of many small files from a private nginx, side by side:

  multisock.aio over the engine            (multisock.Multi())
  multisock.aio over the system's libcurl   (multisock.Multi(lib=...))
  pycurl's CurlMulti.socket_action          (driven by the same asyncio loop, same callbacks)

Each is run --rounds times in one process after one warm-up round; the figures are the
median wall time and the median CPU time of this process (nginx excluded). Every body is
checked byte for byte. Not a test: it prints figures and asserts nothing about speed.

  PYTHONPATH=build/bindings/python /usr/bin/python3 bindings/bench_aio.py [--files 1000]
      [--parallel 50] [--rounds 5]

multisock keeps each body in a C++ buffer (no write function); pycurl writes to a BytesIO
(its usual WRITEDATA), which costs it one Python call per received chunk.
"""

import argparse
import asyncio
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "pytest"))  # the nginx fixture's helpers

import multisock  # noqa: E402
import multisock.aio  # noqa: E402
from conftest import start_nginx, stop_nginx  # noqa: E402

LIBCURL = "/usr/lib/x86_64-linux-gnu/libcurl.so.4"


class PycurlClient:
    """pycurl's CurlMulti on an asyncio loop: the same mapping as multisock.aio.Client."""

    def __init__(self, parallel):
        import pycurl
        self.pycurl = pycurl
        self.loop = asyncio.get_running_loop()
        self.multi = pycurl.CurlMulti()
        self.multi.setopt(pycurl.M_SOCKETFUNCTION, self.on_socket)
        self.multi.setopt(pycurl.M_TIMERFUNCTION, self.on_timer)
        self.multi.setopt(pycurl.M_MAX_TOTAL_CONNECTIONS, parallel)
        self.watched = {}
        self.timer = None
        self.futures = {}
        self.counts = [0, 0, 0]

    def on_socket(self, what, fd, multi, socketp):
        self.counts[1] += 1
        p = self.pycurl
        old = self.watched.pop(fd, 0)
        if old in (p.POLL_IN, p.POLL_INOUT):
            self.loop.remove_reader(fd)
        if old in (p.POLL_OUT, p.POLL_INOUT):
            self.loop.remove_writer(fd)
        if what in (p.POLL_IN, p.POLL_INOUT):
            self.loop.add_reader(fd, self.act, fd, p.CSELECT_IN)
        if what in (p.POLL_OUT, p.POLL_INOUT):
            self.loop.add_writer(fd, self.act, fd, p.CSELECT_OUT)
        if what in (p.POLL_IN, p.POLL_OUT, p.POLL_INOUT):
            self.watched[fd] = what

    def on_timer(self, timeout_ms):
        self.counts[2] += 1
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        if timeout_ms >= 0:
            self.timer = self.loop.call_later(timeout_ms / 1000.0, self.act, self.pycurl.SOCKET_TIMEOUT, 0)

    def act(self, fd, mask):
        if fd == self.pycurl.SOCKET_TIMEOUT:
            self.timer = None
        self.counts[0] += 1
        self.multi.socket_action(fd, mask)
        while True:
            _left, ok, failed = self.multi.info_read()
            for curl in ok:
                self.finish(curl, None)
            for curl, code, message in failed:
                self.finish(curl, RuntimeError(f"{code} {message}"))
            if _left == 0:
                break

    def finish(self, curl, error):
        future, buffer = self.futures.pop(curl)
        self.multi.remove_handle(curl)
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result((curl.getinfo(self.pycurl.RESPONSE_CODE), buffer.getvalue()))
        curl.close()

    async def get(self, url):
        curl = self.pycurl.Curl()
        buffer = io.BytesIO()
        curl.setopt(self.pycurl.URL, url)
        curl.setopt(self.pycurl.WRITEDATA, buffer)
        future = self.loop.create_future()
        self.futures[curl] = (future, buffer)
        self.multi.add_handle(curl)
        return await future

    def close(self):
        if self.timer is not None:
            self.timer.cancel()
        self.multi.close()


COUNTS = {}  # client name -> (socket_action calls, socket callbacks, timer callbacks) of the last round


async def run_multisock(name, urls, lib, parallel):
    async with multisock.aio.Client(lib=lib, max_total_connections=parallel) as client:
        responses = await asyncio.gather(*(client.get(u) for u in urls))
        COUNTS[name] = (client.events, client.socket_callbacks, client.timer_callbacks)
    return [(r.status, r.body) for r in responses]


async def run_pycurl(name, urls, parallel):
    client = PycurlClient(parallel)
    try:
        return await asyncio.gather(*(client.get(u) for u in urls))
    finally:
        COUNTS[name] = tuple(client.counts)
        client.close()


def measure(name, make, expected, rounds):
    walls, cpus = [], []
    for round_no in range(rounds + 1):
        wall0, cpu0 = time.perf_counter(), time.process_time()
        results = asyncio.run(make())
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        bad = [i for i, ((status, body), want) in enumerate(zip(results, expected)) if status != 200 or body != want]
        if bad or len(results) != len(expected):
            raise SystemExit(f"{name}: {len(bad)} wrong bodies (first: #{bad[:1]})")
        if round_no > 0:  # round 0 warms up
            walls.append(wall)
            cpus.append(cpu)
    return statistics.median(walls), statistics.median(cpus)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--parallel", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ms-bench-aio-") as tmp:
        server = start_nginx(Path(tmp) / "nginx")
        try:
            folder = server.root / "many"
            folder.mkdir()
            expected = []
            for i in range(args.files):
                data = f"file {i} ".encode() * (1 + i % 37) + bytes([i % 256])
                (folder / f"f{i:05d}.txt").write_bytes(data)
                expected.append(data)
            urls = [server.url(f"many/f{i:05d}.txt") for i in range(args.files)]
            total = sum(map(len, expected))
            rows = [
                ("multisock.aio, engine", lambda: run_multisock("multisock.aio, engine", urls, None, args.parallel)),
                ("multisock.aio, lib=libcurl 7.88.1",
                 lambda: run_multisock("multisock.aio, lib=libcurl 7.88.1", urls, LIBCURL, args.parallel)),
                ("pycurl CurlMulti.socket_action", lambda: run_pycurl("pycurl CurlMulti.socket_action", urls, args.parallel)),
            ]
            print(f"{args.files} files ({total} bytes) from nginx on 127.0.0.1, at most {args.parallel} "
                  f"connections, median of {args.rounds} rounds after a warm-up; Python {sys.version.split()[0]}")
            print(f"{'client':<36} {'wall ms':>9} {'CPU ms':>9} {'files/s':>9} {'actions':>8} {'socket cb':>9} {'timer cb':>9}")
            for name, make in rows:
                wall, cpu = measure(name, make, expected, args.rounds)
                actions, sockets, timers = COUNTS[name]
                print(f"{name:<36} {wall * 1000:>9.1f} {cpu * 1000:>9.1f} {args.files / wall:>9.0f} "
                      f"{actions:>8} {sockets:>9} {timers:>9}")
        finally:
            stop_nginx(server.proc)


if __name__ == "__main__":
    main()

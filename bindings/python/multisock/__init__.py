# SPDX-License-Identifier: MIT
"""multisock: the multi-socket contract (curl_multi_socket_action's shape) from Python.

    import multisock
    m = multisock.Multi()                       # the engine, on real sockets
    m = multisock.Multi(lib="/usr/lib/x86_64-linux-gnu/libcurl.so.4")   # or any curl-style library
    m.setopt(multisock.MOPT_SOCKETFUNCTION, lambda easy, fd, what, socketp: ...)
    m.setopt(multisock.MOPT_TIMERFUNCTION, lambda timeout_ms: ...)
    e = multisock.Easy()                        # same lib= as the Multi
    e.setopt(multisock.OPT_URL, "http://127.0.0.1:8080/")
    m.add_handle(e)
    running = m.socket_action(multisock.SOCKET_TIMEOUT, 0)
    msg, easy, result, left = m.info_read()     # or None
    easy.getinfo(multisock.INFO_RESPONSE_CODE), easy.body()

Errors are MultiError / EasyError with .code and .name ("MSM_BAD_SOCKET"). An exception a
callback raises comes out of the call that made the callback (socket_action, add_handle,
remove_handle); the engine itself carries on. `multisock.aio` drives a Multi from asyncio;
`multisock.sim` runs a scenario on the simulated network and returns its trace and verdict.
"""

from ._multisock import *  # noqa: F401,F403  (Multi, Easy, errors, constants)
from ._multisock import Easy, EasyError, Error, Multi, MultiError, code_name  # noqa: F401

__all__ = [name for name in dir() if not name.startswith("_")]

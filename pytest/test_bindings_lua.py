# SPDX-License-Identifier: MIT
"""The Lua binding (bindings/lua): the document's event loop (bindings/lua/examples/
event_loop.lua) against the nginx fixture, over the engine and the system's libcurl, and the
module's error shapes. Env MS_LUA_CPATH (default build/bindings/lua/?.so) and MS_LUA
(default lua5.4)."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import REPO_ROOT, describe

LUA = os.environ.get("MS_LUA") or shutil.which("lua5.4") or "/usr/bin/lua5.4"
CPATH = os.environ.get("MS_LUA_CPATH", str(REPO_ROOT / "build" / "bindings" / "lua" / "?.so"))
EXAMPLE = REPO_ROOT / "bindings" / "lua" / "examples" / "event_loop.lua"
LIBCURL = "/usr/lib/x86_64-linux-gnu/libcurl.so.4"
BACKENDS = [pytest.param([], id="engine"), pytest.param(["--lib", LIBCURL], id="libcurl")]


def lua(*args, script=None, timeout=60):
    env = dict(os.environ, LUA_CPATH=CPATH)
    argv = [LUA, *(["-e", script] if script else []), *map(str, args)]
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=env,
                          stdin=subprocess.DEVNULL)


def test_lua_module_loads_with_the_documented_names():
    proc = lua(script="""
        local m = require "multisock"
        assert(m.CSELECT_IN == 1 and m.CSELECT_OUT == 2 and m.CSELECT_ERR == 4)
        assert(m.SOCKET_TIMEOUT == -1 and m.POLL_REMOVE == 4 and m.MSG_DONE == 1)
        assert(m.MOPT_SOCKETFUNCTION == 20001 and m.OPT_URL == 10002)
        local multi = m.Multi()
        for _, name in ipairs{"SocketAction", "InfoRead", "SetOpt", "Timeout", "Assign"} do
          assert(type(multi[name]) == "function", name)
        end
        print("ok")""")
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", describe(proc)


@pytest.mark.parametrize("lib", BACKENDS)
def test_lua_event_loop_example_downloads_from_nginx(nginx, tmp_path, lib):
    paths = ["hello.txt", "big.bin", "dir/nested.txt", "index.html", "empty.txt"]
    urls = [nginx.url(p) for p in paths]
    out = tmp_path / "out"
    out.mkdir()
    proc = lua(EXAMPLE, *lib, "--out", out, *urls)
    assert proc.returncode == 0, describe(proc)
    lines = proc.stdout.splitlines()
    assert len(lines) == len(urls), describe(proc)
    for n, (line, path, url) in enumerate(zip(lines, paths, urls), start=1):
        expected = (nginx.root / path).read_bytes()
        assert line == f"200 {len(expected)} {url}"
        assert (out / str(n)).read_bytes() == expected


@pytest.mark.parametrize("lib", BACKENDS)
def test_lua_event_loop_example_reports_a_failed_transfer(nginx, lib):
    from conftest import free_port
    bad = f"http://127.0.0.1:{free_port()}/x"
    proc = lua(EXAMPLE, *lib, nginx.url("hello.txt"), bad)
    assert proc.returncode == 1, describe(proc)
    assert proc.stdout.splitlines() == [f"200 6 {nginx.url('hello.txt')}", f"0 MSE_COULDNT_CONNECT {bad}"]


@pytest.mark.parametrize("lib", [None, LIBCURL], ids=["engine", "libcurl"])
def test_lua_errors_carry_the_code_name(nginx, lib):
    lib_arg = f'"{lib}"' if lib else "nil"
    proc = lua(script=f"""
        local m = require "multisock"
        local multi = m.Multi({lib_arg})
        local ok, err = pcall(multi.Assign, multi, 987654, "x")
        assert(not ok and err.name == "MSM_BAD_SOCKET" and err.code == 5, tostring(err))
        assert(tostring(err):match("^MSM_BAD_SOCKET: "), tostring(err))
        ok, err = pcall(multi.SetOpt, multi, 99, 1)
        assert(not ok and err.name == "MSM_UNKNOWN_OPTION", tostring(err))
        local easy = m.Easy({lib_arg})
        ok, err = pcall(easy.SetOpt, easy, 9999, 1)
        assert(not ok and err.name == "MSE_UNKNOWN_OPTION" and err.code == 48, tostring(err))
        ok, err = pcall(multi.SocketAction, multi, "x", 0)
        assert(not ok and type(err) == "string", "a bad argument is a plain Lua error")
        assert(multi:SocketAction(987654, m.CSELECT_IN) == 0)   -- a stale descriptor is tolerated

        -- an error raised in the timer callback comes out of AddHandle; the engine carries on
        local deadline
        local first = true
        multi:SetOpt(m.MOPT_TIMERFUNCTION, function(ms)
          deadline = ms >= 0 and m.monotonic_ms() + ms or nil
          if first then first = false; error("boom in timer") end
        end)
        local watched = {{}}
        multi:SetOpt(m.MOPT_SOCKETFUNCTION, function(e, fd, what)
          if what == m.POLL_REMOVE then watched[fd] = nil else watched[fd] = what end
        end)
        easy:SetOpt(m.OPT_URL, "{nginx.url('hello.txt')}")
        ok, err = pcall(multi.AddHandle, multi, easy)
        assert(not ok and tostring(err):match("boom in timer"), tostring(err))
        local done
        local stop = m.monotonic_ms() + 20000
        while not done and m.monotonic_ms() < stop do
          for fd, mask in pairs(m.poll(watched, 50)) do multi:SocketAction(fd, mask) end
          if deadline and m.monotonic_ms() >= deadline then
            deadline = nil
            multi:SocketAction(m.SOCKET_TIMEOUT, 0)
          end
          local msg, e, result = multi:InfoRead()
          if msg then done = result; assert(e == easy) end
        end
        assert(done == m.MSE_OK, "transfer after the callback error: " .. tostring(done))
        assert(easy:Body() == "hello\\n")
        assert(easy:GetInfo(m.INFO_RESPONSE_CODE) == 200)
        multi:RemoveHandle(easy)
        multi:Close()
        print("ok")""")
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", describe(proc)


def test_lua_library_that_cannot_load_is_an_error_naming_it(tmp_path):
    proc = lua(script=f"""
        local m = require "multisock"
        local ok, err = pcall(m.Multi, "{tmp_path}/no-such-lib.so")
        assert(not ok and tostring(err):match("no%-such%-lib"), tostring(err))
        print("ok")""")
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", describe(proc)

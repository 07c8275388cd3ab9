#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The pip build of the Python package, offline: pip install --no-build-isolation --no-index
# --target DIR ./bindings/python (setup.py builds ms_python with the project's CMake), then
# imports the installed package alone and runs one transfer over a simulated world.
#   bindings/tests/pip_install.sh SOURCE_DIR WORK_DIR
# CTest bindings_pip_install (label pip, not in CI: the build takes minutes).
set -euo pipefail
src=$1
work=$2
rm -rf "$work/site"
mkdir -p "$work"
/usr/bin/python3 -m pip install --quiet --no-build-isolation --no-index --no-deps \
  --target "$work/site" "$src/bindings/python"
cd "$work"
# Only the installed package is on the path (not the build tree's).
env -u MS_BINDINGS_PYTHONPATH PYTHONPATH="$work/site" /usr/bin/python3 - <<'PY'
import multisock
from multisock import sim

assert multisock.__file__.startswith(__import__("os").getcwd()), multisock.__file__
world = sim.World(text="""\
peer p listen 127.0.0.2:80
  accept
  expect request
  send "HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nok"
  close
client
  at 1s end
""")
multi = multisock.Multi(world=world)
watched, deadline = {}, [None]


def on_socket(easy, fd, what, socketp):
    if what == multisock.POLL_REMOVE:
        watched.pop(fd, None)
    else:
        watched[fd] = what


multi.setopt(multisock.MOPT_SOCKETFUNCTION, on_socket)
multi.setopt(multisock.MOPT_TIMERFUNCTION,
             lambda ms: deadline.__setitem__(0, None if ms < 0 else world.now_ns + ms * 1_000_000))
easy = multisock.Easy()
easy.setopt(multisock.OPT_URL, "http://127.0.0.2/")
multi.add_handle(easy)
running = 1
while running:
    assert world.now_ms < 10_000, "not done in 10 virtual seconds"
    wait = 1000 if deadline[0] is None else max(0, -(-(deadline[0] - world.now_ns) // 1_000_000))
    for fd, mask in world.poll(dict(watched), wait).items():
        running = multi.socket_action(fd, mask)
    if deadline[0] is not None and world.now_ns >= deadline[0]:
        deadline[0] = None
        running = multi.socket_action(multisock.SOCKET_TIMEOUT, 0)
assert easy.body() == b"ok", easy.body()
assert multi.info_read()[2] == multisock.MSE_OK
print("pip-installed multisock", multisock.Multi().version, "ran one transfer over a simulated world")
PY

#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The recorder's CPU cost: a 1,000-transfer run of compat-epoll-libcurl against a private
nginx on 127.0.0.1, with and without libmultisock-record.so, alternating, 5 runs each.
Prints the child's user+sys CPU seconds (wait4 rusage) of every run, the medians and their
ratio. Not part of CI: run by hand after a build.

    /usr/bin/python3 conformance/record/overhead.py [--build build] [--runs 5] [--transfers 1000]
"""
import argparse
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

NGINX = "/usr/sbin/nginx"
NGINX_CONF = """\
daemon off;
master_process off;
worker_processes 1;
worker_rlimit_nofile 8192;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 8192; }}
http {{
    access_log off;
    client_body_temp_path {d}/client_body_temp;
    proxy_temp_path {d}/proxy_temp;
    fastcgi_temp_path {d}/fastcgi_temp;
    uwsgi_temp_path {d}/uwsgi_temp;
    scgi_temp_path {d}/scgi_temp;
    keepalive_timeout 30s;
    server {{
        listen 127.0.0.1:{port} backlog=4096;
        location / {{ return 200 "hello\\n"; }}
    }}
}}
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_nginx(folder):
    port = free_port()
    conf = os.path.join(folder, "nginx.conf")
    with open(conf, "w") as f:
        f.write(NGINX_CONF.format(d=folder, port=port))
    proc = subprocess.Popen([NGINX, "-c", conf, "-p", folder], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, preexec_fn=raise_nofile)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return proc, port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    sys.exit("nginx did not start")


def raise_nofile():
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))


def one_run(program, urls, env, out_dir):
    """CPU seconds (user, sys) of one run of the program, which must succeed."""
    os.makedirs(out_dir)
    proc = subprocess.Popen([program, "-o", out_dir, "-t", "120"] + urls, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=raise_nofile)
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"{program} exited {proc.returncode}: {err.decode(errors='replace')[-2000:]}")
    return usage.ru_utime, usage.ru_stime


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--transfers", type=int, default=1000)
    args = ap.parse_args()
    program = os.path.abspath(os.path.join(args.build, "engine/compat/bin/compat-epoll-libcurl"))
    recorder = os.path.abspath(os.path.join(args.build, "conformance/record/libmultisock-record.so"))
    for path in (program, recorder, NGINX):
        if not os.path.exists(path):
            sys.exit(f"{path} is missing (build the targets compat-epoll-libcurl and ms_record)")
    work = tempfile.mkdtemp(prefix="ms-record-overhead-")
    nginx, port = start_nginx(work)
    try:
        urls = [f"http://127.0.0.1:{port}/f{i}" for i in range(args.transfers)]
        base = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "MULTISOCK_RECORD")}
        plain, recorded, sizes = [], [], []
        one_run(program, urls, base, os.path.join(work, "warm-up"))
        for i in range(args.runs):
            plain.append(one_run(program, urls, base, os.path.join(work, f"plain-{i}")))
            trace = os.path.join(work, f"trace-{i}.jsonl")
            env = dict(base, LD_PRELOAD=recorder, MULTISOCK_RECORD=trace)
            recorded.append(one_run(program, urls, env, os.path.join(work, f"rec-{i}")))
            sizes.append(os.path.getsize(trace))
            print(f"run {i + 1}: plain {sum(plain[-1]):.3f} s (user {plain[-1][0]:.3f}), recorded "
                  f"{sum(recorded[-1]):.3f} s (user {recorded[-1][0]:.3f}), trace {sizes[-1]} bytes", flush=True)
        print(f"command: {program} -o DIR -t 120 URL x{args.transfers} "
              f"(recorded: LD_PRELOAD={recorder} MULTISOCK_RECORD=FILE)")
        for label, pick in (("user+sys", sum), ("user", lambda r: r[0]), ("sys", lambda r: r[1])):
            mp = statistics.median(pick(r) for r in plain)
            mr = statistics.median(pick(r) for r in recorded)
            print(f"median {label} CPU of {args.runs} runs: plain {mp:.3f} s, recorded {mr:.3f} s, "
                  f"overhead {100 * (mr - mp) / mp if mp else 0:+.1f} %")
    finally:
        nginx.terminate()
        nginx.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Is the daemon's memory flat? Storms of short-lived processes run one after another against the daemon
with its default configuration until --execs execs have been performed; after the first storm (about ten
thousand execs) and after every later one, once the writer has caught up, the daemon's VmRSS is printed.
Every cache the daemon keeps is bounded, so the figure after a million execs must be the one after ten
thousand; VmHWM (the peak) is printed at the end with the loss records (there must be none).

    python3 bench/rss.py [--execs 1000000] [--chunk 60] [--workers 2]

As root; a private journald and bpffs in a mount namespace of its own, like bench.py (~8 min for a
million execs at 2300 execs/s). Not part of the tests.
"""
import argparse
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
import harness  # noqa: E402
from bench import STORM, private_env, status_kib  # noqa: E402


def run_storm(workers, seconds, mark):
    out = subprocess.run([STORM, "-w", str(workers), "-d", str(seconds), "-m", mark],
                         stdout=subprocess.PIPE, check=True, text=True).stdout
    return int(out.split("execs=")[1].split()[0])


def caught_up(env):
    """Wait until an exec made now has its record: everything the storm produced was written before it."""
    m = harness.marker()
    subprocess.run(["/bin/true", m], check=True)
    # A match on the field's value: journald's index finds it without reading a million records.
    env.wait_records(lambda rs: rs, "the writer to catch up", "EXEC_CMDLINE=/bin/true " + m)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--execs", type=int, default=1000000)
    p.add_argument("--first", type=int, default=5, metavar="SECONDS", help="the first storm (~10000 execs)")
    p.add_argument("--chunk", type=int, default=60, metavar="SECONDS", help="every later storm")
    p.add_argument("--workers", type=int, default=os.cpu_count())
    args = p.parse_args()
    env = private_env("rss")
    try:
        env.setup()
        env.start("")
        pid = env.daemon_pid
        print("started: VmRSS %d KiB" % status_kib(pid, "VmRSS"), flush=True)
        total, seconds = 0, args.first
        while total < args.execs:
            total += run_storm(args.workers, seconds, harness.marker())
            caught_up(env)
            print("after %d execs: VmRSS %d KiB" % (total, status_kib(pid, "VmRSS")), flush=True)
            seconds = args.chunk
        lost = sum(r.i("EXEC_LOST") for r in env.records("EXEC_EVENT=lost"))
        print("VmHWM %d KiB, loss records: %s" % (status_kib(pid, "VmHWM"), lost or "none"))
        env.stop()
    finally:
        env.teardown()


if __name__ == "__main__":
    main()

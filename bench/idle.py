#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""What an idle daemon costs, and how soon the first exec after a quiet spell reaches journald. Starts the
daemon with the default configuration (or --config FILE), lets it settle, then over --seconds of quiet
counts its CPU time (schedstat) and its context switches (every thread, voluntary and not: each is a
wakeup or a preemption), and finally runs --execs isolated execs of /bin/true, --gap seconds apart, and
reads for each how long after the exec journald received its record (the entry's __REALTIME_TIMESTAMP
minus its EXEC_TIMESTAMP, both CLOCK_REALTIME).

    python3 bench/idle.py [--seconds 10] [--execs 10] [--gap 2] [--config FILE]

As root; a private journald and bpffs in a mount namespace of its own, like bench.py. $EXECAUDITD picks
another build of the daemon, to compare. Not part of the tests.
"""
import argparse
import glob
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
import harness  # noqa: E402
from bench import private_env  # noqa: E402


def cpu_seconds(pid):
    """CPU time of every thread of pid, from schedstat (nanoseconds; /proc/PID/stat counts clock ticks)."""
    ns = 0
    for path in glob.glob("/proc/%d/task/*/schedstat" % pid):
        with open(path) as f:
            ns += int(f.read().split()[0])
    return ns / 1e9


def switches(pid):
    """Voluntary and involuntary context switches, summed over pid's threads."""
    n = 0
    for path in glob.glob("/proc/%d/task/*/status" % pid):
        with open(path) as f:
            n += sum(int(line.split()[1]) for line in f
                     if line.startswith(("voluntary_ctxt_switches:", "nonvoluntary_ctxt_switches:")))
    return n


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--seconds", type=float, default=10)
    p.add_argument("--execs", type=int, default=10)
    p.add_argument("--gap", type=float, default=2)
    p.add_argument("--config", help="a configuration file (default: an empty one, the defaults)")
    args = p.parse_args()
    config = open(args.config).read() if args.config else ""
    env = private_env("idle")
    try:
        env.setup()
        env.start(config)
        time.sleep(3)
        pid = env.daemon_pid
        c0, s0, t0 = cpu_seconds(pid), switches(pid), time.monotonic()
        time.sleep(args.seconds)
        c1, s1, t1 = cpu_seconds(pid), switches(pid), time.monotonic()
        m = harness.marker()
        for i in range(args.execs):
            time.sleep(args.gap)
            subprocess.run(["/bin/true", m, str(i)], check=True)
        env.wait(lambda: len(env.find(m, "exec")) == args.execs, "%d exec records" % args.execs)
        delays = sorted(int(r.s("__REALTIME_TIMESTAMP")) - r.i("EXEC_TIMESTAMP") for r in env.find(m, "exec"))
        env.stop()
        print("idle %.1f s: %.3f ms of CPU per second, %.1f context switches per second"
              % (t1 - t0, (c1 - c0) * 1000 / (t1 - t0), (s1 - s0) / (t1 - t0)))
        print("%d isolated execs, %.1f s apart: exec to journald median %.1f ms (min %.1f, max %.1f)"
              % (len(delays), args.gap, statistics.median(delays) / 1000, delays[0] / 1000,
                 delays[-1] / 1000))
    finally:
        env.teardown()


if __name__ == "__main__":
    main()

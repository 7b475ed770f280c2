#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Does the daemon ride out a stalled journald? A storm runs; part way through, the private journald is
SIGSTOPped for --stall seconds, then continued. Prints the execs performed, the exec records found (by
marker), the loss records, the writer queue's high-water mark and the daemon's RSS.

    python3 bench/stall.py [--stall 4] [--seconds 10] [--workers 2]

As root; a private journald and bpffs in a mount namespace of its own, like bench.py. Not part of the tests.
"""
import argparse
import os
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
import harness  # noqa: E402
from bench import BUILD, STORM, status_kib  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--stall", type=float, default=4)
    p.add_argument("--seconds", type=int, default=10)
    p.add_argument("--workers", type=int, default=os.cpu_count())
    args = p.parse_args()
    if os.geteuid() != 0:
        sys.exit("stall.py needs root")
    harness.DAEMON = os.environ.setdefault("EXECAUDITD", os.path.join(BUILD, "daemon", "execauditd"))
    harness.reexec_in_mount_namespace()
    env = harness.Env("stall")
    try:
        env.setup()
        env.start("")
        m = harness.marker()
        storm = subprocess.Popen([STORM, "-w", str(args.workers), "-d",
                                  str(args.seconds), "-m", m], stdout=subprocess.PIPE, text=True)
        time.sleep(min(2, args.seconds / 4))
        env.journald.send_signal(signal.SIGSTOP)
        try:
            time.sleep(args.stall)
        finally:
            env.journald.send_signal(signal.SIGCONT)
        out = storm.communicate()[0]
        execs = int(out.split("execs=")[1].split()[0])
        env.wait(lambda: len(env.find(m, "exec")) >= execs or env.records("EXEC_EVENT=lost"),
                 "the storm's records", timeout=120)
        time.sleep(2)
        found = len(env.find(m, "exec"))
        lost = [(r.s("EXEC_LOST_REASON"), r.i("EXEC_LOST")) for r in env.records("EXEC_EVENT=lost")]
        rss, hwm = status_kib(env.daemon_pid, "VmRSS"), status_kib(env.daemon_pid, "VmHWM")
        env.stop()
        stats = env.records("EXEC_EVENT=stats")
        high = stats[-1].s("EXEC_STATS_QUEUE_HIGH") if stats else "?"
        print("journald stopped %.1f s during a %d-s %d-worker storm: %d execs, %d exec records, loss records %s,"
              " writer queue high-water %s, daemon RSS %d KiB (peak %d KiB)"
              % (args.stall, args.seconds, args.workers, execs, found, lost or "none", high, rss, hwm))
    finally:
        env.teardown()


if __name__ == "__main__":
    main()

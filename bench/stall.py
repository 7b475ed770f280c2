#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Is every record that goes missing under load accounted for? A storm runs with the daemon's default
configuration; part way through, the private journald is SIGSTOPped for --stall seconds (0: not at all),
then continued; --perf-pages N sets [BPF] PerfBufferPages= (1 for deliberately tiny buffers). Prints the
execs performed, the exec records found (by marker), the loss records, the writer queue's high-water mark
and the daemon's RSS, then the accounting by EXEC_SEQ: every kernel event takes one number, so the
numbers missing from the journal minus the losses reported in loss records are the unaccounted ones
(must be 0).

    python3 bench/stall.py [--stall 4] [--seconds 10] [--workers 2] [--perf-pages N]

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
from bench import STORM, private_env, status_kib, wait_stable  # noqa: E402

KERNEL_EVENTS = ("exec", "exec_failed", "exit")


def accounting(recs):
    """(numbers taken, numbers missing, losses reported by reason) from all of the daemon's records."""
    taken = [r for r in recs if r.s("EXEC_EVENT") == "stopping"][-1].i("EXEC_SEQ")
    seen = {r.i("EXEC_SEQ") for r in recs if r.s("EXEC_EVENT") in KERNEL_EVENTS}
    lost = {}
    for r in recs:
        if r.s("EXEC_EVENT") == "lost":
            lost[r.s("EXEC_LOST_REASON")] = lost.get(r.s("EXEC_LOST_REASON"), 0) + r.i("EXEC_LOST")
    return taken, len(set(range(1, taken + 1)) - seen), lost


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--stall", type=float, default=4)
    p.add_argument("--seconds", type=int, default=10)
    p.add_argument("--workers", type=int, default=os.cpu_count())
    p.add_argument("--perf-pages", type=int, default=0, metavar="N",
                   help="[BPF] PerfBufferPages= (default: the daemon's default)")
    args = p.parse_args()
    env = private_env("stall")
    try:
        env.setup()
        env.start("[BPF]\nPerfBufferPages=%d\n" % args.perf_pages if args.perf_pages else "")
        m = harness.marker()
        storm = subprocess.Popen([STORM, "-w", str(args.workers), "-d",
                                  str(args.seconds), "-m", m], stdout=subprocess.PIPE, text=True)
        if args.stall > 0:
            time.sleep(min(2, args.seconds / 4))
            env.journald.send_signal(signal.SIGSTOP)
            try:
                time.sleep(args.stall)
            finally:
                env.journald.send_signal(signal.SIGCONT)
        out = storm.communicate()[0]
        execs = int(out.split("execs=")[1].split()[0])
        found = wait_stable(lambda: len(env.find(m, "exec")), execs, timeout=120, still=3)
        rss, hwm = status_kib(env.daemon_pid, "VmRSS"), status_kib(env.daemon_pid, "VmHWM")
        env.stop()
        env.wait_records(lambda rs: rs, "the stopping record", "EXEC_EVENT=stopping")
        recs = env.records()
        stats = [r for r in recs if r.s("EXEC_EVENT") == "stats"]
        high = stats[-1].s("EXEC_STATS_QUEUE_HIGH") if stats else "?"
        taken, missing, lost = accounting(recs)
        print("journald stopped %.1f s during a %d-s %d-worker storm, PerfBufferPages=%s: %d execs, %d exec"
              " records, loss records %s, writer queue high-water %s, daemon RSS %d KiB (peak %d KiB)"
              % (args.stall, args.seconds, args.workers, args.perf_pages or "default", execs, found,
                 sorted(lost.items()) or "none", high, rss, hwm))
        print("EXEC_SEQ: %d taken, %d missing, %d reported lost, unaccounted %d"
              % (taken, missing, sum(lost.values()), missing - sum(lost.values())))
    finally:
        env.teardown()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Two (or more) daemon builds side by side: each pair of rounds runs them in turn, ABBA, under the same
storm, and prints per build and per round the BPF run time per exec (per program too), the daemon's and
journald's CPU time per exec; then the medians, and the per-round differences to the first build.

    python3 bench/ab.py OLD/execauditd NEW/execauditd [--pairs 4] [--seconds 5] [--workers 2]

Each build loads its own BPF programs (a different object replaces the pins). As root; a private journald
and bpffs in a mount namespace of its own, like bench.py. Not part of the tests.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
import harness  # noqa: E402
import bench  # noqa: E402


def one_run(env, args, build):
    harness.DAEMON = build
    env.start("")
    jpid, dpid = env.journald.pid, env.daemon.pid
    j0, d0, b0 = bench.cpu_seconds(jpid), bench.cpu_seconds(dpid), bench.bpf_run_time("ea_", dpid)
    m = harness.marker()
    execs, _, _ = bench.storm(args, m)
    env.wait(lambda: len(env.find(m, "exec")) >= execs, "the storm's records", timeout=bench.WAIT_RECORDS)
    time.sleep(1)
    j1, d1, b1 = bench.cpu_seconds(jpid), bench.cpu_seconds(dpid), bench.bpf_run_time("ea_", dpid)
    env.stop()
    subprocess.run([build, "--config", env.config_path, "--remove-pins"], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=False)
    return {"daemon_us": (d1 - d0) / execs * 1e6, "journald_us": (j1 - j0) / execs * 1e6,
            "bpf_ns": (b1[0] - b0[0]) / execs,
            "progs": {k: (b1[2][k] - b0[2].get(k, 0)) / execs for k in b1[2]}}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("builds", nargs="+", metavar="DAEMON")
    p.add_argument("--pairs", type=int, default=4)
    p.add_argument("--seconds", type=int, default=5)
    p.add_argument("--workers", type=int, default=os.cpu_count())
    args = p.parse_args()
    args.pin_storm, args.settle = "", 2
    builds = [os.path.abspath(b) for b in args.builds]
    env = bench.private_env("ab", builds[0])
    subprocess.run(["sysctl", "-q", "kernel.bpf_stats_enabled=1"], check=True)
    runs = {b: [] for b in builds}
    try:
        env.setup()
        bench.mount_tracefs()
        for i in range(args.pairs):
            for b in (builds if i % 2 == 0 else builds[::-1]):
                r = one_run(env, args, b)
                runs[b].append(r)
                print("round %d %s: bpf %.0f ns (%s), daemon %.1f us, journald %.1f us per exec"
                      % (i + 1, b, r["bpf_ns"], ", ".join("%s %.0f" % kv for kv in sorted(r["progs"].items())),
                         r["daemon_us"], r["journald_us"]), flush=True)
    finally:
        env.teardown()
    for b in builds:
        rs = runs[b]
        print("%s: median bpf %.0f ns, daemon %.1f us, journald %.1f us per exec; %s" % (
            b, statistics.median(r["bpf_ns"] for r in rs), statistics.median(r["daemon_us"] for r in rs),
            statistics.median(r["journald_us"] for r in rs),
            ", ".join("%s %.0f" % (k, statistics.median(r["progs"].get(k, 0) for r in rs))
                      for k in sorted(rs[0]["progs"]))))
    for b in builds[1:]:
        diff = [n["bpf_ns"] - o["bpf_ns"] for o, n in zip(runs[builds[0]], runs[b])]
        print("%s - %s, bpf per round: %s ns (median %+.0f)" % (
            b, builds[0], " ".join("%+.0f" % d for d in diff), statistics.median(diff)))


if __name__ == "__main__":
    main()

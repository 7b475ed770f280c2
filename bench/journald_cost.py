#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""What journald's CPU costs per record and per field, on this machine.

A private systemd-journald (as in the integration tests: private mount namespace, tmpfs journal, rate
limits off) receives synthetic native-protocol entries over one connected socket; its CPU time
(/proc/PID/schedstat, nanoseconds) divided by the entries sent is the cost of one entry of that shape.
Shapes: 1 to 60 fields whose values repeat on every entry (journald finds the stored data object) or
differ on every entry (it hashes, stores and indexes a new one), and OBJECT_PID= (journald then looks at
/proc/PID for its trusted OBJECT_* fields): of one live process on every entry (journald's context cache
answers after the first), and of a different PID of no process on every entry (a storm of short-lived
execs: gone by the time their record arrives). A least-squares line over the field
counts gives the per-record base (trusted fields included) and the per-field costs.

    python3 bench/journald_cost.py [--entries N] [--rounds R]

It prints a table and writes bench/results/journald-cost-<time>.json. Not part of the test suite.
"""
import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
import harness  # noqa: E402

SOCKET = "/run/systemd/journal/socket"
FIELD_COUNTS = (1, 10, 20, 40, 60)


def cpu_ns(pid):
    with open("/proc/%d/schedstat" % pid) as f:
        return int(f.read().split()[0])


def entry(i, fields, unique, extra=b""):
    """fields - 1 EA_F<k>= fields plus MESSAGE; values carry i when unique. Sized like ours (8-30 bytes)."""
    out = [b"MESSAGE=cost probe %d\n" % (i if unique else 0)]
    for k in range(fields - 1):
        out.append(b"EA_F%d=%s\n" % (k, (b"%d-%d" % (i, k)) if unique else (b"value-%d" % k)))
    return b"".join(out) + extra


def measure(sock, jpid, n, make):
    # Let journald finish whatever came before, then count only this shape.
    sync(sock, jpid)
    t0 = cpu_ns(jpid)
    for i in range(n):
        sock.send(make(i))
    sync(sock, jpid)
    return (cpu_ns(jpid) - t0) / n / 1000.0


def sync(sock, jpid):
    """Wait until journald stops using CPU: every entry sent is then processed."""
    last = cpu_ns(jpid)
    while True:
        time.sleep(0.3)
        now = cpu_ns(jpid)
        if now - last < 1_000_000:
            return
        last = now


def fit(xs, ys):
    mx, my = statistics.mean(xs), statistics.mean(ys)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    return my - slope * mx, slope


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--entries", type=int, default=20000, help="entries per shape and round")
    p.add_argument("--rounds", type=int, default=3, help="rounds over all shapes; the median is reported")
    args = p.parse_args()
    if os.geteuid() != 0:
        sys.exit("journald_cost.py needs root")
    harness.reexec_in_mount_namespace()
    env = harness.Env("jcost")
    live = subprocess.Popen(["sleep", "3600"])
    free = [p for p in range(300, 32768) if not os.path.exists("/proc/%d" % p)]
    shapes = [("repeat", f, (lambda f: lambda i: entry(i, f, False))(f)) for f in FIELD_COUNTS]
    shapes += [("unique", f, (lambda f: lambda i: entry(i, f, True))(f)) for f in FIELD_COUNTS]
    shapes += [("unique+OBJECT_PID live", 20,
                lambda i: entry(i, 20, True, b"OBJECT_PID=%d\n" % live.pid)),
               ("unique+OBJECT_PID exited", 20,
                lambda i: entry(i, 20, True, b"OBJECT_PID=%d\n" % free[i % len(free)]))]
    got = {(name, f): [] for name, f, _ in shapes}
    try:
        env.setup()
        jpid = env.journald.pid
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.connect(SOCKET)
        for r in range(args.rounds):
            for name, f, make in shapes:
                got[(name, f)].append(measure(sock, jpid, args.entries, make))
            print("round %d done" % (r + 1), flush=True)
    finally:
        live.kill()
        env.teardown()
    med = {k: statistics.median(v) for k, v in got.items()}
    print("\n%-26s %7s %10s %10s %10s" % ("shape", "fields", "us/entry", "min", "max"))
    for (name, f), v in got.items():
        print("%-26s %7d %10.1f %10.1f %10.1f" % (name, f, med[(name, f)], min(v), max(v)))
    base_r, per_r = fit(FIELD_COUNTS, [med[("repeat", f)] for f in FIELD_COUNTS])
    base_u, per_u = fit(FIELD_COUNTS, [med[("unique", f)] for f in FIELD_COUNTS])
    obj_live = med[("unique+OBJECT_PID live", 20)] - med[("unique", 20)]
    obj_gone = med[("unique+OBJECT_PID exited", 20)] - med[("unique", 20)]
    summary = {"base_us_per_entry": base_r, "us_per_repeated_field": per_r, "us_per_unique_field": per_u,
               "base_us_per_entry_unique_fit": base_u, "object_pid_live_us": obj_live,
               "object_pid_exited_us": obj_gone}
    print("\nper entry (journald's own trusted fields included): %.1f us; per field whose value repeats: %.2f us;"
          " per field with a new value: %.2f us; OBJECT_PID of one live process (cached): +%.1f us, of a new exited"
          " one each time: +%.1f us"
          % (base_r, per_r, per_u, obj_live, obj_gone))
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    path = os.path.join(HERE, "results", time.strftime("journald-cost-%Y%m%d-%H%M%S") + ".json")
    with open(path, "w") as f:
        json.dump({"args": vars(args), "summary": summary,
                   "shapes": [{"shape": n, "fields": f, "us_per_entry": v} for (n, f), v in got.items()]},
                  f, indent=1)
    print("results: " + path)


if __name__ == "__main__":
    main()

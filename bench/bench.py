#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Exec-storm benchmark: no tracer vs execauditd, interleaved (A B A B ...) so machine drift cancels.

Run as root from the source tree after building (`meson compile -C build`):

    python3 bench/bench.py [--pairs 5] [--seconds 5] [--workers N]

It runs in a mount namespace of its own with a private journald (rate limits off) and bpffs, like the
integration tests. Per configuration it reports execs/s (median, min, max) and the ratio to the adjacent
no-tracer run; records found / execs performed (by marker) and loss records; CPU microseconds per exec of
the daemon and of journald; BPF run time per exec (kernel.bpf_stats_enabled); the daemon's peak RSS.
Results also go to bench/results/<timestamp>.json.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
import harness  # noqa: E402

BUILD = os.environ.get("EA_BUILD", os.path.join(HERE, "..", "build"))
STORM = os.path.join(BUILD, "bench", "storm")
CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def peak_rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def bpf_run_time():
    """(run_time_ns, run_cnt) summed over execauditd's programs."""
    out = subprocess.run(["bpftool", "prog", "show", "--json"], stdout=subprocess.PIPE, check=True).stdout
    ns = cnt = 0
    for p in json.loads(out):
        if p.get("name", "").startswith("ea_"):
            ns += p.get("run_time_ns", 0)
            cnt += p.get("run_cnt", 0)
    return ns, cnt


def storm(args, mark):
    pin = ["taskset", "-c", args.pin_storm] if args.pin_storm else []
    out = subprocess.run([*pin, STORM, "-w", str(args.workers), "-d", str(args.seconds), "-m", mark],
                         stdout=subprocess.PIPE, check=True, text=True).stdout
    kv = dict(x.split("=") for x in out.split())
    return int(kv["execs"]), float(kv["rate"])


def run_traced(env, args, mark, config, expect_records=True):
    env.start(config)
    pid = env.daemon.pid
    jpid = env.journald.pid
    d0, j0, b0 = cpu_seconds(pid), cpu_seconds(jpid), bpf_run_time()
    execs, rate = storm(args, mark)
    # Let the writer finish what the storm produced before reading the CPU counters.
    if expect_records:
        env.wait(lambda: len(env.find(mark, "exec")) >= execs or env.records("EXEC_EVENT=lost"),
                 "records of the storm", timeout=120)
    time.sleep(1)
    d1, j1, b1 = cpu_seconds(pid), cpu_seconds(jpid), bpf_run_time()
    found = len(env.find(mark, "exec"))
    lost = sum(r.i("EXEC_LOST") for r in env.records("EXEC_EVENT=lost"))
    rss = peak_rss_kib(pid)
    env.stop()
    return {
        "execs": execs, "rate": rate, "records": found, "lost_reported": lost,
        "daemon_us_per_exec": (d1 - d0) * 1e6 / max(execs, 1),
        "journald_us_per_exec": (j1 - j0) * 1e6 / max(execs, 1),
        "bpf_ns_per_exec": (b1[0] - b0[0]) / max(execs, 1),
        "bpf_runs_per_exec": (b1[1] - b0[1]) / max(execs, 1),
        "daemon_peak_rss_kib": rss,
    }


def summarize(name, runs, base):
    rates = [r["rate"] for r in runs]
    ratios = [r["rate"] / b["rate"] for r, b in zip(runs, base)]
    row = {"config": name, "rate_median": statistics.median(rates), "rate_min": min(rates),
           "rate_max": max(rates), "ratio_median": statistics.median(ratios), "ratio_min": min(ratios),
           "ratio_max": max(ratios)}
    for k in ("records", "execs", "lost_reported", "daemon_us_per_exec", "journald_us_per_exec",
              "bpf_ns_per_exec", "daemon_peak_rss_kib"):
        if runs and k in runs[0]:
            row[k] = statistics.median(r[k] for r in runs) if "per" in k or "rss" in k else sum(r[k] for r in runs)
    return row


# The storm runs as root: this filter leaves every one of its execs out, in the kernel.
FILTERED = "[Filter]\nExcludeUsers=0\n"


def bench(env, args):
    subprocess.run(["sysctl", "-q", "kernel.bpf_stats_enabled=1"], check=True)
    none, traced, filtered, none_f = [], [], [], []
    try:
        for i in range(args.pairs):
            execs, rate = storm(args, harness.marker())
            none.append({"execs": execs, "rate": rate})
            traced.append(run_traced(env, args, harness.marker(), ""))
            msg = "round %d: none %.0f/s, execauditd %.0f/s (%d/%d records)" % (
                i + 1, rate, traced[-1]["rate"], traced[-1]["records"], traced[-1]["execs"])
            if args.filtered:
                execs, rate = storm(args, harness.marker())
                none_f.append({"execs": execs, "rate": rate})
                filtered.append(run_traced(env, args, harness.marker(), FILTERED, expect_records=False))
                msg += ", none %.0f/s, filtered out %.0f/s" % (rate, filtered[-1]["rate"])
            print(msg, flush=True)
    finally:
        subprocess.run(["sysctl", "-q", "kernel.bpf_stats_enabled=0"], check=False)
    rows = [summarize("none", none, none), summarize("execauditd", traced, none)]
    if args.filtered:
        rows.append(summarize("filtered", filtered, none_f))
    print("\n%-12s %9s %9s %9s %7s %7s %7s %9s %8s %9s %9s %8s" % (
        "config", "exec/s", "min", "max", "ratio", "r.min", "r.max", "rec/exec", "lost", "bpf ns", "daemon us",
        "jrnl us"))
    for r in rows:
        print("%-12s %9.0f %9.0f %9.0f %7.3f %7.3f %7.3f %9s %8s %9s %9s %8s" % (
            r["config"], r["rate_median"], r["rate_min"], r["rate_max"], r["ratio_median"], r["ratio_min"],
            r["ratio_max"],
            "%.4f" % (r["records"] / r["execs"]) if "records" in r else "-",
            r.get("lost_reported", "-"),
            "%.0f" % r["bpf_ns_per_exec"] if "bpf_ns_per_exec" in r else "-",
            "%.1f" % r["daemon_us_per_exec"] if "daemon_us_per_exec" in r else "-",
            "%.1f" % r["journald_us_per_exec"] if "journald_us_per_exec" in r else "-"))
    if "daemon_peak_rss_kib" in rows[1]:  # the audited configuration
        print("daemon peak RSS: %d KiB" % rows[1]["daemon_peak_rss_kib"])
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    path = os.path.join(HERE, "results", time.strftime("%Y%m%d-%H%M%S") + ".json")
    with open(path, "w") as f:
        json.dump({"args": vars(args), "rows": rows, "none": none, "execauditd": traced, "none_f": none_f,
                   "filtered": filtered}, f, indent=1)
    print("results: " + path)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--pairs", type=int, default=5)
    p.add_argument("--seconds", type=int, default=5)
    p.add_argument("--workers", type=int, default=os.cpu_count())
    p.add_argument("--pin-storm", metavar="CPUS", default="",
                   help="run the storm on these CPUs only (taskset list), e.g. 1 with --workers 1")
    p.add_argument("--filtered", action="store_true",
                   help="also run execauditd with a filter that excludes the storm, each against its own no-tracer run")
    args = p.parse_args()
    if os.geteuid() != 0:
        sys.exit("bench.py needs root")
    os.environ.setdefault("EXECAUDITD", os.path.join(BUILD, "daemon", "execauditd"))
    harness.DAEMON = os.environ["EXECAUDITD"]
    if os.environ.get("EA_IT_NAMESPACE") != "1":
        os.execvpe("unshare", ["unshare", "-m", "--propagation", "private", "--", sys.executable,
                               os.path.abspath(sys.argv[0]), *sys.argv[1:]],
                   dict(os.environ, EA_IT_NAMESPACE="1"))
    env = harness.Env("bench")
    try:
        env.setup()
        bench(env, args)
    finally:
        env.teardown()


if __name__ == "__main__":
    main()

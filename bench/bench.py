#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Exec-storm benchmark: no tracer vs an exec tracer, interleaved (A B A B ...) so machine drift cancels.

Run as root from the source tree after building (`meson compile -C build`):

    python3 bench/bench.py [--pairs 5] [--seconds 5] [--workers N] [--filtered] [--execsnoop]
                           [--execsnoop-journal] [--auditd] [--all]

It runs in a mount namespace of its own with a private journald (rate limits off), bpffs and tracefs, like
the integration tests, and with net.unix.max_dgram_qlen at 512 as systemd sets it at boot (--dgram-qlen).
Every traced run has its own no-tracer run, before it in odd rounds and after it in even ones (ABBA), each
after the same idle pause. Per configuration it reports
execs/s (median, min, max) and the ratio to the adjacent no-tracer run; records found / execs performed (by
marker) and loss records; CPU microseconds per exec of the tracer's own processes and of journald; BPF run
time per exec of the tracer's programs (kernel.bpf_stats_enabled); the tracer's peak RSS.
Results also go to bench/results/<timestamp>.json.

The comparisons (see bench/README.md for the flags and why):
  --execsnoop          libbpf-tools execsnoop writing to a file
  --execsnoop-journal  execsnoop | systemd-cat, into the run's private journald
  --auditd             auditd with -a always,exit -F arch=b64 -S execve,execveat
A configuration whose tool is missing or cannot run here is reported as unavailable, with the reason.
"""
import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
import harness  # noqa: E402

BUILD = os.environ.get("EA_BUILD", os.path.join(HERE, "..", "build"))
STORM = os.path.join(BUILD, "bench", "storm")

EXECSNOOP = os.environ.get("EA_EXECSNOOP", "/usr/sbin/execsnoop")
# All execs including failed ones (-x), wall-clock time and seconds since start (-T -t), the uid (-U), each
# argument quoted so that spaces stay unambiguous (-q), and as many arguments as it can take (60).
EXECSNOOP_FLAGS = ["-x", "-T", "-t", "-U", "-q", "--max-args", "60"]
AUDIT_RULE = ["always,exit", "-F", "arch=b64", "-S", "execve,execveat"]
WAIT_RECORDS = 120
# systemd as PID 1 raises net.unix.max_dgram_qlen to at least 512 at boot; the kernel's default is 10. A
# datagram journal writer on a systemd host has that queue; a bench machine whose PID 1 is not systemd
# would otherwise measure the writer waking up for every 10 datagrams journald takes.
SYSTEMD_DGRAM_QLEN = 512
DGRAM_QLEN = "/proc/sys/net/unix/max_dgram_qlen"


def read_dgram_qlen():
    with open(DGRAM_QLEN) as f:
        return int(f.read())


def set_dgram_qlen(n):
    with open(DGRAM_QLEN, "w") as f:
        f.write("%d\n" % n)


def cpu_seconds(pid):
    """CPU time of pid's threads, in nanoseconds from their schedstat: /proc/PID/stat counts 10-ms ticks,
    about 1 us per exec at 10000 execs. A thread that ended during the run is not counted; the tracers'
    threads live as long as they do."""
    total = 0
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/schedstat" % (pid, tid)) as f:
                total += int(f.read().split()[0])
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total / 1e9


def private_env(tool, daemon=None):
    """As root, in a mount namespace of its own (the script runs again there): the Env of a private journald
    and bpffs for tool, with daemon (default: $EXECAUDITD, else the build's) as the daemon."""
    if os.geteuid() != 0:
        sys.exit("%s needs root" % tool)
    harness.DAEMON = daemon or os.environ.setdefault("EXECAUDITD", os.path.join(BUILD, "daemon", "execauditd"))
    harness.reexec_in_mount_namespace()
    return harness.Env(tool)


def status_kib(pid, key):
    """A kB line of /proc/PID/status (VmRSS, VmHWM), or 0."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def peak_rss_kib(pid):
    return status_kib(pid, "VmHWM")


def prog_ids_of(pid):
    """IDs of the BPF programs whose file descriptors process pid holds."""
    ids = set()
    fddir = "/proc/%d/fdinfo" % pid
    for fd in os.listdir(fddir):
        try:
            with open(os.path.join(fddir, fd)) as f:
                for line in f:
                    if line.startswith("prog_id:"):
                        ids.add(int(line.split()[1]))
        except OSError:
            pass
    return ids


def bpf_run_time(prefix, pid=None):
    """(run_time_ns, run_cnt, {program name: run_time_ns}) over the programs whose name starts with prefix
    and, given pid, that this process holds (other tests may load programs of the same names at the same
    time)."""
    ids = prog_ids_of(pid) if pid else None
    out = subprocess.run(["bpftool", "prog", "show", "--json"], stdout=subprocess.PIPE, check=True).stdout
    ns = cnt = 0
    by_name = {}
    for p in json.loads(out):
        if p.get("name", "").startswith(prefix) and (not ids or p.get("id") in ids):
            ns += p.get("run_time_ns", 0)
            cnt += p.get("run_cnt", 0)
            by_name[p["name"]] = by_name.get(p["name"], 0) + p.get("run_time_ns", 0)
    return ns, cnt, by_name


def storm(args, mark):
    # The same quiet moment before every run, traced or not: a run that follows a busy spell (a daemon
    # loading its programs) otherwise starts on a hotter, slower host CPU than one that follows an idle one.
    time.sleep(args.settle)
    pin = ["taskset", "-c", args.pin_storm] if args.pin_storm else []
    out = subprocess.run([*pin, STORM, "-w", str(args.workers), "-d", str(args.seconds), "-m", mark],
                         stdout=subprocess.PIPE, check=True, text=True).stdout
    kv = dict(x.split("=") for x in out.split())
    return int(kv["execs"]), float(kv["rate"]), {k: int(kv[k]) for k in ("p10_us", "p50_us", "p90_us")}


def wait_stable(count, target, timeout=WAIT_RECORDS, still=1.5):
    """Poll count() until it reaches target or stops growing for `still` seconds."""
    end = time.monotonic() + timeout
    last, since = -1, time.monotonic()
    while time.monotonic() < end:
        n = count()
        if n >= target:
            return n
        if n != last:
            last, since = n, time.monotonic()
        elif time.monotonic() - since >= still:
            return n
        time.sleep(0.25)
    return last


def cpu_of(procs):
    """{name: CPU seconds} of the tracer's processes, procs being {name: pid}."""
    return {name: cpu_seconds(pid) for name, pid in procs.items()}


def result(execs, rate, lat, found, lost, cpu0, cpu1, jrnl_s, bpf0, bpf1, rss):
    """cpu0, cpu1: {process name: CPU seconds} of the tracer's own processes before and after the storm."""
    per = {k: (cpu1[k] - cpu0[k]) * 1e6 / max(execs, 1) for k in cpu0}
    return {
        "execs": execs, "rate": rate, **lat, "records": found, "lost_reported": lost,
        "daemon_us_per_exec": sum(per.values()),
        "cpu_us_per_exec_by_process": per,
        "journald_us_per_exec": jrnl_s * 1e6 / max(execs, 1),
        "bpf_ns_per_exec": (bpf1[0] - bpf0[0]) / max(execs, 1) if bpf0 else None,
        "bpf_runs_per_exec": (bpf1[1] - bpf0[1]) / max(execs, 1) if bpf0 else None,
        "bpf_ns_per_exec_by_program": {k: (v - bpf0[2].get(k, 0)) / max(execs, 1) for k, v in bpf1[2].items()}
        if bpf0 else None,
        "daemon_peak_rss_kib": rss,
    }


class RunDisturbed(Exception):
    """Something outside the run spoiled it; the pair is run again."""


def stop_process(p, sig=signal.SIGTERM, timeout=30):
    if p is None or p.poll() is not None:
        return
    p.send_signal(sig)
    try:
        p.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


# -- execauditd ---------------------------------------------------------------------------------------

def run_execauditd(env, args, mark, config, expect_records=True):
    env.start(config)
    pid = env.daemon.pid
    mine = "_PID=%d" % pid  # this daemon's records: the journal holds every run's
    jpid = env.journald.pid
    d0, j0, b0 = cpu_of({"execauditd": pid}), cpu_seconds(jpid), bpf_run_time("ea_", pid)
    execs, rate, lat = storm(args, mark)
    # Let the writer finish what the storm produced before reading the CPU counters.
    if expect_records:
        env.wait(lambda: len(env.find(mark, "exec")) >= execs or env.records("EXEC_EVENT=lost", mine),
                 "records of the storm", timeout=WAIT_RECORDS)
    time.sleep(1)
    d1, j1, b1 = cpu_of({"execauditd": pid}), cpu_seconds(jpid), bpf_run_time("ea_", pid)
    found = len(env.find(mark, "exec"))
    # Not --remove-pins' records: each counts its own exec, seen by the programs still attached after the
    # stop, with no daemon reading them.
    lost = sum(r.i("EXEC_LOST") for r in env.records("EXEC_EVENT=lost", mine))
    rss = peak_rss_kib(pid)
    env.stop()
    # A stopped daemon leaves its programs attached (pinned): the next no-tracer run must have none.
    subprocess.run([harness.DAEMON, "--config", env.config_path, "--remove-pins"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return result(execs, rate, lat, found, lost, d0, d1, j1 - j0, b0, b1, rss)


# -- libbpf-tools execsnoop ---------------------------------------------------------------------------

def execsnoop_unavailable():
    if not os.access(EXECSNOOP, os.X_OK):
        return "%s not found (apt-get install libbpf-tools)" % EXECSNOOP
    return None


def execsnoop_lost(path):
    """execsnoop reports a perf buffer overrun as 'Lost N events on CPU #M!' on stderr."""
    n = 0
    with open(path, errors="replace") as f:
        for line in f:
            if line.startswith("Lost ") and " events on CPU" in line:
                n += int(line.split()[1])
    return n


wait_for = harness.wait_until


def fd_kinds(pid):
    kinds = []
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            kinds.append(os.readlink("/proc/%d/fd/%s" % (pid, fd)))
        except OSError:
            pass
    return kinds


def wait_attached(p, errpath):
    """Until execsnoop holds its two tracepoint links and a perf buffer (one perf event per CPU, an epoll)."""
    def ready():
        if p.poll() is not None:
            with open(errpath, errors="replace") as f:
                raise RuntimeError("execsnoop exited with %s: %s" % (p.returncode, f.read().strip()))
        kinds = fd_kinds(p.pid)
        return (kinds.count("anon_inode:[perf_event]") >= 2 + os.cpu_count()
                and "anon_inode:[eventpoll]" in kinds)
    wait_for(ready, "execsnoop to attach")


def journal_count(mark, *matches):
    """Entries of the private journal matching matches whose message contains mark."""
    out = subprocess.run(["journalctl", "--no-pager", "-o", "cat", *matches], stdout=subprocess.PIPE,
                         check=False).stdout
    return sum(1 for line in out.split(b"\n") if mark.encode() in line)


def run_execsnoop(env, args, mark, journal):
    """execsnoop > file, or execsnoop | systemd-cat into the private journald."""
    out_path = os.path.join(env.dir, "execsnoop.out")
    err_path = os.path.join(env.dir, "execsnoop.err")
    ident = "execsnoop-bench"
    jpid = env.journald.pid
    snoop = cat = None
    err = open(err_path, "w")
    try:
        if journal:
            snoop = subprocess.Popen([EXECSNOOP, *EXECSNOOP_FLAGS], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=err)
            # systemd-cat without a command execs cat with stdout on a journal stream: same pid, now "cat".
            cat = subprocess.Popen(["systemd-cat", "-t", ident], stdin=snoop.stdout,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            snoop.stdout.close()

            def count():
                return journal_count(mark, "SYSLOG_IDENTIFIER=" + ident, "_PID=%d" % cat.pid)
        else:
            with open(out_path, "w") as out:
                snoop = subprocess.Popen([EXECSNOOP, *EXECSNOOP_FLAGS], stdin=subprocess.DEVNULL, stdout=out,
                                         stderr=err)

            def count():
                with open(out_path, "rb") as f:
                    return sum(1 for line in f if mark.encode() in line)
        wait_attached(snoop, err_path)
        procs = dict(execsnoop=snoop.pid, **({"systemd-cat": cat.pid} if cat else {}))
        t0, j0, b0 = cpu_of(procs), cpu_seconds(jpid), bpf_run_time("tracepoint__", snoop.pid)
        execs, rate, lat = storm(args, mark)
        # stdout is block-buffered: all but the last few KiB arrive while it runs.
        wait_stable(count, execs)
        time.sleep(1)
        t1, j1, b1 = cpu_of(procs), cpu_seconds(jpid), bpf_run_time("tracepoint__", snoop.pid)
        rss = sum(peak_rss_kib(p) for p in procs.values())
        # SIGINT: execsnoop leaves its poll loop and flushes stdout on the way out (SIGTERM would not).
        stop_process(snoop, signal.SIGINT)
        if cat:
            cat.wait(timeout=30)
        found = wait_stable(count, execs, timeout=30)
        if snoop.returncode != 0:
            raise RuntimeError("execsnoop exited with %s" % snoop.returncode)
        return result(execs, rate, lat, found, execsnoop_lost(err_path), t0, t1, j1 - j0, b0, b1, rss)
    finally:
        stop_process(snoop, signal.SIGINT)
        stop_process(cat)
        err.close()
        for p in (out_path, err_path):
            if os.path.exists(p):
                os.unlink(p)


# -- auditd -------------------------------------------------------------------------------------------

def audit_status():
    r = subprocess.run(["auditctl", "-s"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        raise RuntimeError("auditctl -s: %s" % r.stdout.strip())
    st = {}
    for line in r.stdout.splitlines():
        kv = line.split()
        if len(kv) >= 2 and kv[1].lstrip("-").isdigit():
            st[kv[0]] = int(kv[1])
    return st


def auditctl(*a):
    r = subprocess.run(["auditctl", *a], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        raise RuntimeError("auditctl %s: %s" % (" ".join(a), r.stdout.strip()))


def auditd_unavailable():
    for tool in ("auditd", "auditctl"):
        if not shutil.which(tool):
            return "%s not found (apt-get install auditd)" % tool
    try:
        st = audit_status()
    except (RuntimeError, OSError) as e:
        return str(e)
    if st.get("enabled") == 2:
        return "the kernel's audit configuration is locked (auditctl -s: enabled 2)"
    if st.get("pid"):
        return "another audit daemon (pid %d) is registered; not touching it" % st["pid"]
    return None


def kauditd_pid():
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open("/proc/%s/stat" % d) as f:
                    stat = f.read()
            except OSError:
                continue
            if stat.split(" (", 1)[1].startswith("kauditd)") and stat.rsplit(")", 1)[1].split()[1] == "2":
                return int(d)
    return None


def auditd_conf(dirpath):
    """Debian's auditd.conf with the log in dirpath and no rotation or space actions (one run's log must be
    complete to be counted)."""
    os.makedirs(dirpath, exist_ok=True)
    log = os.path.join(dirpath, "audit.log")
    override = {"log_file": log, "max_log_file_action": "IGNORE", "space_left_action": "IGNORE",
                "admin_space_left_action": "IGNORE", "disk_full_action": "IGNORE",
                "disk_error_action": "IGNORE"}
    lines = []
    with open("/etc/audit/auditd.conf") as f:
        for line in f:
            key = line.split("=", 1)[0].strip()
            lines.append("%s = %s\n" % (key, override.pop(key)) if key in override else line)
    lines += ["%s = %s\n" % kv for kv in override.items()]
    with open(os.path.join(dirpath, "auditd.conf"), "w") as f:
        f.writelines(lines)
    os.chmod(os.path.join(dirpath, "auditd.conf"), 0o640)
    return log


def journald_pids(ours):
    out = subprocess.run(["pgrep", "-x", "systemd-journal"], stdout=subprocess.PIPE, text=True).stdout
    return set(map(int, out.split())) - {ours}


def wait_no_new_journald(env, args):
    """Until no systemd-journald has started elsewhere for args.quiet seconds (at most args.quiet_max): each
    one that starts switches kernel auditing off (see run_auditd). A long-running journald does not count."""
    start = time.monotonic()
    seen = journald_pids(env.journald.pid)
    quiet_since = start
    while time.monotonic() - quiet_since < args.quiet:
        if time.monotonic() - start > args.quiet_max:
            print("auditd: journalds kept starting elsewhere for %d s; running anyway" % args.quiet_max,
                  flush=True)
            return
        time.sleep(0.5)
        now = journald_pids(env.journald.pid)
        if now - seen:
            quiet_since = time.monotonic()
        seen = now
    waited = time.monotonic() - start - args.quiet
    if waited > 1:
        print("auditd: waited %.0f s for journalds elsewhere to stop starting" % waited, flush=True)


def run_auditd(env, args, mark):
    """auditd (started for the run) with the exec rule; the rule is deleted, auditd stopped and the kernel's
    audit settings restored afterwards, whatever happens."""
    adir = os.path.join(env.dir, "auditd")
    log = auditd_conf(adir)
    if os.path.exists(log):
        os.unlink(log)
    saved = audit_status()
    jpid = env.journald.pid
    kpid = kauditd_pid()
    daemon = rule = None
    dlog = open(os.path.join(adir, "auditd.stderr"), "w")
    try:
        daemon = subprocess.Popen(["auditd", "-n", "-c", adir], stdin=subprocess.DEVNULL, stdout=dlog,
                                  stderr=subprocess.STDOUT)

        def registered():
            if daemon.poll() is not None:
                with open(dlog.name) as f:
                    raise RuntimeError("auditd exited with %s: %s" % (daemon.returncode, f.read().strip()))
            st = audit_status()
            return st.get("pid") == daemon.pid and st.get("enabled") == 1
        wait_for(registered, "auditd to register with the kernel and enable auditing")
        # As Debian's /etc/audit/rules.d/audit.rules: an 8192-record backlog, then callers wait up to 60 s.
        auditctl("-b", "8192", "--backlog_wait_time", "60000", "-f", "1")
        rule = True
        auditctl("-a", *AUDIT_RULE)
        needle = ('="%s"' % mark).encode()  # EXECVE record: a1="<marker>" (plain: no hex encoding needed)

        def count():
            with open(log, "rb") as f:
                return f.read().count(needle)
        procs = dict(auditd=daemon.pid, **({"kauditd": kpid} if kpid else {}))
        lost0 = audit_status().get("lost", 0)
        t0, j0 = cpu_of(procs), cpu_seconds(jpid)
        execs, rate, lat = storm(args, mark)
        found = wait_stable(count, execs)
        time.sleep(1)
        t1, j1 = cpu_of(procs), cpu_seconds(jpid)
        st = audit_status()
        if st.get("enabled") != 1 or st.get("pid") != daemon.pid:
            # Seen here: every systemd-journald that starts (Debian's, e.g. one per integration test running
            # at the same time) sends AUDIT_SET enabled=0, and the kernel drops the records from then on.
            raise RunDisturbed("auditing was switched off during the run (auditctl -s after the storm: enabled "
                               "%s, pid %s; auditd pid %d; %d/%d records)" % (
                                   st.get("enabled"), st.get("pid"), daemon.pid, count(), execs))
        rss = peak_rss_kib(daemon.pid)
        auditctl("-d", *AUDIT_RULE)
        rule = None
        r = result(execs, rate, lat, count(), st.get("lost", 0) - lost0, t0, t1, j1 - j0, None, None, rss)
        r["audit_status_after"] = st
        r["auditd_pid"] = daemon.pid
        r["journald_audit_records"] = journal_count(mark, "_TRANSPORT=audit")
        if r["records"] < execs:
            with open(dlog.name) as f:
                r["auditd_output"] = f.read()[-2000:]
            print("auditd: %d/%d records; auditd pid %d, auditctl -s after the storm: %s; auditd said: %s" % (
                r["records"], execs, daemon.pid, st, r["auditd_output"].strip() or "nothing"), flush=True)
        return r
    finally:
        errors = []
        if rule:
            try:
                auditctl("-d", *AUDIT_RULE)
            except RuntimeError as e:
                errors.append(str(e))
        stop_process(daemon)
        dlog.close()
        try:
            auditctl("-e", str(saved.get("enabled", 0)), "-b", str(saved.get("backlog_limit", 64)),
                     "--backlog_wait_time", str(saved.get("backlog_wait_time", 15000)),
                     "-f", str(saved.get("failure", 1)))
        except RuntimeError as e:
            errors.append(str(e))
        if os.path.exists(log):
            os.unlink(log)
        if errors:
            print("auditd cleanup: " + "; ".join(errors), file=sys.stderr, flush=True)


# -- the benchmark ------------------------------------------------------------------------------------

# The storm runs as root: this filter leaves every one of its execs out, in the kernel.
FILTERED = "[Filter]\nExcludeUsers=0\n"

# (name, option that selects it or None for always, why it cannot run (None: it can), run(env, args, mark))
CONFIGS = [
    ("execauditd", None, lambda: None, lambda env, args, mark: run_execauditd(env, args, mark, "")),
    ("filtered", "filtered", lambda: None,
     lambda env, args, mark: run_execauditd(env, args, mark, FILTERED, expect_records=False)),
    ("execsnoop", "execsnoop", execsnoop_unavailable, lambda env, args, mark: run_execsnoop(env, args, mark, False)),
    ("execsnoop|jrnl", "execsnoop_journal", execsnoop_unavailable,
     lambda env, args, mark: run_execsnoop(env, args, mark, True)),
    ("auditd", "auditd", auditd_unavailable, run_auditd),
]


def summarize(name, runs, base):
    rates = [r["rate"] for r in runs]
    ratios = [r["rate"] / b["rate"] for r, b in zip(runs, base)]
    row = {"config": name, "runs": len(runs), "rate_median": statistics.median(rates), "rate_min": min(rates),
           "rate_max": max(rates), "ratio_median": statistics.median(ratios), "ratio_min": min(ratios),
           "ratio_max": max(ratios)}
    # The same ratio from the per-exec time's median (none / traced: below 1 is slower), which host noise
    # that moves the rate by tens of percent leaves nearly alone.
    t_ratios = [b["p50_us"] / r["p50_us"] for r, b in zip(runs, base) if r.get("p50_us") and b.get("p50_us")]
    if t_ratios:
        row.update(p50_us_median=statistics.median(r["p50_us"] for r in runs),
                   p50_ratio_median=statistics.median(t_ratios), p50_ratio_min=min(t_ratios),
                   p50_ratio_max=max(t_ratios))
    for k in ("records", "execs", "lost_reported", "daemon_us_per_exec", "journald_us_per_exec",
              "bpf_ns_per_exec", "daemon_peak_rss_kib"):
        if runs and runs[0].get(k) is not None:
            row[k] = statistics.median(r[k] for r in runs) if "per" in k or "rss" in k else sum(r[k] for r in runs)
    progs = runs[0].get("bpf_ns_per_exec_by_program") if runs else None
    if progs:
        row["bpf_ns_per_exec_by_program"] = {
            k: statistics.median(r["bpf_ns_per_exec_by_program"].get(k, 0) for r in runs) for k in sorted(progs)}
    procs = runs[0].get("cpu_us_per_exec_by_process", {}) if runs else {}
    if len(procs) > 1:
        row["cpu_us_per_exec_by_process"] = {
            k: statistics.median(r["cpu_us_per_exec_by_process"][k] for r in runs) for k in procs}
    return row


def mount_tracefs():
    with open("/proc/self/mountinfo") as f:
        if any(line.split()[4] == "/sys/kernel/tracing" and " - tracefs " in line for line in f):
            return
    subprocess.run(["mount", "-t", "tracefs", "nodev", "/sys/kernel/tracing"], check=True)


def bench(env, args):
    mount_tracefs()  # execsnoop needs it (the daemon mounts it itself); this namespace only
    selected = [c for c in CONFIGS if c[1] is None or getattr(args, c[1]) or args.all]
    if args.only:
        selected = [c for c in CONFIGS if c[0] in args.only.split(",")]
    unavailable, disturbed = {}, {}
    for name, _, why, _ in selected:
        reason = why()
        if reason:
            unavailable[name] = reason
            print("%s: unavailable: %s" % (name, reason), flush=True)
    runs = {name: [] for name, *_ in selected}
    base = {name: [] for name, *_ in selected}
    subprocess.run(["sysctl", "-q", "kernel.bpf_stats_enabled=1"], check=True)
    try:
        for i in range(args.pairs):
            msg = []
            for name, _, _, run in selected:
                if name in unavailable:
                    continue
                for attempt in range(1, args.attempts + 1):
                    if name == "auditd":
                        wait_no_new_journald(env, args)
                    # ABBA: every other round runs the traced configuration first, so a drift within a pair
                    # (the host's CPU slowing down under sustained load) does not always favour one side.
                    traced_first = i % 2 == 1
                    if not traced_first:
                        execs, rate, lat = storm(args, harness.marker())
                    try:
                        r = run(env, args, harness.marker())
                        if traced_first:
                            execs, rate, lat = storm(args, harness.marker())
                        break
                    except RunDisturbed as e:
                        print("%s: round %d, attempt %d discarded: %s" % (name, i + 1, attempt, e), flush=True)
                        disturbed.setdefault(name, []).append(str(e))
                        r = None
                    except Exception as e:  # noqa: BLE001 - a peer that cannot run is reported, not fatal
                        if name == "execauditd":
                            raise
                        unavailable[name] = "round %d: %s" % (i + 1, e)
                        print("%s: unavailable: %s" % (name, unavailable[name]), flush=True)
                        r = None
                        break
                if r is None:
                    if name not in unavailable:
                        unavailable[name] = "round %d: every attempt disturbed: %s" % (i + 1, disturbed[name][-1])
                    continue
                base[name].append({"execs": execs, "rate": rate, **lat})
                runs[name].append(r)
                msg.append("none %.0f/s p50 %d us, %s %.0f/s p50 %d us (%d/%d records)" % (
                    rate, lat["p50_us"], name, r["rate"], r["p50_us"], r["records"], r["execs"]))
            print("round %d: %s" % (i + 1, ", ".join(msg)), flush=True)
    finally:
        subprocess.run(["sysctl", "-q", "kernel.bpf_stats_enabled=0"], check=False)
    all_none = [b for name, *_ in selected for b in base[name]]
    rows = [summarize("none", all_none, all_none)]
    for name, *_ in selected:
        if runs[name]:
            rows.append(summarize(name, runs[name], base[name]))
        if name in unavailable:
            rows.append({"config": name, "unavailable": unavailable[name]})
    print_table(rows)
    for name, why in disturbed.items():
        print("%s: %d run(s) discarded and run again: %s" % (name, len(why), why[-1]))
    for name in runs:
        got = [r["journald_audit_records"] for r in runs[name] if "journald_audit_records" in r]
        if got:
            print("%s: copies journald took from the audit multicast: %s of %s" % (
                name, "+".join(map(str, got)), "+".join(str(r["execs"]) for r in runs[name])))
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    path = os.path.join(HERE, "results", time.strftime("%Y%m%d-%H%M%S") + ".json")
    with open(path, "w") as f:
        json.dump({"args": vars(args), "rows": rows, "runs": runs, "none": base, "unavailable": unavailable, "disturbed": disturbed,
                   "execsnoop_flags": EXECSNOOP_FLAGS, "audit_rule": AUDIT_RULE}, f, indent=1)
    print("results: " + path)


def print_table(rows):
    print("\n%-14s %9s %9s %9s %7s %7s %7s %9s %8s %9s %9s %8s" % (
        "config", "exec/s", "min", "max", "ratio", "r.min", "r.max", "rec/exec", "lost", "bpf ns", "daemon us",
        "jrnl us"))
    for r in rows:
        if "unavailable" in r:
            print("%-14s unavailable: %s" % (r["config"], r["unavailable"]))
            continue
        print("%-14s %9.0f %9.0f %9.0f %7.3f %7.3f %7.3f %9s %8s %9s %9s %8s" % (
            r["config"], r["rate_median"], r["rate_min"], r["rate_max"], r["ratio_median"], r["ratio_min"],
            r["ratio_max"],
            "%.4f" % (r["records"] / r["execs"]) if "records" in r else "-",
            r.get("lost_reported", "-"),
            "%.0f" % r["bpf_ns_per_exec"] if "bpf_ns_per_exec" in r else "-",
            "%.1f" % r["daemon_us_per_exec"] if "daemon_us_per_exec" in r else "-",
            "%.1f" % r["journald_us_per_exec"] if "journald_us_per_exec" in r else "-"))
    for r in rows:
        if "cpu_us_per_exec_by_process" in r:
            print("%s daemon us: %s" % (r["config"], ", ".join(
                "%s %.1f" % kv for kv in r["cpu_us_per_exec_by_process"].items())))
    for r in rows:
        if r.get("bpf_ns_per_exec_by_program"):
            print("%s bpf ns: %s" % (r["config"], ", ".join(
                "%s %.0f" % kv for kv in r["bpf_ns_per_exec_by_program"].items() if kv[1])))
    for r in rows:
        if "p50_ratio_median" in r and r["config"] != "none":
            print("%s: per-exec time median %d us; ratio of medians to the adjacent no-tracer run %.4f "
                  "(%.4f-%.4f)" % (r["config"], r["p50_us_median"], r["p50_ratio_median"], r["p50_ratio_min"],
                                   r["p50_ratio_max"]))
    rss = ["%s %d" % (r["config"], r["daemon_peak_rss_kib"]) for r in rows if "daemon_peak_rss_kib" in r]
    if rss:
        print("tracer peak RSS (KiB): " + ", ".join(rss))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--pairs", type=int, default=5)
    p.add_argument("--seconds", type=int, default=5)
    p.add_argument("--workers", type=int, default=os.cpu_count())
    p.add_argument("--pin-storm", metavar="CPUS", default="",
                   help="run the storm on these CPUs only (taskset list), e.g. 1 with --workers 1")
    p.add_argument("--filtered", action="store_true",
                   help="also run execauditd with a filter that excludes the storm")
    p.add_argument("--execsnoop", action="store_true",
                   help="also run libbpf-tools execsnoop %s > file" % " ".join(EXECSNOOP_FLAGS))
    p.add_argument("--execsnoop-journal", action="store_true",
                   help="also run execsnoop ... | systemd-cat into the private journald")
    p.add_argument("--auditd", action="store_true",
                   help="also run auditd with -a %s" % " ".join(AUDIT_RULE))
    p.add_argument("--all", action="store_true", help="all of the above")
    p.add_argument("--settle", type=float, default=2, metavar="SECONDS",
                   help="idle time before every storm, traced or not")
    p.add_argument("--only", metavar="NAMES", default="",
                   help="run only these configurations (comma-separated table names, e.g. filtered)")
    p.add_argument("--attempts", type=int, default=5,
                   help="runs of a pair to try when something outside spoils one (auditing switched off)")
    p.add_argument("--quiet", type=float, default=10, metavar="SECONDS",
                   help="before an auditd pair, wait until no systemd-journald has started elsewhere for this long")
    p.add_argument("--quiet-max", type=float, default=300, metavar="SECONDS",
                   help="but no longer than this")
    p.add_argument("--dgram-qlen", type=int, default=SYSTEMD_DGRAM_QLEN, metavar="N",
                   help="net.unix.max_dgram_qlen for the run (default %d, what systemd as PID 1 sets at boot; "
                        "0: the machine's own)" % SYSTEMD_DGRAM_QLEN)
    args = p.parse_args()
    env = private_env("bench")
    qlen = read_dgram_qlen()
    try:
        if args.dgram_qlen:
            set_dgram_qlen(args.dgram_qlen)
        print("net.unix.max_dgram_qlen %d for the run (the machine's: %d)" % (read_dgram_qlen(), qlen), flush=True)
        env.setup()  # after the sysctl: journald's socket takes the queue length it has when created
        bench(env, args)
    finally:
        env.teardown()
        set_dgram_qlen(qlen)


if __name__ == "__main__":
    main()

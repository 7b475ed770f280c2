#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Pinned programs outlive the daemon: adoption after kill -9 and restarts, the no-reader gap, replaced and
broken pin directories, --status and --remove-pins."""
import contextlib
import json
import os
import signal
import socket
import subprocess
import time

from harness import (DAEMON, KERNEL_EVENTS, PINS, cgroup2_mount, check, check_caps_dropped, kernel_seqs, last_taken,
                     main, marker, storm_execs)

STORM = os.environ.get("EA_STORM", "")
HOOKS = 7  # execve/execveat entry and exit, sched_process_exec, sched_process_exit, cgroup_rmdir


def our_links():
    """Attached links of execauditd's programs, on the whole machine."""
    out = subprocess.run(["bpftool", "link", "show", "--json"], stdout=subprocess.PIPE, check=True).stdout
    progs = json.loads(subprocess.run(["bpftool", "prog", "show", "--json"], stdout=subprocess.PIPE,
                                      check=True).stdout)
    ours = {p["id"] for p in progs if p.get("name", "").startswith("ea_")}
    return [l for l in json.loads(out) if l.get("prog_id") in ours]


def tool(env, *args):
    return subprocess.run([DAEMON, "--config", env.config_path, *args], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, check=False)


def lifecycle(env, event):
    return [r for r in env.records("EXEC_EVENT=" + event)]


def seq_accounting(env):
    """Every number up to the last stopping record's EXEC_SEQ: a record, or inside a reported loss."""
    recs = env.records()
    last = last_taken(recs)
    seen = set(kernel_seqs(recs))
    lost = [r for r in recs if r.s("EXEC_EVENT") == "lost"]
    ranges = [(r.i("EXEC_LOST_SEQ_FIRST"), r.i("EXEC_LOST_SEQ_LAST")) for r in lost if "EXEC_LOST_SEQ_FIRST" in r]
    other = sum(r.i("EXEC_LOST") for r in lost if "EXEC_LOST_SEQ_FIRST" not in r)
    missing = {s for s in range(1, last + 1) if s not in seen and not any(a <= s <= b for a, b in ranges)}
    if len(missing) > other:
        # What a rare failure needs to be understood: the daemons' own records and the neighbours.
        first = sorted(missing)[:3]
        near = [r.brief() for r in recs if r.s("EXEC_EVENT") in KERNEL_EVENTS
                and any(abs(r.i("EXEC_SEQ") - m) <= 2 for m in first)]
        own = ["%s %s %s" % (r.s("EXEC_EVENT"), r.s("EXEC_SEQ"), r.s("MESSAGE")[:160]) for r in recs
               if r.s("EXEC_EVENT") not in KERNEL_EVENTS]
        check(False, "every missing EXEC_SEQ is a reported loss", len(missing), other, sorted(missing)[:20],
              *near, *own, "journald said:", *env.journald_messages())
    return recs


def test_kill9_during_a_stream_then_restart(env):
    """Records plus the no-reader count account for every exec the storm made."""
    env.start("")
    m = marker()
    storm = subprocess.Popen([STORM, "-w", "1", "-d", "4", "-m", m], stdout=subprocess.PIPE)
    time.sleep(1.5)
    env.daemon.send_signal(signal.SIGKILL)
    env.daemon.wait()
    time.sleep(1)
    env.start(None)
    out = storm.communicate()[0].decode()
    execs = storm_execs(out)
    time.sleep(0.5)
    check(env.stop() == 0, "clean stop")
    recs = seq_accounting(env)
    found = sum(1 for r in recs if r.s("EXEC_EVENT") == "exec" and m in r.s("EXEC_CMDLINE")
                and r.s("EXEC_COMM") == "true")
    gaps = [r for r in recs if r.s("EXEC_EVENT") == "lost" and r.s("EXEC_LOST_REASON") == "no_reader"]
    check(len(gaps) == 1, "one no_reader record for the time without a daemon", [g.brief() for g in gaps])
    g = gaps[0]
    check(g.i("EXEC_LOST") > 0 and g.i("EXEC_LOST_SEQ_LAST") - g.i("EXEC_LOST_SEQ_FIRST") + 1 >= g.i("EXEC_LOST"),
          "count and sequence range", g.brief())
    check(g.i("EXEC_LOST_SINCE") < g.i("EXEC_LOST_UNTIL"), "time range", g.brief())
    # The gap also holds the exits of those execs and any other exec on the machine: never fewer.
    check(0 < execs - found <= g.i("EXEC_LOST"), "the storm's unrecorded execs are inside the gap", execs,
          found, g.i("EXEC_LOST"))
    started = lifecycle(env, "started")
    check(len(started) == 2 and "adopted the programs pinned" in started[1].s("MESSAGE"),
          "the second daemon adopted the pins", [s.s("MESSAGE") for s in started])


def test_stops_during_a_storm(env):
    """A stop while events keep coming: every number is written or inside a loss record, over five stops
    and starts (the last drain must not go past a number still on its way)."""
    env.start("")
    storm = subprocess.Popen([STORM, "-w", "2", "-d", "12", "-m", marker()], stdout=subprocess.DEVNULL)
    try:
        for i in range(5):
            time.sleep(1)
            check(env.stop() == 0, "clean stop %d" % (i + 1))
            env.start(None)
    finally:
        storm.wait()
    check(env.stop() == 0, "clean stop")
    recs = seq_accounting(env)
    stops = [r for r in recs if r.s("EXEC_EVENT") == "stopping"]
    check(len(stops) == 6 and all(a.i("EXEC_SEQ") < b.i("EXEC_SEQ") for a, b in zip(stops, stops[1:])),
          "six stopping records, their EXEC_SEQ growing", [r.i("EXEC_SEQ") for r in stops])


def pinned_links():
    """link pin name -> the link's id, for the links pinned in PINS; each must be attached."""
    out = json.loads(subprocess.run(["bpftool", "link", "show", "--json"], stdout=subprocess.PIPE,
                                    check=True).stdout)
    attached = {l["id"] for l in out}
    ids = {}
    for name in sorted(os.listdir(PINS)):
        if name.startswith("link_"):
            info = json.loads(subprocess.run(["bpftool", "link", "show", "pinned", os.path.join(PINS, name),
                                              "--json"], stdout=subprocess.PIPE, check=True).stdout)
            check(info["id"] in attached, "pinned link %s is attached" % name, info)
            ids[name] = info["id"]
    return ids


def test_restart_twenty_times(env):
    env.start("")
    first = pinned_links()
    check(len(first) == HOOKS, "one link per hook", first)
    for i in range(20):
        check(env.stop() == 0, "clean stop %d" % (i + 1))
        check(pinned_links() == first, "the same links stay attached after stop %d" % (i + 1))
        env.start(None)
        check(pinned_links() == first, "the same links after start %d: adopted, not attached again" % (i + 2))
    check(env.stop() == 0, "clean stop")
    started = lifecycle(env, "started")
    check(len(started) == 21, "21 started records", len(started))
    check(all("adopted" in s.s("MESSAGE") for s in started[1:]), "every restart adopted the pins")


def test_replaces_other_layout_and_broken_pins(env):
    base = len(our_links())
    # A pin directory of an older layout: its version map says layout 2.
    os.makedirs(PINS, mode=0o700)
    subprocess.run(["bpftool", "map", "create", PINS + "/pin_version", "type", "array", "key", "4", "value", "40",
                    "entries", "1", "name", "pin_version"], check=True)
    subprocess.run(["bpftool", "map", "update", "pinned", PINS + "/pin_version", "key", "0", "0", "0", "0",
                    "value", "2", *["0"] * 39], check=True)
    subprocess.run(["bpftool", "map", "create", PINS + "/seq", "type", "hash", "key", "4", "value", "4",
                    "entries", "1", "name", "seq"], check=True)
    env.start("")
    started = lifecycle(env, "started")[-1]
    check("replaced the pins of layout 2" in started.s("MESSAGE"), "old layout replaced", started.s("MESSAGE"))
    check("not this daemon's" not in env.status()["layout"], "pins of this layout now", env.status())
    check(env.stop() == 0, "clean stop")
    check(len(our_links()) == base + HOOKS, "one attachment per hook", len(our_links()) - base)

    # Partial: a link pin and a map pin gone. The next start loads afresh instead of failing.
    os.unlink(PINS + "/link_ea_exec")
    os.unlink(PINS + "/tracked")
    env.start(None)
    check(len(our_links()) == base + HOOKS, "one attachment per hook after the repair", len(our_links()) - base)
    m = marker()
    subprocess.run(["/bin/true", m], check=True)
    env.wait_one(m, "exec")
    check(env.stop() == 0, "clean stop")


def u64(n):
    return [str((n >> (8 * i)) & 0xff) for i in range(8)]


def pinned_map(name, size, value, kind="array"):
    """A map of one element pinned under PINS, as an earlier layout's daemon left it. bpftool gives every
    CPU's copy of a per-CPU map's element the same value."""
    subprocess.run(["bpftool", "map", "create", PINS + "/" + name, "type", kind, "key", "4", "value", str(size),
                    "entries", "1", "name", name], check=True)
    subprocess.run(["bpftool", "map", "update", "pinned", PINS + "/" + name, "key", "0", "0", "0", "0", "value",
                    *value], check=True)


# Slots of the stats map (enum ea_stat).
EXEC, TRACKED_FULL, FAILED_UNTRACKED, SKIPPED = 1, 10, 14, 15


def stats_value(counts):
    """A struct ea_stats for bpftool: 16 counters, those of counts (slot -> value) set."""
    return [b for i in range(16) for b in u64(counts.get(i, 0))]


def possible_cpus():
    with open("/sys/devices/system/cpu/possible") as f:
        spans = [part.partition("-") for part in f.read().strip().split(",")]
    return sum(int(last or first) - int(first) + 1 for first, _, last in spans)


def check_replaced_gap(env, layout, state):
    """Pins of another layout whose daemon_state (bytes for bpftool) says 10 handled, and whose programs
    took numbers up to 15: a start replaces them and reports 11 to 15 as no_reader."""
    os.makedirs(PINS, mode=0o700)
    pinned_map("pin_version", 40, [str(layout)] + ["0"] * 39)
    pinned_map("daemon_state", len(state), state)
    pinned_map("seq", 8, u64(15))
    env.start("")
    gaps = env.wait_records(lambda rs: rs, "the no_reader loss record", "EXEC_EVENT=lost",
                            "EXEC_LOST_REASON=no_reader")
    check(len(gaps) == 1 and gaps[0].i("EXEC_LOST") == 5, "numbers 11 to 15 counted",
          [g.brief() for g in gaps])
    started = lifecycle(env, "started")[-1]
    check("replaced the pins of layout %d" % layout in started.s("MESSAGE"), "said", started.brief())
    check(env.stop() == 0, "clean stop")


def test_replaced_layout_3_gap(env):
    """Pins of layout 3, whose daemon_state was shorter (32 bytes), are read as far as they go: what their
    programs numbered and no daemon handled is reported, though how much of their untracked counts was
    reported is not known."""
    check_replaced_gap(env, 3, u64(10) + u64(1) + u64(1) + u64(0))


def test_replaced_later_layout_gap(env):
    """Pins of a later layout (a daemon since downgraded), whose daemon_state grew at its end: what this
    daemon knows of it is read, so what their programs numbered and no daemon handled is still reported."""
    known = u64(10) + u64(1) + u64(1) + u64(0) + ["0"] * (88 - 32)  # layouts 7 and 8: 88 bytes
    check_replaced_gap(env, 99, known + ["7"] * 64)


def layout_5_pins():
    """Pins as a layout-5 daemon left them: numbers up to 15 taken, 10 handled; the counters in a per-CPU
    array of one element (each CPU's copy the same here), of which the loss records accounted for 1 failed
    exec and 2 exits that could not be followed, and 3 skipped runs (the marks in daemon_state)."""
    os.makedirs(PINS, mode=0o700)
    pinned_map("pin_version", 40, ["5"] + ["0"] * 39)
    pinned_map("daemon_state", 56, u64(10) + u64(1) + u64(1) + u64(0) + u64(1) + u64(2) + u64(3))
    pinned_map("seq", 8, u64(15))
    pinned_map("stats", 128, stats_value({EXEC: 7, TRACKED_FULL: 4, FAILED_UNTRACKED: 5, SKIPPED: 6}),
               "percpu_array")


def test_layout_5_counters(env):
    """Up to layout 5 the counters were a per-CPU map of one element (an array of one element per CPU
    since): --status, --remove-pins and a replacing start sum every CPU's copy of such pins, and report what
    the counts without sequence numbers grew beyond their marks."""
    n = possible_cpus()
    failed, exits, skipped = 5 * n - 1, 4 * n - 2, 6 * n - 3
    env.write_config("")
    layout_5_pins()
    st = env.status()
    check(st["layout"] == "5 (not this daemon's)" and int(st["execs"]) == 7 * n and int(st["skipped"]) == 6 * n
          and int(st["tracked_full"]) == 4 * n and int(st["failed_untracked"]) == 5 * n,
          "--status: every CPU's counts", n, st)
    check(int(st["untracked_unreported"]) == failed + exits and int(st["skipped_unreported"]) == skipped,
          "--status: beyond the marks", n, st)

    p = tool(env, "--remove-pins")
    check(p.returncode == 0 and not os.path.exists(PINS), "--remove-pins", p.stderr)
    lost = env.wait_records(lambda rs: len(rs) >= 3 and rs, "the three loss records of --remove-pins",
                            "EXEC_EVENT=lost")
    counts = {r.s("EXEC_LOST_REASON"): r.i("EXEC_LOST") for r in lost}
    check(len(lost) == 3 and counts == {"no_reader": 5, "untracked": failed + exits, "skipped": skipped},
          "numbers 11 to 15, and the counts beyond the marks", n, [r.brief() for r in lost])

    layout_5_pins()
    env.start("")
    check("replaced the pins of layout 5" in lifecycle(env, "started")[-1].s("MESSAGE"), "replaced",
          lifecycle(env, "started")[-1].brief())
    # In the log as read at the start; the loss records may also hold the new programs' own counts.
    check("could not follow %d failed execs and %d processes (their exits) that no daemon reported"
          % (failed, exits) in env.log(), "the untracked counts of every CPU read", n, env.log())
    check("The kernel skipped %d runs of the replaced programs that no daemon reported" % skipped in env.log(),
          "and the skipped runs", n, env.log())
    env.wait(lambda: len(env.records("EXEC_EVENT=lost")) >= 6, "the replacing start's loss records")
    check(env.stop() == 0, "clean stop")
    mine = env.records("EXEC_EVENT=lost")[3:]
    check(sum(r.i("EXEC_LOST") for r in mine if r.s("EXEC_LOST_REASON") == "untracked") >= failed + exits and
          sum(r.i("EXEC_LOST") for r in mine if r.s("EXEC_LOST_REASON") == "skipped") >= skipped and
          [r.i("EXEC_LOST") for r in mine if r.s("EXEC_LOST_REASON") == "no_reader"] == [5],
          "reported", [r.brief() for r in mine])


def run_while_journald_waits(env, *args, hold=2):
    """execauditd with args while the test's journald is stopped: it goes on once the run has exited, or
    after hold seconds, so what the run sent is queued before journald reads any of it. (p, stderr)"""
    env.journald.send_signal(signal.SIGSTOP)
    try:
        p = subprocess.Popen([DAEMON, "--config", env.config_path, *args], stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
        with contextlib.suppress(subprocess.TimeoutExpired):
            p.wait(timeout=hold)
    finally:
        env.journald.send_signal(signal.SIGCONT)
    return p, p.communicate(timeout=60)[1]


def test_short_runs_are_named_in_their_records(env):
    """journald reads a sender's _CMDLINE, _COMM and _EXE (and _SYSTEMD_UNIT, which `journalctl -u` matches)
    from /proc when it takes the datagram: a run that exited before would leave records without them.
    --remove-pins and a start refused for its config wait until journald confirms it stored what they sent
    (io.systemd.Journal.Synchronize); here journald reads nothing until they exited or waited 2 s."""
    def named(r, p, option):
        return (r.get("_PID") == [str(p.pid).encode()] and r.get("_COMM") == [b"execauditd"]
                and r.get("_EXE") == [os.path.realpath(DAEMON).encode()]
                and option.encode() in r.get("_CMDLINE", [b""])[0])

    def shown(rs):
        return [(r.brief(), *[r.get(k) for k in ("_PID", "_COMM", "_EXE", "_CMDLINE")]) for r in rs]

    env.write_config("")
    layout_5_pins()
    p, err = run_while_journald_waits(env, "--remove-pins")
    check(p.returncode == 0 and not os.path.exists(PINS), "--remove-pins", err)
    lost = env.records("EXEC_EVENT=lost")
    check(len(lost) == 3 and all(named(r, p, "--remove-pins") for r in lost), "--remove-pins' three loss "
          "records name it", p.pid, *shown(lost))

    env.write_config("[Filter]\nUsers=nosuchuser-ea\n")
    p, err = run_while_journald_waits(env)
    check(p.returncode == 1 and b"nosuchuser-ea" in err, "the start refused", p.returncode, err)
    rejected = env.records("EXEC_EVENT=config_rejected")
    check(len(rejected) == 1 and named(rejected[0], p, "--config"), "the refusal names the run", p.pid,
          *shown(rejected))


def test_remove_pins_with_journald_silent(env):
    """A journald that takes the records but does not confirm it stored them (stopped, its queue not full)
    holds --remove-pins 5 s, not for good: it says why on stderr, exits 0, and the records are in the journal
    once journald goes on."""
    env.write_config("")
    layout_5_pins()
    p, err = run_while_journald_waits(env, "--remove-pins", hold=60)
    check(p.returncode == 0 and not os.path.exists(PINS), "--remove-pins", p.returncode, err)
    check(b"journald did not confirm that it stored what was sent (no answer within 5 s)" in err,
          "said why it did not wait longer", err)
    lost = env.wait_records(lambda rs: len(rs) >= 3 and rs, "the three loss records", "EXEC_EVENT=lost")
    check(len(lost) == 3, "three loss records", [r.brief() for r in lost])


def test_counters_of_every_cpu(env):
    """The counters are an array of one element per CPU: --status and a start that replaces the pins sum
    every CPU's element (here exits the programs could not follow, which only the kernel counts)."""
    n = possible_cpus()
    env.start("")
    check(env.stop() == 0, "clean stop")
    st = env.status()
    check(int(st["tracked_full"]) == 0 and int(st["untracked_unreported"]) == 0, "nothing untracked yet", st)
    for cpu in range(n):
        subprocess.run(["bpftool", "map", "update", "pinned", PINS + "/stats", "key", *u64(cpu)[:4], "value",
                        *stats_value({TRACKED_FULL: cpu + 3})], check=True)
    total = sum(cpu + 3 for cpu in range(n))
    st = env.status()
    check(int(st["tracked_full"]) == total and int(st["untracked_unreported"]) == total, "--status sums them",
          n, st)
    os.unlink(PINS + "/link_ea_exec")  # the next start loads afresh
    env.start(None)
    check("could not follow 0 failed execs and %d processes (their exits) that no daemon reported" % total
          in env.log(), "the replacing start sums them", n, env.log())
    check(env.stop() == 0, "clean stop")


def test_replaced_pins_gap_under_load(env):
    """The events of broken pins that no daemon read are one no_reader loss, counted in their own
    numbering: the new programs' events (numbered from 1) arriving meanwhile do not cancel it."""
    env.start("")
    check(env.stop() == 0, "clean stop")
    m = marker()
    for i in range(20):
        subprocess.run(["/bin/true", m, str(i)], check=True)
    os.unlink(PINS + "/link_ea_exec")  # the next start loads afresh
    storm = subprocess.Popen([STORM, "-w", "1", "-d", "3", "-m", marker()], stdout=subprocess.DEVNULL)
    try:
        env.start(None)
    finally:
        storm.wait()
    gaps = env.wait_records(lambda rs: rs, "the no_reader loss record", "EXEC_EVENT=lost",
                            "EXEC_LOST_REASON=no_reader")
    # 20 execs and their exits at least, and anything else the machine ran meanwhile.
    check(len(gaps) == 1 and gaps[0].i("EXEC_LOST") >= 40, "the gap counted whole", [g.brief() for g in gaps])
    check("EXEC_LOST_SEQ_FIRST" not in gaps[0], "no range: it is in the old programs' numbering",
          gaps[0].brief())
    check(env.stop() == 0, "clean stop")


def test_replaced_pins_untracked_exits(env):
    """Processes the replaced programs tracked (exec'd under them, still alive) have no entry in the new
    programs' map, so their exits are never recorded and their children lack EXEC_PARENT_ID: counted at the
    start as untracked, not silently, whatever Exits= says (a reload may turn exits on before they end;
    with Exits=no they went uncounted)."""
    for exits in ("yes", "no"):
        env.start("")
        marks = [marker() for _ in range(3)]
        sleepers = [subprocess.Popen(["/bin/sh", "-c", "exec sleep 600", m]) for m in marks]
        try:
            for m in marks:
                env.wait_one(m, "exec")
            check(env.stop() == 0, "clean stop")
            os.unlink(PINS + "/link_ea_exec")  # the next start loads afresh
            env.start("[Capture]\nExits=%s\n" % exits)
        finally:
            for p in sleepers:
                p.kill()
                p.wait()
        lost = env.wait_records(env.own, "the untracked loss record",
                                "EXEC_EVENT=lost", "EXEC_LOST_REASON=untracked")
        # The sleepers, and whatever else exec'd under the old programs still runs (this test's journald).
        check(len(lost) == 1 and lost[0].i("EXEC_LOST") >= 3, "Exits=%s: their exits counted" % exits,
              [r.brief() for r in lost])
        check("not tracked by these" in env.log(), "and logged", env.log())
        sync = marker()
        subprocess.run(["/bin/true", sync], check=True)
        env.wait_one(sync, "exec")
        gone = {r.i("EXEC_PID") for r in env.records("EXEC_EVENT=exit")}
        check(not gone & {p.pid for p in sleepers}, "no exit record for them", gone & {p.pid for p in sleepers})
        check(env.stop() == 0, "clean stop")


@contextlib.contextmanager
def old_pins_with_an_account(env):
    """Pins that the next start replaces, with an account nobody reported: a gap of 20 execs and their
    exits, and 3 sleepers they track (alive until the block ends)."""
    env.start("")
    m = marker()
    sleepers = [subprocess.Popen(["/bin/sh", "-c", "exec sleep 600", m]) for _ in range(3)]
    try:
        env.wait(lambda: len(env.find(m, "exec")) >= 3, "the sleepers' execs")
        check(env.stop() == 0, "clean stop")
        for i in range(20):
            subprocess.run(["/bin/true", m, str(i)], check=True)
        os.unlink(PINS + "/link_ea_exec")  # the next start replaces the pins
        yield
    finally:
        for p in sleepers:
            p.kill()
            p.wait()


def crash_with_replaced_account(env):
    """Pins replaced while journald is away, by a daemon then killed: the old pins' account was never
    reported. Returns --status after."""
    with old_pins_with_an_account(env):
        env.journald.kill()
        env.journald.wait()
        os.unlink("/run/systemd/journal/socket")
        env.start("")
        env.wait(lambda: "events happened while no daemon read them" in env.log(), "the gap found")
        env.daemon.send_signal(signal.SIGKILL)
        env.daemon.wait()
    st = env.status()
    check(int(st["carried_unreported"]) >= 40 + 3, "--status: the carried account", st)
    env.start_journald()
    return st


def check_carried_reported(env):
    # The carried gap is the one without a range (replaced programs numbered their events on their own):
    # a gap of this pins' own, with a range, is whatever else ran on the host while no daemon did.
    gaps = env.wait_records(lambda rs: [r for r in rs if "EXEC_LOST_SEQ_FIRST" not in r], "the carried gap",
                            "EXEC_EVENT=lost", "EXEC_LOST_REASON=no_reader")
    check(len(gaps) == 1 and gaps[0].i("EXEC_LOST") >= 40, "the old pins' gap, once, no range",
          [g.brief() for g in gaps])
    lost = env.wait_records(lambda rs: rs, "the carried untracked", "EXEC_EVENT=lost",
                            "EXEC_LOST_REASON=untracked")
    check(len(lost) == 1 and lost[0].i("EXEC_LOST") >= 3, "the sleepers untracked, once",
          [r.brief() for r in lost])


def test_replaced_account_carried_over_a_crash(env):
    """A replacing start has the old pins' account only in memory until journald takes it: the new pins'
    state carries it, so a crash with journald away leaves it to the next daemon, which reports it once."""
    crash_with_replaced_account(env)
    env.start(None)
    check("did not report their account" in env.log(), "the adopting daemon says so", env.log())
    check_carried_reported(env)
    check(env.stop() == 0, "clean stop")
    st = env.status()
    check(int(st["carried_unreported"]) == 0, "reported: nothing carried any more", st)
    env.start(None)
    check(env.stop() == 0, "clean stop")
    check_carried_reported(env)  # still once


def test_failed_replacing_start_reports_the_account(env):
    """A start that replaced the pins and then cannot pin its own leaves no pins: the old pins' account,
    and what its own programs numbered, would go with it, so its loss records say so, once."""
    with old_pins_with_an_account(env):
        env.start("", wait_ready=False, wrap=[os.environ["EA_EXECTOOL"], "nopin", "30", DAEMON],
                  wrap_forks=False)
        check(env.daemon.wait(timeout=60) != 0, "the start fails", env.log())
    check("Cannot pin map" in env.log() and "This start failed" in env.log(), "and says why", env.log())
    check(not os.path.exists(PINS) or not os.listdir(PINS), "no pins left", os.listdir(PINS))
    check(not our_links(), "no program left attached", our_links())
    check_carried_reported(env)
    env.start(None)
    check("Adopted" not in env.log(), "a fresh start: nothing was left to adopt", env.log())
    check(env.stop() == 0, "clean stop")
    check_carried_reported(env)  # still once


def test_failed_attach_keeps_the_old_pins(env):
    """A start that cannot attach its programs has replaced nothing: the old pins stay as they were, links
    and account, and the start that replaces them reports that account, once. (Under `nolink` the syscall
    entry programs attach and the exec program does not: what attached numbers nothing, so the failed
    start has nothing of its own to report.)"""
    with old_pins_with_an_account(env):
        before = pinned_links()
        env.start("", wait_ready=False, wrap=[os.environ["EA_EXECTOOL"], "nolink", "1", DAEMON],
                  wrap_forks=False)
        check(env.daemon.wait(timeout=60) != 0, "the start fails", env.log())
        check("Cannot attach the BPF programs" in env.log(), "and says why", env.log())
        check("This start failed" not in env.log(), "with nothing replaced or numbered to report", env.log())
        check(pinned_links() == before and os.path.exists(PINS + "/daemon_state"), "the old pins stay",
              before, os.listdir(PINS))
        env.start(None)
    check("Adopted" not in env.log(), "the next start replaces them", env.log())
    check(env.stop() == 0, "clean stop")
    check_carried_reported(env)


def test_remove_pins_reports_the_carried_account(env):
    crash_with_replaced_account(env)
    p = tool(env, "--remove-pins")
    check(p.returncode == 0 and not os.path.exists(PINS), "--remove-pins", p.stderr)
    check_carried_reported(env)


def test_remove_pins_with_journald_stuck(env):
    """--remove-pins waits a bounded time for a journald that takes nothing, then keeps the pins and says
    so; what got into the journal before is marked in the pins, and the next --remove-pins reports only
    the rest: every loss once."""
    crash_with_replaced_account(env)
    time.sleep(1)  # journald's socket queue empty: nothing else sends to it
    env.journald.send_signal(signal.SIGSTOP)
    try:
        # The kernel queues a datagram while the queue is not longer than max_dgram_qlen: one place left.
        with open("/proc/sys/net/unix/max_dgram_qlen") as f:
            qlen = int(f.read())
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
            s.setblocking(False)
            for i in range(qlen):
                s.sendto(b"MESSAGE=filler\n", "/run/systemd/journal/socket")
        p = subprocess.run([DAEMON, "--config", env.config_path, "--remove-pins"], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=60, check=False)
    finally:
        env.journald.send_signal(signal.SIGCONT)
    check(p.returncode != 0 and os.path.exists(PINS), "pins kept", p.returncode, p.stderr)
    check(b"cannot be written to the journal" in p.stderr, "and said why", p.stderr)
    first = env.wait_records(lambda rs: rs, "the record that got in", "EXEC_EVENT=lost")
    check(len(first) == 1, "one record got in", [r.brief() for r in first])
    p = tool(env, "--remove-pins")
    check(p.returncode == 0 and not os.path.exists(PINS), "--remove-pins", p.stderr)
    check_carried_reported(env)
    ranges = env.records("EXEC_EVENT=lost", "EXEC_LOST_REASON=no_reader")
    ranges = [r.brief() for r in ranges if "EXEC_LOST_SEQ_FIRST" in r]
    check(len(ranges) <= 1, "the unhandled range once", ranges)


def held_failed_exec(env, m):
    """A failed exec (ENOENT) held in the kernel since before anything here attached: it has no entry, so
    the kernel side records it from the registers it was entered with. Returns (process, path to create to
    let it go)."""
    info, go = os.path.join(env.dir, "held-" + m), os.path.join(env.dir, "go-" + m)
    name = "/nonexistent/" + m
    held = subprocess.Popen([os.environ["EA_EXECTOOL"], "held", info, go, name, name, m])
    env.wait(lambda: os.path.exists(info), "an exec held in the kernel")
    return held, go


def let_go(held, go):
    open(go, "w").close()
    check(held.wait() == 0, "the held exec failed (ENOENT)", held.returncode)


def untracked_lost(env):
    return [r for r in env.records("EXEC_EVENT=lost", "EXEC_LOST_REASON=untracked")]


def test_failed_exec_while_no_daemon_runs(env):
    """A failed exec without an entry that ends while no daemon runs is numbered like any event: the next
    daemon reports it in its no_reader gap, whether it adopts the pins or replaces them, and nothing of it
    is left to the untracked counts."""
    held = [held_failed_exec(env, marker()) for _ in range(2)]
    try:
        env.start("")
        check(env.stop() == 0, "clean stop")
        let_go(*held[0])
        check(int(env.status()["untracked_unreported"]) == 0, "--status: nothing untracked", env.status())
        env.start(None)
        gaps = env.wait_records(lambda rs: rs, "the no_reader loss record", "EXEC_EVENT=lost",
                                "EXEC_LOST_REASON=no_reader")
        check(len(gaps) == 1 and gaps[0].i("EXEC_LOST") >= 1, "the adopting daemon reports it",
              [r.brief() for r in gaps])
        check(env.stop() == 0, "clean stop")
        let_go(*held[1])
        os.unlink(PINS + "/link_ea_exec")  # the next start loads afresh
        env.start(None)
        env.wait(lambda: len(env.records("EXEC_EVENT=lost", "EXEC_LOST_REASON=no_reader")) == 2,
                 "a second no_reader loss record")
        check(env.stop() == 0, "clean stop")
        check(not untracked_lost(env), "no untracked loss", [r.brief() for r in untracked_lost(env)])
    finally:
        for p, go in held:  # a failure above leaves none held
            if p.poll() is None:
                open(go, "w").close()
                p.wait()


def test_gap_reported_whole_and_once(env):
    """The no_reader count reaches the journal whole when journald is away as the daemon starts (a queued
    record that failed would have counted as one lost record), and only once: a daemon that wrote no event
    of its own still tells the next one where its account ends."""
    env.start("")
    check(env.stop() == 0, "clean stop")
    m = marker()
    for i in range(20):
        subprocess.run(["/bin/true", m, str(i)], check=True)
    env.journald.kill()
    env.journald.wait()
    os.unlink("/run/systemd/journal/socket")
    env.start("[Filter]\nUsers=4000000\n")  # leaves every exec out: this daemon writes no event
    env.wait(lambda: "events happened while no daemon read them" in env.log(), "the gap found")
    time.sleep(1.5)  # a send attempt or two while journald is away
    env.start_journald()
    gaps = env.wait_records(lambda rs: rs, "the no_reader loss record", "EXEC_EVENT=lost",
                            "EXEC_LOST_REASON=no_reader")
    # 20 execs and their exits at least, and anything else the machine ran meanwhile.
    check(len(gaps) == 1 and gaps[0].i("EXEC_LOST") >= 40, "the gap counted whole", [g.brief() for g in gaps])
    check(env.stop() == 0, "clean stop")
    env.start(None)
    check(env.stop() == 0, "clean stop")
    gaps = env.records("EXEC_EVENT=lost", "EXEC_LOST_REASON=no_reader")
    ranges = sorted((g.i("EXEC_LOST_SEQ_FIRST"), g.i("EXEC_LOST_SEQ_LAST")) for g in gaps)
    check(all(a[1] < b[0] for a, b in zip(ranges, ranges[1:])), "no number reported twice", ranges)


def test_status_and_remove_pins(env):
    base = len(our_links())
    env.start("")
    m = marker()
    for i in range(3):
        subprocess.run(["/bin/true", m, str(i)], check=True)
    env.wait_records(lambda rs: len(rs) >= 3, "three execs", "EXEC_EVENT=exec", "EXEC_COMM=true")
    live = env.status()
    check(int(live["links_pinned"]) == HOOKS, "--status while running: links", live)
    check(env.stop() == 0, "clean stop")
    st = env.status()
    recs = env.records()
    stopping = [r for r in recs if r.s("EXEC_EVENT") == "stopping"][-1]
    written = kernel_seqs(recs)
    check(int(st["handled_seq"]) == max(written), "--status handled_seq is the last record's EXEC_SEQ", st,
          max(written))
    check(int(st["handled_seq"]) <= int(stopping.s("EXEC_SEQ")) <= int(st["seq"]), "seq after stop", st,
          stopping.s("EXEC_SEQ"))
    check(int(st["emitted"]) >= len(written), "emitted", st, len(written))
    check(int(st["execs"]) >= 3, "execs counted", st)

    p = tool(env, "--remove-pins")
    check(p.returncode == 0, "--remove-pins", p.stderr)
    check(not os.path.exists(PINS), "pin directory removed")
    check(len(our_links()) == base, "no attachment left", len(our_links()) - base)
    p = tool(env, "--status")
    check(p.returncode != 0 and b"No execauditd pins" in p.stderr, "--status without pins says so", p.stderr)


def test_remove_pins_reports_what_no_daemon_handled(env):
    """Execs after the daemon stopped are numbered by the programs, which stay attached: --remove-pins
    records them as lost (no_reader) before it detaches the programs, instead of dropping them unsaid."""
    env.start("")
    check(env.stop() == 0, "clean stop")
    m = marker()
    for i in range(5):
        subprocess.run(["/bin/true", m, str(i)], check=True)
    st = env.status()
    unhandled = int(st["unhandled"])
    check(unhandled >= 10, "the execs and exits after the stop are unhandled", st)
    p = tool(env, "--remove-pins")
    check(p.returncode == 0 and not os.path.exists(PINS), "--remove-pins", p.stderr)
    gaps = env.wait_records(lambda rs: rs, "the no_reader record of --remove-pins", "EXEC_EVENT=lost",
                            "EXEC_LOST_REASON=no_reader")
    check(len(gaps) == 1 and gaps[0].i("EXEC_LOST") >= unhandled, "the loss recorded once, whole",
          [g.brief() for g in gaps], unhandled)
    check(gaps[0].i("EXEC_LOST_SEQ_FIRST") == int(st["handled_seq"]) + 1, "from after the stop", gaps[0].brief(),
          st)


def test_pins_of_others_are_kept(env):
    """A PinPath= that names a directory holding anything but execauditd's pins is not emptied: neither by
    --remove-pins nor by a start that replaces pins; one off a BPF file system is not touched either."""
    mine = "/sys/fs/bpf/ea-it-shared"
    foreign = os.path.join(mine, "other_tool_map")
    os.makedirs(mine, exist_ok=True)
    try:
        subprocess.run(["bpftool", "map", "create", foreign, "type", "hash", "key", "4", "value", "4", "entries",
                        "1", "name", "other_tool_map"], check=True)
        env.write_config("[BPF]\nPinPath=%s\n" % mine)
        p = tool(env, "--remove-pins")
        check(p.returncode != 0 and os.path.exists(foreign), "--remove-pins refuses and keeps the other pin",
              p.returncode, p.stderr)
        check(b"other_tool_map is not one of execauditd's pins" in p.stderr, "and says why", p.stderr)
        d = subprocess.run([DAEMON, "--config", env.config_path], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=60)
        check(d.returncode != 0 and os.path.exists(foreign), "a start refuses and keeps it", d.returncode,
              d.stderr)
        check(b"other_tool_map is not one of execauditd's pins" in d.stderr, "and says why", d.stderr)
    finally:
        subprocess.run(["rm", "-rf", mine])

    plain = os.path.join(env.dir, "not-bpffs")
    os.mkdir(plain)
    with open(os.path.join(plain, "data.txt"), "w") as f:
        f.write("keep me\n")
    env.write_config("[BPF]\nPinPath=%s\n" % plain)
    p = tool(env, "--remove-pins")
    check(p.returncode != 0 and os.path.exists(os.path.join(plain, "data.txt")),
          "--remove-pins off a BPF file system removes nothing", p.returncode, p.stderr)


def test_one_daemon_per_pin_path(env):
    """A second daemon on the same PinPath would take the pinned perf array (and so every event) from the
    first without a word, and --remove-pins would leave the first auditing through programs no pin shows:
    both are refused, naming the daemon, and the first goes on recording."""
    base = len(our_links())
    env.start("")
    first = env.daemon_pid
    second = subprocess.Popen([DAEMON, "--config", env.config_path], stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _, err = second.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        second.kill()
        _, err = second.communicate()
    check(second.returncode not in (None, 0, -signal.SIGKILL), "a second daemon exits with an error",
          second.returncode, err)
    check("PinPath=%s (the default) is in use by another execauditd (PID %d)" % (PINS, first) in err,
          "says who holds it", err)
    # Set in a file: the message says where, as for every configuration error.
    other = os.path.join(env.dir, "other.conf")
    env.write_config("# the same directory\n[BPF]\nPinPath=%s\n" % PINS, other)
    p = subprocess.run([DAEMON, "--config", other], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=60, check=False)
    check(p.returncode == 1 and "PinPath=%s (%s:3) is in use" % (PINS, other) in p.stderr, "names the line",
          p.returncode, p.stderr)
    check(env.status()["daemon_pid"] == str(first), "--status names the daemon")
    # From a PID namespace that cannot see the daemon (a container's), /proc/locks leaves its lock out:
    # --status still knows a daemon runs, and --remove-pins still refuses.
    hidden = ["unshare", "--pid", "--fork", "--mount-proc", DAEMON, "--config", env.config_path]
    p = subprocess.run(hidden + ["--status"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       check=False)
    check(p.returncode == 0 and "\ndaemon_pid           unknown\n" in p.stdout,
          "--status from another PID namespace: a daemon runs, PID unknown", p.returncode, p.stdout, p.stderr)
    p = subprocess.run(hidden + ["--remove-pins"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       check=False)
    check(p.returncode != 0 and "execauditd (a process not visible here) is running" in p.stderr,
          "--remove-pins from another PID namespace refused", p.returncode, p.stderr)
    p = tool(env, "--remove-pins")
    check(p.returncode != 0 and b"execauditd (PID %d) is running with PinPath=" % first in p.stderr,
          "--remove-pins refused while it runs", p.returncode, p.stderr)
    check(os.path.exists(PINS + "/events") and len(our_links()) == base + HOOKS, "pins and links intact",
          len(our_links()) - base)
    m = marker()
    subprocess.run(["/bin/true", m], check=True)
    env.wait_one(m, "exec")
    check(len(lifecycle(env, "started")) == 1, "one daemon started", len(lifecycle(env, "started")))
    check(env.stop() == 0, "clean stop")
    check(env.status()["daemon_pid"] == "none", "--status after the stop")
    check(tool(env, "--remove-pins").returncode == 0, "--remove-pins once it stopped")
    check(not os.path.exists(PINS) and len(our_links()) == base, "removed and detached", len(our_links()) - base)


def test_bpffs_mounted_unless_a_service(env):
    # No BPF filesystem on /sys/fs/bpf: run by hand, the daemon mounts one, as systemd would at boot. As a
    # service (systemd sets INVOCATION_ID) it refuses: its mounts are private to the unit (PrivateMounts=),
    # so that bpffs, pins and all, would go at every stop.
    subprocess.run(["mount", "-t", "tmpfs", "tmpfs", "/sys/fs/bpf"], check=True)
    os.environ["INVOCATION_ID"] = "0123456789abcdef0123456789abcdef"
    try:
        p = env.start("", wait_ready=False)
        code = p.wait(timeout=60)
    finally:
        del os.environ["INVOCATION_ID"]
    check(code != 0 and "a service does not mount one (systemd mounts it at boot" in env.log(),
          "refused as a service", code, env.log())
    check(os.listdir("/sys/fs/bpf") == [], "nothing mounted or pinned", os.listdir("/sys/fs/bpf"))
    env.start("")
    check("Mounted bpf on /sys/fs/bpf" in env.log() and os.path.exists(PINS + "/events"),
          "mounted by hand, and the pins are there", env.log())
    check(env.stop() == 0, "clean stop")
    check(tool(env, "--remove-pins").returncode == 0, "--remove-pins")
    for _ in ("the daemon's bpffs", "the tmpfs"):  # the harness unmounts its own
        subprocess.run(["umount", "/sys/fs/bpf"], check=True)


def test_sys_admin_dropped_after_start(env):
    # CAP_SYS_ADMIN only opens the perf buffers and attaches the programs (perf_event_open under Debian's
    # perf_event_paranoid=3): neither thread keeps it once the daemon is ready. Reloads still work.
    env.start("")
    tasks = os.listdir("/proc/%d/task" % env.daemon_pid)
    check(len(tasks) == 2, "two threads: the drain loop and the journal writer", tasks)
    status = ""
    for tid in tasks:
        with open("/proc/%d/task/%s/status" % (env.daemon_pid, tid)) as f:
            status += f.read()
    check_caps_dropped(status)
    env.write_config("[Filter]\nExcludeCommands=nothing-like\n")
    env.reload()
    m = marker()
    subprocess.run(["/bin/true", m], check=True)
    env.wait_one(m, "exec")
    check(env.stop() == 0, "clean stop")


def active_slot():
    out = subprocess.run(["bpftool", "map", "dump", "pinned", PINS + "/active", "--json"], stdout=subprocess.PIPE,
                         check=True).stdout
    value = json.loads(out)[0]["value"]
    return int(value[0], 16) & 1 if isinstance(value, list) else int(value) & 1


def sneak_command(name):
    key = [str(b) for b in active_slot().to_bytes(4, "little") + name.ljust(16, b"\0")]
    subprocess.run(["bpftool", "map", "update", "pinned", PINS + "/filter_comms", "key", *key, "value", "2"],
                   check=True)


def test_filter_changed_behind_the_back(env):
    cgroup = "ea-appears-" + marker()  # configured before it exists: the daemon adds it when it appears
    env.start("[Filter]\nExcludeCommands=nothing-like\nExcludeCgroups=/%s\n" % cgroup)
    env.reload()
    time.sleep(2.5)
    check(not env.records("EXEC_EVENT=filter_changed"), "no report for the daemon's own changes")
    sneak_command(b"sneaky")
    recs = env.wait_records(lambda rs: rs, "filter_changed record", "EXEC_EVENT=filter_changed")
    check(recs[0].s("MESSAGE_ID") == "a413282d29674aa993f5e1358f2a8d20" and recs[0].i("PRIORITY") == 4,
          "filter_changed MESSAGE_ID and PRIORITY", recs[0].brief())
    time.sleep(2.5)
    check(len(env.records("EXEC_EVENT=filter_changed")) == 1, "reported once per change")
    # A reload writes the configuration again; that is not a change behind its back.
    env.reload()
    time.sleep(2.5)
    check(len(env.records("EXEC_EVENT=filter_changed")) == 1, "a reload is not reported")
    # A change made right before the daemon adds a cgroup that appeared is not taken in with that addition.
    sneak_command(b"sneakier")
    path = os.path.join(cgroup2_mount(), cgroup)
    os.mkdir(path)
    try:
        env.wait(lambda: "/%s appeared" % cgroup in env.log(), "the daemon adds the cgroup")
        env.wait(lambda: len(env.records("EXEC_EVENT=filter_changed")) == 2, "the change reported all the same")
    finally:
        os.rmdir(path)


def test_watchdog_pings(env):
    """With WatchdogSec= the daemon sends WATCHDOG=1 again and again (from its event loop, every half
    period; how often is not asserted here: no timing in tests)."""
    os.environ["WATCHDOG_USEC"] = "600000"
    try:
        env.start("")
    finally:
        del os.environ["WATCHDOG_USEC"]
    pings = []

    def four():
        pings.extend(n for n in env.notifications() if "WATCHDOG=1" in n)
        return len(pings) >= 4

    env.wait(four, "four WATCHDOG=1 notifications")


if __name__ == "__main__":
    main([test_remove_pins_reports_what_no_daemon_handled, test_pins_of_others_are_kept, test_kill9_during_a_stream_then_restart, test_stops_during_a_storm, test_restart_twenty_times,
          test_replaces_other_layout_and_broken_pins, test_replaced_layout_3_gap, test_replaced_later_layout_gap,
          test_layout_5_counters, test_short_runs_are_named_in_their_records,
          test_remove_pins_with_journald_silent,
          test_counters_of_every_cpu, test_replaced_pins_gap_under_load,
          test_replaced_pins_untracked_exits, test_replaced_account_carried_over_a_crash,
          test_failed_replacing_start_reports_the_account, test_failed_attach_keeps_the_old_pins,
          test_remove_pins_reports_the_carried_account, test_remove_pins_with_journald_stuck,
          test_failed_exec_while_no_daemon_runs,
          test_gap_reported_whole_and_once,
          test_status_and_remove_pins, test_one_daemon_per_pin_path, test_bpffs_mounted_unless_a_service,
          test_sys_admin_dropped_after_start,
          test_filter_changed_behind_the_back, test_watchdog_pings])

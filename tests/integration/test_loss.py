#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Loss paths: perf buffer overflow, a full journal queue behind a stalled journald, journald going away,
the reader of the daemon's stderr going away, more live processes than the kernel side can follow (and more
execs in progress than it can hold, which is not a loss). Every missing EXEC_SEQ must be covered by a loss record."""
import os
import signal
import subprocess
import time

from harness import (DAEMON, PINS, exec_thread_of, fill_stopped_journald, check, kernel_seqs, last_taken, main,
                     marker, seq_gaps, tracked_state, unmappable_elf)

STORM = os.environ.get("EA_STORM", "")
EXECTOOL = os.environ.get("EA_EXECTOOL", "")


def reported(recs, reason):
    return sum(r.i("EXEC_LOST") for r in recs if r.s("EXEC_EVENT") == "lost" and r.s("EXEC_LOST_REASON") == reason)


def sync(env):
    m = marker()
    subprocess.run(["/bin/true", m], check=True)
    env.wait_one(m, "exec")


def test_perf_buffer_loss_is_reported(env):
    # One page per CPU and a stopped reader: the kernel must drop samples, and the daemon must say how many.
    env.start("[Capture]\nMaxArgsBytes=16K\n[BPF]\nPerfBufferPages=1\n")
    m = marker()
    env.signal(signal.SIGSTOP)
    try:
        for i in range(60):
            subprocess.run(["/bin/true", m, str(i), "p" * 8000], check=True)
    finally:
        env.signal(signal.SIGCONT)
    lost = env.wait_records(lambda rs: rs, "loss record", "EXEC_EVENT=lost")
    check(lost[0].s("EXEC_LOST_REASON") == "perf_buffer", "reason perf_buffer", lost[0].brief())
    check(lost[0].s("MESSAGE_ID") == "7b9de65e23124b8f822daf9df75f11a6" and lost[0].i("PRIORITY") == 4,
          "loss MESSAGE_ID and PRIORITY", lost[0].brief())
    sync(env)
    check(env.stop() == 0, "clean stop")
    recs = env.records()
    seqs = kernel_seqs(recs)
    gap = seq_gaps(seqs, last_taken(recs))
    check(len(env.find(m, "exec")) < 60, "some execs were lost", len(env.find(m, "exec")))
    # The stopping record's EXEC_SEQ is the last number accounted for; the final count also holds failures
    # of numbers the kernel took after it (other processes' execs, during the stop): never more of those
    # than numbers taken after it.
    after = int(env.status()["seq"]) - last_taken(recs)
    surplus = reported(recs, "perf_buffer") - len(gap)
    check(len(gap) > 0 and 0 <= surplus <= after, "the EXEC_SEQ gap is the reported loss, but for numbers "
          "taken after the stop", len(gap), reported(recs, "perf_buffer"), after)


def test_journal_queue_full_is_reported(env):
    # journald stopped: the writer waits for journald's socket, the drain goes on, the writer queue (32768
    # records) fills and what does not fit is counted. Big perf buffers so that nothing is lost there.
    # A count of execs, not a duration: 24000 execs are 48000 records whatever the machine's speed (12 s
    # of storm below 1365 execs/s, as on a slow day, do not fill the queue).
    env.start("[Capture]\nMaxArgsBytes=64\n[BPF]\nPerfBufferPages=1024\n")
    m = marker()
    env.journald.send_signal(signal.SIGSTOP)
    try:
        subprocess.run([STORM, "-w", "2", "-n", "24000", "-m", m], check=True, stdout=subprocess.DEVNULL)
    finally:
        env.journald.send_signal(signal.SIGCONT)
    lost = env.wait_records(lambda rs: rs, "loss record", "EXEC_EVENT=lost", "EXEC_LOST_REASON=journal")
    check(lost[0].i("EXEC_LOST") > 0, "journal queue loss counted", lost[0].brief())
    sync(env)
    check(env.stop() == 0, "clean stop")
    recs = env.records()
    seqs = kernel_seqs(recs)
    gap = seq_gaps(seqs, last_taken(recs))
    total = reported(recs, "journal") + reported(recs, "perf_buffer")
    # Queue losses also count daemon records, never fewer than the kernel events missing.
    check(len(gap) > 0 and len(gap) == total, "every missing EXEC_SEQ is a reported loss", len(gap), total)


def test_journald_missing(env):
    env.start("")
    env.journald.kill()
    env.journald.wait()
    os.unlink("/run/systemd/journal/socket")
    m = marker()
    for i in range(3):
        subprocess.run(["/bin/true", m, str(i)], check=True)
    env.wait(lambda: "journald's socket /run/systemd/journal/socket is missing" in env.log(), "loud message")
    # Give the drain (100 ms) and the reorder window (200 ms) time to hand more records to the writer while
    # journald is away; whatever the timing, the accounting below must hold.
    for i in range(3):
        subprocess.run(["/bin/true", m, "late", str(i)], check=True)
    time.sleep(1)
    env.start_journald()
    lost = env.wait_records(lambda rs: rs, "journald_unavailable loss record", "EXEC_EVENT=lost",
                            "EXEC_LOST_REASON=journald_unavailable")
    check(lost[0].i("EXEC_LOST") >= 1, "records counted while journald was away", lost[0].brief())
    sync(env)
    check(env.stop() == 0, "clean stop")
    recs = env.records()
    gap = seq_gaps(kernel_seqs(recs), last_taken(recs))
    # While journald goes away and comes back, a send can also meet the socket file with nobody behind it
    # (ECONNREFUSED): that is journal_error. Both also count the daemon's own records, so never fewer.
    counted = reported(recs, "journald_unavailable") + reported(recs, "journal_error")
    check(0 < len(gap) <= counted, "every missing EXEC_SEQ is a reported loss", len(gap),
          reported(recs, "journald_unavailable"), reported(recs, "journal_error"))


def test_stop_while_journald_is_stopped(env):
    """A stop waits for a stopped journald only JOURNAL_STOP_WAIT_SEC (5 s), not for good: what is left is
    lost with a word on stderr, and the next daemon reports those numbers as no_reader."""
    env.start("[Capture]\nMaxArgsBytes=256K\n[BPF]\nPerfBufferPages=1024\n")
    sync(env)
    m = marker()
    try:
        fill_stopped_journald(env, m)
        rc = env.stop()
    finally:
        env.journald.send_signal(signal.SIGCONT)
    check(rc == 0, "stopped", rc)
    log = env.log()
    check("journald took nothing for 5 s after the stop" in log, "says why it did not wait longer", log)
    check("and the loss record could not be written to the journal" in log, "and what was lost", log)
    env.start(None)
    sync(env)
    check(env.stop() == 0, "clean stop")
    recs = env.records()
    missing = seq_gaps(kernel_seqs(recs), last_taken(recs))
    check(missing and len(missing) <= reported(recs, "no_reader"), "the next daemon reports what is missing",
          len(missing), reported(recs, "no_reader"))


def test_stderr_reader_gone(env):
    """A daemon run by hand whose stderr reader has gone (a closed terminal, `execauditd 2>&1 | less` quit)
    stops cleanly, with its stopping record: it died of SIGPIPE (status 141) at its next diagnostic, here the
    "Stopping on signal" line, and the numbers since its last record were left to the next daemon."""
    r, w = os.pipe()
    try:
        env.start("", stderr=w)
    finally:
        os.close(w)
    # What it said up to READY=1 is read, then nobody reads any more.
    with os.fdopen(r) as reader:
        said = []
        while not said or "Auditing execs" not in said[-1]:
            said.append(reader.readline())
            check(said[-1], "the daemon's lines up to READY=1", said)
    sync(env)
    rc = env.stop()
    check(rc == 0, "clean stop", rc)
    stopping = env.records("EXEC_EVENT=stopping")
    check(len(stopping) == 1, "the stopping record", [x.brief() for x in stopping])


def test_failed_exec_without_entry_is_recorded(env):
    """A failed exec the filter audits but whose syscall entry the kernel side does not hold (here: entered
    before the programs were attached; also when the table of execs in progress is full, or seccomp refused
    it before the entry) is recorded from the registers it was entered with, without a duration: not a
    loss."""
    m = marker()
    info, go = os.path.join(env.dir, "held"), os.path.join(env.dir, "go")
    name = "/nonexistent/" + m
    held = subprocess.Popen([os.environ["EA_EXECTOOL"], "held", info, go, name, name, m])
    env.wait(lambda: os.path.exists(info), "an exec held in the kernel")
    env.start("")
    open(go, "w").close()
    check(held.wait() == 0, "the held exec failed (ENOENT)", held.returncode)
    r = env.wait_one(m, "exec_failed")
    check(r.s("EXEC_FILENAME") == name and r.s("EXEC_CMDLINE") == name + " " + m, "what it tried", r.brief())
    check(r.s("EXEC_ERRNO") == "ENOENT", "why it failed", r.brief())
    check(r.i("EXEC_DURATION_NSEC") == 0, "no duration: its entry was not seen", r.brief())
    sync(env)
    check(env.stop() == 0, "clean stop")
    check(not env.records("EXEC_EVENT=lost"), "no loss", [x.brief() for x in env.records("EXEC_EVENT=lost")])
    st = env.records("EXEC_EVENT=stats")
    check(st and st[-1].i("EXEC_STATS_FAILED_UNTRACKED") == 0 and st[-1].i("EXEC_STATS_LOST_UNTRACKED") == 0,
          "nothing untracked in the stats record", [x.brief() for x in st])


def sh_and_child(m, *fill):
    """sh, started by fill (exectool map-fill ...: PROG ARG0 ... follow) when given, runs /bin/true as a
    child and exits 3."""
    sh = ["/bin/sh", "-c", "/bin/true %s-child; exit 3" % m, m + "-sh"]
    p = subprocess.run([*fill, "/bin/sh", *sh] if fill else sh, check=False)
    check(p.returncode == 3, "sh ran", p.returncode)


def test_tracked_full(env):
    """More live audited processes than the kernel side can follow: every slot of "tracked_slots" (16384)
    is another process's and the "tracked" hash is full (131072). A process that finds no room has its
    exec recorded, but its exit is lost, counted (EXEC_STATS_TRACKED_FULL) and reported (an untracked loss
    record, also under Exits=no, as a later reload could ask for that exit), and its children's records
    have no EXEC_PARENT_ID. The slots are given here to a thread group ID no process has, and the hash
    filled with entries for IDs above the kernel's PID_MAX_LIMIT. With room in the hash again and the slots
    still taken, processes are followed there: exits and parents are recorded, and the hash's count of
    entries the programs made comes back to what it holds. With the slots free again, there too."""
    first, info, owner = 1 << 23, os.path.join(env.dir, "added"), (1 << 23) - 1
    for exits in ("yes", "no"):
        env.start("[Capture]\nExits=%s\n" % exits)
        m = marker()
        subprocess.run([EXECTOOL, "slots-take", PINS, str(owner), info], check=True)
        with open(info) as f:
            taken = int(f.read())
        check(16000 < taken <= 16384, "the slots were taken", taken)
        try:
            sh_and_child(m, EXECTOOL, "map-fill", PINS, "tracked", str(first), info)
        finally:
            if os.path.exists(info):
                with open(info) as f:
                    added = int(f.read())
                os.unlink(info)
                subprocess.run([EXECTOOL, "map-clear", PINS, "tracked", str(first), str(added)], check=True)
        check(100000 < added <= 131072, "the map filled up", added)
        sh = env.wait_one(m + "-sh", "exec", filename="/bin/sh")
        child = env.wait_one(m + "-child", "exec", filename="/bin/true")
        check(child.get("EXEC_PARENT_ID") is None and child.i("EXEC_PPID") == sh.i("EXEC_PID"),
              "Exits=%s: the child of an untracked process has no EXEC_PARENT_ID" % exits, sh.brief(),
              child.brief())

        env.wait_records(lambda rs: reported(env.own(rs), "untracked") >= 2, "untracked loss records",
                         "EXEC_EVENT=lost")
        m3 = marker()
        sh_and_child(m3)
        sh3 = env.wait_one(m3 + "-sh", "exec", filename="/bin/sh")
        child3 = env.wait_one(m3 + "-child", "exec", filename="/bin/true")
        check(child3.s("EXEC_PARENT_ID") == sh3.s("EXEC_ID"),
              "Exits=%s: slots taken, room in the hash: EXEC_PARENT_ID" % exits, sh3.brief(), child3.brief())
        if exits == "yes":
            exit3 = env.wait_exit(sh3.i("EXEC_PID"))
            check(exit3.i("EXEC_EXIT_CODE") == 3, "slots taken: the exit record", exit3.brief())
        # Of what the programs put into the hash, only the entry of exectool itself is left.
        state = tracked_state()
        check(state["hashed"] == state["entries"] == 1, "the hash's count follows it", state)
        subprocess.run([EXECTOOL, "slots-free", PINS, str(owner)], check=True)
        m2 = marker()
        sh_and_child(m2)
        sh2 = env.wait_one(m2 + "-sh", "exec", filename="/bin/sh")
        child2 = env.wait_one(m2 + "-child", "exec", filename="/bin/true")
        check(child2.s("EXEC_PARENT_ID") == sh2.s("EXEC_ID"), "Exits=%s: room again, EXEC_PARENT_ID" % exits,
              sh2.brief(), child2.brief())
        if exits == "yes":
            exit2 = env.wait_exit(sh2.i("EXEC_PID"))
            check(exit2.i("EXEC_EXIT_CODE") == 3, "room again: the exit record", exit2.brief())
        sync(env)
        check(env.stop() == 0, "clean stop")
        recs = env.own(env.records())
        gone = [r.i("EXEC_PID") for r in env.records("EXEC_EVENT=exit")]
        check(sh.i("EXEC_PID") not in gone and child.i("EXEC_PID") not in gone, "no exit record of the untracked",
              sh.brief(), child.brief())
        st = [r for r in recs if r.s("EXEC_EVENT") == "stats"][-1]
        lost = [r.brief() for r in recs if r.s("EXEC_EVENT") == "lost"]
        check(st.i("EXEC_STATS_TRACKED_FULL") == reported(recs, "untracked") >= 2,
              "Exits=%s: every process that found no room is reported lost, once" % exits, st.brief(), *lost)
        check(not [r for r in recs if r.s("EXEC_EVENT") == "lost" and r.s("EXEC_LOST_REASON") != "untracked"],
              "no other loss", *lost)
        # The next daemon counts afresh.
        subprocess.run([DAEMON, "--remove-pins", "--config", env.config_path], check=True)


# Three execs from threads that do not lead their process ($0 is exectool, $1 the INFO prefix, $2 the
# marker): one succeeds, one fails (ENOENT), one fails after the point of no return ($4, unmappable) with
# the new image's stack where the caller's was (no address randomization), so that the caller's pointers
# lead into the strings the kernel put there.
THREAD_EXECS = """
"$0" thread-exec "$1.ok" /bin/true true "$2-ok"; echo $? >>"$1.rc"
"$0" thread-exec "$1.missing" "$3" "$3" "$2-missing"; echo $? >>"$1.rc"
setarch -R "$0" thread-exec "$1.elf" "$4" "$4" "$2-elf"; echo $? >>"$1.rc"
"""


def test_inflight_full(env):
    """More execs in progress at once than the kernel side can hold: the hash that takes the syscall entries
    of execs from threads that do not lead their process (8192 entries) is full. Such an exec is still
    recorded, without what only its entry knows (EXEC_DURATION_NSEC=0), and counted
    (EXEC_STATS_INFLIGHT_FULL): a successful one whole, a failed one with its filename and argv read through
    the registers it was entered with, and one that failed after the point of no return with nothing read
    (told by the fatal signal it left queued: its pointers lead into the new image). Not a loss. The hash
    is filled here with keys no task_struct's address can be."""
    env.start("")
    m = marker()
    pre, added = os.path.join(env.dir, "thr"), os.path.join(env.dir, "added")
    missing, elf = "/nonexistent/" + m, os.path.join(env.dir, "badelf-" + m[3:12])
    unmappable_elf(elf)
    try:
        p = subprocess.run([EXECTOOL, "map-fill", PINS, "inflight", "1", added, "/bin/sh", "sh", "-c",
                            THREAD_EXECS, EXECTOOL, pre, m, missing, elf], check=False)
    finally:
        with open(added) as f:
            n = int(f.read())
        held = subprocess.run([EXECTOOL, "inflight", PINS], stdout=subprocess.PIPE, check=True).stdout
        subprocess.run([EXECTOOL, "map-clear", PINS, "inflight", "1", str(n)], check=True)
    check(p.returncode == 0 and n == 8192, "the hash filled up, the three execs ran", p.returncode, n)
    with open(pre + ".rc") as f:
        rcs = f.read().split()
    check(rcs == ["0", "127", str(128 + signal.SIGSEGV)], "true ran, ENOENT, SIGSEGV", rcs)
    check(held.split()[2:] == [b"hashed", b"0", b"entries", b"8192"],
          "every refused entry taken off inflight_hashed's count again", held)

    pid, tid = exec_thread_of(pre + ".ok")
    ok = env.wait_one(m + "-ok", "exec", filename="/bin/true")
    check(ok.i("EXEC_PID") == pid and ok.s("EXEC_CMDLINE") == "true %s-ok" % m, "the exec", ok.brief())
    check(ok.i("EXEC_DURATION_NSEC") == 0, "no duration: no room for its entry", ok.brief())

    pid, tid = exec_thread_of(pre + ".missing")
    f = env.wait_one(m + "-missing", "exec_failed")
    check(f.i("EXEC_PID") == pid and f.i("EXEC_TID") == tid, "the failed exec's thread", pid, tid, f.brief())
    check(f.s("EXEC_FILENAME") == missing and f.s("EXEC_CMDLINE") == "%s %s-missing" % (missing, m)
          and f.s("EXEC_ERRNO") == "ENOENT", "what it tried, read through the registers", f.brief())
    check(f.i("EXEC_DURATION_NSEC") == 0, "no duration: no room for its entry", f.brief())

    pid, tid = exec_thread_of(pre + ".elf")
    r = env.wait_records(lambda rs: rs, "the exec failed after the point of no return",
                         "EXEC_EVENT=exec_failed", "EXEC_PID=%d" % pid)
    check(len(r) == 1, "one record", *[x.brief() for x in r])
    r = r[0]
    check(r.get1("EXEC_FILENAME") == b"" and r.s("EXEC_FILENAME_TRUNCATED") == "1"
          and r.get1("EXEC_CMDLINE") == b"" and r.s("EXEC_ARGS_TRUNCATED") == "1"
          and r.s("EXEC_ARGC_IS_MINIMUM") == "1", "nothing read through the pointers into the new image",
          r.brief())
    check(r.i("EXEC_RET") < 0 and r.i("EXEC_DURATION_NSEC") == 0, "the error, no duration", r.brief())

    # Room again: the same exec has its entry.
    m2 = marker()
    info = os.path.join(env.dir, "thr2")
    subprocess.run([EXECTOOL, "thread-exec", info, "/bin/true", "true", m2], check=True)
    exec_thread_of(info)
    again = env.wait_one(m2, "exec", filename="/bin/true")
    check(again.i("EXEC_DURATION_NSEC") > 0, "room again: the duration", again.brief())
    sync(env)
    check(env.stop() == 0, "clean stop")
    recs = env.records()
    st = [x for x in recs if x.s("EXEC_EVENT") == "stats"][-1]
    check(st.i("EXEC_STATS_INFLIGHT_FULL") >= 3, "counted (other threads' execs may have been refused too)",
          st.brief())
    lost = [x.brief() for x in recs if x.s("EXEC_EVENT") == "lost"]
    check(not lost, "no loss", *lost)

if __name__ == "__main__":
    main([test_perf_buffer_loss_is_reported, test_journal_queue_full_is_reported, test_journald_missing,
          test_failed_exec_without_entry_is_recorded, test_stop_while_journald_is_stopped, test_stderr_reader_gone,
          test_tracked_full, test_inflight_full])

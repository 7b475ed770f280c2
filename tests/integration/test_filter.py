#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""In-kernel filters: each dimension with a process that must and one that must not be recorded, reloads
that narrow and widen, a bad drop-in, and a reload under an exec storm that mixes nothing."""
import errno
import os
import signal
import struct
import subprocess

from harness import check, kernel_seqs, main, marker, cgroup2_mount, seq_gaps

STORM = os.environ.get("EA_STORM", "")


CG2 = cgroup2_mount()


def as_uid(uid, *argv):
    return ["setpriv", "--reuid=%d" % uid, "--regid=%d" % uid, "--clear-groups", *argv]


def run(argv, uid=None):
    """Runs argv (as uid, without setpriv, when given); a failed exec is what some tests want."""
    ids = {} if uid is None else {"user": uid, "group": uid, "extra_groups": []}
    try:
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **ids)
    except FileNotFoundError:
        pass


def in_cgroup(path, *argv):
    """Runs argv (exec'd by sh) inside the cgroup at CG2 + path."""
    return ["sh", "-c", 'echo $$ > "$0/cgroup.procs" && exec "$@"', CG2 + path, *argv]


# Commands that only carry a marker to the process under test (their own execs are judged too).
WRAPPERS = {"nsenter", "sh", "setpriv", "unshare"}


def found(env, mark, event="exec"):
    return [r for r in env.find(mark, event) if r.s("EXEC_COMM") not in WRAPPERS]


def expect(env, yes, no, event="exec"):
    """yes: markers that must be recorded; no: markers that must not. Waits for every yes first: records go
    out in EXEC_SEQ order, so once the last yes is there, any earlier no would be there too."""
    for m in yes:
        recs = env.wait(lambda: found(env, m, event), "%s record of %s" % (event, m))
        check(len(recs) == 1, "one %s record of %s" % (event, m), [r.brief() for r in recs])
    for m in no:
        check(not found(env, m, event), "%s must not be recorded" % m, [r.brief() for r in found(env, m, event)])


def test_users(env):
    env.start("[Filter]\nUsers=1000-1999\nExcludeUsers=1005\n")
    no_root, no_excl, yes = marker(), marker(), marker()
    run(["/bin/true", no_root])
    run(as_uid(1005, "/bin/true", no_excl))
    run(as_uid(1000, "/bin/true", yes))
    expect(env, [yes], [no_root, no_excl])
    r = found(env, yes)[0]
    check(r.i("EXEC_UID") == 1000, "the uid 1000 exec", r.brief())
    check(env.wait_exit(r.i("EXEC_PID")).i("EXEC_CONFIG_GENERATION") == 1, "its exit is recorded too")
    # What the syscall entry remembers (the filter decides there already) is on the audited records.
    check(r.i("EXEC_DURATION_NSEC") > 0, "EXEC_DURATION_NSEC of the audited exec", r.brief())

    # Failed execs: judged by the same users, and counted when left out.
    no_root, no_excl, yes = marker(), marker(), marker()
    for _ in range(50):
        run(["/nonexistent/true", no_root])
    # Not through setpriv: a failed exec keeps the caller's name, and setpriv's records are not looked at.
    run(["/nonexistent/true", no_excl], uid=1005)
    run(["/nonexistent/true", yes], uid=1000)
    expect(env, [yes], [no_root, no_excl], event="exec_failed")
    f = found(env, yes, "exec_failed")[0]
    check(f.i("EXEC_UID") == 1000 and f.s("EXEC_FILENAME") == "/nonexistent/true", "the uid 1000 failed exec",
          f.brief())
    check(f.i("EXEC_DURATION_NSEC") > 0, "EXEC_DURATION_NSEC of the audited failed exec", f.brief())
    check(env.stop() == 0, "clean stop")
    st = env.wait_records(lambda rs: rs, "the stats record written at stop", "EXEC_EVENT=stats")[-1]
    check(st.i("EXEC_STATS_FILTERED") >= 51, "the 51 failed execs left out are counted", st.brief())
    check(st.i("EXEC_STATS_EXECS_FAILED") >= 52, "and seen, with the one recorded", st.brief())


def not_executable(env, name):
    """A file called name that the kernel refuses to run (ENOEXEC): an exec of it fails by file descriptor
    too."""
    path = os.path.join(env.dir, "noexec", name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(b"\x01\x02 not a program")
    os.chmod(path, 0o755)
    return path


def fexecve(path, mark):
    run([os.environ["EA_EXECTOOL"], "fexecve", path, "prog", mark])


def test_commands(env):
    env.start("[Filter]\nCommands=true\n")
    yes, no, yes_failed, no_failed, yes_fd, no_fd = (marker() for _ in range(6))
    run(["/bin/echo", no])
    run(["/nonexistent/echo", no_failed])
    run(["/nonexistent/true", yes_failed])
    # By file descriptor (an empty path), the name is the file's, as the kernel would have named it.
    fexecve(not_executable(env, "echo"), no_fd)
    fexecve(not_executable(env, "true"), yes_fd)
    run(["/bin/true", yes])
    expect(env, [yes], [no])
    # A failed exec is judged by the name the program would have had.
    expect(env, [yes_failed, yes_fd], [no_failed, no_fd], event="exec_failed")
    f = found(env, yes_fd, "exec_failed")[0]
    check(f.s("EXEC_FILENAME") == "" and f.s("EXEC_ERRNO") == "ENOEXEC", "the failed fexecve", f.brief())
    check(env.stop() == 0, "clean stop")

    env.start("[Filter]\nExcludeCommands=echo\n")
    yes, no, yes_fd, no_fd = (marker() for _ in range(4))
    run(["/bin/echo", no])
    fexecve(not_executable(env, "echo"), no_fd)
    fexecve(not_executable(env, "true"), yes_fd)
    run(["/bin/true", yes])
    expect(env, [yes], [no])
    expect(env, [yes_fd], [no_fd], event="exec_failed")


def test_mount_namespaces(env):
    # "host" is the mount namespace of PID 1. The daemon runs as PID 1 of a PID namespace of its own (so
    # the test decides what PID 1 is), in a mount namespace that unshare made: that one is the "host".
    for entry in ("!host", "host"):
        env.start("[Filter]\nMountNamespaces=%s\n" % entry,
                  wrap=["unshare", "-p", "-f", "--kill-child", "--mount-proc", "--"])
        host, own = marker(), marker()
        run(["nsenter", "-t", str(env.daemon_pid), "-m", "/bin/true", host])
        run(["/bin/true", own])
        if entry == "host":
            expect(env, [host], [own])
        else:
            expect(env, [own], [host])
        check(env.stop() == 0, "clean stop")

    # An explicit namespace, named by a /proc path, then by its inode number.
    sleeper = subprocess.Popen(["unshare", "-m", "sleep", "1000"])
    try:
        ns = "/proc/%d/ns/mnt" % sleeper.pid
        env.wait(lambda: os.stat(ns).st_ino != os.stat("/proc/self/ns/mnt").st_ino, "unshare -m")
        for entry in (ns, str(os.stat(ns).st_ino)):
            env.start("[Filter]\nMountNamespaces=%s\n" % entry)
            inside, outside = marker(), marker()
            run(["/bin/true", outside])
            run(["nsenter", "-t", str(sleeper.pid), "-m", "/bin/true", inside])
            expect(env, [inside], [outside])
            r = found(env, inside)[0]
            check(r.i("EXEC_MNTNS") == os.stat(ns).st_ino, "EXEC_MNTNS of the namespace", entry, r.brief())
            check(env.stop() == 0, "clean stop")
    finally:
        sleeper.kill()
        sleeper.wait()


class Cgroups:
    def __init__(self):
        self.made = []

    def make(self, rel):
        os.mkdir(CG2 + rel)
        self.made.append(rel)
        return rel

    def cleanup(self):
        for rel in reversed(self.made):
            try:
                os.rmdir(CG2 + rel)
            except OSError:
                pass


def test_cgroups(env):
    cg = Cgroups()
    base = "/ea-it-%d" % os.getpid()
    try:
        cg.make(base)
        env.start("[Filter]\nCgroups=%s\nCgroups=%s-later\nExcludeCgroups=%s/noisy\n" % (base, base, base))
        check("does not exist (yet)" in env.log(), "a missing cgroup is accepted with a warning", env.log())
        # A child created after the config was loaded is a descendant: it matches.
        cg.make(base + "/child")
        cg.make(base + "/noisy")
        # The excluded path did not exist at start: it applies once the daemon has seen it appear.
        env.wait(lambda: "%s/noisy appeared" % base in env.log(), "the daemon to notice the excluded cgroup")
        yes, no, no_excl = marker(), marker(), marker()
        run(["/bin/true", no])
        run(in_cgroup(base + "/noisy", "/bin/true", no_excl))
        run(in_cgroup(base + "/child", "/bin/true", yes))
        expect(env, [yes], [no, no_excl])
        r = found(env, yes)[0]
        check(r.s("EXEC_CGROUP") == base + "/child", "EXEC_CGROUP", r.brief())

        # Nested 40 levels below the configured cgroup (a delegated subtree can do that): still in it.
        deep = base + "/child" + "/d" * 40
        for i in range(1, 41):
            cg.make(base + "/child" + "/d" * i)
        nested = marker()
        run(in_cgroup(deep, "/bin/true", nested))
        expect(env, [nested], [])

        # The configured path that did not exist starts matching once it appears.
        cg.make(base + "-later")
        env.wait(lambda: "%s-later appeared" % base in env.log(), "the daemon to notice the new cgroup")
        later = marker()
        run(in_cgroup(base + "-later", "/bin/true", later))
        expect(env, [later], [])
        check(env.stop() == 0, "clean stop")

        # Units= finds the unit's cgroup in the slices, at any depth; a cgroup of the same name below a
        # service or a scope (a user's manager, a container: their owners name them) is never taken for it.
        unit = "ea-it-%d.service" % os.getpid()
        slice_ = base + ".slice"
        decoy = base + "/user@1000.service/app.slice/" + unit
        for d in (base + "/user@1000.service", base + "/user@1000.service/app.slice", decoy, slice_):
            cg.make(d)
        env.start("[Filter]\nUnits=%s\n" % unit)
        check("does not exist (yet)" in env.log(), "the decoy is not the unit", env.log())
        in_decoy = marker()
        run(in_cgroup(decoy, "/bin/true", in_decoy))
        cg.make(slice_ + "/" + unit)
        env.wait(lambda: "Unit %s appeared" % unit in env.log(), "the unit to appear")
        yes, no, still_decoy = marker(), marker(), marker()
        run(in_cgroup(base + "/child", "/bin/true", no))
        run(in_cgroup(decoy, "/bin/true", still_decoy))
        run(in_cgroup(slice_ + "/" + unit, "/bin/true", yes))
        expect(env, [yes], [no, in_decoy, still_decoy])
        check(found(env, yes)[0].s("EXEC_CGROUP") == slice_ + "/" + unit, "the unit's cgroup")

        # A restarted unit gets a new cgroup (a new id): it keeps matching.
        os.rmdir(CG2 + slice_ + "/" + unit)
        env.wait(lambda: "Unit %s (cgroup id" % unit in env.log() and "is gone" in env.log(), "the unit to go")
        os.mkdir(CG2 + slice_ + "/" + unit)
        env.wait(lambda: env.log().count("Unit %s appeared" % unit) == 2, "the unit to reappear")
        again = marker()
        run(in_cgroup(slice_ + "/" + unit, "/bin/true", again))
        expect(env, [again], [])
        check(env.stop() == 0, "clean stop")

        # ExcludeUnits= leaves the unit out, below it too, and nothing else.
        cg.make(slice_ + "/" + unit + "/sub")
        env.start("[Filter]\nExcludeUnits=%s\n" % unit)
        yes, no, no_sub = marker(), marker(), marker()
        run(in_cgroup(slice_ + "/" + unit, "/bin/true", no))
        run(in_cgroup(slice_ + "/" + unit + "/sub", "/bin/true", no_sub))
        run(in_cgroup(base + "/child", "/bin/true", yes))
        expect(env, [yes], [no, no_sub])
        check(env.stop() == 0, "clean stop")
    finally:
        cg.cleanup()


def test_external_cgroup_map(env):
    cg = Cgroups()
    base = "/ea-it-map-%d" % os.getpid()
    pin = "/sys/fs/bpf/ea-it-ext"
    try:
        cg.make(base)
        subprocess.run(["bpftool", "map", "create", pin, "type", "hash", "key", "8", "value", "8", "entries", "64",
                        "name", "eaext"], check=True)
        env.start("[Filter]\nCgroupMap=%s\n" % pin)
        before, root = marker(), marker()
        run(in_cgroup(base, "/bin/true", before))
        # Added while running, by another tool: from now on its processes are audited.
        key = struct.pack("<Q", os.stat(CG2 + base).st_ino)
        subprocess.run(["bpftool", "map", "update", "pinned", pin, "key", *[str(b) for b in key], "value",
                        *["0"] * 8], check=True)
        after = marker()
        run(["/bin/true", root])
        run(in_cgroup(base, "/bin/true", after))
        expect(env, [after], [before, root])
    finally:
        cg.cleanup()


def test_external_mntns_map(env):
    pin = "/sys/fs/bpf/ea-it-ext-mnt-%d" % os.getpid()
    sleeper = subprocess.Popen(["unshare", "-m", "sleep", "1000"])
    try:
        ns = "/proc/%d/ns/mnt" % sleeper.pid
        env.wait(lambda: os.stat(ns).st_ino != os.stat("/proc/self/ns/mnt").st_ino, "unshare -m")
        subprocess.run(["bpftool", "map", "create", pin, "type", "hash", "key", "8", "value", "8", "entries", "64",
                        "name", "eaextmnt"], check=True)
        env.start("[Filter]\nMountNamespaceMap=%s\n" % pin)
        before, here = marker(), marker()
        run(["nsenter", "-t", str(sleeper.pid), "-m", "/bin/true", before])
        # Added while running, by another tool: from now on the namespace's processes are audited.
        key = struct.pack("<Q", os.stat(ns).st_ino)
        subprocess.run(["bpftool", "map", "update", "pinned", pin, "key", *[str(b) for b in key], "value",
                        *["0"] * 8], check=True)
        after = marker()
        run(["/bin/true", here])
        run(["nsenter", "-t", str(sleeper.pid), "-m", "/bin/true", after])
        expect(env, [after], [before, here])
        r = found(env, after)[0]
        check(r.i("EXEC_MNTNS") == os.stat(ns).st_ino, "EXEC_MNTNS of the namespace in the map", r.brief())
        check(env.stop() == 0, "clean stop")

        # The key deleted by the other tool: the namespace is left out again, until a reload drops the map.
        subprocess.run(["bpftool", "map", "delete", "pinned", pin, "key", *[str(b) for b in key]], check=True)
        env.start("[Filter]\nMountNamespaceMap=%s\n" % pin)
        gone = marker()
        run(["nsenter", "-t", str(sleeper.pid), "-m", "/bin/true", gone])
        last = marker()
        env.write_config("")
        env.reload()
        run(["/bin/true", last])
        expect(env, [last], [gone])
    finally:
        sleeper.kill()
        sleeper.wait()
        try:
            os.unlink(pin)
        except OSError:
            pass


def test_external_map_lru_refused(env):
    # An LRU map makes room by evicting keys: the processes of an evicted cgroup or namespace would go
    # unaudited without a word. Refused at start and on a reload alike, for the reason (a start used to take
    # it, and a reload refused it as a map "of another type" that --remove-pins and a start would fix).
    lru = "/sys/fs/bpf/ea-it-lru-%d" % os.getpid()
    hash_ = "/sys/fs/bpf/ea-it-hash-%d" % os.getpid()
    for path, kind in ((lru, "lru_hash"), (hash_, "hash")):
        subprocess.run(["bpftool", "map", "create", path, "type", kind, "key", "8", "value", "8", "entries", "64",
                        "name", "eamap"], check=True)
    why = "cannot use this pinned map: an LRU hash map evicts keys by itself when it is full"
    for key in ("CgroupMap", "MountNamespaceMap"):
        p = env.start("[Filter]\n%s=%s\n" % (key, lru), wait_ready=False)
        env.wait(lambda: p.poll() is not None or "Auditing execs" in env.log(), "the start to end or succeed")
        if p.poll() is None:
            env.stop()
        code = p.returncode
        check(code != 0 and "%s:2: [Filter] %s=: %s" % (env.config_path, key, why) in env.log(),
              "%s: refused at start, with the reason" % key, code, env.log())
    rej = env.records("EXEC_EVENT=config_rejected")
    check(len(rej) == 2 and all(r.s("EXEC_CONFIG_ERROR").startswith(why) for r in rej),
          "config_rejected records at start", [r.brief() for r in rej])
    check(not env.records("EXEC_EVENT=started"), "never started")

    # Started with a hash map: a reload to the LRU map gets the same reason.
    env.start("[Filter]\nCgroupMap=%s\n" % hash_)
    env.write_config("[Filter]\nCgroupMap=%s\n" % lru)
    env.reload()
    rej = env.wait_records(lambda rs: len(rs) == 3 and rs, "config-rejected record",
                           "EXEC_EVENT=config_rejected")[-1]
    check(rej.s("EXEC_CONFIG_KEY") == "CgroupMap" and rej.s("EXEC_CONFIG_ERROR").startswith(why),
          "refused on a reload, with the same reason", rej.brief())
    check(not env.records("EXEC_EVENT=reloaded"), "not reloaded")
    check(env.stop() == 0, "clean stop")


def test_external_map_missing(env):
    # A map that cannot be opened (not pinned yet: the service that makes it has not started) is a
    # configuration error like any other, at start and on reload alike: named at the file and line that set
    # the key, with the error, in a config_rejected record; a start exits 1, a reload keeps what is in force.
    # Before, a start that loaded new programs logged only "CgroupMap=PATH: cannot open the pinned map" and
    # "Cannot load the BPF programs into the kernel" (no file, line or record); the start that adopted pins,
    # and a reload, named no line.
    missing = "/sys/fs/bpf/ea-it-later-%d" % os.getpid()
    why = "cannot open the pinned map: " + os.strerror(errno.ENOENT)
    os.makedirs(env.config_path + ".d")
    dropin = env.config_path + ".d/50-map.conf"
    env.write_config("[Filter]\nUsers=1000\n")

    def rejected(n, key, what):
        """The n-th config_rejected record is about key, at the drop-in's line."""
        rej = env.wait_records(lambda rs: len(rs) == n and rs, "config_rejected record",
                               "EXEC_EVENT=config_rejected")[-1]
        check(rej.s("EXEC_CONFIG_FILE") == dropin and rej.i("EXEC_CONFIG_LINE") == 3 and
              rej.s("EXEC_CONFIG_KEY") == key and rej.s("EXEC_CONFIG_ERROR") == why, what, rej.brief())

    n = 0
    try:
        # The first starts load new programs; after a successful start, they adopt its pins.
        for adopted in (False, True):
            for key in ("CgroupMap", "MountNamespaceMap"):
                env.write_config("[Filter]\n# pinned by another service\n%s=%s\n" % (key, missing), dropin)
                p = env.start(wait_ready=False)
                code = p.wait(timeout=60)
                what = "%s, %s" % (key, "adopted pins" if adopted else "new programs")
                msg = "Config rejected: %s:3: [Filter] %s=: %s\n" % (dropin, key, why)
                check(code == 1 and msg in env.log(), "refused at start: " + what, code, env.log())
                check(("Adopted the programs" in env.log()) == adopted and "Cannot load" not in env.log(),
                      "that error alone: " + what, env.log())
                n += 1
                rejected(n, key, "the record names the drop-in's line: " + what)
            os.unlink(dropin)
            if not adopted:
                env.start()
                check(env.stop() == 0, "clean stop")
        check(len(env.records("EXEC_EVENT=started")) == 1, "started only without the map")

        # Running: a reload that names the map before it is pinned keeps the filter in force.
        env.start()
        env.write_config("[Filter]\n# pinned by another service\nCgroupMap=%s\n" % missing, dropin)
        env.reload()
        rejected(n + 1, "CgroupMap", "a reload refuses it the same way")
        yes, no = marker(), marker()
        run(as_uid(1001, "/bin/true", no))
        run(as_uid(1000, "/bin/true", yes))
        expect(env, [yes], [no])
        check(found(env, yes)[0].i("EXEC_CONFIG_GENERATION") == 1, "the configuration in force stays")
        check(not env.records("EXEC_EVENT=reloaded"), "not reloaded")

        # Once the other service has pinned it, a reload takes it: an empty map audits nobody.
        subprocess.run(["bpftool", "map", "create", missing, "type", "hash", "key", "8", "value", "8", "entries",
                        "64", "name", "ealater"], check=True)
        env.reload()
        env.wait_records(lambda rs: rs, "reloaded record", "EXEC_EVENT=reloaded")
        gone, last = marker(), marker()
        run(as_uid(1000, "/bin/true", gone))
        os.unlink(dropin)
        env.reload()
        run(as_uid(1000, "/bin/true", last))
        expect(env, [last], [gone])
        check(found(env, last)[0].i("EXEC_CONFIG_GENERATION") == 3, "generation 3")
        check(env.stop() == 0, "clean stop")
    finally:
        try:
            os.unlink(missing)
        except OSError:
            pass


def test_exec_entered_before_a_reload(env):
    # Execs entered while the filter left their user out are not followed; a reload that audits the user
    # while they are still in the kernel records both, without what only the entry knew
    # (execauditd.conf(5), "How an exec is judged").
    env.start("[Filter]\nUsers=1000\n")
    ok, bad = marker(), marker()
    go = os.path.join(env.dir, "go")
    held = []
    for name, m in (("/bin/true", ok), ("/nonexistent/" + bad, bad)):
        info = os.path.join(env.dir, "held-" + m)
        held.append(subprocess.Popen([os.environ["EA_EXECTOOL"], "held", info, go, name, name, m]))
        env.wait(lambda: os.path.exists(info), "an exec held in the kernel")
    env.write_config("")
    env.reload()
    open(go, "w").close()
    for p in held:
        check(p.wait() == 0, "exectool held", p.args)
    r = env.wait_one(ok, "exec")
    check(r.s("EXEC_FILENAME") == "/bin/true" and r.s("EXEC_CMDLINE") == "/bin/true " + ok, "the exec",
          r.brief())
    check(r.i("EXEC_CONFIG_GENERATION") == 2, "judged by the new configuration", r.brief())
    check(r.i("EXEC_DURATION_NSEC") == 0, "no duration: its entry was left out", r.brief())
    f = env.wait_one(bad, "exec_failed")
    check(f.s("EXEC_FILENAME") == "/nonexistent/" + bad and f.s("EXEC_CMDLINE") == "/nonexistent/%s %s" % (bad, bad),
          "the failed exec, from the registers it was entered with", f.brief())
    check(f.i("EXEC_CONFIG_GENERATION") == 2 and f.i("EXEC_DURATION_NSEC") == 0, "judged by the new one",
          f.brief())
    sync = marker()
    run(["/bin/true", sync])
    env.wait_one(sync, "exec")
    check(not env.records("EXEC_EVENT=lost"), "no loss", [x.brief() for x in env.records("EXEC_EVENT=lost")])


def test_reload_narrow_widen_and_bad_dropin(env):
    env.start("[Filter]\nUsers=1000\n")
    a, b = marker(), marker()
    run(as_uid(1001, "/bin/true", b))
    run(as_uid(1000, "/bin/true", a))
    expect(env, [a], [b])

    # Widen, through a drop-in that adds to the list.
    os.makedirs(env.config_path + ".d")
    env.write_config("[Filter]\nUsers=1001\n", env.config_path + ".d/10-more.conf")
    env.reload()
    a, b = marker(), marker()
    run(as_uid(1000, "/bin/true", a))
    run(as_uid(1001, "/bin/true", b))
    expect(env, [a, b], [])
    check(found(env, b)[0].i("EXEC_CONFIG_GENERATION") == 2, "generation 2")

    # A bad drop-in: rejected, named, and the filter in force stays.
    bad = env.config_path + ".d/50-bad.conf"
    env.write_config("[Filter]\n\nUsers=nosuchuser-ea\n", bad)
    env.reload()
    rej = env.wait_records(lambda rs: rs, "config-rejected record", "EXEC_EVENT=config_rejected")[0]
    check(rej.s("EXEC_CONFIG_FILE") == bad and rej.i("EXEC_CONFIG_LINE") == 3, "the drop-in's file:line",
          rej.brief())
    check(rej.s("EXEC_CONFIG_KEY") == "Users", "key", rej.brief())
    b = marker()
    run(as_uid(1001, "/bin/true", b))
    expect(env, [b], [])
    check(found(env, b)[0].i("EXEC_CONFIG_GENERATION") == 2, "still generation 2")

    # Narrow: an empty assignment resets the list.
    os.unlink(bad)
    env.write_config("[Filter]\nUsers=\nUsers=1001\n", env.config_path + ".d/10-more.conf")
    env.reload()
    a, b = marker(), marker()
    run(as_uid(1000, "/bin/true", a))
    run(as_uid(1001, "/bin/true", b))
    expect(env, [b], [a])
    rel = env.records("EXEC_EVENT=reloaded")
    check(len(rel) == 2 and "users 1001" in rel[-1].s("MESSAGE"), "reloaded record says the filter",
          [r.s("MESSAGE") for r in rel])


def test_reload_under_storm_mixes_nothing(env):
    # Generation g audits uid 0 when g is odd, uid 1000 when g is even; two storms run throughout.
    env.start("[Filter]\nUsers=0\n")
    m0, m1 = marker(), marker()
    storms = [subprocess.Popen([STORM, "-w", "1", "-d", "6", "-m", m0], stdout=subprocess.DEVNULL),
              subprocess.Popen(as_uid(1000, STORM, "-w", "1", "-d", "6", "-m", m1), stdout=subprocess.DEVNULL)]
    try:
        for g in range(2, 12):
            env.write_config("[Filter]\nUsers=%d\n" % (0 if g % 2 else 1000))
            env.reload()
    finally:
        for p in storms:
            p.wait()
    sync = marker()
    run(["/bin/true", sync])
    env.wait_one(sync, "exec")
    check(env.stop() == 0, "clean stop")
    recs = env.records()
    mixed, seen = [], set()
    for r in recs:
        if r.s("EXEC_EVENT") != "exec" or not any(m.encode() in r.get1("EXEC_CMDLINE") for m in (m0, m1)):
            continue
        if r.s("EXEC_COMM") != "true":
            continue
        g = r.i("EXEC_CONFIG_GENERATION")
        seen.add(g)
        if r.i("EXEC_UID") != (0 if g % 2 else 1000):
            mixed.append(r.brief())
    check(not mixed, "every record passed the filter of its generation", mixed[:5])
    check(len(seen) >= 4, "records from several generations", sorted(seen))
    seqs = kernel_seqs(recs)
    gaps = seq_gaps(seqs, seqs[-1], seqs[0])
    check(not gaps, "nothing lost across reloads", gaps[:20])
    check(not [r for r in recs if r.s("EXEC_EVENT") == "lost"], "no loss records")


if __name__ == "__main__":
    main([test_users, test_commands, test_mount_namespaces, test_cgroups, test_external_cgroup_map,
          test_external_mntns_map, test_external_map_lru_refused, test_external_map_missing,
          test_exec_entered_before_a_reload, test_reload_narrow_widen_and_bad_dropin,
          test_reload_under_storm_mixes_nothing])

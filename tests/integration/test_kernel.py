#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The BPF programs and the daemon on Debian 12's own kernel (6.1), not only on the one this machine runs: its
image comes from the Debian archive (the kernel linux-image-amd64 depends on, cached under CACHE) and boots
in qemu (emulated, no KVM needed). test_debian_12_kernel has tests/helpers/vmcheck.c as the machine's only
program, which loads and attaches the programs and prints what they send for three execs: a kernel field
read without a guard for 6.1 fails the whole load (docs/design.md, "Kernels"). test_daemon_on_debian_12_kernel
boots a root file system made of this machine's journald, journalctl, execauditd and a few tools (with the
libraries they link) and runs tests/helpers/vm-daemon.sh there: the records, the filter in the kernel, a
restart that adopts the pins, read back from that machine's journal. test_unit_under_systemd_on_debian_12_kernel
boots this machine's own systemd as PID 1 (its / shared over 9p, under an overlay that adds the generated
unit, the daemon and the shipped config) and runs tests/helpers/vm-systemd.sh as a unit there: the unit
enabled and started with systemctl, reloaded, stopped and restarted, hung (SIGSTOP) until the watchdog has
it killed and restarted, journald restarted under it, its records queried with
journalctl -u execauditd EXEC_UID=... as users do. test_skipped_runs_on_a_preemptible_kernel boots
bookworm-backports' kernel (6.12 when written; it counts the runs of BPF programs it skips, 6.1 does not)
with preempt=full and runs tests/helpers/vm-skipped.sh: exectool hammer keeps its one CPU in a BPF context
now and then, and the failed execs that run meanwhile go unrecorded; the skipped loss records of a running
daemon, of one that adopts the pins and of --remove-pins must account for what the kernel counted."""
import glob
import gzip
import json
import os
import re
import shutil
import subprocess
import tempfile

from harness import KERNEL_EVENTS, check, check_caps_dropped, exec_start, main, seq_gaps

VMCHECK = os.environ.get("EA_VMCHECK", "")
EXECAUDITD = os.environ.get("EXECAUDITD", "")
EXECTOOL = os.environ.get("EA_EXECTOOL", "")
CONF = os.environ.get("EA_CONF", "")  # the shipped config
UNIT = os.environ.get("EA_UNIT", "")  # the generated unit: its capabilities
VMROOT = os.environ.get("EA_VMROOT", "")  # /init of the systemd machine: modules, 9p, overlay, systemd
HELPERS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "helpers")
VM_DAEMON = os.path.join(HELPERS, "vm-daemon.sh")
VM_SYSTEMD = os.path.join(HELPERS, "vm-systemd.sh")
VM_SKIPPED = os.path.join(HELPERS, "vm-skipped.sh")
VM_LIB = os.path.join(HELPERS, "vm-lib.sh")  # sourced by both
# What vm-daemon.sh runs, from this machine, all in the machine's /usr/bin (journald in /usr/lib/systemd).
VM_PROGRAMS = ["journalctl", "dash", "mount", "sleep", "cat", "true", "chmod", "grep", "sed", "cp", "mkdir",
               "touch", "tr", "setpriv", "unshare", "nsenter", "rm"]
CACHE = "/var/cache/execauditd-tests"


def kernel_of(apt_options=()):
    """The vmlinuz of the kernel image linux-image-amd64 depends on in the sources apt_options name (the
    system's by default), downloaded once into CACHE. The dependency is resolved each time: an old version
    leaves the archive's pool."""
    out = subprocess.run(["apt-cache", *apt_options, "depends", "linux-image-amd64"], stdout=subprocess.PIPE,
                         text=True, check=True).stdout
    pkg = [l.split(":", 1)[1].strip() for l in out.splitlines() if l.strip().startswith("Depends:")][0]
    os.makedirs(CACHE, exist_ok=True)
    debs = glob.glob(os.path.join(CACHE, pkg + "_*.deb"))
    if not debs:
        subprocess.run(["apt-get", *apt_options, "download", "-q", "-o", "APT::Sandbox::User=root", pkg], cwd=CACHE,
                       check=True, stdout=subprocess.DEVNULL)
        debs = glob.glob(os.path.join(CACHE, pkg + "_*.deb"))
    root = os.path.join(CACHE, pkg)
    if not glob.glob(os.path.join(root, "boot", "vmlinuz-*")):
        subprocess.run(["dpkg-deb", "-x", debs[0], root], check=True)
    return glob.glob(os.path.join(root, "boot", "vmlinuz-*"))[0]


def debian_kernel():
    """The Debian 12 kernel image's vmlinuz (6.1), from the system's apt sources."""
    return kernel_of()


BACKPORTS = "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian " \
    "bookworm-backports main\n"


def backports_kernel():
    """bookworm-backports' kernel image's vmlinuz (6.12 when written), through an apt configuration of its
    own under CACHE: a list of sources with bookworm-backports alone, its own lists and cache. The
    system's sources, lists and cache are left as they are."""
    top = os.path.join(CACHE, "bookworm-backports")
    sources, lists, cache = (os.path.join(top, n) for n in ("sources.list", "lists", "cache"))
    for d in (os.path.join(lists, "partial"), os.path.join(cache, "archives", "partial")):
        os.makedirs(d, exist_ok=True)
    with open(sources, "w") as f:
        f.write(BACKPORTS)
    options = ["-o", "Dir::Etc::sourcelist=" + sources, "-o", "Dir::Etc::sourceparts=-",
               "-o", "Dir::State::Lists=" + lists, "-o", "Dir::Cache=" + cache]
    update = subprocess.run(["apt-get", *options, "-o", "APT::Sandbox::User=root", "update", "-q"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    # Offline, lists fetched before still name a package that may be in CACHE.
    check(update.returncode == 0 or glob.glob(os.path.join(lists, "*_Packages*")),
          "apt-get update of bookworm-backports' lists", update.stdout[-2000:])
    return kernel_of(options)


def cpio_entry(name, mode, data=b"", rdev=(0, 0)):
    """One entry of a newc cpio archive (the initramfs format)."""
    name_b = name.encode() + b"\0"
    fields = [1, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(name_b), 0]
    head = b"070701" + b"".join(b"%08x" % f for f in fields) + name_b
    head += b"\0" * (-len(head) % 4)
    return head + data + b"\0" * (-len(data) % 4)


def initramfs(path, init, files=None, links=(), dirs=()):
    """init as /init; files: {path in the machine: path here, or the bytes of a file}; links: (path, target)
    symbolic links; dirs: more (empty) directories."""
    files = dict(files or {})
    dirs = {"dev", "proc", "sys", *dirs}
    for name in files:
        d = os.path.dirname(name.strip("/"))
        while d:
            dirs.add(d)
            d = os.path.dirname(d)
    entries = [cpio_entry(".", 0o40755)] + [cpio_entry(d, 0o40755) for d in sorted(dirs)]
    entries.append(cpio_entry("dev/console", 0o20600, rdev=(5, 1)))
    entries += [cpio_entry(name, 0o120777, target.encode()) for name, target in links]
    for name, src in sorted(files.items()):
        if isinstance(src, bytes):
            entries.append(cpio_entry(name.strip("/"), 0o100644, src))
            continue
        with open(src, "rb") as f:
            entries.append(cpio_entry(name.strip("/"), 0o100755, f.read()))
    with open(init, "rb") as f:
        entries.append(cpio_entry("init", 0o100755, f.read()))
    entries.append(cpio_entry("TRAILER!!!", 0))
    with gzip.open(path, "wb", compresslevel=1) as f:
        f.write(b"".join(entries))


def with_libraries(files):
    """files and the shared libraries they link (ldd), each at its path under /usr."""
    out = dict(files)
    for src in [v for v in files.values() if isinstance(v, str)]:
        ldd = subprocess.run(["ldd", src], stdout=subprocess.PIPE, text=True, check=True).stdout
        for line in ldd.splitlines():
            lib = line.split("=>")[-1].split("(")[0].strip()
            if lib.startswith("/"):
                out[lib if lib.startswith("/usr/") else "/usr" + lib] = os.path.realpath(lib)
    return out


def boot(vmlinuz, initrd, *qemu_args, cmdline="", memory=512):
    """Boots the machine until it powers off (or 500 s pass: then "TIMEOUT" ends it); its console."""
    try:
        p = subprocess.run(["qemu-system-x86_64", "-accel", "tcg", "-m", str(memory), "-smp", "1", "-nographic",
                            "-no-reboot", "-kernel", vmlinuz, "-initrd", initrd,
                            "-append", "console=ttyS0 panic=-1 loglevel=4 " + cmdline, *qemu_args],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=500,
                           check=False)
        out = p.stdout
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"") + b"\nTIMEOUT\n"
    return out.decode(errors="replace").replace("\r", "")


def test_debian_12_kernel(env):
    del env  # nothing of the host's journal or bpffs is used
    vmlinuz = debian_kernel()
    with tempfile.TemporaryDirectory() as d:
        initrd = os.path.join(d, "initrd.gz")
        initramfs(initrd, VMCHECK)
        out = boot(vmlinuz, initrd)
    lines = [l[l.find("RESULT "):] if "RESULT " in l else l[l.find("EVENT "):] for l in out.splitlines()
             if "RESULT " in l or "EVENT " in l]
    version = [l for l in out.splitlines() if "Linux version 6.1." in l]
    check(version or "vmlinuz-6.1." in vmlinuz, "Debian 12's 6.1 kernel booted", vmlinuz, out[-2000:])
    check("RESULT done" in lines, "the machine ran vmcheck to its end", out[-3000:])
    for step in ("load", "attach", "settings"):
        check("RESULT %s 0" % step in lines, "the programs' %s" % step, *lines)
    check("EVENT exec filename=/init exe=/init argc=2" in lines, "a successful exec, its executable resolved",
          *lines)
    check("EVENT exec_failed filename=/nonexistent exe= argc=2" in lines, "a failed exec", *lines)
    check("EVENT exec filename=/script exe=/script argc=3" in lines, "a script's exec names the script", *lines)
    check(lines.count("EVENT exit code=768") == 2, "the two exits (status 3)", *lines)


def unit_caps():
    """setpriv's options for the unit's CapabilityBoundingSet= (root: that set is then all it has)."""
    with open(UNIT) as f:
        caps = [l.split("=", 1)[1].split() for l in f if l.startswith("CapabilityBoundingSet=")]
    check(len(caps) == 1, "the unit has one CapabilityBoundingSet=", caps)
    return "--bounding-set -all,%s --inh-caps -all" % ",".join("+" + c[4:].lower() for c in caps[0])


def serial_lines(path):
    """What the machine wrote to its second serial port (a file here), by line."""
    with open(path, "rb") as f:
        return f.read().decode(errors="replace").replace("\r", "").splitlines()


def journal_of(path):
    """The records the machine wrote to its second serial port (journalctl -o json, a line each)."""
    return [json.loads(l) for l in serial_lines(path) if l.startswith("{")]


def daemon_initramfs(path, init=VM_DAEMON):
    """A machine whose /init is init (vm-daemon.sh), with what it runs."""
    files = {"/usr/bin/" + p: shutil.which(p, path="/usr/bin:/bin:/usr/sbin:/sbin") for p in VM_PROGRAMS}
    files["/usr/lib/systemd/systemd-journald"] = "/lib/systemd/systemd-journald"
    files.update({"/usr/bin/execauditd": EXECAUDITD, "/usr/bin/exectool": EXECTOOL})
    files = with_libraries(files)
    files["/usr/lib/eavm/vm-lib.sh"] = VM_LIB
    with open(CONF, "rb") as f:
        files["/etc/execauditd.conf"] = f.read()
    files["/etc/unit-caps"] = unit_caps().encode()
    files["/etc/machine-id"] = b"0123456789abcdef0123456789abcdef\n"
    files["/etc/passwd"] = b"root:x:0:0:root:/root:/bin/sh\n"
    files["/etc/group"] = b"root:x:0:\n"
    links = [("bin", "usr/bin"), ("sbin", "usr/bin"), ("lib", "usr/lib"), ("lib64", "usr/lib64"),
             ("usr/sbin", "bin"), ("usr/bin/sh", "dash")]
    initramfs(path, init, files, links, dirs=("run", "tmp", "root", "var/log"))


def test_daemon_on_debian_12_kernel(env):
    del env  # the machine has its own journal and bpffs
    vmlinuz = debian_kernel()
    with tempfile.TemporaryDirectory() as d:
        initrd, journal = os.path.join(d, "initrd.gz"), os.path.join(d, "journal.json")
        daemon_initramfs(initrd)
        # Locked down as Debian's kernels are under Secure Boot: what works so works without lockdown too.
        out = boot(vmlinuz, initrd, "-serial", "mon:stdio", "-serial", "file:" + journal,
                   cmdline="lockdown=integrity")
        records = journal_of(journal)
    lines = [l[l.find("RESULT "):] for l in out.splitlines() if "RESULT " in l]
    daemon = [l for l in out.splitlines() if l.startswith("DAEMON ")]
    for step in ("started 1", "reloaded", "stopped 0", "started 2", "removed", "no-pins", "done"):
        check("RESULT " + step in lines, "the machine's step: " + step, *(lines + daemon + [out[-3000:]]))
    check("RESULT lockdown none [integrity] confidentiality" in lines, "locked down (integrity)", *lines)
    # Ready, neither thread keeps CAP_SYS_ADMIN (only perf_event_open needed it), and the rest works on.
    check_caps_dropped("\n".join(l for l in out.splitlines() if l.startswith("CAPS ")))
    no_admin = [l for l in out.splitlines() if l.startswith("NOADMIN ")]
    check("RESULT paranoid 3" in lines and "RESULT no-admin 1" in lines
          and any("kernel.perf_event_paranoid is 3 or more, and Debian's kernels then allow perf_event_open(2) "
                  "only with CAP_SYS_ADMIN" in l for l in no_admin),
          "without CAP_SYS_ADMIN, Debian's perf_event_paranoid=3 refuses the perf buffers, and the daemon says so",
          *(lines + no_admin))

    def one(event, cmdline):
        found = [r for r in records if r.get("EXEC_EVENT") == event and r.get("EXEC_CMDLINE") == cmdline]
        check(len(found) == 1, "one %s record of %s" % (event, cmdline), *[r.get("MESSAGE") for r in records])
        return found[0]

    def exit_of(rec):
        found = [r for r in records if r.get("EXEC_EVENT") == "exit" and r.get("EXEC_ID") == rec["EXEC_ID"]]
        check(len(found) == 1, "the exit of " + rec["EXEC_CMDLINE"], *[r.get("MESSAGE") for r in records])
        return found[0]

    r = one("exec", "true VMMARK-a $'x\\ny'")
    check(r["EXEC_EXE"] == "/usr/bin/true" and r["EXEC_FILENAME"] == "/usr/bin/true" and r["EXEC_CWD"] == "/",
          "exec: the executable, filename and cwd", r)
    # The root that switch_root(8) made, as on any booted machine: no chroot to tell of.
    check("EXEC_ROOT" not in r and "EXEC_EXE_TRUNCATED" not in r, "no EXEC_ROOT at the machine's root", r)
    check(exit_of(r)["EXEC_EXIT_CODE"] == "0", "its exit", exit_of(r))
    r = one("exec_failed", "nonexistent VMMARK-b")
    check(r["EXEC_FILENAME"] == "/nonexistent" and r["EXEC_ERRNO"] == "ENOENT", "a failed exec", r)
    r = one("exec", "/bin/sh /tmp/script VMMARK-c")
    check(r["EXEC_EXE"] == "/tmp/script" and r["EXEC_INTERPRETER"] == "/usr/bin/dash", "a script", r)
    check(exit_of(r)["EXEC_EXIT_CODE"] == "3", "the script's exit", exit_of(r))
    r = one("exec", "true VMMARK-d")
    check(r["EXEC_EXE"] == "/usr/bin/true" and r["EXEC_FILENAME"] == "" and r["EXEC_COMM"] == "true",
          "fexecve (named after its file, as execauditd.conf(5) says of Debian 12's kernel)", r)
    # Before 6.16 the exit tracepoint comes after exit_mm(): the peak is the kernel's own signal->maxrss.
    r = exit_of(one("exec", "exectool burn 0 64 VMMARK-burn"))
    check(int(r["EXEC_MAXRSS_KB"]) >= 64 * 1024, "EXEC_MAXRSS_KB of a process that touched 64 MiB", r)
    r = [r for r in records if r.get("EXEC_ARGV0_MISSING") == "1"]
    check(len(r) == 1 and r[0]["EXEC_ARGC"] == "0" and r[0]["EXEC_EXE"] == "/usr/bin/true", "execve(path, {NULL})",
          *r)
    r = one("exec", "sh -c 'exit 3' VMMARK-thread")
    check(r["EXEC_TID"] != r["EXEC_PID"], "an exec from a thread that is not the leader", r)
    check(exit_of(r)["EXEC_EXIT_CODE"] == "3", "its exit", exit_of(r))
    ids = (r["EXEC_PID"], r["EXEC_TID"])
    check(len([e for e in records if e.get("EXEC_EVENT") == "exit" and e.get("EXEC_PID") in ids]) == 1,
          "one exit: the threads the exec killed are not exits of the process")
    # Four threads spin until each has used 100 ms of CPU: one of them alone would have a quarter of it (the
    # bound leaves room for tick-sampled accounting).
    r = exit_of(one("exec", "exectool threads 4 7 100 VMMARK-threads"))
    cpu = int(r["EXEC_CPU_USER_USEC"]) + int(r["EXEC_CPU_SYSTEM_USEC"])
    check(r["EXEC_EXIT_CODE"] == "7" and cpu >= 300000, "the CPU time of all threads", r)
    r = one("exec", "true VMMARK-login")
    check(r.get("EXEC_LOGINUID") == "1000" and int(r.get("EXEC_SESSIONID", "0")) > 0, "the login uid and session",
          r)
    r = sorted((x for x in records if x.get("EXEC_CMDLINE") == "true VMMARK-pidns"), key=lambda x: x["EXEC_NS_PID"])
    check([x["EXEC_NS_PID"] for x in r] == ["1", "2"] and r[0]["EXEC_PIDNS"] == r[1]["EXEC_PIDNS"]
          and r[0]["EXEC_PID"] != "1", "pid 1 and 2 of a new pid namespace", *r)
    r = [r for r in records if r.get("EXEC_EVENT") == "exec" and "VMMARK-big" in r.get("EXEC_CMDLINE", "")]
    check(len(r) == 1 and r[0]["EXEC_ARGS_TRUNCATED"] == "1" and r[0]["EXEC_ARGS_SIZE"] == "40026"
          and r[0]["EXEC_CMDLINE"].startswith("/usr/bin/true VMMARK-big ppp")
          and len(r[0]["EXEC_CMDLINE"]) <= 32768, "an argv over MaxArgsBytes= (32K): cut, flagged, its whole size",
          *[x.get("MESSAGE", "")[:200] for x in r])

    reloaded = [r for r in records if r.get("EXEC_EVENT") == "reloaded"]
    check(len(reloaded) == 1 and reloaded[0]["EXEC_CONFIG_GENERATION"] == "2", "the reload", *reloaded)
    # Left out in the kernel: a user, a command (Commands= once matched nothing on 6.1: its comm helper
    # does not zero the rest of the buffer), a cgroup, a mount namespace (named by a bind-mounted ns file).
    # The same exec with none of those is recorded.
    for cmdline in ("/usr/bin/true VMMARK-user", "/tmp/leftout VMMARK-command", "true VMMARK-cgroup",
                    "/usr/bin/true VMMARK-mntns"):
        check(not [r for r in records if r.get("EXEC_CMDLINE") == cmdline], "left out: " + cmdline,
              *[r.get("MESSAGE") for r in records if "VMMARK" in r.get("MESSAGE", "")])
    one("exec", "nsenter --mount=/run/ns/mnt /usr/bin/true VMMARK-mntns")  # in the host's: recorded
    one("exec", "/usr/bin/true VMMARK-e")
    stats = [r for r in records if r.get("EXEC_EVENT") == "stats"]
    check(stats and stats[0]["EXEC_STATS_FILTERED"] == "4", "the four counted as left out by the filter", *stats)
    check("mount namespaces: all except " in reloaded[0]["MESSAGE"], "the reload names the namespace", reloaded[0])

    # Stopped: the pins keep the programs attached; the next daemon adopts them and accounts for what no
    # daemon read, by sequence number.
    starts = [r for r in records if r.get("EXEC_EVENT") == "started"]
    check(len(starts) == 2 and "adopted the programs pinned in /sys/fs/bpf/execauditd" in starts[1]["MESSAGE"],
          "the second start adopts the pins", *[r["MESSAGE"] for r in starts])
    stopping = [r for r in records if r.get("EXEC_EVENT") == "stopping"]
    # --remove-pins at the end records what the programs numbered after the last stop: kept apart here.
    removed = [r for r in records if "--remove-pins" in r.get("_CMDLINE", "")]
    records = [r for r in records if r not in removed]
    lost = [r for r in records if r.get("EXEC_EVENT") == "lost" and r["EXEC_LOST_REASON"] == "no_reader"]
    check(len(lost) == 1, "one no_reader record", *lost)
    first, last = int(lost[0]["EXEC_LOST_SEQ_FIRST"]), int(lost[0]["EXEC_LOST_SEQ_LAST"])
    check(first == int(stopping[0]["EXEC_SEQ"]) + 1, "the gap starts after the first daemon's last", lost[0],
          stopping[0])
    arrived = {int(r["EXEC_SEQ"]) for r in records if r.get("EXEC_EVENT") in KERNEL_EVENTS}
    missing = [q for q in range(first, last + 1) if q not in arrived]
    check(int(lost[0]["EXEC_LOST"]) == len(missing) >= 4, "what the gap counts is what is missing (the two "
          "execs and exits of VMMARK-f and -g at least)", lost[0], missing)
    for cmdline in ("/usr/bin/true VMMARK-f", "/usr/bin/true VMMARK-g"):
        check(not [r for r in records if r.get("EXEC_CMDLINE") == cmdline], "no daemon, no record: " + cmdline)
    one("exec", "/usr/bin/true VMMARK-h")

    # One page of perf buffer behind a stopped daemon: samples dropped in the kernel, counted, reported.
    perf = [r for r in records if r.get("EXEC_EVENT") == "lost" and r["EXEC_LOST_REASON"] == "perf_buffer"]
    arrived_p = [r for r in records if r.get("EXEC_EVENT") == "exec" and "VMMARK-p " in r.get("EXEC_CMDLINE", "")]
    check(perf and len(arrived_p) < 40, "a perf_buffer loss record, execs missing", len(arrived_p), *perf)
    # Over the whole run, every number the kernel took is a record or counted in a loss record.
    last = int(stopping[-1]["EXEC_SEQ"])
    arrived = {int(r["EXEC_SEQ"]) for r in records if r.get("EXEC_EVENT") in KERNEL_EVENTS}
    missing = seq_gaps(arrived, last)
    check(len(missing) == sum(int(r["EXEC_LOST"]) for r in records if r.get("EXEC_EVENT") == "lost"),
          "unaccounted = 0", len(missing), *[r["MESSAGE"] for r in records if r.get("EXEC_EVENT") == "lost"])
    check(len(removed) == 1 and removed[0]["EXEC_LOST_REASON"] == "no_reader" and
          int(removed[0]["EXEC_LOST_SEQ_FIRST"]) == last + 1 and
          int(removed[0]["EXEC_LOST"]) == int(removed[0]["EXEC_LOST_SEQ_LAST"]) - last,
          "--remove-pins records the numbers taken after the last stop", *removed)


def test_skipped_runs_on_a_preemptible_kernel(env):
    # A syscall tracepoint program is not run while its CPU is in a BPF context, and a kernel with full
    # preemption can leave it there for another task: one preempted inside a bpf(2) map lookup. The failed
    # exec whose sys_exit_execve run is skipped has no record and no sequence number; only the program's
    # recursion_misses tell, which 6.12 (bookworm-backports) counts and 6.1 does not. In the machine
    # (vm-skipped.sh), exectool hammer makes that happen, on its one CPU, to rounds of failed execs: with a
    # daemon running, with none and then a daemon adopting the pins, with none and then --remove-pins (first
    # without journald, when it must keep the count with the pins, then with it).
    del env  # the machine has its own journal and bpffs
    vmlinuz = backports_kernel()
    with tempfile.TemporaryDirectory() as d:
        initrd, journal = os.path.join(d, "initrd.gz"), os.path.join(d, "journal.json")
        daemon_initramfs(initrd, VM_SKIPPED)
        out = boot(vmlinuz, initrd, "-serial", "mon:stdio", "-serial", "file:" + journal, cmdline="preempt=full")
        records = journal_of(journal)
    lines = [l[l.find("RESULT "):] for l in out.splitlines() if "RESULT " in l]
    shown = lines + [l for l in out.splitlines() if l.startswith("DAEMON ")] + [out[-3000:]]
    for step in ("started 1", "stopped 0", "started 2", "refused", "kept", "removed", "no-pins", "done"):
        check("RESULT " + step in lines, "the machine's step: " + step, *shown)
    version = [tuple(int(n) for n in m.groups()) for m in (re.match(r"RESULT kernel (\d+)\.(\d+)\.", l)
                                                           for l in lines) if m]
    check(version and version[0] >= (6, 8), "bookworm-backports' kernel, one that counts skipped runs", *lines)
    check([l for l in lines if l.startswith("RESULT preempt ") and "(full)" in l], "booted with full preemption",
          *lines)
    check(not [l for l in lines if l.startswith("RESULT status-failed")], "every execauditd --status worked",
          *lines)

    def numbers(prefix):
        found = [l for l in lines if l.startswith("RESULT " + prefix + " ")]
        check(len(found) == 1, "one line RESULT " + prefix, *lines)
        words = found[0][len("RESULT " + prefix):].split()  # NAME NUMBER ...
        return {k: int(v) for k, v in zip(words[0::2], words[1::2]) if v.isdigit()}

    phases = {p: numbers("phase %d" % p) for p in (1, 2, 3)}
    for p, ph in phases.items():
        # The programs never saw some failed execs (the kernel's execs_failed grew by less): skipped runs.
        check(ph["seen"] < ph["execs"], "phase %d: some of the failed execs were not seen by the programs" % p,
              ph)
        check(ph["execs"] - ph["seen"] <= ph["skipped"], "phase %d: the kernel counted each run it skipped" % p,
              ph)
    after1, before2, after2, before_remove, refused = (numbers("state " + n) for n in (
        "after-1", "before-2", "after-2", "before-remove", "refused"))
    for p in (1, 2):
        check(numbers("reported %d" % p)["unreported"] == 0, "daemon %d reported all it saw skipped" % p, *lines)
    # A failed exec whose exit run was skipped left its entry; the exit of its thread freed it.
    for n in ("after-1", "before-2", "after-2", "before-remove", "refused"):
        check(numbers("inflight " + n) == {"held": 0, "hashed": 0, "entries": 0},
              "%s: nothing kept of execs in progress when none is" % n, *lines)

    skipped = [r for r in records if r.get("EXEC_EVENT") == "lost" and r.get("EXEC_LOST_REASON") == "skipped"]
    pids = [r["_PID"] for r in records if r.get("EXEC_EVENT") == "started"]
    check(len(pids) == 2, "two daemons started", *pids)

    def reported(rs):
        return sum(int(r["EXEC_LOST"]) for r in rs)

    by = [[r for r in skipped if r.get("_PID") == pid] for pid in pids]
    removed = [r for r in skipped if "--remove-pins" in r.get("_CMDLINE", "")]
    check(len(skipped) == len(by[0]) + len(by[1]) + len(removed), "every skipped record is a daemon's or "
          "--remove-pins'", *skipped)
    messages = [r.get("MESSAGE") for r in skipped]

    # 1: what the daemon reported is what the pinned mark says it reported, at least what never arrived, and
    # what never arrived is exactly what the programs did not see (no other loss).
    mine = [r for r in records if r.get("EXEC_EVENT") == "exec_failed"
            and r.get("EXEC_CMDLINE") == "nonexistent VMSKIP-1"]
    missing = phases[1]["execs"] - len(mine)
    check(missing == phases[1]["execs"] - phases[1]["seen"] > 0, "phase 1: the records missing are the failed "
          "execs the programs did not see", missing, phases[1])
    check(reported(by[0]) == after1["skipped"] - after1["unreported"] >= missing,
          "phase 1: the running daemon's skipped records: the pinned mark, and at least what is missing",
          reported(by[0]), after1, missing, *messages)
    # 2: no daemon; the one that adopts the pins reports what grew, at once.
    check(by[1] and int(by[1][0]["EXEC_LOST"]) == before2["unreported"] > 0,
          "phase 2: the adopting daemon's first skipped record is what --status called unreported", before2,
          *messages)
    check(before2["unreported"] >= phases[2]["execs"] - phases[2]["seen"], "phase 2: it covers what the "
          "programs did not see", before2, phases[2])
    check(reported(by[1]) == (after2["skipped"] - after2["unreported"]) - (after1["skipped"] - after1["unreported"]),
          "phase 2: the adopting daemon's skipped records: what the pinned mark moved by", after1, after2,
          *messages)
    # 3: no daemon; a --remove-pins without journald keeps the count, of which the detached programs held the
    # part since the last daemon (loader_keep_skipped()); the next one reports the rest.
    check(refused["skipped"] == before_remove["skipped"] and refused["unreported"] == before_remove["unreported"],
          "phase 3: the refused --remove-pins kept the whole count with the pins", before_remove, refused,
          *[l for l in out.splitlines() if l.startswith("REFUSED ")])
    check(len(removed) == 1 and int(removed[0]["EXEC_LOST"]) == refused["unreported"] > 0
          and refused["unreported"] >= phases[3]["execs"] - phases[3]["seen"],
          "phase 3: --remove-pins's skipped record is what --status called unreported, and covers what the "
          "programs did not see", refused, phases[3], *messages)
    check(reported(skipped) == refused["skipped"], "all skipped records: the kernel's whole count",
          refused, *messages)
    # Each daemon's stats at its stop: the kernel's count then.
    for pid, state in zip(pids, (after1, after2)):
        stats = [r for r in records if r.get("EXEC_EVENT") == "stats" and r.get("_PID") == pid]
        check(stats and int(stats[-1]["EXEC_STATS_SKIPPED"]) == state["skipped"],
              "EXEC_STATS_SKIPPED of the stats at stop", state, *stats)
    for r in records:
        if r.get("EXEC_EVENT") == "lost" and r.get("EXEC_LOST_REASON") not in ("skipped", "no_reader"):
            check(False, "no loss but the skipped runs and the events no daemon read", r)
    print("  phases %s; missing records in phase 1: %d; skipped reported: daemon 1 %d, daemon 2 %d, "
          "--remove-pins %d; the kernel's count %d" % (phases, missing, reported(by[0]), reported(by[1]),
                                                       reported(removed), before_remove["skipped"]))


def modules_for(vmlinuz, names):
    """The image's module files that names need, each after those it depends on (no modules.dep: the
    package's depmod runs at install; each module's .modinfo names its dependencies)."""
    root = os.path.join(os.path.dirname(os.path.dirname(vmlinuz)), "lib", "modules")
    found = {os.path.basename(p)[:-3].replace("-", "_"): p for p in glob.glob(root + "/*/kernel/**/*.ko",
                                                                             recursive=True)}
    order = []

    def add(name):
        check(name in found, "the module %s in %s (uncompressed)" % (name, root))
        if name in order:
            return
        with open(found[name], "rb") as f:
            m = re.search(rb"\0depends=([^\0]*)\0", f.read())
        for dep in (m.group(1).decode().split(",") if m else []):
            if dep:
                add(dep)
        order.append(name)

    for n in names:
        add(n)
    return [found[n] for n in order]


# The machine's target: systemd starts only what the steps' unit needs (sysinit, journald), then the steps,
# and powers off when they end, whichever way.
EAVM_TARGET = """[Unit]
Description=execauditd test machine
Wants=eavm.service
"""
EAVM_SERVICE = """[Unit]
Description=execauditd test steps
After=systemd-journald.service
SuccessAction=poweroff-force
FailureAction=poweroff-force
[Service]
Type=oneshot
ExecStart=/bin/sh /usr/local/lib/eavm/vm-systemd.sh
StandardOutput=tty
StandardError=tty
TTYPath=/dev/ttyS0
"""


def systemd_machine(d):
    """The initramfs of the systemd machine at d/initrd.gz, and at d/add the files its overlay adds to this
    machine's /: the generated unit, the daemon where its ExecStart= looks, the shipped config, the steps."""
    with open(UNIT) as f:
        unit = f.read()
    with open(CONF) as f:
        conf = f.read()
    with open(VM_SYSTEMD) as f:
        steps = f.read()
    with open(EXECAUDITD, "rb") as f:
        daemon = f.read()
    add = os.path.join(d, "add")
    for path, data, mode in (("/etc/systemd/system/execauditd.service", unit, 0o644),
                             (exec_start(unit), daemon, 0o755), ("/etc/execauditd.conf", conf, 0o644),
                             ("/usr/local/lib/eavm/vm-systemd.sh", steps, 0o755),
                             ("/etc/systemd/system/eavm.target", EAVM_TARGET, 0o644),
                             ("/etc/systemd/system/eavm.service", EAVM_SERVICE, 0o644),
                             # A journal of its own, not appended to this machine's files (copied up).
                             ("/etc/machine-id", "0123456789abcdef0123456789abcdef\n", 0o444)):
        full = os.path.join(add, path.lstrip("/"))
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as f:
            f.write(data.encode() if isinstance(data, str) else data)
        os.chmod(full, mode)
    # Masked: over 9p it takes minutes under TCG, and creates nothing the unit needs.
    os.symlink("/dev/null", os.path.join(add, "etc/systemd/system/systemd-tmpfiles-setup.service"))
    modules = modules_for(debian_kernel(), ["virtio_pci", "9pnet_virtio", "9p", "overlay"])
    initramfs(os.path.join(d, "initrd.gz"), VMROOT,
              {"/modules/%02d-%s" % (i, os.path.basename(p)): p for i, p in enumerate(modules)})
    return add


def queries_of(path):
    """The machine's journal queries (vm-systemd.sh): {name: the records of journalctl -o json}."""
    out, name = {}, None
    for line in serial_lines(path):
        if line.startswith("QUERY "):
            name = line.split()[1]
            out[name] = []
        elif line.startswith("{") and name:
            out[name].append(json.loads(line))
    return out


def test_unit_under_systemd_on_debian_12_kernel(env):
    del env  # the machine has its own systemd, journal and bpffs
    vmlinuz = debian_kernel()
    with tempfile.TemporaryDirectory() as d:
        add = systemd_machine(d)
        journal = os.path.join(d, "journal.json")
        share = "local,security_model=passthrough,readonly=on,multidevs=remap,path=%s,mount_tag=%s"
        out = boot(vmlinuz, os.path.join(d, "initrd.gz"), "-virtfs", share % ("/", "host"),
                   "-virtfs", share % (add, "add"), "-serial", "mon:stdio", "-serial", "file:" + journal,
                   # Hardened as some sites harden: no kernel addresses shown, no ptrace at all.
                   cmdline="lockdown=integrity sysctl.kernel.kptr_restrict=2 sysctl.kernel.yama.ptrace_scope=3 "
                   "systemd.unit=eavm.target", memory=1024)
        queries = queries_of(journal)
    lines = [l[l.find("RESULT "):] for l in out.splitlines() if "RESULT " in l]
    check(not [l for l in lines if l.startswith("RESULT timeout")], "no step waited in vain", *lines)
    for step in ("paranoid 3", "hardened 2 3 ", "enable-now 0", "active active", "reload 0", "stop 0 inactive", "restart 0",
                 "watchdog-restart 0", "watchdog-restarts 1", "journald-restart 0", "stopped 0", "done"):
        check("RESULT " + step in lines, "the machine's step: " + step, *(lines + [out[-3000:]]))
    check([l for l in lines if l.startswith("RESULT kernel 6.1.")], "Debian 12's kernel", *lines)
    watchdog = [l for l in out.splitlines() if l.startswith("WATCHDOG ")]
    check([l for l in watchdog if "execauditd.service: Watchdog timeout" in l], "systemd's watchdog it was",
          *watchdog)
    check([l for l in lines if l.startswith("RESULT pins ") and " link_ea_exec " in l],
          "the pins stay after a stop", *lines)
    check_caps_dropped("\n".join(l for l in out.splitlines() if l.startswith("CAPS ")))

    # As users query: journalctl -u execauditd EXEC_UID=1000 finds that user's records, and only those.
    mine = queries.get("uid1000", [])
    check(mine and all(r.get("EXEC_UID") == "1000" and r.get("_SYSTEMD_UNIT") == "execauditd.service"
                       for r in mine), "journalctl -u execauditd EXEC_UID=1000: the unit's records of uid 1000",
          *[r.get("MESSAGE") for r in mine])
    check([r for r in mine if r.get("EXEC_EVENT") == "exec" and r.get("EXEC_CMDLINE") == "/bin/true VMSD-user"]
          and [r for r in mine if r.get("EXEC_EVENT") == "exit"], "the user's exec and exit",
          *[r.get("MESSAGE") for r in mine])
    records = queries.get("all", [])

    def cmdline(text):
        return [r for r in records if r.get("EXEC_EVENT") == "exec" and r.get("EXEC_CMDLINE") == text]

    r = cmdline("/bin/sh -c 'exec sleep 600' VMSD-unit")
    check(len(r) == 1 and r[0].get("EXEC_UNIT") == "eamark.service", "a unit's exec names its unit", *r)
    events = [r["EXEC_EVENT"] for r in records if r.get("EXEC_EVENT") in ("started", "reloaded", "stopping")]
    check(events == ["started", "reloaded", "stopping", "started", "started", "stopping"],
          "start, reload, stop, start, hang (no stopping record), start, stop", events)
    check(not cmdline("/bin/true VMSD-filtered") and len(cmdline("/bin/true VMSD-after-reload")) == 1,
          "after the reload, user 1000 is left out and root is not", *[r.get("MESSAGE") for r in records])
    starts = [r for r in records if r.get("EXEC_EVENT") == "started"]
    check(all("adopted the programs pinned in /sys/fs/bpf/execauditd" in s["MESSAGE"] for s in starts[1:]),
          "the restarts adopt the pins", *starts[1:])
    lost = [r for r in records if r.get("EXEC_EVENT") == "lost"]
    check(len(lost) == 2 and all(r["EXEC_LOST_REASON"] == "no_reader" and "EXEC_LOST_SEQ_FIRST" in r for r in lost),
          "two no_reader gaps with their ranges: the stop's and the hang's", *lost)
    check(not cmdline("/bin/true VMSD-stopped") and int(lost[0]["EXEC_LOST"]) >= 2,
          "the exec while stopped: no record, counted", *lost)
    check(len(cmdline("/bin/true VMSD-restarted")) == 1 and len(cmdline("/bin/true VMSD-after-hang")) == 1,
          "recorded after the restart and after the watchdog's")
    jrestart = [r for r in records if r.get("EXEC_EVENT") == "exec"
                and r.get("EXEC_CMDLINE", "").startswith("/bin/true VMSD-jrestart ")]
    check(sorted(int(r["EXEC_CMDLINE"].split()[-1]) for r in jrestart) == list(range(200))
          and len(cmdline("/bin/true VMSD-after-jrestart")) == 1, "every exec across journald's restart",
          len(jrestart))
    # Nothing went wrong on the way that the daemon noticed: its only warning is the loss it reported (as a
    # record, and on stderr for systemctl status).
    warned = [r for r in records if int(r.get("PRIORITY", "6")) <= 4 and r.get("EXEC_EVENT") != "lost"
              and r.get("_PID") != "1"  # systemd's own: the watchdog's timeout, the unit's failure
              and not re.fullmatch(r"\d+ events happened while no daemon read them \(.*\)", r.get("MESSAGE", ""))]
    check(not warned, "no warning or error in the unit's journal", *[r.get("MESSAGE") for r in warned])
    last = int([r for r in records if r.get("EXEC_EVENT") == "stopping"][-1]["EXEC_SEQ"])
    arrived = {int(r["EXEC_SEQ"]) for r in records if r.get("EXEC_EVENT") in KERNEL_EVENTS}
    missing = set(seq_gaps(arrived, last))
    # Every number the kernel took is a record or in a loss record's range. A gap's count leaves out what
    # the new daemon received of it (execs while it started); a killed daemon's records written but not yet
    # marked as written are in its gap and in the journal: counted twice, never by nobody.
    ranges = [set(range(int(r["EXEC_LOST_SEQ_FIRST"]), int(r["EXEC_LOST_SEQ_LAST"]) + 1)) for r in lost]
    counts = [int(r["EXEC_LOST"]) for r in lost]
    check(missing <= ranges[0] | ranges[1] and counts[0] == len(ranges[0] - arrived)
          and len(ranges[1] - arrived) <= counts[1] <= len(ranges[1]), "unaccounted = 0", sorted(missing),
          *[r["MESSAGE"] for r in lost])


def test_confidentiality_lockdown_refused(env):
    # Locked down for confidentiality (lockdown=, or a distribution's policy), the kernel takes the helpers
    # that read kernel memory away from BPF: the daemon says so at once rather than with a verifier log.
    # Integrity mode (what Debian's kernels enter under Secure Boot) is no obstacle.
    del env
    vmlinuz = debian_kernel()
    with tempfile.TemporaryDirectory() as d:
        initrd = os.path.join(d, "initrd.gz")
        daemon_initramfs(initrd)
        out = boot(vmlinuz, initrd, cmdline="lockdown=confidentiality")
    lines = [l[l.find("RESULT "):] for l in out.splitlines() if "RESULT " in l]
    log = [l for l in out.splitlines() if l.startswith("LOCKDOWN ")]
    check("RESULT lockdown-exit 1" in lines and log == [
        "LOCKDOWN execauditd: The kernel is locked down for confidentiality (/sys/kernel/security/lockdown): "
        "BPF programs may not read kernel memory there, so execauditd cannot run: Operation not permitted"],
        "refused, with the reason, and nothing else", *(lines + log + [out[-3000:]]))


if __name__ == "__main__":
    main([test_debian_12_kernel, test_daemon_on_debian_12_kernel, test_unit_under_systemd_on_debian_12_kernel,
          test_confidentiality_lockdown_refused, test_skipped_runs_on_a_preemptible_kernel])

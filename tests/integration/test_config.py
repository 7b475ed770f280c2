#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Config at start, --check-config, and SIGHUP reloads (valid and broken) against the running daemon."""
import contextlib
import errno
import os
import re
import signal
import subprocess
import sys

from harness import fill_stopped_journald, DAEMON, PINS, check, main, marker

REJECTED = "743c13a091d94b73b3c798ad6d450c46"


def run_failed_exec(m):
    try:
        subprocess.run(["/nonexistent/" + m])
    except FileNotFoundError:
        pass


def sync(env):
    """A marked exec that is recorded: everything the kernel saw before it has been handled too."""
    m = marker()
    subprocess.run(["/bin/true", m], check=True)
    return env.wait_one(m, "exec")


def test_broken_config_at_start(env):
    p = env.start("[Capture]\n# comment\n\nFailedExecs=yes\nMaxArgsBytes=12x\n", wait_ready=False)
    rc = p.wait(timeout=30)
    log = env.log()
    check(rc != 0, "non-zero exit on a broken config", rc)
    check("%s:5: [Capture] MaxArgsBytes=: " % env.config_path in log, "stderr names file:line and key", log)
    r = env.wait_records(lambda rs: rs, "config-rejected record", "MESSAGE_ID=" + REJECTED)[0]
    check(r.s("EXEC_CONFIG_FILE") == env.config_path and r.i("EXEC_CONFIG_LINE") == 5, "record file:line",
          r.brief())
    check(r.s("EXEC_CONFIG_KEY") == "MaxArgsBytes" and r.i("PRIORITY") == 3, "record key", r.brief())
    check(not env.records("EXEC_EVENT=started"), "never started")


def test_check_config(env):
    env.write_config("[Capture]\nExits=no\nMaxArgsBytes=4K\n[BPF]\nPerfBufferPages=8\n")
    out = subprocess.run([DAEMON, "--check-config", "--config", env.config_path], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    check(out.returncode == 0, "valid config accepted", out.stderr)
    for line in ("Exits=no", "FailedExecs=yes", "MaxArgsBytes=4096", "PerfBufferPages=8",
                 "PinPath=/sys/fs/bpf/execauditd"):
        check(line in out.stdout.split("\n"), "effective %s printed" % line, out.stdout)
    # The printed settings are the answer: one that could not be written is a failure, not an empty success.
    with open("/dev/full", "w") as full:
        out = subprocess.run([DAEMON, "--check-config", "--config", env.config_path], stdout=full,
                             stderr=subprocess.PIPE, text=True)
    check(out.returncode == 1 and out.stderr == "execauditd: Cannot write to standard output: %s\n"
          % os.strerror(errno.ENOSPC), "a failed write of the settings fails", out.returncode, out.stderr)
    # So does one whose reader has gone (`execauditd -t | head -0`): it died of SIGPIPE (status 141).
    r, w = os.pipe()
    os.close(r)
    try:
        out = subprocess.run([DAEMON, "--check-config", "--config", env.config_path], stdout=w,
                             stderr=subprocess.PIPE, text=True)
    finally:
        os.close(w)
    check(out.returncode == 1 and out.stderr == "execauditd: Cannot write to standard output: %s\n"
          % os.strerror(errno.EPIPE), "a write to a pipe without reader fails", out.returncode, out.stderr)
    # It loads nothing: no pins, no program.
    env.write_config("[BPF]\nPinPath=/sys/fs/bpf/ea-it-check\n")
    out = subprocess.run([DAEMON, "--check-config", "--config", env.config_path], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    progs = subprocess.run(["bpftool", "prog", "show"], stdout=subprocess.PIPE, text=True, check=True).stdout
    check(out.returncode == 0 and not os.path.exists("/sys/fs/bpf/ea-it-check") and " ea_exec " not in progs,
          "--check-config pins and loads nothing", out.returncode, out.stderr, progs)
    env.write_config("[BPF]\nPerfBufferPages=3\n")
    out = subprocess.run([DAEMON, "--check-config", "--config", env.config_path], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    check(out.returncode == 1, "invalid config rejected", out.returncode)
    check("%s:2: [BPF] PerfBufferPages=: " % env.config_path in out.stderr, "file:line:key", out.stderr)
    # --status and --remove-pins read PinPath= from the config: a broken one gets the same line, escaped.
    env.write_config("[BPF]\nPerfBufferPages=3\x1b[2J\n")
    for opt in ("--check-config", "--status", "--remove-pins"):
        out = subprocess.run([DAEMON, opt, "--config", env.config_path], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        check(out.returncode != 0, opt + " refuses it", out.returncode)
        check("%s:2: [BPF] PerfBufferPages=: " % env.config_path in out.stderr, opt + ": file:line:key",
              out.stderr)
        check("\\x1b[2J" in out.stderr and "\x1b" not in out.stderr, opt + ": ESC escaped", out.stderr)
    check(not env.records(), "--check-config touches no journal")
    # They look nothing up: a user deleted since (or a name service that hangs) does not keep them from
    # the pins.
    env.write_config("[Filter]\nUsers=ea-no-such-user\nMountNamespaces=/nonexistent/ns\n[BPF]\nPinPath=/sys/fs/bpf/ea-it-nopins\n")
    for opt in ("--status", "--remove-pins"):
        out = subprocess.run([DAEMON, opt, "--config", env.config_path], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        check("ea-no-such-user" not in out.stderr and "/nonexistent/ns" not in out.stderr and
              "ea-it-nopins" in out.stderr, opt + " reads PinPath= only", out.stderr)


def check_config(env):
    return subprocess.run([DAEMON, "--check-config", "--config", env.config_path], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)


def test_pin_path_on_a_bpffs_mount_point(env):
    # PinPath= is a directory of execauditd's own below a BPF file system's mount point, never the mount point
    # itself, where other programs pin too. --check-config, the start and a reload refuse it alike, at its
    # line. Before, --check-config took it, and the start told the administrator to mount a bpffs over the
    # directory above it (/sys/fs for /sys/fs/bpf).
    mnt = os.path.join(env.dir, "bpf")
    os.mkdir(mnt)
    subprocess.run(["mount", "-t", "bpf", "bpf", mnt], check=True)
    fresh = sorted(os.listdir(mnt))  # the kernel's own (maps.debug, progs.debug)
    try:
        for pin in ("/sys/fs/bpf", mnt):
            msg = ("%s:3: [BPF] PinPath=: %s is a BPF file system's mount point: name a directory of execauditd's "
                   "own below it, e.g. %s/execauditd" % (env.config_path, pin, pin))
            env.write_config("[BPF]\n# shared\nPinPath=%s\n" % pin)
            out = check_config(env)
            check(out.returncode == 1 and msg in out.stderr, "--check-config refuses PinPath=" + pin, out.returncode,
                  out.stderr)
            p = env.start(wait_ready=False)
            env.wait(lambda: p.poll() is not None or "Auditing execs" in env.log(), "the start to end or succeed")
            if p.poll() is None:
                env.stop()
            check(p.returncode != 0 and msg in env.log(), "the start refuses PinPath=" + pin, p.returncode, env.log())
        check(sorted(os.listdir(mnt)) == fresh, "nothing pinned on the mount point", os.listdir(mnt))
        rej = env.records("EXEC_EVENT=config_rejected")
        check(len(rej) == 2 and all(r.s("EXEC_CONFIG_KEY") == "PinPath" for r in rej), "config_rejected records",
              [r.brief() for r in rej])

        # A directory below it is what PinPath= names; a reload that moves it onto the mount point is refused.
        env.write_config("[BPF]\nPinPath=%s/execauditd\n" % mnt)
        out = check_config(env)
        check(out.returncode == 0, "--check-config takes a directory below it", out.stderr)
        env.start()
        env.write_config("[BPF]\n# shared\nPinPath=%s\n" % mnt)
        env.reload()
        rej = env.wait_records(lambda rs: len(rs) == 3 and rs, "config-rejected record", "EXEC_EVENT=config_rejected")
        check(rej[-1].s("EXEC_CONFIG_KEY") == "PinPath" and rej[-1].i("EXEC_CONFIG_LINE") == 3, "a reload refuses it",
              rej[-1].brief())
        check(env.stop() == 0, "clean stop")
        env.write_config("[BPF]\nPinPath=%s/execauditd\n" % mnt)
        out = subprocess.run([DAEMON, "--remove-pins", "--config", env.config_path], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
        check(out.returncode == 0 and sorted(os.listdir(mnt)) == fresh, "--remove-pins", out.stdout, os.listdir(mnt))
    finally:
        subprocess.run(["umount", "-l", mnt], check=False)


def test_pin_path_not_on_a_bpffs(env):
    # The start names where PinPath= was set and what makes sense to do: a mount on /sys/fs/bpf alone, and
    # never over the directory above PinPath= whatever it is. Before, PinPath=/etc/x got "mount -t bpf bpf
    # /etc", and a missing directory below the bpffs got a mount on it rather than a mkdir. --check-config
    # says the same (it took these before), and the refused start leaves a config_rejected record.
    ours = "/sys/fs/bpf/ea-it-missing-%d" % os.getpid()
    cases = (("/etc/ea-it-%d" % os.getpid(),
              "/etc is not on a BPF file system: PinPath= names a directory on one, such as "
              "/sys/fs/bpf/execauditd"),
             (ours + "/execauditd", "%s does not exist: create it (mkdir -p %s)" % (ours, ours)),
             (env.dir + "/pins/execauditd",
              "%s/pins does not exist, and %s is not on a BPF file system: PinPath= names a directory on one"
              % (env.dir, env.dir)))
    for n, (pin, why) in enumerate(cases, 1):
        env.write_config("[BPF]\n# elsewhere\nPinPath=%s\n" % pin)
        msg = "%s:3: [BPF] PinPath=: %s" % (env.config_path, why)
        out = check_config(env)
        check(out.returncode == 1 and msg in out.stderr and not out.stdout, "--check-config refuses it",
              out.returncode, msg, out.stderr)
        p = env.start(wait_ready=False)
        code = p.wait(timeout=60)
        check(code == 1 and msg in env.log(), "refused, with what to do", code, msg, env.log())
        check("mount -t bpf" not in env.log(), "no mount suggested", env.log())
        check(not os.path.exists(pin), "nothing made", pin)
        rej = env.wait_records(lambda rs: len(rs) == n and rs, "config_rejected record",
                               "EXEC_EVENT=config_rejected")
        r = rej[-1]
        check(r.s("EXEC_CONFIG_FILE") == env.config_path and r.i("EXEC_CONFIG_LINE") == 3 and
              r.s("EXEC_CONFIG_SECTION") == "BPF" and r.s("EXEC_CONFIG_KEY") == "PinPath" and
              r.s("EXEC_CONFIG_ERROR").startswith(why), "the record names the file, line, key and why", r.brief())
    check(not env.records("EXEC_EVENT=started"), "never started")

    # A reload takes such a PinPath= no more than a start: the running daemon would keep its pins until the
    # next start, which would then refuse to audit. It answered "applied" with a note before.
    env.start("")
    pin, why = cases[0]
    env.write_config("[BPF]\n# elsewhere\nPinPath=%s\n" % pin)
    out = subprocess.run([DAEMON, "--reload", str(env.daemon_pid)], stderr=subprocess.PIPE, text=True, timeout=60)
    check(out.returncode == 1 and "rejected" in out.stderr, "the reload is refused", out.returncode, out.stderr)
    check(env.daemon.poll() is None, "the daemon keeps running")
    r = env.wait_records(lambda rs: len(rs) == len(cases) + 1 and rs, "config_rejected record of the reload",
                         "EXEC_EVENT=config_rejected")[-1]
    check(r.i("EXEC_CONFIG_LINE") == 3 and r.s("EXEC_CONFIG_KEY") == "PinPath"
          and r.s("EXEC_CONFIG_ERROR").startswith(why), "the record names the line, key and why", r.brief())
    check(not env.records("EXEC_EVENT=reloaded"), "no reloaded record")
    check(env.stop() == 0, "clean stop")

    # Without root, --check-config may not look into a directory of mode 0700 on the way: it leaves that to
    # the start, as it does for a mount point, instead of refusing a PinPath= it cannot judge.
    private = "/sys/fs/bpf/ea-it-private-%d" % os.getpid()
    conf = "/tmp/ea-it-private-%d.conf" % os.getpid()
    os.mkdir(private, 0o700)
    try:
        with open(conf, "w") as f:
            f.write("[BPF]\nPinPath=%s/a/execauditd\n" % private)
        os.chmod(conf, 0o644)
        out = subprocess.run(["setpriv", "--reuid=1000", "--regid=1000", "--clear-groups", "--inh-caps=-all",
                              DAEMON, "--check-config", "--config", conf], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, timeout=30)
        check(out.returncode == 0 and "PinPath=%s/a/execauditd" % private in out.stdout,
              "--check-config without root takes what it cannot judge", out.returncode, out.stderr)
        out = subprocess.run([DAEMON, "--check-config", "--config", conf], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, timeout=30)
        check(out.returncode == 1 and "%s/a does not exist: create it" % private in out.stderr,
              "and with root refuses it", out.returncode, out.stderr)
    finally:
        os.rmdir(private)
        os.unlink(conf)


def test_reload(env):
    env.start("[Capture]\nFailedExecs=no\n")
    m1 = marker()
    run_failed_exec(m1)
    s = sync(env)
    check(s.i("EXEC_CONFIG_GENERATION") == 1, "generation 1", s.brief())
    check(not env.find(m1, "exec_failed"), "FailedExecs=no: failed exec not recorded")

    # A broken file: rejected, the daemon keeps running with the old config.
    env.write_config("[Capture]\nFailedExecs=no\nFailedExecs=maybe\n")
    env.reload()
    r = env.wait_records(lambda rs: rs, "config-rejected record", "MESSAGE_ID=" + REJECTED)[0]
    check(r.i("EXEC_CONFIG_LINE") == 3 and r.s("EXEC_CONFIG_KEY") == "FailedExecs", "rejected line", r.brief())
    check(env.daemon.poll() is None, "still running")
    m2 = marker()
    run_failed_exec(m2)
    s = sync(env)
    check(s.i("EXEC_CONFIG_GENERATION") == 1, "still generation 1", s.brief())
    check(not env.find(m2, "exec_failed"), "old config still in force")
    check(not env.records("EXEC_EVENT=reloaded"), "no reloaded record for a rejected config")

    # A valid one: applied, generation 2, announced; systemd is told RELOADING=1, then READY=1.
    env.write_config("[Capture]\nFailedExecs=yes\n")
    env.notifications()
    env.signal(signal.SIGHUP)
    seen = [line for m in env.wait_notify("READY=1") for line in m.split("\n")]
    check("RELOADING=1" in seen and seen.index("RELOADING=1") < seen.index("READY=1"), "RELOADING=1, then READY=1",
          seen)
    rel = env.wait_records(lambda rs: rs, "reloaded record", "EXEC_EVENT=reloaded")[0]
    check(rel.i("EXEC_CONFIG_GENERATION") == 2 and len(rel.s("EXEC_CONFIG_SHA256")) == 64, "reloaded", rel.brief())
    m3 = marker()
    run_failed_exec(m3)
    f = env.wait_one(m3, "exec_failed")
    check(f.i("EXEC_CONFIG_GENERATION") == 2, "failed exec recorded under generation 2", f.brief())
    # SIGINT stops it as SIGTERM does: STOPPING=1, a stopping record, status 0.
    env.notifications()
    env.signal(signal.SIGINT)
    check(env.daemon.wait(timeout=60) == 0, "clean stop on SIGINT", env.daemon.returncode)
    check("STOPPING=1" in [line for m in env.notifications() for line in m.split("\n")], "STOPPING=1")
    env.wait_records(lambda rs: rs, "stopping record", "EXEC_EVENT=stopping")


def test_exits_no(env):
    """Exits=no: an audited process's exec is recorded, its exit is not."""
    env.start("[Capture]\nExits=no\n")
    m = marker()
    p = subprocess.run(["/bin/sh", "-c", "exit 3", m], check=False)
    check(p.returncode == 3, "sh ran")
    r = env.wait_one(m, "exec")
    sync(env)  # the exit came before this exec: it would be in the journal by now
    check(not env.records("EXEC_EVENT=exit", "EXEC_PID=%d" % r.i("EXEC_PID")), "no exit record")


def test_version_and_help(env):
    del env  # no daemon runs
    out = subprocess.run([DAEMON, "--version"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         timeout=30)
    check(out.returncode == 0 and re.fullmatch(r"execauditd \d+\.\d+\.\d+\n", out.stdout) and not out.stderr,
          "--version", out.returncode, out.stdout, out.stderr)
    out = subprocess.run([DAEMON, "--help"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=30)
    check(out.returncode == 0 and out.stdout.startswith("Usage: execauditd [OPTIONS]\n") and not out.stderr,
          "--help", out.returncode, out.stdout, out.stderr)
    for option in ("--config", "--check-config", "--reload", "--status", "--remove-pins", "--version"):
        check(option in out.stdout, "--help lists " + option, out.stdout)


def test_refuses_without_privileges(env):
    env.write_config("")
    out = subprocess.run(["setpriv", "--reuid=1000", "--regid=1000", "--clear-groups", "--inh-caps=-all",
                          DAEMON, "--config", env.config_path], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, timeout=30)
    check(out.returncode != 0, "refuses to run unprivileged", out.returncode)
    check("must run as root" in out.stderr and "CAP_BPF" in out.stderr, "says why", out.stderr)
    check(not env.records("EXEC_EVENT=started"), "never started")


@contextlib.contextmanager
def hidden(d):
    """Directory d under an empty tmpfs in the tests' mount namespace, until the block ends."""
    subprocess.run(["mount", "-t", "tmpfs", "none", d], check=True)
    try:
        yield
    finally:
        subprocess.run(["umount", d], check=True)


def test_refuses_without_btf(env):
    """A kernel without BTF cannot run the CO-RE programs: the daemon says which file it missed and what
    the kernel needs, before it loads anything."""
    env.write_config("")
    with hidden("/sys/kernel/btf"):
        out = subprocess.run([DAEMON, "--config", env.config_path], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, timeout=30)
    check(out.returncode != 0, "refuses to run", out.returncode)
    check("no BTF (/sys/kernel/btf/vmlinux)" in out.stderr and "CONFIG_DEBUG_INFO_BTF=y" in out.stderr,
          "says why", out.stderr)
    check(not os.path.exists(PINS), "nothing pinned", PINS)
    check(not env.records("EXEC_EVENT=started"), "never started")


def test_mounts_tracefs(env):
    """Where nothing mounted tracefs (systemd does at boot; a container or a minimal init may not), the
    daemon mounts it: libbpf finds the syscall tracepoints' ids there."""
    while subprocess.run(["mountpoint", "-q", "/sys/kernel/tracing"], check=False).returncode == 0:
        subprocess.run(["umount", "/sys/kernel/tracing"], check=True)
    # debugfs's tracing directory would mount tracefs again when looked at (an automount).
    with hidden("/sys/kernel/debug"):
        check(not os.path.exists("/sys/kernel/tracing/events"), "tracefs is not mounted")
        env.start("")
        check(os.path.exists("/sys/kernel/tracing/events/syscalls/sys_enter_execve"), "the daemon mounted it")
        m = marker()
        subprocess.run(["/bin/true", m], check=True)
        env.wait_one(m, "exec")
        check(env.stop() == 0, "clean stop")


def test_reload_client_waits(env):
    # What the unit's ExecReload= runs: it returns once the new configuration is in force.
    env.start("[Capture]\nFailedExecs=no\n")
    env.write_config("[Capture]\nFailedExecs=yes\n")
    out = subprocess.run([DAEMON, "--reload", str(env.daemon_pid)], stderr=subprocess.PIPE, text=True, timeout=60)
    check(out.returncode == 0, "reload applied", out.stderr)
    # No waiting: the kernel already applies generation 2.
    m = marker()
    run_failed_exec(m)
    f = env.wait_one(m, "exec_failed")
    check(f.i("EXEC_CONFIG_GENERATION") == 2, "judged by the new configuration", f.brief())

    env.write_config("[Capture]\nFailedExecs=perhaps\n")
    out = subprocess.run([DAEMON, "--reload", str(env.daemon_pid)], stderr=subprocess.PIPE, text=True, timeout=60)
    check(out.returncode == 1 and "rejected" in out.stderr, "a rejected reload fails", out.returncode, out.stderr)
    check(env.daemon.poll() is None, "the daemon keeps running")
    out = subprocess.run([DAEMON, "--reload", "x1"], stderr=subprocess.PIPE, text=True)
    check(out.returncode == 1 and "not a process ID" in out.stderr, "bad PID", out.stderr)
    # What the caller typed comes back escaped, on one line, like every diagnostic.
    for argv in (["--reload", "1\nexecauditd: forged\x1b[2J"], ["stray\nexecauditd: forged\x1b[2J"],
                 ["--forged\nexecauditd: forged\x1b[2J"]):
        out = subprocess.run([DAEMON, *argv], stderr=subprocess.PIPE, text=True)
        check(out.returncode == 1 and out.stderr.count("\n") == 1 and "\x1b" not in out.stderr
              and "forged" in out.stderr, "escaped", argv, out.stderr)
    # getopt's own complaints too (glibc's words: LC_ALL=C), with our prefix in place of argv[0]'s.
    for argv, says in ((["--forged\x1b"], "unrecognized option '--forged\\x1b'"),
                       (["-t\x1b"], "invalid option -- '\\x1b'"),
                       (["--config"], "option '--config' requires an argument"),
                       (["--status=1"], "option '--status' doesn't allow an argument")):
        out = subprocess.run([DAEMON, *argv], stderr=subprocess.PIPE, text=True, env={**os.environ, "LC_ALL": "C"})
        check(out.returncode == 1 and out.stderr == f"execauditd: {says} (see execauditd --help)\n",
              "getopt's message, escaped", argv, out.stderr)


def test_conflicting_modes(env):
    """One command at a time: two of -t, --reload, --status, --remove-pins, --help and --version, --reload
    twice, or --config with --reload are refused (status 1, as an invalid option) before anything is done.
    --status --remove-pins printed the status, -t --remove-pins removed the pins, --help --status printed
    the help, --reload A --reload B reloaded B and -c X --reload PID ignored X."""
    env.write_config("")
    pins = "/sys/fs/bpf/execauditd"  # this test's own bpffs (harness.py)
    os.makedirs(pins)
    sleeper = subprocess.Popen(["sleep", "100"])  # no process of ours may be signalled, whatever happens
    pid = str(sleeper.pid)
    c = ["--config", env.config_path]
    together = "%s and %s cannot be used together (see execauditd --help)"
    try:
        for argv, says in (
                ([*c, "--status", "--remove-pins"], together % ("--status", "--remove-pins")),
                ([*c, "-t", "--remove-pins"], together % ("--check-config", "--remove-pins")),
                ([*c, "--remove-pins", "--check-config"], together % ("--remove-pins", "--check-config")),
                ([*c, "--check-config", "--status"], together % ("--check-config", "--status")),
                (["--status", "--reload", pid], together % ("--status", "--reload")),
                (["--reload", pid, "--remove-pins"], together % ("--reload", "--remove-pins")),
                ([*c, "--status", "--help"], together % ("--status", "--help")),
                (["--help", "--version"], together % ("--help", "--version")),
                (["--version", "--check-config"], together % ("--version", "--check-config")),
                (["--reload", pid, "--reload", pid], "--reload names one process (see execauditd --help)"),
                ([*c, "--reload", pid], "--config and --reload cannot be used together: the daemon reloads "
                 "the files it was started with (see execauditd --help)"),
                (["--reload", pid, "-c", env.config_path], "--config and --reload cannot be used together: "
                 "the daemon reloads the files it was started with (see execauditd --help)")):
            out = subprocess.run([DAEMON, *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                 timeout=30)
            check(out.returncode == 1 and out.stdout == "" and out.stderr == "execauditd: " + says + "\n",
                  "refused", argv, out.returncode, out.stdout, out.stderr)
            check(os.path.isdir(pins), "the pin directory left alone", argv)
            check(sleeper.poll() is None, "nothing signalled", argv)
    finally:
        sleeper.kill()
        sleeper.wait()
    # One mode given twice is still one: --status --status is --status (no pins here: exit 1, saying so).
    out = subprocess.run([DAEMON, *c, "--status", "--status"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, timeout=30)
    check(out.returncode == 1 and "cannot be used together" not in out.stderr, "--status twice", out.stderr)


def test_reloads_at_once(env):
    """Two `execauditd --reload` while a plain SIGHUP is pending (the daemon stopped, so nothing is read
    meanwhile): both are answered. As SIGHUPs, their requests were absorbed by the pending one, and both
    callers waited the full 90 s for an answer that never came."""
    env.start("[Capture]\nFailedExecs=no\n")
    env.write_config("[Capture]\nFailedExecs=yes\n")
    env.signal(signal.SIGSTOP)
    try:
        env.signal(signal.SIGHUP)
        clients = [subprocess.Popen([DAEMON, "--reload", str(env.daemon_pid)], stderr=subprocess.PIPE, text=True)
                   for _ in range(2)]
        # Both requests sent while the daemon reads nothing.
        env.wait(lambda: all(waiting_for_answer(c.pid) for c in clients), "the two requests sent")
    finally:
        env.signal(signal.SIGCONT)
    for c in clients:
        check(c.wait(timeout=60) == 0, "the reload is answered as applied", c.stderr.read())
    rel = env.wait_records(lambda rs: rs if len(rs) >= 2 else None, "reloaded records", "EXEC_EVENT=reloaded")
    check(rel[-1].i("EXEC_CONFIG_GENERATION") == len(rel) + 1, "one generation per reading",
          [r.brief() for r in rel])
    m = marker()
    run_failed_exec(m)
    check(env.wait_one(m, "exec_failed").i("EXEC_CONFIG_GENERATION") == len(rel) + 1, "in force")


def waiting_for_answer(pid):
    """The client has sent its request: it is in poll (7 on x86-64), waiting for the answer or the daemon's
    exit."""
    try:
        with open("/proc/%d/syscall" % pid) as f:
            return f.read().split()[0] == "7"
    except (OSError, IndexError):
        return False


# Another program, which reports the signals pending for it when a line comes on its stdin: argv[1] blocked
# signals (comma-separated numbers, or "" for none), argv[2] a name to take, if any.
BYSTANDER = """
import signal, sys
if len(sys.argv) > 2:
    with open("/proc/self/comm", "w") as f:
        f.write(sys.argv[2])
signal.pthread_sigmask(signal.SIG_BLOCK, {int(s) for s in sys.argv[1].split(",") if s})
print("ready", flush=True)
sys.stdin.readline()
print(sorted(int(s) for s in signal.sigpending()), flush=True)
"""


def test_reload_of_another_process(env):
    """`execauditd --reload PID` signals nothing but an execauditd daemon. A mistyped or stale PID got SIGHUP,
    which killed it, or, when it blocks SIGRTMIN+4 as systemd does (PID 1 and `systemd --user` power off on
    it), that signal. Nothing is sent to any of these, and the command fails at once."""
    rtmin4 = signal.SIGRTMIN + 4
    procs = []
    try:
        sleeper = subprocess.Popen(["sleep", "100"])
        procs.append(sleeper)
        out = subprocess.run([DAEMON, "--reload", str(sleeper.pid)], stderr=subprocess.PIPE, text=True,
                             timeout=30)
        check(out.returncode == 1 and out.stderr == "execauditd: process %d is not execauditd (its name is "
              "'sleep'): nothing sent\n" % sleeper.pid, "sleep refused", out.returncode, out.stderr)
        check(sleeper.poll() is None, "sleep still runs", sleeper.returncode)
        for blocked, name, says in (
                ("%d,%d" % (signal.SIGHUP, rtmin4), None,
                 "process %d is not execauditd (its name is '{comm}'): nothing sent"),
                ("", "execauditd",
                 "execauditd (pid %d) takes no reload requests (it is not a running daemon): nothing sent")):
            p = subprocess.Popen([sys.executable, "-c", BYSTANDER, blocked, *([name] if name else [])],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            procs.append(p)
            check(p.stdout.readline() == "ready\n", "the bystander ready")
            with open("/proc/%d/comm" % p.pid) as f:
                says = says.replace("{comm}", f.read().strip())
            out = subprocess.run([DAEMON, "--reload", str(p.pid)], stderr=subprocess.PIPE, text=True, timeout=30)
            check(out.returncode == 1 and out.stderr == "execauditd: " + says % p.pid + "\n", "refused", name,
                  blocked, out.returncode, out.stderr)
            p.stdin.write("\n")
            p.stdin.flush()
            check(p.stdout.readline() == "[]\n" and p.wait(timeout=30) == 0, "nothing sent to it", name,
                  blocked, p.returncode)
    finally:
        for p in procs:
            p.kill()
            p.wait()


def test_reload_of_a_daemon_that_stops(env):
    """`execauditd --reload` of a daemon that stops without answering (here its stop waits 5 s for a stopped
    journald, and the request is never read) fails as soon as the daemon has exited: it waited for the answer
    90 s."""
    env.start("[Capture]\nMaxArgsBytes=256K\n[BPF]\nPerfBufferPages=1024\n")
    sync(env)
    m = marker()
    try:
        fill_stopped_journald(env, m)
        env.signal(signal.SIGTERM)
        env.wait(lambda: "Stopping on signal" in env.log(), "the daemon stopping")
        out = subprocess.run([DAEMON, "--reload", str(env.daemon_pid)], stderr=subprocess.PIPE, text=True,
                             timeout=60)
    finally:
        env.journald.send_signal(signal.SIGCONT)
    check(out.returncode == 1 and out.stderr == "execauditd: execauditd (pid %d) exited before answering: the "
          "reload was not applied\n" % env.daemon_pid, "the caller told", out.returncode, out.stderr)
    check(env.daemon.wait(timeout=30) == 0, "the daemon stopped cleanly", env.daemon.returncode)


def reload_held_by_name_service(env):
    """The daemon running with a name service that holds the lookup of user "ea-slow" (uid 4242) until the
    returned gate file exists (tests/helpers/nss_easlow.c), and `execauditd --reload` of a configuration
    that names that user, once the reading waits for the answer. Returns the gate and the reload client."""
    gate = os.path.join(env.dir, "gate")
    conf = os.path.join(env.dir, "nsswitch.conf")
    with open(conf, "w") as f:
        f.write("passwd: files easlow\ngroup: files\n")
    subprocess.run(["mount", "--bind", conf, "/etc/nsswitch.conf"], check=True)
    env.start("", wrap=("env", "LD_LIBRARY_PATH=" + os.path.dirname(os.environ["EA_NSS_MODULE"]),
                        "EA_NSS_GATE=" + gate), wrap_forks=False)
    env.write_config("[Filter]\nExcludeUsers=ea-slow\n")
    client = subprocess.Popen([DAEMON, "--reload", str(env.daemon_pid)], stderr=subprocess.PIPE, text=True)
    env.wait(lambda: os.path.exists(gate + ".asked"), "the reload asking the name service")
    return gate, client


def test_reload_waiting_for_a_name_service(env):
    """A reload whose ExcludeUsers= name the name service takes long to answer (sssd with its LDAP server
    gone): the daemon goes on draining the kernel's buffers meanwhile, so a storm of 2000 execs is recorded
    whole, nothing lost, while the reload still waits (a daemon that read on its loop drained nothing until
    the answer came); then the reload applies, and `execauditd --reload` answers once it has."""
    gate, client = reload_held_by_name_service(env)
    m = marker()
    out = subprocess.run([os.environ["EA_STORM"], "-w", "2", "-n", "2000", "-m", m], check=True,
                         stdout=subprocess.PIPE, text=True).stdout
    check(out.startswith("execs=2000 "), "the storm ran", out)

    def storm_recorded():
        recs = [r for r in env.find(m, "exec") if r.s("EXEC_COMM") == "true"]
        return recs if len(recs) == 2000 else None

    recs = env.wait(storm_recorded, "the storm's 2000 exec records")
    check(client.poll() is None, "the reload still waits for the name service", client.poll())
    check(all(r.i("EXEC_CONFIG_GENERATION") == 1 for r in recs), "recorded under the configuration in force")
    check(not env.records("EXEC_EVENT=lost"), "nothing lost", [r.brief() for r in env.records("EXEC_EVENT=lost")])

    open(gate, "w").close()
    check(client.wait(timeout=60) == 0, "the reload applied", client.stderr.read())
    rel = env.wait_records(lambda rs: rs, "reloaded record", "EXEC_EVENT=reloaded")
    check(len(rel) == 1 and rel[0].i("EXEC_CONFIG_GENERATION") == 2 and "4242" in rel[0].s("MESSAGE"),
          "one reload, generation 2, leaving uid 4242 out", [r.brief() for r in rel])
    m2 = marker()
    subprocess.run(["setpriv", "--reuid=4242", "--regid=4242", "--clear-groups", "/bin/true", m2], check=True)
    s = sync(env)
    check(s.i("EXEC_CONFIG_GENERATION") == 2, "generation 2 in force", s.brief())
    # setpriv itself (root, m2 in its argv) is recorded; the /bin/true it becomes as uid 4242 is not.
    seen = env.find(m2)
    check(seen and not [r for r in seen if r.s("EXEC_UID") == "4242"], "uid 4242 left out in the kernel",
          [r.brief() for r in seen])
    check(env.stop() == 0, "clean stop")


def test_stop_while_a_reload_waits(env):
    """A stop does not wait for a name service that does not answer: the reload is not applied, its caller
    is told so, and the daemon stops cleanly with everything written."""
    gate, client = reload_held_by_name_service(env)
    m = marker()
    subprocess.run(["/bin/true", m], check=True)
    check(env.stop() == 0, "clean stop")
    err = client.stderr.read()
    check(client.wait(timeout=60) == 1 and "not applied" in err and "rejected" not in err, "the caller told",
          client.returncode, err)
    check("that reload is not applied" in env.log(), "the log says so", env.log())
    check(len(env.find(m, "exec")) == 1, "the exec before the stop recorded")
    check(not env.records("EXEC_EVENT=reloaded"), "no reloaded record")
    check(env.records("EXEC_EVENT=stopping"), "the stopping record")
    check(not os.path.exists(gate), "the name service never answered")


if __name__ == "__main__":
    main([test_broken_config_at_start, test_check_config, test_pin_path_on_a_bpffs_mount_point,
          test_pin_path_not_on_a_bpffs, test_reload, test_exits_no, test_version_and_help, test_refuses_without_privileges,
          test_refuses_without_btf, test_mounts_tracefs,
          test_reload_client_waits, test_reloads_at_once, test_reload_waiting_for_a_name_service,
          test_stop_while_a_reload_waits, test_reload_of_another_process, test_reload_of_a_daemon_that_stops,
          test_conflicting_modes])

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The shipped unit under a real systemd: the generated execauditd.service, with all its hardening, boots in
a systemd-nspawn container (systemd 252 over a throwaway overlay of /) and is started, reloaded, restarted
and stopped with systemctl, each step checked in the container's journal, then booted again into
multi-user.target, where the enabled unit must start, and stopped at last with the ExecStopPost=
--remove-pins that the unit file offers. The checks also reach what a too tight sandbox would silently
break: cgroup ids named (EXEC_UNIT), a #! script's file (EXEC_EXE), a "host" mount namespace filter, a
rejected reload, journald's varlink socket.

The container gets the test's private bpffs (harness.py mounts a fresh one over /sys/fs/bpf in the test's
mount namespace) bound at /sys/fs/bpf, so its pins never collide with the host's or another test's; they are
removed, and their links checked gone, at the end. systemd-nspawn's own seccomp filter refuses bpf(),
perf_event_open() and open_by_handle_at() unless told otherwise (--system-call-filter): that is the
container's limit, not the unit's. Everything else the daemon gets is what the unit allows.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile

from harness import (DAEMON, PINS, Record, TestFailure, check, check_caps_dropped, exec_start, main, marker, parse_export,
                     wait_until)

UNIT = os.environ.get("EA_UNIT", "")  # the generated build/execauditd.service
CONF = os.environ.get("EA_CONF", "")  # conf/execauditd.conf
BOOT_SECONDS = 90
# Where a host may hold drop-ins for the unit (systemd.unit(5)); tests/helpers/vm-systemd.sh has the same list.
UNIT_DROPIN_DIRS = tuple(d + "/execauditd.service.d" for d in (
    "/etc/systemd/system", "/usr/local/lib/systemd/system", "/usr/lib/systemd/system", "/lib/systemd/system"))

TARGET = """[Unit]
Description=execauditd unit test
Wants=systemd-journald.service
"""
# A marker run as a unit of its own: its record must name the unit (the daemon resolves cgroup ids, so the
# cgroup must still exist when the record is written: the unit stays up until the test stops it).
MARKER_UNIT = """[Unit]
Description=execauditd unit test marker %i
[Service]
ExecStart=/bin/sh -c "exec sleep 600" %i
"""
# "host" is PID 1's mount namespace, found through /proc/1/ns/mnt: the unit must allow reading it. The
# larger perf buffers (applied at the restart) are 16 MiB of locked memory on 2 CPUs, more than the default
# RLIMIT_MEMLOCK allows beyond kernel.perf_event_mlock_kb: the unit must allow it (CAP_IPC_LOCK).
HOST_FILTER = """[Filter]
ExcludeMountNamespaces=host
[BPF]
PerfBufferPages=2048
"""


def run(cmd, timeout=120):
    return subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          timeout=timeout)


def out(p):
    return p.stdout.decode("utf-8", "replace")


class Container:
    """systemd 252 booted by systemd-nspawn on an overlay of / at dir/root."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="ea-unit-")
        self.root = os.path.join(self.dir, "root")
        self.nspawn = None
        self.log = None
        self.pid = None

    def path(self, p):
        return os.path.join(self.root, p.lstrip("/"))

    def write(self, p, text, mode=0o644):
        full = self.path(p)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w") as f:
            f.write(text)
        os.chmod(full, mode)

    def setup(self):
        for d in ("upper", "work", "root"):
            os.mkdir(os.path.join(self.dir, d))
        subprocess.run(["mount", "-t", "overlay", "overlay", "-o",
                        "lowerdir=/,upperdir=%s/upper,workdir=%s/work" % (self.dir, self.dir), self.root],
                       check=True)
        with open(UNIT) as f:
            unit = f.read()
        daemon = self.path(exec_start(unit))
        os.makedirs(os.path.dirname(daemon), exist_ok=True)
        shutil.copy(DAEMON, daemon)
        os.chmod(daemon, 0o755)
        self.write("/etc/systemd/system/execauditd.service", unit)
        with open(CONF) as f:
            self.write("/etc/execauditd.conf", f.read())
        # The host's own drop-ins, for the config and for the unit, are not the test's.
        for d in ("/etc/execauditd.conf.d", *UNIT_DROPIN_DIRS):
            shutil.rmtree(self.path(d), ignore_errors=True)
        self.write("/etc/systemd/system/eatest.target", TARGET)
        self.write("/etc/systemd/system/eamarker@.service", MARKER_UNIT)

    def boot(self, unit="eatest.target"):
        self.log = open(os.path.join(self.dir, "nspawn.log"), "a+")
        self.nspawn = subprocess.Popen(
            ["systemd-nspawn", "-D", self.root, "--register=no", "--keep-unit", "--capability=all",
             # nspawn's own seccomp filter, not the unit, would refuse these.
             "--system-call-filter=bpf perf_event_open open_by_handle_at",
             "--bind=/sys/fs/bpf", "-b", "systemd.unit=" + unit],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT)

        def init():
            check(self.nspawn.poll() is None, "systemd-nspawn exited with %s" % self.nspawn.returncode,
                  self.nspawn_log())
            with open("/proc/%d/task/%d/children" % (self.nspawn.pid, self.nspawn.pid)) as f:
                for k in f.read().split():
                    try:
                        with open("/proc/%s/comm" % k) as c:
                            if c.read().strip() == "systemd":
                                return int(k)
                    except FileNotFoundError:
                        pass
            return None

        self.pid = wait_until(init, "the container's systemd", BOOT_SECONDS)

        def up():
            state = out(self.sh("systemctl", "is-system-running")).strip()
            return state in ("running", "degraded") and state

        wait_until(up, "the container's systemd to be running", BOOT_SECONDS)

    def sh(self, *cmd, timeout=120):
        """A command inside the container (all its namespaces)."""
        return run(["nsenter", "-t", str(self.pid), "-a", *cmd], timeout=timeout)

    def ok(self, *cmd):
        p = self.sh(*cmd)
        check(p.returncode == 0, "%s failed (%d)" % (" ".join(cmd), p.returncode), out(p))
        return out(p)

    def records(self, *matches):
        p = self.sh("journalctl", "-b", "-u", "execauditd", "-o", "export", "--all", "--no-pager", *matches)
        return [Record(e) for e in parse_export(p.stdout)]

    def state(self):
        return out(self.sh("systemctl", "is-active", "execauditd")).strip()

    def diagnostics(self):
        if not self.pid or self.nspawn.poll() is not None:
            return "(container not running)\n" + self.nspawn_log()
        return "\n".join([
            "---- systemctl status execauditd ----",
            out(self.sh("systemctl", "status", "--no-pager", "-l", "execauditd")),
            "---- journalctl -u execauditd, without exec and exit records (last 60) ----",
            *self.unit_log()[-60:],
        ])

    def unit_log(self):
        p = self.sh("journalctl", "-b", "-u", "execauditd", "-o", "export", "--no-pager")
        lines = []
        for e in parse_export(p.stdout):
            r = Record(e)
            if r.get("EXEC_EVENT", [b""])[0] in (b"exec", b"exec_failed", b"exit"):
                continue
            ident = r.get("SYSLOG_IDENTIFIER", [b"?"])[0].decode("utf-8", "replace")
            lines.append("%s: %s" % (ident, r.get("MESSAGE", [b""])[0].decode("utf-8", "replace")))
        return lines

    def nspawn_log(self):
        if not self.log:
            return ""
        self.log.flush()
        with open(self.log.name) as f:
            return f.read()[-4000:]

    def poweroff(self):
        """What went wrong powering the container off (nothing when it went down by itself)."""
        problems = []
        if self.nspawn and self.nspawn.poll() is None:
            if self.pid:
                try:
                    self.sh("systemctl", "poweroff", timeout=30)
                except subprocess.TimeoutExpired:
                    pass
            try:
                self.nspawn.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.nspawn.send_signal(signal.SIGTERM)  # nspawn powers the container off
                try:
                    self.nspawn.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    problems.append("systemd-nspawn killed")
                    self.nspawn.kill()
                    self.nspawn.wait()
        self.pid = None
        if self.log:
            self.log.close()
            self.log = None
        return problems

    def teardown(self):
        problems = self.poweroff()
        if os.path.ismount(self.root):
            if subprocess.run(["umount", self.root]).returncode != 0:
                subprocess.run(["umount", "-l", self.root])
        if os.path.ismount(self.root):
            problems.append("overlay still mounted at " + self.root)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)
        return problems


def bpftool_json(*args):
    p = subprocess.run(["bpftool", "-j", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    check(p.returncode == 0, "bpftool %s" % " ".join(args), p.stderr)
    return json.loads(p.stdout)


def pinned_links():
    """Ids of the links pinned under PINS (on the host side of the bind)."""
    if not os.path.isdir(PINS):
        return set()
    return {bpftool_json("link", "show", "pinned", os.path.join(PINS, name))["id"]
            for name in os.listdir(PINS) if name.startswith("link_")}


def live_links():
    return {l["id"] for l in bpftool_json("link", "show")}


def remove_pins(links):
    """Detach what the test's daemons pinned; no link of theirs may stay attached."""
    p = subprocess.run([DAEMON, "--config", CONF, "--remove-pins"], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    check(p.returncode == 0, "--remove-pins", p.stdout)
    wait_until(lambda: not (links & live_links()), "the test's links to be detached", 10)


def test_unit_lifecycle(env):
    c = Container()
    links = set()
    failure = None
    try:
        c.setup()
        c.boot()
        lifecycle(c, links)
        boot_with_unit_enabled(c, links)
    except Exception as e:
        failure = e
        if c.pid:
            failure = TestFailure("%s\n%s" % (e, c.diagnostics()))
    # Always: power the container off, unmount the overlay, remove the pins and check their links gone.
    problems = []
    try:
        links |= pinned_links()
    except Exception as e:
        problems.append("reading the pins: %s" % e)
    problems += c.teardown()
    try:
        remove_pins(links)
    except Exception as e:
        problems.append(str(e))
    if failure:
        if problems:
            print("cleanup: %s" % problems)
        raise failure
    check(not problems, "cleanup", *problems)


def one(c, what, pred, *matches):
    def found():
        r = [r for r in c.records(*matches) if pred(r)]
        return r or None

    recs = wait_until(found, what)
    check(len(recs) == 1, "one " + what, *[r.brief() for r in recs])
    return recs[0]


def marker_record(c, m, comm="true"):
    return one(c, "exec record of " + m, lambda r: m in r.s("EXEC_CMDLINE"), "EXEC_EVENT=exec",
               "EXEC_COMM=" + comm)


def lifecycle(c, links):
    # Start: Type=notify, so systemctl returns once the daemon said READY=1.
    c.ok("systemctl", "enable", "--now", "execauditd")
    check(c.state() == "active", "active after enable --now", c.state())
    started = one(c, "started record", lambda r: True, "EXEC_EVENT=started")
    check("loaded new programs" in started.s("MESSAGE"), "first start loads the programs", started.brief())
    links |= pinned_links()
    check(len(links) >= 6, "the links are pinned in " + PINS, links)
    # Ready: neither thread holds CAP_SYS_ADMIN any more (capset passes the unit's system call filter).
    caps = c.ok("sh", "-c", "grep -h '^Cap[PE][rf][mf]' /proc/$(systemctl show -P MainPID execauditd)/task/*/status")
    check_caps_dropped(caps)

    m = marker()
    c.ok("/bin/true", m)
    rec = marker_record(c, m)
    check(rec.s("EXEC_CMDLINE") == "/bin/true " + m, "EXEC_CMDLINE", rec.brief())

    # Cgroup ids resolve to paths (open_by_handle_at on the read-only cgroup2 mount): the unit is named.
    m = marker()
    c.ok("systemctl", "start", "eamarker@%s.service" % m)
    rec = marker_record(c, m, "sh")
    c.ok("systemctl", "stop", "eamarker@%s.service" % m)
    check(rec.s("EXEC_UNIT") == "eamarker@%s.service" % m, "EXEC_UNIT of a unit's exec", rec.brief())
    check(rec.s("EXEC_CGROUP").endswith("/eamarker@%s.service" % m), "EXEC_CGROUP", rec.brief())

    # A #! script run through a symlink: EXEC_EXE is the script's file, found through the address of
    # ____fput, which libbpf reads from /proc/kallsyms (zeros there without CAP_SYSLOG).
    m = marker()
    c.write("/usr/local/lib/eatest/real/script-" + m, "#!/bin/sh\nexit 0\n", 0o755)
    os.symlink("real/script-" + m, c.path("/usr/local/lib/eatest/link-" + m))
    c.ok("/usr/local/lib/eatest/link-" + m, m)
    rec = one(c, "exec record of the script " + m, lambda r: True, "EXEC_EVENT=exec",
              "EXEC_FILENAME=/usr/local/lib/eatest/link-" + m)
    check(rec.s("EXEC_EXE") == "/usr/local/lib/eatest/real/script-" + m, "EXEC_EXE is the script", rec.brief())

    # Reload: a rejected config fails `systemctl reload` and leaves the daemon running as it was.
    c.write("/etc/execauditd.conf.d/bad.conf", "[Filter]\nUsers=no-such-user-ea\n")
    p = c.sh("systemctl", "reload", "execauditd")
    check(p.returncode != 0, "reload of an invalid config fails", out(p))
    check(c.state() == "active", "still active after a rejected reload", c.state())
    one(c, "config_rejected record", lambda r: True, "EXEC_EVENT=config_rejected")
    os.unlink(c.path("/etc/execauditd.conf.d/bad.conf"))

    # Reload with a host filter: /proc/1/ns/mnt must be readable. Generation 2 (the rejected one was not).
    c.write("/etc/execauditd.conf.d/host.conf", HOST_FILTER)
    c.ok("systemctl", "reload", "execauditd")
    rel = one(c, "reloaded record", lambda r: True, "EXEC_EVENT=reloaded")
    check(rel.i("EXEC_CONFIG_GENERATION") == 2, "EXEC_CONFIG_GENERATION=2", rel.brief())
    check(rel.s("MESSAGE").endswith("; PinPath= and PerfBufferPages= changes take effect at restart"),
          "PerfBufferPages= waits for the restart", rel.brief())
    check(c.state() == "active", "active after reload", c.state())
    excluded, included = marker(), marker()
    c.ok("/bin/true", excluded)
    c.ok("unshare", "-m", "/bin/true", included)
    marker_record(c, included)
    check(not [r for r in c.records("EXEC_EVENT=exec", "EXEC_COMM=true") if excluded in r.s("EXEC_CMDLINE")],
          "ExcludeMountNamespaces=host leaves out the container's host namespace")

    # Restart: the new daemon adopts the pinned programs, with the host filter read at start and the larger
    # perf buffers.
    pid = c.ok("systemctl", "show", "-P", "MainPID", "execauditd").strip()
    c.ok("systemctl", "restart", "execauditd")
    check(c.state() == "active", "active after restart", c.state())
    check(c.ok("systemctl", "show", "-P", "MainPID", "execauditd").strip() != pid, "a new main process")
    starts = wait_until(lambda: len(c.records("EXEC_EVENT=started")) == 2 and c.records("EXEC_EVENT=started"),
                        "the second started record")
    check("adopted the programs pinned" in starts[1].s("MESSAGE"),
          "the restarted daemon adopted the pins", [s.s("MESSAGE") for s in starts])
    check(pinned_links() == links, "the same links stay pinned across the restart", pinned_links(), links)
    m = marker()
    c.ok("unshare", "-m", "/bin/true", m)
    marker_record(c, m)

    # Stop: a stopping record; the programs stay attached through their pins (by design).
    c.ok("systemctl", "stop", "execauditd")
    check(c.state() == "inactive", "inactive after stop", c.state())
    # One stopping record for the restart and one for the stop.
    wait_until(lambda: len(c.records("EXEC_EVENT=stopping")) == 2, "the second stopping record")
    check(c.ok("systemctl", "show", "-P", "Result", "execauditd").strip() == "success", "Result=success")
    check(pinned_links() == links and links <= live_links(), "the pins keep the links after stop")



def boot_with_unit_enabled(c, links):
    """`systemctl enable` (in lifecycle) is what an administrator relies on after a reboot: the next boot,
    into multi-user.target, starts the daemon, which adopts the programs the last one left pinned."""
    problems = c.poweroff()
    check(not problems, "the container powered off", *problems)
    wants = c.path("/etc/systemd/system/multi-user.target.wants")
    check(os.path.islink(os.path.join(wants, "execauditd.service")), "enabled into multi-user.target",
          os.listdir(wants) if os.path.isdir(wants) else "no " + wants)
    # Besides ours, only the distribution's own units: what this host enabled (a database, ...) is not ours.
    for name in os.listdir(wants):
        if name != "execauditd.service":
            os.unlink(os.path.join(wants, name))
    os.unlink(c.path("/etc/execauditd.conf.d/host.conf"))  # lifecycle's; the shipped config from here on
    c.boot("multi-user.target")
    wait_until(lambda: c.state() == "active", "execauditd active after the boot")
    started = wait_until(lambda: c.records("EXEC_EVENT=started"), "the boot's started record")
    check(len(started) == 1 and "adopted the programs pinned" in started[0].s("MESSAGE"),
          "started at boot, adopting the pins", [r.s("MESSAGE") for r in started])
    check(pinned_links() == links, "the same links across the reboot", pinned_links(), links)
    m = marker()
    c.ok("/bin/true", m)
    marker_record(c, m)

    # The uninstall the unit file offers (systemctl edit): ExecStopPost= --remove-pins detaches the programs
    # at the stop, in the unit's sandbox, and records what they numbered after the daemon stopped (its own
    # exec at least) as the unit's: journald names the unit from the process, which waits for it to do so.
    with open(UNIT) as f:
        daemon = exec_start(f.read())
    c.write("/etc/systemd/system/execauditd.service.d/remove-pins.conf",
            "[Service]\nExecStopPost=%s --remove-pins\n" % daemon)
    c.ok("systemctl", "daemon-reload")
    pid = c.ok("systemctl", "show", "-P", "MainPID", "execauditd").strip()
    c.ok("systemctl", "stop", "execauditd")
    check(c.ok("systemctl", "show", "-P", "Result", "execauditd").strip() == "success", "Result=success",
          *c.unit_log()[-10:])
    check(not os.path.exists(PINS) and not links & live_links(), "ExecStopPost= --remove-pins detached the "
          "programs and removed " + PINS, links & live_links())
    lost = wait_until(lambda: [r for r in c.records("EXEC_EVENT=lost") if r.s("_PID") != pid],
                      "--remove-pins' loss record")
    check(len(lost) == 1 and lost[0].s("EXEC_LOST_REASON") == "no_reader" and lost[0].i("EXEC_LOST") >= 1
          and lost[0].s("_SYSTEMD_UNIT") == "execauditd.service" and "--remove-pins" in lost[0].s("_CMDLINE"),
          "one no_reader record of --remove-pins, in journalctl -u execauditd",
          *[(r.brief(), r.get("_CMDLINE"), r.get("_SYSTEMD_UNIT")) for r in lost])
    # The daemon and --remove-pins reached journald's varlink socket from the sandbox.
    check(not [line for line in c.unit_log() if "did not confirm" in line], "journald confirmed every stop",
          *c.unit_log()[-10:])


if __name__ == "__main__":
    if os.geteuid() == 0 and not shutil.which("systemd-nspawn"):
        print("systemd-nspawn is missing (Debian package systemd-container)")
        sys.exit(1 if os.environ.get("CI") else 77)
    if os.geteuid() == 0 and not (UNIT and os.path.exists(UNIT) and CONF and os.path.exists(CONF)):
        print("EA_UNIT and EA_CONF must name the generated unit and the default config")
        sys.exit(1)
    main([test_unit_lifecycle])

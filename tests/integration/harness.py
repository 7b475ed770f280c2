# SPDX-License-Identifier: GPL-2.0-or-later
"""Integration test harness: a private journald and a real execauditd in a mount namespace of their own.

Each test script calls `main(tests)`. It re-executes itself under `unshare -m`, mounts tmpfs over the
journal directories and a fresh bpffs over /sys/fs/bpf (so pins never collide with another test or a
running daemon), starts systemd-journald by hand, and gives each test function an `Env` that starts the
daemon (waiting for its READY=1 over a private NOTIFY_SOCKET) and reads records back with journalctl.

BPF sees the whole machine, so tests find their own processes by unique markers in argv, never by assuming
that only their events exist. Waiting for a record is bounded (a hang fails the test) but nothing here
asserts on timing.
"""
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid

DAEMON = os.environ.get("EXECAUDITD", "")
PINS = "/sys/fs/bpf/execauditd"  # the default PinPath, on each test's private bpffs
WAIT_SECONDS = 30
JOURNALD_CONF = """[Journal]
Storage=volatile
RateLimitIntervalSec=0
RateLimitBurst=0
ForwardToSyslog=no
ForwardToWall=no
ForwardToConsole=no
"""


class TestFailure(Exception):
    pass


def check(cond, what, *details):
    if not cond:
        raise TestFailure(what + ("".join("\n    " + repr(d) for d in details)))


def marker():
    return "ea-" + uuid.uuid4().hex[:16]


def storm_execs(out):
    """The execs bench/storm performed, from its output line."""
    return int(out.split("execs=")[1].split()[0])


KERNEL_EVENTS = ("exec", "exec_failed", "exit")


def kernel_seqs(recs):
    """The EXEC_SEQ of the records of kernel events, sorted, duplicates kept."""
    return sorted(r.i("EXEC_SEQ") for r in recs if r.s("EXEC_EVENT") in KERNEL_EVENTS)


def last_taken(recs):
    """The last stopping record's EXEC_SEQ: the last number the kernel took before the daemon stopped."""
    return [r for r in recs if r.s("EXEC_EVENT") == "stopping"][-1].i("EXEC_SEQ")


def seq_gaps(seqs, last, first=1):
    """The EXEC_SEQ numbers from first to last that no record holds, in order: each is a loss to account for."""
    return sorted(set(range(first, last + 1)) - set(seqs))


def fill_stopped_journald(env, mark, n=120):
    """Stops the test's journald and execs n processes with 100-KB argv: records of 200 KiB or more fill its
    socket whatever its queue length (16 MiB at most). The caller sends SIGCONT to env.journald."""
    env.journald.send_signal(signal.SIGSTOP)
    for i in range(n):
        subprocess.run(["/bin/true", mark, str(i), "a" * 100000], check=True)


def parse_export(data):
    """journalctl -o export: 'NAME=value' lines, or NAME, a 64-bit little-endian size and raw bytes."""
    entries, cur, i = [], {}, 0
    while i < len(data):
        nl = data.index(b"\n", i)
        line = data[i:nl]
        if not line:
            if cur:
                entries.append(cur)
            cur, i = {}, nl + 1
            continue
        eq = line.find(b"=")
        if eq >= 0:
            name, value, i = line[:eq].decode(), line[eq + 1:], nl + 1
        else:
            size = struct.unpack("<Q", data[nl + 1:nl + 9])[0]
            name, value = line.decode(), data[nl + 9:nl + 9 + size]
            i = nl + 9 + size + 1
        cur.setdefault(name, []).append(value)
    if cur:
        entries.append(cur)
    return entries


class Record(dict):
    """One journal entry: field name -> list of byte values."""

    def get1(self, name):
        vals = self.get(name)
        check(vals is not None, "field %s missing" % name, self.brief())
        check(len(vals) == 1, "field %s appears %d times" % (name, len(vals)), self.brief())
        return vals[0]

    def s(self, name):
        return self.get1(name).decode("utf-8", "surrogateescape")

    def i(self, name):
        return int(self.get1(name))

    def brief(self):
        return {k: v for k, v in self.items() if k.startswith(("EXEC_", "MESSAGE"))}


def bash_unquote(cmdline):
    """What bash makes of EXEC_CMDLINE: the argv, byte for byte."""
    # On stdin: a command line can be longer than one exec argument may be (128 KiB).
    out = subprocess.run(["bash", "-c", 'c=$(cat); eval "set -- $c"; printf "%s\\0" "$@"'], input=cmdline,
                         stdout=subprocess.PIPE, check=True, env={"LC_ALL": "C"}).stdout
    return out.split(b"\0")[:-1]


def exec_start(unit_text):
    """The program a unit's ExecStart= runs (the generated unit names it by its absolute path)."""
    m = re.search(r"^ExecStart=(\S+)", unit_text, re.M)
    check(m is not None and m.group(1).startswith("/"), "ExecStart= with an absolute path in the unit")
    return m.group(1)


def check_caps_dropped(text):
    """text holds the CapPrm and CapEff lines of the daemon's two threads (/proc/PID/task/TID/status, in
    any wrapping): every set has CAP_BPF, none CAP_SYS_ADMIN or CAP_IPC_LOCK (given up once the daemon is
    started)."""
    sets = re.findall(r"(CapPrm|CapEff):\s*([0-9a-f]+)", text)
    check(len(sets) == 4 and all(not int(v, 16) & (1 << 21 | 1 << 14) and int(v, 16) & (1 << 39) for _, v in sets),
          "CapPrm and CapEff of both threads: CAP_BPF, no CAP_SYS_ADMIN or CAP_IPC_LOCK", text)


def exec_thread_of(info):
    """(pid, tid) that `exectool thread-exec` wrote to info before its exec: the process, and the thread (not
    its leader) that called exec."""
    with open(info) as f:
        pid, tid = map(int, f.read().split())
    check(pid != tid, "exec'd from a thread that is not the leader", info, pid, tid)
    return pid, tid


def tracked_state():
    """`exectool tracked` on the pins: {"owned": N, "hashed": N, "entries": N} (slots of "tracked_slots"
    owned, the programs' count of "tracked" entries, and its entries)."""
    out = subprocess.run([os.environ.get("EA_EXECTOOL", ""), "tracked", PINS], stdout=subprocess.PIPE, text=True,
                         check=True).stdout.split()
    return {out[i]: int(out[i + 1]) for i in range(0, len(out), 2)}


def unmappable_elf(path):
    """An x86-64 executable whose one segment lies in kernel space: the kernel accepts it, replaces the
    process's memory (the point of no return), then fails to map it and kills the process (SIGSEGV)."""
    vaddr = 0xffff800000000000
    ehdr = struct.pack("<16sHHIQQQIHHHHHH", b"\x7fELF\x02\x01\x01" + bytes(9), 2, 62, 1, vaddr + 120, 64, 0, 0,
                       64, 56, 1, 0, 0, 0)
    phdr = struct.pack("<IIQQQQQQ", 1, 5, 0, vaddr, vaddr, 0x1000, 0x1000, 0x1000)
    with open(path, "wb") as f:
        f.write((ehdr + phdr).ljust(0x1000, b"\x90"))
    os.chmod(path, 0o755)


def wait_until(pred, what, timeout=WAIT_SECONDS):
    """pred()'s first true value, polled every 50 ms; TestFailure after timeout seconds."""
    end = time.monotonic() + timeout
    while True:
        r = pred()
        if r:
            return r
        if time.monotonic() > end:
            raise TestFailure("timed out waiting for " + what)
        time.sleep(0.05)


def cgroup2_mount():
    """The cgroup2 mount point, from /proc/self/mountinfo."""
    with open("/proc/self/mountinfo") as f:
        for line in f:
            left, right = line.split(" - ", 1)
            if right.startswith("cgroup2 "):
                return left.split()[4]
    raise RuntimeError("no cgroup2 mount")


def _mount(*args):
    subprocess.run(["mount", *args], check=True)


class NotifyListener:
    """The daemon's NOTIFY_SOCKET, read all the time as PID 1 reads it. A reader that only looks now and then
    lets the queue fill (net.unix.max_dgram_qlen is 10 here); sd_notify() then blocks the daemon's loop, which
    sends a WATCHDOG=1 as soon as a slot frees, so the queue is never seen empty."""

    def __init__(self, path):
        if os.path.exists(path):
            os.unlink(path)
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.sock.settimeout(0.1)
        self.msgs = []
        self.lock = threading.Lock()
        self.done = False
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        while not self.done:
            try:
                m = self.sock.recv(4096).decode()
            except socket.timeout:
                continue
            except OSError:
                return
            with self.lock:
                self.msgs.append(m)

    def take(self):
        with self.lock:
            msgs, self.msgs = self.msgs, []
        return msgs

    def close(self):
        self.done = True
        self.thread.join()
        self.sock.close()


class Env:
    def __init__(self, name):
        self.dir = tempfile.mkdtemp(prefix="ea-it-%s-" % name)
        self.daemon = None
        self.daemon_pid = None
        self.daemon_log = None
        self.notify = None
        self.journald = None
        self.journald_pids = []
        self.config_path = os.path.join(self.dir, "execauditd.conf")

    # -- environment ------------------------------------------------------------------------------
    def setup(self):
        for d in ("/run/systemd/journal", "/run/log/journal", "/var/log/journal"):
            os.makedirs(d, exist_ok=True)
            _mount("-t", "tmpfs", "tmpfs", d)
        conf = os.path.join(self.dir, "journald.conf")
        with open(conf, "w") as f:
            f.write(JOURNALD_CONF)
        if os.path.exists("/etc/systemd/journald.conf"):
            _mount("--bind", conf, "/etc/systemd/journald.conf")
        os.makedirs("/sys/fs/bpf", exist_ok=True)
        _mount("-t", "bpf", "bpf", "/sys/fs/bpf")
        self.start_journald()

    def start_journald(self):
        # Notice and above: its info line for every sync_journal() would fill the kernel log, whose rate
        # limit would then drop the warnings journald_messages() is there to show.
        self.journald = subprocess.Popen(["/lib/systemd/systemd-journald"], stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                         env=dict(os.environ, SYSTEMD_LOG_LEVEL="notice"))
        self.journald_pids.append(self.journald.pid)
        # Up once it answers: the socket files of a journald the test killed refuse connections until this
        # one has bound them again.
        self.wait(lambda: self.journald.poll() is None and _journal_sync().returncode == 0, "journald up")

    def journald_messages(self):
        """What this test's journalds logged about themselves. They log to the kernel's log, not to the
        journal they serve, and a record journald took but did not store (its "Out of memory.", "Failed to
        write entry") shows only there."""
        out = subprocess.run(["dmesg"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout
        tags = tuple(("systemd-journald[%d]:" % p).encode() for p in self.journald_pids)
        return [l.decode(errors="replace") for l in out.splitlines() if any(t in l for t in tags)]

    def teardown(self, keep=False):
        """keep: leave the directory (config, daemon log) for a failed test to be looked at."""
        if self.daemon and self.daemon.poll() is None:
            if self.daemon_pid != self.daemon.pid:
                try:
                    os.kill(self.daemon_pid, signal.SIGKILL)  # a wrapped daemon outlives its wrapper
                except ProcessLookupError:
                    pass
            self.daemon.kill()
            self.daemon.wait()
        if self.journald:
            self.journald.kill()
            self.journald.wait()
        if self.notify:
            self.notify.close()
        if keep:
            print("kept %s" % self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    def wait(self, pred, what, timeout=WAIT_SECONDS):
        return wait_until(pred, what, timeout)

    # -- the daemon -------------------------------------------------------------------------------
    def write_config(self, text, path=None):
        with open(path or self.config_path, "w") as f:
            f.write(text)

    def status(self):
        """execauditd --status of this configuration's pins, as a dict."""
        p = subprocess.run([DAEMON, "--config", self.config_path, "--status"], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, check=False)
        check(p.returncode == 0, "--status", p.stderr)
        return dict(line.split(None, 1) for line in p.stdout.splitlines())

    def notifications(self):
        """The notifications received since the last call."""
        return self.notify.take() if self.notify else []

    def start(self, config=None, wait_ready=True, args=(), wrap=(), wrap_forks=True, stderr=subprocess.STDOUT):
        """wrap: a command the daemon runs under (e.g. unshare); signals then go to the daemon itself.
        wrap_forks=False: the wrapper execs the daemon (setpriv), which then has the wrapper's PID.
        stderr: where its diagnostics go instead of the log (log() then has none)."""
        if config is not None:
            self.write_config(config)
        if self.notify:
            self.notify.close()
        self.notify = NotifyListener(os.path.join(self.dir, "notify.sock"))
        npath = self.notify.path
        self.daemon_log = open(os.path.join(self.dir, "daemon.log"), "w+")
        env = dict(os.environ, NOTIFY_SOCKET=npath)
        self.daemon = subprocess.Popen([*wrap, DAEMON, "--config", self.config_path, *args], env=env,
                                       stdin=subprocess.DEVNULL, stdout=self.daemon_log, stderr=stderr)
        self.daemon_pid = self.daemon.pid
        if wrap and wrap_forks:
            def child():
                path = "/proc/%d/task/%d/children" % (self.daemon.pid, self.daemon.pid)
                with open(path) as f:
                    kids = f.read().split()
                return int(kids[0]) if kids else None

            self.daemon_pid = self.wait(child, "the wrapped daemon")
        if wait_ready:
            self.wait_notify("READY=1")
        return self.daemon

    def wait_notify(self, what):
        seen = []

        def ready():
            check(self.daemon.poll() is None, "daemon exited with %s" % self.daemon.returncode, self.log())
            seen.extend(self.notifications())
            return any(what in m.split("\n") for m in seen)

        self.wait(ready, "sd_notify " + what)
        return seen

    def signal(self, sig):
        os.kill(self.daemon_pid, sig)

    def reload(self):
        self.signal(signal.SIGHUP)
        self.wait_notify("READY=1")

    def stop(self):
        self.signal(signal.SIGTERM)
        return self.daemon.wait(timeout=WAIT_SECONDS)

    def log(self):
        if not self.daemon_log:
            return ""
        self.daemon_log.flush()
        with open(self.daemon_log.name) as f:
            return f.read()

    # -- records ----------------------------------------------------------------------------------
    def sync_journal(self):
        """Waits until this test's journald has stored what was sent to it so far. A datagram sent is only
        queued on its socket, so a record sent just before a reader runs (a stopping daemon's last) could be
        missing from what journalctl shows. `journalctl --sync` (over journald's varlink socket, no systemd
        needed) returns only after every message queued before it. A journald that is gone or stopped
        (SIGSTOP) is not waited for: the test holds it there on purpose."""
        j = self.journald
        if j is None or j.poll() is not None or _stopped(j.pid):
            return
        p = _journal_sync()
        check(p.returncode == 0, "journalctl --sync", p.returncode, p.stdout)

    def records(self, *matches):
        self.sync_journal()
        out = subprocess.run(["journalctl", "--no-pager", "-o", "export", "--all",
                              "SYSLOG_IDENTIFIER=execauditd", *matches],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
        return [Record(e) for e in parse_export(out.stdout)]

    def own(self, recs):
        """The records among recs that the running daemon wrote (others are an earlier daemon's)."""
        pid = str(self.daemon_pid).encode()
        return [r for r in recs if r.get("_PID") == [pid]]

    def find(self, mark, event=None):
        """Records whose EXEC_CMDLINE or EXEC_FILENAME contains mark."""
        m = mark.encode()
        found = []
        for r in self.records(*(["EXEC_EVENT=" + event] if event else [])):
            if any(m in v for k in ("EXEC_CMDLINE", "EXEC_FILENAME") for v in r.get(k, [])):
                found.append(r)
        return found

    def wait_records(self, pred, what, *matches):
        return self.wait(lambda: pred(self.records(*matches)), what)

    def wait_one(self, mark, event, filename=None):
        def found():
            return [r for r in self.find(mark, event)
                    if filename is None or r.get("EXEC_FILENAME") == [filename.encode()]]

        recs = self.wait(found, "%s record of %s" % (event, mark))
        check(len(recs) == 1, "expected one %s record of %s" % (event, mark), *[r.brief() for r in recs])
        return recs[0]

    def wait_exit(self, pid):
        def got():
            return [r for r in self.records("EXEC_EVENT=exit", "EXEC_PID=%d" % pid)]

        recs = self.wait(got, "exit record of pid %d" % pid)
        check(len(recs) == 1, "expected one exit record of pid %d" % pid, *[r.brief() for r in recs])
        return recs[0]


def _journal_sync():
    return subprocess.run(["journalctl", "--sync"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          timeout=WAIT_SECONDS, check=False)


def _stopped(pid):
    """Whether pid is stopped by a signal or a tracer (state T or t in /proc/PID/stat)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] in ("T", "t")
    except (FileNotFoundError, ProcessLookupError):
        return False


def _in_namespace():
    return os.environ.get("EA_IT_NAMESPACE") == "1"


def reexec_in_mount_namespace():
    """Runs this script again in a private mount namespace (once): its journald, bpffs and tracefs mounts
    stay out of the host's."""
    if not _in_namespace():
        env = dict(os.environ, EA_IT_NAMESPACE="1")
        os.execvpe("unshare", ["unshare", "-m", "--propagation", "private", "--", sys.executable,
                               os.path.abspath(sys.argv[0]), *sys.argv[1:]], env)


def main(tests):
    # A test written but left out of the list would never run, and nobody would notice.
    script = sys.modules["__main__"]
    unlisted = sorted(n for n, v in vars(script).items()
                      if n.startswith("test_") and callable(v) and v not in tests)
    if unlisted:
        print("tests defined but not in main()'s list: %s" % ", ".join(unlisted))
        sys.exit(1)
    if os.geteuid() != 0:
        print("integration tests need root (BPF, mounts, journald)")
        # Under CI the root suites must run: not being root there is a failure, never a skip.
        sys.exit(1 if os.environ.get("CI") else 77)
    if not DAEMON or not os.access(DAEMON, os.X_OK):
        print("EXECAUDITD must name the built daemon")
        sys.exit(1)
    reexec_in_mount_namespace()
    only = sys.argv[1:]
    failed = 0
    for t in tests:
        if only and t.__name__ not in only:
            continue
        env = Env(t.__name__)
        ok = False
        try:
            env.setup()
            t(env)
            print("ok   %s" % t.__name__)
            ok = True
        except Exception as e:
            failed += 1
            print("FAIL %s: %s" % (t.__name__, e))
            if not isinstance(e, TestFailure):
                traceback.print_exc()
            print("---- daemon log ----\n%s--------------------" % env.log())
            print("---- journald's own messages (kernel log) ----\n%s\n--------------------"
                  % "\n".join(env.journald_messages()))
        finally:
            env.teardown(keep=not ok)
            # Each test gets fresh mounts: undo this one's.
            for d in ("/sys/fs/bpf", "/etc/systemd/journald.conf", "/var/log/journal", "/run/log/journal",
                      "/run/systemd/journal", "/etc/nsswitch.conf"):
                subprocess.run(["umount", "-l", d], stderr=subprocess.DEVNULL, check=False)
    print("%d failed" % failed)
    sys.exit(1 if failed else 0)

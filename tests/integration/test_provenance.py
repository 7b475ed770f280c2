#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Records an investigator can trust: what really ran (EXEC_EXE, EXEC_INTERPRETER, fileless executables),
where and for whom (EXEC_CWD, login uid and session, terminal, unit and container, pid namespace), who
started it (EXEC_ID, EXEC_PARENT_*), what it cost (exit records), and argv exactly as the new image got it.

The odd exec shapes come from tests/helpers/exectool.c (EA_EXECTOOL): a subcommand each, writing what the
process saw right before its exec to an INFO file that the test compares with the record."""
import contextlib
import errno
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

from harness import tracked_state, fill_stopped_journald, check, main, marker, bash_unquote, cgroup2_mount

EXECTOOL = os.environ.get("EA_EXECTOOL", "")
TRUE = os.path.realpath("/bin/true")
SH = os.path.realpath("/bin/sh")
UNSET_ID = 4294967295  # loginuid and sessionid when never set
PROC_PID_INIT_INO = 0xEFFFFFFC  # the initial pid namespace's inode


# -- helpers ----------------------------------------------------------------------------------------------
def tool(*args, **kw):
    """Runs exectool to completion; it must succeed."""
    check(EXECTOOL and os.access(EXECTOOL, os.X_OK), "EA_EXECTOOL must name the built exectool", EXECTOOL)
    p = subprocess.run([EXECTOOL, *args], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, **kw)
    check(p.returncode == 0, "exectool %s failed (%d)" % (args[0], p.returncode), p.stderr)
    return p


def spawn(*args, **kw):
    check(EXECTOOL and os.access(EXECTOOL, os.X_OK), "EA_EXECTOOL must name the built exectool", EXECTOOL)
    return subprocess.Popen([EXECTOOL, *args], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, **kw)


def tool_exe():
    return os.path.realpath(EXECTOOL)


@contextlib.contextmanager
def scratch():
    """A fresh directory without symlinks in its path, removed afterwards."""
    d = tempfile.mkdtemp(prefix="ea-prov-")
    try:
        yield os.path.realpath(d)
    finally:
        shutil.rmtree(d, ignore_errors=True)


def copy_exe(src, dst):
    shutil.copyfile(src, dst)
    os.chmod(dst, 0o755)
    return dst


def read_info(path):
    with open(path) as f:
        return f.read().split()


def some(env, mark, what, pred, n, event="exec"):
    """The n records of event that have mark in their argv or filename and that pred accepts."""
    def found():
        recs = [r for r in env.find(mark, event) if pred(r)]
        return recs if len(recs) >= n else None

    recs = env.wait(found, "%d %s record(s) of %s (%s)" % (n, event, mark, what))
    check(len(recs) == n, "expected %d %s record(s) of %s (%s)" % (n, event, mark, what),
          *[r.brief() for r in recs])
    return recs


def one(env, mark, what, pred, event="exec"):
    return some(env, mark, what, pred, 1, event)[0]


def not_exectool(r):
    """The exec a test is about, not the exectool exec that carries its marker in argv."""
    return r.get("EXEC_COMM") != [b"exectool"]


def with_filename(path):
    return lambda r: r.get("EXEC_FILENAME") == [os.fsencode(path)]


def absent(r, *fields):
    there = [f for f in fields if f in r]
    check(not there, "fields must be absent: %s" % " ".join(there), r.brief())


def exactly_once(r):
    """Every EXEC_ field appears once: nothing a process controls added a value."""
    dup = {k: v for k, v in r.items() if k.startswith("EXEC_") and len(v) != 1}
    check(not dup, "EXEC_ fields with more than one value", dup)


def nested_pidns():
    """Whether this test itself runs in a pid namespace below the initial one."""
    with open("/proc/self/status") as f:
        nspid = [l.split()[1:] for l in f if l.startswith("NSpid:")]
    return bool(nspid and len(nspid[0]) > 1) or os.stat("/proc/self/ns/pid").st_ino != PROC_PID_INIT_INO


def own_cgroup():
    with open("/proc/self/cgroup") as f:
        return [l.split(":", 2)[2].strip() for l in f if l.startswith("0::")][0]


def rmdir_cgroup(path):
    """An exited process leaves its cgroup a moment after it is reaped."""
    for _ in range(100):
        try:
            os.rmdir(path)
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.05)
    os.rmdir(path)


def wait_stable(env, what, count, expected, settle=1.0):
    """count() reaches expected and stays there for settle seconds (nothing late adds to it)."""
    env.wait(lambda: count() >= expected, what)
    time.sleep(settle)
    n = count()
    check(n == expected, "%s: %d, expected %d" % (what, n, expected))


# -- what was executed: EXEC_EXE, EXEC_INTERPRETER, EXEC_FILELESS ---------------------------------------------
def test_exe_relative_path(env):
    env.start("")
    m = marker()
    with scratch() as d:
        prog = copy_exe("/bin/true", os.path.join(d, "prog-" + m))
        subprocess.run(["./" + os.path.basename(prog), m], cwd=d, check=True)
        r = env.wait_one(m, "exec")
        check(r.s("EXEC_FILENAME") == "./prog-" + m, "EXEC_FILENAME is what was passed", r.brief())
        check(r.s("EXEC_EXE") == prog, "EXEC_EXE is the absolute path", prog, r.brief())
        check(r.s("EXEC_CWD") == d, "EXEC_CWD", d, r.brief())
        absent(r, "EXEC_FILELESS", "EXEC_EXE_INODE", "EXEC_EXE_DEV", "EXEC_INTERPRETER", "EXEC_ARGV0_MISSING",
               "EXEC_ROOT", "EXEC_EXE_TRUNCATED", "EXEC_CWD_TRUNCATED")


def test_exe_execveat_and_fexecve(env):
    env.start("")
    with scratch() as d:
        prog = copy_exe("/bin/true", os.path.join(d, "prog"))
        m = marker()
        p = spawn("execveat", d, "prog", "prog", m)
        check(p.wait() == 0, "exectool execveat")
        r = one(env, m, "execveat(dirfd, \"prog\")", not_exectool)
        check(r.i("EXEC_PID") == p.pid, "execveat keeps the pid", p.pid, r.brief())
        check(r.s("EXEC_EXE") == prog, "EXEC_EXE of execveat(dirfd, name)", prog, r.brief())
        check(r.s("EXEC_FILENAME") == "prog", "EXEC_FILENAME without the kernel's /dev/fd/N/", r.brief())
        absent(r, "EXEC_FILELESS", "EXEC_INTERPRETER")

        # An absolute name is the caller's, even one that looks like the kernel's prefix (exectool's
        # directory is its fd 3: it has 0-2 only).
        m = marker()
        p = spawn("execveat", d, "/dev/fd/3/prog", "prog", m)
        check(p.wait() == 0, "exectool execveat of /dev/fd/3/prog")
        r = one(env, m, "execveat(dirfd, \"/dev/fd/3/prog\")", not_exectool)
        check(r.s("EXEC_FILENAME") == "/dev/fd/3/prog", "EXEC_FILENAME as passed", r.brief())

        m = marker()
        p = spawn("fexecve", prog, "prog", m)
        check(p.wait() == 0, "exectool fexecve")
        r = one(env, m, "fexecve", not_exectool)
        check(r.i("EXEC_PID") == p.pid, "fexecve keeps the pid", p.pid, r.brief())
        check(r.s("EXEC_EXE") == prog, "EXEC_EXE of fexecve", prog, r.brief())
        check(r.s("EXEC_FILENAME") == "", "EXEC_FILENAME empty for fexecve", r.brief())
        absent(r, "EXEC_FILELESS", "EXEC_INTERPRETER")


def test_exe_symlink(env):
    env.start("")
    m = marker()
    with scratch() as d:
        real = copy_exe("/bin/true", os.path.join(d, "real-" + m))
        link = os.path.join(d, "link-" + m)
        os.symlink(os.path.basename(real), link)
        subprocess.run([link, m], check=True)
        r = env.wait_one(m, "exec")
        check(r.s("EXEC_FILENAME") == link, "EXEC_FILENAME is the link", link, r.brief())
        check(r.s("EXEC_EXE") == real, "EXEC_EXE is the link's target", real, r.brief())
    # /bin is a symlink to usr/bin on a merged-/usr system: resolved too.
    m = marker()
    subprocess.run(["/bin/true", m], check=True)
    r = env.wait_one(m, "exec")
    check(r.s("EXEC_FILENAME") == "/bin/true" and r.s("EXEC_EXE") == TRUE, "EXEC_EXE of /bin/true", TRUE,
          r.brief())


def write_script(path, interpreter="/bin/sh"):
    with open(path, "w") as f:
        f.write("#!%s\nexit 0\n" % interpreter)
    os.chmod(path, 0o755)
    return path


def test_script_absolute_path(env):
    env.start("")
    m = marker()
    with scratch() as d:
        script = write_script(os.path.join(d, "script-" + m))
        subprocess.run([script, m], check=True)
        r = one(env, m, "the script", with_filename(script))
        check(r.s("EXEC_EXE") == script, "EXEC_EXE is the script", script, r.brief())
        check(r.s("EXEC_INTERPRETER") == SH, "EXEC_INTERPRETER is the resolved interpreter", SH, r.brief())
        absent(r, "EXEC_FILELESS")


def test_script_relative_path(env):
    env.start("")
    m = marker()
    with scratch() as d:
        write_script(os.path.join(d, "script-" + m))
        # execve("script-...") from d: a relative name without "./", not searched in PATH.
        tool("exec", "script-" + m, "script", m, cwd=d)
        r = one(env, m, "the script", with_filename("script-" + m))
        check(r.s("EXEC_EXE") == os.path.join(d, "script-" + m), "EXEC_EXE is the script made absolute", d,
              r.brief())
        check(r.s("EXEC_INTERPRETER") == SH, "EXEC_INTERPRETER", SH, r.brief())
        check(r.s("EXEC_CWD") == d, "EXEC_CWD", d, r.brief())


def script_and_link(d):
    """d/real/script, and d/link, a relative symlink to it."""
    os.mkdir(os.path.join(d, "real"))
    script = write_script(os.path.join(d, "real", "script"))
    link = os.path.join(d, "link")
    os.symlink(os.path.join("real", "script"), link)
    return script, link


def test_script_symlink_and_dirfd(env):
    """The script the kernel opened, resolved: through a symlink, and by execveat() relative to a dirfd."""
    env.start("")
    with scratch() as d:
        script, link = script_and_link(d)
        m = marker()
        subprocess.run([link, m], check=True)
        r = one(env, m, "the script by its symlink", with_filename(link))
        check(r.s("EXEC_EXE") == script, "EXEC_EXE is the script the link points to", script, r.brief())
        check(r.s("EXEC_INTERPRETER") == SH, "EXEC_INTERPRETER", SH, r.brief())

        m = marker()
        p = spawn("execveat", os.path.join(d, "real"), "script", "script", m)
        check(p.wait() == 0, "exectool execveat of a script")
        r = one(env, m, "execveat(dirfd, \"script\")", not_exectool)
        check(r.s("EXEC_EXE") == script, "EXEC_EXE of a script run by execveat(dirfd, name)", script, r.brief())
        check(r.s("EXEC_INTERPRETER") == SH, "EXEC_INTERPRETER", SH, r.brief())

        # The name as the kernel copied it, not as a probe read at the syscall entry saw it (here: not at
        # all, the page was not mapped in yet).
        m = marker()
        p = spawn("cold-execveat", os.path.join(d, "real"), "script", "script", m)
        check(p.wait() == 0, "exectool cold-execveat of a script")
        r = one(env, m, "execveat(dirfd, \"script\" on a cold page)", not_exectool)
        check(r.get1("EXEC_FILENAME") == b"script", "EXEC_FILENAME as the kernel copied it", r.brief())
        check(r.s("EXEC_EXE") == script, "EXEC_EXE", script, r.brief())

        # A script that runs a script: the one exec'd is named, the last interpreter ran.
        outer = os.path.join(d, "outer")
        with open(outer, "w") as f:
            f.write("#!%s\n" % script)
        os.chmod(outer, 0o755)
        m = marker()
        subprocess.run([outer, m], check=False)
        r = one(env, m, "a script interpreted by a script", with_filename(outer))
        check(r.s("EXEC_EXE") == outer, "EXEC_EXE is the outer script", outer, r.brief())


def test_script_exec_with_io_uring_in_flight(env):
    """An exec that cancels io_uring requests runs the task's pending work early: the script's release is
    gone by the time the new image starts, and what is queued then are the old image's files (its loader
    first). For a process that had io_uring, the record falls back to the name, never to one of those."""
    env.start("")
    with scratch() as d:
        script, link = script_and_link(d)
        m = marker()
        p = spawn("uring", link, link, m)
        check(p.wait() == 0, "exectool uring of a script")
        r = one(env, m, "the script, exec'd with a request in flight", not_exectool)
        check(r.s("EXEC_EXE") == link and "EXEC_EXE_INODE" not in r, "EXEC_EXE is the name it was run by",
              link, r.brief())
        check(r.s("EXEC_INTERPRETER") == SH, "EXEC_INTERPRETER", SH, r.brief())


def test_script_with_kernel_addresses_hidden(env):
    """kernel.kptr_restrict=2 hides ____fput's address even from root: the script is then recorded by the
    name it was run by, and the daemon says so when it loads its programs."""
    with open("/proc/sys/kernel/kptr_restrict") as f:
        old = f.read()
    try:
        with open("/proc/sys/kernel/kptr_restrict", "w") as f:
            f.write("2")
        env.start("")
    finally:
        with open("/proc/sys/kernel/kptr_restrict", "w") as f:
            f.write(old)
    check("does not show the address of ____fput" in env.log(), "the daemon says so", env.log())
    with scratch() as d:
        link = script_and_link(d)[1]
        m = marker()
        subprocess.run([link, m], check=True)
        r = one(env, m, "the script by its symlink", with_filename(link))
        check(r.s("EXEC_EXE") == link, "EXEC_EXE is the name it was run by", link, r.brief())
    check(env.stop() == 0, "clean stop")
    p = subprocess.run([os.environ["EXECAUDITD"], "--config", env.config_path, "--remove-pins"], check=False)
    check(p.returncode == 0, "--remove-pins", p.returncode)
    env.start("")
    check("Adopted" not in env.log() and "____fput" not in env.log(), "loaded again, with addresses shown: "
          "nothing to say", env.log())


@contextlib.contextmanager
def binfmt_misc(name, magic, interpreter, flags):
    """A binfmt_misc handler, registered for the block and removed after (the registrations are global)."""
    mnt = "/proc/sys/fs/binfmt_misc"
    if not os.path.exists(mnt + "/register"):
        subprocess.run(["mount", "-t", "binfmt_misc", "binfmt_misc", mnt], check=True)
    with open(mnt + "/register", "w") as f:
        f.write(":%s:M::%s::%s:%s" % (name, magic, interpreter, flags))
    try:
        yield
    finally:
        with open(mnt + "/" + name, "w") as f:
            f.write("-1")


def test_binfmt_misc(env):
    """A file run through binfmt_misc is the executable, its handler the interpreter; also with the O flag
    (the handler gets the file open, as qemu-user's do), where the kernel keeps the file instead of
    putting it."""
    env.start("")
    with scratch() as d:
        handler = copy_exe("/bin/true", os.path.join(d, "handler"))
        for flags in ("", "O"):
            name = "ea-it-%d%s" % (os.getpid(), flags)
            with binfmt_misc(name, "EATEST" + flags, handler, flags):
                prog = os.path.join(d, "prog" + flags)
                with open(prog, "w") as f:
                    f.write("EATEST%s\n" % flags)
                os.chmod(prog, 0o755)
                m = marker()
                # Exec'd in place by sh: sh's own image is let go in the same exec.
                subprocess.run(["/bin/sh", "-c", 'exec "$0" "$1"', prog, m], check=True)
                r = one(env, m, "a binfmt_misc file (flags %r)" % flags, with_filename(prog))
            check(r.s("EXEC_EXE") == prog, "EXEC_EXE is the file (flags %r)" % flags, prog, r.brief())
            check(r.s("EXEC_INTERPRETER") == handler, "EXEC_INTERPRETER is the handler", handler, r.brief())


def fileless(env, m, p, info):
    """The exec record of a fileless executable p (exectool sleeping in it), checked against the kernel's
    own /proc/PID/exe and the identity exectool wrote to info."""
    try:
        r = one(env, m, "fileless exec", not_exectool)
        ino, dev = read_info(info)
        exe = os.readlink("/proc/%d/exe" % p.pid)  # the kernel's text for it, while it still runs
    finally:
        p.kill()
        p.wait()
    check(r.i("EXEC_PID") == p.pid, "EXEC_PID", p.pid, r.brief())
    check(r.s("EXEC_FILELESS") == "1", "EXEC_FILELESS=1", r.brief())
    check(r.s("EXEC_EXE") == exe, "EXEC_EXE as /proc/PID/exe shows it", exe, r.brief())
    check(r.i("EXEC_EXE_INODE") == int(ino), "EXEC_EXE_INODE", ino, r.brief())
    check(r.s("EXEC_EXE_DEV") == dev, "EXEC_EXE_DEV", dev, r.brief())
    return r


def test_fileless_memfd(env):
    env.start("")
    m = marker()
    with scratch() as d:
        info = os.path.join(d, "info")
        # A copy of exectool in the memfd, sleeping, so /proc/PID/exe can be read.
        p = spawn("memfd", "payload", EXECTOOL, info, "payload", "sleep", "30000", m)
        r = fileless(env, m, p, info)
        check(r.s("EXEC_EXE").startswith("/memfd:payload"), "a memfd's EXEC_EXE", r.brief())


def test_fileless_deleted_binary(env):
    env.start("")
    m = marker()
    with scratch() as d:
        info = os.path.join(d, "info")
        gone = copy_exe(EXECTOOL, os.path.join(d, "gone-" + m))
        p = spawn("deleted", gone, info, "gone", "sleep", "30000", m)
        r = fileless(env, m, p, info)
        check(r.s("EXEC_EXE") == gone + " (deleted)", "a deleted file's EXEC_EXE", gone, r.brief())


def test_fileless_o_tmpfile(env):
    env.start("")
    m = marker()
    with scratch() as d:
        info = os.path.join(d, "info")
        p = spawn("tmpfile", d, EXECTOOL, info, "anon", "sleep", "30000", m)
        r = fileless(env, m, p, info)
        check(r.s("EXEC_EXE").startswith(d + "/") and r.s("EXEC_EXE").endswith(" (deleted)"),
              "an O_TMPFILE's EXEC_EXE", r.brief())


def test_deleted_cwd_and_parent_exe(env):
    """A working directory removed under a process, and a parent running from a deleted file, say so in
    fields of their own (EXEC_CWD keeps its exact bytes): a directory named "... (deleted)" cannot pass for
    one."""
    env.start("")
    m = marker()
    with scratch() as d:
        sh = copy_exe("/bin/sh", os.path.join(d, "sh-" + m))
        wd = os.path.join(d, "wd-%s (deleted)" % m)
        os.mkdir(wd)
        script = 'cd "$1" && /bin/true "$2" before && rm "$0" && rmdir "$1" && /bin/true "$2" after; :'
        subprocess.run([sh, "-c", script, sh, wd, m], check=True)
        before = one(env, m, "the exec before", lambda r: r.s("EXEC_CMDLINE").endswith(" before"))
        after = one(env, m, "the exec after", lambda r: r.s("EXEC_CMDLINE").endswith(" after"))
    check(before.s("EXEC_CWD") == wd and before.s("EXEC_PARENT_EXE") == sh, "the paths", before.brief())
    absent(before, "EXEC_CWD_DELETED", "EXEC_PARENT_EXE_DELETED")
    check(after.s("EXEC_CWD") == wd and after.s("EXEC_PARENT_EXE") == sh, "the same paths, as they were",
          after.brief())
    check(after.s("EXEC_CWD_DELETED") == "1" and after.s("EXEC_PARENT_EXE_DELETED") == "1",
          "EXEC_CWD_DELETED=1 and EXEC_PARENT_EXE_DELETED=1", after.brief())
    absent(after, "EXEC_FILELESS", "EXEC_INTERPRETER_DELETED")


def test_argv0_missing(env):
    env.start("")
    m = marker()
    with scratch() as d:
        prog = copy_exe("/bin/true", os.path.join(d, "noargv-" + m))
        tool("noargv", prog)
        r = one(env, m, "execve(path, {NULL})", with_filename(prog))
        check(r.i("EXEC_ARGC") == 0, "EXEC_ARGC=0", r.brief())
        check(r.s("EXEC_ARGV0_MISSING") == "1", "EXEC_ARGV0_MISSING=1", r.brief())
        check(r.s("EXEC_EXE") == prog, "EXEC_EXE", r.brief())
        # The exec that carried the marker in a normal argv has no such flag.
        helper = one(env, m, "exectool itself", lambda x: not not_exectool(x))
        absent(helper, "EXEC_ARGV0_MISSING")
    # No bytes of argv captured: still nothing cut, since no argument existed (the kernel's "" is not one).
    env.write_config("[Capture]\nMaxArgsBytes=0\n")
    env.reload()
    m = marker()
    with scratch() as d:
        prog = copy_exe("/bin/true", os.path.join(d, "noargv-" + m))
        tool("noargv", prog)
        r = one(env, m, "execve(path, {NULL}), MaxArgsBytes=0", with_filename(prog))
        check(r.s("EXEC_ARGV0_MISSING") == "1" and r.s("EXEC_ARGS_TRUNCATED") == "0", "argc 0, nothing cut",
              r.brief())
        missing = os.path.join(d, "missing-" + m)
        p = subprocess.run([EXECTOOL, "noargv", missing], stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        check(p.returncode != 0, "the exec of a missing file fails", p.returncode)
        f = one(env, m, "the failed one", with_filename(missing), "exec_failed")
        check(f.s("EXEC_ARGV0_MISSING") == "1" and f.s("EXEC_ARGS_TRUNCATED") == "0", "the same when it fails",
              f.brief())


def test_argv_array_not_mapped_in(env):
    # The caller's array of argument pointers is on a page the kernel faults in and a BPF probe read cannot
    # see. That must not pass for an empty argv: a successful exec's argv comes from the new image.
    env.start("")
    m = marker()
    with scratch() as d:
        prog = copy_exe("/bin/true", os.path.join(d, "cold-" + m))
        tool("cold-argv", prog, "cold-" + m, "two", m)
        r = one(env, m, "execve(path, cold argv)", with_filename(prog))
        check(r.i("EXEC_ARGC") == 3, "EXEC_ARGC=3", r.brief())
        check(bash_unquote(r.get1("EXEC_CMDLINE")) == [b"cold-" + m.encode(), b"two", m.encode()],
              "EXEC_CMDLINE", r.brief())
        absent(r, "EXEC_ARGV0_MISSING")
        # A failed exec has only the caller's memory: what it cannot read is marked, never an empty argv.
        missing = os.path.join(d, "missing-" + m)
        p = subprocess.run([EXECTOOL, "cold-argv", missing, "missing", "two", m], stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        check(p.returncode != 0, "the exec of a missing file fails", p.returncode)
        f = env.wait_records(lambda rs: rs, "failed exec of " + missing, "EXEC_EVENT=exec_failed",
                             "EXEC_FILENAME=" + missing)[0]
        check(f.s("EXEC_ERRNO") == "ENOENT", "ENOENT", f.brief())
        check(f.s("EXEC_ARGS_TRUNCATED") == "1" and f.s("EXEC_ARGC_IS_MINIMUM") == "1",
              "unread arguments marked", f.brief())
        absent(f, "EXEC_ARGV0_MISSING")
        # A name nobody could read is marked: an empty EXEC_FILENAME alone means AT_EMPTY_PATH.
        m = marker()
        p = subprocess.run([EXECTOOL, "bad-name", "bad-name-" + m], stdin=subprocess.DEVNULL)
        check(p.returncode == 0, "execve of an unreadable name fails with EFAULT", p.returncode)
        f = env.wait_records(lambda rs: [r for r in rs if m in r.s("EXEC_CMDLINE")],
                             "failed exec of an unreadable name", "EXEC_EVENT=exec_failed", "EXEC_ERRNO=EFAULT")[0]
        check(f.s("EXEC_FILENAME") == "" and f.s("EXEC_FILENAME_TRUNCATED") == "1", "name unknown, marked",
              f.brief())


def test_failed_exec_argument_cut_at_a_chunk(env):
    """A failed exec's argument split between two pieces of argv, whose rest cannot be read: the piece
    read ends it, and the next argument stays an argument of its own."""
    env.start("[Capture]\nMaxArgsBytes=65536\n")
    m = marker()
    with scratch() as d:
        missing = os.path.join(d, "missing-" + m)
        # The first piece holds 32767 bytes: argv[0] and 50 bytes of the 100 that end the mapped page.
        filler = "f" * (32767 - 50 - 1)
        head, tail = "h" * 50 + "H" * 50, "cold-tail"
        p = subprocess.run([EXECTOOL, "cold-tail", missing, filler, head, tail, "after-" + m],
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        check(p.returncode != 0, "the exec of a missing file fails", p.returncode)
        f = env.wait_records(lambda rs: rs, "failed exec of " + missing, "EXEC_EVENT=exec_failed",
                             "EXEC_FILENAME=" + missing)[0]
        check(f.s("EXEC_ARGS_TRUNCATED") == "1", "the unread rest marked", f.brief())
        check(bash_unquote(f.get1("EXEC_CMDLINE")) == [filler.encode(), b"h" * 50, b"after-" + m.encode()],
              "three arguments, the second cut where the read stopped",
              [a[:60] for a in bash_unquote(f.get1("EXEC_CMDLINE"))])


# -- argv, exactly -------------------------------------------------------------------------------------------
def test_argv_race_with_rewriting_thread(env):
    env.start("")
    with scratch() as d:
        for i in range(8):
            m = marker()
            out = os.path.join(d, "argv-%d" % i)
            # 8 arguments of 2 KiB that a thread keeps rewriting while execve copies them.
            tool("race", out, m, "8", "2048")
            r = one(env, m, "dump-argv", lambda x: b" dump-argv " in x.get1("EXEC_CMDLINE"))
            with open(out, "rb") as f:
                got = f.read().split(b"\0")[:-1]
            check(len(got) == 12, "the new image got its argv", len(got))
            check(bash_unquote(r.get1("EXEC_CMDLINE")) == got, "EXEC_CMDLINE is what the new image received",
                  r.get1("EXEC_CMDLINE")[:300], [a[:40] for a in got])
            check(r.i("EXEC_ARGC") == len(got), "EXEC_ARGC", r.brief())
            check(r.i("EXEC_ARGS_SIZE") == sum(len(a) + 1 for a in got), "EXEC_ARGS_SIZE", r.brief())
            check(r.s("EXEC_ARGS_TRUNCATED") == "0", "not truncated", r.brief())


def padded_argv(m):
    """3000 arguments of 20 bytes between the marker and a payload: 63 KB in all."""
    return ["/bin/true", m] + ["%020d" % i for i in range(3000)] + ["PAYLOAD-" + m]


def test_args_padding_truncated_by_default(env):
    env.start("")
    m = marker()
    argv = padded_argv(m)
    subprocess.run(argv, check=True)
    r = env.wait_one(m, "exec")
    check(r.i("EXEC_ARGC") == 3003, "exact EXEC_ARGC", r.brief())
    check(r.i("EXEC_ARGS_SIZE") == sum(len(a) + 1 for a in argv), "exact EXEC_ARGS_SIZE",
          sum(len(a) + 1 for a in argv), r.brief())
    check(r.s("EXEC_ARGS_TRUNCATED") == "1", "EXEC_ARGS_TRUNCATED=1 over 32768 bytes", r.brief())
    cmd = r.get1("EXEC_CMDLINE")
    check(b"PAYLOAD-" not in cmd, "the payload is past what was captured", len(cmd))
    # Only safe characters: EXEC_CMDLINE is argv joined with spaces, a prefix of it here.
    check(b" ".join(a.encode() for a in argv).startswith(cmd) and len(cmd) <= 32768,
          "a prefix of argv, at most MaxArgsBytes", len(cmd))
    check(len(cmd) > 30000, "nearly MaxArgsBytes captured", len(cmd))


def test_args_padding_complete_with_larger_limit(env):
    env.start("[Capture]\nMaxArgsBytes=131072\n")
    m = marker()
    argv = padded_argv(m)
    subprocess.run(argv, check=True)
    r = env.wait_one(m, "exec")
    check(r.i("EXEC_ARGC") == 3003, "exact EXEC_ARGC", r.brief())
    check(r.i("EXEC_ARGS_SIZE") == sum(len(a) + 1 for a in argv), "exact EXEC_ARGS_SIZE", r.brief())
    check(r.s("EXEC_ARGS_TRUNCATED") == "0", "EXEC_ARGS_TRUNCATED=0", r.brief())
    check(r.get1("EXEC_CMDLINE") == b" ".join(a.encode() for a in argv), "the whole argv, payload included",
          r.get1("EXEC_CMDLINE")[-100:])


def big_argument(m):
    """131071 bytes (MAX_ARG_STRLEN with its NUL) that no prefix can pass for: it ends in END-marker."""
    tail = "END-" + m
    body = "".join("%07d-" % i for i in range(131071 // 8 + 1))
    return body[:131071 - len(tail)] + tail


def test_one_128k_argument(env):
    env.start("[Capture]\nMaxArgsBytes=262144\n")
    m = marker()
    big = big_argument(m)
    check(len(big) == 131071, "the argument's size")
    argv = ["/bin/true", m, big]
    subprocess.run(argv, check=True)
    r = env.wait_one(m, "exec")
    check(r.s("EXEC_ARGS_TRUNCATED") == "0", "EXEC_ARGS_TRUNCATED=0", r.get("EXEC_ARGS_TRUNCATED"))
    check(r.i("EXEC_ARGC") == 3, "EXEC_ARGC", r.get("EXEC_ARGC"))
    check(r.i("EXEC_ARGS_SIZE") == sum(len(a) + 1 for a in argv), "EXEC_ARGS_SIZE", r.get("EXEC_ARGS_SIZE"))
    cmd = r.get1("EXEC_CMDLINE")
    check(cmd == " ".join(argv).encode(), "the whole argument", len(cmd), cmd[-60:])

    # The same argv in a failed exec.
    m = marker()
    argv = ["/nonexistent/" + m, big]
    try:
        subprocess.run(argv)
    except FileNotFoundError:
        pass
    f = env.wait_one(m, "exec_failed")
    check(f.s("EXEC_ARGS_TRUNCATED") == "0", "failed exec: EXEC_ARGS_TRUNCATED=0", f.get("EXEC_ARGS_TRUNCATED"))
    check(f.i("EXEC_ARGC") == 2, "failed exec: EXEC_ARGC", f.get("EXEC_ARGC"))
    cmd = f.get1("EXEC_CMDLINE")
    check(cmd == " ".join(argv).encode(), "failed exec: the whole argument", len(cmd), cmd[-60:])


def test_record_larger_than_a_datagram(env):
    """Without CAP_NET_ADMIN (as under the shipped unit) the send buffer stays at net.core.wmem_max, and an
    entry larger than that goes to journald as a sealed memfd: it must arrive whole. wmem_max is set to the
    kernel's default for the daemon's socket (this machine's is 4 MiB); root's sockets elsewhere force theirs."""
    path = "/proc/sys/net/core/wmem_max"
    with open(path) as f:
        saved = f.read().strip()
    wmem_max = 212992
    try:
        with open(path, "w") as f:
            f.write(str(wmem_max))
        env.start("[Capture]\nMaxArgsBytes=262144\n", wrap=["setpriv", "--bounding-set", "-net_admin", "--"],
                  wrap_forks=False)
        m = marker()
        env.wait_records(lambda rs: rs, "the started record", "EXEC_EVENT=started")
    finally:
        with open(path, "w") as f:
            f.write(saved)
    # Control bytes are quoted as \xNN: 4 bytes per byte, in EXEC_CMDLINE and again in MESSAGE.
    argv = [b"/bin/true", m.encode(), b"\x01" * 100000, b"\x02" * 100000]
    subprocess.run(argv, check=True)
    r = env.wait_one(m, "exec")
    cmd = r.get1("EXEC_CMDLINE")
    check(len(cmd) + len(r.get1("MESSAGE")) > 2 * wmem_max, "an entry larger than the socket can take", len(cmd),
          wmem_max)
    check(bash_unquote(cmd) == argv, "the whole argv, byte for byte", len(cmd))
    check(r.i("EXEC_ARGC") == 4 and r.s("EXEC_ARGS_TRUNCATED") == "0", "EXEC_ARGC, not truncated", r.brief())
    check(not env.records("EXEC_EVENT=lost"), "nothing lost", env.records("EXEC_EVENT=lost"))


def test_argv_invalid_utf8_and_control_bytes(env):
    env.start("")
    m = marker()
    argv = [b"/bin/true", m.encode(),
            b"\xff\xfe", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\x80", b"caf\xc3", b"\xe6\x97",
            bytes(range(1, 256)), b"\r\t\x7f\x1b[2J\x08", b"x\nEXEC_UID=0", b"\nEXEC_EXE=/forged\n",
            b"EXEC_CWD=/forged", b"x\nMESSAGE_ID=forged", b"\n\n", b" ", b""]
    # uid 1000, so a forged EXEC_UID=0 would be visible.
    subprocess.run(["setpriv", "--reuid=1000", "--regid=1000", "--clear-groups", *argv], check=True)
    r = env.wait_one(m, "exec", filename="/bin/true")
    exactly_once(r)
    cmd = r.get1("EXEC_CMDLINE")
    check(all(b >= 0x20 and b != 0x7f for b in cmd), "no control bytes in EXEC_CMDLINE", cmd)
    check(bash_unquote(cmd) == argv, "bash gives back argv byte for byte", cmd, argv)
    check(r.i("EXEC_ARGC") == len(argv), "EXEC_ARGC", r.brief())
    check(r.i("EXEC_ARGS_SIZE") == sum(len(a) + 1 for a in argv), "EXEC_ARGS_SIZE", r.brief())
    check(r.i("EXEC_UID") == 1000, "the real uid", r.brief())
    check(r.s("EXEC_EXE") == TRUE, "the real EXEC_EXE", r.brief())
    check(r.s("EXEC_CWD") == os.getcwd(), "the real EXEC_CWD", r.brief())
    check(len(r["MESSAGE_ID"]) == 1, "one MESSAGE_ID", r["MESSAGE_ID"])
    # The command line is rightly in EXEC_CMDLINE, MESSAGE and, while the process lives, in journald's own
    # OBJECT_CMDLINE (read from /proc/PID/cmdline because the record has OBJECT_PID). Nowhere else.
    carriers = ("EXEC_CMDLINE", "MESSAGE", "OBJECT_CMDLINE")
    forged = [{k: vs for k, vs in x.items() if k not in carriers and any(b"forged" in v for v in vs)}
              for x in env.records()]
    check(not any(forged), "no forged field in any record", [f for f in forged if f])
    dup = [{k: vs for k, vs in x.items() if k.startswith("EXEC_") and len(vs) > 1} for x in env.records()]
    check(not any(dup), "every EXEC_ field once per record", [d for d in dup if d])


# -- where and for whom ------------------------------------------------------------------------------------
def test_cwd_exact_bytes(env):
    env.start("")
    m = marker()
    with scratch() as d:
        cwd = os.path.join(os.fsencode(d), b"dir with  spaces\nand a newline\t\xff ")
        os.mkdir(cwd)
        subprocess.run(["/bin/true", m], cwd=cwd, check=True)
        r = env.wait_one(m, "exec")
        check(r.get1("EXEC_CWD") == cwd, "EXEC_CWD byte for byte", cwd, r.get("EXEC_CWD"))
        absent(r, "EXEC_CWD_TRUNCATED")
        # Short, but more components than the walk takes steps: its start is missing, and it says so.
        deep = os.path.join(os.fsencode(d), *[b"a"] * 140)
        os.makedirs(deep)
        subprocess.run(["/bin/true", m, "deep"], cwd=deep, check=True)
        r = one(env, m, "exec in a deep directory", lambda x: x.get1("EXEC_CMDLINE").endswith(b" deep"))
        check(r.s("EXEC_CWD_TRUNCATED") == "1", "EXEC_CWD_TRUNCATED=1", r.brief())
        check(deep.endswith(r.get1("EXEC_CWD")) and len(r.get1("EXEC_CWD")) < len(deep), "the last part",
              r.get1("EXEC_CWD"))


def test_loginuid_and_session(env):
    env.start("")
    with open("/proc/self/loginuid") as f:
        own = int(f.read())
    with scratch() as d:
        info = os.path.join(d, "info")
        m = marker()
        tool("loginuid", "1000", info, "/bin/true", "true", m)
        err, luid, sid = read_info(info)
        if own == UNSET_ID:
            # Unset loginuid: the process may set it once, and gets a new session with it.
            check(err == "0" and luid == "1000", "exectool set its loginuid", err, luid, sid)
        r = one(env, m, "after the loginuid write", with_filename("/bin/true"))
        if int(luid) == UNSET_ID:
            absent(r, "EXEC_LOGINUID")
        else:
            check(r.i("EXEC_LOGINUID") == int(luid), "EXEC_LOGINUID", luid, r.brief())
        if int(sid) == UNSET_ID:
            absent(r, "EXEC_SESSIONID")
        else:
            check(r.i("EXEC_SESSIONID") == int(sid), "EXEC_SESSIONID", sid, r.brief())

    if own == UNSET_ID:
        m = marker()
        subprocess.run(["/bin/true", m], check=True)
        r = env.wait_one(m, "exec")
        absent(r, "EXEC_LOGINUID", "EXEC_SESSIONID")


def test_controlling_tty(env):
    env.start("")
    master, slave = os.openpty()
    try:
        name = os.ttyname(slave)
        m = marker()
        tool("tty", name, "/bin/true", "true", m)
        r = one(env, m, "with a controlling terminal", with_filename("/bin/true"))
        check(r.s("EXEC_TTY") == name[len("/dev/"):], "EXEC_TTY", name, r.brief())
    finally:
        os.close(slave)
        os.close(master)
    m = marker()
    subprocess.run(["/bin/true", m], start_new_session=True, stdin=subprocess.DEVNULL, check=True)
    r = env.wait_one(m, "exec")
    absent(r, "EXEC_TTY")


def test_unit_slice_and_container(env):
    env.start("")
    cg2 = cgroup2_mount()
    slice_dir = os.path.join(cg2, "system.slice")
    made_slice = not os.path.isdir(slice_dir)
    cid = os.urandom(32).hex()
    scope = os.path.join(slice_dir, "docker-%s.scope" % cid)
    m_service = marker()
    service = os.path.join(slice_dir, "%s.service" % m_service)
    try:
        os.makedirs(scope)
        os.makedirs(service)
        m = marker()
        tool("cgroup", scope, "/bin/true", "true", m)
        r = one(env, m, "in the docker scope", with_filename("/bin/true"))
        check(r.s("EXEC_CGROUP") == "/system.slice/docker-%s.scope" % cid, "EXEC_CGROUP", r.brief())
        check(r.s("EXEC_UNIT") == "docker-%s.scope" % cid, "EXEC_UNIT", r.brief())
        check(r.s("EXEC_SLICE") == "system.slice", "EXEC_SLICE", r.brief())
        check(r.s("EXEC_CONTAINER_ID") == cid, "EXEC_CONTAINER_ID", cid, r.brief())

        tool("cgroup", service, "/bin/true", "true", m_service)
        r = one(env, m_service, "in a service", with_filename("/bin/true"))
        check(r.s("EXEC_UNIT") == m_service + ".service", "EXEC_UNIT of a service", r.brief())
        check(r.s("EXEC_SLICE") == "system.slice", "EXEC_SLICE of a service", r.brief())
        absent(r, "EXEC_CONTAINER_ID")
    finally:
        for path in (scope, service):
            rmdir_cgroup(path)
        if made_slice:
            rmdir_cgroup(slice_dir)

    # This test's own cgroup: nothing made up.
    m = marker()
    subprocess.run(["/bin/true", m], check=True)
    r = env.wait_one(m, "exec")
    if own_cgroup() == "/":
        absent(r, "EXEC_UNIT", "EXEC_SLICE", "EXEC_CONTAINER_ID")


def test_cgroup_past_path_max(env):
    """Whoever owns a delegated subtree can nest cgroups past PATH_MAX, where the kernel prints no path:
    EXEC_CGROUP is then the deepest ancestor it prints, EXEC_CGROUP_TRUNCATED=1 says so, and the unit and
    slice above are still named, on the exec and on the exit."""
    env.start("")
    cg2 = cgroup2_mount()
    slice_dir = os.path.join(cg2, "system.slice")
    made_slice = not os.path.isdir(slice_dir)
    m = marker()
    unit = m + ".service"
    name = "n" * 255
    os.makedirs(os.path.join(slice_dir, unit))
    fds = [os.open(os.path.join(slice_dir, unit), os.O_RDONLY | os.O_DIRECTORY)]
    try:
        for _ in range(20):
            os.mkdir(name, dir_fd=fds[-1])
            fds.append(os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fds[-1]))
        printable = "/system.slice/" + unit
        while len(cg2) + len(printable) + 1 + len(name) <= 4095:
            printable += "/" + name
        check(len(printable) < len("/system.slice/" + unit) + 20 * 256, "20 levels go past PATH_MAX")

        deepest = fds[-1]
        p = subprocess.Popen([EXECTOOL, "cgroup", ".", "/bin/true", "true", m], stdin=subprocess.DEVNULL,
                             pass_fds=(deepest,), preexec_fn=lambda: os.fchdir(deepest))
        check(p.wait() == 0, "exectool cgroup in the deepest cgroup", p.returncode)
        r = one(env, m, "in the deepest cgroup", with_filename("/bin/true"))
        check(r.s("EXEC_CGROUP") == printable, "EXEC_CGROUP is the deepest printable ancestor",
              len(r.s("EXEC_CGROUP") or ""), len(printable))
        check(r.s("EXEC_CGROUP_TRUNCATED") == "1", "EXEC_CGROUP_TRUNCATED=1", r.brief())
        check(r.i("EXEC_CGROUP_ID") == os.fstat(deepest).st_ino, "EXEC_CGROUP_ID is the deepest's own")
        check(r.s("EXEC_UNIT") == unit, "EXEC_UNIT", r.brief())
        check(r.s("EXEC_SLICE") == "system.slice", "EXEC_SLICE", r.brief())
        e = env.wait_exit(r.i("EXEC_PID"))
        check(e.s("EXEC_CGROUP") == printable and e.s("EXEC_CGROUP_TRUNCATED") == "1",
              "the exit record says the same", e.brief())

        # Within PATH_MAX, nothing is cut.
        m2 = marker()
        tool("cgroup", os.path.join(slice_dir, unit), "/bin/true", "true", m2)
        r = one(env, m2, "in the unit's own cgroup", with_filename("/bin/true"))
        check(r.s("EXEC_CGROUP") == "/system.slice/" + unit, "EXEC_CGROUP", r.brief())
        absent(r, "EXEC_CGROUP_TRUNCATED")
    finally:
        for i in range(len(fds) - 1, 0, -1):
            os.close(fds[i])
            for _ in range(100):
                try:
                    os.rmdir(name, dir_fd=fds[i - 1])
                    break
                except OSError as e:
                    if e.errno != errno.EBUSY:
                        raise
                    time.sleep(0.05)
        os.close(fds[0])
        rmdir_cgroup(os.path.join(slice_dir, unit))
        if made_slice:
            rmdir_cgroup(slice_dir)


def test_cgroup_removed_right_after(env):
    """A oneshot service's cgroup is removed as soon as its process is gone, before the daemon writes the
    records (its drains come every 100 ms while events come; an exec first, so that the daemon is not
    asleep and woken by the first unit's exec at once): they still name the cgroup (and the exec record
    the unit)."""
    env.start("")
    subprocess.run(["/bin/true"], check=True)
    cg2 = cgroup2_mount()
    slice_dir = os.path.join(cg2, "system.slice")
    made_slice = not os.path.isdir(slice_dir)
    units = []
    try:
        for _ in range(5):
            m = marker()
            path = os.path.join(slice_dir, m + ".service")
            os.makedirs(path)
            units.append((m, path, os.stat(path).st_ino))
            tool("cgroup", path, "/bin/true", "true", m)
            rmdir_cgroup(path)
        for m, path, ino in units:
            r = one(env, m, "in the removed cgroup", with_filename("/bin/true"))
            check(r.s("EXEC_UNIT") == m + ".service", "EXEC_UNIT", r.brief())
            check(r.s("EXEC_SLICE") == "system.slice", "EXEC_SLICE", r.brief())
            e = env.wait_exit(r.i("EXEC_PID"))
            for rec in (r, e):
                check(rec.i("EXEC_CGROUP_ID") == ino, "EXEC_CGROUP_ID", rec.brief())
                check(rec.s("EXEC_CGROUP") == "/system.slice/%s.service" % m, "EXEC_CGROUP", rec.brief())
                absent(rec, "EXEC_CGROUP_TRUNCATED")
    finally:
        for _, path, _ in units:
            rmdir_cgroup(path)
        if made_slice:
            rmdir_cgroup(slice_dir)


def test_pid_namespace(env):
    env.start("")
    nested = nested_pidns()
    with scratch() as d:
        info = os.path.join(d, "info")
        m = marker()
        tool("pidns", info, "/bin/true", "true", m)
        recs = some(env, m, "pid 1 and pid 2 in the new pid namespace", with_filename("/bin/true"), 2)
        seen = {}
        for nspid in (1, 2):
            ino, pid_inside, outer = map(int, read_info("%s.%d" % (info, nspid)))
            check(pid_inside == nspid, "exectool's pid in the namespace", pid_inside)
            seen[nspid] = outer
            if nested:
                mine = [r for r in recs if r.get("EXEC_NS_PID") == [str(nspid).encode()]]
            else:
                mine = [r for r in recs if r.i("EXEC_PID") == outer]
            check(len(mine) == 1, "the exec of ns pid %d" % nspid, outer, [r.brief() for r in recs])
            r = mine[0]
            check(r.i("EXEC_PIDNS") == ino, "EXEC_PIDNS", ino, r.brief())
            check(r.i("EXEC_NS_PID") == nspid, "EXEC_NS_PID", nspid, r.brief())
            check(r.i("EXEC_PIDNS") != os.stat("/proc/self/ns/pid").st_ino, "not our namespace", r.brief())
        if not nested:
            two = [r for r in recs if r.i("EXEC_PID") == seen[2]][0]
            check(two.i("EXEC_PPID") == seen[1], "EXEC_PPID is the global pid of ns pid 1", seen, two.brief())

    # The util-linux way: unshare -p -f --mount-proc.
    m = marker()
    subprocess.run(["unshare", "-p", "-f", "--mount-proc", "/bin/sh", "-c", "exec /bin/echo " + m],
                   stdout=subprocess.DEVNULL, check=True)
    r = one(env, m, "echo under unshare -p", with_filename("/bin/echo"))
    check(r.i("EXEC_NS_PID") == 1, "EXEC_NS_PID=1", r.brief())
    check(r.i("EXEC_PIDNS") != os.stat("/proc/self/ns/pid").st_ino, "a new EXEC_PIDNS", r.brief())

    m = marker()
    p = subprocess.Popen(["/bin/true", m])
    p.wait()
    r = env.wait_one(m, "exec")
    if nested:
        check(r.i("EXEC_PIDNS") == os.stat("/proc/self/ns/pid").st_ino, "our EXEC_PIDNS", r.brief())
        check(r.i("EXEC_NS_PID") == p.pid, "EXEC_NS_PID in our namespace", p.pid, r.brief())
    else:
        absent(r, "EXEC_PIDNS", "EXEC_NS_PID")


def test_mount_namespace(env):
    env.start("")
    m = marker()
    with scratch() as d:
        mnt = os.path.join(d, "mnt")
        os.mkdir(mnt)
        info = os.path.join(d, "info")
        prog = os.path.join(mnt, "prog-" + m)
        # In a new mount namespace, prog exists only on a tmpfs mounted there.
        tool("mntns", mnt, "/bin/true", "prog-" + m, info, "prog", m)
        check(not os.path.exists(prog), "prog lived in the other mount namespace only")
        (ino,) = read_info(info)
        r = one(env, m, "in the new mount namespace", with_filename(prog))
        check(r.i("EXEC_MNTNS") == int(ino), "EXEC_MNTNS", ino, r.brief())
        check(r.i("EXEC_MNTNS") != os.stat("/proc/self/ns/mnt").st_ino, "not our mount namespace", r.brief())
        check(r.s("EXEC_EXE") == prog, "EXEC_EXE", prog, r.brief())


def test_detached_mount(env):
    """A file on a mount attached to no namespace has no path from the root: its names, chosen by whoever
    mounted it, are marked truncated (as getcwd(2) says "(unreachable)"), never passed off as a real path."""
    env.start("")
    m = marker()
    with scratch() as d:
        info = os.path.join(d, "info")
        tool("detached", "/bin/true", "usr/sbin/sshd", info, "sshd", m)
        r = one(env, m, "exec from the detached tmpfs", not_exectool)
        check(r.s("EXEC_EXE") == "/usr/sbin/sshd" and r.s("EXEC_EXE_TRUNCATED") == "1",
              "EXEC_EXE on a detached mount is marked", r.brief())
        check(r.s("EXEC_CWD") == "/usr/sbin" and r.s("EXEC_CWD_TRUNCATED") == "1",
              "EXEC_CWD on a detached mount is marked", r.brief())
        absent(r, "EXEC_FILELESS")


def test_other_namespace(env):
    """A file reached in another mount namespace (opened through /proc/PID/root, as a file descriptor passed
    in would be) has no path from the process's root either: in that namespace, whoever can make one (an
    unprivileged user in a user namespace too) can mount anything on any path, such as /usr/sbin/sshd. The
    path from that namespace's root is marked truncated, as for a detached mount."""
    env.start("")
    m = marker()
    with scratch() as d:
        info = os.path.join(d, "info")
        tool("otherns", "/bin/true", "usr/sbin/sshd", info, "sshd", m)
        top = open(info).read().split()[0]
        r = one(env, m, "exec from the other namespace's tmpfs", not_exectool)
        check(r.s("EXEC_EXE") == top + "/usr/sbin/sshd" and r.s("EXEC_EXE_TRUNCATED") == "1",
              "EXEC_EXE in another namespace is marked", top, r.brief())
        check(r.s("EXEC_CWD") == top + "/usr/sbin" and r.s("EXEC_CWD_TRUNCATED") == "1",
              "EXEC_CWD in another namespace is marked", r.brief())
        absent(r, "EXEC_FILELESS", "EXEC_ROOT")


def test_bind_mount(env):
    """The path through which the process reached the file: a bind mount shows as its mount point."""
    env.start("")
    m = marker()
    with scratch() as d:
        src, dst = os.path.join(d, "src"), os.path.join(d, "dst")
        os.mkdir(src)
        os.mkdir(dst)
        copy_exe("/bin/true", os.path.join(src, "prog-" + m))
        prog = os.path.join(dst, "prog-" + m)
        subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c",
                        'mount --bind "$1" "$2" && exec "$3" "$4"', "sh", src, dst, prog, m], check=True)
        r = one(env, m, "exec through the bind mount", with_filename(prog))
        check(r.s("EXEC_EXE") == prog, "EXEC_EXE through the bind mount", prog, r.brief())
        # A mount namespace of its own, its root the one it was made with: no chroot to tell of.
        absent(r, "EXEC_FILELESS", "EXEC_EXE_TRUNCATED", "EXEC_CWD_TRUNCATED", "EXEC_ROOT")


def test_chroot(env):
    env.start("")
    m = marker()
    with scratch() as d:
        root = os.path.join(d, "root")
        for sub in ("usr", "x"):
            os.makedirs(os.path.join(root, sub))
        # The host's top-level links into /usr (merged /usr), so /usr bound in the chroot serves ld.so.
        for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
            if os.path.islink("/" + name):
                os.symlink(os.readlink("/" + name), os.path.join(root, name))
        copy_exe("/bin/true", os.path.join(root, "x", "prog-" + m))
        write_script(os.path.join(root, "x", "script-" + m))

        tool("chroot", root, "/x/prog-" + m, "prog", m)
        r = one(env, m, "binary in the chroot", with_filename("/x/prog-" + m))
        check(r.s("EXEC_EXE") == "/x/prog-" + m, "EXEC_EXE inside the chroot", r.brief())
        check(r.s("EXEC_CWD") == "/", "EXEC_CWD inside the chroot", r.brief())
        # The paths are the chroot's: the record says which directory that is, from the namespace's root.
        check(r.s("EXEC_ROOT") == os.path.realpath(root), "EXEC_ROOT names the chroot", root, r.brief())
        absent(r, "EXEC_FILELESS", "EXEC_INTERPRETER", "EXEC_EXE_TRUNCATED", "EXEC_CWD_TRUNCATED",
               "EXEC_ROOT_TRUNCATED", "EXEC_ROOT_DELETED")

        tool("chroot", root, "/x/script-" + m, "script", m)
        r = one(env, m, "script in the chroot", with_filename("/x/script-" + m))
        check(r.s("EXEC_EXE") == "/x/script-" + m, "a script's EXEC_EXE inside the chroot", r.brief())
        check(r.s("EXEC_INTERPRETER") == SH, "EXEC_INTERPRETER inside the chroot", SH, r.brief())

        # Left outside the new root, the working directory has no path from it ("(unreachable)").
        tool("chroot", "-k", root, "/x/prog-" + m, "outside", m, cwd=d)
        r = one(env, m, "binary in the chroot, cwd outside",
                lambda r: with_filename("/x/prog-" + m)(r) and r.s("EXEC_CMDLINE").startswith("outside "))
        check(r.s("EXEC_CWD") == os.path.realpath(d) and r.s("EXEC_CWD_TRUNCATED") == "1",
              "EXEC_CWD outside the chroot is marked", d, r.brief())
        check(r.s("EXEC_EXE") == "/x/prog-" + m, "EXEC_EXE inside the chroot", r.brief())
        check(r.s("EXEC_ROOT") == os.path.realpath(root), "EXEC_ROOT names the chroot", root, r.brief())
        absent(r, "EXEC_EXE_TRUNCATED")


def test_pivot_root(env):
    """A container's root, made by pivot_root(2) in a mount namespace of its own, is that namespace's top:
    paths inside it and no EXEC_ROOT, which is for a chroot."""
    env.start("")
    m = marker()
    with scratch() as d:
        root = os.path.join(d, "root")
        for sub in ("usr", "x", "old"):
            os.makedirs(os.path.join(root, sub))
        for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
            if os.path.islink("/" + name):
                os.symlink(os.readlink("/" + name), os.path.join(root, name))
        copy_exe("/bin/true", os.path.join(root, "x", "prog-" + m))
        subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c",
                        'mount --bind "$1" "$1" && mount --bind /usr "$1/usr" && cd "$1" && '
                        'pivot_root . old && exec "$2" "$3"', "sh", root, "/x/prog-" + m, m], check=True)
        r = one(env, m, "exec in the pivoted root", with_filename("/x/prog-" + m))
        check(r.s("EXEC_EXE") == "/x/prog-" + m and r.s("EXEC_CWD") == "/",
              "paths inside the new root", r.brief())
        absent(r, "EXEC_ROOT", "EXEC_EXE_TRUNCATED", "EXEC_CWD_TRUNCATED")


# -- who started it ----------------------------------------------------------------------------------------
def test_exec_id_and_parent_id(env):
    env.start("")
    m = marker()
    p = subprocess.Popen(["/bin/sh", "-c", "/bin/true %s-child; exec /bin/true %s-exec" % (m, m), m + "-sh"])
    check(p.wait() == 0, "sh")
    sh = env.wait_one(m + "-sh", "exec", filename="/bin/sh")
    child = env.wait_one(m + "-child", "exec", filename="/bin/true")
    again = env.wait_one(m + "-exec", "exec", filename="/bin/true")
    ids = [sh.s("EXEC_ID"), child.s("EXEC_ID"), again.s("EXEC_ID")]
    check(len(set(ids)) == 3 and all(ids), "three process images, three EXEC_IDs", ids)
    check(child.i("EXEC_PPID") == sh.i("EXEC_PID") == p.pid, "the child's parent is sh", child.brief())
    check(child.s("EXEC_PARENT_ID") == sh.s("EXEC_ID"), "EXEC_PARENT_ID is the parent's EXEC_ID", sh.brief(),
          child.brief())
    check(child.s("EXEC_PARENT_COMM") == "sh", "EXEC_PARENT_COMM", child.brief())
    check(child.s("EXEC_PARENT_EXE") == SH, "EXEC_PARENT_EXE", SH, child.brief())
    check(again.i("EXEC_PID") == p.pid, "sh exec'd in place", again.brief())
    # Short-lived: OBJECT_PID only if the record left before the exit was seen, and then the exec'd PID.
    check(all(r.get("OBJECT_PID") is None or r.i("OBJECT_PID") == r.i("EXEC_PID") for r in (child, again)),
          "OBJECT_PID", child.brief(), again.brief())
    # The exit record carries the EXEC_ID of the image that exited.
    check(env.wait_exit(child.i("EXEC_PID")).s("EXEC_ID") == child.s("EXEC_ID"), "the child's exit EXEC_ID")
    check(env.wait_exit(p.pid).s("EXEC_ID") == again.s("EXEC_ID"), "EXEC_ID of the last image at exit")


def popen_at_pid(pid, args):
    """args started as process pid (the next PID the kernel gives, through ns_last_pid) with a pipe on
    stdin, or None when another process took that PID first."""
    with open("/proc/sys/kernel/ns_last_pid", "w") as f:
        f.write(str(pid - 1))
    p = subprocess.Popen(args, stdin=subprocess.PIPE)
    if p.pid == pid:
        return p
    p.kill()
    p.wait()
    return None


def test_processes_a_slot_apart(env):
    """Two live audited processes whose PIDs are 16384 apart share an index of the kernel side's
    "tracked_slots": the first owns the slot, the second is kept in the "tracked" hash, also through an
    exec. Each keeps its own children's EXEC_PARENT_ID and its own exit record. Once the first has ended,
    the second's next exec takes the slot and leaves the hash: its child and its exit still find it, and
    nothing is left behind."""
    env.start("")
    m = marker()
    a_sh = "read x; /bin/true; exit 3"
    b_sh = ("read x; /bin/true; "
            "exec /bin/sh -c 'read y; /bin/true; exec /bin/sh -c \"read z; /bin/true; exit 4\"'")
    a = b = None
    for base in range(3001, 16000, 113):
        if any(os.path.exists("/proc/%d" % q) for q in (base, base + 16384)):
            continue
        a = popen_at_pid(base, ["/bin/sh", "-c", a_sh, m + "-a"])
        b = a and popen_at_pid(base + 16384, ["/bin/sh", "-c", b_sh, m + "-b"])
        if b:
            break
        if a:
            a.kill()
            a.wait()
    check(a and b, "two processes 16384 PIDs apart")

    def own_execs(match):
        return sorted(env.own(env.records("EXEC_EVENT=exec", match)), key=lambda r: r.i("EXEC_TIMESTAMP"))

    def wait_execs(match, n):
        return env.wait(lambda: len(own_execs(match)) >= n and own_execs(match), "%d exec records of %s" % (n, match))

    def said(p, line):
        p.stdin.write(line)
        p.stdin.flush()

    wait_execs("EXEC_PID=%d" % a.pid, 1)
    wait_execs("EXEC_PID=%d" % b.pid, 1)
    state = tracked_state()
    check(state["hashed"] == state["entries"] == 1, "b is in the hash (a owns the slot)", state)
    said(b, b"1\n")  # b's child, then b's second image, while a still owns the slot
    b_images = wait_execs("EXEC_PID=%d" % b.pid, 2)
    said(a, b"1\n")
    check(a.wait() == 3, "a ended", a.returncode)
    a_image = wait_execs("EXEC_PID=%d" % a.pid, 1)[0]
    a_exit = env.wait_exit(a.pid)
    said(b, b"2\n")  # the second image's child, then the third image, now in the slot
    b_images = wait_execs("EXEC_PID=%d" % b.pid, 3)
    said(b, b"3\n")
    b.stdin.close()
    check(b.wait() == 4, "b ended", b.returncode)
    b_exit = env.wait_exit(b.pid)
    a_kids = wait_execs("EXEC_PPID=%d" % a.pid, 1)
    b_kids = wait_execs("EXEC_PPID=%d" % b.pid, 3)

    check(len(a_kids) == 1 and a_kids[0].s("EXEC_PARENT_ID") == a_image.s("EXEC_ID"),
          "a's child names a's exec", a_image.brief(), *[r.brief() for r in a_kids])
    check(a_exit.i("EXEC_EXIT_CODE") == 3 and a_exit.s("EXEC_ID") == a_image.s("EXEC_ID"), "a's exit",
          a_exit.brief())
    check(len(b_images) == 3 and len(b_kids) == 3, "b's three images and their children",
          *[r.brief() for r in b_images + b_kids])
    for image, kid in zip(b_images, b_kids):
        check(kid.s("EXEC_PARENT_ID") == image.s("EXEC_ID"), "each child of b names the image that ran it",
              image.brief(), kid.brief())
    check(b_exit.i("EXEC_EXIT_CODE") == 4 and b_exit.s("EXEC_ID") == b_images[2].s("EXEC_ID"),
          "b's exit, of its last image", b_exit.brief())
    state = tracked_state()
    check(state["hashed"] == state["entries"] == 0, "nothing left in the hash", state)


def test_parent_is_a_kernel_thread(env):
    # A core dump piped to a program: the kernel starts it from a kernel thread, which has no executable
    # and no mm. Its exec record must still be written, with no EXEC_PARENT_EXE.
    env.start("")
    m = marker()
    with open("/proc/sys/kernel/core_pattern") as f:
        saved = f.read().rstrip("\n")
    try:
        with open("/proc/sys/kernel/core_pattern", "w") as f:
            f.write("|%s %s %%p" % (TRUE, m))
        p = subprocess.Popen(["/bin/sh", "-c", "kill -SEGV $$"])
        check(p.wait() == -signal.SIGSEGV, "sh killed by SIGSEGV", p.returncode)
        # Another test's crash meanwhile would run the helper too: this one names sh's PID (%p).
        mine = [TRUE.encode(), m.encode(), str(p.pid).encode()]
        recs = env.wait(lambda: [r for r in env.find(m, "exec") if bash_unquote(r.get1("EXEC_CMDLINE")) == mine],
                        "the core dump helper's exec record")
    finally:
        with open("/proc/sys/kernel/core_pattern", "w") as f:
            f.write(saved)
    check(len(recs) == 1, "one exec record of the helper", *[r.brief() for r in recs])
    r = recs[0]
    ppid = r.i("EXEC_PPID")
    try:
        with open("/proc/%d/comm" % ppid) as f:
            kthread = f.read().strip()
    except FileNotFoundError:
        kthread = None  # a worker thread that is gone again
    check(kthread is None or not os.path.exists("/proc/%d/exe" % ppid), "the parent has no executable", ppid)
    check(r.s("EXEC_PARENT_COMM") and kthread in (None, r.s("EXEC_PARENT_COMM")), "the parent is a kernel thread",
          kthread, r.brief())
    check(r.s("EXEC_EXE") == TRUE and r.s("EXEC_CWD") == "/", "EXEC_EXE and EXEC_CWD", r.brief())
    absent(r, "EXEC_PARENT_EXE")


def test_parent_renamed_before_fork(env):
    env.start("")
    m = marker()
    p = spawn("rename-fork", "sshd", "/bin/true", "true", m)
    check(p.wait() == 0, "exectool rename-fork")
    parent = one(env, m, "exectool", lambda r: r.i("EXEC_PID") == p.pid)
    r = one(env, m, "the child", with_filename("/bin/true"))
    check(r.i("EXEC_PPID") == p.pid, "EXEC_PPID", p.pid, r.brief())
    check(r.s("EXEC_PARENT_COMM") == "sshd", "EXEC_PARENT_COMM is the parent's name at exec time", r.brief())
    check(r.s("EXEC_PARENT_EXE") == tool_exe(), "EXEC_PARENT_EXE is what the parent really is", tool_exe(),
          r.brief())
    check(r.s("EXEC_PARENT_ID") == parent.s("EXEC_ID"), "EXEC_PARENT_ID", parent.brief(), r.brief())


def test_parent_thread_renamed_before_fork(env):
    """A thread that forks is the child's real_parent; the parent's name is its process's, not the thread's."""
    env.start("")
    m = marker()
    p = spawn("thread-fork", "worker-thread", "/bin/true", "true", m)
    check(p.wait() == 0, "exectool thread-fork")
    r = one(env, m, "the child", with_filename("/bin/true"))
    check(r.i("EXEC_PPID") == p.pid, "EXEC_PPID is the process", p.pid, r.brief())
    check(r.s("EXEC_PARENT_COMM") == "exectool", "EXEC_PARENT_COMM is the process's name", r.brief())


def test_renamed_then_exec(env):
    env.start("")
    m = marker()
    with scratch() as d:
        prog = copy_exe("/bin/true", os.path.join(d, "fresh-" + m))
        # The new image's argv[0] pretends too; only the file name counts for the comm.
        tool("rename-exec", "sshd", prog, "sshd: root@pts/0", m)
        r = one(env, m, "the exec after PR_SET_NAME", with_filename(prog))
        check(r.s("EXEC_COMM") == os.path.basename(prog)[:15], "EXEC_COMM from the new file name", r.brief())
        check(r.s("EXEC_EXE") == prog, "EXEC_EXE", prog, r.brief())


def test_exec_from_non_leader_thread(env):
    env.start("")
    m = marker()
    with scratch() as d:
        info = os.path.join(d, "info")
        p = spawn("thread-exec", info, "/bin/sh", "sh", "-c", "exit 3", m)
        check(p.wait() == 3, "the new image's exit code", p.returncode)
        pid, tid = map(int, read_info(info))
    check(pid == p.pid and tid != pid, "exec'd from a thread that is not the leader", pid, tid)
    r = one(env, m, "sh", with_filename("/bin/sh"))
    check(r.i("EXEC_PID") == pid, "EXEC_PID is the process", pid, r.brief())
    check(r.i("EXEC_TID") == tid, "EXEC_TID is the exec'ing thread", tid, r.brief())
    e = env.wait_exit(pid)
    check(e.i("EXEC_EXIT_CODE") == 3, "the exit of the new image", e.brief())
    check(e.s("EXEC_ID") == r.s("EXEC_ID"), "exit EXEC_ID", e.brief())
    # The threads exec killed (the old leader among them) are no exits of the process.
    def exits():
        return sum(len(env.records("EXEC_EVENT=exit", "EXEC_PID=%d" % x)) for x in (pid, tid))

    wait_stable(env, "exit records of pid %d / tid %d" % (pid, tid), exits, 1)


def double_fork(env, subreaper):
    env.start("")
    m = marker()
    with scratch() as d:
        info = os.path.join(d, "info")
        p = spawn("double-fork", *(["-s"] if subreaper else []), info, "/bin/true", "true", m)
        check(p.wait() == 0, "exectool double-fork")
        r = one(env, m, "the grandchild", with_filename("/bin/true"))
        ppid, comm = env.wait(lambda: os.path.exists(info) and read_info(info), "the grandchild's info")
    check(r.i("EXEC_PPID") == int(ppid), "EXEC_PPID is the parent it had at exec", ppid, r.brief())
    check(r.s("EXEC_PARENT_COMM") == comm, "EXEC_PARENT_COMM", comm, r.brief())
    return m, p, r, int(ppid)


def test_double_fork_reparented(env):
    double_fork(env, subreaper=False)


def test_double_fork_to_subreaper(env):
    m, p, r, ppid = double_fork(env, subreaper=True)
    check(ppid == p.pid, "reparented to the subreaper", ppid, p.pid)
    parent = one(env, m, "exectool", lambda x: x.i("EXEC_PID") == p.pid)
    check(r.s("EXEC_PARENT_EXE") == tool_exe(), "EXEC_PARENT_EXE", r.brief())
    check(r.s("EXEC_PARENT_ID") == parent.s("EXEC_ID"), "EXEC_PARENT_ID of the new parent", parent.brief(),
          r.brief())


def test_object_pid_and_duration(env):
    env.start("[Capture]\nMaxArgsBytes=256K\n")
    m = marker()
    # A process that lives until its record is in the journal: OBJECT_PID, and journald's OBJECT_* fields.
    p = subprocess.Popen(["/bin/sh", "-c", "read x", m], stdin=subprocess.PIPE)
    try:
        r = env.wait_one(m, "exec")
    finally:
        p.communicate(b"\n")
    check(r.i("OBJECT_PID") == r.i("EXEC_PID") == p.pid, "OBJECT_PID", r.get("OBJECT_PID"), r.brief())
    check(r.get("OBJECT_COMM") == [b"sh"], "journald's OBJECT_COMM of the live process", r.get("OBJECT_COMM"))
    check(r.i("EXEC_DURATION_NSEC") > 0, "EXEC_DURATION_NSEC on exec", r.brief())

    # Gone before its record is written: the exit is already in hand, so no OBJECT_PID (journald would find
    # nothing at /proc/PID, or another process that got the PID since). A stopped journald whose socket is
    # full holds the writer, so the exec and the exit reach the writer together. (Small records did not
    # always fill it: the writer puts many in one datagram.)
    try:
        fill_stopped_journald(env, marker())
        time.sleep(0.5)
        m = marker()
        gone = subprocess.Popen(["/bin/true", m])
        gone.wait()
        time.sleep(0.5)
    finally:
        env.journald.send_signal(signal.SIGCONT)
    r = env.wait_one(m, "exec")
    check(r.i("EXEC_PID") == gone.pid, "the gone process's exec record", r.brief())
    absent(r, "OBJECT_PID")
    check(env.wait_exit(gone.pid).s("EXEC_ID") == r.s("EXEC_ID"), "its exit record")
    m = marker()
    try:
        subprocess.run(["/nonexistent/" + m])
    except FileNotFoundError:
        pass
    f = env.wait_one(m, "exec_failed")
    check(f.i("EXEC_DURATION_NSEC") > 0, "EXEC_DURATION_NSEC on exec_failed", f.brief())


def inflight_slots():
    """EA_INFLIGHT_SLOTS of bpf/execaudit.h: thread IDs that many apart share a slot of the entry's array."""
    with open(os.path.join(os.path.dirname(__file__), "..", "..", "bpf", "execaudit.h")) as f:
        return int(re.search(r"#define EA_INFLIGHT_SLOTS\s+(\d+)", f.read()).group(1))


def test_clashing_thread_ids_in_flight(env):
    # Process A's failed exec is held in the kernel (its name is read from a page that arrives 200 ms late)
    # while process B, whose ID maps to the same slot, fails its own exec: neither may take the other's
    # entry, name, argv or start time. (Both lead their processes: other threads never use a slot.)
    env.start("")
    m = marker()
    with scratch() as d:
        name_a, name_b = "/nonexistent/%s-a" % m, "/nonexistent/%s-b" % m
        tool("slot-clash", d + "/info", str(inflight_slots()), name_a, name_b)
        with open(d + "/info") as f:
            tid_a, tid_b = (int(x) for x in f.read().split())
    check((tid_b - tid_a) % inflight_slots() == 0, "the thread IDs clash", tid_a, tid_b)
    a = env.wait_one(name_a, "exec_failed")
    b = env.wait_one(name_b, "exec_failed")
    for r, name, tid, arg in ((a, name_a, tid_a, "a"), (b, name_b, tid_b, "b")):
        check(r.s("EXEC_FILENAME") == name and r.i("EXEC_TID") == tid, "%s's own failed exec" % arg, r.brief())
        check(r.s("EXEC_CMDLINE") == name + " " + arg, "%s's own argv" % arg, r.brief())
    # A was in its exec for the 200 ms its name was held back, B for far less.
    check(a.i("EXEC_DURATION_NSEC") >= 200000000, "A's duration covers the wait", a.brief())
    check(0 < b.i("EXEC_DURATION_NSEC") < a.i("EXEC_DURATION_NSEC"), "B's duration is its own", b.brief())


# -- what it cost -------------------------------------------------------------------------------------------
def test_one_exit_record_for_many_threads(env):
    # Every thread of a group that ends at once passes the exit tracepoint after the group's live count
    # reached 0: the process still gets one exit record, not one per thread that saw it.
    env.start("")
    m = marker()
    for i in range(20):
        p = subprocess.run([EXECTOOL, "threads", "8", "7", "5", m, str(i)], stdin=subprocess.DEVNULL)
        check(p.returncode == 7, "exectool threads", p.returncode)
    execs = some(env, m, "exectool threads", lambda r: True, 20)
    pids = [r.i("EXEC_PID") for r in execs]
    for pid in pids:
        check(env.wait_exit(pid).i("EXEC_EXIT_CODE") == 7, "exit code 7", pid)
    sync = marker()
    subprocess.run(["/bin/true", sync], check=True)
    env.wait_one(sync, "exec")
    for pid in pids:
        n = len(env.records("EXEC_EVENT=exit", "EXEC_PID=%d" % pid))
        check(n == 1, "one exit record of pid %d" % pid, n)


def test_exit_cpu_of_all_threads(env):
    # Four threads spin until each has used 100 ms of CPU, then exit_group ends them together: the exit
    # record's CPU time is the whole group's (400 ms at least), as wait4 gives it to the parent, not that of
    # the thread that happened to report it.
    # Traced (as under strace -f or gdb), the other threads stay zombies until the tracer reaps them, so
    # at the report their time is not yet in the process's total.
    env.start("")
    with scratch() as d:
        info = os.path.join(d, "info")
        for traced in (False, True):
            threads = ["threads", "4", "7", "100", marker()]
            if traced:
                # Reaps nothing until 1.5 s after the start: all threads have ended by then.
                tool("traced", info, "1500", EXECTOOL, "exectool", *threads)
                pid, code, waited = map(int, read_info(info))
            else:
                p = spawn(*threads)
                _, status, ru = os.wait4(p.pid, 0)
                p.returncode = code = os.waitstatus_to_exitcode(status)
                pid, waited = p.pid, int((ru.ru_utime + ru.ru_stime) * 1e6)
            check(code == 7, "exectool threads (traced: %s)" % traced, code)
            e = env.wait_exit(pid)
            cpu = e.i("EXEC_CPU_USER_USEC") + e.i("EXEC_CPU_SYSTEM_USEC")
            # Accounted the same way, read a moment apart: the threads still ran their exit meanwhile.
            check(waited >= 400000 and 0.8 * waited <= cpu <= waited,
                  "CPU time of all four threads (traced: %s)" % traced, cpu, waited, e.brief())


def test_exit_resources(env):
    env.start("")
    m = marker()
    # 64 MiB touched, 300 ms of user CPU burnt, then 100 ms idle (CPU time counts from the fork,
    # EXEC_LIFETIME_USEC from the exec: without the idle time a CPU-bound process could show more CPU than
    # lifetime).
    p = spawn("burn", "300", "64", m)
    check(p.wait() == 0, "exectool burn")
    r = env.wait_one(m, "exec")
    e = env.wait_exit(p.pid)
    check(e.s("EXEC_ID") == r.s("EXEC_ID"), "exit EXEC_ID is the exec's", r.brief(), e.brief())
    user, system = e.i("EXEC_CPU_USER_USEC"), e.i("EXEC_CPU_SYSTEM_USEC")
    check(user >= 150000, "EXEC_CPU_USER_USEC of 300 ms of burning", e.brief())
    check(e.i("EXEC_MAXRSS_KB") >= 60000, "EXEC_MAXRSS_KB of 64 MiB touched", e.brief())
    check(e.i("EXEC_LIFETIME_USEC") >= user + system, "EXEC_LIFETIME_USEC covers the CPU time", e.brief())

    m = marker()
    p = spawn("sleep", "500", m)
    check(p.wait() == 0, "exectool sleep")
    r = env.wait_one(m, "exec")
    e = env.wait_exit(p.pid)
    check(e.s("EXEC_ID") == r.s("EXEC_ID"), "the sleeper's exit EXEC_ID", e.brief())
    check(e.i("EXEC_LIFETIME_USEC") >= 400000, "EXEC_LIFETIME_USEC of a 0.5 s sleep", e.brief())
    check(e.i("EXEC_CPU_USER_USEC") + e.i("EXEC_CPU_SYSTEM_USEC") < e.i("EXEC_LIFETIME_USEC"),
          "a sleeper uses less CPU than its lifetime", e.brief())
    check(e.i("EXEC_MAXRSS_KB") > 0, "EXEC_MAXRSS_KB", e.brief())


if __name__ == "__main__":
    main([test_exe_relative_path, test_exe_execveat_and_fexecve, test_exe_symlink, test_script_absolute_path,
          test_script_relative_path, test_script_symlink_and_dirfd, test_script_exec_with_io_uring_in_flight,
          test_script_with_kernel_addresses_hidden, test_binfmt_misc,
          test_fileless_memfd, test_fileless_deleted_binary, test_fileless_o_tmpfile,
          test_deleted_cwd_and_parent_exe,
          test_argv0_missing, test_argv_array_not_mapped_in, test_failed_exec_argument_cut_at_a_chunk,
          test_argv_race_with_rewriting_thread, test_args_padding_truncated_by_default,
          test_args_padding_complete_with_larger_limit, test_one_128k_argument,
          test_record_larger_than_a_datagram, test_argv_invalid_utf8_and_control_bytes, test_cwd_exact_bytes, test_loginuid_and_session,
          test_controlling_tty, test_unit_slice_and_container, test_cgroup_past_path_max,
          test_cgroup_removed_right_after,
          test_pid_namespace, test_mount_namespace,
          test_detached_mount, test_other_namespace, test_bind_mount, test_chroot, test_pivot_root, test_exec_id_and_parent_id, test_processes_a_slot_apart, test_parent_is_a_kernel_thread, test_parent_renamed_before_fork, test_parent_thread_renamed_before_fork, test_renamed_then_exec,
          test_exec_from_non_leader_thread, test_double_fork_reparented, test_double_fork_to_subreaper,
          test_object_pid_and_duration, test_clashing_thread_ids_in_flight, test_one_exit_record_for_many_threads, test_exit_cpu_of_all_threads,
          test_exit_resources])

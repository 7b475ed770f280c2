#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The BPF programs on Debian 12's own kernel (6.1), not only on the one this machine runs: its image comes
from the Debian archive (the kernel linux-image-amd64 depends on, cached under CACHE), boots in qemu
(emulated, no KVM needed) with tests/helpers/vmcheck.c as its only program, which loads and attaches the
programs there and prints what they send for three execs. A kernel field read without a guard for 6.1
fails the whole load (docs/design.md, "Kernels")."""
import glob
import gzip
import os
import subprocess
import tempfile

from harness import check, main

VMCHECK = os.environ.get("EA_VMCHECK", "")
CACHE = "/var/cache/execauditd-tests"


def debian_kernel():
    """The Debian 12 kernel image's vmlinuz, downloaded once into CACHE."""
    out = subprocess.run(["apt-cache", "depends", "linux-image-amd64"], stdout=subprocess.PIPE, text=True,
                         check=True).stdout
    pkg = [l.split(":", 1)[1].strip() for l in out.splitlines() if l.strip().startswith("Depends:")][0]
    os.makedirs(CACHE, exist_ok=True)
    debs = glob.glob(os.path.join(CACHE, pkg + "_*.deb"))
    if not debs:
        subprocess.run(["apt-get", "download", "-q", "-o", "APT::Sandbox::User=root", pkg], cwd=CACHE, check=True,
                       stdout=subprocess.DEVNULL)
        debs = glob.glob(os.path.join(CACHE, pkg + "_*.deb"))
    root = os.path.join(CACHE, pkg)
    if not glob.glob(os.path.join(root, "boot", "vmlinuz-*")):
        subprocess.run(["dpkg-deb", "-x", debs[0], root], check=True)
    return glob.glob(os.path.join(root, "boot", "vmlinuz-*"))[0]


def cpio_entry(name, mode, data=b"", rdev=(0, 0)):
    """One entry of a newc cpio archive (the initramfs format)."""
    name_b = name.encode() + b"\0"
    fields = [1, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(name_b), 0]
    head = b"070701" + b"".join(b"%08x" % f for f in fields) + name_b
    head += b"\0" * (-len(head) % 4)
    return head + data + b"\0" * (-len(data) % 4)


def initramfs(path, init):
    with open(init, "rb") as f:
        prog = f.read()
    entries = [cpio_entry(".", 0o40755), cpio_entry("dev", 0o40755),
               cpio_entry("dev/console", 0o20600, rdev=(5, 1)), cpio_entry("proc", 0o40755),
               cpio_entry("sys", 0o40755), cpio_entry("init", 0o100755, prog), cpio_entry("TRAILER!!!", 0)]
    with gzip.open(path, "wb") as f:
        f.write(b"".join(entries))


def test_debian_12_kernel(env):
    del env  # nothing of the host's journal or bpffs is used
    vmlinuz = debian_kernel()
    with tempfile.TemporaryDirectory() as d:
        initrd = os.path.join(d, "initrd.gz")
        initramfs(initrd, VMCHECK)
        p = subprocess.run(["qemu-system-x86_64", "-accel", "tcg", "-m", "512", "-smp", "1", "-nographic",
                            "-no-reboot", "-kernel", vmlinuz, "-initrd", initrd,
                            "-append", "console=ttyS0 panic=-1 loglevel=4"],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=400, check=False)
    out = p.stdout.decode(errors="replace").replace("\r", "")
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


if __name__ == "__main__":
    main([test_debian_12_kernel])

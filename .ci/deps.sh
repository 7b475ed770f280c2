#!/usr/bin/env bash
# Installs the Debian 12 packages execauditd builds, runs and tests with (only the missing ones).
set -euo pipefail
packages=(
        # build
        gcc libc6-dev meson ninja-build pkg-config clang llvm bpftool
        libbpf-dev libsystemd-dev libelf-dev zlib1g-dev libinih-dev
        # run and test: journald/journalctl, unshare/setpriv/mount/nsenter, pgrep (try.sh), the test harness
        systemd util-linux procps python3 bash
        # test_unit: a real systemd booted with systemd-nspawn
        systemd-container
        # test_kernel: Debian 12's own kernel (apt-get download) booted in an emulated machine, and
        # bookworm-backports' kernel through a list of sources of its own (signed by the archive's keys)
        qemu-system-x86 debian-archive-keyring
        # test-quote: the sources of the GBK, Big5, Shift_JIS and GB18030 locales it compiles
        locales
        # style check
        clang-format
)
missing=()
for p in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
        echo "Installing: ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -q
        apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

#!/usr/bin/env bash
# Builds execauditd and runs it in the foreground with the shipped default config, writing into the host
# journal. Starts a journald first only when none is running. Stop it with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/deps.sh
[ -f build/build.ninja ] || meson setup build >/dev/null
meson compile -C build >/dev/null

if ! pgrep -x systemd-journal >/dev/null || [ ! -S /run/systemd/journal/socket ]; then
        echo "No journald is running: starting /lib/systemd/systemd-journald"
        # A session of its own: Ctrl-C on the daemon must not stop the journal it writes its last records to.
        setsid /lib/systemd/systemd-journald </dev/null >/dev/null 2>&1 &
        for _ in $(seq 100); do
                [ -S /run/systemd/journal/socket ] && break
                sleep 0.1
        done
fi
# One daemon per pin directory: beside a running service this one could not start.
running=$(./build/daemon/execauditd --config conf/execauditd.conf --status 2>/dev/null |
        awk '$1 == "daemon_pid" { print $2 }') || true
if [ -n "$running" ] && [ "$running" != none ]; then
        echo "execauditd already runs (PID $running) with the pins of conf/execauditd.conf; its records:" >&2
        echo "    journalctl -t execauditd _UID=0 -f" >&2
        echo "Stop it (systemctl stop execauditd) to run this build instead." >&2
        exit 1
fi
echo "execauditd is starting with conf/execauditd.conf. Its records, in another terminal:"
echo "    journalctl -t execauditd _UID=0 -f          (all records, live)"
echo "    journalctl -t execauditd _UID=0 EXEC_UID=1000 -o verbose"
echo "(Stopping leaves the programs attached and counting, as a service would; this script then removes"
echo " them with execauditd --remove-pins.)"
status=0
./build/daemon/execauditd --config conf/execauditd.conf || status=$?
./build/daemon/execauditd --config conf/execauditd.conf --remove-pins || true
exit "$status"

# Sourced by the /init scripts of the machines test_kernel.py boots with a daemon (vm-daemon.sh,
# vm-skipped.sh): the file systems, journald, and the daemon started and stopped with the unit's capabilities.
PATH=/usr/bin
export PATH
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs run /run
mount -t tmpfs tmp /tmp
mount -t bpf bpf /sys/fs/bpf
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mount -t tracefs tracefs /sys/kernel/tracing

# The daemon and its reload run with the capabilities systemd/execauditd.service leaves them, no more:
# setpriv's options for the unit's CapabilityBoundingSet=, written by test_kernel.py.
UNIT_CAPS=$(cat /etc/unit-caps)
CONF=/etc/execauditd.conf

# $1 records of EXEC_EVENT=$2 in the journal, waited for while the daemon runs (up to 60 s; TCG is slow).
wait_records() {
        n=0
        while [ "$(journalctl -q -t execauditd EXEC_EVENT="$2" -o cat | grep -c .)" -lt "$1" ] && [ $n -lt 300 ]; do
                kill -0 $D 2>/dev/null || break
                sleep 0.2
                n=$((n + 1))
        done
}

start_daemon() {
        # shellcheck disable=SC2086 # the options are words
        setpriv $UNIT_CAPS execauditd --config $CONF </dev/null >>/tmp/daemon.log 2>&1 &
        D=$!
        wait_records "$1" started
        kill -0 $D && echo "RESULT started $1"
}

stop_daemon() {
        kill -TERM $D
        wait $D
        echo "RESULT stopped $?"
}

# journald, started and waited for (up to 30 s).
start_journald() {
        /usr/lib/systemd/systemd-journald </dev/null >/dev/null 2>&1 &
        J=$!
        n=0
        until [ -S /run/systemd/journal/socket ] || [ $n -ge 150 ]; do
                sleep 0.2
                n=$((n + 1))
        done
}

# journald stopped, its socket gone with it: a sender finds nobody to write to.
stop_journald() {
        kill -TERM $J
        wait $J
        rm -f /run/systemd/journal/socket
}

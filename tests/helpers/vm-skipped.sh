#!/bin/sh
# /init of the machine test_skipped_runs_on_a_preemptible_kernel boots (test_kernel.py): a kernel that counts
# the runs of BPF programs it skips (recursion_misses), booted with preempt=full, so that a process
# preempted inside a bpf(2) map lookup (exectool hammer) leaves its CPU in a BPF context and the syscall
# tracepoint programs of the execs that run there meanwhile are skipped. journald and execauditd run as in
# vm-daemon.sh (the unit's capabilities, the shipped config). Three phases, each with the hammer on and
# rounds of 50 failed execs ("nonexistent VMSKIP-N") until the programs missed some of them (the kernel's
# execs_failed grew by less than the execs done), 40 rounds at most: (1) with the daemon running, until
# its skipped loss records cover what the kernel counted; (2) with no daemon, then a daemon that adopts
# the pins and reports what grew; (3) with no daemon, then a --remove-pins that cannot write to the journal
# (journald stopped) and keeps what it could not report, then one that reports the rest. Only
# counts decide: "RESULT ..." lines on the console (execauditd --status's numbers), the journal on the
# second serial port as JSON.
. /usr/lib/eavm/vm-lib.sh
mount -t debugfs debugfs /sys/kernel/debug
echo "RESULT kernel $(cat /proc/sys/kernel/osrelease)"
echo "RESULT preempt $(cat /sys/kernel/debug/sched/preempt)"

# execauditd --status into /tmp/status; field NAME reads a number from it.
status() {
        execauditd --config $CONF --status >/tmp/status 2>&1 || echo "RESULT status-failed $(cat /tmp/status)"
}
field() {
        sed -n "s/^$1  *//p" /tmp/status
}

# The daemon reads the kernel's count at most once a second: waits (up to 60 s) until its skipped records
# cover all of it.
wait_reported() {
        n=0
        status
        while [ "$(field skipped_unreported)" != 0 ] && [ $n -lt 300 ]; do
                kill -0 $D 2>/dev/null || break
                sleep 0.2
                n=$((n + 1))
                status
        done
        echo "RESULT reported $1 skipped $(field skipped) unreported $(field skipped_unreported)"
}

# Phase $1: the hammer on, rounds of 50 failed execs until the programs missed some, then the hammer off.
phase() {
        status
        k0=$(field skipped)
        f0=$(field execs_failed)
        exectool hammer /tmp/stop"$1" >/tmp/hammer"$1" 2>&1 &
        H=$!
        n=0
        while [ $n -lt 40 ]; do
                exectool failing 50 /nonexistent nonexistent VMSKIP-"$1"
                n=$((n + 1))
                status
                [ $(($(field execs_failed) - f0)) -lt $((n * 50)) ] && break
        done
        touch /tmp/stop"$1"
        wait $H
        status
        echo "RESULT phase $1 rounds $n execs $((n * 50)) seen $(($(field execs_failed) - f0))" \
                "skipped $(($(field skipped) - k0)) $(cat /tmp/hammer"$1")"
}

# The state between phases: the kernel's count and what no record reported yet; and what the maps still
# keep of execs in progress, when none is (the failed execs whose exit run was skipped left entries, which
# their threads' exits must have freed).
state() {
        status
        echo "RESULT state $1 skipped $(field skipped) unreported $(field skipped_unreported)"
        echo "RESULT inflight $1 $(exectool inflight /sys/fs/bpf/execauditd)"
}

start_journald

# 1: the daemon runs and reports the skipped runs as they grow.
start_daemon 1
phase 1
wait_reported 1
stop_daemon
state after-1
# 2: no daemon; the next one adopts the pins and reports what grew meanwhile.
phase 2
state before-2
start_daemon 2
wait_reported 2
stop_daemon
state after-2
# 3: no daemon; --remove-pins reports what grew since. One that cannot write to the journal keeps the pins,
# and with them the skipped runs of the programs it detached, whose own counts go with the programs; the
# next one, journald back, reports them.
phase 3
state before-remove
stop_journald
execauditd --config $CONF --remove-pins >/tmp/refused 2>&1 || echo "RESULT refused"
[ -e /sys/fs/bpf/execauditd/stats ] && echo "RESULT kept"
sed 's/^/REFUSED /' /tmp/refused
state refused
start_journald
execauditd --config $CONF --remove-pins && echo "RESULT removed"
[ -e /sys/fs/bpf/execauditd ] || echo "RESULT no-pins"
sed 's/^/DAEMON /' /tmp/daemon.log
# The fields the test reads: the exec_failed records of phase 1 are most of the journal.
FIELDS=EXEC_EVENT,EXEC_CMDLINE,EXEC_LOST_REASON,EXEC_LOST,EXEC_STATS_SKIPPED,_PID,_CMDLINE,MESSAGE
journalctl -o json --all -t execauditd --output-fields=$FIELDS | cat >/dev/ttyS1
echo "RESULT done"
echo o >/proc/sysrq-trigger
sleep 30

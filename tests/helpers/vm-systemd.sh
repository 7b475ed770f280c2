#!/bin/sh
# The steps of test_kernel.py's systemd machine (Debian 12's kernel, this machine's systemd booted as PID 1
# with the shipped unit and config): run by a oneshot unit once systemd is up. Steps print "RESULT ..." on
# the console; the journal queries go to the second serial port, each after a "QUERY name" line.
say() { echo "RESULT $*"; }

# $1 records that match the journalctl arguments after it, waited for (up to 100 tries; TCG is slow).
wait_journal() {
        want=$1
        shift
        n=0
        while [ "$(journalctl -q -o cat "$@" | grep -c .)" -lt "$want" ]; do
                n=$((n + 1))
                [ $n -lt 100 ] || { say timeout "$@"; return 1; }
                sleep 0.2
        done
}

# A step named $1: the command after it. Its failure ends the run (the unit then powers the machine off),
# with the unit's log on the console.
step() {
        name=$1
        shift
        "$@"
        rc=$?
        say "$name" $rc
        [ $rc = 0 ] && return 0
        journalctl -u execauditd.service -o cat --no-pager | sed 's/^/UNIT /'
        exit 1
}

as_user() { setpriv --reuid 1000 --regid 1000 --clear-groups "$@"; }

# This machine's / is the host's: its own drop-ins, for the config and for the unit, are not the test's
# (test_unit.py's UNIT_DROPIN_DIRS is the same list). systemd has read the unit's already.
rm -rf /etc/execauditd.conf.d && mkdir /etc/execauditd.conf.d
for d in /etc/systemd/system /usr/local/lib/systemd/system /usr/lib/systemd/system /lib/systemd/system; do
        if [ -d "$d/execauditd.service.d" ]; then
                rm -rf "$d/execauditd.service.d"
                unit_dropins=1
        fi
done
[ -z "$unit_dropins" ] || step daemon-reload systemctl daemon-reload
say paranoid "$(cat /proc/sys/kernel/perf_event_paranoid)"
say hardened "$(cat /proc/sys/kernel/kptr_restrict /proc/sys/kernel/yama/ptrace_scope | tr '\n' ' ')"
say kernel "$(uname -r)"
step enable-now systemctl enable --now execauditd.service
say active "$(systemctl is-active execauditd.service)"
wait_journal 1 -u execauditd.service EXEC_EVENT=started
P=$(systemctl show -P MainPID execauditd.service)
for t in /proc/"$P"/task/*; do
        echo "CAPS ${t##*/} $(grep -E '^Cap(Prm|Eff)' "$t/status" | tr -s '\t\n' '  ')"
done

as_user /bin/true VMSD-user
systemd-run --quiet --unit=eamark /bin/sh -c 'exec sleep 600' VMSD-unit
wait_journal 1 -u execauditd.service EXEC_UID=1000 EXEC_EVENT=exit
wait_journal 1 -u execauditd.service EXEC_UNIT=eamark.service

# A reload that leaves user 1000 out, in the kernel.
printf '[Filter]\nExcludeUsers=1000\n' >/etc/execauditd.conf.d/50-vm.conf
step reload systemctl reload execauditd.service
wait_journal 1 -u execauditd.service EXEC_EVENT=reloaded
as_user /bin/true VMSD-filtered
/bin/true VMSD-after-reload
wait_journal 1 -u execauditd.service EXEC_CMDLINE="/bin/true VMSD-after-reload"

# A stop keeps the pins, so execs while no daemon runs are counted in the kernel and reported at the start.
systemctl stop execauditd.service
say stop $? "$(systemctl is-active execauditd.service)"
say pins "$(cd /sys/fs/bpf/execauditd && echo *) "
/bin/true VMSD-stopped
step restart systemctl restart execauditd.service
wait_journal 2 -u execauditd.service EXEC_EVENT=started
/bin/true VMSD-restarted
wait_journal 1 -u execauditd.service EXEC_CMDLINE="/bin/true VMSD-restarted"

# A hung daemon: the unit's WatchdogSec=30s runs out, systemd kills it and Restart=on-failure starts
# another, which adopts the pins and reports what the hung one never wrote.
restarted_after_hang() {
        pid=$(systemctl show -P MainPID execauditd.service)
        [ "${pid:-0}" -gt 0 ] || return 2 # kill -STOP 0 would stop this script
        kill -STOP "$pid" || return 3
        /bin/true VMSD-hung
        end=$(($(date +%s) + 120))
        while [ "$(systemctl show -P NRestarts execauditd.service)" = 0 ]; do
                [ "$(date +%s)" -lt $end ] || return 1
                sleep 0.5
        done
}
step watchdog-restart restarted_after_hang
say watchdog-restarts "$(systemctl show -P NRestarts execauditd.service)"
journalctl -u execauditd.service -o short-monotonic --no-pager | grep -i 'watchdog' | sed 's/^/WATCHDOG /'
wait_journal 3 -u execauditd.service EXEC_EVENT=started
/bin/true VMSD-after-hang
wait_journal 1 -u execauditd.service EXEC_CMDLINE="/bin/true VMSD-after-hang"

# journald restarted while execs are recorded: its socket belongs to systemd-journald.socket, so what
# waits in it reaches the next journald, and the daemon's sends never fail (the accounting covers it).
i=0
while [ $i -lt 200 ]; do
        /bin/true VMSD-jrestart $i
        i=$((i + 1))
done &
step journald-restart systemctl restart systemd-journald.service
wait $!
/bin/true VMSD-after-jrestart
wait_journal 1 -u execauditd.service EXEC_CMDLINE="/bin/true VMSD-after-jrestart"
systemctl stop execauditd.service
say stopped $?

# Through a file: on a terminal journalctl would start a pager and colour its JSON.
{
        echo "QUERY uid1000"
        journalctl -u execauditd.service EXEC_UID=1000 -o json
        echo "QUERY all"
        journalctl -u execauditd.service -o json --all
} >/run/queries 2>&1
cat /run/queries >/dev/ttyS1
say "done"

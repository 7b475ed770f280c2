#!/bin/sh
# /init of the machine test_kernel.py boots with Debian 12's own kernel. Booted with lockdown=confidentiality
# (test_confidentiality_lockdown_refused): only a start that must be refused. Otherwise
# (test_daemon_on_debian_12_kernel): a start without CAP_SYS_ADMIN that must fail; then journald and
# execauditd with the unit's capabilities and the shipped config, execs of many kinds, a reload with a
# filter, a stop, execs with no daemon, a start that adopts the pins, a perf buffer overflow behind a
# stopped daemon, --remove-pins. Steps print "RESULT ..." on the console; the journal goes to the second
# serial port as JSON (the host reads it from a file).
. /usr/lib/eavm/vm-lib.sh
mount -t securityfs securityfs /sys/kernel/security

# Booted locked down for confidentiality: the daemon refuses at once, and says why.
if grep -q 'lockdown=confidentiality' /proc/cmdline; then
        execauditd --config /etc/execauditd.conf </dev/null >/tmp/lockdown.log 2>&1
        echo "RESULT lockdown-exit $?"
        sed 's/^/LOCKDOWN /' /tmp/lockdown.log
        echo "RESULT done"
        echo o >/proc/sysrq-trigger
        sleep 30
fi

start_journald

# Debian's default, which lets perf_event_open(2) through only with CAP_SYS_ADMIN: without it (the unit's
# set before it had CAP_SYS_ADMIN) the daemon cannot open its perf buffers, and says why.
echo "RESULT paranoid $(cat /proc/sys/kernel/perf_event_paranoid)"
echo "RESULT lockdown $(cat /sys/kernel/security/lockdown)"
# shellcheck disable=SC2046 # the options are words
setpriv $(echo "$UNIT_CAPS" | sed 's/,+sys_admin//') execauditd --config /etc/execauditd.conf </dev/null \
        >/tmp/no-admin.log 2>&1
echo "RESULT no-admin $?"
sed 's/^/NOADMIN /' /tmp/no-admin.log

start_daemon 1
for t in /proc/"$D"/task/*; do
        echo "CAPS ${t##*/} $(grep -E '^Cap(Prm|Eff)' "$t/status" | tr -s '\t\n' '  ')"
done
exectool exec /usr/bin/true true VMMARK-a "$(printf 'x\ny')"
exectool exec /nonexistent nonexistent VMMARK-b
printf '#!/bin/sh\nexit 3\n' >/tmp/script
chmod +x /tmp/script
/tmp/script VMMARK-c
exectool fexecve /usr/bin/true true VMMARK-d
exectool burn 0 64 VMMARK-burn
exectool noargv /usr/bin/true
exectool thread-exec /tmp/thread-info /bin/sh sh -c 'exit 3' VMMARK-thread
exectool threads 4 7 100 VMMARK-threads
exectool loginuid 1000 /tmp/login-info /usr/bin/true true VMMARK-login
exectool pidns /tmp/pidns-info /usr/bin/true true VMMARK-pidns
P=$(printf '%8000s' '' | sed 's/ /p/g')
/usr/bin/true VMMARK-big "$P$P$P$P$P"

# The filter, applied in the kernel: a user, a command, a cgroup and a mount namespace left out.
cp /usr/bin/true /tmp/leftout
mkdir /sys/fs/cgroup/vmtest
mkdir /run/ns
mount --bind /run/ns /run/ns
mount --make-private /run/ns
touch /run/ns/mnt
unshare --mount=/run/ns/mnt true
printf '[Filter]\nExcludeUsers=1000\nExcludeCommands=leftout\nExcludeCgroups=/vmtest\n' >/etc/execauditd.conf
printf 'ExcludeMountNamespaces=/run/ns/mnt\n' >>/etc/execauditd.conf
# shellcheck disable=SC2086
setpriv $UNIT_CAPS execauditd --reload $D && echo "RESULT reloaded"
setpriv --reuid 1000 --regid 1000 --clear-groups /usr/bin/true VMMARK-user
/tmp/leftout VMMARK-command
exectool cgroup /sys/fs/cgroup/vmtest /usr/bin/true true VMMARK-cgroup
nsenter --mount=/run/ns/mnt /usr/bin/true VMMARK-mntns
/usr/bin/true VMMARK-e
stop_daemon

# No daemon: the programs stay attached and count; the next start reports the gap.
/usr/bin/true VMMARK-f
/usr/bin/true VMMARK-g
printf '[Capture]\nMaxArgsBytes=16K\n[BPF]\nPerfBufferPages=1\n' >>/etc/execauditd.conf
start_daemon 2
# One page of perf buffer and a stopped reader: the kernel drops samples, the daemon counts them.
kill -STOP $D
i=0
while [ $i -lt 40 ]; do
        /usr/bin/true VMMARK-p $i "$P"
        i=$((i + 1))
done
kill -CONT $D
wait_records 2 lost
/usr/bin/true VMMARK-h
stop_daemon
execauditd --config /etc/execauditd.conf --remove-pins && echo "RESULT removed"
[ -e /sys/fs/bpf/execauditd ] || echo "RESULT no-pins"
sed 's/^/DAEMON /' /tmp/daemon.log
journalctl -o json --all -t execauditd | cat >/dev/ttyS1
echo "RESULT done"
echo o >/proc/sysrq-trigger
sleep 30

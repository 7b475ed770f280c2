// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel half of execauditd: turns execs (successful and failed) and exits of audited processes into
 * events in the "events" perf event array.
 *
 * Successful execs are reported from sched_process_exec, which fires for every successful exec whatever
 * the syscall path (32-bit compat execs do not reach the syscalls tracepoints), in the context of the new
 * image: argv is read from the new mm, so a racing thread of the caller cannot change what is recorded.
 * The syscall entry only remembers pointers and the start time. Failed execs are reported at the syscall
 * exit, where the caller's memory is still the one that was passed to exec.
 *
 * Every emitted event takes the next number of one counter shared by all CPUs, so the daemon (and anyone
 * reading the journal) can tell a gap from a quiet moment.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "execaudit.h"

char LICENSE[] SEC("license") = "GPL";

/* Room for the filename and twice the argv maximum, so the verifier can prove every variable-offset read
 * stays inside; what is sent is never more than EA_FILENAME_MAX + EA_ARGS_MAX. */
#define SCRATCH_DATA (EA_FILENAME_MAX + 2 * EA_ARGS_MAX)

struct scratch {
        char raw[sizeof(struct ea_exec) + SCRATCH_DATA];
};

struct {
        __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
        __uint(key_size, sizeof(__u32));
        __uint(value_size, sizeof(__u32));
} events SEC(".maps");

/* One slot per CPU, indexed by CPU number: per-CPU maps cannot hold values over 32 KiB. The daemon sets
 * max_entries to the number of possible CPUs before loading. */
struct {
        __uint(type, BPF_MAP_TYPE_ARRAY);
        __uint(max_entries, 1);
        __type(key, __u32);
        __type(value, struct scratch);
} scratch SEC(".maps");

static __always_inline struct scratch *get_scratch(void)
{
        __u32 cpu = bpf_get_smp_processor_id();

        return bpf_map_lookup_elem(&scratch, &cpu);
}

struct {
        __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
        __uint(max_entries, 1);
        __type(key, __u32);
        __type(value, struct ea_stats);
} stats SEC(".maps");

struct {
        __uint(type, BPF_MAP_TYPE_ARRAY);
        __uint(max_entries, 1);
        __type(key, __u32);
        __type(value, __u64);
} seq SEC(".maps");

/* (generation << 32 | slot): see execaudit.h. mmap-able so the daemon flips it with one atomic store. */
struct {
        __uint(type, BPF_MAP_TYPE_ARRAY);
        __uint(map_flags, BPF_F_MMAPABLE);
        __uint(max_entries, 1);
        __type(key, __u32);
        __type(value, __u64);
} active SEC(".maps");

struct {
        __uint(type, BPF_MAP_TYPE_ARRAY);
        __uint(max_entries, EA_SLOTS);
        __type(key, __u32);
        __type(value, struct ea_settings);
} settings SEC(".maps");

struct {
        __uint(type, BPF_MAP_TYPE_HASH);
        __uint(max_entries, EA_SLOTS * 64);
        __type(key, struct ea_id_key);
        __type(value, __u8);
} filter_cgroups SEC(".maps");

struct {
        __uint(type, BPF_MAP_TYPE_HASH);
        __uint(max_entries, EA_SLOTS * 128);
        __type(key, struct ea_id_key);
        __type(value, __u8);
} filter_mntns SEC(".maps");

struct {
        __uint(type, BPF_MAP_TYPE_HASH);
        __uint(max_entries, EA_SLOTS * 128);
        __type(key, struct ea_comm_key);
        __type(value, __u8);
} filter_comms SEC(".maps");

/*
 * CgroupMap= and MountNamespaceMap=: another tool's pinned hash maps (u64 keys), one per slot. The
 * daemon sets each inner-map template from the configured map before loading, so any value size works.
 */
struct ext_id_map {
        __uint(type, BPF_MAP_TYPE_HASH);
        __uint(max_entries, 1024);
        __type(key, __u64);
        __type(value, __u64);
};

struct {
        __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
        __uint(max_entries, EA_SLOTS);
        __type(key, __u32);
        __array(values, struct ext_id_map);
} filter_cgroup_map SEC(".maps");

struct {
        __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
        __uint(max_entries, EA_SLOTS);
        __type(key, __u32);
        __array(values, struct ext_id_map);
} filter_mntns_map SEC(".maps");

/* Preallocated (8192 small entries): allocating on every execve entry costs more than the update. */
struct {
        __uint(type, BPF_MAP_TYPE_HASH);
        __uint(max_entries, EA_MAX_INFLIGHT);
        __type(key, __u32);
        __type(value, struct ea_inflight);
} inflight SEC(".maps");

/* execveat() relative to a real dirfd: the kernel's own filename is "/dev/fd/N/...", so the bytes the
 * caller passed are kept here from the syscall entry. */
struct name_buf {
        char name[EA_FILENAME_MAX];
};

struct {
        __uint(type, BPF_MAP_TYPE_HASH);
        __uint(map_flags, BPF_F_NO_PREALLOC);
        __uint(max_entries, EA_MAX_INFLIGHT);
        __type(key, __u32);
        __type(value, struct name_buf);
} inflight_name SEC(".maps");

struct {
        __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
        __uint(max_entries, 1);
        __type(key, __u32);
        __type(value, struct name_buf);
} name_scratch SEC(".maps");

struct {
        __uint(type, BPF_MAP_TYPE_HASH);
        __uint(map_flags, BPF_F_NO_PREALLOC);
        __uint(max_entries, EA_MAX_TRACKED);
        __type(key, __u32);
        __type(value, struct ea_tracked);
} tracked SEC(".maps");

static const __u32 zero;

/*
 * min(v, max) computed in one register the verifier follows. Plain C clamps get compiled into a copy
 * while the unclamped (or zero-extended) register goes on to the helper, and the verifier rejects it.
 */
#define BOUND(v, max)                                                                                       \
        ({                                                                                                  \
                __u64 __v = (v);                                                                            \
                asm volatile("if %[x] <= %[m] goto +1; %[x] = %[m]" : [x] "+r"(__v) : [m] "i"(max));        \
                __v;                                                                                        \
        })

static __always_inline void count(enum ea_stat which)
{
        struct ea_stats *s = bpf_map_lookup_elem(&stats, &zero);

        if (s && which < EA_STAT_SLOTS)
                s->n[which]++;
}

/* The configuration in force for this program run: read "active" once, then its slot's settings. */
struct config_ref {
        struct ea_settings *set;
        __u32 slot;
        __u32 generation;
};

static __always_inline bool get_config(struct config_ref *c)
{
        __u64 *a = bpf_map_lookup_elem(&active, &zero), v;

        if (!a)
                return false;
        v = *(volatile __u64 *)a;
        c->slot = v & 1;
        c->generation = v >> 32;
        c->set = bpf_map_lookup_elem(&settings, &c->slot);
        return c->set != NULL;
}

static __always_inline void match_id(void *map, __u32 slot, __u64 id, __u8 *found)
{
        struct ea_id_key key = {.slot = slot, .id = id};
        __u8 *v = bpf_map_lookup_elem(map, &key);

        if (v)
                *found |= *v;
}

static __always_inline bool uid_in(const struct ea_uid_span *spans, __u32 n, __u32 uid)
{
        for (__u32 i = 0; i < EA_UID_RANGES; i++) {
                if (i >= n)
                        break;
                if (uid >= spans[i].lo && uid <= spans[i].hi)
                        return true;
        }
        return false;
}

/* Within a dimension any entry matches; all configured dimensions must match; any exclusion wins. */
static __always_inline bool audited(const struct config_ref *c, struct task_struct *task, __u32 uid,
                                    const char comm[16])
{
        struct ea_settings *set = c->set;
        __u32 f = set->filter;
        __u8 found;
        void *inner;

        if (f & (EA_FLT_USERS | EA_FLT_EXCL_USERS)) {
                if ((f & EA_FLT_EXCL_USERS) && uid_in(set->exclude_users, set->n_exclude_users, uid))
                        return false;
                if ((f & EA_FLT_USERS) && !uid_in(set->users, set->n_users, uid))
                        return false;
        }
        if (f & (EA_FLT_CGROUPS | EA_FLT_EXCL_CGROUPS)) {
                /* The cgroup and its ancestors: a filter on a cgroup covers all its descendants. */
                struct cgroup *cg = BPF_CORE_READ(task, cgroups, dfl_cgrp);

                found = 0;
                for (int i = 0; i < EA_CGROUP_DEPTH_MAX && cg; i++) {
                        struct cgroup_subsys_state *parent;

                        match_id(&filter_cgroups, c->slot, BPF_CORE_READ(cg, kn, id), &found);
                        parent = BPF_CORE_READ(cg, self.parent);
                        cg = parent ? (void *)parent - bpf_core_field_offset(struct cgroup, self) : NULL;
                }
                if ((found & EA_MATCH_EXCLUDE) || ((f & EA_FLT_CGROUPS) && !(found & EA_MATCH_INCLUDE)))
                        return false;
        }
        if (f & (EA_FLT_MNTNS | EA_FLT_EXCL_MNTNS)) {
                found = 0;
                match_id(&filter_mntns, c->slot, BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum), &found);
                if ((found & EA_MATCH_EXCLUDE) || ((f & EA_FLT_MNTNS) && !(found & EA_MATCH_INCLUDE)))
                        return false;
        }
        if (f & (EA_FLT_COMMANDS | EA_FLT_EXCL_COMMANDS)) {
                struct ea_comm_key key = {.slot = c->slot};
                __u8 *v;

                __builtin_memcpy(key.comm, comm, sizeof(key.comm));
                v = bpf_map_lookup_elem(&filter_comms, &key);
                found = v ? *v : 0;
                if ((found & EA_MATCH_EXCLUDE) || ((f & EA_FLT_COMMANDS) && !(found & EA_MATCH_INCLUDE)))
                        return false;
        }
        inner = bpf_map_lookup_elem(&filter_cgroup_map, &c->slot);
        if (inner) {
                __u64 id = bpf_get_current_cgroup_id();

                if (!bpf_map_lookup_elem(inner, &id))
                        return false;
        }
        inner = bpf_map_lookup_elem(&filter_mntns_map, &c->slot);
        if (inner) {
                __u64 id = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);

                if (!bpf_map_lookup_elem(inner, &id))
                        return false;
        }
        return true;
}

static __always_inline void fill_proc(struct ea_proc *p, struct task_struct *task)
{
        __u64 pid_tgid = bpf_get_current_pid_tgid();
        __u64 uid_gid = bpf_get_current_uid_gid();

        p->pid = pid_tgid >> 32;
        p->tid = (__u32)pid_tgid;
        p->uid = (__u32)uid_gid;
        p->gid = uid_gid >> 32;
        p->euid = BPF_CORE_READ(task, cred, euid.val);
        p->egid = BPF_CORE_READ(task, cred, egid.val);
        p->ppid = BPF_CORE_READ(task, real_parent, tgid);
        p->mntns = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);
        p->cgroup_id = bpf_get_current_cgroup_id();
        bpf_get_current_comm(p->comm, sizeof(p->comm));
}

/* Numbers the event and sends its first `size` bytes; a failure leaves a gap in the numbering, counted. */
static __always_inline void emit(void *ctx, struct ea_header *hdr, __u64 size, __u32 type, __u32 generation)
{
        __u64 *counter = bpf_map_lookup_elem(&seq, &zero);
        long r;

        if (!counter)
                return;
        hdr->type = type;
        hdr->version = EA_LAYOUT_VERSION;
        hdr->size = (__u32)size;
        hdr->config_generation = generation;
        hdr->_pad = 0;
        hdr->seq = __sync_fetch_and_add(counter, 1) + 1;
        r = bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, hdr,
                                  BOUND(size, sizeof(struct ea_exec) + EA_FILENAME_MAX + EA_ARGS_MAX));
        if (r == 0)
                count(EA_STAT_EMITTED);
        else if (r == -2 /* ENOENT */)
                count(EA_STAT_EMIT_ENOENT);
        else if (r == -28 /* ENOSPC */)
                count(EA_STAT_EMIT_ENOSPC);
        else if (r == -7 /* E2BIG */)
                count(EA_STAT_EMIT_E2BIG);
        else
                count(EA_STAT_EMIT_OTHER);
}

static __always_inline __u32 exec_event_size(struct ea_exec *ev)
{
        __u32 fl = ev->filename_len, al = ev->args_len;

        /* Restated bounds: the verifier must see that the size fits the scratch value. */
        if (fl > EA_FILENAME_MAX)
                fl = EA_FILENAME_MAX;
        if (al > EA_ARGS_MAX)
                al = EA_ARGS_MAX;
        return sizeof(struct ea_exec) + fl + al;
}

static __always_inline int remember_entry(__u64 filename, __u64 argv, __s32 dirfd)
{
        __u32 tid = (__u32)bpf_get_current_pid_tgid();
        struct ea_inflight e = {
                .ktime_ns = bpf_ktime_get_boot_ns(),
                .filename = filename,
                .argv = argv,
                .dirfd = dirfd,
        };

        count(EA_STAT_EXEC_ENTER);
        if (bpf_map_update_elem(&inflight, &tid, &e, BPF_ANY) < 0) {
                count(EA_STAT_INFLIGHT_FULL);
                return 0;
        }
        if (dirfd != EA_AT_FDCWD) {
                struct name_buf *nb = bpf_map_lookup_elem(&name_scratch, &zero);

                if (!nb)
                        return 0;
                if (bpf_probe_read_user_str(nb->name, sizeof(nb->name), (const void *)filename) < 0)
                        nb->name[0] = '\0';
                if (bpf_map_update_elem(&inflight_name, &tid, nb, BPF_ANY) < 0)
                        count(EA_STAT_INFLIGHT_FULL);
        }
        return 0;
}

SEC("tracepoint/syscalls/sys_enter_execve")
int ea_enter_execve(struct trace_event_raw_sys_enter *ctx)
{
        return remember_entry(ctx->args[0], ctx->args[1], EA_AT_FDCWD);
}

SEC("tracepoint/syscalls/sys_enter_execveat")
int ea_enter_execveat(struct trace_event_raw_sys_enter *ctx)
{
        return remember_entry(ctx->args[1], ctx->args[2], (__s32)ctx->args[0]);
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(ea_exec, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
        struct scratch *s = get_scratch();
        __u32 old = old_pid, fl = 0, max_args, n, tgid;
        struct ea_inflight *entry;
        struct ea_tracked tr = {};
        __u64 now = bpf_ktime_get_boot_ns();
        unsigned long start, end;
        struct config_ref c;
        struct ea_exec *ev;
        struct ea_settings *set;
        char comm[16];
        long r = -1;

        count(EA_STAT_EXEC);
        if (!s || !get_config(&c))
                return 0;
        set = c.set;
        /* comm is already the new program's name here. */
        bpf_get_current_comm(comm, sizeof(comm));
        if (!audited(&c, task, (__u32)bpf_get_current_uid_gid(), comm)) {
                count(EA_STAT_FILTERED);
                entry = bpf_map_lookup_elem(&inflight, &old);
                if (entry && entry->dirfd != EA_AT_FDCWD)
                        bpf_map_delete_elem(&inflight_name, &old);
                bpf_map_delete_elem(&inflight, &old);
                /* An exit follows the decision on the process's last exec. */
                tgid = bpf_get_current_pid_tgid() >> 32;
                bpf_map_delete_elem(&tracked, &tgid);
                return 0;
        }
        ev = (struct ea_exec *)s->raw;
        fill_proc(&ev->proc, task);
        ev->proc.tid = old;
        ev->ret = 0;
        ev->flags = 0;
        ev->argc = BPF_CORE_READ(bprm, argc);
        ev->duration_ns = 0;

        entry = bpf_map_lookup_elem(&inflight, &old);
        if (entry) {
                ev->duration_ns = now - entry->ktime_ns;
                if (entry->dirfd != EA_AT_FDCWD) {
                        struct name_buf *nb = bpf_map_lookup_elem(&inflight_name, &old);

                        if (nb)
                                r = bpf_probe_read_kernel_str(ev->data, EA_FILENAME_MAX, nb->name);
                        bpf_map_delete_elem(&inflight_name, &old);
                }
                bpf_map_delete_elem(&inflight, &old);
        }
        /* execve(): the kernel's copy is byte for byte what the caller passed. */
        if (r < 0)
                r = bpf_probe_read_kernel_str(ev->data, EA_FILENAME_MAX, BPF_CORE_READ(bprm, filename));
        if (r > 0)
                fl = r - 1;
        if (fl > EA_FILENAME_MAX - 1)
                fl = EA_FILENAME_MAX - 1;
        ev->filename_len = fl;

        start = BPF_CORE_READ(task, mm, arg_start);
        end = BPF_CORE_READ(task, mm, arg_end);
        ev->args_size = end > start ? end - start : 0;
        max_args = set->max_args_bytes;
        if (max_args > EA_ARGS_MAX)
                max_args = EA_ARGS_MAX;
        n = ev->args_size;
        if (n > max_args) {
                n = max_args;
                ev->flags |= EA_F_ARGS_TRUNCATED;
        }
        if (n > EA_ARGS_MAX)
                n = EA_ARGS_MAX;
        /* The new image's argv pages were just written by the kernel, so they are resident. */
        if (n && bpf_probe_read_user(ev->data + BOUND(fl, EA_FILENAME_MAX), BOUND(n, EA_ARGS_MAX),
                                     (const void *)start) < 0) {
                count(EA_STAT_ARGS_READ_FAIL);
                ev->flags |= EA_F_ARGS_TRUNCATED;
                n = 0;
        }
        ev->args_len = n;
        ev->hdr.ktime_ns = now;
        emit(ctx, &ev->hdr, exec_event_size(ev), EA_EV_EXEC, c.generation);

        if (set->capture & EA_CAP_EXITS) {
                tr.exec_seq = ev->hdr.seq;
                tr.exec_ktime_ns = now;
                tr.config_generation = c.generation;
                if (bpf_map_update_elem(&tracked, &ev->proc.pid, &tr, BPF_ANY) < 0)
                        count(EA_STAT_TRACKED_FULL);
        }
        return 0;
}

struct argv_walk {
        char *data;
        __u64 argv;
        __u32 off;   /* filename_len: where argv starts in ev->data */
        __u32 len;   /* argv bytes captured so far */
        __u32 limit; /* MaxArgsBytes */
        __u32 argc;
        __u32 truncated;
        __u32 done;
};

static long argv_step(__u32 i, void *arg)
{
        struct argv_walk *w = arg;
        __u64 ptr = 0;
        __u32 off, len, room;
        long r;

        if (bpf_probe_read_user(&ptr, sizeof(ptr), (const void *)(w->argv + (__u64)i * 8)) < 0 || !ptr) {
                w->done = 1;
                return 1;
        }
        w->argc++;
        len = w->len;
        if (len >= w->limit) {
                w->truncated = 1;
                return 0;
        }
        off = w->off;
        if (off > EA_FILENAME_MAX || len > EA_ARGS_MAX)
                return 1;
        room = w->limit - len;
        if (room > EA_ARGS_MAX)
                room = EA_ARGS_MAX;
        r = bpf_probe_read_user_str(w->data + BOUND(off, EA_FILENAME_MAX) + BOUND(len, EA_ARGS_MAX),
                                    BOUND(room, EA_ARGS_MAX), (const void *)ptr);
        if (r <= 0) {
                w->truncated = 1;
                return 0;
        }
        /* A return equal to the room means the argument was cut (and ends in our NUL, not its own). */
        if ((__u32)r >= room)
                w->truncated = 1;
        w->len = len + (__u32)r;
        return 0;
}

struct basename_scan {
        const char *name;
        __u32 len;
        __u32 start; /* after the last '/' */
};

static long basename_step(__u32 i, void *arg)
{
        struct basename_scan *b = arg;
        char ch;

        if (i >= b->len || i >= EA_FILENAME_MAX)
                return 1;
        ch = b->name[BOUND(i, EA_FILENAME_MAX - 1)];
        if (ch == '/')
                b->start = i + 1;
        return 0;
}

/* The comm a successful exec of this filename would have had: its last component, cut to 15 bytes. */
static __always_inline void comm_of_filename(const char *name, __u32 len, char comm[16])
{
        struct basename_scan b = {.name = name, .len = len};

        bpf_loop(EA_FILENAME_MAX, basename_step, &b, 0);
        __builtin_memset(comm, 0, 16);
        bpf_probe_read_kernel_str(comm, 16, name + BOUND(b.start, EA_FILENAME_MAX - 1));
}

static __always_inline int exec_failed(void *ctx, long ret)
{
        struct scratch *s = get_scratch();
        __u32 tid = (__u32)bpf_get_current_pid_tgid();
        struct task_struct *task = bpf_get_current_task_btf();
        struct ea_inflight *entry;
        struct argv_walk w = {};
        struct ea_settings *set;
        struct config_ref c;
        struct ea_exec *ev;
        char comm[16];
        long r;

        entry = bpf_map_lookup_elem(&inflight, &tid);
        if (!entry)
                return 0;
        if (ret >= 0 || !s || !get_config(&c) || !(c.set->capture & EA_CAP_FAILED_EXECS))
                goto out;
        set = c.set;
        count(EA_STAT_EXEC_FAILED);
        ev = (struct ea_exec *)s->raw;
        ev->ret = (__s32)ret;
        ev->flags = 0;
        ev->args_size = 0;
        ev->hdr.ktime_ns = bpf_ktime_get_boot_ns();
        ev->duration_ns = ev->hdr.ktime_ns - entry->ktime_ns;

        r = bpf_probe_read_user_str(ev->data, EA_FILENAME_MAX, (const void *)entry->filename);
        ev->filename_len = 0;
        if (r > 0)
                ev->filename_len = r - 1;
        /* A 4095-byte name fills the buffer exactly too; only a name the kernel refused as too long can
         * have been cut. */
        if (r == EA_FILENAME_MAX && ret == -36 /* ENAMETOOLONG */)
                ev->flags |= EA_F_FILENAME_TRUNCATED;
        if (ev->filename_len > EA_FILENAME_MAX - 1)
                ev->filename_len = EA_FILENAME_MAX - 1;

        /* Judged like the exec it attempted: Commands= compares the name the program would have had. */
        if (set->filter & (EA_FLT_COMMANDS | EA_FLT_EXCL_COMMANDS))
                comm_of_filename(ev->data, ev->filename_len, comm);
        else
                __builtin_memset(comm, 0, sizeof(comm));
        if (!audited(&c, task, (__u32)bpf_get_current_uid_gid(), comm)) {
                count(EA_STAT_FILTERED);
                goto out;
        }
        fill_proc(&ev->proc, task);

        w.data = ev->data;
        w.argv = entry->argv;
        w.off = ev->filename_len;
        w.limit = set->max_args_bytes > EA_ARGS_MAX ? EA_ARGS_MAX : set->max_args_bytes;
        if (w.argv)
                bpf_loop(EA_ARGV_SCAN_MAX, argv_step, &w, 0);
        else
                w.done = 1;
        ev->argc = w.argc;
        ev->args_len = w.len;
        if (w.truncated)
                ev->flags |= EA_F_ARGS_TRUNCATED;
        if (!w.done)
                ev->flags |= EA_F_ARGC_FLOOR | EA_F_ARGS_TRUNCATED;
        emit(ctx, &ev->hdr, exec_event_size(ev), EA_EV_EXEC_FAILED, c.generation);
out:
        bpf_map_delete_elem(&inflight, &tid);
        if (entry->dirfd != EA_AT_FDCWD)
                bpf_map_delete_elem(&inflight_name, &tid);
        return 0;
}

SEC("tracepoint/syscalls/sys_exit_execve")
int ea_exit_execve(struct trace_event_raw_sys_exit *ctx)
{
        return exec_failed(ctx, ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_execveat")
int ea_exit_execveat(struct trace_event_raw_sys_exit *ctx)
{
        return exec_failed(ctx, ctx->ret);
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(ea_exit, struct task_struct *task)
{
        struct ea_exit ev = {};
        struct ea_tracked *tr;
        struct config_ref c;
        __u32 tgid, generation;

        /* Only the last thread of a group reports: threads replaced by an exec do not end the process. */
        if (BPF_CORE_READ(task, signal, live.counter) > 0)
                return 0;
        tgid = BPF_CORE_READ(task, tgid);
        tr = bpf_map_lookup_elem(&tracked, &tgid);
        if (!tr)
                return 0;
        generation = tr->config_generation;
        bpf_map_delete_elem(&tracked, &tgid);
        if (!get_config(&c) || !(c.set->capture & EA_CAP_EXITS))
                return 0;
        count(EA_STAT_EXIT);
        fill_proc(&ev.proc, task);
        ev.exit_code = BPF_CORE_READ(task, exit_code);
        ev.hdr.ktime_ns = bpf_ktime_get_boot_ns();
        emit(ctx, &ev.hdr, sizeof(ev), EA_EV_EXIT, generation);
        return 0;
}

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

/* Where the strings of an exec event may start: after the filename and up to three earlier paths. */
#define PATH_POS_MAX (EA_FILENAME_MAX + (EA_PATH__MAX - 1) * EA_PATH_MAX)
/* Where inline argv may start, and room for it: the verifier checks offset bound + length bound. */
#define ARGS_POS_MAX (EA_FILENAME_MAX + EA_PATH__MAX * EA_PATH_MAX)
#define SCRATCH_DATA (ARGS_POS_MAX + EA_ARGS_INLINE)

struct scratch {
        char raw[sizeof(struct ea_exec) + SCRATCH_DATA];
};

/*
 * A failed exec's argv, read from the caller's pointer array one string at a time into a chunk buffer.
 * A string that does not fit the chunk's rest is continued in the next chunk, so the pieces put end to
 * end are exactly the captured bytes.
 */
struct argv_walk {
        __u64 argv;
        __u64 str_off; /* bytes of argument idx already captured */
        __u32 idx;     /* the argument being read */
        __u32 len;     /* bytes in the current chunk */
        __u32 total;   /* bytes captured in all chunks */
        __u32 limit;   /* MaxArgsBytes */
        __u32 argc;
        __u32 truncated;
        __u32 done;      /* reached argv's NULL */
        __u32 full;      /* the chunk is full: send it and go on */
        __u32 block_len; /* pointers in args_scratch.block */
};

/* Pointers of a failed exec's argv past MaxArgsBytes, only counted: read this many at a time. */
#define ARGV_BLOCK 64

/* One EA_EV_ARGS event under construction (twice the chunk so a bounded offset plus a bounded length fit),
 * and the argv walk that fills it, kept here for the same reason as struct path_walk. */
struct args_scratch {
        char raw[sizeof(struct ea_args) + 2 * EA_ARGS_CHUNK];
        struct argv_walk w;
        __u64 block[ARGV_BLOCK];
};

/*
 * Path resolution, the way the kernel's d_path() does it: from the dentry up to the mount's root, across
 * mount points, until the process's root (so a process in a container or chroot gets the path it sees).
 * The walk's state lives in the map value, not on the stack: the verifier then treats it as unknown and
 * checks the loop body once, instead of once per distinct offset.
 */
struct path_walk {
        struct dentry *dentry;
        struct vfsmount *vfsmnt;
        struct dentry *mnt_root; /* vfsmnt's, read once per mount */
        struct mount *mnt;
        struct dentry *root_dentry;
        struct vfsmount *root_mnt;
        __u32 off; /* the path so far is buf[off, EA_PATH_MAX) */
        __u32 truncated;
        __u32 ended; /* reached a root: a walk out of steps is truncated too */
};

/* d_parent and d_name side by side, as struct dentry has them: one read per component. */
struct dentry_head {
        struct dentry *parent;
        __u32 hash;
        __u32 len;
        const unsigned char *name;
};

/* The path is built backwards from the end; NAME_MAX more so one name at any offset fits. */
struct path_buf {
        struct path_walk w;
        char buf[EA_PATH_MAX + 258]; /* a 255-byte name read as a string of up to 257 at any offset */
};

/* bpf_loop's context must be on the stack: it only points at the map value. */
struct walk_ref {
        void *p;
};

struct {
        __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
        __uint(key_size, sizeof(__u32));
        __uint(value_size, sizeof(__u32));
} events SEC(".maps");

/*
 * Which run a scratch belongs to. Runs on one CPU share its scratch only while none of them can be
 * preempted: a program cannot interrupt itself (the kernel skips and counts that run), and the syscall
 * tracepoint programs exclude each other, but on a kernel whose tracepoint programs can be preempted
 * (PREEMPT_RT, from 2026 on: SRCU and migrate_disable() instead of preempt_disable()) a failed exec's
 * program can run on a CPU while that CPU's successful-exec program waits, half way through its event.
 * There each gets a scratch of its own (scratch_sets, set by the daemon before loading).
 */
enum scratch_user {
        SCRATCH_EXEC,   /* tp_btf/sched_process_exec */
        SCRATCH_FAILED, /* the syscall exit tracepoints */
};

const volatile __u32 scratch_sets = 1; /* 1, or 2: one for each scratch_user */

static __always_inline __u32 scratch_index(enum scratch_user who)
{
        return scratch_sets > 1 ? who : 0;
}

/* scratch_sets slots per CPU, indexed by CPU number (times scratch_sets, plus the user's index): per-CPU
 * maps cannot hold values over 32 KiB. The daemon sets max_entries before loading. */
struct {
        __uint(type, BPF_MAP_TYPE_ARRAY);
        __uint(max_entries, 1);
        __type(key, __u32);
        __type(value, struct scratch);
} scratch SEC(".maps");

static __always_inline struct scratch *get_scratch(enum scratch_user who)
{
        __u32 k = bpf_get_smp_processor_id() * scratch_sets + scratch_index(who);

        return bpf_map_lookup_elem(&scratch, &k);
}

/* Sized like "scratch". */
struct {
        __uint(type, BPF_MAP_TYPE_ARRAY);
        __uint(max_entries, 1);
        __type(key, __u32);
        __type(value, struct args_scratch);
} args_scratch SEC(".maps");

static __always_inline struct args_scratch *get_args_scratch(enum scratch_user who)
{
        __u32 k = bpf_get_smp_processor_id() * scratch_sets + scratch_index(who);

        return bpf_map_lookup_elem(&args_scratch, &k);
}

/* An element per scratch_user, whatever scratch_sets says (they are small). */
struct {
        __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
        __uint(max_entries, 2);
        __type(key, __u32);
        __type(value, struct path_buf);
} path_scratch SEC(".maps");

/*
 * The counters, one struct ea_stats per CPU, indexed by CPU number (the daemon sets max_entries to the
 * number of possible CPUs before loading). mmap-able, so the daemon sums them after every drain without a
 * bpf(2) map operation: one preempted on a fully preemptible kernel leaves its CPU inside a BPF context, and
 * the syscall tracepoint programs run there meanwhile are skipped. An mmap-able array's values start on a
 * page and each is 128 bytes, so no two CPUs' counters share a cache line.
 */
struct {
        __uint(type, BPF_MAP_TYPE_ARRAY);
        __uint(map_flags, BPF_F_MMAPABLE);
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

/* Only the daemon uses these two; they live here so that they are pinned with everything else. */
struct {
        __uint(type, BPF_MAP_TYPE_ARRAY);
        __uint(max_entries, 1);
        __type(key, __u32);
        __type(value, struct ea_pin_version);
} pin_version SEC(".maps");

struct {
        __uint(type, BPF_MAP_TYPE_ARRAY);
        __uint(map_flags, BPF_F_MMAPABLE);
        __uint(max_entries, 1);
        __type(key, __u32);
        __type(value, struct ea_daemon_state);
} daemon_state SEC(".maps");

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

/*
 * What the syscall entry knows, per thread, until its exec ends. A process's only thread (or its leader)
 * puts it into a slot of an array, indexed by thread ID, which is cheaper than the hash (no hashing, no
 * bucket lock); a thread claims a free slot with a compare-and-swap and only the thread that holds it
 * writes, reads or frees it, so a thread whose slot is held by another (an ID that many apart) cannot
 * touch that one's entry: it uses the hash instead. Any other thread uses the hash, keyed by its
 * task_struct: an exec from a thread that is not the leader takes the leader's ID at the point of no
 * return, and a failure after it is seen under that ID. A slot that already holds the thread's own ID is
 * one that an earlier thread of the same ID left (its exec ended while the programs were detached): no
 * thread is in two execs at once, and an entry names its task.
 */
struct inflight_slot {
        __u64 tid; /* the holder, 0 when free (64 bits: BPF's 32-bit atomics need -mcpu=v3) */
        struct ea_inflight e;
};

struct {
        __uint(type, BPF_MAP_TYPE_ARRAY);
        __uint(max_entries, EA_INFLIGHT_SLOTS);
        __type(key, __u32);
        __type(value, struct inflight_slot);
} inflight_slots SEC(".maps");

/* Preallocated (8192 small entries): allocating on every execve entry costs more than the update. */
struct {
        __uint(type, BPF_MAP_TYPE_HASH);
        __uint(max_entries, EA_MAX_INFLIGHT);
        __type(key, __u64); /* the task_struct's address */
        __type(value, struct ea_inflight);
} inflight SEC(".maps");

/* How many entries "inflight" holds: while none, nobody looks there (its buckets go cold, and a miss in
 * them cost the syscall exit of every exec 0.3 us). */
struct {
        __uint(type, BPF_MAP_TYPE_ARRAY);
        __uint(max_entries, 1);
        __type(key, __u32);
        __type(value, __u64);
} inflight_hashed SEC(".maps");

/*
 * Per audited thread group, what its exit record and its children's EXEC_PARENT_ID need. A group keeps it
 * in its slot of "tracked_slots" (indexed by tgid) when that is free or already its own: an array element,
 * no hashing and no bucket lock, about 0.7 us less per exec than the hash alone (bench/README.md). A group
 * whose slot another owns uses the hash, and keeps using it until its exit or next exec. Only the group's
 * exec writes its entry; its exit, or an exec that is left out, frees it; a child reads its parent's.
 */
struct {
        __uint(type, BPF_MAP_TYPE_ARRAY);
        __uint(max_entries, EA_TRACKED_SLOTS);
        __type(key, __u32);
        __type(value, struct ea_tracked_slot);
} tracked_slots SEC(".maps");

struct {
        __uint(type, BPF_MAP_TYPE_HASH);
        __uint(map_flags, BPF_F_NO_PREALLOC);
        __uint(max_entries, EA_MAX_TRACKED);
        __type(key, __u32);
        __type(value, struct ea_tracked);
} tracked SEC(".maps");

/* How many entries the programs put into "tracked": while none, nobody looks there. */
struct {
        __uint(type, BPF_MAP_TYPE_ARRAY);
        __uint(max_entries, 1);
        __type(key, __u32);
        __type(value, __u64);
} tracked_hashed SEC(".maps");

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

/* Atomic although the element is this CPU's: a kernel that lets a program run be preempted (or moved) lets
 * two runs share it, and the daemon reads the counters while they grow. */
static __always_inline void count(enum ea_stat which)
{
        __u32 cpu = bpf_get_smp_processor_id();
        struct ea_stats *s = bpf_map_lookup_elem(&stats, &cpu);

        if (s && which < EA_STAT_SLOTS)
                __sync_fetch_and_add(&s->n[which], 1);
}

static __always_inline struct inflight_slot *inflight_slot_of(__u32 tid)
{
        __u32 k = tid & (EA_INFLIGHT_SLOTS - 1);

        return bpf_map_lookup_elem(&inflight_slots, &k);
}

/* Remembers e (e->task set) for thread tid: in its slot when it leads its process and the slot is free or
 * already its own, else in the hash. */
static __always_inline long inflight_put(__u32 tid, bool leader, const struct ea_inflight *e)
{
        struct inflight_slot *s = leader ? inflight_slot_of(tid) : NULL;
        __u64 *n;
        long r;

        if (s && (s->tid == tid || __sync_val_compare_and_swap(&s->tid, 0, tid) == 0)) {
                s->e = *e;
                return 0;
        }
        n = bpf_map_lookup_elem(&inflight_hashed, &zero);
        if (!n)
                return -1;
        /* Counted first: the entry must not be there uncounted, or its own thread could miss it. */
        __sync_fetch_and_add(n, 1);
        r = bpf_map_update_elem(&inflight, &e->task, e, BPF_NOEXIST);
        if (r == -17 /* EEXIST: an entry an earlier task at this address left */)
                r = bpf_map_update_elem(&inflight, &e->task, e, BPF_EXIST) < 0 ? -1 : 1;
        if (r)
                __sync_fetch_and_add(n, -1);
        return r < 0 ? r : 0;
}

/*
 * Copies the entry of thread tid, task, to *out and forgets it; false when there is none. An entry older
 * than task is an earlier task's (its exec ended where no program saw it): it is dropped, not taken for
 * this one's. So is a slot entry of another task that had this ID (a leader killed mid-exec by a thread's
 * exec, whose ID that thread now has).
 */
static __always_inline bool inflight_take(__u32 tid, struct task_struct *task, struct ea_inflight *out,
                                          bool leader)
{
        /* Only a leader's entry is in a slot (inflight_put): an exec'd thread's old ID was released in
         * de_thread, and a new process holding it may have its own entry in that slot. */
        struct inflight_slot *s = leader ? inflight_slot_of(tid) : NULL;
        __u64 key = (__u64)task;
        struct ea_inflight *h;
        __u64 *n;

        if (s && s->tid == tid) {
                *out = s->e;
                /* Freed only after the copy, with a full barrier: the next holder writes at once. */
                __sync_lock_test_and_set(&s->tid, 0);
                if (out->task == key)
                        return out->ktime_ns >= task->start_boottime;
        }
        n = bpf_map_lookup_elem(&inflight_hashed, &zero);
        if (!n || !*(volatile __u64 *)n)
                return false;
        h = bpf_map_lookup_elem(&inflight, &key);
        if (!h)
                return false;
        *out = *h;
        if (bpf_map_delete_elem(&inflight, &key) == 0)
                __sync_fetch_and_add(n, -1);
        return out->ktime_ns >= task->start_boottime;
}

/* Whether a "tracked" entry whose exec was at exec_ktime_ns is of task's process: its exec came after the
 * process began (an exec'ing thread takes its leader's start in de_thread), an earlier holder's of the ID
 * before. */
static __always_inline bool tracked_is_of(__u64 exec_ktime_ns, struct task_struct *task)
{
        return exec_ktime_ns >= task->group_leader->start_boottime;
}

/*
 * smp_rmb(). BPF on 6.1 has no load-acquire, but an atomic exchange is a full barrier under every JIT (x86
 * xchg; arm64 swpal, or ldaxr/stlxr and dmb): without it a weakly ordered CPU could read data before the
 * word that vouches for it.
 */
static __always_inline void read_barrier(__u64 *word)
{
        __sync_lock_test_and_set(word, 0);
}

static __always_inline struct ea_tracked_slot *tracked_slot_of(__u32 tgid)
{
        __u32 k = tgid & (EA_TRACKED_SLOTS - 1);

        return bpf_map_lookup_elem(&tracked_slots, &k);
}

/* The number of hash entries the programs made, NULL when there are none. */
static __always_inline __u64 *tracked_hash_used(void)
{
        __u64 *n = bpf_map_lookup_elem(&tracked_hashed, &zero);

        return n && *(volatile __u64 *)n ? n : NULL;
}

/* Removes group tgid's hash entry, if the programs made one: true when this call removed it. */
static __always_inline bool tracked_unhash(__u32 tgid, struct ea_tracked *out)
{
        __u64 *n = tracked_hash_used();
        struct ea_tracked *h = n ? bpf_map_lookup_elem(&tracked, &tgid) : NULL;

        if (!h)
                return false;
        if (out)
                *out = *h;
        if (bpf_map_delete_elem(&tracked, &tgid) < 0)
                return false;
        __sync_fetch_and_add(n, -1);
        return true;
}

/*
 * Stores group tgid's entry for the image it just exec'd; false when it found neither a slot nor room in
 * the hash. A free slot is claimed with the claiming bit set, written, then published: a child that reads
 * its parent's slot meanwhile finds no owner. An entry an earlier image of the group left in the hash goes.
 */
static __always_inline bool tracked_put(__u32 tgid, const struct ea_tracked *tr)
{
        struct ea_tracked_slot *s = tracked_slot_of(tgid);
        __u64 *n;
        long r;

        if (!s)
                return false;
        if (s->owner == tgid) {
                s->t = *tr;
                return true;
        }
        if (__sync_val_compare_and_swap(&s->owner, 0, EA_TRACKED_CLAIMING | tgid) == 0) {
                s->t = *tr;
                __sync_lock_test_and_set(&s->owner, (__u64)tgid);
                tracked_unhash(tgid, NULL);
                return true;
        }
        n = bpf_map_lookup_elem(&tracked_hashed, &zero);
        if (!n)
                return false;
        /* Counted first: the entry must not be there uncounted, or its exit could miss it. */
        __sync_fetch_and_add(n, 1);
        r = bpf_map_update_elem(&tracked, &tgid, tr, BPF_NOEXIST);
        if (r == -17 /* EEXIST: an earlier image's */) {
                __sync_fetch_and_add(n, -1);
                r = bpf_map_update_elem(&tracked, &tgid, tr, BPF_EXIST);
        } else if (r < 0) {
                __sync_fetch_and_add(n, -1);
        }
        return r == 0;
}

/*
 * Takes group tgid's entry away, into *out: true for the one caller that removed it. Every thread of an
 * exiting group may try at once; a slot is freed only after the copy.
 */
static __always_inline bool tracked_take(__u32 tgid, struct ea_tracked *out)
{
        struct ea_tracked_slot *s = tracked_slot_of(tgid);

        if (s && s->owner == tgid) {
                *out = s->t;
                return __sync_val_compare_and_swap(&s->owner, (__u64)tgid, 0) == tgid;
        }
        return tracked_unhash(tgid, out);
}

/* The exec time in group tgid's entry, 0 when it has none. A slot's owner is read before and after: one
 * that changed between (the group ended, another took the slot) had another group's time. */
static __always_inline __u64 tracked_exec_ktime(__u32 tgid)
{
        struct ea_tracked_slot *s = tracked_slot_of(tgid);
        struct ea_tracked *h;
        __u64 k, fence = 0;

        if (s && *(volatile __u64 *)&s->owner == tgid) {
                read_barrier(&fence);
                k = *(volatile __u64 *)&s->t.exec_ktime_ns;
                read_barrier(&fence);
                return *(volatile __u64 *)&s->owner == tgid ? k : 0;
        }
        h = tracked_hash_used() ? bpf_map_lookup_elem(&tracked, &tgid) : NULL;
        return h ? *(volatile __u64 *)&h->exec_ktime_ns : 0;
}

/*
 * Frees what an exiting thread still holds: an entry is left only when the kernel skipped its exec's
 * syscall exit run, and would keep its slot from the pool (sending the next holders of its index to the
 * hash) or keep the hash non-empty, where every exec's syscall exit then looks. The thread is past any
 * exec, and only it (its ID and task) matches the entry.
 */
static __always_inline void inflight_forget(struct task_struct *task)
{
        struct inflight_slot *s = inflight_slot_of(task->pid);
        __u64 key = (__u64)task, *n;

        if (s && s->tid == (__u32)task->pid && s->e.task == key)
                __sync_lock_test_and_set(&s->tid, 0);
        n = bpf_map_lookup_elem(&inflight_hashed, &zero);
        if (n && *(volatile __u64 *)n && bpf_map_delete_elem(&inflight, &key) == 0)
                __sync_fetch_and_add(n, -1);
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

/*
 * The current comm as a filter_comms key: zero after the name. Older kernels' helper copies with strscpy(),
 * which leaves the rest of the buffer as it was (newer ones pad it), and a stale byte there makes the
 * lookup miss: Commands= matched nothing on Debian 12's 6.1 (test_kernel).
 */
static __always_inline void current_comm(char comm[16])
{
        __builtin_memset(comm, 0, 16);
        bpf_get_current_comm(comm, 16);
}

/*
 * Within a dimension any entry matches; all configured dimensions must match; any exclusion wins.
 * comm NULL: the program's name is not known yet (syscall entry), so that dimension is left to the exec.
 */
static __always_inline bool audited(const struct config_ref *c, struct task_struct *task, __u32 uid,
                                    const char *comm)
{
        struct ea_settings *set = c->set;
        __u32 f = set->filter;
        __u8 found;
        void *inner;

        /* No filter (the default): nothing more to read. */
        if (!f)
                return true;
        if (f & (EA_FLT_USERS | EA_FLT_EXCL_USERS)) {
                if ((f & EA_FLT_EXCL_USERS) && uid_in(set->exclude_users, set->n_exclude_users, uid))
                        return false;
                if ((f & EA_FLT_USERS) && !uid_in(set->users, set->n_users, uid))
                        return false;
        }
        if (f & (EA_FLT_CGROUPS | EA_FLT_EXCL_CGROUPS)) {
                /* The cgroup and its ancestors, from the root down (task is current): a filter on a
                 * cgroup covers all its descendants, however deep a delegated subtree nests them. */
                found = 0;
                for (int i = 0; i < EA_CGROUP_DEPTH_MAX; i++) {
                        __u64 id = bpf_get_current_ancestor_cgroup_id(i);

                        if (!id)
                                break;
                        match_id(&filter_cgroups, c->slot, id, &found);
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
        if (comm && (f & (EA_FLT_COMMANDS | EA_FLT_EXCL_COMMANDS))) {
                struct ea_comm_key key = {.slot = c->slot};
                __u8 *v;

                __builtin_memcpy(key.comm, comm, sizeof(key.comm));
                v = bpf_map_lookup_elem(&filter_comms, &key);
                found = v ? *v : 0;
                if ((found & EA_MATCH_EXCLUDE) || ((f & EA_FLT_COMMANDS) && !(found & EA_MATCH_INCLUDE)))
                        return false;
        }
        inner = f & EA_FLT_CGROUP_MAP ? bpf_map_lookup_elem(&filter_cgroup_map, &c->slot) : NULL;
        if (inner) {
                __u64 id = bpf_get_current_cgroup_id();

                if (!bpf_map_lookup_elem(inner, &id))
                        return false;
        }
        inner = f & EA_FLT_MNTNS_MAP ? bpf_map_lookup_elem(&filter_mntns_map, &c->slot) : NULL;
        if (inner) {
                __u64 id = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);

                if (!bpf_map_lookup_elem(inner, &id))
                        return false;
        }
        return true;
}

/* The current task's process fields; its IDs are of ids' credentials (the task itself at an exec, which
 * the kernel checked, the leader at an exit), its name named's (the process's: the leader's, /proc/PID/comm,
 * which a thread of its own renames only for itself). */
static __always_inline void fill_proc(struct ea_proc *p, struct task_struct *task, struct task_struct *ids,
                                      struct task_struct *named)
{
        __u64 pid_tgid = bpf_get_current_pid_tgid();
        const struct cred *cred = ids->cred;

        p->pid = pid_tgid >> 32;
        p->tid = (__u32)pid_tgid;
        /* BTF pointers: plain fault-safe loads, no helper call per step. */
        p->uid = cred->uid.val;
        p->gid = cred->gid.val;
        p->euid = cred->euid.val;
        p->egid = cred->egid.val;
        p->ppid = task->real_parent->tgid;
        p->mntns = task->nsproxy->mnt_ns->ns.inum;
        p->cgroup_id = bpf_get_current_cgroup_id();
        bpf_probe_read_kernel(p->comm, sizeof(p->comm), named->comm);
}

#define EXEC_EVENT_MAX (sizeof(struct ea_exec) + ARGS_POS_MAX + EA_ARGS_INLINE)

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
        r = bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, hdr, BOUND(size, EXEC_EVENT_MAX));
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

/* Sends a piece of a long argv. It takes no sequence number: its loss truncates the record's argv. */
static __always_inline void emit_args(void *ctx, struct ea_args *as, __u32 pid, __u64 ktime, __u32 offset,
                                      __u32 len, __u32 generation)
{
        as->hdr.type = EA_EV_ARGS;
        as->hdr.version = EA_LAYOUT_VERSION;
        as->hdr.size = sizeof(struct ea_args) + BOUND(len, EA_ARGS_CHUNK);
        as->hdr.seq = 0;
        as->hdr.ktime_ns = ktime;
        as->hdr.config_generation = generation;
        as->hdr._pad = 0;
        as->pid = pid;
        as->offset = offset;
        as->exec_ktime_ns = ktime;
        as->len = len;
        as->_pad = 0;
        if (bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, as,
                                  sizeof(struct ea_args) + BOUND(len, EA_ARGS_CHUNK)) < 0)
                count(EA_STAT_ARGS_CHUNK_LOST);
}

static __always_inline __u32 exec_event_size(struct ea_exec *ev, __u32 strings_len)
{
        __u32 al = (ev->flags & EA_F_ARGS_CHUNKED) ? 0 : ev->args_len;

        /* Restated bounds: the verifier must see that the size fits the scratch value. */
        if (strings_len > ARGS_POS_MAX)
                strings_len = ARGS_POS_MAX;
        if (al > EA_ARGS_INLINE)
                al = EA_ARGS_INLINE;
        return sizeof(struct ea_exec) + strings_len + al;
}

static __always_inline struct mount *real_mount(struct vfsmount *m)
{
        return (void *)m - bpf_core_field_offset(struct mount, mnt);
}

static __always_inline void read_dentry_head(struct dentry *d, struct dentry_head *h)
{
        __u32 parent = bpf_core_field_offset(struct dentry, d_parent);

        /* The relocated offsets are constants to the verifier: one branch is dead. A big-endian kernel's
         * qstr has len before hash. */
        if (bpf_core_field_offset(struct dentry, d_name) == parent + 8 &&
            bpf_core_field_offset(struct qstr, len) == 4 && bpf_core_field_offset(struct qstr, name) == 8) {
                bpf_probe_read_kernel(h, sizeof(*h), (void *)d + parent);
                return;
        }
        h->parent = BPF_CORE_READ(d, d_parent);
        h->len = BPF_CORE_READ(d, d_name.len);
        h->name = BPF_CORE_READ(d, d_name.name);
}

/* Older kernels' mnt_namespace: a sequence number, 0 for anonymous namespaces. */
struct mnt_namespace___seq {
        __u64 seq;
} __attribute__((preserve_access_index));

/* Whether the mount is in a mount namespace that is not anonymous: the kernel's is_mounted() &&
 * !is_anon_ns(). */
static __always_inline bool attached(struct mount *mnt)
{
        struct mnt_namespace *ns = BPF_CORE_READ(mnt, mnt_ns);

        if (!ns || (unsigned long)ns >= (unsigned long)-4095 /* MNT_NS_INTERNAL and other errors */)
                return false;
        if (bpf_core_field_exists(struct mnt_namespace___seq, seq))
                return BPF_CORE_READ((struct mnt_namespace___seq *)ns, seq) != 0;
        if (bpf_core_field_exists(struct ns_common, ns_id))
                return BPF_CORE_READ(ns, ns.ns_id) != 0;
        return true;
}

static long path_step(__u32 i, void *arg)
{
        struct path_buf *pb = ((struct walk_ref *)arg)->p;
        struct path_walk *w = &pb->w;
        struct dentry *d = w->dentry;
        struct mount *mnt = w->mnt;
        struct dentry_head h = {};
        __u32 len, off;
        char saved[2];
        long r;

        if (!d || (d == w->root_dentry && w->vfsmnt == w->root_mnt)) {
                w->ended = 1;
                return 1;
        }
        if (d == w->mnt_root) {
                struct mount *m = BPF_CORE_READ(mnt, mnt_parent);

                if (!m || m == mnt) {
                        /* A mount that is its own parent, reached without meeting the process's root:
                         * the root of a mount namespace (the file is in another one, passed in or reached
                         * through /proc/PID/root, or outside the process's chroot) or of a tree attached
                         * to none (lazily unmounted, open_tree()'s). No path from the process's root
                         * reaches it (getcwd(2)'s "(unreachable)"), and the names on the way are whoever
                         * mounted there chose, even an unprivileged user in a user namespace. A parent that
                         * is exiting has no root to go by: then only a tree attached to none is marked. */
                        if (w->root_dentry || !attached(mnt))
                                w->truncated = 1;
                        w->ended = 1;
                        return 1;
                }
                w->dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
                w->mnt = m;
                w->vfsmnt = (void *)m + bpf_core_field_offset(struct mount, mnt);
                w->mnt_root = BPF_CORE_READ(m, mnt.mnt_root);
                return 0;
        }
        read_dentry_head(d, &h);
        len = h.len;
        off = w->off;
        if (len > 255 || len + 1 > off || off > EA_PATH_MAX) {
                w->truncated = 1;
                return 1;
        }
        off -= len;
        /*
         * A rename sets the name before the length, with nothing a probe read can wait for: the two read
         * together may not belong together. The name is read as a string of at most len + 1 bytes and must
         * end exactly there; anything else is a torn pair, and the path ends here, cut, rather than hold a
         * name that never was or, past a short name's NUL, the dentry's own fields (kernel addresses). The
         * read writes two bytes beyond the name: the '/' and first byte of what follows it, put back.
         */
        saved[0] = pb->buf[BOUND(off + len, EA_PATH_MAX)];
        saved[1] = pb->buf[BOUND(off + len + 1, EA_PATH_MAX + 1)];
        r = bpf_probe_read_kernel_str(pb->buf + BOUND(off, EA_PATH_MAX), BOUND(len + 2, 257), h.name);
        pb->buf[BOUND(off + len, EA_PATH_MAX)] = saved[0];
        pb->buf[BOUND(off + len + 1, EA_PATH_MAX + 1)] = saved[1];
        if (r != len + 1) {
                w->truncated = 1;
                return 1;
        }
        off--;
        pb->buf[BOUND(off, EA_PATH_MAX)] = '/';
        w->off = off;
        /* A dentry that is its own parent (memfd, pipes, a disconnected tree): its name is all there is. */
        if (h.parent == d) {
                w->ended = 1;
                return 1;
        }
        w->dentry = h.parent;
        return 0;
}

/*
 * Resolves dentry+mnt below root into ev->data at *pos as path number idx. root is a BTF pointer (read with
 * plain loads); the callers read mnt_root, because one of them only has mnt as an address.
 */
static __always_inline void put_path(enum scratch_user who, struct ea_exec *ev, __u32 *pos, enum ea_path idx,
                                     struct dentry *dentry, struct vfsmount *mnt, struct dentry *mnt_root,
                                     struct path *root)
{
        __u32 k = scratch_index(who);
        struct path_buf *pb = bpf_map_lookup_elem(&path_scratch, &k);
        struct walk_ref ref = {pb};
        __u32 len, off, p = *pos;

        ev->path_len[idx] = 0;
        if (!pb || !dentry || !mnt)
                return;
        pb->w.dentry = dentry;
        pb->w.vfsmnt = mnt;
        pb->w.mnt = real_mount(mnt);
        pb->w.mnt_root = mnt_root;
        pb->w.off = EA_PATH_MAX;
        pb->w.truncated = 0;
        pb->w.ended = 0;
        pb->w.root_dentry = root ? root->dentry : NULL;
        pb->w.root_mnt = root ? root->mnt : NULL;
        bpf_loop(EA_PATH_STEPS_MAX, path_step, &ref, 0);
        if (!pb->w.ended)
                pb->w.truncated = 1;
        off = pb->w.off;
        if (off == EA_PATH_MAX) {
                off--;
                pb->buf[EA_PATH_MAX - 1] = '/';
        }
        if (off > EA_PATH_MAX - 1)
                return;
        len = EA_PATH_MAX - off;
        if (pb->w.truncated)
                ev->flags |= EA_F_PATH_TRUNCATED << idx;
        if (bpf_probe_read_kernel(ev->data + BOUND(p, PATH_POS_MAX), BOUND(len, EA_PATH_MAX),
                                  pb->buf + BOUND(off, EA_PATH_MAX)) < 0)
                return;
        ev->path_len[idx] = len;
        *pos = p + len;
}

/* A kernel string (no resolution) as path number idx. */
static __always_inline void put_path_str(struct ea_exec *ev, __u32 *pos, enum ea_path idx, const char *str)
{
        __u32 p = *pos;
        long r = bpf_probe_read_kernel_str(ev->data + BOUND(p, PATH_POS_MAX), EA_PATH_MAX, str);

        ev->path_len[idx] = 0;
        if (r <= 1)
                return;
        /* Filled: the name may go on (a "/dev/fd/N/" prefix makes room for fewer than 4095 bytes). */
        if (r >= EA_PATH_MAX)
                ev->flags |= EA_F_PATH_TRUNCATED << idx;
        ev->path_len[idx] = r - 1;
        *pos = p + r - 1;
}

/*
 * The process attributes only exec records carry: who, where from, which terminal, which parent. task is
 * a BTF pointer, so these are plain loads (the verifier makes them fault-safe), not helper calls.
 */
static __always_inline void fill_exec_context(struct ea_exec *ev, struct task_struct *task)
{
        struct task_struct *parent = task->real_parent;
        struct pid *tp = task->group_leader->thread_pid;
        struct tty_struct *tty = task->signal->tty;
        struct upid up = {};
        __u32 level;
        __u64 pk;

        /* CONFIG_AUDIT's; without it, unset as a process that never logged in has them. */
        ev->loginuid = (__u32)-1;
        ev->sessionid = (__u32)-1;
        if (bpf_core_field_exists(task->loginuid)) {
                ev->loginuid = task->loginuid.val;
                ev->sessionid = task->sessionid;
        }
        ev->pidns = 0;
        ev->ns_pid = 0;
        level = tp->level;
        if (level > 0 && level < 64) {
                bpf_probe_read_kernel(&up, sizeof(up),
                                      (void *)tp + bpf_core_field_offset(struct pid, numbers) +
                                              level * bpf_core_type_size(struct upid));
                ev->ns_pid = up.nr;
                ev->pidns = BPF_CORE_READ(up.ns, ns.inum);
        }
        ev->tty[0] = '\0';
        if (tty)
                bpf_probe_read_kernel_str(ev->tty, sizeof(ev->tty), tty->name);
        /* real_parent is the thread that forked: its process's name is the leader's. */
        bpf_probe_read_kernel(ev->parent_comm, sizeof(ev->parent_comm), parent->group_leader->comm);
        pk = tracked_exec_ktime(parent->tgid);
        ev->parent_exec_ktime_ns = pk && tracked_is_of(pk, parent) ? pk : 0;
}

/* A path that no longer names its file or directory: what d_path() marks " (deleted)" (unhashed, not a
 * root of its own), and a file with no link left. A plain load each, from BTF pointers. */
static __always_inline void mark_deleted(struct ea_exec *ev, enum ea_path idx, struct dentry *d)
{
        if (d->d_inode->__i_nlink == 0 || (!d->d_hash.pprev && d->d_parent != d))
                ev->flags |= EA_F_PATH_DELETED << idx;
}

/* Whether root is its mount namespace's top: the root of the mount on the namespace's own root (rootfs,
 * under the mount that / is since boot or a container's pivot_root), or of that mount itself. */
static __always_inline bool root_is_top(struct path *root)
{
        struct vfsmount *vm = root->mnt;
        struct mount *m = real_mount(vm), *p;

        if (root->dentry != vm->mnt_root)
                return false;
        p = BPF_CORE_READ(m, mnt_parent);
        if (p == m)
                return true;
        return BPF_CORE_READ(p, mnt_parent) == p &&
               BPF_CORE_READ(m, mnt_mountpoint) == BPF_CORE_READ(p, mnt.mnt_root);
}

/* Paths of the context: the working directory, the parent's executable and, for a process in a chroot, its
 * root directory, which the other paths are below and which nothing else in the record would show. */
static __always_inline void put_context_paths(enum scratch_user who, struct ea_exec *ev, __u32 *pos,
                                              struct task_struct *task)
{
        struct task_struct *parent = task->real_parent;
        struct fs_struct *fs = task->fs, *pfs = parent->fs;
        struct file *pexe = parent->mm->exe_file;

        /* The scratch still holds the previous event's lengths: a path not written must say so. */
        ev->path_len[EA_PATH_CWD] = 0;
        ev->path_len[EA_PATH_PARENT_EXE] = 0;
        ev->path_len[EA_PATH_ROOT] = 0;
        if (fs) {
                put_path(who, ev, pos, EA_PATH_CWD, fs->pwd.dentry, fs->pwd.mnt, fs->pwd.mnt->mnt_root,
                         &fs->root);
                mark_deleted(ev, EA_PATH_CWD, fs->pwd.dentry);
        }
        if (pexe) {
                put_path(who, ev, pos, EA_PATH_PARENT_EXE, pexe->f_path.dentry, pexe->f_path.mnt,
                         pexe->f_path.mnt->mnt_root, pfs ? &pfs->root : NULL);
                mark_deleted(ev, EA_PATH_PARENT_EXE, pexe->f_path.dentry);
        }
        if (fs && !root_is_top(&fs->root)) {
                put_path(who, ev, pos, EA_PATH_ROOT, fs->root.dentry, fs->root.mnt, fs->root.mnt->mnt_root,
                         NULL);
                mark_deleted(ev, EA_PATH_ROOT, fs->root.dentry);
        }
}

/*
 * An exec that the filter leaves out whatever program it starts is not remembered: uid, cgroup and mount
 * namespace do not change across exec (a set-user-ID program changes the effective uid; the filter
 * judges the real one), and the inflight update is most of a filtered-out exec's cost.
 */
static __always_inline int remember_entry(__u64 filename, __u64 argv)
{
        __u64 id = bpf_get_current_pid_tgid();
        struct task_struct *task = bpf_get_current_task_btf();
        struct ea_inflight e = {};
        struct config_ref c;
        __u64 argv0 = 0;

        count(EA_STAT_EXEC_ENTER);
        if (get_config(&c) && !audited(&c, task, (__u32)bpf_get_current_uid_gid(), NULL))
                return 0;
        e.ktime_ns = bpf_ktime_get_boot_ns();
        e.self_exec_id = task->self_exec_id;
        e.task = (__u64)task;
        e.filename = filename;
        e.argv = argv;
        e.io_uring = bpf_core_field_exists(struct task_struct, io_uring) && task->io_uring;
        /* The new image cannot tell an empty argv from {""}: only the caller's array can. A page the
         * kernel will fault in cannot be read here, and says nothing. */
        e.no_argv0 =
                !argv || (bpf_probe_read_user(&argv0, sizeof(argv0), (const void *)argv) == 0 && !argv0);
        if (inflight_put((__u32)id, (__u32)id == id >> 32, &e) < 0)
                count(EA_STAT_INFLIGHT_FULL);
        return 0;
}

SEC("tracepoint/syscalls/sys_enter_execve")
int ea_enter_execve(struct trace_event_raw_sys_enter *ctx)
{
        return remember_entry(ctx->args[0], ctx->args[1]);
}

SEC("tracepoint/syscalls/sys_enter_execveat")
int ea_enter_execveat(struct trace_event_raw_sys_enter *ctx)
{
        return remember_entry(ctx->args[1], ctx->args[2]);
}

/*
 * binfmt_script has put the script's file by the time the new image starts (bprm->file is the
 * interpreter's then), but fput() defers the release to the task's return to user space: the file is still
 * queued on current->task_works with ____fput. Files queued during this exec: the script first, then any
 * older image or close-on-exec file; the list is newest first, so the script is the last one opened for
 * exec (__FMODE_EXEC) in it. Found, it is resolved like any executable; not found (the symbol missing, or a
 * list longer than the scan), the name it was opened by has to do.
 * Not looked for when the task had io_uring at the syscall's entry: the exec cancels its requests before it
 * replaces the image, and the cancelling runs the pending work, the script's release with it; the oldest
 * release left would then be the old image's loader, put by exec_mmap(). Nor without the entry, which
 * tells.
 */
extern const void ____fput __ksym __weak;

/* open_exec() opens with __FMODE_EXEC in the open flags; no regular open(2) flag has this bit. */
#define FMODE_EXEC_FLAG 0x20
#define TASK_WORKS_SCAN 256

struct work_scan {
        struct callback_head *cb;
        struct file *found;
        __u64 fput;
        __u64 work_off; /* of the callback_head fput() queues in struct file */
        __u32 complete;
};

/* Where fput() queues a file: f_task_work (6.8), f_rcuhead (6.0 to 6.7), f_u.fu_rcuhead (older). */
struct file___v60 {
        struct callback_head f_rcuhead;
} __attribute__((preserve_access_index));

struct file___v5 {
        union {
                struct callback_head fu_rcuhead;
        } f_u;
} __attribute__((preserve_access_index));

static __always_inline __u64 file_work_offset(void)
{
        if (bpf_core_field_exists(struct file, f_task_work))
                return bpf_core_field_offset(struct file, f_task_work);
        if (bpf_core_field_exists(struct file___v60, f_rcuhead))
                return bpf_core_field_offset(struct file___v60, f_rcuhead);
        if (bpf_core_field_exists(struct file___v5, f_u.fu_rcuhead))
                return bpf_core_field_offset(struct file___v5, f_u.fu_rcuhead);
        return ~0ull;
}

static long work_step(__u32 i, void *arg)
{
        struct work_scan *t = arg;
        struct callback_head h;
        struct file *f;

        if (!t->cb) {
                t->complete = 1;
                return 1;
        }
        if (bpf_probe_read_kernel(&h, sizeof(h), t->cb) < 0)
                return 1;
        if ((__u64)h.func == t->fput) {
                f = (void *)t->cb - t->work_off;
                if (BPF_CORE_READ(f, f_flags) & FMODE_EXEC_FLAG)
                        t->found = f;
        }
        t->cb = h.next;
        return 0;
}

static __always_inline struct file *pending_script_file(struct task_struct *task, bool scan)
{
        struct work_scan t = {
                .cb = task->task_works, .fput = (__u64)&____fput, .work_off = file_work_offset()};

        if (!scan || !t.fput || t.work_off == ~0ull)
                return NULL;
        bpf_loop(TASK_WORKS_SCAN, work_step, &t, 0);
        /* The oldest such file is the script only if the scan saw the list's end. */
        return t.complete ? t.found : NULL;
}

/*
 * binfmt_misc with the O (or C) flag hands the new image its file open (AT_EXECFD) instead of putting it:
 * it is that descriptor of the new fd table, and nothing was queued for it.
 */
static __always_inline struct file *exec_fd_file(struct task_struct *task, struct linux_binprm *bprm)
{
        struct file **fd = task->files->fdt->fd;
        struct file *f = NULL;
        __u32 n = (__u32)bprm->execfd;

        if (n >= task->files->fdt->max_fds ||
            bpf_probe_read_kernel(&f, sizeof(f), (void *)fd + (__u64)n * sizeof(f)) < 0)
                return NULL;
        return f;
}

/* What the exec record needs of the executable's struct file. */
struct exe_file {
        struct dentry *dentry;
        struct vfsmount *mnt;
        struct dentry *mnt_root;
        struct dentry *parent;
        void *hashed; /* d_hash.pprev: NULL when the dentry is unhashed */
        __u64 ino;
        __u32 dev;
        __u32 nlink;
};

/* From a BTF pointer: plain fault-safe loads, no helper call per field (this is the hot path). */
static __always_inline void read_exe_file(struct exe_file *x, struct file *f)
{
        struct inode *ino = f->f_inode;

        x->dentry = f->f_path.dentry;
        x->mnt = f->f_path.mnt;
        x->mnt_root = x->mnt->mnt_root;
        x->parent = x->dentry->d_parent;
        x->hashed = x->dentry->d_hash.pprev;
        x->ino = ino->i_ino;
        x->dev = ino->i_sb->s_dev;
        x->nlink = ino->__i_nlink;
}

/* From a plain address (the pending script file), with probe reads. */
static __always_inline void read_exe_file_at(struct exe_file *x, struct file *f)
{
        struct inode *ino = BPF_CORE_READ(f, f_inode);
        struct dentry *d = BPF_CORE_READ(f, f_path.dentry);
        struct vfsmount *mnt = BPF_CORE_READ(f, f_path.mnt);

        x->dentry = d;
        x->mnt = mnt;
        x->mnt_root = BPF_CORE_READ(mnt, mnt_root);
        x->parent = BPF_CORE_READ(d, d_parent);
        x->hashed = BPF_CORE_READ(d, d_hash.pprev);
        x->ino = BPF_CORE_READ(ino, i_ino);
        x->dev = BPF_CORE_READ(ino, i_sb, s_dev);
        x->nlink = BPF_CORE_READ(ino, __i_nlink);
}

/* The executable's path, and what says whether it still has a name. */
static __always_inline void put_exe_file(struct ea_exec *ev, __u32 *pos, const struct exe_file *x,
                                         struct path *root)
{
        put_path(SCRATCH_EXEC, ev, pos, EA_PATH_EXE, x->dentry, x->mnt, x->mnt_root, root);
        ev->exe_ino = x->ino;
        ev->exe_dev = x->dev;
        /* No link left (deleted, O_TMPFILE, memfd), or unhashed and not a root of its own. */
        if (x->nlink == 0 || (!x->hashed && x->parent != x->dentry))
                ev->flags |= EA_F_FILELESS;
}

/* Resolved paths of a successful exec: the file the kernel opened, and for a script its interpreter (scan:
 * the script's release may be looked for on the task's pending work). */
static __always_inline void put_exe(struct ea_exec *ev, __u32 *pos, struct task_struct *task,
                                    struct linux_binprm *bprm, bool scan)
{
        struct fs_struct *fs = task->fs;
        struct file *f = bprm->file, *script;
        struct path *root = fs ? &fs->root : NULL;
        struct exe_file x;

        ev->exe_ino = 0;
        ev->exe_dev = 0;
        ev->path_len[EA_PATH_INTERP] = 0;
        if (bprm->interp == bprm->filename) {
                read_exe_file(&x, f);
                put_exe_file(ev, pos, &x, root);
                return;
        }
        ev->flags |= EA_F_SCRIPT;
        script = BPF_CORE_READ_BITFIELD(bprm, have_execfd) ? exec_fd_file(task, bprm)
                                                           : pending_script_file(task, scan);
        if (script) {
                read_exe_file_at(&x, script);
                put_exe_file(ev, pos, &x, root);
        } else {
                put_path_str(ev, pos, EA_PATH_EXE, bprm->filename);
        }
        put_path(SCRATCH_EXEC, ev, pos, EA_PATH_INTERP, f->f_path.dentry, f->f_path.mnt,
                 f->f_path.mnt->mnt_root, root);
        mark_deleted(ev, EA_PATH_INTERP, f->f_path.dentry);
}

/*
 * execveat() relative to a directory: the kernel names the file "/dev/fd/N/NAME" ("/dev/fd/N" for an
 * empty NAME) in bprm->fdpath, where NAME is its copy of the caller's bytes, and makes that the filename.
 * Returns the length of that prefix, 0 when bprm->filename is the caller's own (an absolute NAME).
 */
static __always_inline __u32 fd_path_prefix(const struct linux_binprm *bprm)
{
        char head[20] = {};
        __u32 i;

        /* By identity, not by text: a caller may pass /dev/fd/N/x itself. */
        if (!bprm->fdpath || bprm->filename != bprm->fdpath ||
            bpf_probe_read_kernel_str(head, sizeof(head), bprm->fdpath) < 9)
                return 0;
        for (i = 8; i < sizeof(head) - 1; i++) /* the digits after "/dev/fd/" */
                if (head[i] < '0' || head[i] > '9')
                        break;
        return head[i] == '/' ? i + 1 : i;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(ea_exec, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
        struct scratch *s = get_scratch(SCRATCH_EXEC);
        __u32 old = old_pid, fl = 0, max_args, n, tgid, pos, off, skip = 0;
        struct args_scratch *as;
        struct ea_inflight in;
        struct ea_tracked tr = {};
        __u64 now = bpf_ktime_get_boot_ns();
        unsigned long start, end;
        struct config_ref c;
        struct ea_exec *ev;
        struct ea_settings *set;
        char comm[16];
        bool scan = false;
        long r = -1;

        count(EA_STAT_EXEC);
        if (!s || !get_config(&c))
                return 0;
        set = c.set;
        /* comm is already the new program's name here. */
        current_comm(comm);
        if (!audited(&c, task, (__u32)bpf_get_current_uid_gid(), comm)) {
                count(EA_STAT_FILTERED);
                inflight_take(old, task, &in, old == (__u32)bpf_get_current_pid_tgid());
                /* An exit follows the decision on the process's last exec. */
                tgid = bpf_get_current_pid_tgid() >> 32;
                tracked_take(tgid, &tr);
                return 0;
        }
        ev = (struct ea_exec *)s->raw;
        fill_proc(&ev->proc, task, task, task);
        fill_exec_context(ev, task);
        ev->proc.tid = old;
        ev->ret = 0;
        ev->flags = 0;
        ev->_pad = 0;
        ev->argc = bprm->argc;
        ev->duration_ns = 0;

        if (inflight_take(old, task, &in, old == (__u32)bpf_get_current_pid_tgid())) {
                ev->duration_ns = now - in.ktime_ns;
                scan = !in.io_uring;
                /* Only if the new image agrees: its one argument is the kernel's "" (a thread of the
                 * caller can fill the array between our read and the kernel's). */
                if (in.no_argv0 && bprm->argc == 1 && task->mm->arg_end - task->mm->arg_start == 1)
                        ev->flags |= EA_F_NO_ARGV0;
        }
        skip = fd_path_prefix(bprm);
        /* The kernel's copy is byte for byte what the caller passed (after the prefix it puts before a
         * name relative to execveat's dirfd). */
        r = bpf_probe_read_kernel_str(ev->data, EA_FILENAME_MAX, bprm->filename + skip);
        if (r > 0)
                fl = r - 1;
        if (fl > EA_FILENAME_MAX - 1)
                fl = EA_FILENAME_MAX - 1;
        ev->filename_len = fl;
        pos = fl;
        put_exe(ev, &pos, task, bprm, scan);
        put_context_paths(SCRATCH_EXEC, ev, &pos, task);

        start = task->mm->arg_start;
        end = task->mm->arg_end;
        ev->args_size = end > start ? end - start : 0;
        max_args = set->max_args_bytes;
        if (max_args > EA_ARGS_MAX)
                max_args = EA_ARGS_MAX;
        n = ev->args_size;
        if (n > max_args) {
                n = max_args;
                ev->flags |= EA_F_ARGS_TRUNCATED;
        }
        /* No argument existed, so none was cut (the kernel's "" is over MaxArgsBytes=0). */
        if (ev->flags & EA_F_NO_ARGV0) {
                ev->argc = 0;
                ev->flags &= ~EA_F_ARGS_TRUNCATED;
                n = 0;
        }
        /* The new image's argv pages were just written by the kernel, so they are resident. */
        if (n <= EA_ARGS_INLINE) {
                if (n && bpf_probe_read_user(ev->data + BOUND(pos, ARGS_POS_MAX), BOUND(n, EA_ARGS_INLINE),
                                             (const void *)start) < 0) {
                        count(EA_STAT_ARGS_READ_FAIL);
                        ev->flags |= EA_F_ARGS_TRUNCATED;
                        n = 0;
                }
        } else {
                as = get_args_scratch(SCRATCH_EXEC);
                off = 0;
                for (int i = 0; i < EA_ARGS_MAX / EA_ARGS_CHUNK && as; i++) {
                        __u32 len = n - off;

                        if (off >= n)
                                break;
                        if (len > EA_ARGS_CHUNK)
                                len = EA_ARGS_CHUNK;
                        if (bpf_probe_read_user(((struct ea_args *)as->raw)->data, BOUND(len, EA_ARGS_CHUNK),
                                                (const void *)(start + off)) < 0) {
                                count(EA_STAT_ARGS_READ_FAIL);
                                ev->flags |= EA_F_ARGS_TRUNCATED;
                                break;
                        }
                        emit_args(ctx, (struct ea_args *)as->raw, ev->proc.pid, now, off, len, c.generation);
                        off += len;
                }
                n = off;
                ev->flags |= EA_F_ARGS_CHUNKED;
        }
        ev->args_len = n;
        ev->hdr.ktime_ns = now;
        emit(ctx, &ev->hdr, exec_event_size(ev, pos), EA_EV_EXEC, c.generation);

        /* Kept for the exit record and for the EXEC_PARENT_ID of this process's children. */
        tr.exec_seq = ev->hdr.seq;
        tr.exec_ktime_ns = now;
        tr.config_generation = c.generation;
        /* Refused (full, or no memory for the new element): the previous image's entry must not stand in
         * for this one's exit and children. */
        if (!tracked_put(ev->proc.pid, &tr)) {
                tracked_take(ev->proc.pid, &tr);
                count(EA_STAT_TRACKED_FULL);
        }
        return 0;
}

/* One pointer of the block: a loop of its own (bpf_loop), not unrolled in argv_step, which the verifier
 * then checks too often. */
static long argv_count_one(__u32 j, void *arg)
{
        struct args_scratch *as = ((struct walk_ref *)arg)->p;
        struct argv_walk *w = &as->w;

        if (j >= ARGV_BLOCK || j >= w->block_len)
                return 1;
        if (!as->block[BOUND(j, ARGV_BLOCK - 1)]) {
                w->done = 1;
                return 1;
        }
        w->argc++;
        w->idx++;
        w->truncated = 1;
        return 0;
}

/*
 * Counts the pointers of argv from w->idx once nothing more is captured, a block of them per step up to the
 * end of their page (a block across it could fail for a page beyond the NULL): the kernel refuses a
 * filename before it looks at argv, so a failed execve("", argv) with a million pointers costs it nothing,
 * and one probe read per pointer was up to a million helper calls in one program run.
 */
static __always_inline long argv_count_block(struct args_scratch *as, struct argv_walk *w)
{
        __u64 at = w->argv + (__u64)w->idx * 8;
        __u32 n = (4096 - (__u32)(at & 4095)) / 8;
        struct walk_ref ref = {as};

        if (w->idx >= EA_ARGV_SCAN_MAX)
                return 1; /* not done: EXEC_ARGC_IS_MINIMUM */
        if (n > ARGV_BLOCK)
                n = ARGV_BLOCK;
        if (n == 0) /* a pointer across the page's end */
                n = 1;
        if (bpf_probe_read_user(as->block, BOUND(n * 8, sizeof(as->block)), (const void *)at) < 0) {
                w->truncated = 1;
                return 1;
        }
        w->block_len = n;
        bpf_loop(n, argv_count_one, &ref, 0);
        return w->done ? 1 : 0;
}

static long argv_step(__u32 i, void *arg)
{
        struct args_scratch *as = ((struct walk_ref *)arg)->p;
        struct argv_walk *w = &as->w;
        char *data = ((struct ea_args *)as->raw)->data;
        __u32 len, room, left;
        __u64 ptr = 0;
        long r;

        if (w->total >= w->limit && w->str_off == 0)
                return argv_count_block(as, w);

        /* An array page not mapped in: what follows is unknown (not done: argc is a lower bound). */
        if (bpf_probe_read_user(&ptr, sizeof(ptr), (const void *)(w->argv + (__u64)w->idx * 8)) < 0) {
                w->truncated = 1;
                return 1;
        }
        if (!ptr) {
                w->done = 1;
                return 1;
        }
        len = w->len;
        /* Before counting: the next chunk starts with this argument again. */
        if (len >= EA_ARGS_CHUNK - 1 && w->total < w->limit) {
                w->full = 1;
                return 1;
        }
        if (w->str_off == 0)
                w->argc++;
        if (w->total >= w->limit) {
                w->truncated = 1;
                goto next;
        }
        room = EA_ARGS_CHUNK - len;
        left = w->limit - w->total + 1; /* + our NUL */
        if (room > left)
                room = left;
        r = bpf_probe_read_user_str(data + BOUND(len, EA_ARGS_CHUNK), BOUND(room, EA_ARGS_CHUNK),
                                    (const void *)(ptr + w->str_off));
        if (r <= 0) {
                w->truncated = 1;
                /* The part of it in the last chunk ends here, or the next argument would continue it. */
                if (w->str_off) {
                        data[BOUND(len, EA_ARGS_CHUNK)] = 0;
                        w->len = len + 1;
                        w->total++;
                }
                goto next;
        }
        if ((__u32)r < room) { /* the rest of the argument, its NUL included */
                w->len = len + (__u32)r;
                w->total += (__u32)r;
                goto next;
        }
        /* room - 1 bytes of it, and the NUL is ours: it goes on (or the limit cut it) */
        w->len = len + (__u32)r - 1;
        w->total += (__u32)r - 1;
        w->str_off += (__u32)r - 1;
        if (room == left) {
                w->truncated = 1;
                goto next;
        }
        return 0;
next:
        w->idx++;
        w->str_off = 0;
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

/*
 * The comm a successful execveat(fd, "", ..., AT_EMPTY_PATH) would have had: the file's name where the
 * kernel names the program after its dentry (linux_binprm.comm_from_dentry: 6.14, and the stable kernels it
 * went to), else the last component of "/dev/fd/<fd>", the number. Empty when fd is not an open file (the
 * exec fails with EBADF) or is AT_FDCWD (the path "" then names nothing).
 */
static __always_inline void comm_of_fd(struct task_struct *task, int fd, char comm[16])
{
        __builtin_memset(comm, 0, 16);
        if (fd < 0)
                return;
        if (bpf_core_field_exists(struct linux_binprm, comm_from_dentry)) {
                struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
                struct file **fds = BPF_CORE_READ(fdt, fd);
                struct file *f = NULL;

                if ((unsigned int)fd >= BPF_CORE_READ(fdt, max_fds) ||
                    bpf_probe_read_kernel(&f, sizeof(f), fds + fd) < 0 || !f)
                        return;
                bpf_probe_read_kernel_str(comm, 16, BPF_CORE_READ(f, f_path.dentry, d_name.name));
                return;
        }
        /* At most 10 digits: fd is a non-negative int. */
        char digits[10];
        int n = 0;

        for (int i = 0; i < 10; i++) {
                digits[i] = '0' + fd % 10;
                fd /= 10;
                n++;
                if (!fd)
                        break;
        }
        for (int i = 0; i < 10 && i < n; i++)
                comm[i] = digits[BOUND(n - 1 - i, 9)];
}

/* execveat() with an empty path: named after its file descriptor with AT_EMPTY_PATH, else nothing (the
 * kernel refuses the empty path with ENOENT). The registers still hold the arguments: the exec failed. */
static __always_inline void comm_of_empty_path(struct task_struct *task, char comm[16])
{
        struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(task);

        if (PT_REGS_PARM5_CORE_SYSCALL(regs) & 0x1000 /* AT_EMPTY_PATH */)
                comm_of_fd(task, (int)PT_REGS_PARM1_CORE_SYSCALL(regs), comm);
        else
                __builtin_memset(comm, 0, 16);
}

/*
 * A failed exec whose syscall entry left nothing to take: seccomp or a tracer refused the syscall before its
 * entry tracepoint (it never ran), or it entered before the programs were attached, under a filter that left
 * it out, or with more execs in flight than the kernel side holds. Its arguments are still in the registers
 * it was entered with; there is no start time (duration 0).
 */
static __always_inline void entry_from_regs(struct task_struct *task, bool at, struct ea_inflight *in)
{
        struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(task);

        __builtin_memset(in, 0, sizeof(*in));
        in->filename = at ? PT_REGS_PARM2_CORE_SYSCALL(regs) : PT_REGS_PARM1_CORE_SYSCALL(regs);
        in->argv = at ? PT_REGS_PARM3_CORE_SYSCALL(regs) : PT_REGS_PARM2_CORE_SYSCALL(regs);
}

/*
 * Whether an entry taken at the syscall's exit is this call's. When the kernel skipped the exit run of an
 * earlier failed exec of this thread (see skipped in execauditd(8)) and then this call's entry run, the
 * entry is that earlier call's, and its pointers lead to memory the process may have rewritten since.
 */
static __always_inline bool entry_of_this_call(struct task_struct *task, bool at,
                                               const struct ea_inflight *in)
{
        struct ea_inflight now;

        entry_from_regs(task, at, &now);
        return now.filename == in->filename && now.argv == in->argv;
}

#define SIG_BIT(sig) (1ull << ((sig)-1))

/*
 * Without the entry's self_exec_id, a failure after the point of no return shows in the signal it leaves
 * queued: SIGKILL, or the SIGSEGV bprm_execve() forces, which force_sig_info_to_task() unblocks and gives
 * the default action. A SIGSEGV the caller sent itself and keeps blocked (or handles) is not that one: the
 * process lives on, and would otherwise have its failed exec recorded unread and judged by its own comm. A
 * failure before the point of no return with SIGKILL queued (killed while it exec'd) is taken for one too:
 * nothing read, which is the safe side, and the process does not survive it.
 */
static __always_inline bool fatal_signal_queued(struct task_struct *task)
{
        __u64 pending = task->pending.signal.sig[0];

        if (pending & SIG_BIT(9 /* SIGKILL */))
                return true;
        return (pending & ~task->blocked.sig[0] & SIG_BIT(11 /* SIGSEGV */)) &&
               !task->sighand->action[11 - 1].sa.sa_handler /* SIG_DFL */;
}

static __always_inline int exec_failed(void *ctx, long ret, bool at)
{
        struct scratch *s = get_scratch(SCRATCH_FAILED);
        struct args_scratch *as = get_args_scratch(SCRATCH_FAILED);
        __u32 tid = (__u32)bpf_get_current_pid_tgid(), pos, off = 0, len;
        struct task_struct *task = bpf_get_current_task_btf();
        struct walk_ref ref = {as};
        struct ea_inflight in;
        struct ea_settings *set;
        struct argv_walk *w;
        struct config_ref c;
        struct ea_args *a;
        struct ea_exec *ev;
        char comm[16];
        bool entered = inflight_take(tid, task, &in, true), gone;
        long r;

        if (ret >= 0 || !s || !as || !get_config(&c) || !(c.set->capture & EA_CAP_FAILED_EXECS))
                goto out;
        set = c.set;
        count(EA_STAT_EXEC_FAILED);
        if (entered && !entry_of_this_call(task, at, &in))
                entered = false;
        if (!entered) {
                /* Most often left out at the syscall entry (see remember_entry): users, cgroups and
                 * mount namespaces first, as there, before anything is read. */
                if (!audited(&c, task, (__u32)bpf_get_current_uid_gid(), NULL)) {
                        count(EA_STAT_FILTERED);
                        goto out;
                }
                entry_from_regs(task, at, &in);
        }
        ev = (struct ea_exec *)s->raw;
        ev->ret = (__s32)ret;
        ev->flags = 0;
        ev->_pad = 0;
        ev->args_size = 0;
        ev->exe_ino = 0;
        ev->exe_dev = 0;
        ev->hdr.ktime_ns = bpf_ktime_get_boot_ns();
        ev->duration_ns = entered ? ev->hdr.ktime_ns - in.ktime_ns : 0;

        /* Failed after the point of no return: the caller's memory is gone, the pointers now lead into
         * the new image. Its name is the comm the kernel gave the process; nothing is read. */
        gone = entered ? task->self_exec_id != in.self_exec_id : fatal_signal_queued(task);
        r = gone ? -1 : bpf_probe_read_user_str(ev->data, EA_FILENAME_MAX, (const void *)in.filename);
        ev->filename_len = 0;
        if (r > 0)
                ev->filename_len = r - 1;
        /* Unreadable (gone, or a bad pointer the kernel refused too): unknown, not AT_EMPTY_PATH's "". */
        if (gone || r <= 0)
                ev->flags |= EA_F_FILENAME_TRUNCATED;
        /* A 4095-byte name fills the buffer exactly too; only a name the kernel refused as too long can
         * have been cut. */
        if (r == EA_FILENAME_MAX && ret == -36 /* ENAMETOOLONG */)
                ev->flags |= EA_F_FILENAME_TRUNCATED;
        if (ev->filename_len > EA_FILENAME_MAX - 1)
                ev->filename_len = EA_FILENAME_MAX - 1;

        /* Judged like the exec it attempted: Commands= compares the name the program would have had. */
        if (gone)
                current_comm(comm);
        else if (!(set->filter & (EA_FLT_COMMANDS | EA_FLT_EXCL_COMMANDS)))
                __builtin_memset(comm, 0, sizeof(comm));
        else if (at && r == 1) /* an empty path */
                comm_of_empty_path(task, comm);
        else
                comm_of_filename(ev->data, ev->filename_len, comm);
        if (!audited(&c, task, (__u32)bpf_get_current_uid_gid(), comm)) {
                count(EA_STAT_FILTERED);
                goto out;
        }
        fill_proc(&ev->proc, task, task, task->group_leader);
        fill_exec_context(ev, task);
        pos = ev->filename_len;
        /* Nothing was opened for good: no executable to name. */
        ev->path_len[EA_PATH_EXE] = 0;
        ev->path_len[EA_PATH_INTERP] = 0;
        put_context_paths(SCRATCH_FAILED, ev, &pos, task);

        a = (struct ea_args *)as->raw;
        w = &as->w;
        __builtin_memset(w, 0, sizeof(*w));
        w->argv = in.argv;
        w->limit = set->max_args_bytes > EA_ARGS_MAX ? EA_ARGS_MAX : set->max_args_bytes;
        w->done = !w->argv && !gone;
        w->truncated = gone;
        for (int i = 0; i <= EA_ARGS_MAX / (EA_ARGS_CHUNK - 1) && !w->done && !gone; i++) {
                w->len = 0;
                w->full = 0;
                bpf_loop(EA_ARGV_SCAN_MAX, argv_step, &ref, 0);
                if (!w->full)
                        break;
                emit_args(ctx, a, ev->proc.pid, ev->hdr.ktime_ns, off, w->len, c.generation);
                off += w->len;
        }
        len = w->len;
        if (off == 0 && len <= EA_ARGS_INLINE) {
                if (len)
                        bpf_probe_read_kernel(ev->data + BOUND(pos, ARGS_POS_MAX),
                                              BOUND(len, EA_ARGS_INLINE), a->data);
        } else {
                if (len)
                        emit_args(ctx, a, ev->proc.pid, ev->hdr.ktime_ns, off, len, c.generation);
                ev->flags |= EA_F_ARGS_CHUNKED;
        }
        ev->argc = w->argc;
        ev->args_len = w->total;
        if (w->truncated)
                ev->flags |= EA_F_ARGS_TRUNCATED;
        if (!w->done)
                ev->flags |= EA_F_ARGC_FLOOR | EA_F_ARGS_TRUNCATED;
        emit(ctx, &ev->hdr, exec_event_size(ev, pos), EA_EV_EXEC_FAILED, c.generation);
out:
        return 0;
}

SEC("tracepoint/syscalls/sys_exit_execve")
int ea_exit_execve(struct trace_event_raw_sys_exit *ctx)
{
        return exec_failed(ctx, ctx->ret, false);
}

SEC("tracepoint/syscalls/sys_exit_execveat")
int ea_exit_execveat(struct trace_event_raw_sys_exit *ctx)
{
        return exec_failed(ctx, ctx->ret, true);
}

/* Threads of a group summed at its exit, at most: a process that has more is counted without the rest. */
#define THREAD_SCAN 4096

struct thread_sum {
        struct list_head *pos;
        struct list_head *head;
        __u64 utime, stime, runtime;
};

static long thread_step(__u32 i, void *arg)
{
        struct thread_sum *s = arg;
        struct list_head *pos = s->pos;
        struct task_struct *t;

        if (!pos || pos == s->head)
                return 1;
        t = (void *)pos - bpf_core_field_offset(struct task_struct, thread_node);
        s->utime += BPF_CORE_READ(t, utime);
        s->stime += BPF_CORE_READ(t, stime);
        s->runtime += BPF_CORE_READ(t, se.sum_exec_runtime);
        s->pos = BPF_CORE_READ(pos, next);
        return 0;
}

/*
 * A thread's release moves its time from the list to signal_struct under stats_lock, as
 * thread_group_cputime() knows: a walk that a release overlapped (it could count a thread twice, or not
 * at all) is done again, at most three times.
 */
static __always_inline void group_times(struct signal_struct *sig, struct ea_exit *ev)
{
        volatile __u64 fence = 0;

        for (int i = 0; i < 3; i++) {
                __u32 seq = *(volatile __u32 *)&sig->stats_lock.seqcount.seqcount.sequence;
                struct thread_sum ts = {.head = &sig->thread_head};

                read_barrier((__u64 *)&fence);
                ts.pos = sig->thread_head.next;
                bpf_loop(THREAD_SCAN, thread_step, &ts, 0);
                ev->utime_ns = sig->utime + ts.utime;
                ev->stime_ns = sig->stime + ts.stime;
                ev->runtime_ns = sig->sum_sched_runtime + ts.runtime;
                read_barrier((__u64 *)&fence);
                if (!(seq & 1) && *(volatile __u32 *)&sig->stats_lock.seqcount.seqcount.sequence == seq)
                        break;
        }
}

/* The value is built here, not in place, so that an update replaces an entry whole. */
struct {
        __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
        __uint(max_entries, 1);
        __type(key, __u32);
        __type(value, struct ea_cgroup_path);
} cgroup_scratch SEC(".maps");

struct {
        __uint(type, BPF_MAP_TYPE_LRU_HASH);
        __uint(max_entries, EA_CGROUPS_GONE);
        __type(key, __u64);
        __type(value, struct ea_cgroup_path);
} cgroups_gone SEC(".maps");

/* Every removed cgroup v2 directory, whatever the filter: which records will name it is not known here. */
SEC("tp_btf/cgroup_rmdir")
int BPF_PROG(ea_cgroup_gone, struct cgroup *cgrp, const char *path)
{
        struct ea_cgroup_path *v;
        __u32 zero = 0;
        __u64 id;

        /* cgroup v1 hierarchies have IDs of their own; the default (v2) one is 0 */
        if (BPF_CORE_READ(cgrp, root, hierarchy_id) != 0)
                return 0;
        v = bpf_map_lookup_elem(&cgroup_scratch, &zero);
        if (!v || bpf_probe_read_kernel_str(v->path, sizeof(v->path), path) <= 1)
                return 0;
        id = BPF_CORE_READ(cgrp, kn, id);
        bpf_map_update_elem(&cgroups_gone, &id, v, BPF_ANY);
        return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(ea_exit, struct task_struct *task)
{
        struct signal_struct *sig = task->signal;
        struct mm_struct *mm = task->mm;
        struct ea_exit ev = {};
        struct ea_tracked tr;
        struct config_ref c;
        __u32 tgid, generation;

        inflight_forget(task);
        /* Only the last thread of a group reports: threads replaced by an exec do not end the process. */
        if (sig->live.counter > 0)
                return 0;
        tgid = task->tgid;
        /* Every thread that passes here after the live count reached 0 sees it so, some at once on other
         * CPUs: only the one that removes the entry reports. An entry older than the process is an
         * earlier process's of this ID, whose exit run the kernel skipped: removed, never reported as
         * this one's. */
        if (!tracked_take(tgid, &tr) || !tracked_is_of(tr.exec_ktime_ns, task))
                return 0;
        generation = tr.config_generation;
        ev.exec_ktime_ns = tr.exec_ktime_ns;
        if (!get_config(&c) || !(c.set->capture & EA_CAP_EXITS))
                return 0;
        count(EA_STAT_EXIT);
        /* The process's name and IDs are its leader's (/proc/PID), not those of the thread that happens to
         * end last, which any thread can rename. The leader is kept, a zombie at worst, until the group is
         * gone. */
        fill_proc(&ev.proc, task, task->group_leader, task->group_leader);
        /* As wait(2) reads it: a group exit's code is the group's, which a core dump completes (0x80) after
         * it zapped the other threads, whose own codes lack it. */
        ev.exit_code = sig->flags & 0x4 /* SIGNAL_GROUP_EXIT */ ? sig->group_exit_code : task->exit_code;
        /* Threads that were released are in signal_struct. Every other one is still listed, this one, a
         * zombie leader and those of an exit_group still on their way out on other CPUs among them (the
         * live count reached 0 before most of their exit). */
        if (sig->nr_threads == 1) {
                /* The only one listed is this one (most processes): read as fields, no walk. */
                ev.utime_ns = sig->utime + task->utime;
                ev.stime_ns = sig->stime + task->stime;
                ev.runtime_ns = sig->sum_sched_runtime + task->se.sum_exec_runtime;
        } else {
                group_times(sig, &ev);
        }
        /* This image's peak: signal_struct's maxrss also holds the image that called exec. Before 6.16 the
         * tracepoint comes after exit_mm() (no mm, maxrss then holds this image too); before 6.2 rss_stat
         * was not an array of percpu_counter, and the mm is never there then. Tested on mm_struct, a type
         * of vmlinux: a type it lacks would make libbpf search the modules' BTF, which needs more than the
         * unit's capabilities. */
        if (mm && bpf_core_field_exists(struct mm_struct, rss_stat[0].count)) {
                __s64 rss = mm->rss_stat[0].count + mm->rss_stat[1].count + mm->rss_stat[3].count;
                __u64 hw = mm->hiwater_rss;

                ev.maxrss_pages = rss > 0 && (__u64)rss > hw ? (__u64)rss : hw;
        } else {
                ev.maxrss_pages = sig->maxrss;
        }
        ev.hdr.ktime_ns = bpf_ktime_get_boot_ns();
        emit(ctx, &ev.hdr, sizeof(ev), EA_EV_EXIT, generation);
        return 0;
}

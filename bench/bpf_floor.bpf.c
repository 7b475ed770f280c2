// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What the pieces execauditd's BPF programs are made of cost on their own, on the exec path of this kernel:
 * each program here does one thing on every execve (see bpf_floor.c). Not loaded by the daemon.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

struct value {
        __u64 a, b, c, d;
};

struct big {
        char data[512];
};

struct {
        __uint(type, BPF_MAP_TYPE_HASH);
        __uint(max_entries, 8192);
        __type(key, __u32);
        __type(value, struct value);
} hash SEC(".maps");

struct {
        __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
        __uint(max_entries, 1);
        __type(key, __u32);
        __type(value, __u64);
} counter SEC(".maps");

/* As execauditd's "stats": an element of 16 counters per CPU, mmap-able (bpf_floor.c sizes it). */
struct counters {
        __u64 n[16];
};

struct {
        __uint(type, BPF_MAP_TYPE_ARRAY);
        __uint(map_flags, BPF_F_MMAPABLE);
        __uint(max_entries, 1);
        __type(key, __u32);
        __type(value, struct counters);
} cpu_counters SEC(".maps");

/* The alternative to "inflight" for per-thread state between the syscall entry and the new image. */
struct {
        __uint(type, BPF_MAP_TYPE_TASK_STORAGE);
        __uint(map_flags, BPF_F_NO_PREALLOC);
        __type(key, int);
        __type(value, struct value);
} task_store SEC(".maps");

struct {
        __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
        __uint(max_entries, 1);
        __type(key, __u32);
        __type(value, struct big);
} big SEC(".maps");

struct {
        __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
        __uint(key_size, sizeof(__u32));
        __uint(value_size, sizeof(__u32));
} events SEC(".maps");

/* Another alternative to "inflight": a direct-mapped slot per thread ID, no hashing and no bucket lock. The
 * slot's tid is cleared while it is written, so a reader that finds its own tid before and after copying
 * read one writer's data (a colliding thread's exec at the same time only loses the data). */
struct slot {
        __u64 tid; /* 64 bits: this clang has 32-bit atomics only with -mcpu=v3 */
        struct value v;
};

struct {
        __uint(type, BPF_MAP_TYPE_ARRAY);
        __uint(max_entries, 65536);
        __type(key, __u32);
        __type(value, struct slot);
} slots SEC(".maps");

static const __u32 zero;

SEC("tracepoint/syscalls/sys_enter_execve")
int empty_tracepoint(void *ctx)
{
        return 0;
}

SEC("tp_btf/sched_process_exec")
int empty_tp_btf(void *ctx)
{
        return 0;
}

SEC("tp_btf/sched_process_exec")
int ktime(void *ctx)
{
        volatile __u64 t = bpf_ktime_get_boot_ns();

        (void)t;
        return 0;
}

SEC("tp_btf/sched_process_exec")
int percpu_count(void *ctx)
{
        __u64 *n = bpf_map_lookup_elem(&counter, &zero);

        if (n)
                (*n)++;
        return 0;
}

/* count() in execauditd.bpf.c: an atomic add to this CPU's element. */
SEC("tp_btf/sched_process_exec")
int cpu_array_atomic_count(void *ctx)
{
        __u32 cpu = bpf_get_smp_processor_id();
        struct counters *c = bpf_map_lookup_elem(&cpu_counters, &cpu);

        if (c)
                __sync_fetch_and_add(&c->n[1], 1);
        return 0;
}

/* The caller's argv[0] pointer, as the syscall entry reads it for EXEC_ARGV0_MISSING. */
SEC("tracepoint/syscalls/sys_enter_execve")
int read_caller_argv0(struct trace_event_raw_sys_enter *ctx)
{
        volatile __u64 argv0 = 0;

        bpf_probe_read_user((void *)&argv0, sizeof(argv0), (const void *)ctx->args[1]);
        return 0;
}

SEC("tracepoint/syscalls/sys_enter_execve")
int hash_update(void *ctx)
{
        __u32 tid = (__u32)bpf_get_current_pid_tgid();
        struct value v = {.a = 1};

        bpf_map_update_elem(&hash, &tid, &v, BPF_ANY);
        return 0;
}

SEC("tp_btf/sched_process_exec")
int hash_lookup_delete(void *ctx)
{
        __u32 tid = (__u32)bpf_get_current_pid_tgid();

        if (bpf_map_lookup_elem(&hash, &tid))
                bpf_map_delete_elem(&hash, &tid);
        return 0;
}

static __always_inline struct slot *slot_of(__u64 tid)
{
        __u32 k = tid & 65535;

        return bpf_map_lookup_elem(&slots, &k);
}

SEC("tracepoint/syscalls/sys_enter_execve")
int slot_write(void *ctx)
{
        __u64 tid = (__u32)bpf_get_current_pid_tgid();
        struct slot *s = slot_of(tid);

        if (!s)
                return 0;
        __sync_lock_test_and_set(&s->tid, 0);
        s->v.a = bpf_get_current_pid_tgid();
        s->v.b = 2;
        s->v.c = 3;
        s->v.d = 4;
        __sync_lock_test_and_set(&s->tid, tid);
        return 0;
}

SEC("tp_btf/sched_process_exec")
int slot_read_clear(void *ctx)
{
        __u64 tid = (__u32)bpf_get_current_pid_tgid();
        struct slot *s = slot_of(tid);
        volatile struct value v;

        if (!s || s->tid != tid)
                return 0;
        v.a = s->v.a;
        v.b = s->v.b;
        v.c = s->v.c;
        v.d = s->v.d;
        if (__sync_val_compare_and_swap(&s->tid, tid, 0) != tid)
                return 0;
        (void)v;
        return 0;
}

SEC("tracepoint/syscalls/sys_enter_execve")
int task_storage_create(void *ctx)
{
        struct value *v = bpf_task_storage_get(&task_store, bpf_get_current_task_btf(), NULL,
                                               BPF_LOCAL_STORAGE_GET_F_CREATE);

        if (v)
                v->a = 1;
        return 0;
}

SEC("tp_btf/sched_process_exec")
int task_storage_get_delete(void *ctx)
{
        struct task_struct *t = bpf_get_current_task_btf();

        if (bpf_task_storage_get(&task_store, t, NULL, 0))
                bpf_task_storage_delete(&task_store, t);
        return 0;
}

SEC("tp_btf/sched_process_exec")
int read_argv(struct task_struct *task)
{
        struct task_struct *t = bpf_get_current_task_btf();
        char buf[64];

        bpf_probe_read_user(buf, sizeof(buf), (const void *)t->mm->arg_start);
        return 0;
}

SEC("tp_btf/sched_process_exec")
int output_32(void *ctx)
{
        struct value v = {.a = 1};

        bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &v, sizeof(v));
        return 0;
}

SEC("tp_btf/sched_process_exec")
int output_512(void *ctx)
{
        struct big *b = bpf_map_lookup_elem(&big, &zero);

        if (b)
                bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, b, sizeof(*b));
        return 0;
}

SEC("tp_btf/sched_process_exec")
int output_32_twice(void *ctx)
{
        struct value v = {.a = 1};

        bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &v, sizeof(v));
        bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &v, sizeof(v));
        return 0;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The execve's window from its syscall entry to sched_prepare_exec and to the new image
 * (sched_process_exec), with and without the read of the caller's argv[0] pointer that execauditd's entry
 * program does (see exec_window.c). Only the runner's children are timed. Not loaded by the daemon.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

struct window {
        __u64 start;
        __u64 read_ns;
        __u64 reread_ns;
        __u64 prepared_ns;
};

struct {
        __uint(type, BPF_MAP_TYPE_HASH);
        __uint(max_entries, 64);
        __type(key, __u32);
        __type(value, struct window);
} windows SEC(".maps");

const volatile __u32 runner_tgid;

/* Written by the runner before each fork (read_argv0) and read after each wait (the rest). */
__u32 read_argv0;
__u64 last_window_ns, last_prepared_ns, last_read_ns, last_reread_ns, last_argv0;

SEC("tracepoint/syscalls/sys_enter_execve")
int window_start(struct trace_event_raw_sys_enter *ctx)
{
        struct task_struct *t = bpf_get_current_task_btf();
        __u32 tid = (__u32)bpf_get_current_pid_tgid();
        struct window w = {};

        if ((__u32)t->real_parent->tgid != runner_tgid)
                return 0;
        w.start = bpf_ktime_get_ns();
        if (read_argv0) {
                __u64 argv0 = 0, t;

                bpf_probe_read_user(&argv0, sizeof(argv0), (const void *)ctx->args[1]);
                t = bpf_ktime_get_ns();
                w.read_ns = t - w.start;
                last_argv0 = argv0;
                /* Again: a cost paid once per page (a cold translation) is gone the second time, a cost
                 * paid per access (entering and leaving user access on this guest) is not. */
                bpf_probe_read_user(&argv0, sizeof(argv0), (const void *)ctx->args[1]);
                w.reread_ns = bpf_ktime_get_ns() - t;
        }
        bpf_map_update_elem(&windows, &tid, &w, BPF_ANY);
        return 0;
}

/* begin_new_exec(): the kernel has read argv and the binary's headers, nothing of the old image is gone.
 * Since 6.10; not loaded on older kernels. */
SEC("tp_btf/sched_prepare_exec")
int window_prepared(void *ctx)
{
        __u32 tid = (__u32)bpf_get_current_pid_tgid();
        struct window *w = bpf_map_lookup_elem(&windows, &tid);

        if (w && !w->prepared_ns)
                w->prepared_ns = bpf_ktime_get_ns() - w->start;
        return 0;
}

SEC("tp_btf/sched_process_exec")
int window_end(void *ctx)
{
        __u32 tid = (__u32)bpf_get_current_pid_tgid();
        struct window *w = bpf_map_lookup_elem(&windows, &tid);

        if (!w)
                return 0;
        last_window_ns = bpf_ktime_get_ns() - w->start;
        last_prepared_ns = w->prepared_ns;
        last_read_ns = w->read_ns;
        last_reread_ns = w->reread_ns;
        bpf_map_delete_elem(&windows, &tid);
        return 0;
}

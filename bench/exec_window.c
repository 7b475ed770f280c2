// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Whether the entry program's read of the caller's argv[0] pointer adds its run time to an exec or only
 * moves it: the kernel reads the same pointer a moment later (count() and copy_strings() in execve), so a
 * read that is slow because the page is cold for the kernel (a shadow page table on some guests) may only
 * take that cost from the kernel's own read. Runs fork + execve of /bin/true, alternately with and without
 * the read, and prints per mode the medians of the window from the syscall entry to sched_prepare_exec
 * (argv read and copied, the binary's headers read; 6.10 and later) and to the new image
 * (sched_process_exec), both timed in BPF with the read inside, of the read alone, of a second read right
 * after it (a cost paid once per page is gone then), and of the whole fork + exec + exit + wait as this
 * process timed it. As root:
 *
 *   build/bench/exec_window [execs]
 *
 * If the read is added, the window to sched_prepare_exec is longer with it by the read's time; if it is
 * moved, by nothing. Each copy times only its own children: run two at once to keep two CPUs busy.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "exec_window.skel.h"

enum { WITHOUT, WITH, MODES };

struct samples {
        double *window_us, *prepared_us, *read_us, *reread_us, *total_us;
        long n, failed_reads;
};

static double now_us(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;

        return (x > y) - (x < y);
}

/* p in [0, 1]; sorts v. */
static double pct(double *v, long n, double p)
{
        qsort(v, (size_t)n, sizeof(*v), cmp_double);
        return n ? v[(long)(p * (double)(n - 1))] : 0;
}

/* argv and envp as bench/storm.c passes them: built before the fork, so the child's exec is the first to
 * touch their page in the child, as in the benchmark's storm. */
static int one_exec(struct exec_window *skel, int mode, struct samples *s, char *const argv[],
                    char *const envp[])
{
        double t0 = now_us(), t1;
        int status;
        pid_t pid;

        skel->bss->read_argv0 = mode == WITH;
        skel->bss->last_window_ns = 0;
        skel->bss->last_argv0 = 0;
        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                execve(argv[0], argv, envp);
                _exit(127);
        }
        if (waitpid(pid, &status, 0) < 0)
                return -errno;
        t1 = now_us();
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !skel->bss->last_window_ns)
                return -ECHILD; /* no exec, or not seen by the programs: the figures would not be per exec */
        /* The second read only tells what kind of cost the first one is: it is not part of the windows. */
        s->window_us[s->n] = (double)(skel->bss->last_window_ns - skel->bss->last_reread_ns) / 1e3;
        if (skel->bss->last_prepared_ns) /* 0: no sched_prepare_exec on this kernel */
                s->prepared_us[s->n] =
                        (double)(skel->bss->last_prepared_ns - skel->bss->last_reread_ns) / 1e3;
        s->read_us[s->n] = (double)skel->bss->last_read_ns / 1e3;
        s->reread_us[s->n] = (double)skel->bss->last_reread_ns / 1e3;
        s->total_us[s->n] = t1 - t0;
        if (mode == WITH && !skel->bss->last_argv0)
                s->failed_reads++;
        s->n++;
        return 0;
}

static void print_mode(const char *name, struct samples *s)
{
        printf("%-8s %6ld %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f %7ld\n", name, s->n,
               pct(s->prepared_us, s->n, 0.5), pct(s->window_us, s->n, 0.1), pct(s->window_us, s->n, 0.5),
               pct(s->window_us, s->n, 0.9), pct(s->read_us, s->n, 0.5), pct(s->reread_us, s->n, 0.5),
               pct(s->total_us, s->n, 0.5), s->failed_reads);
}

static bool has_prepare_exec(void)
{
        struct btf *vmlinux = btf__load_vmlinux_btf();
        bool has = vmlinux &&
                   btf__find_by_name_kind(vmlinux, "btf_trace_sched_prepare_exec", BTF_KIND_TYPEDEF) > 0;

        btf__free(vmlinux);
        return has;
}

int main(int argc, char **argv)
{
        char *const exec_argv[] = {(char *)"/bin/true", (char *)"exec_window", NULL};
        char *const exec_envp[] = {NULL};
        struct samples s[MODES] = {};
        struct exec_window *skel = NULL;
        long n = 4000;
        char *end;
        int r = 0;

        if (argc > 1) {
                errno = 0;
                n = strtol(argv[1], &end, 10);
                if (errno || *end || n < 2 || n > 10000000) {
                        fprintf(stderr, "usage: %s [execs]\n", argv[0]);
                        return 2;
                }
        }
        for (int m = 0; m < MODES; m++) {
                s[m].window_us = calloc((size_t)n, sizeof(double));
                s[m].prepared_us = calloc((size_t)n, sizeof(double));
                s[m].read_us = calloc((size_t)n, sizeof(double));
                s[m].reread_us = calloc((size_t)n, sizeof(double));
                s[m].total_us = calloc((size_t)n, sizeof(double));
                if (!s[m].window_us || !s[m].prepared_us || !s[m].read_us || !s[m].reread_us ||
                    !s[m].total_us) {
                        r = -ENOMEM;
                        fprintf(stderr, "exec_window: %s\n", strerror(-r));
                        goto out;
                }
        }
        skel = exec_window__open();
        if (!skel) {
                r = -errno;
                fprintf(stderr, "exec_window: opening: %s\n", strerror(-r));
                goto out;
        }
        skel->rodata->runner_tgid = (__u32)getpid();
        bpf_program__set_autoload(skel->progs.window_prepared, has_prepare_exec());
        r = exec_window__load(skel);
        if (r >= 0)
                r = exec_window__attach(skel);
        if (r < 0) {
                fprintf(stderr, "exec_window: loading: %s\n", strerror(-r));
                goto out;
        }
        /* Alternate every exec, starting each pair with the other mode, so that drift and order cancel. */
        for (long i = 0; i < n; i++) {
                int mode = (int)((i ^ (i >> 1)) & 1);

                r = one_exec(skel, mode, &s[mode], exec_argv, exec_envp);
                if (r < 0) {
                        fprintf(stderr, "exec_window: fork/exec: %s\n", strerror(-r));
                        goto out;
                }
        }
        printf("%-8s %6s %9s %9s %9s %9s %9s %9s %9s %7s\n", "read", "execs", "prep p50", "win p10",
               "win p50", "win p90", "read p50", "again p50", "total p50", "failed");
        print_mode("without", &s[WITHOUT]);
        print_mode("with", &s[WITH]);
        printf("(microseconds; prep: syscall entry to sched_prepare_exec, 0 before 6.10; win: to the new "
               "image\n"
               " (sched_process_exec), both in BPF, without the second read; total: fork to wait, here)\n");
out:
        exec_window__destroy(skel);
        for (int m = 0; m < MODES; m++) {
                free(s[m].window_us);
                free(s[m].prepared_us);
                free(s[m].read_us);
                free(s[m].reread_us);
                free(s[m].total_us);
        }
        return r < 0 ? 1 : 0;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The floor under execauditd's BPF run time: attaches the one-thing programs of bpf_floor.bpf.c, runs
 * fork + execve of /bin/true, and prints each program's run_time_ns / run_cnt (run-time statistics on
 * while it runs, through BPF_ENABLE_STATS: kernel.bpf_stats_enabled is left as it is). The perf buffer is
 * opened the way the daemon opens it (loader_perf_event_attr: wakeup by watermark) and drained as it fills.
 * As root:
 *
 *   build/bench/bpf_floor [execs]
 *
 * Each program runs right after its neighbours on the same exec, so the first one attached to a tracepoint
 * finds the colder caches; the figures are what one more helper call or map operation adds to a program
 * that runs once per exec, not the cost of a call in a loop.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf_floor.skel.h"
#include "loader.h"

static enum bpf_perf_event_ret drop(void *ctx, int cpu, struct perf_event_header *event)
{
        (void)ctx, (void)cpu, (void)event;
        return LIBBPF_PERF_EVENT_CONT;
}

static int run_execs(long n, struct perf_buffer *pb)
{
        for (long i = 0; i < n; i++) {
                int status;
                pid_t pid = fork();

                if (pid < 0)
                        return -errno;
                if (pid == 0) {
                        execl("/bin/true", "true", "bpf_floor", (char *)NULL);
                        _exit(127);
                }
                if (waitpid(pid, &status, 0) < 0)
                        return -errno;
                if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                        return -ECHILD; /* /bin/true did not run: the figures would not be per exec */
                if (i % 64 == 0)
                        perf_buffer__consume(pb);
        }
        return 0;
}

int main(int argc, char **argv)
{
        struct perf_event_attr attr = loader_perf_event_attr(EA_DEFAULT_PERF_BUFFER_PAGES);
        struct perf_buffer *pb = NULL;
        struct bpf_floor *skel = NULL;
        struct bpf_program *prog;
        long n = 3000;
        int r, stats_fd = -1;
        char *end;

        if (argc > 1) {
                errno = 0;
                n = strtol(argv[1], &end, 10);
                if (errno || *end || n <= 0) {
                        fprintf(stderr, "usage: %s [execs]\n", argv[0]);
                        return 2;
                }
        }
        skel = bpf_floor__open();
        r = skel ? libbpf_num_possible_cpus() : -errno;
        if (r >= 0)
                r = bpf_map__set_max_entries(skel->maps.cpu_counters, (__u32)r);
        if (r >= 0)
                r = bpf_floor__load(skel);
        if (r < 0) {
                fprintf(stderr, "bpf_floor: loading: %s\n", strerror(-r));
                goto out;
        }
        r = bpf_floor__attach(skel);
        if (r < 0) {
                fprintf(stderr, "bpf_floor: attaching: %s\n", strerror(-r));
                goto out;
        }
        pb = perf_buffer__new_raw(bpf_map__fd(skel->maps.events), EA_DEFAULT_PERF_BUFFER_PAGES, &attr, drop,
                                  NULL, NULL);
        if (!pb) {
                r = -errno;
                fprintf(stderr, "bpf_floor: perf buffer: %s\n", strerror(-r));
                goto out;
        }
        stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
        if (stats_fd < 0) {
                r = -errno;
                fprintf(stderr, "bpf_floor: BPF_ENABLE_STATS: %s\n", strerror(-r));
                goto out;
        }
        r = run_execs(n, pb);
        if (r < 0) {
                fprintf(stderr, "bpf_floor: fork/exec: %s\n", strerror(-r));
                goto out;
        }
        printf("%-24s %8s %8s\n", "program", "runs", "ns/run");
        bpf_object__for_each_program(prog, skel->obj)
        {
                struct bpf_prog_info info = {};
                __u32 len = sizeof(info);

                if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len) < 0 || !info.run_cnt)
                        continue;
                printf("%-24s %8llu %8.0f\n", bpf_program__name(prog), (unsigned long long)info.run_cnt,
                       (double)info.run_time_ns / (double)info.run_cnt);
        }
out:
        if (stats_fd >= 0)
                close(stats_fd);
        perf_buffer__free(pb);
        bpf_floor__destroy(skel);
        return r < 0 ? 1 : 0;
}

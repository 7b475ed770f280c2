// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Exec storm: N workers each fork + execve("/bin/true", marker) in a loop for D seconds, the load the
 * benchmark puts on an exec auditor; with -n, until C execs have been started in all (tests that must
 * produce a given number of events whatever the machine's speed), D then only a limit (default 1 hour).
 * Prints "execs=<n> seconds=<s> rate=<n/s> p10_us=… p50_us=… p90_us=…" on stdout: the rate, and percentiles
 * of one fork + exec + exit + wait as each worker timed it. On a shared VM the rate moves by tens of percent
 * between runs when the host takes the CPU away; the low and middle percentiles of the per-exec time stay
 * put, so they show a 1% cost that the rate cannot.
 *
 *   storm [-w workers] [-d seconds] [-n count] [-m marker]
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
        char *end;
        unsigned long v;

        errno = 0;
        v = strtoul(s, &end, 10);
        if (errno || end == s || *end || v == 0 || v > max)
                return -EINVAL;
        *out = v;
        return 0;
}

/* Per-exec times in microseconds, one bucket per microsecond; the last bucket collects everything longer. */
#define HIST_BUCKETS 20000

static void worker(const char *marker, double until, unsigned long limit, atomic_ulong *started,
                   atomic_ulong *count, atomic_ulong *hist)
{
        char *const argv[] = {(char *)"/bin/true", (char *)marker, NULL};
        char *const envp[] = {NULL};

        for (double t0 = now(); t0 < until && (!limit || atomic_fetch_add(started, 1) < limit);) {
                pid_t pid = fork();
                unsigned long us;
                double t1;
                int status;

                if (pid == 0) {
                        execve(argv[0], argv, envp);
                        _exit(127);
                }
                if (pid < 0 || waitpid(pid, &status, 0) < 0)
                        _exit(1);
                t1 = now();
                us = (unsigned long)((t1 - t0) * 1e6);
                atomic_fetch_add(&hist[us < HIST_BUCKETS ? us : HIST_BUCKETS - 1], 1);
                t0 = t1;
                if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                        atomic_fetch_add(count, 1);
        }
        _exit(0);
}

int main(int argc, char **argv)
{
        unsigned long workers = (unsigned long)sysconf(_SC_NPROCESSORS_ONLN), seconds = 0, limit = 0;
        const char *marker = "ea-storm";
        atomic_ulong *count, *started, *hist;
        unsigned long total = 0, pct[3] = {0, 0, 0};
        static const unsigned want[3] = {10, 50, 90};
        double start, elapsed;
        int c, failed = 0;

        while ((c = getopt(argc, argv, "w:d:n:m:")) >= 0) {
                if ((c == 'w' && parse_uint(optarg, 256, &workers) < 0) ||
                    (c == 'd' && parse_uint(optarg, 3600, &seconds) < 0) ||
                    (c == 'n' && parse_uint(optarg, 1000000000, &limit) < 0) || c == '?') {
                        fprintf(stderr, "usage: storm [-w workers] [-d seconds] [-n count] [-m marker]\n");
                        return 2;
                }
                if (c == 'm')
                        marker = optarg;
        }
        if (!seconds)
                seconds = limit ? 3600 : 5;
        /* Anonymous shared memory starts zeroed: every counter is 0. */
        count = mmap(NULL, (HIST_BUCKETS + 2) * sizeof(*count), PROT_READ | PROT_WRITE,
                     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (count == MAP_FAILED)
                return 1;
        started = count + 1;
        hist = count + 2;
        start = now();
        for (unsigned long i = 0; i < workers; i++) {
                pid_t pid = fork();

                if (pid == 0)
                        worker(marker, start + (double)seconds, limit, started, count, hist);
                if (pid < 0)
                        return 1;
        }
        for (unsigned long i = 0; i < workers; i++) {
                int status;

                if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
                        failed = 1;
        }
        elapsed = now() - start;
        for (unsigned long i = 0; i < HIST_BUCKETS; i++)
                total += atomic_load(&hist[i]);
        for (unsigned long i = 0, seen = 0, k = 0; i < HIST_BUCKETS && k < 3; i++) {
                seen += atomic_load(&hist[i]);
                while (k < 3 && seen * 100 >= total * want[k])
                        pct[k++] = i;
        }
        printf("execs=%lu seconds=%.3f rate=%.1f p10_us=%lu p50_us=%lu p90_us=%lu\n", atomic_load(count),
               elapsed, (double)atomic_load(count) / elapsed, pct[0], pct[1], pct[2]);
        return failed;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Exec storm: N workers each fork + execve("/bin/true", marker) in a loop for D seconds, the load the
 * benchmark puts on an exec auditor. Prints "execs=<n> seconds=<s> rate=<n/s>" on stdout.
 *
 *   storm [-w workers] [-d seconds] [-m marker]
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

static void worker(const char *marker, double until, atomic_ulong *count)
{
        char *const argv[] = {(char *)"/bin/true", (char *)marker, NULL};
        char *const envp[] = {NULL};

        while (now() < until) {
                pid_t pid = fork();
                int status;

                if (pid == 0) {
                        execve(argv[0], argv, envp);
                        _exit(127);
                }
                if (pid < 0 || waitpid(pid, &status, 0) < 0)
                        _exit(1);
                if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                        atomic_fetch_add(count, 1);
        }
        _exit(0);
}

int main(int argc, char **argv)
{
        unsigned long workers = (unsigned long)sysconf(_SC_NPROCESSORS_ONLN), seconds = 5;
        const char *marker = "ea-storm";
        atomic_ulong *count;
        double start, elapsed;
        int c, failed = 0;

        while ((c = getopt(argc, argv, "w:d:m:")) >= 0) {
                if ((c == 'w' && parse_uint(optarg, 256, &workers) < 0) ||
                    (c == 'd' && parse_uint(optarg, 3600, &seconds) < 0) || c == '?') {
                        fprintf(stderr, "usage: storm [-w workers] [-d seconds] [-m marker]\n");
                        return 2;
                }
                if (c == 'm')
                        marker = optarg;
        }
        count = mmap(NULL, sizeof(*count), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (count == MAP_FAILED)
                return 1;
        atomic_init(count, 0);
        start = now();
        for (unsigned long i = 0; i < workers; i++) {
                pid_t pid = fork();

                if (pid == 0)
                        worker(marker, start + (double)seconds, count);
                if (pid < 0)
                        return 1;
        }
        for (unsigned long i = 0; i < workers; i++) {
                int status;

                if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
                        failed = 1;
        }
        elapsed = now() - start;
        printf("execs=%lu seconds=%.3f rate=%.1f\n", atomic_load(count), elapsed,
               (double)atomic_load(count) / elapsed);
        return failed;
}

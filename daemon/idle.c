// SPDX-License-Identifier: GPL-2.0-or-later
#include <bpf/bpf.h>
#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "idle.h"

/* Digits only, no sign or space (strtol would take both), at most 99999. */
static int parse_cpu(const char **p)
{
        int v = 0, digits = 0;

        while (**p >= '0' && **p <= '9') {
                if (++digits > 5)
                        return -EINVAL;
                v = v * 10 + (**p - '0');
                (*p)++;
        }
        return digits ? v : -EINVAL;
}

int cpulist_parse(const char *s, int *cpus, int max)
{
        const char *p = s;
        int n = 0;

        if (*p == '\n' || !*p)
                return -EINVAL;
        for (;;) {
                int lo = parse_cpu(&p), hi = lo;

                if (lo < 0)
                        return -EINVAL;
                if (*p == '-') {
                        p++;
                        hi = parse_cpu(&p);
                        if (hi < lo)
                                return -EINVAL;
                }
                /* Ascending without repeats: a map key per ring. */
                if (n && lo <= cpus[n - 1])
                        return -EINVAL;
                for (int c = lo; c <= hi; c++) {
                        if (n == max)
                                return -E2BIG;
                        cpus[n++] = c;
                }
                if (*p == ',') {
                        p++;
                        continue;
                }
                if (*p == '\n')
                        p++;
                return *p ? -EINVAL : n;
        }
}

int cpulist_online(int **cpus)
{
        char buf[4096];
        FILE *f = fopen("/sys/devices/system/cpu/online", "re");
        int max = libbpf_num_possible_cpus(), n = -EIO;

        *cpus = NULL;
        if (!f)
                return -errno;
        if (max <= 0)
                n = max < 0 ? max : -EINVAL;
        else if (fgets(buf, sizeof(buf), f) && strchr(buf, '\n')) { /* the whole line, not its start */
                *cpus = calloc((size_t)max, sizeof(**cpus));
                n = *cpus ? cpulist_parse(buf, *cpus, max) : -ENOMEM;
        }
        fclose(f);
        if (n <= 0) {
                free(*cpus);
                *cpus = NULL;
        }
        return n ? n : -EINVAL;
}

/* Outputs into the ring of ring_fd and wakes its reader on every sample. */
static int open_eager(int cpu, int ring_fd)
{
        struct perf_event_attr attr = {
                .size = sizeof(attr),
                .type = PERF_TYPE_SOFTWARE,
                .config = PERF_COUNT_SW_BPF_OUTPUT,
                .sample_type = PERF_SAMPLE_RAW,
                .sample_period = 1,
                .wakeup_events = 1,
        };
        int fd = (int)syscall(__NR_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC), r;

        if (fd < 0)
                return -errno;
        if (ioctl(fd, PERF_EVENT_IOC_SET_OUTPUT, ring_fd) < 0) {
                r = -errno;
                close(fd);
                return r;
        }
        return fd;
}

int idle_open(struct idle *w, struct perf_buffer *pb, int map_fd, const int *cpus, int n)
{
        int r = 0;

        *w = (struct idle){.map_fd = -1};
        if (n <= 0 || (size_t)n != perf_buffer__buffer_cnt(pb))
                return -EINVAL;
        w->cpu = calloc((size_t)n, sizeof(*w->cpu));
        w->ring_fd = calloc((size_t)n, sizeof(*w->ring_fd));
        w->eager_fd = calloc((size_t)n, sizeof(*w->eager_fd));
        if (!w->cpu || !w->ring_fd || !w->eager_fd) {
                r = -ENOMEM;
                goto fail;
        }
        for (int i = 0; i < n; i++) {
                w->cpu[i] = cpus[i];
                w->ring_fd[i] = perf_buffer__buffer_fd(pb, (size_t)i);
                w->eager_fd[i] = w->ring_fd[i] < 0 ? w->ring_fd[i] : open_eager(cpus[i], w->ring_fd[i]);
                if (w->eager_fd[i] < 0) {
                        r = w->eager_fd[i];
                        goto fail;
                }
                w->n = i + 1;
        }
        w->map_fd = map_fd;
        return 0;
fail:
        idle_close(w);
        return r;
}

bool idle_usable(const struct idle *w)
{
        return w->n > 0;
}

/* Every CPU's map entry to fds[i], or back to other[i] for those done when one fails. */
static int point(struct idle *w, const int *fds, const int *other)
{
        int r = 0, i;

        for (i = 0; i < w->n; i++)
                if (bpf_map_update_elem(w->map_fd, &w->cpu[i], &fds[i], BPF_ANY) < 0) {
                        r = -errno;
                        break;
                }
        if (r < 0)
                while (i-- > 0)
                        (void)bpf_map_update_elem(w->map_fd, &w->cpu[i], &other[i], BPF_ANY);
        return r;
}

int idle_sleep(struct idle *w)
{
        int r;

        if (!idle_usable(w))
                return -EBADF;
        if (w->asleep)
                return 0;
        r = point(w, w->eager_fd, w->ring_fd);
        w->asleep = r >= 0;
        return r;
}

int idle_wake(struct idle *w)
{
        int r;

        if (!w->asleep)
                return 0;
        r = point(w, w->ring_fd, w->eager_fd);
        w->asleep = r < 0;
        return r;
}

void idle_close(struct idle *w)
{
        for (int i = 0; i < w->n; i++)
                close(w->eager_fd[i]);
        free(w->cpu);
        free(w->ring_fd);
        free(w->eager_fd);
        *w = (struct idle){.map_fd = -1};
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Waking on the first event after a quiet spell, without a timer. Each CPU's ring buffer is written by
 * the perf event the BPF side normally outputs through, which wakes the daemon only at a watermark, and
 * by a second BPF output event whose output is redirected into the same ring (PERF_EVENT_IOC_SET_OUTPUT)
 * and which wakes the daemon on every sample. Asleep, the "events" map points at the second events: the
 * first sample wakes the daemon, which points the map back before reading. No BPF change, no second
 * ring, nothing pinned: the map's entries go when the daemon's map file is closed, as before.
 */
#ifndef EA_IDLE_H
#define EA_IDLE_H

#include <bpf/libbpf.h>
#include <stdbool.h>

struct idle {
        int map_fd; /* the perf event array the BPF side outputs through */
        int n;
        int *cpu;      /* each ring's CPU, its key in the map */
        int *ring_fd;  /* the events that own the rings (perf_buffer's) */
        int *eager_fd; /* the events that wake on every sample, written into the same rings */
        bool asleep;   /* the map points at eager_fd */
};

/*
 * The CPUs of a list such as /sys/devices/system/cpu/online ("0-3,8,10-11\n") into cpus (at most max),
 * ascending and without repeats: their number, or -EINVAL for anything else (-E2BIG past max).
 */
int cpulist_parse(const char *s, int *cpus, int max);
/* The online CPUs, into a new array *cpus: their number, or a negative errno. */
int cpulist_online(int **cpus);

/* An eager event per ring of pb, whose buffer i belongs to cpus[i]. Leaves w closed on failure. */
int idle_open(struct idle *w, struct perf_buffer *pb, int map_fd, const int *cpus, int n);
bool idle_usable(const struct idle *w);
/* Points the map at the eager events (idle_sleep) or back (idle_wake). On failure the entries already
 * changed are put back, as far as the kernel lets them be. */
int idle_sleep(struct idle *w);
int idle_wake(struct idle *w);
void idle_close(struct idle *w);

#endif

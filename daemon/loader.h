/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The BPF side's lifecycle: filesystems and privileges checked, skeleton opened, loaded, configured,
 * attached and pinned under PinPath; perf buffers opened; settings and counters read and written.
 */
#ifndef EA_LOADER_H
#define EA_LOADER_H

#include <bpf/libbpf.h>
#include <linux/perf_event.h>
#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "execaudit.h"
#include "idle.h"
#include "skipped.h"

struct execaudit;

struct loader {
        struct execaudit *skel;
        struct perf_buffer *pb;
        struct idle idle; /* unusable (see idle_usable()) when the kernel refused it: drains on a timer */
        struct {
                perf_buffer_sample_fn sample;
                perf_buffer_lost_fn lost;
                void *ctx;
        } raw;
        char pin_path[PATH_MAX];
        int lock_fd;   /* holds PinPath's lock (pinlock.h) from loader_load() to loader_close() */
        bool made_dir; /* PinPath was created by this daemon, for its lock */
        bool pinned;
        bool adopted;                  /* the programs and maps pinned by an earlier daemon are in use */
        struct ea_daemon_state *state; /* the mmap-ed "daemon_state" (see execaudit.h) */
        /* What the pins found at start said, when they were replaced or adopted (prev_known). */
        bool prev_known;
        struct ea_daemon_state prev_state;
        uint64_t prev_seq;
        uint32_t prev_layout;
        /* Processes the replaced programs tracked and the new ones do not: exits nobody will report. */
        uint64_t prev_untracked;
        /* What the replaced programs counted as EA_STAT_FAILED_UNTRACKED and EA_STAT_TRACKED_FULL beyond
         * their daemon's reports (layout 4 and later). */
        uint64_t prev_failed_untracked, prev_tracked_full;
        /* The runs the replaced programs skipped beyond their daemon's reports. */
        uint64_t prev_skipped;
        /* The programs in use whose skipped runs are losses, held from loader_attach() on; their count as
         * last read, and when (CLOCK_MONOTONIC): reading it takes a syscall per program. */
        struct skipped skipped;
        uint64_t skipped_now, skipped_read_usec;
        uint64_t *active;             /* the mmap-ed "active" word (see execaudit.h) */
        const struct ea_stats *stats; /* the mmap-ed "stats" map: an element per possible CPU */
        size_t stats_len;
        int ncpu;
        size_t active_len;
        uint8_t *buffer_peak; /* per CPU: the highest fill of its perf buffer seen at a drain, percent */
        int *ring_cpu;        /* each perf buffer's CPU; NULL: buffer i is CPU i */
};

/* Root (CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN) and kernel BTF, with a message saying what is missing. */
int loader_check_system(void);
/*
 * Whether the directory PinPath= is in can hold pins: on a bpffs, or /sys/fs/bpf outside a service, which
 * loader_mount_filesystems() mounts, or not to be seen without root. Otherwise -ENOTDIR, with err naming
 * where PinPath= was set (the main file for the default) and what to do about it (loader_bpffs_advice()).
 */
int loader_check_pin_path(const struct ea_config *cfg, struct config_error *err);
/* bpffs on /sys/fs/bpf when PinPath= is in it, and tracefs, mounted when missing, as systemd does at boot.
 * Call after loader_check_pin_path(). */
int loader_mount_filesystems(const struct ea_config *cfg);
/*
 * Why dir, the directory PinPath= is in, cannot hold pins (it is not on a bpffs), and what to do about it,
 * into out. is_bpffs(path) answers 1 (a bpffs), 0 (another file system) or a negative errno (-ENOENT: no
 * such directory). A mount is suggested only on /sys/fs/bpf, never over a directory an admin did not
 * mean for it; a service (systemd mounts that one) is told so instead.
 */
void loader_bpffs_advice(const char *dir, bool service, int (*is_bpffs)(const char *path), char *out,
                         size_t n);
/*
 * Everything up to (not including) attaching, starting with PinPath's lock: -EBUSY, said in the log, when
 * another daemon holds it. When PinPath holds a complete set of pins of this very BPF
 * object (pin_version), they are adopted: the programs stay attached and their maps are used as they are.
 * Otherwise a fresh object is loaded; the pins found are replaced in loader_attach(). The configuration is
 * applied separately (filter_apply); cfg here only provides PinPath and the external filter maps' layouts.
 */
int loader_load(struct loader *l, const struct ea_config *cfg);
/*
 * Whether fd can be the map of CgroupMap= or MountNamespaceMap=: a hash map with 8-byte keys. 0; -EINVAL
 * with *why saying what is wrong; or another negative errno (*why NULL) when fd cannot be asked. Checked by
 * every filter_apply(), at start as on a reload, so that both take the same maps.
 */
int loader_check_external_map(int fd, const char **why);
/* The perf event every CPU's buffer is opened with (bench/bpf_floor opens its buffers the same way). */
struct perf_event_attr loader_perf_event_attr(unsigned pages);
int loader_open_perf_buffer(struct loader *l, unsigned pages, perf_buffer_sample_fn sample,
                            perf_buffer_lost_fn lost, void *ctx);
/*
 * Fresh load: attaches, then replaces whatever PinPath held with this object's pins. The replaced pins'
 * account (their no_reader gap, and what they carried, could not follow or skipped) is in the new state's
 * carried_* from the moment they are gone. On failure no pin of this object stays: the caller reports that
 * account and the numbers these programs took (loader_read_seq) as losses. Adopted: nothing.
 */
int loader_attach(struct loader *l);
/* Notes how full each perf buffer is (call before consuming); loader_buffer_peaks() then says the highest
 * fill per buffer since the last reset. */
void loader_sample_fill(struct loader *l);
/* The kernel's counters, summed over the CPUs from the mapped "stats" map (no bpf(2) map operation).
 * EA_STAT_SKIPPED is read at most once a second, unless loader_refresh_skipped() just read it. */
void loader_read_stats(struct loader *l, struct ea_stats *sum);
void loader_refresh_skipped(struct loader *l);
/* Adds the counters of n elements of a "stats" map to sum, each loaded whole (relaxed atomic loads): the
 * elements may be the kernel's own, counting meanwhile. */
void loader_sum_stats(const struct ea_stats *elems, size_t n, struct ea_stats *sum);
/* Where the pinned daemon state keeps how much of a counter without sequence numbers the journal accounts
 * for (EA_STAT_FAILED_UNTRACKED, EA_STAT_TRACKED_FULL, EA_STAT_SKIPPED); NULL for any other. */
uint64_t *loader_reported_mark(struct loader *l, enum ea_stat stat);
/* What those counters (sum) grew beyond the marks of st: not in any loss record yet. */
void loader_unreported(const struct ea_stats *sum, const struct ea_daemon_state *st, uint64_t *failed,
                       uint64_t *tracked_full, uint64_t *skipped);
/* What st carries for pins it replaced and no loss record reported yet (all 0 when nothing is open). */
void loader_carried(const struct ea_daemon_state *st, uint64_t *no_reader, uint64_t *untracked,
                    uint64_t *skipped);
/* The last sequence number the kernel took. */
int loader_read_seq(struct loader *l, uint64_t *seq);
/* The "cgroups_gone" map (paths of removed cgroups, see execaudit.h). */
int loader_cgroups_gone_fd(const struct loader *l);
/* Detaches and frees everything; with unpin, also removes the pins (and so the programs) from PinPath.
 * Without, the pinned programs stay attached and keep counting what no reader takes. */
void loader_close(struct loader *l, bool unpin);
/* execauditd --remove-pins, first step: the programs pinned in pin_path detached (their link pins removed)
 * and no run of them left, so the pinned "seq" holds every number they took, and skipped their skipped
 * runs. The maps stay pinned. Refuses (nothing removed) a directory that is not execauditd's. */
int loader_detach_pinned(const char *pin_path, uint64_t *skipped);
/* --remove-pins that cannot report: the skipped runs of the programs it detached, kept in the pinned
 * "stats" (EA_STAT_SKIPPED, which the programs do not count) for the next daemon. */
int loader_keep_skipped(const char *pin_path, uint64_t skipped);
/* execauditd --remove-pins: every pin under pin_path removed (detaching the programs), and the directory. */
int loader_remove_pins(const char *pin_path);
/* execauditd --status: the pinned counters, read without loading anything (EA_STAT_SKIPPED from the
 * programs of the link pins). */
/* Writes st over the pinned daemon state (as far as that layout's goes), while no daemon holds the pins. */
int loader_write_pinned_state(const char *pin_path, const struct ea_daemon_state *st);
int loader_read_pinned(const char *pin_path, struct ea_pin_version *version, struct ea_daemon_state *state,
                       uint64_t *seq, struct ea_stats *sum, int *links);

#endif

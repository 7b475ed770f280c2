/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Audit records: kernel events and the daemon's own events turned into journal entries. The field names
 * and MESSAGE_IDs here are the public contract documented in execauditd(8).
 */
#ifndef EA_FORMAT_H
#define EA_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "record.h"

#define MID_EXEC            "441643399730438aac8e2e5265dc875e"
#define MID_EXEC_FAILED     "b9804139f66149e1bd52ff5dcf7bd28c"
#define MID_EXIT            "ba009f3febd74a4fb3025f71988dbb5c"
#define MID_LOST            "7b9de65e23124b8f822daf9df75f11a6"
#define MID_LIFECYCLE       "acc7094db4cf4d1e859bc25f6adc51b4"
#define MID_CONFIG_REJECTED "743c13a091d94b73b3c798ad6d450c46"
#define MID_STATS           "eaeae8a1a689444492894d692b65bac8"
#define MID_FILTER_CHANGED  "a413282d29674aa993f5e1358f2a8d20"

struct format_ctx {
        int64_t realtime_offset_ns; /* CLOCK_REALTIME - CLOCK_BOOTTIME */
        /* cgroup v2 path of a cgroup id, or NULL when unknown; *truncated when it is an ancestor's (the path
         * was too long). May be NULL itself. */
        const char *(*cgroup_path)(void *userdata, uint64_t id, bool *truncated);
        void *userdata;
        /* Whether the exit of the image exec'd at exec_ktime_ns by pid has been received already (then the
         * exec record carries no OBJECT_PID); may be NULL. */
        bool (*exited)(void *userdata, uint32_t pid, uint64_t exec_ktime_ns);
        void *exited_userdata;
};

/* A kernel event (as received from the perf buffer). -EBADMSG for a malformed one. */
int format_event(struct record *r, const void *data, size_t size, const struct format_ctx *ctx);

/* Daemon records: `seq` is the last kernel sequence number received, `generation` the config's. */
struct daemon_info {
        uint64_t seq;
        uint32_t generation;
        uint64_t realtime_usec;
};

int format_lost(struct record *r, const struct daemon_info *d, const char *reason, uint64_t count);
/* A loss whose time is known: events no daemon read between two daemons (no_reader). first_seq 0: the
 * numbers are another numbering's (replaced programs) and are left out. */
int format_lost_range(struct record *r, const struct daemon_info *d, const char *reason, uint64_t count,
                      uint64_t first_seq, uint64_t last_seq, uint64_t since_usec, uint64_t until_usec);
/* event: "started", "reloaded", "stopping" */
int format_lifecycle(struct record *r, const struct daemon_info *d, const char *event,
                     const char *config_path, const char *config_sha256, const char *detail);
/* EXEC_EVENT=filter_changed: the pinned filter maps in force differ from what the daemon wrote. */
int format_filter_changed(struct record *r, const struct daemon_info *d, const char *pin_path);
/* MESSAGE is "config rejected: " and the line config_error_format() writes; the EXEC_CONFIG_* fields hold
 * err's exact bytes. */
struct config_error;
int format_config_rejected(struct record *r, const struct daemon_info *d, const struct config_error *err);

struct writer_stats;
struct ea_stats;
/* EXEC_EVENT=stats: the kernel's counters (summed over CPUs) and the writer's, and the highest fill of
 * each CPU's perf buffer since the last stats record (percent, n CPUs; none when n is 0). */
int format_stats(struct record *r, const struct daemon_info *d, const struct ea_stats *kernel,
                 const struct writer_stats *w, const uint8_t *buffer_peak, int n);

/* Reason names of EXEC_LOST_REASON */
#define LOST_PERF_BUFFER          "perf_buffer"
#define LOST_JOURNAL              "journal"
#define LOST_JOURNALD_UNAVAILABLE "journald_unavailable"
#define LOST_JOURNAL_ERROR        "journal_error"
#define LOST_NO_READER            "no_reader"
#define LOST_EMIT_ERROR           "emit_error"
#define LOST_UNTRACKED            "untracked"
#define LOST_SKIPPED              "skipped"

#endif

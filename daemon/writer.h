/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The journal writer: a thread with a bounded queue between the perf buffer drain and journald.
 * Sending to journald blocks while journald is slow, so it must never run on the thread that drains the
 * kernel's buffers. What cannot be queued or written is counted per reason and reported as loss records,
 * in order with the records around it.
 */
#ifndef EA_WRITER_H
#define EA_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "journal.h"
#include "record.h"

#define JOURNAL_SOCKET "/run/systemd/journal/socket"
/* About 7 s of a full-rate storm on 2 CPUs (two records per exec): journald may stall for seconds. */
#define WRITER_MAX_QUEUED       32768
#define WRITER_MAX_QUEUED_BYTES (16u << 20)
#define WRITER_MAX_RECORDS      1024

enum lost_reason {
        LOST_R_PERF_BUFFER,
        LOST_R_JOURNAL, /* queue full */
        LOST_R_JOURNALD_UNAVAILABLE,
        LOST_R_JOURNAL_ERROR,
        LOST_R_NO_READER,  /* the kernel found no perf buffer open on its CPU */
        LOST_R_EMIT_ERROR, /* any other bpf_perf_event_output failure */
        LOST_R_UNTRACKED,  /* the kernel side could not follow the exec or process (see EA_STAT_*_UNTRACKED)
                            */
        LOST_R_SKIPPED,    /* the kernel skipped a run of a program that sends records (EA_STAT_SKIPPED) */
        LOST_R__MAX,
};

struct writer_stats {
        uint64_t written;
        uint64_t lost[LOST_R__MAX];
        uint64_t queue_high;
};

struct writer;

/* socket_path: journald's socket (JOURNAL_SOCKET, or a test's), kept by reference. */
int writer_start(struct writer **out, const char *socket_path, size_t max_items, size_t max_bytes);
/* A buffer for one kernel event of size bytes, to fill and then push (or free); NULL without memory. */
void *writer_event_alloc(size_t size);
void writer_event_free(void *data);
/* Queues an event from writer_event_alloc, taking ownership; never blocks: when the queue is full the
 * event is counted as lost. */
void writer_push_event(struct writer *w, void *data);
/* A daemon record (started, stats, ...): queued whatever the events fill, unless WRITER_MAX_RECORDS of them
 * wait already (journald has taken nothing for hours of stats records): then counted as lost (journal).
 * Loss records are not queued: they are counts, reported in place of what they count. */
int writer_push_record(struct writer *w, const struct record *r);
void writer_count_lost(struct writer *w, enum lost_reason reason, uint64_t n);
/*
 * writer_count_lost(), for losses a kernel counter counts (n may be 0): once they and every loss before
 * them are reported, value is stored at *mark, in the pinned daemon state, so that the next daemon knows how
 * much of the counter the journal accounts for. A later value for the same mark replaces one not yet
 * stored. -ENOBUFS for more than WRITER_MARKS different marks in a writer's life.
 */
#define WRITER_MARKS 8
int writer_count_lost_marked(struct writer *w, enum lost_reason reason, uint64_t n, uint64_t *mark,
                             uint64_t value);
/* The events no daemon handled before this one (first_seq 0: of replaced programs, range unknown). */
struct writer_gap {
        uint64_t count, first_seq, last_seq, since_usec, until_usec;
};
/* Reported as one no_reader record with its range, kept and retried like any loss until journald takes
 * it: as a queued record, a failed send would count it as one lost record instead of count events. */
void writer_report_gap(struct writer *w, const struct writer_gap *gap);
/* A gap from first_seq on is to be reported: no progress to it until writer_report_gap() (count 0 if there
 * is nothing left to report), or a crash in between would take the gap's account with it. */
void writer_gap_ahead(struct writer *w, uint64_t first_seq);
/*
 * Between these the writer takes nothing from the queue unless it is half full; writer_resume() wakes it
 * once if anything is waiting. A drain hands over its events as one batch, which the writer sends in as
 * few datagrams as journald takes, instead of waking for the first event and taking the rest piecemeal.
 */
void writer_hold(struct writer *w);
void writer_resume(struct writer *w);
void writer_set_generation(struct writer *w, uint32_t generation);
/* Where to store the highest kernel sequence number handled: written, or lost with the loss recorded. */
void writer_set_progress(struct writer *w, uint64_t *handled_seq);
/* The "cgroups_gone" map's fd, for EXEC_CGROUP of cgroups removed before their records are written. */
void writer_set_cgroups_gone(struct writer *w, int fd);
void writer_get_stats(struct writer *w, struct writer_stats *out);
/* No progress past seq from now on: what follows is written, but a gap before it is not accounted for. */
void writer_limit_progress(struct writer *w, uint64_t seq);
/* Writes everything queued, then ends the thread and frees w. Returns whether every loss was reported. */
bool writer_stop(struct writer *w);

/* One record through j: -ENOENT or -ECONNREFUSED when no journald listens. */
int journal_send_record(struct journal *j, const struct record *r);
const char *lost_reason_name(enum lost_reason reason);

#endif

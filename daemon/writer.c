// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Journal writer thread. The queue is a FIFO list bounded by count and bytes; the drain side only copies
 * bytes and links them in, the formatting (quoting, cgroup lookups) happens here, off the drain path.
 */
#include <errno.h>
#include <malloc.h>
#include <stddef.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "caps.h"
#include "cgroup.h"
#include "exitseen.h"
#include "format.h"
#include "log.h"
#include "time-util.h"
#include "writer.h"
#include "execaudit.h"

enum item_kind { ITEM_EVENT, ITEM_RECORD };

struct item {
        struct item *next;
        enum item_kind kind;
        uint32_t size;
        /* ITEM_EVENT: the event as received; ITEM_RECORD: the entry, ready to send */
        _Alignas(8) unsigned char data[];
};

/* A value to store once the losses handed over with it are reported (writer_count_lost_marked). */
struct writer_mark {
        uint64_t *where; /* NULL: a free slot */
        uint64_t value;
};

struct writer {
        pthread_t thread;
        pthread_mutex_t lock;
        pthread_cond_t cond;
        struct item *head, *tail;
        size_t queued, queued_bytes, max_items, max_bytes;
        size_t taken, taken_bytes; /* the batch the writer is writing: still held, so within the bounds */
        size_t records, taken_records;      /* daemon records among them (WRITER_MAX_RECORDS) */
        uint64_t pending_lost[LOST_R__MAX]; /* not reported yet */
        struct writer_mark pending_marks[WRITER_MARKS];
        uint64_t *marks_known[WRITER_MARKS]; /* every mark ever given: no more can be pending or held */
        struct writer_gap pending_gap;       /* count 0: none */
        struct writer_stats stats;
        uint32_t generation;
        uint64_t last_seq;
        uint64_t *progress; /* the pinned daemon state's handled_seq (see execaudit.h), or NULL */
        uint64_t progress_limit;
        uint64_t gap_limit; /* before writer_report_gap(): no progress to the gap's first number */
        int cgroups_gone;   /* for the writer thread's resolver, which takes it with a batch */
        bool all_reported;  /* at the end */
        bool stop;
        bool held; /* writer_hold() */
        /* Writer thread only. */
        struct record rec;
        struct journal journal;
        struct journal_batch batch;
        struct cgroup_resolver cgroups;
        struct exit_seen *exits;
        const char *socket_path;
        bool journald_missing;
        int send_error; /* the last failed send's, logged once until a send succeeds */
};

static const char *const lost_names[LOST_R__MAX] = {
        [LOST_R_PERF_BUFFER] = LOST_PERF_BUFFER,
        [LOST_R_JOURNAL] = LOST_JOURNAL,
        [LOST_R_JOURNALD_UNAVAILABLE] = LOST_JOURNALD_UNAVAILABLE,
        [LOST_R_JOURNAL_ERROR] = LOST_JOURNAL_ERROR,
        [LOST_R_NO_READER] = LOST_NO_READER,
        [LOST_R_EMIT_ERROR] = LOST_EMIT_ERROR,
        [LOST_R_UNTRACKED] = LOST_UNTRACKED,
        [LOST_R_SKIPPED] = LOST_SKIPPED,
};

const char *lost_reason_name(enum lost_reason reason)
{
        return reason < LOST_R__MAX ? lost_names[reason] : "unknown";
}

int journal_send_record(struct journal *j, const struct record *r)
{
        const char *entry;
        size_t len;
        int e = record_entry(r, &entry, &len);

        return e < 0 ? e : journal_send(j, entry, len);
}

static int64_t realtime_offset_ns(void)
{
        struct timespec rt, bt;

        clock_gettime(CLOCK_REALTIME, &rt);
        clock_gettime(CLOCK_BOOTTIME, &bt);
        return ((int64_t)rt.tv_sec - bt.tv_sec) * 1000000000 + (rt.tv_nsec - bt.tv_nsec);
}

/* Under the lock. Held, the writer takes nothing before writer_resume(), unless half the queue is full:
 * it must not start on a piece of the batch and then fight the drain for the lock over the rest. */
static bool may_take(const struct writer *w)
{
        return !w->held || w->stop || w->queued >= w->max_items / 2 || w->queued_bytes >= w->max_bytes / 2;
}

/* Under the lock: losses handed over and not taken yet. */
static bool loss_pending(const struct writer *w)
{
        if (w->pending_gap.count != 0 || w->pending_marks[0].where)
                return true;
        for (int i = 0; i < LOST_R__MAX; i++)
                if (w->pending_lost[i])
                        return true;
        return false;
}

static void wake(struct writer *w)
{
        if (may_take(w))
                pthread_cond_signal(&w->cond);
}

static void enqueue(struct writer *w, struct item *it)
{
        it->next = NULL;
        if (w->tail)
                w->tail->next = it;
        else
                w->head = it;
        w->tail = it;
        w->queued++;
        w->queued_bytes += it->size;
        if (w->queued > w->stats.queue_high)
                w->stats.queue_high = w->queued;
        wake(w);
}

static struct item *item_of(void *data)
{
        return (struct item *)((char *)data - offsetof(struct item, data));
}

void *writer_event_alloc(size_t size)
{
        struct item *it = malloc(sizeof(*it) + size);

        if (!it)
                return NULL;
        it->kind = ITEM_EVENT;
        it->size = (uint32_t)size;
        return it->data;
}

void writer_event_free(void *data)
{
        if (data)
                free(item_of(data));
}

void writer_push_event(struct writer *w, void *data)
{
        struct item *it = item_of(data);

        pthread_mutex_lock(&w->lock);
        if (w->queued + w->taken < w->max_items &&
            w->queued_bytes + w->taken_bytes + it->size <= w->max_bytes) {
                enqueue(w, it);
        } else {
                w->pending_lost[LOST_R_JOURNAL]++;
                wake(w);
                free(it);
        }
        pthread_mutex_unlock(&w->lock);
}

int writer_push_record(struct writer *w, const struct record *r)
{
        const char *entry;
        struct item *it;
        size_t len;
        int e = record_entry(r, &entry, &len);

        if (e < 0)
                return e;
        it = malloc(sizeof(*it) + len);
        if (!it)
                return -ENOMEM;
        it->kind = ITEM_RECORD;
        it->size = (uint32_t)len;
        memcpy(it->data, entry, len);
        pthread_mutex_lock(&w->lock);
        if (w->records + w->taken_records < WRITER_MAX_RECORDS) {
                w->records++;
                enqueue(w, it);
                it = NULL;
        } else {
                w->pending_lost[LOST_R_JOURNAL]++;
                wake(w);
        }
        pthread_mutex_unlock(&w->lock);
        free(it);
        return 0;
}

void writer_count_lost(struct writer *w, enum lost_reason reason, uint64_t n)
{
        pthread_mutex_lock(&w->lock);
        w->pending_lost[reason] += n;
        wake(w);
        pthread_mutex_unlock(&w->lock);
}

static int mark_set(struct writer_mark marks[WRITER_MARKS], uint64_t *where, uint64_t value)
{
        for (int i = 0; i < WRITER_MARKS; i++)
                if (!marks[i].where || marks[i].where == where) {
                        marks[i] = (struct writer_mark){.where = where, .value = value};
                        return 0;
                }
        return -ENOBUFS;
}

int writer_count_lost_marked(struct writer *w, enum lost_reason reason, uint64_t n, uint64_t *mark,
                             uint64_t value)
{
        int r = -ENOBUFS;

        pthread_mutex_lock(&w->lock);
        for (int i = 0; i < WRITER_MARKS && r < 0; i++)
                if (!w->marks_known[i] || w->marks_known[i] == mark) {
                        w->marks_known[i] = mark;
                        r = 0;
                }
        if (r >= 0)
                r = mark_set(w->pending_marks, mark, value);
        if (r >= 0) {
                w->pending_lost[reason] += n;
                wake(w);
        }
        pthread_mutex_unlock(&w->lock);
        return r;
}

/* Pending marks join those taken earlier and not stored yet: at most WRITER_MARKS marks exist, so they
 * always fit. */
static void marks_take(struct writer_mark to[WRITER_MARKS], struct writer_mark from[WRITER_MARKS])
{
        for (int i = 0; i < WRITER_MARKS && from[i].where; i++) {
                (void)mark_set(to, from[i].where, from[i].value);
                from[i].where = NULL;
        }
}

static void marks_store(struct writer_mark marks[WRITER_MARKS])
{
        for (int i = 0; i < WRITER_MARKS && marks[i].where; i++) {
                __atomic_store_n(marks[i].where, marks[i].value, __ATOMIC_RELAXED);
                marks[i].where = NULL;
        }
}

void writer_report_gap(struct writer *w, const struct writer_gap *gap)
{
        pthread_mutex_lock(&w->lock);
        w->pending_gap = *gap;
        w->gap_limit = UINT64_MAX;
        wake(w);
        pthread_mutex_unlock(&w->lock);
}

void writer_hold(struct writer *w)
{
        pthread_mutex_lock(&w->lock);
        w->held = true;
        pthread_mutex_unlock(&w->lock);
}

void writer_resume(struct writer *w)
{
        bool work;

        pthread_mutex_lock(&w->lock);
        w->held = false;
        work = w->head || loss_pending(w); /* an idle host's drains every 100 ms leave the writer asleep */
        pthread_mutex_unlock(&w->lock);
        /* After the unlock: woken under it, the writer would only wait again, for the lock. */
        if (work)
                pthread_cond_signal(&w->cond);
}

void writer_set_generation(struct writer *w, uint32_t generation)
{
        pthread_mutex_lock(&w->lock);
        w->generation = generation;
        pthread_mutex_unlock(&w->lock);
}

void writer_set_cgroups_gone(struct writer *w, int fd)
{
        pthread_mutex_lock(&w->lock);
        w->cgroups_gone = fd;
        pthread_mutex_unlock(&w->lock);
}

void writer_get_stats(struct writer *w, struct writer_stats *out)
{
        pthread_mutex_lock(&w->lock);
        *out = w->stats;
        pthread_mutex_unlock(&w->lock);
}

static const char *resolve_cgroup(void *userdata, uint64_t id, bool *truncated)
{
        return cgroup_resolve(userdata, id, truncated);
}

static bool has_exited(void *userdata, uint32_t pid, uint64_t exec_ktime_ns)
{
        return exit_seen_has(userdata, pid, exec_ktime_ns);
}

/* The exits in a batch, before any of its exec records is written: under load most processes are gone
 * by then, and their exit travels in the same batch. */
static void note_exits(struct exit_seen *s, const struct item *it)
{
        for (; it; it = it->next) {
                const struct ea_exit *ev = (const void *)it->data;

                if (it->kind == ITEM_EVENT && it->size >= sizeof(*ev) && ev->hdr.type == EA_EV_EXIT &&
                    ev->hdr.version == EA_LAYOUT_VERSION)
                        exit_seen_add(s, ev->proc.pid, ev->exec_ktime_ns);
        }
}

/*
 * Why records that journald did not take are lost. Said once per error until a send succeeds: a journald
 * that takes nothing fails every batch, and a line per batch on standard error, which under systemd is a
 * stream to that journald, filled the stream and blocked the writer, and the stop with it, for good.
 */
static enum lost_reason send_failure(struct writer *w, int r)
{
        if (r != w->send_error)
                log_warning_errno(r, "Writing records to the journal failed");
        w->send_error = r;
        /* A socket file left by a dead journald refuses connections: journald is away too. */
        return r == -ENOENT || r == -ECONNREFUSED ? LOST_R_JOURNALD_UNAVAILABLE : LOST_R_JOURNAL_ERROR;
}

/* What the batch held is written, or lost. */
static void send_batch(struct writer *w, uint64_t *written, uint64_t lost[LOST_R__MAX])
{
        size_t n = w->batch.entries;
        int r = journal_batch_send(&w->journal, &w->batch);

        if (r < 0) {
                lost[send_failure(w, r)] += n;
        } else {
                *written += n;
                w->send_error = 0;
        }
}

/* Into the batch, which goes out when full or when the queue is done; an entry larger than any batch goes
 * alone (journal_send passes it as a memfd if need be). */
static void write_entry(struct writer *w, const char *entry, size_t len, uint64_t *written,
                        uint64_t lost[LOST_R__MAX])
{
        int r = journal_batch_add(&w->batch, entry, len);

        if (r == 0 && w->batch.entries) {
                send_batch(w, written, lost);
                r = journal_batch_add(&w->batch, entry, len);
        }
        if (r > 0)
                return;
        if (r == 0) /* larger than any batch */
                r = journal_send(&w->journal, entry, len);
        if (r < 0) {
                lost[send_failure(w, r)]++;
        } else {
                (*written)++;
                w->send_error = 0;
        }
}

static void write_item(struct writer *w, const struct item *it, const struct format_ctx *ctx,
                       uint64_t *written, uint64_t lost[LOST_R__MAX])
{
        const char *entry = (const char *)it->data;
        size_t len = it->size;
        int r;

        if (it->kind == ITEM_EVENT) {
                const struct ea_header *h = (const void *)it->data;

                r = format_event(&w->rec, it->data, it->size, ctx);
                if (r >= 0)
                        r = record_entry(&w->rec, &entry, &len);
                if (r < 0) {
                        log_warning_errno(r, "Dropping a malformed event from the kernel (%u bytes)",
                                          it->size);
                        lost[LOST_R_JOURNAL_ERROR]++;
                        return;
                }
                if (h->seq > w->last_seq)
                        w->last_seq = h->seq;
        }
        write_entry(w, entry, len, written, lost);
}

static void report_lost(struct writer *w, uint64_t lost[LOST_R__MAX], struct writer_gap *gap,
                        uint32_t generation, uint64_t *written)
{
        struct daemon_info d = {.seq = w->last_seq, .generation = generation};

        if (gap->count) {
                d.realtime_usec = clock_usec(CLOCK_REALTIME);
                if (format_lost_range(&w->rec, &d, LOST_NO_READER, gap->count, gap->first_seq, gap->last_seq,
                                      gap->since_usec, gap->until_usec) >= 0 &&
                    journal_send_record(&w->journal, &w->rec) >= 0) {
                        gap->count = 0;
                        (*written)++;
                }
        }
        for (int i = 0; i < LOST_R__MAX; i++) {
                if (!lost[i])
                        continue;
                d.realtime_usec = clock_usec(CLOCK_REALTIME);
                if (format_lost(&w->rec, &d, lost_names[i], lost[i]) < 0 ||
                    journal_send_record(&w->journal, &w->rec) < 0)
                        continue; /* stays pending: reported once journald is back */
                log_warning("Lost %llu events (%s)", (unsigned long long)lost[i], lost_names[i]);
                lost[i] = 0;
                (*written)++;
        }
}

/* A backlog written out: its memory is given back (many records, or many bytes of a few large ones). */
#define WRITER_TRIM_AFTER       4096
#define WRITER_TRIM_AFTER_BYTES (1024 * 1024)

static uint64_t batch_total(const uint64_t lost[LOST_R__MAX])
{
        uint64_t n = 0;

        for (int i = 0; i < LOST_R__MAX; i++)
                n += lost[i];
        return n;
}

static bool all_zero(const uint64_t *v, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (v[i])
                        return false;
        return true;
}

static void *writer_main(void *arg)
{
        struct writer *w = arg;
        struct format_ctx ctx = {.cgroup_path = resolve_cgroup,
                                 .userdata = &w->cgroups,
                                 .exited = has_exited,
                                 .exited_userdata = w->exits};
        /* seen: the highest number taken so far. Events arrive in order, so every number up to it is
         * written or lost: handled (the progress) once no loss waits to be reported. */
        uint64_t lost[LOST_R__MAX] = {0}, written, seen = 0;
        struct writer_mark marks[WRITER_MARKS] = {0};
        struct writer_gap gap = {0};
        int r;

        /* Capabilities are per thread, and this one never opens a perf event (see daemon_run). */
        r = caps_drop(CAP_SYS_ADMIN);
        if (r < 0)
                log_warning_errno(r, "The journal writer cannot give up CAP_SYS_ADMIN, so it is kept");
        r = caps_drop(CAP_IPC_LOCK);
        if (r < 0)
                log_warning_errno(r, "The journal writer cannot give up CAP_IPC_LOCK, so it is kept");
        pthread_mutex_lock(&w->lock);
        for (;;) {
                uint64_t batch_lost[LOST_R__MAX] = {0}, batch_seq = 0, progress_limit, handled, *progress;
                struct item *batch;
                uint32_t generation;
                bool any_lost, unreported;

                any_lost = loss_pending(w);
                unreported = gap.count != 0 || !all_zero(lost, LOST_R__MAX);
                if ((!w->head || !may_take(w)) && !any_lost) {
                        if (!unreported) {
                                if (w->stop) {
                                        /* Everything written or its loss reported, the stopping record
                                         * sent before the stop was asked for too. */
                                        w->all_reported = true;
                                        break;
                                }
                                pthread_cond_wait(&w->cond, &w->lock);
                                continue;
                        }
                        /* Losses not reported yet (journald away): retry every second, without spinning. */
                        struct timespec until;

                        clock_gettime(CLOCK_MONOTONIC, &until);
                        until.tv_sec += 1;
                        pthread_cond_timedwait(&w->cond, &w->lock, &until);
                }
                /* Read with the batch they bound, not before the wait: a stop may have set the limit while
                 * this thread waited, before pushing events past it. */
                progress = w->progress;
                progress_limit = w->progress_limit < w->gap_limit ? w->progress_limit : w->gap_limit;
                batch = w->head;
                w->head = w->tail = NULL;
                w->taken = w->queued;
                w->taken_bytes = w->queued_bytes;
                w->taken_records = w->records;
                w->queued = w->queued_bytes = w->records = 0;
                for (int i = 0; i < LOST_R__MAX; i++) {
                        lost[i] += w->pending_lost[i];
                        w->stats.lost[i] += w->pending_lost[i];
                        w->pending_lost[i] = 0;
                }
                marks_take(marks, w->pending_marks);
                if (w->pending_gap.count) {
                        gap = w->pending_gap;
                        w->stats.lost[LOST_R_NO_READER] += gap.count;
                        w->pending_gap.count = 0;
                }
                generation = w->generation;
                cgroup_resolver_set_gone(&w->cgroups, w->cgroups_gone);
                pthread_mutex_unlock(&w->lock);

                if (access(w->socket_path, F_OK) < 0) {
                        if (!w->journald_missing)
                                log_error("journald's socket %s is missing: records cannot be written, "
                                          "counting them as lost until it is back",
                                          w->socket_path);
                        w->journald_missing = true;
                } else if (w->journald_missing) {
                        log_notice("journald's socket is back");
                        w->journald_missing = false;
                }
                ctx.realtime_offset_ns = realtime_offset_ns();
                note_exits(w->exits, batch);
                written = 0;
                while (batch) {
                        struct item *next = batch->next;

                        if (w->journald_missing)
                                batch_lost[LOST_R_JOURNALD_UNAVAILABLE]++;
                        else
                                write_item(w, batch, &ctx, &written, batch_lost);
                        if (batch->kind != ITEM_RECORD && batch->size >= sizeof(struct ea_header)) {
                                const struct ea_header *h = (const void *)batch->data;

                                if (h->seq > batch_seq)
                                        batch_seq = h->seq;
                        }
                        free(batch);
                        batch = next;
                }
                send_batch(w, &written, batch_lost);
                for (int i = 0; i < LOST_R__MAX; i++)
                        lost[i] += batch_lost[i];
                if (!w->journald_missing)
                        report_lost(w, lost, &gap, generation, &written);
                if (batch_seq > seen)
                        seen = batch_seq;
                handled = seen < progress_limit ? seen : progress_limit;
                if (all_zero(lost, LOST_R__MAX) && !gap.count) {
                        if (progress && handled > __atomic_load_n(progress, __ATOMIC_RELAXED))
                                __atomic_store_n(progress, handled, __ATOMIC_RELAXED);
                        marks_store(marks);
                }

                /* A backlog written out: give its memory back, so the daemon's size stays flat. */
                if (written + batch_total(batch_lost) > WRITER_TRIM_AFTER ||
                    w->taken_bytes >= WRITER_TRIM_AFTER_BYTES) /* written by this thread alone */
                        malloc_trim(0);
                pthread_mutex_lock(&w->lock);
                w->taken = w->taken_bytes = w->taken_records = 0;
                w->stats.written += written;
                for (int i = 0; i < LOST_R__MAX; i++)
                        w->stats.lost[i] += batch_lost[i];
                /* Losses handed over since this batch was taken go round once more, to be reported. */
                if (w->stop && !w->head && !loss_pending(w)) {
                        /* The last attempt was made: what journald could not take goes to stderr. */
                        w->all_reported = !gap.count && all_zero(lost, LOST_R__MAX);
                        if (w->journal.gave_up == JOURNAL_GAVE_UP_IDLE)
                                log_error(
                                        "journald took nothing for %d s after the stop: not waiting longer",
                                        JOURNAL_STOP_WAIT_SEC);
                        else if (w->journal.gave_up == JOURNAL_GAVE_UP_SLOW)
                                log_error(
                                        "journald had not taken everything %d s after the stop: not waiting "
                                        "longer",
                                        JOURNAL_STOP_TOTAL_SEC);
                        for (int i = 0; i < LOST_R__MAX; i++)
                                if (lost[i])
                                        log_error("Lost %llu events (%s), and the loss record could not be "
                                                  "written to the journal",
                                                  (unsigned long long)lost[i], lost_names[i]);
                        if (gap.count)
                                log_error("Lost %llu events (%s) before this daemon, and the loss record "
                                          "could not be written to the journal",
                                          (unsigned long long)gap.count, LOST_NO_READER);
                        break;
                }
        }
        pthread_mutex_unlock(&w->lock);
        return NULL;
}

int writer_start(struct writer **out, const char *socket_path, size_t max_items, size_t max_bytes)
{
        struct writer *w = calloc(1, sizeof(*w));
        pthread_condattr_t ca;
        int r;

        if (!w)
                return -ENOMEM;
        w->max_items = max_items;
        w->progress_limit = UINT64_MAX;
        w->gap_limit = UINT64_MAX;
        w->cgroups_gone = -1;
        w->max_bytes = max_bytes;
        w->socket_path = socket_path;
        w->exits = calloc(1, sizeof(*w->exits));
        if (!w->exits) {
                free(w);
                return -ENOMEM;
        }
        record_init(&w->rec);
        journal_init(&w->journal, socket_path);
        r = cgroup_resolver_init(&w->cgroups);
        if (r < 0)
                log_warning_errno(r, "No cgroup2 mount found: EXEC_CGROUP will be missing");
        else if (!w->cgroups.whole)
                log_notice(
                        "cgroup2 is mounted from a subtree or in another cgroup namespace: a cgroup removed "
                        "before its records are written will be missing from them");
        pthread_mutex_init(&w->lock, NULL);
        /* The retry wait counts on the monotonic clock: a clock set back must not stretch it. */
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&w->cond, &ca);
        pthread_condattr_destroy(&ca);
        r = -pthread_create(&w->thread, NULL, writer_main, w);
        if (r < 0) {
                cgroup_resolver_done(&w->cgroups);
                free(w->exits);
                free(w);
                return r;
        }
        *out = w;
        return 0;
}

void writer_set_progress(struct writer *w, uint64_t *handled_seq)
{
        pthread_mutex_lock(&w->lock);
        w->progress = handled_seq;
        pthread_mutex_unlock(&w->lock);
}

void writer_gap_ahead(struct writer *w, uint64_t first_seq)
{
        pthread_mutex_lock(&w->lock);
        w->gap_limit = first_seq ? first_seq - 1 : 0;
        pthread_mutex_unlock(&w->lock);
}

void writer_limit_progress(struct writer *w, uint64_t seq)
{
        pthread_mutex_lock(&w->lock);
        w->progress_limit = seq;
        pthread_mutex_unlock(&w->lock);
}

bool writer_stop(struct writer *w)
{
        struct item *it;
        bool all_reported;

        if (!w)
                return false;
        pthread_mutex_lock(&w->lock);
        w->stop = true;
        pthread_cond_signal(&w->cond);
        pthread_mutex_unlock(&w->lock);
        journal_stopping(&w->journal);
        pthread_join(w->thread, NULL);
        all_reported = w->all_reported;
        while ((it = w->head)) {
                w->head = it->next;
                free(it);
        }
        record_free(&w->rec);
        journal_finish(&w->journal);
        journal_batch_free(&w->batch);
        cgroup_resolver_done(&w->cgroups);
        free(w->exits);
        pthread_mutex_destroy(&w->lock);
        pthread_cond_destroy(&w->cond);
        free(w);
        return all_reported;
}

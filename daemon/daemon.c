// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The event loop (sd-event): perf buffer readiness, SIGHUP (reload), SIGTERM/SIGINT (stop) and the
 * systemd watchdog. The drain callbacks only hand bytes to the writer thread, so a slow journald never
 * delays reading the kernel's buffers.
 */
#include <errno.h>
#include <limits.h>
#include <linux/membarrier.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>
#include <time.h>
#include <unistd.h>

#include "assemble.h"
#include "caps.h"
#include "daemon.h"
#include "filter.h"
#include "format.h"
#include "loader.h"
#include "log.h"
#include "reload.h"
#include "reloadsig.h"
#include "reorder.h"
#include "time-util.h"
#include "writer.h"

/* Longest a record waits in a perf buffer below the wakeup watermark (documented in execauditd(8)). */
#define DRAIN_INTERVAL_USEC (100 * 1000)
/* Longest an event waits for a missing earlier sequence number (documented in execauditd(8)). */
#define REORDER_WINDOW_USEC (2 * DRAIN_INTERVAL_USEC)
#define REORDER_MAX_EVENTS  16384
#define REORDER_MAX_BYTES   (8u << 20)
/* How often the filter maps in force are compared with what the daemon put there. */
#define FILTER_CHECK_USEC (1000 * 1000)
/* After this long without an event the daemon sleeps until the next one (idle.h), draining only as often
 * as it checks the filter maps (documented in execauditd(8)). */
#define IDLE_AFTER_USEC (1000 * 1000)
#define IDLE_DRAIN_USEC FILTER_CHECK_USEC

struct daemon {
        struct ea_config cfg;
        const char *config_path;
        uint32_t generation;
        /* The configuration is read off the loop (reload.h); one reading at a time, and a SIGHUP during
         * one asks for another after it, since the files may have changed after it began. */
        struct reload_job *reload;
        sd_event_source *reload_source;
        unsigned readings; /* started so far; the one in progress is number `readings` */
        bool read_again;
        struct reload_waiters waiters; /* `execauditd --reload` callers, each for a reading's answer */
        uint64_t last_seq;             /* highest sequence number received from the kernel */
        uint64_t emit_failed_reported[EA_STAT_SLOTS]; /* kernel emit failures already counted as lost */
        struct loader loader;
        sd_event_source *drain_timer, *stats_timer;
        uint64_t seen;         /* samples and perf lost records read so far */
        uint64_t seen_drained; /* seen at the last timed drain */
        uint64_t active_usec;  /* when a timed drain last read any, or the daemon last woke */
        bool wake_failed;      /* said once, not at every sample while it goes on failing */
        struct filter_state filter;
        struct reorder reorder;
        struct assembly *assembly; /* one per CPU: long argv put back together */
        /* Adopted pins: numbers up to gap_last that the last daemon never handled, reported after the
         * first drain less those that still arrived (gap_arrived). */
        bool gap_pending;
        uint64_t filter_fp, filter_checked_usec;
        uint64_t gap_first, gap_last, gap_arrived, gap_since_usec;
        /* The account state->carried_* holds is handed to the writer: its mark clears it (after_release). */
        bool carry_pending;
        int ncpu;
        uint64_t stop_seq; /* at stop: every number up to it is in the journal or a loss record */
        struct writer *writer;
        sd_event *event;
};

static struct daemon_info info(const struct daemon *d)
{
        return (struct daemon_info){.seq = d->last_seq,
                                    .generation = d->generation,
                                    .realtime_usec = clock_usec(CLOCK_REALTIME)};
}

void log_config_error(const char *prefix, const struct config_error *err)
{
        struct strbuf msg = STRBUF_INIT;

        config_error_format(err, &msg);
        log_error("%s%s", prefix, msg.buf ? msg.buf : "");
        strbuf_free(&msg);
}

/* Prints a rejected config on stderr and records it in the journal: through the writer when it runs, or
 * directly (at start, before there is one). */
static int report_config_error(struct daemon *d, const struct config_error *err)
{
        struct daemon_info di = info(d);
        struct record rec;
        int r;

        record_init(&rec);
        log_config_error("Config rejected: ", err);
        r = format_config_rejected(&rec, &di, err);
        if (r >= 0 && d && d->writer) {
                r = writer_push_record(d->writer, &rec);
        } else if (r >= 0) {
                struct journal j;

                journal_init(&j, JOURNAL_SOCKET);
                /* The daemon exits: a journald that takes nothing is not waited for long. */
                journal_stopping(&j);
                r = journal_send_record(&j, &rec);
                journal_finish(&j);
        }
        if (r < 0)
                log_warning_errno(r, "Cannot write the config-rejected record to the journal");
        record_free(&rec);
        return -EINVAL;
}

static void push_lifecycle(struct daemon *d, const char *event, const char *detail)
{
        struct daemon_info di = info(d);
        struct record rec;
        int r;

        record_init(&rec);
        r = format_lifecycle(&rec, &di, event, d->cfg.path, d->cfg.sha256, detail);
        if (r >= 0)
                r = writer_push_record(d->writer, &rec);
        if (r < 0)
                log_warning_errno(r, "Cannot queue the %s record", event);
        record_free(&rec);
}

static void release_event(void *ctx, void *data, size_t size)
{
        struct daemon *d = ctx;

        (void)size;
        writer_push_event(d->writer, data);
}

static void account_emit_failures(struct daemon *d);

static void on_sample(void *ctx, int cpu, void *data, __u32 size)
{
        struct daemon *d = ctx;
        const struct ea_header *h = data;
        struct assembly *a = cpu >= 0 && cpu < d->ncpu ? &d->assembly[cpu] : NULL;
        void *copy = NULL;
        size_t n = 0;
        int r = assembly_take(a, data, size, writer_event_alloc, &copy, &n);

        d->seen++;
        if (r == -EBADMSG)
                log_debug("Dropped an argv piece on CPU %d (malformed, or no memory)", cpu);
        if (r == 0 || r == -EBADMSG)
                return;
        /* Arrived, whatever becomes of it (a failed copy is journal loss), so not no_reader loss. Only
         * adopted programs go on with the gap's numbering; replaced ones count from 1 again. */
        if (n >= sizeof(*h) && d->gap_pending && d->loader.adopted && h->seq >= d->gap_first &&
            h->seq <= d->gap_last)
                d->gap_arrived++;
        if (r < 0) {
                writer_count_lost(d->writer, LOST_R_JOURNAL, 1);
                return;
        }
        if (n < sizeof(*h)) {
                writer_push_event(d->writer, copy); /* malformed: the writer counts it */
                return;
        }
        if (h->seq > d->last_seq)
                d->last_seq = h->seq;
        /* A full heap lets its lowest events go now, maybe past a missing number: as in drain(), that
         * number's emit failure is counted before an event after it reaches the writer (and its progress).
         */
        if (reorder_add_may_skip(&d->reorder, h->seq, n))
                account_emit_failures(d);
        reorder_add(&d->reorder, h->seq, clock_usec(CLOCK_MONOTONIC), copy, n, release_event, d);
}

/*
 * perf's own lost-sample records only arrive with the next sample that fits on the same CPU, so they can
 * stay unreported indefinitely. The kernel program counts every failed output per errno, exactly one per
 * sequence number it used up: those counters are the loss account, read after every drain.
 */
static void on_lost(void *ctx, int cpu, __u64 count)
{
        struct daemon *d = ctx;

        d->seen++;
        log_debug("perf reports %llu lost samples on CPU %d", (unsigned long long)count, cpu);
}

static void account_emit_failures(struct daemon *d)
{
        static const struct {
                enum ea_stat stat;
                enum lost_reason reason;
        } map[] = {
                {EA_STAT_EMIT_ENOSPC, LOST_R_PERF_BUFFER},
                {EA_STAT_EMIT_ENOENT, LOST_R_NO_READER},
                {EA_STAT_EMIT_E2BIG, LOST_R_EMIT_ERROR},
                {EA_STAT_EMIT_OTHER, LOST_R_EMIT_ERROR},
                {EA_STAT_FAILED_UNTRACKED, LOST_R_UNTRACKED},
                /* Each a process whose exit will not be reported, nor its children's EXEC_PARENT_ID:
                 * a loss under Exits=no too, and the exit is lost if a reload turns Exits= on. */
                {EA_STAT_TRACKED_FULL, LOST_R_UNTRACKED},
                {EA_STAT_SKIPPED, LOST_R_SKIPPED}, /* each at most one record */
        };
        struct ea_stats st;

        loader_read_stats(&d->loader, &st);
        for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
                uint64_t now = st.n[map[i].stat], *seen = &d->emit_failed_reported[map[i].stat];
                uint64_t *mark = loader_reported_mark(&d->loader, map[i].stat);

                if (now <= *seen)
                        continue;
                /* Numbered losses are covered by handled_seq; these by a mark of their own. */
                if (!mark || writer_count_lost_marked(d->writer, map[i].reason, now - *seen, mark, now) < 0)
                        writer_count_lost(d->writer, map[i].reason, now - *seen);
                *seen = now;
        }
}

/* The events no daemon handled between the last one's progress and this one's start. */
static void report_gap(struct daemon *d)
{
        uint64_t n = d->gap_last - d->gap_first + 1;
        struct writer_gap gap;

        d->gap_pending = false;
        n = n > d->gap_arrived ? n - d->gap_arrived : 0;
        if (!n) {
                writer_report_gap(d->writer, &(struct writer_gap){0}); /* lifts writer_gap_ahead() */
                return;
        }
        /* Replaced programs numbered their events in their own map: their range means nothing here. */
        gap = (struct writer_gap){.count = n,
                                  .first_seq = d->loader.adopted ? d->gap_first : 0,
                                  .last_seq = d->loader.adopted ? d->gap_last : 0,
                                  .since_usec = d->gap_since_usec,
                                  .until_usec = d->loader.state && d->loader.state->started_usec
                                                        ? d->loader.state->started_usec
                                                        : clock_usec(CLOCK_REALTIME)};
        writer_report_gap(d->writer, &gap);
        log_warning("%llu events happened while no daemon read them (sequence numbers %llu-%llu)",
                    (unsigned long long)n, (unsigned long long)d->gap_first,
                    (unsigned long long)d->gap_last);
}

/*
 * Adopted pins: the kernel's loss counters so far are the last daemons' account (the numbered ones are
 * covered by handled_seq and the gap), except what grew beyond the marks of those without numbers: the
 * first drain reports that.
 */
static void baseline_counters(struct daemon *d)
{
        enum { F = EA_STAT_FAILED_UNTRACKED, T = EA_STAT_TRACKED_FULL, S = EA_STAT_SKIPPED };
        struct ea_stats st;
        uint64_t failed, full, skipped;

        loader_read_stats(&d->loader, &st);
        for (int i = 0; i < EA_STAT_SLOTS; i++) {
                const uint64_t *mark = loader_reported_mark(&d->loader, (enum ea_stat)i);

                d->emit_failed_reported[i] = mark && *mark < st.n[i] ? *mark : st.n[i];
        }
        failed = st.n[F] - d->emit_failed_reported[F];
        full = st.n[T] - d->emit_failed_reported[T];
        skipped = st.n[S] - d->emit_failed_reported[S];
        if (failed || full)
                log_notice("Since the last daemon's reports the programs could not follow %llu failed execs "
                           "and %llu processes (their exits): reported as untracked",
                           (unsigned long long)failed, (unsigned long long)full);
        if (skipped)
                log_notice("Since the last daemon's reports the kernel skipped %llu runs of the programs: "
                           "reported as skipped",
                           (unsigned long long)skipped);
}

/*
 * Where this daemon's numbering starts. Adopted pins: after what the last daemon handled, and everything
 * it did not handle up to now is one no_reader gap. Replaced pins: their unhandled numbers are that gap
 * (in the old numbering); the new maps count from 1. The kernel's emit-failure counters already include
 * the gap, so they are taken as the baseline.
 */
static int start_numbering(struct daemon *d, uint64_t *first)
{
        struct loader *l = &d->loader;
        uint64_t now = 0;

        *first = 1;
        if (l->adopted) {
                baseline_counters(d);
                if (loader_read_seq(l, &now) < 0)
                        return log_error_errno(-errno, "Cannot read the pinned sequence number");
                *first = l->state->handled_seq + 1;
                d->last_seq = now;
                if (now > l->state->handled_seq) {
                        d->gap_first = l->state->handled_seq + 1;
                        d->gap_last = now;
                        /* Events of the first drains may go out before the gap is counted. */
                        writer_gap_ahead(d->writer, d->gap_first);
                }
        } else if (l->prev_known && l->prev_seq > l->prev_state.handled_seq) {
                d->gap_first = l->prev_state.handled_seq + 1;
                d->gap_last = l->prev_seq;
        }
        d->gap_pending = d->gap_last != 0;
        d->gap_since_usec = l->adopted ? l->state->alive_usec : l->prev_state.alive_usec;
        return 0;
}

/* no_reader events, and the untracked and skipped counts the new state carries, to the writer. */
static void count_carried(struct daemon *d, uint64_t no_reader)
{
        const struct ea_daemon_state *st = d->loader.state;

        if (no_reader)
                writer_count_lost(d->writer, LOST_R_NO_READER, no_reader);
        if (st->carried_open && st->carried_untracked)
                writer_count_lost(d->writer, LOST_R_UNTRACKED, st->carried_untracked);
        if (st->carried_open && st->carried_skipped)
                writer_count_lost(d->writer, LOST_R_SKIPPED, st->carried_skipped);
}

/* What the replaced programs could not follow, or the kernel did not run, and nobody reported: losses,
 * not silence. The new state carries it all, with what they carried themselves for pins they had
 * replaced and their no_reader gap (which report_gap() reports), until the journal has it (loader_attach).
 */
static void report_replaced_untracked(struct daemon *d)
{
        const struct loader *l = &d->loader;
        const struct ea_daemon_state *st = l->state;
        uint64_t no_reader = 0, untracked = 0, skipped = 0;

        if (l->adopted)
                return;
        loader_carried(&l->prev_state, &no_reader, &untracked, &skipped);
        if (no_reader + untracked + skipped)
                log_notice(
                        "The replaced pins still carried %llu events (no_reader), %llu (untracked) and %llu "
                        "(skipped) of pins they had replaced",
                        (unsigned long long)no_reader, (unsigned long long)untracked,
                        (unsigned long long)skipped);
        count_carried(d, no_reader);
        if (l->prev_skipped)
                log_notice("The kernel skipped %llu runs of the replaced programs that no daemon reported",
                           (unsigned long long)l->prev_skipped);
        if (l->prev_untracked)
                log_notice("%llu processes tracked by the replaced programs are not tracked by these: their "
                           "exits will not be recorded",
                           (unsigned long long)l->prev_untracked);
        if (l->prev_failed_untracked || l->prev_tracked_full)
                log_notice("The replaced programs could not follow %llu failed execs and %llu processes "
                           "(their exits) that no daemon reported",
                           (unsigned long long)l->prev_failed_untracked,
                           (unsigned long long)l->prev_tracked_full);
        d->carry_pending = st->carried_open;
}

/*
 * A fresh start that failed once attached: the replaced pins' account went with them, and the numbers
 * these programs took go with these. Loss records say so, written before the writer stops (with journald
 * away, they are lost with the daemon, as its log says).
 */
static void report_failed_start(struct daemon *d)
{
        const struct ea_daemon_state *st = d->loader.state;
        uint64_t taken = 0;

        if (d->loader.adopted || !st)
                return;
        if (loader_read_seq(&d->loader, &taken) < 0)
                taken = 0;
        if (st->carried_open)
                log_error(
                        "This start failed: %llu events (no_reader), %llu (untracked) and %llu (skipped) of "
                        "the replaced pins, and %llu numbered by these programs, are reported as lost",
                        (unsigned long long)st->carried_no_reader, (unsigned long long)st->carried_untracked,
                        (unsigned long long)st->carried_skipped, (unsigned long long)taken);
        else if (taken)
                /* Nothing carried: no pins were replaced (they keep their account), or theirs was empty. */
                log_error("This start failed: %llu events numbered by these programs are reported as lost "
                          "(no_reader)",
                          (unsigned long long)taken);
        count_carried(d, taken + (st->carried_open ? st->carried_no_reader : 0));
}

/* Adopted pins carrying a replaced account that their daemon did not get into the journal. */
static void report_carried(struct daemon *d)
{
        uint64_t no_reader, untracked, skipped;

        if (!d->loader.adopted)
                return;
        loader_carried(d->loader.state, &no_reader, &untracked, &skipped);
        if (!(no_reader + untracked + skipped))
                return;
        log_notice(
                "The last daemon replaced pins and did not report their account: %llu events (no_reader), "
                "%llu (untracked) and %llu (skipped)",
                (unsigned long long)no_reader, (unsigned long long)untracked, (unsigned long long)skipped);
        if (no_reader)
                writer_count_lost(d->writer, LOST_R_NO_READER, no_reader);
        if (untracked)
                writer_count_lost(d->writer, LOST_R_UNTRACKED, untracked);
        if (skipped)
                writer_count_lost(d->writer, LOST_R_SKIPPED, skipped);
        d->carry_pending = true;
}

static void consume(struct daemon *d)
{
        int r;

        /* Read every CPU's buffer, not only those epoll reports: a wakeup coalesced in the nested epoll
         * would otherwise leave events waiting until that CPU's next event. */
        loader_sample_fill(&d->loader);
        r = perf_buffer__consume(d->loader.pb);
        if (r < 0 && r != -EINTR)
                log_warning_errno(r, "Reading the perf buffers failed");
}

static void after_release(struct daemon *d)
{
        if (d->gap_pending)
                report_gap(d);
        /* After the gap: the mark is stored once it and every loss before it is in the journal. */
        if (d->carry_pending && d->loader.state) {
                d->carry_pending = false;
                if (writer_count_lost_marked(d->writer, LOST_R_NO_READER, 0,
                                             (uint64_t *)&d->loader.state->carried_open, 0) < 0)
                        log_warning(
                                "No mark left for the carried account: the next daemon reports it again");
        }
        if (d->loader.state)
                d->loader.state->alive_usec = clock_usec(CLOCK_REALTIME);
}

static void drain(struct daemon *d)
{
        writer_hold(d->writer);
        consume(d);
        /* Failures counted before the events after them go out: the writer's progress never passes a
         * number whose loss it has not been told of. */
        account_emit_failures(d);
        reorder_release(&d->reorder, clock_usec(CLOCK_MONOTONIC), REORDER_WINDOW_USEC, false, release_event,
                        d);
        after_release(d);
        writer_resume(d->writer);
}

/*
 * The last drain. The programs stay attached, so events go on arriving, and one whose number was taken
 * just before this drain read its CPU's buffer can land there after it while later numbers came from other
 * CPUs. So: the numbers taken so far are read first, and membarrier waits out every program run in
 * progress (they run inside rcu_read_lock(), preemptible only on PREEMPT_RT, and synchronize_rcu() waits
 * for them either way); after it, each of those numbers is in a buffer or its emit failure is counted.
 * Everything held up to them goes out, and what follows without a gap: stop_seq, the last number accounted
 * for. Events after a later gap are written too, and since the next daemon counts every number after
 * stop_seq as no_reader, a few may be both in the journal and in that count, never in neither.
 */
static void drain_at_stop(struct daemon *d)
{
        uint64_t taken = 0, until = clock_usec(CLOCK_MONOTONIC) + REORDER_WINDOW_USEC;

        if (loader_read_seq(&d->loader, &taken) < 0 ||
            syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0) < 0)
                taken = 0; /* no bound: only what follows without a gap is accounted for */
        /* A full heap may let events after taken go out past a number still on its way: neither the
         * writer's progress nor stop_seq may pass that number, or it would be in no account. */
        writer_limit_progress(d->writer, taken);
        reorder_watch_skips(&d->reorder, taken + 1);
        /* A number up to taken still missing now is an emit failure, already counted; it is given the
         * reorder window anyway, as in a running daemon, before the numbers after it go out. */
        for (;;) {
                consume(d);
                reorder_release(&d->reorder, clock_usec(CLOCK_MONOTONIC), UINT64_MAX, false, release_event,
                                d);
                if (d->reorder.next_seq > taken || clock_usec(CLOCK_MONOTONIC) >= until)
                        break;
                usleep(5000);
        }
        loader_refresh_skipped(&d->loader);
        account_emit_failures(d);
        d->stop_seq = reorder_release_through(&d->reorder, taken, release_event, d);
        if (d->reorder.skipped <= d->stop_seq)
                d->stop_seq = d->reorder.skipped - 1;
        /* Written, but not accounted for: a number before them may still be on its way. Their failures
         * are the next daemon's no_reader count. */
        writer_limit_progress(d->writer, d->stop_seq);
        reorder_release(&d->reorder, 0, 0, true, release_event, d);
        after_release(d);
}

/* The map back at the events that wake at the watermark, and the drain timer back to its short interval. */
static void wake(struct daemon *d, uint64_t now_usec, const char *why)
{
        int r = idle_wake(&d->loader.idle);

        /* The waking events still fill the same buffers: nothing is lost, each sample wakes us. */
        if (r < 0 && !d->wake_failed)
                log_warning_errno(r, "Cannot point the perf event array back at the buffers' own events");
        d->wake_failed = r < 0;
        d->active_usec = now_usec;
        r = sd_event_source_set_time(d->drain_timer, now_usec + DRAIN_INTERVAL_USEC);
        if (r >= 0)
                r = sd_event_source_set_enabled(d->drain_timer, SD_EVENT_ONESHOT);
        if (r < 0)
                log_warning_errno(r, "Cannot re-arm the drain timer");
        log_debug("%s after a quiet spell: draining every %u ms again", why, DRAIN_INTERVAL_USEC / 1000);
}

static int on_perf_ready(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        struct daemon *d = userdata;

        (void)s, (void)fd, (void)revents;
        /* Before the drain: what the programs write from now on wakes us at the watermark again. */
        if (d->loader.idle.asleep)
                wake(d, clock_usec(CLOCK_MONOTONIC), "Woken by an event");
        drain(d);
        return 0;
}

/* Nothing the drain timer is needed for at its short interval: no event held for the reorder window, no
 * account to hand over, no configured cgroup to look for (filter_poll_pending() runs at every drain). */
static bool may_sleep(const struct daemon *d)
{
        return idle_usable(&d->loader.idle) && !d->reorder.n && !d->gap_pending && !d->carry_pending &&
               !d->filter.n;
}

static void fall_asleep(struct daemon *d, uint64_t now_usec)
{
        uint64_t seen = d->seen;
        int r = idle_sleep(&d->loader.idle);

        if (r < 0) {
                log_warning_errno(r,
                                  "Cannot point the perf event array at the waking events: draining every "
                                  "%u ms when idle too",
                                  DRAIN_INTERVAL_USEC / 1000);
                idle_close(&d->loader.idle);
                return;
        }
        /* A program run that read the map before the change may still write without waking anybody: as at
         * stop, wait such runs out and read the buffers once more. Should that fail, the next timed drain
         * takes what it wrote. */
        if (syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0) < 0)
                log_debug_errno(-errno, "membarrier() failed");
        drain(d);
        if (d->seen != seen)
                wake(d, now_usec, "Events found by a timed drain");
        else
                log_debug("No events for %u ms: asleep until the next one, draining every %u ms",
                          IDLE_AFTER_USEC / 1000, IDLE_DRAIN_USEC / 1000);
}

static void push_stats(struct daemon *d)
{
        struct daemon_info di = info(d);
        struct writer_stats ws;
        struct ea_stats ks;
        struct record rec;
        int r;

        record_init(&rec);
        writer_get_stats(d->writer, &ws);
        loader_read_stats(&d->loader, &ks);
        r = format_stats(&rec, &di, &ks, &ws, d->loader.buffer_peak, d->loader.ncpu);
        if (d->loader.buffer_peak)
                memset(d->loader.buffer_peak, 0, (size_t)d->loader.ncpu);
        if (r >= 0)
                r = writer_push_record(d->writer, &rec);
        if (r < 0)
                log_warning_errno(r, "Cannot write the stats record");
        record_free(&rec);
}

/* StatsInterval=: a stats record every so often (0: only at stop); a reload may change the interval. */
static int arm_stats_timer(struct daemon *d)
{
        uint64_t usec = (uint64_t)d->cfg.stats_interval_sec * 1000000u;

        if (!usec)
                return sd_event_source_set_enabled(d->stats_timer, SD_EVENT_OFF);
        if (sd_event_source_set_time_relative(d->stats_timer, usec) < 0)
                return -EINVAL;
        return sd_event_source_set_enabled(d->stats_timer, SD_EVENT_ONESHOT);
}

static int on_stats_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct daemon *d = userdata;

        (void)s, (void)usec;
        push_stats(d);
        return arm_stats_timer(d);
}

/* The fingerprint of what the daemon itself put in force (start, reload, cgroups that came and went). */
static void remember_filter(struct daemon *d)
{
        if (filter_fingerprint(&d->loader, &d->filter_fp) < 0)
                log_warning(
                        "Cannot read back the filter maps: changes made behind execauditd's back will not "
                        "be noticed");
}

/* Root can write the pinned filter maps: a change the daemon did not make is recorded, once per change. */
static void check_filter(struct daemon *d)
{
        struct daemon_info di = info(d);
        struct record rec;
        uint64_t fp;
        int r;

        if (filter_fingerprint(&d->loader, &fp) < 0 || fp == d->filter_fp)
                return;
        d->filter_fp = fp;
        log_warning("The filter maps in force were changed outside execauditd");
        record_init(&rec);
        r = format_filter_changed(&rec, &di, d->loader.pin_path);
        if (r >= 0)
                r = writer_push_record(d->writer, &rec);
        if (r < 0)
                log_warning_errno(r, "Cannot queue the filter_changed record");
        record_free(&rec);
}

/* Below the wakeup watermark the kernel does not wake us: this bounds how long a record waits. */
static int on_drain_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct daemon *d = userdata;
        int r;

        drain(d);
        filter_poll_pending(&d->loader, &d->filter, usec, &d->filter_fp);
        if (usec - d->filter_checked_usec >= FILTER_CHECK_USEC) {
                d->filter_checked_usec = usec;
                check_filter(d);
        }
        if (d->seen != d->seen_drained)
                d->active_usec = usec;
        if (d->loader.idle.asleep && (d->seen != d->seen_drained || !may_sleep(d)))
                wake(d, usec, "Events found by a timed drain");
        else if (!d->loader.idle.asleep && usec - d->active_usec >= IDLE_AFTER_USEC && may_sleep(d))
                fall_asleep(d, usec);
        d->seen_drained = d->seen;
        /* Asleep only by choice: a map that could not be pointed back leaves work for the short timer. */
        r = sd_event_source_set_time(
                s, usec + (d->loader.idle.asleep && may_sleep(d) ? IDLE_DRAIN_USEC : DRAIN_INTERVAL_USEC));
        if (r >= 0)
                r = sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
        return r;
}

/* "filter: users 1000-59999; cgroups: all; ..." plus any note, for the started/reloaded records. */
static void lifecycle_with_filter(struct daemon *d, const char *event, const char *note)
{
        struct strbuf sb = STRBUF_INIT;
        int r;

        r = strbuf_puts(&sb, "filter: ");
        if (r >= 0)
                r = config_filter_summary(&d->cfg.filter, filter_cgroup_id, &d->filter, &sb);
        if (r >= 0 && note && *note)
                r = strbuf_printf(&sb, "; %s", note);
        push_lifecycle(d, event, r >= 0 ? sb.buf : note);
        strbuf_free(&sb);
}

/* The new configuration, read and validated, put in force: the BPF maps first, then the daemon's side. */
static int apply_config(struct daemon *d, struct ea_config *next)
{
        struct config_error err;
        const char *note = "";
        int r;

        /* These shape what is already loaded and pinned; they change at the next start, which must not
         * refuse what a reload took: a new PinPath= is judged now, as the start and --check-config would. */
        if (strcmp(next->pin_path, d->cfg.pin_path) != 0) {
                r = loader_check_pin_path(next, &err);
                if (r < 0)
                        return report_config_error(d, &err);
        }
        if (strcmp(next->pin_path, d->cfg.pin_path) != 0 ||
            next->perf_buffer_pages != d->cfg.perf_buffer_pages) {
                note = "PinPath= and PerfBufferPages= changes take effect at restart";
                log_warning("%s", note);
                memcpy(next->pin_path, d->cfg.pin_path, sizeof(next->pin_path));
                next->perf_buffer_pages = d->cfg.perf_buffer_pages;
                r = config_check_maps(next, next->pin_path, &err);
                if (r < 0)
                        return report_config_error(d, &err);
        }
        /* A change made behind our back is reported before the new configuration replaces it. */
        check_filter(d);
        /* Validated as a whole above; applied into the unused slot, then switched to in one step. */
        r = filter_apply(&d->loader, &d->filter, next, d->generation + 1, &err);
        if (r < 0)
                return report_config_error(d, &err);
        d->generation++;
        remember_filter(d);
        if (next->stats_interval_sec != d->cfg.stats_interval_sec) {
                d->cfg.stats_interval_sec = next->stats_interval_sec;
                arm_stats_timer(d);
        }
        d->cfg = *next;
        /* Cgroups or units to look for now: every 100 ms (execauditd.conf(5)), not once a second. */
        if (d->loader.idle.asleep && !may_sleep(d))
                wake(d, clock_usec(CLOCK_MONOTONIC), "Cgroups to look for");
        writer_set_generation(d->writer, d->generation);
        lifecycle_with_filter(d, "reloaded", note);
        log_info("Reloaded %s (generation %u)", d->config_path, d->generation);
        return 0;
}

static void notify_ready(struct daemon *d)
{
        sd_notifyf(0, "READY=1\nSTATUS=Auditing execs (config generation %u)", d->generation);
}

static int on_reload_read(sd_event_source *s, int fd, uint32_t revents, void *userdata);

static void start_reading(struct daemon *d)
{
        int r;

        sd_notifyf(0, "RELOADING=1\nSTATUS=Reloading %s\nMONOTONIC_USEC=%llu", d->config_path,
                   (unsigned long long)clock_usec(CLOCK_MONOTONIC));
        d->readings++;
        r = reload_job_start(&d->reload, d->config_path, &config_system_resolver);
        if (r >= 0)
                r = sd_event_add_io(d->event, &d->reload_source, reload_job_fd(d->reload), EPOLLIN,
                                    on_reload_read, d);
        if (r < 0) {
                log_error_errno(r,
                                "Cannot start reading %s for the reload; the configuration in force stays",
                                d->config_path);
                reload_job_release(d->reload);
                d->reload = NULL;
                reload_waiters_answer(&d->waiters, d->readings, RELOAD_NOT_APPLIED);
                notify_ready(d);
        }
}

static int on_reload_read(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        struct daemon *d = userdata;
        struct ea_config *next = NULL;
        struct config_error err;
        int r;

        (void)s, (void)fd, (void)revents;
        r = reload_job_result(d->reload, &next, &err);
        if (r == -EBUSY)
                return 0;
        d->reload_source = sd_event_source_disable_unref(d->reload_source);
        reload_job_release(d->reload);
        d->reload = NULL;
        if (r < 0)
                report_config_error(d, &err);
        else
                r = apply_config(d, next);
        free(next);
        reload_waiters_answer(&d->waiters, d->readings, r < 0 ? RELOAD_REJECTED : RELOAD_APPLIED);
        notify_ready(d);
        if (d->read_again) {
                d->read_again = false;
                start_reading(d);
        }
        return 0;
}

/* At stop a reading may still wait for a name service: it is not applied, and its callers are told so. */
static void abandon_reload(struct daemon *d)
{
        if (d->reload) {
                log_warning("Stopping while %s is being read: that reload is not applied", d->config_path);
                d->reload_source = sd_event_source_disable_unref(d->reload_source);
                reload_job_release(d->reload);
                d->reload = NULL;
        }
        reload_waiters_done(&d->waiters, RELOAD_NOT_APPLIED);
}

static int on_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
        struct daemon *d = userdata;

        (void)s;
        if (si->ssi_signo == SIGHUP || (int)si->ssi_signo == reload_request_signal()) {
                /* Answered after the next reading that starts from now: the one in progress may have read
                 * the files before the change this caller made. */
                if (reload_is_request(si))
                        reload_waiters_add(&d->waiters, (pid_t)si->ssi_pid, d->readings + 1);
                if (d->reload)
                        d->read_again = true;
                else
                        start_reading(d);
                return 0;
        }
        log_info("Stopping on signal %u", si->ssi_signo);
        sd_notify(0, "STOPPING=1\nSTATUS=Stopping");
        return sd_event_exit(d->event, 0);
}

#define N_SIGNALS 4

/* SIGTERM, SIGINT, SIGHUP and the reload request signal (not a constant: see reloadsig.h). */
static void handled_signals(int sigs[N_SIGNALS])
{
        sigs[0] = SIGTERM;
        sigs[1] = SIGINT;
        sigs[2] = SIGHUP;
        sigs[3] = reload_request_signal();
}

/* Before any thread starts: threads inherit the mask, and a signal must only ever reach the signalfd. */
static int block_signals(void)
{
        int sigs[N_SIGNALS];
        sigset_t mask;

        handled_signals(sigs);
        sigemptyset(&mask);
        for (size_t i = 0; i < N_SIGNALS; i++)
                sigaddset(&mask, sigs[i]);
        if (pthread_sigmask(SIG_BLOCK, &mask, NULL) != 0)
                return log_error_errno(-EINVAL, "Cannot block signals");
        return 0;
}

static int setup_loop(struct daemon *d)
{
        int sigs[N_SIGNALS];
        int r;

        handled_signals(sigs);
        r = sd_event_default(&d->event);
        if (r < 0)
                return log_error_errno(r, "Cannot create the event loop");
        for (size_t i = 0; i < N_SIGNALS; i++) {
                r = sd_event_add_signal(d->event, NULL, sigs[i], on_signal, d);
                if (r < 0)
                        return log_error_errno(r, "Cannot watch signal %d", sigs[i]);
        }
        r = sd_event_add_io(d->event, NULL, perf_buffer__epoll_fd(d->loader.pb), EPOLLIN, on_perf_ready, d);
        if (r < 0)
                return log_error_errno(r, "Cannot watch the perf buffers");
        d->active_usec = clock_usec(CLOCK_MONOTONIC);
        r = sd_event_add_time_relative(d->event, &d->drain_timer, CLOCK_MONOTONIC, DRAIN_INTERVAL_USEC,
                                       10 * 1000, on_drain_timer, d);
        if (r < 0)
                return log_error_errno(r, "Cannot set up the drain timer");
        r = sd_event_add_time_relative(d->event, &d->stats_timer, CLOCK_MONOTONIC, UINT64_MAX / 2,
                                       1000 * 1000, on_stats_timer, d);
        if (r >= 0)
                r = arm_stats_timer(d);
        if (r < 0)
                return log_error_errno(r, "Cannot set up the stats timer");
        r = sd_event_set_watchdog(d->event, 1);
        if (r < 0)
                return log_error_errno(r, "Cannot set up the watchdog");
        return 0;
}

/* How this daemon came by its programs: the started record says it. */
static void pins_note(const struct daemon *d, char *buf, size_t n)
{
        const struct loader *l = &d->loader;

        if (l->adopted)
                snprintf(buf, n, "adopted the programs pinned in %.400s (attached since an earlier start)",
                         l->pin_path);
        else if (l->prev_layout)
                snprintf(buf, n, "loaded new programs; replaced the pins of layout %u in %.400s",
                         l->prev_layout, l->pin_path);
        else
                snprintf(buf, n, "loaded new programs, pinned in %.400s", l->pin_path);
}

static void stopping_detail(struct daemon *d, char *buf, size_t n)
{
        struct ea_stats ks;
        struct writer_stats ws;

        writer_get_stats(d->writer, &ws);
        loader_read_stats(&d->loader, &ks);
        snprintf(buf, n,
                 "last sequence number %llu; %llu events emitted by the kernel, %llu failed to emit, %llu "
                 "records written so far; the programs stay attached through their pins and count what no "
                 "daemon reads (execauditd --remove-pins detaches them)",
                 (unsigned long long)d->last_seq, (unsigned long long)ks.n[EA_STAT_EMITTED],
                 (unsigned long long)(ks.n[EA_STAT_EMIT_ENOENT] + ks.n[EA_STAT_EMIT_ENOSPC] +
                                      ks.n[EA_STAT_EMIT_E2BIG] + ks.n[EA_STAT_EMIT_OTHER]),
                 (unsigned long long)ws.written);
}

int daemon_run(const char *config_path)
{
        struct daemon d = {.config_path = config_path, .generation = 1};
        uint64_t first;
        bool all_reported;
        struct config_error err;
        char detail[512];
        int r;

        r = loader_check_system();
        if (r < 0)
                return r;
        r = config_load(config_path, &d.cfg, &err);
        if (r < 0)
                return report_config_error(&d, &err);
        r = loader_check_pin_path(&d.cfg, &err);
        if (r < 0)
                return report_config_error(&d, &err);
        r = loader_mount_filesystems(&d.cfg);
        if (r < 0)
                return r;
        r = block_signals();
        if (r < 0)
                return r;
        if (access(JOURNAL_SOCKET, F_OK) < 0)
                log_error("journald's socket %s is missing: records will be counted as lost until journald "
                          "runs",
                          JOURNAL_SOCKET);
        r = writer_start(&d.writer, JOURNAL_SOCKET, WRITER_MAX_QUEUED, WRITER_MAX_QUEUED_BYTES);
        if (r < 0)
                return log_error_errno(r, "Cannot start the journal writer");
        writer_set_generation(d.writer, d.generation);
        r = loader_load(&d.loader, &d.cfg);
        if (r < 0)
                goto out_writer;
        d.ncpu = d.loader.ncpu;
        d.assembly = calloc((size_t)d.ncpu, sizeof(*d.assembly));
        if (!d.assembly) {
                r = log_error_errno(-ENOMEM, "Cannot allocate the argv assemblies");
                goto out_loader;
        }
        filter_state_init(&d.filter);
        r = filter_apply(&d.loader, &d.filter, &d.cfg, d.generation, &err);
        if (r < 0) {
                report_config_error(&d, &err);
                goto out_loader;
        }
        remember_filter(&d);
        r = loader_open_perf_buffer(&d.loader, d.cfg.perf_buffer_pages, on_sample, on_lost, &d);
        if (r < 0)
                goto out_loader;
        r = setup_loop(&d);
        if (r < 0)
                goto out_loader;
        r = loader_attach(&d.loader);
        if (r < 0) {
                report_failed_start(&d);
                goto out_loader;
        }
        /* CAP_SYS_ADMIN was for perf_event_open(2) alone (Debian's perf_event_paranoid=3, see the unit): the
         * buffers are open and the programs attached. Without CAP_BPF it would still write the filter maps.
         * Hardening, not function: a filter that refuses capset(2) leaves it held, and the log says so. */
        if (caps_have(CAP_BPF) && caps_have(CAP_PERFMON)) {
                r = caps_drop(CAP_SYS_ADMIN);
                if (r < 0)
                        log_warning_errno(r, "Cannot give up CAP_SYS_ADMIN, so it is kept");
        }
        /* CAP_IPC_LOCK mapped the buffers beyond RLIMIT_MEMLOCK (see the unit); nothing is mapped again. */
        r = caps_drop(CAP_IPC_LOCK);
        if (r < 0)
                log_warning_errno(r, "Cannot give up CAP_IPC_LOCK, so it is kept");
        /* Buffers open and programs attached: from here on every number arrives or is counted. */
        r = start_numbering(&d, &first);
        if (r >= 0)
                r = reorder_init(&d.reorder, REORDER_MAX_EVENTS, REORDER_MAX_BYTES, first);
        if (r < 0) {
                log_error_errno(r, "Cannot allocate the reorder buffer");
                goto out_loader;
        }
        report_replaced_untracked(&d);
        report_carried(&d);
        d.loader.state->started_usec = clock_usec(CLOCK_REALTIME);
        d.loader.state->restarts += d.loader.adopted;
        writer_set_progress(d.writer, (uint64_t *)&d.loader.state->handled_seq);
        writer_set_cgroups_gone(d.writer, loader_cgroups_gone_fd(&d.loader));

        pins_note(&d, detail, sizeof(detail));
        lifecycle_with_filter(&d, "started", detail);
        log_info("Auditing execs; records: journalctl -t execauditd _UID=0 (as a service: journalctl -u "
                 "execauditd)");
        notify_ready(&d);

        r = sd_event_loop(d.event);
        if (r < 0)
                log_error_errno(r, "Event loop failed");
        abandon_reload(&d);
        /* What the kernel already handed over is still written. The programs stay attached (their pins
         * keep them) and count what no reader takes: the next daemon reports it. */
        drain_at_stop(&d);
        push_stats(&d);
        /* The stopping record's EXEC_SEQ closes this daemon's account. */
        d.last_seq = d.stop_seq;
        stopping_detail(&d, detail, sizeof(detail));
        push_lifecycle(&d, "stopping", detail);
out_loader:
        /* The writer goes first: its progress is written into the pinned daemon state until the end. */
        for (int i = 0; d.assembly && i < d.ncpu; i++)
                assembly_free(&d.assembly[i]);
        free(d.assembly);
        reorder_done(&d.reorder, writer_event_free);
        all_reported = writer_stop(d.writer);
        d.writer = NULL;
        /* Every number up to stop_seq is written or its loss reported, the gap's too: the next daemon
         * starts after it even when none of them was an event to write. */
        if (d.stop_seq && d.loader.state && all_reported && d.loader.state->handled_seq < d.stop_seq)
                d.loader.state->handled_seq = d.stop_seq;
        loader_close(&d.loader, false);
        d.drain_timer = sd_event_source_disable_unref(d.drain_timer);
        d.stats_timer = sd_event_source_disable_unref(d.stats_timer);
        sd_event_unref(d.event);
        return r < 0 ? r : 0;
out_writer:
        writer_stop(d.writer);
        sd_event_unref(d.event);
        return r < 0 ? r : 0;
}

int daemon_check_config(const char *config_path, FILE *out)
{
        struct ea_config *cfg = malloc(sizeof(*cfg));
        struct filter_state *fs = malloc(sizeof(*fs));
        struct config_error err;
        struct strbuf sb = STRBUF_INIT;
        int r = -ENOMEM;

        if (!cfg || !fs)
                goto out;
        r = config_load(config_path, cfg, &err);
        if (r >= 0)
                r = loader_check_pin_path(cfg, &err);
        if (r < 0) {
                log_config_error("", &err);
                goto out;
        }
        filter_state_init(fs);
        filter_resolve_only(fs, cfg);
        r = config_format(cfg, &sb);
        if (r >= 0)
                r = strbuf_puts(&sb, "# filter: ");
        if (r >= 0)
                r = config_filter_summary(&cfg->filter, filter_cgroup_id, fs, &sb);
        if (r >= 0)
                r = strbuf_putc(&sb, '\n');
        if (r >= 0)
                fputs(sb.buf, out);
out:
        strbuf_free(&sb);
        free(fs);
        free(cfg);
        return r;
}

// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <linux/types.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#include "config.h"
#include "daemon.h"
#include "execaudit.h"
#include "format.h"
#include "journal.h"
#include "loader.h"
#include "log.h"
#include "pinlock.h"
#include "record.h"
#include "status.h"
#include "time-util.h"
#include "writer.h"

/* --status and --remove-pins want PinPath= alone: no name or namespace is looked up, so a user deleted
 * since, a namespace gone, or a name service that hangs does not keep them from the pins. */
static int any_uid(const char *name, uint32_t *uid)
{
        (void)name;
        *uid = 0;
        return 0;
}

static int any_inode(const char *path, uint64_t *inode)
{
        (void)path;
        *inode = 1;
        return 0;
}

static const struct config_resolver pin_path_only = {any_uid, any_inode};

static int pin_path_of(const char *config_path, char *out, size_t n)
{
        struct ea_config cfg;
        struct config_error err;
        int r = config_load_with(config_path, &pin_path_only, &cfg, &err);

        if (r < 0) {
                log_config_error("", &err);
                return r;
        }
        snprintf(out, n, "%s", cfg.pin_path);
        return 0;
}

static void print_time(FILE *out, const char *name, uint64_t usec)
{
        time_t t = (time_t)(usec / 1000000);
        struct tm tm;
        char buf[64] = "never";

        if (usec && gmtime_r(&t, &tm))
                strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S UTC", &tm);
        fprintf(out, "%-20s %s\n", name, buf);
}

int daemon_status(const char *config_path, FILE *out)
{
        static const struct {
                const char *name;
                enum ea_stat stat;
        } counters[] = {
                {"execs", EA_STAT_EXEC},
                {"execs_failed", EA_STAT_EXEC_FAILED},
                {"exits", EA_STAT_EXIT},
                {"filtered", EA_STAT_FILTERED},
                {"emitted", EA_STAT_EMITTED},
                {"lost_perf_buffer", EA_STAT_EMIT_ENOSPC},
                {"lost_no_reader", EA_STAT_EMIT_ENOENT},
                {"lost_emit_error", EA_STAT_EMIT_E2BIG},
                {"lost_emit_other", EA_STAT_EMIT_OTHER},
                {"inflight_full", EA_STAT_INFLIGHT_FULL},
                {"tracked_full", EA_STAT_TRACKED_FULL},
                {"args_read_failed", EA_STAT_ARGS_READ_FAIL},
                {"args_pieces_lost", EA_STAT_ARGS_CHUNK_LOST},
                {"failed_untracked", EA_STAT_FAILED_UNTRACKED},
                {"skipped", EA_STAT_SKIPPED},
        };
        struct ea_pin_version v;
        struct ea_daemon_state st;
        struct ea_stats sum;
        char pin_path[PATH_MAX];
        uint64_t seq, failed, tracked_full, skipped, c_no_reader, c_untracked, c_skipped;
        pid_t holder;
        int links = 0, r;

        r = pin_path_of(config_path, pin_path, sizeof(pin_path));
        if (r < 0)
                return r;
        r = loader_read_pinned(pin_path, &v, &st, &seq, &sum, &links);
        if (r < 0) {
                log_error("No execauditd pins readable in %s: %s", pin_path, strerror(-r));
                return r;
        }
        fprintf(out, "%-20s %s\n", "pin_path", pin_path);
        fprintf(out, "%-20s %u%s\n", "layout", v.layout_version,
                v.layout_version == EA_LAYOUT_VERSION ? "" : " (not this daemon's)");
        fprintf(out, "%-20s %d\n", "links_pinned", links);
        holder = pinlock_holder(pin_path);
        if (holder > 0)
                fprintf(out, "%-20s %d\n", "daemon_pid", (int)holder);
        else
                fprintf(out, "%-20s %s\n", "daemon_pid", pinlock_held(pin_path) != 0 ? "unknown" : "none");
        fprintf(out, "%-20s %llu\n", "seq", (unsigned long long)seq);
        fprintf(out, "%-20s %llu\n", "handled_seq", (unsigned long long)st.handled_seq);
        fprintf(out, "%-20s %llu\n", "unhandled",
                (unsigned long long)(seq > st.handled_seq ? seq - st.handled_seq : 0));
        loader_unreported(&sum, &st, &failed, &tracked_full, &skipped);
        /* Layout 3 kept no marks: everything would look unreported. */
        if (v.layout_version >= 4)
                fprintf(out, "%-20s %llu\n", "untracked_unreported",
                        (unsigned long long)(failed + tracked_full));
        /* Before layout 5 no daemon reported skipped runs: all of them are unreported. */
        fprintf(out, "%-20s %llu\n", "skipped_unreported", (unsigned long long)skipped);
        loader_carried(&st, &c_no_reader, &c_untracked, &c_skipped);
        fprintf(out, "%-20s %llu\n", "carried_unreported",
                (unsigned long long)(c_no_reader + c_untracked + c_skipped));
        print_time(out, "daemon_started", st.started_usec);
        print_time(out, "daemon_alive", st.alive_usec);
        fprintf(out, "%-20s %llu\n", "restarts", (unsigned long long)st.restarts);
        for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++)
                fprintf(out, "%-20s %llu\n", counters[i].name, (unsigned long long)sum.n[counters[i].stat]);
        return 0;
}

static int send_lost(struct journal *j, struct record *rec, const struct daemon_info *di, const char *reason,
                     uint64_t count)
{
        int r = format_lost(rec, di, reason, count);

        return r < 0 ? r : journal_send_record(j, rec);
}

/* What is in the journal is marked so in the pinned state at once: when a later record does not get in,
 * the pins stay, and whoever reports them next does not report it again. Unmarked, it would only be
 * reported twice then: the next records are still sent. */
static void mark_reported(const char *pin_path, const struct ea_daemon_state *st)
{
        int r = loader_write_pinned_state(pin_path, st);

        if (r < 0)
                log_warning_errno(r,
                                  "Cannot mark the loss records written in the pinned state %s/daemon_state",
                                  pin_path);
}

/*
 * What the pins hold that no loss record reported yet (events numbered after the last daemon's progress,
 * counts without numbers beyond their marks) goes to the journal before they go, as the next daemon would
 * have reported it. 0 when there was nothing, or it is in the journal; else the pins must stay.
 */
static int report_unhandled(const char *pin_path, uint64_t skipped_runs)
{
        struct ea_pin_version v;
        struct ea_daemon_state st;
        struct ea_stats sum;
        struct daemon_info di = {.realtime_usec = clock_usec(CLOCK_REALTIME)};
        struct record rec;
        struct journal j;
        uint64_t seq, failed, tracked_full, skipped, untracked, unhandled, c_no_reader, c_untracked,
                c_skipped;
        int links = 0, r = loader_read_pinned(pin_path, &v, &st, &seq, &sum, &links);

        if (r < 0) {
                log_notice("The pins in %s are not readable (%s): what they did not report is not known",
                           pin_path, strerror(-r));
                return 0;
        }
        /* The programs are detached: their skipped runs were read as they went. */
        sum.n[EA_STAT_SKIPPED] += skipped_runs;
        loader_unreported(&sum, &st, &failed, &tracked_full, &skipped);
        untracked = v.layout_version >= 4 ? failed + tracked_full : 0;
        unhandled = seq > st.handled_seq ? seq - st.handled_seq : 0;
        loader_carried(&st, &c_no_reader, &c_untracked, &c_skipped);
        untracked += c_untracked;
        skipped += c_skipped;
        if (!unhandled && !c_no_reader && !untracked && !skipped)
                return 0;
        record_init(&rec);
        journal_init(&j, JOURNAL_SOCKET);
        /* A journald that takes nothing is waited for JOURNAL_STOP_WAIT_SEC, not for good: the pins stay. */
        journal_stopping(&j);
        di.seq = seq;
        r = 0;
        if (unhandled) {
                r = format_lost_range(&rec, &di, LOST_NO_READER, unhandled,
                                      v.layout_version == EA_LAYOUT_VERSION ? st.handled_seq + 1 : 0,
                                      v.layout_version == EA_LAYOUT_VERSION ? seq : 0, st.alive_usec,
                                      di.realtime_usec);
                if (r >= 0)
                        r = journal_send_record(&j, &rec);
                if (r >= 0) {
                        st.handled_seq = seq;
                        mark_reported(pin_path, &st);
                }
        }
        /* A gap in the numbering of pins these replaced: no range here. */
        if (r >= 0 && c_no_reader) {
                r = send_lost(&j, &rec, &di, LOST_NO_READER, c_no_reader);
                if (r >= 0) {
                        st.carried_no_reader = 0;
                        mark_reported(pin_path, &st);
                }
        }
        if (r >= 0 && untracked) {
                r = send_lost(&j, &rec, &di, LOST_UNTRACKED, untracked);
                if (r >= 0) {
                        st.failed_untracked_reported += failed;
                        st.tracked_full_reported += tracked_full;
                        st.carried_untracked = 0;
                        mark_reported(pin_path, &st);
                }
        }
        /* The last: once it is in, the pins go, and with them the skipped runs of the detached programs. */
        if (r >= 0 && skipped)
                r = send_lost(&j, &rec, &di, LOST_SKIPPED, skipped);
        journal_finish(&j);
        record_free(&rec);
        if (r < 0 && skipped_runs && loader_keep_skipped(pin_path, skipped_runs) < 0)
                log_error("The %llu skipped runs of the programs detached cannot be kept with the pins: the "
                          "next daemon will not report them",
                          (unsigned long long)skipped_runs);
        if (r < 0)
                return log_error_errno(
                        r,
                        "The pins in %s hold %llu events no daemon handled, %llu untracked and %llu "
                        "skipped ones, and their loss cannot be written to the journal: the programs are "
                        "detached, the maps kept, for the next daemon to report them",
                        pin_path, (unsigned long long)(unhandled + c_no_reader),
                        (unsigned long long)untracked, (unsigned long long)skipped);
        log_warning("Lost %llu events (no_reader), %llu (untracked) and %llu (skipped) that no daemon "
                    "reported: recorded",
                    (unsigned long long)(unhandled + c_no_reader), (unsigned long long)untracked,
                    (unsigned long long)skipped);
        return 0;
}

int daemon_remove_pins(const char *config_path)
{
        char pin_path[PATH_MAX], who[64];
        uint64_t skipped = 0;
        int r = pin_path_of(config_path, pin_path, sizeof(pin_path)), fd;

        if (r < 0)
                return r;
        fd = pinlock_take(pin_path, false, NULL);
        if (fd == -ENOENT) {
                log_info("No pins in %s: nothing to remove", pin_path);
                return 0;
        }
        if (fd == -EBUSY) {
                pinlock_holder_name(pin_path, who, sizeof(who));
                log_error("execauditd (%s) is running with PinPath=%s: stop it first (systemctl stop "
                          "execauditd), then remove the pins",
                          who, pin_path);
                return fd;
        }
        if (fd < 0)
                return log_error_errno(fd, "Cannot lock %s", pin_path);
        /* Detached first: every number the programs took is then in the pinned seq, and reported. */
        r = loader_detach_pinned(pin_path, &skipped);
        if (r < 0) {
                close(fd);
                return r == -EMEDIUMTYPE || r == -ENOTEMPTY
                               ? r
                               : log_error_errno(r, "Cannot detach the programs pinned in %s", pin_path);
        }
        r = report_unhandled(pin_path, skipped);
        if (r < 0) {
                close(fd);
                return r;
        }
        r = loader_remove_pins(pin_path);
        close(fd);
        if (r < 0)
                return log_error_errno(r, "Cannot remove the pins in %s", pin_path);
        log_info("Removed %s: the programs pinned there are detached", pin_path);
        return 0;
}

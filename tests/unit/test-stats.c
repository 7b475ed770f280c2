// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit test for format_stats(): every counter lands in its field, every field name is one journald keeps,
 * and MESSAGE sums the losses. And loader_unreported(): what the counters without sequence numbers grew
 * beyond the marks the pinned daemon state keeps. And loader_sum_stats(): the CPUs' elements of the
 * "stats" map added up, slot by slot.
 */
#include <string.h>

#include "check.h"
#include "execaudit.h"
#include "format.h"
#include "loader.h"
#include "writer.h"

static const char *get(const struct record *r, const char *name)
{
        static char buf[256];
        size_t len;
        const char *v = record_get(r, name, &len);

        if (!v || len >= sizeof(buf))
                return "(missing)";
        memcpy(buf, v, len);
        buf[len] = '\0';
        return buf;
}

int main(void)
{
        struct daemon_info d = {.seq = 77, .generation = 3, .realtime_usec = 1234};
        struct ea_stats ks = {0};
        struct writer_stats ws = {0};
        struct record r;

        ks.n[EA_STAT_EXEC] = 10;
        ks.n[EA_STAT_EXEC_FAILED] = 2;
        ks.n[EA_STAT_EXIT] = 9;
        ks.n[EA_STAT_FILTERED] = 4;
        ks.n[EA_STAT_EMITTED] = 17;
        ks.n[EA_STAT_SKIPPED] = 3;
        ws.written = 20;
        ws.lost[LOST_R_PERF_BUFFER] = 5;
        ws.lost[LOST_R_JOURNALD_UNAVAILABLE] = 1;
        ws.lost[LOST_R_SKIPPED] = 2;
        ws.queue_high = 33;

        record_init(&r);
        set_case("stats record");
        CHECK_NUM(format_stats(&r, &d, &ks, &ws, (const uint8_t[]){12, 0, 100}, 3), 0);
        CHECK_STR(get(&r, "EXEC_STATS_BUFFER_PEAK"), "12 0 100");
        CHECK_STR(get(&r, "EXEC_STATS_BUFFER_PEAK_MAX"), "100");
        CHECK_STR(get(&r, "MESSAGE_ID"), MID_STATS);
        CHECK_STR(get(&r, "EXEC_EVENT"), "stats");
        CHECK_STR(get(&r, "EXEC_SEQ"), "77");
        CHECK_STR(get(&r, "EXEC_CONFIG_GENERATION"), "3");
        CHECK_STR(get(&r, "EXEC_STATS_EXECS"), "10");
        CHECK_STR(get(&r, "EXEC_STATS_EXECS_FAILED"), "2");
        CHECK_STR(get(&r, "EXEC_STATS_EXITS"), "9");
        CHECK_STR(get(&r, "EXEC_STATS_FILTERED"), "4");
        CHECK_STR(get(&r, "EXEC_STATS_EMITTED"), "17");
        CHECK_STR(get(&r, "EXEC_STATS_WRITTEN"), "20");
        CHECK_STR(get(&r, "EXEC_STATS_LOST_PERF_BUFFER"), "5");
        CHECK_STR(get(&r, "EXEC_STATS_LOST_JOURNALD_UNAVAILABLE"), "1");
        CHECK_STR(get(&r, "EXEC_STATS_LOST_JOURNAL"), "0");
        CHECK_STR(get(&r, "EXEC_STATS_LOST_NO_READER"), "0");
        CHECK_STR(get(&r, "EXEC_STATS_SKIPPED"), "3");
        CHECK_STR(get(&r, "EXEC_STATS_LOST_SKIPPED"), "2");
        CHECK_STR(get(&r, "EXEC_STATS_QUEUE_HIGH"), "33");
        CHECK_STR(get(&r, "MESSAGE"),
                  "stats: 10 execs (2 failed), 9 exits, 4 left out by the filter, 17 events "
                  "emitted, 20 records written, 8 lost");
        for (unsigned i = 0; i < r.n; i++) {
                struct record_field f = record_field(&r, i);

                CHECK(journal_field_name_valid(f.name, f.name_len));
        }
        record_free(&r);

        set_case("unreported beyond the marks");
        {
                struct ea_daemon_state st = {
                        .failed_untracked_reported = 4, .tracked_full_reported = 9, .skipped_reported = 5};
                uint64_t failed, full, skipped;

                ks.n[EA_STAT_FAILED_UNTRACKED] = 6;
                ks.n[EA_STAT_TRACKED_FULL] = 9;
                ks.n[EA_STAT_SKIPPED] = 12;
                loader_unreported(&ks, &st, &failed, &full, &skipped);
                CHECK_NUM(failed, 2);
                CHECK_NUM(full, 0);
                CHECK_NUM(skipped, 7);
                /* A count below its mark is no loss, not an underflow. */
                ks.n[EA_STAT_SKIPPED] = 1;
                loader_unreported(&ks, &st, &failed, &full, &skipped);
                CHECK_NUM(skipped, 0);
        }

        set_case("the CPUs' counters summed");
        {
                struct ea_stats cpus[3] = {0}, sum = {0};

                /* A value per CPU and slot, each slot's sum its own (6 << 4 * slot): no slot taken for
                 * another, all 64 bits kept. */
                for (int c = 0; c < 3; c++)
                        for (int i = 0; i < EA_STAT_SLOTS; i++)
                                cpus[c].n[i] = (uint64_t)(c + 1) << (4 * i);
                loader_sum_stats(cpus, 3, &sum);
                for (int i = 0; i < EA_STAT_SLOTS; i++)
                        CHECK_NUM(sum.n[i], (uint64_t)6 << (4 * i));
                /* Added to what sum holds: a pinned map's keys are looked up and added one by one. */
                loader_sum_stats(&cpus[1], 1, &sum);
                CHECK_NUM(sum.n[EA_STAT_EXEC], 6 * 16 + 2 * 16);
                loader_sum_stats(NULL, 0, &sum);
                CHECK_NUM(sum.n[EA_STAT_EXEC_ENTER], 8);
        }
        return check_summary("test-stats");
}

/*
 * Unit test for daemon/writer.c: the account it keeps with the next daemon. writer_stop() says whether
 * every loss was reported (the daemon then moves the pinned handled_seq to its stop_seq), also when the
 * writer had already written everything and was idle when the stop came; and a progress limit set while
 * the writer waited for journald bounds the progress of the batch it takes after the wait; marks for kernel
 * counters without sequence numbers are stored only once their loss is reported. journald is a
 * datagram socket this test binds in a temporary directory, as in test-journal.c. What is pushed while
 * the writer is held goes out together once it resumes. The batch being written counts against the
 * queue's bound while journald takes nothing, and daemon records have a bound of their own. A journald
 * that refuses every batch is warned of once. A gap announced at the start holds the progress back until
 * it is reported.
 */
#include "writer.h"
#include "check.h"
#include "listener.h"
#include "execaudit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* Waits (10 s at most: a failure, not a timing check) until the writer's stats say *field >= want. */
static int wait_stat(struct writer *w, size_t offset, uint64_t want)
{
        for (int i = 0; i < 10000; i++) {
                struct writer_stats ws;
                uint64_t v;

                writer_get_stats(w, &ws);
                memcpy(&v, (char *)&ws + offset, sizeof(v));
                if (v >= want)
                        return 0;
                usleep(1000);
        }
        FAIL("the writer's stats never reached %llu (offset %zu)", (unsigned long long)want, offset);
        return -ETIMEDOUT;
}

/* A writer of 16 queue places sending to a listener it has at dir/name (path, 256 bytes); NULL on failure.
 */
static struct writer *start_listened(const char *dir, const char *name, char *path, int *l)
{
        struct writer *w = NULL;

        snprintf(path, 256, "%s/%s", dir, name);
        *l = bind_listener(path);
        if (*l < 0)
                return NULL;
        CHECK_RC(writer_start(&w, path, 16, 1 << 20), 0);
        if (!w)
                close(*l);
        return w;
}

#define WRITTEN        offsetof(struct writer_stats, written)
#define LOST(r)        (offsetof(struct writer_stats, lost) + (r) * sizeof(uint64_t))
#define HAS(buf, text) (memmem((buf), sizeof(buf), (text), sizeof(text) - 1) != NULL)

/* The gap's record written, then nothing to do: the stop finds the writer idle, and all is reported. */
static void test_idle_at_stop(const char *dir)
{
        struct writer_gap gap = {
                .count = 3, .first_seq = 5, .last_seq = 7, .since_usec = 1, .until_usec = 2};
        char path[256], buf[8192] = "";
        struct writer *w = NULL;
        uint64_t handled = 4;
        int l;

        w = start_listened(dir, "idle", path, &l);
        if (!w)
                return;
        writer_set_progress(w, &handled);
        writer_report_gap(w, &gap);
        /* written is counted under the lock the writer holds from then until it waits for work. */
        wait_stat(w, WRITTEN, 1);
        CHECK(recv(l, buf, sizeof(buf) - 1, MSG_DONTWAIT) > 0);
        CHECK_WHY(HAS(buf, "EXEC_LOST=3\n") && HAS(buf, "EXEC_LOST_REASON=no_reader\n"), "the gap's record");
        CHECK_WHY(writer_stop(w), "an idle writer at the stop has reported everything");
        close(l);
        unlink(path);
}

/* journald away: a loss stays unreported and the stop says so. */
static void test_unreported_at_stop(const char *dir)
{
        struct writer *w = NULL;
        char path[256];

        snprintf(path, sizeof(path), "%s/missing", dir);
        CHECK_RC(writer_start(&w, path, 16, 1 << 20), 0);
        if (!w)
                return;
        writer_count_lost(w, LOST_R_PERF_BUFFER, 2);
        wait_stat(w, LOST(LOST_R_PERF_BUFFER), 2);
        CHECK_WHY(!writer_stop(w), "a loss journald never took is not reported");
}

/* An exit event numbered seq, pushed. */
static int push_exit(struct writer *w, uint64_t seq)
{
        struct ea_exit *ev = writer_event_alloc(sizeof(*ev));

        if (!ev) {
                FAIL("no memory");
                return -ENOMEM;
        }
        memset(ev, 0, sizeof(*ev));
        ev->hdr = (struct ea_header){.type = EA_EV_EXIT,
                                     .version = EA_LAYOUT_VERSION,
                                     .size = sizeof(*ev),
                                     .seq = seq,
                                     .config_generation = 1};
        ev->proc.pid = ev->proc.tid = 4242;
        memcpy(ev->proc.comm, "late", 5);
        writer_push_event(w, ev);
        return 0;
}

/*
 * A journald that refuses every batch (a socket file nobody listens on) gets one warning on standard error,
 * not one per batch: under systemd that is a stream to the same journald, and a line per batch filled it
 * and blocked the writer.
 */
static void test_one_warning_per_error(const char *dir)
{
        int err[2], saved = dup(2), l, lines = 0;
        char path[256], buf[16384];
        struct writer *w = NULL;
        ssize_t n;

        snprintf(path, sizeof(path), "%s/refusing", dir);
        l = bind_listener(path);
        if (l < 0 || saved < 0 || pipe2(err, O_NONBLOCK) < 0) {
                FAIL("setup: %m");
                return;
        }
        close(l); /* the file stays: connections are refused */
        fflush(stderr);
        dup2(err[1], 2);
        CHECK_RC(writer_start(&w, path, 16, 1 << 20), 0);
        for (uint64_t i = 1; w && i <= 20; i++) {
                if (push_exit(w, i) < 0)
                        break;
                wait_stat(w, LOST(LOST_R_JOURNALD_UNAVAILABLE), i); /* one batch each */
        }
        if (w)
                writer_stop(w);
        fflush(stderr);
        dup2(saved, 2);
        close(saved);
        close(err[1]);
        n = read(err[0], buf, sizeof(buf) - 1);
        close(err[0]);
        buf[n > 0 ? n : 0] = '\0';
        for (char *p = buf; (p = strstr(p, "Writing records to the journal failed")); p++)
                lines++;
        CHECK_NUM(lines, 1);
        unlink(path);
}

/* The limit a stop sets while the writer waits to report a loss bounds the batch taken after the wait. */
static void test_limit_set_during_the_wait(const char *dir)
{
        struct writer *w = NULL;
        uint64_t handled = 0;
        char path[256];
        int l;

        snprintf(path, sizeof(path), "%s/late", dir);
        CHECK_RC(writer_start(&w, path, 16, 1 << 20), 0);
        if (!w)
                return;
        writer_set_progress(w, &handled);
        writer_count_lost(w, LOST_R_PERF_BUFFER, 1);
        wait_stat(w, LOST(LOST_R_PERF_BUFFER), 1);
        usleep(100 * 1000); /* into its one-second wait for journald (the check holds without it too) */
        writer_limit_progress(w, 10);
        l = bind_listener(path);
        if (l < 0 || push_exit(w, 12) < 0) {
                writer_stop(w);
                if (l >= 0)
                        close(l);
                return;
        }
        wait_stat(w, WRITTEN, 2); /* the exit record and the loss record */
        CHECK_WHY(writer_stop(w), "both written");
        CHECK_NUM(handled, 10);
        close(l);
        unlink(path);
}

/*
 * A start with a gap to report: events of its first drains may be written before the gap is handed over,
 * and the progress must not pass the gap's start until it is (a crash in between lost the gap's account).
 * Once it is, the progress is what was written, the events before the report included.
 */
static void test_gap_ahead(const char *dir)
{
        struct writer_gap gap = {
                .count = 3, .first_seq = 5, .last_seq = 7, .since_usec = 1, .until_usec = 2};
        struct writer *w = NULL;
        uint64_t handled = 4;
        char path[256];
        int l;

        w = start_listened(dir, "ahead", path, &l);
        if (!w)
                return;
        writer_set_progress(w, &handled);
        writer_gap_ahead(w, 5);
        for (uint64_t seq = 8; seq <= 10; seq++)
                if (push_exit(w, seq) < 0)
                        goto out;
        wait_stat(w, WRITTEN, 3);
        CHECK_NUM(__atomic_load_n(&handled, __ATOMIC_RELAXED), 4);
        writer_report_gap(w, &gap);
        wait_stat(w, WRITTEN, 4);
        CHECK_WHY(writer_stop(w), "the gap and the events written");
        w = NULL;
        CHECK_NUM(handled, 10);
out:
        if (w)
                writer_stop(w);
        close(l);
        unlink(path);
}

static int count_entries(const char *buf, size_t len)
{
        int n = 0;

        for (const char *p = buf; (p = memmem(p, len - (size_t)(p - buf), "MESSAGE_ID=", 11)); p++)
                n++;
        return n;
}

/* Events pushed while held go out together after the resume, in one datagram; a queue half full is
 * written without waiting for the resume. */
static void test_hold(const char *dir)
{
        struct writer *w = NULL;
        struct writer_stats ws;
        char path[256], buf[65536];
        ssize_t k;
        int l;

        w = start_listened(dir, "hold", path, &l);
        if (!w)
                return;
        writer_hold(w);
        for (uint64_t seq = 1; seq <= 3; seq++)
                push_exit(w, seq);
        usleep(100 * 1000); /* a writer woken by a push would have written by now */
        writer_get_stats(w, &ws);
        CHECK_NUM(ws.written, 0);
        writer_resume(w);
        wait_stat(w, WRITTEN, 3);
        k = recv(l, buf, sizeof(buf), MSG_DONTWAIT);
        CHECK_NUM(k > 0 ? count_entries(buf, (size_t)k) : -1, 3);
        CHECK_WHY(recv(l, buf, sizeof(buf), MSG_DONTWAIT) < 0, "one datagram");

        writer_hold(w);
        for (uint64_t seq = 4; seq <= 11; seq++)
                push_exit(w, seq);
        wait_stat(w, WRITTEN, 11); /* 8 of 16 queued: written though held */
        writer_resume(w);
        CHECK_WHY(writer_stop(w), "all reported");
        close(l);
        unlink(path);
}

/* Fills the receive queue of the listener at path from a socket of its own: journald taking nothing. 0, or
 * a negative errno. */
static int fill_listener(const char *path)
{
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        size_t len = strlen(path);
        int fd, n = 0;

        if (len >= sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        memcpy(sa.sun_path, path, len + 1);
        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return -errno;
        while (n < 100000 && sendto(fd, "X=1\n", 4, 0, (struct sockaddr *)&sa, sizeof(sa)) == 4)
                n++;
        close(fd);
        return errno == EAGAIN && n > 0 ? 0 : -EIO;
}

/* start_listened(), with the listener's queue full: journald taking nothing. */
static struct writer *start_stalled(const char *dir, const char *name, char *path, int *l)
{
        struct writer *w = start_listened(dir, name, path, l);

        if (w && fill_listener(path) < 0) {
                FAIL("cannot fill the listener's queue");
                writer_stop(w);
                close(*l);
                w = NULL;
        }
        return w;
}

/* The batch the writer is trying to write still counts against the queue's bound: with journald taking
 * nothing, 10 events taken and 10 more pushed into a queue of 16 places lose 4, not 0. */
static void test_bound_counts_the_batch(const char *dir)
{
        struct writer_stats ws;
        struct writer *w = NULL;
        char path[256], buf[65536];
        int l;

        w = start_stalled(dir, "bound", path, &l);
        if (!w)
                return;
        for (uint64_t seq = 1; seq <= 10; seq++)
                push_exit(w, seq);
        usleep(100 * 1000); /* the writer has taken them, and waits (the check holds without it too) */
        for (uint64_t seq = 11; seq <= 20; seq++)
                push_exit(w, seq);
        while (recv(l, buf, sizeof(buf), MSG_DONTWAIT) > 0)
                ;
        wait_stat(w, LOST(LOST_R_JOURNAL), 4);
        wait_stat(w, WRITTEN, 17); /* the 16 events and the loss record */
        writer_get_stats(w, &ws);
        CHECK_NUM(ws.lost[LOST_R_JOURNAL], 4);
        CHECK_WHY(writer_stop(w), "all reported");
        close(l);
        unlink(path);
}

/* Daemon records are not held back by the events' bound, but by one of their own: with journald taking
 * nothing, one record taken and WRITER_MAX_RECORDS + 5 more pushed lose 6; the rest is written once it
 * takes again. */
static void test_records_bounded(const char *dir)
{
        struct writer_stats ws;
        struct writer *w = NULL;
        struct record rec;
        char path[256], buf[65536];
        int l;

        w = start_stalled(dir, "records", path, &l);
        if (!w)
                return;
        record_init(&rec);
        record_add_str(&rec, "MESSAGE", "a daemon record");
        CHECK_RC(writer_push_record(w, &rec), 0);
        usleep(100 * 1000); /* the writer has taken it, and waits (the check holds without it too) */
        for (int i = 0; i < WRITER_MAX_RECORDS + 5; i++)
                CHECK_RC(writer_push_record(w, &rec), 0);
        record_free(&rec);
        for (int i = 0; i < 10000; i++) { /* 10 s at most: a failure, not a timing check */
                while (recv(l, buf, sizeof(buf), MSG_DONTWAIT) > 0)
                        ;
                writer_get_stats(w, &ws);
                if (ws.written >= WRITER_MAX_RECORDS + 1)
                        break;
                usleep(1000);
        }
        writer_get_stats(w, &ws);
        CHECK_NUM(ws.written, WRITER_MAX_RECORDS + 1); /* the records and the loss record */
        CHECK_NUM(ws.lost[LOST_R_JOURNAL], 6);
        CHECK_WHY(writer_stop(w), "all reported");
        close(l);
        unlink(path);
}

/* A mark is stored once its loss (and every one before it) is in the journal, with the latest value given
 * for it; one given with nothing to report is stored too, by the stop at the latest. */
static void test_marks(const char *dir)
{
        uint64_t marks[WRITER_MARKS + 1] = {0};
        struct writer *w = NULL;
        char path[256], buf[8192] = "";
        int l;

        snprintf(path, sizeof(path), "%s/marks", dir);
        CHECK_RC(writer_start(&w, path, 16, 1 << 20), 0);
        if (!w)
                return;
        CHECK_RC(writer_count_lost_marked(w, LOST_R_UNTRACKED, 2, &marks[0], 7), 0);
        wait_stat(w, LOST(LOST_R_UNTRACKED), 2);
        CHECK_RC(writer_count_lost_marked(w, LOST_R_UNTRACKED, 1, &marks[0], 8), 0);
        wait_stat(w, LOST(LOST_R_UNTRACKED), 3);
        CHECK_NUM(__atomic_load_n(&marks[0], __ATOMIC_RELAXED), 0); /* journald away: nothing reported */
        for (int i = 1; i < WRITER_MARKS; i++)
                CHECK_RC(writer_count_lost_marked(w, LOST_R_UNTRACKED, 0, &marks[i], 100 + i), 0);
        CHECK_RC(writer_count_lost_marked(w, LOST_R_UNTRACKED, 1, &marks[WRITER_MARKS], 1), -ENOBUFS);
        CHECK_RC(writer_count_lost_marked(w, LOST_R_UNTRACKED, 0, &marks[1], 200), 0); /* a known one */
        l = bind_listener(path);
        wait_stat(w, WRITTEN, 1);
        CHECK(l >= 0 && recv(l, buf, sizeof(buf) - 1, MSG_DONTWAIT) > 0);
        CHECK_WHY(HAS(buf, "EXEC_LOST=3\n") && HAS(buf, "EXEC_LOST_REASON=untracked\n"),
                  "one record of both");
        CHECK_NUM(__atomic_load_n(&marks[0], __ATOMIC_RELAXED), 8);
        CHECK_WHY(writer_stop(w), "all reported");
        CHECK_NUM(marks[1], 200);
        for (int i = 2; i < WRITER_MARKS; i++)
                CHECK_NUM(marks[i], (uint64_t)(100 + i));
        CHECK_NUM(marks[WRITER_MARKS], 0);
        if (l >= 0)
                close(l);
        unlink(path);
}

int main(void)
{
        char dir[] = "/tmp/ea-test-writer-XXXXXX";

        if (!mkdtemp(dir)) {
                FAIL("mkdtemp: %m");
                return check_summary("test-writer");
        }
        test_idle_at_stop(dir);
        test_unreported_at_stop(dir);
        test_limit_set_during_the_wait(dir);
        test_gap_ahead(dir);
        test_marks(dir);
        test_hold(dir);
        test_bound_counts_the_batch(dir);
        test_records_bounded(dir);
        test_one_warning_per_error(dir);
        rmdir(dir);
        return check_summary("test-writer");
}

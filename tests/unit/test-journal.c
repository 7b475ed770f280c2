/*
 * Unit test for daemon/journal.c: journald's native protocol.
 *
 * (test-record.c checks the entry's bytes; record.c builds it in the native format.) The sending side is
 * checked against a datagram socket this test binds in a
 * temporary directory (no journald here; the integration tests read records back from a real one): one entry
 * is one datagram, an entry too large for the send buffer arrives as a sealed memfd, a listener that went
 * away and came back is reconnected to, and no listener is an error, never a silent success. A batch is one
 * datagram whose entries are separated by one empty line, and never grows past JOURNAL_BATCH_MAX. After the
 * stop, a listener that takes nothing is given up as idle, one that takes slowly as slow (the bounds
 * shortened from 5 and 60 s), and every later send that would wait fails at once. journal_sync() asks the
 * varlink socket beside the native one, played by a thread here, for io.systemd.Journal.Synchronize only
 * once something was sent, and tells a confirmation from an error, silence and no socket.
 */
#include "journal.h"
#include "strbuf.h"
#include "check.h"
#include "listener.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define SMALL     "MESSAGE=hello\nEXEC_ARGC=1\n"
#define SMALL_LEN (sizeof(SMALL) - 1)

static int check_bytes(const char *what, const void *got, size_t got_len, const void *want, size_t want_len)
{
        if (got_len == want_len && memcmp(got, want, want_len) == 0)
                return 0;
        FAIL("%s: got %zu bytes, want %zu", what, got_len, want_len);
        return -1;
}

/* Receives one datagram; *memfd gets a passed descriptor (or -1). Returns its length, or -1. */
static ssize_t receive(int fd, char *buf, size_t size, int *memfd)
{
        union {
                struct cmsghdr h;
                char b[CMSG_SPACE(sizeof(int))];
        } control;
        struct iovec iov = {buf, size};
        struct msghdr mh = {.msg_iov = &iov,
                            .msg_iovlen = 1,
                            .msg_control = &control,
                            .msg_controllen = sizeof(control)};
        struct cmsghdr *c;
        ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

        *memfd = -1;
        if (n < 0)
                return -1;
        for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
                        memcpy(memfd, CMSG_DATA(c), sizeof(int));
        return n;
}

static void test_send(const char *dir)
{
        static char big[256 * 1024];
        char path[256], *buf = malloc(sizeof(big) + 64);
        struct journal j;
        struct stat st;
        int l, memfd;
        ssize_t n;

        snprintf(path, sizeof(path), "%s/socket", dir);
        journal_init(&j, path);
        CHECK_RC(journal_send(&j, SMALL, SMALL_LEN), -ENOENT);

        l = bind_listener(path);
        CHECK_RC(journal_send(&j, SMALL, SMALL_LEN), 0);
        n = receive(l, buf, sizeof(big) + 64, &memfd);
        check_bytes("one datagram", buf, n < 0 ? 0 : (size_t)n, SMALL, SMALL_LEN);

        /* Larger than the send buffer: a sealed memfd with the whole entry, and an empty datagram. */
        memcpy(big, "EXEC_CMDLINE=", 13);
        memset(big + 13, 'x', sizeof(big) - 14);
        big[sizeof(big) - 1] = '\n';
        journal_close(&j);
        journal_init(&j, path);
        j.sndbuf = 64 * 1024;
        CHECK_RC(journal_send(&j, big, sizeof(big)), 0);
        n = receive(l, buf, sizeof(big) + 64, &memfd);
        CHECK_NUM(n, 0);
        CHECK(memfd >= 0);
        if (memfd >= 0) {
                int seals = fcntl(memfd, F_GET_SEALS);

                CHECK_WHY((seals & (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)) ==
                                  (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE),
                          "journald accepts only a sealed memfd");
                CHECK(fstat(memfd, &st) == 0 && st.st_size == (off_t)sizeof(big));
                n = pread(memfd, buf, sizeof(big) + 64, 0);
                check_bytes("memfd entry", buf, n < 0 ? 0 : (size_t)n, big, sizeof(big));
                close(memfd);
        }

        /* journald restarted: a new socket at the same path. The old connection is refused; reconnect. */
        close(l);
        l = bind_listener(path);
        CHECK_RC(journal_send(&j, SMALL, SMALL_LEN), 0);
        n = receive(l, buf, sizeof(big) + 64, &memfd);
        check_bytes("after the listener came back", buf, n < 0 ? 0 : (size_t)n, SMALL, SMALL_LEN);

        /* Gone for good: an error, not a silent success. */
        close(l);
        unlink(path);
        n = journal_send(&j, SMALL, SMALL_LEN);
        CHECK_WHY(n == -ENOENT || n == -ECONNREFUSED, "no listener is an error");
        journal_close(&j);
        free(buf);
}

/* A length-prefixed value (as record.c writes one with a newline) holding what would end an entry. */
#define HOSTILE "EXEC_ARGV\n\x14\0\0\0\0\0\0\0a\n\nMESSAGE=forged\n\nb\nEXEC_ARGC=2\n"

static void test_batch(const char *dir)
{
        static const char want[] = SMALL "\n" HOSTILE "\n" SMALL;
        struct journal_batch b = {0};
        static char buf[JOURNAL_BATCH_MAX + 64];
        char path[256], one[1024];
        struct journal j;
        int l, memfd, r = 1;
        size_t added = 0;
        ssize_t n;

        snprintf(path, sizeof(path), "%s/batch-socket", dir);
        l = bind_listener(path);
        journal_init(&j, path);
        CHECK_RC(journal_batch_add(&b, SMALL, SMALL_LEN), 1);
        CHECK_RC(journal_batch_add(&b, HOSTILE, sizeof(HOSTILE) - 1), 1);
        CHECK_RC(journal_batch_add(&b, SMALL, SMALL_LEN), 1);
        CHECK_RC(journal_batch_add(&b, "MESSAGE=no newline", 18), -EINVAL);
        CHECK_NUM(b.entries, 3);
        CHECK_RC(journal_batch_send(&j, &b), 0);
        CHECK_NUM(b.entries, 0);
        n = receive(l, buf, sizeof(buf), &memfd);
        check_bytes("three entries in one datagram", buf, n < 0 ? 0 : (size_t)n, want, sizeof(want) - 1);
        CHECK_RC(journal_batch_send(&j, &b), 0);
        CHECK_WHY(receive(l, buf, sizeof(buf), &memfd) < 0, "an empty batch sends nothing");

        /* Full: the entry that does not fit is refused, and what was added fills at most the maximum. */
        memset(one, 'x', sizeof(one));
        memcpy(one, "EXEC_ARGV=", 10);
        one[sizeof(one) - 1] = '\n';
        while (r == 1) {
                r = journal_batch_add(&b, one, sizeof(one));
                added += r == 1;
        }
        CHECK_RC(r, 0);
        CHECK_NUM(added, (JOURNAL_BATCH_MAX + 1) / (sizeof(one) + 1));
        CHECK(b.buf.len <= JOURNAL_BATCH_MAX);
        CHECK_RC(journal_batch_send(&j, &b), 0);
        n = receive(l, buf, sizeof(buf), &memfd);
        CHECK_NUM(n, (ssize_t)(added * (sizeof(one) + 1) - 1));
        journal_batch_free(&b);
        journal_close(&j);
        close(l);
        unlink(path);
}

/*
 * Fills the listener's queue from sockets of its own: a queued datagram counts against its sender's send
 * buffer too, so one socket may stop short of max_dgram_qlen (512 under systemd). Full is when a fresh
 * socket cannot queue one more.
 */
static void fill_queue(const char *path)
{
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        unsigned queued = 1;

        strcpy(sa.sun_path, path);
        while (queued > 0) {
                int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

                if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
                        FAIL("cannot connect to %s: %m", path);
                        return;
                }
                for (queued = 0; send(fd, SMALL, SMALL_LEN, MSG_DONTWAIT) >= 0; queued++)
                        ;
                CHECK_WHY(errno == EAGAIN, "the queue is full, not broken");
                close(fd); /* what it queued stays queued */
        }
}

struct slow_reader {
        int fd;
        atomic_bool done;
        unsigned taken;
};

/* journald on a slow day: one datagram every 20 ms. */
static void *read_slowly(void *arg)
{
        struct slow_reader *s = arg;
        char buf[1024];

        while (!atomic_load(&s->done)) {
                nanosleep(&(struct timespec){.tv_nsec = 20000000}, NULL);
                s->taken += recv(s->fd, buf, sizeof(buf), MSG_DONTWAIT) >= 0;
        }
        return NULL;
}

static void test_stop_waits(const char *dir)
{
        struct slow_reader slow = {.fd = -1};
        char path[256], buf[1024];
        struct journal j;
        pthread_t reader;
        int l, r = 0;
        unsigned sent = 0;

        /* Before the stop a full journald is waited for: the slow one takes every entry in the end. */
        snprintf(path, sizeof(path), "%s/slow-socket", dir);
        slow.fd = l = bind_listener(path);
        journal_init(&j, path);
        fill_queue(path);
        CHECK_RC(pthread_create(&reader, NULL, read_slowly, &slow), 0);
        for (int i = 0; i < 5; i++)
                CHECK_RC(journal_send(&j, SMALL, SMALL_LEN), 0);
        CHECK_NUM(j.gave_up, 0);

        /* After it, a slow journald is waited for stop_total_usec from the stop in all. */
        j.stop_wait_usec = 10 * 1000000ull;
        j.stop_total_usec = 300 * 1000ull;
        journal_stopping(&j);
        while (r == 0 && sent < 1000) {
                r = journal_send(&j, SMALL, SMALL_LEN);
                sent += r == 0;
        }
        CHECK_RC(r, -ETIMEDOUT);
        CHECK_NUM(j.gave_up, JOURNAL_GAVE_UP_SLOW);
        CHECK_WHY(sent > 0, "the slow journald took some after the stop");
        atomic_store(&slow.done, true);
        pthread_join(reader, NULL);
        CHECK_WHY(slow.taken > 0, "and the reader read them");
        journal_close(&j);
        close(l);
        unlink(path);

        /* One that takes nothing is given up after stop_wait_usec; later sends that would wait fail at once,
         * and one that finds room goes out. */
        snprintf(path, sizeof(path), "%s/idle-socket", dir);
        l = bind_listener(path);
        journal_init(&j, path);
        j.stop_wait_usec = 200 * 1000ull;
        CHECK_RC(journal_send(&j, SMALL, SMALL_LEN), 0); /* connected */
        fill_queue(path);
        journal_stopping(&j);
        CHECK_RC(journal_send(&j, SMALL, SMALL_LEN), -ETIMEDOUT);
        CHECK_NUM(j.gave_up, JOURNAL_GAVE_UP_IDLE);
        j.stop_wait_usec = 3600 * 1000000ull;
        CHECK_RC(journal_send(&j, SMALL, SMALL_LEN), -ETIMEDOUT);
        while (recv(l, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
                ;
        CHECK_RC(journal_send(&j, SMALL, SMALL_LEN), 0);
        journal_close(&j);
        close(l);
        unlink(path);
}

/* journald's varlink socket: reads one call (up to its NUL), then answers with reply, or with nothing. */
struct varlink_server {
        int fd;
        const char *reply; /* with its NUL; NULL: no answer, wait until the caller hangs up */
        char call[256];
        size_t len;
};

static void *serve_one(void *arg)
{
        struct varlink_server *v = arg;
        int c = accept4(v->fd, NULL, NULL, SOCK_CLOEXEC);
        char drain[64];
        ssize_t k = 1;

        if (c < 0)
                return NULL;
        while (v->len < sizeof(v->call) && !memchr(v->call, '\0', v->len) && k > 0) {
                k = recv(c, v->call + v->len, sizeof(v->call) - v->len, 0);
                v->len += k > 0 ? (size_t)k : 0;
        }
        if (v->reply)
                (void)send(c, v->reply, strlen(v->reply) + 1, MSG_NOSIGNAL);
        else
                while (recv(c, drain, sizeof(drain), 0) > 0)
                        ;
        close(c);
        return NULL;
}

static int sync_with(const char *dir, const char *reply, uint64_t wait_usec, struct varlink_server *v)
{
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        char path[256];
        struct journal j;
        pthread_t t;
        int l, r;

        snprintf(path, sizeof(path), "%s/socket", dir);
        l = bind_listener(path);
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/" JOURNAL_VARLINK_NAME, dir);
        *v = (struct varlink_server){.reply = reply, .fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)};
        if (v->fd < 0 || bind(v->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(v->fd, 4) < 0)
                FAIL("cannot listen on %s: %m", sa.sun_path);
        CHECK_RC(pthread_create(&t, NULL, serve_one, v), 0);
        journal_init(&j, path);
        j.stop_wait_usec = wait_usec;
        CHECK_RC(journal_send(&j, SMALL, SMALL_LEN), 0);
        r = journal_sync(&j);
        journal_close(&j);
        shutdown(v->fd, SHUT_RDWR); /* the server thread, if nobody connected, stops waiting */
        pthread_join(t, NULL);
        close(v->fd);
        close(l);
        unlink(path);
        unlink(sa.sun_path);
        return r;
}

static void test_sync(const char *dir)
{
        static const char call[] = "{\"method\":\"io.systemd.Journal.Synchronize\",\"parameters\":{}}";
        struct varlink_server v;
        struct journal j;
        char path[256];

        /* Confirmed: the call is the one journalctl --sync makes, NUL-terminated, without parameters. */
        CHECK_RC(sync_with(dir, "{\"parameters\":{}}", 5000000, &v), 0);
        CHECK_NUM(check_bytes("the call", v.call, v.len, call, sizeof(call)), 0);
        CHECK_RC(sync_with(dir,
                           "{\"error\":\"io.systemd.Journal.NotSupportedByNamespaces\",\"parameters\":{}}",
                           5000000, &v),
                 -EPROTO);
        /* Silence is waited for stop_wait_usec, not for good. */
        CHECK_RC(sync_with(dir, NULL, 200000, &v), -ETIMEDOUT);
        CHECK_NUM(v.len, sizeof(call));

        /* Nothing sent, or journald given up after the stop: nothing to wait for, no socket needed. */
        snprintf(path, sizeof(path), "%s/socket", dir);
        journal_init(&j, path);
        CHECK_RC(journal_sync(&j), 0);
        j.sent = true;
        CHECK_RC(journal_sync(&j), -ENOENT);
        j.gave_up = JOURNAL_GAVE_UP_IDLE;
        CHECK_RC(journal_sync(&j), 0);
}

int main(void)
{
        char dir[] = "/tmp/ea-test-journal-XXXXXX";

        if (!mkdtemp(dir)) {
                FAIL("mkdtemp: %m");
                return check_summary("test-journal");
        }
        test_send(dir);
        test_batch(dir);
        test_stop_waits(dir);
        test_sync(dir);
        rmdir(dir);
        return check_summary("test-journal");
}

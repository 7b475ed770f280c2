// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * journald's native protocol (systemd's journal-send.c and journald-native.c are the reference). record.c
 * builds the entry in that format.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "journal.h"
#include "log.h"
#include "time-util.h"

/* As sd-journal: room for any record we build (argv up to 256 KiB) in one datagram. */
#define JOURNAL_SNDBUF (8 * 1024 * 1024)

void journal_init(struct journal *j, const char *path)
{
        *j = (struct journal){.fd = -1,
                              .path = path,
                              .sndbuf = JOURNAL_SNDBUF,
                              .stop_wait_usec = JOURNAL_STOP_WAIT_SEC * 1000000ull,
                              .stop_total_usec = JOURNAL_STOP_TOTAL_SEC * 1000000ull};
}

void journal_close(struct journal *j)
{
        if (j->fd >= 0)
                close(j->fd);
        j->fd = -1;
}

static int journal_connect(struct journal *j)
{
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        int fd, r;

        if (strlen(j->path) >= sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        strcpy(sa.sun_path, j->path);
        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &j->sndbuf, sizeof(j->sndbuf)) < 0)
                (void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &j->sndbuf, sizeof(j->sndbuf));
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
                r = -errno;
                close(fd);
                return r;
        }
        j->fd = fd;
        return 0;
}

/*
 * A slow journald slows the writer thread down (its queue counts what overflows), but not one wakeup per
 * record: a blocking send() on a full journald queue sleeps until journald has taken one datagram, so the
 * writer and journald would switch back and forth once per record (a fifth of the daemon's CPU under a
 * storm). Instead a full queue is retried after a pause in which journald takes several. The first pause
 * is short because the queue may be short: net.unix.max_dgram_qlen is the kernel's 10 unless systemd as
 * PID 1 raised it to 512, about 0.5 ms of journald's work, and journald must not run dry while we sleep.
 * Pauses double while it takes nothing (stopped), up to 16 ms.
 */
#define FULL_PAUSE_MIN_NS 200000L
#define FULL_PAUSE_MAX_NS 16000000L

void journal_stopping(struct journal *j)
{
        uint64_t now = clock_usec(CLOCK_MONOTONIC);

        __atomic_store_n(&j->stopping_usec, now ? now : 1, __ATOMIC_RELAXED);
}

/*
 * At stop a stopped journald would hold the daemon for good (systemd kills it after TimeoutStopSec=, and
 * nothing says why): it is waited for stop_wait_usec, counted from when the stop was seen, and a slow
 * one, which takes a datagram now and then, for stop_total_usec from the stop in all.
 */
static int send_waiting(struct journal *j, const struct msghdr *mh)
{
        long pause = FULL_PAUSE_MIN_NS, waited_since_stop = -1;
        uint64_t stop;

        for (;;) {
                if (sendmsg(j->fd, mh, MSG_NOSIGNAL | MSG_DONTWAIT) >= 0)
                        return 0;
                if (errno == EINTR)
                        continue;
                if (errno != EAGAIN)
                        return -errno;
                stop = __atomic_load_n(&j->stopping_usec, __ATOMIC_RELAXED);
                if (waited_since_stop < 0 && stop)
                        waited_since_stop = 0;
                if (!j->gave_up && waited_since_stop >= 0 &&
                    (uint64_t)waited_since_stop >= j->stop_wait_usec * 1000)
                        j->gave_up = JOURNAL_GAVE_UP_IDLE;
                if (!j->gave_up && stop && clock_usec(CLOCK_MONOTONIC) - stop >= j->stop_total_usec)
                        j->gave_up = JOURNAL_GAVE_UP_SLOW;
                if (j->gave_up)
                        return -ETIMEDOUT;
                nanosleep(&(struct timespec){.tv_nsec = pause}, NULL);
                if (waited_since_stop >= 0)
                        waited_since_stop += pause;
                if (pause < FULL_PAUSE_MAX_NS)
                        pause *= 2;
        }
}

/* An entry too large for one datagram goes as a sealed memfd, which journald reads whole. */
static int send_memfd(struct journal *j, const char *entry, size_t len)
{
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int))];
        } control = {0};
        struct msghdr mh = {.msg_control = &control, .msg_controllen = sizeof(control)};
        struct cmsghdr *c;
        int fd, r = 0;

        fd = memfd_create("journal-entry", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (fd < 0)
                return -errno;
        for (size_t at = 0; at < len && r == 0;) {
                ssize_t k = write(fd, entry + at, len - at);

                if (k < 0 && errno != EINTR)
                        r = -errno;
                else if (k > 0)
                        at += (size_t)k;
        }
        if (r == 0 && fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
                r = -errno;
        if (r == 0) {
                c = CMSG_FIRSTHDR(&mh);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(c), &fd, sizeof(int));
                r = send_waiting(j, &mh);
        }
        close(fd);
        return r;
}

static int send_entry(struct journal *j, const char *entry, size_t len)
{
        struct iovec iov = {(void *)entry, len};
        struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
        int r = send_waiting(j, &mh);

        return r == -EMSGSIZE || r == -ENOBUFS ? send_memfd(j, entry, len) : r;
}

int journal_send(struct journal *j, const char *entry, size_t len)
{
        int r = 0;

        for (int attempt = 0; attempt < 2; attempt++) {
                if (j->fd < 0) {
                        r = journal_connect(j);
                        if (r < 0)
                                return r;
                }
                r = send_entry(j, entry, len);
                if (r == 0)
                        j->sent = true;
                /* The journald we were connected to is gone; a new one listens on a new socket. */
                if (r != -ECONNREFUSED && r != -ENOTCONN && r != -ECONNRESET)
                        return r;
                close(j->fd);
                j->fd = -1;
        }
        return r;
}

int journal_batch_add(struct journal_batch *b, const char *entry, size_t len)
{
        size_t need = len + (b->entries ? 1 : 0);
        int r;

        if (len == 0 || entry[len - 1] != '\n')
                return -EINVAL;
        if (b->buf.len + need > JOURNAL_BATCH_MAX)
                return 0;
        r = strbuf_reserve(&b->buf, need);
        if (r < 0)
                return r;
        if (b->entries)
                (void)strbuf_putc(&b->buf, '\n');
        (void)strbuf_append(&b->buf, entry, len);
        b->entries++;
        return 1;
}

int journal_batch_send(struct journal *j, struct journal_batch *b)
{
        int r = b->entries ? journal_send(j, b->buf.buf, b->buf.len) : 0;

        strbuf_reset(&b->buf);
        b->entries = 0;
        return r;
}

void journal_batch_free(struct journal_batch *b)
{
        strbuf_free(&b->buf);
        b->entries = 0;
}

/* The varlink socket in the native socket's directory (a test's journald or a LogNamespace= one alike). */
static int varlink_address(const struct journal *j, struct sockaddr_un *sa)
{
        const char *slash = strrchr(j->path, '/');
        size_t dir = slash ? (size_t)(slash - j->path) + 1 : 0;

        *sa = (struct sockaddr_un){.sun_family = AF_UNIX};
        if (dir + sizeof(JOURNAL_VARLINK_NAME) > sizeof(sa->sun_path))
                return -ENAMETOOLONG;
        memcpy(sa->sun_path, j->path, dir);
        memcpy(sa->sun_path + dir, JOURNAL_VARLINK_NAME, sizeof(JOURNAL_VARLINK_NAME));
        return 0;
}

int journal_sync(struct journal *j)
{
        /* Varlink: one JSON object ending in a NUL byte each way. systemd 252 refuses any parameter. */
        static const char call[] = "{\"method\":\"io.systemd.Journal.Synchronize\",\"parameters\":{}}";
        uint64_t deadline = clock_usec(CLOCK_MONOTONIC) + j->stop_wait_usec;
        struct timeval tv = {.tv_sec = (time_t)(j->stop_wait_usec / 1000000),
                             .tv_usec = (suseconds_t)(j->stop_wait_usec % 1000000)};
        struct sockaddr_un sa;
        char reply[512] = "";
        size_t done = 0;
        ssize_t k;
        int fd, r;

        if (!j->sent || j->gave_up)
                return 0;
        r = varlink_address(j, &sa);
        if (r < 0)
                return r;
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        /* connect() too waits at most SO_SNDTIMEO (for room in journald's backlog). */
        if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0 ||
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
            connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
                r = errno == EAGAIN || errno == EINPROGRESS ? -ETIMEDOUT : -errno;
                goto out;
        }
        /* A fresh stream socket has room for the whole call: one send, all or nothing. */
        k = send(fd, call, sizeof(call), MSG_NOSIGNAL);
        if (k != (ssize_t)sizeof(call)) {
                r = k >= 0 ? -EPROTO : errno == EAGAIN ? -ETIMEDOUT : -errno;
                goto out;
        }
        while (!memchr(reply, '\0', done)) {
                if (done == sizeof(reply) - 1) {
                        r = -EPROTO;
                        goto out;
                }
                k = recv(fd, reply + done, sizeof(reply) - 1 - done, 0);
                if (k == 0) {
                        r = -ECONNRESET;
                        goto out;
                }
                if (k < 0 && errno != EINTR) {
                        r = errno == EAGAIN ? -ETIMEDOUT : -errno;
                        goto out;
                }
                if (k > 0)
                        done += (size_t)k;
                else if (clock_usec(CLOCK_MONOTONIC) >= deadline) {
                        r = -ETIMEDOUT;
                        goto out;
                }
        }
        /* {"parameters":{}} on success; {"error":"...",...} otherwise. */
        r = strstr(reply, "\"error\"") ? -EPROTO : 0;
out:
        close(fd);
        return r;
}

void journal_finish(struct journal *j)
{
        int r = journal_sync(j);
        char why[64];

        if (r == -ETIMEDOUT)
                snprintf(why, sizeof(why), "no answer within %llu s",
                         (unsigned long long)(j->stop_wait_usec / 1000000));
        else
                snprintf(why, sizeof(why), "%s", strerror(-r));
        if (r == -ENOENT || r == -ECONNREFUSED)
                log_debug("No journald answers io.systemd.Journal.Synchronize beside %s (%s): not waiting "
                          "for it to store what was sent",
                          j->path, why);
        else if (r < 0)
                log_warning(
                        "journald did not confirm that it stored what was sent (%s): what it stores after "
                        "this process exits may lack _CMDLINE, _COMM, _EXE and _SYSTEMD_UNIT",
                        why);
        journal_close(j);
}

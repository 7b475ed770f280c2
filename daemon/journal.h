/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * journald's native protocol over one connected datagram socket, instead of sd_journal_sendv(): that one
 * sends to a socket address on every call (a path lookup in the kernel per record), rebuilds an iovec per
 * field, and returns 0 when the socket is missing. Here an entry that record.c built in the native format
 * goes out as it is, alone or in a batch of entries; a missing or dead journald is an error the caller
 * counts.
 */
#ifndef EA_JOURNAL_H
#define EA_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

struct journal {
        int fd;                 /* -1 until connected */
        const char *path;       /* the socket: JOURNAL_SOCKET, or a test's */
        int sndbuf;             /* SO_SNDBUF to ask for; a datagram larger than it goes through a memfd */
        uint64_t stopping_usec; /* CLOCK_MONOTONIC, set from another thread (atomic): waits are bounded */
        int gave_up;            /* after the stop: JOURNAL_GAVE_UP_* */
        bool sent;              /* an entry went out: journal_finish() waits until journald has it */
        /* Fields, not only the constants below, so that a unit test checks both bounds in a second. */
        uint64_t stop_wait_usec, stop_total_usec;
};

/* At stop, how long a journald that takes nothing is waited for before what is left counts as lost. */
#define JOURNAL_STOP_WAIT_SEC 5
/* ...and one that takes, but slowly, at most this long from the stop: below systemd's TimeoutStopSec=
 * (90 s), whose SIGKILL would leave nothing said. */
#define JOURNAL_STOP_TOTAL_SEC 60
enum {
        JOURNAL_GAVE_UP_IDLE = 1, /* took nothing for JOURNAL_STOP_WAIT_SEC */
        JOURNAL_GAVE_UP_SLOW,     /* took, but had not taken all JOURNAL_STOP_TOTAL_SEC after the stop */
};

void journal_init(struct journal *j, const char *path);
void journal_close(struct journal *j);

/*
 * journald fills in _CMDLINE, _COMM, _EXE and _SYSTEMD_UNIT from /proc/PID when it reads a datagram, not
 * when it is sent: the entries of a process that has exited by then lack them, and `journalctl -u
 * execauditd` does not show them (--remove-pins as ExecStopPost=, a start that fails). A process that sent
 * entries therefore asks journald, before it exits, to confirm that it has processed everything queued:
 * io.systemd.Journal.Synchronize, what `journalctl --sync` calls, on the varlink socket beside the native
 * one. The wait is bounded by stop_wait_usec.
 *
 * journal_sync(): 0 when confirmed, or when there is nothing to wait for (nothing sent, or journald was
 * given up after the stop); -ENOENT/-ECONNREFUSED: no journald answers there (gone, or one without the
 * varlink socket); -ETIMEDOUT: no answer in time; -EPROTO: journald answered with an error.
 */
#define JOURNAL_VARLINK_NAME "io.systemd.journal"
int journal_sync(struct journal *j);
/* journal_sync(), a word on stderr when journald did not confirm, and journal_close(). */
void journal_finish(struct journal *j);
/* From any thread: the daemon stops. A send that waits on a full journald gives up (-ETIMEDOUT) once
 * journald has taken nothing for JOURNAL_STOP_WAIT_SEC since, or JOURNAL_STOP_TOTAL_SEC have passed since
 * the stop, and every later one that would wait at once. */
void journal_stopping(struct journal *j);
/* Sends one entry (journald's native format), connecting (again) as needed and waiting while journald's
 * queue is full. -ENOENT/-ECONNREFUSED: no journald listening. */
int journal_send(struct journal *j, const char *entry, size_t len);

/*
 * Several entries in one datagram. journald's native protocol ends an entry at an empty line, and journald
 * reads every entry of a datagram (journald-native.c loops over them), so a batch costs one send() and one
 * wakeup instead of one per record. No value can end an entry early: a value with a newline is
 * length-prefixed (record.c), so an empty line appears only between entries.
 */
#define JOURNAL_BATCH_MAX (64u * 1024) /* bytes in one datagram */

struct journal_batch {
        struct strbuf buf;
        size_t entries;
};

/* Appends an entry (native format, ending in '\n'). 1: added; 0: it does not fit, send the batch first
 * (an entry larger than JOURNAL_BATCH_MAX never fits: send it alone); -ENOMEM. */
int journal_batch_add(struct journal_batch *b, const char *entry, size_t len);
/* Sends the batch as one datagram (as journal_send) and empties it, also on failure. */
int journal_batch_send(struct journal *j, struct journal_batch *b);
void journal_batch_free(struct journal_batch *b);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * journald's native protocol over one connected datagram socket, instead of sd_journal_sendv(): that one
 * sends to a socket address on every call (a path lookup in the kernel per record), rebuilds an iovec per
 * field, and returns 0 when the socket is missing. Here an entry that record.c built in the native format
 * goes out with one send(); a missing or dead journald is an error the caller counts.
 */
#ifndef EA_JOURNAL_H
#define EA_JOURNAL_H

#include <stddef.h>

struct journal {
        int fd;           /* -1 until connected */
        const char *path; /* the socket: JOURNAL_SOCKET, or a test's */
        int sndbuf;       /* SO_SNDBUF to ask for; a datagram larger than it goes through a memfd */
};

void journal_init(struct journal *j, const char *path);
void journal_close(struct journal *j);
/* Sends one entry (journald's native format), connecting (again) as needed and waiting while journald's
 * queue is full. -ENOENT/-ECONNREFUSED: no journald listening. */
int journal_send(struct journal *j, const char *entry, size_t len);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * journald's native protocol over one connected datagram socket, instead of sd_journal_sendv(): that one
 * sends to a socket address on every call (a path lookup in the kernel per record), rebuilds an iovec per
 * field, and returns 0 when the socket is missing. Here the entry is serialized into one buffer and sent
 * with one send(); a missing or dead journald is an error the caller counts.
 */
#ifndef EA_JOURNAL_H
#define EA_JOURNAL_H

#include <stddef.h>
#include <sys/uio.h>

#include "strbuf.h"

struct journal {
        int fd;              /* -1 until connected */
        const char *path;    /* the socket: JOURNAL_SOCKET, or a test's */
        int sndbuf;          /* SO_SNDBUF to ask for; a datagram larger than it goes through a memfd */
        struct strbuf entry; /* the serialized entry, kept to avoid an allocation per record */
};

void journal_init(struct journal *j, const char *path);
void journal_close(struct journal *j);
/* Appends the native serialization of fields ("NAME=value" each) to out: "NAME=value\n", or for a value
 * with a newline "NAME\n" + 64-bit little-endian length + value + "\n". -EINVAL for a field without '='. */
int journal_serialize(struct strbuf *out, const struct iovec *fields, size_t n);
/* Sends one entry, connecting (again) as needed and waiting while journald's queue is full.
 * -ENOENT/-ECONNREFUSED: no journald listening. */
int journal_send(struct journal *j, const struct iovec *fields, size_t n);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One journal entry under construction: "NAME=value" fields in one growable buffer, turned into an iovec
 * array for journal_send(). Values are binary safe (journal.c length-prefixes values with newlines), so no
 * byte a process passes to exec can add a field or split the entry.
 */
#ifndef EA_RECORD_H
#define EA_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/uio.h>

#include "strbuf.h"

/* journald drops an entry with more than 1024 fields whole; we stay far below. */
#define RECORD_MAX_FIELDS 64

struct record {
        struct strbuf buf;
        struct strbuf tmp; /* scratch for formatters, kept to avoid an allocation per record */
        unsigned n;
        size_t off[RECORD_MAX_FIELDS];
        size_t len[RECORD_MAX_FIELDS];
        int error; /* first failure (-ENOMEM, -E2BIG for too many fields, -EINVAL for a bad name); sticky */
};

void record_init(struct record *r);
void record_reset(struct record *r);
void record_free(struct record *r);
void record_add(struct record *r, const char *name, const void *value, size_t len);
void record_add_str(struct record *r, const char *name, const char *value);
void record_addf(struct record *r, const char *name, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
void record_add_u64(struct record *r, const char *name, unsigned long long v);
void record_add_i64(struct record *r, const char *name, long long v);
/* "a-b", the form of EXEC_ID and EXEC_PARENT_ID. */
void record_add_id(struct record *r, const char *name, unsigned long long a, unsigned b);
/* Builds a value in place: append to the returned buffer, then end with the result of the appends. */
struct strbuf *record_field_begin(struct record *r, const char *name);
void record_field_end(struct record *r, int result);
/* Fills iov (RECORD_MAX_FIELDS entries) and returns the count, or r->error. */
int record_iovec(const struct record *r, struct iovec *iov);
/* The value of field `name` (tests and the writer use it), or NULL. */
const char *record_get(const struct record *r, const char *name, size_t *len);
/* journald's rules: [A-Z0-9_], 1..64 bytes, not starting with '_' or a digit. */
bool journal_field_name_valid(const char *name, size_t len);

#endif

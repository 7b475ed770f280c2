/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One journal entry under construction, built directly in journald's native format so that it is sent as it
 * is, without a second pass: "NAME=value\n", or, for a value with a newline, "NAME\n" + its length as a
 * 64-bit little-endian number + value + "\n". The length prefix is what keeps values binary safe: no byte a
 * process passes to exec can add a field or split the entry.
 */
#ifndef EA_RECORD_H
#define EA_RECORD_H

#include <stdbool.h>
#include <stddef.h>

#include "strbuf.h"

/* journald drops an entry with more than 1024 fields whole; we stay far below. */
#define RECORD_MAX_FIELDS 64

#define RECORD_NAME_MAX   64  /* journald's limit */
#define RECORD_NAME_SLOTS 256 /* a power of two */

/* A field name already checked, remembered with its address and its bytes (see field_begin). */
struct record_name {
        const char *at;
        size_t len;
        bool immutable; /* in a read-only segment (a string literal): its address alone is enough */
        char name[RECORD_NAME_MAX + 1]; /* zero-padded */
};

struct record {
        struct strbuf buf; /* the entry, ready to send */
        struct strbuf tmp; /* scratch for formatters, kept to avoid an allocation per record */
        unsigned n;
        size_t name_off[RECORD_MAX_FIELDS];
        unsigned char name_len[RECORD_MAX_FIELDS];
        size_t value_off[RECORD_MAX_FIELDS];
        size_t value_len[RECORD_MAX_FIELDS];
        int error; /* first failure (-ENOMEM, -E2BIG for too many fields, -EINVAL for a bad name); sticky */
        struct record_name names[RECORD_NAME_SLOTS];
};

/* Field i of a record, read back (the tests use it). */
struct record_field {
        const char *name;
        size_t name_len;
        const char *value;
        size_t value_len;
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
/* The entry in the native format and its length; r->error if building it failed. */
int record_entry(const struct record *r, const char **data, size_t *len);
/* Field i (0 <= i < r->n). */
struct record_field record_field(const struct record *r, unsigned i);
/* The value of the first field `name` (the tests use it), or NULL. */
const char *record_get(const struct record *r, const char *name, size_t *len);
/* Whether name lies in a read-only segment of the program (string literals, const tables). */
bool record_name_immutable(const char *name);
/* journald's rules: [A-Z0-9_], 1..64 bytes, not starting with '_' or a digit. */
bool journal_field_name_valid(const char *name, size_t len);

#endif

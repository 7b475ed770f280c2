// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Builds journal entries. Field names are checked here, at the single place every field passes through,
 * because journald drops an invalid field silently.
 */
#include <errno.h>
#include <link.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include "record.h"

void record_init(struct record *r)
{
        memset(r, 0, sizeof(*r));
}

void record_reset(struct record *r)
{
        strbuf_reset(&r->buf);
        strbuf_reset(&r->tmp);
        r->n = 0;
        r->error = 0;
}

void record_free(struct record *r)
{
        strbuf_free(&r->buf);
        strbuf_free(&r->tmp);
        record_init(r);
}

/* journald's rules, used by journal_field_name_valid() and, while copying, by field_begin(). */
#define NAME_MAX_LEN RECORD_NAME_MAX
static const bool name_char[256] = {['A' ... 'Z'] = true, ['0' ... '9'] = true, ['_'] = true};

static bool name_start_ok(char c)
{
        return c != '_' && !(c >= '0' && c <= '9');
}

bool journal_field_name_valid(const char *name, size_t len)
{
        if (len == 0 || len > NAME_MAX_LEN || !name_start_ok(name[0]))
                return false;
        for (size_t i = 0; i < len; i++)
                if (!name_char[(unsigned char)name[i]])
                        return false;
        return true;
}

/*
 * The read-only segments of the object this file is linked into: its string literals and const tables
 * are there, and bytes in them never change, so a name there is known by its address alone.
 */
#define RO_SEGMENTS_MAX 8

static struct {
        uintptr_t lo, hi;
} ro_segments[RO_SEGMENTS_MAX];
static size_t n_ro_segments;
static pthread_once_t ro_once = PTHREAD_ONCE_INIT;

static int find_ro_segments(struct dl_phdr_info *info, size_t size, void *self)
{
        bool ours = false;

        (void)size;
        for (size_t i = 0; i < info->dlpi_phnum && !ours; i++) {
                const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
                uintptr_t lo = info->dlpi_addr + ph->p_vaddr;

                ours = ph->p_type == PT_LOAD && (uintptr_t)self >= lo && (uintptr_t)self - lo < ph->p_memsz;
        }
        if (!ours)
                return 0;
        for (size_t i = 0; i < info->dlpi_phnum && n_ro_segments < RO_SEGMENTS_MAX; i++) {
                const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

                if (ph->p_type != PT_LOAD || (ph->p_flags & PF_W))
                        continue;
                ro_segments[n_ro_segments].lo = info->dlpi_addr + ph->p_vaddr;
                ro_segments[n_ro_segments].hi = info->dlpi_addr + ph->p_vaddr + ph->p_memsz;
                n_ro_segments++;
        }
        return 1;
}

static void init_ro_segments(void)
{
        dl_iterate_phdr(find_ro_segments, (void *)name_char);
}

bool record_name_immutable(const char *name)
{
        pthread_once(&ro_once, init_ro_segments);
        for (size_t i = 0; i < n_ro_segments; i++)
                if ((uintptr_t)name >= ro_segments[i].lo && (uintptr_t)name < ro_segments[i].hi)
                        return true;
        return false;
}

/*
 * The slot that remembers name: the one holding its address, else a free one, among a few after its hash
 * (the names of all records together fill about half the table); when those hold other names, the first.
 */
static struct record_name *name_slot(struct record *r, const char *name)
{
        size_t h = ((uintptr_t)name * 0x9e3779b97f4a7c15ull) >> 32;

        for (size_t i = 0; i < 4; i++) {
                struct record_name *c = &r->names[(h + i) & (RECORD_NAME_SLOTS - 1)];

                if (c->at == name || !c->at)
                        return c;
        }
        return &r->names[h & (RECORD_NAME_SLOTS - 1)];
}

/*
 * Copies name to d (which has room for NAME_MAX_LEN + 1 bytes) and returns its length, or -EINVAL when it
 * breaks journald's rules. The names of a record are nearly all the same string literals every time, so a
 * name checked once is remembered by its address. A literal's bytes cannot change; any other remembered
 * name is used only when the bytes at its address are still the same (strncmp stops at the name's end),
 * so a name in a reused buffer is never taken for the one it replaced.
 */
static ssize_t copy_name(struct record *r, const char *name, char *d)
{
        struct record_name *c = name_slot(r, name);
        size_t nl;

        if (c->at == name && (c->immutable || strncmp(name, c->name, c->len + 1) == 0)) {
                memcpy(d, c->name, NAME_MAX_LEN); /* constant size: a few moves */
                return (ssize_t)c->len;
        }
        for (nl = 0; name[nl]; nl++) {
                if (nl == NAME_MAX_LEN || !name_char[(unsigned char)name[nl]])
                        return -EINVAL;
                d[nl] = name[nl];
        }
        if (nl == 0 || !name_start_ok(name[0]))
                return -EINVAL;
        memset(c->name, 0, sizeof(c->name));
        memcpy(c->name, name, nl);
        c->len = nl;
        c->at = name;
        c->immutable = record_name_immutable(name);
        return (ssize_t)nl;
}

/*
 * Starts a field: appends "NAME=" and returns 0, or sets the sticky error. Every field of every record
 * passes here, so the name is checked (journal_field_name_valid's rules) while it is copied. Inlined
 * into each adder, like field_end: as calls, their entry and exit were a fifth of a record's instructions.
 */
static inline __attribute__((always_inline)) int field_begin(struct record *r, const char *name)
{
        ssize_t nl;
        char *d;
        int e;

        if (r->error)
                return r->error;
        if (r->n >= RECORD_MAX_FIELDS)
                return (r->error = -E2BIG);
        e = strbuf_reserve(&r->buf, NAME_MAX_LEN + 1);
        if (e < 0)
                return (r->error = e);
        d = r->buf.buf + r->buf.len;
        nl = copy_name(r, name, d);
        if (nl < 0)
                return (r->error = (int)nl);
        d[nl] = '=';
        d[nl + 1] = '\0';
        r->name_off[r->n] = r->buf.len;
        r->name_len[r->n] = (unsigned char)nl;
        r->buf.len += (size_t)nl + 1;
        r->value_off[r->n] = r->buf.len;
        return 0;
}

/* A value with a newline: "NAME=value" becomes "NAME\n" + little-endian 64-bit length + value. */
static int length_prefix(struct record *r, size_t at, size_t len)
{
        char *p;
        int e = strbuf_reserve(&r->buf, 8);

        if (e < 0)
                return e;
        p = r->buf.buf + at;
        memmove(p + 8, p, len);
        p[-1] = '\n';
        for (int k = 0; k < 8; k++)
                p[k] = (char)((uint64_t)len >> (8 * k) & 0xff);
        r->buf.len += 8;
        r->buf.buf[r->buf.len] = '\0';
        r->value_off[r->n] = at + 8;
        return 0;
}

/* Ends the open field with its newline. Only values built here from numbers skip the newline search. */
static inline __attribute__((always_inline)) void field_end(struct record *r, bool may_have_newline)
{
        size_t at = r->value_off[r->n], len = r->buf.len - at;
        int e = 0;

        if (r->error)
                return;
        if (may_have_newline && memchr(r->buf.buf + at, '\n', len))
                e = length_prefix(r, at, len);
        if (e >= 0)
                e = strbuf_putc(&r->buf, '\n');
        if (e < 0) {
                r->error = e;
                return;
        }
        r->value_len[r->n] = len;
        r->n++;
}

struct strbuf *record_field_begin(struct record *r, const char *name)
{
        return field_begin(r, name) < 0 ? NULL : &r->buf;
}

void record_field_end(struct record *r, int result)
{
        if (result < 0 && !r->error)
                r->error = result;
        field_end(r, true);
}

void record_add(struct record *r, const char *name, const void *value, size_t len)
{
        if (field_begin(r, name) < 0)
                return;
        if (len) {
                int e = strbuf_append(&r->buf, value, len);

                if (e < 0)
                        r->error = e;
        }
        field_end(r, true);
}

void record_add_str(struct record *r, const char *name, const char *value)
{
        record_add(r, name, value, strlen(value));
}

void record_addf(struct record *r, const char *name, const char *fmt, ...)
{
        struct strbuf *sb = &r->buf;
        va_list ap;
        int n;

        if (field_begin(r, name) < 0)
                return;
        for (;;) {
                size_t avail = sb->cap - sb->len;

                va_start(ap, fmt);
                n = vsnprintf(sb->buf + sb->len, avail, fmt, ap);
                va_end(ap);
                if (n < 0) {
                        r->error = -EINVAL;
                        return;
                }
                if ((size_t)n < avail)
                        break;
                if ((r->error = strbuf_reserve(sb, (size_t)n + 1)) < 0)
                        return;
        }
        sb->len += (size_t)n;
        field_end(r, true);
}

void record_add_u64(struct record *r, const char *name, unsigned long long v)
{
        int e;

        if (field_begin(r, name) < 0)
                return;
        e = strbuf_put_u64(&r->buf, v);
        if (e < 0)
                r->error = e;
        field_end(r, false);
}

void record_add_id(struct record *r, const char *name, unsigned long long a, unsigned b)
{
        int e;

        if (field_begin(r, name) < 0)
                return;
        e = strbuf_put_u64(&r->buf, a);
        if (e >= 0)
                e = strbuf_putc(&r->buf, '-');
        if (e >= 0)
                e = strbuf_put_u64(&r->buf, b);
        if (e < 0)
                r->error = e;
        field_end(r, false);
}

void record_add_i64(struct record *r, const char *name, long long v)
{
        record_addf(r, name, "%lld", v);
}

int record_entry(const struct record *r, const char **data, size_t *len)
{
        if (r->error)
                return r->error;
        *data = r->buf.buf ? r->buf.buf : "";
        *len = r->buf.len;
        return 0;
}

struct record_field record_field(const struct record *r, unsigned i)
{
        return (struct record_field){.name = r->buf.buf + r->name_off[i],
                                     .name_len = r->name_len[i],
                                     .value = r->buf.buf + r->value_off[i],
                                     .value_len = r->value_len[i]};
}

const char *record_get(const struct record *r, const char *name, size_t *len)
{
        size_t nl = strlen(name);

        for (unsigned i = 0; i < r->n; i++) {
                struct record_field f = record_field(r, i);

                if (f.name_len == nl && memcmp(f.name, name, nl) == 0) {
                        if (len)
                                *len = f.value_len;
                        return f.value;
                }
        }
        return NULL;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Builds journal entries. Field names are checked here, at the single place every field passes through,
 * because journald drops an invalid field silently.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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

/* Every field of every record passes here: one table lookup per byte. */
static const bool name_char[256] = {['A' ... 'Z'] = true, ['0' ... '9'] = true, ['_'] = true};

bool journal_field_name_valid(const char *name, size_t len)
{
        if (len == 0 || len > 64 || name[0] == '_' || (name[0] >= '0' && name[0] <= '9'))
                return false;
        for (size_t i = 0; i < len; i++)
                if (!name_char[(unsigned char)name[i]])
                        return false;
        return true;
}

/* Starts a field: appends "NAME=" and returns 0, or sets the sticky error. */
static int field_begin(struct record *r, const char *name)
{
        size_t nl = strlen(name);
        int e;

        if (r->error)
                return r->error;
        if (!journal_field_name_valid(name, nl))
                return (r->error = -EINVAL);
        if (r->n >= RECORD_MAX_FIELDS)
                return (r->error = -E2BIG);
        r->off[r->n] = r->buf.len;
        e = strbuf_append(&r->buf, name, nl);
        if (e >= 0)
                e = strbuf_putc(&r->buf, '=');
        if (e < 0)
                r->error = e;
        return e;
}

static void field_end(struct record *r)
{
        if (r->error)
                return;
        r->len[r->n] = r->buf.len - r->off[r->n];
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
        field_end(r);
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
        field_end(r);
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
        field_end(r);
}

void record_add_u64(struct record *r, const char *name, unsigned long long v)
{
        if (field_begin(r, name) < 0)
                return;
        record_field_end(r, strbuf_put_u64(&r->buf, v));
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
        record_field_end(r, e);
}

void record_add_i64(struct record *r, const char *name, long long v)
{
        record_addf(r, name, "%lld", v);
}

int record_iovec(const struct record *r, struct iovec *iov)
{
        if (r->error)
                return r->error;
        for (unsigned i = 0; i < r->n; i++) {
                iov[i].iov_base = r->buf.buf + r->off[i];
                iov[i].iov_len = r->len[i];
        }
        return (int)r->n;
}

const char *record_get(const struct record *r, const char *name, size_t *len)
{
        size_t nl = strlen(name);

        for (unsigned i = 0; i < r->n; i++) {
                const char *f = r->buf.buf + r->off[i];

                if (r->len[i] > nl && memcmp(f, name, nl) == 0 && f[nl] == '=') {
                        if (len)
                                *len = r->len[i] - nl - 1;
                        return f + nl + 1;
                }
        }
        return NULL;
}

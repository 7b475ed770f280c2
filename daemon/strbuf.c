/*
 * strbuf: growable byte buffer used to build journal fields.
 *
 * All size arithmetic is checked because lengths can come from captured
 * process data; a wrapped size would turn into a short allocation and a
 * heap overflow. On any failure the buffer keeps its previous contents and
 * its NUL terminator, so callers can report the error and carry on.
 */
#include "strbuf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Small first allocation: most fields are short, and doubling takes over from here. */
#define STRBUF_MIN_CAP 64
#define STRBUF_MAX_CAP ((size_t)PTRDIFF_MAX)
_Static_assert(STRBUF_MIN_CAP > 1, "minimum capacity must leave room for data and the NUL");
_Static_assert(STRBUF_MIN_CAP < STRBUF_MAX_CAP, "capacity limits out of order");

int strbuf_grow(struct strbuf *sb, size_t extra)
{
        size_t need, cap;
        char *p;

        if (!sb)
                return -EINVAL;
        /*
         * need = len + extra + 1 for the NUL, refusing to wrap. Objects past
         * PTRDIFF_MAX are refused too: pointer differences within them would
         * overflow, and malloc rejects them anyway.
         */
        if (extra > STRBUF_MAX_CAP - 1 - sb->len)
                return -ENOMEM;
        need = sb->len + extra + 1;
        if (sb->buf && need <= sb->cap)
                return 0;

        cap = sb->cap < STRBUF_MIN_CAP ? STRBUF_MIN_CAP : sb->cap;
        while (cap < need)
                cap = cap > STRBUF_MAX_CAP / 2 ? need : cap * 2;

        p = realloc(sb->buf, cap);
        if (!p)
                return -ENOMEM;
        /* First allocation: establish the NUL invariant for the empty buffer. */
        if (!sb->buf)
                p[sb->len] = '\0';
        sb->buf = p;
        sb->cap = cap;
        return 0;
}

int strbuf_append(struct strbuf *sb, const void *data, size_t n)
{
        int r;

        /* Fits: the common case on the record-building path, without the growth arithmetic. */
        if (sb && sb->buf && data && n < sb->cap - sb->len) {
                memcpy(sb->buf + sb->len, data, n);
                sb->len += n;
                sb->buf[sb->len] = '\0';
                return 0;
        }
        if (!sb || (!data && n > 0))
                return -EINVAL;
        r = strbuf_reserve(sb, n);
        if (r < 0)
                return r;
        /* memcpy with a NULL source is undefined even for n == 0. */
        if (n > 0)
                memcpy(sb->buf + sb->len, data, n);
        sb->len += n;
        sb->buf[sb->len] = '\0';
        return 0;
}

int strbuf_puts(struct strbuf *sb, const char *s)
{
        if (!s)
                return -EINVAL;
        return strbuf_append(sb, s, strlen(s));
}

/* Two digits per division: numbers are most of a record's bytes. */
static const char digit_pairs[] =
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
        "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
        "8081828384858687888990919293949596979899";

int strbuf_put_u64(struct strbuf *sb, unsigned long long v)
{
        char tmp[20], *p = tmp + sizeof(tmp);

        while (v >= 100) {
                p -= 2;
                memcpy(p, digit_pairs + 2 * (v % 100), 2);
                v /= 100;
        }
        if (v >= 10) {
                p -= 2;
                memcpy(p, digit_pairs + 2 * v, 2);
        } else {
                *--p = (char)('0' + v);
        }
        return strbuf_append(sb, p, (size_t)(tmp + sizeof(tmp) - p));
}

int strbuf_vprintf(struct strbuf *sb, const char *fmt, va_list ap)
{
        va_list ap2;
        size_t avail;
        int n, r;

        if (!sb || !fmt)
                return -EINVAL;
        r = strbuf_reserve(sb, 0);
        if (r < 0)
                return r;

        va_copy(ap2, ap);

        /* Try the space we already have first; most fields fit. */
        avail = sb->cap - sb->len;
        n = vsnprintf(sb->buf + sb->len, avail, fmt, ap);
        if (n < 0) {
                r = errno > 0 ? -errno : -EINVAL;
                goto out;
        }
        if ((size_t)n >= avail) {
                r = strbuf_reserve(sb, (size_t)n);
                if (r < 0)
                        goto out;
                n = vsnprintf(sb->buf + sb->len, sb->cap - sb->len, fmt, ap2);
                if (n < 0) {
                        r = errno > 0 ? -errno : -EINVAL;
                        goto out;
                }
                /* Only an argument changing under us could make the second pass longer. */
                if ((size_t)n >= sb->cap - sb->len) {
                        r = -EINVAL;
                        goto out;
                }
        }
        sb->len += (size_t)n;
        r = 0;
out:
        /* A truncated or failed attempt may have scribbled past len; restore the NUL. */
        sb->buf[sb->len] = '\0';
        va_end(ap2);
        return r;
}

int strbuf_printf(struct strbuf *sb, const char *fmt, ...)
{
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = strbuf_vprintf(sb, fmt, ap);
        va_end(ap);
        return r;
}

void strbuf_reset(struct strbuf *sb)
{
        if (!sb)
                return;
        sb->len = 0;
        if (sb->buf)
                sb->buf[0] = '\0';
}

void strbuf_free(struct strbuf *sb)
{
        if (!sb)
                return;
        free(sb->buf);
        sb->buf = NULL;
        sb->len = 0;
        sb->cap = 0;
}

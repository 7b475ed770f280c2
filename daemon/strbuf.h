/*
 * strbuf: a growable, binary-safe byte buffer.
 *
 * Journal fields are assembled from many small pieces (quoted argv, numbers,
 * names), so callers need one append-only buffer that never truncates
 * silently and that can hold NUL bytes. The buffer keeps a NUL after the
 * last byte whenever buf is non-NULL, so text contents can be handed to
 * C string APIs without a copy.
 */
#pragma once

#include <stdarg.h>
#include <stddef.h>

struct strbuf {
        char *buf;  /* NULL until the first allocation */
        size_t len; /* bytes in use, not counting the trailing NUL */
        size_t cap; /* bytes allocated, including room for the NUL */
};

#define STRBUF_INIT                                                                                         \
        {                                                                                                   \
                NULL, 0, 0                                                                                  \
        }

int strbuf_grow(struct strbuf *sb, size_t extra);
/* Make room for extra more bytes (plus the NUL). -ENOMEM on failure. Inline: every field asks, and it
 * almost always fits. */
static inline int strbuf_reserve(struct strbuf *sb, size_t extra)
{
        if (sb && sb->buf && extra < sb->cap - sb->len)
                return 0;
        return strbuf_grow(sb, extra);
}
int strbuf_append(struct strbuf *sb, const void *data, size_t n);
/* Inline for the same reason: every field ends with one. */
static inline int strbuf_putc(struct strbuf *sb, char c)
{
        if (sb && sb->buf && sb->cap - sb->len > 1) {
                sb->buf[sb->len++] = c;
                sb->buf[sb->len] = '\0';
                return 0;
        }
        return strbuf_append(sb, &c, 1);
}
int strbuf_puts(struct strbuf *sb, const char *s);
/* Decimal, without printf: numbers are most of a record, and this is the hot path. */
int strbuf_put_u64(struct strbuf *sb, unsigned long long v);
int strbuf_printf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int strbuf_vprintf(struct strbuf *sb, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Empty the buffer but keep its memory for reuse. */
void strbuf_reset(struct strbuf *sb);
/* Release the memory; sb is left equal to STRBUF_INIT. */
void strbuf_free(struct strbuf *sb);

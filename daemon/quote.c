/*
 * quote: bash-style quoting of argv (see quote.h for the public rules).
 *
 * Three forms are used, from most to least readable, and the least
 * readable one is chosen only when an argument actually needs it: bare
 * words for the common case, '...' for anything a terminal can display,
 * and $'...' when escapes are required. The UTF-8 check is strict
 * (no overlongs, surrogates or values past U+10FFFF) because a lenient
 * decoder would let terminal-confusing bytes through literally.
 */
#include "quote.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

static bool is_plain_byte(unsigned char c)
{
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
                return true;
        return c != '\0' && strchr("_@%+=:,./-", c) != NULL;
}

static bool is_cont(unsigned char c)
{
        return (c & 0xc0) == 0x80;
}

/*
 * Characters a terminal shows as nothing or uses to reorder what follows: Unicode's default-ignorable code
 * points (zero-width characters, bidi controls, variation selectors, Hangul fillers, tag characters), the
 * line and paragraph separators and the invisible format controls. Literal, they would let an argument
 * look like another, or smuggle text no one sees, so they are escaped like control bytes.
 */
static bool is_invisible(uint32_t cp)
{
        static const struct {
                uint32_t lo, hi;
        } ranges[] = {
                {0x00ad, 0x00ad},   {0x034f, 0x034f},   {0x061c, 0x061c},   {0x115f, 0x1160},
                {0x17b4, 0x17b5},   {0x180b, 0x180f},   {0x200b, 0x200f},   {0x2028, 0x202e},
                {0x2060, 0x206f},   {0x3164, 0x3164},   {0xfe00, 0xfe0f},   {0xfeff, 0xfeff},
                {0xffa0, 0xffa0},   {0xfff0, 0xfffb},   {0x13430, 0x1343f}, {0x1bca0, 0x1bca3},
                {0x1d173, 0x1d17a}, {0xe0000, 0xe0fff},
        };

        for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
                if (cp >= ranges[i].lo && cp <= ranges[i].hi)
                        return true;
        return false;
}

/*
 * Length (2..4) of the well-formed UTF-8 sequence at s that encodes a
 * displayable code point (>= U+00A0, not invisible), or 0 if there is
 * none. C1 controls (U+0080..U+009F) count as not displayable: terminals
 * act on them.
 */
static size_t utf8_safe_len(const unsigned char *s, size_t n)
{
        uint32_t cp;
        size_t k, i;

        if (s[0] >= 0xc2 && s[0] <= 0xdf) {
                k = 2;
                cp = s[0] & 0x1f;
        } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
                k = 3;
                cp = s[0] & 0x0f;
        } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
                k = 4;
                cp = s[0] & 0x07;
        } else {
                return 0;
        }
        if (n < k)
                return 0;
        for (i = 1; i < k; i++) {
                if (!is_cont(s[i]))
                        return 0;
                cp = (cp << 6) | (s[i] & 0x3f);
        }

        if (cp < 0xa0)
                return 0;
        if (k == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff)))
                return 0;
        if (k == 4 && (cp < 0x10000 || cp > 0x10ffff))
                return 0;
        return is_invisible(cp) ? 0 : k;
}

bool quote_is_plain(const char *arg, size_t len)
{
        size_t i;

        if (!arg || len == 0)
                return false;
        for (i = 0; i < len; i++)
                if (!is_plain_byte((unsigned char)arg[i]))
                        return false;
        return true;
}

/* True when every byte can appear literally inside '...' and on a terminal. */
static bool is_displayable(const unsigned char *s, size_t len)
{
        size_t i = 0, k;

        while (i < len) {
                if (s[i] < 0x80) {
                        if (s[i] < 0x20 || s[i] == 0x7f)
                                return false;
                        i++;
                        continue;
                }
                k = utf8_safe_len(s + i, len - i);
                if (k == 0)
                        return false;
                i += k;
        }
        return true;
}

/*
 * Whether the quotes must be closed and reopened between a literal byte
 * >= 0x80 and the byte c after it. Locales with multibyte characters whose
 * later bytes can be ASCII make bash read such a pair as one character:
 * GBK, Big5 and Shift_JIS take a backslash there (an escape, and the quoting
 * with it, would be lost), and GB18030 takes a digit as the start of a
 * four-byte character, with the closing quote after it. A quote itself is
 * never part of a character there, so closing the quotes is safe.
 */
static bool needs_break(unsigned char prev, unsigned char c)
{
        return prev >= 0x80 && (c == '\\' || (c >= '0' && c <= '9'));
}

static int quote_single(struct strbuf *sb, const char *arg, size_t len)
{
        const unsigned char *s = (const unsigned char *)arg;
        size_t run = 0;
        int r = strbuf_putc(sb, '\'');

        for (size_t i = 0; i < len && r >= 0; i++) {
                const char *cut = NULL;

                if (s[i] == '\'')
                        cut = "'\\''"; /* close, an escaped quote, reopen */
                else if (i > 0 && needs_break(s[i - 1], s[i]))
                        cut = "''";
                if (!cut)
                        continue;
                r = strbuf_append(sb, arg + run, i - run);
                if (r >= 0)
                        r = strbuf_puts(sb, cut);
                run = s[i] == '\'' ? i + 1 : i;
        }
        if (r >= 0)
                r = strbuf_append(sb, arg + run, len - run);
        if (r >= 0)
                r = strbuf_putc(sb, '\'');
        return r;
}

/* Escape for one ASCII byte inside $'...', or NULL to emit it literally. */
static const char *ansi_c_escape(unsigned char c)
{
        switch (c) {
        case '\\':
                return "\\\\";
        case '\'':
                return "\\'";
        case '\n':
                return "\\n";
        case '\t':
                return "\\t";
        case '\r':
                return "\\r";
        default:
                return NULL;
        }
}

static int quote_ansi_c(struct strbuf *sb, const char *arg, size_t len)
{
        static const char hex[] = "0123456789abcdef";
        const unsigned char *s = (const unsigned char *)arg;
        size_t i = 0, run = 0, k;
        const char *esc;
        char xbuf[4];
        int r;

        r = strbuf_append(sb, "$'", 2);
        if (r < 0)
                return r;
        /* Literal bytes are batched in [run, i) and flushed before each escape. */
        while (i < len) {
                if (s[i] >= 0x80) {
                        k = utf8_safe_len(s + i, len - i);
                        if (k > 0) {
                                i += k;
                                continue;
                        }
                        esc = NULL;
                } else {
                        esc = ansi_c_escape(s[i]);
                        if (!esc && s[i] >= 0x20 && s[i] != 0x7f) {
                                if (run < i && needs_break(s[i - 1], s[i])) {
                                        r = strbuf_append(sb, arg + run, i - run);
                                        if (r >= 0)
                                                r = strbuf_append(sb, "'$'", 3);
                                        if (r < 0)
                                                return r;
                                        run = i;
                                }
                                i++;
                                continue;
                        }
                }

                r = strbuf_append(sb, arg + run, i - run);
                if (r >= 0 && run < i && needs_break(s[i - 1], '\\')) /* every escape starts with one */
                        r = strbuf_append(sb, "'$'", 3);
                if (r < 0)
                        return r;
                if (esc) {
                        r = strbuf_puts(sb, esc);
                } else {
                        /* Always two digits, so a following hex digit is never absorbed. */
                        xbuf[0] = '\\';
                        xbuf[1] = 'x';
                        xbuf[2] = hex[s[i] >> 4];
                        xbuf[3] = hex[s[i] & 0xf];
                        r = strbuf_append(sb, xbuf, sizeof(xbuf));
                }
                if (r < 0)
                        return r;
                i++;
                run = i;
        }
        r = strbuf_append(sb, arg + run, i - run);
        if (r < 0)
                return r;
        return strbuf_putc(sb, '\'');
}

static int quote_one(struct strbuf *sb, const char *arg, size_t len)
{
        if (quote_is_plain(arg, len))
                return strbuf_append(sb, arg, len);
        if (is_displayable((const unsigned char *)arg, len))
                return quote_single(sb, arg, len);
        return quote_ansi_c(sb, arg, len);
}

/* Drop a partial append so callers never see half a quoted argument. */
static void restore_len(struct strbuf *sb, size_t len)
{
        sb->len = len;
        if (sb->buf)
                sb->buf[len] = '\0';
}

int quote_text(struct strbuf *sb, const char *text, size_t len)
{
        const unsigned char *s = (const unsigned char *)text;
        size_t i = 0, run = 0, k, old = sb->len;
        int r = 0;

        /* Safe bytes are batched in [run, i) and flushed before each escape. */
        while (i < len && r >= 0) {
                k = s[i] < 0x80 ? (s[i] >= 0x20 && s[i] != 0x7f) : utf8_safe_len(s + i, len - i);
                if (k > 0) {
                        i += k;
                        continue;
                }
                r = strbuf_append(sb, text + run, i - run);
                if (r >= 0)
                        r = strbuf_printf(sb, "\\x%02x", s[i]);
                run = ++i;
        }
        if (r >= 0)
                r = strbuf_append(sb, text + run, len - run);
        if (r < 0)
                restore_len(sb, old);
        return r;
}

int quote_arg(struct strbuf *sb, const char *arg, size_t len)
{
        size_t old;
        int r;

        if (!sb || (!arg && len > 0))
                return -EINVAL;
        old = sb->len;
        r = quote_one(sb, arg, len);
        if (r < 0)
                restore_len(sb, old);
        return r;
}

int quote_argv(struct strbuf *sb, const char *block, size_t len)
{
        const char *nul;
        size_t old, i = 0, n;
        int r = 0;

        if (!sb || (!block && len > 0))
                return -EINVAL;
        old = sb->len;
        while (i < len) {
                nul = memchr(block + i, '\0', len - i);
                /* A missing final NUL means the capture was cut short: quote what we have. */
                n = nul ? (size_t)(nul - (block + i)) : len - i;
                if (i > 0) {
                        r = strbuf_putc(sb, ' ');
                        if (r < 0)
                                goto fail;
                }
                r = quote_one(sb, block + i, n);
                if (r < 0)
                        goto fail;
                i += n + (nul ? 1 : 0);
        }
        return 0;
fail:
        restore_len(sb, old);
        return r;
}

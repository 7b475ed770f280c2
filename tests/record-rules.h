/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What execauditd(8) promises of EXEC_CMDLINE and MESSAGE, restated independently of daemon/quote.c:
 * well-formed UTF-8 with no control byte, no C1 control and no invisible or reordering format character.
 * Returns the offset of the first offending byte, or len when there is none.
 */
#ifndef EA_TERMINAL_SAFE_H
#define EA_TERMINAL_SAFE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

static inline bool format_char(uint32_t cp)
{
        return cp == 0x00ad ||                   /* soft hyphen */
               cp == 0x061c ||                   /* Arabic letter mark */
               (cp >= 0x200b && cp <= 0x200f) || /* zero-width, LRM, RLM */
               (cp >= 0x2028 && cp <= 0x202e) || /* line and paragraph separators, bidi embeddings */
               (cp >= 0x2060 && cp <= 0x2064) || /* word joiner, invisible operators */
               (cp >= 0x2066 && cp <= 0x2069) || /* bidi isolates */
               cp == 0xfeff;                     /* BOM */
}

/* [A-Z0-9_], 1..64 bytes, not starting with '_' or a digit. */
static inline bool journal_name_ok(const char *p, size_t n)
{
        if (n == 0 || n > 64 || p[0] == '_' || (p[0] >= '0' && p[0] <= '9'))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!((p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= '0' && p[i] <= '9') || p[i] == '_'))
                        return false;
        return true;
}

/*
 * Safe on a terminal: well-formed UTF-8 with no control byte, no C1 control and no invisible or reordering
 * format character. Returns the offset of the first offending byte, or len when there is none.
 */
static inline size_t terminal_unsafe_at(const char *s, size_t len)
{
        const unsigned char *p = (const unsigned char *)s;
        size_t i = 0;

        while (i < len) {
                unsigned char c = p[i];
                uint32_t cp, min;
                size_t k;

                if (c < 0x80) {
                        if (c < 0x20 || c == 0x7f)
                                return i;
                        i++;
                        continue;
                }
                if ((c & 0xe0) == 0xc0) {
                        k = 2, cp = c & 0x1f, min = 0x80;
                } else if ((c & 0xf0) == 0xe0) {
                        k = 3, cp = c & 0x0f, min = 0x800;
                } else if ((c & 0xf8) == 0xf0) {
                        k = 4, cp = c & 0x07, min = 0x10000;
                } else {
                        return i;
                }
                if (len - i < k)
                        return i;
                for (size_t j = 1; j < k; j++) {
                        if ((p[i + j] & 0xc0) != 0x80)
                                return i;
                        cp = cp << 6 | (p[i + j] & 0x3f);
                }
                if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || cp < 0xa0 ||
                    format_char(cp))
                        return i;
                i += k;
        }
        return len;
}

#endif

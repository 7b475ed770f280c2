// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target for daemon/quote.c. The input is a captured argv block (NUL-separated strings, the last one
 * possibly unterminated). Properties, from quote.h and execauditd(8):
 *  - EXEC_CMDLINE reads back, word by word, to exactly the captured arguments. The reader here accepts only
 *    what the documented rules produce (plain words, '...' with \' between, $'...' with \\ \' \n \t \r
 * \xNN), so a quoting outside the rules fails too;
 *  - it is safe on a terminal (tests/record-rules.h);
 *  - a byte >= 0x80 is never followed by a backslash or a digit (the GBK, Big5, Shift_JIS, GB18030 rule);
 *  - quote_arg() of the whole input, NULs included, reads back to it;
 *  - on failure the buffer is unchanged.
 */
#include "quote.h"
#include "strbuf.h"
#include "fuzz-check.h"
#include "record-rules.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static bool plain_byte(unsigned char c)
{
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               strchr("_@%+=:,./-", c) != NULL;
}

static int hex(unsigned char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

/* Reads one word at s[*at..len) into out (which has room for len bytes); false if it breaks the rules. */
static bool read_word(const char *s, size_t len, size_t *at, char *out, size_t *out_len)
{
        size_t i = *at, o = 0;
        bool any = false;

        while (i < len && s[i] != ' ') {
                any = true;
                if (s[i] == '\'') {
                        for (i++; i < len && s[i] != '\''; i++)
                                out[o++] = s[i];
                        if (i == len)
                                return false;
                        i++;
                } else if (s[i] == '$' && i + 1 < len && s[i + 1] == '\'') {
                        for (i += 2; i < len && s[i] != '\'';) {
                                if (s[i] != '\\') {
                                        out[o++] = s[i++];
                                        continue;
                                }
                                if (i + 1 >= len)
                                        return false;
                                switch (s[i + 1]) {
                                case '\\':
                                case '\'':
                                        out[o++] = s[i + 1];
                                        break;
                                case 'n':
                                        out[o++] = '\n';
                                        break;
                                case 't':
                                        out[o++] = '\t';
                                        break;
                                case 'r':
                                        out[o++] = '\r';
                                        break;
                                case 'x':
                                        if (i + 3 >= len || hex((unsigned char)s[i + 2]) < 0 ||
                                            hex((unsigned char)s[i + 3]) < 0)
                                                return false;
                                        out[o++] = (char)(hex((unsigned char)s[i + 2]) << 4 |
                                                          hex((unsigned char)s[i + 3]));
                                        i += 2;
                                        break;
                                default:
                                        return false;
                                }
                                i += 2;
                        }
                        if (i == len)
                                return false;
                        i++;
                } else if (s[i] == '\\' && i + 1 < len && s[i + 1] == '\'') {
                        out[o++] = '\'';
                        i += 2;
                } else if (plain_byte((unsigned char)s[i])) {
                        out[o++] = s[i++];
                } else {
                        return false;
                }
        }
        if (!any)
                return false; /* the empty argument is '' */
        *at = i;
        *out_len = o;
        return true;
}

static void check_common(const struct strbuf *q)
{
        size_t bad = terminal_unsafe_at(q->buf, q->len);

        FUZZ_CHECK(bad == q->len, "byte 0x%02x at %zu of %zu", (unsigned char)q->buf[bad], bad, q->len);
        for (size_t i = 0; i + 1 < q->len; i++) {
                unsigned char c = (unsigned char)q->buf[i], next = (unsigned char)q->buf[i + 1];

                FUZZ_CHECK(c < 0x80 || (next != '\\' && !(next >= '0' && next <= '9')),
                           "0x%02x then '%c' at %zu", c, next, i);
        }
}

static void check_argv(const uint8_t *data, size_t size)
{
        const char *block = (const char *)data;
        struct strbuf q = STRBUF_INIT;
        char *word;
        size_t at = 0, arg = 0;

        if (quote_argv(&q, block, size) < 0) {
                FUZZ_CHECK(q.len == 0, "failure changed the buffer");
                strbuf_free(&q);
                return;
        }
        if (size == 0) {
                FUZZ_CHECK(q.len == 0, "nothing captured, %zu bytes out", q.len);
                strbuf_free(&q);
                return;
        }
        check_common(&q);
        word = malloc(q.len + 1);
        FUZZ_CHECK(word != NULL, "malloc");
        while (arg < size) {
                const char *nul = memchr(block + arg, '\0', size - arg);
                size_t want = nul ? (size_t)(nul - (block + arg)) : size - arg, got = 0;

                if (at) {
                        FUZZ_CHECK(at < q.len && q.buf[at] == ' ', "no space before the word at %zu", at);
                        at++;
                }
                FUZZ_CHECK(read_word(q.buf, q.len, &at, word, &got), "word at %zu does not read back", at);
                FUZZ_CHECK(got == want && memcmp(word, block + arg, want) == 0,
                           "argument at byte %zu reads back as %zu bytes, want %zu", arg, got, want);
                arg += want + (nul != NULL);
        }
        FUZZ_CHECK(at == q.len, "%zu bytes after the last argument", q.len - at);
        free(word);
        strbuf_free(&q);
}

static void check_arg(const uint8_t *data, size_t size)
{
        struct strbuf q = STRBUF_INIT;
        char *word;
        size_t at = 0, got = 0;

        if (quote_arg(&q, (const char *)data, size) < 0) {
                strbuf_free(&q);
                return;
        }
        check_common(&q);
        word = malloc(q.len + 1);
        FUZZ_CHECK(word != NULL, "malloc");
        FUZZ_CHECK(read_word(q.buf, q.len, &at, word, &got) && at == q.len,
                   "does not read back as one word");
        FUZZ_CHECK(got == size && memcmp(word, data, size) == 0, "reads back as %zu bytes, want %zu", got,
                   size);
        FUZZ_CHECK(quote_is_plain((const char *)data, size) ==
                           (q.len == size && memcmp(q.buf, data, size) == 0),
                   "quote_is_plain disagrees with the output");
        free(word);
        strbuf_free(&q);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        check_argv(data, size);
        check_arg(data, size);
        return 0;
}

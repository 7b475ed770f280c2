/*
 * Unit test for daemon/strbuf.c.
 *
 * Checks exact contents and lengths after each kind of append, that binary
 * data (embedded NULs) survives, that printf output larger than the
 * current allocation (past 4 KiB) is not truncated, that reset keeps the
 * memory, that size overflow is refused, and that a NUL follows the data
 * after every operation, since callers pass buf to C string APIs.
 */
#include "strbuf.h"
#include "check.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Contents must equal want[0..n), with the NUL invariant and a sane capacity. */
static void expect(const char *what, const struct strbuf *sb, const void *want, size_t n)
{
        if (sb->len != n) {
                FAIL("%s: len %zu, want %zu", what, sb->len, n);
                return;
        }
        if (!sb->buf) {
                FAIL("%s: buf is NULL", what);
                return;
        }
        if (sb->cap <= sb->len)
                FAIL("%s: cap %zu leaves no room for the NUL after len %zu", what, sb->cap, sb->len);
        if (memcmp(sb->buf, want, n) != 0)
                FAIL("%s: contents differ", what);
        if (sb->buf[sb->len] != '\0')
                FAIL("%s: no NUL after len", what);
}

static void test_init_and_free(void)
{
        struct strbuf sb = STRBUF_INIT;

        if (sb.buf || sb.len || sb.cap)
                FAIL("STRBUF_INIT is not all zero");
        /* Freeing and resetting an untouched buffer must be harmless. */
        strbuf_reset(&sb);
        strbuf_free(&sb);
        if (sb.buf || sb.len || sb.cap)
                FAIL("free left state behind");

        CHECK_RC(strbuf_reserve(&sb, 0), 0);
        expect("reserve(0) on empty", &sb, "", 0);
        strbuf_free(&sb);
        if (sb.buf || sb.len || sb.cap)
                FAIL("free did not return to STRBUF_INIT");
}

static void test_appends(void)
{
        struct strbuf sb = STRBUF_INIT;

        CHECK_RC(strbuf_append(&sb, NULL, 0), 0);
        expect("append nothing", &sb, "", 0);
        CHECK_RC(strbuf_puts(&sb, "exec"), 0);
        expect("puts", &sb, "exec", 4);
        CHECK_RC(strbuf_putc(&sb, ' '), 0);
        expect("putc", &sb, "exec ", 5);
        CHECK_RC(strbuf_append(&sb, "/bin/true-ignored", 9), 0);
        expect("append n", &sb, "exec /bin/true", 14);
        CHECK_RC(strbuf_puts(&sb, ""), 0);
        expect("puts empty", &sb, "exec /bin/true", 14);
        CHECK_RC(strbuf_printf(&sb, " pid=%d uid=%u %s", 42, 0u, "ok"), 0);
        expect("printf", &sb, "exec /bin/true pid=42 uid=0 ok", 30);

        CHECK_RC(strbuf_append(&sb, NULL, 1), -EINVAL);
        CHECK_RC(strbuf_puts(&sb, NULL), -EINVAL);
        CHECK_RC(strbuf_append(NULL, "x", 1), -EINVAL);
        expect("after rejected calls", &sb, "exec /bin/true pid=42 uid=0 ok", 30);
        strbuf_free(&sb);
}

static void test_binary(void)
{
        static const char bin[] = {'a', '\0', 'b', '\0', '\0', (char)0xff, '\n'};
        struct strbuf sb = STRBUF_INIT;
        char big[1000];
        size_t i;

        CHECK_RC(strbuf_append(&sb, bin, sizeof(bin)), 0);
        expect("binary", &sb, bin, sizeof(bin));
        CHECK_RC(strbuf_putc(&sb, '\0'), 0);
        expect("putc NUL", &sb, "a\0b\0\0\xff\n\0", 8);
        /* puts stops at the first NUL, by definition. */
        CHECK_RC(strbuf_puts(&sb, "z\0ignored"), 0);
        expect("puts stops at NUL", &sb, "a\0b\0\0\xff\n\0z", 9);

        /* Many NUL-heavy appends across several reallocations. */
        strbuf_reset(&sb);
        for (i = 0; i < sizeof(big); i++)
                big[i] = (char)(i % 3 == 0 ? 0 : i);
        for (i = 0; i < sizeof(big); i++)
                CHECK_RC(strbuf_putc(&sb, big[i]), 0);
        expect("1000 putc", &sb, big, sizeof(big));
        strbuf_free(&sb);
}

static void test_printf_growth(void)
{
        struct strbuf sb = STRBUF_INIT;
        char want[10000];
        size_t i, n = 0;

        /* One call whose output (5000 bytes) is larger than anything allocated before. */
        for (i = 0; i < 5000; i++)
                want[i] = (char)('a' + i % 26);
        want[5000] = '\0';
        CHECK_RC(strbuf_printf(&sb, "%s", want), 0);
        expect("printf 5000 in one call", &sb, want, 5000);

        /* Repeated small printfs crossing 4 KiB, starting from a non-empty buffer. */
        strbuf_reset(&sb);
        CHECK_RC(strbuf_puts(&sb, "x"), 0);
        n = 1;
        want[0] = 'x';
        for (i = 0; i < 900; i++) {
                int w = snprintf(want + n, sizeof(want) - n, "[%zu]", i);
                n += (size_t)w;
                CHECK_RC(strbuf_printf(&sb, "[%zu]", i), 0);
        }
        if (n <= 4096)
                FAIL("test did not cross 4 KiB (%zu)", n);
        expect("900 printf", &sb, want, n);

        /* Width-padded output, exactly filling a boundary-sized request. */
        strbuf_free(&sb);
        CHECK_RC(strbuf_printf(&sb, "%*s|", 4095, "r"), 0);
        if (sb.len != 4096 || sb.buf[4094] != 'r' || sb.buf[4095] != '|' || sb.buf[0] != ' ' ||
            sb.buf[4096] != '\0')
                FAIL("padded printf: len %zu", sb.len);
        strbuf_free(&sb);
}

static void test_reset(void)
{
        struct strbuf sb = STRBUF_INIT;
        char *old;
        size_t cap;

        CHECK_RC(strbuf_printf(&sb, "%0500d", 7), 0);
        old = sb.buf;
        cap = sb.cap;
        strbuf_reset(&sb);
        expect("reset", &sb, "", 0);
        if (sb.buf != old || sb.cap != cap)
                FAIL("reset released or moved memory");
        CHECK_RC(strbuf_puts(&sb, "again"), 0);
        expect("append after reset", &sb, "again", 5);
        if (sb.buf != old)
                FAIL("small append after reset reallocated");
        strbuf_free(&sb);
}

static void test_overflow(void)
{
        struct strbuf sb = STRBUF_INIT;

        CHECK_RC(strbuf_puts(&sb, "keep"), 0);
        CHECK_RC(strbuf_reserve(&sb, SIZE_MAX), -ENOMEM);
        CHECK_RC(strbuf_reserve(&sb, SIZE_MAX - 4), -ENOMEM);
        CHECK_RC(strbuf_reserve(&sb, SIZE_MAX - 5), -ENOMEM);
        /* Past PTRDIFF_MAX is refused before reaching the allocator. */
        CHECK_RC(strbuf_reserve(&sb, PTRDIFF_MAX), -ENOMEM);
        CHECK_RC(strbuf_append(&sb, "x", SIZE_MAX), -ENOMEM);
        expect("after failed reserves", &sb, "keep", 4);

        CHECK_RC(strbuf_reserve(&sb, 100), 0);
        if (sb.cap < 4 + 100 + 1)
                FAIL("reserve(100) gave cap %zu", sb.cap);
        expect("after reserve", &sb, "keep", 4);
        strbuf_free(&sb);
}

/* Numbers are formatted by hand on the hot path: every digit count, and the growth past the first block. */
static void check_u64(struct strbuf *sb, unsigned long long v)
{
        char want[24];

        snprintf(want, sizeof(want), "%llu", v);
        set_case("put_u64 %s", want);
        strbuf_reset(sb);
        CHECK_NUM(strbuf_put_u64(sb, v), 0);
        CHECK_STR(sb->buf, want);
}

static void test_put_u64(void)
{
        static const struct {
                unsigned long long v;
                const char *want;
        } cases[] = {{0, "0"},
                     {7, "7"},
                     {9, "9"},
                     {10, "10"},
                     {99, "99"},
                     {100, "100"},
                     {101, "101"},
                     {1000, "1000"},
                     {4294967295ULL, "4294967295"},
                     {10000000000000000000ULL, "10000000000000000000"},
                     {18446744073709551615ULL, "18446744073709551615"}};
        struct strbuf sb = STRBUF_INIT;

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                set_case("put_u64 %s", cases[i].want);
                strbuf_reset(&sb);
                CHECK_NUM(strbuf_put_u64(&sb, cases[i].v), 0);
                CHECK_STR(sb.buf, cases[i].want);
        }
        /* Two digits at a time: every value up to 10^5, and each power of ten above it and its neighbours.
         */
        for (unsigned long long v = 0; v <= 100000; v++)
                check_u64(&sb, v);
        for (unsigned long long p = 1000000;; p *= 10) {
                check_u64(&sb, p - 1);
                check_u64(&sb, p);
                check_u64(&sb, p + 1);
                if (p > ULLONG_MAX / 10)
                        break;
        }
        set_case("put_u64 growth");
        strbuf_reset(&sb);
        for (int i = 0; i < 100; i++)
                CHECK_NUM(strbuf_put_u64(&sb, 18446744073709551615ULL), 0);
        CHECK_NUM(sb.len, 2000);
        CHECK(sb.buf && strncmp(sb.buf + 1980, "18446744073709551615", 20) == 0 && sb.buf[2000] == '\0');
        strbuf_free(&sb);
}

int main(void)
{
        test_init_and_free();
        test_appends();
        test_binary();
        test_printf_growth();
        test_reset();
        test_overflow();
        test_put_u64();
        return check_summary("test-strbuf");
}

/*
 * Unit test for daemon/record.c: the journal entry builder.
 *
 * journald silently drops a field with an invalid name and drops a whole entry with too many fields, so
 * the name check and the field limit are part of what keeps audit records from vanishing. Values must
 * reach journal_send() byte for byte, NULs and newlines included.
 */
#include "record.h"
#include "strbuf.h"
#include "check.h"

#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* iov must be exactly "NAME=value" (value of vlen bytes). */
#define CHECK_IOV(iov, name, value, vlen)                                                                   \
        do {                                                                                                \
                size_t nl_ = strlen(name);                                                                  \
                const char *b_ = (iov).iov_base;                                                            \
                if ((iov).iov_len != nl_ + 1 + (vlen) || memcmp(b_, name, nl_) != 0 || b_[nl_] != '=' ||    \
                    memcmp(b_ + nl_ + 1, value, vlen) != 0) {                                               \
                        fprintf(stderr, "FAIL %s:%d: [%s] iovec is not %s=<%zu bytes> (len %zu)\n",         \
                                __FILE__, __LINE__, case_name, name, (size_t)(vlen), (iov).iov_len);        \
                        failures++;                                                                         \
                }                                                                                           \
        } while (0)

#define S(lit) lit, sizeof(lit) - 1

static void test_names(void)
{
        static const struct {
                const char *name;
                size_t len;
                bool ok;
        } v[] = {
                {S("A"), true},
                {S("MESSAGE"), true},
                {S("EXEC_UID"), true},
                {S("A1"), true},
                {S("A_"), true},
                {S("A__B"), true},
                {S("CODE_LINE"), true},
                {S("Z9_0"), true},
                {S(""), false},
                {S("_A"), false},
                {S("__REALTIME_TIMESTAMP"), false},
                {S("_SYSTEMD_UNIT"), false},
                {S("1A"), false},
                {S("9"), false},
                {S("a"), false},
                {S("message"), false},
                {S("Ab"), false},
                {S("A-B"), false},
                {S("A=B"), false},
                {S("A="), false},
                {S("A B"), false},
                {S("A.B"), false},
                {S("A\nB"), false},
                {S("A\0B"), false},
                {S("\xc3\x89T"), false},
                {S("A\x7f"), false},
        };
        char n64[65], n65[66];

        for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
                set_case("name %zu \"%.*s\"", i, (int)v[i].len, v[i].name);
                CHECK(journal_field_name_valid(v[i].name, v[i].len) == v[i].ok);
        }

        memset(n64, 'A', 64);
        n64[64] = '\0';
        memset(n65, 'B', 65);
        n65[65] = '\0';
        set_case("64-character name");
        CHECK(journal_field_name_valid(n64, 64));
        set_case("65-character name");
        CHECK(!journal_field_name_valid(n65, 65));
        set_case("only len bytes are looked at");
        CHECK(journal_field_name_valid("ABc", 2));
        CHECK(journal_field_name_valid(n65, 64));
        CHECK(!journal_field_name_valid("ABC", 0));
}

static void test_basic(void)
{
        struct record r;
        struct iovec iov[RECORD_MAX_FIELDS];
        size_t len;
        const char *v;

        set_case("basic fields");
        record_init(&r);
        CHECK_NUM(record_iovec(&r, iov), 0);
        record_add_str(&r, "MESSAGE", "hello");
        record_add_u64(&r, "U", 18446744073709551615ull);
        record_add_i64(&r, "I", LLONG_MIN);
        record_add_i64(&r, "J", -1);
        record_addf(&r, "F", "%s-%d-%c", "x", 42, 'y');
        record_add(&r, "EMPTY", NULL, 0);
        record_add_str(&r, "EMPTY2", "");
        record_add_str(&r, "EXEC_UID", "1000");
        record_add_str(&r, "EXEC_UIDX", "other");
        CHECK_NUM(r.error, 0);
        CHECK_NUM(record_iovec(&r, iov), 9);
        CHECK_IOV(iov[0], "MESSAGE", "hello", 5);
        CHECK_IOV(iov[1], "U", "18446744073709551615", 20);
        CHECK_IOV(iov[2], "I", "-9223372036854775808", 20);
        CHECK_IOV(iov[3], "J", "-1", 2);
        CHECK_IOV(iov[4], "F", "x-42-y", 6);
        CHECK_IOV(iov[5], "EMPTY", "", 0);
        CHECK_IOV(iov[6], "EMPTY2", "", 0);
        CHECK_IOV(iov[7], "EXEC_UID", "1000", 4);
        CHECK_IOV(iov[8], "EXEC_UIDX", "other", 5);

        set_case("record_get");
        v = record_get(&r, "MESSAGE", &len);
        CHECK(v && len == 5 && memcmp(v, "hello", 5) == 0);
        v = record_get(&r, "EMPTY", &len);
        CHECK(v && len == 0);
        v = record_get(&r, "EXEC_UID", &len);
        CHECK(v && len == 4 && memcmp(v, "1000", 4) == 0);
        v = record_get(&r, "EXEC_UIDX", &len);
        CHECK(v && len == 5 && memcmp(v, "other", 5) == 0);
        CHECK(record_get(&r, "EXEC_UI", NULL) == NULL);
        CHECK(record_get(&r, "MESSAGES", NULL) == NULL);
        CHECK(record_get(&r, "NOPE", NULL) == NULL);
        CHECK(record_get(&r, "F", NULL) != NULL);

        set_case("record_reset");
        record_reset(&r);
        CHECK_NUM(record_iovec(&r, iov), 0);
        CHECK(record_get(&r, "MESSAGE", NULL) == NULL);
        record_add_str(&r, "B", "2");
        CHECK_NUM(record_iovec(&r, iov), 1);
        CHECK_IOV(iov[0], "B", "2", 1);
        record_free(&r);

        set_case("record_free leaves a reusable record");
        CHECK(r.buf.buf == NULL && r.n == 0 && r.error == 0);
        record_add_str(&r, "C", "3");
        CHECK_NUM(record_iovec(&r, iov), 1);
        CHECK_IOV(iov[0], "C", "3", 1);
        record_free(&r);
        record_free(&r); /* twice is harmless */
}

static void test_invalid_name(void)
{
        static const char *const bad[] = {"lower", "_PRIVATE", "1ST", "A-B", "A=B", ""};
        struct record r;
        struct iovec iov[RECORD_MAX_FIELDS];

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                set_case("invalid name \"%s\" through record_add", bad[i]);
                record_init(&r);
                record_add_str(&r, "GOOD", "1");
                record_add_str(&r, bad[i], "x");
                CHECK_NUM(r.error, -EINVAL);
                CHECK_NUM(record_iovec(&r, iov), -EINVAL);
                /* Sticky: later valid fields do not clear it and are not added. */
                record_add_str(&r, "LATER", "2");
                record_add_u64(&r, "LATER2", 3);
                CHECK_NUM(record_iovec(&r, iov), -EINVAL);
                CHECK_NUM(r.n, 1);
                CHECK(record_get(&r, "LATER", NULL) == NULL);
                record_reset(&r);
                CHECK_NUM(r.error, 0);
                record_add_str(&r, "AFTER_RESET", "ok");
                CHECK_NUM(record_iovec(&r, iov), 1);
                record_free(&r);
        }

        set_case("invalid name through record_addf, record_add_u64, record_field_begin");
        record_init(&r);
        record_addf(&r, "bad", "%d", 1);
        CHECK_NUM(record_iovec(&r, iov), -EINVAL);
        record_reset(&r);
        record_add_u64(&r, "_X", 1);
        CHECK_NUM(record_iovec(&r, iov), -EINVAL);
        record_reset(&r);
        record_add_i64(&r, "9X", -1);
        CHECK_NUM(record_iovec(&r, iov), -EINVAL);
        record_reset(&r);
        CHECK(record_field_begin(&r, "x") == NULL);
        record_field_end(&r, 0);
        CHECK_NUM(record_iovec(&r, iov), -EINVAL);
        record_free(&r);

        set_case("65-character name");
        record_init(&r);
        record_add_str(&r, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "x");
        CHECK_NUM(record_iovec(&r, iov), -EINVAL);
        record_reset(&r);
        record_add_str(&r, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "x");
        CHECK_NUM(record_iovec(&r, iov), 1);
        record_free(&r);
}

static void test_too_many(void)
{
        struct record r;
        struct iovec iov[RECORD_MAX_FIELDS];
        char name[32];

        set_case("exactly RECORD_MAX_FIELDS fields");
        record_init(&r);
        for (unsigned i = 0; i < RECORD_MAX_FIELDS; i++) {
                snprintf(name, sizeof(name), "F%u", i);
                record_add_u64(&r, name, i);
        }
        CHECK_NUM(r.error, 0);
        CHECK_NUM(record_iovec(&r, iov), RECORD_MAX_FIELDS);
        CHECK_IOV(iov[RECORD_MAX_FIELDS - 1], "F63", "63", 2);

        set_case("one field more than RECORD_MAX_FIELDS");
        record_add_str(&r, "ONE_TOO_MANY", "x");
        CHECK_NUM(r.error, -E2BIG);
        CHECK_NUM(record_iovec(&r, iov), -E2BIG);
        CHECK_NUM(r.n, RECORD_MAX_FIELDS);
        record_reset(&r);

        set_case("too many through record_addf and record_field_begin");
        for (unsigned i = 0; i < RECORD_MAX_FIELDS; i++)
                record_addf(&r, "X", "%u", i);
        record_addf(&r, "X", "%u", 99u);
        CHECK_NUM(record_iovec(&r, iov), -E2BIG);
        record_reset(&r);
        for (unsigned i = 0; i < RECORD_MAX_FIELDS; i++)
                record_add_str(&r, "Y", "y");
        CHECK(record_field_begin(&r, "Z") == NULL);
        CHECK_NUM(record_iovec(&r, iov), -E2BIG);
        record_free(&r);
}

static void test_binary(void)
{
        static const char bin[] = "a\0b\nEXEC_UID=0\n\0\xff\x1b[0m\r\n=";
        const size_t blen = sizeof(bin) - 1;
        struct record r;
        struct iovec iov[RECORD_MAX_FIELDS];
        char all[256];
        size_t len;
        const char *v;

        set_case("binary values survive byte-exact");
        record_init(&r);
        record_add(&r, "BIN", bin, blen);
        record_add(&r, "NUL", "\0", 1);
        record_add(&r, "NL", "\n", 1);
        record_add_str(&r, "AFTER", "z");
        CHECK_NUM(record_iovec(&r, iov), 4);
        CHECK_IOV(iov[0], "BIN", bin, blen);
        CHECK_IOV(iov[1], "NUL", "\0", 1);
        CHECK_IOV(iov[2], "NL", "\n", 1);
        CHECK_IOV(iov[3], "AFTER", "z", 1);
        v = record_get(&r, "BIN", &len);
        CHECK(v && len == blen && memcmp(v, bin, blen) == 0);
        v = record_get(&r, "NUL", &len);
        CHECK(v && len == 1 && v[0] == '\0');
        /* The embedded "EXEC_UID=0" is not a field of its own. */
        CHECK(record_get(&r, "EXEC_UID", NULL) == NULL);

        set_case("values are contiguous after their name");
        for (size_t i = 0, o = 0; i < 4; i++) {
                CHECK(o + iov[i].iov_len <= sizeof(all));
                if (o + iov[i].iov_len <= sizeof(all)) {
                        memcpy(all + o, iov[i].iov_base, iov[i].iov_len);
                        o += iov[i].iov_len;
                }
        }
        CHECK(memcmp(all, "BIN=a\0b\n", 8) == 0);
        record_free(&r);
}

static void test_growth(void)
{
        struct record r;
        struct iovec iov[RECORD_MAX_FIELDS];
        size_t sizes[] = {4094, 4095, 4096, 4097, 8191, 70000};
        char *big = malloc(70001);
        size_t len;
        const char *v;

        if (!big) {
                CHECK(!"out of memory");
                return;
        }
        for (size_t i = 0; i < 70000; i++)
                big[i] = (char)('a' + i % 26);
        big[70000] = '\0';

        for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
                size_t n = sizes[k];

                set_case("record_addf of %zu bytes after small fields", n);
                record_init(&r);
                record_add_str(&r, "FIRST", "1");
                record_addf(&r, "SMALL", "%d", 2);
                record_addf(&r, "BIG", "<%.*s>", (int)n, big);
                record_add_str(&r, "LAST", "3");
                CHECK_NUM(r.error, 0);
                CHECK_NUM(record_iovec(&r, iov), 4);
                CHECK_IOV(iov[0], "FIRST", "1", 1);
                CHECK_IOV(iov[1], "SMALL", "2", 1);
                v = record_get(&r, "BIG", &len);
                CHECK(v && len == n + 2 && v[0] == '<' && v[n + 1] == '>' && memcmp(v + 1, big, n) == 0);
                CHECK_IOV(iov[3], "LAST", "3", 1);
                record_free(&r);
        }

        set_case("many record_addf calls crossing 4 KiB several times");
        record_init(&r);
        for (unsigned i = 0; i < RECORD_MAX_FIELDS; i++)
                record_addf(&r, "G", "%u:%.*s", i, 300, big);
        CHECK_NUM(record_iovec(&r, iov), RECORD_MAX_FIELDS);
        for (unsigned i = 0; i < RECORD_MAX_FIELDS; i++) {
                char want[400];
                int wl = snprintf(want, sizeof(want), "%u:%.*s", i, 300, big);

                CHECK_IOV(iov[i], "G", want, (size_t)wl);
        }
        record_free(&r);

        set_case("record_add of two 70000-byte values");
        record_init(&r);
        record_add_str(&r, "A", "a");
        record_add(&r, "HUGE", big, 70000);
        record_add(&r, "HUGE2", big, 70000);
        CHECK_NUM(record_iovec(&r, iov), 3);
        CHECK_IOV(iov[1], "HUGE", big, 70000);
        CHECK_IOV(iov[2], "HUGE2", big, 70000);
        record_free(&r);
        free(big);
}

static void test_field_begin_end(void)
{
        struct record r;
        struct iovec iov[RECORD_MAX_FIELDS];
        struct strbuf *sb;
        char chunk[1000];

        set_case("record_field_begin/end");
        record_init(&r);
        record_add_str(&r, "BEFORE", "b");
        sb = record_field_begin(&r, "MESSAGE");
        CHECK(sb != NULL);
        if (sb) {
                int e = strbuf_puts(sb, "hello");

                if (e >= 0)
                        e = strbuf_printf(sb, " %d", 42);
                if (e >= 0)
                        e = strbuf_append(sb, "\0x", 2);
                record_field_end(&r, e);
        }
        record_add_str(&r, "AFTER", "a");
        CHECK_NUM(record_iovec(&r, iov), 3);
        CHECK_IOV(iov[0], "BEFORE", "b", 1);
        CHECK_IOV(iov[1], "MESSAGE", "hello 42\0x", 10);
        CHECK_IOV(iov[2], "AFTER", "a", 1);

        set_case("record_field_begin with an empty value");
        sb = record_field_begin(&r, "EMPTY");
        CHECK(sb != NULL);
        record_field_end(&r, 0);
        CHECK_NUM(record_iovec(&r, iov), 4);
        CHECK_IOV(iov[3], "EMPTY", "", 0);

        set_case("record_field_begin growing the buffer past 4 KiB");
        memset(chunk, 'q', sizeof(chunk));
        sb = record_field_begin(&r, "LONG");
        CHECK(sb != NULL);
        if (sb) {
                int e = 0;

                for (int i = 0; i < 10 && e >= 0; i++)
                        e = strbuf_append(sb, chunk, sizeof(chunk));
                record_field_end(&r, e);
        }
        CHECK_NUM(record_iovec(&r, iov), 5);
        CHECK(iov[4].iov_len == 5 + 10000);
        CHECK_IOV(iov[0], "BEFORE", "b", 1);

        set_case("record_field_end with a failure is sticky");
        sb = record_field_begin(&r, "FAILED");
        CHECK(sb != NULL);
        record_field_end(&r, -ENOMEM);
        CHECK_NUM(r.error, -ENOMEM);
        CHECK_NUM(record_iovec(&r, iov), -ENOMEM);
        CHECK(record_field_begin(&r, "NEXT") == NULL);
        record_add_str(&r, "NEXT2", "x");
        CHECK_NUM(record_iovec(&r, iov), -ENOMEM);
        CHECK_NUM(r.n, 5);
        record_free(&r);
}

/* vsnprintf fails with EILSEQ for a wide character the C locale cannot represent. */
static void test_addf_failure(void)
{
        static const wchar_t wide[] = {0x263a, 0};
        struct record r;
        struct iovec iov[RECORD_MAX_FIELDS];

        set_case("record_addf with a failing format");
        setlocale(LC_ALL, "C");
        record_init(&r);
        record_add_str(&r, "OK", "1");
        record_addf(&r, "W", "%ls", wide);
        CHECK(r.error < 0);
        CHECK(record_iovec(&r, iov) < 0);
        CHECK_NUM(r.n, 1);
        record_free(&r);
}

int main(void)
{
        test_names();
        test_basic();
        test_invalid_name();
        test_too_many();
        test_binary();
        test_growth();
        test_field_begin_end();
        test_addf_failure();
        return check_summary("test-record");
}

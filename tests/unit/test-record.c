/*
 * Unit test for daemon/record.c: the journal entry builder.
 *
 * journald silently drops a field with an invalid name and drops a whole entry with too many fields, so
 * the name check and the field limit are part of what keeps audit records from vanishing. Values must
 * reach journal_send() byte for byte, NULs and newlines included: the entry is built in journald's native
 * format, where a value with a newline is length-prefixed.
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

/* Field i of r must be exactly NAME with a value of vlen bytes. */
#define CHECK_FIELD(rec, idx, want_name, want_value, want_len)                                              \
        do {                                                                                                \
                struct record_field f_ = record_field(rec, idx);                                            \
                size_t nl_ = strlen(want_name);                                                             \
                if (f_.name_len != nl_ || memcmp(f_.name, want_name, nl_) != 0 ||                           \
                    f_.value_len != (want_len) || memcmp(f_.value, want_value, want_len) != 0) {            \
                        fprintf(stderr,                                                                     \
                                "FAIL %s:%d: [%s] field %u is not %s=<%zu bytes> (%.*s, %zu bytes)\n",      \
                                __FILE__, __LINE__, case_name, (unsigned)(idx), want_name,                  \
                                (size_t)(want_len), (int)f_.name_len, f_.name, f_.value_len);               \
                        failures++;                                                                         \
                }                                                                                           \
        } while (0)

/* The number of fields, or the record's error: what a sender gets. */
static int fields(const struct record *r)
{
        const char *entry;
        size_t len;
        int e = record_entry(r, &entry, &len);

        return e < 0 ? e : (int)r->n;
}

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
                struct record r;

                set_case("name %zu \"%.*s\"", i, (int)v[i].len, v[i].name);
                CHECK(journal_field_name_valid(v[i].name, v[i].len) == v[i].ok);
                /* record.c checks a name while copying it (as a C string): by the same rules. */
                if (memchr(v[i].name, '\0', v[i].len))
                        continue;
                record_init(&r);
                record_add_str(&r, v[i].name, "x");
                CHECK(fields(&r) == (v[i].ok ? 1 : -EINVAL));
                record_free(&r);
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
        size_t len;
        const char *v;

        set_case("basic fields");
        record_init(&r);
        CHECK_NUM(fields(&r), 0);
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
        CHECK_NUM(fields(&r), 9);
        CHECK_FIELD(&r, 0, "MESSAGE", "hello", 5);
        CHECK_FIELD(&r, 1, "U", "18446744073709551615", 20);
        CHECK_FIELD(&r, 2, "I", "-9223372036854775808", 20);
        CHECK_FIELD(&r, 3, "J", "-1", 2);
        CHECK_FIELD(&r, 4, "F", "x-42-y", 6);
        CHECK_FIELD(&r, 5, "EMPTY", "", 0);
        CHECK_FIELD(&r, 6, "EMPTY2", "", 0);
        CHECK_FIELD(&r, 7, "EXEC_UID", "1000", 4);
        CHECK_FIELD(&r, 8, "EXEC_UIDX", "other", 5);

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
        CHECK_NUM(fields(&r), 0);
        CHECK(record_get(&r, "MESSAGE", NULL) == NULL);
        record_add_str(&r, "B", "2");
        CHECK_NUM(fields(&r), 1);
        CHECK_FIELD(&r, 0, "B", "2", 1);
        record_free(&r);

        set_case("record_free leaves a reusable record");
        CHECK(r.buf.buf == NULL && r.n == 0 && r.error == 0);
        record_add_str(&r, "C", "3");
        CHECK_NUM(fields(&r), 1);
        CHECK_FIELD(&r, 0, "C", "3", 1);
        record_free(&r);
        record_free(&r); /* twice is harmless */
}

static void test_invalid_name(void)
{
        static const char *const bad[] = {"lower", "_PRIVATE", "1ST", "A-B", "A=B", ""};
        struct record r;

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                set_case("invalid name \"%s\" through record_add", bad[i]);
                record_init(&r);
                record_add_str(&r, "GOOD", "1");
                record_add_str(&r, bad[i], "x");
                CHECK_NUM(r.error, -EINVAL);
                CHECK_NUM(fields(&r), -EINVAL);
                /* Sticky: later valid fields do not clear it and are not added. */
                record_add_str(&r, "LATER", "2");
                record_add_u64(&r, "LATER2", 3);
                CHECK_NUM(fields(&r), -EINVAL);
                CHECK_NUM(r.n, 1);
                CHECK(record_get(&r, "LATER", NULL) == NULL);
                record_reset(&r);
                CHECK_NUM(r.error, 0);
                record_add_str(&r, "AFTER_RESET", "ok");
                CHECK_NUM(fields(&r), 1);
                record_free(&r);
        }

        set_case("invalid name through record_addf, record_add_u64, record_field_begin");
        record_init(&r);
        record_addf(&r, "bad", "%d", 1);
        CHECK_NUM(fields(&r), -EINVAL);
        record_reset(&r);
        record_add_u64(&r, "_X", 1);
        CHECK_NUM(fields(&r), -EINVAL);
        record_reset(&r);
        record_add_i64(&r, "9X", -1);
        CHECK_NUM(fields(&r), -EINVAL);
        record_reset(&r);
        CHECK(record_field_begin(&r, "x") == NULL);
        record_field_end(&r, 0);
        CHECK_NUM(fields(&r), -EINVAL);
        record_free(&r);

        set_case("65-character name");
        record_init(&r);
        record_add_str(&r, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "x");
        CHECK_NUM(fields(&r), -EINVAL);
        record_reset(&r);
        record_add_str(&r, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "x");
        CHECK_NUM(fields(&r), 1);
        record_free(&r);
}

static char global_name[80];
static const char const_name[] = "EXEC_CONST";

/* Names are remembered by address once checked: what changed at an address is checked again. */
static void test_remembered_names(void)
{
        char buf[80], *many[1000], *heap = malloc(16);
        struct record r;

        /* Only what cannot change is known by its address alone. */
        set_case("which names are immutable");
        CHECK_NUM(record_name_immutable("EXEC_PID"), 1);
        CHECK_NUM(record_name_immutable(const_name), 1);
        CHECK_NUM(record_name_immutable(buf), 0);
        CHECK_NUM(record_name_immutable(global_name), 0);
        CHECK_NUM(record_name_immutable(heap), 0);
        free(heap);

        record_init(&r);
        set_case("a global buffer's name changed to an invalid one");
        strcpy(global_name, "EXEC_GLOBAL");
        record_add_str(&r, global_name, "1");
        strcpy(global_name, "EXEC_gLOBAL");
        record_add_str(&r, global_name, "2");
        CHECK_NUM(fields(&r), -EINVAL);

        set_case("a literal, remembered");
        record_reset(&r);
        for (int i = 0; i < 3; i++) {
                record_add_u64(&r, "EXEC_LITERAL", (unsigned)i);
                record_add_str(&r, const_name, "c");
        }
        CHECK_NUM(fields(&r), 6);
        CHECK_FIELD(&r, 4, "EXEC_LITERAL", "2", 1);
        CHECK_FIELD(&r, 5, "EXEC_CONST", "c", 1);

        record_reset(&r);
        set_case("a buffer's name changed to an invalid one");
        strcpy(buf, "EXEC_NAME");
        record_add_str(&r, buf, "1");
        CHECK_NUM(fields(&r), 1);
        strcpy(buf, "EXEC_nAME");
        record_add_str(&r, buf, "2");
        CHECK_NUM(fields(&r), -EINVAL);

        set_case("a buffer's name made shorter, then longer, then too long");
        record_reset(&r);
        strcpy(buf, "EXEC_LONGER_NAME");
        record_add_str(&r, buf, "1");
        strcpy(buf, "EXEC_L");
        record_add_str(&r, buf, "2");
        strcpy(buf, "EXEC_LO");
        record_add_str(&r, buf, "3");
        CHECK_NUM(fields(&r), 3);
        CHECK_FIELD(&r, 0, "EXEC_LONGER_NAME", "1", 1);
        CHECK_FIELD(&r, 1, "EXEC_L", "2", 1);
        CHECK_FIELD(&r, 2, "EXEC_LO", "3", 1);
        memset(buf, 'A', 65);
        buf[65] = '\0';
        record_add_str(&r, buf, "4");
        CHECK_NUM(fields(&r), -EINVAL);

        /* More names than the table holds: each still checked and copied right, on every record. */
        set_case("a thousand names");
        for (int i = 0; i < 1000; i++) {
                many[i] = malloc(24);
                if (many[i])
                        snprintf(many[i], 24, i == 500 ? "EXEC_n%d" : "EXEC_N%d", i);
        }
        for (int round = 0; round < 2; round++)
                for (int i = 0; i < 1000; i += 20) {
                        record_reset(&r);
                        for (int k = i; k < i + 20 && many[k]; k++)
                                record_add_u64(&r, many[k], (unsigned)k);
                        CHECK_NUM(fields(&r), i == 500 ? -EINVAL : 20);
                        for (unsigned k = 0; i != 500 && k < r.n; k++)
                                CHECK_FIELD(&r, k, many[i + (int)k], record_field(&r, k).value,
                                            record_field(&r, k).value_len);
                }
        for (int i = 0; i < 1000; i++)
                free(many[i]);
        record_free(&r);
}

static void test_too_many(void)
{
        struct record r;
        char name[32];

        set_case("exactly RECORD_MAX_FIELDS fields");
        record_init(&r);
        for (unsigned i = 0; i < RECORD_MAX_FIELDS; i++) {
                snprintf(name, sizeof(name), "F%u", i);
                record_add_u64(&r, name, i);
        }
        CHECK_NUM(r.error, 0);
        CHECK_NUM(fields(&r), RECORD_MAX_FIELDS);
        CHECK_FIELD(&r, RECORD_MAX_FIELDS - 1, "F63", "63", 2);

        set_case("one field more than RECORD_MAX_FIELDS");
        record_add_str(&r, "ONE_TOO_MANY", "x");
        CHECK_NUM(r.error, -E2BIG);
        CHECK_NUM(fields(&r), -E2BIG);
        CHECK_NUM(r.n, RECORD_MAX_FIELDS);
        record_reset(&r);

        set_case("too many through record_addf and record_field_begin");
        for (unsigned i = 0; i < RECORD_MAX_FIELDS; i++)
                record_addf(&r, "X", "%u", i);
        record_addf(&r, "X", "%u", 99u);
        CHECK_NUM(fields(&r), -E2BIG);
        record_reset(&r);
        for (unsigned i = 0; i < RECORD_MAX_FIELDS; i++)
                record_add_str(&r, "Y", "y");
        CHECK(record_field_begin(&r, "Z") == NULL);
        CHECK_NUM(fields(&r), -E2BIG);
        record_free(&r);
}

static void test_binary(void)
{
        static const char bin[] = "a\0b\nEXEC_UID=0\n\0\xff\x1b[0m\r\n=";
        const size_t blen = sizeof(bin) - 1;
        struct record r;
        size_t len;
        const char *v;

        set_case("binary values survive byte-exact");
        record_init(&r);
        record_add(&r, "BIN", bin, blen);
        record_add(&r, "NUL", "\0", 1);
        record_add(&r, "NL", "\n", 1);
        record_add_str(&r, "AFTER", "z");
        CHECK_NUM(fields(&r), 4);
        CHECK_FIELD(&r, 0, "BIN", bin, blen);
        CHECK_FIELD(&r, 1, "NUL", "\0", 1);
        CHECK_FIELD(&r, 2, "NL", "\n", 1);
        CHECK_FIELD(&r, 3, "AFTER", "z", 1);
        v = record_get(&r, "BIN", &len);
        CHECK(v && len == blen && memcmp(v, bin, blen) == 0);
        v = record_get(&r, "NUL", &len);
        CHECK(v && len == 1 && v[0] == '\0');
        /* The embedded "EXEC_UID=0" is not a field of its own. */
        CHECK(record_get(&r, "EXEC_UID", NULL) == NULL);

        record_free(&r);
}

static void check_entry(const struct record *r, const char *want, size_t want_len)
{
        const char *entry;
        size_t len;

        if (record_entry(r, &entry, &len) < 0 || len != want_len || memcmp(entry, want, len) != 0) {
                fprintf(stderr, "FAIL %s:%d: [%s] entry is not the %zu bytes expected\n", __FILE__, __LINE__,
                        case_name, want_len);
                failures++;
        }
}

/* What journald receives: a value with a newline is length-prefixed, so it cannot end its field. */
static void test_native_format(void)
{
        static const char want[] = "MESSAGE=exec /bin/true\n"
                                   "EXEC_CMDLINE\n\x08\0\0\0\0\0\0\0a\nb\0c=d\n\n"
                                   "EMPTY=\n"
                                   "EXEC_CWD\n\x01\0\0\0\0\0\0\0\n\n"
                                   "EXEC_PID=42\n"
                                   "EXEC_ID=7-42\n"
                                   "EXEC_EXE\n\x05\0\0\0\0\0\0\0/a\nb/\n"
                                   "F\n\x03\0\0\0\0\0\0\0\n1\n\n"
                                   "LAST=z\n";
        struct record r;
        struct strbuf *sb;
        size_t len;
        const char *v;

        set_case("native format");
        record_init(&r);
        record_add_str(&r, "MESSAGE", "exec /bin/true");
        record_add(&r, "EXEC_CMDLINE", "a\nb\0c=d\n", 8);
        record_add_str(&r, "EMPTY", "");
        record_add_str(&r, "EXEC_CWD", "\n");
        record_add_u64(&r, "EXEC_PID", 42);
        record_add_id(&r, "EXEC_ID", 7, 42);
        /* Built in place, then found to hold a newline: moved behind a length. */
        sb = record_field_begin(&r, "EXEC_EXE");
        CHECK(sb != NULL);
        if (sb)
                record_field_end(&r, strbuf_puts(sb, "/a\nb/"));
        record_addf(&r, "F", "\n%d\n", 1);
        record_add_str(&r, "LAST", "z");
        CHECK_NUM(fields(&r), 9);
        check_entry(&r, want, sizeof(want) - 1);
        CHECK_FIELD(&r, 1, "EXEC_CMDLINE", "a\nb\0c=d\n", 8);
        CHECK_FIELD(&r, 6, "EXEC_EXE", "/a\nb/", 5);
        CHECK_FIELD(&r, 8, "LAST", "z", 1);
        v = record_get(&r, "EXEC_EXE", &len);
        CHECK(v && len == 5 && memcmp(v, "/a\nb/", 5) == 0);
        v = record_get(&r, "F", &len);
        CHECK(v && len == 3 && memcmp(v, "\n1\n", 3) == 0);

        set_case("an empty record is an empty entry");
        record_reset(&r);
        check_entry(&r, "", 0);
        record_free(&r);
        check_entry(&r, "", 0);
}

static void test_growth(void)
{
        struct record r;
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
                CHECK_NUM(fields(&r), 4);
                CHECK_FIELD(&r, 0, "FIRST", "1", 1);
                CHECK_FIELD(&r, 1, "SMALL", "2", 1);
                v = record_get(&r, "BIG", &len);
                CHECK(v && len == n + 2 && v[0] == '<' && v[n + 1] == '>' && memcmp(v + 1, big, n) == 0);
                CHECK_FIELD(&r, 3, "LAST", "3", 1);
                record_free(&r);
        }

        set_case("many record_addf calls crossing 4 KiB several times");
        record_init(&r);
        for (unsigned i = 0; i < RECORD_MAX_FIELDS; i++)
                record_addf(&r, "G", "%u:%.*s", i, 300, big);
        CHECK_NUM(fields(&r), RECORD_MAX_FIELDS);
        for (unsigned i = 0; i < RECORD_MAX_FIELDS; i++) {
                char want[400];
                int wl = snprintf(want, sizeof(want), "%u:%.*s", i, 300, big);

                CHECK_FIELD(&r, i, "G", want, (size_t)wl);
        }
        record_free(&r);

        set_case("record_add of two 70000-byte values");
        record_init(&r);
        record_add_str(&r, "A", "a");
        record_add(&r, "HUGE", big, 70000);
        record_add(&r, "HUGE2", big, 70000);
        CHECK_NUM(fields(&r), 3);
        CHECK_FIELD(&r, 1, "HUGE", big, 70000);
        CHECK_FIELD(&r, 2, "HUGE2", big, 70000);
        record_free(&r);
        free(big);
}

static void test_field_begin_end(void)
{
        struct record r;
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
        CHECK_NUM(fields(&r), 3);
        CHECK_FIELD(&r, 0, "BEFORE", "b", 1);
        CHECK_FIELD(&r, 1, "MESSAGE", "hello 42\0x", 10);
        CHECK_FIELD(&r, 2, "AFTER", "a", 1);

        set_case("record_field_begin with an empty value");
        sb = record_field_begin(&r, "EMPTY");
        CHECK(sb != NULL);
        record_field_end(&r, 0);
        CHECK_NUM(fields(&r), 4);
        CHECK_FIELD(&r, 3, "EMPTY", "", 0);

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
        CHECK_NUM(fields(&r), 5);
        CHECK(record_field(&r, 4).value_len == 10000);
        CHECK_FIELD(&r, 0, "BEFORE", "b", 1);

        set_case("record_field_end with a failure is sticky");
        sb = record_field_begin(&r, "FAILED");
        CHECK(sb != NULL);
        record_field_end(&r, -ENOMEM);
        CHECK_NUM(r.error, -ENOMEM);
        CHECK_NUM(fields(&r), -ENOMEM);
        CHECK(record_field_begin(&r, "NEXT") == NULL);
        record_add_str(&r, "NEXT2", "x");
        CHECK_NUM(fields(&r), -ENOMEM);
        CHECK_NUM(r.n, 5);
        record_free(&r);
}

/* vsnprintf fails with EILSEQ for a wide character the C locale cannot represent. */
static void test_addf_failure(void)
{
        static const wchar_t wide[] = {0x263a, 0};
        struct record r;

        set_case("record_addf with a failing format");
        setlocale(LC_ALL, "C");
        record_init(&r);
        record_add_str(&r, "OK", "1");
        record_addf(&r, "W", "%ls", wide);
        CHECK(r.error < 0);
        CHECK(fields(&r) < 0);
        CHECK_NUM(r.n, 1);
        record_free(&r);
}

int main(void)
{
        test_names();
        test_basic();
        test_invalid_name();
        test_remembered_names();
        test_too_many();
        test_binary();
        test_native_format();
        test_growth();
        test_field_begin_end();
        test_addf_failure();
        return check_summary("test-record");
}

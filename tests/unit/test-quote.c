/*
 * Unit test for daemon/quote.c.
 *
 * The quoting rules are a public contract, so this checks exact outputs
 * for a table of representative arguments, then checks the two promises
 * users rely on across thousands of random and adversarial byte strings:
 * real bash parses every output back to the original bytes
 * (`eval "set -- $Q"`), and no output contains raw control bytes, C1
 * controls or invalid UTF-8. bash is started once per batch of strings,
 * with the quoted lines on stdin, under both the C and a UTF-8 locale
 * because bash's parser is locale-aware.
 */
/* For pipe2(). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "quote.h"
#include "strbuf.h"
#include "check.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* String literal with its exact length, so embedded NULs and bytes like \xff are kept. */
#define S(lit) lit, sizeof(lit) - 1

static void dump(const char *label, const void *data, size_t n)
{
        const unsigned char *p = data;
        size_t i;

        fprintf(stderr, "  %s (%zu bytes):", label, n);
        for (i = 0; i < n; i++)
                fprintf(stderr, " %02x", p[i]);
        fputc('\n', stderr);
}

/*
 * Independent of quote.c on purpose: true when every byte is printable
 * ASCII or part of a well-formed UTF-8 sequence (Unicode Table 3-7) for a
 * code point >= U+00A0.
 */
/*
 * The characters that must not appear literally: Unicode's Default_Ignorable_Code_Point property
 * (DerivedCoreProperties.txt), the line and paragraph separators and the invisible format controls
 * (U+FFF9..FFFB, U+13430..1343F), as listed in execauditd(8). s holds a well-formed sequence of k bytes.
 */
static bool invisible_at(const unsigned char *s, size_t k)
{
        static const uint32_t ranges[][2] = {
                {0x00ad, 0x00ad},   {0x034f, 0x034f},   {0x061c, 0x061c},   {0x115f, 0x1160},
                {0x17b4, 0x17b5},   {0x180b, 0x180f},   {0x200b, 0x200f},   {0x2028, 0x202e},
                {0x2060, 0x206f},   {0x3164, 0x3164},   {0xfe00, 0xfe0f},   {0xfeff, 0xfeff},
                {0xffa0, 0xffa0},   {0xfff0, 0xfffb},   {0x13430, 0x1343f}, {0x1bca0, 0x1bca3},
                {0x1d173, 0x1d17a}, {0xe0000, 0xe0fff},
        };
        uint32_t cp = s[0] & (0x7f >> k);

        for (size_t j = 1; j < k; j++)
                cp = cp << 6 | (s[j] & 0x3f);
        for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
                if (cp >= ranges[i][0] && cp <= ranges[i][1])
                        return true;
        return false;
}

static bool all_displayable(const void *data, size_t n)
{
        const unsigned char *s = data;
        size_t i = 0, k, j;
        unsigned char lo, hi;

        while (i < n) {
                if (s[i] >= 0x20 && s[i] < 0x7f) {
                        i++;
                        continue;
                }
                /* Allowed range for the second byte narrows per lead byte; later bytes are 80..bf. */
                lo = 0x80;
                hi = 0xbf;
                if (s[i] == 0xc2) {
                        k = 2;
                        lo = 0xa0; /* c2 80..c2 9f are the C1 controls */
                } else if (s[i] >= 0xc3 && s[i] <= 0xdf) {
                        k = 2;
                } else if (s[i] == 0xe0) {
                        k = 3;
                        lo = 0xa0;
                } else if (s[i] == 0xed) {
                        k = 3;
                        hi = 0x9f;
                } else if (s[i] >= 0xe1 && s[i] <= 0xef) {
                        k = 3;
                } else if (s[i] == 0xf0) {
                        k = 4;
                        lo = 0x90;
                } else if (s[i] == 0xf4) {
                        k = 4;
                        hi = 0x8f;
                } else if (s[i] >= 0xf1 && s[i] <= 0xf3) {
                        k = 4;
                } else {
                        return false;
                }
                if (n - i < k || s[i + 1] < lo || s[i + 1] > hi)
                        return false;
                for (j = 2; j < k; j++)
                        if (s[i + j] < 0x80 || s[i + j] > 0xbf)
                                return false;
                if (invisible_at(s + i, k))
                        return false;
                i += k;
        }
        return true;
}

static bool all_plain(const char *s, size_t n)
{
        size_t i;

        if (n == 0)
                return false;
        for (i = 0; i < n; i++)
                if (!s[i] ||
                    !strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_@%+=:,./-",
                            s[i]))
                        return false;
        return true;
}

/* Quote one argument after a prefix, checking the prefix survives and the result is terminal-safe. */
static int quote_checked(struct strbuf *out, const char *in, size_t n)
{
        struct strbuf sb = STRBUF_INIT;
        int r;

        r = strbuf_puts(&sb, "prefix>");
        if (r == 0)
                r = quote_arg(&sb, in, n);
        if (r < 0) {
                FAIL("quote_arg returned %d", r);
                dump("input", in, n);
                goto out;
        }
        if (sb.len < 7 || memcmp(sb.buf, "prefix>", 7) != 0 || sb.buf[sb.len] != '\0') {
                FAIL("quote_arg clobbered the existing buffer contents or the NUL");
                r = -EIO;
                goto out;
        }
        r = strbuf_append(out, sb.buf + 7, sb.len - 7);
out:
        strbuf_free(&sb);
        return r;
}

static void test_table(void)
{
        static const struct {
                const char *in;
                size_t len;
                const char *want;
        } v[] = {
                {S("ls"), "ls"},
                {S("/usr/bin/env"), "/usr/bin/env"},
                {S("-rf"), "-rf"},
                {S("EXEC_UID=0"), "EXEC_UID=0"},
                {S("user@host:/tmp/a,b+c%d"), "user@host:/tmp/a,b+c%d"},
                {S(""), "''"},
                {S("hello world"), "'hello world'"},
                {S(" "), "' '"},
                {S("it's"), "'it'\\''s'"},
                {S("'"), "''\\'''"},
                {S("$(rm -rf /)"), "'$(rm -rf /)'"},
                {S("`id`;echo \"$HOME\"|&"), "'`id`;echo \"$HOME\"|&'"},
                {S("back\\slash"), "'back\\slash'"},
                {S("~"), "'~'"},
                {S("*"), "'*'"},
                {S("!x"), "'!x'"},
                {S("#c"), "'#c'"},
                {S("a\nb"), "$'a\\nb'"},
                {S("a\tb"), "$'a\\tb'"},
                {S("\r"), "$'\\r'"},
                {S("\x1b[31mred"), "$'\\x1b[31mred'"},
                {S("\x01"), "$'\\x01'"},
                {S("\x1f"), "$'\\x1f'"},
                {S("a\x7f"), "$'a\\x7f'"},
                {S("it's\n"), "$'it\\'s\\n'"},
                {S("a\\b\n"), "$'a\\\\b\\n'"},
                {S("\xc2\x9b"), "$'\\xc2\\x9b'"},
                {S("\xc2\x80"), "$'\\xc2\\x80'"},
                {S("\xc2\x9f"), "$'\\xc2\\x9f'"},
                {S("\xc2\xa0"), "'\xc2\xa0'"},
                {S("a\xff"), "$'a\\xff'"},
                {S("\xfe"), "$'\\xfe'"},
                {S("\x80"), "$'\\x80'"},
                {S("\xc0\xaf"), "$'\\xc0\\xaf'"},
                {S("\xe0\x80\xaf"), "$'\\xe0\\x80\\xaf'"},
                {S("\xed\xa0\x80"), "$'\\xed\\xa0\\x80'"},
                {S("\xf4\x90\x80\x80"), "$'\\xf4\\x90\\x80\\x80'"},
                {S("\xe6\x97"), "$'\\xe6\\x97'"},
                {S("\xe6\x97"
                   "a"),
                 "$'\\xe6\\x97a'"},
                {S("\xc3\xa9"), "'\xc3\xa9'"},
                {S("caf\xc3\xa9"), "'caf\xc3\xa9'"},
                {S("\xe6\x97\xa5\xe6\x9c\xac"), "'\xe6\x97\xa5\xe6\x9c\xac'"},
                {S("\xf0\x9f\x98\x80"), "'\xf0\x9f\x98\x80'"},
                {S("\xf4\x8f\xbf\xbf"), "'\xf4\x8f\xbf\xbf'"},
                {S("\xc3\xa9\n"), "$'\xc3\xa9'$'\\n'"},
                {S("\xe6\x97\xa5\xff\xe6\x9c\xac"), "$'\xe6\x97\xa5'$'\\xff\xe6\x9c\xac'"},
                {S("\x01\xe4\xb8\xad' $(id) \xe4\xb8\xad'"),
                 "$'\\x01\xe4\xb8\xad'$'\\' $(id) \xe4\xb8\xad'$'\\''"},
                {S("\xe2\x80\xae"), "$'\\xe2\\x80\\xae'"},
                {S("a\xe2\x80\x8b"
                   "b"),
                 "$'a\\xe2\\x80\\x8bb'"},
                {S("\xef\xbb\xbf"), "$'\\xef\\xbb\\xbf'"},
                {S("\xc2\xad"), "$'\\xc2\\xad'"},
                /* A tag character (invisible text), a variation selector, a Hangul filler. */
                {S("ls\xf3\xa0\x80\x81"), "$'ls\\xf3\\xa0\\x80\\x81'"},
                {S("\xe2\x9d\xa4\xef\xb8\x8f"), "$'\xe2\x9d\xa4'$'\\xef\\xb8\\x8f'"},
                {S("\xe3\x85\xa4"), "$'\\xe3\\x85\\xa4'"},
                {S("\xf0\x9b\xb2\xa0"), "$'\\xf0\\x9b\\xb2\\xa0'"},
                {S("\xe2\x80\x90"), "'\xe2\x80\x90'"},
                {S("\xe6\x97\xa5"
                   "8"),
                 "'\xe6\x97\xa5''8'"},
                {S("\xe6\x97\xa5\\"), "'\xe6\x97\xa5''\\'"},
                {S("\xe6\x97\xa5"
                   "8 \xe6\x97\xa5\n"),
                 "$'\xe6\x97\xa5'$'8 \xe6\x97\xa5'$'\\n'"},
                {S("a8\xe6\x97\xa5"), "'a8\xe6\x97\xa5'"},
                {S("\x1b"
                   "ab"),
                 "$'\\x1bab'"},
                {S("a\0b"), "$'a\\x00b'"},
        };
        struct strbuf sb = STRBUF_INIT;
        size_t i;

        for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
                strbuf_reset(&sb);
                if (quote_checked(&sb, v[i].in, v[i].len) < 0)
                        continue;
                if (sb.len != strlen(v[i].want) || memcmp(sb.buf, v[i].want, sb.len) != 0) {
                        FAIL("case %zu: got [%s], want [%s]", i, sb.buf, v[i].want);
                        dump("input", v[i].in, v[i].len);
                }
                if (quote_is_plain(v[i].in, v[i].len) != (strcmp(sb.buf, v[i].in) == 0 && v[i].len > 0))
                        FAIL("case %zu: quote_is_plain disagrees with the output [%s]", i, sb.buf);
        }
        if (quote_is_plain("", 0) || quote_is_plain(NULL, 0) || !quote_is_plain("a", 1) ||
            quote_is_plain("a b", 3) || quote_is_plain("a\0", 2))
                FAIL("quote_is_plain edge cases");

        strbuf_reset(&sb);
        if (quote_arg(&sb, NULL, 0) != 0 || strcmp(sb.buf, "''") != 0)
                FAIL("quote_arg(NULL, 0) should give ''");
        if (quote_arg(&sb, NULL, 1) != -EINVAL || quote_arg(NULL, "a", 1) != -EINVAL)
                FAIL("quote_arg accepted invalid arguments");
        if (strcmp(sb.buf, "''") != 0)
                FAIL("a rejected call changed the buffer");
        strbuf_free(&sb);
}

static void test_argv(void)
{
        static const struct {
                const char *in;
                size_t len;
                const char *want;
        } v[] = {
                {S("ls\0-l\0"), "ls -l"},
                {S("ls\0-l"), "ls -l"},
                {S("ls\0"), "ls"},
                {S("ls"), "ls"},
                {S("a\0\0"), "a ''"},
                {S("\0"), "''"},
                {S("\0\0"), "'' ''"},
                {S("\0a"), "'' a"},
                {S("echo\0hi there\0"), "echo 'hi there'"},
                {S("printf\0%s\\n\0it's\n\0"), "printf '%s\\n' $'it\\'s\\n'"},
                {S("echo\0\xe6\x97"), "echo $'\\xe6\\x97'"},
                {S("sh\0-c\0rm -rf /tmp/x; echo $?\0"), "sh -c 'rm -rf /tmp/x; echo $?'"},
        };
        struct strbuf sb = STRBUF_INIT;
        size_t i;

        for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
                strbuf_reset(&sb);
                if (strbuf_puts(&sb, "cmd=") < 0 || quote_argv(&sb, v[i].in, v[i].len) < 0) {
                        FAIL("argv case %zu: error", i);
                        continue;
                }
                if (strcmp(sb.buf + 4, v[i].want) != 0 || strncmp(sb.buf, "cmd=", 4) != 0) {
                        FAIL("argv case %zu: got [%s], want [cmd=%s]", i, sb.buf, v[i].want);
                        dump("input", v[i].in, v[i].len);
                }
        }

        strbuf_reset(&sb);
        if (strbuf_puts(&sb, "keep") < 0 || quote_argv(&sb, "x\0", 0) != 0 ||
            quote_argv(&sb, NULL, 0) != 0 || strcmp(sb.buf, "keep") != 0 || sb.len != 4)
                FAIL("len 0 must append nothing");
        if (quote_argv(&sb, NULL, 3) != -EINVAL || quote_argv(NULL, "a", 1) != -EINVAL)
                FAIL("quote_argv accepted invalid arguments");
        strbuf_free(&sb);
}

/* splitmix64: tiny, seedable, and good enough to spread bytes evenly. */
static uint64_t rng_next(uint64_t *state)
{
        uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
}

/* Fragments that stress the quoting rules: shell metacharacters, escapes and UTF-8 edge cases. */
static const struct {
        const char *s;
        size_t n;
} pieces[] = {
        {S("'")},
        {S("\\")},
        {S("\"")},
        {S("$")},
        {S("`")},
        {S("$'")},
        {S("'\\''")},
        {S("\\x41")},
        {S("\\'")},
        {S(" ")},
        {S("!")},
        {S("*?[]")},
        {S("{a,b}")},
        {S("~")},
        {S("#")},
        {S("=")},
        {S(";&|<>()")},
        {S("\n")},
        {S("\t")},
        {S("\r")},
        {S("\x01")},
        {S("\x7f")},
        {S("\x1b")},
        {S("\x1b[0m")},
        {S("a")},
        {S("7f")},
        {S("\xc3\xa9")},
        {S("\xe6\x97\xa5")},
        {S("\xe4\xb8\xad")},
        {S("\xe2\x80\x8b")},
        {S("\xef\xbb\xbf")},
        {S("\xf0\x9f\x98\x80")},
        {S("\xc2\xa0")},
        {S("\xc2\x9b")},
        {S("\xc2\x85")},
        {S("\xe2\x80\xae")},
        {S("\xef\xbf\xbf")},
        {S("\xe6\x97")},
        {S("\xed\xa0\x80")},
        {S("\xed\xbf\xbf")},
        {S("\xc0\xaf")},
        {S("\xc1\xbf")},
        {S("\xe0\x9f\xbf")},
        {S("\xf0\x8f\xbf\xbf")},
        {S("\xf4\x90\x80\x80")},
        {S("\xf5\x80\x80\x80")},
        {S("\xff")},
        {S("\xfe")},
        {S("\x80")},
        {S("\xbf")},
};

#define MAX_ARG 64

struct tcase {
        char data[MAX_ARG];
        size_t len;
};

static void gen_uniform(uint64_t *rng, struct tcase *t)
{
        size_t i;

        t->len = (size_t)(rng_next(rng) % (MAX_ARG + 1));
        for (i = 0; i < t->len; i++)
                t->data[i] = (char)(1 + rng_next(rng) % 255);
}

static void gen_biased(uint64_t *rng, struct tcase *t)
{
        size_t target = (size_t)(rng_next(rng) % (MAX_ARG + 1)), k;

        t->len = 0;
        while (t->len < target) {
                /* Mostly fragments, sometimes a random byte so fragments also meet arbitrary neighbours. */
                if (rng_next(rng) % 4 == 0) {
                        t->data[t->len++] = (char)(1 + rng_next(rng) % 255);
                        continue;
                }
                k = (size_t)(rng_next(rng) % (sizeof(pieces) / sizeof(pieces[0])));
                if (t->len + pieces[k].n > MAX_ARG)
                        break;
                memcpy(t->data + t->len, pieces[k].s, pieces[k].n);
                t->len += pieces[k].n;
        }
}

/*
 * Locales whose multibyte characters can end in a byte that is ASCII '\\'
 * (0x5c): bash reads such a character as one, so a quoting that put a
 * backslash right after a byte >= 0x80 would lose it. Compiled for the
 * test into locale_dir (LOCPATH) from the locales package's sources.
 */
static const struct {
        const char *input, *charmap, *name;
} dbcs_locales[] = {
        {"zh_CN", "GBK", "zh_CN.GBK"},
        {"zh_CN", "GB18030", "zh_CN.GB18030"},
        {"zh_TW", "BIG5", "zh_TW.BIG5"},
        {"ja_JP", "SHIFT_JIS", "ja_JP.SJIS"},
};
static char locale_dir[4096];

static int run_quiet(char *const argv[])
{
        int status;
        pid_t pid = fork();

        if (pid < 0)
                return -errno;
        if (pid == 0) {
                int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

                if (null < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
                        _exit(127);
                execv(argv[0], argv);
                _exit(127);
        }
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -ECHILD;
}

static void make_locales(void)
{
        const char *tmpdir = getenv("TMPDIR");
        char out[4200];

        if (!tmpdir || !*tmpdir)
                tmpdir = "/tmp";
        snprintf(locale_dir, sizeof(locale_dir), "%s/test-quote-locales-XXXXXX", tmpdir);
        if (!mkdtemp(locale_dir)) {
                FAIL("mkdtemp(%s): %s", locale_dir, strerror(errno));
                locale_dir[0] = '\0';
                return;
        }
        for (size_t i = 0; i < sizeof(dbcs_locales) / sizeof(dbcs_locales[0]); i++) {
                char *argv[] = {"/usr/bin/localedef",
                                "-c",
                                "-i",
                                (char *)dbcs_locales[i].input,
                                "-f",
                                (char *)dbcs_locales[i].charmap,
                                out,
                                NULL};

                snprintf(out, sizeof(out), "%s/%s", locale_dir, dbcs_locales[i].name);
                /* 1: written, with warnings about the charmap. */
                if (run_quiet(argv) > 1 || access(out, F_OK) < 0)
                        FAIL("localedef of %s failed (the locales package has the sources)",
                             dbcs_locales[i].name);
        }
}

static void remove_locales(void)
{
        char *argv[] = {"/bin/rm", "-rf", locale_dir, NULL};

        if (locale_dir[0] && run_quiet(argv) != 0)
                FAIL("removing %s failed", locale_dir);
}

/* Run bash once over the quoted lines in qpath, returning everything it printed. */
static int run_bash(const char *qpath, const char *locale, struct strbuf *out)
{
        /* set -- first, so a failed eval cannot leave the previous line's arguments behind. */
        static const char script[] =
                "while IFS= read -r q; do set --; eval \"set -- $q\"; printf '%s\\0' \"$#\" \"$@\"; done";
        char lc[64], locpath[4200];
        char *const argv[] = {"bash", "--norc", "--noprofile", "-c", (char *)script, NULL};
        bool dbcs = strcmp(locale, "C") != 0 && strcmp(locale, "C.UTF-8") != 0;
        char *const envp[] = {lc, "PATH=/usr/bin:/bin", dbcs ? locpath : NULL, NULL};
        int pfd[2] = {-1, -1}, status, r = 0;
        char buf[4096];
        ssize_t n;
        pid_t pid;

        snprintf(lc, sizeof(lc), "LC_ALL=%s", locale);
        snprintf(locpath, sizeof(locpath), "LOCPATH=%s", locale_dir);
        if (pipe2(pfd, O_CLOEXEC) < 0)
                return -errno;
        pid = fork();
        if (pid < 0) {
                r = -errno;
                goto out;
        }
        if (pid == 0) {
                int in = open(qpath, O_RDONLY | O_CLOEXEC);
                if (in < 0 || dup2(in, 0) < 0 || dup2(pfd[1], 1) < 0)
                        _exit(127);
                execve("/bin/bash", argv, envp);
                _exit(127);
        }
        close(pfd[1]);
        pfd[1] = -1;
        for (;;) {
                n = read(pfd[0], buf, sizeof(buf));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                if (r == 0)
                        r = strbuf_append(out, buf, (size_t)n);
        }
        if (n < 0 && r == 0)
                r = -errno;
        while (waitpid(pid, &status, 0) < 0) {
                if (errno != EINTR) {
                        r = -errno;
                        goto out;
                }
        }
        if (r == 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0))
                r = -ECHILD;
out:
        if (pfd[0] >= 0)
                close(pfd[0]);
        if (pfd[1] >= 0)
                close(pfd[1]);
        return r;
}

/*
 * One batch: line i of lines is a quoted command line, and bash must print
 * "<argc>\0<arg>\0..." for it, which is record i of expect. The offsets
 * let a mismatch be traced back to the case that caused it.
 */
#define BATCH 200

struct batch {
        struct strbuf lines;  /* quoted lines, newline separated */
        struct strbuf expect; /* what bash must print */
        size_t line_off[BATCH + 1];
        size_t expect_off[BATCH + 1];
        size_t count;
};

static void report_mismatch(const struct batch *b, const struct strbuf *got, const char *locale)
{
        size_t i, k = 0, end;

        for (i = 0; i < got->len && i < b->expect.len && got->buf[i] == b->expect.buf[i]; i++)
                ;
        while (k + 1 < b->count && b->expect_off[k + 1] <= i)
                k++;
        FAIL("bash (LC_ALL=%s) did not reproduce case %zu of the batch", locale, k);
        fprintf(stderr, "  quoted: %.*s\n", (int)(b->line_off[k + 1] - b->line_off[k] - 1),
                b->lines.buf + b->line_off[k]);
        dump("expected", b->expect.buf + b->expect_off[k], b->expect_off[k + 1] - b->expect_off[k]);
        end = got->len < b->expect_off[k + 1] ? got->len : b->expect_off[k + 1];
        if (end > b->expect_off[k])
                dump("bash gave", got->buf + b->expect_off[k], end - b->expect_off[k]);
}

static void check_batch(const struct batch *b, const char *locale)
{
        struct strbuf got = STRBUF_INIT;
        const char *tmpdir = getenv("TMPDIR");
        char path[4096];
        int fd, r;

        /* Honour TMPDIR so sandboxed build environments work. */
        if (!tmpdir || !*tmpdir)
                tmpdir = "/tmp";
        if ((size_t)snprintf(path, sizeof(path), "%s/test-quote-XXXXXX", tmpdir) >= sizeof(path)) {
                FAIL("TMPDIR too long");
                return;
        }
        fd = mkstemp(path);
        if (fd < 0) {
                FAIL("mkstemp(%s): %s", path, strerror(errno));
                return;
        }
        if (write(fd, b->lines.buf, b->lines.len) != (ssize_t)b->lines.len) {
                FAIL("writing %s failed", path);
                goto out;
        }
        r = run_bash(path, locale, &got);
        if (r < 0) {
                FAIL("running bash (LC_ALL=%s): error %d", locale, r);
                goto out;
        }
        if (got.len != b->expect.len || (got.len > 0 && memcmp(got.buf, b->expect.buf, got.len) != 0))
                report_mismatch(b, &got, locale);
out:
        close(fd);
        unlink(path);
        strbuf_free(&got);
}

static void run_batch(struct batch *b)
{
        if (b->count == 0)
                return;
        check_batch(b, "C");
        check_batch(b, "C.UTF-8");
        for (size_t i = 0; locale_dir[0] && i < sizeof(dbcs_locales) / sizeof(dbcs_locales[0]); i++)
                check_batch(b, dbcs_locales[i].name);
        strbuf_reset(&b->lines);
        strbuf_reset(&b->expect);
        b->count = 0;
        b->line_off[0] = 0;
        b->expect_off[0] = 0;
}

/*
 * Add one command line of nargs arguments to the batch, checking the output
 * properties on the way. A single argument goes through quote_arg(); with
 * as_block the arguments are packed like a captured argv and go through
 * quote_argv(), and drop_nul leaves off the final NUL as a truncated
 * capture would.
 */
static int add_line(struct batch *b, const struct tcase *args, size_t nargs, bool as_block, bool drop_nul)
{
        struct strbuf q = STRBUF_INIT, block = STRBUF_INIT;
        size_t i;
        int r = 0;

        if (!as_block) {
                r = quote_checked(&q, args[0].data, args[0].len);
                if (r < 0)
                        goto out;
                /* The form must be the least quoted one that is safe. */
                if (all_plain(args[0].data, args[0].len)) {
                        if (q.len != args[0].len || memcmp(q.buf, args[0].data, q.len) != 0)
                                FAIL("plain argument was changed: [%s]", q.buf);
                } else if (all_displayable(args[0].data, args[0].len)) {
                        if (q.len < 2 || q.buf[0] != '\'' || q.buf[q.len - 1] != '\'')
                                FAIL("displayable argument not single-quoted: [%s]", q.buf);
                } else if (q.len < 3 || memcmp(q.buf, "$'", 2) != 0 || q.buf[q.len - 1] != '\'') {
                        FAIL("argument needing escapes not $'...'-quoted: [%s]", q.buf);
                }
                if (quote_is_plain(args[0].data, args[0].len) != all_plain(args[0].data, args[0].len))
                        FAIL("quote_is_plain wrong for [%s]", q.buf);
        } else {
                for (i = 0; i < nargs && r == 0; i++) {
                        r = strbuf_append(&block, args[i].data, args[i].len);
                        /* Without its NUL an empty last argument would vanish, so it keeps it. */
                        if (r == 0 && (i + 1 < nargs || args[i].len == 0 || !drop_nul))
                                r = strbuf_putc(&block, '\0');
                }
                if (r == 0)
                        r = quote_argv(&q, block.buf, block.len);
                if (r < 0) {
                        FAIL("quote_argv returned %d", r);
                        goto out;
                }
        }

        if (!all_displayable(q.buf, q.len)) {
                FAIL("output contains control bytes, C1 controls or invalid UTF-8");
                dump("output", q.buf, q.len);
                for (i = 0; i < nargs; i++)
                        dump("input", args[i].data, args[i].len);
        }

        r = strbuf_append(&b->lines, q.buf, q.len);
        if (r == 0)
                r = strbuf_putc(&b->lines, '\n');
        if (r == 0)
                r = strbuf_printf(&b->expect, "%zu", nargs);
        if (r == 0)
                r = strbuf_putc(&b->expect, '\0');
        for (i = 0; i < nargs && r == 0; i++) {
                r = strbuf_append(&b->expect, args[i].data, args[i].len);
                if (r == 0)
                        r = strbuf_putc(&b->expect, '\0');
        }
        if (r == 0) {
                b->count++;
                b->line_off[b->count] = b->lines.len;
                b->expect_off[b->count] = b->expect.len;
        }
out:
        strbuf_free(&q);
        strbuf_free(&block);
        return r;
}

static void test_bash_round_trip(void)
{
        struct batch b = {.lines = STRBUF_INIT, .expect = STRBUF_INIT};
        uint64_t rng = 20240607; /* fixed seed: failures must be reproducible */
        struct tcase t[5];
        size_t i, j, nargs, uniform = 0;
        uint32_t cp;
        int r = 0;

        /* Every single byte, and every code point boundary encoded (validly or not) as UTF-8. */
        for (i = 1; i < 256; i++) {
                t[0].data[0] = (char)i;
                t[0].len = 1;
                if ((r = add_line(&b, t, 1, false, false)) < 0)
                        goto out;
                if (b.count == BATCH)
                        run_batch(&b);
        }
        {
                static const uint32_t edges[] = {0x7f,   0x80,    0x9f,     0xa0,     0xff,    0x7ff,
                                                 0x800,  0xd7ff,  0xd800,   0xdfff,   0xe000,  0xfffd,
                                                 0xffff, 0x10000, 0x10ffff, 0x110000, 0x1fffff};
                static const unsigned char lead[] = {0, 0, 0xc0, 0xe0, 0xf0};
                size_t k, bits;

                for (i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
                        cp = edges[i];
                        /* Shortest encoding and the overlong ones, between ASCII neighbours. */
                        for (j = 2; j <= 4; j++) {
                                bits = 5 * j + 1; /* payload bits of a j-byte sequence: 11, 16, 21 */
                                if (cp >> bits)
                                        continue;
                                t[0].data[0] = 'x';
                                t[0].data[1] = (char)(lead[j] | (cp >> (6 * (j - 1))));
                                for (k = 1; k < j; k++)
                                        t[0].data[1 + k] = (char)(0x80 | ((cp >> (6 * (j - 1 - k))) & 0x3f));
                                t[0].data[1 + j] = 'y';
                                t[0].len = j + 2;
                                if ((r = add_line(&b, t, 1, false, false)) < 0)
                                        goto out;
                                if (b.count == BATCH)
                                        run_batch(&b);
                        }
                }
        }
        run_batch(&b);

        for (i = 0; i < 3000; i++) {
                if (i % 3 == 2) {
                        gen_biased(&rng, &t[0]);
                } else {
                        gen_uniform(&rng, &t[0]);
                        uniform++;
                }
                if ((r = add_line(&b, t, 1, false, false)) < 0)
                        goto out;
                if (b.count == BATCH)
                        run_batch(&b);
        }
        /* Whole command lines through quote_argv: joining, empty args and missing final NULs. */
        for (i = 0; i < 600; i++) {
                nargs = 1 + (size_t)(rng_next(&rng) % 5);
                for (j = 0; j < nargs; j++) {
                        if (rng_next(&rng) % 2)
                                gen_biased(&rng, &t[j]);
                        else
                                gen_uniform(&rng, &t[j]);
                        if (rng_next(&rng) % 8 == 0)
                                t[j].len = 0;
                }
                if ((r = add_line(&b, t, nargs, true, rng_next(&rng) % 2)) < 0)
                        goto out;
                if (b.count == BATCH)
                        run_batch(&b);
        }
        run_batch(&b);
        if (uniform < 2000)
                FAIL("only %zu uniformly random strings", uniform);
out:
        if (r < 0)
                FAIL("building batches failed: %d", r);
        strbuf_free(&b.lines);
        strbuf_free(&b.expect);
}

/* quote_text(): messages, not shell input. */
static void test_text(void)
{
        static const struct {
                const char *in;
                size_t len;
                const char *want;
        } v[] = {
                {S(""), ""},
                {S("plain text, with 'quotes' and \\backslashes\\"),
                 "plain text, with 'quotes' and \\backslashes\\"},
                {S("caf\xc3\xa9 \xe4\xb8\xad"), "caf\xc3\xa9 \xe4\xb8\xad"},
                {S("a\nb\rc\td\x1b[2J\x7f"), "a\\x0ab\\x0dc\\x09d\\x1b[2J\\x7f"},
                {S("\0"), "\\x00"},
                {S("\xff\xc3"), "\\xff\\xc3"},
                {S("\xc2\x85"), "\\xc2\\x85"},              /* C1 NEL */
                {S("x\xe2\x80\xaey"), "x\\xe2\\x80\\xaey"}, /* RIGHT-TO-LEFT OVERRIDE */
                {S("\xc0\xaf"), "\\xc0\\xaf"},              /* overlong '/' */
        };
        struct strbuf sb = STRBUF_INIT;

        for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
                strbuf_reset(&sb);
                if (strbuf_puts(&sb, ">") < 0 || quote_text(&sb, v[i].in, v[i].len) < 0) {
                        FAIL("text case %zu: error", i);
                        continue;
                }
                if (strcmp(sb.buf + 1, v[i].want) != 0) {
                        FAIL("text case %zu: got [%s], want [%s]", i, sb.buf + 1, v[i].want);
                        dump("input", v[i].in, v[i].len);
                }
        }
        strbuf_free(&sb);
}

int main(void)
{
        test_table();
        test_argv();
        test_text();
        make_locales();
        test_bash_round_trip();
        remove_locales();
        return check_summary("test-quote");
}

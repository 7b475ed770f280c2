/*
 * Unit test for daemon/config.c: config_parse_string(), config_load(), config_format() and
 * config_error_format().
 *
 * Every accepted spelling of every key, then every rejection with the exact error fields and the exact
 * "FILE:LINE: [Section] Key=: message" line, because both are shown to administrators and written to the
 * journal. Some checks are regression tests for defects found while writing them.
 */
#include "config.h"
#include "sha256.h"
#include "strbuf.h"
#include "check.h"
#include "config-check.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

static void check_defaults(const struct ea_config *c)
{
        CHECK(c->failed_execs == true);
        CHECK(c->exits == true);
        CHECK_NUM(c->max_args_bytes, 32768);
        CHECK_NUM(c->perf_buffer_pages, 64);
        CHECK_STR(c->pin_path, "/sys/fs/bpf/execauditd");
}

static void test_defaults(void)
{
        static const char *const texts[] = {"", "\n", "# comment only\n; another\n\n", "[Capture]\n[BPF]\n"};
        struct ea_config cfg, def;
        struct config_error err;
        char want[65];

        config_defaults(&def);
        set_case("config_defaults");
        check_defaults(&def);
        CHECK_STR(def.path, "");

        for (size_t i = 0; i < ELEMENTSOF(texts); i++) {
                set_case("defaults from text %zu", i);
                memset(&cfg, 0x5a, sizeof(cfg));
                CHECK_NUM(config_parse_string(texts[i], "empty.conf", &cfg, &err), 0);
                check_defaults(&cfg);
                CHECK_STR(cfg.path, "empty.conf");
                sha256_hex(texts[i], strlen(texts[i]), want);
                CHECK_STR(cfg.sha256, want);
                CHECK_NUM(err.line, 0);
                CHECK_STR(err.message, "");
        }
        set_case("sha256 of empty text");
        CHECK_NUM(config_parse_string("", "e", &cfg, &err), 0);
        CHECK_STR(cfg.sha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_booleans(void)
{
        static const char *const yes[] = {"yes",  "YES", "Yes", "yEs", "true", "TRUE",
                                          "True", "on",  "ON",  "On",  "1"};
        static const char *const no[] = {"no",    "NO",  "No",  "nO",  "false", "FALSE",
                                         "fAlSe", "off", "OFF", "Off", "0"};
        struct ea_config cfg;
        struct config_error err;
        char text[256];

        for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
                set_case("true spelling \"%s\"", yes[i]);
                /* Set false first, so a true result comes from this spelling and not from the default. */
                snprintf(text, sizeof(text),
                         "[Capture]\nFailedExecs=no\nExits=no\nFailedExecs=%s\nExits = %s\n", yes[i],
                         yes[i]);
                CHECK_NUM(config_parse_string(text, "b.conf", &cfg, &err), 0);
                CHECK(cfg.failed_execs == true);
                CHECK(cfg.exits == true);
        }
        for (size_t i = 0; i < ELEMENTSOF(no); i++) {
                set_case("false spelling \"%s\"", no[i]);
                snprintf(text, sizeof(text), "[Capture]\nFailedExecs=%s\nExits= %s \n", no[i], no[i]);
                CHECK_NUM(config_parse_string(text, "b.conf", &cfg, &err), 0);
                CHECK(cfg.failed_execs == false);
                CHECK(cfg.exits == false);
                /* The other keys keep their defaults. */
                CHECK_NUM(cfg.max_args_bytes, 32768);
                CHECK_NUM(cfg.perf_buffer_pages, 64);
                CHECK_STR(cfg.pin_path, "/sys/fs/bpf/execauditd");
        }
        set_case("only one of the two booleans");
        CHECK_NUM(config_parse_string("[Capture]\nExits=off\n", "b.conf", &cfg, &err), 0);
        CHECK(cfg.failed_execs == true);
        CHECK(cfg.exits == false);
}

static void test_numbers_and_paths(void)
{
        static const struct {
                const char *value;
                unsigned want;
        } args[] = {
                {"0", 0},  {"262144", 262144}, {"32K", 32768}, {"1k", 1024}, {"256K", 262144},
                {"0K", 0}, {"0M", 0},          {"100", 100},   {"007", 7},   {"4096", 4096},
        };
        static const struct {
                const char *value;
                unsigned want;
        } pages[] = {{"1", 1}, {"2", 2}, {"64", 64}, {"4096", 4096}, {"4k", 4096}, {"1024", 1024}};
        static const char *const paths[] = {"/sys/fs/bpf/other", "/a/b", "/sys/fs/bpf/execauditd-2",
                                            "/sys/fs/bpf/x.y/..z/...", "/sys/fs/bpf/.hidden"};
        struct ea_config cfg;
        struct config_error err;
        char text[512];

        for (size_t i = 0; i < ELEMENTSOF(args); i++) {
                set_case("MaxArgsBytes=%s", args[i].value);
                snprintf(text, sizeof(text), "[Capture]\nMaxArgsBytes=%s\n", args[i].value);
                CHECK_NUM(config_parse_string(text, "n.conf", &cfg, &err), 0);
                CHECK_NUM(cfg.max_args_bytes, args[i].want);
                CHECK_NUM(cfg.perf_buffer_pages, 64);
        }
        for (size_t i = 0; i < ELEMENTSOF(pages); i++) {
                set_case("PerfBufferPages=%s", pages[i].value);
                snprintf(text, sizeof(text), "[BPF]\nPerfBufferPages=%s\n", pages[i].value);
                CHECK_NUM(config_parse_string(text, "n.conf", &cfg, &err), 0);
                CHECK_NUM(cfg.perf_buffer_pages, pages[i].want);
                CHECK_NUM(cfg.max_args_bytes, 32768);
        }
        for (size_t i = 0; i < ELEMENTSOF(paths); i++) {
                set_case("PinPath=%s", paths[i]);
                snprintf(text, sizeof(text), "[BPF]\nPinPath=%s\n", paths[i]);
                CHECK_NUM(config_parse_string(text, "n.conf", &cfg, &err), 0);
                CHECK_STR(cfg.pin_path, paths[i]);
        }
}

static const char full_text[] = "# execauditd.conf\n"
                                "; comment\n"
                                "\n"
                                "[Capture]\n"
                                "FailedExecs = no\n"
                                "Exits=yes ; inline comment\n"
                                "MaxArgsBytes=1k\n"
                                "\n"
                                "[BPF]\n"
                                "PinPath=/sys/fs/bpf/other\n"
                                "PerfBufferPages=4096\n";

static void check_full(const struct ea_config *c)
{
        CHECK(c->failed_execs == false);
        CHECK(c->exits == true);
        CHECK_NUM(c->max_args_bytes, 1024);
        CHECK_STR(c->pin_path, "/sys/fs/bpf/other");
        CHECK_NUM(c->perf_buffer_pages, 4096);
}

static void test_full_and_format(void)
{
        struct ea_config cfg, back;
        struct config_error err;
        struct strbuf sb = STRBUF_INIT;
        char want[65], line[256];

        set_case("every key");
        CHECK_NUM(config_parse_string(full_text, "/etc/execauditd.conf", &cfg, &err), 0);
        check_full(&cfg);
        CHECK_STR(cfg.path, "/etc/execauditd.conf");
        sha256_hex(full_text, strlen(full_text), want);
        CHECK_STR(cfg.sha256, want);

        set_case("sections in the other order, CRLF line ends");
        CHECK_NUM(config_parse_string("[BPF]\r\nPerfBufferPages=2\r\n[Capture]\r\nExits=0\r\n", "x", &cfg,
                                      &err),
                  0);
        CHECK_NUM(cfg.perf_buffer_pages, 2);
        CHECK(cfg.exits == false);

        set_case("config_format");
        CHECK_NUM(config_parse_string(full_text, "/etc/execauditd.conf", &cfg, &err), 0);
        CHECK_NUM(config_format(&cfg, &sb), 0);
        CHECK(sb.buf != NULL);
        if (sb.buf) {
                snprintf(line, sizeof(line), "/etc/execauditd.conf (sha256 %s)", want);
                CHECK(strstr(sb.buf, line) != NULL);
                CHECK(strstr(sb.buf, "[Capture]\n") != NULL);
                CHECK(strstr(sb.buf, "[BPF]\n") != NULL);
                CHECK(strstr(sb.buf, "\nFailedExecs=no\n") != NULL);
                CHECK(strstr(sb.buf, "\nExits=yes\n") != NULL);
                CHECK(strstr(sb.buf, "\nMaxArgsBytes=1024\n") != NULL);
                CHECK(strstr(sb.buf, "\nPinPath=/sys/fs/bpf/other\n") != NULL);
                CHECK(strstr(sb.buf, "\nPerfBufferPages=4096\n") != NULL);

                set_case("config_format output parses back to the same values");
                CHECK_NUM(config_parse_string(sb.buf, "formatted", &back, &err), 0);
                check_full(&back);
        }

        /* The path in the header comment: escaped, and cut to keep the line within EA_CONFIG_MAX_LINE. */
        for (int i = 0; i < 2; i++) {
                char path[300], *nl;
                struct strbuf hb = STRBUF_INIT;

                if (i == 0)
                        snprintf(path, sizeof(path), "/%0200d/x.conf", 0);
                else
                        snprintf(path, sizeof(path), "/etc/nl\n[Capture]x.conf");
                set_case(i == 0 ? "config_format: a long path, cut"
                                : "config_format: a newline in the path");
                CHECK_NUM(config_parse_string(full_text, path, &cfg, &err), 0);
                CHECK_NUM(config_format(&cfg, &hb), 0);
                nl = hb.buf ? strchr(hb.buf, '\n') : NULL;
                CHECK(nl && nl - hb.buf <= EA_CONFIG_MAX_LINE);
                CHECK(hb.buf &&
                      strstr(hb.buf, i == 0 ? "00... (sha256 " : "# /etc/nl\\x0a[Capture]x.conf (sha256 "));
                CHECK_NUM(config_parse_string(hb.buf ? hb.buf : "", "formatted", &back, &err), 0);
                check_full(&back);
                strbuf_free(&hb);
        }

        set_case("config_format of the defaults");
        config_defaults(&cfg);
        strbuf_reset(&sb);
        CHECK_NUM(config_format(&cfg, &sb), 0);
        if (sb.buf) {
                CHECK(strstr(sb.buf, "\nFailedExecs=yes\n") != NULL);
                CHECK(strstr(sb.buf, "\nExits=yes\n") != NULL);
                CHECK(strstr(sb.buf, "\nMaxArgsBytes=32768\n") != NULL);
                CHECK(strstr(sb.buf, "\nPinPath=/sys/fs/bpf/execauditd\n") != NULL);
                CHECK(strstr(sb.buf, "\nPerfBufferPages=64\n") != NULL);
        }
        strbuf_free(&sb);
}

struct reject_case {
        const char *text;
        unsigned line;
        const char *section;
        const char *key;
        const char *message;
        const char *formatted;
};

#define SYNTAX_MSG        "cannot parse this line: expected [Section], Key=Value or a comment"
#define NUM_MSG(v)        "expected a number (optionally with K or M), got \"" v "\""
#define PAGES_MSG(v)      v " is not a power of two between 1 and 4096"
#define ARGS_RANGE_MSG(v) v " is out of range: must be between 0 and 262144"
/* A MaxArgsBytes= value on line 2 and the message its error must carry, alone and as formatted. */
#define ARGS_ROW(v, msg)                                                                                    \
        {                                                                                                   \
                "[Capture]\nMaxArgsBytes=" v "\n", 2, "Capture", "MaxArgsBytes", msg,                       \
                        "t.conf:2: [Capture] MaxArgsBytes=: " msg                                           \
        }
#define SECTION_TEXT_MSG(sec, text)                                                                         \
        "text after [" sec "] on its line (\"" text                                                         \
        "\"): put each key on a line of its own (lines end with "                                           \
        "a newline)"
#define PATH_MSG(v) "expected an absolute path without trailing /, . or .. components, got \"" v "\""
#define ROOT_MSG(v)                                                                                         \
        "expected a directory below a BPF file system's mount point, e.g. /sys/fs/bpf/execauditd, got \"" v \
        "\""
#define MOUNT_MSG(p)                                                                                        \
        p " is a BPF file system's mount point: name a directory of execauditd's own below it, e.g. " p     \
          "/execauditd"
#define CONTINUED_MSG                                                                                       \
        "an indented line continues the key before it, which takes one value: keys must not be indented"

static const struct reject_case rejects[] = {
        {"[Foo]\nBar=1\n", 2, "Foo", "Bar", "unknown section [Foo]",
         "t.conf:2: [Foo] Bar=: unknown section [Foo]"},
        {"[Capture]\nFailedExec=yes\n", 2, "Capture", "FailedExec", "unknown key",
         "t.conf:2: [Capture] FailedExec=: unknown key"},
        {"[Capture]\nPinPath=/sys/fs/bpf/x\n", 2, "Capture", "PinPath", "unknown key",
         "t.conf:2: [Capture] PinPath=: unknown key"},
        {"[capture]\nExits=no\n", 2, "capture", "Exits", "unknown section [capture]",
         "t.conf:2: [capture] Exits=: unknown section [capture]"},
        {"Exits=yes\n[Capture]\n", 1, "", "Exits", "key outside of any [Section]",
         "t.conf:1: Exits=: key outside of any [Section]"},
        {"[Capture]\nExits=maybe\n", 2, "Capture", "Exits", "expected yes or no, got \"maybe\"",
         "t.conf:2: [Capture] Exits=: expected yes or no, got \"maybe\""},
        {"[Capture]\nFailedExecs=\n", 2, "Capture", "FailedExecs", "expected yes or no, got \"\"",
         "t.conf:2: [Capture] FailedExecs=: expected yes or no, got \"\""},
        {"[Capture]\nFailedExecs=2\n", 2, "Capture", "FailedExecs", "expected yes or no, got \"2\"",
         "t.conf:2: [Capture] FailedExecs=: expected yes or no, got \"2\""},
        ARGS_ROW("262145", ARGS_RANGE_MSG("262145")),
        ARGS_ROW("257K", ARGS_RANGE_MSG("257K")),
        ARGS_ROW("1M", ARGS_RANGE_MSG("1M")),
        ARGS_ROW("-1", NUM_MSG("-1")),
        ARGS_ROW("12x", NUM_MSG("12x")),
        ARGS_ROW("", NUM_MSG("")),
        /* A number too large for 64 bits is still a number: out of range, not malformed. */
        ARGS_ROW("99999999999999999999999", ARGS_RANGE_MSG("99999999999999999999999")),
        ARGS_ROW("18446744073709551616", ARGS_RANGE_MSG("18446744073709551616")),
        ARGS_ROW("18446744073709551615K", ARGS_RANGE_MSG("18446744073709551615K")),
        ARGS_ROW("18014398509481984k", ARGS_RANGE_MSG("18014398509481984k")),
        ARGS_ROW("17592186044416M", ARGS_RANGE_MSG("17592186044416M")),
        ARGS_ROW("99999999999999999999x", NUM_MSG("99999999999999999999x")),
        ARGS_ROW("+5", NUM_MSG("+5")),
        ARGS_ROW("0x10", NUM_MSG("0x10")),
        ARGS_ROW("1KB", NUM_MSG("1KB")),
        ARGS_ROW("1 K", NUM_MSG("1 K")),
        {"[BPF]\nPerfBufferPages=0\n", 2, "BPF", "PerfBufferPages", PAGES_MSG("0"),
         "t.conf:2: [BPF] PerfBufferPages=: " PAGES_MSG("0")},
        {"[BPF]\nPerfBufferPages=3\n", 2, "BPF", "PerfBufferPages", PAGES_MSG("3"),
         "t.conf:2: [BPF] PerfBufferPages=: " PAGES_MSG("3")},
        {"[BPF]\nPerfBufferPages=8192\n", 2, "BPF", "PerfBufferPages", PAGES_MSG("8192"),
         "t.conf:2: [BPF] PerfBufferPages=: " PAGES_MSG("8192")},
        {"[BPF]\nPerfBufferPages=8K\n", 2, "BPF", "PerfBufferPages", PAGES_MSG("8K"),
         "t.conf:2: [BPF] PerfBufferPages=: " PAGES_MSG("8K")},
        {"[BPF]\nPerfBufferPages=99999999999999999999\n", 2, "BPF", "PerfBufferPages",
         PAGES_MSG("99999999999999999999"),
         "t.conf:2: [BPF] PerfBufferPages=: " PAGES_MSG("99999999999999999999")},
        {"[BPF]\nPerfBufferPages=17592186044416M\n", 2, "BPF", "PerfBufferPages",
         PAGES_MSG("17592186044416M"), "t.conf:2: [BPF] PerfBufferPages=: " PAGES_MSG("17592186044416M")},
        {"[BPF]\nPerfBufferPages=x\n", 2, "BPF", "PerfBufferPages", NUM_MSG("x"),
         "t.conf:2: [BPF] PerfBufferPages=: " NUM_MSG("x")},
        {"[BPF]\nPinPath=sys/fs/bpf/x\n", 2, "BPF", "PinPath", PATH_MSG("sys/fs/bpf/x"),
         "t.conf:2: [BPF] PinPath=: " PATH_MSG("sys/fs/bpf/x")},
        {"[BPF]\nPinPath=/sys/fs/bpf/x/\n", 2, "BPF", "PinPath", PATH_MSG("/sys/fs/bpf/x/"),
         "t.conf:2: [BPF] PinPath=: " PATH_MSG("/sys/fs/bpf/x/")},
        {"[BPF]\nPinPath=/sys/fs/../bpf\n", 2, "BPF", "PinPath", PATH_MSG("/sys/fs/../bpf"),
         "t.conf:2: [BPF] PinPath=: " PATH_MSG("/sys/fs/../bpf")},
        {"[BPF]\nPinPath=/sys/fs/bpf/..\n", 2, "BPF", "PinPath", PATH_MSG("/sys/fs/bpf/.."),
         "t.conf:2: [BPF] PinPath=: " PATH_MSG("/sys/fs/bpf/..")},
        {"[BPF]\nPinPath=/sys/./fs\n", 2, "BPF", "PinPath", PATH_MSG("/sys/./fs"),
         "t.conf:2: [BPF] PinPath=: " PATH_MSG("/sys/./fs")},
        {"[BPF]\nPinPath=/\n", 2, "BPF", "PinPath", PATH_MSG("/"),
         "t.conf:2: [BPF] PinPath=: " PATH_MSG("/")},
        {"[BPF]\nPinPath=\n", 2, "BPF", "PinPath", PATH_MSG(""), "t.conf:2: [BPF] PinPath=: " PATH_MSG("")},
        /* The directory above PinPath= is the bpffs: "/mnt" would empty a bpffs mounted on /mnt. */
        {"[BPF]\nPinPath=/mnt\n", 2, "BPF", "PinPath", ROOT_MSG("/mnt"),
         "t.conf:2: [BPF] PinPath=: " ROOT_MSG("/mnt")},
        /* Where bpffs is mounted, shared with other programs: not a directory of execauditd's own. */
        {"[BPF]\nPinPath=/sys/fs/bpf\n", 2, "BPF", "PinPath", MOUNT_MSG("/sys/fs/bpf"),
         "t.conf:2: [BPF] PinPath=: " MOUNT_MSG("/sys/fs/bpf")},
        /* An indented line continues the key before it: only a list takes more values. */
        {"[BPF]\nPinPath=/sys/fs/bpf/x\n  /sys/fs/bpf/y\n", 3, "BPF", "PinPath", CONTINUED_MSG,
         "t.conf:3: [BPF] PinPath=: " CONTINUED_MSG},
        {"[Capture]\nExits=yes\n  FailedExecs=no\n", 3, "Capture", "Exits", CONTINUED_MSG,
         "t.conf:3: [Capture] Exits=: " CONTINUED_MSG},
        {"[Capture]\nMaxArgsBytes=1K\n\t2K\n", 3, "Capture", "MaxArgsBytes", CONTINUED_MSG,
         "t.conf:3: [Capture] MaxArgsBytes=: " CONTINUED_MSG},
        /* inih would drop what follows a header: nothing would be excluded, or every line lost. */
        {"[Filter] ExcludeUsers=gitlab-runner\n", 1, "Filter", "",
         SECTION_TEXT_MSG("Filter", "ExcludeUsers=gitlab-runner"),
         "t.conf:1: " SECTION_TEXT_MSG("Filter", "ExcludeUsers=gitlab-runner")},
        /* The same after a byte order mark, which inih ignores (before, the check looked at the mark). */
        {"\xef\xbb\xbf[Filter] Users=0\n", 1, "Filter", "", SECTION_TEXT_MSG("Filter", "Users=0"),
         "t.conf:1: " SECTION_TEXT_MSG("Filter", "Users=0")},
        /* Two marks: inih passes over the second one as well. */
        {"\xef\xbb\xbf\xef\xbb\xbf[Filter] Users=0\n", 1, "Filter", "",
         SECTION_TEXT_MSG("Filter", "Users=0"), "t.conf:1: " SECTION_TEXT_MSG("Filter", "Users=0")},
        /* The text keeps its bytes; shown, they are escaped as in every other message (not as '?'). */
        {"[Capture]\nExits=no\n[BPF]\rPerfBufferPages=8\r", 3, "BPF", "",
         SECTION_TEXT_MSG("BPF", "\rPerfBufferPages=8"),
         "t.conf:3: " SECTION_TEXT_MSG("BPF", "\\x0dPerfBufferPages=8")},
        {"[Filter] \x1b[2J\xc3\xa9t\xc3\xa9\x7f\xff\n", 1, "Filter", "",
         SECTION_TEXT_MSG("Filter", "\x1b[2J\xc3\xa9t\xc3\xa9\x7f\xff"),
         "t.conf:1: " SECTION_TEXT_MSG("Filter", "\\x1b[2J\xc3\xa9t\xc3\xa9\\x7f\\xff")},
        {"[Capture]\nExits\n", 2, "", "", SYNTAX_MSG, "t.conf:2: " SYNTAX_MSG},
        {"[Capture\n", 1, "", "", SYNTAX_MSG, "t.conf:1: " SYNTAX_MSG},
        /* Line 5, after comments and blank lines. */
        {"# comment\n\n; another comment\n[Capture]\nExits=maybe\n", 5, "Capture", "Exits",
         "expected yes or no, got \"maybe\"",
         "t.conf:5: [Capture] Exits=: expected yes or no, got \"maybe\""},
        {"# comment\n\n; another comment\n[BPF]\nthis is not a key\n", 5, "", "", SYNTAX_MSG,
         "t.conf:5: " SYNTAX_MSG},
        /* Two errors: the first one is reported. */
        {"[Capture]\nExits=maybe\nFailedExecs=perhaps\n", 2, "Capture", "Exits",
         "expected yes or no, got \"maybe\"",
         "t.conf:2: [Capture] Exits=: expected yes or no, got \"maybe\""},
        {"[Capture]\nExits=maybe\njunk\n", 2, "Capture", "Exits", "expected yes or no, got \"maybe\"",
         "t.conf:2: [Capture] Exits=: expected yes or no, got \"maybe\""},
        {"[BPF]\nPerfBufferPages=3\n[Nope]\nX=1\n", 2, "BPF", "PerfBufferPages", PAGES_MSG("3"),
         "t.conf:2: [BPF] PerfBufferPages=: " PAGES_MSG("3")},
};

static void check_reject(const struct reject_case *c, const char *label)
{
        struct ea_config cfg, sentinel;
        struct config_error err;

        memset(&sentinel, 0xa5, sizeof(sentinel));
        cfg = sentinel;
        memset(&err, 0x5a, sizeof(err));
        set_case("%s: %s", label, c->text);
        CHECK_NUM(config_parse_string(c->text, "t.conf", &cfg, &err), -EINVAL);
        CHECK(memcmp(&cfg, &sentinel, sizeof(cfg)) == 0); /* *out untouched on failure */
        CHECK_STR(err.file, "t.conf");
        CHECK_NUM(err.line, c->line);
        CHECK_STR(err.section, c->section);
        CHECK_STR(err.key, c->key);
        CHECK_STR(err.message, c->message);
        CHECK_STR(fmt_error(&err), c->formatted);
}

static void test_rejects(void)
{
        for (size_t i = 0; i < ELEMENTSOF(rejects); i++) {
                char label[32];

                snprintf(label, sizeof(label), "reject %zu", i);
                check_reject(&rejects[i], label);
        }
}

/* A comment may follow a section header; an indented "[...]" after an assignment continues it. */
static void test_section_line_comments(void)
{
        struct ea_config cfg;
        struct config_error err;

        set_case("comments after headers");
        CHECK_NUM(config_parse_string("[Capture] ; not now\nExits=no\n[BPF]\t# small\nPerfBufferPages=8\n",
                                      "t.conf", &cfg, &err),
                  0);
        CHECK(!cfg.exits);
        CHECK_NUM(cfg.perf_buffer_pages, 8);

        set_case("where PinPath= was set, for the lock's message");
        CHECK_NUM(config_parse_string("[Capture]\nExits=no\n", "t.conf", &cfg, &err), 0);
        CHECK_NUM(cfg.pin_path_at.line, 0);
        CHECK_NUM(config_parse_string("# pins\n[BPF]\nPinPath=/sys/fs/bpf/a\n\nPinPath=/sys/fs/bpf/b\n",
                                      "p.conf", &cfg, &err),
                  0);
        CHECK_STR(cfg.pin_path_at.file, "p.conf");
        CHECK_NUM(cfg.pin_path_at.line, 5);

        set_case("an indented comment or blank line after a key that takes one value");
        CHECK_NUM(
                config_parse_string("[BPF]\nPinPath=/sys/fs/bpf/x\n  ; the old one\n \nPerfBufferPages=8\n",
                                    "t.conf", &cfg, &err),
                0);
        CHECK_STR(cfg.pin_path, "/sys/fs/bpf/x");
}

/*
 * Lines of exactly EA_CONFIG_MAX_LINE (198) characters are the documented maximum and must work: with the
 * newline they fill inih's 200-byte buffer less the NUL.
 */
static void test_line_limit_ok(void)
{
        struct ea_config cfg;
        struct config_error err;
        char text[1024], pin[256];

        set_case("198-character comment line");
        memset(pin, 'c', EA_CONFIG_MAX_LINE - 1);
        pin[EA_CONFIG_MAX_LINE - 1] = '\0';
        snprintf(text, sizeof(text), "[Capture]\n#%s\nExits=no\n", pin);
        CHECK_NUM(config_parse_string(text, "l.conf", &cfg, &err), 0);
        CHECK(cfg.exits == false);

        set_case("198-character comment line, the last, with no newline");
        snprintf(text, sizeof(text), "[Capture]\nExits=no\n#%s", pin);
        CHECK_NUM(config_parse_string(text, "l.conf", &cfg, &err), 0);
        CHECK(cfg.exits == false);

        set_case("a byte order mark before the first header");
        CHECK_NUM(config_parse_string("\xef\xbb\xbf[Capture]\nExits=no\n", "l.conf", &cfg, &err), 0);
        CHECK(cfg.exits == false);

        set_case("198-character PinPath line");
        /* "PinPath=" is 8 characters, so the value has 190. */
        memset(pin, 'p', EA_CONFIG_MAX_LINE - 8);
        pin[0] = pin[2] = '/';
        pin[EA_CONFIG_MAX_LINE - 8] = '\0';
        snprintf(text, sizeof(text), "[BPF]\nPinPath=%s\nPerfBufferPages=2\n", pin);
        CHECK_NUM(config_parse_string(text, "l.conf", &cfg, &err), 0);
        CHECK_STR(cfg.pin_path, pin);
        CHECK_NUM(cfg.perf_buffer_pages, 2);
}

/*
 * Over-long lines. inih reads at most 199 characters per line; Debian 12's hands the rest of the line to the
 * parser as if it were the next line (with the line counter advanced), later ones skip up to the next
 * newline and read a line of 199 characters with no newline as longer still. config.c must detect them,
 * the same way with either.
 */
static void test_line_limit_exceeded(void)
{
        struct ea_config cfg;
        struct config_error err;
        char text[2048], fill[512];
        int r;

        set_case("PinPath line of 259 characters on line 3");
        memset(fill, 'a', 250);
        fill[250] = '\0';
        snprintf(text, sizeof(text), "[BPF]\n# c\nPinPath=/%s\n", fill);
        r = config_parse_string(text, "long.conf", &cfg, &err);
        CHECK(r < 0);
        CHECK(err.line != 0);
        CHECK_STR(err.file, "long.conf");
        /* Reported as line 4: the rest of line 3 counted as a line of its own. */
        CHECK_WHY(err.line == 3, "over-long line reported with the wrong line number");

        set_case("a line of 199 characters, one too many, then a setting");
        memset(fill, 'z', EA_CONFIG_MAX_LINE - 8);
        fill[0] = '/';
        fill[EA_CONFIG_MAX_LINE - 8] = '\0';
        snprintf(text, sizeof(text), "[BPF]\nPinPath=/%s\nPerfBufferPages=2\n", fill);
        r = config_parse_string(text, "long.conf", &cfg, &err);
        CHECK(r < 0);
        CHECK_NUM(err.line, 2);
        CHECK_STR(err.message, "line is longer than 198 bytes");

        set_case("comment line of 207 characters whose tail is \"Exits=no\"");
        /* '#' and 198 more characters fill the 199 inih reads; "Exits=no" is what it reads next. */
        memset(fill, 'b', 198);
        fill[198] = '\0';
        snprintf(text, sizeof(text), "[Capture]\n#%sExits=no\nFailedExecs=yes\n", fill);
        memset(&cfg, 0, sizeof(cfg));
        r = config_parse_string(text, "long.conf", &cfg, &err);
        /* The tail of the comment is parsed as a setting: Exits=no is applied silently. */
        CHECK_WHY(r < 0, "text past column 199 of a comment is applied as a setting");
        if (r < 0)
                CHECK_NUM(err.line, 2);
        else
                CHECK_WHY(cfg.exits == true, "comment tail changed Exits");

        set_case("error after an over-long comment keeps its line number");
        memset(fill, 'd', 300);
        fill[300] = '\0';
        snprintf(text, sizeof(text), "[Capture]\n;%s\nExits=maybe\n", fill);
        r = config_parse_string(text, "long.conf", &cfg, &err);
        CHECK(r < 0);
        CHECK(err.line != 0);
        CHECK_WHY(err.line == 2, "first error should be the over-long line 2");

        set_case("198 characters and CRLF: the carriage return is part of the line end");
        memset(fill, 'e', 189);
        fill[189] = '\0';
        fill[1] = '/';
        snprintf(text, sizeof(text), "[BPF]\r\nPinPath=/%s\r\n", fill); /* 8 + 190 characters */
        CHECK_NUM(config_parse_string(text, "crlf.conf", &cfg, &err), 0);
        CHECK_NUM(strlen(cfg.pin_path), 190);
}

/*
 * A syntax error followed by a rejected key: inih returns the line of the syntax error, but config.c
 * pairs it with the key and message recorded for the later line.
 */
static void test_first_error_syntax_then_key(void)
{
        struct ea_config cfg;
        struct config_error err;

        set_case("syntax error on line 2, bad value on line 3");
        CHECK_NUM(config_parse_string("[Capture]\njunk\nExits=maybe\n", "t.conf", &cfg, &err), -EINVAL);
        CHECK_NUM(err.line, 2);
        CHECK_WHY(strcmp(err.key, "") == 0, "key of a later line paired with the line of a syntax error");
        CHECK_WHY(strcmp(err.message, SYNTAX_MSG) == 0,
                  "message of a later line paired with the line of a syntax error");
        CHECK_WHY(strcmp(fmt_error(&err), "t.conf:2: " SYNTAX_MSG) == 0, "formatted first error");

        set_case("unterminated section header on line 1, then a key");
        CHECK_NUM(config_parse_string("[Capture\nExits=no\n", "t.conf", &cfg, &err), -EINVAL);
        CHECK_NUM(err.line, 1);
        CHECK_WHY(strcmp(err.key, "") == 0, "key of a later line paired with the line of a syntax error");
        CHECK_WHY(strcmp(fmt_error(&err), "t.conf:1: " SYNTAX_MSG) == 0,
                  "reported \"key outside of any [Section]\" for line 1");
}

/* The message promises to reject "." components; a trailing "/." gets through. */
static void test_pin_path_dot(void)
{
        static const char *const dots[] = {"/sys/fs/bpf/.", "/."};
        struct ea_config cfg;
        struct config_error err;
        char text[256];

        for (size_t i = 0; i < ELEMENTSOF(dots); i++) {
                set_case("PinPath=%s", dots[i]);
                snprintf(text, sizeof(text), "[BPF]\nPinPath=%s\n", dots[i]);
                CHECK_WHY(config_parse_string(text, "t.conf", &cfg, &err) == -EINVAL,
                          "PinPath with a trailing \".\" component accepted");
        }
}

/* Rejected text: the error fields, and a message that was not cut by its buffer. */
static void check_long(const char *text, unsigned line, const char *section, const char *key,
                       const char *message)
{
        struct ea_config cfg;
        struct config_error err;
        char formatted[1024];

        CHECK_NUM(config_parse_string(text, "t.conf", &cfg, &err), -EINVAL);
        CHECK_NUM(err.line, line);
        CHECK_STR(err.section, section);
        CHECK_STR(err.key, key);
        CHECK_STR(err.message, message);
        CHECK_WHY(strlen(err.message) < sizeof(err.message) - 1, "the message filled its buffer: cut");
        if (key[0])
                snprintf(formatted, sizeof(formatted), "t.conf:%u: [%s] %s=: %s", line, section, key,
                         message);
        else
                snprintf(formatted, sizeof(formatted), "t.conf:%u: %s", line, message);
        CHECK_STR(fmt_error(&err), formatted);
}

/*
 * A value nearly as long as a line (199 bytes). The message shows its first 64 bytes and "...", and all the
 * rest of the message: the handler's 200-byte buffer used to cut it, losing the reason, the range or the
 * closing quote after the value. A key or section name is kept whole.
 */
static void test_long_values(void)
{
        char text[512], want[512];
        const char *x64 = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
        const char *n64 = "9999999999999999999999999999999999999999999999999999999999999999";

        CHECK_NUM(strlen(x64), 64);
        set_case("a long boolean");
        snprintf(text, sizeof(text), "[Capture]\nExits=%s\n", run_of('x', 185));
        snprintf(want, sizeof(want), "expected yes or no, got \"%s...\"", x64);
        check_long(text, 2, "Capture", "Exits", want);

        set_case("a long number: the range after it");
        snprintf(text, sizeof(text), "[Capture]\nMaxArgsBytes=%s\n", run_of('9', 180));
        snprintf(want, sizeof(want), "%s... is out of range: must be between 0 and 262144", n64);
        check_long(text, 2, "Capture", "MaxArgsBytes", want);
        snprintf(text, sizeof(text), "[Capture]\nMaxArgsBytes=%sx\n", run_of('9', 180));
        snprintf(want, sizeof(want), "expected a number (optionally with K or M), got \"%s...\"", n64);
        check_long(text, 2, "Capture", "MaxArgsBytes", want);
        snprintf(text, sizeof(text), "[BPF]\nPerfBufferPages=%s3\n", run_of('0', 180));
        snprintf(want, sizeof(want), "%s... is not a power of two between 1 and 4096", run_of('0', 64));
        check_long(text, 2, "BPF", "PerfBufferPages", want);
        snprintf(text, sizeof(text), "[Journal]\nStatsInterval=%s\n", run_of('9', 180));
        snprintf(want, sizeof(want), "%s... is out of range: at most 30 days", run_of('9', 64));
        check_long(text, 2, "Journal", "StatsInterval", want);
        snprintf(text, sizeof(text), "[Journal]\nStatsInterval=%sx\n", run_of('9', 180));
        snprintf(want, sizeof(want),
                 "unknown unit \"x\" in \"%s...\": expected s, min, h or d after the number", n64);
        check_long(text, 2, "Journal", "StatsInterval", want);
        snprintf(text, sizeof(text), "[Journal]\nStatsInterval=1%s\n", run_of('w', 180));
        snprintf(want, sizeof(want),
                 "unknown unit \"%s...\" in \"1%s...\": expected s, min, h or d after the number",
                 run_of('w', 64), run_of('w', 63));
        check_long(text, 2, "Journal", "StatsInterval", want);
        snprintf(text, sizeof(text), "[Journal]\nStatsInterval=%s\n", run_of('h', 180));
        snprintf(want, sizeof(want), "expected a time span such as 3600, 30min, 1h or 0, got \"%s...\"",
                 run_of('h', 64));
        check_long(text, 2, "Journal", "StatsInterval", want);

        set_case("a long path");
        snprintf(text, sizeof(text), "[BPF]\nPinPath=/%s/\n", run_of('x', 180));
        snprintf(want, sizeof(want), PATH_MSG("/%s..."), run_of('x', 63));
        check_long(text, 2, "BPF", "PinPath", want);
        snprintf(text, sizeof(text), "[BPF]\nPinPath=/%s\n", run_of('x', 180));
        snprintf(want, sizeof(want), ROOT_MSG("/%s..."), run_of('x', 63));
        check_long(text, 2, "BPF", "PinPath", want);

        set_case("a long section or key name is kept whole");
        /* inih itself keeps 49 bytes of a section name (its MAX_SECTION): no known one is that long. */
        snprintf(text, sizeof(text), "[%s]\nA=1\n", run_of('s', 150));
        snprintf(want, sizeof(want), "unknown section [%s]", run_of('s', 49));
        check_long(text, 2, run_of('s', 49), "A", want);
        snprintf(text, sizeof(text), "[Capture]\n%s=1\n", run_of('k', 190));
        check_long(text, 2, "Capture", run_of('k', 190), "unknown key");

        set_case("long text after a section header");
        snprintf(text, sizeof(text), "[Capture] %s\n", run_of('t', 180));
        snprintf(want, sizeof(want), SECTION_TEXT_MSG("Capture", "%s..."), run_of('t', 64));
        check_long(text, 1, "Capture", "", want);
        snprintf(text, sizeof(text), "[%s] %s\n", run_of('s', 100), run_of('t', 90));
        snprintf(want, sizeof(want), SECTION_TEXT_MSG("%s...", "%s..."), run_of('s', 64), run_of('t', 64));
        check_long(text, 1, run_of('s', 100), "", want);

        set_case("shortened between characters, never inside one");
        /* 63 bytes and a two-byte é across the 64th: the é goes whole, not its first byte as \xc3. */
        snprintf(text, sizeof(text), "[Capture]\nExits=%s\xc3\xa9%s\n", run_of('x', 63), run_of('y', 100));
        snprintf(want, sizeof(want), "expected yes or no, got \"%s...\"", run_of('x', 63));
        check_long(text, 2, "Capture", "Exits", want);
        /* Exactly 64 bytes: shown whole, no "...". */
        snprintf(text, sizeof(text), "[Capture]\nExits=%s\n", x64);
        snprintf(want, sizeof(want), "expected yes or no, got \"%s\"", x64);
        check_long(text, 2, "Capture", "Exits", want);
}

static int write_temp(char *path, const void *data, size_t len)
{
        int fd;

        strcpy(path, "/tmp/ea-unit-config-XXXXXX");
        fd = mkstemp(path);
        if (fd < 0)
                return -errno;
        if (write(fd, data, len) != (ssize_t)len) {
                close(fd);
                unlink(path);
                return -EIO;
        }
        close(fd);
        return 0;
}

static void test_load(void)
{
        struct ea_config cfg;
        struct config_error err;
        char path[64], missing[128], want[65], expect[512];
        static const char bad[] = "# header\n\n[Capture]\nFailedExecs=yes\nExits=sometimes\n";
        static const char nul[] = "[Capture]\nExits=no\0\n";
        char *big;
        size_t big_len = 1024 * 1024 + 1;

        set_case("config_load of a valid file");
        if (write_temp(path, full_text, strlen(full_text)) < 0) {
                CHECK(!"cannot create a temporary file");
                return;
        }
        CHECK_NUM(config_load(path, &cfg, &err), 0);
        check_full(&cfg);
        CHECK_STR(cfg.path, path);
        sha256_hex(full_text, strlen(full_text), want);
        CHECK_STR(cfg.sha256, want);
        unlink(path);

        set_case("config_load of a file with an error on line 5");
        if (write_temp(path, bad, strlen(bad)) == 0) {
                CHECK_NUM(config_load(path, &cfg, &err), -EINVAL);
                CHECK_STR(err.file, path);
                CHECK_NUM(err.line, 5);
                CHECK_STR(err.section, "Capture");
                CHECK_STR(err.key, "Exits");
                CHECK_STR(err.message, "expected yes or no, got \"sometimes\"");
                snprintf(expect, sizeof(expect),
                         "%s:5: [Capture] Exits=: expected yes or no, got \"sometimes\"", path);
                CHECK_STR(fmt_error(&err), expect);
                unlink(path);
        }

        set_case("config_load of a missing file");
        snprintf(missing, sizeof(missing), "/tmp/ea-unit-config-missing-%ld/execauditd.conf",
                 (long)getpid());
        memset(&err, 0x5a, sizeof(err));
        CHECK_NUM(config_load(missing, &cfg, &err), -ENOENT);
        CHECK_NUM(err.line, 0);
        CHECK_STR(err.file, missing);
        CHECK_STR(err.key, "");
        CHECK_STR(err.section, "");
        snprintf(expect, sizeof(expect), "cannot open: %s", strerror(ENOENT));
        CHECK_STR(err.message, expect);
        snprintf(expect, sizeof(expect), "%s: cannot open: %s", missing, strerror(ENOENT));
        CHECK_STR(fmt_error(&err), expect);

        set_case("config_load of a directory");
        CHECK_NUM(config_load("/tmp", &cfg, &err), -EISDIR);
        CHECK_NUM(err.line, 0);
        snprintf(expect, sizeof(expect), "cannot read: %s", strerror(EISDIR));
        CHECK_STR(err.message, expect);

        set_case("config_load of a FIFO nobody writes: refused at once, not an empty config or a hang");
        snprintf(missing, sizeof(missing), "/tmp/ea-unit-config-fifo-%ld", (long)getpid());
        CHECK_NUM(mkfifo(missing, 0600), 0);
        {
                CHECK_NUM(config_load(missing, &cfg, &err), -EINVAL);
                CHECK_NUM(err.line, 0);
                CHECK_STR(err.message, "cannot read: not a regular file (a FIFO)");
                unlink(missing);
        }

        set_case("config_load of a file with a NUL byte");
        if (write_temp(path, nul, sizeof(nul) - 1) == 0) {
                CHECK_NUM(config_load(path, &cfg, &err), -EINVAL);
                CHECK_NUM(err.line, 0);
                CHECK_STR(err.message, "file contains a NUL byte");
                unlink(path);
        }

        set_case("config_load of a file over 1 MiB");
        big = malloc(big_len);
        if (big) {
                memset(big, '#', big_len);
                for (size_t i = 100; i < big_len; i += 100)
                        big[i] = '\n';
                if (write_temp(path, big, big_len) == 0) {
                        CHECK_NUM(config_load(path, &cfg, &err), -EFBIG);
                        CHECK_NUM(err.line, 0);
                        CHECK_STR(err.message, "file is larger than 1048576 bytes");
                        unlink(path);
                }
                /* Exactly 1 MiB is still accepted. */
                set_case("config_load of a file of exactly 1 MiB");
                if (write_temp(path, big, big_len - 1) == 0) {
                        CHECK_NUM(config_load(path, &cfg, &err), 0);
                        unlink(path);
                }
                free(big);
        }
}

int main(void)
{
        test_defaults();
        test_booleans();
        test_numbers_and_paths();
        test_full_and_format();
        test_rejects();
        test_section_line_comments();
        test_line_limit_ok();
        test_load();
        /* Regression tests for defects found while writing this test. */
        test_line_limit_exceeded();
        test_first_error_syntax_then_key();
        test_pin_path_dot();
        test_long_values();
        return check_summary("test-config");
}

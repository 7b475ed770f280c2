// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target for daemon/config.c: the input is the text of /etc/execauditd.conf. Properties, from
 * config.h and execauditd.conf(5):
 *  - it is accepted or refused; a refusal leaves the config untouched and says where: this file, a line
 *    that exists, a message, all on one line that is safe on a terminal (tests/record-rules.h);
 *  - what is accepted, written out by config_format() (what --check-config prints), parses back to the same
 *    settings, and writing those out again gives the same text; its filter summary (in the started and
 *    reloaded records' MESSAGE) is safe on a terminal.
 * Names resolve through a fixed table, so the result does not depend on this machine's users or files.
 */
#include "config.h"
#include "strbuf.h"
#include "fuzz-check.h"
#include "record-rules.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int user_uid(const char *name, uint32_t *uid)
{
        static const struct {
                const char *name;
                uint32_t uid;
        } users[] = {{"root", 0}, {"alice", 1000}, {"bob", 1001}, {"nobody", 65534}};

        for (size_t i = 0; i < sizeof(users) / sizeof(users[0]); i++)
                if (strcmp(name, users[i].name) == 0) {
                        *uid = users[i].uid;
                        return 0;
                }
        return -ENOENT;
}

static int path_inode(const char *path, uint64_t *inode)
{
        uint32_t h = 2166136261u;

        if (strcmp(path, "/proc/1/ns/mnt") == 0) {
                *inode = 4026531840u;
                return 0;
        }
        if (strncmp(path, "/run/ns/", 8) != 0)
                return strcmp(path, "/tmp") == 0 ? -EMEDIUMTYPE : -ENOENT;
        for (const char *p = path; *p; p++)
                h = (h ^ (unsigned char)*p) * 16777619u;
        *inode = h | 1;
        return 0;
}

static const struct config_resolver resolver = {.user_uid = user_uid, .path_inode = path_inode};

static int cmp_bytes_users(const void *a, const void *b)
{
        return memcmp(a, b, sizeof(struct ea_uid_range));
}

static int cmp_bytes_cgroups(const void *a, const void *b)
{
        return memcmp(a, b, sizeof(struct ea_cgroup_entry));
}

static int cmp_bytes_mntns(const void *a, const void *b)
{
        return memcmp(a, b, sizeof(uint64_t));
}

static int cmp_bytes_commands(const void *a, const void *b)
{
        return memcmp(a, b, 16);
}

/* A filter's lists are sets: config_format() writes cgroups before units, whatever order they came in. */
static void sort_lists(struct ea_filter_list *l)
{
        qsort(l->users, l->n_users, sizeof(l->users[0]), cmp_bytes_users);
        qsort(l->cgroups, l->n_cgroups, sizeof(l->cgroups[0]), cmp_bytes_cgroups);
        qsort(l->mntns, l->n_mntns, sizeof(l->mntns[0]), cmp_bytes_mntns);
        qsort(l->commands, l->n_commands, sizeof(l->commands[0]), cmp_bytes_commands);
}

/* The settings, without where they came from (path, digest, PinPath='s file and line). */
static bool same_settings(const struct ea_config *a, const struct ea_config *b)
{
        static struct ea_filter fa, fb;

        fa = a->filter;
        fb = b->filter;
        sort_lists(&fa.include);
        sort_lists(&fa.exclude);
        sort_lists(&fb.include);
        sort_lists(&fb.exclude);
        return a->failed_execs == b->failed_execs && a->exits == b->exits &&
               a->max_args_bytes == b->max_args_bytes && a->perf_buffer_pages == b->perf_buffer_pages &&
               a->stats_interval_sec == b->stats_interval_sec && strcmp(a->pin_path, b->pin_path) == 0 &&
               memcmp(&fa, &fb, sizeof(fa)) == 0;
}

/* config_format()'s output without its first line, a comment naming the file and its digest. */
static const char *settings_text(const struct strbuf *sb)
{
        const char *nl = sb->buf ? memchr(sb->buf, '\n', sb->len) : NULL;

        return nl ? nl + 1 : "";
}

static void check_error(const char *text, const struct config_error *err)
{
        struct strbuf line = STRBUF_INIT;
        unsigned lines = 1;
        size_t bad;

        for (const char *p = text; *p; p++)
                lines += *p == '\n';
        FUZZ_CHECK(strcmp(err->file, "fuzz.conf") == 0, "error in file \"%s\"", err->file);
        FUZZ_CHECK(err->line <= lines, "error on line %u of %u", err->line, lines);
        FUZZ_CHECK(err->message[0] != '\0', "error without a message");
        FUZZ_CHECK(config_error_format(err, &line) >= 0 && line.len > 0, "error not formatted");
        bad = terminal_unsafe_at(line.buf, line.len);
        FUZZ_CHECK(bad == line.len, "byte 0x%02x at %zu of the error \"%s\"", (unsigned char)line.buf[bad],
                   bad, line.buf);
        strbuf_free(&line);
}

/* The filter in one line, as the started and reloaded records' MESSAGE has it. */
static void check_summary(const struct ea_config *c)
{
        struct strbuf line = STRBUF_INIT;
        size_t bad;

        FUZZ_CHECK(config_filter_summary(&c->filter, NULL, NULL, &line) >= 0 && line.len > 0, "no summary");
        bad = terminal_unsafe_at(line.buf, line.len);
        FUZZ_CHECK(bad == line.len, "byte 0x%02x at %zu of the filter summary \"%s\"",
                   (unsigned char)line.buf[bad], bad, line.buf);
        strbuf_free(&line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static struct ea_config cfg, again, untouched;
        static struct config_error err;
        struct strbuf out = STRBUF_INIT, out2 = STRBUF_INIT;
        char *text = strndup((const char *)data, size);
        int r;

        FUZZ_CHECK(text != NULL, "strndup");
        memset(&cfg, 0x5a, sizeof(cfg));
        untouched = cfg;
        r = config_parse_string_with(text, "fuzz.conf", &resolver, &cfg, &err);
        if (r < 0) {
                FUZZ_CHECK(memcmp(&cfg, &untouched, sizeof(cfg)) == 0, "a refused config changed *out");
                check_error(text, &err);
                goto out;
        }
        FUZZ_CHECK(r == 0, "config_parse_string_with returned %d", r);
        FUZZ_CHECK(config_format(&cfg, &out) >= 0, "config_format");
        r = config_parse_string_with(settings_text(&out), "again.conf", &resolver, &again, &err);
        FUZZ_CHECK(r == 0, "the written config is refused: again.conf:%u: [%s] %s=: %s\n%s", err.line,
                   err.section, err.key, err.message, out.buf);
        FUZZ_CHECK(same_settings(&cfg, &again), "the written config parses to other settings:\n%s", out.buf);
        FUZZ_CHECK(config_format(&again, &out2) >= 0, "config_format");
        check_summary(&cfg);
        FUZZ_CHECK(strcmp(settings_text(&out), settings_text(&out2)) == 0,
                   "written twice differently:\n%s\n%s", out.buf, out2.buf);
out:
        strbuf_free(&out);
        strbuf_free(&out2);
        free(text);
        return 0;
}

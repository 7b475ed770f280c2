// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target for daemon/config.c: the input is the text of /etc/execauditd.conf, parsed from memory. When
 * it holds lines "%%", the parts after them are drop-ins (at most three, read in order): all are written to
 * a temporary directory and read with config_load_with(), which merges them. Properties, from config.h and
 * execauditd.conf(5):
 *  - it is accepted or refused; a refusal leaves the config untouched and says where: one of the files, a
 *    line that exists in it, a message, all on one line that is safe on a terminal (tests/record-rules.h);
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
#include <sys/stat.h>
#include <unistd.h>

static int user_uid(const char *name, uint32_t *uid)
{
        static const struct {
                const char *name;
                uint32_t uid;
        } users[] = {{"root", 0}, {"alice", 1000}, {"bob", 1001}, {"nobody", 65534}, {"ghost", UINT32_MAX}};

        if (strcmp(name, "unreachable") == 0)
                return -EIO; /* a name service that does not answer */

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

/* The settings, without where they came from (path, digest, the files and lines of PinPath= and the
 * maps). */
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

/* config_format()'s output without its leading comments: the file, its digest, how many drop-ins. */
static const char *settings_text(const struct strbuf *sb)
{
        const char *p = sb->buf ? sb->buf : "";

        while (*p == '#') {
                const char *nl = strchr(p, '\n');

                p = nl ? nl + 1 : "";
        }
        return p;
}

#define DROPIN_SEP  "\n%%\n"
#define MAX_DROPINS 3

/* The files of one input: the main file's text, then the drop-ins', with their paths. */
struct files {
        unsigned n;
        char *text[1 + MAX_DROPINS];
        char path[1 + MAX_DROPINS][128];
};

static char dir[64];

static void remove_dir(void)
{
        char p[128];

        for (unsigned i = 1; i <= MAX_DROPINS; i++) {
                snprintf(p, sizeof(p), "%s/main.conf.d/%u.conf", dir, i);
                unlink(p);
        }
        snprintf(p, sizeof(p), "%s/main.conf.d", dir);
        rmdir(p);
        snprintf(p, sizeof(p), "%s/main.conf", dir);
        unlink(p);
        rmdir(dir);
}

/* Splits text at DROPIN_SEP into the files; one file (n == 1) is parsed from memory, without a directory. */
static void split_files(char *text, struct files *f)
{
        char *p = text, *sep;

        f->n = 0;
        do {
                sep = f->n < MAX_DROPINS ? strstr(p, DROPIN_SEP) : NULL;
                if (sep)
                        *sep = '\0';
                f->text[f->n++] = p;
                p = sep ? sep + strlen(DROPIN_SEP) : NULL;
        } while (p);
        if (f->n == 1) {
                snprintf(f->path[0], sizeof(f->path[0]), "fuzz.conf");
                return;
        }
        if (!dir[0]) {
                snprintf(dir, sizeof(dir), "/tmp/fuzz-config-XXXXXX");
                FUZZ_CHECK(mkdtemp(dir) != NULL, "mkdtemp");
                atexit(remove_dir);
        }
        snprintf(f->path[0], sizeof(f->path[0]), "%s/main.conf", dir);
        for (unsigned i = 1; i < f->n; i++)
                snprintf(f->path[i], sizeof(f->path[i]), "%s/main.conf.d/%u.conf", dir, i);
}

static void write_files(const struct files *f)
{
        char d[128];

        remove_dir();
        snprintf(d, sizeof(d), "%s/main.conf.d", dir);
        FUZZ_CHECK(mkdir(dir, 0700) == 0 && mkdir(d, 0700) == 0, "mkdir %s", d);
        for (unsigned i = 0; i < f->n; i++) {
                FILE *fp = fopen(f->path[i], "w");

                FUZZ_CHECK(fp && fputs(f->text[i], fp) >= 0 && fclose(fp) == 0, "writing %s", f->path[i]);
        }
}

static void check_error(const struct files *f, const struct config_error *err)
{
        struct strbuf line = STRBUF_INIT;
        unsigned lines = 1, i = 0;
        size_t bad;

        while (i < f->n && strcmp(err->file, f->path[i]) != 0)
                i++;
        FUZZ_CHECK(i < f->n, "error in file \"%s\"", err->file);
        for (const char *p = f->text[i]; *p; p++)
                lines += *p == '\n';
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
        static struct files f;
        int r;

        FUZZ_CHECK(text != NULL, "strndup");
        split_files(text, &f);
        memset(&cfg, 0x5a, sizeof(cfg));
        untouched = cfg;
        if (f.n == 1) {
                r = config_parse_string_with(text, f.path[0], &resolver, &cfg, &err);
        } else {
                write_files(&f);
                r = config_load_with(f.path[0], &resolver, &cfg, &err);
        }
        if (r < 0) {
                FUZZ_CHECK(memcmp(&cfg, &untouched, sizeof(cfg)) == 0, "a refused config changed *out");
                check_error(&f, &err);
                goto out;
        }
        FUZZ_CHECK(r == 0, "parsing returned %d", r);
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

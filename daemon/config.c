// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Config parsing: a table of (section, key, parser, field) over inih. inih reports the line of the first
 * line a handler rejected, so the handler records which key and why, and the caller pairs that with the
 * line number. Numbers are parsed strictly (no sign, no trailing junk, range-checked).
 */
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config.h"
#include "sha256.h"
#include "execaudit.h"

#define CONFIG_MAX_SIZE (1024 * 1024)

struct parse_state {
        struct ea_config *cfg;
        struct config_error *err;
        bool failed;
        unsigned fail_line; /* line of the first error recorded by the handler or the reader */
        const char *next;   /* reader position in the text */
        unsigned line;      /* line last handed to inih */
};

typedef int (*key_parser)(const char *value, void *field, char *msg, size_t msg_size);

struct key_def {
        const char *section;
        const char *key;
        key_parser parse;
        size_t offset;
};

static int parse_bool(const char *v, void *field, char *msg, size_t n)
{
        static const char *const yes[] = {"yes", "true", "on", "1"};
        static const char *const no[] = {"no", "false", "off", "0"};

        for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
                if (strcasecmp(v, yes[i]) == 0) {
                        *(bool *)field = true;
                        return 0;
                }
                if (strcasecmp(v, no[i]) == 0) {
                        *(bool *)field = false;
                        return 0;
                }
        }
        snprintf(msg, n, "expected yes or no, got \"%s\"", v);
        return -EINVAL;
}

/* Decimal digits only, optionally followed by K or M (powers of 1024). */
static int parse_size(const char *v, uint64_t *out, char *msg, size_t n)
{
        uint64_t x = 0, mult = 1;
        const char *p = v;

        if (*p < '0' || *p > '9')
                goto bad;
        for (; *p >= '0' && *p <= '9'; p++) {
                if (x > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
                        goto bad;
                x = x * 10 + (uint64_t)(*p - '0');
        }
        if (*p == 'K' || *p == 'k')
                mult = 1024, p++;
        else if (*p == 'M' || *p == 'm')
                mult = 1024 * 1024, p++;
        if (*p != '\0' || x > UINT64_MAX / mult)
                goto bad;
        *out = x * mult;
        return 0;
bad:
        snprintf(msg, n, "expected a number (optionally with K or M), got \"%s\"", v);
        return -EINVAL;
}

static int parse_max_args(const char *v, void *field, char *msg, size_t n)
{
        uint64_t x;
        int r = parse_size(v, &x, msg, n);

        if (r < 0)
                return r;
        if (x > EA_ARGS_MAX) {
                snprintf(msg, n, "%s is out of range: must be between 0 and %u", v, EA_ARGS_MAX);
                return -ERANGE;
        }
        *(uint32_t *)field = (uint32_t)x;
        return 0;
}

static int parse_pages(const char *v, void *field, char *msg, size_t n)
{
        uint64_t x;
        int r = parse_size(v, &x, msg, n);

        if (r < 0)
                return r;
        if (x < 1 || x > EA_PERF_BUFFER_PAGES_MAX || (x & (x - 1)) != 0) {
                snprintf(msg, n, "%s is not a power of two between 1 and %u", v, EA_PERF_BUFFER_PAGES_MAX);
                return -ERANGE;
        }
        *(uint32_t *)field = (uint32_t)x;
        return 0;
}

static int parse_pin_path(const char *v, void *field, char *msg, size_t n)
{
        size_t len = strlen(v);

        if (v[0] != '/' || len < 2 || strstr(v, "/../") || strstr(v, "/./") ||
            (len >= 3 && strcmp(v + len - 3, "/..") == 0) || strcmp(v + len - 2, "/.") == 0 ||
            strstr(v, "//") || v[len - 1] == '/') {
                snprintf(msg, n,
                         "expected an absolute path without trailing /, . or .. components, got \"%s\"", v);
                return -EINVAL;
        }
        if (len >= PATH_MAX - 64) {
                snprintf(msg, n, "path is too long");
                return -ENAMETOOLONG;
        }
        memcpy(field, v, len + 1);
        return 0;
}

static const struct key_def keys[] = {
        {"Capture", "FailedExecs", parse_bool, offsetof(struct ea_config, failed_execs)},
        {"Capture", "Exits", parse_bool, offsetof(struct ea_config, exits)},
        {"Capture", "MaxArgsBytes", parse_max_args, offsetof(struct ea_config, max_args_bytes)},
        {"BPF", "PinPath", parse_pin_path, offsetof(struct ea_config, pin_path)},
        {"BPF", "PerfBufferPages", parse_pages, offsetof(struct ea_config, perf_buffer_pages)},
};

void config_defaults(struct ea_config *c)
{
        memset(c, 0, sizeof(*c));
        c->failed_execs = true;
        c->exits = true;
        c->max_args_bytes = EA_DEFAULT_MAX_ARGS_BYTES;
        c->perf_buffer_pages = EA_DEFAULT_PERF_BUFFER_PAGES;
        strcpy(c->pin_path, EA_DEFAULT_PIN_PATH);
}

static int reject(struct parse_state *st, const char *section, const char *name, const char *msg)
{
        if (!st->failed) {
                st->failed = true;
                st->fail_line = st->line;
                snprintf(st->err->section, sizeof(st->err->section), "%s", section);
                snprintf(st->err->key, sizeof(st->err->key), "%s", name);
                snprintf(st->err->message, sizeof(st->err->message), "%s", msg);
        }
        return 0; /* inih: 0 means error, and it returns this line's number */
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
        struct parse_state *st = user;
        char msg[200];
        bool section_known = false;

        for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
                if (strcmp(section, keys[i].section) != 0)
                        continue;
                section_known = true;
                if (strcmp(name, keys[i].key) != 0)
                        continue;
                msg[0] = '\0';
                if (keys[i].parse(value, (char *)st->cfg + keys[i].offset, msg, sizeof(msg)) < 0)
                        return reject(st, section, name, msg);
                return 1;
        }
        if (section[0] == '\0')
                return reject(st, section, name, "key outside of any [Section]");
        if (!section_known) {
                snprintf(msg, sizeof(msg), "unknown section [%s]", section);
                return reject(st, section, name, msg);
        }
        return reject(st, section, name, "unknown key");
}

/*
 * Hands inih one line at a time, so that we know which line a handler call came from, and so that a line
 * longer than inih's buffer is an error of its own instead of being split into a bogus next line.
 */
static char *read_line(char *str, int num, void *stream)
{
        struct parse_state *st = stream;
        const char *p = st->next, *nl;
        size_t len, content;

        if (!*p || num < 2)
                return NULL;
        nl = strchr(p, '\n');
        len = nl ? (size_t)(nl - p) + 1 : strlen(p);
        content = nl ? len - 1 : len;
        st->next = p + len;
        st->line++;
        if (content > (size_t)num - 1) {
                char msg[64];

                snprintf(msg, sizeof(msg), "line is longer than %d characters", num - 1);
                reject(st, "", "", msg);
                content = 0;
        }
        memcpy(str, p, content);
        str[content] = '\0';
        return str;
}

int config_parse_string(const char *text, const char *filename, struct ea_config *out,
                        struct config_error *err)
{
        struct ea_config cfg;
        struct parse_state st = {.cfg = &cfg, .err = err, .next = text};
        int line;

        config_defaults(&cfg);
        memset(err, 0, sizeof(*err));
        snprintf(err->file, sizeof(err->file), "%s", filename);
        line = ini_parse_stream(read_line, &st, handler, &st);
        if (line != 0 || st.failed) {
                /* inih goes on after a syntax error: report whichever error came first. */
                if (st.failed && (line <= 0 || st.fail_line <= (unsigned)line)) {
                        err->line = st.fail_line;
                } else {
                        err->line = line > 0 ? (unsigned)line : 0;
                        err->section[0] = err->key[0] = '\0';
                        snprintf(err->message, sizeof(err->message),
                                 "cannot parse this line: expected [Section], Key=Value or a comment");
                }
                return -EINVAL;
        }
        snprintf(cfg.path, sizeof(cfg.path), "%s", filename);
        sha256_hex(text, strlen(text), cfg.sha256);
        *out = cfg;
        return 0;
}

static int read_file(const char *path, char **out, struct config_error *err)
{
        int fd = -1, r = 0;
        size_t len = 0;
        char *buf = NULL;
        ssize_t n;

        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
                r = -errno;
                snprintf(err->message, sizeof(err->message), "cannot open: %s", strerror(-r));
                goto out;
        }
        buf = malloc(CONFIG_MAX_SIZE + 1);
        if (!buf) {
                r = -ENOMEM;
                goto out;
        }
        while ((n = read(fd, buf + len, CONFIG_MAX_SIZE + 1 - len)) != 0) {
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        r = -errno;
                        snprintf(err->message, sizeof(err->message), "cannot read: %s", strerror(-r));
                        goto out;
                }
                len += (size_t)n;
                if (len > CONFIG_MAX_SIZE) {
                        r = -EFBIG;
                        snprintf(err->message, sizeof(err->message), "file is larger than %d bytes",
                                 CONFIG_MAX_SIZE);
                        goto out;
                }
        }
        if (memchr(buf, '\0', len)) {
                r = -EINVAL;
                snprintf(err->message, sizeof(err->message), "file contains a NUL byte");
                goto out;
        }
        buf[len] = '\0';
        *out = buf;
        buf = NULL;
out:
        free(buf);
        if (fd >= 0)
                close(fd);
        return r;
}

int config_load(const char *path, struct ea_config *out, struct config_error *err)
{
        char *text = NULL;
        int r;

        memset(err, 0, sizeof(*err));
        snprintf(err->file, sizeof(err->file), "%s", path);
        r = read_file(path, &text, err);
        if (r < 0)
                goto out;
        r = config_parse_string(text, path, out, err);
out:
        free(text);
        return r;
}

int config_format(const struct ea_config *c, struct strbuf *out)
{
        return strbuf_printf(out,
                             "# %s (sha256 %s)\n"
                             "[Capture]\n"
                             "FailedExecs=%s\n"
                             "Exits=%s\n"
                             "MaxArgsBytes=%u\n"
                             "\n"
                             "[BPF]\n"
                             "PinPath=%s\n"
                             "PerfBufferPages=%u\n",
                             c->path, c->sha256, c->failed_execs ? "yes" : "no", c->exits ? "yes" : "no",
                             c->max_args_bytes, c->pin_path, c->perf_buffer_pages);
}

int config_error_format(const struct config_error *err, struct strbuf *out)
{
        int r;

        if (err->line)
                r = strbuf_printf(out, "%s:%u: ", err->file, err->line);
        else
                r = strbuf_printf(out, "%s: ", err->file);
        if (r >= 0 && err->key[0] && err->section[0])
                r = strbuf_printf(out, "[%s] %s=: ", err->section, err->key);
        else if (r >= 0 && err->key[0])
                r = strbuf_printf(out, "%s=: ", err->key);
        if (r >= 0)
                r = strbuf_puts(out, err->message);
        return r;
}

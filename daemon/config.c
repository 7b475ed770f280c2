// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Config parsing: a table of (section, key, parser, field) over inih, plus the list keys of [Filter]. inih
 * reports the line of the first line a handler rejected, so the handler records which key and why, and the
 * caller pairs that with the line number. Numbers are parsed strictly (no sign, no trailing junk,
 * range-checked).
 *
 * config_load() reads the main file, then the drop-ins of <path>.d/ on top of what it built so far; all of
 * it goes into one struct load, and *out is written only when everything was accepted.
 */
#include <dirent.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <ini.h>
#include <pwd.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include "config.h"
#include "quote.h"
#include "sha256.h"
#include "execaudit.h"

#define CONFIG_MAX_SIZE (1024 * 1024)
#define CONFIG_MAX_LINE EA_CONFIG_MAX_LINE /* read_line() enforces it */
#define UID_VALID_MAX   4294967294u        /* (uid_t)-1 is "no user" */
#define HOST_MNTNS_PATH "/proc/1/ns/mnt"
#define PIN_PATH_MOUNT_MSG                                                                                  \
        "%s is a BPF file system's mount point: name a directory of execauditd's own below it, e.g. "       \
        "%s/execauditd"
#define LETTERS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
#define SCALAR_CONTINUED_MSG                                                                                \
        "an indented line continues the key before it, which takes one value: keys must not be indented"

/* Everything one load builds, across the main file and its drop-ins. */
struct load {
        struct ea_config cfg;
        const struct config_resolver *res;
        /* MountNamespaces=!host: kept aside until the end (see finish()), so that MountNamespaces= can take
         * it back and ExcludeMountNamespaces= cannot. */
        bool not_host;
        uint64_t host_inode;
};

struct parse_state {
        struct load *ld;
        struct ea_config *cfg;
        struct config_error *err;
        bool failed;
        unsigned fail_line; /* line of the first error recorded by the handler or the reader */
        const char *next;   /* reader position in the text */
        unsigned line;      /* line last handed to inih */
        bool after_key;     /* an assignment since the last section header: indented lines continue it */
        bool continues;     /* the line last handed to inih continues the assignment before it */
};

typedef int (*key_parser)(const char *value, void *field, char *msg, size_t msg_size);

struct key_def {
        const char *section;
        const char *key;
        key_parser parse;
        size_t offset;
};

/*
 * Text from the files as a message quotes it: at most SHOWN_MAX bytes, and "..." after them when there is
 * more, cut between characters. A value may be nearly as long as a line, and config_error's message could
 * not hold it and the rest: cut by its size, a message lost the reason or the range after the value.
 * A message quotes at most two such texts, and has at most 110 bytes of its own (test-config and
 * test-config-filter try each with long values).
 */
#define SHOWN_MAX  64
#define SHOWN_SIZE (SHOWN_MAX + sizeof("..."))
_Static_assert(2 * SHOWN_SIZE + 110 <= sizeof(((struct config_error *)0)->message),
               "two shown texts and the rest of a message fit in config_error");

static const char *shorten(char buf[SHOWN_SIZE], const char *s, size_t len)
{
        size_t keep = len;

        if (len > SHOWN_MAX) {
                /* Not inside a UTF-8 sequence (at most 3 continuation bytes): quote_text() would show its
                 * first bytes as \xNN, as if the file held them. */
                for (keep = SHOWN_MAX; keep > SHOWN_MAX - 3 && ((unsigned char)s[keep] & 0xc0) == 0x80;
                     keep--)
                        ;
        }
        snprintf(buf, SHOWN_SIZE, "%.*s%s", (int)keep, s, keep < len ? "..." : "");
        return buf;
}

/* For one message's arguments: the buffer lives until the end of the enclosing block. */
#define SHOWN_N(s, len) shorten((char[SHOWN_SIZE]){0}, (s), (len))
#define SHOWN(s)        SHOWN_N((s), strlen(s))

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
        snprintf(msg, n, "expected yes or no, got \"%s\"", SHOWN(v));
        return -EINVAL;
}

/*
 * The leading decimal digits of *p, at least one (false when there is none), into *x; *p is left after them.
 * Past 64 bits the digits are still read and *over is set: what follows them decides whether the value is
 * a number too large ("99999999999999999999" is out of range) or no number at all ("99999999999999999999x"
 * is malformed), and the caller must look at that first.
 */
static bool read_digits(const char **p, uint64_t *x, bool *over)
{
        const char *s = *p;

        *x = 0;
        *over = false;
        for (; *s >= '0' && *s <= '9'; s++) {
                if (*x > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
                        *over = true;
                else
                        *x = *x * 10 + (uint64_t)(*s - '0');
        }
        if (s == *p)
                return false;
        *p = s;
        return true;
}

/*
 * Decimal digits only, optionally followed by K or M (powers of 1024). -EINVAL with msg set when v is not
 * such a number; -ERANGE with msg left to the caller, which knows the key's range, when it is one but does
 * not fit in 64 bits.
 */
static int parse_size(const char *v, uint64_t *out, char *msg, size_t n)
{
        uint64_t x, mult = 1;
        bool over;
        const char *p = v;

        if (!read_digits(&p, &x, &over))
                goto bad;
        if (*p == 'K' || *p == 'k')
                mult = 1024, p++;
        else if (*p == 'M' || *p == 'm')
                mult = 1024 * 1024, p++;
        if (*p != '\0')
                goto bad;
        if (over || x > UINT64_MAX / mult)
                return -ERANGE;
        *out = x * mult;
        return 0;
bad:
        snprintf(msg, n, "expected a number (optionally with K or M), got \"%s\"", SHOWN(v));
        return -EINVAL;
}

static int parse_max_args(const char *v, void *field, char *msg, size_t n)
{
        uint64_t x;
        int r = parse_size(v, &x, msg, n);

        if (r == -EINVAL)
                return r;
        if (r == -ERANGE || x > EA_ARGS_MAX) {
                snprintf(msg, n, "%s is out of range: must be between 0 and %u", SHOWN(v), EA_ARGS_MAX);
                return -ERANGE;
        }
        *(uint32_t *)field = (uint32_t)x;
        return 0;
}

static int parse_pages(const char *v, void *field, char *msg, size_t n)
{
        uint64_t x;
        int r = parse_size(v, &x, msg, n);

        if (r == -EINVAL)
                return r;
        if (r == -ERANGE || x < 1 || x > EA_PERF_BUFFER_PAGES_MAX || (x & (x - 1)) != 0) {
                snprintf(msg, n, "%s is not a power of two between 1 and %u", SHOWN(v),
                         EA_PERF_BUFFER_PAGES_MAX);
                return -ERANGE;
        }
        *(uint32_t *)field = (uint32_t)x;
        return 0;
}

/*
 * A path on a BPF file system: absolute, without trailing /, . or .. components, and not directly in /,
 * which is never one. what and example say what the key names, for the message.
 */
static int parse_bpffs_path(const char *v, char *field, const char *what, const char *example, char *msg,
                            size_t n)
{
        size_t len = strlen(v);

        if (v[0] != '/' || len < 2 || strstr(v, "/../") || strstr(v, "/./") ||
            (len >= 3 && strcmp(v + len - 3, "/..") == 0) || strcmp(v + len - 2, "/.") == 0 ||
            strstr(v, "//") || v[len - 1] == '/') {
                snprintf(msg, n,
                         "expected an absolute path without trailing /, . or .. components, got \"%s\"",
                         SHOWN(v));
                return -EINVAL;
        }
        if (!strchr(v + 1, '/')) {
                snprintf(msg, n, "expected %s below a BPF file system's mount point, e.g. %s, got \"%s\"",
                         what, example, SHOWN(v));
                return -EINVAL;
        }
        if (len >= PATH_MAX - 64) {
                snprintf(msg, n, "path is too long");
                return -ENAMETOOLONG;
        }
        memcpy(field, v, len + 1);
        return 0;
}

static int parse_pin_path(const char *v, void *field, char *msg, size_t n)
{
        /* The daemon empties PinPath=: the directory above it must be a bpffs, never its root itself. Only
         * /sys/fs/bpf, where execauditd mounts one itself, is known to be a root without looking: finish()
         * asks the resolver about the others. */
        if (strcmp(v, EA_BPFFS_MOUNT) == 0) {
                snprintf(msg, n, PIN_PATH_MOUNT_MSG, SHOWN(v), SHOWN(v));
                return -EINVAL;
        }
        return parse_bpffs_path(v, field, "a directory", EA_DEFAULT_PIN_PATH, msg, n);
}

/* A time span in whole seconds: a number with an optional unit s, min, h or d (seconds without one). */
static int parse_interval(const char *v, void *field, char *msg, size_t n)
{
        static const struct {
                const char *unit;
                uint64_t sec;
        } units[] = {{"", 1}, {"s", 1}, {"sec", 1}, {"min", 60}, {"m", 60}, {"h", 3600}, {"d", 86400}};
        uint64_t x;
        bool over;
        const char *p = v;

        if (!read_digits(&p, &x, &over))
                goto bad;
        /* The unit first: "99999999999x" is malformed, not a span too long. */
        for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
                if (strcmp(p, units[i].unit) != 0)
                        continue;
                if (over || x > EA_STATS_INTERVAL_MAX / units[i].sec)
                        goto range;
                *(uint32_t *)field = (uint32_t)(x * units[i].sec);
                return 0;
        }
        /* A number and a word: most likely a unit this parser lacks ("1w", "5mins"), and that is what to
         * name. Anything else after the digits ("1.5h", "1 h") is no number at all. */
        if (strspn(p, LETTERS) == strlen(p)) {
                snprintf(msg, n, "unknown unit \"%s\" in \"%s\": expected s, min, h or d after the number",
                         SHOWN(p), SHOWN(v));
                return -EINVAL;
        }
bad:
        snprintf(msg, n, "expected a time span such as 3600, 30min, 1h or 0, got \"%s\"", SHOWN(v));
        return -EINVAL;
range:
        snprintf(msg, n, "%s is out of range: at most 30 days", SHOWN(v));
        return -ERANGE;
}

static const struct key_def keys[] = {
        {"Capture", "FailedExecs", parse_bool, offsetof(struct ea_config, failed_execs)},
        {"Capture", "Exits", parse_bool, offsetof(struct ea_config, exits)},
        {"Capture", "MaxArgsBytes", parse_max_args, offsetof(struct ea_config, max_args_bytes)},
        {"BPF", "PinPath", parse_pin_path, offsetof(struct ea_config, pin_path)},
        {"BPF", "PerfBufferPages", parse_pages, offsetof(struct ea_config, perf_buffer_pages)},
        {"Journal", "StatsInterval", parse_interval, offsetof(struct ea_config, stats_interval_sec)},
};

void config_defaults(struct ea_config *c)
{
        memset(c, 0, sizeof(*c));
        c->failed_execs = true;
        c->exits = true;
        c->max_args_bytes = EA_DEFAULT_MAX_ARGS_BYTES;
        c->perf_buffer_pages = EA_DEFAULT_PERF_BUFFER_PAGES;
        c->stats_interval_sec = EA_DEFAULT_STATS_INTERVAL;
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

/* A message about an entry. Whatever it quotes goes through SHOWN(), so that it fits. */
static void set_msg(char *msg, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_msg(char *msg, size_t n, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, n, fmt, ap);
        va_end(ap);
}

/*
 * [Filter]. Every list key takes entries separated by white space and/or commas; repeating the key (or
 * continuing its line) adds to the list, and an empty assignment empties it. Cgroups= and Units= share one
 * list but each empties only its own entries. An entry already in the list is not added twice.
 */
enum filter_kind { FK_USERS, FK_CGROUPS, FK_UNITS, FK_MNTNS, FK_COMMANDS, FK_CGROUP_MAP, FK_MNTNS_MAP };

struct filter_key {
        const char *key;
        enum filter_kind kind;
        bool exclude;
};

static const struct filter_key filter_keys[] = {
        {"Users", FK_USERS, false},           {"ExcludeUsers", FK_USERS, true},
        {"Cgroups", FK_CGROUPS, false},       {"ExcludeCgroups", FK_CGROUPS, true},
        {"Units", FK_UNITS, false},           {"ExcludeUnits", FK_UNITS, true},
        {"MountNamespaces", FK_MNTNS, false}, {"ExcludeMountNamespaces", FK_MNTNS, true},
        {"Commands", FK_COMMANDS, false},     {"ExcludeCommands", FK_COMMANDS, true},
        {"CgroupMap", FK_CGROUP_MAP, false},  {"MountNamespaceMap", FK_MNTNS_MAP, false},
};

#define FILTER_SEPARATORS " \t\r\n\v\f,"
#define UNIT_CHARS        LETTERS "0123456789:_.\\@-"

static const char *const unit_suffixes[] = {".service", ".scope", ".slice", ".socket", ".mount",    ".swap",
                                            ".target",  ".timer", ".path",  ".device", ".automount"};

static bool all_digits(const char *s, size_t len)
{
        if (len == 0)
                return false;
        for (size_t i = 0; i < len; i++)
                if (s[i] < '0' || s[i] > '9')
                        return false;
        return true;
}

/* Decimal digits only: -EINVAL when s[0..len) is anything else, -ERANGE when it is above max. */
static int parse_decimal(const char *s, size_t len, uint64_t max, uint64_t *out)
{
        uint64_t x = 0;

        if (!all_digits(s, len))
                return -EINVAL;
        for (size_t i = 0; i < len; i++) {
                uint64_t d = (uint64_t)(s[i] - '0');

                if (x > (max - d) / 10)
                        return -ERANGE;
                x = x * 10 + d;
        }
        *out = x;
        return 0;
}

static int too_many(char *msg, size_t n, unsigned max)
{
        set_msg(msg, n, "too many entries (at most %u)", max);
        return -E2BIG;
}

static int uid_value(const char *s, size_t len, uint32_t *out, char *msg, size_t n)
{
        uint64_t x;
        int r = parse_decimal(s, len, UID_VALID_MAX, &x);

        if (r == -ERANGE)
                set_msg(msg, n, "%s is out of range: must be between 0 and %u", SHOWN_N(s, len),
                        UID_VALID_MAX);
        if (r == 0)
                *out = (uint32_t)x;
        return r;
}

/* tok is "A-B" of two user names that exist (for any of its '-'): someone wrote a range of names. */
static bool is_name_range(const struct load *ld, char *tok)
{
        uint32_t a, b;

        for (char *d = strchr(tok, '-'); d; d = strchr(d + 1, '-')) {
                bool both;

                if (d == tok || !d[1])
                        continue;
                *d = '\0';
                both = ld->res->user_uid(tok, &a) == 0 && ld->res->user_uid(d + 1, &b) == 0;
                *d = '-';
                if (both)
                        return true;
        }
        return false;
}

/* A UID, A-B of UIDs, or a user name. tok is modified while looking at it, then restored. */
static int add_user(struct load *ld, struct ea_filter_list *l, char *tok, char *msg, size_t n)
{
        size_t len = strlen(tok);
        char *dash = strchr(tok, '-');
        struct ea_uid_range u;
        int r;

        if (all_digits(tok, len)) {
                r = uid_value(tok, len, &u.lo, msg, n);
                if (r < 0)
                        return r;
                u.hi = u.lo;
        } else if (dash && all_digits(tok, (size_t)(dash - tok)) && all_digits(dash + 1, strlen(dash + 1))) {
                r = uid_value(tok, (size_t)(dash - tok), &u.lo, msg, n);
                if (r == 0)
                        r = uid_value(dash + 1, strlen(dash + 1), &u.hi, msg, n);
                if (r < 0)
                        return r;
                if (u.lo > u.hi) {
                        set_msg(msg, n, "range \"%s\" is empty: %u is greater than %u", SHOWN(tok), u.lo,
                                u.hi);
                        return -EINVAL;
                }
        } else {
                r = ld->res->user_uid(tok, &u.lo);
                if (r == 0 && u.lo > UID_VALID_MAX) {
                        set_msg(msg, n, "user \"%s\" has the invalid UID %u", SHOWN(tok), u.lo);
                        return -ERANGE;
                }
                if (r == -ENOENT && dash &&
                    (all_digits(tok, (size_t)(dash - tok)) || all_digits(dash + 1, strlen(dash + 1))))
                        set_msg(msg, n, "expected a range of two UIDs A-B, got \"%s\"", SHOWN(tok));
                else if (r == -ENOENT && is_name_range(ld, tok))
                        set_msg(msg, n, "\"%s\" is a range of user names: a range takes UIDs, A-B",
                                SHOWN(tok));
                else if (r == -ENOENT)
                        set_msg(msg, n, "unknown user \"%s\"", SHOWN(tok));
                else if (r < 0)
                        set_msg(msg, n, "cannot look up user \"%s\": %s", SHOWN(tok), strerror(-r));
                if (r < 0)
                        return r;
                u.hi = u.lo;
        }
        for (uint32_t i = 0; i < l->n_users; i++)
                if (l->users[i].lo == u.lo && l->users[i].hi == u.hi)
                        return 0;
        if (l->n_users >= EA_FILTER_MAX_UID_RANGES)
                return too_many(msg, n, EA_FILTER_MAX_UID_RANGES);
        l->users[l->n_users++] = u;
        return 0;
}

/* "/", or "/a/b": no empty, "." or ".." component, no trailing '/'. */
static bool valid_cgroup_path(const char *p)
{
        if (p[0] != '/')
                return false;
        if (p[1] == '\0')
                return true;
        for (const char *c = p + 1;;) {
                size_t len = strcspn(c, "/");

                if (len == 0 || (len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.'))
                        return false;
                if (c[len] == '\0')
                        return true;
                c += len + 1;
        }
}

/* Of a valid path: "/" is level 0, "/a" level 1. */
static unsigned cgroup_level(const char *p)
{
        unsigned level = 0;

        for (; p[1]; p++)
                level += *p == '/';
        return level;
}

/* NAME.TYPE or NAME@INSTANCE.TYPE with a known TYPE; a template (NAME@.TYPE) has no cgroup. */
static int check_unit(const char *u, char *msg, size_t n)
{
        const char *dot = strrchr(u, '.'), *at = strchr(u, '@');
        bool known = false;

        for (size_t i = 0; dot && dot > u && i < sizeof(unit_suffixes) / sizeof(unit_suffixes[0]); i++)
                if (strcmp(dot, unit_suffixes[i]) == 0)
                        known = true;
        if (!known || strspn(u, UNIT_CHARS) != strlen(u) ||
            (at && (at == u || at > dot || strchr(at + 1, '@')))) {
                set_msg(msg, n,
                        "expected a unit name with a known type suffix, such as ssh.service, got \"%s\"",
                        SHOWN(u));
                return -EINVAL;
        }
        if (at && at + 1 == dot) {
                set_msg(msg, n, "\"%s\" is a template: name one of its instances", SHOWN(u));
                return -EINVAL;
        }
        /* Its cgroup is the hierarchy's root, which no unit search finds. */
        if (strcmp(u, "-.slice") == 0) {
                set_msg(msg, n, "-.slice is the root cgroup: write Cgroups=/ (or leave the list empty)");
                return -EINVAL;
        }
        return 0;
}

static int add_cgroup(struct ea_filter_list *l, const char *tok, bool unit, char *msg, size_t n)
{
        size_t len = strlen(tok);
        struct ea_cgroup_entry *e;
        int r;

        if (len >= EA_FILTER_CGROUP_PATH) {
                set_msg(msg, n, "%s is longer than %d bytes", unit ? "unit name" : "cgroup path",
                        EA_FILTER_CGROUP_PATH - 1);
                return -ENAMETOOLONG;
        }
        if (unit) {
                r = check_unit(tok, msg, n);
                if (r < 0)
                        return r;
        } else if (!valid_cgroup_path(tok)) {
                set_msg(msg, n,
                        "expected an absolute cgroup path without trailing /, empty, . or .. components, "
                        "got \"%s\"",
                        SHOWN(tok));
                return -EINVAL;
        } else if (cgroup_level(tok) >= EA_CGROUP_DEPTH_MAX) {
                /* The kernel side compares a fixed number of ancestors: it would never match. */
                set_msg(msg, n, "\"%s\" is %u levels below the root cgroup: at most %d are compared",
                        SHOWN(tok), cgroup_level(tok), EA_CGROUP_DEPTH_MAX - 1);
                return -EINVAL;
        }
        for (uint32_t i = 0; i < l->n_cgroups; i++)
                if (l->cgroups[i].unit == unit && strcmp(l->cgroups[i].path, tok) == 0)
                        return 0;
        if (l->n_cgroups >= EA_FILTER_MAX_CGROUPS)
                return too_many(msg, n, EA_FILTER_MAX_CGROUPS);
        e = &l->cgroups[l->n_cgroups++];
        memset(e, 0, sizeof(*e));
        memcpy(e->path, tok, len);
        e->unit = unit;
        return 0;
}

static int path_inode(const struct load *ld, const char *path, uint64_t *inode, char *msg, size_t n)
{
        int r = ld->res->path_inode(path, inode);

        if (r == -EMEDIUMTYPE)
                set_msg(msg, n,
                        "%s is not a mount namespace (such as /proc/PID/ns/mnt or a bind mount of one)",
                        SHOWN(path));
        else if (r < 0)
                set_msg(msg, n, "cannot stat %s: %s", SHOWN(path), strerror(-r));
        return r;
}

static bool has_inode(const struct ea_filter_list *l, uint64_t inode)
{
        for (uint32_t i = 0; i < l->n_mntns; i++)
                if (l->mntns[i] == inode)
                        return true;
        return false;
}

static int add_mntns(struct load *ld, const struct filter_key *k, struct ea_filter_list *l, const char *tok,
                     char *msg, size_t n)
{
        struct ea_filter_list *exclude = &ld->cfg.filter.exclude;
        uint64_t inode = 0;
        bool reserved;
        int r;

        if (strcmp(tok, "!host") == 0) {
                if (k->exclude) {
                        set_msg(msg, n, "\"!host\" is only allowed in MountNamespaces=");
                        return -EINVAL;
                }
                r = path_inode(ld, HOST_MNTNS_PATH, &inode, msg, n);
                if (r < 0)
                        return r;
                if (!ld->not_host && !has_inode(exclude, inode) && exclude->n_mntns >= EA_FILTER_MAX_MNTNS)
                        return too_many(msg, n, EA_FILTER_MAX_MNTNS);
                ld->not_host = true;
                ld->host_inode = inode;
                return 0;
        }
        if (strcmp(tok, "host") == 0) {
                r = path_inode(ld, HOST_MNTNS_PATH, &inode, msg, n);
        } else if (tok[0] == '/') {
                r = path_inode(ld, tok, &inode, msg, n);
        } else {
                /* The kernel's namespace numbers are 32-bit: a larger one could never match. */
                r = parse_decimal(tok, strlen(tok), UINT32_MAX, &inode);
                if (r == -ERANGE || (r == 0 && inode == 0)) {
                        set_msg(msg, n, "%s is out of range: must be between 1 and %" PRIu32, SHOWN(tok),
                                UINT32_MAX);
                        r = -ERANGE;
                } else if (r < 0) {
                        set_msg(msg, n, "expected an inode number, host%s or an absolute path, got \"%s\"",
                                k->exclude ? "" : ", !host", SHOWN(tok));
                }
        }
        if (r < 0)
                return r;
        if (has_inode(l, inode))
                return 0;
        /* The slot MountNamespaces=!host will take in the exclude list at the end. */
        reserved = l == exclude && ld->not_host && inode != ld->host_inode && !has_inode(l, ld->host_inode);
        if (l->n_mntns + reserved >= EA_FILTER_MAX_MNTNS)
                return too_many(msg, n, EA_FILTER_MAX_MNTNS);
        l->mntns[l->n_mntns++] = inode;
        return 0;
}

/* Whether the len bytes at name are a key of any section. */
static bool is_key_name(const char *name, size_t len)
{
        for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
                if (strlen(keys[i].key) == len && memcmp(keys[i].key, name, len) == 0)
                        return true;
        for (size_t i = 0; i < sizeof(filter_keys) / sizeof(filter_keys[0]); i++)
                if (strlen(filter_keys[i].key) == len && memcmp(filter_keys[i].key, name, len) == 0)
                        return true;
        return false;
}

/* Written as keys and section names are: a letter, then letters and digits. A misspelt one is too. */
static bool name_shaped(const char *name, size_t len)
{
        if (len == 0 || !isalpha((unsigned char)name[0]))
                return false;
        for (size_t i = 1; i < len; i++)
                if (!isalnum((unsigned char)name[i]))
                        return false;
        return true;
}

/*
 * A line continuing Commands= or ExcludeCommands= that is an assignment or a section header to the eye:
 * inih reads an unindented "Key: value" or "Key : value" as one, and its tokens ("Key:", "value") would
 * otherwise be taken for command names, as would "[Section]". So would a misspelt key's or section's, and
 * silently, where unindented it is an error: any name written so is refused, known or not. A name with a
 * colon inside ("a:b") is left to add_command(). Other lists' entries never look like a key name.
 */
static int check_command_line(const char *value, char *msg, size_t n)
{
        for (const char *p = value + strspn(value, FILTER_SEPARATORS); *p;
             p += strspn(p, FILTER_SEPARATORS)) {
                size_t len = strcspn(p, FILTER_SEPARATORS), name, blank;

                if (p[0] == '[' && len > 2 && p[len - 1] == ']' && name_shaped(p + 1, len - 2)) {
                        set_msg(msg, n,
                                "\"%s\" looks like a section header: an indented line continues the one "
                                "before it",
                                SHOWN_N(p, len));
                        return -EINVAL;
                }
                name = strcspn(p, " \t:,");
                blank = strspn(p + name, " \t");
                if (p[name + blank] == ':' && (blank || name + 1 == len) && name_shaped(p, name)) {
                        set_msg(msg, n,
                                "\"%s\" looks like a key: an indented line continues the one before it",
                                SHOWN_N(p, name + blank + 1));
                        return -EINVAL;
                }
                p += len;
        }
        return 0;
}

static int add_command(struct ea_filter_list *l, const char *tok, char *msg, size_t n)
{
        const char *colon = strchr(tok, ':');
        size_t len = strlen(tok);

        /* The name an exec gives is the last component of the filename: one with a / never matches. */
        if (strchr(tok, '/')) {
                set_msg(msg, n, "\"%s\" contains /: commands are program names, such as cron, not paths",
                        SHOWN(tok));
                return -EINVAL;
        }
        if (tok[0] == '#' || tok[0] == ';') {
                set_msg(msg, n, "\"%s\" looks like a comment: comments go on lines of their own",
                        SHOWN(tok));
                return -EINVAL;
        }
        if (strchr(tok, '=')) {
                set_msg(msg, n, "\"%s\" contains =: an indented line continues the one before it",
                        SHOWN(tok));
                return -EINVAL;
        }
        /* "Key: value" is an assignment too (inih): indented, it would silently become command names. */
        if (colon && is_key_name(tok, (size_t)(colon - tok))) {
                set_msg(msg, n, "\"%s\" looks like a key: an indented line continues the one before it",
                        SHOWN(tok));
                return -EINVAL;
        }
        if (len >= sizeof(l->commands[0])) {
                set_msg(msg, n, "\"%s\" is longer than %zu bytes, the kernel's comm limit", SHOWN(tok),
                        sizeof(l->commands[0]) - 1);
                return -ENAMETOOLONG;
        }
        for (uint32_t i = 0; i < l->n_commands; i++)
                if (strcmp(l->commands[i], tok) == 0)
                        return 0;
        if (l->n_commands >= EA_FILTER_MAX_COMMANDS)
                return too_many(msg, n, EA_FILTER_MAX_COMMANDS);
        memset(l->commands[l->n_commands], 0, sizeof(l->commands[0]));
        memcpy(l->commands[l->n_commands++], tok, len);
        return 0;
}

static struct ea_filter_list *filter_list(struct load *ld, const struct filter_key *k)
{
        return k->exclude ? &ld->cfg.filter.exclude : &ld->cfg.filter.include;
}

static int add_entry(struct load *ld, const struct filter_key *k, char *tok, char *msg, size_t n)
{
        struct ea_filter_list *l = filter_list(ld, k);

        switch (k->kind) {
        case FK_USERS:
                return add_user(ld, l, tok, msg, n);
        case FK_CGROUPS:
        case FK_UNITS:
                return add_cgroup(l, tok, k->kind == FK_UNITS, msg, n);
        case FK_MNTNS:
                return add_mntns(ld, k, l, tok, msg, n);
        case FK_COMMANDS:
                return add_command(l, tok, msg, n);
        case FK_CGROUP_MAP:
        case FK_MNTNS_MAP:
                break;
        }
        return -EINVAL;
}

/* An empty assignment. Emptied slots are zeroed, so equal filters are equal byte for byte. */
static void reset_list(struct load *ld, const struct filter_key *k)
{
        struct ea_filter_list *l = filter_list(ld, k);
        uint32_t kept = 0;

        switch (k->kind) {
        case FK_USERS:
                l->n_users = 0;
                memset(l->users, 0, sizeof(l->users));
                break;
        case FK_CGROUPS:
        case FK_UNITS:
                for (uint32_t i = 0; i < l->n_cgroups; i++)
                        if (l->cgroups[i].unit != (k->kind == FK_UNITS))
                                memmove(&l->cgroups[kept++], &l->cgroups[i], sizeof(l->cgroups[0]));
                memset(&l->cgroups[kept], 0, (EA_FILTER_MAX_CGROUPS - kept) * sizeof(l->cgroups[0]));
                l->n_cgroups = kept;
                break;
        case FK_MNTNS:
                l->n_mntns = 0;
                memset(l->mntns, 0, sizeof(l->mntns));
                if (!k->exclude)
                        ld->not_host = false;
                break;
        case FK_COMMANDS:
                l->n_commands = 0;
                memset(l->commands, 0, sizeof(l->commands));
                break;
        case FK_CGROUP_MAP:
                memset(ld->cfg.filter.cgroup_map, 0, sizeof(ld->cfg.filter.cgroup_map));
                break;
        case FK_MNTNS_MAP:
                memset(ld->cfg.filter.mntns_map, 0, sizeof(ld->cfg.filter.mntns_map));
                break;
        }
}

static int filter_handler(struct parse_state *st, const char *name, const char *value)
{
        const struct filter_key *k = NULL;
        char msg[sizeof(st->err->message)], tok[PATH_MAX];
        unsigned entries = 0;

        for (size_t i = 0; i < sizeof(filter_keys) / sizeof(filter_keys[0]) && !k; i++)
                if (strcmp(name, filter_keys[i].key) == 0)
                        k = &filter_keys[i];
        if (!k)
                return reject(st, "Filter", name, "unknown key");
        if (value[0] == '\0') {
                reset_list(st->ld, k);
                return 1;
        }
        msg[0] = '\0';
        if (k->kind == FK_CGROUP_MAP || k->kind == FK_MNTNS_MAP) {
                char *field =
                        k->kind == FK_CGROUP_MAP ? st->cfg->filter.cgroup_map : st->cfg->filter.mntns_map;

                if (st->continues)
                        return reject(st, "Filter", name, SCALAR_CONTINUED_MSG);
                reset_list(st->ld, k);
                /* A map pinned by another tool: a file on a bpffs, not a directory as PinPath= is. */
                if (parse_bpffs_path(value, field, "a pinned map",
                                     k->kind == FK_CGROUP_MAP ? "/sys/fs/bpf/audited_cgroups"
                                                              : "/sys/fs/bpf/audited_mntns",
                                     msg, sizeof(msg)) < 0)
                        return reject(st, "Filter", name, msg);
                snprintf(st->cfg->map_at[k->kind == FK_MNTNS_MAP].file, PATH_MAX, "%s", st->err->file);
                st->cfg->map_at[k->kind == FK_MNTNS_MAP].line = st->line;
                return 1;
        }
        if (st->continues && k->kind == FK_COMMANDS && check_command_line(value, msg, sizeof(msg)) < 0)
                return reject(st, "Filter", name, msg);
        for (const char *p = value + strspn(value, FILTER_SEPARATORS); *p;
             p += strspn(p, FILTER_SEPARATORS)) {
                size_t len = strcspn(p, FILTER_SEPARATORS);

                if (len >= sizeof(tok))
                        return reject(st, "Filter", name, "entry is too long");
                memcpy(tok, p, len);
                tok[len] = '\0';
                if (add_entry(st->ld, k, tok, msg, sizeof(msg)) < 0)
                        return reject(st, "Filter", name, msg);
                p += len;
                entries++;
        }
        if (entries == 0)
                return reject(st, "Filter", name,
                              "no entries: separate them with spaces or commas, or leave the value empty to "
                              "empty the list");
        return 1;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
        struct parse_state *st = user;
        char msg[sizeof(st->err->message)];
        bool section_known = false;

        st->after_key = true;
        if (st->failed)
                return 0; /* only the first error is reported: spare the resolver the rest */
        if (strcmp(section, "Filter") == 0)
                return filter_handler(st, name, value);
        for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
                if (strcmp(section, keys[i].section) != 0)
                        continue;
                section_known = true;
                if (strcmp(name, keys[i].key) != 0)
                        continue;
                if (st->continues)
                        return reject(st, section, name, SCALAR_CONTINUED_MSG);
                msg[0] = '\0';
                if (keys[i].parse(value, (char *)st->cfg + keys[i].offset, msg, sizeof(msg)) < 0)
                        return reject(st, section, name, msg);
                if (keys[i].offset == offsetof(struct ea_config, pin_path)) {
                        snprintf(st->cfg->pin_path_at.file, PATH_MAX, "%s", st->err->file);
                        st->cfg->pin_path_at.line = st->line;
                }
                return 1;
        }
        if (section[0] == '\0')
                return reject(st, section, name, "key outside of any [Section]");
        if (!section_known) {
                snprintf(msg, sizeof(msg), "unknown section [%s]", SHOWN(section));
                return reject(st, section, name, msg);
        }
        return reject(st, section, name, "unknown key");
}

/*
 * inih takes "[Section]" and drops whatever follows it on the line, so "[Filter] ExcludeUsers=ci" would
 * exclude nobody, and a file with bare carriage returns for line ends would be one header line. Only a
 * comment may follow. The line is a header as inih sees it: '[' first, unless it continues an assignment.
 */
static void check_section_line(struct parse_state *st, const char *s, size_t len)
{
        size_t i = 0, open;
        const char *end;

        while (i < len && isspace((unsigned char)s[i]))
                i++;
        if (i == len || s[i] != '[' || (i > 0 && st->after_key))
                return;
        st->after_key = false;
        open = i;
        end = memchr(s + open, ']', len - open);
        if (!end)
                return; /* inih's own syntax error */
        for (i = (size_t)(end - s) + 1; i < len && isspace((unsigned char)s[i]) && s[i] != '\r'; i++)
                ;
        if (i < len && s[i] != ';' && s[i] != '#') {
                char section[EA_CONFIG_MAX_LINE + 1], msg[sizeof(st->err->message)];

                snprintf(section, sizeof(section), "%.*s", (int)(end - s - open - 1), s + open + 1);
                /* The bytes as they are: config_error_format() escapes them, as every value of a message. */
                snprintf(
                        msg, sizeof(msg),
                        "text after [%s] on its line (\"%s\"): put each key on a line of its own (lines end "
                        "with a newline)",
                        SHOWN(section), SHOWN_N(s + i, len - i));
                reject(st, section, "", msg);
        }
}

/* As inih reads it: indented, after an assignment of the section, neither blank nor a comment. */
static bool continues_assignment(const struct parse_state *st, const char *s, size_t len)
{
        size_t i = 0;

        while (i < len && isspace((unsigned char)s[i]))
                i++;
        return i > 0 && i < len && st->after_key && s[i] != ';' && s[i] != '#';
}

/*
 * Hands inih one line at a time, so that we know which line a handler call came from, and so that a line
 * longer than inih's buffer is an error of its own instead of being split into a bogus next line. A line
 * may fill the buffer less one byte, the newline's: inih since 2025 (benhoyt/inih#188) takes a line that
 * fills it with no newline for a longer one and swallows what follows, so the limit is the same whichever
 * inih the daemon is built with.
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
        if (content && p[content - 1] == '\r') /* a CRLF file: the line ends before it too */
                content--;
        st->next = p + len;
        st->line++;
        /* inih would skip a byte order mark itself, but only after the checks here looked past it. */
        while (st->line == 1 && content >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
                p += 3;
                content -= 3;
        }
        if (content > (size_t)num - 2) {
                char msg[64];

                snprintf(msg, sizeof(msg), "line is longer than %d bytes", num - 2);
                reject(st, "", "", msg);
                content = 0;
        }
        check_section_line(st, p, content);
        st->continues = continues_assignment(st, p, content);
        memcpy(str, p, content);
        str[content] = '\0';
        return str;
}

static struct load *load_new(const struct config_resolver *res)
{
        struct load *ld = calloc(1, sizeof(*ld));

        if (!ld)
                return NULL;
        config_defaults(&ld->cfg);
        ld->res = res;
        return ld;
}

/* Parses one file's text on top of ld. On error, err names filename, the line and the key. */
static int parse_text(struct load *ld, const char *text, const char *filename, struct config_error *err)
{
        struct parse_state st = {.ld = ld, .cfg = &ld->cfg, .err = err, .next = text};
        int line;

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
        return 0;
}

bool config_path_within(const char *path, const char *dir)
{
        size_t n = strlen(dir);

        return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/* Which external map (0: CgroupMap=, 1: MountNamespaceMap=) is pinned inside pin_path, or -1. */
static int map_inside(const struct ea_config *c, const char *pin_path)
{
        const char *maps[2] = {c->filter.cgroup_map, c->filter.mntns_map};

        for (int i = 0; i < 2; i++)
                if (maps[i][0] && config_path_within(maps[i], pin_path))
                        return i;
        return -1;
}

const char *const config_map_keys[2] = {"CgroupMap", "MountNamespaceMap"};

/* The error for map i of map_inside(), at the line that set it. */
static int map_inside_error(const struct ea_config *c, int i, const char *pin_path, struct config_error *err)
{
        memset(err, 0, sizeof(*err));
        snprintf(err->file, sizeof(err->file), "%s", c->map_at[i].file);
        err->line = c->map_at[i].line;
        snprintf(err->section, sizeof(err->section), "Filter");
        snprintf(err->key, sizeof(err->key), "%s", config_map_keys[i]);
        snprintf(err->message, sizeof(err->message),
                 "%s is inside PinPath= (%s), which the daemon empties when it replaces its pins: "
                 "pin the map elsewhere",
                 SHOWN(i == 0 ? c->filter.cgroup_map : c->filter.mntns_map), SHOWN(pin_path));
        return -EINVAL;
}

int config_check_maps(const struct ea_config *c, const char *pin_path, struct config_error *err)
{
        int i = map_inside(c, pin_path);

        return i < 0 ? 0 : map_inside_error(c, i, pin_path, err);
}

/*
 * After the last file: MountNamespaces=!host takes the slot add_mntns() kept for it, an external map must
 * not be pinned where the daemon empties the directory when it replaces its pins (it would go too), and
 * PinPath= must not be a bpffs mount point, where other programs pin too: not a directory of execauditd's
 * own. main is the main file, named for a PinPath= left at its default.
 */
static int finish(struct load *ld, const char *main, struct config_error *err)
{
        struct ea_filter_list *exclude = &ld->cfg.filter.exclude;
        int r = config_check_maps(&ld->cfg, ld->cfg.pin_path, err);

        if (r < 0)
                return r;
        if (ld->res->bpffs_root && ld->res->bpffs_root(ld->cfg.pin_path)) {
                memset(err, 0, sizeof(*err));
                snprintf(err->file, sizeof(err->file), "%s",
                         ld->cfg.pin_path_at.line ? ld->cfg.pin_path_at.file : main);
                err->line = ld->cfg.pin_path_at.line;
                snprintf(err->section, sizeof(err->section), "BPF");
                snprintf(err->key, sizeof(err->key), "PinPath");
                snprintf(err->message, sizeof(err->message), PIN_PATH_MOUNT_MSG, SHOWN(ld->cfg.pin_path),
                         SHOWN(ld->cfg.pin_path));
                return -EINVAL;
        }
        if (ld->not_host && !has_inode(exclude, ld->host_inode))
                exclude->mntns[exclude->n_mntns++] = ld->host_inode;
        return 0;
}

int config_parse_string_with(const char *text, const char *filename, const struct config_resolver *res,
                             struct ea_config *out, struct config_error *err)
{
        struct load *ld;
        int r;

        memset(err, 0, sizeof(*err));
        snprintf(err->file, sizeof(err->file), "%s", filename);
        ld = load_new(res);
        if (!ld) {
                snprintf(err->message, sizeof(err->message), "%s", strerror(ENOMEM));
                return -ENOMEM;
        }
        r = parse_text(ld, text, filename, err);
        if (r >= 0)
                r = finish(ld, filename, err);
        if (r < 0)
                goto out;
        snprintf(ld->cfg.path, sizeof(ld->cfg.path), "%s", filename);
        sha256_hex(text, strlen(text), ld->cfg.sha256);
        *out = ld->cfg;
out:
        free(ld);
        return r;
}

int config_parse_string(const char *text, const char *filename, struct ea_config *out,
                        struct config_error *err)
{
        return config_parse_string_with(text, filename, &config_system_resolver, out, err);
}

/* Reads all of fd (at most CONFIG_MAX_SIZE bytes, no NUL) into a new string. */
static int read_fd(int fd, char **out, struct config_error *err)
{
        int r = 0;
        size_t len = 0;
        char *buf = NULL;
        ssize_t n;

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
        return r;
}

/* Opens a configuration file without ever blocking on it (a FIFO, a terminal) and stats it: an fd, or a
 * negative errno with err's message set. */
static int open_config(const char *path, struct stat *sb, struct config_error *err)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK), r;

        if (fd < 0) {
                r = -errno;
                snprintf(err->message, sizeof(err->message), "cannot open: %s", strerror(-r));
                return r;
        }
        if (fstat(fd, sb) < 0) {
                r = -errno;
                snprintf(err->message, sizeof(err->message), "cannot read: %s", strerror(-r));
                close(fd);
                return r;
        }
        return fd;
}

/*
 * A FIFO would block the reading for good (at start, or every later reload behind it), and opened without
 * blocking it reads as an empty file: refused. A device such as /dev/null is read as it is.
 */
static int read_file(const char *path, char **out, struct config_error *err)
{
        struct stat sb;
        int fd = open_config(path, &sb, err), r;

        if (fd < 0)
                return fd;
        if (S_ISFIFO(sb.st_mode) || S_ISSOCK(sb.st_mode)) {
                r = -EINVAL;
                snprintf(err->message, sizeof(err->message), "cannot read: not a regular file (a %s)",
                         S_ISFIFO(sb.st_mode) ? "FIFO" : "socket");
        } else
                r = read_fd(fd, out, err);
        close(fd);
        return r;
}

/*
 * One entry of <path>.d/ that matched *.conf: 1 when it was read and parsed on top of ld, 0 when it is not
 * a regular file (a directory, FIFO or device named *.conf is not a drop-in, and is skipped), or a negative
 * errno with err naming the drop-in.
 */
static int load_dropin(struct load *ld, const char *dir, const char *name, struct sha256_ctx *sha,
                       struct config_error *err)
{
        char file[PATH_MAX], *text = NULL;
        struct stat sb;
        int fd = -1, r;

        memset(err, 0, sizeof(*err));
        if ((size_t)snprintf(file, sizeof(file), "%s/%s", dir, name) >= sizeof(file)) {
                snprintf(err->file, sizeof(err->file), "%s", dir);
                snprintf(err->message, sizeof(err->message), "cannot open %s: %s", SHOWN(name),
                         strerror(ENAMETOOLONG));
                return -ENAMETOOLONG;
        }
        snprintf(err->file, sizeof(err->file), "%s", file);
        /* stat() first, so that opening a FIFO or a device never happens; fstat() again for the race. */
        if (stat(file, &sb) == 0 && !S_ISREG(sb.st_mode))
                return 0;
        fd = open_config(file, &sb, err);
        if (fd < 0) {
                r = fd;
                goto out;
        }
        r = 0;
        if (!S_ISREG(sb.st_mode))
                goto out;
        r = read_fd(fd, &text, err);
        if (r < 0)
                goto out;
        r = parse_text(ld, text, file, err);
        if (r < 0)
                goto out;
        sha256_update(sha, name, strlen(name) + 1);
        sha256_update(sha, text, strlen(text));
        r = 1;
out:
        free(text);
        if (fd >= 0)
                close(fd);
        return r;
}

/* *.conf, not hidden (so neither ".conf" nor editors' ".x.conf.swp"-style names). */
static int is_dropin_name(const struct dirent *d)
{
        size_t len = strlen(d->d_name);

        return d->d_name[0] != '.' && len > 5 && strcmp(d->d_name + len - 5, ".conf") == 0;
}

static int cmp_names(const struct dirent **a, const struct dirent **b)
{
        return strcmp((*a)->d_name, (*b)->d_name);
}

int config_load_with(const char *path, const struct config_resolver *res, struct ea_config *out,
                     struct config_error *err)
{
        struct load *ld = NULL;
        struct dirent **names = NULL;
        struct sha256_ctx sha;
        char *text = NULL, dir[PATH_MAX];
        struct stat lst;
        unsigned dropins = 0;
        int n = 0, r;

        memset(err, 0, sizeof(*err));
        snprintf(err->file, sizeof(err->file), "%s", path);
        ld = load_new(res);
        if (!ld) {
                r = -ENOMEM;
                snprintf(err->message, sizeof(err->message), "%s", strerror(ENOMEM));
                goto out;
        }
        r = read_file(path, &text, err);
        if (r < 0)
                goto out;
        r = parse_text(ld, text, path, err);
        if (r < 0)
                goto out;
        sha256_init(&sha);
        sha256_update(&sha, text, strlen(text));

        if ((size_t)snprintf(dir, sizeof(dir), "%s.d", path) >= sizeof(dir)) {
                r = -ENAMETOOLONG;
                snprintf(err->message, sizeof(err->message), "cannot open %s.d: %s", SHOWN(path),
                         strerror(-r));
                goto out;
        }
        n = scandir(dir, &names, is_dropin_name, cmp_names);
        if (n < 0) {
                r = -errno;
                n = 0;
                if (r == -ENOENT && lstat(dir, &lst) == 0 && S_ISLNK(lst.st_mode)) {
                        memset(err, 0, sizeof(*err));
                        snprintf(err->file, sizeof(err->file), "%s", dir);
                        snprintf(err->message, sizeof(err->message),
                                 "is a symbolic link that leads nowhere (for no drop-ins, remove the link)");
                        r = -ENOENT;
                        goto out;
                } else if (r == -ENOENT) {
                        r = 0; /* no drop-ins */
                } else {
                        memset(err, 0, sizeof(*err));
                        snprintf(err->file, sizeof(err->file), "%s", dir);
                        snprintf(err->message, sizeof(err->message), "cannot open directory: %s",
                                 strerror(-r));
                        goto out;
                }
        }
        for (int i = 0; i < n; i++) {
                r = load_dropin(ld, dir, names[i]->d_name, &sha, err);
                if (r < 0)
                        goto out;
                dropins += (unsigned)r;
        }
        r = finish(ld, path, err);
        if (r < 0)
                goto out;
        ld->cfg.n_dropins = dropins;
        snprintf(ld->cfg.path, sizeof(ld->cfg.path), "%s", path);
        sha256_final_hex(&sha, ld->cfg.sha256);
        memset(err, 0, sizeof(*err));
        snprintf(err->file, sizeof(err->file), "%s", path);
        *out = ld->cfg;
out:
        for (int i = 0; i < n; i++)
                free(names[i]);
        free(names);
        free(text);
        free(ld);
        return r;
}

int config_load(const char *path, struct ea_config *out, struct config_error *err)
{
        return config_load_with(path, &config_system_resolver, out, err);
}

static int system_user_uid(const char *name, uint32_t *uid)
{
        struct passwd pw, *found = NULL;
        size_t size = 1024;
        char *buf = NULL, *bigger;
        int r;

        for (;;) {
                bigger = realloc(buf, size);
                if (!bigger) {
                        r = -ENOMEM;
                        goto out;
                }
                buf = bigger;
                r = getpwnam_r(name, &pw, buf, size, &found);
                if (r != ERANGE || size >= 1024 * 1024)
                        break;
                size *= 2;
        }
        if (r == 0 && found)
                *uid = (uint32_t)pw.pw_uid;
        else if (r == 0 || r == ENOENT || r == ESRCH || r == EBADF || r == EPERM)
                r = -ENOENT; /* getpwnam_r(3): all of these may mean "not found" */
        else
                r = -r;
out:
        free(buf);
        return r;
}

/* The inode of the mount namespace at path; -EMEDIUMTYPE when it is no such thing (it could never match). */
static int system_path_inode(const char *path, uint64_t *inode)
{
        struct stat sb;
        int fd, r = 0;

        if (stat(path, &sb) < 0)
                return -errno;
        if (!S_ISREG(sb.st_mode)) /* namespace files are; anything else would not be opened */
                return -EMEDIUMTYPE;
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
        if (fd < 0)
                return -errno;
        if (ioctl(fd, NS_GET_NSTYPE) != CLONE_NEWNS)
                r = -EMEDIUMTYPE;
        else if (fstat(fd, &sb) < 0)
                r = -errno;
        else
                *inode = (uint64_t)sb.st_ino;
        close(fd);
        return r;
}

/* The directory d is in, written to out ("/" for "/x"): false for "/" itself, which is in nothing. */
bool config_dir_above(const char *d, char out[PATH_MAX])
{
        char *slash;

        snprintf(out, PATH_MAX, "%s", d);
        slash = strrchr(out, '/');
        if (!slash || !slash[1])
                return false;
        if (slash == out)
                slash[1] = '\0';
        else
                *slash = '\0';
        return true;
}

/* The root of a bpffs is on another device than the directory it is mounted on (so is one mounted inside
 * another bpffs). Anything that cannot be looked at (missing, not searchable) is no root: the start finds
 * out about it itself. */
static bool system_bpffs_root(const char *path)
{
        char parent[PATH_MAX];
        struct stat at, up;
        struct statfs fs;

        return config_dir_above(path, parent) && statfs(path, &fs) == 0 && fs.f_type == BPF_FS_MAGIC &&
               stat(path, &at) == 0 && stat(parent, &up) == 0 && at.st_dev != up.st_dev;
}

const struct config_resolver config_system_resolver = {
        .user_uid = system_user_uid,
        .path_inode = system_path_inode,
        .bpffs_root = system_bpffs_root,
};

/*
 * config_format() writes [Filter] as lines of Key=entries no longer than the parser accepts, so that its
 * output parses back to the same filter: a new line (repeating the key) when the line would be too long,
 * when the key changes, and before an entry starting with ';' (which inih would take for a comment after a
 * space).
 */
struct packer {
        struct strbuf *out;
        const char *key;
        size_t col; /* length of the open line, 0 when none is open */
        int r;
};

static void pack_end(struct packer *p)
{
        if (p->r >= 0 && p->col)
                p->r = strbuf_putc(p->out, '\n');
        p->col = 0;
}

static void pack(struct packer *p, const char *key, const char *entry)
{
        size_t len = strlen(entry);
        /* Too long after "Key=" (it came on an indented line): alone on one, which continues the last
         * assignment. */
        bool alone = strlen(key) + 1 + len > CONFIG_MAX_LINE;
        bool same = p->key && strcmp(p->key, key) == 0;

        if (p->col && (!same || entry[0] == ';' || alone || p->col + 1 + len > CONFIG_MAX_LINE))
                pack_end(p);
        if (p->r < 0)
                return;
        if (p->col) {
                p->r = strbuf_printf(p->out, " %s", entry);
                p->col += 1 + len;
        } else if (alone) {
                /* A key's entries are written together, so an empty "Key=" before its first one empties
                 * nothing. */
                p->r = same ? strbuf_printf(p->out, " %s", entry)
                            : strbuf_printf(p->out, "%s=\n %s", key, entry);
                p->col = 1 + len;
        } else {
                p->r = strbuf_printf(p->out, "%s=%s", key, entry);
                p->col = strlen(key) + 1 + len;
        }
        p->key = key;
}

/* Ends the key's lines; a key without entries is written empty, to show it. */
static void pack_done(struct packer *p, const char *key, uint32_t entries)
{
        pack_end(p);
        if (p->r >= 0 && entries == 0) {
                p->r = strbuf_printf(p->out, "%s=\n", key);
                p->key = key;
        }
}

static void format_list(struct packer *p, const char *key, const char *units_key,
                        const struct ea_filter_list *l, enum filter_kind kind)
{
        char buf[64];
        uint32_t paths = 0;

        switch (kind) {
        case FK_USERS:
                for (uint32_t i = 0; i < l->n_users; i++) {
                        if (l->users[i].lo == l->users[i].hi)
                                snprintf(buf, sizeof(buf), "%u", l->users[i].lo);
                        else
                                snprintf(buf, sizeof(buf), "%u-%u", l->users[i].lo, l->users[i].hi);
                        pack(p, key, buf);
                }
                pack_done(p, key, l->n_users);
                break;
        case FK_CGROUPS:
        case FK_UNITS:
                /* The paths, then the units: one list, but each key's lines together (see pack()). */
                for (uint32_t i = 0; i < l->n_cgroups; i++)
                        if (!l->cgroups[i].unit) {
                                pack(p, key, l->cgroups[i].path);
                                paths++;
                        }
                pack_done(p, key, paths);
                for (uint32_t i = 0; i < l->n_cgroups; i++)
                        if (l->cgroups[i].unit)
                                pack(p, units_key, l->cgroups[i].path);
                pack_done(p, units_key, l->n_cgroups - paths);
                break;
        case FK_MNTNS:
                for (uint32_t i = 0; i < l->n_mntns; i++) {
                        snprintf(buf, sizeof(buf), "%" PRIu64, l->mntns[i]);
                        pack(p, key, buf);
                }
                pack_done(p, key, l->n_mntns);
                break;
        case FK_COMMANDS:
                for (uint32_t i = 0; i < l->n_commands; i++) {
                        snprintf(buf, sizeof(buf), "%.*s", (int)sizeof(l->commands[i]), l->commands[i]);
                        pack(p, key, buf);
                }
                pack_done(p, key, l->n_commands);
                break;
        case FK_CGROUP_MAP:
        case FK_MNTNS_MAP:
                break;
        }
}

static int format_filter(const struct ea_filter *f, struct strbuf *out)
{
        struct packer p = {.out = out};

        p.r = strbuf_puts(out, "\n[Filter]\n");
        format_list(&p, "Users", NULL, &f->include, FK_USERS);
        format_list(&p, "ExcludeUsers", NULL, &f->exclude, FK_USERS);
        format_list(&p, "Cgroups", "Units", &f->include, FK_CGROUPS);
        format_list(&p, "ExcludeCgroups", "ExcludeUnits", &f->exclude, FK_CGROUPS);
        format_list(&p, "MountNamespaces", NULL, &f->include, FK_MNTNS);
        format_list(&p, "ExcludeMountNamespaces", NULL, &f->exclude, FK_MNTNS);
        format_list(&p, "Commands", NULL, &f->include, FK_COMMANDS);
        format_list(&p, "ExcludeCommands", NULL, &f->exclude, FK_COMMANDS);
        if (p.r >= 0)
                p.r = strbuf_printf(out, "CgroupMap=%s\nMountNamespaceMap=%s\n", f->cgroup_map,
                                    f->mntns_map);
        return p.r < 0 ? p.r : 0;
}

/*
 * "# PATH (sha256 HASH)": the path as quote_text() shows it (a newline in it would end the comment), cut
 * with "..." where the line would pass the EA_CONFIG_MAX_LINE bytes a line may have, so the output parses
 * back.
 */
static int format_header(const struct ea_config *c, struct strbuf *out)
{
        const size_t room = EA_CONFIG_MAX_LINE - strlen("#  (sha256 )") - strlen(c->sha256);
        struct strbuf q = STRBUF_INIT;
        size_t len;
        int r;

        r = quote_text(&q, c->path, strlen(c->path));
        if (r < 0)
                return r;
        len = q.len;
        if (len > room) {
                len = room - strlen("...");
                while (len > 0 && ((unsigned char)q.buf[len] & 0xc0) == 0x80) /* not inside a character */
                        len--;
        }
        r = strbuf_printf(out, "# %.*s%s (sha256 %s)\n", (int)len, q.buf ? q.buf : "",
                          len < q.len ? "..." : "", c->sha256);
        strbuf_free(&q);
        return r;
}

int config_format(const struct ea_config *c, struct strbuf *out)
{
        int r;

        r = format_header(c, out);
        if (r >= 0 && c->n_dropins)
                r = strbuf_printf(out, "# drop-ins read: %u\n", c->n_dropins);
        if (r >= 0)
                r = strbuf_printf(out,
                                  "[Capture]\n"
                                  "FailedExecs=%s\n"
                                  "Exits=%s\n"
                                  "MaxArgsBytes=%u\n"
                                  "\n"
                                  "[BPF]\n"
                                  "PinPath=%s\n"
                                  "PerfBufferPages=%u\n"
                                  "\n"
                                  "[Journal]\n"
                                  "StatsInterval=%us\n",
                                  c->failed_execs ? "yes" : "no", c->exits ? "yes" : "no", c->max_args_bytes,
                                  c->pin_path, c->perf_buffer_pages, c->stats_interval_sec);
        if (r >= 0)
                r = format_filter(&c->filter, out);
        return r < 0 ? r : 0;
}

/* A config's text may hold any byte, and these lines are shown on terminals and in MESSAGE: prefix as it
 * is, then text[0..len) escaped. */
static int put_text_after(struct strbuf *out, const char *prefix, const char *text, size_t len)
{
        int r = strbuf_puts(out, prefix);

        return r < 0 ? r : quote_text(out, text, len);
}

typedef uint64_t (*cgroup_id_fn)(void *ud, const struct ea_cgroup_entry *e);

static uint32_t list_size(const struct ea_filter_list *l, enum filter_kind kind)
{
        switch (kind) {
        case FK_USERS:
                return l->n_users;
        case FK_CGROUPS:
        case FK_UNITS:
                return l->n_cgroups;
        case FK_MNTNS:
                return l->n_mntns;
        case FK_COMMANDS:
                return l->n_commands;
        case FK_CGROUP_MAP:
        case FK_MNTNS_MAP:
                break;
        }
        return 0;
}

/* The entries of one list, separated by ", ". */
static int summary_items(struct strbuf *out, const struct ea_filter_list *l, enum filter_kind kind,
                         cgroup_id_fn cgroup_id, void *ud)
{
        int r = 0;

        for (uint32_t i = 0; r >= 0 && i < list_size(l, kind); i++) {
                const char *sep = i ? ", " : "";
                const struct ea_cgroup_entry *e = &l->cgroups[i];
                uint64_t id;

                switch (kind) {
                case FK_USERS:
                        if (l->users[i].lo == l->users[i].hi)
                                r = strbuf_printf(out, "%s%u", sep, l->users[i].lo);
                        else
                                r = strbuf_printf(out, "%s%u-%u", sep, l->users[i].lo, l->users[i].hi);
                        break;
                case FK_CGROUPS:
                case FK_UNITS:
                        r = strbuf_puts(out, sep);
                        if (r >= 0)
                                r = put_text_after(out, e->unit ? "unit " : "", e->path, strlen(e->path));
                        if (r < 0 || !cgroup_id)
                                break;
                        id = cgroup_id(ud, e);
                        if (id)
                                r = strbuf_printf(out, " (id %" PRIu64 ")", id);
                        else
                                r = strbuf_puts(out, " (not created yet)");
                        break;
                case FK_MNTNS:
                        r = strbuf_printf(out, "%s%" PRIu64, sep, l->mntns[i]);
                        break;
                case FK_COMMANDS:
                        r = put_text_after(out, sep, l->commands[i],
                                           strnlen(l->commands[i], sizeof(l->commands[i])));
                        break;
                case FK_CGROUP_MAP:
                case FK_MNTNS_MAP:
                        break;
                }
        }
        return r;
}

/* "NAME: all", "NAME: all except EXCLUDES", "NAME INCLUDES" or "NAME INCLUDES except EXCLUDES". */
static int summary_dimension(struct strbuf *out, const char *name, const struct ea_filter *f,
                             enum filter_kind kind, cgroup_id_fn cgroup_id, void *ud)
{
        int r;

        if (list_size(&f->include, kind) == 0) {
                r = strbuf_printf(out, "%s: all", name);
        } else {
                r = strbuf_printf(out, "%s ", name);
                if (r >= 0)
                        r = summary_items(out, &f->include, kind, cgroup_id, ud);
                if (r >= 0 && kind == FK_CGROUPS)
                        r = strbuf_puts(out, " and descendants");
        }
        if (r >= 0 && list_size(&f->exclude, kind) > 0) {
                r = strbuf_puts(out, " except ");
                if (r >= 0)
                        r = summary_items(out, &f->exclude, kind, cgroup_id, ud);
        }
        return r;
}

int config_filter_summary(const struct ea_filter *f,
                          uint64_t (*cgroup_id)(void *ud, const struct ea_cgroup_entry *e), void *ud,
                          struct strbuf *out)
{
        int r;

        r = summary_dimension(out, "users", f, FK_USERS, cgroup_id, ud);
        if (r >= 0)
                r = strbuf_puts(out, "; ");
        if (r >= 0)
                r = summary_dimension(out, "cgroups", f, FK_CGROUPS, cgroup_id, ud);
        if (r >= 0)
                r = strbuf_puts(out, "; ");
        if (r >= 0)
                r = summary_dimension(out, "mount namespaces", f, FK_MNTNS, cgroup_id, ud);
        if (r >= 0)
                r = strbuf_puts(out, "; ");
        if (r >= 0)
                r = summary_dimension(out, "commands", f, FK_COMMANDS, cgroup_id, ud);
        if (r >= 0 && f->cgroup_map[0])
                r = put_text_after(out, "; cgroup map ", f->cgroup_map, strlen(f->cgroup_map));
        if (r >= 0 && f->mntns_map[0])
                r = put_text_after(out, "; mount namespace map ", f->mntns_map, strlen(f->mntns_map));
        return r < 0 ? r : 0;
}

int config_error_format(const struct config_error *err, struct strbuf *out)
{
        const char *sep = ": ";
        int r = quote_text(out, err->file, strlen(err->file));

        if (r >= 0 && err->line)
                r = strbuf_printf(out, ":%u", err->line);
        if (r >= 0 && err->key[0] && err->section[0]) {
                r = put_text_after(out, ": [", err->section, strlen(err->section));
                sep = "] ";
        }
        if (r >= 0 && err->key[0]) {
                r = put_text_after(out, sep, err->key, strlen(err->key));
                sep = "=: ";
        }
        if (r >= 0)
                r = put_text_after(out, sep, err->message, strlen(err->message));
        return r;
}

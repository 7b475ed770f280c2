// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target for what the daemon does with perf samples before the journal: argv pieces put back together
 * (daemon/assemble.c) and events turned into entries (daemon/format.c).
 *
 * Input: one byte of options (bit 0: the process has exited already; bit 1: its cgroup path is known; bit 2:
 * CLOCK_REALTIME is behind CLOCK_BOOTTIME, as on a machine whose clock says 1970; bit 3: the cgroup path was
 * cut to an ancestor), one
 * byte n, n bytes of cgroup path, then samples, each a 16-bit little-endian length and that many bytes.
 * Samples go through assembly_take(), as on_sample() in daemon/daemon.c takes them on one CPU. Properties:
 *  - an event is formatted or refused with -EBADMSG, nothing else;
 *  - the entry, read back by a reader of journald's native protocol written here from its documentation,
 *    holds exactly the fields the record says it holds: nothing in a value adds or splits a field;
 *  - field names are valid for journald and unique; the fields every record has are there;
 *  - EXEC_PID, EXEC_UID and EXEC_SEQ say what the event says;
 *  - MESSAGE and EXEC_CMDLINE are safe on a terminal; numbers are digits;
 *  - a sample is taken as an argv piece exactly when it is one; an assembled exec event is as long as it
 *    says and no longer chunked; any other event comes out byte for byte, cut to its header's size.
 */
#include "assemble.h"
#include "execaudit.h"
#include "format.h"
#include "record.h"
#include "fuzz-check.h"
#include "record-rules.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FIELDS 128

struct field {
        const char *name, *value;
        size_t name_len, value_len;
};

struct input {
        bool exited;
        const char *cgroup;
        bool cgroup_truncated;
};

static const char *cgroup_cb(void *userdata, uint64_t id, bool *truncated)
{
        const struct input *in = userdata;

        (void)id;
        *truncated = in->cgroup_truncated;
        return in->cgroup;
}

static bool exited_cb(void *userdata, uint32_t pid, uint64_t ktime)
{
        const struct input *in = userdata;

        (void)pid;
        (void)ktime;
        return in->exited;
}

static uint64_t le64(const char *p)
{
        uint64_t v = 0;

        for (int i = 7; i >= 0; i--)
                v = v << 8 | (unsigned char)p[i];
        return v;
}

/* journald's native protocol: NAME=value\n, or NAME\n, a 64-bit little-endian length, value, \n. */
static size_t read_entry(const char *p, size_t len, struct field *out)
{
        size_t at = 0, n = 0;

        while (at < len) {
                const char *end = memchr(p + at, '\n', len - at), *eq = memchr(p + at, '=', len - at);

                FUZZ_CHECK(n < MAX_FIELDS, "more than %d fields", MAX_FIELDS);
                FUZZ_CHECK(end != NULL, "field at %zu has no end", at);
                out[n].name = p + at;
                if (eq && eq < end) {
                        out[n].name_len = (size_t)(eq - (p + at));
                        out[n].value = eq + 1;
                        out[n].value_len = (size_t)(end - eq - 1);
                        at = (size_t)(end - p) + 1;
                } else {
                        uint64_t vlen;

                        out[n].name_len = (size_t)(end - (p + at));
                        at = (size_t)(end - p) + 1;
                        FUZZ_CHECK(len - at >= 8, "length of a binary field cut off");
                        vlen = le64(p + at);
                        at += 8;
                        FUZZ_CHECK(vlen < len - at && p[at + vlen] == '\n', "binary field overruns");
                        out[n].value = p + at;
                        out[n].value_len = (size_t)vlen;
                        at += (size_t)vlen + 1;
                }
                n++;
        }
        return n;
}

static bool is(const struct field *f, const char *name)
{
        return f->name_len == strlen(name) && memcmp(f->name, name, f->name_len) == 0;
}

static const struct field *find(const struct field *f, size_t n, const char *name)
{
        for (size_t i = 0; i < n; i++)
                if (is(&f[i], name))
                        return &f[i];
        return NULL;
}

static bool equals_u64(const struct field *f, uint64_t v)
{
        char buf[24];
        int len = snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);

        return f && f->value_len == (size_t)len && memcmp(f->value, buf, (size_t)len) == 0;
}

static bool digits(const struct field *f)
{
        size_t i = f->value_len && f->value[0] == '-' ? 1 : 0;

        if (i == f->value_len)
                return false;
        for (; i < f->value_len; i++)
                if (f->value[i] < '0' || f->value[i] > '9')
                        return false;
        return true;
}

static void check_record(struct record *r, const struct ea_header *h)
{
        static const char *const always[] = {
                "MESSAGE_ID",     "PRIORITY",  "SYSLOG_IDENTIFIER", "EXEC_EVENT", "EXEC_SEQ",
                "EXEC_TIMESTAMP", "EXEC_PID",  "EXEC_TID",          "EXEC_PPID",  "EXEC_UID",
                "EXEC_GID",       "EXEC_COMM", "EXEC_CGROUP_ID",    "EXEC_MNTNS", "MESSAGE",
        };
        static const char *const numeric[] = {
                "PRIORITY",
                "EXEC_SEQ",
                "EXEC_TIMESTAMP",
                "EXEC_PID",
                "EXEC_TID",
                "EXEC_PPID",
                "EXEC_UID",
                "EXEC_GID",
                "EXEC_EUID",
                "EXEC_EGID",
                "EXEC_CGROUP_ID",
                "EXEC_MNTNS",
                "EXEC_ARGC",
                "EXEC_ARGS_SIZE",
                "EXEC_DURATION_NSEC",
                "EXEC_RET",
                "EXEC_LOGINUID",
                "EXEC_SESSIONID",
                "EXEC_PIDNS",
                "EXEC_NS_PID",
                "EXEC_LIFETIME_USEC",
                "EXEC_CPU_USER_USEC",
                "EXEC_CPU_SYSTEM_USEC",
                "EXEC_MAXRSS_KB",
                "EXEC_EXIT_CODE",
                "OBJECT_PID",
                "EXEC_EXE_INODE",
                "EXEC_CONFIG_GENERATION",
        };
        const struct ea_proc *proc = (const void *)((const char *)h + sizeof(*h));
        static struct field f[MAX_FIELDS];
        const struct field *v;
        const char *entry;
        size_t len, n;

        FUZZ_CHECK(record_entry(r, &entry, &len) == 0, "no entry from a formatted record");
        n = read_entry(entry, len, f);
        FUZZ_CHECK(n == r->n, "%zu fields read back, the record has %u", n, r->n);
        for (size_t i = 0; i < n; i++) {
                struct record_field g = record_field(r, (unsigned)i);

                FUZZ_CHECK(g.name_len == f[i].name_len && memcmp(g.name, f[i].name, g.name_len) == 0 &&
                                   g.value_len == f[i].value_len &&
                                   memcmp(g.value, f[i].value, g.value_len) == 0,
                           "field %zu reads back differently", i);
                FUZZ_CHECK(journal_name_ok(f[i].name, f[i].name_len), "invalid name %.*s",
                           (int)f[i].name_len, f[i].name);
                for (size_t j = 0; j < i; j++)
                        FUZZ_CHECK(!(f[j].name_len == f[i].name_len &&
                                     memcmp(f[j].name, f[i].name, f[i].name_len) == 0),
                                   "%.*s twice", (int)f[i].name_len, f[i].name);
                if (is(&f[i], "MESSAGE") || is(&f[i], "EXEC_CMDLINE"))
                        FUZZ_CHECK(terminal_unsafe_at(f[i].value, f[i].value_len) == f[i].value_len,
                                   "%.*s is not safe on a terminal", (int)f[i].name_len, f[i].name);
        }
        for (size_t i = 0; i < sizeof(always) / sizeof(always[0]); i++)
                FUZZ_CHECK(find(f, n, always[i]) != NULL, "no %s", always[i]);
        for (size_t i = 0; i < sizeof(numeric) / sizeof(numeric[0]); i++) {
                v = find(f, n, numeric[i]);
                FUZZ_CHECK(!v || digits(v), "%s is not a number", numeric[i]);
        }
        FUZZ_CHECK(equals_u64(find(f, n, "EXEC_SEQ"), h->seq), "EXEC_SEQ");
        FUZZ_CHECK(equals_u64(find(f, n, "EXEC_PID"), proc->pid), "EXEC_PID");
        FUZZ_CHECK(equals_u64(find(f, n, "EXEC_UID"), proc->uid), "EXEC_UID");
        v = find(f, n, "EXEC_EVENT");
        FUZZ_CHECK(v->value_len >= 4, "EXEC_EVENT");
        if (h->type == EA_EV_EXIT)
                FUZZ_CHECK(v->value_len == 4 && memcmp(v->value, "exit", 4) == 0, "EXEC_EVENT of an exit");
        else
                FUZZ_CHECK(find(f, n, "EXEC_CMDLINE") != NULL && find(f, n, "EXEC_FILENAME") != NULL,
                           "an exec record without EXEC_CMDLINE or EXEC_FILENAME");
}

static void format_one(struct record *r, const void *ev, size_t size, const struct format_ctx *ctx)
{
        int e = format_event(r, ev, size, ctx);

        FUZZ_CHECK(e == 0 || e == -EBADMSG, "format_event returned %d", e);
        if (e == 0)
                check_record(r, ev);
}

/* One sample through assembly_take(), as on_sample() in daemon/daemon.c takes it, for one CPU. */
static void sample(struct assembly *a, struct record *r, const void *data, size_t size,
                   const struct format_ctx *ctx)
{
        const struct ea_header *h = data;
        const struct ea_exec *ev = data;
        size_t in = size >= sizeof(*h) && h->size <= size ? h->size : size;
        bool chunked = in >= sizeof(*ev) && (h->type == EA_EV_EXEC || h->type == EA_EV_EXEC_FAILED) &&
                       (ev->flags & EA_F_ARGS_CHUNKED);
        struct ea_exec *out = NULL;
        size_t n = 0;
        int e = assembly_take(a, data, size, malloc, (void **)&out, &n);

        FUZZ_CHECK(e == 1 || e == 0 || e == -EBADMSG, "assembly_take returned %d", e);
        if (e != 1) {
                FUZZ_CHECK(in >= sizeof(*h) && h->type == EA_EV_ARGS, "an event taken as an argv piece");
                return;
        }
        FUZZ_CHECK(!(in >= sizeof(*h) && h->type == EA_EV_ARGS), "an argv piece taken as an event");
        if (chunked) {
                FUZZ_CHECK(n >= in && n - in <= EA_ARGS_MAX, "assembled size %zu from %zu", n, in);
                FUZZ_CHECK(out->hdr.size == n && !(out->flags & EA_F_ARGS_CHUNKED) &&
                                   out->args_len == n - in,
                           "assembled event: size %u of %zu, args_len %u", out->hdr.size, n, out->args_len);
        } else {
                FUZZ_CHECK(n == in && memcmp(out, data, n) == 0, "event copied as %zu bytes of %zu", n, in);
        }
        format_one(r, out, n, ctx);
        free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct input in = {0};
        struct format_ctx ctx = {
                .realtime_offset_ns = 1700000000123456789LL,
                .cgroup_path = cgroup_cb,
                .userdata = &in,
                .exited = exited_cb,
                .exited_userdata = &in,
        };
        static struct record r;
        struct assembly a = {0};
        char *cgroup = NULL;
        size_t at = 2;

        if (size < 2 || size - 2 < data[1])
                return 0;
        in.exited = data[0] & 1;
        in.cgroup_truncated = data[0] & 8;
        if (data[0] & 4)
                ctx.realtime_offset_ns = -ctx.realtime_offset_ns;
        if (data[0] & 2) {
                cgroup = strndup((const char *)data + 2, data[1]);
                FUZZ_CHECK(cgroup != NULL, "strndup");
                in.cgroup = cgroup;
        }
        at += data[1];
        while (size - at >= 2) {
                size_t n = (size_t)data[at] | (size_t)data[at + 1] << 8;
                void *copy;

                at += 2;
                if (n > size - at)
                        n = size - at;
                /* Exact size (so that ASan sees a read past it), aligned as a perf sample's copy is. */
                copy = malloc(n ? n : 1);
                FUZZ_CHECK(copy != NULL, "malloc");
                memcpy(copy, data + at, n);
                sample(&a, &r, copy, n, &ctx);
                free(copy);
                at += n;
        }
        assembly_free(&a);
        free(cgroup);
        return 0;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Formatting of audit records. Everything that came from the kernel is treated as untrusted bytes: sizes
 * are checked against what was received, text meant for humans (MESSAGE, EXEC_CMDLINE) is quoted, and
 * the other values go in as exact bytes, which journald stores binary-safe.
 */
#include <errno.h>
#include <linux/types.h>
#include <stdio.h>
#include <string.h>

#include "ea-config.h"
#include "format.h"
#include "names.h"
#include "quote.h"
#include "writer.h"
#include "execaudit.h"

_Static_assert(sizeof(struct ea_header) == 32, "ea_header layout");
_Static_assert(sizeof(struct ea_proc) == 56, "ea_proc layout");
_Static_assert(sizeof(struct ea_exec) == 120, "ea_exec layout");
_Static_assert(sizeof(struct ea_exit) == 96, "ea_exit layout");
_Static_assert(sizeof(struct ea_exec) + EA_FILENAME_MAX + EA_ARGS_MAX < 65535 - 64,
               "an exec event must fit one perf sample");

static void add_common(struct record *r, const char *mid, int priority, const char *event, uint64_t seq,
                       uint64_t realtime_usec, uint32_t generation)
{
        record_add_str(r, "MESSAGE_ID", mid);
        record_addf(r, "PRIORITY", "%d", priority);
        record_add_str(r, "SYSLOG_IDENTIFIER", "execauditd");
        record_add_str(r, "EXEC_EVENT", event);
        record_add_u64(r, "EXEC_SEQ", seq);
        record_add_u64(r, "EXEC_TIMESTAMP", realtime_usec);
        record_add_u64(r, "EXEC_CONFIG_GENERATION", generation);
}

/* Saturating: ktime comes from the kernel and is not trusted to be sane. */
static uint64_t event_realtime_usec(const struct ea_header *h, const struct format_ctx *ctx)
{
        uint64_t k = h->ktime_ns, off;

        if (ctx->realtime_offset_ns >= 0) {
                off = (uint64_t)ctx->realtime_offset_ns;
                return k + off < k ? UINT64_MAX / 1000 : (k + off) / 1000;
        }
        off = 0 - (uint64_t)ctx->realtime_offset_ns;
        return k > off ? (k - off) / 1000 : 0;
}

static size_t comm_len(const char comm[16])
{
        const char *nul = memchr(comm, '\0', 16);

        return nul ? (size_t)(nul - comm) : 16;
}

static void add_proc(struct record *r, const struct ea_proc *p, const struct format_ctx *ctx)
{
        const char *cg = ctx->cgroup_path ? ctx->cgroup_path(ctx->userdata, p->cgroup_id) : NULL;

        record_add_u64(r, "EXEC_PID", p->pid);
        record_add_u64(r, "EXEC_TID", p->tid);
        record_add_u64(r, "EXEC_PPID", p->ppid);
        record_add_u64(r, "EXEC_UID", p->uid);
        record_add_u64(r, "EXEC_GID", p->gid);
        record_add_u64(r, "EXEC_EUID", p->euid);
        record_add_u64(r, "EXEC_EGID", p->egid);
        record_add(r, "EXEC_COMM", p->comm, comm_len(p->comm));
        record_add_u64(r, "EXEC_CGROUP_ID", p->cgroup_id);
        if (cg)
                record_add_str(r, "EXEC_CGROUP", cg);
        record_add_u64(r, "EXEC_MNTNS", p->mntns);
}

static void set_error(struct record *r, int e)
{
        if (e < 0 && !r->error)
                r->error = e;
}

static int format_exec(struct record *r, const struct ea_exec *ev, size_t size, const struct format_ctx *ctx)
{
        const char *filename = ev->data, *args;
        bool failed = ev->hdr.type == EA_EV_EXEC_FAILED;
        struct strbuf *t = &r->tmp, *msg;
        int e;

        if (size < sizeof(*ev) || ev->filename_len > size - sizeof(*ev) ||
            ev->args_len > size - sizeof(*ev) - ev->filename_len)
                return -EBADMSG;
        args = ev->data + ev->filename_len;

        add_common(r, failed ? MID_EXEC_FAILED : MID_EXEC, failed ? 5 : 6, failed ? "exec_failed" : "exec",
                   ev->hdr.seq, event_realtime_usec(&ev->hdr, ctx), ev->hdr.config_generation);
        add_proc(r, &ev->proc, ctx);
        record_add(r, "EXEC_FILENAME", filename, ev->filename_len);
        if (ev->flags & EA_F_FILENAME_TRUNCATED)
                record_add_str(r, "EXEC_FILENAME_TRUNCATED", "1");
        record_add_u64(r, "EXEC_ARGC", ev->argc);
        if (ev->flags & EA_F_ARGC_FLOOR)
                record_add_str(r, "EXEC_ARGC_IS_MINIMUM", "1");
        if (!failed)
                record_add_u64(r, "EXEC_ARGS_SIZE", ev->args_size);
        record_add_str(r, "EXEC_ARGS_TRUNCATED", ev->flags & EA_F_ARGS_TRUNCATED ? "1" : "0");
        record_add_u64(r, "EXEC_DURATION_NSEC", ev->duration_ns);
        if (failed) {
                const char *name = errno_name(ev->ret);

                record_add_i64(r, "EXEC_RET", ev->ret);
                if (name)
                        record_add_str(r, "EXEC_ERRNO", name);
                else
                        record_addf(r, "EXEC_ERRNO", "%lld", -(long long)ev->ret);
        }

        /* EXEC_CMDLINE, then MESSAGE reusing the same quoted text. */
        strbuf_reset(t);
        set_error(r, quote_argv(t, args, ev->args_len));
        record_add(r, "EXEC_CMDLINE", t->buf ? t->buf : "", t->len);
        msg = record_field_begin(r, "MESSAGE");
        if (!msg)
                return r->error;
        e = strbuf_puts(msg, failed ? "exec failed " : "exec ");
        if (e >= 0 && failed) {
                const char *name = errno_name(ev->ret);

                e = name ? strbuf_puts(msg, name) : strbuf_printf(msg, "%lld", -(long long)ev->ret);
                if (e >= 0)
                        e = strbuf_puts(msg, ": ");
        }
        /* argc 0 (or nothing captured): the filename says what ran. */
        if (e >= 0)
                e = t->len ? strbuf_append(msg, t->buf, t->len) : quote_arg(msg, filename, ev->filename_len);
        if (e >= 0 && (ev->flags & EA_F_ARGS_TRUNCATED))
                e = strbuf_puts(msg, " [argv truncated]");
        if (e >= 0)
                e = strbuf_printf(msg, " (pid %u, ppid %u, uid %u)", ev->proc.pid, ev->proc.ppid,
                                  ev->proc.uid);
        record_field_end(r, e);
        return r->error;
}

static int format_exit(struct record *r, const struct ea_exit *ev, size_t size, const struct format_ctx *ctx)
{
        unsigned sig, status;
        char sigbuf[16];
        const char *signame;
        struct strbuf *msg;
        bool core;
        int e;

        if (size < sizeof(*ev))
                return -EBADMSG;
        sig = ev->exit_code & 0x7f;
        status = (ev->exit_code >> 8) & 0xff;
        core = ev->exit_code & 0x80;
        signame = sig ? signal_name((int)sig, sigbuf) : NULL;
        add_common(r, MID_EXIT, 6, "exit", ev->hdr.seq, event_realtime_usec(&ev->hdr, ctx),
                   ev->hdr.config_generation);
        add_proc(r, &ev->proc, ctx);
        if (signame)
                record_add_str(r, "EXEC_EXIT_SIGNAL", signame);
        else
                record_add_u64(r, "EXEC_EXIT_CODE", status);
        if (core)
                record_add_str(r, "EXEC_CORE_DUMPED", "1");

        msg = record_field_begin(r, "MESSAGE");
        if (!msg)
                return r->error;
        e = strbuf_puts(msg, "exit ");
        if (e >= 0)
                e = quote_arg(msg, ev->proc.comm, comm_len(ev->proc.comm));
        if (e >= 0)
                e = signame ? strbuf_printf(msg, " (pid %u, signal %s%s)", ev->proc.pid, signame,
                                            core ? ", core dumped" : "")
                            : strbuf_printf(msg, " (pid %u, code %u)", ev->proc.pid, status);
        record_field_end(r, e);
        return r->error;
}

int format_event(struct record *r, const void *data, size_t size, const struct format_ctx *ctx)
{
        const struct ea_header *h = data;

        record_reset(r);
        if (size < sizeof(*h) || h->size > size || h->version != EA_LAYOUT_VERSION)
                return -EBADMSG;
        switch (h->type) {
        case EA_EV_EXEC:
        case EA_EV_EXEC_FAILED:
                return format_exec(r, data, h->size, ctx);
        case EA_EV_EXIT:
                return format_exit(r, data, h->size, ctx);
        default:
                return -EBADMSG;
        }
}

int format_lost(struct record *r, const struct daemon_info *d, const char *reason, uint64_t count)
{
        record_reset(r);
        add_common(r, MID_LOST, 4, "lost", d->seq, d->realtime_usec, d->generation);
        record_add_u64(r, "EXEC_LOST", count);
        record_add_str(r, "EXEC_LOST_REASON", reason);
        record_addf(r, "MESSAGE", "lost %llu events (%s)", (unsigned long long)count, reason);
        return r->error;
}

int format_lifecycle(struct record *r, const struct daemon_info *d, const char *event,
                     const char *config_path, const char *config_sha256, const char *detail)
{
        record_reset(r);
        add_common(r, MID_LIFECYCLE, strcmp(event, "stopping") == 0 ? 5 : 6, event, d->seq, d->realtime_usec,
                   d->generation);
        record_add_str(r, "EXEC_VERSION", EA_VERSION);
        record_add_str(r, "EXEC_CONFIG_FILE", config_path);
        record_add_str(r, "EXEC_CONFIG_SHA256", config_sha256);
        if (detail && *detail)
                record_addf(r, "MESSAGE", "execauditd %s %s (config %s, sha256 %.12s): %s", EA_VERSION,
                            event, config_path, config_sha256, detail);
        else
                record_addf(r, "MESSAGE", "execauditd %s %s (config %s, sha256 %.12s)", EA_VERSION, event,
                            config_path, config_sha256);
        return r->error;
}

int format_config_rejected(struct record *r, const struct daemon_info *d, const char *file, unsigned line,
                           const char *section, const char *key, const char *reason)
{
        char loc[16] = "";

        record_reset(r);
        add_common(r, MID_CONFIG_REJECTED, 3, "config_rejected", d->seq, d->realtime_usec, d->generation);
        record_add_str(r, "EXEC_CONFIG_FILE", file);
        if (line)
                record_add_u64(r, "EXEC_CONFIG_LINE", line);
        if (key && *key && section && *section) {
                record_add_str(r, "EXEC_CONFIG_SECTION", section);
                record_add_str(r, "EXEC_CONFIG_KEY", key);
        }
        record_add_str(r, "EXEC_CONFIG_ERROR", reason);
        if (line)
                snprintf(loc, sizeof(loc), ":%u", line);
        if (key && *key && section && *section)
                record_addf(r, "MESSAGE", "config rejected: %s%s: [%s] %s=: %s", file, loc, section, key,
                            reason);
        else
                record_addf(r, "MESSAGE", "config rejected: %s%s: %s", file, loc, reason);
        return r->error;
}

int format_stats(struct record *r, const struct daemon_info *d, const struct ea_stats *ks,
                 const struct writer_stats *w)
{
        const __u64 *kernel = ks->n;
        static const struct {
                const char *field;
                enum ea_stat stat;
        } counters[] = {
                {"EXEC_STATS_EXECS", EA_STAT_EXEC},
                {"EXEC_STATS_EXECS_FAILED", EA_STAT_EXEC_FAILED},
                {"EXEC_STATS_EXITS", EA_STAT_EXIT},
                {"EXEC_STATS_FILTERED", EA_STAT_FILTERED},
                {"EXEC_STATS_EMITTED", EA_STAT_EMITTED},
                {"EXEC_STATS_INFLIGHT_FULL", EA_STAT_INFLIGHT_FULL},
                {"EXEC_STATS_TRACKED_FULL", EA_STAT_TRACKED_FULL},
                {"EXEC_STATS_ARGS_READ_FAILED", EA_STAT_ARGS_READ_FAIL},
        };
        uint64_t lost = 0;
        char name[64];

        record_reset(r);
        add_common(r, MID_STATS, 6, "stats", d->seq, d->realtime_usec, d->generation);
        for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++)
                record_add_u64(r, counters[i].field, kernel[counters[i].stat]);
        record_add_u64(r, "EXEC_STATS_WRITTEN", w->written);
        for (int i = 0; i < LOST_R__MAX; i++) {
                const char *reason = lost_reason_name((enum lost_reason)i);
                size_t j;

                /* EXEC_STATS_LOST_PERF_BUFFER, ...: the reason in upper case. */
                j = (size_t)snprintf(name, sizeof(name), "EXEC_STATS_LOST_");
                for (; *reason && j + 1 < sizeof(name); reason++)
                        name[j++] = (char)(*reason >= 'a' && *reason <= 'z' ? *reason - 'a' + 'A' : *reason);
                name[j] = '\0';
                record_add_u64(r, name, w->lost[i]);
                lost += w->lost[i];
        }
        record_add_u64(r, "EXEC_STATS_QUEUE_HIGH", w->queue_high);
        record_addf(r, "MESSAGE",
                    "stats: %llu execs (%llu failed), %llu exits, %llu left out by the filter, %llu events "
                    "emitted, "
                    "%llu records written, %llu lost",
                    (unsigned long long)kernel[EA_STAT_EXEC],
                    (unsigned long long)kernel[EA_STAT_EXEC_FAILED],
                    (unsigned long long)kernel[EA_STAT_EXIT], (unsigned long long)kernel[EA_STAT_FILTERED],
                    (unsigned long long)kernel[EA_STAT_EMITTED], (unsigned long long)w->written,
                    (unsigned long long)lost);
        return r->error;
}

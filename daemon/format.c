// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Formatting of audit records. Everything that came from the kernel is treated as untrusted bytes: sizes
 * are checked against what was received, text meant for humans (MESSAGE, EXEC_CMDLINE) is quoted, and
 * the other values go in as exact bytes, which journald stores binary-safe.
 */
#include <errno.h>
#include <linux/types.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "ea-config.h"
#include "format.h"
#include "names.h"
#include "quote.h"
#include "unit.h"
#include "writer.h"
#include "execaudit.h"

_Static_assert(sizeof(struct ea_header) == 32, "ea_header layout");
_Static_assert(sizeof(struct ea_proc) == 56, "ea_proc layout");
_Static_assert(sizeof(struct ea_exec) == 224, "ea_exec layout");
_Static_assert(offsetof(struct ea_exec, data) == sizeof(struct ea_exec), "ea_exec data at its end");
_Static_assert(sizeof(struct ea_exit) == 136, "ea_exit layout");
_Static_assert(sizeof(struct ea_args) == 56, "ea_args layout");
_Static_assert(sizeof(struct ea_daemon_state) == 88, "ea_daemon_state layout (append only)");
_Static_assert(sizeof(struct ea_exec) + EA_FILENAME_MAX + EA_PATH__MAX * EA_PATH_MAX + EA_ARGS_INLINE <
                       65535 - 64,
               "an exec event must fit one perf sample");

static void add_common(struct record *r, const char *mid, int priority, const char *event, uint64_t seq,
                       uint64_t realtime_usec, uint32_t generation)
{
        record_add_str(r, "MESSAGE_ID", mid);
        record_add_u64(r, "PRIORITY", (unsigned)priority);
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

/* Returns the cgroup path it added (NULL when unknown), for fields derived from it. */
static const char *add_proc(struct record *r, const struct ea_proc *p, const struct format_ctx *ctx)
{
        bool cut = false;
        const char *cg = ctx->cgroup_path ? ctx->cgroup_path(ctx->userdata, p->cgroup_id, &cut) : NULL;

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
        if (cut)
                record_add_str(r, "EXEC_CGROUP_TRUNCATED", "1");
        record_add_u64(r, "EXEC_MNTNS", p->mntns);
        return cg;
}

static unsigned page_kb(void)
{
        static unsigned kb;

        if (!kb)
                kb = (unsigned)(sysconf(_SC_PAGESIZE) / 1024);
        return kb;
}

static void set_error(struct record *r, int e)
{
        if (e < 0 && !r->error)
                r->error = e;
}

static bool all_digits(const char *s, size_t len)
{
        for (size_t i = 0; i < len; i++)
                if (s[i] < '0' || s[i] > '9')
                        return false;
        return true;
}

/* "ptsN" is how the kernel names /dev/pts/N. The field need not end in a NUL: only len bytes are read. */
static void add_tty(struct record *r, const char tty[32])
{
        size_t len = strnlen(tty, 32);

        if (!len)
                return;
        if (len > 3 && memcmp(tty, "pts", 3) == 0 && all_digits(tty + 3, len - 3))
                record_addf(r, "EXEC_TTY", "pts/%.*s", (int)(len - 3), tty + 3);
        else
                record_add(r, "EXEC_TTY", tty, len);
}

struct exec_strings {
        const char *path[EA_PATH__MAX];
        size_t len[EA_PATH__MAX];
        const char *args;
};

/* Each resolved path's field and the fields that mark it (the exe's removal is EXEC_FILELESS instead). */
static const struct {
        const char *name, *truncated, *deleted;
} path_fields[EA_PATH__MAX] = {
        [EA_PATH_EXE] = {"EXEC_EXE", "EXEC_EXE_TRUNCATED", NULL},
        [EA_PATH_INTERP] = {"EXEC_INTERPRETER", "EXEC_INTERPRETER_TRUNCATED", "EXEC_INTERPRETER_DELETED"},
        [EA_PATH_CWD] = {"EXEC_CWD", "EXEC_CWD_TRUNCATED", "EXEC_CWD_DELETED"},
        [EA_PATH_PARENT_EXE] = {"EXEC_PARENT_EXE", "EXEC_PARENT_EXE_TRUNCATED", "EXEC_PARENT_EXE_DELETED"},
        [EA_PATH_ROOT] = {"EXEC_ROOT", "EXEC_ROOT_TRUNCATED", "EXEC_ROOT_DELETED"},
};

static int split_strings(const struct ea_exec *ev, size_t size, struct exec_strings *out)
{
        size_t left = size - sizeof(*ev), at = ev->filename_len;

        if (ev->filename_len > left)
                return -EBADMSG;
        for (int i = 0; i < EA_PATH__MAX; i++) {
                if (ev->path_len[i] > left - at)
                        return -EBADMSG;
                out->path[i] = ev->data + at;
                out->len[i] = ev->path_len[i];
                at += ev->path_len[i];
        }
        if (ev->args_len > left - at)
                return -EBADMSG;
        out->args = ev->data + at;
        return 0;
}

/* A script's name as it was opened, relative to the working directory: EXEC_EXE is made absolute with it. */
static bool exe_from_cwd(const struct ea_exec *ev, const struct exec_strings *st)
{
        return (ev->flags & EA_F_SCRIPT) && st->len[EA_PATH_EXE] && st->path[EA_PATH_EXE][0] != '/' &&
               st->len[EA_PATH_CWD];
}

static void add_exe(struct record *r, const struct ea_exec *ev, const struct exec_strings *st)
{
        const char *exe = st->path[EA_PATH_EXE], *cwd = st->path[EA_PATH_CWD];
        size_t len = st->len[EA_PATH_EXE];
        struct strbuf *v;
        int e = 0;

        if (!len)
                return;
        v = record_field_begin(r, "EXEC_EXE");
        if (!v)
                return;
        if (exe_from_cwd(ev, st)) {
                e = strbuf_append(v, cwd, st->len[EA_PATH_CWD]);
                if (e >= 0 && cwd[st->len[EA_PATH_CWD] - 1] != '/')
                        e = strbuf_putc(v, '/');
                if (e >= 0 && len > 2 && exe[0] == '.' && exe[1] == '/') {
                        exe += 2;
                        len -= 2;
                }
        }
        if (e >= 0)
                e = strbuf_append(v, exe, len);
        if (e >= 0 && (ev->flags & EA_F_FILELESS))
                e = strbuf_puts(v, " (deleted)");
        record_field_end(r, e);
        if (ev->flags & EA_F_FILELESS) {
                record_add_str(r, "EXEC_FILELESS", "1");
                record_add_u64(r, "EXEC_EXE_INODE", ev->exe_ino);
                record_addf(r, "EXEC_EXE_DEV", "%u:%u", ev->exe_dev >> 20, ev->exe_dev & 0xfffff);
        }
}

/* Who, where from, under which unit and container, child of which image. */
static void add_exec_context(struct record *r, const struct ea_exec *ev, const struct exec_strings *st,
                             const char *cg)
{
        struct cgroup_names names;

        for (int i = 0; i < EA_PATH__MAX; i++) {
                if (i != EA_PATH_EXE && st->len[i])
                        record_add(r, path_fields[i].name, st->path[i], st->len[i]);
                if ((ev->flags & (EA_F_PATH_TRUNCATED << i)) ||
                    (i == EA_PATH_EXE && exe_from_cwd(ev, st) &&
                     (ev->flags & (EA_F_PATH_TRUNCATED << EA_PATH_CWD))))
                        record_add_str(r, path_fields[i].truncated, "1");
                if (path_fields[i].deleted && st->len[i] && (ev->flags & (EA_F_PATH_DELETED << i)))
                        record_add_str(r, path_fields[i].deleted, "1");
        }
        if (ev->loginuid != UINT32_MAX)
                record_add_u64(r, "EXEC_LOGINUID", ev->loginuid);
        if (ev->sessionid != UINT32_MAX)
                record_add_u64(r, "EXEC_SESSIONID", ev->sessionid);
        add_tty(r, ev->tty);
        if (ev->pidns) {
                record_add_u64(r, "EXEC_PIDNS", ev->pidns);
                record_add_u64(r, "EXEC_NS_PID", ev->ns_pid);
        }
        if (cg) {
                cgroup_path_names(cg, &names);
                if (names.unit.len)
                        record_add(r, "EXEC_UNIT", names.unit.s, names.unit.len);
                if (names.slice.len)
                        record_add(r, "EXEC_SLICE", names.slice.s, names.slice.len);
                if (names.container.len)
                        record_add(r, "EXEC_CONTAINER_ID", names.container.s, names.container.len);
        }
        record_add(r, "EXEC_PARENT_COMM", ev->parent_comm, comm_len(ev->parent_comm));
        if (ev->parent_exec_ktime_ns)
                record_add_id(r, "EXEC_PARENT_ID", ev->parent_exec_ktime_ns, ev->proc.ppid);
}

/* " (pid N, ppid N, uid N)" and the like without printf (a third label may be NULL): every record ends so.
 */
static int msg_numbers(struct strbuf *m, const char *l1, unsigned v1, const char *l2, unsigned v2,
                       const char *l3, unsigned v3)
{
        int e = strbuf_puts(m, l1);

        if (e >= 0)
                e = strbuf_put_u64(m, v1);
        if (e >= 0)
                e = strbuf_puts(m, l2);
        if (e >= 0)
                e = strbuf_put_u64(m, v2);
        if (e >= 0 && l3)
                e = strbuf_puts(m, l3);
        if (e >= 0 && l3)
                e = strbuf_put_u64(m, v3);
        if (e >= 0)
                e = strbuf_putc(m, ')');
        return e;
}

static int format_exec(struct record *r, const struct ea_exec *ev, size_t size, const struct format_ctx *ctx)
{
        const char *filename = ev->data;
        bool failed = ev->hdr.type == EA_EV_EXEC_FAILED;
        struct strbuf *t = &r->tmp, *msg;
        struct exec_strings st;
        const char *cg;
        int e;

        if (size < sizeof(*ev) || split_strings(ev, size, &st) < 0)
                return -EBADMSG;

        add_common(r, failed ? MID_EXEC_FAILED : MID_EXEC, failed ? 5 : 6, failed ? "exec_failed" : "exec",
                   ev->hdr.seq, event_realtime_usec(&ev->hdr, ctx), ev->hdr.config_generation);
        cg = add_proc(r, &ev->proc, ctx);
        if (!failed) {
                record_add_id(r, "EXEC_ID", ev->hdr.ktime_ns, ev->proc.pid);
                /* journald adds its own trusted OBJECT_* fields about the process while it lives. Once it
                 * is known to be gone, journald would find nothing, or another process that got the PID. */
                if (!ctx->exited || !ctx->exited(ctx->exited_userdata, ev->proc.pid, ev->hdr.ktime_ns))
                        record_add_u64(r, "OBJECT_PID", ev->proc.pid);
        }
        record_add(r, "EXEC_FILENAME", filename, ev->filename_len);
        if (ev->flags & EA_F_FILENAME_TRUNCATED)
                record_add_str(r, "EXEC_FILENAME_TRUNCATED", "1");
        add_exe(r, ev, &st);
        add_exec_context(r, ev, &st, cg);
        record_add_u64(r, "EXEC_ARGC", ev->argc);
        if (ev->argc == 0 && !(ev->flags & EA_F_ARGC_FLOOR))
                record_add_str(r, "EXEC_ARGV0_MISSING", "1");
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
        set_error(r, quote_argv(t, st.args, ev->args_len));
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
                e = msg_numbers(msg, " (pid ", ev->proc.pid, ", ppid ", ev->proc.ppid, ", uid ",
                                ev->proc.uid);
        record_field_end(r, e);
        return r->error;
}

/* user/system split of the precise run time, in the tick-sampled ratio: what getrusage() reports. */
static void split_cpu(const struct ea_exit *ev, uint64_t *user_ns, uint64_t *sys_ns)
{
        uint64_t u = ev->utime_ns, s = ev->stime_ns, rt = ev->runtime_ns;

        if (s == 0) {
                *user_ns = rt;
                *sys_ns = 0;
        } else if (u == 0) {
                *user_ns = 0;
                *sys_ns = rt;
        } else {
                *sys_ns = (uint64_t)((unsigned __int128)rt * s / ((unsigned __int128)u + s));
                *user_ns = rt - *sys_ns;
        }
}

static int format_exit(struct record *r, const struct ea_exit *ev, size_t size, const struct format_ctx *ctx)
{
        uint64_t user_ns, sys_ns;
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
        if (ev->exec_ktime_ns) {
                record_add_id(r, "EXEC_ID", ev->exec_ktime_ns, ev->proc.pid);
                if (ev->hdr.ktime_ns >= ev->exec_ktime_ns)
                        record_add_u64(r, "EXEC_LIFETIME_USEC",
                                       (ev->hdr.ktime_ns - ev->exec_ktime_ns) / 1000);
        }
        split_cpu(ev, &user_ns, &sys_ns);
        record_add_u64(r, "EXEC_CPU_USER_USEC", user_ns / 1000);
        record_add_u64(r, "EXEC_CPU_SYSTEM_USEC", sys_ns / 1000);
        record_add_u64(r, "EXEC_MAXRSS_KB", ev->maxrss_pages * (uint64_t)page_kb());

        msg = record_field_begin(r, "MESSAGE");
        if (!msg)
                return r->error;
        e = strbuf_puts(msg, "exit ");
        if (e >= 0)
                e = quote_arg(msg, ev->proc.comm, comm_len(ev->proc.comm));
        if (e >= 0)
                e = signame ? strbuf_printf(msg, " (pid %u, signal %s%s)", ev->proc.pid, signame,
                                            core ? ", core dumped" : "")
                            : msg_numbers(msg, " (pid ", ev->proc.pid, ", code ", status, NULL, 0);
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

static void add_lost_head(struct record *r, const struct daemon_info *d, const char *reason, uint64_t count)
{
        record_reset(r);
        add_common(r, MID_LOST, 4, "lost", d->seq, d->realtime_usec, d->generation);
        record_add_u64(r, "EXEC_LOST", count);
        record_add_str(r, "EXEC_LOST_REASON", reason);
}

int format_lost(struct record *r, const struct daemon_info *d, const char *reason, uint64_t count)
{
        add_lost_head(r, d, reason, count);
        record_addf(r, "MESSAGE", "lost %llu events (%s)", (unsigned long long)count, reason);
        return r->error;
}

int format_lost_range(struct record *r, const struct daemon_info *d, const char *reason, uint64_t count,
                      uint64_t first_seq, uint64_t last_seq, uint64_t since_usec, uint64_t until_usec)
{
        add_lost_head(r, d, reason, count);
        if (first_seq) {
                record_add_u64(r, "EXEC_LOST_SEQ_FIRST", first_seq);
                record_add_u64(r, "EXEC_LOST_SEQ_LAST", last_seq);
        }
        if (since_usec)
                record_add_u64(r, "EXEC_LOST_SINCE", since_usec);
        record_add_u64(r, "EXEC_LOST_UNTIL", until_usec);
        if (first_seq)
                record_addf(r, "MESSAGE", "lost %llu events (%s), sequence numbers %llu-%llu",
                            (unsigned long long)count, reason, (unsigned long long)first_seq,
                            (unsigned long long)last_seq);
        else
                record_addf(r, "MESSAGE", "lost %llu events (%s) of programs that were replaced",
                            (unsigned long long)count, reason);
        return r->error;
}

/* MESSAGE of a daemon record from text put together in r->tmp: paths and details come from the command line,
 * the config or the pin directory, and may hold any byte. Escaping text that is safe changes nothing. */
static void add_tmp_as_message(struct record *r, int e)
{
        struct strbuf *msg;

        if (e < 0) {
                set_error(r, e);
                return;
        }
        msg = record_field_begin(r, "MESSAGE");
        if (msg)
                record_field_end(r, quote_text(msg, r->tmp.buf, r->tmp.len));
}

int format_lifecycle(struct record *r, const struct daemon_info *d, const char *event,
                     const char *config_path, const char *config_sha256, const char *detail)
{
        int e;

        record_reset(r);
        add_common(r, MID_LIFECYCLE, strcmp(event, "stopping") == 0 ? 5 : 6, event, d->seq, d->realtime_usec,
                   d->generation);
        record_add_str(r, "EXEC_VERSION", EA_VERSION);
        record_add_str(r, "EXEC_CONFIG_FILE", config_path);
        record_add_str(r, "EXEC_CONFIG_SHA256", config_sha256);
        e = strbuf_printf(&r->tmp, "execauditd %s %s (config %s, sha256 %.12s)", EA_VERSION, event,
                          config_path, config_sha256);
        if (e >= 0 && detail && *detail)
                e = strbuf_printf(&r->tmp, ": %s", detail);
        add_tmp_as_message(r, e);
        return r->error;
}

int format_filter_changed(struct record *r, const struct daemon_info *d, const char *pin_path)
{
        record_reset(r);
        add_common(r, MID_FILTER_CHANGED, 4, "filter_changed", d->seq, d->realtime_usec, d->generation);
        add_tmp_as_message(r, strbuf_printf(&r->tmp,
                                            "the filter in force (maps pinned in %s) was changed outside "
                                            "execauditd; the change applies until the next reload",
                                            pin_path));
        return r->error;
}

int format_config_rejected(struct record *r, const struct daemon_info *d, const struct config_error *err)
{
        struct strbuf *msg;
        int e;

        record_reset(r);
        add_common(r, MID_CONFIG_REJECTED, 3, "config_rejected", d->seq, d->realtime_usec, d->generation);
        record_add_str(r, "EXEC_CONFIG_FILE", err->file);
        if (err->line)
                record_add_u64(r, "EXEC_CONFIG_LINE", err->line);
        if (err->key[0] && err->section[0]) {
                record_add_str(r, "EXEC_CONFIG_SECTION", err->section);
                record_add_str(r, "EXEC_CONFIG_KEY", err->key);
        }
        record_add_str(r, "EXEC_CONFIG_ERROR", err->message);
        msg = record_field_begin(r, "MESSAGE");
        if (!msg)
                return r->error;
        e = strbuf_puts(msg, "config rejected: ");
        if (e >= 0)
                e = config_error_format(err, msg);
        record_field_end(r, e);
        return r->error;
}

int format_stats(struct record *r, const struct daemon_info *d, const struct ea_stats *ks,
                 const struct writer_stats *w, const uint8_t *buffer_peak, int n)
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
                {"EXEC_STATS_ARGS_PIECES_LOST", EA_STAT_ARGS_CHUNK_LOST},
                {"EXEC_STATS_FAILED_UNTRACKED", EA_STAT_FAILED_UNTRACKED},
                {"EXEC_STATS_SKIPPED", EA_STAT_SKIPPED},
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
        if (n > 0) {
                struct strbuf *v = record_field_begin(r, "EXEC_STATS_BUFFER_PEAK");
                unsigned max = 0;
                int e = 0;

                for (int i = 0; v && i < n && e >= 0; i++) {
                        e = strbuf_printf(v, i ? " %u" : "%u", buffer_peak[i]);
                        max = buffer_peak[i] > max ? buffer_peak[i] : max;
                }
                if (v)
                        record_field_end(r, e);
                record_add_u64(r, "EXEC_STATS_BUFFER_PEAK_MAX", max);
        }
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

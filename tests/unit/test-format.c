/*
 * Unit test for daemon/format.c: kernel events and daemon events turned into journal records.
 *
 * The field names, values and MESSAGE texts are the public contract of execauditd(8), so every value is
 * compared exactly, with the exact number of fields. Every record built here also goes through
 * check_record(): valid and unique field names, and (for kernel events) no raw control bytes outside the
 * three fields documented as raw bytes. Malformed events are formatted in a child process with the event
 * placed right before an inaccessible page, so a read past the event crashes the child instead of going
 * unnoticed. Some checks are regression tests for defects found while writing them.
 */
#include "config.h"
#include "ea-config.h"
#include "execaudit.h"
#include "format.h"
#include "record.h"
#include "strbuf.h"
#include "check.h"
#include "record-rules.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static unsigned records_checked;

#define S(lit) lit, sizeof(lit) - 1

static void print_bytes(const char *p, size_t n)
{
        for (size_t i = 0; i < n && i < 300; i++) {
                unsigned char c = (unsigned char)p[i];

                if (c >= 0x20 && c < 0x7f && c != '\\')
                        fputc(c, stderr);
                else
                        fprintf(stderr, "\\x%02x", c);
        }
        if (n > 300)
                fprintf(stderr, "...(%zu bytes)", n);
}

static void check_field_(int line, const struct record *r, const char *name, const void *want,
                         size_t want_len)
{
        size_t len = 0;
        const char *v = record_get(r, name, &len);

        if (!v) {
                fprintf(stderr, "FAIL %s:%d: [%s] field %s missing\n", __FILE__, line, case_name, name);
                failures++;
        } else if (len != want_len || memcmp(v, want, len) != 0) {
                fprintf(stderr, "FAIL %s:%d: [%s] %s: got \"", __FILE__, line, case_name, name);
                print_bytes(v, len);
                fprintf(stderr, "\", want \"");
                print_bytes(want, want_len);
                fprintf(stderr, "\"\n");
                failures++;
        }
}

#define CHECK_FIELD(r, name, want)          check_field_(__LINE__, r, name, want, strlen(want))
#define CHECK_FIELD_BIN(r, name, want, len) check_field_(__LINE__, r, name, want, len)
#define CHECK_NO_FIELD(r, name)             CHECK(record_get(r, name, NULL) == NULL)
#define ELEMENTSOF(a)                       (sizeof(a) / sizeof((a)[0]))

/* Number of fields named `name` (field by field, not by record_get, which stops at the first). */
static unsigned count_named(const struct record *r, const char *name)
{
        size_t nl = strlen(name);
        unsigned count = 0;

        for (unsigned i = 0; i < r->n; i++) {
                struct record_field f = record_field(r, i);

                if (f.name_len == nl && memcmp(f.name, name, nl) == 0)
                        count++;
        }
        return count;
}

/*
 * Field name validity and uniqueness, and MESSAGE and EXEC_CMDLINE safe on a terminal (record-rules.h), for
 * every record. For kernel events, also: no raw control byte in
 * any value except EXEC_FILENAME, EXEC_COMM and EXEC_CGROUP (documented as the exact bytes).
 */
/* Fields documented as the exact bytes the kernel had (paths and names a process chooses). */
static bool exact_bytes_field(const char *name, size_t len)
{
        static const char *const exact[] = {
                "EXEC_FILENAME",    "EXEC_COMM",        "EXEC_CGROUP",     "EXEC_EXE",
                "EXEC_INTERPRETER", "EXEC_CWD",         "EXEC_PARENT_EXE", "EXEC_UNIT",
                "EXEC_SLICE",       "EXEC_PARENT_COMM", "EXEC_ROOT",
        };

        for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
                if (strlen(exact[i]) == len && memcmp(exact[i], name, len) == 0)
                        return true;
        return false;
}

#define check_record(r, kernel_event, want_fields) check_record_at(r, kernel_event, want_fields, __LINE__)
static void check_record_at(const struct record *r, bool kernel_event, int want_fields, int line)
{
        const char *entry;
        size_t entry_len;
        int n = record_entry(r, &entry, &entry_len) < 0 ? -1 : (int)r->n;

        records_checked++;
        CHECK(n > 0);
        if (want_fields >= 0 && n != want_fields) {
                fprintf(stderr, "FAIL %s:%d: [%s] %d fields, want %d\n", __FILE__, line, case_name, n,
                        want_fields);
                failures++;
        }
        for (int i = 0; i < n; i++) {
                struct record_field f = record_field(r, (unsigned)i);

                if (!journal_field_name_valid(f.name, f.name_len) || !journal_name_ok(f.name, f.name_len) ||
                    f.name_len > 64) {
                        fprintf(stderr, "FAIL %s:%d: [%s] invalid field name \"%.*s\"\n", __FILE__, __LINE__,
                                case_name, (int)f.name_len, f.name);
                        failures++;
                }
                for (int j = 0; j < i; j++) {
                        struct record_field g = record_field(r, (unsigned)j);

                        if (g.name_len == f.name_len && memcmp(g.name, f.name, f.name_len) == 0) {
                                fprintf(stderr, "FAIL %s:%d: [%s] duplicate field %.*s\n", __FILE__,
                                        __LINE__, case_name, (int)f.name_len, f.name);
                                failures++;
                        }
                }
                if ((f.name_len == 7 && memcmp(f.name, "MESSAGE", 7) == 0) ||
                    (f.name_len == 12 && memcmp(f.name, "EXEC_CMDLINE", 12) == 0)) {
                        size_t bad = terminal_unsafe_at(f.value, f.value_len);

                        if (bad < f.value_len) {
                                fprintf(stderr,
                                        "FAIL %s:%d: [%s] %.*s: byte 0x%02x at %zu is not safe on a "
                                        "terminal\n",
                                        __FILE__, line, case_name, (int)f.name_len, f.name,
                                        (unsigned char)f.value[bad], bad);
                                failures++;
                        }
                }
                if (!kernel_event)
                        continue;
                if (exact_bytes_field(f.name, f.name_len))
                        continue;
                for (size_t k = 0; k < f.value_len; k++)
                        if ((unsigned char)f.value[k] < 0x20 || f.value[k] == 0x7f) {
                                fprintf(stderr, "FAIL %s:%d: [%s] raw control byte 0x%02x in %.*s\n",
                                        __FILE__, __LINE__, case_name, (unsigned char)f.value[k],
                                        (int)f.name_len, f.name);
                                failures++;
                                break;
                        }
        }
}

#define REALTIME_OFFSET 1700000000123456789LL
#define CGROUP_ID       4242ull
#define CGROUP_PATH     "/user.slice/user-1000.slice/session-1.scope"

#define CGROUP_DEEP_ID 4343ull /* a path too long for the kernel: its deepest printable ancestor's */
#define CGROUP_GONE_ID 4444ull /* the same, too deep to climb: no path */

static const char *cgroup_cb(void *userdata, uint64_t id, bool *truncated)
{
        (void)userdata;
        *truncated = id == CGROUP_DEEP_ID || id == CGROUP_GONE_ID;
        return id == CGROUP_ID || id == CGROUP_DEEP_ID ? CGROUP_PATH : NULL;
}

static const struct format_ctx ctx = {
        .realtime_offset_ns = REALTIME_OFFSET,
        .cgroup_path = cgroup_cb,
        .userdata = NULL,
};

static const struct ea_proc base_proc = {
        .cgroup_id = CGROUP_ID,
        .pid = 1234,
        .tid = 1235,
        .ppid = 1,
        .uid = 1000,
        .gid = 1001,
        .euid = 0,
        .egid = 0,
        .mntns = 4026531841u,
        .comm = "bash",
};

struct exec_spec {
        uint16_t type;
        struct ea_proc proc;
        int32_t ret;
        uint32_t argc, args_size, flags;
        uint64_t duration_ns, seq, ktime_ns;
        uint32_t generation;
        const char *filename;
        size_t filename_len;
        const char *args;
        size_t args_len;
        uint32_t loginuid, sessionid, pidns, ns_pid, exe_dev;
        uint64_t exe_ino, parent_ktime_ns;
        const char *parent_comm, *tty;
        const char *path[EA_PATH__MAX];
};

static struct exec_spec base_exec(void)
{
        struct exec_spec s = {
                .type = EA_EV_EXEC,
                .proc = base_proc,
                .argc = 3,
                .args_size = 10,
                .duration_ns = 123456,
                .seq = 42,
                .ktime_ns = 5000000123456ull,
                .generation = 7,
                .filename = "/usr/bin/ls",
                .filename_len = 11,
                .args = "ls\0-l\0a b\0",
                .args_len = 10,
                .loginuid = UINT32_MAX,
                .sessionid = UINT32_MAX,
                .parent_comm = "sshd",
        };
        return s;
}

/* Exactly sized heap copy, so ASan catches reads past the event. */
static struct ea_exec *build_exec(const struct exec_spec *s, size_t *size)
{
        size_t n = sizeof(struct ea_exec) + s->filename_len + s->args_len, at = s->filename_len;
        struct ea_exec *ev;

        for (int i = 0; i < EA_PATH__MAX; i++)
                n += s->path[i] ? strlen(s->path[i]) : 0;
        ev = calloc(1, n);
        if (!ev) {
                perror("calloc");
                exit(2);
        }
        ev->hdr.type = s->type;
        ev->hdr.version = EA_LAYOUT_VERSION;
        ev->hdr.size = (uint32_t)n;
        ev->hdr.seq = s->seq;
        ev->hdr.ktime_ns = s->ktime_ns;
        ev->hdr.config_generation = s->generation;
        ev->proc = s->proc;
        ev->ret = s->ret;
        ev->argc = s->argc;
        ev->args_size = s->args_size;
        ev->args_len = (uint32_t)s->args_len;
        ev->filename_len = (uint32_t)s->filename_len;
        ev->flags = s->flags;
        ev->duration_ns = s->duration_ns;
        ev->loginuid = s->loginuid;
        ev->sessionid = s->sessionid;
        ev->pidns = s->pidns;
        ev->ns_pid = s->ns_pid;
        ev->exe_ino = s->exe_ino;
        ev->exe_dev = s->exe_dev;
        ev->parent_exec_ktime_ns = s->parent_ktime_ns;
        if (s->parent_comm)
                memcpy(ev->parent_comm, s->parent_comm, strnlen(s->parent_comm, sizeof(ev->parent_comm)));
        if (s->tty)
                memcpy(ev->tty, s->tty, strnlen(s->tty, sizeof(ev->tty)));
        if (s->filename_len)
                memcpy(ev->data, s->filename, s->filename_len);
        for (int i = 0; i < EA_PATH__MAX; i++) {
                size_t len = s->path[i] ? strlen(s->path[i]) : 0;

                ev->path_len[i] = (uint16_t)len;
                if (len)
                        memcpy(ev->data + at, s->path[i], len);
                at += len;
        }
        if (s->args_len)
                memcpy(ev->data + at, s->args, s->args_len);
        *size = n;
        return ev;
}

/* The exit of image 5000000123456-1234 (the provenance case's EXEC_ID) has been received. */
static bool exited_1234_at_5000000123456(void *userdata, uint32_t pid, uint64_t exec_ktime_ns)
{
        (void)userdata;
        return pid == 1234 && exec_ktime_ns == 5000000123456ULL;
}

static int format_exec_spec(struct record *r, const struct exec_spec *s, const struct format_ctx *c)
{
        size_t n;
        struct ea_exec *ev = build_exec(s, &n);
        int ret = format_event(r, ev, n, c);

        free(ev);
        return ret;
}

static struct ea_exit build_exit(uint32_t exit_code)
{
        struct ea_exit ev;

        memset(&ev, 0, sizeof(ev));
        ev.hdr.type = EA_EV_EXIT;
        ev.hdr.version = EA_LAYOUT_VERSION;
        ev.hdr.size = sizeof(ev);
        ev.hdr.seq = 43;
        ev.hdr.ktime_ns = 5000000123456ull;
        ev.hdr.config_generation = 7;
        ev.proc = base_proc;
        ev.exit_code = exit_code;
        return ev;
}

/* Fields every kernel event has, with base_proc and the common header values. */
static void check_common(const struct record *r, const char *mid, const char *prio, const char *event,
                         const char *seq)
{
        CHECK_FIELD(r, "MESSAGE_ID", mid);
        CHECK_FIELD(r, "PRIORITY", prio);
        CHECK_FIELD(r, "SYSLOG_IDENTIFIER", "execauditd");
        CHECK_FIELD(r, "EXEC_EVENT", event);
        CHECK_FIELD(r, "EXEC_SEQ", seq);
        /* (ktime_ns + realtime_offset_ns) / 1000 */
        CHECK_FIELD(r, "EXEC_TIMESTAMP", "1700005000123580");
        CHECK_FIELD(r, "EXEC_CONFIG_GENERATION", "7");
}

static void check_proc(const struct record *r)
{
        CHECK_FIELD(r, "EXEC_PID", "1234");
        CHECK_FIELD(r, "EXEC_TID", "1235");
        CHECK_FIELD(r, "EXEC_PPID", "1");
        CHECK_FIELD(r, "EXEC_UID", "1000");
        CHECK_FIELD(r, "EXEC_GID", "1001");
        CHECK_FIELD(r, "EXEC_EUID", "0");
        CHECK_FIELD(r, "EXEC_EGID", "0");
        CHECK_FIELD(r, "EXEC_COMM", "bash");
        CHECK_FIELD(r, "EXEC_CGROUP_ID", "4242");
        CHECK_FIELD(r, "EXEC_CGROUP", CGROUP_PATH);
        CHECK_FIELD(r, "EXEC_MNTNS", "4026531841");
}

static void test_exec(struct record *r)
{
        struct exec_spec s = base_exec();
        struct format_ctx noctx = ctx;
        char want[64];

        set_case("exec");
        CHECK_NUM(format_exec_spec(r, &s, &ctx), 0);
        check_common(r, MID_EXEC, "6", "exec", "42");
        CHECK_FIELD(r, "MESSAGE_ID", "441643399730438aac8e2e5265dc875e");
        snprintf(want, sizeof(want), "%llu",
                 (unsigned long long)((int64_t)s.ktime_ns + REALTIME_OFFSET) / 1000ull);
        CHECK_FIELD(r, "EXEC_TIMESTAMP", want);
        check_proc(r);
        CHECK_FIELD(r, "EXEC_FILENAME", "/usr/bin/ls");
        CHECK_FIELD(r, "EXEC_ARGC", "3");
        CHECK_FIELD(r, "EXEC_ARGS_SIZE", "10");
        CHECK_FIELD(r, "EXEC_ARGS_TRUNCATED", "0");
        CHECK_FIELD(r, "EXEC_DURATION_NSEC", "123456");
        CHECK_FIELD(r, "EXEC_CMDLINE", "ls -l 'a b'");
        CHECK_FIELD(r, "MESSAGE", "exec ls -l 'a b' (pid 1234, ppid 1, uid 1000)");
        CHECK_NO_FIELD(r, "EXEC_RET");
        CHECK_NO_FIELD(r, "EXEC_ERRNO");
        CHECK_NO_FIELD(r, "EXEC_FILENAME_TRUNCATED");
        CHECK_NO_FIELD(r, "EXEC_ARGC_IS_MINIMUM");
        CHECK_NO_FIELD(r, "EXEC_EXIT_CODE");
        check_record(r, true, 30);

        set_case("exec, cgroup id unknown to the callback");
        s.proc.cgroup_id = 9999;
        CHECK_NUM(format_exec_spec(r, &s, &ctx), 0);
        CHECK_FIELD(r, "EXEC_CGROUP_ID", "9999");
        CHECK_NO_FIELD(r, "EXEC_CGROUP");
        check_record(r, true, 27);

        set_case("exec, cgroup path cut to an ancestor");
        s.proc.cgroup_id = CGROUP_DEEP_ID;
        CHECK_NUM(format_exec_spec(r, &s, &ctx), 0);
        CHECK_FIELD(r, "EXEC_CGROUP", CGROUP_PATH);
        CHECK_FIELD(r, "EXEC_CGROUP_TRUNCATED", "1");
        CHECK_FIELD(r, "EXEC_UNIT", "session-1.scope");
        check_record(r, true, 31);

        set_case("exec, cgroup too deep to name");
        s.proc.cgroup_id = CGROUP_GONE_ID;
        CHECK_NUM(format_exec_spec(r, &s, &ctx), 0);
        CHECK_NO_FIELD(r, "EXEC_CGROUP");
        CHECK_FIELD(r, "EXEC_CGROUP_TRUNCATED", "1");
        check_record(r, true, 28);

        set_case("exec, no cgroup_path callback");
        s.proc.cgroup_id = CGROUP_ID;
        noctx.cgroup_path = NULL;
        CHECK_NUM(format_exec_spec(r, &s, &noctx), 0);
        CHECK_FIELD(r, "EXEC_CGROUP_ID", "4242");
        CHECK_NO_FIELD(r, "EXEC_CGROUP");
        check_record(r, true, 27);

        set_case("exec, every flag, argv cut inside an argument");
        s = base_exec();
        s.flags = EA_F_ARGS_TRUNCATED | EA_F_FILENAME_TRUNCATED | EA_F_ARGC_FLOOR;
        s.args = "ls\0-l\0partial";
        s.args_len = 13;
        s.argc = 1048576;
        s.args_size = 131072;
        s.proc.uid = 0;
        CHECK_NUM(format_exec_spec(r, &s, &ctx), 0);
        CHECK_FIELD(r, "EXEC_FILENAME_TRUNCATED", "1");
        CHECK_FIELD(r, "EXEC_ARGC_IS_MINIMUM", "1");
        CHECK_FIELD(r, "EXEC_ARGS_TRUNCATED", "1");
        CHECK_FIELD(r, "EXEC_ARGC", "1048576");
        CHECK_FIELD(r, "EXEC_ARGS_SIZE", "131072");
        CHECK_FIELD(r, "EXEC_UID", "0");
        CHECK_FIELD(r, "EXEC_CMDLINE", "ls -l partial");
        CHECK_FIELD(r, "MESSAGE", "exec ls -l partial [argv truncated] (pid 1234, ppid 1, uid 0)");
        check_record(r, true, 32);

        set_case("exec, 32-bit maxima");
        s = base_exec();
        s.proc.pid = s.proc.tid = s.proc.ppid = s.proc.uid = s.proc.gid = s.proc.euid = s.proc.egid =
                s.proc.mntns = UINT32_MAX;
        s.proc.cgroup_id = UINT64_MAX;
        s.seq = UINT64_MAX;
        s.generation = UINT32_MAX;
        s.duration_ns = UINT64_MAX;
        s.argc = s.args_size = UINT32_MAX;
        CHECK_NUM(format_exec_spec(r, &s, &ctx), 0);
        CHECK_FIELD(r, "EXEC_PID", "4294967295");
        CHECK_FIELD(r, "EXEC_UID", "4294967295");
        CHECK_FIELD(r, "EXEC_MNTNS", "4294967295");
        CHECK_FIELD(r, "EXEC_CGROUP_ID", "18446744073709551615");
        CHECK_FIELD(r, "EXEC_SEQ", "18446744073709551615");
        CHECK_FIELD(r, "EXEC_CONFIG_GENERATION", "4294967295");
        CHECK_FIELD(r, "EXEC_DURATION_NSEC", "18446744073709551615");
        CHECK_FIELD(r, "EXEC_ARGC", "4294967295");
        CHECK_FIELD(r, "MESSAGE", "exec ls -l 'a b' (pid 4294967295, ppid 4294967295, uid 4294967295)");
        check_record(r, true, 27);

        set_case("exec, ktime before the realtime epoch gives EXEC_TIMESTAMP=0");
        s = base_exec();
        noctx = ctx;
        noctx.realtime_offset_ns = -10000000000000ll;
        CHECK_NUM(format_exec_spec(r, &s, &noctx), 0);
        CHECK_FIELD(r, "EXEC_TIMESTAMP", "0");
        check_record(r, true, 30);

        set_case("exec, trailing bytes after hdr.size are ignored");
        {
                size_t n;
                struct ea_exec *ev = build_exec(&s, &n);
                char *big = calloc(1, n + 64);

                if (big) {
                        memcpy(big, ev, n);
                        memset(big + n, 'Z', 64);
                        CHECK_NUM(format_event(r, big, n + 64, &ctx), 0);
                        CHECK_FIELD(r, "EXEC_CMDLINE", "ls -l 'a b'");
                        check_record(r, true, 30);
                        free(big);
                }
                free(ev);
        }
}

static void test_exec_hostile(struct record *r)
{
        static const char args[] = "printf\0\nEXEC_UID=0\n\0\x1b[2J\x1b]0;pwned\x07\0MESSAGE=x\0";
        static const char fname[] = "/tmp/x\nEXEC_UID=0\n\x1b[31m";
        struct exec_spec s = base_exec();

        set_case("hostile argv and filename");
        s.args = args;
        s.args_len = sizeof(args) - 1;
        s.argc = 4;
        s.args_size = (uint32_t)s.args_len;
        s.filename = fname;
        s.filename_len = sizeof(fname) - 1;
        CHECK_NUM(format_exec_spec(r, &s, &ctx), 0);
        CHECK_FIELD(r, "EXEC_CMDLINE", "printf $'\\nEXEC_UID=0\\n' $'\\x1b[2J\\x1b]0;pwned\\x07' MESSAGE=x");
        CHECK_FIELD(
                r, "MESSAGE",
                "exec printf $'\\nEXEC_UID=0\\n' $'\\x1b[2J\\x1b]0;pwned\\x07' MESSAGE=x (pid 1234, ppid 1, "
                "uid 1000)");
        CHECK_FIELD_BIN(r, "EXEC_FILENAME", fname, sizeof(fname) - 1);
        CHECK_NUM(count_named(r, "EXEC_UID"), 1);
        CHECK_NUM(count_named(r, "MESSAGE"), 1);
        CHECK_FIELD(r, "EXEC_UID", "1000");
        check_record(r, true, 30);

        set_case("argc 0 with a hostile filename: MESSAGE quotes the filename");
        s.args_len = 0;
        s.argc = 0;
        s.args_size = 0;
        CHECK_NUM(format_exec_spec(r, &s, &ctx), 0);
        CHECK_FIELD(r, "EXEC_CMDLINE", "");
        CHECK_FIELD(r, "MESSAGE", "exec $'/tmp/x\\nEXEC_UID=0\\n\\x1b[31m' (pid 1234, ppid 1, uid 1000)");
        CHECK_NUM(count_named(r, "EXEC_UID"), 1);
        check_record(r, true, 31);

        set_case("16-byte comm without NUL");
        s = base_exec();
        memcpy(s.proc.comm, "0123456789ABCDEF", 16);
        CHECK_NUM(format_exec_spec(r, &s, &ctx), 0);
        CHECK_FIELD_BIN(r, "EXEC_COMM", "0123456789ABCDEF", 16);
        CHECK_FIELD(r, "EXEC_CGROUP_ID", "4242"); /* the next field is intact */
        check_record(r, true, 30);

        set_case("comm with a newline and ESC");
        memset(s.proc.comm, 0, 16);
        memcpy(s.proc.comm, "ev\nil\x1b", 6);
        CHECK_NUM(format_exec_spec(r, &s, &ctx), 0);
        CHECK_FIELD_BIN(r, "EXEC_COMM", "ev\nil\x1b", 6);
        CHECK_NUM(count_named(r, "EXEC_COMM"), 1);
        check_record(r, true, 30);

        set_case("empty comm");
        memset(s.proc.comm, 0, 16);
        CHECK_NUM(format_exec_spec(r, &s, &ctx), 0);
        CHECK_FIELD(r, "EXEC_COMM", "");
        check_record(r, true, 30);
}

static void test_exec_failed(struct record *r)
{
        struct exec_spec s = base_exec();

        set_case("exec_failed ENOENT");
        s.type = EA_EV_EXEC_FAILED;
        s.ret = -2;
        s.filename = "/nonexistent";
        s.filename_len = 12;
        s.args = "/nonexistent\0--flag\0";
        s.args_len = 20;
        s.argc = 2;
        s.args_size = 999; /* not reported for failed execs */
        CHECK_NUM(format_exec_spec(r, &s, &ctx), 0);
        check_common(r, MID_EXEC_FAILED, "5", "exec_failed", "42");
        CHECK_FIELD(r, "MESSAGE_ID", "b9804139f66149e1bd52ff5dcf7bd28c");
        check_proc(r);
        CHECK_FIELD(r, "EXEC_RET", "-2");
        CHECK_FIELD(r, "EXEC_ERRNO", "ENOENT");
        CHECK_FIELD(r, "EXEC_FILENAME", "/nonexistent");
        CHECK_FIELD(r, "EXEC_ARGC", "2");
        CHECK_NO_FIELD(r, "EXEC_ARGS_SIZE");
        CHECK_FIELD(r, "EXEC_ARGS_TRUNCATED", "0");
        CHECK_FIELD(r, "EXEC_DURATION_NSEC", "123456");
        CHECK_FIELD(r, "EXEC_CMDLINE", "/nonexistent --flag");
        CHECK_FIELD(r, "MESSAGE", "exec failed ENOENT: /nonexistent --flag (pid 1234, ppid 1, uid 1000)");
        check_record(r, true, 29);

        set_case("exec_failed with an errno without a name");
        s.ret = -600;
        CHECK_NUM(format_exec_spec(r, &s, &ctx), 0);
        CHECK_FIELD(r, "EXEC_RET", "-600");
        CHECK_FIELD(r, "EXEC_ERRNO", "600");
        CHECK_FIELD(r, "MESSAGE", "exec failed 600: /nonexistent --flag (pid 1234, ppid 1, uid 1000)");
        check_record(r, true, 29);

        set_case("exec_failed EACCES, argc 0");
        s.ret = -EACCES;
        s.filename = "/tmp/my prog";
        s.filename_len = 12;
        s.args_len = 0;
        s.argc = 0;
        CHECK_NUM(format_exec_spec(r, &s, &ctx), 0);
        CHECK_FIELD(r, "EXEC_ERRNO", "EACCES");
        CHECK_FIELD(r, "EXEC_ARGC", "0");
        CHECK_FIELD(r, "EXEC_CMDLINE", "");
        CHECK_FIELD(r, "MESSAGE", "exec failed EACCES: '/tmp/my prog' (pid 1234, ppid 1, uid 1000)");
        check_record(r, true, 30);

        set_case("exec_failed with a kernel-internal errno");
        s.ret = -512;
        CHECK_NUM(format_exec_spec(r, &s, &ctx), 0);
        CHECK_FIELD(r, "EXEC_ERRNO", "ERESTARTSYS");
        check_record(r, true, 30);

        set_case("exec with argc 0: MESSAGE uses the quoted filename");
        s = base_exec();
        s.filename = "/tmp/my prog";
        s.filename_len = 12;
        s.args_len = 0;
        s.argc = 0;
        s.args_size = 0;
        CHECK_NUM(format_exec_spec(r, &s, &ctx), 0);
        CHECK_FIELD(r, "EXEC_ARGC", "0");
        CHECK_FIELD(r, "EXEC_ARGS_SIZE", "0");
        CHECK_FIELD(r, "EXEC_CMDLINE", "");
        CHECK_FIELD(r, "MESSAGE", "exec '/tmp/my prog' (pid 1234, ppid 1, uid 1000)");
        check_record(r, true, 31);

        set_case("exec with an empty filename and no argv");
        s.filename_len = 0;
        CHECK_NUM(format_exec_spec(r, &s, &ctx), 0);
        CHECK_FIELD(r, "EXEC_FILENAME", "");
        CHECK_FIELD(r, "MESSAGE", "exec '' (pid 1234, ppid 1, uid 1000)");
        check_record(r, true, 31);
}

static void test_exec_max_size(struct record *r)
{
        struct exec_spec s = base_exec();
        char *fname = malloc(EA_FILENAME_MAX - 1), *args = malloc(EA_ARGS_MAX), *want = malloc(EA_ARGS_MAX);
        size_t len;
        const char *v;

        set_case("largest exec event");
        if (!fname || !args || !want) {
                CHECK(!"out of memory");
                goto out;
        }
        memset(fname, 'f', EA_FILENAME_MAX - 1);
        fname[0] = '/';
        /* 7168 arguments "abcdefg", NUL-separated: 57344 bytes. */
        for (size_t i = 0; i < EA_ARGS_MAX; i += 8) {
                memcpy(args + i, "abcdefg", 8);
                memcpy(want + i, "abcdefg ", 8);
        }
        s.filename = fname;
        s.filename_len = EA_FILENAME_MAX - 1;
        s.args = args;
        s.args_len = EA_ARGS_MAX;
        s.argc = EA_ARGS_MAX / 8;
        s.args_size = EA_ARGS_MAX;
        CHECK_NUM(format_exec_spec(r, &s, &ctx), 0);
        CHECK_FIELD_BIN(r, "EXEC_FILENAME", fname, EA_FILENAME_MAX - 1);
        CHECK_FIELD_BIN(r, "EXEC_CMDLINE", want, EA_ARGS_MAX - 1);
        v = record_get(r, "MESSAGE", &len);
        CHECK(v && len == 5 + (EA_ARGS_MAX - 1) + strlen(" (pid 1234, ppid 1, uid 1000)"));
        check_record(r, true, 30);
out:
        free(fname);
        free(args);
        free(want);
}

/* What the kernel resolved: paths, login, terminal, namespaces, lineage, unit. */
static void test_exec_context(struct record *r)
{
        struct exec_spec s = base_exec();
        struct ea_exit ev;

        set_case("exec with every context field");
        s.path[EA_PATH_EXE] = "/usr/bin/ls";
        s.path[EA_PATH_CWD] = "/home/a b\nc";
        s.path[EA_PATH_PARENT_EXE] = "/usr/bin/bash";
        s.loginuid = 1000;
        s.sessionid = 4;
        s.tty = "pts3";
        s.pidns = 4026532500u;
        s.ns_pid = 7;
        s.parent_ktime_ns = 999;
        CHECK_NUM(format_exec_spec(r, &s, &ctx), 0);
        CHECK_FIELD(r, "EXEC_EXE", "/usr/bin/ls");
        CHECK_FIELD(r, "EXEC_CWD", "/home/a b\nc");
        CHECK_FIELD(r, "EXEC_PARENT_EXE", "/usr/bin/bash");
        CHECK_FIELD(r, "EXEC_PARENT_COMM", "sshd");
        CHECK_FIELD(r, "EXEC_PARENT_ID", "999-1");
        CHECK_FIELD(r, "EXEC_ID", "5000000123456-1234");
        CHECK_FIELD(r, "OBJECT_PID", "1234");
        CHECK_FIELD(r, "EXEC_LOGINUID", "1000");
        CHECK_FIELD(r, "EXEC_SESSIONID", "4");
        CHECK_FIELD(r, "EXEC_TTY", "pts/3");
        CHECK_FIELD(r, "EXEC_PIDNS", "4026532500");
        CHECK_FIELD(r, "EXEC_NS_PID", "7");
        CHECK_FIELD(r, "EXEC_UNIT", "session-1.scope");
        CHECK_FIELD(r, "EXEC_SLICE", "user-1000.slice");
        CHECK_NO_FIELD(r, "EXEC_INTERPRETER");
        CHECK_NO_FIELD(r, "EXEC_FILELESS");
        CHECK_NO_FIELD(r, "EXEC_EXE_INODE");
        CHECK_NO_FIELD(r, "EXEC_CONTAINER_ID");
        CHECK_NO_FIELD(r, "EXEC_ARGV0_MISSING");
        CHECK_NO_FIELD(r, "EXEC_ROOT");
        CHECK_FIELD(r, "EXEC_CMDLINE", "ls -l 'a b'");
        check_record(r, true, 39);

        set_case("exec in a chroot: its root directory, cut and removed");
        {
                struct exec_spec c = s;

                c.path[EA_PATH_ROOT] = "/srv/jail";
                c.flags |= EA_F_PATH_TRUNCATED << EA_PATH_ROOT | EA_F_PATH_DELETED << EA_PATH_ROOT;
                CHECK_NUM(format_exec_spec(r, &c, &ctx), 0);
                CHECK_FIELD(r, "EXEC_ROOT", "/srv/jail");
                CHECK_FIELD(r, "EXEC_ROOT_TRUNCATED", "1");
                CHECK_FIELD(r, "EXEC_ROOT_DELETED", "1");
                CHECK_FIELD(r, "EXEC_EXE", "/usr/bin/ls");
                CHECK_NO_FIELD(r, "EXEC_CWD_TRUNCATED");
                CHECK_NO_FIELD(r, "EXEC_CWD_DELETED");
                check_record(r, true, 42);
        }

        set_case("the process is known to be gone: no OBJECT_PID, everything else as before");
        {
                struct format_ctx gone = ctx;

                gone.exited = exited_1234_at_5000000123456;
                CHECK_NUM(format_exec_spec(r, &s, &gone), 0);
                CHECK_NO_FIELD(r, "OBJECT_PID");
                CHECK_FIELD(r, "EXEC_PID", "1234");
                CHECK_FIELD(r, "EXEC_ID", "5000000123456-1234");
                check_record(r, true, 38);
        }

        set_case("a tty that is not a pts keeps its kernel name");
        s.tty = "ttyS0";
        CHECK_NUM(format_exec_spec(r, &s, &ctx), 0);
        CHECK_FIELD(r, "EXEC_TTY", "ttyS0");

        set_case("a tty name that fills its 32 bytes, without a NUL");
        s.tty = "pts12345678901234567890123456789";
        CHECK_NUM(format_exec_spec(r, &s, &ctx), 0);
        CHECK_FIELD(r, "EXEC_TTY", "pts/12345678901234567890123456789");

        set_case("fileless executable");
        s = base_exec();
        s.path[EA_PATH_EXE] = "/memfd:x";
        s.flags = EA_F_FILELESS;
        s.exe_ino = 77;
        s.exe_dev = (8u << 20) | 3;
        CHECK_NUM(format_exec_spec(r, &s, &ctx), 0);
        CHECK_FIELD(r, "EXEC_EXE", "/memfd:x (deleted)");
        CHECK_FIELD(r, "EXEC_FILELESS", "1");
        CHECK_FIELD(r, "EXEC_EXE_INODE", "77");
        CHECK_FIELD(r, "EXEC_EXE_DEV", "8:3");

        set_case("script by a relative name: made absolute with the cwd");
        s = base_exec();
        s.flags = EA_F_SCRIPT;
        s.path[EA_PATH_EXE] = "./run.sh";
        s.path[EA_PATH_INTERP] = "/usr/bin/dash";
        s.path[EA_PATH_CWD] = "/srv";
        CHECK_NUM(format_exec_spec(r, &s, &ctx), 0);
        CHECK_FIELD(r, "EXEC_EXE", "/srv/run.sh");
        CHECK_FIELD(r, "EXEC_INTERPRETER", "/usr/bin/dash");

        set_case("script by an absolute name, cwd /");
        s.path[EA_PATH_EXE] = "/opt/x/run.sh";
        s.path[EA_PATH_CWD] = "/";
        CHECK_NUM(format_exec_spec(r, &s, &ctx), 0);
        CHECK_FIELD(r, "EXEC_EXE", "/opt/x/run.sh");
        s.path[EA_PATH_EXE] = "bin/run.sh";
        CHECK_NUM(format_exec_spec(r, &s, &ctx), 0);
        CHECK_FIELD(r, "EXEC_EXE", "/bin/run.sh");

        set_case("a path too long to resolve says so");
        s = base_exec();
        s.path[EA_PATH_CWD] = "/deep/er";
        s.flags = EA_F_PATH_TRUNCATED << EA_PATH_CWD;
        CHECK_NUM(format_exec_spec(r, &s, &ctx), 0);
        CHECK_FIELD(r, "EXEC_CWD_TRUNCATED", "1");
        CHECK_NO_FIELD(r, "EXEC_EXE_TRUNCATED");

        set_case("a script's relative name after a truncated cwd is truncated too");
        s.flags |= EA_F_SCRIPT;
        s.path[EA_PATH_EXE] = "run.sh";
        CHECK_NUM(format_exec_spec(r, &s, &ctx), 0);
        CHECK_FIELD(r, "EXEC_EXE", "/deep/er/run.sh");
        CHECK_FIELD(r, "EXEC_EXE_TRUNCATED", "1");

        set_case("argc 0");
        s = base_exec();
        s.argc = 0;
        s.args_len = 0;
        CHECK_NUM(format_exec_spec(r, &s, &ctx), 0);
        CHECK_FIELD(r, "EXEC_ARGC", "0");
        CHECK_FIELD(r, "EXEC_ARGV0_MISSING", "1");

        set_case("paths longer than the event are malformed");
        {
                size_t n;
                struct ea_exec *e;

                s = base_exec();
                s.path[EA_PATH_CWD] = "/x";
                e = build_exec(&s, &n);
                e->path_len[EA_PATH_CWD] = 60000;
                CHECK_NUM(format_event(r, e, n, &ctx), -EBADMSG);
                free(e);
        }

        set_case("exit with its exec: id, lifetime, CPU split like getrusage");
        ev = build_exit(0);
        ev.exec_ktime_ns = ev.hdr.ktime_ns - 2500000;
        ev.utime_ns = 3;
        ev.stime_ns = 1;
        ev.runtime_ns = 4000000;
        ev.maxrss_pages = 10;
        CHECK_NUM(format_event(r, &ev, sizeof(ev), &ctx), 0);
        CHECK_FIELD(r, "EXEC_ID", "4999997623456-1234");
        CHECK_FIELD(r, "EXEC_LIFETIME_USEC", "2500");
        CHECK_FIELD(r, "EXEC_CPU_USER_USEC", "3000");
        CHECK_FIELD(r, "EXEC_CPU_SYSTEM_USEC", "1000");
        set_case("exit: no tick sampled: all of it is user time");
        ev.utime_ns = ev.stime_ns = 0;
        CHECK_NUM(format_event(r, &ev, sizeof(ev), &ctx), 0);
        CHECK_FIELD(r, "EXEC_CPU_USER_USEC", "4000");
        CHECK_FIELD(r, "EXEC_CPU_SYSTEM_USEC", "0");
}

static void test_exit(struct record *r)
{
        struct ea_exit ev;

        set_case("exit code 7");
        ev = build_exit(7u << 8);
        CHECK_NUM(format_event(r, &ev, sizeof(ev), &ctx), 0);
        check_common(r, MID_EXIT, "6", "exit", "43");
        CHECK_FIELD(r, "MESSAGE_ID", "ba009f3febd74a4fb3025f71988dbb5c");
        check_proc(r);
        CHECK_FIELD(r, "EXEC_EXIT_CODE", "7");
        CHECK_NO_FIELD(r, "EXEC_EXIT_SIGNAL");
        CHECK_NO_FIELD(r, "EXEC_CORE_DUMPED");
        CHECK_NO_FIELD(r, "EXEC_FILENAME");
        CHECK_NO_FIELD(r, "EXEC_CMDLINE");
        CHECK_FIELD(r, "MESSAGE", "exit bash (pid 1234, code 7)");
        check_record(r, true, 23);

        set_case("exit code 0 and 255");
        ev = build_exit(0);
        CHECK_NUM(format_event(r, &ev, sizeof(ev), &ctx), 0);
        CHECK_FIELD(r, "EXEC_EXIT_CODE", "0");
        CHECK_FIELD(r, "MESSAGE", "exit bash (pid 1234, code 0)");
        check_record(r, true, 23);
        ev = build_exit(0xff00);
        CHECK_NUM(format_event(r, &ev, sizeof(ev), &ctx), 0);
        CHECK_FIELD(r, "EXEC_EXIT_CODE", "255");
        check_record(r, true, 23);

        set_case("killed by SIGKILL");
        ev = build_exit(9);
        CHECK_NUM(format_event(r, &ev, sizeof(ev), &ctx), 0);
        CHECK_FIELD(r, "EXEC_EXIT_SIGNAL", "SIGKILL");
        CHECK_NO_FIELD(r, "EXEC_EXIT_CODE");
        CHECK_NO_FIELD(r, "EXEC_CORE_DUMPED");
        CHECK_FIELD(r, "MESSAGE", "exit bash (pid 1234, signal SIGKILL)");
        check_record(r, true, 23);

        set_case("SIGSEGV with a core dump");
        ev = build_exit(0x80 | 11);
        CHECK_NUM(format_event(r, &ev, sizeof(ev), &ctx), 0);
        CHECK_FIELD(r, "EXEC_EXIT_SIGNAL", "SIGSEGV");
        CHECK_FIELD(r, "EXEC_CORE_DUMPED", "1");
        CHECK_NO_FIELD(r, "EXEC_EXIT_CODE");
        CHECK_FIELD(r, "MESSAGE", "exit bash (pid 1234, signal SIGSEGV, core dumped)");
        check_record(r, true, 24);

        set_case("realtime signal");
        ev = build_exit(35);
        CHECK_NUM(format_event(r, &ev, sizeof(ev), &ctx), 0);
        CHECK_FIELD(r, "EXEC_EXIT_SIGNAL", "SIGRTMIN+1");
        check_record(r, true, 23);

        set_case("exit of a process with a hostile comm");
        ev = build_exit(1u << 8);
        memset(ev.proc.comm, 0, 16);
        memcpy(ev.proc.comm, "ev\nil\x1b", 6);
        CHECK_NUM(format_event(r, &ev, sizeof(ev), &ctx), 0);
        CHECK_FIELD_BIN(r, "EXEC_COMM", "ev\nil\x1b", 6);
        CHECK_FIELD(r, "MESSAGE", "exit $'ev\\nil\\x1b' (pid 1234, code 1)");
        check_record(r, true, 23);

        set_case("exit of a process with a 16-byte comm");
        memcpy(ev.proc.comm, "0123456789ABCDEF", 16);
        CHECK_NUM(format_event(r, &ev, sizeof(ev), &ctx), 0);
        CHECK_FIELD_BIN(r, "EXEC_COMM", "0123456789ABCDEF", 16);
        CHECK_FIELD(r, "MESSAGE", "exit 0123456789ABCDEF (pid 1234, code 1)");
        check_record(r, true, 23);
}

static void test_daemon_records(struct record *r)
{
        const struct daemon_info d = {.seq = 99, .generation = 3, .realtime_usec = 1700000000000001ull};
        const char *sha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

        set_case("format_lost");
        CHECK_NUM(format_lost(r, &d, LOST_PERF_BUFFER, 12), 0);
        CHECK_FIELD(r, "MESSAGE_ID", "7b9de65e23124b8f822daf9df75f11a6");
        CHECK_FIELD(r, "PRIORITY", "4");
        CHECK_FIELD(r, "SYSLOG_IDENTIFIER", "execauditd");
        CHECK_FIELD(r, "EXEC_EVENT", "lost");
        CHECK_FIELD(r, "EXEC_SEQ", "99");
        CHECK_FIELD(r, "EXEC_TIMESTAMP", "1700000000000001");
        CHECK_FIELD(r, "EXEC_CONFIG_GENERATION", "3");
        CHECK_FIELD(r, "EXEC_LOST", "12");
        CHECK_FIELD(r, "EXEC_LOST_REASON", "perf_buffer");
        CHECK_FIELD(r, "MESSAGE", "lost 12 events (perf_buffer)");
        check_record(r, false, 10);

        set_case("format_lost, large count");
        set_case("lost, no reader between two daemons");
        CHECK_NUM(format_lost_range(r, &d, LOST_NO_READER, 17, 11, 27, 1700000000000000ull,
                                    1700000000500000ull),
                  0);
        CHECK_FIELD(r, "EXEC_LOST", "17");
        CHECK_FIELD(r, "EXEC_LOST_REASON", "no_reader");
        CHECK_FIELD(r, "EXEC_LOST_SEQ_FIRST", "11");
        CHECK_FIELD(r, "EXEC_LOST_SEQ_LAST", "27");
        CHECK_FIELD(r, "EXEC_LOST_SINCE", "1700000000000000");
        CHECK_FIELD(r, "EXEC_LOST_UNTIL", "1700000000500000");
        CHECK_FIELD(r, "MESSAGE", "lost 17 events (no_reader), sequence numbers 11-27");
        check_record(r, false, 14);
        set_case("lost, no reader, of replaced programs: no range");
        CHECK_NUM(
                format_lost_range(r, &d, LOST_NO_READER, 4, 0, 0, 1700000000000000ull, 1700000000500000ull),
                0);
        CHECK_NO_FIELD(r, "EXEC_LOST_SEQ_FIRST");
        CHECK_NO_FIELD(r, "EXEC_LOST_SEQ_LAST");
        CHECK_FIELD(r, "MESSAGE", "lost 4 events (no_reader) of programs that were replaced");
        set_case("lost, no reader, last daemon's time unknown");
        CHECK_NUM(format_lost_range(r, &d, LOST_NO_READER, 1, 5, 5, 0, 1700000000500000ull), 0);
        CHECK_NO_FIELD(r, "EXEC_LOST_SINCE");
        check_record(r, false, 13);
        CHECK_NUM(format_lost(r, &d, LOST_JOURNALD_UNAVAILABLE, UINT64_MAX), 0);
        CHECK_FIELD(r, "EXEC_LOST", "18446744073709551615");
        CHECK_FIELD(r, "EXEC_LOST_REASON", "journald_unavailable");
        CHECK_FIELD(r, "MESSAGE", "lost 18446744073709551615 events (journald_unavailable)");
        check_record(r, false, 10);

        set_case("format_lifecycle started");
        CHECK_NUM(format_lifecycle(r, &d, "started", "/etc/execauditd.conf", sha, NULL), 0);
        CHECK_FIELD(r, "MESSAGE_ID", "acc7094db4cf4d1e859bc25f6adc51b4");
        CHECK_FIELD(r, "PRIORITY", "6");
        CHECK_FIELD(r, "SYSLOG_IDENTIFIER", "execauditd");
        CHECK_FIELD(r, "EXEC_EVENT", "started");
        CHECK_FIELD(r, "EXEC_SEQ", "99");
        CHECK_FIELD(r, "EXEC_TIMESTAMP", "1700000000000001");
        CHECK_FIELD(r, "EXEC_CONFIG_GENERATION", "3");
        CHECK_FIELD(r, "EXEC_VERSION", EA_VERSION);
        CHECK_FIELD(r, "EXEC_CONFIG_FILE", "/etc/execauditd.conf");
        CHECK_FIELD(r, "EXEC_CONFIG_SHA256", sha);
        CHECK_FIELD(r, "MESSAGE",
                    "execauditd " EA_VERSION " started (config /etc/execauditd.conf, sha256 0123456789ab)");
        check_record(r, false, 11);

        set_case("format_lifecycle reloaded with detail");
        CHECK_NUM(format_lifecycle(r, &d, "reloaded", "/etc/execauditd.conf", sha, "MaxArgsBytes changed"),
                  0);
        CHECK_FIELD(r, "PRIORITY", "6");
        CHECK_FIELD(r, "EXEC_EVENT", "reloaded");
        CHECK_FIELD(r, "MESSAGE",
                    "execauditd " EA_VERSION
                    " reloaded (config /etc/execauditd.conf, sha256 0123456789ab): MaxArgsBytes changed");
        check_record(r, false, 11);

        set_case("format_lifecycle stopping, empty detail");
        CHECK_NUM(format_lifecycle(r, &d, "stopping", "/etc/execauditd.conf", sha, ""), 0);
        CHECK_FIELD(r, "PRIORITY", "5");
        CHECK_FIELD(r, "EXEC_EVENT", "stopping");
        CHECK_FIELD(r, "MESSAGE",
                    "execauditd " EA_VERSION " stopping (config /etc/execauditd.conf, sha256 0123456789ab)");
        check_record(r, false, 11);

        /* Paths from the command line, the config or the pin directory may hold any byte. */
        set_case("format_lifecycle, control bytes in the paths");
        CHECK_NUM(
                format_lifecycle(r, &d, "started", "/etc/e\x1b[2J.conf", sha, "pinned in /sys/fs/bpf/a\nb"),
                0);
        CHECK_FIELD(r, "EXEC_CONFIG_FILE", "/etc/e\x1b[2J.conf");
        CHECK_FIELD(r, "MESSAGE",
                    "execauditd " EA_VERSION " started (config /etc/e\\x1b[2J.conf, sha256 0123456789ab): "
                    "pinned in /sys/fs/bpf/a\\x0ab");
        check_record(r, false, 11);

        set_case("format_filter_changed, a control byte in the pin path");
        CHECK_NUM(format_filter_changed(r, &d, "/sys/fs/bpf/\r"), 0);
        CHECK_FIELD(r, "EXEC_EVENT", "filter_changed");
        CHECK_FIELD(r, "MESSAGE",
                    "the filter in force (maps pinned in /sys/fs/bpf/\\x0d) was changed outside execauditd; "
                    "the change applies until the next reload");
        check_record(r, false, 8);

        set_case("format_config_rejected with line and key");
        CHECK_NUM(
                format_config_rejected(r, &d,
                                       &(struct config_error){"/etc/execauditd.conf", 5, "Capture", "Exits",
                                                              "expected yes or no, got \"maybe\""}),
                0);
        CHECK_FIELD(r, "MESSAGE_ID", "743c13a091d94b73b3c798ad6d450c46");
        CHECK_FIELD(r, "PRIORITY", "3");
        CHECK_FIELD(r, "SYSLOG_IDENTIFIER", "execauditd");
        CHECK_FIELD(r, "EXEC_EVENT", "config_rejected");
        CHECK_FIELD(r, "EXEC_SEQ", "99");
        CHECK_FIELD(r, "EXEC_TIMESTAMP", "1700000000000001");
        CHECK_FIELD(r, "EXEC_CONFIG_GENERATION", "3");
        CHECK_FIELD(r, "EXEC_CONFIG_FILE", "/etc/execauditd.conf");
        CHECK_FIELD(r, "EXEC_CONFIG_LINE", "5");
        CHECK_FIELD(r, "EXEC_CONFIG_SECTION", "Capture");
        CHECK_FIELD(r, "EXEC_CONFIG_KEY", "Exits");
        CHECK_FIELD(r, "EXEC_CONFIG_ERROR", "expected yes or no, got \"maybe\"");
        CHECK_FIELD(r, "MESSAGE",
                    "config rejected: /etc/execauditd.conf:5: [Capture] Exits=: expected yes or no, got "
                    "\"maybe\"");
        check_record(r, false, 13);

        set_case("format_config_rejected without key");
        CHECK_NUM(format_config_rejected(r, &d,
                                         &(struct config_error){"/etc/execauditd.conf", 2, "", "",
                                                                "cannot parse this line"}),
                  0);
        CHECK_FIELD(r, "EXEC_CONFIG_LINE", "2");
        CHECK_NO_FIELD(r, "EXEC_CONFIG_SECTION");
        CHECK_NO_FIELD(r, "EXEC_CONFIG_KEY");
        CHECK_FIELD(r, "EXEC_CONFIG_ERROR", "cannot parse this line");
        CHECK_FIELD(r, "MESSAGE", "config rejected: /etc/execauditd.conf:2: cannot parse this line");
        check_record(r, false, 11);

        set_case("format_config_rejected, a key without a section");
        CHECK_NUM(format_config_rejected(r, &d,
                                         &(struct config_error){"/etc/execauditd.conf", 2, "", "K", "x"}),
                  0);
        CHECK_NO_FIELD(r, "EXEC_CONFIG_SECTION");
        CHECK_NO_FIELD(r, "EXEC_CONFIG_KEY");
        CHECK_FIELD(r, "MESSAGE", "config rejected: /etc/execauditd.conf:2: K=: x");
        check_record(r, false, 11);

        /* A config file may hold any byte; MESSAGE is shown on terminals, the EXEC_CONFIG_* fields are
         * exact. */
        set_case("format_config_rejected, control bytes and invalid UTF-8 from the file");
        CHECK_NUM(format_config_rejected(r, &d,
                                         &(struct config_error){"/etc/x\n.conf", 3, "F\x1b[2J", "K\r",
                                                                "unknown user \"caf\xc3\xa9\xff\x7f\\\""}),
                  0);
        CHECK_FIELD(r, "EXEC_CONFIG_FILE", "/etc/x\n.conf");
        CHECK_FIELD(r, "EXEC_CONFIG_SECTION", "F\x1b[2J");
        CHECK_FIELD(r, "EXEC_CONFIG_KEY", "K\r");
        CHECK_FIELD(r, "EXEC_CONFIG_ERROR", "unknown user \"caf\xc3\xa9\xff\x7f\\\"");
        CHECK_FIELD(r, "MESSAGE",
                    "config rejected: /etc/x\\x0a.conf:3: [F\\x1b[2J] K\\x0d=: unknown user "
                    "\"caf\xc3\xa9\\xff\\x7f\\\"");
        check_record(r, false, 13);

        set_case("format_config_rejected, line 0");
        CHECK_NUM(format_config_rejected(r, &d,
                                         &(struct config_error){"/etc/execauditd.conf", 0, "", "",
                                                                "cannot open: No such file or directory"}),
                  0);
        CHECK_NO_FIELD(r, "EXEC_CONFIG_LINE");
        CHECK_FIELD(r, "EXEC_CONFIG_ERROR", "cannot open: No such file or directory");
        check_record(r, false, 10);
}

/*
 * config.h: config_error_format() gives "the form used on stderr and in the journal's MESSAGE". The
 * daemon's MESSAGE should then be "config rejected: " followed by exactly that line.
 */
static void check_rejected_matches(struct record *r, const struct config_error *err, bool known_bug)
{
        const struct daemon_info d = {.seq = 1, .generation = 1, .realtime_usec = 1};
        struct strbuf want = STRBUF_INIT;
        const char *v;
        size_t len;

        if (strbuf_puts(&want, "config rejected: ") < 0 || config_error_format(err, &want) < 0) {
                CHECK(!"out of memory");
                goto out;
        }
        CHECK_NUM(format_config_rejected(r, &d, err), 0);
        v = record_get(r, "MESSAGE", &len);
        CHECK(v != NULL);
        if (v && (len != want.len || memcmp(v, want.buf, len) != 0)) {
                fprintf(stderr,
                        "FAIL %s:%d: [%s] %sMESSAGE \"%.*s\" differs from config_error_format \"%s\"\n",
                        __FILE__, __LINE__, case_name,
                        known_bug ? "regression, line 0 printed as \":0:\": " : "", (int)len, v, want.buf);
                failures++;
        }
        check_record(r, false, -1);
out:
        strbuf_free(&want);
}

static void test_config_rejected_matches_error_format(struct record *r)
{
        struct ea_config cfg;
        struct config_error err;
        char missing[128];

        set_case("config_rejected MESSAGE for a rejected key");
        CHECK(config_parse_string("[Capture]\nExits=maybe\n", "/etc/e.conf", &cfg, &err) < 0);
        check_rejected_matches(r, &err, false);

        set_case("config_rejected MESSAGE for a syntax error");
        CHECK(config_parse_string("[Capture]\nExits\n", "/etc/e.conf", &cfg, &err) < 0);
        check_rejected_matches(r, &err, false);

        set_case("config_rejected MESSAGE for an unreadable file (line 0)");
        snprintf(missing, sizeof(missing), "/tmp/ea-unit-format-missing-%ld.conf", (long)getpid());
        CHECK(config_load(missing, &cfg, &err) < 0);
        CHECK_NUM(err.line, 0);
        check_rejected_matches(r, &err, true);
}

/*
 * Runs fn in a child so that a crash, a sanitizer report or undefined behaviour under UBSan's
 * halt_on_error is reported as a failure of this case and the remaining cases still run.
 */
static void run_in_child(const char *what, void (*fn)(void *), void *arg)
{
        int status;
        pid_t pid;

        fflush(stdout);
        fflush(stderr);
        pid = fork();
        if (pid < 0) {
                perror("fork");
                failures++;
                return;
        }
        if (pid == 0) {
                failures = 0;
                fn(arg);
                fflush(stderr);
                _exit(failures ? 1 : 0);
        }
        if (waitpid(pid, &status, 0) < 0) {
                perror("waitpid");
                failures++;
                return;
        }
        if (WIFSIGNALED(status)) {
                fprintf(stderr, "FAIL %s:%d: [%s] child killed by signal %d\n", __FILE__, __LINE__, what,
                        WTERMSIG(status));
                failures++;
        } else if (WEXITSTATUS(status) != 0) {
                fprintf(stderr, "FAIL %s:%d: [%s] child exited with status %d\n", __FILE__, __LINE__, what,
                        WEXITSTATUS(status));
                failures++;
        }
}

struct guarded {
        const void *data;
        size_t size;   /* bytes placed before the guard page */
        size_t passed; /* size given to format_event */
};

/*
 * Runs in the child. The event is formatted twice: from an exactly sized heap copy (ASan reports a read
 * of even one byte past it) and from a copy that ends at most 7 bytes before a PROT_NONE page (a read
 * past it crashes without ASan too). Both copies are 8-byte aligned, like the daemon's queue items.
 */
static void format_guarded(void *arg)
{
        const struct guarded *g = arg;
        long page = sysconf(_SC_PAGESIZE);
        size_t map = 2 * (size_t)page, padded = (g->size + 7) & ~(size_t)7;
        char *base = mmap(NULL, map, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        char *heap = malloc(g->size ? g->size : 1);
        const char *copies[2];
        struct record r;
        int ret;

        if (base == MAP_FAILED || !heap || padded > (size_t)page ||
            mprotect(base + page, (size_t)page, PROT_NONE) < 0) {
                perror("mmap");
                _exit(3);
        }
        copies[0] = heap;
        copies[1] = base + page - padded;
        record_init(&r);
        for (size_t i = 0; i < 2; i++) {
                memcpy((char *)copies[i], g->data, g->size);
                ret = format_event(&r, copies[i], g->passed, &ctx);
                if (ret != -EBADMSG) {
                        fprintf(stderr, "FAIL %s:%d: [%s] format_event returned %d, want -EBADMSG\n",
                                __FILE__, __LINE__, case_name, ret);
                        failures++;
                }
        }
        record_free(&r);
        free(heap);
}

static void expect_badmsg(const char *what, const void *data, size_t size, size_t passed)
{
        struct guarded g = {.data = data, .size = size, .passed = passed};

        set_case("%s", what);
        run_in_child(what, format_guarded, &g);
}

static void test_malformed(void)
{
        struct exec_spec s = base_exec();
        size_t n;
        struct ea_exec *ev = build_exec(&s, &n), *bad = malloc(n);
        struct ea_exit ex = build_exit(0);
        uint32_t rest = (uint32_t)(n - sizeof(struct ea_exec));

        if (!bad) {
                CHECK(!"out of memory");
                free(ev);
                return;
        }
        expect_badmsg("empty buffer", ev, 0, 0);
        expect_badmsg("16 bytes, smaller than the header", ev, 16, 16);
        expect_badmsg("31 bytes, one short of the header", ev, 31, 31);
        expect_badmsg("hdr.size larger than the buffer", ev, n - 1, n - 1);

        memcpy(bad, ev, n);
        bad->hdr.size = sizeof(struct ea_header);
        expect_badmsg("exec of header size only", bad, sizeof(struct ea_header), sizeof(struct ea_header));
        bad->hdr.size = sizeof(struct ea_exec) - 1;
        expect_badmsg("exec one byte short of its fixed part", bad, sizeof(struct ea_exec) - 1,
                      sizeof(struct ea_exec) - 1);

        memcpy(bad, ev, n);
        bad->filename_len = rest + 1;
        expect_badmsg("filename_len past the end", bad, n, n);
        bad->filename_len = UINT32_MAX;
        expect_badmsg("filename_len UINT32_MAX", bad, n, n);
        memcpy(bad, ev, n);
        bad->args_len = rest - bad->filename_len + 1;
        expect_badmsg("args_len past the end", bad, n, n);
        bad->args_len = UINT32_MAX;
        expect_badmsg("args_len UINT32_MAX", bad, n, n);
        bad->filename_len = UINT32_MAX;
        bad->args_len = 2;
        expect_badmsg("filename_len + args_len wrapping around", bad, n, n);
        memcpy(bad, ev, n);
        bad->hdr.size = (uint32_t)n - 1;
        expect_badmsg("hdr.size one byte short of filename + argv", bad, n, n);

        static const uint16_t types[] = {0, 4, 0x100, 0xffff};
        for (size_t i = 0; i < ELEMENTSOF(types); i++) {
                char what[64];

                memcpy(bad, ev, n);
                bad->hdr.type = types[i];
                snprintf(what, sizeof(what), "unknown type %u", types[i]);
                expect_badmsg(what, bad, n, n);
        }
        static const uint16_t versions[] = {0, EA_LAYOUT_VERSION + 1, 0xffff};
        for (size_t i = 0; i < ELEMENTSOF(versions); i++) {
                char what[64];

                memcpy(bad, ev, n);
                bad->hdr.version = versions[i];
                snprintf(what, sizeof(what), "exec with version %u", versions[i]);
                expect_badmsg(what, bad, n, n);
                ex.hdr.version = versions[i];
                snprintf(what, sizeof(what), "exit with version %u", versions[i]);
                expect_badmsg(what, &ex, sizeof(ex), sizeof(ex));
                ex.hdr.version = EA_LAYOUT_VERSION;
        }
        ex.hdr.size = sizeof(ex) + 1;
        expect_badmsg("exit with hdr.size larger than the buffer", &ex, sizeof(ex), sizeof(ex));
        ex.hdr.size = sizeof(ex) - 1;
        expect_badmsg("exit one byte short (exit_code inside)", &ex, sizeof(ex) - 1, sizeof(ex) - 1);

        free(bad);
        free(ev);
}

/*
 * Regression: format_exit() once read ev->exit_code (and computes the signal name) before checking that the
 * event is large enough to hold it, so a short exit event makes it read past the received bytes.
 */
static void test_short_exit_overread(void)
{
        struct ea_exit ex = build_exit(0);

        ex.hdr.size = sizeof(struct ea_header);
        expect_badmsg("exit event of header size only (format_exit reads exit_code before the size check)",
                      &ex, sizeof(struct ea_header), sizeof(struct ea_header));
        ex.hdr.size = offsetof(struct ea_exit, exit_code);
        expect_badmsg("exit event ending right before exit_code", &ex, offsetof(struct ea_exit, exit_code),
                      offsetof(struct ea_exit, exit_code));
}

/* Regression: -ev->ret overflowed int for INT_MIN (errno_name itself negates safely, format.c does not). */
static void ret_int_min(void *arg)
{
        struct record r;
        struct exec_spec s = base_exec();

        (void)arg;
        record_init(&r);
        s.type = EA_EV_EXEC_FAILED;
        s.ret = INT32_MIN;
        CHECK_NUM(format_exec_spec(&r, &s, &ctx), 0);
        CHECK_FIELD(&r, "EXEC_RET", "-2147483648");
        CHECK_FIELD(&r, "EXEC_ERRNO", "2147483648");
        CHECK_FIELD(&r, "MESSAGE", "exec failed 2147483648: ls -l 'a b' (pid 1234, ppid 1, uid 1000)");
        record_free(&r);
}

/* Regression: (int64_t)ktime_ns + realtime_offset_ns was a signed overflow for a ktime_ns near INT64_MAX. */
static void ktime_overflow(void *arg)
{
        struct record r;
        struct exec_spec s = base_exec();
        struct format_ctx c = ctx;

        (void)arg;
        record_init(&r);
        s.ktime_ns = (uint64_t)INT64_MAX - 5;
        c.realtime_offset_ns = 1700000000000000000ll;
        CHECK_NUM(format_exec_spec(&r, &s, &c), 0);
        CHECK_FIELD(&r, "EXEC_TIMESTAMP", "10923372036854775");
        record_free(&r);
}

int main(void)
{
        struct record r;

        record_init(&r);
        test_exec(&r);
        test_exec_hostile(&r);
        test_exec_failed(&r);
        test_exec_max_size(&r);
        test_exec_context(&r);
        test_exit(&r);
        test_daemon_records(&r);
        test_malformed();
        set_case("record count");
        CHECK(records_checked >= 30);

        /* Regression tests for defects found while writing this test. */
        set_case("regression: config_rejected MESSAGE");
        test_config_rejected_matches_error_format(&r);
        test_short_exit_overread();
        set_case("regression: EXEC_ERRNO for ret INT_MIN (signed overflow in -ev->ret)");
        run_in_child(case_name, ret_int_min, NULL);
        set_case("regression: EXEC_TIMESTAMP for ktime_ns near INT64_MAX (signed overflow)");
        run_in_child(case_name, ktime_overflow, NULL);
        record_free(&r);

        return check_summary("test-format");
}

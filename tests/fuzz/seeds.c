// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Writes the fuzz targets' seeds into DIR/config, DIR/event and DIR/quote. The event seeds are built from
 * execaudit.h at build time, so they stay well-formed when the layout changes; a fuzzer starting from them
 * reaches the formatting code instead of the size checks.
 */
#include "execaudit.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *dir;

static int put(const char *sub, const char *name, const void *data, size_t len)
{
        char path[4096];
        FILE *f;
        int r = 0;

        snprintf(path, sizeof(path), "%s/%s", dir, sub);
        if (mkdir(path, 0755) < 0 && errno != EEXIST)
                return -errno;
        snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, name);
        f = fopen(path, "wb");
        if (!f)
                return -errno;
        if (fwrite(data, 1, len, f) != len)
                r = -EIO;
        if (fclose(f) != 0 && r == 0)
                r = -errno;
        return r;
}

static int config_seeds(void)
{
        static const char *const texts[] = {
                "",
                "[Capture]\nFailedExecs=no\nExits=yes\nMaxArgsBytes=4096\n[BPF]\nPinPath=/sys/fs/bpf/x\n"
                "PerfBufferPages=128\n[Journal]\nStatsInterval=10min\n",
                "[Filter]\nUsers=1000-59999 root\nExcludeUsers=1005 bob\nCommands=sshd bash\n"
                "ExcludeCommands=cron\n",
                "[Filter]\nCgroups=/system.slice/ssh.service\nUnits=cron.service user@1000.service\n"
                "ExcludeCgroups=/user.slice\nExcludeUnits=foo.scope\n",
                "[Filter]\nMountNamespaces=host /run/ns/a 4026532000\nExcludeMountNamespaces=4026532001\n",
                "[Filter]\nMountNamespaces=!host\nCgroupMap=/sys/fs/bpf/cg\nMountNamespaceMap=/sys/fs/bpf/"
                "mnt\n",
                "[Filter]\nUsers=1000\n  1001, 1002\n# comment\n; comment\nUsers=\nUsers=alice\n",
                "[Capture]\nMaxArgsBytes=0\n[Nope]\nX=1\n",
                "[Filter]\nUsers=alice-bob\n",
                "[Filter]\nUsers=ghost\n",
                "[Filter]\nExcludeUsers=unreachable\n",
                /* with drop-ins (see fuzz-config.c) */
                "[Filter]\nUsers=1000\nCommands=a\n%%\n[Filter]\nUsers=\nUsers=bob\n%%\n[Capture]\nExits="
                "no\n",
                "[BPF]\nPinPath=/sys/fs/bpf/a\n%%\n[BPF]\nPinPath=/sys/fs/bpf/"
                "b\n[Filter]\nExcludeUsers=root\n",
        };
        int r = 0;

        for (size_t i = 0; r >= 0 && i < sizeof(texts) / sizeof(texts[0]); i++) {
                char name[16];

                snprintf(name, sizeof(name), "%zu.conf", i);
                r = put("config", name, texts[i], strlen(texts[i]));
        }
        return r;
}

static int quote_seeds(void)
{
        static const struct {
                const char *s;
                size_t len;
        } blocks[] = {
#define B(lit) {lit, sizeof(lit) - 1}
                B("ls\0-l\0my file\0"),
                B("a\nb\0\x1b[31m\0caf\xc3\xa9\0\xff\0\0it's\0"),
                B("\xe2\x80\xae\0\xc2\x85\0\xe4\xb8\xad"
                  "1\0$HOME\0truncat"),
#undef B
        };
        int r = 0;

        for (size_t i = 0; r >= 0 && i < sizeof(blocks) / sizeof(blocks[0]); i++) {
                char name[16];

                snprintf(name, sizeof(name), "%zu", i);
                r = put("quote", name, blocks[i].s, blocks[i].len);
        }
        return r;
}

/* The fuzz-event input: options, cgroup path, then samples, each with a 16-bit length in front. */
struct input {
        unsigned char buf[65536];
        size_t len;
};

static void add_bytes(struct input *in, const void *p, size_t n)
{
        if (in->len + n <= sizeof(in->buf)) {
                memcpy(in->buf + in->len, p, n);
                in->len += n;
        }
}

static void add_sample(struct input *in, const void *p, size_t n)
{
        unsigned char len[2] = {(unsigned char)n, (unsigned char)(n >> 8)};

        add_bytes(in, len, 2);
        add_bytes(in, p, n);
}

static void start(struct input *in, unsigned char options, const char *cgroup)
{
        in->len = 0;
        add_bytes(in, &options, 1);
        add_bytes(in, &(unsigned char){(unsigned char)strlen(cgroup)}, 1);
        add_bytes(in, cgroup, strlen(cgroup));
}

static void header(struct ea_header *h, uint16_t type, size_t size, uint64_t seq)
{
        h->type = type;
        h->version = EA_LAYOUT_VERSION;
        h->size = (uint32_t)size;
        h->seq = seq;
        h->ktime_ns = 123456789000ull;
        h->config_generation = 1;
}

static void proc(struct ea_proc *p)
{
        p->cgroup_id = 4242;
        p->pid = 1234;
        p->tid = 1234;
        p->ppid = 1;
        p->uid = 1000;
        p->gid = 1000;
        p->mntns = 4026531840u;
        memcpy(p->comm, "bash", 5);
}

/* An exec event with filename, the four paths and argv in data; args NULL: chunked. */
static size_t exec_event(struct ea_exec *ev, uint16_t type, const char *const paths[EA_PATH__MAX],
                         const char *args, size_t args_len, uint32_t flags)
{
        const char *filename = "/usr/bin/env";
        size_t at = strlen(filename);

        memset(ev, 0, sizeof(*ev));
        proc(&ev->proc);
        memcpy(ev->data, filename, at);
        ev->filename_len = (uint32_t)at;
        for (int i = 0; i < EA_PATH__MAX; i++) {
                size_t n = strlen(paths[i]);

                memcpy(ev->data + at, paths[i], n);
                ev->path_len[i] = (uint16_t)n;
                at += n;
        }
        if (args)
                memcpy(ev->data + at, args, args_len);
        else
                flags |= EA_F_ARGS_CHUNKED;
        at += args ? args_len : 0;
        ev->args_len = (uint32_t)args_len;
        ev->argc = 2;
        ev->args_size = (uint32_t)args_len;
        ev->flags = flags;
        ev->ret = type == EA_EV_EXEC_FAILED ? -2 : 0;
        ev->loginuid = 1000;
        ev->sessionid = UINT32_MAX;
        ev->duration_ns = 250000;
        ev->parent_exec_ktime_ns = 1000;
        memcpy(ev->parent_comm, "sshd", 5);
        memcpy(ev->tty, "pts3", 5);
        header(&ev->hdr, type, sizeof(*ev) + at, 7);
        return sizeof(*ev) + at;
}

static int event_seeds(void)
{
        static const char *const paths[EA_PATH__MAX] = {
                [EA_PATH_EXE] = "/usr/bin/env",         [EA_PATH_INTERP] = "", [EA_PATH_CWD] = "/home/alice",
                [EA_PATH_PARENT_EXE] = "/usr/bin/bash", [EA_PATH_ROOT] = "",
        };
        static const char *const script[EA_PATH__MAX] = {
                [EA_PATH_EXE] = "./run.sh",   [EA_PATH_INTERP] = "/usr/bin/bash",
                [EA_PATH_CWD] = "/tmp/",      [EA_PATH_PARENT_EXE] = "/usr/bin/make",
                [EA_PATH_ROOT] = "/srv/jail",
        };
        static struct input in;
        static union {
                struct ea_exec ev;
                char bytes[8192];
        } e;
        union {
                struct ea_args a;
                char bytes[sizeof(struct ea_args) + 16];
        } piece;
        struct ea_exit x;
        size_t n;
        int r;

        start(&in, 2, "/system.slice/cron.service");
        n = exec_event(&e.ev, EA_EV_EXEC, paths, "env\0-i\0", 7, 0);
        add_sample(&in, &e, n);
        r = put("event", "exec", in.buf, in.len);

        start(&in, 3, "/user.slice/user-1000.slice/session-2.scope");
        n = exec_event(&e.ev, EA_EV_EXEC, script, "run.sh\0a\nb\0", 11,
                       EA_F_SCRIPT | EA_F_FILELESS | EA_F_PATH_TRUNCATED << EA_PATH_CWD);
        add_sample(&in, &e, n);
        if (r >= 0)
                r = put("event", "script", in.buf, in.len);

        start(&in, 0, "");
        n = exec_event(&e.ev, EA_EV_EXEC_FAILED, paths, "", 0, EA_F_ARGS_TRUNCATED);
        e.ev.argc = 0;
        add_sample(&in, &e, n);
        if (r >= 0)
                r = put("event", "failed", in.buf, in.len);

        /* A long argv in two pieces, then its exec event. */
        start(&in, 2,
              "/system.slice/docker-"
              "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.scope");
        for (uint32_t off = 0; off < 16; off += 8) {
                memset(&piece, 0, sizeof(piece));
                header(&piece.a.hdr, EA_EV_ARGS, sizeof(struct ea_args) + 8, 0);
                piece.a.pid = 1234;
                piece.a.exec_ktime_ns = 123456789000ull;
                piece.a.offset = off;
                piece.a.len = 8;
                memcpy(piece.a.data, off ? "ument\0x\0" : "long\0arg", 8);
                add_sample(&in, &piece, sizeof(struct ea_args) + 8);
        }
        n = exec_event(&e.ev, EA_EV_EXEC, paths, NULL, 16, 0);
        add_sample(&in, &e, n);
        if (r >= 0)
                r = put("event", "chunked", in.buf, in.len);

        start(&in, 4, "");
        memset(&x, 0, sizeof(x));
        proc(&x.proc);
        x.exit_code = 0x8b; /* SIGSEGV, core dumped */
        x.exec_ktime_ns = 1000;
        x.utime_ns = 3000000;
        x.stime_ns = 1000000;
        x.runtime_ns = 4200000;
        x.maxrss_pages = 300;
        header(&x.hdr, EA_EV_EXIT, sizeof(x), 8);
        add_sample(&in, &x, sizeof(x));
        if (r >= 0)
                r = put("event", "exit", in.buf, in.len);
        return r;
}

int main(int argc, char **argv)
{
        int r;

        if (argc != 2) {
                fprintf(stderr, "usage: %s DIR\n", argv[0]);
                return 2;
        }
        dir = argv[1];
        if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
                fprintf(stderr, "%s: %s\n", dir, strerror(errno));
                return 1;
        }
        r = config_seeds();
        if (r >= 0)
                r = quote_seeds();
        if (r >= 0)
                r = event_seeds();
        if (r < 0) {
                fprintf(stderr, "%s: %s\n", dir, strerror(-r));
                return 1;
        }
        return 0;
}

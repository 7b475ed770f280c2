// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The daemon's user-space cost of one audited exec, without the kernel and journald: an exec event and an
 * exit event shaped like the storm's (/bin/true with a marker, run by bench/storm), turned into their two
 * journal entries, over and over. It prints CPU nanoseconds per exec (both records), so changes to the
 * record building can be compared without the run-to-run noise of a whole storm.
 *
 *   build/bench/format_cost [iterations]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "execaudit.h"
#include "format.h"
#include "record.h"

#define CGROUP_ID 8842ull

static const char *cgroup_cb(void *userdata, uint64_t id, bool *truncated)
{
        (void)userdata;
        *truncated = false;
        return id == CGROUP_ID ? "/user.slice/user-0.slice/session-3.scope" : NULL;
}

static bool not_exited(void *userdata, uint32_t pid, uint64_t exec_ktime_ns)
{
        (void)userdata, (void)pid, (void)exec_ktime_ns;
        return false;
}

static const struct ea_proc proc = {
        .cgroup_id = CGROUP_ID,
        .pid = 402233,
        .tid = 402233,
        .ppid = 402101,
        .mntns = 4026531841u,
        .comm = "true",
};

static void *build_exec(size_t *size)
{
        static const char filename[] = "/bin/true", args[] = "/bin/true\0ea-7f3a9c01d2e84b6a\0";
        static const char *const path[EA_PATH__MAX] = {
                [EA_PATH_EXE] = "/usr/bin/true",
                [EA_PATH_CWD] = "/work/main",
                [EA_PATH_PARENT_EXE] = "/work/main/build/bench/storm",
        };
        size_t n = sizeof(struct ea_exec) + sizeof(filename) - 1 + sizeof(args) - 1,
               at = sizeof(filename) - 1;
        struct ea_exec *ev;

        for (int i = 0; i < EA_PATH__MAX; i++)
                n += path[i] ? strlen(path[i]) : 0;
        ev = calloc(1, n);
        if (!ev)
                return NULL;
        ev->hdr = (struct ea_header){.type = EA_EV_EXEC,
                                     .version = EA_LAYOUT_VERSION,
                                     .size = (uint32_t)n,
                                     .seq = 1234567,
                                     .ktime_ns = 25039148801234ull,
                                     .config_generation = 1};
        ev->proc = proc;
        ev->argc = 2;
        ev->args_size = ev->args_len = sizeof(args) - 1;
        ev->filename_len = sizeof(filename) - 1;
        ev->duration_ns = 231407;
        ev->exe_ino = 1837466;
        ev->exe_dev = 1u << 20 | 2;
        ev->loginuid = ev->sessionid = UINT32_MAX;
        ev->parent_exec_ktime_ns = 25031001000000ull;
        memcpy(ev->parent_comm, "storm", 5);
        memcpy(ev->data, filename, sizeof(filename) - 1);
        for (int i = 0; i < EA_PATH__MAX; i++) {
                size_t len = path[i] ? strlen(path[i]) : 0;

                ev->path_len[i] = (uint16_t)len;
                memcpy(ev->data + at, path[i] ? path[i] : "", len);
                at += len;
        }
        memcpy(ev->data + at, args, sizeof(args) - 1);
        *size = n;
        return ev;
}

static double cpu_ns(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
        return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
        struct format_ctx ctx = {
                .realtime_offset_ns = 1763800000000000000ll, .cgroup_path = cgroup_cb, .exited = not_exited};
        struct ea_exit exit_ev = {.hdr = {.type = EA_EV_EXIT,
                                          .version = EA_LAYOUT_VERSION,
                                          .size = sizeof(struct ea_exit),
                                          .seq = 1234568,
                                          .ktime_ns = 25039149101234ull,
                                          .config_generation = 1},
                                  .proc = proc,
                                  .exec_ktime_ns = 25039148801234ull,
                                  .runtime_ns = 310000,
                                  .maxrss_pages = 262};
        unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 200000;
        size_t exec_size, bytes = 0, len;
        void *exec_ev = build_exec(&exec_size);
        struct record r;
        const char *entry;
        double t0, t1;
        int ret = 0;

        if (!exec_ev || n == 0) {
                fprintf(stderr, "format_cost: %s\n", exec_ev ? "iterations must be > 0" : "out of memory");
                return 1;
        }
        record_init(&r);
        t0 = cpu_ns();
        for (unsigned long i = 0; i < n && ret >= 0; i++) {
                ret = format_event(&r, exec_ev, exec_size, &ctx);
                if (ret >= 0)
                        ret = record_entry(&r, &entry, &len);
                bytes += len;
                if (ret >= 0)
                        ret = format_event(&r, &exit_ev, sizeof(exit_ev), &ctx);
                if (ret >= 0)
                        ret = record_entry(&r, &entry, &len);
                bytes += len;
        }
        t1 = cpu_ns();
        record_free(&r);
        free(exec_ev);
        if (ret < 0) {
                fprintf(stderr, "format_cost: formatting failed: %s\n", strerror(-ret));
                return 1;
        }
        printf("iterations=%lu ns_per_exec=%.0f bytes_per_exec=%zu\n", n, (t1 - t0) / n, bytes / n);
        return 0;
}

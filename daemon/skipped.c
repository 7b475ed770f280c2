// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "skipped.h"

const char *const skipped_prog_names[SKIPPED_PROGS] = {"ea_exec", "ea_exit_execve", "ea_exit_execveat",
                                                       "ea_exit"};

void skipped_init(struct skipped *s)
{
        for (int i = 0; i < SKIPPED_PROGS; i++)
                s->fd[i] = -1;
}

/* The program a pinned link runs, or a negative errno (-ENOENT: no such pin). */
static int prog_of_link_pin(const char *path)
{
        struct bpf_link_info info = {};
        __u32 len = sizeof(info);
        int link = bpf_obj_get(path), fd, e;

        if (link < 0)
                return -errno;
        fd = bpf_obj_get_info_by_fd(link, &info, &len);
        if (fd >= 0)
                fd = bpf_prog_get_fd_by_id(info.prog_id);
        e = errno;
        close(link);
        return fd < 0 ? -e : fd;
}

int skipped_hold_pinned(struct skipped *s, const char *pin_path)
{
        char path[PATH_MAX];
        int r = 0;

        for (int i = 0; i < SKIPPED_PROGS; i++) {
                int fd, n = snprintf(path, sizeof(path), "%s/link_%s", pin_path, skipped_prog_names[i]);

                if (s->fd[i] >= 0)
                        continue;
                fd = n < 0 || (size_t)n >= sizeof(path) ? -ENAMETOOLONG : prog_of_link_pin(path);
                if (fd >= 0)
                        s->fd[i] = fd;
                else if (fd != -ENOENT && r >= 0)
                        r = fd;
        }
        return r;
}

uint64_t skipped_count(const struct skipped *s)
{
        uint64_t n = 0;

        for (int i = 0; i < SKIPPED_PROGS; i++) {
                struct bpf_prog_info info = {};
                __u32 len = sizeof(info);

                if (s->fd[i] >= 0 && bpf_obj_get_info_by_fd(s->fd[i], &info, &len) == 0)
                        n += info.recursion_misses;
        }
        return n;
}

void skipped_close(struct skipped *s)
{
        for (int i = 0; i < SKIPPED_PROGS; i++)
                if (s->fd[i] >= 0)
                        close(s->fd[i]);
        skipped_init(s);
}

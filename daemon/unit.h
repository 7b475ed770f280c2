/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a cgroup v2 path says about a process: its systemd unit and slice (EXEC_UNIT, EXEC_SLICE) and the
 * container it runs in (EXEC_CONTAINER_ID). Pure string work on the path captured at exec time.
 */
#ifndef EA_UNIT_H
#define EA_UNIT_H

#include <stdbool.h>
#include <stddef.h>

/* A piece of the path given to cgroup_path_names(); len 0 when absent. */
struct path_part {
        const char *s;
        size_t len;
};

struct cgroup_names {
        struct path_part unit;  /* the first component below the slices: "ssh.service", "session-4.scope" */
        struct path_part slice; /* the slice that unit sits in: "system.slice", "user-1000.slice" */
        struct path_part container; /* 64 hex digits of a docker, containerd, CRI-O or podman container */
};

void cgroup_path_names(const char *path, struct cgroup_names *out);
/* Whether the cgroup name s (len bytes) is a slice's: slices nest, and every unit sits in one. */
bool unit_is_slice(const char *s, size_t len);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cgroup v2 id -> path, for EXEC_CGROUP. The kernel sends only the 64-bit id (cheap in BPF); the path is
 * looked up once per id through open_by_handle_at() on the cgroup2 mount, or for a cgroup removed by then
 * in the paths the kernel side kept of removed ones (cgroup ids are never reused within a boot, so a
 * cached answer never goes stale), and kept in a bounded cache.
 */
#ifndef EA_CGROUP_H
#define EA_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CGROUP_CACHE_SIZE 1024
/* Past PATH_MAX: levels climbed at most to a printable ancestor, and how often the answer is cached on the
 * way (see walk_up() in cgroup.c). */
#define CGROUP_WALK_MAX  256
#define CGROUP_WALK_MARK 16

struct cgroup_cache_entry {
        uint64_t id;
        char *path; /* NULL: unknown (negative entries are cached too) */
        bool known;
        /* path is the deepest printable ancestor's (NULL: none within CGROUP_WALK_MAX levels) */
        bool truncated;
};

struct cgroup_resolver {
        int mount_fd;
        int gone_fd; /* the "cgroups_gone" map (see execaudit.h), or -1 */
        /* The mount shows the whole hierarchy, as the kernel names it (root "/", initial cgroup namespace):
         * the paths in the map are paths under it. */
        bool whole;
        size_t mount_len; /* length of the mount point's path, stripped from resolved paths */
        char mount[4096];
        struct cgroup_cache_entry cache[CGROUP_CACHE_SIZE];
};

/* Finds the cgroup2 mount point in /proc/self/mountinfo text (octal escapes decoded). -ENOENT if none.
 * *whole (may be NULL): the mount's root is the hierarchy's. */
int cgroup2_mount_from_mountinfo(const char *mountinfo, char *out, size_t out_size, bool *whole);
/* The cgroup2 mount point of this mount namespace, from /proc/self/mountinfo. */
int cgroup2_mount_path(char *out, size_t out_size);
/* Finds the cgroup of a systemd unit: the first directory named `unit` in the mount's root or in a slice
 * below it (only directories named *.slice are entered), breadth first. Writes its path relative to the
 * mount ("/system.slice/ssh.service"); -ENOENT when there is none. */
int cgroup_find_unit(const char *mount, const char *unit, char *out, size_t out_size);
int cgroup_resolver_init(struct cgroup_resolver *c);
void cgroup_resolver_done(struct cgroup_resolver *c);
/* Paths of removed cgroups are looked up in this map (fd, kept by reference) once the kernel no longer
 * finds them by id; only when the mount shows the whole hierarchy. */
void cgroup_resolver_set_gone(struct cgroup_resolver *c, int fd);
/* "/system.slice/ssh.service", "/" for the root, or NULL when the cgroup cannot be found (removed, and not
 * or no longer in the map). For a path longer than the kernel prints (PATH_MAX with the mount point), or
 * than the map keeps, the deepest ancestor's that fits and *truncated set (truncated may be NULL). */
const char *cgroup_resolve(struct cgroup_resolver *c, uint64_t id, bool *truncated);

#endif

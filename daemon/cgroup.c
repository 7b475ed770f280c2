// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cgroup v2 paths from ids. The mount point is found in mountinfo, never assumed: it is /sys/fs/cgroup on
 * a unified host and /sys/fs/cgroup/unified on a hybrid one.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "cgroup.h"
#include "execaudit.h"
#include "unit.h"

#ifndef FILEID_KERNFS
#define FILEID_KERNFS 0xfe
#endif
/* The initial cgroup namespace's inode number (include/linux/proc_ns.h) */
#define PROC_CGROUP_INIT_INO 0xEFFFFFFBu

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static int unescape_field(const char *s, size_t len, char *out, size_t out_size)
{
        size_t o = 0;

        for (size_t i = 0; i < len; i++) {
                char c = s[i];

                if (c == '\\' && i + 3 < len && s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' &&
                    s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
                        c = (char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
                        i += 3;
                }
                if (o + 1 >= out_size)
                        return -ENAMETOOLONG;
                out[o++] = c;
        }
        out[o] = '\0';
        return 0;
}

int cgroup2_mount_from_mountinfo(const char *mountinfo, char *out, size_t out_size, bool *whole)
{
        const char *line = mountinfo;

        while (line && *line) {
                const char *end = strchr(line, '\n'), *p = line, *f[5], *sep;
                size_t n = end ? (size_t)(end - line) : strlen(line);
                int i;

                /* Fields: id parent maj:min root mountpoint options [optional...] - fstype source superopts
                 */
                for (i = 0; i < 5 && p < line + n; i++) {
                        f[i] = p;
                        p = memchr(p, ' ', (size_t)(line + n - p));
                        if (!p)
                                break;
                        p++;
                }
                sep = memmem(line, n, " - ", 3);
                if (i == 5 && sep && (size_t)(line + n - (sep + 3)) >= 8 &&
                    memcmp(sep + 3, "cgroup2 ", 8) == 0) {
                        const char *mp = f[4], *mp_end = memchr(mp, ' ', (size_t)(line + n - mp));

                        if (mp_end) {
                                if (whole) /* the mount's root field is "/" */
                                        *whole = f[4] - f[3] == 2 && f[3][0] == '/';
                                return unescape_field(mp, (size_t)(mp_end - mp), out, out_size);
                        }
                }
                line = end ? end + 1 : NULL;
        }
        return -ENOENT;
}

static int read_mountinfo(char **out)
{
        FILE *f = fopen("/proc/self/mountinfo", "re");
        char *buf = NULL;
        size_t len = 0;
        FILE *m;
        int r = 0;
        char chunk[4096];
        size_t n;

        if (!f)
                return -errno;
        m = open_memstream(&buf, &len);
        if (!m) {
                r = -errno;
                goto out;
        }
        while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
                fwrite(chunk, 1, n, m);
        if (fclose(m) != 0)
                r = -ENOMEM;
        *out = buf;
out:
        fclose(f);
        return r;
}

int cgroup2_mount_path(char *out, size_t out_size)
{
        char *mi = NULL;
        int r = read_mountinfo(&mi);

        if (r >= 0)
                r = cgroup2_mount_from_mountinfo(mi, out, out_size, NULL);
        free(mi);
        return r;
}

/*
 * Breadth first, so a unit is found at the shallowest place systemd would put it; bounded in directories
 * read, because the tree is the kernel's and can be large. Only slices are searched: the system manager
 * puts every unit in one, while the cgroups below a service or a scope may be delegated (a user's
 * manager in user@UID.service, a container) and named anything by whoever owns them.
 */
int cgroup_find_unit(const char *mount, const char *unit, char *out, size_t out_size)
{
        enum { MAX_DIRS = 65536 };
        char **queue = calloc(MAX_DIRS, sizeof(*queue));
        size_t head = 0, tail = 0, mlen = strlen(mount);
        int r = -ENOENT;

        if (!queue)
                return -ENOMEM;
        queue[tail++] = strdup(mount);
        while (head < tail && queue[head] && r == -ENOENT) {
                char *dir = queue[head++];
                DIR *d = opendir(dir);
                struct dirent *de;

                while (d && (de = readdir(d))) {
                        /* systemd's escape of names that could pass for control files (cg_escape) */
                        const char *name =
                                de->d_name[0] == '_' && de->d_name[1] ? de->d_name + 1 : de->d_name;
                        char *child;

                        if (de->d_type != DT_DIR || de->d_name[0] == '.')
                                continue;
                        if (asprintf(&child, "%s/%s", dir, de->d_name) < 0)
                                continue;
                        if (strcmp(name, unit) == 0) {
                                r = snprintf(out, out_size, "%s", child + mlen) >= (int)out_size
                                            ? -ENAMETOOLONG
                                            : 0;
                                free(child);
                                break;
                        }
                        if (tail < MAX_DIRS && unit_is_slice(name, strlen(name)))
                                queue[tail++] = child;
                        else
                                free(child);
                }
                if (d)
                        closedir(d);
        }
        for (size_t i = 0; i < tail; i++)
                free(queue[i]);
        free(queue);
        return r;
}

int cgroup_resolver_init(struct cgroup_resolver *c)
{
        struct stat ns;
        char *mi = NULL;
        int r;

        memset(c, 0, sizeof(*c));
        c->mount_fd = c->gone_fd = -1;
        r = read_mountinfo(&mi);
        if (r < 0)
                goto out;
        r = cgroup2_mount_from_mountinfo(mi, c->mount, sizeof(c->mount), &c->whole);
        if (r < 0)
                goto out;
        /* In another cgroup namespace the mount's "/" is that namespace's root, not the hierarchy's. */
        c->whole = c->whole && stat("/proc/self/ns/cgroup", &ns) == 0 && ns.st_ino == PROC_CGROUP_INIT_INO;
        c->mount_len = strlen(c->mount);
        c->mount_fd = open(c->mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (c->mount_fd < 0)
                r = -errno;
out:
        free(mi);
        return r;
}

void cgroup_resolver_done(struct cgroup_resolver *c)
{
        for (size_t i = 0; i < CGROUP_CACHE_SIZE; i++)
                free(c->cache[i].path);
        if (c->mount_fd >= 0)
                close(c->mount_fd);
        memset(c, 0, sizeof(*c));
        c->mount_fd = c->gone_fd = -1;
}

void cgroup_resolver_set_gone(struct cgroup_resolver *c, int fd)
{
        c->gone_fd = fd;
}

static struct cgroup_cache_entry *cache_slot(struct cgroup_resolver *c, uint64_t id)
{
        return &c->cache[(id * 0x9E3779B97F4A7C15ull) >> 54];
}

static void cache_put(struct cgroup_resolver *c, uint64_t id, char *path, bool truncated)
{
        struct cgroup_cache_entry *e = cache_slot(c, id);

        free(e->path);
        *e = (struct cgroup_cache_entry){.id = id, .path = path, .known = true, .truncated = truncated};
}

/* The mount-relative path of fd: -ENAMETOOLONG when the kernel will not print it (PATH_MAX). */
static int fd_path(const struct cgroup_resolver *c, int fd, char **out)
{
        char proc[64], target[PATH_MAX];
        ssize_t n;

        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
        n = readlink(proc, target, sizeof(target) - 1);
        if (n < 0)
                return -errno;
        target[n] = '\0';
        if ((size_t)n < c->mount_len || memcmp(target, c->mount, c->mount_len) != 0 ||
            (target[c->mount_len] != '/' && target[c->mount_len] != '\0'))
                return -ENOENT;
        *out = strdup((size_t)n == c->mount_len ? "/" : target + c->mount_len);
        return *out ? 0 : -ENOMEM;
}

/*
 * Past PATH_MAX the kernel prints no path, and whoever owns a delegated subtree (a user's manager in
 * user@UID.service, a container) can nest cgroups that deep to hide which unit they run in. The deepest
 * ancestor the kernel can still print names the unit, slice and container, which sit near the root, so
 * the walk climbs to it and the record says the path was cut. Every ancestor has that same answer: every
 * CGROUP_WALK_MARK levels it is cached for the ancestor too, so the next walk in the same deep tree stops
 * there instead of climbing all of it again. Each level costs a readlink() that walks up to PATH_MAX bytes
 * of names in the kernel (some 30 us here with 1-byte names), and the tree is the delegate's to grow: a
 * cgroup more than CGROUP_WALK_MAX levels below that ancestor stays unnamed (NULL, truncated).
 */
static char *walk_up(struct cgroup_resolver *c, int fd, bool *truncated)
{
        uint64_t marks[CGROUP_WALK_MAX / CGROUP_WALK_MARK];
        size_t n_marks = 0;
        char *path = NULL;
        int r = -ENAMETOOLONG;

        *truncated = true;
        for (unsigned level = 1; r == -ENAMETOOLONG && level <= CGROUP_WALK_MAX; level++) {
                const struct cgroup_cache_entry *e;
                struct stat st;
                int up = openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);

                close(fd);
                fd = up;
                if (fd < 0 || fstat(fd, &st) < 0)
                        break;
                e = cache_slot(c, st.st_ino);
                if (e->known && e->id == st.st_ino && e->truncated) {
                        path = e->path ? strdup(e->path) : NULL;
                        r = e->path && !path ? -ENOMEM : 0;
                        break;
                }
                r = fd_path(c, fd, &path);
                if (r == -ENAMETOOLONG && level % CGROUP_WALK_MARK == 0)
                        marks[n_marks++] = st.st_ino;
        }
        if (fd >= 0)
                close(fd);
        for (size_t i = 0; r >= 0 && i < n_marks; i++)
                cache_put(c, marks[i], path ? strdup(path) : NULL, true);
        return path;
}

/*
 * A removed cgroup's path, as the kernel side kept it. One cut to the map's length ends inside a name:
 * the ancestor before that name is what is known for sure.
 */
static char *gone_path(const struct cgroup_resolver *c, uint64_t id, bool *truncated)
{
        struct ea_cgroup_path v;
        size_t len;

        if (c->gone_fd < 0 || !c->whole || bpf_map_lookup_elem(c->gone_fd, &id, &v) < 0 || v.path[0] != '/')
                return NULL;
        len = strnlen(v.path, sizeof(v.path));
        if (len >= sizeof(v.path) - 1) {
                len = (size_t)((const char *)memrchr(v.path, '/', sizeof(v.path) - 1) - v.path);
                v.path[len ? len : 1] = '\0';
                *truncated = true;
        }
        return strndup(v.path, sizeof(v.path));
}

/* The kernel prints a directory removed after it was opened with " (deleted)" after its name. A live
 * cgroup has its control files, so a name that really ends so is told apart; cgroup v2 directories cannot
 * be renamed, so what comes before it was the path. */
static void strip_deleted(int fd, char *path)
{
        static const char suffix[] = " (deleted)";
        size_t len = strlen(path), n = sizeof(suffix) - 1;

        if (len > n && strcmp(path + len - n, suffix) == 0 && faccessat(fd, "cgroup.procs", F_OK, 0) < 0 &&
            errno == ENOENT)
                path[len - n] = '\0';
}

static char *lookup(struct cgroup_resolver *c, uint64_t id, bool *truncated)
{
        struct {
                struct file_handle fh;
                uint64_t id;
        } h = {.fh = {.handle_bytes = sizeof(uint64_t), .handle_type = FILEID_KERNFS}, .id = id};
        char *path = NULL;
        int fd, r;

        *truncated = false;
        if (c->mount_fd < 0)
                return NULL;
        memcpy(h.fh.f_handle, &id, sizeof(id));
        fd = open_by_handle_at(c->mount_fd, &h.fh, O_RDONLY | O_PATH | O_CLOEXEC);
        if (fd < 0)
                return gone_path(c, id, truncated);
        r = fd_path(c, fd, &path);
        if (r == -ENAMETOOLONG)
                return walk_up(c, fd, truncated);
        if (path)
                strip_deleted(fd, path);
        close(fd);
        return path;
}

const char *cgroup_resolve(struct cgroup_resolver *c, uint64_t id, bool *truncated)
{
        struct cgroup_cache_entry *e = cache_slot(c, id);
        bool cut;
        char *path;

        if (!(e->known && e->id == id)) {
                path = lookup(c, id, &cut);
                cache_put(c, id, path, cut);
        }
        if (truncated)
                *truncated = e->truncated;
        return e->path;
}

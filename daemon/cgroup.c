// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cgroup v2 paths from ids. The mount point is found in mountinfo, never assumed: it is /sys/fs/cgroup on
 * a unified host and /sys/fs/cgroup/unified on a hybrid one.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "unit.h"

#ifndef FILEID_KERNFS
#define FILEID_KERNFS 0xfe
#endif

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

int cgroup2_mount_from_mountinfo(const char *mountinfo, char *out, size_t out_size)
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

                        if (mp_end)
                                return unescape_field(mp, (size_t)(mp_end - mp), out, out_size);
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
                r = cgroup2_mount_from_mountinfo(mi, out, out_size);
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
        char *mi = NULL;
        int r;

        memset(c, 0, sizeof(*c));
        c->mount_fd = -1;
        r = read_mountinfo(&mi);
        if (r < 0)
                goto out;
        r = cgroup2_mount_from_mountinfo(mi, c->mount, sizeof(c->mount));
        if (r < 0)
                goto out;
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
        c->mount_fd = -1;
}

static char *lookup(struct cgroup_resolver *c, uint64_t id)
{
        struct {
                struct file_handle fh;
                uint64_t id;
        } h = {.fh = {.handle_bytes = sizeof(uint64_t), .handle_type = FILEID_KERNFS}, .id = id};
        char proc[64], target[4096];
        ssize_t n;
        int fd;

        if (c->mount_fd < 0)
                return NULL;
        memcpy(h.fh.f_handle, &id, sizeof(id));
        fd = open_by_handle_at(c->mount_fd, &h.fh, O_RDONLY | O_PATH | O_CLOEXEC);
        if (fd < 0)
                return NULL;
        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
        n = readlink(proc, target, sizeof(target) - 1);
        close(fd);
        if (n < 0 || (size_t)n < c->mount_len || memcmp(target, c->mount, c->mount_len) != 0)
                return NULL;
        target[n] = '\0';
        if (target[c->mount_len] != '/' && target[c->mount_len] != '\0')
                return NULL;
        if ((size_t)n == c->mount_len)
                return strdup("/");
        return strdup(target + c->mount_len);
}

const char *cgroup_resolve(struct cgroup_resolver *c, uint64_t id)
{
        struct cgroup_cache_entry *e = &c->cache[(id * 0x9E3779B97F4A7C15ull) >> 54];

        if (e->known && e->id == id)
                return e->path;
        free(e->path);
        e->path = lookup(c, id);
        e->id = id;
        e->known = 1;
        return e->path;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The unit rule is systemd's own (cg_path_get_unit): slices nest, and the first component that is not a
 * slice names the unit, so a user's services show as "user@1000.service" and a login as
 * "session-4.scope". Container ids follow the runtimes' cgroup names, systemd driver and cgroupfs driver:
 *   /system.slice/docker-<id>.scope              /docker/<id>
 *   .../kubepods-...-pod<uid>.slice/cri-containerd-<id>.scope      /kubepods/burstable/pod<uid>/<id>
 *   .../crio-<id>.scope                           /machine.slice/libpod-<id>.scope
 * The conmon helpers' scopes (crio-conmon-<id>, libpod-conmon-<id>) are not containers. The innermost
 * match wins, so a container nested in another names itself.
 */
#include <stdbool.h>
#include <string.h>

#include "unit.h"

static bool has_suffix(const char *s, size_t len, const char *suffix)
{
        size_t n = strlen(suffix);

        return len > n && memcmp(s + len - n, suffix, n) == 0;
}

bool unit_is_slice(const char *s, size_t len)
{
        return has_suffix(s, len, ".slice");
}

static const char *const unit_suffixes[] = {".service", ".scope", ".socket", ".mount", ".swap", ".target"};

static bool is_unit(const char *s, size_t len)
{
        for (size_t i = 0; i < sizeof(unit_suffixes) / sizeof(unit_suffixes[0]); i++)
                if (has_suffix(s, len, unit_suffixes[i]))
                        return true;
        return false;
}

static bool all_hex(const char *s, size_t len)
{
        for (size_t i = 0; i < len; i++)
                if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
                        return false;
        return true;
}

#define CONTAINER_ID_LEN 64

/* "docker-<id>.scope", "<id>", ...: the id, or len 0. */
static struct path_part container_id(const char *s, size_t len)
{
        static const char *const prefixes[] = {"docker-", "cri-containerd-", "crio-", "libpod-"};
        struct path_part none = {NULL, 0};

        if (has_suffix(s, len, ".scope"))
                len -= strlen(".scope");
        else if (len != CONTAINER_ID_LEN)
                return none;
        for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]) && len > CONTAINER_ID_LEN; i++) {
                size_t n = strlen(prefixes[i]);

                if (len == n + CONTAINER_ID_LEN && memcmp(s, prefixes[i], n) == 0) {
                        s += n;
                        len -= n;
                }
        }
        if (len != CONTAINER_ID_LEN || !all_hex(s, len))
                return none;
        return (struct path_part){s, len};
}

/* systemd's cg_unescape(): cg_escape() puts a '_' before a name that could pass for a control file
 * ("io.netdata.service", "cpu.slice") or that starts with '_' or '.'. */
static void cg_unescape(const char **name, size_t *len)
{
        if (*len > 1 && (*name)[0] == '_') {
                (*name)++;
                (*len)--;
        }
}

void cgroup_path_names(const char *path, struct cgroup_names *out)
{
        const char *p = path;
        bool in_slices = true;

        memset(out, 0, sizeof(*out));
        while (p && *p) {
                const char *end;
                size_t len;
                struct path_part id;

                while (*p == '/')
                        p++;
                end = strchr(p, '/');
                len = end ? (size_t)(end - p) : strlen(p);
                if (len == 0)
                        break;
                if (in_slices) {
                        const char *name = p;
                        size_t nlen = len;

                        cg_unescape(&name, &nlen);
                        if (unit_is_slice(name, nlen))
                                out->slice = (struct path_part){name, nlen};
                        else {
                                in_slices = false;
                                if (is_unit(name, nlen))
                                        out->unit = (struct path_part){name, nlen};
                        }
                }
                id = container_id(p, len);
                if (id.len)
                        out->container = id;
                p = end;
        }
}

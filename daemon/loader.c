// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Skeleton lifecycle: open -> load -> settings -> perf buffer -> attach -> pin, each step checked and the
 * skeleton destroyed on every failure path. libbpf's messages go through our logger one level lower.
 *
 * Pins: every map and link under PinPath. A stale pin directory (a daemon that was killed) is emptied
 * before pinning, which also detaches the programs its links held.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/membarrier.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <linux/perf_event.h>

#include "caps.h"
#include "execaudit.skel.h"
#include "loader.h"
#include "pinlock.h"
#include "sha256.h"
#include "time-util.h"
#include "log.h"

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif
#ifndef TRACEFS_MAGIC
#define TRACEFS_MAGIC 0x74726163
#endif

__attribute__((format(printf, 2, 0))) static int libbpf_print(enum libbpf_print_level level, const char *fmt,
                                                              va_list ap)
{
        int prio = level == LIBBPF_WARN ? LOG_INFO : LOG_DEBUG;
        char *buf = NULL;

        if (prio > log_get_max_level())
                return 0;
        /* Verifier logs are long (no fixed buffer) and of many lines, each its own diagnostic. */
        if (vasprintf(&buf, fmt, ap) < 0)
                return 0;
        log_lines(prio, buf);
        free(buf);
        return 0;
}

/* The first line of a small kernel file (sysfs, procfs, securityfs); empty when it has none. */
static int read_line(const char *path, char *buf, size_t size)
{
        FILE *f = fopen(path, "re");

        buf[0] = '\0';
        if (!f)
                return -errno;
        if (!fgets(buf, (int)size, f))
                buf[0] = '\0';
        fclose(f);
        return 0;
}

/* Lockdown's confidentiality mode takes bpf_probe_read_kernel() and its kin away: no program would load. */
static bool locked_down_for_confidentiality(void)
{
        char buf[128];

        return read_line("/sys/kernel/security/lockdown", buf, sizeof(buf)) == 0 &&
               strstr(buf, "[confidentiality]") != NULL;
}

int loader_check_system(void)
{
        if (!caps_have(CAP_SYS_ADMIN) && !(caps_have(CAP_BPF) && caps_have(CAP_PERFMON)))
                return log_error_errno(-EPERM,
                                       "execauditd must run as root (it needs CAP_BPF and CAP_PERFMON, "
                                       "or CAP_SYS_ADMIN, to load BPF programs)");
        if (locked_down_for_confidentiality())
                return log_error_errno(-EPERM,
                                       "The kernel is locked down for confidentiality "
                                       "(/sys/kernel/security/lockdown): BPF programs may not read kernel "
                                       "memory there, so execauditd cannot run");
        if (access("/sys/kernel/btf/vmlinux", R_OK) < 0)
                return log_error_errno(-errno,
                                       "This kernel has no BTF (/sys/kernel/btf/vmlinux); execauditd "
                                       "needs a kernel built with CONFIG_DEBUG_INFO_BTF=y");
        return 0;
}

static int fs_is(const char *path, long magic)
{
        struct statfs s;

        if (statfs(path, &s) < 0)
                return -errno;
        return s.f_type == magic;
}

static int ensure_mount(const char *path, const char *type, long magic)
{
        int r = fs_is(path, magic);

        if (r > 0)
                return 0;
        if (r == -ENOENT && mkdir(path, 0700) < 0 && errno != EEXIST)
                return log_error_errno(-errno, "Cannot create %s", path);
        if (mount(type, path, type, MS_NOSUID | MS_NODEV | MS_NOEXEC, type[0] == 'b' ? "mode=0700" : NULL) <
            0)
                return log_error_errno(-errno, "Cannot mount %s on %s", type, path);
        log_info("Mounted %s on %s", type, path);
        return 0;
}

void loader_bpffs_advice(const char *dir, bool service, int (*is_bpffs)(const char *path), char *out,
                         size_t n)
{
        static const char on_one[] = "PinPath= names a directory on one, such as " EA_DEFAULT_PIN_PATH;
        char up[PATH_MAX], above[PATH_MAX];
        int r = is_bpffs(dir);

        /* The one place an admin expects a bpffs: mounting it there is what systemd does at boot. */
        if (config_path_within(dir, EA_BPFFS_MOUNT) && is_bpffs(EA_BPFFS_MOUNT) <= 0) {
                bool mkdir_too = strcmp(dir, EA_BPFFS_MOUNT) != 0 && r == -ENOENT;

                if (service)
                        snprintf(out, n,
                                 "no BPF file system on " EA_BPFFS_MOUNT
                                 ", and a service does not mount one "
                                 "(systemd mounts it at boot: sys-fs-bpf.mount)%s%s%s",
                                 mkdir_too ? "; then create " : "", mkdir_too ? dir : "",
                                 mkdir_too ? " on it" : "");
                else
                        snprintf(out, n,
                                 "no BPF file system on " EA_BPFFS_MOUNT " (mount -t bpf bpf " EA_BPFFS_MOUNT
                                 "%s%s)",
                                 mkdir_too ? ", then mkdir -p " : "", mkdir_too ? dir : "");
                return;
        }
        if (r == -ENOENT) {
                /* Below a bpffs, the directories on the way are only to be made; anywhere else a mount
                 * would go over a directory that holds something, or where nobody would look for pins. */
                snprintf(up, sizeof(up), "%s", dir);
                while ((r = is_bpffs(up)) == -ENOENT && config_dir_above(up, above))
                        memcpy(up, above, sizeof(up));
                if (r > 0)
                        snprintf(out, n, "%s does not exist: create it (mkdir -p %s)", dir, dir);
                else
                        snprintf(out, n, "%s does not exist, and %s is not on a BPF file system: %s", dir,
                                 up, on_one);
                return;
        }
        if (r < 0)
                snprintf(out, n, "cannot tell whether %s is on a BPF file system: %s", dir, strerror(-r));
        else
                snprintf(out, n, "%s is not on a BPF file system: %s", dir, on_one);
}

static int bpffs_at(const char *path)
{
        return fs_is(path, BPF_FS_MAGIC);
}

/* Where PinPath= was set, for messages: "FILE:LINE", or "the default". */
static const char *pin_path_origin(const struct ea_config *cfg, char *buf, size_t n)
{
        if (!cfg->pin_path_at.line)
                return "the default";
        snprintf(buf, n, "%.*s:%u", PATH_MAX - 1, cfg->pin_path_at.file, cfg->pin_path_at.line);
        return buf;
}

int loader_check_pin_path(const struct ea_config *cfg, struct config_error *err)
{
        char parent[PATH_MAX];
        bool service = getenv("INVOCATION_ID") != NULL;
        int r;

        /* "/x" is in "/", never a bpffs root whose own pins would be emptied: PinPath= that is a bpffs root
         * itself was refused with the configuration (config.c, bpffs_root). */
        if (!config_dir_above(cfg->pin_path, parent))
                return 0;
        r = bpffs_at(parent);
        /* Not allowed to look (--check-config without root): the start, which is, finds out. */
        if (r > 0 || r == -EACCES || r == -EPERM)
                return 0;
        /* A service's mounts are private (PrivateMounts=): that bpffs would go, pins and all, at stop. */
        if (strcmp(parent, EA_BPFFS_MOUNT) == 0 && !service)
                return 0;
        memset(err, 0, sizeof(*err));
        loader_bpffs_advice(parent, service, bpffs_at, err->message, sizeof(err->message));
        snprintf(err->file, sizeof(err->file), "%s",
                 cfg->pin_path_at.line ? cfg->pin_path_at.file : cfg->path);
        err->line = cfg->pin_path_at.line;
        snprintf(err->section, sizeof(err->section), "BPF");
        snprintf(err->key, sizeof(err->key), "PinPath");
        return -ENOTDIR;
}

int loader_mount_filesystems(const struct ea_config *cfg)
{
        char parent[PATH_MAX];

        /* libbpf finds tracepoint ids in tracefs, via debugfs's tracing directory if that exists. */
        if (fs_is("/sys/kernel/tracing", TRACEFS_MAGIC) <= 0 &&
            fs_is("/sys/kernel/debug/tracing", TRACEFS_MAGIC) <= 0) {
                int r = ensure_mount("/sys/kernel/tracing", "tracefs", TRACEFS_MAGIC);

                if (r < 0)
                        return r;
        }
        /* What loader_check_pin_path() left to do. */
        if (config_dir_above(cfg->pin_path, parent) && strcmp(parent, EA_BPFFS_MOUNT) == 0)
                return ensure_mount(parent, "bpf", BPF_FS_MAGIC);
        return 0;
}

static int pin_file(char out[PATH_MAX], const char *dir, const char *prefix, const char *name)
{
        int n = snprintf(out, PATH_MAX, "%s/%s%s", dir, prefix, name);

        return n < 0 || n >= PATH_MAX ? -ENAMETOOLONG : 0;
}

/* Maps of earlier layouts, which a replacing daemon removes with the rest. */
static const char *const old_pin_names[] = {"inflight_name", "name_scratch"};

/* Whether execauditd pins something by this name: a map of this object (pin_version among them), "link_"
 * and the name of one of its programs, or a map of an earlier layout. */
static bool own_pin(const struct execaudit *skel, const char *name)
{
        const struct bpf_object_skeleton *sk = skel->skeleton;
        struct bpf_map *map;

        bpf_object__for_each_map(map, skel->obj)
        {
                if (!bpf_map__is_internal(map) && strcmp(bpf_map__name(map), name) == 0)
                        return true;
        }
        for (int i = 0; i < sk->prog_cnt && strncmp(name, "link_", 5) == 0; i++)
                if (strcmp(name + 5, sk->progs[i].name) == 0)
                        return true;
        for (size_t i = 0; i < sizeof(old_pin_names) / sizeof(old_pin_names[0]); i++)
                if (strcmp(name, old_pin_names[i]) == 0)
                        return true;
        return false;
}

/*
 * The pin directory dir, opened once it is known to hold execauditd's pins and nothing else: a PinPath=
 * that names another tool's directory, or one that is not on a BPF file system, loses nothing. NULL with
 * *r 0 when there is no directory; -EMEDIUMTYPE, -ENOTEMPTY (logged) when it is not ours.
 */
static DIR *open_own_pin_dir(const char *dir, const struct execaudit *skel, int *r)
{
        struct dirent *de;
        DIR *d;

        *r = fs_is(dir, BPF_FS_MAGIC);
        if (*r == 0) {
                log_error("%s is not on a BPF file system, so it holds no execauditd pins: nothing removed",
                          dir);
                *r = -EMEDIUMTYPE;
        }
        d = *r < 0 ? NULL : opendir(dir);
        if (!d) {
                *r = *r < 0 ? *r : -errno;
                if (*r == -ENOENT)
                        *r = 0;
                return NULL;
        }
        *r = 0;
        while (*r == 0 && (de = readdir(d)))
                if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0 &&
                    !own_pin(skel, de->d_name)) {
                        log_error("%s/%s is not one of execauditd's pins: nothing removed (PinPath= names a "
                                  "directory of execauditd's own)",
                                  dir, de->d_name);
                        *r = -ENOTEMPTY;
                }
        if (*r < 0) {
                closedir(d);
                return NULL;
        }
        rewinddir(d);
        return d;
}

/* Removes every pin in dir (unlinking a link's last pin detaches its program), once open_own_pin_dir()
 * has found it is ours. */
static int clear_pin_dir(const char *dir, const struct execaudit *skel)
{
        struct dirent *de;
        int r;
        DIR *d = open_own_pin_dir(dir, skel, &r);

        if (!d)
                return r;
        while (r == 0 && (de = readdir(d))) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                if (unlinkat(dirfd(d), de->d_name, 0) < 0 && errno != ENOENT)
                        r = -errno;
        }
        closedir(d);
        return r;
}

static int remove_pin_dir(const char *pin_path, const struct execaudit *skel)
{
        int r = clear_pin_dir(pin_path, skel);

        if (r < 0)
                return r;
        if (rmdir(pin_path) < 0 && errno != ENOENT)
                return -errno;
        return 0;
}

int loader_check_external_map(int fd, const char **why)
{
        struct bpf_map_info info = {};
        __u32 len = sizeof(info);

        *why = NULL;
        if (bpf_obj_get_info_by_fd(fd, &info, &len) < 0)
                return -errno;
        /* An LRU map makes room by evicting keys: a process whose key went would silently go unaudited,
         * while a full hash map refuses the other tool's update, which then knows. */
        if (info.type == BPF_MAP_TYPE_LRU_HASH || info.type == BPF_MAP_TYPE_LRU_PERCPU_HASH)
                *why = "an LRU hash map evicts keys by itself when it is full, and the processes they stand "
                       "for would go unaudited without a word: use a hash map (BPF_MAP_TYPE_HASH)";
        else if (info.type != BPF_MAP_TYPE_HASH || info.key_size != sizeof(__u64))
                *why = "expected a hash map (BPF_MAP_TYPE_HASH) with 8-byte keys (u64)";
        return *why ? -EINVAL : 0;
}

/* CgroupMap=/MountNamespaceMap=: the inner-map template is the configured map itself, so any value size
 * works. Without one, or with one that cannot be opened or that filter_apply() refuses, the BTF template
 * (u64 -> u64) stands: filter_apply() then rejects the configuration at the key's line, as on a reload
 * and as a start that adopts the pins does. */
static int set_inner_template(struct bpf_map *outer, const char *path, int *fd)
{
        const char *why;

        if (!path[0])
                return 0;
        *fd = bpf_obj_get(path);
        if (*fd < 0 || loader_check_external_map(*fd, &why) < 0)
                return 0;
        return bpf_map__set_inner_map_fd(outer, *fd);
}

static void object_sha256(uint8_t out[32])
{
        size_t n = 0;
        const void *elf = execaudit__elf_bytes(&n);
        struct sha256_ctx c;

        sha256_init(&c);
        sha256_update(&c, elf, n);
        sha256_final(&c, out);
}

static int open_pin(const char *dir, const char *name)
{
        char path[PATH_MAX];
        int fd, r = pin_file(path, dir, "", name);

        if (r < 0)
                return r;
        fd = bpf_obj_get(path);
        return fd < 0 ? -errno : fd;
}

static bool pin_present(const char *dir, const char *name)
{
        char path[PATH_MAX];

        return pin_file(path, dir, "", name) == 0 && access(path, F_OK) == 0;
}

/* The value size of fd, a map of type keyed by a __u32; -EMEDIUMTYPE for another kind of map. */
static int value_size(int fd, enum bpf_map_type type)
{
        struct bpf_map_info info = {};
        __u32 len = sizeof(info);

        if (fd < 0)
                return fd;
        if (bpf_obj_get_info_by_fd(fd, &info, &len) < 0)
                return -errno;
        if (info.type != type || info.key_size != sizeof(__u32) || info.value_size > INT_MAX)
                return -EMEDIUMTYPE;
        return (int)info.value_size;
}

/* The value (size bytes) of a one-element array map; -EMEDIUMTYPE when it has another shape (another
 * layout's: its value may be larger than ours). */
static int read_one(int fd, void *value, size_t size)
{
        int r = value_size(fd, BPF_MAP_TYPE_ARRAY);
        __u32 key = 0;

        if (r >= 0 && (size_t)r != size)
                r = -EMEDIUMTYPE;
        if (r < 0)
                return r;
        return bpf_map_lookup_elem(fd, &key, value) < 0 ? -errno : 0;
}

/* Larger than any daemon state a later layout will have: a map of another shape. */
#define STATE_SIZE_MAX 4096

/* The pinned daemon state's value, whole, of some size in [min, STATE_SIZE_MAX]: in *value (freed by the
 * caller), its size returned. */
static int state_value(int fd, size_t min, unsigned char **value)
{
        int r = value_size(fd, BPF_MAP_TYPE_ARRAY);
        __u32 key = 0;

        *value = NULL;
        if (r >= 0 && ((size_t)r > STATE_SIZE_MAX || (size_t)r < min))
                r = -EMEDIUMTYPE;
        if (r >= 0 && !(*value = calloc(1, (size_t)r)))
                r = -ENOMEM;
        if (r >= 0 && bpf_map_lookup_elem(fd, &key, *value) < 0)
                r = -errno;
        return r;
}

/* The daemon state of any layout: it only grows at its end, so an older one is read as far as it goes and
 * the rest left zero, a later one (pins of a daemon since downgraded) as far as this daemon knows it. Its
 * size, or a negative errno. */
static int read_state(int fd, struct ea_daemon_state *st)
{
        unsigned char *value;
        int r = state_value(fd, offsetof(struct ea_daemon_state, failed_untracked_reported), &value);

        memset(st, 0, sizeof(*st));
        if (r >= 0)
                memcpy(st, value, (size_t)r < sizeof(*st) ? (size_t)r : sizeof(*st));
        free(value);
        return r;
}

void loader_sum_stats(const struct ea_stats *elems, size_t n, struct ea_stats *sum)
{
        for (size_t e = 0; e < n; e++)
                for (int i = 0; i < EA_STAT_SLOTS; i++)
                        sum->n[i] += __atomic_load_n(&elems[e].n[i], __ATOMIC_RELAXED);
}

/*
 * The shape of a "stats" map (fd) of any layout: from layout 6 an array of one struct ea_stats per CPU,
 * before a per-CPU array of one. A lookup of any of its *keys fills *per_key values (every CPU's, of a
 * per-CPU map) at *value (allocated: free it, also on failure). -EMEDIUMTYPE for another kind of map.
 */
static int stats_shape(int fd, __u32 *keys, int *per_key, struct ea_stats **value)
{
        struct bpf_map_info info = {};
        __u32 len = sizeof(info);

        *value = NULL;
        if (fd < 0)
                return fd;
        if (bpf_obj_get_info_by_fd(fd, &info, &len) < 0)
                return -errno;
        if (info.key_size != sizeof(__u32) || info.value_size != sizeof(**value))
                return -EMEDIUMTYPE;
        if (info.type == BPF_MAP_TYPE_ARRAY)
                *per_key = 1;
        else if (info.type == BPF_MAP_TYPE_PERCPU_ARRAY)
                *per_key = libbpf_num_possible_cpus();
        else
                return -EMEDIUMTYPE;
        if (*per_key <= 0)
                return *per_key < 0 ? *per_key : -EINVAL;
        *keys = info.max_entries;
        *value = calloc((size_t)*per_key, sizeof(**value));
        return *value ? 0 : -ENOMEM;
}

/* A pinned "stats" map (fd) of any layout, every key's counters summed; zero when it cannot be read. Not
 * for the running daemon's own map: a lookup per key is a bpf(2) map operation (see loader_read_stats()). */
static int sum_stats(int fd, struct ea_stats *sum)
{
        struct ea_stats *value;
        __u32 keys = 0;
        int per_key = 0, r = stats_shape(fd, &keys, &per_key, &value);

        memset(sum, 0, sizeof(*sum));
        for (__u32 key = 0; r >= 0 && key < keys; key++) {
                if (bpf_map_lookup_elem(fd, &key, value) < 0)
                        r = -errno;
                else
                        loader_sum_stats(value, (size_t)per_key, sum);
        }
        if (r < 0)
                memset(sum, 0, sizeof(*sum));
        free(value);
        return r;
}

static uint64_t beyond(uint64_t count, uint64_t reported)
{
        return count > reported ? count - reported : 0;
}

void loader_unreported(const struct ea_stats *sum, const struct ea_daemon_state *st, uint64_t *failed,
                       uint64_t *tracked_full, uint64_t *skipped)
{
        *failed = beyond(sum->n[EA_STAT_FAILED_UNTRACKED], st->failed_untracked_reported);
        *tracked_full = beyond(sum->n[EA_STAT_TRACKED_FULL], st->tracked_full_reported);
        *skipped = beyond(sum->n[EA_STAT_SKIPPED], st->skipped_reported);
}

void loader_carried(const struct ea_daemon_state *st, uint64_t *no_reader, uint64_t *untracked,
                    uint64_t *skipped)
{
        bool open = st->carried_open != 0;

        *no_reader = open ? st->carried_no_reader : 0;
        *untracked = open ? st->carried_untracked : 0;
        *skipped = open ? st->carried_skipped : 0;
}

static int read_pinned(const char *dir, const char *name, void *value, size_t size)
{
        int fd = open_pin(dir, name), r = read_one(fd, value, size);

        if (fd >= 0)
                close(fd);
        return r;
}

static bool same_shape(int fd, const struct bpf_map *map)
{
        struct bpf_map_info info = {};
        __u32 len = sizeof(info);

        if (bpf_obj_get_info_by_fd(fd, &info, &len) < 0)
                return false;
        /* The flags too: the daemon maps some of them (BPF_F_MMAPABLE). */
        return info.type == bpf_map__type(map) && info.key_size == bpf_map__key_size(map) &&
               info.value_size == bpf_map__value_size(map) && info.map_flags == bpf_map__map_flags(map) &&
               (bpf_map__max_entries(map) == 0 || info.max_entries == bpf_map__max_entries(map));
}

/*
 * Takes over the pins of an earlier daemon running this same object: maps reused, links kept. 1 when
 * adopted, 0 when the pins are missing, partial, of another object or of another shape (the reason is
 * logged; loader_attach() then replaces them).
 */
static int try_adopt(struct loader *l)
{
        const struct bpf_object_skeleton *sk = l->skel->skeleton;
        struct ea_pin_version v;
        uint8_t sha[32];
        char path[PATH_MAX];
        struct bpf_map *map;
        int r;

        r = read_pinned(l->pin_path, "pin_version", &v, sizeof(v));
        if (r < 0) {
                if (r != -ENOENT)
                        log_notice("Pins in %s without a readable version (%s): replacing them", l->pin_path,
                                   strerror(-r));
                return 0;
        }
        l->prev_layout = v.layout_version;
        object_sha256(sha);
        if (v.layout_version != EA_LAYOUT_VERSION || memcmp(v.object_sha256, sha, sizeof(sha)) != 0) {
                log_info("Pins in %s are of another version (layout %u): replacing them", l->pin_path,
                         v.layout_version);
                return 0;
        }
        bpf_object__for_each_map(map, l->skel->obj)
        {
                int fd;

                if (bpf_map__is_internal(map))
                        continue;
                if (pin_file(path, l->pin_path, "", bpf_map__name(map)) < 0 ||
                    (fd = bpf_obj_get(path)) < 0) {
                        log_notice("Pin %s missing: replacing the pins", path);
                        return 0;
                }
                r = same_shape(fd, map) ? bpf_map__reuse_fd(map, fd) : -EBADF;
                close(fd);
                if (r < 0) {
                        log_notice("Pin %s is not the map expected: replacing the pins", path);
                        return 0;
                }
        }
        for (int i = 0; i < sk->prog_cnt; i++) {
                struct bpf_link *link;

                if (pin_file(path, l->pin_path, "link_", sk->progs[i].name) < 0 ||
                    !(link = bpf_link__open(path))) {
                        log_notice("Link pin %s missing: replacing the pins", path);
                        for (int j = 0; j < i; j++) {
                                bpf_link__disconnect(*sk->progs[j].link);
                                bpf_link__destroy(*sk->progs[j].link);
                                *sk->progs[j].link = NULL;
                        }
                        return 0;
                }
                *sk->progs[i].link = link;
        }
        return 1;
}

/* What the pins adopted or about to be replaced had handled, for the gap report: from their
 * "daemon_state" (state) and "seq" (seq) maps. Replaced pins (stats, else -1): what their counters without
 * sequence numbers grew beyond their daemon's reports, when their layout kept those (4 and later), and
 * the runs their programs (progs) skipped beyond them (all of them before layout 5, which kept no mark). */
static void read_previous(struct loader *l, int state, int seq, int stats, const struct skipped *progs)
{
        struct ea_daemon_state st;
        struct ea_stats sum;
        int size = read_state(state, &st), r;

        if (size < 0 || read_one(seq, &l->prev_seq, sizeof(l->prev_seq)) < 0)
                return;
        l->prev_state = st;
        l->prev_known = true;
        if (stats < 0)
                return;
        r = sum_stats(stats, &sum);
        sum.n[EA_STAT_SKIPPED] += skipped_count(progs);
        loader_unreported(&sum, &st, &l->prev_failed_untracked, &l->prev_tracked_full, &l->prev_skipped);
        if (r < 0 || (size_t)size < offsetof(struct ea_daemon_state, skipped_reported))
                l->prev_failed_untracked = l->prev_tracked_full = 0;
}

/* The replaced pins' account goes into the new state as soon as they are gone, before anything else can
 * fail: a crash before the journal has it leaves it to the next daemon, in pins (carried_open) or, when
 * this start fails, in loss records (daemon.c). */
static void carry_replaced(struct loader *l)
{
        struct ea_daemon_state *st = l->state;
        uint64_t no_reader, untracked, skipped;

        loader_carried(&l->prev_state, &no_reader, &untracked, &skipped);
        if (l->prev_known && l->prev_seq > l->prev_state.handled_seq)
                no_reader += l->prev_seq - l->prev_state.handled_seq;
        /* Processes they could not follow, and those they followed and these do not, are a loss whatever
         * Exits= says: their children lack EXEC_PARENT_ID, and a reload may turn exits on before they end.
         */
        untracked += l->prev_untracked + l->prev_tracked_full + l->prev_failed_untracked;
        skipped += l->prev_skipped;
        st->carried_no_reader = no_reader;
        st->carried_untracked = untracked;
        st->carried_skipped = skipped;
        st->carried_open = no_reader || untracked || skipped;
}

/* The maps the daemon reads and writes in place: no bpf(2) call for them after the start. */
static int map_memory(struct loader *l)
{
        size_t page = (size_t)sysconf(_SC_PAGESIZE);

        l->active_len = page;
        l->active = mmap(NULL, l->active_len, PROT_READ | PROT_WRITE, MAP_SHARED,
                         bpf_map__fd(l->skel->maps.active), 0);
        if (l->active == MAP_FAILED) {
                l->active = NULL;
                return log_error_errno(-errno, "Cannot map the active-configuration word");
        }
        l->state = mmap(NULL, l->active_len, PROT_READ | PROT_WRITE, MAP_SHARED,
                        bpf_map__fd(l->skel->maps.daemon_state), 0);
        if (l->state == MAP_FAILED) {
                l->state = NULL;
                return log_error_errno(-errno, "Cannot map the daemon state");
        }
        l->stats_len = ((size_t)l->ncpu * sizeof(*l->stats) + page - 1) / page * page;
        l->stats = mmap(NULL, l->stats_len, PROT_READ, MAP_SHARED, bpf_map__fd(l->skel->maps.stats), 0);
        if (l->stats == MAP_FAILED) {
                l->stats = NULL;
                return log_error_errno(-errno, "Cannot map the counters");
        }
        return 0;
}

/* PREEMPT_RT, where tracepoint programs may be preemptible (see scratch_sets in the BPF source). */
static bool kernel_is_rt(void)
{
        char buf[8];

        return read_line("/sys/kernel/realtime", buf, sizeof(buf)) == 0 && buf[0] == '1';
}

/* The skeleton, opened and sized for this machine's CPUs. */
static int open_skeleton(struct loader *l)
{
        __u32 sets = kernel_is_rt() ? 2 : 1;
        int r;

        l->skel = execaudit__open();
        if (!l->skel)
                return log_error_errno(-errno, "Cannot open the BPF object");
        l->skel->rodata->scratch_sets = sets;
        r = bpf_map__set_max_entries(l->skel->maps.scratch, (__u32)l->ncpu * sets);
        if (r >= 0)
                r = bpf_map__set_max_entries(l->skel->maps.args_scratch, (__u32)l->ncpu * sets);
        if (r >= 0)
                r = bpf_map__set_max_entries(l->skel->maps.stats, (__u32)l->ncpu);
        if (r < 0)
                return log_error_errno(r, "Cannot size the per-CPU maps");
        return 0;
}

static int lock_pins(struct loader *l, const struct ea_config *cfg)
{
        char who[64], from[PATH_MAX + 32];
        int fd = pinlock_take(l->pin_path, true, &l->made_dir);

        if (fd == -EBUSY) {
                pinlock_holder_name(l->pin_path, who, sizeof(who));
                log_error("PinPath=%s (%s) is in use by another execauditd (%s): one daemon per PinPath "
                          "(stop that one, or give this one a PinPath= of its own)",
                          l->pin_path, pin_path_origin(cfg, from, sizeof(from)), who);
                return fd;
        }
        if (fd < 0)
                return log_error_errno(fd, "Cannot lock PinPath=%s", l->pin_path);
        l->lock_fd = fd;
        return 0;
}

/* Program runs hold preemption off, so a global membarrier (synchronize_rcu()) waits out those in progress.
 * A kernel booted with nohz_full= refuses it (EINVAL): a pause then, far longer than any run takes. */
static void wait_runs_in_progress(void)
{
        if (syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0) < 0) {
                log_debug("membarrier failed (%s): pausing 50 ms for the program runs in progress",
                          strerror(errno));
                nanosleep(&(struct timespec){.tv_nsec = 50000000}, NULL);
        }
}

/*
 * libbpf takes the zeros that /proc/kallsyms shows under kernel.kptr_restrict=2 (to everyone, CAP_SYSLOG
 * or not) for ____fput's address, and the programs then never find a script's file: EXEC_EXE of a script
 * is the name it was run by. Only this says so.
 */
static void check_fput_visible(void)
{
        FILE *f = fopen("/proc/kallsyms", "re");
        char line[512], *sym;
        bool shown = false;

        if (!f)
                return;
        while (fgets(line, sizeof(line), f)) {
                sym = strrchr(line, ' ');
                if (!sym || strcmp(sym + 1, "____fput\n") != 0)
                        continue;
                shown = strspn(line, "0") < strcspn(line, " ");
                break;
        }
        fclose(f);
        if (!shown)
                log_notice(
                        "The kernel does not show the address of ____fput in /proc/kallsyms "
                        "(kernel.kptr_restrict=2): EXEC_EXE of a #! script is the name it was run by, not "
                        "resolved through symbolic links or /dev/fd/N");
}

int loader_load(struct loader *l, const struct ea_config *cfg)
{
        int template_fd[2] = {-1, -1};
        int r;

        memset(l, 0, sizeof(*l));
        l->lock_fd = -1;
        skipped_init(&l->skipped);
        libbpf_set_print(libbpf_print);
        snprintf(l->pin_path, sizeof(l->pin_path), "%s", cfg->pin_path);
        r = lock_pins(l, cfg);
        if (r < 0)
                goto fail;

        l->ncpu = libbpf_num_possible_cpus();
        l->buffer_peak = l->ncpu > 0 ? calloc((size_t)l->ncpu, 1) : NULL;
        if (!l->buffer_peak) {
                r = log_error_errno(l->ncpu < 0 ? l->ncpu : -ENOMEM, "Cannot size the per-CPU buffers");
                goto fail;
        }
        r = open_skeleton(l);
        if (r < 0)
                goto fail;
        r = try_adopt(l);
        if (r > 0) {
                l->adopted = l->pinned = true;
                read_previous(l, bpf_map__fd(l->skel->maps.daemon_state), bpf_map__fd(l->skel->maps.seq), -1,
                              NULL);
                log_info("Adopted the programs pinned in %s: they stayed attached", l->pin_path);
                r = map_memory(l);
                if (r < 0)
                        goto fail;
                return 0;
        }
        /* A fresh object: its maps may not reuse anything that try_adopt() looked at. */
        execaudit__destroy(l->skel);
        r = open_skeleton(l);
        if (r >= 0)
                r = set_inner_template(l->skel->maps.filter_cgroup_map, cfg->filter.cgroup_map,
                                       &template_fd[0]);
        if (r >= 0)
                r = set_inner_template(l->skel->maps.filter_mntns_map, cfg->filter.mntns_map,
                                       &template_fd[1]);
        if (r >= 0)
                r = execaudit__load(l->skel);
        for (int i = 0; i < 2; i++)
                if (template_fd[i] >= 0)
                        close(template_fd[i]);
        if (r < 0) {
                log_error_errno(r, "Cannot load the BPF programs into the kernel");
                goto fail;
        }
        check_fput_visible();
        r = map_memory(l);
        if (r < 0)
                goto fail;
        return 0;
fail:
        loader_close(l, false);
        return r;
}

static enum bpf_perf_event_ret on_raw_event(void *ctx, int cpu, struct perf_event_header *ev)
{
        struct loader *l = ctx;

        if (ev->type == PERF_RECORD_SAMPLE) {
                struct {
                        struct perf_event_header h;
                        __u32 size;
                        char data[];
                } *s = (void *)ev;

                l->raw.sample(l->raw.ctx, cpu, s->data, s->size);
        } else if (ev->type == PERF_RECORD_LOST) {
                struct {
                        struct perf_event_header h;
                        __u64 id;
                        __u64 lost;
                } *lost = (void *)ev;

                l->raw.lost(l->raw.ctx, cpu, lost->lost);
        }
        return LIBBPF_PERF_EVENT_CONT;
}

/*
 * Wakeups by watermark, not per sample: a wakeup per event costs an irq_work (a self-IPI, a VM exit on
 * virtual machines) on the exec path. The daemon drains on the watermark and on a short timer.
 */
struct perf_event_attr loader_perf_event_attr(unsigned pages)
{
        struct perf_event_attr attr = {
                .type = PERF_TYPE_SOFTWARE,
                .config = PERF_COUNT_SW_BPF_OUTPUT,
                .sample_type = PERF_SAMPLE_RAW,
                .sample_period = 1,
                .watermark = 1,
                .wakeup_watermark = pages * (__u32)sysconf(_SC_PAGESIZE) / 4,
        };

        if (attr.wakeup_watermark == 0)
                attr.wakeup_watermark = 1;
        return attr;
}

/* kernel.perf_event_paranoid, or -1 when unreadable. */
static long perf_paranoid(void)
{
        char buf[32], *end;
        long v;

        if (read_line("/proc/sys/kernel/perf_event_paranoid", buf, sizeof(buf)) < 0)
                return -1;
        errno = 0;
        v = strtol(buf, &end, 10);
        return errno || end == buf ? -1 : v;
}

/* Two perf fds per CPU (idle.h): on a host with hundreds of CPUs the usual soft limit of 1024 would not
 * leave room for the rest. Nothing here uses select(), so the hard limit is as good. */
static void raise_nofile(void)
{
        struct rlimit lim;

        if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
                lim.rlim_cur = lim.rlim_max;
                if (setrlimit(RLIMIT_NOFILE, &lim) < 0)
                        log_debug_errno(-errno, "Cannot raise RLIMIT_NOFILE");
        }
}

int loader_open_perf_buffer(struct loader *l, unsigned pages, perf_buffer_sample_fn sample,
                            perf_buffer_lost_fn lost, void *ctx)
{
        struct perf_event_attr attr = loader_perf_event_attr(pages);
        LIBBPF_OPTS(perf_buffer_raw_opts, opts);
        int *cpus = NULL, n;

        l->raw.sample = sample;
        l->raw.lost = lost;
        l->raw.ctx = ctx;
        /* The CPUs libbpf would pick (the online ones), named here so that idle.c knows each ring's. */
        n = cpulist_online(&cpus);
        raise_nofile();
        if (n > 0) {
                opts.cpu_cnt = n;
                opts.cpus = cpus;
                opts.map_keys = cpus;
        } else
                log_warning_errno(n, "Cannot read the online CPUs: draining on a timer when idle");
        l->pb = perf_buffer__new_raw(bpf_map__fd(l->skel->maps.events), pages, &attr, on_raw_event, l,
                                     &opts);
        if (!l->pb) {
                int r = -errno;
                struct rlimit lim;

                free(cpus);
                if (r == -EACCES && perf_paranoid() >= 3)
                        return log_error_errno(r,
                                               "Cannot open the perf buffers (%u pages per CPU): "
                                               "kernel.perf_event_paranoid is 3 or more, and Debian's "
                                               "kernels then allow perf_event_open(2) only with "
                                               "CAP_SYS_ADMIN",
                                               pages);
                if (r == -EPERM && getrlimit(RLIMIT_MEMLOCK, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY)
                        return log_error_errno(r,
                                               "Cannot open the perf buffers (%u pages per CPU): the locked "
                                               "memory they take beyond kernel.perf_event_mlock_kb exceeds "
                                               "RLIMIT_MEMLOCK (%llu KiB), and CAP_IPC_LOCK is not there to "
                                               "allow it (the shipped unit gives it): raise the limit "
                                               "(LimitMEMLOCK=) or lower PerfBufferPages=",
                                               pages, (unsigned long long)lim.rlim_cur / 1024);
                return log_error_errno(r, "Cannot open the perf buffers (%u pages per CPU)", pages);
        }
        l->ring_cpu = cpus;
        if (n > 0) {
                int r = idle_open(&l->idle, l->pb, bpf_map__fd(l->skel->maps.events), cpus, n);

                if (r < 0)
                        log_warning_errno(
                                r, "Cannot open a waking event per CPU: draining on a timer when idle");
        }
        return 0;
}

/* Pins every map, every link and the version; the directory holds nothing else. */
static int pin_all(struct loader *l)
{
        const struct bpf_object_skeleton *sk = l->skel->skeleton;
        struct ea_pin_version v = {.layout_version = EA_LAYOUT_VERSION};
        char path[PATH_MAX];
        struct bpf_map *map;
        __u32 key = 0;
        int r;

        object_sha256(v.object_sha256);
        if (bpf_map_update_elem(bpf_map__fd(l->skel->maps.pin_version), &key, &v, BPF_ANY) < 0)
                return log_error_errno(-errno, "Cannot write the pin version");
        bpf_object__for_each_map(map, l->skel->obj)
        {
                if (bpf_map__is_internal(map))
                        continue;
                r = pin_file(path, l->pin_path, "", bpf_map__name(map));
                if (r >= 0)
                        r = bpf_map__pin(map, path);
                if (r < 0)
                        return log_error_errno(r, "Cannot pin map %s", path);
        }
        for (int i = 0; i < sk->prog_cnt; i++) {
                r = pin_file(path, l->pin_path, "link_", sk->progs[i].name);
                if (r >= 0)
                        r = bpf_link__pin(*sk->progs[i].link, path);
                if (r < 0)
                        return log_error_errno(r, "Cannot pin link %s", path);
        }
        return 0;
}

void loader_sample_fill(struct loader *l)
{
        int n = (int)perf_buffer__buffer_cnt(l->pb);

        for (int i = 0; i < n && l->buffer_peak; i++) {
                int cpu = l->ring_cpu ? l->ring_cpu[i] : i;
                struct perf_event_mmap_page *h;
                size_t size;
                void *base;
                __u64 used;
                unsigned pct;

                if (cpu >= l->ncpu || perf_buffer__buffer(l->pb, i, &base, &size) < 0 || !size)
                        continue;
                h = base;
                used = __atomic_load_n(&h->data_head, __ATOMIC_ACQUIRE) - h->data_tail;
                pct = (unsigned)(used * 100 / size);
                if (pct > 100)
                        pct = 100;
                if (pct > l->buffer_peak[cpu])
                        l->buffer_peak[cpu] = (uint8_t)pct;
        }
}

/* Whether thread group tgid has an entry in the "tracked_slots" array slots or the "tracked" hash. */
static bool tracked_in(int slots, int hash, __u32 tgid)
{
        __u32 k = tgid & (EA_TRACKED_SLOTS - 1);
        struct ea_tracked_slot s;
        struct ea_tracked tr;

        if (slots >= 0 && bpf_map_lookup_elem(slots, &k, &s) == 0 && s.owner == tgid)
                return true;
        return bpf_map_lookup_elem(hash, &tgid, &tr) == 0;
}

/*
 * The replaced programs' entries (old, their pins gone) against the new ones: each process only the old
 * ones hold was exec'd under the old programs and is still alive, or ends after they are detached, and
 * nobody reports its exit. The hash's keys (tgids) are read, so any layout of its values will do; the
 * slots (layout 9 and later) only when their values are the ones this daemon knows.
 */
static uint64_t count_untracked(int old_slots, int old, int new_slots, int new)
{
        struct bpf_map_info info = {};
        __u32 len = sizeof(info), key, next, *prev = NULL;
        struct ea_tracked_slot s;
        uint64_t n = 0;

        if (old >= 0 && bpf_obj_get_info_by_fd(old, &info, &len) == 0 && info.type == BPF_MAP_TYPE_HASH &&
            info.key_size == sizeof(key)) {
                while (bpf_map_get_next_key(old, prev, &next) == 0) {
                        key = next;
                        prev = &key;
                        n += !tracked_in(new_slots, new, key);
                }
        }
        memset(&info, 0, sizeof(info));
        len = sizeof(info);
        if (old_slots < 0 || bpf_obj_get_info_by_fd(old_slots, &info, &len) < 0 ||
            info.type != BPF_MAP_TYPE_ARRAY || info.value_size != sizeof(s))
                return n;
        for (key = 0; key < info.max_entries; key++)
                if (bpf_map_lookup_elem(old_slots, &key, &s) == 0 && s.owner &&
                    !(s.owner & EA_TRACKED_CLAIMING))
                        n += !tracked_in(new_slots, new, (__u32)s.owner);
        return n;
}

/* The programs in use, held while CAP_SYS_ADMIN is: their skipped runs are read all along. */
static void hold_skipped(struct loader *l)
{
        int r = skipped_hold_pinned(&l->skipped, l->pin_path);

        if (r < 0)
                log_warning_errno(r,
                                  "Cannot hold the programs pinned in %s to read how many of their runs the "
                                  "kernel skips: records lost that way will not be counted",
                                  l->pin_path);
}

int loader_attach(struct loader *l)
{
        enum { OLD_STATE, OLD_SEQ, OLD_TRACKED, OLD_TRACKED_SLOTS, OLD_STATS, OLD__MAX };
        static const char *const old_name[OLD__MAX] = {"daemon_state", "seq", "tracked", "tracked_slots",
                                                       "stats"};
        struct skipped old_progs;
        int r, old[OLD__MAX];

        if (l->adopted) {
                hold_skipped(l);
                return 0;
        }
        r = execaudit__attach(l->skel);
        if (r < 0)
                return log_error_errno(r, "Cannot attach the BPF programs");
        for (int i = 0; i < l->skel->skeleton->prog_cnt; i++)
                if (!*l->skel->skeleton->progs[i].link)
                        return log_error_errno(-ENOENT, "Program %s was not attached",
                                               l->skel->skeleton->progs[i].name);
        /* Attached first, then the old pins go: no moment without a program on each hook. The old maps
         * stay open across, for the account of what the old programs leave behind. */
        for (int i = 0; i < OLD__MAX; i++)
                old[i] = open_pin(l->pin_path, old_name[i]);
        skipped_init(&old_progs);
        if (skipped_hold_pinned(&old_progs, l->pin_path) < 0)
                log_warning(
                        "Cannot hold the programs pinned in %s to read how many of their runs the kernel "
                        "skipped: those records lost are not reported",
                        l->pin_path);
        r = clear_pin_dir(l->pin_path, l->skel);
        /* When some old pins stay, this start fails. Their account is read (the old maps are open) unless
         * the pins it is kept in stay too, for the next start: reported once, here or there. */
        if (r >= 0 || !pin_present(l->pin_path, old_name[OLD_STATE]) ||
            !pin_present(l->pin_path, old_name[OLD_SEQ])) {
                l->prev_untracked = count_untracked(old[OLD_TRACKED_SLOTS], old[OLD_TRACKED],
                                                    bpf_map__fd(l->skel->maps.tracked_slots),
                                                    bpf_map__fd(l->skel->maps.tracked));
                /* The old programs go when the work the unlinks queued has run, and an exit one of them
                 * handled just before the count is not in it. membarrier waits out the runs in progress,
                 * so that exit's number is in the old seq read after it, which the gap report covers: an
                 * exit may be in both counts, never in neither. */
                wait_runs_in_progress();
                read_previous(l, old[OLD_STATE], old[OLD_SEQ], old[OLD_STATS], &old_progs);
                carry_replaced(l);
        }
        for (int i = 0; i < OLD__MAX; i++)
                if (old[i] >= 0)
                        close(old[i]);
        skipped_close(&old_progs);
        if (r < 0)
                return log_error_errno(r, "Cannot remove the pins in %s", l->pin_path);
        if (mkdir(l->pin_path, 0700) < 0 && errno != EEXIST)
                return log_error_errno(-errno, "Cannot create %s", l->pin_path);
        l->pinned = true;
        r = pin_all(l);
        if (r < 0) {
                /* Not left half pinned: the next start would find part of this account there, which this
                 * one reports (loader_attach()'s callers). */
                int q = clear_pin_dir(l->pin_path, l->skel);

                if (q < 0)
                        log_warning_errno(q, "Cannot remove the pins made so far in %s", l->pin_path);
                l->pinned = false;
                return r;
        }
        hold_skipped(l);
        return 0;
}

int loader_read_seq(struct loader *l, uint64_t *seq)
{
        __u32 key = 0;

        return bpf_map_lookup_elem(bpf_map__fd(l->skel->maps.seq), &key, seq) < 0 ? -errno : 0;
}

int loader_cgroups_gone_fd(const struct loader *l)
{
        return bpf_map__fd(l->skel->maps.cgroups_gone);
}

uint64_t *loader_reported_mark(struct loader *l, enum ea_stat stat)
{
        if (!l->state)
                return NULL;
        switch (stat) {
        case EA_STAT_FAILED_UNTRACKED:
                return (uint64_t *)&l->state->failed_untracked_reported;
        case EA_STAT_TRACKED_FULL:
                return (uint64_t *)&l->state->tracked_full_reported;
        case EA_STAT_SKIPPED:
                return (uint64_t *)&l->state->skipped_reported;
        default:
                return NULL;
        }
}

void loader_refresh_skipped(struct loader *l)
{
        l->skipped_now = skipped_count(&l->skipped);
        l->skipped_read_usec = clock_usec(CLOCK_MONOTONIC);
}

void loader_read_stats(struct loader *l, struct ea_stats *sum)
{
        /* Read after every drain, from the mapping: a bpf(2) lookup would be a window in which the
         * syscall tracepoint programs are skipped on this CPU, opened by the daemon itself. */
        memset(sum, 0, sizeof(*sum));
        loader_sum_stats(l->stats, (size_t)l->ncpu, sum);
        if (clock_usec(CLOCK_MONOTONIC) - l->skipped_read_usec >= 1000000u)
                loader_refresh_skipped(l);
        sum->n[EA_STAT_SKIPPED] += l->skipped_now;
}

void loader_close(struct loader *l, bool unpin)
{
        if (l->active)
                munmap(l->active, l->active_len);
        l->active = NULL;
        if (l->state)
                munmap(l->state, l->active_len);
        l->state = NULL;
        if (l->stats)
                munmap((void *)l->stats, l->stats_len);
        l->stats = NULL;
        idle_close(&l->idle);
        if (l->pb)
                perf_buffer__free(l->pb);
        l->pb = NULL;
        free(l->ring_cpu);
        l->ring_cpu = NULL;
        if (unpin && l->pinned) {
                int r = remove_pin_dir(l->pin_path, l->skel);

                if (r < 0)
                        log_warning_errno(r, "Cannot remove the pins in %s", l->pin_path);
                l->pinned = false;
        }
        /* Without unpin, the pins keep the links: destroying our handles does not detach them. */
        if (l->skel)
                for (int i = 0; i < l->skel->skeleton->prog_cnt; i++)
                        if (*l->skel->skeleton->progs[i].link && !unpin)
                                bpf_link__disconnect(*l->skel->skeleton->progs[i].link);
        execaudit__destroy(l->skel);
        l->skel = NULL;
        free(l->buffer_peak);
        l->buffer_peak = NULL;
        skipped_close(&l->skipped);
        if (l->lock_fd >= 0) {
                /* The directory made for the lock of a daemon that pinned nothing is not left behind. */
                if (l->made_dir && !l->pinned)
                        rmdir(l->pin_path);
                close(l->lock_fd);
        }
        l->lock_fd = -1;
}

/* The kernel lets go of a link (and detaches its program) in work it queues when the last reference goes:
 * waits, a second at most, until the link id is gone. */
static void wait_link_gone(__u32 id)
{
        for (int i = 0; i < 1000; i++) {
                int fd = bpf_link_get_fd_by_id(id);

                if (fd < 0)
                        return;
                close(fd);
                usleep(1000);
        }
        log_warning("BPF link %u is still held by another process: its program stays attached", id);
}

int loader_detach_pinned(const char *pin_path, uint64_t *skipped)
{
        /* Opened, not loaded: only the names of its maps and programs are wanted. */
        struct execaudit *skel = execaudit__open();
        const struct bpf_object_skeleton *sk;
        struct skipped progs;
        char path[PATH_MAX];
        int r;
        DIR *d;

        *skipped = 0;
        if (!skel)
                return -errno;
        d = open_own_pin_dir(pin_path, skel, &r);
        if (d)
                closedir(d);
        /* Held across the unlinks: what they skipped up to their last run is read after it. */
        skipped_init(&progs);
        if (d && r >= 0 && skipped_hold_pinned(&progs, pin_path) < 0)
                log_warning(
                        "Cannot read how many runs the kernel skipped of the programs in %s: records lost "
                        "that way are not reported",
                        pin_path);
        sk = skel->skeleton;
        for (int i = 0; d && i < sk->prog_cnt && r >= 0; i++) {
                struct bpf_link_info info = {};
                __u32 len = sizeof(info);
                int fd;

                r = pin_file(path, pin_path, "link_", sk->progs[i].name);
                fd = r < 0 ? -1 : bpf_obj_get(path);
                if (fd < 0)
                        continue;
                r = bpf_obj_get_info_by_fd(fd, &info, &len) < 0 ? -errno : 0;
                close(fd);
                if (r >= 0 && unlink(path) < 0)
                        r = -errno;
                if (r >= 0)
                        wait_link_gone(info.id);
        }
        /* And the runs that had started before. */
        if (d && r >= 0) {
                wait_runs_in_progress();
                *skipped = skipped_count(&progs);
        }
        skipped_close(&progs);
        execaudit__destroy(skel);
        return r;
}

int loader_keep_skipped(const char *pin_path, uint64_t skipped)
{
        struct ea_stats *value;
        __u32 keys, key = 0;
        int per_key, fd = open_pin(pin_path, "stats"), r = stats_shape(fd, &keys, &per_key, &value);

        /* The programs are detached: nothing counts into the element between the lookup and the update. */
        if (r >= 0 && bpf_map_lookup_elem(fd, &key, value) < 0)
                r = -errno;
        if (r >= 0) {
                value[0].n[EA_STAT_SKIPPED] += skipped;
                if (bpf_map_update_elem(fd, &key, value, BPF_ANY) < 0)
                        r = -errno;
        }
        free(value);
        if (fd >= 0)
                close(fd);
        return r;
}

int loader_remove_pins(const char *pin_path)
{
        struct execaudit *skel = execaudit__open();
        int r = skel ? remove_pin_dir(pin_path, skel) : -errno;

        execaudit__destroy(skel);
        return r;
}

int loader_write_pinned_state(const char *pin_path, const struct ea_daemon_state *st)
{
        unsigned char *value;
        __u32 key = 0;
        int fd = open_pin(pin_path, "daemon_state"),
            r = state_value(fd, offsetof(struct ea_daemon_state, failed_untracked_reported), &value);

        /* An earlier layout's takes as much of st as it has room for, a later one's keeps what follows */
        if (r >= 0) {
                memcpy(value, st, (size_t)r < sizeof(*st) ? (size_t)r : sizeof(*st));
                if (bpf_map_update_elem(fd, &key, value, BPF_ANY) < 0)
                        r = -errno;
        }
        free(value);
        if (fd >= 0)
                close(fd);
        return r < 0 ? r : 0;
}

int loader_read_pinned(const char *pin_path, struct ea_pin_version *version, struct ea_daemon_state *state,
                       uint64_t *seq, struct ea_stats *sum, int *links)
{
        struct skipped progs;
        int fd, r;
        struct dirent *de;
        DIR *d;

        memset(sum, 0, sizeof(*sum));
        r = read_pinned(pin_path, "pin_version", version, sizeof(*version));
        if (r >= 0) {
                fd = open_pin(pin_path, "daemon_state");
                r = read_state(fd, state);
                if (fd >= 0)
                        close(fd);
        }
        if (r >= 0)
                r = read_pinned(pin_path, "seq", seq, sizeof(*seq));
        fd = r < 0 ? r : open_pin(pin_path, "stats");
        r = sum_stats(fd, sum);
        if (fd >= 0)
                close(fd);
        if (r < 0)
                return r;
        skipped_init(&progs);
        skipped_hold_pinned(&progs, pin_path);
        sum->n[EA_STAT_SKIPPED] += skipped_count(&progs);
        skipped_close(&progs);
        *links = 0;
        d = opendir(pin_path);
        while (d && (de = readdir(d)))
                *links += strncmp(de->d_name, "link_", 5) == 0;
        if (d)
                closedir(d);
        return 0;
}

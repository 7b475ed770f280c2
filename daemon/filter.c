// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The apply step of the configuration. Everything is written into the slot the kernel is not using,
 * and only the final atomic store of the "active" word makes it take effect, so a failure half-way leaves
 * the configuration in force untouched and an exec is never judged by a mix of two configurations.
 */
#include <errno.h>
#include <linux/membarrier.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "cgroup.h"
#include "execaudit.skel.h"
#include "filter.h"
#include "sha256.h"
#include "log.h"

#define UNIT_RESCAN_USEC (1000 * 1000)

int filter_state_init(struct filter_state *fs)
{
        int r;

        memset(fs, 0, sizeof(*fs));
        r = cgroup2_mount_path(fs->mount, sizeof(fs->mount));
        if (r < 0) {
                fs->mount[0] = '\0';
                return log_warning_errno(r, "No cgroup2 mount found: cgroup filters match nothing");
        }
        return 0;
}

/* The cgroup id (its directory's inode) at mount + rel, 0 when there is none. */
static uint64_t id_at(const struct filter_state *fs, const char *rel)
{
        char path[PATH_MAX + EA_FILTER_CGROUP_PATH];
        struct stat st;

        snprintf(path, sizeof(path), "%s%s", fs->mount, strcmp(rel, "/") == 0 ? "" : rel);
        if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
                return 0;
        return st.st_ino;
}

/* Finds where an entry is now (units are searched for) and its id; 0 when it does not exist (yet). */
static uint64_t resolve(const struct filter_state *fs, struct filter_cgroup *c)
{
        c->rel[0] = '\0';
        if (!fs->mount[0])
                return 0;
        if (c->entry.unit) {
                if (cgroup_find_unit(fs->mount, c->entry.path, c->rel, sizeof(c->rel)) < 0)
                        return 0;
        } else {
                snprintf(c->rel, sizeof(c->rel), "%s", c->entry.path);
        }
        return id_at(fs, c->rel);
}

uint64_t filter_cgroup_id(void *filter_state, const struct ea_cgroup_entry *e)
{
        struct filter_state *fs = filter_state;

        for (unsigned i = 0; i < fs->n; i++)
                if (fs->cg[i].entry.unit == e->unit && strcmp(fs->cg[i].entry.path, e->path) == 0)
                        return fs->cg[i].id;
        return 0;
}

static void collect(struct filter_state *fs, const struct ea_filter_list *list, uint8_t match, uint32_t slot)
{
        for (uint32_t i = 0; i < list->n_cgroups && fs->n < sizeof(fs->cg) / sizeof(fs->cg[0]); i++) {
                struct filter_cgroup *c = &fs->cg[fs->n++];

                c->entry = list->cgroups[i];
                c->match = match;
                c->slot = slot;
                c->id = resolve(fs, c);
        }
}

void filter_resolve_only(struct filter_state *fs, const struct ea_config *cfg)
{
        fs->n = 0;
        collect(fs, &cfg->filter.include, EA_MATCH_INCLUDE, 0);
        collect(fs, &cfg->filter.exclude, EA_MATCH_EXCLUDE, 0);
}

static void fail(struct config_error *err, const struct ea_config *cfg, const char *key, int r,
                 const char *what)
{
        memset(err, 0, sizeof(*err));
        snprintf(err->file, sizeof(err->file), "%s", cfg->path);
        snprintf(err->section, sizeof(err->section), "Filter");
        snprintf(err->key, sizeof(err->key), "%s", key);
        snprintf(err->message, sizeof(err->message), "%s: %s", what, strerror(-r));
}

/* One entry's hash; the fingerprint is their sum, so the map's iteration order does not matter. */
static uint64_t entry_hash(const void *key, size_t klen, const void *value, size_t vlen)
{
        struct sha256_ctx c;
        uint8_t h[32];
        uint64_t v;

        sha256_init(&c);
        sha256_update(&c, key, klen);
        sha256_update(&c, value, vlen);
        sha256_final(&c, h);
        memcpy(&v, h, sizeof(v));
        return v;
}

static void add_entry(uint64_t *sum, const void *key, size_t klen, const void *value, size_t vlen)
{
        *sum += entry_hash(key, klen, value, vlen);
}

/*
 * ORs a match into a filter set entry (one id can be both included and excluded); fp, when given, follows
 * the change of that one entry.
 */
static int merge(int fd, const void *key, size_t klen, uint8_t match, uint64_t *fp)
{
        uint8_t old = 0, v;
        bool had = true;

        if (bpf_map_lookup_elem(fd, key, &old) < 0) {
                if (errno != ENOENT)
                        return -errno;
                had = false;
        }
        v = old | match;
        if (bpf_map_update_elem(fd, key, &v, BPF_ANY) < 0)
                return -errno;
        if (fp) {
                if (had)
                        *fp -= entry_hash(key, klen, &old, sizeof(old));
                *fp += entry_hash(key, klen, &v, sizeof(v));
        }
        return 0;
}

/* Deletes the entries of one slot (the slot is the first 32 bits of every key). */
static int clear_slot(int fd, size_t key_size, uint32_t slot)
{
        unsigned char prev[32], key[32];
        unsigned char doomed[EA_SLOTS * 128][32];
        size_t n = 0;
        void *p = NULL;
        int r = 0;

        while (n < sizeof(doomed) / sizeof(doomed[0]) && bpf_map_get_next_key(fd, p, key) == 0) {
                uint32_t s;

                memcpy(&s, key, sizeof(s));
                if (s == slot)
                        memcpy(doomed[n++], key, key_size);
                memcpy(prev, key, key_size);
                p = prev;
        }
        for (size_t i = 0; i < n; i++)
                if (bpf_map_delete_elem(fd, doomed[i]) < 0 && errno != ENOENT && r == 0)
                        r = -errno;
        return r;
}

/* set_external() failed for map i of config_map_keys[], at the line that set it: it could not be opened,
 * it is one the filter never takes (why), or the kernel refused it in place of the pins' template. */
static void map_failed(struct config_error *err, const struct ea_config *cfg, int i, int r, bool opened,
                       const char *why)
{
        fail(err, cfg, config_map_keys[i], r,
             !opened ? "cannot open the pinned map"
                     : "cannot use this pinned map (one of another type, key or value size than the one the "
                       "pins were made with needs execauditd --remove-pins and a start)");
        if (cfg->map_at[i].line) {
                snprintf(err->file, sizeof(err->file), "%s", cfg->map_at[i].file);
                err->line = cfg->map_at[i].line;
        }
        if (why)
                snprintf(err->message, sizeof(err->message), "cannot use this pinned map: %s", why);
}

/* -EINVAL with *why set when the map at path is not one the filter can use (loader_check_external_map()).
 * *opened says whether the path led to a map at all. */
static int set_external(struct bpf_map *outer, uint32_t slot, const char *path, bool *opened,
                        const char **why)
{
        int fd, r = 0;

        *opened = true;
        *why = NULL;
        if (!path[0])
                return bpf_map_delete_elem(bpf_map__fd(outer), &slot) < 0 && errno != ENOENT ? -errno : 0;
        fd = bpf_obj_get(path);
        if (fd < 0) {
                *opened = false;
                return -errno;
        }
        r = loader_check_external_map(fd, why);
        /* The kernel refuses a map whose type, key or value size differs from the loaded template. */
        if (r >= 0 && bpf_map_update_elem(bpf_map__fd(outer), &slot, &fd, BPF_ANY) < 0)
                r = -errno;
        close(fd);
        return r;
}

static int add_list(struct loader *l, struct filter_state *fs, const struct ea_filter_list *list,
                    uint8_t match, uint32_t slot)
{
        struct execaudit *skel = l->skel;
        int r = 0;

        for (uint32_t i = 0; i < list->n_mntns && r >= 0; i++) {
                struct ea_id_key k = {.slot = slot, .id = list->mntns[i]};

                r = merge(bpf_map__fd(skel->maps.filter_mntns), &k, sizeof(k), match, NULL);
        }
        for (uint32_t i = 0; i < list->n_commands && r >= 0; i++) {
                struct ea_comm_key k;

                memset(&k, 0, sizeof(k));
                k.slot = slot;
                memcpy(k.comm, list->commands[i], sizeof(k.comm));
                r = merge(bpf_map__fd(skel->maps.filter_comms), &k, sizeof(k), match, NULL);
        }
        for (unsigned i = 0; i < fs->n && r >= 0; i++) {
                struct ea_id_key k = {.slot = slot, .id = fs->cg[i].id};

                if (fs->cg[i].match == match && fs->cg[i].id)
                        r = merge(bpf_map__fd(skel->maps.filter_cgroups), &k, sizeof(k), match, NULL);
        }
        return r;
}

static void build_settings(const struct ea_config *cfg, uint32_t generation, struct ea_settings *s)
{
        const struct ea_filter *f = &cfg->filter;

        memset(s, 0, sizeof(*s));
        s->config_generation = generation;
        s->capture = (cfg->failed_execs ? EA_CAP_FAILED_EXECS : 0) | (cfg->exits ? EA_CAP_EXITS : 0);
        s->max_args_bytes = cfg->max_args_bytes;
        s->filter = (f->include.n_users ? EA_FLT_USERS : 0) | (f->exclude.n_users ? EA_FLT_EXCL_USERS : 0) |
                    (f->include.n_cgroups ? EA_FLT_CGROUPS : 0) |
                    (f->exclude.n_cgroups ? EA_FLT_EXCL_CGROUPS : 0) |
                    (f->include.n_mntns ? EA_FLT_MNTNS : 0) | (f->exclude.n_mntns ? EA_FLT_EXCL_MNTNS : 0) |
                    (f->include.n_commands ? EA_FLT_COMMANDS : 0) |
                    (f->exclude.n_commands ? EA_FLT_EXCL_COMMANDS : 0) |
                    (f->cgroup_map[0] ? EA_FLT_CGROUP_MAP : 0) | (f->mntns_map[0] ? EA_FLT_MNTNS_MAP : 0);
        _Static_assert(EA_UID_RANGES == EA_FILTER_MAX_UID_RANGES, "uid range limits agree");
        _Static_assert(sizeof(struct ea_uid_span) == sizeof(struct ea_uid_range), "uid range layouts agree");
        s->n_users = f->include.n_users;
        memcpy(s->users, f->include.users, sizeof(s->users));
        s->n_exclude_users = f->exclude.n_users;
        memcpy(s->exclude_users, f->exclude.users, sizeof(s->exclude_users));
}

int filter_apply(struct loader *l, struct filter_state *fs, const struct ea_config *cfg, uint32_t generation,
                 struct config_error *err)
{
        struct execaudit *skel = l->skel;
        uint64_t cur = __atomic_load_n(l->active, __ATOMIC_ACQUIRE);
        uint32_t next = (uint32_t)(cur & 1) ^ 1;
        struct filter_state *nfs = malloc(sizeof(*nfs));
        const char *why;
        bool opened;
        struct ea_settings set;
        int r;

        /* The cgroups of the new configuration, kept apart until it is in force: on failure, fs still
         * describes the configuration the kernel applies. */
        if (!nfs) {
                fail(err, cfg, "", -ENOMEM, "cannot apply the configuration");
                return -ENOMEM;
        }
        memcpy(nfs->mount, fs->mount, sizeof(nfs->mount));
        nfs->last_unit_scan_usec = fs->last_unit_scan_usec;
        nfs->n = 0;
        /* The slot about to be rewritten was in force until the last switch, and a program run that read
         * the active word before it may still be judging by it (one reload right after another, and a
         * preempted vCPU). Program runs hold preemption off, so a global membarrier (synchronize_rcu())
         * waits them out. Without it (nohz_full), the window stays, as in execauditd.conf(5). */
        if (syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0) < 0)
                log_debug("membarrier failed (%s): a program run may see the slot change", strerror(errno));

        r = set_external(skel->maps.filter_cgroup_map, next, cfg->filter.cgroup_map, &opened, &why);
        if (r < 0) {
                map_failed(err, cfg, 0, r, opened, why);
                goto out;
        }
        r = set_external(skel->maps.filter_mntns_map, next, cfg->filter.mntns_map, &opened, &why);
        if (r < 0) {
                map_failed(err, cfg, 1, r, opened, why);
                goto out;
        }
        r = clear_slot(bpf_map__fd(skel->maps.filter_cgroups), sizeof(struct ea_id_key), next);
        if (r >= 0)
                r = clear_slot(bpf_map__fd(skel->maps.filter_mntns), sizeof(struct ea_id_key), next);
        if (r >= 0)
                r = clear_slot(bpf_map__fd(skel->maps.filter_comms), sizeof(struct ea_comm_key), next);
        collect(nfs, &cfg->filter.include, EA_MATCH_INCLUDE, next);
        collect(nfs, &cfg->filter.exclude, EA_MATCH_EXCLUDE, next);
        if (r >= 0)
                r = add_list(l, nfs, &cfg->filter.include, EA_MATCH_INCLUDE, next);
        if (r >= 0)
                r = add_list(l, nfs, &cfg->filter.exclude, EA_MATCH_EXCLUDE, next);
        build_settings(cfg, generation, &set);
        if (r >= 0 && bpf_map_update_elem(bpf_map__fd(skel->maps.settings), &next, &set, BPF_ANY) < 0)
                r = -errno;
        if (r < 0) {
                fail(err, cfg, "", r, "cannot write the filter maps");
                goto out;
        }
        for (unsigned i = 0; i < nfs->n; i++)
                if (!nfs->cg[i].id)
                        log_warning("%s %s does not exist (yet): it is matched from when it appears",
                                    nfs->cg[i].entry.unit ? "Unit" : "Cgroup", nfs->cg[i].entry.path);
        /* The switch: one aligned 64-bit store, read once per program run. */
        __atomic_store_n(l->active, ((uint64_t)generation << 32) | next, __ATOMIC_RELEASE);
        memcpy(fs, nfs, sizeof(*fs));
out:
        free(nfs);
        return r;
}

bool filter_poll_pending(struct loader *l, struct filter_state *fs, uint64_t now_usec, uint64_t *fp)
{
        bool changed = false;
        bool units_due = now_usec - fs->last_unit_scan_usec >= UNIT_RESCAN_USEC;
        int fd = bpf_map__fd(l->skel->maps.filter_cgroups);

        for (unsigned i = 0; i < fs->n; i++) {
                struct filter_cgroup *c = &fs->cg[i];
                struct ea_id_key k = {.slot = c->slot};
                uint64_t id;
                int r;

                /* Still there with the same id: nothing to do (one stat per configured cgroup). */
                if (c->id && id_at(fs, c->rel) == c->id)
                        continue;
                if (c->id) {
                        uint8_t v;

                        k.id = c->id;
                        /* The fingerprint takes this change alone: one made behind our back meanwhile
                         * still shows at the next check. */
                        if (bpf_map_lookup_elem(fd, &k, &v) == 0 && bpf_map_delete_elem(fd, &k) == 0)
                                *fp -= entry_hash(&k, sizeof(k), &v, sizeof(v));
                        log_info("%s %s (cgroup id %llu) is gone: matched again when it reappears",
                                 c->entry.unit ? "Unit" : "Cgroup", c->entry.path,
                                 (unsigned long long)c->id);
                        c->id = 0;
                        changed = true;
                }
                if (c->entry.unit && !units_due)
                        continue;
                id = resolve(fs, c);
                if (!id)
                        continue;
                k.id = id;
                r = merge(fd, &k, sizeof(k), c->match, fp);
                if (r < 0) {
                        log_warning_errno(r, "Cannot add cgroup %s to the filter", c->entry.path);
                        continue;
                }
                c->id = id;
                changed = true;
                log_info("%s %s appeared (cgroup id %llu): matched from now on",
                         c->entry.unit ? "Unit" : "Cgroup", c->entry.path, (unsigned long long)id);
        }
        if (units_due)
                fs->last_unit_scan_usec = now_usec;
        return changed;
}

static int add_slot_entries(uint64_t *sum, int fd, size_t key_size, uint32_t slot)
{
        uint8_t key[32], next[32], value = 0;
        void *prev = NULL;

        while (bpf_map_get_next_key(fd, prev, next) == 0) {
                uint32_t s;

                memcpy(key, next, key_size);
                prev = key;
                memcpy(&s, key, sizeof(s));
                if (s != slot || bpf_map_lookup_elem(fd, key, &value) < 0)
                        continue;
                add_entry(sum, key, key_size, &value, sizeof(value));
        }
        return errno == ENOENT ? 0 : -errno;
}

int filter_fingerprint(struct loader *l, uint64_t *out)
{
        struct execaudit *skel = l->skel;
        uint64_t active = __atomic_load_n(l->active, __ATOMIC_ACQUIRE), sum = 0;
        uint32_t slot = (uint32_t)(active & 1);
        struct ea_settings set;
        int r;

        if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.settings), &slot, &set) < 0)
                return -errno;
        add_entry(&sum, &active, sizeof(active), &set, sizeof(set));
        r = add_slot_entries(&sum, bpf_map__fd(skel->maps.filter_cgroups), sizeof(struct ea_id_key), slot);
        if (r >= 0)
                r = add_slot_entries(&sum, bpf_map__fd(skel->maps.filter_mntns), sizeof(struct ea_id_key),
                                     slot);
        if (r >= 0)
                r = add_slot_entries(&sum, bpf_map__fd(skel->maps.filter_comms), sizeof(struct ea_comm_key),
                                     slot);
        *out = sum;
        return r;
}

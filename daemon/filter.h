/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Applying a parsed configuration to the kernel: the inactive slot of the settings and filter maps is
 * filled, then the "active" word is flipped in one atomic store (see bpf/execaudit.h). Also resolves
 * cgroup paths and unit names to cgroup ids, and keeps watching the ones that do not exist yet.
 */
#ifndef EA_FILTER_H
#define EA_FILTER_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "loader.h"

struct filter_cgroup {
        struct ea_cgroup_entry entry;
        char rel[EA_FILTER_CGROUP_PATH]; /* where it was found, relative to the mount ("" when not found) */
        uint8_t match;                   /* EA_MATCH_INCLUDE or EA_MATCH_EXCLUDE */
        uint64_t id;                     /* 0 until the cgroup exists */
        uint32_t slot;                   /* the slot it was applied to */
};

struct filter_state {
        char mount[PATH_MAX]; /* cgroup2 mount point, "" when there is none */
        unsigned n;
        struct filter_cgroup cg[2 * EA_FILTER_MAX_CGROUPS];
        uint64_t last_unit_scan_usec;
};

int filter_state_init(struct filter_state *fs);
/*
 * Applies cfg as configuration `generation`. On failure nothing the kernel uses has changed, and err says
 * which key could not be applied and why.
 */
int filter_apply(struct loader *l, struct filter_state *fs, const struct ea_config *cfg, uint32_t generation,
                 struct config_error *err);
/* Cgroups of the active configuration that did not exist start matching when they appear, and ones that
 * were removed and created again (a restarted unit gets a new cgroup, with a new id) are followed. True
 * when the filter maps changed; *fp (filter_fingerprint()'s) follows these changes, and these alone. */
bool filter_poll_pending(struct loader *l, struct filter_state *fs, uint64_t now_usec, uint64_t *fp);
/*
 * A fingerprint of what the kernel applies now: the active word, the active slot's settings and its
 * entries in the filter maps (not the contents of CgroupMap=/MountNamespaceMap=, which other tools own).
 * Anything that changes it outside the daemon changed the filter behind its back.
 */
int filter_fingerprint(struct loader *l, uint64_t *out);
/* For config_filter_summary(): the id a cgroup entry resolved to, 0 when it does not exist (yet). */
uint64_t filter_cgroup_id(void *filter_state, const struct ea_cgroup_entry *e);
/* Resolves every cgroup entry of cfg without touching BPF (for --check-config). */
void filter_resolve_only(struct filter_state *fs, const struct ea_config *cfg);

#endif

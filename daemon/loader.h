/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The BPF side's lifecycle: filesystems and privileges checked, skeleton opened, loaded, configured,
 * attached and pinned under PinPath; perf buffers opened; settings and counters read and written.
 */
#ifndef EA_LOADER_H
#define EA_LOADER_H

#include <bpf/libbpf.h>
#include <linux/types.h>
#include <stdbool.h>

#include "config.h"
#include "execaudit.h"

struct execaudit;

struct loader {
        struct execaudit *skel;
        struct perf_buffer *pb;
        struct {
                perf_buffer_sample_fn sample;
                perf_buffer_lost_fn lost;
                void *ctx;
        } raw;
        char pin_path[PATH_MAX];
        bool pinned;
};

/* Root (CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN) and kernel BTF, with a message saying what is missing. */
int loader_check_system(void);
/* bpffs under the pin path and tracefs, mounted when missing, as systemd does at boot. */
int loader_mount_filesystems(const char *pin_path);
/* Everything up to (not including) attaching: open, load, settings, pins of the maps. */
int loader_load(struct loader *l, const struct ea_config *cfg, uint32_t generation);
int loader_open_perf_buffer(struct loader *l, unsigned pages, perf_buffer_sample_fn sample,
                            perf_buffer_lost_fn lost, void *ctx);
int loader_attach(struct loader *l);
int loader_apply_settings(struct loader *l, const struct ea_config *cfg, uint32_t generation);
int loader_read_stats(struct loader *l, struct ea_stats *sum);
/* Detaches and frees everything; with unpin, also removes the pins (and so the programs) from PinPath. */
void loader_close(struct loader *l, bool unpin);
void loader_settings_from_config(const struct ea_config *cfg, uint32_t generation, struct ea_settings *out);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A reload's reading of the configuration on a thread of its own. Reading looks user names up through
 * NSS (Users=, ExcludeUsers=), and a name service such as LDAP behind sssd or nss-systemd may take
 * seconds to answer; the event loop that drains the perf buffers must go on meanwhile, or a busy host
 * overflows them. Only the reading runs here: applying the result to the BPF maps stays on the loop.
 */
#ifndef EA_RELOAD_H
#define EA_RELOAD_H

#include "config.h"

struct reload_job;

/* Starts reading path (and its drop-ins) with res on a new thread. */
int reload_job_start(struct reload_job **out, const char *path, const struct config_resolver *res);
/* Readable once the reading is done. */
int reload_job_fd(const struct reload_job *j);
/* Once done, and once only: config_load_with()'s result; on success *cfg is the new configuration (the
 * caller's to free), on error *err says why. -EBUSY while still reading. */
int reload_job_result(struct reload_job *j, struct ea_config **cfg, struct config_error *err);
/* Gives the job up, done or not: a reading still blocked in a name service ends on its own and frees it. */
void reload_job_release(struct reload_job *j);

#endif

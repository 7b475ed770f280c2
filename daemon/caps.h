/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Capabilities given up once they have served. */
#ifndef EA_CAPS_H
#define EA_CAPS_H

#include <linux/capability.h>
#include <stdbool.h>

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

/*
 * Drops cap from the calling thread's effective, permitted and inheritable sets (capabilities are per
 * thread: each thread drops its own). Nothing to do when it is not permitted. 0 or a negative errno.
 */
int caps_drop(int cap);
/* Whether the calling thread has cap in its effective set (false when that cannot be read). */
bool caps_have(int cap);

#endif

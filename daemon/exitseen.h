/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Exits already received, by process image (pid and exec time, as in EXEC_ID): whether a process is known
 * to be gone when its exec record is written, so that the record does not send journald to /proc/PID,
 * where it would find nothing, or another process that got the PID since. Direct-mapped and fixed in size:
 * a collision forgets the older entry, which only means "not known to be gone".
 */
#ifndef EA_EXITSEEN_H
#define EA_EXITSEEN_H

#include <stdbool.h>
#include <stdint.h>

#define EXIT_SEEN_SLOTS 8192

struct exit_seen {
        struct {
                uint64_t exec_ktime_ns; /* 0: empty (no image is exec'd at time 0) */
                uint32_t pid;
        } slot[EXIT_SEEN_SLOTS];
};

void exit_seen_add(struct exit_seen *s, uint32_t pid, uint64_t exec_ktime_ns);
bool exit_seen_has(const struct exit_seen *s, uint32_t pid, uint64_t exec_ktime_ns);

#endif

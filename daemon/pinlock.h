/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One daemon per PinPath. Two would share the pinned perf event array, and the second to open its buffers
 * would take every event from the first without a word; --remove-pins under a running daemon would leave
 * it auditing through programs that no pin shows. The lock is flock(2) on the pin directory itself, so it
 * goes with the process however it ends, and needs no file of its own in bpffs (which holds only pins).
 */
#ifndef EA_PINLOCK_H
#define EA_PINLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * Takes the lock on dir, creating dir (mode 0700) first when create is set; *made (when not NULL) says
 * whether it did. A holder that lets go within about 50 ms (pinlock_held() elsewhere) is waited out.
 * Returns the descriptor that holds the lock (close it to release), -EBUSY while another process holds
 * it, -ENOENT when dir is missing and create is not set, or another negative errno.
 */
int pinlock_take(const char *dir, bool create, bool *made);
/* The process holding the lock on dir, from /proc/locks; 0 when none is held or the holder is not known
 * (/proc/locks leaves out locks of processes in a PID namespace it cannot see). */
pid_t pinlock_holder(const char *dir);
/*
 * 1 when a process holds the lock on dir, seen or not, 0 when none does (or dir is missing), or a negative
 * errno. Finds out by taking a shared lock for an instant, which pinlock_take() waits out.
 */
int pinlock_held(const char *dir);
/* "PID 4321" for messages, or what stands for it when the holder is not known. */
void pinlock_holder_name(const char *dir, char *buf, size_t n);

#endif

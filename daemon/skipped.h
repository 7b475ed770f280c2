/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Runs of the programs that send records which the kernel skipped: a BPF program does not run while
 * another BPF context holds its CPU (bpf_prog_active for syscall tracepoint programs, e.g. a preempted
 * bpf(2) map syscall on a preemptible kernel; the program's own recursion for tp_btf ones), and the kernel
 * counts each skip only in the program's bpf_prog_info.recursion_misses. Each may be a record that was
 * never sent, and no sequence number tells.
 */
#ifndef EA_SKIPPED_H
#define EA_SKIPPED_H

#include <stdint.h>

/* ea_exec, ea_exit_execve, ea_exit_execveat, ea_exit; not the syscall entries (a skipped entry only costs
 * the record its duration, see EXEC_DURATION_NSEC). */
#define SKIPPED_PROGS 4
extern const char *const skipped_prog_names[SKIPPED_PROGS];

struct skipped {
        int fd[SKIPPED_PROGS]; /* the programs, held: -1 when not */
};

void skipped_init(struct skipped *s);
/*
 * Holds the programs the link pins under pin_path (link_<name>) run, so that they can be read after the
 * links are gone (or CAP_SYS_ADMIN, which BPF_PROG_GET_FD_BY_ID needs, is). A missing pin is left out;
 * the first other error is returned (what was held stays held).
 */
int skipped_hold_pinned(struct skipped *s, const char *pin_path);
/* The held programs' skipped runs, summed. */
uint64_t skipped_count(const struct skipped *s);
void skipped_close(struct skipped *s);

#endif

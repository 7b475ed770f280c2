// SPDX-License-Identifier: GPL-2.0-or-later
#include "exitseen.h"

static unsigned slot_of(uint32_t pid, uint64_t exec_ktime_ns)
{
        uint64_t h = (exec_ktime_ns ^ ((uint64_t)pid << 32 | pid)) * 0x9e3779b97f4a7c15ULL;

        return (unsigned)(h >> 32) & (EXIT_SEEN_SLOTS - 1);
}

void exit_seen_add(struct exit_seen *s, uint32_t pid, uint64_t exec_ktime_ns)
{
        unsigned i = slot_of(pid, exec_ktime_ns);

        if (!exec_ktime_ns)
                return;
        s->slot[i].exec_ktime_ns = exec_ktime_ns;
        s->slot[i].pid = pid;
}

bool exit_seen_has(const struct exit_seen *s, uint32_t pid, uint64_t exec_ktime_ns)
{
        unsigned i = slot_of(pid, exec_ktime_ns);

        return exec_ktime_ns && s->slot[i].exec_ktime_ns == exec_ktime_ns && s->slot[i].pid == pid;
}

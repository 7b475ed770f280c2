/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Clock readings in microseconds, the unit of journald's timestamps and of EXEC_TIMESTAMP. */
#ifndef EA_TIME_UTIL_H
#define EA_TIME_UTIL_H

#include <stdint.h>
#include <time.h>

static inline uint64_t clock_usec(clockid_t clock)
{
        struct timespec ts;

        clock_gettime(clock, &ts);
        return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

#endif

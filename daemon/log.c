// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Diagnostics to stderr. Under systemd stderr is a journald stream; a "<N>" prefix sets the priority of
 * each line there. %m in messages is not used: errors are passed explicitly and appended as strerror text.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

static int max_level = LOG_INFO;
static bool prefix_priority;

void log_set_max_level(int level)
{
        max_level = level;
}

int log_get_max_level(void)
{
        return max_level;
}

/* JOURNAL_STREAM is "device:inode" of the stream systemd connected; only trust it if stderr is that. */
void log_init(void)
{
        const char *e = getenv("JOURNAL_STREAM");
        unsigned long long dev, ino;
        struct stat st;

        if (!e || sscanf(e, "%llu:%llu", &dev, &ino) != 2 || fstat(STDERR_FILENO, &st) < 0)
                return;
        prefix_priority = st.st_dev == dev && st.st_ino == ino;
}

int log_full_errno(int level, int err, const char *fmt, ...)
{
        int saved = errno;
        va_list ap;

        if (err < 0)
                err = -err;
        if (level <= max_level) {
                /* The writer thread logs too: one line must not be cut by another's. */
                flockfile(stderr);
                if (prefix_priority)
                        fprintf(stderr, "<%d>", level);
                else
                        fputs("execauditd: ", stderr);
                va_start(ap, fmt);
                vfprintf(stderr, fmt, ap);
                va_end(ap);
                if (err)
                        fprintf(stderr, ": %s", strerror(err));
                fputc('\n', stderr);
                funlockfile(stderr);
        }
        errno = saved;
        return -err;
}

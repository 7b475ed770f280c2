// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "pinlock.h"

/*
 * flock(fd, how | LOCK_NB), waiting out a holder that lets go within about 50 ms: pinlock_held() holds a
 * shared lock for an instant, and a daemon starting at that instant must not take it for another daemon.
 * -EBUSY when the lock stays held.
 */
static int lock_briefly_held(int fd, int how)
{
        static const struct timespec pause = {.tv_nsec = 5 * 1000 * 1000};

        for (int attempt = 0;; attempt++) {
                if (flock(fd, how | LOCK_NB) == 0)
                        return 0;
                if (errno != EWOULDBLOCK)
                        return -errno;
                if (attempt == 10)
                        return -EBUSY;
                nanosleep(&pause, NULL);
        }
}

int pinlock_take(const char *dir, bool create, bool *made)
{
        struct stat held, now;
        int fd, r;

        if (made)
                *made = false;
        /* The holder removes the directory (--remove-pins) before it lets go: a lock taken on the removed
         * one protects nothing, so it is taken again on what the path names now. */
        for (int attempt = 0; attempt < 8; attempt++) {
                r = create ? (mkdir(dir, 0700) < 0 ? -errno : 1) : 0;
                if (r < 0 && r != -EEXIST)
                        return r;
                if (r > 0 && made)
                        *made = true;
                fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (fd < 0) {
                        if (errno == ENOENT && create)
                                continue;
                        return -errno;
                }
                r = lock_briefly_held(fd, LOCK_EX);
                if (r < 0) {
                        close(fd);
                        return r;
                }
                if (fstat(fd, &held) >= 0 && stat(dir, &now) >= 0 && held.st_dev == now.st_dev &&
                    held.st_ino == now.st_ino)
                        return fd;
                close(fd);
        }
        return -EAGAIN;
}

pid_t pinlock_holder(const char *dir)
{
        unsigned long ino;
        unsigned ma, mi;
        char line[256];
        struct stat st;
        pid_t found = 0;
        int pid;
        FILE *f;

        if (stat(dir, &st) < 0)
                return 0;
        f = fopen("/proc/locks", "re");
        if (!f)
                return 0;
        /* "1: FLOCK  ADVISORY  WRITE 4321 00:26:188894 0 EOF"; a waiter's line reads "1: -> FLOCK ...". */
        while (!found && fgets(line, sizeof(line), f))
                if (sscanf(line, "%*d: FLOCK ADVISORY WRITE %d %x:%x:%lu", &pid, &ma, &mi, &ino) == 4 &&
                    pid > 0 && makedev(ma, mi) == st.st_dev && ino == st.st_ino)
                        found = pid;
        fclose(f);
        return found;
}

int pinlock_held(const char *dir)
{
        int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), r;

        if (fd < 0)
                return errno == ENOENT ? 0 : -errno;
        if (flock(fd, LOCK_SH | LOCK_NB) == 0)
                r = 0;
        else
                r = errno == EWOULDBLOCK ? 1 : -errno;
        close(fd); /* lets go of the shared lock, if taken */
        return r;
}

void pinlock_holder_name(const char *dir, char *buf, size_t n)
{
        pid_t pid = pinlock_holder(dir);

        if (pid > 0)
                snprintf(buf, n, "PID %d", (int)pid);
        else
                snprintf(buf, n, "a process not visible here");
}

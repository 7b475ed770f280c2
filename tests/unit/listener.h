/*
 * listener.h: journald's socket, played by the unit tests that send to it (test-journal.c, test-writer.c):
 * a datagram socket bound at path, with a receive buffer large enough for the entries they send.
 */
#pragma once

#include "check.h"

#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static inline int bind_listener(const char *path)
{
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        int big = 4 << 20;

        unlink(path);
        strcpy(sa.sun_path, path);
        if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
                FAIL("cannot bind %s: %m", path);
                return -1;
        }
        (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
        return fd;
}

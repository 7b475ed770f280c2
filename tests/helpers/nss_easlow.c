// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libnss_easlow.so.2: a name service as slow as an unreachable LDAP server behind sssd, for
 * test_config.py. It knows one user, "ea-slow" (uid 4242); looking it up creates "$EA_NSS_GATE.asked",
 * then answers only once the file $EA_NSS_GATE exists (after 120 s at the latest). Every other name is
 * left to the next service in nsswitch.conf. Not installed.
 */
#include <errno.h>
#include <fcntl.h>
#include <nss.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SLOW_USER "ea-slow"
#define SLOW_UID  4242

enum nss_status _nss_easlow_getpwnam_r(const char *name, struct passwd *pw, char *buf, size_t size,
                                       int *errnop);

static void wait_for_gate(void)
{
        const char *gate = getenv("EA_NSS_GATE");
        char asked[4096];
        int fd;

        if (!gate || (size_t)snprintf(asked, sizeof(asked), "%s.asked", gate) >= sizeof(asked))
                return;
        fd = open(asked, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd >= 0)
                close(fd);
        for (int i = 0; i < 120 * 100 && access(gate, F_OK) < 0; i++)
                nanosleep(&(struct timespec){.tv_nsec = 10 * 1000 * 1000}, NULL);
}

enum nss_status _nss_easlow_getpwnam_r(const char *name, struct passwd *pw, char *buf, size_t size,
                                       int *errnop)
{
        static const char dir[] = "/", shell[] = "/usr/sbin/nologin";
        size_t need = sizeof(SLOW_USER) + sizeof(dir) + sizeof(shell) + 1;

        if (strcmp(name, SLOW_USER) != 0)
                return NSS_STATUS_NOTFOUND;
        if (size < need) {
                *errnop = ERANGE;
                return NSS_STATUS_TRYAGAIN;
        }
        wait_for_gate();
        memcpy(buf, SLOW_USER, sizeof(SLOW_USER));
        memcpy(buf + sizeof(SLOW_USER), dir, sizeof(dir));
        memcpy(buf + sizeof(SLOW_USER) + sizeof(dir), shell, sizeof(shell));
        buf[need - 1] = '\0';
        *pw = (struct passwd){.pw_name = buf,
                              .pw_passwd = buf + need - 1,
                              .pw_uid = SLOW_UID,
                              .pw_gid = SLOW_UID,
                              .pw_gecos = buf + need - 1,
                              .pw_dir = buf + sizeof(SLOW_USER),
                              .pw_shell = buf + sizeof(SLOW_USER) + sizeof(dir)};
        return NSS_STATUS_SUCCESS;
}

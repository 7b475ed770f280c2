// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * /init of the machine in which test_kernel.py boots systemd on Debian 12's kernel: it loads the virtio, 9p
 * and overlay modules from /modules (in name order: the test numbers them by dependency; there is no
 * modprobe without modules.dep), mounts this machine's / (9p tag "host", read only) under the files the test
 * adds (9p tag "add") with a tmpfs on top, and makes that the root of systemd. Static: it is alone.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define P9 "trans=virtio,version=9p2000.L,cache=loose,msize=262144"

static int fail(const char *what)
{
        int r = -errno;

        fprintf(stderr, "VMROOT %s: %s\n", what, strerror(errno));
        return r;
}

static int load_modules(void)
{
        struct dirent **names = NULL;
        int n, r = 0;

        n = scandir("/modules", &names, NULL, alphasort);
        if (n < 0)
                return fail("/modules");
        for (int i = 0; i < n; i++) {
                char path[512];
                int fd;

                if (names[i]->d_name[0] == '.' || r < 0)
                        continue;
                snprintf(path, sizeof(path), "/modules/%s", names[i]->d_name);
                fd = open(path, O_RDONLY | O_CLOEXEC);
                if (fd < 0 || (syscall(SYS_finit_module, fd, "", 0) < 0 && errno != EEXIST))
                        r = fail(path);
                if (fd >= 0)
                        close(fd);
        }
        for (int i = 0; i < n; i++)
                free(names[i]);
        free(names);
        return r;
}

/* The root: this machine's / under the test's files, a tmpfs on top for what systemd writes. */
static int mount_root(void)
{
        static const char *const dirs[] = {"/host", "/add", "/rw", "/newroot"};

        for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
                if (mkdir(dirs[i], 0755) < 0 && errno != EEXIST)
                        return fail(dirs[i]);
        if (mount("host", "/host", "9p", MS_RDONLY, P9) < 0)
                return fail("mount host");
        if (mount("add", "/add", "9p", MS_RDONLY, P9) < 0)
                return fail("mount add");
        if (mount("rw", "/rw", "tmpfs", 0, "mode=0755") < 0 || mkdir("/rw/upper", 0755) < 0 ||
            mkdir("/rw/work", 0755) < 0)
                return fail("tmpfs");
        if (mount("root", "/newroot", "overlay", 0,
                  "lowerdir=/add:/host,upperdir=/rw/upper,workdir=/rw/work") < 0)
                return fail("mount overlay");
        /* This machine may be a container (systemd 252 reads /.dockerenv so): the virtual one is not. */
        unlink("/newroot/.dockerenv");
        unlink("/newroot/run/.containerenv");
        /* switch_root(8): the initramfs cannot be unmounted, only covered. */
        if (chdir("/newroot") < 0 || mount(".", "/", NULL, MS_MOVE, NULL) < 0 || chroot(".") < 0 ||
            chdir("/") < 0)
                return fail("switch root");
        return 0;
}

int main(void)
{
        char *const init[] = {"/lib/systemd/systemd", NULL};

        if (load_modules() < 0 || mount_root() < 0)
                return 1; /* the kernel panics, and qemu (-no-reboot) exits */
        execv(init[0], init);
        fail(init[0]);
        return 1;
}

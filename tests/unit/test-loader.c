// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit test for loader_bpffs_advice(): what a start is told when the directory PinPath= is in is not on a
 * bpffs. A mount is suggested on /sys/fs/bpf alone, never over a directory such as / or /etc; below a
 * bpffs, a missing directory is to be made, not mounted on. The file systems are a table here.
 */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "loader.h"

/* A directory that exists, and whether it is on a bpffs (1), on another file system (0), or cannot be
 * looked at (-errno). */
struct dir {
        const char *path;
        int bpffs;
};

/* The machine of the case at hand. */
static const struct dir *machine;

static const struct dir no_bpffs[] = {{"/", 0},           {"/etc", 0}, {"/sys", 0}, {"/sys/fs", 0},
                                      {"/sys/fs/bpf", 0}, {"/mnt", 0}, {NULL, 0}};
static const struct dir bpffs[] = {
        {"/", 0},           {"/etc", 0},          {"/sys", 0}, {"/sys/fs", 0},
        {"/sys/fs/bpf", 1}, {"/sys/fs/bpf/a", 1}, {"/mnt", 0}, {"/sys/fs/bpf/tmp", 0},
        {"/mnt/bpf", 1},    {"/proc", -EACCES},   {NULL, 0}};

static int fake_is_bpffs(const char *path)
{
        for (size_t i = 0; machine[i].path; i++)
                if (strcmp(machine[i].path, path) == 0)
                        return machine[i].bpffs;
        return -ENOENT;
}

static void check_advice(const struct dir *m, const char *dir, bool service, const char *want)
{
        char out[1024];
        const char *mount;

        machine = m;
        set_case("%s%s", dir, service ? " (service)" : "");
        loader_bpffs_advice(dir, service, fake_is_bpffs, out, sizeof(out));
        CHECK_STR(out, want);
        mount = strstr(out, "mount -t bpf bpf ");
        CHECK_WHY(!mount || (strcspn(mount + 17, ",)") == strlen(EA_BPFFS_MOUNT) &&
                             strncmp(mount + 17, EA_BPFFS_MOUNT, strlen(EA_BPFFS_MOUNT)) == 0),
                  "a mount is only ever suggested on /sys/fs/bpf");
}

#define ON_ONE "PinPath= names a directory on one, such as /sys/fs/bpf/execauditd"

int main(void)
{
        /* /sys/fs/bpf without its bpffs: mount it there, where systemd does, then make what is missing. */
        check_advice(no_bpffs, "/sys/fs/bpf", false,
                     "no BPF file system on /sys/fs/bpf (mount -t bpf bpf /sys/fs/bpf)");
        check_advice(no_bpffs, "/sys/fs/bpf/a/b", false,
                     "no BPF file system on /sys/fs/bpf (mount -t bpf bpf /sys/fs/bpf, then mkdir -p "
                     "/sys/fs/bpf/a/b)");
        check_advice(
                no_bpffs, "/sys/fs/bpf", true,
                "no BPF file system on /sys/fs/bpf, and a service does not mount one (systemd mounts it at "
                "boot: sys-fs-bpf.mount)");
        check_advice(
                no_bpffs, "/sys/fs/bpf/a", true,
                "no BPF file system on /sys/fs/bpf, and a service does not mount one (systemd mounts it at "
                "boot: sys-fs-bpf.mount); then create /sys/fs/bpf/a on it");
        /* A name that only starts like /sys/fs/bpf is elsewhere. */
        check_advice(no_bpffs, "/sys/fs/bpfx", false,
                     "/sys/fs/bpfx does not exist, and /sys/fs is not on a BPF file system: " ON_ONE);

        /* Anywhere else, no mount: not over /, /etc or an empty /mnt, nor on a directory yet to be made. */
        check_advice(no_bpffs, "/etc", false, "/etc is not on a BPF file system: " ON_ONE);
        check_advice(no_bpffs, "/", false, "/ is not on a BPF file system: " ON_ONE);
        check_advice(no_bpffs, "/mnt", false, "/mnt is not on a BPF file system: " ON_ONE);
        check_advice(no_bpffs, "/etc/ea/pins", false,
                     "/etc/ea/pins does not exist, and /etc is not on a BPF file system: " ON_ONE);
        check_advice(no_bpffs, "/x", true, "/x does not exist, and / is not on a BPF file system: " ON_ONE);

        /* Below a bpffs (/sys/fs/bpf or another mount), a missing directory is only to be made. */
        check_advice(bpffs, "/sys/fs/bpf/a/b/c", false,
                     "/sys/fs/bpf/a/b/c does not exist: create it (mkdir -p "
                     "/sys/fs/bpf/a/b/c)");
        check_advice(bpffs, "/sys/fs/bpf/x", true,
                     "/sys/fs/bpf/x does not exist: create it (mkdir -p /sys/fs/bpf/x)");
        check_advice(bpffs, "/mnt/bpf/x", false,
                     "/mnt/bpf/x does not exist: create it (mkdir -p /mnt/bpf/x)");
        /* Another file system mounted inside the bpffs is not mounted over either. */
        check_advice(bpffs, "/sys/fs/bpf/tmp", false,
                     "/sys/fs/bpf/tmp is not on a BPF file system: " ON_ONE);
        check_advice(bpffs, "/mnt/x", false,
                     "/mnt/x does not exist, and /mnt is not on a BPF file system: " ON_ONE);
        /* What cannot be looked at is said so, not guessed. */
        check_advice(bpffs, "/proc", false,
                     "cannot tell whether /proc is on a BPF file system: Permission denied");
        return check_summary("test-loader");
}

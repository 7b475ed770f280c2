/*
 * Unit test for daemon/cgroup.c.
 *
 * cgroup2_mount_from_mountinfo() on mountinfo texts as found on unified and hybrid hosts, with optional
 * fields and octal escapes; then, as root, a live check of cgroup_resolve() against the running kernel:
 * the cgroup2 root and a cgroup created by the test, identified by the inode numbers of their
 * directories (which are the cgroup ids on 64-bit kernels), and cgroups nested past PATH_MAX.
 * cgroup_find_unit() on a directory tree laid out like a systemd host's, with decoys in delegated subtrees.
 * Removed cgroups named from a real BPF map of their paths.
 */
#include "cgroup.h"
#include "check.h"
#include "execaudit.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

/* Debian 12 / systemd, unified hierarchy only. */
static const char unified[] =
        "22 28 0:20 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
        "23 28 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw\n"
        "24 28 0:5 / /dev rw,nosuid,relatime shared:2 - devtmpfs udev "
        "rw,size=4001748k,nr_inodes=1000437,mode=755\n"
        "28 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw,errors=remount-ro\n"
        "30 22 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 "
        "rw,nsdelegate,memory_recursiveprot\n"
        "31 22 0:27 / /sys/fs/pstore rw,nosuid,nodev,noexec,relatime shared:10 - pstore pstore rw\n"
        "32 22 0:28 / /sys/fs/bpf rw,nosuid,nodev,noexec,relatime shared:11 - bpf bpf rw,mode=700\n";

/* systemd hybrid mode: a tmpfs at /sys/fs/cgroup, v1 hierarchies, and cgroup2 at .../unified. */
static const char hybrid[] =
        "24 29 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
        "31 24 0:28 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755\n"
        "33 31 0:30 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup "
        "rw,xattr,name=systemd\n"
        "36 31 0:33 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:16 - cgroup cgroup "
        "rw,cpu,cpuacct\n"
        "37 31 0:34 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:17 - cgroup cgroup "
        "rw,memory\n"
        "32 31 0:29 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 "
        "rw,nsdelegate\n"
        "38 31 0:35 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:18 - cgroup cgroup "
        "rw,pids\n";

/* A container: several optional fields, and the cgroup2 line last, without a final newline. */
static const char optional[] =
        "500 400 0:50 / / rw,relatime master:1 - overlay overlay rw,lowerdir=/a\n"
        "501 500 0:51 / /proc rw,nosuid shared:5 master:1 propagate_from:2 unbindable - "
        "proc proc rw\n"
        "502 500 0:52 /docker/abc /sys/fs/cgroup ro,nosuid,nodev shared:5 master:1 - "
        "cgroup2 cgroup rw,nsdelegate";

/* Mount points with octal escapes: space (\040), tab (\011), backslash (\134). */
static const char escaped[] =
        "22 1 0:20 / /sys rw - sysfs sysfs rw\n"
        "40 22 0:40 / /mnt/my\\040cgroup\\011tab\\134back rw,relatime - cgroup2 none rw\n";

/* No cgroup2, but every near miss: v1 cgroup, a source named cgroup2, an fs type starting with cgroup2. */
static const char none[] = "22 1 0:20 / /sys rw - sysfs sysfs rw\n"
                           "33 31 0:30 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,name=systemd\n"
                           "34 31 0:31 / /sys/fs/cgroup/x rw - tmpfs cgroup2 rw\n"
                           "35 31 0:32 / /sys/fs/cgroup/y rw - cgroup2fs cgroup2 rw\n"
                           "36 31 0:33 / /mnt/a\\040-\\040cgroup2\\040b rw - ext4 /dev/sda1 rw\n"
                           "41 31 0:38 / /sys/fs/cgroup/unified\n"
                           "\n";

static void expect_mount(const char *label, const char *text, const char *want, bool want_whole)
{
        char out[4096];
        bool whole = !want_whole;

        set_case("%s", label);
        memset(out, 'X', sizeof(out));
        CHECK_NUM(cgroup2_mount_from_mountinfo(text, out, sizeof(out), &whole), 0);
        out[sizeof(out) - 1] = '\0';
        CHECK_STR(out, want);
        CHECK(whole == want_whole);
}

static void test_mountinfo(void)
{
        char out[64], small[32];

        expect_mount("unified host", unified, "/sys/fs/cgroup", true);
        expect_mount("hybrid host", hybrid, "/sys/fs/cgroup/unified", true);
        /* a container's: its mount's root is its own cgroup */
        expect_mount("optional fields before the separator", optional, "/sys/fs/cgroup", false);
        expect_mount("escaped mount point", escaped, "/mnt/my cgroup\ttab\\back", true);
        expect_mount("single line, no newline", "30 22 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw",
                     "/sys/fs/cgroup", true);
        expect_mount("first of two cgroup2 mounts",
                     "30 22 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"
                     "90 22 0:26 /x /run/other rw - cgroup2 cgroup2 rw\n",
                     "/sys/fs/cgroup", true);
        expect_mount("a subtree mounted", "30 22 0:26 /a /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n",
                     "/sys/fs/cgroup", false);
        expect_mount("a backslash that is not an escape stays",
                     "30 22 0:26 / /a\\9b\\04 rw - cgroup2 cgroup2 rw\n", "/a\\9b\\04", true);

        set_case("no cgroup2 mount");
        CHECK_NUM(cgroup2_mount_from_mountinfo(none, out, sizeof(out), NULL), -ENOENT);
        set_case("empty mountinfo");
        CHECK_NUM(cgroup2_mount_from_mountinfo("", out, sizeof(out), NULL), -ENOENT);
        CHECK_NUM(cgroup2_mount_from_mountinfo("\n\n", out, sizeof(out), NULL), -ENOENT);
        set_case("cgroup2 line cut before the separator");
        CHECK_NUM(cgroup2_mount_from_mountinfo("30 22 0:26 / /sys/fs/cgroup rw,nosuid shared:9 - cgroup2",
                                               out, sizeof(out), NULL),
                  -ENOENT);

        set_case("output buffer too small");
        /* "/sys/fs/cgroup/unified" is 22 bytes: 23 with the NUL. */
        CHECK_NUM(cgroup2_mount_from_mountinfo(hybrid, small, 22, NULL), -ENAMETOOLONG);
        CHECK_NUM(cgroup2_mount_from_mountinfo(hybrid, small, 1, NULL), -ENAMETOOLONG);
        memset(small, 'X', sizeof(small));
        CHECK_NUM(cgroup2_mount_from_mountinfo(hybrid, small, 23, NULL), 0);
        CHECK_STR(small, "/sys/fs/cgroup/unified");
        CHECK(small[23] == 'X'); /* nothing written past out_size */
        set_case("output buffer too small for the decoded escape");
        /* "/mnt/my cgroup\ttab\\back" is 23 bytes decoded. */
        CHECK_NUM(cgroup2_mount_from_mountinfo(escaped, small, 23, NULL), -ENAMETOOLONG);
        CHECK_NUM(cgroup2_mount_from_mountinfo(escaped, small, 24, NULL), 0);
        CHECK_STR(small, "/mnt/my cgroup\ttab\\back");
}

static void test_live(void)
{
        struct cgroup_resolver *c = malloc(sizeof(*c));
        char dir[4200], sub[4300], want[128], want_sub[160];
        struct statfs sfs;
        struct stat st, st_sub;
        const char *p;
        bool made = false, made_sub = false;
        int r;

        if (!c) {
                CHECK(!"out of memory");
                return;
        }
        set_case("cgroup_resolver_init");
        r = cgroup_resolver_init(c);
        CHECK_NUM(r, 0);
        if (r < 0)
                goto out_free;
        CHECK(c->mount_fd >= 0);
        CHECK_NUM(c->mount_len, strlen(c->mount));
        CHECK(statfs(c->mount, &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC);
        fprintf(stderr, "note: cgroup2 is mounted at %s\n", c->mount);

        set_case("cgroup_resolve of the cgroup2 root");
        CHECK(stat(c->mount, &st) == 0);
        CHECK_STR(cgroup_resolve(c, st.st_ino, NULL), "/");
        CHECK_STR(cgroup_resolve(c, st.st_ino, NULL), "/"); /* cached */

        set_case("cgroup_resolve of ids that do not exist");
        CHECK(cgroup_resolve(c, UINT64_MAX, NULL) == NULL);
        CHECK(cgroup_resolve(c, 0, NULL) == NULL);

        if (geteuid() != 0) {
                fprintf(stderr, "note: not root, skipping the check on a cgroup created by the test\n");
                goto out;
        }
        set_case("cgroup_resolve of a cgroup created by the test");
        snprintf(dir, sizeof(dir), "%s/ea-unit-test-%ld", c->mount, (long)getpid());
        snprintf(want, sizeof(want), "/ea-unit-test-%ld", (long)getpid());
        snprintf(sub, sizeof(sub), "%s/child dir", dir);
        snprintf(want_sub, sizeof(want_sub), "/ea-unit-test-%ld/child dir", (long)getpid());
        if (mkdir(dir, 0755) < 0) {
                fprintf(stderr, "FAIL %s:%d: [%s] mkdir %s: %s\n", __FILE__, __LINE__, case_name, dir,
                        strerror(errno));
                failures++;
                goto out;
        }
        made = true;
        CHECK(stat(dir, &st) == 0);
        CHECK_STR(cgroup_resolve(c, st.st_ino, NULL), want);
        if (mkdir(sub, 0755) == 0) {
                made_sub = true;
                set_case("cgroup_resolve of a nested cgroup with a space in its name");
                CHECK(stat(sub, &st_sub) == 0);
                CHECK_STR(cgroup_resolve(c, st_sub.st_ino, NULL), want_sub);
        } else {
                CHECK(!"mkdir of the nested cgroup");
        }

        set_case("second lookup of the test cgroup (cached)");
        p = cgroup_resolve(c, st.st_ino, NULL);
        CHECK_STR(p, want);

        if (made_sub)
                CHECK(rmdir(sub) == 0);
        CHECK(rmdir(dir) == 0);
        made = made_sub = false;

        set_case("a removed cgroup no longer resolves (fresh cache)");
        cgroup_resolver_done(c);
        CHECK_NUM(cgroup_resolver_init(c), 0);
        CHECK(cgroup_resolve(c, st.st_ino, NULL) == NULL);
out:
        if (made_sub)
                rmdir(sub);
        if (made)
                rmdir(dir);
        cgroup_resolver_done(c);
        set_case("cgroup_resolver_done");
        CHECK(c->mount_fd == -1);
        cgroup_resolver_done(c); /* twice is harmless */
out_free:
        free(c);
}

static void put_gone(int fd, uint64_t id, const char *path)
{
        struct ea_cgroup_path v = {{0}};

        snprintf(v.path, sizeof(v.path), "%s", path);
        CHECK(bpf_map_update_elem(fd, &id, &v, BPF_ANY) == 0);
}

static void check_gone(struct cgroup_resolver *c, uint64_t id, const char *want, bool want_cut)
{
        bool cut = !want_cut;
        const char *got = cgroup_resolve(c, id, &cut);

        if (want)
                CHECK_STR(got, want);
        else
                CHECK(got == NULL);
        CHECK(cut == want_cut);
}

/*
 * Removed cgroups, from the kernel side's map of their paths (filled here the way its cgroup_rmdir
 * program does; test_provenance.py checks that program): a path as the map holds it, one the map may have
 * cut (its ancestor, flagged), nothing for an empty value, a missing entry or a mount that does not show
 * the whole hierarchy. A live cgroup whose name ends like a removed one's path is read as it is.
 */
static void test_gone(void)
{
        struct cgroup_resolver *c = calloc(1, sizeof(*c));
        const uint64_t base = UINT64_MAX - 100; /* no cgroup has such an ID */
        char path[EA_CGROUP_PATH_MAX + 1], dir[4200], want[128];
        struct stat st;
        int fd;

        if (!c || geteuid() != 0 || cgroup_resolver_init(c) < 0) {
                fprintf(stderr, "note: not root or no cgroup2: skipping the removed cgroups\n");
                free(c);
                return;
        }
        set_case("a map for removed cgroups");
        fd = bpf_map_create(BPF_MAP_TYPE_LRU_HASH, "test_gone", sizeof(uint64_t),
                            sizeof(struct ea_cgroup_path), 16, NULL);
        CHECK(fd >= 0);
        if (fd < 0)
                goto out;
        CHECK(c->whole); /* the test runs on the host */
        cgroup_resolver_set_gone(c, fd);

        set_case("a removed cgroup's path");
        put_gone(fd, base, "/system.slice/backup.service");
        check_gone(c, base, "/system.slice/backup.service", false);

        set_case("a path the map may have cut: its ancestor");
        memset(path, 0, sizeof(path));
        strcpy(path, "/system.slice/");
        memset(path + strlen(path), 'n', EA_CGROUP_PATH_MAX - 1 - strlen(path));
        put_gone(fd, base + 1, path);
        check_gone(c, base + 1, "/system.slice", true);
        path[EA_CGROUP_PATH_MAX - 2] = '\0'; /* one byte shorter: whole */
        put_gone(fd, base + 2, path);
        check_gone(c, base + 2, path, false);
        path[0] = '/';
        memset(path + 1, 'n', EA_CGROUP_PATH_MAX - 2);
        path[EA_CGROUP_PATH_MAX - 1] = '\0';
        put_gone(fd, base + 3, path);
        check_gone(c, base + 3, "/", true);

        set_case("an empty value, or no entry");
        put_gone(fd, base + 4, "");
        check_gone(c, base + 4, NULL, false);
        check_gone(c, base + 5, NULL, false);

        set_case("not when the mount shows part of the hierarchy");
        put_gone(fd, base + 6, "/system.slice/other.service");
        c->whole = false;
        check_gone(c, base + 6, NULL, false);
        c->whole = true;

        set_case("a live cgroup named like a removed one's path");
        snprintf(dir, sizeof(dir), "%s/ea-unit-test-%ld (deleted)", c->mount, (long)getpid());
        snprintf(want, sizeof(want), "/ea-unit-test-%ld (deleted)", (long)getpid());
        CHECK(mkdir(dir, 0755) == 0);
        CHECK(stat(dir, &st) == 0);
        check_gone(c, st.st_ino, want, false);
        rmdir(dir);
        close(fd);
out:
        cgroup_resolver_done(c);
        free(c);
}

/* The mount-relative path of the test's cgroup at depth d below top. */
static void deep_path(char *out, size_t size, const char *top, const char *name, int d)
{
        size_t n = (size_t)snprintf(out, size, "/%s", top);

        for (int i = 1; i <= d && n < size; i++)
                n += (size_t)snprintf(out + n, size - n, "/%s", name);
}

/* Paths of some 4 KiB: a mismatch says how many names each has, not both paths. */
static void check_deep(struct cgroup_resolver *c, uint64_t id, const char *top, const char *name, int depth,
                       bool want_cut)
{
        char want[PATH_MAX + 300];
        bool cut = !want_cut;
        const char *got = cgroup_resolve(c, id, &cut);
        int got_depth = -1;

        deep_path(want, sizeof(want), top, name, depth);
        for (const char *p = got; p && *p; p++)
                got_depth += *p == '/';
        if (!got || strcmp(got, want) != 0) {
                fprintf(stderr, "FAIL %s:%d: [%s] got %zu bytes, %d levels below the top; want %zu, %d\n",
                        __FILE__, __LINE__, case_name, got ? strlen(got) : 0, got_depth, strlen(want),
                        depth);
                failures++;
        }
        CHECK(cut == want_cut);
}

static struct cgroup_cache_entry *cached(struct cgroup_resolver *c, uint64_t id)
{
        for (size_t i = 0; i < CGROUP_CACHE_SIZE; i++)
                if (c->cache[i].known && c->cache[i].id == id)
                        return &c->cache[i];
        return NULL;
}

/*
 * Paths the kernel will not print (past PATH_MAX, with the mount point): the deepest ancestor that fits
 * ("the horizon"), marked as cut; nothing, marked as cut, from more than CGROUP_WALK_MAX levels below it. A
 * walk caches its answer for every CGROUP_WALK_MARK-th ancestor too, and the next walk stops there.
 */
static void test_deep(void)
{
        enum { MAX_LEVELS = 300 };
        struct cgroup_resolver *c = calloc(1, sizeof(*c));
        char top[64], name[256], want[PATH_MAX + 300];
        int fds[MAX_LEVELS + 1], made = 0, h = 0, leaf;
        uint64_t ids[MAX_LEVELS + 1];
        struct stat st;

        if (!c || geteuid() != 0 || cgroup_resolver_init(c) < 0) {
                fprintf(stderr, "note: not root, skipping the check on deep cgroups\n");
                goto out_free;
        }
        snprintf(top, sizeof(top), "ea-unit-deep-%ld", (long)getpid());
        memset(name, 'n', 255);
        name[255] = '\0';
        for (int d = 0; d <= MAX_LEVELS; d++) {
                deep_path(want, sizeof(want), top, name, d);
                if (c->mount_len + strlen(want) < PATH_MAX)
                        h = d;
        }
        leaf = h + CGROUP_WALK_MAX + 1;
        set_case("deep: make %d levels of 255-byte names", leaf);
        CHECK(h > 0 && leaf <= MAX_LEVELS);
        fds[0] = -1;
        if (leaf > MAX_LEVELS || mkdirat(c->mount_fd, top, 0755) < 0 ||
            (fds[0] = openat(c->mount_fd, top, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
                CHECK(!"mkdir of the top cgroup");
                goto out;
        }
        for (made = 1; made <= leaf; made++) {
                if (mkdirat(fds[made - 1], name, 0755) < 0)
                        break;
                fds[made] = openat(fds[made - 1], name, O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (fds[made] < 0 || fstat(fds[made], &st) < 0) {
                        made++;
                        break;
                }
                ids[made] = st.st_ino;
        }
        made--;
        CHECK_NUM(made, leaf);
        if (made != leaf)
                goto out;

        set_case("deep: too far below the horizon to climb");
        {
                bool cut = false;

                CHECK(cgroup_resolve(c, ids[leaf], &cut) == NULL);
                CHECK(cut);
                for (int d = h + 1; d < leaf; d++)
                        CHECK(!cached(c, ids[d]));
        }
        set_case("deep: as far as can be climbed");
        check_deep(c, ids[leaf - 1], top, name, h, true);
        set_case("deep: every %dth ancestor was remembered, and no other", CGROUP_WALK_MARK);
        for (int d = h + 1; d < leaf - 1; d++) {
                bool mark = (leaf - 1 - d) % CGROUP_WALK_MARK == 0;

                CHECK(!cached(c, ids[d]) == !mark);
        }
        check_deep(c, ids[leaf - 1 - CGROUP_WALK_MARK], top, name, h, true);
        set_case("deep: a walk stops at a remembered ancestor");
        {
                struct cgroup_cache_entry *e = cached(c, ids[leaf - 1 - 2 * CGROUP_WALK_MARK]);
                bool cut = false;
                const char *got;

                /* what the walk finds there, it answers */
                CHECK(e != NULL);
                if (e) {
                        free(e->path);
                        e->path = strdup("/marked");
                        got = cgroup_resolve(c, ids[leaf - 1 - 2 * CGROUP_WALK_MARK + 5], &cut);
                        CHECK(got && strcmp(got, "/marked") == 0);
                        CHECK(cut);
                }
        }
        set_case("deep: one level below the horizon");
        check_deep(c, ids[h + 1], top, name, h, true);
        set_case("deep: the horizon");
        check_deep(c, ids[h], top, name, h, false);
out:
        for (int d = made; d >= 1; d--) {
                unlinkat(fds[d - 1], name, AT_REMOVEDIR);
                close(fds[d]);
        }
        if (fds[0] >= 0)
                close(fds[0]);
        unlinkat(c->mount_fd, top, AT_REMOVEDIR);
        cgroup_resolver_done(c);
out_free:
        free(c);
}

static int make_tree(const char *top, const char *const *dirs)
{
        char path[512];

        for (; *dirs; dirs++) {
                snprintf(path, sizeof(path), "%s%s", top, *dirs);
                if (mkdir(path, 0755) < 0)
                        return -errno;
        }
        return 0;
}

static void remove_tree(const char *top, const char *const *dirs, size_t n)
{
        char path[512];

        while (n-- > 0) {
                snprintf(path, sizeof(path), "%s%s", top, dirs[n]);
                rmdir(path);
        }
        rmdir(top);
}

static void expect_unit(const char *top, const char *unit, int want_r, const char *want)
{
        char out[256] = "";

        set_case("find_unit %s", unit);
        CHECK_NUM(cgroup_find_unit(top, unit, out, sizeof(out)), want_r);
        if (want)
                CHECK_STR(out, want);
}

static void test_find_unit(void)
{
        /* Parents before children; removed in reverse. */
        static const char *const dirs[] = {
                "/init.scope",
                "/system.slice",
                "/system.slice/ssh.service",
                "/system.slice/backup.service",
                "/user.slice",
                "/user.slice/user-1000.slice",
                "/user.slice/user-1000.slice/session-3.scope",
                "/user.slice/user-1000.slice/user@1000.service",
                "/user.slice/user-1000.slice/user@1000.service/app.slice",
                "/user.slice/user-1000.slice/user@1000.service/app.slice/cron.service",
                "/user.slice/user-1000.slice/user@1000.service/app.slice/backup.service",
                "/machine.slice",
                "/machine.slice/libpod-1.scope",
                "/machine.slice/libpod-1.scope/system.slice",
                "/machine.slice/libpod-1.scope/system.slice/nginx.service",
                "/machine.slice/libpod-1.scope/ssh.service",
                /* systemd's escape (cg_escape) of names that could pass for control files */
                "/system.slice/_io.netdata.service",
                "/_cpu.slice",
                "/_cpu.slice/worker.service",
                NULL,
        };
        char top[] = "/tmp/ea-test-cgroup-XXXXXX";

        set_case("find_unit: tree");
        if (!mkdtemp(top)) {
                CHECK(!"mkdtemp");
                return;
        }
        CHECK_NUM(make_tree(top, dirs), 0);
        expect_unit(top, "ssh.service", 0, "/system.slice/ssh.service");
        expect_unit(top, "backup.service", 0, "/system.slice/backup.service");
        expect_unit(top, "system.slice", 0, "/system.slice");
        expect_unit(top, "init.scope", 0, "/init.scope");
        expect_unit(top, "user@1000.service", 0, "/user.slice/user-1000.slice/user@1000.service");
        expect_unit(top, "session-3.scope", 0, "/user.slice/user-1000.slice/session-3.scope");
        expect_unit(top, "io.netdata.service", 0, "/system.slice/_io.netdata.service");
        expect_unit(top, "worker.service", 0, "/_cpu.slice/worker.service");
        /* Below a service or a scope the names are the delegate's: a user's manager, a container. */
        expect_unit(top, "cron.service", -ENOENT, NULL);
        expect_unit(top, "nginx.service", -ENOENT, NULL);
        expect_unit(top, "app.slice", -ENOENT, NULL);
        remove_tree(top, dirs, sizeof(dirs) / sizeof(dirs[0]) - 1);
        /* The system's unit gone, a delegate's of the same name is still not it. */
        set_case("find_unit: only the delegate's");
        {
                static const char *const only[] = {
                        "/system.slice",
                        "/user.slice",
                        "/user.slice/user@1000.service",
                        "/user.slice/user@1000.service/backup.service",
                        NULL,
                };
                char top2[] = "/tmp/ea-test-cgroup-XXXXXX";

                if (!mkdtemp(top2)) {
                        CHECK(!"mkdtemp");
                        return;
                }
                CHECK_NUM(make_tree(top2, only), 0);
                expect_unit(top2, "backup.service", -ENOENT, NULL);
                remove_tree(top2, only, sizeof(only) / sizeof(only[0]) - 1);
        }
}

int main(void)
{
        test_find_unit();
        test_mountinfo();
        test_live();
        test_deep();
        test_gone();
        return check_summary("test-cgroup");
}

/*
 * Unit test for the [Filter] section and the drop-ins of daemon/config.c: config_parse_string_with(),
 * config_load_with(), the [Filter] part of config_format() and config_filter_summary().
 *
 * Names are resolved by a fake resolver (users alice=1000 and bob=1001; the host's mount namespace
 * 4026531841 and /proc/42/ns/mnt 4026532000), so the results do not depend on the machine. Every accepted
 * form of every key, then every rejection with the exact error fields, the list limits, the drop-in
 * directory (order, overriding, accumulating, errors, the SHA-256 over all files), the round trip through
 * config_format() and the exact one-line summaries.
 */
#include "config.h"
#include "sha256.h"
#include "strbuf.h"
#include "check.h"
#include "config-check.h"

#include <errno.h>
#include <stdarg.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

#define HOST_NS 4026531841ull
#define NS_42   4026532000ull

static int fake_user_uid(const char *name, uint32_t *uid)
{
        if (strcmp(name, "alice") == 0)
                *uid = 1000;
        else if (strcmp(name, "bob") == 0)
                *uid = 1001;
        else
                return -ENOENT;
        return 0;
}

static int fake_path_inode(const char *path, uint64_t *inode)
{
        if (strcmp(path, "/proc/1/ns/mnt") == 0)
                *inode = HOST_NS;
        else if (strcmp(path, "/proc/42/ns/mnt") == 0)
                *inode = NS_42;
        else if (strcmp(path, "/etc/passwd") == 0)
                return -EMEDIUMTYPE;
        else
                return -ENOENT;
        return 0;
}

/* A BPF file system is mounted on /run/bpf. */
static bool fake_bpffs_root(const char *path)
{
        return strcmp(path, "/run/bpf") == 0;
}

static const struct config_resolver fake = {
        .user_uid = fake_user_uid, .path_inode = fake_path_inode, .bpffs_root = fake_bpffs_root};

/* A resolver whose look-ups fail for another reason than "not found". */
static int broken_user_uid(const char *name, uint32_t *uid)
{
        (void)name;
        (void)uid;
        return -EIO;
}

static int broken_path_inode(const char *path, uint64_t *inode)
{
        (void)path;
        (void)inode;
        return -EACCES;
}

static const struct config_resolver broken = {.user_uid = broken_user_uid, .path_inode = broken_path_inode};

/* Users whose names look a bit like ranges. */
static int dashed_user_uid(const char *name, uint32_t *uid)
{
        if (strcmp(name, "build-1") == 0)
                *uid = 2001;
        else if (strcmp(name, "systemd-network") == 0)
                *uid = 2002;
        else
                return -ENOENT;
        return 0;
}

static const struct config_resolver dashed = {.user_uid = dashed_user_uid, .path_inode = fake_path_inode};

/* The structs are large: tests share these instead of putting them on the stack. */
static struct ea_config cfg, back, sentinel;
static struct config_error err;

/* Parses "[Filter]\n" + body with the fake resolver into cfg. */
static int parse_filter(const char *body)
{
        struct strbuf sb = STRBUF_INIT;
        int r;

        r = strbuf_printf(&sb, "[Filter]\n%s", body);
        if (r >= 0)
                r = config_parse_string_with(sb.buf, "f.conf", &fake, &cfg, &err);
        strbuf_free(&sb);
        return r;
}

/* The paths in their order, and the units in theirs: config_format writes a key's entries together. */
static bool cgroups_equal(const struct ea_filter_list *a, const struct ea_filter_list *b)
{
        for (int unit = 0; unit < 2; unit++) {
                uint32_t i = 0, j = 0;

                for (;;) {
                        while (i < a->n_cgroups && a->cgroups[i].unit != unit)
                                i++;
                        while (j < b->n_cgroups && b->cgroups[j].unit != unit)
                                j++;
                        if (i == a->n_cgroups || j == b->n_cgroups)
                                break;
                        if (memcmp(&a->cgroups[i++], &b->cgroups[j++], sizeof(a->cgroups[0])) != 0)
                                return false;
                }
                if (i != a->n_cgroups || j != b->n_cgroups)
                        return false;
        }
        return a->n_cgroups == b->n_cgroups;
}

static bool list_equal(const struct ea_filter_list *a, const struct ea_filter_list *b)
{
        return a->n_users == b->n_users &&
               memcmp(a->users, b->users, a->n_users * sizeof(a->users[0])) == 0 && cgroups_equal(a, b) &&
               a->n_mntns == b->n_mntns &&
               memcmp(a->mntns, b->mntns, a->n_mntns * sizeof(a->mntns[0])) == 0 &&
               a->n_commands == b->n_commands &&
               memcmp(a->commands, b->commands, a->n_commands * sizeof(a->commands[0])) == 0;
}

static bool filter_equal(const struct ea_filter *a, const struct ea_filter *b)
{
        return list_equal(&a->include, &b->include) && list_equal(&a->exclude, &b->exclude) &&
               strcmp(a->cgroup_map, b->cgroup_map) == 0 && strcmp(a->mntns_map, b->mntns_map) == 0;
}

static bool list_empty(const struct ea_filter_list *l)
{
        return l->n_users == 0 && l->n_cgroups == 0 && l->n_mntns == 0 && l->n_commands == 0;
}

#define CHECK_USER(l, i, want_lo, want_hi)                                                                  \
        do {                                                                                                \
                CHECK_NUM((l).users[i].lo, want_lo);                                                        \
                CHECK_NUM((l).users[i].hi, want_hi);                                                        \
        } while (0)

#define CHECK_CGROUP(l, i, want_path, want_unit)                                                            \
        do {                                                                                                \
                CHECK_STR((l).cgroups[i].path, want_path);                                                  \
                CHECK((l).cgroups[i].unit == (want_unit));                                                  \
        } while (0)

static void test_defaults(void)
{
        set_case("no [Filter]: every list empty, no maps");
        CHECK_NUM(config_parse_string_with("", "f.conf", &fake, &cfg, &err), 0);
        CHECK(list_empty(&cfg.filter.include));
        CHECK(list_empty(&cfg.filter.exclude));
        CHECK_STR(cfg.filter.cgroup_map, "");
        CHECK_STR(cfg.filter.mntns_map, "");
        CHECK_NUM(cfg.n_dropins, 0);

        set_case("an empty [Filter]");
        CHECK_NUM(parse_filter(""), 0);
        CHECK(list_empty(&cfg.filter.include));
        CHECK(list_empty(&cfg.filter.exclude));
}

static void test_users(void)
{
        const struct ea_filter_list *in = &cfg.filter.include, *ex = &cfg.filter.exclude;

        set_case("Users= number, name, range");
        CHECK_NUM(parse_filter("Users=1000\nUsers=alice\nUsers=2000-2999\nUsers=bob\n"), 0);
        CHECK_NUM(in->n_users, 3); /* alice is 1000 again: not added twice */
        CHECK_USER(*in, 0, 1000, 1000);
        CHECK_USER(*in, 1, 2000, 2999);
        CHECK_USER(*in, 2, 1001, 1001);
        CHECK_NUM(ex->n_users, 0);

        set_case("Users= bounds");
        CHECK_NUM(parse_filter("Users=0 4294967294 0-4294967294 5-5 007\n"), 0);
        CHECK_NUM(in->n_users, 5);
        CHECK_USER(*in, 0, 0, 0);
        CHECK_USER(*in, 1, 4294967294u, 4294967294u);
        CHECK_USER(*in, 2, 0, 4294967294u);
        CHECK_USER(*in, 3, 5, 5);
        CHECK_USER(*in, 4, 7, 7);

        set_case("ExcludeUsers=");
        CHECK_NUM(parse_filter("ExcludeUsers=0,bob 60000-65535\n"), 0);
        CHECK_NUM(in->n_users, 0);
        CHECK_NUM(ex->n_users, 3);
        CHECK_USER(*ex, 0, 0, 0);
        CHECK_USER(*ex, 1, 1001, 1001);
        CHECK_USER(*ex, 2, 60000, 65535);

        set_case("separators: spaces, tabs, commas, several in a row, at either end");
        CHECK_NUM(parse_filter("Users=1,2 ,3\t4,,5 , ,6,\n"), 0);
        CHECK_NUM(in->n_users, 6);
        for (uint32_t i = 0; i < 6 && i < in->n_users; i++)
                CHECK_USER(*in, i, i + 1, i + 1);

        set_case("a comment after the value");
        CHECK_NUM(parse_filter("Users=1 2 ; not 3\n"), 0);
        CHECK_NUM(in->n_users, 2);

        set_case("continuation lines add like repeats");
        CHECK_NUM(parse_filter("Users=1\n  2, alice\n\t3-4\nExcludeUsers=9\n"), 0);
        CHECK_NUM(in->n_users, 4);
        CHECK_USER(*in, 0, 1, 1);
        CHECK_USER(*in, 1, 2, 2);
        CHECK_USER(*in, 2, 1000, 1000);
        CHECK_USER(*in, 3, 3, 4);
        CHECK_NUM(ex->n_users, 1);

        set_case("an empty assignment empties the list, and only that list");
        CHECK_NUM(parse_filter("Users=1 2\nExcludeUsers=3\nUsers=\nUsers=4\n"), 0);
        CHECK_NUM(in->n_users, 1);
        CHECK_USER(*in, 0, 4, 4);
        CHECK_NUM(ex->n_users, 1);
        CHECK_USER(*ex, 0, 3, 3);
        /* Emptied slots are zeroed, so that the filter compares equal byte for byte. */
        CHECK_NUM(in->users[1].lo, 0);

        set_case("empty at the end, and an empty assignment continued");
        CHECK_NUM(parse_filter("Users=1\nUsers=\n"), 0);
        CHECK_NUM(in->n_users, 0);
        CHECK_NUM(parse_filter("Users=1\nUsers=\n  5\n"), 0);
        CHECK_NUM(in->n_users, 1);
        CHECK_USER(*in, 0, 5, 5);

        set_case("user names with a '-' in them are names first");
        CHECK_NUM(config_parse_string_with("[Filter]\nUsers=build-1 systemd-network\n", "f.conf", &dashed,
                                           &cfg, &err),
                  0);
        CHECK_NUM(in->n_users, 2);
        CHECK_USER(*in, 0, 2001, 2001);
        CHECK_USER(*in, 1, 2002, 2002);
}

static void test_cgroups_and_units(void)
{
        static const char *const units[] = {"ssh.service",
                                            "session-3.scope",
                                            "user-1000.slice",
                                            "dbus.socket",
                                            "home.mount",
                                            "dev-sda2.swap",
                                            "multi-user.target",
                                            "fstrim.timer",
                                            "cups.path",
                                            "dev-sda.device",
                                            "proc-sys-fs-binfmt_misc.automount",
                                            "getty@tty1.service",
                                            "systemd-fsck@dev-disk-by\\x2duuid-1.service",
                                            "a:b_c.service"};
        static const char *const paths[] = {"/",        "/system.slice", "/system.slice/ssh.service",
                                            "/.hidden", "/a/..b/...",    "/a.b/c@d:e\\f"};
        const struct ea_filter_list *in = &cfg.filter.include, *ex = &cfg.filter.exclude;
        char text[512];

        for (size_t i = 0; i < ELEMENTSOF(units); i++) {
                set_case("Units=%s", units[i]);
                snprintf(text, sizeof(text), "Units=%s\nExcludeUnits=%s\n", units[i], units[i]);
                CHECK_NUM(parse_filter(text), 0);
                CHECK_NUM(in->n_cgroups, 1);
                CHECK_CGROUP(*in, 0, units[i], true);
                CHECK_NUM(ex->n_cgroups, 1);
                CHECK_CGROUP(*ex, 0, units[i], true);
        }
        for (size_t i = 0; i < ELEMENTSOF(paths); i++) {
                set_case("Cgroups=%s", paths[i]);
                snprintf(text, sizeof(text), "Cgroups=%s\nExcludeCgroups=%s\n", paths[i], paths[i]);
                CHECK_NUM(parse_filter(text), 0);
                CHECK_NUM(in->n_cgroups, 1);
                CHECK_CGROUP(*in, 0, paths[i], false);
                CHECK_NUM(ex->n_cgroups, 1);
                CHECK_CGROUP(*ex, 0, paths[i], false);
        }

        set_case("Cgroups= and Units= share one list, in order");
        CHECK_NUM(parse_filter("Cgroups=/a\nUnits=x.service, y.scope\nCgroups=/b\n  /c\nUnits=x.service\n"),
                  0);
        CHECK_NUM(in->n_cgroups, 5);
        CHECK_CGROUP(*in, 0, "/a", false);
        CHECK_CGROUP(*in, 1, "x.service", true);
        CHECK_CGROUP(*in, 2, "y.scope", true);
        CHECK_CGROUP(*in, 3, "/b", false);
        CHECK_CGROUP(*in, 4, "/c", false);

        set_case("a path and a unit of the same text are different entries");
        CHECK_NUM(parse_filter("Cgroups=/x.service\nUnits=x.service\nCgroups=/x.service\n"), 0);
        CHECK_NUM(in->n_cgroups, 2);

        set_case("Cgroups= empties the paths and keeps the units");
        CHECK_NUM(parse_filter("Cgroups=/a\nUnits=x.service\nCgroups=/b\nCgroups=\nCgroups=/d\n"), 0);
        CHECK_NUM(in->n_cgroups, 2);
        CHECK_CGROUP(*in, 0, "x.service", true);
        CHECK_CGROUP(*in, 1, "/d", false);
        CHECK_NUM(in->cgroups[2].path[0], 0);

        set_case("Units= empties the units and keeps the paths");
        CHECK_NUM(parse_filter("Units=u.service\nCgroups=/a\nUnits=v.service\nUnits=\n"), 0);
        CHECK_NUM(in->n_cgroups, 1);
        CHECK_CGROUP(*in, 0, "/a", false);

        set_case("ExcludeCgroups= and ExcludeUnits=");
        CHECK_NUM(parse_filter("ExcludeCgroups=/user.slice\nExcludeUnits=cron.service\nCgroups=/\n"), 0);
        CHECK_NUM(in->n_cgroups, 1);
        CHECK_CGROUP(*in, 0, "/", false);
        CHECK_NUM(ex->n_cgroups, 2);
        CHECK_CGROUP(*ex, 0, "/user.slice", false);
        CHECK_CGROUP(*ex, 1, "cron.service", true);
        CHECK_NUM(parse_filter("ExcludeCgroups=/user.slice\nExcludeUnits=cron.service\nExcludeUnits=\n"), 0);
        CHECK_NUM(ex->n_cgroups, 1);
        CHECK_CGROUP(*ex, 0, "/user.slice", false);

        set_case("a cgroup at level 31, the deepest the kernel side compares");
        CHECK_NUM(parse_filter(
                          "ExcludeCgroups=/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a\n"),
                  0);
        CHECK_NUM(ex->n_cgroups, 1);
}

static void test_mount_namespaces(void)
{
        const struct ea_filter_list *in = &cfg.filter.include, *ex = &cfg.filter.exclude;

        set_case("MountNamespaces= inode, host, path");
        CHECK_NUM(parse_filter("MountNamespaces=4026532999 host\n  /proc/42/ns/mnt 4294967295\n"), 0);
        CHECK_NUM(in->n_mntns, 4);
        CHECK_NUM(in->mntns[0], 4026532999ull);
        CHECK_NUM(in->mntns[1], HOST_NS);
        CHECK_NUM(in->mntns[2], NS_42);
        CHECK(in->mntns[3] == UINT32_MAX);
        CHECK_NUM(ex->n_mntns, 0);

        set_case("the same namespace twice");
        CHECK_NUM(parse_filter("MountNamespaces=4026532000, /proc/42/ns/mnt\n"), 0);
        CHECK_NUM(in->n_mntns, 1);

        set_case("ExcludeMountNamespaces=");
        CHECK_NUM(parse_filter("ExcludeMountNamespaces=host,7 /proc/42/ns/mnt\n"), 0);
        CHECK_NUM(in->n_mntns, 0);
        CHECK_NUM(ex->n_mntns, 3);
        CHECK_NUM(ex->mntns[0], HOST_NS);
        CHECK_NUM(ex->mntns[1], 7);
        CHECK_NUM(ex->mntns[2], NS_42);

        set_case("MountNamespaces=!host excludes the host's");
        CHECK_NUM(parse_filter("MountNamespaces=!host\n"), 0);
        CHECK_NUM(in->n_mntns, 0);
        CHECK_NUM(ex->n_mntns, 1);
        CHECK_NUM(ex->mntns[0], HOST_NS);

        set_case("!host with includes, after explicit excludes");
        CHECK_NUM(parse_filter("ExcludeMountNamespaces=5\nMountNamespaces=!host 4026532000\n"), 0);
        CHECK_NUM(in->n_mntns, 1);
        CHECK_NUM(in->mntns[0], NS_42);
        CHECK_NUM(ex->n_mntns, 2);
        CHECK_NUM(ex->mntns[0], 5);
        CHECK_NUM(ex->mntns[1], HOST_NS);

        set_case("!host and ExcludeMountNamespaces=host: the host's once");
        CHECK_NUM(parse_filter("ExcludeMountNamespaces=host\nMountNamespaces=!host\n"), 0);
        CHECK_NUM(ex->n_mntns, 1);
        CHECK_NUM(ex->mntns[0], HOST_NS);
        CHECK_NUM(
                parse_filter("MountNamespaces=!host\nExcludeMountNamespaces=host\nMountNamespaces=!host\n"),
                0);
        CHECK_NUM(ex->n_mntns, 1);

        set_case("MountNamespaces= takes back !host");
        CHECK_NUM(parse_filter("MountNamespaces=!host 7\nMountNamespaces=\n"), 0);
        CHECK_NUM(in->n_mntns, 0);
        CHECK_NUM(ex->n_mntns, 0);

        set_case("MountNamespaces= keeps ExcludeMountNamespaces=host");
        CHECK_NUM(parse_filter("ExcludeMountNamespaces=host\nMountNamespaces=!host\nMountNamespaces=\n"), 0);
        CHECK_NUM(ex->n_mntns, 1);
        CHECK_NUM(ex->mntns[0], HOST_NS);

        set_case("ExcludeMountNamespaces= keeps !host");
        CHECK_NUM(parse_filter("MountNamespaces=!host\nExcludeMountNamespaces=5\nExcludeMountNamespaces=\n"),
                  0);
        CHECK_NUM(ex->n_mntns, 1);
        CHECK_NUM(ex->mntns[0], HOST_NS);
}

static void test_commands_and_maps(void)
{
        static const char fifteen[] = "abcdefghijklmno";
        const struct ea_filter_list *in = &cfg.filter.include, *ex = &cfg.filter.exclude;
        char want[16] = {0};

        set_case("Commands= and ExcludeCommands=");
        CHECK_NUM(parse_filter("Commands=bash, sshd\n  abcdefghijklmno x;y#z\nExcludeCommands=sh\n"), 0);
        CHECK_NUM(in->n_commands, 4);
        CHECK_STR(in->commands[0], "bash");
        CHECK_STR(in->commands[1], "sshd");
        CHECK_STR(in->commands[2], fifteen);
        CHECK_STR(in->commands[3], "x;y#z");
        memcpy(want, "bash", 4);
        CHECK_WHY(memcmp(in->commands[0], want, sizeof(want)) == 0, "commands are NUL-padded");
        CHECK_NUM(ex->n_commands, 1);
        CHECK_STR(ex->commands[0], "sh");

        set_case("an indented line of names with colons and brackets that no key or section is written as");
        CHECK_NUM(parse_filter("Commands=bash\n  a:b [ [x-y] 2to3: x-y:\n"), 0);
        CHECK_NUM(in->n_commands, 6);
        CHECK_STR(in->commands[1], "a:b");
        CHECK_STR(in->commands[2], "[");
        CHECK_STR(in->commands[3], "[x-y]");
        CHECK_STR(in->commands[4], "2to3:");
        CHECK_STR(in->commands[5], "x-y:");

        set_case("Commands= empties, repeats add, duplicates once");
        CHECK_NUM(parse_filter("Commands=a b\nCommands=\nCommands=c\nCommands=c d\n"), 0);
        CHECK_NUM(in->n_commands, 2);
        CHECK_STR(in->commands[0], "c");
        CHECK_STR(in->commands[1], "d");
        CHECK_NUM(in->commands[2][0], 0);

        set_case("CgroupMap= and MountNamespaceMap=: the last one wins, empty unsets");
        CHECK_NUM(parse_filter("CgroupMap=/sys/fs/bpf/a\nMountNamespaceMap=/sys/fs/bpf/m\nCgroupMap=/sys/fs/"
                               "bpf/b\n"),
                  0);
        CHECK_STR(cfg.filter.cgroup_map, "/sys/fs/bpf/b");
        CHECK_STR(cfg.filter.mntns_map, "/sys/fs/bpf/m");
        /* Where each was set, for the errors only applying finds (a map that cannot be opened). */
        CHECK_STR(cfg.map_at[0].file, "f.conf");
        CHECK_NUM(cfg.map_at[0].line, 4);
        CHECK_STR(cfg.map_at[1].file, "f.conf");
        CHECK_NUM(cfg.map_at[1].line, 3);
        CHECK_NUM(parse_filter("CgroupMap=/sys/fs/bpf/a\nMountNamespaceMap=/sys/fs/bpf/m\nCgroupMap=\n"), 0);
        CHECK_STR(cfg.filter.cgroup_map, "");
        CHECK_STR(cfg.filter.mntns_map, "/sys/fs/bpf/m");
        set_case("a map takes one value: an indented line after it is an error (rejects: CgroupMap=)");

        set_case("[Filter] next to the other sections");
        CHECK_NUM(
                config_parse_string_with("[Capture]\nExits=no\n[Filter]\nUsers=1\n[BPF]\nPerfBufferPages=2\n"
                                         "[Filter]\nUsers=2\n",
                                         "f.conf", &fake, &cfg, &err),
                0);
        CHECK(cfg.exits == false);
        CHECK_NUM(cfg.perf_buffer_pages, 2);
        CHECK_NUM(in->n_users, 2);
}

struct reject_case {
        const char *body; /* after "[Filter]\n", so line 1 is the section header */
        unsigned line;
        const char *key;
        const char *message;
};

#define PATH_MSG(v) "expected an absolute path without trailing /, . or .. components, got \"" v "\""
#define MAP_ROOT_MSG(example, v)                                                                            \
        "expected a pinned map below a BPF file system's mount point, e.g. " example ", got \"" v "\""
#define CGROUP_MSG(v)                                                                                       \
        "expected an absolute cgroup path without trailing /, empty, . or .. components, got \"" v "\""
#define UNIT_MSG(v)    "expected a unit name with a known type suffix, such as ssh.service, got \"" v "\""
#define MNTNS_MSG(v)   "expected an inode number, host, !host or an absolute path, got \"" v "\""
#define XMNTNS_MSG(v)  "expected an inode number, host or an absolute path, got \"" v "\""
#define UID_RANGE(v)   v " is out of range: must be between 0 and 4294967294"
#define INODE_RANGE(v) v " is out of range: must be between 1 and 4294967295"
#define RANGE_MSG(v)   "expected a range of two UIDs A-B, got \"" v "\""
#define NO_ENTRIES                                                                                          \
        "no entries: separate them with spaces or commas, or leave the value empty to empty the list"

static const struct reject_case rejects[] = {
        {"Users=nosuch\n", 2, "Users", "unknown user \"nosuch\""},
        {"ExcludeUsers=carol\n", 2, "ExcludeUsers", "unknown user \"carol\""},
        {"Users=+5\n", 2, "Users", "unknown user \"+5\""},
        {"Users=4294967295\n", 2, "Users", UID_RANGE("4294967295")},
        {"Users=99999999999999999999999\n", 2, "Users", UID_RANGE("99999999999999999999999")},
        {"Users=1000-4294967295\n", 2, "Users", UID_RANGE("4294967295")},
        {"Users=2000-1000\n", 2, "Users", "range \"2000-1000\" is empty: 2000 is greater than 1000"},
        {"Users=alice-bob\n", 2, "Users", "\"alice-bob\" is a range of user names: a range takes UIDs, A-B"},
        {"Users=1000-bob\n", 2, "Users", RANGE_MSG("1000-bob")},
        {"Users=alice-1001\n", 2, "Users", RANGE_MSG("alice-1001")},
        {"Users=1-2-3\n", 2, "Users", RANGE_MSG("1-2-3")},
        {"Users=-5\n", 2, "Users", RANGE_MSG("-5")},
        {"Users=5-\n", 2, "Users", RANGE_MSG("5-")},
        {"Users=,\n", 2, "Users", NO_ENTRIES},
        {"Users=, ,\n", 2, "Users", NO_ENTRIES},
        /* The second entry of a line, a continuation line, after good lines. */
        {"Users=1000,nosuch\n", 2, "Users", "unknown user \"nosuch\""},
        {"Users=1000\n  alice\n  nosuch\n", 4, "Users", "unknown user \"nosuch\""},
        {"# c\n\nUsers=1\nCommands=bash\nExcludeUsers=nosuch\n", 6, "ExcludeUsers",
         "unknown user \"nosuch\""},
        {"Cgroups=system.slice\n", 2, "Cgroups", CGROUP_MSG("system.slice")},
        {"Cgroups=/a/\n", 2, "Cgroups", CGROUP_MSG("/a/")},
        {"Cgroups=/a//b\n", 2, "Cgroups", CGROUP_MSG("/a//b")},
        {"Cgroups=//\n", 2, "Cgroups", CGROUP_MSG("//")},
        {"Cgroups=/a/./b\n", 2, "Cgroups", CGROUP_MSG("/a/./b")},
        {"Cgroups=/a/..\n", 2, "Cgroups", CGROUP_MSG("/a/..")},
        {"Cgroups=/..\n", 2, "Cgroups", CGROUP_MSG("/..")},
        {"ExcludeCgroups=/.\n", 2, "ExcludeCgroups", CGROUP_MSG("/.")},
        {"ExcludeCgroups=ssh.service\n", 2, "ExcludeCgroups", CGROUP_MSG("ssh.service")},
        /* Level 32: the kernel side compares levels 0 to 31 only; an exclude would silently do nothing. */
        {"ExcludeCgroups=/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a\n", 2,
         "ExcludeCgroups",
         "\"/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a\" is 32 levels below the root "
         "cgroup: "
         "at most 31 are compared"},
        {"Units=ssh\n", 2, "Units", UNIT_MSG("ssh")},
        {"Units=ssh.foo\n", 2, "Units", UNIT_MSG("ssh.foo")},
        {"Units=.service\n", 2, "Units", UNIT_MSG(".service")},
        {"Units=ssh.service.d\n", 2, "Units", UNIT_MSG("ssh.service.d")},
        {"Units=ssh.Service\n", 2, "Units", UNIT_MSG("ssh.Service")},
        {"Units=/system.slice/ssh.service\n", 2, "Units", UNIT_MSG("/system.slice/ssh.service")},
        {"Units=a/b.service\n", 2, "Units", UNIT_MSG("a/b.service")},
        {"Units=ss!h.service\n", 2, "Units", UNIT_MSG("ss!h.service")},
        {"Units=@x.service\n", 2, "Units", UNIT_MSG("@x.service")},
        {"Units=a@b@c.service\n", 2, "Units", UNIT_MSG("a@b@c.service")},
        {"ExcludeUnits=getty@.service\n", 2, "ExcludeUnits",
         "\"getty@.service\" is a template: name one of its instances"},
        {"MountNamespaces=0\n", 2, "MountNamespaces", INODE_RANGE("0")},
        {"MountNamespaces=4294967296\n", 2, "MountNamespaces", INODE_RANGE("4294967296")},
        {"MountNamespaces=18446744073709551616\n", 2, "MountNamespaces",
         INODE_RANGE("18446744073709551616")},
        {"MountNamespaces=/etc/passwd\n", 2, "MountNamespaces",
         "/etc/passwd is not a mount namespace (such as /proc/PID/ns/mnt or a bind mount of one)"},
        {"Units=-.slice\n", 2, "Units",
         "-.slice is the root cgroup: write Cgroups=/ (or leave the list empty)"},
        {"Commands=/usr/bin/bash\n", 2, "Commands",
         "\"/usr/bin/bash\" contains /: commands are program names, such as cron, not paths"},
        {"ExcludeCommands=cron # also sh\n", 2, "ExcludeCommands",
         "\"#\" looks like a comment: comments go on lines of their own"},
        {"Commands=;x bash\n", 2, "Commands",
         "\";x\" looks like a comment: comments go on lines of their own"},
        {"Commands=bash\n  Users=1000\n", 3, "Commands",
         "\"Users=1000\" contains =: an indented line continues the one before it"},
        /* inih takes "Key: value" as an assignment too. */
        {"ExcludeCommands=cron\n  Users: 1000\n", 3, "ExcludeCommands",
         "\"Users:\" looks like a key: an indented line continues the one before it"},
        {"Commands=bash\n\tExcludeUsers:1000\n", 3, "Commands",
         "\"ExcludeUsers:1000\" looks like a key: an indented line continues the one before it"},
        /* With blanks before the colon, inih still reads an assignment; its tokens are "Key", ":" ... */
        {"ExcludeCommands=sftp-server\n    Commands : bash\n", 3, "ExcludeCommands",
         "\"Commands :\" looks like a key: an indented line continues the one before it"},
        {"Commands=bash\n cron, Exits  :no\n", 3, "Commands",
         "\"Exits  :\" looks like a key: an indented line continues the one before it"},
        /* A misspelt key or section too: unindented it is an error, indented it must not become names. */
        {"ExcludeCommands=cron\n  Exit: no\n", 3, "ExcludeCommands",
         "\"Exit:\" looks like a key: an indented line continues the one before it"},
        {"Commands=bash\n  exits :no\n", 3, "Commands",
         "\"exits :\" looks like a key: an indented line continues the one before it"},
        {"Commands=bash\n  [Captrue]\n", 3, "Commands",
         "\"[Captrue]\" looks like a section header: an indented line continues the one before it"},
        {"Commands=bash\n  [Capture]\n", 3, "Commands",
         "\"[Capture]\" looks like a section header: an indented line continues the one before it"},
        {"ExcludeCommands=cron\n\t, [Filter] x\n", 3, "ExcludeCommands",
         "\"[Filter]\" looks like a section header: an indented line continues the one before it"},
        {"MountNamespaces=foo\n", 2, "MountNamespaces", MNTNS_MSG("foo")},
        {"MountNamespaces=-1\n", 2, "MountNamespaces", MNTNS_MSG("-1")},
        {"MountNamespaces=!guest\n", 2, "MountNamespaces", MNTNS_MSG("!guest")},
        {"MountNamespaces=!4026531841\n", 2, "MountNamespaces", MNTNS_MSG("!4026531841")},
        {"MountNamespaces=proc/42/ns/mnt\n", 2, "MountNamespaces", MNTNS_MSG("proc/42/ns/mnt")},
        {"ExcludeMountNamespaces=foo\n", 2, "ExcludeMountNamespaces", XMNTNS_MSG("foo")},
        {"ExcludeMountNamespaces=!host\n", 2, "ExcludeMountNamespaces",
         "\"!host\" is only allowed in MountNamespaces="},
        {"Commands=abcdefghijklmnop\n", 2, "Commands",
         "\"abcdefghijklmnop\" is longer than 15 bytes, the kernel's comm limit"},
        {"ExcludeCommands=ok, systemd-journald\n", 2, "ExcludeCommands",
         "\"systemd-journald\" is longer than 15 bytes, the kernel's comm limit"},
        {"CgroupMap=sys/fs/bpf/x\n", 2, "CgroupMap", PATH_MSG("sys/fs/bpf/x")},
        {"CgroupMap=/sys/fs/bpf/a\n  /sys/fs/bpf/c\n", 3, "CgroupMap",
         "an indented line continues the key before it, which takes one value: keys must not be indented"},
        {"MountNamespaceMap=/sys/fs/bpf/a\n\tUsers=1\n", 3, "MountNamespaceMap",
         "an indented line continues the key before it, which takes one value: keys must not be indented"},
        {"CgroupMap=/sys/fs/bpf/x/\n", 2, "CgroupMap", PATH_MSG("/sys/fs/bpf/x/")},
        {"MountNamespaceMap=/sys/fs/../bpf\n", 2, "MountNamespaceMap", PATH_MSG("/sys/fs/../bpf")},
        /* Maps, not PinPath='s directory: the message says what the key names. */
        {"CgroupMap=/cg\n", 2, "CgroupMap", MAP_ROOT_MSG("/sys/fs/bpf/audited_cgroups", "/cg")},
        {"MountNamespaceMap=/ns\n", 2, "MountNamespaceMap",
         MAP_ROOT_MSG("/sys/fs/bpf/audited_mntns", "/ns")},
        {"Bogus=1\n", 2, "Bogus", "unknown key"},
        {"users=1\n", 2, "users", "unknown key"},
        /* Two errors: the first one is reported. */
        {"Users=nosuch\nCommands=abcdefghijklmnop\n", 2, "Users", "unknown user \"nosuch\""},
};

static void check_reject(const char *text, const struct config_resolver *res, unsigned line, const char *key,
                         const char *message)
{
        char formatted[1024];

        cfg = sentinel;
        memset(&err, 0x5a, sizeof(err));
        CHECK_NUM(config_parse_string_with(text, "t.conf", res, &cfg, &err), -EINVAL);
        CHECK_WHY(memcmp(&cfg, &sentinel, sizeof(cfg)) == 0, "*out changed by a rejected config");
        CHECK_STR(err.file, "t.conf");
        CHECK_NUM(err.line, line);
        CHECK_STR(err.section, "Filter");
        CHECK_STR(err.key, key);
        CHECK_STR(err.message, message);
        snprintf(formatted, sizeof(formatted), "t.conf:%u: [Filter] %s=: %s", line, key, message);
        CHECK_STR(fmt_error(&err), formatted);
}

static void test_rejects(void)
{
        char text[1024], msg[256];

        memset(&sentinel, 0xa5, sizeof(sentinel));
        for (size_t i = 0; i < ELEMENTSOF(rejects); i++) {
                set_case("reject %zu: %s", i, rejects[i].body);
                snprintf(text, sizeof(text), "[Filter]\n%s", rejects[i].body);
                check_reject(text, &fake, rejects[i].line, rejects[i].key, rejects[i].message);
        }

        set_case("a path that does not exist");
        snprintf(msg, sizeof(msg), "cannot stat /proc/7/ns/mnt: %s", strerror(ENOENT));
        check_reject("[Filter]\nMountNamespaces=/proc/7/ns/mnt\n", &fake, 2, "MountNamespaces", msg);
        snprintf(msg, sizeof(msg), "cannot stat /nonexistent: %s", strerror(ENOENT));
        check_reject("[Filter]\nExcludeMountNamespaces=1 /nonexistent\n", &fake, 2, "ExcludeMountNamespaces",
                     msg);

        set_case("an external map inside PinPath=, which the daemon empties");
        check_reject("[BPF]\nPinPath=/sys/fs/bpf/ea\n[Filter]\nUsers=1\nCgroupMap=/sys/fs/bpf/ea/cg\n",
                     &fake, 5, "CgroupMap",
                     "/sys/fs/bpf/ea/cg is inside PinPath= (/sys/fs/bpf/ea), which the daemon empties when "
                     "it replaces its pins: pin the map elsewhere");
        /* PinPath= after the map: the check is made once everything is read. */
        check_reject(
                "[Filter]\nMountNamespaceMap=/sys/fs/bpf/execauditd/x\n[BPF]\nPinPath=/sys/fs/bpf/"
                "execauditd\n",
                &fake, 2, "MountNamespaceMap",
                "/sys/fs/bpf/execauditd/x is inside PinPath= (/sys/fs/bpf/execauditd), which the daemon "
                "empties when it replaces its pins: pin the map elsewhere");
        set_case("a reload keeps the running PinPath=: the map is checked against it too, at its line");
        CHECK_NUM(config_parse_string_with(
                          "[BPF]\nPinPath=/sys/fs/bpf/ea2\n[Filter]\nCgroupMap=/sys/fs/bpf/execauditd/m\n",
                          "r.conf", &fake, &cfg, &err),
                  0);
        CHECK_NUM(config_check_maps(&cfg, "/sys/fs/bpf/ea2", &err), 0);
        CHECK_NUM(config_check_maps(&cfg, "/sys/fs/bpf/execauditd", &err), -EINVAL);
        CHECK_STR(fmt_error(&err),
                  "r.conf:4: [Filter] CgroupMap=: /sys/fs/bpf/execauditd/m is inside PinPath= "
                  "(/sys/fs/bpf/execauditd), which the daemon empties when it replaces its "
                  "pins: pin the map elsewhere");

        set_case("a map beside PinPath= with a longer name is outside it");
        CHECK_NUM(config_parse_string_with("[Filter]\nCgroupMap=/sys/fs/bpf/execauditd2/cg\n", "t.conf",
                                           &fake, &cfg, &err),
                  0);

        set_case("look-ups that fail");
        snprintf(msg, sizeof(msg), "cannot stat /proc/1/ns/mnt: %s", strerror(EACCES));
        check_reject("[Filter]\nMountNamespaces=host\n", &broken, 2, "MountNamespaces", msg);
        check_reject("[Filter]\nMountNamespaces=!host\n", &broken, 2, "MountNamespaces", msg);
        snprintf(msg, sizeof(msg), "cannot look up user \"alice\": %s", strerror(EIO));
        check_reject("[Filter]\nUsers=1 alice\n", &broken, 2, "Users", msg);
        set_case("numbers need no look-up");
        CHECK_NUM(config_parse_string_with("[Filter]\nUsers=1 2-3\nMountNamespaces=5\n", "t.conf", &broken,
                                           &cfg, &err),
                  0);
}

/* "Key=<prefix><n><suffix>\n" */
static int add_line(struct strbuf *sb, const char *key, const char *prefix, unsigned n, const char *suffix)
{
        return strbuf_printf(sb, "%s=%s%u%s\n", key, prefix, n, suffix);
}

/*
 * max lines of distinct entries are fine, so is one of them again, and emptying the list and filling it
 * again; one more entry is an error on its line.
 */
static void check_limit(const char *key, const char *prefix, const char *suffix, unsigned max)
{
        struct strbuf sb = STRBUF_INIT;
        char msg[64];
        int r = strbuf_puts(&sb, "[Filter]\n");

        for (unsigned i = 0; i < max && r >= 0; i++)
                r = add_line(&sb, key, prefix, i + 1, suffix);
        CHECK(r >= 0);
        set_case("%s=: %u entries", key, max);
        CHECK_NUM(config_parse_string_with(sb.buf, "t.conf", &fake, &cfg, &err), 0);
        set_case("%s=: the same again", key);
        r = add_line(&sb, key, prefix, max, suffix);
        CHECK_NUM(config_parse_string_with(sb.buf, "t.conf", &fake, &cfg, &err), 0);
        set_case("%s=: emptied and filled again", key);
        r = strbuf_printf(&sb, "%s=\n", key);
        for (unsigned i = 0; i < max && r >= 0; i++)
                r = add_line(&sb, key, prefix, i + 1, suffix);
        CHECK_NUM(config_parse_string_with(sb.buf, "t.conf", &fake, &cfg, &err), 0);
        set_case("%s=: one more", key);
        r = add_line(&sb, key, prefix, max + 1, suffix);
        CHECK(r >= 0);
        snprintf(msg, sizeof(msg), "too many entries (at most %u)", max);
        check_reject(sb.buf, &fake, 1 + 2 * max + 3, key, msg);
        strbuf_free(&sb);
}

/* check_reject() of "[Filter]\n" + body (printf-style), and a message not cut by its buffer. */
static void check_long(unsigned line, const char *key, const char *message, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
static void check_long(unsigned line, const char *key, const char *message, const char *fmt, ...)
{
        char text[1024] = "[Filter]\n";
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(text + strlen(text), sizeof(text) - strlen(text), fmt, ap);
        va_end(ap);
        check_reject(text, &fake, line, key, message);
        CHECK_WHY(strlen(err.message) < sizeof(err.message) - 1, "the message filled its buffer: cut");
}

/*
 * Entries nearly as long as a line: the message shows their first 64 bytes and "...", and all the rest of
 * it. The message of a longer one was cut where its buffer ended, losing what followed the entry.
 */
static void test_long_entries(void)
{
        char want[512], x[181], n[181];

        snprintf(x, sizeof(x), "%s", run_of('x', 180));
        snprintf(n, sizeof(n), "%s", run_of('9', 180));

        set_case("long entries");
        snprintf(want, sizeof(want), "unknown user \"%s...\"", run_of('x', 64));
        check_long(2, "Users", want, "Users=%s\n", x);
        snprintf(want, sizeof(want), UID_RANGE("%s..."), run_of('9', 64));
        check_long(2, "ExcludeUsers", want, "ExcludeUsers=%s\n", n);
        snprintf(want, sizeof(want), RANGE_MSG("%s..."), run_of('9', 64));
        check_long(2, "Users", want, "Users=%s-x\n", n);
        snprintf(want, sizeof(want), UNIT_MSG("%s..."), run_of('x', 64));
        check_long(2, "Units", want, "Units=%s.foo\n", x);
        snprintf(want, sizeof(want), "\"%s...\" is a template: name one of its instances", run_of('x', 64));
        check_long(2, "Units", want, "Units=%s@.service\n", x);
        snprintf(want, sizeof(want), CGROUP_MSG("/%s..."), run_of('x', 63));
        check_long(2, "Cgroups", want, "Cgroups=/%s/\n", x);
        snprintf(want, sizeof(want), "\"%s...\" is longer than 15 bytes, the kernel's comm limit",
                 run_of('x', 64));
        check_long(2, "Commands", want, "Commands=%s\n", x);
        snprintf(want, sizeof(want), "\"%s...\" contains =: an indented line continues the one before it",
                 run_of('x', 64));
        check_long(3, "Commands", want, "Commands=a\n  %s=1\n", x);
        snprintf(want, sizeof(want),
                 "\"%s...\" contains /: commands are program names, such as cron, not paths",
                 run_of('x', 64));
        check_long(2, "ExcludeCommands", want, "ExcludeCommands=%s/\n", x);
        snprintf(want, sizeof(want), MNTNS_MSG("%s..."), run_of('x', 64));
        check_long(2, "MountNamespaces", want, "MountNamespaces=%s\n", x);
        snprintf(want, sizeof(want), INODE_RANGE("%s..."), run_of('9', 64));
        check_long(2, "MountNamespaces", want, "MountNamespaces=%s\n", n);
        snprintf(want, sizeof(want), "cannot stat /%s...: %s", run_of('x', 63), strerror(ENOENT));
        check_long(2, "MountNamespaces", want, "MountNamespaces=/%s\n", x);
        snprintf(want, sizeof(want), PATH_MSG("/%s..."), run_of('x', 63));
        check_long(2, "CgroupMap", want, "CgroupMap=/%s/\n", x);

        set_case("a long map path inside a long PinPath=: both shortened, the reason whole");
        snprintf(
                want, sizeof(want),
                "/sys/fs/bpf/%s... is inside PinPath= (/sys/fs/bpf/%s...), which the daemon empties when it "
                "replaces its pins: pin the map elsewhere",
                run_of('p', 52), run_of('p', 52));
        check_long(2, "CgroupMap", want, "CgroupMap=/sys/fs/bpf/%s/m\n[BPF]\nPinPath=/sys/fs/bpf/%s\n",
                   run_of('p', 150), run_of('p', 150));
}

static void test_limits(void)
{
        check_limit("Users", "", "", EA_FILTER_MAX_UID_RANGES);
        check_limit("ExcludeUsers", "0-", "", EA_FILTER_MAX_UID_RANGES);
        check_limit("Cgroups", "/c", "", EA_FILTER_MAX_CGROUPS);
        check_limit("ExcludeUnits", "u", ".service", EA_FILTER_MAX_CGROUPS);
        check_limit("MountNamespaces", "", "", EA_FILTER_MAX_MNTNS);
        check_limit("ExcludeMountNamespaces", "", "", EA_FILTER_MAX_MNTNS);
        check_limit("Commands", "c", "", EA_FILTER_MAX_COMMANDS);
        check_limit("ExcludeCommands", "c", "", EA_FILTER_MAX_COMMANDS);

        {
                struct strbuf sb = STRBUF_INIT;
                int r = strbuf_puts(&sb, "[Filter]\n");

                set_case("Cgroups= and Units= count together");
                for (unsigned i = 0; i < EA_FILTER_MAX_CGROUPS && r >= 0; i++)
                        r = i % 2 ? strbuf_printf(&sb, "Units=u%u.service\n", i)
                                  : strbuf_printf(&sb, "Cgroups=/%u\n", i);
                CHECK_NUM(config_parse_string_with(sb.buf, "t.conf", &fake, &cfg, &err), 0);
                CHECK_NUM(cfg.filter.include.n_cgroups, EA_FILTER_MAX_CGROUPS);
                r = strbuf_puts(&sb, "Units=last.service\n");
                check_reject(sb.buf, &fake, EA_FILTER_MAX_CGROUPS + 2, "Units",
                             "too many entries (at most 32)");

                set_case("!host needs a free slot in the exclude list");
                strbuf_reset(&sb);
                r = strbuf_puts(&sb, "[Filter]\n");
                for (unsigned i = 0; i < EA_FILTER_MAX_MNTNS && r >= 0; i++)
                        r = strbuf_printf(&sb, "ExcludeMountNamespaces=%u\n", i + 1);
                r = strbuf_puts(&sb, "MountNamespaces=!host\n");
                check_reject(sb.buf, &fake, EA_FILTER_MAX_MNTNS + 2, "MountNamespaces",
                             "too many entries (at most 64)");

                set_case("!host keeps its slot");
                strbuf_reset(&sb);
                r = strbuf_puts(&sb, "[Filter]\nMountNamespaces=!host\n");
                for (unsigned i = 0; i < EA_FILTER_MAX_MNTNS - 1 && r >= 0; i++)
                        r = strbuf_printf(&sb, "ExcludeMountNamespaces=%u\n", i + 1);
                CHECK_NUM(config_parse_string_with(sb.buf, "t.conf", &fake, &cfg, &err), 0);
                CHECK_NUM(cfg.filter.exclude.n_mntns, EA_FILTER_MAX_MNTNS);
                CHECK_NUM(cfg.filter.exclude.mntns[EA_FILTER_MAX_MNTNS - 1], HOST_NS);
                /* The host's own namespace does not need another slot. */
                r = strbuf_puts(&sb, "ExcludeMountNamespaces=host\n");
                CHECK_NUM(config_parse_string_with(sb.buf, "t.conf", &fake, &cfg, &err), 0);
                CHECK_NUM(cfg.filter.exclude.n_mntns, EA_FILTER_MAX_MNTNS);
                r = strbuf_puts(&sb, "ExcludeMountNamespaces=100\n");
                check_reject(sb.buf, &fake, EA_FILTER_MAX_MNTNS + 3, "ExcludeMountNamespaces",
                             "too many entries (at most 64)");
                CHECK(r >= 0);
                strbuf_free(&sb);
        }
}

/* A temporary directory for the drop-in tests, removed at the end. */
static char tmpdir[64];

/* tmpdir made afresh, main.conf's path in it and its drop-in directory's (not made); false when it failed.
 */
static bool make_tmpdir(char main_path[128], char dir[160])
{
        strcpy(tmpdir, "/tmp/ea-unit-config-filter-XXXXXX");
        if (!mkdtemp(tmpdir)) {
                FAIL("mkdtemp: %s", strerror(errno));
                return false;
        }
        snprintf(main_path, 128, "%s/main.conf", tmpdir);
        snprintf(dir, 160, "%s.d", main_path);
        return true;
}

static int write_file(const char *dir, const char *name, const void *data, size_t len)
{
        char path[512];
        FILE *f;
        size_t n;

        snprintf(path, sizeof(path), "%s/%s", dir, name);
        f = fopen(path, "w");
        if (!f)
                return -errno;
        n = fwrite(data, 1, len, f);
        if (fclose(f) != 0 || n != len)
                return -EIO;
        return 0;
}

static int write_text(const char *dir, const char *name, const char *text)
{
        return write_file(dir, name, text, strlen(text));
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
        (void)sb;
        (void)flag;
        (void)ftw;
        return remove(path);
}

static const char main_conf[] = "[Capture]\n"
                                "Exits=no\n"
                                "MaxArgsBytes=1K\n"
                                "[Filter]\n"
                                "Users=1000\n"
                                "Commands=bash\n"
                                "MountNamespaces=!host\n"
                                "CgroupMap=/sys/fs/bpf/main\n";
static const char a_conf[] = "# 10-a.conf\n"
                             "[Capture]\n"
                             "MaxArgsBytes=2K\n"
                             "[Filter]\n"
                             "Users=2000-2999\n"
                             "Commands=\n"
                             "Commands=sshd\n"
                             "MountNamespaces=\n"
                             "MountNamespaces=/proc/42/ns/mnt\n";
static const char b_conf[] = "[Capture]\n"
                             "MaxArgsBytes=4K\n"
                             "[Filter]\n"
                             "Users=bob\n"
                             "  3000\n"
                             "Units=ssh.service\n";
static const char z_conf[] = "[Capture]\nMaxArgsBytes=8K\n[BPF]\nPerfBufferPages=128\n";

static void expect_sha(char out[65], const char *main_text, const char *const *names,
                       const char *const *texts, size_t n)
{
        static const char hex[] = "0123456789abcdef";
        struct sha256_ctx c;
        uint8_t d[SHA256_DIGEST_SIZE];

        sha256_init(&c);
        sha256_update(&c, main_text, strlen(main_text));
        for (size_t i = 0; i < n; i++) {
                sha256_update(&c, names[i], strlen(names[i]) + 1); /* the name and its NUL */
                sha256_update(&c, texts[i], strlen(texts[i]));
        }
        sha256_final(&c, d);
        for (size_t i = 0; i < sizeof(d); i++) {
                out[2 * i] = hex[d[i] >> 4];
                out[2 * i + 1] = hex[d[i] & 15];
        }
        out[64] = '\0';
}

static void test_dropins(void)
{
        static const char *const names[] = {"10-a.conf", "20-b.conf", "9-z.conf"};
        static const char *const texts[] = {a_conf, b_conf, z_conf};
        const struct ea_filter_list *in = &cfg.filter.include, *ex = &cfg.filter.exclude;
        char main_path[128], dir[160], sub[192], want[65], expect[1024];
        struct strbuf sb = STRBUF_INIT;

        if (!make_tmpdir(main_path, dir))
                return;
        memset(&sentinel, 0xa5, sizeof(sentinel));

        set_case("a drop-in directory that is a link leading nowhere is no directory left out unsaid");
        CHECK_NUM(write_text(tmpdir, "main.conf", main_conf), 0);
        CHECK_NUM(symlink("/nonexistent/ea-unit.d", dir), 0);
        CHECK_NUM(config_load_with(main_path, &fake, &cfg, &err), -ENOENT);
        snprintf(expect, sizeof(expect),
                 "%s: is a symbolic link that leads nowhere (for no drop-ins, remove the link)", dir);
        CHECK_STR(fmt_error(&err), expect);
        unlink(dir);

        set_case("no drop-in directory");
        CHECK_NUM(config_load_with(main_path, &fake, &cfg, &err), 0);
        CHECK_NUM(cfg.n_dropins, 0);
        sha256_hex(main_conf, strlen(main_conf), want);
        CHECK_STR(cfg.sha256, want);
        CHECK_NUM(cfg.max_args_bytes, 1024);
        CHECK_NUM(ex->n_mntns, 1);

        set_case("an empty drop-in directory");
        CHECK_NUM(mkdir(dir, 0755), 0);
        CHECK_NUM(config_load_with(main_path, &fake, &cfg, &err), 0);
        CHECK_NUM(cfg.n_dropins, 0);
        CHECK_STR(cfg.sha256, want);

        set_case("three drop-ins, and entries that are not drop-ins");
        CHECK_NUM(write_text(dir, "20-b.conf", b_conf), 0);
        CHECK_NUM(write_text(dir, "10-a.conf", a_conf), 0);
        CHECK_NUM(write_text(dir, "9-z.conf", z_conf), 0);
        /* Not *.conf, hidden, or not a regular file: never read (each would be an error if it were). */
        CHECK_NUM(write_text(dir, "README", "not a config\n"), 0);
        CHECK_NUM(write_text(dir, "30-c.conf.disabled", "junk\n"), 0);
        CHECK_NUM(write_text(dir, "30-c.conf~", "junk\n"), 0);
        CHECK_NUM(write_text(dir, ".hidden.conf", "junk\n"), 0);
        CHECK_NUM(write_text(dir, ".conf", "junk\n"), 0);
        /* A directory named x.conf is ignored, like every entry that is not a regular file; it is not
         * descended into either. */
        snprintf(sub, sizeof(sub), "%s/x.conf", dir);
        CHECK_NUM(mkdir(sub, 0755), 0);
        CHECK_NUM(write_text(sub, "y.conf", "junk\n"), 0);
        /* A FIFO named *.conf: ignored, and opening it must not block. */
        snprintf(sub, sizeof(sub), "%s/fifo.conf", dir);
        CHECK_NUM(mkfifo(sub, 0644), 0);

        cfg = sentinel;
        CHECK_NUM(config_load_with(main_path, &fake, &cfg, &err), 0);
        CHECK_NUM(cfg.n_dropins, 3);
        CHECK_STR(cfg.path, main_path);
        expect_sha(want, main_conf, names, texts, 3);
        CHECK_STR(cfg.sha256, want);
        CHECK_NUM(err.line, 0);
        CHECK_STR(err.message, "");
        CHECK_STR(cfg.map_at[0].file, main_path);
        CHECK_NUM(cfg.map_at[0].line, 8);
        CHECK_NUM(cfg.map_at[1].line, 0);
        /* Scalars: the last file wins, in strcmp order ("9-z" after "20-b"); untouched keys stay. */
        CHECK(cfg.exits == false);
        CHECK_NUM(cfg.max_args_bytes, 8192);
        CHECK_NUM(cfg.perf_buffer_pages, 128);
        /* Lists: added to, emptied by an empty assignment. */
        CHECK_NUM(in->n_users, 4);
        CHECK_USER(*in, 0, 1000, 1000);
        CHECK_USER(*in, 1, 2000, 2999);
        CHECK_USER(*in, 2, 1001, 1001);
        CHECK_USER(*in, 3, 3000, 3000);
        CHECK_NUM(in->n_commands, 1);
        CHECK_STR(in->commands[0], "sshd");
        CHECK_NUM(in->n_cgroups, 1);
        CHECK_CGROUP(*in, 0, "ssh.service", true);
        /* MountNamespaces= in 10-a.conf took back the main file's !host. */
        CHECK_NUM(in->n_mntns, 1);
        CHECK_NUM(in->mntns[0], NS_42);
        CHECK_NUM(ex->n_mntns, 0);
        CHECK_STR(cfg.filter.cgroup_map, "/sys/fs/bpf/main");

        set_case("config_format names the drop-ins and parses back to the same config");
        CHECK_NUM(config_format(&cfg, &sb), 0);
        CHECK(sb.buf && strstr(sb.buf, "\n# drop-ins read: 3\n"));
        CHECK_NUM(config_parse_string_with(sb.buf ? sb.buf : "", "formatted", &fake, &back, &err), 0);
        CHECK(filter_equal(&cfg.filter, &back.filter));
        CHECK_NUM(back.max_args_bytes, 8192);
        CHECK_NUM(back.perf_buffer_pages, 128);
        strbuf_free(&sb);

        set_case("an error in a drop-in names the drop-in and its line");
        CHECK_NUM(write_text(dir, "15-bad.conf", "# bad\n[Filter]\nUsers=1\nUsers=nosuch\n"), 0);
        cfg = sentinel;
        memset(&err, 0x5a, sizeof(err));
        CHECK_NUM(config_load_with(main_path, &fake, &cfg, &err), -EINVAL);
        CHECK(memcmp(&cfg, &sentinel, sizeof(cfg)) == 0);
        snprintf(expect, sizeof(expect), "%s/15-bad.conf", dir);
        CHECK_STR(err.file, expect);
        CHECK_NUM(err.line, 4);
        CHECK_STR(err.section, "Filter");
        CHECK_STR(err.key, "Users");
        CHECK_STR(err.message, "unknown user \"nosuch\"");
        snprintf(expect, sizeof(expect), "%s/15-bad.conf:4: [Filter] Users=: unknown user \"nosuch\"", dir);
        CHECK_STR(fmt_error(&err), expect);

        set_case("a drop-in starts outside of any section");
        CHECK_NUM(write_text(dir, "15-bad.conf", "Users=1\n"), 0);
        CHECK_NUM(config_load_with(main_path, &fake, &cfg, &err), -EINVAL);
        snprintf(expect, sizeof(expect), "%s/15-bad.conf:1: Users=: key outside of any [Section]", dir);
        CHECK_STR(fmt_error(&err), expect);

        set_case("a scalar error in a drop-in");
        CHECK_NUM(write_text(dir, "15-bad.conf", "[Capture]\n\nExits=maybe\n"), 0);
        CHECK_NUM(config_load_with(main_path, &fake, &cfg, &err), -EINVAL);
        snprintf(expect, sizeof(expect),
                 "%s/15-bad.conf:3: [Capture] Exits=: expected yes or no, got \"maybe\"", dir);
        CHECK_STR(fmt_error(&err), expect);

        set_case("a drop-in that cannot be read");
        CHECK_NUM(write_file(dir, "15-bad.conf", "[Capture]\n\0", 11), 0);
        cfg = sentinel;
        CHECK_NUM(config_load_with(main_path, &fake, &cfg, &err), -EINVAL);
        CHECK(memcmp(&cfg, &sentinel, sizeof(cfg)) == 0);
        snprintf(expect, sizeof(expect), "%s/15-bad.conf: file contains a NUL byte", dir);
        CHECK_STR(fmt_error(&err), expect);
        CHECK_NUM(err.line, 0);
        snprintf(sub, sizeof(sub), "%s/15-bad.conf", dir);
        unlink(sub);
        CHECK_NUM(symlink("/nonexistent/ea-unit", sub), 0);
        CHECK_NUM(config_load_with(main_path, &fake, &cfg, &err), -ENOENT);
        snprintf(expect, sizeof(expect), "%s/15-bad.conf: cannot open: %s", dir, strerror(ENOENT));
        CHECK_STR(fmt_error(&err), expect);
        unlink(sub);

        set_case("a symlink to a regular file is a drop-in");
        CHECK_NUM(write_text(tmpdir, "elsewhere", "[Filter]\nCommands=linked\n"), 0);
        snprintf(expect, sizeof(expect), "%s/elsewhere", tmpdir);
        CHECK_NUM(symlink(expect, sub), 0);
        CHECK_NUM(config_load_with(main_path, &fake, &cfg, &err), 0);
        CHECK_NUM(cfg.n_dropins, 4);
        CHECK_NUM(in->n_commands, 2);
        CHECK_STR(in->commands[0], "sshd"); /* 10-a.conf emptied the list, then 15-bad.conf */
        CHECK_STR(in->commands[1], "linked");
        unlink(sub);

        set_case("config_load() is config_load_with() and the system's resolver");
        {
                static const char sys_main[] = "[Filter]\nUsers=5\n";
                static const char sys_dropin[] = "[Filter]\nUsers=root\nMountNamespaces=/proc/self/ns/mnt\n";
                static const char *const sys_names[] = {"a.conf"};
                struct stat st;
                char sys_path[128], sys_dir[160];

                snprintf(sys_path, sizeof(sys_path), "%s/sys.conf", tmpdir);
                snprintf(sys_dir, sizeof(sys_dir), "%s.d", sys_path);
                CHECK_NUM(write_text(tmpdir, "sys.conf", sys_main), 0);
                CHECK_NUM(mkdir(sys_dir, 0755), 0);
                CHECK_NUM(write_text(sys_dir, "a.conf", sys_dropin), 0);
                CHECK_NUM(config_load(sys_path, &cfg, &err), 0);
                CHECK_NUM(cfg.n_dropins, 1);
                CHECK_NUM(in->n_users, 2);
                CHECK_USER(*in, 1, 0, 0);
                CHECK_NUM(in->n_mntns, 1);
                CHECK_NUM(stat("/proc/self/ns/mnt", &st), 0);
                CHECK(in->mntns[0] == (uint64_t)st.st_ino);
                expect_sha(want, sys_main, sys_names, (const char *const[]){sys_dropin}, 1);
                CHECK_STR(cfg.sha256, want);
        }

        set_case("the main file's error comes first");
        CHECK_NUM(write_text(tmpdir, "main.conf", "[Filter]\nUsers=nosuch\n"), 0);
        CHECK_NUM(config_load_with(main_path, &fake, &cfg, &err), -EINVAL);
        CHECK_STR(err.file, main_path);
        CHECK_NUM(err.line, 2);

        set_case("<path>.d is not a directory");
        CHECK_NUM(write_text(tmpdir, "other.conf", "[Capture]\nExits=no\n"), 0);
        CHECK_NUM(write_text(tmpdir, "other.conf.d", "not a directory\n"), 0);
        snprintf(main_path, sizeof(main_path), "%s/other.conf", tmpdir);
        CHECK_NUM(config_load_with(main_path, &fake, &cfg, &err), -ENOTDIR);
        snprintf(expect, sizeof(expect), "%s/other.conf.d: cannot open directory: %s", tmpdir,
                 strerror(ENOTDIR));
        CHECK_STR(fmt_error(&err), expect);

        set_case("the main file is still required");
        snprintf(main_path, sizeof(main_path), "%s/missing.conf", tmpdir);
        snprintf(dir, sizeof(dir), "%s.d", main_path);
        CHECK_NUM(mkdir(dir, 0755), 0);
        CHECK_NUM(write_text(dir, "a.conf", "[Capture]\nExits=no\n"), 0);
        CHECK_NUM(config_load_with(main_path, &fake, &cfg, &err), -ENOENT);
        CHECK_STR(err.file, main_path);

        nftw(tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static const char rich_body[] = "Users=0 1000-59999 alice\n"
                                "ExcludeUsers=1005,65534\n"
                                "Cgroups=/system.slice/ssh.service\n"
                                "Units=cron.service getty@tty1.service\n"
                                "Cgroups=/user.slice\n"
                                "ExcludeUnits=user@0.service\n"
                                "ExcludeCgroups=/user.slice/user-0.slice\n"
                                "MountNamespaces=!host 4026532000 77\n"
                                "ExcludeMountNamespaces=99\n"
                                "Commands=bash\n"
                                "Commands=semi;colon sshd\n"
                                "ExcludeCommands=sh\n"
                                "CgroupMap=/sys/fs/bpf/cg\n"
                                "MountNamespaceMap=/sys/fs/bpf/ns\n";

static const char rich_formatted[] = "[Filter]\n"
                                     "Users=0 1000-59999 1000\n"
                                     "ExcludeUsers=1005 65534\n"
                                     "Cgroups=/system.slice/ssh.service /user.slice\n"
                                     "Units=cron.service getty@tty1.service\n"
                                     "ExcludeCgroups=/user.slice/user-0.slice\n"
                                     "ExcludeUnits=user@0.service\n"
                                     "MountNamespaces=4026532000 77\n"
                                     "ExcludeMountNamespaces=99 4026531841\n"
                                     "Commands=bash semi;colon sshd\n"
                                     "ExcludeCommands=sh\n"
                                     "CgroupMap=/sys/fs/bpf/cg\n"
                                     "MountNamespaceMap=/sys/fs/bpf/ns\n";

static const char empty_formatted[] = "[Filter]\n"
                                      "Users=\n"
                                      "ExcludeUsers=\n"
                                      "Cgroups=\n"
                                      "Units=\n"
                                      "ExcludeCgroups=\n"
                                      "ExcludeUnits=\n"
                                      "MountNamespaces=\n"
                                      "ExcludeMountNamespaces=\n"
                                      "Commands=\n"
                                      "ExcludeCommands=\n"
                                      "CgroupMap=\n"
                                      "MountNamespaceMap=\n";

/* Formats cfg, checks every line fits the parser's limit and that it parses back to the same config. */
static void check_round_trip(const char *want_filter_section)
{
        struct strbuf sb = STRBUF_INIT;
        const char *section;

        CHECK_NUM(config_format(&cfg, &sb), 0);
        if (!sb.buf) {
                FAIL("config_format wrote nothing");
                return;
        }
        CHECK_WHY(strstr(sb.buf, "drop-in") == NULL, "drop-ins named without any");
        for (const char *line = sb.buf; *line;) {
                size_t len = strcspn(line, "\n");

                CHECK_WHY(len <= EA_CONFIG_MAX_LINE, "line longer than the parser accepts");
                line += len + (line[len] == '\n');
        }
        section = strstr(sb.buf, "\n[Filter]\n");
        if (want_filter_section)
                CHECK_STR(section ? section + 1 : NULL, want_filter_section);
        CHECK_NUM(config_parse_string_with(sb.buf, "formatted", &fake, &back, &err), 0);
        CHECK_WHY(filter_equal(&cfg.filter, &back.filter),
                  "config_format output parses back to another filter");
        strbuf_free(&sb);
}

static void test_format(void)
{
        char text[512];

        set_case("config_format of an empty filter");
        CHECK_NUM(parse_filter(""), 0);
        check_round_trip(empty_formatted);

        set_case("config_format of every kind of entry");
        CHECK_NUM(parse_filter(rich_body), 0);
        check_round_trip(rich_formatted);

        set_case("config_format when only units are listed");
        CHECK_NUM(parse_filter("Units=a.service\nExcludeCgroups=/x\n"), 0);
        check_round_trip("[Filter]\nUsers=\nExcludeUsers=\nCgroups=\nUnits=a.service\nExcludeCgroups=/x\n"
                         "ExcludeUnits=\nMountNamespaces=\nExcludeMountNamespaces=\nCommands=\n"
                         "ExcludeCommands=\nCgroupMap=\nMountNamespaceMap=\n");

        set_case("config_format of entries that only fit on an indented line");
        {
                char body[1024], want[1024], a[200], b[200];

                /* " /" and the name fill a line of EA_CONFIG_MAX_LINE bytes. */
                memset(a, 'a', EA_CONFIG_MAX_LINE - 2);
                a[EA_CONFIG_MAX_LINE - 2] = '\0';
                memset(b, 'b', EA_CONFIG_MAX_LINE - 2);
                b[EA_CONFIG_MAX_LINE - 2] = '\0';
                /* The first of its key, after another; then after a short one of the same key. */
                snprintf(body, sizeof(body), "Units=x.service\nCgroups=\n /%s\nCgroups=/s\n /%s\n", a, b);
                CHECK_NUM(parse_filter(body), 0);
                CHECK_NUM(cfg.filter.include.n_cgroups, 4);
                snprintf(want, sizeof(want),
                         "[Filter]\nUsers=\nExcludeUsers=\nCgroups=\n /%s\nCgroups=/s\n /%s\n"
                         "Units=x.service\nExcludeCgroups=\nExcludeUnits=\nMountNamespaces=\n"
                         "ExcludeMountNamespaces=\nCommands=\nExcludeCommands=\nCgroupMap="
                         "\nMountNamespaceMap=\n",
                         a, b);
                check_round_trip(want);
        }

        set_case("config_format of full lists wraps its lines");
        {
                struct strbuf sb = STRBUF_INIT;
                int r = strbuf_puts(&sb, "");

                for (unsigned i = 0; i < EA_FILTER_MAX_UID_RANGES && r >= 0; i++)
                        r = strbuf_printf(&sb, "Users=%u-%u\nExcludeUsers=%u\n", 4000000000u + i,
                                          4100000000u + i, 4200000000u + i);
                for (unsigned i = 0; i < EA_FILTER_MAX_MNTNS && r >= 0; i++)
                        r = strbuf_printf(&sb, "MountNamespaces=%u\n", 4294967295u - i);
                for (unsigned i = 0; i < EA_FILTER_MAX_COMMANDS && r >= 0; i++)
                        r = strbuf_printf(&sb, "ExcludeCommands=comm-%09u\n", i);
                for (unsigned i = 0; i < EA_FILTER_MAX_CGROUPS && r >= 0; i++) {
                        memset(text, 'p', 180);
                        snprintf(text + 170, 11, "%010u", i);
                        r = strbuf_printf(&sb, "Cgroups=/%s\n", text);
                }
                CHECK(r >= 0);
                CHECK_NUM(parse_filter(sb.buf ? sb.buf : ""), 0);
                CHECK_NUM(cfg.filter.include.n_users, EA_FILTER_MAX_UID_RANGES);
                CHECK_NUM(cfg.filter.include.n_cgroups, EA_FILTER_MAX_CGROUPS);
                check_round_trip(NULL);
                strbuf_free(&sb);
        }
}

/* Fake cgroup ids: "/system.slice/ssh.service" is 1234, "/a/b" 7 and the unit cron.service 99. */
static uint64_t fake_cgroup_id(void *ud, const struct ea_cgroup_entry *e)
{
        (*(unsigned *)ud)++;
        if (!e->unit && strcmp(e->path, "/system.slice/ssh.service") == 0)
                return 1234;
        if (!e->unit && strcmp(e->path, "/a/b") == 0)
                return 7;
        if (e->unit && strcmp(e->path, "cron.service") == 0)
                return 99;
        return 0;
}

static void check_filter_summary(const char *body, bool ids, const char *want)
{
        struct strbuf sb = STRBUF_INIT;
        unsigned calls = 0;

        CHECK_NUM(parse_filter(body), 0);
        CHECK_NUM(strbuf_puts(&sb, ">"), 0);
        CHECK_NUM(config_filter_summary(&cfg.filter, ids ? fake_cgroup_id : NULL, &calls, &sb), 0);
        CHECK_STR(sb.buf ? sb.buf + 1 : NULL, want);
        CHECK_WHY(sb.buf && sb.buf[0] == '>', "the summary is appended");
        if (ids)
                CHECK_NUM(calls, cfg.filter.include.n_cgroups + cfg.filter.exclude.n_cgroups);
        strbuf_free(&sb);
}

static void test_summary(void)
{
        set_case("summary: no filter");
        check_filter_summary("", true, "users: all; cgroups: all; mount namespaces: all; commands: all");

        set_case("summary: the example");
        check_filter_summary(
                "Users=1000-59999\nExcludeUsers=1005\nCgroups=/system.slice/ssh.service\n", true,
                "users 1000-59999 except 1005; cgroups /system.slice/ssh.service (id 1234) and descendants; "
                "mount namespaces: all; commands: all");

        set_case("summary: only excludes, and a map");
        check_filter_summary("ExcludeUsers=0\nCgroupMap=/sys/fs/bpf/x\n", true,
                             "users: all except 0; cgroups: all; mount namespaces: all; commands: all; "
                             "cgroup map /sys/fs/bpf/x");

        set_case("summary: several entries everywhere");
        check_filter_summary(
                "Users=0, 1000-1999\nExcludeUsers=1500 1600-1699\n"
                "Cgroups=/system.slice/ssh.service\nUnits=cron.service\nUnits=late.service\nCgroups=/a\n"
                "ExcludeCgroups=/a/b\nExcludeUnits=user@0.service\n"
                "MountNamespaces=4026532000, 5\nExcludeMountNamespaces=6\n"
                "Commands=bash sshd\nExcludeCommands=sh\n"
                "CgroupMap=/sys/fs/bpf/cg\nMountNamespaceMap=/sys/fs/bpf/ns\n",
                true,
                "users 0, 1000-1999 except 1500, 1600-1699; "
                "cgroups /system.slice/ssh.service (id 1234), unit cron.service (id 99), "
                "unit late.service (not created yet), /a (not created yet) and descendants "
                "except /a/b (id 7), unit user@0.service (not created yet); "
                "mount namespaces 4026532000, 5 except 6; commands bash, sshd except sh; "
                "cgroup map /sys/fs/bpf/cg; mount namespace map /sys/fs/bpf/ns");

        set_case("summary: without cgroup ids");
        check_filter_summary(
                "Cgroups=/system.slice/ssh.service\nUnits=cron.service\nExcludeCgroups=/a/b\n", false,
                "users: all; cgroups /system.slice/ssh.service, unit cron.service and descendants "
                "except /a/b; "
                "mount namespaces: all; commands: all");

        set_case("summary: !host and only a mount namespace map");
        check_filter_summary(
                "MountNamespaces=!host\nCommands=a\nMountNamespaceMap=/sys/fs/bpf/ns\n", true,
                "users: all; cgroups: all; mount namespaces: all except 4026531841; commands a; "
                "mount namespace map /sys/fs/bpf/ns");

        set_case("summary: only cgroup excludes");
        check_filter_summary(
                "ExcludeUnits=cron.service\n", true,
                "users: all; cgroups: all except unit cron.service (id 99); mount namespaces: all; "
                "commands: all");

        /* The summary is in the started and reloaded records' MESSAGE: what a terminal acts on is escaped.
         */
        set_case("summary: control bytes and invalid UTF-8");
        check_filter_summary("Cgroups=/a\x1b[2Jb\nCommands=x\x7fy caf\xc3\xa9 \xff\n", false,
                             "users: all; cgroups /a\\x1b[2Jb and descendants; mount namespaces: all; "
                             "commands x\\x7fy, caf\xc3\xa9, \\xff");
}

#define MOUNT_MSG(p)                                                                                        \
        p " is a BPF file system's mount point: name a directory of execauditd's own below it, e.g. " p     \
          "/execauditd"

/* One with a bpffs mounted on PinPath='s default. */
static bool default_is_root(const char *path)
{
        return strcmp(path, "/sys/fs/bpf/execauditd") == 0;
}

/*
 * PinPath= on a bpffs mount point: refused with the files, named where PinPath= was set (the daemon used to
 * start with it and then tell the administrator to mount a bpffs over its parent; --check-config took it).
 */
static void test_pin_path_mount_point(void)
{
        static const struct config_resolver root_default = {
                .user_uid = fake_user_uid, .path_inode = fake_path_inode, .bpffs_root = default_is_root};
        static const struct config_resolver not_asked = {.user_uid = fake_user_uid,
                                                         .path_inode = fake_path_inode};
        char main_path[128], dir[160], expect[512];

        set_case("PinPath= on a bpffs mount point");
        CHECK_NUM(config_parse_string_with("# pins\n[BPF]\nPinPath=/run/bpf\n", "t.conf", &fake, &cfg, &err),
                  -EINVAL);
        CHECK_NUM(err.line, 3);
        CHECK_STR(err.section, "BPF");
        CHECK_STR(err.key, "PinPath");
        CHECK_STR(err.message, MOUNT_MSG("/run/bpf"));
        CHECK_STR(fmt_error(&err), "t.conf:3: [BPF] PinPath=: " MOUNT_MSG("/run/bpf"));

        set_case("the last PinPath= counts");
        CHECK_NUM(config_parse_string_with("[BPF]\nPinPath=/run/bpf\nPinPath=/run/bpf/execauditd\n",
                                           "t.conf", &fake, &cfg, &err),
                  0);
        CHECK_STR(cfg.pin_path, "/run/bpf/execauditd");

        set_case("the default PinPath= on a mount point: the main file, no line");
        CHECK_NUM(config_parse_string_with("[Capture]\nExits=no\n", "t.conf", &root_default, &cfg, &err),
                  -EINVAL);
        CHECK_NUM(err.line, 0);
        CHECK_STR(fmt_error(&err), "t.conf: [BPF] PinPath=: " MOUNT_MSG("/sys/fs/bpf/execauditd"));

        set_case("a resolver that is not asked (--status, --remove-pins)");
        CHECK_NUM(config_parse_string_with("[BPF]\nPinPath=/run/bpf\n", "t.conf", &not_asked, &cfg, &err),
                  0);

        set_case("PinPath= of a drop-in");
        if (!make_tmpdir(main_path, dir))
                return;
        CHECK_NUM(write_text(tmpdir, "main.conf", "[BPF]\nPinPath=/sys/fs/bpf/ea\n"), 0);
        CHECK_NUM(mkdir(dir, 0755), 0);
        CHECK_NUM(write_text(dir, "50-pins.conf", "# moved\n[BPF]\nPinPath=/run/bpf\n"), 0);
        CHECK_NUM(config_load_with(main_path, &fake, &cfg, &err), -EINVAL);
        snprintf(expect, sizeof(expect), "%s/50-pins.conf:3: [BPF] PinPath=: " MOUNT_MSG("/run/bpf"), dir);
        CHECK_STR(fmt_error(&err), expect);
        nftw(tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
        test_defaults();
        test_users();
        test_cgroups_and_units();
        test_mount_namespaces();
        test_commands_and_maps();
        test_rejects();
        test_long_entries();
        test_limits();
        test_dropins();
        test_pin_path_mount_point();
        test_format();
        test_summary();
        return check_summary("test-config-filter");
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * /etc/execauditd.conf as a plain struct. Parsing is a pure step (text in, struct or error out) so that
 * tests feed it strings; turning the struct into BPF map contents is the loader's job.
 */
#ifndef EA_CONFIG_H
#define EA_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "strbuf.h"

#define EA_BPFFS_MOUNT               "/sys/fs/bpf" /* systemd mounts a bpffs there, execauditd when none is */
#define EA_DEFAULT_PIN_PATH          EA_BPFFS_MOUNT "/execauditd"
#define EA_DEFAULT_MAX_ARGS_BYTES    32768u
#define EA_DEFAULT_PERF_BUFFER_PAGES 64u
#define EA_PERF_BUFFER_PAGES_MAX     4096u
#define EA_DEFAULT_STATS_INTERVAL    3600u          /* seconds */
#define EA_STATS_INTERVAL_MAX        (30u * 86400u) /* seconds */
/* inih's INI_MAX_LINE, less the newline and the NUL, as every inih reads a file: longer is an error. */
#define EA_CONFIG_MAX_LINE 198

/* [Filter]: which processes are audited. Names are resolved while parsing (an unknown name is an error with
 * file:line); cgroup paths and unit names are resolved to ids when the filter is applied, because they may
 * not exist yet. Limits are per list; exceeding one is an error. */
#define EA_FILTER_MAX_UID_RANGES 64
#define EA_FILTER_MAX_CGROUPS    32
#define EA_FILTER_MAX_MNTNS      64
#define EA_FILTER_MAX_COMMANDS   64
#define EA_FILTER_CGROUP_PATH    512

struct ea_uid_range {
        uint32_t lo, hi; /* inclusive */
};

struct ea_cgroup_entry {
        char path[EA_FILTER_CGROUP_PATH]; /* relative to the cgroup2 mount, starting with '/'; or a unit name
                                           */
        bool unit;                        /* path holds a unit name (Units=/ExcludeUnits=) */
};

struct ea_filter_list {
        uint32_t n_users;
        struct ea_uid_range users[EA_FILTER_MAX_UID_RANGES];
        uint32_t n_cgroups;
        struct ea_cgroup_entry cgroups[EA_FILTER_MAX_CGROUPS];
        uint32_t n_mntns;
        uint64_t mntns[EA_FILTER_MAX_MNTNS];
        uint32_t n_commands;
        char commands[EA_FILTER_MAX_COMMANDS][16]; /* NUL-padded, at most 15 bytes (the kernel's comm) */
};

struct ea_filter {
        struct ea_filter_list include; /* Users=, Cgroups= + Units=, MountNamespaces=, Commands= */
        struct ea_filter_list exclude; /* Exclude* (MountNamespaces=!host adds the host's to exclude) */
        char cgroup_map[PATH_MAX];     /* CgroupMap=, "" when unset */
        char mntns_map[PATH_MAX];      /* MountNamespaceMap=, "" when unset */
};

/* How names become numbers, and what the file system says; tests substitute their own. */
struct config_resolver {
        int (*user_uid)(const char *name, uint32_t *uid);     /* 0, or -ENOENT for an unknown user */
        int (*path_inode)(const char *path, uint64_t *inode); /* 0, or a negative errno */
        /* Whether path is the root of a mounted BPF file system, which PinPath= must not be (false when it
         * cannot be looked at); NULL: not asked. */
        bool (*bpffs_root)(const char *path);
};
extern const struct config_resolver config_system_resolver;

/* Where a key was last set, for messages about what it names that are only found later. */
struct config_at {
        char file[PATH_MAX];
        unsigned line; /* 0: not set in any file (its default) */
};

/* The keys of ea_config's map_at, in its order: CgroupMap=, MountNamespaceMap=. */
extern const char *const config_map_keys[2];

struct ea_config {
        bool failed_execs;
        bool exits;
        uint32_t max_args_bytes;
        uint32_t perf_buffer_pages;
        uint32_t stats_interval_sec; /* [Journal] StatsInterval=, 0: only at stop */
        char pin_path[PATH_MAX];
        struct config_at pin_path_at; /* for messages about the pin directory */
        struct ea_filter filter;
        /* CgroupMap= and MountNamespaceMap=: a map that cannot be opened or used is found when the
         * configuration is applied, and named at the line that set it. */
        struct config_at map_at[2];
        char path[PATH_MAX]; /* the main file it came from */
        char sha256[65];     /* of the main file's bytes, then each drop-in's name and bytes, in order */
        unsigned n_dropins;  /* drop-ins read from <path>.d/ */
};

struct config_error {
        char file[PATH_MAX];
        unsigned line; /* 0: not about one line (e.g. the file cannot be read) */
        /* Whole: a section or key name may be as long as its line, and is shown as the file has it. */
        char section[EA_CONFIG_MAX_LINE + 1];
        char key[EA_CONFIG_MAX_LINE + 1]; /* "" when the error is not about one key */
        char message[1024];
};

void config_defaults(struct ea_config *c);
int config_parse_string(const char *text, const char *filename, struct ea_config *out,
                        struct config_error *err);
int config_load(const char *path, struct ea_config *out, struct config_error *err);
/*
 * The same with names resolved by res (config_parse_string() and config_load() use config_system_resolver).
 * config_load_with() reads path, then each regular file *.conf in "<path>.d/" (sorted with strcmp) on top of
 * it: a scalar key is overridden, a list key added to (an empty assignment empties it). An error names the
 * file it is in. On error *out is left untouched.
 */
int config_parse_string_with(const char *text, const char *filename, const struct config_resolver *res,
                             struct ea_config *out, struct config_error *err);
int config_load_with(const char *path, const struct config_resolver *res, struct ea_config *out,
                     struct config_error *err);
/* -EINVAL, with err naming the file, line and key, when an external map of c is pinned inside pin_path
 * (which the daemon empties when it replaces its pins). Loading checks c's own PinPath=; a reload, which
 * keeps the running one, checks that too. */
int config_check_maps(const struct ea_config *c, const char *pin_path, struct config_error *err);
/* The directory d is in, written to out ("/" for "/x"): false for "/" itself, which is in nothing. */
bool config_dir_above(const char *d, char out[PATH_MAX]);
/* Whether path is dir or below it, component by component ("/a/bc" is not below "/a/b"). */
bool config_path_within(const char *path, const char *dir);
/* Writes the effective settings as a config file that parses back to the same values. */
int config_format(const struct ea_config *c, struct strbuf *out);
/*
 * Appends one line describing which processes f audits, e.g. "users 1000-59999 except 1005; cgroups
 * /system.slice/ssh.service (id 1234) and descendants; mount namespaces: all; commands: all". cgroup_id
 * gives an entry's cgroup id, 0 when it does not exist (yet); NULL leaves ids out.
 */
int config_filter_summary(const struct ea_filter *f,
                          uint64_t (*cgroup_id)(void *ud, const struct ea_cgroup_entry *e), void *ud,
                          struct strbuf *out);
/* "file:line: [Section] Key=: message", the form used on stderr and in the journal's MESSAGE. */
int config_error_format(const struct config_error *err, struct strbuf *out);

#endif

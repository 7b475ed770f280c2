/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Everything that crosses the BPF <-> daemon boundary: event layouts, map values, counters.
 *
 * Included by the BPF program (after vmlinux.h, which provides the __u* types) and by the daemon. Only
 * fixed-width fields with explicit padding; the daemon checks the sizes with _Static_assert. Bump
 * EA_LAYOUT_VERSION whenever a layout or a map here changes meaning, because pinned maps outlive the program
 * that created them.
 */
#ifndef EXECAUDIT_H
#define EXECAUDIT_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define EA_LAYOUT_VERSION 9

/* Longest filename the kernel accepts is PATH_MAX - 1 bytes; we keep the NUL room too. */
#define EA_FILENAME_MAX 4096
/* Resolved paths (EXEC_EXE, EXEC_CWD, ...): at most this many bytes each, and this many components. */
#define EA_PATH_MAX       4096
#define EA_PATH_STEPS_MAX 128
/* Upper bound of MaxArgsBytes. */
#define EA_ARGS_MAX (256 * 1024)
/*
 * One perf sample carries less than 64 KiB (its header size is 16 bits). An exec event carries the
 * filename and the resolved paths, and argv only when it fits EA_ARGS_INLINE; a longer argv travels in
 * EA_EV_ARGS events of up to EA_ARGS_CHUNK bytes, sent from the same program run just before the exec
 * event (so in the same CPU's buffer, in order), and the daemon puts it back together.
 */
#define EA_ARGS_INLINE 32768
#define EA_ARGS_CHUNK  32768
/* The longest single argument the kernel accepts (MAX_ARG_STRLEN, NUL included). */
#define EA_ARG_STRLEN 131072
/* Failed execs: argv pointers counted in the caller's memory before giving up (EXEC_ARGC is then a floor).
 */
#define EA_ARGV_SCAN_MAX (1U << 20)

enum ea_event_type {
        EA_EV_EXEC = 1,
        EA_EV_EXEC_FAILED = 2,
        EA_EV_EXIT = 3,
        EA_EV_ARGS = 4, /* a piece of a long argv: takes no sequence number of its own */
};

/* ea_exec.flags */
enum ea_exec_flag {
        EA_F_ARGS_TRUNCATED = 1u << 0,     /* fewer argv bytes or arguments captured than existed */
        EA_F_FILENAME_TRUNCATED = 1u << 1, /* EXEC_FILENAME is a prefix */
        EA_F_ARGC_FLOOR = 1u << 2,         /* failed exec with more than EA_ARGV_SCAN_MAX arguments */
        EA_F_ARGS_CHUNKED = 1u << 3,       /* argv came in EA_EV_ARGS events, not in data */
        EA_F_FILELESS = 1u << 4,           /* the executable has no name in any filesystem */
        EA_F_SCRIPT = 1u << 5,             /* EA_PATH_INTERP is set: a #! script (or binfmt_misc) ran */
        EA_F_NO_ARGV0 = 1u << 6,           /* the caller passed argc 0; argc is then 0 and no argv is sent */
        EA_F_PATH_TRUNCATED = 1u << 8,     /* << enum ea_path: that path lost its leading part */
        EA_F_PATH_DELETED = 1u << 16,      /* << enum ea_path (not the exe: EA_F_FILELESS): no name left */
};

/* The resolved paths of an exec event, in the order they follow the filename in data. */
enum ea_path {
        EA_PATH_EXE,
        EA_PATH_INTERP,
        EA_PATH_CWD,
        EA_PATH_PARENT_EXE,
        EA_PATH_ROOT, /* sent only when the process's root directory is not its mount namespace's */
        EA_PATH__MAX,
};

/* ea_settings.capture */
enum ea_capture_flag {
        EA_CAP_FAILED_EXECS = 1u << 0,
        EA_CAP_EXITS = 1u << 1,
};

struct ea_header {
        __u16 type;     /* enum ea_event_type */
        __u16 version;  /* EA_LAYOUT_VERSION of the program that sent it */
        __u32 size;     /* bytes sent, this header included */
        __u64 seq;      /* from one counter shared by all CPUs: a gap means lost events */
        __u64 ktime_ns; /* CLOCK_BOOTTIME of the event */
        __u32 config_generation;
        __u32 _pad;
};

/* The process an event is about, read in the kernel at the time of the event. */
struct ea_proc {
        __u64 cgroup_id; /* cgroup v2 id (the inode number of its directory) */
        __u32 pid;       /* thread group id */
        __u32 tid;       /* thread that called exec (before exec), or that exited last */
        __u32 ppid;      /* real parent's tgid */
        __u32 uid;
        __u32 gid;
        __u32 euid;
        __u32 egid;
        __u32 mntns; /* mount namespace inode number */
        char comm[16];
};

/*
 * EA_EV_EXEC and EA_EV_EXEC_FAILED: data holds filename_len bytes of filename, then path_len[i] bytes of
 * each resolved path in enum ea_path order, then args_len bytes of argv unless EA_F_ARGS_CHUNKED.
 */
struct ea_exec {
        struct ea_header hdr;
        struct ea_proc proc;
        __s32 ret;          /* 0, or the negative errno of a failed exec */
        __u32 argc;         /* the kernel's count (see EA_F_ARGC_FLOOR) */
        __u32 args_size;    /* bytes of argv in the new image (successful execs) */
        __u32 args_len;     /* bytes of argv captured: NUL-separated strings */
        __u32 filename_len; /* bytes of filename, without NUL */
        __u32 flags;        /* enum ea_exec_flag */
        __u64 duration_ns;  /* syscall entry to the new image (or to the failure) */
        __u64 exe_ino;      /* inode of the executable (successful execs) */
        __u32 exe_dev;      /* its filesystem's kernel dev_t: major << 20 | minor */
        __u32 loginuid;     /* (__u32)-1: unset */
        __u32 sessionid;    /* (__u32)-1: unset */
        __u32 pidns;        /* pid namespace inode when not the initial one, else 0 */
        __u32 ns_pid;       /* pid inside that namespace */
        __u32 _pad;
        __u64 parent_exec_ktime_ns; /* the real parent's exec (EXEC_PARENT_ID), 0 when unknown */
        __u16 path_len[EA_PATH__MAX];
        __u16 _pad_paths[3]; /* data starts at sizeof(struct ea_exec): the daemon appends argv there */
        char parent_comm[16];
        char tty[32]; /* the controlling terminal's kernel name ("pts3"), empty when none */
        char data[];
};

/* EA_EV_ARGS: bytes [offset, offset + len) of the argv of the exec event with the same pid and ktime. */
struct ea_args {
        struct ea_header hdr; /* seq 0 */
        __u32 pid;
        __u32 offset;
        __u64 exec_ktime_ns;
        __u32 len;
        __u32 _pad;
        char data[];
};

/* EA_EV_EXIT */
struct ea_exit {
        struct ea_header hdr;
        struct ea_proc proc;
        __u32 exit_code; /* task->exit_code: status << 8 | 0x80 if core dumped | terminating signal */
        __u32 _pad;
        __u64 exec_ktime_ns; /* the exec this process image started with (EXEC_ID) */
        __u64 utime_ns;      /* tick-sampled CPU time of the whole thread group */
        __u64 stime_ns;
        __u64 runtime_ns;   /* its precise CPU time; the daemon splits it like getrusage() does */
        __u64 maxrss_pages; /* peak resident set of this image, in pages */
};

/*
 * The whole configuration the kernel applies lives in two slots (0 and 1): "settings" holds one
 * ea_settings per slot, the filter sets are keyed by slot, and the one-element, mmap-able "active" map
 * holds (generation << 32 | slot) in one 64-bit word. A reload fills the inactive slot, then flips
 * "active" with one atomic store: each program run reads it once, so an exec is judged entirely by the
 * old or entirely by the new configuration, and its event carries that configuration's generation.
 */
#define EA_SLOTS            2
#define EA_UID_RANGES       64
#define EA_CGROUP_DEPTH_MAX 32

/* ea_settings.filter: which dimensions are configured */
enum ea_filter_flag {
        EA_FLT_USERS = 1u << 0,
        EA_FLT_CGROUPS = 1u << 1,
        EA_FLT_MNTNS = 1u << 2,
        EA_FLT_COMMANDS = 1u << 3,
        EA_FLT_CGROUP_MAP = 1u << 4, /* CgroupMap= */
        EA_FLT_MNTNS_MAP = 1u << 5,  /* MountNamespaceMap= */
        EA_FLT_EXCL_USERS = 1u << 8,
        EA_FLT_EXCL_CGROUPS = 1u << 9,
        EA_FLT_EXCL_MNTNS = 1u << 10,
        EA_FLT_EXCL_COMMANDS = 1u << 11,
};

/* Values of the filter sets */
enum ea_match {
        EA_MATCH_INCLUDE = 1,
        EA_MATCH_EXCLUDE = 2,
};

struct ea_uid_span {
        __u32 lo, hi; /* inclusive */
};

struct ea_settings {
        __u32 config_generation;
        __u32 capture; /* enum ea_capture_flag */
        __u32 max_args_bytes;
        __u32 filter; /* enum ea_filter_flag */
        __u32 n_users;
        __u32 n_exclude_users;
        struct ea_uid_span users[EA_UID_RANGES];
        struct ea_uid_span exclude_users[EA_UID_RANGES];
};

/* Keys of "filter_cgroups" (cgroup v2 ids) and "filter_mntns" (mount namespace inodes). */
struct ea_id_key {
        __u32 slot;
        __u32 _pad;
        __u64 id;
};

/* Keys of "filter_comms". */
struct ea_comm_key {
        __u32 slot;
        char comm[16];
};

/* Indexes of the counters in each CPU's element of the "stats" map (a per-CPU map of one element before
 * layout 6). Append only: the numbering is part of the pin layout. */
enum ea_stat {
        EA_STAT_EXEC_ENTER,       /* execve/execveat entered */
        EA_STAT_EXEC,             /* successful execs seen */
        EA_STAT_EXEC_FAILED,      /* failed execs seen */
        EA_STAT_EXIT,             /* exits of audited processes seen */
        EA_STAT_EMITTED,          /* events written to the perf buffer */
        EA_STAT_EMIT_ENOENT,      /* no reader: no perf buffer open on that CPU */
        EA_STAT_EMIT_ENOSPC,      /* perf buffer full */
        EA_STAT_EMIT_E2BIG,       /* event too large */
        EA_STAT_EMIT_OTHER,       /* any other output error */
        EA_STAT_INFLIGHT_FULL,    /* too many execs in progress to remember the syscall entry */
        EA_STAT_TRACKED_FULL,     /* too many live audited processes: exit will not be reported */
        EA_STAT_ARGS_READ_FAIL,   /* argv could not be read */
        EA_STAT_FILTERED,         /* execs and failed execs the filter left out */
        EA_STAT_ARGS_CHUNK_LOST,  /* a piece of a long argv could not be sent (its record is truncated) */
        EA_STAT_FAILED_UNTRACKED, /* earlier builds: failed execs without an entry (now recorded) */
        /* Not counted by the programs: the runs of those that send records which the kernel skipped, read
         * from their bpf_prog_info.recursion_misses. The slot holds only what execauditd --remove-pins
         * could not report of the programs it detached. */
        EA_STAT_SKIPPED,
        EA_STAT__MAX,
};
#define EA_STAT_SLOTS 16

struct ea_stats {
        __u64 n[EA_STAT_SLOTS];
};

/* Per-thread state between execve entry and the new image or the syscall's failure. */
struct ea_inflight {
        __u64 ktime_ns;
        __u64 filename;     /* user pointer */
        __u64 argv;         /* user pointer */
        __u32 no_argv0;     /* argv was empty: the kernel (5.18+) runs the program with {"", NULL} */
        __u32 io_uring;     /* the task had io_uring: the exec's cancelling runs its pending work early */
        __u64 self_exec_id; /* the task's at entry: changed at exit, the caller's memory is gone */
        __u64 task;         /* the task_struct's address: the one identity a thread keeps through exec */
};

/* Per audited thread group, from its exec to its exit. */
struct ea_tracked {
        __u64 exec_seq;
        __u64 exec_ktime_ns;
        __u32 config_generation; /* the exit record carries the generation its exec was judged by */
        __u32 _pad;
};

/*
 * An element of "tracked_slots" (layout 9): the ea_tracked of the thread group owner, whose tgid indexes it
 * modulo EA_TRACKED_SLOTS. owner is 0 when free, and has EA_TRACKED_CLAIMING set while a new owner
 * writes t; a group whose slot another owns is in the "tracked" hash instead.
 */
struct ea_tracked_slot {
        __u64 owner;
        struct ea_tracked t;
};

#define EA_TRACKED_CLAIMING (1ULL << 63)

/*
 * "pin_version": what a daemon checks before adopting the pins it finds. Its layout never changes, so any
 * daemon can read any pin directory's version. object_sha256 is the SHA-256 of the BPF object: a daemon
 * adopts only programs and maps it would have loaded itself.
 */
struct ea_pin_version {
        __u32 layout_version;
        __u32 _pad;
        __u8 object_sha256[32];
};

/*
 * "daemon_state" (mmap-able): the daemon's progress, kept in the kernel so that the next daemon knows what
 * the last one handled even after kill -9. handled_seq: every event numbered up to it is in the journal or
 * counted by a loss record. alive_usec: CLOCK_REALTIME of the last update. Append only: a daemon reads the
 * state of replaced pins of an older layout as far as it goes (layout 3 ended after restarts).
 */
struct ea_daemon_state {
        __u64 handled_seq;
        __u64 alive_usec;
        __u64 started_usec;
        __u64 restarts; /* daemons that adopted these pins */
        /* How much of the EA_STAT_FAILED_UNTRACKED and EA_STAT_TRACKED_FULL counts (over all CPUs) loss
         * records in the journal account for. These take no sequence number, so the next daemon reports
         * what the counts grew beyond them while no daemon ran, or before the last one's record got out. */
        __u64 failed_untracked_reported;
        __u64 tracked_full_reported;
        /* The same for the skipped runs (EA_STAT_SKIPPED) of these pins' programs (layout 5 and later). */
        __u64 skipped_reported;
        /* What pins replaced by these left unreported (layout 7 and later): their no_reader gap and their
         * untracked and skipped counts, carried here by the replacing daemon while carried_open is 1, which
         * it clears once the journal has them. Until then a crash, or a stop with journald away, leaves
         * them to the next daemon instead of losing them with the old pins. */
        __u64 carried_open;
        __u64 carried_no_reader;
        __u64 carried_untracked;
        __u64 carried_skipped;
};

/*
 * The path of a removed cgroup v2 directory (as the kernel's cgroup_rmdir tracepoint gives it, from the
 * hierarchy's root), kept by cgroup id in the "cgroups_gone" LRU map: the records of a oneshot service are
 * written after systemd has removed its cgroup, and open_by_handle_at() no longer finds it by then. A
 * path of EA_CGROUP_PATH_MAX - 1 bytes may have been cut.
 */
#define EA_CGROUP_PATH_MAX 512
#define EA_CGROUPS_GONE    1024

struct ea_cgroup_path {
        char path[EA_CGROUP_PATH_MAX];
};

#define EA_MAX_INFLIGHT   8192
#define EA_INFLIGHT_SLOTS 8192 /* a power of two */
#define EA_MAX_TRACKED    131072
#define EA_TRACKED_SLOTS  16384 /* a power of two */

#endif

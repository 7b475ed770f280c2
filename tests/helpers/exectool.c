// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * exectool: builds the odd and hostile exec shapes the integration tests (test_provenance.py) need, one
 * subcommand each. "PROG ARG0 [ARG...]" below is an exec: PROG is the path handed to the kernel and ARG0...
 * the argv it gets. Files named INFO receive what the process saw just before its exec (one line of
 * space-separated values), so a test can compare a record with the truth. Exit status 127: a step failed
 * (the reason is on stderr).
 *
 *   exec PROG ARG0 [ARG...]                  execve(PROG, argv) as given (a relative PROG is not searched)
 *   noargv PROG                              execve(PROG, {NULL}, envp): argc 0
 *   execveat DIR NAME ARG0 [ARG...]          execveat(open(DIR), NAME, argv, envp, 0)
 *   fexecve FILE ARG0 [ARG...]               fexecve(open(FILE), argv, envp)
 *   memfd NAME SRC INFO ARG0 [ARG...]        SRC copied into memfd NAME, exec'd by fd. INFO: ino major:minor
 *   deleted FILE INFO ARG0 [ARG...]          FILE opened, unlinked, exec'd by fd. INFO: ino major:minor
 *   tmpfile DIR SRC INFO ARG0 [ARG...]       SRC copied into an O_TMPFILE in DIR, exec'd by fd. INFO as
 * memfd dump-argv FILE [ARG...]                  writes its own argv (argv[0] included), NUL-terminated, to
 * FILE race FILE MARKER N SIZE                  execs "dump-argv FILE MARKER" + N arguments of SIZE bytes
 *                                            while a thread keeps rewriting those N arguments in place
 *   loginuid UID INFO PROG ARG0 [ARG...]     writes UID to /proc/self/loginuid, then execs.
 *                                            INFO: write-errno loginuid sessionid (as read back)
 *   tty PTS PROG ARG0 [ARG...]               setsid, PTS becomes the controlling terminal, then execs
 *   cgroup DIR PROG ARG0 [ARG...]            moves itself into the cgroup DIR, then execs
 *   pidns INFO PROG ARG0 [ARG...]            in a new pid namespace, pid 1 forks pid 2; both exec, pid 2
 *                                            first. INFO.1, INFO.2: pidns-inode ns-pid outer-pid
 *   mntns DIR SRC NAME INFO ARG0 [ARG...]    new mount namespace, tmpfs on DIR, SRC copied to DIR/NAME,
 *                                            which is exec'd. INFO: mntns-inode
 *   chroot [-k] ROOT PROG ARG0 [ARG...]      new mount namespace, /usr bound on ROOT/usr, chroot ROOT, execs
 *                                            (-k: without chdir("/"), the working directory outside ROOT)
 *   rename-fork COMM PROG ARG0 [ARG...]      renames itself COMM, a child execs; waits for it
 *   rename-exec COMM PROG ARG0 [ARG...]      renames itself COMM, then execs
 *   thread-exec [-n COMM] INFO PROG ARG0 [ARG...]
 *                                            execs from a thread that is not the leader while the leader and
 *                                            two more threads live; -n: that thread renamed COMM first.
 *                                            INFO: pid tid (of the exec'ing thread)
 *   double-fork [-s] INFO PROG ARG0 [ARG...] a child forks a grandchild and exits; once reparented the
 *                                            grandchild execs. -s: be the subreaper and wait for it.
 *                                            INFO: ppid parent-comm (right before the exec)
 *   burn MS MIB                              touches MIB MiB of memory (kept until exit), burns MS ms of
 *                                            CPU (mostly user), then sleeps 100 ms
 *   sleep MS                                 sleeps MS ms
 *   slot-clash INFO STRIDE NAME1 NAME2       two failed execs in flight at once from processes whose IDs
 *                                            are STRIDE apart: this process's execve(NAME1) blocks on its
 *                                            name (a userfaultfd page) while a thread forks until a child
 *                                            has an ID congruent to A's modulo STRIDE; that one calls
 *                                            execve(NAME2), then A's name is let in after 200 ms.
 *                                            argv: {NAME, "a"|"b"}. INFO: tid-of-A tid-of-B
 *   held INFO GO PROG ARG0 [ARG...]          a thread's execve(PROG) is held in the kernel (its name is on
 *                                            a userfaultfd page) until the file GO exists. INFO (empty) is
 *                                            written once the exec is held.
 *   crash DIR N                              N threads named wrk0... spin while the main thread (not
 *                                            renamed) aborts with a core dump (RLIMIT_CORE raised, DIR the
 *                                            working directory): the dump zaps the threads
 *   thread-fork COMM PROG ARG0 [ARG...]      a thread renamed COMM forks a child that execs; waits for it
 *   detached SRC PATH INFO ARG0 [ARG...]     new mount namespace, tmpfs with SRC copied to PATH in it (a
 *                                            relative path such as usr/sbin/sshd), working directory PATH's
 *                                            directory; the tmpfs is then detached (MNT_DETACH) and the file
 *                                            exec'd by fd. INFO: the tmpfs's dev major:minor
 *   otherns SRC PATH INFO ARG0 [ARG...]      as detached, but the tmpfs stays mounted in a child's new mount
 *                                            namespace (on a directory that is empty in this one, which
 *                                            this process stays in): the file and working directory are
 *                                            reached through /proc/CHILD/root. INFO: the directory and the
 *                                            tmpfs's dev major:minor
 *   threads N CODE MS                        N threads spin; once each has used MS ms of CPU time (its own
 *                                            thread clock), the main thread calls exit(CODE), so all of
 *                                            them end at once (exit_group), still spinning
 *   thread-exits CODE1 CODE2 MS              the main thread ends with exit(2) (SYS_exit, not exit_group)
 *                                            and CODE1 while a second thread lives on for MS ms and then
 *                                            does the same with CODE2: no group exit, the last thread to
 *                                            end is not the leader
 *   uring PROG ARG0 [ARG...]                 execs with an io_uring read of an empty pipe in flight: the
 *                                            exec cancels it, running the task's pending work early
 *   traced INFO MS PROG ARG0 [ARG...]        runs PROG in a child it traces with every thread
 *                                            (PTRACE_O_TRACECLONE), letting each stop go, and reaps none of
 *                                            the threads that end until MS ms have passed (PROG must have
 *                                            ended by then): they stay zombies, their CPU time not yet in
 *                                            the process's. INFO: pid exit-code CPU-microseconds (wait4's
 *                                            rusage of the child)
 *   cold-argv PROG ARG0 [ARG...]             execve(PROG, argv) with the array of argument pointers on a
 *                                            page not yet mapped in (written into a memfd, mapped, never
 *                                            touched): the kernel faults it in, a BPF probe read cannot.
 *   cold-execveat DIR NAME ARG0 [ARG...]     execveat(open(DIR), NAME, argv, envp, 0) with NAME on such a
 *                                            page
 *   bad-name ARG0 [ARG...]                   execve((char *)8, argv): fails with EFAULT (exit status 0 then)
 *   seccomp [-s] ERRNO PROG ARG0 [ARG...]    a seccomp filter refuses execve and execveat with ERRNO before
 *                                            they run (the syscall entry tracepoint never fires); then
 *                                            execveat(AT_FDCWD, PROG, argv) and execve(PROG, argv): exit
 *                                            status 0 when both fail with ERRNO. -s: with a SIGSEGV sent
 *                                            to itself pending, blocked
 *   cold-tail PROG ARG0 HEAD TAIL AFTER      execve(PROG, {ARG0, HEAD TAIL, AFTER}) with the second argument
 *                                            across a page boundary: HEAD on a page mapped in, TAIL on one
 *                                            that is not (as cold-argv)
 *   nopin ERRNO PROG ARG0 [ARG...]           execs PROG under a seccomp filter that fails bpf(BPF_OBJ_PIN)
 *                                            with ERRNO: a daemon that cannot pin anything
 *   nolink ERRNO PROG ARG0 [ARG...]          the same for bpf(BPF_LINK_CREATE): a daemon that cannot attach
 *                                            its tp_btf programs (test_pins.py passes 1, EPERM)
 *   nowake ERRNO PROG ARG0 [ARG...]          the same for ioctl(PERF_EVENT_IOC_SET_OUTPUT): a daemon that
 *                                            cannot sleep until the next event when idle (test_records.py)
 *   failing N PROG ARG0 [ARG...]             execve(PROG, argv) N times in a row, each of which must fail
 *                                            (exit status 0 then): N failed execs for one fork
 *   hammer STOP                              looks the one element of a BPF array map (a 64 KiB value) up
 *                                            with bpf(2) in a loop until the file STOP exists, then prints
 *                                            "lookups N" (test_kernel.py's skipped runs)
 *   inflight DIR                             what the pinned maps in DIR keep of execs in progress:
 *                                            "held N hashed N entries N" (slots of inflight_slots held,
 *                                            inflight_hashed's count, entries of the inflight hash)
 *   map-fill DIR MAP FIRST INFO PROG ARG0 [ARG...]
 *                                            fills the pinned hash map DIR/MAP ("tracked" or "inflight")
 *                                            with keys FIRST, FIRST+1, ... until it is full, then runs PROG
 *                                            as a child and exits with its status. INFO: entries added
 *   map-clear DIR MAP FIRST N                deletes the N keys from FIRST again
 *   tracked DIR                              what the pinned maps in DIR keep of audited processes:
 *                                            "owned N hashed N entries N" (slots of tracked_slots owned,
 *                                            tracked_hashed's count, entries of the tracked hash)
 *   slots-take DIR OWNER INFO                gives every free slot of DIR/tracked_slots to OWNER, a thread
 *                                            group ID no process has. INFO: slots taken
 *   slots-free DIR OWNER                     frees the slots OWNER has again
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include <linux/filter.h>
#include <linux/io_uring.h>
#include <linux/perf_event.h>
#include <linux/seccomp.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

extern char **environ;

/* main's argv: dump-argv writes all of it. */
static char **whole_argv;

static _Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void write_file(const char *path, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static _Noreturn void die(const char *fmt, ...)
{
        int e = errno;
        va_list ap;

        fputs("exectool: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fprintf(stderr, ": %s\n", strerror(e));
        exit(127);
}

static _Noreturn void usage(const char *what)
{
        fprintf(stderr, "exectool: usage: exectool %s (see the top of exectool.c)\n", what);
        exit(127);
}

static long parse_long(const char *s)
{
        char *end;
        long v;

        errno = 0;
        v = strtol(s, &end, 10);
        if (errno || end == s || *end || v < 0) {
                errno = EINVAL;
                die("not a number: %s", s);
        }
        return v;
}

static void write_all(int fd, const void *buf, size_t n)
{
        const char *p = buf;

        while (n) {
                ssize_t w = write(fd, p, n);

                if (w < 0 && errno == EINTR)
                        continue;
                if (w < 0)
                        die("write");
                p += w;
                n -= (size_t)w;
        }
}

/* Writes a whole file at once: the test reads it only after the process went on to exec. */
static void write_file(const char *path, const char *fmt, ...)
{
        char buf[512];
        va_list ap;
        int n, fd;

        va_start(ap, fmt);
        n = vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        if (n < 0 || (size_t)n >= sizeof(buf)) {
                errno = EOVERFLOW;
                die("formatting %s", path);
        }
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                die("open %s", path);
        write_all(fd, buf, (size_t)n);
        if (close(fd) < 0)
                die("close %s", path);
}

/* Reads a small file without its trailing newline. */
static void read_file(const char *path, char *buf, size_t size)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t n;

        if (fd < 0)
                die("open %s", path);
        n = read(fd, buf, size - 1);
        if (n < 0)
                die("read %s", path);
        close(fd);
        buf[n] = '\0';
        buf[strcspn(buf, "\n")] = '\0';
}

static void copy_fd(const char *src, int dst)
{
        char buf[65536];
        int in = open(src, O_RDONLY | O_CLOEXEC);
        ssize_t n;

        if (in < 0)
                die("open %s", src);
        while ((n = read(in, buf, sizeof(buf))) > 0)
                write_all(dst, buf, (size_t)n);
        if (n < 0)
                die("read %s", src);
        close(in);
}

/* "ino major:minor" of an open file: the identity EXEC_EXE_INODE and EXEC_EXE_DEV carry. */
static void write_identity(int fd, const char *info)
{
        struct stat st;

        if (fstat(fd, &st) < 0)
                die("fstat");
        write_file(info, "%llu %u:%u\n", (unsigned long long)st.st_ino, major(st.st_dev), minor(st.st_dev));
}

static _Noreturn void do_exec(const char *prog, char **argv)
{
        execve(prog, argv, environ);
        die("execve %s", prog);
}

static _Noreturn void exec_fd(int fd, char **argv)
{
        execveat(fd, "", argv, environ, AT_EMPTY_PATH);
        die("execveat(fd, \"\", AT_EMPTY_PATH)");
}

static int wait_child(pid_t pid)
{
        int status;

        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        die("waitpid %d", (int)pid);
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void sleep_ms(long ms)
{
        struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

static void make_private_mounts(void)
{
        if (unshare(CLONE_NEWNS) < 0)
                die("unshare(CLONE_NEWNS)");
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                die("mount --make-rprivate /");
}

/* -- the shapes ------------------------------------------------------------------------------------- */

static int cmd_exec(char **a)
{
        do_exec(a[0], a + 1);
}

static int cmd_noargv(char **a)
{
        char *none[] = {NULL};

        do_exec(a[0], none);
}

static int cmd_execveat(char **a)
{
        /* Not close-on-exec: the kernel refuses a script whose /dev/fd/N/NAME path would be gone. */
        int dir = open(a[0], O_PATH | O_DIRECTORY);

        if (dir < 0)
                die("open %s", a[0]);
        execveat(dir, a[1], a + 2, environ, 0);
        die("execveat %s %s", a[0], a[1]);
}

static int cmd_fexecve(char **a)
{
        int fd = open(a[0], O_RDONLY | O_CLOEXEC);

        if (fd < 0)
                die("open %s", a[0]);
        fexecve(fd, a + 1, environ);
        die("fexecve %s", a[0]);
}

static int cmd_memfd(char **a)
{
        int fd = memfd_create(a[0], MFD_CLOEXEC | MFD_EXEC);

        if (fd < 0 && errno == EINVAL) /* before Linux 6.3: no MFD_EXEC, and executable anyway */
                fd = memfd_create(a[0], MFD_CLOEXEC);
        if (fd < 0)
                die("memfd_create %s", a[0]);
        copy_fd(a[1], fd);
        write_identity(fd, a[2]);
        exec_fd(fd, a + 3);
}

static int cmd_deleted(char **a)
{
        int fd = open(a[0], O_PATH | O_CLOEXEC);

        if (fd < 0)
                die("open %s", a[0]);
        write_identity(fd, a[1]);
        if (unlink(a[0]) < 0)
                die("unlink %s", a[0]);
        exec_fd(fd, a + 2);
}

static int cmd_tmpfile(char **a)
{
        char path[64];
        int fd = open(a[0], O_TMPFILE | O_RDWR | O_CLOEXEC, 0755), ro;

        if (fd < 0)
                die("open(%s, O_TMPFILE)", a[0]);
        copy_fd(a[1], fd);
        if (fchmod(fd, 0755) < 0)
                die("fchmod");
        /* An exec needs a file nobody has open for writing: a read-only fd of the same inode, then close. */
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        ro = open(path, O_RDONLY | O_CLOEXEC);
        if (ro < 0)
                die("open %s", path);
        close(fd);
        write_identity(ro, a[2]);
        exec_fd(ro, a + 3);
}

static int cmd_dump_argv(char **a)
{
        char **argv = whole_argv; /* as this image received it, argv[0] included */
        int fd = open(a[0], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

        if (fd < 0)
                die("open %s", a[0]);
        for (; *argv; argv++)
                write_all(fd, *argv, strlen(*argv) + 1);
        if (close(fd) < 0)
                die("close %s", a[0]);
        return 0;
}

struct race {
        char **args;
        size_t n, size;
        atomic_int running;
};

static void *rewrite_args(void *p)
{
        struct race *r = p;

        atomic_store(&r->running, 1);
        for (unsigned round = 0;; round++) {
                /* Alternating patterns, the same length: what the kernel copies is one of them or a mix. */
                char c = (round & 1) ? 'B' : 'a';

                for (size_t i = 0; i < r->n; i++) {
                        for (size_t j = 0; j < r->size; j++)
                                ((volatile char *)r->args[i])[j] = (char)(c + (char)((i + j) % 16));
                }
        }
        return NULL;
}

static int cmd_race(char **a)
{
        static struct race r;
        char self[PATH_MAX];
        ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
        size_t n = (size_t)parse_long(a[2]), size = (size_t)parse_long(a[3]);
        char **argv = calloc(n + 5, sizeof(*argv));
        pthread_t t;

        if (len < 0)
                die("readlink /proc/self/exe");
        self[len] = '\0';
        if (!argv || n == 0 || size == 0) {
                errno = EINVAL;
                die("race N SIZE");
        }
        argv[0] = self;
        argv[1] = (char *)"dump-argv";
        argv[2] = a[0];
        argv[3] = a[1];
        for (size_t i = 0; i < n; i++) {
                argv[4 + i] = malloc(size + 1);
                if (!argv[4 + i])
                        die("malloc");
                memset(argv[4 + i], 'x', size);
                argv[4 + i][size] = '\0';
        }
        r.args = argv + 4;
        r.n = n;
        r.size = size;
        errno = pthread_create(&t, NULL, rewrite_args, &r);
        if (errno)
                die("pthread_create");
        while (!atomic_load(&r.running))
                sched_yield();
        sleep_ms(5);
        do_exec(self, argv);
}

static int cmd_loginuid(char **a)
{
        char luid[32], sid[32];
        int fd = open("/proc/self/loginuid", O_WRONLY | O_CLOEXEC), err = 0;

        if (fd < 0)
                die("open /proc/self/loginuid");
        if (write(fd, a[0], strlen(a[0])) < 0)
                err = errno; /* set already and immutable: the test then expects what is read back */
        close(fd);
        read_file("/proc/self/loginuid", luid, sizeof(luid));
        read_file("/proc/self/sessionid", sid, sizeof(sid));
        write_file(a[1], "%d %s %s\n", err, luid, sid);
        do_exec(a[2], a + 3);
}

static int cmd_tty(char **a)
{
        int fd;

        if (setsid() < 0)
                die("setsid");
        fd = open(a[0], O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
                die("open %s", a[0]);
        if (ioctl(fd, TIOCSCTTY, 0) < 0)
                die("TIOCSCTTY %s", a[0]);
        do_exec(a[1], a + 2);
}

static int cmd_cgroup(char **a)
{
        char path[PATH_MAX];

        if ((size_t)snprintf(path, sizeof(path), "%s/cgroup.procs", a[0]) >= sizeof(path)) {
                errno = ENAMETOOLONG;
                die("%s", a[0]);
        }
        write_file(path, "0\n");
        do_exec(a[1], a + 2);
}

/* INFO.<ns-pid>: this process's pid namespace inode, its pid there and its pid as /proc shows it. */
static void write_pidns(const char *info)
{
        char path[PATH_MAX], line[256];
        struct stat st;
        long outer = -1;
        FILE *f;

        if (stat("/proc/self/ns/pid", &st) < 0)
                die("stat /proc/self/ns/pid");
        f = fopen("/proc/self/status", "re");
        if (!f)
                die("open /proc/self/status");
        while (fgets(line, sizeof(line), f))
                if (strncmp(line, "NSpid:", 6) == 0)
                        outer = strtol(line + 6, NULL, 10); /* first: the pid in /proc's namespace */
        fclose(f);
        snprintf(path, sizeof(path), "%s.%d", info, (int)getpid());
        write_file(path, "%llu %d %ld\n", (unsigned long long)st.st_ino, (int)getpid(), outer);
}

static int cmd_pidns(char **a)
{
        pid_t one, two;

        if (unshare(CLONE_NEWPID) < 0)
                die("unshare(CLONE_NEWPID)");
        one = fork();
        if (one < 0)
                die("fork");
        if (one == 0) {
                two = fork();
                if (two < 0)
                        die("fork");
                if (two == 0) {
                        write_pidns(a[0]);
                        do_exec(a[1], a + 2);
                }
                if (wait_child(two) != 0)
                        exit(1);
                write_pidns(a[0]);
                do_exec(a[1], a + 2);
        }
        return wait_child(one);
}

static int cmd_mntns(char **a)
{
        char path[PATH_MAX];
        struct stat st;
        int fd;

        make_private_mounts();
        if (mount("tmpfs", a[0], "tmpfs", 0, "mode=0755") < 0)
                die("mount tmpfs on %s", a[0]);
        snprintf(path, sizeof(path), "%s/%s", a[0], a[2]);
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
        if (fd < 0)
                die("create %s", path);
        copy_fd(a[1], fd);
        close(fd);
        if (stat("/proc/self/ns/mnt", &st) < 0)
                die("stat /proc/self/ns/mnt");
        write_file(a[3], "%llu\n", (unsigned long long)st.st_ino);
        do_exec(path, a + 4);
}

static int cmd_chroot(char **a)
{
        bool keep_cwd = strcmp(a[0], "-k") == 0;
        char usr[PATH_MAX];

        if (keep_cwd)
                a++;
        if (!a[0] || !a[1] || !a[2])
                usage("chroot [-k] ROOT PROG ARG0 [ARG...]");
        make_private_mounts();
        snprintf(usr, sizeof(usr), "%s/usr", a[0]);
        if (mount("/usr", usr, NULL, MS_BIND | MS_REC, NULL) < 0)
                die("bind /usr on %s", usr);
        if (chroot(a[0]) < 0)
                die("chroot %s", a[0]);
        if (!keep_cwd && chdir("/") < 0)
                die("chdir /");
        do_exec(a[1], a + 2);
}

static void set_comm(const char *comm)
{
        if (prctl(PR_SET_NAME, comm, 0, 0, 0) < 0)
                die("PR_SET_NAME %s", comm);
}

static int cmd_rename_fork(char **a)
{
        pid_t pid;

        set_comm(a[0]);
        pid = fork();
        if (pid < 0)
                die("fork");
        if (pid == 0)
                do_exec(a[1], a + 2);
        return wait_child(pid);
}

static int cmd_rename_exec(char **a)
{
        set_comm(a[0]);
        do_exec(a[1], a + 2);
}

static char **thread_exec_args;

static void *idle_thread(void *p)
{
        (void)p;
        for (;;)
                pause();
        return NULL;
}

static const char *thread_exec_comm;

static void *exec_thread(void *p)
{
        if (thread_exec_comm && prctl(PR_SET_NAME, thread_exec_comm, 0, 0, 0) < 0)
                die("PR_SET_NAME");
        write_file(p, "%d %d\n", (int)getpid(), (int)syscall(SYS_gettid));
        do_exec(thread_exec_args[0], thread_exec_args + 1);
}

static int cmd_thread_exec(char **a)
{
        pthread_t t[3];

        if (strcmp(a[0], "-n") == 0) {
                thread_exec_comm = a[1];
                a += 2;
                if (!a[0] || !a[1] || !a[2])
                        usage("thread-exec [-n COMM] INFO PROG ARG0 [ARG...]");
        }
        thread_exec_args = a + 1;
        for (int i = 0; i < 3; i++) {
                errno = pthread_create(&t[i], NULL, i == 2 ? exec_thread : idle_thread, a[0]);
                if (errno)
                        die("pthread_create");
        }
        /* The leader stays alive until the exec takes the process over. */
        for (;;)
                pause();
}

static int cmd_double_fork(char **a)
{
        int subreaper = strcmp(a[0], "-s") == 0;
        pid_t middle;

        if (subreaper) {
                a++;
                if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
                        die("PR_SET_CHILD_SUBREAPER");
        }
        if (!a[0] || !a[1] || !a[2])
                usage("double-fork [-s] INFO PROG ARG0 [ARG...]");
        middle = fork();
        if (middle < 0)
                die("fork");
        if (middle == 0) {
                pid_t me = getpid(), grandchild = fork();

                if (grandchild < 0)
                        die("fork");
                if (grandchild == 0) {
                        char path[64], comm[64];
                        pid_t ppid;

                        for (int i = 0; (ppid = getppid()) == me; i++) {
                                if (i == 10000) {
                                        errno = ETIMEDOUT;
                                        die("waiting to be reparented");
                                }
                                sleep_ms(1);
                        }
                        snprintf(path, sizeof(path), "/proc/%d/comm", (int)ppid);
                        read_file(path, comm, sizeof(comm));
                        write_file(a[0], "%d %s\n", (int)ppid, comm);
                        do_exec(a[1], a + 2);
                }
                _exit(0);
        }
        if (wait_child(middle) != 0)
                return 1;
        if (subreaper) {
                int status, failed = 0;

                while (wait(&status) >= 0)
                        failed |= !WIFEXITED(status) || WEXITSTATUS(status);
                if (errno != ECHILD)
                        die("wait");
                return failed;
        }
        return 0;
}

/* User time, as getrusage() adjusts it: the burn's MS are user time, whatever touching the memory cost in
 * system time (on a busy VM that was once more than half of a 300-ms budget of both). */
static double user_seconds(void)
{
        struct rusage ru;

        if (getrusage(RUSAGE_SELF, &ru) < 0)
                die("getrusage");
        return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
}

static int cmd_burn(char **a)
{
        long ms = parse_long(a[0]);
        size_t bytes = (size_t)parse_long(a[1]) << 20;
        size_t page = (size_t)sysconf(_SC_PAGESIZE);
        volatile uint64_t x = 1;
        /* Written through a volatile pointer, and kept until exit: no store may be optimised away. */
        volatile char *mem = malloc(bytes);

        if (!mem)
                die("malloc");
        for (size_t i = 0; i < bytes; i += page)
                mem[i] = (char)(i / page);
        while (user_seconds() * 1000 < (double)ms)
                for (int i = 0; i < 100000; i++)
                        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        /* CPU time counts from the fork, a lifetime from the exec: some idle time keeps the latter ahead. */
        sleep_ms(100);
        return 0;
}

/* A page whose first touch waits until the userfaultfd uffd lets it in. */
static char *uffd_page(int *uffd, long page_size, int features)
{
        struct uffdio_api api = {.api = UFFD_API, .features = (__u64)features};
        struct uffdio_register reg = {.mode = UFFDIO_REGISTER_MODE_MISSING};
        char *page;

        *uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC);
        if (*uffd < 0 || ioctl(*uffd, UFFDIO_API, &api) < 0)
                die("userfaultfd");
        page = mmap(NULL, (size_t)page_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (page == MAP_FAILED)
                die("mmap");
        reg.range.start = (unsigned long)page;
        reg.range.len = (unsigned long)page_size;
        if (ioctl(*uffd, UFFDIO_REGISTER, &reg) < 0)
                die("UFFDIO_REGISTER");
        return page;
}

/* Waits for the first fault on the page, returns its message. */
static struct uffd_msg uffd_wait(int uffd)
{
        struct uffd_msg msg;

        if (read(uffd, &msg, sizeof(msg)) != sizeof(msg) || msg.event != UFFD_EVENT_PAGEFAULT)
                die("waiting for the fault");
        return msg;
}

/* Fills the page with text, which lets the faulting thread go on. */
static void uffd_fill(int uffd, char *page, long page_size, const char *text)
{
        struct uffdio_copy copy = {0};
        char *src = calloc(1, (size_t)page_size);

        if (!src)
                die("calloc");
        strcpy(src, text);
        copy.dst = (unsigned long)page;
        copy.src = (unsigned long)src;
        copy.len = (unsigned long)page_size;
        if (ioctl(uffd, UFFDIO_COPY, &copy) < 0)
                die("UFFDIO_COPY");
        free(src);
}

struct clash {
        char *page; /* A's name, missing until let in */
        const char *name_b;
        long stride;
        int uffd;
        long page_size;
        const char *text_a;
        pid_t tid_a, tid_b;
        int errno_b;
};

/* B: a process forked until one has an ID congruent to A's, whose only thread calls exec (each one
 * leads its process, so each uses its slot). */
static void *clash_b(void *arg)
{
        struct clash *c = arg;
        /* Not a literal: a child's untouched file pages are not mapped in, and cannot be read without a
         * fault (the record would say argv truncated). */
        char b[] = "b", *argv[] = {(char *)c->name_b, b, NULL};

        /* A is in execve, blocked reading its name, once the fault arrives. */
        c->tid_a = (pid_t)uffd_wait(c->uffd).arg.pagefault.feat.ptid;
        for (long i = 0; !c->tid_b; i++) {
                int status;
                pid_t pid;

                if (i == 1000000) {
                        c->errno_b = ETIMEDOUT;
                        break;
                }
                pid = fork();
                if (pid < 0) {
                        c->errno_b = errno;
                        break;
                }
                if (pid == 0) {
                        pid_t me = getpid();

                        if (me == c->tid_a || (me - c->tid_a) % c->stride != 0)
                                _exit(100);
                        execve(c->name_b, argv, environ);
                        _exit(errno);
                }
                if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status)) {
                        c->errno_b = ECHILD;
                        break;
                }
                if (WEXITSTATUS(status) != 100) {
                        c->tid_b = pid;
                        c->errno_b = WEXITSTATUS(status);
                }
        }
        sleep_ms(200);
        uffd_fill(c->uffd, c->page, c->page_size, c->text_a);
        return NULL;
}

static int cmd_slot_clash(char **a)
{
        struct clash c = {.name_b = a[3], .stride = parse_long(a[1]), .text_a = a[2]};
        pthread_t tb;
        int errno_a;

        c.page_size = sysconf(_SC_PAGESIZE);
        if (c.stride <= 0 || strlen(a[2]) >= (size_t)c.page_size)
                usage("slot-clash INFO STRIDE NAME1 NAME2");
        c.page = uffd_page(&c.uffd, c.page_size, UFFD_FEATURE_THREAD_ID);
        errno = pthread_create(&tb, NULL, clash_b, &c);
        if (errno)
                die("pthread_create");
        /* A: this process's leader. */
        execve(c.page, (char *[]){c.page, "a", NULL}, environ);
        errno_a = errno;
        pthread_join(tb, NULL);
        if (!c.tid_b) {
                errno = c.errno_b;
                die("no process ID %ld apart from %d", c.stride, (int)c.tid_a);
        }
        if (errno_a != ENOENT || c.errno_b != ENOENT) {
                errno = errno_a != ENOENT ? errno_a : c.errno_b;
                die("the execs were to fail with ENOENT");
        }
        write_file(a[0], "%d %d\n", (int)c.tid_a, (int)c.tid_b);
        return 0;
}

struct held {
        char *page;
        char **argv;
        int err;
};

static void *held_exec(void *arg)
{
        struct held *h = arg;

        execve(h->page, h->argv, environ);
        h->err = errno;
        return NULL;
}

static int cmd_held(char **a)
{
        long page_size = sysconf(_SC_PAGESIZE);
        struct held h = {.argv = a + 3};
        pthread_t t;
        int uffd;

        if (strlen(a[2]) >= (size_t)page_size)
                usage("held INFO GO PROG ARG0 [ARG...]");
        h.page = uffd_page(&uffd, page_size, 0);
        errno = pthread_create(&t, NULL, held_exec, &h);
        if (errno)
                die("pthread_create");
        uffd_wait(uffd);
        write_file(a[0], "%s", "");
        while (access(a[1], F_OK) < 0)
                sleep_ms(10);
        /* A successful exec ends this thread here. */
        uffd_fill(uffd, h.page, page_size, a[2]);
        pthread_join(t, NULL);
        if (h.err != ENOENT) {
                errno = h.err;
                die("execve %s", a[2]);
        }
        return 0;
}

static atomic_int spun; /* threads that have used their CPU time */
static long spin_ms;

static void *spin(void *arg)
{
        volatile unsigned long *n = arg;
        struct timespec ts;
        bool counted = false;

        for (;;) {
                for (int i = 0; i < 100000; i++)
                        (*n)++;
                if (counted || clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) < 0 ||
                    ts.tv_sec * 1000 + ts.tv_nsec / 1000000 < spin_ms)
                        continue;
                counted = true;
                atomic_fetch_add(&spun, 1);
        }
        return NULL;
}

static int cmd_threads(char **a)
{
        long n = parse_long(a[0]);
        static unsigned long counters[64];
        pthread_t t;

        if (n < 1 || n > 64)
                usage("threads N CODE MS (N from 1 to 64)");
        spin_ms = parse_long(a[2]);
        for (long i = 0; i < n; i++)
                if (pthread_create(&t, NULL, spin, &counters[i]) != 0)
                        die("pthread_create");
        while (atomic_load(&spun) < n)
                sleep_ms(1);
        exit((int)parse_long(a[1]));
}

static long thread_exit_code, thread_exit_ms;

static void *late_exit(void *arg)
{
        (void)arg;
        sleep_ms(thread_exit_ms);
        syscall(SYS_exit, (int)thread_exit_code);
        return NULL;
}

static int cmd_thread_exits(char **a)
{
        long leader = parse_long(a[0]);
        pthread_t t;

        thread_exit_code = parse_long(a[1]);
        thread_exit_ms = parse_long(a[2]);
        if (pthread_create(&t, NULL, late_exit, NULL) != 0)
                die("pthread_create");
        /* Not exit(): glibc's would end the whole group. */
        syscall(SYS_exit, (int)leader);
        return 127;
}

static int cmd_uring(char **a)
{
        struct io_uring_params p = {0};
        struct io_uring_sqe *sqes, *e;
        static char byte;
        unsigned *tail, i;
        int fd, pipefd[2];
        char *sq;

        fd = (int)syscall(__NR_io_uring_setup, 4, &p);
        if (fd < 0)
                die("io_uring_setup");
        if (pipe(pipefd) < 0)
                die("pipe");
        sq = mmap(NULL, p.sq_off.array + p.sq_entries * sizeof(unsigned), PROT_READ | PROT_WRITE,
                  MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQ_RING);
        sqes = mmap(NULL, p.sq_entries * sizeof(*sqes), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
                    fd, IORING_OFF_SQES);
        if (sq == MAP_FAILED || sqes == MAP_FAILED)
                die("mmap io_uring");
        tail = (unsigned *)(sq + p.sq_off.tail);
        i = *tail & *(unsigned *)(sq + p.sq_off.ring_mask);
        e = &sqes[i];
        memset(e, 0, sizeof(*e));
        e->opcode = IORING_OP_READ;
        e->fd = pipefd[0];
        e->addr = (unsigned long)&byte;
        e->len = 1;
        ((unsigned *)(sq + p.sq_off.array))[i] = i;
        __atomic_store_n(tail, *tail + 1, __ATOMIC_RELEASE);
        if (syscall(__NR_io_uring_enter, fd, 1, 0, 0, NULL, 0) != 1)
                die("io_uring_enter");
        do_exec(a[0], a + 1);
}

static void *named_spin(void *arg)
{
        char name[16];

        snprintf(name, sizeof(name), "wrk%ld", (long)(intptr_t)arg);
        set_comm(name);
        atomic_fetch_add(&spun, 1);
        for (;;)
                ;
        return NULL;
}

static int cmd_crash(char **a)
{
        struct rlimit rl = {RLIM_INFINITY, RLIM_INFINITY};
        long n = parse_long(a[1]);
        pthread_t t;

        if (n < 1 || n > 64)
                usage("crash DIR N (N from 1 to 64)");
        if (chdir(a[0]) < 0)
                die("chdir %s", a[0]);
        if (setrlimit(RLIMIT_CORE, &rl) < 0)
                die("setrlimit RLIMIT_CORE");
        for (long i = 0; i < n; i++)
                if (pthread_create(&t, NULL, named_spin, (void *)(intptr_t)i) != 0)
                        die("pthread_create");
        while (atomic_load(&spun) < n)
                sleep_ms(1);
        abort();
}

static char **thread_fork_args;

static void *forking_thread(void *arg)
{
        pid_t pid;

        set_comm(arg);
        pid = fork();
        if (pid < 0)
                die("fork");
        if (pid == 0)
                do_exec(thread_fork_args[0], thread_fork_args + 1);
        return (void *)(intptr_t)wait_child(pid);
}

static int cmd_thread_fork(char **a)
{
        pthread_t t;
        void *rc;

        thread_fork_args = a + 1;
        if (pthread_create(&t, NULL, forking_thread, a[0]) != 0 || pthread_join(t, &rc) != 0)
                die("thread");
        return (int)(intptr_t)rc;
}

/* Mounts a tmpfs on top (a directory) and copies src to rel in it (a relative path, its directories made
 * on the way): path is the file's. Returns the file, opened for reading. */
static int tmpfs_with_file(const char *top, const char *src, const char *rel, char *path, size_t size)
{
        char *slash;
        int fd;

        if (mount("tmpfs", top, "tmpfs", 0, "mode=0755") < 0)
                die("mount tmpfs on %s", top);
        snprintf(path, size, "%s/%s", top, rel);
        for (slash = path + strlen(top) + 1; (slash = strchr(slash, '/')); slash++) {
                *slash = '\0';
                if (mkdir(path, 0755) < 0)
                        die("mkdir %s", path);
                *slash = '/';
        }
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
        if (fd < 0)
                die("create %s", path);
        copy_fd(src, fd);
        close(fd);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                die("open %s", path);
        return fd;
}

static int cmd_detached(char **a)
{
        char top[] = "/tmp/ea-detached-XXXXXX", path[PATH_MAX];
        struct stat st;
        int fd;

        make_private_mounts();
        if (!mkdtemp(top))
                die("mkdtemp");
        fd = tmpfs_with_file(top, a[0], a[1], path, sizeof(path));
        if (fstat(fd, &st) < 0)
                die("fstat %s", path);
        *strrchr(path, '/') = '\0';
        if (chdir(path) < 0)
                die("chdir %s", path);
        if (umount2(top, MNT_DETACH) < 0)
                die("umount2 %s", top);
        write_file(a[2], "%u:%u\n", major(st.st_dev), minor(st.st_dev));
        fexecve(fd, a + 3, environ);
        die("fexecve %s", a[1]);
}

/*
 * A file that only another mount namespace has: a child makes it there (a tmpfs on a directory that is
 * empty here) and waits until the program exec'd here ends; this process, left in its namespace, opens the
 * file and its directory through /proc/CHILD/root.
 */
static int cmd_otherns(char **a)
{
        char top[] = "/tmp/ea-otherns-XXXXXX", path[PATH_MAX], via[PATH_MAX + 32];
        int ready[2], hold[2], fd;
        struct stat st;
        pid_t pid;
        char c;

        if (!mkdtemp(top))
                die("mkdtemp");
        /* hold's write end goes through the exec: the child sees its end when the program's does. */
        if (pipe2(ready, O_CLOEXEC) < 0 || pipe(hold) < 0)
                die("pipe");
        pid = fork();
        if (pid < 0)
                die("fork");
        if (pid == 0) {
                close(ready[0]);
                close(hold[1]);
                make_private_mounts();
                close(tmpfs_with_file(top, a[0], a[1], path, sizeof(path)));
                write_all(ready[1], "", 1);
                while (read(hold[0], &c, 1) < 0 && errno == EINTR)
                        ;
                umount2(top, MNT_DETACH);
                rmdir(top);
                _exit(0);
        }
        close(ready[1]);
        close(hold[0]);
        if (read(ready[0], &c, 1) != 1)
                die("the file in the other namespace was not made");
        snprintf(via, sizeof(via), "/proc/%d/root%s/%s", (int)pid, top, a[1]);
        fd = open(via, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || fstat(fd, &st) < 0)
                die("open %s", via);
        *strrchr(via, '/') = '\0';
        if (chdir(via) < 0)
                die("chdir %s", via);
        write_file(a[2], "%s %u:%u\n", top, major(st.st_dev), minor(st.st_dev));
        fexecve(fd, a + 3, environ);
        die("fexecve %s", via);
}

/* text on a page of its own that is not mapped in yet: the first access faults. */
static char *cold_copy(const char *text, size_t size)
{
        char *p;
        int fd = memfd_create("cold", MFD_CLOEXEC);

        if (fd < 0)
                die("memfd_create");
        if (write(fd, text, size) != (ssize_t)size)
                die("write to the memfd");
        p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
        if (p == MAP_FAILED)
                die("mmap");
        return p;
}

static int cmd_cold_execveat(char **a)
{
        int dir = open(a[0], O_PATH | O_DIRECTORY);

        if (dir < 0)
                die("open %s", a[0]);
        execveat(dir, cold_copy(a[1], strlen(a[1]) + 1), a + 2, environ, 0);
        die("execveat %s %s", a[0], a[1]);
}

static int cmd_cold_argv(char **a)
{
        size_t n = 0, size;
        char **cold;

        while (a[1 + n])
                n++;
        size = (n + 1) * sizeof(char *);
        cold = (char **)cold_copy((const char *)(a + 1), size);
        do_exec(a[0], cold);
}

/* argv {ARG0, HEAD TAIL, AFTER}: HEAD ends a page that is mapped in, TAIL starts one that is not. */
static int cmd_cold_tail(char **a)
{
        size_t page = (size_t)sysconf(_SC_PAGESIZE), head = strlen(a[2]), tail = strlen(a[3]) + 1;
        int fd = memfd_create("cold-tail", MFD_CLOEXEC);
        char *p, *argv[] = {a[1], NULL, a[4], NULL};

        if (head > page || tail > page)
                die("HEAD and TAIL must fit in a page each");
        p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED || fd < 0 || write(fd, a[3], tail) != (ssize_t)tail)
                die("mmap or memfd");
        memcpy(p + page - head, a[2], head);
        /* A separate mapping: no fault-around from the first page brings this one in. */
        if (mmap(p + page, page, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0) == MAP_FAILED)
                die("mmap the memfd");
        argv[1] = p + page - head;
        do_exec(a[0], argv);
}

/* execve with a filename pointer the kernel cannot read: EFAULT. */
static int cmd_bad_name(char **a)
{
        syscall(SYS_execve, 8L, a, environ); /* the libc wrapper's declaration would not allow it */
        return errno == EFAULT ? 0 : 127;
}

static int cmd_seccomp(char **a)
{
        bool segv = strcmp(a[0], "-s") == 0;
        long err;

        if (segv) {
                sigset_t set;

                a++;
                if (!a[0] || !a[1] || !a[2])
                        usage("seccomp [-s] ERRNO PROG ARG0 [ARG...]");
                /* A SIGSEGV of its own, blocked: pending through the execs, as the kernel leaves one after a
                 * failure past the point of no return (which it unblocks). */
                sigemptyset(&set);
                sigaddset(&set, SIGSEGV);
                if (sigprocmask(SIG_BLOCK, &set, NULL) < 0 ||
                    syscall(SYS_tgkill, getpid(), (pid_t)syscall(SYS_gettid), SIGSEGV) < 0)
                        die("a blocked SIGSEGV");
        }
        err = parse_long(a[0]);
        struct sock_filter insns[] = {
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_execve, 2, 0),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_execveat, 1, 0),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ((unsigned)err & SECCOMP_RET_DATA)),
        };
        struct sock_fprog prog = {.len = sizeof(insns) / sizeof(insns[0]), .filter = insns};
        int at_errno;

        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
            prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
                die("seccomp");
        execveat(AT_FDCWD, a[1], a + 2, environ, 0);
        at_errno = errno;
        execve(a[1], a + 2, environ);
        return at_errno == err && errno == err ? 0 : 127;
}

/* Execs a[1] under a seccomp filter that fails syscall nr with errno a[0] when argument arg is val (its low
 * half on little-endian x86-64: bpf(2)'s cmd is an int, ioctl(2)'s requests fit in one). */
static int deny_call(int nr, unsigned arg, unsigned val, char **a)
{
        long err = parse_long(a[0]);
        struct sock_filter insns[] = {
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nr, 0, 3),
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                         (unsigned)(offsetof(struct seccomp_data, args) + arg * sizeof(__u64))),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, val, 0, 1),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ((unsigned)err & SECCOMP_RET_DATA)),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        };
        struct sock_fprog prog = {.len = sizeof(insns) / sizeof(insns[0]), .filter = insns};

        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
            prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
                die("seccomp");
        execv(a[1], a + 2);
        die("exec %s", a[1]);
}

static int deny_bpf_cmd(int cmd, char **a)
{
        return deny_call(SYS_bpf, 0, (unsigned)cmd, a);
}

static int cmd_nopin(char **a)
{
        return deny_bpf_cmd(BPF_OBJ_PIN, a);
}

/* libbpf's probe for perf links fails too, so it attaches the tracepoint programs the older way
 * (PERF_EVENT_IOC_SET_BPF); the first tp_btf program, which has no such way, then fails the start. */
static int cmd_nolink(char **a)
{
        return deny_bpf_cmd(BPF_LINK_CREATE, a);
}

/* The daemon's waking events (daemon/idle.c) cannot write into the rings: it drains on its timer. */
static int cmd_nowake(char **a)
{
        return deny_call(SYS_ioctl, 1, PERF_EVENT_IOC_SET_OUTPUT, a);
}

static int cmd_failing(char **a)
{
        long n = parse_long(a[0]);

        /* Each return is a failed exec; a PROG that exists would end the loop at the first. */
        for (long i = 0; i < n; i++)
                execve(a[1], a + 2, environ);
        return 0;
}

/* bpf(2) without libbpf: exectool links nothing else. */
static long sys_bpf(int cmd, union bpf_attr *attr)
{
        return syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

/* The pinned map DIR/NAME's fd. */
static int pinned_map(const char *dir, const char *name)
{
        char path[PATH_MAX];
        union bpf_attr attr;
        int fd;

        snprintf(path, sizeof(path), "%s/%s", dir, name);
        memset(&attr, 0, sizeof(attr));
        attr.pathname = (__u64)(uintptr_t)path;
        fd = (int)sys_bpf(BPF_OBJ_GET, &attr);
        if (fd < 0)
                die("bpf(BPF_OBJ_GET, %s)", path);
        return fd;
}

/* The value at key into value, which must have room for it; false when there is none. */
static bool map_lookup(int map, const void *key, void *value)
{
        union bpf_attr attr;

        memset(&attr, 0, sizeof(attr));
        attr.map_fd = (__u32)map;
        attr.key = (__u64)(uintptr_t)key;
        attr.value = (__u64)(uintptr_t)value;
        if (sys_bpf(BPF_MAP_LOOKUP_ELEM, &attr) == 0)
                return true;
        if (errno != ENOENT)
                die("bpf(BPF_MAP_LOOKUP_ELEM)");
        return false;
}

/* How many keys the hash map has. */
static unsigned long count_keys(int hash)
{
        unsigned long entries = 0;
        __u64 key = 0, next;
        union bpf_attr attr;

        for (;;) {
                memset(&attr, 0, sizeof(attr));
                attr.map_fd = (__u32)hash;
                attr.key = entries ? (__u64)(uintptr_t)&key : 0;
                attr.next_key = (__u64)(uintptr_t)&next;
                if (sys_bpf(BPF_MAP_GET_NEXT_KEY, &attr) < 0) {
                        if (errno != ENOENT)
                                die("bpf(BPF_MAP_GET_NEXT_KEY)");
                        break;
                }
                key = next;
                entries++;
        }
        return entries;
}

/*
 * The slots of an array map whose values start with a 64-bit owner (0: free) that are not free, and the
 * count in the one element of the array map hashed, as "NAME N hashed N entries N" with hash's keys.
 */
static int print_slots(const char *name, int slots, int hashed, int hash)
{
        static __u64 value[512]; /* larger than any of these maps' values */
        unsigned long used = 0;
        __u64 count = 0;
        __u32 k;

        for (k = 0; map_lookup(slots, &k, value); k++)
                used += value[0] != 0;
        k = 0;
        if (map_lookup(hashed, &k, value))
                count = value[0];
        printf("%s %lu hashed %llu entries %lu\n", name, used, (unsigned long long)count, count_keys(hash));
        return 0;
}

/* Slots and entries left only by exec runs the kernel skipped; the exit of their thread frees them. */
static int cmd_inflight(char **a)
{
        return print_slots("held", pinned_map(a[0], "inflight_slots"), pinned_map(a[0], "inflight_hashed"),
                           pinned_map(a[0], "inflight"));
}

/* Entries of live audited processes, and those left by exit runs the kernel skipped. */
static int cmd_tracked(char **a)
{
        return print_slots("owned", pinned_map(a[0], "tracked_slots"), pinned_map(a[0], "tracked_hashed"),
                           pinned_map(a[0], "tracked"));
}

/*
 * Gives the free slots of DIR/tracked_slots (owner 0) to OWNER, or (take false) frees OWNER's: an exec
 * whose slot is taken uses the "tracked" hash. Not atomic against the programs: a process that claims a
 * slot between the lookup and the update loses its entry (its exit and its children's EXEC_PARENT_ID), so
 * the tests run nothing audited meanwhile.
 */
static unsigned long hand_slots(const char *dir, __u64 owner, bool take)
{
        int slots = pinned_map(dir, "tracked_slots");
        static __u64 value[512];
        unsigned long n = 0;
        union bpf_attr attr;
        __u32 k;

        for (k = 0; map_lookup(slots, &k, value); k++) {
                if (value[0] != (take ? 0 : owner))
                        continue;
                memset(value, 0, sizeof(value));
                value[0] = take ? owner : 0;
                memset(&attr, 0, sizeof(attr));
                attr.map_fd = (__u32)slots;
                attr.key = (__u64)(uintptr_t)&k;
                attr.value = (__u64)(uintptr_t)value;
                attr.flags = BPF_EXIST;
                if (sys_bpf(BPF_MAP_UPDATE_ELEM, &attr) < 0)
                        die("bpf(BPF_MAP_UPDATE_ELEM, tracked_slots)");
                n++;
        }
        return n;
}

static int cmd_slots_take(char **a)
{
        write_file(a[2], "%lu\n", hand_slots(a[0], (__u64)parse_long(a[1]), true));
        return 0;
}

static int cmd_slots_free(char **a)
{
        hand_slots(a[0], (__u64)parse_long(a[1]), false);
        return 0;
}

/* The key and value sizes of map, which must be a hash map with keys of 4 or 8 bytes. */
static void map_sizes(int map, const char *name, __u32 *key_size, __u32 *value_size)
{
        struct bpf_map_info info;
        union bpf_attr attr;

        memset(&info, 0, sizeof(info));
        memset(&attr, 0, sizeof(attr));
        attr.info.bpf_fd = (__u32)map;
        attr.info.info_len = sizeof(info);
        attr.info.info = (__u64)(uintptr_t)&info;
        if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr) < 0)
                die("bpf(BPF_OBJ_GET_INFO_BY_FD, %s)", name);
        if (info.type != BPF_MAP_TYPE_HASH || (info.key_size != 4 && info.key_size != 8) ||
            info.value_size > 4096) {
                errno = EINVAL;
                die("%s: not a hash map with 4- or 8-byte keys", name);
        }
        *key_size = info.key_size;
        *value_size = info.value_size;
}

/* key as a map key of key_size bytes (4 or 8), in the host's byte order. */
static void *map_key(__u64 *key, __u32 key_size, __u32 *small)
{
        *small = (__u32)*key;
        return key_size == 4 ? (void *)small : (void *)key;
}

/*
 * Entries (all bytes 0) in the pinned hash map DIR/MAP for keys no process or task can have (from FIRST:
 * above the kernel's PID_MAX_LIMIT for "tracked", no kernel address for "inflight"), added until the
 * kernel refuses one (the map is full); INFO gets how many. Then PROG runs as a child while this process,
 * whose own "tracked" entry would free room at its exit, waits: its exit code is PROG's. With FIRST and N,
 * "map-clear" deletes the entries again.
 */
static int cmd_map_fill(char **a)
{
        int map = pinned_map(a[0], a[1]);
        static __u64 value[512]; /* room for any value map_sizes() accepts */
        __u32 key_size, value_size, small;
        unsigned long added = 0;
        __u64 key = (__u64)parse_long(a[2]);
        union bpf_attr attr;
        pid_t child;

        map_sizes(map, a[1], &key_size, &value_size);
        for (;; key++, added++) {
                if (added > 1ul << 20) {
                        errno = EINVAL;
                        die("%s/%s takes more than %lu entries: not the map this tool knows", a[0], a[1],
                            added);
                }
                memset(&attr, 0, sizeof(attr));
                attr.map_fd = (__u32)map;
                attr.key = (__u64)(uintptr_t)map_key(&key, key_size, &small);
                attr.value = (__u64)(uintptr_t)value;
                attr.flags = BPF_NOEXIST;
                if (sys_bpf(BPF_MAP_UPDATE_ELEM, &attr) < 0) {
                        if (errno != E2BIG)
                                die("bpf(BPF_MAP_UPDATE_ELEM, %s)", a[1]);
                        break;
                }
        }
        write_file(a[3], "%lu\n", added);
        child = fork();
        if (child < 0)
                die("fork");
        if (child == 0) {
                execve(a[4], a + 5, environ);
                die("execve %s", a[4]);
        }
        return wait_child(child);
}

static int cmd_map_clear(char **a)
{
        int map = pinned_map(a[0], a[1]);
        __u64 key = (__u64)parse_long(a[2]);
        unsigned long n = (unsigned long)parse_long(a[3]);
        __u32 key_size, value_size, small;
        union bpf_attr attr;

        map_sizes(map, a[1], &key_size, &value_size);
        for (unsigned long i = 0; i < n; i++, key++) {
                memset(&attr, 0, sizeof(attr));
                attr.map_fd = (__u32)map;
                attr.key = (__u64)(uintptr_t)map_key(&key, key_size, &small);
                if (sys_bpf(BPF_MAP_DELETE_ELEM, &attr) < 0)
                        die("bpf(BPF_MAP_DELETE_ELEM, %s)", a[1]);
        }
        return 0;
}

/*
 * The kernel copies the value with its CPU in a BPF context (bpf_prog_active). Preempted there, on a kernel
 * with full preemption, the hammer leaves the CPU in that context, and the syscall tracepoint programs of
 * the execs that run there meanwhile are skipped (counted in their recursion_misses on 6.12, not on 6.1).
 */
static int cmd_hammer(char **a)
{
        enum { VALUE_SIZE = 65536 }; /* the larger the copy, the likelier a preemption inside it */
        static char value[VALUE_SIZE];
        union bpf_attr attr;
        unsigned long long lookups = 0;
        __u32 key = 0;
        int map;

        memset(&attr, 0, sizeof(attr));
        attr.map_type = BPF_MAP_TYPE_ARRAY;
        attr.key_size = sizeof(key);
        attr.value_size = VALUE_SIZE;
        attr.max_entries = 1;
        map = (int)sys_bpf(BPF_MAP_CREATE, &attr);
        if (map < 0)
                die("bpf(BPF_MAP_CREATE)");
        /* The stop file is looked for between batches: the lookups are what the CPU does. */
        while (access(a[0], F_OK) < 0) {
                for (int i = 0; i < 64; i++, lookups++)
                        map_lookup(map, &key, value);
        }
        printf("lookups %llu\n", lookups);
        return 0;
}

static int cmd_sleep(char **a)
{
        sleep_ms(parse_long(a[0]));
        return 0;
}

static int cmd_traced(char **a)
{
        struct timespec now, until;
        struct rusage ru = {0};
        pid_t child, w;
        int status, code;
        long cpu_us;

        child = fork();
        if (child < 0)
                die("fork");
        if (child == 0) {
                if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0)
                        die("PTRACE_TRACEME");
                raise(SIGSTOP);
                do_exec(a[2], a + 3);
        }
        if (waitpid(child, &status, 0) < 0 || !WIFSTOPPED(status))
                die("waitpid for the child's stop");
        if (ptrace(PTRACE_SETOPTIONS, child, NULL, (void *)(PTRACE_O_TRACECLONE | PTRACE_O_EXITKILL)) < 0)
                die("PTRACE_SETOPTIONS");
        if (ptrace(PTRACE_CONT, child, NULL, NULL) < 0)
                die("PTRACE_CONT");
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += parse_long(a[1]) / 1000;
        until.tv_nsec += parse_long(a[1]) % 1000 * 1000000L;
        for (;;) {
                siginfo_t si = {0};

                clock_gettime(CLOCK_MONOTONIC, &now);
                if (now.tv_sec * 1000000000L + now.tv_nsec >= until.tv_sec * 1000000000L + until.tv_nsec)
                        break;
                /* Stops only (no WEXITED): a thread that ended stays unreaped. ECHILD: all have ended. */
                if (waitid(P_ALL, 0, &si, WSTOPPED | WNOHANG | __WALL) < 0 && errno != ECHILD)
                        die("waitid");
                if (!si.si_pid) {
                        sleep_ms(1);
                        continue;
                }
                /* ptrace's own: the exec's SIGTRAP, a new thread's SIGSTOP, clone events (SIGTRAP, the event
                 * above it). */
                ptrace(PTRACE_CONT, si.si_pid, NULL,
                       (void *)(long)((si.si_status & 0xff) == SIGTRAP || si.si_status == SIGSTOP
                                              ? 0
                                              : si.si_status));
        }
        while ((w = wait4(-1, &status, __WALL, &ru)) != child)
                if (w < 0 && errno != EINTR)
                        die("wait4");
        code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        cpu_us = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000L + ru.ru_utime.tv_usec +
                 ru.ru_stime.tv_usec;
        write_file(a[0], "%d %d %ld\n", (int)child, code, cpu_us);
        return 0;
}

static const struct {
        const char *name;
        int args; /* at least this many after the subcommand */
        int (*run)(char **a);
        const char *usage;
} cmds[] = {
        {"exec", 2, cmd_exec, "exec PROG ARG0 [ARG...]"},
        {"noargv", 1, cmd_noargv, "noargv PROG"},
        {"execveat", 3, cmd_execveat, "execveat DIR NAME ARG0 [ARG...]"},
        {"fexecve", 2, cmd_fexecve, "fexecve FILE ARG0 [ARG...]"},
        {"memfd", 4, cmd_memfd, "memfd NAME SRC INFO ARG0 [ARG...]"},
        {"deleted", 3, cmd_deleted, "deleted FILE INFO ARG0 [ARG...]"},
        {"tmpfile", 4, cmd_tmpfile, "tmpfile DIR SRC INFO ARG0 [ARG...]"},
        {"dump-argv", 1, cmd_dump_argv, "dump-argv FILE [ARG...]"},
        {"race", 4, cmd_race, "race FILE MARKER N SIZE"},
        {"loginuid", 4, cmd_loginuid, "loginuid UID INFO PROG ARG0 [ARG...]"},
        {"tty", 3, cmd_tty, "tty PTS PROG ARG0 [ARG...]"},
        {"cgroup", 3, cmd_cgroup, "cgroup DIR PROG ARG0 [ARG...]"},
        {"pidns", 3, cmd_pidns, "pidns INFO PROG ARG0 [ARG...]"},
        {"mntns", 5, cmd_mntns, "mntns DIR SRC NAME INFO ARG0 [ARG...]"},
        {"chroot", 3, cmd_chroot, "chroot [-k] ROOT PROG ARG0 [ARG...]"},
        {"rename-fork", 3, cmd_rename_fork, "rename-fork COMM PROG ARG0 [ARG...]"},
        {"rename-exec", 3, cmd_rename_exec, "rename-exec COMM PROG ARG0 [ARG...]"},
        {"thread-exec", 3, cmd_thread_exec, "thread-exec [-n COMM] INFO PROG ARG0 [ARG...]"},
        {"double-fork", 3, cmd_double_fork, "double-fork [-s] INFO PROG ARG0 [ARG...]"},
        {"burn", 2, cmd_burn, "burn USER-MS MIB"},
        {"sleep", 1, cmd_sleep, "sleep MS"},
        {"slot-clash", 4, cmd_slot_clash, "slot-clash INFO STRIDE NAME1 NAME2"},
        {"held", 4, cmd_held, "held INFO GO PROG ARG0 [ARG...]"},
        {"threads", 3, cmd_threads, "threads N CODE MS"},
        {"thread-exits", 3, cmd_thread_exits, "thread-exits CODE1 CODE2 MS"},
        {"uring", 2, cmd_uring, "uring PROG ARG0 [ARG...]"},
        {"crash", 2, cmd_crash, "crash DIR N"},
        {"thread-fork", 3, cmd_thread_fork, "thread-fork COMM PROG ARG0 [ARG...]"},
        {"detached", 4, cmd_detached, "detached SRC PATH INFO ARG0 [ARG...]"},
        {"otherns", 4, cmd_otherns, "otherns SRC PATH INFO ARG0 [ARG...]"},
        {"cold-execveat", 3, cmd_cold_execveat, "cold-execveat DIR NAME ARG0 [ARG...]"},
        {"traced", 4, cmd_traced, "traced INFO MS PROG ARG0 [ARG...]"},
        {"cold-argv", 2, cmd_cold_argv, "cold-argv PROG ARG0 [ARG...]"},
        {"cold-tail", 5, cmd_cold_tail, "cold-tail PROG ARG0 HEAD TAIL AFTER"},
        {"bad-name", 1, cmd_bad_name, "bad-name ARG0 [ARG...]"},
        {"seccomp", 3, cmd_seccomp, "seccomp [-s] ERRNO PROG ARG0 [ARG...]"},
        {"nopin", 3, cmd_nopin, "nopin ERRNO PROG ARG0 [ARG...]"},
        {"nolink", 3, cmd_nolink, "nolink ERRNO PROG ARG0 [ARG...]"},
        {"nowake", 3, cmd_nowake, "nowake ERRNO PROG ARG0 [ARG...]"},
        {"failing", 3, cmd_failing, "failing N PROG ARG0 [ARG...]"},
        {"hammer", 1, cmd_hammer, "hammer STOP"},
        {"inflight", 1, cmd_inflight, "inflight DIR"},
        {"map-fill", 6, cmd_map_fill, "map-fill DIR MAP FIRST INFO PROG ARG0 [ARG...]"},
        {"map-clear", 4, cmd_map_clear, "map-clear DIR MAP FIRST N"},
        {"tracked", 1, cmd_tracked, "tracked DIR"},
        {"slots-take", 3, cmd_slots_take, "slots-take DIR OWNER INFO"},
        {"slots-free", 2, cmd_slots_free, "slots-free DIR OWNER"},
};

int main(int argc, char **argv)
{
        whole_argv = argv;
        if (argc < 2)
                usage("SUBCOMMAND ...");
        for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
                if (strcmp(argv[1], cmds[i].name) != 0)
                        continue;
                if (argc - 2 < cmds[i].args)
                        usage(cmds[i].usage);
                return cmds[i].run(argv + 2);
        }
        usage("SUBCOMMAND ...");
}

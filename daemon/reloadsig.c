// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "reloadsig.h"

int reload_request_signal(void)
{
        return SIGRTMIN + 4;
}

bool reload_is_request(const struct signalfd_siginfo *si)
{
        return (si->ssi_signo == SIGHUP || (int)si->ssi_signo == reload_request_signal()) &&
               si->ssi_code == SI_QUEUE && si->ssi_int == RELOAD_REQUEST;
}

void reload_waiters_add(struct reload_waiters *w, pid_t pid, unsigned reading)
{
        struct reload_waiter *more = realloc(w->v, (w->n + 1) * sizeof(*more));
        int fd;

        /* Without room the caller gets no answer and times out, saying so; the reload itself goes on. */
        if (!more) {
                log_warning_errno(-ENOMEM, "Cannot note who asked for the reload (pid %d)", (int)pid);
                return;
        }
        w->v = more;
        fd = pidfd_open(pid, 0);
        if (fd < 0 && errno == ESRCH)
                return; /* gone already: nobody to answer */
        w->v[w->n++] = (struct reload_waiter){.pid = pid, .pidfd = fd, .reading = reading};
}

static void answer(const struct reload_waiter *r, enum reload_answer a)
{
        siginfo_t si = {.si_signo = RELOAD_REPLY_SIGNAL, .si_code = SI_QUEUE};

        if (r->pidfd < 0) {
                sigqueue(r->pid, RELOAD_REPLY_SIGNAL, (union sigval){.sival_int = a});
                return;
        }
        /* As sigqueue() fills it in: the caller checks that the answer comes from the daemon it asked. */
        si.si_pid = getpid();
        si.si_uid = getuid();
        si.si_value.sival_int = a;
        (void)pidfd_send_signal(r->pidfd, RELOAD_REPLY_SIGNAL, &si, 0);
        close(r->pidfd);
}

void reload_waiters_answer(struct reload_waiters *w, unsigned upto, enum reload_answer a)
{
        size_t kept = 0;

        for (size_t i = 0; i < w->n; i++) {
                if (w->v[i].reading <= upto)
                        answer(&w->v[i], a);
                else
                        w->v[kept++] = w->v[i];
        }
        w->n = kept;
}

void reload_waiters_done(struct reload_waiters *w, enum reload_answer a)
{
        reload_waiters_answer(w, UINT_MAX, a);
        free(w->v);
        w->v = NULL;
}

/* The name the kernel keeps for pid (/proc/PID/comm), without its newline. */
static int process_name(pid_t pid, char *buf, size_t n)
{
        char path[64];
        ssize_t len;
        int fd, r = 0;

        snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        len = read(fd, buf, n - 1);
        if (len < 0)
                r = -errno;
        close(fd);
        if (r < 0)
                return r;
        if (len > 0 && buf[len - 1] == '\n')
                len--;
        buf[len] = '\0';
        return 0;
}

/* The signals pid blocks (the daemon blocks what it reads through its signalfd): /proc/PID/status. */
static int blocked_signals(pid_t pid, uint64_t *mask)
{
        char path[64], line[256];
        bool found = false;
        FILE *f;

        snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
        f = fopen(path, "re");
        if (!f)
                return -errno;
        while (!found && fgets(line, sizeof(line), f))
                found = sscanf(line, "SigBlk: %" SCNx64, mask) == 1;
        fclose(f);
        return found ? 0 : -ENODATA;
}

static bool in_mask(uint64_t mask, int sig)
{
        return sig >= 1 && sig <= 64 && (mask >> (sig - 1) & 1);
}

/*
 * Which signal asks pidfd's process (pid) for a reload, or a negative errno (said) when it must get none. A
 * PID may be mistyped or stale: systemd (PID 1, and every `systemd --user`) blocks SIGRTMIN+4 too and takes
 * it as "power off", and a process that does not block SIGHUP dies of it. So only a process named
 * execauditd, and only a signal it blocks: a blocked signal waits to be read, it never kills. The files
 * under /proc are read after the pidfd was taken, and are that process's only if it has not been reaped
 * since (then the PID cannot have been reused), which the signal 0 checks.
 */
static int request_signal_for(int pidfd, pid_t pid)
{
        char name[64];
        uint64_t mask = 0;
        int r;

        r = process_name(pid, name, sizeof(name));
        if (r >= 0)
                r = blocked_signals(pid, &mask);
        if (r < 0)
                return log_error_errno(r, "Cannot read what process %d is", (int)pid);
        if (pidfd_send_signal(pidfd, 0, NULL, 0) < 0)
                return log_error_errno(-errno, "Cannot signal process %d", (int)pid);
        if (strcmp(name, "execauditd") != 0) {
                log_error("process %d is not execauditd (its name is '%s'): nothing sent", (int)pid, name);
                return -EPERM;
        }
        if (in_mask(mask, reload_request_signal()))
                return reload_request_signal();
        /* A daemon from before the request signal reads SIGHUP; anything else named so (this very command,
         * --status, a daemon still starting) would die of it. */
        if (in_mask(mask, SIGHUP))
                return SIGHUP;
        log_error("execauditd (pid %d) takes no reload requests (it is not a running daemon): "
                  "nothing sent",
                  (int)pid);
        return -EPERM;
}

/* Waits for pid's answer. A daemon that exits first (it was stopping) never answers: its pidfd turns
 * readable then, and the caller is told at once instead of after timeout_sec. */
static int wait_answer(int sigfd, int pidfd, pid_t pid, unsigned timeout_sec, int *answer)
{
        struct timespec until, now;
        struct signalfd_siginfo si;
        long long ms;
        int r;

        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += timeout_sec;
        for (;;) {
                struct pollfd p[2] = {{.fd = sigfd, .events = POLLIN}, {.fd = pidfd, .events = POLLIN}};

                clock_gettime(CLOCK_MONOTONIC, &now);
                ms = (long long)(until.tv_sec - now.tv_sec) * 1000 + (until.tv_nsec - now.tv_nsec) / 1000000;
                r = poll(p, 2, ms > 0 ? (int)ms : 0);
                if (r < 0 && errno != EINTR)
                        return log_error_errno(-errno, "Waiting for the reload failed");
                /* An answer is queued before its sender exits: read it before believing the exit. */
                while (read(sigfd, &si, sizeof(si)) == sizeof(si)) {
                        if (si.ssi_signo == RELOAD_REPLY_SIGNAL && si.ssi_pid == (uint32_t)pid &&
                            si.ssi_code == SI_QUEUE) {
                                *answer = si.ssi_int;
                                return 0;
                        }
                }
                if (r > 0 && p[1].revents) {
                        log_error("execauditd (pid %d) exited before answering: the reload was not applied",
                                  (int)pid);
                        return -ESRCH;
                }
                if (r == 0)
                        return log_error_errno(-ETIMEDOUT,
                                               "No answer from execauditd (pid %d) to the reload", (int)pid);
        }
}

int reload_request(pid_t pid, unsigned timeout_sec)
{
        siginfo_t info = {.si_code = SI_QUEUE};
        int pidfd, sigfd = -1, request, answer = RELOAD_NOT_APPLIED, r;
        sigset_t set;

        /* Everything below is about this process, whoever is given the PID later. */
        pidfd = pidfd_open(pid, 0);
        if (pidfd < 0)
                return log_error_errno(-errno, "Cannot open process %d", (int)pid);
        request = request_signal_for(pidfd, pid);
        if (request < 0) {
                r = request;
                goto out;
        }
        sigemptyset(&set);
        sigaddset(&set, RELOAD_REPLY_SIGNAL);
        if (sigprocmask(SIG_BLOCK, &set, NULL) < 0) {
                r = log_error_errno(-errno, "Cannot block signals");
                goto out;
        }
        sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
        if (sigfd < 0) {
                r = log_error_errno(-errno, "Cannot wait for the answer");
                goto out;
        }
        /* As sigqueue() fills it in: the daemon answers only a request queued with RELOAD_REQUEST. */
        info.si_signo = request;
        info.si_pid = getpid();
        info.si_uid = getuid();
        info.si_value.sival_int = RELOAD_REQUEST;
        if (pidfd_send_signal(pidfd, request, &info, 0) < 0) {
                r = log_error_errno(-errno, "Cannot signal process %d", (int)pid);
                goto out;
        }
        r = wait_answer(sigfd, pidfd, pid, timeout_sec, &answer);
        if (r < 0)
                goto out;
        if (answer == RELOAD_REJECTED)
                r = log_error_errno(-EINVAL,
                                    "The configuration was rejected; the one in force stays "
                                    "(see journalctl -t execauditd _UID=0 EXEC_EVENT=config_rejected)");
        else if (answer != RELOAD_APPLIED)
                r = log_error_errno(-ECANCELED,
                                    "The reload was not applied: execauditd (pid %d) stopped "
                                    "or could not read its configuration (see its log)",
                                    (int)pid);
out:
        if (sigfd >= 0)
                close(sigfd);
        close(pidfd);
        return r;
}

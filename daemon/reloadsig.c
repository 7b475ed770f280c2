// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
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

/* Whether pid blocks sig (the daemon blocks what it reads through its signalfd): /proc/PID/status. */
static bool blocks(pid_t pid, int sig)
{
        char path[64], line[256];
        uint64_t mask = 0;
        bool found = false;
        FILE *f;

        snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
        f = fopen(path, "re");
        if (!f)
                return false;
        while (!found && fgets(line, sizeof(line), f))
                found = sscanf(line, "SigBlk: %" SCNx64, &mask) == 1;
        fclose(f);
        return found && sig >= 1 && sig <= 64 && (mask >> (sig - 1) & 1);
}

int reload_request(pid_t pid, unsigned timeout_sec)
{
        int request = blocks(pid, reload_request_signal()) ? reload_request_signal() : SIGHUP;
        struct timespec until, now, left;
        siginfo_t si;
        sigset_t set;
        int r;

        sigemptyset(&set);
        sigaddset(&set, RELOAD_REPLY_SIGNAL);
        if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
                return log_error_errno(-errno, "Cannot block signals");
        if (sigqueue(pid, request, (union sigval){.sival_int = RELOAD_REQUEST}) < 0)
                return log_error_errno(-errno, "Cannot signal process %d", (int)pid);
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += timeout_sec;
        for (;;) {
                clock_gettime(CLOCK_MONOTONIC, &now);
                left.tv_sec = until.tv_sec - now.tv_sec;
                left.tv_nsec = until.tv_nsec - now.tv_nsec;
                if (left.tv_nsec < 0)
                        left.tv_sec--, left.tv_nsec += 1000000000;
                if (left.tv_sec < 0)
                        return log_error_errno(-ETIMEDOUT,
                                               "No answer from execauditd (pid %d) to the reload", (int)pid);
                r = sigtimedwait(&set, &si, &left);
                if (r < 0 && errno != EINTR && errno != EAGAIN)
                        return log_error_errno(-errno, "Waiting for the reload failed");
                if (r == RELOAD_REPLY_SIGNAL && si.si_pid == pid && si.si_code == SI_QUEUE)
                        break;
        }
        if (si.si_value.sival_int == RELOAD_REJECTED)
                return log_error_errno(-EINVAL, "The configuration was rejected; the one in force stays "
                                                "(see journalctl -t execauditd EXEC_EVENT=config_rejected)");
        if (si.si_value.sival_int != RELOAD_APPLIED)
                return log_error_errno(-ECANCELED,
                                       "The reload was not applied: execauditd (pid %d) stopped "
                                       "or could not read its configuration (see its log)",
                                       (int)pid);
        return 0;
}

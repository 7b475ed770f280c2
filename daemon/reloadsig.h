/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `execauditd --reload PID` (the unit's ExecReload=) and the daemon's side of it: the request is a signal
 * queued with RELOAD_REQUEST as its value, the answer a signal queued back with a reload_answer, so that
 * `systemctl reload` returns once the new configuration is in force, or fails when it was rejected.
 *
 * The request goes as a real-time signal, which queues one instance per sender: SIGHUP, a standard
 * signal, is absorbed by one already pending, and a request absorbed so would never be answered (two
 * reloads at once, or a `kill -HUP` just before). A daemon that does not block that signal (one from
 * before it was used) gets SIGHUP, whose default action it has replaced. Answers go through a pidfd
 * taken when the request is read, so a caller that has gone away is not answered under a reused PID.
 * The request goes through a pidfd too, and only to a process named execauditd that blocks the signal:
 * a mistyped or stale PID must not reach systemd, which takes SIGRTMIN+4 as "power off".
 */
#ifndef EA_RELOADSIG_H
#define EA_RELOADSIG_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/signalfd.h>
#include <sys/types.h>

#define RELOAD_REQUEST      0x45415244 /* "EARD" */
#define RELOAD_REPLY_SIGNAL SIGUSR1

enum reload_answer {
        RELOAD_APPLIED = 0,
        /* The configuration has an error: a config_rejected record says which. */
        RELOAD_REJECTED = 1,
        /* Not read to the end: the daemon stopped first, or could not start reading. */
        RELOAD_NOT_APPLIED = 2,
};

/* SIGRTMIN + 4 (a function of glibc, not a constant). */
int reload_request_signal(void);
/* si is a reload request with an answer wanted (SIGHUP or the request signal, queued with the value). */
bool reload_is_request(const struct signalfd_siginfo *si);

struct reload_waiter {
        pid_t pid;
        int pidfd; /* -1: the kernel has no pidfd_open(), answered by PID */
        unsigned reading;
};

struct reload_waiters {
        struct reload_waiter *v;
        size_t n;
};

/* pid is answered after the reading numbered reading. */
void reload_waiters_add(struct reload_waiters *w, pid_t pid, unsigned reading);
/* Answers every waiter for a reading up to upto, and forgets them. */
void reload_waiters_answer(struct reload_waiters *w, unsigned upto, enum reload_answer answer);
/* Answers the rest with answer, and frees the list. */
void reload_waiters_done(struct reload_waiters *w, enum reload_answer answer);

/* The client: asks pid to reload and waits (timeout_sec at most) for its answer. 0 when applied,
 * -EINVAL rejected, -ECANCELED not applied, -ETIMEDOUT no answer, -ESRCH exited before answering, -EPERM
 * not an execauditd daemon (nothing sent); each said on stderr. */
int reload_request(pid_t pid, unsigned timeout_sec);

#endif

/*
 * Unit test for daemon/reloadsig.c: `execauditd --reload` and the daemon's answers, between processes of
 * this test. Two requests sent while a plain SIGHUP is pending are both answered (SIGHUP requests were
 * absorbed by the pending one and waited in vain); a daemon that does not block the request signal (one
 * from before it was used) gets SIGHUP and answers; a rejection is told; a caller that is gone is not
 * noted; a process that is not execauditd, or one that does not block the signals, gets nothing (SIGHUP
 * killed it, and SIGRTMIN+4 asks systemd to power off); a daemon that exits without answering is told at
 * once, not after the timeout.
 */
#include "reloadsig.h"
#include "check.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

/* Forks a child that says it is ready on one pipe and waits for a byte on another. In the parent: the
 * child's PID, *ready and *go the read and write ends; in the child: 0, *ready and *go its ends. */
static pid_t fork_handshake(int *ready, int *go)
{
        int r[2], g[2];
        pid_t pid;

        if (pipe(r) < 0 || pipe(g) < 0)
                return -1;
        pid = fork();
        if (pid < 0)
                return -1;
        close(pid ? r[1] : r[0]);
        close(pid ? g[0] : g[1]);
        *ready = pid ? r[0] : r[1];
        *go = pid ? g[1] : g[0];
        return pid;
}

/* A daemon's side: named execauditd, blocks SIGHUP (and the request signal when modern), says so on ready,
 * waits for a byte on go, notes the requests that come within 10 s until it has want of them, answers them
 * all with a, or exits without an answer when a is negative (a daemon stopping). */
static pid_t fake_daemon(bool modern, unsigned want, int a, int *ready, int *go)
{
        pid_t pid = fork_handshake(ready, go);

        if (pid != 0)
                return pid;
        struct reload_waiters w = {0};
        struct signalfd_siginfo si;
        sigset_t mask;
        char c;
        int fd;

        if (prctl(PR_SET_NAME, "execauditd") < 0)
                _exit(2);
        sigemptyset(&mask);
        sigaddset(&mask, SIGHUP);
        if (modern)
                sigaddset(&mask, reload_request_signal());
        sigprocmask(SIG_BLOCK, &mask, NULL);
        fd = signalfd(-1, &mask, SFD_CLOEXEC);
        if (fd < 0 || write(*ready, "r", 1) != 1 || read(*go, &c, 1) != 1)
                _exit(2);
        while (w.n < want) {
                struct pollfd p = {.fd = fd, .events = POLLIN};

                if (poll(&p, 1, 10000) != 1 || read(fd, &si, sizeof(si)) != sizeof(si))
                        break;
                if (reload_is_request(&si))
                        reload_waiters_add(&w, (pid_t)si.ssi_pid, 1);
        }
        if (a < 0)
                _exit(w.n == want ? 0 : 1);
        reload_waiters_done(&w, (enum reload_answer)a);
        _exit(0);
}

/* Another process: named name, blocking sigs (0-terminated), says so on ready and waits for a byte on go;
 * exits 0 when nothing is pending for it then, 1 when something is. */
static pid_t bystander(const char *name, const int *sigs, int *ready, int *go)
{
        pid_t pid = fork_handshake(ready, go);
        sigset_t mask, pending;
        char c;

        if (pid != 0)
                return pid;
        sigemptyset(&mask);
        for (; *sigs; sigs++)
                sigaddset(&mask, *sigs);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        if (prctl(PR_SET_NAME, name) < 0 || write(*ready, "r", 1) != 1 || read(*go, &c, 1) != 1)
                _exit(2);
        sigpending(&pending);
        for (int sig = 1; sig < NSIG; sig++)
                if (sigismember(&pending, sig) == 1)
                        _exit(1);
        _exit(0);
}

static pid_t client(pid_t daemon)
{
        pid_t pid = fork();

        if (pid == 0) {
                int r = reload_request(daemon, 20);

                _exit(r == 0 ? 0 : r == -EINVAL ? 3 : r == -EPERM ? 4 : r == -ESRCH ? 5 : 1);
        }
        return pid;
}

static int status_of(pid_t pid)
{
        int st = 0;

        if (waitpid(pid, &st, 0) != pid)
                return -1;
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void test_two_requests_behind_a_pending_sighup(void)
{
        int ready, go;
        pid_t d = fake_daemon(true, 2, RELOAD_APPLIED, &ready, &go), c1, c2;
        char c;

        set_case("two requests behind a pending SIGHUP");
        if (d < 0 || read(ready, &c, 1) != 1) {
                FAIL("fake daemon");
                return;
        }
        kill(d, SIGHUP); /* pending: a SIGHUP request now would be absorbed by it */
        c1 = client(d);
        c2 = client(d);
        usleep(200 * 1000); /* both requests pending before the daemon reads (they are answered without) */
        CHECK(write(go, "g", 1) == 1);
        CHECK_NUM(status_of(c1), 0);
        CHECK_NUM(status_of(c2), 0);
        CHECK_NUM(status_of(d), 0);
        close(ready);
        close(go);
}

static void test_daemon_without_the_request_signal(void)
{
        int ready, go;
        pid_t d = fake_daemon(false, 1, RELOAD_REJECTED, &ready, &go), c1;
        char c;

        set_case("a daemon that reads only SIGHUP");
        if (d < 0 || read(ready, &c, 1) != 1) {
                FAIL("fake daemon");
                return;
        }
        c1 = client(d);
        CHECK(write(go, "g", 1) == 1);
        CHECK_NUM(status_of(c1), 3); /* rejected, told as such */
        CHECK_NUM(status_of(d), 0);  /* not killed by a signal it does not handle */
        close(ready);
        close(go);
}

static void test_gone_caller(void)
{
        struct reload_waiters w = {0};
        pid_t pid = fork();

        set_case("a caller that is gone");
        if (pid == 0)
                _exit(0);
        CHECK_NUM(status_of(pid), 0);
        reload_waiters_add(&w, pid, 1);
        CHECK_NUM(w.n, 0);
        reload_waiters_done(&w, RELOAD_APPLIED);
}

/* A process named name blocking sigs (0-terminated) is refused a reload request: the client exits 4 and the
 * process gets nothing (it exits 0 when nothing is pending for it). */
static void check_refused(const char *name, const int *sigs, const char *label)
{
        int ready, go;
        pid_t b = bystander(name, sigs, &ready, &go);
        char c;

        set_case("%s", label);
        if (b < 0 || read(ready, &c, 1) != 1) {
                FAIL("bystander");
                return;
        }
        CHECK_NUM(status_of(client(b)), 4);
        CHECK(write(go, "g", 1) == 1);
        CHECK_NUM(status_of(b), 0); /* alive, nothing sent to it */
        close(ready);
        close(go);
}

static void test_not_execauditd(void)
{
        /* systemd's PID 1 blocks SIGRTMIN+4 and powers off on it. */
        const int sigs[] = {SIGHUP, reload_request_signal(), 0};

        check_refused("systemd", sigs, "a process that is not execauditd");
}

static void test_execauditd_without_requests(void)
{
        const int none[] = {0};

        check_refused("execauditd", none, "an execauditd that blocks neither signal (not a running daemon)");
}

static void test_daemon_exits_without_answering(void)
{
        int ready, go;
        pid_t d = fake_daemon(true, 1, -1, &ready, &go), c1;
        char c;

        set_case("a daemon that exits without answering");
        if (d < 0 || read(ready, &c, 1) != 1) {
                FAIL("fake daemon");
                return;
        }
        c1 = client(d);
        CHECK(write(go, "g", 1) == 1);
        CHECK_NUM(status_of(d), 0);  /* it had the request */
        CHECK_NUM(status_of(c1), 5); /* told it exited, not timed out (20 s) */
        close(ready);
        close(go);
}

int main(void)
{
        /* A bystander killed by a signal sent in error: its pipe's write end fails the case, not the test.
         */
        signal(SIGPIPE, SIG_IGN);
        test_two_requests_behind_a_pending_sighup();
        test_daemon_without_the_request_signal();
        test_gone_caller();
        test_not_execauditd();
        test_execauditd_without_requests();
        test_daemon_exits_without_answering();
        return check_summary("test-reloadsig");
}

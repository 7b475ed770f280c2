/*
 * Unit test for daemon/reloadsig.c: `execauditd --reload` and the daemon's answers, between processes of
 * this test. Two requests sent while a plain SIGHUP is pending are both answered (SIGHUP requests were
 * absorbed by the pending one and waited in vain); a daemon that does not block the request signal (one
 * from before it was used) gets SIGHUP and answers; a rejection is told; a caller that is gone is not
 * noted.
 */
#include "reloadsig.h"
#include "check.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

/* A daemon's side: blocks SIGHUP (and the request signal when modern), says so on ready, waits for a byte
 * on go, notes the requests that come within 10 s until it has want of them, answers them all. */
static pid_t fake_daemon(bool modern, unsigned want, enum reload_answer a, int *ready, int *go)
{
        int r[2], g[2];
        pid_t pid;

        if (pipe(r) < 0 || pipe(g) < 0)
                return -1;
        pid = fork();
        if (pid != 0) {
                close(r[1]);
                close(g[0]);
                *ready = r[0];
                *go = g[1];
                return pid;
        }
        struct reload_waiters w = {0};
        struct signalfd_siginfo si;
        sigset_t mask;
        char c;
        int fd;

        sigemptyset(&mask);
        sigaddset(&mask, SIGHUP);
        if (modern)
                sigaddset(&mask, reload_request_signal());
        sigprocmask(SIG_BLOCK, &mask, NULL);
        fd = signalfd(-1, &mask, SFD_CLOEXEC);
        if (fd < 0 || write(r[1], "r", 1) != 1 || read(g[0], &c, 1) != 1)
                _exit(2);
        while (w.n < want) {
                struct pollfd p = {.fd = fd, .events = POLLIN};

                if (poll(&p, 1, 10000) != 1 || read(fd, &si, sizeof(si)) != sizeof(si))
                        break;
                if (reload_is_request(&si))
                        reload_waiters_add(&w, (pid_t)si.ssi_pid, 1);
        }
        reload_waiters_done(&w, a);
        _exit(0);
}

static pid_t client(pid_t daemon)
{
        pid_t pid = fork();

        if (pid == 0) {
                int r = reload_request(daemon, 20);

                _exit(r == 0 ? 0 : r == -EINVAL ? 3 : 1);
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

int main(void)
{
        test_two_requests_behind_a_pending_sighup();
        test_daemon_without_the_request_signal();
        test_gone_caller();
        return check_summary("test-reloadsig");
}

/*
 * Unit test for daemon/names.c.
 *
 * Checks a sample of errno names in both directions, that every assigned
 * Linux x86_64 errno 1..133 has a name (41 and 58 are unassigned there),
 * that names are unique except for the documented aliases, the
 * kernel-internal range, and the signal table including realtime names
 * and the SIG<n> fallback. Where glibc >= 2.32 is available its
 * strerrorname_np()/sigabbrev_np() serve as an independent oracle.
 */
/* For glibc's strerrorname_np() and sigabbrev_np(), used only as an oracle. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "names.h"
#include "check.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static void expect_errno(int value, const char *name)
{
        const char *got = errno_name(value);
        int back;

        if (!got || strcmp(got, name) != 0)
                FAIL("errno_name(%d) = %s, want %s", value, got ? got : "(null)", name);
        got = errno_name(-value);
        if (!got || strcmp(got, name) != 0)
                FAIL("errno_name(%d) = %s, want %s", -value, got ? got : "(null)", name);
        back = errno_from_name(name);
        if (back != value)
                FAIL("errno_from_name(%s) = %d, want %d", name, back, value);
}

static void test_errno_sample(void)
{
        static const struct {
                int value;
                const char *name;
        } v[] = {
                {1, "EPERM"},
                {2, "ENOENT"},
                {7, "E2BIG"},
                {8, "ENOEXEC"},
                {11, "EAGAIN"},
                {12, "ENOMEM"},
                {13, "EACCES"},
                {22, "EINVAL"},
                {26, "ETXTBSY"},
                {35, "EDEADLK"},
                {38, "ENOSYS"},
                {40, "ELOOP"},
                {42, "ENOMSG"},
                {59, "EBFONT"},
                {85, "ERESTART"},
                {95, "EOPNOTSUPP"},
                {110, "ETIMEDOUT"},
                {125, "ECANCELED"},
                {133, "EHWPOISON"},
                {512, "ERESTARTSYS"},
                {513, "ERESTARTNOINTR"},
                {514, "ERESTARTNOHAND"},
                {515, "ENOIOCTLCMD"},
                {516, "ERESTART_RESTARTBLOCK"},
                {517, "EPROBE_DEFER"},
                {518, "EOPENSTALE"},
                {519, "ENOPARAM"},
                {521, "EBADHANDLE"},
                {522, "ENOTSYNC"},
                {523, "EBADCOOKIE"},
                {524, "ENOTSUPP"},
                {525, "ETOOSMALL"},
                {526, "ESERVERFAULT"},
                {527, "EBADTYPE"},
                {528, "EJUKEBOX"},
                {529, "EIOCBQUEUED"},
                {530, "ERECALLCONFLICT"},
        };
        size_t i;

        for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
                expect_errno(v[i].value, v[i].name);

        /* Aliases parse, but never come out of errno_name(). */
        if (errno_from_name("EWOULDBLOCK") != 11 || errno_from_name("EDEADLOCK") != 35 ||
            errno_from_name("ENOTSUP") != 95)
                FAIL("alias names do not parse to their canonical values");

        /* Matching is exact: no prefixes, case folding or whitespace. */
        if (errno_from_name("enoent") != -EINVAL || errno_from_name("ENOENT ") != -EINVAL ||
            errno_from_name("ENOEN") != -EINVAL || errno_from_name("") != -EINVAL ||
            errno_from_name("2") != -EINVAL || errno_from_name(NULL) != -EINVAL)
                FAIL("errno_from_name accepted a malformed name");
}

static void test_errno_unknown(void)
{
        static const int unknown[] = {0, 41, 58, 134, 200, 511, 520, 531, 4095, INT_MAX, INT_MIN, -41, -520};
        size_t i;

        for (i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
                if (errno_name(unknown[i]))
                        FAIL("errno_name(%d) = %s, want NULL", unknown[i], errno_name(unknown[i]));
}

static bool is_alias_slot(int e)
{
        /* x86_64 leaves these unassigned; their old names alias EAGAIN and EDEADLK. */
        return e == 41 || e == 58;
}

static void test_errno_all(void)
{
        const char *a, *b;
        int i, j;

        for (i = 1; i <= 133; i++) {
                a = errno_name(i);
                if (is_alias_slot(i)) {
                        if (a)
                                FAIL("errno %d should be unnamed, got %s", i, a);
                        continue;
                }
                if (!a) {
                        FAIL("errno %d has no name", i);
                        continue;
                }
                if (a[0] != 'E')
                        FAIL("errno %d name %s does not start with E", i, a);
                if (errno_from_name(a) != i)
                        FAIL("errno %d -> %s -> %d", i, a, errno_from_name(a));
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
                b = strerrorname_np(i);
                if (!b || strcmp(a, b) != 0)
                        FAIL("errno %d: %s but glibc says %s", i, a, b ? b : "(null)");
#endif
        }
        /* Unique across both ranges: a duplicate would make errno_from_name() lossy. */
        for (i = 1; i <= 530; i++) {
                a = errno_name(i);
                for (j = i + 1; a && j <= 530; j++) {
                        b = errno_name(j);
                        if (b && strcmp(a, b) == 0)
                                FAIL("errno %d and %d share the name %s", i, j, a);
                }
        }
}

static void expect_signal(int sig, const char *name)
{
        char buf[16];
        const char *got;

        memset(buf, 'X', sizeof(buf));
        got = signal_name(sig, buf);
        if (!got || strcmp(got, name) != 0)
                FAIL("signal_name(%d) = %s, want %s", sig, got ? got : "(null)", name);
}

static void test_signals(void)
{
        static const char *const classic[] = {
                NULL,        "SIGHUP",  "SIGINT",    "SIGQUIT", "SIGILL",   "SIGTRAP", "SIGABRT", "SIGBUS",
                "SIGFPE",    "SIGKILL", "SIGUSR1",   "SIGSEGV", "SIGUSR2",  "SIGPIPE", "SIGALRM", "SIGTERM",
                "SIGSTKFLT", "SIGCHLD", "SIGCONT",   "SIGSTOP", "SIGTSTP",  "SIGTTIN", "SIGTTOU", "SIGURG",
                "SIGXCPU",   "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO",   "SIGPWR",  "SIGSYS",
        };
        char want[32];
        int i;

        for (i = 1; i <= 31; i++) {
                expect_signal(i, classic[i]);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32)) && defined(__x86_64__)
                {
                        const char *abbrev = sigabbrev_np(i);
                        /* glibc spells 29 as the SIGPOLL alias; bash and the kernel say SIGIO. */
                        if (i == SIGIO && abbrev && strcmp(abbrev, "POLL") == 0)
                                abbrev = "IO";
                        if (!abbrev || strcmp(classic[i] + 3, abbrev) != 0)
                                FAIL("signal %d: %s but glibc says %s", i, classic[i],
                                     abbrev ? abbrev : "(null)");
                }
#endif
        }

        /* Realtime names as printed by bash's `kill -l`. */
        expect_signal(34, "SIGRTMIN");
        expect_signal(35, "SIGRTMIN+1");
        expect_signal(49, "SIGRTMIN+15");
        expect_signal(50, "SIGRTMAX-14");
        expect_signal(63, "SIGRTMAX-1");
        expect_signal(64, "SIGRTMAX");
        for (i = 35; i <= 49; i++) {
                snprintf(want, sizeof(want), "SIGRTMIN+%d", i - 34);
                expect_signal(i, want);
        }
        for (i = 50; i <= 63; i++) {
                snprintf(want, sizeof(want), "SIGRTMAX-%d", 64 - i);
                expect_signal(i, want);
        }

        /* Fallback, including the longest possible number. */
        expect_signal(0, "SIG0");
        expect_signal(32, "SIG32");
        expect_signal(33, "SIG33");
        expect_signal(65, "SIG65");
        expect_signal(-1, "SIG-1");
        expect_signal(INT_MAX, "SIG2147483647");
        expect_signal(INT_MIN, "SIG-2147483648");

        /* Classic names are static: they must not depend on (or touch) buf. */
        {
                char buf[16] = "untouched";
                const char *got = signal_name(9, buf);
                if (got == buf || strcmp(buf, "untouched") != 0)
                        FAIL("signal_name(9) used the caller's buffer");
                got = signal_name(40, buf);
                if (got != buf)
                        FAIL("signal_name(40) did not use the caller's buffer");
        }
}

int main(void)
{
        test_errno_sample();
        test_errno_unknown();
        test_errno_all();
        test_signals();
        return check_summary("test-names");
}

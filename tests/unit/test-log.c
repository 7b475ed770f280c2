/*
 * Unit test for daemon/log.c: the daemon's own diagnostics on stderr.
 *
 * stderr is pointed at a temporary file and every case compares the exact bytes written: the prefix
 * ("execauditd: ", or "<N>" when stderr is the stream JOURNAL_STREAM names), the message with every byte a
 * terminal would act on escaped, so that a newline in a path cannot start a line journald would file as a
 * diagnostic of its own, the strerror suffix, the level filter, errno kept, and log_lines() giving one
 * escaped diagnostic per line of a multi-line text.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

/* log.c writes to stderr, which is the capture file; this file's failure reports go to the real one. */
static FILE *report;
#undef stderr
#define stderr report
#include "check.h"

static FILE *capture;

/* Everything written to stderr since the last call, as a NUL-terminated string in buf. */
static const char *take(char *buf, size_t n)
{
        size_t got;

        fflush(NULL);
        rewind(capture);
        got = fread(buf, 1, n - 1, capture);
        buf[got] = '\0';
        if (ftruncate(fileno(capture), 0) < 0)
                FAIL("ftruncate: %s", strerror(errno));
        rewind(capture);
        return buf;
}

static void expect(const char *what, const char *want)
{
        static char got[16384];

        take(got, sizeof(got));
        if (strcmp(got, want) != 0)
                FAIL("%s: got [%s], want [%s]", what, got, want);
}

static void test_plain(void)
{
        errno = EAGAIN;
        log_info("Reloaded %s (generation %u)", "/etc/execauditd.conf", 3u);
        expect("info", "execauditd: Reloaded /etc/execauditd.conf (generation 3)\n");
        if (errno != EAGAIN)
                FAIL("errno changed to %d", errno);

        CHECK_RC(log_error_errno(-ENOENT, "Cannot open %s", "/x"), -ENOENT);
        expect("errno suffix", "execauditd: Cannot open /x: No such file or directory\n");
        CHECK_RC(log_warning_errno(EPERM, "positive errno"), -EPERM);
        expect("positive errno", "execauditd: positive errno: Operation not permitted\n");

        log_debug("not at the default level");
        expect("debug filtered", "");
        log_set_max_level(LOG_DEBUG);
        log_debug("now %s", "shown");
        expect("debug shown", "execauditd: now shown\n");
        log_set_max_level(LOG_INFO);
}

static void test_hostile(void)
{
        /* PinPath= and cgroup paths may hold any byte but '/' rules. */
        log_error("PinPath=%s is in use", "/sys/fs/bpf/a\nexecauditd: forged\x1b[2J\r");
        expect("newline, ESC, CR",
               "execauditd: PinPath=/sys/fs/bpf/a\\x0aexecauditd: forged\\x1b[2J\\x0d is in use\n");
        log_warning("%s does not exist", "/sys/fs/cgroup/\xff\xc2\x85x\xe2\x80\xae");
        expect("invalid UTF-8, C1, bidi",
               "execauditd: /sys/fs/cgroup/\\xff\\xc2\\x85x\\xe2\\x80\\xae does not exist\n");
        log_info("caf\xc3\xa9 with a \\backslash\\ and\ta tab");
        expect("UTF-8 and backslashes kept, tab escaped",
               "execauditd: caf\xc3\xa9 with a \\backslash\\ and\\x09a tab\n");
        /* Escaping text that was already escaped (config_error_format's output) changes nothing. */
        log_error("Config rejected: %s", "/etc/x.conf:3: [BPF] PinPath=: \\x0a");
        expect("idempotent", "execauditd: Config rejected: /etc/x.conf:3: [BPF] PinPath=: \\x0a\n");
}

static void test_long(void)
{
        static char big[9000], want[9100];

        memset(big, 'a', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        snprintf(want, sizeof(want), "execauditd: <%s>\n", big);
        log_info("<%s>", big);
        expect("long message not cut", want);
}

static void test_lines(void)
{
        log_lines(LOG_INFO, "0: (b7) r1 = 0\n1: (95) exit\n\nprocessed 2 insns\x1b\n");
        expect("one diagnostic per line, a blank one kept, no trailing empty one",
               "execauditd: 0: (b7) r1 = 0\nexecauditd: 1: (95) exit\nexecauditd: \n"
               "execauditd: processed 2 insns\\x1b\n");
        log_lines(LOG_DEBUG, "filtered\n");
        expect("log_lines level filter", "");
        log_lines(LOG_INFO, "");
        expect("empty text", "");
}

/* Under systemd: "<N>" before each line, and a forged "<0>" inside a message stays text of the same line. */
static void test_journal_stream(void)
{
        struct stat st;
        char env[64];

        if (fstat(STDERR_FILENO, &st) < 0) {
                FAIL("fstat: %s", strerror(errno));
                return;
        }
        snprintf(env, sizeof(env), "%llu:%llu", (unsigned long long)st.st_dev,
                 (unsigned long long)st.st_ino);
        setenv("JOURNAL_STREAM", env, 1);
        log_init();
        log_error("path %s", "/a\n<0>emergency");
        expect("priority prefix", "<3>path /a\\x0a<0>emergency\n");
        log_lines(LOG_INFO, "x\ny");
        expect("priority prefix per line", "<6>x\n<6>y\n");

        setenv("JOURNAL_STREAM", "1:1", 1);
        log_init();
        log_notice("not the stream");
        expect("JOURNAL_STREAM of another file", "execauditd: not the stream\n");
        unsetenv("JOURNAL_STREAM");
}

int main(void)
{
        int saved = dup(STDERR_FILENO);

        capture = tmpfile();
        if (saved < 0 || !capture || dup2(fileno(capture), STDERR_FILENO) < 0) {
                perror("test-log: cannot capture stderr");
                return 1;
        }
        report = fdopen(saved, "w");
        if (!report)
                return 1;
        setvbuf(report, NULL, _IONBF, 0);
        log_init();

        test_plain();
        test_hostile();
        test_long();
        test_lines();
        test_journal_stream();

        return check_summary("test-log");
}

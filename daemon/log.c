// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Diagnostics to stderr. Under systemd stderr is a journald stream; a "<N>" prefix sets the priority of
 * each line there. %m in messages is not used: errors are passed explicitly and appended as strerror text.
 *
 * Messages carry paths and names from the config and the system (PinPath=, cgroup paths, map paths), which
 * may hold any byte. Each message goes through quote_text(), so a newline in one cannot start a second line
 * that journald would take as a diagnostic of its own (with its own "<N>"), and an escape sequence cannot
 * reach the terminal. Text that is multi-line by nature (libbpf's verifier log) is logged with log_lines().
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "quote.h"
#include "strbuf.h"

static int max_level = LOG_INFO;
static bool prefix_priority;

void log_set_max_level(int level)
{
        max_level = level;
}

int log_get_max_level(void)
{
        return max_level;
}

/* JOURNAL_STREAM is "device:inode" of the stream systemd connected; only trust it if stderr is that. */
void log_init(void)
{
        const char *e = getenv("JOURNAL_STREAM");
        unsigned long long dev, ino;
        struct stat st;

        if (!e || sscanf(e, "%llu:%llu", &dev, &ino) != 2 || fstat(STDERR_FILENO, &st) < 0)
                return;
        prefix_priority = st.st_dev == dev && st.st_ino == ino;
}

/* One line: the prefix, text[0..len) escaped, then ": strerror(err)" when err is set. */
static void log_text(int level, int err, const char *text, size_t len)
{
        struct strbuf esc = STRBUF_INIT;
        bool ok = text && quote_text(&esc, text, len) >= 0;

        /* The writer thread logs too: one line must not be cut by another's. */
        flockfile(stderr);
        if (prefix_priority)
                fprintf(stderr, "<%d>", level);
        else
                fputs("execauditd: ", stderr);
        if (ok)
                fwrite(esc.buf ? esc.buf : "", 1, esc.len, stderr);
        else
                fputs("(out of memory formatting this message)", stderr);
        if (err)
                fprintf(stderr, ": %s", strerror(err));
        fputc('\n', stderr);
        funlockfile(stderr);
        strbuf_free(&esc);
}

int log_full_errno(int level, int err, const char *fmt, ...)
{
        int saved = errno;
        struct strbuf msg = STRBUF_INIT;
        va_list ap;
        int r;

        if (err < 0)
                err = -err;
        if (level <= max_level) {
                va_start(ap, fmt);
                r = strbuf_vprintf(&msg, fmt, ap);
                va_end(ap);
                log_text(level, err, r < 0 ? NULL : msg.buf, msg.len);
        }
        strbuf_free(&msg);
        errno = saved;
        return -err;
}

void log_lines(int level, const char *text)
{
        int saved = errno;

        if (level <= max_level && text) {
                for (const char *p = text; *p;) {
                        size_t n = strcspn(p, "\n");

                        log_text(level, 0, p, n);
                        p += n;
                        if (*p)
                                p++;
                }
        }
        errno = saved;
}

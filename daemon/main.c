// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * execauditd's entry point: options only. Everything else is in libexecauditd, which the tests link.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "ea-config.h"
#include "log.h"
#include "reloadsig.h"
#include "status.h"

/*
 * What --check-config, --status, --help and --version print is the answer: a write that failed (a full disk,
 * a closed pipe) makes the command fail instead of reporting success with nothing written.
 */
static int stdout_result(int r)
{
        errno = 0;
        if (fflush(stdout) != 0 || ferror(stdout)) {
                int err = errno > 0 ? errno : EIO;

                log_error_errno(err, "Cannot write to standard output");
                return EXIT_FAILURE;
        }
        return r;
}

static void help(void)
{
        printf("Usage: execauditd [OPTIONS]\n\n"
               "Records every exec and exit on this host as structured journal entries.\n\n"
               "  -c, --config PATH   read PATH instead of %s\n"
               "  -t, --check-config  validate the config, print the effective settings, and exit\n"
               "      --reload PID    reload the daemon PID and wait until the new config is in force\n"
               "      --status        print the pinned programs' counters and exit\n"
               "      --remove-pins   detach the pinned programs and remove PinPath (uninstall)\n"
               "  -v, --verbose       log debug messages (libbpf's included)\n"
               "  -h, --help          show this help\n"
               "      --version       show the version\n\n"
               "See execauditd(8) and execauditd.conf(5).\n",
               EA_DEFAULT_CONFIG);
}

/*
 * getopt_long(), but its complaints about an unknown or incomplete option go through log_error(), escaped
 * like every diagnostic: glibc prints them with the user's bytes raw. glibc's stdio streams are variables a
 * program may set (the glibc manual, "Standard Streams"), so its message is caught in a memory stream.
 */
static int next_option(int argc, char **argv, const struct option *opts)
{
        FILE *saved = stderr, *caught;
        char *msg = NULL;
        size_t len = 0, skip = 0, n;
        int c;

        caught = open_memstream(&msg, &len);
        if (caught)
                stderr = caught;
        else
                opterr = 0;
        c = getopt_long(argc, argv, "c:tvh", opts, NULL);
        if (caught) {
                stderr = saved;
                fclose(caught);
        }
        if (c == '?') {
                /* "argv[0]: unrecognized option '--x'\n": our prefix replaces argv[0]'s. */
                n = argv[0] ? strlen(argv[0]) : 0;
                if (n && len > n + 2 && strncmp(msg, argv[0], n) == 0 && msg[n] == ':' && msg[n + 1] == ' ')
                        skip = n + 2;
                while (len > skip && msg[len - 1] == '\n')
                        len--;
                if (len > skip)
                        log_error("%.*s (see execauditd --help)", (int)(len - skip), msg + skip);
                else
                        log_error("invalid option (see execauditd --help)");
        }
        free(msg);
        return c;
}

static const char *mode_name(int mode)
{
        switch (mode) {
        case 't':
                return "--check-config";
        case 'R':
                return "--reload";
        case 'S':
                return "--status";
        case 'X':
                return "--remove-pins";
        case 'h':
                return "--help";
        default:
                return "--version";
        }
}

/* What the command does is chosen by one option: with two, one of them would silently not be done. */
static int set_mode(int *mode, int c)
{
        if (*mode == 'R' && c == 'R') {
                log_error("--reload names one process (see execauditd --help)");
                return -EINVAL;
        }
        if (*mode && *mode != c) {
                log_error("%s and %s cannot be used together (see execauditd --help)", mode_name(*mode),
                          mode_name(c));
                return -EINVAL;
        }
        *mode = c;
        return 0;
}

int main(int argc, char **argv)
{
        static const struct option opts[] = {
                {"config", required_argument, NULL, 'c'},
                {"check-config", no_argument, NULL, 't'},
                {"verbose", no_argument, NULL, 'v'},
                {"help", no_argument, NULL, 'h'},
                {"version", no_argument, NULL, 'V'},
                {"reload", required_argument, NULL, 'R'},
                {"status", no_argument, NULL, 'S'},
                {"remove-pins", no_argument, NULL, 'X'},
                {},
        };
        struct sigaction ignore = {.sa_handler = SIG_IGN};
        const char *config = EA_DEFAULT_CONFIG;
        bool config_given = false;
        long reload_pid = 0;
        char *end;
        int c, mode = 0, r;

        log_init();
        /* A reader of stderr or stdout that has gone away (a closed terminal, `| head`) must not kill the
         * daemon at its next diagnostic, before its stopping record: the write fails instead, which
         * stdout_result() turns into exit status 1 for a command's output. */
        if (sigaction(SIGPIPE, &ignore, NULL) < 0) {
                log_error_errno(-errno, "Cannot ignore SIGPIPE");
                return EXIT_FAILURE;
        }
        while ((c = next_option(argc, argv, opts)) >= 0) {
                switch (c) {
                case 'c':
                        config = optarg;
                        config_given = true;
                        break;
                case 'v':
                        log_set_max_level(LOG_DEBUG);
                        break;
                case 'R':
                        errno = 0;
                        reload_pid = strtol(optarg, &end, 10);
                        if (errno || end == optarg || *end || reload_pid <= 0 || reload_pid > INT_MAX) {
                                log_error("--reload: not a process ID: '%s'", optarg);
                                return EXIT_FAILURE;
                        }
                        /* fall through */
                case 't':
                case 'S':
                case 'X':
                case 'h':
                case 'V':
                        if (set_mode(&mode, c) < 0)
                                return EXIT_FAILURE;
                        break;
                default:
                        return EXIT_FAILURE;
                }
        }
        if (optind < argc) {
                log_error("unexpected argument '%s'", argv[optind]);
                return EXIT_FAILURE;
        }
        if (mode == 'R' && config_given) {
                log_error("--config and --reload cannot be used together: the daemon reloads the files "
                          "it was started with (see execauditd --help)");
                return EXIT_FAILURE;
        }
        switch (mode) {
        case 'h':
                help();
                return stdout_result(EXIT_SUCCESS);
        case 'V':
                printf("execauditd %s\n", EA_VERSION);
                return stdout_result(EXIT_SUCCESS);
        case 'R':
                r = reload_request((pid_t)reload_pid, 90);
                break;
        case 'S':
                r = daemon_status(config, stdout);
                break;
        case 'X':
                r = daemon_remove_pins(config);
                break;
        case 't':
                r = daemon_check_config(config, stdout);
                break;
        default:
                r = daemon_run(config);
                break;
        }
        return stdout_result(r < 0 ? EXIT_FAILURE : EXIT_SUCCESS);
}

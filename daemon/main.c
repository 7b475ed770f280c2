// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * execauditd's entry point: options only. Everything else is in libexecauditd, which the tests link.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
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
        const char *config = EA_DEFAULT_CONFIG;
        long reload_pid = 0;
        char *end;
        int c, check = 0, status = 0, remove_pins = 0, r;

        log_init();
        while ((c = next_option(argc, argv, opts)) >= 0) {
                switch (c) {
                case 'c':
                        config = optarg;
                        break;
                case 't':
                        check = 1;
                        break;
                case 'v':
                        log_set_max_level(LOG_DEBUG);
                        break;
                case 'h':
                        help();
                        return stdout_result(EXIT_SUCCESS);
                case 'V':
                        printf("execauditd %s\n", EA_VERSION);
                        return stdout_result(EXIT_SUCCESS);
                case 'S':
                        status = 1;
                        break;
                case 'X':
                        remove_pins = 1;
                        break;
                case 'R':
                        errno = 0;
                        reload_pid = strtol(optarg, &end, 10);
                        if (errno || end == optarg || *end || reload_pid <= 0 || reload_pid > INT_MAX) {
                                log_error("--reload: not a process ID: '%s'", optarg);
                                return EXIT_FAILURE;
                        }
                        break;
                default:
                        return EXIT_FAILURE;
                }
        }
        if (optind < argc) {
                log_error("unexpected argument '%s'", argv[optind]);
                return EXIT_FAILURE;
        }
        if (reload_pid)
                r = reload_request((pid_t)reload_pid, 90);
        else if (status)
                r = daemon_status(config, stdout);
        else if (remove_pins)
                r = daemon_remove_pins(config);
        else
                r = check ? daemon_check_config(config, stdout) : daemon_run(config);
        return stdout_result(r < 0 ? EXIT_FAILURE : EXIT_SUCCESS);
}

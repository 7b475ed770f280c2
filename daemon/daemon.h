/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The running daemon: config, BPF, journal writer and the event loop that ties them together.
 */
#ifndef EA_DAEMON_H
#define EA_DAEMON_H

#include <stdio.h>

#include "config.h"

/* Runs until SIGTERM/SIGINT. Returns 0 after a clean stop, a negative errno otherwise. */
int daemon_run(const char *config_path);
/* Validates the config as the daemon would and prints the effective settings; touches no BPF. */
int daemon_check_config(const char *config_path, FILE *out);
/* A rejected config's line (config_error_format()) on stderr, after prefix: the one form of every mode. */
void log_config_error(const char *prefix, const struct config_error *err);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pinned programs seen from outside the daemon: --status prints their counters (like auditctl -s),
 * --remove-pins detaches them for good. --status works whether a daemon runs or not and names it;
 * --remove-pins refuses while one runs (pinlock.h).
 */
#ifndef EA_STATUS_H
#define EA_STATUS_H

#include <stdio.h>

int daemon_status(const char *config_path, FILE *out);
int daemon_remove_pins(const char *config_path);

#endif

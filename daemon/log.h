/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Diagnostics of the daemon itself (not audit records): to stderr, with a "<N>" priority prefix when
 * stderr is connected to journald (systemd sets JOURNAL_STREAM), so journald files them at the right level.
 * The *_errno variants return the negative errno they are given, so callers can `return
 * log_error_errno(...)`.
 */
#ifndef EA_LOG_H
#define EA_LOG_H

#include <syslog.h>

void log_set_max_level(int level);
int log_get_max_level(void);
void log_init(void);

/* The message is escaped with quote_text(): it is always one line, safe on a terminal. */
int log_full_errno(int level, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Text of several lines (a verifier log): one diagnostic per line, each escaped. A trailing newline adds
 * no empty line. */
void log_lines(int level, const char *text);

#define log_debug(...)   log_full_errno(LOG_DEBUG, 0, __VA_ARGS__)
#define log_info(...)    log_full_errno(LOG_INFO, 0, __VA_ARGS__)
#define log_notice(...)  log_full_errno(LOG_NOTICE, 0, __VA_ARGS__)
#define log_warning(...) log_full_errno(LOG_WARNING, 0, __VA_ARGS__)
#define log_error(...)   log_full_errno(LOG_ERR, 0, __VA_ARGS__)

#define log_warning_errno(err, ...) log_full_errno(LOG_WARNING, (err), __VA_ARGS__)
#define log_error_errno(err, ...)   log_full_errno(LOG_ERR, (err), __VA_ARGS__)
#define log_debug_errno(err, ...)   log_full_errno(LOG_DEBUG, (err), __VA_ARGS__)

#endif

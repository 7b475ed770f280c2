/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * /etc/execauditd.conf as a plain struct. Parsing is a pure step (text in, struct or error out) so that
 * tests feed it strings; turning the struct into BPF map contents is the loader's job.
 */
#ifndef EA_CONFIG_H
#define EA_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "strbuf.h"

#define EA_DEFAULT_PIN_PATH          "/sys/fs/bpf/execauditd"
#define EA_DEFAULT_MAX_ARGS_BYTES    32768u
#define EA_DEFAULT_PERF_BUFFER_PAGES 64u
#define EA_PERF_BUFFER_PAGES_MAX     4096u

struct ea_config {
        bool failed_execs;
        bool exits;
        uint32_t max_args_bytes;
        uint32_t perf_buffer_pages;
        char pin_path[PATH_MAX];
        char path[PATH_MAX]; /* the file it came from */
        char sha256[65];     /* of the file's bytes */
};

struct config_error {
        char file[PATH_MAX];
        unsigned line; /* 0: not about one line (e.g. the file cannot be read) */
        char section[64];
        char key[64]; /* "" when the error is not about one key */
        char message[256];
};

void config_defaults(struct ea_config *c);
int config_parse_string(const char *text, const char *filename, struct ea_config *out,
                        struct config_error *err);
int config_load(const char *path, struct ea_config *out, struct config_error *err);
int config_format(const struct ea_config *c, struct strbuf *out);
/* "file:line: [Section] Key=: message", the form used on stderr and in the journal's MESSAGE. */
int config_error_format(const struct config_error *err, struct strbuf *out);

#endif

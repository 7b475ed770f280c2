// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * core_check BTF: the CO-RE relocations of execauditd's BPF programs against another kernel's BTF (a
 * vmlinux, e.g. extracted from Debian 12's linux-image-6.1 package), without that kernel. Lists every
 * instruction libbpf could not relocate there: each must sit behind a bpf_core_*_exists() guard, which that
 * kernel's verifier then never reaches. The load itself goes to the running kernel and fails when the
 * layouts differ; only the relocation step counts here. A developer's check (see docs/design.md), not a
 * test.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "execaudit.skel.h"

static int poisoned;
static char spec[1024]; /* the last relocation's first line: what it looks for */

static int print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
        char line[1024];

        (void)level;
        vsnprintf(line, sizeof(line), fmt, ap);
        if (strstr(line, ": relo #") && strstr(line, "> [") && !strstr(line, "candidate"))
                snprintf(spec, sizeof(spec), "%s", line);
        /* libbpf's words for a relocation it could not resolve. */
        if (strstr(line, "substituting insn")) {
                poisoned++;
                fputs(spec, stdout);
                fputs(line, stdout);
        }
        return 0;
}

int main(int argc, char **argv)
{
        struct execaudit *skel;

        if (argc != 2) {
                fprintf(stderr, "usage: core_check VMLINUX\n");
                return 2;
        }
        LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = argv[1]);
        libbpf_set_print(print);
        skel = execaudit__open_opts(&opts);
        if (!skel) {
                fprintf(stderr, "cannot open the BPF object with %s\n", argv[1]);
                return 1;
        }
        execaudit__load(skel);
        execaudit__destroy(skel);
        printf("%d instructions not relocated\n", poisoned);
        return 0;
}

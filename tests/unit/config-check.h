/* SPDX-License-Identifier: GPL-2.0-or-later */
/* For the config tests: a config_error as the one line users see ("FILE:LINE: [Section] Key=: reason"), and
 * long values. */
#ifndef EA_CONFIG_CHECK_H
#define EA_CONFIG_CHECK_H

#include <stdio.h>
#include <string.h>

#include "config.h"
#include "strbuf.h"

static inline const char *fmt_error(const struct config_error *e)
{
        static char out[2048];
        struct strbuf sb = STRBUF_INIT;

        out[0] = '\0';
        if (config_error_format(e, &sb) < 0 || !sb.buf)
                snprintf(out, sizeof(out), "(config_error_format failed)");
        else
                snprintf(out, sizeof(out), "%s", sb.buf);
        strbuf_free(&sb);
        return out;
}

/* n bytes of c, for long values (up to 255; the last 8 stay valid). */
static inline const char *run_of(char c, size_t n)
{
        static char bufs[8][256];
        static unsigned next;
        char *b = bufs[next++ % 8];

        memset(b, c, n);
        b[n] = '\0';
        return b;
}

#endif

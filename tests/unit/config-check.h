/* SPDX-License-Identifier: GPL-2.0-or-later */
/* For the config tests: a config_error as the one line users see ("FILE:LINE: [Section] Key=: reason"). */
#ifndef EA_CONFIG_CHECK_H
#define EA_CONFIG_CHECK_H

#include <stdio.h>

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

#endif

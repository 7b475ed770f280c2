// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit test for [Journal] StatsInterval=: every unit, the default, 0, and each rejection with file:line. */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "config.h"

static void ok(const char *text, uint32_t want)
{
        struct ea_config cfg;
        struct config_error err;

        set_case("%s", text);
        CHECK_NUM(config_parse_string(text, "t.conf", &cfg, &err), 0);
        CHECK_NUM(cfg.stats_interval_sec, want);
}

static void bad(const char *text, unsigned line, const char *message)
{
        struct ea_config cfg;
        struct config_error err;

        set_case("%s", text);
        CHECK_NUM(config_parse_string(text, "t.conf", &cfg, &err), -EINVAL);
        CHECK_NUM(err.line, line);
        CHECK_STR(err.section, "Journal");
        CHECK_STR(err.key, "StatsInterval");
        CHECK_STR(err.message, message);
}

int main(void)
{
        ok("", 3600);
        ok("[Journal]\nStatsInterval=0\n", 0);
        ok("[Journal]\nStatsInterval=90\n", 90);
        ok("[Journal]\nStatsInterval=90s\n", 90);
        ok("[Journal]\nStatsInterval=30min\n", 1800);
        ok("[Journal]\nStatsInterval=2h\n", 7200);
        ok("[Journal]\nStatsInterval=30d\n", 30 * 86400);
        bad("[Journal]\nStatsInterval=1w\n", 2,
            "expected a time span such as 3600, 30min, 1h or 0, got \"1w\"");
        bad("[Journal]\n\nStatsInterval=-1\n", 3,
            "expected a time span such as 3600, 30min, 1h or 0, got \"-1\"");
        bad("[Journal]\nStatsInterval=\n", 2, "expected a time span such as 3600, 30min, 1h or 0, got \"\"");
        bad("[Journal]\nStatsInterval=31d\n", 2, "31d is out of range: at most 30 days");
        bad("[Journal]\nStatsInterval=99999999999999999999\n", 2,
            "99999999999999999999 is out of range: at most 30 days");
        return check_summary("test-config-journal");
}

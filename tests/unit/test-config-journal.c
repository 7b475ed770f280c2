// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit test for [Journal] StatsInterval=: every unit, the default, 0, and each rejection with file:line
 * (malformed before out of range). */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "config.h"

#define SPAN_MSG(v)       "expected a time span such as 3600, 30min, 1h or 0, got \"" v "\""
#define UNIT_MSG(unit, v) "unknown unit \"" unit "\" in \"" v "\": expected s, min, h or d after the number"

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
        bad("[Journal]\nStatsInterval=1w\n", 2, UNIT_MSG("w", "1w"));
        bad("[Journal]\nStatsInterval=5mins\n", 2, UNIT_MSG("mins", "5mins"));
        /* Malformed whatever the number's size: the unit is looked at before the range. */
        bad("[Journal]\nStatsInterval=99999999999x\n", 2, UNIT_MSG("x", "99999999999x"));
        bad("[Journal]\nStatsInterval=99999999999999999999x\n", 2, UNIT_MSG("x", "99999999999999999999x"));
        bad("[Journal]\nStatsInterval=99999999999S\n", 2, UNIT_MSG("S", "99999999999S"));
        bad("[Journal]\nStatsInterval=1.5h\n", 2, SPAN_MSG("1.5h"));
        bad("[Journal]\nStatsInterval=99999999999 h\n", 2, SPAN_MSG("99999999999 h"));
        bad("[Journal]\nStatsInterval=h\n", 2, SPAN_MSG("h"));
        bad("[Journal]\n\nStatsInterval=-1\n", 3, SPAN_MSG("-1"));
        bad("[Journal]\nStatsInterval=\n", 2, SPAN_MSG(""));
        bad("[Journal]\nStatsInterval=31d\n", 2, "31d is out of range: at most 30 days");
        bad("[Journal]\nStatsInterval=99999999999999999999\n", 2,
            "99999999999999999999 is out of range: at most 30 days");
        /* Well-formed, with a unit, and too large: only then out of range, also past 64 bits. */
        bad("[Journal]\nStatsInterval=99999999999min\n", 2,
            "99999999999min is out of range: at most 30 days");
        bad("[Journal]\nStatsInterval=99999999999999999999d\n", 2,
            "99999999999999999999d is out of range: at most 30 days");
        bad("[Journal]\nStatsInterval=2592001\n", 2, "2592001 is out of range: at most 30 days");
        ok("[Journal]\nStatsInterval=2592000s\n", 2592000);
        return check_summary("test-config-journal");
}

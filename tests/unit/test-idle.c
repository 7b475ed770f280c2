/*
 * Unit test for daemon/idle.c's CPU list parsing: each ring's CPU is its key in the events map, so a list
 * read wrong would point a CPU's programs at another CPU's event (perf refuses that output: a loss).
 */
#include "check.h"
#include "idle.h"

#include <errno.h>
#include <stdlib.h>

static void check_list(const char *s, const int *want, int n)
{
        int got[16];

        CHECK_NUM(cpulist_parse(s, got, 16), n);
        for (int i = 0; i < n; i++)
                CHECK_NUM(got[i], want[i]);
}

int main(void)
{
        int cpus[4];

        set_case("the kernel's forms");
        check_list("0\n", (int[]){0}, 1);
        check_list("0-1\n", (int[]){0, 1}, 2);
        check_list("0-3,8,10-11\n", (int[]){0, 1, 2, 3, 8, 10, 11}, 7);
        check_list("2,4", (int[]){2, 4}, 2);
        check_list("5-5", (int[]){5}, 1);

        set_case("anything else refused");
        CHECK_RC(cpulist_parse("", cpus, 4), -EINVAL);
        CHECK_RC(cpulist_parse("\n", cpus, 4), -EINVAL);
        CHECK_RC(cpulist_parse("0,", cpus, 4), -EINVAL);
        CHECK_RC(cpulist_parse(",0", cpus, 4), -EINVAL);
        CHECK_RC(cpulist_parse("0,,1", cpus, 4), -EINVAL);
        CHECK_RC(cpulist_parse("3-1", cpus, 4), -EINVAL);
        CHECK_RC(cpulist_parse("-1", cpus, 4), -EINVAL);
        CHECK_RC(cpulist_parse("+1", cpus, 4), -EINVAL);
        CHECK_RC(cpulist_parse(" 1", cpus, 4), -EINVAL);
        CHECK_RC(cpulist_parse("1 ", cpus, 4), -EINVAL);
        CHECK_RC(cpulist_parse("0\n\n", cpus, 4), -EINVAL);
        CHECK_RC(cpulist_parse("1-2-3", cpus, 4), -EINVAL);
        CHECK_RC(cpulist_parse("123456", cpus, 4), -EINVAL);
        CHECK_WHY(cpulist_parse("1,1", cpus, 4) == -EINVAL, "a CPU twice would be two rings on one key");
        CHECK_WHY(cpulist_parse("2,0-1", cpus, 4) == -EINVAL, "not ascending");
        CHECK_WHY(cpulist_parse("0-2,2", cpus, 4) == -EINVAL, "overlapping ranges");

        set_case("more CPUs than room");
        CHECK_RC(cpulist_parse("0-3", cpus, 4), 4);
        CHECK_RC(cpulist_parse("0-4", cpus, 4), -E2BIG);
        CHECK_RC(cpulist_parse("0-99999", cpus, 4), -E2BIG);

        set_case("this machine");
        {
                int *online = NULL, n = cpulist_online(&online);

                CHECK_WHY(n >= 1 && online && online[0] >= 0, "at least one CPU online, read from sysfs");
                free(online);
        }
        return check_summary("test-idle");
}

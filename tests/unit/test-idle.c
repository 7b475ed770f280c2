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

        {
                /* The last three are lists the kernel never prints; taking them would give two rings one
                 * key, or a ring a key out of order. */
                static const char *const bad[] = {
                        "",   "\n", "0,",    ",0",    "0,,1",   "3-1", "-1",    "+1",
                        " 1", "1 ", "0\n\n", "1-2-3", "123456", "1,1", "2,0-1", "0-2,2",
                };

                for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                        set_case("refused: \"%s\"", bad[i]);
                        CHECK_NUM(cpulist_parse(bad[i], cpus, 4), -EINVAL);
                }
        }

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

/*
 * Unit test for daemon/exitseen.c: the exits received, by process image. A hit must be exact (pid and exec
 * time both), since a false "gone" would drop OBJECT_PID from a live process's record; a forgotten entry
 * (collision, table full) is allowed and only means "not known".
 */
#include "exitseen.h"
#include "check.h"

#include <stdlib.h>

int main(void)
{
        struct exit_seen *s = calloc(1, sizeof(*s));
        unsigned hits = 0;

        if (!s) {
                FAIL("out of memory");
                return check_summary("test-exitseen");
        }
        set_case("empty table");
        CHECK(!exit_seen_has(s, 1234, 5000));
        CHECK_WHY(!exit_seen_has(s, 0, 0), "an empty slot is no exit");

        set_case("exact image only");
        exit_seen_add(s, 1234, 5000);
        CHECK(exit_seen_has(s, 1234, 5000));
        CHECK_WHY(!exit_seen_has(s, 1234, 5001), "another image of the same pid (a later exec)");
        CHECK_WHY(!exit_seen_has(s, 1235, 5000), "another pid");

        set_case("exec time 0 is never recorded");
        exit_seen_add(s, 77, 0);
        CHECK(!exit_seen_has(s, 77, 0));

        /* A storm's worth of distinct images: no false positives, and most of a batch's size is kept. */
        set_case("many images");
        for (uint32_t i = 1; i <= 4096; i++)
                exit_seen_add(s, 10000 + i, 1000000000ULL * i + i);
        for (uint32_t i = 1; i <= 4096; i++) {
                hits += exit_seen_has(s, 10000 + i, 1000000000ULL * i + i);
                CHECK(!exit_seen_has(s, 10000 + i, 1000000000ULL * i + i + 1));
        }
        CHECK_WHY(hits > 4096 * 3 / 4, "a batch of 4096 exits mostly remembered");
        free(s);
        return check_summary("test-exitseen");
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit test for daemon/reorder.c: events come out in sequence order, a gap is waited for only as long as
 * the window (and no event waits longer, even when a straggler arrives below it), a heap full in events or
 * in bytes makes room by releasing the lowest, flush releases everything, and release through a bound gives
 * the highest number accounted for, and a watch remembers the lowest number gone past while missing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "reorder.h"

struct out {
        uint64_t seq[64];
        size_t n;
};

static void emit(void *ctx, void *data, size_t size)
{
        struct out *o = ctx;

        CHECK(size >= sizeof(uint64_t));
        if (o->n < 64)
                o->seq[o->n++] = *(uint64_t *)data;
        free(data);
}

/* An event of size bytes (at least 8), numbered seq. */
static void add_sized(struct reorder *r, struct out *o, uint64_t seq, uint64_t now, size_t size)
{
        uint64_t *p = calloc(1, size);

        *p = seq;
        CHECK_NUM(reorder_add(r, seq, now, p, size, emit, o), 0);
}

static void add(struct reorder *r, struct out *o, uint64_t seq, uint64_t now)
{
        add_sized(r, o, seq, now, sizeof(uint64_t));
}

/* Events arriving at the same time, in this order. */
static void add_all(struct reorder *r, struct out *o, const uint64_t *seqs, size_t n, uint64_t now)
{
        for (size_t i = 0; i < n; i++)
                add(r, o, seqs[i], now);
}

static void expect(const struct out *o, const uint64_t *want, size_t n)
{
        CHECK_NUM(o->n, n);
        for (size_t i = 0; i < n && i < o->n; i++)
                CHECK_NUM(o->seq[i], want[i]);
}

int main(void)
{
        struct reorder r;
        struct out o = {0};

        set_case("in order after a shuffle");
        CHECK_NUM(reorder_init(&r, 16, SIZE_MAX, 1), 0);
        add_all(&r, &o, (const uint64_t[]){3, 1, 2}, 3, 0);
        reorder_release(&r, 0, 1000, false, emit, &o);
        expect(&o, (const uint64_t[]){1, 2, 3}, 3);

        set_case("a gap holds later events until the window passes");
        o.n = 0;
        add(&r, &o, 5, 100);
        add(&r, &o, 6, 150);
        reorder_release(&r, 500, 1000, false, emit, &o);
        CHECK_NUM(o.n, 0);
        add(&r, &o, 4, 600);
        reorder_release(&r, 600, 1000, false, emit, &o);
        expect(&o, (const uint64_t[]){4, 5, 6}, 3);

        set_case("a lost number is given up after the window");
        o.n = 0;
        add(&r, &o, 9, 1000);
        add(&r, &o, 8, 1000);
        reorder_release(&r, 1500, 1000, false, emit, &o);
        CHECK_NUM(o.n, 0);
        reorder_release(&r, 2000, 1000, false, emit, &o);
        expect(&o, (const uint64_t[]){8, 9}, 2);
        CHECK_NUM(r.next_seq, 10);

        set_case("a later straggler in the gap does not hold an event past its window");
        o.n = 0;
        add(&r, &o, 12, 1000);
        add(&r, &o, 11, 1900);
        reorder_release(&r, 1950, 1000, false, emit, &o);
        CHECK_NUM(o.n, 0);
        /* 12 has waited the window; 11, below it, goes first though it has not, and 10 is lost. */
        reorder_release(&r, 2000, 1000, false, emit, &o);
        expect(&o, (const uint64_t[]){11, 12}, 2);
        CHECK_NUM(r.next_seq, 13);
        set_case("only events up to the one that has waited go; the gap after it is waited for");
        o.n = 0;
        add(&r, &o, 15, 1000);
        add(&r, &o, 14, 1800);
        add(&r, &o, 17, 1900);
        reorder_release(&r, 2000, 1000, false, emit, &o);
        expect(&o, (const uint64_t[]){14, 15}, 2);
        CHECK_NUM(r.n, 1);
        reorder_release(&r, 2899, 1000, false, emit, &o);
        CHECK_NUM(o.n, 2);
        reorder_release(&r, 2900, 1000, false, emit, &o);
        expect(&o, (const uint64_t[]){14, 15, 17}, 3);
        CHECK_NUM(r.next_seq, 18);

        set_case("a straggler below the next number goes at once");
        o.n = 0;
        add(&r, &o, 7, 3000);
        reorder_release(&r, 3000, 1000, false, emit, &o);
        expect(&o, (const uint64_t[]){7}, 1);
        CHECK_NUM(r.next_seq, 18);
        reorder_done(&r, free);

        set_case("a full heap releases its lowest to make room");
        o.n = 0;
        CHECK_NUM(reorder_init(&r, 3, SIZE_MAX, 1), 0);
        add_all(&r, &o, (const uint64_t[]){12, 11, 13}, 3, 0);
        CHECK(reorder_add_may_skip(&r, 14, 8)); /* 11 would go with 1 to 10 missing */
        add(&r, &o, 14, 0);
        expect(&o, (const uint64_t[]){11}, 1);
        CHECK_NUM(r.n, 3);

        set_case("flush releases everything in order");
        reorder_release(&r, 0, 1000, true, emit, &o);
        expect(&o, (const uint64_t[]){11, 12, 13, 14}, 4);
        CHECK_NUM(r.n, 0);

        reorder_done(&r, free);

        set_case("a full heap and an event below all it holds: that event goes, not a higher one before it");
        o.n = 0;
        CHECK_NUM(reorder_init(&r, 2, SIZE_MAX, 1), 0);
        add_all(&r, &o, (const uint64_t[]){2, 3}, 2, 0);
        CHECK(!reorder_add_may_skip(&r, 1, 8)); /* 1 is next */
        CHECK(reorder_add_may_skip(&r, 4, 8));  /* 2 would go with 1 missing */
        add(&r, &o, 1, 0);
        expect(&o, (const uint64_t[]){1}, 1);
        CHECK_NUM(r.next_seq, 2);
        reorder_release(&r, 0, 1000, false, emit, &o);
        expect(&o, (const uint64_t[]){1, 2, 3}, 3);
        reorder_done(&r, free);

        set_case("full in bytes: the lowest go until the new event fits");
        o.n = 0;
        CHECK_NUM(reorder_init(&r, 16, 32, 1), 0);
        add_all(&r, &o, (const uint64_t[]){5, 4, 3}, 3, 0);
        CHECK_NUM(r.bytes, 24);
        CHECK(!reorder_add_may_skip(&r, 6, 8)); /* fits */
        CHECK(reorder_add_may_skip(&r, 6, 24)); /* two go: an upper bound */
        add_sized(&r, &o, 6, 0, 24);
        expect(&o, (const uint64_t[]){3, 4}, 2);
        CHECK_NUM(r.bytes, 32);
        set_case("full in bytes and an event below all it holds: that event goes");
        add(&r, &o, 2, 0);
        expect(&o, (const uint64_t[]){3, 4, 2}, 3);
        CHECK_NUM(r.n, 2);
        reorder_release(&r, 0, 1000, true, emit, &o);
        expect(&o, (const uint64_t[]){3, 4, 2, 5, 6}, 5);
        CHECK_NUM(r.bytes, 0);
        set_case("one event larger than the bound is still held");
        add_sized(&r, &o, 8, 0, 64);
        CHECK_NUM(r.n, 1);
        CHECK(reorder_full(&r, 8));
        add(&r, &o, 9, 0);
        expect(&o, (const uint64_t[]){3, 4, 2, 5, 6, 8}, 6);
        reorder_done(&r, free);

        set_case("release through: all up to the bound, gaps included, then what follows without one");
        o.n = 0;
        CHECK_NUM(reorder_init(&r, 16, SIZE_MAX, 1), 0);
        add_all(&r, &o, (const uint64_t[]){2, 5, 7, 8, 10}, 5, 0);
        CHECK_NUM(reorder_release_through(&r, 6, emit, &o), 8);
        expect(&o, (const uint64_t[]){2, 5, 7, 8}, 4);
        CHECK_NUM(r.n, 1);
        set_case("release through: missing numbers at the bound are lost, not waited for");
        CHECK_NUM(reorder_release_through(&r, 9, emit, &o), 10);
        expect(&o, (const uint64_t[]){2, 5, 7, 8, 10}, 5);
        CHECK_NUM(reorder_release_through(&r, 3, emit, &o), 10);
        CHECK_NUM(reorder_release_through(&r, 14, emit, &o), 14);
        CHECK_NUM(r.n, 0);
        reorder_done(&r, free);
        set_case("release through 0: only what follows without a gap");
        o.n = 0;
        CHECK_NUM(reorder_init(&r, 16, SIZE_MAX, 4), 0);
        add(&r, &o, 4, 0);
        add(&r, &o, 6, 0);
        CHECK_NUM(reorder_release_through(&r, 0, emit, &o), 4);
        expect(&o, (const uint64_t[]){4}, 1);
        CHECK_NUM(r.n, 1);
        reorder_done(&r, free);

        set_case("watched skips: a full heap going past a missing number remembers the lowest one");
        o.n = 0;
        CHECK_NUM(reorder_init(&r, 2, SIZE_MAX, 1), 0);
        CHECK_NUM(r.skipped, UINT64_MAX);
        add_all(&r, &o, (const uint64_t[]){2, 3, 4}, 3, 0); /* 2 goes past 1: not watched */
        CHECK_NUM(r.skipped, UINT64_MAX);
        reorder_watch_skips(&r, 6);
        add(&r, &o, 7, 0); /* 3 goes, in sequence */
        add(&r, &o, 9, 0); /* 4 goes past nothing missing, 5 is below the watch */
        CHECK_NUM(r.skipped, UINT64_MAX);
        add(&r, &o, 10, 0); /* 7 goes past 5 and 6: 6 is the lowest watched */
        CHECK_NUM(r.skipped, 6);
        add(&r, &o, 11, 0); /* 9 goes past 8: 6 stays the lowest */
        CHECK_NUM(r.skipped, 6);
        add(&r, &o, 5, 0); /* a straggler goes at once: nothing gone past */
        CHECK_NUM(r.skipped, 6);
        expect(&o, (const uint64_t[]){2, 3, 4, 7, 9, 5}, 6);
        CHECK_NUM(reorder_release_through(&r, 5, emit, &o), 11);
        CHECK_NUM(r.skipped, 6);
        reorder_watch_skips(&r, 1);
        CHECK_NUM(r.skipped, UINT64_MAX);
        reorder_done(&r, free);
        set_case("watched skips: an event let through by a full heap skips as a held one would");
        o.n = 0;
        CHECK_NUM(reorder_init(&r, 1, SIZE_MAX, 1), 0);
        reorder_watch_skips(&r, 1);
        add(&r, &o, 5, 0);
        add(&r, &o, 3, 0); /* 3, lower, goes at once, past 1 and 2 */
        CHECK_NUM(r.skipped, 1);
        expect(&o, (const uint64_t[]){3}, 1);
        reorder_done(&r, free);

        set_case("done frees what is held");
        CHECK_NUM(reorder_init(&r, 16, SIZE_MAX, 1), 0);
        add(&r, &o, 20, 0);
        add(&r, &o, 22, 0);
        reorder_done(&r, free);
        return check_summary("test-reorder");
}

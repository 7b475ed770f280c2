/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Puts kernel events back into EXEC_SEQ order. Each CPU has its own perf buffer, so a child's exec read
 * from one CPU's buffer can arrive before its parent's from another. Events wait in a bounded min-heap
 * until every earlier sequence number has gone out, or until they have waited the window (then the
 * missing numbers are losses, which loss records account for). The heap is bounded in events and in bytes:
 * an exec event can be 53 KiB, and a storm under perf loss keeps many waiting.
 */
#ifndef EA_REORDER_H
#define EA_REORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct reorder_item {
        uint64_t seq;
        uint64_t arrival_usec;
        void *data; /* owned until released */
        size_t size;
};

struct reorder {
        struct reorder_item *heap;
        size_t n, cap;
        size_t bytes, max_bytes; /* the sizes of the events held, and their bound */
        uint64_t next_seq;       /* the lowest sequence number not released yet */
        uint64_t skip_watch;     /* see reorder_watch_skips(); UINT64_MAX: not watching */
        uint64_t skipped;        /* the lowest watched number gone past while missing; UINT64_MAX: none */
};

typedef void (*reorder_emit_fn)(void *ctx, void *data, size_t size);

int reorder_init(struct reorder *r, size_t cap, size_t max_bytes, uint64_t first_seq);
/* Frees what is still held with free_fn. */
void reorder_done(struct reorder *r, void (*free_fn)(void *data));
/* Whether an event of size bytes would find the heap full (one alone never does). */
bool reorder_full(const struct reorder *r, size_t size);
/* Whether adding that event (numbered seq) may let an event go past a missing number: the caller counts
 * the losses it knows of first. Exact for a heap full in events (one goes), an upper bound in bytes. */
bool reorder_add_may_skip(const struct reorder *r, uint64_t seq, size_t size);
/*
 * From now on, remember the lowest number from `from` up that an event went out past while it was missing
 * (in `skipped`): a number that may still be on its way, so nothing after it is accounted for yet.
 */
void reorder_watch_skips(struct reorder *r, uint64_t from);
/* Takes ownership of data. While the heap is full, the lowest event (held or this one) goes out first. */
int reorder_add(struct reorder *r, uint64_t seq, uint64_t now_usec, void *data, size_t size,
                reorder_emit_fn emit, void *ctx);
/*
 * Releases, in order, every event that is next in sequence or has waited window_usec, and every event
 * numbered below one that has waited it (so no event waits longer than the window); all with flush.
 */
void reorder_release(struct reorder *r, uint64_t now_usec, uint64_t window_usec, bool flush,
                     reorder_emit_fn emit, void *ctx);
/*
 * Releases, in order, every event numbered up to `upto` (the numbers up to it that are missing are known to
 * be lost), then those that follow without a gap. Returns the highest number released or known lost: every
 * number up to it has gone out or is a loss; after it, a number may still be on its way.
 */
uint64_t reorder_release_through(struct reorder *r, uint64_t upto, reorder_emit_fn emit, void *ctx);

#endif

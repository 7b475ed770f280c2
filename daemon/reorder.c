// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A binary min-heap on sequence numbers. The heap root is always the next candidate: it goes out when it
 * is the next number expected, or when it has waited long enough that the numbers before it are lost.
 */
#include <errno.h>
#include <stdlib.h>

#include "reorder.h"

int reorder_init(struct reorder *r, size_t cap, size_t max_bytes, uint64_t first_seq)
{
        r->heap = calloc(cap, sizeof(*r->heap));
        if (!r->heap)
                return -ENOMEM;
        r->n = 0;
        r->cap = cap;
        r->bytes = 0;
        r->max_bytes = max_bytes;
        r->next_seq = first_seq;
        r->skip_watch = r->skipped = UINT64_MAX;
        return 0;
}

void reorder_done(struct reorder *r, void (*free_fn)(void *data))
{
        for (size_t i = 0; i < r->n; i++)
                free_fn(r->heap[i].data);
        free(r->heap);
        r->heap = NULL;
        r->n = r->cap = r->bytes = 0;
}

static void swap(struct reorder_item *a, struct reorder_item *b)
{
        struct reorder_item t = *a;

        *a = *b;
        *b = t;
}

static struct reorder_item pop(struct reorder *r)
{
        struct reorder_item top = r->heap[0];
        size_t i = 0;

        r->bytes -= top.size;
        r->heap[0] = r->heap[--r->n];
        for (;;) {
                size_t l = 2 * i + 1, m = i;

                if (l < r->n && r->heap[l].seq < r->heap[m].seq)
                        m = l;
                if (l + 1 < r->n && r->heap[l + 1].seq < r->heap[m].seq)
                        m = l + 1;
                if (m == i)
                        break;
                swap(&r->heap[i], &r->heap[m]);
                i = m;
        }
        return top;
}

/* seq goes out: the numbers from next_seq to just below it, if any, are gone past while missing. */
static void advance(struct reorder *r, uint64_t seq)
{
        if (seq > r->next_seq && seq > r->skip_watch) {
                uint64_t low = r->next_seq > r->skip_watch ? r->next_seq : r->skip_watch;

                if (low < r->skipped)
                        r->skipped = low;
        }
        if (seq >= r->next_seq)
                r->next_seq = seq + 1;
}

static void release_top(struct reorder *r, reorder_emit_fn emit, void *ctx)
{
        struct reorder_item it = pop(r);

        advance(r, it.seq);
        emit(ctx, it.data, it.size);
}

void reorder_watch_skips(struct reorder *r, uint64_t from)
{
        r->skip_watch = from;
        r->skipped = UINT64_MAX;
}

bool reorder_full(const struct reorder *r, size_t size)
{
        return r->n == r->cap || (r->n > 0 && r->bytes + size > r->max_bytes);
}

bool reorder_add_may_skip(const struct reorder *r, uint64_t seq, size_t size)
{
        uint64_t lowest;

        if (!reorder_full(r, size))
                return false;
        lowest = seq < r->heap[0].seq ? seq : r->heap[0].seq;
        return lowest > r->next_seq || r->bytes + size > r->max_bytes;
}

int reorder_add(struct reorder *r, uint64_t seq, uint64_t now_usec, void *data, size_t size,
                reorder_emit_fn emit, void *ctx)
{
        size_t i;

        while (reorder_full(r, size)) {
                /* Full: the lowest of the held events and this one goes, whichever it is. */
                if (seq < r->heap[0].seq) {
                        advance(r, seq);
                        emit(ctx, data, size);
                        return 0;
                }
                release_top(r, emit, ctx);
        }
        i = r->n++;
        r->bytes += size;
        r->heap[i] = (struct reorder_item){.seq = seq, .arrival_usec = now_usec, .data = data, .size = size};
        while (i > 0 && r->heap[(i - 1) / 2].seq > r->heap[i].seq) {
                swap(&r->heap[i], &r->heap[(i - 1) / 2]);
                i = (i - 1) / 2;
        }
        return 0;
}

/*
 * The highest number among the events that have waited the window; 0 when none has. A scan of the whole
 * heap (about 10 us when full, 16384 events), so it runs at most once per release, and only while the top
 * waits for a gap.
 */
static uint64_t waited_through(const struct reorder *r, uint64_t now_usec, uint64_t window_usec)
{
        uint64_t through = 0;

        for (size_t i = 0; i < r->n; i++)
                if (now_usec - r->heap[i].arrival_usec >= window_usec && r->heap[i].seq > through)
                        through = r->heap[i].seq;
        return through;
}

void reorder_release(struct reorder *r, uint64_t now_usec, uint64_t window_usec, bool flush,
                     reorder_emit_fn emit, void *ctx)
{
        uint64_t due = 0; /* events numbered up to it go: one of them has waited the window */
        bool scanned = false;

        while (r->n > 0) {
                const struct reorder_item *top = &r->heap[0];

                /*
                 * Late stragglers (below next_seq) go at once: holding them cannot restore their order.
                 * The top waits for a missing number only while no event has waited the window: not only
                 * the top's own wait counts, or a straggler arriving below an event about to go would
                 * hold that event one more window.
                 */
                if (!flush && top->seq > r->next_seq && top->seq > due) {
                        if (scanned)
                                break;
                        due = waited_through(r, now_usec, window_usec);
                        scanned = true;
                        if (top->seq > due)
                                break;
                }
                release_top(r, emit, ctx);
        }
}

uint64_t reorder_release_through(struct reorder *r, uint64_t upto, reorder_emit_fn emit, void *ctx)
{
        while (r->n > 0 && r->heap[0].seq <= upto)
                release_top(r, emit, ctx);
        if (r->next_seq <= upto)
                r->next_seq = upto + 1;
        while (r->n > 0 && r->heap[0].seq <= r->next_seq)
                release_top(r, emit, ctx);
        return r->next_seq - 1;
}

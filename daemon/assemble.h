/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Long argv comes in pieces (EA_EV_ARGS) just before its exec event, in the same CPU's buffer. One
 * assembly per CPU collects the pieces of the exec they name; the exec event then gets the bytes that
 * arrived in one run from offset 0. A lost or out-of-place piece ends the run: the record shows the
 * argv up to there and EXEC_ARGS_TRUNCATED=1, never bytes in the wrong place.
 */
#ifndef EA_ASSEMBLE_H
#define EA_ASSEMBLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

struct assembly {
        uint32_t pid;
        uint64_t ktime_ns;
        bool active;
        bool broken; /* a piece was missing: later ones are not taken */
        struct strbuf buf;
};

void assembly_free(struct assembly *a);
/* Takes an EA_EV_ARGS event. -EBADMSG if malformed, -ENOMEM. */
int assembly_add(struct assembly *a, const void *data, size_t size);
/* The size the exec event `data` (with EA_F_ARGS_CHUNKED) has once its argv is put in. */
size_t assembly_event_size(const struct assembly *a, const void *data, size_t size);
/*
 * Writes the completed exec event into out (assembly_event_size() bytes): data, then the argv bytes,
 * with args_len, flags and the header's size updated. The assembly is emptied.
 */
void assembly_finish(struct assembly *a, const void *data, size_t size, void *out);
/*
 * What the drain does with one perf sample of size bytes, cut to its header's size when that is smaller.
 * An argv piece goes into a: 0, or -EBADMSG when it is dropped (malformed, or no memory to keep it: its
 * exec's argv is then cut short and marked truncated). Anything else is copied into memory from alloc():
 * 1 with *out and *out_size, a chunked exec with its argv put in, and an event too short for a header as
 * it came (the writer counts it as malformed); -ENOMEM when alloc() fails, with *out_size set. A NULL a
 * (a CPU without an assembly) drops pieces and leaves a chunked exec as it came.
 */
int assembly_take(struct assembly *a, const void *data, size_t size, void *(*alloc)(size_t), void **out,
                  size_t *out_size);

#endif

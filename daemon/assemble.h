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

#endif

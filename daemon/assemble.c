// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <linux/types.h>
#include <string.h>

#include "assemble.h"
#include "execaudit.h"

void assembly_free(struct assembly *a)
{
        strbuf_free(&a->buf);
        a->active = false;
}

static void start(struct assembly *a, uint32_t pid, uint64_t ktime)
{
        a->pid = pid;
        a->ktime_ns = ktime;
        a->active = true;
        a->broken = false;
        strbuf_reset(&a->buf);
}

int assembly_add(struct assembly *a, const void *data, size_t size)
{
        const struct ea_args *ev = data;

        if (size < sizeof(*ev) || ev->len > size - sizeof(*ev) || ev->len > EA_ARGS_CHUNK)
                return -EBADMSG;
        if (!a->active || a->pid != ev->pid || a->ktime_ns != ev->exec_ktime_ns)
                start(a, ev->pid, ev->exec_ktime_ns);
        if (a->broken)
                return 0;
        if (ev->offset != a->buf.len || a->buf.len + ev->len > EA_ARGS_MAX) {
                a->broken = true;
                return 0;
        }
        return strbuf_append(&a->buf, ev->data, ev->len);
}

static bool matches(const struct assembly *a, const struct ea_exec *ev)
{
        return a->active && a->pid == ev->proc.pid && a->ktime_ns == ev->hdr.ktime_ns;
}

static size_t usable(const struct assembly *a, const struct ea_exec *ev)
{
        if (!matches(a, ev))
                return 0;
        return a->buf.len < ev->args_len ? a->buf.len : ev->args_len;
}

size_t assembly_event_size(const struct assembly *a, const void *data, size_t size)
{
        return size + usable(a, data);
}

void assembly_finish(struct assembly *a, const void *data, size_t size, void *out)
{
        size_t n = usable(a, data);
        struct ea_exec *ev = out;

        memcpy(out, data, size);
        if (n)
                memcpy((char *)out + size, a->buf.buf, n);
        if (n < ev->args_len)
                ev->flags |= EA_F_ARGS_TRUNCATED;
        ev->args_len = (__u32)n;
        ev->flags &= ~(__u32)EA_F_ARGS_CHUNKED;
        ev->hdr.size = (__u32)(size + n);
        a->active = false;
        strbuf_reset(&a->buf);
}

static bool is_chunked_exec(const struct ea_header *h, size_t size)
{
        const struct ea_exec *ev = (const void *)h;

        return (h->type == EA_EV_EXEC || h->type == EA_EV_EXEC_FAILED) && size >= sizeof(*ev) &&
               (ev->flags & EA_F_ARGS_CHUNKED);
}

int assembly_take(struct assembly *a, const void *data, size_t size, void *(*alloc)(size_t), void **out,
                  size_t *out_size)
{
        const struct ea_header *h = data;
        bool chunked;

        if (size >= sizeof(*h) && h->size <= size)
                size = h->size;
        if (size >= sizeof(*h) && h->type == EA_EV_ARGS) {
                /* Pieces take no sequence number; a bad one only truncates its record's argv. */
                if (!a)
                        return -EBADMSG;
                return assembly_add(a, data, size) < 0 ? -EBADMSG : 0;
        }
        chunked = a && size >= sizeof(*h) && is_chunked_exec(h, size);
        *out_size = chunked ? assembly_event_size(a, data, size) : size;
        *out = alloc(*out_size);
        if (!*out)
                return -ENOMEM;
        if (chunked)
                assembly_finish(a, data, size, *out);
        else
                memcpy(*out, data, size);
        return 1;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Long argv put back together from its pieces; a missing piece truncates, never shifts bytes. And
 * assembly_take(), the drain's handling of one sample: which samples are pieces, what is copied, how much.
 */
#include <errno.h>
#include <linux/types.h>
#include <stdlib.h>

#include "assemble.h"
#include "check.h"
#include "execaudit.h"

static void add_piece(struct assembly *a, uint32_t pid, uint64_t ktime, uint32_t off, const char *data,
                      uint32_t len)
{
        size_t n = sizeof(struct ea_args) + len;
        struct ea_args *ev = calloc(1, n);

        if (!ev)
                exit(2);
        ev->hdr.type = EA_EV_ARGS;
        ev->hdr.size = (__u32)n;
        ev->pid = pid;
        ev->exec_ktime_ns = ktime;
        ev->offset = off;
        ev->len = len;
        memcpy(ev->data, data, len);
        CHECK_NUM(assembly_add(a, ev, n), 0);
        free(ev);
}

/* An exec event (no strings) that says its argv of args_len bytes came in pieces. */
static struct ea_exec exec_event(uint32_t pid, uint64_t ktime, uint32_t args_len)
{
        struct ea_exec ev;

        memset(&ev, 0, sizeof(ev));
        ev.hdr.type = EA_EV_EXEC;
        ev.hdr.size = sizeof(ev);
        ev.hdr.ktime_ns = ktime;
        ev.proc.pid = pid;
        ev.args_len = args_len;
        ev.flags = EA_F_ARGS_CHUNKED;
        return ev;
}

/* Finishes ev and checks the argv and truncation flag it ends up with. */
static void check_finish(struct assembly *a, struct ea_exec *ev, const char *want, size_t want_len,
                         bool truncated)
{
        size_t n = assembly_event_size(a, ev, sizeof(*ev));
        struct ea_exec *out = malloc(n);

        if (!out)
                exit(2);
        CHECK_NUM(n, sizeof(*ev) + want_len);
        assembly_finish(a, ev, sizeof(*ev), out);
        CHECK_NUM(out->args_len, want_len);
        CHECK_NUM(out->hdr.size, n);
        CHECK(memcmp(out->data, want, want_len) == 0);
        CHECK_NUM(!!(out->flags & EA_F_ARGS_TRUNCATED), truncated);
        CHECK_NUM(out->flags & EA_F_ARGS_CHUNKED, 0);
        free(out);
}

static void *fail_alloc(size_t n)
{
        (void)n;
        return NULL;
}

static void test_take(void)
{
        struct assembly a = {0};
        struct ea_exec ev = exec_event(20, 900, 3), *out = NULL;
        struct ea_args piece;
        struct ea_exit ex;
        size_t n = 0;

        memset(&piece, 0, sizeof(piece));
        piece.hdr.type = EA_EV_ARGS;
        piece.hdr.size = sizeof(piece);
        set_case("take: a piece without an assembly (a CPU out of range) is dropped");
        CHECK_NUM(assembly_take(NULL, &piece, sizeof(piece), malloc, (void **)&out, &n), -EBADMSG);
        set_case("take: a malformed piece");
        piece.len = 5;
        CHECK_NUM(assembly_take(&a, &piece, sizeof(piece), malloc, (void **)&out, &n), -EBADMSG);

        set_case("take: a chunked exec with its pieces");
        add_piece(&a, 20, 900, 0, "ab\0", 3);
        CHECK_NUM(assembly_take(&a, &ev, sizeof(ev), malloc, (void **)&out, &n), 1);
        CHECK_NUM(n, sizeof(ev) + 3);
        if (out) {
                CHECK_NUM(out->hdr.size, n);
                CHECK_NUM(out->args_len, 3);
                CHECK(memcmp(out->data, "ab", 3) == 0);
                CHECK_NUM(out->flags & (EA_F_ARGS_CHUNKED | EA_F_ARGS_TRUNCATED), 0);
        }
        free(out);
        out = NULL;

        set_case("take: a chunked exec on a CPU without an assembly is copied as it came");
        CHECK_NUM(assembly_take(NULL, &ev, sizeof(ev), malloc, (void **)&out, &n), 1);
        CHECK_NUM(n, sizeof(ev));
        CHECK(out && memcmp(out, &ev, sizeof(ev)) == 0);
        free(out);
        out = NULL;

        set_case("take: an exit is copied, cut to its header's size");
        memset(&ex, 0x5a, sizeof(ex));
        ex.hdr.type = EA_EV_EXIT;
        ex.hdr.size = sizeof(ex) - 4;
        CHECK_NUM(assembly_take(&a, &ex, sizeof(ex), malloc, (void **)&out, &n), 1);
        CHECK_NUM(n, sizeof(ex) - 4);
        CHECK(out && memcmp(out, &ex, n) == 0);
        free(out);
        out = NULL;

        set_case("take: a sample shorter than a header comes out as it is, for the writer to count");
        CHECK_NUM(assembly_take(&a, &ex, 3, malloc, (void **)&out, &n), 1);
        CHECK_NUM(n, 3);
        free(out);
        out = NULL;
        set_case("take: a header claiming less than a header is an event, not a piece");
        piece.hdr.size = 2;
        CHECK_NUM(assembly_take(&a, &piece, sizeof(piece), malloc, (void **)&out, &n), 1);
        CHECK_NUM(n, 2);
        free(out);
        out = NULL;

        set_case("take: no memory for the copy");
        n = 0;
        CHECK_NUM(assembly_take(&a, &ex, sizeof(ex), fail_alloc, (void **)&out, &n), -ENOMEM);
        CHECK_NUM(n, sizeof(ex) - 4);
        CHECK(out == NULL);
        assembly_free(&a);
}

int main(void)
{
        struct assembly a = {0};
        struct ea_exec ev;

        set_case("three pieces in order");
        add_piece(&a, 10, 100, 0, "ab", 2);
        add_piece(&a, 10, 100, 2, "cd", 2);
        add_piece(&a, 10, 100, 4, "e\0", 2);
        ev = exec_event(10, 100, 6);
        check_finish(&a, &ev, "abcde", 6, false);

        set_case("a middle piece lost: the argv ends before it");
        add_piece(&a, 11, 200, 0, "ab", 2);
        add_piece(&a, 11, 200, 4, "e\0", 2);
        ev = exec_event(11, 200, 6);
        check_finish(&a, &ev, "ab", 2, true);

        set_case("the last piece lost");
        add_piece(&a, 12, 300, 0, "ab", 2);
        ev = exec_event(12, 300, 6);
        check_finish(&a, &ev, "ab", 2, true);

        set_case("pieces of another exec are not taken");
        add_piece(&a, 13, 400, 0, "xy", 2);
        ev = exec_event(14, 500, 6);
        check_finish(&a, &ev, "", 0, true);

        set_case("a stale assembly is replaced by a new exec's first piece");
        add_piece(&a, 15, 600, 0, "old", 3);
        add_piece(&a, 16, 700, 0, "new\0", 4);
        ev = exec_event(16, 700, 4);
        check_finish(&a, &ev, "new", 4, false);

        set_case("more bytes than the event claims are cut to args_len");
        add_piece(&a, 17, 800, 0, "abcdef", 6);
        ev = exec_event(17, 800, 4);
        check_finish(&a, &ev, "abcd", 4, false);

        set_case("malformed pieces");
        {
                struct ea_args bad;

                memset(&bad, 0, sizeof(bad));
                bad.len = 1;
                CHECK_NUM(assembly_add(&a, &bad, sizeof(bad)), -EBADMSG);
                CHECK_NUM(assembly_add(&a, &bad, sizeof(bad) - 1), -EBADMSG);
                bad.len = EA_ARGS_CHUNK + 1;
                CHECK_NUM(assembly_add(&a, &bad, sizeof(bad)), -EBADMSG);
        }
        assembly_free(&a);
        test_take();
        return check_summary("test-assemble");
}

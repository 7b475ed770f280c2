/*
 * Unit test for daemon/sha256.c.
 *
 * Checks the FIPS 180-4 / NIST example vectors, feeds the million-'a'
 * message in deliberately uneven chunks so every buffering path in
 * sha256_update() is taken, and checks that any split of a message
 * hashes the same as the one-shot digest around the padding boundaries
 * (55/56/63/64 bytes) where an off-by-one would hide.
 */
#include "sha256.h"
#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void to_hex(const uint8_t d[32], char out[65])
{
        static const char hex[] = "0123456789abcdef";
        int i;

        for (i = 0; i < 32; i++) {
                out[2 * i] = hex[d[i] >> 4];
                out[2 * i + 1] = hex[d[i] & 0xf];
        }
        out[64] = '\0';
}

static void check(const char *name, const char *got, const char *want)
{
        if (strcmp(got, want) != 0) {
                fprintf(stderr, "FAIL %s: got %s, want %s\n", name, got, want);
                failures++;
        }
}

static void test_nist(void)
{
        static const struct {
                const char *name;
                const char *msg;
                const char *digest;
        } v[] = {
                {"empty", "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
                {"abc", "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
                {"448-bit", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                 "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
                {"896-bit",
                 "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlm"
                 "nopqrsmn"
                 "opqrstnopqrstu",
                 "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
        };
        char hex[65];
        size_t i;

        for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
                sha256_hex(v[i].msg, strlen(v[i].msg), hex);
                check(v[i].name, hex, v[i].digest);
        }
        /* A NULL pointer with length 0 is a valid empty message. */
        sha256_hex(NULL, 0, hex);
        check("NULL empty", hex, v[0].digest);
}

static void test_million_a(void)
{
        /* Chunk sizes chosen to straddle block boundaries in every way: tiny, odd, exact, multi-block. */
        static const size_t chunks[] = {1, 63, 64, 65, 0, 127, 3, 1000, 4096, 7, 55, 56, 129};
        struct sha256_ctx c;
        uint8_t d[32];
        char hex[65];
        char *a;
        size_t done = 0, k = 0, n;

        a = malloc(1000000);
        if (!a) {
                fprintf(stderr, "FAIL million-a: out of memory\n");
                failures++;
                return;
        }
        memset(a, 'a', 1000000);
        sha256_init(&c);
        while (done < 1000000) {
                n = chunks[k++ % (sizeof(chunks) / sizeof(chunks[0]))];
                if (n > 1000000 - done)
                        n = 1000000 - done;
                sha256_update(&c, a + done, n);
                done += n;
        }
        sha256_final(&c, d);
        to_hex(d, hex);
        check("million-a chunked", hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");

        sha256_hex(a, 1000000, hex);
        check("million-a one-shot", hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
        free(a);
}

static void test_splits(void)
{
        uint8_t msg[200], d[32];
        char want[65], got[65], name[64];
        struct sha256_ctx c;
        size_t len, cut;

        for (len = 0; len < sizeof(msg); len++)
                msg[len] = (uint8_t)(len * 7 + 3);
        for (len = 0; len <= sizeof(msg); len++) {
                sha256_hex(msg, len, want);
                for (cut = 0; cut <= len; cut++) {
                        sha256_init(&c);
                        sha256_update(&c, msg, cut);
                        sha256_update(&c, NULL, 0);
                        sha256_update(&c, msg + cut, len - cut);
                        sha256_final(&c, d);
                        to_hex(d, got);
                        snprintf(name, sizeof(name), "split len=%zu cut=%zu", len, cut);
                        check(name, got, want);
                }
        }
}

static void test_padding_boundaries(void)
{
        /* Reference digests of n bytes of 'a' from coreutils sha256sum, at the padding edges. */
        static const struct {
                size_t n;
                const char *digest;
        } v[] = {
                {55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
                {56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
                {63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
                {64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
                {65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"},
                {119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"},
                {120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c"},
        };
        char buf[128], hex[65], name[32];
        size_t i;

        memset(buf, 'a', sizeof(buf));
        for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
                sha256_hex(buf, v[i].n, hex);
                snprintf(name, sizeof(name), "%zu x 'a'", v[i].n);
                check(name, hex, v[i].digest);
        }
}

int main(void)
{
        test_nist();
        test_million_a();
        test_splits();
        test_padding_boundaries();
        return check_summary("test-sha256");
}

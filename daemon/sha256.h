/*
 * sha256: FIPS 180-4 SHA-256.
 *
 * The daemon hashes executables and command lines for the journal; a small
 * self-contained implementation avoids pulling a crypto library into a
 * privileged process for one digest. Not constant-time hardened: inputs
 * are not secret.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_SIZE 32
#define SHA256_BLOCK_SIZE  64

struct sha256_ctx {
        uint32_t h[8];
        uint64_t len; /* total bytes fed so far */
        uint8_t buf[SHA256_BLOCK_SIZE];
        size_t buflen;
};

void sha256_init(struct sha256_ctx *c);
void sha256_update(struct sha256_ctx *c, const void *data, size_t n);
/* Writes the digest; c holds padding state afterwards, so sha256_init() it before reuse. */
void sha256_final(struct sha256_ctx *c, uint8_t out[32]);
/* One-shot digest as 64 lowercase hex digits plus NUL. */
/* sha256_final() as 64 lowercase hex digits and a NUL. */
void sha256_final_hex(struct sha256_ctx *c, char out[65]);
void sha256_hex(const void *data, size_t n, char out[65]);

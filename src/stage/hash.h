/*
 * SHA-256 pass-through stage: every byte goes on unchanged to next; after finish the digest is
 * available as bytes or lower-case hex.
 */
#ifndef SAFEDUMP_STAGE_HASH_H
#define SAFEDUMP_STAGE_HASH_H

#include <stddef.h>

struct err;
struct stage;

#define HASH_SHA256_LEN 32
#define HASH_SHA256_HEXLEN 65 /* with the terminating NUL */

/** stage_hash_new(next, e): a SHA-256 pass-through stage. ${next} may be NULL (a hashing sink). */
struct stage *stage_hash_new(struct stage *next, struct err *e);

/**
 * stage_hash_expect(s, hex, what): make finish() fail with ERR_VERIFY "WHAT hash mismatch" unless the
 * digest equals ${hex}. Because finish runs front to back, a mismatch stops the chain before the
 * stages after it (a storage or file sink) commit. ${hex} and ${what} are copied.
 */
void stage_hash_expect(struct stage *s, const char *hex, const char *what);

/** stage_hash_hex(s): the digest as 64 hex digits; valid after finish until the stage is freed. */
const char *stage_hash_hex(const struct stage *s);

/** hash_sha256_hex(buf, len, out): one-shot SHA-256 of ${buf} into ${out} (65 bytes). */
void hash_sha256_hex(const void *buf, size_t len, char out[HASH_SHA256_HEXLEN]);

#endif

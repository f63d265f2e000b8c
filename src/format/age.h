/*
 * age (C2SP age.md, "age-encryption.org/v1") on OpenSSL libcrypto: X25519 recipients and identities,
 * the header with its HMAC, and the 64 KiB ChaCha20-Poly1305 STREAM payload. Encryption and decryption
 * are stages (stage.h). Decryption accepts binary and ASCII-armored input and never emits plaintext
 * of a chunk before that chunk is authenticated; finish() fails if the final chunk is missing.
 */
#ifndef SAFEDUMP_FORMAT_AGE_H
#define SAFEDUMP_FORMAT_AGE_H

#include <stddef.h>

struct err;
struct stage;
struct secret;

struct age_recipient; /* a public key: "age1..." */
struct age_identity;  /* a private key: "AGE-SECRET-KEY-1..." */

/** age_recipient_parse(s, e): parse an "age1..." string. NULL on failure (names the cause). */
struct age_recipient *age_recipient_parse(const char *s, struct err *e);

/** age_recipient_string(r): the canonical "age1..." string; owned by ${r}. */
const char *age_recipient_string(const struct age_recipient *r);

/** age_recipient_free(r): NULL does nothing. */
void age_recipient_free(struct age_recipient *r);

/** age_identity_parse(s, len, e): parse one "AGE-SECRET-KEY-1..." line (no newline). Wiped on free. */
struct age_identity *age_identity_parse(const char *s, size_t len, struct err *e);

/**
 * age_identity_load(text, len, out, max, e): parse an identity file's text: one identity per line,
 * blank lines and lines starting with '#' ignored. Stores up to ${max} identities in ${out} (the caller
 * frees each). Returns the number stored (at least 1) or -1.
 */
int age_identity_load(const char *text, size_t len, struct age_identity **out, size_t max, struct err *e);

/** age_identity_recipient(id, e): the recipient of ${id}; the caller frees it. */
struct age_recipient *age_identity_recipient(const struct age_identity *id, struct err *e);

/** age_identity_free(id): wipe and free. NULL does nothing. */
void age_identity_free(struct age_identity *id);

/**
 * age_keygen(identity, e): generate a new identity. On success returns a secret holding the identity
 * string "AGE-SECRET-KEY-1..." (no newline) and stores the recipient in *${recipient} (caller frees).
 */
struct secret *age_keygen(struct age_recipient **recipient, struct err *e);

/**
 * age_encrypt_new(rcpts, n, next, e): a stage that encrypts to ${n} >= 1 recipients, binary output.
 * The recipients are used only during the call. Owns ${next} (also on failure).
 */
struct stage *age_encrypt_new(struct age_recipient *const *rcpts, size_t n, struct stage *next, struct err *e);

/**
 * age_decrypt_new(ids, n, next, e): a stage that decrypts with any of ${n} identities.
 * ${ids} must outlive the stage. Errors: ERR_KEY "no identity matches any of the N recipient stanzas",
 * ERR_FORMAT for a malformed header, a bad header MAC, a chunk that fails authentication
 * ("chunk K failed authentication"), and in finish() "truncated: final chunk missing".
 *
 * Details: input starting with 'a' is binary age, anything else must be the armor ("invalid armor: ...").
 * K counts chunks from 1. A full chunk is emitted as soon as it authenticates: the last-chunk flag in its
 * nonce says whether it is final, so after a final chunk any byte is "trailing data after final chunk".
 * A malformed or low-order X25519 stanza is ERR_FORMAT; an scrypt (passphrase) file is ERR_KEY
 * "passphrase-encrypted files are not supported yet". The header may be at most 1 MiB.
 */
struct stage *age_decrypt_new(struct age_identity *const *ids, size_t n, struct stage *next, struct err *e);

/**
 * Header scan without any key: a pass-through stage that parses the age header of the stream going
 * through it (binary or armored), and after finish() reports what it found. A malformed header is an
 * ERR_FORMAT error from write() or finish(). It applies the same header rules as decryption (armor,
 * stanza syntax, X25519 and scrypt stanza shapes) and checks that the payload has a length STREAM can
 * produce; it cannot check the MAC or the chunks, so a file cut at a chunk boundary passes.
 * age_scan_info() returns 0 once the header has been parsed, else -1.
 */
struct age_header_info {
    size_t stanzas;        /* recipient stanzas, all types */
    size_t x25519_stanzas; /* of type X25519 */
    int armored;
};
struct stage *age_scan_new(struct stage *next, struct err *e);
int age_scan_info(const struct stage *s, struct age_header_info *info);

#endif

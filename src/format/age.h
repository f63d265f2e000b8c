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

struct age_recipient; /* a public key: "age1...", "ssh-ed25519 AAAA...", "ssh-rsa AAAA...", or a passphrase */
struct age_identity;  /* a private key: "AGE-SECRET-KEY-1...", an OpenSSH private key, or a passphrase */

/**
 * age_recipient_parse(s, e): parse an "age1..." string or an SSH public key line "ssh-ed25519 AAAA...
 * [comment]" / "ssh-rsa AAAA... [comment]" (RSA of at least 2048 bits). NULL on failure (names the cause).
 */
struct age_recipient *age_recipient_parse(const char *s, struct err *e);

/**
 * age_recipient_string(r): the canonical string, owned by ${r}: "age1...", or for SSH keys the type and
 * the base64 key without the comment.
 */
const char *age_recipient_string(const struct age_recipient *r);

/** age_recipient_free(r): NULL does nothing. */
void age_recipient_free(struct age_recipient *r);

/** age_identity_parse(s, len, e): parse one "AGE-SECRET-KEY-1..." line (no newline). Wiped on free. */
struct age_identity *age_identity_parse(const char *s, size_t len, struct err *e);

/**
 * age_identity_load(text, len, out, max, e): parse an identity file's text: one identity per line,
 * blank lines and lines starting with '#' ignored; or an unencrypted OpenSSH private key
 * ("-----BEGIN OPENSSH PRIVATE KEY-----", Ed25519 or RSA). Passphrase-protected files, age or OpenSSH,
 * are refused here (see age_identity_load_encrypted). Stores up to ${max}
 * identities in ${out} (the caller frees each). Returns the number stored (at least 1) or -1.
 */
int age_identity_load(const char *text, size_t len, struct age_identity **out, size_t max, struct err *e);

/** age_identity_encrypted(text, len): whether an identity file's text is an age file (binary or armored). */
int age_identity_encrypted(const char *text, size_t len);

/**
 * age_identity_needs_passphrase(text, len): whether an identity file is passphrase-protected: an age
 * file (age_identity_encrypted) or an OpenSSH private key with a passphrase.
 */
int age_identity_needs_passphrase(const char *text, size_t len);

/**
 * age_identity_load_encrypted(text, len, pass, out, max, e): decrypt a passphrase-protected identity
 * file (an age file with one scrypt stanza, as 'age -p' and 'safedump keygen --passphrase' write it)
 * with ${pass}, then load the identities inside as age_identity_load() does; or load an OpenSSH private
 * key protected by ${pass} (bcrypt_pbkdf, AES). The plaintext lives only in secret buffers. A passphrase
 * that does not open the file is ERR_KEY "wrong passphrase".
 */
int age_identity_load_encrypted(const char *text, size_t len, const struct secret *pass, struct age_identity **out,
                                size_t max, struct err *e);

/**
 * age_identity_scrypt_new(pass, len, e): an identity that opens files encrypted to the passphrase
 * ${pass} (an scrypt stanza, work factor at most 2^22). The passphrase is copied into a secret.
 */
struct age_identity *age_identity_scrypt_new(const unsigned char *pass, size_t len, struct err *e);

/**
 * age_recipient_scrypt_new(pass, len, log_n, e): a recipient that encrypts to the passphrase ${pass}
 * with scrypt work factor 2^${log_n} (1..22; age uses 18). It must be a file's only recipient.
 */
struct age_recipient *age_recipient_scrypt_new(const unsigned char *pass, size_t len, int log_n, struct err *e);

#define AGE_SCRYPT_LOG_N 18 /* the work factor age uses by default */

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
 * A malformed or low-order X25519 stanza is ERR_FORMAT. Identities apply to stanzas of their type:
 * X25519, ssh-ed25519, ssh-rsa, and scrypt for a passphrase identity; a passphrase that does not open
 * the scrypt stanza is ERR_KEY "wrong passphrase", an scrypt file without a passphrase identity is
 * ERR_KEY "the file is passphrase-encrypted and no passphrase was given". The header may be at most 1 MiB.
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

/*
 * Reading a backup back: the data object streamed from storage through its checks (stored size and
 * SHA-256 against the manifest), decryption (age, or OpenPGP through gpg, as the manifest's
 * "encryption" says) and zstd decompression into a destination stage.
 * Used by restore (destination: a file, stdout or a database loader) and by verify.
 */
#ifndef SAFEDUMP_CATALOG_READ_H
#define SAFEDUMP_CATALOG_READ_H

#include <stddef.h>
#include <stdint.h>

struct err;
struct stage;
struct storage;
struct manifest;
struct contents;
struct age_identity;

/* What can decrypt: age identities for age backups, the GnuPG keyring for OpenPGP ("pgp") backups. */
struct read_keys {
    struct age_identity *const *ids;
    size_t n;
    const char *pgp_homedir; /* NULL: GNUPGHOME or ~/.gnupg (and its gpg-agent, for smartcards) */
};

/**
 * read_data(st, m, k, dst, e): push the plaintext of backup ${m} into ${dst} and finish the
 * chain. ${dst} is owned by the chain (freed here). The stored object's size and hash are checked
 * before ${dst} is finished, so a file sink never commits unverified data. Errors: ERR_NOTFOUND
 * (object missing), ERR_KEY (no identity matches), ERR_FORMAT (corrupt or truncated), ERR_VERIFY
 * (size or hash mismatch), ERR_STORAGE. An OpenPGP backup reaches ${dst} only after gpg's integrity
 * check passed (format/pgp.h).
 */
int read_data(struct storage *st, const struct manifest *m, const struct read_keys *k, struct stage *dst,
              struct err *e);

/**
 * read_integrity(st, m, e): level 1, without a key: stream the stored object, compare its size and
 * SHA-256 with the manifest, and for age check that its header is well formed with one X25519 stanza
 * per recipient the manifest lists (an OpenPGP object's packets are not parsed: size and hash only).
 * Returns 0 (good) or -1 with the reason in ${e}.
 */
int read_integrity(struct storage *st, const struct manifest *m, struct err *e);

/** read_contents(st, m, k, c, e): fetch and decrypt contents.age (.gpg) into ${c} (contents_release). */
int read_contents(struct storage *st, const struct manifest *m, const struct read_keys *k, struct contents *c,
                  struct err *e);

/**
 * read_content_check(st, m, k, rows, e): level 2: decrypt and decompress to nowhere, count rows
 * on the way, and compare plaintext size, hash and per-table row counts with contents.age.
 * *${rows} gets the total row count. Returns 0 (good) or -1 with the exact reason in ${e}.
 */
int read_content_check(struct storage *st, const struct manifest *m, const struct read_keys *k, uint64_t *rows,
                       struct err *e);

#endif

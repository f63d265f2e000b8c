/*
 * OpenPGP through GnuPG: the `gpg` program runs as a child (util/child.h), never a home-made OpenPGP.
 * Both directions are stages (stage.h) that write their input into gpg's stdin and read gpg's stdout
 * in one poll loop, so neither side can block the other and memory stays bounded (two 128 KiB buffers).
 * gpg's status lines (--status-fd, a memfd given to it as fd 3) are checked when it has finished.
 *
 * Encryption: `gpg --batch --no-tty --status-fd 3 --trust-model always --compress-algo none --no-armor
 * --no-encrypt-to -e -r FPR... --recipient-file FILE...`, output plain binary OpenPGP that `gpg --decrypt` reads.
 * Fingerprints come from the user's keyring (a given home directory, else GNUPGHOME or ~/.gnupg); when
 * every recipient is a key file, gpg runs in a private throwaway home directory that is removed again.
 *
 * Decryption: `gpg --batch --no-tty --status-fd 3 --no-auto-key-retrieve --skip-verify --decrypt` with the user's
 * keyring and gpg-agent, so keys on a smartcard work. OpenPGP releases plaintext before its final integrity check
 * (MDC), so the stage keeps gpg's output in a private temporary file (O_TMPFILE in $TMPDIR: never named, 0600,
 * encrypted with a random ChaCha20 key that lives only in memory) and replays it to `next` only in
 * finish(), after gpg exited 0 with DECRYPTION_OKAY and GOODMDC. A modified object never reaches `next`.
 * This costs temporary space the size of the compressed backup.
 */
#ifndef SAFEDUMP_FORMAT_PGP_H
#define SAFEDUMP_FORMAT_PGP_H

#include <stddef.h>

struct err;
struct stage;
struct pgp_recipients;

#define PGP_MAX_RECIPIENTS 64

/**
 * pgp_fingerprint_normalize(spec, out, e): if ${spec} is an OpenPGP fingerprint (40 or 64 hex digits,
 * optionally "0x"-prefixed, spaces allowed as gpg prints them), store it upper case in ${out} and
 * return 1. Return 0 if it is not hex at all (then it names a key file). A key ID or a fingerprint of
 * the wrong length is an ERR_USAGE error (-1).
 */
int pgp_fingerprint_normalize(const char *spec, char out[65], struct err *e);

/**
 * pgp_recipients_new(homedir, e): an empty recipient list. ${homedir} is the GnuPG home directory for
 * fingerprints (NULL: GNUPGHOME or ~/.gnupg); it is copied. NULL on failure.
 */
struct pgp_recipients *pgp_recipients_new(const char *homedir, struct err *e);

/**
 * pgp_recipients_add(r, spec, e): add a fingerprint or a public key file (armored or binary).
 * A file must exist and be readable ("OpenPGP recipient file 'F': ..."). Returns 0 or -1.
 */
int pgp_recipients_add(struct pgp_recipients *r, const char *spec, struct err *e);

/**
 * pgp_recipients_resolve(r, e): check every recipient with gpg (an encryption of nothing) and learn
 * the primary key fingerprints. Errors (ERR_KEY) name the recipient and the cause: "OpenPGP recipient
 * 0xFPR: no such key in the keyring '...'", "...: key expired or revoked", "OpenPGP recipient file 'F':
 * no usable OpenPGP public key in it", with a hint. Call once, before pgp_encrypt_new.
 */
int pgp_recipients_resolve(struct pgp_recipients *r, struct err *e);

/** pgp_recipients_count(r), pgp_recipients_fingerprint(r, i): the resolved primary key fingerprints. */
size_t pgp_recipients_count(const struct pgp_recipients *r);
const char *pgp_recipients_fingerprint(const struct pgp_recipients *r, size_t i);

/** pgp_recipients_free(r): also removes the throwaway home directory. NULL does nothing. */
void pgp_recipients_free(struct pgp_recipients *r);

/**
 * pgp_encrypt_new(r, next, e): a stage that encrypts to the recipients of ${r} (resolved) through gpg.
 * ${r} must outlive the stage. Owns ${next} (also on failure). gpg's failures are reported with the
 * recipient and the cause from its status lines, else with gpg's last lines of stderr.
 */
struct stage *pgp_encrypt_new(const struct pgp_recipients *r, struct stage *next, struct err *e);

/**
 * pgp_decrypt_new(homedir, next, e): a stage that decrypts OpenPGP with the keys of ${homedir} (NULL:
 * GNUPGHOME or ~/.gnupg) and its gpg-agent. Owns ${next}. Nothing reaches ${next} before finish() has
 * seen gpg succeed. Errors: ERR_KEY "no secret key ... in the keyring" (with the key IDs the message is
 * encrypted to), ERR_FORMAT "OpenPGP integrity check failed" (modified data), "not OpenPGP data", and
 * ERR_IO when the temporary file cannot be created or written (the hint names TMPDIR).
 */
struct stage *pgp_decrypt_new(const char *homedir, struct stage *next, struct err *e);

#endif

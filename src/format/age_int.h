/*
 * Internal to the age implementation (age.c, age_ssh.c): the key structures behind the opaque types
 * of age.h, and the primitives both files use. Nothing outside src/format/ includes this header.
 *
 * A recipient or identity has one type. X25519 keys are the native ones; an scrypt recipient or
 * identity holds a passphrase (in a secret buffer) and must be the only one in a file; ssh-ed25519 and
 * ssh-rsa reuse SSH keys as age's agessh package defines them (their stanzas name the key by a 4-byte
 * tag of SHA-256 over the SSH wire-format public key).
 */
#ifndef SAFEDUMP_FORMAT_AGE_INT_H
#define SAFEDUMP_FORMAT_AGE_INT_H

#include <stddef.h>

#include <openssl/types.h>

struct err;
struct secret;

#define AGE_FILE_KEY_LEN 16
#define AGE_KEY_LEN 32
#define AGE_TAG_LEN 16          /* Poly1305 */
#define AGE_SSH_TAG_B64_LEN 6   /* 4 bytes, unpadded base64 */
#define AGE_SCRYPT_MAX_LOG_N 22 /* the reference implementation's default limit */

enum age_key_type {
    AGE_KEY_X25519 = 1,
    AGE_KEY_SCRYPT,
    AGE_KEY_SSH_ED25519,
    AGE_KEY_SSH_RSA,
};

struct age_recipient {
    enum age_key_type type;
    unsigned char pub[AGE_KEY_LEN];    /* X25519; ssh-ed25519: the key's X25519 (Montgomery) form */
    unsigned char *wire;               /* ssh: the public key in SSH wire format */
    size_t wire_len;                   /* */
    char tag[AGE_SSH_TAG_B64_LEN + 1]; /* ssh: the stanza's key tag */
    EVP_PKEY *rsa;                     /* ssh-rsa: the public key */
    struct secret *pass;               /* scrypt: the passphrase */
    int log_n;                         /* scrypt: the work factor */
    char *str;                         /* "age1...", "ssh-ed25519 AAAA...", "ssh-rsa AAAA...", "scrypt" */
};

struct age_identity {
    enum age_key_type type;
    EVP_PKEY *pkey;                    /* X25519 scalar (also ssh-ed25519's), or the RSA private key */
    unsigned char pub[AGE_KEY_LEN];    /* X25519 public key of pkey (X25519, ssh-ed25519) */
    unsigned char *wire;               /* ssh: the public key in SSH wire format */
    size_t wire_len;                   /* */
    char tag[AGE_SSH_TAG_B64_LEN + 1]; /* ssh: the stanza's key tag */
    struct secret *pass;               /* scrypt: the passphrase */
};

/* A stanza as the decryptor hands it to a type's unwrap function: arguments after the type, the body. */
struct age_stanza_view {
    const unsigned char *arg[4];
    size_t arg_len[4];
    size_t nargs; /* not counting the type */
    const unsigned char *body;
    size_t body_len;
};

/* Primitives in age.c. Each returns 0 or -1 and fills ${e}, unless said otherwise. */
int age_crypto_fail(struct err *e, const char *what);
size_t age_b64_encode(char *out, const unsigned char *in, size_t n);
int age_b64_decode(const unsigned char *in, size_t n, unsigned char *out, size_t *outlen); /* -1: invalid */
int age_hkdf(unsigned char out[AGE_KEY_LEN], const unsigned char *ikm, size_t ikmlen, const unsigned char *salt,
             size_t saltlen, const char *info, struct err *e);
int age_seal_zero(const unsigned char key[AGE_KEY_LEN], const unsigned char *in, size_t inlen, unsigned char *out,
                  struct err *e);
/* age_open_zero: 0, 1 when authentication fails, -1 on other errors. */
int age_open_zero(const unsigned char key[AGE_KEY_LEN], const unsigned char *in, size_t inlen, unsigned char *out,
                  struct err *e);
EVP_PKEY *age_x25519_key(const unsigned char scalar[AGE_KEY_LEN], unsigned char pub[AGE_KEY_LEN], struct err *e);
/* age_x25519_shared: 0, 1 for an all-zero (low-order) result, -1 on other errors. */
int age_x25519_shared(unsigned char out[AGE_KEY_LEN], EVP_PKEY *priv, const unsigned char point[AGE_KEY_LEN],
                      struct err *e);

/* SSH keys, in age_ssh.c. */

/** age_ssh_is_recipient(s): whether ${s} looks like an SSH public key line ("ssh-...", "ecdsa-..."). */
int age_ssh_is_recipient(const char *s);

/** age_ssh_recipient_parse(s, e): "ssh-ed25519 AAAA... [comment]" or "ssh-rsa AAAA... [comment]". */
struct age_recipient *age_ssh_recipient_parse(const char *s, struct err *e);

/** age_ssh_is_identity(text, len): whether ${text} is an OpenSSH private key file. */
int age_ssh_is_identity(const char *text, size_t len);

/** age_ssh_identity_encrypted(text, len): whether ${text} is an OpenSSH private key with a passphrase. */
int age_ssh_identity_encrypted(const char *text, size_t len);

/**
 * age_ssh_identity_parse(text, len, pass, e): an OpenSSH private key (Ed25519 or RSA), with ${pass} if
 * it is passphrase-protected (NULL: refused). A passphrase that does not decrypt it is ERR_KEY "wrong
 * passphrase".
 */
struct age_identity *age_ssh_identity_parse(const char *text, size_t len, const struct secret *pass, struct err *e);

/** age_ssh_stanza_max(r): an upper bound of the length of ${r}'s stanza in the header. */
size_t age_ssh_stanza_max(const struct age_recipient *r);

/** age_ssh_wrap(out, o, r, file_key, e): append ${r}'s stanza at ${out} + *${o}, advance *${o}. */
int age_ssh_wrap(char *out, size_t *o, const struct age_recipient *r, const unsigned char *file_key, struct err *e);

/**
 * age_ssh_unwrap(id, type, s, out, e): try ${id} on a stanza of ${type} (AGE_KEY_SSH_*). 0 unwrapped
 * the file key into ${out}, 1 not this identity's stanza, -1 error (a malformed stanza or a key that
 * does not open a stanza tagged for it).
 */
int age_ssh_unwrap(const struct age_identity *id, const struct age_stanza_view *s, unsigned char *out, struct err *e);

#endif

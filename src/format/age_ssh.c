/*
 * age's ssh-ed25519 and ssh-rsa recipient types (FiloSottile/age agessh/agessh.go; C2SP age.md leaves
 * them to that implementation), on OpenSSL libcrypto.
 *
 * - Both stanzas start with a tag: the first 4 bytes of SHA-256 over the SSH wire-format public key,
 *   unpadded base64. It lets an identity skip stanzas that are not its own.
 * - ssh-rsa: the file key is encrypted with RSA-OAEP, SHA-256 (also for MGF1), label
 *   "age-encryption.org/v1/ssh-rsa". Keys under 2048 bits are refused, as age does.
 * - ssh-ed25519: the Ed25519 public key is converted to its X25519 form with the birational map
 *   u = (1 + y) / (1 - y) mod 2^255 - 19, and the private key to the X25519 scalar SHA-512(seed)[:32].
 *   Wrapping is X25519's, except that the shared secret is tweaked, X25519(tweak, X25519(eph, pk)) with
 *   tweak = HKDF-SHA-256(ikm = empty, salt = SSH wire public key, info = label), and the label is
 *   "age-encryption.org/v1/ssh-ed25519". The stanza is "-> ssh-ed25519 TAG SHARE" with the 32-byte body.
 *
 * Private keys come from OpenSSH's own format ("openssh-key-v1", PROTOCOL.key in OpenSSH), also with a
 * passphrase: bcrypt_pbkdf (bcrypt_pbkdf.c) derives the key and IV of the cipher (aes256-ctr, as
 * ssh-keygen writes them, and the other AES modes of OpenSSH's list).
 */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include "format/age.h"
#include "format/age_int.h"
#include "format/bcrypt_pbkdf.h"
#include "util/err.h"
#include "util/secret.h"

#define ED25519_LABEL "age-encryption.org/v1/ssh-ed25519"
#define RSA_LABEL "age-encryption.org/v1/ssh-rsa"
#define PEM_BEGIN "-----BEGIN OPENSSH PRIVATE KEY-----"
#define PEM_END "-----END OPENSSH PRIVATE KEY-----"
#define KEY_MAGIC "openssh-key-v1"
#define BCRYPT_MAX_ROUNDS 100000 /* ssh-keygen's default is 16; beyond this a file is rather an attack */
#define RSA_MIN_BITS 2048
#define RSA_MAX_BITS 16384
#define COLUMNS 64
#define BYTES_PER_LINE 48

/*
 * SSH wire format (RFC 4251 section 5): uint32 lengths, strings, mpints.
 */

struct wire {
    const unsigned char *p;
    size_t n;
};

static int
wire_u32(struct wire *w, uint32_t *v)
{
    if (w->n < 4)
        return -1;
    *v = (uint32_t)w->p[0] << 24 | (uint32_t)w->p[1] << 16 | (uint32_t)w->p[2] << 8 | w->p[3];
    w->p += 4;
    w->n -= 4;
    return 0;
}

static int
wire_string(struct wire *w, const unsigned char **s, size_t *len)
{
    uint32_t l;

    if (wire_u32(w, &l) == -1 || l > w->n)
        return -1;
    *s = w->p;
    *len = l;
    w->p += l;
    w->n -= l;
    return 0;
}

static int
wire_is(const unsigned char *s, size_t len, const char *want)
{
    return len == strlen(want) && memcmp(s, want, len) == 0;
}

/* wire_mpint(w, bn): a positive mpint into a new BIGNUM (*${bn}, caller frees). */
static int
wire_mpint(struct wire *w, BIGNUM **bn)
{
    const unsigned char *s;
    size_t len;

    if (wire_string(w, &s, &len) == -1 || (len > 0 && (s[0] & 0x80) != 0))
        return -1;
    *bn = BN_bin2bn(s, (int)len, NULL);
    return *bn == NULL ? -1 : 0;
}

/* tag_of(tag, wire, len): unpadded base64 of the first 4 bytes of SHA-256(${wire}). */
static int
tag_of(char tag[AGE_SSH_TAG_B64_LEN + 1], const unsigned char *wire, size_t len, struct err *e)
{
    unsigned char md[32];

    if (EVP_Digest(wire, len, md, NULL, EVP_sha256(), NULL) != 1)
        return age_crypto_fail(e, "SHA-256");
    tag[age_b64_encode(tag, md, 4)] = '\0';
    return 0;
}

/* b64_padded(in, n, out, outlen): strict decoding of padded base64 (SSH keys). */
static int
b64_padded(const unsigned char *in, size_t n, unsigned char *out, size_t *outlen)
{
    size_t pad = 0;

    if (n % 4 != 0)
        return -1;
    while (pad < 2 && pad < n && in[n - 1 - pad] == '=')
        pad++;
    return age_b64_decode(in, n - pad, out, outlen);
}

/*
 * Ed25519 to X25519
 */

/*
 * ed25519_to_x25519(u, pk, e): the Montgomery u-coordinate of Ed25519 public key ${pk}: y is the
 * little-endian value with the sign bit of x cleared, u = (1 + y) / (1 - y) mod p. The point must be
 * on the curve (x^2 = (y^2 - 1) / (d y^2 + 1) has a root) and not have y = 1 (the identity).
 */
static int
ed25519_to_x25519(unsigned char u[AGE_KEY_LEN], const unsigned char pk[AGE_KEY_LEN], struct err *e)
{
    unsigned char le[AGE_KEY_LEN];
    BN_CTX *ctx = BN_CTX_new();
    BIGNUM *p, *y, *t, *num, *den, *d, *q;
    int rc = -1;

    if (ctx == NULL)
        return age_crypto_fail(e, "BIGNUM setup");
    BN_CTX_start(ctx);
    p = BN_CTX_get(ctx);
    y = BN_CTX_get(ctx);
    t = BN_CTX_get(ctx);
    num = BN_CTX_get(ctx);
    den = BN_CTX_get(ctx);
    d = BN_CTX_get(ctx);
    q = BN_CTX_get(ctx);
    memcpy(le, pk, AGE_KEY_LEN);
    le[31] &= 0x7f;
    /* p = 2^255 - 19; d = -121665 / 121666 mod p */
    if (q == NULL || BN_set_bit(p, 255) != 1 || BN_sub_word(p, 19) != 1 || BN_lebin2bn(le, AGE_KEY_LEN, y) == NULL ||
        BN_nnmod(y, y, p, ctx) != 1 || BN_set_word(t, 121666) != 1 || BN_mod_inverse(t, t, p, ctx) == NULL ||
        BN_set_word(d, 121665) != 1 || BN_sub(d, p, d) != 1 || BN_mod_mul(d, d, t, p, ctx) != 1)
        goto crypto;
    /* on the curve: (y^2 - 1) * (d y^2 + 1)^-1 is a square (Euler's criterion: ^((p-1)/2) is 0 or 1) */
    if (BN_mod_sqr(t, y, p, ctx) != 1 || BN_mod_mul(den, d, t, p, ctx) != 1 || BN_add_word(den, 1) != 1 ||
        BN_sub_word(t, 1) != 1 || BN_nnmod(t, t, p, ctx) != 1)
        goto crypto;
    if (!BN_is_zero(t)) {
        if (BN_mod_inverse(den, den, p, ctx) == NULL || BN_mod_mul(t, t, den, p, ctx) != 1 || BN_copy(q, p) == NULL ||
            BN_sub_word(q, 1) != 1 || BN_rshift1(q, q) != 1 || BN_mod_exp(t, t, q, p, ctx) != 1)
            goto crypto;
        if (!BN_is_one(t)) {
            err_set(e, ERR_KEY, "malformed ssh-ed25519 key: not a point on the curve");
            goto out;
        }
    }
    if (BN_is_one(y)) {
        err_set(e, ERR_KEY, "malformed ssh-ed25519 key: the identity point");
        goto out;
    }
    /* u = (1 + y) / (1 - y) */
    if (BN_copy(num, y) == NULL || BN_add_word(num, 1) != 1 || BN_set_word(den, 1) != 1 ||
        BN_mod_sub(den, den, y, p, ctx) != 1 || BN_mod_inverse(den, den, p, ctx) == NULL ||
        BN_mod_mul(t, num, den, p, ctx) != 1 || BN_bn2lebinpad(t, u, AGE_KEY_LEN) != AGE_KEY_LEN)
        goto crypto;
    rc = 0;
    goto out;
crypto:
    age_crypto_fail(e, "Ed25519 to X25519 conversion");
out:
    BN_CTX_end(ctx);
    BN_CTX_free(ctx);
    return rc;
}

/*
 * Public keys
 */

static EVP_PKEY *
rsa_key(BIGNUM *n, BIGNUM *ee, BIGNUM *d, BIGNUM *p, BIGNUM *q, BIGNUM *iqmp, struct err *e)
{
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    EVP_PKEY *k = NULL;
    BN_CTX *bctx = NULL;
    BIGNUM *dp = NULL, *dq = NULL, *t = NULL;
    int ok = bld != NULL && ctx != NULL && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) == 1 &&
             OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, ee) == 1;

    if (ok && d != NULL) {
        /* OpenSSH stores d, iqmp, p and q; OpenSSL also wants d mod (p - 1) and d mod (q - 1) */
        ok = (bctx = BN_CTX_new()) != NULL && (dp = BN_secure_new()) != NULL && (dq = BN_secure_new()) != NULL &&
             (t = BN_new()) != NULL && BN_sub(t, p, BN_value_one()) == 1 && BN_mod(dp, d, t, bctx) == 1 &&
             BN_sub(t, q, BN_value_one()) == 1 && BN_mod(dq, d, t, bctx) == 1 &&
             OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_D, d) == 1 &&
             OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR1, p) == 1 &&
             OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR2, q) == 1 &&
             OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT1, dp) == 1 &&
             OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT2, dq) == 1 &&
             OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, iqmp) == 1;
    }
    ok = ok && (params = OSSL_PARAM_BLD_to_param(bld)) != NULL && EVP_PKEY_fromdata_init(ctx) == 1 &&
         EVP_PKEY_fromdata(ctx, &k, d != NULL ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) == 1;
    if (!ok) {
        EVP_PKEY_free(k);
        k = NULL;
        age_crypto_fail(e, "RSA key setup");
    }
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    EVP_PKEY_CTX_free(ctx);
    BN_CTX_free(bctx);
    BN_clear_free(dp);
    BN_clear_free(dq);
    BN_free(t);
    return k;
}

/*
 * ssh_public(w, len, type, pub, rsa, e): check the wire-format public key ${w} and extract its key:
 * the X25519 form of an Ed25519 key into ${pub}, or an RSA public key into *${rsa}. Sets *${type}.
 */
static int
ssh_public(const unsigned char *wire, size_t len, enum age_key_type *type, unsigned char pub[AGE_KEY_LEN],
           EVP_PKEY **rsa, struct err *e)
{
    struct wire w = {wire, len};
    const unsigned char *t, *k;
    size_t tlen, klen;
    BIGNUM *n = NULL, *ee = NULL;
    int rc = -1;

    if (wire_string(&w, &t, &tlen) == -1)
        return err_set(e, ERR_KEY, "malformed SSH public key");
    if (wire_is(t, tlen, "ssh-ed25519")) {
        *type = AGE_KEY_SSH_ED25519;
        if (wire_string(&w, &k, &klen) == -1 || klen != AGE_KEY_LEN || w.n != 0)
            return err_set(e, ERR_KEY, "malformed ssh-ed25519 key");
        return ed25519_to_x25519(pub, k, e);
    }
    if (wire_is(t, tlen, "ssh-rsa")) {
        *type = AGE_KEY_SSH_RSA;
        if (wire_mpint(&w, &ee) == -1 || wire_mpint(&w, &n) == -1 || w.n != 0) {
            err_set(e, ERR_KEY, "malformed ssh-rsa key");
            goto out;
        }
        if (BN_num_bits(n) < RSA_MIN_BITS || BN_num_bits(n) > RSA_MAX_BITS) {
            err_set(e, ERR_KEY, "ssh-rsa key of %d bits: age needs %d to %d bits", BN_num_bits(n), RSA_MIN_BITS,
                    RSA_MAX_BITS);
            goto out;
        }
        if ((*rsa = rsa_key(n, ee, NULL, NULL, NULL, NULL, e)) == NULL)
            goto out;
        rc = 0;
        goto out;
    }
    err_set(e, ERR_KEY, "unsupported SSH key type '%.*s': only ssh-ed25519 and ssh-rsa keys are supported",
            tlen < 40 ? (int)tlen : 40, (const char *)t);
out:
    BN_free(n);
    BN_free(ee);
    return rc;
}

int
age_ssh_is_recipient(const char *s)
{
    return strncmp(s, "ssh-", 4) == 0 || strncmp(s, "ecdsa-", 6) == 0 || strncmp(s, "sk-", 3) == 0;
}

struct age_recipient *
age_ssh_recipient_parse(const char *s, struct err *e)
{
    struct age_recipient *r = calloc(1, sizeof(*r));
    const char *sp = strchr(s, ' '), *b64, *end;
    size_t tlen, blen, n = 0;
    enum age_key_type type;

    if (r == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    tlen = sp ? (size_t)(sp - s) : strlen(s);
    if (!(tlen == 11 && strncmp(s, "ssh-ed25519", 11) == 0) && !(tlen == 7 && strncmp(s, "ssh-rsa", 7) == 0)) {
        err_set(e, ERR_KEY, "unsupported SSH key type '%.*s': only ssh-ed25519 and ssh-rsa keys are supported",
                tlen < 40 ? (int)tlen : 40, s);
        goto fail;
    }
    if (sp == NULL) {
        err_set(e, ERR_KEY, "malformed SSH public key: no key after the type");
        goto fail;
    }
    for (b64 = sp; *b64 == ' ' || *b64 == '\t'; b64++)
        ;
    end = b64 + strcspn(b64, " \t");
    blen = (size_t)(end - b64);
    if ((r->wire = malloc(blen / 4 * 3 + 3)) == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto fail;
    }
    if (blen == 0 || b64_padded((const unsigned char *)b64, blen, r->wire, &n) == -1) {
        err_set(e, ERR_KEY, "malformed SSH public key: the key is not base64");
        goto fail;
    }
    r->wire_len = n;
    if (ssh_public(r->wire, r->wire_len, &type, r->pub, &r->rsa, e) == -1)
        goto fail;
    if ((type == AGE_KEY_SSH_ED25519) != (tlen == 11)) {
        err_set(e, ERR_KEY, "malformed SSH public key: the key's type is not '%.*s'", (int)tlen, s);
        goto fail;
    }
    r->type = type;
    if (tag_of(r->tag, r->wire, r->wire_len, e) == -1)
        goto fail;
    /* the canonical string: type and base64 key, without the comment */
    if ((r->str = malloc(tlen + 2 + 4 * (r->wire_len / 3 + 1) + 1)) == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto fail;
    }
    memcpy(r->str, s, tlen);
    r->str[tlen] = ' ';
    EVP_EncodeBlock((unsigned char *)r->str + tlen + 1, r->wire, (int)r->wire_len);
    return r;
fail:
    age_recipient_free(r);
    return NULL;
}

/*
 * Private keys
 */

int
age_ssh_is_identity(const char *text, size_t len)
{
    size_t i = 0;

    while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n'))
        i++;
    return len - i >= sizeof(PEM_BEGIN) - 1 && memcmp(text + i, PEM_BEGIN, sizeof(PEM_BEGIN) - 1) == 0;
}

/* find(h, hlen, needle): the first occurrence of ${needle} in ${h}, or NULL. */
static const char *
find(const char *h, size_t hlen, const char *needle)
{
    size_t n = strlen(needle);

    for (size_t i = 0; i + n <= hlen; i++)
        if (memcmp(h + i, needle, n) == 0)
            return h + i;
    return NULL;
}

/* pem_decode(text, len, e): the bytes inside the PEM armor, in a secret. */
static struct secret *
pem_decode(const char *text, size_t len, struct err *e)
{
    const char *b = find(text, len, PEM_BEGIN), *end;
    struct secret *b64 = NULL, *out = NULL;
    size_t n = 0;

    assert(b != NULL);
    b += sizeof(PEM_BEGIN) - 1;
    if ((end = find(b, len - (size_t)(b - text), PEM_END)) == NULL) {
        err_set(e, ERR_KEY, "malformed OpenSSH private key: no '" PEM_END "' line");
        err_hint(e, "the file may be truncated");
        return NULL;
    }
    if ((b64 = secret_new((size_t)(end - b), e)) == NULL)
        return NULL;
    b64->len = 0;
    for (const char *p = b; p < end; p++)
        if (*p != '\n' && *p != '\r' && *p != ' ' && *p != '\t')
            b64->data[b64->len++] = (unsigned char)*p;
    if ((out = secret_new(b64->len / 4 * 3 + 3, e)) == NULL)
        goto out;
    if (b64_padded(b64->data, b64->len, out->data, &n) == -1) {
        err_set(e, ERR_KEY, "malformed OpenSSH private key: not base64");
        secret_free(out);
        out = NULL;
        goto out;
    }
    out->len = n;
out:
    secret_free(b64);
    return out;
}

/* ed25519_identity(id, w, e): the rest of an Ed25519 private key record: public key, seed || public key. */
static int
ed25519_identity(struct age_identity *id, struct wire *w, struct err *e)
{
    unsigned char md[64];
    const unsigned char *pk, *sk;
    size_t pklen, sklen;
    int rc = -1;

    if (wire_string(w, &pk, &pklen) == -1 || pklen != AGE_KEY_LEN || wire_string(w, &sk, &sklen) == -1 || sklen != 64 ||
        memcmp(sk + 32, pk, AGE_KEY_LEN) != 0)
        return err_set(e, ERR_KEY, "malformed OpenSSH private key: bad ssh-ed25519 key");
    /* the X25519 scalar is the first half of SHA-512(seed), as Ed25519 derives its own */
    if (EVP_Digest(sk, 32, md, NULL, EVP_sha512(), NULL) != 1) {
        age_crypto_fail(e, "SHA-512");
        goto out;
    }
    if ((id->pkey = age_x25519_key(md, id->pub, e)) == NULL)
        goto out;
    rc = 0;
out:
    secret_wipe(md, sizeof(md));
    return rc;
}

/* rsa_identity(id, w, e): the rest of an RSA private key record: n, e, d, iqmp, p, q. */
static int
rsa_identity(struct age_identity *id, struct wire *w, struct err *e)
{
    BIGNUM *n = NULL, *ee = NULL, *d = NULL, *iqmp = NULL, *p = NULL, *q = NULL;
    int rc = -1;

    if (wire_mpint(w, &n) == -1 || wire_mpint(w, &ee) == -1 || wire_mpint(w, &d) == -1 || wire_mpint(w, &iqmp) == -1 ||
        wire_mpint(w, &p) == -1 || wire_mpint(w, &q) == -1) {
        err_set(e, ERR_KEY, "malformed OpenSSH private key: bad ssh-rsa key");
        goto out;
    }
    if ((id->pkey = rsa_key(n, ee, d, p, q, iqmp, e)) == NULL)
        goto out;
    rc = 0;
out:
    BN_free(n);
    BN_free(ee);
    BN_clear_free(d);
    BN_clear_free(iqmp);
    BN_clear_free(p);
    BN_clear_free(q);
    return rc;
}

/* key_header(raw, w, cipher, clen, e): check the magic of a decoded key file, read its cipher name. */
static int
key_header(const struct secret *raw, struct wire *w, const unsigned char **cipher, size_t *clen, struct err *e)
{
    w->p = raw->data;
    w->n = raw->len;
    if (w->n < sizeof(KEY_MAGIC) || memcmp(w->p, KEY_MAGIC, sizeof(KEY_MAGIC)) != 0)
        return err_set(e, ERR_KEY, "malformed OpenSSH private key: no '" KEY_MAGIC "' magic");
    w->p += sizeof(KEY_MAGIC);
    w->n -= sizeof(KEY_MAGIC);
    if (wire_string(w, cipher, clen) == -1)
        return err_set(e, ERR_KEY, "malformed OpenSSH private key");
    return 0;
}

int
age_ssh_identity_encrypted(const char *text, size_t len)
{
    struct err e;
    struct secret *raw;
    struct wire w;
    const unsigned char *c;
    size_t clen;
    int enc = 0;

    if (!age_ssh_is_identity(text, len) || (raw = pem_decode(text, len, &e)) == NULL)
        return 0;
    if (key_header(raw, &w, &c, &clen, &e) == 0)
        enc = !wire_is(c, clen, "none");
    secret_free(raw);
    return enc;
}

/*
 * decrypt_private(w, cipher, clen, pass, priv, plain, e): the private section of a key encrypted with
 * ${cipher} (aes256-ctr, aes192-ctr, aes128-ctr, aes256-cbc, aes128-cbc), its key and IV from
 * bcrypt_pbkdf(passphrase, salt, rounds) with the KDF options that follow in ${w}. The plaintext goes
 * into a new secret *${plain}, and ${priv} points into it.
 */
static int
decrypt_private(struct wire *w, const unsigned char *cipher, size_t clen, const struct secret *pass,
                const unsigned char *privp, size_t privlen, struct secret **plain, struct err *e)
{
    static const struct {
        const char *name;
        const EVP_CIPHER *(*cipher)(void);
    } ciphers[] = {
        {"aes256-ctr", EVP_aes_256_ctr}, {"aes192-ctr", EVP_aes_192_ctr}, {"aes128-ctr", EVP_aes_128_ctr},
        {"aes256-cbc", EVP_aes_256_cbc}, {"aes128-cbc", EVP_aes_128_cbc},
    };
    const EVP_CIPHER *c = NULL;
    const unsigned char *kdf, *opts, *salt;
    size_t kdflen, optslen, saltlen;
    struct wire o;
    uint32_t rounds;
    unsigned char kiv[64];
    EVP_CIPHER_CTX *ctx = NULL;
    int klen, ivlen, l1 = 0, l2 = 0, rc = -1;

    for (size_t i = 0; i < sizeof(ciphers) / sizeof(ciphers[0]) && c == NULL; i++)
        if (wire_is(cipher, clen, ciphers[i].name))
            c = ciphers[i].cipher();
    if (c == NULL) {
        err_set(e, ERR_KEY, "the OpenSSH private key is encrypted with '%.*s', which is not supported",
                clen < 40 ? (int)clen : 40, (const char *)cipher);
        return err_hint(e, "re-encrypt a copy with 'ssh-keygen -p -Z aes256-ctr -f COPY' (ssh-keygen's default)");
    }
    if (wire_string(w, &kdf, &kdflen) == -1 || wire_string(w, &opts, &optslen) == -1)
        return err_set(e, ERR_KEY, "malformed OpenSSH private key");
    if (!wire_is(kdf, kdflen, "bcrypt"))
        return err_set(e, ERR_KEY, "malformed OpenSSH private key: an encrypted key without the bcrypt KDF");
    o.p = opts;
    o.n = optslen;
    if (wire_string(&o, &salt, &saltlen) == -1 || wire_u32(&o, &rounds) == -1 || o.n != 0 || saltlen == 0)
        return err_set(e, ERR_KEY, "malformed OpenSSH private key: bad bcrypt options");
    if (rounds == 0 || rounds > BCRYPT_MAX_ROUNDS)
        return err_set(e, ERR_KEY, "OpenSSH private key: %u bcrypt rounds (at most %d)", rounds, BCRYPT_MAX_ROUNDS);
    klen = EVP_CIPHER_get_key_length(c);
    ivlen = EVP_CIPHER_get_iv_length(c);
    if (privlen == 0 || privlen % (size_t)EVP_CIPHER_get_block_size(c) != 0 || privlen % 8 != 0 || privlen > INT32_MAX)
        return err_set(e, ERR_KEY, "malformed OpenSSH private key: the encrypted section is %zu bytes", privlen);
    if (bcrypt_pbkdf(pass->data, pass->len, salt, saltlen, kiv, (size_t)(klen + ivlen), rounds) == -1) {
        age_crypto_fail(e, "bcrypt_pbkdf");
        goto out;
    }
    if ((*plain = secret_new(privlen + 32, e)) == NULL)
        goto out;
    if ((ctx = EVP_CIPHER_CTX_new()) == NULL || EVP_DecryptInit_ex(ctx, c, NULL, kiv, kiv + klen) != 1 ||
        EVP_CIPHER_CTX_set_padding(ctx, 0) != 1 ||
        EVP_DecryptUpdate(ctx, (*plain)->data, &l1, privp, (int)privlen) != 1 ||
        EVP_DecryptFinal_ex(ctx, (*plain)->data + l1, &l2) != 1) {
        age_crypto_fail(e, "OpenSSH private key decryption");
        goto out;
    }
    (*plain)->len = (size_t)(l1 + l2);
    rc = 0;
out:
    EVP_CIPHER_CTX_free(ctx);
    secret_wipe(kiv, sizeof(kiv));
    return rc;
}

struct age_identity *
age_ssh_identity_parse(const char *text, size_t len, const struct secret *pass, struct err *e)
{
    struct age_identity *id = calloc(1, sizeof(*id));
    struct secret *raw = NULL, *plain = NULL;
    struct wire w, priv;
    const unsigned char *s, *cipher, *pub, *privp, *ktype;
    size_t slen, clen, publen, privlen, ktlen;
    uint32_t nkeys, c1, c2;
    unsigned char xpub[AGE_KEY_LEN];
    EVP_PKEY *rsa_pub = NULL;
    enum age_key_type type;
    int encrypted;

    if (id == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    if ((raw = pem_decode(text, len, e)) == NULL || key_header(raw, &w, &cipher, &clen, e) == -1)
        goto fail;
    encrypted = !wire_is(cipher, clen, "none");
    if (encrypted && pass == NULL) {
        err_set(e, ERR_KEY, "the OpenSSH private key is passphrase-protected and no passphrase was given");
        goto fail;
    }
    if (!encrypted &&
        (wire_string(&w, &s, &slen) == -1 || !wire_is(s, slen, "none") || wire_string(&w, &s, &slen) == -1))
        goto malformed;
    if (encrypted) { /* the KDF name and options come next: read them, but decrypt only after the public key */
        struct wire k = w;
        if (wire_string(&w, &s, &slen) == -1 || wire_string(&w, &s, &slen) == -1)
            goto malformed;
        priv = k;
    }
    if (wire_u32(&w, &nkeys) == -1)
        goto malformed;
    if (nkeys != 1) {
        err_set(e, ERR_KEY, "the OpenSSH private key file holds %u keys instead of 1", nkeys);
        goto fail;
    }
    if (wire_string(&w, &pub, &publen) == -1 || wire_string(&w, &privp, &privlen) == -1)
        goto malformed;
    if (ssh_public(pub, publen, &type, xpub, &rsa_pub, e) == -1) {
        err_wrap(e, "OpenSSH private key");
        goto fail;
    }
    EVP_PKEY_free(rsa_pub);
    id->type = type;
    if ((id->wire = malloc(publen)) == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto fail;
    }
    memcpy(id->wire, pub, publen);
    id->wire_len = publen;
    if (tag_of(id->tag, id->wire, id->wire_len, e) == -1)
        goto fail;
    if (encrypted) {
        if (decrypt_private(&priv, cipher, clen, pass, privp, privlen, &plain, e) == -1 || plain == NULL)
            goto fail;
        privp = plain->data;
        privlen = plain->len;
    }
    priv.p = privp;
    priv.n = privlen;
    /* the two check words are equal only when the passphrase was right */
    if (wire_u32(&priv, &c1) == -1 || wire_u32(&priv, &c2) == -1)
        goto malformed;
    if (c1 != c2) {
        if (encrypted) {
            err_set(e, ERR_KEY, "wrong passphrase");
            goto fail;
        }
        goto malformed;
    }
    if (wire_string(&priv, &ktype, &ktlen) == -1)
        goto malformed;
    if (!wire_is(ktype, ktlen, type == AGE_KEY_SSH_ED25519 ? "ssh-ed25519" : "ssh-rsa"))
        goto malformed;
    if ((type == AGE_KEY_SSH_ED25519 ? ed25519_identity(id, &priv, e) : rsa_identity(id, &priv, e)) == -1)
        goto fail;
    if (type == AGE_KEY_SSH_ED25519 && CRYPTO_memcmp(id->pub, xpub, AGE_KEY_LEN) != 0) {
        err_set(e, ERR_KEY, "malformed OpenSSH private key: the private key does not match the public key");
        goto fail;
    }
    secret_free(plain);
    secret_free(raw);
    return id;
malformed:
    err_set(e, ERR_KEY, "malformed OpenSSH private key");
fail:
    secret_free(plain);
    secret_free(raw);
    age_identity_free(id);
    return NULL;
}

/*
 * Stanzas
 */

/* body_lines(out, o, body, n): ${body} as stanza body lines of 64 columns, ending with a short line. */
static void
body_lines(char *out, size_t *o, const unsigned char *body, size_t n)
{
    size_t i = 0;

    for (;;) {
        size_t k = n - i < BYTES_PER_LINE ? n - i : BYTES_PER_LINE;
        *o += age_b64_encode(out + *o, body + i, k);
        out[(*o)++] = '\n';
        i += k;
        if (k < BYTES_PER_LINE)
            break;
    }
}

size_t
age_ssh_stanza_max(const struct age_recipient *r)
{
    size_t body = r->type == AGE_KEY_SSH_RSA ? (size_t)EVP_PKEY_get_size(r->rsa) : AGE_FILE_KEY_LEN + AGE_TAG_LEN;

    /* "-> ssh-ed25519 TAG SHARE\n", then the body: 65 characters per 48 bytes, and a final line */
    return 16 + AGE_SSH_TAG_B64_LEN + 1 + 43 + 1 + (body / BYTES_PER_LINE + 1) * (COLUMNS + 1);
}

/*
 * tweaked(out, shared, wire, len, e): X25519(tweak, shared) with tweak = HKDF-SHA-256(ikm = empty,
 * salt = the SSH wire public key, info = label): agessh.go calls hkdf.New(sha256.New, nil, wire, label),
 * whose arguments are (hash, secret, salt, info).
 */
static int
tweaked(unsigned char out[AGE_KEY_LEN], const unsigned char shared[AGE_KEY_LEN], const unsigned char *wire, size_t len,
        struct err *e)
{
    unsigned char tweak[AGE_KEY_LEN], tpub[AGE_KEY_LEN];
    EVP_PKEY *k = NULL;
    int rc = -1, r;

    if (age_hkdf(tweak, (const unsigned char *)"", 0, wire, len, ED25519_LABEL, e) == -1 ||
        (k = age_x25519_key(tweak, tpub, e)) == NULL)
        goto out;
    if ((r = age_x25519_shared(out, k, shared, e)) == 1)
        err_set(e, ERR_KEY, "ssh-ed25519: the tweaked shared secret is zero");
    if (r != 0)
        goto out;
    rc = 0;
out:
    EVP_PKEY_free(k);
    secret_wipe(tweak, sizeof(tweak));
    return rc;
}

static int
wrap_ed25519(char *out, size_t *o, const struct age_recipient *r, const unsigned char *file_key, struct err *e)
{
    unsigned char eph[AGE_KEY_LEN], share[AGE_KEY_LEN], shared[AGE_KEY_LEN], tw[AGE_KEY_LEN];
    unsigned char salt[2 * AGE_KEY_LEN], key[AGE_KEY_LEN], body[AGE_FILE_KEY_LEN + AGE_TAG_LEN];
    EVP_PKEY *k = NULL;
    int rc = -1, x;

    if (RAND_bytes(eph, sizeof(eph)) != 1) {
        age_crypto_fail(e, "random ephemeral key generation");
        goto out;
    }
    if ((k = age_x25519_key(eph, share, e)) == NULL)
        goto out;
    if ((x = age_x25519_shared(shared, k, r->pub, e)) != 0) {
        if (x == 1)
            err_set(e, ERR_KEY, "recipient '%s' is not a usable key (low-order point)", r->str);
        goto out;
    }
    if (tweaked(tw, shared, r->wire, r->wire_len, e) == -1)
        goto out;
    memcpy(salt, share, AGE_KEY_LEN);
    memcpy(salt + AGE_KEY_LEN, r->pub, AGE_KEY_LEN);
    if (age_hkdf(key, tw, AGE_KEY_LEN, salt, sizeof(salt), ED25519_LABEL, e) == -1 ||
        age_seal_zero(key, file_key, AGE_FILE_KEY_LEN, body, e) == -1)
        goto out;
    *o += (size_t)sprintf(out + *o, "-> ssh-ed25519 %s ", r->tag);
    *o += age_b64_encode(out + *o, share, AGE_KEY_LEN);
    out[(*o)++] = '\n';
    body_lines(out, o, body, sizeof(body));
    rc = 0;
out:
    EVP_PKEY_free(k);
    secret_wipe(eph, sizeof(eph));
    secret_wipe(shared, sizeof(shared));
    secret_wipe(tw, sizeof(tw));
    secret_wipe(key, sizeof(key));
    return rc;
}

/* oaep_ctx(k, enc, e): an RSA-OAEP context, SHA-256 for the hash and MGF1, age's label. */
static EVP_PKEY_CTX *
oaep_ctx(EVP_PKEY *k, int enc, struct err *e)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(k, NULL);
    unsigned char *label = OPENSSL_memdup(RSA_LABEL, sizeof(RSA_LABEL) - 1);

    if (ctx == NULL || label == NULL || (enc ? EVP_PKEY_encrypt_init(ctx) : EVP_PKEY_decrypt_init(ctx)) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha256()) != 1 || EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha256()) != 1 ||
        EVP_PKEY_CTX_set0_rsa_oaep_label(ctx, label, sizeof(RSA_LABEL) - 1) != 1) {
        OPENSSL_free(label);
        EVP_PKEY_CTX_free(ctx);
        age_crypto_fail(e, "RSA-OAEP setup");
        return NULL;
    }
    return ctx; /* owns the label */
}

static int
wrap_rsa(char *out, size_t *o, const struct age_recipient *r, const unsigned char *file_key, struct err *e)
{
    EVP_PKEY_CTX *ctx = oaep_ctx(r->rsa, 1, e);
    size_t len = 0;
    unsigned char *body = NULL;
    int rc = -1;

    if (ctx == NULL)
        return -1;
    if (EVP_PKEY_encrypt(ctx, NULL, &len, file_key, AGE_FILE_KEY_LEN) != 1 || (body = malloc(len)) == NULL ||
        EVP_PKEY_encrypt(ctx, body, &len, file_key, AGE_FILE_KEY_LEN) != 1) {
        age_crypto_fail(e, "RSA-OAEP encryption");
        goto out;
    }
    *o += (size_t)sprintf(out + *o, "-> ssh-rsa %s\n", r->tag);
    body_lines(out, o, body, len);
    rc = 0;
out:
    free(body);
    EVP_PKEY_CTX_free(ctx);
    return rc;
}

int
age_ssh_wrap(char *out, size_t *o, const struct age_recipient *r, const unsigned char *file_key, struct err *e)
{
    assert(r->type == AGE_KEY_SSH_ED25519 || r->type == AGE_KEY_SSH_RSA);
    return r->type == AGE_KEY_SSH_ED25519 ? wrap_ed25519(out, o, r, file_key, e) : wrap_rsa(out, o, r, file_key, e);
}

static int
unwrap_ed25519(const struct age_identity *id, const struct age_stanza_view *s, unsigned char *out, struct err *e)
{
    unsigned char share[AGE_KEY_LEN + 3], shared[AGE_KEY_LEN], tw[AGE_KEY_LEN], salt[2 * AGE_KEY_LEN], key[AGE_KEY_LEN];
    size_t n = 0;
    int rc = -1, x;

    if (s->nargs != 2 || age_b64_decode(s->arg[1], s->arg_len[1], share, &n) == -1 || n != AGE_KEY_LEN)
        return err_set(e, ERR_FORMAT, "malformed ssh-ed25519 stanza");
    if (s->body_len != AGE_FILE_KEY_LEN + AGE_TAG_LEN)
        return err_set(e, ERR_FORMAT, "malformed ssh-ed25519 stanza: body is %zu bytes instead of 32", s->body_len);
    if ((x = age_x25519_shared(shared, id->pkey, share, e)) != 0) {
        if (x == 1)
            err_set(e, ERR_FORMAT, "malformed ssh-ed25519 stanza: low-order share");
        goto out;
    }
    if (tweaked(tw, shared, id->wire, id->wire_len, e) == -1)
        goto out;
    memcpy(salt, share, AGE_KEY_LEN);
    memcpy(salt + AGE_KEY_LEN, id->pub, AGE_KEY_LEN);
    if (age_hkdf(key, tw, AGE_KEY_LEN, salt, sizeof(salt), ED25519_LABEL, e) == -1)
        goto out;
    if ((x = age_open_zero(key, s->body, s->body_len, out, e)) == 1)
        err_set(e, ERR_KEY, "the ssh-ed25519 stanza tagged for this key does not open with it");
    if (x != 0)
        goto out;
    rc = 0;
out:
    secret_wipe(shared, sizeof(shared));
    secret_wipe(tw, sizeof(tw));
    secret_wipe(key, sizeof(key));
    return rc;
}

static int
unwrap_rsa(const struct age_identity *id, const struct age_stanza_view *s, unsigned char *out, struct err *e)
{
    EVP_PKEY_CTX *ctx;
    unsigned char *buf;
    size_t len = 0, cap;
    int rc = -1;

    if (s->nargs != 1)
        return err_set(e, ERR_FORMAT, "malformed ssh-rsa stanza");
    if ((ctx = oaep_ctx(id->pkey, 0, e)) == NULL)
        return -1;
    if (EVP_PKEY_decrypt(ctx, NULL, &len, s->body, s->body_len) != 1 || (buf = malloc(len)) == NULL) {
        age_crypto_fail(e, "RSA-OAEP setup");
        goto out;
    }
    cap = len;
    if (EVP_PKEY_decrypt(ctx, buf, &len, s->body, s->body_len) != 1 || len != AGE_FILE_KEY_LEN) {
        ERR_clear_error();
        err_set(e, ERR_KEY, "the ssh-rsa stanza tagged for this key does not open with it");
    } else {
        memcpy(out, buf, AGE_FILE_KEY_LEN);
        rc = 0;
    }
    secret_wipe(buf, cap);
    free(buf);
out:
    EVP_PKEY_CTX_free(ctx);
    return rc;
}

int
age_ssh_unwrap(const struct age_identity *id, const struct age_stanza_view *s, unsigned char *out, struct err *e)
{
    assert(id->type == AGE_KEY_SSH_ED25519 || id->type == AGE_KEY_SSH_RSA);
    if (s->nargs < 1 || s->arg_len[0] != AGE_SSH_TAG_B64_LEN || memcmp(s->arg[0], id->tag, AGE_SSH_TAG_B64_LEN) != 0)
        return 1;
    return id->type == AGE_KEY_SSH_ED25519 ? unwrap_ed25519(id, s, out, e) : unwrap_rsa(id, s, out, e);
}

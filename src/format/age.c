/*
 * age-encryption.org/v1 (C2SP age.md) on OpenSSL 3 libcrypto.
 *
 * Decryption and the key-less scan share one front end, struct reader: it detects binary or armored
 * input, undoes the armor line by line (strict RFC 7468 as age.md asks, like FiloSottile/age
 * armor/armor.go), parses the header a line at a time into stanzas, and hands the payload bytes to a
 * callback. Everything is incremental, so neither stage ever holds more than the header (at most
 * HEADER_MAX) and one chunk.
 */
#include "format/age.h"
#include "format/age_int.h"

#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "format/bech32.h"
#include "stage/stage.h"
#include "util/err.h"
#include "util/secret.h"

#define FILE_KEY_LEN AGE_FILE_KEY_LEN
#define KEY_LEN AGE_KEY_LEN
#define TAG_LEN AGE_TAG_LEN
#define NONCE_LEN 16
#define AEAD_NONCE_LEN 12
#define CHUNK_LEN 65536
#define ENC_CHUNK_LEN (CHUNK_LEN + TAG_LEN)
#define COLUMNS 64
#define BYTES_PER_LINE 48
#define MAC_LEN 32
#define MAC_B64_LEN 43
#define HEADER_MAX (1024 * 1024)
#define INTRO "age-encryption.org/v1"
#define INTRO_PREFIX "age-encryption.org/"
#define X25519_LABEL "age-encryption.org/v1/X25519"
#define ARMOR_BEGIN "-----BEGIN AGE ENCRYPTED FILE-----"
#define ARMOR_END "-----END AGE ENCRYPTED FILE-----"
#define ARMOR_MAX_WS 1024 /* whitespace allowed before and after the armor, as age's armor.go */
#define SCRYPT_MAX_LOG_N AGE_SCRYPT_MAX_LOG_N
#define SCRYPT_LABEL "age-encryption.org/v1/scrypt"
#define SCRYPT_SALT_LEN 16
#define RECIPIENT_HRP "age"
#define IDENTITY_HRP "AGE-SECRET-KEY-"

/*
 * Small helpers
 */

int
age_crypto_fail(struct err *e, const char *what)
{
    unsigned long code = ERR_get_error();
    char buf[256] = "";

    if (code != 0)
        ERR_error_string_n(code, buf, sizeof(buf));
    ERR_clear_error();
    return err_set(e, ERR_CRYPTO, "%s failed%s%s", what, buf[0] ? ": " : "", buf);
}

/* A printable, bounded rendering of untrusted bytes for error messages. */
static const char *
quote(char *out, size_t cap, const unsigned char *s, size_t n)
{
    size_t o = 0;

    assert(cap >= 16);
    for (size_t i = 0; i < n; i++) {
        if (o + 8 >= cap) {
            memcpy(out + o, "...", 3);
            o += 3;
            break;
        }
        if (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\'' && s[i] != '\\')
            out[o++] = (char)s[i];
        else
            o += (size_t)snprintf(out + o, cap - o, "\\x%02x", s[i]);
    }
    out[o] = '\0';
    return out;
}

static int
is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* Base64, standard alphabet (RFC 4648 section 4); decoders are strict about canonical encodings. */

static const char b64_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int
b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/* age_b64_encode(out, in, n): unpadded encoding of ${n} bytes; returns the number of characters written. */
size_t
age_b64_encode(char *out, const unsigned char *in, size_t n)
{
    size_t o = 0, i = 0;

    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = b64_alphabet[v >> 18];
        out[o++] = b64_alphabet[(v >> 12) & 63];
        out[o++] = b64_alphabet[(v >> 6) & 63];
        out[o++] = b64_alphabet[v & 63];
    }
    if (n - i == 1) {
        out[o++] = b64_alphabet[in[i] >> 2];
        out[o++] = b64_alphabet[(in[i] & 3) << 4];
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)in[i] << 8 | in[i + 1];
        out[o++] = b64_alphabet[v >> 10];
        out[o++] = b64_alphabet[(v >> 4) & 63];
        out[o++] = b64_alphabet[(v << 2) & 63];
    }
    return o;
}

/*
 * age_b64_decode(in, n, out, outlen): strict unpadded decoding into ${out} (room for n * 3 / 4 bytes).
 * Rejects characters outside the alphabet, '=', impossible lengths and non-zero unused bits.
 */
int
age_b64_decode(const unsigned char *in, size_t n, unsigned char *out, size_t *outlen)
{
    size_t o = 0, i = 0;
    int v[4];

    if (n % 4 == 1)
        return -1;
    for (; i < n; i += 4) {
        size_t k = n - i < 4 ? n - i : 4;
        for (size_t j = 0; j < k; j++)
            if ((v[j] = b64_value(in[i + j])) < 0)
                return -1;
        out[o++] = (unsigned char)(v[0] << 2 | v[1] >> 4);
        if (k == 2) {
            if ((v[1] & 15) != 0)
                return -1;
            break;
        }
        out[o++] = (unsigned char)((v[1] & 15) << 4 | v[2] >> 2);
        if (k == 3) {
            if ((v[2] & 3) != 0)
                return -1;
            break;
        }
        out[o++] = (unsigned char)((v[2] & 3) << 6 | v[3]);
    }
    *outlen = o;
    return 0;
}

/* b64_decode_padded(in, n, out, outlen): strict decoding of padded base64 (the armor). */
static int
b64_decode_padded(const unsigned char *in, size_t n, unsigned char *out, size_t *outlen)
{
    size_t pad = 0;

    if (n % 4 != 0)
        return -1;
    while (pad < 2 && pad < n && in[n - 1 - pad] == '=')
        pad++;
    return age_b64_decode(in, n - pad, out, outlen);
}

/*
 * Primitives: HKDF-SHA-256, HMAC-SHA-256, X25519 and ChaCha20-Poly1305 through EVP.
 */

int
age_hkdf(unsigned char out[KEY_LEN], const unsigned char *ikm, size_t ikmlen, const unsigned char *salt, size_t saltlen,
         const char *info, struct err *e)
{
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    OSSL_PARAM params[5], *p = params;
    int rc = -1;

    if (ctx == NULL) {
        age_crypto_fail(e, "HKDF setup");
        goto out;
    }
    *p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, "SHA256", 0);
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)(uintptr_t)ikm, ikmlen);
    if (saltlen > 0) /* an absent salt is HashLen zero bytes, as RFC 5869 wants for an empty one */
        *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)(uintptr_t)salt, saltlen);
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)(uintptr_t)info, strlen(info));
    *p = OSSL_PARAM_construct_end();
    if (EVP_KDF_derive(ctx, out, KEY_LEN, params) != 1) {
        age_crypto_fail(e, "HKDF");
        goto out;
    }
    rc = 0;
out:
    EVP_KDF_CTX_free(ctx);
    EVP_KDF_free(kdf);
    return rc;
}

static int
hmac_sha256(unsigned char out[MAC_LEN], const unsigned char key[KEY_LEN], const unsigned char *data, size_t len,
            struct err *e)
{
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
    OSSL_PARAM params[2];
    size_t outlen = 0;
    int rc = -1;

    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0);
    params[1] = OSSL_PARAM_construct_end();
    if (ctx == NULL || EVP_MAC_init(ctx, key, KEY_LEN, params) != 1 || EVP_MAC_update(ctx, data, len) != 1 ||
        EVP_MAC_final(ctx, out, &outlen, MAC_LEN) != 1 || outlen != MAC_LEN) {
        age_crypto_fail(e, "HMAC-SHA-256");
        goto out;
    }
    rc = 0;
out:
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
    return rc;
}

/* header_mac(out, file_key, hdr, len, e): HMAC(HKDF(file key, "", "header"), header through "---"). */
static int
header_mac(unsigned char out[MAC_LEN], const unsigned char *file_key, const unsigned char *hdr, size_t len,
           struct err *e)
{
    unsigned char key[KEY_LEN];
    int rc;

    rc = age_hkdf(key, file_key, FILE_KEY_LEN, NULL, 0, "header", e);
    if (rc == 0)
        rc = hmac_sha256(out, key, hdr, len, e);
    secret_wipe(key, sizeof(key));
    return rc;
}

EVP_PKEY *
age_x25519_key(const unsigned char scalar[KEY_LEN], unsigned char pub[KEY_LEN], struct err *e)
{
    EVP_PKEY *k = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, scalar, KEY_LEN);
    size_t len = KEY_LEN;

    if (k == NULL || EVP_PKEY_get_raw_public_key(k, pub, &len) != 1 || len != KEY_LEN) {
        EVP_PKEY_free(k);
        age_crypto_fail(e, "X25519 key setup");
        return NULL;
    }
    return k;
}

/*
 * age_x25519_shared(out, priv, point, e): X25519(priv, point). Returns 0, 1 if the result is the all-zero
 * value of a low-order point (OpenSSL refuses to derive it, so a failed derivation counts as that),
 * or -1 on other failures.
 */
int
age_x25519_shared(unsigned char out[KEY_LEN], EVP_PKEY *priv, const unsigned char point[KEY_LEN], struct err *e)
{
    static const unsigned char zero[KEY_LEN];
    EVP_PKEY *peer = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, point, KEY_LEN);
    EVP_PKEY_CTX *ctx = NULL;
    size_t len = KEY_LEN;
    int rc = -1;

    if (peer == NULL || (ctx = EVP_PKEY_CTX_new(priv, NULL)) == NULL || EVP_PKEY_derive_init(ctx) != 1 ||
        EVP_PKEY_derive_set_peer(ctx, peer) != 1) {
        age_crypto_fail(e, "X25519 setup");
        goto out;
    }
    if (EVP_PKEY_derive(ctx, out, &len) != 1 || len != KEY_LEN || CRYPTO_memcmp(out, zero, KEY_LEN) == 0) {
        ERR_clear_error();
        secret_wipe(out, KEY_LEN);
        rc = 1;
        goto out;
    }
    rc = 0;
out:
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(peer);
    return rc;
}

/* aead_zero(enc, key, in, inlen, out, e): ChaCha20-Poly1305 with the all-zero nonce, for stanza bodies. */
int
age_seal_zero(const unsigned char key[KEY_LEN], const unsigned char *in, size_t inlen, unsigned char *out,
              struct err *e)
{
    static const unsigned char nonce[AEAD_NONCE_LEN];
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int l1 = 0, l2 = 0, rc = -1;

    if (ctx == NULL || EVP_EncryptInit_ex(ctx, EVP_chacha20_poly1305(), NULL, key, nonce) != 1 ||
        EVP_EncryptUpdate(ctx, out, &l1, in, (int)inlen) != 1 || EVP_EncryptFinal_ex(ctx, out + l1, &l2) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, TAG_LEN, out + inlen) != 1) {
        age_crypto_fail(e, "ChaCha20-Poly1305 encryption");
        goto out;
    }
    rc = 0;
out:
    EVP_CIPHER_CTX_free(ctx);
    return rc;
}

/* Returns 0, 1 when authentication fails, -1 on other errors. */
int
age_open_zero(const unsigned char key[KEY_LEN], const unsigned char *in, size_t inlen, unsigned char *out,
              struct err *e)
{
    static const unsigned char nonce[AEAD_NONCE_LEN];
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int l1 = 0, l2 = 0, rc = -1;

    assert(inlen >= TAG_LEN);
    if (ctx == NULL || EVP_DecryptInit_ex(ctx, EVP_chacha20_poly1305(), NULL, key, nonce) != 1 ||
        EVP_DecryptUpdate(ctx, out, &l1, in, (int)(inlen - TAG_LEN)) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, TAG_LEN, (void *)(uintptr_t)(in + inlen - TAG_LEN)) != 1) {
        age_crypto_fail(e, "ChaCha20-Poly1305 setup");
        goto out;
    }
    if (EVP_DecryptFinal_ex(ctx, out + l1, &l2) != 1) {
        ERR_clear_error();
        secret_wipe(out, inlen - TAG_LEN);
        rc = 1;
        goto out;
    }
    rc = 0;
out:
    EVP_CIPHER_CTX_free(ctx);
    return rc;
}

/* The STREAM nonce: 11-byte big-endian chunk counter, then the last-chunk flag. */
static void
stream_nonce(unsigned char nonce[AEAD_NONCE_LEN], uint64_t counter, int last)
{
    memset(nonce, 0, AEAD_NONCE_LEN);
    for (int i = 10; i >= 3; i--, counter >>= 8)
        nonce[i] = (unsigned char)counter;
    nonce[11] = last ? 1 : 0;
}

/* stream_init(ctx, file_key, nonce, enc, e): derive the payload key and load it into ${ctx}. */
static int
stream_init(EVP_CIPHER_CTX *ctx, const unsigned char *file_key, const unsigned char nonce[NONCE_LEN], int enc,
            struct err *e)
{
    unsigned char key[KEY_LEN];
    int rc = -1;

    if (age_hkdf(key, file_key, FILE_KEY_LEN, nonce, NONCE_LEN, "payload", e) == -1)
        goto out;
    if (EVP_CipherInit_ex(ctx, EVP_chacha20_poly1305(), NULL, key, NULL, enc) != 1) {
        age_crypto_fail(e, "ChaCha20-Poly1305 setup");
        goto out;
    }
    rc = 0;
out:
    secret_wipe(key, sizeof(key));
    return rc;
}

/*
 * Keys
 */

/* hrp_of(s, len, hrp, cap): the Bech32 human-readable part of ${s} (before its last '1'), if printable. */
static int
hrp_of(const char *s, size_t len, char *hrp, size_t cap)
{
    size_t pos = len;

    while (pos > 0 && s[pos - 1] != '1')
        pos--;
    if (pos < 2 || pos - 1 >= cap)
        return -1;
    for (size_t i = 0; i < pos - 1; i++)
        if (s[i] < 33 || s[i] > 126 || s[i] == '\'')
            return -1;
    memcpy(hrp, s, pos - 1);
    hrp[pos - 1] = '\0';
    return 0;
}

/* err_code_wrap(e, code, what): err_wrap() that also sets the code. */
static void
err_code_wrap(struct err *e, enum err_code code, const char *what)
{
    err_wrap(e, "%s", what);
    e->code = code;
}

static struct age_recipient *
recipient_new(const unsigned char pub[KEY_LEN], struct err *e)
{
    struct age_recipient *r = calloc(1, sizeof(*r));
    char str[128];

    if (r == NULL || (r->str = malloc(sizeof(str))) == NULL) {
        free(r);
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    r->type = AGE_KEY_X25519;
    memcpy(r->pub, pub, KEY_LEN);
    if (bech32_encode(r->str, sizeof(str), RECIPIENT_HRP, pub, KEY_LEN, e) == -1) {
        age_recipient_free(r);
        return NULL;
    }
    return r;
}

struct age_recipient *
age_recipient_parse(const char *s, struct err *e)
{
    unsigned char data[KEY_LEN];
    char hrp[32];
    size_t len = 0, slen = strlen(s);

    if (age_ssh_is_recipient(s))
        return age_ssh_recipient_parse(s, e);
    /* Callers quote ${s} when they wrap the error; messages here name only the cause. */
    if (hrp_of(s, slen, hrp, sizeof(hrp)) == 0 && strncmp(hrp, "age1", 4) == 0) {
        /* other age recipient types: "age1pq1...", "age1tag1...", plugins */
        err_set(e, ERR_KEY,
                "unsupported recipient type '%s1...': only X25519 ('age1...'), ssh-ed25519 and ssh-rsa "
                "recipients are supported",
                hrp);
        return NULL;
    }
    if (bech32_decode(s, slen, hrp, sizeof(hrp), data, sizeof(data), &len, e) == -1) {
        err_code_wrap(e, ERR_KEY, "malformed recipient");
        return NULL;
    }
    if (strcmp(hrp, RECIPIENT_HRP) != 0) {
        err_set(e, ERR_KEY, "malformed recipient: not an X25519 recipient ('age1...')");
        return NULL;
    }
    if (len != KEY_LEN) {
        err_set(e, ERR_KEY, "malformed recipient: %zu bytes instead of 32", len);
        return NULL;
    }
    return recipient_new(data, e);
}

struct age_recipient *
age_recipient_scrypt_new(const unsigned char *pass, size_t len, int log_n, struct err *e)
{
    struct age_recipient *r;

    if (len == 0) {
        err_set(e, ERR_KEY, "empty passphrase");
        return NULL;
    }
    if (log_n < 1 || log_n > SCRYPT_MAX_LOG_N) {
        err_set(e, ERR_KEY, "scrypt work factor %d is out of range 1..%d", log_n, SCRYPT_MAX_LOG_N);
        return NULL;
    }
    if ((r = calloc(1, sizeof(*r))) == NULL || (r->str = strdup("scrypt")) == NULL) {
        free(r);
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    r->type = AGE_KEY_SCRYPT;
    r->log_n = log_n;
    if ((r->pass = secret_new(len, e)) == NULL) {
        age_recipient_free(r);
        return NULL;
    }
    memcpy(r->pass->data, pass, len);
    return r;
}

const char *
age_recipient_string(const struct age_recipient *r)
{
    return r->str;
}

void
age_recipient_free(struct age_recipient *r)
{
    if (r == NULL)
        return;
    free(r->str);
    free(r->wire);
    EVP_PKEY_free(r->rsa);
    secret_free(r->pass);
    free(r);
}

static struct age_identity *
identity_new(const unsigned char scalar[KEY_LEN], struct err *e)
{
    struct age_identity *id = calloc(1, sizeof(*id));

    if (id == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    id->type = AGE_KEY_X25519;
    if ((id->pkey = age_x25519_key(scalar, id->pub, e)) == NULL) {
        free(id);
        return NULL;
    }
    return id;
}

struct age_identity *
age_identity_parse(const char *s, size_t len, struct err *e)
{
    unsigned char data[KEY_LEN];
    struct age_identity *id = NULL;
    char hrp[64];
    size_t n = 0;

    /* Messages never quote ${s}, only its type: the rest is a secret. */
    if (hrp_of(s, len, hrp, sizeof(hrp)) == 0 && strcmp(hrp, IDENTITY_HRP) != 0 &&
        (strncmp(hrp, IDENTITY_HRP, strlen(IDENTITY_HRP)) == 0 || strncmp(hrp, "AGE-PLUGIN-", 11) == 0)) {
        err_set(e, ERR_KEY, "unsupported identity type '%s1...': only X25519 identities are supported", hrp);
        return NULL;
    }
    if (bech32_decode(s, len, hrp, sizeof(hrp), data, sizeof(data), &n, e) == -1) {
        err_code_wrap(e, ERR_KEY, "malformed secret key");
        return NULL;
    }
    if (strcmp(hrp, IDENTITY_HRP) != 0) {
        err_set(e, ERR_KEY, "malformed secret key: not an 'AGE-SECRET-KEY-1...' identity");
        goto out;
    }
    if (n != KEY_LEN) {
        err_set(e, ERR_KEY, "malformed secret key: %zu bytes instead of 32", n);
        goto out;
    }
    id = identity_new(data, e);
out:
    secret_wipe(data, sizeof(data));
    return id;
}

struct age_identity *
age_identity_scrypt_new(const unsigned char *pass, size_t len, struct err *e)
{
    struct age_identity *id = calloc(1, sizeof(*id));

    if (id == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    id->type = AGE_KEY_SCRYPT;
    if ((id->pass = secret_new(len, e)) == NULL) {
        free(id);
        return NULL;
    }
    if (len > 0)
        memcpy(id->pass->data, pass, len);
    return id;
}

/* skip_space(text, len): the offset of the first byte of ${text} that is not whitespace. */
static size_t
skip_space(const char *text, size_t len)
{
    size_t i = 0;

    while (i < len && is_space((unsigned char)text[i]))
        i++;
    return i;
}

int
age_identity_encrypted(const char *text, size_t len)
{
    size_t i = skip_space(text, len);

    return (len >= sizeof(INTRO_PREFIX) - 1 && memcmp(text, INTRO_PREFIX, sizeof(INTRO_PREFIX) - 1) == 0) ||
           (len - i >= sizeof(ARMOR_BEGIN) - 1 && memcmp(text + i, ARMOR_BEGIN, sizeof(ARMOR_BEGIN) - 1) == 0);
}

int
age_identity_needs_passphrase(const char *text, size_t len)
{
    return age_identity_encrypted(text, len) || age_ssh_identity_encrypted(text, len);
}

int
age_identity_load(const char *text, size_t len, struct age_identity **out, size_t max, struct err *e)
{
    size_t n = 0, lineno = 0, off = 0;

    if (age_identity_encrypted(text, len)) {
        err_set(e, ERR_KEY, "the identity file is passphrase-protected and no passphrase was given");
        return -1;
    }
    if (age_ssh_is_identity(text, len)) {
        if (max == 0) {
            err_set(e, ERR_KEY, "more than %zu identities", max);
            return -1;
        }
        return (out[0] = age_ssh_identity_parse(text, len, NULL, e)) == NULL ? -1 : 1;
    }
    while (off < len) {
        const char *line = text + off, *nl = memchr(line, '\n', len - off);
        size_t l = nl ? (size_t)(nl - line) : len - off;
        int blank = 1;

        off += l + (nl ? 1 : 0);
        lineno++;
        if (l > 0 && line[l - 1] == '\r')
            l--;
        for (size_t i = 0; i < l; i++)
            blank &= is_space((unsigned char)line[i]);
        if (blank || line[0] == '#')
            continue;
        if (n == max) {
            err_set(e, ERR_KEY, "more than %zu identities", max);
            goto fail;
        }
        if ((out[n] = age_identity_parse(line, l, e)) == NULL) {
            err_wrap(e, "line %zu", lineno);
            goto fail;
        }
        n++;
    }
    if (n == 0) {
        err_set(e, ERR_KEY, "no identities found");
        return -1;
    }
    return (int)n;
fail:
    while (n > 0) {
        age_identity_free(out[--n]);
        out[n] = NULL;
    }
    return -1;
}

struct age_recipient *
age_identity_recipient(const struct age_identity *id, struct err *e)
{
    struct age_recipient *r;
    char *b64;

    if (id->type == AGE_KEY_X25519)
        return recipient_new(id->pub, e);
    if (id->type != AGE_KEY_SSH_ED25519 && id->type != AGE_KEY_SSH_RSA) {
        err_set(e, ERR_KEY, "a passphrase has no recipient string");
        return NULL;
    }
    /* An SSH identity's recipient is its public key line, parsed like any other. */
    if ((b64 = malloc(40 + 4 * (id->wire_len / 3 + 1))) == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    strcpy(b64, id->type == AGE_KEY_SSH_ED25519 ? "ssh-ed25519 " : "ssh-rsa ");
    EVP_EncodeBlock((unsigned char *)b64 + strlen(b64), id->wire, (int)id->wire_len);
    r = age_ssh_recipient_parse(b64, e);
    free(b64);
    return r;
}

void
age_identity_free(struct age_identity *id)
{
    if (id == NULL)
        return;
    EVP_PKEY_free(id->pkey); /* OpenSSL wipes private keys when it frees them */
    free(id->wire);
    secret_free(id->pass);
    secret_wipe(id, sizeof(*id));
    free(id);
}

struct secret *
age_keygen(struct age_recipient **recipient, struct err *e)
{
    struct secret *scalar = NULL, *str = NULL;
    struct age_identity *id = NULL;
    int n;

    *recipient = NULL;
    if ((scalar = secret_new(KEY_LEN, e)) == NULL)
        goto fail;
    if (RAND_bytes(scalar->data, KEY_LEN) != 1) {
        age_crypto_fail(e, "random key generation");
        goto fail;
    }
    if ((id = identity_new(scalar->data, e)) == NULL || (str = secret_new(96, e)) == NULL)
        goto fail;
    if ((n = bech32_encode((char *)str->data, str->cap, IDENTITY_HRP, scalar->data, KEY_LEN, e)) == -1)
        goto fail;
    str->len = (size_t)n;
    if ((*recipient = recipient_new(id->pub, e)) == NULL)
        goto fail;
    age_identity_free(id);
    secret_free(scalar);
    return str;
fail:
    age_identity_free(id);
    secret_free(scalar);
    secret_free(str);
    return NULL;
}

/*
 * Encryption
 */

struct enc_stage {
    struct stage base;
    unsigned char *hdr; /* header and payload nonce, emitted before the first chunk */
    size_t hdr_len;
    int hdr_sent, failed;
    EVP_CIPHER_CTX *cctx;
    unsigned char *buf; /* one chunk: plaintext, then its ciphertext and tag in place */
    size_t len;
    uint64_t counter;
};

/* wrap_x25519(out, rcpt, file_key, e): append the X25519 stanza for ${rcpt} to ${out}. */
static int
wrap_x25519(char *out, size_t *o, const struct age_recipient *rcpt, const unsigned char *file_key, struct err *e)
{
    unsigned char eph[KEY_LEN], share[KEY_LEN], shared[KEY_LEN], salt[2 * KEY_LEN], key[KEY_LEN];
    unsigned char body[FILE_KEY_LEN + TAG_LEN];
    EVP_PKEY *k = NULL;
    int rc = -1, r;

    if (RAND_bytes(eph, sizeof(eph)) != 1) {
        age_crypto_fail(e, "random ephemeral key generation");
        goto out;
    }
    if ((k = age_x25519_key(eph, share, e)) == NULL)
        goto out;
    if ((r = age_x25519_shared(shared, k, rcpt->pub, e)) != 0) {
        if (r == 1)
            err_set(e, ERR_KEY, "recipient '%s' is not a usable X25519 public key (low-order point)", rcpt->str);
        goto out;
    }
    memcpy(salt, share, KEY_LEN);
    memcpy(salt + KEY_LEN, rcpt->pub, KEY_LEN);
    if (age_hkdf(key, shared, KEY_LEN, salt, sizeof(salt), X25519_LABEL, e) == -1 ||
        age_seal_zero(key, file_key, FILE_KEY_LEN, body, e) == -1)
        goto out;
    memcpy(out + *o, "-> X25519 ", 10);
    *o += 10;
    *o += age_b64_encode(out + *o, share, KEY_LEN);
    out[(*o)++] = '\n';
    *o += age_b64_encode(out + *o, body, sizeof(body)); /* 43 columns: the short final line */
    out[(*o)++] = '\n';
    rc = 0;
out:
    EVP_PKEY_free(k);
    secret_wipe(eph, sizeof(eph));
    secret_wipe(shared, sizeof(shared));
    secret_wipe(key, sizeof(key));
    return rc;
}

static int
enc_send_header(struct enc_stage *s, struct err *e)
{
    if (s->hdr_sent)
        return 0;
    s->hdr_sent = 1;
    return stage_emit(&s->base, s->hdr, s->hdr_len, e);
}

/* enc_chunk(s, in, n, last, e): seal ${n} bytes at ${in} into s->buf and emit them. */
static int
enc_chunk(struct enc_stage *s, const unsigned char *in, size_t n, int last, struct err *e)
{
    unsigned char nonce[AEAD_NONCE_LEN];
    int l1 = 0, l2 = 0;

    assert(n <= CHUNK_LEN && (n > 0 || (last && s->counter == 0)));
    stream_nonce(nonce, s->counter, last);
    if (EVP_EncryptInit_ex(s->cctx, NULL, NULL, NULL, nonce) != 1 ||
        (n > 0 && EVP_EncryptUpdate(s->cctx, s->buf, &l1, in, (int)n) != 1) ||
        EVP_EncryptFinal_ex(s->cctx, s->buf + l1, &l2) != 1 ||
        EVP_CIPHER_CTX_ctrl(s->cctx, EVP_CTRL_AEAD_GET_TAG, TAG_LEN, s->buf + n) != 1)
        return age_crypto_fail(e, "ChaCha20-Poly1305 encryption");
    s->counter++;
    return stage_emit(&s->base, s->buf, n + TAG_LEN, e);
}

static int
enc_write(struct stage *st, const void *buf, size_t len, struct err *e)
{
    struct enc_stage *s = (struct enc_stage *)st;
    const unsigned char *p = buf;

    if (s->failed)
        return err_set(e, ERR_INTERNAL, "age encryption: write after an error");
    if (enc_send_header(s, e) == -1)
        goto fail;
    while (len > 0) {
        size_t n;
        if (s->len == CHUNK_LEN) { /* more data follows, so the buffered chunk is not the last */
            if (enc_chunk(s, s->buf, CHUNK_LEN, 0, e) == -1)
                goto fail;
            s->len = 0;
        }
        if (s->len == 0 && len > CHUNK_LEN) { /* seal straight from the caller's buffer */
            if (enc_chunk(s, p, CHUNK_LEN, 0, e) == -1)
                goto fail;
            p += CHUNK_LEN;
            len -= CHUNK_LEN;
            continue;
        }
        n = CHUNK_LEN - s->len < len ? CHUNK_LEN - s->len : len;
        memcpy(s->buf + s->len, p, n);
        s->len += n;
        p += n;
        len -= n;
    }
    return 0;
fail:
    s->failed = 1;
    return -1;
}

static int
enc_finish(struct stage *st, struct err *e)
{
    struct enc_stage *s = (struct enc_stage *)st;

    if (s->failed)
        return err_set(e, ERR_INTERNAL, "age encryption: finish after an error");
    s->failed = 1; /* nothing may follow the final chunk */
    if (enc_send_header(s, e) == -1 || enc_chunk(s, s->buf, s->len, 1, e) == -1)
        return -1;
    secret_wipe(s->buf, ENC_CHUNK_LEN);
    s->len = 0;
    return 0;
}

static void
enc_free(struct stage *st)
{
    struct enc_stage *s = (struct enc_stage *)st;

    stage_free(s->base.next);
    EVP_CIPHER_CTX_free(s->cctx);
    if (s->buf != NULL)
        secret_wipe(s->buf, ENC_CHUNK_LEN);
    free(s->buf);
    free(s->hdr);
    free(s);
}

static const struct stage_ops enc_ops = {"age-enc", enc_write, enc_finish, enc_free};

/* scrypt_key(key, pass, salt, log_n, e): the scrypt stanza's wrapping key for ${pass} and ${salt}. */
static int
scrypt_key(unsigned char key[KEY_LEN], const struct secret *pass, const unsigned char salt[SCRYPT_SALT_LEN], int log_n,
           struct err *e)
{
    unsigned char s[sizeof(SCRYPT_LABEL) - 1 + SCRYPT_SALT_LEN];
    uint64_t n = (uint64_t)1 << log_n;

    assert(log_n >= 1 && log_n <= SCRYPT_MAX_LOG_N);
    memcpy(s, SCRYPT_LABEL, sizeof(SCRYPT_LABEL) - 1);
    memcpy(s + sizeof(SCRYPT_LABEL) - 1, salt, SCRYPT_SALT_LEN);
    /* r = 8, p = 1; scrypt needs 128 * r * N bytes, so allow that and a margin */
    if (EVP_PBE_scrypt((const char *)pass->data, pass->len, s, sizeof(s), n, 8, 1, 128 * 8 * (n + 2) + (1 << 20), key,
                       KEY_LEN) != 1)
        return age_crypto_fail(e, "scrypt");
    return 0;
}

/* wrap_scrypt(out, o, rcpt, file_key, e): append the scrypt stanza for ${rcpt}'s passphrase. */
static int
wrap_scrypt(char *out, size_t *o, const struct age_recipient *rcpt, const unsigned char *file_key, struct err *e)
{
    unsigned char salt[SCRYPT_SALT_LEN], key[KEY_LEN], body[FILE_KEY_LEN + TAG_LEN];
    int rc = -1;

    if (RAND_bytes(salt, sizeof(salt)) != 1) {
        age_crypto_fail(e, "random salt generation");
        goto out;
    }
    if (scrypt_key(key, rcpt->pass, salt, rcpt->log_n, e) == -1 ||
        age_seal_zero(key, file_key, FILE_KEY_LEN, body, e) == -1)
        goto out;
    memcpy(out + *o, "-> scrypt ", 10);
    *o += 10;
    *o += age_b64_encode(out + *o, salt, sizeof(salt));
    *o += (size_t)sprintf(out + *o, " %d\n", rcpt->log_n);
    *o += age_b64_encode(out + *o, body, sizeof(body));
    out[(*o)++] = '\n';
    rc = 0;
out:
    secret_wipe(key, sizeof(key));
    return rc;
}

/* stanza_max(r): an upper bound of the length of ${r}'s stanza. */
static size_t
stanza_max(const struct age_recipient *r)
{
    switch (r->type) {
    case AGE_KEY_X25519:
        return 10 + 43 + 1 + 43 + 1;
    case AGE_KEY_SCRYPT:
        return 10 + 22 + 4 + 43 + 1;
    default:
        return age_ssh_stanza_max(r);
    }
}

struct stage *
age_encrypt_new(struct age_recipient *const *rcpts, size_t n, struct stage *next, struct err *e)
{
    unsigned char file_key[FILE_KEY_LEN], mac[MAC_LEN];
    struct enc_stage *s = calloc(1, sizeof(*s));
    size_t o = 0, cap = sizeof(INTRO) + 4 + MAC_B64_LEN + 1 + NONCE_LEN;

    if (s == NULL) {
        stage_free(next);
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    s->base.ops = &enc_ops;
    s->base.next = next;
    if (n == 0) {
        err_set(e, ERR_KEY, "no recipients");
        goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        if (rcpts[i]->type == AGE_KEY_SCRYPT && n > 1) {
            err_set(e, ERR_KEY, "a passphrase cannot be combined with other recipients");
            goto fail;
        }
        cap += stanza_max(rcpts[i]);
    }
    if (cap > HEADER_MAX) {
        err_set(e, ERR_KEY, "too many recipients (%zu)", n);
        goto fail;
    }
    if ((s->hdr = malloc(cap)) == NULL || (s->buf = malloc(ENC_CHUNK_LEN)) == NULL ||
        (s->cctx = EVP_CIPHER_CTX_new()) == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto fail;
    }
    if (RAND_bytes(file_key, sizeof(file_key)) != 1) {
        age_crypto_fail(e, "random file key generation");
        goto fail;
    }
    memcpy(s->hdr, INTRO "\n", sizeof(INTRO));
    o = sizeof(INTRO);
    for (size_t i = 0; i < n; i++) {
        const struct age_recipient *r = rcpts[i];
        int rc = r->type == AGE_KEY_X25519   ? wrap_x25519((char *)s->hdr, &o, r, file_key, e)
                 : r->type == AGE_KEY_SCRYPT ? wrap_scrypt((char *)s->hdr, &o, r, file_key, e)
                                             : age_ssh_wrap((char *)s->hdr, &o, r, file_key, e);
        if (rc == -1)
            goto fail;
    }
    memcpy(s->hdr + o, "---", 3);
    o += 3;
    if (header_mac(mac, file_key, s->hdr, o, e) == -1)
        goto fail;
    s->hdr[o++] = ' ';
    o += age_b64_encode((char *)s->hdr + o, mac, MAC_LEN);
    s->hdr[o++] = '\n';
    if (RAND_bytes(s->hdr + o, NONCE_LEN) != 1) {
        age_crypto_fail(e, "random nonce generation");
        goto fail;
    }
    if (stream_init(s->cctx, file_key, s->hdr + o, 1, e) == -1)
        goto fail;
    o += NONCE_LEN;
    assert(o <= cap);
    s->hdr_len = o;
    secret_wipe(file_key, sizeof(file_key));
    return &s->base;
fail:
    secret_wipe(file_key, sizeof(file_key));
    enc_free(&s->base);
    return NULL;
}

/*
 * The reader: armor, header, then payload bytes to a callback.
 */

enum { IN_DETECT, IN_BINARY, IN_ARMOR };
enum { AR_LEADING, AR_BODY, AR_END, AR_TRAILING }; /* AR_END: a short line was read, the end line must follow */
enum { HD_VERSION, HD_STANZA, HD_BODY, HD_DONE };

struct stanza {
    size_t args_off, args_len; /* the text after "-> " in the header buffer */
    size_t nargs;
    unsigned char *body;
    size_t body_len, body_cap;
};

struct reader {
    int in, armor, hd;
    /* armor */
    unsigned char line[ARMOR_MAX_WS + 80];
    size_t line_len, ws;
    unsigned char dec[4096]; /* decoded armor for the header parser */
    size_t dec_len;
    /* header */
    unsigned char *hdr;
    size_t hdr_len, hdr_cap, line_off, mac_off;
    unsigned char mac[MAC_LEN];
    struct stanza *st;
    size_t nst, st_cap, nx25519, nknown; /* nknown: stanzas of the types supported here */
    int scrypt;
    uint64_t payload_len;
    /* the owner */
    int (*header_done)(struct reader *r, struct err *e);
    int (*payload)(struct reader *r, const unsigned char *p, size_t n, struct err *e);
};

static void
reader_release(struct reader *r)
{
    for (size_t i = 0; i < r->nst; i++)
        free(r->st[i].body);
    free(r->st);
    free(r->hdr);
    r->st = NULL;
    r->hdr = NULL;
    r->nst = r->st_cap = r->hdr_len = r->hdr_cap = 0;
}

/* stanza_arg(r, s, i, len): argument ${i} of ${s} (0 is the type), its length in *${len}. */
static const unsigned char *
stanza_arg(const struct reader *r, const struct stanza *s, size_t i, size_t *len)
{
    const unsigned char *p = r->hdr + s->args_off, *end = p + s->args_len;

    assert(i < s->nargs);
    for (;;) {
        const unsigned char *sp = memchr(p, ' ', (size_t)(end - p));
        const unsigned char *stop = sp ? sp : end;
        if (i-- == 0) {
            *len = (size_t)(stop - p);
            return p;
        }
        p = stop + 1;
    }
}

static int
arg_is(const unsigned char *a, size_t len, const char *s)
{
    return len == strlen(s) && memcmp(a, s, len) == 0;
}

static int
hdr_line(struct reader *r, const unsigned char *line, size_t len, struct err *e)
{
    char q[64];

    switch (r->hd) {
    case HD_VERSION:
        if (arg_is(line, len, INTRO)) {
            r->hd = HD_STANZA;
            return 0;
        }
        if (len == sizeof(INTRO) && memcmp(line, INTRO "\r", len) == 0)
            return err_set(e, ERR_FORMAT, "malformed header: lines end with CRLF (was the file converted as text?)");
        if (len >= sizeof(INTRO_PREFIX) - 1 && memcmp(line, INTRO_PREFIX, sizeof(INTRO_PREFIX) - 1) == 0)
            return err_set(e, ERR_FORMAT, "unsupported age format version '%s'", quote(q, sizeof(q), line, len));
        return err_set(e, ERR_FORMAT, "not an age file: first line is '%s'", quote(q, sizeof(q), line, len));
    case HD_STANZA:
        if (len >= 3 && memcmp(line, "---", 3) == 0) {
            size_t n = 0;
            if (r->nst == 0)
                return err_set(e, ERR_FORMAT, "malformed header: no recipient stanzas");
            if (len != 4 + MAC_B64_LEN || line[3] != ' ' || age_b64_decode(line + 4, MAC_B64_LEN, r->mac, &n) == -1 ||
                n != MAC_LEN)
                return err_set(e, ERR_FORMAT, "malformed header: bad MAC line '%s'", quote(q, sizeof(q), line, len));
            r->mac_off = (size_t)(line - r->hdr) + 3;
            r->hd = HD_DONE;
            return 0;
        }
        if (len >= 3 && memcmp(line, "-> ", 3) == 0) {
            struct stanza *s;
            size_t nargs = 1;
            for (size_t i = 3; i < len; i++) {
                if (line[i] == ' ' && (i == 3 || line[i - 1] == ' ' || i + 1 == len))
                    return err_set(e, ERR_FORMAT, "malformed header: empty argument in stanza %zu", r->nst + 1);
                if (line[i] == ' ')
                    nargs++;
                else if (line[i] < 33 || line[i] > 126)
                    return err_set(e, ERR_FORMAT, "malformed header: invalid character in stanza %zu arguments",
                                   r->nst + 1);
            }
            if (len == 3)
                return err_set(e, ERR_FORMAT, "malformed header: stanza %zu has no arguments", r->nst + 1);
            if (r->nst == r->st_cap) {
                size_t cap = r->st_cap ? 2 * r->st_cap : 4;
                struct stanza *p = realloc(r->st, cap * sizeof(*p));
                if (p == NULL)
                    return err_set(e, ERR_NOMEM, "out of memory");
                r->st = p;
                r->st_cap = cap;
            }
            s = &r->st[r->nst++];
            memset(s, 0, sizeof(*s));
            s->args_off = (size_t)(line - r->hdr) + 3;
            s->args_len = len - 3;
            s->nargs = nargs;
            r->hd = HD_BODY;
            return 0;
        }
        return err_set(e, ERR_FORMAT, "malformed header: unexpected line '%s'", quote(q, sizeof(q), line, len));
    case HD_BODY: {
        struct stanza *s = &r->st[r->nst - 1];
        size_t n = 0;
        if (len > COLUMNS)
            return err_set(e, ERR_FORMAT, "malformed header: stanza %zu body line longer than 64 columns", r->nst);
        if (s->body_len + BYTES_PER_LINE > s->body_cap) {
            size_t cap = s->body_cap ? 2 * s->body_cap : BYTES_PER_LINE;
            unsigned char *p = realloc(s->body, cap);
            if (p == NULL)
                return err_set(e, ERR_NOMEM, "out of memory");
            s->body = p;
            s->body_cap = cap;
        }
        if (age_b64_decode(line, len, s->body + s->body_len, &n) == -1) {
            if ((len >= 2 && memcmp(line, "->", 2) == 0) || (len >= 3 && memcmp(line, "---", 3) == 0))
                return err_set(e, ERR_FORMAT, "malformed header: stanza %zu body lacks a short final line", r->nst);
            return err_set(e, ERR_FORMAT, "malformed header: stanza %zu body is not canonical base64", r->nst);
        }
        s->body_len += n;
        if (n < BYTES_PER_LINE)
            r->hd = HD_STANZA;
        return 0;
    }
    default:
        assert(0);
        return err_set(e, ERR_INTERNAL, "age: bad header state");
    }
}

/*
 * check_stanzas(r, e): the rules that need no key. X25519: exactly one argument, a canonical 32-byte
 * share, a 32-byte body. scrypt: alone in the header, a 16-byte salt, a decimal work factor without
 * leading zeros (and not above SCRYPT_MAX_LOG_N), a 32-byte body. Other types are skipped.
 */
static int
check_stanzas(struct reader *r, struct err *e)
{
    for (size_t i = 0; i < r->nst; i++) {
        const struct stanza *s = &r->st[i];
        unsigned char buf[KEY_LEN + 3];
        size_t tlen, alen, n;
        const unsigned char *type = stanza_arg(r, s, 0, &tlen), *a;

        if (arg_is(type, tlen, "X25519")) {
            r->nx25519++;
            r->nknown++;
            if (s->nargs != 2)
                return err_set(e, ERR_FORMAT, "malformed X25519 stanza %zu: expected 1 argument, got %zu", i + 1,
                               s->nargs - 1);
            a = stanza_arg(r, s, 1, &alen);
            if (alen > 44 || age_b64_decode(a, alen, buf, &n) == -1 || n != KEY_LEN)
                return err_set(e, ERR_FORMAT, "malformed X25519 stanza %zu: the share is not 32 bytes of base64",
                               i + 1);
            if (s->body_len != FILE_KEY_LEN + TAG_LEN)
                return err_set(e, ERR_FORMAT, "malformed X25519 stanza %zu: body is %zu bytes instead of 32", i + 1,
                               s->body_len);
        } else if (arg_is(type, tlen, "ssh-ed25519")) {
            r->nknown++;
            if (s->nargs != 3)
                return err_set(e, ERR_FORMAT, "malformed ssh-ed25519 stanza %zu: expected 2 arguments, got %zu", i + 1,
                               s->nargs - 1);
            a = stanza_arg(r, s, 1, &alen);
            if (alen != AGE_SSH_TAG_B64_LEN || age_b64_decode(a, alen, buf, &n) == -1 || n != 4)
                return err_set(e, ERR_FORMAT, "malformed ssh-ed25519 stanza %zu: the tag is not 4 bytes of base64",
                               i + 1);
            a = stanza_arg(r, s, 2, &alen);
            if (alen > 44 || age_b64_decode(a, alen, buf, &n) == -1 || n != KEY_LEN)
                return err_set(e, ERR_FORMAT, "malformed ssh-ed25519 stanza %zu: the share is not 32 bytes of base64",
                               i + 1);
        } else if (arg_is(type, tlen, "ssh-rsa")) {
            r->nknown++;
            if (s->nargs != 2)
                return err_set(e, ERR_FORMAT, "malformed ssh-rsa stanza %zu: expected 1 argument, got %zu", i + 1,
                               s->nargs - 1);
            a = stanza_arg(r, s, 1, &alen);
            if (alen != AGE_SSH_TAG_B64_LEN || age_b64_decode(a, alen, buf, &n) == -1 || n != 4)
                return err_set(e, ERR_FORMAT, "malformed ssh-rsa stanza %zu: the tag is not 4 bytes of base64", i + 1);
        } else if (arg_is(type, tlen, "scrypt")) {
            r->scrypt = 1;
            r->nknown++;
            if (r->nst != 1)
                return err_set(e, ERR_FORMAT, "malformed header: an scrypt stanza must be the only stanza");
            if (s->nargs != 3)
                return err_set(e, ERR_FORMAT, "malformed scrypt stanza: expected 2 arguments, got %zu", s->nargs - 1);
            a = stanza_arg(r, s, 1, &alen);
            if (alen > 24 || age_b64_decode(a, alen, buf, &n) == -1 || n != 16)
                return err_set(e, ERR_FORMAT, "malformed scrypt stanza: the salt is not 16 bytes of base64");
            a = stanza_arg(r, s, 2, &alen);
            for (n = 0; n < alen && a[n] >= '0' && a[n] <= '9'; n++)
                ;
            if (n != alen || a[0] == '0')
                return err_set(e, ERR_FORMAT, "malformed scrypt stanza: the work factor is not a decimal number");
            if (alen > 2 || (alen == 2 && (a[0] - '0') * 10 + (a[1] - '0') > SCRYPT_MAX_LOG_N))
                return err_set(e, ERR_FORMAT, "scrypt work factor is larger than 2^%d", SCRYPT_MAX_LOG_N);
            if (s->body_len != FILE_KEY_LEN + TAG_LEN)
                return err_set(e, ERR_FORMAT, "malformed scrypt stanza: body is %zu bytes instead of 32", s->body_len);
        }
    }
    return 0;
}

/* bin_write(r, p, n, e): binary age data: header lines, then payload to the owner. */
static int
bin_write(struct reader *r, const unsigned char *p, size_t n, struct err *e)
{
    while (n > 0 && r->hd != HD_DONE) {
        const unsigned char *nl = memchr(p, '\n', n);
        size_t take = nl ? (size_t)(nl - p) + 1 : n;

        if (r->hdr_len + take > HEADER_MAX)
            return err_set(e, ERR_FORMAT, "malformed header: longer than %d bytes", HEADER_MAX);
        if (r->hdr_len + take > r->hdr_cap) {
            size_t cap = r->hdr_cap ? r->hdr_cap : 1024;
            unsigned char *q;
            while (cap < r->hdr_len + take)
                cap *= 2;
            if ((q = realloc(r->hdr, cap)) == NULL)
                return err_set(e, ERR_NOMEM, "out of memory");
            r->hdr = q;
            r->hdr_cap = cap;
        }
        memcpy(r->hdr + r->hdr_len, p, take);
        r->hdr_len += take;
        p += take;
        n -= take;
        if (r->hd == HD_VERSION) { /* fail early on anything that is not age, not at the first LF */
            size_t m = r->hdr_len < sizeof(INTRO_PREFIX) - 1 ? r->hdr_len : sizeof(INTRO_PREFIX) - 1;
            if (memcmp(r->hdr, INTRO_PREFIX, m) != 0 && nl == NULL)
                return err_set(e, ERR_FORMAT, "not an age file");
        }
        if (nl == NULL)
            break;
        if (hdr_line(r, r->hdr + r->line_off, r->hdr_len - 1 - r->line_off, e) == -1)
            return -1;
        r->line_off = r->hdr_len;
        if (r->hd == HD_DONE) {
            if (check_stanzas(r, e) == -1 || r->header_done(r, e) == -1)
                return -1;
            reader_release(r);
        }
    }
    if (n == 0)
        return 0;
    r->payload_len += n;
    return r->payload(r, p, n, e);
}

static int
armor_flush(struct reader *r, struct err *e)
{
    size_t n = r->dec_len;

    r->dec_len = 0;
    return n ? bin_write(r, r->dec, n, e) : 0;
}

static int
armor_err(struct err *e, const char *what)
{
    return err_set(e, ERR_FORMAT, "invalid armor: %s", what);
}

/* armor_line(r, l, len, raw, e): one line without its LF; ${raw} is its length in the input. */
static int
armor_line(struct reader *r, const unsigned char *l, size_t len, size_t raw, struct err *e)
{
    size_t n = 0;
    int blank = 1;

    if (len > 0 && l[len - 1] == '\r') /* CRLF is allowed */
        len--;
    switch (r->armor) {
    case AR_LEADING:
        for (size_t i = 0; i < len; i++)
            blank &= is_space(l[i]);
        if (blank) {
            if ((r->ws += raw) > ARMOR_MAX_WS)
                return armor_err(e, "too much leading whitespace");
            return 0;
        }
        if (!arg_is(l, len, ARMOR_BEGIN)) {
            armor_err(e, "first line is not '" ARMOR_BEGIN "'");
            return err_hint(e, "this does not look like an age file (binary ones start with '" INTRO "')");
        }
        r->armor = AR_BODY;
        return 0;
    case AR_BODY:
        if (arg_is(l, len, ARMOR_END)) {
            r->armor = AR_TRAILING;
            r->ws = 0;
            return 0;
        }
        if (len == 0)
            return armor_err(e, "empty line");
        if (len > COLUMNS)
            return armor_err(e, "line longer than 64 columns");
        if (r->dec_len + BYTES_PER_LINE > sizeof(r->dec) && armor_flush(r, e) == -1)
            return -1;
        if (b64_decode_padded(l, len, r->dec + r->dec_len, &n) == -1)
            return armor_err(e, "line is not canonical base64");
        r->dec_len += n;
        if (n < BYTES_PER_LINE)
            r->armor = AR_END;
        return 0;
    case AR_END:
        if (!arg_is(l, len, ARMOR_END))
            return armor_err(e, "short line before the end");
        r->armor = AR_TRAILING;
        r->ws = 0;
        return 0;
    default:
        assert(0);
        return err_set(e, ERR_INTERNAL, "age: bad armor state");
    }
}

static int
armor_write(struct reader *r, const unsigned char *p, size_t n, struct err *e)
{
    while (n > 0) {
        const unsigned char *nl;
        size_t take;

        if (r->armor == AR_TRAILING) {
            for (size_t i = 0; i < n; i++)
                if (!is_space(p[i]))
                    return armor_err(e, "data after the end line");
            if ((r->ws += n) >= ARMOR_MAX_WS)
                return armor_err(e, "too much trailing whitespace");
            break;
        }
        nl = memchr(p, '\n', n);
        take = nl ? (size_t)(nl - p) + 1 : n;
        if (r->line_len + take > sizeof(r->line))
            return armor_err(e, r->armor == AR_LEADING ? "first line is not '" ARMOR_BEGIN "'"
                                                       : "line longer than 64 columns");
        memcpy(r->line + r->line_len, p, take);
        r->line_len += take;
        p += take;
        n -= take;
        if (nl != NULL) {
            size_t raw = r->line_len;
            r->line_len = 0;
            if (armor_line(r, r->line, raw - 1, raw, e) == -1)
                return -1;
        }
    }
    return armor_flush(r, e);
}

static int
reader_write(struct reader *r, const unsigned char *p, size_t n, struct err *e)
{
    if (n == 0)
        return 0;
    if (r->in == IN_DETECT) /* binary age starts with "age-encryption.org/"; anything else must be armor */
        r->in = p[0] == 'a' ? IN_BINARY : IN_ARMOR;
    return r->in == IN_BINARY ? bin_write(r, p, n, e) : armor_write(r, p, n, e);
}

/* reader_finish(r, e): the end of the input: the armor must be complete, and so must the header. */
static int
reader_finish(struct reader *r, struct err *e)
{
    if (r->in == IN_DETECT)
        return err_set(e, ERR_FORMAT, "not an age file: the input is empty");
    if (r->in == IN_ARMOR) {
        if (r->line_len > 0 && r->armor != AR_TRAILING) { /* a last line without LF */
            size_t raw = r->line_len;
            r->line_len = 0;
            if (armor_line(r, r->line, raw, raw, e) == -1)
                return -1;
        }
        if (armor_flush(r, e) == -1)
            return -1;
        if (r->armor == AR_LEADING)
            return armor_err(e, "no '" ARMOR_BEGIN "' line");
        if (r->armor != AR_TRAILING)
            return armor_err(e, "no '" ARMOR_END "' line");
    }
    if (r->hd != HD_DONE)
        return err_set(e, ERR_FORMAT, "truncated: the header is incomplete");
    return 0;
}

/*
 * Decryption
 */

struct dec_stage {
    struct stage base;
    struct reader rd;
    struct age_identity **ids;
    size_t nids;
    struct secret *file_key;
    unsigned char nonce[NONCE_LEN];
    size_t nonce_len;
    EVP_CIPHER_CTX *cctx;
    unsigned char *cbuf; /* ciphertext of the chunk being collected */
    size_t clen;
    unsigned char *pbuf; /* plaintext of one chunk, emitted only once authenticated */
    uint64_t counter;    /* chunks authenticated so far */
    int final_seen, failed;
};

/* unwrap(d, s, out, e): try every identity on X25519 stanza ${s}. 0 found, 1 no match, -1 error. */
static int
unwrap_x25519(struct dec_stage *d, const struct stanza *s, size_t idx, unsigned char *out, struct err *e)
{
    unsigned char share[KEY_LEN + 3], shared[KEY_LEN], salt[2 * KEY_LEN], key[KEY_LEN];
    size_t alen, n = 0;
    const unsigned char *a = stanza_arg(&d->rd, s, 1, &alen);
    int rc = -1;

    if (age_b64_decode(a, alen, share, &n) == -1 || n != KEY_LEN)
        return err_set(e, ERR_INTERNAL, "age: unchecked X25519 stanza");
    memcpy(salt, share, KEY_LEN);
    for (size_t i = 0; i < d->nids; i++) {
        int r;
        if (d->ids[i]->type != AGE_KEY_X25519)
            continue;
        if ((r = age_x25519_shared(shared, d->ids[i]->pkey, share, e)) == -1)
            goto out;
        if (r == 1) {
            err_set(e, ERR_FORMAT, "malformed X25519 stanza %zu: low-order share", idx + 1);
            goto out;
        }
        memcpy(salt + KEY_LEN, d->ids[i]->pub, KEY_LEN);
        if (age_hkdf(key, shared, KEY_LEN, salt, sizeof(salt), X25519_LABEL, e) == -1)
            goto out;
        if ((r = age_open_zero(key, s->body, s->body_len, out, e)) != 1) {
            rc = r;
            goto out;
        }
    }
    rc = 1;
out:
    secret_wipe(shared, sizeof(shared));
    secret_wipe(key, sizeof(key));
    return rc;
}

/* unwrap_scrypt(d, s, out, tried, e): try every passphrase on scrypt stanza ${s}; like unwrap_x25519. */
static int
unwrap_scrypt(struct dec_stage *d, const struct stanza *s, unsigned char *out, int *tried, struct err *e)
{
    unsigned char salt[SCRYPT_SALT_LEN + 2], key[KEY_LEN];
    size_t alen, n = 0;
    const unsigned char *a = stanza_arg(&d->rd, s, 1, &alen);
    int log_n = 0, rc = 1;

    if (age_b64_decode(a, alen, salt, &n) == -1 || n != SCRYPT_SALT_LEN)
        return err_set(e, ERR_INTERNAL, "age: unchecked scrypt stanza");
    a = stanza_arg(&d->rd, s, 2, &alen);
    for (size_t i = 0; i < alen; i++) /* checked: at most 2 digits, at most SCRYPT_MAX_LOG_N */
        log_n = log_n * 10 + (a[i] - '0');
    for (size_t i = 0; i < d->nids && rc == 1; i++) {
        if (d->ids[i]->type != AGE_KEY_SCRYPT)
            continue;
        *tried = 1;
        if (scrypt_key(key, d->ids[i]->pass, salt, log_n, e) == -1)
            rc = -1;
        else
            rc = age_open_zero(key, s->body, s->body_len, out, e);
    }
    secret_wipe(key, sizeof(key));
    return rc;
}

/* unwrap_ssh(d, s, type, out, e): try every SSH identity of ${type} on stanza ${s}; like unwrap_x25519. */
static int
unwrap_ssh(struct dec_stage *d, const struct stanza *s, enum age_key_type type, unsigned char *out, struct err *e)
{
    struct age_stanza_view v;

    memset(&v, 0, sizeof(v));
    v.nargs = s->nargs - 1;
    for (size_t i = 0; i < v.nargs && i < 4; i++)
        v.arg[i] = stanza_arg(&d->rd, s, i + 1, &v.arg_len[i]);
    v.body = s->body;
    v.body_len = s->body_len;
    for (size_t i = 0; i < d->nids; i++) {
        int rc;
        if (d->ids[i]->type != type)
            continue;
        if ((rc = age_ssh_unwrap(d->ids[i], &v, out, e)) != 1)
            return rc;
    }
    return 1;
}

static int
dec_header_done(struct reader *r, struct err *e)
{
    struct dec_stage *d = (struct dec_stage *)((char *)r - offsetof(struct dec_stage, rd));
    unsigned char mac[MAC_LEN];
    int tried_pass = 0, have_pass = 0;

    for (size_t i = 0; i < d->nids; i++)
        have_pass |= d->ids[i]->type == AGE_KEY_SCRYPT;
    for (size_t i = 0; i < r->nst; i++) {
        size_t tlen;
        const unsigned char *type = stanza_arg(r, &r->st[i], 0, &tlen);
        int rc = 1;
        if (arg_is(type, tlen, "X25519"))
            rc = unwrap_x25519(d, &r->st[i], i, d->file_key->data, e);
        else if (arg_is(type, tlen, "scrypt"))
            rc = unwrap_scrypt(d, &r->st[i], d->file_key->data, &tried_pass, e);
        else if (arg_is(type, tlen, "ssh-ed25519"))
            rc = unwrap_ssh(d, &r->st[i], AGE_KEY_SSH_ED25519, d->file_key->data, e);
        else if (arg_is(type, tlen, "ssh-rsa"))
            rc = unwrap_ssh(d, &r->st[i], AGE_KEY_SSH_RSA, d->file_key->data, e);
        if (rc == -1)
            return -1;
        if (rc == 0)
            goto found;
    }
    if (tried_pass)
        return err_set(e, ERR_KEY, "wrong passphrase");
    if (r->scrypt && !have_pass) {
        err_set(e, ERR_KEY, "the file is passphrase-encrypted and no passphrase was given");
        return err_hint(e, "decrypt it with 'age -d' and the passphrase");
    }
    if (r->nst == 1)
        err_set(e, ERR_KEY, "no identity matches the file's only recipient stanza");
    else
        err_set(e, ERR_KEY, "no identity matches any of the %zu recipient stanzas", r->nst);
    if (r->nknown == 0)
        return err_hint(e, "the file has no X25519, ssh-ed25519, ssh-rsa or scrypt stanzas: it was encrypted to "
                           "recipient types not supported here");
    return err_hint(e, "check the identity file; the backup's manifest lists the recipients it was encrypted to");
found:
    if (header_mac(mac, d->file_key->data, r->hdr, r->mac_off, e) == -1)
        return -1;
    if (CRYPTO_memcmp(mac, r->mac, MAC_LEN) != 0)
        return err_set(e, ERR_FORMAT, "header MAC mismatch");
    return 0;
}

/* dec_open(d, in, n, last): 1 if the chunk at ${in} authenticates as (non-)final chunk d->counter. */
static int
dec_open(struct dec_stage *d, const unsigned char *in, size_t n, int last, struct err *e)
{
    unsigned char nonce[AEAD_NONCE_LEN];
    int l1 = 0, l2 = 0;

    assert(n >= TAG_LEN && n <= ENC_CHUNK_LEN);
    stream_nonce(nonce, d->counter, last);
    if (EVP_DecryptInit_ex(d->cctx, NULL, NULL, NULL, nonce) != 1 ||
        (n > TAG_LEN && EVP_DecryptUpdate(d->cctx, d->pbuf, &l1, in, (int)(n - TAG_LEN)) != 1) ||
        EVP_CIPHER_CTX_ctrl(d->cctx, EVP_CTRL_AEAD_SET_TAG, TAG_LEN, (void *)(uintptr_t)(in + n - TAG_LEN)) != 1)
        return age_crypto_fail(e, "ChaCha20-Poly1305 decryption");
    if (EVP_DecryptFinal_ex(d->cctx, d->pbuf + l1, &l2) != 1) {
        ERR_clear_error();
        secret_wipe(d->pbuf, n - TAG_LEN); /* never leave unauthenticated plaintext around */
        return 0;
    }
    return 1;
}

/*
 * dec_chunk(d, in, n, at_end, e): a complete chunk. A full-size chunk is tried as non-final first and
 * then as final: the flag in the nonce says which it is, so nothing waits for the next byte. A short
 * chunk (only seen at the end of input) must be final.
 */
static int
dec_chunk(struct dec_stage *d, const unsigned char *in, size_t n, struct err *e)
{
    int ok = 0;

    if (n == ENC_CHUNK_LEN && (ok = dec_open(d, in, n, 0, e)) == -1)
        return -1;
    if (!ok) {
        if ((ok = dec_open(d, in, n, 1, e)) == -1)
            return -1;
        if (!ok)
            return err_set(e, ERR_FORMAT, "chunk %llu failed authentication", (unsigned long long)d->counter + 1);
        d->final_seen = 1;
    }
    d->counter++;
    return stage_emit(&d->base, d->pbuf, n - TAG_LEN, e);
}

static int
dec_payload(struct reader *r, const unsigned char *p, size_t n, struct err *e)
{
    struct dec_stage *d = (struct dec_stage *)((char *)r - offsetof(struct dec_stage, rd));

    while (n > 0) {
        size_t take;
        if (d->nonce_len < NONCE_LEN) {
            take = NONCE_LEN - d->nonce_len < n ? NONCE_LEN - d->nonce_len : n;
            memcpy(d->nonce + d->nonce_len, p, take);
            d->nonce_len += take;
            p += take;
            n -= take;
            if (d->nonce_len == NONCE_LEN) {
                if (stream_init(d->cctx, d->file_key->data, d->nonce, 0, e) == -1)
                    return -1;
                secret_free(d->file_key); /* the cipher context holds the payload key from here on */
                d->file_key = NULL;
            }
            continue;
        }
        if (d->final_seen)
            return err_set(e, ERR_FORMAT, "trailing data after final chunk");
        if (d->clen == 0 && n >= ENC_CHUNK_LEN) { /* open straight from the caller's buffer */
            if (dec_chunk(d, p, ENC_CHUNK_LEN, e) == -1)
                return -1;
            p += ENC_CHUNK_LEN;
            n -= ENC_CHUNK_LEN;
            continue;
        }
        take = ENC_CHUNK_LEN - d->clen < n ? ENC_CHUNK_LEN - d->clen : n;
        memcpy(d->cbuf + d->clen, p, take);
        d->clen += take;
        p += take;
        n -= take;
        if (d->clen == ENC_CHUNK_LEN) {
            d->clen = 0;
            if (dec_chunk(d, d->cbuf, ENC_CHUNK_LEN, e) == -1)
                return -1;
        }
    }
    return 0;
}

static int
dec_write(struct stage *st, const void *buf, size_t len, struct err *e)
{
    struct dec_stage *d = (struct dec_stage *)st;

    if (d->failed)
        return err_set(e, ERR_INTERNAL, "age decryption: write after an error");
    if (reader_write(&d->rd, buf, len, e) == -1) {
        d->failed = 1;
        return -1;
    }
    return 0;
}

static int
dec_finish(struct stage *st, struct err *e)
{
    struct dec_stage *d = (struct dec_stage *)st;
    int rc = -1;

    if (d->failed)
        return err_set(e, ERR_INTERNAL, "age decryption: finish after an error");
    if (reader_finish(&d->rd, e) == -1)
        goto out;
    if (d->nonce_len < NONCE_LEN) {
        err_set(e, ERR_FORMAT, "truncated: payload nonce missing");
        goto out;
    }
    if (!d->final_seen) {
        if (d->clen == 0) {
            err_set(e, ERR_FORMAT, "truncated: final chunk missing");
            goto out;
        }
        if (d->clen < TAG_LEN) {
            err_set(e, ERR_FORMAT, "chunk %llu failed authentication", (unsigned long long)d->counter + 1);
            err_hint(e, "the input ends inside chunk %llu: the file may be truncated",
                     (unsigned long long)d->counter + 1);
            goto out;
        }
        if (d->clen == TAG_LEN && d->counter > 0) {
            err_set(e, ERR_FORMAT, "chunk %llu is an empty final chunk", (unsigned long long)d->counter + 1);
            goto out;
        }
        if (dec_chunk(d, d->cbuf, d->clen, e) == -1) {
            if (e->code == ERR_FORMAT)
                err_hint(e, "the input ends inside chunk %llu: the file may be truncated",
                         (unsigned long long)d->counter + 1);
            goto out;
        }
        d->clen = 0;
    }
    rc = 0;
out:
    d->failed = 1;
    return rc;
}

static void
dec_free(struct stage *st)
{
    struct dec_stage *d = (struct dec_stage *)st;

    stage_free(d->base.next);
    reader_release(&d->rd);
    secret_free(d->file_key);
    EVP_CIPHER_CTX_free(d->cctx);
    if (d->pbuf != NULL)
        secret_wipe(d->pbuf, CHUNK_LEN);
    free(d->pbuf);
    free(d->cbuf);
    free(d->ids);
    free(d);
}

static const struct stage_ops dec_ops = {"age-dec", dec_write, dec_finish, dec_free};

struct stage *
age_decrypt_new(struct age_identity *const *ids, size_t n, struct stage *next, struct err *e)
{
    struct dec_stage *d = calloc(1, sizeof(*d));

    if (d == NULL) {
        stage_free(next);
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    d->base.ops = &dec_ops;
    d->base.next = next;
    d->rd.header_done = dec_header_done;
    d->rd.payload = dec_payload;
    if (n == 0) {
        err_set(e, ERR_KEY, "no identities");
        goto fail;
    }
    if ((d->ids = calloc(n, sizeof(*d->ids))) == NULL || (d->cbuf = malloc(ENC_CHUNK_LEN)) == NULL ||
        (d->pbuf = malloc(CHUNK_LEN)) == NULL || (d->cctx = EVP_CIPHER_CTX_new()) == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto fail;
    }
    if ((d->file_key = secret_new(FILE_KEY_LEN, e)) == NULL)
        goto fail;
    memcpy(d->ids, ids, n * sizeof(*ids));
    d->nids = n;
    return &d->base;
fail:
    dec_free(&d->base);
    return NULL;
}

/*
 * Scan
 */

struct scan_stage {
    struct stage base;
    struct reader rd;
    struct age_header_info info;
    int failed, have_info;
};

static int
scan_header_done(struct reader *r, struct err *e)
{
    struct scan_stage *s = (struct scan_stage *)((char *)r - offsetof(struct scan_stage, rd));

    (void)e;
    s->info.stanzas = r->nst;
    s->info.x25519_stanzas = r->nx25519;
    s->info.armored = r->in == IN_ARMOR;
    s->have_info = 1;
    return 0;
}

static int
scan_payload(struct reader *r, const unsigned char *p, size_t n, struct err *e)
{
    (void)r, (void)p, (void)n, (void)e; /* reader counts payload_len */
    return 0;
}

static int
scan_write(struct stage *st, const void *buf, size_t len, struct err *e)
{
    struct scan_stage *s = (struct scan_stage *)st;

    if (s->failed)
        return err_set(e, ERR_INTERNAL, "age scan: write after an error");
    if (reader_write(&s->rd, buf, len, e) == -1) {
        s->failed = 1;
        return -1;
    }
    return stage_emit(st, buf, len, e);
}

/* Without the key, the payload can still be checked for a length that STREAM can produce. */
static int
scan_finish(struct stage *st, struct err *e)
{
    struct scan_stage *s = (struct scan_stage *)st;
    uint64_t len, last;

    if (s->failed)
        return err_set(e, ERR_INTERNAL, "age scan: finish after an error");
    s->failed = 1;
    if (reader_finish(&s->rd, e) == -1)
        return -1;
    if (s->rd.payload_len < NONCE_LEN)
        return err_set(e, ERR_FORMAT, "truncated: payload nonce missing");
    len = s->rd.payload_len - NONCE_LEN;
    if (len == 0)
        return err_set(e, ERR_FORMAT, "truncated: final chunk missing");
    last = len % ENC_CHUNK_LEN;
    if (last == 0)
        last = ENC_CHUNK_LEN;
    if (last < TAG_LEN || (last == TAG_LEN && len > TAG_LEN))
        return err_set(e, ERR_FORMAT, "truncated: payload of %llu bytes cannot end with a final chunk",
                       (unsigned long long)len);
    return 0;
}

static void
scan_free(struct stage *st)
{
    struct scan_stage *s = (struct scan_stage *)st;

    stage_free(s->base.next);
    reader_release(&s->rd);
    free(s);
}

static const struct stage_ops scan_ops = {"age-scan", scan_write, scan_finish, scan_free};

struct stage *
age_scan_new(struct stage *next, struct err *e)
{
    struct scan_stage *s = calloc(1, sizeof(*s));

    if (s == NULL) {
        stage_free(next);
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    s->base.ops = &scan_ops;
    s->base.next = next;
    s->rd.header_done = scan_header_done;
    s->rd.payload = scan_payload;
    return &s->base;
}

int
age_scan_info(const struct stage *st, struct age_header_info *info)
{
    const struct scan_stage *s = (const struct scan_stage *)st;

    if (st->ops != &scan_ops || !s->have_info)
        return -1;
    *info = s->info;
    return 0;
}

/*
 * Passphrase-protected identity files
 */

/* A sink that collects plaintext in a secret buffer of fixed capacity. */
struct secret_sink {
    struct stage base;
    struct secret *buf;
};

static int
secret_sink_write(struct stage *st, const void *p, size_t n, struct err *e)
{
    struct secret_sink *s = (struct secret_sink *)st;

    if (n > s->buf->cap - s->buf->len)
        return err_set(e, ERR_FORMAT, "the decrypted identity file is larger than %zu bytes", s->buf->cap);
    memcpy(s->buf->data + s->buf->len, p, n);
    s->buf->len += n;
    return 0;
}

static void
secret_sink_free(struct stage *st)
{
    struct secret_sink *s = (struct secret_sink *)st;

    secret_free(s->buf);
    free(s);
}

static const struct stage_ops secret_sink_ops = {"secret", secret_sink_write, NULL, secret_sink_free};

int
age_identity_load_encrypted(const char *text, size_t len, const struct secret *pass, struct age_identity **out,
                            size_t max, struct err *e)
{
    struct secret_sink *sink = calloc(1, sizeof(*sink));
    struct age_identity *pid = NULL;
    struct stage *dec = NULL;
    int n = -1;

    if (age_ssh_is_identity(text, len)) { /* an OpenSSH private key, perhaps with a passphrase */
        free(sink);
        if (max == 0)
            return err_set(e, ERR_KEY, "more than %zu identities", max);
        return (out[0] = age_ssh_identity_parse(text, len, pass, e)) == NULL ? -1 : 1;
    }
    if (sink == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        return -1;
    }
    sink->base.ops = &secret_sink_ops;
    if ((sink->buf = secret_new(len, e)) == NULL) { /* the plaintext is shorter than the file */
        free(sink);
        return -1;
    }
    sink->buf->len = 0;
    if ((pid = age_identity_scrypt_new(pass->data, pass->len, e)) == NULL) {
        secret_sink_free(&sink->base);
        return -1;
    }
    if ((dec = age_decrypt_new(&pid, 1, &sink->base, e)) == NULL)
        goto out;
    if (stage_write(dec, text, len, e) == -1 || stage_finish(dec, e) == -1) {
        if (e->code == ERR_KEY && strncmp(e->msg, "no identity matches", 19) == 0)
            err_set(e, ERR_KEY, "not a passphrase-protected identity file: it is encrypted to other keys");
        goto out;
    }
    if (age_identity_encrypted((const char *)sink->buf->data, sink->buf->len)) {
        err_set(e, ERR_KEY, "the identity file is encrypted twice");
        goto out;
    }
    n = age_identity_load((const char *)sink->buf->data, sink->buf->len, out, max, e);
out:
    stage_free(dec);
    age_identity_free(pid);
    return n;
}

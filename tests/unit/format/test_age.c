/*
 * age: keys, round trips in every piece size, forged, truncated and reordered files, armor, the key-less
 * scan, passphrases (scrypt) and passphrase-protected identity files, the C2SP CCTV vectors (from
 * $AGE_VECTORS_DIR, written by tests/data/age-vectors.js), SSH keys made by ssh-keygen (ssh-ed25519,
 * ssh-rsa) and interop with the age and age-keygen programs (passphrases through tests/data/pty-run.py).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "format/age.h"
#include "format/bech32.h"
#include "stage/stage.h"
#include "stagetest.h"
#include "test.h"
#include "util/err.h"
#include "util/secret.h"

#define CHUNK 65536
#define ENC_CHUNK (CHUNK + 16)

/* The example key pair of C2SP age.md, "The X25519 recipient type". */
static const char spec_identity[] = "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX";
static const char spec_recipient[] = "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj";

/* Keys shared by the tests: two identities and their recipients, and one that matches neither. */
static struct age_identity *id1, *id2, *id_other;
static struct age_recipient *rc1, *rc2;

static unsigned char *
sample(size_t n, unsigned seed)
{
    unsigned char *p = malloc(n ? n : 1);
    uint32_t x = seed * 2654435761u + 1;

    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        p[i] = (unsigned char)x;
    }
    return p;
}

static unsigned char *
dup_mem(const void *p, size_t n)
{
    unsigned char *q = malloc(n ? n : 1);

    if (n > 0) /* an empty stage_buf has no data pointer */
        memcpy(q, p, n);
    return q;
}

/* encrypt(in, n, rcpts, nr, piece, outlen): ciphertext (caller frees) or NULL. */
static unsigned char *
encrypt(const unsigned char *in, size_t n, struct age_recipient *const *rcpts, size_t nr, size_t piece, size_t *outlen)
{
    struct err e;
    struct stage *buf = stage_buf_new(SIZE_MAX, &e), *s;
    unsigned char *out = NULL;

    if (buf == NULL || (s = age_encrypt_new(rcpts, nr, buf, &e)) == NULL) {
        fprintf(stderr, "encrypt: %s\n", e.msg);
        return NULL;
    }
    if (stagetest_feed(s, in, n, piece, &e) == 0) {
        const unsigned char *d = stage_buf_data(buf, outlen);
        out = dup_mem(d, *outlen);
    } else {
        fprintf(stderr, "encrypt: %s\n", e.msg);
    }
    stage_free(s);
    return out;
}

/*
 * decrypt(in, n, ids, nids, piece, out, outlen, e): feed ${in} to a decryption stage in pieces. Returns
 * 0 or -1; *out always receives what the stage emitted (caller frees), also on failure.
 */
static int
decrypt(const unsigned char *in, size_t n, struct age_identity *const *ids, size_t nids, size_t piece,
        unsigned char **out, size_t *outlen, struct err *e)
{
    struct stage *buf = stage_buf_new(SIZE_MAX, e), *s;
    const unsigned char *d;
    int rc;

    *out = NULL;
    *outlen = 0;
    if (buf == NULL || (s = age_decrypt_new(ids, nids, buf, e)) == NULL)
        return -1;
    rc = stagetest_feed(s, in, n, piece, e);
    d = stage_buf_data(buf, outlen);
    *out = dup_mem(d, *outlen);
    stage_free(s);
    return rc;
}

/* scan(in, n, piece, info, e): run the key-less scan; checks that the bytes pass through unchanged. */
static int
scan(const unsigned char *in, size_t n, size_t piece, struct age_header_info *info, struct err *e)
{
    struct stage *buf = stage_buf_new(SIZE_MAX, e), *s;
    const unsigned char *d;
    size_t len;
    int rc;

    if (buf == NULL || (s = age_scan_new(buf, e)) == NULL)
        return -1;
    rc = stagetest_feed(s, in, n, piece, e);
    d = stage_buf_data(buf, &len);
    if (rc == 0 && (len != n || memcmp(d, in, n) != 0))
        rc = err_set(e, ERR_INTERNAL, "scan changed the bytes passing through");
    if (rc == 0 && age_scan_info(s, info) == -1)
        rc = err_set(e, ERR_INTERNAL, "scan has no header info after finish");
    stage_free(s);
    return rc;
}

/* armor(in, n, crlf, outlen): the armored form of ${in}, as age -a writes it (optionally with CRLF). */
static unsigned char *
armor(const unsigned char *in, size_t n, int crlf, size_t *outlen)
{
    static const char *b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t cap = 100 + (n / 48 + 1) * 67, o = 0;
    unsigned char *out = malloc(cap);
    const char *eol = crlf ? "\r\n" : "\n";

    o += (size_t)sprintf((char *)out + o, "-----BEGIN AGE ENCRYPTED FILE-----%s", eol);
    for (size_t i = 0; i < n; i += 48) {
        size_t m = n - i < 48 ? n - i : 48;
        for (size_t j = 0; j < m; j += 3) {
            uint32_t v = (uint32_t)in[i + j] << 16;
            size_t k = m - j < 3 ? m - j : 3;
            if (k > 1)
                v |= (uint32_t)in[i + j + 1] << 8;
            if (k > 2)
                v |= in[i + j + 2];
            out[o++] = (unsigned char)b64[v >> 18];
            out[o++] = (unsigned char)b64[(v >> 12) & 63];
            out[o++] = k > 1 ? (unsigned char)b64[(v >> 6) & 63] : '=';
            out[o++] = k > 2 ? (unsigned char)b64[v & 63] : '=';
        }
        o += (size_t)sprintf((char *)out + o, "%s", eol);
    }
    o += (size_t)sprintf((char *)out + o, "-----END AGE ENCRYPTED FILE-----%s", eol);
    *outlen = o;
    return out;
}

/* hdr_len(ct, n): the length of the header through the MAC line's LF. */
static size_t
hdr_len(const unsigned char *ct, size_t n)
{
    for (size_t i = 0; i + 4 < n; i++)
        if ((i == 0 || ct[i - 1] == '\n') && memcmp(ct + i, "--- ", 4) == 0) {
            const unsigned char *nl = memchr(ct + i, '\n', n - i);
            return nl ? (size_t)(nl - ct) + 1 : 0;
        }
    return 0;
}

/*
 * Keys
 */

TEST(keys_spec_example)
{
    struct err e;
    struct age_identity *id = age_identity_parse(spec_identity, strlen(spec_identity), &e);
    struct age_recipient *r = id ? age_identity_recipient(id, &e) : NULL, *r2;

    CHECK(r != NULL);
    CHECK_EQ_STR(age_recipient_string(r), spec_recipient);
    r2 = age_recipient_parse(spec_recipient, &e);
    CHECK(r2 != NULL);
    CHECK_EQ_STR(age_recipient_string(r2), spec_recipient);
    age_recipient_free(r);
    age_recipient_free(r2);
    age_identity_free(id);
}

TEST(keys_keygen)
{
    struct err e;
    struct age_recipient *r = NULL, *r2;
    struct secret *s = age_keygen(&r, &e);
    struct age_identity *id;

    CHECK(s != NULL && r != NULL);
    CHECK_EQ_INT(s->len, 74);
    CHECK(memcmp(s->data, "AGE-SECRET-KEY-1", 16) == 0);
    for (size_t i = 0; i < s->len; i++)
        CHECK(s->data[i] == '-' || (s->data[i] >= 'A' && s->data[i] <= 'Z') ||
              (s->data[i] >= '0' && s->data[i] <= '9'));
    CHECK(strncmp(age_recipient_string(r), "age1", 4) == 0);
    CHECK_EQ_INT(strlen(age_recipient_string(r)), 62);
    id = age_identity_parse((const char *)s->data, s->len, &e);
    CHECK(id != NULL);
    r2 = age_identity_recipient(id, &e);
    CHECK(r2 != NULL);
    CHECK_EQ_STR(age_recipient_string(r2), age_recipient_string(r));
    age_recipient_free(r2);
    age_identity_free(id);
    age_recipient_free(r);
    secret_free(s);
}

TEST(keys_recipient_errors)
{
    static const char *bad[] = {
        "",
        "age1",
        "AGE1ZVKYG2LQZRAA2LNJVQEJ32NKUU0UES2S82HZRYE869XEEXVN73EQUNUJWJ",  /* upper case */
        "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwJ",  /* mixed case */
        "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwq",  /* checksum */
        "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujw",   /* short */
        "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj ", /* trailing space */
        spec_identity,
    };
    struct err e;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct age_recipient *r = age_recipient_parse(bad[i], &e);
        CHECK(r == NULL);
        CHECK_EQ_INT(e.code, ERR_KEY);
        CHECK_CONTAINS(e.msg, "malformed recipient");
    }
    CHECK(age_recipient_parse("age1pq1x34nzsvr0rxjsgdn8zgyhfe8j7ceq5r9rdelkjuh3y235jzxshfg87pzf5zrqtzd", &e) == NULL);
    CHECK_CONTAINS(e.msg, "unsupported recipient type 'age1pq1...'");
    CHECK(age_recipient_parse("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKx", &e) == NULL);
    CHECK_EQ_INT(e.code, ERR_KEY);
    CHECK_CONTAINS(e.msg, "malformed SSH public key");
    CHECK(age_recipient_parse("ssh-ed25519", &e) == NULL);
    CHECK_CONTAINS(e.msg, "malformed SSH public key");
    CHECK(age_recipient_parse("ssh-dss AAAAB3NzaC1kc3MAAACBAP", &e) == NULL);
    CHECK_CONTAINS(e.msg, "unsupported SSH key type 'ssh-dss'");
    /* an Ed25519 key whose y has no x on the curve (y = 2) */
    CHECK(age_recipient_parse("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", &e) ==
          NULL);
    CHECK_CONTAINS(e.msg, "not a point on the curve");
}

TEST(keys_identity_errors)
{
    static const char pq[] = "AGE-SECRET-KEY-PQ-1HZLGZUPT4ETPKDEV8HSGFDCYZ4E522W0A7PU2LHT8EH9W6YLNC3SW78XKG";
    char lower[sizeof(spec_identity)], bad[sizeof(spec_identity)];
    struct age_identity *id;
    struct err e;

    for (size_t i = 0; i < sizeof(spec_identity); i++)
        lower[i] =
            (char)(spec_identity[i] >= 'A' && spec_identity[i] <= 'Z' ? spec_identity[i] + 32 : spec_identity[i]);
    id = age_identity_parse(lower, strlen(lower), &e);
    CHECK(id == NULL);
    CHECK_EQ_INT(e.code, ERR_KEY);
    memcpy(bad, spec_identity, sizeof(bad));
    bad[30] = bad[30] == 'Q' ? 'P' : 'Q';
    id = age_identity_parse(bad, strlen(bad), &e);
    CHECK(id == NULL);
    CHECK_CONTAINS(e.msg, "malformed secret key");
    CHECK(strstr(e.msg, "GFPYYSJZ") == NULL); /* the key never appears in a message */
    id = age_identity_parse(spec_recipient, strlen(spec_recipient), &e);
    CHECK(id == NULL);
    id = age_identity_parse(spec_identity, strlen(spec_identity) - 1, &e);
    CHECK(id == NULL);
    CHECK_EQ_INT(e.code, ERR_KEY);
    id = age_identity_parse(pq, strlen(pq), &e);
    CHECK(id == NULL);
    CHECK_CONTAINS(e.msg, "unsupported identity type 'AGE-SECRET-KEY-PQ-1...'");
}

TEST(keys_identity_load)
{
    struct age_identity *ids[4] = {NULL};
    struct age_recipient *r;
    char text[512];
    struct err e;
    int n;

    snprintf(text, sizeof(text), "# created: today\r\n# public key: %s\r\n%s\r\n\n   \n#\n%s", spec_recipient,
             spec_identity, spec_identity);
    n = age_identity_load(text, strlen(text), ids, 4, &e);
    CHECK_EQ_INT(n, 2);
    r = age_identity_recipient(ids[1], &e);
    CHECK(r != NULL);
    CHECK_EQ_STR(age_recipient_string(r), spec_recipient);
    age_recipient_free(r);
    age_identity_free(ids[0]);
    age_identity_free(ids[1]);

    n = age_identity_load(text, strlen(text), ids, 1, &e);
    CHECK_EQ_INT(n, -1);
    CHECK(ids[0] == NULL);
    CHECK_CONTAINS(e.msg, "more than 1 identities");

    snprintf(text, sizeof(text), "%s\n# comment\nAGE-SECRET-KEY-1QQQQ\n", spec_identity);
    n = age_identity_load(text, strlen(text), ids, 4, &e);
    CHECK_EQ_INT(n, -1);
    CHECK_CONTAINS(e.msg, "line 3");
    CHECK(ids[0] == NULL);

    n = age_identity_load("# nothing\n\n", 11, ids, 4, &e);
    CHECK_EQ_INT(n, -1);
    CHECK_EQ_INT(e.code, ERR_KEY);
}

/*
 * Round trips: sizes around the chunk size, encrypted and decrypted in every piece size.
 */

static size_t rt_size;

TEST(roundtrip)
{
    unsigned char *in = sample(rt_size, (unsigned)rt_size), *ct, *out;
    size_t ctlen, outlen, chunks = rt_size == 0 ? 1 : (rt_size + CHUNK - 1) / CHUNK, h;
    struct age_recipient *r[] = {rc1};
    struct age_identity *ids[] = {id1};
    struct err e;

    ct = encrypt(in, rt_size, r, 1, 0, &ctlen);
    CHECK(ct != NULL);
    h = hdr_len(ct, ctlen);
    CHECK(h > 0);
    CHECK_EQ_INT(ctlen, h + 16 + rt_size + 16 * chunks);
    /* one-shot ciphertext, decrypted in every piece size */
    for (size_t i = 0; i < STAGETEST_NPIECES; i++) {
        int rc = decrypt(ct, ctlen, ids, 1, stagetest_pieces[i], &out, &outlen, &e);
        if (rc == -1)
            fprintf(stderr, "roundtrip %zu piece %zu: %s\n", rt_size, stagetest_pieces[i], e.msg);
        CHECK(rc == 0);
        CHECK_EQ_INT(outlen, rt_size);
        CHECK_MEM(out, in, rt_size);
        free(out);
    }
    free(ct);
    /* ciphertext written in every piece size decrypts in one shot */
    for (size_t i = 0; i < STAGETEST_NPIECES; i++) {
        ct = encrypt(in, rt_size, r, 1, stagetest_pieces[i], &ctlen);
        CHECK(ct != NULL);
        CHECK_EQ_INT(ctlen, h + 16 + rt_size + 16 * chunks);
        CHECK(decrypt(ct, ctlen, ids, 1, 0, &out, &outlen, &e) == 0);
        CHECK_EQ_INT(outlen, rt_size);
        CHECK_MEM(out, in, rt_size);
        free(out);
        free(ct);
    }
    free(in);
}

TEST(header_layout)
{
    struct age_recipient *r[] = {rc1, rc2};
    unsigned char *ct;
    size_t ctlen, h;
    const char *p;

    ct = encrypt((const unsigned char *)"x", 1, r, 2, 0, &ctlen);
    CHECK(ct != NULL);
    h = hdr_len(ct, ctlen);
    /* version, two stanzas of two lines each, the MAC line */
    CHECK_EQ_INT(h, 22 + 2 * (54 + 44) + 48);
    p = (const char *)ct;
    CHECK(memcmp(p, "age-encryption.org/v1\n-> X25519 ", 32) == 0);
    CHECK(memcmp(p + 22 + 98, "-> X25519 ", 10) == 0);
    CHECK(memcmp(p + 22 + 196, "--- ", 4) == 0);
    CHECK(p[h - 1] == '\n');
    CHECK_EQ_INT(ctlen, h + 16 + 1 + 16);
    free(ct);
}

TEST(two_recipients)
{
    unsigned char *in = sample(100000, 7), *ct, *out;
    size_t ctlen, outlen;
    struct age_recipient *r[] = {rc1, rc2};
    struct age_identity *a[] = {id1}, *b[] = {id2}, *wrong[] = {id_other}, *both[] = {id_other, id2};
    struct err e;

    ct = encrypt(in, 100000, r, 2, 4093, &ctlen);
    CHECK(ct != NULL);
    CHECK(decrypt(ct, ctlen, a, 1, 0, &out, &outlen, &e) == 0);
    CHECK(outlen == 100000 && memcmp(out, in, outlen) == 0);
    free(out);
    CHECK(decrypt(ct, ctlen, b, 1, 7, &out, &outlen, &e) == 0);
    CHECK(outlen == 100000 && memcmp(out, in, outlen) == 0);
    free(out);
    CHECK(decrypt(ct, ctlen, both, 2, 0, &out, &outlen, &e) == 0);
    CHECK(outlen == 100000 && memcmp(out, in, outlen) == 0);
    free(out);
    CHECK(decrypt(ct, ctlen, wrong, 1, 0, &out, &outlen, &e) == -1);
    CHECK_EQ_INT(e.code, ERR_KEY);
    CHECK_EQ_STR(e.msg, "no identity matches any of the 2 recipient stanzas");
    CHECK_CONTAINS(e.hint, "the backup's manifest lists the recipients it was encrypted to");
    CHECK_EQ_INT(outlen, 0);
    free(out);
    free(ct);
    free(in);
}

TEST(low_order_recipient)
{
    /* The all-zero point: every shared secret with it is zero. */
    static const unsigned char zero[32];
    struct age_recipient *r;
    struct stage *s;
    struct err e;
    char str[80];

    CHECK(bech32_encode(str, sizeof(str), "age", zero, sizeof(zero), &e) > 0);
    r = age_recipient_parse(str, &e);
    CHECK(r != NULL);
    s = age_encrypt_new(&r, 1, NULL, &e);
    CHECK(s == NULL);
    CHECK_EQ_INT(e.code, ERR_KEY);
    CHECK_CONTAINS(e.msg, "low-order");
    age_recipient_free(r);
}

/*
 * Damaged files: truncated, flipped, reordered, extended. Nothing may come out beyond the chunks that
 * authenticated, and those must be the original plaintext.
 */

static unsigned char *dmg_in, *dmg_ct;
static size_t dmg_n = 3 * CHUNK + 1000, dmg_ctlen, dmg_hdr;

/* expect_fail(ct, n, max_out, what): decryption must fail in every piece size, emitting at most max_out bytes. */
static const char *
expect_fail(const unsigned char *ct, size_t n, size_t max_out, const char *what, struct err *e)
{
    static char why[1024];
    struct age_identity *ids[] = {id1};

    for (size_t i = 0; i < STAGETEST_NPIECES; i++) {
        unsigned char *out;
        size_t outlen;
        int rc = decrypt(ct, n, ids, 1, stagetest_pieces[i], &out, &outlen, e);
        int ok = rc == -1 && outlen <= max_out && outlen % CHUNK == 0 && memcmp(out, dmg_in, outlen) == 0;
        free(out);
        if (!ok) {
            snprintf(why, sizeof(why), "%s, piece %zu: rc %d, %zu bytes out (at most %zu)", what, stagetest_pieces[i],
                     rc, outlen, max_out);
            return why;
        }
        if (what != NULL && strstr(e->msg, what) == NULL) {
            snprintf(why, sizeof(why), "piece %zu: \"%.300s\" does not contain \"%.300s\"", stagetest_pieces[i], e->msg,
                     what);
            return why;
        }
    }
    return NULL;
}

#define CHECK_FAILS(ct, n, max_out, what)                                                                              \
    do {                                                                                                               \
        struct err e_;                                                                                                 \
        const char *w_ = expect_fail((ct), (n), (max_out), (what), &e_);                                               \
        if (w_ != NULL) {                                                                                              \
            snprintf(test_why, sizeof(test_why), "%s:%d: %s", __FILE__, __LINE__, w_);                                 \
            test_failed_now = 1;                                                                                       \
            return;                                                                                                    \
        }                                                                                                              \
    } while (0)

TEST(truncated)
{
    size_t p0 = dmg_hdr + 16; /* start of the payload chunks */

    CHECK(dmg_ct != NULL);
    CHECK_FAILS(dmg_ct, 0, 0, "empty");
    CHECK_FAILS(dmg_ct, 10, 0, "truncated: the header is incomplete");
    CHECK_FAILS(dmg_ct, dmg_hdr - 1, 0, "truncated: the header is incomplete");
    CHECK_FAILS(dmg_ct, dmg_hdr, 0, "truncated: payload nonce missing");
    CHECK_FAILS(dmg_ct, dmg_hdr + 8, 0, "truncated: payload nonce missing");
    CHECK_FAILS(dmg_ct, p0, 0, "truncated: final chunk missing");
    CHECK_FAILS(dmg_ct, p0 + 100, 0, "chunk 1 failed authentication");
    CHECK_FAILS(dmg_ct, p0 + ENC_CHUNK - 1, 0, "chunk 1 failed authentication");
    /* at a chunk boundary: the chunks before it are fine, but the end is missing */
    CHECK_FAILS(dmg_ct, p0 + ENC_CHUNK, CHUNK, "truncated: final chunk missing");
    CHECK_FAILS(dmg_ct, p0 + 2 * ENC_CHUNK, 2 * CHUNK, "truncated: final chunk missing");
    CHECK_FAILS(dmg_ct, p0 + 3 * ENC_CHUNK, 3 * CHUNK, "truncated: final chunk missing");
    CHECK_FAILS(dmg_ct, p0 + ENC_CHUNK + 1, CHUNK, "chunk 2 failed authentication");
    CHECK_FAILS(dmg_ct, p0 + 3 * ENC_CHUNK + 10, 3 * CHUNK, "chunk 4 failed authentication");
    CHECK_FAILS(dmg_ct, dmg_ctlen - 1, 3 * CHUNK, "chunk 4 failed authentication");
}

TEST(flipped)
{
    unsigned char *c = dup_mem(dmg_ct, dmg_ctlen);
    size_t p0 = dmg_hdr + 16;
    const size_t at[] = {0, 5, 25, 40, 80, dmg_hdr - 10, dmg_hdr - 1};
    const char *why[] = {"invalid armor",       "not an age file", NULL, NULL, NULL,
                         "header MAC mismatch", "malformed header"};

    /*
     * header: anything from the version line to the MAC. Inside the MAC (dmg_hdr - 10, a character with
     * all six bits used) a flipped bit could leave the base64 alphabet ('+' ^ 1 is '*'), which is a
     * malformed MAC line rather than a mismatch: there the character becomes another letter instead.
     */
    for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
        const unsigned char was = c[at[i]];
        /* in the MAC, another base64 character: xor 1 turns 'A', 'Z', 'a', 'z', '+' and '/' (one in ten
         * random MACs) into characters that fail as "malformed header" before the MAC is checked */
        c[at[i]] = at[i] == dmg_hdr - 10 ? (unsigned char)(was == 'A' ? 'B' : 'A') : (unsigned char)(was ^ 0x01);
        CHECK_FAILS(c, dmg_ctlen, 0, why[i]);
        c[at[i]] = was;
    }
    /* payload nonce, first chunk, a tag, the last chunk */
    c[dmg_hdr + 3] ^= 0x80;
    CHECK_FAILS(c, dmg_ctlen, 0, "chunk 1 failed authentication");
    c[dmg_hdr + 3] ^= 0x80;
    c[p0 + 12345] ^= 0x04;
    CHECK_FAILS(c, dmg_ctlen, 0, "chunk 1 failed authentication");
    c[p0 + 12345] ^= 0x04;
    c[p0 + 2 * ENC_CHUNK - 1] ^= 0x10;
    CHECK_FAILS(c, dmg_ctlen, CHUNK, "chunk 2 failed authentication");
    c[p0 + 2 * ENC_CHUNK - 1] ^= 0x10;
    c[dmg_ctlen - 1] ^= 0x01;
    CHECK_FAILS(c, dmg_ctlen, 3 * CHUNK, "chunk 4 failed authentication");
    c[dmg_ctlen - 1] ^= 0x01;
    free(c);
}

TEST(reordered)
{
    unsigned char *c = dup_mem(dmg_ct, dmg_ctlen);
    size_t p0 = dmg_hdr + 16;

    /* swap chunks 1 and 2 */
    memcpy(c + p0, dmg_ct + p0 + ENC_CHUNK, ENC_CHUNK);
    memcpy(c + p0 + ENC_CHUNK, dmg_ct + p0, ENC_CHUNK);
    CHECK_FAILS(c, dmg_ctlen, 0, "chunk 1 failed authentication");
    /* drop chunk 2 */
    memcpy(c, dmg_ct, p0 + ENC_CHUNK);
    memcpy(c + p0 + ENC_CHUNK, dmg_ct + p0 + 2 * ENC_CHUNK, dmg_ctlen - p0 - 2 * ENC_CHUNK);
    CHECK_FAILS(c, dmg_ctlen - ENC_CHUNK, CHUNK, "chunk 2 failed authentication");
    /* duplicate chunk 1 */
    free(c);
    c = malloc(dmg_ctlen + ENC_CHUNK);
    memcpy(c, dmg_ct, p0 + ENC_CHUNK);
    memcpy(c + p0 + ENC_CHUNK, dmg_ct + p0, dmg_ctlen - p0);
    CHECK_FAILS(c, dmg_ctlen + ENC_CHUNK, CHUNK, "chunk 2 failed authentication");
    free(c);
}

TEST(trailing_data)
{
    /* a full final chunk, then one more byte: the final chunk is authentic, the byte is not */
    unsigned char *in = sample(CHUNK, 3), *ct, *c2, *out;
    struct age_recipient *r[] = {rc1};
    struct age_identity *ids[] = {id1};
    size_t ctlen, outlen;
    struct err e;

    ct = encrypt(in, CHUNK, r, 1, 0, &ctlen);
    CHECK(ct != NULL);
    c2 = malloc(ctlen + 1);
    memcpy(c2, ct, ctlen);
    c2[ctlen] = 'x';
    for (size_t i = 0; i < STAGETEST_NPIECES; i++) {
        CHECK(decrypt(c2, ctlen + 1, ids, 1, stagetest_pieces[i], &out, &outlen, &e) == -1);
        CHECK_EQ_STR(e.msg, "trailing data after final chunk");
        CHECK(outlen == 0 || (outlen == CHUNK && memcmp(out, in, CHUNK) == 0));
        free(out);
    }
    free(c2);
    free(ct);
    free(in);
}

/*
 * Armor
 */

TEST(armored_input)
{
    const size_t sizes[] = {0, 47, 48, 49, CHUNK + 100};
    struct age_recipient *r[] = {rc1};
    struct age_identity *ids[] = {id1};

    for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
        unsigned char *in = sample(sizes[k], 11), *ct, *ar, *out;
        size_t ctlen, arlen, outlen;
        struct err e;

        ct = encrypt(in, sizes[k], r, 1, 0, &ctlen);
        CHECK(ct != NULL);
        for (int crlf = 0; crlf <= 1; crlf++) {
            ar = armor(ct, ctlen, crlf, &arlen);
            for (size_t i = 0; i < STAGETEST_NPIECES; i++) {
                int rc = decrypt(ar, arlen, ids, 1, stagetest_pieces[i], &out, &outlen, &e);
                if (rc == -1)
                    fprintf(stderr, "armored %zu piece %zu: %s\n", sizes[k], stagetest_pieces[i], e.msg);
                CHECK(rc == 0);
                CHECK(outlen == sizes[k] && memcmp(out, in, outlen) == 0);
                free(out);
            }
            /* a stray byte after the end line is an armor error */
            ar = realloc(ar, arlen + 3);
            memcpy(ar + arlen, "\nx\n", 3);
            CHECK(decrypt(ar, arlen + 3, ids, 1, 0, &out, &outlen, &e) == -1);
            CHECK_CONTAINS(e.msg, "invalid armor");
            free(out);
            free(ar);
        }
        free(ct);
        free(in);
    }
}

TEST(not_age)
{
    struct age_identity *ids[] = {id1};
    unsigned char *out;
    size_t outlen;
    struct err e;

    CHECK(decrypt((const unsigned char *)"hello world\n", 12, ids, 1, 0, &out, &outlen, &e) == -1);
    CHECK_CONTAINS(e.msg, "invalid armor");
    CHECK_CONTAINS(e.hint, "does not look like an age file");
    free(out);
    CHECK(decrypt((const unsigned char *)"abc", 3, ids, 1, 1, &out, &outlen, &e) == -1);
    CHECK_CONTAINS(e.msg, "not an age file");
    free(out);
    CHECK(decrypt((const unsigned char *)"age-encryption.org/v2\n", 22, ids, 1, 0, &out, &outlen, &e) == -1);
    CHECK_CONTAINS(e.msg, "unsupported age format version");
    free(out);
}

TEST(scrypt_without_passphrase)
{
    static const char file[] = "age-encryption.org/v1\n"
                               "-> scrypt ajMFur+EJLGaohv/dLRGnw 18\n"
                               "8SHBz/ldWnjyGFQqfjat6uNBarWqqEMDS7W8X7+Xq5Q\n"
                               "--- HK2NmOBN9Dpq0Gw6xMCuhFcQlQLvZ/wQUi/2scLG75s\n";
    struct age_identity *ids[] = {id1};
    unsigned char *out;
    size_t outlen;
    struct err e;

    CHECK(decrypt((const unsigned char *)file, sizeof(file) - 1, ids, 1, 0, &out, &outlen, &e) == -1);
    CHECK_EQ_INT(e.code, ERR_KEY);
    CHECK_EQ_STR(e.msg, "the file is passphrase-encrypted and no passphrase was given");
    free(out);
}

/*
 * Scan
 */

/*
 * Passphrases (scrypt)
 */

/* has_bytes(p, n, s): whether string ${s} occurs in the ${n} bytes at ${p}. */
static int
has_bytes(const unsigned char *p, size_t n, const char *s)
{
    size_t l = strlen(s);

    for (size_t i = 0; i + l <= n; i++)
        if (memcmp(p + i, s, l) == 0)
            return 1;
    return 0;
}

static struct age_recipient *
pass_rcpt(const char *p, int log_n)
{
    struct err e;
    struct age_recipient *r = age_recipient_scrypt_new((const unsigned char *)p, strlen(p), log_n, &e);

    if (r == NULL)
        fprintf(stderr, "age_recipient_scrypt_new: %s\n", e.msg);
    return r;
}

static struct age_identity *
pass_id(const char *p)
{
    struct err e;

    return age_identity_scrypt_new((const unsigned char *)p, strlen(p), &e);
}

static struct secret *
pass_secret(const char *p)
{
    struct err e;
    struct secret *s = secret_new(strlen(p), &e);

    memcpy(s->data, p, strlen(p));
    return s;
}

TEST(scrypt_roundtrip)
{
    static const size_t sizes[] = {0, 1, CHUNK, CHUNK + 1, 3 * CHUNK + 5};
    struct age_recipient *r = pass_rcpt("correct horse battery", 10);
    struct age_identity *id = pass_id("correct horse battery"), *bad = pass_id("correct horse batterY");
    struct err e;

    CHECK(r != NULL && id != NULL && bad != NULL);
    for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
        unsigned char *in = sample(sizes[k], 7), *ct, *out;
        size_t ctlen, outlen;
        for (size_t i = 0; i < STAGETEST_NPIECES; i++) {
            ct = encrypt(in, sizes[k], &r, 1, stagetest_pieces[i], &ctlen);
            CHECK(ct != NULL);
            CHECK(memcmp(ct, "age-encryption.org/v1\n-> scrypt ", 32) == 0);
            CHECK(has_bytes(ct, hdr_len(ct, ctlen), " 10\n"));
            CHECK_EQ_INT(decrypt(ct, ctlen, &id, 1, stagetest_pieces[i], &out, &outlen, &e), 0);
            CHECK(outlen == sizes[k] && memcmp(out, in, outlen) == 0);
            free(out);
            /* a wrong passphrase: one line, no output */
            CHECK_EQ_INT(decrypt(ct, ctlen, &bad, 1, stagetest_pieces[i], &out, &outlen, &e), -1);
            CHECK_EQ_INT(e.code, ERR_KEY);
            CHECK_EQ_STR(e.msg, "wrong passphrase");
            CHECK_EQ_INT(outlen, 0);
            free(out);
            free(ct);
        }
        free(in);
    }
    age_recipient_free(r);
    age_identity_free(id);
    age_identity_free(bad);
}

TEST(scrypt_rules)
{
    struct age_recipient *r = pass_rcpt("pw", AGE_SCRYPT_LOG_N), *two[2];
    struct age_identity *id = pass_id("pw"), *ids[2];
    unsigned char *ct, *out, in[] = "x";
    size_t ctlen, outlen;
    struct err e;
    struct stage *s;

    /* the default work factor is age's, 2^18 */
    CHECK(r != NULL);
    ct = encrypt(in, 1, &r, 1, 0, &ctlen);
    CHECK(ct != NULL && has_bytes(ct, hdr_len(ct, ctlen), " 18\n"));
    /* an identity list that also holds X25519 keys still opens it */
    ids[0] = id1;
    ids[1] = id;
    CHECK_EQ_INT(decrypt(ct, ctlen, ids, 2, 0, &out, &outlen, &e), 0);
    CHECK(outlen == 1 && out[0] == 'x');
    free(out);
    free(ct);
    /* an scrypt stanza must be alone, so a passphrase does not mix with other recipients */
    two[0] = r;
    two[1] = rc1;
    s = age_encrypt_new(two, 2, NULL, &e);
    CHECK(s == NULL);
    CHECK_EQ_INT(e.code, ERR_KEY);
    CHECK_CONTAINS(e.msg, "cannot be combined");
    /* work factors beyond what decryption accepts, and empty passphrases, are refused */
    CHECK(age_recipient_scrypt_new((const unsigned char *)"pw", 2, 23, &e) == NULL);
    CHECK_CONTAINS(e.msg, "out of range");
    CHECK(age_recipient_scrypt_new((const unsigned char *)"", 0, 10, &e) == NULL);
    CHECK_CONTAINS(e.msg, "empty passphrase");
    /* an X25519 file and a passphrase: no match */
    ct = encrypt(in, 1, &rc1, 1, 0, &ctlen);
    CHECK_EQ_INT(decrypt(ct, ctlen, &id, 1, 0, &out, &outlen, &e), -1);
    CHECK_CONTAINS(e.msg, "no identity matches");
    free(out);
    free(ct);
    age_recipient_free(r);
    age_identity_free(id);
}

TEST(identity_passphrase)
{
    char text[256];
    struct age_recipient *r = pass_rcpt("pass phrase", 10), *rr;
    struct age_identity *ids[4] = {NULL};
    struct secret *good = pass_secret("pass phrase"), *bad = pass_secret("pass phrasE");
    unsigned char *ct, *arm;
    size_t ctlen, armlen;
    struct err e;

    snprintf(text, sizeof(text), "# created: now\n# public key: %s\n%s\n", spec_recipient, spec_identity);
    ct = encrypt((const unsigned char *)text, strlen(text), &r, 1, 0, &ctlen);
    CHECK(ct != NULL);
    CHECK(age_identity_encrypted((const char *)ct, ctlen));
    CHECK(!age_identity_encrypted(text, strlen(text)));
    /* without a passphrase: refused, not parsed as identity lines */
    CHECK_EQ_INT(age_identity_load((const char *)ct, ctlen, ids, 4, &e), -1);
    CHECK_EQ_INT(e.code, ERR_KEY);
    CHECK_CONTAINS(e.msg, "passphrase-protected");
    CHECK_EQ_INT(age_identity_load_encrypted((const char *)ct, ctlen, good, ids, 4, &e), 1);
    rr = age_identity_recipient(ids[0], &e);
    CHECK(rr != NULL);
    CHECK_EQ_STR(age_recipient_string(rr), spec_recipient);
    age_recipient_free(rr);
    age_identity_free(ids[0]);
    ids[0] = NULL;
    CHECK_EQ_INT(age_identity_load_encrypted((const char *)ct, ctlen, bad, ids, 4, &e), -1);
    CHECK_EQ_INT(e.code, ERR_KEY);
    CHECK_EQ_STR(e.msg, "wrong passphrase");
    CHECK(ids[0] == NULL);
    /* armored, with leading whitespace, as 'age -p -a' writes it and editors keep it */
    arm = armor(ct, ctlen, 0, &armlen);
    {
        char *ws = malloc(armlen + 2);
        ws[0] = '\n';
        memcpy(ws + 1, arm, armlen);
        CHECK(age_identity_encrypted(ws, armlen + 1));
        CHECK_EQ_INT(age_identity_load_encrypted(ws, armlen + 1, good, ids, 4, &e), 1);
        age_identity_free(ids[0]);
        ids[0] = NULL;
        free(ws);
    }
    free(arm);
    free(ct);
    /* an age file encrypted to a key, not a passphrase */
    ct = encrypt((const unsigned char *)text, strlen(text), &rc1, 1, 0, &ctlen);
    CHECK_EQ_INT(age_identity_load_encrypted((const char *)ct, ctlen, good, ids, 4, &e), -1);
    CHECK_CONTAINS(e.msg, "not a passphrase-protected identity file");
    free(ct);
    secret_free(good);
    secret_free(bad);
    age_recipient_free(r);
}

TEST(scan_header)
{
    struct age_recipient *r[] = {rc1, rc2};
    unsigned char *in = sample(CHUNK + 5, 5), *ct, *ar;
    size_t ctlen, arlen;
    struct age_header_info info;
    struct err e;

    ct = encrypt(in, CHUNK + 5, r, 2, 0, &ctlen);
    CHECK(ct != NULL);
    for (size_t i = 0; i < STAGETEST_NPIECES; i++) {
        memset(&info, 0, sizeof(info));
        CHECK(scan(ct, ctlen, stagetest_pieces[i], &info, &e) == 0);
        CHECK_EQ_INT(info.stanzas, 2);
        CHECK_EQ_INT(info.x25519_stanzas, 2);
        CHECK_EQ_INT(info.armored, 0);
    }
    ar = armor(ct, ctlen, 0, &arlen);
    CHECK(scan(ar, arlen, 7, &info, &e) == 0);
    CHECK_EQ_INT(info.stanzas, 2);
    CHECK_EQ_INT(info.armored, 1);
    free(ar);
    /* without the key, truncation is visible unless it falls on a chunk boundary */
    CHECK(scan(ct, ctlen - 6, 0, &info, &e) == -1); /* a final chunk shorter than its tag */
    CHECK_CONTAINS(e.msg, "truncated");
    CHECK(scan(ct, hdr_len(ct, ctlen) + 16, 0, &info, &e) == -1);
    CHECK_CONTAINS(e.msg, "truncated: final chunk missing");
    CHECK(scan(ct, hdr_len(ct, ctlen) + 16 + ENC_CHUNK + 16, 0, &info, &e) == -1);
    CHECK(scan(ct, 30, 0, &info, &e) == -1);
    CHECK_CONTAINS(e.msg, "truncated: the header is incomplete");
    ct[30] = '\n'; /* a broken stanza line */
    CHECK(scan(ct, ctlen, 0, &info, &e) == -1);
    CHECK_EQ_INT(e.code, ERR_FORMAT);
    free(ct);
    free(in);
}

/*
 * The C2SP CCTV vectors
 */

struct vector {
    char name[128];
    char expect[32];
    unsigned char payload[32];
    int has_payload, armored, passphrase;
    struct age_identity *ids[8];
    size_t nids;
    const char *skip; /* why it is not applicable, or NULL */
    unsigned char *file;
    size_t len;
};

static struct vector *cur;

static int
hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static int
vector_load(const char *dir, const char *name, struct vector *v)
{
    char path[4096], line[2048];
    struct stat st;
    unsigned char *data;
    size_t off = 0;
    int fd;

    memset(v, 0, sizeof(*v));
    snprintf(v->name, sizeof(v->name), "%s", name);
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    if ((fd = open(path, O_RDONLY)) == -1 || fstat(fd, &st) == -1)
        return -1;
    data = malloc((size_t)st.st_size + 1);
    if (read(fd, data, (size_t)st.st_size) != st.st_size) {
        close(fd);
        free(data);
        return -1;
    }
    close(fd);
    for (;;) {
        unsigned char *nl = memchr(data + off, '\n', (size_t)st.st_size - off);
        size_t l;
        if (nl == NULL) {
            free(data);
            return -1;
        }
        l = (size_t)(nl - (data + off));
        if (l == 0) {
            off++;
            break;
        }
        snprintf(line, sizeof(line), "%.*s", (int)l, (const char *)data + off);
        off += l + 1;
        if (strncmp(line, "expect: ", 8) == 0) {
            snprintf(v->expect, sizeof(v->expect), "%.31s", line + 8);
        } else if (strncmp(line, "payload: ", 9) == 0 && strlen(line) == 9 + 64) {
            for (int i = 0; i < 32; i++)
                v->payload[i] = (unsigned char)(hexval(line[9 + 2 * i]) << 4 | hexval(line[10 + 2 * i]));
            v->has_payload = 1;
        } else if (strncmp(line, "identity: ", 10) == 0) {
            struct err e;
            struct age_identity *id = age_identity_parse(line + 10, strlen(line + 10), &e);
            if (id == NULL)
                v->skip = strncmp(line + 10, "AGE-SECRET-KEY-PQ-", 18) == 0 ? "needs mlkem768x25519 identities"
                                                                            : "identity we cannot parse";
            else if (v->nids < 8)
                v->ids[v->nids++] = id;
            else
                age_identity_free(id);
        } else if (strncmp(line, "passphrase: ", 12) == 0) {
            struct err e;
            struct age_identity *id = age_identity_scrypt_new((const unsigned char *)line + 12, strlen(line + 12), &e);
            v->passphrase = 1;
            if (id != NULL && v->nids < 8)
                v->ids[v->nids++] = id;
            else
                age_identity_free(id);
        } else if (strcmp(line, "armored: yes") == 0) {
            v->armored = 1;
        } else if (strncmp(line, "compressed: ", 12) == 0) {
            v->skip = "compressed (age-vectors.js should have inflated it)";
        } else if (strncmp(line, "file key: ", 10) != 0 && strncmp(line, "comment: ", 9) != 0) {
            v->skip = "unknown vector header key";
        }
    }
    v->len = (size_t)st.st_size - off;
    v->file = malloc(v->len + 1);
    memcpy(v->file, data + off, v->len);
    free(data);
    return 0; /* passphrase vectors carry their passphrases, which became scrypt identities */
}

static void
vector_free(struct vector *v)
{
    for (size_t i = 0; i < v->nids; i++)
        age_identity_free(v->ids[i]);
    free(v->file);
}

/* classify(rc, e): the CCTV "expect" value our result corresponds to. */
static const char *
classify(int rc, const struct err *e)
{
    if (rc == 0)
        return "success";
    if (e->code == ERR_KEY &&
        (strncmp(e->msg, "no identity matches", 19) == 0 || strcmp(e->msg, "wrong passphrase") == 0))
        return "no match";
    if (e->code != ERR_FORMAT)
        return "other error";
    if (strncmp(e->msg, "invalid armor", 13) == 0)
        return "armor failure";
    if (strcmp(e->msg, "header MAC mismatch") == 0)
        return "HMAC failure";
    if (strncmp(e->msg, "chunk ", 6) == 0 || strcmp(e->msg, "truncated: final chunk missing") == 0 ||
        strcmp(e->msg, "trailing data after final chunk") == 0)
        return "payload failure";
    return "header failure";
}

TEST(cctv_vector)
{
    struct vector *v = cur;
    struct age_identity *dummy = NULL, *const *ids = v->ids;
    size_t nids = v->nids;
    unsigned char *first = NULL;
    size_t firstlen = 0;
    const char *first_class = NULL;

    if (nids == 0) { /* vectors without identities test parsing; any identity will do */
        ids = &id_other;
        nids = 1;
    }
    (void)dummy;
    for (size_t i = 0; i < STAGETEST_NPIECES; i++) {
        unsigned char *out, md[32];
        size_t outlen;
        struct err e;
        int rc = decrypt(v->file, v->len, ids, nids, stagetest_pieces[i], &out, &outlen, &e);
        const char *got = classify(rc, &e);

        if (strcmp(got, v->expect) != 0) {
            snprintf(test_why, sizeof(test_why), "piece %zu: expected %s, got %s (%s)", stagetest_pieces[i], v->expect,
                     got, rc == 0 ? "no error" : e.msg);
            test_failed_now = 1;
            free(out);
            break;
        }
        EVP_Digest(out, outlen, md, NULL, EVP_sha256(), NULL);
        if (v->has_payload ? memcmp(md, v->payload, 32) != 0 : outlen != 0) {
            snprintf(test_why, sizeof(test_why), "piece %zu: %s: %zu bytes of output do not match the payload hash",
                     stagetest_pieces[i], got, outlen);
            test_failed_now = 1;
            free(out);
            break;
        }
        if (first == NULL) {
            first = out;
            firstlen = outlen;
            first_class = got;
        } else {
            int same = outlen == firstlen && memcmp(out, first, outlen) == 0 && strcmp(got, first_class) == 0;
            free(out);
            if (!same) {
                snprintf(test_why, sizeof(test_why), "piece %zu: a different result than in one piece",
                         stagetest_pieces[i]);
                test_failed_now = 1;
                break;
            }
        }
    }
    free(first);
}

static int
cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
run_cctv(void)
{
    const char *dir = getenv("AGE_VECTORS_DIR");
    char **names = NULL, skipped[8192] = "";
    size_t n = 0, cap = 0, applicable = 0, passed = 0, na = 0;
    struct dirent *de;
    DIR *d;

    if (dir == NULL || *dir == '\0' || (d = opendir(dir)) == NULL) {
        printf("not ok - cctv: %s (generate them with: node tests/data/age-vectors.js DIR, then set "
               "AGE_VECTORS_DIR=DIR; tests/run.sh does both)\n",
               dir == NULL || *dir == '\0' ? "AGE_VECTORS_DIR is not set" : "AGE_VECTORS_DIR cannot be opened");
        test_failed++;
        return;
    }
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 256;
            names = realloc(names, cap * sizeof(*names));
        }
        names[n++] = strdup(de->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof(*names), cmp_names);
    for (size_t i = 0; i < n; i++) {
        struct vector v;
        char tname[160];
        if (vector_load(dir, names[i], &v) == -1) {
            printf("not ok - cctv/%s: cannot read the vector\n", names[i]);
            test_failed++;
            continue;
        }
        if (v.skip != NULL) {
            na++;
            size_t l = strlen(skipped);
            snprintf(skipped + l, sizeof(skipped) - l, "%s%s", l ? " " : "", v.name);
            printf("# cctv/%s: not applicable: %s\n", v.name, v.skip);
        } else {
            int before = test_failed;
            applicable++;
            cur = &v;
            snprintf(tname, sizeof(tname), "cctv/%s", v.name);
            test_run(tname, cctv_vector);
            passed += test_failed == before;
        }
        vector_free(&v);
        free(names[i]);
    }
    free(names);
    printf("# cctv: %zu vectors, %zu applicable, %zu passed, %zu not applicable: %s\n", n, applicable, passed, na,
           skipped);
    if (n == 0) {
        printf("not ok - cctv: no vectors in '%s'\n", dir);
        test_failed++;
    }
}

/*
 * Interop with the age and age-keygen programs
 */

static char tmpdir[256];

/* run(argv, in, out): run a program with stdin from ${in} and stdout to ${out} (paths or NULL). */
static int
run(char *const argv[], const char *in, const char *out)
{
    pid_t pid = fork();
    int status;

    if (pid == -1)
        return -1;
    if (pid == 0) {
        int fd;
        if (in != NULL && ((fd = open(in, O_RDONLY)) == -1 || dup2(fd, 0) == -1))
            _exit(126);
        if (out != NULL && ((fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1 || dup2(fd, 1) == -1))
            _exit(126);
        execvp(argv[0], argv);
        _exit(127);
    }
    if (waitpid(pid, &status, 0) == -1)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int
write_file(const char *path, const void *p, size_t n)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int ok = fd != -1 && write(fd, p, n) == (ssize_t)n;

    if (fd != -1)
        close(fd);
    return ok ? 0 : -1;
}

static unsigned char *
read_file(const char *path, size_t *n)
{
    struct stat st;
    unsigned char *p;
    int fd = open(path, O_RDONLY);

    if (fd == -1 || fstat(fd, &st) == -1) {
        if (fd != -1)
            close(fd);
        return NULL;
    }
    p = malloc((size_t)st.st_size + 1);
    if (read(fd, p, (size_t)st.st_size) != st.st_size) {
        free(p);
        close(fd);
        return NULL;
    }
    close(fd);
    p[st.st_size] = '\0';
    *n = (size_t)st.st_size;
    return p;
}

static char *
tmp_path(const char *name)
{
    static char paths[8][512];
    static int k;
    char *p = paths[k++ % 8];

    snprintf(p, 512, "%s/%s", tmpdir, name);
    return p;
}

TEST(interop_keygen)
{
    char *key = tmp_path("keygen.txt");
    char *argv[] = {"age-keygen", "-o", key, NULL};
    unsigned char *text;
    struct age_identity *ids[2] = {NULL};
    struct age_recipient *r;
    const char *pub;
    size_t n;
    struct err e;
    int rc;

    CHECK_EQ_INT(run(argv, NULL, "/dev/null"), 0);
    text = read_file(key, &n);
    CHECK(text != NULL);
    pub = strstr((const char *)text, "# public key: ");
    CHECK(pub != NULL);
    pub += 14;
    rc = age_identity_load((const char *)text, n, ids, 2, &e);
    CHECK_EQ_INT(rc, 1);
    r = age_identity_recipient(ids[0], &e);
    CHECK(r != NULL);
    CHECK(strncmp(pub, age_recipient_string(r), 62) == 0 && pub[62] == '\n');
    age_recipient_free(r);
    age_identity_free(ids[0]);
    secret_wipe(text, n);
    free(text);
}

TEST(interop_ours_to_age)
{
    struct age_recipient *r = NULL;
    struct secret *idstr = age_keygen(&r, &(struct err){0});
    char *key = tmp_path("ours.key"), *ct_path = tmp_path("ours.age"), *pt_path = tmp_path("ours.out");
    char *argv[] = {"age", "-d", "-i", key, ct_path, NULL};
    unsigned char *in = sample(3 * CHUNK + 77, 21), *ct, *pt;
    size_t ctlen, ptlen;

    CHECK(idstr != NULL);
    CHECK(write_file(key, idstr->data, idstr->len) == 0);
    ct = encrypt(in, 3 * CHUNK + 77, &r, 1, 4093, &ctlen);
    CHECK(ct != NULL);
    CHECK(write_file(ct_path, ct, ctlen) == 0);
    CHECK_EQ_INT(run(argv, NULL, pt_path), 0);
    pt = read_file(pt_path, &ptlen);
    CHECK(pt != NULL);
    CHECK(ptlen == 3 * CHUNK + 77 && memcmp(pt, in, ptlen) == 0);
    free(pt);
    free(ct);
    /* and the empty file */
    ct = encrypt(in, 0, &r, 1, 0, &ctlen);
    CHECK(write_file(ct_path, ct, ctlen) == 0);
    CHECK_EQ_INT(run(argv, NULL, pt_path), 0);
    pt = read_file(pt_path, &ptlen);
    CHECK(pt != NULL && ptlen == 0);
    free(pt);
    free(ct);
    free(in);
    age_recipient_free(r);
    secret_free(idstr);
}

TEST(interop_age_to_ours)
{
    char *key = tmp_path("theirs.key"), *pt_path = tmp_path("theirs.txt"), *ct_path = tmp_path("theirs.age");
    char *kargv[] = {"age-keygen", "-o", key, NULL};
    const size_t sizes[] = {0, 1000, 2 * CHUNK, 2 * CHUNK + 3};
    struct age_identity *ids[1] = {NULL};
    struct age_recipient *r;
    unsigned char *text;
    size_t n;
    struct err e;

    unlink(key);
    CHECK_EQ_INT(run(kargv, NULL, "/dev/null"), 0);
    text = read_file(key, &n);
    CHECK(text != NULL);
    CHECK_EQ_INT(age_identity_load((const char *)text, n, ids, 1, &e), 1);
    secret_wipe(text, n);
    free(text);
    r = age_identity_recipient(ids[0], &e);
    for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
        unsigned char *in = sample(sizes[k], 31), *ct, *out;
        size_t ctlen, outlen;
        for (int armored = 0; armored <= 1; armored++) {
            char rs[80];
            snprintf(rs, sizeof(rs), "%s", age_recipient_string(r));
            char *bin[] = {"age", "-r", rs, "-o", ct_path, pt_path, NULL};
            char *arm[] = {"age", "-a", "-r", rs, "-o", ct_path, pt_path, NULL};
            CHECK(write_file(pt_path, in, sizes[k]) == 0);
            CHECK_EQ_INT(run(armored ? arm : bin, NULL, NULL), 0);
            ct = read_file(ct_path, &ctlen);
            CHECK(ct != NULL);
            CHECK(!armored || memcmp(ct, "-----BEGIN AGE ENCRYPTED FILE-----\n", 35) == 0);
            for (size_t i = 0; i < STAGETEST_NPIECES; i++) {
                int rc = decrypt(ct, ctlen, ids, 1, stagetest_pieces[i], &out, &outlen, &e);
                if (rc == -1)
                    fprintf(stderr, "age -r%s, %zu bytes, piece %zu: %s\n", armored ? " -a" : "", sizes[k],
                            stagetest_pieces[i], e.msg);
                CHECK(rc == 0);
                CHECK(outlen == sizes[k] && memcmp(out, in, outlen) == 0);
                free(out);
            }
            free(ct);
        }
        free(in);
    }
    age_recipient_free(r);
    age_identity_free(ids[0]);
}

/*
 * SSH keys made by ssh-keygen, and passphrases through a pseudo-terminal (age reads them only there)
 */

/* ssh_key(name, type, bits, pass): ssh-keygen a key pair NAME and NAME.pub in tmpdir; 0 or -1. */
static int
ssh_key(const char *name, const char *type, const char *bits, const char *pass)
{
    char *path = tmp_path(name), t[32], b[16], p[64];
    char *argv[] = {"ssh-keygen",       "-q", "-t", t, "-N", p, "-C", "someone@example.org comment", "-f", path,
                    bits ? "-b" : NULL, b,    NULL};

    snprintf(t, sizeof(t), "%s", type);
    snprintf(b, sizeof(b), "%s", bits ? bits : "");
    snprintf(p, sizeof(p), "%s", pass);
    return run(argv, NULL, "/dev/null") == 0 ? 0 : -1;
}

/* ssh_pub_line(name): the first line of NAME.pub (static buffer), or "". */
static const char *
ssh_pub_line(const char *name)
{
    static char line[1024];
    char pub[64];
    unsigned char *t;
    size_t n;

    snprintf(pub, sizeof(pub), "%s.pub", name);
    line[0] = '\0';
    if ((t = read_file(tmp_path(pub), &n)) != NULL) {
        snprintf(line, sizeof(line), "%.*s", (int)strcspn((char *)t, "\n"), (char *)t);
        free(t);
    }
    return line;
}

/* ssh_identity(name, e): load the private key NAME from tmpdir. */
static struct age_identity *
ssh_identity(const char *name, struct err *e)
{
    struct age_identity *ids[1] = {NULL};
    unsigned char *t;
    size_t n;

    if ((t = read_file(tmp_path(name), &n)) == NULL) {
        err_set(e, ERR_IO, "cannot read %s", name);
        return NULL;
    }
    if (age_identity_load((const char *)t, n, ids, 1, e) != 1)
        ids[0] = NULL;
    secret_wipe(t, n);
    free(t);
    return ids[0];
}

static struct age_identity *ssh_ed_id, *ssh_rsa_id, *ssh_ed_other, *ssh_rsa_other;
static struct age_recipient *ssh_ed_rc, *ssh_rsa_rc;

TEST(ssh_keys)
{
    struct age_recipient *r;
    struct age_identity *id;
    const char *line;
    char want[1024];
    struct err e;

    CHECK(ssh_key("ed", "ed25519", NULL, "") == 0 && ssh_key("rsa", "rsa", "3072", "") == 0);
    CHECK(ssh_key("ed2", "ed25519", NULL, "") == 0 && ssh_key("rsa2", "rsa", "2048", "") == 0);
    /* the recipient string is the key without its comment; the identity derives the same one */
    line = ssh_pub_line("ed");
    CHECK(strncmp(line, "ssh-ed25519 AAAA", 16) == 0);
    snprintf(want, sizeof(want), "%.*s", (int)(strchr(line + 12, ' ') - line), line);
    ssh_ed_rc = age_recipient_parse(line, &e);
    CHECK(ssh_ed_rc != NULL);
    CHECK_EQ_STR(age_recipient_string(ssh_ed_rc), want);
    ssh_ed_id = ssh_identity("ed", &e);
    CHECK(ssh_ed_id != NULL);
    r = age_identity_recipient(ssh_ed_id, &e);
    CHECK(r != NULL);
    CHECK_EQ_STR(age_recipient_string(r), want);
    age_recipient_free(r);
    line = ssh_pub_line("rsa");
    CHECK(strncmp(line, "ssh-rsa AAAA", 12) == 0);
    snprintf(want, sizeof(want), "%.*s", (int)(strchr(line + 8, ' ') - line), line);
    ssh_rsa_rc = age_recipient_parse(line, &e);
    CHECK(ssh_rsa_rc != NULL);
    CHECK_EQ_STR(age_recipient_string(ssh_rsa_rc), want);
    ssh_rsa_id = ssh_identity("rsa", &e);
    CHECK(ssh_rsa_id != NULL);
    r = age_identity_recipient(ssh_rsa_id, &e);
    CHECK(r != NULL);
    CHECK_EQ_STR(age_recipient_string(r), want);
    age_recipient_free(r);
    ssh_ed_other = ssh_identity("ed2", &e);
    ssh_rsa_other = ssh_identity("rsa2", &e);
    CHECK(ssh_ed_other != NULL && ssh_rsa_other != NULL);
    /* the wrong type name for the key */
    snprintf(want, sizeof(want), "ssh-rsa %s", strchr(ssh_pub_line("ed"), ' ') + 1);
    CHECK(age_recipient_parse(want, &e) == NULL);
    CHECK_CONTAINS(e.msg, "the key's type is not 'ssh-rsa'");
    /* keys age refuses: short RSA, other types */
    CHECK(ssh_key("rsa1024", "rsa", "1024", "") == 0);
    CHECK(age_recipient_parse(ssh_pub_line("rsa1024"), &e) == NULL);
    CHECK_CONTAINS(e.msg, "ssh-rsa key of 1024 bits");
    CHECK(ssh_key("ecdsa", "ecdsa", NULL, "") == 0);
    CHECK(age_recipient_parse(ssh_pub_line("ecdsa"), &e) == NULL);
    CHECK_CONTAINS(e.msg, "unsupported SSH key type 'ecdsa-sha2-nistp256'");
    id = ssh_identity("ecdsa", &e);
    CHECK(id == NULL);
    CHECK_CONTAINS(e.msg, "unsupported SSH key type 'ecdsa-sha2-nistp256'");
    /* passphrase-protected OpenSSH keys (bcrypt_pbkdf, aes256-ctr) need the passphrase */
    CHECK(ssh_key("edpass", "ed25519", NULL, "a passphrase") == 0);
    CHECK(ssh_key("rsapass", "rsa", "2048", "a passphrase") == 0);
    id = ssh_identity("edpass", &e);
    CHECK(id == NULL);
    CHECK_EQ_INT(e.code, ERR_KEY);
    CHECK_CONTAINS(e.msg, "passphrase-protected and no passphrase was given");
    for (int k = 0; k < 2; k++) {
        const char *name = k ? "rsapass" : "edpass";
        struct secret *good = pass_secret("a passphrase"), *bad = pass_secret("a passphrasE");
        struct age_identity *ids[1] = {NULL};
        struct age_recipient *pub = age_recipient_parse(ssh_pub_line(name), &e);
        size_t n;
        unsigned char *t = read_file(tmp_path(name), &n), *ct, *out, in[] = "protected";
        size_t ctlen, outlen;
        CHECK(t != NULL && pub != NULL);
        CHECK(age_identity_needs_passphrase((const char *)t, n));
        CHECK_EQ_INT(age_identity_load_encrypted((const char *)t, n, bad, ids, 1, &e), -1);
        CHECK_EQ_INT(e.code, ERR_KEY);
        CHECK_EQ_STR(e.msg, "wrong passphrase");
        CHECK_EQ_INT(age_identity_load_encrypted((const char *)t, n, good, ids, 1, &e), 1);
        ct = encrypt(in, sizeof(in), &pub, 1, 0, &ctlen);
        CHECK_EQ_INT(decrypt(ct, ctlen, ids, 1, 0, &out, &outlen, &e), 0);
        CHECK(outlen == sizeof(in) && memcmp(out, in, outlen) == 0);
        free(out);
        free(ct);
        age_identity_free(ids[0]);
        age_recipient_free(pub);
        secret_free(good);
        secret_free(bad);
        secret_wipe(t, n);
        free(t);
    }
    /* ciphers other than AES-CTR/CBC are refused with a way out */
    {
        char *path = tmp_path("edchacha"),
             *argv[] = {"ssh-keygen", "-q", "-t", "ed25519", "-N", "pw", "-Z", "chacha20-poly1305@openssh.com",
                        "-f",         path, NULL};
        struct secret *pw = pass_secret("pw");
        struct age_identity *ids[1] = {NULL};
        size_t n;
        unsigned char *t;
        CHECK_EQ_INT(run(argv, NULL, "/dev/null"), 0);
        t = read_file(path, &n);
        CHECK(t != NULL);
        CHECK_EQ_INT(age_identity_load_encrypted((const char *)t, n, pw, ids, 1, &e), -1);
        CHECK_CONTAINS(e.msg, "encrypted with 'chacha20-poly1305@openssh.com', which is not supported");
        CHECK_CONTAINS(e.hint, "ssh-keygen -p -Z aes256-ctr");
        secret_free(pw);
        free(t);
    }
    /* a truncated key file */
    {
        size_t n;
        unsigned char *t = read_file(tmp_path("ed"), &n);
        struct age_identity *ids[1];
        CHECK(t != NULL);
        CHECK_EQ_INT(age_identity_load((const char *)t, n / 2, ids, 1, &e), -1);
        CHECK_CONTAINS(e.msg, "malformed OpenSSH private key");
        free(t);
    }
}

TEST(ssh_roundtrip)
{
    static const size_t sizes[] = {0, 1000, CHUNK + 1};
    struct age_recipient *rs[3] = {ssh_ed_rc, ssh_rsa_rc, rc1};
    struct age_identity *others[2] = {ssh_ed_other, ssh_rsa_other};
    struct age_header_info info;
    struct err e;

    CHECK(ssh_ed_rc != NULL && ssh_rsa_rc != NULL && ssh_ed_id != NULL && ssh_rsa_id != NULL);
    for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
        unsigned char *in = sample(sizes[k], 3), *ct, *out;
        size_t ctlen, outlen;
        for (size_t i = 0; i < STAGETEST_NPIECES; i++) {
            ct = encrypt(in, sizes[k], rs, 3, stagetest_pieces[i], &ctlen);
            CHECK(ct != NULL);
            CHECK(has_bytes(ct, hdr_len(ct, ctlen), "\n-> ssh-ed25519 ") &&
                  has_bytes(ct, hdr_len(ct, ctlen), "\n-> ssh-rsa "));
            CHECK_EQ_INT(decrypt(ct, ctlen, &ssh_ed_id, 1, stagetest_pieces[i], &out, &outlen, &e), 0);
            CHECK(outlen == sizes[k] && memcmp(out, in, outlen) == 0);
            free(out);
            CHECK_EQ_INT(decrypt(ct, ctlen, &ssh_rsa_id, 1, stagetest_pieces[i], &out, &outlen, &e), 0);
            CHECK(outlen == sizes[k] && memcmp(out, in, outlen) == 0);
            free(out);
            /* other SSH keys of the same types: no match, nothing emitted */
            CHECK_EQ_INT(decrypt(ct, ctlen, others, 2, stagetest_pieces[i], &out, &outlen, &e), -1);
            CHECK_EQ_INT(e.code, ERR_KEY);
            CHECK_CONTAINS(e.msg, "no identity matches any of the 3 recipient stanzas");
            CHECK_EQ_INT(outlen, 0);
            free(out);
            /* the key-less scan counts all three stanzas */
            CHECK_EQ_INT(scan(ct, ctlen, stagetest_pieces[i], &info, &e), 0);
            CHECK_EQ_INT(info.stanzas, 3);
            CHECK_EQ_INT(info.x25519_stanzas, 1);
            free(ct);
        }
        free(in);
    }
}

TEST(ssh_forged)
{
    unsigned char in[] = "forged", *ct, *out;
    size_t ctlen, outlen, h;
    struct err e;
    char *p;

    /* a body that does not open under a stanza tagged for our key is an error, as in age */
    ct = encrypt(in, sizeof(in), &ssh_ed_rc, 1, 0, &ctlen);
    CHECK(ct != NULL);
    h = hdr_len(ct, ctlen);
    p = memchr(ct + 22, '\n', h - 22); /* the end of the stanza line: the body follows */
    CHECK(p != NULL);
    p[1] = p[1] == 'A' ? 'B' : 'A';
    CHECK_EQ_INT(decrypt(ct, ctlen, &ssh_ed_id, 1, 0, &out, &outlen, &e), -1);
    CHECK_EQ_INT(e.code, ERR_KEY);
    CHECK_CONTAINS(e.msg, "does not open");
    free(out);
    free(ct);
    ct = encrypt(in, sizeof(in), &ssh_rsa_rc, 1, 0, &ctlen);
    CHECK(ct != NULL);
    h = hdr_len(ct, ctlen);
    p = memchr(ct + 22, '\n', h - 22);
    p[1] = p[1] == 'A' ? 'B' : 'A';
    CHECK_EQ_INT(decrypt(ct, ctlen, &ssh_rsa_id, 1, 0, &out, &outlen, &e), -1);
    CHECK_CONTAINS(e.msg, "does not open");
    free(out);
    free(ct);
}

TEST(ssh_interop)
{
    char *ct_path = tmp_path("ssh.age"), *pt_path = tmp_path("ssh.txt"), *out_path = tmp_path("ssh.out");
    char *ed = tmp_path("ed"), *rsa = tmp_path("rsa"), edpub[600], rsapub[600];
    struct age_recipient *rs[2] = {ssh_ed_rc, ssh_rsa_rc};
    const size_t n = 3 * CHUNK + 77;
    unsigned char *in = sample(n, 41), *ct, *pt, *out;
    size_t ctlen, ptlen, outlen;
    struct err e;

    CHECK(ssh_ed_rc != NULL && ssh_rsa_rc != NULL && ssh_ed_id != NULL && ssh_rsa_id != NULL);
    snprintf(edpub, sizeof(edpub), "%s.pub", ed);
    snprintf(rsapub, sizeof(rsapub), "%s.pub", rsa);
    /* ours to age, with each private key */
    ct = encrypt(in, n, rs, 2, 4093, &ctlen);
    CHECK(ct != NULL && write_file(ct_path, ct, ctlen) == 0);
    free(ct);
    for (int k = 0; k < 2; k++) {
        char *argv[] = {"age", "-d", "-i", k ? rsa : ed, "-o", out_path, ct_path, NULL};
        CHECK_EQ_INT(run(argv, NULL, NULL), 0);
        pt = read_file(out_path, &ptlen);
        CHECK(pt != NULL && ptlen == n && memcmp(pt, in, n) == 0);
        free(pt);
    }
    /* age to ours, binary and armored, with each identity */
    CHECK(write_file(pt_path, in, n) == 0);
    for (int armored = 0; armored <= 1; armored++) {
        char *bin[] = {"age", "-R", edpub, "-R", rsapub, "-o", ct_path, pt_path, NULL};
        char *arm[] = {"age", "-a", "-R", edpub, "-R", rsapub, "-o", ct_path, pt_path, NULL};
        CHECK_EQ_INT(run(armored ? arm : bin, NULL, NULL), 0);
        ct = read_file(ct_path, &ctlen);
        CHECK(ct != NULL);
        for (size_t i = 0; i < STAGETEST_NPIECES; i++) {
            CHECK_EQ_INT(decrypt(ct, ctlen, &ssh_ed_id, 1, stagetest_pieces[i], &out, &outlen, &e), 0);
            CHECK(outlen == n && memcmp(out, in, n) == 0);
            free(out);
            CHECK_EQ_INT(decrypt(ct, ctlen, &ssh_rsa_id, 1, stagetest_pieces[i], &out, &outlen, &e), 0);
            CHECK(outlen == n && memcmp(out, in, n) == 0);
            free(out);
        }
        free(ct);
    }
    free(in);
}

TEST(scrypt_interop)
{
    static const char pass[] = "interop passphrase";
    char *pw = tmp_path("pw"), *pt_path = tmp_path("p.txt"), *ct_path = tmp_path("p.age"),
         *out_path = tmp_path("p.out");
    struct age_recipient *r = pass_rcpt(pass, AGE_SCRYPT_LOG_N);
    struct age_identity *id = pass_id(pass);
    unsigned char text[] = "# a passphrase-protected identity file\nAGE-SECRET-KEY-1...\n", *ct, *pt, *out;
    size_t ctlen, ptlen, outlen;
    struct err e;

    CHECK(access("tests/data/pty-run.py", R_OK) == 0);
    CHECK(write_file(pw, pass, strlen(pass)) == 0);
    /* ours (age's default work factor) to 'age -d', which asks for the passphrase on its terminal */
    ct = encrypt(text, sizeof(text), &r, 1, 0, &ctlen);
    CHECK(ct != NULL && write_file(ct_path, ct, ctlen) == 0);
    free(ct);
    {
        char *argv[] = {"python3", "tests/data/pty-run.py", pw, "age", "-d", "-o", out_path, ct_path, NULL};
        CHECK_EQ_INT(run(argv, "/dev/null", "/dev/null"), 0);
        pt = read_file(out_path, &ptlen);
        CHECK(pt != NULL && ptlen == sizeof(text) && memcmp(pt, text, ptlen) == 0);
        free(pt);
    }
    /* 'age -p' to ours */
    CHECK(write_file(pt_path, text, sizeof(text)) == 0);
    {
        char *argv[] = {"python3", "tests/data/pty-run.py", pw, "age", "-p", "-o", ct_path, pt_path, NULL};
        CHECK_EQ_INT(run(argv, "/dev/null", "/dev/null"), 0);
        ct = read_file(ct_path, &ctlen);
        CHECK(ct != NULL && has_bytes(ct, ctlen, "\n-> scrypt "));
        CHECK_EQ_INT(decrypt(ct, ctlen, &id, 1, 1, &out, &outlen, &e), 0);
        CHECK(outlen == sizeof(text) && memcmp(out, text, outlen) == 0);
        free(out);
        free(ct);
    }
    age_recipient_free(r);
    age_identity_free(id);
}

static void
run_interop(void)
{
    char *argv[] = {"age", "--version", NULL};

    if (run(argv, NULL, "/dev/null") != 0) {
        printf("skip - interop: the age program is not installed\n");
        return;
    }
    snprintf(tmpdir, sizeof(tmpdir), "%s/safedump-age-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (mkdtemp(tmpdir) == NULL) {
        printf("not ok - interop: mkdtemp: %s\n", strerror(errno));
        test_failed++;
        return;
    }
    RUN(interop_keygen);
    RUN(interop_ours_to_age);
    RUN(interop_age_to_ours);
    RUN(ssh_keys);
    RUN(ssh_roundtrip);
    RUN(ssh_forged);
    RUN(ssh_interop);
    RUN(scrypt_interop);
    age_identity_free(ssh_ed_id);
    age_identity_free(ssh_rsa_id);
    age_identity_free(ssh_ed_other);
    age_identity_free(ssh_rsa_other);
    age_recipient_free(ssh_ed_rc);
    age_recipient_free(ssh_rsa_rc);
    {
        DIR *d = opendir(tmpdir);
        struct dirent *de;
        while (d != NULL && (de = readdir(d)) != NULL)
            if (de->d_name[0] != '.')
                unlink(tmp_path(de->d_name));
        if (d != NULL)
            closedir(d);
        rmdir(tmpdir);
    }
}

int
main(void)
{
    static const size_t sizes[] = {0, 1, 65535, 65536, 65537, 3 * 65536, 1024 * 1024 + 13};
    struct age_recipient *r[1];
    struct err e;

    umask(077);
    id1 = age_identity_parse(spec_identity, strlen(spec_identity), &e);
    {
        struct age_recipient *tmp = NULL;
        struct secret *s2 = age_keygen(&tmp, &e), *s3 = age_keygen(&rc2, &e);
        id2 = s2 ? age_identity_parse((const char *)s2->data, s2->len, &e) : NULL;
        id_other = s3 ? age_identity_parse((const char *)s3->data, s3->len, &e) : NULL;
        age_recipient_free(rc2);
        rc2 = tmp;
        secret_free(s2);
        secret_free(s3);
    }
    rc1 = id1 ? age_identity_recipient(id1, &e) : NULL;
    if (id1 == NULL || id2 == NULL || id_other == NULL || rc1 == NULL || rc2 == NULL) {
        printf("not ok - setup: %s\n", e.msg);
        return 1;
    }

    RUN(keys_spec_example);
    RUN(keys_keygen);
    RUN(keys_recipient_errors);
    RUN(keys_identity_errors);
    RUN(keys_identity_load);
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        char name[64];
        rt_size = sizes[i];
        snprintf(name, sizeof(name), "roundtrip/%zu", sizes[i]);
        test_run(name, roundtrip);
    }
    RUN(header_layout);
    RUN(two_recipients);
    RUN(low_order_recipient);

    dmg_in = sample(dmg_n, 99);
    r[0] = rc1;
    dmg_ct = encrypt(dmg_in, dmg_n, r, 1, 0, &dmg_ctlen);
    dmg_hdr = dmg_ct ? hdr_len(dmg_ct, dmg_ctlen) : 0;
    RUN(truncated);
    RUN(flipped);
    RUN(reordered);
    RUN(trailing_data);
    free(dmg_ct);
    free(dmg_in);

    RUN(armored_input);
    RUN(not_age);
    RUN(scrypt_without_passphrase);
    RUN(scrypt_roundtrip);
    RUN(scrypt_rules);
    RUN(identity_passphrase);
    RUN(scan_header);
    run_cctv();
    run_interop();

    age_recipient_free(rc1);
    age_recipient_free(rc2);
    age_identity_free(id1);
    age_identity_free(id2);
    age_identity_free(id_other);
    return test_done();
}

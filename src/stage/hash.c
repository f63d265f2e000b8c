#include "stage/hash.h"

#include <assert.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stage/stage.h"
#include "util/err.h"

struct hash_stage {
    struct stage base;
    EVP_MD_CTX *ctx;
    char hex[HASH_SHA256_HEXLEN];
    char expect[HASH_SHA256_HEXLEN]; /* "" if nothing is expected */
    char what[48];
    int done;
};

static void
to_hex(const unsigned char *d, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;

    for (i = 0; i < n; i++) {
        out[2 * i] = digits[d[i] >> 4];
        out[2 * i + 1] = digits[d[i] & 15];
    }
    out[2 * n] = '\0';
}

static int
hash_write(struct stage *s, const void *buf, size_t len, struct err *e)
{
    struct hash_stage *h = (struct hash_stage *)s;

    if (EVP_DigestUpdate(h->ctx, buf, len) != 1)
        return err_set(e, ERR_CRYPTO, "sha256 update failed");
    return stage_emit(s, buf, len, e);
}

static int
hash_finish(struct stage *s, struct err *e)
{
    struct hash_stage *h = (struct hash_stage *)s;
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int n = 0;

    if (EVP_DigestFinal_ex(h->ctx, d, &n) != 1 || n != HASH_SHA256_LEN)
        return err_set(e, ERR_CRYPTO, "sha256 final failed");
    to_hex(d, n, h->hex);
    h->done = 1;
    if (h->expect[0] != '\0' && strcmp(h->expect, h->hex) != 0)
        return err_set(e, ERR_VERIFY, "%s hash mismatch", h->what);
    return 0;
}

static void
hash_free(struct stage *s)
{
    struct hash_stage *h = (struct hash_stage *)s;

    EVP_MD_CTX_free(h->ctx);
    stage_free(s->next);
    free(h);
}

static const struct stage_ops hash_ops = {"sha256", hash_write, hash_finish, hash_free};

struct stage *
stage_hash_new(struct stage *next, struct err *e)
{
    struct hash_stage *h = calloc(1, sizeof(*h));

    if (h == NULL) {
        stage_free(next);
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    h->base.ops = &hash_ops;
    h->base.next = next;
    if ((h->ctx = EVP_MD_CTX_new()) == NULL || EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1) {
        hash_free(&h->base);
        err_set(e, ERR_CRYPTO, "sha256 init failed");
        return NULL;
    }
    return &h->base;
}

void
stage_hash_expect(struct stage *s, const char *hex, const char *what)
{
    struct hash_stage *h = (struct hash_stage *)s;

    assert(s->ops == &hash_ops);
    snprintf(h->expect, sizeof(h->expect), "%s", hex);
    snprintf(h->what, sizeof(h->what), "%s", what);
}

const char *
stage_hash_hex(const struct stage *s)
{
    const struct hash_stage *h = (const struct hash_stage *)s;

    assert(s->ops == &hash_ops && h->done);
    return h->hex;
}

void
hash_sha256_hex(const void *buf, size_t len, char out[HASH_SHA256_HEXLEN])
{
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int n = 0;

    EVP_Digest(buf, len, d, &n, EVP_sha256(), NULL);
    to_hex(d, n, out);
}

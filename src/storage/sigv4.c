#include "storage/sigv4.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "util/err.h"
#include "util/secret.h"

/* A bounded string builder: overflow is remembered and reported once. */
struct sb {
    char *p;
    size_t cap, len;
    int over;
};

static void
sb_init(struct sb *b, char *p, size_t cap)
{
    b->p = p, b->cap = cap, b->len = 0, b->over = 0;
    p[0] = '\0';
}

static void
sb_addn(struct sb *b, const char *s, size_t n)
{
    if (b->over || b->len + n >= b->cap) {
        b->over = 1;
        return;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void
sb_add(struct sb *b, const char *s)
{
    sb_addn(b, s, strlen(s));
}

static int
unreserved(unsigned char c)
{
    return isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
}

int
sigv4_uri_encode(const char *in, int keep_slash, char *out, size_t outsz)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;

    for (const unsigned char *p = (const unsigned char *)in; *p != '\0'; p++) {
        if (unreserved(*p) || (keep_slash && *p == '/')) {
            if (o + 1 >= outsz)
                return -1;
            out[o++] = (char)*p;
        } else {
            if (o + 3 >= outsz)
                return -1;
            out[o++] = '%';
            out[o++] = hex[*p >> 4];
            out[o++] = hex[*p & 15];
        }
    }
    if (o >= outsz)
        return -1;
    out[o] = '\0';
    return 0;
}

void
sigv4_sha256_hex(const void *buf, size_t len, char hex[65])
{
    unsigned char md[32];
    unsigned int n = 0;

    EVP_Digest(buf, len, md, &n, EVP_sha256(), NULL);
    for (size_t i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

/* Remove "." and ".." segments and empty segments; keeps a trailing slash. */
static void
normalize_path(const char *in, char *out, size_t outsz)
{
    char segs[64][256];
    size_t n = 0, o = 0;
    const char *p = in;
    int trailing = strlen(in) > 1 && in[strlen(in) - 1] == '/';

    while (*p != '\0') {
        size_t len = strcspn(p, "/");
        if (len == 0 || (len == 1 && p[0] == '.')) {
            /* skip */
        } else if (len == 2 && p[0] == '.' && p[1] == '.') {
            if (n > 0)
                n--;
        } else if (n < 64 && len < 256) {
            memcpy(segs[n], p, len);
            segs[n++][len] = '\0';
        }
        p += len;
        if (*p == '/')
            p++;
    }
    out[0] = '\0';
    for (size_t i = 0; i < n; i++)
        o += (size_t)snprintf(out + o, o < outsz ? outsz - o : 0, "/%s", segs[i]);
    if (n == 0 || trailing)
        snprintf(out + o, o < outsz ? outsz - o : 0, "/");
}

struct enc_param {
    char name[1024];
    char value[2048];
};

static int
param_cmp(const void *a, const void *b)
{
    const struct enc_param *x = a, *y = b;
    int c = strcmp(x->name, y->name);

    return c != 0 ? c : strcmp(x->value, y->value);
}

struct lc_header {
    char name[128];
    const char *value;
    size_t order;
};

static int
header_cmp(const void *a, const void *b)
{
    const struct lc_header *x = a, *y = b;
    int c = strcmp(x->name, y->name);

    if (c != 0)
        return c;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* Append ${v} trimmed, with runs of whitespace (also folded lines) collapsed to one space. */
static void
add_trimmed(struct sb *b, const char *v)
{
    int space = 0, started = 0;

    for (; *v != '\0'; v++) {
        if (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r') {
            space = started;
            continue;
        }
        if (space)
            sb_addn(b, " ", 1);
        sb_addn(b, v, 1);
        space = 0, started = 1;
    }
}

static int
hmac(const unsigned char *key, size_t klen, const char *msg, unsigned char out[32])
{
    unsigned int n = 32;

    return HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)msg, strlen(msg), out, &n) == NULL ? -1 : 0;
}

int
sigv4_sign(const struct sigv4_request *r, const char *access_key, const struct secret *secret, const char *date,
           const char *region, const char *service, struct sigv4_result *out, struct err *e)
{
    struct enc_param *params = NULL;
    struct lc_header *hdrs = NULL;
    char path[4096], scope[256], signed_names[2048], crhash[65], sig[65];
    unsigned char k[32], ks[68];
    struct sb b;
    int rc = -1;

    if (r->n_params > 0 && (params = calloc(r->n_params, sizeof(*params))) == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    if ((hdrs = calloc(r->n_headers + 1, sizeof(*hdrs))) == NULL) {
        free(params);
        return err_set(e, ERR_NOMEM, "out of memory");
    }

    /* path */
    if (r->normalize)
        normalize_path(r->path, path, sizeof(path));
    else
        snprintf(path, sizeof(path), "%s", r->path[0] != '\0' ? r->path : "/");
    if (sigv4_uri_encode(path, 1, out->canonical_path, sizeof(out->canonical_path)) == -1)
        goto toolong;

    /* query */
    for (size_t i = 0; i < r->n_params; i++)
        if (sigv4_uri_encode(r->params[i].name, 0, params[i].name, sizeof(params[i].name)) == -1 ||
            sigv4_uri_encode(r->params[i].value, 0, params[i].value, sizeof(params[i].value)) == -1)
            goto toolong;
    if (r->n_params > 0)
        qsort(params, r->n_params, sizeof(*params), param_cmp);
    sb_init(&b, out->canonical_query, sizeof(out->canonical_query));
    for (size_t i = 0; i < r->n_params; i++) {
        if (i > 0)
            sb_add(&b, "&");
        sb_add(&b, params[i].name);
        sb_add(&b, "=");
        sb_add(&b, params[i].value);
    }
    if (b.over)
        goto toolong;

    /* headers */
    for (size_t i = 0; i < r->n_headers; i++) {
        size_t n = strlen(r->headers[i].name);
        if (n >= sizeof(hdrs[i].name))
            goto toolong;
        for (size_t j = 0; j <= n; j++)
            hdrs[i].name[j] = (char)tolower((unsigned char)r->headers[i].name[j]);
        hdrs[i].value = r->headers[i].value;
        hdrs[i].order = i;
    }
    qsort(hdrs, r->n_headers, sizeof(*hdrs), header_cmp);

    sb_init(&b, out->canonical_request, sizeof(out->canonical_request));
    sb_add(&b, r->method);
    sb_add(&b, "\n");
    sb_add(&b, out->canonical_path);
    sb_add(&b, "\n");
    sb_add(&b, out->canonical_query);
    sb_add(&b, "\n");
    {
        struct sb names;
        sb_init(&names, signed_names, sizeof(signed_names));
        for (size_t i = 0; i < r->n_headers; i++) {
            int same = i > 0 && strcmp(hdrs[i].name, hdrs[i - 1].name) == 0;
            if (same) {
                sb_add(&b, ",");
            } else {
                if (i > 0) {
                    sb_add(&b, "\n");
                    sb_add(&names, ";");
                }
                sb_add(&b, hdrs[i].name);
                sb_add(&b, ":");
                sb_add(&names, hdrs[i].name);
            }
            add_trimmed(&b, hdrs[i].value);
        }
        if (r->n_headers > 0)
            sb_add(&b, "\n");
        if (names.over)
            goto toolong;
    }
    sb_add(&b, "\n");
    sb_add(&b, signed_names);
    sb_add(&b, "\n");
    sb_add(&b, r->payload_hash);
    if (b.over)
        goto toolong;

    sigv4_sha256_hex(out->canonical_request, b.len, crhash);
    if ((size_t)snprintf(scope, sizeof(scope), "%.8s/%s/%s/aws4_request", date, region, service) >= sizeof(scope) ||
        (size_t)snprintf(out->string_to_sign, sizeof(out->string_to_sign), "AWS4-HMAC-SHA256\n%s\n%s\n%s", date, scope,
                         crhash) >= sizeof(out->string_to_sign))
        goto toolong;

    /* kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request") */
    if (secret->len + 4 > sizeof(ks))
        goto toolong;
    memcpy(ks, "AWS4", 4);
    memcpy(ks + 4, secret->data, secret->len);
    {
        char day[9];
        snprintf(day, sizeof(day), "%.8s", date);
        if (hmac(ks, secret->len + 4, day, k) == -1 || hmac(k, 32, region, k) == -1 || hmac(k, 32, service, k) == -1 ||
            hmac(k, 32, "aws4_request", k) == -1 || hmac(k, 32, out->string_to_sign, k) == -1) {
            err_set(e, ERR_CRYPTO, "HMAC-SHA256 failed");
            goto out;
        }
    }
    for (size_t i = 0; i < 32; i++)
        snprintf(sig + 2 * i, 3, "%02x", k[i]);
    if ((size_t)snprintf(out->authorization, sizeof(out->authorization),
                         "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s", access_key, scope,
                         signed_names, sig) >= sizeof(out->authorization))
        goto toolong;
    rc = 0;
    goto out;
toolong:
    err_set(e, ERR_INTERNAL, "request too large to sign");
out:
    secret_wipe(ks, sizeof(ks));
    secret_wipe(k, sizeof(k));
    free(params);
    free(hdrs);
    return rc;
}

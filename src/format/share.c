#include "format/share.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/err.h"
#include "util/secret.h"
#include "util/shamir.h"

#define MAGIC "safedump-share v"
#define VERSION 1u
#define LINE_BYTES 20 /* bytes per data line: 32 base32 characters, 8 groups of 4 */
#define LINE_CAP 256  /* longest line accepted */

static const char b32[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"; /* Crockford's base32: no I, L, O, U */

/* b32_value(c): the value of a base32 character, or -1. Any case; O reads as 0, I and L as 1. */
static int
b32_value(int c)
{
    const char *p;

    c = toupper(c);
    if (c == 'O')
        return 0;
    if (c == 'I' || c == 'L')
        return 1;
    if (c == '\0' || (p = strchr(b32, c)) == NULL)
        return -1;
    return (int)(p - b32);
}

/* b32_encode(in, len, out): ceil(8 * len / 5) characters, not NUL-terminated. Returns their count. */
static size_t
b32_encode(const unsigned char *in, size_t len, char *out)
{
    unsigned acc = 0, bits = 0;
    size_t i, o = 0;

    for (i = 0; i < len; i++) {
        acc = (acc << 8) | in[i];
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            out[o++] = b32[(acc >> bits) & 31u];
        }
        acc &= (1u << bits) - 1;
    }
    if (bits > 0)
        out[o++] = b32[(acc << (5 - bits)) & 31u];
    return o;
}

/* b32_decode(v, n, out): decode ${n} character values. Returns the byte count, or -1 when ${n} is not
 * the length of any encoding or the padding bits are not zero (only a typo makes either). */
static long
b32_decode(const unsigned char *v, size_t n, unsigned char *out)
{
    unsigned acc = 0, bits = 0;
    size_t i, o = 0;

    for (i = 0; i < n; i++) {
        acc = (acc << 5) | v[i];
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits);
        }
        acc &= (1u << bits) - 1;
    }
    if (bits >= 5 || acc != 0)
        return -1;
    return (long)o;
}

/* sha256(md, a, alen, b, blen): SHA-256 of ${a} then ${b}. Returns 0 or -1. */
static int
sha256(unsigned char md[32], const void *a, size_t alen, const void *b, size_t blen)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 && EVP_DigestUpdate(ctx, a, alen) == 1 &&
             EVP_DigestUpdate(ctx, b, blen) == 1 && EVP_DigestFinal_ex(ctx, md, NULL) == 1;

    EVP_MD_CTX_free(ctx);
    return ok ? 0 : -1;
}

/* tag(split_id, secret, len, out): the 8 bytes split along with the secret, to recognise it rebuilt. */
static int
tag(const unsigned char split_id[8], const unsigned char *secret, size_t len, unsigned char out[SHARE_TAG_LEN])
{
    unsigned char head[32], md[32];
    int rc;

    memcpy(head, "safedump-share v1 tag", 21);
    memcpy(head + 21, split_id, 8);
    rc = sha256(md, head, 29, secret, len);
    memcpy(out, md, SHARE_TAG_LEN);
    secret_wipe(md, sizeof(md));
    return rc;
}

/* line_check(lineno, bytes, n, out): the 4-character check group of data line ${lineno}. */
static int
line_check(unsigned lineno, const unsigned char *bytes, size_t n, char out[4])
{
    unsigned char head[32], md[32];
    char enc[8];

    memcpy(head, "safedump-share v1 line", 22);
    head[22] = (unsigned char)(lineno >> 24);
    head[23] = (unsigned char)(lineno >> 16);
    head[24] = (unsigned char)(lineno >> 8);
    head[25] = (unsigned char)lineno;
    if (sha256(md, head, 26, bytes, n) == -1)
        return -1;
    b32_encode(md, 3, enc); /* 24 bits give 5 characters; the first 4 hold 20 bits */
    memcpy(out, enc, 4);
    return 0;
}

/* share_check(s, out): the 8-character checksum of the whole share: every field and all the data. */
static int
share_check(const unsigned char split_id[8], unsigned k, unsigned x, unsigned n, const unsigned char *data, size_t len,
            char out[8])
{
    unsigned char head[40], md[32];

    memcpy(head, "safedump-share v1", 17);
    memcpy(head + 17, split_id, 8);
    head[25] = (unsigned char)k;
    head[26] = (unsigned char)x;
    head[27] = (unsigned char)n;
    head[28] = (unsigned char)(len >> 24);
    head[29] = (unsigned char)(len >> 16);
    head[30] = (unsigned char)(len >> 8);
    head[31] = (unsigned char)len;
    if (sha256(md, head, 32, data, len) == -1)
        return -1;
    b32_encode(md, 5, out);
    return 0;
}

static void
hex(const unsigned char id[8], char out[17])
{
    static const char digits[] = "0123456789ABCDEF";
    int i;

    for (i = 0; i < 8; i++) {
        out[2 * i] = digits[id[i] >> 4];
        out[2 * i + 1] = digits[id[i] & 15];
    }
    out[16] = '\0';
}

void
share_release(struct share *s)
{
    if (s == NULL)
        return;
    secret_free(s->data);
    memset(s, 0, sizeof(*s));
}

int
share_split(const unsigned char *secret, size_t len, unsigned k, unsigned n, struct share *out, struct err *e)
{
    unsigned char *ptrs[SHAMIR_MAX_SHARES];
    struct secret *payload = NULL;
    unsigned char id[8];
    unsigned i;

    if (k < 2 || k > SHAMIR_MAX_SHARES)
        return err_set(e, ERR_USAGE, "the threshold must be 2 to %d, not %u", SHAMIR_MAX_SHARES, k);
    if (n < 1 || n > SHAMIR_MAX_SHARES)
        return err_set(e, ERR_USAGE, "the number of shares must be 1 to %d, not %u", SHAMIR_MAX_SHARES, n);
    if (n < k)
        return err_set(e, ERR_USAGE, "a threshold of %u needs at least %u shares, not %u", k, k, n);
    if (len < 1 || len > SHARE_MAX_SECRET)
        return err_set(e, ERR_USAGE, "a secret to split has 1 to %d bytes, not %zu", SHARE_MAX_SECRET, len);
    memset(out, 0, n * sizeof(*out));
    if (RAND_bytes(id, sizeof(id)) != 1)
        return err_set(e, ERR_CRYPTO, "RAND_bytes failed");
    if ((payload = secret_new(len + SHARE_TAG_LEN, e)) == NULL)
        return -1;
    memcpy(payload->data, secret, len);
    if (tag(id, secret, len, payload->data + len) == -1) {
        err_set(e, ERR_CRYPTO, "SHA-256 failed");
        goto fail;
    }
    for (i = 0; i < n; i++) {
        if ((out[i].data = secret_new(len + SHARE_TAG_LEN, e)) == NULL)
            goto fail;
        memcpy(out[i].split_id, id, sizeof(id));
        out[i].threshold = k;
        out[i].index = i + 1;
        out[i].count = n;
        ptrs[i] = out[i].data->data;
    }
    if (shamir_split(payload->data, payload->len, k, n, ptrs, e) == -1)
        goto fail;
    secret_free(payload);
    return 0;
fail:
    secret_free(payload);
    for (i = 0; i < n; i++)
        share_release(&out[i]);
    return -1;
}

struct secret *
share_format(const struct share *s, struct err *e)
{
    const size_t len = s->data->len;
    const size_t lines = (len + LINE_BYTES - 1) / LINE_BYTES;
    const size_t cap = 1024 + lines * 64;
    struct secret *t;
    char id[17], enc[40], check[8], *p;
    size_t o, line, g, nc;
    int w;

    if ((t = secret_new(cap, e)) == NULL)
        return NULL;
    p = (char *)t->data;
    hex(s->split_id, id);
    w = snprintf(p, cap,
                 MAGIC "%u\n"
                       "# A recovery share made by 'safedump key split': share %u of %u. Any %u shares of this\n"
                       "# split rebuild the secret with 'safedump key combine'; fewer reveal nothing about it.\n"
                       "# Keep it private. Typing it back: case, spaces and blank lines do not matter, O reads\n"
                       "# as 0, I and L as 1; each data line ends with a check group that catches typos.\n"
                       "split: %s\nthreshold: %u\nshare: %u of %u\nbytes: %zu\n",
                 VERSION, s->index, s->count, s->threshold, id, s->threshold, s->index, s->count, len);
    o = (size_t)w;
    for (line = 0; line < lines; line++) {
        const unsigned char *b = s->data->data + line * LINE_BYTES;
        const size_t n = len - line * LINE_BYTES < LINE_BYTES ? len - line * LINE_BYTES : LINE_BYTES;
        char ck[4];

        nc = b32_encode(b, n, enc);
        if (line_check((unsigned)line + 1, b, n, ck) == -1)
            goto crypto;
        o += (size_t)snprintf(p + o, cap - o, "%02zu", line + 1);
        for (g = 0; g < nc; g += 4)
            o += (size_t)snprintf(p + o, cap - o, " %.*s", (int)(nc - g < 4 ? nc - g : 4), enc + g);
        o += (size_t)snprintf(p + o, cap - o, "  %.4s\n", ck);
    }
    if (share_check(s->split_id, s->threshold, s->index, s->count, s->data->data, len, check) == -1)
        goto crypto;
    o += (size_t)snprintf(p + o, cap - o, "checksum: %.4s %.4s\n", check, check + 4);
    secret_wipe(enc, sizeof(enc));
    t->len = o;
    return t;
crypto:
    secret_wipe(enc, sizeof(enc));
    secret_free(t);
    err_set(e, ERR_CRYPTO, "SHA-256 failed");
    return NULL;
}

/* bad(e, name, line, fmt, ...): "share 'NAME' line N: ..." (or "share 'NAME': ..." for line 0). */
static int __attribute__((format(printf, 4, 5)))
bad(struct err *e, const char *name, unsigned line, const char *fmt, ...)
{
    char what[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    if (line > 0)
        return err_set(e, ERR_FORMAT, "share '%s' line %u: %s", name, line, what);
    return err_set(e, ERR_FORMAT, "share '%s': %s", name, what);
}

/* number(s, out): a decimal number of at most 9 digits that is all of ${s}. Returns 0 or -1. */
static int
number(const char *s, unsigned long *out)
{
    unsigned long v = 0;
    size_t i;

    for (i = 0; isdigit((unsigned char)s[i]); i++) {
        if (i == 9)
            return -1;
        v = v * 10 + (unsigned long)(s[i] - '0');
    }
    if (i == 0 || s[i] != '\0')
        return -1;
    *out = v;
    return 0;
}

/* The parser's state: the fields seen so far and the data decoded so far. */
struct parse {
    const char *name;
    struct share *out;
    int have_split, have_threshold, have_share, have_bytes, have_checksum;
    size_t bytes, got;
    unsigned next_line;
};

/* data_line(st, lineno, line, e): one data line "NN XXXX XXXX ...  CCCC". */
static int
data_line(struct parse *st, unsigned lineno, const char *line, struct err *e)
{
    unsigned char vals[LINE_CAP], dec[LINE_CAP];
    unsigned long num = 0;
    size_t i = 0, nv = 0, want, want_chars;
    char numbuf[12], ck[4], typed[4];
    long n;
    int rc = -1;

    if (!st->have_bytes)
        return bad(e, st->name, lineno, "a data line before the 'bytes:' line");
    while (isdigit((unsigned char)line[i]) && i < sizeof(numbuf) - 1) {
        numbuf[i] = line[i];
        i++;
    }
    numbuf[i] = '\0';
    if (number(numbuf, &num) == -1 || (line[i] != ' ' && line[i] != '\t'))
        return bad(e, st->name, lineno, "a data line starts with its number and a space");
    if (num != st->next_line)
        return bad(e, st->name, lineno, "data line %lu where %u was expected (a line missing or repeated?)", num,
                   st->next_line);
    if (st->got == st->bytes)
        return bad(e, st->name, lineno, "more data than 'bytes: %zu' says", st->bytes);
    for (; line[i] != '\0'; i++) {
        int v;
        if (line[i] == ' ' || line[i] == '\t')
            continue;
        if ((v = b32_value((unsigned char)line[i])) == -1) {
            bad(e, st->name, lineno, "column %zu: not a share character (a typo?)", i + 1);
            goto out;
        }
        vals[nv++] = (unsigned char)v;
    }
    want = st->bytes - st->got < LINE_BYTES ? st->bytes - st->got : LINE_BYTES;
    want_chars = (want * 8 + 4) / 5;
    if (nv != want_chars + 4) {
        bad(e, st->name, lineno, "%zu characters, %zu expected (a typo?)", nv, want_chars + 4);
        goto out;
    }
    if ((n = b32_decode(vals, want_chars, dec)) != (long)want) {
        bad(e, st->name, lineno, "checksum mismatch (a typo?)");
        goto out;
    }
    if (line_check(st->next_line, dec, want, ck) == -1) {
        err_set(e, ERR_CRYPTO, "SHA-256 failed");
        goto out;
    }
    for (i = 0; i < 4; i++)
        typed[i] = b32[vals[want_chars + i]];
    if (memcmp(ck, typed, 4) != 0) {
        bad(e, st->name, lineno, "checksum mismatch (a typo?)");
        err_hint(e, "compare line %u with the printed share; every data line is checked on its own", lineno);
        goto out;
    }
    memcpy(st->out->data->data + st->got, dec, want);
    st->got += want;
    st->next_line++;
    rc = 0;
out:
    secret_wipe(vals, sizeof(vals));
    secret_wipe(dec, sizeof(dec));
    return rc;
}

/* field_line(st, lineno, key, value, e): "split:", "threshold:", "share:", "bytes:" or "checksum:". */
static int
field_line(struct parse *st, unsigned lineno, const char *key, const char *value, struct err *e)
{
    struct share *s = st->out;
    unsigned long a, b;
    size_t i;

    if (strcmp(key, "split") == 0) {
        if (st->have_split++)
            return bad(e, st->name, lineno, "a second 'split:' line");
        for (i = 0; i < 16; i++) {
            const char *d = value[i] ? strchr("0123456789abcdef", tolower((unsigned char)value[i])) : NULL;
            if (d == NULL)
                break;
            s->split_id[i / 2] =
                (unsigned char)((unsigned)s->split_id[i / 2] << 4 | (unsigned)(d - "0123456789abcdef"));
        }
        if (i != 16 || value[16] != '\0')
            return bad(e, st->name, lineno, "'split:' needs 16 hexadecimal digits (a typo?)");
        return 0;
    }
    if (strcmp(key, "threshold") == 0) {
        if (st->have_threshold++)
            return bad(e, st->name, lineno, "a second 'threshold:' line");
        if (number(value, &a) == -1 || a < 2 || a > SHAMIR_MAX_SHARES)
            return bad(e, st->name, lineno, "'threshold:' needs a number from 2 to %d (a typo?)", SHAMIR_MAX_SHARES);
        s->threshold = (unsigned)a;
        return 0;
    }
    if (strcmp(key, "share") == 0) {
        char x[16], n[16];
        if (st->have_share++)
            return bad(e, st->name, lineno, "a second 'share:' line");
        if (sscanf(value, "%15s of %15s", x, n) != 2 || number(x, &a) == -1 || number(n, &b) == -1 || a < 1 || a > b ||
            b > SHAMIR_MAX_SHARES)
            return bad(e, st->name, lineno, "'share:' needs 'I of N' with 1 <= I <= N <= %d (a typo?)",
                       SHAMIR_MAX_SHARES);
        s->index = (unsigned)a;
        s->count = (unsigned)b;
        return 0;
    }
    if (strcmp(key, "bytes") == 0) {
        if (st->have_bytes++)
            return bad(e, st->name, lineno, "a second 'bytes:' line");
        if (number(value, &a) == -1 || a < SHARE_TAG_LEN + 1 || a > SHARE_MAX_SECRET + SHARE_TAG_LEN)
            return bad(e, st->name, lineno, "'bytes:' needs a number from %d to %d (a typo?)", SHARE_TAG_LEN + 1,
                       SHARE_MAX_SECRET + SHARE_TAG_LEN);
        st->bytes = a;
        return (s->data = secret_new(a, e)) == NULL ? -1 : 0;
    }
    if (strcmp(key, "checksum") == 0) {
        char want[8], typed[8];
        size_t n = 0;
        for (i = 0; value[i] != '\0'; i++) {
            int v;
            if (value[i] == ' ' || value[i] == '\t')
                continue;
            if ((v = b32_value((unsigned char)value[i])) == -1 || n == 8)
                return bad(e, st->name, lineno, "'checksum:' needs 8 share characters (a typo?)");
            typed[n++] = b32[v];
        }
        if (n != 8)
            return bad(e, st->name, lineno, "'checksum:' needs 8 share characters (a typo?)");
        if (!st->have_split || !st->have_threshold || !st->have_share || !st->have_bytes)
            return bad(e, st->name, lineno, "the 'checksum:' line comes after split, threshold, share and bytes");
        if (st->got < st->bytes)
            return bad(e, st->name, lineno, "%zu of %zu data bytes before the checksum (a line is missing?)", st->got,
                       st->bytes);
        if (share_check(s->split_id, s->threshold, s->index, s->count, s->data->data, st->bytes, want) == -1)
            return err_set(e, ERR_CRYPTO, "SHA-256 failed");
        if (memcmp(want, typed, 8) != 0)
            return bad(e, st->name, lineno,
                       "share checksum mismatch (a typo here or in the split, threshold, share or bytes line?)");
        st->have_checksum = 1;
        return 0;
    }
    return bad(e, st->name, lineno, "not a line of a share (a typo?)");
}

int
share_parse(const char *name, const unsigned char *text, size_t len, struct share *out, struct err *e)
{
    struct parse st;
    char line[LINE_CAP + 1];
    size_t pos = 0;
    unsigned lineno = 0;
    int have_magic = 0, rc = -1;

    memset(out, 0, sizeof(*out));
    memset(&st, 0, sizeof(st));
    st.name = name;
    st.out = out;
    st.next_line = 1;
    while (pos < len) {
        size_t end = pos, n, a, b;
        char *colon;

        while (end < len && text[end] != '\n')
            end++;
        n = end - pos;
        lineno++;
        if (n > LINE_CAP) {
            bad(e, name, lineno, "longer than %d characters", LINE_CAP);
            goto out;
        }
        memcpy(line, text + pos, n);
        line[n] = '\0';
        pos = end + 1;
        if (memchr(line, '\0', n) != NULL) {
            if (!have_magic)
                goto not_share;
            bad(e, name, lineno, "a NUL byte");
            goto out;
        }
        /* trim: leading and trailing blanks, and the CR of a CRLF line */
        for (a = 0; a < n && isspace((unsigned char)line[a]); a++)
            ;
        for (b = n; b > a && isspace((unsigned char)line[b - 1]); b--)
            ;
        line[b] = '\0';
        if (a == b || line[a] == '#')
            continue;
        if (!have_magic) {
            unsigned long v;
            if (strncmp(line + a, MAGIC, strlen(MAGIC)) != 0)
                goto not_share;
            if (number(line + a + strlen(MAGIC), &v) == -1) {
                bad(e, name, lineno, "not a version number after '" MAGIC "'");
                goto out;
            }
            if (v != VERSION) {
                err_set(e, ERR_FORMAT, "share '%s': format version %lu is not supported (this safedump reads v%u)",
                        name, v, VERSION);
                err_hint(e, "combine it with the safedump version that made it");
                goto out;
            }
            have_magic = 1;
            continue;
        }
        if (st.have_checksum) {
            bad(e, name, lineno, "text after the checksum line");
            goto out;
        }
        if (isdigit((unsigned char)line[a])) {
            if (data_line(&st, lineno, line + a, e) == -1)
                goto out;
            continue;
        }
        if ((colon = strchr(line + a, ':')) == NULL) {
            bad(e, name, lineno, "not a line of a share (a typo?)");
            goto out;
        }
        *colon = '\0';
        for (b = a; line[b] != '\0'; b++)
            line[b] = (char)tolower((unsigned char)line[b]);
        for (colon++; *colon == ' ' || *colon == '\t'; colon++)
            ;
        if (field_line(&st, lineno, line + a, colon, e) == -1)
            goto out;
    }
    if (!have_magic)
        goto not_share;
    if (!st.have_split || !st.have_threshold || !st.have_share || !st.have_bytes) {
        bad(e, name, 0, "no '%s:' line",
            !st.have_split       ? "split"
            : !st.have_threshold ? "threshold"
            : !st.have_share     ? "share"
                                 : "bytes");
        goto out;
    }
    if (st.got < st.bytes) {
        bad(e, name, 0, "%zu of %zu data bytes (a line is missing?)", st.got, st.bytes);
        goto out;
    }
    if (!st.have_checksum) {
        bad(e, name, 0, "no 'checksum:' line (the last line is missing?)");
        goto out;
    }
    if (out->threshold > out->count) {
        bad(e, name, 0, "a threshold of %u with only %u shares", out->threshold, out->count);
        goto out;
    }
    rc = 0;
    goto out;
not_share:
    err_set(e, ERR_FORMAT, "share '%s' is not a safedump share (no '" MAGIC "%u' line)", name, VERSION);
    err_hint(e, "'safedump key split' writes shares; give one file per share");
out:
    secret_wipe(line, sizeof(line));
    if (rc == -1)
        share_release(out);
    return rc;
}

struct secret *
share_combine(const struct share *sh, const char *const *names, size_t n, struct err *e)
{
    const unsigned char *ptrs[SHAMIR_MAX_SHARES];
    unsigned char xs[SHAMIR_MAX_SHARES], want[SHARE_TAG_LEN];
    struct secret *payload = NULL, *extra = NULL, *out = NULL;
    char id0[17], idi[17];
    size_t i, j, len, slen;
    unsigned k;

    if (n == 0) {
        err_set(e, ERR_USAGE, "no shares given");
        return NULL;
    }
    k = sh[0].threshold;
    len = sh[0].data->len;
    for (i = 1; i < n; i++) {
        if (memcmp(sh[i].split_id, sh[0].split_id, sizeof(sh[0].split_id)) != 0) {
            hex(sh[0].split_id, id0);
            hex(sh[i].split_id, idi);
            err_set(e, ERR_FORMAT, "share '%s' is from another split", names[i]);
            err_hint(e, "'%s' is from split %s and '%s' from split %s; use shares of one 'safedump key split' run",
                     names[0], id0, names[i], idi);
            return NULL;
        }
        if (sh[i].threshold != k || sh[i].count != sh[0].count || sh[i].data->len != len) {
            err_set(e, ERR_FORMAT, "share '%s' disagrees with '%s' on the threshold, share count or length", names[i],
                    names[0]);
            return NULL;
        }
        for (j = 0; j < i; j++) {
            if (sh[j].index == sh[i].index && strcmp(names[i], names[j]) == 0) {
                err_set(e, ERR_FORMAT, "share '%s' is given twice", names[i]);
                err_hint(e, "each share counts once; give %u different shares", k);
                return NULL;
            }
            if (sh[j].index == sh[i].index) {
                err_set(e, ERR_FORMAT, "share '%s' is share %u of %u again, as is '%s'", names[i], sh[i].index,
                        sh[i].count, names[j]);
                err_hint(e, "each share counts once; give %u different shares", k);
                return NULL;
            }
        }
    }
    if (n < k) {
        hex(sh[0].split_id, id0);
        err_set(e, ERR_KEY, "%zu share%s given, %u needed", n, n == 1 ? "" : "s", k);
        err_hint(e, "any %u of the %u shares of split %s rebuild the secret", k, sh[0].count, id0);
        return NULL;
    }
    for (i = 0; i < k; i++) {
        xs[i] = (unsigned char)sh[i].index;
        ptrs[i] = sh[i].data->data;
    }
    if ((payload = secret_new(len, e)) == NULL || (extra = secret_new(len, e)) == NULL)
        goto out;
    shamir_combine(xs, ptrs, k, len, 0, payload->data);
    slen = len - SHARE_TAG_LEN;
    if (tag(sh[0].split_id, payload->data, slen, want) == -1) {
        err_set(e, ERR_CRYPTO, "SHA-256 failed");
        goto out;
    }
    if (CRYPTO_memcmp(want, payload->data + slen, SHARE_TAG_LEN) != 0) {
        err_set(e, ERR_FORMAT, "the shares do not rebuild the secret: one of them was altered");
        err_hint(e, "try another combination of %u shares", k);
        goto out;
    }
    for (i = k; i < n; i++) {
        shamir_combine(xs, ptrs, k, len, (unsigned char)sh[i].index, extra->data);
        if (CRYPTO_memcmp(extra->data, sh[i].data->data, len) != 0) {
            err_set(e, ERR_FORMAT, "share '%s' does not agree with the others", names[i]);
            err_hint(e, "the first %u shares rebuild the secret; leave '%s' out", k, names[i]);
            goto out;
        }
    }
    if ((out = secret_new(slen, e)) == NULL)
        goto out;
    memcpy(out->data, payload->data, slen);
out:
    secret_free(payload);
    secret_free(extra);
    return out;
}

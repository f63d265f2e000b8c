/* zstd, sha256, count and the generic sinks: piecewise writes equal one-shot output. */
#include <stdlib.h>
#include <string.h>

#include "stage/hash.h"
#include "stage/stage.h"
#include "stage/zstd.h"
#include "stagetest.h"
#include "test.h"

static unsigned char *
sample(size_t n)
{
    unsigned char *p = malloc(n ? n : 1);
    size_t i;
    unsigned x = 12345;

    for (i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        /* compressible but not trivial: text-like runs with noise */
        p[i] = i % 97 < 60 ? (unsigned char)"COPY public.t (a, b) FROM stdin;\n"[i % 33] : (unsigned char)(x >> 16);
    }
    return p;
}

/* compress with ${workers}, fed in pieces; returns the compressed bytes (caller frees) */
static unsigned char *
compress(const unsigned char *in, size_t n, size_t piece, int workers, size_t *outlen)
{
    struct err e;
    struct zstd_opts o = {3, workers, 0};
    struct stage *buf = stage_buf_new(SIZE_MAX, &e), *z;
    const unsigned char *d;
    unsigned char *out;

    z = stage_zstd_compress_new(&o, stage_borrow_new(buf, &e), &e);
    if (z == NULL || stagetest_feed(z, in, n, piece, &e) == -1)
        return NULL;
    d = stage_buf_data(buf, outlen);
    out = malloc(*outlen + 1);
    memcpy(out, d, *outlen);
    stage_free(z);
    stage_free(buf);
    return out;
}

static int
decompress_eq(const unsigned char *c, size_t clen, size_t piece, const unsigned char *want, size_t wlen)
{
    struct err e;
    struct stage *buf = stage_buf_new(SIZE_MAX, &e), *z = stage_zstd_decompress_new(stage_borrow_new(buf, &e), &e);
    const unsigned char *d;
    size_t dlen;
    int ok;

    if (z == NULL || stagetest_feed(z, c, clen, piece, &e) == -1) {
        stage_free(z);
        stage_free(buf);
        return 0;
    }
    d = stage_buf_data(buf, &dlen);
    ok = dlen == wlen && (wlen == 0 || memcmp(d, want, wlen) == 0);
    stage_free(z);
    stage_free(buf);
    return ok;
}

TEST(zstd_pieces_equal_one_shot)
{
    static const size_t sizes[] = {0, 1, 4093, 65537, 1 << 20};
    size_t si, pi;

    for (si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
        unsigned char *in = sample(sizes[si]), *ref, *c;
        size_t reflen, clen;
        ref = compress(in, sizes[si], 0, 0, &reflen);
        CHECK(ref != NULL);
        for (pi = 0; pi < STAGETEST_NPIECES; pi++) {
            c = compress(in, sizes[si], stagetest_pieces[pi], 0, &clen);
            CHECK(c != NULL);
            CHECK_EQ_INT(clen, reflen);
            CHECK(clen == 0 || memcmp(c, ref, clen) == 0);
            CHECK(decompress_eq(ref, reflen, stagetest_pieces[pi], in, sizes[si]));
            free(c);
        }
        /* with worker threads the frame differs but must decode to the same bytes */
        c = compress(in, sizes[si], 4093, 2, &clen);
        CHECK(c != NULL);
        CHECK(decompress_eq(c, clen, 0, in, sizes[si]));
        free(c);
        free(ref);
        free(in);
    }
}

TEST(zstd_rejects_truncated_and_garbage)
{
    unsigned char *in = sample(200000), *c;
    size_t clen;
    struct err e;
    struct stage *z;

    c = compress(in, 200000, 0, 0, &clen);
    CHECK(c != NULL);
    CHECK(!decompress_eq(c, clen / 2, 0, in, 200000));
    CHECK(!decompress_eq(c, clen - 1, 1, in, 200000));
    z = stage_zstd_decompress_new(stage_null_new(&e), &e);
    CHECK(z != NULL);
    CHECK_EQ_INT(stagetest_feed(z, c, clen / 2, 0, &e), -1);
    CHECK_CONTAINS(e.msg, "truncated");
    stage_free(z);
    c[clen / 2] ^= 0x40; /* zstd's content checksum catches a flipped byte */
    CHECK(!decompress_eq(c, clen, 0, in, 200000));
    free(c);
    free(in);
}

TEST(sha256_vectors_and_pieces)
{
    static const struct {
        const char *in;
        const char *hex;
    } v[] = {
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    };
    size_t i, p;
    struct err e;

    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        for (p = 0; p < STAGETEST_NPIECES; p++) {
            struct stage *h = stage_hash_new(NULL, &e);
            CHECK(h != NULL);
            CHECK_EQ_INT(stagetest_feed(h, v[i].in, strlen(v[i].in), stagetest_pieces[p], &e), 0);
            CHECK_EQ_STR(stage_hash_hex(h), v[i].hex);
            stage_free(h);
        }
    }
}

TEST(sha256_million_a_and_expect)
{
    size_t n = 1000000;
    char *a = malloc(n), hex[HASH_SHA256_HEXLEN];
    struct err e;
    struct stage *h;

    memset(a, 'a', n);
    hash_sha256_hex(a, n, hex);
    CHECK_EQ_STR(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    h = stage_hash_new(stage_null_new(&e), &e);
    stage_hash_expect(h, "00", "stored object");
    CHECK_EQ_INT(stagetest_feed(h, a, n, 65537, &e), -1);
    CHECK_EQ_INT(e.code, ERR_VERIFY);
    CHECK_EQ_STR(e.msg, "stored object hash mismatch");
    stage_free(h);
    free(a);
}

TEST(count_and_buf_cap)
{
    struct err e;
    struct stage *b = stage_buf_new(10, &e), *c = stage_count_new(stage_borrow_new(b, &e), &e);
    size_t len;

    CHECK_EQ_INT(stage_write(c, "12345", 5, &e), 0);
    CHECK_EQ_INT(stage_write(c, "6789", 4, &e), 0);
    CHECK_EQ_INT(stage_count_bytes(c), 9);
    CHECK_EQ_INT(stage_write(c, "ab", 2, &e), -1); /* over the cap */
    CHECK(stage_buf_data(b, &len) != NULL);
    CHECK_EQ_INT(len, 9);
    stage_free(c);
    stage_free(b);
}

int
main(void)
{
    RUN(zstd_pieces_equal_one_shot);
    RUN(zstd_rejects_truncated_and_garbage);
    RUN(sha256_vectors_and_pieces);
    RUN(sha256_million_a_and_expect);
    RUN(count_and_buf_cap);
    return test_done();
}

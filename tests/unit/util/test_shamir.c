/* Shamir's secret sharing over GF(2^8): the field arithmetic against known values and a slow reference,
 * then split and combine of random secrets: every k-subset rebuilds, (k-1)-subsets do not. */
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "util/err.h"
#include "util/shamir.h"

/* The schoolbook product: multiply as polynomials over GF(2), then reduce modulo 0x11b. */
static unsigned char
ref_mul(unsigned a, unsigned b)
{
    unsigned p = 0;
    int i;

    for (i = 0; i < 8; i++)
        if (b & (1u << i))
            p ^= a << i;
    for (i = 15; i >= 8; i--)
        if (p & (1u << i))
            p ^= 0x11bu << (i - 8);
    return (unsigned char)p;
}

TEST(known_products)
{
    /* FIPS-197 section 4.2: {57} x {83} = {c1}, {57} x {13} = {fe}; {53} and {ca} are inverses */
    CHECK_EQ_INT(shamir_mul(0x57, 0x83), 0xc1);
    CHECK_EQ_INT(shamir_mul(0x83, 0x57), 0xc1);
    CHECK_EQ_INT(shamir_mul(0x57, 0x13), 0xfe);
    CHECK_EQ_INT(shamir_mul(0x57, 0x02), 0xae); /* xtime({57}) */
    CHECK_EQ_INT(shamir_mul(0xae, 0x02), 0x47); /* xtime({ae}): the reduction kicks in */
    CHECK_EQ_INT(shamir_mul(0x53, 0xca), 0x01);
    CHECK_EQ_INT(shamir_mul(0x80, 0x02), 0x1b);
    CHECK_EQ_INT(shamir_mul(0xff, 0xff), 0x13);
    CHECK_EQ_INT(shamir_mul(0x00, 0xff), 0x00);
    CHECK_EQ_INT(shamir_mul(0x01, 0xa5), 0xa5);
}

TEST(known_inverses)
{
    CHECK_EQ_INT(shamir_inv(0x53), 0xca);
    CHECK_EQ_INT(shamir_inv(0xca), 0x53);
    CHECK_EQ_INT(shamir_inv(0x01), 0x01);
    CHECK_EQ_INT(shamir_inv(0x02), 0x8d); /* x^-1 = x^7 + x^3 + x^2 + 1 */
    CHECK_EQ_INT(shamir_inv(0x00), 0x00);
}

TEST(every_product_matches_the_reference)
{
    unsigned a, b;

    for (a = 0; a < 256; a++)
        for (b = 0; b < 256; b++)
            if (shamir_mul((unsigned char)a, (unsigned char)b) != ref_mul(a, b)) {
                CHECK_EQ_INT(shamir_mul((unsigned char)a, (unsigned char)b), ref_mul(a, b));
            }
}

TEST(every_inverse)
{
    unsigned a, seen[256] = {0};

    for (a = 1; a < 256; a++) {
        unsigned char i = shamir_inv((unsigned char)a);
        CHECK_EQ_INT(shamir_mul((unsigned char)a, i), 1);
        seen[i]++;
    }
    for (a = 1; a < 256; a++)
        CHECK_EQ_INT(seen[a], 1); /* a permutation of the non-zero elements */
}

TEST(field_laws)
{
    unsigned a, b, c;

    for (a = 0; a < 256; a += 7)
        for (b = 0; b < 256; b += 5)
            for (c = 0; c < 256; c += 11) {
                unsigned char x = (unsigned char)a, y = (unsigned char)b, z = (unsigned char)c;
                CHECK_EQ_INT(shamir_mul(x, shamir_mul(y, z)), shamir_mul(shamir_mul(x, y), z));
                CHECK_EQ_INT(shamir_mul(x, (unsigned char)(y ^ z)), shamir_mul(x, y) ^ shamir_mul(x, z));
            }
}

/*
 * check_split(len, k, n): split a random secret of ${len} bytes and combine every subset of the n
 * shares (n <= 8): each subset of k or more shares gives the secret back, at x = 0, and every share,
 * at its own x; a subset of k - 1 shares gives something else (checked for 16 bytes or more, where a
 * match by chance has probability 2^-128). Returns 0 or a line number for the failure.
 */
static int
check_split(size_t len, unsigned k, unsigned n)
{
    unsigned char *secret = malloc(len), *out = malloc(len), *shares[8], xs[8];
    const unsigned char *sub[8];
    struct err e;
    unsigned mask, i, m;
    int bad = 0;

    for (i = 0; i < n; i++)
        shares[i] = malloc(len);
    RAND_bytes(secret, (int)len);
    if (shamir_split(secret, len, k, n, shares, &e) == -1)
        bad = __LINE__;
    for (mask = 1; !bad && mask < (1u << n); mask++) {
        m = 0;
        for (i = 0; i < n; i++)
            if (mask & (1u << i)) {
                xs[m] = (unsigned char)(i + 1);
                sub[m++] = shares[i];
            }
        if (m < k - 1)
            continue;
        shamir_combine(xs, sub, m, len, 0, out);
        if (m >= k && memcmp(out, secret, len) != 0)
            bad = __LINE__;
        if (m == k - 1 && len >= 16 && memcmp(out, secret, len) == 0)
            bad = __LINE__;
        if (m >= k) {
            for (i = 0; i < n && !bad; i++) {
                shamir_combine(xs, sub, m, len, (unsigned char)(i + 1), out);
                if (memcmp(out, shares[i], len) != 0)
                    bad = __LINE__;
            }
        }
    }
    for (i = 0; i < n; i++)
        free(shares[i]);
    free(secret);
    free(out);
    return bad;
}

TEST(two_of_three_every_size_to_2000)
{
    size_t len;

    for (len = 1; len <= 2000; len++)
        CHECK_EQ_INT(check_split(len, 2, 3), 0);
}

TEST(three_of_five)
{
    static const size_t sizes[] = {1, 2, 3, 15, 16, 17, 31, 32, 33, 100, 255, 256, 257, 1000, 1999, 2000};
    size_t i;

    for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
        CHECK_EQ_INT(check_split(sizes[i], 3, 5), 0);
    for (i = 0; i < 40; i++) /* and random sizes */
        CHECK_EQ_INT(check_split(1 + (size_t)rand() % 2000, 3, 5), 0);
}

TEST(every_threshold_up_to_five_shares)
{
    static const size_t sizes[] = {1, 7, 16, 20, 21, 64, 333, 2000};
    unsigned k, n;
    size_t i;

    for (n = 2; n <= 5; n++)
        for (k = 2; k <= n; k++)
            for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
                CHECK_EQ_INT(check_split(sizes[i], k, n), 0);
}

TEST(many_shares)
{
    unsigned char secret[40], *shares[255], out[40], xs[255];
    const unsigned char *sub[255];
    struct err e;
    unsigned i;

    RAND_bytes(secret, sizeof(secret));
    for (i = 0; i < 255; i++)
        shares[i] = malloc(sizeof(secret));
    CHECK_EQ_INT(shamir_split(secret, sizeof(secret), 255, 255, shares, &e), 0);
    for (i = 0; i < 255; i++) {
        xs[i] = (unsigned char)(255 - i); /* in any order */
        sub[i] = shares[254 - i];
    }
    shamir_combine(xs, sub, 255, sizeof(secret), 0, out);
    CHECK_MEM(out, secret, sizeof(secret));
    shamir_combine(xs, sub, 254, sizeof(secret), 0, out);
    CHECK(memcmp(out, secret, sizeof(secret)) != 0);
    for (i = 0; i < 255; i++)
        free(shares[i]);
}

TEST(shares_are_not_the_secret)
{
    /* a share of an all-zero secret is random: no share equals the secret, and the shares differ */
    unsigned char secret[64] = {0}, a[64], b[64], c[64];
    unsigned char *shares[3] = {a, b, c};
    struct err e;

    CHECK_EQ_INT(shamir_split(secret, sizeof(secret), 2, 3, shares, &e), 0);
    CHECK(memcmp(a, secret, sizeof(secret)) != 0);
    CHECK(memcmp(a, b, sizeof(a)) != 0);
    CHECK(memcmp(b, c, sizeof(b)) != 0);
}

int
main(void)
{
    srand(1);
    RUN(known_products);
    RUN(known_inverses);
    RUN(every_product_matches_the_reference);
    RUN(every_inverse);
    RUN(field_laws);
    RUN(two_of_three_every_size_to_2000);
    RUN(three_of_five);
    RUN(every_threshold_up_to_five_shares);
    RUN(many_shares);
    RUN(shares_are_not_the_secret);
    return test_done();
}

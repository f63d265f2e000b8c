#include "util/shamir.h"

#include <assert.h>
#include <openssl/rand.h>
#include <string.h>

#include "util/err.h"
#include "util/secret.h"

unsigned char
shamir_mul(unsigned char a, unsigned char b)
{
    unsigned x = a, y = b, r = 0;
    int i;

    /* Russian peasant multiplication with masks instead of branches: the same steps for every input. */
    for (i = 0; i < 8; i++) {
        r ^= x & (0u - (y & 1u));
        y >>= 1;
        x = ((x << 1) ^ (0x11bu & (0u - (x >> 7)))) & 0xffu;
    }
    return (unsigned char)r;
}

unsigned char
shamir_inv(unsigned char a)
{
    /* a^254 = a^-1 (the group of non-zero elements has order 255), by a fixed square-and-multiply chain. */
    unsigned char a2 = shamir_mul(a, a);       /* a^2 */
    unsigned char a3 = shamir_mul(a2, a);      /* a^3 */
    unsigned char a6 = shamir_mul(a3, a3);     /* a^6 */
    unsigned char a12 = shamir_mul(a6, a6);    /* a^12 */
    unsigned char a15 = shamir_mul(a12, a3);   /* a^15 */
    unsigned char a30 = shamir_mul(a15, a15);  /* a^30 */
    unsigned char a60 = shamir_mul(a30, a30);  /* a^60 */
    unsigned char a63 = shamir_mul(a60, a3);   /* a^63 */
    unsigned char a126 = shamir_mul(a63, a63); /* a^126 */
    unsigned char a127 = shamir_mul(a126, a);  /* a^127 */
    return shamir_mul(a127, a127);             /* a^254 */
}

int
shamir_split(const unsigned char *secret, size_t len, unsigned k, unsigned n, unsigned char *const *shares,
             struct err *e)
{
    unsigned char coef[SHAMIR_MAX_SHARES];
    size_t j;
    unsigned i, c;

    assert(k >= 2 && k <= n && n <= SHAMIR_MAX_SHARES && len >= 1);
    for (j = 0; j < len; j++) {
        /* coef[0 .. k-2] are the coefficients of x^1 .. x^(k-1); the constant term is the secret byte */
        if (RAND_bytes(coef, (int)(k - 1)) != 1) {
            secret_wipe(coef, sizeof(coef));
            for (i = 0; i < n; i++)
                secret_wipe(shares[i], len);
            return err_set(e, ERR_CRYPTO, "RAND_bytes failed");
        }
        for (i = 0; i < n; i++) {
            unsigned char x = (unsigned char)(i + 1), y = 0;
            /* Horner: ((c_{k-1} x + c_{k-2}) x + ...) x + secret */
            for (c = k - 1; c > 0; c--)
                y = shamir_mul((unsigned char)(y ^ coef[c - 1]), x);
            shares[i][j] = (unsigned char)(y ^ secret[j]);
        }
    }
    secret_wipe(coef, sizeof(coef));
    return 0;
}

void
shamir_combine(const unsigned char *xs, const unsigned char *const *shares, unsigned k, size_t len, unsigned char x,
               unsigned char *out)
{
    unsigned char basis[SHAMIR_MAX_SHARES];
    unsigned i, m;
    size_t j;

    assert(k >= 1 && k <= SHAMIR_MAX_SHARES);
    /* Lagrange basis at x: l_i(x) = prod_{m != i} (x - x_m) / (x_i - x_m); minus is xor in GF(2^8). */
    for (i = 0; i < k; i++) {
        unsigned char num = 1, den = 1;
        assert(xs[i] != 0);
        for (m = 0; m < k; m++) {
            if (m == i)
                continue;
            assert(xs[m] != xs[i]);
            num = shamir_mul(num, (unsigned char)(x ^ xs[m]));
            den = shamir_mul(den, (unsigned char)(xs[i] ^ xs[m]));
        }
        basis[i] = shamir_mul(num, shamir_inv(den));
    }
    for (j = 0; j < len; j++) {
        unsigned char y = 0;
        for (i = 0; i < k; i++)
            y ^= shamir_mul(basis[i], shares[i][j]);
        out[j] = y;
    }
    secret_wipe(basis, sizeof(basis));
}

/*
 * Shamir's secret sharing over GF(2^8), the AES field (x^8 + x^4 + x^3 + x + 1, 0x11b), byte by byte:
 * each byte of the secret is the constant term of its own random polynomial of degree k - 1, and share
 * i holds every polynomial's value at x = i (1..255). Any k shares give the secret back by Lagrange
 * interpolation at x = 0; k - 1 shares say nothing about it. Pure functions: no files, no formats.
 * Field arithmetic runs without tables or branches on its operands, since the operands are secret.
 */
#ifndef SAFEDUMP_UTIL_SHAMIR_H
#define SAFEDUMP_UTIL_SHAMIR_H

#include <stddef.h>

struct err;

#define SHAMIR_MAX_SHARES 255

/** shamir_mul(a, b): the product of ${a} and ${b} in GF(2^8) modulo 0x11b, in constant time. */
unsigned char shamir_mul(unsigned char a, unsigned char b);

/** shamir_inv(a): the multiplicative inverse of ${a} (a^254), in constant time; 0 for 0. */
unsigned char shamir_inv(unsigned char a);

/**
 * shamir_split(secret, len, k, n, shares, e): split the ${len} bytes at ${secret} into ${n} shares of
 * ${len} bytes each, written to shares[0] .. shares[n - 1] (share i + 1 is the value at x = i + 1); any
 * ${k} of them rebuild the secret. 2 <= k <= n <= 255 and len >= 1 (programmer errors otherwise). The
 * coefficients come from RAND_bytes and are wiped after use. Returns 0, or -1 (ERR_CRYPTO) with the
 * shares wiped.
 */
int shamir_split(const unsigned char *secret, size_t len, unsigned k, unsigned n, unsigned char *const *shares,
                 struct err *e);

/**
 * shamir_combine(xs, shares, k, len, x, out): evaluate at ${x} the polynomials through the ${k} points
 * (xs[i], shares[i][j]) and write the ${len} values to ${out}. With x = 0 and k shares of one split this
 * is the secret; with another x it is that share, which checks extra shares. The xs must be distinct
 * and non-zero (programmer errors otherwise).
 */
void shamir_combine(const unsigned char *xs, const unsigned char *const *shares, unsigned k, size_t len,
                    unsigned char x, unsigned char *out);

#endif

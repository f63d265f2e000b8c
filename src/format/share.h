/*
 * Recovery shares: a secret (an identity file's text) split with Shamir's scheme (util/shamir.h) into N
 * shares, any K of which rebuild it, each written as a small text file that can be printed on paper and
 * typed back. The format, version 1:
 *
 *     safedump-share v1
 *     # comment lines (ignored)
 *     split: 7F3A9C01D2E4B856      a random 64-bit id of this split run (never derived from the secret)
 *     threshold: 2                 K
 *     share: 1 of 3                this share's x coordinate and N
 *     bytes: 83                    length of the share data: the secret's length + 8
 *     01 ABCD EFGH ... WXYZ  K7Q2  data lines: a number, 20 bytes in Crockford base32 (groups of 4),
 *     02 ...                       and a check group: 20 bits of SHA-256 over the line number and bytes
 *     checksum: ABCD EFGH          40 bits of SHA-256 over every field above and all the data
 *
 * The shared data is the secret followed by an 8-byte tag, SHA-256(split id, secret) truncated: the tag
 * is split with the secret, so one share cannot test a guess of the secret, while combine can tell a
 * wrong result from the right one. Reading is forgiving where typing is: case, spaces, blank lines and
 * the letters O, I and L (read as 0, 1, 1) do not matter; a typo is reported with its line number.
 */
#ifndef SAFEDUMP_FORMAT_SHARE_H
#define SAFEDUMP_FORMAT_SHARE_H

#include <stddef.h>

struct err;
struct secret;

#define SHARE_MAX_SECRET (64 * 1024) /* bytes; the same limit as an identity file */
#define SHARE_TAG_LEN 8

struct share {
    unsigned char split_id[8];
    unsigned threshold;  /* K, 2..255 */
    unsigned index;      /* x coordinate, 1..count */
    unsigned count;      /* N, threshold..255 */
    struct secret *data; /* the share's bytes: the secret's length + SHARE_TAG_LEN */
};

/**
 * share_split(secret, len, k, n, out, e): split ${len} bytes (1..SHARE_MAX_SECRET) into ${n} shares,
 * any ${k} of which rebuild them, with a new random split id. Fills out[0] .. out[n - 1]; the caller
 * releases each with share_release(). Returns 0, or -1: ERR_USAGE for a bad k, n or length, ERR_CRYPTO.
 */
int share_split(const unsigned char *secret, size_t len, unsigned k, unsigned n, struct share *out, struct err *e);

/** share_format(s, e): the text of share ${s}, in a secret buffer the caller frees. NULL on failure. */
struct secret *share_format(const struct share *s, struct err *e);

/**
 * share_parse(name, text, len, out, e): read the share text at ${text}. ${name} (a file name) is used in
 * error messages only: "share 'a.txt' line 4: checksum mismatch (a typo?)". Returns 0 with ${out}
 * filled (release it with share_release()), or -1 with ERR_FORMAT and ${out} empty. Messages never
 * quote share data.
 */
int share_parse(const char *name, const unsigned char *text, size_t len, struct share *out, struct err *e);

/**
 * share_combine(shares, names, n, e): rebuild the secret from ${n} parsed shares named names[i]. Any
 * threshold of distinct shares of one split is enough; extra shares must agree with them. Fails with
 * ERR_FORMAT naming the share (another split, a duplicate, a disagreeing share) or ERR_KEY when too few
 * are given ("2 shares given, 3 needed"). Returns the secret (caller frees) or NULL.
 */
struct secret *share_combine(const struct share *shares, const char *const *names, size_t n, struct err *e);

/** share_release(s): wipe and free the share's data and clear ${s}. NULL does nothing. */
void share_release(struct share *s);

#endif

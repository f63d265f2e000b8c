/*
 * Bech32 (BIP 173) without the 90-character length limit, as age uses it for keys (C2SP age.md,
 * "Conventions"). A string is all lower case or all upper case; the checksum is computed over the
 * lower-case form. Temporary buffers are wiped, since identities are encoded with Bech32 too.
 */
#ifndef SAFEDUMP_FORMAT_BECH32_H
#define SAFEDUMP_FORMAT_BECH32_H

#include <stddef.h>

struct err;

/**
 * bech32_encode(out, cap, hrp, data, len, e): encode ${len} bytes of ${data} under the human-readable
 * part ${hrp}; the output is upper case if ${hrp} is, else lower case. Writes a NUL-terminated string
 * of at most ${cap} - 1 characters to ${out}. Returns its length, or -1 (ERR_INTERNAL: buffer too small
 * or a bad ${hrp}).
 */
int bech32_encode(char *out, size_t cap, const char *hrp, const unsigned char *data, size_t len, struct err *e);

/**
 * bech32_decode(s, slen, hrp, hrpcap, data, datacap, datalen, e): decode the ${slen} characters at ${s}.
 * Stores the human-readable part, in the case of the input, NUL-terminated in ${hrp} (at most
 * ${hrpcap} - 1 characters) and the data in ${data} (at most ${datacap} bytes, length in *${datalen}).
 * Returns 0, or -1 with ERR_FORMAT naming the problem (mixed case, bad character, bad checksum, ...).
 * The message never quotes ${s}.
 */
int bech32_decode(const char *s, size_t slen, char *hrp, size_t hrpcap, unsigned char *data, size_t datacap,
                  size_t *datalen, struct err *e);

#endif

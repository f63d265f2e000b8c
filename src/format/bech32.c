#include "format/bech32.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/secret.h"

static const char charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

static uint32_t
polymod_step(uint32_t chk, unsigned v)
{
    static const uint32_t gen[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
    uint32_t top = chk >> 25;

    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (int i = 0; i < 5; i++)
        if ((top >> i) & 1)
            chk ^= gen[i];
    return chk;
}

static char
lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static char
upper(char c)
{
    return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

/* The checksum state after the expanded human-readable part (always taken in lower case). */
static uint32_t
polymod_hrp(const char *hrp, size_t len)
{
    uint32_t chk = 1;

    for (size_t i = 0; i < len; i++)
        chk = polymod_step(chk, (unsigned)(unsigned char)lower(hrp[i]) >> 5);
    chk = polymod_step(chk, 0);
    for (size_t i = 0; i < len; i++)
        chk = polymod_step(chk, (unsigned)(unsigned char)lower(hrp[i]) & 31);
    return chk;
}

int
bech32_encode(char *out, size_t cap, const char *hrp, const unsigned char *data, size_t len, struct err *e)
{
    size_t hlen = strlen(hrp), nvals = (len * 8 + 4) / 5, total = hlen + 1 + nvals + 6, o = 0;
    int has_upper = 0, has_lower = 0;
    uint32_t chk, acc = 0;
    unsigned bits = 0;

    if (hlen == 0 || total + 1 > cap || total > INT32_MAX)
        return err_set(e, ERR_INTERNAL, "bech32: output buffer too small");
    for (size_t i = 0; i < hlen; i++) {
        if (hrp[i] < 33 || hrp[i] > 126)
            return err_set(e, ERR_INTERNAL, "bech32: invalid human-readable part");
        has_upper |= hrp[i] >= 'A' && hrp[i] <= 'Z';
        has_lower |= hrp[i] >= 'a' && hrp[i] <= 'z';
    }
    if (has_upper && has_lower)
        return err_set(e, ERR_INTERNAL, "bech32: mixed-case human-readable part");
    chk = polymod_hrp(hrp, hlen);
    for (size_t i = 0; i < hlen; i++)
        out[o++] = lower(hrp[i]);
    out[o++] = '1';
    for (size_t i = 0; i < len; i++) {
        acc = (acc << 8 | data[i]) & 0xfff;
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            unsigned v = (acc >> bits) & 31;
            chk = polymod_step(chk, v);
            out[o++] = charset[v];
        }
    }
    if (bits > 0) {
        unsigned v = (acc << (5 - bits)) & 31;
        chk = polymod_step(chk, v);
        out[o++] = charset[v];
    }
    for (int i = 0; i < 6; i++)
        chk = polymod_step(chk, 0);
    chk ^= 1;
    for (int i = 0; i < 6; i++)
        out[o++] = charset[(chk >> (5 * (5 - i))) & 31];
    out[o] = '\0';
    if (has_upper)
        for (size_t i = 0; i < o; i++)
            out[i] = upper(out[i]);
    acc = 0;
    secret_wipe(&acc, sizeof(acc));
    return (int)o;
}

int
bech32_decode(const char *s, size_t slen, char *hrp, size_t hrpcap, unsigned char *data, size_t datacap,
              size_t *datalen, struct err *e)
{
    int has_upper = 0, has_lower = 0;
    size_t pos = 0, n = 0;
    uint32_t chk, acc = 0;
    unsigned bits = 0;
    int rc = -1;

    for (size_t i = 0; i < slen; i++) {
        if (s[i] < 33 || s[i] > 126)
            return err_set(e, ERR_FORMAT, "invalid character");
        has_upper |= s[i] >= 'A' && s[i] <= 'Z';
        has_lower |= s[i] >= 'a' && s[i] <= 'z';
        if (s[i] == '1')
            pos = i;
    }
    if (has_upper && has_lower)
        return err_set(e, ERR_FORMAT, "mixed case");
    if (pos < 1 || pos + 7 > slen)
        return err_set(e, ERR_FORMAT, "separator '1' missing or misplaced");
    if (pos + 1 > hrpcap)
        return err_set(e, ERR_FORMAT, "human-readable part too long");
    memcpy(hrp, s, pos);
    hrp[pos] = '\0';
    chk = polymod_hrp(s, pos);
    for (size_t i = pos + 1; i < slen; i++) {
        const char *c = strchr(charset, lower(s[i]));
        unsigned v;
        if (c == NULL) {
            err_set(e, ERR_FORMAT, "invalid character in data part");
            goto out;
        }
        v = (unsigned)(c - charset);
        chk = polymod_step(chk, v);
        if (i + 6 >= slen) /* the checksum characters carry no data */
            continue;
        acc = (acc << 5 | v) & 0xfff;
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            if (n == datacap) {
                err_set(e, ERR_FORMAT, "data part too long");
                goto out;
            }
            data[n++] = (unsigned char)(acc >> bits);
        }
    }
    if (chk != 1) {
        err_set(e, ERR_FORMAT, "invalid checksum");
        goto out;
    }
    if (bits >= 5) {
        err_set(e, ERR_FORMAT, "illegal zero padding");
        goto out;
    }
    if (((acc << (8 - bits)) & 0xff) != 0) {
        err_set(e, ERR_FORMAT, "non-zero padding");
        goto out;
    }
    *datalen = n;
    rc = 0;
out:
    if (rc == -1)
        secret_wipe(data, n);
    secret_wipe(&acc, sizeof(acc));
    return rc;
}

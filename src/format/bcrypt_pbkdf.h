/*
 * bcrypt_pbkdf: the key derivation of OpenSSH's passphrase-protected private keys (OpenBSD
 * lib/libutil/bcrypt_pbkdf.c), which libcrypto lacks.
 */
#ifndef SAFEDUMP_FORMAT_BCRYPT_PBKDF_H
#define SAFEDUMP_FORMAT_BCRYPT_PBKDF_H

#include <stddef.h>
#include <stdint.h>

/**
 * bcrypt_pbkdf(pass, passlen, salt, saltlen, key, keylen, rounds): derive ${keylen} (1..1024) bytes
 * into ${key}. Returns 0, or -1 for out-of-range arguments or a libcrypto failure. Intermediate values
 * are wiped.
 */
int bcrypt_pbkdf(const uint8_t *pass, size_t passlen, const uint8_t *salt, size_t saltlen, uint8_t *key, size_t keylen,
                 unsigned rounds);

/**
 * bcrypt_pbkdf_blowfish_check(key, klen, p, s0): the Blowfish key schedule of ${key} (standard Blowfish, as
 * libcrypto's BF_set_key): the P array and the first S-box, for tests of the constants and the cipher.
 */
int bcrypt_pbkdf_blowfish_check(const uint8_t *key, size_t klen, uint32_t p[18], uint32_t s0[256]);

#endif

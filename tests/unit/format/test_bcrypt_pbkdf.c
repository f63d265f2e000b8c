/*
 * bcrypt_pbkdf: the known answers of OpenBSD's regress tests (also used by the RustCrypto and pyca
 * implementations), and the Blowfish key schedule against libcrypto's, which checks the 1042 constants
 * (pi) and the cipher. Keys made by ssh-keygen are decrypted in test_age.c.
 */
#define OPENSSL_SUPPRESS_DEPRECATED /* BF_set_key: only as the reference for the key schedule */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/blowfish.h>

#include "format/bcrypt_pbkdf.h"
#include "test.h"

static const struct {
    const char *pass;
    size_t passlen;
    const char *salt;
    size_t saltlen;
    unsigned rounds;
    const char *key; /* hex */
} vectors[] = {
    {"password", 8, "salt", 4, 4, "5bbf0cc293587f1c3635555c27796598d47e579071bf427e9d8fbe842aba34d9"},
    {"password", 8, "\0", 1, 4, "c12b566235eee04c212598970a579a67"},
    {"\0", 1, "salt", 4, 4, "6051be18c2f4f82cbf0efee5471b4bb9"},
    {"password\0", 9, "salt\0", 5, 4, "7410e44cf4fa07bfaac8a928b1727fac001375e7bf7384370f48efd121743050"},
};

TEST(known_answers)
{
    for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
        unsigned char key[64];
        char hex[129] = "";
        size_t n = strlen(vectors[i].key) / 2;
        CHECK_EQ_INT(bcrypt_pbkdf((const uint8_t *)vectors[i].pass, vectors[i].passlen,
                                  (const uint8_t *)vectors[i].salt, vectors[i].saltlen, key, n, vectors[i].rounds),
                     0);
        for (size_t k = 0; k < n; k++)
            snprintf(hex + 2 * k, 3, "%02x", key[k]);
        CHECK_EQ_STR(hex, vectors[i].key);
    }
}

TEST(blowfish_key_schedule)
{
    static const char *keys[] = {"a", "a Blowfish key of some length",
                                 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        BF_KEY ref;
        uint32_t p[18], s0[256];
        BF_set_key(&ref, (int)strlen(keys[i]), (const unsigned char *)keys[i]);
        CHECK_EQ_INT(bcrypt_pbkdf_blowfish_check((const uint8_t *)keys[i], strlen(keys[i]), p, s0), 0);
        for (size_t k = 0; k < 18; k++)
            CHECK(p[k] == (uint32_t)ref.P[k]);
        for (size_t k = 0; k < 256; k++)
            CHECK(s0[k] == (uint32_t)ref.S[k]);
    }
}

TEST(bad_arguments)
{
    unsigned char key[1025];

    CHECK_EQ_INT(bcrypt_pbkdf((const uint8_t *)"p", 1, (const uint8_t *)"s", 1, key, 32, 0), -1);
    CHECK_EQ_INT(bcrypt_pbkdf((const uint8_t *)"p", 0, (const uint8_t *)"s", 1, key, 32, 4), -1);
    CHECK_EQ_INT(bcrypt_pbkdf((const uint8_t *)"p", 1, (const uint8_t *)"s", 0, key, 32, 4), -1);
    CHECK_EQ_INT(bcrypt_pbkdf((const uint8_t *)"p", 1, (const uint8_t *)"s", 1, key, 1025, 4), -1);
}

int
main(void)
{
    RUN(known_answers);
    RUN(blowfish_key_schedule);
    RUN(bad_arguments);
    return test_done();
}

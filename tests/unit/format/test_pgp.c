/*
 * OpenPGP stages against the real gpg, in a throwaway GNUPGHOME with an RSA-4096 key and a Curve25519
 * key (ed25519 certification, cv25519 encryption subkey): round trips in pieces, interop with the gpg
 * program both ways, recipients from key files (in a private home that is removed again), and the
 * failures: unknown, expired and malformed recipients, a flipped byte, a truncated object, the wrong
 * keyring. A failed decryption must push nothing at all to the next stage.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format/pgp.h"
#include "stagetest.h"
#include "test.h"

static char home[256], fpr_rsa[65], fpr_cv[65], fpr_exp[65], empty_home[300];

static int
sh(const char *fmt, ...)
{
    char cmd[2048];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    return system(cmd);
}

static char *
path(const char *name)
{
    static char buf[4][512];
    static int k;

    k = (k + 1) % 4;
    snprintf(buf[k], sizeof(buf[k]), "%s/%s", home, name);
    return buf[k];
}

static int
read_line_file(const char *p, char *out, size_t outsz)
{
    FILE *f = fopen(p, "r");
    int ok = f != NULL && fgets(out, (int)outsz, f) != NULL;

    if (f != NULL)
        fclose(f);
    if (ok)
        out[strcspn(out, "\n")] = '\0';
    return ok ? 0 : -1;
}

static unsigned char *
read_all(const char *p, size_t *len)
{
    FILE *f = fopen(p, "rb");
    unsigned char *d = NULL;
    long n;

    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    if (n >= 0 && (d = malloc((size_t)n + 1)) != NULL && fread(d, 1, (size_t)n, f) != (size_t)n) {
        free(d);
        d = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return d;
}

static int
write_all_file(const char *p, const void *d, size_t len)
{
    FILE *f = fopen(p, "wb");
    int ok = f != NULL && fwrite(d, 1, len, f) == len;

    if (f != NULL && fclose(f) != 0)
        ok = 0;
    return ok ? 0 : -1;
}

static unsigned char *
pattern(size_t len)
{
    unsigned char *d = malloc(len + 1);
    uint32_t x = 2463534242u;

    for (size_t i = 0; d != NULL && i < len; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        d[i] = (unsigned char)(i % 3 == 0 ? x : i); /* partly compressible, partly not */
    }
    return d;
}

/* Encrypt ${in} to ${specs} (homedir: the test keyring) in pieces of ${piece}; the ciphertext is malloc'd. */
static int
encrypt_buf(const char *const *specs, size_t n, const void *in, size_t len, size_t piece, unsigned char **out,
            size_t *outlen, struct err *e)
{
    struct pgp_recipients *r = pgp_recipients_new(NULL, e);
    struct stage *buf, *s;
    const unsigned char *d;
    int rc = -1;

    *out = NULL;
    if (r == NULL)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (pgp_recipients_add(r, specs[i], e) == -1)
            goto out;
    if (pgp_recipients_resolve(r, e) == -1 || (buf = stage_buf_new(64u << 20, e)) == NULL)
        goto out;
    if ((s = stage_borrow_new(buf, e)) == NULL || (s = pgp_encrypt_new(r, s, e)) == NULL) {
        stage_free(buf);
        goto out;
    }
    if (stagetest_feed(s, in, len, piece, e) == 0) {
        d = stage_buf_data(buf, outlen);
        if ((*out = malloc(*outlen + 1)) != NULL) {
            if (*outlen > 0)
                memcpy(*out, d, *outlen);
            rc = 0;
        }
    }
    stage_free(s);
    stage_free(buf);
out:
    pgp_recipients_free(r);
    return rc;
}

/* Decrypt with the keyring ${homedir} (NULL: GNUPGHOME); *${got} is how many bytes reached the sink. */
static int
decrypt_buf(const char *homedir, const void *in, size_t len, size_t piece, unsigned char **out, size_t *outlen,
            struct err *e)
{
    struct stage *buf, *s;
    const unsigned char *d;
    int rc;

    *out = NULL;
    *outlen = 0;
    if ((buf = stage_buf_new(64u << 20, e)) == NULL)
        return -1;
    if ((s = stage_borrow_new(buf, e)) == NULL || (s = pgp_decrypt_new(homedir, s, e)) == NULL) {
        stage_free(buf);
        return -1;
    }
    rc = stagetest_feed(s, in, len, piece, e);
    stage_free(s);
    d = stage_buf_data(buf, outlen);
    if ((*out = malloc(*outlen + 1)) != NULL && *outlen > 0)
        memcpy(*out, d, *outlen);
    stage_free(buf);
    return rc;
}

TEST(fingerprints)
{
    struct err e;
    char out[65];

    err_init(&e);
    CHECK_EQ_INT(pgp_fingerprint_normalize("0xaebe8f0a82641b8e86a6e7236088bedef0eb0ad3", out, &e), 1);
    CHECK_EQ_STR(out, "AEBE8F0A82641B8E86A6E7236088BEDEF0EB0AD3");
    CHECK_EQ_INT(pgp_fingerprint_normalize("AEBE 8F0A 8264 1B8E 86A6  E723 6088 BEDE F0EB 0AD3", out, &e), 1);
    CHECK_EQ_STR(out, "AEBE8F0A82641B8E86A6E7236088BEDEF0EB0AD3");
    CHECK_EQ_INT(pgp_fingerprint_normalize("keys/backup.asc", out, &e), 0);
    CHECK_EQ_INT(pgp_fingerprint_normalize("6088BEDEF0EB0AD3", out, &e), -1);
    CHECK_CONTAINS(e.msg, "a key ID, not a fingerprint");
    CHECK_EQ_INT(pgp_fingerprint_normalize("AEBE8F0A82641B8E86A6E7236088BEDEF0EB0A", out, &e), -1);
    CHECK_CONTAINS(e.msg, "not a fingerprint");
}

static size_t rt_size;

/* Our encryption, our decryption, in every piece size; gpg decrypts ours and we decrypt gpg's. */
TEST(roundtrip)
{
    const char *specs[] = {fpr_rsa, fpr_cv};
    unsigned char *in = pattern(rt_size), *ct = NULL, *pt = NULL;
    size_t ctlen, ptlen, n;
    struct err e;

    err_init(&e);
    CHECK(in != NULL);
    for (size_t i = 0; i < STAGETEST_NPIECES; i++) {
        if (rt_size > 1000000 && stagetest_pieces[i] > 0 && stagetest_pieces[i] < 4093)
            continue; /* a byte at a time through two pipes: slow, and the small sizes cover it */
        if (encrypt_buf(specs, 2, in, rt_size, stagetest_pieces[i], &ct, &ctlen, &e) == -1)
            printf("# encrypt piece %zu: %s\n", stagetest_pieces[i], e.msg);
        CHECK(ct != NULL);
        CHECK(decrypt_buf(NULL, ct, ctlen, stagetest_pieces[(i + 1) % STAGETEST_NPIECES], &pt, &ptlen, &e) == 0);
        CHECK(ptlen == rt_size && memcmp(pt, in, rt_size) == 0);
        free(pt);
        pt = NULL;
        if (i == 0) {
            /* the gpg program reads what we wrote */
            CHECK(write_all_file(path("ours.gpg"), ct, ctlen) == 0);
            CHECK(sh("gpg --batch --quiet -o %s --decrypt %s 2>/dev/null", path("ours.out"), path("ours.gpg")) == 0);
            free(pt);
            CHECK((pt = read_all(path("ours.out"), &n)) != NULL);
            CHECK(n == rt_size && memcmp(pt, in, n) == 0);
            free(pt);
            pt = NULL;
            unlink(path("ours.out"));
            /* and we read what the gpg program wrote (compressed, as gpg does by default) */
            CHECK(write_all_file(path("plain"), in, rt_size) == 0);
            CHECK(sh("gpg --batch --trust-model always -r %s -o %s -e %s 2>/dev/null", fpr_cv, path("theirs.gpg"),
                     path("plain")) == 0);
            free(ct);
            CHECK((ct = read_all(path("theirs.gpg"), &ctlen)) != NULL);
            CHECK(decrypt_buf(NULL, ct, ctlen, 4093, &pt, &ptlen, &e) == 0);
            CHECK(ptlen == rt_size && memcmp(pt, in, rt_size) == 0);
            free(pt);
            pt = NULL;
            unlink(path("plain"));
            unlink(path("theirs.gpg"));
        }
        free(ct);
        ct = NULL;
    }
    free(in);
}

/* Recipients from an armored key file: a private home, removed again; the manifest's fingerprint. */
TEST(key_file)
{
    struct pgp_recipients *r;
    struct err e;
    const char *tmp = getenv("TMPDIR");
    size_t before = 0, after = 0;
    DIR *d;
    struct dirent *de;

    err_init(&e);
    CHECK(sh("gpg --batch --armor --export %s > %s", fpr_cv, path("cv.asc")) == 0);
    CHECK((d = opendir(tmp)) != NULL);
    while ((de = readdir(d)) != NULL)
        before += strncmp(de->d_name, "safedump-gpg.", 13) == 0;
    closedir(d);
    CHECK((r = pgp_recipients_new(NULL, &e)) != NULL);
    CHECK(pgp_recipients_add(r, path("cv.asc"), &e) == 0);
    if (pgp_recipients_resolve(r, &e) == -1)
        printf("# %s\n", e.msg);
    CHECK(pgp_recipients_count(r) == 1);
    CHECK_EQ_STR(pgp_recipients_fingerprint(r, 0), fpr_cv);
    pgp_recipients_free(r);
    CHECK((d = opendir(tmp)) != NULL);
    while ((de = readdir(d)) != NULL)
        after += strncmp(de->d_name, "safedump-gpg.", 13) == 0;
    closedir(d);
    CHECK_EQ_INT(after, before);
}

static int
resolve_error(const char *spec, const char *homedir, struct err *e)
{
    struct pgp_recipients *r = pgp_recipients_new(homedir, e);
    int rc = r == NULL || pgp_recipients_add(r, spec, e) == -1 || pgp_recipients_resolve(r, e) == -1 ? -1 : 0;

    pgp_recipients_free(r);
    return rc;
}

TEST(recipient_errors)
{
    struct err e;

    err_init(&e);
    CHECK(resolve_error("ABCDABCDABCDABCDABCDABCDABCDABCDABCDABCD", NULL, &e) == -1);
    CHECK_EQ_INT(e.code, ERR_KEY);
    CHECK_CONTAINS(e.msg, "OpenPGP recipient 0xABCDABCDABCDABCDABCDABCDABCDABCDABCDABCD: no such key in the keyring");
    CHECK(e.hint[0] != '\0');
    err_init(&e);
    CHECK(resolve_error(fpr_exp, NULL, &e) == -1);
    CHECK_CONTAINS(e.msg, "expired");
    CHECK_CONTAINS(e.msg, fpr_exp);
    err_init(&e);
    CHECK(sh("echo 'not a key' > %s", path("garbage.asc")) == 0);
    CHECK(resolve_error(path("garbage.asc"), NULL, &e) == -1);
    CHECK_CONTAINS(e.msg, "no usable OpenPGP public key");
    err_init(&e);
    CHECK(resolve_error(path("missing.asc"), NULL, &e) == -1);
    CHECK_CONTAINS(e.msg, "OpenPGP recipient file");
    CHECK_CONTAINS(e.msg, "No such file");
    err_init(&e);
    CHECK(resolve_error("6088BEDEF0EB0AD3", NULL, &e) == -1);
    CHECK_EQ_INT(e.code, ERR_USAGE);
    /* the encryption stage refuses unresolved recipients */
    {
        struct pgp_recipients *r = pgp_recipients_new(NULL, &e);
        CHECK(r != NULL);
        CHECK(pgp_encrypt_new(r, NULL, &e) == NULL);
        pgp_recipients_free(r);
    }
}

/* A flipped byte in the middle, a truncated object, the wrong keyring: failure and nothing emitted. */
TEST(tamper)
{
    const char *specs[] = {fpr_cv};
    size_t len = 600 * 1000, ctlen, ptlen;
    unsigned char *in = pattern(len), *ct = NULL, *pt = NULL;
    struct err e;

    err_init(&e);
    CHECK(encrypt_buf(specs, 1, in, len, 0, &ct, &ctlen, &e) == 0);
    ct[ctlen / 2] ^= 0x01;
    CHECK(decrypt_buf(NULL, ct, ctlen, 0, &pt, &ptlen, &e) == -1);
    CHECK_EQ_INT(ptlen, 0);
    CHECK_EQ_INT(e.code, ERR_FORMAT);
    CHECK_CONTAINS(e.msg, "integrity check failed");
    free(pt);
    ct[ctlen / 2] ^= 0x01;
    err_init(&e);
    CHECK(decrypt_buf(NULL, ct, ctlen - 100, 7, &pt, &ptlen, &e) == -1);
    CHECK_EQ_INT(ptlen, 0);
    free(pt);
    err_init(&e);
    CHECK(decrypt_buf(empty_home, ct, ctlen, 0, &pt, &ptlen, &e) == -1);
    CHECK_EQ_INT(ptlen, 0);
    CHECK_EQ_INT(e.code, ERR_KEY);
    CHECK_CONTAINS(e.msg, "no secret key");
    CHECK_CONTAINS(e.msg, empty_home);
    free(pt);
    err_init(&e);
    CHECK(decrypt_buf(NULL, in, 5000, 0, &pt, &ptlen, &e) == -1);
    CHECK_EQ_INT(ptlen, 0);
    free(pt);
    free(ct);
    free(in);
}

int
main(void)
{
    static const size_t sizes[] = {0, 1, 65537, 3 * 1024 * 1024 + 7};
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";

    signal(SIGPIPE, SIG_IGN);
    umask(077);
    RUN(fingerprints);
    if (sh("gpg --version >/dev/null 2>&1") != 0) {
        printf("skip - pgp: gpg is not installed\n");
        return test_done();
    }
    setenv("TMPDIR", tmp, 1);
    snprintf(home, sizeof(home), "%s/safedump-gpgtest-XXXXXX", tmp);
    if (mkdtemp(home) == NULL) {
        printf("not ok - setup: mkdtemp: %s\n", strerror(errno));
        return 1;
    }
    snprintf(empty_home, sizeof(empty_home), "%s/empty", home);
    setenv("GNUPGHOME", home, 1);
    if (mkdir(empty_home, 0700) != 0 ||
        sh("gpg --batch --passphrase '' --quick-gen-key 'R <r@test.invalid>' rsa4096 encr never 2>/dev/null") != 0 ||
        sh("gpg --batch --passphrase '' --quick-gen-key 'C <c@test.invalid>' ed25519 cert never 2>/dev/null") != 0 ||
        sh("gpg --batch --with-colons -k r@test.invalid 2>/dev/null | awk -F: '/^fpr/{print $10; exit}' 2>/dev/null > "
           "%s",
           path("fpr.rsa")) != 0 ||
        sh("gpg --batch --with-colons -k c@test.invalid 2>/dev/null | awk -F: '/^fpr/{print $10; exit}' 2>/dev/null > "
           "%s",
           path("fpr.cv")) != 0 ||
        read_line_file(path("fpr.rsa"), fpr_rsa, sizeof(fpr_rsa)) != 0 ||
        read_line_file(path("fpr.cv"), fpr_cv, sizeof(fpr_cv)) != 0 ||
        sh("gpg --batch --passphrase '' --quick-add-key %s cv25519 encr never 2>/dev/null", fpr_cv) != 0 ||
        sh("gpg --batch --passphrase '' --quick-gen-key 'X <x@test.invalid>' ed25519 cert never 2>/dev/null") != 0 ||
        sh("gpg --batch --with-colons -k x@test.invalid 2>/dev/null | awk -F: '/^fpr/{print $10; exit}' 2>/dev/null > "
           "%s",
           path("fpr.x")) != 0 ||
        read_line_file(path("fpr.x"), fpr_exp, sizeof(fpr_exp)) != 0 ||
        sh("gpg --batch --passphrase '' --quick-add-key %s cv25519 encr seconds=1 2>/dev/null", fpr_exp) != 0) {
        printf("not ok - setup: generating the test keys failed\n");
        return 1;
    }
    printf("# keys: rsa4096 %s, cv25519 %s, expired %s\n", fpr_rsa, fpr_cv, fpr_exp);
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        char name[64];
        rt_size = sizes[i];
        snprintf(name, sizeof(name), "roundtrip/%zu", sizes[i]);
        test_run(name, roundtrip);
    }
    RUN(key_file);
    sleep(1); /* the expired key's subkey lived one second */
    RUN(recipient_errors);
    RUN(tamper);
    sh("gpgconf --homedir %s --kill all 2>/dev/null", home);
    sh("rm -rf %s", home);
    return test_done();
}

/*
 * The S3 driver's checks before any request: repository URLs, endpoints, credentials and the SSE-C key
 * file. Requests themselves are tested end to end (tests/e2e/test_s3.sh) against s3rver and a fake server.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "storage/storage.h"
#include "test.h"
#include "util/err.h"

static char dir[64];

static void
no_credentials(void)
{
    unsetenv("AWS_ACCESS_KEY_ID");
    unsetenv("AWS_SECRET_ACCESS_KEY");
    unsetenv("AWS_SESSION_TOKEN");
    unsetenv("AWS_PROFILE");
    unsetenv("AWS_ENDPOINT_URL");
    unsetenv("AWS_ENDPOINT_URL_S3");
    setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent-safedump/credentials", 1);
}

TEST(bad_urls)
{
    struct err e;
    struct storage_opts o = {0};

    setenv("AWS_ACCESS_KEY_ID", "AKID", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "secret", 1);
    err_init(&e);
    CHECK(storage_open("s3://Bad_Bucket!/x", 0, &e) == NULL);
    CHECK_EQ_INT(e.code, ERR_CONFIG);
    CHECK_CONTAINS(e.msg, "'Bad_Bucket!' is not a valid bucket name");
    CHECK_CONTAINS(e.hint, "s3://BUCKET/PREFIX");
    CHECK(storage_open("s3://", 0, &e) == NULL);
    CHECK_EQ_INT(e.code, ERR_CONFIG);
    o.s3_endpoint = "s3.example.org";
    CHECK(storage_open_opts("s3://bucket/x", 0, &o, &e) == NULL);
    CHECK_CONTAINS(e.msg, "s3_endpoint 's3.example.org'");
}

TEST(credentials)
{
    struct err e;
    struct storage *st;
    char path[128];
    FILE *f;

    no_credentials();
    err_init(&e);
    CHECK(storage_open("s3://bucket/prefix", 0, &e) == NULL);
    CHECK_EQ_INT(e.code, ERR_CONFIG);
    CHECK_CONTAINS(e.msg, "repository 's3://bucket/prefix': no S3 credentials");
    CHECK_CONTAINS(e.hint, "AWS_ACCESS_KEY_ID");

    /* a shared credentials file readable by others is refused */
    snprintf(path, sizeof(path), "%s/credentials", dir);
    f = fopen(path, "w");
    CHECK(f != NULL);
    fputs("[default]\naws_access_key_id = AKID\naws_secret_access_key = s3cr3t\n", f);
    fclose(f);
    chmod(path, 0644);
    setenv("AWS_SHARED_CREDENTIALS_FILE", path, 1);
    CHECK(storage_open("s3://bucket/prefix", 0, &e) == NULL);
    CHECK_CONTAINS(e.msg, "S3 credentials");
    CHECK(strstr(e.msg, "s3cr3t") == NULL);
    chmod(path, 0600);
    st = storage_open("s3://bucket/prefix", 0, &e);
    CHECK(st != NULL);
    CHECK_EQ_STR(storage_url(st), "s3://bucket/prefix");
    storage_free(st);

    /* a profile without a secret */
    setenv("AWS_PROFILE", "other", 1);
    f = fopen(path, "a");
    fputs("[other]\naws_access_key_id = AKID2\n", f);
    fclose(f);
    CHECK(storage_open("s3://bucket/prefix", 0, &e) == NULL);
    CHECK_CONTAINS(e.msg, "profile 'other'");
    unsetenv("AWS_PROFILE");
}

TEST(sse_customer_key)
{
    struct err e;
    struct storage_opts o = {0};
    struct storage *st;
    char path[128];
    FILE *f;

    setenv("AWS_ACCESS_KEY_ID", "AKID", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "secret", 1);
    snprintf(path, sizeof(path), "%s/ssec", dir);
    f = fopen(path, "w");
    CHECK(f != NULL);
    fputs("too short", f);
    fclose(f);
    chmod(path, 0600);
    o.s3_sse_customer_key_file = path;
    err_init(&e);
    CHECK(storage_open_opts("s3://bucket/prefix", 0, &o, &e) == NULL);
    CHECK_CONTAINS(e.msg, "expected 32 bytes, found 9");
    f = fopen(path, "w");
    fputs("0123456789abcdef0123456789abcdef", f);
    fclose(f);
    err_init(&e);
    st = storage_open_opts("s3://bucket/prefix", 0, &o, &e);
    CHECK(st != NULL);
    storage_free(st);
}

int
main(void)
{
    char cmd[100];
    int rc;

    snprintf(dir, sizeof(dir), "/tmp/sd-s3-unit.XXXXXX");
    if (mkdtemp(dir) == NULL)
        return 1;
    RUN(bad_urls);
    RUN(credentials);
    RUN(sse_customer_key);
    rc = test_done();
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        rc = 1;
    return rc;
}

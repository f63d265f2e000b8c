/* The local driver: atomic commit, no replace, abort leaves nothing, modes, listing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stage/stage.h"
#include "storage/storage.h"
#include "test.h"
#include "util/err.h"

static char root[256];

static int
count_keys(void *arg, const char *key, uint64_t size, struct err *e)
{
    (void)key, (void)size, (void)e;
    (*(int *)arg)++;
    return 0;
}

static int
mode_of(const char *path)
{
    struct stat sb;

    return stat(path, &sb) == 0 ? (int)(sb.st_mode & 0777) : -1;
}

TEST(put_get_list_remove)
{
    struct err e;
    struct storage *st;
    unsigned char *got;
    size_t len;
    int n = 0;
    char path[512];

    snprintf(root, sizeof(root), "/tmp/safedump-test-local-%d", (int)getpid());
    st = storage_open(root, 1, &e);
    CHECK(st != NULL);
    CHECK_EQ_INT(mode_of(root), 0700);
    CHECK_EQ_INT(storage_put_buf(st, "job/20260101T000000Z/manifest.json", "hello", 5, &e), 0);
    snprintf(path, sizeof(path), "%s/job/20260101T000000Z/manifest.json", root);
    CHECK_EQ_INT(mode_of(path), 0600);
    snprintf(path, sizeof(path), "%s/job", root);
    CHECK_EQ_INT(mode_of(path), 0700);
    got = storage_get_buf(st, "job/20260101T000000Z/manifest.json", 100, &len, &e);
    CHECK(got != NULL);
    CHECK_EQ_INT(len, 5);
    CHECK_EQ_STR((char *)got, "hello");
    free(got);
    /* never replaced */
    CHECK_EQ_INT(storage_put_buf(st, "job/20260101T000000Z/manifest.json", "other", 5, &e), -1);
    CHECK_EQ_INT(e.code, ERR_EXISTS);
    CHECK_EQ_INT(storage_list(st, "job/", count_keys, &n, &e), 0);
    CHECK_EQ_INT(n, 1);
    n = 0;
    CHECK_EQ_INT(storage_list(st, "jo", count_keys, &n, &e), 0);
    CHECK_EQ_INT(n, 1);
    n = 0;
    CHECK_EQ_INT(storage_list(st, "other/", count_keys, &n, &e), 0);
    CHECK_EQ_INT(n, 0);
    /* too large for the caller's cap */
    CHECK(storage_get_buf(st, "job/20260101T000000Z/manifest.json", 3, &len, &e) == NULL);
    CHECK(storage_get_buf(st, "job/nope", 3, &len, &e) == NULL);
    CHECK_EQ_INT(e.code, ERR_NOTFOUND);
    CHECK_EQ_INT(storage_remove(st, "job/20260101T000000Z/manifest.json", &e), 0);
    CHECK_EQ_INT(storage_remove(st, "job/20260101T000000Z/manifest.json", &e), 0);
    CHECK_EQ_INT(access(path, F_OK), -1); /* empty directories go too */
    storage_free(st);
}

TEST(abort_leaves_nothing)
{
    struct err e;
    struct storage *st = storage_open(root, 1, &e);
    struct stage *sink;
    int n = 0;

    CHECK(st != NULL);
    CHECK_EQ_INT(storage_put(st, "a/b/data", &sink, &e), 0);
    CHECK_EQ_INT(stage_write(sink, "partial", 7, &e), 0);
    CHECK_EQ_INT(storage_list(st, "", count_keys, &n, &e), 0);
    CHECK_EQ_INT(n, 1); /* the .partial file is visible while it is written */
    stage_free(sink);   /* unfinished: abort */
    n = 0;
    CHECK_EQ_INT(storage_list(st, "", count_keys, &n, &e), 0);
    CHECK_EQ_INT(n, 0);
    storage_free(st);
}

TEST(unusable_repository)
{
    struct err e;

    CHECK(storage_open("/dev/null/repo", 1, &e) == NULL);
    CHECK_CONTAINS(e.msg, "repository '/dev/null/repo'");
    CHECK(storage_open("/nonexistent-safedump-repo", 0, &e) == NULL);
    CHECK_EQ_INT(e.code, ERR_NOTFOUND);
    CHECK(storage_open("ftp://bucket/prefix", 0, &e) == NULL);
    CHECK_CONTAINS(e.msg, "unsupported scheme");
}

int
main(void)
{
    char cmd[300];

    RUN(put_get_list_remove);
    RUN(abort_leaves_nothing);
    RUN(unusable_repository);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    if (system(cmd) != 0)
        return 1;
    return test_done();
}

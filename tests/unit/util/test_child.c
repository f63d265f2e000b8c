/* Child processes: exit status, signals, stderr in the message, environment. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stage/stage.h"
#include "test.h"
#include "util/child.h"
#include "util/err.h"

static int
run(const char *script, const char *const *env_set, const char *const *env_unset, struct stage *out, struct err *e)
{
    const char *argv[] = {"sh", "-c", script, NULL};
    struct child_spec spec = {
        .argv = argv, .env_set = env_set, .env_unset = env_unset, .stdout_pipe = 1, .stdout_fd = -1};
    struct child *c = child_start(&spec, e);
    int rc;

    if (c == NULL)
        return -1;
    rc = stage_copy_fd(child_stdout(c), out, e) == 0 && child_wait(c, e) == 0 ? 0 : -1;
    child_free(c);
    return rc;
}

TEST(exit_status_and_stderr)
{
    struct err e;
    struct stage *b = stage_buf_new(1 << 20, &e);
    size_t len;

    CHECK_EQ_INT(run("echo out; echo first >&2; echo 'pg_dump: error: boom' >&2; exit 3", NULL, NULL, b, &e), -1);
    CHECK_EQ_INT(e.code, ERR_SOURCE);
    CHECK_EQ_STR(e.msg, "'sh' exited with status 3: first; pg_dump: error: boom");
    CHECK(stage_buf_data(b, &len) != NULL);
    CHECK_EQ_INT(len, 4); /* bytes flowed, and still the run failed */
    stage_free(b);
}

TEST(killed_by_signal)
{
    struct err e;
    struct stage *n = stage_null_new(&e);

    CHECK_EQ_INT(run("echo data; kill -9 $$", NULL, NULL, n, &e), -1);
    CHECK_CONTAINS(e.msg, "'sh' killed by signal 9");
    stage_free(n);
}

TEST(environment_is_narrowed)
{
    struct err e;
    struct stage *b = stage_buf_new(1 << 20, &e);
    const char *set[] = {"PGPASSWORD=secret", NULL};
    const char *unset[] = {"SAFEDUMP_TEST_DROP", NULL};
    const unsigned char *d;
    size_t len;

    setenv("SAFEDUMP_TEST_DROP", "x", 1);
    setenv("PGPASSWORD", "parent", 1);
    CHECK_EQ_INT(run("printf '%s|%s' \"$PGPASSWORD\" \"${SAFEDUMP_TEST_DROP-unset}\"", set, unset, b, &e), 0);
    d = stage_buf_data(b, &len);
    CHECK_EQ_INT(len, 12);
    CHECK(memcmp(d, "secret|unset", 12) == 0);
    unsetenv("PGPASSWORD");
    stage_free(b);
}

TEST(missing_program)
{
    const char *argv[] = {"safedump-no-such-program", NULL};
    struct child_spec spec = {.argv = argv, .stdout_pipe = 1, .stdout_fd = -1};
    struct err e;

    CHECK(child_start(&spec, &e) == NULL);
    CHECK_CONTAINS(e.msg, "unable to run 'safedump-no-such-program'");
    CHECK_CONTAINS(e.hint, "install it");
}

TEST(large_stderr_does_not_block)
{
    struct err e;
    struct stage *n = stage_null_new(&e);

    /* 1 MiB of stderr would fill a pipe; the memfd takes it */
    CHECK_EQ_INT(run("head -c 1048576 /dev/zero | tr '\\0' x >&2; echo end >&2; exit 1", NULL, NULL, n, &e), -1);
    CHECK_CONTAINS(e.msg, "end");
    stage_free(n);
}

int
main(void)
{
    signal(SIGPIPE, SIG_IGN);
    RUN(exit_status_and_stderr);
    RUN(killed_by_signal);
    RUN(environment_is_narrowed);
    RUN(missing_program);
    RUN(large_stderr_does_not_block);
    return test_done();
}

/*
 * A tiny unit test harness: TEST(name) defines a test, RUN(name) runs it, CHECK*() fail the running
 * test with the file, line and expression. Output is one "ok - name" or "not ok - name: why" line per
 * test; tests/run.sh counts them. test_done() returns the exit status for main().
 */
#ifndef SAFEDUMP_TESTS_UNIT_TEST_H
#define SAFEDUMP_TESTS_UNIT_TEST_H

#include <stdio.h>
#include <string.h>

static int test_failed_now, test_passed, test_failed;
static char test_why[2048];

#define TEST(name) static void name(void)

#define CHECK(cond)                                                                                                    \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            snprintf(test_why, sizeof(test_why), "%s:%d: %s", __FILE__, __LINE__, #cond);                              \
            test_failed_now = 1;                                                                                       \
            return;                                                                                                    \
        }                                                                                                              \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                                                             \
    do {                                                                                                               \
        long long a_ = (long long)(a), b_ = (long long)(b);                                                            \
        if (a_ != b_) {                                                                                                \
            snprintf(test_why, sizeof(test_why), "%s:%d: %s == %s (%lld != %lld)", __FILE__, __LINE__, #a, #b, a_,     \
                     b_);                                                                                              \
            test_failed_now = 1;                                                                                       \
            return;                                                                                                    \
        }                                                                                                              \
    } while (0)

#define CHECK_EQ_STR(a, b)                                                                                             \
    do {                                                                                                               \
        const char *a_ = (a), *b_ = (b);                                                                               \
        if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0) {                                                         \
            snprintf(test_why, sizeof(test_why), "%s:%d: %s == %s (\"%.800s\" != \"%.800s\")", __FILE__, __LINE__, #a, \
                     #b, a_ ? a_ : "(null)", b_ ? b_ : "(null)");                                                      \
            test_failed_now = 1;                                                                                       \
            return;                                                                                                    \
        }                                                                                                              \
    } while (0)

#define CHECK_MEM(a, b, n) CHECK(memcmp((a), (b), (n)) == 0)

/* The message of a failed call, for CHECK_STR_CONTAINS on struct err. */
#define CHECK_CONTAINS(hay, needle)                                                                                    \
    do {                                                                                                               \
        const char *h_ = (hay);                                                                                        \
        if (h_ == NULL || strstr(h_, (needle)) == NULL) {                                                              \
            snprintf(test_why, sizeof(test_why), "%s:%d: \"%.800s\" does not contain \"%.200s\"", __FILE__, __LINE__,  \
                     h_ ? h_ : "(null)", (needle));                                                                    \
            test_failed_now = 1;                                                                                       \
            return;                                                                                                    \
        }                                                                                                              \
    } while (0)

#define RUN(name) test_run(#name, name)

static void
test_run(const char *name, void (*fn)(void))
{
    test_failed_now = 0;
    test_why[0] = '\0';
    fn();
    if (test_failed_now) {
        test_failed++;
        printf("not ok - %s: %s\n", name, test_why);
    } else {
        test_passed++;
        printf("ok - %s\n", name);
    }
    fflush(stdout);
}

static int
test_done(void)
{
    return test_failed ? 1 : 0;
}

#endif

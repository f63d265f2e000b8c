/*
 * Retention: the two policies of the retention issue on 400 daily backups, checked against an
 * independent implementation of restic's semantics (python, in the commit that added this test),
 * plus the safety rules: newest always kept, min_age, size cap, time zones, parsing.
 */
#include <stdio.h>
#include <string.h>

#include "catalog/catalog.h"
#include "catalog/retention.h"
#include "test.h"
#include "util/err.h"

#define N 400
static struct retention_item items[N];
static const time_t end = 1795399200; /* 2026-11-23T02:00:00Z, a Monday */

static void
daily(void)
{
    size_t i;

    memset(items, 0, sizeof(items));
    for (i = 0; i < N; i++) {
        items[i].time = end - (time_t)i * 86400;
        items[i].size = 100;
    }
}

/* The kept backups as "YYYYMMDD,..." newest first. */
static void
kept(char *out, size_t outsz)
{
    size_t i, k = 0;

    out[0] = '\0';
    for (i = 0; i < N; i++) {
        char id[32];
        if (!items[i].keep)
            continue;
        catalog_id(items[i].time, id);
        k += (size_t)snprintf(out + k, outsz - k, "%s%.8s", k ? "," : "", id);
    }
}

TEST(policy_last3_daily7_weekly4_monthly12_yearly_all_within2d)
{
    struct retention_policy p = {3, 0, 7, 4, 12, RETENTION_ALL, 2 * 86400, 0, 0, NULL};
    struct err e;
    char got[8192];

    daily();
    CHECK_EQ_INT(retention_apply(&p, items, N, end + 3600, &e), 0);
    kept(got, sizeof(got));
    CHECK_EQ_STR(got, "20261123,20261122,20261121,20261120,20261119,20261118,20261117,20261115,20261108,20261031,"
                      "20260930,20260831,20260731,20260630,20260531,20260430,20260331,20260228,20260131,20251231");
    CHECK_EQ_STR(items[0].reasons, "last 1, daily 2026-11-23, weekly 2026-W48, monthly 2026-11, yearly 2026, "
                                   "within 172800s of the newest");
    CHECK_EQ_STR(items[15].reasons, "weekly 2026-W45");
    CHECK_EQ_STR(items[23].reasons, "monthly 2026-10");
    CHECK_EQ_STR(items[327].reasons, "monthly 2025-12, yearly 2025");
    CHECK_EQ_STR(items[8].reasons, "weekly 2026-W46");
    CHECK_EQ_STR(items[9].reasons, "no rule keeps it");
}

TEST(policy_daily7_weekly52)
{
    struct retention_policy p = {0, 0, 7, 52, 0, 0, 0, 0, 0, NULL};
    struct err e;
    char got[8192];
    size_t i, n = 0;

    daily();
    CHECK_EQ_INT(retention_apply(&p, items, N, end + 3600, &e), 0);
    for (i = 0; i < N; i++)
        n += (size_t)items[i].keep;
    CHECK_EQ_INT(n, 57);
    kept(got, sizeof(got));
    CHECK(strncmp(got, "20261123,20261122,20261121,20261120,20261119,20261118,20261117,20261115,20261108,", 81) == 0);
    CHECK(strstr(got, ",20251214,20251207") != NULL && strlen(strstr(got, ",20251207")) == 9);
}

TEST(newest_min_age_and_size_cap)
{
    struct retention_policy p = {1, 0, 0, 0, 0, 0, 0, 0, 0, NULL};
    struct err e;
    size_t i, n = 0;

    daily();
    /* only the newest by rule; three are younger than min_age when "now" is just after the third */
    p.min_age = 3 * 86400 - 60;
    CHECK_EQ_INT(retention_apply(&p, items, N, end, &e), 0);
    for (i = 0; i < N; i++)
        n += (size_t)items[i].keep;
    CHECK_EQ_INT(n, 3);
    CHECK_EQ_STR(items[2].reasons, "younger than min_age");
    /* size cap: 12 daily kept, 500 bytes allowed: the five newest stay */
    p.last = 0;
    p.daily = 12;
    p.min_age = 0;
    p.max_total_size = 500;
    CHECK_EQ_INT(retention_apply(&p, items, N, end, &e), 0);
    CHECK(items[4].keep && !items[5].keep);
    CHECK_EQ_STR(items[5].reasons, "over max_total_size");
    /* the newest stays even when it alone is over the cap */
    p.max_total_size = 10;
    CHECK_EQ_INT(retention_apply(&p, items, N, end, &e), 0);
    CHECK(items[0].keep && !items[1].keep);
    /* no rule at all: inactive, prune refuses */
    memset(&p, 0, sizeof(p));
    CHECK(!retention_active(&p));
}

TEST(time_zone_moves_day_boundaries)
{
    /* 23:30Z and 14:00Z on 2026-11-22: one UTC day, but 08:30 on the 23rd and 23:00 on the 22nd in Tokyo */
    struct retention_policy p = {0, 0, 2, 0, 0, 0, 0, 0, 0, NULL};
    struct retention_item two[2];
    struct err e;

    memset(two, 0, sizeof(two));
    two[0].time = end - 2 * 3600 - 1800; /* 2026-11-22T23:30Z */
    two[1].time = end - 12 * 3600;       /* 2026-11-22T14:00Z */
    CHECK_EQ_INT(retention_apply(&p, two, 2, end, &e), 0);
    CHECK(two[0].keep && !two[1].keep);
    CHECK_EQ_STR(two[0].reasons, "daily 2026-11-22");
    p.tz = "Asia/Tokyo";
    CHECK_EQ_INT(retention_apply(&p, two, 2, end, &e), 0);
    CHECK(two[0].keep && two[1].keep);
    CHECK_EQ_STR(two[0].reasons, "daily 2026-11-23");
    CHECK_EQ_STR(two[1].reasons, "daily 2026-11-22");
    p.tz = "Mars/Olympus";
    CHECK_EQ_INT(retention_apply(&p, two, 2, end, &e), -1);
    CHECK_CONTAINS(e.msg, "unknown time zone");
}

TEST(parse_durations_and_sizes)
{
    long d;
    uint64_t s;

    CHECK(retention_parse_duration("2d", &d) == 0 && d == 172800);
    CHECK(retention_parse_duration("1d12h", &d) == 0 && d == 129600);
    CHECK(retention_parse_duration("26h", &d) == 0 && d == 93600);
    CHECK(retention_parse_duration("1w", &d) == 0 && d == 604800);
    CHECK(retention_parse_duration("", &d) == -1);
    CHECK(retention_parse_duration("2", &d) == -1);
    CHECK(retention_parse_duration("-1d", &d) == -1);
    CHECK(retention_parse_duration("2y", &d) == -1);
    CHECK(retention_parse_size("50G", &s) == 0 && s == 50ull << 30);
    CHECK(retention_parse_size("500MiB", &s) == 0 && s == 500ull << 20);
    CHECK(retention_parse_size("1024", &s) == 0 && s == 1024);
    CHECK(retention_parse_size("1TB", &s) == 0 && s == 1ull << 40);
    CHECK(retention_parse_size("G", &s) == -1);
    CHECK(retention_parse_size("5X", &s) == -1);
    CHECK(retention_parse_size("99999999999T", &s) == -1);
}

int
main(void)
{
    RUN(policy_last3_daily7_weekly4_monthly12_yearly_all_within2d);
    RUN(policy_daily7_weekly52);
    RUN(newest_min_age_and_size_cap);
    RUN(time_zone_moves_day_boundaries);
    RUN(parse_durations_and_sizes);
    return test_done();
}

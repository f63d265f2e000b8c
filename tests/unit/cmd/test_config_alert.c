/* Configuration of alerts: defaults, inheritance from [defaults], durations, and bad values named. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/config.h"
#include "test.h"
#include "util/err.h"

static char path[64];

static void
write_conf(const char *text)
{
    FILE *f = fopen(path, "w");

    fputs(text, f);
    fclose(f);
}

TEST(defaults_and_inheritance)
{
    struct config c;
    struct err e;
    struct job_conf copy;
    const struct job_conf *j;

    write_conf("[defaults]\nmetrics_dir = /var/lib/prometheus/node-exporter\npushgateway = http://pgw:9091\n"
               "notify_mail = admins@example.org\nnotify_on = always\nwebhook_url = https://chat.example.org/hooks/x\n"
               "ping_url = https://hc-ping.com/uuid\non_failure = /usr/local/bin/page-oncall\nmax_age = 2d\n"
               "min_size_ratio = 0.25\nnotify_timeout = 30s\n"
               "[app]\nsource = postgres://app@db/app\nmax_age = 90m\non_success = /bin/true\n[plain]\n"
               "source = postgres://x@db/x\n");
    err_init(&e);
    CHECK_EQ_INT(config_load(&c, path, 1, &e), 0);
    CHECK_EQ_INT(c.defaults.alert.max_age, 2 * 86400);
    j = config_job(&c, "app");
    CHECK(j != NULL);
    CHECK_EQ_STR(j->alert.metrics_dir, "/var/lib/prometheus/node-exporter");
    CHECK_EQ_STR(j->alert.webhook_url, "https://chat.example.org/hooks/x");
    CHECK_EQ_STR(j->alert.on_success, "/bin/true");
    CHECK_EQ_STR(j->alert.on_failure, "/usr/local/bin/page-oncall");
    CHECK_EQ_INT(j->alert.notify_always, 1);
    CHECK_EQ_INT(j->alert.max_age, 90 * 60);
    CHECK_EQ_INT(j->alert.notify_timeout, 30);
    CHECK(j->alert.min_size_ratio == 0.25);
    CHECK_EQ_INT(config_job_copy(&copy, j, &e), 0);
    CHECK_EQ_STR(copy.alert.ping_url, "https://hc-ping.com/uuid");
    CHECK(copy.alert.ping_url != j->alert.ping_url);
    config_job_release(&copy);
    CHECK(copy.alert.ping_url == NULL);
    j = config_job(&c, "plain");
    CHECK(j != NULL && j->alert.on_success == NULL);
    CHECK_EQ_INT(j->alert.max_age, 2 * 86400);
    config_release(&c);

    /* built-in defaults */
    write_conf("[app]\nsource = postgres://app@db/app\n");
    CHECK_EQ_INT(config_load(&c, path, 1, &e), 0);
    j = config_job(&c, "app");
    CHECK(j != NULL);
    CHECK_EQ_INT(j->alert.max_age, 26 * 3600);
    CHECK_EQ_INT(j->alert.notify_always, 0);
    CHECK_EQ_INT(j->alert.notify_timeout, 10);
    CHECK(j->alert.min_size_ratio == 0.5);
    CHECK(j->alert.metrics_dir == NULL && j->alert.sendmail == NULL);
    config_release(&c);
}

static void
expect_bad(const char *text, const char *needle)
{
    struct config c;
    struct err e;

    write_conf(text);
    err_init(&e);
    if (config_load(&c, path, 1, &e) != -1) {
        snprintf(test_why, sizeof(test_why), "accepted: %s", text);
        test_failed_now = 1;
    } else if (e.code != ERR_CONFIG || strstr(e.msg, needle) == NULL) {
        snprintf(test_why, sizeof(test_why), "for %s: got '%s', wanted '%s'", text, e.msg, needle);
        test_failed_now = 1;
    }
}

TEST(bad_values)
{
    expect_bad("[defaults]\nnotify_on = sometimes\n", ":2: key 'notify_on': notify_on 'sometimes': expected failure");
    expect_bad("[defaults]\nmax_age = soon\n", "max_age 'soon': expected a duration");
    expect_bad("[defaults]\nmax_age = -1h\n", "max_age '-1h'");
    expect_bad("[defaults]\nmax_age = 26x\n", "max_age '26x'");
    expect_bad("[defaults]\nmin_size_ratio = 1.5\n", "min_size_ratio '1.5': expected a number from 0");
    expect_bad("[defaults]\nmin_size_ratio = half\n", "min_size_ratio 'half'");
    expect_bad("[defaults]\nnotify_timeout = 1h\n", "notify_timeout '1h': expected 1s to 300s");
    expect_bad("[defaults]\nwebhook_url = ftp://x/y\n", "webhook_url: not an http:// or https:// URL");
    expect_bad("[defaults]\nping_url = hc-ping.com/uuid\n", "ping_url: not an http:// or https:// URL");
    expect_bad("[defaults]\npushgateway = pgw:9091\n", "pushgateway: not an http");
    expect_bad("[defaults]\nnotify_mail = admins\n", "notify_mail 'admins': expected an address");
}

TEST(durations)
{
    long v = 0;

    CHECK_EQ_INT(config_parse_duration("26h", &v), 0);
    CHECK_EQ_INT(v, 93600);
    CHECK_EQ_INT(config_parse_duration("35d", &v), 0);
    CHECK_EQ_INT(v, 35 * 86400);
    CHECK_EQ_INT(config_parse_duration("90m", &v), 0);
    CHECK_EQ_INT(v, 5400);
    CHECK_EQ_INT(config_parse_duration("600", &v), 0);
    CHECK_EQ_INT(v, 600);
    CHECK_EQ_INT(config_parse_duration("600s", &v), 0);
    CHECK_EQ_INT(config_parse_duration("1w", &v), 0);
    CHECK_EQ_INT(v, 7 * 86400);
    CHECK_EQ_INT(config_parse_duration("1d12h", &v), 0);
    CHECK_EQ_INT(v, 36 * 3600);
    CHECK_EQ_INT(config_parse_duration("0h", &v), -1);
    CHECK_EQ_INT(config_parse_duration("h", &v), -1);
    CHECK_EQ_INT(config_parse_duration("1hour", &v), -1);
    CHECK_EQ_INT(config_parse_duration("99999999999d", &v), -1);
}

int
main(void)
{
    snprintf(path, sizeof(path), "/tmp/safedump-test-alert-%d.conf", (int)getpid());
    RUN(defaults_and_inheritance);
    RUN(bad_values);
    RUN(durations);
    unlink(path);
    return test_done();
}

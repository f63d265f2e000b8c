/* Alerts: the metrics text and its file, URL redaction, the webhook body, the mail, exec hooks. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alert/alert.h"
#include "alert/hook.h"
#include "alert/mail.h"
#include "alert/metrics.h"
#include "alert/webhook.h"
#include "test.h"
#include "util/err.h"

static char dir[64];
static char *slurp_buf; /* on the heap: a CHECK message quoting it must not look truncatable */

static struct alert_result
good(void)
{
    struct alert_result r;

    memset(&r, 0, sizeof(r));
    r.job = "app";
    r.backup_id = "20261123T020000Z";
    r.status = ALERT_SUCCESS;
    r.error = r.hint = r.warning = "";
    r.started = 1795400000;
    r.seconds = 12.5;
    r.raw_bytes = 10485760;
    r.compressed_bytes = 2097152;
    r.stored_bytes = 2100000;
    r.rows = 100011;
    r.tables = 4;
    r.size_ratio = 0.98;
    return r;
}

static struct alert_result
bad(void)
{
    struct alert_result r = good();

    r.status = ALERT_FAILURE;
    r.backup_id = "";
    r.error = "source 'postgres://app@db/app': 'pg_dump' exited with status 1: database \"app\" does not exist";
    r.hint = "check the source";
    r.raw_bytes = r.compressed_bytes = r.stored_bytes = r.rows = 0;
    r.tables = 0;
    r.size_ratio = 0;
    r.started = 1795486400;
    return r;
}

static char *
slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    size_t n;

    if (slurp_buf == NULL && (slurp_buf = malloc(65536)) == NULL)
        return NULL;
    if (f == NULL)
        return NULL;
    n = fread(slurp_buf, 1, 65535, f);
    fclose(f);
    slurp_buf[n] = '\0';
    return slurp_buf;
}

TEST(metrics_text_success)
{
    struct alert_result r = good();
    struct err e;
    char *t = metrics_backup_text(&r, NULL, 0, &e);

    CHECK(t != NULL);
    CHECK_CONTAINS(t, "# TYPE safedump_last_success_timestamp_seconds gauge\n"
                      "safedump_last_success_timestamp_seconds{backup_job=\"app\"} 1795400000\n");
    CHECK_CONTAINS(t, "safedump_last_run_success{backup_job=\"app\"} 1\n");
    CHECK_CONTAINS(t, "safedump_last_run_warning{backup_job=\"app\"} 0\n");
    CHECK_CONTAINS(t, "safedump_last_duration_seconds{backup_job=\"app\"} 12.5\n");
    CHECK_CONTAINS(t, "safedump_last_raw_bytes{backup_job=\"app\"} 10485760\n");
    CHECK_CONTAINS(t, "safedump_last_stored_bytes{backup_job=\"app\"} 2100000\n");
    CHECK_CONTAINS(t, "safedump_last_rows{backup_job=\"app\"} 100011\n");
    CHECK_CONTAINS(t, "safedump_last_size_ratio{backup_job=\"app\"} 0.97999999999999998\n");
    free(t);
}

TEST(metrics_text_failure_keeps_last_success)
{
    struct alert_result r = good(), f = bad();
    struct err e;
    char *prev = metrics_backup_text(&r, NULL, 0, &e), *t, *p;

    CHECK(prev != NULL);
    t = metrics_backup_text(&f, prev, 0, &e);
    p = metrics_backup_text(&f, prev, 1, &e);
    free(prev);
    CHECK(t != NULL && p != NULL);
    CHECK_CONTAINS(t, "safedump_last_attempt_timestamp_seconds{backup_job=\"app\"} 1795486400\n");
    CHECK_CONTAINS(t, "safedump_last_run_success{backup_job=\"app\"} 0\n");
    CHECK_CONTAINS(t, "safedump_last_success_timestamp_seconds{backup_job=\"app\"} 1795400000\n");
    CHECK_CONTAINS(t, "safedump_last_rows{backup_job=\"app\"} 100011\n");
    /* for a Pushgateway POST: only the attempt series, so the gateway keeps the last success */
    CHECK_CONTAINS(p, "safedump_last_run_success{backup_job=\"app\"} 0\n");
    CHECK(strstr(p, "safedump_last_success_timestamp_seconds") == NULL);
    CHECK(strstr(p, "safedump_last_rows") == NULL);
    free(t);
    free(p);
    /* never a success: 0, so "no good backup for 26 h" fires */
    t = metrics_backup_text(&f, NULL, 0, &e);
    CHECK(t != NULL);
    CHECK_CONTAINS(t, "safedump_last_success_timestamp_seconds{backup_job=\"app\"} 0\n");
    free(t);
}

TEST(metrics_file_atomic_0600)
{
    struct alert_result r = good(), f = bad();
    struct err e;
    struct stat st;
    char path[128];

    err_init(&e);
    CHECK_EQ_INT(metrics_backup(dir, NULL, &r, 5, &e), 0);
    CHECK_EQ_INT(metrics_backup(dir, NULL, &f, 5, &e), 0);
    snprintf(path, sizeof(path), "%s/safedump_app.prom", dir);
    CHECK_EQ_INT(stat(path, &st), 0);
    CHECK_EQ_INT(st.st_mode & 0777, 0600);
    CHECK_CONTAINS(slurp(path), "safedump_last_run_success{backup_job=\"app\"} 0\n");
    CHECK_CONTAINS(slurp(path), "safedump_last_success_timestamp_seconds{backup_job=\"app\"} 1795400000\n");
    /* a directory that does not exist: an error naming the file, with a hint */
    CHECK_EQ_INT(metrics_write_file("/nonexistent/dir", "x.prom", "x 1\n", &e), -1);
    CHECK_CONTAINS(e.msg, "metrics file '/nonexistent/dir/x.prom'");
    CHECK_CONTAINS(e.hint, "metrics_dir");
}

TEST(metrics_verify_keeps_other_levels)
{
    struct err e;
    char path[128];
    const char *t;

    err_init(&e);
    CHECK_EQ_INT(metrics_verify_result(dir, NULL, "app", "integrity", 1, 2.5, 5, &e), 0);
    CHECK_EQ_INT(metrics_verify_result(dir, NULL, "app", "restore", 0, 61, 5, &e), 0);
    CHECK_EQ_INT(metrics_verify_result(dir, NULL, "app", "restore", 1, 60, 5, &e), 0);
    snprintf(path, sizeof(path), "%s/safedump_verify_app.prom", dir);
    t = slurp(path);
    CHECK(t != NULL);
    CHECK_CONTAINS(t, "safedump_last_verify_success{backup_job=\"app\",level=\"integrity\"} 1\n");
    CHECK_CONTAINS(t, "safedump_last_verify_duration_seconds{backup_job=\"app\",level=\"integrity\"} 2.5\n");
    CHECK_CONTAINS(t, "safedump_last_verify_success{backup_job=\"app\",level=\"restore\"} 1\n");
    CHECK_CONTAINS(t, "safedump_last_verify_duration_seconds{backup_job=\"app\",level=\"restore\"} 60\n");
    CHECK(strstr(t, "level=\"restore\"} 0\n") == NULL);
    /* one HELP per series name, not one per write */
    CHECK(strstr(strstr(t, "# HELP safedump_last_verify_success") + 1, "# HELP safedump_last_verify_success") == NULL);
}

TEST(url_redaction)
{
    char b[256];

    CHECK_EQ_STR(alert_url_redact("https://hc-ping.com/0f3c-uuid", b, sizeof(b)), "https://hc-ping.com/...");
    CHECK_EQ_STR(alert_url_redact("https://user:pw@chat.example.org:8443/hooks/x?t=1", b, sizeof(b)),
                 "https://chat.example.org:8443/...");
    CHECK_EQ_STR(alert_url_redact("http://pushgateway:9091", b, sizeof(b)), "http://pushgateway:9091");
    CHECK_EQ_STR(alert_url_redact("http://h?token=secret", b, sizeof(b)), "http://h/...");
    CHECK_EQ_STR(alert_url_redact("no-scheme/secret", b, sizeof(b)), "...");
}

TEST(webhook_json)
{
    struct alert_result r = bad();
    char *body = webhook_body(&r, "db1");
    cJSON *o = body != NULL ? cJSON_Parse(body) : NULL;

    free(body);
    CHECK(o != NULL);
    CHECK_CONTAINS(cJSON_GetStringValue(cJSON_GetObjectItem(o, "text")), "safedump on db1: backup 'app' failed: ");
    CHECK_CONTAINS(cJSON_GetStringValue(cJSON_GetObjectItem(o, "text")), "\nhint: check the source");
    CHECK_EQ_STR(cJSON_GetStringValue(cJSON_GetObjectItem(o, "status")), "failure");
    CHECK_EQ_STR(cJSON_GetStringValue(cJSON_GetObjectItem(o, "started")), "2026-11-24T02:13:20Z");
    CHECK_CONTAINS(cJSON_GetStringValue(cJSON_GetObjectItem(o, "error")), "does not exist");
    cJSON_Delete(o);
}

TEST(mail_text)
{
    struct alert_result r = bad(), w = good();
    char *m = mail_message(&r, "admins@example.org", "db1");

    CHECK(m != NULL);
    CHECK(strncmp(m, "To: admins@example.org\nSubject: [safedump] FAILED: backup 'app' on db1\n", 70) == 0);
    CHECK_CONTAINS(m, "\n\njob:       app\nresult:    failure\n");
    CHECK_CONTAINS(m, "\nerror: source 'postgres://app@db/app'");
    CHECK_CONTAINS(m, "\nhint:  check the source\n");
    free(m);
    w.status = ALERT_WARNING;
    w.warning = "size anomaly: 1 MiB raw is 10% of the previous backup's";
    m = mail_message(&w, "admins@example.org", "db1");
    CHECK(m != NULL);
    CHECK_CONTAINS(m, "Subject: [safedump] WARNING: backup 'app' on db1\n");
    CHECK_CONTAINS(m, "\nraw:       10.0 MiB (10485760 bytes)\n");
    CHECK_CONTAINS(m, "\nwarning: size anomaly");
    free(m);
    /* a header injection through the address is refused */
    CHECK(mail_message(&w, "a@example.org\nBcc: evil@example.org", "db1") == NULL);
}

TEST(hook_environment)
{
    struct alert_result r = bad();
    struct err e;
    char script[128], out[128], body[512];
    FILE *f;
    const char *t;

    snprintf(script, sizeof(script), "%s/hook.sh", dir);
    snprintf(out, sizeof(out), "%s/hook.out", dir);
    snprintf(body, sizeof(body), "#!/bin/sh\nenv | grep -E '^(SAFEDUMP_|PGPASSWORD)' | sort > %s\n", out);
    f = fopen(script, "w");
    CHECK(f != NULL);
    fputs(body, f);
    fclose(f);
    chmod(script, 0700);
    setenv("PGPASSWORD", "not-for-hooks", 1);
    err_init(&e);
    CHECK_EQ_INT(hook_run(script, &r, 10, &e), 0);
    unsetenv("PGPASSWORD");
    t = slurp(out);
    CHECK(t != NULL);
    CHECK_CONTAINS(t, "SAFEDUMP_JOB=app\n");
    CHECK_CONTAINS(t, "SAFEDUMP_STATUS=failure\n");
    CHECK_CONTAINS(t, "SAFEDUMP_ERROR=source 'postgres://app@db/app'");
    CHECK_CONTAINS(t, "SAFEDUMP_HINT=check the source\n");
    CHECK(strstr(t, "PGPASSWORD") == NULL);
    /* a failing hook: its status and stderr in the error */
    f = fopen(script, "w");
    fputs("#!/bin/sh\necho 'pager unreachable' >&2\nexit 3\n", f);
    fclose(f);
    CHECK_EQ_INT(hook_run(script, &r, 10, &e), -1);
    CHECK_CONTAINS(e.msg, "exited with status 3: pager unreachable");
    /* a hook that hangs is stopped */
    f = fopen(script, "w");
    fputs("#!/bin/sh\nexec sleep 30\n", f);
    fclose(f);
    CHECK_EQ_INT(hook_run(script, &r, 1, &e), -1);
    CHECK_CONTAINS(e.msg, "still running after 1 s");
}

int
main(void)
{
    snprintf(dir, sizeof(dir), "/tmp/sd-alert.XXXXXX");
    if (mkdtemp(dir) == NULL)
        return 1;
    RUN(metrics_text_success);
    RUN(metrics_text_failure_keeps_last_success);
    RUN(metrics_file_atomic_0600);
    RUN(metrics_verify_keeps_other_levels);
    RUN(url_redaction);
    RUN(webhook_json);
    RUN(mail_text);
    RUN(hook_environment);
    {
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            return 1;
    }
    free(slurp_buf);
    return test_done();
}

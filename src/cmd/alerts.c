/*
 * The alerts of one job run, from its configuration: ping URL at the start; at the end metrics, ping,
 * mail, webhook and exec hooks. Each failure is printed as a warning and counted, never returned as an
 * error: a notification that fails must not turn a good backup into a failed one.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "alert/alert.h"
#include "alert/hook.h"
#include "alert/mail.h"
#include "alert/metrics.h"
#include "alert/webhook.h"
#include "cmd/cmd.h"
#include "cmd/config.h"
#include "util/err.h"

static void
warn(const char *job, const struct err *e)
{
    fprintf(stderr, "safedump: warning: backup '%s': %s\n", job, e->msg);
    if (e->hint[0] != '\0')
        fprintf(stderr, "hint: %s\n", e->hint);
}

int
cmd_alert_start(const struct job_conf *j)
{
    struct err e;

    err_init(&e);
    if (j->alert.ping_url != NULL &&
        ping_send(j->alert.ping_url, PING_START, NULL, j->alert.notify_timeout, &e) == -1) {
        warn(j->name, &e);
        return 1;
    }
    return 0;
}

int
cmd_alert_finish(const struct job_conf *j, const struct alert_result *r)
{
    const struct alert_conf *a = &j->alert;
    char host[256] = "localhost";
    int notify = r->status != ALERT_SUCCESS || a->notify_always, warnings = 0;
    struct err e;

    (void)gethostname(host, sizeof(host) - 1);
    host[sizeof(host) - 1] = '\0';
    err_init(&e);
    if ((a->metrics_dir != NULL || a->pushgateway != NULL) &&
        metrics_backup(a->metrics_dir, a->pushgateway, r, a->notify_timeout, &e) == -1) {
        warn(j->name, &e);
        warnings++;
    }
    if (a->ping_url != NULL &&
        ping_send(a->ping_url, r->status == ALERT_SUCCESS ? PING_SUCCESS : PING_FAIL, r, a->notify_timeout, &e) == -1) {
        warn(j->name, &e);
        warnings++;
    }
    if (notify && a->notify_mail != NULL &&
        mail_send(a->sendmail != NULL ? a->sendmail : "sendmail", a->notify_mail, r, host, a->notify_timeout, &e) ==
            -1) {
        warn(j->name, &e);
        warnings++;
    }
    if (notify && a->webhook_url != NULL && webhook_send(a->webhook_url, r, host, a->notify_timeout, &e) == -1) {
        warn(j->name, &e);
        warnings++;
    }
    if (r->status == ALERT_SUCCESS && a->on_success != NULL && hook_run(a->on_success, r, 60, &e) == -1) {
        warn(j->name, &e);
        warnings++;
    }
    if (r->status != ALERT_SUCCESS && a->on_failure != NULL && hook_run(a->on_failure, r, 60, &e) == -1) {
        warn(j->name, &e);
        warnings++;
    }
    return warnings;
}

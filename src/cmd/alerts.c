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
#include "util/log.h"

static void
warn(const char *job, const struct err *e)
{
    log_rec(LOG_WARNING, job, e->hint, "backup '%s': %s", job, e->msg);
}

/* With --verbose: which notification went where (URLs redacted). */
static void
sent(const char *job, const char *what, const char *where, int url)
{
    char shown[512];

    if (log_is_shown(LOG_DEBUG))
        log_rec(LOG_DEBUG, job, NULL, "backup '%s': %s '%s' sent", job, what,
                url ? alert_url_redact(where, shown, sizeof(shown)) : where);
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
    } else if (a->metrics_dir != NULL || a->pushgateway != NULL) {
        sent(j->name, "metrics", a->pushgateway != NULL ? a->pushgateway : a->metrics_dir, a->pushgateway != NULL);
    }
    if (a->ping_url != NULL &&
        ping_send(a->ping_url, r->status == ALERT_SUCCESS ? PING_SUCCESS : PING_FAIL, r, a->notify_timeout, &e) == -1) {
        warn(j->name, &e);
        warnings++;
    } else if (a->ping_url != NULL) {
        sent(j->name, "ping", a->ping_url, 1);
    }
    if (notify && a->notify_mail != NULL &&
        mail_send(a->sendmail != NULL ? a->sendmail : "sendmail", a->notify_mail, r, host, a->notify_timeout, &e) ==
            -1) {
        warn(j->name, &e);
        warnings++;
    } else if (notify && a->notify_mail != NULL) {
        sent(j->name, "mail to", a->notify_mail, 0);
    }
    if (notify && a->webhook_url != NULL && webhook_send(a->webhook_url, r, host, a->notify_timeout, &e) == -1) {
        warn(j->name, &e);
        warnings++;
    } else if (notify && a->webhook_url != NULL) {
        sent(j->name, "webhook", a->webhook_url, 1);
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

int
cmd_alert_verify(const struct job_conf *j, const char *job, const char *level, int ok, double seconds)
{
    const struct alert_conf *a = &j->alert;
    struct err e;

    if (a->metrics_dir == NULL && a->pushgateway == NULL)
        return 0;
    err_init(&e);
    if (metrics_verify_result(a->metrics_dir, a->pushgateway, job, level, ok, seconds, a->notify_timeout, &e) == -1) {
        log_rec(LOG_WARNING, job, e.hint, "verify '%s': %s", job, e.msg);
        return 1;
    }
    return 0;
}

#include "alert/webhook.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alert/alert.h"
#include "alert/http.h"
#include "util/err.h"

char *
webhook_body(const struct alert_result *r, const char *host)
{
    cJSON *o = cJSON_CreateObject();
    char summary[2048], text[3072], started[32];
    struct tm tm;
    char *out = NULL;
    int ok = o != NULL;

    alert_summary(r, summary, sizeof(summary));
    snprintf(text, sizeof(text), "safedump on %s: %s%s%s", host, summary, r->hint[0] ? "\nhint: " : "", r->hint);
    gmtime_r(&r->started, &tm);
    strftime(started, sizeof(started), "%Y-%m-%dT%H:%M:%SZ", &tm);
    ok = ok && cJSON_AddStringToObject(o, "text", text) != NULL;
    ok = ok && cJSON_AddStringToObject(o, "job", r->job) != NULL;
    ok = ok && cJSON_AddStringToObject(o, "status", alert_status_name(r->status)) != NULL;
    ok = ok && cJSON_AddStringToObject(o, "backup_id", r->backup_id) != NULL;
    ok = ok && cJSON_AddStringToObject(o, "error", r->error) != NULL;
    ok = ok && cJSON_AddStringToObject(o, "hint", r->hint) != NULL;
    ok = ok && cJSON_AddStringToObject(o, "warning", r->warning) != NULL;
    ok = ok && cJSON_AddStringToObject(o, "host", host) != NULL;
    ok = ok && cJSON_AddStringToObject(o, "started", started) != NULL;
    ok = ok && cJSON_AddNumberToObject(o, "duration_seconds", r->seconds) != NULL;
    ok = ok && cJSON_AddNumberToObject(o, "raw_bytes", (double)r->raw_bytes) != NULL;
    ok = ok && cJSON_AddNumberToObject(o, "compressed_bytes", (double)r->compressed_bytes) != NULL;
    ok = ok && cJSON_AddNumberToObject(o, "stored_bytes", (double)r->stored_bytes) != NULL;
    ok = ok && cJSON_AddNumberToObject(o, "rows", (double)r->rows) != NULL;
    ok = ok && cJSON_AddNumberToObject(o, "tables", (double)r->tables) != NULL;
    ok = ok && cJSON_AddNumberToObject(o, "size_ratio", r->size_ratio) != NULL;
    if (ok)
        out = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return out;
}

int
webhook_send(const char *url, const struct alert_result *r, const char *host, int timeout_s, struct err *e)
{
    struct http_req q;
    char *body = webhook_body(r, host);
    int rc;

    if (body == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    memset(&q, 0, sizeof(q));
    q.method = "POST";
    q.url = url;
    q.content_type = "application/json";
    q.body = body;
    q.body_len = strlen(body);
    q.timeout_s = timeout_s;
    q.tries = 3;
    rc = http_request(&q, "webhook", e);
    free(body);
    return rc;
}

int
ping_send(const char *url, enum ping_event ev, const struct alert_result *r, int timeout_s, struct err *e)
{
    struct http_req q;
    char full[2048], body[2048] = "";
    size_t n = strlen(url);

    while (n > 0 && url[n - 1] == '/')
        n--;
    snprintf(full, sizeof(full), "%.*s%s", (int)n, url, ev == PING_START ? "/start" : ev == PING_FAIL ? "/fail" : "");
    if (r != NULL && ev != PING_START) {
        alert_summary(r, body, sizeof(body));
        if (r->hint[0] != '\0') {
            size_t k = strlen(body);
            snprintf(body + k, sizeof(body) - k, "\nhint: %s", r->hint);
        }
    }
    memset(&q, 0, sizeof(q));
    q.method = "POST";
    q.url = full;
    q.content_type = "text/plain; charset=utf-8";
    q.body = body;
    q.body_len = strlen(body);
    q.timeout_s = timeout_s;
    q.tries = 3;
    return http_request(&q, "ping URL", e);
}

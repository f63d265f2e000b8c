/*
 * Webhooks and ping URLs. A webhook gets a JSON POST whose "text" field is a readable summary (what
 * Slack and Mattermost incoming webhooks display) next to the structured fields. A ping URL follows the
 * healthchecks.io convention: URL/start when a run begins, URL on success, URL/fail on failure, each a
 * POST whose body is the summary (on failure: the error and its hint, the last lines of the log).
 */
#ifndef SAFEDUMP_ALERT_WEBHOOK_H
#define SAFEDUMP_ALERT_WEBHOOK_H

struct err;
struct alert_result;

enum ping_event {
    PING_START,
    PING_SUCCESS,
    PING_FAIL,
};

/**
 * webhook_body(r, host): the JSON body: {"text", "job", "status", "backup_id", "error", "hint",
 * "warning", "host", "started", "duration_seconds", "raw_bytes", "compressed_bytes", "stored_bytes",
 * "rows", "tables", "size_ratio"}. Returns a malloc'd string or NULL (out of memory).
 */
char *webhook_body(const struct alert_result *r, const char *host);

/** webhook_send(url, r, host, timeout_s, e): POST webhook_body to ${url}. Returns 0 or -1. */
int webhook_send(const char *url, const struct alert_result *r, const char *host, int timeout_s, struct err *e);

/**
 * ping_send(url, ev, r, timeout_s, e): POST to ${url}/start, ${url} or ${url}/fail. ${r} may be NULL
 * for PING_START. Returns 0 or -1.
 */
int ping_send(const char *url, enum ping_event ev, const struct alert_result *r, int timeout_s, struct err *e);

#endif

/*
 * HTTP requests for notifications and the Pushgateway, on libcurl. Each request has a time limit and
 * is retried a few times, one second apart, on a network error or an HTTP 5xx or 429; other statuses
 * fail at once. Error messages name the URL only in its redacted form (alert_url_redact).
 */
#ifndef SAFEDUMP_ALERT_HTTP_H
#define SAFEDUMP_ALERT_HTTP_H

#include <stddef.h>

struct err;

struct http_req {
    const char *method;       /* "POST", "PUT", "GET" */
    const char *url;          /* http:// or https:// */
    const char *content_type; /* or NULL */
    const char *body;         /* or NULL */
    size_t body_len;
    int timeout_s; /* per attempt, > 0 */
    int tries;     /* attempts, >= 1 */
};

/**
 * http_request(r, what, e): send the request until it gets a 2xx answer or the attempts are used up.
 * ${what} names the request in errors ("webhook"). Returns 0, or -1 with ERR_IO
 * "webhook 'https://host/...': HTTP 500 (3 tries)" or the transport error.
 */
int http_request(const struct http_req *r, const char *what, struct err *e);

#endif

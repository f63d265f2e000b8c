/*
 * Alerts: what one run of a job tells the outside world. A command fills one struct alert_result per
 * job; the modules under src/alert/ turn it into Prometheus metrics (metrics.h), a webhook or ping URL
 * request (webhook.h), a mail (mail.h) or an exec hook's environment (hook.h). None of them sees the
 * configuration: the command passes URLs, paths and time limits. A notification that fails returns -1
 * with the reason in its struct err; the caller reports it as a warning, never as a failed backup.
 */
#ifndef SAFEDUMP_ALERT_ALERT_H
#define SAFEDUMP_ALERT_ALERT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

enum alert_status {
    ALERT_SUCCESS = 0, /* a clean success */
    ALERT_WARNING,     /* stored, but something is odd (size anomaly) */
    ALERT_FAILURE,     /* no backup was made */
};

struct alert_result {
    const char *job;       /* the job name (validated: letters, digits, '.', '_', '-') */
    const char *backup_id; /* "20261123T020000Z", or "" when none was made */
    enum alert_status status;
    const char *error;   /* the failure's message, or "" */
    const char *hint;    /* its hint, or "" */
    const char *warning; /* the warning's text, or "" */
    time_t started;      /* wall clock, start of the attempt */
    double seconds;      /* duration of the attempt */
    uint64_t raw_bytes;  /* plaintext dump size */
    uint64_t compressed_bytes;
    uint64_t stored_bytes;
    uint64_t rows; /* total rows over all tables */
    size_t tables;
    double size_ratio; /* raw size against the job's previous backup; 0 when there is none */
};

/** alert_status_name(s): "success", "warning" or "failure". */
const char *alert_status_name(enum alert_status s);

/**
 * alert_summary(r, buf, size): one line for people: "backup 'app' failed: ERROR" or
 * "backup 'app' 20261123T020000Z succeeded: 1.2 MiB raw, 300 KiB stored, 12 tables, 3.4 s". Returns ${buf}.
 */
const char *alert_summary(const struct alert_result *r, char *buf, size_t size);

/**
 * alert_url_redact(url, buf, size): ${url} safe to print: scheme, host and port, and "/..." in place of
 * a path, query or user information, which often carry tokens (hc-ping UUIDs, chat hook secrets).
 * Returns ${buf}.
 */
const char *alert_url_redact(const char *url, char *buf, size_t size);

#endif

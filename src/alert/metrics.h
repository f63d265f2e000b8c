/*
 * Prometheus metrics in the text exposition format, per job: written to a node_exporter textfile
 * collector directory (one file per job, replaced atomically) and/or pushed to a Pushgateway (grouping
 * key job="safedump", backup_job=JOB). Every series carries the label backup_job="JOB" (not "job",
 * which Prometheus reserves for the scrape job).
 *
 * Backup runs (safedump_JOB.prom):
 *   safedump_last_attempt_timestamp_seconds   start of the last run, success or not
 *   safedump_last_run_success                 1 when the last run stored a backup, else 0
 *   safedump_last_run_warning                 1 when it stored one with a warning (size anomaly)
 *   safedump_last_duration_seconds            duration of the last run
 *   safedump_last_success_timestamp_seconds   start of the last run that stored a backup (0: never)
 *   safedump_last_{raw,compressed,stored}_bytes, safedump_last_rows, safedump_last_tables,
 *   safedump_last_size_ratio                  of that backup (ratio: raw size against the previous backup)
 * A failed run keeps the success series of the file it replaces, so the last good backup stays visible.
 *
 * Verify runs (safedump_verify_JOB.prom), one series per level ("integrity", "content", "restore"):
 *   safedump_last_verify_timestamp_seconds, safedump_last_verify_success, safedump_last_verify_duration_seconds
 */
#ifndef SAFEDUMP_ALERT_METRICS_H
#define SAFEDUMP_ALERT_METRICS_H

#include <stddef.h>

struct err;
struct alert_result;

/**
 * metrics_backup_text(r, previous, push, e): the exposition text of one backup run. ${previous} is the
 * job's former file (or NULL): when ${r} failed, its success series are carried over (0 if none).
 * With ${push} set, a failed run gives only the attempt series (a Pushgateway POST keeps the others).
 * Returns a malloc'd string, or NULL with ERR_NOMEM.
 */
char *metrics_backup_text(const struct alert_result *r, const char *previous, int push, struct err *e);

/**
 * metrics_backup(dir, gateway, r, timeout_s, e): write the job's textfile in ${dir} and push to
 * ${gateway} (either may be NULL). Both are attempted; returns 0, or -1 with the first failure.
 */
int metrics_backup(const char *dir, const char *gateway, const struct alert_result *r, int timeout_s, struct err *e);

/**
 * metrics_verify_result(dir, gateway, job, level, ok, seconds, timeout_s, e): record one verify run of
 * ${job} at ${level} ("integrity", "content" or "restore"; ${seconds} is its duration, for "restore" the
 * restore test's time) in safedump_verify_JOB.prom in ${dir} (the other levels' series are kept) and/or
 * push it to ${gateway}. Returns 0 or -1.
 */
int metrics_verify_result(const char *dir, const char *gateway, const char *job, const char *level, int ok,
                          double seconds, int timeout_s, struct err *e);

/**
 * metrics_write_file(dir, name, text, e): replace ${dir}/${name} atomically (temporary file in the same
 * directory, fsync, rename), mode 0600 like every file safedump creates.
 */
int metrics_write_file(const char *dir, const char *name, const char *text, struct err *e);

#endif

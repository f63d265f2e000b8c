/*
 * Retention: which backups a policy keeps, and why. Pure: the input is the list of complete backups
 * with their times and sizes, the output a decision and its reasons for each; nothing is deleted here.
 *
 * Semantics follow restic's `forget`: for each rule "keep N per period", walk the backups newest first
 * and keep the newest backup of each period until N periods have a kept backup; periods without a
 * backup do not count. Periods are hours, days, ISO weeks, months and years in UTC, or in
 * ${tz} when it is set. keep_within keeps everything younger than the duration, measured from the
 * newest backup (so backups stop expiring when backups stop). Whatever the rules say, the newest
 * backup is always kept, and so is every backup younger than min_age (measured from now). Then, if
 * max_total_size is set, the oldest kept backups go until the total fits; the newest always stays.
 */
#ifndef SAFEDUMP_CATALOG_RETENTION_H
#define SAFEDUMP_CATALOG_RETENTION_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct err;

#define RETENTION_ALL (-1) /* "keep_yearly = all" */

struct retention_policy {
    int last, hourly, daily, weekly, monthly, yearly; /* 0: rule off; RETENTION_ALL: unlimited */
    long within;                                      /* seconds; 0: off */
    long min_age;                                     /* seconds */
    uint64_t max_total_size;                          /* bytes; 0: no cap */
    const char *tz;                                   /* e.g. "Europe/Brussels"; NULL or "": UTC */
};

struct retention_item {
    time_t time;   /* the backup's start time */
    uint64_t size; /* stored bytes */
    /* out: */
    int keep;
    char reasons[256]; /* "daily 2026-11-23, weekly 2026-W47" or why it goes */
};

/** retention_active(p): at least one keep rule is set (prune refuses to run without one). */
int retention_active(const struct retention_policy *p);

/**
 * retention_apply(p, items, n, now): decide for ${n} items sorted newest first. Fills keep and
 * reasons of each. Returns 0, or -1 with ${e} when the time zone is unknown.
 */
int retention_apply(const struct retention_policy *p, struct retention_item *items, size_t n, time_t now,
                    struct err *e);

/** retention_parse_duration(s, out): "90s", "30m", "26h", "2d", "1w" (or a sum, "1d12h") to seconds. */
int retention_parse_duration(const char *s, long *out);

/** retention_parse_size(s, out): "500M", "50G", "1T", "1024" (bytes; K/M/G/T are powers of 1024). */
int retention_parse_size(const char *s, uint64_t *out);

#endif

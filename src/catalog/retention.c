#include "catalog/retention.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"

enum period { P_LAST, P_HOURLY, P_DAILY, P_WEEKLY, P_MONTHLY, P_YEARLY, P_COUNT };

static const char *const period_names[P_COUNT] = {"last", "hourly", "daily", "weekly", "monthly", "yearly"};

int
retention_active(const struct retention_policy *p)
{
    return p->last != 0 || p->hourly != 0 || p->daily != 0 || p->weekly != 0 || p->monthly != 0 || p->yearly != 0 ||
           p->within > 0;
}

/* The period label of ${t} ("2026-11-23", "2026-W47"...), in the zone set up by the caller. */
static void
label(enum period p, time_t t, int index, char *out, size_t outsz)
{
    struct tm tm;

    localtime_r(&t, &tm);
    switch (p) {
    case P_LAST:
        snprintf(out, outsz, "%d", index); /* every backup is its own period */
        break;
    case P_HOURLY:
        strftime(out, outsz, "%Y-%m-%d %H:00", &tm);
        break;
    case P_DAILY:
        strftime(out, outsz, "%Y-%m-%d", &tm);
        break;
    case P_WEEKLY:
        strftime(out, outsz, "%G-W%V", &tm);
        break;
    case P_MONTHLY:
        strftime(out, outsz, "%Y-%m", &tm);
        break;
    case P_YEARLY:
    case P_COUNT:
        strftime(out, outsz, "%Y", &tm);
        break;
    }
}

static void add_reason(struct retention_item *it, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
add_reason(struct retention_item *it, const char *fmt, ...)
{
    size_t n = strlen(it->reasons);
    va_list ap;

    if (n > 0 && n + 2 < sizeof(it->reasons)) {
        memcpy(it->reasons + n, ", ", 3);
        n += 2;
    }
    va_start(ap, fmt);
    vsnprintf(it->reasons + n, sizeof(it->reasons) - n, fmt, ap);
    va_end(ap);
}

/* Switch localtime_r to ${tz} (or UTC); restore the old TZ with the returned copy. */
static char *
zone_begin(const char *tz)
{
    const char *old = getenv("TZ");
    char *saved = old ? strdup(old) : NULL;

    setenv("TZ", tz != NULL && tz[0] != '\0' ? tz : "UTC", 1);
    tzset();
    return saved;
}

static void
zone_end(char *saved)
{
    if (saved != NULL) {
        setenv("TZ", saved, 1);
        free(saved);
    } else {
        unsetenv("TZ");
    }
    tzset();
}

/* glibc silently falls back to UTC for an unknown zone: check that the zone file exists. */
static int
zone_known(const char *tz)
{
    char path[512];
    FILE *f;

    if (tz == NULL || tz[0] == '\0' || strcmp(tz, "UTC") == 0)
        return 1;
    if (strstr(tz, "..") != NULL || tz[0] == '/')
        return 0;
    snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", tz);
    if ((f = fopen(path, "r")) == NULL)
        return 0;
    fclose(f);
    return 1;
}

int
retention_apply(const struct retention_policy *p, struct retention_item *items, size_t n, time_t now, struct err *e)
{
    const int want[P_COUNT] = {p->last, p->hourly, p->daily, p->weekly, p->monthly, p->yearly};
    char *saved;
    size_t i;
    int k;

    if (!zone_known(p->tz))
        return err_set(e, ERR_CONFIG, "retention_timezone '%s': unknown time zone", p->tz);
    for (i = 0; i < n; i++) {
        items[i].keep = 0;
        items[i].reasons[0] = '\0';
    }
    saved = zone_begin(p->tz);
    for (k = 0; k < P_COUNT; k++) {
        char last[64] = "";
        int used = 0;
        if (want[k] == 0)
            continue;
        for (i = 0; i < n && (want[k] == RETENTION_ALL || used < want[k]); i++) {
            char cur[64];
            label((enum period)k, items[i].time, (int)i, cur, sizeof(cur));
            if (strcmp(cur, last) == 0)
                continue; /* an older backup of a period already kept */
            snprintf(last, sizeof(last), "%s", cur);
            used++;
            items[i].keep = 1;
            if (k == P_LAST)
                add_reason(&items[i], "last %d", used);
            else
                add_reason(&items[i], "%s %s", period_names[k], cur);
        }
    }
    zone_end(saved);
    for (i = 0; i < n; i++) {
        if (p->within > 0 && items[0].time - items[i].time < p->within) {
            items[i].keep = 1;
            add_reason(&items[i], "within %lds of the newest", p->within);
        }
        if (now - items[i].time < p->min_age) {
            items[i].keep = 1;
            add_reason(&items[i], "younger than min_age");
        }
    }
    if (n > 0 && !items[0].keep) {
        items[0].keep = 1;
        add_reason(&items[0], "newest");
    }
    if (p->max_total_size > 0) {
        uint64_t total = 0;
        for (i = 0; i < n; i++)
            total += items[i].keep ? items[i].size : 0;
        for (i = n; i-- > 1 && total > p->max_total_size;) {
            if (!items[i].keep)
                continue;
            items[i].keep = 0;
            total -= items[i].size;
            snprintf(items[i].reasons, sizeof(items[i].reasons), "over max_total_size");
        }
    }
    for (i = 0; i < n; i++)
        if (!items[i].keep && items[i].reasons[0] == '\0')
            snprintf(items[i].reasons, sizeof(items[i].reasons), "no rule keeps it");
    return 0;
}

int
retention_parse_duration(const char *s, long *out)
{
    long total = 0;

    if (*s == '\0')
        return -1;
    while (*s != '\0') {
        char *end;
        long v, unit;
        errno = 0;
        v = strtol(s, &end, 10);
        if (errno != 0 || end == s || v < 0)
            return -1;
        switch (*end) {
        case 's':
            unit = 1;
            break;
        case 'm':
            unit = 60;
            break;
        case 'h':
            unit = 3600;
            break;
        case 'd':
            unit = 86400;
            break;
        case 'w':
            unit = 7 * 86400;
            break;
        default:
            return -1;
        }
        if (v > 100L * 366 * 86400 / unit)
            return -1;
        total += v * unit;
        s = end + 1;
    }
    *out = total;
    return 0;
}

int
retention_parse_size(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;
    int shift = 0;

    if (!isdigit((unsigned char)*s))
        return -1;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0)
        return -1;
    switch (toupper((unsigned char)*end)) {
    case '\0':
        break;
    case 'K':
        shift = 10;
        break;
    case 'M':
        shift = 20;
        break;
    case 'G':
        shift = 30;
        break;
    case 'T':
        shift = 40;
        break;
    default:
        return -1;
    }
    if (*end != '\0' && end[1] != '\0' && !(toupper((unsigned char)end[1]) == 'B' && end[2] == '\0') &&
        !(toupper((unsigned char)end[1]) == 'I' && toupper((unsigned char)end[2]) == 'B' && end[3] == '\0'))
        return -1;
    if (shift > 0 && v > (UINT64_MAX >> shift))
        return -1;
    *out = (uint64_t)v << shift;
    return 0;
}

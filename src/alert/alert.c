#include "alert/alert.h"

#include <stdio.h>
#include <string.h>

const char *
alert_status_name(enum alert_status s)
{
    switch (s) {
    case ALERT_SUCCESS:
        return "success";
    case ALERT_WARNING:
        return "warning";
    case ALERT_FAILURE:
        return "failure";
    }
    return "failure";
}

static const char *
size_text(uint64_t n, char buf[32])
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = (double)n;
    int u = 0;

    while (v >= 1024.0 && u < 5) {
        v /= 1024.0;
        u++;
    }
    if (u == 0)
        snprintf(buf, 32, "%llu B", (unsigned long long)n);
    else
        snprintf(buf, 32, "%.1f %s", v, units[u]);
    return buf;
}

const char *
alert_summary(const struct alert_result *r, char *buf, size_t size)
{
    char raw[32], stored[32];

    if (r->status == ALERT_FAILURE) {
        snprintf(buf, size, "backup '%s' failed: %s", r->job, r->error);
        return buf;
    }
    snprintf(buf, size, "backup '%s' %s %s: %s raw, %s stored, %zu tables, %.1f s%s%s", r->job, r->backup_id,
             r->status == ALERT_WARNING ? "stored with a warning" : "succeeded", size_text(r->raw_bytes, raw),
             size_text(r->stored_bytes, stored), r->tables, r->seconds, r->warning[0] ? "; warning: " : "", r->warning);
    return buf;
}

const char *
alert_url_redact(const char *url, char *buf, size_t size)
{
    const char *s = strstr(url, "://"), *host, *end, *at;
    size_t n;

    if (s == NULL) {
        snprintf(buf, size, "...");
        return buf;
    }
    host = s + 3;
    end = host + strcspn(host, "/?#");
    /* user:password@host: keep only the host */
    at = memchr(host, '@', (size_t)(end - host));
    if (at != NULL)
        host = at + 1;
    n = (size_t)(end - host);
    snprintf(buf, size, "%.*s%.*s%s", (int)(s + 3 - url), url, (int)n, host, *end != '\0' ? "/..." : "");
    return buf;
}

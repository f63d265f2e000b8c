#include "alert/metrics.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "alert/alert.h"
#include "alert/http.h"
#include "util/err.h"

#define METRICS_MAX (256 * 1024) /* a former textfile larger than this is not ours */

/* A growing text buffer; ${failed} sticks after an allocation failure. */
struct text {
    char *s;
    size_t len, cap;
    int failed;
};

static void text_add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
text_add(struct text *t, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (t->failed)
        return;
    for (;;) {
        va_start(ap, fmt);
        n = vsnprintf(t->s != NULL ? t->s + t->len : NULL, t->s != NULL ? t->cap - t->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            t->failed = 1;
            return;
        }
        if (t->s != NULL && t->len + (size_t)n < t->cap) {
            t->len += (size_t)n;
            return;
        }
        {
            size_t cap = (t->cap ? t->cap * 2 : 1024) + (size_t)n;
            char *p = realloc(t->s, cap);
            if (p == NULL) {
                t->failed = 1;
                return;
            }
            t->s = p;
            t->cap = cap;
        }
    }
}

static void
gauge(struct text *t, const char *name, const char *help, const char *labels, double v)
{
    text_add(t, "# HELP %s %s\n# TYPE %s gauge\n%s{%s} %.17g\n", name, help, name, name, labels, v);
}

/* The value of series ${name} in ${previous} (the first line "name{...} value"), or ${dflt}. */
static double
previous_value(const char *previous, const char *name, double dflt)
{
    const char *p = previous;
    size_t n = strlen(name);

    while (p != NULL && *p != '\0') {
        if (strncmp(p, name, n) == 0 && (p[n] == '{' || p[n] == ' ')) {
            const char *v = strchr(p, ' ');
            const char *eol = strchr(p, '\n');
            if (v != NULL && (eol == NULL || v < eol))
                return strtod(v + 1, NULL);
        }
        p = strchr(p, '\n');
        if (p != NULL)
            p++;
    }
    return dflt;
}

char *
metrics_backup_text(const struct alert_result *r, const char *previous, int push, struct err *e)
{
    struct text t = {NULL, 0, 0, 0};
    char labels[200];
    int ok = r->status != ALERT_FAILURE;

    snprintf(labels, sizeof(labels), "backup_job=\"%s\"", r->job);
    gauge(&t, "safedump_last_attempt_timestamp_seconds", "Start of the last backup run, successful or not.", labels,
          (double)r->started);
    gauge(&t, "safedump_last_run_success", "1 when the last backup run stored a backup, else 0.", labels, ok);
    gauge(&t, "safedump_last_run_warning", "1 when the last backup run stored a backup with a warning.", labels,
          r->status == ALERT_WARNING);
    gauge(&t, "safedump_last_duration_seconds", "Duration of the last backup run.", labels, r->seconds);
    if (ok || !push) {
        gauge(&t, "safedump_last_success_timestamp_seconds", "Start of the last run that stored a backup (0: never).",
              labels, ok ? (double)r->started : previous_value(previous, "safedump_last_success_timestamp_seconds", 0));
        gauge(&t, "safedump_last_raw_bytes", "Plaintext size of the last good backup.", labels,
              ok ? (double)r->raw_bytes : previous_value(previous, "safedump_last_raw_bytes", 0));
        gauge(&t, "safedump_last_compressed_bytes", "Compressed size of the last good backup.", labels,
              ok ? (double)r->compressed_bytes : previous_value(previous, "safedump_last_compressed_bytes", 0));
        gauge(&t, "safedump_last_stored_bytes", "Stored (encrypted) size of the last good backup.", labels,
              ok ? (double)r->stored_bytes : previous_value(previous, "safedump_last_stored_bytes", 0));
        gauge(&t, "safedump_last_rows", "Total table rows in the last good backup.", labels,
              ok ? (double)r->rows : previous_value(previous, "safedump_last_rows", 0));
        gauge(&t, "safedump_last_tables", "Tables in the last good backup.", labels,
              ok ? (double)r->tables : previous_value(previous, "safedump_last_tables", 0));
        gauge(&t, "safedump_last_size_ratio",
              "Plaintext size of the last good backup against the one before it (0: no earlier backup).", labels,
              ok ? r->size_ratio : previous_value(previous, "safedump_last_size_ratio", 0));
    }
    if (t.failed) {
        free(t.s);
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    return t.s;
}

/* The former file, or NULL when there is none or it cannot be read (it is then simply replaced). */
static char *
read_previous(const char *dir, const char *name)
{
    char path[4096];
    char *buf;
    size_t n;
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    if ((f = fopen(path, "r")) == NULL)
        return NULL;
    if ((buf = malloc(METRICS_MAX + 1)) == NULL) {
        fclose(f);
        return NULL;
    }
    n = fread(buf, 1, METRICS_MAX, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

int
metrics_write_file(const char *dir, const char *name, const char *text, struct err *e)
{
    char tmp[4096], path[4096];
    size_t len = strlen(text), off = 0;
    int fd, dfd;

    if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
        return err_set(e, ERR_IO, "metrics directory '%s': path too long", dir);
    /* node_exporter reads only *.prom: the temporary name is never collected half-written */
    snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, name);
    if ((fd = mkstemp(tmp)) == -1) {
        err_sys(e, ERR_IO, "metrics file '%s'", path);
        return err_hint(e, "'metrics_dir' must be an existing directory that safedump can write to");
    }
    while (off < len) {
        ssize_t w = write(fd, text + off, len - off);
        if (w == -1 && errno == EINTR)
            continue;
        if (w <= 0) {
            err_sys(e, ERR_IO, "metrics file '%s'", tmp);
            goto fail;
        }
        off += (size_t)w;
    }
    if (fsync(fd) == -1) {
        err_sys(e, ERR_IO, "metrics file '%s'", tmp);
        goto fail;
    }
    if (close(fd) == -1) {
        fd = -1;
        err_sys(e, ERR_IO, "metrics file '%s'", tmp);
        goto fail;
    }
    fd = -1;
    if (rename(tmp, path) == -1) {
        err_sys(e, ERR_IO, "metrics file '%s'", path);
        goto fail;
    }
    if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
        (void)fsync(dfd);
        close(dfd);
    }
    return 0;
fail:
    if (fd != -1)
        close(fd);
    unlink(tmp);
    return -1;
}

/* POST to the group job="safedump", backup_job=JOB (and level=LEVEL for verify results). */
static int
push(const char *gateway, const char *job, const char *level, const char *text, int timeout_s, struct err *e)
{
    char url[2048];
    struct http_req r;
    size_t n = strlen(gateway);

    while (n > 0 && gateway[n - 1] == '/')
        n--;
    snprintf(url, sizeof(url), "%.*s/metrics/job/safedump/backup_job/%s%s%s", (int)n, gateway, job,
             level != NULL ? "/level/" : "", level != NULL ? level : "");
    memset(&r, 0, sizeof(r));
    r.method = "POST"; /* POST replaces only the series pushed: a failure keeps the last success */
    r.url = url;
    r.content_type = "text/plain; version=0.0.4";
    r.body = text;
    r.body_len = strlen(text);
    r.timeout_s = timeout_s;
    r.tries = 3;
    return http_request(&r, "pushgateway", e);
}

int
metrics_backup(const char *dir, const char *gateway, const struct alert_result *r, int timeout_s, struct err *e)
{
    char name[256];
    char *prev = NULL, *text = NULL;
    struct err e2;
    int rc = 0;

    err_init(&e2);
    if (dir != NULL) {
        snprintf(name, sizeof(name), "safedump_%s.prom", r->job);
        prev = read_previous(dir, name);
        if ((text = metrics_backup_text(r, prev, 0, e)) == NULL || metrics_write_file(dir, name, text, e) == -1)
            rc = -1;
        free(prev);
        free(text);
        text = NULL;
    }
    if (gateway != NULL) {
        if ((text = metrics_backup_text(r, NULL, 1, &e2)) == NULL ||
            push(gateway, r->job, NULL, text, timeout_s, &e2) == -1) {
            if (rc == 0)
                *e = e2;
            rc = -1;
        }
        free(text);
    }
    return rc;
}

/* ${previous} without the series of ${level} and without comment lines (they are written anew). */
static void
keep_other_levels(struct text *t, const char *previous, const char *level)
{
    char needle[96];
    const char *p = previous;

    snprintf(needle, sizeof(needle), "level=\"%s\"", level);
    while (p != NULL && *p != '\0') {
        const char *eol = strchr(p, '\n');
        size_t n = eol != NULL ? (size_t)(eol - p) : strlen(p);
        if (n > 0 && p[0] != '#' && strncmp(p, "safedump_last_verify_", 21) == 0) {
            const char *hit = strstr(p, needle);
            if (hit == NULL || hit > p + n)
                text_add(t, "%.*s\n", (int)n, p);
        }
        p = eol != NULL ? eol + 1 : NULL;
    }
}

int
metrics_verify_result(const char *dir, const char *gateway, const char *job, const char *level, int ok, double seconds,
                      int timeout_s, struct err *e)
{
    static const char head[] =
        "# HELP safedump_last_verify_timestamp_seconds End of the last verify run at this level.\n"
        "# TYPE safedump_last_verify_timestamp_seconds gauge\n"
        "# HELP safedump_last_verify_success 1 when the last verify run at this level found the backup good.\n"
        "# TYPE safedump_last_verify_success gauge\n"
        "# HELP safedump_last_verify_duration_seconds Duration of the last verify run at this level "
        "(restore: the restore test).\n"
        "# TYPE safedump_last_verify_duration_seconds gauge\n";
    struct text t = {NULL, 0, 0, 0}, mine = {NULL, 0, 0, 0};
    char name[256];
    char *prev = NULL;
    double now = (double)time(NULL);
    int rc = 0;

    text_add(&mine, "safedump_last_verify_timestamp_seconds{backup_job=\"%s\",level=\"%s\"} %.17g\n", job, level, now);
    text_add(&mine, "safedump_last_verify_success{backup_job=\"%s\",level=\"%s\"} %d\n", job, level, ok ? 1 : 0);
    text_add(&mine, "safedump_last_verify_duration_seconds{backup_job=\"%s\",level=\"%s\"} %.17g\n", job, level,
             seconds);
    if (dir != NULL) {
        snprintf(name, sizeof(name), "safedump_verify_%s.prom", job);
        prev = read_previous(dir, name);
        text_add(&t, "%s", head);
        keep_other_levels(&t, prev, level);
        text_add(&t, "%s", mine.s != NULL ? mine.s : "");
        free(prev);
        if (t.failed || mine.failed)
            rc = err_set(e, ERR_NOMEM, "out of memory");
        else if (metrics_write_file(dir, name, t.s, e) == -1)
            rc = -1;
    }
    if (gateway != NULL && rc == 0 && !mine.failed) {
        free(t.s);
        t.s = NULL;
        t.len = t.cap = 0;
        text_add(&t, "%s%s", head, mine.s);
        if (t.failed)
            rc = err_set(e, ERR_NOMEM, "out of memory");
        else
            rc = push(gateway, job, level, t.s, timeout_s, e);
    }
    free(t.s);
    free(mine.s);
    return rc;
}

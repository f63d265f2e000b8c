#include "alert/mail.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alert/alert.h"
#include "util/child.h"
#include "util/err.h"

static const char *
size_text(uint64_t n, char buf[48])
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = (double)n;
    int u = 0;

    while (v >= 1024.0 && u < 5) {
        v /= 1024.0;
        u++;
    }
    snprintf(buf, 48, "%.1f %s (%llu bytes)", v, units[u], (unsigned long long)n);
    return buf;
}

char *
mail_message(const struct alert_result *r, const char *to, const char *host)
{
    static const char *const subject[] = {"succeeded", "WARNING", "FAILED"};
    char raw[48], comp[48], stored[48], started[32], date[64];
    struct tm tm;
    time_t now = time(NULL);
    char *out = NULL;
    size_t len = 0;
    FILE *f;

    if (strpbrk(to, "\r\n") != NULL || strpbrk(host, "\r\n") != NULL)
        return NULL;
    if ((f = open_memstream(&out, &len)) == NULL)
        return NULL;
    gmtime_r(&r->started, &tm);
    strftime(started, sizeof(started), "%Y-%m-%d %H:%M:%S UTC", &tm);
    gmtime_r(&now, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
    fprintf(f,
            "To: %s\nSubject: [safedump] %s: backup '%s' on %s\nDate: %s\nMIME-Version: 1.0\n"
            "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n"
            "Auto-Submitted: auto-generated\n\n",
            to, r->status == ALERT_FAILURE ? "FAILED" : subject[r->status], r->job, host, date);
    fprintf(f, "job:       %s\nresult:    %s\nhost:      %s\nstarted:   %s\nduration:  %.1f s\n", r->job,
            alert_status_name(r->status), host, started, r->seconds);
    if (r->status == ALERT_FAILURE) {
        fprintf(f, "\nerror: %s\n", r->error);
        if (r->hint[0] != '\0')
            fprintf(f, "hint:  %s\n", r->hint);
        fprintf(f, "\nNo backup was made by this run. The last good backups are listed by 'safedump list %s'.\n",
                r->job);
    } else {
        fprintf(f, "backup:    %s\nraw:       %s\ncompressed: %s\nstored:    %s\ntables:    %zu\nrows:      %llu\n",
                r->backup_id, size_text(r->raw_bytes, raw), size_text(r->compressed_bytes, comp),
                size_text(r->stored_bytes, stored), r->tables, (unsigned long long)r->rows);
        if (r->warning[0] != '\0')
            fprintf(f, "\nwarning: %s\n", r->warning);
    }
    if (fclose(f) != 0) {
        free(out);
        return NULL;
    }
    return out;
}

int
mail_send(const char *program, const char *to, const struct alert_result *r, const char *host, int timeout_s,
          struct err *e)
{
    static const char *const unset[] = {"PGPASSWORD", NULL};
    const char *argv[] = {program, "-t", "-i", NULL};
    struct child_spec spec;
    struct child *ch;
    char *msg = mail_message(r, to, host);
    size_t off = 0, len;
    int rc;

    if (msg == NULL)
        return err_set(e, ERR_CONFIG, "mail to '%s': not a single address line", to);
    memset(&spec, 0, sizeof(spec));
    spec.argv = argv;
    spec.env_unset = unset;
    spec.stdin_pipe = 1;
    spec.stdout_fd = -1;
    if ((ch = child_start(&spec, e)) == NULL) {
        free(msg);
        err_wrap(e, "mail to '%s'", to);
        return err_hint(e, "set 'sendmail' to a sendmail-compatible program (msmtp, postfix, exim)");
    }
    len = strlen(msg);
    while (off < len) {
        ssize_t w = write(child_stdin(ch), msg + off, len - off);
        if (w == -1 && errno == EINTR)
            continue;
        if (w <= 0)
            break; /* the program's status says why */
        off += (size_t)w;
    }
    free(msg);
    child_close_stdin(ch);
    rc = child_wait_for(ch, timeout_s * 1000, e);
    child_free(ch);
    if (rc == -2)
        return err_set(e, ERR_SOURCE, "mail to '%s': '%s' did not finish within %d s", to, program, timeout_s);
    if (rc == -1)
        return err_wrap(e, "mail to '%s'", to);
    return 0;
}

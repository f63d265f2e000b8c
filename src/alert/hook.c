#include "alert/hook.h"

#include <stdio.h>
#include <string.h>

#include "alert/alert.h"
#include "util/child.h"
#include "util/err.h"

int
hook_run(const char *program, const struct alert_result *r, int timeout_s, struct err *e)
{
    static const char *const unset[] = {"PGPASSWORD", NULL};
    char job[200], status[64], id[64], error[1100], hint[600], warning[600], raw[64], comp[64], stored[64], rows[64],
        dur[64];
    const char *env[] = {job, status, id, error, hint, warning, raw, comp, stored, rows, dur, NULL};
    const char *argv[] = {program, NULL};
    struct child_spec spec;
    struct child *ch;
    int rc;

    snprintf(job, sizeof(job), "SAFEDUMP_JOB=%s", r->job);
    snprintf(status, sizeof(status), "SAFEDUMP_STATUS=%s", alert_status_name(r->status));
    snprintf(id, sizeof(id), "SAFEDUMP_BACKUP_ID=%s", r->backup_id);
    snprintf(error, sizeof(error), "SAFEDUMP_ERROR=%s", r->error);
    snprintf(hint, sizeof(hint), "SAFEDUMP_HINT=%s", r->hint);
    snprintf(warning, sizeof(warning), "SAFEDUMP_WARNING=%s", r->warning);
    snprintf(raw, sizeof(raw), "SAFEDUMP_RAW_BYTES=%llu", (unsigned long long)r->raw_bytes);
    snprintf(comp, sizeof(comp), "SAFEDUMP_COMPRESSED_BYTES=%llu", (unsigned long long)r->compressed_bytes);
    snprintf(stored, sizeof(stored), "SAFEDUMP_STORED_BYTES=%llu", (unsigned long long)r->stored_bytes);
    snprintf(rows, sizeof(rows), "SAFEDUMP_ROWS=%llu", (unsigned long long)r->rows);
    snprintf(dur, sizeof(dur), "SAFEDUMP_DURATION_SECONDS=%.3f", r->seconds);
    memset(&spec, 0, sizeof(spec));
    spec.argv = argv;
    spec.env_set = env;
    spec.env_unset = unset;
    spec.stdout_fd = -1;
    if ((ch = child_start(&spec, e)) == NULL)
        return err_wrap(e, "hook '%s'", program);
    rc = child_wait_for(ch, timeout_s * 1000, e);
    child_free(ch);
    if (rc == -2)
        return err_set(e, ERR_SOURCE, "hook '%s': still running after %d s, stopped", program, timeout_s);
    if (rc == -1)
        return err_wrap(e, "hook '%s'", program);
    return 0;
}

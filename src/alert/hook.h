/*
 * Exec hooks (on_success, on_failure): a program run without a shell, with the run's result in its
 * environment: SAFEDUMP_JOB, SAFEDUMP_STATUS (success, warning, failure), SAFEDUMP_BACKUP_ID,
 * SAFEDUMP_ERROR, SAFEDUMP_HINT, SAFEDUMP_WARNING, SAFEDUMP_RAW_BYTES, SAFEDUMP_COMPRESSED_BYTES,
 * SAFEDUMP_STORED_BYTES, SAFEDUMP_ROWS, SAFEDUMP_DURATION_SECONDS. PGPASSWORD is removed from it.
 */
#ifndef SAFEDUMP_ALERT_HOOK_H
#define SAFEDUMP_ALERT_HOOK_H

struct err;
struct alert_result;

/**
 * hook_run(program, r, timeout_s, e): run ${program} (a path, or a name looked up in PATH) and wait at
 * most ${timeout_s} seconds; a hook still running then is killed. Returns 0 when it exited 0, else -1
 * with ERR_SOURCE and the end of its stderr.
 */
int hook_run(const char *program, const struct alert_result *r, int timeout_s, struct err *e);

#endif

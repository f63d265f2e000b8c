/*
 * Restore tests (verify level 3): restore a backup into a scratch database, count every table's rows
 * and compare them with the counts recorded at backup time, run a check query, and measure the
 * restore time. The scratch database is dropped (or the scratch server stopped) also on failure.
 */
#ifndef SAFEDUMP_CATALOG_RESTORETEST_H
#define SAFEDUMP_CATALOG_RESTORETEST_H

#include <stddef.h>
#include <stdint.h>

struct err;
struct storage;
struct manifest;
struct read_keys;

struct restore_test_opts {
    const char *target; /* a server URL (postgres://USER@HOST:PORT/MAINTENANCE_DB), or NULL: a scratch server */
    const char *sql;    /* a query that must return true, or NULL */
};

struct restore_test_result {
    size_t tables;
    uint64_t rows;
    double restore_seconds; /* the measured recovery time: fetch, decrypt, decompress and load */
    int server_major;       /* of the scratch server, 0 for a configured target */
};

/**
 * restore_test_run(st, m, k, o, res, e): run the test, decrypting with ${k} (catalog/read.h).
 * Returns 0 when every check passed; -1 with ERR_VERIFY and the exact reason ("table public.members:
 * 1041 rows restored, 1042 recorded", "restore_test_sql returned false") when the backup is bad, or
 * another code when the test could not run (no server, wrong key).
 */
int restore_test_run(struct storage *st, const struct manifest *m, const struct read_keys *k,
                     const struct restore_test_opts *o, struct restore_test_result *res, struct err *e);

#endif

/*
 * A scratch PostgreSQL server for restore tests: initdb in a private temporary directory, listening
 * only on a Unix socket inside it (no TCP port: nobody else can reach the restored data), with the
 * server binaries of the dump's major version where several are installed. When safedump runs as
 * root the server runs as the 'postgres' user, since initdb refuses root.
 */
#ifndef SAFEDUMP_SOURCE_PGCLUSTER_H
#define SAFEDUMP_SOURCE_PGCLUSTER_H

struct err;
struct pg_conn;
struct pgcluster;

/**
 * pgcluster_start(major, e): start a scratch server of major version ${major} (the smallest newer one
 * if that is not installed; 0: the newest). NULL on failure, with a hint naming restore_test_target.
 */
struct pgcluster *pgcluster_start(int major, struct err *e);

/** pgcluster_conn(c): a connection to its "postgres" database; owned by ${c}. */
const struct pg_conn *pgcluster_conn(const struct pgcluster *c);

/** pgcluster_version(c): the major version running. */
int pgcluster_version(const struct pgcluster *c);

/** pgcluster_stop(c): stop the server (immediate) and remove its directory. NULL does nothing. */
void pgcluster_stop(struct pgcluster *c);

/** pgcluster_major(server_version): the major version in "15.18 (Debian ...)" or "9.6.24", or 0. */
int pgcluster_major(const char *server_version);

#endif

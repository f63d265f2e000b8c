/*
 * PostgreSQL: the dump source (pg_dump as a child) and the restore target (pg_restore or psql as a
 * child), plus connection-string handling. A password in a URL never reaches argv: it is taken out
 * of the connection string and handed to the child as PGPASSWORD, in its environment only.
 */
#ifndef SAFEDUMP_SOURCE_PG_H
#define SAFEDUMP_SOURCE_PG_H

#include <stddef.h>

#include "source/pgcount.h"

struct err;
struct stage;
struct child;
struct secret;

struct pg_conn {
    char *conninfo;          /* keyword=value form without the password, safe for argv */
    struct secret *password; /* or NULL */
    char dbname[128];        /* the database named, or "" */
    char display[512];       /* for messages: the URL with any password replaced by "***" */
};

/** pg_conn_parse(url, c, e): parse a postgres:// URL or a keyword/value string. Release with pg_conn_release. */
int pg_conn_parse(const char *url, struct pg_conn *c, struct err *e);
void pg_conn_release(struct pg_conn *c);

struct source_pg_opts {
    const char *url;
    enum pg_dump_format format;
    const char *pg_dump;           /* program; NULL means "pg_dump" */
    const char *const *extra_args; /* passed through to pg_dump */
    size_t n_extra;
};

/**
 * source_pg_run(o, dst, e): run pg_dump and push its whole output into ${dst} (not finished).
 * Fails with ERR_SOURCE if pg_dump cannot run, exits non-zero or is killed, even if bytes flowed;
 * the message carries pg_dump's last stderr lines.
 */
int source_pg_run(const struct source_pg_opts *o, struct stage *dst, struct err *e);

struct target_pg_opts {
    const char *url;
    enum pg_dump_format format;
    int create; /* pg_restore --create */
    int clean;  /* pg_restore --clean --if-exists */
    int no_owner;
};

/**
 * target_pg_begin(o, created, e): make sure the target database exists (creating it if it does not;
 * *${created} says so) and start pg_restore (custom) or psql (plain) reading its stdin.
 */
struct child *target_pg_begin(const struct target_pg_opts *o, int *created, struct err *e);

/** target_pg_drop(url, e): drop the database ${url} names (after a failed restore into one we created). */
int target_pg_drop(const char *url, struct err *e);

#endif

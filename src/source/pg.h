/*
 * PostgreSQL: the dump source (pg_dump as a child) and the restore target (pg_restore or psql as a
 * child), plus connection-string handling. A password in a URL never reaches argv: it is taken out
 * of the connection string and handed to the child as PGPASSWORD, in its environment only.
 */
#ifndef SAFEDUMP_SOURCE_PG_H
#define SAFEDUMP_SOURCE_PG_H

#include <stddef.h>
#include <stdint.h>

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

/** pg_conn_copy_db(src, dbname, out, e): a copy of ${src} that names database ${dbname}. */
int pg_conn_copy_db(const struct pg_conn *src, const char *dbname, struct pg_conn *out, struct err *e);

/*
 * Database administration on the server of a connection (through its "postgres" database).
 * Errors are ERR_TARGET and quote the server's first message line.
 */
int pg_db_exists(const struct pg_conn *c, const char *dbname, struct err *e); /* 1, 0 or -1 */
int pg_db_create(const struct pg_conn *c, const char *dbname, struct err *e);
int pg_db_drop(const struct pg_conn *c, const char *dbname, struct err *e); /* missing is fine */
int pg_db_rename(const struct pg_conn *c, const char *from, const char *to, struct err *e);

/** pg_db_count(c, schema, table, rows, e): count(*) of a table in ${c}'s database (ERR_VERIFY if it fails). */
int pg_db_count(const struct pg_conn *c, const char *schema, const char *table, uint64_t *rows, struct err *e);

/**
 * pg_data_size(c, bytes, e): the on-disk size of the tables of ${c}'s database (heap and TOAST, no
 * indexes): roughly what pg_dump will write, for a progress estimate. Returns 0 or -1 (ERR_TARGET).
 */
int pg_data_size(const struct pg_conn *c, uint64_t *bytes, struct err *e);

/** pg_db_check_sql(c, query, e): ${query} must return exactly one value, true (ERR_VERIFY otherwise). */
int pg_db_check_sql(const struct pg_conn *c, const char *query, struct err *e);

struct target_pg_opts {
    const struct pg_conn *conn; /* the database to load into; it must exist */
    enum pg_dump_format format;
    int create;        /* pg_restore --create */
    int clean;         /* pg_restore --clean --if-exists */
    int no_owner;      /* pg_restore --no-owner */
    int no_privileges; /* pg_restore --no-privileges */
};

/** target_pg_begin(o, e): start pg_restore (custom) or psql (plain), reading the dump on its stdin. */
struct child *target_pg_begin(const struct target_pg_opts *o, struct err *e);

/**
 * pg_restore_check_begin(e): start `pg_restore --file=/dev/null` reading a custom-format dump on its
 * stdin: a full read of every entry, which a table-of-contents listing alone would not do.
 */
struct child *pg_restore_check_begin(struct err *e);

#endif

#include "source/pg.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stage/stage.h"
#include "util/child.h"
#include "util/err.h"
#include "util/secret.h"

/* Append keyword='value' (libpq quoting: backslash and single quote escaped) to a growing string. */
static int
append_kv(char **buf, size_t *len, const char *k, const char *v)
{
    size_t need = strlen(k) + 2 * strlen(v) + 5;
    char *p = realloc(*buf, *len + need + 1);

    if (p == NULL)
        return -1;
    *buf = p;
    p += *len;
    if (*len > 0)
        *p++ = ' ';
    p += sprintf(p, "%s='", k);
    for (; *v != '\0'; v++) {
        if (*v == '\\' || *v == '\'')
            *p++ = '\\';
        *p++ = *v;
    }
    *p++ = '\'';
    *p = '\0';
    *len = (size_t)(p - *buf);
    return 0;
}

/* The URL for messages: "postgres://user:***@host/db" when it carried a password. */
static void
make_display(const char *url, int has_password, char *out, size_t outsz)
{
    const char *s = strstr(url, "://"), *at, *colon;

    if (!has_password) {
        snprintf(out, outsz, "%s", url);
        return;
    }
    if (s == NULL) {
        snprintf(out, outsz, "(connection string with password)");
        return;
    }
    at = strchr(s + 3, '@');
    colon = at ? memchr(s + 3, ':', (size_t)(at - (s + 3))) : NULL;
    if (colon == NULL) {
        /* password given as ?password=...: cut the query */
        snprintf(out, outsz, "%.*s?***", (int)strcspn(url, "?"), url);
        return;
    }
    snprintf(out, outsz, "%.*s:***%s", (int)(colon - url), url, at);
}

int
pg_conn_parse(const char *url, struct pg_conn *c, struct err *e)
{
    PQconninfoOption *opts, *o;
    char *errmsg = NULL;
    size_t len = 0;

    memset(c, 0, sizeof(*c));
    if ((opts = PQconninfoParse(url, &errmsg)) == NULL) {
        size_t n = errmsg ? strcspn(errmsg, "\n") : 0;
        err_set(e, ERR_CONFIG, "invalid PostgreSQL connection string%s%.*s", n ? ": " : "", (int)n,
                errmsg ? errmsg : "");
        PQfreemem(errmsg);
        return -1;
    }
    for (o = opts; o->keyword != NULL; o++) {
        if (o->val == NULL || o->val[0] == '\0')
            continue;
        if (strcmp(o->keyword, "password") == 0) {
            size_t n = strlen(o->val);
            if ((c->password = secret_new(n + 1, e)) == NULL)
                goto fail;
            memcpy(c->password->data, o->val, n);
            c->password->len = n;
            secret_wipe(o->val, n);
            continue;
        }
        if (strcmp(o->keyword, "dbname") == 0)
            snprintf(c->dbname, sizeof(c->dbname), "%s", o->val);
        if (append_kv(&c->conninfo, &len, o->keyword, o->val) == -1) {
            err_set(e, ERR_NOMEM, "out of memory");
            goto fail;
        }
    }
    if (c->conninfo == NULL && (c->conninfo = strdup("")) == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto fail;
    }
    make_display(url, c->password != NULL, c->display, sizeof(c->display));
    PQconninfoFree(opts);
    return 0;
fail:
    PQconninfoFree(opts);
    pg_conn_release(c);
    return -1;
}

void
pg_conn_release(struct pg_conn *c)
{
    free(c->conninfo);
    secret_free(c->password);
    memset(c, 0, sizeof(*c));
}

/* "PGPASSWORD=..." for the child's environment, in a secret buffer; NULL if no password. */
static struct secret *
password_env(const struct pg_conn *c, struct err *e)
{
    struct secret *s;

    if (c->password == NULL)
        return NULL;
    if ((s = secret_new(c->password->len + 12, e)) == NULL)
        return NULL;
    memcpy(s->data, "PGPASSWORD=", 11);
    memcpy(s->data + 11, c->password->data, c->password->len);
    return s;
}

/* "--dbname=conninfo" */
static char *
dbname_arg(const struct pg_conn *c, struct err *e)
{
    size_t n = strlen(c->conninfo) + 10;
    char *s = malloc(n);

    if (s == NULL)
        err_set(e, ERR_NOMEM, "out of memory");
    else
        snprintf(s, n, "--dbname=%s", c->conninfo);
    return s;
}

int
source_pg_run(const struct source_pg_opts *o, struct stage *dst, struct err *e)
{
    struct pg_conn conn;
    struct child_spec spec = {0};
    struct child *ch = NULL;
    struct secret *pw = NULL;
    const char **argv = NULL, *env[2] = {NULL, NULL};
    char *dbarg = NULL;
    size_t i, k = 0;
    int rc = -1;

    if (pg_conn_parse(o->url, &conn, e) == -1)
        return -1;
    if ((dbarg = dbname_arg(&conn, e)) == NULL)
        goto out;
    if ((argv = calloc(o->n_extra + 6, sizeof(*argv))) == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    argv[k++] = o->pg_dump ? o->pg_dump : "pg_dump";
    argv[k++] = o->format == PG_FORMAT_CUSTOM ? "--format=custom" : "--format=plain";
    if (o->format == PG_FORMAT_CUSTOM)
        argv[k++] = "--compress=0"; /* zstd compresses once, later in the chain */
    argv[k++] = dbarg;
    for (i = 0; i < o->n_extra; i++)
        argv[k++] = o->extra_args[i];
    argv[k] = NULL;
    if (conn.password != NULL && (pw = password_env(&conn, e)) == NULL)
        goto out;
    env[0] = pw ? (const char *)pw->data : NULL;
    spec.argv = argv;
    spec.env_set = env;
    spec.stdout_pipe = 1;
    if ((ch = child_start(&spec, e)) == NULL)
        goto out;
    secret_free(pw); /* the child has its copy */
    pw = NULL;
    if (stage_copy_pipe(child_stdout(ch), dst, e) == -1) {
        /*
         * The chain refused the output. If pg_dump itself failed (it may have written an error's worth of
         * garbage, or been cut off), its own message is the cause; otherwise the chain's error is.
         */
        struct err ce;
        err_init(&ce);
        if (child_wait_for(ch, 2000, &ce) == -1 && ce.code == ERR_SOURCE && strstr(ce.msg, "signal 13") == NULL)
            *e = ce;
        goto out;
    }
    if (child_wait(ch, e) == -1) {
        if (strstr(e->msg, "password") != NULL || strstr(e->msg, "authentication") != NULL)
            err_hint(e, "give the password in ~/.pgpass, a service file or PGPASSWORD, not on the command line");
        goto out;
    }
    rc = 0;
out:
    child_free(ch);
    secret_free(pw);
    free(argv);
    free(dbarg);
    if (rc == -1)
        err_wrap(e, "source '%s'", conn.display);
    pg_conn_release(&conn);
    return rc;
}

/* Connect with ${c}'s parameters, but to database ${dbname}. */
static PGconn *
connect_to(const struct pg_conn *c, const char *dbname, struct err *e)
{
    PQconninfoOption *opts = PQconninfoParse(c->conninfo, NULL), *o;
    const char *keys[64], *vals[64];
    int n = 0;
    PGconn *db;

    if (opts == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    for (o = opts; o->keyword != NULL && n < 60; o++) {
        if (o->val == NULL || strcmp(o->keyword, "dbname") == 0)
            continue;
        keys[n] = o->keyword;
        vals[n++] = o->val;
    }
    keys[n] = "dbname";
    vals[n++] = dbname;
    if (c->password != NULL) {
        keys[n] = "password";
        vals[n++] = (const char *)c->password->data;
    }
    keys[n] = NULL;
    vals[n] = NULL;
    db = PQconnectdbParams(keys, vals, 0);
    PQconninfoFree(opts);
    if (db == NULL || PQstatus(db) != CONNECTION_OK) {
        const char *m = db ? PQerrorMessage(db) : "out of memory";
        err_set(e, ERR_TARGET, "unable to connect to database '%s': %.*s", dbname, (int)strcspn(m, "\n"), m);
        PQfinish(db);
        return NULL;
    }
    return db;
}

/* Run one command on ${db}; ${what} names it in errors. */
static int
exec_cmd(PGconn *db, const char *sql, const char *what, struct err *e)
{
    PGresult *r = PQexec(db, sql);
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;

    if (!ok) {
        const char *m = PQerrorMessage(db);
        err_set(e, ERR_TARGET, "%s: %.*s", what, (int)strcspn(m, "\n"), m);
    }
    PQclear(r);
    return ok ? 0 : -1;
}

int
pg_conn_copy_db(const struct pg_conn *src, const char *dbname, struct pg_conn *out, struct err *e)
{
    size_t len;

    memset(out, 0, sizeof(*out));
    len = strlen(src->conninfo);
    if ((out->conninfo = malloc(len + 1)) == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        return -1;
    }
    memcpy(out->conninfo, src->conninfo, len + 1);
    /* a repeated keyword overrides the earlier one in libpq's connection strings */
    if (append_kv(&out->conninfo, &len, "dbname", dbname) == -1) {
        pg_conn_release(out);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    if (src->password != NULL) {
        if ((out->password = secret_new(src->password->len + 1, e)) == NULL) {
            pg_conn_release(out);
            return -1;
        }
        memcpy(out->password->data, src->password->data, src->password->len);
        out->password->len = src->password->len;
    }
    snprintf(out->dbname, sizeof(out->dbname), "%s", dbname);
    snprintf(out->display, sizeof(out->display), "database '%s'", dbname);
    return 0;
}

/* A connection to the maintenance database of ${c}'s server. */
static PGconn *
maintenance(const struct pg_conn *c, struct err *e)
{
    return connect_to(c, "postgres", e);
}

int
pg_db_exists(const struct pg_conn *c, const char *dbname, struct err *e)
{
    const char *params[1] = {dbname};
    PGconn *db;
    PGresult *r;
    int rc;

    if ((db = maintenance(c, e)) == NULL)
        return -1;
    r = PQexecParams(db, "SELECT 1 FROM pg_database WHERE datname = $1", 1, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        const char *m = PQerrorMessage(db);
        rc = err_set(e, ERR_TARGET, "unable to look up database '%s': %.*s", dbname, (int)strcspn(m, "\n"), m);
    } else {
        rc = PQntuples(r) > 0;
    }
    PQclear(r);
    PQfinish(db);
    return rc;
}

/* Run "VERB <ident> TAIL" on the maintenance database. */
static int
db_command(const struct pg_conn *c, const char *verb, const char *name, const char *tail, const char *what,
           struct err *e)
{
    PGconn *db;
    char *ident = NULL, sql[512];
    int rc = -1;

    if ((db = maintenance(c, e)) == NULL)
        return -1;
    if ((ident = PQescapeIdentifier(db, name, strlen(name))) == NULL) {
        err_set(e, ERR_TARGET, "invalid database name '%s'", name);
        goto out;
    }
    snprintf(sql, sizeof(sql), "%s %s%s", verb, ident, tail);
    rc = exec_cmd(db, sql, what, e);
out:
    PQfreemem(ident);
    PQfinish(db);
    return rc;
}

int
pg_db_create(const struct pg_conn *c, const char *dbname, struct err *e)
{
    return db_command(c, "CREATE DATABASE", dbname, "", "unable to create database", e);
}

int
pg_db_drop(const struct pg_conn *c, const char *dbname, struct err *e)
{
    return db_command(c, "DROP DATABASE IF EXISTS", dbname, " WITH (FORCE)", "unable to drop database", e);
}

int
pg_db_rename(const struct pg_conn *c, const char *from, const char *to, struct err *e)
{
    PGconn *db;
    char *a = NULL, *b = NULL, sql[512];
    int rc = -1;

    if ((db = maintenance(c, e)) == NULL)
        return -1;
    if ((a = PQescapeIdentifier(db, from, strlen(from))) == NULL ||
        (b = PQescapeIdentifier(db, to, strlen(to))) == NULL) {
        err_set(e, ERR_TARGET, "invalid database name '%s'", a == NULL ? from : to);
        goto out;
    }
    snprintf(sql, sizeof(sql), "ALTER DATABASE %s RENAME TO %s", a, b);
    rc = exec_cmd(db, sql, "unable to rename the restored database", e);
out:
    PQfreemem(a);
    PQfreemem(b);
    PQfinish(db);
    return rc;
}

int
pg_db_count(const struct pg_conn *c, const char *schema, const char *table, uint64_t *rows, struct err *e)
{
    PGconn *db;
    PGresult *r = NULL;
    char *s = NULL, *t = NULL, *sql = NULL;
    int rc = -1;

    if ((db = connect_to(c, c->dbname, e)) == NULL)
        return -1;
    if ((s = PQescapeIdentifier(db, schema, strlen(schema))) == NULL ||
        (t = PQescapeIdentifier(db, table, strlen(table))) == NULL ||
        (sql = malloc(strlen(s) + strlen(t) + 32)) == NULL) {
        err_set(e, ERR_TARGET, "invalid table name %s.%s", schema, table);
        goto out;
    }
    sprintf(sql, "SELECT count(*) FROM %s.%s", s, t);
    r = PQexec(db, sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
        const char *m = PQerrorMessage(db);
        err_set(e, ERR_VERIFY, "table %s.%s: %.*s", schema, table, (int)strcspn(m, "\n"), m);
        goto out;
    }
    *rows = strtoull(PQgetvalue(r, 0, 0), NULL, 10);
    rc = 0;
out:
    PQclear(r);
    free(sql);
    PQfreemem(s);
    PQfreemem(t);
    PQfinish(db);
    return rc;
}

int
pg_data_size(const struct pg_conn *c, uint64_t *bytes, struct err *e)
{
    PGconn *db;
    PGresult *r;
    int rc = -1;

    if ((db = connect_to(c, c->dbname, e)) == NULL)
        return -1;
    r = PQexec(db, "SELECT coalesce(sum(pg_table_size(oid)), 0) FROM pg_class WHERE relkind IN ('r', 'm')");
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
        *bytes = strtoull(PQgetvalue(r, 0, 0), NULL, 10);
        rc = 0;
    } else {
        const char *m = PQerrorMessage(db);
        err_set(e, ERR_TARGET, "database size: %.*s", (int)strcspn(m, "\n"), m);
    }
    PQclear(r);
    PQfinish(db);
    return rc;
}

int
pg_db_check_sql(const struct pg_conn *c, const char *query, struct err *e)
{
    PGconn *db;
    PGresult *r;
    int rc = -1;

    if ((db = connect_to(c, c->dbname, e)) == NULL)
        return -1;
    r = PQexec(db, query);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        const char *m = PQerrorMessage(db);
        err_set(e, ERR_VERIFY, "restore_test_sql failed: %.*s", (int)strcspn(m, "\n"), m);
    } else if (PQntuples(r) != 1 || PQnfields(r) != 1) {
        err_set(e, ERR_VERIFY, "restore_test_sql returned %d rows of %d columns, expected one boolean", PQntuples(r),
                PQnfields(r));
    } else if (strcmp(PQgetvalue(r, 0, 0), "t") != 0) {
        err_set(e, ERR_VERIFY, "restore_test_sql returned %s", PQgetisnull(r, 0, 0) ? "null" : "false");
    } else {
        rc = 0;
    }
    PQclear(r);
    PQfinish(db);
    return rc;
}

struct child *
target_pg_begin(const struct target_pg_opts *o, struct err *e)
{
    struct child_spec spec = {0};
    struct child *ch = NULL;
    struct secret *pw = NULL;
    const char *argv[12], *env[2] = {NULL, NULL};
    char *dbarg = NULL;
    size_t k = 0;

    if ((dbarg = dbname_arg(o->conn, e)) == NULL)
        return NULL;
    if (o->format == PG_FORMAT_CUSTOM) {
        argv[k++] = "pg_restore";
        argv[k++] = "--exit-on-error";
        if (o->create)
            argv[k++] = "--create";
        if (o->clean) {
            argv[k++] = "--clean";
            argv[k++] = "--if-exists";
        }
        if (o->no_owner)
            argv[k++] = "--no-owner";
        if (o->no_privileges)
            argv[k++] = "--no-privileges";
    } else {
        argv[k++] = "psql";
        argv[k++] = "--no-psqlrc";
        argv[k++] = "--quiet";
        argv[k++] = "--set=ON_ERROR_STOP=1";
        argv[k++] = "--file=-";
    }
    argv[k++] = dbarg;
    argv[k] = NULL;
    if (o->conn->password != NULL && (pw = password_env(o->conn, e)) == NULL)
        goto out;
    env[0] = pw ? (const char *)pw->data : NULL;
    spec.argv = argv;
    spec.env_set = env;
    spec.stdin_pipe = 1;
    spec.stdout_fd = -1;
    ch = child_start(&spec, e);
out:
    secret_free(pw);
    free(dbarg);
    return ch;
}

struct child *
pg_restore_check_begin(struct err *e)
{
    static const char *const argv[] = {"pg_restore", "--file=/dev/null", NULL};
    struct child_spec spec = {0};

    spec.argv = argv;
    spec.stdin_pipe = 1;
    spec.stdout_fd = -1;
    return child_start(&spec, e);
}

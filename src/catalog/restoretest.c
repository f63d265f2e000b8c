#include "catalog/restoretest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "catalog/manifest.h"
#include "catalog/read.h"
#include "source/pg.h"
#include "source/pgcluster.h"
#include "stage/stage.h"
#include "util/child.h"
#include "util/err.h"

static double
now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Load the backup into ${db}; a loader that fails is the cause, even if the stream broke first. */
static int
load(struct storage *st, const struct manifest *m, const struct read_keys *k, const struct pg_conn *db, struct err *e)
{
    struct target_pg_opts o;
    struct child *ch;
    struct stage *sink;
    int rc = -1;

    memset(&o, 0, sizeof(o));
    o.conn = db;
    o.format = strcmp(m->dump_format, "plain") == 0 ? PG_FORMAT_PLAIN : PG_FORMAT_CUSTOM;
    o.no_owner = 1; /* the scratch server has none of the source's roles */
    o.no_privileges = 1;
    if ((ch = target_pg_begin(&o, e)) == NULL)
        return -1;
    if ((sink = stage_fd_new(child_stdin(ch), e)) == NULL)
        goto out;
    if (read_data(st, m, k, sink, e) == -1) {
        struct err ce;
        err_init(&ce);
        if (e->code == ERR_IO && child_wait_for(ch, 5000, &ce) == -1) {
            err_set(e, ERR_VERIFY, "restore failed: %s", ce.msg);
        }
        goto out;
    }
    if (child_wait(ch, e) == -1) {
        err_wrap(e, "restore failed");
        e->code = ERR_VERIFY;
        goto out;
    }
    rc = 0;
out:
    child_free(ch);
    return rc;
}

/* Compare each recorded table's count with the restored one. */
static int
compare(const struct pg_conn *db, const struct contents *c, struct restore_test_result *res, struct err *e)
{
    size_t i;

    for (i = 0; i < c->n_tables; i++) {
        const struct contents_table *t = &c->tables[i];
        uint64_t rows = 0;
        struct err ce;
        err_init(&ce);
        if (pg_db_count(db, t->schema, t->name, &rows, &ce) == -1)
            return err_set(e, ERR_VERIFY, "table %s.%s: missing after restore (%s)", t->schema, t->name, ce.msg);
        if (rows != t->rows)
            return err_set(e, ERR_VERIFY, "table %s.%s: %llu rows restored, %llu recorded", t->schema, t->name,
                           (unsigned long long)rows, (unsigned long long)t->rows);
        res->rows += rows;
    }
    res->tables = c->n_tables;
    return 0;
}

int
restore_test_run(struct storage *st, const struct manifest *m, const struct read_keys *k,
                 const struct restore_test_opts *o, struct restore_test_result *res, struct err *e)
{
    struct contents c;
    struct pgcluster *cluster = NULL;
    struct pg_conn target, scratch;
    const struct pg_conn *server;
    char name[64];
    int created = 0, rc = -1;
    double t0;

    memset(res, 0, sizeof(*res));
    memset(&target, 0, sizeof(target));
    memset(&scratch, 0, sizeof(scratch));
    if (read_contents(st, m, k, &c, e) == -1)
        return -1;
    if (o->target != NULL) {
        if (pg_conn_parse(o->target, &target, e) == -1) {
            err_wrap(e, "restore_test_target");
            goto out;
        }
        server = &target;
    } else {
        if ((cluster = pgcluster_start(pgcluster_major(m->server_version), e)) == NULL)
            goto out;
        server = pgcluster_conn(cluster);
        res->server_major = pgcluster_version(cluster);
    }
    snprintf(name, sizeof(name), "safedump_verify_%ld_%d", (long)time(NULL), (int)getpid());
    if (pg_conn_copy_db(server, name, &scratch, e) == -1 || pg_db_create(server, name, e) == -1)
        goto out;
    created = 1;
    t0 = now();
    if (load(st, m, k, &scratch, e) == -1)
        goto out;
    res->restore_seconds = now() - t0;
    if (compare(&scratch, &c, res, e) == -1)
        goto out;
    if (o->sql != NULL && pg_db_check_sql(&scratch, o->sql, e) == -1)
        goto out;
    rc = 0;
out:
    if (created && cluster == NULL) {
        struct err e2;
        err_init(&e2);
        if (pg_db_drop(server, name, &e2) == -1)
            fprintf(stderr, "safedump: warning: %s\n", e2.msg);
    }
    pgcluster_stop(cluster);
    pg_conn_release(&scratch);
    pg_conn_release(&target);
    contents_release(&c);
    return rc;
}

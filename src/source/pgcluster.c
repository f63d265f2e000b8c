#define _GNU_SOURCE /* nftw's FTW_ACTIONRETVAL-free use still wants XSI declarations */
#include "source/pgcluster.h"

#include <errno.h>
#include <ftw.h>
#include <glob.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "source/pg.h"
#include "util/child.h"
#include "util/err.h"

struct pgcluster {
    char dir[64];
    char bindir[PATH_MAX];
    int major;
    int as_user;
    uid_t uid;
    gid_t gid;
    int running;
    struct pg_conn conn;
};

int
pgcluster_major(const char *v)
{
    int major = atoi(v);

    /* before 10 the major version had two parts: 9.6 */
    if (major == 9)
        major = 90 + atoi(strchr(v, '.') ? strchr(v, '.') + 1 : "0");
    return major > 0 ? major : 0;
}

/* The bin directory of the installed server closest to ${major} (equal, else the smallest newer). */
static int
find_bindir(int major, char *out, int *found, struct err *e)
{
    glob_t g;
    size_t i;
    int best = 0;

    if (glob("/usr/lib/postgresql/*/bin/initdb", 0, NULL, &g) != 0) {
        err_set(e, ERR_TARGET, "no PostgreSQL server binaries found (/usr/lib/postgresql/*/bin/initdb)");
        return err_hint(e, "install the server package (e.g. postgresql-15) or set restore_test_target");
    }
    for (i = 0; i < g.gl_pathc; i++) {
        int v = atoi(g.gl_pathv[i] + strlen("/usr/lib/postgresql/"));
        int better = major == 0 ? v > best : v >= major && (best == 0 || v < best);
        if (better) {
            best = v;
            snprintf(out, PATH_MAX, "%.*s", (int)(strlen(g.gl_pathv[i]) - strlen("/initdb")), g.gl_pathv[i]);
        }
    }
    globfree(&g);
    if (best == 0) {
        err_set(e, ERR_TARGET, "no PostgreSQL server of version %d or newer is installed", major);
        return err_hint(e, "install postgresql-%d, or set restore_test_target to a server", major);
    }
    *found = best;
    return 0;
}

static int
run(const struct pgcluster *c, const char *const *argv, struct err *e)
{
    /* the server's settings come from us, not from the caller's libpq environment */
    static const char *const unset[] = {"PGPORT", "PGHOST", "PGHOSTADDR", "PGDATA", "PGUSER", "PGDATABASE", NULL};
    struct child_spec spec = {0};
    struct child *ch;
    int rc;

    spec.argv = argv;
    spec.env_unset = unset;
    spec.stdout_fd = -1;
    spec.as_user = c->as_user;
    spec.uid = (unsigned)c->uid;
    spec.gid = (unsigned)c->gid;
    if ((ch = child_start(&spec, e)) == NULL)
        return -1;
    rc = child_wait(ch, e);
    child_free(ch);
    return rc;
}

/* Every directory on ${path} can be searched by other users (the scratch server's user). */
static int
reachable(const char *path)
{
    char p[PATH_MAX];
    struct stat sb;
    char *slash;

    snprintf(p, sizeof(p), "%s", path);
    for (;;) {
        if (stat(p[0] ? p : "/", &sb) == -1 || !S_ISDIR(sb.st_mode) || (sb.st_mode & S_IXOTH) == 0)
            return 0;
        if ((slash = strrchr(p, '/')) == NULL || p[0] == '\0')
            return 1;
        *slash = '\0';
    }
}

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

struct pgcluster *
pgcluster_start(int major, struct err *e)
{
    struct pgcluster *c = calloc(1, sizeof(*c));
    char initdb[PATH_MAX + 16], pg_ctl[PATH_MAX + 16], data[128], log[128], opts[256], conninfo[256];

    if (c == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    if (find_bindir(major, c->bindir, &c->major, e) == -1)
        goto fail;
    /*
     * $TMPDIR if its path is short enough for a Unix socket inside it (107 bytes) and, when the server
     * will run as another user, that user can reach it; else /tmp.
     */
    {
        const char *tmp = getenv("TMPDIR");
        if (tmp == NULL || tmp[0] != '/' || strlen(tmp) > 40 || (geteuid() == 0 && !reachable(tmp)))
            tmp = "/tmp";
        snprintf(c->dir, sizeof(c->dir), "%s/safedump-rt-XXXXXX", tmp);
    }
    if (mkdtemp(c->dir) == NULL) {
        err_sys(e, ERR_TARGET, "unable to create a scratch directory");
        c->dir[0] = '\0';
        goto fail;
    }
    if (geteuid() == 0) {
        const struct passwd *pw = getpwnam("postgres");
        if (pw == NULL) {
            err_set(e, ERR_TARGET, "a scratch server cannot run as root and there is no 'postgres' user");
            err_hint(e, "set restore_test_target to a server, or create a 'postgres' system user");
            goto fail;
        }
        c->as_user = 1;
        c->uid = pw->pw_uid;
        c->gid = pw->pw_gid;
        if (chown(c->dir, c->uid, c->gid) == -1) {
            err_sys(e, ERR_TARGET, "unable to hand '%s' to the postgres user", c->dir);
            goto fail;
        }
    }
    snprintf(initdb, sizeof(initdb), "%s/initdb", c->bindir);
    snprintf(pg_ctl, sizeof(pg_ctl), "%s/pg_ctl", c->bindir);
    snprintf(data, sizeof(data), "%s/data", c->dir);
    snprintf(log, sizeof(log), "%s/server.log", c->dir);
    {
        const char *argv[] = {initdb,  "-D",        data, "-U",   "postgres",         "-A",
                              "trust", "--no-sync", "-E", "UTF8", "--locale=C.UTF-8", NULL};
        if (run(c, argv, e) == -1) {
            err_wrap(e, "scratch server");
            if (c->as_user && strstr(e->msg, "Permission denied") != NULL)
                err_hint(e, "the postgres user must be able to reach '%s'; set TMPDIR to a directory it can", c->dir);
            goto fail;
        }
    }
    /* Unix socket only, in the private directory; durability is not needed for a test */
    snprintf(opts, sizeof(opts),
             "-p 5432 -c listen_addresses='' -k %s -c fsync=off -c full_page_writes=off -c synchronous_commit=off",
             c->dir);
    {
        const char *argv[] = {pg_ctl, "-D", data, "-l", log, "-w", "-t", "60", "-o", opts, "start", NULL};
        if (run(c, argv, e) == -1) {
            err_wrap(e, "scratch server (log: %s)", log);
            goto fail;
        }
    }
    c->running = 1;
    snprintf(conninfo, sizeof(conninfo), "host=%s port=5432 user=postgres dbname=postgres", c->dir);
    if (pg_conn_parse(conninfo, &c->conn, e) == -1)
        goto fail;
    return c;
fail:
    pgcluster_stop(c);
    return NULL;
}

const struct pg_conn *
pgcluster_conn(const struct pgcluster *c)
{
    return &c->conn;
}

int
pgcluster_version(const struct pgcluster *c)
{
    return c->major;
}

void
pgcluster_stop(struct pgcluster *c)
{
    if (c == NULL)
        return;
    if (c->running) {
        char pg_ctl[PATH_MAX + 16], data[128];
        const char *argv[] = {pg_ctl, "-D", data, "-m", "immediate", "-w", "stop", NULL};
        struct err e2;
        snprintf(pg_ctl, sizeof(pg_ctl), "%s/pg_ctl", c->bindir);
        snprintf(data, sizeof(data), "%s/data", c->dir);
        if (run(c, argv, &e2) == -1)
            fprintf(stderr, "safedump: warning: scratch server: %s\n", e2.msg);
    }
    if (c->dir[0] != '\0')
        nftw(c->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    pg_conn_release(&c->conn);
    free(c);
}

/*
 * safedump restore JOB[@ID|@latest] --to TARGET: fetch, check, decrypt, decompress and load.
 * TARGET is a PostgreSQL URL (pg_restore or psql loads it; the database is created if missing and
 * dropped again if the restore into it fails), a file (written under a temporary name and renamed
 * only after every check passed; never overwritten), or "-" for stdout.
 */
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "catalog/catalog.h"
#include "catalog/read.h"
#include "cmd/cmd.h"
#include "cmd/config.h"
#include "format/age.h"
#include "source/pg.h"
#include "stage/stage.h"
#include "storage/storage.h"
#include "util/child.h"
#include "util/err.h"

static const char usage_text[] =
    "usage: safedump restore JOB[@ID|@latest] --to TARGET [options]\n\n"
    "Restore a backup. TARGET is postgres://USER@HOST:PORT/DB, a file name (never overwritten), or - for\n"
    "stdout (e.g. | pg_restore -d DB, or | psql for plain dumps). A database is restored under a temporary\n"
    "name and renamed to DB only after the whole restore succeeded; a failed or interrupted restore leaves\n"
    "DB as it was.\n\n"
    "  --config FILE        configuration file\n"
    "  --repository DIR     the repository (default: from the configuration)\n"
    "  --identity FILE      identity file: age identities, an OpenSSH private key (ssh-ed25519 or\n"
    "                       ssh-rsa), or a passphrase-protected age identity file (or SAFEDUMP_IDENTITY);\n"
    "                       not needed for OpenPGP backups\n"
    "  --passphrase-file FILE  the identity file's passphrase (or SAFEDUMP_PASSPHRASE_FILE; default:\n"
    "                       asked on the terminal)\n"
    "  --pgp-homedir DIR    GnuPG home for OpenPGP backups (default: GNUPGHOME or ~/.gnupg)\n"
    "  --to TARGET          where to restore to (required)\n"
    "  --replace            the target database exists: drop it after the restore succeeded, then rename\n"
    "  --create             pg_restore --create: create the database named in the dump (TARGET names\n"
    "                       the database to connect to first)\n"
    "  --clean              pg_restore --clean --if-exists into the existing DB (no temporary database)\n"
    "  --no-owner           pg_restore --no-owner: do not restore object ownership\n";

static int
is_pg_target(const char *to)
{
    return strncmp(to, "postgres://", 11) == 0 || strncmp(to, "postgresql://", 13) == 0 || strchr(to, '=') != NULL;
}

static int
restore_file(struct storage *st, const struct manifest *m, const struct read_keys *k, const char *to, struct err *e)
{
    char dir[PATH_MAX], base[PATH_MAX];
    struct storage *fs;
    struct stage *sink;
    int rc;

    if (access(to, F_OK) == 0) {
        err_set(e, ERR_EXISTS, "'%s' already exists", to);
        return err_hint(e, "restore never overwrites a file; choose a new name or remove it first");
    }
    snprintf(dir, sizeof(dir), "%s", to);
    snprintf(base, sizeof(base), "%s", to);
    if ((fs = storage_open(dirname(dir), 0, e)) == NULL)
        return err_wrap(e, "target");
    if (storage_put(fs, basename(base), &sink, e) == -1) {
        storage_free(fs);
        return -1;
    }
    rc = read_data(st, m, k, sink, e);
    storage_free(fs);
    return rc;
}

/* Load the backup into the existing database of ${conn}. */
static int
load(struct storage *st, const struct manifest *m, const struct read_keys *k, const struct target_pg_opts *o,
     struct err *e)
{
    struct child *ch;
    struct stage *sink;
    int rc = -1;

    if ((ch = target_pg_begin(o, e)) == NULL)
        return -1;
    if ((sink = stage_fd_new(child_stdin(ch), e)) == NULL)
        goto out;
    if (read_data(st, m, k, sink, e) == -1)
        goto out; /* child_free stops the loader: what it has may be incomplete */
    if (child_wait(ch, e) == -1) {
        e->code = ERR_TARGET;
        goto out;
    }
    rc = 0;
out:
    child_free(ch);
    return rc;
}

/* Drop a database we made, after a failure; a failure to drop is a warning. */
static void
drop_quietly(const struct pg_conn *c, const char *dbname)
{
    struct err e2;

    err_init(&e2);
    if (pg_db_drop(c, dbname, &e2) == -1)
        fprintf(stderr, "safedump: warning: %s\n", e2.msg);
}

/*
 * Restore without harm: load into a new database with a temporary name and rename it to the target
 * only after the whole restore succeeded. An existing target is replaced only with --replace, and is
 * dropped only then. A failed or interrupted restore drops the temporary database and leaves the
 * target as it was. With --create or --clean, pg_restore works on the target directly (its own modes).
 */
static int
restore_pg(struct storage *st, const struct manifest *m, const struct read_keys *k, struct target_pg_opts *o,
           const char *url, int replace, struct err *e)
{
    struct pg_conn target, tmp;
    char tmpname[64];
    int exists, rc = -1;

    memset(&tmp, 0, sizeof(tmp));
    if (pg_conn_parse(url, &target, e) == -1)
        return -1;
    if (target.dbname[0] == '\0') {
        err_set(e, ERR_USAGE, "target '%s' names no database", target.display);
        goto out;
    }
    if ((exists = pg_db_exists(&target, target.dbname, e)) == -1)
        goto out;
    if (o->create || o->clean) {
        int created = 0;
        if (!exists && !o->create) {
            if (pg_db_create(&target, target.dbname, e) == -1)
                goto out;
            created = 1;
        }
        o->conn = &target;
        if ((rc = load(st, m, k, o, e)) == -1 && created)
            drop_quietly(&target, target.dbname);
        goto out;
    }
    if (exists && !replace) {
        err_set(e, ERR_EXISTS, "database '%s' already exists", target.dbname);
        err_hint(e, "restore under a new name, or add --replace to swap it in after the restore succeeded");
        goto out;
    }
    snprintf(tmpname, sizeof(tmpname), "safedump_restore_%ld_%d", (long)time(NULL), (int)getpid());
    if (pg_conn_copy_db(&target, tmpname, &tmp, e) == -1 || pg_db_create(&target, tmpname, e) == -1)
        goto out;
    o->conn = &tmp;
    if (load(st, m, k, o, e) == -1 || (exists && pg_db_drop(&target, target.dbname, e) == -1) ||
        pg_db_rename(&target, tmpname, target.dbname, e) == -1) {
        drop_quietly(&target, tmpname);
        if (exists && pg_db_exists(&target, target.dbname, e) == 1)
            err_hint(e, "database '%s' was left as it was", target.dbname);
        goto out;
    }
    rc = 0;
out:
    pg_conn_release(&tmp);
    pg_conn_release(&target);
    return rc;
}

int
cmd_restore(int argc, char **argv, struct err *e)
{
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'},
        {"repository", required_argument, NULL, 'r'},
        {"identity", required_argument, NULL, 'i'},
        {"to", required_argument, NULL, 't'},
        {"create", no_argument, NULL, 'C'},
        {"clean", no_argument, NULL, 'L'},
        {"no-owner", no_argument, NULL, 'O'},
        {"replace", no_argument, NULL, 'P'},
        {"pgp-homedir", required_argument, NULL, 'g'},
        {"passphrase-file", required_argument, NULL, 'F'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct age_identity *ids[CMD_MAX_KEYS];
    struct config cfg;
    struct catalog cat;
    struct contents contents;
    struct storage *st = NULL;
    struct storage_opts so;
    struct target_pg_opts po;
    struct read_keys keys;
    const struct catalog_entry *sel;
    const char *config_path = NULL, *repo_flag = NULL, *id_path = NULL, *pass_file = NULL, *to = NULL, *repo, *spec;
    char *at;
    int c, nids = 0, replace = 0, rc = -1;

    memset(&cat, 0, sizeof(cat));
    memset(&cfg, 0, sizeof(cfg));
    memset(&contents, 0, sizeof(contents));
    memset(&po, 0, sizeof(po));
    memset(&keys, 0, sizeof(keys));
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'c':
            config_path = optarg;
            break;
        case 'r':
            repo_flag = optarg;
            break;
        case 'i':
            id_path = optarg;
            break;
        case 'F':
            pass_file = optarg;
            break;
        case 't':
            to = optarg;
            break;
        case 'g':
            keys.pgp_homedir = optarg;
            break;
        case 'C':
            po.create = 1;
            break;
        case 'L':
            po.clean = 1;
            break;
        case 'O':
            po.no_owner = 1;
            break;
        case 'P':
            replace = 1;
            break;
        case 'h':
            fputs(usage_text, stdout);
            return 0;
        default:
            return cmd_usage(e, "restore", "restore: unknown option or missing value '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return cmd_usage(e, "restore", "restore: which backup? give JOB, JOB@latest or JOB@ID");
    spec = argv[optind++];
    if (optind < argc)
        return cmd_usage(e, "restore", "restore: unexpected argument '%s'", argv[optind]);
    if (to == NULL)
        return cmd_usage(e, "restore", "restore: no target; give --to postgres://..., a file name or -");
    if (cmd_config_load(&cfg, config_path, e) == -1)
        return -1;
    if ((repo = cmd_repository(&cfg, repo_flag, e)) == NULL)
        goto out;
    if ((at = strchr(spec, '@')) != NULL ? (size_t)(at - spec) >= sizeof(cat.entries->m.job) : 0) {
        err_set(e, ERR_USAGE, "invalid backup '%s'", spec);
        goto out;
    }
    config_storage_opts(&cfg.defaults, &so);
    if ((st = storage_open_opts(repo, 0, &so, e)) == NULL || catalog_load(st, NULL, &cat, e) == -1)
        goto out;
    if (catalog_select(&cat, spec, &sel, 1, e) == -1) {
        e->code = ERR_USAGE;
        goto out;
    }
    /* age needs identities; OpenPGP uses the GnuPG keyring (and its agent) */
    if (strcmp(sel->m.encryption, "pgp") != 0 &&
        (nids = cmd_identities(id_path, pass_file, ids, CMD_MAX_KEYS, e)) == -1) {
        nids = 0;
        goto out;
    }
    keys.ids = ids;
    keys.n = (size_t)nids;
    /* Open the contents object first: a wrong key fails here, before any target is touched. */
    if (read_contents(st, &sel->m, &keys, &contents, e) == -1) {
        if (e->code == ERR_KEY && sel->m.n_recipients > 0)
            err_hint(e, "this backup is encrypted to %s%s", sel->m.recipients[0],
                     sel->m.n_recipients > 1 ? " and others ('safedump list --recipients')" : "");
        goto out;
    }
    if (strcmp(to, "-") == 0) {
        struct stage *sink = stage_fd_new(STDOUT_FILENO, e);
        rc = sink == NULL ? -1 : read_data(st, &sel->m, &keys, sink, e);
    } else if (is_pg_target(to)) {
        po.format = strcmp(sel->m.dump_format, "plain") == 0 ? PG_FORMAT_PLAIN : PG_FORMAT_CUSTOM;
        rc = restore_pg(st, &sel->m, &keys, &po, to, replace, e);
    } else {
        rc = restore_file(st, &sel->m, &keys, to, e);
    }
    if (rc == -1) {
        /* a bad object makes the restore fail (1); exit status 4 belongs to verify */
        if (e->code == ERR_VERIFY)
            e->code = ERR_FORMAT;
        err_wrap(e, "restore '%s@%s'", sel->m.job, sel->m.id);
        goto out;
    }
    if (is_pg_target(to)) {
        struct pg_conn pc;
        if (pg_conn_parse(to, &pc, e) == 0) {
            fprintf(stderr, "restored '%s@%s' into database '%s'\n", sel->m.job, sel->m.id, pc.dbname);
            pg_conn_release(&pc);
        }
    } else if (strcmp(to, "-") != 0) {
        fprintf(stderr, "restored '%s@%s' to '%s'\n", sel->m.job, sel->m.id, to);
    }
out:
    contents_release(&contents);
    catalog_release(&cat);
    storage_free(st);
    config_release(&cfg);
    while (nids > 0)
        age_identity_free(ids[--nids]);
    return rc;
}

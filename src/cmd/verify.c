/*
 * safedump verify [JOB[@ID|@latest|@all]]: level 1 (no key): stored size and SHA-256 against the
 * manifest and a well-formed age header; level 2 (--identity): decrypt and decompress to nowhere,
 * recount rows, and compare plaintext size, hash and per-table row counts with contents.age.
 * One line per backup; exit 4 when any backup is bad.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catalog/catalog.h"
#include "catalog/read.h"
#include "cmd/cmd.h"
#include "cmd/config.h"
#include "format/age.h"
#include "storage/storage.h"
#include "util/err.h"

static const char usage_text[] =
    "usage: safedump verify [JOB[@ID|@latest|@all]...] [options]\n\n"
    "Check backups (default: the latest backup of every job). Without an identity: the stored object's\n"
    "size and SHA-256 against its manifest, and its age header. With --identity: also decrypt and\n"
    "decompress, and compare the plaintext hash and every table's row count with those recorded.\n\n"
    "  --config FILE        configuration file\n"
    "  --repository DIR     the repository (default: from the configuration)\n"
    "  --identity FILE      age identity file (or SAFEDUMP_IDENTITY)\n";

/* Check one backup. Returns 0 good, 1 bad (printed), -1 an error that is not the backup's fault. */
static int
check_one(struct storage *st, const struct manifest *m, struct age_identity *const *ids, size_t n, struct err *e)
{
    struct err r;
    double t0 = cmd_now();
    uint64_t rows = 0;
    int bad;

    err_init(&r);
    if (n == 0)
        bad = read_integrity(st, m, &r) == -1;
    else
        bad = read_content_check(st, m, ids, n, &rows, &r) == -1;
    if (bad && (r.code == ERR_KEY || r.code == ERR_STORAGE || r.code == ERR_NOMEM || r.code == ERR_IO ||
                r.code == ERR_USAGE)) {
        *e = r;
        return err_wrap(e, "verify '%s@%s'", m->job, m->id);
    }
    if (bad) {
        printf("%s@%s BAD: %s\n", m->job, m->id, r.msg);
        fflush(stdout);
        return 1;
    }
    if (n == 0)
        printf("%s@%s ok: integrity (size, sha256, age header) in %.1f s\n", m->job, m->id, cmd_now() - t0);
    else
        printf("%s@%s ok: content (plaintext sha256, %llu rows) in %.1f s\n", m->job, m->id, (unsigned long long)rows,
               cmd_now() - t0);
    fflush(stdout);
    return 0;
}

int
cmd_verify(int argc, char **argv, struct err *e)
{
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'},
        {"repository", required_argument, NULL, 'r'},
        {"identity", required_argument, NULL, 'i'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct age_identity *ids[CMD_MAX_KEYS];
    struct config cfg;
    struct catalog cat;
    struct storage *st = NULL;
    const struct catalog_entry **sel = NULL;
    const char *config_path = NULL, *repo_flag = NULL, *id_path = NULL, *repo;
    size_t nsel = 0, bad = 0, i;
    int c, nids = 0, rc = -1;

    memset(&cat, 0, sizeof(cat));
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
        case 'h':
            fputs(usage_text, stdout);
            return 0;
        default:
            return cmd_usage(e, "verify", "verify: unknown option or missing value '%s'", argv[optind - 1]);
        }
    }
    if (cmd_config_load(&cfg, config_path, e) == -1)
        return -1;
    if ((repo = cmd_repository(&cfg, repo_flag, e)) == NULL)
        goto out;
    if ((id_path != NULL || getenv("SAFEDUMP_IDENTITY") != NULL) &&
        (nids = cmd_identities(id_path, ids, CMD_MAX_KEYS, e)) == -1) {
        nids = 0;
        goto out;
    }
    if ((st = storage_open(repo, 0, e)) == NULL || catalog_load(st, NULL, &cat, e) == -1)
        goto out;
    if ((sel = calloc(cat.n + 1, sizeof(*sel))) == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    if (optind < argc) {
        for (; optind < argc; optind++) {
            int k = catalog_select(&cat, argv[optind], sel + nsel, cat.n - nsel, e);
            if (k == -1) {
                e->code = ERR_USAGE;
                goto out;
            }
            nsel += (size_t)k;
        }
    } else {
        /* the latest of every job: entries are newest first, so the first of each job */
        for (i = 0; i < cat.n; i++) {
            size_t k;
            for (k = 0; k < nsel && strcmp(sel[k]->m.job, cat.entries[i].m.job) != 0; k++)
                ;
            if (k == nsel)
                sel[nsel++] = &cat.entries[i];
        }
        if (nsel == 0) {
            err_set(e, ERR_NOTFOUND, "no backups in '%s'", repo);
            goto out;
        }
    }
    for (i = 0; i < nsel; i++) {
        int r = check_one(st, &sel[i]->m, ids, (size_t)nids, e);
        if (r == -1)
            goto out;
        bad += (size_t)r;
    }
    if (bad > 0 || cat.n_bad > 0) {
        err_set(e, ERR_VERIFY, "verify: %zu of %zu backups are bad", bad + cat.n_bad, nsel + cat.n_bad);
        goto out;
    }
    rc = 0;
out:
    free(sel);
    catalog_release(&cat);
    storage_free(st);
    config_release(&cfg);
    while (nids > 0)
        age_identity_free(ids[--nids]);
    return rc;
}

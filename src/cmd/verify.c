/*
 * safedump verify [JOB[@ID|@latest|@all]]: level 1 (no key): stored size and SHA-256 against the
 * manifest and, for age, a well-formed header; level 2 (--identity, or --content for OpenPGP backups,
 * which use the GnuPG keyring): decrypt and decompress to nowhere, recount rows, compare plaintext size,
 * hash and per-table row counts with the contents object, and let pg_restore read the whole dump;
 * level 3 (--restore): a restore test (catalog/restoretest.c).
 * One line per backup (or --json); exit 4 when any backup is bad. Results are recorded per job in
 * state_dir (or $SAFEDUMP_STATE_DIR) for monitoring.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "catalog/catalog.h"
#include "catalog/read.h"
#include "catalog/restoretest.h"
#include "cmd/cmd.h"
#include "cmd/config.h"
#include "format/age.h"
#include "storage/storage.h"
#include "util/err.h"

static const char usage_text[] =
    "usage: safedump verify [JOB[@ID|@latest|@all]...] [options]\n\n"
    "Check backups (default: the latest backup of every job), at one of three levels:\n"
    "  1 (no identity)      the stored object's size and SHA-256 against its manifest, and its age header\n"
    "                       (OpenPGP objects: size and SHA-256 only)\n"
    "  2 (--identity, or    also decrypt and decompress; compare the plaintext size and hash and every\n"
    "     --content)\n"
    "                       table's row count with those recorded; pg_restore reads the whole dump\n"
    "  3 (--restore)        restore into a scratch database (restore_test_target, or a scratch server\n"
    "                       started for the test), compare each table's count(*) with the recorded count,\n"
    "                       run restore_test_sql, and measure the restore time\n\n"
    "  --config FILE        configuration file\n"
    "  --repository DIR     the repository (default: from the configuration)\n"
    "  --identity FILE      identity file: age identities, an OpenSSH private key (ssh-ed25519 or\n"
    "                       ssh-rsa), or a passphrase-protected age identity file (or SAFEDUMP_IDENTITY);\n"
    "                       implies --content\n"
    "  --passphrase-file FILE  the identity file's passphrase (or SAFEDUMP_PASSPHRASE_FILE; default:\n"
    "                       asked on the terminal)\n"
    "  --content            level 2: age backups need --identity, OpenPGP backups use the GnuPG keyring\n"
    "  --pgp-homedir DIR    GnuPG home for OpenPGP backups (default: GNUPGHOME or ~/.gnupg)\n"
    "  --restore            level 3 (age backups need the identity)\n"
    "  --json               one JSON array of results on stdout instead of lines\n";

struct result {
    const struct manifest *m;
    int level;
    int ok;
    char reason[1024];
    double seconds;
    uint64_t rows;
    double restore_seconds;
};

/* Check one backup. Returns 0 (checked: good or bad, in ${r}) or -1 for an error that is not the backup's. */
static int
check_one(struct storage *st, const struct manifest *m, const struct read_keys *k, int content,
          const struct restore_test_opts *rt, struct result *r, struct err *e)
{
    struct err why;
    struct restore_test_result res;
    double t0 = cmd_now();
    int bad;

    err_init(&why);
    r->m = m;
    r->level = rt != NULL ? 3 : content ? 2 : 1;
    /* OpenPGP backups decrypt with the keyring; age ones need an identity */
    if (r->level > 1 && strcmp(m->encryption, "pgp") != 0 && k->n == 0) {
        err_set(e, ERR_USAGE, "verify %s'%s@%s' needs the identity", r->level == 3 ? "--restore of " : "--content of ",
                m->job, m->id);
        return err_hint(e, "give --identity FILE or set SAFEDUMP_IDENTITY");
    }
    if (r->level == 1)
        bad = read_integrity(st, m, &why) == -1;
    else if (r->level == 2)
        bad = read_content_check(st, m, k, &r->rows, &why) == -1;
    else {
        bad = restore_test_run(st, m, k, rt, &res, &why) == -1;
        r->rows = res.rows;
        r->restore_seconds = res.restore_seconds;
    }
    r->seconds = cmd_now() - t0;
    if (bad && why.code != ERR_VERIFY && why.code != ERR_FORMAT && why.code != ERR_NOTFOUND) {
        *e = why;
        return err_wrap(e, "verify '%s@%s'", m->job, m->id);
    }
    r->ok = !bad;
    snprintf(r->reason, sizeof(r->reason), "%s", bad ? why.msg : "");
    return 0;
}

static const char *const level_names[] = {"", "integrity", "content", "restore"};

static void
print_line(const struct result *r)
{
    if (!r->ok)
        printf("%s@%s BAD (level %d, %s): %s\n", r->m->job, r->m->id, r->level, level_names[r->level], r->reason);
    else if (r->level == 1)
        printf("%s@%s ok: integrity (size, sha256%s) in %.1f s\n", r->m->job, r->m->id,
               strcmp(r->m->encryption, "age") == 0 ? ", age header" : "", r->seconds);
    else if (r->level == 2)
        printf("%s@%s ok: content (plaintext sha256, %llu rows) in %.1f s\n", r->m->job, r->m->id,
               (unsigned long long)r->rows, r->seconds);
    else
        printf("%s@%s ok: restore test (%llu rows match, restored in %.1f s) in %.1f s\n", r->m->job, r->m->id,
               (unsigned long long)r->rows, r->restore_seconds, r->seconds);
    fflush(stdout);
}

static int
print_json(const struct result *r, size_t n, struct err *e)
{
    cJSON *a = cJSON_CreateArray();
    char *text;
    size_t i;
    int ok = a != NULL;

    for (i = 0; ok && i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        ok = o != NULL && cJSON_AddItemToArray(a, o);
        ok = ok && cJSON_AddStringToObject(o, "job", r[i].m->job) && cJSON_AddStringToObject(o, "id", r[i].m->id);
        ok = ok && cJSON_AddNumberToObject(o, "level", r[i].level);
        ok = ok && cJSON_AddStringToObject(o, "check", level_names[r[i].level]);
        ok = ok && cJSON_AddStringToObject(o, "result", r[i].ok ? "ok" : "bad");
        ok = ok && (r[i].ok || cJSON_AddStringToObject(o, "reason", r[i].reason));
        ok = ok && cJSON_AddNumberToObject(o, "seconds", r[i].seconds);
        ok = ok && (r[i].level == 1 || cJSON_AddNumberToObject(o, "rows", (double)r[i].rows));
        ok = ok && (r[i].level != 3 || cJSON_AddNumberToObject(o, "restore_seconds", r[i].restore_seconds));
    }
    if (!ok || (text = cJSON_Print(a)) == NULL) {
        cJSON_Delete(a);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    printf("%s\n", text);
    free(text);
    cJSON_Delete(a);
    return 0;
}

/*
 * Record the latest result per job in STATE_DIR/verify-JOB.json (atomically: temporary file, rename),
 * where monitoring reads it. A failure to record is a warning.
 */
static void
record(const char *dir, const struct result *r)
{
    char path[4096], tmp[4200], when[32];
    FILE *f;

    if (dir == NULL)
        return;
    catalog_iso(time(NULL), when);
    snprintf(path, sizeof(path), "%s/verify-%s.json", dir, r->m->job);
    snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid());
    if (mkdir(dir, 0700) == -1 && errno != EEXIST)
        goto fail;
    if ((f = fopen(tmp, "w")) == NULL)
        goto fail;
    fprintf(f,
            "{\"job\": \"%s\", \"id\": \"%s\", \"time\": \"%s\", \"level\": %d, \"result\": \"%s\", "
            "\"seconds\": %.3f, \"restore_seconds\": %.3f}\n",
            r->m->job, r->m->id, when, r->level, r->ok ? "ok" : "bad", r->seconds, r->restore_seconds);
    if (fclose(f) != 0 || rename(tmp, path) == -1) {
        unlink(tmp);
        goto fail;
    }
    return;
fail:
    fprintf(stderr, "safedump: warning: unable to record the verify result in '%s': %s\n", dir, strerror(errno));
}

int
cmd_verify(int argc, char **argv, struct err *e)
{
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'},
        {"repository", required_argument, NULL, 'r'},
        {"identity", required_argument, NULL, 'i'},
        {"content", no_argument, NULL, 'C'},
        {"pgp-homedir", required_argument, NULL, 'g'},
        {"restore", no_argument, NULL, 'R'},
        {"json", no_argument, NULL, 'J'},
        {"passphrase-file", required_argument, NULL, 'F'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct age_identity *ids[CMD_MAX_KEYS];
    struct config cfg;
    struct catalog cat;
    struct storage *st = NULL;
    struct storage_opts so;
    const struct catalog_entry **sel = NULL;
    struct read_keys keys;
    const char *config_path = NULL, *repo_flag = NULL, *id_path = NULL, *pass_file = NULL, *repo;
    size_t nsel = 0, bad = 0, i;
    struct result *results = NULL;
    int c, nids = 0, restore = 0, content = 0, json = 0, rc = -1;

    memset(&cat, 0, sizeof(cat));
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
        case 'C':
            content = 1;
            break;
        case 'g':
            keys.pgp_homedir = optarg;
            break;
        case 'R':
            restore = 1;
            break;
        case 'J':
            json = 1;
            break;
        case 'F':
            pass_file = optarg;
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
        (nids = cmd_identities(id_path, pass_file, ids, CMD_MAX_KEYS, e)) == -1) {
        nids = 0;
        goto out;
    }
    keys.ids = ids;
    keys.n = (size_t)nids;
    content |= nids > 0;
    config_storage_opts(&cfg.defaults, &so);
    if ((st = storage_open_opts(repo, 0, &so, e)) == NULL || catalog_load(st, NULL, &cat, e) == -1)
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
    if ((results = calloc(nsel + 1, sizeof(*results))) == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    for (i = 0; i < nsel; i++) {
        const struct job_conf *j = config_job(&cfg, sel[i]->m.job);
        struct restore_test_opts rt;
        if (j == NULL)
            j = &cfg.defaults;
        rt.target = j->restore_test_target;
        rt.sql = j->restore_test_sql;
        if (check_one(st, &sel[i]->m, &keys, content, restore ? &rt : NULL, &results[i], e) == -1)
            goto out;
        if (!json)
            print_line(&results[i]);
        record(j->state_dir ? j->state_dir : getenv("SAFEDUMP_STATE_DIR"), &results[i]);
        (void)cmd_alert_verify(j, results[i].m->job, level_names[results[i].level], results[i].ok,
                               results[i].level == 3 ? results[i].restore_seconds : results[i].seconds);
        bad += results[i].ok ? 0 : 1;
    }
    if (json && print_json(results, nsel, e) == -1)
        goto out;
    if (bad > 0 || cat.n_bad > 0) {
        err_set(e, ERR_VERIFY, "verify: %zu of %zu backups are bad", bad + cat.n_bad, nsel + cat.n_bad);
        goto out;
    }
    rc = 0;
out:
    free(results);
    free(sel);
    catalog_release(&cat);
    storage_free(st);
    config_release(&cfg);
    while (nids > 0)
        age_identity_free(ids[--nids]);
    return rc;
}

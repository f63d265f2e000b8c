/*
 * safedump backup [JOB...]: for each job, pg_dump → count rows → zstd → age (or OpenPGP through gpg)
 * → SHA-256 → storage, then contents.age (.gpg), then manifest.json last (the commit marker). A job that fails leaves
 * no manifest; what it already stored under final names is removed again.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alert/alert.h"
#include "catalog/catalog.h"
#include "cmd/cmd.h"
#include "cmd/config.h"
#include "format/age.h"
#include "format/pgp.h"
#include "source/pg.h"
#include "stage/hash.h"
#include "stage/progress.h"
#include "stage/stage.h"
#include "stage/zstd.h"
#include "storage/storage.h"
#include "util/err.h"
#include "util/log.h"
#include "util/secret.h"

static const char usage_text[] =
    "usage: safedump backup [JOB...] [options]\n\n"
    "Back up the jobs named (all jobs of the configuration when none is named), or one job given by\n"
    "flags. Flags override the configuration file for every job run.\n\n"
    "  --config FILE            configuration file (default " CONFIG_DEFAULT_PATH ")\n"
    "  --job NAME               job name for a one-off run (default: the database name)\n"
    "  --source URL             postgres://USER@HOST:PORT/DB (passwords: ~/.pgpass, PGPASSFILE, service file)\n"
    "  --repository DIR         where backups are stored (a directory, file://DIR or s3://BUCKET/PREFIX)\n"
    "  --recipient KEY          encrypt to this public key: age1..., or an SSH public key line\n"
    "                           \"ssh-ed25519 AAAA...\" or \"ssh-rsa AAAA...\" (repeatable)\n"
    "  --recipients-file FILE   one recipient per line, '#' comments\n"
    "  --pgp-recipient FPR|FILE encrypt with OpenPGP (gpg) to a key fingerprint from the keyring or a public\n"
    "                           key file (repeatable; not together with age recipients)\n"
    "  --pgp-homedir DIR        GnuPG home for fingerprints (default: GNUPGHOME or ~/.gnupg)\n"
    "  --compression zstd:N     zstd level 1..19 (default zstd:3)\n"
    "  --threads N              zstd worker threads (default 0: one per CPU)\n"
    "  --pg-format FORMAT       custom (default; pg_restore) or plain (SQL)\n"
    "  --pg-dump PATH           the pg_dump program (default: pg_dump on PATH)\n"
    "  --pg-dump-arg ARG        pass ARG to pg_dump (repeatable), e.g. --pg-dump-arg=--exclude-table=log\n"
    "  --prune                  after each successful backup, apply the job's retention policy\n"
    "                           (also: prune_after_backup = yes; needs credentials that may delete)\n"
    "\nAlerts (a notification that fails is a warning, never a failed backup):\n"
    "  --metrics-dir DIR        write safedump_JOB.prom for node_exporter's textfile collector\n"
    "  --pushgateway URL        push the metrics to a Prometheus Pushgateway\n"
    "  --notify-mail ADDRESS    mail failures and warnings through sendmail -t\n"
    "  --sendmail PROGRAM       the sendmail-compatible program (default: sendmail)\n"
    "  --webhook-url URL        POST failures and warnings as JSON (with a 'text' field)\n"
    "  --notify-on WHEN         failure (default: failures and warnings) or always\n"
    "  --ping-url URL           URL/start, then URL on success or URL/fail\n"
    "  --on-success PROGRAM     run PROGRAM after a clean success (SAFEDUMP_* variables)\n"
    "  --on-failure PROGRAM     run PROGRAM after a failure or a warning\n"
    "  --notify-timeout SECONDS time limit per notification attempt (default 10s; 3 attempts)\n"
    "  --min-size-ratio R       warn when a backup is smaller than R times the previous one (default 0.5)\n";

struct flag {
    const char *key; /* config key, or NULL for --job */
    const char *value;
};

/* The results of one run, for the summary line. */
struct run {
    char id[32];
    uint64_t raw, compressed, stored, rows;
    uint64_t previous_raw; /* the job's backup before this one; 0 if none */
    size_t tables;
    double seconds;
};

/* The plaintext size of the job's newest backup other than ${id}, for the size anomaly check; 0 if none. */
static uint64_t
previous_raw(struct storage *st, const char *job, const char *id)
{
    struct catalog cat;
    struct err e2;
    uint64_t raw = 0;
    size_t i;

    memset(&cat, 0, sizeof(cat));
    err_init(&e2);
    if (catalog_load(st, job, &cat, &e2) == 0)
        for (i = 0; i < cat.n && raw == 0; i++)
            if (strcmp(cat.entries[i].m.id, id) != 0)
                raw = cat.entries[i].m.raw_bytes;
    catalog_release(&cat);
    return raw;
}

/* The progress line of a run on a terminal. */
struct progress {
    const char *job;
    double t0;
    const struct stage *stored; /* count stage in front of storage */
    uint64_t estimate;          /* table data size, 0 if unknown */
};

static void
show_progress(void *arg, uint64_t bytes, int final)
{
    const struct progress *p = arg;
    double t = cmd_now() - p->t0, rate = t > 0 ? (double)bytes / t : 0;
    char in[32], r[32], st[32], line[256], eta[32] = "";

    if (final) {
        log_status_line(NULL);
        return;
    }
    if (p->estimate > bytes && rate > 0) {
        long left = (long)((double)(p->estimate - bytes) / rate);
        snprintf(eta, sizeof(eta), ", ETA ~%ld:%02ld", left / 60, left % 60);
    }
    snprintf(line, sizeof(line), "%s: %s read at %s/s, %s stored, %ld:%02ld elapsed%s", p->job, cmd_size(bytes, in),
             cmd_size((uint64_t)rate, r), cmd_size(stage_count_bytes(p->stored), st), (long)t / 60, (long)t % 60, eta);
    log_status_line(line);
}

/* An id not yet used by the job: the start time, or a later second if a backup already has it. */
static int
pick_id(struct storage *st, const char *job, time_t *start, char id[32], struct err *e)
{
    int tries;

    for (tries = 0; tries < 5; tries++) {
        char key[300];
        size_t len;
        unsigned char *m;
        struct err e2;

        catalog_id(*start, id);
        catalog_key(key, sizeof(key), job, id, CATALOG_MANIFEST);
        err_init(&e2);
        m = storage_get_buf(st, key, MANIFEST_MAX, &len, &e2);
        free(m);
        if (m == NULL && e2.code == ERR_NOTFOUND)
            return 0;
        /*
         * Write-only credentials (s3:PutObject only) may not read: go ahead. The manifest is put with
         * If-None-Match, so a taken id still fails at commit instead of replacing a backup.
         */
        if (m == NULL && e2.code == ERR_STORAGE && strstr(e2.msg, "HTTP 403") != NULL)
            return 0;
        if (m == NULL && e2.code != ERR_OK) {
            *e = e2;
            return -1;
        }
        sleep(1);
        *start = time(NULL);
    }
    return err_set(e, ERR_EXISTS, "job '%s': backup '%s' already exists", job, id);
}

/* A job's encryption: age recipients, or OpenPGP ones (one encryption per backup). */
struct enc {
    struct age_recipient *age[CMD_MAX_KEYS];
    int n_age;
    struct pgp_recipients *pgp;
};

static int
enc_open(struct enc *x, const struct job_conf *j, struct err *e)
{
    x->n_age = 0;
    x->pgp = NULL;
    if (j->n_pgp_recipients > 0 && (j->n_recipients > 0 || j->recipients_file != NULL)) {
        err_set(e, ERR_USAGE, "job '%s' has both age and OpenPGP recipients", j->name);
        return err_hint(e, "one encryption per backup: keep either recipient/recipients_file (age) or pgp_recipient "
                           "(OpenPGP)");
    }
    if (j->n_pgp_recipients > 0)
        return (x->pgp = cmd_pgp_recipients(j, e)) == NULL ? -1 : 0;
    if ((x->n_age = cmd_recipients(j, x->age, CMD_MAX_KEYS, e)) == -1) {
        x->n_age = 0;
        return -1;
    }
    return 0;
}

static void
enc_close(struct enc *x)
{
    while (x->n_age > 0)
        age_recipient_free(x->age[--x->n_age]);
    pgp_recipients_free(x->pgp);
    x->pgp = NULL;
}

static struct stage *
enc_stage_new(const struct enc *x, struct stage *next, struct err *e)
{
    if (x->pgp != NULL)
        return pgp_encrypt_new(x->pgp, next, e);
    return age_encrypt_new(x->age, (size_t)x->n_age, next, e);
}

/* Encrypt ${text} to the recipients and store it under ${key}. */
static int
put_encrypted(struct storage *st, const char *key, const char *text, const struct enc *x, struct err *e)
{
    struct stage *sink, *head;

    if (storage_put(st, key, &sink, e) == -1)
        return -1;
    if ((head = enc_stage_new(x, sink, e)) == NULL)
        return -1;
    if (stage_write(head, text, strlen(text), e) == -1 || stage_finish(head, e) == -1) {
        stage_free(head);
        return -1;
    }
    stage_free(head);
    return 0;
}

/* Remove what a failed run stored under final names; the manifest is never among them. */
static void
undo(struct storage *st, const char *data_key, const char *contents_key)
{
    struct err e2;

    err_init(&e2);
    if (data_key != NULL && storage_remove(st, data_key, &e2) == -1)
        log_rec(LOG_WARNING, NULL, NULL, "%s", e2.msg);
    if (contents_key != NULL && storage_remove(st, contents_key, &e2) == -1)
        log_rec(LOG_WARNING, NULL, NULL, "%s", e2.msg);
}

static int
run_job(const struct job_conf *j, struct run *res, struct err *e)
{
    struct enc enc;
    struct storage *st = NULL;
    struct storage_opts sto;
    struct stage *head = NULL, *s = NULL;
    struct stage *stored_hash, *stored_count, *comp_count, *plain_hash, *raw_count, *pgc;
    struct progress prog;
    struct manifest m;
    struct contents contents;
    struct source_pg_opts so;
    struct zstd_opts zo;
    const struct pg_table_count *tables;
    char data_key[300], contents_key[300], manifest_key[300];
    char *json = NULL;
    time_t start;
    double t0 = cmd_now();
    int data_stored = 0, contents_stored = 0, rc = -1;
    size_t i, nt;

    memset(&m, 0, sizeof(m));
    memset(&contents, 0, sizeof(contents));
    if (j->source == NULL) {
        err_set(e, ERR_USAGE, "no source");
        return err_hint(e, "give --source postgres://USER@HOST/DB or set 'source' in the job's section");
    }
    if (j->repository == NULL) {
        err_set(e, ERR_USAGE, "no repository");
        return err_hint(e, "give --repository DIR or set 'repository' in the configuration");
    }
    if (enc_open(&enc, j, e) == -1)
        return -1;
    config_storage_opts(j, &sto);
    if ((st = storage_open_opts(j->repository, 1, &sto, e)) == NULL)
        goto out;
    start = time(NULL);
    if (pick_id(st, j->name, &start, res->id, e) == -1)
        goto out;
    snprintf(m.encryption, sizeof(m.encryption), "%s", enc.pgp != NULL ? "pgp" : "age");
    snprintf(m.data_name, sizeof(m.data_name), "data.%s.zst.%s", j->pg_format == PG_FORMAT_CUSTOM ? "dump" : "sql",
             enc.pgp != NULL ? "gpg" : "age");
    catalog_key(data_key, sizeof(data_key), j->name, res->id, m.data_name);
    catalog_key(contents_key, sizeof(contents_key), j->name, res->id, catalog_contents_name(m.encryption));
    catalog_key(manifest_key, sizeof(manifest_key), j->name, res->id, CATALOG_MANIFEST);

    /* The chain, back to front: storage ← sha256 ← count ← age|gpg ← count ← zstd ← sha256 ← count ← rows. */
    zo.level = j->zstd_level;
    zo.workers = j->threads > 0 ? j->threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
    zo.long_mode = 0;
    if (storage_put(st, data_key, &s, e) == -1 || (s = stored_hash = stage_hash_new(s, e)) == NULL ||
        (s = stored_count = stage_count_new(s, e)) == NULL || (s = enc_stage_new(&enc, s, e)) == NULL ||
        (s = comp_count = stage_count_new(s, e)) == NULL || (s = stage_zstd_compress_new(&zo, s, e)) == NULL ||
        (s = plain_hash = stage_hash_new(s, e)) == NULL || (s = raw_count = stage_count_new(s, e)) == NULL ||
        (s = pgc = pgcount_new(j->pg_format, s, e)) == NULL)
        goto out; /* each constructor freed the chain behind it */
    if (log_status_enabled()) {
        struct pg_conn pc;
        struct err e2;
        memset(&prog, 0, sizeof(prog));
        prog.job = j->name;
        prog.t0 = t0;
        prog.stored = stored_count;
        err_init(&e2);
        if (pg_conn_parse(j->source, &pc, &e2) == 0) {
            (void)pg_data_size(&pc, &prog.estimate, &e2); /* no estimate: no ETA */
            pg_conn_release(&pc);
        }
        if ((s = stage_progress_new(show_progress, &prog, 250, s, e)) == NULL)
            goto out;
    }
    head = s;

    so.url = j->source;
    so.format = j->pg_format;
    so.pg_dump = j->pg_dump;
    so.extra_args = (const char *const *)j->pg_dump_args;
    so.n_extra = j->n_pg_dump_args;
    if (source_pg_run(&so, head, e) == -1)
        goto out;
    if (stage_finish(head, e) == -1) {
        if (strstr(e->msg, data_key) == NULL) /* the S3 driver names the object already */
            err_wrap(e, "'%s/%s'", storage_url(st), data_key);
        goto out;
    }
    data_stored = 1;

    /* contents.age (.gpg): what must stay secret about the backup */
    snprintf(contents.plain_sha256, sizeof(contents.plain_sha256), "%s", stage_hash_hex(plain_hash));
    contents.raw_bytes = stage_count_bytes(raw_count);
    tables = pgcount_tables(pgc, &nt);
    for (i = 0; i < nt; i++)
        if (contents_add_table(&contents, tables[i].schema, tables[i].name, tables[i].rows, e) == -1)
            goto out;
    if ((json = contents_to_json(&contents, e)) == NULL)
        goto out;
    if (put_encrypted(st, contents_key, json, &enc, e) == -1) {
        if (strstr(e->msg, contents_key) == NULL) /* the S3 driver names the object already */
            err_wrap(e, "'%s/%s'", storage_url(st), contents_key);
        goto out;
    }
    contents_stored = 1;
    secret_wipe(json, strlen(json)); /* table names and counts are private */
    free(json);
    json = NULL;

    /* manifest.json, last: its presence commits the backup */
    snprintf(m.tool_version, sizeof(m.tool_version), "%s", SAFEDUMP_VERSION);
    snprintf(m.job, sizeof(m.job), "%s", j->name);
    snprintf(m.id, sizeof(m.id), "%s", res->id);
    snprintf(m.source_kind, sizeof(m.source_kind), "postgres");
    snprintf(m.server_version, sizeof(m.server_version), "%s", pgcount_server_version(pgc));
    snprintf(m.dump_format, sizeof(m.dump_format), "%s", j->pg_format == PG_FORMAT_CUSTOM ? "custom" : "plain");
    catalog_iso(start, m.started);
    catalog_iso(time(NULL), m.finished);
    m.raw_bytes = contents.raw_bytes;
    m.compressed_bytes = stage_count_bytes(comp_count);
    m.stored_bytes = stage_count_bytes(stored_count);
    snprintf(m.stored_sha256, sizeof(m.stored_sha256), "%s", stage_hash_hex(stored_hash));
    snprintf(m.compression, sizeof(m.compression), "zstd:%d", j->zstd_level);
    for (i = 0; i < (size_t)enc.n_age; i++)
        if (manifest_add_recipient(&m, age_recipient_string(enc.age[i]), e) == -1)
            goto out;
    for (i = 0; enc.pgp != NULL && i < pgp_recipients_count(enc.pgp); i++) {
        char r[80];
        snprintf(r, sizeof(r), "openpgp:%s", pgp_recipients_fingerprint(enc.pgp, i));
        if (manifest_add_recipient(&m, r, e) == -1)
            goto out;
    }
    if ((json = manifest_to_json(&m, e)) == NULL)
        goto out;
    if (storage_put_buf(st, manifest_key, json, strlen(json), e) == -1) {
        if (strstr(e->msg, manifest_key) == NULL) /* the S3 driver names the object already */
            err_wrap(e, "'%s/%s'", storage_url(st), manifest_key);
        goto out;
    }
    res->raw = m.raw_bytes;
    res->compressed = m.compressed_bytes;
    res->stored = m.stored_bytes;
    res->tables = nt;
    for (i = 0; i < nt; i++)
        res->rows += tables[i].rows;
    res->previous_raw = previous_raw(st, j->name, res->id);
    res->seconds = cmd_now() - t0;
    rc = 0;
out:
    if (rc == -1 && st != NULL && (data_stored || contents_stored))
        undo(st, data_stored ? data_key : NULL, contents_stored ? contents_key : NULL);
    if (json != NULL)
        secret_wipe(json, strlen(json));
    free(json);
    manifest_release(&m);
    contents_release(&contents);
    stage_free(head);
    storage_free(st);
    enc_close(&enc);
    return rc;
}

/* backup --prune or prune_after_backup: prune the job that was just backed up. */
static int
prune_after(const struct job_conf *j, struct err *e)
{
    struct storage_opts so;
    struct storage *st;

    config_storage_opts(j, &so);
    st = storage_open_opts(j->repository, 0, &so, e);
    int rc;

    if (st == NULL)
        return -1;
    rc = cmd_prune_one(st, j, j->name, 0, e);
    storage_free(st);
    return rc;
}

/* The job name of a one-off run: --job, else the database name of the source. */
static int
oneoff_name(struct job_conf *j, const char *flag, struct err *e)
{
    struct pg_conn c;

    if (flag != NULL) {
        snprintf(j->name, sizeof(j->name), "%s", flag);
    } else {
        if (pg_conn_parse(j->source, &c, e) == -1)
            return -1;
        snprintf(j->name, sizeof(j->name), "%s", c.dbname[0] ? c.dbname : "postgres");
        pg_conn_release(&c);
    }
    if (!manifest_job_valid(j->name)) {
        err_set(e, ERR_USAGE, "invalid job name '%s'", j->name);
        return err_hint(e, "give --job NAME with letters, digits, '.', '_' and '-'");
    }
    return 0;
}

int
cmd_backup(int argc, char **argv, struct err *e)
{
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'},
        {"job", required_argument, NULL, 'j'},
        {"source", required_argument, NULL, 1},
        {"repository", required_argument, NULL, 1},
        {"recipient", required_argument, NULL, 1},
        {"recipients-file", required_argument, NULL, 1},
        {"pgp-recipient", required_argument, NULL, 1},
        {"pgp-homedir", required_argument, NULL, 1},
        {"compression", required_argument, NULL, 1},
        {"threads", required_argument, NULL, 1},
        {"pg-format", required_argument, NULL, 1},
        {"pg-dump", required_argument, NULL, 1},
        {"pg-dump-arg", required_argument, NULL, 1},
        {"prune", no_argument, NULL, 'p'},
        {"metrics-dir", required_argument, NULL, 1},
        {"pushgateway", required_argument, NULL, 1},
        {"notify-mail", required_argument, NULL, 1},
        {"notify-on", required_argument, NULL, 1},
        {"notify-timeout", required_argument, NULL, 1},
        {"sendmail", required_argument, NULL, 1},
        {"webhook-url", required_argument, NULL, 1},
        {"ping-url", required_argument, NULL, 1},
        {"on-success", required_argument, NULL, 1},
        {"on-failure", required_argument, NULL, 1},
        {"min-size-ratio", required_argument, NULL, 1},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct flag flags[64];
    struct config cfg;
    struct job_conf *jobs = NULL;
    const char *config_path = NULL, *job_flag = NULL;
    size_t nflags = 0, njobs = 0, i, k, failed = 0;
    int c, idx, prune = 0, rc = -1;

    memset(&cfg, 0, sizeof(cfg));
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, &idx)) != -1) {
        switch (c) {
        case 'c':
            config_path = optarg;
            break;
        case 'j':
            job_flag = optarg;
            break;
        case 'p':
            prune = 1;
            break;
        case 1:
            if (strcmp(longopts[idx].name, "source") == 0 && config_url_has_password(optarg))
                log_rec(LOG_WARNING, NULL, "use ~/.pgpass or a service file",
                        "a password on the command line is visible to other users");
            if (nflags == sizeof(flags) / sizeof(flags[0]))
                return cmd_usage(e, "backup", "backup: too many options");
            flags[nflags].key = longopts[idx].name;
            flags[nflags++].value = optarg;
            break;
        case 'h':
            fputs(usage_text, stdout);
            return 0;
        default:
            return cmd_usage(e, "backup", "backup: unknown option or missing value '%s'", argv[optind - 1]);
        }
    }
    if (cmd_config_load(&cfg, config_path, e) == -1)
        return -1;

    /* Which jobs: named ones from the file, a one-off from flags, or every job in the file. */
    njobs = optind < argc ? (size_t)(argc - optind) : cfg.n_jobs > 0 ? cfg.n_jobs : 1;
    if ((jobs = calloc(njobs, sizeof(*jobs))) == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    for (i = 0; i < njobs; i++) {
        const struct job_conf *base;
        if (optind < argc) {
            if ((base = config_job(&cfg, argv[optind + (int)i])) == NULL) {
                err_set(e, ERR_USAGE, "unknown job '%s'", argv[optind + (int)i]);
                err_hint(e, cfg.loaded ? "the jobs are the sections of %s" : "no configuration file: '%s' is missing",
                         cfg.path);
                goto out;
            }
        } else {
            base = cfg.n_jobs > 0 ? &cfg.jobs[i] : &cfg.defaults;
        }
        if (config_job_copy(&jobs[i], base, e) == -1)
            goto out;
        /* flags override the file's values; --recipient, --pgp-recipient and --pg-dump-arg add to its lists */
        for (k = 0; k < nflags; k++) {
            char key[32];
            size_t n;
            snprintf(key, sizeof(key), "%s", flags[k].key);
            for (n = 0; key[n] != '\0'; n++)
                if (key[n] == '-')
                    key[n] = '_';
            if (config_set(&jobs[i], key, flags[k].value, e) == -1) {
                err_wrap(e, "--%s", flags[k].key);
                e->code = ERR_USAGE;
                goto out;
            }
        }
        if (jobs[i].name[0] == '\0') {
            if (jobs[i].source == NULL) {
                err_set(e, ERR_USAGE, "no job to run");
                err_hint(e, "name a job of %s, or give --source postgres://USER@HOST/DB", cfg.path);
                goto out;
            }
            if (oneoff_name(&jobs[i], job_flag, e) == -1)
                goto out;
        }
    }
    for (i = 0; i < njobs; i++) {
        struct run res;
        struct err je;
        struct alert_result ar;
        char raw[32], stored[32], warning[sizeof(je.msg) + 256] = "", error[sizeof(je.msg)] = "";
        int ok;

        memset(&res, 0, sizeof(res));
        memset(&ar, 0, sizeof(ar));
        err_init(&je);
        cmd_alert_start(&jobs[i]);
        ar.started = time(NULL);
        ok = run_job(&jobs[i], &res, &je) == 0;
        if (ok && res.previous_raw > 0) {
            ar.size_ratio = (double)res.raw / (double)res.previous_raw;
            if (ar.size_ratio < jobs[i].alert.min_size_ratio)
                snprintf(warning, sizeof(warning),
                         "size anomaly: %s raw is %.0f%% of the previous backup's %s (min_size_ratio %.2f)",
                         cmd_size(res.raw, raw), 100.0 * ar.size_ratio, cmd_size(res.previous_raw, stored),
                         jobs[i].alert.min_size_ratio);
        }
        snprintf(error, sizeof(error), "%s", je.msg);
        ar.job = jobs[i].name;
        ar.backup_id = ok ? res.id : "";
        ar.status = !ok ? ALERT_FAILURE : warning[0] != '\0' ? ALERT_WARNING : ALERT_SUCCESS;
        ar.error = error;
        ar.hint = je.hint;
        ar.warning = warning;
        ar.seconds = ok ? res.seconds : (double)(time(NULL) - ar.started);
        ar.raw_bytes = res.raw;
        ar.compressed_bytes = res.compressed;
        ar.stored_bytes = res.stored;
        ar.rows = res.rows;
        ar.tables = res.tables;
        if (ok) {
            log_rec(LOG_INFO, jobs[i].name, NULL, "backup '%s' %s: %s raw, %s stored (%.1f%%), %zu tables, %.1f s",
                    jobs[i].name, res.id, cmd_size(res.raw, raw), cmd_size(res.stored, stored),
                    res.raw ? 100.0 * (double)res.stored / (double)res.raw : 0.0, res.tables, res.seconds);
            if (warning[0] != '\0')
                log_rec(LOG_WARNING, jobs[i].name,
                        "check that the job's database still holds its data; 'safedump list' shows the sizes",
                        "backup '%s': %s", jobs[i].name, warning);
            if ((prune || jobs[i].prune_after_backup) && prune_after(&jobs[i], &je) == -1) {
                /* the backup is committed; the prune that was asked for failed: a warning for the alerts */
                size_t wl = strlen(warning);
                failed++;
                snprintf(warning + wl, sizeof(warning) - wl, "%sprune failed: %s", wl ? "; " : "", je.msg);
                ar.status = ALERT_WARNING;
                cmd_alert_finish(&jobs[i], &ar);
                err_wrap(&je, "backup '%s' %s is stored, but", jobs[i].name, res.id);
                if (njobs == 1) {
                    *e = je;
                    goto out;
                }
                log_rec(LOG_ERROR, jobs[i].name, je.hint, "%s", je.msg);
                continue;
            }
            cmd_alert_finish(&jobs[i], &ar);
            continue;
        }
        cmd_alert_finish(&jobs[i], &ar);
        failed++;
        err_wrap(&je, "backup '%s'", jobs[i].name);
        if (njobs == 1) {
            *e = je;
            goto out;
        }
        log_rec(LOG_ERROR, jobs[i].name, je.hint, "%s", je.msg);
    }
    if (failed == 0)
        rc = 0;
    else if (failed == njobs)
        err_set(e, ERR_SOURCE, "backup: all %zu jobs failed", njobs);
    else
        err_set(e, ERR_PARTIAL, "backup: %zu of %zu jobs failed", failed, njobs);
out:
    for (i = 0; jobs != NULL && i < njobs; i++)
        config_job_release(&jobs[i]);
    free(jobs);
    config_release(&cfg);
    return rc;
}

/*
 * safedump check [--freshness] [JOB...]: checks to run before the first backup and from cron.
 * --freshness reads the repository and fails, one line per job, when a job's newest complete backup
 * is older than its max_age: monitoring without Prometheus. Without options: the configuration loads
 * and each job's recipients parse and its repository opens.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catalog/catalog.h"
#include "cmd/cmd.h"
#include "cmd/config.h"
#include "format/age.h"
#include "storage/storage.h"
#include "util/err.h"

static const char usage_text[] =
    "usage: safedump check [--freshness] [JOB...] [options]\n\n"
    "Without --freshness: load the configuration, parse each job's recipients and open its repository.\n"
    "With --freshness: fail when a job's newest complete backup is older than its max_age (one line per\n"
    "job); with --repository and no configured jobs, every job found in the repository is checked.\n\n"
    "  --config FILE        configuration file\n"
    "  --freshness          check the age of each job's newest complete backup\n"
    "  --max-age DURATION   override max_age (26h, 90m, 2d; default 26h)\n"
    "  --repository DIR     the repository (default: each job's, from the configuration)\n";

/* One job's freshness line; returns 1 when it is fresh, 0 when not, -1 on an error reading the repository. */
static int
fresh_one(const char *job, const char *repo, const struct job_conf *j, long max_age, time_t now, struct err *e)
{
    struct storage_opts so;
    struct storage *st;
    struct catalog cat;
    char age[32], limit[32];
    time_t t;
    int rc;

    memset(&cat, 0, sizeof(cat));
    cmd_age(max_age, limit);
    config_storage_opts(j, &so);
    if ((st = storage_open_opts(repo, 0, &so, e)) == NULL || catalog_load(st, job, &cat, e) == -1) {
        storage_free(st);
        return err_wrap(e, "job '%s'", job);
    }
    if (cat.n == 0) {
        printf("job '%s': STALE: no complete backup in '%s' (max_age %s)\n", job, repo, limit);
        rc = 0;
    } else if (catalog_parse_iso(cat.entries[0].m.finished, &t) == -1) {
        printf("job '%s': STALE: newest backup %s has no valid end time (max_age %s)\n", job, cat.entries[0].m.id,
               limit);
        rc = 0;
    } else {
        rc = now - t <= max_age;
        printf("job '%s': %s: newest backup %s finished %s ago (max_age %s)\n", job, rc ? "ok" : "STALE",
               cat.entries[0].m.id, cmd_age((long)(now - t), age), limit);
    }
    catalog_release(&cat);
    storage_free(st);
    return rc;
}

static int
freshness(const struct config *cfg, char **names, size_t nnames, const char *repo_flag, long max_age_flag,
          struct err *e)
{
    time_t now = time(NULL);
    size_t i, njobs = 0, stale = 0;
    int r;

    if (nnames == 0 && cfg->n_jobs == 0) {
        /* no jobs configured: every job found in the repository */
        struct storage *st;
        struct catalog cat;
        const char *repo = cmd_repository(cfg, repo_flag, e);
        const char *last = "";
        struct storage_opts so;

        if (repo == NULL)
            return -1;
        memset(&cat, 0, sizeof(cat));
        config_storage_opts(&cfg->defaults, &so);
        if ((st = storage_open_opts(repo, 0, &so, e)) == NULL || catalog_load(st, NULL, &cat, e) == -1) {
            storage_free(st);
            return err_hint(e, "check --repository or 'repository' in the configuration");
        }
        storage_free(st);
        for (i = 0; i < cat.n; i++) {
            const char *job = cat.entries[i].m.job;
            size_t k;
            int seen = strcmp(job, last) == 0;
            for (k = 0; k < i && !seen; k++)
                seen = strcmp(cat.entries[k].m.job, job) == 0;
            last = job;
            if (seen)
                continue;
            njobs++;
            if ((r = fresh_one(job, repo, &cfg->defaults, max_age_flag > 0 ? max_age_flag : cfg->defaults.alert.max_age,
                               now, e)) == -1) {
                catalog_release(&cat);
                return -1;
            }
            stale += r == 0;
        }
        catalog_release(&cat);
        if (njobs == 0) {
            err_set(e, ERR_NOTFOUND, "freshness: no backups in '%s'", repo);
            return err_hint(e, "run 'safedump backup' first, or name the jobs to check");
        }
    } else {
        size_t n = nnames > 0 ? nnames : cfg->n_jobs;
        for (i = 0; i < n; i++) {
            const struct job_conf *j = nnames > 0 ? config_job(cfg, names[i]) : &cfg->jobs[i];
            const char *name = nnames > 0 ? names[i] : j->name;
            const char *repo = repo_flag;
            long max_age;

            if (j == NULL && !manifest_job_valid(name))
                return cmd_usage(e, "check", "check: invalid job name '%s'", name);
            if (j == NULL)
                j = &cfg->defaults; /* a job known only to the repository */
            if (repo == NULL)
                repo = j->repository;
            if (repo == NULL) {
                err_set(e, ERR_USAGE, "job '%s': no repository", name);
                return err_hint(e, "give --repository DIR or set 'repository' in %s", cfg->path);
            }
            max_age = max_age_flag > 0 ? max_age_flag : j->alert.max_age;
            njobs++;
            if ((r = fresh_one(name, repo, j, max_age, now, e)) == -1)
                return -1;
            stale += r == 0;
        }
    }
    fflush(stdout);
    if (stale > 0) {
        err_set(e, ERR_NOTFOUND, "freshness: %zu of %zu jobs have no backup newer than their max_age", stale, njobs);
        return err_hint(e, "look at the failed runs' logs and alerts; 'safedump list' shows the backups there are");
    }
    return 0;
}

/* Without --freshness: each job's recipients parse and its repository opens. */
static int
check_config(const struct config *cfg, struct err *e)
{
    struct age_recipient *rcpt[CMD_MAX_KEYS];
    size_t i;
    int n, k;

    if (!cfg->loaded) {
        err_set(e, ERR_CONFIG, "no configuration file '%s'", cfg->path);
        return err_hint(e, "create it (see 'man safedump') or give --config FILE");
    }
    for (i = 0; i < cfg->n_jobs; i++) {
        const struct job_conf *j = &cfg->jobs[i];
        struct storage_opts so;
        struct storage *st;
        if ((n = cmd_recipients(j, rcpt, CMD_MAX_KEYS, e)) == -1) {
            if (e->code == ERR_KEY)
                e->code = ERR_CONFIG; /* a bad key in the file is a configuration error */
            err_hint(e, "recipients are the age1... lines that 'safedump keygen' prints, or SSH public key lines "
                        "'ssh-ed25519 AAAA...' or 'ssh-rsa AAAA...'");
            return err_wrap(e, "job '%s'", j->name);
        }
        for (k = 0; k < n; k++)
            age_recipient_free(rcpt[k]);
        if (j->repository == NULL) {
            err_set(e, ERR_CONFIG, "job '%s': no repository", j->name);
            return err_hint(e, "set 'repository' under [defaults] or in the job's section of %s", cfg->path);
        }
        config_storage_opts(j, &so);
        if ((st = storage_open_opts(j->repository, 0, &so, e)) == NULL)
            return err_wrap(e, "job '%s'", j->name);
        storage_free(st);
        printf("job '%s': ok: %d recipient%s, repository '%s'\n", j->name, n, n == 1 ? "" : "s", j->repository);
    }
    printf("configuration '%s': %zu job%s\n", cfg->path, cfg->n_jobs, cfg->n_jobs == 1 ? "" : "s");
    return 0;
}

int
cmd_check(int argc, char **argv, struct err *e)
{
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'},  {"freshness", no_argument, NULL, 'f'},
        {"max-age", required_argument, NULL, 'm'}, {"repository", required_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
    };
    struct config cfg;
    const char *config_path = NULL, *repo_flag = NULL;
    long max_age = 0;
    int c, fresh = 0, rc;

    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'c':
            config_path = optarg;
            break;
        case 'f':
            fresh = 1;
            break;
        case 'm':
            if (config_parse_duration(optarg, &max_age) == -1)
                return cmd_usage(e, "check", "check: --max-age '%s': expected a duration such as 26h, 90m or 2d",
                                 optarg);
            break;
        case 'r':
            repo_flag = optarg;
            break;
        case 'h':
            fputs(usage_text, stdout);
            return 0;
        default:
            return cmd_usage(e, "check", "check: unknown option or missing value '%s'", argv[optind - 1]);
        }
    }
    if (!fresh && (optind < argc || max_age > 0 || repo_flag != NULL))
        return cmd_usage(e, "check", "check: job names, --max-age and --repository go with --freshness");
    if (cmd_config_load(&cfg, config_path, e) == -1)
        return -1;
    if (fresh)
        rc = freshness(&cfg, argv + optind, (size_t)(argc - optind), repo_flag, max_age, e);
    else
        rc = check_config(&cfg, e);
    config_release(&cfg);
    return rc;
}
